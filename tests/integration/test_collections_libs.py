"""Collections through the libraries that use them, each run against Firn and redis-server
with the same expectations: an RQ job enqueued, run by a SimpleWorker in burst mode and its
result read back (RQ keeps jobs in hashes, queues in lists, registries in sorted sets and
workers in sets); the usual client-side sliding-window limiter (MULTI of ZREMRANGEBYSCORE,
ZADD, ZCARD, PEXPIRE) under 8 concurrent clients; `limits`' moving window, a list of
timestamps per key. Also the compact encodings' names and thresholds, and UNLINK / FLUSHALL
ASYNC, against redis-server."""

import os
import sys
import threading
import time
import uuid

import pytest
import redis as redis_py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

SERVERS = ["firn", "redis"]


@pytest.fixture(params=SERVERS)
def server(request, firn, redis_ref):
    return firn if request.param == "firn" else redis_ref


_opened = []


def _client(srv):
    conn = redis_py.Redis(host=srv.host, port=srv.port)
    _opened.append(conn)
    return conn


@pytest.fixture(autouse=True)
def _close_clients():
    """Every connection a test opened is closed after it: the servers are shared, and later
    suites list their clients (CLIENT LIST)."""
    yield
    while _opened:
        conn = _opened.pop()
        pool = getattr(conn, "connection_pool", None)
        if pool is not None:
            pool.disconnect()


# ---- RQ ----

def _has_streams(srv):
    reply = srv.raw().cmd("XLEN", "firn:probe:stream")
    return not reply.startswith(b"-ERR unknown command")


@pytest.mark.parametrize("results", ["job-hash", "streams"])
def test_rq_job_runs_in_a_burst_worker_and_its_result_reads_back(server, results,
                                                                   monkeypatch):
    """RQ 1.13 keeps results in a stream (XADD rq:results:ID) on servers of version 5 and
    up; older servers keep them in the job's hash. Both paths are run."""
    rq = pytest.importorskip("rq")
    import rq_tasks

    if results == "job-hash":
        monkeypatch.setattr(rq.job.Job, "supports_redis_streams", property(lambda self: False))
        monkeypatch.setattr(rq.worker.Worker, "supports_redis_streams",
                            property(lambda self: False))
    elif not _has_streams(server):
        pytest.skip("RQ's result stream needs XADD/XREVRANGE, not on this server yet")
    conn = _client(server)
    q = rq.Queue("default", connection=conn)
    ok = q.enqueue(rq_tasks.add, 2, 3, result_ttl=600)
    bad = q.enqueue(rq_tasks.fail)
    assert q.count == 2
    assert ok.get_status() == "queued"
    worker = rq.SimpleWorker([q], connection=conn)
    assert worker.work(burst=True) is True
    ok.refresh()
    bad.refresh()
    assert ok.get_status() == "finished", server.name
    assert ok.result == 5
    assert rq.job.Job.fetch(ok.id, connection=conn).result == 5
    assert bad.get_status() == "failed"
    assert "this job fails" in (bad.exc_info or "")
    assert q.count == 0
    assert ok.id in q.finished_job_registry.get_job_ids()
    assert bad.id in q.failed_job_registry.get_job_ids()
    # The worker registered itself and left: its set is empty again after burst mode.
    assert rq.Worker.all(connection=conn) == []


# ---- the client-side sliding-window limiter ----

def _window_hit(conn, key, limit, window_ms):
    now_ms = time.time() * 1000
    pipe = conn.pipeline(transaction=True)
    pipe.zremrangebyscore(key, 0, now_ms - window_ms)
    pipe.zadd(key, {uuid.uuid4().hex: now_ms})
    pipe.zcard(key)
    pipe.pexpire(key, window_ms)
    _, _, count, _ = pipe.execute()
    return count <= limit


def test_multi_sliding_window_lets_exactly_the_limit_through(server):
    limit, window_ms = 37, 60_000
    passed, errors = [], []
    lock = threading.Lock()

    def client():
        conn = _client(server)
        try:
            for _ in range(25):
                ok = _window_hit(conn, "rl:window", limit, window_ms)
                with lock:
                    passed.append(ok)
        except Exception as e:  # noqa: BLE001 - surfaced below
            errors.append(e)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(passed) == 200
    assert sum(passed) == limit, (server.name, sum(passed))
    conn = _client(server)
    assert conn.zcard("rl:window") == 200  # refused hits are logged too, as written
    assert 0 < conn.pttl("rl:window") <= window_ms


def test_sliding_window_forgets_old_hits(server):
    conn = _client(server)
    for _ in range(3):
        assert _window_hit(conn, "rl:short", 3, 200)
    assert not _window_hit(conn, "rl:short", 3, 200)
    time.sleep(0.3)
    assert _window_hit(conn, "rl:short", 3, 200)
    assert conn.zcard("rl:short") == 1


# ---- limits' moving window: a list of timestamps per key ----

def test_limits_moving_window_layout_round_trips(firn, redis_ref):
    limits = pytest.importorskip("limits")
    from limits import storage, strategies

    seen = {}
    for srv in (firn, redis_ref):
        st = storage.storage_from_string("redis://%s:%d" % (srv.host, srv.port))
        _opened.append(st.storage)
        limiter = strategies.MovingWindowRateLimiter(st)
        item = limits.parse("6/minute")
        results = [limiter.hit(item, "layout") for _ in range(8)]
        conn = _client(srv)
        keys = [k for k in conn.keys("*") if b"layout" in k]
        assert len(keys) == 1, keys
        key = keys[0]
        stamps = [float(x) for x in conn.lrange(key, 0, -1)]
        # The layout: newest first, one entry per hit let through, expiring with the window.
        assert stamps == sorted(stamps, reverse=True)
        assert 0 < conn.ttl(key) <= 60
        # Read back by the library: the window it finds is the one it wrote.
        _, remaining = limiter.get_window_stats(item, "layout")
        window = st.get_moving_window(item.key_for("layout"), item.amount, 60)
        seen[srv.kind] = (results, conn.type(key), len(stamps), remaining, window[1],
                          conn.object("encoding", key))
    assert seen["firn"] == seen["redis"], seen
    assert seen["firn"][:5] == ([True] * 6 + [False] * 2, b"list", 6, 0, 6)


# ---- encodings and lazy freeing against redis-server ----

def test_object_encoding_names_at_redis_thresholds(both):
    both("CONFIG", "SET", "zset-max-listpack-entries", "4")
    both("CONFIG", "SET", "zset-max-listpack-value", "10")
    try:
        for i in range(4):
            both("ZADD", "z", str(i), "m%d" % i)
        both("OBJECT", "ENCODING", "z")
        both("ZADD", "z", "9", "m9")
        both("OBJECT", "ENCODING", "z")
        both("ZADD", "long", "1", "a-member-of-11")
        both("OBJECT", "ENCODING", "long")
        both("ZADD", "short", "1", "m")
        both("OBJECT", "ENCODING", "short")
        both("ZRANGE", "z", "0", "-1", "WITHSCORES")
        both("ZREVRANGE", "short", "0", "-1")
    finally:
        both("CONFIG", "SET", "zset-max-listpack-entries", "128")
        both("CONFIG", "SET", "zset-max-listpack-value", "64")
    both.run(("ZADD", "small", "1", "a", "2", "b", "1.5", "c"), ("OBJECT", "ENCODING", "small"),
             ("ZRANGE", "small", "0", "-1", "WITHSCORES"), ("ZRANK", "small", "c"),
             ("ZREVRANGE", "small", "0", "-1"), ("ZRANGEBYSCORE", "small", "(1", "+inf"),
             ("ZREM", "small", "a"), ("ZINCRBY", "small", "5", "c"),
             ("ZRANGE", "small", "0", "-1", "WITHSCORES"), ("ZSCAN", "small", "0"))


def test_unlink_and_async_flushes_free_big_values(both, firn):
    members = [str(i * 7919 % 100003) + "m" for i in range(5000)]
    for start in range(0, len(members), 500):
        both("SADD", "bigset", *members[start:start + 500])
        both("HSET", "bighash", *[x for m in members[start:start + 500] for x in (m, "v")])
        both("ZADD", "bigz", *[x for m in members[start:start + 500] for x in ("1", m)])
    both.run(("SCARD", "bigset"), ("UNLINK", "bigset", "nokey"), ("EXISTS", "bigset"),
             ("UNLINK", "bighash"), ("SCARD", "bigset"), ("HLEN", "bighash"),
             ("FLUSHALL", "ASYNC"), ("DBSIZE",), ("ZCARD", "bigz"),
             ("FLUSHDB", "async"), ("FLUSHDB", "SYNC"), ("FLUSHALL", "NOW"))
    conn = _client(firn)
    deadline = time.time() + 5
    while conn.info("memory")["lazyfree_pending_objects"] and time.time() < deadline:
        time.sleep(0.05)
    info = conn.info("memory")
    assert info["lazyfree_pending_objects"] == 0
    assert info["lazyfreed_objects"] >= 3  # the set, the hash, the flushed database


def test_lazy_user_del_and_flush_settings(both):
    both.run(("CONFIG", "SET", "lazyfree-lazy-user-del", "yes"),
             ("CONFIG", "SET", "lazyfree-lazy-user-flush", "yes"))
    both.norm("CONFIG", "GET", "lazyfree-lazy-user-*",
              normalize=lambda r: sorted(zip(r[::2], r[1::2])))
    both.run(("RPUSH", "l", *[str(i) for i in range(200)]), ("DEL", "l"), ("EXISTS", "l"),
             ("SET", "k", "v"), ("FLUSHALL",), ("DBSIZE",),
             ("CONFIG", "SET", "lazyfree-lazy-user-del", "no"),
             ("CONFIG", "SET", "lazyfree-lazy-user-flush", "no"))
