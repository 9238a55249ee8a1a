"""Smoke test of the side-by-side benchmark harness (bench/harness/run.py, `make bench`) at a tiny
scale (under 30 s): real firehose-local, real firehose send and the seed's boto3 port. Checks
what the harness reports, never how fast anything was: every record read is accounted for and
reconciled with firehose-local's counters, the seed's port keeps the seed's flaw (batches cut by
count only: 100 records of 64 KiB exceed the 4 MiB request limit, so none is acknowledged), the
quota run samples goodput, and the generated section of docs/benchmarks.md is replaced in place
with the hand-written history below it kept as it was."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from harness import BUILD_DIR

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUN = os.path.join(ROOT, "bench", "harness", "run.py")
BEGIN, END = "<!-- side-by-side:begin", "<!-- side-by-side:end -->"


class BenchHarnessSmoke(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="bench-smoke-")
        cls.doc = os.path.join(cls.work, "benchmarks.md")
        shutil.copy(os.path.join(ROOT, "docs", "benchmarks.md"), cls.doc)
        with open(cls.doc, encoding="utf-8") as f:
            cls.original = f.read()
        cls.out = os.path.join(cls.work, "out")
        cls.command = [sys.executable, RUN, "--build", BUILD_DIR, "--scale", "0.0001", "--min-records", "100",
                       "--quota-seconds", "1", "--sets", "100b,64k", "--producers", "firehose,seed", "--parts", "cpu,tls,rss,quota",
                       "--data-dir", os.path.join(cls.work, "data"), "--out", cls.out,
                       "--img-dir", os.path.join(cls.work, "img"), "--update-doc", cls.doc]
        cls.completed = subprocess.run(cls.command, capture_output=True, text=True, timeout=300)
        with open(os.path.join(cls.out, "results.jsonl")) as f:
            cls.results = [json.loads(line) for line in f if line.strip()]
        with open(os.path.join(cls.out, "report.md"), encoding="utf-8") as f:
            cls.report = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def test_exits_0(self):
        self.assertEqual(self.completed.returncode, 0, self.completed.stderr[-3000:])

    def test_every_producer_on_every_data_set(self):
        cpu = {(r["dataset"], r["producer"]) for r in self.results if r["part"] == "cpu"}
        for dataset in ("100b", "64k"):
            for producer in ("firehose", "seed"):
                self.assertIn((dataset, producer), cpu)
        self.assertIn(("100b", "firehose-pack"), cpu)

    def test_records_reconciled_with_firehose_local(self):
        for r in self.results:
            if r["producer"] == "seed" and r["dataset"] == "64k" or r["part"] == "quota" and r["producer"] == "seed":
                continue  # the seed's losses: below
            with self.subTest(part=r["part"], dataset=r["dataset"], producer=r["producer"]):
                self.assertEqual(r["summary"]["records"], r["records"])
                self.assertEqual(r["summary"]["acknowledged"], r["records"])
                if r["producer"] != "firehose-pack":
                    self.assertEqual(r["server"]["records_stored"], r["records"])
                else:  # packed: fewer Firehose records than lines, none lost
                    self.assertLess(r["server"]["records_stored"], r["records"])
                    self.assertEqual(r["summary"]["bytes"], r["input_bytes"])

    def test_the_seed_port_keeps_the_seeds_losses(self):
        [seed_64k] = [r for r in self.results if r["part"] == "cpu" and r["dataset"] == "64k" and r["producer"] == "seed"]
        self.assertEqual(seed_64k["summary"]["acknowledged"], 0)
        self.assertEqual(seed_64k["summary"]["failed"], seed_64k["records"])
        self.assertEqual(seed_64k["server"]["records_stored"], 0)
        # Whatever the quota run throttled inside a 200 answer, the seed dropped: stored = acknowledged.
        for r in self.results:
            if r["part"] == "quota" and r["producer"] == "seed":
                self.assertEqual(r["server"]["records_stored"], r["summary"]["acknowledged"])
                self.assertEqual(r["summary"]["acknowledged"] + r["summary"]["failed"], r["records"])

    def test_a_set_the_seed_delivered_none_of_is_no_miss_in_the_goals(self):
        # Its 64 KiB calls were all refused: its CPU there bought nothing, so the seed goal's row
        # says so instead of counting 64k as a set where firehose send fell short of 9x.
        [row] = [line for line in self.report.splitlines() if line.startswith("| ≥ 9× less CPU than (b)")]
        self.assertIn("64k: ", row)
        self.assertIn("(it delivered none)", row.split("64k: ")[1].split(";")[0])
        self.assertNotIn("not on 64k", row)
        self.assertNotIn("(it delivered none)", row.split("64k: ")[0])  # the 100 B set was delivered

    def test_quota_run_samples_goodput(self):
        quota = [r for r in self.results if r["part"] == "quota"]
        self.assertEqual({r["producer"] for r in quota}, {"firehose", "seed"})
        for r in quota:
            self.assertGreater(len(r["quota"]["goodput"]), 0)
            self.assertGreater(r["quota"]["whole"]["quota_used_pct"], 0)

    def test_report_and_doc(self):
        for heading in ("### CPU, time, memory and records (plain HTTP)", "### Over TLS (1 KiB set)",
                        "### firehose send's memory while streaming", "### Quota run",
                        "### The issue's goals against these figures", "/ (a) firehose send's"):
            self.assertIn(heading, self.report)
        with open(self.doc, encoding="utf-8") as f:
            doc = f.read()
        self.assertEqual(doc.count(BEGIN), 1)
        self.assertEqual(doc.count(END), 1)
        # Everything of the original outside the generated section is still there, as it was.
        before, after = doc.split(BEGIN)[0], doc.split(END)[1]
        original_before, original_after = self.original_around_section()
        self.assertEqual(before, original_before)
        self.assertEqual(after.lstrip("\n"), original_after.lstrip("\n"))
        # A second pass replaces the section instead of adding one.
        again = subprocess.run(self.command[:2] + ["--build", BUILD_DIR, "--out", self.out, "--report-only",
                                                   "--img-dir", os.path.join(self.work, "img"), "--update-doc", self.doc],
                               capture_output=True, text=True, timeout=120)
        self.assertEqual(again.returncode, 0, again.stderr[-2000:])
        with open(self.doc, encoding="utf-8") as f:
            self.assertEqual(f.read().count(BEGIN), 1)

    def original_around_section(self):
        """The copied doc's text before and after its generated section, or around the place one
        goes (before the first '## ' heading) when it had none."""
        if BEGIN in self.original:
            return self.original.split(BEGIN)[0], self.original.split(END)[1]
        at = self.original.index("\n## ") + 1
        return self.original[:at], self.original[at:]

    def test_plots_when_gnuplot_is_installed(self):
        if not shutil.which("gnuplot"):
            self.assertNotIn("![", self.report)
            return
        for name in ("cpu", "quota", "rss"):
            path = os.path.join(self.work, "img", f"bench-{name}.png")
            with open(path, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


if __name__ == "__main__":
    unittest.main()
