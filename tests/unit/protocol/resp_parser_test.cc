#include "protocol/resp_parser.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>

using firn::ParseLimits;
using firn::RespParser;
using Status = RespParser::Status;

namespace {

std::vector<std::string> Args(const RespParser& p) {
  return {p.args().begin(), p.args().end()};
}

}  // namespace

TEST_CASE("a multibulk command parses into views of its arguments", "[resp]") {
  RespParser p;
  std::string buf = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
  auto r = p.Parse(buf, ParseLimits{});
  REQUIRE(r.status == Status::kCommand);
  CHECK(r.consumed == buf.size());
  CHECK(Args(p) == std::vector<std::string>{"GET", "key"});
  CHECK(p.args()[1].data() == buf.data() + buf.find("key"));  // zero-copy
}

TEST_CASE("every prefix of a command is incomplete, never an error", "[resp]") {
  RespParser p;
  std::string buf = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n";
  for (size_t n = 0; n < buf.size(); ++n) {
    auto r = p.Parse(std::string_view(buf).substr(0, n), ParseLimits{});
    INFO("prefix length " << n);
    CHECK(r.status == Status::kIncomplete);
  }
  CHECK(p.Parse(buf, ParseLimits{}).status == Status::kCommand);
}

TEST_CASE("pipelined commands parse one at a time", "[resp]") {
  RespParser p;
  std::string buf = "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\nPING\r\n";
  size_t pos = 0;
  int commands = 0;
  while (pos < buf.size()) {
    auto r = p.Parse(std::string_view(buf).substr(pos), ParseLimits{});
    REQUIRE(r.status == Status::kCommand);
    pos += r.consumed;
    ++commands;
  }
  CHECK(commands == 3);
}

TEST_CASE("binary payloads with CRLF inside are kept whole", "[resp]") {
  RespParser p;
  std::string value("a\r\nb\0c", 6);
  std::string buf = "*2\r\n$4\r\nECHO\r\n$6\r\n" + value + "\r\n";
  REQUIRE(p.Parse(buf, ParseLimits{}).status == Status::kCommand);
  CHECK(p.args()[1] == value);
}

TEST_CASE("protocol errors carry Redis's texts", "[resp]") {
  RespParser p;
  ParseLimits limits;
  limits.max_bulk_len = 1024;
  CHECK(p.Parse("*abc\r\n", limits).error == "ERR Protocol error: invalid multibulk length");
  CHECK(p.Parse("*2147483648\r\n", limits).error ==
        "ERR Protocol error: invalid multibulk length");
  CHECK(p.Parse("*1\r\n$2000\r\n", limits).error == "ERR Protocol error: invalid bulk length");
  CHECK(p.Parse("*1\r\n$-1\r\n", limits).error == "ERR Protocol error: invalid bulk length");
  CHECK(p.Parse("*1\r\n:5\r\n", limits).error == "ERR Protocol error: expected '$', got ':'");
  CHECK(p.Parse("*1\r\n$1\r\nab\r\n", limits).error == "ERR Protocol error: invalid bulk length");
  CHECK(p.Parse("SET k \"unterminated\r\n", limits).error ==
        "ERR Protocol error: unbalanced quotes in request");
  CHECK(p.Parse(std::string(70000, 'a'), limits).error ==
        "ERR Protocol error: too big inline request");
  CHECK(p.Parse("*" + std::string(70000, '1'), limits).error ==
        "ERR Protocol error: too big mbulk count string");
}

TEST_CASE("before AUTH the limits are tighter, as in Redis", "[resp]") {
  RespParser p;
  ParseLimits limits;
  limits.authenticated = false;
  CHECK(p.Parse("*11\r\n", limits).status == Status::kError);
  CHECK(p.Parse("*1\r\n$16385\r\n", limits).status == Status::kError);
  CHECK(p.Parse("*1\r\n$4\r\nPING\r\n", limits).status == Status::kCommand);
}

TEST_CASE("empty multibulk and blank lines are skipped", "[resp]") {
  RespParser p;
  auto r = p.Parse("*0\r\n", ParseLimits{});
  CHECK(r.status == Status::kEmpty);
  CHECK(r.consumed == 4);
  r = p.Parse("*-1\r\n", ParseLimits{});
  CHECK(r.status == Status::kEmpty);
  r = p.Parse("\r\n", ParseLimits{});
  CHECK(r.status == Status::kEmpty);
  CHECK(r.consumed == 2);
}

TEST_CASE("inline commands split like redis-cli's raw mode", "[resp]") {
  RespParser p;
  REQUIRE(p.Parse("SET k \"a b\\x41\\n\" 'it\\'s'\r\n", ParseLimits{}).status == Status::kCommand);
  CHECK(Args(p) == std::vector<std::string>{"SET", "k", "a bA\n", "it's"});
  REQUIRE(p.Parse("PING\n", ParseLimits{}).status == Status::kCommand);
  CHECK(Args(p) == std::vector<std::string>{"PING"});
  CHECK(p.Parse("SET k \"a\"b\r\n", ParseLimits{}).status == Status::kError);
}

TEST_CASE("random bytes never crash the parser and never claim more than they hold", "[resp]") {
  std::mt19937 rng(42);
  RespParser p;
  const std::string alphabet = "*$\r\n0123456789-abc \"'\\";
  for (int i = 0; i < 20000; ++i) {
    std::string buf;
    size_t len = rng() % 40;
    for (size_t k = 0; k < len; ++k) buf.push_back(alphabet[rng() % alphabet.size()]);
    auto r = p.Parse(buf, ParseLimits{});
    if (r.status == Status::kCommand || r.status == Status::kEmpty) {
      REQUIRE(r.consumed <= buf.size());
      REQUIRE(r.consumed > 0);
    }
  }
}
