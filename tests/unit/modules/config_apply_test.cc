// CONFIG SET when the server cannot apply a setting (ServerHooks::ConfigChanged refuses).
#include <catch2/catch.hpp>
#include <string>

#include "../command_harness.h"
#include "fake_server_hooks.h"

using firn::testing::CommandHarness;
using firn::testing::FakeServerHooks;

TEST_CASE("a setting the server refuses to apply changes nothing and answers why", "[config]") {
  CommandHarness h;
  FakeServerHooks hooks;
  h.engine.hooks = &hooks;
  hooks.refusals.emplace_back("port", "Unable to listen on this port. Check server logs.");
  const int port = h.engine.config.port;
  const uint64_t maxmemory = h.engine.config.maxmemory;

  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "10mb", "PORT", "7001"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'PORT') - Unable to listen on this "
        "port. Check server logs.\r\n");
  CHECK(h.engine.config.port == port);
  CHECK(h.engine.config.maxmemory == maxmemory);
  // maxmemory was applied before port was refused, so the server hears of it again, restored.
  CHECK(hooks.config_changes == std::vector<std::string>{"maxmemory", "port", "maxmemory"});
  CHECK(h.Run({"CONFIG", "GET", "port"}) ==
        "*2\r\n$4\r\nport\r\n$" + std::to_string(std::to_string(port).size()) + "\r\n" +
            std::to_string(port) + "\r\n");
}

TEST_CASE("settings the server applies are kept", "[config]") {
  CommandHarness h;
  FakeServerHooks hooks;
  h.engine.hooks = &hooks;
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "10mb", "port", "7001"}) == "+OK\r\n");
  CHECK(h.engine.config.port == 7001);
  CHECK(hooks.config_changes == std::vector<std::string>{"maxmemory", "port"});
}
