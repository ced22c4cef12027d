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

TEST_CASE("SORT with LIMIT answers the same slice as the whole sort, ties in their order",
          "[sort]") {
  CommandHarness h;
  // 40 elements: weights with repeats, some missing (ALPHA BY ties keep the list's order).
  std::vector<std::string> push = {"RPUSH", "l"};
  for (int i = 0; i < 40; ++i) {
    const std::string id = "e" + std::to_string((i * 17) % 40);
    push.push_back(id);
    if (i % 5 != 0) h.Run({"SET", "w_" + id, std::to_string((i * 7) % 6)});
  }
  h.Run(push);
  // Splits a multibulk reply of bulk strings into its elements.
  auto elements = [](const std::string& reply) {
    std::vector<std::string> out;
    size_t pos = reply.find("\r\n") + 2;
    while (pos < reply.size()) {
      const size_t len_end = reply.find("\r\n", pos);
      const size_t len = std::stoul(reply.substr(pos + 1, len_end - pos - 1));
      out.push_back(reply.substr(len_end + 2, len));
      pos = len_end + 2 + len + 2;
    }
    return out;
  };
  for (const std::vector<std::string>& opts :
       std::vector<std::vector<std::string>>{{"BY", "w_*"},
                                             {"BY", "w_*", "DESC"},
                                             {"BY", "w_*", "ALPHA"},
                                             {"BY", "w_*", "ALPHA", "DESC"},
                                             {"ALPHA"},
                                             {"ALPHA", "DESC"}}) {
    std::vector<std::string> whole_cmd = {"SORT", "l"};
    whole_cmd.insert(whole_cmd.end(), opts.begin(), opts.end());
    const std::vector<std::string> whole = elements(h.Run(whole_cmd));
    REQUIRE(whole.size() == 40);
    for (int offset : {0, 1, 7, 39, 40}) {
      for (int count : {0, 1, 5, 39, -1}) {
        std::vector<std::string> cmd = whole_cmd;
        cmd.insert(cmd.end(), {"LIMIT", std::to_string(offset), std::to_string(count)});
        const size_t from = std::min<size_t>(offset, 40);
        const size_t to = count < 0 ? 40 : std::min<size_t>(from + count, 40);
        const std::vector<std::string> want(whole.begin() + from, whole.begin() + to);
        CHECK(elements(h.Run(cmd)) == want);
      }
    }
  }
}
