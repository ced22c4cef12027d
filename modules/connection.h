// Connection commands: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT, CLIENT.
#pragma once

#include <string>
#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> ConnectionCommands();

// The client's CLIENT LIST line (without the newline), as seen by the command in ctx (the
// ACL log keeps one per entry).
std::string ClientInfoLine(CommandContext& ctx, const ClientInfo& c);

}  // namespace firn
