"""The same call made with the AWS CLI v1 and with `firehose`, both with one `--output` format,
against one firehose-local: the base of the text and table output tests."""
import re
import subprocess
import unittest

from harness import REGION

RECORD_ID = re.compile(r"[A-Za-z0-9+/=]{40,}")


def blank_ids(text):
    """Record ids differ between calls: blanked to the same width."""
    return RECORD_ID.sub(lambda m: "#" * len(m.group(0)), text)


class SameOutputAsTheAwsCli(unittest.TestCase):
    """Subclasses set `output` and, in setUpClass, `cls.local` and `cls.sandbox` (pointed at it)."""
    output = None

    def aws(self, *args):
        env = dict(self.sandbox.env)
        env["AWS_DEFAULT_REGION"] = REGION  # the AWS CLI v1 reads no AWS_REGION
        env.pop("AWS_ENDPOINT_URL", None)
        completed = subprocess.run(["aws", "--endpoint-url", self.local.url, "--output", self.output, "firehose", *args],
                                   env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(completed.returncode, 0, completed.stderr)
        return completed.stdout

    def ours(self, *args):
        run = self.sandbox.run("--output", self.output, *args)
        self.assertEqual(run.code, 0, run)
        return run.stdout
