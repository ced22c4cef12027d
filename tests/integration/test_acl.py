"""ACL users and permissions, byte for byte against redis-server 7.0.15: the rule language
(ACL SETUSER / GETUSER / LIST), refusals with -NOPERM, the ACL log, DRYRUN, and what happens
to the connections of a changed or deleted user."""

import os
import re
import statistics
import time

import pytest

from conftest import Both, RawConn, decode


def _reset_acl(srv):
    c = srv.raw()
    try:
        users = [u.decode() for u in decode(c.cmd("ACL", "USERS"))]
        others = [u for u in users if u != "default"]
        if others:
            c.cmd("ACL", "DELUSER", *others)
        c.cmd("ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all")
        c.cmd("ACL", "LOG", "RESET")
    finally:
        c.close()


@pytest.fixture
def acl_both(firn, redis_ref):
    b = Both(firn, redis_ref)
    yield b
    b.close()
    _reset_acl(firn)
    _reset_acl(redis_ref)


def _login(both, user, password):
    """A second pair of connections, authenticated as user."""
    other = Both(both.firn_srv, both.redis_srv)
    other("AUTH", user, password)
    return other


RULE_SETS = [
    ["on", ">pw", "~cache:*", "+@read", "+auth"],
    ["on", "nopass", "%R~r:*", "%W~w:*", "&chan*", "+@all", "-@dangerous", "(~x* +get)"],
    [],
    ["on", ">a", ">b", "<a", "allkeys", "allchannels", "-@all", "+config", "-config|set"],
    ["-@all", "-get"],
    ["+@all", "-get"],
    ["-@all", "+@read", "-get"],
    ["-@all", "-@read"],
    ["+@all", "-get", "-get"],
    ["-@all", "+get", "+@read", "-get"],
    ["-@all", "+@read", "+get"],
    ["+@all", "-@read", "+get", "-get"],
    ["-@all", "+config", "+config|get"],
    ["-@all", "+config|get", "+config"],
    ["+@all", "-config|get"],
    ["-@all", "+get|x", "+get"],
    ["-@all", "+select|0", "+select|1"],
    ["on", "#" + "a" * 64, "!" + "a" * 64, "nopass", "resetpass"],
    ["~a", "%R~b", "%W~c", "%RW~d", "~a", "%R~c"],
    ["&x", "&y", "resetchannels", "&z"],
    ["allkeys", "resetkeys", "~k"],
    ["+@all", "nocommands", "+ping", "allcommands"],
    ["(~a +get)", "(~b +set)", "clearselectors", "(~c", "+del)"],
    ["on", "reset"],
]


@pytest.mark.parametrize("rules", RULE_SETS, ids=[" ".join(r) or "bare" for r in RULE_SETS])
def test_setuser_rules_describe_as_redis(acl_both, rules):
    acl_both("ACL", "SETUSER", "u", *rules)
    acl_both("ACL", "GETUSER", "u")
    acl_both("ACL", "LIST")
    acl_both("ACL", "USERS")


BAD_RULES = [
    ["foo"], ["+nosuch"], ["+@nosuch"], ["#abc"], ["!" + "A" * 64], ["("], ["(~x foo)"],
    ["%X~a"], ["%~a"], ["<nonexist"], ["-select|0"], ["+config|nosuch"], ["allkeys", "~a"],
    ["allchannels", "&a"], ["on", "(~a", "+get"],
]


@pytest.mark.parametrize("rules", BAD_RULES, ids=[" ".join(r) for r in BAD_RULES])
def test_bad_rules_are_refused_and_change_nothing(acl_both, rules):
    acl_both("ACL", "SETUSER", "u", "on", ">pw", "~k", "+get")
    acl_both("ACL", "SETUSER", "u", "off", *rules)
    acl_both("ACL", "GETUSER", "u")


def test_admin_subcommands_and_their_errors(acl_both):
    b = acl_both
    b("ACL", "SETUSER", "u", "on", "nopass", "+get", "~a")
    b("ACL", "GETUSER", "nosuch")
    b("ACL", "DELUSER", "default")
    b("ACL", "DELUSER", "u", "nosuch")
    b("ACL", "WHOAMI")
    b("ACL", "WHOAMI", "extra")
    b("ACL", "CAT")
    b.norm("ACL", "CAT", "hash", normalize=sorted)
    firn_names = set(decode(b.f.cmd("COMMAND", "LIST")))
    b.norm("ACL", "CAT", "dangerous",
           normalize=lambda v: sorted(x for x in v if b"|" not in x and x in firn_names))
    b("ACL", "CAT", "nosuch")
    b("ACL", "GENPASS", "0")
    b("ACL", "GENPASS", "5000")
    b("ACL", "GENPASS", "x")
    for bits in ["1", "5", "256", "4096"]:
        fr, rr = b.both_do("ACL", "GENPASS", bits)
        assert len(decode(fr)) == len(decode(rr))
        assert re.fullmatch(rb"[0-9a-f]+", decode(fr))
    b("ACL", "SAVE")
    b("ACL", "LOAD")
    b("ACL", "LOG", "-1")
    b("ACL", "LOG", "abc")
    b("ACL", "NOSUCH")


def test_dryrun_answers_as_redis(acl_both):
    b = acl_both
    b("ACL", "SETUSER", "w", "on", ">p", "~a", "&ch", "+get", "+set", "+publish", "+config",
      "-config|set")
    b("ACL", "DRYRUN", "w", "get", "a")
    b("ACL", "DRYRUN", "w", "set", "b", "1")
    b("ACL", "DRYRUN", "w", "del", "a")
    b("ACL", "DRYRUN", "w", "publish", "zz", "1")
    b("ACL", "DRYRUN", "w", "publish", "ch", "1")
    b("ACL", "DRYRUN", "w", "config", "set", "maxmemory", "1")
    b("ACL", "DRYRUN", "w", "config", "get", "maxmemory")
    b("ACL", "DRYRUN", "w", "nosuchcmd")
    b("ACL", "DRYRUN", "w", "get")
    b("ACL", "DRYRUN", "nosuch", "get", "a")


def test_read_only_user_on_a_prefix(acl_both):
    """~cache:* +@read: reads inside cache:* only, no writes anywhere."""
    b = acl_both
    b("SET", "cache:a", "1")
    b("SET", "other", "2")
    b("ACL", "SETUSER", "reader", "on", ">pw", "~cache:*", "+@read")
    u = _login(b, "reader", "pw")
    try:
        u("GET", "cache:a")
        u("GET", "other")
        u("MGET", "cache:a", "other")
        u("SET", "cache:a", "2")
        u("SET", "other", "3")
        u("DEL", "cache:a")
        u("EXISTS", "cache:a")
        u("FLUSHALL")
        u("ACL", "WHOAMI")
        u("CONFIG", "GET", "maxmemory")
    finally:
        u.close()
    b("GET", "cache:a")
    b("GET", "other")


def test_all_but_dangerous(acl_both):
    b = acl_both
    b("ACL", "SETUSER", "app", "on", ">pw", "~*", "&*", "+@all", "-@dangerous")
    u = _login(b, "app", "pw")
    try:
        u("SET", "k", "v")
        u("GET", "k")
        u("FLUSHALL")
        u("CONFIG", "SET", "maxmemory", "1")
        u("KEYS", "*")
        u("INFO", "nosuchsection")
    finally:
        u.close()
    b("GET", "k")


def test_read_and_write_key_permissions_apart(acl_both):
    b = acl_both
    b("SET", "r:1", "a")
    b("SET", "w:1", "b")
    b("ACL", "SETUSER", "rw", "on", "nopass", "%R~r:*", "%W~w:*", "+@all")
    u = _login(b, "rw", "x")
    try:
        u("GET", "r:1")
        u("GET", "w:1")
        u("SET", "w:1", "c")
        u("SET", "r:1", "c")
        u("COPY", "r:1", "w:2")
        u("COPY", "w:1", "r:2")
        u("LPUSH", "w:l", "x")
        u("EXISTS", "r:1", "w:1")
        u("SET", "w:1", "d", "GET")
    finally:
        u.close()


def test_channel_permissions(acl_both):
    b = acl_both
    b("ACL", "SETUSER", "sub", "on", "nopass", "&news.*", "+@all", "~*")
    u = _login(b, "sub", "x")
    try:
        u("PUBLISH", "news.a", "1")
        u("PUBLISH", "sports", "1")
        u("SUBSCRIBE", "news.a", "sports")
        u("PSUBSCRIBE", "news.*")
        u("PSUBSCRIBE", "news.a*")
    finally:
        u.close()


def test_selectors_allow_what_the_root_does_not(acl_both):
    b = acl_both
    b("ACL", "SETUSER", "s", "on", "nopass", "~a*", "+get", "(~b* +set)")
    u = _login(b, "s", "x")
    try:
        u("GET", "a1")
        u("SET", "b1", "v")
        u("SET", "a1", "v")
        u("GET", "b1")
        u("DEL", "a1")
    finally:
        u.close()


def _log_without_volatile(reply):
    """ACL LOG entries with age-seconds and client-info's volatile fields removed."""
    out = []
    for entry in decode(reply):
        d = dict(zip(entry[0::2], entry[1::2]))
        d.pop(b"age-seconds")
        info = dict(f.split(b"=", 1) for f in d.pop(b"client-info").split(b" "))
        d[b"client-cmd"] = info[b"cmd"]
        d[b"client-user"] = info[b"user"]
        out.append(d)
    return out


def test_acl_log_entries_match_redis(acl_both):
    b = acl_both
    b("ACL", "SETUSER", "w", "on", ">p", "~a", "&ch", "+get", "+publish", "+multi", "+exec",
      "+eval", "+set")
    u = _login(b, "w", "p")
    try:
        u("GET", "b")
        u("GET", "b")
        u("DEL", "a")
        u("PUBLISH", "zz", "1")
        u("MULTI")
        u("GET", "b")
        u("EXEC")
        u("EVAL", "return redis.pcall('set','b','1')", "0")
        u("EVAL", "return redis.pcall('del','a')", "0")
        u("AUTH", "w", "wrong")
        u("AUTH", "nosuch", "x")
    finally:
        u.close()
    fr, rr = b.both_do("ACL", "LOG")
    assert _log_without_volatile(fr) == _log_without_volatile(rr)
    fr, rr = b.both_do("ACL", "LOG", "2")
    assert _log_without_volatile(fr) == _log_without_volatile(rr)
    b("ACL", "LOG", "RESET")
    b("ACL", "LOG")


def test_exec_rechecks_permissions_changed_after_queueing(acl_both):
    b = acl_both
    b("ACL", "SETUSER", "t", "on", "nopass", "~*", "+multi", "+exec", "+set", "+get")
    u = _login(b, "t", "x")
    try:
        u("MULTI")
        u("SET", "k", "1")
        u("GET", "k")
        b("ACL", "SETUSER", "t", "-set")
        u("EXEC")
    finally:
        u.close()
    b("GET", "k")


def test_script_commands_run_with_the_callers_rights(acl_both):
    b = acl_both
    b("ACL", "SETUSER", "w", "on", ">p", "~a", "+eval", "+get", "+set", "+publish")
    u = _login(b, "w", "p")
    try:
        u("EVAL", "return redis.pcall('set','b','1')", "0")
        u("EVAL", "return redis.pcall('set','a','1')", "0")
        u("EVAL", "return redis.pcall('del','a')", "0")
        u("EVAL", "return redis.pcall('publish','zz','1')", "0")
    finally:
        u.close()


def test_requirepass_is_the_default_users_password(acl_both):
    b = acl_both
    b("CONFIG", "SET", "requirepass", "s3cret")
    try:
        other = Both(b.firn_srv, b.redis_srv)
        try:
            other("GET", "k")
            other("AUTH", "wrong")
            other("AUTH", "s3cret")
            other("GET", "k")
        finally:
            other.close()
        b("ACL", "GETUSER", "default")
    finally:
        b("CONFIG", "SET", "requirepass", "")
    b("ACL", "GETUSER", "default")
    b("AUTH", "x")


def test_disabled_user_cannot_log_in_but_keeps_its_connections(acl_both):
    b = acl_both
    b("ACL", "SETUSER", "d", "on", ">p", "+@all", "~*")
    u = _login(b, "d", "p")
    try:
        b("ACL", "SETUSER", "d", "off")
        u("PING")
        other = Both(b.firn_srv, b.redis_srv)
        try:
            other("AUTH", "d", "p")
            other("HELLO", "2", "AUTH", "d", "p")
        finally:
            other.close()
    finally:
        u.close()


def test_deleted_users_connections_are_closed(firn, redis_ref):
    for srv in (firn, redis_ref):
        admin = srv.raw()
        try:
            assert admin.cmd("ACL", "SETUSER", "gone", "on", ">p", "+@all", "~*") == b"+OK\r\n"
            assert admin.cmd("ACL", "SETUSER", "stays", "on", ">p", "+@all", "~*") == b"+OK\r\n"
            victim, bystander = srv.raw(), srv.raw()
            assert victim.cmd("AUTH", "gone", "p") == b"+OK\r\n"
            assert bystander.cmd("AUTH", "stays", "p") == b"+OK\r\n"
            assert admin.cmd("ACL", "DELUSER", "gone") == b":1\r\n"
            assert victim.is_closed()
            assert bystander.cmd("PING") == b"+PONG\r\n"
            assert admin.cmd("CLIENT", "LIST").count(b"user=stays") == 1
            victim.close()
            bystander.close()
        finally:
            admin.close()
            _reset_acl(srv)


def test_aclfile_load_save_round_trip(start_server, tmp_path):
    path = tmp_path / "users.acl"
    path.write_text("user default on nopass ~* &* +@all\n"
                    "user alice on #%s ~cache:* resetchannels -@all +@read\n" % ("b" * 64))
    srv = start_server("--aclfile", str(path))
    c = srv.raw()
    try:
        assert decode(c.cmd("ACL", "USERS")) == [b"alice", b"default"]
        assert c.cmd("ACL", "SETUSER", "bob", "on", ">pw", "+get", "~b*") == b"+OK\r\n"
        assert c.cmd("ACL", "SAVE") == b"+OK\r\n"
        saved = path.read_text()
        assert "user bob on #%s ~b* resetchannels -@all +get" % (
            __import__("hashlib").sha256(b"pw").hexdigest()) in saved
        # A bad file changes nothing.
        path.write_text("user x on foo\n")
        assert c.cmd("ACL", "LOAD").startswith(b"-ERR")
        assert decode(c.cmd("ACL", "USERS")) == [b"alice", b"bob", b"default"]
        path.write_text(saved.replace("user bob", "user carol"))
        bob = srv.raw()
        assert bob.cmd("AUTH", "bob", "pw") == b"+OK\r\n"
        assert c.cmd("ACL", "LOAD") == b"+OK\r\n"
        assert decode(c.cmd("ACL", "USERS")) == [b"alice", b"carol", b"default"]
        assert bob.is_closed()
        assert c.cmd("PING") == b"+PONG\r\n"
    finally:
        c.close()


def test_bad_aclfile_stops_the_start(tmp_path):
    from conftest import Server
    path = tmp_path / "users.acl"
    path.write_text("user x on +nosuch\n")
    with pytest.raises(Exception):
        Server("firn", ("--aclfile", str(path))).start()


def test_wrong_password_time_does_not_depend_on_the_matching_prefix(firn):
    c = firn.raw()
    try:
        secret = "p" * 64
        assert c.cmd("ACL", "SETUSER", "t", "on", ">" + secret) == b"+OK\r\n"

        def medians(n=300):
            """Median reply times of the two guesses, sent alternately so that load on a
            shared machine falls on both alike."""
            near, far = [], []
            for _ in range(n):
                for guess, out in (("p" * 63 + "x", near), ("x" * 64, far)):
                    t0 = time.perf_counter_ns()
                    c.cmd("AUTH", "t", guess)
                    out.append(time.perf_counter_ns() - t0)
            return statistics.median(near), statistics.median(far)

        # Both compare SHA-256 digests in full: an almost-right password is not answered
        # later than a wholly wrong one (beyond noise; the best of three trials is judged).
        ratios = []
        for _ in range(3):
            near, far = medians()
            ratios.append(near / far)
        assert min(ratios) < 1.25, ratios
    finally:
        c.close()
        _reset_acl(firn)


def test_acl_check_cmd_in_scripts(acl_both):
    b = acl_both
    b("ACL", "SETUSER", "bob", "on", ">123", "+@scripting", "+set", "~x*")
    u = _login(b, "bob", "123")
    try:
        u("EVAL", "return redis.acl_check_cmd('set','xx',1)", "1", "xx")
        u("EVAL", "return redis.acl_check_cmd('hset','xx','f',1)", "1", "xx")
        u("EVAL", "return redis.acl_check_cmd('set','yy',1)", "1", "xx")
        u("EVAL", "return redis.acl_check_cmd('invalid-cmd','arg')", "0")
        u("EVAL", "return redis.acl_check_cmd()", "0")
        u("EVAL", "return redis.acl_check_cmd('set')", "0")
    finally:
        u.close()
