// MIGRATE: moves keys to another server (Redis or Firn) as RESTORE commands over a
// connection to it, as Redis 7.0 does, deleting them here once the target has acknowledged
// each (unless COPY).
//
// Connections to targets are kept for reuse, one per host:port, and closed after 10 s unused
// (MigrateCron), as Redis's migrate_cached_sockets. Everything happens on the loop thread; a
// MIGRATE blocks the loop while it connects, writes and reads, each step bounded by the
// command's timeout (Redis blocks its event loop the same way).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> MigrateCommands();

// From the server's cron: closes the cached connections unused for 10 s or more.
void MigrateCron(int64_t now_ms);

// How many connections are cached (INFO migrate_cached_sockets).
size_t MigrateCachedSockets();

}  // namespace firn
