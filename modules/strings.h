// String commands: GET, SET and its variants, counters, ranges (Redis's t_string.c).
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> StringCommands();

}  // namespace firn
