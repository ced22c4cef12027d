#include "modules/dispatch.h"

#include "modules/acl_admission.h"

#include <string>

#include "modules/acl_admission.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "modules/journal.h"
#include "protocol/errors.h"
#include "protocol/reply.h"
#include "storage/memory.h"

namespace firn {
namespace {



// Redis's text: the name and then arguments, each quoted and followed by a space, while the
// list is under 128 bytes, each cut to what is left of those 128. Like Redis's printf %s, a
// name or argument stops at its first NUL byte.
std::string UnknownCommandError(const std::vector<std::string_view>& argv) {
  auto upto_nul = [](std::string_view s) { return s.substr(0, s.find('\0')); };
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    size_t room = 128 - args.size();
    args += '\'';
    args.append(upto_nul(argv[i]).substr(0, room));
    args += "' ";
  }
  return err::Format(err::kUnknownCommand, {upto_nul(argv[0]).substr(0, 128), args});
}

[[gnu::always_inline]] inline void Record(const Command& cmd, int64_t duration_us, bool failed) {
  CommandStats& s = cmd.stats;
  ++s.calls;
  s.usec += static_cast<uint64_t>(duration_us);
  if (failed) ++s.failed_calls;
  int b = 0;
  while (b < CommandStats::kBuckets && duration_us > kLatencyBucketsUs[b]) ++b;
  ++s.latency_buckets[b];
}

// The commands Redis runs at once inside MULTI instead of queueing them: they act on the
// transaction itself (or on the connection). Compared by name, only while in MULTI.
bool RunsAtOnceInMulti(const Command& base) {
  const std::string_view n = base.name;
  return n == "exec" || n == "discard" || n == "multi" || n == "watch" || n == "quit" ||
         n == "reset";
}

// The commands a RESP2 client in subscribed mode may send (Redis 7.0's list): the rest of
// its connection carries messages, which only these replies can interleave with.
bool AllowedWhenSubscribed(const Command& base) {
  const std::string_view n = base.name;
  return n == "ping" || n == "subscribe" || n == "ssubscribe" || n == "unsubscribe" ||
         n == "sunsubscribe" || n == "psubscribe" || n == "punsubscribe" || n == "quit" ||
         n == "reset";
}

// Whether memory pressure refuses this command. As Redis: a command that may grow the
// dataset (deny-oom); inside MULTI anything but EXEC, DISCARD, QUIT and RESET, since the
// queue itself grows; and an EXEC whose queue holds a deny-oom command.
bool RefusedOnOom(const Engine& engine, const ClientInfo& client, const Command& cmd,
                  const Command& base) {
  if (cmd.flags & kDenyOom) return true;
  if (!client.in_multi) return false;
  const std::string_view n = base.name;
  if (n == "discard" || n == "quit" || n == "reset") return false;
  if (n != "exec") return true;
  std::vector<std::string_view> argv;
  for (const std::vector<std::string>& queued : client.queued) {
    argv.assign(queued.begin(), queued.end());
    const Command* q = ResolveCommand(engine.commands, argv);
    if (q != nullptr && (q->flags & kDenyOom)) return true;
  }
  return false;
}

// CLIENT REPLY OFF / SKIP, applied once the command ran: the reply was built and is now kept
// or dropped. A reply is dropped while OFF is in force after the command, or when the command
// was the one SKIP covers and did not itself turn replies back ON; SKIP covers the command
// after CLIENT REPLY SKIP (whose own reply is dropped too). Pub/sub confirmations are kept
// (ClientInfo::reply_pushed), as Redis keeps its push replies.
void ApplyReplyMode(ClientInfo& client, ClientInfo::ReplyMode mode_before, std::string* out,
                    size_t reply_start) {
  using Mode = ClientInfo::ReplyMode;
  bool drop = client.reply_mode == Mode::kOff;
  if (client.reply_mode == Mode::kSkip) {
    // Only reachable with mode_before == kSkip: the skipped command left the mode alone.
    drop = true;
    client.reply_mode = Mode::kOn;
  } else if (client.reply_mode == Mode::kSkipNext) {
    drop = true;
    client.reply_mode = Mode::kSkip;
  }
  if (mode_before == Mode::kOff && client.reply_mode == Mode::kSkip) {
    // SKIP while OFF changes nothing (Redis ignores it).
    client.reply_mode = Mode::kOff;
  }
  if (drop && !client.reply_pushed) out->resize(reply_start);
  client.reply_pushed = false;
}

// ResolveCommand's body, inlined into Dispatch: the hot path pays one table lookup and one
// test for a container.
[[gnu::always_inline]] inline const Command* Resolve(const CommandTable& table,
                                                     const std::vector<std::string_view>& argv,
                                                     const Command** container) {
  *container = nullptr;
  const Command* base = table.Find(argv[0]);
  if (base == nullptr || base->subcommands.empty() || argv.size() < 2) [[likely]] return base;
  *container = base;
  return FindSubcommand(*base, argv[1]);
}

// A refusal inside MULTI dooms the EXEC; an EXEC refused at admission discards its
// transaction and says why, as Redis's execCommandAbort.
[[gnu::noinline, gnu::cold]] void RefuseInMulti(Engine& engine, ClientInfo& client,
                                                ReplyBuilder& reply, const Command* row,
                                                std::string_view message) {
  if (row != nullptr && row->name == "exec") {
    client.in_multi = false;
    client.multi_error = false;
    client.queued.clear();
    engine.watches.Reset(client);
    // Redis formats its own refusals without the ERR code here (shared ones keep theirs).
    if (message.starts_with(err::kErrCode)) message.remove_prefix(err::kErrCode.size());
    const std::string text = std::string(err::kExecAbortBecause).append(message);
    engine.errors.Count(text);
    reply.Error(text);
    return;
  }
  client.multi_error = true;
  engine.errors.Count(message);
  reply.Error(message);
}

// A refusal: counted on the row when there is one, and inside MULTI it dooms the EXEC.
void Refuse(Engine& engine, ClientInfo& client, ReplyBuilder& reply, const Command* row,
            std::string_view message) {
  if (row != nullptr) ++row->stats.rejected_calls;
  if (client.in_multi) {
    RefuseInMulti(engine, client, reply, row, message);
  } else {
    engine.errors.Count(message);
    reply.Error(message);
  }
}

// The ACL check for a user with limits (cold: the default user has none): on a refusal,
// counts it, dooms a MULTI, replies -NOPERM and returns true.
[[gnu::noinline]] bool RefusedByAcl(Engine& engine, ClientInfo& client, const Command& cmd,
                                    const std::vector<std::string_view>& argv,
                                    ReplyBuilder& reply, int64_t now_ms) {
  std::optional<std::string> denied =
      AclRefusal(engine, client, cmd, argv,
                 client.in_multi ? AclContext::kMulti : AclContext::kTopLevel, now_ms);
  if (!denied) return false;
  Refuse(engine, client, reply, &cmd, *denied);
  return true;
}

}  // namespace

void ApplyEvictionSettings(Engine& engine) {
  const Config& cfg = engine.config;
  Evictor& evictor = engine.keyspace.evictor();
  const EvictionParams& p = evictor.params();
  if (p.policy != cfg.maxmemory_policy || p.samples != cfg.maxmemory_samples ||
      p.lfu_log_factor != cfg.lfu_log_factor || p.lfu_decay_time != cfg.lfu_decay_time) {
    evictor.Configure({cfg.maxmemory_policy, cfg.maxmemory_samples, cfg.lfu_log_factor,
                       cfg.lfu_decay_time});
  }
  KeyspaceStats& stats = engine.keyspace.stats();
  stats.lazy_expire = cfg.lazyfree_lazy_expire;
  stats.lazy_eviction = cfg.lazyfree_lazy_eviction;
  stats.lazy_server_del = cfg.lazyfree_lazy_server_del;
}

bool EnforceMaxmemory(Engine& engine, int64_t now_ms, int64_t budget_us) {
  ApplyEvictionSettings(engine);
  const Config& cfg = engine.config;
  Evictor& evictor = engine.keyspace.evictor();
  if (cfg.maxmemory == 0) return true;
  // As Redis, nothing is evicted while CLIENT PAUSE holds writes back.
  if (engine.pause.end_ms != 0) return true;
  return evictor.Enforce(engine.keyspace, cfg.maxmemory, now_ms, UsedMemoryBytes,
                         engine.clock_us, budget_us) != Evictor::Result::kFail;
}

const Command* ResolveCommand(const CommandTable& table, const std::vector<std::string_view>& argv,
                              const Command** container) {
  const Command* unused;
  return Resolve(table, argv, container != nullptr ? container : &unused);
}

namespace {

// Execute's body, inlined into Dispatch too, so a command admitted there costs no extra call.
[[gnu::always_inline]] inline void ExecuteInline(Engine& engine, ClientInfo& client,
                                                 const Command& cmd,
                                                 const std::vector<std::string_view>& argv,
                                                 ReplyBuilder& reply, int64_t now_ms) {
  JournalSink* const journal = engine.journal;
  const uint64_t dirty_before = engine.keyspace.dirty();
  const int64_t start_us = engine.clock_us();
  CommandContext ctx{argv, reply, engine, client, now_ms, &cmd};
  engine.current_command = &cmd;
  cmd.run(ctx);
  const int64_t duration_us = engine.clock_us() - start_us;
  Record(cmd, duration_us, ctx.failed);
  engine.slowlog.MaybeRecord(engine.config.slowlog_log_slower_than, engine.config.slowlog_max_len,
                             cmd, client, argv, duration_us, now_ms);
  if (engine.config.latency_monitor_threshold > 0) [[unlikely]] {
    engine.latency.AddSampleIfNeeded((cmd.flags & kFast) ? "fast-command" : "command",
                                     duration_us / 1000,
                                     engine.config.latency_monitor_threshold, now_ms);
  }
  ++engine.stats.total_commands_processed;
  client.last_command = cmd.name;
  if (engine.clients.NeedsAfterCommand()) [[unlikely]] {
    // As Redis, monitors see a command after it ran (SELECT shows its new db), admin
    // commands never.
    if (engine.clients.HasMonitors() && !(cmd.flags & (kSkipMonitor | kAdmin))) {
      engine.clients.FeedMonitors(client, argv, now_ms * 1000);
    }
    // Client-side caching: the keys it read, and invalidations held until its reply.
    if (client.tracking) engine.tracking.AfterCommand(client, cmd, argv);
  }
  // The propagation point: writes that changed something, in a replay-safe form. A
  // refused write changed nothing itself (a key it found expired went out as DEL already).
  if (journal != nullptr && (cmd.flags & kWrite) && !ctx.failed &&
      engine.keyspace.dirty() != dirty_before) [[unlikely]] {
    // client.db is the db the command ran in: SELECT, the one command that changes it, is
    // not a write.
    Propagate(engine, *journal, client.db, cmd, argv, now_ms);
  }
}

}  // namespace

void Execute(Engine& engine, ClientInfo& client, const Command& cmd,
             const std::vector<std::string_view>& argv, ReplyBuilder& reply, int64_t now_ms) {
  ExecuteInline(engine, client, cmd, argv, reply, now_ms);
}


void Dispatch(Engine& engine, ClientInfo& client, const std::vector<std::string_view>& argv,
              std::string* out, int64_t now_ms) {
  const size_t reply_start = out->size();
  const ClientInfo::ReplyMode mode_before = client.reply_mode;
  ReplyBuilder reply(out, client.proto);
  const Command* container = nullptr;
  const Command* cmd = Resolve(engine.commands, argv, &container);
  // Without maxmemory there is nothing to enforce; the eviction settings still reach the
  // evictor (access tracking follows the policy) through ApplyEvictionSettings on CONFIG SET,
  // at engine start and in the server's cron.
  const bool memory_ok = engine.config.maxmemory == 0 || EnforceMaxmemory(engine, now_ms);

  auto refuse = [&](const Command* row, std::string_view message) {
    Refuse(engine, client, reply, row, message);
  };

  if (cmd == nullptr) {
    if (container != nullptr) {
      refuse(nullptr, UnknownSubcommandError(argv[1].substr(0, 128), container->name));
    } else {
      refuse(nullptr, UnknownCommandError(argv));
    }
  } else if (!cmd->ArityFits(argv.size())) {
    refuse(cmd, WrongArityError(cmd->name));
  } else if (!client.authenticated && !(cmd->flags & kNoAuth) && !DefaultUserOpen(engine)) {
    refuse(cmd, err::kNoAuth);
  } else if (client.in_multi && (cmd->flags & kNoMulti)) {
    refuse(cmd, err::kNotAllowedInMulti);
  } else if (!AclUnrestricted(engine, client) && RefusedByAcl(engine, client, *cmd, argv, reply,
                                                               now_ms)) [[unlikely]] {
    // RefusedByAcl counted and answered the refusal.
  } else if (!memory_ok &&
             RefusedOnOom(engine, client, *cmd, container != nullptr ? *container : *cmd)) {
    refuse(cmd, err::kOom);
  } else if (engine.save.deny_writes && ((cmd->flags & kWrite) || cmd->name == "ping"))
      [[unlikely]] {
    // A failed background save with stop-writes-on-bgsave-error, or a failed AOF write
    // (modules/persist.h, modules/aof.h).
    refuse(cmd, engine.save.deny_text);
  } else if (client.subscribed && client.proto == Proto::kResp2 &&
             !AllowedWhenSubscribed(container != nullptr ? *container : *cmd)) [[unlikely]] {
    refuse(cmd, err::Format(err::kSubscribedContext, {cmd->name}));
  } else if (client.in_multi && !RunsAtOnceInMulti(container != nullptr ? *container : *cmd)) {
    // Inside MULTI: queue a copy (the read buffer moves on) and answer QUEUED.
    client.queued.emplace_back(argv.begin(), argv.end());
    reply.Simple("QUEUED");
  } else {
    ExecuteInline(engine, client, *cmd, argv, reply, now_ms);
  }

  if (mode_before != ClientInfo::ReplyMode::kOn ||
      client.reply_mode != ClientInfo::ReplyMode::kOn) [[unlikely]] {
    ApplyReplyMode(client, mode_before, out, reply_start);
  }
}

void DispatchWhileBusy(Engine& engine, ClientInfo& client,
                       const std::vector<std::string_view>& argv, std::string* out,
                       int64_t now_ms) {
  const Command* container = nullptr;
  const Command* cmd = Resolve(engine.commands, argv, &container);
  // Redis's order: what Dispatch refuses first (unknown, arity, auth, no-multi, subscribed
  // mode) it still refuses; memory is not checked while a script is busy, as in Redis.
  const bool refused_before = cmd == nullptr || !cmd->ArityFits(argv.size()) ||
                              (!client.authenticated && !(cmd->flags & kNoAuth) &&
                               !engine.config.requirepass.empty()) ||
                              (client.in_multi && (cmd->flags & kNoMulti)) ||
                              (client.subscribed && client.proto == Proto::kResp2 &&
                               !AllowedWhenSubscribed(container != nullptr ? *container : *cmd));
  if (engine.script_busy == ScriptBusy::kNone || refused_before || (cmd->flags & kAllowBusy)) {
    Dispatch(engine, client, argv, out, now_ms);
    return;
  }
  ReplyBuilder reply(out, client.proto);
  const std::string_view busy =
      engine.script_busy == ScriptBusy::kEval ? err::kBusyScript : err::kBusyFunction;
  ++cmd->stats.rejected_calls;
  if (client.in_multi) {
    RefuseInMulti(engine, client, reply, cmd, busy);
  } else {
    engine.errors.Count(busy);
    reply.Error(busy);
  }
}

}  // namespace firn
