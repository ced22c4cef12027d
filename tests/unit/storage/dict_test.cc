#include "storage/dict.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "storage/entry.h"

using firn::Dict;
using firn::Entry;
using firn::HashKey;
using firn::ValueType;

namespace {

std::string Key(int i) { return "key:" + std::to_string(i); }

void Add(Dict& d, const std::string& key) {
  d.Insert(Entry::Make(key, ValueType::kString, "v", -1), HashKey(key));
}

bool Has(Dict& d, const std::string& key) { return d.Find(key, HashKey(key)) != nullptr; }

bool Drop(Dict& d, const std::string& key) {
  Entry* e = d.Remove(key, HashKey(key));
  if (e == nullptr) return false;
  Entry::Free(e);
  return true;
}

// Every key of the table, by one full cursor cycle with no modification in between.
std::vector<std::string> ScanAll(const Dict& d) {
  std::vector<std::string> out;
  uint64_t cursor = 0;
  do {
    cursor = d.Scan(cursor, [&](Entry* e) { out.emplace_back(e->key()); });
  } while (cursor != 0);
  return out;
}

uint64_t NextRandom() {
  static uint64_t state = 88172645463325252ULL;
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

// Inserts keys until the table starts growing; returns how many were inserted.
int FillUntilRehashing(Dict& d) {
  int n = 0;
  while (!d.rehashing()) Add(d, Key(n++));
  return n;
}

// Inserts keys until a table of at least 2048 buckets starts doubling (finishing every earlier
// rehash at once). Returns the number of keys; the rehash that just began has thousands of
// buckets left to move, and nothing in it assumes the load factor at which the table grows.
int StartLargeRehash(Dict& d) {
  int n = 0;
  while (true) {
    const bool was_rehashing = d.rehashing();
    Add(d, Key(n++));
    if (!was_rehashing && d.rehashing()) {
      if (d.buckets() >= 3 * 2048) return n;
      while (d.RehashSteps(100)) {
      }
    }
  }
}

}  // namespace

TEST_CASE("an empty dict finds, removes and scans nothing", "[dict]") {
  Dict d;
  CHECK(d.size() == 0);
  CHECK_FALSE(Has(d, "x"));
  CHECK_FALSE(Drop(d, "x"));
  CHECK(d.Scan(0, [](Entry*) { FAIL("no entry expected"); }) == 0);
  CHECK(d.Random(NextRandom) == nullptr);
}

TEST_CASE("insert, find and remove keep size and membership", "[dict]") {
  Dict d;
  for (int i = 0; i < 1000; ++i) Add(d, Key(i));
  CHECK(d.size() == 1000);
  for (int i = 0; i < 1000; ++i) REQUIRE(Has(d, Key(i)));
  CHECK_FALSE(Has(d, "key:1000"));
  for (int i = 0; i < 1000; i += 2) REQUIRE(Drop(d, Key(i)));
  CHECK(d.size() == 500);
  for (int i = 0; i < 1000; ++i) REQUIRE(Has(d, Key(i)) == (i % 2 == 1));
  CHECK_FALSE(Drop(d, Key(0)));
}

TEST_CASE("the table doubles when full and rehashes incrementally", "[dict]") {
  Dict d;
  int n = FillUntilRehashing(d);
  // The insert that found the table full started the doubling; it did not finish it at once.
  const size_t buckets_while_rehashing = d.buckets();  // old + new, the new twice the old
  while (d.RehashSteps(1)) {
  }
  CHECK_FALSE(d.rehashing());
  CHECK(d.buckets() * 3 == buckets_while_rehashing * 2);
  for (int i = 0; i < n; ++i) REQUIRE(Has(d, Key(i)));

  // A large table takes many operations to move: none moves more than a bucket or so.
  Dict big;
  StartLargeRehash(big);
  int steps = 0;
  while (big.RehashSteps(1)) ++steps;
  CHECK(steps > 100);
}

TEST_CASE("insert, find, replace and remove are correct across an in-progress rehash",
          "[dict]") {
  Dict d;
  int next = StartLargeRehash(d);
  std::set<std::string> live;
  for (int i = 0; i < next; ++i) live.insert(Key(i));
  int ops_during_rehash = 0;
  // Each operation moves at most one bucket, so thousands of them run mid-rehash.
  while (d.rehashing()) {
    ++ops_during_rehash;
    const int r = static_cast<int>(NextRandom() % 4);
    if (r == 0) {
      Add(d, Key(next));
      live.insert(Key(next++));
    } else if (r == 1 && !live.empty()) {
      std::string victim = *live.begin();
      REQUIRE(Drop(d, victim));
      live.erase(victim);
    } else if (r == 2) {
      std::string k = Key(static_cast<int>(NextRandom() % static_cast<uint64_t>(next)));
      REQUIRE(Has(d, k) == (live.count(k) == 1));
    } else if (!live.empty()) {
      // Replace an entry with a fresh one holding another value.
      const std::string k = *live.rbegin();
      const uint64_t h = HashKey(k);
      Entry* old = d.Find(k, h);
      REQUIRE(old != nullptr);
      Entry* fresh = Entry::Make(k, ValueType::kString, "replaced", -1);
      REQUIRE(d.Replace(old, fresh, h) == old);
      Entry::Free(old);
      REQUIRE(d.Find(k, h) == fresh);
    }
    REQUIRE(d.size() == live.size());
  }
  CHECK(ops_during_rehash > 1000);
  for (const std::string& k : live) REQUIRE(Has(d, k));
  std::vector<std::string> all = ScanAll(d);
  CHECK(std::set<std::string>(all.begin(), all.end()) == live);
  CHECK(all.size() == live.size());
}

TEST_CASE("a scan over an unmodified table returns every key exactly once, mid-rehash too",
          "[dict]") {
  Dict d;
  int n = StartLargeRehash(d);
  for (int i = 0; i < 5; ++i) d.RehashSteps(1);
  REQUIRE(d.rehashing());
  std::vector<std::string> keys = ScanAll(d);
  CHECK(keys.size() == static_cast<size_t>(n));
  CHECK(std::set<std::string>(keys.begin(), keys.end()).size() == static_cast<size_t>(n));

  while (d.RehashSteps(100)) {
  }
  keys = ScanAll(d);
  CHECK(keys.size() == static_cast<size_t>(n));
  CHECK(std::set<std::string>(keys.begin(), keys.end()).size() == static_cast<size_t>(n));
}

TEST_CASE("a scan returns every key present throughout while the table grows", "[dict]") {
  Dict d;
  for (int i = 0; i < 1000; ++i) Add(d, Key(i));
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int added = 0;
  const size_t buckets_before = d.buckets();
  do {
    cursor = d.Scan(cursor, [&](Entry* e) { seen.emplace(e->key()); });
    for (int j = 0; j < 50 && added < 20000; ++j) Add(d, "grow:" + std::to_string(added++));
  } while (cursor != 0);
  CHECK(added == 20000);
  CHECK(d.buckets() > buckets_before * 8);  // it doubled several times during the scan
  for (int i = 0; i < 1000; ++i) REQUIRE(seen.count(Key(i)) == 1);
}

TEST_CASE("a scan returns every key present throughout while the table shrinks", "[dict]") {
  Dict d;
  for (int i = 0; i < 20000; ++i) Add(d, Key(i));
  while (d.RehashSteps(100)) {
  }
  // Keep one key in 20, so the table is well under an eighth full whatever its load factor.
  for (int i = 0; i < 20000; ++i) {
    if (i % 20 != 0) REQUIRE(Drop(d, Key(i)));
  }
  const size_t buckets_before = d.buckets();
  std::set<std::string> seen;
  uint64_t cursor = 0;
  bool saw_rehash = false;
  do {
    cursor = d.Scan(cursor, [&](Entry* e) { seen.emplace(e->key()); });
    if (d.rehashing()) {
      saw_rehash = true;
      d.RehashSteps(3);
    } else {
      d.MaybeShrink();
    }
  } while (cursor != 0);
  CHECK(saw_rehash);
  CHECK(d.buckets() < buckets_before);
  for (int i = 0; i < 20000; i += 20) REQUIRE(seen.count(Key(i)) == 1);
}

TEST_CASE("the table shrinks only when under an eighth full", "[dict]") {
  Dict d;
  for (int i = 0; i < 1024; ++i) Add(d, Key(i));
  while (d.RehashSteps(100)) {
  }
  const size_t full = d.buckets();
  for (int i = 0; i < 1024 - static_cast<int>(full / 8); ++i) REQUIRE(Drop(d, Key(i)));
  while (d.RehashSteps(100)) {
  }
  d.MaybeShrink();
  CHECK_FALSE(d.rehashing());  // exactly 1/8 full: kept
  REQUIRE(Drop(d, Key(1024 - static_cast<int>(full / 8))));
  while (d.RehashSteps(100)) {
  }
  d.MaybeShrink();
  CHECK(d.rehashing());
  while (d.RehashSteps(100)) {
  }
  CHECK(d.buckets() < full);
  CHECK(d.buckets() >= d.size());
  for (int i = 1025 - static_cast<int>(full / 8); i < 1024; ++i) REQUIRE(Has(d, Key(i)));
}

TEST_CASE("removing every key mid-rehash finishes the rehash", "[dict]") {
  Dict d;
  int n = StartLargeRehash(d);
  for (int i = 0; i < n / 8; ++i) REQUIRE(Drop(d, Key(i)));
  REQUIRE(d.rehashing());
  for (int i = n / 8; i < n; ++i) REQUIRE(Drop(d, Key(i)));
  CHECK(d.size() == 0);
  d.RehashSteps(1);
  CHECK_FALSE(d.rehashing());
  Add(d, "again");
  CHECK(Has(d, "again"));
}

TEST_CASE("Random returns only live entries, stable or mid-rehash", "[dict]") {
  Dict d;
  std::set<std::string> live;
  for (int i = 0; i < 3000; ++i) {
    Add(d, Key(i));
    live.insert(Key(i));
  }
  for (int i = 0; i < 3000; i += 3) {
    REQUIRE(Drop(d, Key(i)));
    live.erase(Key(i));
  }
  std::set<std::string> drawn;
  for (int i = 0; i < 5000; ++i) {
    Entry* e = d.Random(NextRandom);
    REQUIRE(e != nullptr);
    REQUIRE(live.count(std::string(e->key())) == 1);
    drawn.emplace(e->key());
  }
  CHECK(drawn.size() > live.size() / 2);  // spread over the table, not stuck on a bucket

  // Grow into a rehash and draw while it is in progress (Random also steps it).
  int next = 3000;
  while (!d.rehashing()) {
    Add(d, Key(next));
    live.insert(Key(next++));
  }
  int draws_mid_rehash = 0;
  while (d.rehashing()) {
    Entry* e = d.Random(NextRandom);
    REQUIRE(e != nullptr);
    REQUIRE(live.count(std::string(e->key())) == 1);
    ++draws_mid_rehash;
  }
  CHECK(draws_mid_rehash > 10);
}

TEST_CASE("Clear frees everything and the dict stays usable", "[dict]") {
  Dict d;
  for (int i = 0; i < 100; ++i) Add(d, Key(i));
  CHECK(d.OverheadBytes() == d.buckets() * sizeof(Entry*));
  d.Clear();
  CHECK(d.size() == 0);
  CHECK(d.buckets() == 0);
  CHECK_FALSE(Has(d, Key(1)));
  Add(d, Key(1));
  CHECK(Has(d, Key(1)));
}

TEST_CASE("Swap exchanges contents, including a rehash in progress", "[dict]") {
  Dict a, b;
  int n = FillUntilRehashing(a);
  Add(b, "only");
  a.Swap(b);
  CHECK(b.rehashing());
  CHECK(b.size() == static_cast<size_t>(n));
  CHECK(a.size() == 1);
  CHECK(Has(a, "only"));
  for (int i = 0; i < n; ++i) REQUIRE(Has(b, Key(i)));
}
