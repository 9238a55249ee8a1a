"""Helpers for the end-to-end fault tests of `firehose send` (issue #11).

- input lines with unique ids (`{"id":N,...}`), written to a file;
- `PinnedLocal`: firehose-local that comes back on the same port after kill();
- `run_send`: `firehose send` with stdout/stderr in files, an optional producer
  process feeding its stdin (`head -c 300M /dev/zero`), optional signals at
  given times or on a condition, a hard timeout (the stall detector: a run
  still alive when it expires is killed and the test fails), and the child's
  peak RSS (VmHWM polled);
- `NeverAnsweringServer`: accepts connections, reads, never replies;
- reading back what was delivered (objects, GZIP or not) and dead-lettered,
  and `reconcile`, which checks that every input id was delivered or
  dead-lettered, nothing foreign appeared, and duplicates are accounted for.

Nothing here asserts a duration: durations are only measured and printed.
"""
import base64
import collections
import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from harness import FIREHOSE, FirehoseLocal, stall_bound

RECORD_LIMIT = 1_024_000  # bytes, the '\n' that send appends included
SUMMARY_KEYS = ("records", "acknowledged", "failed", "dead_lettered", "retries", "throttled",
                "possible_duplicates", "bytes", "seconds")
DEAD_LETTER_KEYS = ("stream", "error_code", "error_message", "attempts", "first_attempt", "last_attempt",
                    "possible_duplicate")

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_SERVICE, EXIT_TRANSPORT = 0, 1, 2, 4, 5
EXIT_SIGINT, EXIT_SIGTERM = 130, 143


def log(message):
    """Measurements for the report: to stderr, next to unittest's -v output."""
    print(f"    [faults] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- input ----

def id_line(n, pad=0):
    """One NDJSON line with its '\n': {"id":N,"pad":"xxx"}."""
    return b'{"id":%d,"pad":"%s"}\n' % (n, b"x" * pad)


def pad_for(n, average=200):
    """A deterministic pad length, so that lines vary in size (average about `average` bytes)."""
    return (n * 7919) % (2 * average - 40)


def write_id_file(path, count, start=0, average=200):
    """`count` id lines (ids start..start+count-1) of varying size; returns the ids."""
    with open(path, "wb") as f:
        chunk = []
        for n in range(start, start + count):
            chunk.append(id_line(n, pad_for(n, average)))
            if len(chunk) == 10_000:
                f.write(b"".join(chunk))
                chunk.clear()
        f.write(b"".join(chunk))
    return list(range(start, start + count))


def big_line(n, size):
    """An id line of exactly `size` bytes, '\n' included: its first bytes carry the id."""
    head = b'{"id":%d,"pad":"' % n
    tail = b'"}\n'
    return head + b"x" * (size - len(head) - len(tail)) + tail


_ID = re.compile(rb'^\{"id":(\d+)[,}]')


def line_id(line):
    """The id of an id line (bytes), or None."""
    m = _ID.match(line)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------- read back ----

def delivered_bytes(local, bucket="local-bucket"):
    """Every delivered object of the bucket, GZIP objects decompressed, concatenated in path order."""
    parts = []
    for name, data in local.objects(bucket):
        parts.append(gzip.decompress(data) if name.endswith(".gz") or data[:2] == b"\x1f\x8b" else data)
    return b"".join(parts)


def delivered_lines(local, bucket="local-bucket"):
    """Delivered records split back into lines (each record is one line with its '\n')."""
    return split_lines(delivered_bytes(local, bucket))


def split_lines(data):
    """Lines of bytes, each with its '\n', split on '\n' only (bytes.splitlines also splits on '\r')."""
    lines = data.split(b"\n")
    last = lines.pop()
    out = [line + b"\n" for line in lines]
    if last:
        out.append(last)
    return out


def read_dead_letter(path):
    """The entries of a dead-letter file; `data` decoded into entry["raw"] (bytes), if present."""
    if not path or not os.path.exists(path):
        return []
    entries = []
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            entry = json.loads(line)  # a malformed line is a test failure, with its traceback
            entry["_line"] = number
            if "data" in entry:
                entry["raw"] = base64.b64decode(entry["data"], validate=True)
            entries.append(entry)
    return entries


def parse_summary(stdout):
    """The JSON summary: the last line of stdout. None when there is none."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        return None
    try:
        summary = json.loads(lines[-1])
    except ValueError:
        return None
    return summary if isinstance(summary, dict) else None


# ------------------------------------------------------------- servers ----

class PinnedLocal(FirehoseLocal):
    """firehose-local that keeps its port: started on a free port, restart() and
    start_again() come back on the same one (and the same data directory)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.port = None

    def command(self):
        cmd = super().command()
        if self.port is not None:
            cmd[cmd.index("--port") + 1] = str(self.port)
        return cmd

    def start(self):
        super().start()
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    def start_again(self, seconds=15):
        """Start on the same port after kill(); retries while the port is still taken."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                return self.start()
            except RuntimeError:
                if self.process is not None and self.process.poll() is None:
                    raise
                self.process = None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def __exit__(self, *exc):
        if self.process is not None:
            super().__exit__(*exc)
        else:
            if self.log:
                self.log.close()
            if self._own_dir:
                import shutil
                shutil.rmtree(self.data_dir, ignore_errors=True)


class NeverAnsweringServer:
    """A TCP server on 127.0.0.1 that accepts every connection and reads (and
    discards) what comes, but never sends a byte: a request on it never ends."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1024)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = []
        self.bytes_received = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        # For Sandbox.point_at(): any keys will do, nothing checks them.
        self.access_key_id, self.secret_access_key = "AKIDNEVERANSWERS", "unused-secret"

    def _serve(self):
        import selectors
        selector = selectors.DefaultSelector()
        self.listener.setblocking(False)
        selector.register(self.listener, selectors.EVENT_READ)
        while not self._stop.is_set():
            for key, _ in selector.select(timeout=0.1):
                if key.fileobj is self.listener:
                    try:
                        conn, _ = self.listener.accept()
                    except BlockingIOError:
                        continue
                    conn.setblocking(False)
                    self.connections.append(conn)
                    selector.register(conn, selectors.EVENT_READ)
                else:
                    try:
                        data = key.fileobj.recv(65536)
                    except BlockingIOError:
                        continue
                    except ConnectionError:
                        data = b""
                    if data:
                        self.bytes_received += len(data)
                    else:
                        selector.unregister(key.fileobj)
        selector.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self.connections:
            conn.close()
        self.listener.close()


# ------------------------------------------------------------ running ----

class SendRun:
    """The outcome of one `firehose send`."""

    def __init__(self):
        self.code = None
        self.stdout = ""
        self.stderr = ""
        self.seconds = None
        self.timed_out = False
        self.peak_rss_kib = 0       # VmHWM of /proc/PID/status, polled every tick (it only grows)
        self.rss_limit_hit = False  # killed by the RSS guard
        self.signals_sent = []      # (seconds since start, signal name)
        self.exit_after_signal = None

    @property
    def summary(self):
        return parse_summary(self.stdout)

    def __repr__(self):
        return (f"exit {self.code} after {self.seconds}s (timed out: {self.timed_out}, signals: {self.signals_sent},"
                f" peak RSS {self.peak_rss_kib / 1024:.1f} MiB)\nstdout (tail): {self.stdout[-1500:]}\n"
                f"stderr (tail): {self.stderr[-3000:]}")


def _read_hwm_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def run_send(sandbox, args, *, stdin_path=None, stdin_command=None, timeout=120, signals=(),
             signal_when=None, after_signal_timeout=None, rss_guard_mib=1024, poll_seconds=0.02,
             on_tick=None):
    """Runs `firehose send ARGS` in the sandbox's environment.

    stdin_path: a file for stdin; stdin_command: a process whose stdout is send's stdin
    (e.g. ["head", "-c", "300M", "/dev/zero"]); otherwise stdin is /dev/null.
    signals: [(seconds after start, signal.SIGTERM), ...] sent in order.
    signal_when: [(predicate(), signal), ...]: each sent once its predicate is true (checked
    every tick, in order). on_tick(run, elapsed) is called every tick.
    timeout: the whole run's bound; after_signal_timeout: a tighter bound counted from the
    last signal sent. A run alive at its bound is killed (SIGKILL), run.timed_out is set.
    rss_guard_mib: a child above this RSS is killed at once (protects the machine).
    """
    timeout, after_signal_timeout = stall_bound(timeout), stall_bound(after_signal_timeout)
    run = SendRun()
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    feeder = None
    stdin = subprocess.DEVNULL
    opened = None
    if stdin_command is not None:
        feeder = subprocess.Popen(stdin_command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        stdin = feeder.stdout
    elif stdin_path is not None:
        opened = open(stdin_path, "rb")
        stdin = opened
    started = time.monotonic()
    process = subprocess.Popen([FIREHOSE, "send", *args], env=sandbox.env, stdin=stdin, stdout=out, stderr=err)
    if feeder is not None:
        feeder.stdout.close()  # send holds the only read end: the feeder gets SIGPIPE when send exits
    if opened is not None:
        opened.close()
    pending = sorted(signals, key=lambda s: s[0])
    conditional = list(signal_when or [])
    last_signal_at = None
    try:
        while True:
            try:
                pid, status, _ = os.wait4(process.pid, os.WNOHANG)
            except ChildProcessError:  # reaped by Popen (it should not be: signals go through os.kill)
                pid, status = process.pid, None
            if pid == process.pid:
                if status is None:
                    run.code = process.returncode
                    break
                run.code = os.waitstatus_to_exitcode(status)
                process.returncode = run.code
                # Not usage.ru_maxrss: Linux carries the forking parent's high-water mark over exec,
                # so it would report this Python process's RSS. VmHWM is the exec'd image's own.
                break
            now = time.monotonic()
            elapsed = now - started
            hwm = _read_hwm_kib(process.pid)
            run.peak_rss_kib = max(run.peak_rss_kib, hwm)
            if hwm > rss_guard_mib * 1024 and not run.rss_limit_hit:
                run.rss_limit_hit = True
                os.kill(process.pid, signal.SIGKILL)
            if on_tick is not None:
                on_tick(run, elapsed)
            while pending and elapsed >= pending[0][0]:
                _, sig = pending.pop(0)
                os.kill(process.pid, sig)  # not Popen.send_signal(): its poll() could reap the child
                last_signal_at = now
                run.signals_sent.append((round(elapsed, 2), signal.Signals(sig).name))
            while conditional and conditional[0][0]():
                _, sig = conditional.pop(0)
                os.kill(process.pid, sig)
                last_signal_at = now
                run.signals_sent.append((round(elapsed, 2), signal.Signals(sig).name))
            over_total = elapsed > timeout
            over_signal = (after_signal_timeout is not None and last_signal_at is not None
                           and not pending and not conditional and now - last_signal_at > after_signal_timeout)
            if over_total or over_signal:
                if not run.timed_out:
                    run.timed_out = True
                    os.kill(process.pid, signal.SIGKILL)
            time.sleep(poll_seconds)
    finally:
        if process.returncode is None:  # an exception in a callback: do not leave the child behind
            try:
                os.kill(process.pid, signal.SIGKILL)
                os.waitpid(process.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            process.returncode = -9
            out.close()
            err.close()
        if feeder is not None:
            feeder.kill()
            feeder.wait()
    ended = time.monotonic()
    run.seconds = round(ended - started, 3)
    if last_signal_at is not None:
        run.exit_after_signal = round(ended - last_signal_at, 3)
    out.seek(0)
    err.seek(0)
    run.stdout = out.read().decode("utf-8", "replace")
    run.stderr = err.read().decode("utf-8", "replace")
    out.close()
    err.close()
    return run


# ---------------------------------------------------------- reconcile ----

class Reconciled:
    def __init__(self):
        self.delivered_ids = collections.Counter()
        self.dead_ids = collections.Counter()
        self.oversize_ids = collections.Counter()
        self.duplicated_ids = set()        # delivered more than once
        self.dead_but_delivered = set()    # dead-lettered, yet delivered
        self.extra_copies = 0              # sum over ids of (copies delivered - 1)
        self.entries = []

    def duplicate_records(self):
        return len(self.duplicated_ids | self.dead_but_delivered)

    def table(self):
        return (f"delivered ids {len(self.delivered_ids)}, dead-lettered {sum(self.dead_ids.values())}, "
                f"oversize {sum(self.oversize_ids.values())}, records delivered twice or more "
                f"{len(self.duplicated_ids)} ({self.extra_copies} extra copies), dead-lettered yet delivered "
                f"{len(self.dead_but_delivered)}")


def check_summary(test, run, *, dead_letter=True):
    """The summary exists, has every field, and its invariant holds. Returns it."""
    summary = run.summary
    test.assertIsNotNone(summary, f"no JSON summary on the last line of stdout\n{run!r}")
    for key in SUMMARY_KEYS:
        test.assertIn(key, summary, f"summary lacks {key}: {summary}")
    if dead_letter:
        test.assertEqual(summary["records"], summary["acknowledged"] + summary["dead_lettered"],
                         f"records != acknowledged + dead_lettered: {summary}")
        test.assertEqual(summary["failed"], summary["dead_lettered"], f"failed != dead_lettered: {summary}")
    else:
        test.assertEqual(summary["records"], summary["acknowledged"] + summary["failed"],
                         f"records != acknowledged + failed: {summary}")
    test.assertLessEqual(summary["possible_duplicates"], summary["records"],
                         f"possible_duplicates counts records, at most once each: {summary}")
    return summary


def reconcile(test, run, local, dead_letter_path, expected_ids, *, oversize_sources=None, lines=None):
    """Every expected id is delivered or dead-lettered (or refused as oversize, found by its
    `source`), none is missing, nothing foreign, duplicates within possible_duplicates.

    expected_ids: the ids of the records read (all input, or the prefix `send` read).
    oversize_sources: {"FILE:LINE": id} of lines that must be refused as RecordTooLarge.
    Flushes firehose-local first (when given). Returns a Reconciled.
    """
    summary = run.summary
    result = Reconciled()
    delivered = []
    if local is not None:
        local.flush()
        delivered = lines if lines is not None else delivered_lines(local)
    for line in delivered:
        n = line_id(line)
        test.assertIsNotNone(n, f"delivered a line that is no input record: {line[:200]!r}")
        result.delivered_ids[n] += 1
    result.entries = read_dead_letter(dead_letter_path)
    test.assertEqual(len(result.entries), summary["dead_lettered"],
                     f"dead-letter file has {len(result.entries)} entries, summary says {summary}")
    oversize_sources = dict(oversize_sources or {})
    for entry in result.entries:
        for key in DEAD_LETTER_KEYS:
            test.assertIn(key, entry, f"dead-letter entry lacks {key}: {entry}")
        if "raw" in entry:
            n = line_id(entry["raw"])
            test.assertIsNotNone(n, f"dead-lettered data is no input record: {entry['raw'][:200]!r}")
            result.dead_ids[n] += 1
        else:
            test.assertEqual(entry["error_code"], "RecordTooLarge", f"an entry without data: {entry}")
            source = entry.get("source")
            test.assertIn(source, oversize_sources, f"unexpected oversize entry {entry}")
            result.oversize_ids[oversize_sources.pop(source)] += 1
    test.assertEqual(oversize_sources, {}, "oversize lines missing from the dead-letter file")

    expected = set(expected_ids)
    accounted = set(result.delivered_ids) | set(result.dead_ids) | set(result.oversize_ids)
    missing = expected - accounted
    foreign = accounted - expected
    test.assertFalse(missing, f"{len(missing)} ids neither delivered nor dead-lettered (lost), e.g. "
                              f"{sorted(missing)[:10]}; summary {summary}")
    test.assertFalse(foreign, f"{len(foreign)} ids delivered or dead-lettered that were not read, e.g. "
                              f"{sorted(foreign)[:10]}; summary {summary}")
    twice_dead = [n for n, c in result.dead_ids.items() if c > 1]
    test.assertFalse(twice_dead, f"ids dead-lettered more than once: {twice_dead[:10]}")
    result.duplicated_ids = {n for n, c in result.delivered_ids.items() if c > 1}
    result.extra_copies = sum(c - 1 for c in result.delivered_ids.values() if c > 1)
    result.dead_but_delivered = set(result.dead_ids) & set(result.delivered_ids)
    for entry in result.entries:
        if "raw" in entry and line_id(entry["raw"]) in result.dead_but_delivered:
            test.assertTrue(entry["possible_duplicate"],
                            f"dead-lettered but delivered, and not marked possible_duplicate: {entry}")
    # The ids read are exactly the records counted; every one not dead-lettered was delivered
    # (no id is missing), so the acknowledged ones are among the delivered.
    test.assertEqual(len(expected), summary["records"], f"records read != records in the summary: {summary}")
    test.assertLessEqual(result.duplicate_records(), summary["possible_duplicates"],
                         f"{result.table()}; more duplicated records than reported possible_duplicates: {summary}")
    return result
