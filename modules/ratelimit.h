// Native rate limiters: CL.THROTTLE (GCRA, redis-cell compatible), RL.BUCKET, RL.WINDOW, RL.PEEK.
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> RateLimitCommands();

}  // namespace firn
