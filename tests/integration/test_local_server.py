"""firehose-local against real clients (boto3, raw SigV4-signed HTTP, urllib).

Each test starts its own server (build/firehose-local) on a free port with a
temporary data directory and checks what a client sees and what lands in the
data directory, byte for byte.
"""
import base64
import datetime
import gzip
import json
import os
import unittest
import urllib.request

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.exceptions

from harness import REGION, FirehoseLocal

KEY, SECRET = "AKIDLOCALTEST", "local-test-secret"
NO_RETRIES = {"retries": {"mode": "standard", "total_max_attempts": 1}}


def error_code(exc):
    return exc.response["Error"]["Code"]


class LocalServerTest(unittest.TestCase):
    def server(self, *args, **kwargs):
        kwargs.setdefault("credentials", [(KEY, SECRET)])
        local = FirehoseLocal(*args, **kwargs)
        local.start()
        self.addCleanup(local.__exit__, None, None, None)
        return local

    def raw_call(self, local, operation, body, secret=SECRET):
        """A Firehose call with a body boto3 would never send, signed by botocore's signer."""
        request = botocore.awsrequest.AWSRequest(
            method="POST", url=local.url + "/", data=body if isinstance(body, bytes) else body.encode(),
            headers={"X-Amz-Target": f"Firehose_20150804.{operation}",
                     "Content-Type": "application/x-amz-json-1.1"})
        botocore.auth.SigV4Auth(botocore.credentials.Credentials(KEY, secret), "firehose", REGION).add_auth(request)
        prepared = urllib.request.Request(local.url + "/", data=request.body, method="POST",
                                          headers=dict(request.headers.items()))
        try:
            with urllib.request.urlopen(prepared, timeout=30) as answer:
                return answer.status, json.loads(answer.read()), answer.headers
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read()), e.headers

    # ---- the happy path ----
    def test_create_put_describe_list_delete_and_read_back(self):
        local = self.server()
        firehose = local.client()
        local.create_stream(firehose, "orders", prefix="raw/")
        description = firehose.describe_delivery_stream(DeliveryStreamName="orders")["DeliveryStreamDescription"]
        self.assertEqual(description["DeliveryStreamARN"],
                         "arn:aws:firehose:us-east-1:123456789012:deliverystream/orders")
        self.assertEqual(description["DeliveryStreamType"], "DirectPut")
        destination = description["Destinations"][0]["ExtendedS3DestinationDescription"]
        self.assertEqual(destination["BufferingHints"], {"SizeInMBs": 5, "IntervalInSeconds": 300})
        self.assertEqual(destination["Prefix"], "raw/")
        self.assertIn("DeliveryStreamNames", firehose.list_delivery_streams())
        self.assertEqual(firehose.list_delivery_streams()["DeliveryStreamNames"], ["orders"])

        sent = []
        for i in range(20):
            data = json.dumps({"ip_address": f"10.0.0.{i}", "timestamp": 1700000000 + i,
                               "alert_level": "High"}).encode() + b"\n"
            answer = firehose.put_record(DeliveryStreamName="orders", Record={"Data": data})
            self.assertEqual(len(answer["RecordId"]), 224)
            sent.append(data)
        batch = [bytes([b % 256 for b in range(i, i + 300)]) for i in range(0, 500)]  # binary, every byte value
        answer = firehose.put_record_batch(DeliveryStreamName="orders", Records=[{"Data": d} for d in batch])
        self.assertEqual(answer["FailedPutCount"], 0)
        self.assertEqual(len(answer["RequestResponses"]), 500)
        sent += batch

        local.flush()
        objects = local.objects()
        self.assertEqual(len(objects), 1, [path for path, _ in objects])
        path, content = objects[0]
        self.assertTrue(path.startswith("raw/"), path)
        self.assertIn("/orders-1-", path)
        self.assertEqual(content, b"".join(sent))
        counters = local.counters()
        self.assertEqual(counters["records_stored"], 520)
        self.assertEqual(counters["records_acknowledged"], 520)

        firehose.delete_delivery_stream(DeliveryStreamName="orders")
        with self.assertRaises(botocore.exceptions.ClientError) as missing:
            for _ in range(200):
                firehose.describe_delivery_stream(DeliveryStreamName="orders")
        self.assertEqual(error_code(missing.exception), "ResourceNotFoundException")

    def test_gzip_streams_deliver_gz_objects(self):
        local = self.server()
        firehose = local.client()
        local.create_stream(firehose, "zipped", CompressionFormat="GZIP")
        records = [f"line {i}\n".encode() for i in range(100)]
        firehose.put_record_batch(DeliveryStreamName="zipped", Records=[{"Data": r} for r in records])
        local.flush()
        [(path, content)] = local.objects()
        self.assertTrue(path.endswith(".gz"), path)
        self.assertEqual(gzip.decompress(content), b"".join(records))

    # ---- signatures ----
    def test_signatures_are_checked_when_credentials_are_given(self):
        local = self.server()
        self.assertEqual(local.client().list_delivery_streams()["DeliveryStreamNames"], [])
        cases = [(dict(secret="wrong-secret"), "InvalidSignatureException"),
                 (dict(access_key_id="AKIDUNKNOWN"), "UnrecognizedClientException"),
                 (dict(region="eu-west-1"), "InvalidSignatureException")]
        for kwargs, code in cases:
            with self.subTest(**kwargs), self.assertRaises(botocore.exceptions.ClientError) as refused:
                local.client(**kwargs).list_delivery_streams()
            self.assertEqual(error_code(refused.exception), code)
            self.assertEqual(refused.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(local.counters()["auth_failures"], 3)
        # Unsigned: refused, with the JSON error shape.
        request = urllib.request.Request(local.url + "/", data=b"{}", method="POST",
                                         headers={"X-Amz-Target": "Firehose_20150804.ListDeliveryStreams",
                                                  "Content-Type": "application/x-amz-json-1.1"})
        with self.assertRaises(urllib.error.HTTPError) as unsigned:
            urllib.request.urlopen(request, timeout=10)
        self.assertEqual(unsigned.exception.code, 400)
        self.assertEqual(unsigned.exception.headers["x-amzn-ErrorType"], "MissingAuthenticationTokenException")
        self.assertTrue(unsigned.exception.headers["x-amzn-RequestId"])

    def test_without_credentials_any_key_and_unsigned_requests_are_accepted(self):
        local = self.server(credentials=[])
        self.assertEqual(local.client(access_key_id="anything", secret="x").list_delivery_streams()[
            "DeliveryStreamNames"], [])
        request = urllib.request.Request(local.url + "/", data=b"{}", method="POST",
                                         headers={"X-Amz-Target": "Firehose_20150804.ListDeliveryStreams"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            self.assertEqual(json.loads(answer.read()), {"DeliveryStreamNames": [], "HasMoreDeliveryStreams": False})

    # ---- limits and errors ----
    def test_limits_and_errors_as_the_service_answers(self):
        local = self.server()
        firehose = local.client(**NO_RETRIES)
        local.create_stream(firehose, "s")

        def code_of(call, **kwargs):
            with self.assertRaises(botocore.exceptions.ClientError) as failed:
                call(**kwargs)
            return error_code(failed.exception), failed.exception.response["Error"]["Message"]

        code, message = code_of(firehose.put_record_batch, DeliveryStreamName="s",
                                Records=[{"Data": b"x"}] * 501)
        self.assertEqual(code, "ValidationException")
        self.assertIn("Member must have length less than or equal to 500", message)
        code, message = code_of(firehose.put_record, DeliveryStreamName="s", Record={"Data": b"x" * 1024001})
        self.assertEqual(code, "ValidationException")
        self.assertIn("lim=1024001", message)
        self.assertEqual(firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x" * 1024000})[
            "ResponseMetadata"]["HTTPStatusCode"], 200)
        code, message = code_of(firehose.put_record_batch, DeliveryStreamName="s",
                                Records=[{"Data": b"y" * 1000000}] * 5)
        self.assertEqual((code, message), ("InvalidArgumentException", "Records size exceeds 4 MB limit"))
        code, _ = code_of(firehose.put_record, DeliveryStreamName="nope", Record={"Data": b"x"})
        self.assertEqual(code, "ResourceNotFoundException")
        code, _ = code_of(firehose.put_record, DeliveryStreamName="bad name!", Record={"Data": b"x"})
        self.assertEqual(code, "ValidationException")
        code, _ = code_of(firehose.create_delivery_stream, DeliveryStreamName="s",
                          ExtendedS3DestinationConfiguration={"RoleARN": "arn:aws:iam::123456789012:role/r",
                                                              "BucketARN": "arn:aws:s3:::b"})
        self.assertEqual(code, "ResourceInUseException")
        code, _ = code_of(firehose.create_delivery_stream, DeliveryStreamName="t",
                          ExtendedS3DestinationConfiguration={"RoleARN": "not-an-arn", "BucketARN": "arn:aws:s3:::b"})
        self.assertEqual(code, "ValidationException")

        # Bodies boto3 would not send.
        status, body, headers = self.raw_call(local, "PutRecord", '{"DeliveryStreamName": "s", "Record": ')
        self.assertEqual((status, body["__type"]), (400, "SerializationException"))
        self.assertEqual(headers["x-amzn-ErrorType"], "SerializationException")
        status, body, _ = self.raw_call(local, "PutRecord", json.dumps(
            {"DeliveryStreamName": "s", "Record": {"Data": "not base64!"}}))
        self.assertEqual((status, body["__type"]), (400, "SerializationException"))
        status, body, _ = self.raw_call(local, "PutRecordBatch", json.dumps({"DeliveryStreamName": "s", "Records": []}))
        self.assertEqual((status, body["__type"]), (400, "ValidationException"))
        status, body, _ = self.raw_call(local, "Frobnicate", "{}")
        self.assertEqual((status, body["__type"]), (400, "UnknownOperationException"))
        self.assertEqual(local.counters()["records_stored"], 1)

    def test_puts_to_a_creating_stream_are_refused(self):
        local = self.server(create_delay="30")
        firehose = local.client(**NO_RETRIES)
        firehose.create_delivery_stream(
            DeliveryStreamName="slow", ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::123456789012:role/r", "BucketARN": "arn:aws:s3:::b"})
        self.assertEqual(firehose.describe_delivery_stream(DeliveryStreamName="slow")[
            "DeliveryStreamDescription"]["DeliveryStreamStatus"], "CREATING")
        with self.assertRaises(botocore.exceptions.ClientError) as refused:
            firehose.put_record(DeliveryStreamName="slow", Record={"Data": b"x"})
        self.assertEqual(error_code(refused.exception), "ResourceNotFoundException")

    # ---- faults ----
    def test_record_failures_use_the_configured_code_and_store_nothing(self):
        local = self.server("--fail-records", "1.0", "--fail-records-code", "InternalFailure")
        firehose = local.client()
        local.create_stream(firehose, "s")
        answer = firehose.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"r%d" % i} for i in range(10)])
        self.assertEqual(answer["FailedPutCount"], 10)
        self.assertEqual({r["ErrorCode"] for r in answer["RequestResponses"]}, {"InternalFailure"})
        local.settings(fail_records_code="ServiceUnavailableException")
        answer = firehose.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"x"}])
        self.assertEqual(answer["RequestResponses"], [{"ErrorCode": "ServiceUnavailableException",
                                                       "ErrorMessage": "Slow down."}])
        local.settings(fail_records=0)
        firehose.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"kept"}])
        local.flush()
        self.assertEqual([content for _, content in local.objects()], [b"kept"])
        counters = local.counters()
        self.assertEqual(counters["records_failed_injected"], 11)
        self.assertEqual(counters["records_received"], 12)
        self.assertEqual(counters["records_stored"], 1)

    def test_reset_after_stores_the_records_but_the_client_sees_a_connection_error(self):
        local = self.server()
        firehose = local.client(**NO_RETRIES)
        local.create_stream(firehose, "s")
        local.settings(reset_after=1.0)
        with self.assertRaises((botocore.exceptions.ConnectionClosedError,
                                botocore.exceptions.EndpointConnectionError,
                                botocore.exceptions.ConnectionError)):
            firehose.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"landed\n"}] * 3)
        local.settings(reset_after=0, reset_before=1.0)
        with self.assertRaises((botocore.exceptions.ConnectionClosedError,
                                botocore.exceptions.EndpointConnectionError,
                                botocore.exceptions.ConnectionError)):
            firehose.put_record(DeliveryStreamName="s", Record={"Data": b"dropped\n"})
        local.settings(reset_before=0)
        firehose.put_record(DeliveryStreamName="s", Record={"Data": b"acknowledged\n"})
        local.flush()
        [(_, content)] = local.objects()
        self.assertEqual(content, b"landed\n" * 3 + b"acknowledged\n")
        counters = local.counters()
        # What the client saw acknowledged plus what was stored unacknowledged is what was stored.
        self.assertEqual(counters["resets_after"], 1)
        self.assertEqual(counters["resets_before"], 1)
        self.assertEqual(counters["records_stored_unacknowledged"], 3)
        self.assertEqual(counters["records_acknowledged"], 1)
        self.assertEqual(counters["records_stored"],
                         counters["records_acknowledged"] + counters["records_stored_unacknowledged"])

    def test_request_failures_are_5xx_errors(self):
        local = self.server("--fail-requests", "1.0", "--fail-requests-status", "503")
        firehose = local.client(**NO_RETRIES)
        local.create_stream(firehose, "s")  # control-plane calls are not failed
        with self.assertRaises(botocore.exceptions.ClientError) as failed:
            firehose.put_record(DeliveryStreamName="s", Record={"Data": b"x"})
        self.assertEqual(error_code(failed.exception), "ServiceUnavailableException")
        self.assertEqual(failed.exception.response["ResponseMetadata"]["HTTPStatusCode"], 503)
        local.settings(fail_requests_status="500")
        with self.assertRaises(botocore.exceptions.ClientError) as failed:
            firehose.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"x"}])
        self.assertEqual(error_code(failed.exception), "InternalFailure")
        counters = local.counters()
        self.assertEqual((counters["requests_failed_503"], counters["requests_failed_500"]), (1, 1))
        self.assertEqual(counters["records_stored"], 0)

    def test_seeded_faults_repeat_run_after_run(self):
        outcomes = []
        for _ in range(2):
            local = self.server("--fail-records", "0.5", "--fail-records-code", "mix", seed=77)
            firehose = local.client()
            local.create_stream(firehose, "s")
            answer = firehose.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"x"}] * 50)
            outcomes.append([r.get("ErrorCode") or r["RecordId"] for r in answer["RequestResponses"]])
            local.stop()
        self.assertEqual(outcomes[0], outcomes[1])
        self.assertTrue(any(o == "InternalFailure" for o in outcomes[0]))
        self.assertTrue(any(o == "ServiceUnavailableException" for o in outcomes[0]))

    # ---- quotas ----
    def test_tiny_quota_throttles_records_with_slow_down(self):
        local = self.server("--quota-records", "3")
        firehose = local.client(**NO_RETRIES)
        local.create_stream(firehose, "s")
        answer = firehose.put_record_batch(DeliveryStreamName="s", Records=[{"Data": b"%d" % i} for i in range(10)])
        throttled = [r for r in answer["RequestResponses"] if "ErrorCode" in r]
        self.assertGreaterEqual(answer["FailedPutCount"], 6)  # 3 tokens, plus whatever refilled meanwhile
        self.assertEqual(len(throttled), answer["FailedPutCount"])
        self.assertEqual({(r["ErrorCode"], r["ErrorMessage"]) for r in throttled},
                         {("ServiceUnavailableException", "Slow down.")})
        counters = local.counters()
        self.assertEqual(counters["records_throttled"], answer["FailedPutCount"])

        cloudwatch = local.client("cloudwatch")
        now = datetime.datetime.now(datetime.timezone.utc)
        stats = cloudwatch.get_metric_statistics(
            Namespace="AWS/Firehose", MetricName="ThrottledRecords",
            Dimensions=[{"Name": "DeliveryStreamName", "Value": "s"}],
            StartTime=now - datetime.timedelta(minutes=5), EndTime=now + datetime.timedelta(minutes=1),
            Period=60, Statistics=["Sum"])
        self.assertEqual(sum(p["Sum"] for p in stats["Datapoints"]), answer["FailedPutCount"])
        limit = cloudwatch.get_metric_statistics(
            Namespace="AWS/Firehose", MetricName="RecordsPerSecondLimit",
            Dimensions=[{"Name": "DeliveryStreamName", "Value": "s"}],
            StartTime=now - datetime.timedelta(minutes=5), EndTime=now + datetime.timedelta(minutes=1),
            Period=60, Statistics=["Maximum"])
        self.assertEqual([p["Maximum"] for p in limit["Datapoints"]], [3.0])

    # ---- durability ----
    def test_sigkill_and_restart_keep_streams_and_acknowledged_records(self):
        local = self.server()
        firehose = local.client()
        local.create_stream(firehose, "durable", prefix="d/")
        records = [os.urandom(100) for _ in range(50)]
        answer = firehose.put_record_batch(DeliveryStreamName="durable", Records=[{"Data": r} for r in records])
        self.assertEqual(answer["FailedPutCount"], 0)
        local.kill()
        self.assertEqual(local.objects(), [])

        local.restart()
        firehose = local.client()
        self.assertEqual(firehose.list_delivery_streams()["DeliveryStreamNames"], ["durable"])
        self.assertEqual(firehose.describe_delivery_stream(DeliveryStreamName="durable")[
            "DeliveryStreamDescription"]["DeliveryStreamStatus"], "ACTIVE")
        local.flush()
        self.assertEqual(b"".join(content for _, content in local.objects()), b"".join(records))

    def test_sigterm_delivers_buffered_records_and_exits_cleanly(self):
        local = self.server()
        firehose = local.client()
        local.create_stream(firehose, "s")
        firehose.put_record(DeliveryStreamName="s", Record={"Data": b"at shutdown"})
        self.assertEqual(local.stop(), 0)
        self.assertEqual([content for _, content in local.objects()], [b"at shutdown"])


if __name__ == "__main__":
    unittest.main()
