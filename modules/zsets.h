// Sorted set commands (Redis's t_zset.c): members added with scores, ranked, ranged by
// position, score or name, removed by range and popped. Registers the sorted set's TypeOps row.
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> ZSetCommands();

// ZADD's handler, for commands that are a ZADD underneath (GEOADD builds a ZADD line and runs
// it through this, as Redis's geoaddCommand calls zaddCommand). ctx.argv is a ZADD line.
void RunZAdd(CommandContext& ctx);

}  // namespace firn
