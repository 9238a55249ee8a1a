"""HTTPS end to end: firehose-local serves TLS with --tls-cert/--tls-key (a
self-signed certificate made here with the openssl CLI); `firehose` refuses the
unknown certificate by default with one error line naming the fix, and trusts it
through AWS_CA_BUNDLE, --ca-bundle or the profile's ca_bundle (the AWS CLI's
names); boto3 talks to the same server with verify=PATH, and refuses it without.

HostileClientsOverTls: the connection gate's limits hold over HTTPS as over
HTTP (test_local_hostile): slow headers and stalled handshakes hold no worker
and end at --header-timeout, connections over --max-connections are answered
503 over TLS, a huge Content-Length is refused before the body, pipelined
requests are answered, plain HTTP on the HTTPS port is told so. Socket reads
carry timeouts: they guard against a hang, they measure nothing.
"""
import base64
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

import botocore.exceptions

from harness import FIREHOSE_LOCAL, FirehoseLocal, Sandbox
from test_local_hostile import admitted

EXIT_PARTIAL, EXIT_USAGE, EXIT_TRANSPORT = 1, 2, 5
STREAM = "tls-events"
HANG_GUARD = 30  # seconds a socket read may block before the test calls it a hang


def make_certificate(folder, name="server"):
    """A self-signed certificate for 127.0.0.1 and localhost, and its key: (cert, key) paths."""
    cert, key = os.path.join(folder, f"{name}.pem"), os.path.join(folder, f"{name}-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=firehose-local test",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


class TlsEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="firehose-tls-")
        cls.cert, cls.key = make_certificate(cls.folder)
        cls.local = FirehoseLocal(tls=(cls.cert, cls.key)).start()
        cls.local.create_stream(cls.local.client(), STREAM)

    @classmethod
    def tearDownClass(cls):
        cls.local.__exit__(None, None, None)
        shutil.rmtree(cls.folder, ignore_errors=True)

    def setUp(self):
        self.sandbox = Sandbox().point_at(self.local)
        self.addCleanup(self.sandbox.cleanup)

    def delivered(self):
        self.local.flush()
        return b"".join(data for _, data in self.local.objects())

    def test_the_server_prints_an_https_url(self):
        self.assertTrue(self.local.url.startswith("https://127.0.0.1:"), self.local.url)

    def test_an_unknown_certificate_is_refused_with_one_line_naming_the_fix_and_nothing_is_lost(self):
        records = self.sandbox.write("in.ndjson", '{"n":"untrusted-1"}\n{"n":"untrusted-2"}\n')
        dead_letter = os.path.join(self.sandbox.home, "dead.ndjson")
        run = self.sandbox.run("send", "--delivery-stream-name", STREAM, "--dead-letter", dead_letter, records,
                               timeout=60)
        self.assertEqual(run.code, EXIT_TRANSPORT, run)
        errors = [line for line in run.stderr.splitlines() if line.startswith("error: TlsError")]
        self.assertEqual(len(errors), 1, f"one error line, not one per record or attempt\n{run!r}")
        # The log's "producer stopped" event may name it too, but not once per record or attempt.
        self.assertLessEqual(run.stderr.count("TlsError"), 2, run)
        for fix in ("not trusted", "--ca-bundle", "AWS_CA_BUNDLE"):
            self.assertIn(fix, errors[0], run)
        summary = json.loads(run.stdout.splitlines()[-1])
        self.assertEqual((summary["records"], summary["dead_lettered"]), (2, 2), summary)
        with open(dead_letter) as f:
            entries = [json.loads(line) for line in f]
        self.assertEqual(sorted(base64.b64decode(e["data"]) for e in entries),
                         [b'{"n":"untrusted-1"}\n', b'{"n":"untrusted-2"}\n'])
        self.assertTrue(all(e["error_code"] == "TlsError" for e in entries), entries)
        self.assertNotIn(b"untrusted", self.delivered())

    def test_put_record_refuses_the_unknown_certificate_too(self):
        run = self.sandbox.run("put-record", "--delivery-stream-name", STREAM, "--data", "x", timeout=60)
        self.assertEqual(run.code, EXIT_TRANSPORT, run)
        self.assertEqual(len(run.stderr.strip().splitlines()), 1, run)
        self.assertIn("--ca-bundle", run.stderr)

    def test_send_trusts_the_certificate_through_aws_ca_bundle(self):
        records = self.sandbox.write("in.ndjson", "".join(f'{{"n":"env-bundle-{i}"}}\n' for i in range(50)))
        run = self.sandbox.run("send", "--delivery-stream-name", STREAM, records,
                               extra_env={"AWS_CA_BUNDLE": self.cert}, timeout=60)
        self.assertEqual(run.code, 0, run)
        summary = json.loads(run.stdout.splitlines()[-1])
        self.assertEqual(summary["acknowledged"], 50, summary)
        delivered = self.delivered()
        for i in range(50):
            self.assertIn(f'{{"n":"env-bundle-{i}"}}\n'.encode(), delivered)

    def test_put_record_and_send_trust_the_certificate_through_the_ca_bundle_flag(self):
        run = self.sandbox.run("--ca-bundle", self.cert, "put-record", "--delivery-stream-name", STREAM,
                               "--data", "flag-bundle\n", timeout=60)
        self.assertEqual(run.code, 0, run)
        self.assertIn("RecordId", run.stdout)
        records = self.sandbox.write("in.ndjson", "flag-bundle-send\n")
        run = self.sandbox.run("send", "--ca-bundle", self.cert, "--delivery-stream-name", STREAM, records,
                               timeout=60)
        self.assertEqual(run.code, 0, run)
        delivered = self.delivered()
        self.assertIn(b"flag-bundle\n", delivered)
        self.assertIn(b"flag-bundle-send\n", delivered)

    def test_the_profile_ca_bundle_is_trusted_too(self):
        self.sandbox.write(".aws/config", f"[default]\nca_bundle = {self.cert}\n")
        run = self.sandbox.run("put-record", "--delivery-stream-name", STREAM, "--data", "profile-bundle\n",
                               timeout=60)
        self.assertEqual(run.code, 0, run)
        self.assertIn(b"profile-bundle\n", self.delivered())

    def test_another_certificate_in_the_bundle_is_still_refused(self):
        other, _ = make_certificate(self.sandbox.home, "other")
        run = self.sandbox.run("--ca-bundle", other, "put-record", "--delivery-stream-name", STREAM,
                               "--data", "x", timeout=60)
        self.assertEqual(run.code, EXIT_TRANSPORT, run)
        self.assertIn("not trusted", run.stderr)

    def test_boto3_with_verify_path_and_without(self):
        firehose = self.local.client()  # verify=the certificate
        answer = firehose.put_record_batch(DeliveryStreamName=STREAM,
                                           Records=[{"Data": b"boto3-over-tls-%d\n" % i} for i in range(3)])
        self.assertEqual(answer["FailedPutCount"], 0, answer)
        self.assertIn(b"boto3-over-tls-2\n", self.delivered())
        import boto3
        untrusting = boto3.client("firehose", endpoint_url=self.local.url, region_name="us-east-1",
                                  aws_access_key_id=self.local.access_key_id,
                                  aws_secret_access_key=self.local.secret_access_key)
        with self.assertRaises(botocore.exceptions.SSLError):
            untrusting.list_delivery_streams()


class TlsSettings(unittest.TestCase):
    def start(self, *args):
        return subprocess.run([FIREHOSE_LOCAL, "--port", "0", *args], capture_output=True, text=True, timeout=30)

    def test_a_certificate_without_its_key_is_a_usage_error(self):
        run = self.start("--tls-cert", "/nonexistent/cert.pem")
        self.assertEqual(run.returncode, EXIT_USAGE, run)
        self.assertIn("--tls-cert and --tls-key go together", run.stderr)

    def test_an_unreadable_certificate_is_one_line_naming_the_files(self):
        with tempfile.TemporaryDirectory() as folder:
            bogus = os.path.join(folder, "bogus.pem")
            with open(bogus, "w") as f:
                f.write("not a certificate\n")
            run = self.start("--tls-cert", bogus, "--tls-key", bogus)
        self.assertEqual(run.returncode, 1, run)
        self.assertEqual(len(run.stderr.strip().splitlines()), 1, run.stderr)
        self.assertIn(f"--tls-cert {bogus}", run.stderr)
        self.assertIn("cannot load", run.stderr)


def port_of(url):
    return int(url.rsplit(":", 1)[1])


def read_answer(conn):
    """One whole HTTP answer (head and Content-Length body), or what came before the connection ended."""
    data = b""
    while True:
        head, _, body = data.partition(b"\r\n\r\n")
        if _:
            length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")]
            if len(body) >= (length[0] if length else 0):
                return data
        try:
            chunk = conn.recv(65536)
        except (ConnectionResetError, ssl.SSLError):
            return data
        if not chunk:
            return data
        data += chunk


def read_to_end(conn):
    data = b""
    while True:
        try:
            chunk = conn.recv(65536)
        except (ConnectionResetError, ssl.SSLError):
            return data
        if not chunk:
            return data
        data += chunk


class HostileClientsOverTls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="firehose-tls-hostile-")
        cls.cert, cls.key = make_certificate(cls.folder)
        cls.context = ssl.create_default_context(cafile=cls.cert)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)

    def server(self, *args):
        local = FirehoseLocal(*args, tls=(self.cert, self.key))
        local.start()
        self.addCleanup(local.__exit__, None, None, None)
        return local

    def connect(self, local):
        """A TLS connection, its handshake done (the certificate checked)."""
        raw = socket.create_connection(("127.0.0.1", port_of(local.url)), timeout=HANG_GUARD)
        return self.context.wrap_socket(raw, server_hostname="127.0.0.1")

    def assert_serves(self, local, stream=None):
        firehose = local.client()  # boto3 over HTTPS, trusting the certificate
        names = firehose.list_delivery_streams()["DeliveryStreamNames"]
        if stream:
            self.assertIn(stream, names)
            self.assertTrue(firehose.put_record(DeliveryStreamName=stream, Record={"Data": b"still here\n"})["RecordId"])

    def test_slow_headers_neither_block_other_clients_nor_stay_for_ever(self):
        local = self.server("--header-timeout", "2", "--threads", "8")
        local.create_stream(local.client(), "busy")
        slow = []
        try:
            for _ in range(100):  # far more than the 8 workers
                conn = self.connect(local)
                conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
                slow.append(conn)
            for conn in slow[:30]:
                conn.sendall(b"X-Slow: 1\r\n")  # still not a whole header
            self.assert_serves(local, "busy")
            # The header time limit ends them: each is answered 408 (over TLS) or closed, none served.
            for conn in slow:
                data = read_to_end(conn)
                self.assertTrue(data == b"" or data.startswith(b"HTTP/1.1 408"), data[:100])
        finally:
            for conn in slow:
                conn.close()
        self.assert_serves(local, "busy")

    def test_stalled_handshakes_hold_no_worker_and_end_at_the_header_timeout(self):
        local = self.server("--header-timeout", "2", "--threads", "4")
        port = port_of(local.url)
        stalled = []
        try:
            for _ in range(50):
                conn = socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD)
                conn.sendall(b"\x16\x03\x01\x02\x00\x01")  # the start of a ClientHello, never finished
                stalled.append(conn)
            self.assert_serves(local)
            for conn in stalled:  # closed by the server, with nothing said in clear
                self.assertEqual(read_to_end(conn), b"")
        finally:
            for conn in stalled:
                conn.close()
        self.assert_serves(local)

    def test_connections_over_the_cap_are_refused_over_tls_and_the_rest_served(self):
        local = self.server("--max-connections", "20")
        health = b"GET /_local/health HTTP/1.1\r\nHost: x\r\n\r\n"
        idle = []
        try:
            for _ in range(20):  # each answered (so admitted) and kept open
                idle.append(admitted(lambda: self.connect(local), health))
            # The 21st: its handshake is done, and it is answered 503 over TLS and closed.
            with self.connect(local) as refused:
                refused.sendall(health)
                answer = read_to_end(refused)
            self.assertTrue(answer.startswith(b"HTTP/1.1 503"), answer[:200])
            self.assertIn(b"--max-connections", answer)
            idle[-1].sendall(health)
            self.assertIn(b'"status":"ok"', read_answer(idle[-1]))
        finally:
            for conn in idle:
                conn.close()
        deadline = time.monotonic() + HANG_GUARD  # closed connections give their places back
        while True:
            try:
                self.assert_serves(local)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def test_a_huge_content_length_is_refused_before_the_body(self):
        local = self.server()
        with self.connect(local) as conn:
            conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Firehose_20150804.PutRecord\r\n"
                         b"Content-Length: 10000000000\r\n\r\n")
            answer = read_to_end(conn)
        self.assertTrue(answer.startswith(b"HTTP/1.1 413"), answer[:200])
        self.assertIn(b"RequestEntityTooLargeException", answer)
        self.assert_serves(local)

    def test_pipelined_requests_on_one_connection_are_all_answered(self):
        local = self.server()
        request = b"GET /_local/health HTTP/1.1\r\nHost: x\r\n\r\n"
        with self.connect(local) as conn:
            conn.sendall(request * 3 + b"GET /_local/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = read_to_end(conn)
        self.assertEqual(data.count(b"HTTP/1.1 200"), 4, data)

    def test_pipelined_posts_in_one_tls_record_are_all_answered(self):
        # Each body's end and the next request's header share a TLS record: the
        # worker reads the body to its end, the rest stays decrypted in OpenSSL,
        # where epoll cannot see it; the gate must read it from there, hand the
        # connection to a worker out of its epoll set, and take it back after.
        local = self.server()
        body = b'{"Limit": 3}'
        post = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Firehose_20150804.ListDeliveryStreams\r\n"
                b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
        last = post.replace(b"Host: x\r\n", b"Host: x\r\nConnection: close\r\n")
        for _ in range(3):
            with self.connect(local) as conn:
                conn.sendall(post * 19 + last)
                data = read_to_end(conn)
            self.assertEqual(data.count(b"HTTP/1.1 200"), 20, data[:400])
        self.assert_serves(local)

    def test_plain_http_on_the_https_port_is_told_to_use_https(self):
        local = self.server()
        with socket.create_connection(("127.0.0.1", port_of(local.url)), timeout=HANG_GUARD) as conn:
            conn.sendall(b"GET /_local/health HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = read_to_end(conn)
        self.assertTrue(answer.startswith(b"HTTP/1.1 400"), answer[:200])
        self.assertIn(b"use an https:// URL", answer)
        self.assert_serves(local)


if __name__ == "__main__":
    unittest.main()
