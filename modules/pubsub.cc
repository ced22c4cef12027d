// Pub/sub (modules/pubsub.h has the contract).
//
// Delivery walks the channel's subscribers in the order they subscribed, then every pattern
// (GlobMatch, modules/common.h), as Redis 7.0 does: PUBLISH costs O(subscribers + patterns).
// A message is encoded once per RESP version (and per matching pattern), into buffers kept
// between calls for their capacity, and the same bytes are appended to each subscriber: the
// per-subscriber cost is one append and one "schedule a write" call, not a re-encoding.
// A subscriber's message is appended to its output sink at once; the server writes it with
// that connection's next flush (the registry marks the connection for writing), so a slow
// subscriber costs memory in its own buffer, not time in the publisher's command.
//
// Subscriptions are kept twice, by name and by client, so a disconnect or RESET removes a
// client in O(its subscriptions x subscribers per name) and leaves no entry behind: a name's
// entry goes with its last subscriber.
#include "modules/pubsub.h"

#include <algorithm>
#include <iterator>

#include "modules/common.h"
#include "modules/engine.h"
#include "protocol/errors.h"

namespace firn {

bool PubSub::Subscribe(ClientInfo& client, Kind kind, std::string_view name) {
  ClientSubs& subs = by_client_[&client];
  if (!subs.of[kind].emplace(name).second) return false;
  auto it = names_[kind].find(name);
  if (it == names_[kind].end()) it = names_[kind].emplace(std::string(name), std::vector<ClientInfo*>{}).first;
  it->second.push_back(&client);
  client.subscribed = true;
  return true;
}

bool PubSub::Unsubscribe(ClientInfo& client, Kind kind, std::string_view name) {
  auto c = by_client_.find(&client);
  if (c == by_client_.end()) return false;
  auto s = c->second.of[kind].find(name);
  if (s == c->second.of[kind].end()) return false;
  c->second.of[kind].erase(s);
  auto it = names_[kind].find(name);
  if (it != names_[kind].end()) {
    std::erase(it->second, &client);
    if (it->second.empty()) names_[kind].erase(it);
  }
  if (c->second.total() == 0) {
    by_client_.erase(c);
    client.subscribed = false;
  }
  return true;
}

std::vector<std::string> PubSub::Subscriptions(const ClientInfo& client, Kind kind) const {
  auto c = by_client_.find(&client);
  if (c == by_client_.end()) return {};
  return {c->second.of[kind].begin(), c->second.of[kind].end()};
}

size_t PubSub::Count(const ClientInfo& client, Kind kind) const {
  auto c = by_client_.find(&client);
  return c == by_client_.end() ? 0 : c->second.of[kind].size();
}

void PubSub::Forget(ClientInfo& client) {
  for (Kind kind : {kChannel, kPattern, kShard}) {
    for (const std::string& name : Subscriptions(client, kind)) Unsubscribe(client, kind, name);
  }
  client.subscribed = false;
}

namespace {

// The message frame for one RESP version, built on first use and then appended as the same
// bytes to every subscriber of that version.
struct Frames {
  std::string* bytes;  // [0] RESP2, [1] RESP3; cleared by the caller
  template <typename Build>
  std::string_view For(Proto proto, Build&& build) {
    std::string& f = bytes[proto == Proto::kResp3 ? 1 : 0];
    if (f.empty()) {
      ReplyBuilder r(&f, proto);
      build(r);
    }
    return f;
  }
};

}  // namespace

size_t PubSub::Publish(ClientRegistry& clients, Kind kind, std::string_view channel,
                       std::string_view message) {
  size_t received = 0;
  const std::string_view type = kind == kShard ? "smessage" : "message";
  Frames frames{frames_};
  if (auto it = names_[kind].find(channel); it != names_[kind].end()) {
    frames_[0].clear();
    frames_[1].clear();
    const auto build = [&](ReplyBuilder& r) {
      r.Push(3);
      r.Bulk(type);
      r.Bulk(channel);
      r.Bulk(message);
    };
    for (ClientInfo* c : it->second) clients.Send(*c, frames.For(c->proto, build));
    received += it->second.size();
  }
  if (kind != kChannel) return received;
  for (const auto& entry : names_[kPattern]) {
    const auto& pattern = entry.first;  // a named reference: clang 14 captures no bindings
    if (!GlobMatch(pattern, channel)) continue;
    frames_[0].clear();
    frames_[1].clear();
    const auto build = [&](ReplyBuilder& r) {
      r.Push(4);
      r.Bulk("pmessage");
      r.Bulk(pattern);
      r.Bulk(channel);
      r.Bulk(message);
    };
    for (ClientInfo* c : entry.second) clients.Send(*c, frames.For(c->proto, build));
    received += entry.second.size();
  }
  return received;
}

std::vector<std::string_view> PubSub::Channels(Kind kind, std::string_view pattern,
                                               bool all) const {
  std::vector<std::string_view> out;
  for (const auto& [name, subscribers] : names_[kind]) {
    if (all || GlobMatch(pattern, name)) out.push_back(name);
  }
  return out;
}

size_t PubSub::Subscribers(Kind kind, std::string_view channel) const {
  auto it = names_[kind].find(channel);
  return it == names_[kind].end() ? 0 : it->second.size();
}

namespace {

// The count a (un)subscribe confirmation carries: channels and patterns together, or shard
// channels alone (Redis 7.0).
size_t ConfirmCount(const PubSub& ps, const ClientInfo& c, PubSub::Kind kind) {
  if (kind == PubSub::kShard) return ps.Count(c, PubSub::kShard);
  return ps.Count(c, PubSub::kChannel) + ps.Count(c, PubSub::kPattern);
}

void Confirm(CommandContext& ctx, std::string_view type, const std::string_view* name,
             PubSub::Kind kind) {
  if (ctx.client.reply_mode != ClientInfo::ReplyMode::kOn) ctx.client.reply_pushed = true;
  ctx.reply.Push(3);
  ctx.reply.Bulk(type);
  if (name != nullptr) {
    ctx.reply.Bulk(*name);
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Int(static_cast<int64_t>(ConfirmCount(ctx.engine.pubsub, ctx.client, kind)));
}

void SubscribeTo(CommandContext& ctx, PubSub::Kind kind, std::string_view type) {
  for (size_t i = 1; i < ctx.argc(); ++i) {
    const std::string_view name = ctx.arg(i);
    ctx.engine.pubsub.Subscribe(ctx.client, kind, name);
    Confirm(ctx, type, &name, kind);
  }
}

void UnsubscribeFrom(CommandContext& ctx, PubSub::Kind kind, std::string_view type) {
  PubSub& ps = ctx.engine.pubsub;
  if (ctx.argc() > 1) {
    for (size_t i = 1; i < ctx.argc(); ++i) {
      const std::string_view name = ctx.arg(i);
      ps.Unsubscribe(ctx.client, kind, name);
      Confirm(ctx, type, &name, kind);
    }
    return;
  }
  const std::vector<std::string> names = ps.Subscriptions(ctx.client, kind);
  if (names.empty()) {
    Confirm(ctx, type, nullptr, kind);
    return;
  }
  for (const std::string& n : names) {
    ps.Unsubscribe(ctx.client, kind, n);
    const std::string_view name = n;
    Confirm(ctx, type, &name, kind);
  }
}

// SUBSCRIBE channel [channel ...] -> per channel [subscribe, channel, count]
// (RESP3: push messages); the client then receives [message, channel, payload].
void Subscribe(CommandContext& ctx) { SubscribeTo(ctx, PubSub::kChannel, "subscribe"); }

// PSUBSCRIBE pattern [pattern ...] -> per pattern [psubscribe, pattern, count]; messages
// arrive as [pmessage, pattern, channel, payload].
void PSubscribe(CommandContext& ctx) { SubscribeTo(ctx, PubSub::kPattern, "psubscribe"); }

// SSUBSCRIBE shardchannel [shardchannel ...] -> per channel [ssubscribe, channel, count of
// shard channels]; messages arrive as [smessage, channel, payload]. Refused inside a
// transaction's execution, as Redis refuses it for a client that cannot block.
void SSubscribe(CommandContext& ctx) {
  if (ctx.client.in_multi) {
    ctx.Error(err::kSsubscribeDenyBlocking);
    return;
  }
  SubscribeTo(ctx, PubSub::kShard, "ssubscribe");
}

// UNSUBSCRIBE [channel ...] -> per channel (all of the client's when none is named)
// [unsubscribe, channel, count]; with nothing to leave, [unsubscribe, nil, 0].
void Unsubscribe(CommandContext& ctx) { UnsubscribeFrom(ctx, PubSub::kChannel, "unsubscribe"); }

// PUNSUBSCRIBE [pattern ...] -> as UNSUBSCRIBE, for patterns.
void PUnsubscribe(CommandContext& ctx) {
  UnsubscribeFrom(ctx, PubSub::kPattern, "punsubscribe");
}

// SUNSUBSCRIBE [shardchannel ...] -> as UNSUBSCRIBE, for shard channels.
void SUnsubscribe(CommandContext& ctx) {
  UnsubscribeFrom(ctx, PubSub::kShard, "sunsubscribe");
}

// PUBLISH channel message -> the number of clients that received it.
void Publish(CommandContext& ctx) {
  ctx.reply.Int(static_cast<int64_t>(
      ctx.engine.pubsub.Publish(ctx.engine.clients, PubSub::kChannel, ctx.arg(1), ctx.arg(2))));
}

// SPUBLISH shardchannel message -> the number of clients that received it.
void SPublish(CommandContext& ctx) {
  ctx.reply.Int(static_cast<int64_t>(
      ctx.engine.pubsub.Publish(ctx.engine.clients, PubSub::kShard, ctx.arg(1), ctx.arg(2))));
}

void ListChannels(CommandContext& ctx, PubSub::Kind kind) {
  const bool all = ctx.argc() < 3;
  const auto names = ctx.engine.pubsub.Channels(kind, all ? "" : ctx.arg(2), all);
  ctx.reply.Array(names.size());
  for (std::string_view n : names) ctx.reply.Bulk(n);
}

void CountSubscribers(CommandContext& ctx, PubSub::Kind kind) {
  ctx.reply.Array((ctx.argc() - 2) * 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.reply.Bulk(ctx.arg(i));
    ctx.reply.Int(static_cast<int64_t>(ctx.engine.pubsub.Subscribers(kind, ctx.arg(i))));
  }
}

// PUBSUB CHANNELS [pattern] -> the channels with at least one subscriber (patterns aside).
void PubSubChannels(CommandContext& ctx) { ListChannels(ctx, PubSub::kChannel); }
// PUBSUB NUMSUB [channel ...] -> a flat array: each channel and its subscriber count.
void PubSubNumSub(CommandContext& ctx) { CountSubscribers(ctx, PubSub::kChannel); }
// PUBSUB NUMPAT -> the number of distinct patterns subscribed to.
void PubSubNumPat(CommandContext& ctx) {
  ctx.reply.Int(static_cast<int64_t>(ctx.engine.pubsub.Patterns()));
}
// PUBSUB SHARDCHANNELS [pattern] -> the shard channels with at least one subscriber.
void PubSubShardChannels(CommandContext& ctx) { ListChannels(ctx, PubSub::kShard); }
// PUBSUB SHARDNUMSUB [shardchannel ...] -> each shard channel and its subscriber count.
void PubSubShardNumSub(CommandContext& ctx) { CountSubscribers(ctx, PubSub::kShard); }

// PUBSUB HELP -> the subcommands, as status lines (Redis's text).
void PubSubHelp(CommandContext& ctx) {
  constexpr std::string_view kLines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: '*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.Array(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.Simple(line);
}

std::vector<Command> PubSubSubcommands() {
  constexpr uint32_t kF = kPubSub | kLoading | kStale;
  return {
      {.name = "pubsub|channels", .arity = -2, .flags = kF, .run = PubSubChannels, .group = "pubsub",
       .since = "2.8.0", .summary = "Lists the channels that have subscribers.",
       .syntax = "[pattern]"},
      {.name = "pubsub|numpat", .arity = 2, .flags = kF, .run = PubSubNumPat, .group = "pubsub",
       .since = "2.8.0", .summary = "Counts the distinct subscribed patterns.", .syntax = ""},
      {.name = "pubsub|numsub", .arity = -2, .flags = kF, .run = PubSubNumSub, .group = "pubsub",
       .since = "2.8.0", .summary = "Counts the subscribers of channels.",
       .syntax = "[channel [channel ...]]"},
      {.name = "pubsub|shardchannels", .arity = -2, .flags = kF, .run = PubSubShardChannels,
       .group = "pubsub", .since = "7.0.0",
       .summary = "Lists the shard channels that have subscribers.", .syntax = "[pattern]"},
      {.name = "pubsub|shardnumsub", .arity = -2, .flags = kF, .run = PubSubShardNumSub,
       .group = "pubsub", .since = "7.0.0",
       .summary = "Counts the subscribers of shard channels.",
       .syntax = "[shardchannel [shardchannel ...]]"},
      {.name = "pubsub|help", .arity = 2, .flags = kLoading | kStale, .run = PubSubHelp,
       .group = "pubsub", .since = "6.2.0", .summary = "Lists the PUBSUB subcommands.",
       .syntax = ""},
  };
}

}  // namespace

std::vector<Command> PubSubCommands() {
  constexpr uint32_t kSub = kPubSub | kNoScript | kLoading | kStale;
  constexpr uint32_t kPub = kPubSub | kLoading | kStale | kFast;
  return {
      {.name = "subscribe", .arity = -2, .flags = kSub, .run = Subscribe, .group = "pubsub",
       .since = "2.0.0", .summary = "Listens for messages published to channels.",
       .syntax = "channel [channel ...]"},
      {.name = "psubscribe", .arity = -2, .flags = kSub, .run = PSubscribe, .group = "pubsub",
       .since = "2.0.0", .summary = "Listens for messages published to channels matching patterns.",
       .syntax = "pattern [pattern ...]"},
      {.name = "ssubscribe", .arity = -2, .flags = kSub, .keys = {1, -1, 1}, .run = SSubscribe,
       .group = "pubsub", .since = "7.0.0",
       .summary = "Listens for messages published to shard channels.",
       .syntax = "shardchannel [shardchannel ...]"},
      {.name = "unsubscribe", .arity = -1, .flags = kSub, .run = Unsubscribe, .group = "pubsub",
       .since = "2.0.0", .summary = "Stops listening to channels (all of them if none named).",
       .syntax = "[channel [channel ...]]"},
      {.name = "punsubscribe", .arity = -1, .flags = kSub, .run = PUnsubscribe,
       .group = "pubsub", .since = "2.0.0",
       .summary = "Stops listening to patterns (all of them if none named).",
       .syntax = "[pattern [pattern ...]]"},
      {.name = "sunsubscribe", .arity = -1, .flags = kSub, .keys = {1, -1, 1},
       .run = SUnsubscribe, .group = "pubsub", .since = "7.0.0",
       .summary = "Stops listening to shard channels (all of them if none named).",
       .syntax = "[shardchannel [shardchannel ...]]"},
      {.name = "publish", .arity = 3, .flags = kPub, .run = Publish, .group = "pubsub",
       .since = "2.0.0", .summary = "Sends a message to a channel's subscribers.",
       .syntax = "channel message"},
      {.name = "spublish", .arity = 3, .flags = kPub, .keys = {1, 1, 1}, .run = SPublish,
       .group = "pubsub", .since = "7.0.0",
       .summary = "Sends a message to a shard channel's subscribers.",
       .syntax = "shardchannel message"},
      {.name = "pubsub", .arity = -2, .flags = 0, .run = RunSubcommand, .group = "pubsub",
       .since = "2.8.0", .summary = "Inspects pub/sub state (see its subcommands).",
       .syntax = "", .subcommands = PubSubSubcommands()},
  };
}

}  // namespace firn
