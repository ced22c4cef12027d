"""Client-side caching (CLIENT TRACKING) against redis-server: the same commands on real RESP3
and RESP2 connections produce the same bytes on both servers, invalidations included."""

import time

import pytest

from conftest import RawConn, decode


def _pair(both):
    """Two more connections per server: (firn, redis) tuples."""
    return (both.firn_srv.raw(), both.redis_srv.raw())


def _each(conns, *args):
    """Sends args on the firn and the redis connection; returns both raw replies."""
    return tuple(c.cmd(*args) for c in conns)


def _same(pair, what):
    f, r = pair
    assert f == r, "%s differ:\n  firn : %r\n  redis: %r" % (what, f, r)
    return r


def test_resp3_push_invalidation_after_a_read(both):
    tracker, writer = _pair(both), _pair(both)
    _each(tracker, "HELLO", "3")
    _same(_each(tracker, "CLIENT", "TRACKING", "on"), "TRACKING ON")
    _same(_each(tracker, "GET", "k"), "GET")
    _same(_each(writer, "SET", "k", "1"), "SET")
    # The push arrives on its own; PING's reply follows it.
    pushes = tuple(c.read_reply() for c in tracker)
    assert _same(pushes, "push") == b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n"
    _same(_each(tracker, "PING"), "PING")
    # Not read since: a second change says nothing; the next reply is PING's.
    _each(writer, "SET", "k", "2")
    _same(_each(tracker, "PING"), "PING after an untracked change")
    for conn in tracker + writer:
        conn.close()


def test_own_write_invalidation_follows_reply_and_exec(both):
    tracker = _pair(both)
    _each(tracker, "HELLO", "3")
    _each(tracker, "CLIENT", "TRACKING", "on")
    _each(tracker, "MSET", "a", "1", "b", "2")
    _each(tracker, "GET", "a")
    _same(_each(tracker, "HDEL", "nohash", "f"), "HDEL")
    _each(tracker, "MULTI")
    _each(tracker, "INCR", "a")
    _each(tracker, "GET", "b")
    _same(_each(tracker, "EXEC"), "EXEC")
    _same(tuple(c.read_reply() for c in tracker), "invalidation after EXEC")
    _same(_each(tracker, "CLIENT", "TRACKINGINFO"), "TRACKINGINFO")
    _same(_each(tracker, "MULTI"), "MULTI")
    _same(_each(tracker, "FLUSHDB"), "FLUSHDB queued")
    _same(_each(tracker, "EXEC"), "EXEC of FLUSHDB")
    _same(tuple(c.read_reply() for c in tracker), "null invalidation after EXEC")
    for conn in tracker:
        conn.close()


def test_resp2_redirect_to_a_subscriber(both):
    tracker, writer, sub = _pair(both), _pair(both), _pair(both)
    ids = tuple(decode(c.cmd("CLIENT", "ID")) for c in sub)
    _same(_each(sub, "SUBSCRIBE", "__redis__:invalidate"), "SUBSCRIBE")
    for c, i in zip(tracker, ids):
        assert c.cmd("CLIENT", "TRACKING", "on", "REDIRECT", str(i)) == b"+OK\r\n"
    _same(_each(tracker, "MGET", "x", "y"), "MGET")
    _each(writer, "SET", "y", "1")
    _same(tuple(c.read_reply() for c in sub), "message for y")
    _each(writer, "FLUSHALL")
    _same(tuple(c.read_reply() for c in sub), "null message for FLUSHALL")
    # The redirect closes: a RESP2 tracker cannot be told, and its GETREDIR still names it.
    for c in sub:
        c.close()
    time.sleep(0.1)
    _each(tracker, "GET", "z")
    _each(writer, "SET", "z", "1")
    _same(_each(tracker, "PING"), "PING after a broken redirect")
    got = _each(tracker, "CLIENT", "TRACKINGINFO")
    for raw in got:
        assert b"broken_redirect" in raw
    for conn in tracker + writer:
        conn.close()


def test_bcast_prefixes_and_noloop(both):
    tracker, writer = _pair(both), _pair(both)
    _each(tracker, "HELLO", "3")
    _same(_each(tracker, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a:", "PREFIX", "b:",
                "NOLOOP"), "BCAST ON")
    _same(_each(writer, "MSET", "a:1", "x", "c:1", "y"), "MSET")
    _same(tuple(c.read_reply() for c in tracker), "a: message")
    _same(_each(tracker, "SET", "b:mine", "1"), "own SET under NOLOOP")
    _same(_each(tracker, "PING"), "PING: nothing about b:mine")
    _same(_each(tracker, "CLIENT", "TRACKINGINFO"), "TRACKINGINFO in BCAST")
    for conn in tracker + writer:
        conn.close()


@pytest.mark.parametrize("args", [
    ("CLIENT", "TRACKING", "on", "PREFIX", "p"),
    ("CLIENT", "TRACKING", "on", "BCAST", "OPTIN"),
    ("CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"),
    ("CLIENT", "TRACKING", "on", "REDIRECT", "123456"),
    ("CLIENT", "TRACKING", "on", "REDIRECT", "nope"),
    ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab", "PREFIX", "a"),
    ("CLIENT", "TRACKING", "on", "BOGUS"),
    ("CLIENT", "TRACKING", "sideways"),
    ("CLIENT", "CACHING", "yes"),
    ("CLIENT", "GETREDIR"),
    ("CLIENT", "TRACKINGINFO"),
])
def test_tracking_errors_and_introspection_match_redis(both, args):
    both(*args)


def test_caching_modes_and_switch_errors(both):
    both("CLIENT", "TRACKING", "on", "OPTIN")
    both("CLIENT", "CACHING", "no")
    both("CLIENT", "CACHING", "maybe")
    both("CLIENT", "CACHING", "yes")
    both("CLIENT", "TRACKINGINFO")
    both("CLIENT", "TRACKING", "on", "OPTOUT")
    both("CLIENT", "TRACKING", "on", "BCAST")
    both("CLIENT", "TRACKING", "off")
    both("CLIENT", "TRACKINGINFO")
    both("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FOO")
    both("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FO")
    both("CLIENT", "TRACKINGINFO")
    both("RESET")
    both("CLIENT", "TRACKINGINFO")


def test_info_tracking_fields(both):
    tracker = _pair(both)
    _each(tracker, "CLIENT", "TRACKING", "on")
    _each(tracker, "MGET", "k1", "k2", "k3")
    for srv_conn in (both.f, both.r):
        info = decode(srv_conn.cmd("INFO", "stats"))
        info = info.decode() if isinstance(info, bytes) else info
        assert "tracking_total_keys:3" in info
        assert "tracking_total_items:3" in info
        clients = decode(srv_conn.cmd("INFO", "clients"))
        clients = clients.decode() if isinstance(clients, bytes) else clients
        assert "tracking_clients:1" in clients
    for conn in tracker:
        conn.close()


def test_table_limit_invalidates_to_fit(both):
    tracker = _pair(both)
    _each(tracker, "HELLO", "3")
    _each(tracker, "CLIENT", "TRACKING", "on")
    _each(tracker, "MGET", "k1", "k2", "k3")
    _same(_each(tracker, "CONFIG", "SET", "tracking-table-max-keys", "1"), "CONFIG SET")
    try:
        # Redis evicts on the next command; Firn at once. Two invalidations either way.
        for c in tracker:
            c.send(b"*1\r\n$4\r\nPING\r\n")
        for c in tracker:
            raw = c.read_reply() + c.read_reply()
            assert raw.count(b"invalidate") == 2, raw
            assert c.read_reply() == b"+PONG\r\n"
    finally:
        both("CONFIG", "SET", "tracking-table-max-keys", "1000000")
        for conn in tracker:
            conn.close()
