"""Sorted set commands: replies (errors included) compared byte for byte with redis-server.

Firn keeps every sorted set in its tree, so OBJECT ENCODING differs from Redis's for small
sets (docs/compatibility.md) and is not compared; every reply's order is the sorted order."""

import random
import threading

from conftest import decode


def test_zadd_flags(both):
    both.run(
        ("ZADD", "z", "1", "a", "2", "b"), ("ZADD", "z", "3", "a", "4", "c"),
        ("ZADD", "z", "NX", "10", "a", "5", "d"), ("ZADD", "z", "XX", "10", "a", "6", "e"),
        ("ZADD", "z", "XX", "CH", "11", "a", "2", "b"), ("ZADD", "z", "GT", "CH", "5", "a", "20", "b"),
        ("ZADD", "z", "LT", "CH", "1", "a", "30", "b"), ("ZADD", "z", "INCR", "5", "a"),
        ("ZADD", "z", "INCR", "NX", "5", "a"), ("ZADD", "z", "INCR", "XX", "5", "nope"),
        ("ZADD", "z", "INCR", "GT", "-1", "a"), ("ZADD", "z", "INCR", "LT", "-1", "a"),
        ("ZADD", "z", "CH", "INCR", "1", "new"), ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
        ("ZADD", "z", "NX", "XX", "1", "a"), ("ZADD", "z", "GT", "LT", "1", "a"),
        ("ZADD", "z", "GT", "NX", "1", "a"), ("ZADD", "z", "INCR", "1", "a", "2", "b"),
        ("ZADD", "z", "1"), ("ZADD", "z", "1", "a", "2"), ("ZADD", "z", "x", "a"),
        ("ZADD", "z", "nan", "a"), ("ZADD", "z", "1", "a", "y", "b"), ("ZADD", "z", "NX"),
        ("ZADD", "z", "", "a"), ("ZADD", "z", " 1", "a"), ("ZADD", "z", "1 ", "a"),
        ("ZADD", "z", "0x10", "hex"), ("ZINCRBY", "z", "", "a"), ("ZRANGEBYSCORE", "z", "", "1"),
        ("ZADD", "z", "inf", "top", "-inf", "bottom", "+inf", "top2"),
        ("ZADD", "z", "INCR", "-inf", "top"), ("ZADD", "z", "1e308", "big", "-0", "zero"),
        ("ZRANGE", "z", "0", "-1", "WITHSCORES"), ("ZCARD", "z"), ("ZCARD", "nokey"),
        ("ZADD", "nokey", "XX", "1", "a"), ("EXISTS", "nokey"), ("ZADD", "nokey", "XX", "INCR", "1", "a"),
        ("TYPE", "z"),
    )


def test_scores_and_ranks(both):
    both.run(
        ("ZADD", "z", "1.5", "a", "0.1", "b", "-3", "c", "1.5", "aa", "100", "d"),
        ("ZSCORE", "z", "a"), ("ZSCORE", "z", "b"), ("ZSCORE", "z", "nope"), ("ZSCORE", "nokey", "a"),
        ("ZMSCORE", "z", "a", "nope", "c"), ("ZMSCORE", "nokey", "a"),
        ("ZRANK", "z", "a"), ("ZRANK", "z", "aa"), ("ZRANK", "z", "d"), ("ZRANK", "z", "nope"),
        ("ZREVRANK", "z", "c"), ("ZREVRANK", "z", "d"), ("ZREVRANK", "nokey", "a"),
        ("ZINCRBY", "z", "2.5", "a"), ("ZINCRBY", "z", "1", "new"), ("ZINCRBY", "nokey2", "1", "x"),
        ("ZINCRBY", "z", "x", "a"), ("ZINCRBY", "z", "nan", "a"),
        ("ZADD", "z", "inf", "i"), ("ZINCRBY", "z", "-inf", "i"), ("ZSCORE", "z", "i"),
        ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
    )


def test_zrange_by_index(both):
    both(*(["ZADD", "z"] + [x for i in range(10) for x in (str(i), "m%d" % i)]))
    for start, stop in [(0, -1), (0, 0), (-1, -1), (2, 5), (5, 2), (-100, 100), (10, 20),
                        (-3, -1), ("x", 1)]:
        both("ZRANGE", "z", str(start), str(stop))
        both("ZRANGE", "z", str(start), str(stop), "WITHSCORES")
        both("ZRANGE", "z", str(start), str(stop), "REV")
        both("ZREVRANGE", "z", str(start), str(stop), "WITHSCORES")
    both.run(("ZRANGE", "nokey", "0", "-1"), ("ZRANGE", "z", "0", "1", "LIMIT", "0", "1"),
             ("ZRANGE", "z", "0", "1", "FOO"), ("ZREVRANGE", "z", "0", "1", "REV"),
             ("ZREVRANGE", "z", "0", "1", "BYSCORE"), ("ZRANGE", "z", "0", "1", "LIMIT", "0"))


def test_zrange_by_score(both):
    both(*(["ZADD", "z"] + [x for i in range(10) for x in (str(i), "m%d" % i)]))
    both.run(("ZADD", "z", "inf", "pinf", "-inf", "ninf", "5", "m5b"))
    for lo, hi in [("-inf", "+inf"), ("2", "5"), ("(2", "5"), ("2", "(5"), ("(2", "(5"),
                   ("5", "2"), ("5", "5"), ("(5", "5"), ("10", "20"), ("-inf", "-inf"),
                   ("x", "1"), ("1", "(x"), ("(", "1"), ("nan", "1"), ("inf", "inf")]:
        both("ZRANGEBYSCORE", "z", lo, hi)
        both("ZRANGEBYSCORE", "z", lo, hi, "WITHSCORES", "LIMIT", "1", "3")
        both("ZREVRANGEBYSCORE", "z", hi, lo, "WITHSCORES")
        both("ZRANGE", "z", lo, hi, "BYSCORE", "LIMIT", "2", "-1")
        both("ZRANGE", "z", hi, lo, "BYSCORE", "REV", "LIMIT", "0", "2", "WITHSCORES")
        both("ZCOUNT", "z", lo, hi)
    both.run(("ZRANGEBYSCORE", "z", "0", "5", "LIMIT", "-1", "2"),
             ("ZRANGEBYSCORE", "z", "0", "5", "LIMIT", "x", "2"),
             ("ZRANGEBYSCORE", "z", "0", "5", "BYSCORE"), ("ZRANGEBYSCORE", "z", "0", "5", "REV"),
             ("ZRANGEBYSCORE", "nokey", "0", "5"), ("ZCOUNT", "nokey", "0", "1"),
             ("ZCOUNT", "nokey", "x", "1"))


def test_zrange_by_lex(both):
    both(*(["ZADD", "z"] + [x for m in "abcdefg" for x in ("0", m)]))
    for lo, hi in [("-", "+"), ("[b", "[d"), ("(b", "(d"), ("[b", "(d"), ("+", "-"),
                   ("[d", "[b"), ("-", "[c"), ("(e", "+"), ("b", "d"), ("[a", "x"), ("[", "[")]:
        both("ZRANGEBYLEX", "z", lo, hi)
        both("ZRANGEBYLEX", "z", lo, hi, "LIMIT", "1", "2")
        both("ZREVRANGEBYLEX", "z", hi, lo)
        both("ZRANGE", "z", lo, hi, "BYLEX")
        both("ZRANGE", "z", hi, lo, "BYLEX", "REV", "LIMIT", "0", "3")
        both("ZLEXCOUNT", "z", lo, hi)
    both.run(("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"),
             ("ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"), ("ZRANGE", "z", "-", "+", "BYLEX", "BYSCORE"))


def test_remove_and_pop(both):
    def fill():
        both("DEL", "z")
        both(*(["ZADD", "z"] + [x for i in range(10) for x in (str(i), "m%d" % i)]))
    fill()
    both.run(("ZREM", "z", "m1", "m1", "nope"), ("ZREM", "nokey", "a"),
             ("ZREMRANGEBYRANK", "z", "0", "1"), ("ZREMRANGEBYRANK", "z", "-2", "-1"),
             ("ZREMRANGEBYRANK", "z", "5", "1"), ("ZREMRANGEBYRANK", "z", "x", "1"),
             ("ZRANGE", "z", "0", "-1"), ("ZREMRANGEBYSCORE", "z", "(4", "6"),
             ("ZREMRANGEBYSCORE", "z", "x", "6"), ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
             ("ZREMRANGEBYSCORE", "z", "-inf", "+inf"), ("EXISTS", "z"),
             ("ZREMRANGEBYRANK", "nokey", "0", "-1"), ("ZREMRANGEBYSCORE", "nokey", "0", "1"))
    fill()
    both.run(("ZPOPMIN", "z"), ("ZPOPMAX", "z"), ("ZPOPMIN", "z", "2"), ("ZPOPMAX", "z", "0"),
             ("ZPOPMAX", "z", "-1"), ("ZPOPMAX", "z", "x"), ("ZPOPMIN", "z", "1", "2"),
             ("ZPOPMIN", "nokey"), ("ZPOPMIN", "nokey", "3"), ("ZPOPMAX", "z", "100"),
             ("EXISTS", "z"))
    both.run(("ZADD", "l", "0", "a", "0", "b", "0", "c"), ("ZREMRANGEBYLEX", "l", "[a", "(c"),
             ("ZREMRANGEBYLEX", "l", "a", "c"), ("ZRANGE", "l", "0", "-1"))


def test_zrangestore(both):
    both(*(["ZADD", "src"] + [x for i in range(10) for x in (str(i), "m%d" % i)]))
    both.run(("ZRANGESTORE", "dst", "src", "0", "2"), ("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
             ("ZRANGESTORE", "dst", "src", "(5", "+inf", "BYSCORE", "LIMIT", "0", "2"),
             ("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
             ("ZRANGESTORE", "dst", "src", "9", "0", "BYSCORE", "REV"), ("ZCARD", "dst"),
             ("ZRANGESTORE", "dst", "nokey", "0", "-1"), ("EXISTS", "dst"),
             ("SET", "dst", "x"), ("ZRANGESTORE", "dst", "src", "0", "0"), ("TYPE", "dst"),
             ("ZRANGESTORE", "dst", "src", "0", "1", "WITHSCORES"))


def test_wrong_type(both):
    both.run(("SET", "s", "v"), ("ZADD", "z", "1", "a"))
    for cmd in [("ZADD", "s", "1", "a"), ("ZINCRBY", "s", "1", "a"), ("ZREM", "s", "a"),
                ("ZCARD", "s"), ("ZSCORE", "s", "a"), ("ZMSCORE", "s", "a"), ("ZRANK", "s", "a"),
                ("ZCOUNT", "s", "0", "1"), ("ZLEXCOUNT", "s", "-", "+"), ("ZRANGE", "s", "0", "1"),
                ("ZRANGEBYSCORE", "s", "0", "1"), ("ZRANGEBYLEX", "s", "-", "+"),
                ("ZREMRANGEBYRANK", "s", "0", "1"), ("ZPOPMIN", "s"), ("ZPOPMAX", "s", "2"),
                ("ZRANGESTORE", "d", "s", "0", "1"), ("ZRANGESTORE", "s", "z", "0", "1"),
                ("GET", "z"), ("LPUSH", "z", "x"), ("ZADD", "s", "x", "a")]:
        both(*cmd)
    both.run(("TYPE", "s"), ("ZRANGE", "z", "0", "-1"))


def test_resp3_replies(both):
    both.f.cmd("HELLO", "3")
    both.r.cmd("HELLO", "3")
    both.run(("ZADD", "z", "1", "a", "2.5", "b"), ("ZSCORE", "z", "b"), ("ZSCORE", "z", "x"),
             ("ZMSCORE", "z", "a", "x"), ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
             ("ZRANGEBYSCORE", "z", "-inf", "inf", "WITHSCORES"), ("ZINCRBY", "z", "1", "a"),
             ("ZADD", "z", "INCR", "1", "a"), ("ZADD", "z", "NX", "INCR", "1", "a"),
             ("ZPOPMIN", "z"), ("ZPOPMAX", "z", "1"), ("ZPOPMIN", "nokey"), ("ZRANK", "z", "x"))


def test_random_operations_match(both):
    rng = random.Random(17)
    for step in range(1500):
        m = "m%d" % rng.randint(0, 80)
        op = rng.randint(0, 7)
        score = str(rng.choice([rng.randint(-5, 5), rng.random() * 10]))
        if op <= 2:
            both("ZADD", "z", rng.choice(["CH", "GT", "LT", "NX", "XX"]), score, m, score, m + "x")
        elif op == 3:
            both("ZINCRBY", "z", score, m)
        elif op == 4:
            both("ZREM", "z", m)
        elif op == 5:
            both("ZRANK", "z", m)
        elif op == 6:
            both("ZRANGEBYSCORE", "z", "(" + score, "+inf", "WITHSCORES", "LIMIT", "0", "5")
        else:
            both("ZREMRANGEBYSCORE", "z", score, "(" + str(float(score) + 0.5))
        if step % 100 == 0:
            both("ZRANGE", "z", "0", "-1", "WITHSCORES")
    both("ZRANGE", "z", "0", "-1", "WITHSCORES")


def test_big_sorted_set(both):
    rng = random.Random(2)
    pairs = [x for i in range(3000) for x in (str(rng.randint(0, 500)), "member:%d" % i)]
    for k in range(0, len(pairs), 600):
        both("ZADD", "z", *pairs[k:k + 600])
    both.run(("ZCARD", "z"), ("ZRANGE", "z", "1000", "1010", "WITHSCORES"),
             ("ZRANK", "z", "member:1234"), ("ZREVRANK", "z", "member:77"),
             ("ZCOUNT", "z", "100", "(200"), ("ZRANGEBYSCORE", "z", "250", "251"),
             ("ZREMRANGEBYRANK", "z", "100", "1999"), ("ZCARD", "z"),
             ("ZRANGE", "z", "90", "110"))


def test_sliding_window_limiter_lets_exactly_the_limit_through(firn):
    """The usual client-side limiter: MULTI ZREMRANGEBYSCORE, ZADD, ZCARD, PEXPIRE; a request
    is allowed when ZCARD is within the limit. 8 concurrent clients, 20 requests each."""
    limit = 37
    allowed = []
    lock = threading.Lock()

    def client(cid):
        conn = firn.raw()
        for i in range(20):
            now_ms = 1700000000000
            conn.cmd("MULTI")
            conn.cmd("ZREMRANGEBYSCORE", "rl", "-inf", str(now_ms - 60000))
            conn.cmd("ZADD", "rl", str(now_ms), "%d-%d" % (cid, i))
            conn.cmd("ZCARD", "rl")
            conn.cmd("PEXPIRE", "rl", "60000")
            reply = decode(conn.cmd("EXEC"))
            if reply[2] <= limit:
                with lock:
                    allowed.append((cid, i))
        conn.close()

    threads = [threading.Thread(target=client, args=(c,)) for c in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == limit


def test_union_inter_diff(both):
    both.run(("ZADD", "za", "1", "a", "2", "b", "3", "c"), ("ZADD", "zb", "10", "b", "20", "d"),
             ("SADD", "sa", "a", "d", "e"), ("ZADD", "zi", "inf", "a", "-inf", "b"),
             ("SET", "str", "v"))
    for cmd in [
        ("ZUNION", "2", "za", "zb"), ("ZUNION", "2", "za", "zb", "WITHSCORES"),
        ("ZUNION", "3", "za", "zb", "sa", "WEIGHTS", "1", "2", "3", "WITHSCORES"),
        ("ZUNION", "2", "za", "zb", "AGGREGATE", "MIN", "WITHSCORES"),
        ("ZUNION", "2", "za", "zb", "AGGREGATE", "max", "WITHSCORES"),
        ("ZUNION", "2", "za", "zi", "WITHSCORES"), ("ZUNION", "2", "zi", "zi", "WITHSCORES"),
        ("ZUNION", "2", "zi", "za", "WEIGHTS", "0", "1", "WITHSCORES"),
        ("ZINTER", "2", "za", "zb", "WITHSCORES"), ("ZINTER", "2", "za", "sa", "WITHSCORES"),
        ("ZINTER", "2", "za", "nokey"), ("ZINTER", "3", "za", "zb", "sa"),
        ("ZDIFF", "2", "za", "zb", "WITHSCORES"), ("ZDIFF", "2", "za", "sa"), ("ZDIFF", "1", "nokey"),
        ("ZINTERCARD", "2", "za", "zb"), ("ZINTERCARD", "1", "za", "LIMIT", "2"),
        ("ZINTERCARD", "1", "za", "LIMIT", "0"), ("ZINTERCARD", "0", "za"),
        ("ZINTERCARD", "1", "za", "LIMIT", "-1"), ("ZINTERCARD", "3", "za", "zb"),
        ("ZUNIONSTORE", "dst", "2", "za", "zb", "WEIGHTS", "2", "0.5"),
        ("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
        ("ZINTERSTORE", "dst", "2", "za", "sa", "AGGREGATE", "MAX"),
        ("ZRANGE", "dst", "0", "-1", "WITHSCORES"), ("ZDIFFSTORE", "dst", "2", "za", "za"),
        ("EXISTS", "dst"), ("ZINTERSTORE", "dst", "2", "za", "nokey"),
        ("ZUNION", "0", "za"), ("ZUNION", "-1", "za"), ("ZUNION", "x", "za"),
        ("ZUNION", "2", "za"), ("ZUNION", "2", "za", "zb", "WEIGHTS", "1"),
        ("ZUNION", "2", "za", "zb", "WEIGHTS", "1", "x"), ("ZUNION", "2", "za", "zb", "AGGREGATE", "foo"),
        ("ZDIFF", "2", "za", "zb", "WEIGHTS", "1", "1"), ("ZDIFF", "1", "za", "AGGREGATE", "MIN"),
        ("ZUNIONSTORE", "dst", "2", "za", "zb", "WITHSCORES"), ("ZUNIONSTORE", "dst", "0", "za"),
        ("ZUNION", "2", "za", "str"), ("ZUNION", "2", "nokey", "str"), ("ZINTER", "2", "nokey", "str"),
        ("ZUNIONSTORE", "str", "1", "za"), ("TYPE", "str"),
    ]:
        both(*cmd)


def test_zmpop(both):
    both.run(("ZADD", "zm", "1", "a", "2", "b", "3", "c"), ("ZMPOP", "2", "nokey", "zm", "MIN"),
             ("ZMPOP", "1", "zm", "MAX", "COUNT", "10"), ("EXISTS", "zm"), ("ZMPOP", "1", "zm", "MAX"),
             ("ZMPOP", "0", "zm", "MIN"), ("ZMPOP", "x", "zm", "MIN"), ("ZMPOP", "1", "zm", "MIDDLE"),
             ("ZMPOP", "1", "zm", "MIN", "COUNT", "0"), ("ZMPOP", "2", "zm", "MIN"),
             ("ZMPOP", "1", "zm", "MIN", "COUNT", "1", "COUNT", "1"), ("SET", "s", "v"),
             ("ZMPOP", "2", "nokey", "s", "MIN"))
    both.f.cmd("HELLO", "3")
    both.r.cmd("HELLO", "3")
    both.run(("ZADD", "zm", "1", "a"), ("ZMPOP", "1", "zm", "MIN"), ("ZMPOP", "1", "zm", "MIN"))


def test_zrandmember_and_zscan(both):
    both.run(("ZADD", "z", "1.5", "a", "0.1", "b", "3", "c", "-inf", "d"),
             ("ZRANDMEMBER", "nokey"), ("ZRANDMEMBER", "nokey", "2"), ("ZRANDMEMBER", "z", "0"),
             ("ZRANDMEMBER", "z", "1", "WITHVALUES"), ("ZRANDMEMBER", "z", "x"),
             ("ZRANDMEMBER", "z", "-9223372036854770000", "WITHSCORES"),
             ("ZRANDMEMBER", "z", "-9223372036854775808"), ("ZRANDMEMBER", "z", "1", "2", "3"),
             ("ZSCAN", "z", "0"), ("ZSCAN", "z", "0", "MATCH", "[ab]"), ("ZSCAN", "nokey", "0"),
             ("ZSCAN", "z", "x"), ("ZSCAN", "z", "0", "COUNT", "0"), ("ZSCAN", "z", "0", "FOO", "1"))
    both.norm("ZRANDMEMBER", "z", "10", "WITHSCORES",
              normalize=lambda r: sorted(zip(r[0::2], r[1::2])))
    fr, rr = both.both_do("ZRANDMEMBER", "z", "-7")
    assert len(decode(fr)) == len(decode(rr)) == 7
    fr, rr = both.both_do("ZRANDMEMBER", "z", "3", "WITHSCORES")
    assert len(decode(fr)) == len(decode(rr)) == 6 and len(set(decode(fr)[0::2])) == 3
    both("ZADD", "big", *[x for i in range(500) for x in (str(i), "m%d" % i)])
    seen = {}
    cursor = b"0"
    while True:
        reply = decode(both.f.cmd("ZSCAN", "big", cursor, "COUNT", "25"))
        cursor = reply[0]
        seen.update(zip(reply[1][0::2], reply[1][1::2]))
        if cursor == b"0":
            break
    assert seen == {b"m%d" % i: b"%d" % i for i in range(500)}
