// The latency monitor (LATENCY LATEST / HISTORY / RESET / DOCTOR / GRAPH), as Redis's.
//
// An event (a command, a fast command, the expiry cycle...) lasting at least
// latency-monitor-threshold milliseconds adds a sample to that event's series. A series keeps
// the last kHistory samples, one per second at most (a second's samples keep their maximum),
// and the all-time maximum. Written by the loop thread only; costs nothing while the
// threshold is 0 (Execute checks it before calling in).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace firn {

class LatencyMonitor {
 public:
  static constexpr size_t kHistory = 160;

  struct Sample {
    int64_t time_s = 0;
    int64_t latency_ms = 0;
  };
  struct Series {
    std::array<Sample, kHistory> ring{};
    size_t next = 0;   // slot the next sample goes to
    size_t count = 0;  // samples held, at most kHistory
    int64_t max_ms = 0;
    // Samples, oldest first.
    std::vector<Sample> History() const;
    const Sample& Latest() const { return ring[(next + kHistory - 1) % kHistory]; }
  };

  // Adds a sample when latency_ms >= threshold_ms (threshold 0: monitor off).
  void AddSampleIfNeeded(std::string_view event, int64_t latency_ms, int64_t threshold_ms,
                         int64_t now_ms) {
    if (threshold_ms > 0 && latency_ms >= threshold_ms) AddSample(event, latency_ms, now_ms / 1000);
  }
  void AddSample(std::string_view event, int64_t latency_ms, int64_t now_s);

  // Drops the named series (all of them when names is empty); returns how many existed.
  size_t Reset(const std::vector<std::string_view>& names);

  // By event name, in name order.
  const std::map<std::string, Series, std::less<>>& events() const { return events_; }
  const Series* Find(std::string_view event) const;

 private:
  std::map<std::string, Series, std::less<>> events_;
};

}  // namespace firn
