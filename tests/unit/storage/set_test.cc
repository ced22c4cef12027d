#include "storage/set.h"

#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

using firn::Set;

namespace {

std::vector<std::string> Members(const Set& s) {
  std::vector<std::string> out;
  s.ForEach([&](std::string_view m) { out.emplace_back(m); });
  return out;
}

}  // namespace

TEST_CASE("set matches std::set over random operations, as an intset and a table", "[set]") {
  for (size_t limit : {size_t{512}, size_t{8}}) {
    std::mt19937 rng(static_cast<uint32_t>(limit));
    Set s;
    std::set<std::string> model;
    for (int step = 0; step < 5000; ++step) {
      std::string m;
      switch (rng() % 5) {
        case 0:
          m = std::to_string(static_cast<int>(rng() % 200) - 100);
          break;
        case 1:
          m = std::to_string(static_cast<int64_t>(rng()) * 100000);
          break;  // wide
        case 2:
          m = std::to_string(INT64_MIN + static_cast<int64_t>(rng() % 3));
          break;
        case 3:
          m = std::to_string(rng() % 50);
          break;
        default:
          m = step > 4000 ? "m" + std::to_string(rng() % 20) : "07";
          break;
      }
      if (rng() % 3 == 0) {
        REQUIRE(s.Remove(m) == (model.erase(m) == 1));
      } else {
        REQUIRE(s.Add(m, limit) == model.insert(m).second);
      }
      REQUIRE(s.size() == model.size());
      REQUIRE(s.Contains(m) == (model.count(m) == 1));
    }
    std::vector<std::string> got = Members(s);
    std::set<std::string> got_set(got.begin(), got.end());
    REQUIRE(got_set == model);
    REQUIRE(got.size() == model.size());
    Set copy(s);
    REQUIRE(Members(copy) == got);
  }
}

TEST_CASE("an intset keeps ascending order, widens, and converts past its limits", "[set]") {
  Set s;
  for (const char* m : {"5", "-3", "100000", "7"}) s.Add(m, 512);
  CHECK(Members(s) == std::vector<std::string>{"-3", "5", "7", "100000"});
  CHECK(s.intset());
  s.Add("9223372036854775807", 512);
  CHECK(Members(s).back() == "9223372036854775807");
  CHECK_FALSE(s.Contains("07"));  // not canonical: not the integer 7
  s.Add("07", 512);
  CHECK_FALSE(s.intset());
  CHECK(s.Contains("7"));
  CHECK(s.Contains("07"));
  Set small;
  small.Add("1", 2);
  small.Add("2", 2);
  CHECK(small.intset());
  small.Add("3", 2);
  CHECK_FALSE(small.intset());
}

TEST_CASE("ten small integers take 20 bytes of members", "[set]") {
  Set s;
  for (int i = 0; i < 10; ++i) s.Add(std::to_string(i * 3), 512);
  CHECK(s.MemoryBytes() <= sizeof(Set) + 32);
}
