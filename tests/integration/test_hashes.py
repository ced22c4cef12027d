"""Hash commands: replies (errors included) compared byte for byte with redis-server.

Small hashes keep insertion order in both servers (listpack), so their HGETALL, HKEYS and
HVALS compare raw; a hash past the compact limits is in table order, which differs, so those
replies are compared sorted."""

import random

from conftest import decode


def _sorted_pairs(reply):
    if isinstance(reply, dict):
        return sorted(reply.items())
    return sorted(zip(reply[0::2], reply[1::2]))


def test_set_get_small(both):
    both.run(
        ("HSET", "h", "f1", "v1"),
        ("HSET", "h", "f2", "v2", "f3", "v3"),
        ("HSET", "h", "f1", "new", "f4", "v4"),
        ("HGET", "h", "f1"), ("HGET", "h", "nope"), ("HGET", "nokey", "f"),
        ("HMGET", "h", "f1", "nope", "f3"), ("HMGET", "nokey", "a", "b"),
        ("HGETALL", "h"), ("HKEYS", "h"), ("HVALS", "h"), ("HLEN", "h"),
        ("HGETALL", "nokey"), ("HKEYS", "nokey"), ("HVALS", "nokey"), ("HLEN", "nokey"),
        ("HEXISTS", "h", "f1"), ("HEXISTS", "h", "nope"), ("HEXISTS", "nokey", "f"),
        ("HSTRLEN", "h", "f1"), ("HSTRLEN", "h", "nope"), ("HSTRLEN", "nokey", "f"),
        ("HSETNX", "h", "f1", "x"), ("HSETNX", "h", "f5", "v5"), ("HSETNX", "new", "f", "v"),
        ("HMSET", "h", "f6", "v6", "f1", "again"),
        ("HGETALL", "h"),
        ("TYPE", "h"), ("OBJECT", "ENCODING", "h"),
        ("HSET", "h", "", ""), ("HGET", "h", ""), ("HGETALL", "h"),
    )


def test_arity_and_wrong_type(both):
    both.run(("SET", "s", "v"), ("HSET", "h", "f", "v"))
    for cmd in [
        ("HSET", "h"), ("HSET", "h", "f"), ("HSET", "h", "f", "v", "g"), ("HMSET", "h", "f"),
        ("HMSET", "h", "f", "v", "g"), ("HSETNX", "h", "f"), ("HGET", "h"), ("HDEL", "h"),
        ("HSET", "s", "f", "v"), ("HMSET", "s", "f", "v"), ("HSETNX", "s", "f", "v"),
        ("HGET", "s", "f"), ("HMGET", "s", "f"), ("HGETALL", "s"), ("HKEYS", "s"),
        ("HVALS", "s"), ("HDEL", "s", "f"), ("HEXISTS", "s", "f"), ("HLEN", "s"),
        ("HSTRLEN", "s", "f"), ("HINCRBY", "s", "f", "1"), ("HINCRBYFLOAT", "s", "f", "1"),
        ("HRANDFIELD", "s"), ("HRANDFIELD", "s", "2"), ("HSCAN", "s", "0"),
        ("GET", "h"), ("LPUSH", "h", "x"), ("HGETALL", "h"), ("GET", "s"),
    ]:
        both(*cmd)


def test_hdel(both):
    both.run(
        ("HSET", "h", "a", "1", "b", "2", "c", "3"),
        ("HDEL", "h", "a"), ("HDEL", "h", "a"), ("HDEL", "h", "b", "b", "zz"),
        ("HGETALL", "h"), ("HDEL", "nokey", "a"),
        ("HDEL", "h", "c"), ("EXISTS", "h"), ("HLEN", "h"),
    )


def test_hincrby(both):
    both.run(
        ("HINCRBY", "h", "n", "5"), ("HINCRBY", "h", "n", "-7"), ("HGET", "h", "n"),
        ("HINCRBY", "h", "n", "x"), ("HINCRBY", "h", "n", "1.5"), ("HINCRBY", "h", "n", ""),
        ("HSET", "h", "s", "abc", "f", "1.5", "big", "9223372036854775807", "sp", " 1"),
        ("HINCRBY", "h", "s", "1"), ("HINCRBY", "h", "f", "1"), ("HINCRBY", "h", "sp", "1"),
        ("HINCRBY", "h", "big", "1"), ("HINCRBY", "h", "big", "0"),
        ("HINCRBY", "h", "n", "-9223372036854775808"), ("HINCRBY", "h", "n", "-9223372036854775807"),
        ("HGETALL", "h"),
        ("HINCRBY", "nokey", "f", "x"), ("EXISTS", "nokey"),
    )


def test_hincrbyfloat(both):
    both.run(
        ("HINCRBYFLOAT", "h", "x", "1.5"), ("HINCRBYFLOAT", "h", "x", "-0.25"),
        ("HINCRBYFLOAT", "h", "x", "1e3"), ("HINCRBYFLOAT", "h", "x", "x"),
        ("HINCRBYFLOAT", "h", "x", "inf"), ("HINCRBYFLOAT", "h", "x", "-inf"),
        ("HINCRBYFLOAT", "h", "x", "nan"), ("HINCRBYFLOAT", "h", "x", ""),
        ("HSET", "h", "s", "abc", "i", "10", "huge", "1e308"),
        ("HINCRBYFLOAT", "h", "s", "1"), ("HINCRBYFLOAT", "h", "i", "0.1"),
        ("HINCRBYFLOAT", "h", "i", "5.0e3"), ("HGETALL", "h"),
        # A 309-digit result converts the hash to a table (order no longer comparable).
        ("HINCRBYFLOAT", "h", "huge", "1e308"), ("OBJECT", "ENCODING", "h"),
        ("HINCRBYFLOAT", "nokey", "f", "inf"), ("EXISTS", "nokey"),
    )
    both.norm("HGETALL", "h", normalize=_sorted_pairs)


def test_hrandfield_deterministic_shapes(both):
    both.run(
        ("HRANDFIELD", "nokey"), ("HRANDFIELD", "nokey", "3"), ("HRANDFIELD", "nokey", "-3"),
        ("HRANDFIELD", "nokey", "3", "WITHVALUES"), ("HRANDFIELD", "nokey", "x"),
        ("HRANDFIELD", "nokey", "1", "WITHSCORES"),
        ("HSET", "h", "a", "1", "b", "2", "c", "3"),
        ("HRANDFIELD", "h", "0"), ("HRANDFIELD", "h", "0", "WITHVALUES"),
        # count at least the size: the whole hash, in its order.
        ("HRANDFIELD", "h", "3"), ("HRANDFIELD", "h", "100", "WITHVALUES"),
        ("HRANDFIELD", "h", "x"), ("HRANDFIELD", "h", "1", "WITHSCORES"),
        ("HRANDFIELD", "h", "1", "WITHVALUES", "x"),
        ("HRANDFIELD", "h", "-9223372036854775808"), ("HRANDFIELD", "h", "1.5"),
        # Counts whose pairs would overflow the reply: refused, not attempted.
        ("HRANDFIELD", "h", "-9223372036854770000", "WITHVALUES"),
        ("HRANDFIELD", "h", "9223372036854770000", "WITHVALUES"),
        ("HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"),
        ("HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"),
        ("HRANDFIELD", "h", "4611686018427387903", "WITHVALUES"),
    )
    both.run(("HSET", "one", "only", "v"), ("HRANDFIELD", "one"), ("HRANDFIELD", "one", "-3"),
             ("HRANDFIELD", "one", "-2", "WITHVALUES"), ("HRANDFIELD", "one", "1", "withvalues"))


def test_hrandfield_random_counts(both):
    both("HSET", "h", *[x for i in range(20) for x in ("f%d" % i, "v%d" % i)])
    for args, n, distinct in [(("5",), 5, True), (("-30",), 30, False), (("19",), 19, True),
                              (("-5", "WITHVALUES"), 10, False), (("5", "WITHVALUES"), 10, True)]:
        fr, rr = both.both_do("HRANDFIELD", "h", *args)
        f, r = decode(fr), decode(rr)
        assert len(f) == len(r) == n
        fields = f[0::2] if "WITHVALUES" in args else f
        if "WITHVALUES" in args:
            assert all(v == b"v" + k[1:] for k, v in zip(f[0::2], f[1::2]))
        if distinct:
            assert len(set(fields)) == len(fields)
        assert all(x.startswith(b"f") for x in fields)


def test_resp3_replies(both):
    both.f.cmd("HELLO", "3")
    both.r.cmd("HELLO", "3")
    both.run(
        ("HSET", "h", "a", "1", "b", "2"),
        ("HGETALL", "h"), ("HGETALL", "nokey"), ("HMGET", "h", "a", "zz"), ("HGET", "h", "zz"),
        ("HRANDFIELD", "h", "2", "WITHVALUES"), ("HRANDFIELD", "h", "5", "WITHVALUES"),
        ("HRANDFIELD", "nokey"), ("HSCAN", "h", "0"), ("HINCRBYFLOAT", "h", "a", "0.5"),
    )
    fr, rr = both.both_do("HRANDFIELD", "h", "-3", "WITHVALUES")
    assert fr.startswith(b"*3\r\n*2\r\n") and rr.startswith(b"*3\r\n*2\r\n")


def test_hscan(both):
    both.run(
        ("HSCAN", "nokey", "0"), ("HSCAN", "nokey", "x"), ("HSCAN", "nokey", "0", "COUNT", "0"),
        ("HSET", "h", "a1", "1", "a2", "2", "b1", "3"),
        ("HSCAN", "h", "0"), ("HSCAN", "h", "0", "MATCH", "a*"), ("HSCAN", "h", "0", "COUNT", "1"),
        ("HSCAN", "h", "0", "MATCH", "*", "COUNT", "100"), ("HSCAN", "h", "x"),
        ("HSCAN", "h", "-1"), ("HSCAN", "h", " 0"), ("HSCAN", "h", "0", "COUNT", "0"),
        ("HSCAN", "h", "0", "COUNT", "x"), ("HSCAN", "h", "0", "MATCH"),
        ("HSCAN", "h", "0", "TYPE", "string"), ("HSCAN", "h", "0", "FOO", "1"),
    )


def test_big_hash_converts_and_scans_completely(both):
    pairs = [x for i in range(600) for x in ("field:%d" % i, "value:%d" % i)]
    both("HSET", "h", *pairs)
    both("OBJECT", "ENCODING", "h")
    both("HLEN", "h")
    both.norm("HGETALL", "h", normalize=_sorted_pairs)
    both.norm("HKEYS", "h", normalize=sorted)
    both.norm("HVALS", "h", normalize=sorted)
    both("HGET", "h", "field:150")
    both("HDEL", "h", *["field:%d" % i for i in range(0, 600, 2)])
    both("HLEN", "h")
    # A full HSCAN iteration reports every field.
    seen = {}
    cursor = b"0"
    while True:
        reply = decode(both.f.cmd("HSCAN", "h", cursor, "COUNT", "7"))
        cursor = reply[0]
        seen.update(zip(reply[1][0::2], reply[1][1::2]))
        if cursor == b"0":
            break
    expected = dict(_sorted_pairs(decode(both.r.cmd("HGETALL", "h"))))
    assert seen == expected


def test_long_values_convert(both):
    both.run(
        ("HSET", "h", "f", "x" * 64), ("OBJECT", "ENCODING", "h"),
        ("HSET", "h2", "f", "x" * 65), ("OBJECT", "ENCODING", "h2"),
        ("HSET", "h3", "f" * 65, "x"), ("OBJECT", "ENCODING", "h3"),
        ("HSETNX", "h4", "f", "x"), ("HSETNX", "h4", "f", "y" * 65), ("OBJECT", "ENCODING", "h4"),
        ("CONFIG", "SET", "hash-max-listpack-entries", "2"),
        ("HSET", "h5", "a", "1", "b", "2"), ("OBJECT", "ENCODING", "h5"),
        ("HSET", "h5", "c", "3"), ("OBJECT", "ENCODING", "h5"),
        ("CONFIG", "SET", "hash-max-listpack-entries", "512"),
        ("CONFIG", "GET", "hash-max-listpack-entries"),
        ("CONFIG", "SET", "hash-max-ziplist-value", "3"),
        ("HINCRBYFLOAT", "h6", "f", "1.5"), ("HINCRBYFLOAT", "h6", "f", "1.25"),
        ("OBJECT", "ENCODING", "h6"),
        ("CONFIG", "SET", "hash-max-listpack-value", "64"),
    )


def test_random_operations_match(both):
    rng = random.Random(11)
    for step in range(800):
        f = "f%d" % rng.randint(0, 12)
        op = rng.randint(0, 6)
        if op <= 1:
            both("HSET", "h", f, str(rng.randint(0, 100)) * rng.choice([1, 1, 3, 20]))
        elif op == 2:
            both("HDEL", "h", f, "f%d" % rng.randint(0, 12))
        elif op == 3:
            both("HINCRBY", "h", f, str(rng.randint(-5, 5)))
        elif op == 4:
            both("HSETNX", "h", f, "nx")
        elif op == 5:
            both("HMGET", "h", f, "f1", "f2")
        else:
            both("HINCRBYFLOAT", "h", f, "0.5")
        if step % 40 == 0:
            both("HGETALL", "h")
    both("HGETALL", "h")
