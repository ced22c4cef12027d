"""Busy polling (busy-poll-us): under dense traffic the server keeps polling instead of
sleeping between requests; once traffic stops it sleeps again; 0 turns it off."""

import time

from conftest import RawConn, decode, encode


def _status(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s in /proc/%d/status" % (field, pid))


def _cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _sleeps_during_pings(srv, n=3000):
    """Voluntary context switches of the server while one client sends n PINGs in turn."""
    c = RawConn(port=srv.port)
    try:
        c.send(encode("PING"))
        assert c.read_reply() == b"+PONG\r\n"
        before = _status(srv.proc.pid, "voluntary_ctxt_switches")
        for _ in range(n):
            c.send(encode("PING"))
            c.read_reply()
        return _status(srv.proc.pid, "voluntary_ctxt_switches") - before
    finally:
        c.close()


def test_dense_traffic_does_not_sleep_between_requests(start_server):
    polling = start_server("--busy-poll-us", "2000", "--loglevel", "debug")
    sleeping = start_server("--busy-poll-us", "0")
    n = 3000
    asleep = _sleeps_during_pings(sleeping, n)
    awake = _sleeps_during_pings(polling, n)
    with open(polling.logpath, "rb") as f:
        backed_off = b"Busy polling paused" in f.read()
    if backed_off:
        # No core to spare on this machine: the spinning loop kept being preempted, so it
        # backed off and slept (test_conn_flood.py checks that back-off on its own).
        return
    # Without polling the server sleeps before nearly every request; polling, it takes them
    # as they come (the cron and preemption still cost a few switches).
    assert asleep > n // 2, asleep
    assert awake < asleep // 4, (awake, asleep)


def test_polling_stops_when_traffic_stops(start_server):
    srv = start_server("--busy-poll-us", "10000")
    _sleeps_during_pings(srv, 500)
    time.sleep(0.2)
    ticks = _cpu_ticks(srv.proc.pid)
    time.sleep(1.0)
    # Idle: no more than a few ticks (10 ms each) of cron work, not a core spinning.
    assert _cpu_ticks(srv.proc.pid) - ticks <= 5


def test_busy_poll_is_a_runtime_setting(start_server):
    srv = start_server()
    c = RawConn(port=srv.port)
    try:
        c.send(encode("CONFIG", "GET", "busy-poll-us"))
        assert decode(c.read_reply()) == [b"busy-poll-us", b"100"]
        c.send(encode("CONFIG", "SET", "busy-poll-us", "0"))
        assert c.read_reply() == b"+OK\r\n"
        c.send(encode("CONFIG", "SET", "busy-poll-us", "10001"))
        err = c.read_reply().decode()
        assert "must be between 0 and 10000" in str(err), err
    finally:
        c.close()
    asleep = _sleeps_during_pings(srv, 1000)
    assert asleep > 500, asleep
