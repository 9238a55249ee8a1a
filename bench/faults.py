#!/usr/bin/env python3
"""Issue 11's figures: `firehose send` against firehose-local under random
faults and quotas. Prints a markdown table (docs/producer.md keeps the
results). Each case starts its own firehose-local on a free loopback port.

Usage: BUILD=build python3 bench/faults.py [--quick]
       BUILD=build python3 bench/faults.py --quota-runs N [OTHER_FIREHOSE...]
The second form runs only the quota case (1 MiB/s, 200 requests/s, 16,000 x
1 KiB) N times, alternating `firehose` binaries (this build's, then each one
named) run after run, one line per run: for comparing two builds side by side.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

BUILD = os.environ.get("BUILD", os.path.join(os.path.dirname(__file__), "..", "build"))
FIREHOSE = os.path.join(BUILD, "firehose")
LOCAL = os.path.join(BUILD, "firehose-local")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lines_file(path, count, size):
    pad = "x" * max(0, size - 30)
    with open(path, "w") as f:
        for i in range(count):
            line = json.dumps({"id": i, "pad": pad})
            f.write(line[: size - 1] + "\n" if len(line) >= size else line + "\n")


def run_case(name, lines, local_args, send_args=(), quota_bytes=None, firehose=FIREHOSE):
    port = free_port()
    with tempfile.TemporaryDirectory() as work:
        server = subprocess.Popen([LOCAL, "--port", str(port), "--data-dir", os.path.join(work, "data"), "--sink", "discard",
                                   "--create-delay", "0", "--log-level", "error", "--seed", "7", *local_args],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(url + "/_local/health", timeout=1).read()
                    break
                except Exception:
                    time.sleep(0.05)
            env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="local",
                       AWS_SECRET_ACCESS_KEY="local")
            subprocess.run([firehose, "create-delivery-stream", "--delivery-stream-name", "bench", "--bucket-arn",
                            "arn:aws:s3:::b", "--role-arn", "arn:aws:iam::123456789012:role/r"], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            dead = os.path.join(work, "dead.ndjson")
            started = time.monotonic()
            out = subprocess.run([firehose, "send", "--delivery-stream-name", "bench", "--dead-letter", dead, *send_args,
                                  lines], env=env, capture_output=True, text=True, timeout=600)
            wall = time.monotonic() - started
            summary = json.loads(out.stdout.strip().splitlines()[-1])
            counters = json.loads(urllib.request.urlopen(url + "/_local/counters").read())
        finally:
            server.terminate()
            server.wait()
    row = {"case": name, "records": summary["records"], "acknowledged": summary["acknowledged"],
           "dead_lettered": summary["dead_lettered"], "seconds": wall, "retries": summary["retries"],
           "throttled": summary["throttled"], "goodput": summary["acknowledged"] / wall,
           "lost": summary["records"] - summary["acknowledged"] - summary["dead_lettered"]}
    if quota_bytes:
        stored_bytes = counters["records_stored"] * 1024
        row["quota_used"] = stored_bytes / wall / quota_bytes
        row["throttled_share"] = counters["records_throttled"] / max(counters["records_received"], 1)
    return row


def quota_runs(count, binaries):
    with tempfile.TemporaryDirectory() as work:
        kib = os.path.join(work, "16k.ndjson")
        lines_file(kib, 16_000, 1024)
        for i in range(count):
            for binary in binaries:
                r = run_case("quota", kib, ["--quota-bytes", "1048576", "--quota-requests", "200"],
                             quota_bytes=1048576, firehose=binary)
                print(f'{binary} run {i + 1}: quota used {100 * r["quota_used"]:.1f} %, records throttled '
                      f'{100 * r["throttled_share"]:.2f} %, lost {r["lost"]}, {r["seconds"]:.1f} s', flush=True)


def main():
    if "--quota-runs" in sys.argv:
        at = sys.argv.index("--quota-runs")
        quota_runs(int(sys.argv[at + 1]), [FIREHOSE, *sys.argv[at + 2:]])
        return
    quick = "--quick" in sys.argv
    rows = []
    with tempfile.TemporaryDirectory() as work:
        small = os.path.join(work, "30k.ndjson")
        lines_file(small, 30_000, 220)
        ten = os.path.join(work, "10k.ndjson")
        lines_file(ten, 10_000, 220)
        big = os.path.join(work, "100k.ndjson")
        lines_file(big, 30_000 if quick else 100_000, 220)
        kib = os.path.join(work, "16k.ndjson")
        lines_file(kib, 16_000, 1024)
        no_quota = ["--quota-bytes", "0", "--quota-records", "0", "--quota-requests", "0"]
        rows.append(run_case("stall 1 %: 30k, --fail-records 0.01", small, ["--fail-records", "0.01"]))
        rows.append(run_case("stall 30 % + 500s, resets, latency: 30k", small,
                             ["--fail-records", "0.3", "--fail-requests", "0.05", "--reset-before", "0.02",
                              "--reset-after", "0.02", "--latency-ms", "20:30"]))
        rows.append(run_case("60 % InternalFailure: 10k", ten,
                             ["--fail-records", "0.6", "--fail-records-code", "InternalFailure"]))
        base = run_case("no faults, no quota: 100k", big, no_quota)
        rows.append(base)
        for p in (0.05, 0.3, 0.6):
            row = run_case(f"{int(p * 100)} % faults, no quota: 100k", big, no_quota + ["--fail-records", str(p)])
            row["ratio"] = row["goodput"] / ((1 - p) * base["goodput"])
            rows.append(row)
        rows.append(run_case("quota 1 MiB/s, 200 req/s: 16k x 1 KiB", kib,
                             ["--quota-bytes", "1048576", "--quota-requests", "200"], quota_bytes=1048576))
        rows.append(run_case("quota 1 MiB/s + 5 % faults: 16k x 1 KiB", kib,
                             ["--quota-bytes", "1048576", "--quota-requests", "200", "--fail-records", "0.05"],
                             quota_bytes=1048576))
    print("| case | records | acknowledged | dead-lettered | lost | seconds | retries | throttled | goodput rec/s | "
          "vs (1-p) x fault-free | quota used | records throttled |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        ratio = f'{r["ratio"]:.2f}' if "ratio" in r else ""
        quota = f'{100 * r["quota_used"]:.1f} %' if "quota_used" in r else ""
        share = f'{100 * r["throttled_share"]:.2f} %' if "throttled_share" in r else ""
        print(f'| {r["case"]} | {r["records"]} | {r["acknowledged"]} | {r["dead_lettered"]} | {r["lost"]} | '
              f'{r["seconds"]:.2f} | {r["retries"]} | {r["throttled"]} | {r["goodput"]:.0f} | {ratio} | {quota} | {share} |')


if __name__ == "__main__":
    main()
