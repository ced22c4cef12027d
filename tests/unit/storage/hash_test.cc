#include "storage/hash.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

using firn::Hash;

namespace {

std::map<std::string, std::string> Contents(const Hash& h) {
  std::map<std::string, std::string> out;
  h.ForEach([&](std::string_view f, std::string_view v) {
    REQUIRE(out.emplace(std::string(f), std::string(v)).second);  // no field twice
  });
  return out;
}

void RunRandomOps(Hash::Limits limits, uint32_t seed, int fields) {
  std::mt19937 rng(seed);
  Hash h;
  std::map<std::string, std::string> model;
  for (int step = 0; step < 6000; ++step) {
    const std::string field = "f" + std::to_string(rng() % fields);
    const int op = static_cast<int>(rng() % 4);
    if (op <= 1) {
      std::string value(rng() % 3 == 0 ? rng() % 100 : rng() % 8, 'v');
      const bool fresh = model.count(field) == 0;
      REQUIRE(h.Set(field, value, limits) == fresh);
      model[field] = value;
    } else if (op == 2) {
      REQUIRE(h.Delete(field) == (model.erase(field) == 1));
    } else {
      auto got = h.Get(field);
      auto it = model.find(field);
      REQUIRE(got.has_value() == (it != model.end()));
      if (got) REQUIRE(*got == it->second);
    }
    REQUIRE(h.size() == model.size());
    if (step % 211 == 0) REQUIRE(Contents(h) == model);
  }
  REQUIRE(Contents(h) == model);
  Hash copy(h);
  REQUIRE(Contents(copy) == model);
  REQUIRE(copy.MemoryBytes() == h.MemoryBytes());
}

}  // namespace

TEST_CASE("hash matches a map over random operations, compact and as a table", "[hash]") {
  RunRandomOps({.max_compact_entries = 1000, .max_compact_value = 1000}, 1, 50);
  RunRandomOps({.max_compact_entries = 16, .max_compact_value = 64}, 2, 40);
  RunRandomOps({.max_compact_entries = 128, .max_compact_value = 64}, 3, 3000);
}

TEST_CASE("a compact hash keeps insertion order and converts past its limits", "[hash]") {
  Hash::Limits limits{.max_compact_entries = 3, .max_compact_value = 5};
  Hash h;
  h.Set("b", "1", limits);
  h.Set("a", "2", limits);
  h.Set("c", "3", limits);
  h.Set("a", "22", limits);
  std::vector<std::string> order;
  h.ForEach([&](std::string_view f, std::string_view) { order.emplace_back(f); });
  CHECK(order == std::vector<std::string>{"b", "a", "c"});
  CHECK(h.compact());
  h.Set("d", "4", limits);  // a fourth field
  CHECK_FALSE(h.compact());
  Hash g;
  g.Set("x", "123456", limits);  // a value longer than 5 bytes
  CHECK_FALSE(g.compact());
  Hash k;
  k.Set("x", "1", limits);
  k.ConvertIfLonger(6, limits);
  CHECK_FALSE(k.compact());
  CHECK(*k.Get("x") == "1");
}

TEST_CASE("a scan reports every field present throughout, across growth and shrinking", "[hash]") {
  Hash::Limits limits{.max_compact_entries = 0, .max_compact_value = 64};
  Hash h;
  for (int i = 0; i < 500; ++i) h.Set("f" + std::to_string(i), "v", limits);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int steps = 0;
  do {
    cursor = h.Scan(cursor, 10, [&](std::string_view f, std::string_view) { seen.emplace(f); });
    // Grow the table in the middle of the scan, then shrink it.
    if (steps == 5) {
      for (int i = 500; i < 3000; ++i) h.Set("f" + std::to_string(i), "v", limits);
    }
    if (steps == 30) {
      for (int i = 500; i < 3000; ++i) h.Delete("f" + std::to_string(i));
    }
    ++steps;
  } while (cursor != 0);
  for (int i = 0; i < 500; ++i) CHECK(seen.count("f" + std::to_string(i)) == 1);
}

TEST_CASE("random picks cover the fields", "[hash]") {
  for (size_t entries : {size_t{128}, size_t{0}}) {
    Hash::Limits limits{.max_compact_entries = entries, .max_compact_value = 64};
    Hash h;
    for (int i = 0; i < 20; ++i) h.Set("f" + std::to_string(i), "v" + std::to_string(i), limits);
    std::set<std::string> seen;
    std::mt19937_64 rng(5);
    for (int i = 0; i < 2000; ++i) {
      std::string_view f, v;
      h.Random(rng(), &f, &v);
      CHECK(v == "v" + std::string(f.substr(1)));
      seen.emplace(f);
    }
    CHECK(seen.size() == 20);
  }
}

TEST_CASE("a big hash costs well under Redis's per-field overhead", "[hash]") {
  Hash h;
  Hash::Limits limits;
  for (int i = 0; i < 10000; ++i) h.Set("field:" + std::to_string(i), "value", limits);
  // About 10 bytes of field, 5 of value, 16 of header and 8-16 of bucket a field.
  CHECK(h.MemoryBytes() < 10000 * 50);
}

TEST_CASE("random picks from a table are uniform, whatever the chain lengths", "[hash]") {
  Hash::Limits limits{.max_compact_entries = 0, .max_compact_value = 64};
  Hash h;
  for (int i = 0; i < 50; ++i) h.Set("m" + std::to_string(i), "", limits);
  std::map<std::string, int> hits;
  std::mt19937_64 rng(9);
  constexpr int kDraws = 100000;
  for (int i = 0; i < kDraws; ++i) {
    std::string_view f, v;
    h.Random(rng(), &f, &v);
    ++hits[std::string(f)];
  }
  REQUIRE(hits.size() == 50);
  for (const auto& [field, n] : hits) {
    INFO(field);
    CHECK(n > kDraws / 50 * 8 / 10);
    CHECK(n < kDraws / 50 * 12 / 10);
  }
}

TEST_CASE("a hash object is 16 bytes, whatever its encoding", "[hash]") {
  STATIC_REQUIRE(sizeof(Hash) == 16);
  Hash h;
  h.Set("f", "v", Hash::Limits{});
  // The field's shared id (1 byte, or 2 once other tests have entered 64 names), a 1-byte
  // length, "v".
  CHECK(h.MemoryBytes() >= 16 + 3);
  CHECK(h.MemoryBytes() <= 16 + 4);
}

TEST_CASE("compact hashes share short field names; long ones stay literal", "[hash]") {
  const std::string long_field(40, 'L');  // over 32 bytes: never shared
  Hash a, b;
  a.Set("status", "queued", Hash::Limits{});
  a.Set(long_field, "x", Hash::Limits{});
  b.Set("status", "done", Hash::Limits{});
  // "status" costs its id (1 or 2 bytes, by how many names other tests entered) in each
  // hash; the long name its length byte and its 40 bytes.
  CHECK(b.MemoryBytes() <= 16 + (2 + 1 + 4));
  CHECK(a.MemoryBytes() - b.MemoryBytes() == (6 - 4) + (1 + 40 + 1 + 1));
  CHECK(a.Get("status") == "queued");
  CHECK(b.Get("status") == "done");
  CHECK(a.Get(long_field) == "x");
  CHECK_FALSE(b.Get(long_field).has_value());
  CHECK_FALSE(a.Get("statu").has_value());
  CHECK(a.StoredField("status") == "status");
  std::vector<std::pair<std::string, std::string>> pairs;
  a.ForEach([&](std::string_view f, std::string_view v) { pairs.emplace_back(f, v); });
  CHECK(pairs == std::vector<std::pair<std::string, std::string>>{{"status", "queued"},
                                                                   {long_field, "x"}});
  Hash copy(a);
  CHECK(copy.Get("status") == "queued");
  CHECK(a.Delete("status"));
  CHECK_FALSE(a.Get("status").has_value());
  CHECK(b.Get("status") == "done");
  CHECK(a.Get(long_field) == "x");
}
