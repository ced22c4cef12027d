// maxmemory-clients: the limit from the setting, and which clients go (biggest first, until
// the rest fit, never a CLIENT NO-EVICT one).
#include "modules/client_eviction.h"

#include <catch2/catch.hpp>

#include "conf/config.h"
#include "modules/client.h"

using firn::ChooseClientsToEvict;
using firn::ClientEvictionLimit;
using firn::ClientMemoryUse;

TEST_CASE("maxmemory-clients is bytes, or a percentage of maxmemory", "[client_eviction]") {
  firn::Config cfg;
  CHECK(ClientEvictionLimit(cfg) == 0);
  REQUIRE(firn::SetConfigValue(cfg, "maxmemory-clients", "2mb").kind == firn::SetResult::kOk);
  CHECK(ClientEvictionLimit(cfg) == 2u << 20);
  REQUIRE(firn::SetConfigValue(cfg, "maxmemory-clients", "10%").kind == firn::SetResult::kOk);
  CHECK(*firn::GetConfigValue(cfg, "maxmemory-clients") == "10%");
  CHECK(ClientEvictionLimit(cfg) == 0);  // no maxmemory: off
  REQUIRE(firn::SetConfigValue(cfg, "maxmemory", "1000").kind == firn::SetResult::kOk);
  CHECK(ClientEvictionLimit(cfg) == 128 * 1024);  // Redis's floor
  REQUIRE(firn::SetConfigValue(cfg, "maxmemory", "10mb").kind == firn::SetResult::kOk);
  CHECK(ClientEvictionLimit(cfg) == 1048576);
  REQUIRE(firn::SetConfigValue(cfg, "maxmemory-clients", "1k").kind == firn::SetResult::kOk);
  CHECK(ClientEvictionLimit(cfg) == 128 * 1024);
  REQUIRE(firn::SetConfigValue(cfg, "maxmemory-clients", "10%").kind == firn::SetResult::kOk);
  CHECK(firn::SetConfigValue(cfg, "maxmemory-clients", "101%").reason ==
        "percentage argument must be less or equal to 100");
  CHECK(firn::SetConfigValue(cfg, "maxmemory-clients", "-1").reason ==
        "argument must be a memory or percent value");
  CHECK(*firn::GetConfigValue(cfg, "maxmemory-clients") == "10%");
}

TEST_CASE("client eviction closes the biggest clients first, only until the rest fit",
          "[client_eviction]") {
  const std::vector<ClientMemoryUse> clients = {
      {1, 300, true}, {2, 1200, true}, {3, 600, true}, {4, 600, true}};
  CHECK(ChooseClientsToEvict(clients, 0).empty());     // off
  CHECK(ChooseClientsToEvict(clients, 5000).empty());  // 2700 in all: under the limit
  CHECK(ChooseClientsToEvict(clients, 2000) == std::vector<uint64_t>{2});
  CHECK(ChooseClientsToEvict(clients, 1000) == std::vector<uint64_t>{2, 3});  // ties: oldest
  CHECK(ChooseClientsToEvict(clients, 200) == std::vector<uint64_t>{2, 3, 4, 1});
}

TEST_CASE("CLIENT NO-EVICT clients count toward the total but are never chosen",
          "[client_eviction]") {
  const std::vector<ClientMemoryUse> clients = {{1, 1500, false}, {2, 400, true}, {3, 100, true}};
  CHECK(ChooseClientsToEvict(clients, 1000) == std::vector<uint64_t>{2, 3});
  CHECK(ChooseClientsToEvict(clients, 1700) == std::vector<uint64_t>{2});
}

TEST_CASE("a client's memory is what CLIENT LIST's tot-mem adds up", "[client_eviction]") {
  firn::ClientInfo c;
  const size_t base = firn::ClientMemory(c);
  c.query_buffer_bytes = 100;
  c.query_buffer_free = 28;
  c.output_buffer_bytes = 1000;
  c.queued.push_back({"SET", "k", "value"});
  CHECK(firn::ClientMemory(c) == base + 100 + 28 + 1000 + 9);
}
