// MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP.
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> MemoryCommands();

}  // namespace firn
