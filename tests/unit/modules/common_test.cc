// GlobMatch: Redis's answers for a table of patterns (glob_cases.inc, generated from
// redis-server 7.0.15), and its cost on adversarial patterns, counted in pattern bytes examined.
#include "modules/common.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/errors.h"

using firn::GlobMatch;
using namespace std::literals;

namespace {

struct GlobCase {
  std::string_view pattern;
  std::string_view text;
  bool nocase;
  bool matches;
};

constexpr GlobCase kRedisCases[] = {
#include "tests/unit/modules/glob_cases.inc"
};

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out.append(s);
  return out;
}

// The work bound GlobMatch promises: (|text| + 1) passes over the pattern at most.
uint64_t Bound(std::string_view pattern, std::string_view text) {
  return (text.size() + 1) * (pattern.size() + 1);
}

uint64_t Steps(std::string_view pattern, std::string_view text, bool* matched = nullptr) {
  uint64_t steps = 0;
  bool m = GlobMatch(pattern, text, false, &steps);
  if (matched != nullptr) *matched = m;
  return steps;
}

}  // namespace

TEST_CASE("glob answers as redis-server 7.0.15 for every case of the table", "[glob]") {
  REQUIRE(std::size(kRedisCases) > 400);
  for (const GlobCase& c : kRedisCases) {
    INFO("pattern '" << c.pattern << "' text '" << c.text << "' nocase " << c.nocase);
    uint64_t steps = 0;
    CHECK(GlobMatch(c.pattern, c.text, c.nocase, &steps) == c.matches);
    CHECK(GlobMatch(c.pattern, c.text, c.nocase) == c.matches);
    CHECK(steps <= Bound(c.pattern, c.text));
  }
}

TEST_CASE("glob: * does not match an empty text, as stringmatchlen", "[glob]") {
  // KEYS * lists an empty key through its match-all shortcut, not through the matcher.
  CHECK_FALSE(GlobMatch("*", ""));
  CHECK_FALSE(GlobMatch("**", ""));
  CHECK(GlobMatch("", ""));
}

TEST_CASE("glob: nocase folds ASCII letters only", "[glob]") {
  CHECK(GlobMatch("\xc9", "\xc9", true));
  CHECK_FALSE(GlobMatch("\xc9", "\xe9", true));
  CHECK(GlobMatch("[A-C]", "b", true));
  CHECK_FALSE(GlobMatch("[A-C]", "b", false));
}

TEST_CASE("glob: more than 1000 nested star runs match nothing, as Redis", "[glob]") {
  // Redis's recursion gives up past 1000 levels (CVE-2024-31228); its answer is "no match".
  CHECK(GlobMatch(Repeat("a*", 1000) + "a", Repeat("a", 1001)));
  CHECK_FALSE(GlobMatch(Repeat("a*", 1001) + "a", Repeat("a", 1002)));
  CHECK(GlobMatch(Repeat("*a", 1000), Repeat("a", 1000)));
  CHECK_FALSE(GlobMatch(Repeat("*a", 1001), Repeat("a", 1001)));
  // A final run of stars does not nest, and consecutive stars are one run.
  CHECK(GlobMatch(Repeat("a*", 1001), Repeat("a", 1001)));
  CHECK(GlobMatch(Repeat("a*", 1001), Repeat("a", 1500)));
  CHECK(GlobMatch(Repeat("a**", 1000) + "a", Repeat("a", 1001)));
  CHECK_FALSE(GlobMatch(Repeat("a**", 1001) + "a", Repeat("a", 1002)));
  CHECK(GlobMatch(Repeat("*", 5000) + "a", "a"));
  // Escaped stars and stars inside classes are literals, not runs.
  CHECK(GlobMatch(Repeat("\\*a", 1500), Repeat("*a", 1500)));
  CHECK(GlobMatch(Repeat("[*]a", 1500), Repeat("*a", 1500)));
}

TEST_CASE("glob: nested stars cost at most one pass over the pattern per text byte", "[glob]") {
  // Exponential for a backtracking matcher: each extra "*a" multiplied its time about six times.
  const std::string text(40, 'a');
  for (int stars = 1; stars <= 1000; stars = stars < 10 ? stars + 1 : stars * 10) {
    const std::string pattern = Repeat("*a", static_cast<size_t>(stars)) + "*b";
    bool matched = true;
    const uint64_t steps = Steps(pattern, text, &matched);
    INFO("stars " << stars << " steps " << steps);
    CHECK_FALSE(matched);
    CHECK(steps <= Bound(pattern, text));
  }
  // The case, exactly: *a*a*a*a*a*a*a*a*a*a*b against 40 bytes of 'a'.
  CHECK(Steps("*a*a*a*a*a*a*a*a*a*a*b", text) <= 23 * 41);
}

TEST_CASE("glob: a 200,000-byte pattern against a 100,000-byte text needs no recursion",
          "[glob]") {
  const std::string text(100000, 'a');
  const std::string pattern = Repeat("a*", 100000) + "b";
  bool matched = true;
  // Past the nesting limit the answer is known after the first 1001 star runs.
  const uint64_t steps = Steps(pattern, text, &matched);
  CHECK_FALSE(matched);
  CHECK(steps <= 4 * 1001);
  // Under the limit the full search still stays within its bound, with a long text.
  const std::string deep = Repeat("a*", 1000) + "b";
  CHECK(Steps(deep, text, &matched) <= Bound(deep, text));
  CHECK_FALSE(matched);
}

TEST_CASE("glob: adversarial shapes stay within the bound", "[glob]") {
  const std::string long_a(3000, 'a');
  const std::string shapes[] = {
      "*" + std::string(100, 'a') + "b",        // a long literal tail tried at every position
      Repeat("*?", 500) + "b",                   // many stars around single-byte wildcards
      Repeat("*[a-z]", 300) + "[^a]",            // classes re-scanned on every backtrack
      Repeat("*[abcdefghijklmnopqrstuvwxyz]", 100) + "!",
      "*" + Repeat("a", 2999) + "b*",            // almost matches at the first position only
      Repeat("\\a*", 500) + "\\b",
  };
  for (const std::string& pattern : shapes) {
    bool matched = true;
    const uint64_t steps = Steps(pattern, long_a, &matched);
    INFO("pattern of " << pattern.size() << " bytes: " << steps << " steps");
    CHECK_FALSE(matched);
    CHECK(steps <= Bound(pattern, long_a));
  }
  // A matching pattern costs about one pass when nothing needs revisiting.
  CHECK(Steps(Repeat("a", 3000), long_a) <= 3000);
  CHECK(Steps("*", long_a) <= 1);
}

TEST_CASE("ErrorText maps every storage status to Redis's text", "[common]") {
  using firn::ErrorText;
  using firn::OpStatus;
  CHECK(ErrorText(OpStatus::kOk).empty());
  CHECK(ErrorText(OpStatus::kSkipped).empty());
  CHECK(ErrorText(OpStatus::kNotFound) == "ERR no such key");
  CHECK(ErrorText(OpStatus::kWrongType) ==
        "WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(ErrorText(OpStatus::kSyntax) == "ERR syntax error");
  CHECK(ErrorText(OpStatus::kNotInteger) == "ERR value is not an integer or out of range");
  CHECK(ErrorText(OpStatus::kNotFloat) == "ERR value is not a valid float");
  CHECK(ErrorText(OpStatus::kOverflow) == "ERR increment or decrement would overflow");
  CHECK(ErrorText(OpStatus::kOutOfRange) == "ERR index out of range");
  CHECK(ErrorText(OpStatus::kTooLarge) ==
        "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
}

TEST_CASE("error texts with placeholders are filled in order", "[common]") {
  CHECK(firn::WrongArityError("get") == "ERR wrong number of arguments for 'get' command");
  CHECK(firn::InvalidExpireError("set") == "ERR invalid expire time in 'set' command");
  CHECK(firn::UnknownSubcommandError("foo", "config") ==
        "ERR unknown subcommand 'foo'. Try CONFIG HELP.");
  CHECK(firn::err::Format(firn::err::kProtoExpectedDollar, {"x"}) ==
        "ERR Protocol error: expected '$', got 'x'");
  CHECK(firn::err::Format("%s and %s", {"a%s", "b"}) == "a%s and b");  // args are not rescanned
  CHECK(firn::err::Format("%s %s", {"only"}) == "only %s");
}
