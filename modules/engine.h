// Engine: everything a command can reach, in one place handed to handlers through their
// context (no globals). The server layer owns the Engine and implements ServerHooks for the
// few commands that act on connections (CLIENT LIST/KILL, MONITOR, SHUTDOWN).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "conf/config.h"
#include "modules/command.h"
#include "modules/command_index.h"
#include "modules/journal.h"
#include "modules/latency.h"
#include "modules/slowlog.h"
#include "storage/dict.h"
#include "storage/keyspace.h"

namespace firn {

struct ScriptingState;  // modules/scripting.h

// The state of one connection that commands may read or change.
struct ClientInfo {
  enum class ReplyMode : uint8_t { kOn, kOff, kSkip, kSkipNext };

  uint64_t id = 0;
  std::string name;
  std::string lib_name;
  std::string lib_ver;
  std::string addr;   // "ip:port" or "path:0" for unix sockets
  std::string laddr;
  int fd = -1;
  int db = 0;
  Proto proto = Proto::kResp2;
  bool authenticated = false;
  bool monitor = false;
  bool no_evict = false;
  bool close_after_reply = false;  // QUIT, CLIENT KILL of oneself
  ReplyMode reply_mode = ReplyMode::kOn;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  std::string_view last_command = "NULL";
  // MULTI: commands queued for EXEC (copies: the read buffer moves on), and whether a queued
  // command was refused, which aborts the EXEC.
  bool in_multi = false;
  bool multi_error = false;
  std::vector<std::vector<std::string>> queued;
  // Set by the server for CLIENT LIST: buffer sizes.
  size_t query_buffer_bytes = 0;
  size_t output_buffer_bytes = 0;
};

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
  // Closes every client for which pred is true (after its pending replies); returns the count.
  virtual size_t KillClients(const std::function<bool(const ClientInfo&)>& pred) = 0;
  // Starts a graceful shutdown once the current batch is answered.
  virtual void RequestShutdown() = 0;
  // Sends a MONITOR line to every monitoring client.
  virtual bool HasMonitors() const = 0;
  virtual void FeedMonitors(const ClientInfo& from, const std::vector<std::string_view>& argv,
                            int64_t now_us) = 0;
  // CONFIG SET changed setting name (engine.config already holds the new value), for the
  // settings the server layer applies itself (loglevel, maxmemory-policy...).
  virtual void ConfigChanged(std::string_view /*name*/) {}
};

class CommandTable {
 public:
  CommandTable();
  // The command for name (any case), or nullptr.
  const Command* Find(std::string_view name) const { return index_.Find(name); }
  const std::vector<Command>& all() const { return commands_; }
  void ResetStats() const;

 private:
  std::vector<Command> commands_;
  CommandIndex index_;  // by name, for Find (modules/command_index.h)
};

struct Engine {
  explicit Engine(Config config);

  Config config;
  Keyspace keyspace;
  CommandTable commands;
  ServerStats stats;
  RateLimitStats ratelimit;
  ServerHooks* hooks = nullptr;
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
};

inline Db& CommandContext::db() { return engine.keyspace.db(client.db); }
inline Keyspace& CommandContext::keyspace() { return engine.keyspace; }
inline const Config& CommandContext::config() { return engine.config; }
inline void CommandContext::Error(std::string_view message) {
  failed = true;
  reply.Error(message);
}

}  // namespace firn
