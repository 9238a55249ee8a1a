"""Every command's exit code agrees with the README's table (issue #12): for each command, each
class of failure it can meet is provoked for real against firehose-local on 127.0.0.1 (or a
closed port) and the exit code and the one error line are checked.

0 success, 1 some records not acknowledged, 2 usage, 3 configuration, 4 service refused,
5 transport (no answer)."""
import os
import unittest

from harness import FirehoseLocal, Sandbox, free_port

STREAM = "codes"


def commands(stream, records_file, dead_letter):
    """Each command that talks to Firehose, as a user would run it against `stream`."""
    return {
        "put-record": ["put-record", "--delivery-stream-name", stream, "--data", "x"],
        "put-record-batch": ["put-record-batch", "--delivery-stream-name", stream, "--records-file", records_file],
        "send": ["send", "--delivery-stream-name", stream, "--dead-letter", dead_letter, records_file],
        "workflow": ["workflow", "--delivery-stream-name", stream, "--count", "6", "--single-records", "2",
                     "--dead-letter", dead_letter],
        "describe-delivery-stream": ["describe-delivery-stream", "--delivery-stream-name", stream],
        "metrics": ["metrics", "--delivery-stream-name", stream, "--since", "5m"],
    }


class ExitCodes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = FirehoseLocal().__enter__()
        cls.local.create_stream(cls.local.client(), STREAM)

    @classmethod
    def tearDownClass(cls):
        cls.local.__exit__(None, None, None)

    def setUp(self):
        self.sandbox = Sandbox().point_at(self.local)
        self.records = self.sandbox.write("in.ndjson", "".join(f'{{"n":{i}}}\n' for i in range(6)))
        self.dead = os.path.join(self.sandbox.home, "dead.ndjson")
        self.local.settings(fail_records=0.0)

    def tearDown(self):
        self.local.settings(fail_records=0.0)
        self.sandbox.cleanup()

    def run_cli(self, *args, **kwargs):
        if os.path.exists(self.dead):
            os.remove(self.dead)
        return self.sandbox.run(*args, **kwargs)

    def assert_exit(self, run, code, message=None, what=""):
        self.assertEqual(run.code, code, (what, run))
        if code >= 1:  # 1 too: every failing run names why in one line
            errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
            self.assertTrue(errors, (what, run))
            if message:
                self.assertIn(message, errors[-1], (what, run))

    def test_0_success(self):
        for name, args in commands(STREAM, self.records, self.dead).items():
            self.assert_exit(self.run_cli(*args), 0, what=name)
        self.assert_exit(self.run_cli("list-delivery-streams"), 0)

    def test_1_records_not_acknowledged(self):
        # Every record refused by the service, one attempt: the calls ran, records failed.
        self.local.settings(fail_records=1.0, fail_records_code="InternalFailure")
        for name in ("put-record-batch", "send", "workflow"):
            args = commands(STREAM, self.records, self.dead)[name]
            self.assert_exit(self.run_cli("--max-attempts", "1", *args), 1, "6 records", what=name)

    def test_2_usage(self):
        for name, args in commands(STREAM, self.records, self.dead).items():
            self.assert_exit(self.run_cli(*args, "--no-such-option"), 2, "unknown option", what=name)
        self.assert_exit(self.run_cli("put-record-batch", "--delivery-stream-name", STREAM, "--records-file",
                                      os.path.join(self.sandbox.home, "missing.ndjson")), 2, "missing.ndjson")
        self.assert_exit(self.run_cli("send", "--delivery-stream-name", STREAM, "--max-batch-records", "501",
                                      self.records), 2, "500")
        self.assert_exit(self.run_cli("generate", "--count", "x"), 2)

    def test_3_configuration(self):
        no_region = {"AWS_REGION": ""}
        for name, args in commands(STREAM, self.records, self.dead).items():
            run = self.sandbox.run(*args, extra_env=no_region)
            self.assert_exit(run, 3, "region", what=name)
        self.assert_exit(self.run_cli("--profile", "nosuch", "list-delivery-streams"), 3, what="--profile nosuch")
        self.assert_exit(self.run_cli("send", *commands(STREAM, self.records, self.dead)["send"][1:],
                                      extra_env={"FIREHOSE_MAX_IN_FLIGHT": "lots"}), 3, "FIREHOSE_MAX_IN_FLIGHT")

    def test_4_service_refused(self):
        for name, args in commands("nosuch", self.records, self.dead).items():
            self.assert_exit(self.run_cli(*args), 4, "nosuch", what=name)
        self.assert_exit(self.run_cli("create-delivery-stream", "--delivery-stream-name", STREAM, "--bucket-arn",
                                      "arn:aws:s3:::b", "--role-arn", "arn:aws:iam::123456789012:role/r"), 4,
                         "ResourceInUseException")

    def test_5_transport(self):
        closed = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}
        for name, args in commands(STREAM, self.records, self.dead).items():
            run = self.run_cli("--max-attempts", "1", *args, extra_env=closed)
            self.assert_exit(run, 5, "127.0.0.1", what=name)
        self.assert_exit(self.run_cli("--max-attempts", "1", "list-delivery-streams", extra_env=closed), 5)


if __name__ == "__main__":
    unittest.main()
