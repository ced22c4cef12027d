"""client-output-buffer-limit, on Firn and on redis-server alike: a client that stops reading is
closed at its class's limit, its queued bytes freed, and the server's memory stays bounded."""

import socket
import time

import pytest

from conftest import decode, encode

MB = 1 << 20


def _rss_bytes(srv, field="VmRSS"):
    """The server's resident memory now (VmRSS), or at its peak so far (VmHWM)."""
    with open("/proc/%d/status" % srv.proc.pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no " + field)


def _client_ids(admin):
    text = decode(admin.cmd("CLIENT", "LIST"))
    text = text.decode() if isinstance(text, bytes) else text
    return {int(f.split("=", 1)[1]) for line in text.splitlines()
            for f in line.split(" ") if f.startswith("id=")}


def _wait_gone(admin, client_id, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if client_id not in _client_ids(admin):
            return True
        time.sleep(0.05)
    return False


def _log_text(srv):
    with open(srv.logpath, "rb") as f:
        return f.read().decode("utf-8", "replace")


def _jemalloc(conn):
    """Whether the server allocates with jemalloc (or is redis-server, which does too)."""
    return b"mem_allocator:jemalloc" in conn.cmd("INFO", "memory")


@pytest.mark.parametrize("kind", ["firn", "redis"])
def test_subscriber_that_never_reads_is_closed_at_the_pubsub_limit(start_server, kind):
    srv = start_server(kind=kind, name="obuf-pubsub-" + kind)
    admin = srv.raw(timeout=20)
    sub = srv.raw()
    sub.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sub_id = decode(sub.cmd("CLIENT", "ID"))
    sub.send(encode("SUBSCRIBE", "flood"))
    assert sub.read_reply().startswith(b"*3\r\n$9\r\nsubscribe")
    rss_before = _rss_bytes(srv)
    publisher = srv.raw(timeout=20)
    message = "m" * (64 * 1024)
    per_batch = 50
    sent = 0
    peak = rss_before
    # 300 MB of messages, in pipelined batches the publisher reads the replies of.
    while sent < 300 * MB:
        publisher.send(encode("PUBLISH", "flood", message) * per_batch)
        for _ in range(per_batch):
            publisher.read_reply()
        sent += per_batch * len(message)
        peak = max(peak, _rss_bytes(srv))
    assert _wait_gone(admin, sub_id), "the subscriber was never disconnected"
    assert decode(publisher.cmd("PUBLISH", "flood", "x")) == 0
    if _jemalloc(admin):  # ASan's allocator quarantines freed memory: RSS says nothing there
        assert peak - rss_before < 64 * MB, "RSS grew by %d MB" % ((peak - rss_before) // MB)
    assert "for overcoming of output buffer limits" in _log_text(srv)
    assert admin.cmd("PING") == b"+PONG\r\n"
    sub.close()


@pytest.mark.parametrize("kind", ["firn", "redis"])
def test_pipelining_client_that_never_reads_is_closed_at_the_normal_limit(start_server, kind):
    srv = start_server("--client-output-buffer-limit", "normal 16mb 8mb 10", kind=kind,
                       name="obuf-normal-" + kind)
    admin = srv.raw(timeout=20)
    assert admin.cmd("SET", "big", "v" * (64 * 1024)) == b"+OK\r\n"
    reader = srv.raw()
    reader.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    reader_id = decode(reader.cmd("CLIENT", "ID"))
    rss_before = _rss_bytes(srv)
    peak = rss_before
    batch = encode("GET", "big") * 100  # 6.4 MB of replies per batch, 300 MB in all
    closed = False
    reader.sock.settimeout(2.0)
    for _ in range(47):
        try:
            reader.sock.sendall(batch)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            closed = True
            break
        peak = max(peak, _rss_bytes(srv))
        if reader_id not in _client_ids(admin):
            closed = True
            break
    assert closed or _wait_gone(admin, reader_id), "the reader was never disconnected"
    assert _wait_gone(admin, reader_id)
    if _jemalloc(admin):  # ASan's allocator quarantines freed memory: RSS says nothing there
        assert peak - rss_before < 64 * MB, "RSS grew by %d MB" % ((peak - rss_before) // MB)
    assert "for overcoming of output buffer limits" in _log_text(srv)
    assert admin.cmd("PING") == b"+PONG\r\n"
    reader.close()


@pytest.mark.parametrize("kind", ["firn", "redis"])
def test_one_huge_pipelined_batch_is_cut_off_at_the_limit_as_replies_grow(start_server, kind):
    """100,000 GETs of a 1 MB value in one batch, against a 10 MB hard limit: the limit is
    checked as the replies accumulate, so the client is closed before the server has built
    more than about twice the limit (checked once per batch, the first read alone would
    build hundreds of megabytes)."""
    srv = start_server("--client-output-buffer-limit", "normal 10mb 0 0", kind=kind,
                       name="obuf-batch-" + kind)
    admin = srv.raw(timeout=20)
    assert admin.cmd("SET", "bigkey", "v" * MB) == b"+OK\r\n"
    reader = srv.raw()
    reader_id = decode(reader.cmd("CLIENT", "ID"))
    rss_before = _rss_bytes(srv)
    reader.sock.settimeout(10.0)
    try:
        reader.sock.sendall(encode("GET", "bigkey") * 100000)
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    assert _wait_gone(admin, reader_id), "the client was never disconnected"
    if _jemalloc(admin):
        grown = _rss_bytes(srv, "VmHWM") - rss_before
        # The reply buffer doubles as it grows: up to twice the limit, and some slack.
        assert grown < 24 * MB, "RSS grew by %d MB" % (grown // MB)
    assert "for overcoming of output buffer limits" in _log_text(srv)
    assert admin.cmd("PING") == b"+PONG\r\n"
    reader.close()


def test_config_get_and_set_of_the_limits_match_redis(both):
    both("CONFIG", "GET", "client-output-buffer-limit")
    both("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 30")
    both("CONFIG", "GET", "client-output-buffer-limit")
    both("CONFIG", "SET", "client-output-buffer-limit", "replica 1gb 0 0 normal 1 2 3")
    both("CONFIG", "GET", "client-output-buffer-limit")
    both("CONFIG", "SET", "client-output-buffer-limit", "normal 1 2")
    both("CONFIG", "SET", "client-output-buffer-limit", "master 1 2 3")
    both("CONFIG", "SET", "client-output-buffer-limit", "normal x 2 3")
    both("CONFIG", "SET", "client-output-buffer-limit", "normal 1 2 -3")
    both("CONFIG", "GET", "client-output-buffer-limit")
    both("CONFIG", "SET", "client-output-buffer-limit",
         "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60")
    both("CONFIG", "GET", "tracking-table-max-keys")
