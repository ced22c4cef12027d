// List commands (Redis's t_list.c): pushes and pops at both ends, ranges, in-place edits,
// moves between lists. Registers the list's TypeOps row.
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> ListCommands();

}  // namespace firn
