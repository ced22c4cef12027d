#include "storage/zset.h"

#include <catch2/catch.hpp>
#include <algorithm>
#include <map>
#include <optional>
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
  while (z.IndexMigrating()) z.Score("member:0");  // lookups finish a resize in progress
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

TEST_CASE("zset index resizes in bounded steps: no insert or delete pays for the whole set",
          "[zset]") {
  ZSet z;
  // 300,000 members cross several growths of the member index (16, 24, 36, ... home slots).
  size_t worst = 0, growths = 0;
  bool was_migrating = false;
  for (int i = 0; i < 300000; ++i) {
    const size_t before = z.IndexWork();
    z.Set("member:" + std::to_string(i), i % 1000);
    const size_t cost = z.IndexWork() - before;
    // Past the compact form (and its one-time conversion), every insert moves a bounded
    // number of index slots.
    if (i > 1000) worst = std::max(worst, cost);
    if (z.IndexMigrating() && !was_migrating) ++growths;
    was_migrating = z.IndexMigrating();
  }
  CHECK(growths >= 10);
  CHECK(worst <= 16);  // kMoveSlots; a whole rehash here would be ~375,000
  // Every member is still found, in whichever array it is.
  for (int i = 0; i < 300000; i += 7) REQUIRE(z.Score("member:" + std::to_string(i)) == i % 1000);
  // Deleting down through the shrinks is bounded the same way.
  worst = 0;
  size_t shrinks = 0;
  was_migrating = z.IndexMigrating();
  for (int i = 0; i < 299000; ++i) {
    const size_t before = z.IndexWork();
    REQUIRE(z.Remove("member:" + std::to_string(i)));
    worst = std::max(worst, z.IndexWork() - before);
    if (z.IndexMigrating() && !was_migrating) ++shrinks;
    was_migrating = z.IndexMigrating();
  }
  CHECK(shrinks >= 5);
  CHECK(worst <= 16);
  REQUIRE(z.size() == 1000u);
  for (int i = 299000; i < 300000; ++i) REQUIRE(z.Rank("member:" + std::to_string(i)));
}

TEST_CASE("zset index matches a model through migrations: lookups, ranks and SCAN",
          "[zset]") {
  std::mt19937_64 rng(17);
  ZSet z;
  std::map<std::string, double> model;
  size_t migrating_checks = 0;
  for (int round = 0; round < 60; ++round) {
    // Phases that grow and shrink the set, so the index is often mid-migration.
    const bool grow = round % 3 != 2;
    const int ops = 4000 + static_cast<int>(rng() % 4000);
    for (int k = 0; k < ops; ++k) {
      const std::string m = "k" + std::to_string(rng() % 40000);
      if (grow ? rng() % 4 != 0 : rng() % 4 == 0) {
        const double score = static_cast<double>(rng() % 500);
        REQUIRE(z.Set(m, score) == (model.count(m) == 0));
        model[m] = score;
      } else {
        REQUIRE(z.Remove(m) == (model.erase(m) == 1));
      }
    }
    REQUIRE(z.size() == model.size());
    if (z.IndexMigrating()) ++migrating_checks;
    for (int k = 0; k < 500; ++k) {
      const std::string m = "k" + std::to_string(rng() % 40000);
      auto it = model.find(m);
      const std::optional<double> got = z.Score(m);
      REQUIRE(got.has_value() == (it != model.end()));
      if (got) REQUIRE(*got == it->second);
    }
    // A SCAN with changes between its steps reports every member present throughout, once
    // at least, and nothing that never was.
    std::set<std::string> seen;
    std::map<std::string, double> throughout = model;
    uint64_t cursor = 0;
    int steps = 0;
    do {
      cursor = z.Scan(cursor, 20, [&](const ZSet::Item& it) {
        REQUIRE(!it.member.empty());
        seen.emplace(it.member);
      });
      for (int k = 0; k < 3; ++k) {
        const std::string m = "k" + std::to_string(rng() % 40000);
        if (rng() % 2) {
          z.Set(m, 1);
          model[m] = 1;
        } else {
          z.Remove(m);
          model.erase(m);
          throughout.erase(m);
        }
      }
      ++steps;
    } while (cursor != 0 && steps < 1000000);
    REQUIRE(cursor == 0);
    for (const auto& [m, s] : throughout) REQUIRE(seen.count(m) == 1);
    REQUIRE(z.size() == model.size());
  }
  CHECK(migrating_checks > 0);
  const auto items = Items(z);
  REQUIRE(items.size() == model.size());
  size_t r = 0;
  for (const auto& [s, m] : items) {
    REQUIRE(model.at(m) == s);
    REQUIRE(z.Rank(m) == r++);
  }
}
