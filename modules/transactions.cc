// Transactions. Dispatch queues every command a client sends between MULTI and EXEC (after
// checking it exists, its arity and auth; a refused command makes EXEC abort, as in Redis).
// EXEC then dispatches the queue in one go: nothing else runs in between because one thread
// runs every command, so the batch is atomic. WATCH is not implemented (see
// docs/compatibility.md).
#include "modules/transactions.h"

#include "modules/dispatch.h"
#include "modules/engine.h"

namespace firn {
namespace {

void ResetMulti(ClientInfo& client) {
  client.in_multi = false;
  client.multi_error = false;
  client.queued.clear();
}

// MULTI -> OK; later commands are queued until EXEC or DISCARD.
void Multi(CommandContext& ctx) {
  if (ctx.client.in_multi) {
    ctx.Error("ERR MULTI calls can not be nested");
    return;
  }
  ctx.client.in_multi = true;
  ctx.reply.Ok();
}

// EXEC -> an array with each queued command's reply, or EXECABORT if one was refused.
void Exec(CommandContext& ctx) {
  ClientInfo& client = ctx.client;
  if (!client.in_multi) {
    ctx.Error("ERR EXEC without MULTI");
    return;
  }
  if (client.multi_error) {
    ResetMulti(client);
    ctx.Error("EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  std::vector<std::vector<std::string>> queued;
  queued.swap(client.queued);
  ResetMulti(client);
  ctx.reply.Array(queued.size());
  std::vector<std::string_view> argv;
  for (const std::vector<std::string>& command : queued) {
    argv.assign(command.begin(), command.end());
    Dispatch(ctx.engine, client, argv, ctx.reply.buffer(), ctx.now_ms);
  }
}

// DISCARD -> OK; the queue is dropped.
void Discard(CommandContext& ctx) {
  if (!ctx.client.in_multi) {
    ctx.Error("ERR DISCARD without MULTI");
    return;
  }
  ResetMulti(ctx.client);
  ctx.reply.Ok();
}

}  // namespace

std::vector<Command> TransactionCommands() {
  constexpr uint32_t kTxFlags = kNoScript | kLoading | kStale | kNoMulti;
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
  };
}

}  // namespace firn
