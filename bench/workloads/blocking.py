#!/usr/bin/env python3
"""Blocking pops: a BLPOP/LPUSH ping-pong between two clients, in round trips per second.

Two connections pass one token back and forth through two lists: the server side of each
round trip is a client woken from BLPOP by another client's LPUSH, twice. The
"pinger" pushes onto `bench:ping` and waits in BLPOP on `bench:pong`; the "ponger" waits in
BLPOP on `bench:ping` and answers with LPUSH onto `bench:pong`. Each client runs in its own
thread; a round trip is LPUSH ping, ponger woken, LPUSH pong, pinger woken. A fixed number
of round trips (20,000; 5,000 with --quick) after 500 of warm-up.

The figure includes two network round trips per hop and the Python client's own cost, the
same for both servers; what differs is the server's wake-up path.

Standalone: python3 bench/workloads/blocking.py --host 127.0.0.1 --port 6379 [--quick]
"""

import argparse
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

PING = "bench:ping"
PONG = "bench:pong"
WARMUP = 500


def rounds_for(quick):
    return 5_000 if quick else 20_000


def run(host, port, quick=False):
    err = common.check_command(host, port, "BLPOP", "bench:probe", "0.01")
    if err:
        return {"error": "BLPOP: %s" % err}
    total = WARMUP + rounds_for(quick)
    failure = []

    def ponger():
        try:
            with common.Client(host, port) as c:
                for _ in range(total):
                    c.call("BLPOP", PING, "0")
                    c.call("LPUSH", PONG, "t")
        except Exception as e:  # noqa: BLE001 - reported as the row's error
            failure.append(str(e))

    with common.Client(host, port) as c:
        c.call("DEL", PING, PONG)
        t = threading.Thread(target=ponger, daemon=True)
        t.start()
        start = None
        for i in range(total):
            if i == WARMUP:
                start = time.perf_counter()
            c.call("LPUSH", PING, "t")
            if c.call("BLPOP", PONG, "10") is None:
                failure.append("no pong within 10 s")
                break
        secs = time.perf_counter() - start if start is not None else 0.0
        t.join(timeout=15)
    if failure:
        return {"error": failure[0]}
    rounds = total - WARMUP
    return {"round_trips": rounds, "seconds": round(secs, 3),
            "round_trips_per_s": round(rounds / secs, 1) if secs > 0 else None}


def family(runner):
    """bench/run.py's blocking family: the ping-pong on Firn and on redis-server."""
    row = "BLPOP/LPUSH ping-pong"
    for rep in range(runner.reps("blocking")):
        for t in runner.order([runner.firn, runner.redis], rep):
            if t.start():
                res = {"error": t.start_error}
            else:
                try:
                    res = run(t.server.host, t.server.port, runner.quick)
                except Exception as e:  # noqa: BLE001 - a failed row, not a failed run
                    res = {"error": str(e)}
                t.stop()
            runner.record("blocking", row, t, res)
    print("blocking %s" % runner.brief("blocking", row, "round_trips_per_s"), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=6379)
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    common.print_json(run(a.host, a.port, a.quick))


if __name__ == "__main__":
    main()
