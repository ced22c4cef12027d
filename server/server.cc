#include "server/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "modules/acl_admission.h"
#include "modules/dispatch.h"
#include "modules/aof.h"
#include "modules/migrate.h"
#include "modules/client_eviction.h"
#include "modules/persist.h"
#include "modules/scripting.h"
#include "protocol/errors.h"
#include "protocol/resp_parser.h"
#include "server/clock.h"
#include "server/log.h"
#include "server/metrics_tls.h"
#include "server/tls.h"
#include "storage/memory.h"

namespace firn {

namespace {

// One read's room: the shared read buffer's size, and the least free room a connection's own
// query buffer offers a read (Redis's PROTO_IOBUF_LEN).
constexpr size_t kMinReadRoom = 16 * 1024;
// Replies a client's batch may build before its output-buffer limit is looked at (Redis's
// 16 KB reply buffer, which its limits do not count either).
constexpr size_t kUncountedReplyBytes = 16 * 1024;
constexpr size_t kIdleBufferKeep = 64 * 1024;
// Query buffer trimming in the cron (Redis's values): a buffer is left alone unless it wastes
// more than kQueryBufferWasteBytes; idle for kQueryBufferIdleMs and empty, it is freed; above
// kQueryBufferResizeThreshold and over twice its recent peak, it shrinks to the peak (at least
// kMinReadRoom).
constexpr size_t kQueryBufferWasteBytes = 4 * 1024;
constexpr int64_t kQueryBufferIdleMs = 2000;
constexpr size_t kQueryBufferResizeThreshold = 32 * 1024;
// Busy polling's back-off (server.h): every kBusyPollCheckTurns polling turns the time the
// loop thread has waited for a CPU while polling is read. Once a window of kBusyPollWindowUs
// is over, a wait of more than 1/kBusyPollWaitShare of it means the cores are taken: the
// kernel keeps taking the CPU from the spinning loop for something else that wants it, and
// the clients it waits for wait for a core too. Polling then stops for kBusyPollBackoffUs,
// or for twice the last pause (up to kBusyPollMaxBackoffUs) when it is paused again within
// kBusyPollBackoffUs of the last pause's end: the cores are still taken, and every return to
// polling costs the clients a window of waiting. (Short preemptions by the kernel's own
// threads, such as the network's softirq work under load, come to a few per cent of the
// time and do not count as taken cores.)
constexpr int kBusyPollCheckTurns = 256;
constexpr int64_t kBusyPollWaitShare = 4;
constexpr int64_t kBusyPollWindowUs = 10000;
constexpr int64_t kBusyPollBackoffUs = 1000000;
constexpr int64_t kBusyPollMaxBackoffUs = 32000000;
// How often systemd's STATUS= line is refreshed (when NOTIFY_SOCKET is set).
constexpr int64_t kStatusPeriodMs = 5000;
// A graceful stop gives clients this long to take their pending replies, then closes whatever
// is left: a client that does not read must not hold the process (Redis does not wait at all).
constexpr uint64_t kShutdownDrainMs = 300;

int64_t MonotonicUs() { return MonotonicClockUs(); }

int64_t RealtimeUs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

// Writes v in decimal at p; returns the end.
char* PutDecimal(char* p, unsigned v) {
  char digits[10];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *p++ = digits[--n];
  return p;
}

// "ip:port", as CLIENT LIST shows addr and laddr. It runs twice for each accepted connection,
// so IPv4 is written by hand (libuv's inet_ntop goes through snprintf: 2,200 instructions,
// nearly half of a connection's whole accept-PING-close cycle).
std::string FormatAddress(const struct sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const struct sockaddr_in*>(&ss);
    const uint32_t ip = ntohl(sin->sin_addr.s_addr);
    char text[sizeof("255.255.255.255:65535")];
    char* p = text;
    for (int shift = 24; shift >= 0; shift -= 8) {
      p = PutDecimal(p, (ip >> shift) & 0xff);
      *p++ = shift != 0 ? '.' : ':';
    }
    p = PutDecimal(p, ntohs(sin->sin_port));
    return std::string(text, static_cast<size_t>(p - text));
  }
  char ip[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (ss.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const struct sockaddr_in6*>(&ss);
    uv_ip6_name(sin6, ip, sizeof(ip));
    port = ntohs(sin6->sin6_port);
  }
  return std::string(ip) + ":" + std::to_string(port);
}

// A loopback peer: 127.0.0.0/8, ::1, or an IPv4-mapped 127.x address.
bool IsLoopback(const struct sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const struct sockaddr_in*>(&ss);
    return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
  }
  if (ss.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const struct sockaddr_in6*>(&ss);
    if (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr)) return true;
    return IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) && sin6->sin6_addr.s6_addr[12] == 127;
  }
  return false;
}

}  // namespace

// A connection's own query buffer: plain malloc'd room, never zero-filled, so the pages a
// request does not reach are never touched (and never resident).
class QueryBuffer {
 public:
  QueryBuffer() = default;
  QueryBuffer(const QueryBuffer&) = delete;
  QueryBuffer& operator=(const QueryBuffer&) = delete;
  ~QueryBuffer() { std::free(data_); }

  char* data() const { return data_; }
  size_t size() const { return size_; }
  // Resizes to bytes, keeping the first min(bytes, size()) bytes.
  void Resize(size_t bytes) {
    char* p = static_cast<char*>(std::realloc(data_, bytes));
    if (p == nullptr) std::abort();  // as any other allocation failing
    data_ = p;
    size_ = bytes;
  }
  void Free() {
    std::free(data_);
    data_ = nullptr;
    size_ = 0;
  }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
};

// One client connection: its socket handle, read buffer, parser and output buffer. The
// client's engine state lives in the registry (modules/client.h); its sink is bound to out.
class Connection {
 public:
  Connection(Server* server, bool unix_socket) : server(server), unix_socket(unix_socket) {}

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&u); }
  uv_handle_t* uv_handle() { return reinterpret_cast<uv_handle_t*>(&u); }

  // libuv handle storage: a TCP or a unix-socket stream.
  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } u;

  Server* server;
  bool unix_socket;
  ClientInfo* client = nullptr;  // in engine_.clients, from accept to OnClosed
  RespParser parser;
  // The unconsumed input is bytes [in_pos, in_len) of in: the loop's shared read buffer while
  // the read that brought them is processed, otherwise own (server.h, "Read buffers").
  char* in = nullptr;
  size_t in_len = 0;
  size_t in_pos = 0;
  QueryBuffer own;         // this connection's query buffer; empty while nothing is pending
  size_t batch_start = 0;  // in_pos when the current batch of commands began
  size_t in_peak = 0;      // most bytes pending since the last cron resize (Redis's querybuf_peak)
  std::string out;      // replies built since the last write
  std::string writing;  // bytes handed to uv_write, kept alive until its callback
  uv_write_t write_req;
  bool write_in_flight = false;
  // When the queued output first passed the soft output-buffer limit (0: it is under).
  int64_t obuf_soft_since_ms = 0;
  bool closing = false;
  bool dirty = false;
  Connection* next_dirty = nullptr;  // the server's list of connections with output to write
  std::unique_ptr<TlsSession> tls;  // TLS connections only (server/tls.h)
};

namespace {

// The loop's read buffer (server.h, "Read buffers"). user: the connection whose batch is
// running from it (null: free). While it is taken (a busy script's batch, while other clients
// are served from inside the script) the others read into buffers of their own.
struct SharedReadBuffer {
  char data[kMinReadRoom];
  Connection* user = nullptr;
};
SharedReadBuffer shared_read;

// Room for c's next read: the shared buffer when c has nothing pending (and so no buffer of
// its own), else the free end of c's own buffer, compacted or doubled to offer kMinReadRoom.
uv_buf_t ReadRoom(Connection* c) {
  if (c->own.size() == 0 && shared_read.user == nullptr) {
    c->in = shared_read.data;
    c->in_pos = c->in_len = 0;
    return uv_buf_init(shared_read.data, sizeof(shared_read.data));
  }
  QueryBuffer& own = c->own;
  if (c->in != own.data()) {  // nothing pending: a fresh buffer (the shared one is taken)
    c->in_pos = c->in_len = 0;
  } else if (c->in_pos == c->in_len) {
    c->in_pos = c->in_len = 0;
  }
  if (own.size() - c->in_len < kMinReadRoom) {
    if (c->in_pos > 0) {
      std::memmove(own.data(), own.data() + c->in_pos, c->in_len - c->in_pos);
      c->in_len -= c->in_pos;
      c->in_pos = 0;
    }
    if (own.size() - c->in_len < kMinReadRoom) {
      own.Resize(std::max(own.size() * 2, c->in_len + kMinReadRoom));
    }
  }
  c->in = own.data();
  return uv_buf_init(own.data() + c->in_len, static_cast<unsigned>(own.size() - c->in_len));
}

void AllocCb(uv_handle_t* h, size_t /*suggested*/, uv_buf_t* buf) {
  *buf = ReadRoom(static_cast<Connection*>(h->data));
}

void ReadCb(uv_stream_t* s, ssize_t nread, const uv_buf_t* /*buf*/) {
  Connection* c = static_cast<Connection*>(s->data);
  c->server->OnRead(c, nread);
}

void WriteCb(uv_write_t* req, int status);

// TLS connections: libuv reads ciphertext into one buffer shared by all of them (it is
// decrypted into the connection's own buffer within the read callback), so an idle TLS
// connection holds no read buffer of its own.
char tls_read_buffer[64 * 1024];

void TlsAllocCb(uv_handle_t* /*h*/, size_t /*suggested*/, uv_buf_t* buf) {
  *buf = uv_buf_init(tls_read_buffer, sizeof(tls_read_buffer));
}

void TlsReadCb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  Connection* c = static_cast<Connection*>(s->data);
  c->server->OnTlsRead(c, buf->base, nread);
}

// Starts reading c's socket: plain bytes into its buffer, or ciphertext for its TLS session.
void StartReading(Connection* c) {
  if (c->tls != nullptr) {
    uv_read_start(c->stream(), TlsAllocCb, TlsReadCb);
  } else {
    uv_read_start(c->stream(), AllocCb, ReadCb);
  }
}

void CloseCb(uv_handle_t* h) {
  Connection* c = static_cast<Connection*>(h->data);
  c->server->OnClosed(c);
}

void AcceptTcpCb(uv_stream_t* listener, int status) {
  if (status < 0) return;
  static_cast<Server*>(listener->data)->OnAccept(listener, false);
}

void AcceptTlsCb(uv_stream_t* listener, int status) {
  if (status < 0) return;
  static_cast<Server*>(listener->data)->OnAccept(listener, false, /*tls=*/true);
}

void AcceptUnixCb(uv_stream_t* listener, int status) {
  if (status < 0) return;
  static_cast<Server*>(listener->data)->OnAccept(listener, true);
}

void CronCb(uv_timer_t* t) { static_cast<Server*>(t->data)->OnCron(); }

void CheckCb(uv_check_t* h) { static_cast<Server*>(h->data)->FlushPending(); }

// Runs just before the loop waits for I/O: whatever runs after the wait reads the clock anew
// (timers run before it in an iteration, so marking it stale any earlier would let a timer's
// reading be served to commands that arrive after the wait).
void ClockPrepareCb(uv_prepare_t* h) { static_cast<Server*>(h->data)->InvalidateClock(); }

void BusyPollCb(uv_idle_t* h) { static_cast<Server*>(h->data)->OnBusyPoll(); }

void EngineCheckCb(uv_check_t* h) { static_cast<Server*>(h->data)->OnEngineCheck(); }
void BlockingTimerCb(uv_timer_t* t) { static_cast<Server*>(t->data)->OnBlockingTimer(); }

void DrainTimeoutCb(uv_timer_t* t) { static_cast<Server*>(t->data)->OnDrainTimeout(); }

void SignalCb(uv_signal_t* h, int signum) { static_cast<Server*>(h->data)->OnSignal(signum); }

void CloseAndFree(uv_handle_t* h) {
  if (h->type == UV_NAMED_PIPE) {
    delete reinterpret_cast<uv_pipe_t*>(h);
  } else {
    delete reinterpret_cast<uv_tcp_t*>(h);
  }
}

// TCP_NODELAY and tcp-keepalive are set on the listening sockets, whose accepted sockets
// inherit them (Linux copies a listener's socket options to each connection it accepts):
// five setsockopt calls fewer for every connection.
void SetInheritedOptions(uv_tcp_t* listener, const Config& cfg) {
  uv_tcp_nodelay(listener, 1);
  uv_tcp_keepalive(listener, cfg.tcp_keepalive > 0 ? 1 : 0,
                   static_cast<unsigned>(std::max(0, cfg.tcp_keepalive)));
}

void PersistLog(int level, const std::string& line) {
  Log(level == 0 ? LogLevel::kInfo : LogLevel::kWarning, "%s", line.c_str());
}

}  // namespace

Server::Server(CommandLine cl)
    : command_line_(std::move(cl)), engine_(command_line_.config), loop_(uv_default_loop()) {
  engine_.hooks = this;
  engine_.clients.set_owner(this);
  engine_.clients.set_realtime_us(RealtimeUs);
  engine_.clock_us = CommandClockUs;
  RecalibrateCommandClock();
  engine_.stats.start_time_ms = RealtimeMs();
  // As Redis: with no plain port, INFO's tcp_port is the TLS port.
  engine_.stats.tcp_port = engine_.config.port != 0 ? engine_.config.port : engine_.config.tls_port;
  engine_.save.log = PersistLog;
  SetOutputBufferLimits();
  client_eviction_limit_ = ClientEvictionLimit(engine_.config);
  // requirepass and the aclfile; a bad aclfile stops the start, as in Redis.
  if (std::optional<std::string> e = ApplyConfiguredUsers(engine_)) {
    throw std::runtime_error("Aborting start because of ACL errors: " + *e);
  }
}

Server::~Server() = default;

// The wall clock, read at most once per loop iteration: on first use after the loop has waited
// for I/O (ClockPrepareCb marks it stale). Keying it on uv_now() instead let it lag by up to
// libuv's coarse monotonic tick (4 ms), so `GETEX k PXAT <client now + 10000>` then PTTL
// answered 10001 or more.
int64_t Server::NowMs() {
  if (clock_stale_) {
    clock_stale_ = false;
    cached_now_ms_ = RealtimeMs();
  }
  return cached_now_ms_;
}

std::vector<uv_stream_t*> Server::BindTcp(const Config& cfg) {
  return BindTcp(cfg, cfg.port, AcceptTcpCb);
}

std::vector<uv_stream_t*> Server::BindTcp(const Config& cfg, int port, uv_connection_cb accept) {
  std::vector<uv_stream_t*> bound;
  if (port == 0) return bound;
  for (const std::string& addr : cfg.bind) {
    auto* tcp = new uv_tcp_t;
    uv_tcp_init(loop_, tcp);
    tcp->data = this;
    struct sockaddr_storage ss;
    int rc = addr.find(':') != std::string::npos
                 ? uv_ip6_addr(addr.c_str(), port, reinterpret_cast<sockaddr_in6*>(&ss))
                 : uv_ip4_addr(addr == "*" ? "0.0.0.0" : addr.c_str(), port,
                               reinterpret_cast<sockaddr_in*>(&ss));
    if (rc == 0) rc = uv_tcp_bind(tcp, reinterpret_cast<const sockaddr*>(&ss), 0);
    if (rc == 0) SetInheritedOptions(tcp, cfg);
    if (rc == 0) {
      rc = uv_listen(reinterpret_cast<uv_stream_t*>(tcp), cfg.tcp_backlog, accept);
    }
    if (rc != 0) {
      uv_close(reinterpret_cast<uv_handle_t*>(tcp), CloseAndFree);
      for (uv_stream_t* l : bound) uv_close(reinterpret_cast<uv_handle_t*>(l), CloseAndFree);
      throw std::runtime_error("Could not create server TCP listening socket " + addr + ":" +
                               std::to_string(port) + ": " + uv_strerror(rc));
    }
    bound.push_back(reinterpret_cast<uv_stream_t*>(tcp));
  }
  return bound;
}

void Server::Listen() {
  const Config& cfg = engine_.config;
  // The snapshot loads before any client can connect (Redis answers -LOADING meanwhile).
  // With appendonly the AOF directory is the source (Redis's rule); else dump.rdb.
  std::string error;
  // The AOF object exists with appendonly no too: BGREWRITEAOF and CONFIG SET appendonly.
  aof_ = std::make_unique<AppendOnlyFile>(engine_);
  engine_.save.aof = aof_.get();
  if (cfg.appendonly) {
    if (!aof_->Start(RealtimeMs(), &error)) throw std::runtime_error(error);
  } else if (!LoadSnapshotAtStartup(engine_, RealtimeMs(), &error)) {
    throw std::runtime_error(error);
  }
  tcp_listeners_ = BindTcp(cfg);
  bound_bind_ = cfg.bind;
  bound_port_ = cfg.port;
  for (const std::string& addr : cfg.bind) {
    if (cfg.port != 0) Log(LogLevel::kInfo, "Listening on %s:%d", addr.c_str(), cfg.port);
  }
  if (cfg.tls_port != 0 || cfg.metrics_tls_port != 0) {
    std::string error;
    tls_ctx_ = TlsContext::Create(cfg, &error);
    if (tls_ctx_ == nullptr) throw std::runtime_error("Failed to configure TLS: " + error);
  }
  if (cfg.tls_port != 0) {
    tls_listeners_ = BindTcp(cfg, cfg.tls_port, AcceptTlsCb);
    tls_bound_bind_ = cfg.bind;
    tls_bound_port_ = cfg.tls_port;
    for (const std::string& addr : cfg.bind) {
      Log(LogLevel::kInfo, "Listening on %s:%d (TLS, certificate serial %s)", addr.c_str(),
          cfg.tls_port, tls_ctx_->serial().c_str());
    }
  }
  if (!cfg.unixsocket.empty()) {
    auto* pipe = new uv_pipe_t;
    uv_pipe_init(loop_, pipe, 0);
    pipe->data = this;
    unlink(cfg.unixsocket.c_str());
    int rc = uv_pipe_bind(pipe, cfg.unixsocket.c_str());
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(pipe), cfg.tcp_backlog, AcceptUnixCb);
    if (rc != 0) {
      uv_close(reinterpret_cast<uv_handle_t*>(pipe), CloseAndFree);
      throw std::runtime_error("Could not create server unix socket " + cfg.unixsocket + ": " +
                               uv_strerror(rc));
    }
    if (cfg.unixsocketperm != 0) chmod(cfg.unixsocket.c_str(), static_cast<mode_t>(cfg.unixsocketperm));
    unix_listener_ = reinterpret_cast<uv_stream_t*>(pipe);
    Log(LogLevel::kInfo, "Listening on unix socket %s", cfg.unixsocket.c_str());
  }
  if (tcp_listeners_.empty() && tls_listeners_.empty() && unix_listener_ == nullptr) {
    Log(LogLevel::kWarning, "No listener configured (port 0 or an empty bind, no unixsocket): "
                            "no client can connect");
  }
  if (cfg.metrics_port != 0) {
    metrics_ = std::make_unique<MetricsExporter>(loop_, engine_, cfg.metrics_bind, cfg.metrics_port);
    metrics_bound_bind_ = cfg.metrics_bind;
    metrics_bound_port_ = cfg.metrics_port;
    Log(LogLevel::kInfo, "Metrics exporter listening on %s", metrics_->url().c_str());
  } else {
    Log(LogLevel::kInfo, "Metrics exporter off (metrics-port 0)");
  }
  metrics_tls_ = std::make_unique<MetricsTlsListener>(loop_, engine_, tls_ctx_);
  if (cfg.metrics_tls_port != 0) {
    metrics_tls_->Listen(cfg.metrics_bind, cfg.metrics_tls_port);
    metrics_tls_bound_bind_ = cfg.metrics_bind;
    metrics_tls_bound_port_ = cfg.metrics_tls_port;
    Log(LogLevel::kInfo, "Metrics exporter listening on %s", metrics_tls_->url().c_str());
  }
}

bool Server::RebindMetricsTls() {
  const Config& cfg = engine_.config;
  const int port = cfg.metrics_tls_port;
  if (port == metrics_tls_bound_port_ && (port == 0 || cfg.metrics_bind == metrics_tls_bound_bind_)) {
    return true;
  }
  metrics_tls_->StopListening();
  const bool moved = MoveListener(
      "TLS metrics", &metrics_tls_bound_bind_, &metrics_tls_bound_port_, cfg.metrics_bind, port,
      [&](const std::string& bind, int p) {
        if (tls_ctx_ == nullptr && !ReloadTls("metrics-tls-port")) {
          throw std::runtime_error("TLS could not be configured");
        }
        metrics_tls_->Listen(bind, p);
      });
  if (!moved) return false;
  if (port == 0) {
    Log(LogLevel::kInfo, "TLS metrics exporter off (metrics-tls-port 0)");
  } else {
    Log(LogLevel::kInfo, "Metrics exporter listening on %s", metrics_tls_->url().c_str());
  }
  return true;
}

bool Server::RebindMetrics() {
  const Config& cfg = engine_.config;
  if (cfg.metrics_bind == metrics_bound_bind_ && cfg.metrics_port == metrics_bound_port_) {
    return true;
  }
  // Close first, so the exporter may move to a port of the same address.
  metrics_.reset();
  const bool moved = MoveListener(
      "metrics", &metrics_bound_bind_, &metrics_bound_port_, cfg.metrics_bind, cfg.metrics_port,
      [&](const std::string& bind, int port) {
        metrics_ = std::make_unique<MetricsExporter>(loop_, engine_, bind, port);
      });
  if (!moved) return false;
  if (metrics_ != nullptr) {
    Log(LogLevel::kInfo, "Metrics exporter listening on %s", metrics_->url().c_str());
  } else {
    Log(LogLevel::kInfo, "Metrics exporter off (metrics-port 0)");
  }
  return true;
}

bool Server::MoveListener(const char* what, std::string* bound_bind, int* bound_port,
                          const std::string& bind, int port,
                          const std::function<void(const std::string&, int)>& listen) {
  auto start = [&](const std::string& b, int p) {
    if (p != 0) listen(b, p);
    *bound_bind = b;
    *bound_port = p;
  };
  try {
    start(bind, port);
    return true;
  } catch (const std::exception& e) {
    Log(LogLevel::kWarning, "%s; keeping the previous %s address", e.what(), what);
  }
  try {
    start(std::string(*bound_bind), *bound_port);
  } catch (const std::exception& again) {
    Log(LogLevel::kWarning, "%s; the %s exporter is off", again.what(), what);
    *bound_port = 0;
  }
  return false;
}

bool Server::RebindTcp() {
  Config& cfg = engine_.config;
  if (cfg.bind == bound_bind_ && cfg.port == bound_port_) return true;
  // Close first, as Redis does, so a listener may move to an address it already held.
  for (uv_stream_t* l : tcp_listeners_) uv_close(reinterpret_cast<uv_handle_t*>(l), CloseAndFree);
  tcp_listeners_.clear();
  try {
    tcp_listeners_ = BindTcp(cfg);
  } catch (const std::exception& e) {
    Log(LogLevel::kWarning, "%s; keeping the previous listeners (bind and port revert)", e.what());
    cfg.bind = bound_bind_;
    cfg.port = bound_port_;
    try {
      tcp_listeners_ = BindTcp(cfg);
    } catch (const std::exception& e2) {
      Log(LogLevel::kError, "%s: no TCP listener now", e2.what());
    }
    return false;
  }
  bound_bind_ = cfg.bind;
  bound_port_ = cfg.port;
  engine_.stats.tcp_port = cfg.port;
  Log(LogLevel::kInfo, "Listening on %s", ListenersText().c_str());
  return true;
}

std::string Server::ListenersText() const {
  std::string text;
  if (bound_port_ != 0) {
    for (const std::string& addr : bound_bind_) {
      if (!text.empty()) text += ", ";
      text += (addr.find(':') != std::string::npos ? "[" + addr + "]" : addr) + ":" +
              std::to_string(bound_port_);
    }
  }
  if (tls_bound_port_ != 0) {
    for (const std::string& addr : tls_bound_bind_) {
      if (!text.empty()) text += ", ";
      text += (addr.find(':') != std::string::npos ? "[" + addr + "]" : addr) + ":" +
              std::to_string(tls_bound_port_) + " (TLS)";
    }
  }
  if (unix_listener_ != nullptr) {
    if (!text.empty()) text += ", ";
    text += engine_.config.unixsocket;
  }
  return text.empty() ? "nothing" : text;
}

void Server::StartCron() {
  cron_period_ms_ = 1000 / std::max(1, engine_.config.hz);
  uv_timer_start(&cron_, CronCb, static_cast<uint64_t>(cron_period_ms_),
                 static_cast<uint64_t>(cron_period_ms_));
}

int Server::Run() {
  signal(SIGPIPE, SIG_IGN);
  uv_timer_init(loop_, &cron_);
  cron_.data = this;
  StartCron();
  uv_check_init(loop_, &flush_check_);
  flush_check_.data = this;
  uv_check_start(&flush_check_, CheckCb);
  uv_prepare_init(loop_, &clock_prepare_);
  clock_prepare_.data = this;
  uv_prepare_start(&clock_prepare_, ClockPrepareCb);
  uv_idle_init(loop_, &busy_poll_);
  busy_poll_.data = this;
  // Polling needs its back-off: without the kernel's run-queue figures it is not done.
  can_busy_poll_ = run_wait_.Open();
  if (!can_busy_poll_) {
    Log(LogLevel::kWarning, "No /proc/thread-self/schedstat: busy-poll-us has no effect");
  }
  uv_check_init(loop_, &engine_check_);
  engine_check_.data = this;
  uv_timer_init(loop_, &blocking_timer_);
  blocking_timer_.data = this;
  uv_signal_t* sigs[] = {&sig_term_, &sig_int_, &sig_hup_};
  int nums[] = {SIGTERM, SIGINT, SIGHUP};
  for (int i = 0; i < 3; ++i) {
    uv_signal_init(loop_, sigs[i]);
    sigs[i]->data = this;
    uv_signal_start(sigs[i], SignalCb, nums[i]);
  }
  // The listeners accept from here on (connections wait in the backlog until the loop runs).
  systemd_.Ready("Ready to accept connections on " + ListenersText());
  if (uint64_t ms = systemd_.StartWatchdog(loop_); ms != 0) {
    Log(LogLevel::kInfo, "systemd watchdog on: pinging every %llu ms",
        static_cast<unsigned long long>(ms));
  }
  last_status_ms_ = NowMs();
  uv_run(loop_, UV_RUN_DEFAULT);
  uv_loop_close(loop_);
  if (!engine_.config.unixsocket.empty()) unlink(engine_.config.unixsocket.c_str());
  Log(LogLevel::kInfo, "Firn is now ready to exit, bye bye...");
  return 0;
}

void Server::OnAccept(uv_stream_t* listener, bool unix_socket, bool tls) {
  auto* c = new Connection(this, unix_socket);
  if (unix_socket) {
    uv_pipe_init(loop_, &c->u.pipe, 0);
  } else {
    uv_tcp_init(loop_, &c->u.tcp);
  }
  c->uv_handle()->data = c;
  if (uv_accept(listener, c->stream()) != 0) {
    uv_close(c->uv_handle(), [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
    return;
  }
  ++engine_.stats.total_connections_received;
  struct sockaddr_storage peer;
  int peer_len = sizeof(peer);
  const bool have_peer =
      !unix_socket &&
      uv_tcp_getpeername(&c->u.tcp, reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0;
  // Protected mode, as Redis 7.0: no password, and the client is not on loopback.
  const bool denied = engine_.config.protected_mode && engine_.config.requirepass.empty() &&
                      have_peer && !IsLoopback(peer);
  if (denied || clients_.size() >= static_cast<size_t>(engine_.config.maxclients)) {
    ++engine_.stats.rejected_connections;
    std::string msg =
        "-" + std::string(denied ? err::kProtectedModeDenied : err::kMaxClients) + "\r\n";
    uv_buf_t b = uv_buf_init(msg.data(), static_cast<unsigned>(msg.size()));
    if (!tls) uv_try_write(c->stream(), &b, 1);  // a TLS client could not read it
    uv_close(c->uv_handle(), [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
    return;
  }
  ClientInfo& info = engine_.clients.Add();
  c->client = &info;
  info.sink = OutputSink{.buffer = &c->out, .owner = c};
  info.created_ms = info.last_interaction_ms = NowMs();
  info.authenticated = DefaultUserOpen(engine_);
  if (unix_socket) {
    info.addr = engine_.config.unixsocket + ":0";
    info.laddr = info.addr;
  } else {
    // TCP_NODELAY and keepalive come from the listener (SetInheritedOptions).
    if (have_peer) info.addr = FormatAddress(peer);
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_tcp_getsockname(&c->u.tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      info.laddr = FormatAddress(ss);
    }
    uv_fileno(c->uv_handle(), &info.fd);
  }
  clients_[info.id] = c;
  engine_.stats.connected_clients = clients_.size();
  if (tls) c->tls = std::make_unique<TlsSession>(*tls_ctx_, info.created_ms);
  StartReading(c);
}

bool Server::IsCurrent(const Connection* c) const {
  return c->client != nullptr && engine_.clients.current() == c->client;
}

void Server::OnRead(Connection* c, ssize_t nread) {
  if (nread < 0) {
    Close(c);
    return;
  }
  if (nread == 0 || c->closing) return;
  NoteRead();
  // The reply goes out at the end of the loop's iteration (FlushPending), with the replies of
  // every other connection read in it, as Redis writes in beforeSleep. Written at once, each
  // reply of an iteration woke its client again: with 50 clients at -P 1 that is a wake-up
  // per request, 17% of the loop's time in GEOSEARCH. A lone client's reply waits only for
  // the rest of its iteration.
  TakeInput(c, static_cast<size_t>(nread));
  MarkDirty(c);
}

bool Server::TakeInput(Connection* c, size_t nread) {
  c->in_len += nread;
  engine_.stats.net_input_bytes += static_cast<uint64_t>(nread);
  const int64_t now_ms = NowMs();
  c->client->last_interaction_ms = now_ms;
  ProcessInput(c, now_ms);
  // The journal, when set, is the AOF: one load when it is off, as before it always existed.
  if (engine_.journal != nullptr && aof_->HasPending()) {
    OutputReady(*c->client);  // written after the AOF flush, at the end of the iteration
    return false;
  }
  return true;
}

void Server::Unblocked(ClientInfo& client) { unblocked_.push_back(client.id); }

void Server::RunUnblocked() {
  if (engine_.script_busy != ScriptBusy::kNone) return;  // served once the script ends
  // Bounded: a client is only re-added when a later command unblocks it again, which needs
  // it to have blocked again, consuming a command of its pipeline.
  while (!unblocked_.empty()) {
    std::vector<uint64_t> batch;
    batch.swap(unblocked_);
    for (uint64_t id : batch) {
      auto it = clients_.find(id);
      if (it == clients_.end()) continue;
      Connection* c = it->second;
      if (c->closing || c->client->blocked) continue;
      ProcessInput(c, NowMs());
      if (engine_.journal != nullptr && aof_->HasPending()) {
        OutputReady(*c->client);  // after the AOF flush
      } else {
        Write(c);
      }
    }
  }
}

void Server::ArmBlockingTimer() {
  const int64_t at = NextBlockingDeadlineMs(engine_);
  if (at == blocking_timer_at_ms_ || shutting_down_) return;
  blocking_timer_at_ms_ = at;
  if (at == 0) {
    uv_timer_stop(&blocking_timer_);
    return;
  }
  const int64_t delay = std::max<int64_t>(0, at - RealtimeMs());
  uv_timer_start(&blocking_timer_, BlockingTimerCb, static_cast<uint64_t>(delay), 0);
}

void Server::OnBlockingTimer() {
  blocking_timer_at_ms_ = 0;
  // Nothing runs inside a busy script; the deadlines are met once it ends.
  if (engine_.script_busy != ScriptBusy::kNone) return;
  // The loop's clock may be older than the timer's wake-up.
  InvalidateClock();
  ExpireBlockedClients(engine_, NowMs());
  RunUnblocked();
  ArmBlockingTimer();
}

// The ordinary batch loop (no script busy).
void Server::ProcessBatch(Connection* c, ParseLimits& limits, int64_t now_ms) {
  // Held for the batch (the connection keeps its client until OnClosed, which cannot run
  // while its batch does), so it is not reloaded around every command.
  ClientInfo& client = *c->client;
  while (c->in_pos < c->in_len && !client.close_after_reply) {
    // While a client is blocked or CLIENT PAUSE is in force (modules/blocking.h), the rest of
    // the batch takes the path that minds them; otherwise a command cannot block anyone or
    // ready a key for anyone, and this one test is all the hot path pays.
    if (engine_.blocking.attention()) [[unlikely]] {
      ProcessInputWithBlocking(c, limits, now_ms, DispatchWithBlocking);
      break;
    }
    limits.authenticated = client.authenticated;
    std::string_view pending(c->in + c->in_pos, c->in_len - c->in_pos);
    RespParser::Result r = c->parser.Parse(pending, limits);
    if (r.status == RespParser::Status::kCommand) {
      Dispatch(engine_, client, c->parser.args(), &c->out, now_ms);
      c->in_pos += r.consumed;
      // The output-buffer limit as replies accumulate, not only after the batch: one huge
      // pipeline must not build gigabytes first. One compare with a constant per command;
      // only a buffer past it pays for the real test.
      if (c->out.size() >= kUncountedReplyBytes) [[unlikely]] {
        if (CheckOutputMidBatch(c)) break;
      }
    } else if (!OnParseResult(c, r, pending)) {
      break;
    }
  }
}

// Between two commands of c's batch, its unsent replies reached obuf_check_bytes_: past its
// class's limit it is closed now (not when the batch unwinds, which could wait on a write that
// never completes), its replies dropped and the rest of its batch unread, which ends the batch.
[[gnu::noinline]] bool Server::CheckOutputMidBatch(Connection* c) {
  if (c->out.size() < obuf_check_bytes_) return false;
  ClientInfo* const running = engine_.clients.current();
  engine_.clients.set_current(nullptr);  // no command of it runs now: close it at once
  const bool closed = CloseIfOverOutputLimit(c);
  engine_.clients.set_current(running);
  return closed;
}

void Server::SetOutputBufferLimits() {
  obuf_limits_ = ParseOutputBufferLimits(engine_.config.client_output_buffer_limit);
  uint64_t least = UINT64_MAX;
  for (const OutputBufferLimit* l : {&obuf_limits_.normal, &obuf_limits_.replica,
                                     &obuf_limits_.pubsub}) {
    for (uint64_t bytes : {l->hard_bytes, l->soft_bytes}) {
      if (bytes != 0) least = std::min(least, bytes);
    }
  }
  // Redis does not count the first 16 KB of replies (its fixed reply buffer) against the
  // limits, so a tiny limit does not close a client over a small reply: nor does Firn.
  least = std::max<uint64_t>(least, kUncountedReplyBytes);
  obuf_check_bytes_ = least >= SIZE_MAX ? SIZE_MAX : static_cast<size_t>(least);
}

void Server::ProcessInput(Connection* c, int64_t now_ms) {
  const Config& cfg = engine_.config;
  ParseLimits limits;
  limits.max_bulk_len = static_cast<int64_t>(cfg.proto_max_bulk_len);
  c->batch_start = c->in_pos;
  const bool shared = c->in == shared_read.data;
  if (shared) shared_read.user = c;
  current_ = c;
  engine_.clients.set_current(c->client);
  // While a script is busy (served from inside it, see ServeWhileBusy) commands meet -BUSY;
  // the choice is made once per batch, so the ordinary loop pays nothing for it.
  if (engine_.script_busy != ScriptBusy::kNone) [[unlikely]] {
    ProcessInputWithBlocking(c, limits, now_ms, DispatchWhileBusy);
  } else {
    ProcessBatch(c, limits, now_ms);
  }
  current_ = nullptr;
  engine_.clients.set_current(nullptr);
  if (c->in_pos == c->in_len) c->in_pos = c->in_len = 0;
  if (shared) {
    // The shared buffer is free again; what this read left unrun (a partial command, or the
    // pipeline behind a command that blocked) moves to c's own buffer first.
    if (shared_read.user == c) shared_read.user = nullptr;
    if (c->in == shared_read.data) {
      if (c->in_len != 0 && !c->client->close_after_reply) [[unlikely]] {
        KeepUnconsumed(c);
      } else {
        c->in = nullptr;  // a closing client's unread rest goes with it, as in Redis
        c->in_pos = c->in_len = 0;
      }
    }
  }
  if (shutdown_requested_) BeginShutdown();
}

// A batch run from the shared read buffer stopped before its end: the bytes left move to the
// front of c's own buffer (empty until now), with a read's room after them. A suspended parse
// follows them (RespParser rebases its views).
[[gnu::noinline]] void Server::KeepUnconsumed(Connection* c) {
  const size_t pending = c->in_len - c->in_pos;
  if (c->own.size() < pending + kMinReadRoom) c->own.Resize(pending + kMinReadRoom);
  std::memcpy(c->own.data(), c->in + c->in_pos, pending);
  c->in = c->own.data();
  c->in_pos = 0;
  c->in_len = pending;
}

// The socket took only `written` bytes: the rest goes out with uv_write, and the output now
// queued is held against the client's output-buffer limit.
[[gnu::noinline]] void Server::QueueUnsent(Connection* c, std::string& bytes, size_t written) {
  c->writing.assign(bytes, written);
  bytes.clear();
  c->write_req.data = c;
  uv_buf_t rest = uv_buf_init(c->writing.data(), static_cast<unsigned>(c->writing.size()));
  c->write_in_flight = true;
  uv_write(&c->write_req, c->stream(), &rest, 1, WriteCb);
  c->client->output_buffer_bytes = c->writing.size();
  CloseIfOverOutputLimit(c);
}

void Server::ProcessInputWithBlocking(Connection* c, ParseLimits& limits, int64_t now_ms,
                                      DispatchFn dispatch) {
  // A blocked client runs no more of its pipeline until unblocked (Unblocked, RunUnblocked).
  while (c->in_pos < c->in_len && !c->client->close_after_reply && !c->client->blocked) {
    limits.authenticated = c->client->authenticated;
    std::string_view pending(c->in + c->in_pos, c->in_len - c->in_pos);
    RespParser::Result r = c->parser.Parse(pending, limits);
    if (r.status == RespParser::Status::kCommand) {
      dispatch(engine_, *c->client, c->parser.args(), &c->out, now_ms);
      c->in_pos += r.consumed;
      if (c->out.size() >= kUncountedReplyBytes && CheckOutputMidBatch(c)) break;
    } else if (!OnParseResult(c, r, pending)) {
      break;
    }
  }
}

bool Server::OnParseResult(Connection* c, const RespParser::Result& r, std::string_view pending) {
  if (r.status == RespParser::Status::kEmpty) {
    c->in_pos += r.consumed;
    return true;
  }
  if (r.status == RespParser::Status::kIncomplete) {
    // Only a request spanning reads makes the buffer hold more than one read's bytes.
    c->in_peak = std::max(c->in_peak, pending.size());
    if (pending.size() > engine_.config.client_query_buffer_limit) {
      Log(LogLevel::kWarning, "Closing client that reached max query buffer length (id=%llu addr=%s)",
          static_cast<unsigned long long>(c->client->id), c->client->addr.c_str());
      c->in_pos = c->in_len = 0;
      c->parser.Reset();
      c->client->close_after_reply = true;
    }
    return false;
  }
  engine_.errors.Count(r.error);
  ReplyBuilder(&c->out).Error(r.error);
  Log(LogLevel::kDebug, "Protocol error from client id=%llu addr=%s: %.*s",
      static_cast<unsigned long long>(c->client->id), c->client->addr.c_str(),
      static_cast<int>(r.error.size()), r.error.data());
  c->in_pos = c->in_len = 0;
  c->parser.Reset();
  c->client->close_after_reply = true;
  return true;
}

void Server::Write(Connection* c) {
  if (c->tls != nullptr) [[unlikely]] {
    WriteTls(c);
    return;
  }
  WritePlain(c);
}

void Server::WritePlain(Connection* c) {
  if (c->closing) return;
  if (!c->write_in_flight && !c->out.empty()) {
    uv_buf_t b = uv_buf_init(c->out.data(), static_cast<unsigned>(c->out.size()));
    int n = uv_try_write(c->stream(), &b, 1);
    size_t written = n > 0 ? static_cast<size_t>(n) : 0;
    if (n < 0 && n != UV_EAGAIN) {
      Close(c);
      return;
    }
    engine_.stats.net_output_bytes += written;
    if (written == c->out.size()) {
      c->out.clear();
      c->client->output_buffer_bytes = 0;
    } else {
      QueueUnsent(c, c->out, written);
      return;
    }
  } else if (c->write_in_flight) {
    // What was built meanwhile waits for the write in flight (OnWriteDone sends it).
    c->client->output_buffer_bytes = c->out.size() + c->writing.size();
    if (CloseIfOverOutputLimit(c)) return;
  }
  if (!c->write_in_flight && c->client->close_after_reply) Close(c);
}

namespace {
void WriteCb(uv_write_t* req, int status) {
  Connection* c = static_cast<Connection*>(req->data);
  c->server->OnWriteDone(c, status);
}
}  // namespace

void Server::OnWriteDone(Connection* c, int status) {
  c->write_in_flight = false;
  std::string().swap(c->writing);  // a big reply's memory goes back now, not at the next one
  // Past a soft limit earlier: still past it (the clock keeps running), or back under.
  if (c->obuf_soft_since_ms != 0 && status >= 0 && CloseIfOverOutputLimit(c)) return;
  if (status < 0) {
    c->out.clear();
    c->client->close_after_reply = true;
  }
  if (c == busy_) return;  // its script's reply is not complete: written after the script
  // Anything built while this write was in flight goes out now.
  Write(c);
}

void Server::MaybeStartBusyPoll() {
  const int64_t spin_us = engine_.config.busy_poll_us;
  if (spin_us == 0 || shutting_down_ || !can_busy_poll_) return;
  const int64_t now_us = CommandClockUs();
  const int64_t gap_us = now_us - last_read_us_;
  last_read_us_ = now_us;
  if (gap_us >= 4 * spin_us) return;  // sparse traffic: sleeping costs little
  if (now_us < busy_poll_backoff_until_us_) [[unlikely]] return;  // preempted: not now
  polling_ = true;
  read_since_poll_ = false;
  // Only the waiting done while polling counts: a sleeping loop's wake-ups count as waiting
  // for a CPU too (from the wake-up until it runs; on a virtual machine's idle CPU that can
  // come to half of a window). The window itself runs on across polling that keeps stopping
  // and starting (a client on the loop's own core), unless it is stale.
  if (now_us - busy_poll_window_us_ >= kBusyPollWindowUs) {
    busy_poll_window_us_ = now_us;
    busy_poll_waited_us_ = 0;
    busy_poll_turns_ = 0;
  }
  busy_poll_period_wait_us_ = run_wait_.Us();
  uv_idle_start(&busy_poll_, BusyPollCb);
}

void Server::OnBusyPoll() {
  const int64_t now_us = CommandClockUs();
  if (++busy_poll_turns_ >= kBusyPollCheckTurns) [[unlikely]] {
    busy_poll_turns_ = 0;
    const int64_t window_us = now_us - busy_poll_window_us_;
    if (window_us >= kBusyPollWindowUs) {
      const int64_t wait_now_us = run_wait_.Us();
      const int64_t waited_us = busy_poll_waited_us_ + (wait_now_us - busy_poll_period_wait_us_);
      busy_poll_window_us_ = now_us;
      busy_poll_waited_us_ = 0;
      busy_poll_period_wait_us_ = wait_now_us;
      if (waited_us * kBusyPollWaitShare > window_us) {
        const bool again = now_us - busy_poll_backoff_until_us_ < kBusyPollBackoffUs;
        busy_poll_pause_us_ =
            again ? std::min(2 * busy_poll_pause_us_, kBusyPollMaxBackoffUs) : kBusyPollBackoffUs;
        busy_poll_backoff_until_us_ = now_us + busy_poll_pause_us_;
        Log(LogLevel::kDebug,
            "Busy polling paused for %lld ms: waited %lld us for a CPU in %lld us",
            static_cast<long long>(busy_poll_pause_us_ / 1000),
            static_cast<long long>(waited_us), static_cast<long long>(window_us));
        polling_ = false;
        uv_idle_stop(&busy_poll_);
        return;
      }
    }
  }
  if (read_since_poll_) {
    read_since_poll_ = false;
    last_read_us_ = now_us;
    return;
  }
  if (now_us - last_read_us_ < engine_.config.busy_poll_us) return;
  polling_ = false;
  uv_idle_stop(&busy_poll_);
  busy_poll_waited_us_ += run_wait_.Us() - busy_poll_period_wait_us_;
}

void Server::FlushPending() {
  if (!unblocked_.empty()) [[unlikely]] RunUnblocked();
  // The blocking timer follows the earliest deadline; with nobody blocked or paused and the
  // timer idle, one test of each.
  if ((engine_.blocking.attention() || blocking_timer_at_ms_ != 0) &&
      blocking_timer_at_ms_ != NextBlockingDeadlineMs(engine_)) [[unlikely]] {
    ArmBlockingTimer();
  }
  // The iteration's AOF records reach the file (and the disk, with appendfsync always)
  // before any of its replies: one write and one fsync for all of them (group commit).
  if (aof_ != nullptr && aof_->HasPending()) aof_->Flush();
  // The list is taken whole: what a write marks dirty meanwhile waits for the next flush.
  Connection* c = dirty_head_;
  dirty_head_ = nullptr;
  dirty_tail_ = &dirty_head_;
  while (c != nullptr) {
    Connection* next = c->next_dirty;  // c stays allocated until its close callback
    c->dirty = false;
    // The busy script's connection is written once its reply is complete (after the script).
    if (c != busy_) Write(c);
    c = next;
  }
  if (client_eviction_limit_ != 0) [[unlikely]] EvictClients();
}

[[gnu::noinline]] void Server::EvictClients() {
  if (engine_.script_busy != ScriptBusy::kNone || shutting_down_) return;
  std::vector<ClientMemoryUse> uses;
  uses.reserve(clients_.size());
  for (auto& [id, c] : clients_) {
    if (c->closing) continue;
    RefreshBufferStats(*c->client);
    uses.push_back({id, ClientMemory(*c->client), !c->client->no_evict});
  }
  for (uint64_t id : ChooseClientsToEvict(std::move(uses), client_eviction_limit_)) {
    Connection* c = clients_.at(id);
    Log(LogLevel::kInfo, "Evicting client: id=%llu addr=%s tot-mem=%zu",
        static_cast<unsigned long long>(id), c->client->addr.c_str(), ClientMemory(*c->client));
    CountEvictedClient();
    Close(c);
  }
}

void Server::Close(Connection* c) {
  if (c->closing) return;
  if (c == busy_) {
    // Its script is still running on its buffers: closed once the script's reply is written.
    c->client->close_after_reply = true;
    return;
  }
  c->closing = true;
  engine_.clients.SetMonitor(*c->client, false);
  c->client->sink.buffer = nullptr;  // the engine writes nothing more to it
  // Unsent output is dropped at once; a write in flight is cancelled by uv_close (its callback
  // runs with UV_ECANCELED before the close callback) and its buffer freed there.
  std::string().swap(c->out);
  c->own.Free();
  c->in = nullptr;
  c->in_pos = c->in_len = 0;
  if (shared_read.user == c) shared_read.user = nullptr;  // closed inside its batch
  c->parser.Reset();
  uv_read_stop(c->stream());
  uv_close(c->uv_handle(), CloseCb);
}

void Server::OnClosed(Connection* c) {
  clients_.erase(c->client->id);
  engine_.clients.Remove(*c->client);
  c->client = nullptr;
  engine_.stats.connected_clients = clients_.size();
  for (Connection** p = &dirty_head_; *p != nullptr; p = &(*p)->next_dirty) {
    if (*p != c) continue;
    *p = c->next_dirty;
    if (dirty_tail_ == &c->next_dirty) dirty_tail_ = p;
    break;
  }
  delete c;
  if (shutting_down_ && clients_.empty() && drain_timer_started_) {
    uv_timer_stop(&drain_timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(&drain_timer_), nullptr);
    drain_timer_started_ = false;
  }
}

void Server::OnCron() {
  const Config& cfg = engine_.config;
  RecalibrateCommandClock();
  const int64_t now_ms = NowMs();
  // Inside a busy script the keyspace must stay as the script sees it, and clients stay.
  if (engine_.script_busy != ScriptBusy::kNone) return;
  // Between commands, eviction may take a fifth of the tick (maxmemory lowered at runtime).
  EnforceMaxmemory(engine_, now_ms, 200000 / std::max(1, cfg.hz));
  // CLIENT PAUSE holds back expiry too (Redis pauses it with the writes it would propagate).
  if (engine_.pause.end_ms == 0) {
    const int64_t expire_start_us = MonotonicUs();
    engine_.keyspace.ActiveExpireCycle(now_ms, cfg.hz, cfg.active_expire_effort, MonotonicUs);
    // LATENCY's "expire-cycle" event, as Redis samples its activeExpireCycle.
    if (cfg.latency_monitor_threshold > 0) {
      engine_.latency.AddSampleIfNeeded("expire-cycle", (MonotonicUs() - expire_start_us) / 1000,
                                        cfg.latency_monitor_threshold, now_ms);
    }
  }
  engine_.keyspace.Cron();
  PersistCron(engine_, now_ms);
  MigrateCron(now_ms);
  if (aof_ != nullptr) aof_->Cron(now_ms);
  if (metrics_tls_ != nullptr) metrics_tls_->Cron();
  std::vector<Connection*> idle;
  std::vector<Connection*> over_limit;  // past a soft limit: it may have lasted long enough now
  for (auto& [id, c] : clients_) {
    // As Redis, a blocked client waits out its own timeout, not the idle one.
    if (cfg.timeout > 0 && !c->client->monitor && !c->client->blocked &&
        now_ms - c->client->last_interaction_ms > static_cast<int64_t>(cfg.timeout) * 1000) {
      idle.push_back(c);
      continue;
    }
    if (c->tls != nullptr && !c->tls->handshake_done() &&
        now_ms - c->tls->created_ms() > kTlsHandshakeTimeoutMs) {
      Log(LogLevel::kWarning, "Closing TLS client id=%llu addr=%s: no handshake within %lld ms",
          static_cast<unsigned long long>(c->client->id), c->client->addr.c_str(),
          static_cast<long long>(kTlsHandshakeTimeoutMs));
      idle.push_back(c);
      continue;
    }
    // A blocked client's pipeline waits unparsed: past the query buffer limit it is closed.
    if (c->client->blocked && c->in_len - c->in_pos > cfg.client_query_buffer_limit) {
      Log(LogLevel::kWarning, "Closing client that reached max query buffer length (id=%llu addr=%s)",
          static_cast<unsigned long long>(c->client->id), c->client->addr.c_str());
      idle.push_back(c);
      continue;
    }
    ResizeQueryBuffer(c, now_ms);
    // The argument list of a huge command (a busy script's command still uses its own).
    if (c != busy_ && !IsCurrent(c)) c->parser.ReleaseLargeArgs();
    if (c->write_in_flight && c->obuf_soft_since_ms != 0) over_limit.push_back(c);
    // Give back an output buffer that grew for a burst once it is empty.
    if (c->out.empty() && c->out.capacity() > kIdleBufferKeep) std::string().swap(c->out);
  }
  for (Connection* c : idle) {
    Log(LogLevel::kDebug, "Closing idle client id=%llu", static_cast<unsigned long long>(c->client->id));
    Close(c);
  }
  for (Connection* c : over_limit) CloseIfOverOutputLimit(c);
  if (now_ms - last_status_ms_ >= kStatusPeriodMs) {
    last_status_ms_ = now_ms;
    UpdateStatus();
  }
}

// Redis's checkClientOutputBufferLimits: after each of a client's own commands once its
// unsent replies reach the smallest limit in force (obuf_check_bytes_), after each batch and
// write that leaves output queued, and once per loop iteration for what others sent it
// (pub/sub, invalidations: bounded by the sender's batch). A client past the hard limit, or past the soft limit on two checks more than
// soft-seconds apart, is closed at once and its queued bytes freed.
[[gnu::noinline]] bool Server::CloseIfOverOutputLimit(Connection* c) {
  const ClientType type = TypeOf(*c->client);
  const OutputBufferLimit& limit = type == ClientType::kPubSub   ? obuf_limits_.pubsub
                                   : type == ClientType::kReplica ? obuf_limits_.replica
                                                                  : obuf_limits_.normal;
  const size_t used = c->out.size() + c->writing.size();
  bool over = limit.hard_bytes != 0 && used >= limit.hard_bytes;
  if (limit.soft_bytes != 0 && used >= limit.soft_bytes) {
    const int64_t now_ms = NowMs();
    if (c->obuf_soft_since_ms == 0) {
      c->obuf_soft_since_ms = now_ms;
    } else if (now_ms - c->obuf_soft_since_ms > limit.soft_seconds * 1000) {
      over = true;
    }
  } else {
    c->obuf_soft_since_ms = 0;
  }
  if (!over) return false;
  const ClientInfo& info = *c->client;
  const int64_t now_ms = NowMs();
  Log(LogLevel::kWarning,
      "Client id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld db=%d omem=%zu "
      "cmd=%.*s scheduled to be closed ASAP for overcoming of output buffer limits.",
      static_cast<unsigned long long>(info.id), info.addr.c_str(), info.laddr.c_str(), info.fd,
      info.name.c_str(), static_cast<long long>((now_ms - info.created_ms) / 1000),
      static_cast<long long>((now_ms - info.last_interaction_ms) / 1000), info.db, used,
      static_cast<int>(info.last_command.size()), info.last_command.data());
  if (IsCurrent(c)) {
    // Its batch is running: stop it, drop what it queued, close once the batch unwinds.
    c->in_pos = c->in_len = 0;
    c->parser.Reset();
    std::string().swap(c->out);
    c->client->close_after_reply = true;
    c->obuf_soft_since_ms = 0;
    return false;
  }
  Close(c);
  return true;
}

void Server::ResizeQueryBuffer(Connection* c, int64_t now_ms) {
  // As Redis's clientsCronResizeQueryBuffer: only a buffer wasting more than 4 KiB is
  // touched; after 2 s idle an empty one is freed; otherwise one above 32 KiB that is more than
  // twice its recent peak shrinks to that peak (never below what is pending). Then the peak
  // restarts from what is pending now.
  QueryBuffer& own = c->own;
  const size_t pending = c->in_len - c->in_pos;
  const size_t free_bytes = own.size() - c->in_len;
  if (own.size() != 0 && free_bytes > kQueryBufferWasteBytes && !IsCurrent(c)) {
    const bool idle = now_ms - c->client->last_interaction_ms > kQueryBufferIdleMs;
    if (idle && pending == 0) {
      own.Free();
      c->in = nullptr;
      c->in_pos = c->in_len = 0;
    } else if (own.size() > kQueryBufferResizeThreshold && own.size() / 2 > c->in_peak) {
      // The pending bytes move to the front of a smaller buffer; a suspended parse follows
      // them (RespParser rebases its views).
      // Never below one read's room: the next read would only grow it back.
      if (c->in_pos > 0) std::memmove(own.data(), own.data() + c->in_pos, pending);
      own.Resize(std::max({pending, c->in_peak, kMinReadRoom}));
      c->in = own.data();
      c->in_pos = 0;
      c->in_len = pending;
    }
  }
  c->in_peak = c->in_len - c->in_pos;
}

void Server::UpdateStatus() {
  if (!systemd_.active()) return;
  char line[256];
  std::snprintf(line, sizeof(line), "Ready on %s: %llu clients, %llu keys, %s used",
                ListenersText().c_str(), static_cast<unsigned long long>(clients_.size()),
                static_cast<unsigned long long>(engine_.keyspace.TotalKeys()),
                FormatMemory(static_cast<uint64_t>(std::max<int64_t>(0, UsedMemoryBytes())))
                    .c_str());
  systemd_.Status(line);
}

void Server::OnSignal(int signum) {
  if (signum == SIGHUP) {
    systemd_.Reloading("Reloading the configuration");
    Reload();
    systemd_.Ready("Ready to accept connections on " + ListenersText());
    return;
  }
  Log(LogLevel::kWarning, "Received %s scheduling shutdown...", signum == SIGINT ? "SIGINT" : "SIGTERM");
  if (engine_.script_busy != ScriptBusy::kNone) ScriptingOf(engine_).vm.Kill();
  // With save rules set the snapshot is written first; if that fails the server keeps
  // running, as Redis does, rather than lose the data.
  if (!shutting_down_ && !SaveBeforeShutdown(engine_, NowMs(), false, false)) {
    Log(LogLevel::kWarning, "%s received but errors trying to shut down the server, check the "
        "logs for more information", signum == SIGINT ? "SIGINT" : "SIGTERM");
    return;
  }
  BeginShutdown();
}

void Server::Reload() {
  // The log file first, so that after logrotate every line of this reload is in the new file.
  const bool reopened = ReopenLog();
  const std::string& file = command_line_.config.config_file;
  Log(LogLevel::kInfo, "Received SIGHUP: reloading the configuration from %s",
      file.empty() ? "the command line (no config file)" : file.c_str());
  if (!reopened) {
    Log(LogLevel::kWarning, "Config reload: could not reopen the log file; still writing to the old one");
  }
  Config fresh;
  try {
    fresh = ReloadConfig(command_line_);
  } catch (const std::exception& e) {
    Log(LogLevel::kWarning, "Config reload failed, keeping the running config: %s", e.what());
    return;
  }
  // As CONFIG SET: every runtime setting applied to a copy, which replaces the live config;
  // then the server applies what it must (ConfigChanged).
  Config updated = engine_.config;
  std::vector<std::string_view> applied;
  size_t refused = 0;
  for (std::string_view name : DiffConfig(engine_.config, fresh)) {
    const std::string value = GetConfigValue(fresh, name).value_or("");
    const std::string running = GetConfigValue(engine_.config, name).value_or("");
    const bool secret = name == "requirepass";
    if (!IsRuntimeSettable(name)) {
      ++refused;
      Log(LogLevel::kWarning,
          "Config reload: '%.*s' cannot change at runtime (running: '%s', file: '%s'); restart "
          "to apply",
          static_cast<int>(name.size()), name.data(), secret ? "(redacted)" : running.c_str(),
          secret ? "(redacted)" : value.c_str());
      continue;
    }
    SetResult r = SetConfigValue(updated, name, value);
    if (r.kind != SetResult::kOk) {
      ++refused;
      Log(LogLevel::kWarning, "Config reload: '%.*s' not applied: %s",
          static_cast<int>(name.size()), name.data(), r.reason.c_str());
      continue;
    }
    applied.push_back(name);
  }
  const Config before = engine_.config;
  engine_.config = std::move(updated);
  ApplyNotifySettings(engine_);
  size_t changed = 0;
  for (std::string_view name : applied) {
    const bool secret = name == "requirepass";
    ConfigChanged(name);
    // ConfigChanged may have reverted it (a port that cannot be bound).
    const std::string was = GetConfigValue(before, name).value_or("");
    const std::string now = GetConfigValue(engine_.config, name).value_or("");
    if (now == was) {
      ++refused;
      Log(LogLevel::kWarning, "Config reload: %.*s not applied, still '%s'",
          static_cast<int>(name.size()), name.data(), secret ? "(redacted)" : now.c_str());
      continue;
    }
    ++changed;
    Log(LogLevel::kInfo, "Config reload: %.*s changed from '%s' to '%s'",
        static_cast<int>(name.size()), name.data(), secret ? "(redacted)" : was.c_str(),
        secret ? "(redacted)" : now.c_str());
  }
  Log(LogLevel::kInfo, "Config reload done: %zu setting(s) changed, %zu not applied", changed,
      refused);
  // The certificate files may have new contents under the same names.
  if (tls_ctx_ != nullptr) ReloadTls("SIGHUP");
}

std::optional<std::string> Server::ConfigChanged(std::string_view name) {
  if (name == "loglevel") {
    SetLogLevel(engine_.config.loglevel);
  } else if (name == "hz") {
    if (cron_period_ms_ != 0 && !shutting_down_) StartCron();
  } else if (name == "bind" || name == "port") {
    // The TLS listeners follow bind too.
    if (!shutting_down_ && cron_period_ms_ != 0 &&
        (!RebindTcp() || (name == "bind" && !RebindTls()))) {
      return std::string(name == "port" ? err::kConfigListenPort : err::kConfigListenBind);
    }
  } else if (name == "tcp-keepalive") {
    // As Redis: connections accepted from now on.
    for (const std::vector<uv_stream_t*>* ls : {&tcp_listeners_, &tls_listeners_}) {
      for (uv_stream_t* l : *ls) SetInheritedOptions(reinterpret_cast<uv_tcp_t*>(l), engine_.config);
    }
  } else if (name == "tls-port") {
    if (!shutting_down_ && cron_period_ms_ != 0 && !RebindTls()) {
      return std::string(err::kConfigListenPort);
    }
  } else if (name.starts_with("tls-")) {
    // As Redis: the context is rebuilt only while TLS is on; a refused one changes nothing.
    if (tls_ctx_ != nullptr && !ReloadTls("CONFIG SET")) return std::string(err::kConfigTls);
  } else if (name == "metrics-bind" || name == "metrics-port" || name == "metrics-tls-port") {
    if (!shutting_down_ && cron_period_ms_ != 0 && (!RebindMetrics() || !RebindMetricsTls())) {
      return std::string(name == "metrics-bind" ? err::kConfigListenBind : err::kConfigListenPort);
    }
  } else if (name == "maxmemory" || name == "maxmemory-policy") {
    EnforceMaxmemory(engine_, NowMs());
  } else if (name == "appendonly") {
    if (aof_ != nullptr && !engine_.config.appendonly) {
      aof_->Disable();
    } else if (aof_ != nullptr) {
      std::string error;
      if (!aof_->Enable(NowMs(), &error)) return error;
    }
  } else if (name == "save" || name == "stop-writes-on-bgsave-error") {
    RefreshDenyWrites(engine_);
  } else if (name == "tracking-table-max-keys") {
    engine_.tracking.LimitChanged();
  } else if (name == "client-output-buffer-limit") {
    SetOutputBufferLimits();
  }
  if (name == "maxmemory-clients" || name == "maxmemory") {
    client_eviction_limit_ = ClientEvictionLimit(engine_.config);
  }
  return std::nullopt;
}

void Server::RequestShutdown() { shutdown_requested_ = true; }

// ---- TLS (server/tls.h) ----

bool Server::ReloadTls(const char* why) {
  std::string error;
  std::unique_ptr<TlsContext> fresh = TlsContext::Create(engine_.config, &error);
  if (fresh == nullptr) {
    Log(LogLevel::kWarning, "Failed to configure TLS (%s): %s; the previous certificates stay",
        why, error.c_str());
    return false;
  }
  // Open sessions keep the old context (OpenSSL counts its references); new ones get this.
  tls_ctx_ = std::move(fresh);
  Log(LogLevel::kInfo, "TLS configured (%s): certificate serial %s", why,
      tls_ctx_->serial().c_str());
  return true;
}

bool Server::RebindTls() {
  Config& cfg = engine_.config;
  if (cfg.tls_port == tls_bound_port_ && (cfg.tls_port == 0 || cfg.bind == tls_bound_bind_)) {
    return true;
  }
  // A TLS port turned on at runtime needs a context first; without one the port stays off.
  if (cfg.tls_port != 0 && tls_ctx_ == nullptr && !ReloadTls("tls-port")) {
    cfg.tls_port = tls_bound_port_;
    return false;
  }
  for (uv_stream_t* l : tls_listeners_) uv_close(reinterpret_cast<uv_handle_t*>(l), CloseAndFree);
  tls_listeners_.clear();
  bool moved = true;
  try {
    tls_listeners_ = BindTcp(cfg, cfg.tls_port, AcceptTlsCb);
  } catch (const std::exception& e) {
    Log(LogLevel::kWarning, "%s; keeping the previous TLS listeners (tls-port reverts)", e.what());
    moved = false;
    cfg.tls_port = tls_bound_port_;
    Config previous = cfg;
    previous.bind = tls_bound_bind_;
    try {
      tls_listeners_ = BindTcp(previous, tls_bound_port_, AcceptTlsCb);
    } catch (const std::exception& e2) {
      Log(LogLevel::kError, "%s: no TLS listener now", e2.what());
      tls_bound_port_ = 0;
    }
  }
  if (moved) {
    tls_bound_bind_ = cfg.bind;
    tls_bound_port_ = cfg.tls_port;
  }
  if (tls_bound_port_ == 0) tls_ctx_.reset();
  Log(LogLevel::kInfo, "Listening on %s", ListenersText().c_str());
  return moved;
}

// Ciphertext read from a TLS client: decrypted into the connection's read buffer, record by
// record, each run through OnRead as a plain read would be.
void Server::OnTlsRead(Connection* c, const char* data, ssize_t nread) {
  if (nread <= 0 || c->closing) {
    if (nread < 0) OnRead(c, nread);
    return;
  }
  TlsSession& tls = *c->tls;
  const bool was_handshaking = !tls.handshake_done();
  tls.Feed(data, static_cast<size_t>(nread));
  for (;;) {
    const uv_buf_t room = ReadRoom(c);
    const long n = tls.Read(room.base, room.len);
    if (n == 0) break;
    if (n > 0) {
      tls.Hold();  // the shared read buffer may be reused if a command turns the loop
      NoteRead();
      if (TakeInput(c, static_cast<size_t>(n))) WriteTls(c);
      if (c->closing) return;
      if (tls.drained()) break;  // saves the Read that would only say "no more"
      continue;
    }
    // The session is over: a failed handshake, a peer that is not speaking TLS, a refused
    // certificate or renegotiation, or the peer's close_notify. An alert goes out if it can.
    if (!tls.error().empty()) {
      Log(LogLevel::kWarning, "%s: %s (id=%llu addr=%s)",
          tls.handshake_done() ? "TLS error on a client connection"
                               : "Error accepting a client connection",
          tls.error().c_str(), static_cast<unsigned long long>(c->client->id),
          c->client->addr.c_str());
    }
    if (!c->write_in_flight && !tls.pending().empty()) {
      uv_buf_t b = uv_buf_init(tls.pending().data(), static_cast<unsigned>(tls.pending().size()));
      uv_try_write(c->stream(), &b, 1);
    }
    Close(c);
    return;
  }
  if (was_handshaking && tls.handshake_done()) {
    Log(LogLevel::kDebug, "TLS handshake done with client id=%llu addr=%s: %s%s",
        static_cast<unsigned long long>(c->client->id), c->client->addr.c_str(),
        tls.Describe().c_str(), tls.peer_verified() ? ", client certificate verified" : "");
  }
  // Handshake messages and session tickets go out now; replies wait for the end of the
  // iteration if OnRead left them there (after the AOF flush).
  if (!tls.pending().empty() && !c->dirty) Write(c);
}

// Write for a TLS connection: the replies built are encrypted, then their records go out as
// Write sends a plain connection's replies (what the socket does not take is queued).
void Server::WriteTls(Connection* c) {
  if (c->closing) return;
  TlsSession& tls = *c->tls;
  if (!c->write_in_flight) {
    if (!c->out.empty()) {
      if (!tls.Write(c->out)) {
        Log(LogLevel::kWarning, "TLS error on a client connection: %s (id=%llu addr=%s)",
            tls.error().c_str(), static_cast<unsigned long long>(c->client->id),
            c->client->addr.c_str());
        Close(c);
        return;
      }
      engine_.stats.net_output_bytes += c->out.size();  // as Redis: the bytes of the replies
      c->out.clear();
    }
    std::string& records = tls.pending();
    if (!records.empty()) {
      uv_buf_t b = uv_buf_init(records.data(), static_cast<unsigned>(records.size()));
      const int n = uv_try_write(c->stream(), &b, 1);
      if (n < 0 && n != UV_EAGAIN) {
        Close(c);
        return;
      }
      const size_t written = n > 0 ? static_cast<size_t>(n) : 0;
      if (written < records.size()) {
        QueueUnsent(c, records, written);
        return;
      }
      records.clear();
      if (records.capacity() > kIdleBufferKeep) std::string().swap(records);
    }
    c->client->output_buffer_bytes = 0;
  } else {
    c->client->output_buffer_bytes = c->out.size() + c->writing.size();
    if (CloseIfOverOutputLimit(c)) return;
  }
  if (!c->write_in_flight && c->client->close_after_reply) Close(c);
}

void Server::ScriptBusyStarted() {
  Log(LogLevel::kWarning,
      "Slow script detected: still in execution after %lld milliseconds. You can try killing "
      "the script using the %s command.",
      static_cast<long long>(engine_.config.busy_reply_threshold),
      engine_.script_busy == ScriptBusy::kFunction ? "FUNCTION KILL" : "SCRIPT KILL");
  busy_ = current_;
  if (busy_ != nullptr && !busy_->closing) uv_read_stop(busy_->stream());
}

void Server::ServeWhileBusy() {
  if (serving_busy_) return;  // an allow-busy command never runs a script, but be sure
  serving_busy_ = true;
  Connection* const running = current_;  // the busy connection's ProcessInput is below us
  InvalidateClock();  // the script has run for a while: this turn's commands read the clock anew
  uv_run(loop_, UV_RUN_NOWAIT);
  current_ = running;
  engine_.clients.set_current(running != nullptr ? running->client : nullptr);
  serving_busy_ = false;
}

void Server::ScriptBusyEnded() {
  Connection* c = busy_;
  busy_ = nullptr;
  if (c != nullptr && !c->closing && !shutting_down_) StartReading(c);
}

void Server::BeginShutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  Log(LogLevel::kInfo, "User requested shutdown...");
  systemd_.Stopping("Shutting down: flushing replies to " + std::to_string(clients_.size()) +
                    " clients");
  for (uv_stream_t* l : tcp_listeners_) uv_close(reinterpret_cast<uv_handle_t*>(l), CloseAndFree);
  tcp_listeners_.clear();
  for (uv_stream_t* l : tls_listeners_) uv_close(reinterpret_cast<uv_handle_t*>(l), CloseAndFree);
  tls_listeners_.clear();
  if (unix_listener_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(unix_listener_), CloseAndFree);
    unix_listener_ = nullptr;
  }
  if (metrics_ != nullptr) metrics_->Stop();
  if (metrics_tls_ != nullptr) metrics_tls_->Stop();
  systemd_.Close();
  uv_timer_stop(&cron_);
  uv_close(reinterpret_cast<uv_handle_t*>(&cron_), nullptr);
  uv_check_stop(&flush_check_);
  uv_close(reinterpret_cast<uv_handle_t*>(&flush_check_), nullptr);
  uv_idle_stop(&busy_poll_);
  polling_ = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&busy_poll_), nullptr);
  uv_prepare_stop(&clock_prepare_);
  uv_close(reinterpret_cast<uv_handle_t*>(&clock_prepare_), nullptr);
  uv_check_stop(&engine_check_);
  uv_close(reinterpret_cast<uv_handle_t*>(&engine_check_), nullptr);
  uv_timer_stop(&blocking_timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&blocking_timer_), nullptr);
  for (uv_signal_t* s : {&sig_term_, &sig_int_, &sig_hup_}) {
    uv_close(reinterpret_cast<uv_handle_t*>(s), nullptr);
  }
  // Every client gets its pending replies, then its connection closes; those still writing
  // after kShutdownDrainMs are closed regardless (OnDrainTimeout).
  std::vector<Connection*> all;
  for (auto& [id, c] : clients_) all.push_back(c);
  for (Connection* c : all) {
    c->client->close_after_reply = true;
    if (c != busy_) Write(c);  // the busy one is written and closed after its script
  }
  bool waiting = false;
  for (auto& [id, c] : clients_) waiting = waiting || !c->closing;
  if (waiting) {
    uv_timer_init(loop_, &drain_timer_);
    drain_timer_.data = this;
    uv_timer_start(&drain_timer_, DrainTimeoutCb, kShutdownDrainMs, 0);
    drain_timer_started_ = true;
  }
}

void Server::OnDrainTimeout() {
  std::vector<Connection*> left;
  for (auto& [id, c] : clients_) {
    if (!c->closing) left.push_back(c);
  }
  if (!left.empty()) {
    Log(LogLevel::kWarning,
        "Shutdown: closing %zu client(s) that did not take their replies within %llu ms",
        left.size(), static_cast<unsigned long long>(kShutdownDrainMs));
  }
  for (Connection* c : left) Close(c);
  uv_close(reinterpret_cast<uv_handle_t*>(&drain_timer_), nullptr);
  drain_timer_started_ = false;
}

void Server::ForEachClient(const std::function<void(const ClientInfo&)>& fn) {
  for (auto& [id, c] : clients_) {
    if (c->closing) continue;  // killed or gone: only its handle is still being closed
    RefreshBufferStats(*c->client);
    fn(*c->client);
  }
}

size_t Server::KillClients(const std::function<bool(const ClientInfo&)>& pred) {
  size_t n = 0;
  std::vector<Connection*> victims;
  for (auto& [id, c] : clients_) {
    if (c->closing || !pred(*c->client)) continue;
    ++n;
    if (IsCurrent(c)) {
      // The caller killing itself gets this reply first, as in Redis.
      c->client->close_after_reply = true;
    } else {
      victims.push_back(c);
    }
  }
  // Closed at once with their unsent output dropped, not after it drains: a client that does
  // not read would otherwise stay, and its memory with it.
  for (Connection* c : victims) Close(c);
  return n;
}

void Server::RequestEndOfIteration() {
  if (shutting_down_ || cron_period_ms_ == 0) return;  // not running, or stopping
  uv_check_start(&engine_check_, EngineCheckCb);  // no-op when already started
}

// Client-side caching's end-of-iteration work: BCAST messages, and a table over a lowered
// tracking-table-max-keys brought back under it (Redis does it before the next command).
// Then the writes, whichever check handle libuv runs first.
void Server::OnEngineCheck() {
  uv_check_stop(&engine_check_);
  engine_.tracking.EndOfIteration();
  FlushPending();
}

void Server::OutputReady(ClientInfo& client) {
  MarkDirty(static_cast<Connection*>(client.sink.owner));
}

void Server::MarkDirty(Connection* c) {
  if (c->closing || c->dirty) return;
  c->dirty = true;
  c->next_dirty = nullptr;
  *dirty_tail_ = c;
  dirty_tail_ = &c->next_dirty;
}

void Server::RefreshBufferStats(ClientInfo& client) {
  auto* c = static_cast<Connection*>(client.sink.owner);
  // As Redis's qbuf: for the client whose command runs, what its batch read (the buffer is
  // trimmed once the batch is done); for the others, what is pending.
  const size_t from = IsCurrent(c) ? c->batch_start : c->in_pos;
  client.query_buffer_bytes = c->in_len - from;
  // Free room only in a buffer of its own: the shared one is nobody's.
  client.query_buffer_free = c->in == c->own.data() ? c->own.size() - c->in_len : 0;
  client.output_buffer_bytes = c->out.size() + c->writing.size();
}

}  // namespace firn
