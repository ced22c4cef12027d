#!/usr/bin/env python3
"""Memory: bytes per key.

Families, each on a freshly started server (the runner starts one per family):
  strings          1,000,000 small string keys `key:N` with 32-byte values
  strings-ttl      the same with a TTL (SET ttl:N ... EX 100000): the expiry's own cost
  hashes           100,000 hashes `hash:N` of 10 fields `f0`..`f9` with 32-byte values
                   (20,000 in --quick)
  strings-k16      1,000,000 keys of exactly 16 bytes (`k16:000000000042`), 32-byte
                   values: issue 4's figure (not in --quick)
  strings-k16-ttl  the same with a TTL

Figures per family: `used_memory` delta (INFO memory, what the allocator reports) per key
and RSS delta (VmRSS from /proc/PID/status) per key, from just before loading to after it
(once used_memory has settled, so a rehash in progress is not counted half-way). The
payload per string key (key + value bytes) is about 42 bytes, to read the overhead
against.

Keys are loaded with pipelined raw RESP on one connection (a writer and a reader), not
one round trip per key.

Standalone: python3 bench/workloads/memory.py --host 127.0.0.1 --port 6379 [--pid PID]
            [--family NAME ...] [--quick]
It loads into the server it is pointed at, so point it at an empty one.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

FAMILIES = ["strings", "strings-ttl", "hashes", "strings-k16", "strings-k16-ttl"]
QUICK_FAMILIES = ["strings", "strings-ttl", "hashes"]
VALUE = b"0123456789abcdef0123456789ABCDEF"  # 32 bytes
HASH_FIELDS = 10


def sizes(quick):
    """Keys per family. The quick run keeps the full string count (bytes per key depend on
    the table size, so a smaller N would not compare with the anchors) but fewer hashes."""
    return {"strings": 1_000_000, "strings-ttl": 1_000_000,
            "strings-k16": 1_000_000, "strings-k16-ttl": 1_000_000,
            "hashes": 20_000 if quick else 100_000}


# string families: (key prefix, zero-padded width of the number or 0, with TTL)
STRING_FAMILIES = {
    "strings": (b"key:", 0, False),
    "strings-ttl": (b"ttl:", 0, True),  # same length as key:, distinct so families can share
    "strings-k16": (b"k16:", 12, False),  # 16-byte keys, as issue 4 states its figure
    "strings-k16-ttl": (b"t16:", 12, True),
}


def _key(prefix, width, i):
    return b"%s%0*d" % (prefix, width, i) if width else b"%s%d" % (prefix, i)


def _string_chunks(family, n, chunk=50_000):
    prefix, width, ttl = STRING_FAMILIES[family]
    head = b"*5\r\n$3\r\nSET\r\n" if ttl else b"*3\r\n$3\r\nSET\r\n"
    tail = b"$2\r\nEX\r\n$6\r\n100000\r\n" if ttl else b""
    val = b"$32\r\n" + VALUE + b"\r\n"
    for start in range(0, n, chunk):
        parts = []
        for i in range(start, min(n, start + chunk)):
            k = _key(prefix, width, i)
            parts.append(b"%s$%d\r\n%s\r\n%s%s" % (head, len(k), k, val, tail))
        yield b"".join(parts)


def _hash_chunks(n, chunk=10_000):
    fields = b"".join(b"$2\r\nf%d\r\n$32\r\n%s\r\n" % (f, VALUE) for f in range(HASH_FIELDS))
    head = b"*%d\r\n$4\r\nHSET\r\n" % (2 + 2 * HASH_FIELDS)
    for start in range(0, n, chunk):
        parts = []
        for i in range(start, min(n, start + chunk)):
            k = b"hash:%d" % i
            parts.append(b"%s$%d\r\n%s\r\n%s" % (head, len(k), k, fields))
        yield b"".join(parts)



_cache = {}


def _payload(family, n):
    """The family's commands, built once and kept for the next server (the runner loads
    the same family into Firn and Redis in turn)."""
    if (family, n) not in _cache:
        _cache.clear()
        gen = _hash_chunks(n) if family == "hashes" else _string_chunks(family, n)
        _cache[(family, n)] = list(gen)
    return _cache[(family, n)]


def _dbsize(host, port):
    """DBSIZE, or None on a server without it (then the key count goes unchecked)."""
    try:
        with common.Client(host, port) as c:
            return c.call("DBSIZE")
    except common.RespError:
        return None


def _settle(host, port, timeout=5.0):
    return common.settle_used_memory(host, port, timeout, period=0.25)


def run_family(host, port, family, n, pid=None):
    """Loads one family into the (empty) server and returns bytes per key."""
    if family == "hashes":
        probe = ("HSET", "bench:probe:h", "f", "x")
    elif STRING_FAMILIES[family][2]:
        probe = ("SET", "bench:probe:s", "x", "EX", "100000")
    else:
        probe = ("SET", "bench:probe:s", "x")
    err = common.check_command(host, port, *probe)
    if err:
        return {"error": "%s: %s" % (probe[0], err)}
    dbsize0 = _dbsize(host, port)  # the probe's key included: it stays
    pid = common.server_pid(host, port, pid)
    used0 = _settle(host, port, 2.0)
    rss0 = common.vm_rss_bytes(pid) if pid else None

    chunks = _payload(family, n)
    try:
        secs, errors, first = common.bulk_load(host, port, chunks, n)
    except common.ProtocolError as e:
        return {"error": "load failed: %s" % e}
    if errors:
        return {"error": "%d error replies while loading, first: %s" % (errors, first)}
    used1 = _settle(host, port)
    rss1 = common.vm_rss_bytes(pid) if pid else None
    dbsize1 = _dbsize(host, port)
    if dbsize0 is not None and dbsize1 is not None and dbsize1 - dbsize0 != n:
        return {"error": "%d of %d keys present after loading (maxmemory set?)"
                % (dbsize1 - dbsize0, n)}
    res = {
        "keys": n,
        "load_seconds": round(secs, 3),
        "used_memory_before": used0,
        "used_memory_after": used1,
        "rss_before": rss0,
        "rss_after": rss1,
        "used_per_key": (used1 - used0) / n if used0 is not None and used1 is not None
        else None,
        "rss_per_key": (rss1 - rss0) / n if rss0 is not None and rss1 is not None else None,
    }
    if family != "hashes":
        prefix, width, _ = STRING_FAMILIES[family]
        sample = range(0, n, max(1, n // 1000))
        res["payload_per_key"] = (sum(len(_key(prefix, width, i)) for i in sample) / len(sample)
                                  + len(VALUE))
    return res


def main():
    def extra(p):
        p.add_argument("--pid", type=int, help="server pid for RSS (default: INFO process_id)")
        p.add_argument("--family", choices=FAMILIES, action="append")
    a = common.standalone_args(__doc__.splitlines()[0], extra)
    n = sizes(a.quick)
    common.print_json({f: run_family(a.host, a.port, f, n[f], a.pid)
                       for f in (a.family or (QUICK_FAMILIES if a.quick else FAMILIES))})


if __name__ == "__main__":
    main()
