"""resources/: the CDK app, generate-data.js and the catalogue metadata, all offline.

- The CDK app (TypeScript, pinned in resources/package-lock.json, installed by `make deps`):
  tsc type-checks and compiles it with its aws-cdk-lib/assertions tests, `node --test` runs
  them; `cdk synth` runs the cdk.json app entry once with context overrides and without any
  AWS credentials, configuration or network; cfn-lint checks the template it writes.
- generate-data.js: determinism, the record shape, counts, --output, a closed pipe, a slow
  reader, flat memory, refused arguments; and the same shape as `firehose generate`.
- metadata.yaml (at the root) parses (PyYAML) and has the SPECIFICATION's four keys in the
  catalogue's entry shape; each snippet tag is marked exactly once in the C++ sources, around
  the code that does the job, and no marker goes unlisted.

Skipped only when `node` is missing (`make deps` installs it); a missing node_modules is a
failure that says to run `make deps`. The one other skip: `firehose generate` absent from
the build (it lands with the workflow branch, issue #12).
"""
import ipaddress
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from harness import FIREHOSE

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RESOURCES = os.path.join(REPO, "resources")
GENERATE = os.path.join(RESOURCES, "generate-data.js")
NODE = shutil.which("node")
STACK = "FirehoseWorkflowStack"
KEYS = ["ip_address", "timestamp", "alert_level"]
LEVELS = {"Low", "Medium", "High", "Critical"}
BASE_TIME = 1735689600  # documented in generate-data.js: 2025-01-01T00:00:00Z


def offline_env(home):
    """The environment for CDK commands: no AWS_* variable, no profile or credentials file
    (HOME is empty), instance metadata off, and proxies pointing at a closed port, so any
    attempt to reach AWS or the internet fails instead of quietly succeeding."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "CDK_")) and k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    dead = "http://127.0.0.1:9"
    env.update({"HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.path.join(home, "none"),
                "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "none"), "CDK_DISABLE_VERSION_CHECK": "1",
                "CDK_DISABLE_CLI_TELEMETRY": "true", "HTTP_PROXY": dead, "HTTPS_PROXY": dead,
                "http_proxy": dead, "https_proxy": dead, "NO_PROXY": "", "npm_config_offline": "true",
                "npm_config_cache": os.path.join(os.path.expanduser("~"), ".npm")})
    return env


def run(cmd, **kwargs):
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("timeout", 180)
    return subprocess.run(cmd, **kwargs)


def describe(completed):
    out = completed.stdout.decode(errors="replace") if isinstance(completed.stdout, bytes) else completed.stdout
    err = completed.stderr.decode(errors="replace") if isinstance(completed.stderr, bytes) else completed.stderr
    return f"exit {completed.returncode}\nstdout:\n{(out or '')[-6000:]}\nstderr:\n{(err or '')[-6000:]}"


def check_shape(test, data, source):
    """Every line: compact-or-not JSON object with exactly KEYS in that order, a dotted-quad
    IPv4 string, an integer timestamp, a known alert level. Returns the parsed records."""
    test.assertTrue(data.endswith(b"\n"), f"{source}: output does not end with a newline")
    records = []
    for number, line in enumerate(data.decode("ascii").split("\n")[:-1], 1):
        record = json.loads(line)
        test.assertIsInstance(record, dict, f"{source} line {number}")
        test.assertEqual(list(record), KEYS, f"{source} line {number}: {line}")
        ip = record["ip_address"]
        test.assertIsInstance(ip, str)
        test.assertRegex(ip, r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$", f"{source} line {number}")
        ipaddress.IPv4Address(ip)  # raises on 256, leading zeros, ...
        test.assertIs(type(record["timestamp"]), int, f"{source} line {number}: {line}")
        test.assertIn(record["alert_level"], LEVELS, f"{source} line {number}")
        records.append(record)
    return records


@unittest.skipIf(NODE is None, "node is not installed (make deps installs it)")
class CdkAppTest(unittest.TestCase):
    """Compiles once, synthesises once (in parallel), then each test reads the results."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="test-resources-")
        if not os.path.isdir(os.path.join(RESOURCES, "node_modules", "aws-cdk-lib")):
            cls.setup_error = f"the CDK app's packages are not installed: run `make deps` (npm ci in {RESOURCES})"
            return
        cls.setup_error = None
        # tsc output inside resources/ (gitignored) so that Node finds resources/node_modules from it.
        cls.build = tempfile.mkdtemp(prefix=".test-build-", dir=RESOURCES)
        cls.cdk_out = os.path.join(cls.tmp, "cdk.out")
        env = offline_env(os.path.join(cls.tmp, "home"))
        os.makedirs(env["HOME"])
        bin_dir = os.path.join(RESOURCES, "node_modules", ".bin")
        # The cdk.json app entry, with context given the way a user gives it (strings via -c).
        cls.synth_cmd = [os.path.join(bin_dir, "cdk"), "synth", "--no-notices", "--quiet", "--output", cls.cdk_out,
                         "-c", "streamName=resources-test.stream_1", "-c", "bufferSizeMb=8",
                         "-c", "bufferIntervalSeconds=120"]
        started = time.monotonic()
        # Everything that takes time runs at once: synth (ts-node) || tsc, then the assertion
        # suite on tsc's output || the rest of synth, then cfn-lint on synth's template.
        synth = subprocess.Popen(cls.synth_cmd, cwd=RESOURCES, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
        cls.tsc = run([os.path.join(bin_dir, "tsc"), "-p", RESOURCES, "--outDir", cls.build], cwd=RESOURCES, env=env)
        suite_cmd = [NODE, "--test", os.path.join(cls.build, "test")]
        suite = subprocess.Popen(suite_cmd, cwd=RESOURCES, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) if cls.tsc.returncode == 0 else None
        out, err = synth.communicate(timeout=300)
        cls.synth = subprocess.CompletedProcess(cls.synth_cmd, synth.returncode, out, err)
        cls.template_path = os.path.join(cls.cdk_out, f"{STACK}.template.json")
        cfn_lint = shutil.which("cfn-lint")
        cls.lint = run([cfn_lint, "--format", "parseable", cls.template_path], text=True) \
            if cfn_lint and synth.returncode == 0 else None
        if suite is not None:
            out, err = suite.communicate(timeout=300)
            cls.suite = subprocess.CompletedProcess(suite_cmd, suite.returncode, out, err)
        cls.setup_seconds = time.monotonic() - started

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        if getattr(cls, "build", None):
            shutil.rmtree(cls.build, ignore_errors=True)

    def setUp(self):
        if self.setup_error:
            self.fail(self.setup_error)

    def template(self):
        self.assertEqual(self.synth.returncode, 0, describe(self.synth))
        with open(self.template_path) as f:
            return json.load(f)

    def test_pinned_versions_installed(self):
        with open(os.path.join(RESOURCES, "package.json")) as f:
            package = json.load(f)
        pins = {**package["dependencies"], **package["devDependencies"]}
        for name, version in pins.items():
            self.assertRegex(version, r"^\d+\.\d+\.\d+$", f"{name} is not pinned exactly: {version}")
        self.assertEqual(pins["aws-cdk"], "2.1148.1")  # 3.x cannot read what aws-cdk-lib 2.276 writes
        self.assertEqual(pins["aws-cdk-lib"], "2.276.0")
        self.assertRegex(pins["constructs"], r"^10\.")
        self.assertRegex(pins["typescript"], r"^5\.9\.")  # 7.x breaks ts-node
        with open(os.path.join(RESOURCES, "package-lock.json")) as f:
            lock = json.load(f)
        for name, version in pins.items():
            self.assertEqual(lock["packages"][f"node_modules/{name}"]["version"], version, name)
            # A node_modules left from another lock file would test something else: compare.
            with open(os.path.join(RESOURCES, "node_modules", name, "package.json")) as f:
                self.assertEqual(json.load(f)["version"], version, f"{name}: installed != pinned; run npm ci")

    def test_typescript_compiles(self):
        self.assertEqual(self.tsc.returncode, 0, describe(self.tsc))

    def test_assertion_suite_passes(self):
        self.assertEqual(self.tsc.returncode, 0, describe(self.tsc))
        completed = self.suite
        self.assertEqual(completed.returncode, 0, describe(completed))
        self.assertIn("# fail 0", completed.stdout)
        tests = re.search(r"^# tests (\d+)$", completed.stdout, re.M)
        self.assertTrue(tests and int(tests.group(1)) >= 11, completed.stdout[-2000:])
        self.assertIn(f"# pass {tests.group(1)}", completed.stdout)

    def test_synth_offline_without_credentials(self):
        template = self.template()
        # CDK annotations (deprecated APIs, risky settings) are printed as [Warning at ...].
        self.assertNotIn(b"[Warning", self.synth.stderr, describe(self.synth))
        with open(os.path.join(self.cdk_out, "manifest.json")) as f:
            manifest = json.load(f)
        # Environment-agnostic: nothing was looked up, no account was needed.
        self.assertEqual(manifest["artifacts"][STACK]["environment"], "aws://unknown-account/unknown-region")
        self.assertFalse(os.path.exists(os.path.join(RESOURCES, "cdk.context.json")),
                         "synth cached a context lookup (it must need none)")
        streams = [r for r in template["Resources"].values() if r["Type"] == "AWS::KinesisFirehose::DeliveryStream"]
        self.assertEqual(len(streams), 1)
        stream = streams[0]["Properties"]
        # The -c values reached the stack through the CLI, as strings, converted and validated.
        self.assertEqual(stream["DeliveryStreamName"], "resources-test.stream_1")
        self.assertEqual(stream["ExtendedS3DestinationConfiguration"]["BufferingHints"],
                         {"SizeInMBs": 8, "IntervalInSeconds": 120})
        self.assertEqual({k: v["Export"]["Name"] for k, v in template["Outputs"].items()},
                         {n: n for n in ("FirehoseStreamNameOutput", "BucketNameOutput", "RoleArnOutput")})
        print(f"\n  tsc, cdk synth, node --test, cfn-lint (overlapped): {self.setup_seconds:.1f} s", end=" ")

    def test_cfn_lint_clean(self):
        self.template()
        self.assertIsNotNone(self.lint, "cfn-lint is not installed (pip install cfn-lint)")
        self.assertEqual((self.lint.returncode, self.lint.stdout.strip()), (0, ""), describe(self.lint))

    def test_bad_context_fails_the_app_entry(self):
        # The compiled entry, run the way the CLI runs cdk.json's app (context in CDK_CONTEXT_JSON).
        self.assertEqual(self.tsc.returncode, 0, describe(self.tsc))
        entry = os.path.join(self.build, "bin", "firehose-resources.js")
        env = offline_env(self.tmp)
        for context, message in [({"bufferSizeMb": "0"}, 'invalid context bufferSizeMb="0": must be an integer '
                                   'from 1 to 128 (MiB)'),
                                  ({"streamName": "no spaces"}, 'invalid context streamName="no spaces"')]:
            env.update({"CDK_CONTEXT_JSON": json.dumps(context), "CDK_OUTDIR": os.path.join(self.tmp, "bad.out")})
            completed = run([NODE, entry], cwd=RESOURCES, env=env, text=True)
            self.assertNotEqual(completed.returncode, 0, describe(completed))
            self.assertIn(message, completed.stderr)


@unittest.skipIf(NODE is None, "node is not installed (make deps installs it)")
class GenerateDataTest(unittest.TestCase):
    def generate(self, *args, check=True):
        completed = run([NODE, GENERATE, *args], timeout=120)
        if check:
            self.assertEqual(completed.returncode, 0, describe(completed))
            self.assertEqual(completed.stderr, b"")
        return completed

    def test_default_is_the_examples_2550_records(self):
        data = self.generate().stdout
        records = check_shape(self, data, "generate-data.js")
        self.assertEqual(len(records), 2550)
        self.assertEqual({r["alert_level"] for r in records}, LEVELS)
        self.assertGreater(len({r["ip_address"] for r in records}), 2500)

    def test_shape_compact_and_timestamps(self):
        data = self.generate("--count", "500", "--seed", "11").stdout
        records = check_shape(self, data, "generate-data.js")
        self.assertEqual(len(records), 500)
        for line, record in zip(data.decode().split("\n"), records):
            self.assertEqual(line, json.dumps(record, separators=(",", ":")))  # compact, keys in order
        stamps = [r["timestamp"] for r in records]
        self.assertEqual(stamps[0], BASE_TIME)
        self.assertEqual(stamps, sorted(stamps))
        self.assertTrue(all(0 <= b - a <= 2 for a, b in zip(stamps, stamps[1:])))

    def test_same_seed_same_bytes_other_seed_other_bytes(self):
        first = self.generate("--count", "3000", "--seed", "42").stdout
        self.assertEqual(first, self.generate("--seed=42", "--count=3000").stdout)
        self.assertNotEqual(first, self.generate("--count", "3000", "--seed", "43").stdout)
        # Seeds above 2^32 count too (their high bits are not dropped).
        self.assertNotEqual(self.generate("--count", "50", "--seed", str(2**32 + 5)).stdout,
                            self.generate("--count", "50", "--seed", "5").stdout)
        # A prefix of a longer run: the count does not change the sequence.
        self.assertTrue(first.startswith(self.generate("--count", "10", "--seed", "42").stdout))

    def test_counts(self):
        for count in (0, 1, 499, 501):
            data = self.generate("--count", str(count)).stdout
            self.assertEqual(data.count(b"\n"), count)
            self.assertEqual(len(check_shape(self, data, f"--count {count}") if count else []), count)

    def test_output_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "records.ndjson")
            with open(path, "wb") as f:
                f.write(b"x" * 100000)  # truncated, not appended to
            completed = self.generate("--count", "1234", "--seed", "9", "--output", path)
            self.assertEqual(completed.stdout, b"")
            with open(path, "rb") as f:
                self.assertEqual(f.read(), self.generate("--count", "1234", "--seed", "9").stdout)
            failed = self.generate("--output", os.path.join(tmp, "missing", "x"), check=False)
            self.assertEqual(failed.returncode, 1, describe(failed))
            self.assertIn(b"cannot write", failed.stderr)

    def test_closed_pipe_is_not_an_error(self):
        completed = run(["bash", "-c", 'set -o pipefail; "$0" "$1" --count 2000000 | head -n 3', NODE, GENERATE],
                        timeout=120)
        self.assertEqual(completed.returncode, 0, describe(completed))
        self.assertEqual(completed.stderr, b"")
        self.assertEqual(len(check_shape(self, completed.stdout, "head -n 3")), 3)

    def peak_rss_kb(self, count, output=None, pause=0.0):
        """Runs generate-data.js, reads its stdout after `pause` seconds; returns its peak RSS."""
        args = [NODE, GENERATE, "--count", str(count)] + (["--output", output] if output else [])
        process = subprocess.Popen(args, stdout=subprocess.PIPE)
        with process.stdout:
            time.sleep(pause)  # the pipe fills up: the generator must wait, not buffer
            lines = [0]
            reader = threading.Thread(target=lambda: lines.__setitem__(0, sum(1 for _ in process.stdout)))
            reader.start()
            _, status, usage = os.wait4(process.pid, 0)  # wait4: this child's own rusage
            reader.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        self.assertEqual((process.returncode, lines[0]), (0, 0 if output else count))
        return usage.ru_maxrss

    def test_slow_reader_gets_everything_and_memory_stays_flat(self):
        # Measured: about +30 MB of lazily collected garbage from 10k to 1M/2M records with
        # backpressure honoured; ignoring it costs +470 MB (pipe, 1M) and +180 MB (file, 2M).
        small = self.peak_rss_kb(10000)
        piped = self.peak_rss_kb(1000000, pause=1.0)
        self.assertLess(piped - small, 60 * 1024, f"peak RSS {small} KB for 10k records, {piped} KB for 1M")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "records.ndjson")
            to_file = self.peak_rss_kb(2000000, output=path)
            with open(path, "rb") as f:
                self.assertEqual(sum(1 for _ in f), 2000000)
        self.assertLess(to_file - small, 60 * 1024, f"peak RSS {small} KB for 10k records, {to_file} KB for 2M")

    def test_bad_arguments_exit_2_with_one_line(self):
        for args in (["--count"], ["--count", "-1"], ["--count", "1.5"], ["--count", "abc"], ["--count", ""],
                     ["--seed", "x"], ["--seed", "-3"], ["--seed", str(2**53)], ["--output"], ["--output="],
                     ["--bogus"], ["extra"], ["--count", "1", "--count", "2"], ["--help=yes"]):
            completed = self.generate(*args, check=False)
            self.assertEqual(completed.returncode, 2, f"{args}: {describe(completed)}")
            self.assertEqual(completed.stdout, b"", args)
            self.assertEqual(completed.stderr.count(b"\n"), 1, f"{args}: {completed.stderr!r}")
            self.assertTrue(completed.stderr.startswith(b"generate-data.js: "), completed.stderr)

    def test_help(self):
        completed = self.generate("--help")
        self.assertIn(b"usage: node generate-data.js", completed.stdout)
        self.assertIn(b"--seed", completed.stdout)

    def test_the_same_bytes_as_firehose_generate(self):
        # `make test` builds firehose first: a missing binary or subcommand is a failure here.
        self.assertTrue(os.access(FIREHOSE, os.X_OK), f"{FIREHOSE} is not built")
        completed = run([FIREHOSE, "generate", "--count", "50", "--seed", "7"], timeout=60)
        self.assertEqual(completed.returncode, 0, describe(completed))
        cpp = check_shape(self, completed.stdout, "firehose generate")
        js = check_shape(self, self.generate("--count", "50", "--seed", "7").stdout, "generate-data.js")
        self.assertEqual(len(cpp), 50)
        shape = lambda r: [(k, type(v).__name__) for k, v in r.items()]  # noqa: E731
        self.assertEqual({json.dumps(shape(r)) for r in cpp}, {json.dumps(shape(r)) for r in js})
        # One algorithm in both: the same bytes for a seed (the two used to differ in their values,
        # levels and timestamps), the defaults included, and seeds beyond 32 bits.
        for args in (["--count", "3000", "--seed", "7"], ["--count", "3000", "--seed", str(2**32 + 5)],
                     ["--count", "2550"], []):
            with self.subTest(args=args):
                ours = run([FIREHOSE, "generate", *args], timeout=60)
                self.assertEqual(ours.returncode, 0, describe(ours))
                self.assertEqual(ours.stdout, self.generate(*args).stdout)


def snippet_markers():
    """Every `// snippet-start:[tag]` / `// snippet-end:[tag]` line in the C++ sources (apps/, src/,
    include/), as (path relative to the repository, line number, kind, tag), in file order."""
    markers = []
    for top in ("apps", "src", "include"):
        for root, dirs, files in os.walk(os.path.join(REPO, top)):
            dirs.sort()
            for name in sorted(files):
                if not name.endswith((".cpp", ".hpp", ".h", ".cc")):
                    continue
                path = os.path.join(root, name)
                with open(path, errors="replace") as f:
                    for number, line in enumerate(f, 1):
                        if "snippet-" not in line:
                            continue
                        found = re.fullmatch(r"\s*//\s*snippet-(start|end):\[([^\]]+)\]\s*", line)
                        # A marker is a comment line of its own: anything else carrying the word (a
                        # typo, a marker after code, a block comment) would be missed by the catalogue.
                        if found is None:
                            raise AssertionError(f"{os.path.relpath(path, REPO)}:{number}: not a marker line: {line.strip()}")
                        markers.append((os.path.relpath(path, REPO), number, found.group(1), found.group(2)))
    return markers


class MetadataTest(unittest.TestCase):
    """metadata.yaml (repository root): the SPECIFICATION template's four keys, each in the AWS
    catalogue's entry shape, parsed by PyYAML; its snippet tags against the C++ sources."""

    KEYS = ["single_record_ingestion", "batch_record_ingestion", "error_handling_retries", "monitoring"]
    # The API calls each entry lists under `services`: what the code under its tags calls.
    SERVICES = {
        "single_record_ingestion": {"firehose": ["PutRecord"]},
        "batch_record_ingestion": {"firehose": ["PutRecordBatch"]},
        "error_handling_retries": {"firehose": ["PutRecord", "PutRecordBatch"]},
        "monitoring": {"cloudwatch": ["GetMetricData"]},
    }
    # Code that must be inside an entry's snippets, so that a marker pair moved off the code doing
    # the job (or wrapped around nothing) fails: the call itself, or the decision it documents.
    MUST_SHOW = {
        "single_record_ingestion": ["client_->put_record(", "retry_delay("],
        "batch_record_ingestion": ["put_record_batch_body(", "failed_put_count", "judgement.retry"],
        "error_handling_retries": ["judge_entry(", "judge_call_error(", "retry_delay("],
        "monitoring": ["get_metric_data_all(", "metric_data_request(", "expected_records", "not in yet"],
    }

    @classmethod
    def setUpClass(cls):
        import yaml  # PyYAML, preinstalled with the AWS CLI / cfn-lint
        with open(os.path.join(REPO, "metadata.yaml")) as f:
            cls.metadata = yaml.safe_load(f)
        with open(os.path.join(REPO, "SPECIFICATION.md")) as f:
            cls.spec = f.read()

    def tags_of(self, key):
        version = self.metadata[key]["languages"]["C++"]["versions"][0]
        return [t for excerpt in version["excerpts"] for t in excerpt["snippet_tags"]]

    def test_at_the_repository_root_only(self):
        for name in ("metadata.yaml", "SPECIFICATION.md"):
            self.assertTrue(os.path.isfile(os.path.join(REPO, name)), name)
            self.assertFalse(os.path.exists(os.path.join(RESOURCES, name)), f"resources/{name}: moved to the root")

    def test_entries(self):
        self.assertEqual(list(self.metadata), self.KEYS)
        for key in self.KEYS:
            entry = self.metadata[key]
            self.assertEqual(list(entry), ["title", "title_abbrev", "synopsis", "category", "languages", "services"], key)
            for field in ("title", "title_abbrev", "synopsis", "category"):
                self.assertIsInstance(entry[field], str, f"{key}.{field}")
                self.assertTrue(entry[field].strip(), f"{key}.{field}")
            self.assertEqual({service: sorted(calls) for service, calls in entry["services"].items()},
                             self.SERVICES[key], key)
            self.assertEqual(list(entry["languages"]), ["C++"], key)
            versions = entry["languages"]["C++"]["versions"]
            self.assertEqual(len(versions), 1, key)
            version = versions[0]
            self.assertEqual(version["sdk_version"], 1, key)
            self.assertTrue(os.path.isdir(os.path.join(REPO, version["github"])), f"{key}: {version['github']}")
            self.assertTrue(version["excerpts"], key)
            for excerpt in version["excerpts"]:
                self.assertTrue(excerpt["description"].strip(), key)
                self.assertTrue(excerpt["snippet_tags"], key)
                for tag in excerpt["snippet_tags"]:
                    self.assertRegex(tag, r"^cpp\.example_code\.firehose\.\w+$", key)

    def test_snippet_tags_marked_once_in_the_sources(self):
        markers = snippet_markers()
        by_tag = {}
        for path, number, kind, tag in markers:
            by_tag.setdefault(tag, []).append((path, number, kind))
        listed = {tag for key in self.KEYS for tag in self.tags_of(key)}
        # No marker in the sources that the catalogue does not know.
        self.assertEqual(sorted(set(by_tag) - listed), [], "snippet markers not in metadata.yaml")
        for key in self.KEYS:
            github = self.metadata[key]["languages"]["C++"]["versions"][0]["github"]
            shown = ""
            for tag in self.tags_of(key):
                seen = by_tag.get(tag, [])
                # Exactly one start, then exactly one end, in one file.
                self.assertEqual([kind for _, _, kind in seen], ["start", "end"], f"{tag}: {seen}")
                (path, first, _), (end_path, last, _) = seen
                self.assertEqual(path, end_path, tag)
                self.assertLess(first, last, tag)
                self.assertTrue(path.startswith(github.rstrip("/") + "/"), f"{tag} is in {path}, not under {github}")
                with open(os.path.join(REPO, path)) as f:
                    body = f.read().splitlines()[first:last - 1]
                self.assertTrue(any(line.strip() and not line.strip().startswith("//") for line in body),
                                f"{tag}: no code between the markers")
                # A snippet is one piece of code, not a file: a pair left open over the rest of a
                # file would still be one start and one end.
                self.assertLessEqual(len(body), 120, f"{tag}: {len(body)} lines")
                shown += "\n".join(body)
            for needle in self.MUST_SHOW[key]:
                self.assertTrue(needle in shown, f"{key}: its snippets do not show {needle}")

    def test_specification_metadata_table(self):
        # SPECIFICATION.md's Metadata table has one row per key, naming the same snippet tags.
        for key in self.KEYS:
            row = re.search(rf"^\| `{key}` \|.*$", self.spec, re.M)
            self.assertIsNotNone(row, f"SPECIFICATION.md's Metadata table has no row for {key}")
            self.assertEqual(set(re.findall(r"cpp\.example_code\.firehose\.\w+", row.group(0))),
                             set(self.tags_of(key)), key)

    def test_specification_documents_the_configuration(self):
        for name in ("FIREHOSE_DELIVERY_STREAM", "FIREHOSE_MAX_BATCH_RECORDS", "FIREHOSE_MAX_BATCH_BYTES",
                     "FIREHOSE_MAX_IN_FLIGHT", "FIREHOSE_LINGER_MS", "FIREHOSE_MAX_ATTEMPTS",
                     "FIREHOSE_DEAD_LETTER", "FIREHOSE_LOG_LEVEL", "FIREHOSE_LOG_FORMAT"):
            self.assertIsNotNone(re.search(rf"^\| `{name}` \|", self.spec, re.M), f"SPECIFICATION.md: no row for {name}")
        for output in ("FirehoseStreamNameOutput", "BucketNameOutput", "RoleArnOutput"):
            self.assertIn(f"`{output}`", self.spec)
        for section in ("Introduction", "Table of Contents", "Architecture", "User Input", "Common Resources",
                        "Single Record Ingestion", "Batch Record Ingestion", "Error Handling and Retries",
                        "Monitoring", "Output", "Metadata"):
            self.assertIsNotNone(re.search(rf"^#+ (\d+\. )?{section}$", self.spec, re.M), f"SPECIFICATION.md: no section {section}")


if __name__ == "__main__":
    unittest.main()
