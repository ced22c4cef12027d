"""systemd integration without systemd: the test plays the service manager, binding the unix
datagram socket it passes as NOTIFY_SOCKET and reading what the server sends (READY=1,
STATUS=, RELOADING=1, STOPPING=1, WATCHDOG=1). The unit file itself is checked with
`systemd-analyze verify`."""

import os
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest

from conftest import FIRN_BINARY, FIRN_IS_REDIS, RawConn, free_port

pytestmark = pytest.mark.skipif(FIRN_IS_REDIS, reason="Firn's own systemd support")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
UNIT = os.path.join(ROOT, "conf", "firn.service")


class Notified:
    """A server started with NOTIFY_SOCKET (and optionally WATCHDOG_USEC) pointing at a socket
    this object reads."""

    def __init__(self, tmp_dir, env_extra=None, args=()):
        self.path = os.path.join(tmp_dir, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.port = free_port()
        env = dict(os.environ, NOTIFY_SOCKET=self.path)
        env.pop("WATCHDOG_USEC", None)
        env.pop("WATCHDOG_PID", None)
        env.update(env_extra or {})
        self.log_path = os.path.join(tmp_dir, "server.log")
        self.log_file = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [FIRN_BINARY, *args, "--port", str(self.port), "--metrics-port", "0"],
            env=env, stdout=self.log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def messages(self, until, timeout=10.0):
        """Reads datagrams until one contains the line `until`; returns all read, in order."""
        got = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(4096).decode()
            except socket.timeout:
                break
            got.append(data)
            if until in data.split("\n"):
                return got
        raise AssertionError("no %r within %.1f s; got %r; log:\n%s"
                             % (until, timeout, got, self.log()))

    def drain(self, seconds):
        got = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                got.append(self.sock.recv(4096).decode())
            except socket.timeout:
                break
        return got

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.log_file.close()
        self.sock.close()


@pytest.fixture
def notified(tmp_short_dir):
    started = []

    def start(**kw):
        n = Notified(tmp_short_dir, **kw)
        started.append(n)
        return n

    yield start
    for n in started:
        n.close()


def test_ready_once_accepting_then_stopping_on_sigterm(notified):
    n = notified()
    got = n.messages("READY=1")
    ready = got[-1].split("\n")
    status = [l for l in ready if l.startswith("STATUS=")]
    assert status and "127.0.0.1:%d" % n.port in status[0]
    # READY=1 means accepting: a client gets its PONG at once.
    c = RawConn(port=n.port, timeout=2)
    assert c.cmd("PING") == b"+PONG\r\n"
    c.close()
    n.proc.send_signal(signal.SIGTERM)
    got = n.messages("STOPPING=1")
    assert any(l.startswith("STATUS=Shutting down") for m in got for l in m.split("\n"))
    assert n.proc.wait(10) == 0


def test_shutdown_command_also_sends_stopping(notified):
    n = notified()
    n.messages("READY=1")
    c = RawConn(port=n.port, timeout=2)
    c.send(b"*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n")
    n.messages("STOPPING=1")
    assert n.proc.wait(10) == 0


def test_watchdog_pings_at_half_the_interval(notified):
    n = notified(env_extra={"WATCHDOG_USEC": "200000"})  # 0.2 s: a ping every 0.1 s
    n.messages("READY=1")
    pings = [m for m in n.drain(1.0) if "WATCHDOG=1" in m.split("\n")]
    assert 6 <= len(pings) <= 14, pings
    assert "systemd watchdog on: pinging every 100 ms" in n.log()


def test_no_watchdog_pings_without_watchdog_usec(notified):
    n = notified()
    n.messages("READY=1")
    assert not [m for m in n.drain(0.5) if "WATCHDOG=1" in m]


def test_watchdog_for_another_pid_is_ignored(notified):
    n = notified(env_extra={"WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"})
    n.messages("READY=1")
    assert not [m for m in n.drain(0.5) if "WATCHDOG=1" in m]


def test_sighup_reports_reloading_then_ready(notified):
    n = notified()
    n.messages("READY=1")
    n.proc.send_signal(signal.SIGHUP)
    got = n.messages("READY=1")
    lines = [l for m in got for l in m.split("\n")]
    assert "RELOADING=1" in lines
    assert lines.index("RELOADING=1") < lines.index("READY=1")


def test_without_notify_socket_nothing_breaks(start_server):
    srv = start_server()
    assert srv.alive()


def _verify(unit_text, tmp_dir):
    """systemd-analyze verify on a copy of the unit; returns (returncode, output)."""
    path = os.path.join(tmp_dir, "firn.service")
    with open(path, "w") as f:
        f.write(unit_text)
    proc = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True,
                          timeout=60)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_unit_file_verifies(tmp_short_dir):
    """`systemd-analyze verify` checks every directive and that ExecStart's binary exists and is
    executable. The unit names the installed path (/usr/local/bin/firn-server), which need not
    exist on a build machine, so the copy verified here points ExecStart at the binary under
    test; everything else is verified as shipped (test_install.py verifies the installed copy
    the same way)."""
    with open(UNIT) as f:
        text = f.read()
    assert re.search(r"^ExecStart=/usr/local/bin/firn-server /etc/firn/firn.toml$", text, re.M)
    text = text.replace("ExecStart=/usr/local/bin/firn-server", "ExecStart=" + FIRN_BINARY)
    rc, out = _verify(text, tmp_short_dir)
    assert rc == 0, out
    assert out.strip() == "", out


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_verify_catches_a_broken_unit(tmp_short_dir):
    """The check above is meaningful: a typo in a directive fails it."""
    with open(UNIT) as f:
        text = f.read().replace("ExecStart=/usr/local/bin/firn-server", "ExecStart=" + FIRN_BINARY)
    rc, out = _verify(text.replace("Type=notify", "Type=notifyy"), tmp_short_dir)
    assert "Failed to parse service type" in out, out
    rc, out = _verify(text.replace(FIRN_BINARY, "/nonexistent/firn-server"), tmp_short_dir)
    assert rc != 0 and "is not executable" in out, out


def test_unit_file_has_what_operations_need():
    with open(UNIT) as f:
        text = f.read()
    directives = {}
    for line in text.splitlines():
        if line and not line.startswith(("#", "[")) and "=" in line:
            k, _, v = line.partition("=")
            directives.setdefault(k, []).append(v)
    want = {
        "Type": "notify", "User": "firn", "Group": "firn", "LimitNOFILE": "65536",
        "Restart": "on-failure", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
        "PrivateTmp": "yes", "ReadWritePaths": "/var/lib/firn", "StateDirectory": "firn",
        "ExecReload": "/bin/kill -HUP $MAINPID",
    }
    for k, v in want.items():
        assert directives.get(k) == [v], (k, directives.get(k))
    assert "WatchdogSec" in directives
    assert directives["WantedBy"] == ["multi-user.target"]
