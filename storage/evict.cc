#include "storage/evict.h"

#include <algorithm>

#include "storage/keyspace.h"
#include "storage/lazyfree.h"

namespace firn {

uint32_t Evictor::Bits(const Entry* e) {
  return (static_cast<uint32_t>(e->evict_meta()) << 16) | e->access_s();
}

void Evictor::SetBits(Entry* e, uint32_t bits) {
  e->set_evict_meta(static_cast<uint8_t>(bits >> 16));
  e->set_access_s(static_cast<uint16_t>(bits & 0xFFFF));
}

uint64_t Evictor::NextRandom() {
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  return rng_;
}

bool Evictor::IsVolatilePolicy() const {
  switch (params_.policy) {
    case EvictionPolicy::kVolatileLru:
    case EvictionPolicy::kVolatileLfu:
    case EvictionPolicy::kVolatileRandom:
    case EvictionPolicy::kVolatileTtl:
      return true;
    default:
      return false;
  }
}

bool Evictor::IsLfuPolicy() const {
  return params_.policy == EvictionPolicy::kAllKeysLfu ||
         params_.policy == EvictionPolicy::kVolatileLfu;
}

bool Evictor::IsLruPolicy() const {
  return params_.policy == EvictionPolicy::kAllKeysLru ||
         params_.policy == EvictionPolicy::kVolatileLru;
}

// LFU layout: evict_meta = counter, access_s = minutes clock.
uint8_t Evictor::Frequency(const Entry* e, int64_t now_ms) const {
  uint8_t counter = e->evict_meta();
  uint16_t now_min = static_cast<uint16_t>(now_ms / 60000);
  uint16_t elapsed = static_cast<uint16_t>(now_min - e->access_s());
  if (params_.lfu_decay_time <= 0) return counter;
  uint32_t periods = elapsed / static_cast<uint32_t>(params_.lfu_decay_time);
  return periods > counter ? 0 : static_cast<uint8_t>(counter - periods);
}

int64_t Evictor::IdleMs(const Entry* e, int64_t now_ms) const {
  uint32_t ticks = (LruClock(now_ms) - Bits(e)) & kClockMask;
  return static_cast<int64_t>(ticks) * kClockResolutionMs;
}

void Evictor::SetIdleMs(Entry* e, int64_t idle_ms, int64_t now_ms) {
  const int64_t ticks = std::min<int64_t>(idle_ms / kClockResolutionMs, kClockMask);
  SetBits(e, (LruClock(now_ms) - static_cast<uint32_t>(ticks)) & kClockMask);
}

void Evictor::SetFrequency(Entry* e, uint8_t counter, int64_t now_ms) {
  e->set_evict_meta(counter);
  e->set_access_s(static_cast<uint16_t>(now_ms / 60000));
}

void Evictor::Touch(Entry* e, int64_t now_ms) {
  if (IsLfuPolicy()) {
    uint8_t counter = Frequency(e, now_ms);
    if (counter < 255) {
      double base = counter > kLfuInitValue ? counter - kLfuInitValue : 0;
      double p = 1.0 / (base * params_.lfu_log_factor + 1);
      double r = static_cast<double>(NextRandom() >> 11) / static_cast<double>(1ULL << 53);
      if (r < p) ++counter;
    }
    e->set_evict_meta(counter);
    e->set_access_s(static_cast<uint16_t>(now_ms / 60000));
  } else {
    SetBits(e, LruClock(now_ms));
  }
}

void Evictor::Admit(Entry* e, int64_t now_ms) {
  if (IsLfuPolicy()) {
    e->set_evict_meta(kLfuInitValue);
    e->set_access_s(static_cast<uint16_t>(now_ms / 60000));
  } else {
    // Midpoint insertion: enter as if used 5/8 of the eviction age ago.
    uint32_t age = eviction_age_ / 8 * 5;
    SetBits(e, (LruClock(now_ms) - age) & kClockMask);
  }
}

uint64_t Evictor::Score(const Entry* e, int64_t now_ms) const {
  if (IsLfuPolicy()) return 255 - Frequency(e, now_ms);
  if (params_.policy == EvictionPolicy::kVolatileTtl) {
    // Sooner expiry: better candidate.
    return UINT64_MAX - static_cast<uint64_t>(e->expire_ms());
  }
  return static_cast<uint64_t>(IdleMs(e, now_ms));
}

void Evictor::Offer(int db, Entry* e, int64_t now_ms) {
  if (IsVolatilePolicy() && !e->has_expire()) return;
  uint64_t score = Score(e, now_ms);
  if (static_cast<int>(pool_.size()) == kPoolSize && score <= pool_.front().score) return;
  std::string_view key = e->key();
  bool present = std::any_of(pool_.begin(), pool_.end(),
                             [&](const Candidate& c) { return c.db == db && c.key == key; });
  if (present) return;
  Candidate c{score, db, std::string(key)};
  auto pos = std::lower_bound(pool_.begin(), pool_.end(), c, [](const Candidate& a, const Candidate& b) {
    return a.score < b.score;
  });
  pool_.insert(pos, std::move(c));
  if (static_cast<int>(pool_.size()) > kPoolSize) pool_.erase(pool_.begin());
}

bool Evictor::Eligible(Db& db) const {
  return db.size() > 0 && !(IsVolatilePolicy() && db.expires() == 0);
}

void Evictor::FillPool(Keyspace& ks, int64_t now_ms) {
  Entry* sample[64];
  const size_t want = static_cast<size_t>(std::clamp(params_.samples, 1, 64));
  for (int d = 0; d < ks.count(); ++d) {
    if (!Eligible(ks.db(d))) continue;
    size_t n = ks.db(d).dict().Sample(NextRandom(), sample, want);
    for (size_t i = 0; i < n; ++i) Offer(d, sample[i], now_ms);
  }
}

void Evictor::WalkForCandidates(Keyspace& ks, int64_t now_ms) {
  // Sampling found nothing: candidates are sparse (few volatile keys among many). Walk the
  // tables with a cursor kept across calls until something turns up or a whole cycle is done.
  walk_cursor_.resize(static_cast<size_t>(ks.count()), 0);
  for (int d = 0; d < ks.count() && pool_.empty(); ++d) {
    if (!Eligible(ks.db(d))) continue;
    uint64_t& cursor = walk_cursor_[static_cast<size_t>(d)];
    do {
      cursor = ks.db(d).dict().Scan(cursor, [&](Entry* e) { Offer(d, e, now_ms); });
    } while (cursor != 0 && pool_.empty());
  }
}

void Evictor::Evict(Keyspace& ks, Db& db, Entry* e) {
  if (ks.stats().lazy_eviction && FreeEffort(*e) > LazyFreer::kThreshold) {
    const TypeOps& ops = TypeOpsOf(e->type());
    queued_bytes_ += static_cast<int64_t>(e->AllocatedBytes() + ops.memory_usage(*e));
  }
  db.Erase(e, KeyEvent::kEvicted);
  ++ks.stats().evicted_keys;
}

bool Evictor::EvictOne(Keyspace& ks, int64_t now_ms) {
  const bool volatile_only = IsVolatilePolicy();
  if (params_.policy == EvictionPolicy::kAllKeysRandom ||
      params_.policy == EvictionPolicy::kVolatileRandom) {
    for (int i = 0; i < ks.count(); ++i) {
      int d = next_random_db_;
      next_random_db_ = (next_random_db_ + 1) % ks.count();
      Db& db = ks.db(d);
      if (db.size() == 0 || (volatile_only && db.expires() == 0)) continue;
      Entry* sample[16];
      size_t n = db.dict().Sample(NextRandom(), sample, 16);
      for (size_t k = 0; k < n; ++k) {
        if (volatile_only && !sample[k]->has_expire()) continue;
        Evict(ks, db, sample[k]);
        return true;
      }
    }
    // Volatile keys too sparse to sample: fall through to the walking pool below, whose
    // scores are then irrelevant (any volatile key will do).
  }
  for (int round = 0; round < 8; ++round) {
    FillPool(ks, now_ms);
    if (pool_.empty() && round > 0) WalkForCandidates(ks, now_ms);
    while (!pool_.empty()) {
      Candidate c = std::move(pool_.back());
      pool_.pop_back();
      Db& db = ks.db(c.db);
      Entry* e = db.dict().Find(c.key, HashKey(c.key));
      if (e == nullptr || (volatile_only && !e->has_expire())) continue;
      if (IsLruPolicy()) {
        uint32_t idle = static_cast<uint32_t>(IdleMs(e, now_ms) / kClockResolutionMs);
        eviction_age_ = eviction_age_ == 0 ? idle : eviction_age_ - eviction_age_ / 64 + idle / 64;
      }
      Evict(ks, db, e);
      return true;
    }
  }
  return false;
}

Evictor::Result Evictor::Enforce(Keyspace& ks, uint64_t max_bytes, int64_t now_ms,
                                 int64_t (*used_bytes)(), int64_t (*clock_us)(),
                                 int64_t budget_us) {
  if (queued_bytes_ != 0 && LazyFreer::Instance().pending() == 0) queued_bytes_ = 0;
  const auto over = [&] { return used_bytes() - queued_bytes_ > static_cast<int64_t>(max_bytes); };
  if (max_bytes == 0 || !over()) return Result::kOk;
  if (params_.policy == EvictionPolicy::kNoEviction) return Result::kFail;
  const int64_t start_us = clock_us();
  size_t evicted = 0;
  while (over()) {
    if (!EvictOne(ks, now_ms)) return evicted > 0 ? Result::kRunning : Result::kFail;
    if (++evicted % 16 == 0 && clock_us() - start_us > budget_us) return Result::kRunning;
  }
  return Result::kOk;
}

}  // namespace firn
