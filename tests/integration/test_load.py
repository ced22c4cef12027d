"""Load: redis-benchmark runs clean, and a pooled multi-threaded redis-py client (as a Flask
app uses it) reads back exactly what each thread wrote. Nothing here measures speed."""

import pickle
import re
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from conftest import decode

BENCH_TESTS = "ping,set,get,incr,mset"


@pytest.mark.parametrize("pipeline", ["16", "1"])
def test_redis_benchmark_runs_without_errors(firn, pipeline):
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(firn.port), "-t", BENCH_TESTS,
            "-P", pipeline, "-n", "20000", "-q"]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    out = p.stdout + p.stderr
    assert p.returncode == 0, "redis-benchmark exited %d:\n%s" % (p.returncode, out[-2000:])
    bad = [l for l in out.splitlines() if re.search(r"error|failed", l, re.I)]
    assert not bad, "redis-benchmark reported:\n%s" % "\n".join(bad[:20])
    done = {m.group(1) for m in re.finditer(r"^\s*([A-Z_]+(?: \(10 keys\))?): [\d.]+ requests per second",
                                             p.stdout.replace("\r", "\n"), re.M)}
    expected = {"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"}
    assert expected <= done, "missing results for %s in:\n%s" % (expected - done, p.stdout[-2000:])
    c = firn.raw()
    # redis-benchmark's INCR hits counter:__rand_int__ (no -r): exactly n increments.
    assert decode(c.cmd("GET", "counter:__rand_int__")) == b"20000"
    assert decode(c.cmd("STRLEN", "key:__rand_int__")) == 3  # the default -d 3 payload


def test_redis_benchmark_random_keys_and_large_values(firn):
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(firn.port), "-t", "set,get",
            "-P", "8", "-n", "5000", "-r", "1000", "-d", "4000", "-c", "20", "-q"]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out[-2000:]
    assert not re.search(r"error", out, re.I), out[-2000:]
    c = firn.raw()
    n = decode(c.cmd("DBSIZE"))
    assert 500 < n <= 1000, n
    key = decode(c.cmd("RANDOMKEY"))
    assert decode(c.cmd("STRLEN", key)) == 4000


def test_threaded_connection_pool_round_trips_pickled_values(firn):
    pool = redis.ConnectionPool(host=firn.host, port=firn.port, max_connections=50, socket_timeout=20)
    client = redis.Redis(connection_pool=pool)
    mismatches = []
    lock = threading.Lock()

    def worker(w):
        for i in range(40):
            key = "session:%d:%d" % (w, i)
            value = {"worker": w, "i": i, "payload": bytes([w % 256, i % 256]) * (w + i + 1),
                     "text": "user-%d ✓" % w, "list": list(range(i))}
            blob = pickle.dumps(value)
            assert client.set(key, blob, ex=300)
            got = client.get(key)
            if got != blob or pickle.loads(got) != value:
                with lock:
                    mismatches.append(key)
            client.incr("hits:%d" % (w % 5))
        return w

    with ThreadPoolExecutor(max_workers=50) as pool_exec:
        done = list(pool_exec.map(worker, range(50)))
    assert done == list(range(50))
    assert not mismatches, "values read back differ for %d keys, e.g. %s" % (len(mismatches), mismatches[:5])
    assert sum(int(client.get("hits:%d" % k)) for k in range(5)) == 50 * 40
    # Every write is visible afterwards from a fresh connection.
    c = firn.raw()
    assert decode(c.cmd("DBSIZE")) == 50 * 40 + 5
    for w in (0, 17, 49):
        blob = decode(c.cmd("GET", "session:%d:39" % w))
        assert pickle.loads(blob)["worker"] == w
    pool.disconnect()


def test_many_concurrent_raw_clients_interleaved(firn):
    conns = [firn.raw() for _ in range(100)]
    for round_ in range(5):
        for i, c in enumerate(conns):
            c.send(b"*2\r\n$4\r\nINCR\r\n$" + str(len("c%d" % i)).encode() + b"\r\nc%d\r\n" % i)
        for i, c in enumerate(conns):
            assert c.read_reply() == b":%d\r\n" % (round_ + 1)
    for c in conns:
        c.close()
