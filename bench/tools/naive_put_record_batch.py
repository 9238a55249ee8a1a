#!/usr/bin/env python3
"""The naive script users copy: boto3, 500-line batches, sent one after another.
Usage: naive_put_record_batch.py STREAM FILE (endpoint from AWS_ENDPOINT_URL)."""
import json
import os
import sys
import time

import boto3

stream, path = sys.argv[1], sys.argv[2]
firehose = boto3.client("firehose", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
start, records, failed, batch = time.monotonic(), 0, 0, []


def send(batch):
    response = firehose.put_record_batch(DeliveryStreamName=stream, Records=[{"Data": line} for line in batch])
    return response["FailedPutCount"]


with open(path, "rb") as f:
    for line in f:
        batch.append(line)
        if len(batch) == 500:
            failed += send(batch)
            records += len(batch)
            batch = []
if batch:
    failed += send(batch)
    records += len(batch)
print(json.dumps({"records": records, "failed": failed, "seconds": time.monotonic() - start}))
