"""Shared pieces of the benchmark workloads: a minimal RESP client, server processes,
the C++ helper binaries, INFO and /proc readers.

Everything here talks raw RESP over a socket, so the workloads run against any RESP
server (Firn, redis-server, the ceiling responder) without depending on which commands
a client library sends on connect.
"""

import json
import os
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(BENCH_DIR)


class RespError(Exception):
    """An error reply (-ERR ...) from the server."""


class ProtocolError(Exception):
    """The server sent something that is not RESP, or closed the connection."""


# ---------------------------------------------------------------------------------------
# RESP encoding and a blocking client


def _b(x):
    if isinstance(x, bytes):
        return x
    if isinstance(x, (int, float)):
        return str(x).encode()
    return str(x).encode()


def encode(*args):
    """One command as a RESP multibulk."""
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = _b(a)
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


class Client:
    """A blocking RESP2 client on one TCP connection. Replies are decoded to Python:
    simple strings and bulk strings to bytes, integers to int, arrays to lists, nil to
    None; an error reply raises RespError (or is returned when raise_errors=False)."""

    def __init__(self, host="127.0.0.1", port=6379, timeout=30.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _fill(self):
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ProtocolError("connection closed by server")
        if self.pos > 1 << 20:
            del self.buf[: self.pos]
            self.pos = 0
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos : i])
                self.pos = i + 2
                return line
            self._fill()

    def _read(self, raise_errors):
        line = self._line()
        if not line:
            raise ProtocolError("empty line")
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest
        if t == b"-":
            err = RespError(rest.decode(errors="replace"))
            if raise_errors:
                raise err
            return err
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) - self.pos < n + 2:
                self._fill()
            data = bytes(self.buf[self.pos : self.pos + n])
            self.pos += n + 2
            return data
        if t == b"*":
            n = int(rest)
            if n < 0:
                return None
            return [self._read(raise_errors) for _ in range(n)]
        if t == b"_":
            return None
        if t in (b"#",):
            return rest == b"t"
        if t == b",":
            return float(rest)
        if t in (b"%",):
            n = int(rest)
            return [self._read(raise_errors) for _ in range(2 * n)]
        raise ProtocolError("unexpected reply type %r" % line[:40])

    def call(self, *args):
        self.sock.sendall(encode(*args))
        return self._read(True)

    def pipeline(self, commands, raise_errors=False):
        """Sends a list of commands (tuples) in one write and reads all replies."""
        self.sock.sendall(b"".join(encode(*c) for c in commands))
        return [self._read(raise_errors) for _ in commands]

    def send_raw(self, data):
        self.sock.sendall(data)

    def read_reply(self, raise_errors=True):
        return self._read(raise_errors)


def bulk_load(host, port, payload, n_replies, timeout=300.0):
    """Sends pre-encoded commands on one connection while a thread drains the replies,
    which must all be single-line (+OK, :N, -ERR). `payload` is bytes or an iterable of
    bytes chunks (built lazily, so a million commands need not sit in memory at once).
    Returns (seconds, errors, first_error_text)."""
    sock = socket.create_connection((host, port), timeout=timeout)
    result = {"lines": 0, "errors": 0, "first_error": None, "exc": None}

    def reader():
        tail = b""
        try:
            while result["lines"] < n_replies:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    raise ProtocolError("connection closed after %d replies" % result["lines"])
                data = tail + chunk
                result["lines"] += data.count(b"\r\n")
                if b"-" in data:
                    for line in data.split(b"\r\n"):
                        if line.startswith(b"-"):
                            result["errors"] += 1
                            if result["first_error"] is None:
                                result["first_error"] = line[1:].decode(errors="replace")
                # keep a trailing '\r' so a CRLF split across reads is counted once
                tail = data[-1:] if data.endswith(b"\r") else b""
        except Exception as e:  # noqa: BLE001 - reported to the caller
            result["exc"] = e

    t0 = time.monotonic()
    th = threading.Thread(target=reader, daemon=True)
    th.start()
    chunks = [payload] if isinstance(payload, (bytes, bytearray)) else payload
    try:
        for chunk in chunks:
            sock.sendall(chunk)
            if result["exc"] is not None:
                break
    except OSError as e:
        result["exc"] = e
    th.join(timeout)
    sock.close()
    if result["exc"] is not None:
        raise ProtocolError(str(result["exc"]))
    if th.is_alive():
        raise ProtocolError("timed out after %d of %d replies" % (result["lines"], n_replies))
    return time.monotonic() - t0, result["errors"], result["first_error"]


def check_command(host, port, *args):
    """Sends one command and returns None if it answered without an error, else the
    error text. Used to mark a workload n/a on a server that lacks the command."""
    try:
        with Client(host, port, timeout=10) as c:
            c.call(*args)
        return None
    except RespError as e:
        return str(e)
    except (OSError, ProtocolError) as e:
        return "%s: %s" % (type(e).__name__, e)


def info(host, port, section=None):
    """INFO (or INFO section) parsed into a dict of strings."""
    with Client(host, port, timeout=10) as c:
        raw = c.call("INFO", section) if section else c.call("INFO")
    out = {}
    for line in raw.decode(errors="replace").splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v.strip()
    return out


def try_call(host, port, *args):
    """One command; returns (reply, None) or (None, error text) instead of raising."""
    try:
        with Client(host, port, timeout=30) as c:
            return c.call(*args), None
    except RespError as e:
        return None, str(e)


def info_safe(host, port, section=None):
    """INFO as a dict, or {} when the server has no INFO (or no such section)."""
    try:
        return info(host, port, section)
    except (RespError, ProtocolError, OSError):
        return {}


def settle_used_memory(host, port, timeout=5.0, period=0.2):
    """Waits until INFO used_memory stops moving (a rehash, a lazy free or a FLUSHALL
    finishing in the background) and returns it, or None without INFO."""
    def used():
        return info_int(info_safe(host, port, "memory"), "used_memory")

    last = used()
    deadline = time.monotonic() + timeout
    while last is not None and time.monotonic() < deadline:
        time.sleep(period)
        now = used()
        if now == last:
            return now
        last = now
    return last


def info_int(d, key, default=None):
    try:
        return int(d[key])
    except (KeyError, ValueError):
        return default


def vm_rss_bytes(pid):
    """VmRSS of a process in bytes, from /proc/PID/status, or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def server_pid(host, port, pid=None):
    """The server's pid: the one given, else INFO's process_id."""
    if pid:
        return pid
    return info_int(info_safe(host, port, "server"), "process_id")


# ---------------------------------------------------------------------------------------
# processes


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_ready(host, port, timeout=15.0, proc=None):
    """Waits until the server answers PING; raises RuntimeError on timeout or exit."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("server exited with code %s during startup" % proc.returncode)
        try:
            with Client(host, port, timeout=2) as c:
                c.call("PING")
                return
        except RespError:
            return  # it answers, even if it does not know PING yet
        except (OSError, ProtocolError) as e:
            last = e
        time.sleep(0.05)
    raise RuntimeError("server on port %d not ready after %.0f s (%s)" % (port, timeout, last))


def pin_prefix(cpus):
    """A `taskset -c CPUS` prefix when pinning is asked for and possible; cpus is taskset's
    list text ("1", "0-1") or a set of CPU numbers."""
    if cpus is None or not shutil.which("taskset"):
        return []
    if not isinstance(cpus, str):
        cpus = ",".join(str(c) for c in sorted(cpus))
    return ["taskset", "-c", cpus]


def is_redis_binary(path):
    return os.path.basename(path).startswith("redis-server")


def server_command(binary, port, maxmemory=None, policy=None, extra=None):
    """The command line for a server under test. Firn and redis-server take the same
    --name value overrides; redis-server also gets persistence off."""
    cmd = [binary, "--port", str(port), "--bind", "127.0.0.1"]
    if is_redis_binary(binary):
        cmd += ["--save", "", "--appendonly", "no"]
    else:
        cmd += ["--metrics-port", "0"]
    if maxmemory:
        cmd += ["--maxmemory", str(maxmemory)]
    if policy:
        cmd += ["--maxmemory-policy", policy]
    if extra:
        cmd += list(extra)
    return cmd


class Server:
    """A server process on a free loopback port, its output kept in a log file."""

    def __init__(self, argv_for_port, name="server", cpus=None, ready_timeout=15.0,
                 workdir=None):
        self.name = name
        self.host = "127.0.0.1"
        self.port = free_port()
        self.workdir = workdir or tempfile.mkdtemp(prefix="firn-bench-")
        self.log_path = os.path.join(self.workdir, "%s-%d.log" % (name, self.port))
        self.argv = pin_prefix(cpus) + argv_for_port(self.port)
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.workdir)
        try:
            wait_ready(self.host, self.port, ready_timeout, self.proc)
        except RuntimeError as e:
            self.stop()
            raise RuntimeError("%s: %s; log: %s" % (name, e, self.log_tail())) from None

    @property
    def pid(self):
        return self.proc.pid

    def log_tail(self, n=400):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()
            return data[-n:].decode(errors="replace").strip().replace("\n", " | ")
        except OSError:
            return ""

    def stop(self, graceful_command=None, timeout=10.0):
        """Stops the server: the graceful command (e.g. SHUTDOWN NOSAVE) if given, then
        SIGTERM, then SIGKILL. Returns the exit code."""
        if self.proc.poll() is None and graceful_command:
            refused = False
            try:
                with Client(self.host, self.port, timeout=5) as c:
                    c.sock.sendall(encode(*graceful_command))
                    try:
                        refused = isinstance(c.read_reply(False), RespError)
                    except (OSError, ProtocolError):
                        pass  # closed on us: shutting down
            except OSError:
                pass
            if not refused:
                try:
                    self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    pass
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def start_server(binary, name="server", maxmemory=None, policy=None, cpus=None, extra=None,
                 ready_timeout=15.0):
    if not binary or not os.path.exists(binary):
        raise RuntimeError("server binary not found: %s" % binary)
    srv = Server(lambda port: server_command(binary, port, maxmemory, policy, extra),
                 name=name, cpus=cpus, ready_timeout=ready_timeout)
    srv.binary = binary
    return srv


def start_ceiling(cpus=None):
    """The ceiling responder (bench/ceiling.cc) on a free loopback port; stop() stops it."""
    path = tool_path("ceiling")
    return Server(lambda port: [path, "--port", str(port)], name="ceiling", cpus=cpus)


def stop_command_for(binary):
    return ["SHUTDOWN", "NOSAVE"] if is_redis_binary(binary) else ["SHUTDOWN"]


def server_version(binary):
    """`BINARY --version`, first line, or an n/a note."""
    if not binary or not os.path.exists(binary):
        return "n/a (binary not found: %s)" % binary
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, timeout=10, text=True)
        text = (out.stdout or out.stderr).strip().splitlines()
        return text[0] if text else "n/a (no output, exit %d)" % out.returncode
    except (OSError, subprocess.TimeoutExpired) as e:
        return "n/a (%s)" % e


# ---------------------------------------------------------------------------------------
# the C++ helpers (ceiling, loadgen)


# Folders where `make` puts the bench/*.cc binaries; run.py adds the one beside --server
# (make's BUILD folder) in front.
TOOL_DIRS = [os.path.join(REPO_DIR, "build", "bench")]


def tool_path(name):
    """The path of a bench/<name>.cc binary: <BUILD>/bench/<name> as `make` builds it, else
    compiled here into a cache folder (so a workload runs without `make`). A binary older
    than its source is not used."""
    src = os.path.join(BENCH_DIR, name + ".cc")
    for folder in TOOL_DIRS:
        built = os.path.join(folder, name)
        if os.path.exists(built) and os.path.getmtime(built) >= os.path.getmtime(src):
            return built
    cache = os.path.join(tempfile.gettempdir(), "firn-bench-tools-%d" % os.getuid())
    os.makedirs(cache, exist_ok=True)
    out = os.path.join(cache, name)
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(src):
        return out
    cmd = ["g++", "-std=c++20", "-O2", "-g", "-DNDEBUG", "-Wall", "-Wextra", src, "-o", out,
           "-lpthread"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("cannot build %s: %s" % (name, r.stderr[-2000:]))
    return out


def run_loadgen(args, timeout=600, cpus=None):
    """Runs build/bench/loadgen with the given arguments; returns its JSON summary."""
    cmd = pin_prefix(cpus) + [tool_path("loadgen")] + [str(a) for a in args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError("loadgen failed (exit %d): %s" % (r.returncode,
                                                           (r.stderr or r.stdout)[-600:]))
    return json.loads(r.stdout)


# ---------------------------------------------------------------------------------------
# small helpers


def median(values):
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def human_bytes(n):
    if n is None:
        return "n/a"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024:
            return "%.1f %s" % (n, unit)
        n /= 1024.0
    return "%.1f TiB" % n


def print_json(d):
    json.dump(d, sys.stdout, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")


def standalone_args(description, extra=None):
    """The argument parser every workload script shares: --host, --port, --quick."""
    import argparse

    p = argparse.ArgumentParser(description=description)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=6379)
    p.add_argument("--quick", action="store_true", help="smaller, faster variant")
    if extra:
        extra(p)
    return p.parse_args()


def shell_join(argv):
    return " ".join(shlex.quote(a) for a in argv)
