"""WATCH / UNWATCH with several real connections, byte for byte against redis-server, and
redis-py's optimistic-locking retry loop under contention."""

import threading
import time

import redis

from conftest import Both


def _exec_after(both, *setup):
    """MULTI, a queued GET k, EXEC on both; returns EXEC's reply."""
    both("MULTI")
    both("GET", "k")
    return both("EXEC")


def test_write_by_another_client_aborts_exec(both, firn, redis_ref):
    other = Both(firn, redis_ref)
    try:
        both("SET", "k", "1")
        both("WATCH", "k")
        other("SET", "k", "2")
        assert _exec_after(both) == b"*-1\r\n"
        # EXEC unwatched: the next one runs.
        assert _exec_after(both) == b"*1\r\n$1\r\n2\r\n"
    finally:
        other.close()


def test_untouched_watch_lets_exec_run(both, firn, redis_ref):
    other = Both(firn, redis_ref)
    try:
        both("SET", "k", "1")
        both("WATCH", "k", "j")
        other("GET", "k")
        other("SET", "unrelated", "x")
        assert _exec_after(both) == b"*1\r\n$1\r\n1\r\n"
    finally:
        other.close()


def test_watched_key_whose_ttl_passes_aborts(both):
    both("SET", "k", "v", "PX", "50")
    both("WATCH", "k")
    time.sleep(0.15)
    _exec_after(both)


def test_key_expired_before_watch_does_not_abort(both):
    both("SET", "k", "v", "PX", "20")
    time.sleep(0.1)
    both("WATCH", "k")
    _exec_after(both)


def test_expire_and_delete_are_changes(both):
    both("SET", "k", "v")
    both("WATCH", "k")
    both("EXPIRE", "k", "100")
    _exec_after(both)
    both("WATCH", "k")
    both("DEL", "k")
    _exec_after(both)


def test_flush_touches_only_keys_that_existed(both, firn, redis_ref):
    other = Both(firn, redis_ref)
    try:
        both("WATCH", "k")
        other("SET", "x", "1")
        other("FLUSHDB")
        _exec_after(both)
        both("SET", "k", "1")
        both("WATCH", "k")
        other("FLUSHALL")
        _exec_after(both)
        both("SET", "k", "1")
        both("WATCH", "k")
        other("FLUSHDB")
        _exec_after(both)
    finally:
        other.close()


def test_swapdb_touches_keys_on_either_side(both, firn, redis_ref):
    other = Both(firn, redis_ref)
    try:
        other("SELECT", "1")
        other("SET", "k", "in-one")
        both("WATCH", "k")
        other("SWAPDB", "0", "1")
        _exec_after(both)
        both("WATCH", "k")  # now exists in db 0
        other("SWAPDB", "0", "1")
        _exec_after(both)
        both("WATCH", "nowhere")
        other("SWAPDB", "0", "1")
        both("MULTI")
        both("PING")
        both("EXEC")
    finally:
        other.close()


def test_move_touches_source_and_target(both, firn, redis_ref):
    other = Both(firn, redis_ref)
    try:
        both("SET", "k", "v")
        both("WATCH", "k")
        other("MOVE", "k", "1")
        _exec_after(both)
        both("SELECT", "1")
        both("WATCH", "k")
        other("SET", "k", "v2")
        other("MOVE", "k", "1")  # refused: db 1 holds k
        _exec_after(both)
        both("WATCH", "k")
        other("SELECT", "1")
        other("DEL", "k")
        other("SELECT", "0")
        other("MOVE", "k", "1")  # into db 1, where it is watched
        _exec_after(both)
    finally:
        other.close()


def test_watch_remembers_each_keys_database(both, firn, redis_ref):
    other = Both(firn, redis_ref)
    try:
        both("WATCH", "k")
        both("SELECT", "1")
        other("SET", "k", "x")  # db 0, watched from there
        _exec_after(both)
    finally:
        other.close()


def test_watch_inside_multi_and_unwatch_discard_reset(both, firn, redis_ref):
    other = Both(firn, redis_ref)
    try:
        both("MULTI")
        both("WATCH", "k")
        both("EXEC")
        for forget in (("UNWATCH",), ("DISCARD",), ("RESET",)):
            both("WATCH", "k")
            other("SET", "k", "changed")
            if forget == ("DISCARD",):
                both("MULTI")
            both(*forget)
            _exec_after(both)
        both("UNWATCH")
        both("DISCARD")
    finally:
        other.close()


def test_aborted_exec_in_resp3_is_null(both, firn, redis_ref):
    both.both_do("HELLO", "3")
    both("WATCH", "k")
    both("SET", "k", "1")
    both("MULTI")
    both("PING")
    assert both("EXEC") == b"_\r\n"


def test_watch_retry_loop_reaches_exact_total(firn):
    """Eight redis-py clients increment one counter through WATCH/MULTI/EXEC, retrying on
    WatchError: no increment is lost."""
    clients, per_client = 8, 150
    firn.client().set("counter", 0)
    retries = [0] * clients
    errors = []

    def work(i):
        r = firn.client()
        try:
            for _ in range(per_client):
                with r.pipeline(transaction=True) as pipe:
                    while True:
                        try:
                            pipe.watch("counter")
                            value = int(pipe.get("counter"))
                            pipe.multi()
                            pipe.set("counter", value + 1)
                            pipe.execute()
                            break
                        except redis.WatchError:
                            retries[i] += 1
        except Exception as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert int(firn.client().get("counter")) == clients * per_client
    assert sum(retries) > 0  # the clients did contend


def test_transaction_helper_with_watches(firn):
    r = firn.client()
    r.set("balance", 10)

    def spend(pipe):
        value = int(pipe.get("balance"))
        pipe.multi()
        pipe.set("balance", value - 3)

    assert r.transaction(spend, "balance") == [True]
    assert r.get("balance") == b"7"
