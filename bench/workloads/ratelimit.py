#!/usr/bin/env python3
"""Rate limiters: Firn's native commands against the usual Redis implementations.

Each row pairs a Firn command with what a Redis user runs for the same job, over 1,000
limiter keys `rl:N` (limit 100 requests per 10 s window), 50 connections, unpipelined
(P1) and pipelined (P16), a fixed number of requests:

  row               Firn                          Redis equivalent
  gcra              CL.THROTTLE key 99 100 10 1   token-bucket Lua script via EVALSHA
  token-bucket      RL.BUCKET key 100 10000       token-bucket Lua script via EVALSHA
  sliding-window    RL.WINDOW key 100 10000       MULTI ZREMRANGEBYSCORE ZADD ZCARD PEXPIRE EXEC
  sliding-approx    RL.WINDOW ... APPROX          MULTI ZREMRANGEBYSCORE ZADD ZCARD PEXPIRE EXEC

(redis-cell's CL.THROTTLE is a module Debian's Redis does not ship, so on Redis the GCRA
row runs the Lua token bucket: what a Redis user without modules runs instead.)

Figures per run: requests per second, p50/p99 latency (per batch with P16), errors, how
many requests were allowed and limited. With the P1 run, bytes per limiter key: from
FLUSHALL, 100 requests (the limit) on each of 1,000 keys (250 in --quick) in key order,
well inside the window, then the used_memory delta over DBSIZE: a full limiter, whose
sliding-window log holds 100 hits.

The long-log row ("sliding-window long-log") measures one limiter whose exact log is long:
a key with limit 1,000,000 and a one-hour window is fed pipelined requests for a few
seconds (every millisecond adds a run to Firn's log; Redis's sorted set gets a member per
request), then one connection times unpipelined allowed requests and refused ones of
COST 999,999 (the case that used to walk the whole log), and a PING from a second
connection while 500 refused requests are pipelined on the first. Reported: the log's
MEMORY USAGE, hits in the window, per-request latency in microseconds, and that PING's
wait. The figure to watch is how these stay flat as the log grows.

A server that lacks the command (Firn before issue 3, or redis-server asked for a native
command) gets the row as n/a with the server's error.

Standalone: python3 bench/workloads/ratelimit.py --host 127.0.0.1 --port 6379
            [--impl native|redis] [--quick]
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

KEYS = 1000
LIMIT = 100
WINDOW_MS = 10_000
CONNS = 50

# The usual token bucket in Lua: state in a hash (tokens, last refill time in ms), refilled
# evenly over the window, capacity = limit; reply in the five-field limiter shape.
TOKEN_BUCKET_LUA = """
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local rate = limit / window
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil then
  tokens = limit
  ts = now
end
tokens = math.min(limit, tokens + math.max(0, now - ts) * rate)
local limited = 0
local retry = -1
if tokens >= cost then
  tokens = tokens - cost
else
  limited = 1
  retry = math.ceil((cost - tokens) / rate)
end
local reset = math.ceil((limit - tokens) / rate)
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.max(1, reset))
return {limited, limit, math.floor(tokens), retry, reset}
"""

# row -> (native loadgen workload, Redis-equivalent loadgen workload)
ROWS = {
    "gcra": ("cl.throttle", "lua-bucket"),
    "token-bucket": ("rl.bucket", "lua-bucket"),
    "sliding-window": ("rl.window", "multi-window"),
    "sliding-approx": ("rl.window-approx", "multi-window"),
}

LABELS = {
    "cl.throttle": "CL.THROTTLE",
    "rl.bucket": "RL.BUCKET",
    "rl.window": "RL.WINDOW",
    "rl.window-approx": "RL.WINDOW APPROX",
    "lua-bucket": "EVALSHA token bucket",
    "multi-window": "MULTI sorted-set window",
}


def requests(quick, pipeline):
    if pipeline == 1:
        return 10_000 if quick else 100_000
    return 40_000 if quick else 400_000


def _probe(host, port, workload):
    """None if the server can run the workload, else the error."""
    k = "bench:probe:rl"
    if workload == "cl.throttle":
        return common.check_command(host, port, "CL.THROTTLE", k, 99, 100, 10, 1)
    if workload == "rl.bucket":
        return common.check_command(host, port, "RL.BUCKET", k, LIMIT, WINDOW_MS)
    if workload == "rl.window":
        return common.check_command(host, port, "RL.WINDOW", k, LIMIT, WINDOW_MS)
    if workload == "rl.window-approx":
        return common.check_command(host, port, "RL.WINDOW", k, LIMIT, WINDOW_MS, "APPROX")
    if workload == "lua-bucket":
        return common.check_command(host, port, "SCRIPT", "LOAD", TOKEN_BUCKET_LUA)
    if workload == "multi-window":
        for cmd in (("ZADD", k, 1, "x"), ("ZREMRANGEBYSCORE", k, 0, 1), ("ZCARD", k),
                    ("PEXPIRE", k, 1000)):
            err = common.check_command(host, port, *cmd)
            if err:
                return "%s: %s" % (cmd[0], err)
        try:
            with common.Client(host, port, timeout=10) as c:
                r = c.pipeline([("MULTI",), ("ZCARD", k), ("EXEC",)])
            if isinstance(r[-1], common.RespError) or not isinstance(r[-1], list):
                return "MULTI/EXEC: %s" % r[-1]
        except (OSError, common.ProtocolError) as e:
            return "MULTI/EXEC: %s" % e
        return None
    raise ValueError(workload)



def _base_args(host, port, workload, sha):
    args = ["--host", host, "--port", port, "--workload", workload, "--key-prefix", "rl:",
            "--limit", LIMIT, "--window-ms", WINDOW_MS, "--slice-ms", 1000]
    return args + (["--sha", sha] if sha else [])


def _prepare(host, port, workload):
    """FLUSHALL (so each row starts empty) and the script's SHA for the Lua rows.
    Returns (sha or None, flushed)."""
    _, flush_error = common.try_call(host, port, "FLUSHALL")
    sha = None
    if workload == "lua-bucket":
        with common.Client(host, port) as c:
            sha = c.call("SCRIPT", "LOAD", TOKEN_BUCKET_LUA).decode()
    return sha, flush_error is None


def memory_keys(quick):
    return 250 if quick else KEYS


def bytes_per_key(host, port, workload, quick=False, cpus=None):
    """used_memory per limiter key when every key is full: LIMIT requests on each of the
    keys, in key order, well inside the window (a sliding window then logs LIMIT hits).
    Returns (bytes per key, keys) or (None, None)."""
    sha, flushed = _prepare(host, port, workload)
    if not flushed:
        return None, None
    keys = memory_keys(quick)
    used0 = common.settle_used_memory(host, port)
    args = _base_args(host, port, workload, sha) + [
        "--pipeline", 16, "--conns", 1, "--requests", keys * LIMIT, "--keys", keys,
        "--key-order", "seq"]
    out = common.run_loadgen(args, cpus=cpus)
    if out["errors"]:
        return None, None
    used1 = common.settle_used_memory(host, port, timeout=2.0)
    dbsize, _ = common.try_call(host, port, "DBSIZE")
    if used0 is None or used1 is None or not dbsize:
        return None, None
    return (used1 - used0) / dbsize, dbsize


def run(host, port, workload, pipeline, quick=False, measure_memory=False, cpus=None):
    """One limiter workload at one pipeline depth; returns its figures or an error."""
    err = _probe(host, port, workload)
    if err:
        return {"error": "%s: %s" % (LABELS[workload], err)}
    sha, _ = _prepare(host, port, workload)
    args = _base_args(host, port, workload, sha) + [
        "--pipeline", pipeline, "--conns", CONNS, "--requests", requests(quick, pipeline),
        "--keys", KEYS]
    try:
        out = common.run_loadgen(args, cpus=cpus)
    except (RuntimeError, ValueError) as e:
        return {"error": str(e)}
    if out["errors"] or out["requests"] == 0:
        return {"error": "%d error replies, first: %s" % (out["errors"], out["first_error"])}
    res = {k: out[k] for k in ("rps", "requests", "p50_ms", "p99_ms", "p999_ms", "allowed",
                               "limited")}
    res["command"] = LABELS[workload]
    if measure_memory:
        try:
            per_key, keys = bytes_per_key(host, port, workload, quick, cpus)
        except (RuntimeError, ValueError):
            per_key, keys = None, None
        if per_key is not None:
            res["bytes_per_key"] = per_key
            res["memory_keys"] = keys
    return res


LONG_KEY = "rl:long"
LONG_LIMIT = 1_000_000
LONG_WINDOW_MS = 3_600_000
LONG_COST = 999_999


def _long_commands(impl, cost, now_ms, member):
    """The commands of one long-log request (a list: Redis's is a MULTI block)."""
    if impl == "native":
        args = ["RL.WINDOW", LONG_KEY, LONG_LIMIT, LONG_WINDOW_MS]
        return [tuple(args + (["COST", cost] if cost != 1 else []))]
    # Redis: the sorted-set window, one member per hit (a refusal still trims and counts).
    cmds = [("MULTI",), ("ZREMRANGEBYSCORE", LONG_KEY, 0, now_ms - LONG_WINDOW_MS)]
    if cost == 1:
        cmds.append(("ZADD", LONG_KEY, now_ms, member))
    cmds += [("ZCARD", LONG_KEY), ("PEXPIRE", LONG_KEY, LONG_WINDOW_MS), ("EXEC",)]
    return cmds


def _timed(c, impl, cost, n, seq):
    """Per-request latencies in us of n unpipelined requests."""
    out = []
    for i in range(n):
        cmds = _long_commands(impl, cost, int(time.time() * 1000), "t%d" % (seq + i))
        t0 = time.perf_counter()
        c.pipeline(cmds)
        out.append((time.perf_counter() - t0) * 1e6)
    return out


def _pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else None


def long_log(host, port, impl, quick=False):
    """The long-log row for one server: see the module docstring."""
    probe = ("RL.WINDOW", "bench:probe:rl", LIMIT, WINDOW_MS) if impl == "native" else (
        "ZCARD", "bench:probe:rl")
    err = common.check_command(host, port, *probe)
    if err:
        return {"error": err}
    common.try_call(host, port, "FLUSHALL")
    build_s = 3.0 if quick else 15.0
    seq = 0
    with common.Client(host, port, timeout=60) as c:
        deadline = time.monotonic() + build_s
        while time.monotonic() < deadline:
            batch = []
            for _ in range(20):
                batch += _long_commands(impl, 1, int(time.time() * 1000), "m%d" % seq)
                seq += 1
            c.pipeline(batch)
        usage = c.call("MEMORY", "USAGE", LONG_KEY)
        if impl == "native":
            peek = c.call("RL.PEEK", LONG_KEY)
            hits = LONG_LIMIT - peek[2]
        else:
            hits = c.call("ZCARD", LONG_KEY)
        allowed = _timed(c, impl, 1, 300 if quick else 2000, seq)
        seq += 10_000
        refused = _timed(c, impl, LONG_COST, 100 if quick else 500, seq)
        # Another client's PING while 500 refused requests are in one pipeline.
        blocker = []
        for i in range(500):
            blocker += _long_commands(impl, LONG_COST, int(time.time() * 1000), "b%d" % i)
        ping_us = []

        def ping():
            with common.Client(host, port, timeout=60) as other:
                time.sleep(0.002)
                t0 = time.perf_counter()
                other.call("PING")
                ping_us.append((time.perf_counter() - t0) * 1e6)

        th = threading.Thread(target=ping)
        th.start()
        c.pipeline(blocker)
        th.join()
    return {
        "command": LABELS["rl.window" if impl == "native" else "multi-window"] + " (long log)",
        "log_bytes": usage,
        "hits": hits,
        "allowed_p50_us": _pct(allowed, 0.5),
        "allowed_p99_us": _pct(allowed, 0.99),
        "refused_p50_us": _pct(refused, 0.5),
        "refused_p99_us": _pct(refused, 0.99),
        "ping_during_500_refused_us": ping_us[0] if ping_us else None,
    }


def main():
    def extra(p):
        p.add_argument("--impl", choices=["native", "redis"], default="redis",
                       help="native Firn commands, or the Redis equivalents (default)")
    a = common.standalone_args(__doc__.splitlines()[0], extra)
    side = 0 if a.impl == "native" else 1
    out = {}
    for row, pair in ROWS.items():
        for depth in (1, 16):
            out["%s P%d" % (row, depth)] = run(a.host, a.port, pair[side], depth, a.quick,
                                                measure_memory=(depth == 1))
    out["sliding-window long-log"] = long_log(a.host, a.port, a.impl, a.quick)
    common.print_json(out)


if __name__ == "__main__":
    main()
