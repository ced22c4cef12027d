"""The platform's own libraries through scripts: Debian's python3-limits and
python3-flask-limiter strategies, and redis-py's Lock, each run against Firn and against
redis-server with the same expectations.

limits sends every fixed-window hit as EVALSHA of its incr_expire script (loading it on
-NOSCRIPT), the moving window as EVALSHA of scripts over a list, and reset() as a script
deleting keys by pattern; Lock acquires with SET NX PX and extends, reacquires and releases
with scripts."""

import threading
import time

import pytest
import redis as redis_py
from limits import parse, storage, strategies
from redis.exceptions import LockError, LockNotOwnedError

SERVERS = ["firn", "redis"]


@pytest.fixture(params=SERVERS)
def server(request, firn, redis_ref):
    return firn if request.param == "firn" else redis_ref


def _storage(srv):
    return storage.storage_from_string("redis://%s:%d" % (srv.host, srv.port))


def _has_lists(srv):
    reply = srv.raw().cmd("LPUSH", "firn:probe:list", "x")
    srv.raw().cmd("DEL", "firn:probe:list")
    return not reply.startswith(b"-ERR unknown command")


STRATEGIES = {
    "fixed-window": strategies.FixedWindowRateLimiter,
    "fixed-window-elastic-expiry": strategies.FixedWindowElasticExpiryRateLimiter,
    "moving-window": strategies.MovingWindowRateLimiter,
}


def _limiter(srv, name):
    if name == "moving-window" and not _has_lists(srv):
        pytest.skip("moving window needs lists (LPUSH/LRANGE/LTRIM/LINDEX), not on this server yet")
    return _keep(STRATEGIES[name], _storage(srv))


def _keep(strategy, st):
    """limits' strategies hold their storage by weak reference: keep it alive with them."""
    limiter = strategy(st)
    limiter.kept_storage = st
    return limiter


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_exactly_the_limit_passes(server, name):
    limiter = _limiter(server, name)
    item = parse("5/minute")
    results = [limiter.hit(item, "user", name) for _ in range(8)]
    assert results == [True] * 5 + [False] * 3, (server.name, results)
    reset, remaining = limiter.get_window_stats(item, "user", name)
    assert remaining == 0
    assert time.time() < reset <= time.time() + 61
    assert limiter.test(item, "user", name) is False
    # Another identity has its own window.
    assert limiter.hit(item, "other", name) is True


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_window_stats_match_redis(firn, redis_ref, name):
    stats = {}
    for srv in (firn, redis_ref):
        limiter = _limiter(srv, name)
        item = parse("10/hour")
        for _ in range(3):
            limiter.hit(item, "stats")
        stats[srv.kind] = limiter.get_window_stats(item, "stats")
    (f_reset, f_remaining), (r_reset, r_remaining) = stats["firn"], stats["redis"]
    assert f_remaining == r_remaining == 7
    assert abs(f_reset - r_reset) <= 2, stats


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_concurrent_clients_let_exactly_the_limit_through(server, name):
    limiter_probe = _limiter(server, name)
    item = parse("20/minute")
    passed = []
    lock = threading.Lock()
    errors = []

    def client():
        limiter = _keep(STRATEGIES[name], _storage(server))
        try:
            for _ in range(10):
                ok = limiter.hit(item, "shared")
                with lock:
                    passed.append(ok)
        except Exception as e:  # any error would hide in the thread otherwise
            errors.append(e)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert len(passed) == 80
    assert sum(passed) == 20, (server.name, sum(passed))
    assert limiter_probe.get_window_stats(item, "shared")[1] == 0


def test_clear_and_reset(server):
    st = _storage(server)
    limiter = strategies.FixedWindowRateLimiter(st)
    item = parse("2/minute")
    assert limiter.hit(item, "a") and limiter.hit(item, "a") and not limiter.hit(item, "a")
    limiter.clear(item, "a")
    assert limiter.hit(item, "a")
    limiter.hit(item, "b")
    # reset() deletes every LIMITER* key from inside a script (keys it did not declare).
    assert st.reset() == 2
    assert limiter.hit(item, "a") and limiter.hit(item, "b")


def test_script_reloaded_after_script_flush(server):
    limiter = _keep(strategies.FixedWindowRateLimiter, _storage(server))
    item = parse("3/minute")
    assert limiter.hit(item, "flush")
    server.raw().cmd("SCRIPT", "FLUSH")
    # redis-py's Script object sees -NOSCRIPT and loads the script again.
    assert limiter.hit(item, "flush")
    assert limiter.get_window_stats(item, "flush")[1] == 1


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_flask_limiter_routes(server, strategy):
    flask = pytest.importorskip("flask")
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    if strategy == "moving-window" and not _has_lists(server):
        pytest.skip("moving window needs lists, not on this server yet")
    app = flask.Flask("firn-test-%s" % strategy)
    limiter = Limiter(get_remote_address, app=app,
                      storage_uri="redis://%s:%d" % (server.host, server.port),
                      strategy=strategy, headers_enabled=True)

    @app.route("/limited")
    @limiter.limit("3/minute")
    def limited():
        return "ok"

    client = app.test_client()
    codes = [client.get("/limited").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429], (server.name, codes)
    resp = client.get("/limited")
    assert resp.headers.get("X-RateLimit-Limit") == "3"
    assert resp.headers.get("X-RateLimit-Remaining") == "0"


def test_redis_py_lock(server):
    r = server.client()
    lock = r.lock("resource", timeout=5)
    assert lock.acquire(blocking=False)
    assert r.get("resource") == lock.local.token
    assert 0 < r.pttl("resource") <= 5000

    # A second holder cannot get it, blocking or not.
    other = r.lock("resource", timeout=5)
    assert not other.acquire(blocking=False)
    start = time.monotonic()
    assert not other.acquire(blocking=True, blocking_timeout=0.3)
    assert time.monotonic() - start >= 0.15

    # extend adds to the remaining time; replace_ttl sets it.
    assert lock.extend(10)
    assert 10000 < r.pttl("resource") <= 15000
    assert lock.extend(2, replace_ttl=True)
    assert 0 < r.pttl("resource") <= 2000
    assert lock.reacquire()
    assert 4000 < r.pttl("resource") <= 5000

    # Only the owner may extend or release.
    with pytest.raises(LockNotOwnedError):
        other.do_release(b"not-the-token")
    assert lock.locked() and lock.owned()
    lock.release()
    assert not lock.locked()
    with pytest.raises(LockError):
        lock.release()
    with pytest.raises(LockError):
        lock.extend(1)

    # Expired locks can be taken by others; the old owner cannot release it.
    short = r.lock("short", timeout=0.2)
    assert short.acquire(blocking=False)
    time.sleep(0.35)
    taker = r.lock("short", timeout=5)
    assert taker.acquire(blocking=False)
    with pytest.raises(LockNotOwnedError):
        short.release()
    with pytest.raises(LockError):  # release() dropped the token
        short.reacquire()
    taker.release()

    # Blocking acquire succeeds once the holder lets go.
    holder = r.lock("handoff", timeout=5, thread_local=False)  # released from a timer thread
    assert holder.acquire()
    threading.Timer(0.2, holder.release).start()
    waiter = r.lock("handoff", timeout=5, sleep=0.05)
    assert waiter.acquire(blocking=True, blocking_timeout=3)
    waiter.release()


def test_lock_script_replies_match_redis(both):
    # The scripts of redis-py's Lock, run directly.
    from redis.lock import Lock
    both("SET", "lk", "tok", "PX", "100000")
    both("EVAL", Lock.LUA_EXTEND_SCRIPT, 1, "lk", "tok", 5000, 0)
    both("EVAL", Lock.LUA_EXTEND_SCRIPT, 1, "lk", "bad", 5000, 0)
    both("EVAL", Lock.LUA_EXTEND_SCRIPT, 1, "nokey", "tok", 5000, 1)
    both("EVAL", Lock.LUA_REACQUIRE_SCRIPT, 1, "lk", "tok", 5000)
    both("EVAL", Lock.LUA_REACQUIRE_SCRIPT, 1, "lk", "bad", 5000)
    both("EVAL", Lock.LUA_RELEASE_SCRIPT, 1, "lk", "bad")
    both("EVAL", Lock.LUA_RELEASE_SCRIPT, 1, "lk", "tok")
    both("EXISTS", "lk")
    both("EVAL", Lock.LUA_RELEASE_SCRIPT, 1, "lk", "tok")
