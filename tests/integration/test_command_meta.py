"""Command metadata against redis-server 7.0.15: COMMAND INFO of every command both have, byte
for byte in RESP2 and RESP3; COMMAND GETKEYS / GETKEYSANDFLAGS following the key specs; COMMAND
DOCS argument trees; and Firn's own commands documented for redis-cli's hints.

Deliberate differences (docs/compatibility.md): a container (CLIENT, CONFIG, ...) lists only
the subcommands Firn has; key spec notes and every summary and complexity are Firn's words."""

import pytest

from conftest import FIRN_IS_REDIS, decode

# Commands Redis 7.0.15 does not have.
FIRN_ONLY = {"cl.throttle", "rl.bucket", "rl.window", "rl.peek", "rl.setstate", "client|setinfo"}
# Key specs that carry a note, which Firn words its own way.
WITH_NOTES = {"set", "getex", "eval", "eval_ro", "fcall", "fcall_ro", "sort", "sort_ro",
              "bitfield", "pfcount", "xadd"}

pytestmark = pytest.mark.skipif(FIRN_IS_REDIS, reason="compares Firn's metadata with Redis's")


def _names(conn):
    return [n.decode() for n in decode(conn.cmd("COMMAND", "LIST"))]


def _containers(conn):
    return {e[0].decode() for e in decode(conn.cmd("COMMAND")) if e[9]}


def _strip_notes(info):
    """COMMAND INFO entry with the key specs' notes dropped (decoded form)."""
    info = list(info)
    specs = []
    for spec in info[8]:
        if isinstance(spec, dict):  # RESP3
            specs.append({k: v for k, v in spec.items() if k != b"notes"})
            continue
        pairs = list(zip(spec[0::2], spec[1::2]))
        specs.append([x for k, v in pairs if k != b"notes" for x in (k, v)])
    info[8] = specs
    return info


def _hello3(conn):
    assert conn.cmd("HELLO", "3").startswith(b"%")


@pytest.mark.parametrize("resp", [2, 3])
def test_command_info_matches_redis_for_every_shared_command(both, resp):
    if resp == 3:
        _hello3(both.f)
        _hello3(both.r)
    names = _names(both.f)
    containers = _containers(both.f)
    assert len(names) > 100
    missing_in_redis = set()
    for name in names:
        rr = both.r.cmd("COMMAND", "INFO", name)
        fr = both.f.cmd("COMMAND", "INFO", name)
        if decode(rr) == [None]:
            missing_in_redis.add(name)
            continue
        if name in containers:
            # Redis's container lists subcommands Firn lacks; compare the container's own
            # fields, and each subcommand on its own (its own iteration of this loop).
            assert decode(fr)[0][:9] == decode(rr)[0][:9], name
        elif name in WITH_NOTES:
            f, r = decode(fr)[0], decode(rr)[0]
            assert any(b"notes" in spec for spec in f[8]), name
            assert _strip_notes(f) == _strip_notes(r), name
        else:
            assert fr == rr, "COMMAND INFO %s\n  firn : %r\n  redis: %r" % (name, fr, rr)
    assert missing_in_redis == FIRN_ONLY


def test_command_info_of_firn_commands(firn):
    c = firn.raw()
    info = decode(c.cmd("COMMAND", "INFO", "cl.throttle", "rl.peek", "rl.window"))
    throttle, peek, window = info
    assert throttle[:6] == [b"cl.throttle", -5, ["write", "denyoom", "fast"], 1, 1, 1]
    assert throttle[6] == ["@write", "@fast"]
    spec = throttle[8][0]
    assert spec == [b"flags", ["RW", "access", "update"],
                    b"begin_search", [b"type", b"index", b"spec", [b"index", 1]],
                    b"find_keys", [b"type", b"range", b"spec",
                                   [b"lastkey", 0, b"keystep", 1, b"limit", 0]]]
    assert peek[6] == ["@read", "@fast"]
    assert peek[8][0][1] == ["RO", "access"]
    assert window[1] == -4


LINES = [
    ("GET", "k"),
    ("SET", "k", "v"),
    ("SET", "k", "v", "GET", "EX", "10"),
    ("MSET", "k1", "v1", "k2", "v2", "k3", "v3"),
    ("MSETNX", "k1", "v1", "k2", "v2"),
    ("MGET", "a", "b", "c"),
    ("GETEX", "k", "PERSIST"),
    ("COPY", "src", "dst", "DB", "1", "REPLACE"),
    ("RENAME", "a", "b"),
    ("RENAMENX", "a", "b"),
    ("DEL", "a", "b", "c"),
    ("EXISTS", "a", "a"),
    ("TOUCH", "x"),
    ("OBJECT", "ENCODING", "k"),
    ("OBJECT", "FREQ", "k"),
    ("MEMORY", "USAGE", "k", "SAMPLES", "5"),
    ("EXPIRE", "k", "10", "NX"),
    ("MOVE", "k", "1"),
    ("SETRANGE", "k", "0", "v"),
    ("APPEND", "k", "v"),
    ("INCRBYFLOAT", "k", "1.5"),
    # Errors: unknown command or subcommand, no keys, wrong arity.
    ("NOSUCH", "k"),
    ("OBJECT", "NOSUCH", "k"),
    ("MEMORY",),
    ("PING", "a", "b"),
    ("KEYS", "*"),
    ("GET",),
    ("GET", "a", "b"),
    ("OBJECT", "ENCODING"),
    ("MSET", "k1", "v1", "k2"),
    ("CONFIG", "GET", "port"),
    # No keys where a command may take none: an empty list, not an error.
    ("EVAL", "return 1", "0"),
    ("FCALL", "f", "0"),
    ("EVAL", "return 1", "1", "k"),
]


@pytest.mark.parametrize("line", LINES, ids=lambda l: " ".join(l))
def test_command_getkeys_matches_redis(both, line):
    both("COMMAND", "GETKEYS", *line)


@pytest.mark.parametrize("line", LINES, ids=lambda l: " ".join(l))
def test_command_getkeysandflags_matches_redis(both, line):
    both("COMMAND", "GETKEYSANDFLAGS", *line)


def test_command_getkeys_of_firn_commands(firn):
    c = firn.raw()
    assert decode(c.cmd("COMMAND", "GETKEYS", "CL.THROTTLE", "user:1", "15", "30", "60", "1")) \
        == [b"user:1"]
    assert decode(c.cmd("COMMAND", "GETKEYS", "RL.BUCKET", "b", "10", "1000", "COST", "2")) \
        == [b"b"]
    assert decode(c.cmd("COMMAND", "GETKEYSANDFLAGS", "RL.PEEK", "p")) \
        == [[b"p", ["RO", "access"]]]


def _doc(conn, name):
    reply = decode(conn.cmd("COMMAND", "DOCS", name))
    assert len(reply) == 2 and reply[0] == name.encode(), reply
    return dict(zip(reply[1][0::2], reply[1][1::2]))


def _strip_since(args):
    """Argument trees without the per-argument "since" (Firn leaves it out)."""
    out = []
    for a in args:
        d = dict(zip(a[0::2], a[1::2]))
        d.pop(b"since", None)
        if b"arguments" in d:
            d[b"arguments"] = _strip_since(d[b"arguments"])
        out.append(d)
    return out


def test_command_docs_argument_trees_match_redis_and_summaries_are_firns(both):
    for name in _names(both.f):
        if name in FIRN_ONLY:
            continue
        f, r = _doc(both.f, name), _doc(both.r, name)
        assert f[b"since"] == r[b"since"] and f[b"group"] == r[b"group"], name
        assert _strip_since(f.get(b"arguments", [])) == _strip_since(r.get(b"arguments", [])), name
        for field in (b"doc_flags", b"deprecated_since", b"replaced_by"):
            assert f.get(field) == r.get(field), (name, field)
        # Our own words, not Redis's.
        assert f[b"summary"] and f[b"summary"] != r[b"summary"], name
        if b"complexity" in f and f[b"complexity"] not in (b"O(1)",):
            assert f[b"complexity"] != r.get(b"complexity"), name


def test_command_docs_of_firn_commands_give_redis_cli_hints(firn):
    c = firn.raw()
    throttle = _doc(c, "cl.throttle")
    assert throttle[b"group"] == b"ratelimit" and throttle[b"summary"]
    args = [dict(zip(a[0::2], a[1::2])) for a in throttle[b"arguments"]]
    assert [a[b"name"] for a in args] == [b"key", b"max_burst", b"count", b"period", b"quantity"]
    assert args[0][b"type"] == b"key" and args[0][b"key_spec_index"] == 0
    assert args[4][b"flags"] == ["optional"]
    window = _doc(c, "rl.window")
    args = [dict(zip(a[0::2], a[1::2])) for a in window[b"arguments"]]
    assert [(a[b"name"], a.get(b"token")) for a in args] == [
        (b"key", None), (b"limit", None), (b"window_ms", None), (b"cost", b"COST"),
        (b"approx", b"APPROX")]
    for name in ("rl.bucket", "rl.peek", "client|setinfo"):
        assert _doc(c, name)[b"arguments"], name
