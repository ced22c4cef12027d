#!/usr/bin/env python3
"""Bit commands and HyperLogLog with redis-benchmark.

Rows, each at -P 1 and -P 16 with 50 clients (keys and elements from __rand_int__ over
-r 100000):
  SETBIT          SETBIT bits:<N> 100 1 (redis-benchmark's random numbers are zero-padded,
                  which no offset parser takes, so the key varies, not the offset)
  BITCOUNT        BITCOUNT of one 100 KB string
  BITFIELD        BITFIELD bf:<N> INCRBY u8 #2 1
  PFADD sparse    PFADD into up to 100,000 sketches (a few elements each: sparse)
  PFADD dense     PFADD into one dense sketch (20,000 elements beforehand)
  PFCOUNT         PFCOUNT of that dense sketch (stale after every PFADD row, then cached)
  PFCOUNT 3 keys  PFCOUNT of three dense sketches (the union, computed every time)

Figures per row: requests per second and latency percentiles (throughput.parse_output).
Standalone: python3 bench/workloads/bits.py --host 127.0.0.1 --port 6379 [--quick]
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import throughput  # noqa: E402

ROWS = [
    ("SETBIT", ["SETBIT", "bits:__rand_int__", "100", "1"]),
    ("BITCOUNT", ["BITCOUNT", "bench:bits:big"]),
    ("BITFIELD", ["BITFIELD", "bf:__rand_int__", "INCRBY", "u8", "#2", "1"]),
    ("PFADD sparse", ["PFADD", "hll:__rand_int__", "e:__rand_int__"]),
    ("PFADD dense", ["PFADD", "bench:hll:dense", "e:__rand_int__"]),
    ("PFCOUNT", ["PFCOUNT", "bench:hll:dense"]),
    ("PFCOUNT 3 keys", ["PFCOUNT", "bench:hll:dense", "bench:hll:d2", "bench:hll:d3"]),
]


def prepare(host, port):
    with common.Client(host, port) as c:
        c.call("SET", "bench:bits:big", os.urandom(100_000))
        for key in ("bench:hll:dense", "bench:hll:d2", "bench:hll:d3"):
            c.pipeline([("PFADD", key) + tuple("%s:%d" % (key, i) for i in range(j, j + 500))
                        for j in range(0, 20_000, 500)])


def run_row(host, port, command, pipeline, requests, cpus=None, timeout=300):
    err = common.check_command(host, port, command[0], *(a.replace("__rand_int__", "1")
                                                         for a in command[1:]))
    if err:
        return {"error": "%s: %s" % (command[0], err)}
    cmd = common.pin_prefix(cpus) + [
        "redis-benchmark", "-h", host, "-p", str(port), "-c", "50", "-n", str(requests),
        "-r", "100000", "-P", str(pipeline), "--precision", "3"] + command
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "redis-benchmark timed out after %d s" % timeout}
    res = throughput.parse_output(r.stdout + r.stderr)
    if r.returncode != 0 or "rps" not in res:
        return {"error": "redis-benchmark exit %d" % r.returncode}
    return res


def rows(quick=False):
    n_p1, n_p16 = (5_000, 50_000) if quick else (50_000, 500_000)
    return [("%s P%d" % (name, p), command, p, n)
            for p, n in ((1, n_p1), (16, n_p16)) for name, command in ROWS]


def run(host, port, quick=False, cpus=None):
    prepare(host, port)
    return {name: run_row(host, port, command, p, n, cpus) for name, command, p, n in rows(quick)}


if __name__ == "__main__":
    a = common.standalone_args(__doc__.splitlines()[0])
    common.print_json(run(a.host, a.port, a.quick))
