"""How ACL GETUSER and ACL LIST describe a user's command rights, against redis-server 7.0.15.

Redis 7.0 does not keep the command rules as given: it describes the resulting rights afresh,
with the category rules that fit best and the single commands left over ("+@read -@dangerous
+@read" reads "-@all +@read"). The category rules come in a fixed order; the single commands
after them come in the order of Redis's command hash table, which changes from one
redis-server process to the next, so they are compared as groups (a command, its
subcommands and its first arguments, in that order) in any order.

The property test runs random rule lists and checks, for every command both servers have,
that ACL DRYRUN agrees, and that Firn's description, given to a fresh user, grants the same
commands and describes itself the same way again.
"""

import random

import pytest

from conftest import decode
from test_acl import acl_both  # noqa: F401 (the fixture: both servers, users removed after)


# Redis 7.0's commands with subcommands: their subcommands come in hash-table order too.
CONTAINERS = {"acl", "client", "cluster", "command", "config", "function", "latency", "memory",
              "module", "object", "pubsub", "script", "slowlog", "xgroup", "xinfo"}


def normalize_rules(text):
    """(start, category rules, single-command groups as a sorted list) of a description."""
    tokens = text.split()
    assert tokens and tokens[0] in ("+@all", "-@all"), text
    i = 1
    while i < len(tokens) and tokens[i][1:2] == "@":
        i += 1
    groups = {}
    for t in tokens[i:]:
        groups.setdefault(t[1:].split("|")[0], []).append(t)
    for base, group in groups.items():
        if base in CONTAINERS:
            whole = [t for t in group if "|" not in t]
            group[:] = whole + sorted(t for t in group if "|" in t)
    return tokens[0], tokens[1:i], sorted(groups.values())


def split_list_line(line):
    """An ACL LIST line: (everything before the command rules, their normalized form)."""
    words = line.split(" ")
    start = next(i for i, w in enumerate(words) if w in ("+@all", "-@all"))
    return " ".join(words[:start]), normalize_rules(" ".join(words[start:]))


def getuser_fields(raw):
    reply = decode(raw)
    return {reply[i].decode(): reply[i + 1] for i in range(0, len(reply), 2)}


def acl_list_line(raw, user):
    prefix = ("user %s " % user).encode()
    return next(l.decode() for l in decode(raw) if l.startswith(prefix))


_firn_only = {}


def firn_only_commands(both):
    """Firn's commands Redis 7.0 lacks (CL.THROTTLE, RL.*, CLIENT SETINFO): Firn describes
    them as any other command, and Redis cannot, so their rules are left out of comparisons."""
    key = (both.firn_srv.port, both.redis_srv.port)
    if key not in _firn_only:
        _firn_only[key] = set(command_table(both.f)) - set(command_table(both.r))
    return _firn_only[key]


def without_commands(text, names):
    return " ".join(t for t in text.split(" ") if t[1:].split("|")[0] not in names and
                    t[1:] not in names)


def compare_descriptions(both, user):
    """GETUSER and LIST of user on both servers: equal, single-command order aside. Returns
    Firn's commands field."""
    firn_only = firn_only_commands(both)
    f_raw, r_raw = both.both_do("ACL", "GETUSER", user)
    f, r = getuser_fields(f_raw), getuser_fields(r_raw)
    f_cmds, r_cmds = f.pop("commands").decode(), r.pop("commands").decode()
    assert f == r
    assert normalize_rules(without_commands(f_cmds, firn_only)) == normalize_rules(r_cmds), \
        (f_cmds, r_cmds)
    f_raw, r_raw = both.both_do("ACL", "LIST")
    f_line, r_line = acl_list_line(f_raw, user), acl_list_line(r_raw, user)
    assert split_list_line(without_commands(f_line, firn_only)) == split_list_line(r_line), \
        (f_line, r_line)
    return f_cmds


RULE_SETS = [
    # The cases seen to differ.
    "+@read -@dangerous +@read",
    "+@read -@dangerous +get|x",
    "+@all -@dangerous",
    "allcommands -flushall",
    "nocommands +get",
    "+@hash -hset +@write",
    "+select|0 +select|1",
    "+@all -select +select|0",
    # Categories, mixed and repeated.
    "+@read +@write",
    "+@write +@read -@write",
    "+@all -@write -@admin +@write",
    "+@slow -@fast",
    "+@fast -@slow +@slow",
    "-@all +@admin -@dangerous",
    "+@dangerous -@admin",
    "+@keyspace +@string -@write",
    "+@list +@blocking -@list",
    "+@pubsub +@connection -@pubsub +@pubsub",
    "+@scripting -eval +@transaction",
    "+@all -@keyspace -@read -@write -@slow",
    # Commands, subcommands, first arguments.
    "+get +set -get +get",
    "+config -config|set +config|set -config",
    "+@admin -config +config|get",
    "+client|id +client|kill -client",
    "+@slow -object +object|encoding",
    "+@read -@read +keys +keys",
    "+@all -config|get -client|kill -acl|deluser",
    "+get|0 +get +get|1",
    "+@all -get +get|0 +get|1 +get|0",
    "+ping|x +ping|X",
    # Whole-table rules and reset in the middle.
    "+@read reset +@write",
    "+@write allcommands -@write nocommands +@hash",
    "+get nocommands +set",
    "-@all +@all -get +@all",
    # Redis's commands Firn does not have: accepted, kept and described.
    "+@all -debug",
    "+@admin -cluster +cluster|info",
    "+debug|object -@all +debug|object",
    "-@all +module|list +cluster",
]


@pytest.mark.parametrize("rules", RULE_SETS)
def test_command_rules_described_as_redis(acl_both, rules):
    acl_both("ACL", "SETUSER", "u", "reset", *rules.split())
    compare_descriptions(acl_both, "u")


BAD_COMMAND_RULES = ["+", "-", "+@", "-@", "+config|get|x", "+config|", "-config|", "+get|a|b",
                     "-select|0", "+nosuch", "-@nosuch", "+cluster|nosuch"]


@pytest.mark.parametrize("rule", BAD_COMMAND_RULES)
def test_bad_command_rules_refused_as_redis(acl_both, rule):
    acl_both("ACL", "SETUSER", "u", rule)


CATEGORIES = ["keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
              "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
              "dangerous", "connection", "transaction", "scripting"]
COMMANDS = ["get", "set", "hset", "hget", "keys", "flushall", "config", "client", "object", "acl",
            "xinfo", "command", "select", "ping", "del", "eval", "publish", "subscribe", "sort",
            "sort_ro", "info", "lpush", "zadd", "incr", "script", "function", "memory",
            "latency", "xgroup", "debug", "cluster", "module"]
SUBCOMMANDS = ["config|get", "config|set", "client|id", "client|kill", "object|encoding",
               "acl|whoami", "command|count", "xinfo|stream", "script|kill", "memory|usage",
               "function|list", "xgroup|create", "cluster|info"]
FIRST_ARGS = ["select|0", "get|0", "ping|0", "incr|0", "debug|0"]
WHOLE = ["allcommands", "nocommands", "+@all", "-@all", "reset"]


def random_rules(rng):
    rules = []
    for _ in range(rng.randint(1, 10)):
        roll = rng.random()
        sign = rng.choice("+-")
        if rules and roll < 0.08:
            rule = rng.choice(rules)
        elif roll < 0.48:
            rule = sign + "@" + rng.choice(CATEGORIES)
        elif roll < 0.73:
            rule = sign + rng.choice(COMMANDS)
        elif roll < 0.86:
            rule = sign + rng.choice(SUBCOMMANDS)
        elif roll < 0.92:
            rule = "+" + rng.choice(FIRST_ARGS)
        else:
            rule = rng.choice(WHOLE)
        rules.append(rule)
    return rules


def command_table(conn):
    """{name: arity} of every command and subcommand, from COMMAND."""
    out = {}

    def walk(entry):
        out[entry[0].decode()] = entry[1]
        for sub in entry[9] if len(entry) > 9 else []:
            walk(sub)

    for entry in decode(conn.cmd("COMMAND")):
        walk(entry)
    return out


def dryrun_args(name, arity):
    words = name.split("|")
    need = arity if arity > 0 else -arity
    return words + ["0"] * max(0, need - len(words))


def dryruns(conn, user, calls):
    return conn.pipeline([("ACL", "DRYRUN", user, *args) for args in calls])


PROPERTY_RUNS = 300


def test_random_rules_dryrun_and_description_round_trip(acl_both):
    f, r = acl_both.f, acl_both.r
    firn_table, redis_table = command_table(f), command_table(r)
    shared = sorted(set(firn_table) & set(redis_table))
    shared_calls = [dryrun_args(n, redis_table[n]) for n in shared]
    firn_calls = [dryrun_args(n, firn_table[n]) for n in sorted(firn_table)]
    rng = random.Random(20260701)
    for run in range(PROPERTY_RUNS):
        rules = random_rules(rng)
        context = "run %d: ACL SETUSER u reset %s" % (run, " ".join(rules))
        fr, rr = acl_both.both_do("ACL", "SETUSER", "u", "reset", *rules, "allkeys", "allchannels")
        assert fr == rr, context
        if not fr.startswith(b"+"):
            continue
        described = compare_descriptions(acl_both, "u")
        f_dry = dryruns(f, "u", shared_calls)
        r_dry = dryruns(r, "u", shared_calls)
        for args, fd, rd in zip(shared_calls, f_dry, r_dry):
            assert fd == rd, "%s; ACL DRYRUN u %s" % (context, " ".join(args))
        # Firn's description, given to a fresh user, grants the same and reads the same.
        assert f.cmd("ACL", "SETUSER", "v", "reset", *described.split(), "allkeys",
                     "allchannels") == b"+OK\r\n", context
        assert dryruns(f, "u", firn_calls) == dryruns(f, "v", firn_calls), context
        again = getuser_fields(f.cmd("ACL", "GETUSER", "v"))["commands"].decode()
        assert again == described, context
