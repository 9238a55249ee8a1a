"""Secrets never leak: the secret access key and the session token appear in no
log line at any level (trace, --debug, JSON logs), no dead-letter entry, no
error message and no firehose-local log, whatever happens (signature refused,
records dead-lettered, a credential_process that prints garbage). Also: a
credentials file readable by others is warned about, a private one is not.
"""
import os
import unittest

from harness import FirehoseLocal, Sandbox

KEY_ID = "AKIDSECRETSTEST0001"
SECRET = "SeCrEt/Key+ThatMustNeverBeLogged0123456789"
TOKEN = "SeSsIoNtOkEnThatMustNeverBeLogged/IQoJb3JpZ2luX2VjE+Long=="
STREAM = "secrets"


class SecretsNeverLeak(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Signatures checked with the secret; firehose-local logs at trace level.
        cls.local = FirehoseLocal("--log-level", "trace", credentials=[(KEY_ID, SECRET)]).start()
        cls.local.create_stream(cls.local.client(), STREAM)

    @classmethod
    def tearDownClass(cls):
        cls.local.__exit__(None, None, None)

    def setUp(self):
        self.sandbox = Sandbox().point_at(self.local)
        self.sandbox.env.update({"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET,
                                 "AWS_SESSION_TOKEN": TOKEN})
        self.addCleanup(self.sandbox.cleanup)
        self.addCleanup(self.assert_clean, "firehose-local's log", lambda: self.local.stderr())

    def assert_clean(self, where, text):
        text = text() if callable(text) else text
        for secret in (SECRET, TOKEN):
            self.assertNotIn(secret, text, f"{where} holds a secret")
            # Nor a large piece of it (a truncated or escaped copy).
            self.assertNotIn(secret[:16], text, f"{where} holds the start of a secret")

    def assert_run_clean(self, run, *files):
        self.assert_clean("stdout", run.stdout)
        self.assert_clean("stderr", run.stderr)
        for path in files:
            with open(path, encoding="utf-8", errors="replace") as f:
                self.assert_clean(path, f.read())

    def test_put_record_at_every_level_and_format(self):
        for flags in (["--debug"], ["--log-level", "trace"], ["--log-level", "trace", "--log-format", "json"],
                      ["--log-level", "trace", "--log-format", "text"]):
            run = self.sandbox.run(*flags, "put-record", "--delivery-stream-name", STREAM, "--data", "hello\n")
            self.assertEqual(run.code, 0, run)
            self.assertTrue(run.stderr.strip(), f"{flags}: trace/debug logs something\n{run!r}")
            self.assert_run_clean(run)

    def test_send_with_every_record_dead_lettered_at_trace_level(self):
        self.local.settings(fail_records=1.0)
        self.addCleanup(self.local.settings, fail_records=0.0)
        path = self.sandbox.write("in.ndjson", "".join(f"line {i}\n" for i in range(20)))
        dead_letter = os.path.join(self.sandbox.home, "dead.ndjson")
        run = self.sandbox.run("--log-level", "trace", "send", "--delivery-stream-name", STREAM,
                               "--max-attempts", "2", "--dead-letter", dead_letter, path, timeout=60)
        self.assertEqual(run.code, 1, run)
        self.assertTrue(os.path.getsize(dead_letter) > 0)
        self.assert_run_clean(run, dead_letter)

    def test_a_refused_signature_names_no_secret(self):
        env = {"AWS_SECRET_ACCESS_KEY": SECRET + "-wrong"}
        for flags in (["--debug"], ["--log-level", "trace", "--log-format", "json"]):
            run = self.sandbox.run(*flags, "put-record", "--delivery-stream-name", STREAM, "--data", "x",
                                   extra_env=env)
            self.assertEqual(run.code, 4, run)
            self.assertIn("InvalidSignatureException", run.stderr)
            self.assert_run_clean(run)
        path = self.sandbox.write("in.ndjson", "a\nb\n")
        dead_letter = os.path.join(self.sandbox.home, "refused.ndjson")
        run = self.sandbox.run("--debug", "send", "--delivery-stream-name", STREAM, "--dead-letter", dead_letter,
                               path, extra_env=env, timeout=60)
        self.assertNotEqual(run.code, 0, run)
        self.assert_run_clean(run, dead_letter)

    def test_a_credential_process_printing_garbage_is_reported_without_its_secret(self):
        config = self.sandbox.write(".aws/config", "")
        outputs = {
            "not-json": f"AccessKeyId={KEY_ID} SecretAccessKey={SECRET} SessionToken={TOKEN}",
            "bad-expiration": (f'{{"Version": 1, "AccessKeyId": "{KEY_ID}", "SecretAccessKey": "{SECRET}", '
                               f'"SessionToken": "{TOKEN}", "Expiration": "soon"}}'),
            "wrong-type": f'{{"Version": 1, "AccessKeyId": "{KEY_ID}", "SecretAccessKey": ["{SECRET}"]}}',
        }
        env = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
               "AWS_CONFIG_FILE": config}
        for name, output in outputs.items():
            script = self.sandbox.write(f"{name}.sh", f"#!/bin/sh\ncat <<'EOF'\n{output}\nEOF\n")
            os.chmod(script, 0o700)
            with open(config, "w") as f:
                f.write(f"[default]\ncredential_process = {script}\n")
            run = self.sandbox.run("--debug", "put-record", "--delivery-stream-name", STREAM, "--data", "x",
                                   extra_env=env)
            self.assertEqual(run.code, 3, f"{name}: a credentials error\n{run!r}")
            self.assert_run_clean(run)


class CredentialsFileMode(unittest.TestCase):
    def setUp(self):
        self.sandbox = Sandbox()
        self.addCleanup(self.sandbox.cleanup)
        self.credentials = self.sandbox.write(".aws/credentials",
                                              f"[default]\naws_access_key_id = {KEY_ID}\n"
                                              f"aws_secret_access_key = {SECRET}\n")
        self.sandbox.env["AWS_REGION"] = "us-east-1"
        # Nothing listens here: the command fails fast after reading the credentials.
        self.sandbox.env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"

    def run_cli(self):
        return self.sandbox.run("--max-attempts", "1", "list-delivery-streams")

    def test_a_credentials_file_readable_by_others_is_warned_about_once(self):
        os.chmod(self.credentials, 0o644)
        run = self.run_cli()
        warnings = [line for line in run.stderr.splitlines() if "readable by other users" in line]
        self.assertEqual(len(warnings), 1, run)
        self.assertIn(self.credentials, warnings[0])
        self.assertIn("chmod 600", warnings[0])
        self.assertNotIn(SECRET, run.stderr)

    def test_a_private_credentials_file_is_not(self):
        os.chmod(self.credentials, 0o600)
        run = self.run_cli()
        self.assertNotIn("readable by other users", run.stderr, run)


if __name__ == "__main__":
    unittest.main()
