#!/usr/bin/env python3
"""Expiry: how long until 200,000 keys with a 1-second TTL are reclaimed.

Loads 200,000 keys `exp:N` (32-byte values, PX 1000) with pipelined raw RESP, then polls
DBSIZE and INFO memory every 50 ms, never touching the keys themselves (a read would
expire them lazily and hide what the active expiry does). The clock starts at the last
deadline, taken as the arrival of the last SET's reply plus 1 s (an upper bound on the
last key's deadline, so the figures are if anything slightly low).

Figures:
  keys_reclaimed_s    seconds after the last deadline until DBSIZE is back to its
                      value before loading
  memory_reclaimed_s  seconds after the last deadline until used_memory is back within
                      5% (or 64 KiB) of its value before loading
  series              (t, dbsize, used_memory) samples, for the plot
A figure that is not reached within the time limit is reported as null with `timed_out`.

Standalone: python3 bench/workloads/expiry.py --host 127.0.0.1 --port 6379
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

KEYS = 200_000
TTL_MS = 1000
POLL_S = 0.05
VALUE = b"0123456789abcdef0123456789ABCDEF"


def _chunks(n, chunk=50_000):
    ttl = b"%d" % TTL_MS
    tail = b"$32\r\n%s\r\n$2\r\nPX\r\n$%d\r\n%s\r\n" % (VALUE, len(ttl), ttl)
    for start in range(0, n, chunk):
        parts = []
        for i in range(start, min(n, start + chunk)):
            k = b"exp:%d" % i
            parts.append(b"*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n%s" % (len(k), k, tail))
        yield b"".join(parts)


def _sample(c):
    dbsize = c.call("DBSIZE")
    used = None
    try:
        raw = c.call("INFO", "memory").decode(errors="replace")
    except common.RespError:
        return dbsize, None  # no INFO yet: DBSIZE alone
    for line in raw.splitlines():
        if line.startswith("used_memory:"):
            used = int(line.split(":", 1)[1])
    return dbsize, used


def run(host, port, keys=KEYS, limit_s=30.0):
    err = (common.check_command(host, port, "SET", "bench:probe:e", "x", "PX", "100")
           or common.check_command(host, port, "DBSIZE"))
    if err:
        return {"error": "SET PX / DBSIZE: %s" % err}
    with common.Client(host, port) as c:
        time.sleep(0.2)
        c.call("DEL", "bench:probe:e")
        db0, used0 = _sample(c)
    payload = b"".join(_chunks(keys))  # built beforehand: the load must be much shorter than the TTL
    try:
        secs, errors, first = common.bulk_load(host, port, payload, keys)
    except common.ProtocolError as e:
        return {"error": "load failed: %s" % e}
    if errors:
        return {"error": "%d error replies while loading, first: %s" % (errors, first)}
    last_deadline = time.monotonic() + TTL_MS / 1000.0
    series = []
    keys_s = mem_s = None
    tolerance = None if used0 is None else max(0.05 * used0, 64 * 1024)
    with common.Client(host, port) as c:
        db_loaded, used_loaded = _sample(c)
        while True:
            now = time.monotonic()
            t = now - last_deadline
            dbsize, used = _sample(c)
            series.append((round(t, 3), dbsize, used))
            if t >= 0:
                if keys_s is None and dbsize <= db0:
                    keys_s = t
                if mem_s is None and used is not None and used - used0 <= tolerance:
                    mem_s = t
                if keys_s is not None and (mem_s is not None or used is None):
                    break
            if t > limit_s:
                break
            time.sleep(max(0.0, POLL_S - (time.monotonic() - now)))
    return {
        "keys": keys,
        "load_seconds": round(secs, 3),
        "dbsize_loaded": db_loaded,
        "used_memory_before": used0,
        "used_memory_loaded": used_loaded,
        "keys_reclaimed_s": keys_s,
        "memory_reclaimed_s": mem_s,
        "timed_out": keys_s is None or (mem_s is None and used0 is not None),
        "series": series,
    }


if __name__ == "__main__":
    a = common.standalone_args(__doc__.splitlines()[0])
    res = run(a.host, a.port)
    res["series"] = "%d samples" % len(res.get("series", []))
    common.print_json(res)
