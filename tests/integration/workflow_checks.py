"""Shared checks for `firehose workflow` tests: the JSON log schema of
docs/logging.md, read from the document itself, and helpers to run the command."""
import json
import os
import re

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "logging.md")
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
LEVELS = {"trace", "debug", "info", "warning", "error", "critical"}
TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "object": dict}


def load_schema():
    """{event: {field: (type, required)}} from the table between the schema markers."""
    with open(DOCS) as f:
        text = f.read()
    table = text.split("<!-- schema:begin -->")[1].split("<!-- schema:end -->")[0]
    schema = {}
    for row in table.strip().splitlines()[2:]:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        event = cells[0].strip("`")
        fields = {}
        for spec in filter(None, (s.strip() for s in (cells[1] if len(cells) > 1 else "").split(","))):
            match = re.fullmatch(r"`(\w+)`(\*?) (\w+)", spec)
            assert match, f"bad schema entry {spec!r} in docs/logging.md"
            fields[match.group(1)] = (match.group(3), match.group(2) == "*")
        schema[event] = fields
    return schema


def check_line(test, line, schema):
    """One stderr line against the schema; returns the parsed object."""
    entry = json.loads(line)
    keys = list(entry)
    test.assertEqual(keys[:3], ["ts", "level", "event"], line)
    test.assertEqual(keys[-1], "message", line)
    test.assertRegex(entry["ts"], TS)
    test.assertIn(entry["level"], LEVELS)
    test.assertIn(entry["event"], schema, line)
    fields = schema[entry["event"]]
    for key in keys[3:-1]:
        test.assertIn(key, fields, f"field {key} not documented for {entry['event']}: {line}")
        kind = TYPES[fields[key][0]]
        test.assertIsInstance(entry[key], kind, f"{key} in {line}")
        if fields[key][0] in ("integer", "number"):
            test.assertNotIsInstance(entry[key], bool, line)
    for key, (_, required) in fields.items():
        if required:
            test.assertIn(key, entry, f"required field {key} missing: {line}")
    return entry


def events(test, stderr, schema=None):
    """Every stderr line, checked, as objects; but the last, when it is the CLI's own one-line
    `error: ...` with which a failing run ends (README: errors), in any log format."""
    schema = schema or load_schema()
    lines = [line for line in stderr.splitlines() if line.strip()]
    if lines and lines[-1].startswith("error: "):
        lines.pop()
    return [check_line(test, line, schema) for line in lines]


def summary_of(result):
    return json.loads(result.stdout.strip().splitlines()[-1])
