#!/usr/bin/env python3
"""GEO and SORT: redis-benchmark running one command line, Firn and Redis side by side.

Setup, on each server: a geo set `bench:geo` of 20,000 places spread over a 2x2 degree
square around (13, 38) (1 km apart on average), and a list `bench:sortl` of 100 random
integers with a weight key `bench:w:N` for each.

Rows, each at -P 1 and -P 16 with 50 clients:
  GEOADD       GEOADD bench:geoadd 13.x 38.x member:__rand_int__ (a new or moved place)
  GEOSEARCH    GEOSEARCH bench:geo FROMLONLAT 13 38 BYRADIUS 5 km ASC COUNT 10 WITHDIST
  GEODIST      GEODIST bench:geo p1 p2 km
  SORT         SORT bench:sortl LIMIT 0 10 (numeric, the whole list sorted)
  SORT BY      SORT bench:sortl BY bench:w:* LIMIT 0 10 (a key read per element)

Figures per row: requests per second and latency percentiles, parsed as the throughput
family parses redis-benchmark (with -P 16, latencies are per batch).

Standalone: python3 bench/workloads/geo.py --host 127.0.0.1 --port 6379 [--quick]
"""

import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import throughput  # noqa: E402

PLACES = 20_000
SORT_LEN = 100

ROWS = {
    "GEOADD": ["GEOADD", "bench:geoadd", "13.5", "38.5", "member:__rand_int__"],
    "GEOSEARCH": ["GEOSEARCH", "bench:geo", "FROMLONLAT", "13", "38", "BYRADIUS", "5", "km",
                  "ASC", "COUNT", "10", "WITHDIST"],
    "GEODIST": ["GEODIST", "bench:geo", "p1", "p2", "km"],
    "SORT": ["SORT", "bench:sortl", "LIMIT", "0", "10"],
    "SORT BY": ["SORT", "bench:sortl", "BY", "bench:w:*", "LIMIT", "0", "10"],
}


def setup(host, port):
    rnd = random.Random(7)
    with common.Client(host, port) as c:
        c.call("DEL", "bench:geo", "bench:geoadd", "bench:sortl")
        for start in range(0, PLACES, 500):
            args = ["GEOADD", "bench:geo"]
            for i in range(start, start + 500):
                args += ["%.6f" % rnd.uniform(12, 14), "%.6f" % rnd.uniform(37, 39), "p%d" % i]
            c.call(*args)
        values = [str(rnd.randrange(1_000_000)) for _ in range(SORT_LEN)]
        c.call("RPUSH", "bench:sortl", *values)
        for v in values:
            c.call("SET", "bench:w:%s" % v, str(rnd.randrange(1_000_000)))


def run_row(host, port, argv, pipeline, requests, cpus=None, timeout=300):
    err = common.check_command(host, port, *[a.replace("__rand_int__", "0") for a in argv])
    if err:
        return {"error": "%s: %s" % (argv[0], err)}
    cmd = common.pin_prefix(cpus) + [
        "redis-benchmark", "-h", host, "-p", str(port), "-c", "50", "-n", str(requests),
        "-r", "100000", "-P", str(pipeline), "--precision", "3"] + argv
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "redis-benchmark timed out after %d s" % timeout}
    res = throughput.parse_output(r.stdout + r.stderr)
    if r.returncode != 0 or "rps" not in res:
        return {"error": "redis-benchmark exit %d" % r.returncode}
    return res


def run(host, port, quick=False, cpus=None):
    """Every row at P1 and P16 against one server."""
    setup(host, port)
    n_p1, n_p16 = (5_000, 50_000) if quick else (50_000, 300_000)
    out = {}
    for pipeline, n in ((1, n_p1), (16, n_p16)):
        for name, argv in ROWS.items():
            out["%s P%d" % (name, pipeline)] = run_row(host, port, argv, pipeline, n, cpus)
    return out


if __name__ == "__main__":
    a = common.standalone_args(__doc__.splitlines()[0])
    common.print_json(run(a.host, a.port, a.quick))
