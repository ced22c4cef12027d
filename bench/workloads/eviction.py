#!/usr/bin/env python3
"""Eviction: hit ratio and latency of a cache under memory pressure.

The server runs with a memory budget (`--maxmemory 16mb`, 4mb in --quick; Firn under its
own `allkeys-lru`, Redis with `allkeys-lru`, which samples 5 keys into a pool of 16). The
client runs a cache-aside workload: GET a key drawn from a Zipfian distribution
(skew 0.99, YCSB's generator) over 1,000,000 keys `key:RANK` (200,000 in --quick; about
10x what the budget holds with 64-byte values), and SET it on a miss. Same seed for both
servers. Variants:

  zipf        the workload alone
  zipf+scan   the same with one-off scans mixed in: after every 100,000 Zipfian requests,
              50,000 requests for fresh cold keys (`cold:N`, never asked for again;
              20,000 and 10,000 in --quick), GET then SET like the rest: the sweep that
              flushes a plain LRU's hot set

Driven by bench/loadgen.cc: 8 connections, 16 requests in flight each. The first
`warmup` requests fill the cache and are not counted.

Figures: hit ratio of the Zipfian GETs after warm-up (scan requests excluded); p50/p99/
p99.9 latency of the GET and SET batches while evicting; evicted_keys; keys held at the
end (DBSIZE: how many fit); peak RSS (VmRSS sampled every 100 ms) and its growth over the
empty server's RSS, as a fraction of maxmemory.

Standalone: python3 bench/workloads/eviction.py --host 127.0.0.1 --port 6379 [--pid PID]
            [--quick]   (sets maxmemory and the policy with CONFIG SET)
"""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

POLICY = "allkeys-lru"
VALUE_SIZE = 64
THETA = 0.99
SEED = 20240601
VARIANTS = ["zipf", "zipf+scan"]


def budget(quick):
    """(maxmemory, its bytes, keyspace, scan every, scan length): the keyspace is about 10x
    what the budget holds (about 150 bytes per key on Redis, above its ~1 MB empty
    footprint); a scan sweeps about half as many cold keys as the budget holds."""
    if quick:
        return "4mb", 4 * 1024 * 1024, 200_000, 20_000, 10_000
    return "16mb", 16 * 1024 * 1024, 1_000_000, 100_000, 50_000


def ops(quick):
    """(requests, warm-up requests): the warm-up fills the budget and is not counted."""
    return (150_000, 60_000) if quick else (1_200_000, 400_000)


class RssSampler(threading.Thread):
    def __init__(self, pid, period=0.1):
        super().__init__(daemon=True)
        self.pid, self.period, self.peak = pid, period, None
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            rss = common.vm_rss_bytes(self.pid)
            if rss is not None and (self.peak is None or rss > self.peak):
                self.peak = rss
            self.done.wait(self.period)


def run(host, port, variant, quick=False, pid=None, cpus=None, configure=False):
    """One variant against a server already running with the memory budget (or, with
    configure=True, sets it with CONFIG SET). FLUSHALL first."""
    err = common.check_command(host, port, "SET", "bench:probe:s", "x")
    if err:
        return {"error": "SET: %s" % err}
    maxmemory_text, maxmemory_bytes, keys, scan_every, scan_len = budget(quick)
    if configure:
        with common.Client(host, port) as c:
            c.call("CONFIG", "SET", "maxmemory", maxmemory_text)
            c.call("CONFIG", "SET", "maxmemory-policy", POLICY)
    # The runner gives each variant a fresh server; standalone, FLUSHALL makes it empty.
    _, flush_error = common.try_call(host, port, "FLUSHALL")
    maxmemory = common.info_int(common.info_safe(host, port, "memory"), "maxmemory")
    if maxmemory is None:
        try:
            with common.Client(host, port) as c:
                maxmemory = int(c.call("CONFIG", "GET", "maxmemory")[1])
        except (common.RespError, IndexError, TypeError, ValueError):
            maxmemory = maxmemory_bytes  # as the runner configured it
    if maxmemory == 0:
        return {"error": "maxmemory is not set on this server"}
    stats0 = common.info_safe(host, port, "stats")
    total, warmup = ops(quick)
    args = ["--host", host, "--port", port, "--workload", "zipf-cache", "--pipeline", 16,
            "--conns", 8, "--requests", total, "--warmup-ops", warmup, "--keys", keys,
            "--value-size", VALUE_SIZE, "--zipf", THETA, "--seed", SEED, "--slice-ms", 1000]
    if variant == "zipf+scan":
        args += ["--scan-every", scan_every, "--scan-len", scan_len]
    pid = common.server_pid(host, port, pid)
    rss_empty = common.vm_rss_bytes(pid) if pid else None
    sampler = RssSampler(pid) if pid else None
    if sampler:
        sampler.start()
    try:
        out = common.run_loadgen(args, cpus=cpus)
    except (RuntimeError, ValueError) as e:
        return {"error": str(e)}
    finally:
        if sampler:
            sampler.done.set()
            sampler.join()
    if out["requests"] == 0 or out["errors"]:
        return {"error": "%d error replies, first: %s" % (out["errors"], out["first_error"])}
    stats1 = common.info_safe(host, port, "stats")
    mem1 = common.info_safe(host, port, "memory")
    dbsize, _ = common.try_call(host, port, "DBSIZE")
    ev0 = common.info_int(stats0, "evicted_keys", 0)  # None-safe: {} without INFO
    ev1 = common.info_int(stats1, "evicted_keys")
    res = {k: out[k] for k in ("hit_ratio", "hits", "misses", "rps", "requests", "p50_ms",
                               "p99_ms", "p999_ms", "max_ms", "scan_ops")}
    res.update({
        "evicted_keys": None if ev1 is None else ev1 - ev0,
        "dbsize": dbsize,
        "maxmemory": maxmemory,
        "used_memory": common.info_int(mem1, "used_memory"),
        "peak_rss": sampler.peak if sampler else None,
        "rss_empty": rss_empty,
        # growth over the empty server's RSS (code, libraries, arenas) against the budget
        "rss_growth_over_maxmemory": (sampler.peak - rss_empty) / maxmemory
        if sampler and sampler.peak and rss_empty else None,
        "keyspace": keys,
    })
    if flush_error:
        res["note"] = "FLUSHALL failed (%s): the server was assumed empty" % flush_error
    return res


def main():
    def extra(p):
        p.add_argument("--pid", type=int, help="server pid for RSS (default: INFO process_id)")
        p.add_argument("--variant", choices=VARIANTS, action="append")
    a = common.standalone_args(__doc__.splitlines()[0], extra)
    common.print_json({v: run(a.host, a.port, v, a.quick, a.pid, configure=True)
                       for v in (a.variant or VARIANTS)})


if __name__ == "__main__":
    main()
