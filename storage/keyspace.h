// Keyspace: the numbered databases, their shared counters, and the active expiry cycle.
//
// Active expiry (after Redis's expire.c, adapted to a table without a separate expires dict).
// Lazy expiry alone leaves keys that are never read again in memory forever, so every cron
// tick (hz times a second) the cycle walks each database's buckets with a SCAN cursor and
// deletes expired entries. Redis samples 20 keys of its expires dict per round; Firn has no
// expires dict (the expiry lives in the entry, which saves 30+ bytes a volatile key) and walks
// buckets instead, skipping databases with no volatile keys at all. The walk is adaptive, as
// Redis's is: a tick walks kBaseBuckets buckets per database, and while more than a quarter
// of the volatile entries it meets are expired it keeps going, up to a time budget of
// kSlowCycleBudgetPercent of the tick (25%, Redis's ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC). So a
// mass expiry is reclaimed at a quarter of one core at most, and a quiet keyspace costs a few
// microseconds a tick. Sparse expiries are still found within kSweepSeconds (10 s), because
// each tick walks at least 1/(hz * kSweepSeconds) of the table; and keys the walk has passed
// while they were still live are not left for the next sweep: the walk remembers the earliest
// deadline it has seen, and once that is past it keeps walking (within the budget) even where
// expired keys are sparse, so a batch of keys that expire together goes within a tick or two
// of its last deadline. Tunable: hz (ticks a second) and active-expire-effort (1..10, scales
// the per-tick walk and budget as Redis's does).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "storage/db.h"
#include "storage/evict.h"

namespace firn {

class Keyspace {
 public:
  explicit Keyspace(int databases = 16);

  int count() const { return static_cast<int>(dbs_.size()); }
  Db& db(int index) { return *dbs_[static_cast<size_t>(index)]; }
  KeyspaceStats& stats() { return stats_; }
  // Changes to keys so far (Redis's server.dirty): every mutation signal adds one.
  uint64_t dirty() const { return signal_.dirty; }
  // The one observer of every change to a key (nullptr: none). REQUIRES: it outlives the
  // keyspace or is reset first.
  void set_observer(KeyspaceObserver* observer) { signal_.observer = observer; }
  const KeyspaceStats& stats() const { return stats_; }

  // One active-expiry tick. clock_us reads a monotonic clock in microseconds (for the time
  // budget; the expiry decisions use now_ms). Returns the number of keys deleted.
  size_t ActiveExpireCycle(int64_t now_ms, int hz, int effort, int64_t (*clock_us)());
  // Incremental rehash and shrink work for one cron tick.
  void Cron();
  size_t TotalKeys() const;
  // Deletes every key of every database; lazy: freed on the background thread.
  void Clear(bool lazy = false);
  Evictor& evictor() { return evictor_; }

 private:
  static constexpr size_t kBaseBuckets = 64;
  static constexpr size_t kSweepSeconds = 10;
  static constexpr int kSlowCycleBudgetPercent = 25;

  Evictor evictor_;
  std::vector<std::unique_ptr<Db>> dbs_;
  // Per database: the expiry walk's cursor and the earliest future expiry it has seen, in the
  // sweep under way and in the last complete one.
  struct Sweep {
    uint64_t cursor = 0;
    int64_t earliest_this = INT64_MAX;
    int64_t earliest_last = INT64_MAX;
  };
  std::vector<Sweep> sweeps_;
  KeyspaceStats stats_;
  MutationSignal signal_;
};

}  // namespace firn
