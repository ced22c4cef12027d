#!/usr/bin/env python3
"""Throughput and latency with redis-benchmark.

Rows: SET, GET, INCR, MSET (10 keys), LPUSH, HSET, ZADD, each at -P 1 and -P 16 with 50
clients, 32-byte values, keys drawn from 100,000 (-r 100000); and SET and GET with one
client and no pipelining (-c 1 -P 1), the round-trip latency.

Figures per row: requests per second, and latency avg/min/p50/p95/p99/p99.9/max in
milliseconds. redis-benchmark 7.0 prints the same summary with --csv, but p99.9 only
appears in its full output ("Latency by percentile distribution", whose steps halve the
remaining tail: the 99.902% line is reported as p99.9), so the full output is parsed.
With -P 16 redis-benchmark times a whole pipeline, so latencies there are per batch.

Before a row runs, one probe command checks that the server knows the command; a server
answering an error gets the row as n/a with that error (redis-benchmark 7 would exit on
the first error reply anyway).

Standalone: python3 bench/workloads/throughput.py --host 127.0.0.1 --port 6379 [--quick]
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

TESTS = ["set", "get", "incr", "mset", "lpush", "hset", "zadd"]

# One command per test, on keys of our own, to see whether the server has it.
PROBES = {
    "set": ("SET", "bench:probe:s", "x"),
    "get": ("GET", "bench:probe:s"),
    "incr": ("INCR", "bench:probe:n"),
    "mset": ("MSET", "bench:probe:m1", "x", "bench:probe:m2", "y"),
    "lpush": ("LPUSH", "bench:probe:l", "x"),
    "hset": ("HSET", "bench:probe:h", "f", "x"),
    "zadd": ("ZADD", "bench:probe:z", "1", "x"),
}


def rows(quick=False):
    """The rows in report order: (name, test, clients, pipeline, requests)."""
    n_p1, n_p16, n_rtt = (5_000, 50_000, 1_000) if quick else (50_000, 500_000, 10_000)
    out = []
    for pipeline, n in ((1, n_p1), (16, n_p16)):
        for t in TESTS:
            out.append(("%s P%d" % (t.upper(), pipeline), t, 50, pipeline, n))
    for t in ("set", "get"):
        out.append(("%s c1 P1 (round trip)" % t.upper(), t, 1, 1, n_rtt))
    return out


_SUMMARY_RE = re.compile(r"throughput summary:\s*([0-9.]+)\s*requests per second")
_PCT_RE = re.compile(r"^\s*([0-9.]+)% <= ([0-9.]+) milliseconds")


def parse_output(text):
    """Figures from redis-benchmark's full (non-CSV) output of one test."""
    lines = re.split(r"[\r\n]+", text)
    res = {}
    m = _SUMMARY_RE.search(text)
    if m:
        res["rps"] = float(m.group(1))
    for i, line in enumerate(lines):
        if line.strip().startswith("avg") and "p99" in line and i + 1 < len(lines):
            names = line.split()
            vals = lines[i + 1].split()
            for k, v in zip(names, vals):
                try:
                    res["%s_ms" % k] = float(v)
                except ValueError:
                    pass
    in_dist = False
    for line in lines:
        if line.startswith("Latency by percentile distribution"):
            in_dist = True
            continue
        if in_dist:
            m = _PCT_RE.match(line)
            if not m:
                if line.strip():
                    in_dist = False
                continue
            if float(m.group(1)) >= 99.9 and "p999_ms" not in res:
                res["p999_ms"] = float(m.group(2))
    return res


def run_row(host, port, test, clients, pipeline, requests, cpus=None, timeout=300):
    """Runs one redis-benchmark test; returns the figures, or {'error': text}."""
    err = common.check_command(host, port, *PROBES[test])
    if err:
        return {"error": "%s: %s" % (test.upper(), err)}
    cmd = common.pin_prefix(cpus) + [
        "redis-benchmark", "-h", host, "-p", str(port), "-c", str(clients),
        "-n", str(requests), "-d", "32", "-r", "100000", "-P", str(pipeline),
        "-t", test, "--precision", "3"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "redis-benchmark timed out after %d s" % timeout}
    out = r.stdout + r.stderr
    m = re.search(r"Error from server: ([^\r\n]*)", out)
    if m:
        return {"error": "server error: %s" % m.group(1).strip()}
    res = parse_output(out)
    if r.returncode != 0 or "rps" not in res:
        tail = out.strip().replace("\r", "\n").splitlines()[-3:]
        return {"error": "redis-benchmark exit %d: %s" % (r.returncode, " | ".join(tail))}
    return res


def run(host, port, quick=False, cpus=None):
    """Every row once against one server."""
    return {name: run_row(host, port, t, c, p, n, cpus)
            for name, t, c, p, n in rows(quick)}


if __name__ == "__main__":
    a = common.standalone_args(__doc__.splitlines()[0])
    common.print_json(run(a.host, a.port, a.quick))
