"""String commands: replies (errors included) compared byte for byte with redis-server."""

import pickle
import time

import pytest

from conftest import decode


def test_get_set_basic(both):
    both.run(
        ("GET", "k"),
        ("SET", "k", "v"),
        ("GET", "k"),
        ("SET", "k", ""),
        ("GET", "k"),
        ("STRLEN", "k"),
        ("SET", "", "empty key"),
        ("GET", ""),
        ("SET", "k", "x" * 100000),
        ("GET", "k"),
        ("SET", "k", "12345"),
        ("GET", "k"),
    )


def test_set_nx_xx_get(both):
    both.run(
        ("SET", "k", "1", "XX"),
        ("GET", "k"),
        ("SET", "k", "1", "NX"),
        ("SET", "k", "2", "NX"),
        ("GET", "k"),
        ("SET", "k", "3", "XX"),
        ("GET", "k"),
        ("SET", "k", "4", "GET"),
        ("SET", "missing", "5", "GET"),
        ("GET", "missing"),
        ("SET", "k", "6", "XX", "GET"),
        ("SET", "absent", "7", "XX", "GET"),
        ("SET", "k", "8", "NX", "GET"),
        ("SET", "nx-new", "9", "NX", "GET"),
        ("GET", "nx-new"),
        ("set", "k", "lower", "nx"),
        ("sEt", "k", "mixed", "xX"),
        ("GET", "k"),
    )


def test_set_expiry_options(both):
    far_s = int(time.time()) + 1000
    both.run(
        ("SET", "k", "v", "EX", "100"),
        ("TTL", "k"),
        ("SET", "k", "v", "PX", "100000"),
        ("TTL", "k"),
        ("SET", "k", "v", "EXAT", str(far_s)),
        ("EXPIRETIME", "k"),
        ("SET", "k", "v", "PXAT", str(far_s * 1000 + 123)),
        ("PEXPIRETIME", "k"),
        ("EXPIRETIME", "k"),
        # KEEPTTL keeps it, a plain SET drops it.
        ("SET", "k", "w", "KEEPTTL"),
        ("PEXPIRETIME", "k"),
        ("GET", "k"),
        ("SET", "k", "x"),
        ("TTL", "k"),
        ("SET", "k", "v", "EX", "100", "NX"),
        ("SET", "k", "v", "EX", "100", "XX", "GET"),
        ("TTL", "k"),
        ("SET", "k2", "v", "KEEPTTL"),
        ("TTL", "k2"),
    )
    both.norm("PTTL", "k", normalize=lambda ms: 99000 < ms <= 100000)


@pytest.mark.parametrize("args", [
    ("NX", "XX"),
    ("XX", "NX"),
    ("EX", "0"),
    ("EX", "-1"),
    ("PX", "0"),
    ("PX", "-100"),
    ("EXAT", "0"),
    ("PXAT", "-1"),
    ("EX", "abc"),
    ("EX", "1.5"),
    ("EX", ""),
    ("PX", "9999999999999999999"),
    ("EX", "9223372036854775807"),
    ("EX", "9223372036854775"),
    ("PX", "9223372036854775807"),
    ("EXAT", "9223372036854775807"),
    ("EX", "10", "PX", "100"),
    ("EX", "10", "EX", "10"),
    ("EX", "10", "KEEPTTL"),
    ("KEEPTTL", "PXAT", "99999999999999"),
    ("EX",),
    ("PX",),
    ("FOO",),
    ("GET", "GET"),
    ("NX", "NX"),
    ("KEEPTTL", "KEEPTTL"),
])
def test_set_invalid_combinations(both, args):
    both("SET", "k", "before")
    both("SET", "k", "v", *args)
    both("GET", "k")
    both("TTL", "k")


def test_setnx_setex_psetex(both):
    both.run(
        ("SETNX", "k", "1"),
        ("SETNX", "k", "2"),
        ("GET", "k"),
        ("SETEX", "k", "100", "3"),
        ("GET", "k"),
        ("TTL", "k"),
        ("SETEX", "k", "0", "x"),
        ("SETEX", "k", "-5", "x"),
        ("SETEX", "k", "abc", "x"),
        ("SETEX", "k", "9223372036854775807", "x"),
        ("PSETEX", "k", "100000", "4"),
        ("TTL", "k"),
        ("PSETEX", "k", "0", "x"),
        ("PSETEX", "k", "-1", "x"),
        ("PSETEX", "k", "1.5", "x"),
        ("GET", "k"),
        ("SETNX", "k"),
        ("SETEX", "k", "10"),
    )


def test_getset_getdel(both):
    both.run(
        ("GETSET", "k", "1"),
        ("GETSET", "k", "2"),
        ("GET", "k"),
        ("SET", "t", "v", "EX", "100"),
        ("GETSET", "t", "w"),
        ("TTL", "t"),
        ("GETDEL", "k"),
        ("GETDEL", "k"),
        ("EXISTS", "k"),
        ("GETDEL", "nothing"),
    )


def test_getex(both):
    far_s = int(time.time()) + 1000
    both.run(
        ("GETEX", "nokey"),
        ("GETEX", "nokey", "EX", "10"),
        ("EXISTS", "nokey"),
        ("SET", "k", "v"),
        ("GETEX", "k"),
        ("TTL", "k"),
        ("GETEX", "k", "EX", "100"),
        ("TTL", "k"),
        ("GETEX", "k", "PX", "200000"),
        ("TTL", "k"),
        ("GETEX", "k", "EXAT", str(far_s)),
        ("EXPIRETIME", "k"),
        ("GETEX", "k", "PXAT", str(far_s * 1000 + 7)),
        ("PEXPIRETIME", "k"),
        ("GETEX", "k", "PERSIST"),
        ("TTL", "k"),
        ("GETEX", "k", "EX", "0"),
        ("GETEX", "k", "EX", "-1"),
        ("GETEX", "k", "PX", "abc"),
        ("GETEX", "k", "EX", "10", "PX", "10"),
        ("GETEX", "k", "PERSIST", "EX", "10"),
        ("GETEX", "k", "EX", "10", "PERSIST"),
        ("GETEX", "k", "PERSIST", "PERSIST"),
        ("GETEX", "k", "EX"),
        ("GETEX", "k", "FOO"),
        ("GETEX", "k", "EX", "9223372036854775807"),
        ("GETEX", "k", "KEEPTTL"),
        ("GETEX", "k", "NX"),
        ("TTL", "k"),
        ("GET", "k"),
    )


def test_getex_negative_deadline_deletes(both):
    both.run(
        ("SET", "k", "v"),
        ("GETEX", "k", "EXAT", "1"),
        ("EXISTS", "k"),
        ("SET", "k", "v"),
        ("GETEX", "k", "PXAT", "1000"),
        ("GET", "k"),
    )


def test_mget_mset_msetnx(both):
    both.run(
        ("MSET", "a", "1", "b", "2", "c", "3"),
        ("MGET", "a", "b", "c", "missing", "a"),
        ("MSET", "a"),
        ("MSET", "a", "1", "b"),
        ("MSET",),
        ("MGET",),
        ("MSET", "a", "x", "a", "y"),
        ("GET", "a"),
        ("MSETNX", "a", "9", "new", "9"),
        ("EXISTS", "new"),
        ("MSETNX", "n1", "1", "n2", "2"),
        ("MGET", "n1", "n2"),
        ("MSETNX", "n3", "1", "n3", "2"),
        ("GET", "n3"),
        ("MSETNX", "x"),
        ("MSETNX", "x", "1", "y"),
    )


def test_mset_clears_ttl(both):
    both.run(
        ("SET", "a", "1", "EX", "100"),
        ("MSET", "a", "2"),
        ("TTL", "a"),
    )


def test_incr_decr(both):
    both.run(
        ("INCR", "n"),
        ("INCR", "n"),
        ("DECR", "n"),
        ("DECR", "m"),
        ("INCRBY", "n", "10"),
        ("INCRBY", "n", "-100"),
        ("DECRBY", "n", "5"),
        ("DECRBY", "n", "-5"),
        ("GET", "n"),
        ("INCRBY", "n", "abc"),
        ("INCRBY", "n", "1.5"),
        ("INCRBY", "n", ""),
        ("INCRBY", "n", " 1"),
        ("INCRBY", "n", "9999999999999999999"),
        ("DECRBY", "n", "x"),
        ("SET", "s", "hello"),
        ("INCR", "s"),
        ("DECR", "s"),
        ("SET", "f", "1.5"),
        ("INCR", "f"),
        ("SET", "sp", " 1"),
        ("INCR", "sp"),
        ("SET", "lead", "01"),
        ("INCR", "lead"),
        ("SET", "plus", "+1"),
        ("INCR", "plus"),
        ("SET", "neg0", "-0"),
        ("INCR", "neg0"),
        ("SET", "empty", ""),
        ("INCR", "empty"),
        ("SET", "e", "1e3"),
        ("INCR", "e"),
        ("SET", "ttl", "5", "EX", "100"),
        ("INCR", "ttl"),
        ("TTL", "ttl"),
    )


def test_incr_overflow(both):
    both.run(
        ("SET", "max", "9223372036854775807"),
        ("INCR", "max"),
        ("INCRBY", "max", "1"),
        ("GET", "max"),
        ("DECR", "max"),
        ("SET", "min", "-9223372036854775808"),
        ("DECR", "min"),
        ("DECRBY", "min", "1"),
        ("INCRBY", "min", "-1"),
        ("GET", "min"),
        ("INCR", "min"),
        ("SET", "z", "0"),
        ("DECRBY", "z", "-9223372036854775808"),
        ("INCRBY", "z", "-9223372036854775808"),
        ("INCRBY", "z", "9223372036854775807"),
        ("INCRBY", "z", "1"),
        ("SET", "big", "9223372036854775808"),
        ("INCR", "big"),
        ("SET", "small", "-9223372036854775809"),
        ("DECR", "small"),
    )


def test_incrbyfloat(both):
    both.run(
        ("SET", "f", "10.5"),
        ("INCRBYFLOAT", "f", "0.1"),
        ("INCRBYFLOAT", "f", "-5"),
        ("INCRBYFLOAT", "f", "1.0e2"),
        ("SET", "g", "5.0e3"),
        ("INCRBYFLOAT", "g", "200"),
        ("INCRBYFLOAT", "g", "0"),
        ("INCRBYFLOAT", "new", "3"),
        ("INCRBYFLOAT", "new", "-3"),
        ("INCRBYFLOAT", "new2", "1.5"),
        ("INCRBYFLOAT", "new2", "0.000001"),
        ("INCRBYFLOAT", "new3", "3.0000"),
        ("INCRBYFLOAT", "new4", "1e-5"),
        ("INCRBYFLOAT", "new5", "-0.0"),
        ("INCRBYFLOAT", "new6", "1.7976931348623157e308"),
        ("INCRBYFLOAT", "new7", "0.1"),
        ("INCRBYFLOAT", "new7", "0.2"),
        ("INCRBYFLOAT", "new8", "1e20"),
        ("INCRBYFLOAT", "new9", "123456789.123456789"),
        ("INCRBYFLOAT", "int", "17"),
        ("INCR", "int"),
        ("INCRBYFLOAT", "f", "inf"),
        ("INCRBYFLOAT", "f", "-inf"),
        ("INCRBYFLOAT", "f", "+inf"),
        ("INCRBYFLOAT", "f", "nan"),
        ("INCRBYFLOAT", "f", "abc"),
        ("INCRBYFLOAT", "f", ""),
        ("INCRBYFLOAT", "f", "1.5x"),
        ("INCRBYFLOAT", "f", " 1"),
        ("SET", "huge", "1.7976931348623157e308"),
        ("INCRBYFLOAT", "huge", "1.7976931348623157e308"),
        ("GET", "huge"),
        ("SET", "s", "hello"),
        ("INCRBYFLOAT", "s", "1"),
        ("SET", "t", "1", "EX", "100"),
        ("INCRBYFLOAT", "t", "1.5"),
        ("TTL", "t"),
        ("GET", "f"),
    )


def test_append_strlen(both):
    both.run(
        ("APPEND", "k", "hello"),
        ("APPEND", "k", " world"),
        ("GET", "k"),
        ("STRLEN", "k"),
        ("STRLEN", "missing"),
        ("APPEND", "k", ""),
        ("APPEND", "e", ""),
        ("EXISTS", "e"),
        ("SET", "n", "123"),
        ("APPEND", "n", "4"),
        ("GET", "n"),
        ("INCR", "n"),
        ("STRLEN", "n"),
        ("SET", "t", "a", "EX", "100"),
        ("APPEND", "t", "b"),
        ("TTL", "t"),
    )


def test_getrange(both):
    both("SET", "k", "Hello, World")
    for start, end in [(0, 4), (-5, -1), (0, -1), (5, 3), (-100, 100), (100, 200), (0, 0),
                       (-1, -1), (11, 11), (12, 12), (-3, 2), (3, -100), (0, -100),
                       (-100, -100), (-12, -12), (-13, 0), (1, 9223372036854775807),
                       (-9223372036854775808, 3)]:
        both("GETRANGE", "k", str(start), str(end))
    both.run(
        ("GETRANGE", "missing", "0", "-1"),
        ("GETRANGE", "k", "a", "1"),
        ("GETRANGE", "k", "0", "9223372036854775808"),
        ("SET", "n", "12345"),
        ("GETRANGE", "n", "1", "2"),
        ("SET", "empty", ""),
        ("GETRANGE", "empty", "0", "-1"),
        ("GETRANGE", "empty", "-1", "0"),
    )


def test_setrange(both):
    both.run(
        ("SETRANGE", "k", "0", "Hello"),
        ("SETRANGE", "k", "6", "World"),
        ("GET", "k"),
        ("SETRANGE", "k", "1", "E"),
        ("GET", "k"),
        ("SETRANGE", "k", "20", "!"),
        ("GET", "k"),
        ("STRLEN", "k"),
        ("SETRANGE", "k", "0", ""),
        ("SETRANGE", "k", "100", ""),
        ("STRLEN", "k"),
        ("SETRANGE", "new", "3", ""),
        ("EXISTS", "new"),
        ("SETRANGE", "new", "0", ""),
        ("EXISTS", "new"),
        ("SETRANGE", "new", "3", "x"),
        ("GET", "new"),
        ("SETRANGE", "k", "-1", "x"),
        ("SETRANGE", "k", "abc", "x"),
        ("SETRANGE", "k", "536870912", "x"),
        ("SETRANGE", "k", "536870911", "xy"),
        ("SETRANGE", "k", "9223372036854775807", "x"),
        ("SETRANGE", "k", "536870912", ""),
        ("SET", "n", "1234"),
        ("SETRANGE", "n", "1", "9"),
        ("GET", "n"),
        ("INCR", "n"),
        ("SET", "t", "abc", "EX", "100"),
        ("SETRANGE", "t", "1", "X"),
        ("TTL", "t"),
    )


def test_every_byte_value_round_trips(both, firn):
    every = bytes(range(256))
    both.run(
        ("SET", every, every),
        ("GET", every),
        ("STRLEN", every),
        ("APPEND", every, every),
        ("GETRANGE", every, "250", "260"),
        ("EXISTS", every),
    )
    for b in range(256):
        key = b"byte:" + bytes([b])
        both("SET", key, bytes([b]) * 3 + b"\r\n")
    replies = both("MGET", *[b"byte:" + bytes([b]) for b in range(256)])
    values = decode(replies)
    assert values == [bytes([b]) * 3 + b"\r\n" for b in range(256)]
    # The same through redis-py.
    c = firn.client()
    c.set(b"\x00\r\n\xff", every)
    assert c.get(b"\x00\r\n\xff") == every


def test_pickled_object_round_trips_through_redis_py(firn):
    class_free = {
        "user": "alice", "id": 42, "scores": [1.5, 2.25, float("inf")],
        "nested": {"bytes": bytes(range(256)), "tuple": (1, "two", None), "set": {1, 2, 3}},
        "unicode": "ünïcødé ✓ 日本",
    }
    c = firn.client()
    for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
        blob = pickle.dumps(class_free, protocol=protocol)
        assert c.set("cache:%d" % protocol, blob, ex=100)
        assert pickle.loads(c.get("cache:%d" % protocol)) == class_free
    big = pickle.dumps([bytes(range(256))] * 4000)
    c.set("cache:big", big)
    assert c.get("cache:big") == big
    assert c.strlen("cache:big") == len(big)


def test_setbit_getbit(both, rng):
    both.run(
        ("SETBIT", "k", "1", "1"), ("GET", "k"), ("SETBIT", "k", "1", "0"), ("GETBIT", "k", "1"),
        ("GETBIT", "k", "100"), ("GETBIT", "missing", "3"),
        ("SET", "at", "@"), ("SETBIT", "at", "2", "1"), ("GET", "at"), ("SETBIT", "at", "1", "0"),
        ("GET", "at"), ("SET", "n", "1"), ("SETBIT", "n", "6", "1"), ("GET", "n"),
        ("OBJECT", "ENCODING", "n"), ("GETBIT", "n", "2"), ("SET", "t", "v", "EX", "100"),
        ("SETBIT", "t", "30", "1"), ("TTL", "t"), ("GET", "t"),
        # Errors: offset first, then the bit, then the type.
        ("SETBIT", "k", str(4 * 1024 * 1024 * 1024), "1"), ("SETBIT", "k", "-1", "1"),
        ("SETBIT", "k", "x", "1"), ("SETBIT", "k", "0", "2"), ("SETBIT", "k", "0", "-1"),
        ("SETBIT", "k", "0", "x"), ("SETBIT", "k", "x", "x"), ("GETBIT", "k", "x"),
        ("GETBIT", "k", "-1"), ("GETBIT", "k", str(4 * 1024 * 1024 * 1024)),
        ("SETBIT", "k", "0"), ("GETBIT", "k"),
    )
    for _ in range(300):
        both("SETBIT", "fuzz", str(rng.randrange(2048)), str(rng.randrange(2)))
    both("GET", "fuzz")


def test_lcs(both):
    both.run(
        ("SET", "a", "ohmytext"), ("SET", "b", "mynewtext"),
        ("LCS", "a", "b"), ("LCS", "a", "b", "LEN"), ("LCS", "a", "b", "IDX"),
        ("LCS", "a", "b", "IDX", "WITHMATCHLEN"),
        ("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
        ("LCS", "a", "b", "IDX", "MINMATCHLEN", "-3"), ("LCS", "a", "b", "len", "idx"),
        ("LCS", "a", "b", "foo"), ("LCS", "a", "b", "MINMATCHLEN", "x"),
        ("LCS", "a", "b", "MINMATCHLEN"), ("LCS", "a", "missing"), ("LCS", "missing", "missing", "IDX"),
        ("SET", "x", "AAAAXBBBBYCCCC"), ("SET", "y", "AAAABBBBCCCC"),
        ("LCS", "x", "y", "IDX", "WITHMATCHLEN"), ("LCS", "y", "x", "IDX"), ("LCS", "x", "x", "IDX"),
        ("LCS", "a"),
    )
    both.f.cmd("HELLO", "3")
    both.r.cmd("HELLO", "3")
    both("LCS", "a", "b", "IDX", "WITHMATCHLEN")
