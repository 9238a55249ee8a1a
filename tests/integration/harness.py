"""Test harness: starts real servers on 127.0.0.1 and runs the built binaries.

moto (a third-party implementation of Firehose, S3, STS and IAM) runs as a
subprocess on a free port; with `enforce_auth=True` it checks SigV4 signatures
for every call after the IAM set-up calls.
"""
import json
import os
import select
import signal
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3

BUILD_DIR = os.environ.get("FIREHOSE_BUILD_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "build")
FIREHOSE = os.path.join(BUILD_DIR, "firehose")
FIREHOSE_LOCAL = os.path.join(BUILD_DIR, "firehose-local")
REGION = "us-east-1"
# Sanitizer runs (make asan, make tsan) set FIREHOSE_TEST_SHORT=1, FIREHOSE_TEST_SLOWDOWN (how
# many times slower the instrumented binaries are) and FIREHOSE_TEST_MEMORY_FACTOR (how much more
# memory they hold: shadow memory, ASan's quarantine): the heavy tests then run fewer records
# (short_or), every timeout that stands for "stalled" stretches (stall_bound) and so do memory
# bounds (memory_bound).
SHORT = os.environ.get("FIREHOSE_TEST_SHORT") == "1"
SLOWDOWN = float(os.environ.get("FIREHOSE_TEST_SLOWDOWN") or "1")
MEMORY_FACTOR = float(os.environ.get("FIREHOSE_TEST_MEMORY_FACTOR") or "1")


def short_or(full, short):
    return short if SHORT else full


def stall_bound(seconds):
    return None if seconds is None else seconds * SLOWDOWN


def memory_bound(kib):
    return kib * MEMORY_FACTOR


ALLOW_ALL = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def moto_command(port):
    exe = shutil.which("moto_server")
    if exe:
        return [exe, "-H", "127.0.0.1", "-p", str(port)]
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


def wait_for_http(url, process, seconds=30):
    seconds = stall_bound(seconds)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before it was ready")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} not ready after {seconds}s")


class MotoServer:
    """moto_server on a free loopback port.

    With enforce_auth, INITIAL_NO_AUTH_ACTION_COUNT lets exactly the three IAM
    set-up calls (user, access key, policy) through unauthenticated; every
    later request must carry a valid signature of that user's key.
    """

    SETUP_CALLS = 3

    def __init__(self, enforce_auth=True):
        self.enforce_auth = enforce_auth
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.access_key_id = "AKIDEXAMPLEUNSIGNED"
        self.secret_access_key = "unused-secret"
        self.process = None
        self.log = None

    def __enter__(self):
        env = dict(os.environ)
        if self.enforce_auth:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(self.SETUP_CALLS)
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(moto_command(self.port), env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        try:
            wait_for_http(self.url + "/moto-api/data.json", self.process)
            if self.enforce_auth:
                self._create_user()
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self

    def _create_user(self):
        iam = self.client("iam", access_key_id="setup", secret="setup")
        iam.create_user(UserName="firehose-tester")
        key = iam.create_access_key(UserName="firehose-tester")["AccessKey"]
        iam.put_user_policy(UserName="firehose-tester", PolicyName="allow-all", PolicyDocument=ALLOW_ALL)
        self.access_key_id = key["AccessKeyId"]
        self.secret_access_key = key["SecretAccessKey"]

    def client(self, service, access_key_id=None, secret=None, session_token=None):
        return boto3.client(service, endpoint_url=self.url, region_name=REGION,
                            aws_access_key_id=access_key_id or self.access_key_id,
                            aws_secret_access_key=secret or self.secret_access_key,
                            aws_session_token=session_token)

    def create_role(self, name):
        trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"Federated": "*"}, "Action": "sts:AssumeRoleWithWebIdentity"}]})
        iam = self.client("iam")
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        iam.put_role_policy(RoleName=name, PolicyName="allow-all", PolicyDocument=ALLOW_ALL)
        return arn

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log:
            self.log.close()


class CliResult:
    def __init__(self, completed):
        self.code = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr

    def json(self):
        return json.loads(self.stdout)

    def __repr__(self):
        return f"exit {self.code}\nstdout: {self.stdout[-2000:]}\nstderr: {self.stderr[-2000:]}"


class Sandbox:
    """A clean environment for the CLI: its own HOME, no AWS_* variables from
    the machine, instance metadata off (no 169.254.169.254 on loopback)."""

    def __init__(self):
        self.home = tempfile.mkdtemp(prefix="firehose-test-home-")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env["HOME"] = self.home
        self.env["AWS_EC2_METADATA_DISABLED"] = "true"

    def write(self, relative, text):
        path = os.path.join(self.home, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def with_keys(self, moto, region=REGION):
        self.env.update({"AWS_ACCESS_KEY_ID": moto.access_key_id,
                         "AWS_SECRET_ACCESS_KEY": moto.secret_access_key,
                         "AWS_REGION": region})
        return self

    def point_at(self, local, region=REGION):
        """Every AWS endpoint (Firehose and CloudWatch) at this firehose-local, with its keys."""
        self.env["AWS_ENDPOINT_URL"] = local.url
        return self.with_keys(local, region)

    def run(self, *args, input_bytes=None, extra_env=None, timeout=120):
        env = dict(self.env)
        env.update(extra_env or {})
        completed = subprocess.run([FIREHOSE, *args], env=env, input=input_bytes, capture_output=True,
                                   timeout=stall_bound(timeout))
        completed.stdout = completed.stdout.decode("utf-8", "replace")
        completed.stderr = completed.stderr.decode("utf-8", "replace")
        return CliResult(completed)

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)


def help_examples(help_stdout, names):
    """The command lines of a --help's "Examples:" block, each as the arguments after `firehose`
    (a comment after '#' left out), with the words in `names` replaced (the examples' file names
    by a test's own)."""
    block = help_stdout.split("Examples:\n")[1].split("\n\n")[0]
    examples = []
    for line in block.splitlines():
        words = line.split("#")[0].split()
        examples.append([names.get(word, word) for word in words[words.index("firehose") + 1:]])
    return examples


def read_bucket(s3, bucket):
    """Every object of the bucket, concatenated in key order, and the keys."""
    keys, data = [], b""
    token = None
    while True:
        kwargs = {"Bucket": bucket}
        if token:
            kwargs["ContinuationToken"] = token
        page = s3.list_objects_v2(**kwargs)
        keys += [o["Key"] for o in page.get("Contents", [])]
        if not page.get("IsTruncated"):
            break
        token = page["NextContinuationToken"]
    for key in keys:
        data += s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return keys, data


class FirehoseLocal:
    """build/firehose-local on a free port with its own temporary data directory.

    `args` are extra command-line flags (["--fail-records", "0.5"]); with
    `credentials` ([(key, secret), ...]) signatures are checked. The server is
    stopped with SIGTERM (which delivers buffered records); kill() and
    restart() emulate a crash and a restart on the same data directory.
    """

    def __init__(self, *args, credentials=None, data_dir=None, seed=1, create_delay="0.05", delete_delay="0.05",
                 tls=None):
        # tls: (certificate, key) PEM paths: HTTPS, and this harness's clients trust the certificate.
        self.args = list(args) + (["--tls-cert", tls[0], "--tls-key", tls[1]] if tls else [])
        self.ca_bundle = tls[0] if tls else None
        self.credentials = credentials or []
        self.access_key_id, self.secret_access_key = (self.credentials[0] if self.credentials
                                                      else ("AKIDFIREHOSELOCAL", "unused-secret"))
        self.seed = seed
        self.create_delay = create_delay
        self.delete_delay = delete_delay
        self._own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="firehose-local-test-")
        self.process = None
        self.url = None
        self.log = None

    # ---- lifecycle ----
    def command(self):
        cmd = [FIREHOSE_LOCAL, "--port", "0", "--data-dir", self.data_dir, "--seed", str(self.seed),
               "--create-delay", self.create_delay, "--delete-delay", self.delete_delay]
        if self.credentials:
            cmd += ["--credentials", ",".join(f"{k}:{s}" for k, s in self.credentials)]
        return cmd + self.args

    def start(self):
        if self.log:
            self.log.close()
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=self.log)
        line = self._read_line(seconds=stall_bound(30))
        prefix = "firehose-local listening on "
        if not line.startswith(prefix):
            self.stop()
            raise RuntimeError(f"unexpected first line from firehose-local: {line!r}\n{self.stderr()}")
        self.url = line[len(prefix):].strip()
        self.control("GET", "/_local/health")
        return self

    def _read_line(self, seconds):
        deadline = time.monotonic() + seconds
        data = b""
        fd = self.process.stdout.fileno()
        while not data.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"firehose-local printed no URL within {seconds}s\n{self.stderr()}")
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 1)
                if not chunk:
                    raise RuntimeError(f"firehose-local exited with {self.process.wait()}\n{self.stderr()}")
                data += chunk
        return data.decode()

    def stop(self, timeout=20):
        """SIGTERM and wait; returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        code = self.process.returncode
        self.process = None
        return code

    def kill(self):
        """SIGKILL: no flush, no clean-up, as in a crash."""
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()
        self.process = None

    def restart(self, *args):
        if self.process is not None:
            self.stop()
        if args:
            self.args = list(args)
        return self.start()

    def stderr(self):
        if not self.log:
            return ""
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        if self.log:
            self.log.close()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    # ---- clients ----
    def client(self, service="firehose", access_key_id=None, secret=None, region=REGION, **config):
        from botocore.config import Config
        return boto3.client(service, endpoint_url=self.url, region_name=region,
                            aws_access_key_id=access_key_id or self.access_key_id,
                            aws_secret_access_key=secret or self.secret_access_key,
                            config=Config(**config) if config else None, verify=self.ca_bundle)

    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        if method == "POST" and data is None:
            data = b""
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        context = ssl.create_default_context(cafile=self.ca_bundle) if self.ca_bundle else None
        with urllib.request.urlopen(request, timeout=30, context=context) as answer:
            return json.loads(answer.read())

    def settings(self, **changes):
        """Runtime settings by flag name, underscores for dashes: settings(fail_records=1.0)."""
        return self.control("POST", "/_local/settings", {k.replace("_", "-"): v for k, v in changes.items()})

    def counters(self):
        return self.control("GET", "/_local/counters")

    def flush(self):
        return self.control("POST", "/_local/flush")

    def create_stream(self, firehose, name, bucket="local-bucket", prefix="", **extended):
        config = {"RoleARN": "arn:aws:iam::123456789012:role/firehose-local",
                  "BucketARN": f"arn:aws:s3:::{bucket}", **extended}
        if prefix:
            config["Prefix"] = prefix
        firehose.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=config)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = firehose.describe_delivery_stream(DeliveryStreamName=name)[
                "DeliveryStreamDescription"]["DeliveryStreamStatus"]
            if status == "ACTIVE":
                return
            time.sleep(0.05)
        raise RuntimeError(f"stream {name} not ACTIVE after 30s")

    def objects(self, bucket="local-bucket"):
        """Delivered objects of a bucket: [(relative path, bytes)], in path order."""
        root = os.path.join(self.data_dir, bucket)
        found = []
        for folder, _, files in os.walk(root):
            for name in files:
                path = os.path.join(folder, name)
                with open(path, "rb") as f:
                    found.append((os.path.relpath(path, root), f.read()))
        return sorted(found)
