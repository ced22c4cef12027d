"""XREAD BLOCK and XREADGROUP BLOCK against redis-server 7.0: readers on their own
connections, woken by XADD from another client, by EXEC, in the order they blocked; a
destroyed group wakes its readers with NOGROUP; timeouts answer nil."""

import time

import pytest

from conftest import decode, encode


def _wait_blocked(conn, n, timeout=3.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        info = decode(conn.cmd("INFO", "clients")).decode()
        for line in info.splitlines():
            if line.startswith("blocked_clients:") and int(line.split(":")[1]) >= n:
                return
        time.sleep(0.01)
    raise AssertionError("clients did not block")


def _on_both(firn, redis_ref, scenario):
    out = []
    for srv in (firn, redis_ref):
        out.append(scenario(srv))
    assert out[0] == out[1]
    return out[0]


def test_xread_block_woken_by_xadd_from_another_client(firn, redis_ref):
    def scenario(srv):
        r, w = srv.raw(), srv.raw()
        w.cmd("XADD", "s", "1-0", "a", "1")
        r.send(encode("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
        _wait_blocked(w, 1)
        w.cmd("XADD", "s", "2-0", "b", "2")
        got = r.read_reply()
        r.close(), w.close()
        return got

    assert decode(_on_both(firn, redis_ref, scenario)) == [[b"s", [[b"2-0", [b"b", b"2"]]]]]


def test_blocked_readers_woken_in_order_and_by_exec(firn, redis_ref):
    def scenario(srv):
        w = srv.raw()
        w.cmd("XGROUP", "CREATE", "q", "g", "$", "MKSTREAM")
        readers = []
        for i, name in enumerate(("c1", "c2", "c3")):
            c = srv.raw()
            c.send(encode("XREADGROUP", "GROUP", "g", name, "COUNT", "1", "BLOCK", "0",
                          "STREAMS", "q", ">"))
            _wait_blocked(w, i + 1)
            readers.append(c)
        w.cmd("MULTI")
        w.cmd("XADD", "q", "1-0", "n", "1")
        w.cmd("XADD", "q", "2-0", "n", "2")
        w.cmd("EXEC")
        first, second = readers[0].read_reply(), readers[1].read_reply()
        third_pending = readers[2].pending(0.3)
        w.cmd("XADD", "q", "3-0", "n", "3")
        third = readers[2].read_reply()
        pel = w.cmd("XPENDING", "q", "g")
        for c in readers + [w]:
            c.close()
        return first, second, third_pending, third, pel

    first, second, third_pending, third, pel = _on_both(firn, redis_ref, scenario)
    assert decode(first)[0][1][0][0] == b"1-0"
    assert decode(second)[0][1][0][0] == b"2-0"
    assert third_pending == b""
    assert decode(third)[0][1][0][0] == b"3-0"


def test_destroyed_group_wakes_reader_with_nogroup(firn, redis_ref):
    def scenario(srv):
        r, w = srv.raw(), srv.raw()
        w.cmd("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
        r.send(encode("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"))
        _wait_blocked(w, 1)
        w.cmd("XGROUP", "DESTROY", "s", "g")
        got = r.read_reply()
        r.close(), w.close()
        return got.split(b" ")[0]

    assert _on_both(firn, redis_ref, scenario) == b"-NOGROUP"


def test_block_timeout_and_bad_timeouts(both):
    both("XADD", "s", "1-0", "a", "1")
    both("XREAD", "BLOCK", "50", "STREAMS", "s", "$")
    both("XREADGROUP", "GROUP", "g", "c", "BLOCK", "-1", "STREAMS", "s", ">")
    both("XREAD", "BLOCK", "-1", "STREAMS", "s", "$")
    both("XREAD", "BLOCK", "1.5", "STREAMS", "s", "$")
    both("MULTI")
    both("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    both("EXEC")


def test_xread_readers_woken_in_order_by_xadd_from_another_client(firn, redis_ref):
    def scenario(srv):
        w = srv.raw()
        w.cmd("XADD", "s", "1-0", "a", "1")
        readers = []
        for i in range(3):
            c = srv.raw()
            c.send(encode("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
            _wait_blocked(w, i + 1)
            readers.append(c)
        w.cmd("XADD", "s", "2-0", "b", "2")
        got = [c.read_reply() for c in readers]
        left = decode(w.cmd("INFO", "clients"))
        for c in readers + [w]:
            c.close()
        return got, b"blocked_clients:0" in left

    got, none_left = _on_both(firn, redis_ref, scenario)
    assert none_left
    assert [decode(g) for g in got] == [[[b"s", [[b"2-0", [b"b", b"2"]]]]]] * 3


def test_xreadgroup_readers_woken_one_per_xadd_in_block_order(firn, redis_ref):
    def scenario(srv):
        w = srv.raw()
        w.cmd("XGROUP", "CREATE", "q", "g", "$", "MKSTREAM")
        readers = []
        for i, name in enumerate(("c1", "c2")):
            c = srv.raw()
            c.send(encode("XREADGROUP", "GROUP", "g", name, "BLOCK", "0", "STREAMS", "q", ">"))
            _wait_blocked(w, i + 1)
            readers.append(c)
        w.cmd("XADD", "q", "1-0", "n", "1")
        first = readers[0].read_reply()
        second_pending = readers[1].pending(0.2)
        w.cmd("XADD", "q", "2-0", "n", "2")
        second = readers[1].read_reply()
        pel = [row[:2] for row in decode(w.cmd("XPENDING", "q", "g", "-", "+", "10"))]
        for c in readers + [w]:
            c.close()
        return first, second_pending, second, pel

    first, second_pending, second, pel = _on_both(firn, redis_ref, scenario)
    assert decode(first) == [[b"q", [[b"1-0", [b"n", b"1"]]]]]
    assert second_pending == b""
    assert decode(second) == [[b"q", [[b"2-0", [b"n", b"2"]]]]]
    assert pel == [[b"1-0", b"c1"], [b"2-0", b"c2"]]


def test_dollar_is_the_last_id_when_blocking(firn, redis_ref):
    def scenario(srv):
        r, w = srv.raw(), srv.raw()
        w.cmd("XADD", "s", "5-0", "a", "1")
        # Two streams, one missing: '$' of a missing key is 0-0.
        r.send(encode("XREAD", "BLOCK", "0", "STREAMS", "s", "t", "$", "$"))
        _wait_blocked(w, 1)
        # A wake-up that serves nothing leaves the reader waiting with the same IDs.
        w.cmd("XGROUP", "CREATE", "s", "g", "$")
        w.cmd("XGROUP", "DESTROY", "s", "g")
        early = r.pending(0.2)
        w.cmd("XADD", "t", "1-0", "b", "2")
        got = r.read_reply()
        r.close(), w.close()
        return early, got

    early, got = _on_both(firn, redis_ref, scenario)
    assert early == b""
    assert decode(got) == [[b"t", [[b"1-0", [b"b", b"2"]]]]]


def test_block_timeout_reply_resp2_and_resp3(firn, redis_ref):
    def scenario(srv, proto):
        c = srv.raw()
        if proto == 3:
            c.cmd("HELLO", "3")
        c.cmd("XADD", "s", "1-0", "a", "1")
        c.cmd("XGROUP", "CREATE", "s", "g", "$")
        start = time.time()
        a = c.cmd("XREAD", "BLOCK", "100", "STREAMS", "s", "$")
        b = c.cmd("XREADGROUP", "GROUP", "g", "c", "BLOCK", "100", "STREAMS", "s", ">")
        waited = time.time() - start
        c.cmd("DEL", "s")
        c.close()
        return a, b, waited >= 0.18

    for proto, null in ((2, b"*-1\r\n"), (3, b"_\r\n")):
        out = [scenario(srv, proto) for srv in (firn, redis_ref)]
        assert out[0] == out[1] == (null, null, True)


def test_xreadgroup_block_with_history_id_answers_at_once(both):
    both("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    both("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", "0")
    both("XADD", "s", "1-0", "a", "1")
    both("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
    both("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", "0")


def test_block_inside_multi_answers_at_once(both):
    both("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    both("MULTI")
    both("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    both("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
    both("XREAD", "BLOCK", "0", "STREAMS", "missing", "0")
    both("EXEC")
    # A script may not name BLOCK at all, whether or not the read could be served.
    both("EVAL", "return redis.call('XREAD', 'BLOCK', '0', 'STREAMS', KEYS[1], '$')", "1", "s")
    both("EVAL", "return redis.call('xreadgroup', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', "
         "KEYS[1], '0')", "1", "s")
    both("EVAL", "return redis.call('XREAD', 'STREAMS', KEYS[1], '$')", "1", "s")
    both("XREAD", "BLOCK", "abc", "STREAMS", "s", "$")


@pytest.mark.parametrize("how", ["DEL", "SET", "MULTI", "FLUSHALL"])
def test_xreadgroup_unblocked_when_stream_goes_xread_waits_on(firn, redis_ref, how):
    def scenario(srv):
        w, rg, rx = srv.raw(), srv.raw(), srv.raw()
        w.cmd("XADD", "s", "666-0", "f", "v")
        w.cmd("XGROUP", "CREATE", "s", "g", "$")
        rg.send(encode("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"))
        _wait_blocked(w, 1)
        rx.send(encode("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
        _wait_blocked(w, 2)
        if how == "DEL":
            w.cmd("DEL", "s")
        elif how == "SET":
            w.cmd("SET", "s", "x")
        elif how == "MULTI":
            w.cmd("MULTI"), w.cmd("DEL", "s"), w.cmd("SADD", "s", "e"), w.cmd("EXEC")
        else:
            w.cmd("FLUSHALL")
        got = rg.read_reply()
        early = rx.pending(0.2)
        w.cmd("DEL", "s")
        w.cmd("XADD", "s", "667-0", "f", "v")
        later = rx.read_reply()
        for c in (w, rg, rx):
            c.close()
        return got, early, later

    got, early, later = _on_both(firn, redis_ref, scenario)
    assert got == b"-UNBLOCKED the stream key no longer exists\r\n"
    assert early == b""
    assert decode(later) == [[b"s", [[b"667-0", [b"f", b"v"]]]]]


def _cmdstat(conn, name):
    """(calls, failed_calls) of INFO commandstats' row for name."""
    info = decode(conn.cmd("INFO", "commandstats")).decode()
    for line in info.splitlines():
        if line.startswith("cmdstat_%s:" % name):
            fields = dict(kv.split("=") for kv in line.split(":", 1)[1].split(","))
            return int(fields["calls"]), int(fields["failed_calls"])
    return 0, 0


def test_blocked_reads_are_counted_once_in_commandstats(firn, redis_ref):
    """A call that blocks is counted when it ends: served, woken by XGROUP DESTROY with
    NOGROUP (failed), or timed out."""
    def scenario(srv):
        w = srv.raw()
        w.cmd("CONFIG", "RESETSTAT")
        w.cmd("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
        r = srv.raw()
        r.send(encode("XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", "s", ">"))
        _wait_blocked(w, 1)
        w.cmd("XADD", "s", "1-0", "f", "v")
        served = decode(r.read_reply())
        after_served = _cmdstat(w, "xreadgroup")
        r.send(encode("XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", "s", ">"))
        _wait_blocked(w, 1)
        w.cmd("XGROUP", "DESTROY", "s", "g")
        nogroup = r.read_reply()[:8]
        after_destroy = _cmdstat(w, "xreadgroup")
        r.cmd("XREAD", "BLOCK", "10", "STREAMS", "s", "$")
        r.cmd("BLPOP", "nolist", "0.01")
        counts = (after_served, after_destroy, _cmdstat(w, "xread"), _cmdstat(w, "blpop"))
        r.close(), w.close()
        return served, nogroup, counts

    served, nogroup, counts = _on_both(firn, redis_ref, scenario)
    assert nogroup == b"-NOGROUP"
    assert counts == ((1, 0), (2, 1), (1, 0), (1, 0))
