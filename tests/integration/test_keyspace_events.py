"""Keyspace notifications (notify-keyspace-events) against redis-server: the same messages for
string and generic commands, expiry and eviction."""

import time

import pytest


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
