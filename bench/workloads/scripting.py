#!/usr/bin/env python3
"""Scripts: EVALSHA of the rate-limit scripts clients really send, Firn against redis-server,
and against Firn's own RL.* commands doing the same job.

Rows, each at -P 1 and -P 16 with 50 clients, keys drawn from 1,000 (-r 1000), through
redis-benchmark (which sends any command line, EVALSHA with its arguments included):

  row             script (EVALSHA)                                Firn native command
  moving-window   limits' acquire_moving_window.lua (limit 100,   RL.WINDOW key 100 10000
                  10 s): LINDEX, then LPUSH, LTRIM, EXPIRE
  fixed-window    limits' incr_expire.lua: INCRBY, EXPIRE once    RL.WINDOW key 100 10000 APPROX
  token-bucket    the Lua token bucket of bench/workloads/        RL.BUCKET key 100 10000
                  ratelimit.py: HMGET, HSET, PEXPIRE

The two limits scripts are read from Debian's python3-limits (its package data), exactly as
Flask-Limiter registers them; without the package those rows are n/a. The timestamps the
scripts take as arguments are fixed for a run (redis-benchmark repeats one command line), so
each key fills up and is then refused, as under a steady overload.

Figures: requests per second, p50/p99 latency (per batch with -P 16).

Standalone: python3 bench/workloads/scripting.py --host 127.0.0.1 --port 6379 [--quick]
            [--native]
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import ratelimit  # noqa: E402
import throughput  # noqa: E402

LIMITS_SCRIPTS = "/usr/lib/python3/dist-packages/limits/resources/redis/lua_scripts"
KEYS = 1000
CLIENTS = 50
LIMIT = 100
WINDOW_S = 10


def _read_limits(name):
    path = os.path.join(LIMITS_SCRIPTS, name)
    try:
        with open(path) as f:
            return f.read()
    except OSError as e:
        return {"error": "python3-limits' %s not readable: %s" % (name, e)}


def rows():
    """(row, script body or {'error'}, EVALSHA's arguments after the SHA, native command)."""
    now_s = int(time.time())
    return [
        ("moving-window", _read_limits("acquire_moving_window.lua"),
         ["1", "mw:__rand_int__", str(now_s), str(LIMIT), str(WINDOW_S), "1"],
         ["RL.WINDOW", "mwn:__rand_int__", str(LIMIT), str(WINDOW_S * 1000)]),
        ("fixed-window", _read_limits("incr_expire.lua"),
         ["1", "fw:__rand_int__", str(WINDOW_S), "1"],
         ["RL.WINDOW", "fwn:__rand_int__", str(LIMIT), str(WINDOW_S * 1000), "APPROX"]),
        ("token-bucket", ratelimit.TOKEN_BUCKET_LUA,
         ["1", "tb:__rand_int__", str(LIMIT), str(WINDOW_S * 1000), str(now_s * 1000), "1"],
         ["RL.BUCKET", "tbn:__rand_int__", str(LIMIT), str(WINDOW_S * 1000)]),
    ]


def requests(quick, pipeline):
    if pipeline == 1:
        return 10_000 if quick else 50_000
    return 50_000 if quick else 300_000


def _benchmark(host, port, command, pipeline, n, cpus=None, timeout=300):
    """redis-benchmark running one command line; its figures or {'error'}."""
    probe = [a.replace("__rand_int__", "probe") for a in command]
    err = common.check_command(host, port, *probe)
    if err:
        return {"error": "%s: %s" % (command[0], err)}
    cmd = common.pin_prefix(cpus) + [
        "redis-benchmark", "-h", host, "-p", str(port), "-c", str(CLIENTS), "-n", str(n),
        "-r", str(KEYS), "-P", str(pipeline), "--precision", "3"] + command
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "redis-benchmark timed out after %d s" % timeout}
    out = r.stdout + r.stderr
    res = throughput.parse_output(out)
    if r.returncode != 0 or "rps" not in res:
        tail = out.strip().replace("\r", "\n").splitlines()[-3:]
        return {"error": "redis-benchmark exit %d: %s" % (r.returncode, " | ".join(tail))}
    return {k: res[k] for k in ("rps", "p50_ms", "p99_ms") if k in res}


def run(host, port, row, pipeline, native=False, quick=False, cpus=None):
    """One row at one pipeline depth: the script through EVALSHA, or (native) Firn's own
    command."""
    for name, body, args, native_cmd in rows():
        if name != row:
            continue
        common.try_call(host, port, "FLUSHALL")
        if native:
            return _benchmark(host, port, native_cmd, pipeline, requests(quick, pipeline), cpus)
        if isinstance(body, dict):
            return body
        reply, err = common.try_call(host, port, "SCRIPT", "LOAD", body)
        if err:
            return {"error": "SCRIPT LOAD: %s" % err}
        sha = reply.decode() if isinstance(reply, bytes) else str(reply)
        return _benchmark(host, port, ["EVALSHA", sha] + args, pipeline,
                          requests(quick, pipeline), cpus)
    raise ValueError(row)


class _Native:
    """The results column of Firn's native commands."""
    key = "firn_native"


def family(runner, safe, log):
    """bench/run.py's scripting family: every row at P1 and P16, Firn and Redis alternating
    which goes first, and Firn's native command beside them."""
    targets = [runner.firn, runner.redis]
    for t in targets:
        t.start()
    for row, _, _, _ in rows():
        for pipeline in (1, 16):
            name = "%s P%d" % (row, pipeline)
            for rep in range(runner.reps("scripting")):
                for t in runner.order(targets, rep):
                    srv = t.ensure()
                    res = {"error": t.start_error} if srv is None else safe(
                        run, srv.host, srv.port, row, pipeline, False, runner.quick,
                        runner.client_cpus)
                    runner.record("scripting", name, t, res)
                srv = runner.firn.ensure()
                res = {"error": runner.firn.start_error} if srv is None else safe(
                    run, srv.host, srv.port, row, pipeline, True, runner.quick,
                    runner.client_cpus)
                runner.record("scripting", name, _Native, res)
            log("scripting %-18s %s" % (name, runner.brief("scripting", name, "rps")))
    for t in targets:
        t.stop()


def section(results):
    """The report's section (bench/report.py)."""
    import report

    names = report.rows_of(results, "scripting")
    if not names:
        return ""
    t = []
    for name in names:
        f, r, n = (report.get(results, "scripting", name, k, "rps")
                   for k in ("firn", "redis", _Native.key))
        fp, rp = (report.get(results, "scripting", name, k, "p99_ms") for k in ("firn", "redis"))
        t.append([name, report.cell(f, "rps"), report.cell(r, "rps"), report.ratio(f, r),
                  "%s / %s" % (report.fmt_num(fp.median, "ms"), report.fmt_num(rp.median, "ms")),
                  report.cell(n, "rps"), report.ratio(n, f)])
    return ("## Scripts (EVALSHA)\n\n"
            "limits' moving-window and fixed-window scripts and a Lua token bucket via "
            "EVALSHA, 1,000 keys, 50 connections; and Firn's native limiter for the same job "
            "(RL.WINDOW, RL.WINDOW APPROX, RL.BUCKET).\n\n"
            + report.table(["row", "Firn EVALSHA req/s", "Redis EVALSHA req/s", "Firn/Redis",
                            "p99 ms Firn / Redis", "Firn native req/s", "native/EVALSHA"], t)
            + "\n")


def main():
    def extra(p):
        p.add_argument("--native", action="store_true", help="Firn's RL.* commands instead")
        p.add_argument("--pipeline", type=int, action="append")

    a = common.standalone_args(__doc__.splitlines()[0], extra)
    out = {}
    for row, _, _, _ in rows():
        for pipeline in a.pipeline or (1, 16):
            out["%s P%d" % (row, pipeline)] = run(a.host, a.port, row, pipeline, a.native,
                                                  a.quick)
    common.print_json(out)


if __name__ == "__main__":
    main()
