"""Connection limits and listeners: maxclients, idle timeout, unix socket."""

import os
import time

import redis as redis_py

from conftest import ConnectionClosed, RawConn, decode


def _open_pinging(srv, n, attempts=20):
    """Opens n connections that each answered PING, retrying while the server still counts a
    connection the readiness probe just closed."""
    for _ in range(attempts):
        conns = [srv.raw() for _ in range(n)]
        try:
            if all(c.cmd("PING") == b"+PONG\r\n" for c in conns):
                return conns
        except ConnectionClosed:
            pass
        for c in conns:
            c.close()
        time.sleep(0.1)
    raise AssertionError("could not open %d clients" % n)


def test_maxclients(start_server):
    for kind in ("redis", "firn"):
        srv = start_server("--maxclients", "2", kind=kind, name="%s-maxclients" % kind)
        first, second = _open_pinging(srv, 2)
        third = srv.raw()
        third.send(b"*1\r\n$4\r\nPING\r\n")
        got = third.pending(1.0)
        assert got == b"-ERR max number of clients reached\r\n", (srv.name, got)
        assert third.is_closed(), srv.name
        # The two admitted clients are unaffected, and a slot frees up when one leaves.
        assert first.cmd("SET", "k", "v") == b"+OK\r\n"
        assert second.cmd("GET", "k") == b"$1\r\nv\r\n"
        info = first.cmd("INFO", "stats")
        assert b"rejected_connections:" in info
        assert int(info.split(b"rejected_connections:")[1].split(b"\r\n")[0]) >= 1, srv.name
        second.close()
        deadline = time.monotonic() + 3
        while True:
            fourth = srv.raw()
            try:
                if fourth.cmd("GET", "k") == b"$1\r\nv\r\n":
                    break
            except ConnectionClosed:
                pass
            fourth.close()
            assert time.monotonic() < deadline, "%s: a freed slot was never reusable" % srv.name
            time.sleep(0.1)


def test_config_get_maxclients(start_server):
    srv = start_server("--maxclients", "2", name="firn-maxclients-config")
    c = srv.raw()
    assert c.cmd("CONFIG", "GET", "maxclients") == b"*2\r\n$10\r\nmaxclients\r\n$1\r\n2\r\n"


def test_idle_timeout_closes_connection(start_server):
    srv = start_server("--timeout", "1", name="firn-timeout")
    idle = srv.raw()
    busy = srv.raw()
    assert idle.cmd("PING") == b"+PONG\r\n"
    start = time.monotonic()
    closed_at = None
    # The busy client keeps talking and must survive; the idle one must be closed by ~2 s.
    while time.monotonic() - start < 4.0:
        assert busy.cmd("PING") == b"+PONG\r\n"
        if idle.is_closed(0.2):
            closed_at = time.monotonic() - start
            break
    assert closed_at is not None, "idle client still connected after 4 s with timeout 1"
    assert closed_at >= 0.9, "idle client closed after only %.2f s" % closed_at
    assert busy.cmd("PING") == b"+PONG\r\n"
    assert srv.alive()


def test_timeout_zero_keeps_idle_clients(firn):
    c = firn.raw()
    assert c.cmd("CONFIG", "GET", "timeout") == b"*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n"
    time.sleep(1.5)
    assert c.cmd("PING") == b"+PONG\r\n"


def test_config_set_timeout_applies(start_server):
    srv = start_server(name="firn-timeout-set")
    admin = srv.raw()
    idle = srv.raw()
    assert idle.cmd("PING") == b"+PONG\r\n"
    assert admin.cmd("CONFIG", "SET", "timeout", "1") == b"+OK\r\n"
    assert idle.is_closed(4.0), "CONFIG SET timeout 1 did not close an idle client"


def test_unix_socket(start_server, tmp_short_dir):
    path = os.path.join(tmp_short_dir, "firn.sock")
    srv = start_server("--unixsocket", path, name="firn-unix")
    c = srv.raw_unix()
    assert c.cmd("PING") == b"+PONG\r\n"
    assert c.cmd("SET", "via", "unix") == b"+OK\r\n"
    tcp = srv.raw()
    assert tcp.cmd("GET", "via") == b"$4\r\nunix\r\n"
    assert decode(c.cmd("CONFIG", "GET", "unixsocket")) == [b"unixsocket", path.encode()]
    line = decode(c.cmd("CLIENT", "INFO")).decode()
    assert " flags=U " in line, line
    client = redis_py.Redis(unix_socket_path=path, socket_timeout=10)
    assert client.get("via") == b"unix"
    client.set("from-py", "ok")
    assert tcp.cmd("GET", "from-py") == b"$2\r\nok\r\n"


def test_unix_socket_removed_on_shutdown(start_server, tmp_short_dir):
    path = os.path.join(tmp_short_dir, "gone.sock")
    srv = start_server("--unixsocket", path, name="firn-unix-stop")
    assert os.path.exists(path)
    assert srv.stop() == 0
    assert not os.path.exists(path), "unix socket file left behind after SIGTERM"
