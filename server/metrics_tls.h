// MetricsTlsListener: GET /metrics over TLS (metrics-tls-port), served on the event loop.
//
// The plain exporter (server/metrics.h) is prometheus-cpp's civetweb, which Debian builds
// without TLS. So the HTTPS endpoint is Firn's own: a listener on metrics-bind:metrics-tls-port
// whose connections use the client listeners' TLS context and sessions (server/tls.h: the
// tls-* certificate, key, CAs, tls-auth-clients, protocols and ciphers, reloaded with them).
// It understands just enough HTTP/1.1 for a scraper: one request per connection, answered and
// closed. `GET /metrics` gets the same families as the plain exporter (BuildMetricFamilies,
// built here on the loop thread, so no snapshot is handed between threads), any other path
// 404, any other method 405, a request line or headers past kMaxRequestBytes 431.
//
// Bounds: at most kMaxConnections at once (one more closes the oldest); one that has not
// finished its request kRequestTimeoutMs after it was accepted is closed by the cron, as is
// one whose answer has not gone out kLingerMs after that. A scrape costs the loop the time to
// build and serialize the families (well under a millisecond for a few hundred series).
//
// Thread-safety: the event loop's thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>

#include "modules/engine.h"

namespace firn {

class TlsContext;

class MetricsTlsListener {
 public:
  static constexpr size_t kMaxConnections = 64;
  static constexpr size_t kMaxRequestBytes = 8192;
  static constexpr int64_t kRequestTimeoutMs = 2000;
  static constexpr int64_t kLingerMs = 10000;

  // REQUIRES: loop, engine and context (the server's current TLS context, which a reload
  // replaces) outlive the listener, which must outlive the loop's last turn (its connections'
  // close callbacks use it).
  MetricsTlsListener(uv_loop_t* loop, Engine& engine, const std::unique_ptr<TlsContext>& context);
  ~MetricsTlsListener();
  MetricsTlsListener(const MetricsTlsListener&) = delete;
  MetricsTlsListener& operator=(const MetricsTlsListener&) = delete;

  // Listens on bind:port. Throws std::runtime_error saying why it cannot, naming the settings.
  void Listen(const std::string& bind, int port);
  // Closes the listener (connections in progress finish). Idempotent; Listen may follow.
  void StopListening();
  // Closes the listener and every connection. Idempotent.
  void Stop();
  // Closes connections past their deadlines.
  void Cron();
  // "https://127.0.0.1:9122/metrics"
  const std::string& url() const { return url_; }
  size_t connections() const { return open_ - closing_; }

  struct Conn;
  void OnAccept();
  void OnRead(Conn* c, const char* data, ssize_t nread);
  void OnWritten(Conn* c);
  void OnClosed(Conn* c);
  char* read_buffer() { return read_buffer_.get(); }
  static constexpr size_t kReadBufferBytes = 16384;

 private:
  void Answer(Conn* c);
  void Flush(Conn* c);
  void Close(Conn* c);

  uv_loop_t* loop_;
  Engine& engine_;
  const std::unique_ptr<TlsContext>& context_;
  uv_tcp_t* listener_ = nullptr;  // freed by its close callback
  Conn* head_ = nullptr;          // open connections, newest first
  size_t open_ = 0;     // accepted and not yet freed
  size_t closing_ = 0;  // of which closing
  std::unique_ptr<char[]> read_buffer_;  // shared by every connection's reads
  std::string url_;
};

}  // namespace firn
