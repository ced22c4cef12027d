// Logging: one line per event, "<pid>:M 28 Nov 2026 23:11:49.123 * message" as Redis prints
// it (marks: '.' debug, '*' info, '#' warning, '!' error), to stderr or to the configured
// file (appended). Levels follow the config's loglevel; a line below it costs one comparison.
//
// Under systemd, stderr is the journal (JOURNAL_STREAM names it): each line then also starts
// with its syslog priority ("<6>"), which journald strips and stores, so `journalctl -p
// warning -u firn` filters by level; the journal adds its own timestamp, the line keeps
// Redis's for people who read both.
//
// Thread-safety: Log may be called from any thread (the metrics exporter's HTTP threads log
// too); lines never interleave. InitLog and ReopenLog are for the loop thread.
#pragma once

#include <cstdarg>
#include <string>

#include "conf/config.h"

namespace firn {

// Sets the threshold and the destination ("" = stderr). Returns false (and keeps stderr) if
// the file cannot be opened.
bool InitLog(LogLevel level, const std::string& file);
// Closes and reopens the log file (after logrotate moved it away; SIGHUP calls it). Returns
// false, and keeps writing to the old file, if the file cannot be opened. No-op for stderr.
bool ReopenLog();
void SetLogLevel(LogLevel level);
LogLevel CurrentLogLevel();
// The destination as a person reads it: the file's path, or "stderr" / "the journal".
std::string LogDestination();
void Log(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

}  // namespace firn
