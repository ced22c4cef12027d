"""lazyfree-lazy-expire, -eviction and -server-del: a 1M-member set that expires, is evicted
or is overwritten is freed on the background thread when the setting is on, so another
client's PING does not wait for it; INFO's lazyfree counters say what went where."""

import threading
import time

from conftest import decode, encode, parse_info, wait_until

SETTINGS = ("lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del",
            "lazyfree-lazy-user-del", "lazyfree-lazy-user-flush")
MEMBERS = 1_000_000
# Freeing a million members at once takes the loop tens of milliseconds (about 90 ms on this
# machine); handed to the freer it is one queue push. The bound is loose for a loaded machine.
PING_BOUND_S = 0.045


def test_settings_as_redis(both):
    for name in SETTINGS:
        both.run(("CONFIG", "GET", name), ("CONFIG", "SET", name, "yes"), ("CONFIG", "GET", name),
                 ("CONFIG", "SET", name, "maybe"), ("CONFIG", "SET", name, "no"),
                 ("CONFIG", "GET", name))


def _info(conn, section="memory"):
    return parse_info(decode(conn.cmd("INFO", section)))[None]


def _load_big(conn, key=b"big"):
    for start in range(0, MEMBERS, 10_000):
        batch = []
        for s in range(start, start + 10_000, 1000):
            batch.append(encode(b"SADD", key, *[b"member:%d" % i for i in range(s, s + 1000)]))
        conn.send(b"".join(batch))
        for _ in batch:
            assert decode(conn.read_reply()) == 1000
    assert decode(conn.cmd("SCARD", key)) == MEMBERS


def _worst_ping_while(srv, action, done):
    """The longest PING round trip another client sees from action() until done() holds."""
    stop = threading.Event()
    rtts = []

    def pinger():
        p = srv.raw()
        try:
            while not stop.is_set():
                t0 = time.perf_counter()
                p.cmd("PING")
                rtts.append(time.perf_counter() - t0)
        finally:
            p.close()

    th = threading.Thread(target=pinger, daemon=True)
    th.start()
    time.sleep(0.1)
    action()
    deadline = time.monotonic() + 10
    while not done() and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(0.1)
    stop.set()
    th.join(10)
    assert done()
    return max(rtts)


def _check(srv, setup, action, done, lazy):
    """Loads the set, runs action; returns (worst PING, lazyfreed_objects gained). Best of
    three trials, so one scheduling hiccup of a shared machine does not decide."""
    best = None
    c = srv.raw(timeout=30)
    try:
        for _ in range(3):
            c.cmd("FLUSHALL")
            setup(c)
            _load_big(c)
            before = int(_info(c)["lazyfreed_objects"])
            worst = _worst_ping_while(srv, lambda: action(c), lambda: done(c))
            deadline = time.monotonic() + 10
            while int(_info(c)["lazyfree_pending_objects"]) and time.monotonic() < deadline:
                time.sleep(0.01)
            gained = int(_info(c)["lazyfreed_objects"]) - before
            assert gained == (1 if lazy else 0)
            best = worst if best is None else min(best, worst)
            if not lazy or best < PING_BOUND_S:
                break
    finally:
        c.close()
    return best


def _gone(c):
    return decode(c.cmd("EXISTS", "big")) == 0


def test_expired_big_set_freed_in_background(start_server):
    srv = start_server("--lazyfree-lazy-expire", "yes")
    worst = _check(srv, lambda c: None, lambda c: c.cmd("PEXPIRE", "big", "20"), _gone, True)
    assert worst < PING_BOUND_S


def test_evicted_big_set_freed_in_background(start_server):
    srv = start_server("--lazyfree-lazy-eviction", "yes", "--maxmemory-policy", "allkeys-lru")

    def setup(c):
        c.cmd("CONFIG", "SET", "maxmemory", "0")
        c.cmd("SET", "keep", "x")

    def evict(c):
        c.cmd("GET", "keep")  # used last: the big set, idle since its load, goes first
        used = int(_info(c)["used_memory"])
        # Room for everything but the big set: it alone is evicted, and the bytes queued for
        # the freer count as gone, so nothing else is evicted while the freer works.
        c.cmd("CONFIG", "SET", "maxmemory", str(used // 4))

    worst = _check(srv, setup, evict, _gone, True)
    c = srv.raw()
    assert decode(c.cmd("GET", "keep")) == b"x"
    assert int(_info(c, "stats")["evicted_keys"]) == 1
    c.close()
    assert worst < PING_BOUND_S


def test_overwritten_big_set_freed_in_background(start_server):
    srv = start_server("--lazyfree-lazy-server-del", "yes")

    def overwritten(c):
        return decode(c.cmd("TYPE", "big")) == "string"

    worst = _check(srv, lambda c: None, lambda c: c.cmd("SET", "big", "v"), overwritten, True)
    assert worst < PING_BOUND_S


def test_rename_over_big_set_follows_server_del(start_server):
    srv = start_server("--lazyfree-lazy-server-del", "yes")
    worst = _check(srv, lambda c: c.cmd("SET", "small", "v"),
                   lambda c: c.cmd("RENAME", "small", "big"),
                   lambda c: decode(c.cmd("TYPE", "big")) == "string", True)
    assert worst < PING_BOUND_S


def test_settings_off_free_at_once(start_server):
    srv = start_server()
    _check(srv, lambda c: None, lambda c: c.cmd("SET", "big", "v"),
           lambda c: decode(c.cmd("TYPE", "big")) == "string", False)
    _check(srv, lambda c: None, lambda c: c.cmd("PEXPIRE", "big", "20"), _gone, False)


def test_expire_in_the_past_follows_lazy_expire(start_server):
    srv = start_server("--lazyfree-lazy-expire", "yes")
    worst = _check(srv, lambda c: None, lambda c: c.cmd("EXPIRE", "big", "-1"), _gone, True)
    assert worst < PING_BOUND_S


def test_unlink_of_one_huge_command_gives_memory_back(start_server):
    """One SADD of 100,000 members, then UNLINK: used_memory falls back near where it was,
    the command's argument list included (Redis frees a client's argv after each command)."""
    srv = start_server()
    c = srv.raw(timeout=30)
    try:
        orig = int(_info(c)["used_memory"])
        reply = c.cmd(b"SADD", b"myset", *[b"%d" % i for i in range(100_000)])
        assert decode(reply) == 100_000
        peak = int(_info(c)["used_memory"])
        assert peak > orig + 1_000_000
        assert decode(c.cmd("UNLINK", "myset")) == 1
        assert wait_until(lambda: int(_info(c)["used_memory"]) < min(peak, 2 * orig)), \
            "used_memory %s, start %d" % (_info(c)["used_memory"], orig)
        # A second huge command on the same connection is parsed as the first was.
        assert decode(c.cmd(b"SADD", b"again", *[b"m%d" % i for i in range(5000)])) == 5000
        assert decode(c.cmd("SCARD", "again")) == 5000
    finally:
        c.close()


def _lazyfreed_after(c, build):
    """lazyfreed_objects, counted from a CONFIG RESETSTAT, after build(c) and an UNLINK."""
    c.cmd("FLUSHALL")
    assert wait_until(lambda: int(_info(c)["lazyfree_pending_objects"]) == 0)
    assert decode(c.cmd("CONFIG", "RESETSTAT")) == "OK"
    assert int(_info(c)["lazyfreed_objects"]) == 0
    build(c)
    assert decode(c.cmd("UNLINK", "s")) == 1
    assert wait_until(lambda: int(_info(c)["lazyfree_pending_objects"]) == 0)
    return int(_info(c)["lazyfreed_objects"])


def _big_stream_with_groups(c):
    c.cmd("CONFIG", "SET", "stream-node-max-entries", "5")
    for j in range(1000):
        c.cmd("XADD", "s", "*", "foo" if j % 10 else "bar", str(j))
    c.cmd("XGROUP", "CREATE", "s", "g", "0")
    records = decode(c.cmd("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s",
                           ">"))
    entries = records[0][1]
    c.cmd("XDEL", "s", entries[1][0])
    c.cmd("XACK", "s", "g", entries[0][0])


def _small_stream_group_gone(c):
    c.cmd("XADD", "s", "*", "a", "b")
    c.cmd("XGROUP", "CREATE", "s", "g", "$")
    c.cmd("XGROUP", "DESTROY", "s", "g")


def _big_set(c):
    c.cmd(b"SADD", b"s", *[b"%d" % i for i in range(1000)])


def _small_set(c):
    c.cmd(b"SADD", b"s", *[b"%d" % i for i in range(10)])


def test_which_values_unlink_frees_in_background_as_redis(start_server):
    """UNLINK frees a value in the background when freeing it is more than 64 allocations'
    work: a stream of 200 nodes with a consumer group goes there, a one-entry stream whose
    group is gone and a 10-member set do not; CONFIG RESETSTAT zeroes the count. Counted on
    Firn and on redis-server for the same values."""
    firn, redis = start_server(), start_server(kind="redis")
    fc, rc = firn.raw(timeout=30), redis.raw(timeout=30)
    try:
        for build in (_big_stream_with_groups, _small_stream_group_gone, _big_set, _small_set):
            got, want = _lazyfreed_after(fc, build), _lazyfreed_after(rc, build)
            assert (build.__name__, got) == (build.__name__, want)
        assert _lazyfreed_after(fc, _big_stream_with_groups) == 1
        assert _lazyfreed_after(fc, _small_stream_group_gone) == 0
    finally:
        fc.close()
        rc.close()
