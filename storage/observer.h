// The keyspace mutation signal: one observer point every change to a key passes.
//
// Db calls its observer for every write, delete, expiry (lazy and active), eviction, flush,
// swap and move, and bumps the keyspace's dirty counter (Redis's server.dirty). WATCH,
// keyspace notifications, client tracking and waking blocked clients hang off this one point
// instead of each command announcing its own effects. With no observer attached the cost is
// one predictable branch.
#pragma once

#include <cstdint>
#include <string_view>

namespace firn {

enum class KeyEvent : uint8_t {
  kWrite,    // the value, its type or its expiry changed (or the key was created)
  kDelete,   // removed by a command (DEL, UNLINK, RENAME's source, MOVE's source...)
  kExpired,  // removed because its expiry passed (lazily or by the active cycle)
  kEvicted,  // removed by maxmemory eviction
  kFlush,    // the whole database was emptied (key is empty)
  kSwap,     // SWAPDB: the whole database changed (key is empty)
  // Not changes (dirty is not bumped), for keyspace notifications' n and m classes; other
  // listeners ignore them:
  kNew,   // the key was just created (its kWrite follows)
  kMiss,  // a read looked the key up and found nothing
};

class KeyspaceObserver {
 public:
  virtual ~KeyspaceObserver() = default;
  // Called after the change. key views memory that may be freed once the call returns.
  virtual void OnKeyEvent(int db, std::string_view key, KeyEvent event) = 0;
};

// What every Db holds a pointer to: the keyspace's dirty counter and its one observer.
struct MutationSignal {
  uint64_t dirty = 0;
  KeyspaceObserver* observer = nullptr;

  void Fire(int db, std::string_view key, KeyEvent event) {
    ++dirty;
    if (observer != nullptr) [[unlikely]] observer->OnKeyEvent(db, key, event);
  }
  // A kNew or kMiss event: heard only, not counted in dirty.
  void Hint(int db, std::string_view key, KeyEvent event) {
    if (observer != nullptr) [[unlikely]] observer->OnKeyEvent(db, key, event);
  }
  // As Fire, for a change to entry e: its key is decoded only when someone listens, so the
  // signal costs an increment and a branch on the hot path. E is any type with key().
  template <typename E>
  void FireFor(int db, const E* e, KeyEvent event) {
    ++dirty;
    if (observer != nullptr) [[unlikely]] observer->OnKeyEvent(db, e->key(), event);
  }
};

}  // namespace firn
