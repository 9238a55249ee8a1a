"""`firehose verify` against real servers: firehose-local after a run with
injected faults (its delivered objects counted here, independently of the
CLI), a record removed, duplicated or never sent; moto's S3 (signatures
enforced) with plain objects from its Firehose (one object per put call) and
GZIP objects; and bad input, one clear line each."""
import gzip
import json
import os
import shutil
import tempfile
import unittest

from harness import FirehoseLocal, MotoServer, Sandbox, help_examples, read_bucket, short_or
from verify_support import EXIT_MISSING, EXIT_OK, EXIT_CONFIG, EXIT_SERVICE, EXIT_USAGE, error_lines, object_lines, \
    write_records

class VerifyAgainstFirehoseLocal(unittest.TestCase):
    """One faulty run shared by the tests; each test works on its own copy of
    the data directory."""

    RECORDS = short_or(6000, 1500)

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="firehose-verify-")
        cls.input = os.path.join(cls.work, "sent.ndjson")
        cls.dead = os.path.join(cls.work, "dead.ndjson")
        write_records(cls.input, 0, cls.RECORDS)
        # Records failed (some given up on after 2 attempts: dead-lettered),
        # calls failed whole, and answers lost after storing (duplicates on retry).
        # Calls of 20 records: hundreds of calls (75 in short mode), so that the 10 % resets after
        # storing surely happen (0.9^75: 4e-4 that none does).
        cls.local = FirehoseLocal("--fail-records", "0.3", "--fail-requests", "0.05", "--reset-after", "0.1",
                                  seed=7).__enter__()
        cls.local.create_stream(cls.local.client(), "events", CompressionFormat="GZIP")
        sandbox = Sandbox().point_at(cls.local)
        try:
            sent = sandbox.run("send", "--delivery-stream-name", "events", "--dead-letter", cls.dead,
                               "--max-attempts", "2", "--max-batch-records", "20", cls.input)
        finally:
            sandbox.cleanup()
        assert sent.code in (0, 1), sent
        cls.send_summary = json.loads(sent.stdout.splitlines()[-1])
        cls.local.flush()

    @classmethod
    def tearDownClass(cls):
        cls.local.__exit__(None, None, None)
        shutil.rmtree(cls.work, ignore_errors=True)

    def setUp(self):
        self.sandbox = Sandbox()
        self.data_dir = os.path.join(tempfile.mkdtemp(prefix="firehose-verify-copy-"), "data")
        shutil.copytree(self.local.data_dir, self.data_dir, ignore=shutil.ignore_patterns(".lock"))

    def tearDown(self):
        self.sandbox.cleanup()
        shutil.rmtree(os.path.dirname(self.data_dir), ignore_errors=True)

    def verify(self, *extra):
        return self.sandbox.run("verify", "--input", self.input, "--local-dir", self.data_dir,
                                "--dead-letter", self.dead, "--key", "id", *extra)

    def delivered_objects(self):
        root = os.path.join(self.data_dir, "local-bucket")
        paths = []
        for folder, _, names in os.walk(root):
            paths += [os.path.join(folder, n) for n in names if not n.startswith(".")]
        return sorted(paths)

    def delivered_ids(self):
        ids = []
        for path in self.delivered_objects():
            with open(path, "rb") as f:
                ids += [json.loads(line)["id"] for line in object_lines(f.read())]
        return ids

    def dead_lettered_ids(self):
        import base64
        with open(self.dead) as f:
            entries = [json.loads(line) for line in f if line.strip()]
        return {json.loads(base64.b64decode(e["data"]))["id"] for e in entries}

    def test_the_report_equals_what_was_delivered(self):
        ids = self.delivered_ids()
        distinct = set(ids)
        dead = self.dead_lettered_ids()
        # The run did meet the faults: records given up on, and duplicates.
        self.assertGreater(len(dead), 0, self.send_summary)
        self.assertGreater(len(ids), len(distinct), "no duplicates: --reset-after did not bite")
        self.assertEqual(distinct | dead, set(range(self.RECORDS)), "the run lost records: not verify's to find")
        result = self.verify()
        self.assertEqual(result.code, EXIT_OK, result)
        report = json.loads(result.stdout)
        self.assertEqual(report["sent"], self.RECORDS)
        self.assertEqual(report["delivered"], len(ids))
        self.assertEqual(report["delivered_once"], len(distinct))
        self.assertEqual(report["extra_copies"], len(ids) - len(distinct))
        self.assertEqual(report["duplicated"], sum(1 for i in distinct if ids.count(i) > 1))
        self.assertEqual(report["dead_lettered"], len(dead - distinct))
        self.assertEqual(report["dead_lettered_and_delivered"], len(dead & distinct))
        self.assertEqual(report["missing"], 0)
        self.assertEqual(report["never_sent"], 0)
        self.assertEqual(report["objects"], len(self.delivered_objects()))
        self.assertEqual(report["mode"], "exact")
        self.assertEqual(report["distinct_keys"], self.RECORDS)
        self.assertEqual(error_lines(result.stderr), [])

    def test_the_first_example_of_its_help_runs_as_written(self):
        # `verify --help` shows examples: the first, with this run's files in place of its names,
        # verifies this run (its flags are real flags, in a working combination).
        help_text = self.sandbox.run("verify", "--help")
        self.assertEqual(help_text.code, EXIT_OK, help_text)
        self.assertEqual(help_text.stdout.count("Exit codes:"), 1, help_text.stdout)
        names = {"events.ndjson": self.input, "/tmp/firehose-data": self.data_dir, "failed.ndjson": self.dead}
        example = help_examples(help_text.stdout, names)[0]
        self.assertEqual(example[0], "verify")
        result = self.sandbox.run(*example)
        self.assertEqual(result.code, EXIT_OK, result)
        self.assertEqual(json.loads(result.stdout)["missing"], 0)

    def rewrite(self, path, change):
        """Applies `change` to the lines of a delivered object, keeping its compression."""
        with open(path, "rb") as f:
            data = f.read()
        lines = change(object_lines(data))
        content = "".join(line + "\n" for line in lines).encode()
        with open(path, "wb") as f:
            f.write(gzip.compress(content) if data[:2] == b"\x1f\x8b" else content)

    def test_a_removed_record_is_missing(self):
        path = self.delivered_objects()[0]
        removed = []
        ids = self.delivered_ids()
        # A record delivered once and also dead-lettered (its answer lost, then given up on) would
        # be "dead-lettered", not missing, once its copy is removed: pick one that only arrived.
        dead = self.dead_lettered_ids()

        def drop_a_single_copy(lines):
            for n, line in enumerate(lines):
                key = json.loads(line)["id"]
                if ids.count(key) == 1 and key not in dead:
                    removed.append(line)
                    return lines[:n] + lines[n + 1:]
            self.fail("no record delivered once (and not dead-lettered) in the first object")
        self.rewrite(path, drop_a_single_copy)
        result = self.verify()
        self.assertEqual(result.code, EXIT_MISSING, result)
        report = json.loads(result.stdout)
        self.assertEqual(report["missing"], 1)
        self.assertEqual(report["examples"]["missing"][0]["record"], removed[0])
        with open(self.input) as f:
            line_number = [json.loads(line)["id"] for line in f].index(json.loads(removed[0])["id"]) + 1
        self.assertEqual(report["examples"]["missing"][0]["source"], f"{self.input}:{line_number}")
        errors = error_lines(result.stderr)
        self.assertEqual(len(errors), 1, result.stderr)
        self.assertIn("1 of %d sent records are missing" % self.RECORDS, errors[0])

    def test_a_duplicated_record_and_a_stranger(self):
        before = json.loads(self.verify().stdout)
        ids = self.delivered_ids()
        once = next(i for i in sorted(set(ids)) if ids.count(i) == 1)
        stranger = json.dumps({"id": 10 ** 9, "payload": "never sent"}, separators=(",", ":"))
        duplicate = json.dumps({"id": once, "payload": "x" * (once % 37)}, separators=(",", ":"))
        self.rewrite(self.delivered_objects()[-1], lambda lines: lines + [duplicate, stranger])
        result = self.verify()
        self.assertEqual(result.code, EXIT_OK, result)  # nothing missing
        report = json.loads(result.stdout)
        self.assertEqual(report["duplicated"], before["duplicated"] + 1)
        self.assertEqual(report["extra_copies"], before["extra_copies"] + 1)
        self.assertEqual(report["never_sent"], 1)
        self.assertEqual(report["examples"]["never_sent"][0]["record"], stranger)
        if before["duplicated"] < 5:  # named, unless the first five were taken by the run's own duplicates
            self.assertIn(duplicate, [e["record"] for e in report["examples"]["duplicated"]])

    def test_without_the_dead_letter_file_its_records_are_missing(self):
        dead = self.dead_lettered_ids() - set(self.delivered_ids())
        result = self.sandbox.run("verify", "--input", self.input, "--local-dir", self.data_dir, "--key", "id")
        self.assertEqual(result.code, EXIT_MISSING, result)
        self.assertEqual(json.loads(result.stdout)["missing"], len(dead))

    def test_bloom_mode_agrees_on_what_is_certain(self):
        exact = json.loads(self.verify().stdout)
        result = self.verify("--mode", "bloom")
        self.assertEqual(result.code, EXIT_OK, result)
        bloom = json.loads(result.stdout)
        for field in ("sent", "delivered", "missing", "never_sent", "dead_letter_entries", "objects"):
            self.assertEqual(bloom[field], exact[field], field)
        self.assertEqual(bloom["mode"], "bloom")

    def test_whole_lines_match_too_and_text_output(self):
        result = self.sandbox.run("verify", "--input", self.input, "--local-dir", self.data_dir,
                                  "--dead-letter", self.dead, "--output", "text")
        self.assertEqual(result.code, EXIT_OK, result)
        # The AWS CLI's text shape (awscli/text.py): the report's scalars on the first line, in key
        # order, values only; each example a line that starts with its list's name.
        as_json = self.sandbox.run("verify", "--input", self.input, "--local-dir", self.data_dir,
                                   "--dead-letter", self.dead, "--output", "json")
        report = json.loads(as_json.stdout)
        scalars = [str(v) for _, v in sorted(report.items()) if isinstance(v, (int, str)) and not isinstance(v, bool)]
        lines = result.stdout.splitlines()
        self.assertEqual(lines[0].split("\t"), scalars, result.stdout)
        self.assertTrue(any(line.startswith("DEAD_LETTERED\t") for line in lines[1:]), result.stdout)

    def test_progress_events_off_a_terminal(self):
        result = self.verify("--progress-interval", "1s", "--log-format", "json")
        self.assertEqual(result.code, EXIT_OK, result)
        for line in result.stderr.splitlines():
            event = json.loads(line)
            self.assertEqual(event["event"], "verify_progress", line)


class VerifyAgainstMotoS3(unittest.TestCase):
    BUCKET = "verify-bucket"

    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer(enforce_auth=True).__enter__()
        cls.s3 = cls.moto.client("s3")
        cls.s3.create_bucket(Bucket=cls.BUCKET)
        cls.role_arn = cls.moto.create_role("verify-role")

    @classmethod
    def tearDownClass(cls):
        cls.moto.__exit__(None, None, None)

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="firehose-verify-moto-")
        self.sandbox = Sandbox().with_keys(self.moto)
        self.sandbox.env["AWS_ENDPOINT_URL"] = self.moto.url

    def tearDown(self):
        self.sandbox.cleanup()
        shutil.rmtree(self.work, ignore_errors=True)

    def test_plain_objects_from_motos_firehose_and_gzip_objects(self):
        # No '/' in --prefix: moto's signature check decodes %2F in the query
        # before it signs (boto3's own list_objects_v2(Prefix="a/") is refused
        # the same way); AWS signs the query as sent.
        prefix = "run-1"
        created = self.sandbox.run("create-delivery-stream", "--delivery-stream-name", "verify-stream",
                                   "--bucket-arn", f"arn:aws:s3:::{self.BUCKET}", "--role-arn", self.role_arn,
                                   "--prefix", prefix + "-plain/")
        self.assertEqual(created.code, 0, created)
        sent = os.path.join(self.work, "sent.ndjson")
        write_records(sent, 0, 1200)
        result = self.sandbox.run("send", "--delivery-stream-name", "verify-stream", "--max-batch-records", "500", sent)
        self.assertEqual(result.code, 0, result)
        # moto writes one object per put call, records as sent (no compression, no buffering).
        keys, _ = read_bucket(self.s3, self.BUCKET)
        self.assertGreaterEqual(len([k for k in keys if k.startswith(prefix + "-plain/")]), 3)
        # More records, put as GZIP objects (what a GZIP stream writes), one of them multi-member.
        more = os.path.join(self.work, "more.ndjson")
        write_records(more, 1200, 300)
        with open(more, "rb") as f:
            lines = f.read().splitlines(keepends=True)
        self.s3.put_object(Bucket=self.BUCKET, Key=prefix + "-gz/a.gz", Body=gzip.compress(b"".join(lines[:100])))
        self.s3.put_object(Bucket=self.BUCKET, Key=prefix + "-gz/b.gz",
                           Body=gzip.compress(b"".join(lines[100:200])) + gzip.compress(b"".join(lines[200:])))
        self.s3.put_object(Bucket=self.BUCKET, Key="elsewhere/x", Body=b"not this run\n")
        result = self.sandbox.run("verify", "--input", sent, more, "--s3-bucket", self.BUCKET, "--prefix", prefix,
                                  "--key", "id")
        self.assertEqual(result.code, EXIT_OK, result)
        report = json.loads(result.stdout)
        self.assertEqual(report["sent"], 1500)
        self.assertEqual(report["delivered"], 1500)
        self.assertEqual(report["delivered_once"], 1500)
        self.assertEqual(report["missing"], 0)
        self.assertEqual(report["never_sent"], 0)
        self.assertEqual(report["objects"], len([k for k in read_bucket(self.s3, self.BUCKET)[0]
                                                 if k.startswith(prefix)]))
        # One GZIP object gone: its 100 records are missing.
        self.s3.delete_object(Bucket=self.BUCKET, Key=prefix + "-gz/a.gz")
        result = self.sandbox.run("verify", "--input", sent, more, "--s3-bucket", self.BUCKET, "--prefix", prefix,
                                  "--key", "id")
        self.assertEqual(result.code, EXIT_MISSING, result)
        self.assertEqual(json.loads(result.stdout)["missing"], 100)

    def test_listing_follows_continuation_tokens(self):
        # More than a page of 1,000 keys.
        sent = os.path.join(self.work, "sent.ndjson")
        write_records(sent, 0, 1005)
        with open(sent, "rb") as f:
            for n, line in enumerate(f):
                self.s3.put_object(Bucket=self.BUCKET, Key=f"many-{n:05d}", Body=line)
        result = self.sandbox.run("verify", "--input", sent, "--s3-bucket", self.BUCKET, "--prefix", "many-")
        self.assertEqual(result.code, EXIT_OK, result)
        self.assertEqual(json.loads(result.stdout)["objects"], 1005)

    def test_a_bucket_that_does_not_exist(self):
        sent = os.path.join(self.work, "sent.ndjson")
        write_records(sent, 0, 1)
        result = self.sandbox.run("verify", "--input", sent, "--s3-bucket", "no-such-bucket")
        self.assertEqual(result.code, EXIT_SERVICE, result)
        self.assertEqual(len(error_lines(result.stderr)), 1, result.stderr)
        self.assertIn("NoSuchBucket", result.stderr)
        self.assertIn("no-such-bucket", result.stderr)

    def test_a_wrong_secret_is_refused(self):
        sent = os.path.join(self.work, "sent.ndjson")
        write_records(sent, 0, 1)
        result = self.sandbox.run("verify", "--input", sent, "--s3-bucket", self.BUCKET,
                                  extra_env={"AWS_SECRET_ACCESS_KEY": "wrong"})
        self.assertEqual(result.code, EXIT_SERVICE, result)
        self.assertEqual(len(error_lines(result.stderr)), 1, result.stderr)
        self.assertIn("SignatureDoesNotMatch", result.stderr)


class VerifyBadInput(unittest.TestCase):
    def setUp(self):
        self.sandbox = Sandbox()
        self.work = tempfile.mkdtemp(prefix="firehose-verify-bad-")
        self.sent = os.path.join(self.work, "sent.ndjson")
        write_records(self.sent, 0, 3)

    def tearDown(self):
        self.sandbox.cleanup()
        shutil.rmtree(self.work, ignore_errors=True)

    def one_error(self, result, code, *words):
        self.assertEqual(result.code, code, result)
        errors = error_lines(result.stderr)
        self.assertEqual(len(errors), 1, result.stderr)
        for word in words:
            self.assertIn(word, errors[0])
        self.assertEqual(result.stdout, "")

    def test_a_missing_input_file(self):
        result = self.sandbox.run("verify", "--input", os.path.join(self.work, "nope.ndjson"), "--local-dir", self.work)
        self.one_error(result, EXIT_USAGE, "cannot read", "nope.ndjson", "No such file or directory")

    def test_a_missing_directory(self):
        result = self.sandbox.run("verify", "--input", self.sent, "--local-dir", os.path.join(self.work, "nodir"))
        self.one_error(result, EXIT_USAGE, "cannot read", "nodir", "No such file or directory")

    def test_a_missing_dead_letter_file(self):
        result = self.sandbox.run("verify", "--input", self.sent, "--local-dir", self.work,
                                  "--dead-letter", os.path.join(self.work, "dead.ndjson"))
        self.one_error(result, EXIT_USAGE, "dead.ndjson", "No such file or directory")

    def test_a_file_that_is_not_a_dead_letter_file(self):
        # An NDJSON file of something else: exit 4 ("S3 refused") before; the README's code for a
        # dead-letter file that cannot be read is 2.
        other = os.path.join(self.work, "other.ndjson")
        with open(other, "w") as f:
            f.write('{"id":1}\n')
        result = self.sandbox.run("verify", "--input", self.sent, "--local-dir", self.work, "--dead-letter", other)
        self.one_error(result, EXIT_USAGE, "other.ndjson:1")

    def test_a_corrupt_gzip_object(self):
        os.makedirs(os.path.join(self.work, "bucket"))
        with open(os.path.join(self.work, "bucket", "obj.gz"), "wb") as f:
            f.write(gzip.compress(b'{"id":0}\n' * 100)[:-20])
        result = self.sandbox.run("verify", "--input", self.sent, "--local-dir", os.path.join(self.work, "bucket"))
        self.assertEqual(len(error_lines(result.stderr)), 1, result.stderr)
        self.assertIn("obj.gz", result.stderr)
        self.assertIn("CorruptObject", result.stderr)
        self.assertNotEqual(result.code, EXIT_OK)

    @unittest.skipIf(os.environ.get("FIREHOSE_TEST_SANITIZER"),
                     "a sanitizer's allocator aborts on an impossible allocation before the program can report it")
    def test_a_key_store_larger_than_memory(self):
        result = self.sandbox.run("verify", "--input", self.sent, "--local-dir", self.work,
                                  "--expected-records", str(2 ** 40))
        self.one_error(result, EXIT_USAGE, "not enough memory", "--mode bloom")

    def test_no_credentials(self):
        self.sandbox.env.update({"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:1"})
        result = self.sandbox.run("verify", "--input", self.sent, "--s3-bucket", "b")
        self.one_error(result, EXIT_CONFIG, "NoCredentials")

    def test_stdin_and_two_destinations_are_refused(self):
        self.one_error(self.sandbox.run("verify", "--input", "-", "--local-dir", self.work), EXIT_USAGE, "stdin")
        result = self.sandbox.run("verify", "--input", self.sent)
        self.one_error(result, EXIT_USAGE, "--local-dir", "--s3-bucket")


if __name__ == "__main__":
    unittest.main()
