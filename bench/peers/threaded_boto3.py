#!/usr/bin/env python3
"""Peer (c): boto3 as a careful Python user would write it: a thread pool sending PutRecordBatch
calls concurrently on one client (boto3 clients are thread-safe), batches cut at 500 records or
3 MiB of data (the base64 body stays under the 4 MiB request limit), each line sent as it is read
(its bytes, `\n` included), and only the records that failed inside an answer sent again, with
exponential backoff and full jitter, up to 10 attempts a record. Whole calls that fail (throttled
with 503, connection errors) are retried by botocore itself (its standard retry mode).

Usage: threaded_boto3.py STREAM FILE [THREADS]   (endpoint, region, credentials from the environment)
Prints one JSON summary line on stdout.
"""
import concurrent.futures
import json
import random
import sys
import threading
import time

import boto3
import botocore.config

MAX_RECORDS, MAX_DATA_BYTES, MAX_ATTEMPTS = 500, 3 * 1024 * 1024, 10


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged = self.failed = self.retries = self.throttled = 0

    def add(self, **deltas):
        with self.lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)


def send_batch(client, stream, batch, counters):
    pending = batch
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            answer = client.put_record_batch(DeliveryStreamName=stream, Records=[{"Data": d} for d in pending])
        except Exception:  # botocore already retried the call; give up on these records
            counters.add(failed=len(pending))
            return
        if answer["FailedPutCount"] == 0:
            counters.add(acknowledged=len(pending))
            return
        again = [data for data, entry in zip(pending, answer["RequestResponses"]) if "ErrorCode" in entry]
        counters.add(acknowledged=len(pending) - len(again),
                     throttled=sum(1 for e in answer["RequestResponses"]
                                   if e.get("ErrorCode") == "ServiceUnavailableException"))
        if attempt == MAX_ATTEMPTS:
            counters.add(failed=len(again))
            return
        counters.add(retries=len(again))
        pending = again
        time.sleep(random.uniform(0, min(5.0, 0.1 * 2 ** (attempt - 1))))


def batches(path):
    batch, size = [], 0
    with open(path, "rb") as f:
        for line in f:
            if batch and (len(batch) == MAX_RECORDS or size + len(line) > MAX_DATA_BYTES):
                yield batch
                batch, size = [], 0
            batch.append(line)
            size += len(line)
    if batch:
        yield batch


def main():
    stream, path = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    start = time.monotonic()
    client = boto3.client("firehose", config=botocore.config.Config(
        max_pool_connections=threads, retries={"mode": "standard"}))
    counters, records = Counters(), 0
    # At most 2 x THREADS batches read ahead: memory stays bounded whatever the input's size.
    slots = threading.BoundedSemaphore(2 * threads)
    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
        for batch in batches(path):
            slots.acquire()
            records += len(batch)
            future = pool.submit(send_batch, client, stream, batch, counters)
            future.add_done_callback(lambda _: slots.release())
    print(json.dumps({"records": records, "acknowledged": counters.acknowledged, "failed": counters.failed,
                      "retries": counters.retries, "throttled": counters.throttled,
                      "seconds": round(time.monotonic() - start, 3)}))


if __name__ == "__main__":
    main()
