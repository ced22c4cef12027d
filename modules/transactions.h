// MULTI / EXEC / DISCARD: queue commands and run them as one atomic batch.
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> TransactionCommands();

}  // namespace firn
