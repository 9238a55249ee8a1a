"""AWS CLI habits the firehose CLI honours (issue #12): file:// and fileb:// values,
--debug, put-record --newline, and an oversize record refused as a usage error (exit 2).
Against firehose-local on 127.0.0.1, delivered objects read back."""
import json
import os
import unittest

from harness import FirehoseLocal, Sandbox


class CliHabits(unittest.TestCase):
    def setUp(self):
        self.sandbox = Sandbox()

    def tearDown(self):
        self.sandbox.cleanup()

    def delivered(self, local):
        local.flush()
        return b"".join(data for _, data in local.objects())

    def test_file_references_and_newline_make_delimited_records(self):
        with FirehoseLocal() as local:
            local.create_stream(local.client(), "habits")
            self.sandbox.point_at(local)
            self.sandbox.write("one.json", '{"a":1}')
            path = os.path.join(self.sandbox.home, "one.json")
            first = self.sandbox.run("put-record", "--delivery-stream-name", "habits", "--data", f"file://{path}",
                                     "--newline")
            self.assertEqual(first.code, 0, first)
            second = self.sandbox.run("put-record", "--delivery-stream-name", "habits", "--data", f"fileb://{path}")
            self.assertEqual(second.code, 0, second)
            third = self.sandbox.run("put-record", "--delivery-stream-name", "habits", "--data", '{"b":2}',
                                     "--newline")
            self.assertEqual(third.code, 0, third)
            self.sandbox.write("two.ndjson", '{"c":3}\n')
            batch = self.sandbox.run("put-record-batch", "--delivery-stream-name", "habits", "--records-file",
                                     f"file://{os.path.join(self.sandbox.home, 'two.ndjson')}")
            self.assertEqual(batch.code, 0, batch)
            # The first and third end with a newline (added once); the second is sent as it is.
            self.assertEqual(sorted(self.delivered(local).split(b"\n")), sorted([b'{"a":1}', b'{"a":1}{"b":2}', b'{"c":3}', b""]))

    def test_an_oversize_record_is_a_usage_error(self):
        with FirehoseLocal() as local:
            local.create_stream(local.client(), "habits")
            self.sandbox.point_at(local)
            self.sandbox.write("big.bin", "x" * 2_000_000)
            run = self.sandbox.run("put-record", "--delivery-stream-name", "habits", "--data-file",
                                   os.path.join(self.sandbox.home, "big.bin"))
            self.assertEqual(run.code, 2, run)
            self.assertIn("1,024,000", run.stderr)
            self.assertEqual(self.delivered(local), b"")

    def test_create_with_wait_returns_once_the_stream_is_active(self):
        # firehose-local keeps a new stream CREATING for --create-delay seconds; without --wait
        # a put right after create meets ResourceNotFoundException, with it the put succeeds.
        with FirehoseLocal(create_delay="1.5") as local:
            self.sandbox.point_at(local)
            created = self.sandbox.run("create-delivery-stream", "--delivery-stream-name", "waited", "--bucket-arn",
                                       "arn:aws:s3:::b", "--role-arn", "arn:aws:iam::123456789012:role/r", "--wait")
            self.assertEqual(created.code, 0, created)
            described = self.sandbox.run("describe-delivery-stream", "--delivery-stream-name", "waited")
            self.assertIn('"ACTIVE"', described.stdout)
            put = self.sandbox.run("put-record", "--delivery-stream-name", "waited", "--data", "x")
            self.assertEqual(put.code, 0, put)

    def test_a_put_on_a_creating_stream_says_so(self):
        # Firehose answers ResourceNotFoundException while a stream is CREATING; every command
        # that puts says the stream exists, its state and the fix, not just "not found".
        with FirehoseLocal(create_delay="60") as local:
            self.sandbox.point_at(local)
            created = self.sandbox.run("create-delivery-stream", "--delivery-stream-name", "young", "--bucket-arn",
                                       "arn:aws:s3:::b", "--role-arn", "arn:aws:iam::123456789012:role/r")
            self.assertEqual(created.code, 0, created)
            lines = self.sandbox.write("two.ndjson", '{"a":1}\n{"b":2}\n')
            dead = os.path.join(self.sandbox.home, "dead.ndjson")
            runs = {
                "put-record": self.sandbox.run("put-record", "--delivery-stream-name", "young", "--data", "x"),
                "put-record-batch": self.sandbox.run("put-record-batch", "--delivery-stream-name", "young",
                                                     "--records-file", lines),
                "send": self.sandbox.run("send", "--delivery-stream-name", "young", "--dead-letter", dead, lines),
            }
            for command, run in runs.items():
                self.assertEqual(run.code, 4, (command, run))
                self.assertIn("stream 'young' is CREATING, not ACTIVE", run.stderr, (command, run))
                self.assertIn("create-delivery-stream --wait", run.stderr, (command, run))
            # workflow too, and the record it met the error with is dead-lettered, not dropped.
            flow = self.sandbox.run("workflow", "--delivery-stream-name", "young", "--count", "300",
                                    "--dead-letter", dead + ".workflow", "--log-format", "json")
            self.assertEqual(flow.code, 4, flow)
            self.assertIn("stream 'young' is CREATING, not ACTIVE", flow.stderr, flow)
            summary = json.loads(flow.stdout.strip().splitlines()[-1])
            self.assertEqual(summary["records"], summary["acknowledged"] + summary["dead_lettered"], summary)
            self.assertEqual(summary["dead_lettered"], 1, summary)
            with open(dead + ".workflow") as f:
                self.assertEqual(json.loads(f.readline())["error_code"], "ResourceNotFoundException")
            # A stream that does not exist at all is still just not found.
            missing = self.sandbox.run("put-record", "--delivery-stream-name", "nosuch", "--data", "x")
            self.assertEqual(missing.code, 4, missing)
            self.assertIn("ResourceNotFoundException", missing.stderr)
            self.assertNotIn("CREATING", missing.stderr)

    def test_debug_is_log_level_debug(self):
        with FirehoseLocal() as local:
            self.sandbox.point_at(local)
            quiet = self.sandbox.run("list-delivery-streams")
            loud = self.sandbox.run("--debug", "list-delivery-streams")
            self.assertEqual((quiet.code, loud.code), (0, 0), (quiet, loud))
            self.assertNotIn("debug", quiet.stderr)
            self.assertIn("debug", loud.stderr)


if __name__ == "__main__":
    unittest.main()
