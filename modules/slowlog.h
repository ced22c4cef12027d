// The slow log and the latency report: SLOWLOG GET/LEN/RESET/HELP and LATENCY
// LATEST/HISTORY/RESET/HISTOGRAM/HELP.
//
// The slow log keeps the last slowlog-max-len commands that ran for at least
// slowlog-log-slower-than microseconds (-1: off, 0: every command), newest first, as Redis's
// slowlog.c does: an id that only grows (SLOWLOG RESET keeps counting), the Unix time in
// seconds, the duration, the arguments (at most 32, each cut to 128 bytes, with Redis's
// "... (n more arguments)" / "... (n more bytes)" markers; passwords shown as "(redacted)"),
// the client's address and name. Dispatch measures every command's duration anyway (for INFO
// commandstats), so recording costs one comparison per command; the copy of the arguments
// happens only for a slow command.
//
// LATENCY HISTOGRAM reports the per-command buckets dispatch already counts
// (CommandStats::latency_buckets, bounds kLatencyBucketsUs) in Redis's reply shape; the
// overflow bucket is reported at 1 s, where Redis's own histograms saturate. LATENCY LATEST,
// HISTORY, RESET, GRAPH and DOCTOR read the latency monitor (modules/latency.h), which
// execution feeds once latency-monitor-threshold is above 0 (off by default, as in Redis).
//
// Thread-safety: the loop thread only, like the rest of the engine.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "modules/command.h"

namespace firn {

struct SlowLogEntry {
  int64_t id = 0;
  int64_t time_s = 0;  // Unix time the command ran, seconds
  int64_t duration_us = 0;
  std::vector<std::string> argv;  // as shown: truncated and redacted
  std::string addr;               // client "ip:port"
  std::string name;               // client name, "" if none
};

class SlowLog {
 public:
  // Limits as Redis applies them to one entry.
  static constexpr size_t kMaxArgs = 32;
  static constexpr size_t kMaxArgBytes = 128;

  // Called by dispatch after every command; records it when slow enough. Inline: the common
  // case is one comparison.
  void MaybeRecord(int64_t slower_than_us, int64_t max_len, const Command& cmd,
                   const ClientInfo& client, const std::vector<std::string_view>& argv,
                   int64_t duration_us, int64_t now_ms) {
    if (duration_us < slower_than_us || slower_than_us < 0 || (cmd.flags & kSkipSlowlog)) return;
    Record(max_len, cmd, client, argv, duration_us, now_ms);
  }

  // Adds an entry unconditionally (newest first) and drops the oldest beyond max_len.
  void Record(int64_t max_len, const Command& cmd, const ClientInfo& client,
              const std::vector<std::string_view>& argv, int64_t duration_us, int64_t now_ms);
  // Removes every entry; ids keep counting.
  void Reset() { entries_.clear(); }

  // Newest first.
  const std::deque<SlowLogEntry>& entries() const { return entries_; }

 private:
  std::deque<SlowLogEntry> entries_;
  int64_t next_id_ = 0;
};

// SLOWLOG and LATENCY rows for the command table.
std::vector<Command> SlowLogCommands();

}  // namespace firn
