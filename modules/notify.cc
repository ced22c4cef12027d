// Keyspace notifications (modules/notify.h has the contract).
//
// The mutation signal says what happened to a key (written, deleted, expired, evicted), not
// which command did it, so the event name comes from the command running when the signal
// fires: a small table maps a command to its class and to the event for a write and for a
// delete of one of its keys, as Redis's per-command notifyKeyspaceEvent calls name them.
// Expiry and eviction are named by the signal alone, whatever runs. Flushes and SWAPDB
// publish nothing, as in Redis. Cost while on: one table scan and two messages per changed
// key; while off, nothing (the notifier is not on the signal).
#include "modules/notify.h"

#include "conf/config.h"
#include "modules/engine.h"
#include "storage/dict.h"
#include "storage/entry.h"

namespace firn {
namespace {

struct CommandEvents {
  std::string_view command;
  uint32_t cls;
  std::string_view on_write;   // "" : none
  std::string_view on_delete;  // "" : none
  // A collection command that empties its key: Redis publishes the command's event, then
  // "del" (generic), for the delete the signal reports.
  bool emptied_then_del = false;
};

// Redis 7.0's names. A command that both deletes and writes (RENAME, MOVE) names each side.
constexpr CommandEvents kEvents[] = {
    {"set", kNotifyString, "set", ""},
    {"setnx", kNotifyString, "set", ""},
    {"setex", kNotifyString, "set", ""},
    {"psetex", kNotifyString, "set", ""},
    {"getset", kNotifyString, "set", ""},
    {"mset", kNotifyString, "set", ""},
    {"msetnx", kNotifyString, "set", ""},
    {"append", kNotifyString, "append", ""},
    {"setrange", kNotifyString, "setrange", ""},
    {"incr", kNotifyString, "incrby", ""},
    {"incrby", kNotifyString, "incrby", ""},
    {"decr", kNotifyString, "decrby", ""},
    {"decrby", kNotifyString, "decrby", ""},
    {"incrbyfloat", kNotifyString, "incrbyfloat", ""},
    {"setbit", kNotifyString, "setbit", ""},
    {"bitfield", kNotifyString, "setbit", ""},
    {"bitop", kNotifyString, "set", "del"},
    {"pfadd", kNotifyString, "pfadd", ""},
    {"pfmerge", kNotifyString, "pfadd", ""},
    {"getdel", kNotifyGeneric, "", "del"},
    {"getex", kNotifyGeneric, "expire", "del"},
    {"del", kNotifyGeneric, "", "del"},
    {"unlink", kNotifyGeneric, "", "del"},
    {"expire", kNotifyGeneric, "expire", "del"},
    {"pexpire", kNotifyGeneric, "expire", "del"},
    {"expireat", kNotifyGeneric, "expire", "del"},
    {"pexpireat", kNotifyGeneric, "expire", "del"},
    {"persist", kNotifyGeneric, "persist", ""},
    {"rename", kNotifyGeneric, "rename_to", "rename_from"},
    {"renamenx", kNotifyGeneric, "rename_to", "rename_from"},
    {"move", kNotifyGeneric, "move_to", "move_from"},
    {"copy", kNotifyGeneric, "copy_to", ""},
    {"restore", kNotifyGeneric, "restore", ""},
    // The collection families, for when they are registered (a row for a command the table
    // lacks never matches).
    {"lpush", kNotifyList, "lpush", "", false},
    {"lpushx", kNotifyList, "lpush", "", false},
    {"rpush", kNotifyList, "rpush", "", false},
    {"rpushx", kNotifyList, "rpush", "", false},
    {"linsert", kNotifyList, "linsert", "", false},
    {"lset", kNotifyList, "lset", "", false},
    {"ltrim", kNotifyList, "ltrim", "ltrim", true},
    {"lrem", kNotifyList, "lrem", "lrem", true},
    {"lpop", kNotifyList, "lpop", "lpop", true},
    {"rpop", kNotifyList, "rpop", "rpop", true},
    {"blpop", kNotifyList, "lpop", "lpop", true},
    {"brpop", kNotifyList, "rpop", "rpop", true},
    {"sadd", kNotifySet, "sadd", "", false},
    {"srem", kNotifySet, "srem", "srem", true},
    {"spop", kNotifySet, "spop", "spop", true},
    {"hset", kNotifyHash, "hset", "", false},
    {"hsetnx", kNotifyHash, "hset", "", false},
    {"hmset", kNotifyHash, "hset", "", false},
    {"hdel", kNotifyHash, "hdel", "hdel", true},
    {"hincrby", kNotifyHash, "hincrby", "", false},
    {"hincrbyfloat", kNotifyHash, "hincrbyfloat", "", false},
    {"zadd", kNotifyZset, "zadd", "", false},
    {"zincrby", kNotifyZset, "zincr", "", false},
    {"zrem", kNotifyZset, "zrem", "zrem", true},
    {"zpopmin", kNotifyZset, "zpopmin", "zpopmin", true},
    {"zpopmax", kNotifyZset, "zpopmax", "zpopmax", true},
    {"bzpopmin", kNotifyZset, "zpopmin", "zpopmin", true},
    {"bzpopmax", kNotifyZset, "zpopmax", "zpopmax", true},
    {"zremrangebyscore", kNotifyZset, "zrembyscore", "zrembyscore", true},
    {"zremrangebyrank", kNotifyZset, "zrembyrank", "zrembyrank", true},
    {"zremrangebylex", kNotifyZset, "zrembylex", "zrembylex", true},
    // The *STORE commands name the destination's event; an empty result deletes it ("del").
    {"sunionstore", kNotifySet, "sunionstore", "del"},
    {"sinterstore", kNotifySet, "sinterstore", "del"},
    {"sdiffstore", kNotifySet, "sdiffstore", "del"},
    {"zunionstore", kNotifyZset, "zunionstore", "del"},
    {"zinterstore", kNotifyZset, "zinterstore", "del"},
    {"zdiffstore", kNotifyZset, "zdiffstore", "del"},
    {"zrangestore", kNotifyZset, "zrangestore", "del"},
    // GEOADD is a ZADD underneath; the searches that store name their own event.
    {"geoadd", kNotifyZset, "zadd", "", false},
    {"georadius", kNotifyZset, "georadiusstore", "del", false},
    {"georadiusbymember", kNotifyZset, "georadiusstore", "del", false},
    {"geosearchstore", kNotifyZset, "geosearchstore", "del", false},
    {"sort", kNotifyList, "sortstore", "del", false},
};

const CommandEvents* EventsOf(const Command* cmd) {
  if (cmd == nullptr) return nullptr;
  for (const CommandEvents& e : kEvents) {
    if (e.command == cmd->name) return &e;
  }
  return nullptr;
}

}  // namespace

void KeyspaceNotifier::Configure(uint32_t flags) {
  flags_ = flags;
  const bool on = (flags & (kNotifyKeyspace | kNotifyKeyevent)) != 0 &&
                  (flags & ~(kNotifyKeyspace | kNotifyKeyevent)) != 0;
  engine_.observers.Set(KeyspaceFanout::kNotify, on ? this : nullptr);
}

void KeyspaceNotifier::NotifyRemoved(uint32_t cls, std::string_view event, int db,
                                     std::string_view key, bool emptied) {
  Notify(cls, event, db, key);
  if (emptied) Notify(kNotifyGeneric, "del", db, key);
}

void KeyspaceNotifier::Publish(std::string_view event, int db, std::string_view key) {
  const std::string db_text = std::to_string(db);
  if (flags_ & kNotifyKeyspace) {
    channel_.assign("__keyspace@").append(db_text).append("__:").append(key);
    engine_.pubsub.Publish(engine_.clients, PubSub::kChannel, channel_, event);
  }
  if (flags_ & kNotifyKeyevent) {
    channel_.assign("__keyevent@").append(db_text).append("__:").append(event);
    engine_.pubsub.Publish(engine_.clients, PubSub::kChannel, channel_, key);
  }
}

void KeyspaceNotifier::OnKeyEvent(int db, std::string_view key, KeyEvent event) {
  switch (event) {
    case KeyEvent::kExpired:
      Notify(kNotifyExpired, "expired", db, key);
      return;
    case KeyEvent::kEvicted:
      Notify(kNotifyEvicted, "evicted", db, key);
      return;
    case KeyEvent::kFlush:
    case KeyEvent::kSwap:
      return;
    case KeyEvent::kNew:
      Notify(kNotifyNew, "new", db, key);
      return;
    case KeyEvent::kMiss:
      Notify(kNotifyKeyMiss, "keymiss", db, key);
      return;
    case KeyEvent::kWrite:
    case KeyEvent::kDelete: {
      const CommandEvents* e = EventsOf(engine_.current_command);
      if (e == nullptr) return;
      const std::string_view name = event == KeyEvent::kWrite ? e->on_write : e->on_delete;
      if (name.empty()) return;
      const uint64_t seq = engine_.stats.total_commands_processed;
      if (seq == last_seq_ && db == last_db_ && key == last_key_ && name == last_event_) return;
      last_seq_ = seq;
      last_db_ = db;
      last_key_.assign(key);
      last_event_ = name;
      // "del" is a generic event whatever the command's class (BITOP's is string).
      Notify(event == KeyEvent::kDelete && name == "del" ? kNotifyGeneric : e->cls, name, db,
             key);
      if (event == KeyEvent::kDelete && e->emptied_then_del) {
        Notify(kNotifyGeneric, "del", db, key);
        return;
      }
      // SET with an expiry (and SETEX, PSETEX) also announce it, as Redis does. Told from the
      // entry: a SET ... KEEPTTL of a key with a TTL announces it too, which Redis does not.
      if (name == "set" && e->command != "getset" && e->command != "mset" &&
          e->command != "msetnx" && e->command != "setnx") {
        Db& d = engine_.keyspace.db(db);
        const Entry* entry = d.dict().Find(key, HashKey(key));
        if (entry != nullptr && entry->has_expire()) Notify(kNotifyGeneric, "expire", db, key);
      }
      return;
    }
  }
}

void ApplyNotifySettings(Engine& engine) {
  engine.notifier.Configure(
      KeyspaceEventFlags(engine.config.notify_keyspace_events).value_or(0));
}

}  // namespace firn
