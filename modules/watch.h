// WATCH's index: which clients watch which keys, and which of them saw a watched key change.
//
// Contract (Redis 7.0's optimistic locking): a client that WATCHed a key is marked dirty when
// the key is written, deleted, expires, is evicted, or is moved away, by any client including
// itself; when FLUSHDB/FLUSHALL empties its database while the key existed; when SWAPDB
// exchanges its database and the key exists on either side. A dirty client's EXEC answers
// a null array and runs nothing. Once dirty, a client watches nothing (Redis unwatches it at
// once: later changes cannot make it dirtier).
//
// The index hears the keyspace through the mutation signal (storage/observer.h), taking the
// kWatch slot of the engine's fan-out only while some key is watched, so a server where no
// one watches pays nothing per write; a write to an unwatched key while others are watched
// costs one lookup in its database's map.
//
// Thread-safety: loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "modules/keyspace_fanout.h"
#include "storage/observer.h"

namespace firn {

struct ClientInfo;
class Keyspace;

class WatchIndex : public KeyspaceObserver {
 public:
  WatchIndex(Keyspace& keyspace, KeyspaceFanout& fanout);
  WatchIndex(const WatchIndex&) = delete;
  WatchIndex& operator=(const WatchIndex&) = delete;

  // client watches key in db; exists says whether the key is live now (the caller looked it
  // up, expiring it if due). Watching a key twice, or while dirty, changes nothing.
  void Watch(ClientInfo& client, int db, std::string_view key, bool exists);
  // Forgets client's watched keys and its dirty mark (UNWATCH, EXEC, DISCARD, RESET, close).
  void Reset(ClientInfo& client);
  // Whether a watched key of client changed since it was watched.
  bool Dirty(const ClientInfo& client) const;
  // The (db, key) pairs client watches, in WATCH order (empty once dirty).
  std::vector<std::pair<int, std::string>> Watched(const ClientInfo& client) const;
  // Keys watched (distinct db+key pairs), for tests and INFO.
  size_t size() const { return keys_; }

  void OnKeyEvent(int db, std::string_view key, KeyEvent event) override;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Watchers {
    std::vector<ClientInfo*> clients;  // in WATCH order
    bool exists = false;               // the key was live when last checked
  };
  using DbMap = std::unordered_map<std::string, Watchers, Hash, std::equal_to<>>;
  struct ClientWatch {
    std::vector<std::pair<int, std::string>> keys;
    bool dirty = false;
  };

  // Marks every client of it dirty and drops their watches; it is erased.
  void Touch(int db, DbMap::iterator it);
  // Removes client from the index entries of its keys (not from by_client_).
  void DropKeys(ClientInfo& client, ClientWatch& watch);
  void UpdateSlot();

  Keyspace& keyspace_;
  KeyspaceFanout& fanout_;
  std::vector<DbMap> by_db_;
  std::unordered_map<const ClientInfo*, ClientWatch> by_client_;
  size_t keys_ = 0;
};

}  // namespace firn
