"""`firehose send` (the producer) against firehose-local with injected faults:
every record is acknowledged exactly once or dead-lettered, reconciled with
the delivered objects and firehose-local's own fault counts."""
import base64
import collections
import json
import os
import signal
import subprocess
import time
import unittest

from harness import FIREHOSE, REGION, FirehoseLocal, Sandbox, help_examples

EXIT_PARTIAL, EXIT_SERVICE = 1, 4


class SendAgainstFirehoseLocal(unittest.TestCase):
    def setUp(self):
        self.sandbox = Sandbox()

    def tearDown(self):
        self.sandbox.cleanup()

    def write_lines(self, count, name="input.ndjson"):
        lines = [json.dumps({"n": i, "ip_address": f"10.0.{i % 256}.{i // 256 % 256}", "pad": "x" * (i % 300)})
                 for i in range(count)]
        path = self.sandbox.write(name, "\n".join(lines) + "\n")
        return path, [line + "\n" for line in lines]

    @staticmethod
    def summary(result):
        return json.loads(result.stdout.strip().splitlines()[-1])

    def test_faults_every_record_acknowledged_once_duplicates_only_from_lost_answers(self):
        # InternalFailure and 500s: rate-independent faults (an injected "Slow down." would
        # rightly make the producer slow down, and this test is about correctness).
        faults = ["--fail-records", "0.3", "--fail-records-code", "InternalFailure",
                  "--fail-requests", "0.1", "--fail-requests-status", "500", "--reset-before", "0.05",
                  "--reset-after", "0.05", "--latency-ms", "2:3"]
        with FirehoseLocal(*faults, seed=7) as local:
            firehose = local.client()
            local.create_stream(firehose, "faulty", prefix="faulty/")
            self.sandbox.point_at(local)
            path, sent = self.write_lines(20_000)
            dlq = os.path.join(self.sandbox.home, "dead.ndjson")
            result = self.sandbox.run("send", "--delivery-stream-name", "faulty", "--max-attempts", "30",
                                      "--linger-ms", "20", "--dead-letter", dlq, path, timeout=600)
            self.assertEqual(result.code, 0, result)
            summary = self.summary(result)
            self.assertEqual(summary["records"], len(sent))
            self.assertEqual(summary["acknowledged"], len(sent))
            self.assertEqual(summary["failed"], 0)
            self.assertEqual(summary["dead_lettered"], 0)
            self.assertGreater(summary["retries"], 0)
            self.assertFalse(os.path.exists(dlq) and os.path.getsize(dlq) > 0)

            local.flush()
            counters = local.counters()
            delivered = b"".join(data for _, data in local.objects()).decode().splitlines(keepends=True)
            copies = collections.Counter(delivered)
            self.assertEqual(set(copies), set(sent), "every line delivered, nothing foreign")
            extra = sum(n - 1 for n in copies.values())
            # A record stored but answered with a reset is sent again: the only source of duplicates.
            self.assertEqual(extra, counters["records_stored_unacknowledged"])
            self.assertGreater(counters["resets_after"], 0)
            self.assertGreater(counters["records_failed_injected"], 0)
            self.assertGreater(counters["requests_failed_500"] + counters["requests_failed_503"], 0)
            # Each acknowledgement the client saw is one the server gave.
            self.assertEqual(counters["records_acknowledged"], summary["acknowledged"])
            # The producer counted every record whose answer it never got.
            self.assertGreaterEqual(summary["possible_duplicates"], extra)

    def test_records_that_keep_failing_go_to_the_dead_letter_file(self):
        with FirehoseLocal("--fail-records", "1.0") as local:
            firehose = local.client()
            local.create_stream(firehose, "failing")
            self.sandbox.point_at(local)
            path, sent = self.write_lines(300)
            dlq = os.path.join(self.sandbox.home, "dead.ndjson")
            result = self.sandbox.run("send", "--delivery-stream-name", "failing", "--max-attempts", "2",
                                      "--dead-letter", dlq, path)
            self.assertEqual(result.code, EXIT_PARTIAL, result)
            summary = self.summary(result)
            self.assertEqual(summary["dead_lettered"], len(sent))
            self.assertEqual(summary["acknowledged"], 0)
            self.assertEqual(oct(os.stat(dlq).st_mode & 0o777), "0o600")
            with open(dlq) as f:
                entries = [json.loads(line) for line in f]
            self.assertEqual(sorted(base64.b64decode(e["data"]).decode() for e in entries), sorted(sent))
            self.assertTrue(all(e["attempts"] == 2 for e in entries))
            self.assertTrue(all(e["error_code"] in ("ServiceUnavailableException", "InternalFailure")
                                for e in entries))

            # Once the failures stop, the dead-letter file is sent again as it is.
            local.settings(fail_records=0)
            again = self.sandbox.run("send", "--delivery-stream-name", "failing", "--from-dead-letter", dlq)
            self.assertEqual(again.code, 0, again)
            self.assertEqual(self.summary(again)["acknowledged"], len(sent))
            local.flush()
            delivered = b"".join(data for _, data in local.objects()).decode().splitlines(keepends=True)
            self.assertEqual(sorted(delivered), sorted(sent))

    def test_interrupt_under_load_loses_nothing(self):
        # Every call stalls 2 s: after Ctrl-C and a short grace, what is unsent and
        # what is still in flight (abandoned: a server that never answers must not
        # hold the shutdown) is dead-lettered as Shutdown.
        with FirehoseLocal("--stall-rate", "1.0", "--stall-seconds", "2") as local:
            firehose = local.client()
            local.create_stream(firehose, "interrupted")
            self.sandbox.point_at(local)
            path, sent = self.write_lines(20_000)
            dlq = os.path.join(self.sandbox.home, "dead.ndjson")
            process = subprocess.Popen([FIREHOSE, "send", "--delivery-stream-name", "interrupted",
                                        "--max-in-flight", "2", "--shutdown-grace", "0.2",
                                        "--dead-letter", dlq, path],
                                       env=self.sandbox.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(1.0)
            process.send_signal(signal.SIGINT)
            stdout, stderr = process.communicate(timeout=60)
            self.assertEqual(process.returncode, 130, stderr.decode())
            summary = json.loads(stdout.decode().strip().splitlines()[-1])
            self.assertEqual(summary["acknowledged"] + summary["dead_lettered"], summary["records"])
            self.assertGreater(summary["dead_lettered"], 0)
            with open(dlq) as f:
                entries = [json.loads(line) for line in f]
            self.assertEqual(len(entries), summary["dead_lettered"])
            self.assertTrue(all(e["error_code"] == "Shutdown" for e in entries))
            local.flush()
            delivered = b"".join(data for _, data in local.objects()).decode().splitlines(keepends=True)
            dead = [base64.b64decode(e["data"]).decode() for e in entries]
            # Each record read is delivered or dead-lettered, never lost; both only when
            # its request was abandoned in flight (marked a possible duplicate).
            in_doubt = {base64.b64decode(e["data"]).decode() for e in entries if e["possible_duplicate"]}
            both = set(delivered) & set(dead)
            self.assertLessEqual(both, in_doubt)
            self.assertEqual(len(delivered) - len(both), summary["acknowledged"])
            self.assertEqual(set(delivered) | set(dead), set(sent[:summary["records"]]))

    def test_missing_stream_is_one_clear_error(self):
        with FirehoseLocal() as local:
            self.sandbox.point_at(local)
            path, _ = self.write_lines(5000)
            result = self.sandbox.run("send", "--delivery-stream-name", "no-such-stream", path)
            self.assertEqual(result.code, EXIT_SERVICE, result)
            errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
            self.assertEqual(len(errors), 1, result)
            self.assertIn("ResourceNotFoundException", errors[0])
            # Said once: not also in a log line of the producer's own.
            mentions = [line for line in result.stderr.splitlines() if "ResourceNotFoundException" in line]
            self.assertEqual(len(mentions), 1, result)
            self.assertLessEqual(local.counters()["requests_invalid"], 32)

    def test_the_examples_of_its_help_run_as_written(self):
        # `send --help` shows examples: the first (a file) and the third (a dead-letter file sent
        # again), with this test's files in place of their names, run against firehose-local.
        help_text = self.sandbox.run("send", "--help")
        self.assertEqual(help_text.code, 0, help_text)
        self.assertEqual(help_text.stdout.count("Exit codes:"), 1, help_text.stdout)
        with FirehoseLocal() as local:
            self.sandbox.point_at(local)
            local.create_stream(local.client(), "events")
            path, lines = self.write_lines(300)
            dead = os.path.join(self.sandbox.home, "failed.ndjson")
            first, _, again = help_examples(help_text.stdout, {"events-*.ndjson": path, "failed.ndjson": dead})
            result = self.sandbox.run(*first)
            self.assertEqual(result.code, 0, result)
            self.assertEqual(self.summary(result)["acknowledged"], len(lines))
            # A dead-letter file of one record, as a run that gave up on it would have written.
            record = {"stream": "events", "data": base64.b64encode(lines[0].encode()).decode(),
                      "error_code": "ServiceUnavailableException", "error_message": "Slow down.", "attempts": 10,
                      "first_attempt": None, "last_attempt": None, "possible_duplicate": False}
            with open(dead, "w") as f:
                f.write(json.dumps(record) + "\n")
            result = self.sandbox.run(*again)
            self.assertEqual(result.code, 0, result)
            self.assertEqual(self.summary(result)["acknowledged"], 1)

    def test_put_record_logs_each_retry(self):
        with FirehoseLocal("--fail-requests", "1.0") as local:
            firehose = local.client()
            local.create_stream(firehose, "retried")
            self.sandbox.point_at(local)
            result = self.sandbox.run("put-record", "--delivery-stream-name", "retried", "--data", "x",
                                      "--max-attempts", "3", extra_env={"AWS_RETRY_MODE": "standard"})
            self.assertEqual(result.code, EXIT_SERVICE, result)
            retries = [line for line in result.stderr.splitlines() if "retrying in" in line]
            self.assertEqual(len(retries), 2, result)
            self.assertRegex(retries[0], r"attempt 1/3 failed with (InternalFailure|ServiceUnavailableException)")
            self.assertRegex(result.stderr.splitlines()[-1], r"^error: (InternalFailure|ServiceUnavailableException)")


if __name__ == "__main__":
    unittest.main()
