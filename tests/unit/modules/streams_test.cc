#include <catch2/catch.hpp>
#include <string>

#include "../command_harness.h"
#include "storage/lazyfree.h"

using firn::testing::CommandHarness;

TEST_CASE("XADD appends, XRANGE and XLEN read back, errors leave the stream alone", "[streams]") {
  CommandHarness h;
  CHECK(h.Run({"XADD", "s", "1-1", "a", "1"}) == "$3\r\n1-1\r\n");
  CHECK(h.Run({"XADD", "s", "1-*", "b", "2"}) == "$3\r\n1-2\r\n");
  CHECK(h.Run({"XADD", "s", "1-1", "c", "3"}) ==
        "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
  CHECK(h.Run({"XADD", "s", "0-0", "c", "3"}) ==
        "-ERR The ID specified in XADD must be greater than 0-0\r\n");
  CHECK(h.Run({"XLEN", "s"}) == ":2\r\n");
  CHECK(h.Run({"XRANGE", "s", "(1-1", "+"}) ==
        "*1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
  CHECK(h.Run({"XRANGE", "s", "-", "+", "COUNT", "0"}) == "*-1\r\n");
  CHECK(h.Run({"TYPE", "s"}) == "+stream\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "s"}) == "$6\r\nstream\r\n");
}

TEST_CASE("a group delivers new entries once and tracks them until acknowledged", "[streams]") {
  CommandHarness h;
  h.Run({"XADD", "s", "1-0", "a", "1"});
  h.Run({"XADD", "s", "2-0", "a", "2"});
  CHECK(h.Run({"XGROUP", "CREATE", "s", "g", "0"}) == "+OK\r\n");
  CHECK(h.Run({"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"}) ==
        "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  CHECK(h.Run({"XPENDING", "s", "g"}) ==
        "*4\r\n:1\r\n$3\r\n1-0\r\n$3\r\n1-0\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n1\r\n");
  CHECK(h.Run({"XACK", "s", "g", "1-0", "1-0"}) == ":1\r\n");
  CHECK(h.Run({"XPENDING", "s", "g"}) == "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n");
  CHECK(h.Run({"XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"}) ==
        "-NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option\r\n");
}

TEST_CASE("a read with nothing to serve answers nil", "[streams]") {
  CommandHarness h;
  h.Run({"XADD", "s", "1-0", "a", "1"});
  CHECK(h.Run({"XREAD", "STREAMS", "s", "$"}) == "*-1\r\n");
  CHECK(h.Run({"XREAD", "STREAMS", "nokey", "0"}) == "*-1\r\n");
}

TEST_CASE("UNLINK frees a stream of many nodes and groups in the background, a small one at once",
          "[streams][lazyfree]") {
  CommandHarness h;
  firn::LazyFreer& freer = firn::LazyFreer::Instance();
  h.Run({"CONFIG", "SET", "stream-node-max-entries", "5"});
  for (int i = 1; i <= 1000; ++i) h.Run({"XADD", "big", std::to_string(i) + "-0", "f", "v"});
  h.Run({"XGROUP", "CREATE", "big", "g", "0"});
  h.Run({"XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "big", ">"});
  h.Run({"XADD", "small", "1-0", "a", "b"});
  h.Run({"XGROUP", "CREATE", "small", "g", "$"});
  h.Run({"XGROUP", "DESTROY", "small", "g"});
  freer.Drain();
  CHECK(h.Run({"CONFIG", "RESETSTAT"}) == "+OK\r\n");
  CHECK(freer.freed() == 0);
  CHECK(h.Run({"UNLINK", "small"}) == ":1\r\n");
  freer.Drain();
  CHECK(freer.freed() == 0);
  CHECK(h.Run({"UNLINK", "big"}) == ":1\r\n");
  freer.Drain();
  CHECK(freer.freed() == 1);
  CHECK(h.Run({"EXISTS", "big", "small"}) == ":0\r\n");
}
