#include "storage/db.h"

#include <catch2/catch.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "storage/evict.h"
#include "storage/keyspace.h"

using firn::Db;
using firn::Entry;
using firn::Keyspace;
using firn::ValueType;

namespace {
constexpr int64_t kNow = 1'000'000;
int64_t FakeUs() { return 0; }
}  // namespace

TEST_CASE("an entry keeps key, value and expiry in one allocation", "[entry]") {
  Entry* e = Entry::Make("key:123456", ValueType::kString, std::string(32, 'v'), -1);
  CHECK(e->key() == "key:123456");
  CHECK(e->value() == std::string(32, 'v'));
  CHECK_FALSE(e->has_expire());
  CHECK(e->AllocatedBytes() <= 64);
  Entry* t = Entry::Remake(e, "short", 12345);
  CHECK(t->key() == "key:123456");
  CHECK(t->value() == "short");
  CHECK(t->expire_ms() == 12345);
  Entry::Free(e);
  Entry::Free(t);
  std::string big_key(300, 'k');
  Entry* b = Entry::Make(big_key, ValueType::kString, std::string(100000, 'x'), 7);
  CHECK(b->key() == big_key);
  CHECK(b->value().size() == 100000);
  CHECK(b->expire_ms() == 7);
  Entry::Free(b);
}

TEST_CASE("an expired key is invisible and deleted on access", "[db]") {
  Keyspace ks(1);
  Db& db = ks.db(0);
  db.Put("k", ValueType::kString, "v", kNow + 100, kNow);
  CHECK(db.Find("k", kNow + 99) != nullptr);
  CHECK(db.Find("k", kNow + 100) == nullptr);  // expiry time itself is already expired
  CHECK(db.size() == 0);
  CHECK(ks.stats().expired_keys == 1);
  CHECK(db.expires() == 0);
}

TEST_CASE("reads count hits and misses, inspections count nothing", "[db]") {
  Keyspace ks(1);
  Db& db = ks.db(0);
  db.Put("k", ValueType::kString, "v", -1, kNow);
  db.FindForRead("k", kNow);
  db.FindForRead("nope", kNow);
  db.Find("k", kNow);
  CHECK(ks.stats().keyspace_hits == 1);
  CHECK(ks.stats().keyspace_misses == 1);
}

TEST_CASE("inspections count hits and misses but leave the access clock alone", "[db]") {
  Keyspace ks(1);
  ks.evictor().Configure({firn::EvictionPolicy::kAllKeysLru});
  Db& db = ks.db(0);
  db.Put("k", ValueType::kString, "v", -1, kNow);
  db.FindForRead("k", kNow);
  const int64_t idle_before = ks.evictor().IdleMs(db.Find("k", kNow), kNow + 5000);
  CHECK(db.FindForInspect("k", kNow + 4000) != nullptr);
  CHECK(db.FindForInspect("nope", kNow + 4000) == nullptr);
  CHECK(ks.evictor().IdleMs(db.Find("k", kNow), kNow + 5000) == idle_before);
  CHECK(ks.stats().keyspace_hits == 2);
  CHECK(ks.stats().keyspace_misses == 1);
}

TEST_CASE("rewrite in place keeps the entry when the shape is the same", "[db]") {
  Keyspace ks(1);
  Db& db = ks.db(0);
  Entry* e = db.Put("k", ValueType::kString, "aaaa", -1, kNow);
  Entry* same = db.Rewrite(e, "bbbb", -1);
  CHECK(same == e);
  CHECK(db.Find("k", kNow)->value() == "bbbb");
  Entry* grown = db.Rewrite(same, "a longer value", kNow + 10);
  CHECK(db.Find("k", kNow)->value() == "a longer value");
  CHECK(db.expires() == 1);
  db.SetExpire(grown, -1);
  CHECK(db.expires() == 0);
}

TEST_CASE("the keyspace grows through rehashing without losing keys", "[db]") {
  Keyspace ks(1);
  Db& db = ks.db(0);
  for (int i = 0; i < 100000; ++i) {
    db.Put("key:" + std::to_string(i), ValueType::kString, std::to_string(i), -1, kNow);
  }
  CHECK(db.size() == 100000);
  for (int i = 0; i < 100000; i += 7) {
    Entry* e = db.Find("key:" + std::to_string(i), kNow);
    REQUIRE(e != nullptr);
    CHECK(e->value() == std::to_string(i));
  }
  for (int i = 0; i < 100000; i += 2) CHECK(db.Delete("key:" + std::to_string(i), kNow));
  CHECK(db.size() == 50000);
  for (int i = 0; i < 200; ++i) db.Cron(100);
  CHECK(db.Find("key:1", kNow) != nullptr);
  CHECK(db.Find("key:2", kNow) == nullptr);
}

TEST_CASE("active expiry reclaims keys nobody reads", "[expire]") {
  Keyspace ks(2);
  for (int i = 0; i < 20000; ++i) {
    ks.db(1).Put("t:" + std::to_string(i), ValueType::kString, "v", kNow + 1000, kNow);
    if (i % 4 == 0) ks.db(1).Put("p:" + std::to_string(i), ValueType::kString, "v", -1, kNow);
  }
  int ticks = 0;
  while (ks.db(1).expires() > 0 && ticks < 200) {
    ks.ActiveExpireCycle(kNow + 2000, 10, 1, FakeUs);
    ++ticks;
  }
  CHECK(ks.db(1).expires() == 0);
  CHECK(ks.db(1).size() == 5000);
  CHECK(ks.stats().expired_keys == 20000);
  // Dense expiry continues within the tick: far fewer ticks than a plain sweep would need.
  CHECK(ticks < 20);
}

TEST_CASE("active expiry leaves live keys alone", "[expire]") {
  Keyspace ks(1);
  for (int i = 0; i < 1000; ++i) {
    ks.db(0).Put("t:" + std::to_string(i), ValueType::kString, "v", kNow + 5000, kNow);
  }
  for (int i = 0; i < 100; ++i) ks.ActiveExpireCycle(kNow + 10, 10, 1, FakeUs);
  CHECK(ks.db(0).size() == 1000);
}

namespace {
// Records every mutation signal, for the observer tests.
struct RecordingObserver : firn::KeyspaceObserver {
  std::vector<std::tuple<int, std::string, firn::KeyEvent>> events;
  void OnKeyEvent(int db, std::string_view key, firn::KeyEvent event) override {
    events.emplace_back(db, std::string(key), event);
  }
};
}  // namespace

TEST_CASE("every change to a key passes the observer and bumps dirty", "[db][observer]") {
  using firn::KeyEvent;
  Keyspace ks(2);
  RecordingObserver obs;
  ks.set_observer(&obs);
  Db& db = ks.db(1);
  const uint64_t dirty0 = ks.dirty();
  db.Put("a", ValueType::kString, "1", -1, kNow);
  db.Put("a", ValueType::kString, "22", kNow + 10, kNow);  // a rewrite of a live key
  CHECK(db.Find("a", kNow) != nullptr);                    // a read signals nothing
  CHECK(db.Delete("a", kNow));
  CHECK_FALSE(db.Delete("a", kNow));  // nothing there: no signal
  REQUIRE(obs.events.size() == 4);
  // The creation is announced (not counted as a change) before its write.
  CHECK(obs.events[0] == std::make_tuple(1, std::string("a"), KeyEvent::kNew));
  CHECK(obs.events[1] == std::make_tuple(1, std::string("a"), KeyEvent::kWrite));
  CHECK(obs.events[2] == std::make_tuple(1, std::string("a"), KeyEvent::kWrite));
  CHECK(obs.events[3] == std::make_tuple(1, std::string("a"), KeyEvent::kDelete));
  CHECK(ks.dirty() == dirty0 + 3);
  ks.set_observer(nullptr);
}

TEST_CASE("a read that finds nothing is announced as a miss, not a change", "[db][observer]") {
  using firn::KeyEvent;
  Keyspace ks(1);
  RecordingObserver obs;
  ks.set_observer(&obs);
  const uint64_t dirty0 = ks.dirty();
  CHECK(ks.db(0).FindForRead("nope", kNow) == nullptr);
  REQUIRE(obs.events.size() == 1);
  CHECK(obs.events[0] == std::make_tuple(0, std::string("nope"), KeyEvent::kMiss));
  CHECK(ks.dirty() == dirty0);
  ks.set_observer(nullptr);
}

TEST_CASE("an expired key signals the observer, lazily and from the active cycle",
          "[db][observer]") {
  using firn::KeyEvent;
  Keyspace ks(1);
  RecordingObserver obs;
  Db& db = ks.db(0);
  db.Put("lazy", ValueType::kString, "v", kNow + 5, kNow);
  db.Put("active", ValueType::kString, "v", kNow + 5, kNow);
  ks.set_observer(&obs);
  CHECK(db.Find("lazy", kNow + 5) == nullptr);
  ks.ActiveExpireCycle(kNow + 5, 10, 1, FakeUs);
  REQUIRE(obs.events.size() == 2);
  CHECK(obs.events[0] == std::make_tuple(0, std::string("lazy"), KeyEvent::kExpired));
  CHECK(obs.events[1] == std::make_tuple(0, std::string("active"), KeyEvent::kExpired));
  ks.set_observer(nullptr);
}

TEST_CASE("flush and swap signal the whole database", "[db][observer]") {
  using firn::KeyEvent;
  Keyspace ks(2);
  RecordingObserver obs;
  ks.db(0).Put("k", ValueType::kString, "v", -1, kNow);
  ks.set_observer(&obs);
  ks.db(0).Swap(ks.db(1));
  ks.db(1).Clear();
  ks.db(1).Clear();  // already empty: nothing changed, no signal
  REQUIRE(obs.events.size() == 3);
  CHECK(obs.events[0] == std::make_tuple(0, std::string(), KeyEvent::kSwap));
  CHECK(obs.events[1] == std::make_tuple(1, std::string(), KeyEvent::kSwap));
  CHECK(obs.events[2] == std::make_tuple(1, std::string(), KeyEvent::kFlush));
  ks.set_observer(nullptr);
}
