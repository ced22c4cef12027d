// Blocked clients in-process: who is served, in what order, what a timeout, CLIENT UNBLOCK,
// MULTI, a disconnect and CLIENT PAUSE do, with a fake clock.
#include "modules/blocking.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "../command_harness.h"

using firn::ClientInfo;
using firn::DispatchWithBlocking;
using firn::ExpireBlockedClients;
using firn::testing::CommandHarness;

namespace {

// A connected client of the harness's engine: registered, with a sink, as the server does.
struct Conn {
  explicit Conn(CommandHarness& h) : h(h), info(&h.engine.clients.Add()) {
    info->sink.buffer = &out;
    info->authenticated = true;
  }
  // Runs one command; returns what the client was sent by it (nothing while it blocks).
  std::string Run(std::initializer_list<std::string_view> args) {
    const size_t before = out.size();
    DispatchWithBlocking(h.engine, *info, std::vector<std::string_view>(args), &out, h.now_ms);
    std::string sent = out.substr(before);
    out.resize(before);
    return sent;
  }
  // What arrived since the last Take (a wake-up, a timeout).
  std::string Take() {
    std::string s;
    s.swap(out);
    return s;
  }
  void Disconnect() {
    info->sink.buffer = nullptr;
    h.engine.clients.Remove(*info);
    info = nullptr;
  }
  CommandHarness& h;
  ClientInfo* info;
  std::string out;
};

}  // namespace

TEST_CASE("BLPOP on a list with elements answers at once", "[blocking]") {
  CommandHarness h;
  Conn a(h);
  a.Run({"RPUSH", "q", "x"});
  CHECK(a.Run({"BLPOP", "empty", "q", "0"}) == "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
  CHECK_FALSE(a.info->blocked);
}

TEST_CASE("clients blocked on a key are served in the order they blocked", "[blocking]") {
  CommandHarness h;
  Conn a(h), b(h), c(h), pusher(h);
  CHECK(a.Run({"BLPOP", "q", "0"}).empty());
  CHECK(b.Run({"BRPOP", "q", "0"}).empty());
  CHECK(c.Run({"BLPOP", "q", "0"}).empty());
  CHECK(h.engine.stats.blocked_clients == 3);
  CHECK(pusher.Run({"RPUSH", "q", "1", "2"}) == ":2\r\n");
  CHECK(a.Take() == "*2\r\n$1\r\nq\r\n$1\r\n1\r\n");
  CHECK(b.Take() == "*2\r\n$1\r\nq\r\n$1\r\n2\r\n");
  CHECK(c.Take().empty());
  CHECK(c.info->blocked);
  CHECK(h.engine.stats.blocked_clients == 1);
  pusher.Run({"LPUSH", "q", "3"});
  CHECK(c.Take() == "*2\r\n$1\r\nq\r\n$1\r\n3\r\n");
  CHECK(h.engine.stats.blocked_clients == 0);
  CHECK(h.engine.blocking.waiting_keys() == 0);
}

TEST_CASE("a timeout answers the command's null reply at its deadline", "[blocking]") {
  CommandHarness h;
  Conn a(h), b(h);
  CHECK(a.Run({"BLPOP", "q", "0.5"}).empty());
  CHECK(b.Run({"BRPOPLPUSH", "q", "d", "1"}).empty());
  CHECK(firn::NextBlockingDeadlineMs(h.engine) == h.now_ms + 500);
  ExpireBlockedClients(h.engine, h.now_ms + 499);
  CHECK(a.Take().empty());
  ExpireBlockedClients(h.engine, h.now_ms + 500);
  CHECK(a.Take() == "*-1\r\n");
  ExpireBlockedClients(h.engine, h.now_ms + 1000);
  CHECK(b.Take() == "$-1\r\n");
  CHECK(h.engine.stats.blocked_clients == 0);
  CHECK(firn::NextBlockingDeadlineMs(h.engine) == 0);
}

TEST_CASE("timeouts are fractional seconds with Redis's errors", "[blocking]") {
  CommandHarness h;
  Conn a(h);
  CHECK(a.Run({"BLPOP", "q", "-1"}) == "-ERR timeout is negative\r\n");
  CHECK(a.Run({"BLPOP", "q", "abc"}) == "-ERR timeout is not a float or out of range\r\n");
  CHECK(a.Run({"BLPOP", "q", ""}) == "-ERR timeout is not a float or out of range\r\n");
  CHECK(a.Run({"BLPOP", "q", "0x7FFFFFFFFFFFFF"}) == "-ERR timeout is out of range\r\n");
  CHECK(a.Run({"BZPOPMIN", "z", "nan"}) == "-ERR timeout is not a float or out of range\r\n");
  CHECK(a.Run({"BLPOP", "q", "0.0001"}).empty());  // rounds up to 1 ms
  CHECK(firn::NextBlockingDeadlineMs(h.engine) == h.now_ms + 1);
}

TEST_CASE("inside MULTI a blocking command answers as its non-blocking form", "[blocking]") {
  CommandHarness h;
  Conn a(h);
  a.Run({"MULTI"});
  a.Run({"BLPOP", "q", "0"});
  a.Run({"BLMOVE", "q", "d", "LEFT", "LEFT", "0"});
  a.Run({"BZPOPMAX", "z", "0"});
  CHECK(a.Run({"EXEC"}) == "*3\r\n*-1\r\n$-1\r\n*-1\r\n");
  CHECK_FALSE(a.info->blocked);
}

TEST_CASE("a push inside EXEC wakes a waiter once the transaction is over", "[blocking]") {
  CommandHarness h;
  Conn a(h), b(h);
  a.Run({"BLPOP", "q", "0"});
  b.Run({"MULTI"});
  b.Run({"RPUSH", "q", "1"});
  b.Run({"RPUSH", "q", "2"});
  CHECK(b.Run({"EXEC"}) == "*2\r\n:1\r\n:2\r\n");
  CHECK(a.Take() == "*2\r\n$1\r\nq\r\n$1\r\n1\r\n");
  CHECK(b.Run({"LRANGE", "q", "0", "-1"}) == "*1\r\n$1\r\n2\r\n");
}

TEST_CASE("a key pushed then deleted in one transaction wakes nobody", "[blocking]") {
  CommandHarness h;
  Conn a(h), b(h);
  a.Run({"BLPOP", "q", "0"});
  b.Run({"MULTI"});
  b.Run({"LPUSH", "q", "1"});
  b.Run({"DEL", "q"});
  b.Run({"SET", "q", "str"});
  b.Run({"EXEC"});
  CHECK(a.Take().empty());
  CHECK(a.info->blocked);
}

TEST_CASE("a key renamed into place serves its waiter", "[blocking]") {
  CommandHarness h;
  Conn a(h), b(h);
  a.Run({"BLPOP", "q", "0"});
  b.Run({"RPUSH", "src", "x", "y"});
  CHECK(a.Take().empty());
  b.Run({"RENAME", "src", "q"});
  CHECK(a.Take() == "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
}

TEST_CASE("BLMOVE's push wakes the client waiting on its destination", "[blocking]") {
  CommandHarness h;
  Conn a(h), b(h), c(h);
  a.Run({"BLPOP", "dst", "0"});
  b.Run({"BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"});
  c.Run({"RPUSH", "src", "v"});
  CHECK(b.Take() == "$1\r\nv\r\n");
  CHECK(a.Take() == "*2\r\n$3\r\ndst\r\n$1\r\nv\r\n");
  CHECK(c.Run({"EXISTS", "src", "dst"}) == ":0\r\n");
}

TEST_CASE("the sorted-set pops wake on ZADD", "[blocking]") {
  CommandHarness h;
  Conn a(h), b(h), c(h);
  a.Run({"BZPOPMIN", "z", "0"});
  b.Run({"BZMPOP", "0", "1", "z", "MAX", "COUNT", "5"});
  c.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  CHECK(a.Take() == "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n");
  CHECK(b.Take() ==
        "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
}

TEST_CASE("a list blocker is not offered a key of another type", "[blocking]") {
  CommandHarness h;
  Conn a(h), b(h);
  a.Run({"BLPOP", "k", "0"});
  b.Run({"ZADD", "k", "1", "m"});
  CHECK(a.Take().empty());
  CHECK(a.info->blocked);
}

TEST_CASE("a disconnecting blocked client leaves nothing behind", "[blocking]") {
  CommandHarness h;
  auto a = std::make_unique<Conn>(h);
  Conn b(h);
  a->Run({"BLPOP", "q", "k2", "10"});
  CHECK(h.engine.blocking.waiting_keys() == 2);
  a->Disconnect();
  CHECK(h.engine.stats.blocked_clients == 0);
  CHECK(h.engine.blocking.waiting_keys() == 0);
  CHECK(firn::NextBlockingDeadlineMs(h.engine) == 0);
  b.Run({"RPUSH", "q", "x"});
  CHECK(b.Run({"LLEN", "q"}) == ":1\r\n");
}

TEST_CASE("CLIENT UNBLOCK answers the timeout reply or the UNBLOCKED error", "[blocking]") {
  CommandHarness h;
  Conn a(h), b(h), admin(h);
  a.Run({"BLPOP", "q", "0"});
  b.Run({"BLMOVE", "q", "d", "LEFT", "LEFT", "0"});
  const std::string ida = std::to_string(a.info->id), idb = std::to_string(b.info->id);
  CHECK(admin.Run({"CLIENT", "UNBLOCK", ida, "FOO"}) ==
        "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n");
  CHECK(admin.Run({"CLIENT", "UNBLOCK", ida}) == ":1\r\n");
  CHECK(a.Take() == "*-1\r\n");
  CHECK(admin.Run({"CLIENT", "UNBLOCK", ida}) == ":0\r\n");
  CHECK(admin.Run({"CLIENT", "UNBLOCK", idb, "ERROR"}) == ":1\r\n");
  CHECK(b.Take() == "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  CHECK(admin.Run({"CLIENT", "UNBLOCK", "999"}) == ":0\r\n");
  CHECK(admin.Run({"CLIENT", "UNBLOCK", "x"}) ==
        "-ERR value is not an integer or out of range\r\n");
}

TEST_CASE("CLIENT PAUSE WRITE holds writes back until UNPAUSE, reads go on", "[blocking]") {
  CommandHarness h;
  Conn a(h), b(h), admin(h);
  CHECK(admin.Run({"CLIENT", "PAUSE", "10000", "WRITE"}) == "+OK\r\n");
  CHECK(a.Run({"SET", "k", "v"}).empty());
  CHECK(a.info->blocked);
  CHECK(b.Run({"GET", "k"}) == "$-1\r\n");
  CHECK(b.Run({"SET", "k"}) == "-ERR wrong number of arguments for 'set' command\r\n");
  CHECK(h.engine.stats.blocked_clients == 1);
  CHECK(admin.Run({"CLIENT", "UNBLOCK", std::to_string(a.info->id)}) == ":0\r\n");
  CHECK(admin.Run({"CLIENT", "UNPAUSE"}) == "+OK\r\n");
  CHECK(a.Take() == "+OK\r\n");
  CHECK(b.Run({"GET", "k"}) == "$1\r\nv\r\n");
}

TEST_CASE("CLIENT PAUSE ends by itself at its deadline", "[blocking]") {
  CommandHarness h;
  Conn a(h), admin(h);
  CHECK(admin.Run({"CLIENT", "PAUSE", "100"}) == "+OK\r\n");
  CHECK(a.Run({"PING"}).empty());
  CHECK(firn::NextBlockingDeadlineMs(h.engine) == h.now_ms + 100);
  ExpireBlockedClients(h.engine, h.now_ms + 100);
  CHECK(a.Take() == "+PONG\r\n");
  CHECK_FALSE(h.engine.blocking.attention());
  CHECK(admin.Run({"CLIENT", "PAUSE", "1", "SOME"}) ==
        "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n");
  CHECK(admin.Run({"CLIENT", "PAUSE", "-1"}) == "-ERR timeout is negative\r\n");
  CHECK(admin.Run({"CLIENT", "PAUSE", "1.5"}) ==
        "-ERR timeout is not an integer or out of range\r\n");
}

TEST_CASE("a client the registry does not know never blocks", "[blocking]") {
  CommandHarness h;  // its client is not registered, as a script's or a replay's
  CHECK(h.Run({"BLPOP", "q", "0"}) == "*-1\r\n");
  CHECK_FALSE(h.client.blocked);
}
