// The one command path, in two halves (as Redis's processCommand and call).
//
// Admission (Dispatch) decides whether a command runs, in Redis's order: the command exists
// (and, for a container such as CONFIG or CLIENT, its subcommand), its arity fits, the client
// is authenticated (or the command is allowed before AUTH), the command is not refused inside
// MULTI (`no-multi`), the memory budget allows it, and then inside MULTI it is queued instead
// of run. A refusal inside MULTI makes the EXEC abort (an EXEC refused at admission discards
// the transaction with -EXECABORT, as Redis's execCommandAbort). CLIENT REPLY OFF/SKIP drop replies
// here, so handlers stay unaware of them. Later ACLs and the blocked/subscribed-mode rules
// slot in beside these checks. Blocking (modules/blocking.h) wraps Dispatch rather than living
// in it: while nobody is blocked or paused the path pays nothing for it.
//
// Execution (Execute) runs an admitted command: the handler, the per-command counters, the
// slowlog, the latency monitor, MONITOR, and then the propagation point: a command that
// changed the keyspace (Keyspace::dirty() moved) is handed to Engine::journal, in a form that
// replays to the same state (modules/journal.h). EXEC runs its queue through Execute only,
// and so will redis.call and replayed AOF records.
//
// Network-free: the server layer calls Dispatch for each command of a read batch, and tests
// call it in-process with a fake clock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/evict.h"

namespace firn {

struct Engine;
struct ClientInfo;
struct Command;
class CommandTable;
class ReplyBuilder;

// Hands the eviction settings of engine.config (policy, samples, LFU tunables) to the
// evictor if they changed, and the lazyfree-lazy-expire/-eviction/-server-del settings to
// the keyspace. Called at engine start, after CONFIG SET and by EnforceMaxmemory.
void ApplyEvictionSettings(Engine& engine);

// Keeps the dataset within maxmemory (storage/evict.h), applying the current eviction settings.
// Runs before every command and from the server's cron. Returns true if memory is within the
// limit or eviction is making progress; false if over the limit with nothing to evict.
// budget_us bounds the time spent evicting in this call.
bool EnforceMaxmemory(Engine& engine, int64_t now_ms, int64_t budget_us = Evictor::kTimeBudgetUs);

// The row that runs argv: the command named by argv[0], or for a container command given a
// subcommand (argv.size() >= 2), that subcommand's row. nullptr if either is unknown; then
// *container (if given) is the container row when argv[0] names one, else nullptr.
const Command* ResolveCommand(const CommandTable& table, const std::vector<std::string_view>& argv,
                              const Command** container = nullptr);

// Admission, then Execute (or queueing inside MULTI). Appends the reply to *out, encoded
// for client.proto.
void Dispatch(Engine& engine, ClientInfo& client, const std::vector<std::string_view>& argv,
              std::string* out, int64_t now_ms);

// Dispatch for a client served while another client's script is past busy-reply-threshold
// (Engine::script_busy set): after the checks Dispatch makes first, a command not flagged
// allow-busy is refused with -BUSY (the eval or the function text); the rest goes through
// Dispatch. A separate entry so the ordinary path pays nothing for busy scripts: the server
// picks it once per read batch.
void DispatchWhileBusy(Engine& engine, ClientInfo& client,
                       const std::vector<std::string_view>& argv, std::string* out,
                       int64_t now_ms);

// Execution of an admitted command: cmd is the resolved row (a subcommand's own row for a
// container) and argv its full argument list. REQUIRES: cmd.ArityFits(argv.size()).
void Execute(Engine& engine, ClientInfo& client, const Command& cmd,
             const std::vector<std::string_view>& argv, ReplyBuilder& reply, int64_t now_ms);

}  // namespace firn
