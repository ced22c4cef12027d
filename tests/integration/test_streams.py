"""Streams and consumer groups: replies (errors included) compared byte for byte with
redis-server 7.0.

Replies that carry the clock (auto ids, idle times, seen and delivery times) and XINFO
STREAM's radix-tree-nodes (Redis's tree internals; Firn indexes its nodes in a vector) are
compared after normalizing those fields; everything else is compared raw."""

import time

import pytest

from conftest import RespError, decode


def _xinfo_norm(v):
    """XINFO STREAM with radix-tree-nodes blanked (both RESP2 list and RESP3 dict forms)."""
    if isinstance(v, dict):
        return {k: (None if k == b"radix-tree-nodes" else v2) for k, v2 in v.items()}
    if isinstance(v, list):
        out = list(v)
        for i in range(0, len(out) - 1, 2):
            if out[i] == b"radix-tree-nodes":
                out[i + 1] = None
        return out
    return v


def _blank_ints(v):
    """Every integer replaced (idle and delivery times), structure kept."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return 0
    if isinstance(v, list):
        return [_blank_ints(x) for x in v]
    if isinstance(v, dict):
        return {k: _blank_ints(x) for k, x in v.items()}
    return v


def _fill(both, key, n, start=1):
    for i in range(start, start + n):
        both("XADD", key, "%d-%d" % (i, i % 3), "f1", "v%d" % i, "f2", "x")


def test_xadd_ids_and_errors(both):
    both.run(
        ("XADD", "s", "1-1", "a", "1", "b", "2"),
        ("XADD", "s", "1-1", "a", "1"), ("XADD", "s", "1-*", "a", "1"),
        ("XADD", "s", "1-0", "a", "1"), ("XADD", "s", "2-*", "a", "1"),
        ("XADD", "s", "2-*", "a", "1"), ("XADD", "s", "3", "a", "1"),
        ("XADD", "s", "0-0", "a", "1"), ("XADD", "new", "0-*", "a", "1"),
        ("XADD", "s", "abc", "a", "1"), ("XADD", "s", "1-2-3", "a", "1"),
        ("XADD", "s", "-", "a", "1"), ("XADD", "s", "+", "a", "1"),
        ("XADD", "s", "18446744073709551616", "a", "1"), ("XADD", "s", "5-x", "a", "1"),
        ("XADD", "s", "*", "a"), ("XADD", "s", "*", "a", "1", "b"), ("XADD", "s", "nomkstream"),
        ("XADD", "nos", "NOMKSTREAM", "*", "a", "1"), ("EXISTS", "nos"),
        ("XADD", "s", "MAXLEN", "10", "LIMIT", "5", "*", "a", "1"),
        ("XADD", "s", "LIMIT", "5", "*", "a", "1"),
        ("XADD", "s", "MAXLEN", "1", "MINID", "5", "*", "a", "1"),
        ("XADD", "s", "MAXLEN", "-1", "*", "a", "1"),
        ("XADD", "s", "MAXLEN", "x", "*", "a", "1"),
        ("XADD", "s", "MAXLEN", "~", "5", "LIMIT", "-1", "*", "a", "1"),
        ("XADD", "s", "MINID", "bad", "*", "a", "1"),
        ("XADD", "s", "18446744073709551615-18446744073709551615", "a", "1"),
        ("XADD", "s", "*", "a", "1"), ("XADD", "s", "18446744073709551615-*", "a", "1"),
        ("XRANGE", "s", "-", "+"), ("XLEN", "s"), ("XLEN", "nokey"),
        ("TYPE", "s"), ("OBJECT", "ENCODING", "s"),
    )


def test_auto_id_grows(both):
    fr, rr = both.both_do("XADD", "s", "*", "a", "1")
    for raw in (fr, rr):
        ms, seq = decode(raw).split(b"-")
        assert abs(int(ms) - time.time() * 1000) < 60000
    both.f.cmd("XADD", "s", "*", "b", "2")
    ids = [e[0] for e in decode(both.f.cmd("XRANGE", "s", "-", "+"))]
    assert ids == sorted(ids, key=lambda i: tuple(int(x) for x in i.split(b"-")))
    # A future explicit id, then '*' must still grow.
    both("XADD", "f", "99999999999999-5", "a", "1")
    both("XADD", "f", "*", "a", "1")


def test_range_and_revrange(both):
    _fill(both, "s", 250)
    both("XADD", "s", "300-0", "other", "1")
    for cmd in [
        ("XRANGE", "s", "-", "+", "COUNT", "5"), ("XREVRANGE", "s", "+", "-", "COUNT", "5"),
        ("XREVRANGE", "s", "(200-2", "(100", "COUNT", "3"), ("XRANGE", "s", "(5-2", "(10-1"),
        ("XRANGE", "s", "5", "10"), ("XREVRANGE", "s", "10", "5"), ("XRANGE", "s", "10", "5"),
        ("XRANGE", "s", "-", "+", "COUNT", "0"), ("XRANGE", "nokey", "-", "+", "COUNT", "0"),
        ("XRANGE", "s", "-", "+", "COUNT", "-3"), ("XRANGE", "s", "299", "+"),
        ("XRANGE", "s", "(-", "+"), ("XRANGE", "s", "(", "+"), ("XRANGE", "s", "-", "+", "COUNT"),
        ("XRANGE", "s", "-", "+", "FOO", "1"), ("XRANGE", "s", "-", "+", "COUNT", "x"),
        ("XRANGE", "s", "abc", "+"), ("XREVRANGE", "s", "abc", "+"),
        ("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"),
        ("XRANGE", "s", "-", "(0-0"), ("XRANGE", "s", "(0-0", "(1-2"),
        ("XRANGE", "s", "100", "100"), ("XRANGE", "s", "100-1", "100-1"),
        ("XRANGE", "s", "-", "+", "COUNT", "9223372036854775807"),
        ("XRANGE", "nokey", "-", "+"),
    ]:
        both(*cmd)
    assert len(decode(both("XRANGE", "s", "-", "+"))) == 251


def test_xdel_and_xtrim(both):
    _fill(both, "s", 260)
    both.run(
        ("XDEL", "s", "1-1", "2-2", "999-0", "3-0"), ("XDEL", "s", "bad"),
        ("XDEL", "s", "5-2", "bad"), ("XLEN", "s"), ("XDEL", "nokey", "1-1"),
        ("XTRIM", "s", "MAXLEN", "~", "150"), ("XLEN", "s"),
        ("XTRIM", "s", "MAXLEN", "=", "120"), ("XLEN", "s"),
        ("XTRIM", "s", "MINID", "200"), ("XRANGE", "s", "-", "+", "COUNT", "2"),
        ("XTRIM", "s", "MINID", "~", "250"),
        ("XTRIM", "s", "MAXLEN", "10", "LIMIT", "10"),
        ("XTRIM", "s", "MAXLEN", "~", "10", "LIMIT", "10"),
        ("XTRIM", "s", "MAXLEN", "~", "10", "LIMIT", "0"), ("XLEN", "s"),
        ("XTRIM", "nokey", "MAXLEN", "bad"), ("XTRIM", "nokey", "FOO", "1"),
        ("XTRIM", "s", "LIMIT", "1"), ("XTRIM", "s", "MAXLEN"), ("XTRIM", "nokey", "MAXLEN", "1"),
        ("XTRIM", "s", "MAXLEN", "0"), ("XLEN", "s"), ("EXISTS", "s"),
        ("XADD", "t", "MAXLEN", "2", "1-1", "a", "1"), ("XADD", "t", "MAXLEN", "=", "2", "2-1", "a", "1"),
        ("XADD", "t", "MAXLEN", "2", "3-1", "a", "1"), ("XRANGE", "t", "-", "+"),
        ("XADD", "t", "MINID", "3-1", "4-1", "a", "1"), ("XRANGE", "t", "-", "+"),
    )
    both.norm("XINFO", "STREAM", "s", normalize=_xinfo_norm)


def test_xsetid(both):
    _fill(both, "s", 3)
    both.run(
        ("XSETID", "s", "1-1"), ("XSETID", "nokey", "5-5"),
        ("XSETID", "s", "5-5", "ENTRIESADDED", "1"), ("XSETID", "s", "5-5", "ENTRIESADDED", "-1"),
        ("XSETID", "s", "5-5", "MAXDELETEDID", "6-0"), ("XSETID", "s", "5-5", "FOO"),
        ("XSETID", "s", "bad"), ("XSETID", "s", "5-5", "ENTRIESADDED", "x"),
        ("XSETID", "s", "400-0", "ENTRIESADDED", "1000", "MAXDELETEDID", "350-0"),
        ("XSETID", "s", "399-0"), ("XADD", "s", "390-0", "a", "1"),
        # An id in the future makes `*` continue its sequence: the same id on both servers
        # (with the clock's id the two could be a millisecond apart).
        ("XSETID", "s", "99999999999999-0"), ("XADD", "s", "*", "a", "1"),
    )
    both.norm("XINFO", "STREAM", "s", normalize=_xinfo_norm)


def test_wrong_type_and_arity(both):
    both("SET", "str", "x")
    for cmd in [
        ("XADD", "str", "*", "a", "1"), ("XRANGE", "str", "-", "+"), ("XREVRANGE", "str", "+", "-"),
        ("XLEN", "str"), ("XDEL", "str", "1-1"), ("XTRIM", "str", "MAXLEN", "1"),
        ("XSETID", "str", "1-1"), ("XREAD", "STREAMS", "str", "0"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", ">"), ("XACK", "str", "g", "1-1"),
        ("XPENDING", "str", "g"), ("XCLAIM", "str", "g", "c", "0", "1-1"),
        ("XAUTOCLAIM", "str", "g", "c", "0", "0"), ("XINFO", "STREAM", "str"),
        ("XINFO", "GROUPS", "str"), ("XINFO", "CONSUMERS", "str", "g"),
        ("XGROUP", "CREATE", "str", "g", "0"), ("XGROUP", "DESTROY", "str", "g"),
        ("XADD", "s"), ("XADD", "s", "*"), ("XRANGE", "s", "-"), ("XLEN",), ("XDEL", "s"),
        ("XTRIM", "s"), ("XSETID", "s"), ("XREAD",), ("XREAD", "STREAMS"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s"), ("XACK", "s", "g"),
        ("XPENDING", "s"), ("XCLAIM", "s", "g", "c", "0"), ("XAUTOCLAIM", "s", "g", "c", "0"),
        ("XGROUP",), ("XGROUP", "CREATE", "s", "g"), ("XGROUP", "FOO"), ("XINFO", "FOO"),
        ("XINFO", "STREAM"), ("XGROUP", "HELP"), ("XINFO", "HELP"),
    ]:
        both(*cmd)


def test_xread(both):
    _fill(both, "s", 5)
    both("XADD", "t", "1-0", "k", "v")
    for cmd in [
        ("XREAD", "COUNT", "2", "STREAMS", "s", "t", "0", "0"),
        ("XREAD", "STREAMS", "s", "t", "$", "$"), ("XREAD", "STREAMS", "s", "nokey", "0", "0"),
        ("XREAD", "STREAMS", "s", "t", "0"), ("XREAD", "COUNT", "-5", "STREAMS", "s", "0"),
        ("XREAD", "BLOCK", "-1", "STREAMS", "s", "0"), ("XREAD", "BLOCK", "abc", "STREAMS", "s", "0"),
        ("XREAD", "COUNT", "1", "STREAMS"), ("XREAD", "FOO", "STREAMS", "s", "0"),
        ("XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"), ("XREAD", "NOACK", "STREAMS", "s", "0"),
        ("XREAD", "STREAMS", "s", ">"), ("XREAD", "STREAMS", "s", "bad"),
        ("XREAD", "STREAMS", "s", "3-0"), ("XREAD", "STREAMS", "s", "5-2"),
        ("XREAD", "COUNT", "abc", "STREAMS", "s", "0"),
        ("XREAD", "COUNT", "99999999999999", "STREAMS", "s", "0"),
        ("XREAD", "BLOCK", "0", "COUNT", "1", "STREAMS", "s", "0"),
    ]:
        both(*cmd)
    both.f.cmd("HELLO", "3")
    both.r.cmd("HELLO", "3")
    both("XREAD", "COUNT", "2", "STREAMS", "s", "t", "0", "0")
    both("XREAD", "STREAMS", "s", "$")


def test_groups_single_connection(both):
    _fill(both, "s", 10)
    both.run(
        ("XGROUP", "CREATE", "s", "g", "0"), ("XGROUP", "CREATE", "s", "g", "0"),
        ("XGROUP", "CREATE", "nokey", "g", "0"), ("XGROUP", "CREATE", "s", "g2", "0", "FOO"),
        ("XGROUP", "CREATE", "s", "g2", "bad"), ("XGROUP", "CREATE", "s", "g2", "$"),
        ("XGROUP", "CREATE", "s", "g3", "5-2", "ENTRIESREAD", "5"),
        ("XGROUP", "CREATE", "s", "g4", "0", "ENTRIESREAD", "-5"),
        ("XGROUP", "CREATE", "m", "g", "$", "MKSTREAM"), ("XLEN", "m"), ("TYPE", "m"),
        ("XGROUP", "CREATE", "m2", "g", "$", "MKSTREAM", "ENTRIESREAD", "3"),
        ("XGROUP", "CREATECONSUMER", "s", "nog", "c"), ("XGROUP", "CREATECONSUMER", "s", "g", "zed"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "zed"), ("XGROUP", "CREATECONSUMER", "nokey", "g", "c"),
        ("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "-5"), ("XGROUP", "DESTROY", "s", "nog"),
        ("XGROUP", "FOO", "s", "g"), ("XGROUP", "CReate2", "s", "g"),
        ("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"),
        ("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", "1-1"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"),
        ("XREADGROUP", "STREAMS", "s", "0"), ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "nokey", ">"),
        ("XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "bad"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "m", ">"),
        ("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", "m", ">", ">"),
        ("XREADGROUP", "GROUP", "g2", "nobody", "STREAMS", "s", ">"),
        ("XINFO", "GROUPS", "s"),
        ("XACK", "s", "g", "1-1", "1-1", "9-9"), ("XACK", "s", "g", "bad"),
        ("XACK", "nokey", "g", "bad"), ("XACK", "s", "nog", "bad"),
        ("XPENDING", "s", "g", "-", "+"), ("XPENDING", "nokey", "g"),
        ("XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"), ("XPENDING", "s", "g", "-", "+", "x"),
        ("XPENDING", "s", "g", "IDLE", "0", "-", "+"), ("XPENDING", "s", "g", "(-", "+", "1"),
        ("XPENDING", "s", "g", "-", "+", "10", "nobody"), ("XPENDING", "s", "nog"),
        ("XGROUP", "DELCONSUMER", "s", "g", "nobody"), ("XGROUP", "DELCONSUMER", "s", "g", "bob"),
        ("XPENDING", "s", "g"), ("XGROUP", "SETID", "s", "g", "0-0", "ENTRIESREAD", "3"),
        ("XINFO", "GROUPS", "s"), ("XGROUP", "SETID", "s", "g", "$"), ("XGROUP", "SETID", "s", "g", "-"),
        ("XGROUP", "SETID", "s", "nog", "$"), ("XGROUP", "SETID", "s", "g", "$", "FOO"),
        ("XINFO", "GROUPS", "s"), ("XGROUP", "DESTROY", "s", "g2"), ("XINFO", "GROUPS", "s"),
        ("XINFO", "STREAM", "nokey"), ("XINFO", "GROUPS", "nokey"), ("XINFO", "CONSUMERS", "nokey", "g"),
        ("XINFO", "CONSUMERS", "s", "nog"), ("XINFO", "STREAM", "s", "FULL", "COUNT"),
        ("XINFO", "STREAM", "s", "FULL", "FOO"), ("XINFO", "STREAM", "s", "BAR"),
    )
    both.norm("XPENDING", "s", "g", "-", "+", "10", normalize=_blank_ints)
    both.norm("XINFO", "CONSUMERS", "s", "g", normalize=_blank_ints)
    both.norm("XINFO", "STREAM", "s", "FULL", normalize=lambda v: _blank_ints(_xinfo_norm(v)))
    both.norm("XINFO", "STREAM", "s", "FULL", "COUNT", "1",
              normalize=lambda v: _blank_ints(_xinfo_norm(v)))


def test_lag_and_entries_read(both):
    _fill(both, "s", 5)
    both.run(("XGROUP", "CREATE", "s", "g", "0"), ("XINFO", "GROUPS", "s"),
             ("XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "s", ">"),
             ("XINFO", "GROUPS", "s"), ("XDEL", "s", "4-1"), ("XINFO", "GROUPS", "s"),
             ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"), ("XINFO", "GROUPS", "s"),
             ("XADD", "s", "9-0", "a", "1"), ("XINFO", "GROUPS", "s"),
             ("XDEL", "s", "1-1"), ("XGROUP", "CREATE", "s", "g2", "0"), ("XINFO", "GROUPS", "s"),
             ("XTRIM", "s", "MAXLEN", "0"), ("XINFO", "GROUPS", "s"))


def test_claiming(both):
    _fill(both, "s", 6)
    both.run(("XGROUP", "CREATE", "s", "g", "0"),
             ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"),
             ("XDEL", "s", "2-2"),
             ("XCLAIM", "s", "g", "b", "0", "1-1", "3-0", "JUSTID"),
             ("XCLAIM", "s", "g", "b", "0", "2-2"),
             ("XCLAIM", "s", "g", "b", "3600000", "4-1"),
             ("XCLAIM", "s", "g", "b", "0", "4-1", "RETRYCOUNT", "7", "IDLE", "5000000000000"),
             ("XCLAIM", "s", "g", "b", "0", "1-1", "2-2", "bogus"),
             ("XCLAIM", "s", "g", "b", "x", "1-1"), ("XCLAIM", "nokey", "g", "b", "x", "1-1"),
             ("XCLAIM", "s", "g", "b", "0", "1-1", "IDLE", "x"),
             ("XCLAIM", "s", "g", "b", "0", "1-1", "TIME", "x"),
             ("XCLAIM", "s", "g", "b", "0", "1-1", "RETRYCOUNT", "x"),
             ("XCLAIM", "s", "g", "b", "0", "1-1", "LASTID", "x"),
             ("XADD", "s", "7-0", "n", "1"),
             ("XCLAIM", "s", "g", "c", "0", "7-0", "FORCE", "JUSTID", "LASTID", "99-0"),
             ("XINFO", "GROUPS", "s"),
             ("XAUTOCLAIM", "nokey", "g", "c", "0", "bad"), ("XAUTOCLAIM", "s", "g", "c", "x", "0"),
             ("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "0"),
             ("XAUTOCLAIM", "s", "nog", "c", "0", "0", "FOO"),
             ("XAUTOCLAIM", "s", "nog", "c", "0", "0"),
             ("XAUTOCLAIM", "s", "g", "d", "0", "0", "COUNT", "2"),
             ("XAUTOCLAIM", "s", "g", "d", "0", "(1-1", "COUNT", "2", "JUSTID"),
             ("XDEL", "s", "5-2", "6-0"),
             ("XAUTOCLAIM", "s", "g", "e", "0", "0"),
             ("XAUTOCLAIM", "s", "g", "e", "3600000", "0"))
    both.norm("XPENDING", "s", "g", "-", "+", "10", normalize=_blank_ints)
    both("XPENDING", "s", "g")


def test_copy_rename_delete_expire(both):
    _fill(both, "s", 3)
    both.run(("XGROUP", "CREATE", "s", "g", "0"),
             ("XREADGROUP", "GROUP", "g", "a", "COUNT", "1", "STREAMS", "s", ">"),
             ("COPY", "s", "s2"), ("XPENDING", "s2", "g"), ("XRANGE", "s2", "-", "+"),
             ("XACK", "s2", "g", "1-1"), ("XPENDING", "s", "g"), ("XPENDING", "s2", "g"),
             ("RENAME", "s2", "s3"), ("XLEN", "s3"), ("TYPE", "s3"),
             ("EXPIRE", "s3", "100"), ("TTL", "s3"), ("DEL", "s3"), ("EXISTS", "s3"),
             ("SCAN", "0", "TYPE", "stream"), ("UNLINK", "s"), ("EXISTS", "s"))
    _fill(both, "m", 3)
    usage = decode(both.f.cmd("MEMORY", "USAGE", "m"))
    assert isinstance(usage, int) and usage > 0


def test_keyspace_notifications(both):
    for c in (both.f, both.r):
        c.cmd("CONFIG", "SET", "notify-keyspace-events", "KEA")
    subs = []
    for srv in (both.firn_srv, both.redis_srv):
        sub = srv.raw()
        sub.cmd("PSUBSCRIBE", "__key*__:*")
        subs.append(sub)
    try:
        both.run(("XADD", "s", "MAXLEN", "1", "1-1", "a", "1"),
                 ("XADD", "s", "MAXLEN", "1", "2-1", "a", "1"),
                 ("XDEL", "s", "2-1"), ("XDEL", "s", "2-1"), ("XADD", "s", "3-1", "a", "1"),
                 ("XTRIM", "s", "MAXLEN", "0"), ("XSETID", "s", "5-0"),
                 ("XGROUP", "CREATE", "s", "g", "0"), ("XGROUP", "CREATECONSUMER", "s", "g", "c"),
                 ("XGROUP", "SETID", "s", "g", "0"), ("XGROUP", "DELCONSUMER", "s", "g", "c"),
                 ("XADD", "s", "6-0", "a", "1"),
                 ("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"),
                 ("XGROUP", "DESTROY", "s", "g"), ("DEL", "s"))
        time.sleep(0.2)
        fmsgs, rmsgs = subs[0].pending(0.3), subs[1].pending(0.3)
        assert decode_all(fmsgs) == decode_all(rmsgs)
    finally:
        for c in (both.f, both.r):
            c.cmd("CONFIG", "SET", "notify-keyspace-events", "")
        for sub in subs:
            sub.close()


def decode_all(raw):
    out, pos = [], 0
    from conftest import _decode
    while pos < len(raw):
        v, pos = _decode(raw, pos)
        out.append(v)
    return out


def test_two_consumers_share_a_group(firn, redis_ref):
    for srv in (firn, redis_ref):
        a, b, p = srv.raw(), srv.raw(), srv.raw()
        p.cmd("XGROUP", "CREATE", "jobs", "workers", "$", "MKSTREAM")
        for i in range(1, 11):
            p.cmd("XADD", "jobs", "%d-0" % i, "job", str(i))
        got_a = decode(a.cmd("XREADGROUP", "GROUP", "workers", "a", "COUNT", "4",
                             "STREAMS", "jobs", ">"))
        got_b = decode(b.cmd("XREADGROUP", "GROUP", "workers", "b", "COUNT", "4",
                             "STREAMS", "jobs", ">"))
        ids_a = [e[0] for e in got_a[0][1]]
        ids_b = [e[0] for e in got_b[0][1]]
        assert ids_a == [b"1-0", b"2-0", b"3-0", b"4-0"]
        assert ids_b == [b"5-0", b"6-0", b"7-0", b"8-0"]
        assert decode(a.cmd("XACK", "jobs", "workers", *ids_a)) == 4
        assert decode(b.cmd("XACK", "jobs", "workers", *ids_a)) == 0
        summary = decode(p.cmd("XPENDING", "jobs", "workers"))
        assert summary == [4, b"5-0", b"8-0", [[b"b", b"4"]]]
        for c in (a, b, p):
            c.close()


def test_dead_consumer_entries_claimed_with_xautoclaim(firn, redis_ref):
    replies = []
    for srv in (firn, redis_ref):
        dead, live = srv.raw(), srv.raw()
        live.cmd("XGROUP", "CREATE", "q", "g", "0", "MKSTREAM")
        for i in range(1, 6):
            live.cmd("XADD", "q", "%d-0" % i, "n", str(i))
        dead.cmd("XREADGROUP", "GROUP", "g", "dead", "STREAMS", "q", ">")
        dead.close()
        time.sleep(0.05)
        live.cmd("XDEL", "q", "3-0")
        first = live.cmd("XAUTOCLAIM", "q", "g", "live", "10", "0", "COUNT", "2")
        second = live.cmd("XAUTOCLAIM", "q", "g", "live", "10", decode(first)[0], "COUNT", "10")
        pend = decode(live.cmd("XPENDING", "q", "g"))
        replies.append((first, second, pend))
        live.close()
    assert replies[0] == replies[1]
    assert replies[0][2] == [4, b"1-0", b"5-0", [[b"live", b"4"]]]


def test_bad_input_leaves_data_unchanged(both):
    _fill(both, "s", 5)
    both("XGROUP", "CREATE", "s", "g", "0")
    before = both("XRANGE", "s", "-", "+")
    for cmd in [
        ("XADD", "s", "1-0", "a", "1"), ("XADD", "s", "bad", "a", "1"),
        ("XDEL", "s", "1-1", "bad"), ("XACK", "s", "g", "1-1", "bad"),
        ("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "x"),
        ("XREAD", "COUNT", "18446744073709551616", "STREAMS", "s", "0"),
        ("XREAD", "BLOCK", "-5", "STREAMS", "s", "$"),
        ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "-1", "STREAMS", "s", ">"),
        ("XCLAIM", "s", "g", "c", "0", "1-1", "IDLE"),
    ]:
        both(*cmd)
    assert both("XRANGE", "s", "-", "+") == before
    both("XPENDING", "s", "g")
