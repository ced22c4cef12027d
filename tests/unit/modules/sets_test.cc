#include <catch2/catch.hpp>
#include <string>

#include "../command_harness.h"

using firn::testing::CommandHarness;

TEST_CASE("an integer set answers in ascending order and converts on a string", "[sets]") {
  CommandHarness h;
  CHECK(h.Run({"SADD", "s", "3", "1", "2", "1"}) == ":3\r\n");
  CHECK(h.Run({"SMEMBERS", "s"}) == "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "s"}) == "$6\r\nintset\r\n");
  CHECK(h.Run({"SADD", "s", "x"}) == ":1\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "s"}) == "$9\r\nhashtable\r\n");
  CHECK(h.Run({"SREM", "s", "1", "2", "3", "x"}) == ":4\r\n");
  CHECK(h.Run({"EXISTS", "s"}) == ":0\r\n");
}

TEST_CASE("store forms replace any type and delete on an empty result", "[sets]") {
  CommandHarness h;
  h.Run({"SADD", "a", "1", "2"});
  h.Run({"SADD", "b", "2", "3"});
  h.Run({"SET", "d", "string"});
  CHECK(h.Run({"SINTERSTORE", "d", "a", "b"}) == ":1\r\n");
  CHECK(h.Run({"TYPE", "d"}) == "+set\r\n");
  CHECK(h.Run({"SDIFFSTORE", "d", "a", "a"}) == ":0\r\n");
  CHECK(h.Run({"EXISTS", "d"}) == ":0\r\n");
  CHECK(h.Run({"SINTERCARD", "2", "a", "b", "LIMIT", "-1"}) == "-ERR LIMIT can't be negative\r\n");
  CHECK(h.Run({"SINTERCARD", "3", "a", "b"}) ==
        "-ERR Number of keys can't be greater than number of args\r\n");
}

TEST_CASE("SMOVE checks both types before moving", "[sets]") {
  CommandHarness h;
  h.Run({"SADD", "a", "1"});
  h.Run({"SET", "str", "v"});
  CHECK(h.Run({"SMOVE", "a", "str", "1"}) ==
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  CHECK(h.Run({"SMOVE", "nokey", "str", "1"}) == ":0\r\n");
  CHECK(h.Run({"SMOVE", "a", "b", "1"}) == ":1\r\n");
  CHECK(h.Run({"EXISTS", "a"}) == ":0\r\n");
  CHECK(h.Run({"SMEMBERS", "b"}) == "*1\r\n$1\r\n1\r\n");
}
