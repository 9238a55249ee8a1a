"""libfirehose as a package: `cmake --install` to a temporary prefix, then
examples/ built as an outside project with find_package(firehose CONFIG
REQUIRED), and its programs run against firehose-local. The prefix is moved
after installing, so the package must be relocatable; a program built with
pkg-config's flags alone checks the .pc file."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import BUILD_DIR, FirehoseLocal, Sandbox

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CCACHE = shutil.which("ccache")


def run(*command, env=None, timeout=900):
    completed = subprocess.run(list(command), capture_output=True, text=True, env=env, timeout=timeout)
    if completed.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {completed.returncode}\n"
                             f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}")
    return completed


class InstalledPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="firehose-package-test-")
        installed = os.path.join(cls.work, "installed")
        run("cmake", "--install", BUILD_DIR, "--prefix", installed)
        # Relocatable: nothing may remember where it was installed.
        cls.prefix = os.path.join(cls.work, "moved", "prefix")
        os.makedirs(os.path.dirname(cls.prefix))
        os.rename(installed, cls.prefix)
        cls.examples = os.path.join(cls.work, "examples-build")
        configure = ["cmake", "-S", os.path.join(SOURCE_DIR, "examples"), "-B", cls.examples,
                     "-DCMAKE_BUILD_TYPE=Release", f"-DCMAKE_PREFIX_PATH={cls.prefix}"]
        if CCACHE:
            configure.append(f"-DCMAKE_CXX_COMPILER_LAUNCHER={CCACHE}")
        run(*configure)
        run("cmake", "--build", cls.examples, "-j2")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def setUp(self):
        self.sandbox = Sandbox()
        self.local = FirehoseLocal().start()
        self.addCleanup(self.local.stop)
        self.addCleanup(self.sandbox.cleanup)
        self.sandbox.point_at(self.local)
        self.local.create_stream(self.local.client(), "orders")

    def example(self, name, *args):
        completed = subprocess.run([os.path.join(self.examples, name), *args], env=self.sandbox.env,
                                   capture_output=True, text=True, timeout=300)
        return completed

    def test_installed_files(self):
        for relative in ["include/firehose/producer.hpp", "lib/cmake/firehose/firehoseConfig.cmake",
                         "lib/cmake/firehose/firehoseConfigVersion.cmake", "lib/cmake/firehose/firehoseTargets.cmake",
                         "lib/pkgconfig/firehose.pc"]:
            self.assertTrue(os.path.exists(os.path.join(self.prefix, relative)), relative)
        self.assertFalse(os.path.exists(os.path.join(self.prefix, "include", "aws")), "private headers installed")

    def test_put_records_example_against_firehose_local(self):
        completed = self.example("put_records", "orders", "600")
        self.assertEqual(completed.returncode, 0, completed.stdout + completed.stderr)
        self.assertEqual(completed.stdout.count("PutRecord "), 10, completed.stdout)
        self.assertIn("producer: 590 of 590 records acknowledged", completed.stdout)
        self.assertIn("CloudWatch IncomingRecords: 600", completed.stdout)
        self.local.flush()
        delivered = b"".join(body for _, body in self.local.objects())
        numbers = sorted(json.loads(line)["n"] for line in delivered.decode().splitlines())
        self.assertEqual(numbers, list(range(600)))

    def test_producer_callbacks_example_dead_letters_the_oversized_record(self):
        dead_letter = os.path.join(self.sandbox.home, "dead.ndjson")
        completed = self.example("producer_callbacks", "orders", dead_letter)
        self.assertEqual(completed.returncode, 0, completed.stdout + completed.stderr)
        self.assertIn("oversized record: acknowledged=0 error=RecordTooLarge dead_lettered=1", completed.stdout)
        self.assertIn("callbacks: 100, acknowledged by callback: 100", completed.stdout)
        self.assertIn("acknowledged 200, failed 0, rejected 1, dead-lettered 1", completed.stdout)
        with open(dead_letter) as f:
            entries = [json.loads(line) for line in f]
        self.assertEqual([e["error_code"] for e in entries], ["RecordTooLarge"])

    def test_unknown_stream_fails_with_one_line(self):
        completed = self.example("put_records", "no-such-stream", "20")
        self.assertEqual(completed.returncode, 1)
        self.assertIn("ResourceNotFoundException", completed.stderr)

    def test_pkg_config_flags_alone_build_a_program(self):
        source = os.path.join(self.work, "pkg_config_main.cpp")
        with open(source, "w") as f:
            f.write('#include <firehose/session.hpp>\n#include <cstdio>\n'
                    'int main() { auto s = firehose::Session::create(); '
                    'std::puts(s ? s.value()->region().c_str() : s.error().code.c_str()); return s ? 0 : 1; }\n')
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(self.prefix, "lib", "pkgconfig"))
        flags = run("pkg-config", "--cflags", "--libs", "--static", "firehose", env=env).stdout.split()
        program = os.path.join(self.work, "pkg_config_main")
        run("g++", source, "-o", program, *flags, env=env)
        completed = subprocess.run([program], env=self.sandbox.env, capture_output=True, text=True, timeout=60)
        self.assertEqual((completed.returncode, completed.stdout.strip()), (0, "us-east-1"), completed.stderr)


if __name__ == "__main__":
    unittest.main()
