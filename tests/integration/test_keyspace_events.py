"""Keyspace notifications (notify-keyspace-events) against redis-server: the same messages for
string and generic commands, expiry and eviction."""

import time

import pytest

from conftest import encode


def _collect(pubsub, wait_s=0.3):
    out = []
    while True:
        m = pubsub.get_message(timeout=wait_s)
        if m is None:
            return out
        out.append((m["channel"], m["data"]))


def _events(srv, classes, actions):
    r = srv.client()
    r.config_set("notify-keyspace-events", classes)
    try:
        p = r.pubsub(ignore_subscribe_messages=True)
        p.psubscribe("__key*__:*")
        p.get_message(timeout=1)
        actions(r)
        got = _collect(p)
        p.close()
        return got
    finally:
        r.config_set("notify-keyspace-events", "")


def _string_and_generic(r):
    r.set("foo", "bar")
    r.incr("n")
    r.incrbyfloat("f", 1.5)
    r.append("foo", "!")
    r.expire("foo", 100)
    r.persist("foo")
    r.rename("n", "m")
    r.delete("foo", "missing")
    r.set("t", "1", px=40)
    time.sleep(0.15)
    r.get("t")


@pytest.mark.parametrize("classes", ["KEA", "Kg", "E$", "Egx"])
def test_same_events_as_redis(firn, redis_ref, classes):
    assert _events(firn, classes, _string_and_generic) == \
        _events(redis_ref, classes, _string_and_generic)


def test_active_expiry_publishes_expired(firn):
    def act(r):
        r.set("gone", "v", px=30)
        time.sleep(0.6)  # the active cycle (hz 10) removes it without a lookup
    assert _events(firn, "Ex", act) == [(b"__keyevent@0__:expired", b"gone")]


def test_eviction_publishes_evicted(start_server):
    srv = start_server("--maxmemory", "4mb", "--maxmemory-policy", "allkeys-random")

    def act(r):
        for i in range(4000):
            r.set("key:%d" % i, "x" * 1000)

    got = _events(srv, "Ee", act)
    assert got, "no evicted events"
    assert all(ch == b"__keyevent@0__:evicted" for ch, _ in got)


def test_config_get_normalizes(both):
    both("CONFIG", "SET", "notify-keyspace-events", "KEg$lshzxetd")
    both("CONFIG", "GET", "notify-keyspace-events")
    both("CONFIG", "SET", "notify-keyspace-events", "xK")
    both("CONFIG", "GET", "notify-keyspace-events")
    both("CONFIG", "SET", "notify-keyspace-events", "KZ")
    both("CONFIG", "SET", "notify-keyspace-events", "")
    both("CONFIG", "GET", "notify-keyspace-events")


def _new_miss_and_store(r):
    r.set("foo", "bar")
    r.set("foo", "baz")  # exists: no "new"
    r.get("missing")
    r.mget("foo", "nope")
    r.rpush("l", "a")
    r.sadd("s1", "a", "b")
    r.sadd("s2", "b")
    r.sinterstore("dst", "s1", "s2")
    r.sunionstore("dst", "s1", "s2")
    r.zadd("z", {"a": 1})
    r.zunionstore("zdst", ["z"])


@pytest.mark.parametrize("classes", ["KEn", "KEm", "KEA", "KEAnm"])
def test_new_keymiss_and_store_events_as_redis(firn, redis_ref, classes):
    assert _events(firn, classes, _new_miss_and_store) == \
        _events(redis_ref, classes, _new_miss_and_store)


def _two_key_commands(r):
    # SMOVE: "srem" on the source, "del" once it is empty, "sadd" on the destination only when
    # the member was not there; a move within one set publishes nothing.
    r.sadd("s", "a", "b", "c")
    r.sadd("t", "c")
    r.smove("s", "t", "a")
    r.smove("s", "t", "c")
    r.smove("s", "s", "b")
    r.smove("s", "t", "missing")
    r.smove("s", "fresh", "b")
    # LMOVE and RPOPLPUSH: the push on the destination, then the pop on the source and its del.
    r.rpush("l", "1", "2", "3")
    r.lmove("l", "m", "LEFT", "RIGHT")
    r.lmove("l", "m", "RIGHT", "LEFT")
    r.lmove("m", "m", "LEFT", "LEFT")
    r.rpoplpush("l", "m")
    r.rpoplpush("nothing", "m")
    r.blmove("m", "n", 0.1, "RIGHT", "RIGHT")
    r.brpoplpush("m", "n", 0.1)
    r.blmove("n", "n", 0.1, "LEFT", "RIGHT")
    # LMPOP/BLMPOP: lpop or rpop by direction, del when emptied.
    r.rpush("p", "1", "2", "3", "4")
    r.lmpop(2, "none", "p", direction="LEFT")
    r.lmpop(1, "p", direction="RIGHT", count=2)
    r.blmpop(0.1, 1, "p", direction="LEFT", count=5)
    r.blpop(["n"], 0.1)
    r.brpop(["n"], 0.1)
    # ZMPOP/BZMPOP: zpopmin or zpopmax by MIN|MAX.
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
    r.zmpop(1, ["z"], min=True)
    r.zmpop(1, ["z"], max=True, count=1)
    r.bzmpop(0.1, 1, ["z"], min=True, count=10)
    r.zadd("y", {"a": 1, "b": 2})
    r.bzpopmin(["y"], 0.1)
    r.bzpopmax(["y"], 0.1)


@pytest.mark.parametrize("classes", ["KEA", "Kl", "Es", "Ezg", "KEAn"])
def test_two_key_command_events_as_redis(firn, redis_ref, classes):
    assert _events(firn, classes, _two_key_commands) == \
        _events(redis_ref, classes, _two_key_commands)


def _woken(srv):
    """Blocked BLMOVE, BRPOPLPUSH, BLMPOP and BZMPOP clients served by a later push."""
    def act(r):
        waiters = []
        for cmd in (("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"),
                    ("BRPOPLPUSH", "src2", "dst2", "0"),
                    ("BLMPOP", "0", "1", "src3", "RIGHT", "COUNT", "2"),
                    ("BZMPOP", "0", "1", "zsrc", "MAX")):
            w = srv.raw()
            w.send(encode(*cmd))
            waiters.append(w)
        deadline = time.monotonic() + 5
        while int(r.info("clients")["blocked_clients"]) < len(waiters):
            assert time.monotonic() < deadline, "clients did not block"
            time.sleep(0.01)
        r.rpush("src", "a")
        r.rpush("src2", "a", "b")
        r.rpush("src3", "a", "b", "c")
        r.zadd("zsrc", {"m": 1})
        for w in waiters:
            w.read_reply(timeout=5)
            w.close()
    return act


def test_woken_two_key_commands_publish_as_redis(firn, redis_ref):
    assert _events(firn, "KEA", _woken(firn)) == _events(redis_ref, "KEA", _woken(redis_ref))
