"""firehose-local against the mistakes of its users and hostile clients (issue 15).

A second server on a port or a data directory in use refuses to start (two
servers on one port both "listened" and lost half of the records); a huge
Content-Length is answered 413 before the body; slow, idle and excess
connections neither hold the workers nor stop other clients being served;
deep JSON, unsigned or badly signed requests and names that try to escape
--data-dir are refused; /_local/flush tells the truth. Each test checks that a
well-behaved boto3 client is served throughout.

Socket reads carry timeouts: they guard against a hang, they measure nothing.
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import botocore.exceptions

from harness import FIREHOSE_LOCAL, FirehoseLocal, free_port

KEY, SECRET = "AKIDHOSTILE", "hostile-test-secret"
HANG_GUARD = 30  # seconds a socket read may block before the test calls it a hang


def port_of(url):
    return int(url.rsplit(":", 1)[1])


def raw_exchange(port, request_bytes, read_until_close=True):
    """Sends bytes on a fresh connection and returns what came back."""
    with socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD) as conn:
        conn.sendall(request_bytes)
        data = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
            if not read_until_close and b"\r\n\r\n" in data:
                head, _, body = data.partition(b"\r\n\r\n")
                length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")]
                if length and len(body) >= length[0]:
                    break
        return data


def read_answer(conn):
    """One whole HTTP answer (head and Content-Length body) from an open connection."""
    data = b""
    while True:
        head, _, body = data.partition(b"\r\n\r\n")
        if _:
            length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")]
            if len(body) >= (length[0] if length else 0):
                return data
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk


def admitted(connect, health):
    """A connection the server admitted: answered, and kept open. A connection
    that a client closed a moment ago (the harness's start-up health check) is
    counted until the gate sees its end at its next wake-up, which a slow
    (sanitizer) build can leave after the test's next connect: a 503 before
    the test's connections are all in is tried again, never past HANG_GUARD."""
    deadline = time.monotonic() + HANG_GUARD
    while True:
        conn = connect()
        conn.sendall(health)
        answer = read_answer(conn)
        if b'"status":"ok"' in answer:
            return conn
        conn.close()
        if not answer.startswith(b"HTTP/1.1 503") or time.monotonic() > deadline:
            raise AssertionError(f"not admitted: {answer[:200]!r}")
        time.sleep(0.05)


class HostileClients(unittest.TestCase):
    def server(self, *args, **kwargs):
        local = FirehoseLocal(*args, **kwargs)
        local.start()
        self.addCleanup(local.__exit__, None, None, None)
        return local

    def assert_serves(self, local, stream=None):
        """A well-behaved client is answered (and, with a stream, its record acknowledged)."""
        firehose = local.client()
        names = firehose.list_delivery_streams()["DeliveryStreamNames"]
        if stream:
            self.assertIn(stream, names)
            answer = firehose.put_record(DeliveryStreamName=stream, Record={"Data": b"still here\n"})
            self.assertTrue(answer["RecordId"])

    # ---- one server per port and per data directory ----
    def test_a_second_server_on_a_port_in_use_fails(self):
        first = self.server()
        first.create_stream(first.client(), "only")
        port = port_of(first.url)
        other_dir = tempfile.mkdtemp(prefix="firehose-local-second-")
        self.addCleanup(shutil.rmtree, other_dir, True)
        second = subprocess.run([FIREHOSE_LOCAL, "--port", str(port), "--data-dir", other_dir],
                                capture_output=True, text=True, timeout=60)
        self.assertNotEqual(second.returncode, 0, second)
        self.assertIn("Address already in use", second.stderr)
        self.assertIn(str(port), second.stderr)
        self.assertNotIn("listening", second.stdout)
        # Every call still reaches the first server (with SO_REUSEPORT half went to the second).
        for _ in range(20):
            self.assertEqual(first.client().list_delivery_streams()["DeliveryStreamNames"], ["only"])

    def test_a_data_directory_is_locked_by_the_server_that_uses_it(self):
        first = self.server()
        first.create_stream(first.client(), "locked")
        second = subprocess.run([FIREHOSE_LOCAL, "--port", "0", "--data-dir", first.data_dir],
                                capture_output=True, text=True, timeout=60)
        self.assertNotEqual(second.returncode, 0, second)
        self.assertIn(f"data directory {first.data_dir} is in use", second.stderr)
        self.assertIn(f"pid {first.process.pid}", second.stderr)
        self.assertEqual(second.stderr.count("\n"), 1, second.stderr)
        # The first keeps its streams and records; once it stops, the directory is free again.
        first.client().put_record(DeliveryStreamName="locked", Record={"Data": b"kept\n"})
        self.assertEqual(first.stop(), 0)
        again = self.server(data_dir=first.data_dir)
        self.assertEqual(again.client().list_delivery_streams()["DeliveryStreamNames"], ["locked"])
        again.flush()
        self.assertEqual(b"".join(data for _, data in again.objects()), b"kept\n")

    def test_a_killed_server_leaves_no_lock_behind(self):
        first = self.server()
        first.kill()
        self.assertTrue(os.path.exists(os.path.join(first.data_dir, ".lock")))
        again = self.server(data_dir=first.data_dir)
        self.assert_serves(again)

    # ---- request size, slow and excess connections ----
    def test_a_huge_content_length_is_refused_before_the_body(self):
        local = self.server()
        local.create_stream(local.client(), "sized")
        head = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Firehose_20150804.PutRecord\r\n"
                b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: 10000000000\r\n\r\n")
        # No body is sent: an answer can only come from the Content-Length.
        answer = raw_exchange(port_of(local.url), head)
        self.assertTrue(answer.startswith(b"HTTP/1.1 413"), answer[:200])
        self.assertIn(b"RequestEntityTooLargeException", answer)
        self.assertIn(b"Connection: close", answer)
        # With Expect: 100-continue the client is told before it sends anything.
        expect = head.replace(b"\r\n\r\n", b"\r\nExpect: 100-continue\r\n\r\n")
        self.assertTrue(raw_exchange(port_of(local.url), expect).startswith(b"HTTP/1.1 413"))
        self.assert_serves(local, "sized")

    def test_a_chunked_body_is_cut_at_the_limit(self):
        local = self.server()
        chunk = b"x" * 1_000_000
        head = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Firehose_20150804.ListDeliveryStreams\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        with socket.create_connection(("127.0.0.1", port_of(local.url)), timeout=HANG_GUARD) as conn:
            conn.sendall(head)
            sent = 0
            try:
                while sent < 40_000_000:  # 16 MiB is the limit: the server must stop reading well before this
                    conn.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.assertLess(sent, 40_000_000, "the server read a chunked body far over its limit")
        self.assert_serves(local)

    def test_slow_headers_neither_block_other_clients_nor_stay_for_ever(self):
        local = self.server("--header-timeout", "2", "--threads", "8")
        local.create_stream(local.client(), "busy")
        port = port_of(local.url)
        slow = []
        for _ in range(200):  # far more than the 8 workers
            conn = socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD)
            conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
            slow.append(conn)
        try:
            for conn in slow[:50]:
                conn.sendall(b"X-Slow: 1\r\n")  # still not a whole header
            self.assert_serves(local, "busy")
            # The header time limit ends them: each is answered 408 or closed, none served.
            for conn in slow:
                data = b""
                while True:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                self.assertTrue(data == b"" or data.startswith(b"HTTP/1.1 408"), data[:100])
        finally:
            for conn in slow:
                conn.close()
        self.assert_serves(local, "busy")

    def test_connections_over_the_cap_are_refused_and_the_rest_served(self):
        local = self.server("--max-connections", "20")
        port = port_of(local.url)
        health = b"GET /_local/health HTTP/1.1\r\nHost: x\r\n\r\n"
        idle = []
        try:
            # Each of the 20 is answered (so admitted) and kept open.
            for _ in range(20):
                idle.append(admitted(lambda: socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD),
                                     health))
            # The 21st is answered 503 and closed.
            refused = raw_exchange(port, health)
            self.assertTrue(refused.startswith(b"HTTP/1.1 503"), refused[:200])
            self.assertIn(b"--max-connections", refused)
            idle[-1].sendall(health)
            self.assertIn(b'"status":"ok"', read_answer(idle[-1]))
        finally:
            for conn in idle:
                conn.close()
        # Closed connections give their places back.
        deadline = time.monotonic() + HANG_GUARD
        while True:
            try:
                self.assert_serves(local)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def test_pipelined_requests_on_one_connection_are_all_answered(self):
        local = self.server()
        request = b"GET /_local/health HTTP/1.1\r\nHost: x\r\n\r\n"
        with socket.create_connection(("127.0.0.1", port_of(local.url)), timeout=HANG_GUARD) as conn:
            conn.sendall(request * 3 + b"GET /_local/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
        self.assertEqual(data.count(b"HTTP/1.1 200"), 4, data)

    # ---- bodies and names ----
    def test_deeply_nested_json_is_refused(self):
        local = self.server()
        for target in ("Firehose_20150804.PutRecordBatch", "GraniteServiceVersion20100801.PutMetricData"):
            body = b"[" * 200_000 + b"]" * 200_000
            request = urllib.request.Request(local.url + "/", data=b'{"a":' + body + b"}", method="POST",
                                             headers={"X-Amz-Target": target,
                                                      "Content-Type": "application/x-amz-json-1.1"})
            with self.subTest(target=target), self.assertRaises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=HANG_GUARD)
            self.assertEqual(refused.exception.code, 400)
            self.assertIn("deeper than 64 levels", json.loads(refused.exception.read())["message"])
        deep_settings = urllib.request.Request(local.url + "/_local/settings", data=b"[" * 100_000, method="POST",
                                               headers={"Content-Type": "application/json"})
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(deep_settings, timeout=HANG_GUARD)
        self.assertEqual(refused.exception.code, 400)
        self.assert_serves(local)

    def test_names_cannot_escape_the_data_directory(self):
        outer = tempfile.mkdtemp(prefix="firehose-local-outer-")
        self.addCleanup(shutil.rmtree, outer, True)
        data_dir = os.path.join(outer, "data")
        local = self.server(data_dir=data_dir)
        firehose = local.client()
        role = "arn:aws:iam::123456789012:role/r"
        for bucket in ("..", ".", "a..b", "-x", "UPPER", "a/b"):
            with self.subTest(bucket=bucket), self.assertRaises(botocore.exceptions.ClientError) as refused:
                firehose.create_delivery_stream(
                    DeliveryStreamName="escape", ExtendedS3DestinationConfiguration={
                        "RoleARN": role, "BucketARN": f"arn:aws:s3:::{bucket}"})
            self.assertIn(refused.exception.response["Error"]["Code"],
                          ("InvalidArgumentException", "ValidationException"))
        # Names and prefixes that look like paths stay inside: '..' as a stream name, prefixes climbing up.
        local.create_stream(firehose, "..", bucket="inside", prefix="../../../escaped/",
                            ErrorOutputPrefix="../../errors/")
        local.create_stream(firehose, ".", bucket="inside", prefix="/../../")
        for name in ("..", "."):
            firehose.put_record(DeliveryStreamName=name, Record={"Data": b"contained\n"})
        self.assertEqual(local.flush(), {"flushed": True})
        self.assertEqual(sorted(os.listdir(outer)), ["data"])
        delivered = [path for path, _ in local.objects("inside")]
        self.assertEqual(len(delivered), 2, delivered)
        for path in delivered:
            self.assertTrue(os.path.realpath(os.path.join(data_dir, "inside", path)).startswith(
                os.path.realpath(data_dir) + os.sep), path)
        self.assert_serves(local, "..")

    def test_flush_reports_a_delivery_that_failed(self):
        local = self.server()
        local.create_stream(local.client(), "blocked", bucket="blocked-bucket")
        # A file where the bucket's directory must go: delivery cannot write there (even as root).
        with open(os.path.join(local.data_dir, "blocked-bucket"), "w") as f:
            f.write("in the way")
        local.client().put_record(DeliveryStreamName="blocked", Record={"Data": b"waits in the spool\n"})
        with self.assertRaises(urllib.error.HTTPError) as failed:
            local.flush()
        self.assertEqual(failed.exception.code, 500)
        answer = json.loads(failed.exception.read())
        self.assertFalse(answer["flushed"])
        self.assertEqual(len(answer["errors"]), 1)
        self.assertIn("blocked", answer["errors"][0])
        # Nothing is lost: once the way is clear, the spooled record is delivered.
        os.remove(os.path.join(local.data_dir, "blocked-bucket"))
        self.assertEqual(local.flush(), {"flushed": True})
        self.assertEqual(b"".join(data for _, data in local.objects("blocked-bucket")), b"waits in the spool\n")

    # ---- all of it at once ----
    def test_hostile_traffic_does_not_stop_a_signed_client(self):
        local = self.server("--threads", "8", "--header-timeout", "2", credentials=[(KEY, SECRET)])
        local.create_stream(local.client(), "steady")
        port = port_of(local.url)
        stop = threading.Event()
        problems = []

        def hostile():
            rounds = 0
            while not stop.is_set():
                rounds += 1
                try:
                    unsigned = raw_exchange(port, b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Firehose_20150804."
                                            b"PutRecord\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                    if b"MissingAuthenticationToken" not in unsigned:
                        problems.append(("unsigned", unsigned[:200]))
                    try:
                        local.client(secret="wrong").put_record(DeliveryStreamName="steady",
                                                                Record={"Data": b"forged\n"})
                        problems.append(("forged", "accepted"))
                    except botocore.exceptions.ClientError as e:
                        if e.response["Error"]["Code"] != "InvalidSignatureException":
                            problems.append(("forged", e.response["Error"]["Code"]))
                    raw_exchange(port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n")
                    raw_exchange(port, b"\x16\x03\x01 not http at all\r\n\r\n")
                    lingering = socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD)
                    lingering.sendall(b"POST / HTTP/1.1\r\n")
                    hostile.slow.append(lingering)
                except OSError as e:
                    problems.append(("socket", repr(e)))
        hostile.slow = []
        attackers = [threading.Thread(target=hostile) for _ in range(4)]
        for thread in attackers:
            thread.start()
        try:
            firehose = local.client(access_key_id=KEY, secret=SECRET)
            sent = 0
            for i in range(100):
                answer = firehose.put_record_batch(DeliveryStreamName="steady",
                                                   Records=[{"Data": b"good %d\n" % (i * 10 + j)} for j in range(10)])
                self.assertEqual(answer["FailedPutCount"], 0)
                sent += 10
        finally:
            stop.set()
            for thread in attackers:
                thread.join()
            for conn in hostile.slow:
                conn.close()
        self.assertEqual(problems, [])
        local.flush()
        delivered = b"".join(data for _, data in local.objects()).splitlines()
        self.assertEqual(sorted(delivered), sorted(b"good %d" % i for i in range(sent)))
        self.assertGreater(local.counters()["auth_failures"], 0)


if __name__ == "__main__":
    unittest.main()
