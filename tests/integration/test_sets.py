"""Set commands: replies (errors included) compared byte for byte with redis-server.

Integer sets (intsets) list their members ascending in both servers, so they compare raw;
sets of strings are hash tables whose order differs, so those replies are compared sorted."""

import random

from conftest import decode


def _sorted(reply):
    return sorted(reply)


def test_add_remove_members_intset(both):
    both.run(
        ("SADD", "s", "3", "1", "2"), ("SADD", "s", "2", "10", "-5"),
        ("SMEMBERS", "s"), ("SCARD", "s"), ("OBJECT", "ENCODING", "s"), ("TYPE", "s"),
        ("SISMEMBER", "s", "10"), ("SISMEMBER", "s", "11"), ("SISMEMBER", "nokey", "1"),
        ("SMISMEMBER", "s", "1", "4", "-5"), ("SMISMEMBER", "nokey", "1", "2"),
        ("SREM", "s", "1", "1", "99"), ("SMEMBERS", "s"),
        ("SADD", "s", "100000", "9223372036854775807", "-9223372036854775808"),
        ("SMEMBERS", "s"), ("OBJECT", "ENCODING", "s"),
        ("SREM", "s", "2", "3", "10", "-5", "100000", "9223372036854775807",
         "-9223372036854775808"),
        ("EXISTS", "s"), ("SCARD", "s"), ("SMEMBERS", "nokey"), ("SREM", "nokey", "a"),
        ("SADD", "s", "07", "7"), ("OBJECT", "ENCODING", "s"), ("SCARD", "s"),
    )


def test_strings_convert(both):
    both.run(("SADD", "s", "1", "2"), ("SADD", "s", "a"), ("OBJECT", "ENCODING", "s"),
             ("SISMEMBER", "s", "a"), ("SISMEMBER", "s", "1"), ("SCARD", "s"))
    both.norm("SMEMBERS", "s", normalize=_sorted)
    both.run(("CONFIG", "SET", "set-max-intset-entries", "3"), ("SADD", "t", "1", "2", "3"),
             ("OBJECT", "ENCODING", "t"), ("SADD", "t", "4"), ("OBJECT", "ENCODING", "t"),
             ("CONFIG", "GET", "set-max-intset-entries"),
             ("CONFIG", "SET", "set-max-intset-entries", "512"))


def test_wrong_type_and_arity(both):
    both.run(("SET", "str", "v"), ("SADD", "s", "1"))
    for cmd in [("SADD", "str", "a"), ("SREM", "str", "a"), ("SMEMBERS", "str"),
                ("SISMEMBER", "str", "a"), ("SMISMEMBER", "str", "a"), ("SCARD", "str"),
                ("SPOP", "str"), ("SPOP", "str", "2"), ("SRANDMEMBER", "str"),
                ("SRANDMEMBER", "str", "2"), ("SMOVE", "str", "s", "a"), ("SMOVE", "s", "str", "1"),
                ("SMOVE", "nokey", "str", "1"), ("SINTER", "s", "str"), ("SINTER", "nokey", "str"),
                ("SUNION", "s", "str"), ("SDIFF", "nokey", "str"), ("SINTERSTORE", "d", "s", "str"),
                ("SINTERCARD", "2", "s", "str"), ("SSCAN", "str", "0"), ("SADD", "s"),
                ("SPOP", "s", "1", "2"), ("SRANDMEMBER", "s", "1", "2"), ("GET", "s")]:
        both(*cmd)
    both.run(("SMEMBERS", "s"), ("GET", "str"), ("EXISTS", "d"))


def test_pop_and_random_shapes(both):
    both.run(
        ("SPOP", "nokey"), ("SPOP", "nokey", "2"), ("SPOP", "nokey", "0"),
        ("SRANDMEMBER", "nokey"), ("SRANDMEMBER", "nokey", "2"), ("SRANDMEMBER", "nokey", "-2"),
        ("SPOP", "nokey", "-1"), ("SPOP", "nokey", "x"),
        ("SADD", "s", "1", "2", "3"),
        ("SPOP", "s", "0"), ("SRANDMEMBER", "s", "0"), ("SRANDMEMBER", "s", "3"),
        ("SRANDMEMBER", "s", "10"), ("SRANDMEMBER", "s", "x"),
        ("SRANDMEMBER", "s", "-9223372036854775808"), ("SPOP", "s", "-1"),
        ("SPOP", "s", "3"), ("EXISTS", "s"),
        ("SADD", "one", "7"), ("SPOP", "one"), ("EXISTS", "one"),
        ("SADD", "one", "7"), ("SRANDMEMBER", "one", "-3"), ("SPOP", "one", "5"),
    )
    both("SADD", "s", *[str(i) for i in range(50)])
    for args, n, distinct in [(("5",), 5, True), (("-70",), 70, False), (("49",), 49, True)]:
        fr, rr = both.both_do("SRANDMEMBER", "s", *args)
        f, r = decode(fr), decode(rr)
        assert len(f) == len(r) == n
        if distinct:
            assert len(set(f)) == n
    fr, rr = both.both_do("SPOP", "s", "10")
    assert len(decode(fr)) == len(decode(rr)) == 10
    both("SCARD", "s")


def test_smove(both):
    both.run(
        ("SADD", "a", "1", "2"), ("SADD", "b", "x"),
        ("SMOVE", "a", "b", "1"), ("SMOVE", "a", "b", "99"), ("SMOVE", "a", "a", "2"),
        ("SMOVE", "a", "a", "99"), ("SMOVE", "nokey", "b", "1"), ("SMOVE", "a", "c", "2"),
        ("EXISTS", "a"), ("SMEMBERS", "c"), ("SCARD", "b"),
    )


def test_combinations_of_intsets(both):
    both.run(
        ("SADD", "a", "1", "2", "3", "4", "5"), ("SADD", "b", "4", "5", "6"),
        ("SADD", "c", "5", "6", "7"),
        ("SINTER", "a", "b"), ("SINTER", "a", "b", "c"), ("SINTER", "a", "nokey"),
        ("SINTER", "a"), ("SUNION", "a", "b", "c"), ("SUNION", "nokey"), ("SUNION", "a", "nokey"),
        ("SDIFF", "a", "b"), ("SDIFF", "a", "b", "c"), ("SDIFF", "nokey", "a"),
        ("SDIFF", "a", "nokey"),
        ("SINTERSTORE", "d", "a", "b"), ("SMEMBERS", "d"),
        ("SUNIONSTORE", "d", "a", "c"), ("SMEMBERS", "d"),
        ("SDIFFSTORE", "d", "a", "b"), ("SMEMBERS", "d"), ("OBJECT", "ENCODING", "d"),
        ("SET", "d", "string"), ("SINTERSTORE", "d", "a", "nokey"), ("EXISTS", "d"),
        ("SET", "d", "string"), ("SUNIONSTORE", "d", "nokey"), ("EXISTS", "d"),
        ("SDIFFSTORE", "a", "a", "b"), ("SMEMBERS", "a"),
        ("SINTERCARD", "2", "a", "b"), ("SINTERCARD", "3", "a", "b", "c"),
        ("SINTERCARD", "1", "a", "LIMIT", "2"), ("SINTERCARD", "1", "a", "LIMIT", "0"),
        ("SINTERCARD", "2", "a", "nokey"), ("SINTERCARD", "0", "a"), ("SINTERCARD", "x", "a"),
        ("SINTERCARD", "3", "a", "b"), ("SINTERCARD", "1", "a", "LIMIT", "-1"),
        ("SINTERCARD", "1", "a", "LIMIT", "x"), ("SINTERCARD", "1", "a", "FOO"),
        ("SINTERCARD", "1", "a", "LIMIT"),
    )


def test_combinations_of_strings_sorted(both):
    both.run(("SADD", "a", "x", "y", "z", "1"), ("SADD", "b", "y", "z", "w"))
    for cmd in [("SINTER", "a", "b"), ("SUNION", "a", "b"), ("SDIFF", "a", "b"),
                ("SMEMBERS", "a")]:
        both.norm(*cmd, normalize=_sorted)
    both.run(("SUNIONSTORE", "d", "a", "b"), ("SCARD", "d"), ("OBJECT", "ENCODING", "d"))


def test_resp3_replies(both):
    both.f.cmd("HELLO", "3")
    both.r.cmd("HELLO", "3")
    both.run(("SADD", "s", "1", "2"), ("SMEMBERS", "s"), ("SMEMBERS", "nokey"),
             ("SPOP", "nokey", "1"), ("SRANDMEMBER", "nokey", "1"), ("SINTER", "s", "nokey"),
             ("SUNION", "s"), ("SRANDMEMBER", "s", "5"), ("SSCAN", "s", "0"),
             ("SMISMEMBER", "s", "1", "3"), ("SPOP", "s", "5"))


def test_sscan(both):
    both.run(("SSCAN", "nokey", "0"), ("SADD", "s", "1", "2", "3"), ("SSCAN", "s", "0"),
             ("SSCAN", "s", "0", "MATCH", "1*"), ("SSCAN", "s", "x"),
             ("SSCAN", "s", "0", "COUNT", "0"), ("SSCAN", "s", "0", "FOO", "1"))
    both("SADD", "big", *["m%d" % i for i in range(500)])
    seen = set()
    cursor = b"0"
    while True:
        reply = decode(both.f.cmd("SSCAN", "big", cursor, "COUNT", "20"))
        cursor = reply[0]
        seen.update(reply[1])
        if cursor == b"0":
            break
    assert seen == {b"m%d" % i for i in range(500)}


def test_random_operations_match(both):
    rng = random.Random(5)
    for step in range(600):
        m = str(rng.randint(0, 30))
        op = rng.randint(0, 4)
        if op <= 1:
            both("SADD", rng.choice(["a", "b"]), m, str(rng.randint(0, 30)))
        elif op == 2:
            both("SREM", rng.choice(["a", "b"]), m)
        elif op == 3:
            both("SMOVE", "a", "b", m)
        else:
            both("SINTERCARD", "2", "a", "b")
        if step % 50 == 0:
            both.run(("SMEMBERS", "a"), ("SINTER", "a", "b"), ("SUNION", "a", "b"),
                     ("SDIFF", "b", "a"))
