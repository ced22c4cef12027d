// MIGRATE, as Redis 7.0's migrateCommand behaves.
//
// The transfer is plain RESP on a TCP connection: [AUTH] [SELECT db] then one
// RESTORE key ttl payload [REPLACE] per key, written at once in 64 KiB chunks; then one reply
// line is read per command sent. The payload is the DUMP payload (storage/rdb.h), so the
// target can be redis-server as well as Firn, and the ttl the key's remaining time to live in
// ms (0: none), never ABSTTL, as Redis sends it. A key is deleted here as soon as its RESTORE
// is acknowledged (+OK), so after an error part of the keys may have moved; the first error
// the target answered (AUTH's, SELECT's, then a RESTORE's) is the reply, as "ERR Target
// instance replied with error: <its text>".
//
// Why blocking I/O on the loop thread: MIGRATE's reply says whether the keys moved, and the
// keys must not change between their DUMP and their deletion; Redis gets both by blocking its
// event loop for the transfer, and so does Firn. Each step (connect, each 64 KiB write, each
// reply line) waits at most `timeout` ms (1000 when 0 or less), measured with the monotonic
// clock, so a dead or stalled target costs a bounded stall and an -IOERR.
//
// Connections are cached per "host:port" (at most 64; when full the least recently used one
// goes) with the database last selected on them, so a second MIGRATE to the same target
// skips connect and SELECT. A cached connection the target has closed shows as a failed write
// or an empty read; then, when nothing was acknowledged yet and the failure was not a
// timeout, the transfer is retried once on a fresh connection (Redis's rule). The cron closes
// connections unused for 10 s.
#include "modules/migrate.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <map>
#include <string>
#include <string_view>

#include "modules/args.h"
#include "modules/engine.h"
#include "protocol/errors.h"
#include "protocol/reply.h"
#include "storage/db.h"
#include "storage/entry.h"
#include "storage/rdb.h"

namespace firn {
namespace {

constexpr int64_t kCacheTtlMs = 10000;     // MIGRATE_SOCKET_CACHE_TTL
constexpr size_t kCacheMax = 64;           // MIGRATE_SOCKET_CACHE_ITEMS
constexpr size_t kWriteChunk = 64 * 1024;  // bytes per timed write
constexpr size_t kMaxLine = 1024;          // a reply line is cut there, as Redis's buffer

struct CachedSocket {
  int fd = -1;
  int64_t last_dbid = -1;  // -1: SELECT before the next transfer
  int64_t last_use_ms = 0;
  std::string inbuf;  // bytes read past the last reply line
};

// The loop thread's cache. A process has one engine, and MIGRATE runs only on its loop.
std::map<std::string, CachedSocket, std::less<>>& Cache() {
  static std::map<std::string, CachedSocket, std::less<>> cache;
  return cache;
}

int64_t MonotonicMs() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Waits until fd is ready for events or deadline_ms passes. False on timeout (*timed_out set)
// or a poll error.
bool WaitFor(int fd, short events, int64_t deadline_ms, bool* timed_out) {
  while (true) {
    const int64_t left = deadline_ms - MonotonicMs();
    if (left <= 0) {
      *timed_out = true;
      return false;
    }
    pollfd p{.fd = fd, .events = events, .revents = 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1 << 30)));
    if (n > 0) return true;
    if (n == 0) {
      *timed_out = true;
      return false;
    }
    if (errno != EINTR) return false;
  }
}

// A TCP connection to host:port started and waited for up to timeout_ms; -1 only when the
// address does not resolve or the connect fails at once (Redis's "connecting" error).
int Connect(const std::string& host, std::string_view port, int64_t timeout_ms) {
  int64_t port_num = 0;
  if (!ParseInt64(port, &port_num) || port_num <= 0 || port_num > 65535) return -1;
  const int64_t deadline = MonotonicMs() + timeout_ms;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port_num).c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const bool ok = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS;
    if (ok) {
      // As Redis's blocking connect: wait for the outcome up to the timeout but do not judge
      // it; a refused or unfinished connection fails the first write ("writing" below).
      bool timed_out = false;
      WaitFor(fd, POLLOUT, deadline, &timed_out);
    } else {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(res);
  if (fd >= 0) {
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  return fd;
}

// Writes data in 64 KiB chunks, each within timeout_ms.
bool WriteAll(int fd, std::string_view data, int64_t timeout_ms, bool* timed_out) {
  while (!data.empty()) {
    std::string_view chunk = data.substr(0, kWriteChunk);
    const int64_t deadline = MonotonicMs() + timeout_ms;
    while (!chunk.empty()) {
      const ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
      if (n > 0) {
        chunk.remove_prefix(static_cast<size_t>(n));
        data.remove_prefix(static_cast<size_t>(n));
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!WaitFor(fd, POLLOUT, deadline, timed_out)) return false;
      } else {
        return false;
      }
    }
  }
  return true;
}

// One reply line (without its CRLF, cut at kMaxLine bytes) within timeout_ms. False on
// timeout, error or a closed connection.
bool ReadLine(CachedSocket& s, int64_t timeout_ms, std::string* line, bool* timed_out) {
  const int64_t deadline = MonotonicMs() + timeout_ms;
  while (true) {
    const size_t nl = s.inbuf.find('\n');
    if (nl != std::string::npos) {
      line->assign(s.inbuf, 0, nl);
      s.inbuf.erase(0, nl + 1);
      if (!line->empty() && line->back() == '\r') line->pop_back();
      if (line->size() > kMaxLine) line->resize(kMaxLine);
      return true;
    }
    char buf[4096];
    const ssize_t n = ::recv(s.fd, buf, sizeof(buf), 0);
    if (n > 0) {
      s.inbuf.append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!WaitFor(s.fd, POLLIN, deadline, timed_out)) return false;
    } else {
      return false;  // closed, or an error
    }
  }
}

void CloseSocket(std::string_view name) {
  auto& cache = Cache();
  auto it = cache.find(name);
  if (it == cache.end()) return;
  ::close(it->second.fd);
  cache.erase(it);
}

// The cached connection to name, or a new one; nullptr when connecting failed.
CachedSocket* GetSocket(const std::string& name, const std::string& host, std::string_view port,
                        int64_t timeout_ms, int64_t now_ms) {
  auto& cache = Cache();
  auto it = cache.find(name);
  if (it != cache.end()) {
    it->second.last_use_ms = now_ms;
    return &it->second;
  }
  if (cache.size() >= kCacheMax) {
    auto oldest = cache.begin();
    for (auto i = cache.begin(); i != cache.end(); ++i) {
      if (i->second.last_use_ms < oldest->second.last_use_ms) oldest = i;
    }
    ::close(oldest->second.fd);
    cache.erase(oldest);
  }
  const int fd = Connect(host, port, timeout_ms);
  if (fd < 0) return nullptr;
  CachedSocket& s = cache[name];
  s.fd = fd;
  s.last_use_ms = now_ms;
  return &s;
}

// A command as a client sends it: RESP2's array of bulk strings, which the reply builder
// writes.
void AppendCommand(std::string* out, std::initializer_list<std::string_view> args) {
  ReplyBuilder b(out);
  b.Array(args.size());
  for (std::string_view a : args) b.Bulk(a);
}

struct MigrateArgs {
  bool copy = false;
  bool replace = false;
  bool has_password = false;
  bool has_username = false;
  std::string_view username, password;
  size_t first_key = 3;
  size_t num_keys = 1;
  int64_t timeout_ms = 0;
  int64_t dbid = 0;
};

bool Fail(CommandContext& ctx, std::string_view error) {
  ctx.Error(error);
  return false;
}

// Parses MIGRATE's arguments as Redis does: options left to right, KEYS taking every
// argument after it; then timeout and db. False when an error was replied.
bool ParseMigrate(CommandContext& ctx, MigrateArgs* a) {
  for (size_t j = 6; j < ctx.argc(); ++j) {
    const size_t more = ctx.argc() - 1 - j;
    const std::string_view opt = ctx.arg(j);
    if (EqualsNoCase(opt, "COPY")) {
      a->copy = true;
    } else if (EqualsNoCase(opt, "REPLACE")) {
      a->replace = true;
    } else if (EqualsNoCase(opt, "AUTH")) {
      if (more < 1) return Fail(ctx, err::kSyntax);
      a->has_password = true;
      a->password = ctx.arg(++j);
    } else if (EqualsNoCase(opt, "AUTH2")) {
      if (more < 2) return Fail(ctx, err::kSyntax);
      a->has_password = a->has_username = true;
      a->username = ctx.arg(++j);
      a->password = ctx.arg(++j);
    } else if (EqualsNoCase(opt, "KEYS")) {
      if (!ctx.arg(3).empty()) return Fail(ctx, err::kMigrateKeysNeedEmptyKey);
      a->first_key = j + 1;
      a->num_keys = ctx.argc() - j - 1;
      break;
    } else {
      return Fail(ctx, err::kSyntax);
    }
  }
  if (!ParseInt64(ctx.arg(5), &a->timeout_ms) || !ParseInt64(ctx.arg(4), &a->dbid)) {
    return Fail(ctx, err::kNotInteger);
  }
  if (a->timeout_ms <= 0) a->timeout_ms = 1000;
  return true;
}

// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
//   [AUTH2 username password] [KEYS key [key ...]]
// -> OK once every existing key is on the target (and gone here unless COPY); NOKEY when
// none of the keys exists; -IOERR when the target cannot be reached in time; the target's
// own error as "ERR Target instance replied with error: ...".
void Migrate(CommandContext& ctx) {
  MigrateArgs a;
  if (!ParseMigrate(ctx, &a)) return;
  Db& db = ctx.db();
  std::vector<std::string_view> keys;
  for (size_t j = 0; j < a.num_keys; ++j) {
    const std::string_view key = ctx.arg(a.first_key + j);
    if (db.FindForRead(key, ctx.now_ms) != nullptr) keys.push_back(key);
  }
  if (keys.empty()) {
    ctx.reply.Simple("NOKEY");
    return;
  }
  const std::string host(ctx.arg(1));
  const std::string name = host + ":" + std::string(ctx.arg(2));
  bool may_retry = true;
  while (true) {
    CachedSocket* s = GetSocket(name, host, ctx.arg(2), a.timeout_ms, ctx.now_ms);
    if (s == nullptr) return ctx.Error(err::kMigrateConnect);
    std::string cmd;
    if (a.has_password) {
      if (a.has_username) {
        AppendCommand(&cmd, {"AUTH", a.username, a.password});
      } else {
        AppendCommand(&cmd, {"AUTH", a.password});
      }
    }
    const bool select = s->last_dbid != a.dbid;
    if (select) AppendCommand(&cmd, {"SELECT", std::to_string(a.dbid)});
    // The keys found above are still there: nothing ran since. Their remaining TTL now.
    std::vector<std::string_view> sent;
    for (std::string_view key : keys) {
      Entry* e = db.FindForRead(key, ctx.now_ms);
      if (e == nullptr) continue;
      int64_t ttl = 0;
      if (e->has_expire()) ttl = std::max<int64_t>(1, e->expire_ms() - ctx.now_ms);
      const std::string payload = rdb::DumpPayload(*e);
      const std::string ttl_text = std::to_string(ttl);
      if (a.replace) {
        AppendCommand(&cmd, {"RESTORE", key, ttl_text, payload, "REPLACE"});
      } else {
        AppendCommand(&cmd, {"RESTORE", key, ttl_text, payload});
      }
      sent.push_back(key);
    }
    bool timed_out = false;
    bool write_error = false;
    bool socket_error = false;
    bool error_from_target = false;
    size_t acked = 0;
    std::string auth_line, select_line, line;
    if (!WriteAll(s->fd, cmd, a.timeout_ms, &timed_out)) {
      write_error = true;
    } else if ((a.has_password && !ReadLine(*s, a.timeout_ms, &auth_line, &timed_out)) ||
               (select && !ReadLine(*s, a.timeout_ms, &select_line, &timed_out))) {
      // the replies before the RESTOREs' did not come
    } else {
      for (; acked < sent.size(); ++acked) {
        if (!ReadLine(*s, a.timeout_ms, &line, &timed_out)) {
          socket_error = true;
          break;
        }
        const bool auth_refused = a.has_password && auth_line.starts_with('-');
        const bool select_refused = select && select_line.starts_with('-');
        if (auth_refused || select_refused || line.starts_with('-')) {
          if (!error_from_target) {
            s->last_dbid = -1;
            const std::string& why = auth_refused ? auth_line : select_refused ? select_line : line;
            ctx.Error(std::string(err::kMigrateTargetError) + why.substr(1));
            error_from_target = true;
          }
        } else if (!a.copy) {
          db.Delete(sent[acked], ctx.now_ms);
        }
      }
      if (error_from_target) {
        if (socket_error) CloseSocket(name);
        return;
      }
      if (!socket_error) {
        s->last_dbid = a.dbid;
        ctx.reply.Ok();
        return;
      }
      // A reply missing after some were read: the keys acknowledged have moved; no retry.
      if (acked > 0) may_retry = false;
    }
    CloseSocket(name);
    if (!timed_out && may_retry) {
      may_retry = false;
      continue;
    }
    return ctx.Error(write_error ? err::kMigrateWriteError : err::kMigrateReadError);
  }
}

}  // namespace

void MigrateCron(int64_t now_ms) {
  auto& cache = Cache();
  for (auto it = cache.begin(); it != cache.end();) {
    if (now_ms - it->second.last_use_ms >= kCacheTtlMs) {
      ::close(it->second.fd);
      it = cache.erase(it);
    } else {
      ++it;
    }
  }
}

size_t MigrateCachedSockets() { return Cache().size(); }

std::vector<Command> MigrateCommands() {
  return {
      {.name = "migrate", .arity = -6, .flags = kWrite, .keys = {3, 3, 1}, .run = Migrate,
       .group = "generic", .since = "2.6.0",
       .summary = "Moves keys to another Redis or Firn server (RESTORE there, DEL here).",
       .syntax = "host port key|\"\" destination-db timeout [COPY] [REPLACE] [AUTH password] "
                 "[AUTH2 username password] [KEYS key [key ...]]"},
  };
}

}  // namespace firn
