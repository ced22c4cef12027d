"""GET /metrics over TLS (metrics-tls-port): the same series as the plain exporter, with the
tls-* certificate and tls-auth-clients; a client without a certificate, or with one from
another CA, is refused; other paths and methods get 404 and 405; stalled, oversized and
plain-text clients are closed without keeping a scraper out."""
import socket
import ssl
import time

import pytest

from conftest import FIRN_IS_REDIS, free_port
from test_tls import certs, client_context, tls_opts  # noqa: F401 - certs is a fixture

pytestmark = pytest.mark.skipif(FIRN_IS_REDIS, reason="a Firn setting")


def _start(start_server, certs, *extra):  # noqa: F811
    tls_port, metrics_tls_port, metrics_port = free_port(), free_port(), free_port()
    srv = start_server(*tls_opts(certs, tls_port), "--metrics-tls-port", str(metrics_tls_port),
                       "--metrics-port", str(metrics_port), *extra)
    return srv, metrics_tls_port, metrics_port


def _read_all(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def _https(port, ctx, request=b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5.0):
    """(status line, headers+body) of one request over TLS."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    t = ctx.wrap_socket(s, server_hostname="localhost")
    try:
        t.sendall(request)
        data = _read_all(t)
    finally:
        t.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), head, body


def _http(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = _read_all(s)
    s.close()
    return data.partition(b"\r\n\r\n")[2]


def _names(body):
    return {line.split(b" ")[2] for line in body.splitlines() if line.startswith(b"# TYPE ")}


def test_metrics_over_tls_serve_the_plain_exporters_series(start_server, certs):  # noqa: F811
    srv, tport, pport = _start(start_server, certs)
    status, head, body = _https(tport, client_context(certs, "client"))
    assert status == "HTTP/1.1 200 OK"
    assert b"Content-Type: text/plain; version=0.0.4" in head
    assert int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0]) == len(body)
    assert b"\nredis_up 1\n" in b"\n" + body
    # The plain exporter adds prometheus-cpp's own exposer_* series about its HTTP server.
    plain = {n for n in _names(_http(pport)) if not n.startswith(b"exposer_")}
    assert _names(body) == plain
    assert b"redis_connected_clients" in body


def test_a_client_without_a_certificate_or_from_another_ca_is_refused(start_server, certs):  # noqa: F811
    srv, tport, _ = _start(start_server, certs)
    for ctx in (client_context(certs), client_context(certs, "client2")):
        try:
            status = _https(tport, ctx)[0]
        except (ssl.SSLError, OSError):
            status = "refused"
        assert not status.startswith("HTTP"), status  # refused, never answered
    # Still serving the right client afterwards.
    assert _https(tport, client_context(certs, "client"))[0] == "HTTP/1.1 200 OK"


def test_tls_auth_clients_no_serves_without_a_certificate(start_server, certs):  # noqa: F811
    srv, tport, _ = _start(start_server, certs, "--tls-auth-clients", "no")
    assert _https(tport, client_context(certs))[0] == "HTTP/1.1 200 OK"


def test_other_paths_and_methods(start_server, certs):  # noqa: F811
    srv, tport, _ = _start(start_server, certs)
    ctx = client_context(certs, "client")
    assert _https(tport, ctx, b"GET / HTTP/1.1\r\n\r\n")[0] == "HTTP/1.1 404 Not Found"
    assert _https(tport, ctx, b"POST /metrics HTTP/1.1\r\n\r\n")[0] == \
        "HTTP/1.1 405 Method Not Allowed"
    assert _https(tport, ctx, b"GET /metrics?x=1 HTTP/1.1\r\n\r\n")[0] == "HTTP/1.1 200 OK"
    big = b"GET /metrics HTTP/1.1\r\nX-Pad: " + b"a" * 10000 + b"\r\n\r\n"
    assert _https(tport, ctx, big)[0] == "HTTP/1.1 431 Request Header Fields Too Large"


def test_stalled_and_plain_text_clients_do_not_keep_a_scraper_out(start_server, certs):  # noqa: F811
    srv, tport, _ = _start(start_server, certs)
    ctx = client_context(certs, "client")
    # 100 connections that never finish a request (some without even a handshake).
    stalled = []
    for i in range(100):
        s = socket.create_connection(("127.0.0.1", tport), timeout=5)
        if i % 2 == 0:
            s = ctx.wrap_socket(s, server_hostname="localhost")
            s.sendall(b"GET /metrics HTTP/1.1\r\n")
        stalled.append(s)
    plain = socket.create_connection(("127.0.0.1", tport), timeout=5)
    plain.sendall(b"GET /metrics HTTP/1.1\r\n\r\n")  # not TLS: closed
    plain.settimeout(5)
    assert plain.recv(100) == b""  # not a TLS handshake: closed (no HTTP answer in clear)
    t0 = time.monotonic()
    assert _https(tport, ctx)[0] == "HTTP/1.1 200 OK"
    assert time.monotonic() - t0 < 1.5
    # The stalled ones are closed by the request timeout (2 s, then a cron tick).
    time.sleep(3.0)
    closed = 0
    for s in stalled:
        s.settimeout(2)
        try:
            closed += s.recv(10) == b""
        except (ssl.SSLError, OSError):
            closed += 1
        s.close()
    assert closed == len(stalled)
    assert srv.alive()


def test_a_certificate_reload_applies_to_the_metrics_listener(start_server, certs):  # noqa: F811
    from test_tls import NEW_SERIAL, SERVER_SERIAL
    from conftest import RawConn, encode

    srv, tport, _ = _start(start_server, certs)

    def serial():
        s = socket.create_connection(("127.0.0.1", tport), timeout=5)
        t = client_context(certs, "client").wrap_socket(s, server_hostname="localhost")
        try:
            return int(t.getpeercert()["serialNumber"], 16)
        finally:
            t.close()

    assert serial() == SERVER_SERIAL
    c = RawConn(port=srv.port)
    c.send(encode("CONFIG", "SET", "tls-cert-file", certs["server-new"] + ".crt",
                  "tls-key-file", certs["server-new"] + ".key"))
    assert c.read_reply() == b"+OK\r\n"
    c.close()
    assert serial() == NEW_SERIAL


def _refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_metrics_tls_port_is_set_at_runtime(start_server, certs):  # noqa: F811
    from conftest import RawConn, encode

    # Started without it, and without a tls-port: CONFIG SET turns it on, moves it, turns it off.
    srv = start_server("--tls-cert-file", certs["server"] + ".crt", "--tls-key-file",
                       certs["server"] + ".key", "--tls-ca-cert-file", certs["ca"] + ".crt")
    ctx = client_context(certs, "client")
    c = RawConn(port=srv.port)
    p1, p2 = free_port(), free_port()
    c.send(encode("CONFIG", "SET", "metrics-tls-port", str(p1)))
    assert c.read_reply() == b"+OK\r\n"
    assert _https(p1, ctx)[0] == "HTTP/1.1 200 OK"
    c.send(encode("CONFIG", "SET", "metrics-tls-port", str(p2)))
    assert c.read_reply() == b"+OK\r\n"
    assert _https(p2, ctx)[0] == "HTTP/1.1 200 OK"
    assert _refused(p1)
    # A port in use is refused and the listener stays where it was.
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    c.send(encode("CONFIG", "SET", "metrics-tls-port", str(busy.getsockname()[1])))
    assert c.read_reply().startswith(b"-ERR")
    c.send(encode("CONFIG", "GET", "metrics-tls-port"))
    assert c.read_reply().endswith(b"$%d\r\n%d\r\n" % (len(str(p2)), p2))
    assert _https(p2, ctx)[0] == "HTTP/1.1 200 OK"
    busy.close()
    c.send(encode("CONFIG", "SET", "metrics-tls-port", "0"))
    assert c.read_reply() == b"+OK\r\n"
    assert _refused(p2)
    c.close()
