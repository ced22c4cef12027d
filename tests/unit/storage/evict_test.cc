#include "storage/evict.h"

#include <catch2/catch.hpp>
#include <string>

#include "storage/keyspace.h"

using firn::EvictionPolicy;
using firn::Evictor;
using firn::Keyspace;
using firn::ValueType;

namespace {

constexpr int64_t kNow = 10'000'000;
Keyspace* g_ks = nullptr;
// "Memory" in these tests is the key count, so the budget is exact and deterministic.
int64_t UsedKeys() { return static_cast<int64_t>(g_ks->TotalKeys()); }
int64_t FakeUs() { return 0; }

void Fill(Keyspace& ks, int n, int64_t now, bool ttl_every_other = false) {
  for (int i = 0; i < n; ++i) {
    int64_t expire = ttl_every_other && i % 2 == 0 ? now + 100000 + i : -1;
    ks.db(0).Put("k" + std::to_string(i), ValueType::kString, "v", expire, now);
  }
}

}  // namespace

TEST_CASE("noeviction refuses instead of evicting", "[evict]") {
  Keyspace ks(1);
  g_ks = &ks;
  Fill(ks, 100, kNow);
  ks.evictor().Configure({EvictionPolicy::kNoEviction});
  CHECK(ks.evictor().Enforce(ks, 50, kNow, UsedKeys, FakeUs) == Evictor::Result::kFail);
  CHECK(ks.TotalKeys() == 100);
}

TEST_CASE("allkeys-lru keeps the recently used keys", "[evict]") {
  Keyspace ks(1);
  g_ks = &ks;
  ks.evictor().Configure({EvictionPolicy::kAllKeysLru, 5});
  Fill(ks, 1000, kNow);
  // Touch the first 100 keys later: they are the recent ones.
  for (int i = 0; i < 100; ++i) ks.db(0).FindForRead("k" + std::to_string(i), kNow + 60000);
  REQUIRE(ks.evictor().Enforce(ks, 500, kNow + 60000, UsedKeys, FakeUs) == Evictor::Result::kOk);
  CHECK(ks.TotalKeys() == 500);
  int kept = 0;
  for (int i = 0; i < 100; ++i) kept += ks.db(0).Find("k" + std::to_string(i), kNow) != nullptr;
  CHECK(kept >= 95);
  CHECK(ks.stats().evicted_keys == 500);
}

TEST_CASE("a one-off sweep of new keys does not flush keys used twice", "[evict]") {
  Keyspace ks(1);
  g_ks = &ks;
  ks.evictor().Configure({EvictionPolicy::kAllKeysLru, 5});
  int64_t now = kNow;
  // A hot set, read repeatedly, with eviction running so the eviction age is known.
  for (int round = 0; round < 20; ++round) {
    now += 1000;
    for (int i = 0; i < 200; ++i) {
      std::string key = "hot" + std::to_string(i);
      if (ks.db(0).FindForRead(key, now) == nullptr) ks.db(0).Put(key, ValueType::kString, "v", -1, now);
    }
    for (int i = 0; i < 50; ++i) {
      ks.db(0).Put("cold" + std::to_string(round * 50 + i), ValueType::kString, "v", -1, now);
      ks.evictor().Enforce(ks, 300, now, UsedKeys, FakeUs);
    }
  }
  // The sweep: 300 never-seen keys, one access each.
  now += 1000;
  for (int i = 0; i < 300; ++i) {
    ks.db(0).Put("scan" + std::to_string(i), ValueType::kString, "v", -1, now);
    ks.evictor().Enforce(ks, 300, now, UsedKeys, FakeUs);
  }
  int hot = 0;
  for (int i = 0; i < 200; ++i) hot += ks.db(0).Find("hot" + std::to_string(i), now) != nullptr;
  CHECK(hot >= 150);
}

TEST_CASE("volatile policies never evict keys without a TTL", "[evict]") {
  for (EvictionPolicy p : {EvictionPolicy::kVolatileLru, EvictionPolicy::kVolatileLfu,
                           EvictionPolicy::kVolatileRandom, EvictionPolicy::kVolatileTtl}) {
    Keyspace ks(1);
    g_ks = &ks;
    ks.evictor().Configure({p, 5});
    Fill(ks, 1000, kNow, true);
    auto r = ks.evictor().Enforce(ks, 200, kNow, UsedKeys, FakeUs);
    CHECK(r == Evictor::Result::kRunning);  // ran out of volatile keys above the limit
    CHECK(ks.evictor().Enforce(ks, 200, kNow, UsedKeys, FakeUs) == Evictor::Result::kFail);
    CHECK(ks.TotalKeys() == 500);
    CHECK(ks.db(0).expires() == 0);
  }
}

TEST_CASE("volatile-ttl evicts the nearest expiry first", "[evict]") {
  Keyspace ks(1);
  g_ks = &ks;
  ks.evictor().Configure({EvictionPolicy::kVolatileTtl, 10});
  Fill(ks, 1000, kNow, true);  // even keys expire at now+100000+i
  ks.evictor().Enforce(ks, 900, kNow, UsedKeys, FakeUs);
  int early = 0, late = 0;
  for (int i = 0; i < 1000; i += 2) {
    bool gone = ks.db(0).Find("k" + std::to_string(i), kNow) == nullptr;
    if (i < 500) early += gone;
    else late += gone;
  }
  CHECK(early > late * 2);
}

TEST_CASE("allkeys-lfu keeps frequently used keys", "[evict]") {
  Keyspace ks(1);
  g_ks = &ks;
  ks.evictor().Configure({EvictionPolicy::kAllKeysLfu, 10, 10, 1});
  Fill(ks, 1000, kNow);
  for (int r = 0; r < 50; ++r) {
    for (int i = 0; i < 100; ++i) ks.db(0).FindForRead("k" + std::to_string(i), kNow);
  }
  ks.evictor().Enforce(ks, 300, kNow, UsedKeys, FakeUs);
  int kept = 0;
  for (int i = 0; i < 100; ++i) kept += ks.db(0).Find("k" + std::to_string(i), kNow) != nullptr;
  CHECK(kept >= 95);
  CHECK(ks.evictor().Frequency(ks.db(0).Find("k1", kNow), kNow) > 5);
}

TEST_CASE("idle time is measured in 10 ms ticks", "[evict]") {
  Keyspace ks(1);
  ks.evictor().Configure({EvictionPolicy::kAllKeysLru});
  ks.db(0).Put("k", ValueType::kString, "v", -1, kNow);
  ks.db(0).FindForRead("k", kNow);
  CHECK(ks.evictor().IdleMs(ks.db(0).Find("k", kNow), kNow + 5000) == 5000);
}
