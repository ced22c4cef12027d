"""Clients that do not read, or send without end, must not take the server from the others:
CLIENT KILL closes at once, a graceful stop does not wait for them, a huge pending multibulk
does not stall other clients, and input after a bulk's two trailing bytes is the next request."""

import signal
import socket
import subprocess
import time

import pytest

from conftest import RawConn, decode, encode

MB = 1 << 20


def _stalled_reader(srv, replies=50, key="slow:big"):
    """A client that asks for `replies` 1 MB replies and reads none of them until told.
    Returns (connection, client id). Its receive buffer is small but not tiny: with a window of
    a few KB, even the kernel's own buffers would take a minute to read."""
    c = srv.raw()
    assert c.cmd("SET", key, "x" * MB) == b"+OK\r\n"
    client_id = decode(c.cmd("CLIENT", "ID"))
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    c.send(encode("GET", key) * replies)
    return c, client_id


def _client_line(conn, client_id):
    text = decode(conn.cmd("CLIENT", "LIST", "ID", client_id))
    text = text.decode() if isinstance(text, bytes) else text
    return text.strip()


def _omem(line):
    fields = dict(f.split("=", 1) for f in line.split(" ") if "=" in f)
    return int(fields["omem"])


def _wait_for_backlog(admin, client_id, at_least=8 * MB, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = _client_line(admin, client_id)
        if line and _omem(line) >= at_least:
            return
        time.sleep(0.05)
    raise AssertionError("the stalled client never held %d bytes of output" % at_least)


def _bytes_until_eof(sock, timeout_s=5.0):
    """Reads until EOF or reset; returns (bytes read, True) or (bytes read, False) on timeout."""
    total = 0
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(1 << 20)
        except socket.timeout:
            return total, False
        except (ConnectionResetError, BrokenPipeError):
            return total, True
        if not chunk:
            return total, True
        total += len(chunk)
    return total, False


@pytest.mark.parametrize("server", ["firn", "redis_ref"])
def test_client_kill_closes_a_client_that_does_not_read_at_once(request, server):
    srv = request.getfixturevalue(server)
    victim, victim_id = _stalled_reader(srv)
    admin = srv.raw()
    try:
        _wait_for_backlog(admin, victim_id)
        assert admin.cmd("CLIENT", "KILL", "ID", victim_id) == b":1\r\n"
        # Gone from the list in the same moment, not once its 50 MB have drained.
        assert _client_line(admin, victim_id) == ""
        # Its socket sees EOF after at most what was already in the kernel's buffers.
        got, eof = _bytes_until_eof(victim.sock)
        assert eof, "%s: the killed client's socket stayed open" % srv.name
        assert got < 20 * MB, "%s: the killed client was sent %d bytes" % (srv.name, got)
    finally:
        victim.close()
        admin.close()


def test_client_kill_of_oneself_still_gets_the_reply(both):
    for conn in (both.f, both.r):
        my_id = decode(conn.cmd("CLIENT", "ID"))
        assert conn.cmd("CLIENT", "KILL", "ID", my_id, "SKIPME", "no") == b":1\r\n"
        assert conn.is_closed()


@pytest.mark.parametrize("how", ["sigterm", "shutdown"])
def test_graceful_stop_does_not_wait_for_a_client_that_does_not_read(start_server, how):
    srv = start_server()
    victim, victim_id = _stalled_reader(srv)
    admin = srv.raw()
    try:
        _wait_for_backlog(admin, victim_id)
        start = time.monotonic()
        if how == "sigterm":
            srv.proc.send_signal(signal.SIGTERM)
        else:
            admin.send(encode("SHUTDOWN"))
        try:
            code = srv.proc.wait(5)
        except subprocess.TimeoutExpired:
            pytest.fail("%s: still running 5 s after %s with a client not reading" % (srv.name, how))
        assert code == 0, srv.log()
        assert time.monotonic() - start < 5
        assert "did not take their replies" in srv.log()
    finally:
        victim.close()
        admin.close()


def test_pending_huge_multibulk_does_not_stall_other_clients(firn):
    # One client declares INT_MAX arguments and sends a few hundred thousand of them in many
    # writes; another client's commands are answered meanwhile, and the big one stays pending.
    big = firn.raw()
    other = firn.raw()
    try:
        big.send(b"*2147483647\r\n")
        chunk = b"$1\r\na\r\n" * 20000
        for i in range(40):
            big.send(chunk)
            if i % 8 == 0:
                assert other.cmd("PING") == b"+PONG\r\n"
        for _ in range(20):
            assert other.cmd("PING") == b"+PONG\r\n"
        assert big.pending(0.2) == b""
        line = decode(other.cmd("CLIENT", "LIST"))
        line = line.decode() if isinstance(line, bytes) else line
        qbufs = [int(f.split("=")[1]) for f in line.split() if f.startswith("qbuf=")]
        assert max(qbufs) >= 40 * len(chunk)
    finally:
        big.close()
        other.close()


@pytest.mark.parametrize("data", [
    b"*1\r\n$4\r\nPINGXX",
    b"*1\r\n$4\r\nPINGXX\r\n",
    b"*1\r\n$4\r\nPINGXXXXX\r\n",
    b"*2\r\n$4\r\nPINGXX$1\r\na\r\n",
    b"*3\r\n$3\r\nSET\r\n$10\r\ncrlf:check\r\n$1\r\nvXY*2\r\n$3\r\nGET\r\n$10\r\ncrlf:check\r\n",
    b"*1\r\n$4\r\nPING\rX",
    b"*1\r\n$1\r\nab\r\n",
])
def test_bytes_after_a_bulk_are_skipped_as_redis_does(firn, redis_ref, data):
    outs = []
    for srv in (firn, redis_ref):
        c = srv.raw()
        try:
            c.send(data)
            got = b""
            while True:
                more = c.pending(0.3)
                if not more:
                    break
                got += more
            outs.append(got)
        finally:
            c.close()
    assert outs[0] == outs[1], outs
