"""SIGHUP: the config file is read again (with the command line's overrides on top) and what
can change at runtime is applied and logged; what cannot is logged and left alone; a file
that does not load changes nothing and the log says why. Also: the log file is reopened
(logrotate), and CONFIG SET of settings the server applies itself (loglevel, port) works."""

import os
import signal
import subprocess
import time

import pytest

from conftest import FIRN_BINARY, FIRN_IS_REDIS, RawConn, decode, free_port

pytestmark = pytest.mark.skipif(FIRN_IS_REDIS, reason="Firn's reload")

BASE = """\
[network]
port = {port}
bind = ["127.0.0.1"]

[memory]
maxmemory = 0
maxmemory-policy = "noeviction"

[logging]
loglevel = "info"

[metrics]
metrics-port = 0

[slowlog]
slowlog-log-slower-than = 10000
slowlog-max-len = 128
"""


class ConfServer:
    """firn-server CONFIG.toml [--overrides...], logging to a file we read."""

    def __init__(self, tmp_dir, text, args=()):
        self.dir = tmp_dir
        self.conf = os.path.join(tmp_dir, "firn.toml")
        self.logpath = os.path.join(tmp_dir, "firn.log")
        self.write(text)
        self.proc = subprocess.Popen([FIRN_BINARY, self.conf, "--logfile", self.logpath, *args],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL)
        self.port = None

    def write(self, text):
        tmp = self.conf + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.conf)

    def wait_ready(self, port):
        self.port = port
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "server exited:\n" + self.log()
            try:
                c = RawConn(port=port, timeout=1)
                c.cmd("PING")
                c.close()
                return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("not ready:\n" + self.log())

    def log(self, path=None):
        try:
            with open(path or self.logpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def hup_and_wait(self, marker="Config reload"):
        """Sends SIGHUP and waits for the reload's last log line; returns the new log text."""
        before = len(self.log())
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            text = self.log()[before:]
            if "Config reload done" in text or "Config reload failed" in text:
                return text
            time.sleep(0.02)
        raise AssertionError("no reload logged:\n" + self.log())

    def get(self, name, port=None):
        c = RawConn(port=port or self.port, timeout=3)
        try:
            return decode(c.cmd("CONFIG", "GET", name))[1].decode()
        finally:
            c.close()

    def cmd(self, *args, port=None):
        c = RawConn(port=port or self.port, timeout=3)
        try:
            return decode(c.cmd(*args))
        finally:
            c.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture
def conf_server(tmp_path):
    started = []

    def start(text, args=()):
        s = ConfServer(str(tmp_path), text, args)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


def test_sighup_applies_maxmemory_and_loglevel(conf_server):
    port = free_port()
    s = conf_server(BASE.format(port=port)).wait_ready(port)
    assert s.get("maxmemory") == "0"
    s.write(BASE.format(port=port)
            .replace("maxmemory = 0", 'maxmemory = "64mb"')
            .replace('loglevel = "info"', 'loglevel = "debug"')
            .replace('"noeviction"', '"allkeys-lru"')
            .replace("slowlog-max-len = 128", "slowlog-max-len = 5"))
    out = s.hup_and_wait()
    assert s.get("maxmemory") == str(64 * 1024 * 1024)
    assert s.get("loglevel") == "debug"
    assert s.get("maxmemory-policy") == "allkeys-lru"
    assert s.get("slowlog-max-len") == "5"
    assert "maxmemory changed from '0' to '67108864'" in out
    assert "loglevel changed from 'info' to 'debug'" in out
    assert "Config reload done: 4 setting(s) changed, 0 not applied" in out
    # The new level is in force: debug lines now reach the log.
    c = RawConn(port=port, timeout=3)
    c.send(b"*1\r\n$-5\r\n")  # a protocol error, logged at debug level
    c.is_closed()
    c.close()
    deadline = time.monotonic() + 5
    while "Protocol error from client" not in s.log() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "Protocol error from client" in s.log()


def test_sighup_with_a_syntax_error_keeps_the_running_config(conf_server):
    port = free_port()
    s = conf_server(BASE.format(port=port).replace("maxmemory = 0", 'maxmemory = "10mb"'))
    s.wait_ready(port)
    s.write(BASE.format(port=port).replace("maxmemory = 0", 'maxmemory = "20mb"')
            + "\nthis is = = not toml\n")
    out = s.hup_and_wait()
    assert "Config reload failed, keeping the running config" in out
    assert s.conf in out  # names the file (and the line)
    assert s.get("maxmemory") == str(10 * 1024 * 1024)
    assert s.cmd("PING") == "PONG"
    # An unknown key and an out-of-range value are refused the same way.
    s.write(BASE.format(port=port) + "\n[server]\nno-such-setting = 1\n")
    out = s.hup_and_wait()
    assert "Config reload failed" in out and "no-such-setting" in out
    s.write(BASE.format(port=port).replace("maxmemory = 0", 'maxmemory = "lots"'))
    out = s.hup_and_wait()
    assert "Config reload failed" in out and "maxmemory" in out
    assert s.get("maxmemory") == str(10 * 1024 * 1024)
    # A good file again is applied.
    s.write(BASE.format(port=port).replace("maxmemory = 0", 'maxmemory = "30mb"'))
    s.hup_and_wait()
    assert s.get("maxmemory") == str(30 * 1024 * 1024)


def test_startup_only_settings_are_refused_with_a_log_line(conf_server):
    port = free_port()
    s = conf_server(BASE.format(port=port)).wait_ready(port)
    s.write(BASE.format(port=port).replace("[memory]", "[limits]\ndatabases = 4\n\n[memory]")
            .replace("maxmemory = 0", 'maxmemory = "1mb"'))
    out = s.hup_and_wait()
    assert "'databases' cannot change at runtime (running: '16', file: '4'); restart to apply" in out
    assert s.get("databases") == "16"
    assert s.get("maxmemory") == str(1024 * 1024)  # the rest still applies
    assert "1 setting(s) changed, 1 not applied" in out


def test_command_line_overrides_survive_a_reload(conf_server):
    port = free_port()
    s = conf_server(BASE.format(port=port), args=("--maxclients", "77")).wait_ready(port)
    s.write(BASE.format(port=port)
            .replace('bind = ["127.0.0.1"]', 'bind = ["127.0.0.1"]\nmaxclients = 500'))
    s.hup_and_wait()
    assert s.get("maxclients") == "77"


def test_port_change_moves_the_listener(conf_server):
    port, new_port = free_port(), free_port()
    s = conf_server(BASE.format(port=port)).wait_ready(port)
    s.write(BASE.format(port=new_port))
    out = s.hup_and_wait()
    assert "port changed from '%d' to '%d'" % (port, new_port) in out
    assert s.cmd("PING", port=new_port) == "PONG"
    with pytest.raises(OSError):
        RawConn(port=port, timeout=1).cmd("PING")


def test_port_change_to_a_busy_port_keeps_the_old_listener(conf_server):
    import socket
    port = free_port()
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        s = conf_server(BASE.format(port=port)).wait_ready(port)
        s.write(BASE.format(port=busy.getsockname()[1]))
        out = s.hup_and_wait()
        assert "keeping the previous listeners" in out
        assert "port not applied, still '%d'" % port in out
        assert s.cmd("PING", port=port) == "PONG"
        assert s.get("port", port=port) == str(port)
    finally:
        busy.close()


def test_sighup_reopens_the_log_file(conf_server):
    port = free_port()
    s = conf_server(BASE.format(port=port)).wait_ready(port)
    rotated = s.logpath + ".1"
    os.rename(s.logpath, rotated)
    s.hup_and_wait()
    assert "Received SIGHUP" in s.log()  # the new file
    assert "Received SIGHUP" not in s.log(rotated)


def test_config_set_loglevel_applies_at_once(conf_server):
    port = free_port()
    s = conf_server(BASE.format(port=port)).wait_ready(port)
    assert s.cmd("CONFIG", "SET", "loglevel", "warning") == "OK"
    s.proc.send_signal(signal.SIGHUP)  # the file says info again: logged at info...
    time.sleep(0.5)
    # ... but "Received SIGHUP" is logged before the reload restores info: not shown.
    assert "Received SIGHUP" not in s.log()
    assert s.get("loglevel") == "info"


def test_startup_log_names_version_config_and_listeners(conf_server):
    port = free_port()
    s = conf_server(BASE.format(port=port)).wait_ready(port)
    log = s.log()
    assert "Firn " in log and "starting" in log
    assert "Configuration: " + s.conf in log
    assert "Listening on 127.0.0.1:%d" % port in log
    assert "Metrics exporter off" in log
    assert "Ready to accept connections" in log
