#!/usr/bin/env python3
"""Writes modules/acl_redis_commands.inc: every command and subcommand of redis-server 7.0.15
with its ACL categories, from a running server's COMMAND reply.

The ACL describes a user's command rights by counting commands per category over this list
(as Redis counts over its own table), and accepts rules naming the Redis commands Firn lacks.

    redis-server --port 6399 --save '' &
    python3 tests/unit/modules/acl_redis_commands.py 6399 > modules/acl_redis_commands.inc
"""

import sys

import redis


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 6379
    r = redis.Redis(port=port, decode_responses=True)
    r.response_callbacks.pop("COMMAND", None)
    rows = []

    def walk(entry):
        cats = " ".join(c.lstrip("@") for c in entry[6])
        rows.append((entry[0].lower(), cats))
        for sub in entry[9] if len(entry) > 9 else []:
            walk(sub)

    for entry in r.execute_command("COMMAND"):
        walk(entry)
    rows.sort()
    version = r.info("server")["redis_version"]
    print(f"// redis-server {version}'s commands and subcommands with their ACL categories, written by")
    print("// tests/unit/modules/acl_redis_commands.py from the server's COMMAND reply. Data only.")
    for name, cats in rows:
        print(f'{{"{name}", "{cats}"}},')


if __name__ == "__main__":
    main()
