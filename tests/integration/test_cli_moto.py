"""The `firehose` CLI against moto with SigV4 signature enforcement on."""
import json
import os
import unittest

from harness import REGION, MotoServer, Sandbox, read_bucket

BUCKET = "firehose-delivery"
EXIT_PARTIAL, EXIT_USAGE, EXIT_CONFIG, EXIT_SERVICE, EXIT_TRANSPORT = 1, 2, 3, 4, 5


class CliAgainstEnforcedMoto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer(enforce_auth=True).__enter__()
        cls.s3 = cls.moto.client("s3")
        cls.s3.create_bucket(Bucket=BUCKET)
        cls.role_arn = cls.moto.create_role("firehose-delivery-role")

    @classmethod
    def tearDownClass(cls):
        cls.moto.__exit__(None, None, None)

    def setUp(self):
        self.sandbox = Sandbox().with_keys(self.moto)
        self.sandbox.env["AWS_ENDPOINT_URL"] = self.moto.url

    def tearDown(self):
        self.sandbox.cleanup()

    def cli(self, *args, **kwargs):
        return self.sandbox.run(*args, **kwargs)

    def create_stream(self, name, prefix):
        result = self.cli("create-delivery-stream", "--delivery-stream-name", name,
                          "--bucket-arn", f"arn:aws:s3:::{BUCKET}", "--role-arn", self.role_arn,
                          "--prefix", prefix, "--buffer-size-mb", "1", "--buffer-interval-seconds", "60",
                          "--compression", "UNCOMPRESSED")
        self.assertEqual(result.code, 0, result)
        self.assertTrue(result.json()["DeliveryStreamARN"].endswith(f"deliverystream/{name}"), result)

    def delivered(self, prefix):
        keys, _ = read_bucket(self.s3, BUCKET)
        return [self.s3.get_object(Bucket=BUCKET, Key=k)["Body"].read() for k in keys if k.startswith(prefix)]

    def test_stream_lifecycle_and_describe(self):
        self.create_stream("lifecycle", "lifecycle/")
        described = self.cli("describe-delivery-stream", "--delivery-stream-name", "lifecycle")
        self.assertEqual(described.code, 0, described)
        description = described.json()["DeliveryStreamDescription"]
        self.assertEqual(description["DeliveryStreamName"], "lifecycle")
        self.assertEqual(description["DeliveryStreamStatus"], "ACTIVE")
        s3_dest = description["Destinations"][0]["ExtendedS3DestinationDescription"]
        self.assertEqual(s3_dest["BucketARN"], f"arn:aws:s3:::{BUCKET}")
        self.assertEqual(s3_dest["Prefix"], "lifecycle/")
        self.assertEqual(s3_dest["BufferingHints"], {"SizeInMBs": 1, "IntervalInSeconds": 60})
        self.assertRegex(description["CreateTimestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$")

        deleted = self.cli("delete-delivery-stream", "--delivery-stream-name", "lifecycle")
        self.assertEqual(deleted.code, 0, deleted)
        self.assertEqual(deleted.stdout, "")
        gone = self.cli("describe-delivery-stream", "--delivery-stream-name", "lifecycle")
        self.assertEqual(gone.code, EXIT_SERVICE, gone)
        self.assertRegex(gone.stderr, r"^error: ResourceNotFoundException: ")
        self.assertEqual(len(gone.stderr.strip().splitlines()), 1, gone)

    def test_list_follows_pagination(self):
        names = [f"listed-{i:02d}" for i in range(13)]  # more than the service's page of 10
        for name in names:
            self.create_stream(name, f"{name}/")
        listed = self.cli("list-delivery-streams")
        self.assertEqual(listed.code, 0, listed)
        self.assertTrue(set(names) <= set(listed.json()["DeliveryStreamNames"]), listed)
        self.assertFalse(listed.json()["HasMoreDeliveryStreams"])
        for name in names:
            self.assertEqual(self.cli("delete-delivery-stream", "--delivery-stream-name", name).code, 0)

    def test_put_record_is_delivered(self):
        self.create_stream("single", "single/")
        result = self.cli("put-record", "--delivery-stream-name", "single", "--data", '{"hello": "world"}\n')
        self.assertEqual(result.code, 0, result)
        response = result.json()
        self.assertEqual(list(response.keys()), ["RecordId", "Encrypted"])
        self.assertTrue(response["RecordId"])
        data_file = self.sandbox.write("record.bin", "from a file \u00e9\n")
        from_file = self.cli("put-record", "--delivery-stream-name", "single", "--data-file", data_file)
        self.assertEqual(from_file.code, 0, from_file)
        self.assertEqual(sorted(self.delivered("single/")),
                         sorted([b'{"hello": "world"}\n', "from a file \u00e9\n".encode()]))

    def test_put_record_batch_splits_and_delivers_every_line(self):
        self.create_stream("batch", "batch/")
        # 1,203 lines (> 500), twenty of them 400 KB (8 MB in all, > 4 MiB a call): the
        # 500-record limit alone would make 3 calls, the 4 MiB limit makes 5.
        lines = [json.dumps({"n": i, "pad": "x" * (400_000 if 600 <= i < 620 else 10)}) for i in range(1203)]
        path = self.sandbox.write("records.ndjson", "\n".join(lines))  # last line without '\n'
        result = self.cli("put-record-batch", "--delivery-stream-name", "batch", "--records-file", path)
        self.assertEqual(result.code, 0, result)
        response = result.json()
        self.assertEqual(response["FailedPutCount"], 0)
        self.assertEqual(len(response["RequestResponses"]), len(lines))
        self.assertTrue(all("RecordId" in r for r in response["RequestResponses"]))
        objects = self.delivered("batch/")
        self.assertGreaterEqual(len(objects), 5, "moto writes one object per call: expected >= 5 calls")
        received = b"".join(objects).decode().splitlines(keepends=True)
        self.assertEqual(sorted(received), sorted(line + "\n" for line in lines))

    def test_text_output(self):
        self.create_stream("text-out", "text-out/")
        result = self.cli("put-record", "--delivery-stream-name", "text-out", "--data", "x", "--output", "text")
        self.assertEqual(result.code, 0, result)
        fields = result.stdout.strip().split("\t")
        self.assertEqual(fields[0], "False")
        self.assertTrue(fields[1])

    def test_global_options_before_the_command(self):
        self.sandbox.env.pop("AWS_ENDPOINT_URL")
        result = self.cli("--endpoint-url", self.moto.url, "--region", REGION, "list-delivery-streams")
        self.assertEqual(result.code, 0, result)

    def test_wrong_secret_is_refused_with_signature_error(self):
        self.sandbox.env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
        result = self.cli("list-delivery-streams")
        self.assertEqual(result.code, EXIT_SERVICE, result)
        self.assertRegex(result.stderr, r"^error: SignatureDoesNotMatch: The request signature we calculated")
        self.assertEqual(len(result.stderr.strip().splitlines()), 1, result)

    def test_assume_role_profile_with_session_token(self):
        # Long-term keys only in the source profile; the CLI must assume the role
        # through moto's STS and sign with the temporary key and session token.
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            self.sandbox.env.pop(var)
        role = self.moto.create_role("cli-assumed-role")
        self.sandbox.write(".aws/credentials",
                           f"[base]\naws_access_key_id = {self.moto.access_key_id}\n"
                           f"aws_secret_access_key = {self.moto.secret_access_key}\n")
        self.sandbox.write(".aws/config",
                           f"[profile assumer]\nrole_arn = {role}\nsource_profile = base\n"
                           f"role_session_name = integration\nregion = {REGION}\n")
        result = self.cli("--profile", "assumer", "--log-level", "debug", "list-delivery-streams")
        self.assertEqual(result.code, 0, result)
        self.assertIn("assume", result.stderr.lower(), "expected the log to say the role was assumed")
        # The same without the role: the source profile's keys alone also work.
        direct = self.cli("--profile", "base", "list-delivery-streams")
        self.assertEqual(direct.code, 0, direct)

    def test_endpoint_from_services_section(self):
        self.sandbox.env.pop("AWS_ENDPOINT_URL")
        self.sandbox.write(".aws/config", f"[default]\nservices = local\n[services local]\n"
                                          f"firehose =\n  endpoint_url = {self.moto.url}\n")
        result = self.cli("list-delivery-streams")
        self.assertEqual(result.code, 0, result)
        ignored = self.cli("list-delivery-streams", "--cli-connect-timeout", "1", "--max-attempts", "1",
                           extra_env={"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true",
                                      "AWS_ENDPOINT_URL_FIREHOSE": "http://127.0.0.1:1"})
        self.assertNotEqual(ignored.code, 0, "configured endpoints must be ignored, so moto is not used")

    def test_service_specific_endpoint_variable_wins(self):
        result = self.cli("list-delivery-streams", "--max-attempts", "1",
                          extra_env={"AWS_ENDPOINT_URL_FIREHOSE": "http://127.0.0.1:1"})
        self.assertEqual(result.code, EXIT_TRANSPORT, result)
        self.assertRegex(result.stderr, r"^error: ConnectionRefused")


class CliWithoutConfiguration(unittest.TestCase):
    def setUp(self):
        self.sandbox = Sandbox()

    def tearDown(self):
        self.sandbox.cleanup()

    def test_no_region(self):
        result = self.sandbox.run("list-delivery-streams",
                                  extra_env={"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"})
        self.assertEqual(result.code, EXIT_CONFIG, result)
        self.assertIn("region", result.stderr.lower())

    def test_no_credentials_lists_what_was_tried(self):
        result = self.sandbox.run("list-delivery-streams", "--region", REGION)
        self.assertEqual(result.code, EXIT_CONFIG, result)
        self.assertIn("environment", result.stderr)
        self.assertIn("credentials", result.stderr.lower())

    def test_usage_errors(self):
        missing = self.sandbox.run("put-record", "--delivery-stream-name", "s")
        self.assertEqual(missing.code, EXIT_USAGE, missing)
        unknown = self.sandbox.run("no-such-command")
        self.assertEqual(unknown.code, EXIT_USAGE, unknown)
        bad_name = self.sandbox.run("put-record", "--delivery-stream-name", "bad name!", "--data", "x",
                                    "--region", REGION,
                                    extra_env={"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"})
        self.assertEqual(bad_name.code, EXIT_SERVICE, bad_name)
        self.assertIn("ValidationException", bad_name.stderr)

    def test_oversized_line_is_refused_naming_the_line(self):
        path = self.sandbox.write("big.txt", "small\n" + "x" * 1_024_000 + "\n")
        result = self.sandbox.run("put-record-batch", "--delivery-stream-name", "s", "--records-file", path)
        self.assertEqual(result.code, EXIT_USAGE, result)
        self.assertIn("big.txt:2", result.stderr)


class WebIdentityAgainstMoto(unittest.TestCase):
    """STS AssumeRoleWithWebIdentity is unsigned; enforced moto fails on it, so
    this uses a second moto without enforcement."""

    def test_web_identity_credentials(self):
        with MotoServer(enforce_auth=False) as moto:
            sandbox = Sandbox()
            try:
                token = sandbox.write("token.jwt", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln")
                result = sandbox.run("list-delivery-streams", "--log-level", "debug", extra_env={
                    "AWS_WEB_IDENTITY_TOKEN_FILE": token,
                    "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/web-identity",
                    "AWS_ROLE_SESSION_NAME": "web-session",
                    "AWS_REGION": REGION,
                    "AWS_ENDPOINT_URL": moto.url,
                })
                self.assertEqual(result.code, 0, result)
                self.assertIn("web", result.stderr.lower(), "expected the log to name the web identity provider")
            finally:
                sandbox.cleanup()


if __name__ == "__main__":
    unittest.main()
