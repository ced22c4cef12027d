"""maxmemory-clients (Redis 7.0's client eviction), on Firn and redis-server alike: the setting's
values and errors, the biggest clients closed first until the rest fit, CLIENT NO-EVICT
clients kept, INFO stats evicted_clients counting them."""

import time

import pytest

from conftest import decode, encode, parse_info, wait_until

KB = 1024


def test_config_values_and_errors_match_redis(both):
    both.run(
        ("CONFIG", "GET", "maxmemory-clients"),
        ("CONFIG", "SET", "maxmemory-clients", "10%"),
        ("CONFIG", "GET", "maxmemory-clients"),
        ("CONFIG", "SET", "maxmemory-clients", "1k"),
        ("CONFIG", "GET", "maxmemory-clients"),
        ("CONFIG", "SET", "maxmemory-clients", "2mb"),
        ("CONFIG", "GET", "maxmemory-clients"),
        ("CONFIG", "SET", "maxmemory-clients", "100%"),
        ("CONFIG", "SET", "maxmemory-clients", "101%"),
        ("CONFIG", "SET", "maxmemory-clients", "abc"),
        ("CONFIG", "SET", "maxmemory-clients", "-1"),
        ("CONFIG", "SET", "maxmemory-clients", "x%"),
        ("CONFIG", "GET", "maxmemory-clients"),
        ("CONFIG", "SET", "maxmemory-clients", "0"),
        ("CONFIG", "GET", "maxmemory-clients"),
    )


def _ids(admin):
    text = decode(admin.cmd("CLIENT", "LIST"))
    text = text.decode() if isinstance(text, bytes) else text
    return {int(f.split("=", 1)[1]) for line in text.splitlines()
            for f in line.split(" ") if f.startswith("id=")}


def _evicted(admin):
    return int(parse_info(decode(admin.cmd("INFO", "stats")))[None]["evicted_clients"])


def _half_sent_bulk(srv, size):
    """A client that declared a bulk of size bytes and sent all but the last KB of it: the
    server holds a query buffer of at least that size for it, until the rest arrives."""
    c = srv.raw()
    cid = decode(c.cmd("CLIENT", "ID"))
    c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n" % size + b"x" * (size - KB))
    return c, cid


@pytest.mark.parametrize("kind", ["firn", "redis"])
def test_the_biggest_clients_are_evicted_first_until_the_rest_fit(start_server, kind):
    srv = start_server(kind=kind, name="client-eviction-" + kind)
    admin = srv.raw()
    assert admin.cmd("CLIENT", "NO-EVICT", "on") == b"+OK\r\n"
    small, small_id = _half_sent_bulk(srv, 300 * KB)
    mid, mid_id = _half_sent_bulk(srv, 600 * KB)
    big, big_id = _half_sent_bulk(srv, 1200 * KB)
    time.sleep(0.3)
    assert {small_id, mid_id, big_id} <= _ids(admin)
    assert _evicted(admin) == 0
    # 2.1 MB held in all; closing the biggest (1.2 MB) brings the rest under 2 MB.
    assert admin.cmd("CONFIG", "SET", "maxmemory-clients", "2mb") == b"+OK\r\n"
    assert wait_until(lambda: big_id not in _ids(admin)), "the biggest client was not evicted"
    time.sleep(0.3)
    ids = _ids(admin)
    assert small_id in ids and mid_id in ids
    assert _evicted(admin) == 1
    assert big.is_closed()
    # Lowering the limit again closes the next biggest only.
    assert admin.cmd("CONFIG", "SET", "maxmemory-clients", "700kb") == b"+OK\r\n"
    assert wait_until(lambda: mid_id not in _ids(admin))
    assert small_id in _ids(admin)
    assert _evicted(admin) == 2
    assert admin.cmd("CONFIG", "RESETSTAT") == b"+OK\r\n"
    assert _evicted(admin) == 0
    assert admin.cmd("PING") == b"+PONG\r\n"
    for c in (small, mid, big):
        c.close()


@pytest.mark.parametrize("kind", ["firn", "redis"])
def test_no_evict_clients_are_kept_and_off_means_no_eviction(start_server, kind):
    srv = start_server(kind=kind, name="client-no-evict-" + kind)
    admin = srv.raw()
    assert admin.cmd("CLIENT", "NO-EVICT", "on") == b"+OK\r\n"
    keeper = srv.raw()
    assert keeper.cmd("CLIENT", "NO-EVICT", "on") == b"+OK\r\n"
    keeper_id = decode(keeper.cmd("CLIENT", "ID"))
    keeper.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n" % (1500 * KB) + b"x" * (1500 * KB - KB))
    other, other_id = _half_sent_bulk(srv, 400 * KB)
    time.sleep(0.3)
    # maxmemory-clients 0 (the default): nothing is evicted however much the clients hold.
    assert _evicted(admin) == 0
    # Over 1 MB: the no-evict client is the biggest but stays; the other one goes.
    assert admin.cmd("CONFIG", "SET", "maxmemory-clients", "1mb") == b"+OK\r\n"
    assert wait_until(lambda: other_id not in _ids(admin))
    time.sleep(0.3)
    assert keeper_id in _ids(admin)
    assert _evicted(admin) == 1
    # The keeper finishes its command normally.
    keeper.send(b"x" * KB + b"\r\n")
    assert keeper.read_reply(timeout=10) == b"+OK\r\n"
    assert admin.cmd("STRLEN", "k") == b":%d\r\n" % (1500 * KB)
    for x in (keeper, other):
        x.close()


@pytest.mark.parametrize("kind", ["firn", "redis"])
def test_a_percentage_of_maxmemory(start_server, kind):
    srv = start_server(kind=kind, name="client-eviction-pct-" + kind)
    admin = srv.raw()
    assert admin.cmd("CLIENT", "NO-EVICT", "on") == b"+OK\r\n"
    # 10% of 100 MB = 10 MB: one client holding 7 MB fits; a second one of 4 MB does not,
    # and the bigger (the first) goes.
    assert admin.cmd("CONFIG", "SET", "maxmemory", "100mb") == b"+OK\r\n"
    assert admin.cmd("CONFIG", "SET", "maxmemory-clients", "10%") == b"+OK\r\n"
    c, cid = _half_sent_bulk(srv, 7 * 1024 * KB)
    time.sleep(0.5)
    assert cid in _ids(admin)
    c2, cid2 = _half_sent_bulk(srv, 4 * 1024 * KB)
    assert wait_until(lambda: cid not in _ids(admin))
    assert cid2 in _ids(admin)
    assert _evicted(admin) == 1
    for x in (c, c2):
        x.close()
