// Client-side caching in-process: what is tracked, who is told, in which shape and order, the
// table limit and the option errors.
#include "modules/tracking.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../command_harness.h"
#include "modules/engine.h"

using firn::ClientInfo;
using firn::Dispatch;
using firn::Proto;
using firn::testing::CommandHarness;

namespace {

// A registered client whose replies and pushes share one buffer, as on a connection; while it
// runs a command it is the registry's current client, as the server makes it.
struct Conn {
  explicit Conn(CommandHarness& h, Proto proto = Proto::kResp2)
      : h(h), info(h.engine.clients.Add()) {
    info.sink.buffer = &out;
    info.authenticated = true;
    info.proto = proto;
  }
  ~Conn() { h.engine.clients.Remove(info); }
  std::string Run(std::initializer_list<std::string_view> args) {
    h.engine.clients.set_current(&info);
    Dispatch(h.engine, info, std::vector<std::string_view>(args), &out, h.now_ms);
    h.engine.clients.set_current(nullptr);
    return Take();
  }
  std::string Take() {
    std::string s;
    s.swap(out);
    return s;
  }
  CommandHarness& h;
  ClientInfo& info;
  std::string out;
};

const std::string kInvalidateK = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n";

}  // namespace

TEST_CASE("a RESP3 tracking client is told once when a key it read changes", "[tracking]") {
  CommandHarness h;
  Conn a(h, Proto::kResp3), b(h);
  CHECK(a.Run({"CLIENT", "TRACKING", "on"}) == "+OK\r\n");
  a.Run({"GET", "k"});
  b.Run({"SET", "other", "1"});
  CHECK(a.Take().empty());
  b.Run({"SET", "k", "1"});
  CHECK(a.Take() == kInvalidateK);
  b.Run({"SET", "k", "2"});  // not read again: not tracked any more
  CHECK(a.Take().empty());
  CHECK(h.engine.tracking.total_keys() == 0);
}

TEST_CASE("a client's own write is told after its reply, unless NOLOOP", "[tracking]") {
  CommandHarness h;
  Conn a(h, Proto::kResp3);
  a.Run({"CLIENT", "TRACKING", "on"});
  a.Run({"GET", "k"});
  CHECK(a.Run({"SET", "k", "1"}) == "+OK\r\n" + kInvalidateK);
  a.Run({"CLIENT", "TRACKING", "on", "NOLOOP"});
  a.Run({"GET", "k"});
  CHECK(a.Run({"SET", "k", "2"}) == "+OK\r\n");
}

TEST_CASE("invalidations inside EXEC follow the whole EXEC reply", "[tracking]") {
  CommandHarness h;
  Conn a(h, Proto::kResp3);
  a.Run({"CLIENT", "TRACKING", "on"});
  a.Run({"MSET", "k", "1", "j", "2"});
  a.Run({"GET", "k"});
  a.Run({"MULTI"});
  a.Run({"INCR", "k"});
  a.Run({"GET", "j"});
  CHECK(a.Run({"EXEC"}) == "*2\r\n:2\r\n$1\r\n2\r\n" + kInvalidateK);
  CHECK(h.engine.tracking.total_keys() == 1);  // j, read inside the transaction
}

TEST_CASE("a RESP2 redirect in subscribed mode gets __redis__:invalidate messages",
          "[tracking]") {
  CommandHarness h;
  Conn a(h), r(h), b(h);
  r.Run({"SUBSCRIBE", "__redis__:invalidate"});
  const std::string id = std::to_string(r.info.id);
  CHECK(a.Run({"CLIENT", "TRACKING", "on", "REDIRECT", id}) == "+OK\r\n");
  CHECK(a.Run({"CLIENT", "GETREDIR"}) == ":" + id + "\r\n");
  a.Run({"GET", "k"});
  b.Run({"DEL", "k"});  // nothing to delete: nothing changed
  b.Run({"SET", "k", "v"});
  CHECK(r.Take() ==
        "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nk\r\n");
  b.Run({"FLUSHALL"});
  CHECK(r.Take() == "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n");
}

TEST_CASE("FLUSHDB of an empty database still sends one null invalidation", "[tracking]") {
  CommandHarness h;
  Conn a(h, Proto::kResp3), b(h);
  a.Run({"CLIENT", "TRACKING", "on"});
  a.Run({"GET", "x"});
  b.Run({"FLUSHALL"});
  CHECK(a.Take() == ">2\r\n$10\r\ninvalidate\r\n_\r\n");
  CHECK(h.engine.tracking.total_keys() == 0);
}

TEST_CASE("BCAST sends one message per prefix per flush, without the client's own keys under "
          "NOLOOP", "[tracking]") {
  CommandHarness h;
  Conn a(h, Proto::kResp3), b(h);
  CHECK(a.Run({"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a:", "PREFIX", "b:", "NOLOOP"}) ==
        "+OK\r\n");
  b.Run({"MSET", "a:1", "x", "b:1", "y", "c:1", "z"});
  a.Run({"SET", "a:2", "mine"});
  h.engine.tracking.FlushBroadcasts();
  CHECK(a.Take() ==
        ">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\na:1\r\n"
        ">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nb:1\r\n");
  CHECK(h.engine.tracking.total_prefixes() == 2);
  a.Run({"CLIENT", "TRACKING", "off"});
  CHECK(h.engine.tracking.total_prefixes() == 0);
}

TEST_CASE("OPTIN tracks only the command after CLIENT CACHING YES", "[tracking]") {
  CommandHarness h;
  Conn a(h, Proto::kResp3);
  a.Run({"CLIENT", "TRACKING", "on", "OPTIN"});
  a.Run({"GET", "k"});
  CHECK(h.engine.tracking.total_keys() == 0);
  CHECK(a.Run({"CLIENT", "CACHING", "yes"}) == "+OK\r\n");
  a.Run({"GET", "k"});
  a.Run({"GET", "j"});
  CHECK(h.engine.tracking.total_keys() == 1);
  CHECK(a.Run({"CLIENT", "CACHING", "no"}) ==
        "-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n");
}

TEST_CASE("CLIENT TRACKING refuses what Redis refuses", "[tracking]") {
  CommandHarness h;
  Conn a(h);
  CHECK(a.Run({"CLIENT", "TRACKING", "on", "PREFIX", "x"}) ==
        "-ERR PREFIX option requires BCAST mode to be enabled\r\n");
  CHECK(a.Run({"CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"}) ==
        "-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n");
  CHECK(a.Run({"CLIENT", "TRACKING", "on", "REDIRECT", "9999"}) ==
        "-ERR The client ID you want redirect to does not exist\r\n");
  CHECK(a.Run({"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FOOBAR", "PREFIX", "FOO"}) ==
        "-ERR Prefix 'FOOBAR' overlaps with another provided prefix 'FOO'. Prefixes for a "
        "single client must not overlap.\r\n");
  CHECK(a.Run({"CLIENT", "TRACKING", "maybe"}) == "-ERR syntax error\r\n");
  CHECK(a.Run({"CLIENT", "CACHING", "yes"}) ==
        "-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN "
        "or OPTOUT mode enabled\r\n");
  CHECK_FALSE(a.info.tracking);
  CHECK(a.Run({"CLIENT", "GETREDIR"}) == ":-1\r\n");
}

TEST_CASE("the table limit invalidates keys until it fits, 100 more each round", "[tracking]") {
  CommandHarness h;
  Conn a(h, Proto::kResp3);
  a.Run({"CLIENT", "TRACKING", "on"});
  for (int i = 0; i < 250; ++i) a.Run({"GET", "key" + std::to_string(i)});
  h.engine.config.tracking_table_max_keys = 1;
  h.engine.tracking.LimitTable();
  CHECK(h.engine.tracking.total_keys() == 150);
  h.engine.tracking.LimitTable();
  CHECK(h.engine.tracking.total_keys() == 1);
  CHECK(h.engine.tracking.total_items() == 1);
}

TEST_CASE("a closed redirect client breaks the redirect and RESP3 tracking hears it",
          "[tracking]") {
  CommandHarness h;
  Conn a(h, Proto::kResp3), b(h);
  auto* r = new Conn(h);
  const uint64_t id = r->info.id;
  a.Run({"CLIENT", "TRACKING", "on", "REDIRECT", std::to_string(id)});
  a.Run({"GET", "k"});
  delete r;
  b.Run({"SET", "k", "1"});
  CHECK(a.Take() == ">2\r\n$21\r\ntracking-redir-broken\r\n:" + std::to_string(id) + "\r\n");
  CHECK(a.Run({"CLIENT", "TRACKINGINFO"}).find("broken_redirect") != std::string::npos);
  CHECK(a.Run({"RESET"}) == "+RESET\r\n");
  CHECK_FALSE(a.info.tracking);
  CHECK(h.engine.tracking.tracking_clients() == 0);
}
