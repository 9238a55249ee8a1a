"""`--output table` draws what the AWS CLI draws (issue #12: AWS CLI habits). The same calls
are made with the AWS CLI v1 (`aws firehose ... --output table`) and with `firehose ...
--output table` against one firehose-local, and the two drawings must be identical, character
for character (record ids, which differ between calls, are blanked to the same width first)."""
import json
import unittest

from aws_cli_output import SameOutputAsTheAwsCli, blank_ids
from harness import FirehoseLocal, Sandbox


def aws_cli_table(operation, response):
    """The AWS CLI's table formatter (awscli.formatter, colour off, 80 columns) on `response`."""
    import argparse
    import io
    from awscli.formatter import TableFormatter
    formatter = TableFormatter(argparse.Namespace(color="off", query=None))
    formatter.table._terminal_width = 80
    out = io.StringIO()
    formatter(operation, response, out)
    return out.getvalue()


class OutputTable(SameOutputAsTheAwsCli):
    output = "table"

    @classmethod
    def setUpClass(cls):
        cls.local = FirehoseLocal().__enter__()
        cls.sandbox = Sandbox().point_at(cls.local)
        firehose = cls.local.client()
        for name in ("tables", "tables-two"):
            cls.local.create_stream(firehose, name)
        cls.records = cls.sandbox.write("batch.ndjson", '{"a":1}\n{"b":2}\n{"c":3}\n')

    @classmethod
    def tearDownClass(cls):
        cls.local.__exit__(None, None, None)
        cls.sandbox.cleanup()

    def assert_same(self, *args):
        expected, actual = blank_ids(self.aws(*args)), blank_ids(self.ours(*args))
        self.assertTrue(expected.startswith("-"), expected)
        self.assertEqual(actual, expected)

    def test_list_delivery_streams(self):
        self.assert_same("list-delivery-streams")

    def test_put_record(self):
        expected = blank_ids(self.aws("put-record", "--delivery-stream-name", "tables", "--record", "Data=hello"))
        actual = blank_ids(self.ours("put-record", "--delivery-stream-name", "tables", "--data", "hello"))
        self.assertEqual(actual, expected)

    def test_put_record_batch(self):
        entries = json.dumps([{"Data": "eyJhIjoxfQo="}, {"Data": "eyJiIjoyfQo="}, {"Data": "eyJjIjozfQo="}])
        expected = blank_ids(self.aws("put-record-batch", "--delivery-stream-name", "tables", "--records", entries))
        actual = blank_ids(self.ours("put-record-batch", "--delivery-stream-name", "tables", "--records-file",
                                     self.records))
        self.assertEqual(actual, expected)

    def test_describe_delivery_stream(self):
        # The AWS CLI v1 prints timestamps as epoch seconds, ours (as v2 does) in ISO 8601: so
        # the AWS CLI's own table formatter draws our JSON answer, and ours must match it. The
        # description is wider than 80 columns: both turn its sections vertical.
        args = ("describe-delivery-stream", "--delivery-stream-name", "tables")
        answer = json.loads(self.sandbox.run("--output", "json", *args).stdout)
        self.assertEqual(self.ours(*args), aws_cli_table("DescribeDeliveryStream", answer))

    def test_no_streams_draws_only_the_flag(self):
        # An empty list draws nothing, a lone scalar draws as a key/value row: the AWS CLI's edge cases.
        with FirehoseLocal() as empty:
            sandbox = Sandbox().point_at(empty)
            try:
                run = sandbox.run("--output", "table", "list-delivery-streams")
                self.assertEqual(run.code, 0, run)
                answer = {"DeliveryStreamNames": [], "HasMoreDeliveryStreams": False}
                self.assertEqual(run.stdout, aws_cli_table("ListDeliveryStreams", answer))
                self.assertIn("|  HasMoreDeliveryStreams |  False  |", run.stdout)
            finally:
                sandbox.cleanup()


if __name__ == "__main__":
    unittest.main()
