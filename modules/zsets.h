// Sorted set commands (Redis's t_zset.c): members added with scores, ranked, ranged by
// position, score or name, removed by range and popped. Registers the sorted set's TypeOps row.
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> ZSetCommands();

}  // namespace firn
