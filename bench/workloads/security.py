#!/usr/bin/env python3
"""Security: TLS throughput and connection handling, Firn beside Redis.

ROWS below is the family: a list of rows, each naming the extra server settings it needs
(`server_args(env)`, env holding the certificates made for the run), the function that
measures it (`run(env, srv, quick)`, srv the started server) and its key figure. Rows:

  tls SET P1 / tls GET P1 / tls SET P16 / tls GET P16
      redis-benchmark --tls (client certificate, 50 clients, 32-byte values, 1,000 keys) at
      -P 1 and -P 16 against the server's tls-port; rps.
  idle 10k conns
      10,000 plain connections opened and held (each sends one PING first), then the
      server's RSS growth over its RSS before, in bytes per connection (maxclients 10100):
      bytes_per_conn just after, bytes_per_conn_5s once they have been idle 5 s.
  idle 2k tls conns
      the same with 2,000 TLS connections (client certificate) on the tls-port.
  ping p99 under connect flood
      one client's sequential PING p99 (µs) idle, then while 2 other processes connect, PING
      and disconnect as fast as they can; p99_ratio = flood / idle, the flood's connects/s,
      and the server's own CPU time per flood connection (server_cpu_us_per_connect, from
      /proc, less what serving the pinger cost while idle; user and kernel time, so mostly
      the kernel's TCP work for accept, the reply and close, at 10 ms tick resolution). The
      flood runs in processes of its own so that it does not hold the measuring client's
      interpreter lock. Unpaced, the 2 flood processes alone can take both cores of a
      2-core machine: then the pinger waits for a core whatever the server does, and the
      ratio mostly measures the machine (redis-server's ratio beside Firn's tells how much).
      For a server that busy-polls, the CPU figure counts its polling too.
      Each run of this row and the next two is followed by the same measurement on the
      ceiling responder (bench/ceiling.cc: accept, answer, close, nothing else), placed the
      same way: ceiling_idle_p99_us, ceiling_flood_p99_us, ceiling_p99_ratio, the least a
      server's p99 rises by on this machine.
  ping p99 under paced connect flood
      the same with the flood held to FLOOD_PACED_PER_S connects/s per process, a rate
      that leaves a core's worth of room on 2 cores: the ratio then measures what the
      connections cost the other clients.
  ping p99 under connect flood from its own core
      the unpaced flood with its 2 processes on CPU 0 and the server's event loop and the
      pinger on the other CPU (idle and flooded alike), as when the flood comes from other
      machines: the pinger waits only for what the server does for the flood's connections.
  ping p99 under connect flood to another server / ... from its own core to another server
      controls for the two unpaced rows: the same flood, placed the same way, connects to a
      second instance of the same server (on the flood's CPU in the own-core control) while
      the pinger still pings the first. What the pinger's p99 rises by here is the
      machine's: the flood's processes taking the cores, not the pinged server's work.
The standalone run (main) also prints, for the flood rows, Firn's flood p99 over Redis's.

The certificates (a CA, a server certificate for 127.0.0.1, a client certificate) are made
with the openssl CLI in a temporary directory for each run.
"""

import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

CLIENTS = 50
KEYS = 1000
IDLE_CONNECTIONS = 10000


# ---- the environment: certificates ----

def make_env():
    d = tempfile.mkdtemp(prefix="firn-bench-tls-")

    def run(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    run("req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", "ca.key",
        "-out", "ca.crt", "-days", "2", "-subj", "/CN=bench-ca")
    for name, san in (("server", "IP:127.0.0.1"), ("client", "DNS:client")):
        run("req", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", name + ".key",
            "-out", name + ".csr", "-subj", "/CN=" + name)
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("subjectAltName=%s\n" % san)
        run("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-set_serial", "7", "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext")
    return {"dir": d, **{n: os.path.join(d, n) for n in ("ca", "server", "client")}}


def tls_args(env):
    env["tls_port"] = common.free_port()
    return ["--tls-port", str(env["tls_port"]), "--tls-cert-file", env["server"] + ".crt",
            "--tls-key-file", env["server"] + ".key", "--tls-ca-cert-file", env["ca"] + ".crt"]


# ---- rows ----

def tls_benchmark(env, srv, test, pipeline, quick):
    n = (50_000 if quick else 200_000) * (4 if pipeline > 1 else 1)
    cmd = ["redis-benchmark", "--tls", "--cacert", env["ca"] + ".crt",
           "--cert", env["client"] + ".crt", "--key", env["client"] + ".key",
           "-h", srv.host, "-p", str(env["tls_port"]), "-c", str(CLIENTS), "-n", str(n),
           "-r", str(KEYS), "-d", "32", "-P", str(pipeline), "-t", test, "-q"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    found = re.findall(r"%s: ([0-9.]+) requests per second" % test.upper(), r.stdout)
    if r.returncode != 0 or not found:
        return {"error": "redis-benchmark: %s" % (r.stdout + r.stderr).strip()[-300:]}
    return {"rps": float(found[-1]), "requests": n}


def _raise_fd_limit(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def idle_connections(env, srv, quick, tls=False):
    count = (500 if tls else 2000) if quick else (2000 if tls else IDLE_CONNECTIONS)
    before = common.vm_rss_bytes(srv.pid)
    socks = []
    ctx = None
    if tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(env["ca"] + ".crt")
        ctx.load_cert_chain(env["client"] + ".crt", env["client"] + ".key")
    try:
        for _ in range(count):
            port = env["tls_port"] if tls else srv.port
            s = socket.create_connection((srv.host, port), timeout=10)
            if tls:
                s = ctx.wrap_socket(s, server_hostname="127.0.0.1")
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            socks.append(s)
        for s in socks:
            if s.recv(16) != b"+PONG\r\n":
                return {"error": "a held connection did not get +PONG"}
        time.sleep(0.5)
        held = int(common.info(srv.host, srv.port, "clients").get("connected_clients", 0))
        after = common.vm_rss_bytes(srv.pid)
        time.sleep(5)
        later = common.vm_rss_bytes(srv.pid)
    finally:
        for s in socks:
            s.close()
    return {"connections": count, "held": held, "rss_growth_bytes": after - before,
            "bytes_per_conn": round((after - before) / count),
            "bytes_per_conn_5s": round((later - before) / count)}


def _ping_p99_us(host, port, samples):
    with common.Client(host, port) as c:
        times = []
        for _ in range(samples):
            t0 = time.perf_counter()
            c.call("PING")
            times.append((time.perf_counter() - t0) * 1e6)
    times.sort()
    return times[int(len(times) * 0.99) - 1]


FLOOD_PACED_PER_S = 1500


def _flood(host, port, stop, connects, per_s=0, cpus=None):
    if cpus:
        os.sched_setaffinity(0, cpus)
    n = 0
    start = time.monotonic()
    while not stop.is_set():
        if per_s:
            wait = start + n / per_s - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        try:
            s = socket.create_connection((host, port), timeout=5)
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            s.recv(16)
            s.close()
            n += 1
        except OSError:
            time.sleep(0.001)
    with connects.get_lock():
        connects.value += n


def _cpu_seconds(pid):
    """utime + stime of a process, from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ping_under_flood(env, srv, quick, per_s=0, own_core=False, elsewhere=False):
    """own_core: the flood's processes on CPU 0, the server's event loop and the pinger on the
    last CPU (needs 2), idle and flooded alike, as when the flood comes from other machines:
    the pinger then waits for what the server does for the flood, not for the flood's own
    clients to leave it a core. elsewhere: the flood connects to a second server of the same
    binary (on the flood's CPU with own_core), the control for what the machine alone adds.
    Without elsewhere, the same measurement follows on the ceiling responder, placed the
    same way (ceiling_* figures): the least any server's p99 rises by here."""
    ncpu = os.cpu_count() or 1
    if own_core and ncpu < 2:
        return {"error": "needs 2 CPUs"}
    flood_cpus = {0} if own_core else None
    loop_cpus = {ncpu - 1} if own_core else None
    mine = os.sched_getaffinity(0)
    target = None
    try:
        if elsewhere:
            target = common.start_server(srv.binary, name="flood-target", cpus=flood_cpus)
        if loop_cpus:
            os.sched_setaffinity(0, loop_cpus)
            os.sched_setaffinity(srv.pid, loop_cpus)
        out = _ping_under_flood(srv, target or srv, quick, per_s, flood_cpus)
        if not elsewhere:
            ceiling = common.start_ceiling(loop_cpus)
            try:
                floor = _ping_under_flood(ceiling, ceiling, quick, per_s, flood_cpus,
                                          counted=False)
            finally:
                ceiling.stop()
            out.update({"ceiling_" + k: v for k, v in floor.items()})
        return out
    finally:
        os.sched_setaffinity(0, mine)
        if target is not None:
            target.stop(common.stop_command_for(srv.binary))


def _ping_under_flood(srv, target, quick, per_s, flood_cpus, counted=True):
    """The pinger's p99 on srv idle, then while the flood connects to target. counted: target
    answers INFO, which gives the connections it took during the measurement."""
    import multiprocessing
    samples = 2000 if quick else 10000
    ping_cpu = _cpu_seconds(srv.pid)
    idle = _ping_p99_us(srv.host, srv.port, samples)
    ping_cpu = _cpu_seconds(srv.pid) - ping_cpu  # what serving the pinger alone costs
    stop = multiprocessing.Event()
    connects = multiprocessing.Value("q", 0)
    procs = [multiprocessing.Process(target=_flood, daemon=True,
                                     args=(target.host, target.port, stop, connects, per_s,
                                           flood_cpus))
             for _ in range(2)]

    def received():
        return int(common.info(target.host, target.port, "stats")
                   ["total_connections_received"]) if counted else 0

    t0 = time.monotonic()
    for p in procs:
        p.start()
    try:
        time.sleep(0.2)  # the flood is running
        before = received()
        cpu = _cpu_seconds(target.pid)
        loaded = _ping_p99_us(srv.host, srv.port, samples)
        cpu = _cpu_seconds(target.pid) - cpu - (ping_cpu if target is srv else 0)
        taken = received() - before
    finally:
        stop.set()
        for p in procs:
            p.join()
    elapsed = time.monotonic() - t0
    out = {"idle_p99_us": round(idle), "flood_p99_us": round(loaded),
           "p99_ratio": round(loaded / idle, 2),
           "connects_per_s": round(connects.value / elapsed)}
    if counted:
        out["server_cpu_us_per_connect"] = round(max(0.0, cpu) * 1e6 / max(1, taken), 1)
    return out


ROWS = [
    {"name": "tls SET P1", "server_args": tls_args, "figure": "rps",
     "run": lambda env, srv, q: tls_benchmark(env, srv, "set", 1, q)},
    {"name": "tls GET P1", "server_args": tls_args, "figure": "rps",
     "run": lambda env, srv, q: tls_benchmark(env, srv, "get", 1, q)},
    {"name": "tls SET P16", "server_args": tls_args, "figure": "rps",
     "run": lambda env, srv, q: tls_benchmark(env, srv, "set", 16, q)},
    {"name": "tls GET P16", "server_args": tls_args, "figure": "rps",
     "run": lambda env, srv, q: tls_benchmark(env, srv, "get", 16, q)},
    {"name": "idle 10k conns", "server_args": lambda env: ["--maxclients", "10100"],
     "figure": "bytes_per_conn", "run": idle_connections},
    {"name": "idle 2k tls conns", "server_args": lambda env: ["--maxclients", "10100"] +
     tls_args(env), "figure": "bytes_per_conn",
     "run": lambda env, srv, q: idle_connections(env, srv, q, tls=True)},
    {"name": "ping p99 under connect flood", "server_args": lambda env: [],
     "figure": "p99_ratio", "run": ping_under_flood},
    {"name": "ping p99 under paced connect flood", "server_args": lambda env: [],
     "figure": "p99_ratio",
     "run": lambda env, srv, q: ping_under_flood(env, srv, q, per_s=FLOOD_PACED_PER_S)},
    {"name": "ping p99 under connect flood from its own core", "server_args": lambda env: [],
     "figure": "p99_ratio",
     "run": lambda env, srv, q: ping_under_flood(env, srv, q, own_core=True)},
    {"name": "ping p99 under connect flood to another server", "server_args": lambda env: [],
     "figure": "p99_ratio",
     "run": lambda env, srv, q: ping_under_flood(env, srv, q, elsewhere=True)},
    {"name": "ping p99 under connect flood from its own core to another server",
     "server_args": lambda env: [], "figure": "p99_ratio",
     "run": lambda env, srv, q: ping_under_flood(env, srv, q, own_core=True, elsewhere=True)},
]


def run_row(row, env, binary, quick, name):
    """Starts binary with the row's settings, measures, stops it."""
    try:
        srv = common.start_server(binary, name=name, extra=row["server_args"](env))
    except RuntimeError as e:
        return {"error": str(e)[:300]}
    try:
        return row["run"](env, srv, quick)
    except Exception as e:  # one failed row must not stop the run
        return {"error": repr(e)[:300]}
    finally:
        srv.stop(common.stop_command_for(binary))


def family(runner):
    """bench/run.py's family: each row on Firn and Redis, repetitions interleaved."""
    _raise_fd_limit(2 * IDLE_CONNECTIONS + 1000)
    env = make_env()
    targets = [runner.firn, runner.redis]
    try:
        for row in ROWS:
            for rep in range(runner.reps("security")):
                for t in runner.order(targets, rep):
                    res = run_row(row, env, t.binary, runner.quick, t.key)
                    runner.record("security", row["name"], t, res)
            print("security %-30s %s" % (row["name"],
                                         runner.brief("security", row["name"], row["figure"])),
                  flush=True)
    finally:
        shutil.rmtree(env["dir"], ignore_errors=True)


def main():
    import argparse
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--server", required=True, help="firn-server binary")
    p.add_argument("--redis", default="/usr/bin/redis-server")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--only", help="comma-separated row names")
    a = p.parse_args()
    _raise_fd_limit(2 * IDLE_CONNECTIONS + 1000)
    env = make_env()
    out = {}
    try:
        for row in ROWS:
            if a.only and row["name"] not in a.only.split(","):
                continue
            per = {"firn": [], "redis": []}
            for rep in range(a.reps):
                order = [("firn", a.server), ("redis", a.redis)]
                for key, binary in (order if rep % 2 == 0 else order[::-1]):
                    per[key].append(run_row(row, env, binary, a.quick, key))
            fig = row["figure"]
            med = {k: common.median([r[fig] for r in v if fig in r]) if any(fig in r for r in v)
                   else None for k, v in per.items()}
            out[row["name"]] = {"median_" + fig: med, "runs": per,
                                "firn_over_redis": round(med["firn"] / med["redis"], 3)
                                if med["firn"] and med["redis"] else None}
            if "flood" in row["name"]:
                for extra in ("idle_p99_us", "flood_p99_us", "server_cpu_us_per_connect",
                              "ceiling_idle_p99_us", "ceiling_flood_p99_us",
                              "ceiling_p99_ratio"):
                    if not any(extra in r for v in per.values() for r in v):
                        continue
                    out[row["name"]]["median_" + extra] = {
                        k: common.median([r[extra] for r in v if extra in r]) for k, v in
                        per.items()}
                f, r = (out[row["name"]]["median_flood_p99_us"][k] for k in ("firn", "redis"))
                out[row["name"]]["flood_p99_firn_over_redis"] = round(f / r, 3) if f and r \
                    else None
            print("%-30s firn %s  redis %s" % (row["name"], med["firn"], med["redis"]),
                  file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(env["dir"], ignore_errors=True)
    common.print_json(out)


if __name__ == "__main__":
    main()
