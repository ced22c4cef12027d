// Client-side caching (Redis 6's CLIENT TRACKING): the server remembers which keys a client
// read and tells it when they change, so the client can keep them in its own memory.
//
// Two modes, as in Redis 7.0:
//   - default: every key a tracking client reads (a read-only command's keys, per the command's
//     key specs) enters the tracking table, key -> ids of the clients that read it. When the key
//     changes (written, deleted, expired, evicted) each such client gets one invalidation and
//     the key leaves the table, until someone reads it again. OPTIN tracks only the command
//     after CLIENT CACHING YES; OPTOUT tracks all but the command after CLIENT CACHING NO.
//   - BCAST: nothing is remembered per client; the client subscribes to key prefixes ("" for
//     every key) and hears of every changed key under them, batched once per event-loop
//     iteration (FlushBroadcasts), one message per prefix.
// NOLOOP leaves out the changes the client made itself. A flush (FLUSHDB, FLUSHALL) sends every
// tracking client one null invalidation and empties the table.
//
// Messages: a RESP3 client gets the push `>2 invalidate [keys]` (or `>2 invalidate _` for a
// flush). With REDIRECT id they go to that client instead: as a push when it speaks RESP3, as a
// pub/sub message on __redis__:invalidate when it is a RESP2 client in subscribed mode; a
// redirect to a client that is gone marks the redirect broken and tells a RESP3 tracking client
// `>2 tracking-redir-broken id`. An invalidation for the client whose command is running is held
// until that command's reply is built (after EXEC's for a transaction), so it never splits a
// reply; one caused by eviction, or by the table limit, is sent at once.
//
// The table is bounded by tracking-table-max-keys (0: unbounded): past it, keys are invalidated
// (their readers told) until it fits, at most 100 x (rounds over the limit) keys per call, as
// Redis's trackingLimitUsedSlots.
//
// Cost: the tracker joins the mutation signal (kTracking slot) only while a client tracks or
// the table holds keys; execution reaches AfterCommand through the test it already makes for
// MONITOR (ClientRegistry::NeedsAfterCommand), so while nobody tracks a command pays nothing.
//
// Thread-safety: loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "modules/command.h"
#include "storage/observer.h"

namespace firn {

struct Engine;
struct ClientInfo;

class Tracking : public KeyspaceObserver {
 public:
  // A tracking client's options (Redis's CLIENT_TRACKING_* flags).
  enum Option : uint32_t {
    kBcast = 1u << 0,
    kOptIn = 1u << 1,
    kOptOut = 1u << 2,
    kNoLoop = 1u << 3,
    kCaching = 1u << 4,         // CLIENT CACHING given for the next command
    kBrokenRedirect = 1u << 5,  // the redirect client is gone
  };

  explicit Tracking(Engine& engine) : engine_(engine) {}
  Tracking(const Tracking&) = delete;
  Tracking& operator=(const Tracking&) = delete;

  // CLIENT TRACKING ON: validates options (kBcast, kOptIn, kOptOut, kNoLoop) and prefixes
  // against each other and the client's current state, then turns tracking on. Returns
  // std::nullopt on success, else Redis's error text (nothing changed).
  std::optional<std::string> Enable(ClientInfo& client, uint64_t redirect, uint32_t options,
                                    const std::vector<std::string_view>& prefixes);
  // CLIENT TRACKING OFF, RESET and a closing connection. Keys it read stay in the table
  // (as in Redis) and are dropped when they are next invalidated.
  void Disable(ClientInfo& client);
  // CLIENT CACHING YES|NO: nullopt, or Redis's error.
  std::optional<std::string_view> SetCaching(ClientInfo& client, bool yes);

  // For CLIENT TRACKINGINFO / GETREDIR / LIST.
  uint32_t options(const ClientInfo& client) const;
  int64_t redirect(const ClientInfo& client) const;  // -1 when not tracking
  std::vector<std::string> prefixes(const ClientInfo& client) const;

  // INFO: keys in the table, (key, client) pairs, BCAST prefixes, tracking clients.
  size_t total_keys() const { return table_.size(); }
  size_t total_items() const { return items_; }
  size_t total_prefixes() const { return prefixes_.size(); }
  size_t tracking_clients() const { return clients_; }

  // Called by execution after every command run by a client with client.tracking set (also
  // for each command inside EXEC and for a script's commands): remembers a read-only command's
  // keys, and once the top-level command is done sends the invalidations held for it.
  void AfterCommand(ClientInfo& client, const Command& cmd,
                    const std::vector<std::string_view>& argv);
  // Sends the BCAST invalidations collected since the last call (the server calls it once per
  // event-loop iteration, before writing).
  void FlushBroadcasts() {
    if (bcast_pending_) FlushBroadcastsNow();
  }
  // The end-of-iteration work (FlushBroadcasts, and LimitTable while the table is over a
  // lowered limit); the tracker asks for the call through ClientRegistry's
  // RequestEndOfIteration, so an idle server makes none.
  void EndOfIteration() {
    if (loop_work_) EndOfIterationNow();
  }
  // tracking-table-max-keys changed: the next EndOfIteration enforces it.
  void LimitChanged();
  // Enforces tracking-table-max-keys (after keys are added, and from the server once per
  // event-loop iteration, so a lowered limit applies before the next command).
  void LimitTable() {
    if (!table_.empty()) LimitTableNow();
  }

  // FLUSHDB / FLUSHALL: every tracking client gets one null invalidation (once per command,
  // however many databases it empties) and the table empties.
  void Flushed();

  void OnKeyEvent(int db, std::string_view key, KeyEvent event) override;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct ClientState {
    uint32_t options = 0;
    uint64_t redirect = 0;
    std::vector<std::string> prefixes;  // BCAST, in the order given
    bool script_read = false;           // a script of this client ran a read-only command
  };
  struct Bcast {
    std::vector<uint64_t> clients;
    // Keys changed under the prefix since the last flush -> the id of the client that last
    // changed it (0: none, or an expiry/eviction), for NOLOOP. Sorted, as Redis's rax.
    std::map<std::string, uint64_t, std::less<>> keys;
  };
  enum class Cause { kClient, kEviction, kLimit };

  void FlushBroadcastsNow();
  void EndOfIterationNow();
  void LimitTableNow();
  void Invalidate(std::string_view key, Cause cause);
  void InvalidateAllOnFlush();
  void Remember(ClientInfo& client, ClientState& state, const Command& cmd,
                const std::vector<std::string_view>& argv);
  // Sends the invalidation of keys (nullptr: the flush's null) meant for client (tracking),
  // through its redirect if it has one.
  void Deliver(ClientInfo& client, ClientState& state, const std::vector<std::string_view>* keys);
  void FlushPending(ClientInfo& client);
  uint64_t CurrentId() const;
  void UpdateSlot();

  Engine& engine_;
  std::unordered_map<std::string, std::vector<uint64_t>, Hash, std::equal_to<>> table_;
  size_t items_ = 0;
  std::map<std::string, Bcast, std::less<>> prefixes_;
  std::unordered_map<uint64_t, ClientState> states_;  // tracking clients only
  size_t clients_ = 0;
  // Invalidations for the running client, sent after its reply (nullopt: a flush's null).
  std::vector<std::optional<std::string>> pending_;
  uint64_t pending_for_ = 0;
  unsigned limit_rounds_ = 0;
  bool bcast_pending_ = false;  // a BCAST prefix has keys to send
  bool loop_work_ = false;      // EndOfIteration has something to do
  uint64_t last_flush_seq_ = UINT64_MAX;
  std::vector<std::string_view> scratch_;
};

// CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO (rows of CLIENT's subcommands).
std::vector<Command> TrackingClientSubcommands();

}  // namespace firn
