#include "modules/slowlog.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../command_harness.h"

using firn::testing::CommandHarness;

namespace {

// A clock that moves g_tick_us on every read, so a plain command "runs" for g_tick_us.
int64_t g_clock_us = 0;
int64_t g_tick_us = 0;
int64_t TickingClockUs() { return g_clock_us += g_tick_us; }

firn::Config SlowConfig(int64_t slower_than_us, int64_t max_len) {
  firn::Config cfg;
  cfg.slowlog_log_slower_than = slower_than_us;
  cfg.slowlog_max_len = max_len;
  return cfg;
}

// A harness whose clock advances tick_us per reading (the engine stays in place: its
// listeners hold references into it).
struct SlowHarness : CommandHarness {
  SlowHarness(int64_t slower_than_us, int64_t tick_us, int64_t max_len = 128)
      : CommandHarness(SlowConfig(slower_than_us, max_len)) {
    g_tick_us = tick_us;
    engine.clock_us = TickingClockUs;
    client.addr = "127.0.0.1:5000";
  }
};

std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

}  // namespace

TEST_CASE("commands at or above the threshold are logged, newest first", "[slowlog]") {
  SlowHarness h(100, 100);
  h.client.name = "worker";
  h.Run({"SET", "k", "v"});
  h.now_ms = 1700000001999;
  h.Run({"GET", "k"});
  CHECK(h.Run({"SLOWLOG", "GET", "1"}) ==
        "*1\r\n*6\r\n:1\r\n:1700000001\r\n:100\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n" +
            Bulk("127.0.0.1:5000") + Bulk("worker"));
  CHECK(h.Run({"SLOWLOG", "LEN"}) == ":3\r\n");  // SET, GET and the SLOWLOG GET
}

TEST_CASE("commands faster than the threshold are not logged", "[slowlog]") {
  SlowHarness h(101, 100);
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"SLOWLOG", "LEN"}) == ":0\r\n");
}

TEST_CASE("slowlog-log-slower-than -1 turns the log off and 0 logs everything", "[slowlog]") {
  SlowHarness off(-1, 1000000);
  off.Run({"SET", "k", "v"});
  CHECK(off.Run({"SLOWLOG", "LEN"}) == ":0\r\n");
  SlowHarness all(0, 0);
  all.Run({"PING"});
  CHECK(all.Run({"SLOWLOG", "LEN"}) == ":1\r\n");
}

TEST_CASE("the log keeps slowlog-max-len entries and ids survive RESET", "[slowlog]") {
  SlowHarness h(0, 1, 3);
  for (int i = 0; i < 5; ++i) h.Run({"SET", "k", std::to_string(i)});
  CHECK(h.Run({"SLOWLOG", "LEN"}) == ":3\r\n");
  CHECK(h.Run({"SLOWLOG", "RESET"}) == "+OK\r\n");
  CHECK(h.Run({"SLOWLOG", "LEN"}) == ":1\r\n");  // the RESET itself was logged after it ran
  const std::string got = h.Run({"SLOWLOG", "GET"});
  // Ids: 5 SETs (0-4), LEN (5), RESET (6), LEN (7); the newest entry is LEN with id 7.
  CHECK(got.rfind("*2\r\n*6\r\n:7\r\n", 0) == 0);
}

TEST_CASE("long arguments and long argument lists are cut as Redis cuts them", "[slowlog]") {
  SlowHarness h(0, 1);
  std::string big(200, 'x');
  h.Run({"SET", big, "v"});
  std::vector<std::string> many{"MSET"};
  for (int i = 0; i < 41; ++i) many.push_back("a" + std::to_string(i));
  h.Run(many);
  const firn::SlowLogEntry& mset = h.engine.slowlog.entries()[0];
  REQUIRE(mset.argv.size() == 32);
  CHECK(mset.argv[30] == "a29");
  CHECK(mset.argv[31] == "... (11 more arguments)");
  const firn::SlowLogEntry& set = h.engine.slowlog.entries()[1];
  CHECK(set.argv[1] == std::string(128, 'x') + "... (72 more bytes)");
}

TEST_CASE("passwords are redacted", "[slowlog]") {
  SlowHarness h(0, 1);
  h.Run({"AUTH", "user", "secret"});
  h.Run({"HELLO", "2", "AUTH", "default", "secret", "SETNAME", "me"});
  h.Run({"CONFIG", "SET", "requirepass", "secret", "maxmemory", "0"});
  const auto& e = h.engine.slowlog.entries();
  CHECK(e[2].argv == std::vector<std::string>{"AUTH", "(redacted)", "(redacted)"});
  CHECK(e[1].argv == std::vector<std::string>{"HELLO", "2", "AUTH", "(redacted)", "(redacted)",
                                              "SETNAME", "me"});
  CHECK(e[0].argv == std::vector<std::string>{"CONFIG", "SET", "requirepass", "(redacted)",
                                              "maxmemory", "0"});
}

TEST_CASE("EXEC is not logged, the commands it runs are", "[slowlog]") {
  SlowHarness h(0, 1);
  h.Run({"MULTI"});
  h.Run({"SET", "k", "v"});
  h.Run({"EXEC"});
  const auto& e = h.engine.slowlog.entries();
  REQUIRE(e.size() == 2);
  CHECK(e[0].argv[0] == "SET");
  CHECK(e[1].argv[0] == "MULTI");
}

TEST_CASE("SLOWLOG argument errors use Redis's texts", "[slowlog]") {
  SlowHarness h(-1, 0);
  CHECK(h.Run({"SLOWLOG", "GET", "-2"}) ==
        "-ERR count should be greater than or equal to -1\r\n");
  CHECK(h.Run({"SLOWLOG", "GET", "x"}) ==
        "-ERR count should be greater than or equal to -1\r\n");
  CHECK(h.Run({"SLOWLOG", "GET", "1", "2"}) ==
        "-ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.\r\n");
  CHECK(h.Run({"SLOWLOG", "LEN", "x"}) ==
        "-ERR wrong number of arguments for 'slowlog|len' command\r\n");
  CHECK(h.Run({"SLOWLOG", "FOO"}) == "-ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.\r\n");
  CHECK(h.Run({"SLOWLOG"}) == "-ERR wrong number of arguments for 'slowlog' command\r\n");
  CHECK(h.Run({"SLOWLOG", "GET", "-1"}) == "*0\r\n");
  CHECK(h.Run({"SLOWLOG", "HELP"})
            .rfind("*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n",
                   0) == 0);
}

TEST_CASE("LATENCY HISTOGRAM reports the buckets dispatch counts", "[slowlog][latency]") {
  SlowHarness h(-1, 7);  // every command takes 7 us: the 10 us bucket
  h.Run({"SET", "k", "v"});
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"LATENCY", "HISTOGRAM", "set", "nosuch"}) ==
        "*2\r\n$3\r\nset\r\n*4\r\n$5\r\ncalls\r\n:2\r\n$14\r\nhistogram_usec\r\n*2\r\n:10\r\n:2\r\n");
  CHECK(h.Run({"LATENCY", "HISTOGRAM", "get"}) == "*0\r\n");
  CHECK(h.Run({"LATENCY", "LATEST"}) == "*0\r\n");
  CHECK(h.Run({"LATENCY", "RESET"}) == ":0\r\n");
  h.client.proto = firn::Proto::kResp3;
  CHECK(h.Run({"LATENCY", "HISTOGRAM", "SET"}) ==
        "%1\r\n$3\r\nset\r\n%2\r\n$5\r\ncalls\r\n:2\r\n$14\r\nhistogram_usec\r\n%1\r\n:10\r\n:2\r\n");
}

TEST_CASE("LATENCY HISTOGRAM is empty when latency-tracking is off", "[slowlog][latency]") {
  SlowHarness h(-1, 7);
  h.engine.config.latency_tracking = false;
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"LATENCY", "HISTOGRAM"}) == "*0\r\n");
}
