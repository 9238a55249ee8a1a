"""Headless Chromium (Debian's `chromium`, installed by `make deps`) for test_console:
the DOM a page has built after its script ran (--dump-dom), a screenshot, and
a DevTools-protocol session (Python stdlib only: a minimal WebSocket client)
for the tests that click in the page or run a fetch from its origin.

Every run gets its own profile directory (runs in parallel must not share one).
"""
import base64
import html.parser
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request

from harness import stall_bound

CHROMIUM = shutil.which("chromium")

# --no-sandbox: Chromium's sandbox needs user namespaces (or a setuid helper), which
# containers and CI runners usually deny, and Chromium refuses to start as root with
# it on; the pages loaded here are our own console on loopback, nothing untrusted
# from outside. --disable-dev-shm-usage: a container's /dev/shm can be tiny.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
         "--disable-component-update", "--hide-scrollbars", "--mute-audio"]

# Virtual time: the page's first refresh (five fetches of the control API) and a few
# more run before the DOM is taken; network loads pause virtual time, so a slow
# machine does not cut them short.
VIRTUAL_TIME_MS = 3000


def require_chromium(test):
    test.assertIsNotNone(CHROMIUM, "chromium is not installed: `make deps` installs Debian's chromium package")


def _run(args, timeout):
    profile = tempfile.mkdtemp(prefix="firehose-console-chromium-")
    try:
        completed = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                                   capture_output=True, timeout=stall_bound(timeout))
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if completed.returncode != 0:
        raise RuntimeError(f"chromium exited with {completed.returncode}: "
                           f"{completed.stderr.decode('utf-8', 'replace')[-2000:]}")
    return completed


def dump_dom(url, timeout=90):
    """The page's DOM, serialised, once its script has run and its fetches have answered."""
    completed = _run([f"--virtual-time-budget={VIRTUAL_TIME_MS}", "--dump-dom", url], timeout)
    return completed.stdout.decode("utf-8")


def screenshot(url, path, size="1280,1500", timeout=90):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path):
        os.remove(path)
    _run([f"--virtual-time-budget={VIRTUAL_TIME_MS}", f"--window-size={size}", f"--screenshot={path}", url],
         timeout)
    return path


class Page(html.parser.HTMLParser):
    """A dumped DOM, read: the text of elements by id and by class, and every tag seen."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, dom):
        super().__init__(convert_charrefs=True)
        self.tags = []             # (tag, attributes) of every element, in order
        self.by_id = {}            # id -> text
        self.by_class = {}         # class -> [text, ...]
        self.title = None
        self._open = []            # [(tag, attributes, [text parts])]
        self.feed(dom)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag not in self.VOID:
            self._open.append((tag, attributes, []))

    def handle_endtag(self, tag):
        while self._open:
            open_tag, attributes, parts = self._open.pop()
            text = "".join(parts)
            if self._open:
                self._open[-1][2].append(text)
            if open_tag == "title" and self.title is None:  # the document's, not an SVG tooltip
                self.title = text
            if "id" in attributes:
                self.by_id[attributes["id"]] = text
            for name in (attributes.get("class") or "").split():
                self.by_class.setdefault(name, []).append(text)
            if open_tag == tag:
                return

    def handle_data(self, data):
        if self._open:
            self._open[-1][2].append(data)

    def number(self, element_id):
        """An integer shown as 1,234 (or "1,234 (1.2 KiB)") by the element with that id."""
        match = re.match(r"\s*([\d,]+)", self.by_id[element_id])
        return int(match.group(1).replace(",", ""))

    def count(self, tag):
        return sum(1 for name, _ in self.tags if name == tag)


class DevTools:
    """One headless Chromium and one page, driven over the DevTools protocol."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="firehose-console-chromium-")
        self.process = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}",
                                         "--remote-debugging-port=0", "about:blank"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.sock = None
        self.drain = None
        self.next_id = 0
        self.events = []
        try:
            port = self._debugging_port()
            # Chromium keeps logging (D-Bus is absent in a container): a full pipe would block it.
            self.drain = threading.Thread(target=self.process.stderr.read, daemon=True)
            self.drain.start()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
                pages = [t for t in json.loads(answer.read()) if t["type"] == "page"]
            self._connect(pages[0]["webSocketDebuggerUrl"])
        except Exception:
            self.close()
            raise

    def _debugging_port(self):
        # Chromium writes "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/..." to stderr.
        deadline = time.monotonic() + stall_bound(60)
        line = b""
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                break
            match = re.search(rb"DevTools listening on ws://[^:]+:(\d+)/", line)
            if match:
                return int(match.group(1))
        raise RuntimeError(f"chromium gave no DevTools address (last line: {line[-300:]!r})")

    # ---- a WebSocket client, as much of RFC 6455 as the protocol needs ----
    def _connect(self, ws_url):
        parsed = urllib.parse.urlparse(ws_url)
        self.sock = socket.create_connection((parsed.hostname, parsed.port), timeout=stall_bound(60))
        key = base64.b64encode(os.urandom(16)).decode()
        # No Origin header: Chromium accepts DevTools connections without one.
        self.sock.sendall((f"GET {parsed.path} HTTP/1.1\r\nHost: {parsed.netloc}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the WebSocket handshake")
            head += chunk
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"DevTools refused the WebSocket: {head[:200]!r}")

    def _send_frame(self, payload):
        mask = os.urandom(4)
        header = bytes([0x81])  # FIN, text
        size = len(payload)
        if size < 126:
            header += bytes([0x80 | size])
        elif size < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", size)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", size)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _recv_exact(self, count):
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            data += chunk
        return data

    def _recv_message(self):
        message = b""
        while True:
            first, second = self._recv_exact(2)
            size = second & 0x7F
            if size == 126:
                size = struct.unpack(">H", self._recv_exact(2))[0]
            elif size == 127:
                size = struct.unpack(">Q", self._recv_exact(8))[0]
            payload = self._recv_exact(size)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the WebSocket")
            if opcode in (0x1, 0x2, 0x0):
                message += payload
                if first & 0x80:
                    return json.loads(message)
            # ping/pong frames: ignored (Chromium sends none unasked)

    def call(self, method, **params):
        self.next_id += 1
        self._send_frame(json.dumps({"id": self.next_id, "method": method, "params": params}).encode())
        while True:
            message = self._recv_message()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            if "method" in message:
                self.events.append(message)  # Network.* while the Network domain is enabled

    # ---- what the tests use ----
    def open(self, url):
        self.call("Page.navigate", url=url)

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, seconds=60):
        """Evaluates until the expression is truthy; its value."""
        deadline = time.monotonic() + stall_bound(seconds)
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except RuntimeError:
                value = None  # the page is still loading
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"the page never had {expression} within {seconds}s")

    def response_status(self, url, seconds=30):
        """The HTTP status the browser got for `url` (also for a no-cors request, whose
        answer the page cannot see), from the Network domain's events."""
        deadline = time.monotonic() + stall_bound(seconds)
        while time.monotonic() < deadline:
            for event in self.events:
                if event["method"] == "Network.responseReceived" and event["params"]["response"]["url"] == url:
                    return event["params"]["response"]["status"]
            self.call("Runtime.evaluate", expression="0")  # lets further events in
            time.sleep(0.05)
        raise AssertionError(f"the browser got no answer for {url} within {seconds}s")

    def close(self):
        if self.sock:
            self.sock.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.drain:
            self.drain.join(timeout=10)  # at end of file once the process is gone
        self.process.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
