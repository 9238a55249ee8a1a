"""End-to-end proof of issue #11: `firehose send` under faults never stalls, never
loses a record, always ends, and keeps its memory bounded.

Every test runs the real CLI against a real firehose-local (or a server that
never answers) on 127.0.0.1 and checks three things:
  - the exit code;
  - the summary's invariant (records == acknowledged + dead_lettered with
    --dead-letter, failed == dead_lettered);
  - the ids: every input line carries a unique id; after the run firehose-local
    is flushed and every delivered object and every dead-letter entry is read
    back: each id read is delivered or dead-lettered (or, for an oversize line,
    listed by its `source`), none is missing, none is foreign, and the records
    delivered twice (or dead-lettered yet delivered) are at most the reported
    `possible_duplicates`.
Durations are never asserted: each run has a generous timeout, and a run still
alive at its timeout (a stall) is killed and fails the test. Durations and peak
RSS are printed for the record.
"""
import base64
import collections
import os
import re
import signal
import time
import unittest

from harness import MEMORY_FACTOR, SLOWDOWN, Sandbox, memory_bound, short_or
from faults_support import (EXIT_OK, EXIT_PARTIAL, EXIT_SERVICE, EXIT_SIGINT, EXIT_SIGTERM, EXIT_USAGE, RECORD_LIMIT,
                            NeverAnsweringServer, PinnedLocal, big_line, check_summary, delivered_lines,
                            id_line, line_id, log, read_dead_letter, reconcile, run_send, write_id_file)

STREAM = "faults"


class ProducerFaults(unittest.TestCase):
    def setUp(self):
        self.sandbox = Sandbox()
        self.addCleanup(self.sandbox.cleanup)
        self.dlq = os.path.join(self.sandbox.home, "dead-letter.ndjson")
        self.started = time.monotonic()

    def tearDown(self):
        log(f"{self.id().rsplit('.', 1)[-1]}: {time.monotonic() - self.started:.1f}s in all")

    # ---- set-up ----
    def local(self, *args, stream=STREAM, seed=11):
        """A firehose-local with the given flags and one uncompressed stream, cleaned up after the test."""
        local = PinnedLocal(*args, seed=seed)
        local.start()
        self.addCleanup(local.__exit__, None, None, None)
        local.create_stream(local.client(), stream, CompressionFormat="UNCOMPRESSED")
        self.sandbox.point_at(local)
        return local

    def input_file(self, count, name="input.ndjson", average=200):
        path = os.path.join(self.sandbox.home, name)
        return path, write_id_file(path, count, average=average)

    def send(self, *args, dead_letter=True, **kwargs):
        argv = ["--delivery-stream-name", kwargs.pop("stream", STREAM)]
        if dead_letter:
            argv += ["--dead-letter", self.dlq]
        run = run_send(self.sandbox, [*argv, *args], **kwargs)
        summary = run.summary
        log(f"{self.id().rsplit('.', 1)[-1]}: exit {run.code} in {run.seconds}s"
            f"{' (after the last signal: %ss)' % run.exit_after_signal if run.exit_after_signal is not None else ''}"
            f", peak RSS {run.peak_rss_kib / 1024:.1f} MiB, summary {summary}")
        self.assertFalse(run.rss_limit_hit, f"killed by the RSS guard (runaway memory)\n{run!r}")
        self.assertFalse(run.timed_out, f"still running at its timeout: a stall, or shutdown that does not end\n{run!r}")
        return run

    def assertExit(self, run, code):
        self.assertEqual(run.code, code, f"exit code {run.code}, the contract says {code}\n{run!r}")

    def assertAllDelivered(self, run, local, ids):
        """Exit 0, every record acknowledged, and the delivered objects hold each id. Returns
        (summary, reconciled)."""
        summary = check_summary(self, run)
        self.assertExit(run, EXIT_OK)
        self.assertEqual(summary["acknowledged"], len(ids), summary)
        return summary, reconcile(self, run, local, self.dlq, ids)

    def assertExitMatches(self, run, summary):
        """0 when everything was acknowledged, 1 when something was dead-lettered."""
        self.assertExit(run, EXIT_OK if summary["dead_lettered"] == 0 else EXIT_PARTIAL)

    # ---- oversize lines ----
    def oversize_input(self, big_size, around=3, big_id=None):
        """`around` id lines, one line of `big_size` bytes ('\n' included), `around` id lines,
        and one line just under the limit (1,023,999 bytes + '\n': accepted)."""
        path = os.path.join(self.sandbox.home, "oversize.ndjson")
        big_id = around if big_id is None else big_id
        with open(path, "wb") as f:
            for n in range(around):
                f.write(id_line(n, 100))
            f.write(big_line(big_id, big_size))
            for n in range(around + 1, 2 * around + 1):
                f.write(id_line(n, 100))
            f.write(big_line(2 * around + 1, RECORD_LIMIT))  # exactly at the limit: a record
        return path, list(range(2 * around + 2)), around + 1  # ids, the big line's line number

    def check_oversize(self, big_size, from_pipe):
        local = self.local()
        path, ids, big_line_no = self.oversize_input(big_size)
        if from_pipe:
            run = self.send("-", stdin_command=["cat", path], timeout=60)
            source = f"stdin:{big_line_no}"
        else:
            run = self.send(path, timeout=60)
            source = f"{path}:{big_line_no}"
        summary = check_summary(self, run)
        self.assertExit(run, EXIT_PARTIAL)
        self.assertEqual(summary["records"], len(ids), summary)
        self.assertEqual(summary["dead_lettered"], 1, summary)
        self.assertEqual(summary["acknowledged"], len(ids) - 1, summary)
        result = reconcile(self, run, local, self.dlq, ids, oversize_sources={source: big_line_no - 1})
        entry = result.entries[0]
        self.assertEqual(entry["error_code"], "RecordTooLarge", entry)
        self.assertEqual(entry.get("size"), big_size, f"size is the record's bytes with its '\\n': {entry}")
        self.assertIs(entry.get("truncated"), True, entry)
        self.assertNotIn("data", entry, "an oversize record's data is not written whole")
        with open(path, "rb") as f:
            content = f.read()
        start = content.index(b'{"id":%d,' % (big_line_no - 1))
        self.assertEqual(base64.b64decode(entry["data_prefix"]), content[start:start + 1024], entry)
        # The line just under the limit went through, byte for byte.
        exact = big_line(len(ids) - 1, RECORD_LIMIT)
        self.assertIn(exact, delivered_lines(local))
        self.assertEqual(oct(os.stat(self.dlq).st_mode & 0o777), "0o600")

    def test_oversize_line_1100000_bytes_from_file(self):
        self.check_oversize(1_100_000, from_pipe=False)

    def test_oversize_line_1100000_bytes_from_pipe(self):
        self.check_oversize(1_100_000, from_pipe=True)

    def test_line_of_exactly_1024000_bytes_is_too_large_with_its_newline_from_file(self):
        # 1,024,000 bytes of line + the '\n' send appends = 1,024,001: over the limit.
        self.check_oversize(RECORD_LIMIT + 1, from_pipe=False)

    def test_line_of_exactly_1024000_bytes_is_too_large_with_its_newline_from_pipe(self):
        self.check_oversize(RECORD_LIMIT + 1, from_pipe=True)

    def test_oversize_without_dead_letter_file_is_counted_failed_and_warned_about(self):
        local = self.local()
        path, ids, _ = self.oversize_input(1_100_000)
        run = self.send(path, dead_letter=False, timeout=60)
        summary = check_summary(self, run, dead_letter=False)
        self.assertExit(run, EXIT_PARTIAL)
        self.assertEqual(summary["failed"], 1, summary)
        self.assertEqual(summary["dead_lettered"], 0, summary)
        self.assertEqual(summary["acknowledged"], len(ids) - 1, summary)
        stderr_lines = [line for line in run.stderr.splitlines() if line.strip()]
        self.assertTrue(stderr_lines and re.search(r"dead.letter", stderr_lines[0], re.I),
                        f"the first line of stderr should warn that refused records will only be counted "
                        f"(no --dead-letter)\n{run!r}")
        local.flush()
        delivered = {line_id(line) for line in delivered_lines(local)}
        self.assertEqual(delivered, set(ids) - {3})

    # ---- odd lines ----
    ODD_LINES = [
        b'{"id":0}\n',
        b"\n",
        b'{"id":1,"crlf":true}\r\n',
        b"\n",
        b"\n",
        b'{"id":2,"bin":"' + bytes(b for b in range(256) if b != 0x0A) + b'"}\n',
        b'{"id":3,"cr":"a\rb","nul":"\x00"}\n',
        b'{"id":4,"invalid_utf8":"\xc3\x28\xff"}\n',
        b'{"id":5,"last":"no newline"}',
    ]

    def check_odd_lines(self, from_pipe):
        local = self.local()
        path = os.path.join(self.sandbox.home, "odd.ndjson")
        with open(path, "wb") as f:
            f.write(b"".join(self.ODD_LINES))
        expected = collections.Counter(line if line.endswith(b"\n") else line + b"\n" for line in self.ODD_LINES)
        run = self.send(*(["-"] if from_pipe else [path]), stdin_path=path if from_pipe else None, timeout=60)
        summary = check_summary(self, run)
        self.assertExitMatches(run, summary)
        self.assertEqual(summary["records"], len(self.ODD_LINES), f"records = lines read: {summary}")
        local.flush()
        delivered = collections.Counter(delivered_lines(local))
        dead = collections.Counter(e["raw"] for e in read_dead_letter(self.dlq) if "raw" in e)
        self.assertEqual(sum(dead.values()), summary["dead_lettered"])
        self.assertEqual(delivered + dead, expected,
                         "each line delivered (or dead-lettered) byte for byte, with a '\\n' added to the last")
        # Only an empty line may be refused; every line with content is a valid record.
        self.assertTrue(set(dead) <= {b"\n"}, f"a valid line was dead-lettered: {dead}")

    def test_odd_lines_from_file(self):
        self.check_odd_lines(from_pipe=False)

    def test_odd_lines_from_stdin(self):
        self.check_odd_lines(from_pipe=True)

    # ---- a fatal error mid-run ----
    def delete_stream_at(self, local, seconds):
        firehose = local.client()
        state = {"deleted_at": None}

        def tick(run, elapsed):
            if state["deleted_at"] is None and elapsed >= seconds:
                firehose.delete_delivery_stream(DeliveryStreamName=STREAM)
                state["deleted_at"] = elapsed
        return tick, state

    def test_stream_deleted_mid_run_from_a_file_of_100k_lines(self):
        # 10,000 records/s: the run would take 10 s (3 s in the short mode); the stream goes at 2 s.
        local = self.local("--quota-records", "10000")
        path, ids = self.input_file(short_or(100_000, 30_000))
        tick, state = self.delete_stream_at(local, 2.0)
        run = self.send(path, timeout=60, on_tick=tick)
        summary = check_summary(self, run)
        self.assertIsNotNone(state["deleted_at"], f"the run ended before the stream was deleted: {summary}")
        self.assertExit(run, EXIT_SERVICE)
        self.assertIn("ResourceNotFoundException", run.stderr)
        self.assertGreater(summary["acknowledged"], 0, summary)
        self.assertGreater(summary["dead_lettered"], 0, summary)
        result = reconcile(self, run, local, self.dlq, range(summary["records"]))
        codes = collections.Counter(e["error_code"] for e in result.entries)
        self.assertEqual(set(codes), {"ResourceNotFoundException"}, f"dead-lettered with the fatal error: {codes}")
        log(f"deleted at {state['deleted_at']:.1f}s; {result.table()}")

    def test_stream_deleted_mid_run_from_an_infinite_pipe(self):
        local = self.local()
        tick, state = self.delete_stream_at(local, 3.0)
        run = self.send("-", stdin_command=["yes", '{"id":"e"}'], timeout=40, on_tick=tick)
        summary = check_summary(self, run)
        self.assertIsNotNone(state["deleted_at"])
        self.assertExit(run, EXIT_SERVICE)
        self.assertGreater(summary["acknowledged"], 0, summary)
        local.flush()
        delivered = delivered_lines(local)
        entries = read_dead_letter(self.dlq)
        self.assertEqual(len(entries), summary["dead_lettered"], summary)
        self.assertTrue(all(e.get("raw") == b'{"id":"e"}\n' for e in entries))
        self.assertEqual(set(delivered) - {b'{"id":"e"}\n'}, set())
        self.assertEqual({e["error_code"] for e in entries}, {"ResourceNotFoundException"})
        # Each acknowledged record was delivered; the rest read are in the dead-letter file.
        self.assertGreaterEqual(len(delivered), summary["acknowledged"], summary)
        self.assertLessEqual(len(delivered), summary["acknowledged"] + summary["possible_duplicates"], summary)
        log(f"deleted at {state['deleted_at']:.1f}s; {summary['records']} records read, {len(delivered)} delivered")

    # ---- random faults never stall ----
    def check_no_stall(self, faults, count, send_args=(), timeout=60, expect_all=True, average=200):
        local = self.local(*faults)
        path, ids = self.input_file(count, average=average)
        run = self.send(*send_args, path, timeout=timeout)
        summary = check_summary(self, run)
        self.assertEqual(summary["records"], count, summary)
        self.assertExitMatches(run, summary)
        if expect_all:
            self.assertExit(run, EXIT_OK)
        local.flush()
        counters = local.counters()
        log(f"server counters: {counters}")
        result = reconcile(self, run, local, self.dlq, ids)
        log(f"{count} records in {run.seconds}s: retries {summary['retries']}, throttled {summary['throttled']}, "
            f"possible duplicates {summary['possible_duplicates']}; {result.table()}; server: "
            f"{counters['records_failed_injected']} failed injected, {counters['resets_after']} resets after")
        return summary, result, counters

    def test_one_percent_slow_down_does_not_stall(self):
        # Issue #11 (1): 12,868 of 30,000 after 45 s. Contract: well under 15 s.
        self.check_no_stall(["--fail-records", "0.01"], short_or(30_000, 10_000), timeout=60)

    def test_thirty_percent_with_500s_resets_and_latency_does_not_stall(self):
        summary, result, counters = self.check_no_stall(
            ["--fail-records", "0.3", "--fail-requests", "0.05", "--reset-before", "0.02", "--reset-after", "0.02",
             "--latency-ms", "5:10"], short_or(30_000, 10_000), send_args=["--max-attempts", "30"], timeout=60)
        self.assertGreater(counters["resets_after"], 0)
        self.assertGreater(summary["retries"], 0)

    def test_whole_call_503s_with_failing_records_and_small_lines_do_not_stall(self):
        # 10 % of calls refused whole (503) and 30 % of records failing, 50,000 lines of ~24 bytes:
        # 49 s before (the faults' share of 20-request groups read 0, so each 503 lowered the rate;
        # a record refused inside answers and then caught by one 503 slept for seconds).
        self.check_no_stall(["--fail-requests", "0.1", "--fail-requests-status", "503", "--fail-records", "0.3",
                             "--fail-records-code", "InternalFailure"], 50_000,
                            send_args=["--max-attempts", "30"], timeout=40, average=21)

    def test_every_fault_at_once_with_small_lines_does_not_stall(self):
        # Records and calls failing, resets, latency and stalled requests, ~24-byte lines: minutes at
        # a few records/s before (a stalled request stopped the reader, whose blocks of small lines
        # were charged more than the whole budget at once; after that lull the faults' share was
        # taken as none, and every throttle lowered the rate to its floor).
        summary, _, counters = self.check_no_stall(
            ["--fail-records", "0.3", "--fail-requests", "0.1", "--reset-before", "0.05", "--reset-after", "0.05",
             "--stall-rate", "0.01", "--stall-seconds", "3", "--latency-ms", "5:20"], 50_000,
            send_args=["--max-attempts", "30"], timeout=90, average=21)
        self.assertGreater(counters["resets_after"], 0)
        self.assertGreater(summary["retries"], 0)

    def test_sixty_percent_internal_failure_does_not_stall(self):
        # Default --max-attempts 10: 0.6^10 of the records may be dead-lettered, after 10 attempts.
        summary, result, _ = self.check_no_stall(
            ["--fail-records", "0.6", "--fail-records-code", "InternalFailure"], 10_000, timeout=90, expect_all=False)
        for entry in result.entries:
            self.assertEqual((entry["error_code"], entry["attempts"]), ("InternalFailure", 10), entry)
        self.assertGreaterEqual(summary["retries"], 10_000, "60 % failed: at least as many re-sends as records")

    def test_60_kb_records_at_a_1_mib_quota_do_not_sink_the_rate(self):
        # 12 MB of 60 KB lines at 1 MiB/s took 42 s (27 % of the quota): full requests (3 MB) were
        # three seconds of the quota, refused in part whatever the pace, and each answer lowered the
        # rate again. Since a throttle, requests carry half a second of the limit (about 11.6 s now).
        local = self.local("--quota-bytes", "1048576")
        path = os.path.join(self.sandbox.home, "big.ndjson")
        with open(path, "wb") as f:
            f.writelines(big_line(n, 60_000) for n in range(200))
        run = self.send(path, timeout=30)
        self.assertAllDelivered(run, local, list(range(200)))

    def test_packed_records_at_a_quota_are_all_delivered(self):
        # --pack makes records of up to 1 MB: a second of this quota holds one. The limiter's faults'
        # share, measured on groups of 1,000 records, was never known, so it never lowered the rate
        # and ~40 % of the lines ran out of attempts at the default 5 MiB/s quota.
        local = self.local("--quota-bytes", "1048576")
        path, ids = self.input_file(short_or(30_000, 20_000))
        run = self.send("--pack", path, timeout=120)
        summary, result = self.assertAllDelivered(run, local, ids)
        log(f"{len(ids)} lines packed in {run.seconds}s: retries {summary['retries']}, throttled "
            f"{summary['throttled']}; {result.table()}")

    # ---- honest counters ----
    def test_every_answer_lost_counts_each_record_once_and_every_resend(self):
        # Issue #11 (8): possible_duplicates counted attempts (6,000 for 2,000 records) and retries
        # left out re-sends made below the producer. Every call here is stored and then reset: each
        # record is sent --max-attempts times, delivered that many times, and dead-lettered.
        local = self.local("--reset-after", "1.0")
        path, ids = self.input_file(2_000)
        run = self.send("--max-attempts", "3", path, timeout=60)
        summary = check_summary(self, run)
        self.assertExit(run, EXIT_PARTIAL)
        self.assertEqual((summary["acknowledged"], summary["dead_lettered"]), (0, len(ids)), summary)
        self.assertEqual(summary["possible_duplicates"], len(ids), f"one per record, not per attempt: {summary}")
        counters = local.counters()
        # Every send of a record reached the stream: sends = records + re-sends, wherever they were made.
        self.assertEqual(counters["records_received"], summary["records"] + summary["retries"],
                         f"retries must count every re-send: server received {counters['records_received']}, "
                         f"summary {summary}")
        result = reconcile(self, run, local, self.dlq, ids)
        self.assertTrue(all(e["possible_duplicate"] and e["attempts"] == 3 for e in result.entries))
        self.assertEqual(len(result.dead_but_delivered), len(ids), result.table())
        log(f"server received {counters['records_received']} record sends; {result.table()}")

    # ---- shutdown ----
    def check_shutdown(self, run, code, local, *, shutdown_only=True, require_shutdown=True):
        summary = check_summary(self, run)
        self.assertExit(run, code)
        self.assertGreater(summary["records"], 0, summary)
        result = reconcile(self, run, local, self.dlq, range(summary["records"]))
        codes = collections.Counter(e["error_code"] for e in result.entries)
        if shutdown_only:
            self.assertEqual(set(codes) - {"Shutdown"}, set(), f"unsent records dead-lettered as Shutdown: {codes}")
        if require_shutdown:  # the run is built so that the grace cannot drain what is in memory
            self.assertIn("Shutdown", codes, f"the grace ran out with records in memory: {codes}")
        log(f"codes {dict(codes)}; {result.table()}")
        return summary, result

    # Every call takes 3 s and two are out at once: at the signal (2 s) the first two requests are
    # still out, so the 2 s grace can take in their answers (acknowledged > 0) but not send what
    # is queued behind them (Shutdown). Under a sanitizer the client starts and sends more slowly
    # (its first requests left after 1 s under ThreadSanitizer, and were answered after the
    # grace): the three times stretch together (FIREHOSE_TEST_SLOWDOWN).
    SLOW = ("--latency-ms", str(int(3000 * SLOWDOWN)))
    TWO_IN_FLIGHT = ("--max-in-flight", "2")
    SIGNAL_AT = 2.0 * SLOWDOWN
    GRACE = str(int(2 * SLOWDOWN))

    def test_sigterm_drains_within_grace_then_dead_letters_the_rest(self):
        local = self.local(*self.SLOW)
        path, _ = self.input_file(200_000)
        run = self.send(*self.TWO_IN_FLIGHT, "--shutdown-grace", self.GRACE, path,
                        signals=[(self.SIGNAL_AT, signal.SIGTERM)], timeout=60, after_signal_timeout=22)
        summary, _ = self.check_shutdown(run, EXIT_SIGTERM, local)
        self.assertGreater(summary["acknowledged"], 0, f"requests in flight were answered in the grace: {summary}")

    def test_sigint_drains_within_grace_then_dead_letters_the_rest(self):
        local = self.local(*self.SLOW)
        path, _ = self.input_file(200_000)
        run = self.send(*self.TWO_IN_FLIGHT, "--shutdown-grace", self.GRACE, path,
                        signals=[(self.SIGNAL_AT, signal.SIGINT)], timeout=60, after_signal_timeout=22)
        summary, _ = self.check_shutdown(run, EXIT_SIGINT, local)
        self.assertGreater(summary["acknowledged"], 0, f"requests in flight were answered in the grace: {summary}")

    def test_second_sigint_dead_letters_everything_at_once(self):
        # Every call stalls for 10 minutes and the grace is 60 s: only the second SIGINT can end
        # this run before its 20 s bound.
        local = self.local("--stall-rate", "1", "--stall-seconds", "600")
        path, _ = self.input_file(50_000)
        run = self.send("--shutdown-grace", "60", path, signals=[(2.0, signal.SIGINT), (2.5, signal.SIGINT)],
                        timeout=60, after_signal_timeout=20)
        summary, _ = self.check_shutdown(run, EXIT_SIGINT, local)
        self.assertEqual(summary["acknowledged"], 0, summary)

    def test_sigint_while_reader_blocked_on_memory_budget(self):
        # Issue #11 (4): 60 % "Slow down." and a 2 MiB budget: the reader waits on the budget, the
        # senders on the limiter; SIGINT at 5 s was still running 90 s later. Whether the 2 s grace
        # drains what is in memory is left open.
        local = self.local("--fail-records", "0.6")
        path, _ = self.input_file(300_000)
        run = self.send("--memory-mb", "2", "--shutdown-grace", "2", path, signals=[(5.0, signal.SIGINT)],
                        timeout=60, after_signal_timeout=22)
        summary, result = self.check_shutdown(run, EXIT_SIGINT, local, shutdown_only=False, require_shutdown=False)
        self.assertLess(summary["records"], 300_000, "the reader was stopped, not run to the end")
        codes = {e["error_code"] for e in result.entries}
        self.assertEqual(codes - {"Shutdown", "ServiceUnavailableException"}, set(), codes)

    def test_sigterm_against_an_endpoint_that_never_answers(self):
        # Issue #11 (4): took 40 s (the request timeout), not the grace.
        with NeverAnsweringServer() as server:
            self.sandbox.point_at(server)
            path, _ = self.input_file(20_000)
            run = self.send("--shutdown-grace", "2", path, signals=[(2.0, signal.SIGTERM)], timeout=60,
                            after_signal_timeout=15)
            summary, result = self.check_shutdown(run, EXIT_SIGTERM, None)
            self.assertEqual(summary["acknowledged"], 0, summary)
            self.assertGreater(server.bytes_received, 0, "the requests reached the server")

    def test_sigint_with_the_reader_waiting_for_memory_sends_what_it_read(self):
        # The reader waits in put() for memory (a 1 MiB budget, one request at a time, slow answers).
        # Ctrl-C used to close the intake at once: that put() refused its block of lines, read but
        # unsent, as "Shutdown" (10,923 at one Ctrl-C). With a grace long enough, every line read is sent.
        local = self.local("--latency-ms", "50")
        path, ids = self.input_file(100_000)
        run = self.send("--memory-mb", "1", "--max-in-flight", "1", "--fixed-in-flight", "--shutdown-grace", "60",
                        path, signals=[(1.5, signal.SIGINT)], timeout=120)
        self.assertExit(run, EXIT_SIGINT)
        summary = check_summary(self, run)
        self.assertLess(summary["records"], len(ids), "the reader was stopped, not run to the end")
        self.assertEqual((summary["acknowledged"], summary["dead_lettered"]), (summary["records"], 0), summary)

    def test_sigterm_mid_line_on_a_pipe_dead_letters_the_cut_line(self):
        # A signal while a pipe was in the middle of a line: its bytes were read, and dropped without a
        # word (exit 143, "records":1). The cut line is a record read: it is dead-lettered with its reason.
        self.local()
        feed = ["sh", "-c", "printf '{\"id\":0}\\n'; head -c 200000 /dev/zero | tr '\\0' y; exec sleep 30"]
        run = self.send("-", stdin_command=feed, signals=[(2.0, signal.SIGTERM)], timeout=60)
        self.assertExit(run, EXIT_SIGTERM)
        summary = check_summary(self, run)
        self.assertEqual((summary["records"], summary["acknowledged"], summary["dead_lettered"]), (2, 1, 1), summary)
        [entry] = read_dead_letter(self.dlq)
        self.assertEqual((entry["error_code"], entry["size"], entry["source"]), ("Interrupted", 200_000, "stdin:2"))
        self.assertIn("stdin:2: reading stopped (a signal) before this line's end: 200000 bytes read", run.stderr)

    # ---- the dead-letter file ----
    def failed_records_in_the_dead_letter_file(self, count):
        """Sends `count` lines that all fail once: the dead-letter file holds `count` entries."""
        local = self.local("--fail-records", "1.0", "--fail-records-code", "InternalFailure")
        path, _ = self.input_file(count)
        run = self.send("--max-attempts", "1", path)
        self.assertExit(run, EXIT_PARTIAL)
        self.assertEqual(len(read_dead_letter(self.dlq)), count)
        return local, path

    def test_a_dead_letter_file_that_is_also_an_input_is_refused(self):
        # A replay writing to the file it reads never ended (FIREHOSE_DEAD_LETTER set, the file read
        # back: 6.6 million lines in a minute); an input given as the dead-letter file got JSON appended.
        local, path = self.failed_records_in_the_dead_letter_file(20)
        received = local.counters()["put_requests"]
        for argv in (["--from-dead-letter", self.dlq], [self.dlq], [path, "-"]):
            with self.subTest(argv=argv):
                dead_letter = self.dlq if argv != [path, "-"] else path
                run = run_send(self.sandbox, ["--delivery-stream-name", STREAM, "--dead-letter", dead_letter, *argv],
                               stdin_path=path if argv == [path, "-"] else None, timeout=30)
                self.assertExit(run, EXIT_USAGE)
                self.assertIn("is also an input", run.stderr)
        self.assertEqual(local.counters()["put_requests"], received, "nothing was sent")
        self.assertEqual(len(read_dead_letter(self.dlq)), 20, "the dead-letter file is as it was")

    def test_a_replay_goes_to_the_stream_its_entries_name(self):
        # `--from-dead-letter` without a stream failed with "no delivery stream", though every
        # entry names one.
        local, _ = self.failed_records_in_the_dead_letter_file(30)
        local.settings(fail_records=0)
        run = run_send(self.sandbox, ["--from-dead-letter", self.dlq], timeout=30)
        self.assertExit(run, EXIT_OK)
        self.assertEqual(check_summary(self, run, dead_letter=False)["acknowledged"], 30)
        self.assertIn(f"sending to {STREAM}, the stream the dead-letter file names", run.stderr)

    def test_a_replay_with_a_malformed_line_half_way_sends_nothing(self):
        # 1,000 good entries, a bad line, 10 more: the 1,000 were sent, then exit 2; fixing the file
        # and running again sent them twice. The file is checked whole first.
        local, _ = self.failed_records_in_the_dead_letter_file(1010)
        with open(self.dlq, "rb") as f:
            lines = f.readlines()
        bad = os.path.join(self.sandbox.home, "bad.ndjson")
        with open(bad, "wb") as f:
            f.writelines(lines[:1000] + [b"not json\n"] + lines[1000:])
        received = local.counters()["put_requests"]
        run = self.send("--from-dead-letter", bad, dead_letter=False)
        self.assertExit(run, EXIT_USAGE)
        self.assertIn("bad.ndjson:1001", run.stderr)
        self.assertIn("nothing was sent", run.stderr)
        self.assertEqual(local.counters()["put_requests"], received)

    # ---- the endpoint crashes ----
    def test_endpoint_killed_and_restarted_on_the_same_port_loses_nothing(self):
        local = self.local("--quota-records", "20000")
        path, ids = self.input_file(100_000)
        state = {"checked": 0.0, "killed_at": None, "restarted_at": None}

        def tick(run, elapsed):
            if state["killed_at"] is None:
                if elapsed - state["checked"] >= 0.2:
                    state["checked"] = elapsed
                    if local.counters()["records_acknowledged"] >= 30_000:
                        local.kill()
                        state["killed_at"] = elapsed
            elif state["restarted_at"] is None and elapsed - state["killed_at"] >= 2.0:
                local.start_again()
                state["restarted_at"] = elapsed

        run = self.send(path, timeout=90, on_tick=tick)
        self.assertIsNotNone(state["restarted_at"], f"the run ended before the restart: {state}\n{run!r}")
        summary, result = self.assertAllDelivered(run, local, ids)
        log(f"killed at {state['killed_at']:.1f}s, back at {state['restarted_at']:.1f}s; "
            f"possible duplicates {summary['possible_duplicates']}, retries {summary['retries']}; {result.table()}")

    def test_endpoint_gone_for_good_dead_letters_when_attempts_or_ttl_run_out(self):
        local = self.local("--quota-records", "20000")
        path, ids = self.input_file(100_000)
        state = {"checked": 0.0, "killed_at": None}

        def tick(run, elapsed):
            if state["killed_at"] is None and elapsed - state["checked"] >= 0.2:
                state["checked"] = elapsed
                if local.counters()["records_acknowledged"] >= 20_000:
                    local.kill()
                    state["killed_at"] = elapsed

        run = self.send("--max-attempts", "3", "--record-ttl", "5", path, timeout=90, on_tick=tick)
        self.assertIsNotNone(state["killed_at"], f"the run ended before the kill\n{run!r}")
        summary = check_summary(self, run)
        self.assertExit(run, EXIT_PARTIAL)
        self.assertGreater(summary["dead_lettered"], 0, summary)
        # Bring the data directory back up (on another port is fine) to deliver what was acknowledged.
        local.port = None
        local.start_again()
        result = reconcile(self, run, local, self.dlq, ids)
        self.assertTrue(all(e["error_code"] for e in result.entries))
        self.assertTrue(all(0 <= e["attempts"] <= 3 for e in result.entries), "--max-attempts 3")
        log(f"killed at {state['killed_at']:.1f}s; codes "
            f"{dict(collections.Counter(e['error_code'] for e in result.entries))}; {result.table()}")

    # ---- memory ----
    def check_one_huge_line(self, run, size, source, first_bytes):
        # Memory first: the point of these tests.
        self.assertLess(run.peak_rss_kib, memory_bound(60 * 1024),
                        f"peak RSS {run.peak_rss_kib / 1024:.1f} MiB: the line was buffered\n{run!r}")
        summary = check_summary(self, run)
        self.assertExit(run, EXIT_PARTIAL)
        entries = read_dead_letter(self.dlq)
        oversize = [e for e in entries if e["error_code"] == "RecordTooLarge"]
        self.assertEqual(len(oversize), 1, f"the huge line is dead-lettered as RecordTooLarge: {entries[:3]}")
        entry = oversize[0]
        self.assertEqual(entry.get("size"), size, entry)
        self.assertEqual(entry.get("source"), source, entry)
        self.assertIs(entry.get("truncated"), True, entry)
        self.assertEqual(base64.b64decode(entry["data_prefix"]), first_bytes, entry)
        return summary

    @unittest.skipIf(MEMORY_FACTOR != 1, "a figure of the uninstrumented build: ASan's quarantine and TSan's "
                     "shadow grow with the data streamed, not with the budget")
    def test_defaults_stay_under_48_mib_streaming_1_kib_lines_from_a_pipe(self):
        # Issue #11's memory goal with the defaults: 1 KiB lines peaked at 52-55 MiB with the
        # 36 MiB budget (200-byte lines stayed at 35-37 and hid it); 43-46 MiB with 28.
        local = self.local("--quota-bytes", "0", "--quota-records", "0", "--quota-requests", "0")
        count = short_or(400_000, 100_000)
        generator = ("import sys\n"
                     f"for n in range({count}):\n"
                     "    sys.stdout.write('{\"id\":%d,\"pad\":\"%s\"}\\n' % (n, 'x' * 1000))\n")
        run = self.send("-", stdin_command=["python3", "-c", generator], timeout=180)
        summary = check_summary(self, run)
        self.assertExit(run, EXIT_OK)
        self.assertEqual((summary["records"], summary["acknowledged"]), (count, count), summary)
        self.assertEqual(local.counters()["records_stored"], count)
        self.assertLess(run.peak_rss_kib, memory_bound(48 * 1024),
                        f"peak RSS {run.peak_rss_kib / 1024:.1f} MiB with the defaults (goal 48)\n{run!r}")

    @unittest.skipIf(MEMORY_FACTOR != 1, "a figure of the uninstrumented build: ASan's quarantine and TSan's "
                     "shadow grow with the data streamed, not with the budget")
    def test_pack_at_the_default_quota_stays_under_48_mib(self):
        # Packed records throttled once go again one or two to a call: each such body was lent a
        # 4 MiB idle buffer that the budget, charging the body's size, never saw, and RSS climbed
        # through the run (100 MiB of 1 KiB lines: 50-54 MiB; 32 since the pool counts what it lends).
        local = self.local()  # firehose-local's default quota: 5 MiB/s, 2,000 requests/s
        count = 100_000
        generator = ("import sys\n"
                     f"for n in range({count}):\n"
                     "    sys.stdout.write('{\"id\":%d,\"pad\":\"%s\"}\\n' % (n, 'x' * 1000))\n")
        run = self.send("--pack", "-", stdin_command=["python3", "-c", generator], timeout=180)
        summary = check_summary(self, run)
        self.assertExit(run, EXIT_OK)
        self.assertEqual((summary["records"], summary["acknowledged"]), (count, count), summary)
        self.assertGreater(summary["throttled"], 0, "the quota never throttled: the case is not the one meant")
        self.assertGreater(local.counters()["records_stored"], 0)
        self.assertLess(run.peak_rss_kib, memory_bound(48 * 1024),
                        f"peak RSS {run.peak_rss_kib / 1024:.1f} MiB with --pack at the quota (goal 48)\n{run!r}")

    def test_pipe_of_dev_zero_without_newline_stays_bounded(self):
        self.local()
        run = self.send("-", stdin_command=["head", "-c", "300M", "/dev/zero"], timeout=120)
        summary = self.check_one_huge_line(run, 300 * 1024 * 1024 + 1, "stdin:1", b"\0" * 1024)
        self.assertEqual((summary["records"], summary["dead_lettered"], summary["acknowledged"]), (1, 1, 0), summary)

    def test_100_mb_line_from_a_file_stays_bounded(self):
        local = self.local()
        path = os.path.join(self.sandbox.home, "huge.ndjson")
        size = 100 * 1000 * 1000
        with open(path, "wb") as f:
            for n in range(3):
                f.write(id_line(n, 50))
            head = b'{"id":3,"pad":"'
            f.write(head)
            chunk = b"y" * (1 << 20)
            remaining = size - len(head) - 3
            while remaining > 0:
                f.write(chunk[:remaining])
                remaining -= min(remaining, len(chunk))
            f.write(b'"}\n')
            for n in range(4, 7):
                f.write(id_line(n, 50))
        run = self.send(path, timeout=120)
        summary = self.check_one_huge_line(run, size, f"{path}:4", (head + b"y" * 1024)[:1024])
        self.assertEqual((summary["records"], summary["dead_lettered"], summary["acknowledged"]), (7, 1, 6), summary)
        reconcile(self, run, local, self.dlq, range(7), oversize_sources={f"{path}:4": 3})


if __name__ == "__main__":
    unittest.main()
