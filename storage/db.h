// Db: one of the numbered databases (SELECT n), a Dict plus expiry and the keyspace counters.
//
// Every lookup takes `now_ms` from its caller (the event loop reads the clock once per
// iteration), so expiry is deterministic under a fake clock in tests. Expiry is lazy on access
// (an expired entry found by any lookup is deleted then and counted in expired_keys, as Redis
// counts it) and active through ActiveExpire, which keyspace.h's cycle drives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "storage/dict.h"
#include "storage/entry.h"
#include "storage/observer.h"
#include "storage/op_result.h"

namespace firn {

// Counters shared by all databases, under Redis's INFO names.
struct KeyspaceStats {
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t expired_keys = 0;
  uint64_t evicted_keys = 0;
  // Not a counter: while set (CLIENT PAUSE), a key whose expiry passed is hidden from lookups
  // but kept, and counted as expired only once the pause ends and it is looked up again.
  bool expiry_paused = false;
  // Not counters: Redis's lazyfree-lazy-expire, -eviction and -server-del, set from the
  // config. When set, a big value (storage/lazyfree.h) deleted for that reason is freed on
  // the background thread.
  bool lazy_expire = false;
  bool lazy_eviction = false;
  bool lazy_server_del = false;
};

// How a deleted value is freed: by the policy for the deletion's reason (kByPolicy: an
// expiry follows lazy_expire, an eviction lazy_eviction, any other deletion lazy_server_del),
// at once, or in the background when it is big (UNLINK; storage/lazyfree.h).
enum class FreeMode : uint8_t { kByPolicy, kNow, kBackground };

class Evictor;

class Db {
 public:
  // REQUIRES: stats, evictor and signal outlive the Db. index is its number (SELECT index),
  // reported with every mutation signal.
  Db(KeyspaceStats* stats, Evictor* evictor, MutationSignal* signal, int index)
      : stats_(stats), evictor_(evictor), signal_(signal), index_(index) {}

  int index() const { return index_; }

  // The live entry for key, or nullptr (an expired entry is deleted on the way). Counts
  // nothing and touches nothing: for the engine's own lookups.
  Entry* Find(std::string_view key, int64_t now_ms);
  // As Find, and counts a keyspace hit or miss without marking the entry used: Redis's
  // LOOKUP_NOTOUCH reads (TYPE, TTL, EXISTS, OBJECT...).
  Entry* FindForInspect(std::string_view key, int64_t now_ms);
  // As Find, and counts a keyspace hit or miss and marks the entry used (GET and friends).
  Entry* FindForRead(std::string_view key, int64_t now_ms);
  // As Find, and marks the entry used; counts nothing (Redis's lookupKeyWrite).
  Entry* FindForWrite(std::string_view key, int64_t now_ms);

  // Typed lookups: the one place WRONGTYPE is decided. The live entry for key when it holds
  // a value of type; OpStatus::kNotFound when there is no live key; OpStatus::kWrongType
  // when it holds another type. Each counts and touches as the untyped lookup of the same
  // name (a key of the wrong type counts as a hit, as in Redis).
  OpResult<Entry*> FindTyped(std::string_view key, ValueType type, int64_t now_ms) {
    return Typed(Find(key, now_ms), type);
  }
  OpResult<Entry*> FindTypedForRead(std::string_view key, ValueType type, int64_t now_ms) {
    return Typed(FindForRead(key, now_ms), type);
  }
  OpResult<Entry*> FindTypedForWrite(std::string_view key, ValueType type, int64_t now_ms) {
    return Typed(FindForWrite(key, now_ms), type);
  }

  // Stores key -> value, replacing whatever the key held (any type, any expiry).
  // expire_ms < 0: no expiry. Returns the stored entry.
  Entry* Put(std::string_view key, ValueType type, std::string_view value, int64_t expire_ms,
             int64_t now_ms);
  // Stores key -> an out-of-line object of type (the entry owns it from now on), replacing
  // whatever the key held. Returns the stored entry.
  Entry* PutObject(std::string_view key, ValueType type, void* object, int64_t expire_ms,
                   int64_t now_ms);
  // Changes the value and expiry of a live entry (key, type and flags kept): the value is
  // stored as new bytes (inline unless it is a big string), whatever the slot held before.
  // e is invalid afterwards; the returned entry replaces it. value may point into e.
  Entry* Rewrite(Entry* e, std::string_view value, int64_t expire_ms);
  // Sets or clears (expire_ms < 0) the expiry of a live entry, keeping its value slot as it
  // is (an out-of-line value is never copied); returns the entry to use.
  Entry* SetExpire(Entry* e, int64_t expire_ms);

  // In-place edits of a string (APPEND, SETRANGE). The first edit moves the value out of the
  // entry into a ByteBuffer; later ones grow it geometrically, so n appends copy O(total)
  // bytes, not O(n * size). Both mark the value edited (OBJECT ENCODING "raw"), signal the
  // write and return the entry to use (e is invalid afterwards).
  // REQUIRES: e is a live string entry; the resulting size fits in memory.
  // Appends tail (which may not point into e's value).
  Entry* AppendBytes(Entry* e, std::string_view tail);
  // Overwrites bytes [offset, offset + patch.size()), zero-padding the value up to offset
  // first when it is shorter.
  Entry* WriteBytes(Entry* e, size_t offset, std::string_view patch);

  // Deletes key; returns whether it existed (and was live). mode: how its value is freed
  // (DEL and UNLINK say; the server's own deletions follow lazyfree-lazy-server-del).
  bool Delete(std::string_view key, int64_t now_ms, FreeMode mode = FreeMode::kByPolicy);
  // Deletes a live entry found by a lookup. e is invalid afterwards. event says why
  // (a command's delete, an expiry, an eviction) to the mutation observer, and, with
  // kByPolicy, which lazyfree setting decides how the value is freed.
  void Erase(Entry* e, KeyEvent event = KeyEvent::kDelete, FreeMode mode = FreeMode::kByPolicy);
  // Moves the entry out of this db; the caller owns it (for MOVE, RENAME).
  Entry* Detach(Entry* e);
  // Adopts an entry detached from some db. REQUIRES: its key is absent here.
  void Adopt(Entry* e);
  // Signals a change made to e's value in place (for values edited without Rewrite).
  void Touched(const Entry* e) { signal_->FireFor(index_, e, KeyEvent::kWrite); }

  size_t size() const { return dict_.size(); }
  size_t expires() const { return expires_; }
  // Average remaining TTL of volatile keys, in ms, sampled by the expiry cycle (INFO avg_ttl).
  int64_t avg_ttl_ms() const { return avg_ttl_ms_; }

  // One SCAN step over this db (see Dict::Scan). Expired entries are not reported.
  uint64_t Scan(uint64_t cursor, int64_t now_ms, const std::function<void(Entry*)>& fn) const;
  // A random live key's entry, or nullptr.
  Entry* Random(int64_t now_ms);

  // Active expiry: walks up to max_buckets buckets from *cursor, deleting expired entries.
  // Returns {entries with an expiry looked at, entries deleted}.
  struct ExpireStep {
    size_t sampled = 0;
    size_t expired = 0;
    int64_t earliest_expire_ms = INT64_MAX;  // of the live volatile entries walked
  };
  ExpireStep ActiveExpire(int64_t now_ms, uint64_t* cursor, size_t max_buckets);

  // Housekeeping between commands: some rehashing, shrinking an emptied table.
  void Cron(int rehash_steps);
  // Deletes everything; lazy: the entries are freed on the background thread (FLUSHDB ASYNC).
  void Clear(bool lazy = false);
  // Exchanges contents with other (SWAPDB); the stats pointer stays.
  void Swap(Db& other);

  Dict& dict() { return dict_; }
  const Dict& dict() const { return dict_; }

 private:
  // Find for a read: a miss is announced (KeyEvent::kMiss) to the observer.
  Entry* FindReading(std::string_view key, int64_t now_ms);

  static OpResult<Entry*> Typed(Entry* e, ValueType type) {
    if (e == nullptr) return OpStatus::kNotFound;
    if (e->type() != type) return OpStatus::kWrongType;
    return e;
  }
  // Replaces old (live, in the table) by fresh, which has the same key, and frees old.
  void Relink(Entry* old, Entry* fresh);
  // e's value as a ByteBuffer of size n (the entry relinked on the first edit).
  Entry* EditableBytes(Entry* e, size_t n);
  // Stores a fresh entry for key, replacing whatever was there.
  Entry* Store(Entry* fresh, uint64_t hash, Entry* old, int64_t now_ms);
  void Unlink(Entry* e, uint64_t hash);
  // Frees an entry already unlinked, in the background when lazy and it is big.
  static void Release(Entry* e, bool lazy);
  void Track(const Entry* e, int delta) {
    if (e->has_expire()) expires_ = static_cast<size_t>(static_cast<int64_t>(expires_) + delta);
  }

  Dict dict_;
  size_t expires_ = 0;
  int64_t avg_ttl_ms_ = 0;
  KeyspaceStats* stats_;
  Evictor* evictor_;
  MutationSignal* signal_;
  int index_;
};

}  // namespace firn
