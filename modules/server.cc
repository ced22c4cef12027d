#include "modules/server.h"

namespace firn {

std::vector<Command> ServerCommands() { return {}; }

}  // namespace firn
