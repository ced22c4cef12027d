"""Busy scripts: a script past busy-reply-threshold (lua-time-limit) keeps running while other
clients get -BUSY; SCRIPT KILL / FUNCTION KILL stop it unless it wrote; SHUTDOWN NOSAVE stops
the server anyway. Each scenario runs on Firn and on redis-server, over two real connections,
and the replies are compared byte for byte."""
import socket
import time

import pytest

from conftest import RawConn, encode  # noqa: F401  (the fixtures come from conftest)

RUNAWAY = "while true do end"
RUNAWAY_PCALL = ("local f = function() while 1 do redis.call('ping') end end "
                 "while 1 do pcall(f) end")
LIB = ("#!lua name=busylib\n"
       "redis.register_function('spin', function() while true do end end)\n"
       "redis.register_function{function_name='spinwrite', callback=function(k) "
       "redis.call('set', k[1], 'v') while true do end end}")


def _servers(start_server, *opts):
    return {kind: start_server("--busy-reply-threshold", "50", *opts, kind=kind,
                               name="%s-busy" % kind)
            for kind in ("firn", "redis")}


def _wait_busy(srv):
    """Opens a connection and waits until PING is refused with BUSY; returns the connection."""
    c = srv.raw()
    deadline = time.monotonic() + 5
    while True:
        reply = c.cmd("PING")
        if reply.startswith(b"-BUSY"):
            return c
        assert reply == b"+PONG\r\n", reply
        assert time.monotonic() < deadline, "the script never became busy"
        time.sleep(0.02)


def _run(srv, script_call, during):
    """Starts script_call on one connection (followed by a pipelined PING), runs during(c) on
    another once the script is busy, and returns (during's replies, the script's replies)."""
    runner = srv.raw(timeout=10)
    runner.send(encode(*script_call) + encode("PING"))
    other = _wait_busy(srv)
    seen = during(other)
    script_reply = runner.read_reply()
    after = runner.read_reply()
    return seen, [script_reply, after, other.cmd("PING")]


def _compare(start_server, script_call, during, setup=()):
    results = {}
    for kind, srv in _servers(start_server).items():
        c = srv.raw()
        for cmd in setup:
            c.cmd(*cmd)
        results[kind] = _run(srv, script_call, during)
    assert results["firn"] == results["redis"]
    return results["firn"]


def test_no_script_running_is_notbusy(both):
    both("SCRIPT", "KILL")
    both("FUNCTION", "KILL")
    both("CONFIG", "GET", "busy-reply-threshold")
    both("CONFIG", "GET", "lua-time-limit")


def test_busy_eval_refuses_others_and_script_kill_stops_it(start_server):
    def during(c):
        return [c.cmd("GET", "x"), c.cmd("FUNCTION", "KILL"), c.cmd("SHUTDOWN"),
                c.cmd("SCRIPT", "KILL")]

    seen, after = _compare(start_server, ("EVAL", RUNAWAY, "0"), during)
    assert seen[0].startswith(b"-BUSY Redis is busy running a script. You can only call "
                              b"SCRIPT KILL"), seen
    assert seen[-1] == b"+OK\r\n"
    assert b"Script killed by user" in after[0] and after[1:] == [b"+PONG\r\n"] * 2


def test_script_kill_stops_a_script_that_catches_errors(start_server):
    seen, after = _compare(start_server, ("EVAL", RUNAWAY_PCALL, "0"),
                           lambda c: [c.cmd("SCRIPT", "KILL")])
    assert seen == [b"+OK\r\n"] and b"killed by user" in after[0]


def test_busy_function_and_function_kill(start_server):
    def during(c):
        return [c.cmd("PING"), c.cmd("SCRIPT", "KILL"), c.cmd("FUNCTION", "STATS")[:40],
                c.cmd("FUNCTION", "KILL")]

    seen, after = _compare(start_server, ("FCALL", "spin", "0"), during,
                           setup=[("FUNCTION", "LOAD", "REPLACE", LIB)])
    assert seen[0].startswith(b"-BUSY Redis is busy running a script. You can only call "
                              b"FUNCTION KILL"), seen
    assert seen[-1] == b"+OK\r\n"


def test_allow_busy_commands_are_served_and_a_refusal_dooms_multi(start_server):
    def during(c):
        replies = [c.cmd("MULTI"), c.cmd("PING"), c.cmd("EXEC"), c.cmd("WATCH", "x"),
                   c.cmd("UNWATCH"), c.cmd("MULTI"), c.cmd("DISCARD")]
        replies.append(c.cmd("SCRIPT", "KILL"))
        return replies

    seen, _ = _compare(start_server, ("EVAL", RUNAWAY, "0"), during)
    assert seen[0] == b"+OK\r\n" and seen[1].startswith(b"-BUSY")


def test_new_connections_during_a_busy_script_get_busy(start_server):
    def during(c):
        fresh = RawConn(port=c.port_for_test)
        replies = [fresh.cmd("SET", "k", "v"), fresh.cmd("SCRIPT", "KILL")]
        fresh.close()
        return replies

    results = {}
    for kind, srv in _servers(start_server).items():
        def during_srv(c, srv=srv):
            c.port_for_test = srv.port
            return during(c)
        results[kind] = _run(srv, ("EVAL", RUNAWAY, "0"), during_srv)
    assert results["firn"] == results["redis"]


def test_a_script_that_wrote_is_unkillable_until_shutdown_nosave(start_server):
    results = {}
    for kind, srv in _servers(start_server).items():
        runner = srv.raw(timeout=10)
        runner.send(encode("EVAL", "redis.call('set', KEYS[1], 'v') while true do end", "1", "x"))
        c = _wait_busy(srv)
        replies = [c.cmd("SCRIPT", "KILL"), c.cmd("FUNCTION", "KILL"), c.cmd("PING"),
                   c.cmd("SHUTDOWN")]
        c.send(encode("SHUTDOWN", "NOSAVE"))
        deadline = time.monotonic() + 5
        refused = False
        while time.monotonic() < deadline and not refused:
            try:
                socket.create_connection(("127.0.0.1", srv.port), timeout=1).close()
                time.sleep(0.02)
            except (ConnectionRefusedError, ConnectionResetError):
                # Reset: the listener closed while this connection was in its backlog.
                refused = True
        assert refused, "%s still accepts connections after SHUTDOWN NOSAVE" % kind
        srv.proc.wait(timeout=5)
        results[kind] = replies
    assert results["firn"] == results["redis"]
    assert results["firn"][0].startswith(b"-UNKILLABLE Sorry the script already executed")


def test_a_function_that_wrote_is_unkillable(start_server):
    results = {}
    for kind, srv in _servers(start_server).items():
        srv.raw().cmd("FUNCTION", "LOAD", "REPLACE", LIB)
        runner = srv.raw(timeout=10)
        runner.send(encode("FCALL", "spinwrite", "1", "x"))
        c = _wait_busy(srv)
        results[kind] = [c.cmd("FUNCTION", "KILL"), c.cmd("SCRIPT", "KILL"), c.cmd("GET", "x")]
        c.send(encode("SHUTDOWN", "NOSAVE"))
        srv.proc.wait(timeout=5)
    assert results["firn"] == results["redis"]


def test_a_script_under_the_threshold_blocks_without_busy(start_server):
    # A script that ends before busy-reply-threshold is simply waited for.
    results = {}
    for kind, srv in _servers(start_server).items():
        srv.raw().cmd("CONFIG", "SET", "busy-reply-threshold", "5000")
        runner = srv.raw(timeout=10)
        runner.send(encode("EVAL", "local t = redis.call('time') local i = 0 "
                           "while i < 3000000 do i = i + 1 end return i", "0"))
        other = srv.raw(timeout=10)
        results[kind] = [other.cmd("PING"), runner.read_reply()]
    assert results["firn"] == results["redis"]
