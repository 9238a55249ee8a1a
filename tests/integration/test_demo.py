"""`make demo`'s script (scripts/demo.sh) run twice in a row against the
already-built binaries: each run delivers every generated record and stops
its firehose-local; a failing run stops it too."""
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import BUILD_DIR

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "demo.sh")


class Demo(unittest.TestCase):
    def setUp(self):
        self.demo_dir = tempfile.mkdtemp(prefix="firehose-demo-test-")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FIREHOSE_"))}
        self.env.update({"BUILD_DIR": os.path.abspath(BUILD_DIR), "DEMO_DIR": self.demo_dir,
                         "HOME": self.demo_dir})

    def tearDown(self):
        shutil.rmtree(self.demo_dir, ignore_errors=True)

    def run_demo(self, **extra):
        env = dict(self.env, **extra)
        return subprocess.run(["bash", SCRIPT], env=env, capture_output=True, text=True, timeout=300)

    def assert_server_stopped(self):
        with open(os.path.join(self.demo_dir, "firehose-local.pid")) as f:
            pid = int(f.read())
        with self.assertRaises(ProcessLookupError):
            os.kill(pid, 0)

    def test_twice_in_a_row(self):
        for run in (1, 2):
            result = self.run_demo()
            self.assertEqual(result.returncode, 0, f"run {run}\n{result.stdout}\n{result.stderr[-3000:]}")
            self.assertIn("OK: every record sent was delivered, byte for byte.", result.stdout)
            rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()
                    if line.split() and line.split()[0] in ("sent", "acknowledged", "delivered")}
            self.assertEqual(rows["sent"][0], "2550")
            self.assertEqual(rows["delivered"], rows["sent"])
            self.assertEqual(rows["acknowledged"], rows["sent"])
            self.assertIn("IncomingRecords", result.stdout)  # the metrics table
            self.assert_server_stopped()

    def test_a_failing_run_still_stops_the_server(self):
        result = self.run_demo(DEMO_STREAM="not a valid name")
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertIn("error", result.stderr)
        self.assert_server_stopped()


if __name__ == "__main__":
    unittest.main()
