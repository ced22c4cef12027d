"""Glob patterns (KEYS, SCAN MATCH): random patterns answered as redis-server does, and patterns
that wedged or crashed a recursive matcher answered while the server stays up. The matcher's
cost bound itself is tested by counting steps in tests/unit/modules/common_test.cc."""

import pytest

from conftest import decode

ALPHABET = [b"a", b"b", b"A", b"*", b"?", b"[", b"]", b"^", b"-", b"\\", b"\xe9", b"z"]


def random_bytes(rng, lo, hi):
    return b"".join(rng.choice(ALPHABET) for _ in range(rng.randint(lo, hi)))


def scan_all(conn, *extra):
    keys, cursor = [], b"0"
    while True:
        cursor, page = decode(conn.cmd("SCAN", cursor, *extra))
        keys += page
        if cursor == b"0":
            return sorted(keys)


def test_random_patterns_answer_as_redis(both, rng):
    keys = {random_bytes(rng, 1, 6) for _ in range(150)}
    keys.add(b"")  # an empty key: listed by KEYS * only
    both(b"MSET", *[x for k in sorted(keys) for x in (k, b"v")])
    for _ in range(400):
        pattern = random_bytes(rng, 1, 9)
        both.norm(b"KEYS", pattern, normalize=sorted)
    for pattern in (b"*", b"**", b"", b"?", b"[", b"[^", b"\\", b"[a-]", b"*\\"):
        both.norm(b"KEYS", pattern, normalize=sorted)


def test_scan_match_answers_as_redis(both, rng):
    keys = {random_bytes(rng, 1, 6) for _ in range(100)}
    both(b"MSET", *[x for k in sorted(keys) for x in (k, b"v")])
    for _ in range(60):
        pattern = random_bytes(rng, 1, 7)
        f = scan_all(both.f, b"MATCH", pattern, b"COUNT", b"1000")
        r = scan_all(both.r, b"MATCH", pattern, b"COUNT", b"1000")
        assert f == r, "SCAN MATCH %r" % pattern


def test_nested_stars_answer_at_once(both):
    # Redis's suite: "Regression for pattern matching long nested loops" (it wedged Firn).
    both("SET", "a" * 40, "1")
    both("KEYS", "a*" * 20 + "b")
    both("KEYS", "*a" * 10 + "*b")
    both("SCAN", "0", "MATCH", "*a" * 10 + "*b", "COUNT", "100")
    both.norm("KEYS", "*a" * 20 + "*", normalize=sorted)
    both("PING")


@pytest.mark.parametrize("command", ["KEYS", "SCAN"])
def test_200000_byte_pattern_answers_and_server_survives(both, command):
    # One recursion per '*' crashed the server (SIGSEGV) on this pattern.
    key = b"a" * 100000
    pattern = b"a*" * 100000 + b"b"
    both(b"SET", key, b"1")
    if command == "KEYS":
        both(b"KEYS", pattern)
        both(b"KEYS", b"a*" * 1000 + b"a")  # 1000 nested runs: still matches, as Redis
        both(b"KEYS", b"a*" * 1001 + b"a")  # 1001: Redis gives up and answers no match
    else:
        both(b"SCAN", b"0", b"MATCH", pattern)
    both(b"PING")
    both(b"DBSIZE")
