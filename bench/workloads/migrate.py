#!/usr/bin/env python3
"""MIGRATE: keys moved per second from a server into a second server of the same kind
(Firn into Firn, Redis into Redis), over MIGRATE's cached connection.

Rows:
  migrate keys 100   50,000 strings of 100 bytes (10,000 in --quick) moved by
                     MIGRATE host port "" 0 5000 KEYS <100 keys>: keys moved per second.
  migrate 1 key      redis-benchmark -c 1 -n 20000 (5,000 in --quick) of
                     MIGRATE host port key 0 5000 COPY REPLACE of a 10-byte string: calls per
                     second, one at a time (the per-call cost: the round trip to the target).

Standalone (source and target already running):
  python3 bench/workloads/migrate.py --host 127.0.0.1 --port SRC --target-port DST [--quick]
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

ROWS = ["migrate keys 100", "migrate 1 key"]
METRIC = {"migrate keys 100": "keys_per_s", "migrate 1 key": "calls_per_s"}


def _fill(host, port, n, size):
    value = "v" * size
    with common.Client(host, port) as c:
        c.call("FLUSHALL")
        for base in range(0, n, 1000):
            c.pipeline([("SET", "mig:%d" % i, value) for i in range(base, min(n, base + 1000))])


def one_key(host, port, target_port, quick=False):
    with common.Client(host, port) as c:
        c.call("SET", "mig:one", "0123456789")
    n = 5_000 if quick else 20_000
    cmd = ["redis-benchmark", "-h", host, "-p", str(port), "-c", "1", "-n", str(n), "-q",
           "--csv", "MIGRATE", host, str(target_port), "mig:one", "0", "5000", "COPY", "REPLACE"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600).stdout
    for line in out.splitlines():
        parts = [p.strip('"') for p in line.split(",")]
        if len(parts) >= 2 and parts[0] != "test":
            try:
                return {"calls_per_s": float(parts[1]), "calls": n}
            except ValueError:
                continue
    return {"error": "no figure from redis-benchmark: %r" % out[-300:]}


def run(host, port, target_port, row, quick=False):
    if row == "migrate 1 key":
        return one_key(host, port, target_port, quick)
    n = 10_000 if quick else 50_000
    _fill(host, port, n, 100)
    with common.Client(host, target_port) as t:
        t.call("FLUSHALL")
    with common.Client(host, port) as c:
        t0 = time.monotonic()
        for base in range(0, n, 100):
            keys = ["mig:%d" % i for i in range(base, min(n, base + 100))]
            reply = c.call("MIGRATE", host, target_port, "", 0, 5000, "KEYS", *keys)
            if reply not in ("OK", b"OK"):
                return {"error": "MIGRATE answered %r" % (reply,)}
        secs = time.monotonic() - t0
    with common.Client(host, target_port) as t:
        moved = t.call("DBSIZE")
    if moved != n:
        return {"error": "target holds %s keys of %d" % (moved, n)}
    return {"keys_per_s": n / secs, "keys": n}


def family(runner):
    """The `migrate` family of bench/run.py: each server migrating into one of its kind."""
    targets = [runner.firn, runner.redis]
    for row in ROWS:
        for rep in range(runner.reps("migrate")):
            for t in runner.order(targets, rep):
                srv = t.ensure()
                if srv is None:
                    runner.record("migrate", row, t, {"error": t.start_error})
                    continue
                try:
                    dst = common.start_server(t.binary, name=t.key + "-target")
                except Exception as e:  # noqa: BLE001 - a failed row is reported, not fatal
                    runner.record("migrate", row, t, {"error": str(e)})
                    continue
                try:
                    res = run(srv.host, srv.port, dst.port, row, runner.quick)
                except Exception as e:  # noqa: BLE001
                    res = {"error": "%s: %s" % (type(e).__name__, e)}
                dst.stop(common.stop_command_for(t.binary))
                runner.record("migrate", row, t, res)
        print("migrate %-18s %s" % (row, runner.brief("migrate", row, METRIC[row])),
              file=sys.stderr)
    for t in targets:
        t.stop()


def main():
    args = common.standalone_args(
        __doc__.splitlines()[0],
        extra=lambda p: p.add_argument("--target-port", type=int, required=True))
    out = {row: run(args.host, args.port, args.target_port, row, args.quick) for row in ROWS}
    common.print_json(out)


if __name__ == "__main__":
    main()
