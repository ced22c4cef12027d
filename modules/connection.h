// Connection commands: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT, CLIENT.
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> ConnectionCommands();

}  // namespace firn
