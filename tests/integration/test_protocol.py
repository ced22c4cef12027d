"""The wire protocol: pipelining, partial reads, inline commands, and redis-cli as a client."""

import os
import subprocess
import time

import pytest

from conftest import decode, encode


def test_pipeline_1000_commands_in_one_write(both):
    commands = []
    for i in range(250):
        commands += [("SET", "k%d" % i, "v%d" % i), ("GET", "k%d" % i), ("INCR", "n"),
                     ("GET", "missing%d" % i)]
    data = b"".join(encode(*c) for c in commands)
    replies = both.raw(data, replies=len(commands))
    for i in range(250):
        assert replies[4 * i:4 * i + 4] == [b"+OK\r\n", b"$%d\r\nv%d\r\n" % (len(str(i)) + 1, i),
                                            b":%d\r\n" % (i + 1), b"$-1\r\n"]


def test_pipeline_with_errors_in_the_middle(both):
    commands = [("SET", "a", "1"), ("NOSUCH", "x"), ("INCR", "a"), ("GET",), ("SET", "s", "x"),
                ("INCR", "s"), ("GET", "a"), ("SET", "a", "1", "EX", "0"), ("GET", "a")]
    both.raw(b"".join(encode(*c) for c in commands), replies=len(commands))


def test_large_pipeline_bigger_than_socket_buffers(firn):
    c = firn.raw(timeout=30)
    n = 20000
    value = "x" * 100
    c.send(b"".join(encode("SET", "key:%d" % i, value) for i in range(n)))
    for i in range(n):
        assert c.read_reply() == b"+OK\r\n", i
    c.send(b"".join(encode("GET", "key:%d" % i) for i in range(n)))
    expect = b"$100\r\n" + value.encode() + b"\r\n"
    for i in range(n):
        assert c.read_reply() == expect, i
    assert decode(c.cmd("DBSIZE")) == n


def test_command_split_across_many_writes(both):
    data = encode("SET", "split", "hello world") + encode("GET", "split")
    for conn in (both.f, both.r):
        for i in range(len(data)):
            conn.send(data[i:i + 1])
            time.sleep(0.002)
    both.raw(b"", replies=2)


def test_reply_split_points(both):
    # Split a pipeline at every offset into two writes.
    data = encode("SET", "a", "x" * 20) + encode("GET", "a") + encode("PING")
    for cut in range(1, len(data)):
        for conn in (both.f, both.r):
            conn.send(data[:cut])
        time.sleep(0.001)
        both.raw(data[cut:], replies=3)


def test_large_values(both):
    big = os.urandom(4 << 20)
    both("SET", "big", big)
    both("STRLEN", "big")
    both("GETRANGE", "big", "1000000", "1000010")
    both("APPEND", "big", big[:100000])
    raw = both("GET", "big")
    assert decode(raw) == big + big[:100000]


def test_empty_and_binary_arguments(both):
    both.run(
        ("SET", "", ""),
        ("GET", ""),
        ("SET", "\r\n", "\r\n"),
        ("GET", "\r\n"),
        ("SET", "k", "$5\r\nhello\r\n*1\r\n"),
        ("GET", "k"),
    )


@pytest.mark.parametrize("data,replies", [
    (b"PING\r\n", 1),
    (b"PING\n", 1),
    (b"ping hello\r\n", 1),
    (b"SET a b\r\nGET a\r\n", 2),
    (b'SET k "a b"\r\nGET k\r\n', 2),
    (b"SET k 'single quoted'\r\nGET k\r\n", 2),
    (b'SET k "esc\\x41\\n\\t\\"q\\""\r\nGET k\r\n', 2),
    (b"SET k 'it\\'s'\r\nGET k\r\n", 2),
    (b'SET k ""\r\nSTRLEN k\r\n', 2),
    (b"  SET   spaced    out  \r\nGET spaced\r\n", 2),
    (b"\r\n\r\nPING\r\n", 1),
    (b"\n\nPING\n", 1),
    (b"SET a 1\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\nGET a\r\n", 3),
    (b"INCR counter\r\nINCR counter\r\nINCR counter\r\n", 3),
    (b"GET\r\n", 1),
    (b"NOSUCHCOMMAND a b\r\n", 1),
    (b"EXISTS a b c\r\n", 1),
    (b"ECHO \"\\xff\\x00\"\r\n", 1),
    (b"set k v ex 100\r\nttl k\r\n", 2),
])
def test_inline_commands(both, data, replies):
    both.raw(data, replies=replies)


def test_inline_command_split_across_writes(both):
    for conn in (both.f, both.r):
        conn.send(b"SET k ")
        time.sleep(0.02)
        conn.send(b"\"a b\"")
        time.sleep(0.02)
    both.raw(b"\r\nGET k\r\n", replies=2)


def cli(srv, *args, input=None, three=False):
    argv = ["redis-cli", "-h", "127.0.0.1", "-p", str(srv.port)] + (["-3"] if three else []) + list(args)
    p = subprocess.run(argv, input=input, capture_output=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def test_redis_cli_basic(firn):
    assert cli(firn, "set", "k", "v") == (0, b"OK\n", b"")
    assert cli(firn, "get", "k") == (0, b"v\n", b"")
    assert cli(firn, "--raw", "get", "k") == (0, b"v\n", b"")
    assert cli(firn, "--no-raw", "get", "k") == (0, b'"v"\n', b"")
    assert cli(firn, "ping") == (0, b"PONG\n", b"")


CLI_SCRIPT = [
    ("set", "k", "v"), ("get", "k"), ("get", "missing"), ("incr", "n"), ("incrbyfloat", "f", "1.5"),
    ("mset", "a", "1", "b", "2"), ("mget", "a", "missing", "b"), ("exists", "a", "b"),
    ("set", "sp", "with space"), ("get", "sp"), ("set", "nl", "line1\nline2"), ("get", "nl"),
    ("ttl", "k"), ("type", "k"), ("incr", "k"), ("nosuch", "cmd"), ("get",),
    ("config", "get", "maxmemory"), ("echo", "\x01\x02"), ("object", "encoding", "n"),
    ("keys", "missing*"), ("dbsize",), ("set", "k", "v", "nx"),
]


@pytest.mark.parametrize("mode", [[], ["--raw"], ["--no-raw"], ["-3"], ["-3", "--no-raw"]],
                         ids=["default", "raw", "no-raw", "resp3", "resp3-no-raw"])
def test_redis_cli_output_matches_redis(firn, redis_ref, mode):
    three = "-3" in mode
    flags = [m for m in mode if m != "-3"]
    for cmd in CLI_SCRIPT:
        f = cli(firn, *flags, *cmd, three=three)
        r = cli(redis_ref, *flags, *cmd, three=three)
        assert f == r, "redis-cli %s %s\n  firn : %r\n  redis: %r" % (" ".join(mode), " ".join(cmd), f, r)


def test_redis_cli_stdin_argument_binary(firn):
    blob = bytes(range(256)) * 10
    code, out, err = cli(firn, "-x", "set", "blob", input=blob)
    assert (code, out) == (0, b"OK\n"), err
    c = firn.raw()
    assert decode(c.cmd("GET", "blob")) == blob


def test_redis_cli_pipe_mass_insertion(firn, redis_ref):
    lines = b"".join(encode("SET", "mass:%d" % i, "value %d" % i) for i in range(5000))
    lines += b"".join(encode("INCR", "mass-counter") for _ in range(1000))
    lines += encode("INCR", "mass:1")
    for srv in (firn, redis_ref):
        code, out, err = cli(srv, "--pipe", input=lines)
        assert code == 1 or code == 0
        assert b"errors: 1, replies: 6001" in out, (srv.name, out, err)
        c = srv.raw()
        assert decode(c.cmd("DBSIZE")) == 5001
        assert decode(c.cmd("GET", "mass-counter")) == b"1000"


def test_redis_cli_scan(firn):
    c = firn.raw()
    c.cmd("MSET", *[x for i in range(500) for x in ("user:%d" % i, "v")])
    c.cmd("SET", "other", "v")
    code, out, _ = cli(firn, "--scan", "--pattern", "user:*")
    assert code == 0
    assert sorted(out.split()) == sorted(b"user:%d" % i for i in range(500))


def test_redis_cli_resp3_hello(firn, redis_ref):
    f = cli(firn, "hello", three=True)
    r = cli(redis_ref, "hello", three=True)
    assert f[0] == 0
    keys = lambda out: [l.split(b" ")[0] for l in out.split(b"\n") if l]
    assert keys(f[1]) == keys(r[1]), (f, r)
    assert b"proto 3\n" in f[1]


def test_redis_cli_eval_of_multiple_commands_via_stdin(firn, redis_ref):
    script = b"set a 1\nincr a\nget a\nget missing\nnosuch\n"
    outs = []
    for srv in (firn, redis_ref):
        p = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(srv.port)], input=script,
                           capture_output=True, timeout=30)
        outs.append((p.returncode, p.stdout, p.stderr))
    assert outs[0] == outs[1], outs
