// Geo commands (Redis's geo.c): places kept in a sorted set under their 52-bit geohash
// scores (storage/geohash.h), added, read back, measured and searched by radius or box.
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> GeoCommands();

}  // namespace firn
