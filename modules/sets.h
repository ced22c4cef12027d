// Set commands (Redis's t_set.c): members added, removed, tested, sampled and combined
// (intersection, union, difference and their STORE forms). Registers the set's TypeOps row.
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> SetCommands();

}  // namespace firn
