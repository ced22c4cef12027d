"""Key commands beyond test_keys.py: OBJECT's other subcommands, keyspace hit/miss accounting,
SCAN cursor parsing, the commands' metadata, and the generic commands on rate-limiter keys."""

import time

import pytest

from conftest import FIRN_IS_REDIS, Both, decode, encode, parse_info

KEY_COMMANDS = [
    "del", "unlink", "exists", "touch", "type", "expire", "pexpire", "expireat", "pexpireat",
    "ttl", "pttl", "expiretime", "pexpiretime", "persist", "rename", "renamenx", "copy", "move",
    "keys", "scan", "randomkey", "object", "object|encoding", "object|freq", "object|help",
    "object|idletime", "object|refcount",
]


def test_object_refcount_help_and_errors(both):
    both.run(
        ("MSET", "small", "100", "zero", "0", "big", "10000", "s", "abc", "neg", "-1"),
        ("OBJECT", "REFCOUNT", "small"),
        ("OBJECT", "REFCOUNT", "zero"),
        ("OBJECT", "REFCOUNT", "big"),
        ("OBJECT", "REFCOUNT", "s"),
        ("OBJECT", "REFCOUNT", "neg"),
        ("OBJECT", "REFCOUNT", "missing"),
        ("OBJECT", "IDLETIME", "missing"),
        ("OBJECT", "FREQ", "s"),
        ("OBJECT", "FREQ", "missing"),
        ("OBJECT", "HELP"),
        ("object", "help"),
        ("OBJECT",),
        ("OBJECT", "HELP", "x"),
        ("OBJECT", "ENCODING"),
        ("OBJECT", "REFCOUNT", "s", "x"),
        ("OBJECT", "IDLETIME"),
        ("OBJECT", "FREQ"),
        ("OBJECT", "FOO"),
        ("OBJECT", "FOO", "s"),
        ("object", "Encoding", "s"),
    )


def test_object_nil_replies_in_resp3(both):
    both.both_do("HELLO", "3")  # the replies differ (server name, client id)
    both.run(
        ("OBJECT", "ENCODING", "missing"),
        ("OBJECT", "REFCOUNT", "missing"),
        ("OBJECT", "IDLETIME", "missing"),
        ("RANDOMKEY",),
        ("SET", "k", "12"),
        ("OBJECT", "ENCODING", "k"),
        ("RANDOMKEY",),
        ("SCAN", "0", "TYPE", "string"),
    )


def test_object_idletime_counts_seconds_since_last_use(both):
    both("SET", "k", "v")
    both.norm("OBJECT", "IDLETIME", "k", normalize=lambda s: s in (0, 1))
    time.sleep(2.1)
    both.norm("OBJECT", "IDLETIME", "k", normalize=lambda s: s in (2, 3))
    # Inspecting does not reset it; reading does.
    both.norm("TYPE", "k")
    both.norm("TTL", "k")
    both.norm("OBJECT", "IDLETIME", "k", normalize=lambda s: s in (2, 3))
    both("GET", "k")
    both.norm("OBJECT", "IDLETIME", "k", normalize=lambda s: s in (0, 1))


def test_object_freq_under_lfu(start_server):
    f = start_server("--maxmemory-policy", "allkeys-lfu")
    r = start_server("--maxmemory-policy", "allkeys-lfu", kind="redis")
    both = Both(f, r)
    try:
        both.run(
            ("SET", "k", "v"),
            ("OBJECT", "FREQ", "k"),   # a new key starts at LFU_INIT_VAL (5)
            ("GET", "k"),
            ("OBJECT", "FREQ", "k"),   # the first hits always count
            ("OBJECT", "IDLETIME", "k"),
            ("OBJECT", "FREQ", "missing"),
            ("OBJECT", "IDLETIME", "missing"),
        )
    finally:
        both.close()


def _hits_misses(srv_conn):
    info = parse_info(decode(srv_conn.cmd("INFO", "stats")))[None]
    return int(info["keyspace_hits"]), int(info["keyspace_misses"])


def test_keyspace_hits_and_misses_follow_redis(both):
    """INFO's keyspace_hits/misses move exactly as Redis's for each key command: inspections
    and reads count, writes do not."""
    # Not integers: Redis shares small integer values, whose idle time is anyone's.
    both.run(("MSET", "a", "va", "x", "vx"), ("SET", "dying", "vd", "PX", "1"))
    time.sleep(0.05)
    commands = [
        ("EXISTS", "a", "a", "missing"),
        ("EXISTS", "dying"),
        ("TYPE", "a"), ("TYPE", "missing"),
        ("TTL", "a"), ("PTTL", "missing"), ("EXPIRETIME", "a"), ("PEXPIRETIME", "missing"),
        ("OBJECT", "ENCODING", "a"), ("OBJECT", "REFCOUNT", "missing"),
        ("OBJECT", "IDLETIME", "a"), ("OBJECT", "FREQ", "a"),
        ("TOUCH", "a", "missing"),
        ("COPY", "a", "b"), ("COPY", "missing", "c"), ("COPY", "a", "x"),
        ("DEL", "b", "missing"), ("UNLINK", "x"),
        ("EXPIRE", "a", "100"), ("EXPIRE", "missing", "100"), ("PERSIST", "a"),
        ("RENAME", "a", "z"), ("RENAME", "missing", "y"), ("RENAMENX", "z", "a"),
        ("MOVE", "a", "1"), ("MOVE", "missing", "1"),
        ("KEYS", "*"), ("SCAN", "0"), ("RANDOMKEY",),
        ("SET", "t", "v"), ("SCAN", "0", "TYPE", "string"), ("SCAN", "0", "MATCH", "t", "TYPE", "hash"),
    ]
    for cmd in commands:
        before_f, before_r = _hits_misses(both.f), _hits_misses(both.r)
        # The reply is compared only where it is deterministic: the idle time depends on which
        # side of a clock tick each server read its clock.
        if cmd[0] in ("KEYS", "SCAN", "RANDOMKEY") or cmd[:2] == ("OBJECT", "IDLETIME"):
            both.norm(*cmd, normalize=lambda v: 0)
        else:
            both(*cmd)
        after_f, after_r = _hits_misses(both.f), _hits_misses(both.r)
        delta_f = (after_f[0] - before_f[0], after_f[1] - before_f[1])
        delta_r = (after_r[0] - before_r[0], after_r[1] - before_r[1])
        assert delta_f == delta_r, "%s: firn (hits, misses) moved by %s, redis by %s" % (
            cmd, delta_f, delta_r)


def test_scan_cursor_parsing(both):
    # On an empty database every valid cursor answers "0" and no keys, whatever the table.
    both.run(
        ("SCAN", "0"),
        ("SCAN", ""),
        ("SCAN", "-1"),
        ("SCAN", "+5"),
        ("SCAN", "007"),
        ("SCAN", "18446744073709551615"),
        ("SCAN", "-18446744073709551615"),
        ("SCAN", "18446744073709551616"),
        ("SCAN", "-18446744073709551616"),
        ("SCAN", " 1"),
        ("SCAN", "1 "),
        ("SCAN", "0x10"),
        ("SCAN", "1e3"),
        ("SCAN", "abc", "COUNT", "0"),
        ("SCAN", "0", "COUNT", "9223372036854775807"),
        ("SCAN", "0", "COUNT", "9223372036854775808"),
        ("SCAN", "0", "count", "1", "count", "0"),
        ("SCAN", "0", "TYPE", "string", "TYPE"),
        ("SCAN", "0", "MATCH", "a", "MATCH", "b"),
    )


def _scan_all(conn, *extra):
    cursor, seen = b"0", set()
    for _ in range(100000):
        cursor, keys = decode(conn.cmd("SCAN", cursor, *extra))
        seen.update(keys)
        if cursor == b"0":
            return seen
    raise AssertionError("SCAN did not finish")


def test_scan_type_is_case_insensitive_and_last_option_wins(both):
    both.run(("MSET", *[x for i in range(100) for x in ("k%d" % i, "v")]))
    for extra in [("TYPE", "STRING"), ("TYPE", "String", "COUNT", "3"),
                  ("MATCH", "k1*", "MATCH", "k2*"), ("TYPE", "hash", "TYPE", "string"),
                  ("COUNT", "1000", "COUNT", "2")]:
        assert _scan_all(both.f, *extra) == _scan_all(both.r, *extra), extra


def test_key_commands_metadata_matches_redis(both):
    """Name, arity, flags and key positions (COMMAND INFO's first six fields), and the
    version and group COMMAND DOCS reports (the summaries are Firn's own words)."""
    for name in KEY_COMMANDS:
        f = decode(both.f.cmd("COMMAND", "INFO", name))[0]
        r = decode(both.r.cmd("COMMAND", "INFO", name))[0]
        assert f is not None, name
        assert f[:6] == r[:6], "%s: firn %r, redis %r" % (name, f[:6], r[:6])
        fd = decode(both.f.cmd("COMMAND", "DOCS", name))
        rd = decode(both.r.cmd("COMMAND", "DOCS", name))
        fdoc = dict(zip(fd[1][0::2], fd[1][1::2]))
        rdoc = dict(zip(rd[1][0::2], rd[1][1::2]))
        for field in (b"since", b"group"):
            assert fdoc.get(field) == rdoc.get(field), "%s %s: firn %r, redis %r" % (
                name, field, fdoc.get(field), rdoc.get(field))


@pytest.mark.skipif(FIRN_IS_REDIS, reason="rate limiters are Firn's own type")
def test_generic_commands_on_rate_limiter_keys(firn):
    c = firn.raw()
    try:
        reply = decode(c.cmd("RL.BUCKET", "rl", "10", "60000"))
        assert isinstance(reply, list) and len(reply) == 5, reply
        assert c.cmd("TYPE", "rl") == b"+ratelimit\r\n"
        assert c.cmd("OBJECT", "ENCODING", "rl") == b"$9\r\nratelimit\r\n"
        assert c.cmd("EXISTS", "rl") == b":1\r\n"
        assert 0 < decode(c.cmd("PTTL", "rl")) <= 60000  # it expires once full again
        c.cmd("SET", "s", "v")
        assert _scan_all(c, "TYPE", "ratelimit") == {b"rl"}
        assert _scan_all(c, "TYPE", "string") == {b"s"}
        assert c.cmd("PERSIST", "rl") == b":1\r\n"
        assert c.cmd("TTL", "rl") == b":-1\r\n"
        assert c.cmd("EXPIRE", "rl", "100") == b":1\r\n"
        assert c.cmd("RENAME", "rl", "rl2") == b"+OK\r\n"
        assert c.cmd("TYPE", "rl2") == b"+ratelimit\r\n"
        assert c.cmd("TTL", "rl2") == b":100\r\n"
        assert c.cmd("COPY", "rl2", "rl3") == b":1\r\n"
        # Both in one batch, so both read the same clock (their last field is a time left).
        c.send(encode("RL.PEEK", "rl3") + encode("RL.PEEK", "rl2"))
        assert decode(c.read_reply()) == decode(c.read_reply())
        assert c.cmd("MOVE", "rl3", "2") == b":1\r\n"
        assert c.cmd("SELECT", "2") == b"+OK\r\n"
        assert c.cmd("TYPE", "rl3") == b"+ratelimit\r\n"
        assert c.cmd("SELECT", "0") == b"+OK\r\n"
        assert c.cmd("DEL", "rl2", "s") == b":2\r\n"
        assert c.cmd("TYPE", "rl2") == b"+none\r\n"
    finally:
        c.close()
