"""HyperLogLog (PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST): replies compared byte for byte
with redis-server, and the sketches themselves too: the same PFADDs must leave the same bytes
(GET) on both servers, sparse, dense and in between."""

import pytest


def _elements(rng, n, prefix="e"):
    return ["%s%d" % (prefix, rng.randrange(10 ** 9)) for _ in range(n)]


def _add_in_batches(both, key, elements, batch=50):
    for i in range(0, len(elements), batch):
        both("PFADD", key, *elements[i:i + batch])


@pytest.mark.parametrize("n", [0, 1, 3, 20, 150, 600, 1200, 3000, 20000])
def test_sketch_bytes_match_redis(both, rng, n):
    els = _elements(rng, n)
    both("PFADD", "h")
    _add_in_batches(both, "h", els)
    both("GET", "h")
    both("PFCOUNT", "h")
    both("GET", "h")  # the cached count, now stored
    both("PFDEBUG", "ENCODING", "h")
    _add_in_batches(both, "h", els[: n // 2])  # nothing new
    both("GET", "h")


@pytest.mark.parametrize("max_bytes", ["0", "30", "200", "10000"])
def test_sparse_max_bytes_moves_the_promotion(both, rng, max_bytes):
    both("CONFIG", "SET", "hll-sparse-max-bytes", max_bytes)
    both("CONFIG", "GET", "hll-sparse-max-bytes")
    try:
        for n in (1, 5, 40, 400, 1500):
            both("DEL", "h")
            _add_in_batches(both, "h", _elements(rng, n), batch=7)
            both("PFDEBUG", "ENCODING", "h")
            both("GET", "h")
            both("PFCOUNT", "h")
    finally:
        both("CONFIG", "SET", "hll-sparse-max-bytes", "3000")


def test_pfadd_replies_and_cache(both):
    both.run(
        ("PFADD", "h"), ("EXISTS", "h"), ("PFADD", "h"), ("PFCOUNT", "h"), ("GET", "h"),
        ("PFADD", "h", "a", "b", "c"), ("GETRANGE", "h", "15", "15"),
        ("PFCOUNT", "h"), ("GETRANGE", "h", "15", "15"),
        ("PFADD", "h", "a", "b", "c"), ("GETRANGE", "h", "15", "15"),
        ("PFADD", "h", ""), ("PFADD", "h", "x" * 10000), ("PFCOUNT", "h"),
        ("PFADD", "h", "1", "2", "3"), ("GETRANGE", "h", "15", "15"),
        ("SET", "t", "v"), ("DEL", "t"), ("PFADD", "t", "a"), ("EXPIRE", "t", "100"),
        ("PFADD", "t", "b"), ("TTL", "t"), ("PFMERGE", "t", "h"), ("TTL", "t"),
        ("PFDEBUG", "TODENSE", "t"), ("TTL", "t"), ("TYPE", "t"), ("STRLEN", "t"),
    )


def test_pfcount_union_and_pfmerge(both, rng):
    a, b, c = _elements(rng, 300, "a"), _elements(rng, 5000, "b"), _elements(rng, 40, "c")
    _add_in_batches(both, "a", a)
    _add_in_batches(both, "b", b)  # dense
    _add_in_batches(both, "c", c)
    both.run(
        ("PFCOUNT", "a", "b", "c"), ("PFCOUNT", "a", "missing", "c"), ("PFCOUNT", "missing"),
        ("PFCOUNT", "missing", "missing2"),
        ("PFMERGE", "ac", "a", "c"), ("GET", "ac"), ("PFCOUNT", "ac"),
        ("PFMERGE", "abc", "a", "b", "c"), ("GET", "abc"), ("PFDEBUG", "ENCODING", "abc"),
        ("PFMERGE", "c", "a"), ("GET", "c"),  # the destination is a source too
        ("PFMERGE", "empty"), ("GET", "empty"),
        ("PFMERGE", "empty2", "missing"), ("GET", "empty2"),
        ("PFMERGE", "a", "b"), ("GET", "a"), ("PFDEBUG", "ENCODING", "a"),
        ("PFCOUNT", "a", "b", "c", "ac", "abc"),
    )


def test_wrong_types_and_corruption(both):
    both.run(
        ("SET", "s", "bar"), ("LPUSH", "l", "x"),
        ("PFADD", "s", "1"), ("PFCOUNT", "s"), ("PFCOUNT", "l"), ("PFADD", "l", "a"),
        ("PFMERGE", "d", "s"), ("PFMERGE", "s", "d"), ("PFMERGE", "l"), ("EXISTS", "d"),
        ("PFCOUNT", "missing", "s"), ("PFDEBUG", "ENCODING", "s"), ("PFDEBUG", "GETREG", "l"),
        ("SET", "n", "1234567890123456789"), ("PFCOUNT", "n"),
        ("PFADD", "h", "a", "b", "c"), ("APPEND", "h", "hello"),
        ("PFCOUNT", "h"), ("PFCOUNT", "h", "h"), ("PFMERGE", "d", "h"), ("PFADD", "h", "zz"),
        ("PFDEBUG", "GETREG", "h"), ("PFDEBUG", "TODENSE", "h"), ("PFDEBUG", "DECODE", "h"),
        ("DEL", "h"), ("PFADD", "h", "a", "b", "c"), ("SETRANGE", "h", "0", "0123"),
        ("PFCOUNT", "h"),
        ("DEL", "h"), ("PFADD", "h", "a", "b", "c"), ("SETRANGE", "h", "4", "x"),
        ("PFCOUNT", "h"),
        ("DEL", "h"), ("PFADD", "h", "a", "b", "c"), ("SETRANGE", "h", "4", "\x00"),
        ("PFCOUNT", "h"),
        ("DEL", "h"), ("PFADD", "h", "a"), ("PFDEBUG", "TODENSE", "h"), ("APPEND", "h", "x"),
        ("PFCOUNT", "h"),
        ("SET", "short", "HYLL\x01"), ("PFCOUNT", "short"),
        ("SET", "hdr", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"),
        ("PFCOUNT", "hdr"), ("PFADD", "hdr", "a"),
    )
    hdr = b"HYLL\x01\x00\x00\x00" + b"\x00" * 7 + b"\x80"
    # Opcodes covering 16384 registers exactly; then one too many, past the end or inside.
    for body in (b"\x7f\xff", b"\x7f\xff\x80", b"\x7f\xff\x00", b"\x7f\xfe\x81",
                 b"\x80\x7f\xfe", b"\x7f\xfd\x83", b"\x7f", b"\x40", b"", b"\x7f\xfe",
                 b"\xfc" * 4096, b"\xfc" * 4097):
        for cmd in (("PFCOUNT", "x"), ("PFCOUNT", "x", "missing"), ("PFMERGE", "d", "x"),
                    ("PFDEBUG", "TODENSE", "x"), ("PFDEBUG", "DECODE", "x"),
                    ("PFADD", "x", "a", "b"), ("PFDEBUG", "GETREG", "x")):
            both.run(("DEL", "d"), ("SET", "x", hdr + body), cmd, ("GET", "x"), ("GET", "d"))


def test_random_corruption_is_answered_as_redis_answers(both, rng):
    for i in range(300):
        both("DEL", "h")
        _add_in_batches(both, "h", _elements(rng, rng.randrange(3000)), batch=rng.choice([7, 500]))
        length = int(both("STRLEN", "h")[1:-2])
        for _ in range(rng.randrange(1, 4)):
            both("SETRANGE", "h", str(rng.randrange(16, length)), bytes([rng.randrange(256)]))
        both("PFCOUNT", "h")
        both("PFCOUNT", "h", "missing")
        both("PFADD", "h", *_elements(rng, 3))
        both("GET", "h")


def test_pfdebug(both, rng):
    both.run(
        ("PFDEBUG", "ENCODING", "missing"), ("PFDEBUG", "NOPE", "missing"),
        ("PFADD", "h", "a", "b", "c", "d"),
        ("PFDEBUG", "DECODE", "h"), ("PFDEBUG", "decode", "h"), ("PFDEBUG", "ENCODING", "h"),
        ("PFDEBUG", "NOPE", "h"), ("PFDEBUG", "GETREG"), ("PFDEBUG", "GETREG", "h", "x"),
        ("PFDEBUG", "GETREG", "h"), ("PFDEBUG", "ENCODING", "h"), ("GET", "h"),
        ("PFDEBUG", "DECODE", "h"), ("PFDEBUG", "TODENSE", "h"),
        ("PFADD", "g", *_elements(rng, 200)), ("PFDEBUG", "DECODE", "g"),
        ("PFDEBUG", "TODENSE", "g"), ("GET", "g"), ("PFCOUNT", "g"),
        ("PFSELFTEST",), ("PFSELFTEST", "x"),
    )


def test_sparse_and_dense_count_alike(both, rng):
    """Redis's own stress test (tagged needs:pfdebug, so the suite skips it)."""
    for _ in range(60):
        els = _elements(rng, rng.randrange(100))
        both.run(("DEL", "s", "d"), ("PFADD", "d"), ("PFDEBUG", "TODENSE", "d"))
        if els:
            both.run(("PFADD", "s", *els), ("PFADD", "d", *els))
        assert both("PFCOUNT", "s") == both("PFCOUNT", "d")


def _events(srv, classes, actions):
    r = srv.client()
    r.config_set("notify-keyspace-events", classes)
    try:
        p = r.pubsub(ignore_subscribe_messages=True)
        p.psubscribe("__key*__:*")
        p.get_message(timeout=1)
        actions(r)
        out = []
        while True:
            m = p.get_message(timeout=0.3)
            if m is None:
                break
            out.append((m["channel"], m["data"]))
        p.close()
        return out
    finally:
        r.config_set("notify-keyspace-events", "")


def _hll_and_bit_writes(r):
    r.pfadd("h", "a")
    r.pfadd("h", "a")  # no change, no event
    r.pfcount("h")  # stores the cached count: no event
    r.pfmerge("m", "h")
    r.setbit("b", 3, 1)
    r.setbit("b", 3, 1)
    r.execute_command("BITFIELD", "b", "SET", "u8", "0", "7")
    r.execute_command("BITFIELD", "b", "GET", "u8", "0")
    r.execute_command("BITOP", "NOT", "n", "b")
    r.execute_command("BITOP", "AND", "n", "missing")


@pytest.mark.parametrize("classes", ["KEA", "E$", "Kg"])
def test_keyspace_events_as_redis(firn, redis_ref, classes):
    assert _events(firn, classes, _hll_and_bit_writes) == \
        _events(redis_ref, classes, _hll_and_bit_writes)
