// Logging: one line per event, "<pid>:M 28 Nov 2026 23:11:49.123 * message" as Redis prints
// it, to stderr (journald picks it up) or to the configured file. Levels follow the config's
// loglevel; lines below it cost one comparison.
#pragma once

#include <cstdarg>
#include <string>

#include "conf/config.h"

namespace firn {

// Sets the threshold and the destination ("" = stderr). Returns false (and keeps stderr) if
// the file cannot be opened.
bool InitLog(LogLevel level, const std::string& file);
void SetLogLevel(LogLevel level);
LogLevel CurrentLogLevel();
void Log(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

}  // namespace firn
