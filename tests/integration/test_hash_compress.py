"""Compact hashes that Firn keeps compressed (hash-compress-min-bytes, 256 bytes by
default): every reply, DUMP payloads included, compared byte for byte with redis-server's,
which keeps the same hashes as plain listpacks.

The hashes here are built to compress: ten or more fields with repeated 32-byte values, 340
bytes and more of pairs, well past the default threshold and under the listpack limits."""

import random

from conftest import decode

VALUE = "0123456789abcdef0123456789ABCDEF"  # 32 bytes


def _ten(key="h"):
    return ("HSET", key, *[x for i in range(10) for x in ("f%d" % i, VALUE)])


def _memory(srv, key):
    return decode(srv.raw().cmd("MEMORY", "USAGE", key))


def _sorted_pairs(reply):
    if isinstance(reply, dict):
        return sorted(reply.items())
    return sorted(zip(reply[0::2], reply[1::2]))


def test_compressed_hash_is_small_in_firn(firn):
    c = firn.raw()
    decode(c.cmd(*_ten()))
    # 340 bytes of pairs plain (a 384-byte allocation); compressed, under 100.
    assert _memory(firn, "h") < 200
    assert decode(c.cmd("OBJECT", "ENCODING", "h")) == b"listpack"
    assert decode(c.cmd("CONFIG", "GET", "hash-compress-min-bytes")) == [
        b"hash-compress-min-bytes", b"256"]


def test_setting_off_leaves_written_hashes_plain(firn):
    # Keys of one length: MEMORY USAGE counts the key's bytes too.
    c = firn.raw()
    try:
        decode(c.cmd(*_ten("dense")))
        assert decode(c.cmd("CONFIG", "SET", "hash-compress-min-bytes", "0")) == "OK"
        decode(c.cmd(*_ten("plain")))
        assert _memory(firn, "plain") > _memory(firn, "dense") + 200
        # A write to the compressed hash under the new setting decompresses it.
        decode(c.cmd("HSET", "dense", "f0", VALUE))
        assert _memory(firn, "dense") == _memory(firn, "plain")
        assert decode(c.cmd("CONFIG", "SET", "hash-compress-min-bytes", "256")) == "OK"
        decode(c.cmd("HSET", "plain", "f0", VALUE))
        assert _memory(firn, "plain") < 200
        assert c.cmd("CONFIG", "SET", "hash-compress-min-bytes", "-1").startswith(
            b"-ERR CONFIG SET failed (possibly related to argument 'hash-compress-min-bytes')")
    finally:
        c.cmd("CONFIG", "SET", "hash-compress-min-bytes", "256")


def test_reads_of_compressed_hashes(both):
    both(*_ten())
    both(*_ten("other"))
    both("HSET", "other", "f3", "different")
    both.run(
        *[("HGET", "h", "f%d" % i) for i in range(10)],
        ("HGET", "h", "f10"), ("HGET", "h", ""),
        ("HMGET", "h", "f9", "nope", "f0", "f9"), ("HMGET", "other", "f3", "f4"),
        ("HGETALL", "h"), ("HGETALL", "other"), ("HKEYS", "h"), ("HVALS", "h"),
        ("HLEN", "h"), ("HEXISTS", "h", "f5"), ("HEXISTS", "h", "f55"),
        ("HSTRLEN", "h", "f5"), ("HSTRLEN", "other", "f3"), ("HSTRLEN", "h", "nope"),
        ("HSCAN", "h", "0"), ("HSCAN", "h", "0", "MATCH", "f1*"), ("HSCAN", "h", "0", "COUNT", "2"),
        # A count at least the size: the whole hash in its order.
        ("HRANDFIELD", "h", "10"), ("HRANDFIELD", "h", "100", "WITHVALUES"),
        ("HRANDFIELD", "h", "0"),
        ("OBJECT", "ENCODING", "h"), ("TYPE", "h"),
        # Alternating between two compressed hashes.
        ("HGET", "h", "f3"), ("HGET", "other", "f3"), ("HGET", "h", "f3"),
    )
    both.f.cmd("HELLO", "3")
    both.r.cmd("HELLO", "3")
    both.run(("HGETALL", "h"), ("HRANDFIELD", "h", "10", "WITHVALUES"), ("HSCAN", "h", "0"),
             ("HMGET", "h", "f1", "zz"))


def test_hrandfield_counts_on_a_compressed_hash(both):
    both("HSET", "h", *[x for i in range(16) for x in ("f%d" % i, VALUE[: 20 + i % 3])])
    for args, n, distinct in [(("5",), 5, True), (("-30",), 30, False), (("15",), 15, True),
                              (("-5", "WITHVALUES"), 10, False), (("7", "WITHVALUES"), 14, True),
                              (("-1",), 1, False), (("1",), 1, True)]:
        fr, rr = both.both_do("HRANDFIELD", "h", *args)
        f, r = decode(fr), decode(rr)
        assert len(f) == len(r) == n
        fields = f[0::2] if "WITHVALUES" in args else f
        if "WITHVALUES" in args:
            assert all(v == VALUE[: 20 + int(k[1:]) % 3].encode() for k, v in zip(f[0::2], f[1::2]))
        if distinct:
            assert len(set(fields)) == len(fields)
        assert all(x.startswith(b"f") and 0 <= int(x[1:]) < 16 for x in fields)
    fr, rr = both.both_do("HRANDFIELD", "h")
    assert fr.startswith(b"$") and decode(fr).startswith(b"f")
    # Draws cover the hash: every field shows up in 2,000 draws with repeats.
    seen = set(decode(both.f.cmd("HRANDFIELD", "h", "-2000")))
    assert seen == {b"f%d" % i for i in range(16)}


def test_writes_to_compressed_hashes(both):
    both(*_ten())
    both.run(
        ("HSET", "h", "f3", VALUE[::-1]), ("HGETALL", "h"),
        ("HSET", "h", "f4", "short", "new", VALUE, "f0", VALUE + "x"), ("HGETALL", "h"),
        ("HSETNX", "h", "f1", "x"), ("HSETNX", "h", "nx", VALUE), ("HGETALL", "h"),
        ("HSET", "h", "n", "41"), ("HINCRBY", "h", "n", "1"), ("HINCRBY", "h", "f1", "1"),
        ("HINCRBYFLOAT", "h", "n", "0.5"), ("HINCRBYFLOAT", "h", "f1", "1"),
        ("HMSET", "h", "f5", VALUE, "f6", VALUE), ("HGETALL", "h"),
        ("HDEL", "h", "nope"), ("HDEL", "h", "f2", "nope", "f2", "f7"), ("HGETALL", "h"),
        ("HLEN", "h"), ("OBJECT", "ENCODING", "h"),
        ("HDEL", "h", *["f%d" % i for i in range(10)], "new", "nx", "n"),
        ("EXISTS", "h"), ("HGETALL", "h"),
    )


def test_compressed_hash_converts_to_table(both):
    both(*_ten("by-value"))
    both(*_ten("by-count"))
    both.run(("HSET", "by-value", "f3", "v" * 65), ("OBJECT", "ENCODING", "by-value"),
             ("HGET", "by-value", "f3"), ("HGET", "by-value", "f9"), ("HLEN", "by-value"))
    both.norm("HGETALL", "by-value", normalize=_sorted_pairs)
    both("HSET", "by-count", *[x for i in range(10, 600) for x in ("f%d" % i, VALUE)])
    both.run(("OBJECT", "ENCODING", "by-count"), ("HLEN", "by-count"), ("HGET", "by-count", "f0"))
    both.norm("HGETALL", "by-count", normalize=_sorted_pairs)


def test_dump_payloads_are_redis_listpacks(both):
    both(*_ten())
    both("HSET", "mixed", *[x for i in range(12) for x in ("field:%d" % i, str(1000 + i) * 8)])
    both("HSET", "mixed", "int", "12345", "neg", "-7", "empty", "")
    # The payload itself is identical: the plain listpack Redis writes.
    for key in ("h", "mixed"):
        both("DUMP", key)


def test_dump_restore_both_ways(both, rng):
    both(*_ten())
    fields = [x for i in range(30) for x in ("k%02d" % i, rng.choice([VALUE, "1", "x" * 40]))]
    both("HSET", "big", *fields)
    for key in ("h", "big"):
        from_firn = decode(both.f.cmd("DUMP", key))
        from_redis = decode(both.r.cmd("DUMP", key))
        assert from_firn == from_redis
        # Firn's payload into Redis, Redis's into Firn, under new names.
        assert decode(both.r.cmd("RESTORE", key + ":f", "0", from_firn)) == "OK"
        assert decode(both.f.cmd("RESTORE", key + ":r", "0", from_redis)) == "OK"
        assert decode(both.f.cmd("RESTORE", key + ":f", "0", from_firn)) == "OK"
        assert decode(both.r.cmd("RESTORE", key + ":r", "0", from_redis)) == "OK"
        both.run(("HGETALL", key + ":f"), ("HGETALL", key + ":r"),
                 ("OBJECT", "ENCODING", key + ":r"))
        # Written after the restore (compressed again in Firn), then dumped again.
        both.run(("HSET", key + ":r", "added", VALUE), ("HGETALL", key + ":r"),
                 ("DUMP", key + ":r"))
    both.run(("RESTORE", "h", "0", decode(both.r.cmd("DUMP", "h"))),
             ("RESTORE", "h", "0", decode(both.r.cmd("DUMP", "h")), "REPLACE"), ("HGETALL", "h"))


def test_copy_of_compressed_hash(both):
    both(*_ten())
    both.run(("COPY", "h", "c"), ("HSET", "c", "f0", "changed"), ("HGET", "h", "f0"),
             ("HGET", "c", "f0"), ("HGETALL", "c"), ("HGETALL", "h"),
             ("DEL", "h"), ("HGETALL", "c"), ("RENAME", "c", "h"), ("HGETALL", "h"))


def test_sort_by_and_get_compressed_hash_fields(both):
    for i in range(5):
        both("HSET", "obj:%d" % i, *[x for f in range(10) for x in ("f%d" % f, VALUE)],
             "w", str(10 - i), "name", "n%d" % i)
    both("RPUSH", "ids", "0", "1", "2", "3", "4")
    both.run(("SORT", "ids", "BY", "obj:*->w", "GET", "obj:*->name", "GET", "#",
              "GET", "obj:*->f3"),
             ("SORT", "ids", "BY", "obj:*->name", "ALPHA", "DESC", "GET", "obj:*->w"))


def test_random_operations_on_compressed_hashes_match(both):
    r = random.Random(23)
    values = [VALUE, VALUE[:16], "1", "", VALUE + VALUE[:20]]
    keys = ["a", "b", "c"]
    for k in keys:
        both(*_ten(k))
    for step in range(900):
        k = r.choice(keys)
        f = "f%d" % r.randint(0, 14)
        op = r.randint(0, 7)
        if op <= 1:
            both("HSET", k, f, r.choice(values), "f%d" % r.randint(0, 14), r.choice(values))
        elif op == 2:
            both("HDEL", k, f)
        elif op == 3:
            both("HINCRBY", k, "n", str(r.randint(-5, 5)))
        elif op == 4:
            both("HMGET", k, f, "f1", "n")
        elif op == 5:
            both("HGET", k, f)
        elif op == 6:
            both("HSETNX", k, f, r.choice(values))
        else:
            both("HGETALL", k)
        if step % 100 == 0:
            for key in keys:
                both("HGETALL", key)
    for key in keys:
        both("HGETALL", key)
