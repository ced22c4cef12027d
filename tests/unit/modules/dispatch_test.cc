// The command path through Dispatch, in-process: admission (no-multi, queueing, refusals
// that abort EXEC, subcommand resolution), execution (stats of queued commands, the latency
// monitor, the mutation signal through EXEC) and CLIENT REPLY's reply dropping.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include <string>
#include <vector>

#include "modules/dispatch.h"
#include "modules/engine.h"
#include "tests/unit/command_harness.h"
#include "tests/unit/modules/fake_server_hooks.h"

namespace {

using firn::testing::CommandHarness;
using firn::testing::FakeServerHooks;

constexpr const char* kExecAbort = "-EXECABORT Transaction discarded because of previous errors.\r\n";
constexpr const char* kNotInMulti = "-ERR Command not allowed inside a transaction\r\n";

// The "cmdstat_<name>:..." line of INFO commandstats, or "" if absent.
std::string CmdStat(CommandHarness& h, const std::string& name) {
  const std::string info = h.Run({"INFO", "commandstats"});
  const std::string prefix = "cmdstat_" + name + ":";
  const size_t at = info.find(prefix);
  if (at == std::string::npos) return "";
  return info.substr(at, info.find("\r\n", at) - at);
}

}  // namespace

TEST_CASE("SHUTDOWN inside MULTI is refused and aborts the EXEC", "[dispatch][multi]") {
  CommandHarness h;
  FakeServerHooks hooks;
  h.engine.hooks = &hooks;
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "k", "v"}) == "+QUEUED\r\n");
  CHECK(h.Run({"SHUTDOWN"}) == kNotInMulti);
  CHECK(h.Run({"SHUTDOWN", "NOSAVE"}) == kNotInMulti);
  CHECK_FALSE(hooks.shutdown_requested);
  CHECK(h.Run({"EXEC"}) == kExecAbort);
  CHECK_FALSE(hooks.shutdown_requested);
  CHECK(h.Run({"GET", "k"}) == "$-1\r\n");
  // Outside MULTI it still runs.
  h.Run({"SHUTDOWN"});
  CHECK(hooks.shutdown_requested);
}

TEST_CASE("SAVE inside MULTI is refused", "[dispatch][multi]") {
  CommandHarness h;
  h.Run({"MULTI"});
  CHECK(h.Run({"SAVE"}) == kNotInMulti);
  CHECK(h.Run({"EXEC"}) == kExecAbort);
}

TEST_CASE("no-multi is Redis's flag: SHUTDOWN and SAVE carry it, MULTI/EXEC/QUIT/RESET do not",
          "[dispatch][multi]") {
  CommandHarness h;
  auto flags = [&](std::string_view name) { return h.engine.commands.Find(name)->flags; };
  CHECK((flags("shutdown") & firn::kNoMulti) != 0);
  CHECK((flags("save") & firn::kNoMulti) != 0);
  for (std::string_view name : {"multi", "exec", "discard", "quit", "reset", "set", "monitor"}) {
    INFO(name);
    CHECK((flags(name) & firn::kNoMulti) == 0);
  }
  const std::string info = h.Run({"COMMAND", "INFO", "shutdown"});
  CHECK(info.find("no_multi") != std::string::npos);
}

TEST_CASE("inside MULTI, MULTI runs at once and its error does not abort", "[dispatch][multi]") {
  CommandHarness h;
  h.Run({"MULTI"});
  CHECK(h.Run({"MULTI"}) == "-ERR MULTI calls can not be nested\r\n");
  CHECK(h.Run({"SET", "a", "1"}) == "+QUEUED\r\n");
  CHECK(h.Run({"EXEC"}) == "*1\r\n+OK\r\n");
}

TEST_CASE("an unknown subcommand or a bad arity inside MULTI aborts the EXEC", "[dispatch][multi]") {
  CommandHarness h;
  h.Run({"MULTI"});
  CHECK(h.Run({"CONFIG", "nosuch"}) == "-ERR unknown subcommand 'nosuch'. Try CONFIG HELP.\r\n");
  CHECK(h.Run({"EXEC"}) == kExecAbort);
  h.Run({"MULTI"});
  CHECK(h.Run({"SET", "a"}) == "-ERR wrong number of arguments for 'set' command\r\n");
  CHECK(h.Run({"EXEC"}) == kExecAbort);
}

TEST_CASE("RESET inside MULTI runs at once and leaves the transaction", "[dispatch][multi]") {
  CommandHarness h;
  h.Run({"MULTI"});
  CHECK(h.Run({"SET", "a", "1"}) == "+QUEUED\r\n");
  CHECK(h.Run({"RESET"}) == "+RESET\r\n");
  CHECK(h.Run({"EXEC"}) == "-ERR EXEC without MULTI\r\n");
  CHECK(h.Run({"DISCARD"}) == "-ERR DISCARD without MULTI\r\n");
}

TEST_CASE("MONITOR queued in MULTI answers an error inside EXEC", "[dispatch][multi]") {
  CommandHarness h;
  h.Run({"MULTI"});
  CHECK(h.Run({"MONITOR"}) == "+QUEUED\r\n");
  CHECK(h.Run({"EXEC"}) == "*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n");
  CHECK_FALSE(h.client.monitor);
}

TEST_CASE("commands run by EXEC count in commandstats once each", "[dispatch][multi]") {
  CommandHarness h;
  h.Run({"CONFIG", "RESETSTAT"});
  h.Run({"MULTI"});
  h.Run({"SET", "foo", "bar"});
  h.Run({"EXPIRE", "foo", "0"});
  h.Run({"EXEC"});
  CHECK(CmdStat(h, "multi").find("calls=1,") != std::string::npos);
  CHECK(CmdStat(h, "exec").find("calls=1,") != std::string::npos);
  CHECK(CmdStat(h, "set").find("calls=1,") != std::string::npos);
  CHECK(CmdStat(h, "expire").find("calls=1,") != std::string::npos);
}

TEST_CASE("a subcommand is counted under its own name, the container not at all", "[dispatch]") {
  CommandHarness h;
  h.Run({"CONFIG", "RESETSTAT"});
  h.Run({"CONFIG", "GET", "maxmemory"});
  CHECK(CmdStat(h, "config|get").find("calls=1,") != std::string::npos);
  CHECK(CmdStat(h, "config") == "");
  h.Run({"CLIENT", "ID"});
  CHECK(h.Run({"CLIENT", "INFO"}).find("cmd=client|info ") != std::string::npos);
  CHECK(h.client.last_command == "client|info");
}

TEST_CASE("CLIENT REPLY SKIP then ON: the reply to ON is sent", "[dispatch][client-reply]") {
  CommandHarness h;
  CHECK(h.Run({"CLIENT", "REPLY", "SKIP"}) == "");
  CHECK(h.Run({"CLIENT", "REPLY", "ON"}) == "+OK\r\n");
  CHECK(h.Run({"PING"}) == "+PONG\r\n");
}

TEST_CASE("CLIENT REPLY SKIP drops exactly the next reply", "[dispatch][client-reply]") {
  CommandHarness h;
  CHECK(h.Run({"CLIENT", "REPLY", "SKIP"}) == "");
  CHECK(h.Run({"PING"}) == "");
  CHECK(h.Run({"PING"}) == "+PONG\r\n");
  // A second SKIP while skipping covers the command after it.
  CHECK(h.Run({"CLIENT", "REPLY", "SKIP"}) == "");
  CHECK(h.Run({"CLIENT", "REPLY", "SKIP"}) == "");
  CHECK(h.Run({"PING"}) == "");
  CHECK(h.Run({"PING"}) == "+PONG\r\n");
}

TEST_CASE("CLIENT REPLY OFF: SKIP changes nothing, ON answers", "[dispatch][client-reply]") {
  CommandHarness h;
  CHECK(h.Run({"CLIENT", "REPLY", "OFF"}) == "");
  CHECK(h.Run({"PING"}) == "");
  CHECK(h.Run({"CLIENT", "REPLY", "SKIP"}) == "");
  CHECK(h.Run({"PING"}) == "");
  CHECK(h.Run({"PING"}) == "");
  CHECK(h.Run({"CLIENT", "REPLY", "ON"}) == "+OK\r\n");
  CHECK(h.Run({"PING"}) == "+PONG\r\n");
}

namespace {
int64_t g_fake_us = 0;
// Each reading advances the clock 5 ms, so every command seems to take 5 ms.
int64_t SteppingClockUs() { return g_fake_us += 5000; }
}  // namespace

TEST_CASE("latency-monitor-threshold logs commands at least that slow", "[dispatch][latency]") {
  CommandHarness h;
  h.engine.clock_us = SteppingClockUs;
  CHECK(h.Run({"CONFIG", "GET", "latency-monitor-threshold"}) ==
        "*2\r\n$25\r\nlatency-monitor-threshold\r\n$1\r\n0\r\n");
  h.Run({"SET", "a", "b"});
  CHECK(h.Run({"LATENCY", "LATEST"}) == "*0\r\n");
  CHECK(h.Run({"CONFIG", "SET", "latency-monitor-threshold", "5"}) == "+OK\r\n");
  CHECK(h.Run({"CONFIG", "GET", "latency-monitor-threshold"}) ==
        "*2\r\n$25\r\nlatency-monitor-threshold\r\n$1\r\n5\r\n");
  h.Run({"GET", "a"});       // fast
  h.Run({"KEYS", "*"});      // not fast
  const std::string t = std::to_string(h.now_ms / 1000);
  // One sample per event and second: a second's samples keep their maximum.
  CHECK(h.Run({"LATENCY", "HISTORY", "fast-command"}) == "*1\r\n*2\r\n:" + t + "\r\n:5\r\n");
  CHECK(h.Run({"LATENCY", "HISTORY", "command"}) == "*1\r\n*2\r\n:" + t + "\r\n:5\r\n");
  CHECK(h.Run({"LATENCY", "HISTORY", "nosuch"}) == "*0\r\n");
  CHECK(h.Run({"LATENCY", "LATEST"}).find("$7\r\ncommand\r\n:" + t + "\r\n:5\r\n:5\r\n") !=
        std::string::npos);
  CHECK(h.Run({"LATENCY", "DOCTOR"}).find("command") != std::string::npos);
  CHECK(h.Run({"LATENCY", "RESET", "nosuch"}) == ":0\r\n");
  CHECK(h.Run({"LATENCY", "RESET"}) == ":2\r\n");  // command and fast-command
  CHECK(h.Run({"CONFIG", "SET", "latency-monitor-threshold", "0"}) == "+OK\r\n");
  h.Run({"LATENCY", "RESET"});
  CHECK(h.Run({"LATENCY", "LATEST"}) == "*0\r\n");
  CHECK(h.Run({"LATENCY", "GRAPH", "command"}) ==
        "-ERR No samples available for event 'command'\r\n");
  CHECK(h.Run({"CONFIG", "SET", "latency-monitor-threshold", "-1"}).rfind("-ERR", 0) == 0);
}

TEST_CASE("INFO rdb_changes_since_last_save counts changes since SAVE", "[dispatch][info]") {
  firn::Config config;
  char dir[] = "/tmp/firn-dispatch-test-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  config.dir = dir;
  CommandHarness h(config);
  auto changes = [&]() {
    const std::string info = h.Run({"INFO", "persistence"});
    const size_t at = info.find("rdb_changes_since_last_save:");
    return info.substr(at, info.find("\r\n", at) - at);
  };
  CHECK(changes() == "rdb_changes_since_last_save:0");
  h.Run({"SET", "a", "1"});
  h.Run({"SET", "b", "1"});
  h.Run({"GET", "a"});
  CHECK(changes() == "rdb_changes_since_last_save:2");
  h.Run({"SAVE"});
  CHECK(changes() == "rdb_changes_since_last_save:0");
  h.Run({"DEL", "a"});
  CHECK(changes() == "rdb_changes_since_last_save:1");
  std::filesystem::remove_all(dir);
}

namespace {
class RecordingObserver : public firn::KeyspaceObserver {
 public:
  void OnKeyEvent(int db, std::string_view key, firn::KeyEvent event) override {
    if (event == firn::KeyEvent::kNew || event == firn::KeyEvent::kMiss) return;
    events.push_back({db, std::string(key), event});
  }
  struct Event {
    int db;
    std::string key;
    firn::KeyEvent event;
  };
  std::vector<Event> events;
};
}  // namespace

TEST_CASE("a write through EXEC signals the keyspace observer", "[dispatch][multi][observer]") {
  CommandHarness h;
  RecordingObserver observer;
  h.engine.keyspace.set_observer(&observer);
  h.Run({"SELECT", "3"});
  h.Run({"MULTI"});
  h.Run({"SET", "k", "v"});
  h.Run({"DEL", "other"});  // changes nothing
  CHECK(observer.events.empty());  // queued, not run
  CHECK(h.Run({"EXEC"}) == "*2\r\n+OK\r\n:0\r\n");
  REQUIRE(observer.events.size() == 1);
  CHECK(observer.events[0].db == 3);
  CHECK(observer.events[0].key == "k");
  CHECK(observer.events[0].event == firn::KeyEvent::kWrite);
  h.engine.keyspace.set_observer(nullptr);
}

TEST_CASE("over maxmemory, MULTI queues nothing and EXEC aborts; DISCARD still runs",
          "[dispatch][multi][oom]") {
  firn::Config config;
  config.maxmemory = 1;  // always over, and noeviction frees nothing
  CommandHarness h(config);
  const std::string oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
  CHECK(h.Run({"GET", "k"}) == "$-1\r\n");  // not deny-oom: runs outside MULTI
  CHECK(h.Run({"SET", "k", "v"}) == oom);
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "k"}) == oom);  // the queue itself would grow
  CHECK(h.Run({"EXEC"}) == kExecAbort);
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"DISCARD"}) == "+OK\r\n");
}
