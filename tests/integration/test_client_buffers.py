"""Per-client buffer figures as CLIENT LIST / CLIENT INFO report them (qbuf, qbuf-free, omem),
and the query buffer's trimming, as Redis's unit/querybuf and unit/introspection check them."""

import time

from conftest import decode

# Fields of a CLIENT INFO line that are the same on Firn and Redis for a fresh connection.
STABLE_FIELDS = ["flags", "db", "sub", "psub", "ssub", "multi", "qbuf", "multi-mem", "obl",
                 "oll", "omem", "events", "cmd", "user", "redir", "resp"]


def fields(line):
    if isinstance(line, bytes):
        line = line.decode()
    return dict(f.split("=", 1) for f in line.strip().split(" ") if "=" in f)


def client_line(conn, name):
    text = decode(conn.cmd("CLIENT", "LIST"))
    text = text.decode() if isinstance(text, bytes) else text
    for line in text.splitlines():
        if fields(line).get("name") == name:
            return fields(line)
    return None


def query_buffer_total(conn, name):
    f = client_line(conn, name)
    return int(f["qbuf"]) + int(f["qbuf-free"])


def test_client_info_reports_the_running_command_in_qbuf(firn, redis_ref):
    got = []
    for srv in (firn, redis_ref):
        c = srv.raw()
        try:
            c.cmd("CLIENT", "LIST", "ID", "1")  # a longer command first: qbuf is this one's
            f = fields(decode(c.cmd("CLIENT", "INFO")))
            got.append({k: f[k] for k in STABLE_FIELDS})
        finally:
            c.close()
    assert got[0] == got[1]
    assert got[0]["qbuf"] == "26"  # *2 $6 client $4 info


def test_a_client_with_nothing_pending_holds_no_query_buffer(start_server):
    # Commands complete in their read run from the loop's shared read buffer (as Redis 7.4; Redis
    # 7.0 keeps 16 KiB per client until it has been idle 2 s): nothing is kept for the client.
    srv = start_server()
    admin, idle = srv.raw(), srv.raw()
    assert idle.cmd("CLIENT", "SETNAME", "idle-client") == b"+OK\r\n"
    assert query_buffer_total(admin, "idle-client") == 0


def test_an_idle_clients_query_buffer_is_freed(start_server):
    srv = start_server()
    admin, idle = srv.raw(), srv.raw()
    assert idle.cmd("CLIENT", "SETNAME", "idle-client") == b"+OK\r\n"
    # A command cut by the end of the read keeps a buffer of the client's own.
    idle.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab")
    deadline = time.monotonic() + 5
    while int(client_line(admin, "idle-client")["qbuf"]) == 0:
        assert time.monotonic() < deadline, "the partial command never arrived"
        time.sleep(0.02)
    assert 16384 <= query_buffer_total(admin, "idle-client") < 32768
    idle.send(b"cde\r\n")
    assert idle.read_reply() == b"+OK\r\n"
    assert 16384 <= query_buffer_total(admin, "idle-client") < 32768
    deadline = time.monotonic() + 10
    while query_buffer_total(admin, "idle-client") != 0:
        assert time.monotonic() < deadline, "the idle client's query buffer was never freed"
        time.sleep(0.2)
    assert int(client_line(admin, "idle-client")["idle"]) >= 2
    # It still works, from the shared buffer.
    assert idle.cmd("PING") == b"+PONG\r\n"
    assert query_buffer_total(admin, "idle-client") == 0


def test_a_query_buffer_grown_for_one_big_command_shrinks_back(start_server):
    srv = start_server()
    admin, busy = srv.raw(), srv.raw()
    assert busy.cmd("CLIENT", "SETNAME", "busy-client") == b"+OK\r\n"
    assert busy.cmd("SET", "x", "A" * 400000) == b"+OK\r\n"
    grown = query_buffer_total(admin, "busy-client")
    assert grown > 32768
    deadline = time.monotonic() + 3
    while True:
        assert busy.cmd("SET", "x", "A" * 100) == b"+OK\r\n"
        now = query_buffer_total(admin, "busy-client")
        if now < grown or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    # Shrunk to the recent peak, but not freed: the client is not idle.
    assert 0 < query_buffer_total(admin, "busy-client") < grown
