"""ACL SETUSER revoking channel permissions closes the user's subscribers whose subscriptions
are no longer allowed, as Redis 7.0 does; the others (and every other user's) stay."""

import time

import pytest

from conftest import decode, encode


def _ids(admin):
    text = decode(admin.cmd("CLIENT", "LIST"))
    text = text.decode() if isinstance(text, bytes) else text
    return {int(f.split("=", 1)[1]) for line in text.splitlines()
            for f in line.split(" ") if f.startswith("id=")}


def _subscriber(srv, user, *commands):
    c = srv.raw()
    assert c.cmd("AUTH", user, "pw") == b"+OK\r\n"
    cid = decode(c.cmd("CLIENT", "ID"))
    for cmd in commands:
        c.send(encode(*cmd))
        c.read_reply()
    return c, cid


def _scenario(srv):
    admin = srv.raw()
    assert admin.cmd("ACL", "SETUSER", "alice", "on", ">pw", "resetchannels", "&news.*", "&chat",
                     "+@all", "~*") == b"+OK\r\n"
    assert admin.cmd("ACL", "SETUSER", "bob", "on", ">pw", "allchannels", "+@all", "~*") == b"+OK\r\n"
    news, news_id = _subscriber(srv, "alice", ("SUBSCRIBE", "news.sport"))
    chat, chat_id = _subscriber(srv, "alice", ("SUBSCRIBE", "chat"))
    pat, pat_id = _subscriber(srv, "alice", ("PSUBSCRIBE", "news.*"))
    plain, plain_id = _subscriber(srv, "alice")
    bob, bob_id = _subscriber(srv, "bob", ("SUBSCRIBE", "chat"))
    out = {}
    # Adding a pattern keeps everyone.
    out["add"] = admin.cmd("ACL", "SETUSER", "alice", "&extra")
    time.sleep(0.2)
    out["after_add"] = sorted(n for n, i in [("news", news_id), ("chat", chat_id), ("pat", pat_id),
                                             ("plain", plain_id), ("bob", bob_id)] if i in _ids(admin))
    # Revoking &chat closes alice's chat subscriber only.
    out["revoke"] = admin.cmd("ACL", "SETUSER", "alice", "resetchannels", "&news.*", "&extra")
    time.sleep(0.2)
    out["after_revoke"] = sorted(n for n, i in [("news", news_id), ("chat", chat_id), ("pat", pat_id),
                                                ("plain", plain_id), ("bob", bob_id)]
                                 if i in _ids(admin))
    out["chat_closed"] = chat.is_closed()
    # &news.s* still matches news.sport, but the PSUBSCRIBE pattern news.* is no longer listed.
    out["narrow"] = admin.cmd("ACL", "SETUSER", "alice", "resetchannels", "&news.s*")
    time.sleep(0.2)
    out["after_narrow"] = sorted(n for n, i in [("news", news_id), ("pat", pat_id),
                                                ("plain", plain_id), ("bob", bob_id)]
                                 if i in _ids(admin))
    # A user's own subscribing connection revoking its own channels gets the reply, then closes.
    assert admin.cmd("ACL", "SETUSER", "alice", "+acl") == b"+OK\r\n"
    news.send(encode("ACL", "SETUSER", "alice", "resetchannels"))
    out["self_reply"] = news.read_reply()
    out["self_closed"] = news.is_closed()
    for c in (news, chat, pat, plain, bob):
        c.close()
    return out


@pytest.mark.parametrize("kind", ["firn"])
def test_revoked_channels_close_subscribers_as_redis(start_server, kind):
    firn = _scenario(start_server(kind="firn", name="acl-revoke-firn"))
    redis = _scenario(start_server(kind="redis", name="acl-revoke-redis"))
    assert firn == redis
    assert redis["after_revoke"] == ["bob", "news", "pat", "plain"]
