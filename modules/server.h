// Server commands: INFO, COMMAND, CONFIG, TIME, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, SHUTDOWN,
// MONITOR.
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> ServerCommands();

}  // namespace firn
