#include "server/clock.h"

#include <fcntl.h>
#include <unistd.h>
#include <x86intrin.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>

namespace firn {
namespace {

// Whether the counter can stand for time: both flags present on the first CPU's line.
bool CounterIsInvariant() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) == 0) {
      return line.find(" constant_tsc") != std::string::npos &&
             line.find(" nonstop_tsc") != std::string::npos;
    }
  }
  return false;
}

struct CounterClock {
  bool checked = false;
  bool invariant = false;
  bool calibrated = false;
  uint64_t first_ticks = 0;  // the first recalibration's reading
  int64_t first_us = 0;
  uint64_t anchor_ticks = 0;
  int64_t anchor_us = 0;
  uint64_t us_per_tick_q32 = 0;  // microseconds per tick, in 32.32 fixed point
};

CounterClock g_clock;

inline int64_t CounterUs() {
  const uint64_t ticks = __rdtsc();
  const unsigned __int128 scaled =
      static_cast<unsigned __int128>(ticks - g_clock.anchor_ticks) * g_clock.us_per_tick_q32;
  return g_clock.anchor_us + static_cast<int64_t>(scaled >> 32);
}

// Below this span the rate is not trusted yet (timer granularity, a descheduled thread).
constexpr int64_t kMinCalibrationUs = 50'000;

}  // namespace

int64_t RealtimeMs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int64_t MonotonicClockUs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

int64_t CommandClockUs() {
  if (g_clock.calibrated) [[likely]] return CounterUs();
  return MonotonicClockUs();
}

void RecalibrateCommandClock() {
  if (!g_clock.checked) {
    g_clock.checked = true;
    g_clock.invariant = CounterIsInvariant();
  }
  if (!g_clock.invariant) return;
  const int64_t now_us = MonotonicClockUs();
  const uint64_t ticks = __rdtsc();
  if (g_clock.first_ticks == 0) {
    g_clock.first_ticks = ticks;
    g_clock.first_us = now_us;
    return;
  }
  if (now_us - g_clock.first_us < kMinCalibrationUs || ticks <= g_clock.first_ticks) return;
  // What the clock reads now, before the re-anchor: the new anchor must not be below it.
  const int64_t shown_us = g_clock.calibrated ? CounterUs() : now_us;
  g_clock.us_per_tick_q32 = static_cast<uint64_t>(
      (static_cast<unsigned __int128>(now_us - g_clock.first_us) << 32) /
      (ticks - g_clock.first_ticks));
  g_clock.anchor_ticks = ticks;
  g_clock.anchor_us = std::max(now_us, shown_us);
  g_clock.calibrated = true;
}

RunQueueWait::~RunQueueWait() {
  if (fd_ >= 0) close(fd_);
}

bool RunQueueWait::Open() {
  if (fd_ < 0) fd_ = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  return fd_ >= 0 && Us() >= 0;
}

int64_t RunQueueWait::Us() const {
  // "<ns on the CPU> <ns waiting for it> <time slices>\n"
  char buf[96];
  const ssize_t n = fd_ < 0 ? -1 : pread(fd_, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return -1;
  buf[n] = '\0';
  char* end = nullptr;
  std::strtoull(buf, &end, 10);
  if (end == buf) return -1;
  char* wait_end = nullptr;
  const unsigned long long wait_ns = std::strtoull(end, &wait_end, 10);
  if (wait_end == end) return -1;
  return static_cast<int64_t>(wait_ns / 1000);
}

}  // namespace firn
