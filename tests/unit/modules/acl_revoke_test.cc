// ACL SETUSER revoking channels closes the user's subscribers whose subscriptions are no
// longer allowed (Redis 7.0's ACLKillPubsubClientsIfNeeded), and only those.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../command_harness.h"
#include "fake_server_hooks.h"

using firn::ClientInfo;
using firn::testing::CommandHarness;
using firn::testing::FakeServerHooks;

namespace {

struct Conn {
  Conn(CommandHarness& h, FakeServerHooks& hooks, const char* user) : h(h), info(&h.engine.clients.Add()) {
    info->sink.buffer = &out;
    info->authenticated = true;
    info->user = h.engine.acl.Find(user);
    hooks.clients.push_back(info);
  }
  std::string Run(std::initializer_list<std::string_view> args) {
    std::string reply;
    firn::Dispatch(h.engine, *info, std::vector<std::string_view>(args), &reply, h.now_ms);
    return reply;
  }
  CommandHarness& h;
  ClientInfo* info;
  std::string out;
};

}  // namespace

TEST_CASE("ACL SETUSER closes the subscribers whose channels it revoked", "[acl]") {
  CommandHarness h;
  FakeServerHooks hooks;
  h.engine.hooks = &hooks;
  REQUIRE(h.Run({"ACL", "SETUSER", "alice", "on", "nopass", "resetchannels", "&news.*", "&chat",
                 "+@all", "~*"}) == "+OK\r\n");
  Conn news(h, hooks, "alice"), chat(h, hooks, "alice"), pat(h, hooks, "alice"), plain(h, hooks, "alice");
  news.Run({"SUBSCRIBE", "news.sport"});
  chat.Run({"SUBSCRIBE", "chat"});
  pat.Run({"PSUBSCRIBE", "news.*"});
  Conn other(h, hooks, "default");
  other.Run({"SUBSCRIBE", "chat"});

  CHECK(h.Run({"ACL", "SETUSER", "alice", "&more"}) == "+OK\r\n");  // a superset: nobody
  CHECK(hooks.killed_ids.empty());
  CHECK(h.Run({"ACL", "SETUSER", "alice", "resetchannels", "&news.*"}) == "+OK\r\n");
  CHECK(hooks.killed_ids == std::vector<uint64_t>{chat.info->id});
  // news.s* still matches news.sport, but a PSUBSCRIBE pattern must be listed as it is.
  CHECK(h.Run({"ACL", "SETUSER", "alice", "resetchannels", "&news.s*"}) == "+OK\r\n");
  CHECK(hooks.killed_ids == std::vector<uint64_t>{chat.info->id, pat.info->id});
  CHECK_FALSE(news.info->close_after_reply);
  CHECK_FALSE(plain.info->close_after_reply);
  CHECK_FALSE(other.info->close_after_reply);
  CHECK(h.Run({"ACL", "SETUSER", "alice", "allchannels"}) == "+OK\r\n");
  CHECK(hooks.killed_ids.size() == 2);
}
