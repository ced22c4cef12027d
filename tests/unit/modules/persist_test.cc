#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "../command_harness.h"
#include "modules/persist.h"
#include "storage/rdb.h"

using firn::testing::CommandHarness;

namespace {

// The bulk string of a RESP reply ($<n>\r\n<bytes>\r\n).
std::string BulkOf(const std::string& reply) {
  REQUIRE(reply.size() > 0);
  REQUIRE(reply[0] == '$');
  const size_t nl = reply.find("\r\n");
  const size_t n = std::stoul(reply.substr(1, nl - 1));
  return reply.substr(nl + 2, n);
}

// A payload with a valid version and checksum around an arbitrary object.
std::string Wrap(std::string object) {
  object.push_back(10);
  object.push_back(0);
  const uint64_t crc = firn::rdb::Crc64(0, object);
  for (int i = 0; i < 8; ++i) object.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return object;
}

}  // namespace

TEST_CASE("DUMP then RESTORE rebuilds every type, with its TTL", "[persist]") {
  CommandHarness h;
  h.Run({"SET", "s", "hello"});
  h.Run({"RPUSH", "l", "a", "b", "12"});
  h.Run({"HSET", "h", "f", "v", "g", "1"});
  h.Run({"SADD", "si", "1", "2", "3"});
  h.Run({"SADD", "ss", "x", "y"});
  h.Run({"ZADD", "z", "1.5", "a", "-2", "b"});
  h.Run({"PEXPIRE", "l", "10000"});
  for (std::string key : {"s", "l", "h", "si", "ss", "z"}) {
    INFO(key);
    const std::string payload = BulkOf(h.Run({"DUMP", key}));
    const std::string copy = key + "2";
    CHECK(h.Run({"RESTORE", copy, "5000", payload}) == "+OK\r\n");
    CHECK(h.Run({"PTTL", copy}) == ":5000\r\n");
    CHECK(h.Run({"TYPE", copy}) == h.Run({"TYPE", key}));
    CHECK(h.Run({"DUMP", copy}) == h.Run({"DUMP", key}));
  }
  CHECK(h.Run({"LRANGE", "l2", "0", "-1"}) == "*3\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\n12\r\n");
  CHECK(h.Run({"ZSCORE", "z2", "b"}) == "$2\r\n-2\r\n");
  CHECK(h.Run({"DUMP", "nosuch"}) == "$-1\r\n");
}

TEST_CASE("RESTORE: BUSYKEY, REPLACE, ABSTTL, a past TTL, bad TTLs and options", "[persist]") {
  CommandHarness h;
  h.Run({"SET", "s", "v"});
  const std::string p = BulkOf(h.Run({"DUMP", "s"}));
  CHECK(h.Run({"RESTORE", "s", "0", p}) == "-BUSYKEY Target key name already exists.\r\n");
  CHECK(h.Run({"RESTORE", "s", "0", p, "REPLACE"}) == "+OK\r\n");
  CHECK(h.Run({"RESTORE", "t", "-1", p}) == "-ERR Invalid TTL value, must be >= 0\r\n");
  CHECK(h.Run({"RESTORE", "t", "x", p}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Run({"RESTORE", "t", std::to_string(h.now_ms + 3000), p, "ABSTTL"}) == "+OK\r\n");
  CHECK(h.Run({"PTTL", "t"}) == ":3000\r\n");
  // Already expired: OK, nothing stored; with REPLACE the old key is gone.
  CHECK(h.Run({"RESTORE", "s", std::to_string(h.now_ms - 1), p, "ABSTTL", "REPLACE"}) ==
        "+OK\r\n");
  CHECK(h.Run({"EXISTS", "s"}) == ":0\r\n");
  CHECK(h.Run({"RESTORE", "u", "0", p, "IDLETIME", "-1"}) ==
        "-ERR Invalid IDLETIME value, must be >= 0\r\n");
  CHECK(h.Run({"RESTORE", "u", "0", p, "FREQ", "256"}) ==
        "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n");
  CHECK(h.Run({"RESTORE", "u", "0", p, "IDLETIME", "1", "FREQ", "1"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"RESTORE", "u", "0", p, "BOGUS"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"RESTORE", "u", "0", p, "IDLETIME", "1000"}) == "+OK\r\n");
  CHECK(h.Run({"OBJECT", "IDLETIME", "u"}) == ":1000\r\n");
  CHECK(h.Run({"EXISTS", "u"}) == ":1\r\n");
}

TEST_CASE("RESTORE refuses a corrupt payload and leaves the keyspace as it was", "[persist]") {
  CommandHarness h;
  h.Run({"HSET", "h", "f1", "v1", "f2", std::string(300, 'x')});
  h.Run({"RPUSH", "l", "a", "b", "c"});
  h.Run({"ZADD", "z", "1", "a", "2", "b"});
  h.Run({"SET", "keep", "old"});
  std::mt19937 rng(7);
  for (std::string key : {"h", "l", "z"}) {
    const std::string p = BulkOf(h.Run({"DUMP", key}));
    CHECK(h.Run({"RESTORE", "keep", "0", p.substr(0, p.size() - 1), "REPLACE"}) ==
          "-ERR DUMP payload version or checksum are wrong\r\n");
    std::string flipped = p;
    flipped[1] ^= 0x20;
    CHECK(h.Run({"RESTORE", "keep", "0", flipped, "REPLACE"}) ==
          "-ERR DUMP payload version or checksum are wrong\r\n");
    // Checksummed garbage: every truncation of the object, and random flips.
    const std::string object = p.substr(0, p.size() - 10);
    for (size_t n = 0; n < object.size(); ++n) {
      CHECK(h.Run({"RESTORE", "keep", "0", Wrap(object.substr(0, n)), "REPLACE"}) ==
            "-ERR Bad data format\r\n");
    }
    for (int t = 0; t < 200; ++t) {
      std::string bad = object;
      bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
      const std::string reply = h.Run({"RESTORE", "other", "0", Wrap(bad), "REPLACE"});
      CHECK((reply == "+OK\r\n" || reply == "-ERR Bad data format\r\n"));
    }
  }
  CHECK(h.Run({"GET", "keep"}) == "$3\r\nold\r\n");
  CHECK(h.Run({"RESTORE", "keep", "0", Wrap(std::string("\xee\x01", 2)), "REPLACE"}) ==
        "-ERR Bad data format\r\n");
  CHECK(h.Run({"RESTORE", "keep", "0", "short", "REPLACE"}) ==
        "-ERR DUMP payload version or checksum are wrong\r\n");
}

TEST_CASE("a limiter key dumps and restores on Firn", "[persist]") {
  CommandHarness h;
  CHECK(h.Run({"RL.BUCKET", "rl", "10", "60000"}).rfind("*5", 0) == 0);
  const std::string p = BulkOf(h.Run({"DUMP", "rl"}));
  CHECK(static_cast<uint8_t>(p[0]) == firn::rdb::kTypeFirnLimiter);
  CHECK(h.Run({"RESTORE", "rl2", "0", p}) == "+OK\r\n");
  CHECK(h.Run({"RL.PEEK", "rl2"}) == h.Run({"RL.PEEK", "rl"}));
}

TEST_CASE("a failed save with save rules turns writes and PING into -MISCONF", "[persist]") {
  firn::Config config;
  config.dir = "/nonexistent/firn-test";
  config.save = "3600 1";
  CommandHarness h(config);
  CHECK(h.Run({"SAVE"}) == "-ERR\r\n");
  const std::string misconf = h.Run({"SET", "a", "1"});
  CHECK(misconf.rfind("-MISCONF Redis is configured to save RDB snapshots", 0) == 0);
  CHECK(h.Run({"PING"}) == misconf);
  CHECK(h.Run({"GET", "a"}) == "$-1\r\n");
  CHECK(h.Run({"CONFIG", "SET", "stop-writes-on-bgsave-error", "no"}) == "+OK\r\n");
  firn::RefreshDenyWrites(h.engine);  // the server does this on CONFIG SET and every tick
  CHECK(h.Run({"SET", "a", "1"}) == "+OK\r\n");
}

TEST_CASE("An AOF write error refuses writes with its own -MISCONF until it clears", "[persist]") {
  CommandHarness h;
  h.engine.save.aof_write_ok = false;
  h.engine.save.aof_write_error = "MISCONF Errors writing to the AOF file: No space left on device";
  firn::RefreshDenyWrites(h.engine);
  CHECK(h.Run({"SET", "k", "v"}) ==
        "-MISCONF Errors writing to the AOF file: No space left on device\r\n");
  CHECK(h.Run({"GET", "k"}) == "$-1\r\n");
  h.engine.save.aof_write_ok = true;
  firn::RefreshDenyWrites(h.engine);
  CHECK(h.Run({"SET", "k", "v"}) == "+OK\r\n");
}

TEST_CASE("BGREWRITEAOF without an append-only file object, and BGSAVE beside a rewrite child",
          "[persist]") {
  CommandHarness h;
  CHECK(h.Run({"BGREWRITEAOF"}) == "-ERR Can't execute an AOF background rewriting. Please "
                                   "check the server logs for more information.\r\n");
  h.engine.save.aof_child_pid = 999999;  // as if a rewrite child ran
  CHECK(h.Run({"BGSAVE"}) == "-ERR Another child process is active (AOF?): can't BGSAVE right "
                             "now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever "
                             "possible.\r\n");
  CHECK(h.Run({"BGSAVE", "SCHEDULE"}) == "+Background saving scheduled\r\n");
  CHECK(h.engine.save.scheduled);
  h.engine.save.aof_child_pid = -1;
}
