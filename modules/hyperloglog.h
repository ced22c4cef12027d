// HyperLogLog commands (Redis's hyperloglog.c): PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.
// The sketches are string values in Redis's byte format (storage/hyperloglog.h).
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> HyperLogLogCommands();

}  // namespace firn
