"""Values kept out of line: strings grown in place by APPEND and SETRANGE, long sliding-window
logs edited in place. Each of these used to copy the whole value per command, so building a
20 MB string by 1 KB appends never finished; now it must, and match redis-server byte for
byte."""

import time

from conftest import decode


def _pipelined(conn, commands, batch=2000):
    """Sends commands in pipelined batches; returns every raw reply."""
    out = []
    for i in range(0, len(commands), batch):
        out += conn.pipeline(commands[i:i + batch])
    return out


def _chunk(i, size=1024):
    head = b"%08d:" % i
    return head + bytes((i + j) % 251 for j in range(size - len(head)))


def test_20000_pipelined_appends_finish_and_match_redis(both):
    commands = [("APPEND", "big", _chunk(i)) for i in range(20000)]
    firn = _pipelined(both.f, commands)
    redis = _pipelined(both.r, commands)
    assert firn == redis
    assert firn[-1] == b":%d\r\n" % (20000 * 1024)
    both("STRLEN", "big")
    both("GETRANGE", "big", 1024 * 12345, 1024 * 12345 + 20)
    both("OBJECT", "ENCODING", "big")
    fr, rr = both.both_do("GET", "big")
    assert len(fr) == len(rr) and fr == rr


def test_pipelined_setrange_growth_matches_redis(both):
    commands = [("SETRANGE", "s", 1000 * i + (i % 7), _chunk(i, 1000)) for i in range(5000)]
    assert _pipelined(both.f, commands) == _pipelined(both.r, commands)
    both("STRLEN", "s")
    both("OBJECT", "ENCODING", "s")
    fr, rr = both.both_do("GET", "s")
    assert fr == rr


def test_edited_string_through_key_commands(both):
    both.run(
        ("SET", "k", "abc", "EX", "1000"),
        ("APPEND", "k", "def"),
        ("SETRANGE", "k", "10", "x"),
        ("OBJECT", "ENCODING", "k"),
        ("TTL", "k"),
        ("PERSIST", "k"),
        ("RENAME", "k", "k2"),
        ("COPY", "k2", "k3"),
        ("APPEND", "k3", "more"),
        ("GET", "k2"),
        ("GET", "k3"),
        ("OBJECT", "ENCODING", "k3"),
        ("EXPIRE", "k3", "100"),
        ("TTL", "k3"),
        ("SET", "k3", "7"),
        ("OBJECT", "ENCODING", "k3"),
        ("GETDEL", "k2"),
        ("EXISTS", "k2"),
    )


def test_long_window_log_stays_correct(firn):
    """A log of hundreds of runs (spread over as many milliseconds), long enough to live out
    of line: a refused costly request changes nothing, a peek, TYPE and MEMORY USAGE work."""
    c = firn.raw()
    for _ in range(300):
        replies = c.pipeline([("RL.WINDOW", "w", 100000, 3600000) for _ in range(10)])
        assert all(r.startswith(b"*5\r\n:0\r\n") for r in replies)
        time.sleep(0.002)
    r = decode(c.cmd("RL.WINDOW", "w", 100000, 3600000, "COST", 99999))
    assert r[:3] == [1, 100000, 97000]
    assert 0 < r[3] <= 3600000
    assert c.cmd("TYPE", "w") == b"+ratelimit\r\n"
    assert int(c.cmd("MEMORY", "USAGE", "w")[1:]) >= 300
    assert decode(c.cmd("RL.PEEK", "w"))[:4] == [0, 100000, 97000, -1]
    assert c.cmd("DEL", "w") == b":1\r\n"
    c.close()
