"""The command path: MULTI admission (no-multi refusals, EXECABORT), CLIENT REPLY's dropping
of replies, LATENCY and rdb_changes_since_last_save, byte for byte against redis-server."""

import time

import pytest

from conftest import decode, encode, parse_info


def _session(conn, commands, wait_s=0.3):
    """Sends commands in one write; returns every byte that came back within wait_s."""
    conn.send(b"".join(encode(*c) for c in commands))
    out = b""
    while True:
        chunk = conn.pending(wait_s)
        if not chunk:
            return out
        out += chunk


def both_session(both, commands):
    fr, rr = _session(both.f, commands), _session(both.r, commands)
    assert fr == rr, "firn %r\nredis %r" % (fr, rr)
    return rr


def test_shutdown_inside_multi_is_refused_and_exec_aborts(both, firn):
    both("MULTI")
    both("SET", "k", "v")
    both("SHUTDOWN")
    both("SHUTDOWN", "NOSAVE")
    both("EXEC")
    both("GET", "k")
    assert firn.alive()


def test_save_inside_multi_is_refused(both):
    both("MULTI")
    both("SAVE")
    both("EXEC")


def test_nested_multi_does_not_abort(both):
    both("MULTI")
    both("MULTI")
    both("SET", "a", "1")
    both("EXEC")


@pytest.mark.parametrize("bad", [("CONFIG", "nosuch"), ("SET", "a"), ("NOSUCHCMD",)])
def test_refusals_inside_multi_abort_exec(both, bad):
    both("MULTI")
    both(*bad)
    both("EXEC")


def test_an_exec_refused_at_admission_discards_the_transaction(both, start_server):
    # Redis's execCommandAbort: EXECABORT with the refusal, and the client is out of MULTI.
    both("MULTI")
    both("SET", "a", "1")
    both("EXEC", "extra")
    both("EXEC")
    both("GET", "a")
    replies = {}
    for kind in ("firn", "redis"):
        c = start_server("--maxmemory", "1", kind=kind, name="%s-oom-exec" % kind).raw()
        replies[kind] = [c.cmd("MULTI"), c.cmd("SET", "a", "1"), c.cmd("EXEC"), c.cmd("EXEC")]
    assert replies["firn"] == replies["redis"]


def test_reset_and_discard_inside_multi(both):
    both("MULTI")
    both("SET", "a", "1")
    both("RESET")
    both("EXEC")
    both("MULTI")
    both("DISCARD")
    both("DISCARD")


def test_monitor_queued_in_multi(both):
    both("MULTI")
    both("MONITOR")
    both("EXEC")
    both("PING")


def test_no_multi_in_command_info(both):
    both.norm("COMMAND", "INFO", "shutdown", "save", "multi", "exec", "quit", "reset",
              normalize=lambda r: [(e[0], "no_multi" in e[2]) for e in r])


def test_client_reply_skip_then_on_answers(both):
    out = both_session(both, [("CLIENT", "REPLY", "SKIP"), ("CLIENT", "REPLY", "ON"), ("PING",)])
    assert out == b"+OK\r\n+PONG\r\n"


@pytest.mark.parametrize("commands", [
    [("CLIENT", "REPLY", "SKIP"), ("PING",), ("CLIENT", "REPLY", "ON"), ("PING",)],
    [("CLIENT", "REPLY", "SKIP"), ("PING",), ("PING",)],
    [("CLIENT", "REPLY", "SKIP"), ("CLIENT", "REPLY", "SKIP"), ("PING",), ("PING",)],
    [("CLIENT", "REPLY", "OFF"), ("PING",), ("CLIENT", "REPLY", "SKIP"), ("PING",), ("PING",),
     ("CLIENT", "REPLY", "ON"), ("PING",)],
    [("CLIENT", "REPLY", "SKIP"), ("CLIENT", "REPLY", "OFF"), ("PING",), ("CLIENT", "REPLY", "ON")],
])
def test_client_reply_sequences(both, commands):
    both_session(both, commands)


def test_latency_monitor_threshold(both):
    both("CONFIG", "GET", "latency-monitor-threshold")
    both("CONFIG", "SET", "latency-monitor-threshold", "200")
    both("CONFIG", "GET", "latency-monitor-threshold")
    both("LATENCY", "RESET")
    both("LATENCY", "LATEST")
    both("LATENCY", "HISTORY", "command")
    both("LATENCY", "GRAPH", "command")
    both("LATENCY", "DOCTOR")
    both("LATENCY", "HELP")
    both("LATENCY", "HELP", "xxx")
    both("CONFIG", "SET", "latency-monitor-threshold", "0")
    both("LATENCY", "DOCTOR")


def test_latency_of_a_slow_expire_cycle_is_recorded(firn):
    """The active expiry cycle is a LATENCY event of its own ("expire-cycle"), as in Redis:
    expiring a set of 300,000 members takes longer than a 1 ms threshold."""
    r = firn.client()
    r.config_set("latency-monitor-threshold", 1)
    try:
        r.execute_command("LATENCY", "RESET")
        for start in range(0, 300000, 10000):
            r.sadd("bigset", *range(start, start + 10000))
        r.pexpire("bigset", 20)
        deadline = time.monotonic() + 5
        while r.dbsize() != 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert r.dbsize() == 0
        latest = r.execute_command("LATENCY", "LATEST")
        assert any(e[0] in (b"expire-cycle", "expire-cycle") for e in latest), latest
    finally:
        r.config_set("latency-monitor-threshold", 0)
        r.close()


def test_rdb_changes_since_last_save(both):
    both("FLUSHALL")
    both("SAVE")

    def changes(conn):
        return parse_info(decode(conn.cmd("INFO", "persistence")))[None][
            "rdb_changes_since_last_save"]

    for c in (("SET", "a", "1"), ("SET", "b", "2"), ("GET", "a"), ("DEL", "a", "b", "c")):
        both(*c)
    assert changes(both.f) == changes(both.r) == "4"
    both("SAVE")
    assert changes(both.f) == changes(both.r) == "0"


@pytest.mark.parametrize("command", [("CONFIG", "GET", "port"), ("CLIENT", "ID"),
                                     ("OBJECT", "ENCODING", "nokey")])
def test_client_list_names_another_clients_subcommand(firn, redis_ref, command):
    # Subcommands are resolved at admission, so CLIENT LIST shows cmd=config|get for every
    # client, as Redis does, not just for the caller.
    seen = []
    for srv in (firn, redis_ref):
        other, me = srv.raw(), srv.raw()
        other.cmd(*command)
        listing = decode(me.cmd("CLIENT", "LIST")).decode()
        line = [l for l in listing.splitlines() if "cmd=client|list" not in l][0]
        seen.append([f for f in line.split() if f.startswith("cmd=")][0])
        other.close()
        me.close()
    assert seen[0] == seen[1] == "cmd=" + "|".join(command[:2]).lower()
