#!/usr/bin/env python3
"""Small boto3 helpers against firehose-local: create a stream, read counters, sum metrics.
Usage: local_admin.py URL create STREAM | counters | metrics STREAM"""
import datetime
import json
import sys
import time
import urllib.request

import boto3

url, command = sys.argv[1], sys.argv[2]


def client(service):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench-secret")


if command == "create":
    firehose = client("firehose")
    firehose.create_delivery_stream(DeliveryStreamName=sys.argv[3], ExtendedS3DestinationConfiguration={
        "RoleARN": "arn:aws:iam::123456789012:role/bench", "BucketARN": "arn:aws:s3:::bench"})
    for _ in range(600):
        status = firehose.describe_delivery_stream(DeliveryStreamName=sys.argv[3])[
            "DeliveryStreamDescription"]["DeliveryStreamStatus"]
        if status == "ACTIVE":
            break
        time.sleep(0.05)
elif command == "counters":
    print(urllib.request.urlopen(url + "/_local/counters").read().decode())
elif command == "metrics":
    cloudwatch = client("cloudwatch")
    now = datetime.datetime.now(datetime.timezone.utc)
    sums = {}
    for name in ("IncomingBytes", "IncomingRecords", "IncomingPutRequests", "ThrottledRecords"):
        points = cloudwatch.get_metric_statistics(
            Namespace="AWS/Firehose", MetricName=name, Statistics=["Sum"], Period=60,
            Dimensions=[{"Name": "DeliveryStreamName", "Value": sys.argv[3]}],
            StartTime=now - datetime.timedelta(hours=1), EndTime=now + datetime.timedelta(minutes=2))["Datapoints"]
        sums[name] = sum(p["Sum"] for p in points)
        sums[name + "PerMinute"] = [p["Sum"] for p in sorted(points, key=lambda p: p["Timestamp"])]
    print(json.dumps(sums))
