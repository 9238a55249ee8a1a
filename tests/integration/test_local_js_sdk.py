"""The AWS SDK for JavaScript v3 (versions pinned in js/package.json) against
firehose-local with signature checking on: runs `node --test` on
tests/integration/js/ with the server's URL and keys in the environment.

`make deps` installs Node.js and the SDK (npm ci); without `node` the test is
skipped, without the installed SDK it fails (run `make deps`).
"""
import os
import shutil
import subprocess
import unittest

from harness import REGION, FirehoseLocal

JS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js")
KEY, SECRET = "AKIDJSSDKTEST", "js-sdk-secret"


@unittest.skipIf(shutil.which("node") is None, "node is not installed (make deps installs it)")
class JavaScriptSdkTest(unittest.TestCase):
    def test_node_suite_passes(self):
        self.assertTrue(os.path.isdir(os.path.join(JS_DIR, "node_modules", "@aws-sdk", "client-firehose")),
                        f"the SDK is not installed: run `make deps` (npm ci --prefix {JS_DIR})")
        with FirehoseLocal(credentials=[(KEY, SECRET)]) as local:
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update({"FIREHOSE_LOCAL_URL": local.url, "AWS_ACCESS_KEY_ID": KEY,
                        "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_REGION": REGION,
                        "AWS_EC2_METADATA_DISABLED": "true"})
            completed = subprocess.run(["node", "--test", JS_DIR], cwd=JS_DIR, env=env,
                                       capture_output=True, text=True, timeout=120)
            self.assertEqual(completed.returncode, 0,
                             f"node --test failed:\n{completed.stdout[-8000:]}\n{completed.stderr[-4000:]}"
                             f"\nfirehose-local log:\n{local.stderr()[-4000:]}")
            self.assertIn("# fail 0", completed.stdout)
            self.assertNotIn("# pass 0", completed.stdout)


if __name__ == "__main__":
    unittest.main()
