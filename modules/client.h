// Clients: the engine's side of a connection, apart from its socket.
//
// A ClientInfo is what commands may read or change about the client that sent them (database,
// RESP version, name, auth, MULTI state, reply mode, flags) plus its output sink: the buffer the
// server writes to the client's socket, and the RESP version replies to it are encoded in. The
// server layer keeps only the socket, the read buffer and the parser in its Connection.
//
// The ClientRegistry, owned by the Engine, holds every connected client by id, so the engine
// can write to a client other than the one whose command is running: MONITOR lines today,
// pub/sub messages, woken blocking pops and tracking invalidations later. It is not on the
// SET/GET path: dispatch asks it one inline question per command (HasMonitors, a size check).
//
// Thread-safety: loop thread only, as the rest of the engine.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply.h"

namespace firn {

struct ClientInfo;
struct AclUser;  // modules/acl.h

// Where the engine writes to one client. The server binds it to the connection's output buffer
// and unbinds it (buffer null) when the connection closes; writes to an unbound sink are
// dropped.
struct OutputSink {
  std::string* buffer = nullptr;
  void* owner = nullptr;  // the server's connection, handed back to ClientOutputOwner
};

// Implemented by the server layer (absent when the engine runs in-process).
class ClientOutputOwner {
 public:
  virtual ~ClientOutputOwner() = default;
  // The engine appended to client's sink outside that client's own command: schedule a write.
  virtual void OutputReady(ClientInfo& client) = 0;
  // Brings client's buffer figures (query_buffer_*, output_buffer_bytes) up to date.
  virtual void RefreshBufferStats(ClientInfo& client) = 0;
  // The engine has work for the end of this event-loop iteration, before replies are written
  // (client-side caching's BCAST messages): call Engine's tracking.EndOfIteration() then.
  virtual void RequestEndOfIteration() {}
  // client, blocked (ClientInfo::blocked) since one of its commands, is unblocked: the rest of
  // its pipeline may run (after the running command; never from inside this call).
  virtual void Unblocked(ClientInfo& /*client*/) {}
};

// The state of one client that commands may read or change.
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
  // The ACL user the client acts as (modules/acl.h); nullptr: the default user.
  std::shared_ptr<AclUser> user;
  // Flags (CLIENT LIST letters O, b, P, t, e). Set monitor through ClientRegistry::SetMonitor.
  bool monitor = false;
  // Waiting in a blocking command or postponed by CLIENT PAUSE (modules/blocking.h): the
  // server runs no more of its pipeline until it is unblocked.
  bool blocked = false;
  bool subscribed = false;  // has a channel, pattern or shard-channel subscription
  bool tracking = false;    // CLIENT TRACKING on (modules/tracking.h holds the rest)
  bool no_evict = false;
  bool close_after_reply = false;  // QUIT, CLIENT KILL of oneself
  ReplyMode reply_mode = ReplyMode::kOn;
  // Set by a command whose reply is pub/sub confirmations while reply_mode is not kOn: as in
  // Redis, CLIENT REPLY OFF/SKIP do not drop those. Dispatch clears it.
  bool reply_pushed = false;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  std::string_view last_command = "NULL";
  // MULTI: commands queued for EXEC (copies: the read buffer moves on), and whether a queued
  // command was refused, which aborts the EXEC.
  bool in_multi = false;
  bool multi_error = false;
  std::vector<std::vector<std::string>> queued;
  OutputSink sink;
  // Buffer figures, as of the server's last update (RefreshBufferStats): the query buffer's
  // bytes held (Redis's qbuf) and allocated but free (qbuf-free), and the output not yet
  // taken by the socket, in bytes (omem). The server updates output_buffer_bytes after every
  // batch and write, and the registry's writes add to it, so output limits can be checked.
  size_t query_buffer_bytes = 0;
  size_t query_buffer_free = 0;
  size_t output_buffer_bytes = 0;
};

// Redis's client classes (CLIENT LIST/KILL TYPE, client-output-buffer-limit). MONITOR clients
// are normal, as in Redis; Firn has no replicas or masters yet.
enum class ClientType : uint8_t { kNormal, kReplica, kPubSub, kMaster };
inline ClientType TypeOf(const ClientInfo& c) {
  return c.subscribed ? ClientType::kPubSub : ClientType::kNormal;
}

class ClientRegistry {
 public:
  ClientRegistry() = default;
  ClientRegistry(const ClientRegistry&) = delete;
  ClientRegistry& operator=(const ClientRegistry&) = delete;
  ClientRegistry(ClientRegistry&&) = default;  // clients stay where they are
  ClientRegistry& operator=(ClientRegistry&&) = default;

  // The server side, which hears of writes to sinks and refreshes buffer figures; nullptr
  // (the default) when the engine runs in-process.
  void set_owner(ClientOutputOwner* owner) { owner_ = owner; }
  // The wall clock in microseconds for MONITOR lines; without one, the time passed to
  // FeedMonitors is used (tests).
  void set_realtime_us(int64_t (*clock)()) { realtime_us_ = clock; }

  // Called by Remove before a client is forgotten, so the engine can drop what it holds for
  // it (watched keys, subscriptions).
  void set_on_remove(std::function<void(ClientInfo&)> fn) { on_remove_ = std::move(fn); }

  // A new client with the next id (ids start at 1 and are never reused), owned by the
  // registry until Remove.
  ClientInfo& Add();
  // Forgets client (its MONITOR registration, and through on_remove its watched keys and
  // subscriptions); the reference dies here.
  void Remove(ClientInfo& client);
  // The client with this id, or nullptr.
  ClientInfo* Find(uint64_t id);
  size_t size() const { return clients_.size(); }
  // Calls fn(ClientInfo&) for every client, in id (connection) order.
  template <typename Fn>
  void ForEach(Fn&& fn) {
    for (auto& [id, c] : clients_) fn(*c);
  }

  // Appends bytes already encoded as RESP to client's sink (dropped if unbound) and tells the
  // server. The bytes count toward client.output_buffer_bytes.
  void Send(ClientInfo& client, std::string_view resp);
  // Builds a reply in client's RESP version with build(ReplyBuilder&) into its sink.
  template <typename Fn>
  void SendReply(ClientInfo& client, Fn&& build) {
    if (client.sink.buffer == nullptr) return;
    const size_t before = client.sink.buffer->size();
    ReplyBuilder reply(client.sink.buffer, client.proto);
    build(reply);
    Wrote(client, client.sink.buffer->size() - before);
  }
  void RequestEndOfIteration() {
    if (owner_ != nullptr) owner_->RequestEndOfIteration();
  }
  // After appending bytes to client's sink directly: counts them and tells the server.
  void NoteWritten(ClientInfo& client, size_t bytes) { Wrote(client, bytes); }
  // Tells the server client was unblocked (ClientOutputOwner::Unblocked).
  void NotifyUnblocked(ClientInfo& client) {
    if (owner_ != nullptr && client.sink.owner != nullptr) owner_->Unblocked(client);
  }
  void RefreshBufferStats(ClientInfo& client) {
    if (owner_ != nullptr && client.sink.owner != nullptr) owner_->RefreshBufferStats(client);
  }

  // The client whose batch of commands the server is running (nullptr between batches and
  // in-process): tracking's NOLOOP and the order of a client's own invalidations use it.
  void set_current(ClientInfo* client) { current_ = client; }
  ClientInfo* current() const { return current_; }

  // MONITOR: client starts (on) or stops receiving a line per command.
  void SetMonitor(ClientInfo& client, bool on);
  bool HasMonitors() const { return !monitors_.empty(); }
  // Whether execution has after-command work for someone: a MONITOR, or a client tracking
  // keys (modules/tracking.h counts those through CountTracking). One test per command
  // stands for both.
  bool NeedsAfterCommand() const { return after_command_users_ != 0; }
  void CountTracking(int delta) { after_command_users_ += delta; }
  // Sends every monitoring client but `from` the MONITOR line for argv, run by from:
  // "+<seconds>.<micros> [<db> <addr>] "arg" "arg"...", arguments quoted as Redis quotes them.
  void FeedMonitors(const ClientInfo& from, const std::vector<std::string_view>& argv,
                    int64_t now_us);

 private:
  void Wrote(ClientInfo& client, size_t bytes);

  std::map<uint64_t, std::unique_ptr<ClientInfo>> clients_;
  std::vector<ClientInfo*> monitors_;
  uint64_t next_id_ = 1;
  ClientOutputOwner* owner_ = nullptr;
  ClientInfo* current_ = nullptr;
  int after_command_users_ = 0;  // monitors + tracking clients
  std::function<void(ClientInfo&)> on_remove_;
  int64_t (*realtime_us_)() = nullptr;
  std::string line_;  // the MONITOR line being built, kept to reuse its capacity
};

}  // namespace firn
