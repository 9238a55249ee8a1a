#!/usr/bin/env python3
"""Writes a PutRecordBatch body: RECORDS records of SIZE bytes, for stream STREAM."""
import base64
import json
import sys

stream, records, size, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
line = (b"x" * (size - 1)) + b"\n"
body = {"DeliveryStreamName": stream,
        "Records": [{"Data": base64.b64encode(line).decode()} for _ in range(records)]}
with open(out, "w") as f:
    json.dump(body, f, separators=(",", ":"))
