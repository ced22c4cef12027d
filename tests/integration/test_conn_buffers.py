"""Connection read buffers: a connection with nothing pending holds none (it reads into the
loop's shared buffer and runs its commands from there); only what a read leaves unconsumed is
kept in a buffer of its own. These tests drive the edges of that: idle memory, requests cut at
every byte, multi-MB bulks arriving in pieces on interleaved connections, a blocked client's
pipeline, a busy script's, the query-buffer limit and CLIENT LIST's figures."""

import hashlib
import os
import random
import socket
import time

import pytest

from conftest import FIRN_IS_REDIS, decode, encode
from test_client_buffers import client_line as _client, fields as _fields

pytestmark = pytest.mark.skipif(FIRN_IS_REDIS, reason="Firn's read path")


def rss_bytes(pid):
    """VmRSS of a process, in bytes."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _read_exactly(sock, n, timeout=30):
    sock.settimeout(timeout)
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk, "connection closed after %d of %d bytes" % (len(data), n)
        data += chunk
    return data


# ---- idle memory ----

IDLE = 2000
# A held connection's own state, measured: about 1.2 KB (the connection with its libuv handle
# and parser, the client's registry entry, its two address strings). Before the shared read
# buffer each one also held a zero-filled 16 KiB buffer (21.9 KB each). The bound is well above
# what is measured (allocator rounding and arena growth at 2,000 connections), and far below
# what any per-connection read buffer touched by a read would add (16 KiB).
IDLE_BYTES_PER_CONN_BOUND = 6 * 1024


def test_idle_connections_hold_no_read_buffer(start_server):
    srv = start_server("--maxclients", str(IDLE + 100))
    warm = [socket.create_connection(("127.0.0.1", srv.port), timeout=10) for _ in range(50)]
    for s in warm:
        s.sendall(b"*1\r\n$4\r\nPING\r\n")
    assert all(s.recv(16) == b"+PONG\r\n" for s in warm)
    before = rss_bytes(srv.proc.pid)
    held = []
    try:
        for _ in range(IDLE):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            s.sendall(b"*1\r\n$4\r\nPING\r\n")  # each has read once
            held.append(s)
        assert all(s.recv(16) == b"+PONG\r\n" for s in held)
        time.sleep(0.3)
        per_conn = (rss_bytes(srv.proc.pid) - before) / IDLE
        assert per_conn < IDLE_BYTES_PER_CONN_BOUND, per_conn
        admin = srv.raw()
        info = decode(admin.cmd("INFO", "clients"))
        info = info.decode() if isinstance(info, bytes) else info
        assert "connected_clients:%d" % (IDLE + 51) in info
    finally:
        for s in held + warm:
            s.close()


# ---- requests cut across reads ----

def _pipeline(tag):
    """Commands with replies that depend only on tag: inline and multibulk, a bulk longer
    than one read (16 KiB), an empty argument. Returns (request bytes, expected replies)."""
    big = (tag * 3000)[:20000].encode()
    req = b"".join([
        encode("SET", "k:" + tag, "v:" + tag),
        encode("GET", "k:" + tag),
        b"PING\r\n",
        encode("INCR", "n:" + tag),
        encode("ECHO", ""),
        encode("SET", "big:" + tag, big),
        encode("STRLEN", "big:" + tag),
        b"ECHO inline-" + tag.encode() + b"\r\n",
        encode("RPUSH", "l:" + tag, "a", "b", "c"),
        encode("LRANGE", "l:" + tag, "0", "-1"),
    ])
    want = b"".join([
        b"+OK\r\n",
        b"$%d\r\nv:%s\r\n" % (len(tag) + 2, tag.encode()),
        b"+PONG\r\n",
        b":1\r\n",
        b"$0\r\n\r\n",
        b"+OK\r\n",
        b":%d\r\n" % len(big),
        b"$%d\r\ninline-%s\r\n" % (len(tag) + 7, tag.encode()),
        b":3\r\n",
        b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
    ])
    return req, want


def test_a_pipeline_cut_at_every_byte_still_runs(start_server):
    """Each connection's pipeline is cut at a different byte (every boundary of the short
    part of the pipeline, and samples through the 20 KB bulk) and its two halves sent as two
    reads, many connections interleaved so the shared buffer is reused between them."""
    srv = start_server()
    req0, _ = _pipeline("x00000")  # every tag has this width, so the same layout
    head = req0.rindex(b"*3\r\n", 0, req0.index(b"big:"))
    cuts = list(range(1, head + 40)) + list(range(head + 40, len(req0), 997)) + [len(req0) - 1]
    batch = 150
    for start in range(0, len(cuts), batch):
        conns = []
        try:
            for i, cut in enumerate(cuts[start:start + batch]):
                req, want = _pipeline("x%05d" % (start + i))
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
                s.sendall(req[:cut])
                conns.append((s, req[cut:], want, cut))
            time.sleep(0.05)  # every first half read (and run up to its cut)
            random.Random(start).shuffle(conns)
            for s, rest, _, _ in conns:
                s.sendall(rest)
            for s, _, want, cut in conns:
                assert _read_exactly(s, len(want)) == want, "cut at byte %d" % cut
        finally:
            for s, *_ in conns:
                s.close()


def test_a_request_sent_one_byte_per_read_runs(start_server):
    srv = start_server()
    req, want = _pipeline("bytewise")
    req = req[:req.rindex(b"*3\r\n", 0, req.index(b"big:"))]  # the commands before the big SET
    want = want[:want.index(b"$0\r\n\r\n") + 6]  # and their replies
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        for i in range(len(req)):
            s.sendall(req[i:i + 1])
            if i % 7 == 0:
                time.sleep(0.001)
        assert _read_exactly(s, len(want)) == want
    finally:
        s.close()


def test_multi_megabyte_bulks_arriving_in_pieces_on_interleaved_connections(start_server):
    srv = start_server()
    rng = random.Random(7)
    values = [os.urandom(3 * 1024 * 1024 + i * 4099) for i in range(4)]
    reqs = [encode("SET", "mb:%d" % i, v) + encode("STRLEN", "mb:%d" % i)
            for i, v in enumerate(values)]
    conns = [socket.create_connection(("127.0.0.1", srv.port), timeout=30) for _ in values]
    try:
        offsets = [0] * len(reqs)
        while any(o < len(r) for o, r in zip(offsets, reqs)):
            for i, s in enumerate(conns):
                if offsets[i] >= len(reqs[i]):
                    continue
                n = rng.choice([1, 2, 13, 1000, 16383, 16384, 16385, 65536, 300000])
                s.sendall(reqs[i][offsets[i]:offsets[i] + n])
                offsets[i] += n
        for i, s in enumerate(conns):
            want = b"+OK\r\n:%d\r\n" % len(values[i])
            assert _read_exactly(s, len(want)) == want
        check = srv.raw()
        for i, v in enumerate(values):
            got = check.cmd("GET", "mb:%d" % i)
            body = got[got.index(b"\r\n") + 2:-2]
            assert hashlib.sha1(body).hexdigest() == hashlib.sha1(v).hexdigest()
    finally:
        for s in conns:
            s.close()


# ---- pipelines that wait ----

def test_a_blocked_clients_pipeline_survives_other_clients_reads(start_server):
    """BLPOP and the commands behind it arrive in one read; the client blocks, the rest of its
    pipeline waits in its own buffer while other clients' reads go through the shared one."""
    srv = start_server()
    blocked = srv.raw()
    blocked.send(encode("BLPOP", "q", "0") + encode("SET", "after", "1") + encode("GET", "after")
                 + encode("ECHO", "e" * 3000) + b"PING\r\n")
    admin = srv.raw()
    deadline = time.monotonic() + 5
    while b"blocked_clients:1\r\n" not in admin.cmd("INFO", "clients"):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    others = [srv.raw() for _ in range(30)]
    for i, o in enumerate(others):
        # Longer than the blocked client's whole read: it would overwrite all of it.
        assert o.cmd("SET", "noise:%d" % i, "z" * 5000) == b"+OK\r\n"
    assert admin.cmd("GET", "after") == b"$-1\r\n"  # nothing behind BLPOP ran yet
    assert admin.cmd("RPUSH", "q", "v") == b":1\r\n"
    want = (b"*2\r\n$1\r\nq\r\n$1\r\nv\r\n" + b"+OK\r\n" + b"$1\r\n1\r\n"
            + b"$3000\r\n" + b"e" * 3000 + b"\r\n" + b"+PONG\r\n")
    assert _read_exactly(blocked.sock, len(want)) == want


def test_a_busy_scripts_pipeline_survives_the_clients_served_meanwhile(start_server):
    """EVAL past busy-reply-threshold with commands behind it in the same read: while it runs,
    other clients are read (and answered -BUSY) without touching the rest of its read."""
    srv = start_server("--busy-reply-threshold", "50")
    a = srv.raw()
    script = "local x = 0 for i = 1, 200000000 do x = x + 1 end return 1"
    a.send(encode("EVAL", script, "0") + encode("SET", "after", "yes") + encode("GET", "after"))
    b = srv.raw()
    deadline = time.monotonic() + 10
    while True:
        reply = b.cmd("SET", "other", "w" * 2000)  # longer than a's whole read
        if reply.startswith(b"-BUSY"):
            break
        assert time.monotonic() < deadline, reply
        time.sleep(0.01)
    for _ in range(5):
        assert b.cmd("SET", "other", "w" * 2000).startswith(b"-BUSY")
    assert b.cmd("SCRIPT", "KILL") == b"+OK\r\n"
    first = a.read_reply()
    assert first.startswith(b"-ERR Error running script") or first.startswith(b"-"), first
    assert a.read_reply() == b"+OK\r\n"
    assert a.read_reply() == b"$3\r\nyes\r\n"


# ---- limits and figures ----

def test_an_oversized_partial_request_is_closed_at_the_query_buffer_limit(start_server):
    srv = start_server("--client-query-buffer-limit", "1mb")
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n")
    chunk = b"a" * 65536
    closed = False
    try:
        for _ in range(40):  # 2.6 MB, never complete
            s.sendall(chunk)
    except (BrokenPipeError, ConnectionResetError):
        closed = True
    if not closed:
        s.settimeout(5)
        try:
            closed = s.recv(100) == b""
        except ConnectionResetError:
            closed = True
    assert closed
    s.close()
    admin = srv.raw()
    assert admin.cmd("EXISTS", "k") == b":0\r\n"
    assert "reached max query buffer length" in srv.log()


def test_client_list_query_buffer_figures(start_server):
    srv = start_server()
    admin = srv.raw()
    c = srv.raw()
    assert c.cmd("CLIENT", "SETNAME", "c") == b"+OK\r\n"
    # Nothing pending: no buffer at all.
    f = _client(admin, "c")
    assert (f["qbuf"], f["qbuf-free"]) == ("0", "0")
    # The caller's own line: its command, read into the shared buffer (no free room of its own).
    own = _fields(decode(c.cmd("CLIENT", "INFO")))
    assert (own["qbuf"], own["qbuf-free"]) == ("26", "0")
    # A partial request: its bytes, in a buffer of its own with a read's room.
    partial = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\n" + b"p" * 40
    c.send(partial)
    deadline = time.monotonic() + 5
    while int(_client(admin, "c")["qbuf"]) != len(partial):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    f = _client(admin, "c")
    assert int(f["qbuf-free"]) >= 16384
    assert int(f["tot-mem"]) >= len(partial) + 16384
    c.send(b"p" * 60 + b"\r\n")
    assert c.read_reply() == b"+OK\r\n"
    f = _client(admin, "c")
    assert f["qbuf"] == "0" and int(f["qbuf-free"]) >= 16384  # kept until idle for 2 s
