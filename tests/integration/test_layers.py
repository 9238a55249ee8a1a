"""The layers of the tree hold: every `#include "..."` of a folder names only
what the layer diagram in the README allows it to use.

    core       src/core/          JSON reader, base64, hashing, errors, timestamps, environment, logging
    protocol   src/protocol/      Firehose and CloudWatch wire shapes, limits, validation; SigV4 (sign, verify)
    client     src/aws/ src/firehose/ src/cloudwatch/ src/s3/   transport, credentials, clients, producer (libfirehose)
    cli        apps/firehose/     the public API only
    local      apps/firehose-local/   core and protocol, never the client library

The public headers (include/firehose/) are usable by every layer. CMake
mirrors the same rule at link time: firehose-local links firehose_core and
firehose_protocol, not libfirehose; the CLI links libfirehose, whose include
path is include/ alone."""
import os
import re
import unittest

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)

# Which layers each layer may include, itself included.
ALLOWED = {
    "public": {"public"},
    "core": {"public", "core"},
    "protocol": {"public", "core", "protocol"},
    "client": {"public", "core", "protocol", "client"},
    "cli": {"public", "cli"},
    "local": {"public", "core", "protocol", "local"},
}
FOLDERS = {  # source folder -> layer
    "include/firehose": "public",
    "src/core": "core",
    "src/protocol": "protocol",
    "src/aws": "client",
    "src/firehose": "client",
    "src/cloudwatch": "client",
    "src/s3": "client",
    "apps/firehose": "cli",
    "apps/firehose-local": "local",
}


def layer_of_file(path):
    relative = os.path.relpath(path, SOURCE_DIR)
    for folder, layer in sorted(FOLDERS.items(), key=lambda item: -len(item[0])):
        if relative.startswith(folder + "/"):
            return layer
    return None


def resolve(including_file, name):
    """The file an include names: next to the includer first, then its
    program's folder (the apps' own headers), then include/, then src/ (the
    -I flags of the build)."""
    bases = [os.path.dirname(including_file)]
    relative = os.path.relpath(including_file, SOURCE_DIR)
    for app in ("apps/firehose-local", "apps/firehose"):
        if relative.startswith(app + "/"):
            bases.append(os.path.join(SOURCE_DIR, app))
            break
    for base in bases + [os.path.join(SOURCE_DIR, "include"), os.path.join(SOURCE_DIR, "src")]:
        candidate = os.path.normpath(os.path.join(base, name))
        if os.path.exists(candidate):
            return candidate
    return None


def violations(files):
    found = []
    for path in files:
        layer = layer_of_file(path)
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for name in INCLUDE.findall(text):
            target = resolve(path, name)
            if target is None:
                found.append(f"{os.path.relpath(path, SOURCE_DIR)}: \"{name}\" not found in the tree")
                continue
            target_layer = layer_of_file(target)
            if target_layer not in ALLOWED[layer]:
                found.append(f"{os.path.relpath(path, SOURCE_DIR)} ({layer}) includes \"{name}\" ({target_layer})")
    return found


def sources():
    for folder in FOLDERS:
        for root, _, names in os.walk(os.path.join(SOURCE_DIR, folder)):
            for name in names:
                if name.endswith((".hpp", ".cpp")):
                    yield os.path.join(root, name)


class Layers(unittest.TestCase):
    def test_no_include_crosses_a_layer(self):
        files = list(sources())
        self.assertGreater(len(files), 100)
        self.assertEqual(violations(files), [])

    def test_a_crossing_is_found(self):
        # The check must be able to fail: firehose-local reaching the client
        # library, and the CLI reaching a private header, are both caught.
        local = os.path.join(SOURCE_DIR, "apps", "firehose-local", "server.cpp")
        cli = os.path.join(SOURCE_DIR, "apps", "firehose", "main.cpp")
        self.assertEqual(layer_of_file(local), "local")
        self.assertNotIn(layer_of_file(resolve(local, "aws/session_impl.hpp")), ALLOWED["local"])
        self.assertNotIn(layer_of_file(resolve(cli, "protocol/firehose.hpp")), ALLOWED["cli"])
        self.assertIn(layer_of_file(resolve(cli, "firehose/producer.hpp")), ALLOWED["cli"])

    def test_every_source_folder_has_a_layer(self):
        for top in ("src", "apps"):
            for name in os.listdir(os.path.join(SOURCE_DIR, top)):
                if os.path.isdir(os.path.join(SOURCE_DIR, top, name)):
                    self.assertIn(f"{top}/{name}", FOLDERS, "a new folder needs its place in the layers")


if __name__ == "__main__":
    unittest.main()
