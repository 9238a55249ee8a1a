"""Bad input, end to end (issue 15): one table, each case run as a new user
would, against firehose-local (signatures checked) or an endpoint that
misbehaves. Every case asserts the exit code, exactly one `error:` line (none
on success) naming the cause (file, variable, flag or limit), no crash, and
nothing lost or half-written: what `send` read is acknowledged or in the
dead-letter file, and what was refused before sending never reached the
server. README.md's "Errors and what they mean" is this table.
"""
import dataclasses
import os
import stat
import subprocess
import threading
import typing
import unittest

from bad_input_support import (CRASH_MARKS, SilentServer, WebServer, closed_port, dead_letters, error_lines,
                               summary_of)
from harness import FIREHOSE, FirehoseLocal, Sandbox

KEY, SECRET = "AKIDBADINPUT", "bad-input-secret"
STREAM = "events"
MAX_RECORD = 1_024_000


@dataclasses.dataclass
class Case:
    name: str
    args: typing.List[str]          # {home}, {stream}, {url}, {dead} are filled in
    code: int
    cause: str = ""                 # in the error line (or, on success, absent)
    files: typing.Dict[str, bytes] = dataclasses.field(default_factory=dict)
    env: typing.Dict[str, str] = dataclasses.field(default_factory=dict)
    unset: typing.Tuple[str, ...] = ()
    stdin: bytes = b""
    delivered: typing.Optional[int] = None      # records the server must have stored
    dead_lettered: typing.Optional[int] = None  # entries in {dead}
    shell_prefix: str = ""                      # run through /bin/sh with this before the command (fd games)
    modes: typing.Dict[str, int] = dataclasses.field(default_factory=dict)  # chmod after writing


def send(*extra, stream=None, url=None, dead=None):
    """`firehose send` to the stream with a dead-letter file; another stream, endpoint or dead-letter path."""
    args = ["send", "--delivery-stream-name", stream or "{stream}", "--dead-letter", dead or "{dead}", *extra]
    if url == "refused":
        args = ["--endpoint-url", "http://127.0.0.1:{refused_port}"] + args
    return args


LINES = b"one\ntwo\nthree\n"
CASES = [
    # ---- input files ----
    Case("missing input file", send("{home}/nosuch.ndjson"), 2, "cannot read {home}/nosuch.ndjson: No such file"),
    Case("path through a file", send("{home}/in.ndjson/x"), 2, "cannot read {home}/in.ndjson/x: Not a directory",
         files={"in.ndjson": LINES}),
    Case("directory as input", send("{home}"), 2, "cannot read {home}: Is a directory"),
    # Root reads any file: this case only means something for other users (it is dropped for root).
    Case("unreadable file (mode 000)", send("{home}/secret"), 2, "cannot read {home}/secret: Permission denied",
         files={"secret": LINES}, modes={"secret": 0o000}),
    Case("put-record-batch: missing file",
         ["put-record-batch", "--delivery-stream-name", "{stream}", "--records-file", "{home}/missing"], 2,
         "cannot read {home}/missing: No such file or directory"),
    Case("put-record-batch: directory",
         ["put-record-batch", "--delivery-stream-name", "{stream}", "--records-file", "{home}"], 2,
         "cannot read {home}: Is a directory"),
    Case("empty input", send("{home}/empty"), 0, files={"empty": b""}, delivered=0),
    Case("empty stdin", send("-"), 0, delivered=0),
    Case("only newlines", send("{home}/nl"), 0, files={"nl": b"\n\n\n"}, delivered=3),
    Case("CRLF lines", send("{home}/crlf"), 0, files={"crlf": b"a\r\nb\r\n"}, delivered=2),
    Case("NUL bytes", send("{home}/nul"), 0, files={"nul": b"a\x00b\n\x00\n"}, delivered=2),
    Case("invalid UTF-8", send("{home}/latin"), 0, files={"latin": b"caf\xe9\n\xff\xfe\n"}, delivered=2),
    Case("no trailing newline", send("{home}/tail"), 0, files={"tail": b"one\ntwo"}, delivered=2),
    Case("record of exactly 1,024,000 bytes", send("{home}/max"), 0,
         files={"max": b"x" * (MAX_RECORD - 1) + b"\n"}, delivered=1),
    Case("line of 1,024,000 bytes (1,024,001 with its newline)", send("{home}/over"), 1,
         "1 of 3 records not delivered (they are in {dead}); the first refused: {home}/over:2: 1024001 bytes",
         files={"over": b"a\n" + b"x" * MAX_RECORD + b"\nb\n"}, delivered=2,
         dead_lettered=1),
    Case("5 MB line", send("{home}/huge"), 1, "the first refused: {home}/huge:1: 5000001 bytes",
         files={"huge": b"y" * 5_000_000 + b"\nz\n"}, delivered=1, dead_lettered=1),
    # ---- streams ----
    Case("unknown stream", send("{home}/in", stream="nosuch"), 4, "ResourceNotFoundException",
         files={"in": LINES}, delivered=0, dead_lettered=3),
    Case("stream not ACTIVE", send("{home}/in", stream="creating"), 4, "stream 'creating' is CREATING, not ACTIVE",
         files={"in": LINES}, delivered=0, dead_lettered=3),
    Case("invalid stream name", ["put-record", "--delivery-stream-name", "bad name!", "--data", "x"], 4,
         "ValidationException"),
    # ---- credentials and configuration ----
    Case("missing credentials", ["list-delivery-streams"], 3, "credentials",
         unset=("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")),
    Case("wrong secret key", ["list-delivery-streams"], 4, "InvalidSignatureException",
         env={"AWS_SECRET_ACCESS_KEY": "wrong"}),
    Case("unknown access key", ["list-delivery-streams"], 4, "UnrecognizedClientException",
         env={"AWS_ACCESS_KEY_ID": "AKIDNOBODY"}),
    Case("expired credentials", ["list-delivery-streams"], 3, "expired",
         env={"AWS_SESSION_TOKEN": "token", "AWS_CREDENTIAL_EXPIRATION": "2001-01-01T00:00:00Z"}),
    Case("malformed credentials file", ["list-delivery-streams"], 3, "{home}/.aws/credentials",
         files={".aws/credentials": b"[default\naws_access_key_id = x\n"},
         unset=("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")),
    Case("malformed config file", ["list-delivery-streams"], 3, "{home}/.aws/config",
         files={".aws/config": b"[profile broken\nregion = us-east-1\n"}),
    Case("credential_process that hangs", ["--cli-read-timeout", "1", "list-delivery-streams"], 3,
         "did not finish within 1000 ms",
         files={".aws/config": b"[default]\ncredential_process = sleep 1000\n"},
         unset=("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")),
    Case("credential_process that prints garbage", ["list-delivery-streams"], 3, "its output is not a JSON object",
         files={".aws/config": b"[default]\ncredential_process = echo not-json\n"},
         unset=("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")),
    Case("missing region", ["list-delivery-streams"], 3, "region", unset=("AWS_REGION",)),
    Case("profile that does not exist", ["--profile", "nosuch", "list-delivery-streams"], 3,
         "profile nosuch not found", unset=("AWS_REGION",)),
    Case("FIREHOSE_LINGER_MS not a number", send("{home}/in"), 3, "FIREHOSE_LINGER_MS", files={"in": LINES},
         env={"FIREHOSE_LINGER_MS": "soon"}, delivered=0),
    # ---- endpoints ----
    Case("malformed endpoint URL", ["--endpoint-url", "http://[::1", "list-delivery-streams"], 3, "http://[::1"),
    Case("DNS failure", ["--endpoint-url", "http://no-such-host.invalid", "--max-attempts", "1",
                         "list-delivery-streams"], 5, "could not resolve host"),
    Case("connection refused (send)", send("{home}/in", "--max-attempts", "2", url="refused"), 5,
         "could not connect (POST http://127.0.0.1:{refused_port})", files={"in": LINES}, dead_lettered=3),
    Case("endpoint that never answers", ["--endpoint-url", "{silent}", "--cli-read-timeout", "1",
                                         "--max-attempts", "1", "put-record", "--delivery-stream-name", "{stream}",
                                         "--data", "x"], 5, "no complete answer in time"),
    Case("endpoint that is not Firehose", ["--endpoint-url", "{web}", "put-record", "--delivery-stream-name",
                                           "{stream}", "--data", "x"], 4,
         "HTTP 501 answer that is not an AWS error (text/html"),
    Case("TLS failure", ["--endpoint-url", "{https}", "--max-attempts", "1", "list-delivery-streams"], 5,
         "TLS failure"),
    # ---- outputs ----
    Case("dead-letter file in a missing directory", send("{home}/in", dead="{home}/no/such/dir/dead.ndjson"), 3,
         "cannot open dead-letter file {home}/no/such/dir/dead.ndjson: No such file", files={"in": LINES},
         delivered=0),
    Case("dead-letter file on a full disk", send("{home}/bad", "--max-attempts", "1", dead="/dev/full"), 3,
         "cannot write to dead-letter file /dev/full: No space left on device",
         files={"bad": b"x" * (MAX_RECORD + 5) + b"\n" + LINES}),
    Case("stdout closed", send("{home}/in"), 2, "stdout is closed", files={"in": LINES}, shell_prefix="exec 1>&-;",
         delivered=0),
    # ---- flags and settings ----
    Case("--max-in-flight 0", send("{home}/in", "--max-in-flight", "0"), 2, "--max-in-flight", files={"in": LINES}),
    Case("--memory-mb -1", send("{home}/in", "--memory-mb", "-1"), 2, "--memory-mb", files={"in": LINES}),
    Case("--linger-ms -5", send("{home}/in", "--linger-ms", "-5"), 2, "--linger-ms", files={"in": LINES}),
    Case("--record-ttl 1e300", send("{home}/in", "--record-ttl", "1e300"), 2, "--record-ttl", files={"in": LINES}),
    Case("--cli-read-timeout 0.0001", ["--cli-read-timeout", "0.0001", "list-delivery-streams"], 2,
         "--cli-read-timeout"),
    Case("--max-batch-records 501", send("{home}/in", "--max-batch-records", "501"), 2, "500",
         files={"in": LINES}, delivered=0),
    Case("FIREHOSE_MAX_BATCH_BYTES over 4 MiB", send("{home}/in"), 2, "4194304", files={"in": LINES},
         env={"FIREHOSE_MAX_BATCH_BYTES": "5000000"}, delivered=0),
]


def fill(text, values):
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


class BadInput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = FirehoseLocal(credentials=[(KEY, SECRET)])
        cls.local.start()
        firehose = cls.local.client()
        cls.local.create_stream(firehose, STREAM)
        cls.local.settings(create_delay=3600)
        firehose.create_delivery_stream(DeliveryStreamName="creating", ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/r", "BucketARN": "arn:aws:s3:::local-bucket"})
        cls.silent = SilentServer()
        cls.web = WebServer()
        cls.refused_port = closed_port()

    @classmethod
    def tearDownClass(cls):
        cls.silent.close()
        cls.web.close()
        cls.local.__exit__(None, None, None)

    def run_case(self, case):
        sandbox = Sandbox()
        self.addCleanup(sandbox.cleanup)
        sandbox.point_at(self.local)
        for path, data in case.files.items():
            full = os.path.join(sandbox.home, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data)
            if path in case.modes:
                os.chmod(full, case.modes[path])
        dead = os.path.join(sandbox.home, "dead.ndjson")
        values = {"home": sandbox.home, "dead": dead, "silent": self.silent.url, "web": self.web.url,
                  "https": self.local.url.replace("http://", "https://"), "refused_port": self.refused_port,
                  "stream": STREAM}
        args = [fill(arg, values) for arg in case.args]
        if "--dead-letter" in args:
            dead = args[args.index("--dead-letter") + 1]
        env = dict(sandbox.env)
        for name in case.unset:
            env.pop(name, None)
        env.update({k: fill(v, values) for k, v in case.env.items()})
        env["FIREHOSE_LOG_FORMAT"] = "text"
        before = self.local.counters()["records_acknowledged"]
        if case.shell_prefix:
            command = case.shell_prefix + " exec " + " ".join(f"'{a}'" for a in [FIREHOSE, *args])
            done = subprocess.run(["/bin/sh", "-c", command], env=env, input=case.stdin, capture_output=True,
                                  timeout=120)
        else:
            done = subprocess.run([FIREHOSE, *args], env=env, input=case.stdin, capture_output=True, timeout=120)
        stdout, stderr = done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
        report = f"{case.name}: exit {done.returncode}\nstdout: {stdout[-1500:]}\nstderr: {stderr[-3000:]}"

        self.assertEqual(done.returncode, case.code, report)
        for mark in CRASH_MARKS:
            self.assertNotIn(mark, stderr, report)
        errors = error_lines(stderr)
        if case.code == 0:
            self.assertEqual(errors, [], report)
        else:
            self.assertEqual(len(errors), 1, report)
            self.assertIn(fill(case.cause, values), errors[0], report)
        self.assertNotIn("<html", stderr.lower(), report)
        self.assertNotIn(SECRET, stderr + stdout, report)

        # Nothing lost, nothing half-written.
        acknowledged = self.local.counters()["records_acknowledged"] - before
        if case.delivered is not None:
            self.assertEqual(acknowledged, case.delivered, report)
        entries = dead_letters(dead) if dead != "/dev/full" else []
        if case.dead_lettered is not None:
            self.assertEqual(len(entries), case.dead_lettered, report)
        summary = summary_of(stdout)
        if summary is not None:
            self.assertEqual(summary["acknowledged"], acknowledged, report)
            if dead != "/dev/full":
                self.assertEqual(summary["records"], summary["acknowledged"] + summary["dead_lettered"], report)
                self.assertEqual(summary["dead_lettered"], len(entries), report)
        return stdout, stderr

    def test_every_case(self):
        self.assertGreaterEqual(len(CASES), 30)
        for case in CASES:
            if case.modes and os.geteuid() == 0:
                continue
            with self.subTest(case=case.name):
                self.run_case(case)

    def test_a_fifo_is_read_like_a_file(self):
        sandbox_dir = Sandbox()
        self.addCleanup(sandbox_dir.cleanup)
        fifo = os.path.join(sandbox_dir.home, "fifo")
        os.mkfifo(fifo)
        def write():
            with open(fifo, "wb") as f:
                f.write(LINES)
        writer = threading.Thread(target=write)
        writer.start()
        case = Case("FIFO", send(fifo), 0, delivered=3)
        self.run_case(case)
        writer.join()
        self.assertTrue(stat.S_ISFIFO(os.stat(fifo).st_mode))


if __name__ == "__main__":
    unittest.main()
