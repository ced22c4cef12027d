"""Native rate limiters over real sockets: CL.THROTTLE, RL.BUCKET, RL.WINDOW, RL.PEEK.

Atomicity under 50 concurrent connections, isolation across 10,000 keys, keys that expire
by themselves once full, argument errors that leave the key alone, and limiter keys under
the generic key commands and MULTI/EXEC. Redis has none of these commands, so the tests
run against Firn only. Windows and periods are long (a minute to a day) wherever the wall
clock must not let anything refill while a test runs.
"""

import threading
import time

import pytest
from conftest import FIRN_IS_REDIS, decode, parse_info

pytestmark = pytest.mark.skipif(FIRN_IS_REDIS, reason="rate limiters are Firn's own commands")

WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"


def five(raw):
    reply = decode(raw)
    assert isinstance(reply, list) and len(reply) == 5, raw
    return reply


def hammer(srv, command, threads=50, per_thread=40):
    """Sends `command` threads * per_thread times from `threads` connections at once; returns
    every reply."""
    replies, errors = [], []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def worker():
        c = srv.raw(timeout=30)
        try:
            start.wait()
            mine = [five(c.cmd(*command)) for _ in range(per_thread)]
            with lock:
                replies.extend(mine)
        except Exception as e:  # surfaced below, in the test's thread
            errors.append(e)
        finally:
            c.close()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert not errors, errors[:3]
    assert len(replies) == threads * per_thread
    return replies


@pytest.mark.parametrize("command,allowed", [
    (("CL.THROTTLE", "hammer", 499, 1, 86400), 500),
    (("RL.BUCKET", "hammer", 500, 86_400_000), 500),
    (("RL.WINDOW", "hammer", 700, 60_000), 700),
    (("RL.WINDOW", "hammer", 700, 60_000, "APPROX"), 700),
])
def test_concurrent_connections_get_exactly_what_the_algorithm_allows(firn, command, allowed):
    replies = hammer(firn, command)
    passed = [r for r in replies if r[0] == 0]
    refused = [r for r in replies if r[0] == 1]
    assert len(passed) == allowed
    assert len(refused) == len(replies) - allowed
    # Nothing lost or counted twice: each allowed request saw a different remaining count,
    # from allowed - 1 down to 0, as if they had come one after the other.
    assert sorted(r[2] for r in passed) == list(range(allowed))
    assert all(r[2] == 0 for r in refused)
    assert all(r[3] > 0 for r in refused) and all(r[3] == -1 for r in passed)


def test_per_key_isolation_over_ten_thousand_keys(firn):
    c = firn.client()
    keys = 10_000
    limits = [1 + i % 5 for i in range(keys)]
    replies = {}
    for round_ in range(6):
        pipe = c.pipeline(transaction=False)
        for i in range(keys):
            pipe.execute_command("RL.WINDOW", "iso:%d" % i, limits[i], 600_000)
        replies[round_] = pipe.execute()
    for i in range(keys):
        seen = [replies[r][i] for r in range(6)]
        assert [s[0] for s in seen] == [0] * limits[i] + [1] * (6 - limits[i]), (i, seen)
        assert [s[2] for s in seen[:limits[i]]] == list(range(limits[i] - 1, -1, -1))
    assert c.dbsize() == keys
    # Buckets on other keys are not disturbed by all that traffic.
    pipe = c.pipeline(transaction=False)
    for i in range(0, keys, 7):
        pipe.execute_command("RL.BUCKET", "iso-b:%d" % i, 2, 600_000)
        pipe.execute_command("RL.BUCKET", "iso-b:%d" % i, 2, 600_000)
    for a, b in zip(*[iter(pipe.execute())] * 2):
        assert (a[0], a[2], b[0], b[2]) == (0, 1, 0, 0)


def test_keys_expire_by_themselves_when_full_again(firn):
    c = firn.client()
    pipe = c.pipeline(transaction=False)
    for i in range(200):
        pipe.execute_command("RL.BUCKET", "exp:b:%d" % i, 1, 400)
        pipe.execute_command("RL.WINDOW", "exp:w:%d" % i, 5, 400)
        pipe.execute_command("RL.WINDOW", "exp:a:%d" % i, 5, 200, "APPROX")
        pipe.execute_command("CL.THROTTLE", "exp:c:%d" % i, 0, 1, 1)
    pipe.execute()
    assert c.dbsize() == 800
    assert 0 < c.pttl("exp:b:0") <= 400  # full again when its one token is back
    assert 0 < c.pttl("exp:w:0") <= 400  # empty when its hit leaves the window
    assert 0 < c.pttl("exp:a:0") <= 400  # the estimate is 0 two windows on
    assert 0 < c.pttl("exp:c:0") <= 1000  # the TAT
    expired_before = c.info("stats")["expired_keys"]
    time.sleep(2.5)  # no reads: the active expiry cycle must find them
    assert c.dbsize() == 0
    assert c.info("stats")["expired_keys"] - expired_before == 800
    # And a limiter that is refused keeps its key only until it is full.
    c.execute_command("RL.BUCKET", "exp:full", 1, 200)
    assert c.execute_command("RL.BUCKET", "exp:full", 1, 200)[0] == 1
    time.sleep(0.3)
    assert c.exists("exp:full") == 0


def bad_argument_cases():
    cases = []
    for args in [("0", "1000"), ("-1", "1000"), ("1", "0"), ("1", "-5"), ("x", "1000"),
                 ("1", "1.5"), ("99999999999999999999", "1000"), ("1", "99999999999999999999"),
                 ("1", "1099511627777"), ("5", "1000", "COST", "0"), ("5", "1000", "COST", "-2"),
                 ("5", "1000", "COST", "6"), ("5", "1000", "COST", "one"),
                 ("5", "1000", "COST"), ("5", "1000", "NOPE")]:
        cases.append(("RL.WINDOW",) + args)
        cases.append(("RL.BUCKET",) + args)
    cases += [("RL.WINDOW", "5", "1000", "APPROX", "COST", "6"),
              ("RL.WINDOW", "2000000", "1000"),
              ("RL.WINDOW", "5000000000000000000", "1000", "APPROX"),
              ("RL.BUCKET", "5", "1000", "BURST", "0"),
              ("RL.BUCKET", "5", "1000", "BURST", "-1"),
              ("RL.BUCKET", "5", "1000", "BURST", "2", "COST", "3"),
              ("RL.BUCKET", "1", "1099511627776", "BURST", "9000000")]
    return cases


@pytest.mark.parametrize("command", bad_argument_cases(), ids=lambda c: " ".join(c))
def test_bad_arguments_answer_a_clear_error_and_leave_the_key(firn, command):
    c = firn.raw()
    name, args = command[0], command[1:]
    kind = ("APPROX",) if "APPROX" in args else ()
    first = c.cmd(name, "bad", 5, 600_000, *kind)
    assert five(first)[0] == 0
    peek, pttl = five(c.cmd("RL.PEEK", "bad")), decode(c.cmd("PTTL", "bad"))
    before = parse_info(decode(c.cmd("INFO", "ratelimit")))[None]
    reply = c.cmd(name, "bad", *args)
    assert reply.startswith(b"-ERR "), reply
    assert len(reply) > len(b"-ERR \r\n") + 10  # says what is wrong
    # Unchanged: the same counts, and times that only moved on with the clock.
    after = five(c.cmd("RL.PEEK", "bad"))
    assert after[:4] == peek[:4]
    assert 0 <= peek[4] - after[4] < 1000
    assert 0 <= pttl - decode(c.cmd("PTTL", "bad")) < 1000
    assert parse_info(decode(c.cmd("INFO", "ratelimit")))[None] == before  # not a decision


@pytest.mark.parametrize("args,error", [
    (("abc", "10", "60"), b"-Cell error: Couldn't parse as integer: abc\r\n"),
    (("5", "1.5", "60"), b"-Cell error: Couldn't parse as integer: 1.5\r\n"),
    (("5", "10", "60", "x"), b"-Cell error: Couldn't parse as integer: x\r\n"),
    (("5", "10", "99999999999999999999"),
     b"-Cell error: Couldn't parse as integer: 99999999999999999999\r\n"),
    (("5", "0", "60"), b"-Cell error: Zero rates are not supported\r\n"),
    (("5", "10", "0"), b"-Cell error: Zero rates are not supported\r\n"),
    (("-1", "10", "60"), b"-ERR value is not an integer or out of range\r\n"),
    (("5", "-10", "60"), b"-ERR value is not an integer or out of range\r\n"),
    (("5", "10", "60", "-1"), b"-ERR value is not an integer or out of range\r\n"),
    (("5", "10", "9223372036854775807"), b"-ERR value is not an integer or out of range\r\n"),
    (("5", "10"), b"-ERR wrong number of arguments for 'cl.throttle' command\r\n"),
    (("5", "10", "60", "1", "1"), b"-ERR wrong number of arguments for 'cl.throttle' command\r\n"),
])
def test_cl_throttle_errors_are_redis_cells_and_leave_the_key(firn, args, error):
    c = firn.raw()
    assert five(c.cmd("CL.THROTTLE", "cell", 5, 10, 60))[0] == 0
    value, pttl = c.cmd("GET", "cell"), decode(c.cmd("PTTL", "cell"))
    assert c.cmd("CL.THROTTLE", "cell", *args) == error
    assert c.cmd("GET", "cell") == value  # the same TAT
    assert 0 <= pttl - decode(c.cmd("PTTL", "cell")) < 1000


def test_cl_throttle_readme_example_over_the_wire(firn):
    c = firn.client()
    assert c.execute_command("CL.THROTTLE", "user123", 15, 30, 60) == [0, 16, 15, -1, 2]
    assert c.execute_command("CL.THROTTLE", "user123", 15, 30, 60, 1) == [0, 16, 14, -1, 4]
    assert c.execute_command("CL.THROTTLE", "user123", 15, 30, 60, 0) == [0, 16, 14, -1, 4]
    assert c.type("user123") == b"string"
    tat = int(c.get("user123"))
    assert abs(tat / 1e6 - time.time() * 1000 - 4000) < 2000


def test_generic_key_commands_work_on_limiter_keys(firn):
    c = firn.client()
    c.execute_command("RL.BUCKET", "gk:bucket", 10, 600_000, "COST", 3)
    c.execute_command("RL.WINDOW", "gk:window", 10, 600_000)
    c.execute_command("RL.WINDOW", "gk:approx", 10, 600_000, "APPROX")
    c.execute_command("CL.THROTTLE", "gk:cell", 9, 10, 600)
    c.set("gk:plain", "v")
    assert c.type("gk:bucket") == b"ratelimit"
    assert c.type("gk:window") == b"ratelimit"
    assert c.type("gk:approx") == b"ratelimit"
    assert c.type("gk:cell") == b"string"
    assert c.exists("gk:bucket", "gk:window", "gk:approx", "gk:cell", "nope") == 4
    assert 0 < c.ttl("gk:bucket") <= 180
    assert 0 < c.ttl("gk:window") <= 600
    found = set()
    cursor = 0
    while True:
        cursor, batch = c.scan(cursor, match="gk:*", count=100, _type="ratelimit")
        found.update(batch)
        if cursor == 0:
            break
    assert found == {b"gk:bucket", b"gk:window", b"gk:approx"}
    assert isinstance(c.object("encoding", "gk:bucket"), (bytes, str))

    # RENAME carries the state and its expiry.
    peek = c.execute_command("RL.PEEK", "gk:bucket")
    ttl = c.pttl("gk:bucket")
    assert c.rename("gk:bucket", "gk:moved")
    assert c.exists("gk:bucket") == 0
    moved = c.execute_command("RL.PEEK", "gk:moved")
    assert moved[:4] == peek[:4] and 0 <= peek[4] - moved[4] < 1000
    assert abs(c.pttl("gk:moved") - ttl) < 1000
    assert c.execute_command("RL.BUCKET", "gk:moved", 10, 600_000)[2] == 6

    # DEL resets the limiter.
    assert c.delete("gk:moved") == 1
    assert c.execute_command("RL.PEEK", "gk:moved") is None
    assert c.execute_command("RL.BUCKET", "gk:moved", 10, 600_000)[2] == 9

    # Other types refuse limiter commands; strings commands refuse limiter keys.
    r = firn.raw()
    assert r.cmd("RL.BUCKET", "gk:plain", 10, 1000) == WRONGTYPE
    assert r.cmd("RL.WINDOW", "gk:plain", 10, 1000) == WRONGTYPE
    assert r.cmd("RL.PEEK", "gk:plain") == WRONGTYPE
    assert r.cmd("RL.PEEK", "gk:cell") == WRONGTYPE
    assert r.cmd("CL.THROTTLE", "gk:window", 9, 10, 600) == WRONGTYPE
    assert r.cmd("RL.BUCKET", "gk:window", 10, 1000) == WRONGTYPE
    assert r.cmd("RL.WINDOW", "gk:approx", 10, 1000) == WRONGTYPE
    assert r.cmd("RL.WINDOW", "gk:window", 10, 1000, "APPROX") == WRONGTYPE
    assert r.cmd("GET", "gk:window") == WRONGTYPE
    assert r.cmd("INCR", "gk:window") == WRONGTYPE
    assert r.cmd("GET", "gk:plain") == b"$1\r\nv\r\n"


def test_multi_exec_runs_limiter_commands_atomically(firn):
    c = firn.client()
    pipe = c.pipeline(transaction=True)
    for _ in range(3):
        pipe.execute_command("RL.WINDOW", "tx", 2, 600_000)
    pipe.execute_command("RL.PEEK", "tx")
    pipe.execute_command("CL.THROTTLE", "tx-cell", 0, 1, 600)
    pipe.execute_command("CL.THROTTLE", "tx-cell", 0, 1, 600)
    res = pipe.execute()
    assert [r[0] for r in res[:3]] == [0, 0, 1]
    assert res[3][:3] == [1, 2, 0]
    assert res[4][0] == 0 and res[5][0] == 1


def test_resp3_replies_are_the_same_array(firn):
    c = firn.raw()
    c.cmd("HELLO", "3")
    assert c.cmd("RL.WINDOW", "r3", 5, 600_000) == b"*5\r\n:0\r\n:5\r\n:4\r\n:-1\r\n:600000\r\n"
    assert c.cmd("RL.PEEK", "r3-missing") == b"_\r\n"


def test_info_counts_decisions_and_not_peeks(firn):
    c = firn.client()
    before = c.info("ratelimit")
    c.execute_command("RL.WINDOW", "cnt", 1, 600_000)
    c.execute_command("RL.WINDOW", "cnt", 1, 600_000)
    c.execute_command("RL.PEEK", "cnt")
    c.execute_command("CL.THROTTLE", "cnt-cell", 1, 1, 600, 0)
    after = c.info("ratelimit")
    assert after["ratelimit_allowed"] - before["ratelimit_allowed"] == 1
    assert after["ratelimit_limited"] - before["ratelimit_limited"] == 1
