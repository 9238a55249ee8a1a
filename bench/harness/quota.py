"""The quota run: firehose-local emulating 5 MiB/s + 2,000 requests/s (its record quota left at its
default, 500,000/s, which 1 KiB records never reach), one producer sending 1 KiB records for about
`seconds`, firehose-local's counters sampled every half second: goodput over time, the share of
the quota used, and the share of records throttled."""
import json
import os
import threading
import time
import urllib.request

from local import Local
from producers import measure

QUOTA_BYTES, QUOTA_REQUESTS = 5 * 1024 * 1024, 2000
WARMUP_SECONDS = 5
RECORD_BYTES = 1024


def _sample(local, samples, stop):
    while not stop.is_set():
        with urllib.request.urlopen(local.url + "/_local/counters", timeout=10) as answer:
            counters = json.loads(answer.read())
        samples.append((time.monotonic(), counters["records_stored"], counters["records_received"],
                        counters["records_throttled"]))
        stop.wait(0.5)


def _window(samples, first, last):
    (t0, stored0, received0, throttled0), (t1, stored1, received1, throttled1) = samples[first], samples[last]
    seconds = t1 - t0
    return {"seconds": round(seconds, 2),
            "quota_used_pct": round(100 * (stored1 - stored0) * RECORD_BYTES / seconds / QUOTA_BYTES, 1)
            if seconds > 0 else None,
            "throttled_pct": round(100 * (throttled1 - throttled0) / max(received1 - received0, 1), 2)}


def run(producer, path, records, build_dir, work_dir, log_path):
    """One producer against a fresh quota-mode firehose-local (its buckets start full, as the
    service's do: the first second may exceed the quota)."""
    with Local(build_dir, work_dir, args=("--quota-bytes", str(QUOTA_BYTES),
                                          "--quota-requests", str(QUOTA_REQUESTS))) as local:
        samples, stop = [], threading.Event()
        sampler = threading.Thread(target=_sample, args=(local, samples, stop))
        sampler.start()
        while not samples:
            time.sleep(0.01)
        try:
            result = measure(producer, [path], records, local, build_dir, log_path)
        finally:
            time.sleep(0.6)
            stop.set()
            sampler.join()
    # The active part: from the last sample before the first record to the first sample after the
    # last record was stored.
    first = max(0, next((i for i, s in enumerate(samples) if s[2] > 0), 1) - 1)
    final_stored = samples[-1][1]
    last = next(i for i, s in enumerate(samples) if s[1] == final_stored)
    t0 = samples[first][0]
    result["quota"] = {
        "whole": _window(samples, first, last),
        "startup": _window(samples, first, min(last, first + 2 * WARMUP_SECONDS)),
        # Without the last interval, which only holds the end of the input (the old quota.sh's rule).
        "steady": _window(samples, first + 2 * WARMUP_SECONDS, last - 1)
        if last - 1 > first + 2 * WARMUP_SECONDS else {"seconds": 0, "quota_used_pct": None, "throttled_pct": None},
        # Goodput over time: MiB/s stored in each half-second interval, from the first record on.
        "goodput": [(round(b[0] - t0, 2), round((b[1] - a[1]) * RECORD_BYTES / (b[0] - a[0]) / 2 ** 20, 3))
                    for a, b in zip(samples[first:last], samples[first + 1:last + 1])],
        "quota_mib_s": QUOTA_BYTES / 2 ** 20, "quota_requests": QUOTA_REQUESTS,
    }
    # Whole-run throttling from the final counters (the last partial interval included).
    result["quota"]["whole"]["throttled_pct"] = round(
        100 * result["server"]["records_throttled"] / max(result["server"]["records_received"], 1), 2)
    return result
