// Server: the libuv event loop, listeners and connections around the engine.
//
// One thread runs the loop and every command, so each command is atomic without locks. The
// request loop per connection reads as parse / process / write: libuv fills the connection's
// read buffer; every complete command in it is parsed in place and dispatched, its reply
// appended to the connection's output buffer; after the batch the output is written with one
// write (uv_try_write, falling back to a queued uv_write for what the socket did not take).
// A protocol error is answered and the connection closed once the answer is written.
//
// Read buffers: a connection with nothing pending holds no read buffer. It reads into one
// buffer of the loop (16 KiB, Redis's read size), and the commands complete in that read are
// parsed and run from it in place; only what the batch leaves unconsumed (a command cut by the
// end of the read, or the pipeline behind a command that blocked) is copied into the
// connection's own buffer, and its next reads go there until the cron frees it (empty and idle
// for 2 s) or shrinks it to its recent peak, as Redis trims query buffers. The own buffer is
// malloc'd, never zero-filled, and doubles (with a read's room at least) for a request that
// outgrows it. So an idle connection costs its state and socket only, a command complete in one
// read costs no copy, and a request spanning reads costs one copy of its first read's tail.
// While a busy script's batch runs from the shared buffer, the clients served meanwhile
// (ServeWhileBusy) read into buffers of their own. Redis 7.0 keeps a query buffer per client
// (freed after 2 s idle); Redis 7.4 reads into a shared one as here (docs/compatibility.md).
//
// Busy polling: after a read, while requests arrive densely (less than four times
// busy-poll-us after the read before), the loop keeps polling without sleeping for up to
// busy-poll-us after the last read (a libuv idle handle makes the wait time zero). A server
// that sleeps between requests makes every client's send pay for waking it (on loopback
// that cost, in the sender's system time, is most of what a fast reply saves); one that is
// still polling takes the next request without a wakeup. Sparse traffic never spins.
// Polling pays only with a core to spare: when the cores are taken (other processes, or the
// clients themselves: a connect flood, a client on the same core) the kernel keeps preempting
// the spinning loop, and a client whose reply is ready waits for the spinner's time slice
// instead of waking a sleeping server at once (one sequential client on a loaded 2-core
// machine: PING p99 117 us polling, 30 us sleeping, with nine in ten requests preempting the
// server). So every 256 polling turns the loop reads how long it has waited for a CPU while
// polling (the kernel's run_delay, one pread; read too when a polling period starts and
// ends, as a sleeping loop's wake-ups count as waiting): more than a quarter of a 10 ms
// window (a spinner sharing its core with anything runnable waits half the time or more)
// stops polling for 1 s (twice the last pause, up to 32 s, when it comes within 1 s of the
// last pause's end). Waiting, not being preempted, is the sign: under load the network's
// softirq threads preempt a spinner on an otherwise free core a hundred times a second, for
// a few per cent of its time.

// Time: the Unix clock in ms is read at most once per loop iteration (when libuv's cached
// loop time moves), and every command of the iteration sees that same value.
//
// Shutdown (SIGTERM, SIGINT, SHUTDOWN): systemd hears STOPPING=1, listeners and the metrics
// exporter close first, pending replies are flushed for at most kShutdownDrainMs (300 ms; a
// client that does not read is then closed regardless), then the loop stops and Run returns 0.
//
// CLIENT KILL closes the killed connections at once, dropping their unsent output (a killer
// killing itself gets its reply first).
//
// Reload (SIGHUP): the config file is read again with the command line's overrides on top
// (conf's ReloadConfig); every setting that can change at runtime and differs is applied as
// CONFIG SET would apply it, each change logged; a changed startup-only setting is logged and
// left alone (restart to apply); a file that does not load (syntax, unknown key, bad value)
// changes nothing and the reason is logged. The log file is reopened (logrotate).
//
// Busy scripts: a script past busy-reply-threshold calls ServeWhileBusy from its hook (every
// 100,000 Lua instructions), which turns the loop once without waiting (uv_run NOWAIT, nested
// inside the read callback that started the script). What may run then is bounded so the
// script's view of the world holds still: Dispatch refuses every command but the allow-busy
// ones (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE, AUTH, HELLO, MULTI...) with -BUSY; the
// cron does no keyspace work (expiry, eviction) and closes no idle client; the busy
// connection is neither read (its parser's arguments are the script's) nor written (its reply
// is being built) nor closed (a close is deferred until the script ends), and it is never
// re-entered. SHUTDOWN NOSAVE and SIGTERM stop the script, written or not.
//
// Around the loop: the Prometheus exporter (server/metrics.h) and the systemd notifications
// and watchdog (server/systemd.h).
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
#include "protocol/resp_parser.h"
#include "server/clock.h"
#include "server/metrics.h"
#include "server/systemd.h"

namespace firn {

class Connection;
class AppendOnlyFile;
class TlsContext;
class MetricsTlsListener;

class Server : public ServerHooks, public ClientOutputOwner {
 public:
  explicit Server(CommandLine cl);
  ~Server() override;

  // Binds the listeners (clients, then the metrics exporter); throws std::runtime_error naming
  // the address on failure.
  void Listen();
  // Runs the loop until shutdown; returns the process exit code.
  int Run();

  Engine& engine() { return engine_; }
  // Called by the loop hooks below; public for the C callbacks.
  void OnAccept(uv_stream_t* listener, bool unix_socket, bool tls = false);
  void OnRead(Connection* c, ssize_t nread);
  // nread bytes of ciphertext at data from a TLS client (or libuv's error).
  void OnTlsRead(Connection* c, const char* data, ssize_t nread);
  void OnCron();
  void OnSignal(int signum);
  void OnClosed(Connection* c);
  void OnWriteDone(Connection* c, int status);
  void FlushPending();
  // One idle turn of the loop while busy polling: stops polling once busy-poll-us passed
  // with no read.
  void OnBusyPoll();
  void OnDrainTimeout();

  // ServerHooks
  void ForEachClient(const std::function<void(const ClientInfo&)>& fn) override;
  size_t KillClients(const std::function<bool(const ClientInfo&)>& pred) override;
  void RequestShutdown() override;
  // Applies what the engine does not read live: loglevel, hz (the cron period), bind and port
  // (the listeners move; if the new address cannot be bound the old listeners stay, the
  // setting reverts and the refusal is returned), maxmemory (eviction starts at once),
  // tls-port (as port) and the other tls-* settings (a new TLS context; one that does not
  // build is refused and the old one stays).
  std::optional<std::string> ConfigChanged(std::string_view name) override;
  // Busy scripts (see the top of server.cc): the running script's connection stops being read
  // or written until the script ends; meanwhile each hook tick runs the loop once, without
  // waiting, so other clients get -BUSY or their allow-busy commands answered.
  void ScriptBusyStarted() override;
  void ServeWhileBusy() override;
  void ScriptBusyEnded() override;

  // ClientOutputOwner: a write to a client's sink from outside its command (MONITOR) is
  // flushed with the batch; buffer figures come from the connection.
  void OutputReady(ClientInfo& client) override;
  void RequestEndOfIteration() override;
  void OnEngineCheck();
  void RefreshBufferStats(ClientInfo& client) override;
  // A blocked client's pipeline runs again after the current command (RunUnblocked).
  void Unblocked(ClientInfo& client) override;
  // The blocking timer fired: timeouts and the end of CLIENT PAUSE.
  void OnBlockingTimer();

  // SIGHUP's work (see the top of this file); public for tests.
  void Reload();

  // The Unix time in ms for this loop iteration.
  int64_t NowMs();
  // Makes the next NowMs() read the wall clock (called before each wait for I/O).
  void InvalidateClock() { clock_stale_ = true; }

 private:
  // Runs the complete commands in c's read buffer; now_ms is the loop iteration's clock
  // (NowMs), which nothing in a batch makes stale.
  void ProcessInput(Connection* c, int64_t now_ms);
  // ProcessInput's loop while BlockingState::attention(): stops at a blocked client, holds
  // paused commands back and serves the keys each command readies.
  // ProcessInput's loop over the batch when no script is busy.
  [[gnu::always_inline]] inline void ProcessBatch(Connection* c, ParseLimits& limits,
                                                  int64_t now_ms);
  using DispatchFn = void (*)(Engine&, ClientInfo&, const std::vector<std::string_view>&,
                              std::string*, int64_t);
  // With dispatch DispatchWhileBusy: the batch of a client read while a script is busy.
  [[gnu::noinline]] void ProcessInputWithBlocking(Connection* c, ParseLimits& limits,
                                                  int64_t now_ms, DispatchFn dispatch);
  // A parse result other than a command (empty line, incomplete, protocol error); false when
  // the batch stops here.
  bool OnParseResult(Connection* c, const RespParser::Result& r, std::string_view pending);
  // Runs the pipelines of the clients unblocked since the last call, in the order they were
  // unblocked, until no more are (each may unblock others).
  void RunUnblocked();
  // Arms the blocking timer at the engine's next blocking deadline (if it moved).
  void ArmBlockingTimer();
  // Sends c's replies (TLS connections through WriteTls).
  void Write(Connection* c);
  // Write for a plain connection.
  void WritePlain(Connection* c);
  // OnRead's work on nread new bytes in c's read buffer (plaintext, for TLS): runs them;
  // false when the replies must wait for the end of the iteration (the AOF is written first;
  // a plain connection's replies always wait for it, see OnRead).
  [[gnu::always_inline]] inline bool TakeInput(Connection* c, size_t nread);
  // The end of a batch run from the shared read buffer that left bytes unconsumed: they move
  // to c's own buffer (see "Read buffers" above).
  void KeepUnconsumed(Connection* c);
  void Close(Connection* c);
  void BeginShutdown();
  // Listens on every address of cfg.bind at cfg.port; all or nothing (throws).
  std::vector<uv_stream_t*> BindTcp(const Config& cfg);
  // The same at port, accepting with accept (the TLS listeners).
  std::vector<uv_stream_t*> BindTcp(const Config& cfg, int port, uv_connection_cb accept);
  // TLS (server/tls.h). ReloadTls builds a context from the tls-* settings and, if it builds,
  // serves new connections with it (open ones keep theirs); otherwise logs why (naming why,
  // "SIGHUP"...), keeps the old one and returns false. RebindTls moves the TLS listeners to
  // bind/tls-port as RebindTcp does.
  bool ReloadTls(const char* why);
  bool RebindTls();
  void WriteTls(Connection* c);
  // Moves the metrics exporter to engine_.config's metrics-bind/metrics-port (0: stops it) if
  // they differ from where it listens; if the new address cannot be listened on, the exporter
  // stays where it was and false is returned.
  bool RebindMetrics();
  // metrics-tls-port or metrics-bind changed: moves the TLS metrics listener. False: it could
  // not listen there or TLS could not be configured (the previous address is kept).
  bool RebindMetricsTls();
  // Both: a listener already stopped is started at bind:port (port 0: not at all) by
  // listen(), which throws when it cannot; then the bound address is started again (or, if
  // that fails too, the listener stays off) and false is returned. `what` names it in the log.
  bool MoveListener(const char* what, std::string* bound_bind, int* bound_port,
                    const std::string& bind, int port,
                    const std::function<void(const std::string&, int)>& listen);
  // Moves the TCP listeners to engine_.config's bind/port if they differ from the bound ones.
  // Returns false, with the old listeners and settings back, if the new ones cannot be bound.
  bool RebindTcp();
  void StartCron();
  // The cron's query-buffer trimming for one connection (Redis's rules, see server.cc).
  void ResizeQueryBuffer(Connection* c, int64_t now_ms);
  // client-output-buffer-limit: whether c's queued output is past its class's hard limit, or
  // past the soft limit for longer than soft-seconds; if so it is logged and closed.
  bool CloseIfOverOutputLimit(Connection* c);
  // Client eviction (modules/client_eviction.h), once per loop iteration while it is on.
  void EvictClients();
  // bytes (c's replies, or its TLS records) from written on go out with uv_write.
  void QueueUnsent(Connection* c, std::string& bytes, size_t written);
  // "127.0.0.1:6379, /tmp/firn.sock": where clients connect, for logs and systemd's status.
  std::string ListenersText() const;
  void UpdateStatus();

  CommandLine command_line_;
  Engine engine_;
  uv_loop_t* loop_;
  std::vector<uv_stream_t*> tcp_listeners_;
  uv_stream_t* unix_listener_ = nullptr;
  std::vector<std::string> bound_bind_;  // what tcp_listeners_ listen on
  int bound_port_ = 0;
  std::vector<uv_stream_t*> tls_listeners_;  // on tls_bound_bind_ at tls_bound_port_
  std::vector<std::string> tls_bound_bind_;
  int tls_bound_port_ = 0;
  std::unique_ptr<TlsContext> tls_ctx_;  // new TLS connections' context; null: TLS off
  std::string metrics_bound_bind_;  // where metrics_ listens (port 0: no exporter)
  int metrics_bound_port_ = 0;
  std::string metrics_tls_bound_bind_;  // where metrics_tls_ listens (port 0: nowhere)
  int metrics_tls_bound_port_ = 0;
  std::unique_ptr<MetricsExporter> metrics_;
  std::unique_ptr<MetricsTlsListener> metrics_tls_;  // metrics-tls-port
  std::unique_ptr<AppendOnlyFile> aof_;  // created by Listen (modules/aof.h)
  SystemdNotifier systemd_;
  int64_t last_status_ms_ = 0;
  int cron_period_ms_ = 0;
  uv_timer_t cron_;
  uv_check_t flush_check_;
  // Busy polling (see the top of this file): while busy_poll_ is active the loop does not
  // sleep. read_since_poll_ is set by each read and cleared by each polling turn.
  uv_idle_t busy_poll_;
  uv_prepare_t clock_prepare_;  // marks the clock stale before each wait for I/O
  bool polling_ = false;
  bool read_since_poll_ = false;
  int64_t last_read_us_ = 0;  // command clock: the last read (to a polling turn's precision)
  // The back-off (see the top of this file): polling turns since the last check; when the
  // window began, the loop thread's wait for a CPU in the window's polling periods that
  // ended, and its wait (run_wait_) when this polling period began; no polling before this
  // command-clock time. No polling at all without the kernel's figures (can_busy_poll_).
  RunQueueWait run_wait_;
  bool can_busy_poll_ = false;
  int busy_poll_turns_ = 0;
  int64_t busy_poll_window_us_ = 0;
  int64_t busy_poll_waited_us_ = 0;
  int64_t busy_poll_period_wait_us_ = 0;
  int64_t busy_poll_backoff_until_us_ = 0;
  int64_t busy_poll_pause_us_ = 0;  // the last pause's length
  // Called by every read: keeps polling on, or starts it if traffic is dense.
  void NoteRead() {
    read_since_poll_ = true;
    if (!polling_) MaybeStartBusyPoll();
  }
  void MaybeStartBusyPoll();
  // Started only when the engine asks for end-of-iteration work (RequestEndOfIteration).
  uv_check_t engine_check_;
  uv_timer_t drain_timer_;  // bounds the shutdown's wait for clients to take their replies
  bool drain_timer_started_ = false;
  Connection* current_ = nullptr;  // the connection whose command is running
  Connection* busy_ = nullptr;     // the connection whose script is past busy-reply-threshold
  bool serving_busy_ = false;      // inside ServeWhileBusy's turn of the loop
  // Whether c's batch of commands is running (the registry's current client, set per batch).
  bool IsCurrent(const Connection* c) const;
  OutputBufferLimits obuf_limits_;  // parsed client-output-buffer-limit
  // The smallest non-zero limit of any class (SIZE_MAX: none): a batch checks its output
  // against the limits only once its output buffer reaches this size.
  size_t obuf_check_bytes_ = SIZE_MAX;
  void SetOutputBufferLimits();
  bool CheckOutputMidBatch(Connection* c);  // true: c was closed
  uint64_t client_eviction_limit_ = 0;  // maxmemory-clients in bytes; 0: off
  uv_signal_t sig_term_, sig_int_, sig_hup_;
  std::map<uint64_t, Connection*> clients_;  // by id: connection order
  // Connections with output waiting for the flush check, in the order they got it.
  Connection* dirty_head_ = nullptr;
  Connection** dirty_tail_ = &dirty_head_;
  void MarkDirty(Connection* c);
  std::vector<uint64_t> unblocked_;          // client ids whose pipelines may run again
  uv_timer_t blocking_timer_;
  int64_t blocking_timer_at_ms_ = 0;         // the deadline it is armed for; 0: idle
  bool shutting_down_ = false;
  bool shutdown_requested_ = false;
  bool clock_stale_ = true;
  int64_t cached_now_ms_ = 0;
};

}  // namespace firn
