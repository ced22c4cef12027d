#!/usr/bin/env python3
"""CPU per request: instructions per request under valgrind --tool=callgrind.

Unlike wall-clock throughput, this figure hardly moves with machine noise, so it is the
one to compare between commits. For one server binary:

  1. baseline: start the server under callgrind, send one PING, stop it gracefully;
  2. load: start it again under callgrind, run a fixed redis-benchmark load (SET then GET,
     N requests each, keys drawn from 1,000, 32-byte values, 50 clients, at -P 16 or -P 1),
     stop it gracefully (SHUTDOWN NOSAVE for redis-server, SHUTDOWN then SIGTERM for Firn);
  3. instructions per request = (Ir(load) - Ir(baseline)) / (2 N).

Ir is the total of the `totals:` (or `summary:`) line of the callgrind output, all
threads together; subtracting the baseline removes start-up and shutdown. The clients
run natively, so under callgrind's ~50x slowdown the server always finds work queued:
per-request costs are those of a busy server.

This workload starts its own servers, so it takes a binary rather than a host:
  python3 bench/workloads/cpu.py --server /usr/bin/redis-server [--quick]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

KEYS = 1000
CLIENTS = 50


def requests_each(quick):
    """SET requests (and as many GET requests) per measurement."""
    return 5_000 if quick else 20_000


def read_total_ir(path):
    """The total instruction count (Ir) of a callgrind output file."""
    total = None
    with open(path, "rb") as f:
        for raw in f:
            if raw.startswith(b"totals:") or raw.startswith(b"summary:"):
                try:
                    total = int(raw.split()[1])
                except (IndexError, ValueError):
                    pass
    if total is None:
        raise RuntimeError("no totals/summary line in %s" % path)
    return total


def _callgrind_run(binary, out_file, load, cpus=None):
    """Starts the server under callgrind, runs load(host, port), stops it; returns Ir."""
    def argv(port):
        return ["valgrind", "--tool=callgrind", "--callgrind-out-file=%s" % out_file,
                ] + common.server_command(binary, port)

    srv = common.Server(argv, name="callgrind-" + os.path.basename(binary), cpus=cpus,
                        ready_timeout=120)
    try:
        load(srv.host, srv.port)
    finally:
        code = srv.stop(common.stop_command_for(binary), timeout=60)
    if not os.path.exists(out_file):
        raise RuntimeError("callgrind wrote no output (exit %s): %s" % (code, srv.log_tail()))
    return read_total_ir(out_file)


def _benchmark(host, port, n, pipeline, client_cpus=None):
    cmd = common.pin_prefix(client_cpus) + [
        "redis-benchmark", "-h", host, "-p", str(port), "-c", str(CLIENTS), "-n", str(n),
        "-r", str(KEYS), "-d", "32", "-P", str(pipeline), "-t", "set,get", "-q"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    out = r.stdout + r.stderr
    m = re.search(r"Error from server: ([^\r\n]*)", out)
    if m or r.returncode != 0:
        raise RuntimeError("redis-benchmark: %s" % (m.group(1) if m else out.strip()[-300:]))


def measure(binary, pipeline, n, cpus=None, client_cpus=None, baseline_ir=None):
    """Instructions per request for one binary at one pipeline depth. Returns a dict with
    instr_per_req, the raw Ir figures and the request count. Pass baseline_ir to reuse a
    baseline measured before."""
    if not binary or not os.path.exists(binary):
        return {"error": "binary not found: %s" % binary}
    if subprocess.run(["which", "valgrind"], capture_output=True).returncode != 0:
        return {"error": "valgrind not installed"}
    tmp = tempfile.mkdtemp(prefix="firn-bench-cg-")
    try:
        if baseline_ir is None:
            baseline_ir = _callgrind_run(binary, os.path.join(tmp, "base.out"),
                                         lambda h, p: None, cpus)
        load_ir = _callgrind_run(
            binary, os.path.join(tmp, "load.out"),
            lambda h, p: _benchmark(h, p, n, pipeline, client_cpus), cpus)
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        return {"error": str(e)}
    requests = 2 * n
    return {
        "instr_per_req": (load_ir - baseline_ir) / requests,
        "baseline_ir": baseline_ir,
        "load_ir": load_ir,
        "requests": requests,
        "pipeline": pipeline,
    }


def baseline(binary, cpus=None):
    """Ir of a server started, PINGed once and stopped (or an error dict)."""
    if not binary or not os.path.exists(binary):
        return {"error": "binary not found: %s" % binary}
    tmp = tempfile.mkdtemp(prefix="firn-bench-cg-")
    try:
        return {"baseline_ir": _callgrind_run(binary, os.path.join(tmp, "base.out"),
                                              lambda h, p: None, cpus)}
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        return {"error": str(e)}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--server", required=True, help="firn-server or redis-server binary")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--pipeline", type=int, action="append",
                   help="pipeline depth(s), default 16 and 1")
    a = p.parse_args()
    n = requests_each(a.quick)
    base = baseline(a.server)
    if "error" in base:
        common.print_json(base)
        return
    out = {}
    for depth in a.pipeline or [16, 1]:
        out["SET+GET P%d" % depth] = measure(a.server, depth, n,
                                             baseline_ir=base["baseline_ir"])
    common.print_json(out)


if __name__ == "__main__":
    main()
