"""Protected mode: with no password, a client from a non-loopback address gets Redis's -DENIED
text and is disconnected; loopback clients are served, and so is everyone once a password is
set or protected-mode is off. The non-loopback client is this host connecting to one of its
own non-loopback addresses (its peer address is then not 127.x), compared with redis-server."""
import socket
import subprocess
import time

import pytest

from conftest import RawConn  # noqa: F401  (the fixtures come from conftest)


def _own_address():
    """A non-loopback IPv4 address of this host, or None."""
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    except OSError:
        out = []
    for a in out:
        if "." in a and not a.startswith("127."):
            return a
    return None


ADDR = _own_address()
pytestmark = pytest.mark.skipif(ADDR is None, reason="no non-loopback address on this host")


def _read(s, wait_s):
    """What arrives within wait_s (until a pause once something came); (bytes, closed)."""
    got = b""
    deadline = time.monotonic() + wait_s
    s.settimeout(0.2)
    while time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            if got:
                break
            continue
        except ConnectionResetError:
            return got, True
        if not chunk:
            return got, True
        got += chunk
    return got, False


def _exchange(host, port, data=b"PING\r\n"):
    """Connects; a refusal comes at once, unasked. Else sends data and returns what comes
    back: (bytes, closed)."""
    s = socket.create_connection((host, port), timeout=2)
    try:
        got, closed = _read(s, 0.4)
        if got or closed:
            return got, closed
        s.sendall(data)
        return _read(s, 2)
    finally:
        s.close()


def _servers(start_server, *opts):
    return {kind: start_server("--bind", "0.0.0.0", *opts, kind=kind, name="%s-protected" % kind)
            for kind in ("firn", "redis")}


def test_a_non_loopback_client_is_denied_without_a_password(start_server):
    seen = {kind: [_exchange(ADDR, srv.port), _exchange("127.0.0.1", srv.port)]
            for kind, srv in _servers(start_server).items()}
    assert seen["firn"] == seen["redis"]
    denied, closed = seen["firn"][0]
    assert denied.startswith(b"-DENIED Redis is running in protected mode") and closed
    assert seen["firn"][1] == (b"+PONG\r\n", False)


def test_a_password_or_protected_mode_off_serves_other_hosts(start_server):
    seen = {}
    for kind, srv in _servers(start_server).items():
        local = srv.raw()
        replies = [local.cmd("CONFIG", "GET", "protected-mode")]
        replies.append(_exchange(ADDR, srv.port))
        local.cmd("CONFIG", "SET", "requirepass", "pw")
        replies.append(_exchange(ADDR, srv.port, b"AUTH pw\r\nPING\r\n"))
        local.cmd("AUTH", "pw")
        local.cmd("CONFIG", "SET", "requirepass", "")
        local.cmd("CONFIG", "SET", "protected-mode", "no")
        replies.append(_exchange(ADDR, srv.port))
        seen[kind] = replies
    assert seen["firn"] == seen["redis"]
    assert seen["firn"][2] == (b"+OK\r\n+PONG\r\n", False)
    assert seen["firn"][3] == (b"+PONG\r\n", False)


def test_protected_mode_no_on_the_command_line(start_server):
    srv = start_server("--bind", "0.0.0.0", "--protected-mode", "no")
    assert _exchange(ADDR, srv.port) == (b"+PONG\r\n", False)
