"""`workflow --verify` against real servers: firehose-local with faults
(flushed, then its data directory read), moto's S3 after a wait, or the
command to run later."""
import os
import shutil
import tempfile
import unittest

from harness import FirehoseLocal, MotoServer, Sandbox, short_or
from verify_support import EXIT_OK, EXIT_USAGE, object_lines
from workflow_checks import events, summary_of


class WorkflowVerify(unittest.TestCase):
    """`workflow --verify`: firehose-local at once (flushed first), S3 after a wait or later."""

    def setUp(self):
        self.sandbox = Sandbox()
        self.work = tempfile.mkdtemp(prefix="firehose-workflow-verify-")

    def tearDown(self):
        self.sandbox.cleanup()
        shutil.rmtree(self.work, ignore_errors=True)

    def test_against_firehose_local_with_faults(self):
        count = short_or(3000, 800)
        # Buffered for 300 s: only the flush delivers before the check.
        with FirehoseLocal("--fail-records", "0.2", "--reset-after", "0.05", seed=11) as local:
            local.create_stream(local.client(), "wf", CompressionFormat="GZIP",
                                BufferingHints={"SizeInMBs": 128, "IntervalInSeconds": 300})
            self.sandbox.point_at(local)
            result = self.sandbox.run("workflow", "--delivery-stream-name", "wf", "--count", str(count), "--verify",
                                      "--dead-letter", os.path.join(self.work, "dead.ndjson"), "--log-format", "json")
            delivered = [line for _, data in local.objects() for line in object_lines(data)]
        self.assertEqual(result.code, EXIT_OK, result)
        verified = summary_of(result)["verify"]
        self.assertEqual(verified["sent"], count)
        self.assertEqual(verified["missing"], 0)
        self.assertEqual(verified["delivered"], len(delivered))
        self.assertEqual(verified["delivered_once"], count)  # every record retried until stored
        self.assertEqual(verified["extra_copies"], len(delivered) - count)  # the reset-after duplicates
        logged = events(self, result.stderr)
        steps = [e["step"] for e in logged if e["event"] == "phase"]
        self.assertIn("verify", steps)
        verify_events = [e for e in logged if e["event"] == "verify"]
        self.assertEqual(len(verify_events), 1)
        self.assertEqual(verify_events[0]["missing"], 0)

    def test_streams_and_prefixes_that_firehose_local_stores_under_escaped_names(self):
        # A stream named ".events" delivers dotfiles (".events-1-..."); a prefix with a
        # leading "/" or ".." components is stored under "abs/" or "%2E%2E/": verify used
        # to skip the one as hidden and look for the other where it is not (all "missing").
        count = 40
        with FirehoseLocal() as local:
            client = local.client()
            cases = [(".events", ""), ("abs", "/abs/"), ("up", "../../etc/"), ("dots", "./a/../b/")]
            for name, prefix in cases:
                local.create_stream(client, name, prefix=prefix)
            self.sandbox.point_at(local)
            for name, prefix in cases:
                with self.subTest(stream=name, prefix=prefix):
                    result = self.sandbox.run("workflow", "--delivery-stream-name", name, "--count", str(count),
                                              "--single-records", "5", "--verify", "--log-format", "json")
                    self.assertEqual(result.code, EXIT_OK, result)
                    verified = summary_of(result)["verify"]
                    self.assertEqual((verified["sent"], verified["missing"], verified["delivered_once"]),
                                     (count, 0, count))
            stored = [path for path, _ in local.objects()]
        self.assertTrue(any(os.path.basename(path).startswith(".events-1-") for path in stored), stored)
        self.assertTrue(any(path.startswith("%2E%2E/%2E%2E/etc/") for path in stored), stored)

    def test_against_moto_s3_after_a_wait_or_later(self):
        with MotoServer(enforce_auth=True) as moto:
            moto.client("s3").create_bucket(Bucket="wf-bucket")
            role = moto.create_role("wf-role")
            self.sandbox.with_keys(moto)
            self.sandbox.env["AWS_ENDPOINT_URL"] = moto.url
            created = self.sandbox.run("create-delivery-stream", "--delivery-stream-name", "wf",
                                       "--bucket-arn", "arn:aws:s3:::wf-bucket", "--role-arn", role,
                                       "--prefix", "wf-run")  # no '/': see test_plain_objects_from_motos_firehose...
            self.assertEqual(created.code, 0, created)
            result = self.sandbox.run("workflow", "--delivery-stream-name", "wf", "--count", "400",
                                      "--single-records", "20", "--verify", "--verify-wait", "1s",
                                      "--log-format", "json")
            self.assertEqual(result.code, EXIT_OK, result)
            verified = summary_of(result)["verify"]
            self.assertEqual((verified["sent"], verified["missing"], verified["never_sent"]), (400, 0, 0), verified)
            self.assertEqual(verified["delivered_once"], 400)
            self.assertTrue(any(e["event"] == "phase" and e["step"] == "verify_wait" for e in events(self, result.stderr)))
            later = self.sandbox.run("workflow", "--delivery-stream-name", "wf", "--count", "10", "--verify",
                                     "--verify-wait", "0", "--log-format", "json")
            self.assertEqual(later.code, EXIT_OK, later)
            command = summary_of(later)["verify"]["later"]
            self.assertIn("firehose verify --input", command)
            self.assertIn("--s3-bucket wf-bucket --prefix wf-run", command)

    def test_stdin_records_cannot_be_verified(self):
        result = self.sandbox.run("workflow", "--delivery-stream-name", "wf", "--records", "-", "--verify",
                                  input_bytes=b"{}\n")
        self.assertEqual(result.code, EXIT_USAGE, result)
        self.assertIn("--verify", result.stderr)


if __name__ == "__main__":
    unittest.main()
