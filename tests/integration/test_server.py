"""Server commands: INFO, COMMAND, CONFIG, TIME, SHUTDOWN, MONITOR."""

import re
import socket
import signal
import time

import pytest
import redis

from conftest import FIRN_BINARY, FIRN_IS_REDIS, RawConn, decode, encode, pairs_to_dict, parse_info

# The commands issue 2 delivers; COMMAND INFO and COMMAND LIST must know every one.
CORE_COMMANDS = [
    "get", "set", "setnx", "setex", "psetex", "getset", "getdel", "getex", "mget", "mset",
    "msetnx", "incr", "decr", "incrby", "decrby", "incrbyfloat", "append", "strlen", "getrange",
    "setrange", "del", "unlink", "exists", "touch", "type", "expire", "pexpire", "expireat",
    "pexpireat", "ttl", "pttl", "expiretime", "pexpiretime", "persist", "rename", "renamenx",
    "copy", "keys", "scan", "randomkey", "dbsize", "flushdb", "flushall", "select", "move",
    "swapdb", "object", "ping", "echo", "quit", "reset", "hello", "client", "auth", "info",
    "command", "config", "time", "shutdown", "monitor",
]

INFO_FIELDS = {
    "server": ["redis_version", "redis_mode", "os", "arch_bits", "process_id", "tcp_port",
               "uptime_in_seconds", "uptime_in_days"],
    "clients": ["connected_clients", "blocked_clients", "maxclients"],
    "memory": ["used_memory", "used_memory_human", "used_memory_rss", "used_memory_peak",
               "used_memory_peak_human", "maxmemory", "maxmemory_human", "maxmemory_policy",
               "mem_fragmentation_ratio", "mem_allocator"],
    "stats": ["total_connections_received", "total_commands_processed",
              "instantaneous_ops_per_sec", "rejected_connections", "expired_keys",
              "evicted_keys", "keyspace_hits", "keyspace_misses", "total_net_input_bytes",
              "total_net_output_bytes"],
}


def info(conn, *sections):
    return parse_info(decode(conn.cmd("INFO", *sections)))


def test_info_sections_and_field_names(firn):
    c = firn.raw()
    c.cmd("SET", "k", "v", "EX", "100")
    c.cmd("SET", "k2", "v")
    c.cmd("GET", "k")
    full = info(c)
    for section, fields in INFO_FIELDS.items():
        assert section in full, "INFO lacks the # %s section" % section.capitalize()
        missing = [f for f in fields if f not in full[section]]
        assert not missing, "INFO %s lacks %s" % (section, missing)
        only = info(c, section)
        assert set(k for k in only if k) == {section}, "INFO %s returned sections %s" % (
            section, [k for k in only if k])
    assert re.fullmatch(r"\d+\.\d+\.\d+", full["server"]["redis_version"])
    assert int(full["server"]["redis_version"].split(".")[0]) >= 7
    if not FIRN_IS_REDIS:
        assert "firn_version" in full["server"], "INFO server lacks firn_version"
    assert full["server"]["tcp_port"] == str(firn.port)
    assert full["server"]["process_id"] == str(firn.proc.pid)
    assert full["server"]["redis_mode"] == "standalone"
    for f in ("used_memory", "used_memory_rss", "maxmemory"):
        assert full["memory"][f].isdigit(), (f, full["memory"][f])
    assert full["keyspace"]["db0"].startswith("keys=2,expires=1,avg_ttl="), full["keyspace"]
    raw = decode(c.cmd("INFO"))
    assert raw.startswith(b"# Server\r\n"), raw[:40]
    for header in (b"# Server\r\n", b"# Clients\r\n", b"# Memory\r\n", b"# Stats\r\n", b"# Keyspace\r\n"):
        assert header in raw, header


def test_info_keyspace_and_commandstats_format(firn):
    c = firn.raw()
    c.cmd("SET", "a", "1")
    c.cmd("SELECT", "2")
    c.cmd("SET", "b", "1", "PX", "100000")
    c.cmd("SET", "c", "1")
    ks = info(c, "keyspace")["keyspace"]
    assert set(ks) == {"db0", "db2"}, ks
    assert re.fullmatch(r"keys=1,expires=0,avg_ttl=0", ks["db0"]), ks
    assert re.fullmatch(r"keys=2,expires=1,avg_ttl=\d+", ks["db2"]), ks
    c.cmd("CONFIG", "RESETSTAT")
    for _ in range(3):
        c.cmd("GET", "a")
    c.cmd("GET")
    stats = info(c, "commandstats")["commandstats"]
    m = re.fullmatch(r"calls=(\d+),usec=(\d+),usec_per_call=(\d+\.\d\d),rejected_calls=(\d+),"
                     r"failed_calls=(\d+)", stats.get("cmdstat_get", ""))
    assert m, stats
    assert m.group(1) == "3" and m.group(4) == "1" and m.group(5) == "0", stats["cmdstat_get"]


def test_info_all_everything_default_and_multiple_sections(firn):
    c = firn.raw()
    c.cmd("GET", "x")
    for args in [(), ("default",), ("all",), ("everything",)]:
        sections = info(c, *args)
        for s in ("server", "clients", "memory", "stats", "keyspace"):
            assert s in sections, (args, s)
    assert "commandstats" in info(c, "all") and "commandstats" in info(c, "everything")
    assert "commandstats" not in info(c)
    both_sections = info(c, "server", "stats")
    assert {k for k in both_sections if k} == {"server", "stats"}
    assert info(c, "nosuchsection") == {None: {}} or set(k for k in info(c, "nosuchsection") if k) == set()
    assert decode(c.cmd("INFO", "SERVER")).startswith(b"# Server")


def test_info_clients_counts_connections(firn):
    c = firn.raw()
    before = int(info(c, "clients")["clients"]["connected_clients"])
    others = [firn.raw() for _ in range(5)]
    for o in others:
        o.cmd("PING")
    assert int(info(c, "clients")["clients"]["connected_clients"]) == before + 5
    for o in others:
        o.close()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        if int(info(c, "clients")["clients"]["connected_clients"]) == before:
            break
        time.sleep(0.05)
    assert int(info(c, "clients")["clients"]["connected_clients"]) == before


def _stats(conn):
    s = info(conn, "stats")["stats"]
    return int(s["keyspace_hits"]), int(s["keyspace_misses"]), int(s["total_commands_processed"])


# (setup, command): hits and misses the command adds must equal Redis's.
HIT_MISS_CASES = [
    ("GET", "present"), ("GET", "absent"), ("MGET", "present", "absent", "present", "absent2"),
    ("EXISTS", "present"), ("EXISTS", "absent"), ("TTL", "present"), ("TTL", "absent"),
    ("PTTL", "present"), ("TYPE", "present"), ("TYPE", "absent"), ("STRLEN", "present"),
    ("STRLEN", "absent"), ("GETRANGE", "present", "0", "1"), ("GETRANGE", "absent", "0", "1"),
    ("SET", "present", "v"), ("SET", "present", "v", "GET"), ("SET", "absent", "v", "NX"),
    ("SETNX", "present", "v"), ("INCR", "counter"), ("INCRBY", "counter", "5"),
    ("APPEND", "present", "x"), ("GETSET", "present", "v"), ("GETDEL", "present"),
    ("GETDEL", "absent"), ("GETEX", "present"), ("GETEX", "absent"), ("DEL", "present"),
    ("TOUCH", "present", "absent"), ("EXPIRE", "present", "100"), ("EXPIRE", "absent", "100"),
    ("PERSIST", "present"), ("RENAME", "present", "other"), ("COPY", "present", "other"),
    ("OBJECT", "ENCODING", "present"), ("OBJECT", "ENCODING", "absent"),
    ("SETRANGE", "present", "1", "x"), ("EXPIRETIME", "present"), ("RANDOMKEY",),
    ("KEYS", "*"), ("SCAN", "0"), ("DBSIZE",),
]


@pytest.mark.parametrize("command", HIT_MISS_CASES, ids=lambda c: " ".join(c))
def test_keyspace_hits_misses_counted_as_redis_does(both, command):
    deltas = []
    for conn in (both.f, both.r):
        conn.cmd("SET", "present", "value")
        conn.cmd("SET", "counter", "1")
        h0, m0, t0 = _stats(conn)
        conn.cmd(*command)
        h1, m1, t1 = _stats(conn)
        deltas.append((h1 - h0, m1 - m0, t1 - t0))
    assert deltas[0] == deltas[1], "%s: firn (hits, misses, commands) +%s, redis +%s" % (
        " ".join(command), deltas[0], deltas[1])


def test_hits_and_misses_move_with_gets(firn):
    c = firn.raw()
    c.cmd("SET", "k", "v")
    h0, m0, _ = _stats(c)
    c.cmd("GET", "k")
    h1, m1, _ = _stats(c)
    assert (h1, m1) == (h0 + 1, m0)
    c.cmd("GET", "nope")
    h2, m2, _ = _stats(c)
    assert (h2, m2) == (h1, m1 + 1)
    c.cmd("CONFIG", "RESETSTAT")
    h3, m3, _ = _stats(c)
    assert (h3, m3) == (0, 0)


def test_commandstats_counts_like_redis(both):
    for conn in (both.f, both.r):
        conn.cmd("CONFIG", "RESETSTAT")
        conn.cmd("SET", "s", "abc")
        conn.cmd("INCR", "s")          # failed call
        conn.cmd("INCR", "n")
        conn.cmd("INCR")               # rejected call (arity)
        conn.cmd("GET", "s")
        conn.cmd("GET", "s")

    def pick(i):
        cs = parse_info(i)["commandstats"]
        out = {}
        for name in ("cmdstat_set", "cmdstat_incr", "cmdstat_get"):
            fields = dict(kv.split("=") for kv in cs.get(name, "").split(",") if "=" in kv)
            out[name] = {k: fields.get(k) for k in ("calls", "rejected_calls", "failed_calls")}
        return out

    both.norm("INFO", "commandstats", normalize=pick)


def test_total_commands_processed(both):
    deltas = []
    for conn in (both.f, both.r):
        _, _, t0 = _stats(conn)
        conn.pipeline([("PING",)] * 10 + [("NOSUCH",), ("GET",)])
        _, _, t1 = _stats(conn)
        deltas.append(t1 - t0)
    assert deltas[0] == deltas[1], deltas


def test_command_count_and_list(firn):
    c = firn.raw()
    count = decode(c.cmd("COMMAND", "COUNT"))
    assert isinstance(count, int) and count >= len(CORE_COMMANDS)
    everything = decode(c.cmd("COMMAND"))
    assert len(everything) == count
    names = decode(c.cmd("COMMAND", "LIST"))
    assert isinstance(names, list) and all(isinstance(n, bytes) for n in names)
    missing = [n for n in CORE_COMMANDS if n.encode() not in names]
    assert not missing, "COMMAND LIST lacks %s" % missing
    top = {e[0] for e in everything}
    missing = [n for n in CORE_COMMANDS if n.encode() not in top]
    assert not missing, "COMMAND lacks %s" % missing
    assert len(set(names)) == len(names)


def test_command_list_filterby(both):
    # Patterns that only match commands in issue 2's scope (get* would also match GETBIT).
    both.norm("COMMAND", "LIST", "FILTERBY", "PATTERN", "incr*", normalize=sorted)
    both.norm("COMMAND", "LIST", "FILTERBY", "PATTERN", "*expire*", normalize=sorted)
    both.norm("COMMAND", "LIST", "FILTERBY", "PATTERN", "nosuch*", normalize=sorted)
    both("COMMAND", "LIST", "FILTERBY", "FOO", "x")
    both("COMMAND", "COUNT", "x")


def _info_entry(entry):
    return {"name": entry[0], "arity": entry[1], "first": entry[3], "last": entry[4],
            "step": entry[5]}


@pytest.mark.parametrize("name", CORE_COMMANDS)
def test_command_info_arity_and_key_positions(both, name):
    both.norm("COMMAND", "INFO", name, normalize=lambda r: [_info_entry(e) for e in r])


@pytest.mark.parametrize("name", ["get", "set", "incr", "del", "mget", "mset"])
def test_command_info_flags(both, name):
    both.norm("COMMAND", "INFO", name, normalize=lambda r: [sorted(e[2]) for e in r])


def test_command_info_get_field_by_field(both):
    both.norm("COMMAND", "INFO", "get", normalize=lambda r: [e[:6] for e in r])
    both.norm("COMMAND", "INFO", "get", "nosuchcommand", "SET",
              normalize=lambda r: [e if e is None else _info_entry(e) for e in r])
    raw = both.f.cmd("COMMAND", "INFO", "get")
    entry = decode(raw)[0]
    assert len(entry) == 10, "COMMAND INFO entry has %d fields, Redis 7 has 10" % len(entry)


def test_command_info_subcommands(both):
    def subs(r):
        return [sorted((s[0], s[1]) for s in e[9]) for e in r]
    for name in ("client", "config", "command", "object"):
        fr = decode(both.f.cmd("COMMAND", "INFO", name))
        rr = decode(both.r.cmd("COMMAND", "INFO", name))
        core = {b"client|id", b"client|setname", b"client|getname", b"client|list",
                b"client|info", b"client|kill", b"client|no-evict", b"client|reply",
                b"config|get", b"config|set", b"config|resetstat", b"command|count",
                b"command|info", b"command|docs", b"command|list", b"object|encoding"}
        r_subs = {s[0]: s[1] for s in rr[0][9] if s[0] in core}
        f_subs = {s[0]: s[1] for s in fr[0][9]}
        for sub, arity in r_subs.items():
            assert f_subs.get(sub) == arity, "%s: firn arity %r, redis %r" % (sub, f_subs.get(sub), arity)


def _docs(reply):
    d = pairs_to_dict(reply)
    out = {}
    for name, doc in d.items():
        doc = pairs_to_dict(doc)
        out[name] = {
            "summary": bool(doc.get("summary")),
            "group": doc.get("group"),
            "since": doc.get("since"),
            "complexity": bool(doc.get("complexity")),
            "arguments": [_arg(a) for a in doc.get("arguments", [])],
        }
    return out


def _arg(a):
    a = pairs_to_dict(a)
    return {"name": a.get("name"), "type": a.get("type"), "token": a.get("token"),
            "arguments": [_arg(x) for x in a.get("arguments", [])]}


@pytest.mark.parametrize("name", ["get", "set", "expire", "getex", "scan", "client", "mset", "incrbyfloat"])
def test_command_docs(both, name):
    both.norm("COMMAND", "DOCS", name, normalize=_docs)


def test_command_docs_resp3_is_a_map(both):
    both.f.cmd("HELLO", "3")
    both.r.cmd("HELLO", "3")
    fr, rr = both.both_do("COMMAND", "DOCS", "get")
    assert fr.startswith(b"%1\r\n") and rr.startswith(b"%1\r\n"), fr[:20]
    both.norm("COMMAND", "DOCS", "get", normalize=_docs)


@pytest.fixture
def restore_config(firn, redis_ref):
    yield
    for srv in (firn, redis_ref):
        c = srv.raw()
        c.cmd("CONFIG", "SET", "maxmemory", "0")
        c.cmd("CONFIG", "SET", "maxmemory-policy", "noeviction")
        c.cmd("CONFIG", "SET", "timeout", "0")
        c.close()


def test_config_get_set(both, restore_config):
    for value in ["1mb", "1MB", "100kb", "1gb", "1024", "2m", "3k", "1G", "0"]:
        both("CONFIG", "SET", "maxmemory", value)
        both("CONFIG", "GET", "maxmemory")
    both.run(
        ("CONFIG", "SET", "maxmemory", "abc"),
        ("CONFIG", "SET", "maxmemory", "1.5mb"),
        ("CONFIG", "SET", "maxmemory", "-1"),
        ("CONFIG", "SET", "maxmemory", ""),
        ("CONFIG", "GET", "maxmemory"),
        ("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"),
        ("CONFIG", "GET", "maxmemory-policy"),
        ("CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LFU"),
        ("CONFIG", "GET", "maxmemory-policy"),
        ("CONFIG", "SET", "maxmemory-policy", "foo"),
        ("CONFIG", "SET", "maxmemory-policy", "noeviction"),
        ("CONFIG", "SET", "no-such-parameter", "1"),
        ("CONFIG", "GET", "no-such-parameter"),
        ("CONFIG", "SET", "databases", "3"),
        ("CONFIG", "SET", "timeout", "abc"),
        ("CONFIG", "SET", "timeout", "-1"),
        ("CONFIG", "SET", "timeout", "30"),
        ("CONFIG", "GET", "timeout"),
        ("CONFIG", "SET", "timeout", "0"),
        ("CONFIG", "SET", "maxmemory"),
        ("CONFIG", "GET"),
        ("CONFIG", "FOO"),
        ("CONFIG",),
        ("CONFIG", "RESETSTAT", "x"),
        ("CONFIG", "RESETSTAT"),
        ("CONFIG", "SET", "MAXMEMORY", "2mb"),
        ("CONFIG", "GET", "MAXMEMORY"),
    )


def test_config_set_several_at_once(both, restore_config):
    both.run(
        ("CONFIG", "SET", "maxmemory", "1gb", "maxmemory-policy", "allkeys-lru"),
        ("CONFIG", "SET", "maxmemory", "2gb", "maxmemory-policy", "nonsense"),
        ("CONFIG", "SET", "maxmemory", "3gb", "maxmemory"),
    )
    both.norm("CONFIG", "GET", "maxmemory", "maxmemory-policy", normalize=pairs_to_dict)


def test_config_get_defaults_match_redis(both):
    for name in ["maxmemory", "maxmemory-policy", "timeout", "maxclients", "databases",
                 "proto-max-bulk-len", "client-query-buffer-limit", "requirepass", "bind"]:
        both("CONFIG", "GET", name)


def test_config_get_does_not_list_rename_command(both, firn):
    # A directive in Redis, not a setting: neither server lists it, by name or by glob.
    both("CONFIG", "GET", "rename-command")
    both("CONFIG", "GET", "rename-*")
    names = pairs_to_dict(decode(firn.raw().cmd("CONFIG", "GET", "*")))
    assert b"rename-command" not in names and "rename-command" not in names


def test_config_get_glob(both, restore_config):
    def names_subset(d):
        return pairs_to_dict(d).get("maxmemory"), pairs_to_dict(d).get("maxmemory-policy")
    both.norm("CONFIG", "GET", "maxmemory*", normalize=names_subset)
    both.norm("CONFIG", "GET", "maxmem?ry", normalize=pairs_to_dict)


def test_config_set_maxmemory_shows_in_info(firn, restore_config):
    c = firn.raw()
    assert c.cmd("CONFIG", "SET", "maxmemory", "64mb") == b"+OK\r\n"
    assert info(c, "memory")["memory"]["maxmemory"] == str(64 << 20)


def test_time(firn):
    c = firn.raw()
    reply = decode(c.cmd("TIME"))
    assert isinstance(reply, list) and len(reply) == 2 and all(isinstance(x, bytes) for x in reply)
    secs, usecs = int(reply[0]), int(reply[1])
    assert abs(secs + usecs / 1e6 - time.time()) < 5
    assert 0 <= usecs < 1000000
    later = decode(c.cmd("TIME"))
    assert (int(later[0]), int(later[1])) >= (secs, usecs)
    assert c.cmd("TIME", "x") == b"-ERR wrong number of arguments for 'time' command\r\n"


def test_shutdown_exits_zero(start_server):
    srv = start_server(name="firn-shutdown")
    c = srv.raw()
    c.cmd("SET", "k", "v")
    c.send(encode("SHUTDOWN"))
    assert c.is_closed(10)
    srv.proc.wait(10)
    assert srv.proc.returncode == 0, srv.log()


def test_shutdown_nosave_and_bad_args(start_server):
    srv = start_server(name="firn-shutdown2")
    ref = start_server(kind="redis", name="redis-shutdown2")
    for args in [("SHUTDOWN", "FOO"), ("SHUTDOWN", "NOSAVE", "SAVE")]:
        assert srv.raw().cmd(*args) == ref.raw().cmd(*args), args
    assert srv.alive()
    c = srv.raw()
    c.send(encode("SHUTDOWN", "NOSAVE"))
    assert c.is_closed(10)
    srv.proc.wait(10)
    assert srv.proc.returncode == 0, srv.log()


def _monitor_line(raw):
    line = decode(raw)
    assert isinstance(line, str), raw
    m = re.fullmatch(r"(\d+\.\d{6}) \[(\d+) (127\.0\.0\.1:\d+|unix:\S*)\] (.*)", line)
    assert m, line
    return m.group(2), m.group(4)


def test_monitor(both, firn, redis_ref):
    both("MONITOR")
    commands = [("SET", "k", "v x"), ("GET", "k"), ("SET", "bin", b"\x00\x01\"\\\n\xff"),
                ("INCRBYFLOAT", "f", "1.5"), ("SELECT", "3"), ("DEL", "k")]
    for srv, mon in ((firn, both.f), (redis_ref, both.r)):
        other = srv.raw()
        for cmd in commands:
            other.cmd(*cmd)
        mon.lines = [_monitor_line(mon.read_reply()) for _ in commands]
        other.close()
    assert both.f.lines == both.r.lines
    assert both.f.lines[0] == ("0", '"SET" "k" "v x"')
    assert both.f.lines[-1][0] == "3"


def test_monitor_shows_client_address(firn):
    mon = firn.raw()
    assert mon.cmd("MONITOR") == b"+OK\r\n"
    other = firn.raw()
    other.cmd("PING")
    line = decode(mon.read_reply())
    assert "[0 127.0.0.1:%d]" % other.sock.getsockname()[1] in line, line
    assert line.endswith('"PING"'), line


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_graceful_stop_flushes_replies_and_exits_zero(start_server, sig):
    srv = start_server(name="firn-graceful")
    busy = srv.raw(timeout=10)
    idle = srv.raw()
    assert idle.cmd("PING") == b"+PONG\r\n"
    # 200 pipelined commands in one write; once the first reply is here the server has read
    # them all, and the rest of the replies must still arrive although the signal comes now.
    busy.send(b"".join(encode("INCR", "counter") for _ in range(200)))
    assert busy.read_reply() == b":1\r\n"
    srv.proc.send_signal(sig)
    replies = [busy.read_reply() for _ in range(199)]
    assert replies == [b":%d\r\n" % i for i in range(2, 201)]
    assert busy.is_closed(10) and idle.is_closed(10)
    srv.proc.wait(10)
    assert srv.proc.returncode == 0, "exit code %s; output:\n%s" % (srv.proc.returncode, srv.log())


def test_stops_accepting_after_sigterm(start_server):
    srv = start_server(name="firn-stop-accept")
    port = srv.port
    assert srv.stop() == 0, srv.log()
    with pytest.raises(OSError):
        RawConn(port=port, timeout=2).cmd("PING")


@pytest.mark.parametrize("kind", ["firn", "redis"])
def test_config_set_port_to_a_busy_port_answers_an_error_and_changes_nothing(start_server, kind):
    srv = start_server("--maxmemory", "0", kind=kind)
    busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    busy_port = busy.getsockname()[1]
    try:
        c = srv.raw()
        assert c.cmd("CONFIG", "SET", "maxmemory", "10mb", "port", busy_port) == (
            b"-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on "
            b"this port. Check server logs.\r\n")
        assert decode(c.cmd("CONFIG", "GET", "port"))[1] == str(srv.port).encode()
        assert decode(c.cmd("CONFIG", "GET", "maxmemory"))[1] == b"0"
        # Still listening where it was.
        assert srv.raw().cmd("PING") == b"+PONG\r\n"
    finally:
        busy.close()


# Settings only the config file and the command line may change (Redis's immutable ones).
STARTUP_ONLY = {"unixsocket", "unixsocketperm", "tcp-backlog", "databases", "dir", "dbfilename",
                "appendfilename", "appenddirname", "pidfile", "logfile", "aclfile"}


def test_every_setting_config_get_lists_can_be_set_back_to_its_value(start_server):
    # Redis's "CONFIG sanity": a client restoring the values it read must succeed.
    srv = start_server()
    c = srv.client()
    settings = c.config_get("*")
    assert "save" in settings and "appendonly" in settings
    assert "rename-command" not in settings  # a directive, as in Redis
    for name, v in settings.items():
        if name in STARTUP_ONLY:
            continue
        assert c.config_set(name, v) is True, name
        assert c.config_get(name) == {name: v}, name
    for name in STARTUP_ONLY:
        with pytest.raises(redis.ResponseError, match="can't set (immutable|protected) config"):
            c.config_set(name, settings[name])


def test_config_set_save_and_appendonly_accept_only_their_values(both):
    assert both("CONFIG", "SET", "save", "") == b"+OK\r\n"
    assert both("CONFIG", "SET", "appendonly", "no") == b"+OK\r\n"
    # Turned on at runtime as Redis does (a rewrite writes the base; tests/integration/test_aof.py).
    assert both("CONFIG", "SET", "appendonly", "yes") == b"+OK\r\n"
    assert both("CONFIG", "GET", "appendonly") == b"*2\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n"
    assert both("CONFIG", "SET", "appendonly", "maybe")[:1] == b"-"
    assert both("CONFIG", "SET", "appendonly", "no") == b"+OK\r\n"


def test_rename_command_matches_redis(start_server):
    seen = {}
    for kind in ("firn", "redis"):
        removed = '""' if kind == "firn" else ""
        srv = start_server("--rename-command", "flushall", removed, "--rename-command", "CONFIG",
                           "cfg-3f9b", kind=kind, name="%s-rename" % kind) if kind == "redis" \
            else start_server("--rename-command", "flushall", removed, "CONFIG", "cfg-3f9b",
                              kind=kind, name="%s-rename" % kind)
        c = srv.raw()
        seen[kind] = [c.cmd("FLUSHALL"), c.cmd("CONFIG", "GET", "maxmemory"),
                      c.cmd("CFG-3F9B", "GET", "maxmemory"), c.cmd("EVAL", "return redis.pcall('flushall')", "0"),
                      c.cmd("FLUSHDB")]
    assert seen["firn"] == seen["redis"]


def test_rename_command_of_an_unknown_command_stops_the_start(tmp_path):
    import subprocess
    r = subprocess.run([FIRN_BINARY, "--port", "0", "--metrics-port", "0", "--rename-command",
                        "nosuchcommand", "x"], capture_output=True, text=True, timeout=10)
    assert r.returncode != 0
    assert "Unknown command 'nosuchcommand' in rename-command" in r.stdout + r.stderr
