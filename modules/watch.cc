// WATCH's index (modules/watch.h has the contract).
//
// Two maps mirror each other: per database, key -> the clients watching it (and whether the
// key existed, which a flush needs: the signal fires after the database is emptied, so the
// index remembers); per client, the keys it watches. A change to a watched key takes its
// entry out, marks each of its clients dirty and removes each from its other keys' entries,
// as Redis's touchWatchedKey and unwatchAllKeys do. Cost: O(1) per event on an unwatched key
// (one hash lookup in that database's map, and nothing at all while nothing is watched);
// O(watchers x their keys) when a watched key changes, paid once per client since a dirty
// client watches nothing.
//
// Whether a watched key exists is known exactly while it is watched: the entry is created
// when the key is looked up by WATCH, and any later write, delete, expiry or eviction of the
// key takes the entry out. A key that is present but past its expiry was deleted by WATCH's
// lookup, so a watched key that is present was live when watched: a flush then counts it as
// changed, as Redis does for a key whose TTL passed unnoticed.
#include "modules/watch.h"

#include <algorithm>

#include "modules/client.h"
#include "storage/dict.h"
#include "storage/keyspace.h"

namespace firn {

WatchIndex::WatchIndex(Keyspace& keyspace, KeyspaceFanout& fanout)
    : keyspace_(keyspace), fanout_(fanout), by_db_(static_cast<size_t>(keyspace.count())) {}

void WatchIndex::Watch(ClientInfo& client, int db, std::string_view key, bool exists) {
  ClientWatch& watch = by_client_[&client];
  if (watch.dirty) return;
  for (const auto& [d, k] : watch.keys) {
    if (d == db && k == key) return;
  }
  watch.keys.emplace_back(db, std::string(key));
  DbMap& map = by_db_[static_cast<size_t>(db)];
  auto it = map.find(key);
  if (it == map.end()) {
    it = map.emplace(std::string(key), Watchers{}).first;
    it->second.exists = exists;
    ++keys_;
  }
  it->second.clients.push_back(&client);
  UpdateSlot();
}

void WatchIndex::DropKeys(ClientInfo& client, ClientWatch& watch) {
  for (const auto& [db, key] : watch.keys) {
    DbMap& map = by_db_[static_cast<size_t>(db)];
    auto it = map.find(key);
    if (it == map.end()) continue;  // the entry being touched, already taken out
    std::erase(it->second.clients, &client);
    if (it->second.clients.empty()) {
      map.erase(it);
      --keys_;
    }
  }
  watch.keys.clear();
}

void WatchIndex::Reset(ClientInfo& client) {
  auto it = by_client_.find(&client);
  if (it == by_client_.end()) return;
  DropKeys(client, it->second);
  by_client_.erase(it);
  UpdateSlot();
}

bool WatchIndex::Dirty(const ClientInfo& client) const {
  auto it = by_client_.find(&client);
  return it != by_client_.end() && it->second.dirty;
}

std::vector<std::pair<int, std::string>> WatchIndex::Watched(const ClientInfo& client) const {
  auto it = by_client_.find(&client);
  if (it == by_client_.end()) return {};
  return it->second.keys;
}

void WatchIndex::Touch(int db, DbMap::iterator it) {
  std::vector<ClientInfo*> clients = std::move(it->second.clients);
  by_db_[static_cast<size_t>(db)].erase(it);
  --keys_;
  for (ClientInfo* c : clients) {
    ClientWatch& watch = by_client_[c];
    watch.dirty = true;
    DropKeys(*c, watch);
  }
}

void WatchIndex::OnKeyEvent(int db, std::string_view key, KeyEvent event) {
  if (event == KeyEvent::kNew || event == KeyEvent::kMiss) return;  // no change of its own
  DbMap& map = by_db_[static_cast<size_t>(db)];
  if (map.empty()) return;
  if (event == KeyEvent::kFlush || event == KeyEvent::kSwap) {
    // The database's contents were replaced (by nothing, or by the other database's): a
    // watched key changed if it existed before or exists now.
    Db& now = keyspace_.db(db);
    std::vector<std::string> touched;
    for (auto& [k, w] : map) {
      const bool exists_now =
          event == KeyEvent::kSwap && now.dict().Find(k, HashKey(k)) != nullptr;
      if (w.exists || exists_now) {
        touched.push_back(k);
      }
    }
    for (const std::string& k : touched) {
      auto it = map.find(k);
      if (it != map.end()) Touch(db, it);
    }
  } else {
    auto it = map.find(key);
    if (it != map.end()) Touch(db, it);
  }
  UpdateSlot();
}

void WatchIndex::UpdateSlot() {
  fanout_.Set(KeyspaceFanout::kWatch, keys_ > 0 ? this : nullptr);
}

}  // namespace firn
