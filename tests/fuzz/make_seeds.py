#!/usr/bin/env python3
"""Regenerates the RDB seed corpora from a real redis-server 7.0: DUMP payloads of every
type in each of its encodings (tests/fuzz/corpus/rdb_object, the object part without the
version and checksum trailer), and snapshot files (tests/fuzz/corpus/rdb_file).

Usage: tests/fuzz/make_seeds.py [redis-server path]. The files are checked in; rerun only to
refresh them."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import redis

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fill(r):
    r.set("s:raw", "hello world")
    r.set("s:int", "12345")
    r.set("s:long", "x" * 200)  # LZF-compressed
    r.set("s:neg", "-70000")
    r.rpush("l:small", "a", "1", "-2", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
    r.rpush("l:big", *[str(i) * (i % 7 + 1) for i in range(300)])
    r.sadd("set:int", 1, 2, 3, -100000, 70000, 5000000000)
    r.sadd("set:str", "a", "b", "c")
    r.sadd("set:big", *[f"m{i}" for i in range(200)])
    r.zadd("z:small", {"a": 1, "b": 2.5, "c": -3})
    r.zadd("z:big", {f"m{i}": i / 3 for i in range(200)})
    r.hset("h:small", mapping={"f1": "v1", "f2": "2"})
    r.hset("h:big", mapping={f"f{i}": "v" * (i % 80) for i in range(200)})
    r.xadd("st", {"a": "1", "b": "2"}, id="1-1")
    r.xadd("st", {"a": "3"}, id="2-0")
    r.xgroup_create("st", "g", id="0")
    r.xreadgroup("g", "c1", {"st": ">"}, count=1)
    r.set("s:ttl", "v", px=10**9)


def main():
    server = sys.argv[1] if len(sys.argv) > 1 else "/usr/bin/redis-server"
    tmp = tempfile.mkdtemp()
    port = free_port()
    proc = subprocess.Popen([server, "--port", str(port), "--save", "", "--dir", tmp,
                             "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        r = redis.Redis(port=port)
        for _ in range(100):
            try:
                r.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        fill(r)
        obj_dir = os.path.join(HERE, "corpus", "rdb_object")
        os.makedirs(obj_dir, exist_ok=True)
        for key in sorted(k.decode() for k in r.keys("*")):
            payload = r.dump(key)
            with open(os.path.join(obj_dir, key.replace(":", "_")), "wb") as f:
                f.write(payload[:-10])
        file_dir = os.path.join(HERE, "corpus", "rdb_file")
        os.makedirs(file_dir, exist_ok=True)
        r.save()
        shutil.copy(os.path.join(tmp, "dump.rdb"), os.path.join(file_dir, "all_types.rdb"))
        r.flushall()
        r.set("k", "v")
        r.execute_command("SELECT", 3)
        r.set("k3", "v3", px=10**9)
        r.save()
        shutil.copy(os.path.join(tmp, "dump.rdb"), os.path.join(file_dir, "two_dbs.rdb"))
        r.execute_command("SELECT", 0)
        r.flushall()
        r.save()
        shutil.copy(os.path.join(tmp, "dump.rdb"), os.path.join(file_dir, "empty.rdb"))
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
