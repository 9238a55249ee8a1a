#!/usr/bin/env python3
"""Side-by-side benchmark (issue 16): every producer on the same fixed data sets against one
firehose-local, runs interleaved (each repeat goes through every data set and every producer in
turn, so that the machine's load drifts over all of them alike); then firehose send's memory
while streaming 4 GiB, and the quota run. Writes results.jsonl and report.md into --out, plots
into --img-dir, and with --update-doc replaces the generated section of docs/benchmarks.md.

  BENCH_SCALE=0.05 python3 bench/harness/run.py --build build-bench     # a quick run, 1/20 size
  make bench                                                            # the full run, doc updated

BENCH_SCALE (or --scale) multiplies every data set's record count (at least 1,000 records) and the
4 GiB streaming run; BENCH_REPEATS (or --repeats) how often each CPU run is repeated;
BENCH_QUOTA_SECONDS the length of each quota run (default 30 x scale, at least 10 s)."""
import argparse
import json
import os
import platform
import shlex
import sys
import time

import datasets
import producers
import quota
import report
from local import Local, QUOTAS_OFF, make_certificate, tls_supported

PARTS = ("cpu", "tls", "rss", "quota")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build-bench", help="build tree with firehose, firehose-local (and bench/)")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")))
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", "1")))
    parser.add_argument("--min-records", type=int, default=1000, help="fewest records of a scaled data set")
    parser.add_argument("--quota-seconds", type=float, default=float(os.environ.get("BENCH_QUOTA_SECONDS", "0")))
    parser.add_argument("--producers", default=",".join(p.key for p in producers.PRODUCERS),
                        help="comma-separated keys: firehose,seed,threaded,js,cli,floor")
    parser.add_argument("--sets", default=",".join(d.name for d in datasets.CPU_SETS),
                        help="comma-separated data sets of the CPU runs: " + ",".join(d.name for d in datasets.CPU_SETS))
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated: " + ",".join(PARTS))
    parser.add_argument("--data-dir", help="where the data sets are kept (default BUILD/bench-data)")
    parser.add_argument("--out", help="results directory (default BUILD/bench-results)")
    parser.add_argument("--img-dir", help="where the plots go (default OUT)")
    parser.add_argument("--update-doc", help="the docs/benchmarks.md whose generated section is replaced")
    parser.add_argument("--report-only", action="store_true",
                        help="measure nothing: write the report again from OUT's results.jsonl and run.json")
    args = parser.parse_args()
    set_names = args.sets.split(",")
    args.data_dir = args.data_dir or os.path.join(args.build, "bench-data")
    args.out = args.out or os.path.join(args.build, "bench-results")
    args.img_dir = args.img_dir or args.out
    args.parts = [p for p in args.parts.split(",") if p]
    args.sets = [d for d in datasets.CPU_SETS if d.name in set_names]
    unknown = (set(args.parts) - set(PARTS) | set(args.producers.split(",")) - set(producers.BY_KEY)
               | set(set_names) - {d.name for d in datasets.CPU_SETS})
    if unknown:
        parser.error(f"unknown part, producer or data set: {', '.join(sorted(unknown))}")
    if args.scale <= 0 or args.repeats < 1:
        parser.error("--scale must be > 0 and --repeats >= 1")
    if not args.quota_seconds:
        args.quota_seconds = max(10.0, 30 * args.scale)
    return args


def machine():
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30, 1)}


def write_report(args, info, results):
    markdown = report.write(info, results, args.img_dir, args.update_doc)
    with open(os.path.join(args.out, "report.md"), "w") as f:
        f.write(markdown)
    print(f"report: {os.path.join(args.out, 'report.md')}", file=sys.stderr)


def main():
    args = parse_args()
    if args.report_only:
        with open(os.path.join(args.out, "results.jsonl")) as f:
            results = [json.loads(line) for line in f if line.strip()]
        with open(os.path.join(args.out, "run.json")) as f:
            write_report(args, json.load(f), results)
        return 0
    os.makedirs(args.out, exist_ok=True)
    log_path = os.path.join(args.out, "producers.log")
    chosen = [producers.BY_KEY[k] for k in args.producers.split(",")]
    skipped = {p.key: producers.missing_reason(p, args.build) for p in chosen}
    runnable = [p for p in chosen if not skipped[p.key]]
    for key, reason in skipped.items():
        if reason:
            print(f"not measured: {key}: {reason}", file=sys.stderr)
    info = {"machine": machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "load_start": os.getloadavg(), "scale": args.scale, "repeats": args.repeats,
            "command": "BENCH_SCALE={} BENCH_REPEATS={} {}".format(
                args.scale, args.repeats, " ".join(shlex.quote(a) for a in sys.argv)),
            "skipped": {k: v for k, v in skipped.items() if v}, "parts": args.parts,
            "commit": os.popen("git rev-parse --short HEAD 2>/dev/null").read().strip()}
    results = []

    def record(result, part, dataset, transport="http", repeat=0):
        result.update(part=part, dataset=dataset, transport=transport, repeat=repeat)
        results.append(result)
        with open(os.path.join(args.out, "results.jsonl"), "a") as f:
            f.write(json.dumps(result) + "\n")
        s = result.get("summary", {})
        print(f"{part:5} {transport:5} {dataset:10} {result['producer']:13} cpu {result['user'] + result['sys']:7.2f} s"
              f"  wall {result['wall']:7.2f} s  rss {result['max_rss_mib']:6.1f} MiB  acked {s.get('acknowledged')}"
              f"/{result['records']}  stored {result['server']['records_stored']}", file=sys.stderr, flush=True)

    open(os.path.join(args.out, "results.jsonl"), "w").close()
    files = {}

    def dataset_file(ds):
        if ds.name not in files:
            count = datasets.scaled_count(ds, args.scale, args.min_records)
            path = datasets.make(ds, count, args.data_dir, args.build)
            files[ds.name] = (path, datasets.line_count(path))
        return files[ds.name]

    def cpu_pass(local, transport, sets, who, repeat):
        for ds in sets:
            path, count = dataset_file(ds)
            for producer in who:
                if producer.small_only:
                    continue
                record(producers.measure(producer, [path], count, local, args.build, log_path), "cpu", ds.name,
                       transport, repeat)
                if producer.key == "firehose" and ds.name == "100b":
                    record(producers.measure(producers.PACKED, [path], count, local, args.build, log_path),
                           "cpu", ds.name, transport, repeat)
        # The small set: the AWS CLI, with firehose send and the seed on the same records.
        if transport == "http" and any(p.small_only for p in who):
            path, count = dataset_file(datasets.CLI_SET)
            for producer in who:
                if producer.small_only or producer.key in ("firehose", "seed"):
                    record(producers.measure(producer, [path], count, local, args.build, log_path), "cpu",
                           datasets.CLI_SET.name, transport, repeat)

    for ds in args.sets:  # made up front: generation is not measured
        dataset_file(ds)
    if "cpu" in args.parts:
        with Local(args.build, args.out, args=QUOTAS_OFF) as local:
            for repeat in range(args.repeats):
                cpu_pass(local, "http", args.sets, runnable, repeat)
    if "tls" in args.parts:
        if not tls_supported(args.build):
            info["tls"] = "not measured: TLS not available (this firehose-local has no --tls-cert)"
        else:
            info["tls"] = "measured"
            tls_who = [p for p in runnable if p.tls]
            with Local(args.build, args.out, args=QUOTAS_OFF, tls=make_certificate(args.out)) as local:
                for repeat in range(args.repeats):
                    cpu_pass(local, "https", [d for d in args.sets if d.name == "1k"], tls_who, repeat)
    if "rss" in args.parts and producers.BY_KEY["firehose"] in runnable:
        small_path, small_count = dataset_file(datasets.RSS_SMALL_SET)
        big_path, big_count = dataset_file(datasets.CPU_SETS[0])
        with Local(args.build, args.out, args=QUOTAS_OFF) as local:
            for repeat in range(args.repeats):
                record(producers.measure(producers.BY_KEY["firehose"], [small_path], small_count, local, args.build,
                                         log_path, sample_rss=True), "rss", "100mib", repeat=repeat)
                # 4 GiB x scale: the 1 KiB set four times over (firehose send reads its inputs in turn).
                record(producers.measure(producers.BY_KEY["firehose"], [big_path] * 4, big_count * 4, local,
                                         args.build, log_path, sample_rss=True), "rss", "4x1k", repeat=repeat)
    if "quota" in args.parts:
        count = max(args.min_records, round(args.quota_seconds * quota.QUOTA_BYTES / quota.RECORD_BYTES))
        quota_set = datasets.Dataset("1k-quota", "1 KiB JSON", 1024, count)
        path, count = datasets.make(quota_set, count, args.data_dir, args.build), count
        for repeat in range(args.repeats):
            for producer in runnable:
                if producer.key in ("firehose", "seed"):
                    record(quota.run(producer, path, count, args.build, args.out, log_path), "quota", "1k-quota",
                           repeat=repeat)
    info["load_end"] = os.getloadavg()
    info["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with open(os.path.join(args.out, "run.json"), "w") as f:
        json.dump(info, f, indent=1)
    write_report(args, info, results)
    failures = [r for r in results if r["exit"] not in (0, 1) and r["producer"] != "seed"]
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
