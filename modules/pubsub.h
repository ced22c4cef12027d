// Pub/sub: SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, their UNSUBSCRIBE forms, PUBLISH, SPUBLISH and
// PUBSUB's introspection, with Redis 7.0's replies.
//
// PubSub holds who listens to what: channel -> subscribers, pattern -> subscribers, shard
// channel -> subscribers, and per client its own sets (for UNSUBSCRIBE with no argument, the
// counts in every reply, and a disconnect). Messages go to the subscribers' output sinks
// through the client registry (modules/client.h), encoded in each subscriber's RESP version:
// arrays in RESP2, push messages in RESP3. Admission (modules/dispatch.cc) enforces RESP2's
// subscribed mode, where only (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET run.
//
// Thread-safety: loop thread only.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "modules/command.h"

namespace firn {

class ClientRegistry;

class PubSub {
 public:
  enum Kind : int { kChannel = 0, kPattern = 1, kShard = 2 };

  PubSub() = default;
  PubSub(const PubSub&) = delete;
  PubSub& operator=(const PubSub&) = delete;

  // Adds (removes) client's subscription to name; false if it was already (was not) there.
  // Keeps client.subscribed true while it has any subscription.
  bool Subscribe(ClientInfo& client, Kind kind, std::string_view name);
  bool Unsubscribe(ClientInfo& client, Kind kind, std::string_view name);
  // client's subscriptions of kind, sorted.
  std::vector<std::string> Subscriptions(const ClientInfo& client, Kind kind) const;
  size_t Count(const ClientInfo& client, Kind kind) const;
  // Drops every subscription of client without a reply (RESET sends its own; a closed
  // connection none).
  void Forget(ClientInfo& client);

  // Sends message to the subscribers of channel (kChannel: also to the clients whose pattern
  // matches it; kShard: shard subscribers only). Returns how many clients received it.
  size_t Publish(ClientRegistry& clients, Kind kind, std::string_view channel,
                 std::string_view message);

  // PUBSUB: the active channels (kChannel or kShard) matching pattern (all if empty), the
  // subscribers of one, and the number of distinct patterns.
  std::vector<std::string_view> Channels(Kind kind, std::string_view pattern, bool all) const;
  size_t Subscribers(Kind kind, std::string_view channel) const;
  size_t Patterns() const { return names_[kPattern].size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Names = std::unordered_map<std::string, std::vector<ClientInfo*>, Hash, std::equal_to<>>;
  struct ClientSubs {
    std::set<std::string, std::less<>> of[3];
    size_t total() const { return of[0].size() + of[1].size() + of[2].size(); }
  };

  Names names_[3];
  std::unordered_map<const ClientInfo*, ClientSubs> by_client_;
  std::string frames_[2];  // Publish's encoded message, RESP2 and RESP3, kept for capacity
};

std::vector<Command> PubSubCommands();

}  // namespace firn
