// The client registry: clients apart from connections, their output sinks, MONITOR's feed.
#include "modules/client.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../command_harness.h"

using firn::ClientInfo;
using firn::ClientRegistry;
using firn::Dispatch;
using firn::Proto;
using firn::ReplyBuilder;
using firn::testing::CommandHarness;

namespace {

// A registered client whose sink is a string the test reads.
struct SinkClient {
  explicit SinkClient(ClientRegistry& registry) : info(registry.Add()) {
    info.sink.buffer = &out;
    info.authenticated = true;
  }
  ClientInfo& info;
  std::string out;
};

}  // namespace

TEST_CASE("a MONITOR line reaches a monitoring client's sink in-process", "[client]") {
  CommandHarness h;
  h.client.addr = "127.0.0.1:5000";
  SinkClient monitor(h.engine.clients);
  Dispatch(h.engine, monitor.info, {"MONITOR"}, &monitor.out, h.now_ms);
  REQUIRE(monitor.out == "+OK\r\n");
  REQUIRE(h.engine.clients.HasMonitors());
  monitor.out.clear();

  CHECK(h.Run({"SET", "k", "a \"b\"\n"}) == "+OK\r\n");
  // The fake clock's time, the client's db and address, the arguments quoted as Redis does.
  CHECK(monitor.out == "+1700000000.000000 [0 127.0.0.1:5000] \"SET\" \"k\" \"a \\\"b\\\"\\n\"\r\n");
  CHECK(monitor.info.output_buffer_bytes == monitor.out.size());
}

TEST_CASE("MONITOR sees neither admin commands nor its own", "[client]") {
  CommandHarness h;
  SinkClient monitor(h.engine.clients);
  Dispatch(h.engine, monitor.info, {"MONITOR"}, &monitor.out, h.now_ms);
  monitor.out.clear();
  h.Run({"SAVE"});
  Dispatch(h.engine, monitor.info, {"PING"}, &monitor.out, h.now_ms);
  CHECK(monitor.out == "+PONG\r\n");  // its own reply, no MONITOR line
}

TEST_CASE("RESET and removal stop the MONITOR feed", "[client]") {
  CommandHarness h;
  SinkClient a(h.engine.clients), b(h.engine.clients);
  Dispatch(h.engine, a.info, {"MONITOR"}, &a.out, h.now_ms);
  Dispatch(h.engine, b.info, {"MONITOR"}, &b.out, h.now_ms);
  Dispatch(h.engine, a.info, {"RESET"}, &a.out, h.now_ms);
  a.out.clear();
  b.out.clear();
  h.Run({"GET", "k"});
  CHECK(a.out.empty());
  CHECK(b.out.find("\"GET\" \"k\"") != std::string::npos);
  CHECK_FALSE(a.info.monitor);
  h.engine.clients.Remove(b.info);
  CHECK_FALSE(h.engine.clients.HasMonitors());
  h.Run({"GET", "k"});  // nothing to feed, nothing dangling
}

TEST_CASE("the registry hands out increasing ids and finds clients by id", "[client]") {
  ClientRegistry registry;
  ClientInfo& a = registry.Add();
  ClientInfo& b = registry.Add();
  CHECK(a.id == 1);
  CHECK(b.id == 2);
  CHECK(registry.Find(2) == &b);
  registry.Remove(a);
  CHECK(registry.Find(1) == nullptr);
  CHECK(registry.Add().id == 3);  // never reused
  std::vector<uint64_t> ids;
  registry.ForEach([&](ClientInfo& c) { ids.push_back(c.id); });
  CHECK(ids == std::vector<uint64_t>{2, 3});
}

TEST_CASE("a sink encodes in its client's RESP version and counts its bytes", "[client]") {
  ClientRegistry registry;
  SinkClient c(registry);
  c.info.proto = Proto::kResp3;
  registry.SendReply(c.info, [](ReplyBuilder& r) { r.Null(); });
  CHECK(c.out == "_\r\n");
  c.info.proto = Proto::kResp2;
  registry.SendReply(c.info, [](ReplyBuilder& r) { r.Null(); });
  CHECK(c.out == "_\r\n$-1\r\n");
  CHECK(c.info.output_buffer_bytes == 8);
  // A closed connection's sink is unbound: writes are dropped.
  c.info.sink.buffer = nullptr;
  registry.Send(c.info, "+x\r\n");
  CHECK(c.info.output_buffer_bytes == 8);
}
