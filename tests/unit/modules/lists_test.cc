#include <catch2/catch.hpp>
#include <string>

#include "../command_harness.h"
#include "storage/observer.h"

using firn::testing::CommandHarness;

TEST_CASE("pushes and pops answer as Redis, and an emptied list is deleted", "[lists]") {
  CommandHarness h;
  CHECK(h.Run({"RPUSH", "l", "a", "b", "c"}) == ":3\r\n");
  CHECK(h.Run({"LPUSH", "l", "z"}) == ":4\r\n");
  CHECK(h.Run({"LRANGE", "l", "0", "-1"}) == "*4\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  CHECK(h.Run({"LPOP", "l"}) == "$1\r\nz\r\n");
  CHECK(h.Run({"RPOP", "l", "2"}) == "*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
  CHECK(h.Run({"LPOP", "l", "0"}) == "*0\r\n");
  CHECK(h.Run({"LPOP", "l", "5"}) == "*1\r\n$1\r\na\r\n");
  CHECK(h.Run({"EXISTS", "l"}) == ":0\r\n");
  CHECK(h.Run({"LPOP", "l"}) == "$-1\r\n");
  CHECK(h.Run({"LPOP", "l", "1"}) == "*-1\r\n");
  CHECK(h.Run({"LPUSHX", "l", "a"}) == ":0\r\n");
  CHECK(h.Run({"EXISTS", "l"}) == ":0\r\n");
}

TEST_CASE("list commands refuse other types and leave them unchanged", "[lists]") {
  CommandHarness h;
  h.Run({"SET", "s", "v"});
  const std::string wrongtype =
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
  CHECK(h.Run({"LPUSH", "s", "a"}) == wrongtype);
  CHECK(h.Run({"LRANGE", "s", "0", "-1"}) == wrongtype);
  CHECK(h.Run({"LPOS", "s", "a"}) == wrongtype);
  h.Run({"RPUSH", "l", "a"});
  CHECK(h.Run({"LMOVE", "l", "s", "LEFT", "LEFT"}) == wrongtype);
  CHECK(h.Run({"LRANGE", "l", "0", "-1"}) == "*1\r\n$1\r\na\r\n");
  CHECK(h.Run({"GET", "s"}) == "$1\r\nv\r\n");
  CHECK(h.Run({"GET", "l"}) == wrongtype);
  CHECK(h.Run({"TYPE", "l"}) == "+list\r\n");
}

TEST_CASE("argument errors use Redis's texts", "[lists]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "a"});
  CHECK(h.Run({"LPOP", "l", "-1"}) == "-ERR value is out of range, must be positive\r\n");
  CHECK(h.Run({"LPOS", "l", "a", "RANK", "0"}).rfind("-ERR RANK can't be zero", 0) == 0);
  CHECK(h.Run({"LPOS", "l", "a", "COUNT", "x"}) == "-ERR COUNT can't be negative\r\n");
  CHECK(h.Run({"LMPOP", "0", "l", "LEFT"}) == "-ERR numkeys should be greater than 0\r\n");
  CHECK(h.Run({"LMPOP", "1", "l", "LEFT", "COUNT", "0"}) ==
        "-ERR count should be greater than 0\r\n");
  CHECK(h.Run({"LSET", "l", "5", "x"}) == "-ERR index out of range\r\n");
  CHECK(h.Run({"LSET", "nokey", "x", "x"}) == "-ERR no such key\r\n");
  CHECK(h.Run({"LINSERT", "l", "MIDDLE", "a", "b"}) == "-ERR syntax error\r\n");
}

TEST_CASE("LMOVE rotates a list onto itself and moves between lists", "[lists]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "1", "2", "3"});
  CHECK(h.Run({"LMOVE", "l", "l", "LEFT", "RIGHT"}) == "$1\r\n1\r\n");
  CHECK(h.Run({"LRANGE", "l", "0", "-1"}) == "*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n1\r\n");
  CHECK(h.Run({"RPOPLPUSH", "l", "m"}) == "$1\r\n1\r\n");
  CHECK(h.Run({"LMPOP", "2", "nokey", "m", "RIGHT", "COUNT", "5"}) ==
        "*2\r\n$1\r\nm\r\n*1\r\n$1\r\n1\r\n");
  CHECK(h.Run({"EXISTS", "m"}) == ":0\r\n");
}

TEST_CASE("expired lists are invisible to list commands", "[lists]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "a"});
  h.Run({"PEXPIRE", "l", "100"});
  h.now_ms += 100;
  CHECK(h.Run({"LLEN", "l"}) == ":0\r\n");
  CHECK(h.Run({"RPUSH", "l", "b"}) == ":1\r\n");
  CHECK(h.Run({"TTL", "l"}) == ":-1\r\n");
}

TEST_CASE("COPY and MEMORY USAGE reach lists through their operations table", "[lists]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "a", "b"});
  CHECK(h.Run({"COPY", "l", "c"}) == ":1\r\n");
  h.Run({"RPUSH", "c", "x"});
  CHECK(h.Run({"LLEN", "l"}) == ":2\r\n");
  CHECK(h.Run({"LLEN", "c"}) == ":3\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "l"}) == "$9\r\nquicklist\r\n");
}

TEST_CASE("list-max-listpack-size sets the node size of new lists", "[lists]") {
  firn::Config config;
  config.list_max_listpack_size = 1;
  CommandHarness h(config);
  h.Run({"RPUSH", "l", "a", "b", "c"});
  CHECK(h.Run({"LINSERT", "l", "AFTER", "b", "x"}) == ":4\r\n");
  CHECK(h.Run({"LRANGE", "l", "0", "-1"}) == "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nx\r\n$1\r\nc\r\n");
  CHECK(h.Run({"CONFIG", "SET", "list-max-ziplist-size", "-1"}) == "+OK\r\n");
  CHECK(h.Run({"CONFIG", "GET", "list-max-listpack-size"}) ==
        "*2\r\n$22\r\nlist-max-listpack-size\r\n$2\r\n-1\r\n");
}
