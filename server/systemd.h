// systemd integration (sd_notify(3)): the readiness protocol of a Type=notify service and the
// watchdog.
//
// The server tells the service manager, on the datagram socket named by NOTIFY_SOCKET:
//   READY=1     once its listeners accept connections (systemctl start returns then);
//   RELOADING=1 then READY=1 around a SIGHUP reload;
//   STOPPING=1  when a graceful shutdown begins;
//   STATUS=...  one line a person reads in `systemctl status firn`;
//   WATCHDOG=1  every half WATCHDOG_USEC, when the unit sets WatchdogSec=. The pings come from
//               a timer on the event loop, so a loop stuck in a command stops them and systemd
//               restarts the service.
// Without NOTIFY_SOCKET (not under systemd, or another service type) every call is a no-op
// costing a getenv. Loop thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace firn {

class SystemdNotifier {
 public:
  SystemdNotifier() = default;
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  // True when NOTIFY_SOCKET is set: status updates are worth building.
  bool active() const;
  void Ready(std::string_view status);
  void Reloading(std::string_view status);
  void Stopping(std::string_view status);
  void Status(std::string_view status);

  // Starts the watchdog pings if the service manager asked for them (WATCHDOG_USEC, for this
  // pid); returns the ping interval in ms, 0 if none.
  uint64_t StartWatchdog(uv_loop_t* loop);
  // Stops the pings and closes the timer (before the loop ends).
  void Close();

 private:
  void Send(const std::string& message);

  uv_timer_t watchdog_;
  bool watchdog_running_ = false;
};

}  // namespace firn
