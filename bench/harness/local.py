"""firehose-local for the benchmark: started on a free port (discard sink; quotas off for CPU
runs, on for the quota run), over HTTP or, when this build's firehose-local has --tls-cert, over
HTTPS with a self-signed certificate made here; its counters and its CPU seconds."""
import json
import os
import subprocess
import time
import urllib.request

import boto3

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIDBENCH", "AWS_SECRET_ACCESS_KEY": "bench-secret",
               "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
STREAM = "bench"
QUOTAS_OFF = ("--quota-bytes", "0", "--quota-requests", "0", "--quota-records", "0")


def tls_supported(build_dir):
    """Whether this build's firehose-local serves HTTPS (its --help names --tls-cert)."""
    help_text = subprocess.run([os.path.join(build_dir, "firehose-local"), "--help"],
                               capture_output=True, text=True).stdout
    return "--tls-cert" in help_text


def make_certificate(work_dir):
    """A self-signed certificate for 127.0.0.1 (openssl); returns (cert, key) paths."""
    cert, key = os.path.join(work_dir, "local-cert.pem"), os.path.join(work_dir, "local-key.pem")
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


class Local:
    def __init__(self, build_dir, work_dir, args=(), tls=None):
        self.log = open(os.path.join(work_dir, "local.log"), "ab")
        tls_args = ("--tls-cert", tls[0], "--tls-key", tls[1]) if tls else ()
        self.process = subprocess.Popen(
            [os.path.join(build_dir, "firehose-local"), "--port", "0", "--log-level", "error",
             "--create-delay", "0", "--sink", "discard", *tls_args, *args],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.process.stdout.readline()  # "firehose-local listening on URL"
        if "listening on" not in line:
            self.stop()
            raise RuntimeError(f"firehose-local did not start: {line.strip()!r} (log: {self.log.name})")
        self.url = line.split()[-1]
        self.tls = tls  # (cert, key) when serving HTTPS
        self.ca_bundle = tls[0] if tls else None
        self._create_stream()

    def env(self):
        """The environment every client is given: endpoint, fake credentials, CA bundle for HTTPS."""
        env = dict(os.environ, **CREDENTIALS, AWS_ENDPOINT_URL=self.url)
        if self.ca_bundle:
            env.update(AWS_CA_BUNDLE=self.ca_bundle, NODE_EXTRA_CA_CERTS=self.ca_bundle)
        return env

    def _control(self, path, post=False):
        request = urllib.request.Request(self.url + path, data=b"" if post else None,
                                         method="POST" if post else "GET")
        context = None
        if self.ca_bundle:
            import ssl
            context = ssl.create_default_context(cafile=self.ca_bundle)
        with urllib.request.urlopen(request, context=context, timeout=30) as answer:
            return json.loads(answer.read())

    def counters(self):
        return self._control("/_local/counters")

    def reset_counters(self):
        return self._control("/_local/counters/reset", post=True)

    def cpu_seconds(self):
        """user+sys CPU seconds firehose-local has used so far."""
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _create_stream(self):
        firehose = boto3.client("firehose", endpoint_url=self.url, region_name="us-east-1",
                                aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench-secret",
                                verify=self.ca_bundle if self.ca_bundle else True)
        firehose.create_delivery_stream(DeliveryStreamName=STREAM, ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/bench", "BucketARN": "arn:aws:s3:::bench"})
        for _ in range(600):
            description = firehose.describe_delivery_stream(DeliveryStreamName=STREAM)["DeliveryStreamDescription"]
            if description["DeliveryStreamStatus"] == "ACTIVE":
                return
            time.sleep(0.05)
        raise RuntimeError("the benchmark stream never became ACTIVE")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
