"""MIGRATE against redis-server 7.0.15: Firn -> Redis, Redis -> Firn and Firn -> Firn for every
type with TTLs; COPY, REPLACE, KEYS, AUTH, AUTH2; and the replies of every failure (a busy
key, a wrong password, a dead port, a stalled target, bad arguments) compared with what
redis-server answers for the same MIGRATE.

Where two sources are compared, each migrates into its own database of the same target, so
the target's replies are the same for both.
"""
import os
import socket
import threading
import time

import pytest
import redis

from conftest import RawConn, decode
from test_persist import populate, servers, snapshot  # noqa: F401 (servers is a fixture)

HOST = "127.0.0.1"


def mig(src, dst, *args, key="", db=0, timeout=5000):
    return RawConn(port=src.port, timeout=10).cmd(
        "MIGRATE", HOST, dst.port, key, db, timeout, *args)


def close_ttls(got, want, slack_ms=3000):
    """Snapshots equal in type and value, expiries within slack (a TTL travels relative)."""
    assert set(got) == set(want)
    for k, (t, v, exp) in want.items():
        gt, gv, gexp = got[k]
        assert (gt, gv) == (t, v), k
        assert (exp == -1) == (gexp == -1), k
        if exp != -1:
            assert abs(gexp - exp) < slack_ms, k


@pytest.mark.parametrize("src_kind,dst_kind", [("firn", "redis"), ("redis", "firn"),
                                               ("firn", "firn")])
def test_migrate_moves_every_type_with_its_ttl(servers, src_kind, dst_kind):
    src, dst = servers(src_kind), servers(dst_kind)
    sc = src.client()
    populate(sc)
    want = snapshot(sc)
    keys = sorted(want)
    assert mig(src, dst, "KEYS", *keys) == b"+OK\r\n"
    assert sc.dbsize() == 0
    close_ttls(snapshot(dst.client()), want)
    # Back again into db 3, one key at a time, copies kept at the source.
    for k in keys:
        assert mig(dst, src, "COPY", key=k, db=3) == b"+OK\r\n"
    close_ttls(snapshot(redis.Redis(port=src.port, db=3)), want)
    assert dst.client().dbsize() == len(keys)


def test_migrate_of_big_values_crosses_many_64k_writes(servers):
    f, r = servers("firn"), servers("redis")
    fc = f.client()
    fc.set("big", os.urandom(3 << 20))
    fc.rpush("list", *["element:%d" % i for i in range(40000)])
    fc.hset("hash", mapping={"f%d" % i: "v" * 50 for i in range(20000)})
    want = snapshot(fc)
    assert mig(f, r, "KEYS", "big", "list", "hash", timeout=10000) == b"+OK\r\n"
    assert snapshot(r.client()) == want


@pytest.fixture
def pair(servers):
    """A Firn source, a Redis source and one Redis target."""
    return (servers("firn"), servers("redis"),
            servers("redis", name="target", opts=["--enable-debug-command", "yes"]))


def both_sources(pair, *args, key="", prepare=None, **kw):
    """The same MIGRATE from the Firn source (into db 1) and the Redis one (into db 2)."""
    f, r, t = pair
    out = []
    for src, db in ((f, 1), (r, 2)):
        if prepare is not None:
            prepare(src.client(), redis.Redis(port=t.port, db=db))
        out.append(mig(src, t, *args, key=key, db=db, **kw))
    assert out[0] == out[1], out
    return out[0]


def test_busy_key_copy_and_replace_reply_as_redis(pair):
    f, r, t = pair

    def prepare(src, target):
        src.set("k", "new", ex=100)
        target.set("k", "old")

    err = both_sources(pair, "COPY", key="k", prepare=prepare)
    assert err == b"-ERR Target instance replied with error: BUSYKEY Target key name already " \
                  b"exists.\r\n"
    assert both_sources(pair, "COPY", "REPLACE", key="k") == b"+OK\r\n"
    for src, db in ((f, 1), (r, 2)):
        assert src.client().get("k") == b"new"  # COPY kept it
        tc = redis.Redis(port=t.port, db=db)
        assert tc.get("k") == b"new" and 95 < tc.ttl("k") <= 100
    assert both_sources(pair, "REPLACE", key="k") == b"+OK\r\n"
    assert f.client().exists("k") == 0 and r.client().exists("k") == 0


def test_only_acknowledged_keys_are_deleted(pair):
    f, r, t = pair

    def prepare(src, target):
        for k in "abcdef":
            src.set(k, "v-" + k)
        target.set("c", "busy")
        target.set("e", "busy")

    reply = both_sources(pair, "KEYS", *"abcdef", prepare=prepare)
    assert b"BUSYKEY" in reply
    for src in (f, r):
        assert sorted(src.client().keys("*")) == [b"c", b"e"]


def test_auth_auth2_and_a_wrong_password_reply_as_redis(pair):
    f, r, t = pair
    tc = t.client()
    tc.execute_command("ACL", "SETUSER", "mover", "on", ">moverpass", "~*", "+@all")
    tc.config_set("requirepass", "foobar")

    def prepare(src, target):
        src.rpush("list", "a", "b", "c")

    assert both_sources(pair, "AUTH", "foobar", key="list", prepare=prepare) == b"+OK\r\n"
    assert both_sources(pair, "REPLACE", "AUTH2", "mover", "moverpass", key="list",
                        prepare=prepare) == b"+OK\r\n"
    wrong = both_sources(pair, "REPLACE", "AUTH", "nope", key="list", prepare=prepare)
    assert wrong.startswith(b"-ERR Target instance replied with error: WRONGPASS")
    assert f.client().lrange("list", 0, -1) == [b"a", b"b", b"c"]
    wrong2 = both_sources(pair, "AUTH2", "mover", "nope", key="list")
    assert wrong2 == wrong
    # Without AUTH, the cached connection is still the one authenticated above (as Redis).
    assert b"BUSYKEY" in both_sources(pair, key="list")
    tcd = redis.Redis(port=t.port, password="foobar", db=1)
    assert tcd.lrange("list", 0, -1) == [b"a", b"b", b"c"]


def test_slowlog_hides_migrate_passwords_as_redis(pair):
    f, r, t = pair
    seen = []
    for src in (f, r):
        c = src.client()
        c.config_set("slowlog-log-slower-than", 0)
        c.execute_command("SLOWLOG", "RESET")
        c.set("k", "v")
        mig(src, t, "AUTH2", "user", "secret", key="k")
        entry = [e for e in c.slowlog_get(10) if e["command"].startswith(b"MIGRATE")][0]
        seen.append(entry["command"])
    assert seen[0] == seen[1]
    assert b"secret" not in seen[0] and b"(redacted)" in seen[0]


def dead_port():
    s = socket.socket()
    s.bind((HOST, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_a_dead_port_is_an_ioerr_as_redis(pair):
    f, r, _ = pair
    port = dead_port()
    replies = []
    for src in (f, r):
        src.client().set("k", "v")
        replies.append(RawConn(port=src.port).cmd("MIGRATE", HOST, port, "k", 0, 500))
        assert src.client().get("k") == b"v"
    # Redis's blocking connect does not judge the outcome: the first write fails.
    assert replies[0] == replies[1] == b"-IOERR error or timeout writing to target instance\r\n"


def test_a_stalled_target_times_out_within_the_timeout_as_redis(pair):
    f, r, t = pair
    replies = []
    for src in (f, r):
        src.client().set("k", "v")
        sleeper = RawConn(port=t.port)
        sleeper.send(b"*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$3\r\n1.5\r\n")
        time.sleep(0.1)
        start = time.monotonic()
        replies.append(RawConn(port=src.port, timeout=10).cmd("MIGRATE", HOST, t.port, "k", 0,
                                                              500))
        assert time.monotonic() - start < 1.3
        assert src.client().get("k") == b"v", src.kind
        sleeper.read_reply(timeout=5)
    assert replies[0] == replies[1] == b"-IOERR error or timeout reading to target instance\r\n"


MIGRATE_ERRORS = [
    ("nokey", "0", "100"),
    ("", "0", "100", "KEYS", "nokey1", "nokey2"),
    ("k", "0", "100", "KEYS", "a"),
    ("k", "0", "100", "BADOPT"),
    ("k", "0", "100", "AUTH"),
    ("k", "0", "100", "AUTH2", "user"),
    ("k", "x", "100"),
    ("k", "0", "y"),
    ("k", "0", "100", "COPY", "REPLACE", "KEYS"),
]


@pytest.mark.parametrize("args", MIGRATE_ERRORS, ids=lambda a: " ".join(a) or '""')
def test_argument_errors_and_nokey_match_redis(both, args):
    both("MIGRATE", HOST, str(dead_port()), *args)
    both("MIGRATE", HOST, "6", *args)


def test_command_getkeys_of_migrate_matches_redis(both):
    both("COMMAND", "GETKEYS", "MIGRATE", HOST, "1", "k", "0", "10", "COPY")
    both("COMMAND", "GETKEYSANDFLAGS", "MIGRATE", HOST, "1", "", "0", "10", "AUTH", "p",
         "KEYS", "a", "b")
    both("COMMAND", "INFO", "MIGRATE")


def test_connections_are_cached_and_reopened_when_the_target_dropped_them(servers):
    f, t = servers("firn"), servers("redis")
    fc = f.client()
    assert fc.info("stats")["migrate_cached_sockets"] == 0
    fc.set("a", "1")
    assert mig(f, t, key="a") == b"+OK\r\n"
    assert fc.info("stats")["migrate_cached_sockets"] == 1
    clients_before = t.client().info("clients")["connected_clients"]
    fc.set("b", "2")
    assert mig(f, t, key="b") == b"+OK\r\n"
    assert t.client().info("clients")["connected_clients"] == clients_before  # reused
    # The target drops every other client: the next MIGRATE finds the cached connection
    # dead and retries on a new one.
    t.client().execute_command("CLIENT", "KILL", "TYPE", "normal")
    fc.set("c", "3")
    assert mig(f, t, key="c") == b"+OK\r\n"
    assert sorted(t.client().keys("*")) == [b"a", b"b", b"c"]


def test_cached_connections_close_after_ten_seconds_unused(servers):
    f, t = servers("firn"), servers("redis")
    fc = f.client()
    fc.set("a", "1")
    assert mig(f, t, key="a") == b"+OK\r\n"
    assert fc.info("stats")["migrate_cached_sockets"] == 1
    deadline = time.monotonic() + 14
    while fc.info("stats")["migrate_cached_sockets"] == 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert fc.info("stats")["migrate_cached_sockets"] == 0
    assert time.monotonic() > deadline - 14 + 9


def test_limiter_keys_move_between_firns_and_redis_refuses_them(servers):
    f1, f2, r = servers("firn"), servers("firn", name="firn2"), servers("redis")
    c1 = f1.client()
    c1.execute_command("RL.BUCKET", "rl:api", 10, 60000)
    state = c1.execute_command("RL.PEEK", "rl:api")
    reply = mig(f1, r, key="rl:api")
    assert reply == b"-ERR Target instance replied with error: ERR Bad data format\r\n"
    assert c1.exists("rl:api") == 1
    assert mig(f1, f2, key="rl:api") == b"+OK\r\n"
    assert c1.exists("rl:api") == 0
    assert f2.client().execute_command("RL.PEEK", "rl:api")[:2] == state[:2]


def test_a_migrated_key_stays_gone_after_an_aof_restart(servers):
    f = servers("firn", opts=["--appendonly", "yes"])
    t = servers("redis")
    fc = f.client()
    fc.set("moved", "1")
    fc.set("copied", "2")
    fc.set("stays", "3")
    assert mig(f, t, "KEYS", "moved", "nokey") == b"+OK\r\n"
    assert mig(f, t, "COPY", key="copied") == b"+OK\r\n"
    f.stop()
    f.start()
    assert sorted(f.client().keys("*")) == [b"copied", b"stays"]


def test_migrate_to_a_firn_target_over_many_keys_at_once(servers):
    f, g = servers("firn"), servers("firn", name="firn2")
    fc = f.client()
    keys = ["k%d" % i for i in range(2000)]
    fc.mset({k: k for k in keys})
    assert mig(f, g, "KEYS", *keys) == b"+OK\r\n"
    assert fc.dbsize() == 0 and g.client().dbsize() == 2000
    assert g.client().get("k1999") == b"k1999"


ACL_LINES = [
    ("MIGRATE", HOST, "1", "", "0", "100", "KEYS", "app:k"),
    ("MIGRATE", HOST, "1", "", "0", "100", "KEYS", "app:k", "other"),
    ("MIGRATE", HOST, "1", "other", "0", "100"),
    ("SORT", "app:l", "STORE", "other"),
    ("SORT", "app:l", "STORE", "app:out"),
    ("SORT", "other"),
]


@pytest.mark.parametrize("line", ACL_LINES, ids=lambda l: " ".join(l))
def test_key_permissions_follow_the_commands_own_key_finders_as_redis(both, line):
    """MIGRATE's "" before KEYS is no key; SORT's STORE key is one (a user limited to app:*
    may not store elsewhere)."""
    both("ACL", "SETUSER", "u", "on", ">p", "~app:*", "+@all")
    both("RPUSH", "app:l", "3", "1", "2")
    both("SET", "app:k", "v")
    both("AUTH", "u", "p")
    dead = str(dead_port())
    both(*[dead if a == "1" and line[0] == "MIGRATE" else a for a in line])
