// ceiling: a do-nothing RESP responder, the upper bound a benchmark client can drive.
//
// The throughput rows of the benchmark report are only readable next to this one: on a
// two-core machine redis-benchmark itself is often the bottleneck, so "how close does a
// server come to a server that does no work" is the honest question. The ceiling does the
// least a RESP server must do and nothing else:
//
//   - one thread, one epoll set, level-triggered, non-blocking sockets;
//   - for each read, count the complete RESP commands in the buffer (multibulk
//     `*N\r\n$L\r\n...` and inline lines), answer each with `+OK\r\n` (`$-1\r\n` for GET,
//     `+PONG\r\n` for PING) and send all the answers of that read with ONE write;
//   - a command split across reads stays in the buffer until its last byte arrives, so
//     counts are exact whatever the segmentation.
//
// The only command it "understands" beyond that is CONFIG (answered with a two-element
// array, empty value) because redis-benchmark asks `CONFIG GET save` and `CONFIG GET
// appendonly` before it starts. It stores nothing.
//
// Usage: ceiling --port PORT [--bind 127.0.0.1]
// Stops on SIGTERM or SIGINT.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxBuffer = 64 * 1024 * 1024;  // a client sending more is dropped

volatile sig_atomic_t g_stop = 0;

void OnSignal(int) { g_stop = 1; }

struct Conn {
  int fd = -1;
  std::vector<char> in;  // bytes read, [0, in_len) valid, a partial command at the front
  size_t in_len = 0;
  std::string out;  // replies not yet written (only when a write was partial)
  size_t out_off = 0;
};

// Parses a decimal integer terminated by "\r\n" starting at p. Returns the position after
// the "\r\n", or nullptr if the line is not complete yet. Sets *bad on a malformed line.
const char* ParseLineInt(const char* p, const char* end, long long* value, bool* bad) {
  const char* cr = static_cast<const char*>(memchr(p, '\r', end - p));
  if (cr == nullptr || cr + 1 >= end) return nullptr;
  if (cr[1] != '\n') {
    *bad = true;
    return nullptr;
  }
  long long v = 0;
  bool neg = false;
  const char* q = p;
  if (q < cr && *q == '-') {
    neg = true;
    ++q;
  }
  if (q == cr) {
    *bad = true;
    return nullptr;
  }
  for (; q < cr; ++q) {
    if (*q < '0' || *q > '9') {
      *bad = true;
      return nullptr;
    }
    v = v * 10 + (*q - '0');
  }
  *value = neg ? -v : v;
  return cr + 2;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x -= 32;
    if (y >= 'a' && y <= 'z') y -= 32;
    if (x != y) return false;
  }
  return true;
}

void AppendReply(std::string_view name, std::string_view arg1, std::string* out) {
  if (EqualsNoCase(name, "GET")) {
    out->append("$-1\r\n");
  } else if (EqualsNoCase(name, "PING")) {
    out->append("+PONG\r\n");
  } else if (EqualsNoCase(name, "CONFIG")) {
    (void)arg1;
    out->append("*2\r\n$0\r\n\r\n$0\r\n\r\n");
  } else {
    out->append("+OK\r\n");
  }
}

// Consumes every complete command at the front of [buf, buf+len), appending one reply per
// command to *out. Returns the number of bytes consumed, or -1 on a protocol error.
long long ConsumeCommands(const char* buf, size_t len, std::string* out) {
  const char* p = buf;
  const char* end = buf + len;
  while (p < end) {
    const char* start = p;
    if (*p == '*') {
      bool bad = false;
      long long argc = 0;
      const char* q = ParseLineInt(p + 1, end, &argc, &bad);
      if (bad) return -1;
      if (q == nullptr) break;
      std::string_view name, arg1;
      bool complete = true;
      for (long long i = 0; i < argc; ++i) {
        if (q >= end) {
          complete = false;
          break;
        }
        if (*q != '$') return -1;
        long long blen = 0;
        const char* data = ParseLineInt(q + 1, end, &blen, &bad);
        if (bad) return -1;
        if (data == nullptr) {
          complete = false;
          break;
        }
        if (blen < 0) return -1;
        if (end - data < blen + 2) {
          complete = false;
          break;
        }
        if (i == 0) name = std::string_view(data, blen);
        if (i == 1) arg1 = std::string_view(data, blen);
        q = data + blen + 2;
      }
      if (!complete) {
        p = start;
        break;
      }
      if (argc > 0) AppendReply(name, arg1, out);
      p = q;
    } else {
      // Inline command: one line, first word is the command name.
      const char* nl = static_cast<const char*>(memchr(p, '\n', end - p));
      if (nl == nullptr) break;
      const char* word_end = p;
      while (word_end < nl && *word_end != ' ' && *word_end != '\r') ++word_end;
      if (word_end > p) AppendReply(std::string_view(p, word_end - p), {}, out);
      p = nl + 1;
    }
  }
  return p - buf;
}

int Listen(const char* bind_addr, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, bind_addr, &addr.sin_addr) != 1) return -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
  if (listen(fd, 1024) != 0) return -1;
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  const char* bind_addr = "127.0.0.1";
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--port" && i + 1 < argc) {
      port = atoi(argv[++i]);
    } else if (a == "--bind" && i + 1 < argc) {
      bind_addr = argv[++i];
    } else if (a == "--help" || a == "-h") {
      printf("usage: ceiling --port PORT [--bind ADDR]\n");
      return 0;
    } else {
      fprintf(stderr, "ceiling: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (port <= 0) {
    fprintf(stderr, "ceiling: --port is required\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  int lfd = Listen(bind_addr, port);
  if (lfd < 0) {
    fprintf(stderr, "ceiling: cannot listen on %s:%d: %s\n", bind_addr, port, strerror(errno));
    return 1;
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = lfd;
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);

  std::unordered_map<int, std::unique_ptr<Conn>> conns;
  std::vector<epoll_event> events(256);
  std::string replies;
  fprintf(stderr, "ceiling: listening on %s:%d\n", bind_addr, port);

  auto close_conn = [&](int fd) {
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    conns.erase(fd);
  };

  while (!g_stop) {
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 500);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == lfd) {
        for (;;) {
          int cfd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (cfd < 0) break;
          int one = 1;
          setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          auto c = std::make_unique<Conn>();
          c->fd = cfd;
          c->in.resize(kReadChunk);
          epoll_event cev{};
          cev.events = EPOLLIN;
          cev.data.fd = cfd;
          epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &cev);
          conns.emplace(cfd, std::move(c));
        }
        continue;
      }
      auto it = conns.find(fd);
      if (it == conns.end()) continue;
      Conn& c = *it->second;

      if (events[i].events & EPOLLOUT) {
        ssize_t w = write(fd, c.out.data() + c.out_off, c.out.size() - c.out_off);
        if (w < 0 && errno != EAGAIN) {
          close_conn(fd);
          continue;
        }
        if (w > 0) c.out_off += static_cast<size_t>(w);
        if (c.out_off == c.out.size()) {
          c.out.clear();
          c.out_off = 0;
          epoll_event cev{};
          cev.events = EPOLLIN;
          cev.data.fd = fd;
          epoll_ctl(ep, EPOLL_CTL_MOD, fd, &cev);
        }
        continue;
      }
      if (!(events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;

      if (c.in.size() - c.in_len < kReadChunk / 2) {
        if (c.in.size() >= kMaxBuffer) {
          close_conn(fd);
          continue;
        }
        c.in.resize(c.in.size() * 2);
      }
      ssize_t r = read(fd, c.in.data() + c.in_len, c.in.size() - c.in_len);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
        close_conn(fd);
        continue;
      }
      if (r < 0) continue;
      c.in_len += static_cast<size_t>(r);

      replies.clear();
      long long used = ConsumeCommands(c.in.data(), c.in_len, &replies);
      if (used < 0) {
        static const char kErr[] = "-ERR Protocol error\r\n";
        (void)!write(fd, kErr, sizeof kErr - 1);
        close_conn(fd);
        continue;
      }
      if (used > 0) {
        memmove(c.in.data(), c.in.data() + used, c.in_len - static_cast<size_t>(used));
        c.in_len -= static_cast<size_t>(used);
      }
      if (replies.empty()) continue;
      ssize_t w = write(fd, replies.data(), replies.size());
      if (w < 0 && errno != EAGAIN) {
        close_conn(fd);
        continue;
      }
      size_t written = w > 0 ? static_cast<size_t>(w) : 0;
      if (written < replies.size()) {
        // Rare with small replies: keep the rest and stop reading until it is flushed.
        c.out.assign(replies.data() + written, replies.size() - written);
        c.out_off = 0;
        epoll_event cev{};
        cev.events = EPOLLOUT;
        cev.data.fd = fd;
        epoll_ctl(ep, EPOLL_CTL_MOD, fd, &cev);
      }
    }
  }
  for (auto& [fd, c] : conns) close(fd);
  close(lfd);
  return 0;
}
