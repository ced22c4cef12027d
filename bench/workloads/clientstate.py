"""Client state: PUBLISH fan-out and WATCH/MULTI/EXEC under contention, Firn beside Redis.

Rows:
  publish 1 sub / publish 100 subs   one publisher pipelines PUBLISH of a 64-byte message in
      batches of 100 while 1 or 100 subscribers (one selector thread) drain their sockets;
      messages_per_s = messages delivered (publishes x subscribers) / seconds until the last
      subscriber has read its last message.
  watch-incr 8 clients               8 threads increment one counter with WATCH, GET, MULTI,
      SET, EXEC, retrying an EXEC that answers nil; increments_per_s and the retry count.
The clients are Python, the same for both servers, so the figures compare the servers under
the same client cost rather than measure either server's ceiling.
"""

import os
import selectors
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

MESSAGE = b"m" * 64
CHANNEL = b"bench:ch"


def _frame():
    # What a RESP2 subscriber reads per message.
    return (b"*3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
            % (len(CHANNEL), CHANNEL, len(MESSAGE), MESSAGE))


def _connect(host, port):
    s = socket.create_connection((host, port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def _read_reply_line(sock):
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("connection closed")
        data += chunk
    return data


def publish(host, port, subscribers, quick=False):
    publishes = (20000 if quick else 100000) // max(1, subscribers // 10)
    subs = []
    for _ in range(subscribers):
        s = _connect(host, port)
        s.sendall(common.encode("SUBSCRIBE", CHANNEL))
        want = b"*3\r\n$9\r\nsubscribe\r\n"
        got = b""
        while b":1\r\n" not in got:
            got += s.recv(4096)
        assert got.startswith(want), got
        s.setblocking(False)
        subs.append(s)
    frame_len = len(_frame())
    expected = publishes * frame_len
    received = {s.fileno(): 0 for s in subs}
    done = threading.Event()

    def drain():
        sel = selectors.DefaultSelector()
        for s in subs:
            sel.register(s, selectors.EVENT_READ)
        left = len(subs)
        while left:
            for key, _ in sel.select(timeout=30):
                chunk = key.fileobj.recv(1 << 16)
                if not chunk:
                    raise RuntimeError("subscriber closed")
                fd = key.fileobj.fileno()
                received[fd] += len(chunk)
                if received[fd] >= expected:
                    sel.unregister(key.fileobj)
                    left -= 1
        done.set()

    reader = threading.Thread(target=drain, daemon=True)
    pub = _connect(host, port)
    batch = common.encode("PUBLISH", CHANNEL, MESSAGE) * 100
    start = time.monotonic()
    reader.start()
    sent = 0
    while sent < publishes:
        pub.sendall(batch)
        buf = b""
        while buf.count(b"\r\n") < 100:
            buf += pub.recv(1 << 16)
        sent += 100
    if not done.wait(120):
        raise RuntimeError("subscribers did not receive every message")
    elapsed = time.monotonic() - start
    for s in subs + [pub]:
        s.close()
    delivered = sent * subscribers
    return {"messages_per_s": round(delivered / elapsed), "publishes": sent,
            "subscribers": subscribers, "seconds": round(elapsed, 3)}


def watch_incr(host, port, clients=8, quick=False):
    per_client = 250 if quick else 1000
    setup = _connect(host, port)
    setup.sendall(common.encode("SET", "bench:counter", "0"))
    _read_reply_line(setup)
    retries = [0] * clients
    errors = []

    def worker(i):
        try:
            s = _connect(host, port)
            f = s.makefile("rb")

            def call(*args):
                s.sendall(common.encode(*args))
                return _read(f)

            for _ in range(per_client):
                while True:
                    call("WATCH", "bench:counter")
                    v = int(call("GET", "bench:counter"))
                    s.sendall(common.encode("MULTI") + common.encode("SET", "bench:counter", v + 1)
                              + common.encode("EXEC"))
                    _read(f)
                    _read(f)
                    if _read(f) is not None:
                        break
                    retries[i] += 1
            s.close()
        except Exception as e:  # reported, not raised from the thread
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    setup.sendall(common.encode("GET", "bench:counter"))
    total = _read(setup.makefile("rb"))
    setup.close()
    if errors:
        return {"error": errors[0]}
    if int(total) != clients * per_client:
        return {"error": "counter is %s, expected %d" % (total, clients * per_client)}
    return {"increments_per_s": round(clients * per_client / elapsed),
            "retries": sum(retries), "seconds": round(elapsed, 3)}


def _read(f):
    """One RESP2 reply from a buffered socket file: bytes, int, None, a list, or an error."""
    line = f.readline()
    t, rest = line[:1], line[1:-2]
    if t in (b"+", b"-"):
        return rest
    if t == b":":
        return int(rest)
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:-2]
    if t == b"*":
        n = int(rest)
        if n < 0:
            return None
        return [_read(f) for _ in range(n)]
    raise RuntimeError("bad reply line %r" % line)


ROWS = {
    "publish 1 sub": lambda h, p, q: publish(h, p, 1, q),
    "publish 100 subs": lambda h, p, q: publish(h, p, 100, q),
    "watch-incr 8 clients": lambda h, p, q: watch_incr(h, p, 8, q),
}
KEY_FIGURE = {"publish 1 sub": "messages_per_s", "publish 100 subs": "messages_per_s",
              "watch-incr 8 clients": "increments_per_s"}


def family(runner):
    """bench/run.py's family: each row on Firn and Redis, repetitions interleaved."""
    targets = [runner.firn, runner.redis]
    for t in targets:
        t.start()
    for row, fn in ROWS.items():
        for rep in range(runner.reps("clientstate")):
            for t in runner.order(targets, rep):
                srv = t.ensure()
                if srv is None:
                    res = {"error": t.start_error}
                else:
                    try:
                        res = fn(srv.host, srv.port, runner.quick)
                    except Exception as e:  # one failed row must not stop the run
                        res = {"error": repr(e)}
                runner.record("clientstate", row, t, res)
        print("clientstate %-22s %s" % (row, runner.brief("clientstate", row, KEY_FIGURE[row])),
              flush=True)
    for t in targets:
        t.stop()


def main():
    a = common.standalone_args(__doc__.splitlines()[0])
    common.print_json({row: fn(a.host, a.port, a.quick) for row, fn in ROWS.items()})


if __name__ == "__main__":
    main()
