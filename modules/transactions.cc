// Transactions. Admission (modules/dispatch.cc) queues every command a client sends between
// MULTI and EXEC once it passed the checks (it exists, its arity fits, auth, no-multi, OOM);
// a refused command makes EXEC abort, as in Redis. EXEC then runs the queue through
// execution only: nothing else runs in between because one thread runs every command, so the
// batch is atomic, and its writes reach the journal as one MULTI ... EXEC unit. The client
// stays in MULTI while its queue runs, as in Redis, so commands that cannot run there
// (MONITOR, later the blocking ones) can tell.
//
// WATCH is optimistic locking: the watched keys are entered in the engine's WatchIndex
// (modules/watch.h), which hears every change to them through the mutation signal and marks
// the watching client dirty; EXEC of a dirty client answers a null array and runs nothing.
// EXEC, DISCARD, UNWATCH, RESET and a disconnect unwatch everything.
#include "modules/transactions.h"

#include "modules/acl_admission.h"
#include "modules/dispatch.h"
#include "modules/engine.h"
#include "modules/journal.h"
#include "protocol/errors.h"

namespace firn {
namespace {

void ResetMulti(Engine& engine, ClientInfo& client) {
  client.in_multi = false;
  client.multi_error = false;
  client.queued.clear();
  engine.watches.Reset(client);
}

// MULTI -> OK; later commands are queued until EXEC or DISCARD.
void Multi(CommandContext& ctx) {
  if (ctx.client.in_multi) {
    ctx.Error(err::kMultiNested);
    return;
  }
  ctx.client.in_multi = true;
  ctx.reply.Ok();
}

// Runs the queue, each command through Execute, replies into one array.
void RunQueue(CommandContext& ctx, const std::vector<std::vector<std::string>>& queued) {
  ctx.reply.Array(queued.size());
  std::vector<std::string_view> argv;
  for (const std::vector<std::string>& command : queued) {
    argv.assign(command.begin(), command.end());
    // Admission resolved it when it was queued; the table does not change in between.
    const Command* cmd = ResolveCommand(ctx.engine.commands, argv);
    // The user's rights are checked again: an ACL change since queueing applies (Redis 7.0).
    if (!UserOf(ctx.engine, ctx.client).unrestricted) {
      if (std::optional<std::string> denied =
              AclRefusal(ctx.engine, ctx.client, *cmd, argv, AclContext::kExec, ctx.now_ms)) {
        ctx.reply.Error(*denied);
        continue;
      }
    }
    Execute(ctx.engine, ctx.client, *cmd, argv, ctx.reply, ctx.now_ms);
  }
}

// EXEC -> an array with each queued command's reply, or EXECABORT if one was refused.
void Exec(CommandContext& ctx) {
  ClientInfo& client = ctx.client;
  if (!client.in_multi) {
    ctx.Error(err::kExecWithoutMulti);
    return;
  }
  // A watched key whose expiry passed unnoticed changed too (Redis 7.0): looking it up
  // expires it, which the index hears.
  for (const auto& [db, key] : ctx.engine.watches.Watched(client)) {
    ctx.keyspace().db(db).Find(key, ctx.now_ms);
  }
  if (client.multi_error) {
    ResetMulti(ctx.engine, client);
    ctx.Error(err::kExecAbort);
    return;
  }
  if (ctx.engine.watches.Dirty(client)) {
    ResetMulti(ctx.engine, client);
    ctx.reply.NullArray();
    return;
  }
  // Unwatched before the queue runs: the transaction's own writes are not a conflict.
  ctx.engine.watches.Reset(client);
  std::vector<std::vector<std::string>> queued;
  queued.swap(client.queued);
  JournalSink* const journal = ctx.engine.journal;
  if (journal == nullptr) {
    RunQueue(ctx, queued);
  } else {
    // Collect the transaction's records, then hand them on as one unit.
    JournalBuffer unit;
    ctx.engine.journal = &unit;
    RunQueue(ctx, queued);
    ctx.engine.journal = journal;
    AppendUnit(*journal, unit.records);
  }
  ResetMulti(ctx.engine, client);
}

// DISCARD -> OK; the queue is dropped.
void Discard(CommandContext& ctx) {
  if (!ctx.client.in_multi) {
    ctx.Error(err::kDiscardWithoutMulti);
    return;
  }
  ResetMulti(ctx.engine, ctx.client);
  ctx.reply.Ok();
}

// WATCH key [key ...] -> OK. EXEC will abort if any of the keys changes before it; refused
// inside MULTI. A client already dirty gains nothing by watching more.
void Watch(CommandContext& ctx) {
  if (ctx.client.in_multi) {
    ctx.Error(err::kWatchInMulti);
    return;
  }
  WatchIndex& watches = ctx.engine.watches;
  if (!watches.Dirty(ctx.client)) {
    for (size_t i = 1; i < ctx.argc(); ++i) {
      // The lookup expires a key that is due, so the index records what is live.
      const bool exists = ctx.db().Find(ctx.arg(i), ctx.now_ms) != nullptr;
      watches.Watch(ctx.client, ctx.client.db, ctx.arg(i), exists);
    }
  }
  ctx.reply.Ok();
}

// UNWATCH -> OK; every watched key is forgotten, and so is a change already seen.
void Unwatch(CommandContext& ctx) {
  ctx.engine.watches.Reset(ctx.client);
  ctx.reply.Ok();
}

}  // namespace

// MULTI, EXEC and DISCARD are not queued inside MULTI (dispatch runs them at once, with
// WATCH, QUIT and RESET), so none of them carries no-multi.
std::vector<Command> TransactionCommands() {
  constexpr uint32_t kTxFlags = kNoScript | kLoading | kStale;
  return {
      {.name = "multi", .arity = 1, .flags = kTxFlags | kFast | kAllowBusy, .run = Multi,
       .group = "transactions", .since = "1.2.0",
       .summary = "Starts a transaction: later commands wait in a queue for EXEC.",
       .syntax = ""},
      {.name = "exec", .arity = 1, .flags = kTxFlags | kSkipSlowlog, .run = Exec,
       .group = "transactions", .since = "1.2.0",
       .summary = "Runs a transaction's queued commands as one atomic step.", .syntax = ""},
      {.name = "discard", .arity = 1, .flags = kTxFlags | kFast | kAllowBusy, .run = Discard,
       .group = "transactions", .since = "2.0.0",
       .summary = "Drops a transaction's queued commands.",
       .syntax = ""},
      {.name = "watch", .arity = -2, .flags = kTxFlags | kFast | kAllowBusy,
       .keys = {1, -1, 1}, .run = Watch, .group = "transactions", .since = "2.2.0",
       .summary = "Makes the next EXEC abort if any of the keys changes before it.",
       .syntax = "key [key ...]"},
      {.name = "unwatch", .arity = 1, .flags = kTxFlags | kFast | kAllowBusy, .run = Unwatch,
       .group = "transactions", .since = "2.2.0",
       .summary = "Forgets the keys WATCH named.", .syntax = ""},
  };
}

}  // namespace firn
