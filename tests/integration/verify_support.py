"""What the verify tests share: records with ids, and reading delivered objects
the test's own way (not the CLI's code)."""
import gzip
import json

EXIT_OK, EXIT_MISSING, EXIT_USAGE, EXIT_CONFIG, EXIT_SERVICE = 0, 1, 2, 3, 4


def write_records(path, first, count):
    with open(path, "w") as f:
        for i in range(first, first + count):
            f.write(json.dumps({"id": i, "payload": "x" * (i % 37)}, separators=(",", ":")) + "\n")


def object_lines(data):
    """The records of a delivered object, as the test reads it (not the CLI's code)."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return [line for line in data.decode().split("\n") if line]


def error_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("error:")]
