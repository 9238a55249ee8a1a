"""firehose-local's web console in a real browser (headless Chromium): the page
loaded during a `firehose send` shows the counters rising, the stream and its
settings, the delivered objects with their first records, and the metrics;
markup in user data (a record, a stream's prefix) is shown as text, never run;
the switches change settings only with --console-write and only from the
console's own origin; the Firehose API keeps its signature check."""
import json
import os
import subprocess
import threading
import time
import unittest
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from console_support import DevTools, Page, dump_dom, require_chromium, screenshot
from harness import BUILD_DIR, FIREHOSE, FirehoseLocal, Sandbox, stall_bound

SCREENSHOT = os.path.join(BUILD_DIR, "console", "console.png")
STREAM = "console-demo"
# Stream names cannot carry markup (the service's pattern [a-zA-Z0-9_.-]+), a prefix can.
PREFIX = "markup/<img src=x onerror=document.title='pwned-by-prefix'>/"
SCRIPT_NOTE = "<script>document.title='pwned-by-record'</script>"


FIRST_PART, SECOND_PART = 2000, 1000
TOTAL = FIRST_PART + SECOND_PART


def lines(first, count):
    # The note first: previews show the first 200 bytes of a record.
    return "".join(json.dumps({"n": n, "note": SCRIPT_NOTE, "pad": "x" * 200}) + "\n"
                   for n in range(first, first + count))


def http(method, url, body=None, headers=None):
    """(status, headers, body) of a plain request, errors included."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def wait_until(condition, what, seconds=60):
    deadline = time.monotonic() + stall_bound(seconds)
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} within {seconds}s")


class ConsoleDuringSend(unittest.TestCase):
    def setUp(self):
        require_chromium(self)
        self.sandbox = Sandbox()

    def tearDown(self):
        self.sandbox.cleanup()

    def test_page_loaded_during_a_send_shows_counters_rising_objects_metrics_and_markup_as_text(self):
        with FirehoseLocal() as local:
            firehose = local.client()
            local.create_stream(firehose, STREAM, prefix=PREFIX, CompressionFormat="GZIP")
            self.sandbox.point_at(local)
            # The send reads stdin: it is still running while the first snapshot is taken,
            # whatever the speed of the machine.
            send = subprocess.Popen([FIREHOSE, "send", "--delivery-stream-name", STREAM, "--linger-ms", "20", "-"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=self.sandbox.env)
            try:
                # send reads its input in blocks of 128 KiB, so a pipe's first records leave once
                # a block is full: the first part is several blocks (about 540 KB).
                send.stdin.write(lines(0, FIRST_PART).encode())
                send.stdin.flush()
                wait_until(lambda: local.counters()["records_acknowledged"] > 0, "records acknowledged")
                local.flush()  # an object delivered while the send goes on
                acknowledged_before = local.counters()["records_acknowledged"]
                first = Page(dump_dom(local.url + "/"))
                self.assertIsNone(send.poll(), "the send was still running during the first snapshot")

                _, err = send.communicate(lines(FIRST_PART, SECOND_PART).encode(), timeout=stall_bound(120))
            finally:
                if send.poll() is None:
                    send.kill()
                    send.wait()
            self.assertEqual(send.returncode, 0, err.decode("utf-8", "replace"))
            local.flush()
            second = Page(dump_dom(local.url + "/"))
            screenshot(local.url + "/", SCREENSHOT)
            counters = local.counters()
            objects = local.objects()

        # Counters: what the server counted, and rising between the two snapshots.
        self.assertGreaterEqual(first.number("counter-records_stored"), acknowledged_before)
        self.assertLessEqual(first.number("counter-records_stored"), FIRST_PART)
        self.assertEqual(second.number("counter-records_stored"), TOTAL)
        self.assertGreater(second.number("counter-records_stored"), first.number("counter-records_stored"))
        self.assertEqual(second.number("counter-records_acknowledged"), counters["records_acknowledged"])
        self.assertGreater(second.number("counter-bytes_stored"), first.number("counter-bytes_stored"))
        self.assertEqual(second.number("counter-bytes_stored"), counters["bytes_stored"])
        self.assertEqual(second.number("counter-records_throttled"), 0)

        # The stream and its settings; the prefix's markup is text.
        self.assertEqual(second.by_class["stream-name"], [STREAM])
        self.assertIn(f"s3://local-bucket/{PREFIX}", second.by_class["key"])
        self.assertIn("GZIP", second.by_id["streams"])

        # The delivered objects (newest first), keys as stored, previews of their first records.
        self.assertGreaterEqual(len(objects), 2)
        shown_keys = second.by_class["object-key"]
        self.assertEqual(sorted(shown_keys), sorted(f"local-bucket/{key}" for key, _ in objects))
        self.assertGreaterEqual(len(first.by_class["object-key"]), 1)
        self.assertLess(len(first.by_class["object-key"]), len(shown_keys))
        previews = second.by_class["preview"]
        self.assertEqual(len(previews), len(objects))
        for preview in previews:
            self.assertIn(SCRIPT_NOTE, preview)  # shown as text
            self.assertLessEqual(len(preview.splitlines()), 6, "five records at most, then …")

        # Nothing of the user data became an element: one script (the console's own), no image,
        # and the title no payload could change.
        for page in (first, second):
            self.assertEqual(page.count("script"), 1)
            self.assertEqual([a.get("src") for t, a in page.tags if t == "script"], ["/_local/ui/console.js"])
            self.assertEqual(page.count("img"), 0)
            self.assertEqual(page.title, "firehose-local console")
            self.assertTrue(page.by_id["status"].startswith("updated"), page.by_id["status"])

        # The AWS/Firehose metrics, charted: the window holds every record sent.
        captions = second.by_class["metric-caption"]
        self.assertIn(f"IncomingRecords: {TOTAL:,} records", captions)
        self.assertIn(f"DeliveryToS3.Records: {TOTAL:,} records", captions)
        self.assertGreaterEqual(second.count("rect"), 3)

        # Read-only by default: values shown, no switch.
        self.assertEqual(second.by_id["mode"], "read-only")
        self.assertEqual(second.by_id["setting-fail-records"], "0")
        settings_tags = [t for t, _ in second.tags if t in ("input", "select", "button")]
        self.assertEqual(settings_tags, [])

        self.assertTrue(os.path.getsize(SCREENSHOT) > 10_000, "the screenshot is an image of the page")
        with open(SCREENSHOT, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


class ConsoleSwitches(unittest.TestCase):
    def setUp(self):
        require_chromium(self)

    def test_with_console_write_the_switches_change_settings_from_the_browser(self):
        with FirehoseLocal("--console-write") as local, DevTools() as browser:
            browser.open(local.url + "/")
            browser.wait_for("document.getElementById('setting-fail-records')?.textContent === '0'")
            self.assertEqual(browser.evaluate("document.getElementById('mode').textContent"),
                             "switches on (--console-write)")
            # Type a rate and press Set, as a person would.
            browser.evaluate("""(() => {
                const input = document.querySelector('input[aria-label="fail-records value"]');
                input.value = '0.25';
                input.closest('tr').querySelector('button').click();
                return true; })()""")
            wait_until(lambda: local.control("GET", "/_local/settings")["fail-records"] == 0.25,
                       "fail-records set to 0.25 by the page")
            browser.wait_for("document.getElementById('setting-fail-records').textContent === '0.25'")
            # The switch off: the rate back to 0.
            browser.evaluate("document.querySelector('input[aria-label=\"fail-records on\"]').click(), true")
            wait_until(lambda: local.control("GET", "/_local/settings")["fail-records"] == 0,
                       "fail-records switched off by the page")
            # A value the server refuses: its one-line reason, shown as text.
            browser.evaluate("""(() => {
                const input = document.querySelector('input[aria-label="quota-records value"]');
                input.value = '-5';
                input.closest('tr').querySelector('button').click();
                return true; })()""")
            error = browser.wait_for("document.getElementById('settings-error').textContent")
            self.assertIn("quota-records", error)
            self.assertEqual(local.control("GET", "/_local/settings")["quota-records"], 500000)

    def test_read_only_console_has_no_switches_and_the_server_refuses_its_changes(self):
        with FirehoseLocal() as local, DevTools() as browser:
            browser.open(local.url + "/_local/ui")
            browser.wait_for("document.getElementById('setting-fail-records')?.textContent === '0'")
            self.assertEqual(browser.evaluate("document.querySelectorAll('#settings input, #settings select, "
                                              "#settings button').length"), 0)
            # Even a change the page's own script did not offer is refused: the browser says where it comes from.
            answer = browser.evaluate("""fetch('/_local/settings', {method: 'POST', body: '{"fail-records": 1}'})
                .then(async (r) => [r.status, (await r.json()).error])""")
            self.assertEqual(answer[0], 403)
            self.assertIn("--console-write", answer[1])
            self.assertEqual(local.control("GET", "/_local/settings")["fail-records"], 0)
            # Tools (no Origin header) change settings as before.
            self.assertEqual(local.settings(fail_records=0.5)["fail-records"], 0.5)

    def test_another_sites_page_cannot_change_settings_even_with_console_write(self):
        with FirehoseLocal("--console-write") as local, OtherSite() as other_site, DevTools() as browser:
            # A page of another origin posts to this server, as a cross-site request forgery
            # would: no-cors, so the browser sends it without asking the server first.
            browser.open(other_site.url)
            browser.wait_for("document.title === 'another site'")
            browser.call("Network.enable")
            browser.evaluate(f"""fetch('{local.url}/_local/settings', {{method: 'POST', mode: 'no-cors',
                body: '{{"fail-records": 1}}'}}).then(() => true, () => true)""")
            # It reached the server, which refused it (the page itself cannot see the answer).
            self.assertEqual(browser.response_status(local.url + "/_local/settings"), 403)
            browser.call("Network.disable")
            # The same request from this server's console goes through: the refusal above was the origin.
            browser.open(local.url + "/")
            browser.wait_for("!!document.getElementById('setting-fail-records')")
            status = browser.evaluate("""fetch('/_local/settings', {method: 'POST', body: '{"stall-seconds": 3}'})
                .then((r) => r.status)""")
            self.assertEqual(status, 200)
            settings = local.control("GET", "/_local/settings")
            self.assertEqual(settings["stall-seconds"], 3)
            self.assertEqual(settings["fail-records"], 0, "the other site's change was refused")


class OtherSite:
    """A plain page on another loopback port: another origin, with no Content-Security-Policy
    of its own (a console page's policy would stop its fetch before it left the browser)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<!doctype html><title>another site</title><p>nothing here"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    def __enter__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


class ConsoleServer(unittest.TestCase):
    """The console's HTTP side, without a browser."""

    def test_files_carry_the_content_security_policy_and_are_served_at_both_paths(self):
        with FirehoseLocal() as local:
            for path in ("/", "/_local/ui", "/_local/ui/"):
                status, headers, body = http("GET", local.url + path)
                self.assertEqual(status, 200, path)
                self.assertTrue(headers["Content-Type"].startswith("text/html"), path)
                self.assertIn(b'<script src="/_local/ui/console.js"', body)
                csp = headers["Content-Security-Policy"]
                self.assertIn("default-src 'none'", csp)
                self.assertIn("script-src 'self'", csp)
                self.assertNotIn("unsafe", csp)
                self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
                self.assertEqual(headers["X-Frame-Options"], "DENY")
            status, headers, body = http("GET", local.url + "/_local/ui/console.js")
            self.assertEqual(status, 200)
            self.assertTrue(headers["Content-Type"].startswith("text/javascript"))
            self.assertFalse(b"innerHTML" in body or b"outerHTML" in body or b"insertAdjacentHTML" in body,
                             "the page builds its DOM from text nodes only")
            status, _, body = http("GET", local.url + "/_local/ui/nothing-here")
            self.assertEqual(status, 404)
            self.assertIn("no console file /_local/ui/nothing-here", json.loads(body)["error"])

    def test_stream_names_cannot_carry_markup(self):
        with FirehoseLocal() as local:
            firehose = local.client()
            with self.assertRaises(firehose.exceptions.ClientError) as raised:
                firehose.create_delivery_stream(DeliveryStreamName="<script>", ExtendedS3DestinationConfiguration={
                    "RoleARN": "arn:aws:iam::123456789012:role/r", "BucketARN": "arn:aws:s3:::b"})
            self.assertEqual(raised.exception.response["Error"]["Code"], "ValidationException")

    def test_with_credentials_the_console_reads_and_the_firehose_api_stays_signed(self):
        with FirehoseLocal(credentials=[("AKIDCONSOLE", "console-secret")]) as local:
            local.create_stream(local.client(), STREAM)
            status, _, _ = http("GET", local.url + "/")
            self.assertEqual(status, 200)
            status, _, body = http("GET", local.url + "/_local/streams")
            self.assertEqual(status, 200)
            self.assertEqual([s["name"] for s in json.loads(body)["streams"]], [STREAM])
            put = json.dumps({"DeliveryStreamName": STREAM, "Record": {"Data": "aGVsbG8K"}}).encode()
            target = {"X-Amz-Target": "Firehose_20150804.PutRecord", "Content-Type": "application/x-amz-json-1.1"}
            # Unsigned at the console's paths: the API still wants a signature, or does not answer there.
            status, _, body = http("POST", local.url + "/", put, target)
            self.assertEqual((status, json.loads(body)["__type"]), (400, "MissingAuthenticationTokenException"))
            status, _, _ = http("POST", local.url + "/_local/ui", put, target)
            self.assertEqual(status, 404)
            # An Origin header (as a browser page would send) changes nothing for the API either.
            status, _, body = http("POST", local.url + "/", put, {**target, "Origin": local.url})
            self.assertEqual((status, json.loads(body)["__type"]), (400, "MissingAuthenticationTokenException"))
            self.assertEqual(local.counters()["records_received"], 0)

    def test_browser_changes_are_told_by_origin_and_checked_against_the_host(self):
        with FirehoseLocal("--console-write") as local:
            host = local.url.removeprefix("http://")
            change = json.dumps({"stall-seconds": 2}).encode()
            cases = [({"Origin": "http://evil.example"}, 403), ({"Origin": "null"}, 403),
                     ({"Sec-Fetch-Site": "cross-site"}, 403),
                     ({"Origin": local.url, "Sec-Fetch-Site": "cross-site"}, 403),
                     ({"Origin": local.url, "Sec-Fetch-Site": "same-origin"}, 200),
                     ({"Origin": f"http://{host}"}, 200), ({}, 200)]
            for headers, expected in cases:
                status, _, body = http("POST", local.url + "/_local/settings", change, headers)
                self.assertEqual(status, expected, (headers, body))
                if expected == 403:
                    self.assertIn("refused", json.loads(body)["error"])
            # Reads are not restricted (another origin cannot read them: no CORS headers are sent).
            status, headers, _ = http("GET", local.url + "/_local/counters", None, {"Origin": "http://evil.example"})
            self.assertEqual(status, 200)
            self.assertIsNone(headers.get("Access-Control-Allow-Origin"))


if __name__ == "__main__":
    unittest.main()
