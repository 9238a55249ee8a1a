"""`firehose workflow` against firehose-local and moto: the example's flow,
reconciled with the server's own counters and AWS/Firehose metrics, under
injected throttling and 500s, with its JSON log schema and progress events."""
import collections
import json
import os
import signal
import subprocess
import unittest

from harness import FIREHOSE, REGION, FirehoseLocal, MotoServer, Sandbox, read_bucket
from workflow_checks import events, load_schema, summary_of

EXIT_PARTIAL, EXIT_USAGE, EXIT_SERVICE = 1, 2, 4


def generated(count, seed):
    out = subprocess.run([FIREHOSE, "generate", "--count", str(count), "--seed", str(seed)], capture_output=True,
                         check=True)
    return out.stdout.decode().splitlines(keepends=True)


def metric_sum(local, stream, name):
    cloudwatch = local.client("cloudwatch")
    import datetime
    now = datetime.datetime.now(datetime.timezone.utc)
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/Firehose", MetricName=name, Dimensions=[{"Name": "DeliveryStreamName", "Value": stream}],
        StartTime=now - datetime.timedelta(minutes=30), EndTime=now + datetime.timedelta(minutes=2), Period=60,
        Statistics=["Sum"])["Datapoints"]
    return sum(p["Sum"] for p in points)


class WorkflowAgainstFirehoseLocal(unittest.TestCase):
    def setUp(self):
        self.sandbox = Sandbox()
        self.schema = load_schema()

    def tearDown(self):
        self.sandbox.cleanup()

    def workflow(self, *args, extra_env=None, timeout=300):
        return self.sandbox.run("workflow", "--log-format", "json", *args, extra_env=extra_env, timeout=timeout)

    def delivered(self, local):
        local.flush()
        return b"".join(data for _, data in local.objects()).decode().splitlines(keepends=True)

    def test_the_example_flow_reconciles_with_counters_and_metrics(self):
        with FirehoseLocal() as local:
            local.create_stream(local.client(), "example")
            self.sandbox.point_at(local)
            result = self.workflow("--delivery-stream-name", "example", "--count", "1234", "--seed", "5")
            self.assertEqual(result.code, 0, result)
            lines = events(self, result.stderr, self.schema)
            by_event = collections.defaultdict(list)
            for entry in lines:
                by_event[entry["event"]].append(entry)
            self.assertEqual(len(by_event["config"]), 1)
            config = by_event["config"][0]
            self.assertEqual((config["stream"], config["region"], config["endpoint"]), ("example", REGION, local.url))
            self.assertEqual((config["max_batch_records"], config["max_batch_bytes"]), (500, 4194304))
            self.assertIn("stderr", config["logs"])

            # Step 2: exactly 100 PutRecord acknowledgements, each with its RecordId.
            puts = by_event["record_put"]
            self.assertEqual(len(puts), 100)
            self.assertTrue(all(p["record_id"] and "Record ingested successfully" in p["message"] for p in puts))
            # Step 4: every answer logged; FailedPutCount totals from the answers.
            batches = by_event["batch_put"]
            self.assertEqual(sum(b["records"] for b in batches), 1134)
            self.assertTrue(all(b["records"] <= 500 and b["failed_put_count"] == 0 for b in batches))

            summary = summary_of(result)
            self.assertEqual(by_event["summary"][0]["records"], summary["records"])
            self.assertEqual((summary["records"], summary["acknowledged"], summary["failed"]), (1234, 1234, 0))
            self.assertEqual(summary["put_record"]["records"], 100)
            self.assertEqual(summary["put_record"]["requests"], 100)
            self.assertEqual(summary["put_record_batch"]["records"], 1134)
            self.assertEqual(summary["put_record_batch"]["requests"], len(batches))
            self.assertEqual(summary["put_record_batch"]["failed_put_count_total"], 0)
            sent = generated(1234, 5)
            self.assertEqual(summary["bytes"], sum(len(line) for line in sent))

            # The server saw the same: 100 PutRecord calls, the rest in PutRecordBatch.
            counters = local.counters()
            self.assertEqual(counters["put_requests"], 100 + len(batches))
            self.assertEqual(counters["records_acknowledged"], 1234)
            self.assertEqual(metric_sum(local, "example", "PutRecord.Requests"), 100)
            self.assertEqual(metric_sum(local, "example", "PutRecordBatch.Records"), 1134)
            self.assertEqual(metric_sum(local, "example", "PutRecordBatch.Requests"), len(batches))

            # Metrics read back from CloudWatch: after step 2 the 100 records, at the end all of them.
            metrics = by_event["metrics"]
            self.assertEqual(len(metrics), 2)
            self.assertEqual(metrics[0]["incoming_records"], 100)
            self.assertEqual(metrics[0]["incoming_put_requests"], 100)
            self.assertEqual(metrics[1]["incoming_records"], 1234)
            self.assertEqual(metrics[1]["incoming_bytes"], summary["bytes"])
            self.assertEqual(metrics[1]["incoming_put_requests"], counters["put_requests"])
            self.assertEqual(summary["metrics_after_put_record_batch"]["incoming_records"], 1234)

            # Delivered: exactly the generated records, in some order.
            self.assertEqual(collections.Counter(self.delivered(local)), collections.Counter(sent))

    def test_throttling_and_500s_are_retried_and_logged_nothing_lost(self):
        faults = ["--fail-records", "0.25", "--fail-requests", "0.15", "--fail-requests-status", "mix"]
        with FirehoseLocal(*faults, seed=11) as local:
            local.create_stream(local.client(), "faulty")
            self.sandbox.point_at(local)
            dlq = os.path.join(self.sandbox.home, "dead.ndjson")
            result = self.workflow("--delivery-stream-name", "faulty", "--count", "1500", "--single-records", "30",
                                   "--dead-letter", dlq, extra_env={"FIREHOSE_MAX_ATTEMPTS": "40"}, timeout=600)
            self.assertEqual(result.code, 0, result)
            lines = events(self, result.stderr, self.schema)
            retries = [e for e in lines if e["event"] == "retry"]
            self.assertGreater(len(retries), 0)
            for retry in retries:
                self.assertIn("Operation failed, retrying in", retry["message"])
                self.assertIn(retry["error_code"], ("ServiceUnavailableException", "InternalFailure"))
                self.assertEqual(retry["max_attempts"], 40)
            self.assertTrue(any(r["throttled"] for r in retries))
            batches = [e for e in lines if e["event"] == "batch_put"]
            failed_answers = [b for b in batches if b.get("failed_put_count", 0) > 0]
            # The injected 500s and 503s got no answer: no FailedPutCount, their error code instead.
            failed_calls = [b for b in batches if "error_code" in b]
            self.assertGreater(len(failed_calls), 0)
            self.assertTrue(all("failed_put_count" not in b for b in failed_calls))
            self.assertTrue(all(b["error_code"] in ("InternalFailure", "ServiceUnavailableException")
                                for b in failed_calls), failed_calls)
            self.assertGreater(len(failed_answers), 0)
            self.assertTrue(any("ServiceUnavailableException" in b["error_codes"] for b in failed_answers))
            self.assertTrue(any(e["event"] == "throttled" for e in lines))

            summary = summary_of(result)
            self.assertEqual((summary["acknowledged"], summary["failed"], summary["dead_lettered"]), (1500, 0, 0))
            self.assertEqual(summary["put_record_batch"]["failed_put_count_total"],
                             sum(b.get("failed_put_count", 0) for b in batches))
            self.assertEqual(summary["put_record_batch"]["failed_calls"], len(failed_calls))
            self.assertGreater(summary["retries"], 0)
            self.assertGreater(summary["throttled"], 0)
            counters = local.counters()
            self.assertEqual(counters["records_acknowledged"], 1500)
            self.assertGreater(counters["records_failed_injected"], 0)
            self.assertGreater(counters["requests_failed_500"] + counters["requests_failed_503"], 0)
            self.assertEqual(collections.Counter(self.delivered(local)), collections.Counter(generated(1500, 2550)))

    def test_progress_events_off_a_terminal(self):
        # Each call waits 300 ms and one goes at a time: the run outlasts several 1 s intervals.
        with FirehoseLocal("--latency-ms", "300") as local:
            local.create_stream(local.client(), "slow")
            self.sandbox.point_at(local)
            result = self.workflow("--delivery-stream-name", "slow", "--count", "2000", "--single-records", "3",
                                   "--max-batch-records", "200", "--max-in-flight", "1", "--progress-interval", "1s")
            self.assertEqual(result.code, 0, result)
            progress = [e for e in events(self, result.stderr, self.schema) if e["event"] == "progress"]
            self.assertGreater(len(progress), 0)
            self.assertTrue(all(p["total"] == 2000 for p in progress))
            done = [p["records"] for p in progress]
            self.assertEqual(done, sorted(done))
            self.assertNotIn("\x1b", result.stderr)

    def test_metrics_wait_polls_until_the_numbers_are_in(self):
        # firehose-local hides each metric sample for 3 s, like CloudWatch's lag.
        with FirehoseLocal("--metrics-delay", "3") as local:
            local.create_stream(local.client(), "lagging")
            self.sandbox.point_at(local)
            result = self.workflow("--delivery-stream-name", "lagging", "--count", "300", "--single-records", "10")
            self.assertEqual(result.code, 0, result)
            metrics = [e for e in events(self, result.stderr, self.schema) if e["event"] == "metrics"]
            self.assertEqual(len(metrics), 2)
            self.assertFalse(metrics[0]["available"])
            self.assertIn("not in yet", metrics[0]["message"])
            self.assertEqual(metrics[0]["look_later"],
                             "firehose metrics --delivery-stream-name lagging --since 15m")
            self.assertNotIn("incoming_records", metrics[0])  # no placeholder numbers

            local.create_stream(local.client(), "waited")
            result = self.workflow("--delivery-stream-name", "waited", "--count", "300", "--single-records", "10",
                                   "--metrics-wait", "60s")
            self.assertEqual(result.code, 0, result)
            metrics = [e for e in events(self, result.stderr, self.schema) if e["event"] == "metrics"]
            for entry, records in zip(metrics, (10, 300)):
                self.assertTrue(entry["available"] and entry["complete"], entry)
                self.assertEqual(entry["incoming_records"], records)

    def test_records_that_keep_failing_are_dead_lettered_exit_1(self):
        with FirehoseLocal("--fail-records", "1.0", "--fail-records-code", "InternalFailure") as local:
            local.create_stream(local.client(), "failing")
            self.sandbox.point_at(local)
            dlq = os.path.join(self.sandbox.home, "dead.ndjson")
            result = self.workflow("--delivery-stream-name", "failing", "--count", "40", "--single-records", "3",
                                   "--linger-ms", "10", extra_env={"FIREHOSE_MAX_ATTEMPTS": "2",
                                                                   "FIREHOSE_DEAD_LETTER": dlq})
            self.assertEqual(result.code, EXIT_PARTIAL, result)
            summary = summary_of(result)
            self.assertEqual((summary["acknowledged"], summary["failed"], summary["dead_lettered"]), (0, 40, 40))
            self.assertEqual(summary["put_record"]["failed"], 3)
            lines = events(self, result.stderr, self.schema)
            self.assertEqual(len([e for e in lines if e["event"] == "dead_lettered"]), 40)
            with open(dlq) as f:
                entries = [json.loads(line) for line in f]
            self.assertEqual(len(entries), 40)
            self.assertTrue(all(e["error_code"] == "InternalFailure" and e["attempts"] == 2 for e in entries))
            self.assertEqual(oct(os.stat(dlq).st_mode & 0o777), "0o600")

    def interrupt_after_answers(self, answers, *args):
        """`workflow --log-format json ARGS`, SIGINT once `answers` batch_put events were logged:
        (its summary, its stderr), after checking the exit code."""
        process = subprocess.Popen([FIREHOSE, "workflow", "--log-format", "json", *args], env=self.sandbox.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        stderr_lines, seen = [], 0
        for line in process.stderr:
            stderr_lines.append(line)
            seen += '"event":"batch_put"' in line
            if seen == answers:
                process.send_signal(signal.SIGINT)
                break
        rest_out, rest_err = process.communicate(timeout=120)
        stderr = "".join(stderr_lines) + rest_err
        self.assertEqual(process.returncode, 128 + signal.SIGINT, stderr[-2000:])
        return json.loads(rest_out.strip().splitlines()[-1]), stderr

    def test_ctrl_c_drains_and_accounts_for_every_record_read(self):
        # Slow calls, one at a time: the run is still sending when the signal comes.
        with FirehoseLocal("--latency-ms", "300") as local:
            local.create_stream(local.client(), "stopped")
            self.sandbox.point_at(local)
            dlq = os.path.join(self.sandbox.home, "dead.ndjson")
            summary, stderr = self.interrupt_after_answers(
                1, "--delivery-stream-name", "stopped", "--count", "100000", "--single-records", "2",
                "--max-batch-records", "100", "--max-in-flight", "1", "--shutdown-grace", "1", "--dead-letter", dlq)
            self.assertLess(summary["records"], 100000)  # reading stopped
            self.assertEqual(summary["acknowledged"] + summary["failed"], summary["records"])
            self.assertGreater(summary["acknowledged"], 0)
            self.assertIn("interrupted", stderr)

    def test_a_graceful_stop_sends_every_record_already_read(self):
        # One call at a time and a fast server: the reader waits in put() for memory most of the
        # time, holding a record it read. Ctrl-C closed the producer's intake at once, and that
        # record was dead-lettered as Shutdown, unsent (attempts 0), at every stop.
        with FirehoseLocal() as local:
            local.create_stream(local.client(), "drained")
            self.sandbox.point_at(local)
            dlq = os.path.join(self.sandbox.home, "dead.ndjson")
            summary, _ = self.interrupt_after_answers(
                5, "--delivery-stream-name", "drained", "--count", "200000", "--single-records", "0",
                "--max-in-flight", "1", "--dead-letter", dlq)
            self.assertLess(summary["records"], 200000)  # reading stopped
            self.assertEqual((summary["acknowledged"], summary["failed"], summary["dead_lettered"]),
                             (summary["records"], 0, 0), summary)
            self.assertFalse(os.path.exists(dlq) and os.path.getsize(dlq) > 0, "dead letters written")

    def test_no_secret_in_any_line(self):
        secret = "wJalrXUtnFEMI-very-secret-KEY-for-this-test"
        with FirehoseLocal(credentials=[("AKIDWORKFLOWTEST", secret)]) as local:
            local.create_stream(local.client(), "signed")
            self.sandbox.point_at(local)
            result = self.workflow("--delivery-stream-name", "signed", "--count", "300", "--log-level", "trace")
            self.assertEqual(result.code, 0, result)
            events(self, result.stderr, self.schema)
            self.assertNotIn(secret, result.stderr + result.stdout)
            self.assertNotIn("Signature=", result.stderr)

    def test_a_missing_stream_stops_at_once_with_one_error_line(self):
        with FirehoseLocal() as local:
            self.sandbox.point_at(local)
            result = self.workflow("--delivery-stream-name", "nope", "--count", "10")
            self.assertEqual(result.code, EXIT_SERVICE, result)
            errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
            self.assertEqual(len(errors), 1, result)
            self.assertIn("ResourceNotFoundException", errors[0])

    def test_counts_and_seeds_are_decimal_numbers_in_range(self):
        # As generate's: 0x10 was read as 16, 016 as 14, and values past 2^64 were taken.
        for args, limit in ((["--count", "0x10"], "1000000000000"), (["--count", "-1"], "1000000000000"),
                            (["--seed", "18446744073709551616"], "18446744073709551615"),
                            (["--single-records", "1e3"], "1000000000000")):
            result = self.workflow("--delivery-stream-name", "never-created", *args)
            self.assertEqual(result.code, 2, (args, result))
            self.assertIn(f"error: {args[0]}: Value {args[1]} is not a decimal whole number from 0 to {limit}",
                          result.stderr)

    def test_records_from_a_file_and_bad_input(self):
        with FirehoseLocal() as local:
            local.create_stream(local.client(), "filed")
            self.sandbox.point_at(local)
            lines = [json.dumps({"n": i}) + "\n" for i in range(40)]
            path = self.sandbox.write("in.ndjson", "".join(lines))
            result = self.workflow("--delivery-stream-name", "filed", "--records", path, "--single-records", "10")
            self.assertEqual(result.code, 0, result)
            summary = summary_of(result)
            self.assertEqual((summary["put_record"]["records"], summary["put_record_batch"]["records"]), (10, 30))
            self.assertEqual(collections.Counter(self.delivered(local)), collections.Counter(lines))
        for args, needle in ((["--records", "/nonexistent.ndjson"], "/nonexistent.ndjson"),
                             (["--metrics-wait", "soon"], "--metrics-wait"),
                             (["--records", "x", "--count", "3"], "excludes")):
            result = self.workflow("--delivery-stream-name", "s", "--region", REGION, *args)
            self.assertEqual(result.code, EXIT_USAGE, (args, result))
            self.assertIn(needle, result.stderr)


class WorkflowAgainstMoto(unittest.TestCase):
    def test_moto_has_no_firehose_metrics_the_run_says_so(self):
        sandbox = Sandbox()
        try:
            with MotoServer(enforce_auth=True) as moto:
                moto.client("s3").create_bucket(Bucket="moto-bucket")
                moto.client("firehose").create_delivery_stream(
                    DeliveryStreamName="moto-stream", DeliveryStreamType="DirectPut",
                    ExtendedS3DestinationConfiguration={"RoleARN": "arn:aws:iam::123456789012:role/x",
                                                        "BucketARN": "arn:aws:s3:::moto-bucket"})
                sandbox.with_keys(moto)
                sandbox.env["AWS_ENDPOINT_URL"] = moto.url
                result = sandbox.run("workflow", "--log-format", "json", "--delivery-stream-name", "moto-stream",
                                     "--count", "620", "--single-records", "20")
                self.assertEqual(result.code, 0, result)
                lines = events(self, result.stderr)
                metrics = [e for e in lines if e["event"] == "metrics"]
                self.assertEqual(len(metrics), 2)
                for entry in metrics:
                    self.assertFalse(entry["available"])
                    self.assertIn("firehose metrics --delivery-stream-name moto-stream", entry["look_later"])
                    self.assertIn("not in yet", entry["message"])
                summary = summary_of(result)
                self.assertEqual((summary["acknowledged"], summary["put_record"]["records"]), (620, 20))
                self.assertEqual(summary["metrics_after_put_record_batch"], {"available": False})
                _, data = read_bucket(moto.client("s3"), "moto-bucket")
                self.assertEqual(collections.Counter(data.decode().splitlines(keepends=True)),
                                 collections.Counter(generated(620, 2550)))
        finally:
            sandbox.cleanup()


if __name__ == "__main__":
    unittest.main()
