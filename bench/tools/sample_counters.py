#!/usr/bin/env python3
"""Samples firehose-local's /_local/counters every second until killed; one JSON line per sample."""
import json
import sys
import time
import urllib.request

url = sys.argv[1]
next_tick = time.monotonic()
while True:
    counters = json.loads(urllib.request.urlopen(url + "/_local/counters").read())
    counters["t"] = time.monotonic()
    print(json.dumps(counters), flush=True)
    next_tick += 1.0
    time.sleep(max(0.0, next_tick - time.monotonic()))
