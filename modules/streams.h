// Stream commands (Redis's t_stream.c): XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID,
// XREAD, the consumer groups (XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM) and
// XINFO. Registers the stream's TypeOps row.
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> StreamCommands();

}  // namespace firn
