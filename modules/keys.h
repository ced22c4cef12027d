// Generic key commands: DEL, EXISTS, EXPIRE and TTL families, RENAME, COPY, SCAN, KEYS,
// RANDOMKEY, MOVE, OBJECT (Redis's db.c and expire.c commands).
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> KeyCommands();

}  // namespace firn
