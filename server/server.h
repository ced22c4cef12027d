// Server: the libuv event loop, listeners and connections around the engine.
//
// One thread runs the loop and every command, so each command is atomic without locks. The
// request loop per connection reads as parse / process / write: libuv fills the connection's
// read buffer; every complete command in it is parsed in place and dispatched, its reply
// appended to the connection's output buffer; after the batch the output is written with one
// write (uv_try_write, falling back to a queued uv_write for what the socket did not take).
// A protocol error is answered and the connection closed once the answer is written.
//
// Time: the Unix clock in ms is read at most once per loop iteration (when libuv's cached
// loop time moves), and every command of the iteration sees that same value.
//
// Shutdown (SIGTERM, SIGINT, SHUTDOWN): listeners close first, pending replies are flushed,
// then the loop stops and Run returns 0.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "conf/config.h"
#include "modules/engine.h"

namespace firn {

class Connection;

class Server : public ServerHooks {
 public:
  explicit Server(CommandLine cl);
  ~Server() override;

  // Binds the listeners; throws std::runtime_error naming the address on failure.
  void Listen();
  // Runs the loop until shutdown; returns the process exit code.
  int Run();

  Engine& engine() { return engine_; }
  // Called by the loop hooks below; public for the C callbacks.
  void OnAccept(uv_stream_t* listener, bool unix_socket);
  void OnRead(Connection* c, ssize_t nread);
  void OnCron();
  void OnSignal(int signum);
  void OnClosed(Connection* c);
  void OnWriteDone(Connection* c, int status);
  void FlushPending();

  // ServerHooks
  void ForEachClient(const std::function<void(const ClientInfo&)>& fn) override;
  size_t KillClients(const std::function<bool(const ClientInfo&)>& pred) override;
  void RequestShutdown() override;
  bool HasMonitors() const override { return monitors_ > 0; }
  void FeedMonitors(const ClientInfo& from, const std::vector<std::string_view>& argv,
                    int64_t now_us) override;

  // The Unix time in ms for this loop iteration.
  int64_t NowMs();

 private:
  void ProcessInput(Connection* c);
  void Write(Connection* c);
  void Close(Connection* c);
  void BeginShutdown();
  void Reload();

  CommandLine command_line_;
  Engine engine_;
  uv_loop_t* loop_;
  std::vector<uv_stream_t*> listeners_;
  uv_timer_t cron_;
  uv_check_t flush_check_;
  uv_signal_t sig_term_, sig_int_, sig_hup_;
  std::map<uint64_t, Connection*> clients_;  // by id: connection order
  std::vector<Connection*> dirty_;           // output waiting for the flush check
  uint64_t next_client_id_ = 1;
  size_t monitors_ = 0;
  bool shutting_down_ = false;
  bool shutdown_requested_ = false;
  uint64_t cached_loop_ms_ = UINT64_MAX;
  int64_t cached_now_ms_ = 0;
};

}  // namespace firn
