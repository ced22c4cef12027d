"""Redis <-> Firn through dump.rdb and DUMP/RESTORE, encoding by encoding: for each type, values
on both sides of each of Redis 7.0's size thresholds (listpack and hashtable hashes, intset and
hashtable sets, listpack and skiplist sorted sets, quicklists of one and many nodes, compressed
quicklist nodes, LZF strings), with TTLs. After each crossing the values, TTLs and OBJECT
ENCODING are what the other server had.
"""
import os

import pytest
import redis

from test_persist import check_rdb, servers, snapshot  # noqa: F401 (servers is a fixture)


def populate_thresholds(c):
    c.set("str-int", "123456789")
    c.set("str-lzf", "abc" * 1000, px=7200000)
    c.set("str-raw", bytes((i * 37 + 11) % 256 for i in range(300)))
    c.hset("hash-lp", mapping={"f%d" % i: "v%d" % i for i in range(128)})
    c.hset("hash-ht-count", mapping={"f%d" % i: "v%d" % i for i in range(129)})
    c.hset("hash-ht-value", mapping={"short": "1", "long": "v" * 65})
    c.expire("hash-ht-value", 9000)
    c.sadd("set-intset", *range(512))
    c.sadd("set-ht-count", *range(513))
    c.sadd("set-ht-string", 1, 2, "three")
    c.zadd("zset-lp", {"m%d" % i: i * 1.5 for i in range(128)})
    c.zadd("zset-sl-count", {"m%d" % i: -i for i in range(129)}, )
    c.zadd("zset-sl-value", {"m" * 65: 1, "short": 2})
    c.pexpire("zset-sl-value", 8000000)
    c.rpush("list-one-node", *range(100))
    c.rpush("list-many-nodes", *["element-%05d" % i for i in range(20000)])
    c.rpush("list-big-element", "small", "x" * 20000, "small2")
    c.expire("list-many-nodes", 100000)


def encodings(c):
    return {k: c.object("encoding", k) for k in c.keys("*")}


@pytest.mark.parametrize("compress_depth", [0, 1])
def test_redis_file_to_firn_keeps_values_ttls_and_encodings(servers, compress_depth):
    r = servers("redis", opts=["--list-compress-depth", str(compress_depth)])
    rc = r.client()
    populate_thresholds(rc)
    rc.execute_command("SAVE")
    f = servers("firn", os.path.join(r.workdir, "dump.rdb"))
    fc = f.client()
    assert snapshot(fc) == snapshot(rc)
    assert encodings(fc) == encodings(rc)


def test_firn_file_to_redis_keeps_values_ttls_and_encodings(servers):
    f = servers("firn")
    fc = f.client()
    populate_thresholds(fc)
    fc.execute_command("SAVE")
    path = os.path.join(f.workdir, "dump.rdb")
    check_rdb(path)
    r = servers("redis", path)
    rc = r.client()
    assert snapshot(rc) == snapshot(fc)
    assert encodings(rc) == encodings(fc)
    # And back: Redis's own file of what it loaded from Firn loads into Firn unchanged.
    rc.execute_command("SAVE")
    check_rdb(os.path.join(r.workdir, "dump.rdb"))
    f2 = servers("firn", os.path.join(r.workdir, "dump.rdb"), name="firn2")
    assert snapshot(f2.client()) == snapshot(fc)


def test_dump_restore_both_ways_keeps_encodings(servers):
    f, r = servers("firn"), servers("redis", opts=["--list-compress-depth", "2"])
    fc, rc = f.client(), r.client()
    populate_thresholds(rc)
    populate_thresholds(fc)
    for key in sorted(rc.keys("*")):
        assert fc.restore(b"r:" + key, 0, rc.dump(key))
        assert rc.restore(b"f:" + key, 0, fc.dump(key))
        assert fc.object("encoding", b"r:" + key) == rc.object("encoding", key), key
        assert rc.object("encoding", b"f:" + key) == fc.object("encoding", key), key
    sf = {k[2:]: v[:2] for k, v in snapshot(fc).items() if k.startswith(b"r:")}
    sr = {k[2:]: v[:2] for k, v in snapshot(rc).items() if k.startswith(b"f:")}
    assert sf == sr and len(sf) == 15
