#include "modules/ratelimit.h"

namespace firn {

std::vector<Command> RateLimitCommands() { return {}; }

}  // namespace firn
