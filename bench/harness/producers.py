"""The producers measured side by side, and one measured run of a producer: its user and sys CPU
and peak RSS from wait4 (the process and every child it waited for), wall time, its own JSON
summary, firehose-local's counters and CPU over the same run, and optionally RSS over time."""
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(os.path.dirname(HERE), "peers")


@dataclass(frozen=True)
class Producer:
    key: str
    label: str
    tls: bool           # measured over HTTPS too (when firehose-local serves it)
    small_only: bool = False  # the AWS CLI: the small set only
    packed: bool = False      # Firehose records are packs of lines: no per-line reconciliation

    def command(self, build_dir, stream, files, tls=None):
        build = os.path.abspath(build_dir)
        if self.key in ("firehose", "firehose-pack"):
            pack = ["--pack"] if self.packed else []
            return [os.path.join(build, "firehose"), "send", "--delivery-stream-name", stream, *pack, *files]
        [path] = files
        if self.key == "seed":
            return [sys.executable, os.path.join(PEERS, "seed_boto3.py"), stream, path]
        if self.key == "threaded":
            return [sys.executable, os.path.join(PEERS, "threaded_boto3.py"), stream, path, "8"]
        if self.key == "js":
            return ["node", os.path.join(PEERS, "js", "send.mjs"), stream, path, "8"]
        if self.key == "cli":
            return [os.path.join(PEERS, "aws_cli.sh"), stream, path]
        if self.key == "floor":
            # Over HTTPS the floor sends over TLS too, with firehose-local's certificate (cert, key).
            return [os.path.join(build, "bench", "bench_client_floor"), path, *(["--tls", *tls] if tls else [])]
        raise ValueError(self.key)


PRODUCERS = (
    Producer("firehose", "(a) firehose send", tls=True),
    Producer("seed", "(b) seed's boto3 algorithm", tls=False),
    Producer("threaded", "(c) boto3, 8 threads", tls=False),
    Producer("js", "(d) JS SDK v3, 8 in flight", tls=True),
    Producer("cli", "(e) AWS CLI per 500", tls=False, small_only=True),
    Producer("floor", "(f) floor (bench_client_floor)", tls=True),
)
PACKED = Producer("firehose-pack", "(a) firehose send --pack", tls=False, packed=True)
BY_KEY = {p.key: p for p in PRODUCERS + (PACKED,)}


def missing_reason(producer, build_dir):
    """Why a producer cannot run on this machine, or None."""
    if producer.key == "floor" and not os.path.exists(os.path.join(build_dir, "bench", "bench_client_floor")):
        return "bench_client_floor not built (cmake -DFIREHOSE_BENCH=ON)"
    if producer.key == "js" and not os.path.isdir(os.path.join(PEERS, "js", "node_modules", "@aws-sdk")):
        return "bench/peers/js/node_modules missing (make bench-deps)"
    if producer.key == "cli" and subprocess.run(["sh", "-c", "command -v aws"], capture_output=True).returncode:
        return "the aws command is not installed"
    return None


def _rss_sampler(time_pid, samples, stop, start):
    pid = None
    while not stop.is_set():
        try:
            if pid is None:  # the producer is /usr/bin/time's child
                with open(f"/proc/{time_pid}/task/{time_pid}/children") as f:
                    pid = int(f.read().split()[0])
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        samples.append((round(time.monotonic() - start, 2), int(line.split()[1]) / 1024))
                        break
        except (FileNotFoundError, ProcessLookupError):
            if pid is not None:
                return
        except (IndexError, ValueError):  # not started yet
            pass
        stop.wait(0.1)


def _peak_rss_kib(time_output):
    with open(time_output) as f:
        return int(f.read().split()[-1])  # a killed child makes time write a line before it


def _floor_figures(stdout):
    """bench_client_floor's stage table: the last stage (everything, sent over loopback, plain or TLS)."""
    rows = [line.split("\t") for line in stdout.splitlines() if line and not line.startswith("stage")]
    stages = {name: (float(user), float(sys_), float(total)) for name, user, sys_, total in rows}
    return stages.get("+ send over loopback TCP") or stages["+ send over TLS on loopback"], stages


def warm_page_cache(files):
    """Reads each file once, so that every producer starts on inputs in the page cache. This machine
    gives the page cache back while idle (its Cached falls by megabytes a second), and a 1 GiB input
    read from disk costs its reader about 2 CPU-s more (sys); the floor, which reads its input once per
    stage and reports its last one, always read it cached. The same state for everyone: cached."""
    for path in dict.fromkeys(files):
        with open(path, "rb", buffering=0) as f:
            while f.read(1 << 20):
                pass


def measure(producer, files, records, local, build_dir, log_path, sample_rss=False):
    """One run. `records` is the number of lines in `files`; its inputs are read into the page cache and
    firehose-local's counters are reset first."""
    input_bytes = sum(os.path.getsize(f) for f in files)
    warm_page_cache(files)
    local.reset_counters()
    load_start = os.getloadavg()[0]
    server_before = local.cpu_seconds()
    with open(log_path, "ab") as log:
        log.write(f"\n== {producer.key} {files}\n".encode())
        log.flush()
        start = time.monotonic()
        # Peak RSS from /usr/bin/time, whose child starts small: a child forked from this Python
        # process would count the harness's own RSS before exec in its ru_maxrss.
        time_output = log_path + ".time"
        command = ["/usr/bin/time", "-f", "%M", "-o", time_output, *producer.command(build_dir, "bench", files, tls=local.tls)]
        process = subprocess.Popen(command, env=local.env(),
                                   stdout=subprocess.PIPE, stderr=log, text=True)
        samples, stop = [], threading.Event()
        sampler = threading.Thread(target=_rss_sampler, args=(process.pid, samples, stop, start))
        if sample_rss:
            sampler.start()
        stdout = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        if sample_rss:
            sampler.join()
    counters = local.counters()
    result = {
        "producer": producer.key, "files": [os.path.basename(f) for f in files], "records": records,
        "input_bytes": input_bytes, "exit": process.returncode, "wall": round(wall, 3),
        "user": usage.ru_utime, "sys": usage.ru_stime, "max_rss_mib": round(_peak_rss_kib(time_output) / 1024, 1),
        "server_cpu": round(local.cpu_seconds() - server_before, 3), "load_start": load_start,
        "server": {k: counters[k] for k in ("put_requests", "records_received", "records_stored",
                                            "records_throttled", "requests_throttled", "requests_invalid")},
    }
    if producer.key == "floor":
        (user, sys_, total), stages = _floor_figures(stdout)
        gib = input_bytes / 2 ** 30
        # The floor times its own stages; its figure is the last one's, per GiB of this input.
        result.update(user=user * gib, sys=sys_ * gib, floor_stages=stages, summary={})
        return result
    summary = {}
    for line in reversed(stdout.strip().splitlines()):
        try:
            summary = json.loads(line)
            break
        except json.JSONDecodeError:
            continue
    result["summary"] = summary
    if sample_rss:
        result["rss_samples"] = samples
    return result


def reconcile(result, packed=False):
    """Records read, acknowledged (the client's word), stored (firehose-local's), lost, duplicated,
    throttled; and whether the two sides agree."""
    summary, server = result["summary"], result["server"]
    acknowledged = summary.get("acknowledged")
    stored = server["records_stored"]
    figures = {"read": result["records"], "acknowledged": acknowledged, "stored": stored,
               "throttled": server["records_throttled"], "requests_throttled": server["requests_throttled"]}
    if acknowledged is None:
        figures.update(lost=None, duplicated=None, agrees=None)
        return figures
    figures["lost"] = result["records"] - acknowledged
    # Packed: firehose-local counts Firehose records, each holding many lines.
    figures["duplicated"] = None if packed else max(0, stored - acknowledged)
    figures["agrees"] = (summary.get("records") == result["records"] and
                         (packed or stored == acknowledged))
    return figures
