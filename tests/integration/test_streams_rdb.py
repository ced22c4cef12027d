"""Streams in Redis's RDB encoding, against redis-server 7.0.15: DUMP payloads byte for byte,
RESTORE both ways (XINFO STREAM FULL equal), dump.rdb files with streams both ways (and
redis-check-rdb), Redis 5's payload, and corrupted payloads refused with "Bad data format".

Byte for byte: after the same commands with explicit ids the payloads are identical, CRC
included, unless consumer groups carry times (delivery and seen times come from each server's
clock); those payloads are compared field by field with the times blanked, the listpacks still
compared byte for byte."""
import os
import random
import struct

import pytest

from conftest import decode
from test_persist import check_rdb, servers  # noqa: F401  (servers is a fixture)
from test_streams import _xinfo_norm


# ---- a reader of the stream object, for comparing payloads with their times blanked ----

class _Reader:
    def __init__(self, b):
        self.b, self.p = b, 0

    def take(self, n):
        out = self.b[self.p:self.p + n]
        assert len(out) == n, "truncated"
        self.p += n
        return out

    def length(self):
        first = self.take(1)[0]
        kind = first >> 6
        if kind == 0:
            return first & 63
        if kind == 1:
            return ((first & 63) << 8) | self.take(1)[0]
        if first == 0x80:
            return struct.unpack(">I", self.take(4))[0]
        if first == 0x81:
            return struct.unpack(">Q", self.take(8))[0]
        raise AssertionError("encoded string where a length was expected")

    def string(self):
        first = self.b[self.p]
        if first >> 6 != 3:
            return self.take(self.length())
        self.p += 1
        enc = first & 63
        if enc in (0, 1, 2):
            n = (1, 2, 4)[enc]
            return b"int:" + self.take(n)
        assert enc == 3
        clen, ulen = self.length(), self.length()
        return b"lzf:%d:" % ulen + self.take(clen)


def stream_fields(payload, blank_times):
    """The stream object of a DUMP payload as a list of fields (version and CRC dropped)."""
    obj = payload[:-10]
    assert obj[0] == 19, obj[0]
    r = _Reader(obj[1:])
    out = []
    nodes = r.length()
    out.append(nodes)
    for _ in range(nodes):
        out += [r.string(), r.string()]  # master id, listpack
    out += [r.length() for _ in range(8)]
    groups = r.length()
    out.append(groups)
    t = (lambda b: b"T") if blank_times else (lambda b: b)
    for _ in range(groups):
        out += [r.string(), r.length(), r.length(), r.length()]
        pel = r.length()
        out.append(pel)
        for _ in range(pel):
            out += [r.take(16), t(r.take(8)), r.length()]
        consumers = r.length()
        out.append(consumers)
        for _ in range(consumers):
            out += [r.string(), t(r.take(8))]
            n = r.length()
            out += [n] + [r.take(16) for _ in range(n)]
    assert r.p == len(r.b), "bytes left over"
    return out


# ---- CRC64 (Redis's Jones polynomial, reflected), to forge payloads that pass the check ----

def _crc64_table():
    poly = 0x95AC9329AC4BC9B5  # 0xad93d23594c935a9 reflected
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc64_table()


def crc64(data):
    c = 0
    for b in data:
        c = _CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c


def with_crc(body):
    """body: object + 2-byte version; returns the full payload."""
    return body + struct.pack("<Q", crc64(body))


# ---- scenarios: the same commands on both servers ----

def _entries(c, key, n, start=1, fields=("name", "n")):
    for i in range(start, start + n):
        args = []
        for f in fields:
            args += [f, "%s%d" % (f, i) if f != "n" else str(i * 1000)]
        c("XADD", key, "%d-%d" % (i, i % 3), *args)


def _plain(c):
    _entries(c, "s", 250)
    c("XADD", "s", "300-0", "other", "x", "y", "12")
    c("XADD", "s", "300-5", "name", "same", "n", "-7")
    c("XDEL", "s", "1-1", "50-2", "101-2", "300-0")


def _big_values(c):
    # Values of 1000 bytes: nodes close on stream-node-max-bytes; listpacks compress.
    for i in range(1, 12):
        c("XADD", "b", "%d-0" % i, "payload", ("v%d" % i) * 300, "n", str(i))


def _trimmed(c):
    _entries(c, "t", 500)
    c("XTRIM", "t", "MAXLEN", "=", "333")
    c("XTRIM", "t", "MINID", "~", "300-0")
    c("XADD", "t", "MAXLEN", "~", "100", "900-0", "name", "x", "n", "1")
    c("XSETID", "t", "1000-0", "ENTRIESADDED", "999", "MAXDELETEDID", "400-0")


def _small_nodes(c):
    c("CONFIG", "SET", "stream-node-max-entries", "7")
    c("CONFIG", "SET", "stream-node-max-bytes", "300")
    try:
        _entries(c, "n", 60, fields=("a", "b", "c"))
        c("XDEL", "n", *["%d-%d" % (i, i % 3) for i in range(1, 60, 4)])
        c("XADD", "n", "70-0", "a", "1")
    finally:
        c("CONFIG", "SET", "stream-node-max-entries", "100")
        c("CONFIG", "SET", "stream-node-max-bytes", "4096")


def _groups(c):
    _entries(c, "g", 40)
    c("XDEL", "g", "5-2", "6-0")
    c("XGROUP", "CREATE", "g", "g1", "0")
    c("XGROUP", "CREATE", "g", "g2", "$", "ENTRIESREAD", "3")
    c("XGROUP", "CREATE", "g", "123", "10-1")
    c("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "g", ">")
    c("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "g", ">")
    c("XREADGROUP", "GROUP", "123", "7", "COUNT", "2", "STREAMS", "g", ">")
    c("XREADGROUP", "GROUP", "g1", "carol", "NOACK", "COUNT", "2", "STREAMS", "g", ">")
    c("XACK", "g", "g1", "2-2")
    c("XCLAIM", "g", "g1", "bob", "0", "1-1", "3-0", "TIME", "1700000000000", "RETRYCOUNT", "9")
    c("XGROUP", "CREATECONSUMER", "g", "g2", "idle")
    c("XAUTOCLAIM", "g", "g1", "dave", "0", "0-0", "COUNT", "1")


SCENARIOS = {
    "plain": (_plain, "s", False),
    "big_values": (_big_values, "b", False),
    "trimmed": (_trimmed, "t", False),
    "small_nodes": (_small_nodes, "n", False),
    "groups": (_groups, "g", True),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_dump_payload_is_redis_s(both, name):
    scenario, key, has_times = SCENARIOS[name]
    scenario(both)
    fr, rr = both.both_do("DUMP", key)
    f, r = decode(fr), decode(rr)
    if not has_times:
        assert f == r
    else:
        assert stream_fields(f, True) == stream_fields(r, True)
    # Either payload restores on either server to the same stream.
    for payload in (f, r):
        both("RESTORE", "copy", "0", payload, "REPLACE")
        both.norm("XINFO", "STREAM", "copy", "FULL", normalize=_xinfo_norm)
        both("XINFO", "GROUPS", "copy")
        both("XRANGE", "copy", "-", "+")
    # Firn's payload restored on Redis and Redis's on Firn give the same XINFO STREAM FULL
    # (times included: they travel in the payload).
    both.f.cmd("RESTORE", "x", "0", r, "REPLACE")
    both.r.cmd("RESTORE", "x", "0", f, "REPLACE")
    fx, rx = decode(both.f.cmd("XINFO", "STREAM", "x", "FULL")), \
        decode(both.r.cmd("XINFO", "STREAM", "x", "FULL"))
    fo, ro = decode(both.f.cmd("XINFO", "STREAM", key, "FULL")), \
        decode(both.r.cmd("XINFO", "STREAM", key, "FULL"))
    assert _xinfo_norm(fx) == _xinfo_norm(ro)
    assert _xinfo_norm(rx) == _xinfo_norm(fo)
    # Appending after a RESTORE keeps the node layout in step.
    for k in ("x", "copy"):
        both("XADD", k, "5000-0", "name", "after", "n", "1")
    assert decode(both.f.cmd("DUMP", "copy"))[:-10] == decode(both.r.cmd("DUMP", "copy"))[:-10]


def test_redis5_payload_restores_as_on_redis(both):
    # Redis 5's DUMP (type 15, from Redis's own suite): 7.0's counters are derived.
    payload = bytes.fromhex(
        "0f011000000000000000010000000000000000c3404a40571657000000230002010401010184646174610500"
        "0103010020010381610204200a0001400a0062600a0002400a0063600a4022018164200a4039200a0065600a"
        "0005400a0066200a00ff02060002026731050004000000000000000100000000000000003ef783437a010000"
        "01000000000000000200000000000000003ef783437a01000001000000000000000400000000000000003ef7"
        "83437a01000001000000000000000500000000000000003ef783437a0100000101036331313ef783437a0100"
        "0004000000000000000100000000000000000000000000000002000000000000000000000000000000040000"
        "000000000000000000000000000500000000000000000267320000000009003d52ef6867521dfa")
    both("RESTORE", "x", "0", payload)
    both("XINFO", "STREAM", "x", "FULL")
    both("DUMP", "x")


def test_corrupted_payloads_answer_bad_data_format(firn):
    """Truncated objects and flipped bytes, each with a valid CRC: refused or loaded, never a
    crash; a refused one leaves nothing behind."""
    c = firn.raw()
    for i in range(1, 30):
        c.cmd("XADD", "s", "%d-1" % i, "f", "v%d" % i, "n", str(i))
    c.cmd("XDEL", "s", "3-1")
    c.cmd("XGROUP", "CREATE", "s", "g", "0")
    c.cmd("XREADGROUP", "GROUP", "g", "c", "COUNT", "4", "STREAMS", "s", ">")
    payload = decode(c.cmd("DUMP", "s"))
    body = payload[:-8]
    obj, version = body[:-2], body[-2:]
    rng = random.Random(7)
    refused = 0
    for n in list(range(1, len(obj), 3)) + [len(obj) - 1]:
        got = c.cmd("RESTORE", "t", "0", with_crc(obj[:n] + version), "REPLACE")
        assert got == b"-ERR Bad data format\r\n", (n, got)
    for _ in range(300):
        bad = bytearray(obj)
        for _ in range(rng.randint(1, 3)):
            bad[rng.randrange(1, len(bad))] ^= rng.randint(1, 255)
        got = c.cmd("RESTORE", "t", "0", with_crc(bytes(bad) + version), "REPLACE")
        if got == b"+OK\r\n":
            # Whatever loads is whole: it reads and dumps.
            decode(c.cmd("XRANGE", "t", "-", "+"))
            decode(c.cmd("XINFO", "STREAM", "t", "FULL"))
            assert decode(c.cmd("DUMP", "t")) is not None
        else:
            assert got == b"-ERR Bad data format\r\n", got
            refused += 1
    assert refused > 150
    assert c.cmd("PING") == b"+PONG\r\n"


def _populate_streams(c):
    for i in range(1, 300):
        c.execute_command("XADD", "s1", "%d-0" % i, "f", "v%d" % i, "n", i)
    c.execute_command("XDEL", "s1", "7-0", "100-0")
    c.execute_command("XGROUP", "CREATE", "s1", "g", "0")
    c.execute_command("XREADGROUP", "GROUP", "g", "c1", "COUNT", "10", "STREAMS", "s1", ">")
    c.execute_command("XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM")
    c.execute_command("XADD", "big", "1-0", "payload", "x" * 5000)
    c.execute_command("PEXPIRE", "big", 900000)


def _stream_state(c):
    out = {}
    for key in sorted(c.keys("*")):
        out[key] = (c.type(key), c.execute_command("XINFO", "STREAM", key, "FULL"),
                    c.execute_command("PEXPIRETIME", key))
    return out


def test_redis_dump_rdb_with_streams_loads_into_firn(servers):  # noqa: F811
    r = servers("redis")
    _populate_streams(r.client())
    r.client().execute_command("SAVE")
    want = _stream_state(r.client())
    f = servers("firn", os.path.join(r.workdir, "dump.rdb"))
    got = _stream_state(f.client())
    assert [(k, v[0], v[2]) for k, v in got.items()] == [(k, v[0], v[2]) for k, v in want.items()]
    for k in want:
        assert _xinfo_norm(got[k][1]) == _xinfo_norm(want[k][1])


def test_firn_dump_rdb_with_streams_loads_into_redis_and_passes_check(servers):  # noqa: F811
    f = servers("firn")
    _populate_streams(f.client())
    f.client().execute_command("SAVE")
    path = os.path.join(f.workdir, "dump.rdb")
    check_rdb(path)
    want = _stream_state(f.client())
    r = servers("redis", path)
    got = _stream_state(r.client())
    assert list(got) == list(want)
    for k in want:
        assert _xinfo_norm(got[k][1]) == _xinfo_norm(want[k][1])
        assert got[k][2] == want[k][2]
