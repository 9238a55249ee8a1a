"""The fault-matrix soak of issue #11: SOAK_RECORDS records (default 200,000;
`make soak` runs 1,000,000) through every fault firehose-local injects at once —
per-record ServiceUnavailableException and InternalFailure, whole-request 500s
and 503s, resets before and after storing, latency with jitter, short stalls,
a records quota — with firehose-local killed (SIGKILL) and restarted once
mid-run on the same port and data directory. Then every input id is
reconciled with the delivered objects and the dead-letter file: nothing lost,
nothing foreign, duplicates within the reported possible_duplicates.

No duration is asserted: the run's timeout (scaled with the size) is the stall
detector. A small table of the figures is printed.
"""
import collections
import os
import sys
import time
import unittest

from harness import Sandbox, short_or
from faults_support import (EXIT_OK, PinnedLocal, check_summary, log, reconcile, run_send, write_id_file)

RECORDS = int(os.environ.get("SOAK_RECORDS") or short_or(200000, 50000))
STREAM = "matrix"
# With --seed the k-th put call meets the same faults whatever the timing; with seed 1026 every
# request fault kind below occurs within the first 20 calls of each server life (a unit test,
# LocalFaults.TheSoakSeedMeetsEveryRequestFaultWithinTwentyCalls, holds it to that); the short
# run's lives make 30 and more each. Seed 2026 met its first 500 only at call 89, which the
# short run's second life did not always reach (it failed under ASan).
SEED = 1026
FAULTS = [
    "--fail-records", "0.05", "--fail-records-code", "mix",        # ServiceUnavailable + InternalFailure per record
    "--fail-requests", "0.04", "--fail-requests-status", "mix",    # whole-request 500 / 503
    "--reset-before", "0.02", "--reset-after", "0.02",
    "--latency-ms", "2:8",
    "--stall-rate", "0.01", "--stall-seconds", "2",
    "--quota-records", "5000",                                       # a quota that bites (records/s)
]


class FaultMatrixSoak(unittest.TestCase):
    def setUp(self):
        self.sandbox = Sandbox()
        self.addCleanup(self.sandbox.cleanup)

    def test_every_fault_at_once_with_a_crash_and_restart(self):
        local = PinnedLocal(*FAULTS, seed=SEED)
        local.start()
        self.addCleanup(local.__exit__, None, None, None)
        local.create_stream(local.client(), STREAM, CompressionFormat="UNCOMPRESSED")
        self.sandbox.point_at(local)
        path = os.path.join(self.sandbox.home, "soak.ndjson")
        ids = write_id_file(path, RECORDS, average=100)
        dlq = os.path.join(self.sandbox.home, "dead-letter.ndjson")

        kill_at = RECORDS // 3
        state = {"checked": 0.0, "killed_at": None, "restarted_at": None, "acknowledged_before_kill": None}
        server_counts = collections.Counter()

        def tick(run, elapsed):
            if state["killed_at"] is None:
                if elapsed - state["checked"] >= 0.2:
                    state["checked"] = elapsed
                    counters = local.counters()
                    if counters["records_acknowledged"] >= kill_at:
                        server_counts.update({k: v for k, v in counters.items() if isinstance(v, int)})
                        local.kill()
                        state["killed_at"] = elapsed
                        state["acknowledged_before_kill"] = counters["records_acknowledged"]
            elif state["restarted_at"] is None and elapsed - state["killed_at"] >= 1.5:
                local.start_again()
                state["restarted_at"] = elapsed

        # The stall detector: slower than about 550 records/s on average counts as a stall
        # (200,000: 480 s, inside ctest's 600; 1,000,000: 1,920 s).
        timeout = 120 + RECORDS * 0.0018
        run = run_send(self.sandbox, ["--delivery-stream-name", STREAM, "--dead-letter", dlq,
                                      "--max-attempts", "30", path], timeout=timeout, on_tick=tick)
        summary = run.summary
        log(f"soak of {RECORDS}: exit {run.code} in {run.seconds}s, peak RSS {run.peak_rss_kib / 1024:.1f} MiB, "
            f"kill/restart {state}, summary {summary}")
        self.assertFalse(run.timed_out, f"still running after {timeout:.0f}s: a stall\n{run!r}")
        self.assertIsNotNone(state["restarted_at"], f"the run ended before the crash and restart\n{run!r}")
        summary = check_summary(self, run)
        self.assertEqual(summary["records"], RECORDS, summary)
        self.assertEqual(run.code, EXIT_OK, f"with 30 attempts and a 10-minute TTL every record gets through\n{run!r}")
        self.assertEqual(summary["acknowledged"], RECORDS, summary)

        started = time.monotonic()
        result = reconcile(self, run, local, dlq, ids)
        server_counts.update({k: v for k, v in local.counters().items() if isinstance(v, int)})
        reconciled_in = time.monotonic() - started
        # Every fault kind actually happened (over both server lives).
        for counter in ("records_failed_injected", "requests_failed_500", "requests_failed_503", "resets_before",
                        "resets_after", "latency_injected", "stalls", "records_throttled"):
            self.assertGreater(server_counts[counter], 0, f"no {counter}: the matrix missed a fault kind")
        rows = [
            ("records", summary["records"]),
            ("acknowledged", summary["acknowledged"]),
            ("dead-lettered", summary["dead_lettered"]),
            ("retries", summary["retries"]),
            ("throttled", summary["throttled"]),
            ("possible duplicates", summary["possible_duplicates"]),
            ("duplicated records found", result.duplicate_records()),
            ("extra copies delivered", result.extra_copies),
            ("records throttled (server)", server_counts["records_throttled"]),
            ("records failed injected (server)", server_counts["records_failed_injected"]),
            ("resets before/after (server)", f"{server_counts['resets_before']}/{server_counts['resets_after']}"),
            ("stalls (server)", server_counts["stalls"]),
            ("killed at / restarted at (s)", f"{state['killed_at']:.1f} / {state['restarted_at']:.1f}"),
            ("peak RSS (MiB)", f"{run.peak_rss_kib / 1024:.1f}"),
            ("seconds (send)", summary["seconds"]),
            ("seconds (reconcile)", f"{reconciled_in:.1f}"),
        ]
        width = max(len(name) for name, _ in rows)
        print("\n  fault matrix soak", file=sys.stderr)
        for name, value in rows:
            print(f"  {name:<{width}}  {value:>12}", file=sys.stderr)
        sys.stderr.flush()


if __name__ == "__main__":
    unittest.main()
