"""dump.rdb files and DUMP payloads in the encodings Redis 2.6 to 6.2 wrote, against
redis-server 7.0.15, which still reads them.

Every file and payload is made here byte by byte (rdb_old.py); redis-server and Firn load the
same bytes and must then hold the same keyspace (values, TTLs), refuse the same corrupt ones,
and skip the same empty keys. Firn's own snapshot of what it loaded must pass redis-check-rdb
and load into redis-server unchanged.
"""
import os
import time

import pytest
import redis

import rdb_old as o
from conftest import RawConn, decode
from test_persist import check_rdb, servers, snapshot  # noqa: F401 (servers is a fixture)

FAR_MS = 4102444800000  # 2100-01-01, in ms
FAR_S = 2000000000       # 2033-05-18, in seconds (a signed 32-bit time_t)


def old_keyspace(now_ms):
    """The records of a file holding every old encoding, some keys with expiries."""
    big_text = "x" * 300  # longer than 253: the next ziplist entry needs a 5-byte prevlen
    return [
        o.select_db(0),
        o.resize_db(20, 4),
        o.key("str", (0, o.string("hello"))),
        o.key("int", (0, o.int_string(-30000))),
        o.key("zl-list", o.obj_list_ziplist(["a", "1", "-1", "127", "200", "70000", "8388608",
                                             "4294967296", big_text, "end"])),
        o.key("linked", o.obj_list_linked(["one", "two", "3"]), expire_ms=FAR_MS),
        o.key("quick", o.obj_quicklist([["n1-a", "n1-b"], [], ["n3-%d" % i for i in range(50)],
                                        [big_text, "12"]])),
        o.key("zl-hash", o.obj_hash_ziplist([("f1", "v1"), ("n", "12345"), ("big", big_text)]),
              expire_s=FAR_S),
        o.key("zipmap", o.obj_hash_zipmap([("name", "firn"), ("k" * 260, "v")], free=2)),
        o.key("zipmap-many", o.obj_hash_zipmap([("f%d" % i, "v%d" % i) for i in range(200)],
                                               count=254)),
        o.key("zl-zset", o.obj_zset_ziplist([("a", "-inf"), ("b", "1"), ("c", "2.5"),
                                             ("d", "100000"), ("e", "inf")])),
        o.key("text-zset", o.obj_zset_text([("x", 1.5), ("y", float("inf")),
                                            ("w", float("-inf")), ("z", -0.25)]),
              freq=7),
        o.key("bin-zset", o.obj_zset_binary([("m%d" % i, i / 7) for i in range(200)]),
              idle=30),
        o.key("iset16", o.obj_intset([1, 2, -3])),
        o.key("iset32", o.obj_intset([1, 70000, -3])),
        o.key("iset64", o.obj_intset([1, 2 ** 40, -(2 ** 35)])),
        o.key("set", o.obj_set(["a", "b", "c"])),
        o.key("hash", o.obj_hash([("f%d" % i, "v" * i) for i in range(100)]),
              expire_ms=now_ms + 3600000),
        o.key("empty-list", o.obj_list_ziplist([])),  # skipped by both, as Redis does
        o.key("past", (0, o.string("gone")), expire_ms=now_ms - 1000),
        o.select_db(2),
        o.key("db2", o.obj_list_ziplist(["in", "db", "2"])),
    ]


def aux_records():
    return [o.aux("redis-ver", "6.2.14"), o.aux("redis-bits", "64"), o.aux("ctime", "1700000000"),
            o.aux("used-mem", "1000000"), o.aux("repl-stream-db", "0"),
            o.aux("repl-id", "a" * 40), o.aux("repl-offset", "0"), o.aux("aof-preamble", "0"),
            o.aux("lua", "return 1")]


def write(tmp_path, name, data):
    path = os.path.join(str(tmp_path), name)
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def loaded(servers, path, kind):
    srv = servers(kind, path)
    return srv, snapshot(srv.client()), snapshot(redis.Redis(port=srv.port, db=2))


@pytest.mark.parametrize("version", [6, 7, 8, 9])
def test_old_encodings_load_as_redis_loads_them(servers, tmp_path, version):
    now_ms = int(time.time() * 1000)
    records = (aux_records() if version >= 7 else []) + old_keyspace(now_ms)
    path = write(tmp_path, "old.rdb", o.rdb_file(version, records))
    r, want, want2 = loaded(servers, path, "redis")
    f, got, got2 = loaded(servers, path, "firn")
    assert got == want
    assert got2 == want2
    assert len(got) == 16 and got[b"linked"][2] == FAR_MS and got[b"zl-hash"][2] == FAR_S * 1000
    assert b"empty-list" not in got and b"past" not in got
    fc = f.client()
    assert fc.lrange("quick", 0, 2) == [b"n1-a", b"n1-b", b"n3-0"]
    assert fc.zscore("text-zset", "w") == float("-inf")
    # What Firn loaded, saved by Firn: redis-check-rdb passes it and Redis loads the same.
    assert fc.execute_command("SAVE") in (b"OK", True)
    saved = os.path.join(f.workdir, "dump.rdb")
    check_rdb(saved)
    r2, again, again2 = loaded(servers, saved, "redis")
    assert again == want and again2 == want2


def test_rdb_v9_with_seconds_expiry_before_the_epoch_drops_the_key_as_redis(servers, tmp_path):
    records = [o.select_db(0), o.key("neg", (0, o.string("v")), expire_s=-5),
               o.key("keep", (0, o.string("v")))]
    path = write(tmp_path, "neg.rdb", o.rdb_file(9, records))
    assert loaded(servers, path, "firn")[1] == loaded(servers, path, "redis")[1]


CORRUPT = {
    "ziplist zlbytes": lambda: o.key("k", (10, o.string(b"\x0c" + o.ziplist(["a"])[1:]))),
    "ziplist prevlen": lambda: o.key("k", (10, o.string(
        o.ziplist(["a", "b"])[:13] + b"\x05" + o.ziplist(["a", "b"])[14:]))),
    "ziplist zllen": lambda: o.key("k", o.obj_list_ziplist(["a", "b"], count=3)),
    "ziplist end byte": lambda: o.key("k", (10, o.string(o.ziplist(["a"])[:-1] + b"\xfe"))),
    "hash ziplist odd count": lambda: o.key("k", (13, o.string(o.ziplist(["f", "v", "g"])))),
    "hash ziplist duplicate": lambda: o.key("k", o.obj_hash_ziplist([("f", "1"), ("f", "2")])),
    "zset ziplist duplicate": lambda: o.key("k", o.obj_zset_ziplist([("m", "1"), ("m", "2")])),
    "zipmap count": lambda: o.key("k", o.obj_hash_zipmap([("a", "1")], count=2)),
    "zipmap duplicate": lambda: o.key("k", o.obj_hash_zipmap([("a", "1"), ("a", "2")])),
    "zipmap truncated": lambda: o.key("k", (9, o.string(o.zipmap([("a", "1")])[:-1]))),
    "text score nan": lambda: o.key("k", o.obj_zset_text([("m", float("nan"))])),
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_corrupt_old_encodings_stop_both_servers(servers, tmp_path, case):
    path = write(tmp_path, "bad.rdb", o.rdb_file(9, [o.select_db(0), CORRUPT[case]()]))
    for kind in ("redis", "firn"):
        with pytest.raises(RuntimeError):
            servers(kind, path)


PAYLOADS = {
    "ziplist list": o.obj_list_ziplist(["a", "1", "300", "-70000", "x" * 300, "z"]),
    "quicklist": o.obj_quicklist([["a", "b"], ["c"], []]),
    "linked list": o.obj_list_linked(["a", "b"]),
    "ziplist hash": o.obj_hash_ziplist([("f", "v"), ("g", "12")]),
    "zipmap hash": o.obj_hash_zipmap([("f", "v"), ("g", "w" * 300)], free=1),
    "ziplist zset": o.obj_zset_ziplist([("b", "-2.5"), ("a", "1"), ("c", "inf")]),
    "text zset": o.obj_zset_text([("a", 1.0), ("b", float("-inf"))]),
    "intset": o.obj_intset([5, -6, 7]),
}


@pytest.fixture
def sanitizing(servers):
    """redis-server checking RESTORE payloads deeply (Firn always does), and Firn."""
    return servers("redis", opts=["--sanitize-dump-payload", "yes"]), servers("firn")


def _restore(srv, key, payload, *extra):
    return RawConn(port=srv.port).cmd("RESTORE", key, "0", payload, *extra)


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_old_format_restore_payloads_restore_as_on_redis(sanitizing, name):
    r, f = sanitizing
    p = o.dump_payload(PAYLOADS[name], version=9)
    assert _restore(f, "k", p) == _restore(r, "k", p) == b"+OK\r\n"
    assert snapshot(f.client()) == snapshot(r.client())
    # A payload of RDB version 6 (Redis 2.8) restores too.
    p6 = o.dump_payload(PAYLOADS[name], version=6)
    assert _restore(f, "k6", p6) == _restore(r, "k6", p6) == b"+OK\r\n"


BAD_PAYLOADS = {
    "ziplist tail": (10, o.string(o.ziplist(["a", "b"])[:4] + b"\x0b\0\0\0" +
                                  o.ziplist(["a", "b"])[8:])),
    "ziplist encoding": (10, o.string(o.ziplist(["a"])[:11] + b"\xc1" + o.ziplist(["a"])[12:])),
    "ziplist string past end": (10, o.string(o.ziplist(["a"])[:11] + b"\x3f" +
                                             o.ziplist(["a"])[12:])),
    "empty ziplist": o.obj_list_ziplist([]),
    "hash duplicate": o.obj_hash_ziplist([("f", "1"), ("f", "2")]),
    "zipmap count": o.obj_hash_zipmap([("a", "1")], count=3),
    "quicklist of nothing": o.obj_quicklist([[]]),
    "zset odd": (12, o.string(o.ziplist(["a", "1", "b"]))),
}


@pytest.mark.parametrize("name", sorted(BAD_PAYLOADS))
def test_corrupt_old_format_payloads_are_refused_as_on_redis(sanitizing, name):
    r, f = sanitizing
    p = o.dump_payload(BAD_PAYLOADS[name], version=9)
    got, want = _restore(f, "k", p), _restore(r, "k", p)
    assert got == want, (got, want)
    assert got.startswith(b"-")
    assert f.client().exists("k") == 0


LIB_CODE = ("redis.register_function('knock', function() return 'Who is there? "
            "Who is there? Who is there?' end)")


def rc_function_record(name="rclib", engine="LUA", code=LIB_CODE, desc="old style"):
    """A FUNCTION record (opcode 0xF6) as 7.0-rc1/rc2 wrote it."""
    return (b"\xf6" + o.string(name) + o.string(engine) + (o.length(1) + o.string(desc)
            if desc is not None else o.length(0)) + o.string(code))


def test_rc_function_records_in_a_file_load_as_on_redis(servers, tmp_path):
    records = [rc_function_record(), rc_function_record(name="nodesc", desc=None,
                                                        code=LIB_CODE.replace("knock", "k2")),
               o.select_db(0), o.key("k", (0, o.string("v")))]
    path = write(tmp_path, "rc.rdb", o.rdb_file(10, records))
    got = []
    for kind in ("redis", "firn"):
        c = servers(kind, path).client()
        got.append((c.fcall("knock", 0), c.fcall("k2", 0), c.get("k"),
                    sorted(lib[b"library_name"] for lib in
                           [dict(zip(x[0::2], x[1::2])) for x in
                            c.execute_command("FUNCTION", "LIST")])))
    assert got[0] == got[1]
    assert got[1][3] == [b"nodesc", b"rclib"]


def test_function_dump_of_redis_with_compressed_code_restores_on_firn(servers):
    r, f = servers("redis"), servers("firn")
    rc, fc = r.client(), f.client()
    rc.function_load("#!lua name=mylib\n" + LIB_CODE)
    payload = rc.function_dump()
    assert payload[1] == 0xC3  # Redis compressed the library's code with LZF
    assert fc.function_restore(payload)
    assert fc.fcall("knock", 0) == rc.fcall("knock", 0)
    # A 7.0-rc record in a FUNCTION RESTORE payload: both servers take it.
    rc_payload = o.dump_payload((rc_function_record()[0], rc_function_record()[1:]), version=10)
    for c in (rc, fc):
        c.function_flush()
        assert c.function_restore(rc_payload)
    assert fc.fcall("knock", 0) == rc.fcall("knock", 0)
