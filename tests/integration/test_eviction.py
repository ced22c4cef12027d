"""Memory budget and eviction (maxmemory, the eviction policies, OOM under noeviction)."""

import os
import time

import pytest

from conftest import parse_info


MB = 1024 * 1024


def info(client, section="memory"):
    return client.info(section)


def fill(client, prefix, count, size, ex=None, start=0):
    """Writes count keys of size bytes, pipelined; returns how many writes were acknowledged."""
    acked = 0
    value = b"x" * size
    pipe = client.pipeline(transaction=False)
    for i in range(start, start + count):
        if ex is None:
            pipe.set("%s:%d" % (prefix, i), value)
        else:
            pipe.set("%s:%d" % (prefix, i), value, ex=ex)
        if (i - start) % 500 == 499 or i == start + count - 1:
            for r in pipe.execute(raise_on_error=False):
                if r is True:
                    acked += 1
    return acked


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


ALL_KEYS_POLICIES = ["allkeys-lru", "allkeys-lfu", "allkeys-random"]
VOLATILE_POLICIES = ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"]


@pytest.mark.parametrize("policy", ALL_KEYS_POLICIES + VOLATILE_POLICIES)
def test_used_memory_stays_within_maxmemory(start_server, policy):
    srv = start_server("--maxmemory", "8mb", "--maxmemory-policy", policy)
    c = srv.client()
    # Under volatile-* only keys with a TTL may go, so write volatile keys past the budget.
    acked = fill(c, "k", 40000, 512, ex=3600)
    assert acked == 40000, "a write was refused although keys could be evicted"
    mem = info(c)
    assert mem["maxmemory"] == 8 * MB
    assert mem["maxmemory_policy"] == policy
    assert mem["used_memory"] <= 8 * MB + 256 * 1024
    # Every key is either still there or counted as evicted (each command may evict a little
    # more before it runs, hence the bracketing reads).
    evicted_before = info(c, "stats")["evicted_keys"]
    keys = c.dbsize()
    evicted_after = info(c, "stats")["evicted_keys"]
    assert evicted_before > 0
    assert evicted_before + keys <= 40000 <= evicted_after + keys


@pytest.mark.parametrize("policy", VOLATILE_POLICIES)
def test_volatile_policies_never_evict_keys_without_ttl(start_server, policy):
    srv = start_server("--maxmemory", "8mb", "--maxmemory-policy", policy)
    c = srv.client()
    assert fill(c, "keep", 2000, 512) == 2000
    fill(c, "tmp", 40000, 512, ex=3600)
    assert info(c, "stats")["evicted_keys"] > 0
    pipe = c.pipeline(transaction=False)
    for i in range(2000):
        pipe.exists("keep:%d" % i)
    assert sum(pipe.execute()) == 2000


def test_volatile_policy_without_volatile_keys_answers_oom(start_server):
    srv = start_server("--maxmemory", "4mb", "--maxmemory-policy", "volatile-lru")
    c = srv.client()
    acked = fill(c, "p", 20000, 512)
    assert acked < 20000
    with pytest.raises(Exception) as e:
        c.set("one-more", "x" * 512)
    assert str(e.value).startswith("OOM command not allowed when used memory > 'maxmemory'")


def test_noeviction_refuses_writes_and_loses_nothing(start_server):
    srv = start_server("--maxmemory", "4mb", "--maxmemory-policy", "noeviction")
    c = srv.client()
    raw = srv.raw()
    written = []
    refused = None
    for i in range(20000):
        reply = raw.cmd("SET", "k:%d" % i, "v" * 512)
        if reply.startswith(b"-"):
            refused = reply
            break
        assert reply == b"+OK\r\n"
        written.append(i)
    assert refused == b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
    # Reads go on, and every acknowledged write is still there.
    pipe = c.pipeline(transaction=False)
    for i in written:
        pipe.exists("k:%d" % i)
    assert sum(pipe.execute()) == len(written)
    assert info(c, "stats")["evicted_keys"] == 0
    assert raw.cmd("GET", "k:0") == b"$512\r\n" + b"v" * 512 + b"\r\n"
    # Commands that don't grow the dataset still run.
    assert raw.cmd("DEL", "k:0") == b":1\r\n"


def test_volatile_ttl_evicts_nearest_expiry_first(start_server):
    srv = start_server("--maxmemory", "6mb", "--maxmemory-policy", "volatile-ttl",
                       "--maxmemory-samples", "10")
    c = srv.client()
    pipe = c.pipeline(transaction=False)
    n = 16000
    for i in range(n):
        pipe.set("t:%d" % i, "x" * 512, ex=10000 + i)  # later keys expire later
    pipe.execute()
    evicted = info(c, "stats")["evicted_keys"]
    assert evicted > 0
    pipe = c.pipeline(transaction=False)
    for i in range(n):
        pipe.exists("t:%d" % i)
    present = pipe.execute()
    first_half_gone = present[: n // 2].count(0)
    second_half_gone = present[n // 2:].count(0)
    assert first_half_gone > 2 * second_half_gone


def test_lowering_maxmemory_at_runtime_evicts_down_to_it(start_server):
    srv = start_server("--maxmemory-policy", "allkeys-lru")
    c = srv.client()
    fill(c, "k", 40000, 512)
    assert info(c)["used_memory"] > 16 * MB
    assert c.config_set("maxmemory", "8mb")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and info(c)["used_memory"] > 8 * MB:
        time.sleep(0.05)
    assert info(c)["used_memory"] <= 8 * MB
    assert info(c, "stats")["evicted_keys"] > 0


def test_rss_stays_within_budget_while_ten_times_maxmemory_is_written(start_server):
    """The stated margin: RSS grows by at most maxmemory * 1.5 + 8 MB over its idle size
    (allocator fragmentation and page granularity; Redis has the same kind of margin)."""
    budget = 16 * MB
    srv = start_server("--maxmemory", "16mb", "--maxmemory-policy", "allkeys-lru")
    c = srv.client()
    if not info(c)["mem_allocator"].startswith("jemalloc"):
        # Sanitizer builds: ASan's allocator quarantines freed memory, so RSS says nothing.
        pytest.skip("RSS is only meaningful with jemalloc")
    baseline = rss_bytes(srv.proc.pid)
    peak = baseline
    written = 0
    i = 0
    while written < 10 * budget:
        fill(c, "k", 2000, 1024, start=i)
        i += 2000
        written += 2000 * 1024
        peak = max(peak, rss_bytes(srv.proc.pid))
    assert peak - baseline <= budget * 1.5 + 8 * MB, "RSS grew by %d bytes" % (peak - baseline)
    assert info(c)["used_memory"] <= budget + 256 * 1024


def test_memory_usage_and_object_introspection(start_server):
    srv = start_server("--maxmemory-policy", "allkeys-lfu")
    c = srv.client()
    c.set("k", "v" * 32)
    usage = c.memory_usage("k")
    assert 48 <= usage <= 128
    assert c.memory_usage("missing") is None
    for _ in range(50):
        c.get("k")
    assert c.object("freq", "k") > 5
    stats = c.memory_stats()
    assert stats["keys.count"] == 1
