"""`firehose send --publish-metrics` against moto (Firehose, S3 and CloudWatch,
SigV4 signatures enforced): the producer's PutMetricData is read back with
boto3's GetMetricStatistics, and a CloudWatch that cannot be reached changes
neither what is sent nor the exit code."""
import datetime
import json
import os
import subprocess
import time
import unittest

from harness import FIREHOSE, MotoServer, Sandbox, free_port, read_bucket

BUCKET = "metrics-delivery"
NAMESPACE = "MyApp/Producer"


class PublishMetricsAgainstMoto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer(enforce_auth=True).__enter__()
        cls.s3 = cls.moto.client("s3")
        cls.s3.create_bucket(Bucket=BUCKET)
        cls.role_arn = cls.moto.create_role("metrics-delivery-role")
        cls.cloudwatch = cls.moto.client("cloudwatch")

    @classmethod
    def tearDownClass(cls):
        cls.moto.__exit__(None, None, None)

    def setUp(self):
        self.sandbox = Sandbox().with_keys(self.moto)
        self.sandbox.env["AWS_ENDPOINT_URL"] = self.moto.url  # Firehose and CloudWatch alike

    def tearDown(self):
        self.sandbox.cleanup()

    def create_stream(self, name):
        result = self.sandbox.run("create-delivery-stream", "--delivery-stream-name", name,
                                  "--bucket-arn", f"arn:aws:s3:::{BUCKET}", "--role-arn", self.role_arn,
                                  "--prefix", f"{name}/")
        self.assertEqual(result.code, 0, result)

    def statistic(self, stream, metric, statistic):
        """The statistic summed over every period of the last and next ten minutes."""
        now = datetime.datetime.now(datetime.timezone.utc)
        answer = self.cloudwatch.get_metric_statistics(
            Namespace=NAMESPACE, MetricName=metric,
            Dimensions=[{"Name": "DeliveryStreamName", "Value": stream}],
            StartTime=now - datetime.timedelta(minutes=10), EndTime=now + datetime.timedelta(minutes=10),
            Period=60, Statistics=[statistic])
        return sum(point[statistic] for point in answer["Datapoints"])

    @staticmethod
    def lines(count, tag):
        return [json.dumps({"n": i, "tag": tag}) + "\n" for i in range(count)]

    def test_published_metrics_read_back_with_get_metric_statistics(self):
        self.create_stream("published")
        sent = self.lines(1234, "published")
        result = self.sandbox.run("send", "--delivery-stream-name", "published", "--publish-metrics", NAMESPACE,
                                  input_bytes="".join(sent).encode())
        self.assertEqual(result.code, 0, result)
        summary = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(summary["acknowledged"], len(sent))
        # A run far shorter than the 60 s interval: the publish at close counted it.
        self.assertEqual(self.statistic("published", "RecordsAcknowledged", "Sum"), len(sent))
        self.assertEqual(self.statistic("published", "RecordsPut", "Sum"), len(sent))
        self.assertEqual(self.statistic("published", "RecordsFailed", "Sum"), 0)
        self.assertEqual(self.statistic("published", "BytesAcknowledged", "Sum"), summary["bytes"])
        self.assertGreater(self.statistic("published", "RecordLatency", "SampleCount"), 0)
        self.assertGreater(self.statistic("published", "RequestLatency", "SampleCount"), 0)
        # No warning about publishing (the one about running without --dead-letter is expected).
        publish_warnings = [line for line in result.stderr.splitlines()
                            if "warn" in line and "--dead-letter" not in line]
        self.assertEqual(publish_warnings, [], result)
        # What CloudWatch counted was sent: moto delivered every line.
        keys, data = read_bucket(self.s3, BUCKET)
        delivered = [line for line in data.decode().splitlines(keepends=True) if '"published"' in line]
        self.assertEqual(sorted(delivered), sorted(sent))

    def test_reserved_namespace_is_a_usage_error(self):
        result = self.sandbox.run("send", "--delivery-stream-name", "never", "--publish-metrics", "AWS/Firehose",
                                  input_bytes=b"x\n")
        self.assertEqual(result.code, 2, result)
        self.assertIn("metrics_namespace", result.stderr)

    def test_unreachable_cloudwatch_changes_neither_sending_nor_the_exit_code(self):
        self.create_stream("unwatched")
        sent = self.lines(500, "unwatched")
        closed_port = free_port()  # bound, released: nothing listens there
        env = dict(self.sandbox.env, AWS_ENDPOINT_URL_CLOUDWATCH=f"http://127.0.0.1:{closed_port}")
        # Lines arrive over more than two publish intervals of 1 s, so the
        # thread's publishes fail as well as the final one: one streak, one warning.
        process = subprocess.Popen([FIREHOSE, "--log-format", "json", "--log-level", "info", "send",
                                    "--delivery-stream-name", "unwatched", "--publish-metrics", NAMESPACE,
                                    "--publish-metrics-interval", "1"],
                                   env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        half = len(sent) // 2
        process.stdin.write("".join(sent[:half]).encode())
        process.stdin.flush()
        time.sleep(2.5)
        stdout, stderr = process.communicate(input="".join(sent[half:]).encode(), timeout=120)
        stderr = stderr.decode()
        self.assertEqual(process.returncode, 0, stderr)
        summary = json.loads(stdout.decode().strip().splitlines()[-1])

        # The same input without metrics: the same summary (but the time taken).
        plain = self.sandbox.run("send", "--delivery-stream-name", "unwatched", input_bytes="".join(sent).encode())
        self.assertEqual(plain.code, 0, plain)
        expected = json.loads(plain.stdout.strip().splitlines()[-1])
        summary.pop("seconds")
        expected.pop("seconds")
        self.assertEqual(summary, expected)
        self.assertEqual(summary["acknowledged"], len(sent))

        logs = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
        failures = [entry for entry in logs if "publishing producer metrics" in entry["message"]]
        self.assertEqual(len(failures), 1, stderr)
        self.assertEqual(failures[0]["level"], "warning")
        self.assertIn(NAMESPACE, failures[0]["message"])
        self.assertIn("ConnectionRefused", failures[0]["message"])
        self.assertNotIn("recovered", stderr)
        # Nothing reached moto's CloudWatch.
        self.assertEqual(self.statistic("unwatched", "RecordsAcknowledged", "Sum"), 0)


if __name__ == "__main__":
    unittest.main()
