"""Integration harness: real server processes on free ports, driven by real clients.

Two servers run for the whole session:
  * "firn": the binary named by $FIRN_SERVER. When $FIRN_SERVER is unset, or its basename is
    `redis-server`, a redis-server plays Firn's part, so the suite itself can be checked
    against the reference (every comparison then passes trivially).
  * "redis": the reference, always /usr/bin/redis-server.
Both are flushed (FLUSHALL) before each test that uses them, and checked to be alive after.

Tests compare raw RESP replies byte for byte through `both`, which sends the same command to
both servers over fresh connections (one per test and server). Where Redis's reply is not
deterministic, tests compare a normalized form instead (`both.norm`).

Servers with extra settings (requirepass, maxclients, timeout, ...) come from `start_server`.
"""

import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import redis

REDIS_SERVER = "/usr/bin/redis-server"
FIRN_SERVER = os.environ.get("FIRN_SERVER") or ""
FIRN_IS_REDIS = FIRN_SERVER == "" or os.path.basename(FIRN_SERVER) == "redis-server"
FIRN_BINARY = REDIS_SERVER if FIRN_SERVER == "" else FIRN_SERVER

READY_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
TEST_WATCHDOG_S = 90


# --------------------------------------------------------------------------------------------
# RESP: encoding, a raw client that returns exactly one reply's bytes, and a decoder.
# --------------------------------------------------------------------------------------------

def _to_bytes(x):
    if isinstance(x, bytes):
        return x
    if isinstance(x, (bytearray, memoryview)):
        return bytes(x)
    return str(x).encode()


def encode(*args):
    """Encodes one command as a RESP multibulk."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = _to_bytes(a)
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class ConnectionClosed(Exception):
    pass


class RawConn:
    """A minimal RESP client: sends bytes, reads exactly one complete reply (RESP2 or RESP3)
    and returns its raw bytes. Every blocking call has a timeout."""

    def __init__(self, host="127.0.0.1", port=None, unix=None, timeout=5.0):
        if unix:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(unix)
        else:
            self.sock = socket.create_connection((host, port), timeout=timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.timeout = timeout
        self.buf = bytearray()
        self.pos = 0

    # -- bytes in and out --
    def send(self, data):
        self.sock.sendall(_to_bytes(data))

    def _fill(self):
        try:
            chunk = self.sock.recv(1 << 16)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            raise ConnectionClosed("connection closed by server; unread: %r" % bytes(self.buf[self.pos:]))
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) - self.pos < n:
            self._fill()
        data = bytes(self.buf[self.pos:self.pos + n])
        self.pos += n
        return data

    def _parse_one(self):
        line = self._line()
        if not line:
            raise AssertionError("empty reply line")
        t = line[:1]
        if t in b"+-:_,#(":
            return
        if t in b"$!=":
            n = int(line[1:])
            if n >= 0:
                self._exact(n + 2)
            return
        if t in b"*~>":
            n = int(line[1:])
            for _ in range(max(n, 0)):
                self._parse_one()
            return
        if t == b"%":
            for _ in range(2 * int(line[1:])):
                self._parse_one()
            return
        if t == b"|":  # attribute: a map, then the reply it annotates
            for _ in range(2 * int(line[1:])):
                self._parse_one()
            self._parse_one()
            return
        raise AssertionError("unknown RESP type byte in %r" % line)

    def read_reply(self, timeout=None):
        """Returns the raw bytes of exactly one complete reply."""
        self.sock.settimeout(timeout if timeout is not None else self.timeout)
        start = self.pos
        try:
            self._parse_one()
        except BaseException:
            self.pos = start
            raise
        raw = bytes(self.buf[start:self.pos])
        del self.buf[:self.pos]
        self.pos = 0
        return raw

    def cmd(self, *args):
        self.send(encode(*args))
        return self.read_reply()

    def pipeline(self, commands):
        self.send(b"".join(encode(*c) for c in commands))
        return [self.read_reply() for _ in commands]

    def pending(self, wait_s=0.2):
        """Returns whatever bytes arrive within wait_s (b"" if none); does not raise on EOF."""
        self.sock.settimeout(wait_s)
        try:
            chunk = self.sock.recv(1 << 16)
            self.buf += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        data = bytes(self.buf[self.pos:])
        self.buf.clear()
        self.pos = 0
        return data

    def is_closed(self, wait_s=2.0):
        """True when the server closes the connection within wait_s (EOF or reset), after
        discarding any data still in flight."""
        deadline = time.monotonic() + wait_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 16)
            except socket.timeout:
                return False
            except (ConnectionResetError, BrokenPipeError):
                return True
            if not chunk:
                return True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class RespError:
    def __init__(self, text):
        self.text = text

    def __eq__(self, other):
        return isinstance(other, RespError) and other.text == self.text

    def __hash__(self):
        return hash(self.text)

    def __repr__(self):
        return "RespError(%r)" % self.text


class Double(float):
    pass


class RespSet(list):
    pass


class Verbatim(bytes):
    pass


def decode(raw):
    """Decodes one raw reply into Python values: simple strings -> str, errors -> RespError,
    integers -> int, bulk -> bytes, null -> None, arrays -> list, maps -> dict (or a list of
    pairs when keys are unhashable), sets -> RespSet, doubles -> Double, booleans -> bool."""
    value, pos = _decode(raw, 0)
    assert pos == len(raw), "trailing bytes after reply: %r" % raw[pos:]
    return value


def _decode(raw, pos):
    i = raw.index(b"\r\n", pos)
    line = raw[pos:i]
    pos = i + 2
    t, rest = line[:1], line[1:]
    if t == b"+":
        return rest.decode("latin-1"), pos
    if t in (b"-", b"!"):
        if t == b"!":
            n = int(rest)
            return RespError(raw[pos:pos + n].decode("latin-1")), pos + n + 2
        return RespError(rest.decode("latin-1")), pos
    if t in (b":", b"("):
        return int(rest), pos
    if t == b"_":
        return None, pos
    if t == b",":
        return Double(float(rest.decode())), pos
    if t == b"#":
        return rest == b"t", pos
    if t in (b"$", b"="):
        n = int(rest)
        if n < 0:
            return None, pos
        data = raw[pos:pos + n]
        return (Verbatim(data) if t == b"=" else data), pos + n + 2
    if t in (b"*", b"~", b">"):
        n = int(rest)
        if n < 0:
            return None, pos
        items = []
        for _ in range(n):
            v, pos = _decode(raw, pos)
            items.append(v)
        return (RespSet(items) if t == b"~" else items), pos
    if t in (b"%", b"|"):
        pairs = []
        for _ in range(int(rest)):
            k, pos = _decode(raw, pos)
            v, pos = _decode(raw, pos)
            pairs.append((k, v))
        if t == b"|":
            return _decode(raw, pos)
        try:
            return dict(pairs), pos
        except TypeError:
            return pairs, pos
    raise AssertionError("unknown RESP type %r" % line)


def pairs_to_dict(reply):
    """A RESP2 flat [k, v, k, v] array or a RESP3 map, as a dict with str keys."""
    if isinstance(reply, dict):
        items = reply.items()
    else:
        items = zip(reply[0::2], reply[1::2])
    return {(k.decode() if isinstance(k, bytes) else k): v for k, v in items}


def parse_info(text):
    """INFO output as {section: {field: value}} plus a flat view under None."""
    if isinstance(text, bytes):
        text = text.decode()
    if text.startswith("txt:"):
        text = text[4:]
    sections, flat, current = {}, {}, None
    for line in text.split("\r\n"):
        if not line:
            continue
        if line.startswith("#"):
            current = line[1:].strip().lower()
            sections.setdefault(current, {})
            continue
        key, _, value = line.partition(":")
        sections.setdefault(current, {})[key] = value
        flat[key] = value
    sections[None] = flat
    return sections


def wait_until(pred, timeout_s=5.0):
    """Polls pred every 50 ms until it holds or timeout_s passes; returns its last value."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


def fmt_cmd(args):
    parts = []
    for a in args:
        b = _to_bytes(a)
        s = b.decode("latin-1")
        if len(s) > 60:
            s = s[:60] + "...(%d bytes)" % len(b)
        parts.append(s if s and all(32 < ord(c) < 127 for c in s) else repr(s))
    return " ".join(parts)


def short(raw, limit=400):
    r = repr(raw)
    if len(r) <= limit:
        return r
    return r[:limit] + "...(%s)" % ("%d bytes" % len(raw) if isinstance(raw, bytes) else "truncated")


# --------------------------------------------------------------------------------------------
# Server processes.
# --------------------------------------------------------------------------------------------

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_argv(binary, port, workdir, opts):
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--dir", workdir, "--logfile", ""]
    # redis-server has no metrics listener; drop the setting if a caller passed it.
    i = 0
    opts = list(opts)
    while i < len(opts):
        if opts[i] == "--metrics-port":
            del opts[i:i + 2]
            continue
        i += 1
    return argv + opts


class Server:
    """One server process. `kind` is "firn" (the binary under test) or "redis" (the reference)."""

    def __init__(self, kind, opts=(), name=None):
        self.kind = kind
        self.binary = FIRN_BINARY if kind == "firn" else REDIS_SERVER
        self.is_redis = kind == "redis" or FIRN_IS_REDIS
        self.opts = [str(o) for o in opts]
        self.name = name or kind
        self.workdir = tempfile.mkdtemp(prefix="firn-it-%s-" % self.name)
        self.logpath = os.path.join(self.workdir, "server.log")
        self.proc = None
        self.port = None
        self.host = "127.0.0.1"
        self.unixsocket = None
        if "--unixsocket" in self.opts:
            self.unixsocket = self.opts[self.opts.index("--unixsocket") + 1]

    def argv(self, port):
        if self.is_redis:
            return _redis_argv(self.binary, port, self.workdir, self.opts)
        # Snapshots go to the server's own directory, as the reference's --dir.
        return [self.binary, "--port", str(port), "--bind", "127.0.0.1", "--metrics-port", "0",
                "--dir", self.workdir] + self.opts

    def start(self):
        if not os.path.exists(self.binary):
            raise RuntimeError("server binary not found: %s" % self.binary)
        last = ""
        for _attempt in range(3):
            self.port = free_port()
            log = open(self.logpath, "ab")
            self.proc = subprocess.Popen(self.argv(self.port), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.workdir)
            log.close()
            try:
                self._wait_ready()
                return self
            except _DiedEarly as e:
                last = str(e)
                if "in use" not in last.lower():
                    break
        raise RuntimeError("%s did not start: %s" % (self.name, last))

    def _wait_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise _DiedEarly("exited with %s; output:\n%s" % (self.proc.returncode, self.log()))
            try:
                c = RawConn(port=self.port, timeout=1.0)
                try:
                    c.send(b"*1\r\n$4\r\nPING\r\n")
                    c.read_reply()  # +PONG, or -NOAUTH when a password is required: either way up
                    return
                finally:
                    c.close()
            except (OSError, ConnectionClosed, AssertionError):
                time.sleep(0.05)
        out = self.log()
        self.stop()
        raise _DiedEarly("no PING reply within %.0f s; output:\n%s" % (READY_TIMEOUT_S, out))

    def alive(self):
        if self.proc is None or self.proc.poll() is not None:
            return False
        try:
            c = RawConn(port=self.port, timeout=3.0)
            try:
                c.send(b"*1\r\n$4\r\nPING\r\n")
                c.read_reply()  # any complete reply: the process is up and serving
                return True
            finally:
                c.close()
        except (OSError, ConnectionClosed, AssertionError):
            return False

    def log(self):
        try:
            with open(self.logpath, "rb") as f:
                data = f.read()
        except OSError:
            return ""
        return data[-4000:].decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT_S):
        """Stops the process (sig, then SIGKILL after timeout); returns its exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    # -- clients --
    def raw(self, timeout=5.0):
        return RawConn(port=self.port, timeout=timeout)

    def raw_unix(self, timeout=5.0):
        return RawConn(unix=self.unixsocket, timeout=timeout)

    def client(self, **kw):
        kw.setdefault("socket_timeout", 10)
        return redis.Redis(host=self.host, port=self.port, **kw)

    def flushall(self, password=None):
        """FLUSHALL; returns False when the server does not know the command yet."""
        c = self.raw()
        try:
            if password:
                c.cmd("AUTH", password)
            reply = c.cmd("FLUSHALL")
            if reply.startswith(b"-ERR unknown command"):
                return False
            assert reply == b"+OK\r\n", "%s: FLUSHALL answered %r" % (self.name, reply)
            return True
        finally:
            c.close()


class _DiedEarly(Exception):
    pass


# --------------------------------------------------------------------------------------------
# Fixtures.
# --------------------------------------------------------------------------------------------

_session_servers = {}


def _session_server(kind):
    srv = _session_servers.get(kind)
    if srv is None:
        srv = Server(kind, name="session-" + kind).start()
        _session_servers[kind] = srv
    return srv


@pytest.fixture(scope="session")
def firn_session():
    srv = _session_server("firn")
    yield srv
    srv.cleanup()
    _session_servers.pop("firn", None)


@pytest.fixture(scope="session")
def redis_session():
    srv = _session_server("redis")
    yield srv
    srv.cleanup()
    _session_servers.pop("redis", None)


def _restart(srv, kind):
    srv.cleanup()
    new = Server(kind, name="session-" + kind).start()
    srv.__dict__.update(new.__dict__)


def _fresh(srv, kind):
    """Flushes the shared server before a test; if an earlier test took it down, starts a new
    one (that earlier test has already failed in its teardown). A server still without
    FLUSHALL is restarted instead, so that the other tests can still say something."""
    if not srv.alive():
        _restart(srv, kind)
    if not srv.flushall():
        _restart(srv, kind)
    return srv


def _check_alive_after(srv, request):
    if not srv.alive():
        pytest.fail("%s server died or stopped answering PING during %s; output:\n%s"
                    % (srv.name, request.node.nodeid, srv.log()), pytrace=False)


@pytest.fixture
def firn(firn_session, request):
    """The shared Firn server, flushed; the test errors if the server is dead afterwards."""
    srv = _fresh(firn_session, "firn")
    yield srv
    _check_alive_after(srv, request)


@pytest.fixture
def redis_ref(redis_session, request):
    """The shared reference redis-server, flushed."""
    srv = _fresh(redis_session, "redis")
    yield srv
    _check_alive_after(srv, request)


class Both:
    """Runs the same commands on Firn and on Redis and asserts identical raw replies."""

    def __init__(self, firn_srv, redis_srv):
        self.firn_srv = firn_srv
        self.redis_srv = redis_srv
        self.f = firn_srv.raw()
        self.r = redis_srv.raw()

    def _compare(self, what, fr, rr):
        if fr != rr:
            msg = ["replies differ for: %s" % what,
                   "  firn : %s" % short(fr),
                   "  redis: %s" % short(rr)]
            try:
                msg += ["  firn  decoded: %s" % short(decode(fr), 1500),
                        "  redis decoded: %s" % short(decode(rr), 1500)]
            except Exception:
                pass
            pytest.fail("\n".join(msg), pytrace=False)

    def __call__(self, *args):
        """Sends one command to both; asserts the raw replies are identical; returns the reply."""
        fr, rr = self.f.cmd(*args), self.r.cmd(*args)
        self._compare(fmt_cmd(args), fr, rr)
        return rr

    def run(self, *commands):
        """Each item a tuple of arguments; all compared; returns the replies."""
        return [self(*c) for c in commands]

    def raw(self, data, replies=1):
        """Sends raw bytes to both and compares the next `replies` replies."""
        self.f.send(data)
        self.r.send(data)
        out = []
        for i in range(replies):
            fr, rr = self.f.read_reply(), self.r.read_reply()
            self._compare("raw %s (reply %d)" % (short(data, 120), i + 1), fr, rr)
            out.append(rr)
        return out

    def norm(self, *args, normalize=lambda v: v):
        """Sends one command to both; compares normalize(decode(reply))."""
        fr, rr = self.f.cmd(*args), self.r.cmd(*args)
        fv, rv = normalize(decode(fr)), normalize(decode(rr))
        if fv != rv:
            pytest.fail("normalized replies differ for: %s\n  firn : %r\n  redis: %r\n"
                        "  raw firn : %s\n  raw redis: %s"
                        % (fmt_cmd(args), fv, rv, short(fr), short(rr)), pytrace=False)
        return rv

    def both_do(self, *args):
        """Sends to both without comparing; returns (firn_raw, redis_raw)."""
        return self.f.cmd(*args), self.r.cmd(*args)

    def close(self):
        self.f.close()
        self.r.close()


@pytest.fixture
def both(firn, redis_ref):
    b = Both(firn, redis_ref)
    yield b
    b.close()


@pytest.fixture
def start_server():
    """start_server(*opts, kind="firn") starts a dedicated server with extra settings (Redis
    names: "--requirepass", "pw", ...) and stops it at the end of the test."""
    started = []

    def start(*opts, kind="firn", name=None):
        srv = Server(kind, opts, name=name).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.cleanup()


@pytest.fixture
def tmp_short_dir():
    """A short temporary directory (unix socket paths are limited to 107 bytes)."""
    d = tempfile.mkdtemp(prefix="firn-", dir="/tmp")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(autouse=True)
def _watchdog():
    """Fails a test that hangs (no pytest-timeout in Debian's python3-pytest set-up)."""
    def on_alarm(signum, frame):
        raise TimeoutError("test exceeded %d s watchdog" % TEST_WATCHDOG_S)

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(TEST_WATCHDOG_S)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def pytest_report_header(config):
    who = "redis-server standing in for Firn" if FIRN_IS_REDIS else FIRN_BINARY
    return "firn under test: %s; reference: %s" % (who, REDIS_SERVER)


@pytest.fixture
def rng():
    return random.Random(20240601)
