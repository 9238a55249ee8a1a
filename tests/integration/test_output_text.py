"""`--output text` prints what the AWS CLI prints: the same calls are made with the AWS CLI v1
(`aws firehose ... --output text`) and with `firehose ... --output text` against one
firehose-local, and the two outputs must be identical (record ids, which differ between
calls, are blanked first). A list of scalars is one line per scalar, key first."""
import json
import unittest

from aws_cli_output import SameOutputAsTheAwsCli, blank_ids
from harness import FirehoseLocal, Sandbox


def aws_cli_text(response):
    """The AWS CLI's text formatter (awscli/text.py) on `response`."""
    import io
    from awscli.text import format_text
    out = io.StringIO()
    format_text(response, out)
    return out.getvalue()


class OutputText(SameOutputAsTheAwsCli):
    output = "text"

    @classmethod
    def setUpClass(cls):
        cls.local = FirehoseLocal().__enter__()
        cls.sandbox = Sandbox().point_at(cls.local)
        firehose = cls.local.client()
        # Names a shell or a naive formatter could trip on.
        for name in ("-a", ".", "..", "texts"):
            cls.local.create_stream(firehose, name)

    @classmethod
    def tearDownClass(cls):
        cls.local.__exit__(None, None, None)
        cls.sandbox.cleanup()

    def test_list_delivery_streams_is_one_line_per_name(self):
        expected = self.aws("list-delivery-streams")
        self.assertIn("DELIVERYSTREAMNAMES\t-a\n", expected)
        self.assertEqual(self.ours("list-delivery-streams"), expected)

    def test_put_record(self):
        expected = blank_ids(self.aws("put-record", "--delivery-stream-name", "texts", "--record", "Data=hello"))
        actual = blank_ids(self.ours("put-record", "--delivery-stream-name", "texts", "--data", "hello"))
        self.assertEqual(actual, expected)

    def test_describe_delivery_stream(self):
        # The AWS CLI v1 prints timestamps as epoch seconds, ours (as v2 does) in ISO 8601: so the
        # AWS CLI's own text formatter writes our JSON answer, and ours must match it.
        args = ("describe-delivery-stream", "--delivery-stream-name", "texts")
        answer = json.loads(self.sandbox.run("--output", "json", *args).stdout)
        self.assertEqual(self.ours(*args), aws_cli_text(answer))

    def test_no_streams_prints_only_the_flag(self):
        with FirehoseLocal() as empty:
            sandbox = Sandbox().point_at(empty)
            try:
                run = sandbox.run("--output", "text", "list-delivery-streams")
                self.assertEqual(run.code, 0, run)
                self.assertEqual(run.stdout, "False\n")
            finally:
                sandbox.cleanup()


if __name__ == "__main__":
    unittest.main()
