// Dict: the keyspace hash table.
//
// A chained hash table over intrusive entries (each Entry carries its own `next`), keyed by
// XXH3-64 of the key, with power-of-two bucket arrays and Redis's incremental rehashing: when
// the table holds two keys a bucket (load factor 2) a second array of twice the size is
// allocated and every later operation moves one bucket (plus up to ten empty ones) from the old
// array to the new;
// a cron step moves more while the server is idle. No operation ever pauses in proportion to the
// table's size, and the doubling costs one extra bucket array for as long as the move lasts.
//
// Why chaining over open addressing: the chain link lives in the entry, so a slot is one
// pointer (4 to 8 bytes a key at load 1..2, where Redis's dict, growing at load 1, spends 8 to
// 16 plus a 24-byte dictEntry), and SCAN can keep Redis's guarantee (every key present for the
// whole iteration is returned at least once, across resizes) with Redis's reverse-binary
// cursor, which open addressing with displacement cannot. The price of load 2 is a second entry
// to compare on some lookups: 1.5 to 2 entries visited for a hit on average, against 1.25 to
// 1.5 at load 1; comparing keys starts with their lengths, so a wrong entry costs a few
// instructions and, when it is cold, one cache miss.
//
// Invariants: while rehashing, buckets [0, rehash_idx_) of table 0 are empty; a key lives in
// exactly one table; table 1 is empty when not rehashing. Not thread-safe: one event-loop
// thread owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "storage/entry.h"

namespace firn {

uint64_t HashKey(std::string_view key);

class Dict {
 public:
  // Grow when the table holds twice as many keys as buckets (chains of two on average).
  static constexpr size_t kMaxLoadFactor = 2;

  Dict() = default;
  ~Dict();
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;

  // The entry for key, or nullptr.
  Entry* Find(std::string_view key, uint64_t hash);
  // REQUIRES: no entry with e's key is present. Takes ownership of e.
  void Insert(Entry* e, uint64_t hash);
  // Removes the entry for key and returns it (the caller frees it), or nullptr.
  Entry* Remove(std::string_view key, uint64_t hash);
  // Puts fresh where old was. REQUIRES: old is in the table and has fresh's key. Returns old
  // (the caller frees it).
  Entry* Replace(Entry* old, Entry* fresh, uint64_t hash);

  size_t size() const { return used_; }
  size_t buckets() const { return size_[0] + size_[1]; }
  bool rehashing() const { return rehash_idx_ >= 0; }

  // One step of a SCAN: calls fn on every entry of the bucket(s) at cursor and returns the next
  // cursor (0 when the iteration is complete). fn must not modify the table.
  uint64_t Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) const;

  // A random entry (not uniform across chains of different length), or nullptr if empty.
  Entry* Random(uint64_t (*rng)());
  // Up to count entries from consecutive buckets starting at a random one (Redis's
  // dictGetSomeKeys): cheap, cache-friendly sampling for eviction. Returns how many were
  // stored in out.
  size_t Sample(uint64_t random, Entry** out, size_t count) const;

  // Moves up to n buckets to the new table; returns true if rehashing is still in progress.
  bool RehashSteps(int n);
  // Starts shrinking if the table is under 1/8 full (cron calls this).
  void MaybeShrink();
  // Frees every entry and the tables.
  void Clear();
  // Memory of the bucket arrays, in bytes.
  size_t OverheadBytes() const { return (size_[0] + size_[1]) * sizeof(Entry*); }

  void Swap(Dict& other);

 private:
  static constexpr size_t kInitialSize = 4;

  void Expand(size_t target);
  void StepIfRehashing() {
    if (rehash_idx_ >= 0) RehashSteps(1);
  }
  void FinishRehashIfDone();

  Entry** table_[2] = {nullptr, nullptr};
  size_t size_[2] = {0, 0};
  size_t used_ = 0;
  int64_t rehash_idx_ = -1;
};

}  // namespace firn
