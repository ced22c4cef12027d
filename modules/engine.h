// Engine: everything a command can reach, in one place handed to handlers through their
// context (no globals). The server layer owns the Engine and implements ServerHooks for the
// few commands that act on connections (CLIENT LIST/KILL, SHUTDOWN, CONFIG SET). Clients live
// in the engine's registry (modules/client.h), which MONITOR feeds.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "conf/config.h"
#include "modules/acl.h"
#include "modules/blocking.h"
#include "modules/client.h"
#include "modules/command.h"
#include "modules/command_index.h"
#include "modules/journal.h"
#include "modules/keyspace_fanout.h"
#include "modules/latency.h"
#include "modules/notify.h"
#include "modules/pubsub.h"
#include "modules/slowlog.h"
#include "modules/tracking.h"
#include "modules/watch.h"
#include "storage/dict.h"
#include "storage/keyspace.h"

namespace firn {

struct ScriptingState;  // modules/scripting.h

// Counters kept by the server layer, read by INFO and metrics.
struct ServerStats {
  int64_t start_time_ms = 0;
  uint64_t total_connections_received = 0;
  uint64_t rejected_connections = 0;
  uint64_t total_commands_processed = 0;
  uint64_t net_input_bytes = 0;
  uint64_t net_output_bytes = 0;
  uint64_t connected_clients = 0;
  uint64_t blocked_clients = 0;
  uint64_t peak_memory = 0;
  int tcp_port = 0;
  std::string executable;
};

// Rate-limiter decisions (INFO ratelimit, firn_ratelimit_decisions_total).
struct RateLimitStats {
  struct Counts {
    uint64_t allowed = 0;
    uint64_t limited = 0;
  };
  uint64_t allowed = 0;
  uint64_t limited = 0;
  // By limiter name (the key's prefix before the first ':'), at most metrics-max-limiters
  // names; decisions for names beyond the cap are counted under kOtherLimiter.
  std::unordered_map<std::string, Counts> by_limiter;
  static constexpr std::string_view kOtherLimiter = "other";
};

// Implemented by the server layer.
class ServerHooks {
 public:
  virtual ~ServerHooks() = default;
  // Calls fn for every connected client, in connection order.
  virtual void ForEachClient(const std::function<void(const ClientInfo&)>& fn) = 0;
  // Closes every client for which pred is true at once, dropping its unsent output (the
  // client running the command gets this command's reply first); returns the count.
  virtual size_t KillClients(const std::function<bool(const ClientInfo&)>& pred) = 0;
  // Starts a graceful shutdown once the current batch is answered.
  virtual void RequestShutdown() = 0;
  // CONFIG SET changed setting name (engine.config already holds the new value), for the
  // settings the server layer applies itself (loglevel, port, maxmemory-policy...). Returns
  // nullopt once applied, or why it could not be (Redis's text, e.g. "Unable to listen on this
  // port. Check server logs."): CONFIG SET then puts every setting back, tells the server again
  // of those it had applied, and replies the error.
  virtual std::optional<std::string> ConfigChanged(std::string_view /*name*/) {
    return std::nullopt;
  }
};

class CommandTable {
 public:
  CommandTable();
  // The command for name (any case), or nullptr.
  const Command* Find(std::string_view name) const { return index_.Find(name); }
  const std::vector<Command>& all() const { return commands_; }
  // Every row, subcommands included, by Command::acl_id.
  const std::vector<const Command*>& by_id() const { return by_id_; }
  void ResetStats() const;

 private:
  std::vector<Command> commands_;
  std::vector<const Command*> by_id_;
  CommandIndex index_;  // by name, for Find (modules/command_index.h)
};

struct Engine {
  explicit Engine(Config config);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Config config;
  Keyspace keyspace;
  CommandTable commands;
  // Users and the ACL log (modules/acl.h).
  Acl acl{commands};
  ServerStats stats;
  RateLimitStats ratelimit;
  ServerHooks* hooks = nullptr;
  // Every connected client by id, with its output sink (modules/client.h).
  ClientRegistry clients;
  // Monotonic microsecond clock (for durations and the expiry budget); replaceable in tests.
  int64_t (*clock_us)() = nullptr;
  // SLOWLOG's entries (modules/slowlog.h), recorded by dispatch.
  SlowLog slowlog;
  // LATENCY's event series (modules/latency.h), fed by execution and the expiry cycle.
  LatencyMonitor latency;
  // The propagation point (modules/journal.h): executed writes in replay-safe form.
  // nullptr: none. REQUIRES: the sink outlives the engine or is reset first.
  JournalSink* journal = nullptr;
  // Keyspace::dirty() at the last SAVE/BGSAVE (INFO rdb_changes_since_last_save).
  uint64_t dirty_at_last_save = 0;
  // Scripts, function libraries and their Lua VM (modules/scripting.h), made on first use.
  std::shared_ptr<ScriptingState> scripting;
  // The listeners to the mutation signal, one slot each (modules/keyspace_fanout.h): install
  // an observer with observers.Set(slot, ...), never keyspace.set_observer, so they coexist.
  KeyspaceFanout observers{keyspace};
  // WATCH's index (modules/watch.h), in the kWatch slot while a key is watched.
  WatchIndex watches{keyspace, observers};
  // Channel, pattern and shard-channel subscriptions (modules/pubsub.h).
  PubSub pubsub;
  // Keyspace notifications (modules/notify.h), in the kNotify slot while enabled.
  KeyspaceNotifier notifier{*this};
  // Client-side caching (modules/tracking.h), in the kTracking slot while anyone tracks.
  Tracking tracking{*this};
  // Blocked and postponed clients, and the keys they wait on (modules/blocking.h).
  BlockingState blocking{*this, observers};
  // CLIENT PAUSE (modules/blocking.h).
  ClientPause pause;
  // The row Execute is running (for the notifier's event names); the last one run between
  // commands.
  const Command* current_command = nullptr;
};

// Drops what client holds in the engine beyond the registry (watched keys, subscriptions):
// RESET and a closing connection.
void ReleaseClientState(Engine& engine, ClientInfo& client);

// A key that may serve a blocked client now (a push, ZADD, XADD...): see modules/blocking.h.
// One test of a counter when nobody waits.
inline void SignalKeyReady(Engine& engine, int db, std::string_view key) {
  if (engine.blocking.waiting_keys() != 0) [[unlikely]] engine.blocking.MarkReady(db, key);
}

inline Db& CommandContext::db() { return engine.keyspace.db(client.db); }
inline Keyspace& CommandContext::keyspace() { return engine.keyspace; }
inline const Config& CommandContext::config() { return engine.config; }
inline void CommandContext::Error(std::string_view message) {
  failed = true;
  reply.Error(message);
}

}  // namespace firn
