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
