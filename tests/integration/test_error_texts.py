"""Every user-visible error text is a named constant in protocol/errors.h.

Scans the C++ sources of protocol/, storage/, modules/ and server/ for string literals that
start with an error code (ERR, WRONGTYPE, NOAUTH, OOM, ... with or without RESP's leading '-')
and fails on any outside protocol/errors.h, unless listed in ALLOWED with its reason. Comments
are skipped. This test needs no server."""

import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FOLDERS = ["protocol", "storage", "modules", "server"]
HOME = os.path.join("protocol", "errors.h")

CODES = ["ERR", "WRONGTYPE", "NOAUTH", "OOM", "NOPROTO", "WRONGPASS", "EXECABORT", "BUSY",
         "BUSYKEY", "NOSCRIPT", "LOADING", "NOPERM", "MISCONF", "READONLY", "NOREPLICAS",
         "MASTERDOWN", "CROSSSLOT", "UNKILLABLE", "NOTBUSY", "NOGROUP", "CLUSTERDOWN",
         "TRYAGAIN", "MOVED", "Cell error"]
ERROR_LITERAL = re.compile(r"^-?(%s)( |:|$)" % "|".join(re.escape(c) for c in CODES))

# (path, literal) pairs that may stay where they are, each with its reason.
ALLOWED = {
}


def string_literals(text):
    """Yields (line, content) for each string literal in C++ source text, skipping comments,
    character literals and raw strings' delimiters."""
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            i = j
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i)
            yield line, text[i + len(m.group(0)):end]
            line += text.count("\n", i, end)
            i = end + len(m.group(1)) + 2
        elif c in "\"'":
            j, buf = i + 1, []
            while j < n and text[j] != c:
                if text[j] == "\\":
                    buf.append(text[j:j + 2])
                    j += 2
                else:
                    buf.append(text[j])
                    j += 1
            if c == '"':
                yield line, "".join(buf)
            i = j + 1
        else:
            i += 1


def sources():
    for folder in FOLDERS:
        for dirpath, _dirs, files in os.walk(os.path.join(ROOT, folder)):
            for name in sorted(files):
                if name.endswith((".cc", ".h")):
                    path = os.path.join(dirpath, name)
                    yield os.path.relpath(path, ROOT), path


def error_literals(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for line, literal in string_literals(text):
        if ERROR_LITERAL.match(literal):
            yield line, literal


def test_scanner_finds_literals_and_skips_comments():
    text = '// "ERR in a comment"\n/* "ERR block" */\nx = "ERR real"; c = \'"\'; y = "-WRONGTYPE w";\n'
    found = [lit for _line, lit in string_literals(text) if ERROR_LITERAL.match(lit)]
    assert found == ["ERR real", "-WRONGTYPE w"]


def test_sources_exist():
    assert os.path.exists(os.path.join(ROOT, HOME))
    assert sum(1 for _ in sources()) > 20


def test_no_error_literal_outside_errors_h():
    stray = []
    for rel, path in sources():
        if rel == HOME:
            continue
        for line, literal in error_literals(path):
            if (rel, literal) not in ALLOWED:
                stray.append("%s:%d: \"%s\"" % (rel, line, literal))
    assert stray == [], ("error texts belong in protocol/errors.h as named constants:\n  "
                         + "\n  ".join(stray))


def test_allowed_exceptions_are_still_there():
    # An exception that no longer matches anything must be removed from ALLOWED.
    for rel, literal in ALLOWED:
        found = [lit for _line, lit in error_literals(os.path.join(ROOT, rel))]
        assert literal in found, "stale ALLOWED entry: %s %r" % (rel, literal)


@pytest.mark.parametrize("code", ["ERR", "WRONGTYPE", "NOAUTH", "OOM"])
def test_errors_h_defines_the_common_codes(code):
    with open(os.path.join(ROOT, HOME)) as f:
        assert '"%s ' % code in f.read()
