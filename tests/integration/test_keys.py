"""Keyspace commands: compared with redis-server; SCAN, KEYS and RANDOMKEY compared as sets."""

import time

import pytest

from conftest import decode


def test_del_unlink_exists_touch_type(both):
    both.run(
        ("MSET", "a", "1", "b", "2", "c", "3"),
        ("EXISTS", "a"),
        ("EXISTS", "a", "a", "a"),
        ("EXISTS", "a", "b", "missing", "c", "b"),
        ("EXISTS", "missing"),
        ("TOUCH", "a", "b", "missing", "a"),
        ("TOUCH", "missing"),
        ("TYPE", "a"),
        ("TYPE", "missing"),
        ("DEL", "a", "a", "missing"),
        ("DEL", "a"),
        ("UNLINK", "b", "c", "missing", "b"),
        ("UNLINK", "b"),
        ("EXISTS", "a", "b", "c"),
        ("DEL",),
        ("UNLINK",),
        ("EXISTS",),
        ("TOUCH",),
        ("TYPE",),
        ("TYPE", "a", "b"),
    )


def test_ttl_pttl_persist(both):
    both.run(
        ("TTL", "missing"),
        ("PTTL", "missing"),
        ("EXPIRETIME", "missing"),
        ("PEXPIRETIME", "missing"),
        ("SET", "k", "v"),
        ("TTL", "k"),
        ("PTTL", "k"),
        ("EXPIRETIME", "k"),
        ("PEXPIRETIME", "k"),
        ("PERSIST", "k"),
        ("PERSIST", "missing"),
        ("EXPIRE", "k", "100"),
        ("TTL", "k"),
        ("PERSIST", "k"),
        ("TTL", "k"),
        ("PERSIST", "k"),
    )
    both("PEXPIRE", "k", "100000")
    both.norm("PTTL", "k", normalize=lambda ms: 99000 < ms <= 100000)


def test_expire_family(both):
    now_s = int(time.time())
    both.run(
        ("EXPIRE", "missing", "10"),
        ("PEXPIRE", "missing", "10"),
        ("EXPIREAT", "missing", str(now_s + 10)),
        ("PEXPIREAT", "missing", str(now_s * 1000 + 10)),
        ("SET", "k", "v"),
        ("EXPIRE", "k", "100"),
        ("TTL", "k"),
        ("PEXPIRE", "k", "200000"),
        ("TTL", "k"),
        ("EXPIREAT", "k", str(now_s + 1000)),
        ("EXPIRETIME", "k"),
        ("PEXPIREAT", "k", str(now_s * 1000 + 2000123)),
        ("PEXPIRETIME", "k"),
        ("EXPIRETIME", "k"),
        ("EXPIRE", "k", "abc"),
        ("EXPIRE", "k", "1.5"),
        ("EXPIRE", "k", ""),
        ("PEXPIRE", "k", "9999999999999999999"),
        ("EXPIRE", "k", "9223372036854775807"),
        ("EXPIRE", "k", "9223372036854775"),
        ("EXPIRE", "k", "-9223372036854775808"),
        ("PEXPIRE", "k", "9223372036854775807"),
        ("EXPIREAT", "k", "9223372036854775807"),
        ("PEXPIREAT", "k", "9223372036854775807"),
        ("EXPIRE", "k"),
        ("EXPIRE",),
        ("PEXPIREAT", "k"),
        ("EXPIRETIME", "k"),
    )


def test_expire_in_the_past_deletes(both):
    both.run(
        ("SET", "a", "v"),
        ("EXPIRE", "a", "0"),
        ("EXISTS", "a"),
        ("SET", "b", "v"),
        ("EXPIRE", "b", "-10"),
        ("GET", "b"),
        ("SET", "c", "v"),
        ("PEXPIRE", "c", "-1"),
        ("EXISTS", "c"),
        ("SET", "d", "v"),
        ("EXPIREAT", "d", "1"),
        ("EXISTS", "d"),
        ("SET", "e", "v"),
        ("PEXPIREAT", "e", "0"),
        ("EXISTS", "e"),
        ("SET", "f", "v"),
        ("EXPIREAT", "f", "-1"),
        ("EXISTS", "f"),
    )


def test_expire_nx_xx_gt_lt(both):
    both.run(
        ("SET", "k", "v"),
        # no TTL yet: XX and GT fail, NX and LT succeed
        ("EXPIRE", "k", "100", "XX"),
        ("EXPIRE", "k", "100", "GT"),
        ("TTL", "k"),
        ("EXPIRE", "k", "100", "NX"),
        ("TTL", "k"),
        ("EXPIRE", "k", "200", "NX"),
        ("TTL", "k"),
        ("EXPIRE", "k", "300", "XX"),
        ("TTL", "k"),
        ("EXPIRE", "k", "200", "GT"),
        ("EXPIRE", "k", "400", "GT"),
        ("TTL", "k"),
        ("EXPIRE", "k", "500", "LT"),
        ("EXPIRE", "k", "50", "LT"),
        ("TTL", "k"),
        ("PEXPIRE", "k", "60000", "GT"),
        ("PEXPIRE", "k", "40000", "gt"),
        ("TTL", "k"),
        ("EXPIRE", "k", "100", "XX", "GT"),
        ("EXPIRE", "k", "70", "XX", "LT"),
        ("TTL", "k"),
        ("PERSIST", "k"),
        ("EXPIRE", "k", "100", "LT"),
        ("TTL", "k"),
        ("PERSIST", "k"),
        ("EXPIREAT", "k", str(int(time.time()) + 1000), "NX"),
        ("EXPIREAT", "k", str(int(time.time()) + 2000), "LT"),
        ("PEXPIREAT", "k", str(int(time.time()) * 1000 + 3000000), "GT"),
        ("PEXPIRETIME", "k"),
        ("EXPIRE", "missing", "10", "NX"),
    )


@pytest.mark.parametrize("opts", [
    ("NX", "XX"), ("NX", "GT"), ("NX", "LT"), ("GT", "LT"), ("LT", "GT"), ("XX", "NX"),
    ("NX", "XX", "GT", "LT"), ("FOO",), ("NX", "FOO"), ("XX", "XX"), ("NX", "NX"),
])
@pytest.mark.parametrize("cmd", ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"])
def test_expire_invalid_option_combinations(both, cmd, opts):
    both("SET", "k", "v")
    both(cmd, "k", "100", *opts)
    both("TTL", "k")
    both(cmd, "missing", "100", *opts)


def test_rename_renamenx(both):
    both.run(
        ("RENAME", "missing", "x"),
        ("RENAMENX", "missing", "x"),
        ("SET", "a", "1"),
        ("RENAME", "a", "a"),
        ("GET", "a"),
        ("RENAMENX", "a", "a"),
        ("RENAME", "a", "b"),
        ("EXISTS", "a"),
        ("GET", "b"),
        ("SET", "c", "3", "EX", "100"),
        ("RENAME", "c", "d"),
        ("TTL", "d"),
        ("SET", "e", "5"),
        ("RENAME", "e", "d"),
        ("TTL", "d"),
        ("GET", "d"),
        ("RENAMENX", "b", "d"),
        ("GET", "b"),
        ("RENAMENX", "b", "f"),
        ("GET", "f"),
        ("EXISTS", "b"),
        ("SET", "g", "7", "EX", "100"),
        ("RENAME", "f", "g"),
        ("TTL", "g"),
        ("RENAME", "g"),
        ("RENAMENX", "g", "h", "i"),
    )


def test_copy(both):
    both.run(
        ("COPY", "missing", "x"),
        ("SET", "a", "1", "EX", "100"),
        ("COPY", "a", "b"),
        ("GET", "b"),
        ("TTL", "b"),
        ("SET", "c", "3"),
        ("COPY", "a", "c"),
        ("GET", "c"),
        ("COPY", "a", "c", "REPLACE"),
        ("GET", "c"),
        ("TTL", "c"),
        ("COPY", "a", "a"),
        ("COPY", "a", "a", "DB", "0"),
        ("COPY", "a", "a", "DB", "1"),
        ("COPY", "a", "x", "DB", "16"),
        ("COPY", "a", "x", "DB", "-1"),
        ("COPY", "a", "x", "DB", "abc"),
        ("COPY", "a", "x", "FOO"),
        ("COPY", "a", "x", "DB"),
        ("COPY", "a", "x", "REPLACE", "REPLACE"),
        ("COPY", "a"),
        ("SELECT", "1"),
        ("EXISTS", "a"),
        ("SELECT", "0"),
        ("INCR", "c"),
        ("GET", "a"),
    )


def test_copy_to_other_db(both):
    both.run(
        ("SET", "k", "v"),
        ("COPY", "k", "k2", "DB", "3"),
        ("SELECT", "3"),
        ("SET", "k3", "other"),
        ("GET", "k2"),
        ("SELECT", "0"),
        ("COPY", "k", "k3", "DB", "3"),
        ("COPY", "k", "k3", "DB", "3", "REPLACE"),
        ("SELECT", "3"),
        ("GET", "k3"),
        ("DBSIZE",),
    )


GLOB_KEYS = [
    "hello", "hallo", "hxllo", "hllo", "heeeello", "hbllo", "hcllo", "h*llo", "h?llo",
    "h[a]llo", "a", "b", "c", "d", "ab", "abc", "foo[1]", "foo\\bar", "x-y", "]", "[", "^",
    "user:1", "user:2", "user:10", "session:1:user", "", "-", "café", "A", "B",
]

GLOB_PATTERNS = [
    "*", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[!e]llo", "h[a-b]llo", "h[b-a]llo",
    "h\\*llo", "h\\?llo", "h[\\a]llo", "foo\\[1\\]", "foo[1]", "[a-c]", "[^a]", "[abc]*",
    "user:*", "user:?", "user:??", "*:user", "*user*", "?", "??", "*\\\\*", "[", "]", "[]",
    "[]]", "[\\]]", "[^]", "h[", "h[a", "\\", "a\\", "*[", "[a-]", "[-a]", "[A-Z]", "[a-C]",
    "x-y", "nothing*", "**", "*?*", "caf?", "h[^a-c]llo", "h[a-cx]llo",
]


def test_keys_glob_patterns(both):
    both.run(("MSET", *[x for k in GLOB_KEYS for x in (k, "v")]))
    for pattern in GLOB_PATTERNS:
        both.norm("KEYS", pattern, normalize=sorted)
    both("KEYS")
    both("KEYS", "a", "b")


def test_keys_skips_expired(both):
    both.run(
        ("SET", "live", "1"),
        ("SET", "dying", "2", "PX", "50"),
    )
    time.sleep(0.2)
    both.norm("KEYS", "*", normalize=sorted)


def _scan_all(conn, *extra):
    cursor, seen, calls = b"0", [], 0
    while True:
        reply = decode(conn.cmd("SCAN", cursor, *extra))
        assert isinstance(reply, list) and len(reply) == 2, reply
        cursor, keys = reply
        seen.extend(keys)
        calls += 1
        assert calls < 100000
        if cursor == b"0":
            return seen


def test_scan_options(both):
    keys = ["user:%d" % i for i in range(300)] + ["other:%d" % i for i in range(50)] + ["x"]
    both.run(("MSET", *[x for k in keys for x in (k, "v")]))
    for extra in [(), ("COUNT", "5"), ("COUNT", "1000"), ("MATCH", "user:*"),
                  ("MATCH", "other:1?", "COUNT", "7"), ("MATCH", "nothing*"),
                  ("TYPE", "string"), ("TYPE", "list"), ("TYPE", "hash"), ("TYPE", "nosuchtype"),
                  ("MATCH", "x", "TYPE", "string", "COUNT", "3")]:
        fk = _scan_all(both.f, *extra)
        rk = _scan_all(both.r, *extra)
        assert sorted(set(fk)) == sorted(set(rk)), "SCAN %s: firn %d keys, redis %d keys" % (
            extra, len(set(fk)), len(set(rk)))
    # A scan never returns a malformed cursor, and errors match.
    both.run(
        ("SCAN", "abc"),
        ("SCAN", "0", "COUNT", "0"),
        ("SCAN", "0", "COUNT", "-1"),
        ("SCAN", "0", "COUNT", "abc"),
        ("SCAN", "0", "MATCH"),
        ("SCAN", "0", "FOO", "bar"),
        ("SCAN", "0", "COUNT"),
        ("SCAN",),
    )


def test_scan_empty_db(both):
    both("SCAN", "0")
    both("SCAN", "0", "MATCH", "*", "COUNT", "100", "TYPE", "string")


def test_scan_count_is_a_hint(firn):
    c = firn.raw()
    c.cmd("MSET", *[x for i in range(1000) for x in ("k%d" % i, "v")])
    cursor, keys = decode(c.cmd("SCAN", "0", "COUNT", "10"))
    assert cursor != b"0"
    assert 1 <= len(keys) <= 100, "COUNT 10 returned %d keys" % len(keys)
    cursor, keys = decode(c.cmd("SCAN", "0", "COUNT", "100000"))
    assert len(set(keys)) == 1000


def test_scan_full_iteration_while_keyspace_grows(firn):
    """Every key present for the whole scan is returned at least once, while 10k keys are
    added during the scan (the table rehashes several times meanwhile)."""
    c = firn.raw(timeout=20)
    initial = ["base:%d" % i for i in range(2000)]
    for i in range(0, len(initial), 500):
        assert c.cmd("MSET", *[x for k in initial[i:i + 500] for x in (k, "v")]) == b"+OK\r\n"
    seen = set()
    cursor, added, calls = b"0", 0, 0
    while True:
        cursor, keys = decode(c.cmd("SCAN", cursor, "COUNT", "20"))
        seen.update(keys)
        calls += 1
        if added < 10000:
            batch = ["grow:%d" % (added + j) for j in range(250)]
            assert c.cmd("MSET", *[x for k in batch for x in (k, "v")]) == b"+OK\r\n"
            added += 250
        if cursor == b"0":
            break
        assert calls < 50000
    missing = [k for k in initial if k.encode() not in seen]
    assert not missing, "%d keys never returned by SCAN, e.g. %s" % (len(missing), missing[:5])
    assert added == 10000, "scan ended after %d calls, before the keyspace grew by 10k" % calls
    assert decode(c.cmd("DBSIZE")) == 12000
    # A full scan after the growth returns exactly the keyspace.
    assert set(_scan_all(c, "COUNT", "100")) == {k.encode() for k in initial} | {
        ("grow:%d" % i).encode() for i in range(10000)}


def test_scan_while_keys_are_deleted(firn):
    c = firn.raw(timeout=20)
    keep = ["keep:%d" % i for i in range(1000)]
    drop = ["drop:%d" % i for i in range(5000)]
    c.cmd("MSET", *[x for k in keep for x in (k, "v")])
    c.cmd("MSET", *[x for k in drop for x in (k, "v")])
    seen, cursor, i = set(), b"0", 0
    while True:
        cursor, keys = decode(c.cmd("SCAN", cursor, "COUNT", "50"))
        seen.update(keys)
        if i < len(drop):
            c.cmd("DEL", *drop[i:i + 500])
            i += 500
        if cursor == b"0":
            break
    missing = [k for k in keep if k.encode() not in seen]
    assert not missing, "%d kept keys never returned, e.g. %s" % (len(missing), missing[:5])


def test_randomkey(both):
    both("RANDOMKEY")
    both("SET", "only", "1")
    both("RANDOMKEY")
    both.run(("MSET", *[x for i in range(50) for x in ("k%d" % i, "v")]))
    universe = {b"only"} | {b"k%d" % i for i in range(50)}
    for _ in range(50):
        key = decode(both.f.cmd("RANDOMKEY"))
        assert key in universe
    both("RANDOMKEY", "extra")


def test_randomkey_skips_expired(firn):
    c = firn.raw()
    c.cmd("SET", "live", "1")
    c.cmd("MSET", *[x for i in range(20) for x in ("tmp%d" % i, "v")])
    for i in range(20):
        c.cmd("PEXPIRE", "tmp%d" % i, "50")
    time.sleep(0.2)
    for _ in range(20):
        assert c.cmd("RANDOMKEY") == b"$4\r\nlive\r\n"


def test_dbsize_flushdb_flushall(both):
    both.run(
        ("DBSIZE",),
        ("MSET", "a", "1", "b", "2"),
        ("DBSIZE",),
        ("SELECT", "2"),
        ("SET", "c", "3"),
        ("DBSIZE",),
        ("FLUSHDB",),
        ("DBSIZE",),
        ("SET", "c", "3"),
        ("SELECT", "0"),
        ("DBSIZE",),
        ("FLUSHDB", "SYNC"),
        ("DBSIZE",),
        ("SELECT", "2"),
        ("DBSIZE",),
        ("SET", "x", "1"),
        ("FLUSHALL", "ASYNC"),
        ("DBSIZE",),
        ("SET", "y", "1"),
        ("SELECT", "0"),
        ("SET", "y", "1"),
        ("FLUSHALL", "SYNC"),
        ("DBSIZE",),
        ("SELECT", "2"),
        ("DBSIZE",),
        ("FLUSHDB", "ASYNC"),
        ("FLUSHALL",),
        ("FLUSHALL", "FOO"),
        ("FLUSHDB", "FOO"),
        ("FLUSHALL", "SYNC", "ASYNC"),
        ("FLUSHDB", "sync"),
        ("DBSIZE", "x"),
    )


def test_select(both):
    for db in range(16):
        both("SELECT", str(db))
        both("SET", "which", "db%d" % db)
    for db in range(16):
        both("SELECT", str(db))
        both("GET", "which")
    both.run(
        ("SELECT", "16"),
        ("SELECT", "-1"),
        ("SELECT", "abc"),
        ("SELECT", "1.0"),
        ("SELECT", "99999999999999999999"),
        ("SELECT", ""),
        ("SELECT",),
        ("SELECT", "1", "2"),
        ("GET", "which"),
    )


def test_move(both):
    both.run(
        ("SET", "k", "v", "EX", "100"),
        ("MOVE", "k", "1"),
        ("EXISTS", "k"),
        ("MOVE", "k", "1"),
        ("SELECT", "1"),
        ("GET", "k"),
        ("TTL", "k"),
        ("MOVE", "k", "1"),
        ("SELECT", "0"),
        ("SET", "k", "other"),
        ("SELECT", "1"),
        ("MOVE", "k", "0"),
        ("GET", "k"),
        ("MOVE", "k", "16"),
        ("MOVE", "k", "-1"),
        ("MOVE", "k", "abc"),
        ("MOVE", "missing", "2"),
        ("MOVE", "k"),
    )


def test_swapdb(both):
    both.run(
        ("SET", "a", "from0"),
        ("SELECT", "1"),
        ("SET", "b", "from1"),
        ("SWAPDB", "0", "1"),
        ("GET", "a"),
        ("GET", "b"),
        ("DBSIZE",),
        ("SELECT", "0"),
        ("GET", "b"),
        ("SWAPDB", "0", "0"),
        ("GET", "b"),
        ("SWAPDB", "0", "16"),
        ("SWAPDB", "16", "0"),
        ("SWAPDB", "-1", "0"),
        ("SWAPDB", "a", "1"),
        ("SWAPDB", "1", "b"),
        ("SWAPDB", "0"),
        ("SWAPDB", "0", "5"),
        ("GET", "b"),
        ("SELECT", "5"),
        ("GET", "b"),
    )


def test_swapdb_visible_to_other_connection(both, firn, redis_ref):
    other_f, other_r = firn.raw(), redis_ref.raw()
    try:
        for c in (other_f, other_r):
            assert c.cmd("SELECT", "3") == b"+OK\r\n"
        both("SET", "k", "from0")
        both("SWAPDB", "0", "3")
        assert other_f.cmd("GET", "k") == other_r.cmd("GET", "k") == b"$5\r\nfrom0\r\n"
    finally:
        other_f.close()
        other_r.close()


@pytest.mark.parametrize("value", [
    "12345", "0", "-1", "-0", "01", "+1", " 1", "1 ", "9223372036854775807",
    "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "10000", "1.5",
    "", "a", "x" * 44, "x" * 45, "x" * 100, "12345678901234567890", "0x10", "1e3",
])
def test_object_encoding(both, value):
    both("SET", "k", value)
    both("OBJECT", "ENCODING", "k")
    both("GET", "k")


def test_object_encoding_after_mutations(both):
    both.run(
        ("SET", "k", "hello"),
        ("APPEND", "k", "!"),
        ("OBJECT", "ENCODING", "k"),
        ("SET", "n", "10"),
        ("INCR", "n"),
        ("OBJECT", "ENCODING", "n"),
        ("SET", "r", "abc"),
        ("SETRANGE", "r", "1", "Z"),
        ("OBJECT", "ENCODING", "r"),
        ("INCRBYFLOAT", "f", "1.5"),
        ("OBJECT", "ENCODING", "f"),
        ("SET", "big", "x" * 30),
        ("APPEND", "big", "y" * 30),
        ("OBJECT", "ENCODING", "big"),
        ("OBJECT", "ENCODING", "missing"),
        ("OBJECT", "ENCODING"),
        ("OBJECT", "FOO", "k"),
    )


def test_move_cases_of_redis_suite(both):
    # Redis's "MOVE basic usage" and the MOVE tests after it (unit/keyspace), run from db 9
    # as the suite does, plus a target holding the key, an expired target and a TTL.
    both.run(
        ("SELECT", "9"), ("SET", "mykey", "foobar"), ("MOVE", "mykey", "10"), ("EXISTS", "mykey"),
        ("DBSIZE",), ("SELECT", "10"), ("GET", "mykey"), ("DBSIZE",), ("SELECT", "9"),
        ("SET", "mykey", "hello"), ("MOVE", "mykey", "10"), ("GET", "mykey"),
        ("SELECT", "10"), ("GET", "mykey"), ("SELECT", "9"),
        ("MOVE", "mykey", "notanumber"), ("MOVE", "mykey", "9"), ("MOVE", "mykey", "2147483648"),
        ("SELECT", "10"), ("FLUSHDB",), ("SELECT", "9"),
        ("SET", "mykey", "foo", "EX", "100"), ("MOVE", "mykey", "10"), ("TTL", "mykey"),
        ("SELECT", "10"), ("TTL", "mykey"), ("GET", "mykey"), ("SELECT", "9"),
        ("SET", "mykey", "foo"), ("MOVE", "mykey", "10"), ("SELECT", "10"), ("TTL", "mykey"),
        ("GET", "mykey"), ("SELECT", "9"),
        ("SET", "gone", "target", "PX", "1"),
    )
    time.sleep(0.05)
    both.run(
        ("SELECT", "10"), ("SET", "gone", "target", "PX", "1"), ("SELECT", "9"),
        ("SET", "gone", "source"),
    )
    time.sleep(0.05)
    both.run(
        ("MOVE", "gone", "10"), ("SELECT", "10"), ("GET", "gone"), ("DBSIZE",), ("SELECT", "9"),
        ("DBSIZE",),
    )
