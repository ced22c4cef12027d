// SORT and SORT_RO (Redis's sort.c): the elements of a list, set or sorted set sorted as
// numbers or strings, by themselves or by keys their values name (BY pattern, GET pattern,
// hash fields with ->), limited, returned or stored as a list.
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> SortCommands();

}  // namespace firn
