#!/usr/bin/env python3
"""Collections: memory per element, the stall of freeing a big value, redis-benchmark rows.

Memory rows, each on a freshly started server, RSS delta (VmRSS from /proc/PID/status,
just before loading to after used_memory settles) and used_memory delta, per key and per
element:
  hashes       100,000 hashes `h:N` of 10 fields `f0`..`f9`, 32-byte values (as the memory
               family's `hashes`; the payload alone is 340 bytes a hash)
  hashes-rq    100,000 hashes of 10 short fields and values of 1-20 bytes, the shape of an
               RQ job or a cached object (status, timestamps, ids, a short description)
  sets         100,000 sets `s:N` of 10 small integers (0..9999)
  zset-1m      one sorted set of 1,000,000 members `member:N`, scores drawn at random
               (a fixed seed), loaded by ZADDs of 100 members
  lists        100,000 lists `l:N` of 10 items of 16 bytes
(--quick: 20,000 keys and a 200,000-member sorted set.)

Stall rows: a 1,000,000-member set (members `member:N`) or a 1,000,000-field hash
(fields `field:N`, 8-byte values) is loaded, then one client sends DEL (or UNLINK, or SET
over it: "SET-lazy" with lazyfree-lazy-server-del yes) while another sends PING after PING on
its own connection. Figures: the DEL/UNLINK reply's
latency, and the longest PING round trip in the window (the event loop's stall as another
client sees it), in milliseconds. Run standalone, the servers are not pinned to a CPU for
these rows (a background freer needs a core of its own to spare the event loop).

Throughput rows: one `redis-benchmark -t lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,
lrange_100,lrange_600 --csv` at -P 1 and at -P 16, 50 clients, 32-byte values, keys from
-r 100000; requests per second per test.

The same redis-benchmark call also runs PING_MBULK, the cheapest request: its rate is the
client's own ceiling on this machine (one redis-benchmark process, a core of its own). A row
near that rate on both servers measures the client, not the server; the callgrind rows say
what the server spends.

Callgrind rows (--part callgrind; in `make bench`, one run, as the figure is repeatable):
instructions per request of each throughput command, -P 16 and -P 1, each server run once
under valgrind --tool=callgrind with the counters zeroed before each command's
redis-benchmark run and dumped after it (callgrind_control), 20,000 requests a command at
-P 1, 80,000 at -P 16 (a tenth for LRANGE_600).

Hash operation rows (--part hashops): 100,000 hashes `h:NNNNNNNNNNNN` (redis-benchmark's
__rand_int__ spelling) of 10 fields `f0`..`f9` with the 32-byte value of the memory row, so
compact and, in Firn, compressed; then `redis-benchmark -c 50 -r 100000` of
`HGET h:__rand_int__ f5`, `HSET h:__rand_int__ f5 <20 bytes of the value>__rand_int__`
(a new 32-byte value each time: the hash decompressed, changed and recompressed) and
`HGETALL h:__rand_int__`, at -P 1 and -P 16; requests per second.

Standalone, both servers side by side, medians of --reps runs:
  python3 bench/workloads/collections.py --server build/firn-server [--redis PATH]
      [--part memory,stall,throughput,hashops,callgrind] [--reps 3] [--quick]
      [--firn-args "--hash-compress-min-bytes 0"]
(--firn-args: extra command-line settings for Firn only, to compare its own variants.)
"""

import argparse
import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import cpu  # noqa: E402 - the callgrind helpers

MEMORY_ROWS = ["hashes", "hashes-rq", "sets", "zset-1m", "lists"]
STALL_ROWS = ["DEL set 1M", "UNLINK set 1M", "DEL hash 1M", "UNLINK hash 1M",
              "SET set 1M", "SET-lazy set 1M"]
BENCH_TESTS = ["lpush", "rpush", "lpop", "rpop", "sadd", "hset", "spop", "zadd", "zpopmin",
               "lrange_100", "lrange_600"]
# Run in the same redis-benchmark call: the cheapest request there is, so its rate is what the
# client itself can drive (a row at this rate on both servers is bounded by the client).
CEILING_TEST = "ping_mbulk"
VALUE = b"0123456789abcdef0123456789ABCDEF"  # 32 bytes


def _cmd(*args):
    return common.encode(*args)


def _sizes(quick):
    return {"keys": 20_000 if quick else 100_000, "zset": 200_000 if quick else 1_000_000,
            "big": 200_000 if quick else 1_000_000}


# RQ-like job hash: short fields, values of 1-20 bytes.
_RQ_FIELDS = [(b"status", b"finished"), (b"origin", b"default"), (b"timeout", b"180"),
              (b"result_ttl", b"500"), (b"created_at", b"2026-12-01T12:00:00.123456Z"[:20]),
              (b"enqueued_at", b"2026-12-01T12:00:01Z"), (b"attempts", b"1"),
              (b"worker_name", b"w-%d"), (b"description", b"tasks.add(%d, 2)"),
              (b"last_heartbeat", b"%d")]


def _chunked(commands, per_chunk):
    """Encoded commands joined per_chunk at a time."""
    commands = list(commands)
    return [b"".join(commands[i:i + per_chunk]) for i in range(0, len(commands), per_chunk)]


def _ten_field_hashes(key_format, n):
    """HSETs of n hashes (keys key_format % i) of fields f0..f9, each VALUE, as chunks."""
    fields = [x for f in range(10) for x in (b"f%d" % f, VALUE)]
    return _chunked((_cmd(b"HSET", key_format % i, *fields) for i in range(n)), 5000)


def _memory_commands(row, n_keys, n_zset):
    """(commands as RESP chunks, replies expected, keys created, elements created)."""
    chunks, parts = [], []

    def flush():
        if parts:
            chunks.append(b"".join(parts))
            parts.clear()

    if row == "hashes":
        return _ten_field_hashes(b"h:%d", n_keys), n_keys, n_keys, 10 * n_keys
    if row == "hashes-rq":
        for i in range(n_keys):
            args = [b"HSET", b"rq:job:%d" % i]
            for f, v in _RQ_FIELDS:
                args += [f, v % i if b"%d" in v else v]
            parts.append(_cmd(*args))
            if len(parts) >= 5000:
                flush()
        flush()
        return chunks, n_keys, n_keys, 10 * n_keys
    if row == "sets":
        rnd = random.Random(7)
        for i in range(n_keys):
            members = rnd.sample(range(10000), 10)
            parts.append(_cmd(b"SADD", b"s:%d" % i, *[b"%d" % m for m in members]))
            if len(parts) >= 5000:
                flush()
        flush()
        return chunks, n_keys, n_keys, 10 * n_keys
    if row == "lists":
        for i in range(n_keys):
            parts.append(_cmd(b"RPUSH", b"l:%d" % i,
                              *[b"item:%011d" % (i * 10 + k) for k in range(10)]))
            if len(parts) >= 5000:
                flush()
        flush()
        return chunks, n_keys, n_keys, 10 * n_keys
    if row == "zset-1m":
        rnd = random.Random(11)
        for start in range(0, n_zset, 100):
            args = [b"ZADD", b"z"]
            for i in range(start, min(n_zset, start + 100)):
                args += [b"%.6f" % (rnd.random() * 1e6), b"member:%d" % i]
            parts.append(_cmd(*args))
            if len(parts) >= 500:
                flush()
        flush()
        return chunks, (n_zset + 99) // 100, 1, n_zset
    raise ValueError(row)


_memo = {}


def _payload(row, sizes):
    key = (row, sizes["keys"], sizes["zset"])
    if key not in _memo:
        _memo.clear()
        _memo[key] = _memory_commands(row, sizes["keys"], sizes["zset"])
    return _memo[key]


def memory_row(host, port, row, quick=False, pid=None):
    """Loads one memory row into an empty server; returns bytes per key and per element."""
    sizes = _sizes(quick)
    chunks, replies, keys, elements = _payload(row, sizes)
    pid = common.server_pid(host, port, pid)
    used0 = common.settle_used_memory(host, port, 2.0, period=0.25)
    rss0 = common.vm_rss_bytes(pid) if pid else None
    secs, errors, first = common.bulk_load(host, port, chunks, replies)
    if errors:
        return {"error": "%d error replies while loading, first: %s" % (errors, first)}
    used1 = common.settle_used_memory(host, port, 5.0, period=0.25)
    rss1 = common.vm_rss_bytes(pid) if pid else None
    enc, err = common.try_call(host, port, "OBJECT", "ENCODING",
                               {"hashes": "h:0", "hashes-rq": "rq:job:0", "sets": "s:0",
                                "lists": "l:0", "zset-1m": "z"}[row])
    res = {"keys": keys, "elements": elements, "load_seconds": round(secs, 3),
           "encoding": enc.decode() if isinstance(enc, bytes) else err}
    if rss0 is not None and rss1 is not None:
        res["rss_per_key"] = (rss1 - rss0) / keys
        res["rss_per_element"] = (rss1 - rss0) / elements
    if used0 is not None and used1 is not None:
        res["used_per_key"] = (used1 - used0) / keys
        res["used_per_element"] = (used1 - used0) / elements
    return res


def _load_big(host, port, kind, n):
    def command(start):
        span = range(start, min(n, start + 1000))
        if kind == "set":
            return _cmd(b"SADD", b"big", *[b"member:%d" % i for i in span])
        return _cmd(b"HSET", b"big", *[x for i in span for x in (b"field:%d" % i, b"%08d" % i)])

    chunks = _chunked((command(start) for start in range(0, n, 1000)), 50)
    common.bulk_load(host, port, chunks, (n + 999) // 1000)


def stall_row(host, port, row, quick=False):
    """Loads a big value, frees it with DEL or UNLINK while another client PINGs."""
    verb, kind, _ = row.split()
    n = _sizes(quick)["big"]
    with common.Client(host, port) as c:
        c.call("DEL", "big")
    _load_big(host, port, kind, n)
    common.settle_used_memory(host, port, 5.0, period=0.25)
    pings = []
    stop = threading.Event()

    def pinger():
        with common.Client(host, port) as p:
            while not stop.is_set():
                t0 = time.perf_counter()
                p.call("PING")
                pings.append((t0, time.perf_counter() - t0))

    th = threading.Thread(target=pinger, daemon=True)
    th.start()
    time.sleep(0.3)
    with common.Client(host, port) as c:
        if verb.startswith("SET"):
            c.call("CONFIG", "SET", "lazyfree-lazy-server-del",
                   "yes" if verb == "SET-lazy" else "no")
        t0 = time.perf_counter()
        removed = c.call(verb, "big") if not verb.startswith("SET") else c.call("SET", "big", "x")
        del_s = time.perf_counter() - t0
        if verb.startswith("SET"):
            removed = 1 if removed in (b"OK", "OK") else removed
            c.call("CONFIG", "SET", "lazyfree-lazy-server-del", "no")
    time.sleep(0.3)
    stop.set()
    th.join(10)
    if removed != 1:
        return {"error": "%s answered %r" % (verb, removed)}
    window = [rtt for (t, rtt) in pings if t >= t0 - 0.05]
    before = [rtt for (t, rtt) in pings if t < t0 - 0.05]
    return {"elements": n, "del_ms": del_s * 1e3,
            "ping_max_ms": max(window) * 1e3 if window else None,
            "ping_p50_before_ms": common.median(before) * 1e3 if before else None}


_CSV_RE = re.compile(r'^"([^"]+)","([0-9.]+)"', re.M)


def throughput(host, port, pipeline, quick=False, cpus=None, timeout=600):
    """One redis-benchmark run of every test; returns {test: rps}."""
    n = (20_000 if quick else 100_000) * (4 if pipeline > 1 else 1)
    cmd = common.pin_prefix(cpus) + [
        "redis-benchmark", "-h", host, "-p", str(port), "-c", "50", "-n", str(n), "-d", "32",
        "-r", "100000", "-P", str(pipeline), "-t", ",".join(BENCH_TESTS + [CEILING_TEST]),
        "--csv"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    out = r.stdout + r.stderr
    m = re.search(r"Error from server: ([^\r\n]*)", out)
    if m:
        return {"error": "server error: %s" % m.group(1).strip()}
    res = {}
    for name, rps in _CSV_RE.findall(out):
        if "needed" in name:
            continue
        res[name.split()[0].lower().replace("(first", "").strip()] = float(rps)
    # redis-benchmark names the LRANGE rows "LRANGE_100 (first 100 elements)".
    if not res:
        return {"error": "redis-benchmark exit %d: %s" % (r.returncode, out[-300:])}
    return res


def callgrind_rows(binary, pipeline, quick=False, cpus=None, client_cpus=None):
    """Instructions per request of each BENCH_TESTS command under callgrind, one server run
    for all of them in redis-benchmark's order (so LPOP and RPOP pop what LPUSH and RPUSH
    pushed, SPOP what SADD added, ZPOPMIN what ZADD added): the counters are zeroed before
    each test's run and dumped after it (callgrind_control), so each figure is that test's
    alone. The LRANGE rows run `LRANGE mylist 0 99` (or 0 599) after an unmeasured LPUSH fill,
    which redis-benchmark's own lrange tests do as part of their run. Returns {test: instr}."""
    n = (5_000 if quick else 20_000) * (4 if pipeline > 1 else 1)
    tmp = tempfile.mkdtemp(prefix="firn-bench-cg-")
    out = os.path.join(tmp, "cg.out")
    res = {}

    def bench(host, port, args, count):
        cmd = common.pin_prefix(client_cpus) + [
            "redis-benchmark", "-h", host, "-p", str(port), "-c", "50", "-n", str(count),
            "-d", "32", "-r", "100000", "-P", str(pipeline), "-q"] + args
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        if r.returncode != 0 or "Error from server" in r.stdout + r.stderr:
            raise RuntimeError("redis-benchmark: %s" % (r.stdout + r.stderr)[-300:])

    def load(host, port):
        pid = common.info(host, port, "server")["process_id"]  # the valgrind process itself
        for test in BENCH_TESTS:
            if test.startswith("lrange_"):
                bench(host, port, ["-t", "lpush"], 1000)
                args = ["LRANGE", "mylist", "0", str(int(test.split("_")[1]) - 1)]
            else:
                args = ["-t", test]
            count = n // 10 if test == "lrange_600" else n
            subprocess.run(["callgrind_control", "-z", pid], capture_output=True,
                           check=True, timeout=120)
            bench(host, port, args, count)
            before = set(glob.glob(out + ".*"))
            subprocess.run(["callgrind_control", "-d", pid], capture_output=True,
                           check=True, timeout=120)
            dumps = sorted(set(glob.glob(out + ".*")) - before)
            if not dumps:
                raise RuntimeError("callgrind_control wrote no dump")
            res[test] = cpu.read_total_ir(dumps[-1]) / count

    try:
        cpu._callgrind_run(binary, out, load, cpus)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


HASHOPS_TESTS = [("HGET", ["HGET", "h:__rand_int__", "f5"]),
                 ("HSET", ["HSET", "h:__rand_int__", "f5", VALUE[:20].decode() + "__rand_int__"]),
                 ("HGETALL", ["HGETALL", "h:__rand_int__"])]


def _load_bench_hashes(host, port, n):
    common.bulk_load(host, port, _ten_field_hashes(b"h:%012d", n), n)


def hash_ops(host, port, pipeline, quick=False, cpus=None, timeout=600):
    """Loads the hashes, then one redis-benchmark run per test; returns {test: rps}."""
    keys = _sizes(quick)["keys"]
    _load_bench_hashes(host, port, keys)
    enc, _ = common.try_call(host, port, "OBJECT", "ENCODING", "h:%012d" % 0)
    if enc not in (b"listpack", "listpack"):
        return {"error": "h:0 is %r, not listpack" % (enc,)}
    n = (50_000 if quick else 200_000) * (4 if pipeline > 1 else 1)
    res = {}
    for name, command in HASHOPS_TESTS:
        cmd = common.pin_prefix(cpus) + [
            "redis-benchmark", "-h", host, "-p", str(port), "-c", "50", "-n", str(n),
            "-r", str(keys), "-P", str(pipeline), "--csv"] + command
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        out = r.stdout + r.stderr
        m = re.search(r"Error from server: ([^\r\n]*)", out)
        if m:
            return {"error": "%s: server error: %s" % (name, m.group(1).strip())}
        found = _CSV_RE.findall(out)
        if not found:
            return {"error": "%s: redis-benchmark exit %d: %s" % (name, r.returncode, out[-300:])}
        res[name] = float(found[-1][1])
    return res


# ---- side by side --------------------------------------------------------------------


def family(runner):
    """The bench/run.py family: every row on Firn and Redis, alternating who goes first."""
    targets = [runner.firn, runner.redis]
    quick = runner.quick
    reps = runner.reps("collections")

    def fresh(t, fn, *args):
        """fn(host, port, *args) on t freshly started, stopped after (or the start error)."""
        if t.start():
            return {"error": t.start_error}
        res = _safe(fn, t.server.host, t.server.port, *args)
        t.stop()
        return res

    for row in MEMORY_ROWS:
        for rep in range(reps):
            for t in runner.order(targets, rep):
                res = fresh(t, lambda h, p: memory_row(h, p, row, quick, t.server.pid))
                runner.record("collections", "memory " + row, t, res)
    for row in STALL_ROWS:
        for rep in range(reps):
            for t in runner.order(targets, rep):
                srv = t.ensure()
                res = {"error": t.start_error} if srv is None else _safe(
                    stall_row, srv.host, srv.port, row, quick)
                runner.record("collections", row, t, res)
    for t in targets:
        t.stop()
    for pipeline in (16, 1):
        for t in targets:
            res = _safe(callgrind_rows, t.binary, pipeline, quick, runner.server_cpus,
                        runner.client_cpus)
            for test in BENCH_TESTS:
                runner.record("collections", "%s P%d callgrind" % (test.upper(), pipeline), t,
                              {"instr_per_req": res[test]} if test in res else
                              {"error": res.get("error", "no figure")})
    for fn, rows in [(throughput, [(t, t.upper() + " P%d") for t in
                                   BENCH_TESTS + [CEILING_TEST]]),
                     (hash_ops, [(t, t + " hash10 P%d") for t, _ in HASHOPS_TESTS])]:
        for pipeline in (1, 16):
            for rep in range(reps):
                for t in runner.order(targets, rep):
                    res = fresh(t, fn, pipeline, quick, runner.client_cpus)
                    for test, row in rows:
                        runner.record("collections", row % pipeline, t,
                                      {"rps": res[test]} if test in res else
                                      {"error": res.get("error", "no figure")})


def _safe(fn, *args):
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 - reported in the table
        return {"error": "%s: %s" % (type(e).__name__, str(e)[:300])}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--server", default=os.path.join(common.REPO_DIR, "build", "firn-server"))
    p.add_argument("--redis", default=shutil.which("redis-server") or "/usr/bin/redis-server")
    p.add_argument("--part", default="memory,stall,throughput")
    p.add_argument("--rows", help="only these rows (comma-separated names)")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--firn-args", default="", help="extra settings for Firn only")
    a = p.parse_args()
    ncpu = os.cpu_count() or 1
    server_cpus = str(ncpu - 1) if ncpu >= 2 and shutil.which("taskset") else None
    client_cpus = ("0-%d" % (ncpu - 2) if ncpu > 2 else "0") if server_cpus else None
    servers = [("firn", os.path.abspath(a.server)), ("redis", a.redis)]
    extra = {"firn": a.firn_args.split() or None, "redis": None}
    parts = a.part.split(",")
    only = set(a.rows.split(",")) if a.rows else None
    results = {}

    def add(row, key, res):
        results.setdefault(row, {}).setdefault(key, []).append(res)

    def each(rep):
        return servers if rep % 2 == 0 else list(reversed(servers))

    if "memory" in parts:
        for row in MEMORY_ROWS:
            if only and row not in only:
                continue
            for rep in range(a.reps):
                for key, binary in each(rep):
                    srv = common.start_server(binary, name=key, cpus=server_cpus,
                                              extra=extra[key])
                    try:
                        add("memory " + row, key, _safe(memory_row, srv.host, srv.port, row,
                                                        a.quick, srv.pid))
                    finally:
                        srv.stop(common.stop_command_for(binary))
    if "stall" in parts:
        # Not pinned: the background freer is a thread of the server, and pinning the server
        # to one CPU would make it take turns with the event loop it is meant to spare.
        for key, binary in servers:
            srv = common.start_server(binary, name=key, extra=extra[key])
            try:
                for row in STALL_ROWS:
                    if only and row not in only:
                        continue
                    for rep in range(a.reps):
                        add(row, key, _safe(stall_row, srv.host, srv.port, row, a.quick))
            finally:
                srv.stop(common.stop_command_for(binary))

    def pipelined(fn, rows):
        """fn(host, port, pipeline, ...) -> {test: rps} on a fresh server per run, at -P 1
        and -P 16; rows: (test, row name format with the pipeline depth)."""
        for pipeline in (1, 16):
            for rep in range(a.reps):
                for key, binary in each(rep):
                    srv = common.start_server(binary, name=key, cpus=server_cpus,
                                              extra=extra[key])
                    try:
                        res = _safe(fn, srv.host, srv.port, pipeline, a.quick, client_cpus)
                    finally:
                        srv.stop(common.stop_command_for(binary))
                    for test, row in rows:
                        add(row % pipeline, key, {"rps": res[test]} if test in res else res)

    if "throughput" in parts:
        pipelined(throughput, [(t, t.upper() + " P%d") for t in BENCH_TESTS + [CEILING_TEST]])
    if "callgrind" in parts:
        for pipeline in (16, 1):
            for key, binary in servers:
                res = _safe(callgrind_rows, binary, pipeline, a.quick, server_cpus, client_cpus)
                for test in BENCH_TESTS:
                    add("%s P%d callgrind" % (test.upper(), pipeline), key,
                        {"instr_per_req": res[test]} if test in res else res)
    if "hashops" in parts:
        pipelined(hash_ops, [(t, t + " hash10 P%d") for t, _ in HASHOPS_TESTS])
    # A table of medians: Firn, Redis, ratio.
    metrics = ["rss_per_element", "used_per_element", "ping_max_ms", "del_ms", "rps",
               "instr_per_req"]
    print("%-22s %-18s %12s %12s %7s" % ("row", "figure", "firn", "redis", "ratio"))
    for row, by in results.items():
        for m in metrics:
            f = common.median([r.get(m) for r in by.get("firn", []) if isinstance(r, dict)])
            r = common.median([x.get(m) for x in by.get("redis", []) if isinstance(x, dict)])
            if f is None and r is None:
                continue
            ratio = "%.2f" % (f / r) if f is not None and r else "n/a"
            print("%-22s %-18s %12s %12s %7s" % (row, m, "%.4g" % f if f is not None else "n/a",
                                                   "%.4g" % r if r is not None else "n/a",
                                                   ratio))
        for key in ("firn", "redis"):
            for res in by.get(key, []):
                if isinstance(res, dict) and "error" in res:
                    print("  %s error: %s" % (key, res["error"]))
                    break
                if isinstance(res, dict) and "encoding" in res:
                    print("  %s encoding: %s" % (key, res["encoding"]))
                    break
    common.print_json(results) if os.environ.get("COLLECTIONS_JSON") else None


if __name__ == "__main__":
    main()
