#!/usr/bin/env python3
"""Load shapes: throughput, errors and latency over time while the number of connections
changes, as in the platform's load tests.

Shapes (connections over time; each connection is closed-loop, one request in flight,
50% GET / 50% SET of 32-byte values over 100,000 keys):
  step-ramp    10, 20, ..., 100 connections, one step every 2 s (0.4 s in --quick)
  spike        20 connections, then 200, then 20 again (3 s each; 1 s in --quick)
  double-wave  two smooth humps from 10 to 100 connections and back (16 s; 4 s in --quick)

Driven by bench/loadgen.cc (C++, one thread), which reports per time slice (250 ms;
100 ms in --quick) the operations, errors, open connections and p50/p95/p99 latency.
Figures per shape: overall rps, errors, p50/p95/p99, the worst slice's p99, and the
slices themselves for the latency-over-time plot.

Standalone: python3 bench/workloads/loadshapes.py --host 127.0.0.1 --port 6379
            [--shape step-ramp|spike|double-wave] [--quick]
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

SHAPE_NAMES = ["step-ramp", "spike", "double-wave"]


def shapes(quick):
    """name -> list of (seconds, connections)."""
    step = 0.4 if quick else 2.0
    spike = 1.0 if quick else 3.0
    wave_steps, wave_len = (16, 4.0) if quick else (32, 16.0)
    wave = []
    for i in range(wave_steps):
        x = (i + 0.5) / wave_steps
        wave.append((wave_len / wave_steps, int(round(10 + 90 * math.sin(2 * math.pi * x) ** 2))))
    return {
        "step-ramp": [(step, c) for c in range(10, 101, 10)],
        "spike": [(spike, 20), (spike, 200), (spike, 20)],
        "double-wave": wave,
    }


def slice_ms(quick):
    return 100 if quick else 250


def run(host, port, shape, quick=False, cpus=None):
    steps = shapes(quick)[shape]
    err = common.check_command(host, port, "SET", "bench:probe:s", "x")
    if err:
        return {"error": "SET: %s" % err}
    spec = ",".join("%g:%d" % (s, c) for s, c in steps)
    total = sum(s for s, _ in steps)
    try:
        out = common.run_loadgen(
            ["--host", host, "--port", port, "--workload", "setget", "--shape", spec,
             "--keys", 100000, "--value-size", 32, "--slice-ms", slice_ms(quick),
             "--max-seconds", total + 5], timeout=total + 120, cpus=cpus)
    except (RuntimeError, ValueError) as e:
        return {"error": str(e)}
    # Drop the tail slice holding the last few replies after the shape ended.
    width = out["slice_ms"] / 1000.0
    slices = [s for s in out["slices"] if s["t"] + width <= total + 1e-6]
    res = {k: out[k] for k in ("rps", "requests", "errors", "connect_errors", "first_error",
                               "p50_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms")}
    res["worst_slice_p99_ms"] = max((s["p99_ms"] for s in slices), default=None)
    res["min_slice_rps"] = min((s["rps"] for s in slices), default=None)
    res["slices"] = slices
    res["shape"] = spec
    if out["requests"] == 0:
        res["error"] = "no request completed: %s" % (out["first_error"] or "?")
    return res


def main():
    def extra(p):
        p.add_argument("--shape", choices=SHAPE_NAMES, action="append")
        p.add_argument("--slices", action="store_true", help="print the per-slice figures")
    a = common.standalone_args(__doc__.splitlines()[0], extra)
    out = {}
    for name in a.shape or SHAPE_NAMES:
        out[name] = run(a.host, a.port, name, a.quick)
        if not a.slices:
            out[name].pop("slices", None)
    common.print_json(out)


if __name__ == "__main__":
    main()
