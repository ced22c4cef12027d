#include <catch2/catch.hpp>
#include <string>

#include "../command_harness.h"

using firn::testing::CommandHarness;

TEST_CASE("ZADD flags decide what changes and what is counted", "[zsets]") {
  CommandHarness h;
  CHECK(h.Run({"ZADD", "z", "1", "a", "2", "b"}) == ":2\r\n");
  CHECK(h.Run({"ZADD", "z", "XX", "CH", "5", "a", "1", "new"}) == ":1\r\n");
  CHECK(h.Run({"ZADD", "z", "GT", "CH", "4", "a"}) == ":0\r\n");
  CHECK(h.Run({"ZADD", "z", "INCR", "NX", "1", "a"}) == "$-1\r\n");
  CHECK(h.Run({"ZADD", "z", "INCR", "1.5", "a"}) == "$3\r\n6.5\r\n");
  CHECK(h.Run({"ZRANGE", "z", "0", "-1", "WITHSCORES"}) ==
        "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$3\r\n6.5\r\n");
  CHECK(h.Run({"ZADD", "z", "NX", "XX", "1", "a"}) ==
        "-ERR XX and NX options at the same time are not compatible\r\n");
  CHECK(h.Run({"ZADD", "nokey", "XX", "1", "a"}) == ":0\r\n");
  CHECK(h.Run({"EXISTS", "nokey"}) == ":0\r\n");
}

TEST_CASE("score ranges honour exclusive bounds and infinities", "[zsets]") {
  CommandHarness h;
  h.Run({"ZADD", "z", "-inf", "lo", "1", "a", "2", "b", "3", "c", "+inf", "hi"});
  CHECK(h.Run({"ZRANGEBYSCORE", "z", "(1", "3"}) == "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
  CHECK(h.Run({"ZREVRANGEBYSCORE", "z", "+inf", "(2", "LIMIT", "0", "2"}) ==
        "*2\r\n$2\r\nhi\r\n$1\r\nc\r\n");
  CHECK(h.Run({"ZCOUNT", "z", "-inf", "+inf"}) == ":5\r\n");
  CHECK(h.Run({"ZRANGEBYSCORE", "z", "x", "1"}) == "-ERR min or max is not a float\r\n");
  CHECK(h.Run({"ZREMRANGEBYSCORE", "z", "-inf", "(2"}) == ":2\r\n");
  CHECK(h.Run({"ZRANK", "z", "b"}) == ":0\r\n");
  CHECK(h.Run({"ZREVRANK", "z", "b"}) == ":2\r\n");
}

TEST_CASE("pops nest pairs in RESP3 only when a count is given", "[zsets]") {
  CommandHarness h;
  h.Run({"ZADD", "z", "1", "a", "2", "b"});
  h.Run({"HELLO", "3"});
  CHECK(h.Run({"ZPOPMIN", "z"}) == "*2\r\n$1\r\na\r\n,1\r\n");
  CHECK(h.Run({"ZPOPMAX", "z", "5"}) == "*1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
  CHECK(h.Run({"EXISTS", "z"}) == ":0\r\n");
}

TEST_CASE("sorted set commands carry Redis's @sortedset category", "[zsets]") {
  CommandHarness h;
  const std::string info = h.Run({"COMMAND", "INFO", "zadd", "zrange"});
  size_t n = 0;
  for (size_t at = info.find("+@sortedset"); at != std::string::npos;
       at = info.find("+@sortedset", at + 1)) {
    ++n;
  }
  CHECK(n == 2);
}
