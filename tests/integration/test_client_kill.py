"""CLIENT KILL's filters and CLIENT LIST's flags against redis-server."""

import time

from conftest import decode


def _extra(srv, n):
    return [srv.raw() for _ in range(n)]


def test_kill_filters_count_the_same_clients(both):
    fs, rs = _extra(both.firn_srv, 3), _extra(both.redis_srv, 3)
    for conns in (fs, rs):
        assert conns[0].cmd("SUBSCRIBE", "ch").startswith(b"*3")
    # Unknown type, bad id, bad SKIPME, unknown user, odd arguments: the same errors.
    both("CLIENT", "KILL", "TYPE", "bogus")
    both("CLIENT", "KILL", "ID", "0")
    both("CLIENT", "KILL", "ID", "abc")
    both("CLIENT", "KILL", "SKIPME", "maybe")
    both("CLIENT", "KILL", "USER", "nobody")
    both("CLIENT", "KILL", "TYPE", "normal", "ID")
    both("CLIENT", "KILL", "1.2.3.4:5")
    both("CLIENT", "LIST", "TYPE", "bogus")
    both("CLIENT", "KILL", "TYPE", "master")
    both("CLIENT", "KILL", "TYPE", "replica")
    both("CLIENT", "KILL", "TYPE", "pubsub")  # the subscriber
    time.sleep(0.1)
    both("CLIENT", "KILL", "TYPE", "pubsub")  # gone now
    both("CLIENT", "KILL", "TYPE", "normal", "USER", "default")  # the two idle ones, not me
    time.sleep(0.1)
    both("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
    for c in fs + rs:
        c.close()


def test_kill_by_id_and_addr(both):
    for srv, conn in ((both.firn_srv, both.f), (both.redis_srv, both.r)):
        other = srv.raw()
        other_id = decode(other.cmd("CLIENT", "ID"))
        line = decode(conn.cmd("CLIENT", "LIST", "ID", other_id))
        line = line.decode() if isinstance(line, bytes) else line
        addr = dict(f.split("=", 1) for f in line.split() if "=" in f)["addr"]
        assert conn.cmd("CLIENT", "KILL", "ADDR", addr, "ID", str(other_id + 1000)) == b":0\r\n"
        assert conn.cmd("CLIENT", "KILL", "ID", str(other_id)) == b":1\r\n"
        assert conn.cmd("CLIENT", "KILL", addr) == b"-ERR No such client\r\n"
        other.close()


def test_list_flags_for_tracking_and_pubsub(both):
    for srv in (both.firn_srv, both.redis_srv):
        t = srv.raw()
        t.cmd("CLIENT", "TRACKING", "on", "BCAST")
        info = decode(t.cmd("CLIENT", "INFO"))
        info = info.decode() if isinstance(info, bytes) else info
        fields = dict(f.split("=", 1) for f in info.split() if "=" in f)
        assert fields["flags"] == "tB", (srv.name, info)
        assert fields["redir"] == "0", (srv.name, info)
        t.cmd("RESET")
        info = decode(t.cmd("CLIENT", "INFO"))
        info = info.decode() if isinstance(info, bytes) else info
        assert " flags=N " in info, (srv.name, info)
        assert " redir=-1 " in info, (srv.name, info)
        s = srv.raw()
        s.cmd("SUBSCRIBE", "a", "b")
        s.send(b"*2\r\n$10\r\nPSUBSCRIBE\r\n$2\r\np*\r\n")
        s.read_reply()  # SUBSCRIBE's second confirmation
        s.read_reply()  # PSUBSCRIBE's
        line = decode(t.cmd("CLIENT", "LIST", "TYPE", "pubsub"))
        line = line.decode() if isinstance(line, bytes) else line
        assert " flags=P " in line and " sub=2 psub=1 " in line, (srv.name, line)
        t.close()
        s.close()
