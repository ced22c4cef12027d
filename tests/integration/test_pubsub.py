"""Pub/sub with several real connections: raw replies and messages byte for byte against
redis-server (RESP2 and RESP3), redis-py's PubSub, and cleanup when a subscriber goes."""

import time

from conftest import Both


def _messages(both, n):
    """Reads the next n replies pushed to both connections and compares them."""
    out = []
    for _ in range(n):
        fr, rr = both.f.read_reply(), both.r.read_reply()
        assert fr == rr, "firn %r\nredis %r" % (fr, rr)
        out.append(rr)
    return out


def test_publish_reaches_channel_and_pattern_subscribers(both, firn, redis_ref):
    pub = Both(firn, redis_ref)
    psub = Both(firn, redis_ref)
    try:
        both("SUBSCRIBE", "news", "sport")
        _messages(both, 1)  # the second confirmation
        psub("PSUBSCRIBE", "n*")
        assert pub("PUBLISH", "news", "hello") == b":2\r\n"
        _messages(both, 1)
        _messages(psub, 1)
        assert pub("PUBLISH", "nothing-here", "x") == b":1\r\n"
        _messages(psub, 1)
        pub("PUBSUB", "NUMSUB", "news", "sport", "none")
        pub("PUBSUB", "NUMPAT")
        pub("PUBSUB", "CHANNELS", "s*")
        both("UNSUBSCRIBE", "news")
        both("UNSUBSCRIBE", "sport")
        both("UNSUBSCRIBE")
        psub("PUNSUBSCRIBE")
        psub("PUNSUBSCRIBE")
    finally:
        pub.close()
        psub.close()


def test_subscribed_mode_allows_only_its_commands(both):
    both("SUBSCRIBE", "c")
    both("GET", "k")
    both("CONFIG", "GET", "port")
    both("PING")
    both("PING", "there")
    both("PSUBSCRIBE", "p*")
    both("UNSUBSCRIBE", "c")
    both("PUNSUBSCRIBE", "p*")
    both("PING")
    both("GET", "k")


def test_subscribe_twice_and_unsubscribe_unknown(both):
    both("SUBSCRIBE", "a")
    both("SUBSCRIBE", "a")
    both("UNSUBSCRIBE", "never")
    both("UNSUBSCRIBE", "a")
    both("UNSUBSCRIBE")
    both("PUNSUBSCRIBE")
    both("SUNSUBSCRIBE")


def test_shard_channels(both, firn, redis_ref):
    pub = Both(firn, redis_ref)
    try:
        both("SSUBSCRIBE", "s1")
        both("SUBSCRIBE", "s1")
        assert pub("SPUBLISH", "s1", "m") == b":1\r\n"
        _messages(both, 1)
        pub("PUBSUB", "SHARDCHANNELS")
        pub("PUBSUB", "SHARDNUMSUB", "s1", "s2")
        both("SUNSUBSCRIBE", "s1")
        both("UNSUBSCRIBE", "s1")
        pub("MULTI")
        pub("SSUBSCRIBE", "x")
        pub("EXEC")
    finally:
        pub.close()


def test_resp3_push_messages_between_replies(both, firn, redis_ref):
    pub = Both(firn, redis_ref)
    try:
        both.both_do("HELLO", "3")
        both("SUBSCRIBE", "c")
        both("SET", "k", "v")  # RESP3: no subscribed-mode restriction
        pub("PUBLISH", "c", "one")
        _messages(both, 1)
        both("GET", "k")
        both("PING")
        both("PUBLISH", "c", "to-myself")  # the push comes before the reply
        _messages(both, 1)
        both("UNSUBSCRIBE")
    finally:
        pub.close()


def test_reset_leaves_subscribed_mode(both, firn, redis_ref):
    pub = Both(firn, redis_ref)
    try:
        both("SUBSCRIBE", "c")
        both("PSUBSCRIBE", "*")
        both("RESET")
        pub("PUBLISH", "c", "gone")
        pub("PUBSUB", "NUMSUB", "c")
        pub("PUBSUB", "NUMPAT")
        both("GET", "k")
    finally:
        pub.close()


def test_disconnected_subscriber_leaves_nothing(firn):
    sub = firn.raw()
    sub.cmd("SUBSCRIBE", "c")
    sub.cmd("PSUBSCRIBE", "p*")
    sub.cmd("SSUBSCRIBE", "s")
    sub.close()
    r = firn.client()
    deadline = time.time() + 2
    while r.pubsub_numsub("c")[0][1] != 0 and time.time() < deadline:
        time.sleep(0.02)
    assert r.pubsub_numsub("c") == [(b"c", 0)]
    assert r.pubsub_numpat() == 0
    assert r.publish("c", "x") == 0
    assert r.execute_command("PUBSUB", "SHARDCHANNELS") == []


def test_redis_py_pubsub(firn):
    r = firn.client()
    p = r.pubsub()
    p.subscribe("events")
    p.psubscribe("ev*")
    assert p.get_message(timeout=1)["type"] == "subscribe"
    assert p.get_message(timeout=1)["type"] == "psubscribe"
    assert r.publish("events", "payload") == 2
    m1 = p.get_message(timeout=1)
    m2 = p.get_message(timeout=1)
    assert (m1["type"], m1["channel"], m1["data"]) == ("message", b"events", b"payload")
    assert (m2["type"], m2["pattern"], m2["channel"], m2["data"]) == \
        ("pmessage", b"ev*", b"events", b"payload")
    p.ping()
    assert p.get_message(timeout=1)["type"] == "pong"
    p.unsubscribe()
    p.punsubscribe()
    assert p.get_message(timeout=1)["type"] == "unsubscribe"
    assert p.get_message(timeout=1)["type"] == "punsubscribe"
    p.close()


def test_many_messages_are_flushed_to_a_subscriber(firn):
    """Messages written to a subscriber outside its own commands all reach it."""
    r = firn.client()
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe("bulk")
    p.get_message(timeout=1)
    for i in range(500):
        r.publish("bulk", "m%d" % i)
    got = []
    deadline = time.time() + 5
    while len(got) < 500 and time.time() < deadline:
        m = p.get_message(timeout=0.5)
        if m is not None:
            got.append(m["data"])
    assert got == [b"m%d" % i for i in range(500)]
    p.close()


def test_pubsub_help_and_errors(both):
    both("PUBSUB", "HELP")
    both("PUBSUB", "NOPE")
    both("PUBSUB", "NUMPAT", "extra")
    both("PUBLISH", "only-channel")
    both("SUBSCRIBE")
