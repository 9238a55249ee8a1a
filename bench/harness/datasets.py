"""The benchmark's fixed data sets, made from a fixed seed (same seed, same bytes on every run)
and kept in the data directory between runs (a file is reused only when complete: it is written
under a temporary name and renamed).

Each line is one record, `\n` included. The fixed-size sets are JSON objects written exactly as
Python's `json.dumps` writes them, so that the seed's port (which parses each record and sends
`json.dumps(record)`) sends the same bytes less the `\n`; the example set is `firehose generate`'s
output (the AWS example's shape, compact JSON)."""
import os
import random
import subprocess
from dataclasses import dataclass

SEED = 2550
LEVELS = ("Low", "Medium", "High", "Critical")


@dataclass(frozen=True)
class Dataset:
    name: str          # short key used in tables and file names
    label: str         # what a reader sees
    record_bytes: int  # bytes per line, `\n` included (0: varies, the example's shape)
    full_count: int    # records at BENCH_SCALE=1


# The sets: 1 KiB JSON x 1 M; 100 B x 1 M; 64 KiB x 20 k; the example's shape x 1 M.
CPU_SETS = (
    Dataset("1k", "1 KiB JSON", 1024, 1_000_000),
    Dataset("100b", "100 B JSON", 100, 1_000_000),
    Dataset("64k", "64 KiB JSON", 65536, 20_000),
    Dataset("example", "example shape", 0, 1_000_000),
)
# The AWS CLI starts a Python interpreter per call (about 1.4 CPU-s): it gets the first
# records of the 1 KiB set only.
CLI_SET = Dataset("1k-cli", "1 KiB, CLI subset", 1024, 10_000)
# The RSS ratio's small input: 100 MiB of the 1 KiB set's first records.
RSS_SMALL_SET = Dataset("1k-100mib", "1 KiB JSON, 100 MiB", 1024, 102_400)


def scaled_count(dataset, scale, minimum=1000):
    return max(minimum, round(dataset.full_count * scale))


def _fixed_size_lines(record_bytes, count, rng):
    """JSON lines of exactly record_bytes bytes: {"seq", "ts", "level", "payload"} with a payload
    cut from a random pool at a random offset (fast, and not one repeated string)."""
    pool = "".join(rng.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", k=1 << 20))
    for i in range(count):
        head = f'{{"seq": {i}, "ts": {1_700_000_000 + i}, "level": "{LEVELS[rng.randrange(4)]}", "payload": "'
        pad = record_bytes - len(head) - 3  # '"}' and '\n'
        if pad < 0:
            raise ValueError(f"{record_bytes}-byte records cannot hold record {i}")
        offset = rng.randrange(len(pool) - pad + 1)
        yield head + pool[offset:offset + pad] + '"}\n'


def make(dataset, count, data_dir, build_dir):
    """The data set's file with `count` records, made unless already there. Returns its path."""
    path = os.path.join(data_dir, f"{dataset.name}-{count}.ndjson")
    if os.path.exists(path):
        return path
    os.makedirs(data_dir, exist_ok=True)
    partial = path + ".partial"
    if dataset.record_bytes == 0:
        subprocess.run([os.path.join(build_dir, "firehose"), "generate", "--count", str(count),
                        "--seed", str(SEED), "--output", partial], check=True)
    else:
        # One generator for every fixed-size set of a given size: a smaller count is a prefix.
        rng = random.Random(f"{SEED}-{dataset.record_bytes}")
        with open(partial, "w", encoding="ascii", buffering=1 << 20) as out:
            out.writelines(_fixed_size_lines(dataset.record_bytes, count, rng))
    os.replace(partial, path)
    return path


def line_count(path):
    with open(path, "rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
