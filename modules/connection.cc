#include "modules/connection.h"

namespace firn {

std::vector<Command> ConnectionCommands() { return {}; }

}  // namespace firn
