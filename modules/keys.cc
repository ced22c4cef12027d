#include "modules/keys.h"

namespace firn {

std::vector<Command> KeyCommands() { return {}; }

}  // namespace firn
