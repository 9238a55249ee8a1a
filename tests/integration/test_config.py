"""The CLI's settings end to end: flags > FIREHOSE_* > config file > defaults,
for `workflow` (what its `config` event and its batches show), the global
--max-attempts and AWS_MAX_ATTEMPTS, and the refusals with their exit codes."""
import json
import os
import unittest

from harness import REGION, FirehoseLocal, Sandbox
from workflow_checks import events

EXIT_USAGE, EXIT_CONFIG = 2, 3


class Configuration(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = FirehoseLocal().start()
        for name in ("from-file", "from-env", "from-flag"):
            cls.local.create_stream(cls.local.client(), name)

    @classmethod
    def tearDownClass(cls):
        cls.local.__exit__(None, None, None)

    def setUp(self):
        self.sandbox = Sandbox()
        self.sandbox.point_at(self.local)
        self.sandbox.env["XDG_CONFIG_HOME"] = os.path.join(self.sandbox.home, "xdg")

    def tearDown(self):
        self.sandbox.cleanup()

    def write_config(self, text):
        return self.sandbox.write("xdg/firehose/config.toml", text)

    def workflow(self, *args, extra_env=None, global_args=()):
        result = self.sandbox.run(*global_args, "workflow", "--log-format", "json", "--count", "700",
                                  "--single-records", "2", *args, extra_env=extra_env)
        return result

    def config_of(self, result):
        self.assertEqual(result.code, 0, result)
        found = [e for e in events(self, result.stderr) if e["event"] == "config"]
        self.assertEqual(len(found), 1)
        return found[0]

    def test_file_then_environment_then_flag(self):
        path = self.write_config('delivery_stream = "from-file"\nmax_batch_records = 300\nlinger_ms = 5\n'
                                 'max_in_flight = 2\n')
        config = self.config_of(self.workflow())
        self.assertEqual((config["stream"], config["max_batch_records"], config["linger_ms"], config["max_in_flight"]),
                         ("from-file", 300, 5, 2))
        self.assertEqual(config["config_file"], path)

        env = {"FIREHOSE_DELIVERY_STREAM": "from-env", "FIREHOSE_MAX_BATCH_RECORDS": "250"}
        config = self.config_of(self.workflow(extra_env=env))
        self.assertEqual((config["stream"], config["max_batch_records"], config["linger_ms"]), ("from-env", 250, 5))

        result = self.workflow("--delivery-stream-name", "from-flag", "--max-batch-records", "200", extra_env=env)
        config = self.config_of(result)
        self.assertEqual((config["stream"], config["max_batch_records"]), ("from-flag", 200))
        summary = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(summary["stream"], "from-flag")
        # 698 records in calls of at most 200: at least 4 calls.
        self.assertGreaterEqual(summary["put_record_batch"]["requests"], 4)

    def test_an_explicit_config_file_replaces_the_default_one(self):
        self.write_config('delivery_stream = "from-file"\n')
        other = self.sandbox.write("other.toml", 'delivery_stream = "from-flag"\nlog_level = "warning"\n')
        result = self.sandbox.run("--config", other, "workflow", "--log-format", "json", "--count", "5")
        self.assertEqual(result.code, 0, result)
        # log_level from the file: the info-level steps are not shown, the summary is still on stdout.
        self.assertNotIn('"event":"config"', result.stderr)
        self.assertEqual(json.loads(result.stdout.strip().splitlines()[-1])["stream"], "from-flag")

    def test_max_attempts_one_precedence_for_every_retry(self):
        self.write_config('delivery_stream = "from-file"\nmax_attempts = 7\n')
        config = self.config_of(self.workflow())
        self.assertEqual((config["put_record_max_attempts"], config["put_record_batch_max_attempts"]), (7, 7))
        config = self.config_of(self.workflow(extra_env={"AWS_MAX_ATTEMPTS": "4"}))
        self.assertEqual((config["put_record_max_attempts"], config["put_record_batch_max_attempts"]), (4, 4))
        config = self.config_of(self.workflow(extra_env={"AWS_MAX_ATTEMPTS": "4", "FIREHOSE_MAX_ATTEMPTS": "5"}))
        self.assertEqual((config["put_record_max_attempts"], config["put_record_batch_max_attempts"]), (5, 5))
        # The global option, before the command or after it.
        for global_args, args in ((["--max-attempts", "2"], []), ([], ["--max-attempts", "2"])):
            config = self.config_of(self.workflow(*args, global_args=global_args,
                                                  extra_env={"FIREHOSE_MAX_ATTEMPTS": "5"}))
            self.assertEqual((config["put_record_max_attempts"], config["put_record_batch_max_attempts"]), (2, 2))

    def test_beyond_a_service_limit_is_refused_with_exit_2(self):
        cases = [({"FIREHOSE_MAX_BATCH_RECORDS": "501"}, "", "FIREHOSE_MAX_BATCH_RECORDS", "500 records"),
                 ({}, "max_batch_bytes = 5242880\n", "config.toml: max_batch_bytes", "4 MiB"),
                 ({"FIREHOSE_MAX_BATCH_BYTES": "4194305"}, "", "FIREHOSE_MAX_BATCH_BYTES", "4 MiB")]
        for env, file_text, names, limit in cases:
            self.write_config('delivery_stream = "from-file"\n' + file_text)
            result = self.workflow(extra_env=env)
            self.assertEqual(result.code, EXIT_USAGE, result)
            self.assertEqual(len(result.stderr.strip().splitlines()), 1, result)
            self.assertIn(names, result.stderr)
            self.assertIn(limit, result.stderr)
        result = self.workflow("--max-batch-records", "501")
        self.assertEqual(result.code, EXIT_USAGE, result)
        self.assertIn("--max-batch-records", result.stderr)

    def test_malformed_values_name_their_source_exit_3(self):
        self.write_config('delivery_stream = "from-file"\n')
        result = self.workflow(extra_env={"FIREHOSE_LINGER_MS": "soon"})
        self.assertEqual(result.code, EXIT_CONFIG, result)
        self.assertIn('FIREHOSE_LINGER_MS="soon"', result.stderr)
        path = self.write_config('delivery_stream = "from-file"\nmax_in_flight = "lots"\n')
        result = self.workflow()
        self.assertEqual(result.code, EXIT_CONFIG, result)
        self.assertIn(f"{path} line 2: max_in_flight must be an integer", result.stderr)
        self.write_config("delivery-stream = 'x'\n")
        result = self.sandbox.run("list-delivery-streams")  # every command reads the file
        self.assertEqual(result.code, EXIT_CONFIG, result)
        self.assertIn("unknown key 'delivery-stream'", result.stderr)
        result = self.sandbox.run("--config", "/nonexistent.toml", "list-delivery-streams")
        self.assertEqual(result.code, EXIT_USAGE, result)
        self.assertIn("/nonexistent.toml", result.stderr)

    def test_log_format_from_the_environment(self):
        self.write_config('delivery_stream = "from-file"\n')
        result = self.sandbox.run("workflow", "--count", "3", extra_env={"FIREHOSE_LOG_FORMAT": "text"})
        self.assertEqual(result.code, 0, result)
        self.assertIn(" info Configuration: stream from-file", result.stderr)
        result = self.sandbox.run("workflow", "--count", "3")  # a pipe: JSON lines by default
        self.assertTrue(all(line.startswith('{"ts":') for line in result.stderr.splitlines()), result)


if __name__ == "__main__":
    unittest.main()


class MistypedCommandLines(unittest.TestCase):
    """Typos get one line naming the unknown word and the nearest known one; `help [COMMAND]` works."""

    def setUp(self):
        self.sandbox = Sandbox()

    def tearDown(self):
        self.sandbox.cleanup()

    def test_unknown_command_and_option_with_suggestions(self):
        cases = [(["put-records", "--delivery-stream-name", "s"], "unknown command 'put-records' (did you mean put-record?)"),
                 (["put-record", "--delivery-steam-name", "s", "--data", "x"],
                  "unknown option '--delivery-steam-name' for 'put-record' (did you mean --delivery-stream-name?)"),
                 (["--regoin", REGION, "list-delivery-streams"], "unknown option '--regoin' (did you mean --region?)"),
                 (["help", "wrokflow"], "unknown command 'wrokflow' (did you mean workflow?)")]
        for args, message in cases:
            result = self.sandbox.run(*args)
            self.assertEqual(result.code, EXIT_USAGE, (args, result))
            self.assertEqual(result.stderr.splitlines()[0], "error: " + message)

    def test_help_and_help_of_a_command(self):
        result = self.sandbox.run("help")
        self.assertEqual(result.code, 0, result)
        self.assertIn("workflow", result.stdout)
        result = self.sandbox.run("help", "generate")
        self.assertEqual(result.code, 0, result)
        self.assertIn("--seed", result.stdout)
