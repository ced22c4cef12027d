#include "server/systemd.h"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "server/log.h"

namespace firn {
namespace {

void WatchdogCb(uv_timer_t* /*t*/) { sd_notify(0, "WATCHDOG=1"); }

std::string StatusLine(std::string_view status) {
  std::string line = "STATUS=";
  for (char c : status) line.push_back(c == '\n' ? ' ' : c);
  return line;
}

}  // namespace

bool SystemdNotifier::active() const { return std::getenv("NOTIFY_SOCKET") != nullptr; }

void SystemdNotifier::Send(const std::string& message) {
  if (!active()) return;
  int rc = sd_notify(0, message.c_str());
  if (rc < 0) Log(LogLevel::kDebug, "sd_notify failed: %s", std::strerror(-rc));
}

void SystemdNotifier::Ready(std::string_view status) {
  Send("READY=1\n" + StatusLine(status));
}

void SystemdNotifier::Reloading(std::string_view status) {
  Send("RELOADING=1\n" + StatusLine(status));
}

void SystemdNotifier::Stopping(std::string_view status) {
  Send("STOPPING=1\n" + StatusLine(status));
}

void SystemdNotifier::Status(std::string_view status) { Send(StatusLine(status)); }

uint64_t SystemdNotifier::StartWatchdog(uv_loop_t* loop) {
  uint64_t usec = 0;
  if (watchdog_running_ || sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return 0;
  const uint64_t interval_ms = std::max<uint64_t>(1, usec / 2000);
  uv_timer_init(loop, &watchdog_);
  watchdog_.data = this;
  uv_timer_start(&watchdog_, WatchdogCb, interval_ms, interval_ms);
  watchdog_running_ = true;
  sd_notify(0, "WATCHDOG=1");
  return interval_ms;
}

void SystemdNotifier::Close() {
  if (!watchdog_running_) return;
  watchdog_running_ = false;
  uv_timer_stop(&watchdog_);
  uv_close(reinterpret_cast<uv_handle_t*>(&watchdog_), nullptr);
}

}  // namespace firn
