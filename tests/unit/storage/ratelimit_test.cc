// The limiter engines against simple reference models, with an explicit clock.
//
// Each model is written the slow, obvious way, independently of the engine's encoding:
// the token bucket refills one millisecond at a time, the sliding log keeps every hit in a
// vector, the approximate window recounts fixed windows from the full history, GCRA is a
// leaking water level. Long random sequences (costs, time steps, parameter changes) drive
// engine and model side by side; retry_after and reset_after are checked against a brute
// force scan of the model's future, so the boundary moments (a token refilling, a hit
// leaving the window) are hit exactly. A small store emulates the keyspace: the bytes vanish
// at their expiry, as the key would.
#include "storage/ratelimit.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace firn {
namespace {

constexpr int64_t kStart = 1700000000000;  // ms
constexpr int64_t kMs = 1'000'000;         // ns
constexpr int64_t kS = 1'000'000'000;      // ns

// The key as the keyspace would hold it: gone once its expiry has passed.
struct KeyStore {
  bool present = false;
  std::string bytes;
  int64_t expire_ms = 0;

  std::string_view Get(int64_t now_ms) {
    if (present && now_ms >= expire_ms) present = false;
    return present ? std::string_view(bytes) : std::string_view();
  }
  void Apply(const LimiterResult& r, const std::string& out, int64_t now_ms) {
    if (r.write == LimiterWrite::kStore) {
      REQUIRE(r.expire_ms > now_ms);
      present = true;
      bytes = out;
      expire_ms = r.expire_ms;
    } else if (r.write == LimiterWrite::kDelete) {
      present = false;
    }
  }
};

void CheckSame(const LimiterReply& got, const LimiterReply& want) {
  CHECK(got.limited == want.limited);
  CHECK(got.limit == want.limit);
  CHECK(got.remaining == want.remaining);
  CHECK(got.retry_after == want.retry_after);
  CHECK(got.reset_after == want.reset_after);
}

// ---------------------------------------------------------------------------------------
// Token bucket model: a deficit in 1/window_ms token units, refilled ms by ms.

struct BucketModel {
  bool present = false;
  BucketParams p;
  int64_t last = 0, deficit = 0, expire = 0;

  static int64_t Refill(int64_t d, int64_t limit, int64_t ms) {
    for (int64_t t = 0; t < ms && d > 0; ++t) d = std::max<int64_t>(0, d - limit);
    return d;
  }
  // The deficit now, in q's units.
  int64_t Level(int64_t now, const BucketParams& q) const {
    if (!Live(now)) return 0;
    int64_t d = Refill(deficit, p.limit, now - last);
    if (q.window_ms != p.window_ms) d = (d * q.window_ms + p.window_ms - 1) / p.window_ms;
    return std::min(d, q.burst * q.window_ms);
  }
  bool Live(int64_t now) const { return present && now < expire; }

  LimiterReply Decide(int64_t now, const BucketParams& q, int64_t cost, bool consume,
                      LimiterWrite* write) {
    const bool live = Live(now);
    int64_t d = Level(now, q);
    const int64_t cap = q.burst * q.window_ms, need = cost * q.window_ms;
    LimiterReply r;
    r.limit = q.burst;
    r.limited = d + need > cap;
    if (r.limited) {
      int64_t wait = 1;
      while (Refill(d, q.limit, wait) + need > cap) ++wait;
      r.retry_after = wait;
    } else if (consume) {
      d += need;
    }
    r.remaining = (cap - d) / q.window_ms;
    int64_t full = 0;
    while (Refill(d, q.limit, full) > 0) ++full;
    r.reset_after = full;
    *write = LimiterWrite::kNone;
    if (consume && (!r.limited || (live && !(p == q)))) {
      *write = d == 0 ? LimiterWrite::kDelete : LimiterWrite::kStore;
      present = d > 0;
      p = q;
      last = now;
      deficit = d;
      expire = now + full;
    }
    return r;
  }
};

BucketParams RandomBucket(std::mt19937_64& rng) {
  BucketParams p;
  p.limit = 1 + static_cast<int64_t>(rng() % 12);
  p.window_ms = 1 + static_cast<int64_t>(rng() % 80);
  p.burst = rng() % 3 == 0 ? p.limit : 1 + static_cast<int64_t>(rng() % 20);
  return p;
}

int64_t RandomStep(std::mt19937_64& rng, int64_t typical) {
  switch (rng() % 8) {
    case 0:
      return 0;  // same ms
    case 1:
      return static_cast<int64_t>(rng() % static_cast<uint64_t>(20 * typical + 1));  // idle
    default:
      return static_cast<int64_t>(rng() % static_cast<uint64_t>(typical + 1));
  }
}

TEST_CASE("token bucket matches a ms-by-ms model over random sequences", "[ratelimit]") {
  std::mt19937_64 rng(7);
  for (int seq = 0; seq < 60; ++seq) {
    KeyStore key;
    BucketModel model;
    BucketParams p = RandomBucket(rng);
    int64_t now = kStart;
    std::string out;
    for (int i = 0; i < 600; ++i) {
      if (rng() % 50 == 0) p = RandomBucket(rng);  // parameters change between calls
      now += RandomStep(rng, p.window_ms / p.limit + 1);
      const int64_t cost = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(p.burst));
      INFO("seq " << seq << " call " << i << " now+" << now - kStart << " limit " << p.limit
                  << " window " << p.window_ms << " burst " << p.burst << " cost " << cost);
      if (rng() % 10 == 0 && key.Get(now).size() > 0) {
        LimiterReply peek;
        REQUIRE(LimiterPeek(key.Get(now), now, &peek));
        LimiterWrite ignored;
        BucketModel copy = model;
        CheckSame(peek, copy.Decide(now, model.p, 1, false, &ignored));
      }
      LimiterWrite want_write;
      LimiterReply want = model.Decide(now, p, cost, true, &want_write);
      LimiterResult got = BucketTake(key.Get(now), p, cost, now, &out);
      CheckSame(got.reply, want);
      REQUIRE(
          got.write ==
          (want_write == LimiterWrite::kDelete && !key.present ? LimiterWrite::kNone : want_write));
      if (got.write == LimiterWrite::kStore) CHECK(got.expire_ms == model.expire);
      key.Apply(got, out, now);
    }
  }
}

TEST_CASE("token bucket: the request lands exactly when its token refills", "[ratelimit]") {
  const BucketParams p{10, 1000, 10};  // a token every 100 ms
  std::string out;
  KeyStore key;
  int64_t now = kStart;
  for (int i = 0; i < 10; ++i) {
    LimiterResult r = BucketTake(key.Get(now), p, 1, now, &out);
    CHECK_FALSE(r.reply.limited);
    CHECK(r.reply.remaining == 9 - i);
    key.Apply(r, out, now);
  }
  LimiterResult r = BucketTake(key.Get(now), p, 1, now, &out);
  CHECK(r.reply.limited);
  CHECK(r.reply.retry_after == 100);
  CHECK(r.reply.reset_after == 1000);
  CHECK(r.write == LimiterWrite::kNone);
  CHECK(key.expire_ms == now + 1000);  // full again in a second: the key goes then
  r = BucketTake(key.Get(now + 99), p, 1, now + 99, &out);
  CHECK(r.reply.limited);
  CHECK(r.reply.retry_after == 1);
  r = BucketTake(key.Get(now + 100), p, 1, now + 100, &out);
  CHECK_FALSE(r.reply.limited);
  CHECK(r.reply.remaining == 0);
  CHECK(r.reply.reset_after == 1000);
  key.Apply(r, out, now + 100);
  CHECK(key.Get(now + 1099).size() > 0);
  CHECK(key.Get(now + 1100).empty());
}

TEST_CASE("token bucket: BURST caps the capacity and parameters apply at once", "[ratelimit]") {
  std::string out;
  KeyStore key;
  const int64_t now = kStart;
  LimiterResult r = BucketTake(key.Get(now), {100, 60000, 5}, 5, now, &out);
  CHECK_FALSE(r.reply.limited);
  CHECK(r.reply.limit == 5);
  CHECK(r.reply.remaining == 0);
  CHECK(r.reply.reset_after == 3000);  // 5 tokens at 600 ms each
  key.Apply(r, out, now);
  // A larger bucket on the next call: the 5 missing tokens stay missing.
  r = BucketTake(key.Get(now), {100, 60000, 20}, 1, now, &out);
  CHECK_FALSE(r.reply.limited);
  CHECK(r.reply.remaining == 14);
  key.Apply(r, out, now);
  // A refusal under new parameters still records them, for RL.PEEK.
  r = BucketTake(key.Get(now), {1, 60000, 3}, 3, now, &out);
  CHECK(r.reply.limited);
  CHECK(r.write == LimiterWrite::kStore);
  key.Apply(r, out, now);
  LimiterReply peek;
  REQUIRE(LimiterPeek(key.Get(now), now, &peek));
  CHECK(peek.limit == 3);
  CHECK(peek.limited);
  CHECK(peek.retry_after == 60000);  // 3 tokens missing, 1 a minute, a request of 1 needs one
}

TEST_CASE("a clock that steps back is read as the limiter's own time", "[ratelimit]") {
  std::string out;
  KeyStore key;
  LimiterResult r = BucketTake(key.Get(kStart), {1, 1000, 1}, 1, kStart, &out);
  key.Apply(r, out, kStart);
  r = BucketTake(key.Get(kStart - 500), {1, 1000, 1}, 1, kStart - 500, &out);
  CHECK(r.reply.limited);
  CHECK(r.reply.retry_after == 1000);
  r = WindowTake("", {1, 1000}, 1, kStart, &out);
  std::string log = out;
  r = WindowTake(log, {2, 1000}, 1, kStart - 10, &out);
  CHECK_FALSE(r.reply.limited);
  CHECK(r.reply.reset_after == 1000);
}

// ---------------------------------------------------------------------------------------
// Exact sliding window model: every hit in a vector.

struct WindowModel {
  bool present = false;
  WindowParams p;
  std::vector<std::pair<int64_t, int64_t>> hits;  // (ms, cost)
  int64_t expire = 0;

  int64_t InWindow(int64_t now, int64_t window) const {
    int64_t n = 0;
    for (const auto& [t, c] : hits) {
      if (t + window > now) n += c;
    }
    return n;
  }

  LimiterReply Decide(int64_t now, const WindowParams& q, int64_t cost, bool consume,
                      LimiterWrite* write) {
    const bool live = present && now < expire;
    if (!live) hits.clear();
    LimiterReply r;
    r.limit = q.limit;
    r.limited = InWindow(now, q.window_ms) + cost > q.limit;
    if (r.limited) {
      int64_t t = now + 1;
      while (InWindow(t, q.window_ms) + cost > q.limit) ++t;
      r.retry_after = t - now;
    } else if (consume) {
      hits.emplace_back(now, cost);
    }
    const int64_t total = InWindow(now, q.window_ms);
    r.remaining = std::max<int64_t>(0, q.limit - total);
    r.reset_after = total > 0 ? hits.back().first + q.window_ms - now : 0;
    *write = LimiterWrite::kNone;
    if (consume && (!r.limited || (live && !(p == q)))) {
      std::erase_if(hits, [&](const auto& h) { return h.first + q.window_ms <= now; });
      *write = hits.empty() ? LimiterWrite::kDelete : LimiterWrite::kStore;
      present = !hits.empty();
      p = q;
      if (present) expire = hits.back().first + q.window_ms;
    }
    return r;
  }
};

WindowParams RandomWindow(std::mt19937_64& rng) {
  return {1 + static_cast<int64_t>(rng() % 15), 1 + static_cast<int64_t>(rng() % 120)};
}

TEST_CASE("exact sliding window matches a vector of hits over random sequences", "[ratelimit]") {
  std::mt19937_64 rng(11);
  for (int seq = 0; seq < 60; ++seq) {
    KeyStore key;
    WindowModel model;
    WindowParams p = RandomWindow(rng);
    int64_t now = kStart;
    std::string out;
    for (int i = 0; i < 800; ++i) {
      if (rng() % 60 == 0) p = RandomWindow(rng);
      now += RandomStep(rng, p.window_ms / p.limit + 1);
      const int64_t cost =
          rng() % 4 == 0 ? 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(p.limit)) : 1;
      INFO("seq " << seq << " call " << i << " now+" << now - kStart << " limit " << p.limit
                  << " window " << p.window_ms << " cost " << cost);
      if (rng() % 10 == 0 && key.Get(now).size() > 0) {
        LimiterReply peek;
        REQUIRE(LimiterPeek(key.Get(now), now, &peek));
        LimiterWrite ignored;
        WindowModel copy = model;
        CheckSame(peek, copy.Decide(now, model.p, 1, false, &ignored));
      }
      LimiterWrite want_write;
      LimiterReply want = model.Decide(now, p, cost, true, &want_write);
      LimiterResult got = WindowTake(key.Get(now), p, cost, now, &out);
      CheckSame(got.reply, want);
      REQUIRE(
          got.write ==
          (want_write == LimiterWrite::kDelete && !key.present ? LimiterWrite::kNone : want_write));
      if (got.write == LimiterWrite::kStore) CHECK(got.expire_ms == model.expire);
      key.Apply(got, out, now);
    }
  }
}

TEST_CASE("exact window: a hit leaves exactly window_ms after it landed", "[ratelimit]") {
  const WindowParams p{3, 1000};
  std::string out;
  KeyStore key;
  int64_t t0 = kStart;
  for (int64_t at : {t0, t0 + 10, t0 + 20}) {
    LimiterResult r = WindowTake(key.Get(at), p, 1, at, &out);
    CHECK_FALSE(r.reply.limited);
    key.Apply(r, out, at);
  }
  LimiterResult r = WindowTake(key.Get(t0 + 999), p, 1, t0 + 999, &out);
  CHECK(r.reply.limited);
  CHECK(r.reply.remaining == 0);
  CHECK(r.reply.retry_after == 1);
  CHECK(r.reply.reset_after == 21);
  r = WindowTake(key.Get(t0 + 1000), p, 1, t0 + 1000, &out);  // the first hit just left
  CHECK_FALSE(r.reply.limited);
  CHECK(r.reply.remaining == 0);
  key.Apply(r, out, t0 + 1000);
  r = WindowTake(key.Get(t0 + 1000), p, 2, t0 + 1000, &out);
  CHECK(r.reply.limited);
  CHECK(r.reply.retry_after == 20);  // two hits must leave: the one at t0+20 goes at t0+1020
  CHECK(key.expire_ms == t0 + 2000);
}

TEST_CASE("exact window log stays compact", "[ratelimit]") {
  std::string out;
  KeyStore key;
  const WindowParams p{10000, 60000};
  int64_t now = kStart;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 5000; ++i) {
    now += static_cast<int64_t>(rng() % 12);  // about 180 hits a second, bursts in one ms
    LimiterResult r = WindowTake(key.Get(now), p, 1, now, &out);
    REQUIRE_FALSE(r.reply.limited);
    key.Apply(r, out, now);
  }
  // 5000 hits in the window: one byte a hit plus a header of a few dozen bytes.
  CHECK(key.bytes.size() <= 5000 + 32);
  // Sparse hits far apart still cost less than 8 bytes each.
  KeyStore sparse;
  const WindowParams wide{100, kMaxWindowMs};
  now = kStart;
  for (int i = 0; i < 100; ++i) {
    now += 3'000'000'000;  // about a month apart
    LimiterResult r = WindowTake(sparse.Get(now), wide, 1, now, &out);
    REQUIRE_FALSE(r.reply.limited);
    sparse.Apply(r, out, now);
  }
  CHECK(sparse.bytes.size() <= 100 * 8);
}

// ---------------------------------------------------------------------------------------
// The exact window edited in place (a WindowLog kept across decisions, as a key's object).

// The key as the keyspace holds an out-of-line log: gone once its expiry has passed.
struct LogKey {
  WindowLog log;
  bool present = false;
  int64_t expire_ms = 0;

  bool Live(int64_t now_ms) {
    if (present && now_ms >= expire_ms) present = false;
    return present;
  }
  LimiterResult Take(const WindowParams& p, int64_t cost, int64_t now_ms) {
    LimiterResult r = log.Decide(Live(now_ms), p, cost, now_ms, true);
    if (r.write == LimiterWrite::kStore) {
      REQUIRE(r.expire_ms > now_ms);
      present = true;
      expire_ms = r.expire_ms;
    } else if (r.write == LimiterWrite::kDelete) {
      present = false;
    }
    return r;
  }
};

TEST_CASE("exact window edited in place matches the vector model", "[ratelimit]") {
  std::mt19937_64 rng(23);
  for (int seq = 0; seq < 40; ++seq) {
    LogKey key;
    WindowModel model;
    WindowParams p = RandomWindow(rng);
    int64_t now = kStart;
    for (int i = 0; i < 800; ++i) {
      if (rng() % 60 == 0) p = RandomWindow(rng);
      now += RandomStep(rng, p.window_ms / p.limit + 1);
      const int64_t cost =
          rng() % 4 == 0 ? 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(p.limit)) : 1;
      INFO("seq " << seq << " call " << i << " now+" << now - kStart);
      if (rng() % 10 == 0 && key.Live(now)) {
        LimiterWrite ignored;
        WindowModel copy = model;
        CheckSame(key.log.Decide(true, key.log.params(), 1, now, false).reply,
                  copy.Decide(now, model.p, 1, false, &ignored));
      }
      LimiterWrite want_write;
      LimiterReply want = model.Decide(now, p, cost, true, &want_write);
      const bool was = key.Live(now);
      LimiterResult got = key.Take(p, cost, now);
      CheckSame(got.reply, want);
      REQUIRE(got.write ==
              (want_write == LimiterWrite::kDelete && !was ? LimiterWrite::kNone : want_write));
      if (got.write == LimiterWrite::kStore) CHECK(got.expire_ms == model.expire);
    }
  }
}

TEST_CASE("a long log edited in place decides as one decoded afresh each time", "[ratelimit]") {
  // Logs of thousands of runs, so the marks, the trimming and the compaction all take part;
  // the inline path (decoded and encoded whole on every call) is the reference.
  std::mt19937_64 rng(29);
  for (int seq = 0; seq < 6; ++seq) {
    LogKey in_place;
    KeyStore bytes;
    std::string out;
    WindowParams p{1 + static_cast<int64_t>(rng() % 3000), 1 + static_cast<int64_t>(rng() % 6000)};
    int64_t now = kStart;
    for (int i = 0; i < 20000; ++i) {
      if (rng() % 2000 == 0) {
        p = {1 + static_cast<int64_t>(rng() % 3000), 1 + static_cast<int64_t>(rng() % 6000)};
      }
      now += rng() % 5 == 0 ? static_cast<int64_t>(rng() % 300) : static_cast<int64_t>(rng() % 3);
      const int64_t cost =
          rng() % 8 == 0 ? 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(p.limit)) : 1;
      INFO("seq " << seq << " call " << i << " now+" << now - kStart << " limit " << p.limit
                  << " window " << p.window_ms << " cost " << cost);
      LimiterResult want = WindowTake(bytes.Get(now), p, cost, now, &out);
      bytes.Apply(want, out, now);
      LimiterResult got = in_place.Take(p, cost, now);
      CheckSame(got.reply, want.reply);
      REQUIRE(got.write == want.write);
      if (want.write == LimiterWrite::kStore) {
        CHECK(got.expire_ms == want.expire_ms);
        std::string encoded;
        in_place.log.Encode(&encoded);
        REQUIRE(encoded == out);
        CHECK(in_place.log.EncodedBytes() == out.size());
      }
    }
  }
}

TEST_CASE("an exact window decision does O(1) work however long the log", "[ratelimit]") {
  // 200,000 hits, one a ms, in a window of 200,000 ms: a 200 KB log. Each decision must touch
  // a bounded number of log bytes: the old engine copied the whole log on every allowed
  // request and walked it on a refusal with a large cost.
  constexpr int64_t kHits = 200'000;
  const WindowParams p{kHits, kHits};
  LogKey key;
  int64_t now = kStart;
  for (int64_t i = 0; i < kHits; ++i, ++now) {
    REQUIRE_FALSE(key.Take(p, 1, now).reply.limited);
  }
  --now;
  // About a byte a hit, encoded and in memory.
  CHECK(key.log.EncodedBytes() <= static_cast<size_t>(kHits) + 64);
  CHECK(key.log.AllocatedBytes() <= static_cast<size_t>(kHits) * 5 / 2);

  // Steady state: every allowed request trims the hit that left and appends its own.
  const uint64_t before = key.log.work_bytes();
  constexpr int kSteady = 50'000;
  for (int i = 0; i < kSteady; ++i) {
    ++now;
    REQUIRE_FALSE(key.Take(p, 1, now).reply.limited);
  }
  CHECK((key.log.work_bytes() - before) / kSteady <= 64);

  // A refusal whose retry time is near the newest end of the log.
  uint64_t at = key.log.work_bytes();
  const size_t size = key.log.EncodedBytes();
  LimiterResult r = key.Take(p, kHits - 1, now);
  CHECK(r.reply.limited);
  CHECK(r.reply.retry_after == kHits - 1);  // the hit at now - 1 must leave
  CHECK(r.write == LimiterWrite::kNone);
  CHECK(key.log.work_bytes() - at <= 1024);
  CHECK(key.log.EncodedBytes() == size);

  // A peek, and a refusal after a long idle gap that empties most of the window.
  at = key.log.work_bytes();
  LimiterResult peek = key.log.Decide(true, p, 1, now, false);
  CHECK(peek.reply.limited);
  CHECK(key.log.work_bytes() - at <= 1024);
  now += kHits / 2;
  at = key.log.work_bytes();
  r = key.Take(p, kHits - 1, now);
  CHECK(r.reply.limited);
  CHECK(key.log.work_bytes() - at <= 1024);
}

// ---------------------------------------------------------------------------------------
// Approximate window model: the full history, recounted per fixed window.

struct ApproxModel {
  bool present = false;
  WindowParams p;
  int64_t anchor = 0;
  std::vector<std::pair<int64_t, int64_t>> hits;
  int64_t expire = 0;

  struct Counts {
    int64_t prev = 0, cur = 0, e = 0;
  };
  Counts At(int64_t now, int64_t window) const {
    Counts c;
    const int64_t k = (now - anchor) / window;
    const int64_t start = anchor + k * window;
    c.e = now - start;
    for (const auto& [t, n] : hits) {
      if (t >= start && t < start + window) c.cur += n;
      if (t >= start - window && t < start) c.prev += n;
    }
    return c;
  }
  bool Fits(int64_t now, const WindowParams& q, int64_t cost) const {
    Counts c = At(now, q.window_ms);
    return c.prev * (q.window_ms - c.e) + (c.cur + cost) * q.window_ms <= q.limit * q.window_ms;
  }

  LimiterReply Decide(int64_t now, const WindowParams& q, int64_t cost, bool consume,
                      LimiterWrite* write) {
    const bool live = present && now < expire;
    if (!live) {
      hits.clear();
      anchor = now;
    }
    LimiterReply r;
    r.limit = q.limit;
    r.limited = !Fits(now, q, cost);
    if (r.limited) {
      int64_t t = now + 1;
      while (!Fits(t, q, cost)) ++t;
      r.retry_after = t - now;
    } else if (consume) {
      hits.emplace_back(now, cost);
    }
    const Counts c = At(now, q.window_ms);
    const int64_t W = q.window_ms;
    const int64_t left = q.limit * W - c.prev * (W - c.e) - c.cur * W;
    r.remaining = left > 0 ? left / W : 0;
    r.reset_after = c.cur > 0 ? 2 * W - c.e : (c.prev > 0 ? W - c.e : 0);
    *write = LimiterWrite::kNone;
    if (consume && (!r.limited || (live && !(p == q)))) {
      present = c.prev + c.cur > 0;
      *write = present ? LimiterWrite::kStore : LimiterWrite::kDelete;
      p = q;
      expire = now + r.reset_after;
    }
    return r;
  }
};

TEST_CASE("approximate window matches a recount of fixed windows over random sequences",
          "[ratelimit]") {
  std::mt19937_64 rng(13);
  for (int seq = 0; seq < 60; ++seq) {
    KeyStore key;
    ApproxModel model;
    WindowParams p = RandomWindow(rng);  // the window stays; the limit changes
    int64_t now = kStart;
    std::string out;
    for (int i = 0; i < 800; ++i) {
      if (rng() % 40 == 0) p.limit = 1 + static_cast<int64_t>(rng() % 15);
      now += RandomStep(rng, p.window_ms / p.limit + 1);
      const int64_t cost =
          rng() % 4 == 0 ? 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(p.limit)) : 1;
      INFO("seq " << seq << " call " << i << " now+" << now - kStart << " limit " << p.limit
                  << " window " << p.window_ms << " cost " << cost);
      if (rng() % 10 == 0 && key.Get(now).size() > 0) {
        LimiterReply peek;
        REQUIRE(LimiterPeek(key.Get(now), now, &peek));
        LimiterWrite ignored;
        ApproxModel copy = model;
        CheckSame(peek, copy.Decide(now, model.p, 1, false, &ignored));
      }
      LimiterWrite want_write;
      LimiterReply want = model.Decide(now, p, cost, true, &want_write);
      LimiterResult got = ApproxTake(key.Get(now), p, cost, now, &out);
      CheckSame(got.reply, want);
      REQUIRE(
          got.write ==
          (want_write == LimiterWrite::kDelete && !key.present ? LimiterWrite::kNone : want_write));
      if (got.write == LimiterWrite::kStore) CHECK(got.expire_ms == model.expire);
      key.Apply(got, out, now);
    }
  }
}

TEST_CASE("retry_after is exact for every engine, even as windows change", "[ratelimit]") {
  // Self-consistency under any parameter change: a refused request passes at now +
  // retry_after and not a millisecond earlier, and a limiter is full at now + reset_after.
  std::mt19937_64 rng(17);
  std::string out, scratch;
  for (int engine = 0; engine < 3; ++engine) {
    KeyStore key;
    int64_t now = kStart;
    for (int i = 0; i < 3000; ++i) {
      const WindowParams w = RandomWindow(rng);
      const BucketParams b = RandomBucket(rng);
      const int64_t cap = engine == 0 ? b.burst : w.limit;
      const int64_t cost = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(cap));
      auto take = [&](std::string_view state, int64_t at, std::string* o) {
        switch (engine) {
          case 0:
            return BucketTake(state, b, cost, at, o);
          case 1:
            return WindowTake(state, w, cost, at, o);
          default:
            return ApproxTake(state, w, cost, at, o);
        }
      };
      now += static_cast<int64_t>(rng() % 30);
      INFO("engine " << engine << " call " << i);
      const std::string state(key.Get(now));
      LimiterResult r = take(state, now, &out);
      if (r.reply.limited) {
        const int64_t at = now + r.reply.retry_after;
        REQUIRE(r.reply.retry_after >= 1);
        // The state as it would be then (the key may have expired meanwhile).
        KeyStore later = key;
        later.Apply(r, out, now);
        CHECK(take(later.Get(at - 1), at - 1, &scratch).reply.limited);
        CHECK_FALSE(take(later.Get(at), at, &scratch).reply.limited);
      }
      key.Apply(r, out, now);
      if (key.present) CHECK(key.expire_ms - now == r.reply.reset_after);
    }
  }
}

// ---------------------------------------------------------------------------------------
// GCRA

TEST_CASE("redis-cell's own test table gives redis-cell's numbers", "[ratelimit][gcra]") {
  // redis-cell src/cell/mod.rs, it_rate_limits: limit 5 (max_burst 4), 1 per second.
  GcraQuota q;
  REQUIRE(MakeGcraQuota(4, 1, 1, &q) == GcraStatus::kOk);
  struct Case {
    int64_t at_ms, quantity, remaining, reset_ns, retry_ns;
    bool limited;
  };
  const Case cases[] = {
      {0, 6, 5, 0, -kS, true},
      {0, 1, 4, 1 * kS, -kS, false},
      {0, 1, 3, 2 * kS, -kS, false},
      {0, 1, 2, 3 * kS, -kS, false},
      {0, 1, 1, 4 * kS, -kS, false},
      {0, 1, 0, 5 * kS, -kS, false},
      {0, 1, 0, 5 * kS, 1 * kS, true},
      {3000, 1, 2, 3000 * kMs, -kS, false},
      {3100, 1, 1, 3900 * kMs, -kS, false},
      {4000, 1, 1, 4000 * kMs, -kS, false},
      {8000, 1, 4, 1000 * kMs, -kS, false},
      {9500, 1, 4, 1000 * kMs, -kS, false},
      {9500, 0, 4, 1 * kS, -kS, false},
      {9500, 2, 2, 3 * kS, -kS, false},
      {9500, 5, 2, 3 * kS, 3 * kS, true},
  };
  const int64_t start_ns = kStart * kMs;
  bool has = false;
  int64_t tat = 0;
  for (const Case& c : cases) {
    INFO("at " << c.at_ms << " ms, quantity " << c.quantity);
    const int64_t now = start_ns + c.at_ms * kMs;
    if (has && tat <= now) has = false;  // the key expired
    GcraResult r;
    REQUIRE(GcraThrottle(q, has, tat, c.quantity, now, &r) == GcraStatus::kOk);
    CHECK(r.reply.limited == c.limited);
    CHECK(r.reply.limit == 5);
    CHECK(r.reply.remaining == c.remaining);
    CHECK(r.reply.reset_after == c.reset_ns);
    CHECK(r.reply.retry_after == c.retry_ns);
    if (r.store) {
      has = true;
      tat = r.new_tat_ns;
      CHECK(r.expire_ms * kMs >= tat);
      CHECK((r.expire_ms - 1) * kMs < tat);
    }
  }
}

// GCRA as a leaking water level: the level rises by emission * quantity per request and
// falls 1 ns per ns; a request passes when the raised level stays within the tolerance.
struct GcraModel {
  int64_t level = 0, at = 0;  // ns

  int64_t Now(int64_t now) const { return std::max<int64_t>(0, level - (now - at)); }
};

TEST_CASE("GCRA matches a leaking water level over random sequences", "[ratelimit][gcra]") {
  std::mt19937_64 rng(5);
  for (int seq = 0; seq < 40; ++seq) {
    GcraModel model;
    bool has = false;
    int64_t tat = 0, expire_ms = 0;
    // Counts that divide a second into whole microseconds, so redis-cell's float division
    // of microseconds agrees with the model's integer division of nanoseconds.
    const int64_t counts[] = {1, 2, 4, 5, 8, 10, 20, 25, 40, 50};
    auto pick = [&] { return counts[rng() % 10]; };
    int64_t burst = static_cast<int64_t>(rng() % 10), count = pick();
    const int64_t period = 1 + static_cast<int64_t>(rng() % 5);
    int64_t now_ms = kStart;
    for (int i = 0; i < 1000; ++i) {
      if (rng() % 50 == 0) {
        burst = static_cast<int64_t>(rng() % 10);
        count = pick();
      }
      GcraQuota q;
      REQUIRE(MakeGcraQuota(burst, count, period, &q) == GcraStatus::kOk);
      now_ms += static_cast<int64_t>(rng() % 400);
      if (has && now_ms >= expire_ms) has = false;
      const int64_t quantity = static_cast<int64_t>(rng() % 4);
      const int64_t now = now_ms * kMs;
      INFO("seq " << seq << " call " << i);
      GcraResult r;
      REQUIRE(GcraThrottle(q, has, tat, quantity, now, &r) == GcraStatus::kOk);

      const int64_t level = model.Now(now), inc = q.emission_ns * quantity;
      const bool limited = level + inc > q.tolerance_ns;
      CHECK(r.reply.limited == limited);
      CHECK(r.reply.limit == burst + 1);
      const int64_t after = limited ? level : level + inc;
      CHECK(r.reply.reset_after == after);
      const int64_t next = q.tolerance_ns - after;
      CHECK(r.reply.remaining == (next > -q.emission_ns ? next / q.emission_ns : 0));
      CHECK(r.reply.retry_after ==
            (limited && inc <= q.tolerance_ns ? level + inc - q.tolerance_ns : -kS));
      if (!limited && quantity > 0) {
        model.level = after;
        model.at = now;
      }
      if (r.store) {
        has = true;
        tat = r.new_tat_ns;
        expire_ms = r.expire_ms;
      }
    }
  }
}

TEST_CASE("GCRA: a request lands exactly when its emission interval has passed",
          "[ratelimit][gcra]") {
  GcraQuota q;
  REQUIRE(MakeGcraQuota(0, 1, 1, &q) == GcraStatus::kOk);  // one a second, no burst
  const int64_t t0 = kStart * kMs;
  GcraResult r;
  REQUIRE(GcraThrottle(q, false, 0, 1, t0, &r) == GcraStatus::kOk);
  CHECK_FALSE(r.reply.limited);
  const int64_t tat = r.new_tat_ns;
  REQUIRE(GcraThrottle(q, true, tat, 1, t0 + 999 * kMs, &r) == GcraStatus::kOk);
  CHECK(r.reply.limited);
  CHECK(r.reply.retry_after == 1 * kMs);
  CHECK(CellSeconds(r.reply.retry_after) == 1);
  REQUIRE(GcraThrottle(q, true, tat, 1, t0 + 1000 * kMs, &r) == GcraStatus::kOk);
  CHECK_FALSE(r.reply.limited);
}

TEST_CASE("GCRA quota follows redis-cell's arithmetic and refuses what it cannot compute",
          "[ratelimit][gcra]") {
  GcraQuota q;
  REQUIRE(MakeGcraQuota(15, 30, 60, &q) == GcraStatus::kOk);
  CHECK(q.limit == 16);
  CHECK(q.emission_ns == 2 * kS);
  CHECK(q.tolerance_ns == 32 * kS);
  REQUIRE(MakeGcraQuota(0, 3, 1, &q) == GcraStatus::kOk);
  CHECK(q.emission_ns == 333333333);  // (int64)(1e9 / 3.0)
  CHECK(MakeGcraQuota(1, 0, 1, &q) == GcraStatus::kZeroRate);
  CHECK(MakeGcraQuota(1, 1, 0, &q) == GcraStatus::kZeroRate);
  CHECK(MakeGcraQuota(1, 2'000'000'000, 1, &q) == GcraStatus::kZeroRate);  // < 1 ns apart
  CHECK(MakeGcraQuota(-1, 1, 1, &q) == GcraStatus::kOutOfRange);
  CHECK(MakeGcraQuota(1, -1, 1, &q) == GcraStatus::kOutOfRange);
  CHECK(MakeGcraQuota(1, 1, -1, &q) == GcraStatus::kOutOfRange);
  CHECK(MakeGcraQuota(1, 1, 9223372037, &q) == GcraStatus::kOutOfRange);
  CHECK(MakeGcraQuota(INT64_MAX, 1, 1, &q) == GcraStatus::kOutOfRange);
  CHECK(MakeGcraQuota(1'000'000'000'000, 1, 1'000'000, &q) == GcraStatus::kOutOfRange);
  GcraResult r;
  REQUIRE(MakeGcraQuota(10, 1, 1000, &q) == GcraStatus::kOk);
  CHECK(GcraThrottle(q, false, 0, INT64_MAX / 2, kStart * kMs, &r) == GcraStatus::kOutOfRange);
  CHECK(GcraThrottle(q, true, INT64_MAX - 5, 1, kStart * kMs, &r) == GcraStatus::kOutOfRange);
}

TEST_CASE("CellSeconds rounds as redis-cell does", "[ratelimit][gcra]") {
  CHECK(CellSeconds(0) == 0);
  CHECK(CellSeconds(999'999) == 0);  // under a millisecond: not rounded up
  CHECK(CellSeconds(1 * kMs) == 1);
  CHECK(CellSeconds(2 * kS) == 2);
  CHECK(CellSeconds(2 * kS + 400'000) == 2);
  CHECK(CellSeconds(2 * kS + kMs) == 3);
  CHECK(CellSeconds(-kS) == -1);
  CHECK(CellSeconds(-kS / 2) == 0);
}

TEST_CASE("CL.THROTTLE integers parse as Rust's i64 does", "[ratelimit][gcra]") {
  int64_t v = 0;
  CHECK((ParseCellInt("+5", &v) && v == 5));
  CHECK((ParseCellInt("007", &v) && v == 7));
  CHECK((ParseCellInt("-0", &v) && v == 0));
  CHECK((ParseCellInt("-9223372036854775808", &v) && v == INT64_MIN));
  CHECK((ParseCellInt("9223372036854775807", &v) && v == INT64_MAX));
  for (const char* bad : {"", "+", "-", " 1", "1 ", "1.0", "0x10", "9223372036854775808",
                          "-9223372036854775809", "++1"}) {
    INFO(bad);
    CHECK_FALSE(ParseCellInt(bad, &v));
  }
}

// ---------------------------------------------------------------------------------------

TEST_CASE("parameter checks refuse what could never work", "[ratelimit]") {
  CHECK(CheckBucket({10, 1000, 10}, 10) == LimiterParamError::kNone);
  CHECK(CheckBucket({0, 1000, 10}, 1) == LimiterParamError::kLimit);
  CHECK(CheckBucket({10, 0, 10}, 1) == LimiterParamError::kWindow);
  CHECK(CheckBucket({10, kMaxWindowMs + 1, 10}, 1) == LimiterParamError::kWindow);
  CHECK(CheckBucket({10, 1000, 0}, 1) == LimiterParamError::kBurst);
  CHECK(CheckBucket({10, 1000, 10}, 0) == LimiterParamError::kCost);
  CHECK(CheckBucket({10, 1000, 5}, 6) == LimiterParamError::kCostTooBig);
  CHECK(CheckBucket({10, kMaxWindowMs, INT64_MAX / 2}, 1) == LimiterParamError::kTooLarge);
  CHECK(CheckWindow({5, 1000}, 5, true) == LimiterParamError::kNone);
  CHECK(CheckWindow({5, 1000}, 6, true) == LimiterParamError::kCostTooBig);
  CHECK(CheckWindow({-5, 1000}, 1, true) == LimiterParamError::kLimit);
  CHECK(CheckWindow({5, -1}, 1, false) == LimiterParamError::kWindow);
  CHECK(CheckWindow({kMaxExactLimit + 1, 1000}, 1, true) == LimiterParamError::kTooLarge);
  CHECK(CheckWindow({kMaxExactLimit + 1, 1000}, 1, false) == LimiterParamError::kNone);
}

TEST_CASE("kinds are told apart and foreign bytes read as no state", "[ratelimit]") {
  std::string bucket, out;
  BucketTake("", {1, 10, 1}, 1, kStart, &bucket);
  CHECK(KindOf(bucket) == LimiterKind::kBucket);
  CHECK(LimiterKindName(KindOf(bucket)) == "token-bucket");
  // A bucket's bytes handed to the window engine: a fresh window.
  LimiterResult r = WindowTake(bucket, {1, 10}, 1, kStart, &out);
  CHECK_FALSE(r.reply.limited);
  CHECK(KindOf(out) == LimiterKind::kWindow);
  ApproxTake("", {1, 10}, 1, kStart, &out);
  CHECK(LimiterKindName(KindOf(out)) == "sliding-counter");
  LimiterReply peek;
  CHECK_FALSE(LimiterPeek("garbage", kStart, &peek));
  CHECK_FALSE(LimiterPeek(std::string("w\x01", 2), kStart, &peek));  // truncated
}

}  // namespace
}  // namespace firn
