"""List commands: replies (errors included) compared byte for byte with redis-server."""

import random


def test_push_pop_len(both):
    both.run(
        ("LPUSH", "l", "a"),
        ("LPUSH", "l", "b", "c"),
        ("RPUSH", "l", "d", "e", "f"),
        ("LLEN", "l"),
        ("LRANGE", "l", "0", "-1"),
        ("LPOP", "l"),
        ("RPOP", "l"),
        ("LPOP", "l", "2"),
        ("RPOP", "l", "1"),
        ("LPOP", "l", "0"),
        ("LPOP", "l", "100"),
        ("EXISTS", "l"),
        ("LPOP", "l"),
        ("LPOP", "l", "0"),
        ("LPOP", "l", "3"),
        ("RPOP", "l", "3"),
        ("LLEN", "l"),
        ("LPUSHX", "l", "x"),
        ("RPUSHX", "l", "x"),
        ("EXISTS", "l"),
        ("RPUSH", "l", "x"),
        ("LPUSHX", "l", "y", "z"),
        ("RPUSHX", "l", "w"),
        ("LRANGE", "l", "0", "-1"),
        ("TYPE", "l"),
        ("OBJECT", "ENCODING", "l"),
    )


def test_pop_count_errors(both):
    both.run(
        ("RPUSH", "l", "a", "b"),
        ("LPOP", "l", "-1"),
        ("LPOP", "l", "x"),
        ("RPOP", "l", "1.5"),
        ("LPOP", "l", "1", "2"),
        ("LPOP", "nokey", "-1"),
        ("LPOP", "l", "9223372036854775807"),
        ("LLEN", "l"),
    )


def test_wrong_type(both):
    both.run(("SET", "s", "v"), ("RPUSH", "l", "a"))
    for cmd in [
        ("LPUSH", "s", "a"), ("RPUSH", "s", "a"), ("LPUSHX", "s", "a"), ("RPUSHX", "s", "a"),
        ("LPOP", "s"), ("RPOP", "s", "2"), ("LLEN", "s"), ("LRANGE", "s", "0", "-1"),
        ("LINDEX", "s", "0"), ("LSET", "s", "0", "x"), ("LINSERT", "s", "BEFORE", "a", "b"),
        ("LREM", "s", "0", "a"), ("LTRIM", "s", "0", "1"), ("LPOS", "s", "a"),
        ("LMOVE", "s", "l", "LEFT", "LEFT"), ("LMOVE", "l", "s", "LEFT", "LEFT"),
        ("RPOPLPUSH", "s", "l"), ("RPOPLPUSH", "l", "s"), ("LMPOP", "2", "s", "l", "LEFT"),
        ("LMPOP", "2", "nokey", "s", "LEFT"), ("GET", "l"), ("APPEND", "l", "x"),
        ("INCR", "l"),
    ]:
        both(*cmd)
    both.run(("LRANGE", "l", "0", "-1"), ("GET", "s"))


def test_lrange_indexes(both):
    both(*(["RPUSH", "l"] + [str(i) for i in range(10)]))
    for start, stop in [(0, -1), (0, 0), (-1, -1), (-3, -1), (2, 5), (5, 2), (-100, 100),
                        (10, 20), (9, 9), (-10, -10), (-11, -11), (3, -8), (3, -7),
                        ("x", 1), (0, "y"), (0, "1.0"),
                        (-9223372036854775808, 9223372036854775807)]:
        both("LRANGE", "l", str(start), str(stop))
    both.run(("LRANGE", "nokey", "0", "-1"), ("LRANGE", "nokey", "x", "1"))


def test_lindex_lset(both):
    both.run(
        ("RPUSH", "l", "a", "b", "c"),
        ("LINDEX", "l", "0"), ("LINDEX", "l", "-1"), ("LINDEX", "l", "-3"),
        ("LINDEX", "l", "3"), ("LINDEX", "l", "-4"), ("LINDEX", "l", "x"),
        ("LINDEX", "nokey", "0"), ("LINDEX", "nokey", "x"),
        ("LSET", "l", "1", "B"), ("LSET", "l", "-1", "C" * 1000), ("LSET", "l", "3", "x"),
        ("LSET", "l", "-4", "x"), ("LSET", "l", "x", "x"), ("LSET", "nokey", "0", "x"),
        ("LSET", "nokey", "x", "x"), ("LRANGE", "l", "0", "-1"), ("LSET", "l", "0", ""),
        ("LRANGE", "l", "0", "-1"),
    )


def test_linsert(both):
    both.run(
        ("LINSERT", "nokey", "BEFORE", "a", "x"),
        ("RPUSH", "l", "a", "b", "a"),
        ("LINSERT", "l", "BEFORE", "a", "x"),
        ("LINSERT", "l", "after", "a", "y"),
        ("LINSERT", "l", "AFTER", "b", "z"),
        ("LINSERT", "l", "before", "zz", "q"),
        ("LINSERT", "l", "MIDDLE", "a", "q"),
        ("LINSERT", "nokey", "MIDDLE", "a", "q"),
        ("LRANGE", "l", "0", "-1"),
    )


def test_lrem(both):
    both(*(["RPUSH", "l"] + ["a", "b", "a", "c", "a", "b", "a"]))
    both.run(
        ("LREM", "l", "1", "a"), ("LRANGE", "l", "0", "-1"),
        ("LREM", "l", "-2", "a"), ("LRANGE", "l", "0", "-1"),
        ("LREM", "l", "0", "b"), ("LRANGE", "l", "0", "-1"),
        ("LREM", "l", "0", "zz"), ("LREM", "l", "x", "a"),
        ("LREM", "l", "-9223372036854775808", "a"), ("LREM", "l", "0", "c"),
        ("EXISTS", "l"), ("LREM", "nokey", "0", "a"),
    )


def test_ltrim(both):
    for start, stop in [(0, -1), (1, -2), (2, 2), (5, 2), (-3, -1), (0, 100), (100, 200),
                        (-100, 0)]:
        both("DEL", "l")
        both(*(["RPUSH", "l"] + [str(i) for i in range(8)]))
        both("LTRIM", "l", str(start), str(stop))
        both("LRANGE", "l", "0", "-1")
        both("EXISTS", "l")
    both.run(("LTRIM", "nokey", "0", "1"), ("LTRIM", "l", "x", "1"), ("EXISTS", "nokey"))


def test_lpos(both):
    both(*(["RPUSH", "l"] + ["a", "b", "c", "1", "2", "3", "c", "c"]))
    for args in [
        ("c",), ("zz",), ("c", "RANK", "2"), ("c", "RANK", "-1"), ("c", "RANK", "-3"),
        ("c", "RANK", "4"), ("c", "COUNT", "0"), ("c", "COUNT", "2"), ("c", "RANK", "-1", "COUNT", "2"),
        ("c", "MAXLEN", "3"), ("c", "MAXLEN", "7", "COUNT", "0"), ("c", "RANK", "-1", "MAXLEN", "1"),
        ("c", "RANK", "0"), ("c", "COUNT", "-1"), ("c", "MAXLEN", "-1"), ("c", "RANK", "x"),
        ("c", "COUNT", "x"), ("c", "MAXLEN", "x"), ("c", "FOO", "1"), ("c", "RANK"),
        ("c", "COUNT", "1", "COUNT", "2"), ("c", "RANK", "-9223372036854775808"),
        ("c", "RANK", "9223372036854775807"), ("zz", "COUNT", "0"),
    ]:
        both(*(("LPOS", "l") + args))
    both.run(("LPOS", "nokey", "a"), ("LPOS", "nokey", "a", "COUNT", "1"),
             ("LPOS", "nokey", "a", "RANK", "0"))


def test_lmove_rpoplpush(both):
    both.run(
        ("RPUSH", "src", "1", "2", "3"),
        ("LMOVE", "src", "dst", "LEFT", "RIGHT"),
        ("LMOVE", "src", "dst", "right", "left"),
        ("LRANGE", "src", "0", "-1"), ("LRANGE", "dst", "0", "-1"),
        ("LMOVE", "src", "src", "LEFT", "RIGHT"),
        ("LMOVE", "dst", "dst", "RIGHT", "LEFT"),
        ("LRANGE", "dst", "0", "-1"),
        ("RPOPLPUSH", "src", "dst"),
        ("EXISTS", "src"),
        ("RPOPLPUSH", "src", "dst"),
        ("LMOVE", "nokey", "dst", "LEFT", "LEFT"),
        ("LMOVE", "dst", "x", "UP", "LEFT"),
        ("LMOVE", "dst", "x", "LEFT", "DOWN"),
        ("LRANGE", "dst", "0", "-1"),
        ("RPUSH", "one", "v"),
        ("RPOPLPUSH", "one", "one"),
        ("LRANGE", "one", "0", "-1"),
    )


def test_lmpop(both):
    both.run(
        ("RPUSH", "a", "1", "2", "3"),
        ("RPUSH", "b", "x", "y"),
        ("LMPOP", "2", "nokey", "a", "LEFT"),
        ("LMPOP", "2", "nokey", "a", "RIGHT", "COUNT", "10"),
        ("EXISTS", "a"),
        ("LMPOP", "3", "a", "nokey", "b", "left", "count", "1"),
        ("LMPOP", "1", "nokey", "LEFT"),
        ("LMPOP", "0", "b", "LEFT"), ("LMPOP", "-1", "b", "LEFT"), ("LMPOP", "x", "b", "LEFT"),
        ("LMPOP", "2", "b", "LEFT"), ("LMPOP", "1", "b", "UP"),
        ("LMPOP", "1", "b", "LEFT", "COUNT", "0"), ("LMPOP", "1", "b", "LEFT", "COUNT", "x"),
        ("LMPOP", "1", "b", "LEFT", "COUNT"), ("LMPOP", "1", "b", "LEFT", "COUNT", "1", "COUNT", "1"),
        ("LMPOP", "1", "b", "LEFT", "FOO"),
        ("LMPOP", "9223372036854775807", "b", "LEFT"),
        ("LRANGE", "b", "0", "-1"),
    )


def test_resp3_replies(both):
    both.f.cmd("HELLO", "3")
    both.r.cmd("HELLO", "3")
    both.run(
        ("RPUSH", "l", "a", "b"),
        ("LPOP", "nokey"), ("LPOP", "nokey", "1"), ("LPOP", "l", "1"), ("LPOS", "l", "zz"),
        ("LMPOP", "1", "nokey", "LEFT"), ("LMPOP", "1", "l", "LEFT"), ("LINDEX", "nokey", "0"),
        ("LMOVE", "nokey", "x", "LEFT", "LEFT"),
    )


def test_big_elements_and_many_nodes(both):
    # Elements around the length-encoding boundaries and bigger than a node, across many nodes.
    values = [b"x" * n for n in (0, 1, 63, 64, 127, 128, 4095, 4096, 8192, 16384, 70000)]
    for v in values:
        both("RPUSH", "l", v)
        both("LPUSH", "l", v)
    both("LRANGE", "l", "0", "-1")
    both("LINDEX", "l", "11")
    both("LSET", "l", "5", b"y" * 9000)
    both("LINSERT", "l", "BEFORE", b"x" * 4096, b"z" * 5000)
    both("LRANGE", "l", "0", "-1")
    both("LREM", "l", "0", b"x" * 128)
    both("LRANGE", "l", "0", "-1")


def test_random_operations_match(both):
    rng = random.Random(7)
    for _ in range(600):
        v = str(rng.randint(0, 5)) * rng.choice([1, 1, 2, 50, 300])
        op = rng.randint(0, 9)
        if op <= 2:
            both(rng.choice(["LPUSH", "RPUSH"]), "l", v, v + "x")
        elif op == 3:
            both(rng.choice(["LPOP", "RPOP"]), "l", str(rng.randint(0, 3)))
        elif op == 4:
            both("LINSERT", "l", rng.choice(["BEFORE", "AFTER"]), v, "ins")
        elif op == 5:
            both("LREM", "l", str(rng.randint(-2, 2)), v)
        elif op == 6:
            both("LSET", "l", str(rng.randint(-5, 5)), v)
        elif op == 7:
            both("LTRIM", "l", str(rng.randint(-30, 3)), str(rng.randint(-3, 40)))
        elif op == 8:
            both("LPOS", "l", v, "RANK", str(rng.choice([-2, -1, 1, 2])), "COUNT", "0")
        else:
            both("LMOVE", "l", "l", rng.choice(["LEFT", "RIGHT"]), rng.choice(["LEFT", "RIGHT"]))
        if _ % 50 == 0:
            both("LRANGE", "l", "0", "-1")
    both("LRANGE", "l", "0", "-1")


def test_list_node_size_setting(both):
    both.run(
        ("CONFIG", "SET", "list-max-listpack-size", "2"),
        ("CONFIG", "GET", "list-max-listpack-size"),
        ("RPUSH", "l", "1", "2", "3", "4", "5"),
        ("LINSERT", "l", "AFTER", "3", "x"),
        ("LRANGE", "l", "0", "-1"),
        ("CONFIG", "SET", "list-max-listpack-size", "-2"),
    )
