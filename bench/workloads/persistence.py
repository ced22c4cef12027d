"""Persistence: the AOF's write rate, BGSAVE's time and memory, latency while a child runs, and
start-up time, Firn beside redis-server.

Rows (each starts its own server in a fresh directory, so the files are its own):
  SET always|everysec P1|P16   redis-benchmark SET, 50 clients, appendonly yes (req/s)
  BGSAVE                       BGSAVE of N keys: seconds until done, and the memory peak:
                               parent RSS + the child's private dirty pages (its copy-on-write
                               cost, /proc/PID/smaps_rollup), sampled every 10 ms
  p99 steady|BGSAVE|BGREWRITEAOF  p99 (ms) of a GET/SET load (20 clients, P1) on N keys, alone
                               and while BGSAVE / BGREWRITEAOF run back to back for its length
                               (Firn: also the loop's pause switching each new base in, us)
  start RDB | start AOF        seconds from exec to the first +PONG (loading done) from an N-key
                               dump.rdb, or from an AOF directory of N SET commands (empty base)
N is 1,000,000 (--quick: 200,000). Standalone:
  python3 bench/workloads/persistence.py --server build/firn-server [--redis PATH] [--quick]
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

ROWS = ["SET always P1", "SET always P16", "SET everysec P1", "SET everysec P16", "BGSAVE",
        "p99 steady", "p99 BGSAVE", "p99 BGREWRITEAOF", "start RDB", "start AOF"]
METRIC = {"BGSAVE": "seconds", "start RDB": "seconds", "start AOF": "seconds"}
AOF_OPTS = ["--appendonly", "yes", "--auto-aof-rewrite-percentage", "0"]


def keys(quick):
    return 200000 if quick else 1000000


def start(binary, extra, workdir, cpus=None):
    return common.Server(
        lambda port: common.server_command(binary, port, extra=["--dir", workdir] + extra),
        name=os.path.basename(binary), cpus=cpus, workdir=workdir, ready_timeout=120)


def load_keys(srv, n):
    def chunks():
        batch = []
        for i in range(n):
            batch.append(common.encode("SET", "key:%d" % i, "value:%024d" % i))
            if len(batch) == 10000:
                yield b"".join(batch)
                batch = []
        if batch:
            yield b"".join(batch)
    common.bulk_load(srv.host, srv.port, chunks(), n)


def benchmark(srv, args, cpus=None):
    """redis-benchmark --csv; {test: {rps, p50, p99}}."""
    tool = shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark"
    cmd = common.pin_prefix(cpus) + [tool, "-h", srv.host, "-p", str(srv.port), "--csv"] + [
        str(a) for a in args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900).stdout
    rows = {}
    for line in out.splitlines():
        f = [x.strip('"') for x in line.split('","')]
        if len(f) >= 7 and f[0] != "test":
            rows[f[0]] = {"rps": float(f[1]), "p50_ms": float(f[4]), "p99_ms": float(f[6])}
    if not rows:
        raise RuntimeError("redis-benchmark printed no result: %s" % out[-300:])
    return rows


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def private_dirty(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as fh:
            return sum(int(l.split()[1]) * 1024 for l in fh if l.startswith("Private_Dirty:"))
    except (OSError, ValueError):
        return 0


def wait_child(srv, field, sample=None, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sample:
            sample()
        if common.info(srv.host, srv.port, "persistence").get(field) == "0":
            return
        time.sleep(0.01)
    raise RuntimeError("%s still 1 after %d s" % (field, timeout))


def row_set(binary, fsync, pipeline, quick, cpus, client_cpus):
    n = {("always", 1): 10000, ("always", 16): 100000, ("everysec", 1): 50000,
         ("everysec", 16): 300000}[(fsync, pipeline)]
    work = tempfile.mkdtemp(prefix="firn-bench-persist-")
    srv = start(binary, AOF_OPTS + ["--appendfsync", fsync], work, cpus)
    try:
        r = benchmark(srv, ["-t", "set", "-c", 50, "-P", pipeline, "-r", 100000,
                            "-n", n * (1 if quick else 3)], client_cpus)["SET"]
        return {"rps": r["rps"], "p50_ms": r["p50_ms"]}
    finally:
        srv.stop(common.stop_command_for(binary))
        shutil.rmtree(work, ignore_errors=True)


def row_bgsave(binary, quick, cpus):
    work = tempfile.mkdtemp(prefix="firn-bench-persist-")
    srv = start(binary, [], work, cpus)
    try:
        load_keys(srv, keys(quick))
        peak = {"mem": 0, "child_dirty": 0}

        def sample():
            kids = children(srv.pid)
            dirty = sum(private_dirty(k) for k in kids)
            peak["child_dirty"] = max(peak["child_dirty"], dirty)
            peak["mem"] = max(peak["mem"], (common.vm_rss_bytes(srv.pid) or 0) + dirty)

        rss0 = common.vm_rss_bytes(srv.pid)
        t0 = time.monotonic()
        with common.Client(srv.host, srv.port) as c:
            c.call("BGSAVE")
        wait_child(srv, "rdb_bgsave_in_progress", sample)
        return {"seconds": time.monotonic() - t0, "rss_before": rss0, "peak_bytes": peak["mem"],
                "child_private_dirty": peak["child_dirty"],
                "status": common.info(srv.host, srv.port, "persistence")["rdb_last_bgsave_status"]}
    finally:
        srv.stop(["SHUTDOWN", "NOSAVE"])
        shutil.rmtree(work, ignore_errors=True)


def row_p99(binary, during, quick, cpus, client_cpus):
    work = tempfile.mkdtemp(prefix="firn-bench-persist-")
    srv = start(binary, AOF_OPTS if during == "BGREWRITEAOF" else [], work, cpus)
    stop = threading.Event()
    children_run = [0]

    def churn():
        with common.Client(srv.host, srv.port, timeout=60) as c:
            while not stop.is_set():
                c.call(during)
                children_run[0] += 1
                field = "aof_rewrite_in_progress" if during == "BGREWRITEAOF" \
                    else "rdb_bgsave_in_progress"
                while not stop.is_set() and \
                        common.info(srv.host, srv.port, "persistence").get(field) != "0":
                    time.sleep(0.02)

    try:
        n = keys(quick)
        load_keys(srv, n)
        th = None
        if during != "steady":
            th = threading.Thread(target=churn, daemon=True)
            th.start()
        r = benchmark(srv, ["-t", "set,get", "-c", 20, "-P", 1, "-r", n,
                            "-n", 100000 if quick else 300000], client_cpus)
        stop.set()
        if th:
            th.join(60)
        out = {"p99_ms": max(r["SET"]["p99_ms"], r["GET"]["p99_ms"]),
               "set_p99_ms": r["SET"]["p99_ms"], "get_p99_ms": r["GET"]["p99_ms"],
               "rps": r["SET"]["rps"], "children": children_run[0]}
        # Firn logs how long its loop waited to switch each new base in.
        with open(srv.log_path, errors="replace") as fh:
            waits = [int(l.split("the loop waited ")[1].split()[0]) for l in fh
                     if "the loop waited " in l]
        if waits:
            out["switch_us_max"] = max(waits)
            out["switch_us_median"] = common.median(waits)
        return out
    finally:
        stop.set()
        srv.stop(["SHUTDOWN", "NOSAVE"])
        shutil.rmtree(work, ignore_errors=True)


def time_start(binary, extra, work, cpus):
    """Seconds from exec until PING answers +PONG (not -LOADING)."""
    port = common.free_port()
    argv = common.pin_prefix(cpus) + common.server_command(binary, port,
                                                           extra=["--dir", work] + extra)
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, cwd=work)
    try:
        while time.monotonic() - t0 < 300:
            if proc.poll() is not None:
                raise RuntimeError("exited with %s" % proc.returncode)
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return time.monotonic() - t0
            except OSError:
                pass
            time.sleep(0.005)
        raise RuntimeError("not ready after 300 s")
    finally:
        proc.kill()
        proc.wait()


def row_start(binary, kind, quick, cpus):
    work = tempfile.mkdtemp(prefix="firn-bench-persist-")
    extra = AOF_OPTS + ["--appendfsync", "no"] if kind == "AOF" else []
    srv = start(binary, extra, work, cpus)
    try:
        load_keys(srv, keys(quick))
        if kind == "RDB":
            with common.Client(srv.host, srv.port, timeout=300) as c:
                c.call("SAVE")
        else:
            time.sleep(1.5)  # the last writes reach the file
        srv.proc.kill()
        srv.stop()
        return {"seconds": time_start(binary, extra, work, cpus)}
    finally:
        srv.stop()
        shutil.rmtree(work, ignore_errors=True)


def run(binary, row, quick, cpus=None, client_cpus=None):
    if row.startswith("SET "):
        _, fsync, p = row.split()
        return row_set(binary, fsync, int(p[1:]), quick, cpus, client_cpus)
    if row == "BGSAVE":
        return row_bgsave(binary, quick, cpus)
    if row.startswith("p99 "):
        return row_p99(binary, row.split()[1], quick, cpus, client_cpus)
    return row_start(binary, row.split()[1], quick, cpus)


def family(runner, safe):
    """The `persistence` family of bench/run.py."""
    targets = [runner.firn, runner.redis]
    for row in ROWS:
        for rep in range(runner.reps("persistence")):
            for t in runner.order(targets, rep):
                res = safe(run, t.binary, row, runner.quick, runner.server_cpus,
                           runner.client_cpus)
                runner.record("persistence", row, t, res)
        metric = METRIC.get(row, "p99_ms" if row.startswith("p99") else "rps")
        print("persistence %-18s %s" % (row, runner.brief("persistence", row, metric)),
              file=sys.stderr)


def section(results):
    """The report's section (bench/report.py)."""
    import report

    t = []
    for name in report.rows_of(results, "persistence"):
        metric = METRIC.get(name, "p99_ms" if name.startswith("p99") else "rps")
        kind = {"rps": "rps", "p99_ms": "ms", "seconds": "s"}[metric]
        f, r = (report.get(results, "persistence", name, k, metric) for k in ("firn", "redis"))
        extra = ""
        if name == "BGSAVE":
            fm, rm = (report.get(results, "persistence", name, k, "peak_bytes")
                      for k in ("firn", "redis"))
            extra = "peak memory %s / %s" % (common.human_bytes(fm.median),
                                             common.human_bytes(rm.median))
        t.append([name, metric, report.cell(f, kind), report.cell(r, kind), report.ratio(f, r),
                  extra])
    if not t:
        return ""
    return ("## Persistence\n\n"
            "AOF SET rates (50 clients), BGSAVE of N keys (peak: parent RSS + the child's "
            "private dirty pages), p99 of a GET/SET load alone and while a child runs, start-up "
            "from an N-key dump.rdb or an N-command AOF (N = 1M; 200k with --quick).\n\n"
            + report.table(["row", "metric", "Firn", "Redis", "Firn/Redis", ""], t) + "\n")


def main():
    def extra(p):
        p.add_argument("--server", required=True)
        p.add_argument("--redis", default=shutil.which("redis-server") or "/usr/bin/redis-server")
        p.add_argument("--reps", type=int, default=3)
        p.add_argument("--only", default="", help="comma-separated rows")
    args = common.standalone_args(__doc__.splitlines()[0], extra)
    rows = [r for r in ROWS if not args.only or r in args.only.split(",")]
    out = {}
    for row in rows:
        metric = METRIC.get(row, "p99_ms" if row.startswith("p99") else "rps")
        vals = {"firn": [], "redis": []}
        for rep in range(args.reps):
            order = [("firn", args.server), ("redis", args.redis)]
            for key, binary in (order if rep % 2 == 0 else order[::-1]):
                try:
                    vals[key].append(run(binary, row, args.quick))
                except Exception as e:  # noqa: BLE001 - reported, not fatal
                    vals[key].append({"error": str(e)})
        med = {k: common.median([v.get(metric) for v in vs if "error" not in v])
               for k, vs in vals.items()}
        out[row] = {"runs": vals, "median": med, "metric": metric}
        print("%-18s %-8s firn=%s redis=%s" % (row, metric, med["firn"], med["redis"]),
              file=sys.stderr, flush=True)
    common.print_json(out)


if __name__ == "__main__":
    main()
