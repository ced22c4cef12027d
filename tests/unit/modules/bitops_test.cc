#include <catch2/catch.hpp>
#include <string>

#include "../command_harness.h"

using firn::testing::CommandHarness;

TEST_CASE("BITCOUNT counts bytes and bit ranges", "[bitops]") {
  CommandHarness h;
  h.Run({"SET", "s", "foobar"});
  CHECK(h.Run({"BITCOUNT", "s"}) == ":26\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "1", "1"}) == ":6\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "5", "30", "BIT"}) == ":17\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "-1", "-2"}) == ":0\r\n");
  CHECK(h.Run({"BITCOUNT", "s", "0"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"BITCOUNT", "missing", "0"}) == ":0\r\n");
}

TEST_CASE("BITPOS finds the first 0 or 1", "[bitops]") {
  CommandHarness h;
  h.Run({"SET", "s", "\xff\xf0"});
  CHECK(h.Run({"BITPOS", "s", "0"}) == ":12\r\n");
  CHECK(h.Run({"BITPOS", "s", "1", "1"}) == ":8\r\n");
  CHECK(h.Run({"SET", "ones", "\xff"}) == "+OK\r\n");
  CHECK(h.Run({"BITPOS", "ones", "0"}) == ":8\r\n");              // zeros continue past the end
  CHECK(h.Run({"BITPOS", "ones", "0", "0", "-1"}) == ":-1\r\n");  // not with an explicit end
  CHECK(h.Run({"BITPOS", "missing", "1"}) == ":-1\r\n");
  CHECK(h.Run({"BITPOS", "s", "2"}) == "-ERR The bit argument must be 1 or 0.\r\n");
}

TEST_CASE("BITOP combines strings and deletes an empty result", "[bitops]") {
  CommandHarness h;
  h.Run({"SET", "a", "\x0f\xf0"});
  h.Run({"SET", "b", "\xff"});
  CHECK(h.Run({"BITOP", "AND", "d", "a", "b"}) == ":2\r\n");
  CHECK(h.Run({"GET", "d"}) == std::string("$2\r\n\x0f\0\r\n", 8));
  CHECK(h.Run({"BITOP", "NOT", "d", "a", "b"}) ==
        "-ERR BITOP NOT must be called with a single source key.\r\n");
  CHECK(h.Run({"BITOP", "OR", "d", "missing"}) == ":0\r\n");
  CHECK(h.Run({"EXISTS", "d"}) == ":0\r\n");
}

TEST_CASE("BITFIELD reads, writes and handles overflow", "[bitops]") {
  CommandHarness h;
  CHECK(h.Run({"BITFIELD", "b", "SET", "u8", "0", "255", "INCRBY", "u8", "0", "100", "GET", "u8",
               "0"}) == "*3\r\n:0\r\n:99\r\n:99\r\n");
  CHECK(h.Run({"BITFIELD", "b", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "200", "OVERFLOW", "FAIL",
               "INCRBY", "i8", "0", "1"}) == "*2\r\n:127\r\n$-1\r\n");
  CHECK(h.Run({"BITFIELD", "b", "SET", "u8", "#1", "65"}) == "*1\r\n:0\r\n");
  CHECK(h.Run({"GET", "b"}) ==
        "$2\r\n\x7f"
        "A\r\n");
  CHECK(h.Run({"BITFIELD", "b", "GET", "u64", "0"}) ==
        "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
        "but i64 is.\r\n");
  CHECK(h.Run({"BITFIELD", "b", "OVERFLOW", "X"}) == "-ERR Invalid OVERFLOW type specified\r\n");
  CHECK(h.Run({"BITFIELD_RO", "b", "SET", "u8", "0", "1"}) ==
        "-ERR BITFIELD_RO only supports the GET subcommand\r\n");
  CHECK(h.Run({"BITFIELD_RO", "b", "GET", "i8", "8"}) == "*1\r\n:65\r\n");
  CHECK(h.Run({"BITFIELD", "missing", "GET", "u8", "0"}) == "*1\r\n:0\r\n");
  CHECK(h.Run({"EXISTS", "missing"}) == ":0\r\n");
}

TEST_CASE("SETBIT grows the string in place and reports the old bit", "[bitops]") {
  CommandHarness h;
  CHECK(h.Run({"SETBIT", "k", "1", "1"}) == ":0\r\n");
  CHECK(h.Run({"SETBIT", "k", "1", "1"}) == ":1\r\n");
  CHECK(h.Run({"SETBIT", "k", "20", "1"}) == ":0\r\n");
  CHECK(h.Run({"STRLEN", "k"}) == ":3\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "k"}) == "$3\r\nraw\r\n");
  const uint64_t dirty = h.engine.keyspace.dirty();
  CHECK(h.Run({"SETBIT", "k", "20", "1"}) == ":1\r\n");
  CHECK(h.engine.keyspace.dirty() == dirty);  // nothing changed, nothing signalled
}

TEST_CASE("SETBIT far past the end stores the string at about its size", "[bitops]") {
  CommandHarness h;
  h.Run({"SETBIT", "k", "0", "1"});
  CHECK(h.Run({"SETBIT", "k", "8000000", "1"}) == ":0\r\n");
  const std::string usage = h.Run({"MEMORY", "USAGE", "k"});
  REQUIRE(usage.size() > 3);
  const long long bytes = std::stoll(usage.substr(1));
  CHECK(bytes >= 1000001);
  CHECK(bytes < 1500000);  // not twice the length reserved for growth
}
