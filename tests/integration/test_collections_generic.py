"""Generic key commands on list, hash and set keys, compared byte for byte with redis-server."""

from conftest import decode


def _fill(both):
    both.run(("RPUSH", "l", "a", "b"), ("HSET", "h", "f", "v"), ("SADD", "s", "1", "2"),
             ("SET", "str", "x"))


def test_type_exists_del(both):
    _fill(both)
    both.run(("TYPE", "l"), ("TYPE", "h"), ("TYPE", "s"), ("EXISTS", "l", "h", "s", "nokey"),
             ("DEL", "l", "h"), ("UNLINK", "s"), ("EXISTS", "l", "h", "s"), ("DBSIZE",))


def test_scan_type(both):
    _fill(both)
    for t in ("list", "hash", "set", "string", "zset"):
        both.norm("SCAN", "0", "TYPE", t, "COUNT", "100", normalize=lambda r: sorted(r[1]))


def test_rename_copy_move(both):
    _fill(both)
    both.run(("RENAME", "l", "l2"), ("LRANGE", "l2", "0", "-1"), ("RENAMENX", "h", "s"),
             ("RENAME", "h", "h2"), ("HGETALL", "h2"), ("COPY", "s", "s2"), ("SADD", "s2", "3"),
             ("SMEMBERS", "s"), ("SMEMBERS", "s2"), ("COPY", "l2", "s", "REPLACE"),
             ("TYPE", "s"), ("LRANGE", "s", "0", "-1"), ("MOVE", "h2", "1"), ("EXISTS", "h2"),
             ("SELECT", "1"), ("HGETALL", "h2"), ("OBJECT", "ENCODING", "h2"), ("SELECT", "0"))


def test_expiry(both):
    _fill(both)
    both.run(("EXPIRE", "l", "100"), ("TTL", "l"), ("PERSIST", "l"), ("TTL", "l"),
             ("PEXPIRE", "h", "100000"), ("RPUSH", "l", "c"), ("HSET", "h", "g", "w"),
             ("TTL", "h"), ("LRANGE", "l", "0", "-1"), ("EXPIRE", "s", "0"), ("EXISTS", "s"),
             ("SADD", "s", "9"), ("TTL", "s"), ("OBJECT", "ENCODING", "l"),
             ("OBJECT", "ENCODING", "h"), ("OBJECT", "ENCODING", "s"))


def test_memory_usage_and_keyspace_info(both):
    _fill(both)
    for key in ("l", "h", "s"):
        f, r = both.both_do("MEMORY", "USAGE", key)
        assert decode(f) > 0 and decode(r) > 0
    f, r = both.both_do("INFO", "keyspace")
    assert b"db0:keys=4" in f and b"db0:keys=4" in r
