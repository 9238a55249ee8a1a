"""The public headers stand alone: each one compiles on its own with only
include/ on the include path (-Wall -Wextra -Wpedantic -Werror), and nothing
it includes, directly or not, lies outside include/firehose and the standard
library (no nlohmann, fmt, spdlog, curl ... and no src/ header). Every public
function is documented: a declaration in a class or at namespace scope has a
comment just above it or at its end."""
import os
import re
import subprocess
import tempfile
import unittest

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
INCLUDE_DIR = os.path.join(SOURCE_DIR, "include")
HEADERS = sorted(os.path.join(INCLUDE_DIR, "firehose", name)
                 for name in os.listdir(os.path.join(INCLUDE_DIR, "firehose")) if name.endswith(".hpp"))
# Where the C and C++ standard libraries live on Debian (g++ 12): the compiler's
# own headers, libstdc++, and glibc's (top-level *.h and its system folders).
STANDARD_PREFIXES = ("/usr/include/c++/", "/usr/lib/gcc/", "/usr/include/x86_64-linux-gnu/",
                     "/usr/include/aarch64-linux-gnu/", "/usr/include/linux/", "/usr/include/asm-generic/",
                     "/usr/include/sys/", "/usr/include/bits/", "/usr/include/gnu/")


def is_standard(path):
    if path.startswith(STANDARD_PREFIXES):
        return True
    folder, name = os.path.split(path)
    return folder == "/usr/include" and name.endswith(".h")  # <stdlib.h>, <pthread.h> ...


def included_files(header):
    with tempfile.TemporaryDirectory() as work:
        source = os.path.join(work, "alone.cpp")
        with open(source, "w") as f:
            f.write(f'#include <firehose/{os.path.basename(header)}>\n')
        completed = subprocess.run(["g++", "-std=c++20", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fsyntax-only",
                                    "-I", INCLUDE_DIR, "-H", source], capture_output=True, text=True, timeout=120)
    # -H prints one line per included file, dots for the depth, on stderr.
    files = [os.path.realpath(line.lstrip(".").strip()) for line in completed.stderr.splitlines()
             if re.match(r"^\.+ ", line)]
    errors = [line for line in completed.stderr.splitlines() if not re.match(r"^\.+ ", line)
              and not line.startswith("Multiple include guards")]
    return completed.returncode, files, errors


class PublicHeaders(unittest.TestCase):
    def test_there_are_headers(self):
        self.assertGreaterEqual(len(HEADERS), 10)

    def test_each_header_compiles_alone_with_only_the_standard_library(self):
        own = os.path.realpath(os.path.join(INCLUDE_DIR, "firehose")) + os.sep
        for header in HEADERS:
            with self.subTest(header=os.path.basename(header)):
                returncode, files, errors = included_files(header)
                self.assertEqual(returncode, 0, "\n".join(errors[-30:]))
                foreign = [f for f in files if not f.startswith(own) and not is_standard(f)]
                self.assertEqual(foreign, [], "includes outside include/firehose and the standard library")

    def test_the_check_sees_a_third_party_header(self):
        # The check itself must be able to fail: nlohmann's header is not standard.
        self.assertFalse(is_standard("/usr/include/nlohmann/json.hpp"))
        self.assertFalse(is_standard("/usr/include/spdlog/spdlog.h"))
        self.assertTrue(is_standard("/usr/include/c++/12/string"))

    def test_every_public_function_is_documented(self):
        undocumented = []
        for header in HEADERS:
            with open(header) as f:
                lines = f.read().splitlines()
            for number in public_declarations(lines):
                line, above = lines[number], lines[number - 1].strip() if number else ""
                if "//" in line or above.startswith("//") or documented_group(lines, number):
                    continue
                undocumented.append(f"{os.path.basename(header)}:{number + 1}: {line.strip()}")
        self.assertEqual(undocumented, [], "public functions without a comment")

    def test_the_documentation_check_finds_an_undocumented_function(self):
        lines = ["namespace firehose {", "// Documented.", "int documented();", "", "int bare();",
                 "class C {", " public:", "  // Yes.", "  void f();", "  void g();", " private:", "  void h();",
                 "};", "}"]
        found = [lines[n] for n in public_declarations(lines)
                 if not lines[n - 1].strip().startswith("//") and not documented_group(lines, n)]
        self.assertEqual(found, ["int bare();"])


# A function declaration: a name followed by '(' (not a variable, a macro or a
# statement); operators, defaulted and deleted members say what they are.
FUNCTION = re.compile(r"^\s*(static |virtual |explicit |inline |friend |constexpr |template <[^>]*> )*"
                      r"[A-Za-z_][\w:<>,\s\*&]*?\b(~?\w+)\(")
SKIPPED_NAMES = {"ok", "value", "error", "decltype", "if", "for", "while", "return", "switch", "sizeof"}


def declares_function(line):
    stripped = line.strip()
    match = FUNCTION.match(line)
    if not match or stripped.startswith(("return", "#", "//", "using", "friend")) or "operator" in stripped:
        return False
    return not stripped.endswith(("= default;", "= delete;")) and match.group(2) not in SKIPPED_NAMES


def public_declarations(lines):
    """Line numbers of function declarations at namespace scope or in the
    public part of a class, not inside function bodies."""
    scopes = []  # per open brace: "namespace", "public", "private" (class parts) or "body"
    for number, line in enumerate(lines):
        stripped = line.strip()
        if scopes and scopes[-1] in ("public", "private"):
            if stripped in ("public:", "private:", "protected:"):
                scopes[-1] = "public" if stripped == "public:" else "private"
                continue
        visible = all(scope in ("namespace", "public") for scope in scopes)
        if visible and declares_function(line):
            yield number
        for char in line.split("//")[0]:
            if char == "{":
                if stripped.startswith("namespace"):
                    scopes.append("namespace")
                elif re.match(r"^(template <.*> )?(class|struct) ", stripped) and "(" not in stripped:
                    scopes.append("public" if stripped.startswith(("struct", "template <class T> struct")) or
                                  " struct " in f" {stripped} " else "private")
                else:
                    scopes.append("body")
            elif char == "}" and scopes:
                scopes.pop()


def documented_group(lines, number):
    """A run of declarations under one comment (continuation lines included)."""
    while number > 0 and (declares_function(lines[number - 1]) or lines[number - 1].startswith("      ")
                          or lines[number - 1].strip().startswith("template <")
                          or lines[number - 1].rstrip().endswith(",")):
        number -= 1
    return number > 0 and lines[number - 1].strip().startswith("//")


if __name__ == "__main__":
    unittest.main()
