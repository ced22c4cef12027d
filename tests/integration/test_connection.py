"""Connection commands: PING, ECHO, QUIT, RESET, HELLO, CLIENT, AUTH; RESP3 reply shapes."""

import re
import time

import pytest

from conftest import FIRN_IS_REDIS, RawConn, Verbatim, decode, encode


def test_ping_echo(both):
    both.run(
        ("PING",),
        ("PING", "hello"),
        ("PING", ""),
        ("PING", "a", "b"),
        ("ping",),
        ("ECHO", "hello world"),
        ("ECHO", ""),
        ("ECHO", bytes(range(256))),
        ("ECHO",),
        ("ECHO", "a", "b"),
    )


def test_quit_replies_ok_and_closes(both):
    both("SET", "k", "v")
    both("QUIT")
    assert both.f.is_closed() and both.r.is_closed()


def test_quit_flushes_pipelined_replies_before_it(firn, redis_ref):
    for srv in (firn, redis_ref):
        c = srv.raw()
        c.send(encode("SET", "k", "v") + encode("GET", "k") + encode("QUIT") + encode("SET", "k", "after"))
        assert [c.read_reply() for _ in range(3)] == [b"+OK\r\n", b"$1\r\nv\r\n", b"+OK\r\n"]
        assert c.is_closed()
        assert srv.raw().cmd("GET", "k") == b"$1\r\nv\r\n", srv.name


def test_reset(both):
    both.run(
        ("SELECT", "3"),
        ("SET", "in3", "x"),
        ("CLIENT", "SETNAME", "before-reset"),
        ("CLIENT", "NO-EVICT", "on"),
    )
    both.norm("HELLO", "3", normalize=lambda m: sorted(m))
    both.run(
        ("GET", "missing"),
        ("RESET",),
        ("GET", "missing"),
        ("GET", "in3"),
        ("CLIENT", "GETNAME"),
        ("RESET", "x"),
    )
    info = decode(both.f.cmd("CLIENT", "INFO")).decode()
    assert " db=0 " in info and " resp=2" in info and " name= " in info, info


def _hello_shape(reply):
    m = reply if isinstance(reply, dict) else dict(zip(reply[0::2], reply[1::2]))
    return {k: (v if k in (b"proto", b"mode", b"role", b"modules") else type(v).__name__)
            for k, v in m.items()}


def test_hello(both):
    both.norm("HELLO", normalize=_hello_shape)
    both.norm("HELLO", "2", normalize=_hello_shape)
    both.norm("HELLO", "3", normalize=_hello_shape)
    both.norm("HELLO", normalize=_hello_shape)  # stays in RESP3
    both.run(
        ("HELLO", "4"),
        ("HELLO", "1"),
        ("HELLO", "0"),
        ("HELLO", "abc"),
        ("HELLO", "-1"),
        ("HELLO", "3", "FOO"),
        ("HELLO", "3", "AUTH", "x"),
        ("HELLO", "3", "SETNAME"),
        ("HELLO", "3", "SETNAME", "a b"),
        ("GET", "missing"),
    )
    both.norm("HELLO", "2", "SETNAME", "myname", normalize=_hello_shape)
    both.run(("CLIENT", "GETNAME"), ("GET", "missing"))


def test_hello_reports_id_matching_client_id(firn):
    c = firn.raw()
    hello = dict(zip(*[iter(decode(c.cmd("HELLO", "2")))] * 2))
    assert hello[b"id"] == decode(c.cmd("CLIENT", "ID"))
    assert hello[b"proto"] == 2
    assert isinstance(hello[b"version"], bytes) and re.match(rb"^\d+\.\d+\.\d+", hello[b"version"])


def test_hello_without_auth_when_none_configured_accepts_default_user(both):
    both.norm("HELLO", "3", "AUTH", "default", "anything", normalize=_hello_shape)
    both("HELLO", "3", "AUTH", "nouser", "anything")


def test_resp3_reply_shapes(both):
    both.norm("HELLO", "3", normalize=_hello_shape)
    both.run(
        ("GET", "missing"),
        ("SET", "k", "v"),
        ("RANDOMKEY",),
        ("GET", "k"),
        ("SET", "k", "v", "NX"),
        ("SET", "k", "w", "GET"),
        ("SET", "new", "w", "GET"),
        ("MGET", "k", "missing", "new"),
        ("EXISTS", "k", "missing"),
        ("INCR", "n"),
        ("INCRBYFLOAT", "f", "10.5"),
        ("INCRBYFLOAT", "f", "0.1"),
        ("CONFIG", "GET", "maxmemory"),
        ("CONFIG", "GET", "no-such-parameter"),
        ("TTL", "k"),
        ("TYPE", "k"),
        ("OBJECT", "ENCODING", "k"),
        ("OBJECT", "ENCODING", "missing"),
        ("GETEX", "missing"),
        ("GETDEL", "missing"),
        ("GETSET", "missing", "x"),
        ("KEYS", "k"),
        ("SCAN", "0", "MATCH", "k"),
        ("COPY", "k", "k2"),
        ("SETNX", "k", "x"),
        ("MSETNX", "k", "x"),
        ("PING",),
        ("PING", "x"),
        ("ECHO", "y"),
        ("CLIENT", "GETNAME"),
        ("SELECT", "1"),
        ("RANDOMKEY",),
        ("FLUSHDB",),
        ("DBSIZE",),
        ("GET", "k", "extra"),
        ("INCR", "k2"),
        ("NOSUCHCOMMAND",),
    )


def test_resp3_config_get_is_a_map(both):
    both.norm("HELLO", "3", normalize=_hello_shape)
    raw = both("CONFIG", "GET", "maxmemory")
    assert raw.startswith(b"%1\r\n")
    # Firn need not have every Redis setting (maxmemory-clients, ...): compare the shared ones.
    both.norm("CONFIG", "GET", "max*",
              normalize=lambda m: {k: m.get(k) for k in (b"maxmemory", b"maxmemory-policy", b"maxclients")})


def test_resp3_client_info_is_verbatim(both):
    both.norm("HELLO", "3", normalize=_hello_shape)
    fr, rr = both.both_do("CLIENT", "INFO")
    assert rr.startswith(b"=") and fr.startswith(b"="), (fr[:40], rr[:40])
    assert isinstance(decode(fr), Verbatim) and decode(fr).startswith(b"txt:")


def test_back_to_resp2_after_hello_2(both):
    both.norm("HELLO", "3", normalize=_hello_shape)
    both("GET", "missing")
    both.norm("HELLO", "2", normalize=_hello_shape)
    both.run(("GET", "missing"), ("CONFIG", "GET", "maxmemory"), ("MGET", "missing"))


def test_client_id(firn):
    a, b = firn.raw(), firn.raw()
    ida, idb = decode(a.cmd("CLIENT", "ID")), decode(b.cmd("CLIENT", "ID"))
    assert isinstance(ida, int) and isinstance(idb, int) and idb > ida > 0
    assert decode(a.cmd("CLIENT", "ID")) == ida
    assert (" id=%d " % ida).encode() in b" " + decode(a.cmd("CLIENT", "INFO"))
    c = firn.raw()
    assert decode(c.cmd("CLIENT", "ID")) > idb


def test_client_setname_getname(both):
    both.run(
        ("CLIENT", "GETNAME"),
        ("CLIENT", "SETNAME", "worker-1"),
        ("CLIENT", "GETNAME"),
        ("CLIENT", "SETNAME", "a b"),
        ("CLIENT", "SETNAME", "a\nb"),
        ("CLIENT", "SETNAME", "\x01"),
        ("CLIENT", "GETNAME"),
        ("CLIENT", "SETNAME", ""),
        ("CLIENT", "GETNAME"),
        ("CLIENT", "SETNAME"),
        ("CLIENT", "SETNAME", "a", "b"),
        ("CLIENT", "GETNAME", "x"),
        ("CLIENT",),
        ("CLIENT", "FOO"),
        ("CLIENT", "ID", "x"),
        ("CLIENT", "INFO", "x"),
    )


def _client_fields(line):
    return dict(kv.split("=", 1) for kv in line.strip().split(" ") if "=" in kv)


def test_client_list_and_info_fields(both, firn, redis_ref):
    both("CLIENT", "SETNAME", "lister")
    f_list = decode(both.f.cmd("CLIENT", "LIST")).decode()
    r_list = decode(both.r.cmd("CLIENT", "LIST")).decode()
    f_lines = [l for l in f_list.split("\n") if l]
    r_lines = [l for l in r_list.split("\n") if l]
    assert f_list.endswith("\n"), repr(f_list[-40:])
    r_fields = [kv.split("=", 1)[0] for kv in r_lines[0].split(" ")]
    for line in f_lines:
        f_fields = [kv.split("=", 1)[0] for kv in line.split(" ")]
        missing = [k for k in r_fields if k not in f_fields]
        assert not missing, "CLIENT LIST line lacks Redis fields %s: %r" % (missing, line)
    mine = [_client_fields(l) for l in f_lines if "name=lister" in l]
    assert len(mine) == 1, f_lines
    me = mine[0]
    own_id = decode(both.f.cmd("CLIENT", "ID"))
    assert me["id"] == str(own_id)
    assert me["addr"] == "127.0.0.1:%d" % both.f.sock.getsockname()[1]
    assert me["laddr"] == "127.0.0.1:%d" % firn.port
    assert me["db"] == "0" and me["resp"] == "2" and me["flags"] == "N"
    assert me["cmd"] == "client|list"
    info = decode(both.f.cmd("CLIENT", "INFO")).decode()
    assert info.endswith("\n") and info.count("\n") == 1
    fi = _client_fields(info)
    assert fi["id"] == str(own_id) and fi["name"] == "lister" and fi["cmd"] == "client|info"
    r_info_fields = [kv.split("=", 1)[0] for kv in decode(both.r.cmd("CLIENT", "INFO")).decode().split()]
    assert [k for k in r_info_fields if k not in fi] == []


def test_client_list_filters(both, firn):
    other = firn.raw()
    other_id = decode(other.cmd("CLIENT", "ID"))
    own_id = decode(both.f.cmd("CLIENT", "ID"))
    out = decode(both.f.cmd("CLIENT", "LIST", "ID", str(own_id), str(other_id), "999999")).decode()
    ids = sorted(int(_client_fields(l)["id"]) for l in out.split("\n") if l)
    assert ids == sorted([own_id, other_id])
    out = decode(both.f.cmd("CLIENT", "LIST", "TYPE", "normal")).decode()
    assert "id=%d " % own_id in out
    both.run(
        ("CLIENT", "LIST", "TYPE", "foo"),
        ("CLIENT", "LIST", "ID", "abc"),
        ("CLIENT", "LIST", "ID", "999999"),
        ("CLIENT", "LIST", "FOO"),
    )
    other.close()


def test_client_kill_by_id_and_addr(both, firn, redis_ref):
    for srv, conn in ((firn, both.f), (redis_ref, both.r)):
        victim = srv.raw()
        victim_id = decode(victim.cmd("CLIENT", "ID"))
        assert conn.cmd("CLIENT", "KILL", "ID", str(victim_id)) == b":1\r\n", srv.name
        assert victim.is_closed(), "%s: killed client still open" % srv.name
        assert conn.cmd("CLIENT", "KILL", "ID", str(victim_id)) == b":0\r\n", srv.name

        victim = srv.raw()
        victim.cmd("PING")
        addr = "127.0.0.1:%d" % victim.sock.getsockname()[1]
        assert conn.cmd("CLIENT", "KILL", "ADDR", addr) == b":1\r\n", srv.name
        assert victim.is_closed(), srv.name

        victim = srv.raw()
        victim.cmd("PING")
        addr = "127.0.0.1:%d" % victim.sock.getsockname()[1]
        assert conn.cmd("CLIENT", "KILL", addr) == b"+OK\r\n", srv.name  # old form
        assert victim.is_closed(), srv.name
        assert conn.cmd("PING") == b"+PONG\r\n"
    both.run(
        ("CLIENT", "KILL", "1.2.3.4:5"),
        ("CLIENT", "KILL", "ADDR", "1.2.3.4:5"),
        ("CLIENT", "KILL", "ID", "abc"),
        ("CLIENT", "KILL", "ID", "0"),
        ("CLIENT", "KILL", "ID", "99999999"),
        ("CLIENT", "KILL", "FOO", "bar"),
        ("CLIENT", "KILL"),
    )


def test_client_kill_self_with_skipme_no(firn):
    c = firn.raw()
    own_id = decode(c.cmd("CLIENT", "ID"))
    c.send(encode("CLIENT", "KILL", "ID", str(own_id), "SKIPME", "no"))
    reply = c.pending(1.0)
    assert reply in (b"", b":1\r\n"), reply
    assert c.is_closed()


def test_client_setinfo(firn):
    c = firn.raw()
    reply = c.cmd("CLIENT", "SETINFO", "LIB-NAME", "redis-py")
    if FIRN_IS_REDIS and reply.startswith(b"-ERR unknown subcommand"):
        pytest.skip("the reference redis-server 7.0 predates CLIENT SETINFO (Redis 7.2)")
    assert reply == b"+OK\r\n"
    assert c.cmd("CLIENT", "SETINFO", "LIB-VER", "5.0.1") == b"+OK\r\n"
    info = _client_fields(decode(c.cmd("CLIENT", "INFO")).decode())
    assert info.get("lib-name") == "redis-py" and info.get("lib-ver") == "5.0.1", info
    # Redis 7.2's texts.
    assert c.cmd("CLIENT", "SETINFO", "LIB-NAME", "a b").startswith(b"-ERR")
    assert c.cmd("CLIENT", "SETINFO", "FOO", "x") == b"-ERR Unrecognized option 'FOO'\r\n"
    assert c.cmd("CLIENT", "SETINFO", "LIB-NAME") == \
        b"-ERR wrong number of arguments for 'client|setinfo' command\r\n"


def test_client_no_evict(both):
    both.run(
        ("CLIENT", "NO-EVICT", "on"),
        ("CLIENT", "NO-EVICT", "off"),
        ("CLIENT", "NO-EVICT", "ON"),
        ("CLIENT", "NO-EVICT", "foo"),
        ("CLIENT", "NO-EVICT"),
    )
    info = _client_fields(decode(both.f.cmd("CLIENT", "INFO")).decode())
    assert "e" in info["flags"], info


def test_client_reply_off_on_skip(both):
    for conn in (both.f, both.r):
        conn.send(encode("CLIENT", "REPLY", "OFF") + encode("SET", "a", "1") + encode("GET", "a")
                  + encode("NOSUCHCMD") + encode("CLIENT", "REPLY", "ON"))
        assert conn.read_reply() == b"+OK\r\n"
        assert conn.pending(0.2) == b""
        conn.send(encode("CLIENT", "REPLY", "SKIP") + encode("SET", "b", "2") + encode("GET", "b"))
        assert conn.read_reply() == b"$1\r\n2\r\n"
        assert conn.pending(0.2) == b""
    both.run(("MGET", "a", "b"), ("CLIENT", "REPLY", "FOO"), ("CLIENT", "REPLY"))


def test_auth_without_requirepass(both):
    both.run(
        ("AUTH", "whatever"),
        ("AUTH", "default", "whatever"),
        ("AUTH", "nouser", "whatever"),
        ("AUTH",),
        ("AUTH", "a", "b", "c"),
        ("PING",),
    )


@pytest.fixture
def auth_pair(start_server):
    f = start_server("--requirepass", "s3cret", kind="firn", name="firn-auth")
    r = start_server("--requirepass", "s3cret", kind="redis", name="redis-auth")
    return f, r


def _cmp(fc, rc, *args):
    fr, rr = fc.cmd(*args), rc.cmd(*args)
    assert fr == rr, "%s\n  firn : %r\n  redis: %r" % (args, fr, rr)
    return rr


def test_auth_with_requirepass(auth_pair):
    f, r = auth_pair
    fc, rc = f.raw(), r.raw()
    for args in [("GET", "k"), ("SET", "k", "v"), ("PING",), ("ECHO", "x"), ("CLIENT", "ID"),
                 ("SELECT", "1"), ("HELLO", "3"), ("HELLO",), ("AUTH", "wrong"),
                 ("AUTH", "default", "wrong"), ("AUTH", "nouser", "s3cret"), ("AUTH", "a", "b", "c"),
                 ("HELLO", "3", "AUTH", "default", "wrong"), ("GET", "k"), ("AUTH", "s3cret"),
                 ("SET", "k", "v"), ("GET", "k"), ("AUTH", "wrong"), ("GET", "k"),
                 ("AUTH", "default", "s3cret"), ("PING",), ("RESET",), ("GET", "k")]:
        _cmp(fc, rc, *args)
    _cmp(fc, rc, "QUIT")
    assert fc.is_closed() and rc.is_closed()


def test_hello_auth(auth_pair):
    f, r = auth_pair
    for srv in (f, r):
        c = srv.raw()
        reply = decode(c.cmd("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "app"))
        assert isinstance(reply, dict) and reply[b"proto"] == 3, (srv.name, reply)
        assert c.cmd("SET", "k", "v") == b"+OK\r\n"
        assert c.cmd("GET", "nokey") == b"_\r\n"
        assert c.cmd("CLIENT", "GETNAME") == b"$3\r\napp\r\n"
        c2 = srv.raw()
        reply = decode(c2.cmd("HELLO", "2", "AUTH", "default", "s3cret"))
        assert isinstance(reply, list) and reply[reply.index(b"proto") + 1] == 2
        assert c2.cmd("GET", "k") == b"$1\r\nv\r\n"


def test_redis_py_with_password(auth_pair):
    f, _ = auth_pair
    c = f.client(password="s3cret")
    assert c.set("k", "v") and c.get("k") == b"v"
    import redis as redis_py
    errors = (redis_py.AuthenticationError, redis_py.ResponseError)
    with pytest.raises(errors, match="WRONGPASS"):
        f.client(password="wrong").ping()
    with pytest.raises(errors, match="Authentication required"):
        f.client().get("k")


def test_unauthenticated_protocol_limits(auth_pair):
    f, r = auth_pair
    for data in [b"*11\r\n", b"*1\r\n$20000\r\n"]:
        replies = []
        for srv in (f, r):
            c = srv.raw()
            c.send(data)
            replies.append(c.read_reply())
            assert c.is_closed(), (srv.name, data)
        assert replies[0] == replies[1], (data, replies)
    for srv in (f, r):
        c = srv.raw()
        assert c.cmd("AUTH", "s3cret") == b"+OK\r\n"
        assert c.cmd("SET", "big", "x" * 20000) == b"+OK\r\n"
        assert c.cmd("MSET", *(["k", "v"] * 10)) == b"+OK\r\n"
