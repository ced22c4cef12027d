// Client-side caching (modules/tracking.h has the contract).
//
// Two tables, as Redis 7.0's tracking.c keeps them, in plain containers instead of radix trees:
//   - table_: key -> the ids of the clients that read it since it last changed. A change takes
//     the whole entry out and tells those clients; ids of clients that have gone or stopped
//     tracking are skipped then (Redis does not clean them up eagerly either, and neither does
//     Firn: turning tracking off costs nothing per key read).
//   - prefixes_: BCAST prefix -> its clients and the keys changed under it since the last
//     event-loop iteration; FlushBroadcasts sends one message per prefix and client.
// Keys are shared by every database, as in Redis: a client caching key "a" of db 0 hears of a
// change to "a" in db 1 too (a spurious invalidation is harmless; a missed one is not).
//
// Ordering: an invalidation for the client whose command is running is held in pending_ and
// sent once the command (the whole EXEC or script) has built its reply, so a reply is never
// split; eviction and the table limit send at once, before the reply of the command whose
// admission evicted.
//
// Cost: while no client tracks and the table is empty the tracker is off the mutation signal.
// While on, a change costs one hash lookup, plus one prefix comparison per BCAST prefix.
// Reads cost one lookup per key, only for tracking clients.
#include "modules/tracking.h"

#include <algorithm>

#include "modules/args.h"
#include "modules/command_docs.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "protocol/errors.h"

namespace firn {
namespace {

constexpr std::string_view kInvalidateChannel = "__redis__:invalidate";
// Keys invalidated per LimitTable call, times the calls in a row that found the table too big.
constexpr size_t kLimitEffortStep = 100;

// Whether one of a and b is a prefix of the other (Redis's stringCheckPrefix).
bool Overlaps(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  return a.substr(0, n) == b.substr(0, n);
}

bool IsScriptCall(std::string_view name) {
  return name == "eval" || name == "evalsha" || name == "eval_ro" || name == "evalsha_ro" ||
         name == "fcall" || name == "fcall_ro";
}

}  // namespace

uint64_t Tracking::CurrentId() const {
  const ClientInfo* c = engine_.clients.current();
  return c != nullptr ? c->id : 0;
}

void Tracking::UpdateSlot() {
  const bool on = clients_ > 0 || !table_.empty();
  engine_.observers.Set(KeyspaceFanout::kTracking, on ? this : nullptr);
}

std::optional<std::string> Tracking::Enable(ClientInfo& client, uint64_t redirect,
                                            uint32_t options,
                                            const std::vector<std::string_view>& prefixes) {
  auto found = states_.find(client.id);
  ClientState* current = client.tracking && found != states_.end() ? &found->second : nullptr;
  const uint32_t old = current != nullptr ? current->options : 0;
  if (!(options & kBcast) && !prefixes.empty()) {
    return std::string(err::kTrackingPrefixNeedsBcast);
  }
  if (current != nullptr && ((old & kBcast) != 0) != ((options & kBcast) != 0)) {
    return std::string(err::kTrackingBcastSwitch);
  }
  if ((options & kBcast) && (options & (kOptIn | kOptOut))) {
    return std::string(err::kTrackingOptWithBcast);
  }
  if ((options & kOptIn) && (options & kOptOut)) return std::string(err::kTrackingOptInAndOut);
  if (((options & kOptIn) && (old & kOptOut)) || ((options & kOptOut) && (old & kOptIn))) {
    return std::string(err::kTrackingOptSwitch);
  }
  if (options & kBcast) {
    for (size_t i = 0; i < prefixes.size(); ++i) {
      if (current != nullptr) {
        for (const std::string& have : current->prefixes) {
          if (Overlaps(have, prefixes[i])) {
            return err::Format(err::kTrackingPrefixOverlapsExisting, {prefixes[i], have});
          }
        }
      }
      for (size_t j = i + 1; j < prefixes.size(); ++j) {
        if (Overlaps(prefixes[i], prefixes[j])) {
          return err::Format(err::kTrackingPrefixOverlapsOther, {prefixes[i], prefixes[j]});
        }
      }
    }
  }

  if (!client.tracking) {
    ++clients_;
    client.tracking = true;
    engine_.clients.CountTracking(1);
  }
  ClientState& state = states_[client.id];
  state.options = (state.options & kCaching) | (options & (kBcast | kOptIn | kOptOut | kNoLoop));
  state.redirect = redirect;
  if (options & kBcast) {
    auto add = [&](std::string_view prefix) {
      if (std::find(state.prefixes.begin(), state.prefixes.end(), prefix) !=
          state.prefixes.end()) {
        return;
      }
      state.prefixes.emplace_back(prefix);
      auto it = prefixes_.find(prefix);
      if (it == prefixes_.end()) it = prefixes_.emplace(std::string(prefix), Bcast{}).first;
      it->second.clients.push_back(client.id);
    };
    if (prefixes.empty()) add("");
    for (std::string_view p : prefixes) add(p);
  }
  UpdateSlot();
  return std::nullopt;
}

void Tracking::Disable(ClientInfo& client) {
  if (pending_for_ == client.id) {
    pending_.clear();
    pending_for_ = 0;
  }
  if (!client.tracking) return;
  client.tracking = false;
  --clients_;
  engine_.clients.CountTracking(-1);
  auto it = states_.find(client.id);
  if (it != states_.end()) {
    for (const std::string& prefix : it->second.prefixes) {
      auto p = prefixes_.find(prefix);
      if (p == prefixes_.end()) continue;
      std::erase(p->second.clients, client.id);
      if (p->second.clients.empty()) prefixes_.erase(p);
    }
    states_.erase(it);
  }
  UpdateSlot();
}

std::optional<std::string_view> Tracking::SetCaching(ClientInfo& client, bool yes) {
  auto it = states_.find(client.id);
  if (!client.tracking || it == states_.end()) return err::kCachingNotTracking;
  ClientState& state = it->second;
  if (yes && !(state.options & kOptIn)) return err::kCachingYesNeedsOptin;
  if (!yes && !(state.options & kOptOut)) return err::kCachingNoNeedsOptout;
  state.options |= kCaching;
  return std::nullopt;
}

uint32_t Tracking::options(const ClientInfo& client) const {
  auto it = states_.find(client.id);
  return client.tracking && it != states_.end() ? it->second.options : 0;
}

int64_t Tracking::redirect(const ClientInfo& client) const {
  auto it = states_.find(client.id);
  if (!client.tracking || it == states_.end()) return -1;
  return static_cast<int64_t>(it->second.redirect);
}

std::vector<std::string> Tracking::prefixes(const ClientInfo& client) const {
  auto it = states_.find(client.id);
  if (!client.tracking || it == states_.end()) return {};
  return it->second.prefixes;
}

void Tracking::Remember(ClientInfo& client, ClientState& state, const Command& cmd,
                        const std::vector<std::string_view>& argv) {
  const uint32_t o = state.options;
  if (o & kBcast) return;
  if (((o & kOptIn) && !(o & kCaching)) || ((o & kOptOut) && (o & kCaching))) return;
  // Shard channels are keys for COMMAND's sake only.
  if (cmd.flags & kPubSub) return;
  if (cmd.meta == nullptr) return;
  bool added = false;
  for (size_t pos : KeyPositions(cmd.meta->key_specs, argv.size(), argv)) {
    auto it = table_.find(argv[pos]);
    if (it == table_.end()) it = table_.emplace(std::string(argv[pos]), std::vector<uint64_t>{}).first;
    std::vector<uint64_t>& ids = it->second;
    if (std::find(ids.begin(), ids.end(), client.id) == ids.end()) {
      ids.push_back(client.id);
      ++items_;
      added = true;
    }
  }
  if (added) LimitTable();
}

void Tracking::AfterCommand(ClientInfo& client, const Command& cmd,
                            const std::vector<std::string_view>& argv) {
  auto it = states_.find(client.id);
  if (it == states_.end()) return;
  ClientState& state = it->second;
  ClientInfo* registered = engine_.clients.Find(client.id);
  if (registered != &client) {
    // A script's command (the script runs as its own client with the caller's id): as in
    // Redis, a read there tracks the keys the script declared, once it returns.
    if (cmd.flags & kReadOnly) state.script_read = true;
    return;
  }
  if (IsScriptCall(cmd.name)) {
    if (state.script_read) Remember(client, state, cmd, argv);
    state.script_read = false;
  } else if (cmd.flags & kReadOnly) {
    Remember(client, state, cmd, argv);
  }
  if (client.in_multi) return;  // inside EXEC: its reply is not complete yet
  // CLIENT CACHING covers the next command (or transaction); CLIENT's own subcommands keep it.
  if (!cmd.name.starts_with("client|")) state.options &= ~kCaching;
  if (pending_for_ == client.id && !pending_.empty()) FlushPending(client);
}

void Tracking::FlushPending(ClientInfo& client) {
  std::vector<std::optional<std::string>> pending;
  pending.swap(pending_);
  pending_for_ = 0;
  auto it = states_.find(client.id);
  if (it == states_.end()) return;
  for (const std::optional<std::string>& key : pending) {
    if (key) {
      scratch_.assign(1, *key);
      Deliver(client, it->second, &scratch_);
    } else {
      Deliver(client, it->second, nullptr);
    }
  }
}

void Tracking::Deliver(ClientInfo& client, ClientState& state,
                       const std::vector<std::string_view>* keys) {
  ClientInfo* dest = &client;
  bool redirected = false;
  if (state.redirect != 0) {
    dest = engine_.clients.Find(state.redirect);
    if (dest == nullptr) {
      state.options |= kBrokenRedirect;
      if (client.proto == Proto::kResp3) {
        engine_.clients.SendReply(client, [&](ReplyBuilder& r) {
          r.Push(2);
          r.Bulk("tracking-redir-broken");
          r.Int(static_cast<int64_t>(state.redirect));
        });
      }
      return;
    }
    redirected = true;
  }
  const bool push = dest->proto == Proto::kResp3;
  if (!push && !(redirected && dest->subscribed)) return;  // RESP2 has no way to say it
  const Proto null_proto = client.proto;
  engine_.clients.SendReply(*dest, [&](ReplyBuilder& r) {
    if (push) {
      r.Push(2);
      r.Bulk("invalidate");
    } else {
      r.Push(3);
      r.Bulk("message");
      r.Bulk(kInvalidateChannel);
    }
    if (keys == nullptr) {
      // The tracking client's null, as Redis writes it.
      r.Raw(null_proto == Proto::kResp3 ? "_\r\n" : "$-1\r\n");
      return;
    }
    r.Array(keys->size());
    for (std::string_view k : *keys) r.Bulk(k);
  });
}

void Tracking::Invalidate(std::string_view key, Cause cause) {
  const uint64_t current = CurrentId();
  if (!prefixes_.empty()) {
    const uint64_t modifier = cause == Cause::kClient ? current : 0;
    for (auto& [prefix, bcast] : prefixes_) {
      if (key.starts_with(prefix)) {
        auto k = bcast.keys.find(key);
        if (!loop_work_) engine_.clients.RequestEndOfIteration();
        bcast_pending_ = true;
        loop_work_ = true;
        if (k == bcast.keys.end()) {
          bcast.keys.emplace(std::string(key), modifier);
        } else {
          k->second = modifier;
        }
      }
    }
  }
  auto it = table_.find(key);
  if (it == table_.end()) return;
  std::vector<uint64_t> ids = std::move(it->second);
  // The key's memory may be the table's: keep a copy past the erase.
  const std::string name(key);
  items_ -= ids.size();
  table_.erase(it);
  for (uint64_t id : ids) {
    ClientInfo* target = engine_.clients.Find(id);
    auto s = states_.find(id);
    if (target == nullptr || !target->tracking || s == states_.end()) continue;
    ClientState& state = s->second;
    // A client that switched to BCAST does not hear of keys it read before.
    if (state.options & kBcast) continue;
    if ((state.options & kNoLoop) && cause != Cause::kLimit && id == current) continue;
    if (cause == Cause::kClient && id == current) {
      pending_for_ = id;
      pending_.emplace_back(name);
      continue;
    }
    scratch_.assign(1, name);
    Deliver(*target, state, &scratch_);
  }
  if (table_.empty()) UpdateSlot();
}

void Tracking::InvalidateAllOnFlush() {
  const uint64_t current = CurrentId();
  for (auto& [id, state] : states_) {
    ClientInfo* c = engine_.clients.Find(id);
    if (c == nullptr || !c->tracking) continue;
    if (id == current) {
      pending_for_ = id;
      pending_.emplace_back(std::nullopt);
    } else {
      Deliver(*c, state, nullptr);
    }
  }
  table_.clear();
  items_ = 0;
  UpdateSlot();
}

void Tracking::FlushBroadcastsNow() {
  bcast_pending_ = false;
  std::vector<std::string_view> keys;
  for (auto& [prefix, bcast] : prefixes_) {
    if (bcast.keys.empty()) continue;
    for (uint64_t id : bcast.clients) {
      ClientInfo* c = engine_.clients.Find(id);
      auto s = states_.find(id);
      if (c == nullptr || !c->tracking || s == states_.end()) continue;
      ClientState& state = s->second;
      if (!(state.options & kBcast)) continue;
      keys.clear();
      for (const auto& [key, modifier] : bcast.keys) {
        if ((state.options & kNoLoop) && modifier == id) continue;
        keys.push_back(key);
      }
      if (!keys.empty()) Deliver(*c, state, &keys);
    }
    bcast.keys.clear();
  }
}

void Tracking::LimitChanged() {
  if (!loop_work_) engine_.clients.RequestEndOfIteration();
  loop_work_ = true;
}

void Tracking::EndOfIterationNow() {
  loop_work_ = false;
  FlushBroadcasts();
  LimitTable();
}

void Tracking::LimitTableNow() {
  const uint64_t max_keys = engine_.config.tracking_table_max_keys;
  if (max_keys == 0 || table_.size() <= max_keys) {
    limit_rounds_ = 0;
    return;
  }
  size_t effort = kLimitEffortStep * (limit_rounds_ + 1);
  while (effort-- > 0 && !table_.empty()) {
    const std::string key = table_.begin()->first;
    Invalidate(key, Cause::kLimit);
    if (table_.size() <= max_keys) {
      limit_rounds_ = 0;
      return;
    }
  }
  ++limit_rounds_;
  // Still over: more next iteration, with more effort.
  if (!loop_work_) engine_.clients.RequestEndOfIteration();
  loop_work_ = true;
}

void Tracking::Flushed() {
  // FLUSHALL signals each database it empties: one null per command, as Redis sends.
  const uint64_t seq = engine_.stats.total_commands_processed;
  if (seq == last_flush_seq_) return;
  last_flush_seq_ = seq;
  InvalidateAllOnFlush();
}

void Tracking::OnKeyEvent(int /*db*/, std::string_view key, KeyEvent event) {
  switch (event) {
    case KeyEvent::kWrite:
    case KeyEvent::kDelete:
    case KeyEvent::kExpired:
      Invalidate(key, Cause::kClient);
      return;
    case KeyEvent::kEvicted:
      Invalidate(key, Cause::kEviction);
      return;
    case KeyEvent::kFlush:
      Flushed();
      return;
    case KeyEvent::kSwap:
    case KeyEvent::kNew:
    case KeyEvent::kMiss:
      return;
  }
}

// ---- CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO ----

namespace {

// CLIENT TRACKING <ON | OFF> [REDIRECT id] [PREFIX prefix ...] [BCAST] [OPTIN] [OPTOUT]
// [NOLOOP] -> OK.
void ClientTracking(CommandContext& ctx) {
  int64_t redirect = 0;
  uint32_t options = 0;
  std::vector<std::string_view> prefixes;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    const std::string_view opt = ctx.arg(j);
    const bool more = j + 1 < ctx.argc();
    if (EqualsNoCase(opt, "REDIRECT") && more) {
      ++j;
      if (redirect != 0) return ctx.Error(err::kTrackingRedirectTwice);
      if (!ParseInt64(ctx.arg(j), &redirect)) return ctx.Error(err::kNotInteger);
      // Redis looks the id up as given: 0 or a negative id names no client.
      if (redirect <= 0 || ctx.engine.clients.Find(static_cast<uint64_t>(redirect)) == nullptr) {
        return ctx.Error(err::kTrackingRedirectMissing);
      }
    } else if (EqualsNoCase(opt, "BCAST")) {
      options |= Tracking::kBcast;
    } else if (EqualsNoCase(opt, "OPTIN")) {
      options |= Tracking::kOptIn;
    } else if (EqualsNoCase(opt, "OPTOUT")) {
      options |= Tracking::kOptOut;
    } else if (EqualsNoCase(opt, "NOLOOP")) {
      options |= Tracking::kNoLoop;
    } else if (EqualsNoCase(opt, "PREFIX") && more) {
      prefixes.push_back(ctx.arg(++j));
    } else {
      return ctx.Error(err::kSyntax);
    }
  }
  const std::string_view mode = ctx.arg(2);
  if (EqualsNoCase(mode, "ON")) {
    if (auto error = ctx.engine.tracking.Enable(ctx.client, static_cast<uint64_t>(redirect),
                                                options, prefixes)) {
      return ctx.Error(*error);
    }
  } else if (EqualsNoCase(mode, "OFF")) {
    ctx.engine.tracking.Disable(ctx.client);
  } else {
    return ctx.Error(err::kSyntax);
  }
  ctx.reply.Ok();
}

// CLIENT CACHING YES|NO -> OK; the next command's keys are tracked (OPTIN) or not (OPTOUT).
void ClientCaching(CommandContext& ctx) {
  const std::string_view opt = ctx.arg(2);
  bool yes;
  if (!ctx.client.tracking) return ctx.Error(err::kCachingNotTracking);
  if (EqualsNoCase(opt, "YES")) {
    yes = true;
  } else if (EqualsNoCase(opt, "NO")) {
    yes = false;
  } else {
    return ctx.Error(err::kSyntax);
  }
  if (auto error = ctx.engine.tracking.SetCaching(ctx.client, yes)) return ctx.Error(*error);
  ctx.reply.Ok();
}

// CLIENT GETREDIR -> the redirect client's id, 0 when not redirecting, -1 when not tracking.
void ClientGetRedir(CommandContext& ctx) { ctx.reply.Int(ctx.engine.tracking.redirect(ctx.client)); }

// CLIENT TRACKINGINFO -> {flags: set of words, redirect: id, prefixes: array}.
void ClientTrackingInfo(CommandContext& ctx) {
  const Tracking& t = ctx.engine.tracking;
  const uint32_t o = t.options(ctx.client);
  std::vector<std::string_view> flags;
  flags.push_back(ctx.client.tracking ? "on" : "off");
  if (o & Tracking::kBcast) flags.push_back("bcast");
  if (o & Tracking::kOptIn) {
    flags.push_back("optin");
    if (o & Tracking::kCaching) flags.push_back("caching-yes");
  }
  if (o & Tracking::kOptOut) {
    flags.push_back("optout");
    if (o & Tracking::kCaching) flags.push_back("caching-no");
  }
  if (o & Tracking::kNoLoop) flags.push_back("noloop");
  if (o & Tracking::kBrokenRedirect) flags.push_back("broken_redirect");
  const std::vector<std::string> prefixes = t.prefixes(ctx.client);
  ReplyBuilder& r = ctx.reply;
  r.Map(3);
  r.Bulk("flags");
  r.Set(flags.size());
  for (std::string_view f : flags) r.Bulk(f);
  r.Bulk("redirect");
  r.Int(t.redirect(ctx.client));
  r.Bulk("prefixes");
  r.Array(prefixes.size());
  for (const std::string& p : prefixes) r.Bulk(p);
}

constexpr uint32_t kConnFlags = kNoScript | kLoading | kStale;

}  // namespace

// clang-format off
std::vector<Command> TrackingClientSubcommands() {
  return {
      {.name = "client|tracking", .arity = -3, .flags = kConnFlags, .run = ClientTracking,
       .group = "connection", .since = "6.0.0",
       .summary = "Turns server-assisted client-side caching on or off for this connection.",
       .syntax = "<ON | OFF> [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] "
                 "[OPTIN] [OPTOUT] [NOLOOP]"},
      {.name = "client|caching", .arity = 3, .flags = kConnFlags, .run = ClientCaching,
       .group = "connection", .since = "6.0.0",
       .summary = "Says whether the next command's keys are tracked (OPTIN / OPTOUT modes).",
       .syntax = "<YES | NO>"},
      {.name = "client|getredir", .arity = 2, .flags = kConnFlags, .run = ClientGetRedir,
       .group = "connection", .since = "6.0.0",
       .summary = "Answers the id of the client this connection's invalidations go to.",
       .syntax = ""},
      {.name = "client|trackinginfo", .arity = 2, .flags = kConnFlags, .run = ClientTrackingInfo,
       .group = "connection", .since = "6.2.0",
       .summary = "Describes this connection's client-side caching state.", .syntax = ""},
  };
}
// clang-format on

}  // namespace firn
