// The clock commands are timed with: microseconds, monotonic, cheap to read.
//
// Every command reads it twice (commandstats, SLOWLOG, the latency monitor), so it is on the
// SET/GET path. clock_gettime(CLOCK_MONOTONIC) costs a library call and about 20 ns through
// the vDSO; the CPU's time-stamp counter is read in one instruction. Where the CPU says its
// counter ticks at a constant rate through frequency changes and sleep states (constant_tsc
// and nonstop_tsc in /proc/cpuinfo), CommandClockUs scales the counter by a rate measured
// against CLOCK_MONOTONIC; elsewhere it is clock_gettime.
//
// The rate is measured over the whole run: RecalibrateCommandClock, called from the cron,
// re-anchors the counter to CLOCK_MONOTONIC and refines the rate from the first reading, so
// the clock never drifts from CLOCK_MONOTONIC by more than one cron period's error, and never
// steps backwards (a re-anchor that would is held at the last value read). Until the first
// recalibration (one cron tick after start) it is clock_gettime.
//
// Main thread only: the anchor is plain data, written by the cron and read by commands.
#pragma once

#include <cstdint>

namespace firn {

int64_t MonotonicClockUs();  // clock_gettime(CLOCK_MONOTONIC), in microseconds
int64_t RealtimeMs();        // clock_gettime(CLOCK_REALTIME): Unix time in milliseconds

// The clock for command timing (Engine::clock_us): the counter once calibrated, else
// MonotonicClockUs.
int64_t CommandClockUs();

// Refines the counter's rate and re-anchors it; cheap (two clock reads). Call periodically.
void RecalibrateCommandClock();

// The time the calling thread has spent runnable but waiting for a CPU (run_delay in
// /proc/thread-self/schedstat), in microseconds. Open in the thread it is to measure: the
// file names the thread that opens it. One pread per reading.
class RunQueueWait {
 public:
  RunQueueWait() = default;
  RunQueueWait(const RunQueueWait&) = delete;
  RunQueueWait& operator=(const RunQueueWait&) = delete;
  ~RunQueueWait();
  bool Open();  // false where the kernel keeps no schedstat
  int64_t Us() const;  // -1 if not open or unreadable

 private:
  int fd_ = -1;
};

}  // namespace firn
