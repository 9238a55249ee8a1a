"""`firehose workflow` on a terminal (a pseudo-terminal): text logs and one
live status line on stderr, redrawn in place and erased at the end."""
import os
import pty
import select
import subprocess
import unittest

from harness import FIREHOSE, FirehoseLocal, Sandbox

ERASE = b"\r\x1b[2K"


def run_on_pty(args, env, timeout=120):
    """Runs with stderr (and stdin) on a pty, stdout on a pipe; returns (code, stdout, terminal bytes)."""
    master, slave = pty.openpty()
    process = subprocess.Popen(args, env=env, stdin=slave, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    terminal = b""
    while True:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            process.kill()
            raise AssertionError("no output from the command on the pty")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer closed the pty
            break
        if not chunk:
            break
        terminal += chunk
    stdout = process.stdout.read()
    process.stdout.close()
    code = process.wait(timeout=timeout)
    os.close(master)
    return code, stdout, terminal


class WorkflowOnATerminal(unittest.TestCase):
    def test_status_line_redrawn_in_place_and_erased_at_the_end(self):
        sandbox = Sandbox()
        try:
            with FirehoseLocal("--latency-ms", "200") as local:
                local.create_stream(local.client(), "tty")
                sandbox.point_at(local)
                code, stdout, terminal = run_on_pty(
                    [FIREHOSE, "workflow", "--delivery-stream-name", "tty", "--count", "1500", "--single-records",
                     "5", "--max-batch-records", "100", "--max-in-flight", "1"], sandbox.env)
            self.assertEqual(code, 0, terminal.decode(errors="replace"))
            self.assertTrue(stdout.decode().strip().splitlines()[-1].startswith("{"), stdout)
            text = terminal.decode(errors="replace")
            # Text logs, not JSON, on a terminal.
            self.assertIn("Record ingested successfully", text)
            self.assertNotIn('"event":', text)
            # The status line: drawn after an erase, more than once, with its fields.
            drawn = [part.split(b"\n")[0] for part in terminal.split(ERASE)[1:] if part and not part.startswith(b"\r")]
            status = [line for line in drawn if b"rec/s" in line]
            self.assertGreater(len(status), 1, text)
            for field in (b"MB/s", b"acked", b"in flight", b"retries", b"throttled", b"/1500"):
                self.assertIn(field, status[-1])
            # Log lines never share a line with the status line, and the last thing written
            # to the terminal after the summary is not a status line.
            for line in terminal.split(b"\n"):
                if b"Record ingested" in line or b"PutRecordBatch:" in line:
                    self.assertNotIn(b"rec/s", line.split(ERASE)[-1])
            self.assertNotIn(b"rec/s", terminal.split(ERASE)[-1])
        finally:
            sandbox.cleanup()


if __name__ == "__main__":
    unittest.main()
