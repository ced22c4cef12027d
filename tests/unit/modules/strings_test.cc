#include <catch2/catch.hpp>
#include <string>

#include "../command_harness.h"

using firn::testing::CommandHarness;

TEST_CASE("SET then GET round-trips binary values", "[strings]") {
  CommandHarness h;
  std::string value("\x00\x01\r\n\xff", 5);
  CHECK(h.Run({"SET", "k", value}) == "+OK\r\n");
  CHECK(h.Run({"GET", "k"}) == "$5\r\n" + value + "\r\n");
  CHECK(h.Run({"GET", "missing"}) == "$-1\r\n");
}

TEST_CASE("SET options follow Redis", "[strings]") {
  CommandHarness h;
  CHECK(h.Run({"SET", "k", "v", "NX"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "k", "w", "NX"}) == "$-1\r\n");
  CHECK(h.Run({"SET", "k", "w", "XX", "GET"}) == "$1\r\nv\r\n");
  CHECK(h.Run({"SET", "other", "w", "XX"}) == "$-1\r\n");
  CHECK(h.Run({"SET", "k", "v", "NX", "XX"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"SET", "k", "v", "EX", "10", "PX", "10"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"SET", "k", "v", "EX"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"SET", "k", "v", "EX", "0"}) == "-ERR invalid expire time in 'set' command\r\n");
  CHECK(h.Run({"SET", "k", "v", "EX", "abc"}) ==
        "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Run({"SET", "k", "v", "EX", "9223372036854775807"}) ==
        "-ERR invalid expire time in 'set' command\r\n");
  CHECK(h.Run({"GET", "k"}) == "$1\r\nw\r\n");  // failed SETs changed nothing
}

TEST_CASE("expiry options set the deadline and KEEPTTL keeps it", "[strings]") {
  CommandHarness h;
  h.Run({"SET", "k", "v", "PX", "1500"});
  h.now_ms += 1000;
  h.Run({"SET", "k", "v2", "KEEPTTL"});
  h.now_ms += 499;
  CHECK(h.Run({"GET", "k"}) == "$2\r\nv2\r\n");
  h.now_ms += 1;
  CHECK(h.Run({"GET", "k"}) == "$-1\r\n");
  h.Run({"SET", "k", "v", "PXAT", std::to_string(h.now_ms + 10)});
  h.now_ms += 10;
  CHECK(h.Run({"GET", "k"}) == "$-1\r\n");
  CHECK(h.engine.keyspace.stats().expired_keys == 2);
}

TEST_CASE("counters parse strictly and refuse overflow", "[strings]") {
  CommandHarness h;
  CHECK(h.Run({"INCR", "n"}) == ":1\r\n");
  CHECK(h.Run({"INCRBY", "n", "41"}) == ":42\r\n");
  CHECK(h.Run({"DECRBY", "n", "50"}) == ":-8\r\n");
  CHECK(h.Run({"DECR", "n"}) == ":-9\r\n");
  h.Run({"SET", "max", "9223372036854775807"});
  CHECK(h.Run({"INCR", "max"}) == "-ERR increment or decrement would overflow\r\n");
  CHECK(h.Run({"GET", "max"}) == "$19\r\n9223372036854775807\r\n");
  CHECK(h.Run({"DECRBY", "n", "-9223372036854775808"}) == "-ERR decrement would overflow\r\n");
  h.Run({"SET", "s", " 1"});
  CHECK(h.Run({"INCR", "s"}) == "-ERR value is not an integer or out of range\r\n");
  h.Run({"SET", "s", "01"});
  CHECK(h.Run({"INCR", "s"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Run({"INCRBY", "n", "1.5"}) == "-ERR value is not an integer or out of range\r\n");
}

TEST_CASE("INCR keeps the TTL", "[strings]") {
  CommandHarness h;
  h.Run({"SET", "n", "1", "PX", "100"});
  h.Run({"INCR", "n"});
  h.now_ms += 100;
  CHECK(h.Run({"GET", "n"}) == "$-1\r\n");
}

TEST_CASE("INCRBYFLOAT formats as Redis", "[strings]") {
  CommandHarness h;
  CHECK(h.Run({"INCRBYFLOAT", "f", "10.5"}) == "$4\r\n10.5\r\n");
  CHECK(h.Run({"INCRBYFLOAT", "f", "0.1"}) == "$4\r\n10.6\r\n");
  // Redis prints the long double's 17 significant decimals, noise included.
  CHECK(h.Run({"INCRBYFLOAT", "f", "-5.0e3"}) == "$23\r\n-4989.39999999999999991\r\n");
  CHECK(h.Run({"INCRBYFLOAT", "f", "abc"}) == "-ERR value is not a valid float\r\n");
  CHECK(h.Run({"INCRBYFLOAT", "f", "inf"}) == "-ERR increment would produce NaN or Infinity\r\n");
}

TEST_CASE("APPEND, STRLEN, GETRANGE, SETRANGE", "[strings]") {
  CommandHarness h;
  CHECK(h.Run({"APPEND", "s", "Hello"}) == ":5\r\n");
  CHECK(h.Run({"APPEND", "s", " World"}) == ":11\r\n");
  CHECK(h.Run({"STRLEN", "s"}) == ":11\r\n");
  CHECK(h.Run({"GETRANGE", "s", "0", "4"}) == "$5\r\nHello\r\n");
  CHECK(h.Run({"GETRANGE", "s", "-5", "-1"}) == "$5\r\nWorld\r\n");
  CHECK(h.Run({"GETRANGE", "s", "5", "2"}) == "$0\r\n\r\n");
  CHECK(h.Run({"GETRANGE", "s", "-1", "-5"}) == "$0\r\n\r\n");
  CHECK(h.Run({"GETRANGE", "s", "0", "100"}) == "$11\r\nHello World\r\n");
  CHECK(h.Run({"SETRANGE", "s", "6", "Redis"}) == ":11\r\n");
  CHECK(h.Run({"GET", "s"}) == "$11\r\nHello Redis\r\n");
  CHECK(h.Run({"SETRANGE", "z", "3", "a"}) == ":4\r\n");
  CHECK(h.Run({"GET", "z"}) == std::string("$4\r\n\0\0\0a\r\n", 10));
  CHECK(h.Run({"SETRANGE", "z", "-1", "a"}) == "-ERR offset is out of range\r\n");
  CHECK(h.Run({"SETRANGE", "z", "536870912", "a"}) ==
        "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
  CHECK(h.Run({"SETRANGE", "new", "0", ""}) == ":0\r\n");
  CHECK(h.engine.keyspace.db(0).Find("new", h.now_ms) == nullptr);
}

TEST_CASE("GETSET, GETDEL, GETEX", "[strings]") {
  CommandHarness h;
  CHECK(h.Run({"GETSET", "k", "a"}) == "$-1\r\n");
  CHECK(h.Run({"GETSET", "k", "b"}) == "$1\r\na\r\n");
  CHECK(h.Run({"GETEX", "k", "PX", "50"}) == "$1\r\nb\r\n");
  CHECK(h.Run({"GETEX", "k", "PERSIST"}) == "$1\r\nb\r\n");
  h.now_ms += 100;
  CHECK(h.Run({"GET", "k"}) == "$1\r\nb\r\n");
  CHECK(h.Run({"GETEX", "k", "EX", "0"}) == "-ERR invalid expire time in 'getex' command\r\n");
  CHECK(h.Run({"GETEX", "k", "PERSIST", "EX", "1"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"GETDEL", "k"}) == "$1\r\nb\r\n");
  CHECK(h.Run({"GET", "k"}) == "$-1\r\n");
}

TEST_CASE("MSET, MSETNX, MGET", "[strings]") {
  CommandHarness h;
  CHECK(h.Run({"MSET", "a", "1", "b", "2"}) == "+OK\r\n");
  CHECK(h.Run({"MSET", "a", "1", "b"}) == "-ERR wrong number of arguments for 'mset' command\r\n");
  CHECK(h.Run({"MSETNX", "b", "3", "c", "3"}) == ":0\r\n");
  CHECK(h.Run({"MSETNX", "c", "3", "d", "4"}) == ":1\r\n");
  CHECK(h.Run({"MGET", "a", "x", "c"}) == "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n3\r\n");
}

TEST_CASE("SETEX and PSETEX validate the expiry", "[strings]") {
  CommandHarness h;
  CHECK(h.Run({"SETEX", "k", "0", "v"}) == "-ERR invalid expire time in 'setex' command\r\n");
  CHECK(h.Run({"PSETEX", "k", "-5", "v"}) == "-ERR invalid expire time in 'psetex' command\r\n");
  CHECK(h.Run({"SETEX", "k", "1", "v"}) == "+OK\r\n");
  h.now_ms += 1000;
  CHECK(h.Run({"GET", "k"}) == "$-1\r\n");
}

TEST_CASE("dispatch checks arity and unknown commands", "[dispatch]") {
  CommandHarness h;
  CHECK(h.Run({"GET"}) == "-ERR wrong number of arguments for 'get' command\r\n");
  CHECK(h.Run({"gEt", "k"}) == "$-1\r\n");
  CHECK(h.Run({"NOPE", "a", "b"}) ==
        "-ERR unknown command 'NOPE', with args beginning with: 'a' 'b' \r\n");
}

TEST_CASE("requirepass gates commands until AUTH", "[dispatch]") {
  firn::Config cfg;
  cfg.requirepass = "secret";
  CommandHarness h(cfg);
  CHECK(h.Run({"GET", "k"}) == "-NOAUTH Authentication required.\r\n");
}

TEST_CASE("MULTI queues and EXEC runs atomically", "[dispatch]") {
  CommandHarness h;
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "a", "1"}) == "+QUEUED\r\n");
  CHECK(h.Run({"INCR", "a"}) == "+QUEUED\r\n");
  CHECK(h.Run({"EXEC"}) == "*2\r\n+OK\r\n:2\r\n");
  CHECK(h.Run({"EXEC"}) == "-ERR EXEC without MULTI\r\n");
  h.Run({"MULTI"});
  h.Run({"GET"});
  CHECK(h.Run({"EXEC"}) == "-EXECABORT Transaction discarded because of previous errors.\r\n");
  h.Run({"MULTI"});
  h.Run({"SET", "a", "9"});
  CHECK(h.Run({"DISCARD"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "a"}) == "$1\r\n2\r\n");
}

TEST_CASE("maxmemory with noeviction refuses writes but not reads", "[dispatch]") {
  firn::Config cfg;
  cfg.maxmemory = 1;  // always over
  CommandHarness h(cfg);
  CHECK(h.Run({"SET", "k", "v"}) ==
        "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  CHECK(h.Run({"GET", "k"}) == "$-1\r\n");
}

TEST_CASE("the raw encoding of an edited string survives expiry changes, not new values",
          "[strings]") {
  CommandHarness h;
  h.Run({"SET", "k", "a"});
  h.Run({"APPEND", "k", "b"});
  h.Run({"EXPIRE", "k", "100"});
  CHECK(h.Run({"OBJECT", "ENCODING", "k"}) == "$3\r\nraw\r\n");
  h.Run({"PERSIST", "k"});
  CHECK(h.Run({"OBJECT", "ENCODING", "k"}) == "$3\r\nraw\r\n");
  h.Run({"SET", "k", "ab"});
  CHECK(h.Run({"OBJECT", "ENCODING", "k"}) == "$6\r\nembstr\r\n");
  h.Run({"SET", "i", "123"});
  h.Run({"APPEND", "i", "4"});
  CHECK(h.Run({"INCRBY", "i", "1"}) == ":1235\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING", "i"}) == "$3\r\nint\r\n");
}

TEST_CASE("MGET answers nil for keys of another type, and string commands refuse them",
          "[strings]") {
  // Redis's "MGET against non-string key", with a rate limiter standing in for a set.
  CommandHarness h;
  h.Run({"MSET", "foo", "BAR", "bar", "FOO"});
  REQUIRE(h.Run({"RL.BUCKET", "limiter", "10", "1000"}).rfind("*5\r\n", 0) == 0);
  CHECK(h.Run({"TYPE", "limiter"}) == "+ratelimit\r\n");
  CHECK(h.Run({"MGET", "foo", "missing", "bar", "limiter"}) ==
        "*4\r\n$3\r\nBAR\r\n$-1\r\n$3\r\nFOO\r\n$-1\r\n");
  const std::string wrongtype =
      "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
  CHECK(h.Run({"GET", "limiter"}) == wrongtype);
  CHECK(h.Run({"SET", "limiter", "v", "GET"}) == wrongtype);
  CHECK(h.Run({"SETBIT", "limiter", "0", "1"}) == wrongtype);
  CHECK(h.Run({"GETBIT", "limiter", "0"}) == wrongtype);
  CHECK(h.Run({"SETRANGE", "limiter", "0", "x"}) == wrongtype);
  CHECK(h.Run({"LCS", "foo", "limiter"}) ==
        "-ERR The specified keys must contain string values\r\n");
  CHECK(h.Run({"TYPE", "limiter"}) == "+ratelimit\r\n");  // none of them changed it
}

TEST_CASE("a write to a key with a TTL keeps the key and its TTL", "[strings]") {
  // Redis's "EXPIRE - write on expire should work", with string writes instead of LPUSH.
  CommandHarness h;
  h.Run({"SET", "x", "foo"});
  CHECK(h.Run({"EXPIRE", "x", "1000"}) == ":1\r\n");
  CHECK(h.Run({"APPEND", "x", "bar"}) == ":6\r\n");
  CHECK(h.Run({"SETRANGE", "x", "6", "!"}) == ":7\r\n");
  CHECK(h.Run({"SETBIT", "x", "63", "1"}) == ":0\r\n");
  CHECK(h.Run({"GET", "x"}) == "$8\r\nfoobar!\x01\r\n");
  CHECK(h.Run({"TTL", "x"}) == ":1000\r\n");
  h.Run({"SET", "n", "1", "EX", "100"});
  CHECK(h.Run({"INCRBY", "n", "5"}) == ":6\r\n");
  CHECK(h.Run({"TTL", "n"}) == ":100\r\n");
}
