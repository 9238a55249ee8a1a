"""Conformance of firehose-local with real clients, signature checking on.

- The AWS CLI v1 (`aws`), run as a subprocess in a clean environment: the
  stream life cycle, puts, a limit case, an error case and CloudWatch reads.
- One boto3 script run against moto and against firehose-local: the answers
  must be equal once the values that legitimately differ (ids, account and
  region in ARNs, times, request ids) are normalised, and the delivered objects
  must hold exactly the bytes sent.
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import REGION, FirehoseLocal, MotoServer, read_bucket

KEY, SECRET = "AKIDCONFORMANCE", "conformance-secret"
ROLE_ARN = "arn:aws:iam::123456789012:role/firehose-conformance"
CLI_CLIENT_ERROR = 255  # the CLI v1 exit code for an error answered by the service (v2 uses 254)


def stream_config(bucket):
    return {"RoleARN": ROLE_ARN, "BucketARN": f"arn:aws:s3:::{bucket}",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}}


class AwsCli:
    """`aws` with nothing from the machine: its own HOME, keys and region from
    the environment only, no instance metadata."""

    def __init__(self, local):
        self.url = local.url
        self.home = tempfile.mkdtemp(prefix="firehose-conformance-home-")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update({"HOME": self.home, "AWS_ACCESS_KEY_ID": local.access_key_id,
                         "AWS_SECRET_ACCESS_KEY": local.secret_access_key, "AWS_DEFAULT_REGION": REGION,
                         "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"})

    def file(self, name, content):
        """Arguments over 128 KiB cannot go on a command line (MAX_ARG_STRLEN): pass them as file://."""
        path = os.path.join(self.home, name)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(content, f)
        return "file://" + path

    def run(self, *args):
        completed = subprocess.run(["aws", "--endpoint-url", self.url, "--output", "json", *args],
                                   env=self.env, capture_output=True, text=True, timeout=60)
        return completed

    def ok(self, test, *args):
        completed = self.run(*args)
        test.assertEqual(completed.returncode, 0, f"aws {args[:2]}: {completed.stderr[-2000:]}")
        return json.loads(completed.stdout) if completed.stdout.strip() else {}

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)


class AwsCliConformanceTest(unittest.TestCase):
    def setUp(self):
        self.local = FirehoseLocal(credentials=[(KEY, SECRET)])
        self.local.start()
        self.addCleanup(self.local.__exit__, None, None, None)
        self.cli = AwsCli(self.local)
        self.addCleanup(self.cli.cleanup)

    def create_active(self, name):
        config = json.dumps({"RoleARN": ROLE_ARN, "BucketARN": "arn:aws:s3:::local-bucket"})
        self.cli.ok(self, "firehose", "create-delivery-stream", "--delivery-stream-name", name,
                    "--delivery-stream-type", "DirectPut", "--extended-s3-destination-configuration", config)
        for _ in range(100):
            description = self.cli.ok(self, "firehose", "describe-delivery-stream",
                                      "--delivery-stream-name", name)["DeliveryStreamDescription"]
            if description["DeliveryStreamStatus"] == "ACTIVE":
                return description
            time.sleep(0.1)
        self.fail(f"{name} never became ACTIVE")

    def test_life_cycle_puts_and_delivered_bytes(self):
        cli = self.cli
        description = self.create_active("cli-stream")
        self.assertEqual(description["DeliveryStreamName"], "cli-stream")
        self.assertEqual(description["DeliveryStreamARN"],
                         f"arn:aws:firehose:{REGION}:123456789012:deliverystream/cli-stream")
        self.assertEqual(cli.ok(self, "firehose", "list-delivery-streams"),
                         {"DeliveryStreamNames": ["cli-stream"], "HasMoreDeliveryStreams": False})

        # The CLI v1 takes a blob argument as text and sends its UTF-8 bytes (it does not base64-decode it).
        single = 'first record, accents: h\u00e9llo \u2713\n'
        answer = cli.ok(self, "firehose", "put-record", "--delivery-stream-name", "cli-stream",
                        "--record", json.dumps({"Data": single}))
        self.assertEqual(len(answer["RecordId"]), 224)
        self.assertFalse(answer["Encrypted"])
        batch = [f'{{"n": {i}, "pad": "{"z" * i}"}}\n' for i in range(30)]
        answer = cli.ok(self, "firehose", "put-record-batch", "--delivery-stream-name", "cli-stream",
                        "--records", cli.file("batch.json", [{"Data": d} for d in batch]))
        self.assertEqual(answer["FailedPutCount"], 0)
        self.assertEqual(len(answer["RequestResponses"]), 30)
        self.assertTrue(all(len(r["RecordId"]) == 224 for r in answer["RequestResponses"]))
        largest = "L" * 1024000  # exactly the limit: accepted
        cli.ok(self, "firehose", "put-record", "--cli-input-json",
               cli.file("largest.json", {"DeliveryStreamName": "cli-stream", "Record": {"Data": largest}}))

        self.local.flush()
        sent = (single + "".join(batch) + largest).encode("utf-8")
        delivered = b"".join(content for _, content in self.local.objects())
        self.assertEqual(len(delivered), len(sent))
        self.assertEqual(delivered, sent)

        cli.ok(self, "firehose", "delete-delivery-stream", "--delivery-stream-name", "cli-stream")
        for _ in range(100):
            if cli.ok(self, "firehose", "list-delivery-streams")["DeliveryStreamNames"] == []:
                break
            time.sleep(0.1)
        else:
            self.fail("cli-stream still listed after delete")

    def test_limits_and_unknown_stream(self):
        cli = self.cli
        self.create_active("limits")
        too_many = cli.run("firehose", "put-record-batch", "--delivery-stream-name", "limits",
                           "--records", cli.file("501.json", [{"Data": "x"}] * 501))
        self.assertEqual(too_many.returncode, CLI_CLIENT_ERROR, too_many.stderr)
        self.assertIn("(ValidationException)", too_many.stderr)
        self.assertIn("Member must have length less than or equal to 500", too_many.stderr)

        too_big = cli.run("firehose", "put-record", "--cli-input-json", cli.file(
            "big.json", {"DeliveryStreamName": "limits", "Record": {"Data": "x" * 1024001}}))
        self.assertEqual(too_big.returncode, CLI_CLIENT_ERROR, too_big.stderr)
        self.assertIn("(ValidationException)", too_big.stderr)
        self.assertIn("lim=1024001", too_big.stderr)

        for args in (["put-record", "--record", "Data=x"], ["describe-delivery-stream"],
                     ["delete-delivery-stream"]):
            with self.subTest(operation=args[0]):
                missing = cli.run("firehose", *args, "--delivery-stream-name", "no-such-stream")
                self.assertEqual(missing.returncode, CLI_CLIENT_ERROR, missing.stderr)
                self.assertIn("(ResourceNotFoundException)", missing.stderr)
                self.assertIn("no-such-stream", missing.stderr)
        self.assertEqual(self.local.counters()["records_stored"], 0)

        cli.env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
        refused = cli.run("firehose", "list-delivery-streams")
        self.assertEqual(refused.returncode, CLI_CLIENT_ERROR, refused.stderr)
        self.assertIn("(InvalidSignatureException)", refused.stderr)

    def test_cloudwatch_counts_what_was_put(self):
        cli = self.cli
        self.create_active("S")
        start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
        records = [f"metric record {i}\n" for i in range(27)]
        cli.ok(self, "firehose", "put-record-batch", "--delivery-stream-name", "S",
               "--records", cli.file("a.json", [{"Data": d} for d in records[:25]]))
        for data in records[25:]:
            cli.ok(self, "firehose", "put-record", "--delivery-stream-name", "S", "--record",
                   json.dumps({"Data": data}))
        end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)

        def total(metric):
            answer = cli.ok(self, "cloudwatch", "get-metric-statistics", "--namespace", "AWS/Firehose",
                            "--metric-name", metric, "--dimensions", "Name=DeliveryStreamName,Value=S",
                            "--start-time", start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                            "--end-time", end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                            "--period", "60", "--statistics", "Sum")
            self.assertEqual(answer["Label"], metric)
            self.assertTrue(answer["Datapoints"], answer)
            return sum(point["Sum"] for point in answer["Datapoints"])

        self.assertEqual(total("IncomingRecords"), len(records))
        self.assertEqual(total("IncomingBytes"), sum(len(r.encode()) for r in records))
        self.assertEqual(total("IncomingPutRequests"), 1 + (len(records) - 25))


# ---- one boto3 script, two servers ----

RECORD_ID = "<record id>"
TIME = "<time>"
ARN_PREFIX = re.compile(r"^arn:aws:(\w+):([a-z0-9-]*):(\d*):")


def normalise(value, key=None):
    """What may differ between two correct servers, replaced by placeholders."""
    if isinstance(value, dict):
        return {k: normalise(v, k) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [normalise(v, key) for v in value]
    if isinstance(value, datetime.datetime):
        return TIME
    if key == "RecordId" and isinstance(value, str) and value:
        return RECORD_ID
    if isinstance(value, str):
        # Region and account are each server's own; an empty part (S3 bucket ARNs) must stay empty.
        return ARN_PREFIX.sub(lambda m: f"arn:aws:{m.group(1)}:{m.group(2) and '<region>'}:"
                                        f"{m.group(3) and '<account>'}:", value)
    return value


def run_script(firehose, name, bucket, records, batch):
    """The happy path a producer goes through; returns every answer, in order."""
    answers = {}
    answers["create"] = firehose.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration=stream_config(bucket))
    deadline = time.monotonic() + 20
    while True:
        described = firehose.describe_delivery_stream(DeliveryStreamName=name)
        if described["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "ACTIVE":
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} never became ACTIVE")
        time.sleep(0.05)
    answers["put_record"] = [firehose.put_record(DeliveryStreamName=name, Record={"Data": r}) for r in records]
    answers["put_record_batch"] = firehose.put_record_batch(
        DeliveryStreamName=name, Records=[{"Data": r} for r in batch])
    answers["describe"] = firehose.describe_delivery_stream(DeliveryStreamName=name)
    answers["list"] = firehose.list_delivery_streams()
    answers["list_limited"] = firehose.list_delivery_streams(Limit=1, DeliveryStreamType="DirectPut")
    answers["delete"] = firehose.delete_delivery_stream(DeliveryStreamName=name)
    return answers


class Boto3MotoVersusLocalTest(unittest.TestCase):
    maxDiff = None

    RECORDS = [b'{"event": "signup", "user": 1}\n', "h\u00e9llo \u2713\n".encode(), bytes(range(256))]
    BATCH = [bytes([(i * 7 + j) % 256 for j in range(100 + i)]) for i in range(50)]

    def run_on_moto(self):
        with MotoServer(enforce_auth=False) as moto:
            moto.client("s3").create_bucket(Bucket="conformance-bucket")
            answers = run_script(moto.client("firehose"), "conformance", "conformance-bucket",
                                 self.RECORDS, self.BATCH)
            s3 = moto.client("s3")
            keys, _ = read_bucket(s3, "conformance-bucket")
            contents = [s3.get_object(Bucket="conformance-bucket", Key=k)["Body"].read() for k in keys]
            return answers, contents

    def run_on_local(self):
        with FirehoseLocal(credentials=[(KEY, SECRET)]) as local:
            answers = run_script(local.client(), "conformance", "conformance-bucket", self.RECORDS, self.BATCH)
            local.flush()
            objects = local.objects("conformance-bucket")
            return answers, objects

    def test_same_answers_and_same_delivered_bytes(self):
        moto_answers, moto_objects = self.run_on_moto()
        local_answers, local_objects = self.run_on_local()
        sent = b"".join(self.RECORDS + self.BATCH)

        # moto writes one object per call, named to the second with a random suffix, so their
        # order is not the order of the calls: compare them as a multiset of per-call payloads.
        self.assertEqual(sorted(moto_objects), sorted(self.RECORDS + [b"".join(self.BATCH)]))
        # firehose-local buffers like the service: one object, the records concatenated in order.
        self.assertEqual(len(local_objects), 1, [path for path, _ in local_objects])
        self.assertEqual(b"".join(content for _, content in local_objects), sent)

        # firehose-local fills in the destination defaults the service shows (docs/firehose-local.md,
        # DescribeDeliveryStream); moto leaves out what was not given. Check them, then compare the rest.
        description = local_answers["describe"]["DeliveryStreamDescription"]
        self.assertEqual(description.pop("DeliveryStreamEncryptionConfiguration"), {"Status": "DISABLED"})
        destination = description["Destinations"][0]
        for kind in ("ExtendedS3DestinationDescription", "S3DestinationDescription"):
            self.assertEqual(destination[kind].pop("CompressionFormat"), "UNCOMPRESSED")
            self.assertEqual(destination[kind].pop("EncryptionConfiguration"), {"NoEncryptionConfig": "NoEncryption"})
            self.assertEqual(destination[kind].pop("CloudWatchLoggingOptions"), {"Enabled": False})
        self.assertEqual(destination["ExtendedS3DestinationDescription"].pop("S3BackupMode"), "Disabled")
        # moto sets LastUpdateTimestamp at creation; the model makes it optional and firehose-local,
        # which has no UpdateDestination, never sends it.
        moto_answers["describe"]["DeliveryStreamDescription"].pop("LastUpdateTimestamp")

        self.assertEqual(normalise(local_answers), normalise(moto_answers))
