#!/usr/bin/env python3
"""Firn's benchmark runner: Firn and Debian's redis-server side by side, in one run.

  python3 bench/run.py --server build/firn-server [--quick] [--only NAME[,NAME]]

Starts firn-server and redis-server on free loopback ports (persistence off, the same
memory settings), runs every workload family against both, alternating which server
goes first on each repetition so that machine noise hits both alike, and writes
bench/results/<date>.md and bench/results/latest.md (medians and min-max spread), the raw
figures as JSON, and PNG plots beside them.

Families (see bench/README.md and each bench/workloads/<name>.py):
  throughput  redis-benchmark rows against Firn, Redis and the ceiling responder
  cpu         instructions per request under callgrind
  memory      bytes per key
  expiry      time to reclaim 200k keys with a 1 s TTL
  loadshapes  step ramp, spike, double wave: latency and throughput over time
  ratelimit   CL.THROTTLE / RL.BUCKET / RL.WINDOW against Lua and MULTI on Redis
  eviction    hit ratio under maxmemory, Zipfian with and without cold scans
  geo, bits   GEO*, SORT, bit and HyperLogLog commands through redis-benchmark
  collections memory per element, DEL/UNLINK stalls, list/set/hash/zset redis-benchmark rows
  blocking, streams, clientstate
              BLPOP ping-pong; XADD/XRANGE/XREADGROUP; PUBLISH fan-out, WATCH/MULTI/EXEC
  scripting   EVALSHA of limits' scripts and a token bucket, and Firn's RL.* beside them
  migrate     MIGRATE of 100 keys at a time into a second server
  persistence AOF SET rates, BGSAVE time and memory, p99 under a child, start-up time
  security    redis-benchmark over TLS, 10,000 idle connections, PING p99 in a connect flood
  security_acl redis-benchmark SET/GET as a restricted ACL user

A server that is missing, fails to start, or lacks a command gets "n/a" and the error
in the report; the run goes on. Nothing here judges a figure.
"""

import argparse
import atexit
import datetime
import importlib.util
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import traceback

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(BENCH_DIR, "workloads"))

import bits  # noqa: E402
import blocking  # noqa: E402
import clientstate  # noqa: E402
import common  # noqa: E402
import cpu  # noqa: E402
import eviction  # noqa: E402
import expiry  # noqa: E402
import geo  # noqa: E402
import loadshapes  # noqa: E402
import memory  # noqa: E402
import migrate  # noqa: E402
import persistence  # noqa: E402
import ratelimit  # noqa: E402
import streams  # noqa: E402
import report  # noqa: E402
import scripting  # noqa: E402
import security  # noqa: E402
import throughput  # noqa: E402

# bench/workloads/collections.py by path: the name `collections` is the standard library's.
_spec = importlib.util.spec_from_file_location(
    "collections_bench", os.path.join(BENCH_DIR, "workloads", "collections.py"))
collections_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(collections_bench)

FAMILIES = ["throughput", "cpu", "memory", "expiry", "loadshapes", "ratelimit", "eviction",
            "geo", "bits", "collections", "blocking", "streams", "scripting", "clientstate",
            "migrate", "persistence", "security"]

# Repetitions per family: (quick, full). The quick run keeps three alternating
# repetitions where noise matters most (throughput) and one elsewhere, to stay short
# (about 5 minutes); callgrind counts and bytes per key hardly vary between repetitions.
REPS = {
    "throughput": (3, 3),
    "cpu": (1, 3),
    "memory": (1, 3),
    "expiry": (1, 3),
    "loadshapes": (1, 3),
    "ratelimit": (1, 3),
    "eviction": (1, 3),
    "geo": (1, 1),
    "bits": (1, 3),
    "collections": (1, 3),
    "blocking": (1, 3),
    "streams": (1, 3),
    "scripting": (1, 3),
    "clientstate": (1, 3),
    "migrate": (1, 3),
    "persistence": (1, 3),
    "security": (1, 3),
}

_live_servers = []


def _stop_all():
    for srv, cmd in list(_live_servers):
        try:
            srv.stop(cmd, timeout=5)
        except Exception:  # noqa: BLE001 - best effort at exit
            pass
    _live_servers.clear()


def _stamp(path):
    """Size and mtime of a binary, to notice a rebuild during the run."""
    try:
        st = os.stat(path)
        return [st.st_size, st.st_mtime]
    except (OSError, TypeError):
        return None


def safe(fn, *args, **kwargs):
    """Runs one workload; an exception becomes that row's error, not the family's end."""
    try:
        return fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - reported in the table
        return {"error": "%s: %s" % (type(e).__name__, str(e)[:300])}


def log(msg):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


class Target:
    """One server under test: Firn, Redis, or the ceiling responder."""

    def __init__(self, key, label, binary, kind, cpus):
        self.key, self.label, self.binary, self.kind, self.cpus = key, label, binary, kind, cpus
        self.server = None
        self.start_error = None
        self.notes = []

    def start(self, maxmemory=None, policy=None, attempts=3):
        """Starts a fresh server; returns None or the error text. A failed start is tried
        again after a pause: the binary may be in the middle of a rebuild."""
        for attempt in range(attempts):
            if self._start_once(maxmemory, policy) is None or not os.path.exists(
                    self.binary or ""):
                break
            if attempt + 1 < attempts:
                time.sleep(2)
        return self.start_error

    def _start_once(self, maxmemory, policy):
        self.stop()
        try:
            if self.kind == "ceiling":
                self.server = common.start_ceiling(self.cpus)
            else:
                self.server = common.start_server(self.binary, name=self.key,
                                                  maxmemory=maxmemory, policy=policy,
                                                  cpus=self.cpus)
            _live_servers.append((self.server, self.stop_command()))
            self.start_error = None
        except (RuntimeError, OSError) as e:
            self.server = None
            self.start_error = "start failed: %s" % e
        return self.start_error

    def stop_command(self):
        if self.kind == "ceiling":
            return None
        return common.stop_command_for(self.binary)

    def stop(self):
        if self.server is None:
            return
        srv = self.server
        self.server = None
        _live_servers[:] = [(s, c) for s, c in _live_servers if s is not srv]
        code = srv.stop(self.stop_command())
        if code not in (0, None, -signal.SIGTERM):
            self.notes.append("%s exited with code %s; log: %s" % (self.label, code,
                                                                   srv.log_tail(300)))

    def alive(self):
        return self.server is not None and self.server.proc.poll() is None

    def ensure(self, maxmemory=None, policy=None):
        """The server, restarted if it died since the last workload; or None."""
        if self.alive():
            return self.server
        if self.server is not None:
            dead, self.server = self.server, None
            self.notes.append("%s died (exit %s), restarted; log: %s" % (
                self.label, dead.proc.returncode, dead.log_tail(300)))
            _live_servers[:] = [(s, c) for s, c in _live_servers if s is not dead]
            dead.stop()  # reaps it and closes its log
        if self.start(maxmemory, policy):
            return None
        return self.server


class Runner:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        ncpu = os.cpu_count() or 1
        pin = not args.no_pin and ncpu >= 2 and shutil.which("taskset")
        self.server_cpus = str(ncpu - 1) if pin else None
        self.client_cpus = "0-%d" % (ncpu - 2) if pin and ncpu > 2 else ("0" if pin else None)
        firn_label = "Firn"
        if common.is_redis_binary(args.server):
            firn_label = "Firn (stand-in: %s)" % os.path.basename(args.server)
        self.firn = Target("firn", firn_label, args.server, "firn", self.server_cpus)
        self.redis = Target("redis", "Redis", args.redis, "redis", self.server_cpus)
        self.ceiling = Target("ceiling", "ceiling", None, "ceiling", self.server_cpus)
        self.results = {"families": {}, "meta": {}}

    def reps(self, family):
        if self.args.reps:
            return self.args.reps
        return REPS[family][0 if self.quick else 1]

    @staticmethod
    def order(targets, rep):
        """Alternates which server goes first on each repetition."""
        return list(targets) if rep % 2 == 0 else list(reversed(targets))

    def record(self, family, row, target, value):
        fam = self.results["families"].setdefault(family, {"rows": {}})
        fam["rows"].setdefault(row, {}).setdefault(target.key, []).append(value)

    # ---- families ------------------------------------------------------------------

    def family_throughput(self):
        targets = [self.firn, self.redis, self.ceiling]
        for t in targets:
            t.start()
        for name, test, clients, pipeline, n in throughput.rows(self.quick):
            for rep in range(self.reps("throughput")):
                for t in self.order(targets, rep):
                    srv = t.ensure()
                    if srv is None:
                        res = {"error": t.start_error}
                    else:
                        res = safe(throughput.run_row, srv.host, srv.port, test, clients,
                                   pipeline, n, cpus=self.client_cpus)
                    self.record("throughput", name, t, res)
            log("throughput %-24s %s" % (name, self.brief("throughput", name, "rps")))
        for t in targets:
            t.stop()

    def family_cpu(self):
        n = cpu.requests_each(self.quick)
        targets = [self.firn, self.redis]
        base = {}
        for t in targets:
            base[t.key] = safe(cpu.baseline, t.binary, cpus=self.server_cpus)
        for pipeline in (16, 1):
            row = "SET+GET P%d" % pipeline
            for rep in range(self.reps("cpu")):
                for t in self.order(targets, rep):
                    if "error" in base[t.key]:
                        res = dict(base[t.key])
                    else:
                        res = safe(cpu.measure, t.binary, pipeline, n, cpus=self.server_cpus,
                                   client_cpus=self.client_cpus,
                                   baseline_ir=base[t.key]["baseline_ir"])
                    self.record("cpu", row, t, res)
            log("cpu %-12s %s" % (row, self.brief("cpu", row, "instr_per_req")))

    def family_memory(self):
        sizes = memory.sizes(self.quick)
        families = memory.QUICK_FAMILIES if self.quick else memory.FAMILIES
        targets = [self.firn, self.redis]
        for fam in families:
            for rep in range(self.reps("memory")):
                for t in self.order(targets, rep):
                    if t.start():
                        res = {"error": t.start_error}
                    else:
                        srv = t.server
                        res = safe(memory.run_family, srv.host, srv.port, fam, sizes[fam],
                                   srv.pid)
                        t.stop()
                    self.record("memory", fam, t, res)
            log("memory %-16s %s" % (fam, self.brief("memory", fam, "rss_per_key")))

    def family_expiry(self):
        targets = [self.firn, self.redis]
        row = "200k keys, 1 s TTL"
        for rep in range(self.reps("expiry")):
            for t in self.order(targets, rep):
                if t.start():
                    res = {"error": t.start_error}
                else:
                    res = safe(expiry.run, t.server.host, t.server.port,
                               limit_s=15.0 if self.quick else 30.0)
                    t.stop()
                self.record("expiry", row, t, res)
        log("expiry %s" % self.brief("expiry", row, "keys_reclaimed_s"))

    def family_geo(self):
        for t in (self.firn, self.redis):
            res = {"": {"error": t.start_error}} if t.start() else safe(
                geo.run, t.server.host, t.server.port, self.quick, cpus=self.client_cpus)
            for row, value in ({"": res} if "error" in res else res).items():
                self.record("geo", row, t, value)
            t.stop()

    def family_loadshapes(self):
        targets = [self.firn, self.redis]
        for t in targets:
            t.start()
        for shape in loadshapes.SHAPE_NAMES:
            for rep in range(self.reps("loadshapes")):
                for t in self.order(targets, rep):
                    srv = t.ensure()
                    res = {"error": t.start_error} if srv is None else safe(
                        loadshapes.run, srv.host, srv.port, shape, self.quick,
                        cpus=self.client_cpus)
                    self.record("loadshapes", shape, t, res)
            log("loadshapes %-12s %s" % (shape, self.brief("loadshapes", shape, "p99_ms")))
        for t in targets:
            t.stop()

    def family_bits(self):
        for rep in range(self.reps("bits")):
            for t in self.order([self.firn, self.redis], rep):
                res = {"error": t.start_error} if t.start() else safe(
                    bits.run, t.server.host, t.server.port, self.quick, self.client_cpus)
                t.stop()
                for row, figures in (res.items() if "error" not in res else [("all", res)]):
                    self.record("bits", row, t, figures)
        log("bits %s" % self.brief("bits", "PFADD dense P16", "rps"))

    def family_ratelimit(self):
        targets = [self.firn, self.redis]
        for t in targets:
            t.start()
        # Two rows can share the Redis equivalent (the Lua bucket stands for GCRA and the
        # token bucket): it is measured once per repetition and reported in both rows.
        done = {}
        for row, (native, equivalent) in ratelimit.ROWS.items():
            for pipeline in (1, 16):
                name = "%s P%d" % (row, pipeline)
                for rep in range(self.reps("ratelimit")):
                    for t in self.order(targets, rep):
                        workload = native if t is self.firn else equivalent
                        memo = (t.key, workload, pipeline, rep)
                        if memo in done:
                            res = dict(done[memo], shared_with=done[memo]["row"])
                        else:
                            srv = t.ensure()
                            res = {"error": t.start_error} if srv is None else safe(
                                ratelimit.run, srv.host, srv.port, workload, pipeline,
                                self.quick, measure_memory=(pipeline == 1),
                                cpus=self.client_cpus)
                            done[memo] = dict(res, row=name)
                        self.record("ratelimit", name, t, res)
                log("ratelimit %-20s %s" % (name, self.brief("ratelimit", name, "rps")))
        name = "sliding-window long-log"
        for rep in range(self.reps("ratelimit")):
            for t in self.order(targets, rep):
                srv = t.ensure()
                impl = "native" if t is self.firn else "redis"
                res = {"error": t.start_error} if srv is None else safe(
                    ratelimit.long_log, srv.host, srv.port, impl, self.quick)
                self.record("ratelimit", name, t, res)
        log("ratelimit %-20s %s" % (name, self.brief("ratelimit", name, "refused_p50_us")))
        for t in targets:
            t.stop()

    def family_blocking(self):
        blocking.family(self)
    def family_streams(self):
        streams.family(self)
    def family_migrate(self):
        migrate.family(self)
    def family_scripting(self):
        scripting.family(self, safe, log)
    def family_persistence(self):
        persistence.family(self, safe)

    def family_eviction(self):
        targets = [self.firn, self.redis]
        for variant in eviction.VARIANTS:
            for rep in range(self.reps("eviction")):
                for t in self.order(targets, rep):
                    maxmemory = eviction.budget(self.quick)[0]
                    if t.start(maxmemory=maxmemory, policy=eviction.POLICY):
                        res = {"error": t.start_error}
                    else:
                        srv = t.server
                        res = safe(eviction.run, srv.host, srv.port, variant, self.quick,
                                   srv.pid, cpus=self.client_cpus)
                        t.stop()
                    self.record("eviction", variant, t, res)
            log("eviction %-10s %s" % (variant, self.brief("eviction", variant, "hit_ratio")))

    def family_collections(self):
        collections_bench.family(self)
    def family_clientstate(self):
        clientstate.family(self)

    def family_security(self):
        security.family(self)

    # ---- driver --------------------------------------------------------------------

    def brief(self, family, row, metric):
        """A one-line progress summary: median of each server's metric."""
        parts = []
        for key, reps in self.results["families"][family]["rows"][row].items():
            vals = [r.get(metric) for r in reps if isinstance(r, dict) and "error" not in r]
            med = common.median(vals)
            if med is None:
                err = next((r.get("error") for r in reps if "error" in r), "?")
                parts.append("%s=n/a (%s)" % (key, str(err)[:60]))
            else:
                parts.append("%s=%.4g" % (key, med))
        return " ".join(parts)

    def meta(self):
        cpu_model, cores = "unknown", os.cpu_count()
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        cpu_model = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        mem_total = None
        try:
            with open("/proc/meminfo") as f:
                mem_total = int(f.readline().split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        git = ""
        try:
            git = subprocess.run(["git", "-C", BENCH_DIR, "rev-parse", "--short", "HEAD"],
                                 capture_output=True, text=True, timeout=5).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
        return {
            "date": datetime.date.today().isoformat(),
            "started": datetime.datetime.now().isoformat(timespec="seconds"),
            "cpu_model": cpu_model,
            "cores": cores,
            "memory": mem_total,
            "kernel": platform.release(),
            "loadavg_start": os.getloadavg(),
            "firn_binary": self.args.server,
            "firn_version": common.server_version(self.args.server),
            "firn_stamp": _stamp(self.args.server),
            "firn_label": self.firn.label,
            "redis_binary": self.args.redis,
            "redis_version": common.server_version(self.args.redis),
            "redis_benchmark": common.server_version(shutil.which("redis-benchmark") or
                                                     "redis-benchmark"),
            "quick": self.quick,
            "pinning": ("servers on CPU %s, clients on CPU %s" %
                        (self.server_cpus, self.client_cpus)) if self.server_cpus else "none",
            "git": git,
        }

    def run(self, families):
        t0 = time.monotonic()
        self.results["meta"] = self.meta()
        self.results["meta"]["reps"] = {f: self.reps(f) for f in families}
        timings = {}
        for fam in families:
            log("== %s" % fam)
            f0 = time.monotonic()
            try:
                getattr(self, "family_" + fam)()
            except Exception as e:  # noqa: BLE001 - one family must not end the run
                tb = traceback.format_exc()
                log("family %s failed: %s" % (fam, tb))
                self.results["families"].setdefault(fam, {"rows": {}})["failure"] = (
                    "%s: %s" % (type(e).__name__, e))
            finally:
                for t in (self.firn, self.redis, self.ceiling):
                    t.stop()
            timings[fam] = round(time.monotonic() - f0, 1)
        meta = self.results["meta"]
        meta["seconds"] = round(time.monotonic() - t0, 1)
        meta["family_seconds"] = timings
        meta["loadavg_end"] = os.getloadavg()
        meta["notes"] = self.firn.notes + self.redis.notes + self.ceiling.notes
        if _stamp(self.args.server) != meta.get("firn_stamp"):
            meta["notes"].append("firn-server changed during the run (rebuilt?): its figures "
                                 "may mix two builds; the version above is the first one")
        return self.results


import security_acl; security_acl.register(Runner, FAMILIES, REPS)  # noqa: E402,E702


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--server", default=os.path.join(common.REPO_DIR, "build", "firn-server"),
                   help="firn-server binary (a redis-server binary works as a stand-in)")
    p.add_argument("--redis", default=shutil.which("redis-server") or "/usr/bin/redis-server",
                   help="the reference redis-server binary")
    p.add_argument("--quick", action="store_true", help="smaller run, about 5 minutes")
    p.add_argument("--only", help="comma-separated families: " + ",".join(FAMILIES))
    p.add_argument("--reps", type=int, help="repetitions for every family (default: per family)")
    p.add_argument("--out", default=os.path.join(BENCH_DIR, "results"),
                   help="folder for the report (default bench/results)")
    p.add_argument("--no-pin", action="store_true",
                   help="do not pin servers and clients to separate CPUs")
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--no-latest", action="store_true",
                   help="write only the dated report, not latest.*")
    args = p.parse_args()

    families = FAMILIES
    if args.only:
        families = [f.strip() for f in args.only.split(",") if f.strip()]
        unknown = [f for f in families if f not in FAMILIES]
        if unknown:
            p.error("unknown families: %s (known: %s)" % (",".join(unknown), ",".join(FAMILIES)))
    args.server = os.path.abspath(args.server) if args.server else args.server
    if not os.path.exists(args.server):
        log("firn-server not found at %s: Firn's figures will be n/a" % args.server)

    if args.server:
        common.TOOL_DIRS.insert(0, os.path.join(os.path.dirname(args.server), "bench"))
    atexit.register(_stop_all)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))

    # Build the C++ helpers up front so a compile error shows once, not per workload.
    for tool in ("ceiling", "loadgen"):
        try:
            common.tool_path(tool)
        except RuntimeError as e:
            log(str(e))

    runner = Runner(args)
    try:
        results = runner.run(families)
    except KeyboardInterrupt:
        log("interrupted: writing what was measured")
        results = runner.results
    finally:
        _stop_all()
    paths = report.write(results, args.out, plots=not args.no_plots, latest=not args.no_latest)
    for path in paths:
        log("wrote %s" % path)
    log("total %.0f s" % results["meta"].get("seconds", 0))


if __name__ == "__main__":
    main()
