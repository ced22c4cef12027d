// Hash commands (Redis's t_hash.c): fields set, read, counted, incremented, sampled and
// scanned. Registers the hash's TypeOps row.
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> HashCommands();

}  // namespace firn
