// CL.THROTTLE, RL.BUCKET, RL.WINDOW and RL.PEEK through Dispatch, in-process, with a clock
// the tests move: redis-cell's documented sequences give redis-cell's numbers, argument
// errors leave the key as it was, and decisions are counted for INFO and metrics.
#include <catch2/catch.hpp>
#include <string>

#include "../command_harness.h"

namespace firn {
namespace {

using testing::CommandHarness;

std::string Five(int64_t limited, int64_t limit, int64_t remaining, int64_t retry, int64_t reset) {
  std::string s = "*5\r\n";
  for (int64_t v : {limited, limit, remaining, retry, reset}) {
    s += ":" + std::to_string(v) + "\r\n";
  }
  return s;
}

std::string Err(std::string_view text) { return "-" + std::string(text) + "\r\n"; }

TEST_CASE("CL.THROTTLE answers redis-cell's README example", "[ratelimit]") {
  CommandHarness h;
  CHECK(h.Run({"CL.THROTTLE", "user123", "15", "30", "60"}) == Five(0, 16, 15, -1, 2));
  CHECK(h.Run({"CL.THROTTLE", "user123", "15", "30", "60", "1"}) == Five(0, 16, 14, -1, 4));
  // The state is redis-cell's: a string holding the TAT in ns, expiring when it is reached.
  const int64_t tat_ns = (h.now_ms + 4000) * 1'000'000;
  CHECK(h.Run({"GET", "user123"}) == "$19\r\n" + std::to_string(tat_ns) + "\r\n");
  CHECK(h.Run({"PTTL", "user123"}) == ":4000\r\n");
  CHECK(h.Run({"TYPE", "user123"}) == "+string\r\n");
}

TEST_CASE("CL.THROTTLE follows redis-cell's end-to-end test", "[ratelimit]") {
  // redis-cell tests/e2e.rs: max_burst 0, 1 token every 2 seconds.
  CommandHarness h;
  CHECK(h.Run({"CL.THROTTLE", "user123", "0", "1", "2", "1"}) == Five(0, 1, 0, -1, 2));
  CHECK(h.Run({"CL.THROTTLE", "user123", "0", "1", "2", "1"}) == Five(1, 1, 0, 2, 2));
  h.now_ms += 2000;
  CHECK(h.Run({"CL.THROTTLE", "user123", "0", "1", "2", "1"}) == Five(0, 1, 0, -1, 2));
}

TEST_CASE("CL.THROTTLE reproduces redis-cell's rate limiting table", "[ratelimit]") {
  // redis-cell src/cell/mod.rs it_rate_limits (limit 5, one a second), in whole seconds.
  CommandHarness h;
  const int64_t start = h.now_ms;
  struct Step {
    int64_t at_ms;
    const char* quantity;
    std::string reply;
  };
  const Step steps[] = {
      {0, "6", Five(1, 5, 5, -1, 0)},    {0, "1", Five(0, 5, 4, -1, 1)},
      {0, "1", Five(0, 5, 3, -1, 2)},    {0, "1", Five(0, 5, 2, -1, 3)},
      {0, "1", Five(0, 5, 1, -1, 4)},    {0, "1", Five(0, 5, 0, -1, 5)},
      {0, "1", Five(1, 5, 0, 1, 5)},     {3000, "1", Five(0, 5, 2, -1, 3)},
      {3100, "1", Five(0, 5, 1, -1, 4)}, {4000, "1", Five(0, 5, 1, -1, 4)},
      {8000, "1", Five(0, 5, 4, -1, 1)}, {9500, "1", Five(0, 5, 4, -1, 1)},
      {9500, "0", Five(0, 5, 4, -1, 1)}, {9500, "2", Five(0, 5, 2, -1, 3)},
      {9500, "5", Five(1, 5, 2, 3, 3)},
  };
  for (const Step& s : steps) {
    INFO("at " << s.at_ms << " quantity " << s.quantity);
    h.now_ms = start + s.at_ms;
    CHECK(h.Run({"CL.THROTTLE", "foo", "4", "1", "1", s.quantity}) == s.reply);
  }
}

TEST_CASE("CL.THROTTLE with quantity 0 peeks without creating the key", "[ratelimit]") {
  CommandHarness h;
  CHECK(h.Run({"CL.THROTTLE", "k", "9", "10", "60", "0"}) == Five(0, 10, 10, -1, 0));
  CHECK(h.Run({"EXISTS", "k"}) == ":0\r\n");
  CHECK(h.engine.ratelimit.allowed == 0);
}

TEST_CASE("CL.THROTTLE refuses bad arguments with redis-cell's texts, key unchanged",
          "[ratelimit]") {
  CommandHarness h;
  h.Run({"CL.THROTTLE", "k", "5", "10", "60"});
  const std::string before = h.Run({"GET", "k"});
  CHECK(h.Run({"CL.THROTTLE", "k", "abc", "10", "60"}) ==
        Err("Cell error: Couldn't parse as integer: abc"));
  CHECK(h.Run({"CL.THROTTLE", "k", "5", "1.5", "60"}) ==
        Err("Cell error: Couldn't parse as integer: 1.5"));
  CHECK(h.Run({"CL.THROTTLE", "k", "5", "10", "60", "99999999999999999999"}) ==
        Err("Cell error: Couldn't parse as integer: 99999999999999999999"));
  CHECK(h.Run({"CL.THROTTLE", "k", "5", "0", "60"}) ==
        Err("Cell error: Zero rates are not supported"));
  CHECK(h.Run({"CL.THROTTLE", "k", "5", "10", "0"}) ==
        Err("Cell error: Zero rates are not supported"));
  CHECK(h.Run({"CL.THROTTLE", "k", "-1", "10", "60"}) ==
        Err("ERR value is not an integer or out of range"));
  CHECK(h.Run({"CL.THROTTLE", "k", "5", "10", "60", "-1"}) ==
        Err("ERR value is not an integer or out of range"));
  CHECK(h.Run({"CL.THROTTLE", "k", "5", "10", "9223372036854775807"}) ==
        Err("ERR value is not an integer or out of range"));
  CHECK(h.Run({"CL.THROTTLE", "k", "5", "10"}) ==
        Err("ERR wrong number of arguments for 'cl.throttle' command"));
  CHECK(h.Run({"CL.THROTTLE", "k", "5", "10", "60", "1", "1"}) ==
        Err("ERR wrong number of arguments for 'cl.throttle' command"));
  CHECK(h.Run({"GET", "k"}) == before);
  // redis-cell parses with Rust's i64: a '+' sign and leading zeroes are fine.
  CHECK(h.Run({"CL.THROTTLE", "k", "+5", "010", "060", "+0"}) == Five(0, 6, 5, -1, 6));
}

TEST_CASE("CL.THROTTLE keys hold strings: other types answer WRONGTYPE", "[ratelimit]") {
  CommandHarness h;
  h.Run({"RL.BUCKET", "b", "10", "1000"});
  CHECK(h.Run({"CL.THROTTLE", "b", "5", "10", "60"}) ==
        Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
  h.Run({"SET", "s", "hello"});
  CHECK(h.Run({"CL.THROTTLE", "s", "5", "10", "60"}) ==
        Err("ERR value is not an integer or out of range"));
  CHECK(h.Run({"GET", "s"}) == "$5\r\nhello\r\n");
}

TEST_CASE("RL.BUCKET takes tokens and refills them evenly at ms precision", "[ratelimit]") {
  CommandHarness h;
  CHECK(h.Run({"RL.BUCKET", "api:1", "10", "1000"}) == Five(0, 10, 9, -1, 100));
  CHECK(h.Run({"RL.BUCKET", "api:1", "10", "1000", "COST", "9"}) == Five(0, 10, 0, -1, 1000));
  CHECK(h.Run({"RL.BUCKET", "api:1", "10", "1000"}) == Five(1, 10, 0, 100, 1000));
  h.now_ms += 99;
  CHECK(h.Run({"RL.BUCKET", "api:1", "10", "1000"}) == Five(1, 10, 0, 1, 901));
  h.now_ms += 1;
  CHECK(h.Run({"RL.BUCKET", "api:1", "10", "1000"}) == Five(0, 10, 0, -1, 1000));
  CHECK(h.Run({"TYPE", "api:1"}) == "+ratelimit\r\n");
  CHECK(h.Run({"PTTL", "api:1"}) == ":1000\r\n");
  h.now_ms += 1000;
  CHECK(h.Run({"EXISTS", "api:1"}) == ":0\r\n");  // full again: the key is gone
  // BURST sets the capacity; the reply's limit is the capacity.
  CHECK(h.Run({"RL.BUCKET", "up", "10", "60000", "BURST", "3", "COST", "2"}) ==
        Five(0, 3, 1, -1, 12000));
  CHECK(h.Run({"rl.bucket", "up", "10", "60000", "cost", "2", "burst", "3"}) ==
        Five(1, 3, 1, 6000, 12000));
}

TEST_CASE("RL.BUCKET refuses bad arguments with clear errors, key unchanged", "[ratelimit]") {
  CommandHarness h;
  h.Run({"RL.BUCKET", "k", "10", "1000", "COST", "4"});
  const std::string peek = h.Run({"RL.PEEK", "k"});
  const std::string not_int = Err("ERR value is not an integer or out of range");
  CHECK(h.Run({"RL.BUCKET", "k", "0", "1000"}) == Err("ERR limit must be a positive integer"));
  CHECK(h.Run({"RL.BUCKET", "k", "-3", "1000"}) == Err("ERR limit must be a positive integer"));
  CHECK(h.Run({"RL.BUCKET", "k", "10", "0"}) ==
        Err("ERR window_ms must be a positive integer no larger than 1099511627776"));
  CHECK(h.Run({"RL.BUCKET", "k", "10", "1099511627777"}) ==
        Err("ERR window_ms must be a positive integer no larger than 1099511627776"));
  CHECK(h.Run({"RL.BUCKET", "k", "10", "1000", "BURST", "0"}) ==
        Err("ERR BURST must be a positive integer"));
  CHECK(h.Run({"RL.BUCKET", "k", "10", "1000", "COST", "0"}) ==
        Err("ERR COST must be a positive integer"));
  CHECK(h.Run({"RL.BUCKET", "k", "10", "1000", "COST", "-1"}) ==
        Err("ERR COST must be a positive integer"));
  CHECK(h.Run({"RL.BUCKET", "k", "10", "1000", "COST", "11"}) ==
        Err("ERR COST exceeds the bucket's capacity (BURST, by default the limit): it could "
            "never pass"));
  CHECK(h.Run({"RL.BUCKET", "k", "10", "1000", "BURST", "2", "COST", "3"}) ==
        Err("ERR COST exceeds the bucket's capacity (BURST, by default the limit): it could "
            "never pass"));
  CHECK(h.Run({"RL.BUCKET", "k", "1", "1099511627776", "BURST", "9000000"}) ==
        Err("ERR limit or BURST times window_ms is too large"));
  CHECK(h.Run({"RL.BUCKET", "k", "ten", "1000"}) == not_int);
  CHECK(h.Run({"RL.BUCKET", "k", "10", "1.5"}) == not_int);
  CHECK(h.Run({"RL.BUCKET", "k", "10", "1000", "COST", "x"}) == not_int);
  CHECK(h.Run({"RL.BUCKET", "k", "99999999999999999999", "1000"}) == not_int);
  CHECK(h.Run({"RL.BUCKET", "k", "10", "1000", "COST"}) == Err("ERR syntax error"));
  CHECK(h.Run({"RL.BUCKET", "k", "10", "1000", "APPROX"}) == Err("ERR syntax error"));
  CHECK(h.Run({"RL.BUCKET", "k", "10"}) ==
        Err("ERR wrong number of arguments for 'rl.bucket' command"));
  CHECK(h.Run({"RL.PEEK", "k"}) == peek);
  CHECK(h.engine.ratelimit.allowed == 1);  // refused arguments are not decisions
  CHECK(h.engine.ratelimit.limited == 0);
}

TEST_CASE("RL.WINDOW counts the hits of the last window_ms exactly", "[ratelimit]") {
  CommandHarness h;
  const int64_t t0 = h.now_ms;
  CHECK(h.Run({"RL.WINDOW", "login:bob", "3", "1000"}) == Five(0, 3, 2, -1, 1000));
  h.now_ms = t0 + 400;
  CHECK(h.Run({"RL.WINDOW", "login:bob", "3", "1000", "COST", "2"}) == Five(0, 3, 0, -1, 1000));
  h.now_ms = t0 + 999;
  CHECK(h.Run({"RL.WINDOW", "login:bob", "3", "1000"}) == Five(1, 3, 0, 1, 401));
  h.now_ms = t0 + 1000;  // the first hit leaves the window at this very ms
  CHECK(h.Run({"RL.WINDOW", "login:bob", "3", "1000"}) == Five(0, 3, 0, -1, 1000));
  CHECK(h.Run({"RL.WINDOW", "login:bob", "3", "1000"}) == Five(1, 3, 0, 400, 1000));
  // A larger limit applies at once.
  CHECK(h.Run({"RL.WINDOW", "login:bob", "4", "1000"}) == Five(0, 4, 0, -1, 1000));
  CHECK(h.Run({"PTTL", "login:bob"}) == ":1000\r\n");
  h.now_ms += 1000;
  CHECK(h.Run({"EXISTS", "login:bob"}) == ":0\r\n");
}

TEST_CASE("RL.WINDOW APPROX weighs the previous window", "[ratelimit]") {
  CommandHarness h;
  const int64_t t0 = h.now_ms;
  for (int i = 0; i < 10; ++i) h.Run({"RL.WINDOW", "a", "10", "1000", "APPROX"});
  // Refused until 100 ms into the next window, when the previous 10 weigh 9.
  CHECK(h.Run({"RL.WINDOW", "a", "10", "1000", "APPROX"}) == Five(1, 10, 0, 1100, 2000));
  h.now_ms = t0 + 1250;  // previous window's 10 hits weigh 75%: estimate 7.5
  CHECK(h.Run({"RL.WINDOW", "a", "10", "1000", "APPROX", "COST", "2"}) == Five(0, 10, 0, -1, 1750));
  CHECK(h.Run({"RL.WINDOW", "a", "10", "1000", "APPROX"}) == Five(1, 10, 0, 50, 1750));
  // The two kinds of window are different limiters: mixing them on one key is WRONGTYPE.
  CHECK(h.Run({"RL.WINDOW", "a", "10", "1000"}) ==
        Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
  CHECK(h.Run({"RL.BUCKET", "a", "10", "1000"}) ==
        Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
}

TEST_CASE("RL.WINDOW refuses bad arguments, key unchanged", "[ratelimit]") {
  CommandHarness h;
  h.Run({"RL.WINDOW", "w", "5", "1000"});
  const std::string peek = h.Run({"RL.PEEK", "w"});
  CHECK(h.Run({"RL.WINDOW", "w", "5", "1000", "COST", "6"}) ==
        Err("ERR COST exceeds the limit: it could never pass"));
  CHECK(h.Run({"RL.WINDOW", "w", "5", "-1000"}) ==
        Err("ERR window_ms must be a positive integer no larger than 1099511627776"));
  CHECK(h.Run({"RL.WINDOW", "w", "0", "1000", "APPROX"}) ==
        Err("ERR limit must be a positive integer"));
  CHECK(h.Run({"RL.WINDOW", "w", "2000000", "1000"}) ==
        Err("ERR limit above 1000000 is too large for an exact window: use APPROX"));
  CHECK(h.Run({"RL.WINDOW", "w", "5000000000000000000", "1000", "APPROX"}) ==
        Err("ERR limit or BURST times window_ms is too large"));
  CHECK(h.Run({"RL.WINDOW", "w", "5", "1000", "BURST", "3"}) == Err("ERR syntax error"));
  CHECK(h.Run({"RL.WINDOW", "w", "5", "1000", "COST", "1", "EXTRA"}) == Err("ERR syntax error"));
  CHECK(h.Run({"RL.PEEK", "w"}) == peek);
}

TEST_CASE("RL.PEEK reads any RL limiter without consuming", "[ratelimit]") {
  CommandHarness h;
  CHECK(h.Run({"RL.PEEK", "none"}) == "*-1\r\n");
  h.Run({"RL.BUCKET", "b", "2", "1000"});
  CHECK(h.Run({"RL.PEEK", "b"}) == Five(0, 2, 1, -1, 500));
  CHECK(h.Run({"RL.PEEK", "b"}) == Five(0, 2, 1, -1, 500));
  h.Run({"RL.BUCKET", "b", "2", "1000"});
  CHECK(h.Run({"RL.PEEK", "b"}) == Five(1, 2, 0, 500, 1000));
  h.Run({"RL.WINDOW", "w", "1", "1000"});
  h.now_ms += 300;
  CHECK(h.Run({"RL.PEEK", "w"}) == Five(1, 1, 0, 700, 700));
  h.Run({"RL.WINDOW", "a", "4", "1000", "APPROX"});
  CHECK(h.Run({"RL.PEEK", "a"}) == Five(0, 4, 3, -1, 2000));
  h.Run({"SET", "s", "1"});
  CHECK(h.Run({"RL.PEEK", "s"}) ==
        Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
  CHECK(h.engine.ratelimit.allowed == 4);  // peeks count nothing
}

TEST_CASE("decisions are counted in total and per limiter name, capped", "[ratelimit]") {
  Config config;
  config.metrics_max_limiters = 2;
  CommandHarness h(config);
  h.Run({"CL.THROTTLE", "login:a", "0", "1", "60"});
  h.Run({"CL.THROTTLE", "login:b", "0", "1", "60"});
  h.Run({"CL.THROTTLE", "login:a", "0", "1", "60"});  // limited
  h.Run({"RL.WINDOW", "api:x", "5", "1000"});
  h.Run({"RL.BUCKET", "upload:x", "5", "1000"});  // third name: "other"
  h.Run({"RL.BUCKET", "global", "5", "1000"});    // no ':': the whole key, also "other"
  const RateLimitStats& s = h.engine.ratelimit;
  CHECK(s.allowed == 5);
  CHECK(s.limited == 1);
  REQUIRE(s.by_limiter.count("login") == 1);
  CHECK(s.by_limiter.at("login").allowed == 2);
  CHECK(s.by_limiter.at("login").limited == 1);
  CHECK(s.by_limiter.at("api").allowed == 1);
  CHECK(s.by_limiter.at("other").allowed == 2);
  CHECK(s.by_limiter.size() == 3);
  CHECK(h.Run({"INFO", "ratelimit"}).find("ratelimit_limited:1") != std::string::npos);
}

TEST_CASE("limiter commands queue and run atomically in MULTI/EXEC", "[ratelimit]") {
  CommandHarness h;
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"RL.WINDOW", "m", "2", "1000"}) == "+QUEUED\r\n");
  CHECK(h.Run({"RL.WINDOW", "m", "2", "1000"}) == "+QUEUED\r\n");
  CHECK(h.Run({"RL.WINDOW", "m", "2", "1000"}) == "+QUEUED\r\n");
  CHECK(h.Run({"EXEC"}) ==
        "*3\r\n" + Five(0, 2, 1, -1, 1000) + Five(0, 2, 0, -1, 1000) + Five(1, 2, 0, 1000, 1000));
}

}  // namespace
}  // namespace firn
