#include "modules/latency.h"

namespace firn {

std::vector<LatencyMonitor::Sample> LatencyMonitor::Series::History() const {
  std::vector<Sample> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.push_back(ring[(next + kHistory - count + i) % kHistory]);
  return out;
}

void LatencyMonitor::AddSample(std::string_view event, int64_t latency_ms, int64_t now_s) {
  auto it = events_.find(event);
  if (it == events_.end()) it = events_.emplace(std::string(event), Series{}).first;
  Series& s = it->second;
  if (latency_ms > s.max_ms) s.max_ms = latency_ms;
  if (s.count > 0) {
    Sample& last = s.ring[(s.next + kHistory - 1) % kHistory];
    if (last.time_s == now_s) {
      if (latency_ms > last.latency_ms) last.latency_ms = latency_ms;
      return;
    }
  }
  s.ring[s.next] = {now_s, latency_ms};
  s.next = (s.next + 1) % kHistory;
  if (s.count < kHistory) ++s.count;
}

size_t LatencyMonitor::Reset(const std::vector<std::string_view>& names) {
  if (names.empty()) {
    const size_t n = events_.size();
    events_.clear();
    return n;
  }
  size_t n = 0;
  for (std::string_view name : names) {
    auto it = events_.find(name);
    if (it != events_.end()) {
      events_.erase(it);
      ++n;
    }
  }
  return n;
}

const LatencyMonitor::Series* LatencyMonitor::Find(std::string_view event) const {
  auto it = events_.find(event);
  return it == events_.end() ? nullptr : &it->second;
}

}  // namespace firn
