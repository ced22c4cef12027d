#include <catch2/catch.hpp>
#include <string>

#include "../command_harness.h"

using firn::testing::CommandHarness;

TEST_CASE("SORT orders numbers, breaking ties on the bytes", "[sort]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "10", "2", "1.5", "-3", "2"});
  CHECK(h.Run({"SORT", "l"}) ==
        "*5\r\n$2\r\n-3\r\n$3\r\n1.5\r\n$1\r\n2\r\n$1\r\n2\r\n$2\r\n10\r\n");
  CHECK(h.Run({"SORT", "l", "ALPHA", "DESC", "LIMIT", "0", "2"}) == "*2\r\n$1\r\n2\r\n$1\r\n2\r\n");
  h.Run({"RPUSH", "bad", "1", "x"});
  CHECK(h.Run({"SORT", "bad"}) == "-ERR One or more scores can't be converted into double\r\n");
}

TEST_CASE("SORT BY and GET read keys and hash fields the elements name", "[sort]") {
  CommandHarness h;
  h.Run({"RPUSH", "ids", "1", "2", "3"});
  h.Run({"MSET", "w_1", "30", "w_2", "10", "w_3", "20"});
  h.Run({"HSET", "o_2", "name", "two"});
  CHECK(h.Run({"SORT", "ids", "BY", "w_*"}) == "*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n1\r\n");
  CHECK(h.Run({"SORT", "ids", "BY", "w_*", "GET", "#", "GET", "o_*->name"}) ==
        "*6\r\n$1\r\n2\r\n$3\r\ntwo\r\n$1\r\n3\r\n$-1\r\n$1\r\n1\r\n$-1\r\n");
  CHECK(h.Run({"SORT", "ids", "BY", "nosort", "DESC"}) ==
        "*3\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n");
}

TEST_CASE("SORT STORE writes a list, or deletes the destination when empty", "[sort]") {
  CommandHarness h;
  h.Run({"SADD", "s", "b", "a"});
  CHECK(h.Run({"SORT", "s", "BY", "nosort", "STORE", "d"}) == ":2\r\n");
  CHECK(h.Run({"LRANGE", "d", "0", "-1"}) == "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  CHECK(h.Run({"SORT", "nokey", "STORE", "d"}) == ":0\r\n");
  CHECK(h.Run({"EXISTS", "d"}) == ":0\r\n");
  CHECK(h.Run({"SORT_RO", "s", "STORE", "d"}) == "-ERR syntax error\r\n");
}

TEST_CASE("COMMAND GETKEYS finds SORT's last STORE key", "[sort]") {
  CommandHarness h;
  CHECK(h.Run({"COMMAND", "GETKEYS", "SORT", "abc", "STORE", "x", "STORE", "def"}) ==
        "*2\r\n$3\r\nabc\r\n$3\r\ndef\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "SORT_RO", "abc"}) == "*1\r\n$3\r\nabc\r\n");
}
