"""Connection churn: what a connect/disconnect flood leaves behind (nothing), the addresses
every accepted connection records, and busy polling's back-off when the cores are taken
(the flood's own case: a spinning server competes with the clients it waits for)."""

import multiprocessing
import os
import socket
import time

import pytest

from conftest import FIRN_IS_REDIS, encode
from test_conn_buffers import rss_bytes

pytestmark = pytest.mark.skipif(FIRN_IS_REDIS, reason="Firn's connection handling")


def _info(conn, field):
    text = conn.cmd("INFO", "clients", "stats").decode()
    for line in text.split("\r\n"):
        if line.startswith(field + ":"):
            return int(line.split(":")[1])
    raise AssertionError("no %s in INFO" % field)


def _churn(port, n):
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"*1\r\n$4\r\nPING\r\n")
        s.recv(16)
        s.close()


def test_a_connect_flood_leaves_nothing_behind(start_server):
    srv = start_server()
    admin = srv.raw()
    _churn(srv.port, 300)  # the allocator's and the registry's first growth
    time.sleep(0.2)
    rss = rss_bytes(srv.proc.pid)
    received = _info(admin, "total_connections_received")
    procs = [multiprocessing.Process(target=_churn, args=(srv.port, 1500)) for _ in range(2)]
    for p in procs:
        p.start()
    while any(p.is_alive() for p in procs):
        assert admin.cmd("PING") == b"+PONG\r\n"  # served all along
        time.sleep(0.005)
    for p in procs:
        p.join()
        assert p.exitcode == 0
    deadline = time.monotonic() + 5
    while _info(admin, "connected_clients") != 1:
        assert time.monotonic() < deadline, "closed connections are still counted"
        time.sleep(0.05)
    assert _info(admin, "total_connections_received") - received == 3000
    # 3,000 connections came and went: what they used went back (a leak of even a few
    # hundred bytes each would show as ~1 MB). Sanitizer builds quarantine freed memory, so
    # RSS says nothing there (LeakSanitizer checks the same at exit).
    if b"mem_allocator:jemalloc" in admin.cmd("INFO", "memory"):
        assert rss_bytes(srv.proc.pid) - rss < 1024 * 1024


def test_client_list_addresses_of_accepted_connections(start_server):
    # Any 127.x.y.z is loopback on Linux: addresses whose octets have one, two and three
    # digits, and a zero, on both ends.
    srv = start_server("--bind", "127.0.0.1 127.10.200.3")
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.99.255", 0))
        s.connect(("127.10.200.3", srv.port))
        s.sendall(encode("CLIENT", "INFO"))
        s.settimeout(5)
        data = b""
        while not data.endswith(b"\n\r\n"):
            data += s.recv(4096)
        line = data.split(b"\r\n", 1)[1].decode()
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        assert fields["addr"] == "127.0.99.255:%d" % s.getsockname()[1]
        assert fields["laddr"] == "127.10.200.3:%d" % srv.port
    finally:
        s.close()


def _spin(stop):
    while not stop.is_set():
        for _ in range(100000):
            pass


def test_busy_polling_backs_off_when_the_cores_are_taken(start_server):
    """With more spinning processes than cores, a polling server keeps waiting for a CPU (and
    its client waits for it): it stops polling, as its debug log says, and once it resumes
    into the same contention it stops for twice as long."""
    srv = start_server("--busy-poll-us", "2000", "--loglevel", "debug")
    stop = multiprocessing.Event()
    hogs = [multiprocessing.Process(target=_spin, args=(stop,), daemon=True)
            for _ in range(2 * (os.cpu_count() or 1))]
    for h in hogs:
        h.start()
    try:
        c = srv.raw(timeout=20)
        deadline = time.monotonic() + 20
        while True:
            for _ in range(500):
                c.send(encode("PING"))
                assert c.read_reply() == b"+PONG\r\n"
            with open(srv.logpath, "rb") as f:
                # Paused for 1 s, and paused again as soon as it resumed: twice as long.
                if b"Busy polling paused for 2000 ms" in f.read():
                    break
            assert time.monotonic() < deadline, "polling never backed off twice"
    finally:
        stop.set()
        for h in hogs:
            h.join()


def _server_side_timer(port, client):
    """The kernel's timer field (ss -o) for the server's end of client's connection."""
    import subprocess
    out = subprocess.run(["ss", "-tnoH", "state", "established", "sport", "=", ":%d" % port,
                          "dport", "=", ":%d" % client.getsockname()[1]],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip(), "no server-side socket found"
    return out


def test_accepted_connections_get_tcp_keepalive_and_its_runtime_changes(start_server):
    import shutil
    if shutil.which("ss") is None:
        pytest.skip("ss (iproute2) not installed")
    srv = start_server("--tcp-keepalive", "120")
    admin = srv.raw()
    a = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    a.sendall(b"PING\r\n")
    assert a.recv(16) == b"+PONG\r\n"
    timer = _server_side_timer(srv.port, a)  # read once: it can tick between two reads
    assert "timer:(keepalive,1min59" in timer or "timer:(keepalive,2min" in timer
    assert admin.cmd("CONFIG", "SET", "tcp-keepalive", "0") == b"+OK\r\n"
    b = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    b.sendall(b"PING\r\n")
    assert b.recv(16) == b"+PONG\r\n"
    assert "keepalive" not in _server_side_timer(srv.port, b)  # new connections: off
    assert "keepalive" in _server_side_timer(srv.port, a)  # as Redis: open ones keep theirs
    a.close()
    b.close()
