#include "server/metrics_tls.h"

#include <prometheus/text_serializer.h>

#include <cstring>
#include <stdexcept>
#include <string_view>

#include "server/clock.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/tls.h"

namespace firn {

struct MetricsTlsListener::Conn {
  uv_tcp_t tcp;
  MetricsTlsListener* owner = nullptr;
  std::unique_ptr<TlsSession> session;
  std::string request;       // plaintext received so far
  int64_t accepted_ms = 0;   // uv_now
  int writes_in_flight = 0;
  bool answered = false;     // the answer is encrypted and queued: close once it is written
  bool closing = false;
  Conn* prev = nullptr;
  Conn* next = nullptr;
};

namespace {

struct WriteReq {
  uv_write_t req;
  std::string bytes;
  MetricsTlsListener::Conn* conn;
};

void AcceptCb(uv_stream_t* listener, int status) {
  if (status < 0) return;
  static_cast<MetricsTlsListener*>(listener->data)->OnAccept();
}

void AllocCb(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* c = static_cast<MetricsTlsListener::Conn*>(h->data);
  *buf = uv_buf_init(c->owner->read_buffer(), MetricsTlsListener::kReadBufferBytes);
}

void ReadCb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  auto* c = static_cast<MetricsTlsListener::Conn*>(s->data);
  c->owner->OnRead(c, buf->base, nread);
}

void WriteCb(uv_write_t* req, int) {
  auto* w = static_cast<WriteReq*>(req->data);
  MetricsTlsListener::Conn* c = w->conn;
  delete w;
  c->owner->OnWritten(c);
}

void ClosedCb(uv_handle_t* h) {
  auto* c = static_cast<MetricsTlsListener::Conn*>(h->data);
  c->owner->OnClosed(c);
}

std::string HttpResponse(std::string_view status, std::string_view body) {
  std::string out = "HTTP/1.1 ";
  out.append(status);
  out.append("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: ");
  out.append(std::to_string(body.size()));
  out.append("\r\nConnection: close\r\n\r\n");
  out.append(body);
  return out;
}

}  // namespace

MetricsTlsListener::MetricsTlsListener(uv_loop_t* loop, Engine& engine,
                                       const std::unique_ptr<TlsContext>& context)
    : loop_(loop), engine_(engine), context_(context) {}

MetricsTlsListener::~MetricsTlsListener() { Stop(); }

void MetricsTlsListener::Listen(const std::string& bind, int port) {
  std::string host = bind == "*" ? "0.0.0.0" : bind;
  const bool v6 = host.find(':') != std::string::npos;
  url_ = "https://" + ListenAddress(bind, port) + "/metrics";
  struct sockaddr_storage ss;
  int rc = v6 ? uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&ss))
              : uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&ss));
  auto* l = new uv_tcp_t;
  uv_tcp_init(loop_, l);
  l->data = this;
  if (rc == 0) rc = uv_tcp_bind(l, reinterpret_cast<const sockaddr*>(&ss), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(l), 64, AcceptCb);
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(l), [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
    throw std::runtime_error("Could not start the TLS metrics exporter on " + url_ + ": " +
                             uv_strerror(rc) +
                             ". Set metrics-tls-port to a free port (or metrics-bind to another "
                             "address), or metrics-tls-port 0 to turn it off.");
  }
  listener_ = l;
  if (read_buffer_ == nullptr) read_buffer_.reset(new char[kReadBufferBytes]);
}

void MetricsTlsListener::StopListening() {
  if (listener_ == nullptr) return;
  uv_close(reinterpret_cast<uv_handle_t*>(listener_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
  listener_ = nullptr;
}

void MetricsTlsListener::Stop() {
  StopListening();
  for (Conn* c = head_; c != nullptr; c = c->next) Close(c);
}

void MetricsTlsListener::OnAccept() {
  auto* c = new Conn;
  c->owner = this;
  uv_tcp_init(loop_, &c->tcp);
  c->tcp.data = c;
  c->next = head_;
  if (head_ != nullptr) head_->prev = c;
  head_ = c;
  ++open_;
  if (uv_accept(reinterpret_cast<uv_stream_t*>(listener_), reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0 ||
      context_ == nullptr) {
    Close(c);
    return;
  }
  if (open_ - closing_ > kMaxConnections) {
    // Full: the oldest connection still open goes, so stalled clients cannot keep a scraper out.
    Conn* oldest = nullptr;
    for (Conn* o = head_; o != nullptr; o = o->next) {
      if (!o->closing) oldest = o;
    }
    if (oldest != nullptr) Close(oldest);
  }
  c->accepted_ms = static_cast<int64_t>(uv_now(loop_));
  c->session = std::make_unique<TlsSession>(*context_, RealtimeMs());
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), AllocCb, ReadCb);
}

void MetricsTlsListener::OnRead(Conn* c, const char* data, ssize_t nread) {
  if (c->closing) return;
  if (nread < 0) {
    Close(c);
    return;
  }
  if (nread == 0) return;
  c->session->Feed(data, static_cast<size_t>(nread));
  char plain[4096];
  bool over = false;
  for (;;) {
    const long n = c->session->Read(plain, sizeof plain);
    if (n == 0) break;
    if (n < 0) {
      // A failed handshake may leave an alert for the peer; then the connection closes.
      Flush(c);
      c->answered = true;
      if (c->writes_in_flight == 0) Close(c);
      return;
    }
    if (!c->answered && !over) {
      c->request.append(plain, static_cast<size_t>(n));
      over = c->request.size() > kMaxRequestBytes;
    }
  }
  if (!c->answered) {
    if (over) {
      c->session->Write(HttpResponse("431 Request Header Fields Too Large", "request too large\n"));
      c->answered = true;
    } else if (c->request.find("\r\n\r\n") != std::string::npos) {
      Answer(c);
    }
  }
  Flush(c);
  if (c->answered && c->writes_in_flight == 0) Close(c);
}

void MetricsTlsListener::Answer(Conn* c) {
  const std::string_view req(c->request);
  const size_t line_end = req.find("\r\n");
  const std::string_view line = req.substr(0, line_end);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  const std::string_view method = line.substr(0, sp1);
  std::string_view path = sp1 == std::string_view::npos
                              ? std::string_view()
                              : line.substr(sp1 + 1, sp2 == std::string_view::npos
                                                         ? std::string_view::npos
                                                         : sp2 - sp1 - 1);
  path = path.substr(0, path.find('?'));
  std::string response;
  if (method != "GET") {
    response = HttpResponse("405 Method Not Allowed", "only GET /metrics\n");
  } else if (path != "/metrics") {
    response = HttpResponse("404 Not Found", "not found: try /metrics\n");
  } else {
    const std::string body =
        prometheus::TextSerializer().Serialize(BuildMetricFamilies(engine_, RealtimeMs()));
    response = HttpResponse("200 OK", body);
  }
  c->session->Write(response);
  c->answered = true;
}

void MetricsTlsListener::Flush(Conn* c) {
  std::string& pending = c->session->pending();
  if (pending.empty() || c->closing) return;
  auto* w = new WriteReq;
  w->bytes.swap(pending);
  w->conn = c;
  w->req.data = w;
  uv_buf_t b = uv_buf_init(w->bytes.data(), static_cast<unsigned>(w->bytes.size()));
  ++c->writes_in_flight;
  if (uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&c->tcp), &b, 1, WriteCb) != 0) {
    --c->writes_in_flight;
    delete w;
    Close(c);
  }
}

void MetricsTlsListener::OnWritten(Conn* c) {
  --c->writes_in_flight;
  if (c->answered && c->writes_in_flight == 0) Close(c);
}

void MetricsTlsListener::Close(Conn* c) {
  if (c->closing) return;
  c->closing = true;
  ++closing_;
  uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), ClosedCb);
}

void MetricsTlsListener::OnClosed(Conn* c) {
  if (c->prev != nullptr) c->prev->next = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  if (head_ == c) head_ = c->next;
  --open_;
  --closing_;
  delete c;  // writes still queued were cancelled (their callbacks ran) before this one
}

void MetricsTlsListener::Cron() {
  const int64_t now = static_cast<int64_t>(uv_now(loop_));
  for (Conn* c = head_; c != nullptr; c = c->next) {
    const int64_t age = now - c->accepted_ms;
    if (c->answered ? age > kRequestTimeoutMs + kLingerMs : age > kRequestTimeoutMs) Close(c);
  }
}

}  // namespace firn
