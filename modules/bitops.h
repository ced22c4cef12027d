// Bit commands on strings (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
// BITFIELD, BITFIELD_RO.
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> BitCommands();

}  // namespace firn
