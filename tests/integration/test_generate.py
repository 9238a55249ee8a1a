"""`firehose generate`: the AWS example's record shape, byte-for-byte determinism
checked against an independent implementation (sfc32 seeded through splitmix32,
the mapping documented in apps/firehose/example_records.hpp and in
resources/generate-data.js, written here in Python), and flat memory for a large count."""
import json
import os
import re
import subprocess
import sys
import unittest

from harness import FIREHOSE, Sandbox

SHAPE = re.compile(rb'\{"ip_address":"(\d+)\.(\d+)\.(\d+)\.(\d+)","timestamp":(\d+),"alert_level":"(Low|Medium|High|Critical)"\}')
MASK = 0xFFFFFFFF


class Sfc32:
    """sfc32, its state from the seed's low and high 32 bits through splitmix32, 12 outputs discarded."""
    def __init__(self, seed):
        self.state = seed & MASK
        self.a = self.splitmix32()
        self.state ^= (seed >> 32) & MASK
        self.b, self.c, self.counter = self.splitmix32(), self.splitmix32(), 1
        for _ in range(12):
            self()

    def splitmix32(self):
        self.state = (self.state + 0x9E3779B9) & MASK
        z = self.state
        z = ((z ^ (z >> 16)) * 0x21F0AAAD) & MASK
        z = ((z ^ (z >> 15)) * 0x735A2D97) & MASK
        return z ^ (z >> 15)

    def __call__(self):
        t = (self.a + self.b + self.counter) & MASK
        self.counter = (self.counter + 1) & MASK
        self.a = self.b ^ (self.b >> 9)
        self.b = (self.c + (self.c << 3)) & MASK
        self.c = ((((self.c << 21) | (self.c >> 11)) & MASK) + t) & MASK
        return t

    def below(self, n):
        limit = (1 << 32) - (1 << 32) % n
        while True:
            x = self()
            if x < limit:
                return x % n


def reference_records(seed, count):
    """The mapping documented in apps/firehose/example_records.hpp, independently."""
    random = Sfc32(seed)
    out, timestamp = [], 1735689600
    for _ in range(count):
        ip = f"{1 + random.below(223)}.{random.below(256)}.{random.below(256)}.{random.below(256)}"
        pick, level = random.below(100), None
        for name, weight in (("Low", 40), ("Medium", 30), ("High", 20), ("Critical", 10)):
            if pick < weight:
                level = name
                break
            pick -= weight
        out.append(f'{{"ip_address":"{ip}","timestamp":{timestamp},"alert_level":"{level}"}}\n')
        timestamp += random.below(3)
    return "".join(out).encode()


class Generate(unittest.TestCase):
    def setUp(self):
        self.sandbox = Sandbox()

    def tearDown(self):
        self.sandbox.cleanup()

    def generate(self, *args):
        return subprocess.run([FIREHOSE, "generate", *args], capture_output=True, env=self.sandbox.env, timeout=120)

    def test_default_is_the_example_data_set_in_the_example_shape(self):
        result = self.generate()
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines(keepends=True)
        self.assertEqual(len(lines), 2550)
        for line in lines:
            self.assertTrue(line.endswith(b"\n"))
            match = SHAPE.fullmatch(line.rstrip(b"\n"))
            self.assertIsNotNone(match, line)
            self.assertEqual(list(json.loads(line)), ["ip_address", "timestamp", "alert_level"])
            self.assertTrue(1 <= int(match.group(1)) <= 223 and all(int(match.group(i)) <= 255 for i in (2, 3, 4)))
        self.assertEqual(len({json.loads(line)["alert_level"] for line in lines}), 4)

    def test_same_seed_same_bytes_as_the_independent_reference(self):
        for seed in ("1", "2550", "18446744073709551615"):
            first = self.generate("--count", "1000", "--seed", seed)
            second = self.generate("--count", "1000", "--seed", seed)
            self.assertEqual(first.returncode, 0, first.stderr)
            self.assertEqual(first.stdout, second.stdout)
            self.assertEqual(first.stdout, reference_records(int(seed), 1000))
        self.assertNotEqual(self.generate("--count", "10", "--seed", "1").stdout,
                            self.generate("--count", "10", "--seed", "2").stdout)

    def test_output_file_equals_stdout_and_a_prefix_of_a_longer_run(self):
        path = os.path.join(self.sandbox.home, "records.ndjson")
        self.assertEqual(self.generate("--count", "300", "--seed", "9", "--output", path).returncode, 0)
        with open(path, "rb") as f:
            written = f.read()
        self.assertEqual(written, self.generate("--count", "300", "--seed", "9").stdout)
        self.assertTrue(self.generate("--count", "301", "--seed", "9").stdout.startswith(written))

    def test_memory_stays_flat_for_a_large_count(self):
        # The peak RSS of `generate` alone (measured in a process of its own, whose only
        # child it is) for 10,000 and for 2,000,000 records (~150 MB): no growth with --count.
        def peak_kib(count):
            probe = ("import resource, subprocess, sys; rc = subprocess.run(sys.argv[1:]).returncode; "
                     "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
            out = subprocess.run([sys.executable, "-c", probe, FIREHOSE, "generate", "--count", str(count),
                                  "--output", "/dev/null"], capture_output=True, env=self.sandbox.env, timeout=300)
            rc, kib = out.stdout.split()
            self.assertEqual(rc, b"0", out.stderr)
            return int(kib)
        small, large = peak_kib(10_000), peak_kib(2_000_000)
        self.assertLess(large, small + 2048, f"peak RSS {small} KiB for 10,000 records, {large} KiB for 2,000,000")

    def test_bad_arguments_are_one_line_and_exit_2(self):
        for args in (["--count", "-5"], ["--count", "many"], ["--seed", "x"],
                     ["--output", "/nonexistent-dir/x.ndjson"]):
            result = self.generate(*args)
            self.assertEqual(result.returncode, 2, (args, result))
            self.assertTrue(result.stderr.startswith(b"error: "), result.stderr)
        full = self.generate("--count", "100000", "--output", "/dev/full")
        self.assertEqual(full.returncode, 2)
        self.assertIn(b"/dev/full", full.stderr)

    def test_counts_and_seeds_are_decimal_numbers_in_range(self):
        # 0x10 was read as 16, 2^64 and beyond ran forever, -1 and abc named a range of 309 digits.
        counts, seeds = "1000000000000", "18446744073709551615"
        for args, limit in ((["--count", "0x10"], counts), (["--count", "18446744073709551616"], counts),
                            (["--count", "99999999999999999999999"], counts), (["--count", "-1"], counts),
                            (["--count", "abc"], counts), (["--seed", "0x10"], seeds),
                            (["--seed", "18446744073709551616"], seeds)):
            result = self.generate(*args, "--output", "/dev/null")
            self.assertEqual(result.returncode, 2, (args, result))
            first = result.stderr.decode().splitlines()[0]
            self.assertEqual(first,
                             f"error: {args[0]}: Value {args[1]} is not a decimal whole number from 0 to {limit}")
        # Decimal even with a leading zero (CLI11 alone read 016 as octal, 14), up to the largest seed.
        self.assertEqual(len(self.generate("--count", "016", "--seed", "18446744073709551615").stdout.splitlines()), 16)

    def test_a_reader_closing_the_pipe_gets_one_error_line(self):
        # `generate | head -1`: the project's rule for every command, a stdout closed by its
        # reader is exit 2 with one line (the output is incomplete); it was two lines.
        process = subprocess.Popen([FIREHOSE, "generate", "--count", "1000000"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=self.sandbox.env)
        self.assertTrue(process.stdout.readline().startswith(b'{"ip_address"'))
        process.stdout.close()
        stderr = process.stderr.read().decode()
        process.stderr.close()
        self.assertEqual(process.wait(timeout=60), 2, stderr)
        self.assertEqual(len(stderr.splitlines()), 1, stderr)
        self.assertTrue(stderr.startswith("error: could not write to stdout"), stderr)

    def test_help_describes_the_shape(self):
        result = self.generate("--help")
        self.assertEqual(result.returncode, 0)
        self.assertIn(b"alert_level", result.stdout)
        self.assertIn(b"--seed", result.stdout)


if __name__ == "__main__":
    unittest.main()
