"""Servers and checks for the bad-input tests: endpoints that misbehave in one
way each (never answer, answer like a web server, answer too much), and the
checks every case shares (exit code, one error line naming the cause, no
crash, nothing lost)."""
import http.server
import json
import os
import socket
import socketserver
import threading

CRASH_MARKS = ("Traceback", "terminate called", "Segmentation fault", "Aborted", "AddressSanitizer",
               "core dumped", "std::", "what():")


class SilentServer:
    """Accepts connections and never answers (nor closes them)."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.held = []
        self.stopping = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopping:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        self.stopping = True
        self.listener.close()
        for conn in self.held:
            conn.close()


class WebServer:
    """Answers every request with `status` and `body` (a web server, not Firehose); counts requests."""

    def __init__(self, status=501, body=b"<html><head><title>501 Not Implemented</title></head><body><h1>Not "
                                         b"Implemented</h1><p>nginx</p></body></html>",
                 content_type="text/html"):
        owner = self
        self.requests = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                owner.requests += 1
                length = int(self.headers.get("Content-Length", "0"))
                self.rfile.read(length)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def summary_of(stdout):
    """send's JSON summary (the last line of stdout), or None."""
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        return None
    try:
        summary = json.loads(lines[-1])
    except ValueError:
        return None
    return summary if "records" in summary else None


def dead_letters(path):
    if not path or not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def error_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("error:")]
