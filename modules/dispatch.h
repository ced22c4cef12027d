// Dispatch: runs one parsed command for one client against the engine.
//
// The checks every command shares happen here once, in Redis's order: the command exists,
// its arity fits, the client is authenticated (or the command is allowed before AUTH),
// MULTI queueing, and the memory budget for commands that may grow the dataset. Then the
// handler runs, the per-command counters move, MONITOR clients see the command, and CLIENT
// REPLY OFF/SKIP drop the reply. Network-free: the server layer calls it for each command of
// a read batch, and tests call it in-process with a fake clock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/evict.h"

namespace firn {

struct Engine;
struct ClientInfo;

// Keeps the dataset within maxmemory (storage/evict.h), applying the current eviction settings.
// Runs before every command and from the server's cron. Returns true if memory is within the
// limit or eviction is making progress; false if over the limit with nothing to evict.
// budget_us bounds the time spent evicting in this call.
bool EnforceMaxmemory(Engine& engine, int64_t now_ms, int64_t budget_us = Evictor::kTimeBudgetUs);

// Appends the reply to *out (encoded for client.proto).
void Dispatch(Engine& engine, ClientInfo& client, const std::vector<std::string_view>& argv,
              std::string* out, int64_t now_ms);

}  // namespace firn
