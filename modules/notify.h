// Keyspace notifications (notify-keyspace-events): pub/sub messages about changes to keys,
// on __keyspace@<db>__:<key> (the event as payload, class K) and __keyevent@<db>__:<event>
// (the key as payload, class E), as Redis 7.0 publishes them.
//
// The notifier hears the keyspace through the mutation signal (storage/observer.h), in the
// kNotify slot of the engine's fan-out, and only while notify-keyspace-events enables some
// class with K or E: off (the default), a write pays nothing. Expiry and eviction are named
// by the signal itself ("expired", class x; "evicted", class e). For writes and deletes the
// event name is the running command's (Engine::current_command): SET -> "set", INCR ->
// "incrby", DEL -> "del", EXPIRE -> "expire", RENAME -> "rename_from" / "rename_to", ...
// (modules/notify.cc has the table); a command not in the table publishes nothing.
// Commands whose event names depend on their arguments or differ between their keys (SMOVE,
// LMOVE, RPOPLPUSH, LMPOP, ZMPOP and their blocking forms) have no row: their handlers call
// Notify / NotifyRemoved themselves, in Redis's order.
//
// Thread-safety: loop thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/observer.h"

namespace firn {

struct Engine;

class KeyspaceNotifier : public KeyspaceObserver {
 public:
  explicit KeyspaceNotifier(Engine& engine) : engine_(engine) {}
  KeyspaceNotifier(const KeyspaceNotifier&) = delete;
  KeyspaceNotifier& operator=(const KeyspaceNotifier&) = delete;

  // The classes to publish (conf/config.h's KeyspaceEventFlag bits); joins or leaves the
  // engine's fan-out accordingly.
  void Configure(uint32_t flags);
  uint32_t flags() const { return flags_; }

  // Publishes event (of class cls) about key in db, as Redis's notifyKeyspaceEvent. While
  // notifications are off, one test.
  void Notify(uint32_t cls, std::string_view event, int db, std::string_view key) {
    if (flags_ & cls) [[unlikely]] Publish(event, db, key);
  }
  // Elements were removed from key by a command that names its own events: event, then the
  // generic "del" when that emptied (and so deleted) it.
  void NotifyRemoved(uint32_t cls, std::string_view event, int db, std::string_view key,
                     bool emptied);

  void OnKeyEvent(int db, std::string_view key, KeyEvent event) override;

 private:
  void Publish(std::string_view event, int db, std::string_view key);

  Engine& engine_;
  uint32_t flags_ = 0;
  std::string channel_;  // reused between messages
  // The last command-named event, so a command whose one change reaches the signal twice
  // (a collection created, then filled) publishes it once: the command's sequence number
  // (ServerStats::total_commands_processed while it runs), db, key and event.
  uint64_t last_seq_ = UINT64_MAX;
  int last_db_ = -1;
  std::string last_key_;
  std::string_view last_event_;
};

// Reads engine.config.notify_keyspace_events into engine.notifier (engine start, CONFIG SET,
// reload).
void ApplyNotifySettings(Engine& engine);

}  // namespace firn
