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
    p.Reset();  // each buffer is unrelated to the last
    auto r = p.Parse(buf, ParseLimits{});
    if (r.status == Status::kCommand || r.status == Status::kEmpty) {
      REQUIRE(r.consumed <= buf.size());
      REQUIRE(r.consumed > 0);
    }
  }
}

TEST_CASE("the two bytes after a bulk are skipped unchecked, as Redis does", "[resp]") {
  RespParser p;
  auto r = p.Parse("*1\r\n$4\r\nPINGXX", ParseLimits{});
  REQUIRE(r.status == Status::kCommand);
  CHECK(Args(p) == std::vector<std::string>{"PING"});
  CHECK(r.consumed == 14);
  // What follows the skipped bytes is the next request.
  std::string buf = "*1\r\n$4\r\nPINGXXXXX\r\n";
  r = p.Parse(buf, ParseLimits{});
  REQUIRE(r.status == Status::kCommand);
  CHECK(r.consumed == 14);
  r = p.Parse(std::string_view(buf).substr(14), ParseLimits{});
  REQUIRE(r.status == Status::kCommand);
  CHECK(Args(p) == std::vector<std::string>{"XXX"});
  // A following bulk header right after the two bytes belongs to the same command.
  REQUIRE(p.Parse("*2\r\n$4\r\nPINGXX$1\r\na\r\n", ParseLimits{}).status == Status::kCommand);
  CHECK(Args(p) == std::vector<std::string>{"PING", "a"});
  // Fewer than two bytes after the payload: still waiting.
  CHECK(p.Parse("*1\r\n$4\r\nPINGX", ParseLimits{}).status == Status::kIncomplete);
}

namespace {

// Feeds stream to the parser chunk bytes at a time, as reads into a growing buffer would, and
// moves the pending bytes to a fresh buffer every `move_every` reads (the read buffer grew).
// Returns the commands parsed.
std::vector<std::vector<std::string>> FeedInChunks(RespParser& p, const std::string& stream,
                                                   size_t chunk, size_t move_every) {
  std::vector<std::vector<std::string>> commands;
  std::string pending;
  size_t fed = 0, reads = 0;
  while (fed < stream.size()) {
    size_t n = std::min(chunk, stream.size() - fed);
    pending.append(stream, fed, n);
    fed += n;
    if (++reads % move_every == 0) {
      std::string moved(pending);  // a new allocation: the bytes change address
      pending.swap(moved);
    }
    while (!pending.empty()) {
      auto r = p.Parse(pending, ParseLimits{});
      REQUIRE(r.status != Status::kError);
      if (r.status == Status::kIncomplete) break;
      if (r.status == Status::kCommand) commands.emplace_back(p.args().begin(), p.args().end());
      pending.erase(0, r.consumed);
    }
  }
  return commands;
}

}  // namespace

TEST_CASE("a command arriving over many reads costs work in proportion to its bytes", "[resp]") {
  // 200,000 arguments (1.4 MB) in 1 KB reads: re-parsing from the first byte on every read
  // would scan about 1.4 GB.
  const int args = 200000;
  std::string stream = "*" + std::to_string(args) + "\r\n";
  for (int i = 0; i < args; ++i) stream += "$1\r\na\r\n";
  stream += "*1\r\n$4\r\nPING\r\n";
  RespParser p;
  auto commands = FeedInChunks(p, stream, 1024, 64);
  REQUIRE(commands.size() == 2);
  CHECK(commands[0].size() == static_cast<size_t>(args));
  CHECK(commands[1] == std::vector<std::string>{"PING"});
  CHECK(p.bytes_scanned() <= 2 * stream.size());
}

TEST_CASE("a long line arriving byte by byte is searched once", "[resp]") {
  RespParser p;
  std::string stream = "*1\r\n$1\r\nx\r\n" + std::string(60000, 'a') + "\r\n";
  auto commands = FeedInChunks(p, stream, 1, 1000);
  REQUIRE(commands.size() == 2);
  CHECK(commands[1][0].size() == 60000);
  CHECK(p.bytes_scanned() <= 2 * stream.size());
}

TEST_CASE("any split of a pipeline into reads parses the same commands", "[resp]") {
  std::mt19937 rng(7);
  std::string stream;
  std::vector<std::vector<std::string>> expected;
  for (int i = 0; i < 300; ++i) {
    std::vector<std::string> cmd{"SET", "k" + std::to_string(i), std::string(rng() % 300, 'v')};
    expected.push_back(cmd);
    stream += "*3\r\n";
    for (const std::string& a : cmd) stream += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    if (i % 7 == 0) {
      stream += "PING inline\r\n";
      expected.push_back({"PING", "inline"});
    }
  }
  for (size_t chunk : {1, 3, 17, 512, 4096}) {
    RespParser p;
    INFO("chunk " << chunk);
    CHECK(FeedInChunks(p, stream, chunk, 5) == expected);
  }
}

TEST_CASE("a request of many arguments gives their list back after it, unless suspended",
          "[resp]") {
  RespParser p;
  const size_t n = RespParser::kKeptArgs + 1;
  std::string buf = "*" + std::to_string(n) + "\r\n";
  for (size_t i = 0; i < n; ++i) buf += "$1\r\nx\r\n";
  // Cut inside the last argument: the parse suspends with every argument but one taken.
  auto r = p.Parse(std::string_view(buf).substr(0, buf.size() - 2), ParseLimits{});
  REQUIRE(r.status == Status::kIncomplete);
  p.ReleaseLargeArgs();  // kept: the suspended request still needs them
  r = p.Parse(buf, ParseLimits{});
  REQUIRE(r.status == Status::kCommand);
  REQUIRE(p.args().size() == n);
  CHECK(p.args().capacity() >= n);
  p.ReleaseLargeArgs();
  CHECK(p.args().capacity() == 0);
  // A small request afterwards, and its list is kept.
  std::string small = "*1\r\n$4\r\nPING\r\n";
  REQUIRE(p.Parse(small, ParseLimits{}).status == Status::kCommand);
  p.ReleaseLargeArgs();
  CHECK(Args(p) == std::vector<std::string>{"PING"});
}
