"""Expiry: lazy (on access) and active (without access), and the counters Redis keeps for it."""

import time

from conftest import decode, parse_info


def info_stat(conn, field, section="stats"):
    return int(parse_info(decode(conn.cmd("INFO", section)))[None][field])


def test_key_with_px_disappears(both):
    both.run(
        ("SET", "k", "v", "PX", "100"),
        ("SET", "keep", "v"),
        ("GET", "k"),
        ("EXISTS", "k"),
    )
    time.sleep(0.3)
    both.run(
        ("GET", "k"),
        ("EXISTS", "k"),
        ("TTL", "k"),
        ("PTTL", "k"),
        ("STRLEN", "k"),
        ("TYPE", "k"),
        ("GET", "keep"),
        ("DBSIZE",),
    )


def test_expired_key_is_gone_for_every_command(both):
    setup = [
        ("SET", "a", "10", "PX", "100"),
        ("SET", "b", "x", "PX", "100"),
        ("SET", "c", "x", "PX", "100"),
        ("SET", "d", "x", "PX", "100"),
        ("SET", "e", "x", "PX", "100"),
        ("SET", "f", "x", "PX", "100"),
        ("SET", "g", "x", "PX", "100"),
    ]
    both.run(*setup)
    time.sleep(0.3)
    both.run(
        ("INCR", "a"),
        ("TTL", "a"),
        ("APPEND", "b", "y"),
        ("GET", "b"),
        ("SETNX", "c", "new"),
        ("GET", "c"),
        ("RENAME", "d", "d2"),
        ("MGET", "e", "f"),
        ("SET", "g", "z", "XX"),
        ("GETRANGE", "g", "0", "-1"),
        ("COPY", "f", "f2"),
        ("MOVE", "e", "1"),
        ("EXPIRE", "f", "100"),
        ("PERSIST", "f"),
    )


def test_set_ex_then_get_before_deadline(both):
    both.run(
        ("SET", "k", "v", "PX", "3000"),
        ("SETEX", "s", "3", "v"),
        ("PSETEX", "p", "3000", "v"),
    )
    time.sleep(0.1)
    both.run(("MGET", "k", "s", "p"), ("EXISTS", "k", "s", "p"))


def test_expired_keys_counter_and_lazy_expiry(firn):
    c = firn.raw()
    before = info_stat(c, "expired_keys")
    assert c.cmd("SET", "k", "v", "PX", "100") == b"+OK\r\n"
    time.sleep(0.3)
    assert c.cmd("GET", "k") == b"$-1\r\n"
    assert c.cmd("EXISTS", "k") == b":0\r\n"
    assert info_stat(c, "expired_keys") == before + 1


def test_expire_in_past_is_not_counted_as_expired(both):
    # Redis counts a key deleted by EXPIRE with a past time as a deletion, not an expiry.
    for conn in (both.f, both.r):
        before = info_stat(conn, "expired_keys")
        conn.cmd("SET", "k", "v")
        conn.cmd("EXPIRE", "k", "-1")
        conn.cmd("GET", "k")
        conn.delta = info_stat(conn, "expired_keys") - before
    assert both.f.delta == both.r.delta


def test_active_expiry_reclaims_without_access(firn):
    c = firn.raw()
    before = info_stat(c, "expired_keys")
    keys = ["exp:%d" % i for i in range(1000)]
    c.pipeline([("SET", k, "v", "PX", "100") for k in keys])
    c.cmd("SET", "survivor", "v")
    assert decode(c.cmd("DBSIZE")) == 1001
    deadline = time.monotonic() + 3.0
    size = None
    while time.monotonic() < deadline:
        time.sleep(0.1)
        size = decode(c.cmd("DBSIZE"))
        if size == 1:
            break
    assert size == 1, "active expiry left %d of 1000 expired keys after 3 s" % (size - 1)
    assert info_stat(c, "expired_keys") == before + 1000
    assert c.cmd("GET", "survivor") == b"$1\r\nv\r\n"
    ks = parse_info(decode(c.cmd("INFO", "keyspace")))["keyspace"]
    assert ks.get("db0", "").startswith("keys=1,expires=0,"), ks


def test_keyspace_info_counts_expires(both):
    both.run(
        ("MSET", "a", "1", "b", "2", "c", "3"),
        ("EXPIRE", "a", "100"),
        ("PEXPIRE", "b", "100000"),
        ("SELECT", "4"),
        ("SET", "x", "1", "EX", "100"),
    )

    def keyspace(info):
        ks = parse_info(info)["keyspace"]
        return {db: ",".join(p for p in v.split(",") if not p.startswith("avg_ttl="))
                for db, v in ks.items()}

    both.norm("INFO", "keyspace", normalize=keyspace)


def test_overwrite_clears_ttl_and_persist_stops_expiry(both):
    both.run(
        ("SET", "a", "v", "PX", "100"),
        ("SET", "a", "w"),
        ("SET", "b", "v", "PX", "100"),
        ("PERSIST", "b"),
        ("SET", "c", "v", "PX", "100"),
        ("GETEX", "c", "PERSIST"),
        ("SET", "d", "v", "PX", "100"),
        ("SET", "d", "w", "KEEPTTL"),
    )
    time.sleep(0.3)
    both.run(("MGET", "a", "b", "c", "d"), ("TTL", "a"), ("TTL", "b"), ("EXISTS", "d"))


def test_rename_carries_deadline(both):
    both.run(
        ("SET", "a", "v", "PX", "150"),
        ("RENAME", "a", "b"),
        ("SET", "c", "v", "PX", "150"),
        ("COPY", "c", "d"),
    )
    time.sleep(0.35)
    both.run(("EXISTS", "a", "b", "c", "d"),)


def test_absolute_expiry_never_reads_longer_than_it_was_set(both):
    # Redis's suite, "GETEX PXAT option": an expiry 10 s after the client's clock reads back as
    # at most 10000 ms, since the server's clock is not behind the client's. Firn's clock, cached
    # per libuv tick (4 ms coarse), lagged and answered 10001 or more about half of the time.
    for conn in (both.f, both.r):
        over = []
        for i in range(300):
            at_ms = int(time.time() * 1000) + 10000
            if i % 3 == 0:
                conn.cmd("SET", "k", "v")
                conn.cmd("GETEX", "k", "PXAT", at_ms)
            elif i % 3 == 1:
                conn.cmd("SET", "k", "v", "PXAT", at_ms)
            else:
                conn.cmd("SET", "k", "v")
                conn.cmd("PEXPIREAT", "k", at_ms)
            pttl = decode(conn.cmd("PTTL", "k"))
            if not 0 < pttl <= 10000:
                over.append(pttl)
        assert over == [], "PTTL after an expiry 10000 ms ahead of the client's clock: %r" % over[:10]


def test_a_command_after_an_idle_wait_reads_the_clock_anew(start_server):
    # The loop's clock is read once per iteration; a cron tick runs before the loop waits for
    # I/O, so a clock marked stale any earlier than just before the wait would serve the
    # tick's reading to a command that arrives 100 ms later (Redis's "PEXPIRE can set
    # sub-second expires" caught that). The idle wait is longer than busy polling's.
    srv = start_server()
    c = srv.raw()
    for _ in range(10):
        assert c.cmd("SET", "x", "v") == b"+OK\r\n"
        assert c.cmd("PEXPIRE", "x", "100") == b":1\r\n"
        assert c.cmd("GET", "x") == b"$1\r\nv\r\n"
        time.sleep(0.101)
        assert c.cmd("GET", "x") == b"$-1\r\n"
