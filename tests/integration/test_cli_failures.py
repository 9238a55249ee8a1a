"""The failures issue 15 measured on the CLI, each end to end: an endpoint that
never comes back (log lines while retrying, then exit 5 naming it), a server
that is not Firehose (not retried in silence, no HTML as message), answers of
100 MB (capped, memory stays small), a file growing or truncated while `send`
reads it (the torn last line dead-lettered, not sent as a whole record), and a
stdout closed by its reader (the lost summary is an error, not exit 0).
"""
import http.server
import os
import resource
import socketserver
import subprocess
import threading
import time
import unittest

from bad_input_support import CRASH_MARKS, WebServer, closed_port, dead_letters, error_lines, summary_of
from harness import FIREHOSE, FirehoseLocal, Sandbox, memory_bound

HANG_GUARD = 120


class HugeAnswerServer:
    """Answers 200 with `size` bytes, announced in Content-Length or not (chunked)."""

    def __init__(self, size, announce_length):
        owner = self
        self.requests = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                owner.requests += 1
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                block = b'{"RecordId":"' + b"r" * (1024 * 1024) + b'"}'
                try:
                    if announce_length:
                        self.send_header("Content-Length", str(size))
                        self.end_headers()
                        for _ in range(size // len(block)):
                            self.wfile.write(block)
                    else:
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                        for _ in range(size // len(block)):
                            self.wfile.write(b"%x\r\n" % len(block) + block + b"\r\n")
                        self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class CliFailures(unittest.TestCase):
    def setUp(self):
        self.sandbox = Sandbox()
        self.addCleanup(self.sandbox.cleanup)
        self.sandbox.env.update({"AWS_ACCESS_KEY_ID": "AKIDFAIL", "AWS_SECRET_ACCESS_KEY": "fail-secret",
                                 "AWS_REGION": "us-east-1", "FIREHOSE_LOG_FORMAT": "text"})

    def assert_no_crash(self, run):
        for mark in CRASH_MARKS:
            self.assertNotIn(mark, run.stderr, run)

    def test_an_endpoint_that_never_comes_back_is_logged_and_named(self):
        port = closed_port()
        path = self.sandbox.write("in.ndjson", "a\nb\n")
        dead = os.path.join(self.sandbox.home, "dead.ndjson")
        run = self.sandbox.run("--endpoint-url", f"http://127.0.0.1:{port}", "send", "--delivery-stream-name", "s",
                               "--max-attempts", "4", "--dead-letter", dead, path, timeout=HANG_GUARD)
        self.assertEqual(run.code, 5, run)
        self.assert_no_crash(run)
        # While retrying: a warning that names the endpoint and says records are sent again.
        retrying = [line for line in run.stderr.splitlines() if "PutRecordBatch failed" in line]
        self.assertTrue(retrying, run)
        self.assertIn(f"127.0.0.1:{port}", retrying[0])
        self.assertIn("sent again", retrying[0])
        errors = error_lines(run.stderr)
        self.assertEqual(len(errors), 1, run)
        self.assertIn(f"could not connect (POST http://127.0.0.1:{port})", errors[0])
        summary = summary_of(run.stdout)
        self.assertEqual((summary["records"], summary["acknowledged"], summary["dead_lettered"]), (2, 0, 2))
        self.assertEqual(len(dead_letters(dead)), 2)

    def assert_stopped_as_never_reached(self, run):
        """Exit 5 with one error line saying why; returns the summary."""
        self.assertEqual(run.code, 5, run)
        self.assert_no_crash(run)
        errors = error_lines(run.stderr)
        self.assertEqual(len(errors), 1, run)
        self.assertIn("no call has ever reached the endpoint", errors[0])
        return summary_of(run.stdout)

    def test_an_endpoint_never_running_stops_send_and_workflow_early(self):
        # Default options, input from a pipe: the producer used to retry each
        # batch of a dead endpoint in turn (114 s for 20 MB; hours for 1 GiB).
        # It stops once records have used their attempts and no call ever
        # reached it; every record read is dead-lettered, the rest left unread.
        url = f"http://127.0.0.1:{closed_port()}"
        lines = 50_000
        dead = os.path.join(self.sandbox.home, "dead.ndjson")
        data = "".join(f'{{"n":{i},"pad":"{"x" * 200}"}}\n' for i in range(lines)).encode()
        run = self.sandbox.run("--endpoint-url", url, "send", "--delivery-stream-name", "s", "--dead-letter", dead, "-",
                               input_bytes=data, timeout=HANG_GUARD)
        summary = self.assert_stopped_as_never_reached(run)
        self.assertLess(summary["records"], lines, "it stopped instead of retrying every batch")
        self.assertEqual(summary["acknowledged"], 0)
        self.assertEqual(summary["dead_lettered"], summary["records"])
        self.assertEqual(len(dead_letters(dead)), summary["records"])

        workflow = self.sandbox.run("--endpoint-url", url, "workflow", "--delivery-stream-name", "s",
                                    timeout=HANG_GUARD)
        summary = self.assert_stopped_as_never_reached(workflow)
        self.assertEqual((summary["records"], summary["acknowledged"], summary["failed"]), (1, 0, 1),
                         "the first PutRecord's attempts stop the run, not the 99 after it")

    def test_a_server_that_is_not_firehose_stops_send_at_once(self):
        web = WebServer()
        self.addCleanup(web.close)
        path = self.sandbox.write("in.ndjson", "".join(f"line {i}\n" for i in range(5000)))
        dead = os.path.join(self.sandbox.home, "dead.ndjson")
        run = self.sandbox.run("--endpoint-url", web.url, "send", "--delivery-stream-name", "s", "--max-batch-records",
                               "100", "--dead-letter", dead, path, timeout=HANG_GUARD)
        self.assertEqual(run.code, 4, run)
        self.assert_no_crash(run)
        errors = error_lines(run.stderr)
        self.assertEqual(len(errors), 1, run)
        self.assertIn("HTTP 501 answer that is not an AWS error (text/html", errors[0])
        self.assertIn("Not Implemented", errors[0])
        self.assertIn(web.url, errors[0])
        self.assertNotIn("<", run.stderr)
        # No retries of a 501: at most one call per sender thread went out before the stop.
        self.assertLessEqual(web.requests, 16)
        summary = summary_of(run.stdout)
        self.assertEqual(summary["records"], summary["dead_lettered"])
        self.assertEqual(len(dead_letters(dead)), summary["records"])

    def test_answers_are_capped_and_memory_stays_small(self):
        for announce in (True, False):
            with self.subTest(content_length=announce):
                huge = HugeAnswerServer(100 * 1024 * 1024, announce_length=announce)
                self.addCleanup(huge.close)
                before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                run = self.sandbox.run("--endpoint-url", huge.url, "put-record", "--delivery-stream-name", "s",
                                       "--data", "x", timeout=HANG_GUARD)
                peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                self.assertEqual(run.code, 4, run)
                self.assert_no_crash(run)
                self.assertIn("ResponseTooLarge", run.stderr)
                self.assertIn("over 33554432 bytes", run.stderr)
                self.assertEqual(huge.requests, 1, "a too-large answer is not asked for again")
                # ru_maxrss of children is the largest child so far; 100 MB read whole went to ~500 MB.
                # Under ASan the answer's growth by doubling sits in the quarantine: 193 MiB was seen,
                # so the bound stretches like every other memory bound of a sanitizer run.
                if peak_kib > before:
                    self.assertLess(peak_kib, memory_bound(120 * 1024))

    def torn_line_run(self, change):
        """send reads a big file while blocked on its memory budget; `change` edits the file meanwhile."""
        local = FirehoseLocal("--latency-ms", "150")
        local.start()
        self.addCleanup(local.__exit__, None, None, None)
        local.create_stream(local.client(), "torn")
        self.sandbox.point_at(local)
        self.sandbox.env["FIREHOSE_LOG_FORMAT"] = "text"
        lines = [b"%07d " % i + b"x" * 91 + b"\n" for i in range(60_000)]  # 6 MB, 100-byte lines
        path = os.path.join(self.sandbox.home, "growing.ndjson")
        with open(path, "wb") as f:
            f.write(b"".join(lines))
        dead = os.path.join(self.sandbox.home, "dead.ndjson")
        env = dict(self.sandbox.env)
        process = subprocess.Popen([FIREHOSE, "send", "--delivery-stream-name", "torn", "--memory-mb", "1",
                                    "--max-in-flight", "1", "--dead-letter", dead, path], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + HANG_GUARD
        while local.counters()["put_requests"] == 0:  # reading is under way (and held by the budget)
            self.assertLess(time.monotonic(), deadline, "send never sent")
            time.sleep(0.02)
        change(path)
        stdout, stderr = process.communicate(timeout=HANG_GUARD)
        local.flush()
        delivered = b"".join(data for _, data in local.objects()).splitlines(keepends=True)
        return process.returncode, stdout.decode(), stderr.decode(), lines, delivered, dead_letters(dead)

    def test_a_file_growing_while_read_has_its_torn_last_line_dead_lettered(self):
        def grow(path):
            with open(path, "ab") as f:
                f.write(b"complete appended line\n" + b"half of a line")
        code, stdout, stderr, lines, delivered, dead = self.torn_line_run(grow)
        self.assertEqual(code, 1, stderr)
        self.assertIn("changed size while it was read", stderr)
        self.assertIn("growing.ndjson:60002", stderr)
        self.assertEqual(sorted(delivered), sorted(lines + [b"complete appended line\n"]))
        self.assertEqual([entry["error_code"] for entry in dead], ["TornLine"])
        self.assertTrue(all(line.endswith(b"\n") for line in delivered))
        summary = summary_of(stdout)
        self.assertEqual((summary["records"], summary["acknowledged"], summary["dead_lettered"]), (60_002, 60_001, 1))

    def test_a_file_truncated_while_read_has_its_torn_last_line_dead_lettered(self):
        cut = 3_000_050  # inside line 30,000
        code, stdout, stderr, lines, delivered, dead = self.torn_line_run(lambda path: os.truncate(path, cut))
        self.assertEqual(code, 1, stderr)
        self.assertIn("changed size while it was read", stderr)
        self.assertEqual([entry["error_code"] for entry in dead], ["TornLine"])
        self.assertEqual(sorted(delivered), sorted(lines[:30_000]))
        summary = summary_of(stdout)
        self.assertEqual((summary["records"], summary["acknowledged"], summary["dead_lettered"]), (30_001, 30_000, 1))

    def test_a_stdout_closed_by_its_reader_is_an_error(self):
        local = FirehoseLocal()
        local.start()
        self.addCleanup(local.__exit__, None, None, None)
        local.create_stream(local.client(), "piped")
        self.sandbox.point_at(local)
        path = self.sandbox.write("in.ndjson", "a\nb\n")
        read_end, write_end = os.pipe()
        os.close(read_end)  # the reader is gone before the summary is written
        process = subprocess.run([FIREHOSE, "send", "--delivery-stream-name", "piped", path], env=self.sandbox.env,
                                 stdout=write_end, stderr=subprocess.PIPE, timeout=HANG_GUARD)
        os.close(write_end)
        stderr = process.stderr.decode()
        self.assertEqual(process.returncode, 2, stderr)
        errors = error_lines(stderr)
        self.assertEqual(len(errors), 1, stderr)
        self.assertIn("could not write to stdout", errors[0])
        # The records themselves were delivered: only the summary was lost.
        self.assertEqual(local.counters()["records_acknowledged"], 2)


if __name__ == "__main__":
    unittest.main()
