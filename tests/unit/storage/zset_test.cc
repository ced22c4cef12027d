#include "storage/zset.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

using firn::ZSet;

namespace {

using Model = std::set<std::pair<double, std::string>>;

std::vector<std::pair<double, std::string>> Items(const ZSet& z) {
  std::vector<std::pair<double, std::string>> out;
  z.ForEach([&](const ZSet::Item& it) { out.emplace_back(it.score, std::string(it.member)); });
  return out;
}

}  // namespace

TEST_CASE("zset matches an ordered model over random operations", "[zset]") {
  std::mt19937 rng(3);
  ZSet z;
  Model model;
  std::map<std::string, double> scores;
  for (int step = 0; step < 30000; ++step) {
    const std::string m = "m" + std::to_string(rng() % (step < 20000 ? 3000 : 300));
    const double score = static_cast<double>(rng() % 100) / 4;
    if (rng() % 3 == 0) {
      auto it = scores.find(m);
      REQUIRE(z.Remove(m) == (it != scores.end()));
      if (it != scores.end()) {
        model.erase({it->second, m});
        scores.erase(it);
      }
    } else {
      auto it = scores.find(m);
      REQUIRE(z.Set(m, score) == (it == scores.end()));
      if (it != scores.end()) model.erase({it->second, m});
      model.insert({score, m});
      scores[m] = score;
    }
    REQUIRE(z.size() == model.size());
    if (step % 1000 == 0 || step > 29900) {
      const auto items = Items(z);
      REQUIRE(items == std::vector<std::pair<double, std::string>>(model.begin(), model.end()));
      size_t r = 0;
      for (const auto& [s, member] : model) {
        REQUIRE(z.Rank(member) == r);
        ZSet::Pos p = z.AtRank(r);
        REQUIRE(p.Valid());
        REQUIRE(z.Get(p).member == member);
        ++r;
      }
    }
  }
  // Backwards walk and score searches.
  std::vector<std::pair<double, std::string>> back;
  for (ZSet::Pos p = z.AtRank(z.size() - 1); p.Valid(); p = z.Prev(p)) {
    back.emplace_back(z.Get(p).score, std::string(z.Get(p).member));
  }
  REQUIRE(std::vector<std::pair<double, std::string>>(model.rbegin(), model.rend()) == back);
  for (double min : {-1.0, 0.0, 3.25, 12.5, 24.75, 30.0}) {
    ZSet::Pos p = z.FirstWhere([&](const ZSet::Item& it) { return it.score >= min; });
    auto it = std::find_if(model.begin(), model.end(), [&](auto& e) { return e.first >= min; });
    REQUIRE(p.Valid() == (it != model.end()));
    if (p.Valid()) {
      REQUIRE(z.Get(p).member == it->second);
      REQUIRE(p.rank == static_cast<size_t>(std::distance(model.begin(), it)));
    }
  }
  ZSet copy(z);
  REQUIRE(Items(copy) == Items(z));
  while (!scores.empty()) {
    REQUIRE(z.Remove(scores.begin()->first));
    scores.erase(scores.begin());
  }
  REQUIRE(z.empty());
  REQUIRE_FALSE(z.AtRank(0).Valid());
  z.Set("again", 1);
  REQUIRE(z.Rank("again") == 0u);
}

TEST_CASE("zset ties order by member bytes, unsigned", "[zset]") {
  ZSet z;
  z.Set("b", 1);
  z.Set("a", 1);
  z.Set("\xff", 1);
  z.Set("c", 0);
  std::vector<std::string> order;
  z.ForEach([&](const ZSet::Item& it) { order.emplace_back(it.member); });
  CHECK(order == std::vector<std::string>{"c", "a", "b", "\xff"});
  CHECK_FALSE(z.Set("a", 1));
  CHECK(*z.Score("a") == 1);
}

TEST_CASE("zset stays compact up to the entry limit, then converts for good", "[zset]") {
  const ZSet::Limits limits{.max_compact_entries = 4, .max_compact_value = 8};
  ZSet z;
  for (int i = 0; i < 4; ++i) z.Set("m" + std::to_string(i), 4 - i, limits);
  CHECK(z.compact());
  CHECK(z.Rank("m3") == 0u);
  z.Set("m4", 0.5, limits);
  CHECK_FALSE(z.compact());
  CHECK(z.Rank("m4") == 0u);
  for (int i = 0; i < 5; ++i) z.Remove("m" + std::to_string(i));
  CHECK(z.empty());
  CHECK_FALSE(z.compact());
  ZSet y;
  y.Set("a-long-member", 1, limits);  // longer than max_compact_value
  CHECK_FALSE(y.compact());
}

TEST_CASE("compact zset matches an ordered model, walked both ways", "[zset]") {
  const ZSet::Limits limits{.max_compact_entries = 100000, .max_compact_value = 1000};
  std::mt19937 rng(5);
  ZSet z;
  Model model;
  std::map<std::string, double> scores;
  for (int step = 0; step < 4000; ++step) {
    const std::string m = std::string(rng() % 200, 'x') + std::to_string(rng() % 150);
    const double score = static_cast<double>(rng() % 20);
    auto it = scores.find(m);
    if (rng() % 4 == 0) {
      REQUIRE(z.Remove(m) == (it != scores.end()));
      if (it != scores.end()) {
        model.erase({it->second, m});
        scores.erase(it);
      }
      continue;
    }
    REQUIRE(z.Set(m, score, limits) == (it == scores.end()));
    if (it != scores.end()) model.erase({it->second, m});
    model.insert({score, m});
    scores[m] = score;
  }
  REQUIRE(z.compact());
  REQUIRE(Items(z) == std::vector<std::pair<double, std::string>>(model.begin(), model.end()));
  std::vector<std::pair<double, std::string>> back;
  for (ZSet::Pos p = z.AtRank(z.size() - 1); p.Valid(); p = z.Prev(p))
    back.emplace_back(z.Get(p).score, std::string(z.Get(p).member));
  REQUIRE(std::vector<std::pair<double, std::string>>(model.rbegin(), model.rend()) == back);
  size_t r = 0;
  for (const auto& [s, member] : model) REQUIRE(z.Rank(member) == r++);
  ZSet copy(z);
  REQUIRE(copy.compact());
  REQUIRE(Items(copy) == Items(z));
}

TEST_CASE("zset SCAN reports every member present throughout, across growth", "[zset]") {
  ZSet z;
  for (int i = 0; i < 5000; ++i) z.Set("m" + std::to_string(i), i);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int steps = 0, extra = 0;
  do {
    cursor = z.Scan(cursor, 10, [&](const ZSet::Item& it) { seen.emplace(it.member); });
    // grow the table while the scan runs, and remove members added during it
    for (int k = 0; k < 20; ++k) z.Set("x" + std::to_string(extra++), -1);
    ++steps;
  } while (cursor != 0 && steps < 100000);
  REQUIRE(cursor == 0);
  for (int i = 0; i < 5000; ++i) REQUIRE(seen.count("m" + std::to_string(i)) == 1);
}

TEST_CASE("zset in score order fills its leaves; emptied in order, it frees them", "[zset]") {
  ZSet z;
  for (int i = 0; i < 100000; ++i) z.Set("member:" + std::to_string(i), i);
  const size_t full = z.MemoryBytes();
  // about 24 bytes a record, 8 a leaf slot, 10-16 an index slot
  CHECK(full / 100000 < 56);
  for (int i = 0; i < 100000; i += 2) REQUIRE(z.Remove("member:" + std::to_string(i)));
  REQUIRE(z.size() == 50000);
  REQUIRE(z.Rank("member:99999") == 49999u);
  REQUIRE(z.Get(z.AtRank(0)).member == "member:1");
  for (int i = 1; i < 100000; i += 2) REQUIRE(z.Remove("member:" + std::to_string(i)));
  REQUIRE(z.empty());
  CHECK(z.MemoryBytes() < 4096);
}
