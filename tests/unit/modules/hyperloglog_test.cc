#include <catch2/catch.hpp>
#include <string>

#include "../command_harness.h"

using firn::testing::CommandHarness;

TEST_CASE("PFADD creates, PFCOUNT counts and caches", "[hyperloglog]") {
  CommandHarness h;
  CHECK(h.Run({"PFADD", "h"}) == ":1\r\n");
  CHECK(h.Run({"PFADD", "h"}) == ":0\r\n");
  CHECK(h.Run({"PFCOUNT", "h"}) == ":0\r\n");
  CHECK(h.Run({"PFADD", "h", "a", "b", "c"}) == ":1\r\n");
  CHECK(h.Run({"PFADD", "h", "a", "b", "c"}) == ":0\r\n");
  CHECK(h.Run({"GETRANGE", "h", "15", "15"}) == "$1\r\n\x80\r\n");
  CHECK(h.Run({"PFCOUNT", "h"}) == ":3\r\n");
  CHECK(h.Run({"GETRANGE", "h", "15", "15"}) == std::string("$1\r\n\0\r\n", 7));
  CHECK(h.Run({"PFCOUNT", "missing"}) == ":0\r\n");
  CHECK(h.Run({"TYPE", "h"}) == "+string\r\n");
}

TEST_CASE("PFMERGE stores the union", "[hyperloglog]") {
  CommandHarness h;
  h.Run({"PFADD", "a", "x", "y"});
  h.Run({"PFADD", "b", "y", "z"});
  CHECK(h.Run({"PFMERGE", "u", "a", "b", "missing"}) == "+OK\r\n");
  CHECK(h.Run({"PFCOUNT", "u"}) == ":3\r\n");
  CHECK(h.Run({"PFCOUNT", "a", "b"}) == ":3\r\n");
  CHECK(h.Run({"PFMERGE", "e"}) == "+OK\r\n");
  CHECK(h.Run({"PFCOUNT", "e"}) == ":0\r\n");
}

TEST_CASE("non-sketch values are refused with Redis's errors", "[hyperloglog]") {
  CommandHarness h;
  h.Run({"SET", "s", "not a sketch"});
  h.Run({"LPUSH", "l", "x"});
  const std::string not_hll = "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n";
  CHECK(h.Run({"PFADD", "s", "a"}) == not_hll);
  CHECK(h.Run({"PFCOUNT", "s"}) == not_hll);
  CHECK(h.Run({"PFMERGE", "d", "s"}) == not_hll);
  CHECK(h.Run({"EXISTS", "d"}) == ":0\r\n");
  CHECK(h.Run({"PFADD", "l", "a"}).rfind("-WRONGTYPE Operation against", 0) == 0);
  h.Run({"PFADD", "h", "a"});
  h.Run({"APPEND", "h", "junk"});
  CHECK(h.Run({"PFCOUNT", "h"}) == "-INVALIDOBJ Corrupted HLL object detected\r\n");
}

TEST_CASE("PFDEBUG inspects and converts", "[hyperloglog]") {
  CommandHarness h;
  CHECK(h.Run({"PFDEBUG", "ENCODING", "h"}) == "-ERR The specified key does not exist\r\n");
  h.Run({"PFADD", "h", "a"});
  CHECK(h.Run({"PFDEBUG", "ENCODING", "h"}) == "+sparse\r\n");
  CHECK(h.Run({"PFDEBUG", "WHAT", "h"}) == "-ERR Unknown PFDEBUG subcommand 'WHAT'\r\n");
  CHECK(h.Run({"PFDEBUG", "TODENSE", "h"}) == ":1\r\n");
  CHECK(h.Run({"PFDEBUG", "TODENSE", "h"}) == ":0\r\n");
  CHECK(h.Run({"STRLEN", "h"}) == ":12304\r\n");
  CHECK(h.Run({"PFDEBUG", "DECODE", "h"}) == "-ERR HLL encoding is not sparse\r\n");
  CHECK(h.Run({"PFDEBUG", "GETREG", "h"}).rfind("*16384\r\n", 0) == 0);
  CHECK(h.Run({"PFCOUNT", "h"}) == ":1\r\n");
}

TEST_CASE("hll-sparse-max-bytes moves the promotion to dense", "[hyperloglog]") {
  CommandHarness h;
  CHECK(h.Run({"CONFIG", "SET", "hll-sparse-max-bytes", "0"}) == "+OK\r\n");
  h.Run({"PFADD", "h", "a"});
  CHECK(h.Run({"PFDEBUG", "ENCODING", "h"}) == "+dense\r\n");
}
