#!/usr/bin/env python3
"""Peer (b): the seed's PutRecordBatch algorithm, the AWS code example's Python `firehose.py`
("Firehose: put records"), ported as it is so that its cost and its losses are measured, not
fixed:

- batches of 500 records cut by count only (no 4 MiB check: 500 large records make a call the
  service refuses as a whole);
- each record's Data is `json.dumps(record)` of the parsed record (no delimiter);
- the backoff decorator (exponential, full jitter, 5 tries) wraps the loop over all batches, and
  each batch's exception is caught and logged inside that loop, so the decorator never fires:
  what retries a whole batch is botocore's own retry of a failed call (its default, legacy
  retry mode: up to 5 attempts with exponential backoff, for 503 throttling, 5xx and connection
  errors); records failed inside a 200 (`FailedPutCount`) are logged and dropped;
- one log line per batch (logging at INFO on stderr), as the example's `_log_batch_response`.

Differences, each needed to run it on the benchmark's inputs: records come from an NDJSON file
read 500 lines at a time (the example `json.load`s a whole JSON array first, which would hold the
whole data set in memory), the first-100-records PutRecord phase and the metrics reads are left
out (they are not the batch path), and the harness counts acknowledged and failed records from
the answers the example already receives (one summary line on stdout).

Usage: seed_boto3.py STREAM FILE   (endpoint, region, credentials from the environment)
"""
import functools
import itertools
import json
import logging
import random
import sys
import time

import boto3

try:
    import backoff  # the example's dependency, when this Python has it
except ImportError:  # the same decorator: backoff.on_exception(backoff.expo, ..., jitter=full_jitter)
    backoff = None

logging.basicConfig(level=logging.INFO)
logger = logging.getLogger(__name__)


def on_exception_expo_full_jitter(max_tries):
    if backoff is not None:
        return backoff.on_exception(backoff.expo, Exception, max_tries=max_tries, jitter=backoff.full_jitter)

    def decorate(function):
        @functools.wraps(function)
        def retried(*args, **kwargs):
            for attempt in itertools.count(1):
                try:
                    return function(*args, **kwargs)
                except Exception:
                    if attempt >= max_tries:
                        raise
                    time.sleep(random.uniform(0, 2 ** (attempt - 1)))
        return retried
    return decorate


class FirehoseClient:
    def __init__(self, stream):
        self.delivery_stream_name = stream
        self.firehose = boto3.client("firehose")
        self.acknowledged = 0
        self.failed = 0

    @on_exception_expo_full_jitter(max_tries=5)
    def put_record_batch(self, data, batch_size: int = 500):
        for batch in data:  # the example slices data[i : i + batch_size]; here they come as read
            record_dicts = [{"Data": json.dumps(record)} for record in batch]
            try:
                response = self.firehose.put_record_batch(
                    DeliveryStreamName=self.delivery_stream_name, Records=record_dicts
                )
                self._log_batch_response(response, len(batch))
            except Exception as e:
                self.failed += len(batch)
                logger.info(f"Failed to send batch of {len(batch)} records. Error: {e}")

    def _log_batch_response(self, response: dict, batch_size: int):
        failed = response.get("FailedPutCount", 0)
        self.acknowledged += batch_size - failed
        self.failed += failed
        if failed > 0:
            logger.info(f'Failed to send {response["FailedPutCount"]} records in batch of {batch_size}')
        else:
            logger.info(f"Successfully sent batch of {batch_size} records")


def batches_of_parsed_records(path, batch_size=500):
    with open(path, "rb") as f:
        while True:
            lines = list(itertools.islice(f, batch_size))
            if not lines:
                return
            yield [json.loads(line) for line in lines]


def main():
    stream, path = sys.argv[1], sys.argv[2]
    start = time.monotonic()
    client = FirehoseClient(stream)
    try:
        client.put_record_batch(batches_of_parsed_records(path))
    except Exception as e:
        logger.info(f"Put record batch failed after retries and backoff: {e}")
    records = client.acknowledged + client.failed
    print(json.dumps({"records": records, "acknowledged": client.acknowledged, "failed": client.failed,
                      "seconds": round(time.monotonic() - start, 3)}))


if __name__ == "__main__":
    main()
