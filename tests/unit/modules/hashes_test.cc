#include <catch2/catch.hpp>
#include <string>

#include "../command_harness.h"

using firn::testing::CommandHarness;

TEST_CASE("hash fields are set, read and removed; an emptied hash is deleted", "[hashes]") {
  CommandHarness h;
  CHECK(h.Run({"HSET", "h", "a", "1", "b", "2"}) == ":2\r\n");
  CHECK(h.Run({"HSET", "h", "a", "3", "c", "4"}) == ":1\r\n");
  CHECK(h.Run({"HGETALL", "h"}) ==
        "*6\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n4\r\n");
  CHECK(h.Run({"HMGET", "h", "a", "zz"}) == "*2\r\n$1\r\n3\r\n$-1\r\n");
  CHECK(h.Run({"HDEL", "h", "a", "b", "c", "zz"}) == ":3\r\n");
  CHECK(h.Run({"EXISTS", "h"}) == ":0\r\n");
  CHECK(h.Run({"HSET", "h", "a"}) == "-ERR wrong number of arguments for 'hset' command\r\n");
}

TEST_CASE("HINCRBY and HINCRBYFLOAT check the stored value and overflow", "[hashes]") {
  CommandHarness h;
  CHECK(h.Run({"HINCRBY", "h", "n", "9223372036854775807"}) == ":9223372036854775807\r\n");
  CHECK(h.Run({"HINCRBY", "h", "n", "1"}) == "-ERR increment or decrement would overflow\r\n");
  h.Run({"HSET", "h", "s", "abc"});
  CHECK(h.Run({"HINCRBY", "h", "s", "1"}) == "-ERR hash value is not an integer\r\n");
  CHECK(h.Run({"HINCRBYFLOAT", "h", "s", "1"}) == "-ERR hash value is not a float\r\n");
  CHECK(h.Run({"HINCRBYFLOAT", "h", "f", "inf"}) == "-ERR value is NaN or Infinity\r\n");
  CHECK(h.Run({"HINCRBYFLOAT", "h", "f", "0.1"}) == "$3\r\n0.1\r\n");
  // A failed increment on an absent key creates nothing.
  CHECK(h.Run({"HINCRBYFLOAT", "new", "f", "x"}) == "-ERR value is not a valid float\r\n");
  CHECK(h.Run({"EXISTS", "new"}) == ":0\r\n");
}

TEST_CASE("a hash converts to a table past the configured limits", "[hashes]") {
  firn::Config config;
  config.hash_max_listpack_entries = 2;
  CommandHarness h(config);
  h.Run({"HSET", "h", "a", "1", "b", "2"});
  CHECK(h.Run({"OBJECT", "ENCODING", "h"}) == "$8\r\nlistpack\r\n");
  h.Run({"HSET", "h", "c", "3"});
  CHECK(h.Run({"OBJECT", "ENCODING", "h"}) == "$9\r\nhashtable\r\n");
  CHECK(h.Run({"HLEN", "h"}) == ":3\r\n");
  CHECK(h.Run({"TYPE", "h"}) == "+hash\r\n");
  CHECK(h.Run({"COPY", "h", "g"}) == ":1\r\n");
  CHECK(h.Run({"HGET", "g", "c"}) == "$1\r\n3\r\n");
}

TEST_CASE("HRANDFIELD WITHVALUES nests pairs in RESP3 only", "[hashes]") {
  CommandHarness h;
  h.Run({"HSET", "h", "a", "1"});
  CHECK(h.Run({"HRANDFIELD", "h", "-2", "WITHVALUES"}) ==
        "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n");
  h.Run({"HELLO", "3"});
  CHECK(h.Run({"HRANDFIELD", "h", "-2", "WITHVALUES"}) ==
        "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  CHECK(h.Run({"HGETALL", "h"}) == "%1\r\n$1\r\na\r\n$1\r\n1\r\n");
}
