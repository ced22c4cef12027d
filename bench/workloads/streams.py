#!/usr/bin/env python3
"""Streams: appends, group consumption, range reads and memory per entry, Firn beside Redis.

Rows:
  xadd P1 / xadd P16   XADD s * f1 v f2 v f3 v from redis-benchmark, 50 connections,
                       unpipelined and 16 deep: requests per second.
  xrange 100           XRANGE s - + COUNT 100 on a stream of 10,000 entries, redis-benchmark
                       P1: requests per second (each returns 100 entries).
  xreadgroup+xack      one consumer drains a 100,000-entry stream (20,000 in --quick) through a
                       group: XREADGROUP COUNT 100, then XACK of the ids it got, pipelined
                       together: entries consumed per second.
  memory             1,000,000 entries (100,000 in --quick) of three small fields
                       (f1 <n> f2 ab f3 cd) appended with '*' in one pipelined stream: the
                       used_memory delta divided by the entries, in bytes.

Standalone: python3 bench/workloads/streams.py --host 127.0.0.1 --port 6379 [--quick]

Instructions per XADD (callgrind, as cpu.py measures SET+GET: the same redis-benchmark XADD
load, 50 connections, at -P 16 and -P 1, less a started-and-stopped baseline):
  python3 bench/workloads/streams.py --callgrind --server BINARY [--quick]
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def _benchmark(host, port, pipeline, requests, *command):
    cmd = ["redis-benchmark", "-h", host,
           "-p", str(port), "-c", "50", "-n", str(requests), "-P", str(pipeline), "-q",
           "--csv"] + [str(a) for a in command]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600).stdout
    # --csv: "test","rps",... one line after the header.
    for line in out.splitlines():
        parts = [p.strip('"') for p in line.split(",")]
        if len(parts) >= 2 and parts[0] not in ("test",):
            try:
                return {"rps": float(parts[1])}
            except ValueError:
                continue
    return {"error": "no figure from redis-benchmark: %r" % out[-300:]}


def xadd(host, port, pipeline, quick=False):
    with common.Client(host, port) as c:
        c.call("DEL", "bench:s")
    n = 100_000 if quick else 500_000
    res = _benchmark(host, port, pipeline, n, "XADD", "bench:s", "*", "f1", "v", "f2", "v",
                     "f3", "v")
    with common.Client(host, port) as c:
        c.call("DEL", "bench:s")
    return res


def xrange100(host, port, quick=False):
    with common.Client(host, port) as c:
        c.call("DEL", "bench:r")
        for base in range(0, 10_000, 1000):
            c.pipeline([("XADD", "bench:r", "*", "f1", str(i), "f2", "ab", "f3", "cd")
                        for i in range(base, base + 1000)])
    res = _benchmark(host, port, 1, 20_000 if quick else 100_000, "XRANGE", "bench:r", "-", "+",
                     "COUNT", "100")
    with common.Client(host, port) as c:
        c.call("DEL", "bench:r")
    return res


def consume(host, port, quick=False):
    n = 20_000 if quick else 100_000
    with common.Client(host, port) as c:
        c.call("DEL", "bench:q")
        for base in range(0, n, 1000):
            c.pipeline([("XADD", "bench:q", "*", "job", str(i)) for i in range(base, base + 1000)])
        c.call("XGROUP", "CREATE", "bench:q", "g", "0")
        consumed = 0
        pending = []
        t0 = time.monotonic()
        while True:
            cmds = [("XREADGROUP", "GROUP", "g", "w", "COUNT", "100", "STREAMS", "bench:q", ">")]
            if pending:
                cmds.append(tuple(["XACK", "bench:q", "g"] + pending))
            replies = c.pipeline(cmds)
            got = replies[0]
            if not got:
                break
            pending = [e[0] for e in got[0][1]]
            consumed += len(pending)
        secs = time.monotonic() - t0
        left = c.call("XPENDING", "bench:q", "g")[0]
        c.call("DEL", "bench:q")
    return {"entries_per_s": consumed / secs, "consumed": consumed, "unacked": left}


def memory_per_entry(host, port, quick=False):
    n = 100_000 if quick else 1_000_000
    with common.Client(host, port) as c:
        c.call("FLUSHALL")
    base = common.settle_used_memory(host, port)

    def chunks():
        for start in range(0, n, 10_000):
            yield b"".join(common.encode("XADD", "bench:m", "*", "f1", str(i), "f2", "ab",
                                         "f3", "cd") for i in range(start, start + 10_000))

    secs, errors, first = common.bulk_load(host, port, chunks(), n)
    if errors:
        return {"error": "%d errors, first: %s" % (errors, first)}
    used = common.settle_used_memory(host, port)
    with common.Client(host, port) as c:
        c.call("FLUSHALL")
    return {"bytes_per_entry": (used - base) / n, "entries": n, "load_s": secs}


ROWS = ["xadd P1", "xadd P16", "xrange 100", "xreadgroup+xack", "memory"]


def run(host, port, row, quick=False):
    if row == "xadd P1":
        return xadd(host, port, 1, quick)
    if row == "xadd P16":
        return xadd(host, port, 16, quick)
    if row == "xrange 100":
        return xrange100(host, port, quick)
    if row == "xreadgroup+xack":
        return consume(host, port, quick)
    return memory_per_entry(host, port, quick)


METRIC = {"xadd P1": "rps", "xadd P16": "rps", "xrange 100": "rps",
          "xreadgroup+xack": "entries_per_s", "memory": "bytes_per_entry"}


def family(runner):
    """The `streams` family of bench/run.py: every row on Firn and on Redis."""
    targets = [runner.firn, runner.redis]
    for row in ROWS:
        for rep in range(runner.reps("streams")):
            for t in runner.order(targets, rep):
                srv = t.ensure()
                res = {"error": t.start_error} if srv is None else common_safe(
                    run, srv.host, srv.port, row, runner.quick)
                runner.record("streams", row, t, res)
        print("streams %-16s %s" % (row, runner.brief("streams", row, METRIC[row])),
              file=sys.stderr)
    for t in targets:
        t.stop()


def common_safe(fn, *args):
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 - a failed row is reported, not fatal
        return {"error": "%s: %s" % (type(e).__name__, e)}


def xadd_instructions(binary, quick=False):
    """Instructions per XADD request for binary at -P 16 and -P 1 (callgrind)."""
    import cpu  # noqa: E402 - only this mode needs it
    n = 5_000 if quick else 20_000
    base = cpu.baseline(binary)
    if "error" in base:
        return base
    out = {}
    for depth in (16, 1):
        tmp = os.path.join("/tmp", "firn-bench-xadd-%d-%d.out" % (os.getpid(), depth))

        def load(h, p, depth=depth):
            res = _benchmark(h, p, depth, n, "XADD", "bench:s", "*", "f1", "v", "f2", "v",
                             "f3", "v")
            if "error" in res:
                raise RuntimeError(res["error"])

        try:
            ir = cpu._callgrind_run(binary, tmp, load)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            out["XADD P%d" % depth] = {"error": str(e)}
            continue
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        out["XADD P%d" % depth] = {"instr_per_req": (ir - base["baseline_ir"]) / n,
                                   "requests": n}
    return out


def main():
    if "--callgrind" in sys.argv:
        binary = sys.argv[sys.argv.index("--server") + 1]
        common.print_json(xadd_instructions(binary, "--quick" in sys.argv))
        return
    args = common.standalone_args(__doc__.splitlines()[0])
    out = {row: run(args.host, args.port, row, args.quick) for row in ROWS}
    common.print_json(out)


if __name__ == "__main__":
    main()
