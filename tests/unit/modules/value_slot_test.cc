// Commands over out-of-line values: strings edited in place and long sliding-window logs, run
// through dispatch with a fake clock. Work is counted, not timed: every move of a value's
// bytes shows as a new data pointer.
#include <catch2/catch.hpp>
#include <string>

#include "../command_harness.h"
#include "storage/ratelimit.h"

using firn::Entry;
using firn::WindowLog;
using firn::testing::CommandHarness;

namespace {

const Entry* Lookup(CommandHarness& h, std::string_view key) {
  return h.engine.keyspace.db(0).Find(key, h.now_ms);
}

std::string Int(int64_t n) { return ":" + std::to_string(n) + "\r\n"; }

}  // namespace

TEST_CASE("APPEND grows a string in place: linear bytes copied, encoding raw", "[strings]") {
  CommandHarness h;
  const std::string chunk(1024, 'a');
  constexpr int kAppends = 3000;
  uint64_t copied = 0;
  const char* data = nullptr;
  size_t size = 0;
  for (int i = 0; i < kAppends; ++i) {
    REQUIRE(h.Run({"APPEND", "k", chunk}) == Int(int64_t{i + 1} * 1024));
    const Entry* e = Lookup(h, "k");
    if (e->value().data() != data) {
      copied += size;
      data = e->value().data();
    }
    size = e->value().size();
  }
  // Copying the whole value on each call would be 3000^2 / 2 KB, about 4.6 GB.
  CHECK(copied <= 3 * size);
  CHECK(h.Run({"STRLEN", "k"}) == Int(kAppends * 1024));
  CHECK(h.Run({"OBJECT", "ENCODING", "k"}) == "$3\r\nraw\r\n");
  CHECK(h.Run({"GETRANGE", "k", "-3", "-1"}) == "$3\r\naaa\r\n");
  // MEMORY USAGE counts the out-of-line buffer.
  const std::string usage = h.Run({"MEMORY", "USAGE", "k"});
  CHECK(std::stoll(usage.substr(1)) >= kAppends * 1024);
}

TEST_CASE("SETRANGE edits in place and keeps the raw encoding and the TTL", "[strings]") {
  CommandHarness h;
  h.Run({"SET", "k", "hello world", "PX", "10000"});
  CHECK(h.Run({"SETRANGE", "k", "6", "Redis"}) == Int(11));
  CHECK(h.Run({"GET", "k"}) == "$11\r\nhello Redis\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "k"}) == "$3\r\nraw\r\n");
  CHECK(h.Run({"PTTL", "k"}) == Int(10000));
  const char* data = Lookup(h, "k")->value().data();
  CHECK(h.Run({"SETRANGE", "k", "0", "J"}) == Int(11));
  CHECK(Lookup(h, "k")->value().data() == data);  // no copy for a write inside the value
  CHECK(h.Run({"SETRANGE", "k", "13", "!"}) == Int(14));
  CHECK(h.Run({"GET", "k"}) == std::string("$14\r\nJello Redis\0\0!\r\n", 21));
  CHECK(h.Run({"SETRANGE", "new", "2", "x"}) == Int(3));
  CHECK(h.Run({"GET", "new"}) == std::string("$3\r\n\0\0x\r\n", 9));
  CHECK(h.Run({"OBJECT", "ENCODING", "new"}) == "$3\r\nraw\r\n");
  // Key commands keep working on the out-of-line value.
  CHECK(h.Run({"RENAME", "k", "r"}) == "+OK\r\n");
  CHECK(h.Run({"COPY", "r", "c"}) == Int(1));
  CHECK(h.Run({"APPEND", "c", "?"}) == Int(15));
  CHECK(h.Run({"GET", "r"}) == std::string("$14\r\nJello Redis\0\0!\r\n", 21));
  CHECK(h.Run({"OBJECT", "ENCODING", "c"}) == "$3\r\nraw\r\n");
  CHECK(h.Run({"PERSIST", "r"}) == Int(1));
  CHECK(h.Run({"STRLEN", "r"}) == Int(14));
  CHECK(h.Run({"SET", "r", "12"}) == "+OK\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "r"}) == "$3\r\nint\r\n");
  CHECK(h.Run({"APPEND", "r", "3"}) == Int(3));
  CHECK(h.Run({"INCR", "r"}) == Int(124));
  CHECK(h.Run({"OBJECT", "ENCODING", "r"}) == "$3\r\nint\r\n");
}

TEST_CASE("APPEND and SETRANGE answer WRONGTYPE on a limiter key", "[strings]") {
  CommandHarness h;
  h.Run({"RL.BUCKET", "rl", "10", "1000"});
  const std::string wrongtype =
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
  CHECK(h.Run({"APPEND", "rl", "x"}) == wrongtype);
  CHECK(h.Run({"SETRANGE", "rl", "0", "x"}) == wrongtype);
  CHECK(h.Run({"GET", "rl"}) == wrongtype);
}

TEST_CASE("a long RL.WINDOW log moves out of line and stays an ordinary key", "[ratelimit]") {
  CommandHarness h;
  for (int i = 0; i < 2000; ++i) {
    h.now_ms += 1;
    REQUIRE(h.Run({"RL.WINDOW", "w", "5000", "60000"}).substr(0, 8) == "*5\r\n:0\r\n");
  }
  const Entry* e = Lookup(h, "w");
  REQUIRE(e->has_object());
  CHECK(e->object_as<WindowLog>()->EncodedBytes() <= 2000 + 64);
  CHECK(h.Run({"TYPE", "w"}) == "+ratelimit\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "w"}) == "$9\r\nratelimit\r\n");
  CHECK(std::stoll(h.Run({"MEMORY", "USAGE", "w"}).substr(1)) >= 2000);
  CHECK(h.Run({"RL.PEEK", "w"}) == "*5\r\n:0\r\n:5000\r\n:3000\r\n:-1\r\n:60000\r\n");
  CHECK(h.Run({"PTTL", "w"}) == Int(60000));
  // A refused request with a cost near the limit: nothing changes.
  CHECK(h.Run({"RL.WINDOW", "w", "5000", "60000", "COST", "4000"}) ==
        "*5\r\n:1\r\n:5000\r\n:3000\r\n:59000\r\n:60000\r\n");  // the 1000th hit must go
  // COPY gives an independent log; RENAME moves it.
  CHECK(h.Run({"COPY", "w", "w2"}) == Int(1));
  CHECK(h.Run({"RL.WINDOW", "w2", "5000", "60000", "COST", "3000"}).substr(0, 8) == "*5\r\n:0\r\n");
  CHECK(h.Run({"RL.PEEK", "w"}) == "*5\r\n:0\r\n:5000\r\n:3000\r\n:-1\r\n:60000\r\n");
  CHECK(h.Run({"RL.PEEK", "w2"}) == "*5\r\n:1\r\n:5000\r\n:0\r\n:58001\r\n:60000\r\n");
  CHECK(h.Run({"RENAME", "w", "moved"}) == "+OK\r\n");
  CHECK(h.Run({"RL.WINDOW", "moved", "5000", "60000", "APPROX"}) ==
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  CHECK(h.Run({"GET", "moved"}) ==
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  // Once the window is past, the key is gone.
  h.now_ms += 60000;
  CHECK(h.Run({"EXISTS", "moved", "w2"}) == Int(0));
}
