"""HTTPS end to end: firehose-local serves TLS with --tls-cert/--tls-key (a
self-signed certificate made here with the openssl CLI); `firehose` refuses the
unknown certificate by default with one error line naming the fix, and trusts it
through AWS_CA_BUNDLE or --ca-bundle (the AWS CLI's names); boto3 talks to the
same server with verify=PATH, and refuses it without.
"""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import botocore.exceptions

from harness import FIREHOSE_LOCAL, FirehoseLocal, Sandbox

EXIT_PARTIAL, EXIT_USAGE, EXIT_TRANSPORT = 1, 2, 5
STREAM = "tls-events"


def make_certificate(folder, name="server"):
    """A self-signed certificate for 127.0.0.1 and localhost, and its key: (cert, key) paths."""
    cert, key = os.path.join(folder, f"{name}.pem"), os.path.join(folder, f"{name}-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=firehose-local test",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


class TlsEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="firehose-tls-")
        cls.cert, cls.key = make_certificate(cls.folder)
        cls.local = FirehoseLocal(tls=(cls.cert, cls.key)).start()
        cls.local.create_stream(cls.local.client(), STREAM)

    @classmethod
    def tearDownClass(cls):
        cls.local.__exit__(None, None, None)
        shutil.rmtree(cls.folder, ignore_errors=True)

    def setUp(self):
        self.sandbox = Sandbox().point_at(self.local)
        self.addCleanup(self.sandbox.cleanup)

    def delivered(self):
        self.local.flush()
        return b"".join(data for _, data in self.local.objects())

    def test_the_server_prints_an_https_url(self):
        self.assertTrue(self.local.url.startswith("https://127.0.0.1:"), self.local.url)

    def test_an_unknown_certificate_is_refused_with_one_line_naming_the_fix_and_nothing_is_lost(self):
        records = self.sandbox.write("in.ndjson", '{"n":"untrusted-1"}\n{"n":"untrusted-2"}\n')
        dead_letter = os.path.join(self.sandbox.home, "dead.ndjson")
        run = self.sandbox.run("send", "--delivery-stream-name", STREAM, "--dead-letter", dead_letter, records,
                               timeout=60)
        self.assertEqual(run.code, EXIT_TRANSPORT, run)
        errors = [line for line in run.stderr.splitlines() if line.startswith("error: TlsError")]
        self.assertEqual(len(errors), 1, f"one error line, not one per record or attempt\n{run!r}")
        # The log's "producer stopped" event may name it too, but not once per record or attempt.
        self.assertLessEqual(run.stderr.count("TlsError"), 2, run)
        for fix in ("not trusted", "--ca-bundle", "AWS_CA_BUNDLE"):
            self.assertIn(fix, errors[0], run)
        summary = json.loads(run.stdout.splitlines()[-1])
        self.assertEqual((summary["records"], summary["dead_lettered"]), (2, 2), summary)
        with open(dead_letter) as f:
            entries = [json.loads(line) for line in f]
        self.assertEqual(sorted(base64.b64decode(e["data"]) for e in entries),
                         [b'{"n":"untrusted-1"}\n', b'{"n":"untrusted-2"}\n'])
        self.assertTrue(all(e["error_code"] == "TlsError" for e in entries), entries)
        self.assertNotIn(b"untrusted", self.delivered())

    def test_put_record_refuses_the_unknown_certificate_too(self):
        run = self.sandbox.run("put-record", "--delivery-stream-name", STREAM, "--data", "x", timeout=60)
        self.assertEqual(run.code, EXIT_TRANSPORT, run)
        self.assertEqual(len(run.stderr.strip().splitlines()), 1, run)
        self.assertIn("--ca-bundle", run.stderr)

    def test_send_trusts_the_certificate_through_aws_ca_bundle(self):
        records = self.sandbox.write("in.ndjson", "".join(f'{{"n":"env-bundle-{i}"}}\n' for i in range(50)))
        run = self.sandbox.run("send", "--delivery-stream-name", STREAM, records,
                               extra_env={"AWS_CA_BUNDLE": self.cert}, timeout=60)
        self.assertEqual(run.code, 0, run)
        summary = json.loads(run.stdout.splitlines()[-1])
        self.assertEqual(summary["acknowledged"], 50, summary)
        delivered = self.delivered()
        for i in range(50):
            self.assertIn(f'{{"n":"env-bundle-{i}"}}\n'.encode(), delivered)

    def test_put_record_and_send_trust_the_certificate_through_the_ca_bundle_flag(self):
        run = self.sandbox.run("--ca-bundle", self.cert, "put-record", "--delivery-stream-name", STREAM,
                               "--data", "flag-bundle\n", timeout=60)
        self.assertEqual(run.code, 0, run)
        self.assertIn("RecordId", run.stdout)
        records = self.sandbox.write("in.ndjson", "flag-bundle-send\n")
        run = self.sandbox.run("send", "--ca-bundle", self.cert, "--delivery-stream-name", STREAM, records,
                               timeout=60)
        self.assertEqual(run.code, 0, run)
        delivered = self.delivered()
        self.assertIn(b"flag-bundle\n", delivered)
        self.assertIn(b"flag-bundle-send\n", delivered)

    def test_another_certificate_in_the_bundle_is_still_refused(self):
        other, _ = make_certificate(self.sandbox.home, "other")
        run = self.sandbox.run("--ca-bundle", other, "put-record", "--delivery-stream-name", STREAM,
                               "--data", "x", timeout=60)
        self.assertEqual(run.code, EXIT_TRANSPORT, run)
        self.assertIn("not trusted", run.stderr)

    def test_boto3_with_verify_path_and_without(self):
        firehose = self.local.client()  # verify=the certificate
        answer = firehose.put_record_batch(DeliveryStreamName=STREAM,
                                           Records=[{"Data": b"boto3-over-tls-%d\n" % i} for i in range(3)])
        self.assertEqual(answer["FailedPutCount"], 0, answer)
        self.assertIn(b"boto3-over-tls-2\n", self.delivered())
        import boto3
        untrusting = boto3.client("firehose", endpoint_url=self.local.url, region_name="us-east-1",
                                  aws_access_key_id=self.local.access_key_id,
                                  aws_secret_access_key=self.local.secret_access_key)
        with self.assertRaises(botocore.exceptions.SSLError):
            untrusting.list_delivery_streams()


class TlsSettings(unittest.TestCase):
    def start(self, *args):
        return subprocess.run([FIREHOSE_LOCAL, "--port", "0", *args], capture_output=True, text=True, timeout=30)

    def test_a_certificate_without_its_key_is_a_usage_error(self):
        run = self.start("--tls-cert", "/nonexistent/cert.pem")
        self.assertEqual(run.returncode, EXIT_USAGE, run)
        self.assertIn("--tls-cert and --tls-key go together", run.stderr)

    def test_an_unreadable_certificate_is_one_line_naming_the_files(self):
        with tempfile.TemporaryDirectory() as folder:
            bogus = os.path.join(folder, "bogus.pem")
            with open(bogus, "w") as f:
                f.write("not a certificate\n")
            run = self.start("--tls-cert", bogus, "--tls-key", bogus)
        self.assertEqual(run.returncode, 1, run)
        self.assertEqual(len(run.stderr.strip().splitlines()), 1, run.stderr)
        self.assertIn(f"--tls-cert {bogus}", run.stderr)
        self.assertIn("cannot load", run.stderr)


if __name__ == "__main__":
    unittest.main()
