"""`firehose metrics` against firehose-local, which records the AWS/Firehose
metrics of every put and serves CloudWatch's GetMetricData on the same port:
the totals the command reports are the records and bytes that were sent, and
its ThrottledRecords is firehose-local's own count of throttled records."""
import json
import signal
import subprocess
import unittest

from harness import FIREHOSE, REGION, FirehoseLocal, Sandbox

EXIT_PARTIAL, EXIT_USAGE, EXIT_NO_DATA = 1, 2, 6
DEFAULT_BYTES_LIMIT = 5242880  # firehose-local's --quota-bytes default


class MetricsAgainstFirehoseLocal(unittest.TestCase):
    def setUp(self):
        self.sandbox = Sandbox()

    def tearDown(self):
        self.sandbox.cleanup()

    def put_lines(self, stream, count, name="records.ndjson"):
        """Sends `count` lines of different lengths with put-record-batch; returns
        the number of records and of bytes (each record is its line and its \\n)."""
        lines = [json.dumps({"n": i, "pad": "x" * (i % 97)}) for i in range(count)]
        path = self.sandbox.write(name, "\n".join(lines) + "\n")
        result = self.sandbox.run("put-record-batch", "--delivery-stream-name", stream, "--records-file", path)
        return result, count, sum(len(line.encode()) + 1 for line in lines)

    def metrics_json(self, stream, *extra):
        result = self.sandbox.run("metrics", "--delivery-stream-name", stream, "--output", "json",
                                  "--wait-for-data", "30s", *extra)
        self.assertEqual(result.code, 0, result)
        return result.json()

    def test_reports_exactly_the_records_and_bytes_sent(self):
        with FirehoseLocal() as local:
            local.create_stream(local.client(), "counted")
            self.sandbox.point_at(local)
            sent, records, size = self.put_lines("counted", 1234)
            self.assertEqual(sent.code, 0, sent)

            doc = self.metrics_json("counted")
            self.assertEqual(doc["delivery_stream_name"], "counted")
            self.assertTrue(doc["has_data"])
            self.assertEqual(doc["period_seconds"], 60)
            found = doc["metrics"]
            self.assertEqual(found["IncomingRecords"]["total"], records)
            self.assertEqual(found["IncomingBytes"]["total"], size)
            self.assertAlmostEqual(found["IncomingBytes"]["total_mib"], size / 1048576)
            self.assertEqual(found["IncomingPutRequests"]["total"], local.counters()["put_requests"])
            self.assertEqual(found["ThrottledRecords"]["total"], 0)
            self.assertEqual(len(found["IncomingRecords"]["timestamps"]), len(found["IncomingRecords"]["values"]))
            latency = found["PutRecordBatch.Latency"]
            self.assertGreater(len(latency["timestamps"]), 0)
            self.assertIsNotNone(latency["window_maximum"])

            # The byte limit is firehose-local's default quota; the use is the busiest
            # minute's bytes per second as a share of it.
            limit = found["BytesPerSecondLimit"]
            self.assertEqual(limit["limit"], DEFAULT_BYTES_LIMIT)
            self.assertEqual(limit["rate_metric"], "IncomingBytes")
            busiest = max(found["IncomingBytes"]["values"])
            self.assertAlmostEqual(limit["use_percent"], busiest / 60 / DEFAULT_BYTES_LIMIT * 100)

    def test_waits_through_the_publishing_delay(self):
        # Samples stay invisible for 3 s, as CloudWatch's are for minutes: the first
        # poll finds nothing, says why it waits, and a later one finds everything.
        with FirehoseLocal("--metrics-delay", "3") as local:
            local.create_stream(local.client(), "delayed")
            self.sandbox.point_at(local)
            sent, records, size = self.put_lines("delayed", 42)
            self.assertEqual(sent.code, 0, sent)
            result = self.sandbox.run("metrics", "--delivery-stream-name", "delayed", "--output", "json",
                                      "--wait-for-data", "30s")
            self.assertEqual(result.code, 0, result)
            self.assertIn("a few minutes late", result.stderr)
            found = result.json()["metrics"]
            self.assertEqual(found["IncomingRecords"]["total"], records)
            self.assertEqual(found["IncomingBytes"]["total"], size)

    def test_throttled_records_match_firehose_locals_count(self):
        # 100 records per second: a batch of 500 gets 100 in and 400 throttled,
        # and put-record-batch's retries meet the quota again.
        with FirehoseLocal("--quota-records", "100") as local:
            local.create_stream(local.client(), "throttled")
            self.sandbox.point_at(local)
            sent, _, _ = self.put_lines("throttled", 500)
            self.assertIn(sent.code, (0, EXIT_PARTIAL), sent)
            counters = local.counters()
            self.assertGreater(counters["records_throttled"], 0)

            found = self.metrics_json("throttled")["metrics"]
            self.assertEqual(found["ThrottledRecords"]["total"], counters["records_throttled"])
            self.assertEqual(found["IncomingRecords"]["total"], counters["records_stored"])
            self.assertEqual(found["RecordsPerSecondLimit"]["limit"], 100)
            busiest = max(found["IncomingRecords"]["values"])
            self.assertAlmostEqual(found["RecordsPerSecondLimit"]["use_percent"], busiest / 60 / 100 * 100)

    def test_text_off_a_terminal_is_a_table_with_the_totals(self):
        with FirehoseLocal() as local:
            local.create_stream(local.client(), "tabled")
            self.sandbox.point_at(local)
            sent, records, size = self.put_lines("tabled", 321)
            self.assertEqual(sent.code, 0, sent)
            # stdout is a pipe here: the plain-text table, no chart characters, no escapes.
            result = self.sandbox.run("metrics", "--delivery-stream-name", "tabled", "--wait-for-data", "30s")
            self.assertEqual(result.code, 0, result)
            self.assertNotIn("\x1b", result.stdout)
            self.assertNotIn("█", result.stdout)
            rows = {}
            for line in result.stdout.splitlines()[2:]:
                cells = line.split("  ")
                cells = [c.strip() for c in cells if c.strip()]
                rows[cells[0]] = cells[1:]
            self.assertEqual(rows["IncomingRecords"][0], str(records))
            self.assertEqual(rows["IncomingBytes"][0], str(size))
            self.assertEqual(rows["ThrottledRecords"][0], "0")
            self.assertTrue(result.stdout.startswith("delivery stream tabled: "), result.stdout)

    def test_watch_off_a_terminal_prints_one_document_per_refresh(self):
        with FirehoseLocal() as local:
            local.create_stream(local.client(), "watched")
            self.sandbox.point_at(local)
            sent, records, _ = self.put_lines("watched", 10)
            self.assertEqual(sent.code, 0, sent)
            process = subprocess.Popen([FIREHOSE, "metrics", "--delivery-stream-name", "watched", "--output", "json",
                                        "--watch", "1s"], env=self.sandbox.env, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE)
            try:
                documents = [json.loads(process.stdout.readline()) for _ in range(2)]
            finally:
                process.send_signal(signal.SIGINT)
                _, stderr = process.communicate(timeout=30)
            self.assertEqual(process.returncode, 0, stderr.decode())
            for doc in documents:
                self.assertEqual(doc["metrics"]["IncomingRecords"]["total"], records)

    def test_no_data_within_the_wait_is_one_clear_error(self):
        with FirehoseLocal() as local:
            local.create_stream(local.client(), "quiet")
            self.sandbox.point_at(local)
            result = self.sandbox.run("metrics", "--delivery-stream-name", "quiet", "--output", "json",
                                      "--wait-for-data", "2s")
            self.assertEqual(result.code, EXIT_NO_DATA, result)
            self.assertEqual(result.stdout, "")
            self.assertIn("a few minutes late", result.stderr)  # said while waiting
            errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
            self.assertEqual(len(errors), 1, result)
            self.assertIn("no datapoints for delivery stream quiet", errors[0])

    def test_a_stream_that_does_not_exist_is_an_error(self):
        with FirehoseLocal() as local:
            local.create_stream(local.client(), "events")
            self.sandbox.point_at(local)
            result = self.sandbox.run("metrics", "--delivery-stream-name", "evnets")
            self.assertEqual(result.code, 4, result)
            self.assertEqual(result.stdout, "")
            self.assertIn("ResourceNotFoundException", result.stderr)

    def test_an_invalid_stream_name_is_refused_as_put_record_refuses_it(self):
        # It was a warning, an empty table and exit 0.
        with FirehoseLocal() as local:
            self.sandbox.point_at(local)
            for name in ("bad name", "x" * 65):
                result = self.sandbox.run("metrics", "--delivery-stream-name", name)
                put = self.sandbox.run("put-record", "--delivery-stream-name", name, "--data", "x")
                self.assertEqual((result.code, put.code), (4, 4), result)
                self.assertEqual(result.stdout, "")
                self.assertEqual(result.stderr.splitlines(), put.stderr.splitlines(), result)
                self.assertTrue(result.stderr.startswith("error: ValidationException: "), result)

    def test_a_zero_wait_looks_once(self):
        with FirehoseLocal() as local:
            local.create_stream(local.client(), "quiet0")
            self.sandbox.point_at(local)
            result = self.sandbox.run("metrics", "--delivery-stream-name", "quiet0", "--wait-for-data", "0s")
            self.assertEqual(result.code, EXIT_NO_DATA, result)
            self.assertIn("no datapoints for delivery stream quiet0", result.stderr)

    def test_period_must_be_whole_minutes(self):
        result = self.sandbox.run("metrics", "--delivery-stream-name", "any", "--period", "90", "--region", REGION)
        self.assertEqual(result.code, EXIT_USAGE, result)
        self.assertIn("multiple of 60", result.stderr)


if __name__ == "__main__":
    unittest.main()
