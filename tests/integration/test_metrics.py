"""The Prometheus exporter: GET /metrics scraped over HTTP and parsed with prometheus_client's
own text parser (Debian's python3-prometheus-client), as Prometheus would read it.

Every test starts its own server with a metrics port (the shared servers run with
--metrics-port 0)."""

import socket
import subprocess
import threading
import time
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import FIRN_BINARY, FIRN_IS_REDIS, free_port

pytestmark = pytest.mark.skipif(FIRN_IS_REDIS, reason="Firn's own exporter")

REDIS_EXPORTER_NAMES = [
    "redis_up", "redis_uptime_in_seconds", "redis_connected_clients", "redis_blocked_clients",
    "redis_memory_used_bytes", "redis_memory_max_bytes", "redis_memory_used_rss_bytes",
    "redis_keyspace_hits_total", "redis_keyspace_misses_total", "redis_expired_keys_total",
    "redis_evicted_keys_total", "redis_commands_processed_total",
    "redis_connections_received_total", "redis_rejected_connections_total",
    "redis_net_input_bytes_total", "redis_net_output_bytes_total", "redis_db_keys",
    "redis_db_keys_expiring", "redis_commands_total", "redis_commands_duration_seconds_total",
]


def scrape(port, timeout=5.0):
    """GET /metrics; returns {sample name: [(labels dict, value)]} and the family types."""
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=timeout) as r:
        assert r.status == 200
        text = r.read().decode()
    samples, types = {}, {}
    for fam in text_string_to_metric_families(text):
        types[fam.name] = fam.type
        for s in fam.samples:
            samples.setdefault(s.name, []).append((s.labels, s.value))
    return samples, types


def value(samples, name, **labels):
    """The value of the one sample of `name` whose labels include `labels`; None if absent."""
    found = [v for l, v in samples.get(name, []) if all(l.get(k) == w for k, w in labels.items())]
    assert len(found) <= 1, "%s%r matches %d samples" % (name, labels, len(found))
    return found[0] if found else None


@pytest.fixture
def metrics_server(start_server):
    """start(*opts) -> (server, metrics port)."""
    def start(*opts):
        mport = free_port()
        srv = start_server("--metrics-port", mport, *opts)
        return srv, mport
    return start


def test_redis_exporter_names_are_all_there(metrics_server):
    srv, mport = metrics_server()
    samples, types = scrape(mport)
    for name in REDIS_EXPORTER_NAMES:
        assert name in samples, name
    assert value(samples, "redis_up") == 1
    assert types["redis_keyspace_hits"] == "counter"
    assert types["redis_connected_clients"] == "gauge"
    assert value(samples, "redis_db_keys", db="db0") == 0
    assert value(samples, "redis_db_keys", db="db15") == 0
    assert "Metrics exporter listening on http://127.0.0.1:%d/metrics" % mport in srv.log()


def test_counters_move_as_commands_run(metrics_server):
    srv, mport = metrics_server()
    before, _ = scrape(mport)
    c = srv.client()
    c.set("a", "1")
    c.set("b", "2", px=100000)
    c.get("a")
    c.get("a")
    c.get("nope")
    srv.client(db=2).set("x", "y")
    after, _ = scrape(mport)

    def delta(name, **labels):
        return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)

    assert delta("redis_keyspace_hits_total") == 2
    assert delta("redis_keyspace_misses_total") == 1
    assert delta("redis_commands_total", cmd="get") == 3
    assert delta("redis_commands_total", cmd="set") == 3
    assert delta("redis_commands_processed_total") >= 7  # 6 + SELECT
    assert delta("redis_connections_received_total") >= 1
    assert delta("redis_net_input_bytes_total") > 0
    assert delta("redis_net_output_bytes_total") > 0
    assert value(after, "redis_db_keys", db="db0") == 2
    assert value(after, "redis_db_keys_expiring", db="db0") == 1
    assert value(after, "redis_db_keys", db="db2") == 1
    assert value(after, "redis_connected_clients") >= 1
    assert value(after, "redis_commands_duration_seconds_total", cmd="get") > 0
    # jemalloc's figure (0 in sanitizer builds, whose allocator reports nothing) and /proc's.
    assert value(after, "redis_memory_used_bytes") >= 0
    assert value(after, "redis_memory_used_rss_bytes") > 0
    # The latency histogram of GET: cumulative buckets ending in +Inf == count.
    buckets = [(float(l["le"]), v) for l, v in after["firn_command_duration_seconds_bucket"]
               if l["cmd"] == "get"]
    assert buckets == sorted(buckets)
    assert buckets[-1][0] == float("inf")
    assert buckets[-1][1] == value(after, "firn_command_duration_seconds_count", cmd="get") == 3


def test_maxmemory_and_expired_keys(metrics_server):
    srv, mport = metrics_server("--maxmemory", "64mb")
    c = srv.client()
    c.set("t", "v", px=1)
    time.sleep(0.01)
    assert c.get("t") is None
    samples, _ = scrape(mport)
    assert value(samples, "redis_memory_max_bytes") == 64 * 1024 * 1024
    assert value(samples, "redis_expired_keys_total") >= 1


def _has_command(srv, name):
    conn = srv.raw()
    try:
        return conn.cmd("COMMAND", "INFO", name) != b"*1\r\n*-1\r\n"
    finally:
        conn.close()


def test_limiter_decisions_are_counted_by_prefix(metrics_server):
    srv, mport = metrics_server()
    if not _has_command(srv, "cl.throttle"):
        pytest.skip("CL.THROTTLE not implemented yet")
    c = srv.client()
    for _ in range(5):  # burst 2 (3 tokens), then limited
        c.execute_command("CL.THROTTLE", "api:user1", 2, 1, 60)
    c.execute_command("CL.THROTTLE", "login:user1", 2, 1, 60)
    samples, _ = scrape(mport)
    assert value(samples, "firn_ratelimit_decisions_total", limiter="api", result="allowed") == 3
    assert value(samples, "firn_ratelimit_decisions_total", limiter="api", result="limited") == 2
    assert value(samples, "firn_ratelimit_decisions_total", limiter="login", result="allowed") == 1
    if _has_command(srv, "rl.window"):
        c.execute_command("RL.WINDOW", "web:1.2.3.4", 1, 1000)
        c.execute_command("RL.WINDOW", "web:1.2.3.4", 1, 1000)
        samples, _ = scrape(mport)
        assert value(samples, "firn_ratelimit_decisions_total", limiter="web", result="allowed") == 1
        assert value(samples, "firn_ratelimit_decisions_total", limiter="web", result="limited") == 1


def test_limiter_cardinality_cap_holds_under_100k_prefixes(metrics_server):
    srv, mport = metrics_server("--metrics-max-limiters", "50")
    if not _has_command(srv, "cl.throttle"):
        pytest.skip("CL.THROTTLE not implemented yet")
    c = srv.client()
    n = 100_000
    batch = 5000
    for start in range(0, n, batch):
        p = c.pipeline(transaction=False)
        for i in range(start, start + batch):
            if i % 2:
                p.execute_command("CL.THROTTLE", "p%d:user" % i, 10, 10, 60)
            else:
                p.execute_command("RL.WINDOW", "p%d:user" % i, 10, 60000)
        p.execute()
    samples, _ = scrape(mport, timeout=30)
    series = samples["firn_ratelimit_decisions_total"]
    limiters = {l["limiter"] for l, _ in series}
    assert len(limiters) <= 50 + 1  # the cap, plus "other"
    assert "other" in limiters
    assert len(series) <= 2 * (50 + 1)
    # Nothing is lost by folding: every decision is counted somewhere.
    assert sum(v for _, v in series) == n


def test_concurrent_scrapes_under_load(metrics_server):
    """Scrapes from several threads while clients hammer the server: every scrape parses and
    the loop-thread snapshot never blocks commands."""
    srv, mport = metrics_server()
    errors = []
    stop = threading.Event()

    def scraper():
        try:
            while not stop.is_set():
                samples, _ = scrape(mport)
                assert value(samples, "redis_up") == 1
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=scraper) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        subprocess.run(["redis-benchmark", "-p", str(srv.port), "-t", "set,get", "-n", "50000",
                        "-P", "16", "-q"], check=True, capture_output=True, timeout=60)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not errors, errors
    samples, _ = scrape(mport)
    assert value(samples, "redis_commands_total", cmd="set") >= 50000


def test_metrics_port_zero_means_no_listener(start_server):
    srv = start_server()  # the harness passes --metrics-port 0
    assert "Metrics exporter off" in srv.log()


def test_metrics_port_in_use_is_a_startup_error(tmp_path):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    mport = busy.getsockname()[1]
    try:
        proc = subprocess.run([FIRN_BINARY, "--port", str(free_port()), "--metrics-port",
                               str(mport)], capture_output=True, text=True, timeout=10)
    finally:
        busy.close()
    # A busy metrics address stops the start, as a busy client address does, and the message
    # says what is wrong and which settings change it.
    assert proc.returncode == 1
    out = proc.stderr + proc.stdout
    assert "127.0.0.1:%d is already in use" % mport in out, out
    assert "metrics-port" in out and "metrics-bind" in out and "metrics-port 0" in out, out
    assert "CivetServer" not in out, out


def _slow_http_client(mport):
    """A connection to the exporter that sends part of its headers and never the rest."""
    s = socket.create_connection(("127.0.0.1", mport), timeout=5)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: firn\r\n")
    return s


@pytest.mark.parametrize("slow", [2, 8])
def test_slow_http_clients_do_not_starve_scrapes(metrics_server, slow):
    # Each slow connection holds an HTTP worker until the request timeout (2 s); before, two
    # of them held both workers for civetweb's default 30 s.
    srv, mport = metrics_server()
    scrape(mport)
    conns = [_slow_http_client(mport) for _ in range(slow)]
    try:
        time.sleep(0.2)  # let the workers pick the slow connections up first
        t0 = time.monotonic()
        samples, _ = scrape(mport, timeout=15)
        elapsed = time.monotonic() - t0
        assert value(samples, "redis_up") == 1
        # Fewer slow connections than workers: answered at once; more: within a request
        # timeout or two.
        assert elapsed < (1.0 if slow < 4 else 5.0), elapsed
    finally:
        for s in conns:
            s.close()


def test_shutdown_with_the_exporter_is_quick(metrics_server):
    srv, mport = metrics_server()
    scrape(mport)
    t0 = time.monotonic()
    assert srv.stop() == 0
    assert time.monotonic() - t0 < 1.5


def test_config_set_moves_the_exporter_and_turns_it_off(metrics_server):
    srv, mport = metrics_server()
    c = srv.client()
    assert value(scrape(mport)[0], "redis_up") == 1
    moved = free_port()
    assert c.config_set("metrics-port", moved)
    assert value(scrape(moved)[0], "redis_up") == 1
    with pytest.raises(OSError):
        scrape(mport, timeout=1.0)
    assert c.config_get("metrics-port") == {"metrics-port": str(moved)}
    # 0 turns the exporter off; a port again turns it back on.
    assert c.config_set("metrics-port", 0)
    with pytest.raises(OSError):
        scrape(moved, timeout=1.0)
    assert c.config_set("metrics-port", mport)
    assert value(scrape(mport)[0], "redis_up") == 1


def test_config_set_metrics_port_to_a_busy_port_changes_nothing(metrics_server):
    srv, mport = metrics_server()
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        r = srv.raw()
        assert r.cmd("CONFIG", "SET", "metrics-port", str(busy.getsockname()[1])) == (
            b"-ERR CONFIG SET failed (possibly related to argument 'metrics-port') - "
            b"Unable to listen on this port. Check server logs.\r\n")
        assert r.cmd("CONFIG", "GET", "metrics-port") == (
            b"*2\r\n$12\r\nmetrics-port\r\n$%d\r\n%d\r\n" % (len(str(mport)), mport))
        assert value(scrape(mport)[0], "redis_up") == 1
    finally:
        busy.close()
