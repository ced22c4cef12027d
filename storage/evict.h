// Eviction: which key goes when the dataset outgrows maxmemory.
//
// Per-key cost: 24 bits in the entry header (entry.h's evict_meta and access_s), no other
// memory; Redis spends the same 24 bits in its robj.
//
// LRU policies (allkeys-lru, volatile-lru): sampled LRU with an eviction pool, as Redis does
// (evict.c), with two changes.
//  - The access clock has 10 ms resolution (24 bits: it wraps after 46 hours, so a key idle
//    for longer looks younger, and OBJECT IDLETIME counts modulo that); Redis's clock ticks
//    once a second, which cannot tell apart keys touched within the same second, and a
//    benchmark's whole working set usually is.
//  - Midpoint insertion (InnoDB's buffer pool strategy): a new key does not enter as the most
//    recently used, but as if last used 5/8 of the current eviction age ago (the running
//    average idle time of evicted keys). A key read again moves to the front as in plain LRU,
//    so the hot set keeps its recency ordering, while a one-off sweep over cold keys is
//    evicted before the keys that were used twice: scan resistance without a second queue.
//    Until the first eviction the age is unknown and insertion is plain LRU.
// LFU policies (allkeys-lfu, volatile-lfu): Redis's algorithm unchanged: an 8-bit logarithmic
// counter (incremented with probability 1/((counter-5)*lfu-log-factor+1)) that decays by one
// per lfu-decay-time minutes, kept with a 16-bit minute clock; new keys start at 5 so they are
// not evicted at once.
// random and volatile-ttl: sampled, as Redis.
//
// Sampling: each round draws maxmemory-samples entries from consecutive buckets at a random
// point of each database (Dict::Sample) into a pool of the 16 best candidates kept across
// rounds; the best is evicted if it still exists. Work is bounded: Enforce evicts until memory
// is under the limit or kTimeBudgetUs (500 us, Redis's EVICTION_TIME_LIMIT_US) has passed, so
// eviction happens in small steps as commands arrive, never as a pause proportional to the
// dataset.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "conf/config.h"
#include "storage/entry.h"

namespace firn {

class Keyspace;
class Db;

struct EvictionParams {
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  int samples = 5;
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;  // minutes
};

class Evictor {
 public:
  enum class Result { kOk, kRunning, kFail };

  void Configure(const EvictionParams& p) { params_ = p; }
  const EvictionParams& params() const { return params_; }

  // An entry was read or written by a command.
  void Touch(Entry* e, int64_t now_ms);
  // A new entry enters the keyspace.
  void Admit(Entry* e, int64_t now_ms);

  // Evicts keys until used_bytes() <= max_bytes, within the time budget. kOk: under the
  // limit; kRunning: keys were evicted but the budget ran out first; kFail: over the limit and
  // nothing could be evicted (noeviction, or no candidate: volatile-* without volatile keys).
  Result Enforce(Keyspace& ks, uint64_t max_bytes, int64_t now_ms, int64_t (*used_bytes)(),
                 int64_t (*clock_us)(), int64_t budget_us = kTimeBudgetUs);

  // OBJECT IDLETIME, in ms (LRU clock; meaningful under any non-LFU policy).
  int64_t IdleMs(const Entry* e, int64_t now_ms) const;
  // OBJECT FREQ: the LFU counter after decay.
  uint8_t Frequency(const Entry* e, int64_t now_ms) const;
  // RESTORE ... IDLETIME: marks e as last used idle_ms ago (capped at the clock's range).
  void SetIdleMs(Entry* e, int64_t idle_ms, int64_t now_ms);
  // RESTORE ... FREQ: sets e's LFU counter, as of now.
  void SetFrequency(Entry* e, uint8_t counter, int64_t now_ms);

  // Time one Enforce may spend before a command runs (Redis's EVICTION_TIME_LIMIT_US).
  static constexpr int64_t kTimeBudgetUs = 500;

 private:
  static constexpr int kPoolSize = 16;
  static constexpr uint32_t kClockMask = 0xFFFFFF;
  static constexpr int kClockResolutionMs = 10;
  static constexpr uint8_t kLfuInitValue = 5;

  struct Candidate {
    uint64_t score = 0;  // higher: better to evict
    int db = 0;
    std::string key;
  };

  static uint32_t LruClock(int64_t now_ms) {
    return static_cast<uint32_t>(now_ms / kClockResolutionMs) & kClockMask;
  }
  static uint32_t Bits(const Entry* e);
  static void SetBits(Entry* e, uint32_t bits);
  uint64_t Score(const Entry* e, int64_t now_ms) const;
  bool IsVolatilePolicy() const;
  bool IsLruPolicy() const;
  bool IsLfuPolicy() const;
  void FillPool(Keyspace& ks, int64_t now_ms);
  void WalkForCandidates(Keyspace& ks, int64_t now_ms);
  void Offer(int db, Entry* e, int64_t now_ms);
  bool Eligible(Db& db) const;
  // Evicts one key; returns false if no candidate exists.
  bool EvictOne(Keyspace& ks, int64_t now_ms);
  // Deletes e from db as an eviction, counting the bytes of a value handed to the background
  // freer (lazyfree-lazy-eviction) in queued_bytes_.
  void Evict(Keyspace& ks, Db& db, Entry* e);
  uint64_t NextRandom();

  EvictionParams params_;
  std::vector<Candidate> pool_;
  uint64_t rng_ = 0x2545F4914F6CDD1DULL;
  uint32_t eviction_age_ = 0;  // running average idle of evicted keys, in LRU clock ticks
  int next_random_db_ = 0;
  std::vector<uint64_t> walk_cursor_;  // per database, for WalkForCandidates
  // Bytes of evicted values queued for the background freer and maybe not freed yet:
  // counted as gone while the freer has work, so a lazy eviction does not go on evicting
  // until the freer catches up; forgotten once its queue is empty.
  int64_t queued_bytes_ = 0;
};

}  // namespace firn
