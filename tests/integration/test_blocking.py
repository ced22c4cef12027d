"""Blocking commands with several real connections, byte for byte against redis-server: the
order waiters are served in, timeouts, MULTI, pipelining behind a blocked command, a
disconnect while blocked, CLIENT UNBLOCK, CLIENT PAUSE, and an RQ worker blocking on its
queues."""

import os
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import encode, parse_info


def blocked_clients(conn):
    info = parse_info(conn.cmd("INFO", "clients").split(b"\r\n", 1)[1])
    return int(info[None]["blocked_clients"])


def wait_blocked(srv, count, timeout_s=5.0):
    c = srv.raw()
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if blocked_clients(c) == count:
                return
            time.sleep(0.005)
        raise AssertionError("%s: blocked_clients never reached %d" % (srv.name, count))
    finally:
        c.close()


def on_both(firn, redis_ref, scenario):
    """Runs scenario(srv) on both servers; asserts it observed the same things."""
    got_f = scenario(firn)
    got_r = scenario(redis_ref)
    assert got_f == got_r, "firn: %r\nredis: %r" % (got_f, got_r)
    return got_r


def test_waiters_are_served_in_the_order_they_blocked(firn, redis_ref):
    def scenario(srv):
        waiters = [srv.raw() for _ in range(4)]
        pusher = srv.raw()
        try:
            for i, w in enumerate(waiters):
                w.send(encode("BLPOP" if i % 2 == 0 else "BRPOP", "q", "0"))
                wait_blocked(srv, i + 1)
            out = [pusher.cmd("RPUSH", "q", "a", "b", "c")]
            out += [w.read_reply() for w in waiters[:3]]
            out.append(waiters[3].pending(0.1))
            out.append(pusher.cmd("LPUSH", "q", "d"))
            out.append(waiters[3].read_reply())
            return out
        finally:
            for c in waiters + [pusher]:
                c.close()

    on_both(firn, redis_ref, scenario)


def test_first_non_empty_key_and_pushes_to_any_key(firn, redis_ref):
    def scenario(srv):
        w, p = srv.raw(), srv.raw()
        try:
            p.cmd("RPUSH", "k2", "x")
            out = [w.cmd("BLPOP", "k1", "k2", "k3", "0")]
            w.send(encode("BRPOP", "k1", "k2", "k3", "0"))
            wait_blocked(srv, 1)
            out.append(p.cmd("RPUSH", "k3", "y"))
            out.append(w.read_reply())
            return out
        finally:
            w.close()
            p.close()

    on_both(firn, redis_ref, scenario)


@pytest.mark.parametrize("command", [
    ("BLPOP", "nokey", "0.05"),
    ("BRPOP", "nokey", "other", "0.05"),
    ("BRPOPLPUSH", "nokey", "dst", "0.05"),
    ("BLMOVE", "nokey", "dst", "LEFT", "RIGHT", "0.05"),
    ("BLMPOP", "0.05", "2", "nokey", "other", "LEFT", "COUNT", "3"),
    ("BZPOPMIN", "nokey", "0.05"),
    ("BZPOPMAX", "nokey", "0.05"),
    ("BZMPOP", "0.05", "1", "nokey", "MIN"),
])
@pytest.mark.parametrize("proto", ["2", "3"])
def test_timeout_replies(both, command, proto):
    both.both_do("HELLO", proto)
    both(*command)


@pytest.mark.parametrize("timeout", ["-1", "-0.5", "abc", "", "1e400", "0x7FFFFFFFFFFFFF", "nan",
                                     " 1", "inf", "-inf", "1e16"])
def test_timeout_errors(both, timeout):
    both("BLPOP", "q", timeout)
    both("BZPOPMIN", "q", timeout)
    both("BLMPOP", timeout, "1", "q", "LEFT")


@pytest.mark.parametrize("timeout", ["0.001", "0.0001", "0.0015"])
def test_sub_millisecond_timeouts_do_not_block_forever(both, timeout):
    both("BLPOP", "q", timeout)
    both("BZPOPMAX", "z", timeout)


def test_wrong_type_and_syntax_errors(both):
    both("SET", "s", "x")
    both("BLPOP", "nokey", "s", "0")
    both("BZPOPMIN", "s", "0")
    both("BRPOPLPUSH", "s", "d", "0")
    both("BLMPOP", "0", "0", "q", "LEFT")
    both("BLMPOP", "0", "1", "q", "MIDDLE")
    both("BLMPOP", "0", "1", "q", "LEFT", "COUNT", "0")
    both("BZMPOP", "0", "2", "q", "MIN")
    both("BLMOVE", "q", "d", "UP", "LEFT", "0")
    both("BLPOP", "q")


def test_pops_with_data_answer_at_once(both):
    both("RPUSH", "l", "a", "b", "c", "d")
    both("BLPOP", "l", "0")
    both("BRPOP", "l", "0")
    both("BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "5")
    both("ZADD", "z", "1", "a", "2", "b", "3", "c")
    both("BZPOPMIN", "z", "0")
    both("BZPOPMAX", "z", "0")
    both("BZMPOP", "0", "1", "z", "MIN", "COUNT", "2")
    both.both_do("HELLO", "3")
    both("ZADD", "z", "1.5", "a")
    both("BZPOPMIN", "z", "0")


def test_blocking_inside_multi_acts_as_non_blocking(both):
    both("RPUSH", "x", "1")
    both("MULTI")
    for cmd in [("BLPOP", "x", "0"), ("BLPOP", "x", "0"), ("BRPOPLPUSH", "x", "y", "0"),
                ("BLMOVE", "x", "y", "LEFT", "LEFT", "0"), ("BZPOPMIN", "z", "0"),
                ("BLMPOP", "0", "1", "x", "LEFT"), ("BZMPOP", "0", "1", "z", "MAX")]:
        both(*cmd)
    both("EXEC")


def test_exec_wakes_a_waiter_after_the_transaction(firn, redis_ref):
    def scenario(srv):
        w, p = srv.raw(), srv.raw()
        try:
            w.send(encode("BLPOP", "q", "0"))
            wait_blocked(srv, 1)
            p.cmd("MULTI")
            p.cmd("RPUSH", "q", "1")
            p.cmd("RPUSH", "q", "2")
            out = [p.cmd("EXEC"), w.read_reply(), p.cmd("LRANGE", "q", "0", "-1")]
            # Pushed then deleted in one transaction: nobody wakes.
            w.send(encode("BLPOP", "q2", "0"))
            wait_blocked(srv, 1)
            p.cmd("MULTI")
            p.cmd("LPUSH", "q2", "x")
            p.cmd("DEL", "q2")
            p.cmd("SET", "q2", "string")
            out.append(p.cmd("EXEC"))
            out.append(w.pending(0.1))
            out.append(blocked_clients(p))
            return out
        finally:
            w.close()
            p.close()

    on_both(firn, redis_ref, scenario)


def test_scripts_wake_waiters_and_do_not_block(firn, redis_ref):
    def scenario(srv):
        w, p = srv.raw(), srv.raw()
        try:
            out = [p.cmd("EVAL", "return redis.call('blmpop', 0, 1, KEYS[1], 'left')", "1", "e"),
                   p.cmd("EVAL", "return redis.call('blpop', KEYS[1], 0)", "1", "e")]
            w.send(encode("BLPOP", "s", "0"))
            wait_blocked(srv, 1)
            out.append(p.cmd("EVAL", "redis.call('rpush', KEYS[1], 'a'); "
                                     "return redis.call('llen', KEYS[1])", "1", "s"))
            out.append(w.read_reply())
            return out
        finally:
            w.close()
            p.close()

    on_both(firn, redis_ref, scenario)


def test_pipeline_behind_a_blocked_command_waits_for_it(firn, redis_ref):
    """The suite's "Regression for a crash with blocking ops and pipelining", and the commands
    after a blocked one run once it is served."""
    def scenario(srv):
        w, p = srv.raw(), srv.raw()
        try:
            w.send(encode("BLPOP", "nolist", "0") * 2 + encode("PING") + encode("GET", "k"))
            wait_blocked(srv, 1)
            out = [w.pending(0.1), p.cmd("RPUSH", "nolist", "a"), w.read_reply()]
            wait_blocked(srv, 1)
            out.append(w.pending(0.1))
            out += [p.cmd("RPUSH", "nolist", "b"), w.read_reply(), w.read_reply(), w.read_reply()]
            out.append(blocked_clients(p))
            return out
        finally:
            w.close()
            p.close()

    on_both(firn, redis_ref, scenario)


def test_disconnect_while_blocked_leaves_nothing(firn, redis_ref):
    def scenario(srv):
        p = srv.raw()
        try:
            for i in range(3):
                w = srv.raw()
                w.send(encode("BLPOP", "q", "other", "0"))
                wait_blocked(srv, 1)
                w.close()
                wait_blocked(srv, 0)
            return [p.cmd("RPUSH", "q", "x"), p.cmd("LLEN", "q"), blocked_clients(p)]
        finally:
            p.close()

    on_both(firn, redis_ref, scenario)


def test_client_unblock(firn, redis_ref):
    def scenario(srv):
        a, b, admin = srv.raw(), srv.raw(), srv.raw()
        try:
            ida = int(a.cmd("CLIENT", "ID")[1:-2])
            idb = int(b.cmd("CLIENT", "ID")[1:-2])
            a.send(encode("BLPOP", "q", "0"))
            b.send(encode("BLMOVE", "q", "d", "LEFT", "LEFT", "0"))
            wait_blocked(srv, 2)
            out = [admin.cmd("CLIENT", "UNBLOCK", ida, "WHY"),
                   admin.cmd("CLIENT", "UNBLOCK", ida), a.read_reply(),
                   admin.cmd("CLIENT", "UNBLOCK", ida),
                   admin.cmd("CLIENT", "UNBLOCK", idb, "ERROR"), b.read_reply(),
                   admin.cmd("CLIENT", "UNBLOCK", "notanumber"),
                   admin.cmd("CLIENT", "UNBLOCK", 987654)]
            # The unblocked client's connection goes on as usual.
            out.append(a.cmd("PING"))
            return out
        finally:
            for c in (a, b, admin):
                c.close()

    on_both(firn, redis_ref, scenario)


def test_swapdb_and_move_bring_a_key_to_a_waiter(firn, redis_ref):
    def scenario(srv):
        w, p = srv.raw(), srv.raw()
        try:
            w.cmd("SELECT", "9")
            w.send(encode("BRPOP", "k", "5"))
            wait_blocked(srv, 1)
            p.cmd("SELECT", "1")
            p.cmd("RPUSH", "k", "hello")
            out = [p.cmd("SWAPDB", "1", "9"), w.read_reply()]
            w.send(encode("BLPOP", "m", "5"))
            wait_blocked(srv, 1)
            p.cmd("RPUSH", "m", "moved")  # in db 1
            out += [p.cmd("MOVE", "m", "9"), w.read_reply()]
            w.send(encode("BLPOP", "r", "5"))
            wait_blocked(srv, 1)
            p.cmd("SELECT", "9")
            p.cmd("RPUSH", "tmp", "renamed")
            out += [p.cmd("RENAME", "tmp", "r"), w.read_reply()]
            return out
        finally:
            w.close()
            p.close()

    on_both(firn, redis_ref, scenario)


def test_blmove_chain_serves_the_next_waiter(firn, redis_ref):
    def scenario(srv):
        a, b, p = srv.raw(), srv.raw(), srv.raw()
        try:
            a.send(encode("BLPOP", "dst", "0"))
            wait_blocked(srv, 1)
            b.send(encode("BRPOPLPUSH", "src", "dst", "0"))
            wait_blocked(srv, 2)
            out = [p.cmd("RPUSH", "src", "v"), b.read_reply(), a.read_reply(),
                   p.cmd("EXISTS", "src", "dst")]
            return out
        finally:
            for c in (a, b, p):
                c.close()

    on_both(firn, redis_ref, scenario)


def test_sorted_set_waiters_wake_on_zadd_and_zincrby(firn, redis_ref):
    def scenario(srv):
        a, b, p = srv.raw(), srv.raw(), srv.raw()
        try:
            b.cmd("HELLO", "3")
            a.send(encode("BZPOPMIN", "z", "0"))
            wait_blocked(srv, 1)
            b.send(encode("BZMPOP", "0", "1", "z", "MAX", "COUNT", "2"))
            wait_blocked(srv, 2)
            out = [p.cmd("ZADD", "z", "1", "a", "2", "b", "3", "c"), a.read_reply(),
                   b.read_reply()]
            a.send(encode("BZPOPMAX", "z2", "0"))
            wait_blocked(srv, 1)
            out += [p.cmd("ZINCRBY", "z2", "2.5", "m"), a.read_reply()]
            return out
        finally:
            for c in (a, b, p):
                c.close()

    on_both(firn, redis_ref, scenario)


def test_a_key_of_another_type_does_not_serve(firn, redis_ref):
    def scenario(srv):
        w, p = srv.raw(), srv.raw()
        try:
            w.send(encode("BLPOP", "k", "0"))
            wait_blocked(srv, 1)
            p.cmd("ZADD", "k", "1", "m")
            out = [w.pending(0.1), blocked_clients(p)]
            p.cmd("DEL", "k")
            p.cmd("RPUSH", "k", "x")
            out.append(w.read_reply())
            return out
        finally:
            w.close()
            p.close()

    on_both(firn, redis_ref, scenario)


def test_many_blocked_clients_all_served_in_order(firn, redis_ref):
    def scenario(srv):
        waiters = [srv.raw() for _ in range(200)]
        p = srv.raw()
        try:
            for w in waiters:
                w.send(encode("BLPOP", "q", "0"))
            wait_blocked(srv, len(waiters))
            p.cmd("RPUSH", "q", *[str(i) for i in range(len(waiters))])
            return [w.read_reply() for w in waiters] + [blocked_clients(p)]
        finally:
            for c in waiters + [p]:
                c.close()

    on_both(firn, redis_ref, scenario)


def test_client_pause_write_holds_writes_until_unpause(firn, redis_ref):
    def scenario(srv):
        w, r, admin = srv.raw(), srv.raw(), srv.raw()
        try:
            out = [admin.cmd("CLIENT", "PAUSE", "100000", "WRITE")]
            w.send(encode("SET", "k", "v"))
            wait_blocked(srv, 1)
            # (CLIENT UNBLOCK of a paused client is left out: redis-server 7.0.15 crashes.)
            out += [r.cmd("GET", "k"), r.cmd("PING"), r.cmd("SET", "k")]
            out += [admin.cmd("CLIENT", "UNPAUSE"), w.read_reply(), r.cmd("GET", "k")]
            out.append(admin.cmd("CLIENT", "PAUSE", "50"))
            start = time.monotonic()
            out.append(r.cmd("PING"))
            out.append(time.monotonic() - start >= 0.03)
            out += [admin.cmd("CLIENT", "PAUSE", "x"), admin.cmd("CLIENT", "PAUSE", "-1"),
                    admin.cmd("CLIENT", "PAUSE", "1", "NEVER")]
            return out
        finally:
            for c in (w, r, admin):
                c.close()

    on_both(firn, redis_ref, scenario)


def test_client_pause_keeps_expired_keys_until_unpause(firn, redis_ref):
    """During CLIENT PAUSE a key past its expiry reads as absent but is not deleted (INFO's
    expired_keys stays), by GET and by the active cycle; after UNPAUSE a lookup expires it."""
    def scenario(srv):
        r = srv.raw()
        try:
            def expired():
                info = parse_info(r.cmd("INFO", "stats").split(b"\r\n", 1)[1])
                return int(info[None]["expired_keys"])

            before = expired()
            r.cmd("MULTI")
            r.cmd("SET", "foo", "bar", "PX", "10")
            r.cmd("SET", "bar", "foo", "PX", "10")
            r.cmd("CLIENT", "PAUSE", "50000", "WRITE")
            out = [r.cmd("EXEC")]
            time.sleep(0.3)
            out += [r.cmd("GET", "foo"), r.cmd("GET", "bar"), r.cmd("EXISTS", "foo")]
            out.append(expired() - before)
            out += [r.cmd("CLIENT", "UNPAUSE"), r.cmd("GET", "foo"), r.cmd("GET", "bar")]
            out.append(expired() - before)
            return out
        finally:
            r.close()

    on_both(firn, redis_ref, scenario)


def test_read_only_scripts_refuse_may_replicate_commands(firn, redis_ref):
    """PUBLISH is not a write but may replicate: EVAL_RO and no-writes scripts refuse it (the
    error's prefix is compared; the rest names the script)."""
    def scenario(srv):
        r = srv.raw()
        try:
            out = []
            for args in (("EVAL_RO", "return redis.call('publish','ch','msg')", "0"),
                         ("EVAL", "#!lua flags=no-writes\nreturn redis.call('publish','ch','m')",
                          "0"),
                         ("EVAL_RO", "return redis.call('pfcount','hll')", "0")):
                out.append(r.cmd(*args).split(b" script:")[0])
            out.append(r.cmd("EVAL", "return redis.call('publish','ch','msg')", "0"))
            return out
        finally:
            r.close()

    on_both(firn, redis_ref, scenario)


def test_rq_worker_blocks_on_its_queues_and_runs_later_jobs(firn, tmp_path):
    """A real RQ Worker (not burst) started before any job exists: it waits in BLPOP on its
    queues, runs the jobs enqueued afterwards and stops when asked."""
    pytest.importorskip("rq")
    (tmp_path / "rqjobs.py").write_text(textwrap.dedent("""
        import redis

        def add(port, key, a, b):
            # The result goes to a key: RQ keeps return values in a stream, which Firn lacks.
            redis.Redis(port=port).set(key, a + b)
            return a + b
    """))
    worker_script = tmp_path / "worker.py"
    worker_script.write_text(textwrap.dedent("""
        import sys
        import redis
        from rq import Queue, Worker
        from rq.job import Job

        # RQ keeps job results in a stream (XADD) on servers reporting 5.0 or later; streams
        # are another part of Firn's work, so here results stay in the job hash, as RQ does
        # for older servers.
        Job.supports_redis_streams = property(lambda self: False)
        Worker.supports_redis_streams = property(lambda self: False)

        conn = redis.Redis(port=int(sys.argv[1]))
        queues = [Queue("high", connection=conn), Queue("low", connection=conn)]
        Worker(queues, connection=conn, name="blocking-worker").work(burst=False,
                                                                     with_scheduler=False)
    """))
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    proc = subprocess.Popen(["/usr/bin/python3", str(worker_script), str(firn.port)], env=env,
                            cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        import redis
        from rq import Queue, Worker
        from rq.job import JobStatus
        sys.path.insert(0, str(tmp_path))
        import rqjobs  # noqa: F401
        conn = redis.Redis(port=firn.port)
        # The worker registers, then waits on its queues in BLPOP.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if Worker.all(connection=conn) and blocked_clients(firn.raw()) >= 1:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the worker never blocked on its queues:\n%s" %
                                 proc.stdout.read1(65536).decode(errors="replace"))
        clients = conn.client_list()
        assert any(c.get("cmd") == "blpop" and "b" in c.get("flags", "") for c in clients)
        jobs = [Queue("low", connection=conn).enqueue("rqjobs.add", firn.port, "r1", 1, 2),
                Queue("high", connection=conn).enqueue("rqjobs.add", firn.port, "r2", 20, 22)]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for j in jobs:
                j.refresh()
            if all(j.get_status() == JobStatus.FINISHED for j in jobs):
                break
            time.sleep(0.05)
        assert [j.get_status() for j in jobs] == [JobStatus.FINISHED] * 2
        assert conn.mget("r1", "r2") == [b"3", b"42"]
        # Back to waiting on its queues.
        deadline = time.monotonic() + 10
        while blocked_clients(firn.raw()) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert blocked_clients(firn.raw()) >= 1
        w = Worker.find_by_key("rq:worker:blocking-worker", connection=conn)
        assert w.successful_job_count == 2
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
