// Engine: everything a command can reach, in one place handed to handlers through their
// context (no globals). The server layer owns the Engine and implements ServerHooks for the
// few commands that act on connections (CLIENT LIST/KILL, SHUTDOWN, CONFIG SET). Clients live
// in the engine's registry (modules/client.h), which MONITOR feeds.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
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
class AppendOnlyFile;   // modules/aof.h

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

// Error replies (INFO errorstats and total_error_replies), counted once where each error is
// made: a handler's ctx.Error, an admission refusal, a script's own error (an error a script
// passes on from redis.call was counted when the command made it), a protocol error. By code,
// the error's first word ("ERR", "WRONGTYPE"), at most kMaxCodes distinct codes (as Redis's
// ERROR_STATS_NUMBER); errors of further codes count only in the total.
struct ErrorStats {
  static constexpr size_t kMaxCodes = 128;
  uint64_t total = 0;
  std::map<std::string, uint64_t, std::less<>> by_code;  // in code order, as INFO lists them
  // message: the error text without its '-' ("ERR unknown command...").
  void Count(std::string_view message) {
    ++total;
    const std::string_view code = message.substr(0, message.find(' '));
    auto it = by_code.find(code);
    if (it != by_code.end()) {
      ++it->second;
    } else if (by_code.size() < kMaxCodes) {
      by_code.emplace(code, 1);
    }
  }
  void Reset() {
    total = 0;
    by_code.clear();
  }
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

// Snapshot bookkeeping (modules/persist.h): SAVE, BGSAVE's child, the save rules, loading.
// Read by INFO persistence, LASTSAVE and dispatch (-MISCONF).
struct SaveState {
  int64_t lastsave_s = 0;          // Unix time of the last successful save (or of the start)
  bool last_bgsave_ok = true;      // rdb_last_bgsave_status
  int64_t last_bgsave_time_s = -1;
  uint64_t saves = 0;              // rdb_saves
  int64_t child_pid = -1;          // the BGSAVE child, -1 when none runs
  int64_t child_start_ms = 0;
  uint64_t dirty_at_child_start = 0;
  bool scheduled = false;          // BGSAVE SCHEDULE waiting for the running child
  int64_t last_attempt_ms = 0;     // of the last BGSAVE start (rules retry a failure after 5 s)
  // Writes are refused with -MISCONF: the last background save failed, save rules are set and
  // stop-writes-on-bgsave-error is on. The one field dispatch reads per command.
  bool deny_writes = false;
  std::string_view deny_text;      // the -MISCONF text then (RefreshDenyWrites sets both)
  bool loading = false;
  bool aof_write_ok = true;        // aof_last_write_status (modules/aof.h)
  std::string aof_write_error;     // the -MISCONF text while !aof_write_ok
  // The append-only file's rewrite (BGREWRITEAOF, modules/aof.h). One child at a time: a
  // BGSAVE waits for a rewrite child and the other way round (scheduled, as Redis).
  AppendOnlyFile* aof = nullptr;  // set by the server; nullptr in bare engines (tests)
  int64_t aof_child_pid = -1;
  int64_t aof_child_start_ms = 0;
  bool aof_rewrite_scheduled = false;
  int64_t aof_last_rewrite_time_s = -1;
  bool aof_last_rewrite_ok = true;
  uint64_t aof_rewrites = 0;
  uint64_t aof_rewrite_failures = 0;    // consecutive
  int64_t aof_last_switch_us = -1;      // the loop's pause switching the last new base in
  uint64_t loaded_keys = 0;
  uint64_t loaded_expired = 0;
  // Where messages go (the server's log); nullptr: dropped. level: 0 info, 1 warning.
  void (*log)(int level, const std::string& line) = nullptr;
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
  // A script has run past busy-reply-threshold (Engine::script_busy is now set). The server
  // stops reading the client running it, whose pipeline resumes once the script ends.
  virtual void ScriptBusyStarted() {}
  // Called from the running script's hook while it is busy: serve other connections once,
  // without waiting. Their commands go through Dispatch, which refuses all but the allow-busy
  // ones with -BUSY, so nothing else touches the keyspace; the busy client is not re-entered.
  virtual void ServeWhileBusy() {}
  // The busy script ended (Engine::script_busy is kNone again).
  virtual void ScriptBusyEnded() {}
};

// Which kind of script is past busy-reply-threshold, if any; it picks the -BUSY text.
enum class ScriptBusy : uint8_t { kNone, kEval, kFunction };

class CommandTable {
 public:
  CommandTable();
  // The command for name (any case), or nullptr.
  const Command* Find(std::string_view name) const { return index_.Find(name); }
  const std::vector<Command>& all() const { return commands_; }
  // Every row, subcommands included, by Command::acl_id.
  const std::vector<const Command*>& by_id() const { return by_id_; }
  // rename-command: each pair (old name, new name; any case) makes the command answer to the
  // new name only, or to none when the new name is empty. The rows keep their own names
  // (COMMAND INFO, INFO commandstats show them). Returns "" or the first unknown old name's
  // error ("Unknown command 'x' in rename-command").
  std::string Rename(const std::vector<std::string>& pairs);
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
  // Snapshots (modules/persist.h).
  SaveState save;
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
  // Set while a script runs past busy-reply-threshold (modules/lua_vm.cc): Dispatch then
  // refuses other clients' commands with -BUSY unless they are flagged allow-busy.
  ScriptBusy script_busy = ScriptBusy::kNone;
  // Error replies by code (INFO errorstats).
  ErrorStats errors;
};

// Drops what client holds in the engine beyond the registry (watched keys, subscriptions):
// RESET and a closing connection.
void ReleaseClientState(Engine& engine, ClientInfo& client);

// A key that may serve a blocked client now (a push, ZADD, XADD...): see modules/blocking.h.
// One test of a counter when nobody waits.
inline void SignalKeyReady(Engine& engine, int db, std::string_view key) {
  if (engine.blocking.waiting_keys() != 0) [[unlikely]] engine.blocking.MarkReady(db, key);
}

// Whether client's user may run every command on every key and channel (no ACL check
// needed): one load for a client of the default user.
inline bool AclUnrestricted(const Engine& engine, const ClientInfo& client) {
  return client.user == nullptr ? engine.acl.default_unrestricted() : client.user->unrestricted;
}

inline Db& CommandContext::db() { return engine.keyspace.db(client.db); }
inline Keyspace& CommandContext::keyspace() { return engine.keyspace; }
inline const Config& CommandContext::config() { return engine.config; }
inline void CommandContext::Error(std::string_view message) {
  failed = true;
  engine.errors.Count(message);
  reply.Error(message);
}

}  // namespace firn
