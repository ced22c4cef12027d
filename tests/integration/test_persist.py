"""Snapshots and DUMP/RESTORE in Redis's RDB format, against redis-server 7.0.15.

Data moves both ways: a dump.rdb written by redis-server loads into Firn and one written by
Firn loads into redis-server (and passes redis-check-rdb); a DUMP payload from either server
RESTOREs on the other. Every type, TTLs included. Then Firn's own life cycle: BGSAVE while
serving, save rules, SHUTDOWN SAVE and SIGTERM, restart, and broken files.
"""
import os
import shutil
import signal
import subprocess
import time

import pytest
import redis

from conftest import Server

REDIS_CHECK_RDB = shutil.which("redis-check-rdb") or "/usr/bin/redis-check-rdb"


def populate(c):
    """Every Redis type, small (compact encodings) and large, some with TTLs."""
    c.set("s", "hello")
    c.set("n", "12345")
    c.set("neg", "-70000")
    c.set("big", "x" * 5000 + "y" * 100, ex=1000)
    c.set("bin", bytes(range(256)))
    c.rpush("l", "a", "b", "1", "300", "-5", "70000", "x" * 100)
    c.rpush("lbig", *["item:%d" % i for i in range(3000)])
    c.pexpire("lbig", 500000)
    c.hset("h", mapping={"f1": "v1", "f2": "2"})
    c.hset("hbig", mapping={"field:%d" % i: "value:%d" % i for i in range(700)})
    c.expire("hbig", 2000)
    c.sadd("si", 1, 2, -3, 100000, 2 ** 40)
    c.sadd("ss", "a", "b", "c")
    c.sadd("sibig", *range(1000))
    c.zadd("z", {"a": 1, "b": 2.5, "c": -0.1, "d": float("inf")})
    c.zadd("zbig", {"m:%d" % i: i / 3 for i in range(300)})
    c.pexpire("zbig", 123456789)
    # A stream with a deleted entry, a consumer group with pending entries, and a TTL.
    for i in range(1, 260):
        c.xadd("x", {"f": i, "g": "v%d" % i}, id="%d-1" % (1000 + i))
    c.xdel("x", "1005-1")
    c.xgroup_create("x", "grp", id="0")
    c.xreadgroup("grp", "alice", {"x": ">"}, count=3)
    c.pexpire("x", 900000)


def snapshot(c):
    """key -> (type, value, absolute expiry in ms or -1), read through commands."""
    out = {}
    for key in c.keys("*"):
        t = c.type(key).decode()
        if t == "string":
            v = c.get(key)
        elif t == "list":
            v = c.lrange(key, 0, -1)
        elif t == "hash":
            v = sorted(c.hgetall(key).items())
        elif t == "set":
            v = sorted(c.smembers(key))
        elif t == "zset":
            v = c.zrange(key, 0, -1, withscores=True)
        elif t == "stream":
            info = c.xinfo_stream(key)
            groups = [(g["name"], g["pending"], g["last-delivered-id"])
                      for g in c.xinfo_groups(key)]
            pending = [(p["message_id"], p["consumer"]) for g in groups
                       for p in c.xpending_range(key, g[0], "-", "+", 1000)]
            v = (c.xrange(key), info["last-generated-id"], info["max-deleted-entry-id"],
                 info["entries-added"], groups, pending)
        else:
            v = None
        out[key] = (t, v, c.execute_command("PEXPIRETIME", key))
    return out


def start(kind, workdir_file=None, opts=(), name=None):
    """A server of kind; workdir_file (path) is copied into its dir as dump.rdb first."""
    extra = ["--dir", "."] if kind == "firn" and "--dir" not in opts else []
    srv = Server(kind, list(opts) + extra, name=name)
    if workdir_file is not None:
        shutil.copy(workdir_file, os.path.join(srv.workdir, "dump.rdb"))
    return srv.start()


@pytest.fixture
def servers():
    started = []

    def make(kind, workdir_file=None, opts=(), name=None):
        srv = start(kind, workdir_file, opts, name)
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.cleanup()


def check_rdb(path):
    r = subprocess.run([REDIS_CHECK_RDB, path], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "RDB looks OK" in r.stdout, r.stdout


def test_redis_dump_rdb_of_every_type_loads_into_firn(servers):
    r = servers("redis")
    rc = r.client()
    populate(rc)
    rc3 = redis.Redis(port=r.port, db=3)
    rc3.set("in-db-3", "v", px=900000)
    rc.execute_command("SAVE")
    want = snapshot(r.client())
    want3 = snapshot(rc3)
    f = servers("firn", os.path.join(r.workdir, "dump.rdb"))
    assert snapshot(f.client()) == want
    assert snapshot(redis.Redis(port=f.port, db=3)) == want3
    info = f.client().info("persistence")
    assert info["rdb_last_load_keys_loaded"] == len(want) + len(want3)
    assert f.client().object("encoding", "h") == b"listpack"
    assert f.client().object("encoding", "si") == b"intset"


def test_firn_dump_rdb_loads_into_redis_and_passes_redis_check_rdb(servers):
    f = servers("firn")
    fc = f.client()
    populate(fc)
    redis.Redis(port=f.port, db=5).set("db5", "five")
    # A limiter key: carried in an aux field Redis skips.
    fc.execute_command("RL.BUCKET", "rl:api", 10, 60000)
    assert fc.execute_command("SAVE") in (b"OK", True)
    path = os.path.join(f.workdir, "dump.rdb")
    check_rdb(path)
    want = snapshot(fc)
    del want[b"rl:api"]
    r = servers("redis", path)
    assert snapshot(r.client()) == want
    assert redis.Redis(port=r.port, db=5).get("db5") == b"five"
    assert r.client().exists("rl:api") == 0
    assert r.client().object("encoding", "z") == b"listpack"


def test_firn_snapshot_without_compression_or_checksum_still_loads_everywhere(servers):
    f = servers("firn", opts=["--rdbcompression", "no", "--rdbchecksum", "no"])
    fc = f.client()
    populate(fc)
    fc.execute_command("SAVE")
    path = os.path.join(f.workdir, "dump.rdb")
    with open(path, "rb") as fh:
        data = fh.read()
    assert data.endswith(b"\0" * 8)
    check_rdb(path)
    want = snapshot(fc)
    r = servers("redis", path)
    assert snapshot(r.client()) == want


def test_dump_restore_both_directions_for_every_type_with_ttl(servers):
    f = servers("firn")
    r = servers("redis")
    fc, rc = f.client(), r.client()
    populate(fc)
    populate(rc)
    for key in rc.keys("*"):
        key = key.decode()
        # Redis -> Firn
        p = rc.dump(key)
        assert fc.restore("from-redis:" + key, 60000, p, replace=True)
        # Firn -> Redis
        q = fc.dump(key)
        assert rc.restore("from-firn:" + key, 60000, q, replace=True)
        t = fc.type(key)
        assert fc.type("from-redis:" + key) == t
        assert rc.type("from-firn:" + key) == t
        assert 59000 < fc.pttl("from-redis:" + key) <= 60000
        assert 59000 < rc.pttl("from-firn:" + key) <= 60000
        # Same bytes for small values, as Redis would write them.
        if key in ("s", "n", "l", "h", "si", "z", "big"):
            assert fc.dump(key) == rc.dump(key), key
    sf = {k.replace(b"from-redis:", b""): v[:2] for k, v in snapshot(fc).items()
          if k.startswith(b"from-redis:")}
    sr = {k.replace(b"from-firn:", b""): v[:2] for k, v in snapshot(rc).items()
          if k.startswith(b"from-firn:")}
    assert sf == sr
    assert len(sf) == len(rc.keys("from-firn:*"))


def test_restore_errors_match_redis(both):
    both("SET", "k", "v")
    payload = both.f.cmd("DUMP", "k")
    assert payload == both.r.cmd("DUMP", "k")
    body = payload.split(b"\r\n", 1)[1][:-2]
    both("RESTORE", "k", "0", body)                  # BUSYKEY
    both("RESTORE", "k2", "-5", body)
    both("RESTORE", "k2", "0", body[:-1])            # checksum
    both("RESTORE", "k2", "0", body, "FREQ", "300")
    both("RESTORE", "k2", "0", body, "IDLETIME", "-1")
    both("RESTORE", "k2", "0", body, "NOPE")
    both("RESTORE", "k2", "0", body, "REPLACE", "ABSTTL")
    both("PTTL", "k2")
    both("DUMP", "nosuch")
    both("RESTORE", "k3", "1", body, "ABSTTL")       # long expired: OK, nothing stored
    both("EXISTS", "k3")


def test_bgsave_writes_while_serving_and_reports_in_info(servers):
    f = servers("firn")
    fc = f.client()
    pipe = fc.pipeline(transaction=False)
    for i in range(200000):
        pipe.set("key:%d" % i, "v" * 32)
    pipe.execute()
    before = fc.lastsave()
    time.sleep(1.1)
    assert fc.bgsave()
    # The loop keeps serving while the child writes.
    assert fc.set("during", "1")
    assert fc.get("key:5") == b"v" * 32
    deadline = time.time() + 30
    while time.time() < deadline:
        info = fc.info("persistence")
        if info["rdb_bgsave_in_progress"] == 0 and info["rdb_saves"] != 0:
            break
        time.sleep(0.05)
    assert info["rdb_last_bgsave_status"] == "ok"
    assert fc.lastsave() > before
    path = os.path.join(f.workdir, "dump.rdb")
    check_rdb(path)
    assert not [n for n in os.listdir(f.workdir) if n.startswith("temp-")]


def test_save_rules_trigger_a_background_save(servers):
    f = servers("firn", opts=["--save", "1 1"])
    fc = f.client()
    assert fc.config_get("save") == {"save": "1 1"}
    fc.set("a", "1")
    path = os.path.join(f.workdir, "dump.rdb")
    deadline = time.time() + 10
    while time.time() < deadline and not os.path.exists(path):
        time.sleep(0.1)
    assert os.path.exists(path)
    assert fc.config_set("save", "3600 1 300 100 60 10000")
    assert fc.config_get("save") == {"save": "3600 1 300 100 60 10000"}
    with pytest.raises(redis.ResponseError, match="Invalid save parameters"):
        fc.config_set("save", "100")


def test_shutdown_save_and_restart_keeps_everything_limiters_included(servers):
    f = servers("firn")
    fc = f.client()
    populate(fc)
    fc.execute_command("RL.BUCKET", "rl:x", 10, 60000, "COST", 3)
    peek = fc.execute_command("RL.PEEK", "rl:x")
    want = snapshot(fc)
    try:
        fc.execute_command("SHUTDOWN", "SAVE")
    except redis.ConnectionError:
        pass
    f.proc.wait(10)
    g = servers("firn", os.path.join(f.workdir, "dump.rdb"))
    gc = g.client()
    assert snapshot(gc) == want
    assert gc.execute_command("RL.PEEK", "rl:x")[2] == peek[2]


def test_sigterm_saves_when_save_rules_are_set(servers):
    f = servers("firn", opts=["--save", "3600 1"])
    f.client().set("k", "kept")
    assert f.stop(signal.SIGTERM) == 0
    g = servers("firn", os.path.join(f.workdir, "dump.rdb"))
    assert g.client().get("k") == b"kept"


def test_sigterm_without_save_rules_writes_nothing(servers):
    f = servers("firn")
    f.client().set("k", "v")
    assert f.stop(signal.SIGTERM) == 0
    assert not os.path.exists(os.path.join(f.workdir, "dump.rdb"))


def test_failed_background_save_turns_writes_into_misconf(servers, tmp_path):
    d = tmp_path / "gone"
    d.mkdir()
    f = servers("firn", opts=["--save", "3600 1", "--dir", str(d)])
    fc = f.client()
    fc.set("a", "1")
    shutil.rmtree(d)
    assert fc.bgsave()
    deadline = time.time() + 10
    while time.time() < deadline:
        info = fc.info("persistence")
        if info["rdb_last_bgsave_status"] == "err":
            break
        time.sleep(0.05)
    assert info["rdb_last_bgsave_status"] == "err"
    with pytest.raises(redis.ResponseError, match="^MISCONF"):
        fc.set("b", "2")
    assert fc.get("a") == b"1"
    assert fc.config_set("stop-writes-on-bgsave-error", "no")
    assert fc.set("b", "2")
    # SHUTDOWN cannot save into the missing dir: refused, the server keeps running.
    with pytest.raises(redis.ResponseError, match="Errors trying to SHUTDOWN"):
        fc.execute_command("SHUTDOWN")
    assert fc.ping()
    try:
        fc.execute_command("SHUTDOWN", "NOSAVE")
    except redis.ConnectionError:
        pass


def corrupt_start(path):
    srv = Server("firn", ["--dir", "."])
    shutil.copy(path, os.path.join(srv.workdir, "dump.rdb"))
    try:
        with pytest.raises(RuntimeError) as e:
            srv.start()
        return str(e.value)
    finally:
        srv.cleanup()


def test_a_truncated_or_corrupt_dump_rdb_stops_the_start_with_a_clear_error(servers, tmp_path):
    f = servers("firn")
    populate(f.client())
    f.client().execute_command("SAVE")
    with open(os.path.join(f.workdir, "dump.rdb"), "rb") as fh:
        good = fh.read()
    cases = {
        "truncated": good[: len(good) // 2],
        "flipped": good[:200] + bytes([good[200] ^ 0x55]) + good[201:],
        "empty": b"",
        "garbage": b"not an rdb file at all",
        "future": b"REDIS0011" + good[9:],
    }
    for name, data in cases.items():
        p = tmp_path / name
        p.write_bytes(data)
        text = corrupt_start(str(p))
        assert "dump.rdb" in text or "RDB" in text, (name, text)


LIB = "#!lua name=persistlib\nredis.register_function('pf', function() return 42 end)"


def test_function_libraries_travel_in_dump_rdb_both_ways(servers):
    f = servers("firn")
    fc = f.client()
    fc.execute_command("FUNCTION", "LOAD", LIB)
    fc.set("k", "v")
    fc.execute_command("SAVE")
    path = os.path.join(f.workdir, "dump.rdb")
    check_rdb(path)
    r = servers("redis", path)
    assert r.client().execute_command("FCALL", "pf", 0) == 42
    r.client().execute_command("SAVE")
    g = servers("firn", os.path.join(r.workdir, "dump.rdb"))
    assert g.client().execute_command("FCALL", "pf", 0) == 42
    assert g.client().get("k") == b"v"


# ---- the append-only file ----

REDIS_CHECK_AOF = shutil.which("redis-check-aof") or "/usr/bin/redis-check-aof"


def aof_manifest(srv):
    return os.path.join(srv.workdir, "appendonlydir", "appendonly.aof.manifest")


def test_aof_layout_passes_redis_check_aof_and_survives_sigkill(servers):
    f = servers("firn", opts=["--appendonly", "yes", "--appendfsync", "always"])
    fc = f.client()
    populate(fc)
    fc.execute_command("RL.BUCKET", "rl:k", 10, 60000)
    fc.incrbyfloat("fl", 1.5)
    redis.Redis(port=f.port, db=4).set("four", "4", ex=500)
    want = snapshot(fc)
    want4 = snapshot(redis.Redis(port=f.port, db=4))
    assert fc.info("persistence")["aof_enabled"] == 1
    f.proc.kill()  # acknowledged with appendfsync always: all of it is on disk
    f.proc.wait(5)
    r = subprocess.run([REDIS_CHECK_AOF, aof_manifest(f)], capture_output=True, text=True,
                       timeout=60)
    assert "All AOF files and manifest are valid" in r.stdout, r.stdout + r.stderr
    g = Server("firn", ["--appendonly", "yes"])
    g.workdir, old = f.workdir, g.workdir
    shutil.rmtree(old, ignore_errors=True)
    g.logpath = os.path.join(g.workdir, "server2.log")
    g.start()
    try:
        assert snapshot(g.client()) == want
        assert snapshot(redis.Redis(port=g.port, db=4)) == want4
    finally:
        g.stop()


def test_aof_truncated_tail_is_cut_and_logged(servers):
    f = servers("firn", opts=["--appendonly", "yes", "--appendfsync", "always"])
    fc = f.client()
    fc.set("a", "1")
    fc.set("b", "2")
    f.proc.kill()
    f.proc.wait(5)
    incr = os.path.join(f.workdir, "appendonlydir", "appendonly.aof.1.incr.aof")
    with open(incr, "ab") as fh:
        fh.write(b"*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$2\r\nab")  # a command cut short
    g = Server("firn", ["--appendonly", "yes", "--dir", f.workdir])
    g.start()
    try:
        gc = g.client()
        assert gc.mget("a", "b", "c") == [b"1", b"2", None]
        assert "short read" in g.log()
        gc.set("d", "4")  # appending goes on after the cut
    finally:
        g.stop()
    with open(incr, "ab") as fh:
        fh.write(b"garbage in the middle\r\n*1\r\n$4\r\nPING\r\n")
    text = corrupt_start_aof(f.workdir)
    assert "Bad file format" in text and "offset" in text, text


def corrupt_start_aof(workdir):
    srv = Server("firn", ["--appendonly", "yes", "--dir", workdir])
    try:
        with pytest.raises(RuntimeError) as e:
            srv.start()
        return str(e.value)
    finally:
        srv.stop()
        shutil.rmtree(srv.workdir, ignore_errors=True)


def test_redis_aof_directory_loads_into_firn(servers):
    r = servers("redis", opts=["--appendonly", "yes"])
    rc = r.client()
    populate(rc)
    want = snapshot(rc)
    rc.set("after-base", "x")
    want = snapshot(rc)
    try:
        rc.execute_command("SHUTDOWN", "NOSAVE")
    except redis.ConnectionError:
        pass
    r.proc.wait(10)
    g = Server("firn", ["--appendonly", "yes", "--dir", r.workdir])
    g.start()
    try:
        assert snapshot(g.client()) == want
    finally:
        g.stop()


def test_config_set_appendfsync_checks_its_value(servers):
    f = servers("firn")
    fc = f.client()
    assert fc.config_set("appendfsync", "always")
    with pytest.raises(redis.ResponseError, match="always, everysec, no"):
        fc.config_set("appendfsync", "sometimes")


def test_aof_always_keeps_every_acknowledged_write_across_sigkill(servers):
    """Several clients write; the server is SIGKILLed at a random moment, ten times. After each
    restart every acknowledged write is there and no write that was never sent appears."""
    import random
    import threading
    f = servers("firn", opts=["--appendonly", "yes", "--appendfsync", "always"])
    workdir = f.workdir
    acked = {}
    rng = random.Random(1)
    srv = f
    for trial in range(10):
        stop = threading.Event()

        def writer(n):
            c = redis.Redis(port=srv.port, socket_timeout=5)
            i = acked.get(n, 0)
            try:
                while not stop.is_set():
                    c.set("w:%d" % n, i + 1)  # the value is the count of writes sent
                    i += 1
                    acked[n] = i
            except (redis.ConnectionError, redis.TimeoutError, OSError):
                pass

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.1 + rng.random() * 0.3)
        srv.proc.kill()
        srv.proc.wait(5)
        stop.set()
        for t in threads:
            t.join(10)
        nxt = Server("firn", ["--appendonly", "yes", "--dir", workdir])
        nxt.start()
        c = nxt.client()
        for n, count in acked.items():
            got = int(c.get("w:%d" % n) or 0)
            # Acknowledged: present. At most the one write in flight beyond it.
            assert count <= got <= count + 1, (trial, n, count, got)
            acked[n] = got
        if srv is not f:
            srv.stop()
            shutil.rmtree(srv.workdir, ignore_errors=True)
        srv = nxt
    srv.stop()
    if srv is not f:
        shutil.rmtree(srv.workdir, ignore_errors=True)
