// loadgen: a closed-loop RESP load generator for the benchmark workloads that
// redis-benchmark cannot express (load shapes over time, rate limiters, the Zipfian
// cache workload with dependent GET-then-SET).
//
// Design. One thread and one epoll set drive every connection, so on a two-core machine
// the generator takes one core and leaves the other to the server under test. Each
// connection is closed-loop: it sends a batch of `--pipeline` operations in one write,
// waits for all their replies, records the batch's latency for each of its operations
// (as redis-benchmark does for pipelines), then sends the next batch. An operation is one
// logical request and may be several commands (MULTI ... EXEC is one operation with six
// replies) or two phases (GET, then SET on a miss, on the same connection).
//
// The number of open connections follows `--shape SECONDS:CONNS,...` (a step function of
// time): connections are opened as the shape rises, and drained (no new batch, closed when
// their batch completes) as it falls. The run ends when the shape ends, or after
// `--requests` operations when that is given (then the shape's last step is held).
//
// Output: one JSON object on stdout: totals (operations, errors, rps, latency
// percentiles in ms), per time slice of `--slice-ms` (operations, rps, errors, open
// connections, p50/p95/p99), and the workload's own counters (cache hits and misses,
// limiter allowed and limited).
//
// It measures and reports; it never judges a figure.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

// ------------------------------------------------------------------------------------
// options

enum class Workload {
  kSetGet,
  kSet,
  kGet,
  kClThrottle,
  kRlBucket,
  kRlWindow,
  kRlWindowApprox,
  kLuaBucket,
  kMultiWindow,
  kZipfCache,
};

struct Step {
  double seconds;
  int conns;
};

struct Options {
  std::string host = "127.0.0.1";
  int port = 6379;
  Workload workload = Workload::kSetGet;
  std::string workload_name = "setget";
  std::vector<Step> shape = {{10.0, 50}};
  int pipeline = 1;
  long long requests = 0;  // 0: run for the shape's duration
  long long keys = 100000;
  int value_size = 32;
  double get_ratio = 0.5;
  int slice_ms = 500;
  uint64_t seed = 42;
  std::string sha;
  long long limit = 100;
  long long window_ms = 10000;
  double zipf = 0.99;
  long long scan_every = 0;
  long long scan_len = 0;
  long long warmup_ops = 0;
  std::string key_prefix = "key:";
  bool seq_keys = false;  // --key-order seq: key = operation number modulo --keys
  double max_seconds = 600;
};

[[noreturn]] void Usage(const char* msg) {
  fprintf(stderr,
          "loadgen: %s\n"
          "usage: loadgen --host H --port P [--workload W] [--shape S:C,S:C...]\n"
          "  [--conns N --duration S] [--pipeline N] [--requests N] [--keys N]\n"
          "  [--value-size B] [--get-ratio F] [--slice-ms MS] [--seed N] [--sha SHA]\n"
          "  [--limit N] [--window-ms MS] [--zipf THETA] [--scan-every N --scan-len N]\n"
          "  [--warmup-ops N] [--key-prefix P] [--key-order random|seq] [--max-seconds S]\n"
          "workloads: setget set get cl.throttle rl.bucket rl.window rl.window-approx\n"
          "  lua-bucket multi-window zipf-cache\n",
          msg);
  exit(2);
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  int conns = -1;
  double duration = -1;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) Usage("missing value");
      return argv[++i];
    };
    if (a == "--host") {
      o.host = next();
    } else if (a == "--port") {
      o.port = atoi(next());
    } else if (a == "--workload") {
      o.workload_name = next();
      const std::string& w = o.workload_name;
      if (w == "setget")
        o.workload = Workload::kSetGet;
      else if (w == "set")
        o.workload = Workload::kSet;
      else if (w == "get")
        o.workload = Workload::kGet;
      else if (w == "cl.throttle")
        o.workload = Workload::kClThrottle;
      else if (w == "rl.bucket")
        o.workload = Workload::kRlBucket;
      else if (w == "rl.window")
        o.workload = Workload::kRlWindow;
      else if (w == "rl.window-approx")
        o.workload = Workload::kRlWindowApprox;
      else if (w == "lua-bucket")
        o.workload = Workload::kLuaBucket;
      else if (w == "multi-window")
        o.workload = Workload::kMultiWindow;
      else if (w == "zipf-cache")
        o.workload = Workload::kZipfCache;
      else
        Usage("unknown workload");
    } else if (a == "--shape") {
      o.shape.clear();
      std::string s = next();
      size_t pos = 0;
      while (pos < s.size()) {
        size_t comma = s.find(',', pos);
        std::string part =
            s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        size_t colon = part.find(':');
        if (colon == std::string::npos) Usage("bad --shape");
        o.shape.push_back(
            {atof(part.substr(0, colon).c_str()), atoi(part.substr(colon + 1).c_str())});
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
      if (o.shape.empty()) Usage("empty --shape");
    } else if (a == "--conns") {
      conns = atoi(next());
    } else if (a == "--duration") {
      duration = atof(next());
    } else if (a == "--pipeline") {
      o.pipeline = std::max(1, atoi(next()));
    } else if (a == "--requests") {
      o.requests = atoll(next());
    } else if (a == "--keys") {
      o.keys = std::max(1LL, atoll(next()));
    } else if (a == "--value-size") {
      o.value_size = atoi(next());
    } else if (a == "--get-ratio") {
      o.get_ratio = atof(next());
    } else if (a == "--slice-ms") {
      o.slice_ms = std::max(10, atoi(next()));
    } else if (a == "--seed") {
      o.seed = strtoull(next(), nullptr, 10);
    } else if (a == "--sha") {
      o.sha = next();
    } else if (a == "--limit") {
      o.limit = atoll(next());
    } else if (a == "--window-ms") {
      o.window_ms = atoll(next());
    } else if (a == "--zipf") {
      o.zipf = atof(next());
    } else if (a == "--scan-every") {
      o.scan_every = atoll(next());
    } else if (a == "--scan-len") {
      o.scan_len = atoll(next());
    } else if (a == "--warmup-ops") {
      o.warmup_ops = atoll(next());
    } else if (a == "--key-prefix") {
      o.key_prefix = next();
    } else if (a == "--key-order") {
      std::string_view v = next();
      if (v != "seq" && v != "random") Usage("--key-order is seq or random");
      o.seq_keys = v == "seq";
    } else if (a == "--max-seconds") {
      o.max_seconds = atof(next());
    } else if (a == "--help" || a == "-h") {
      Usage("help");
    } else {
      Usage(("unknown argument " + std::string(a)).c_str());
    }
  }
  if (conns > 0 || duration > 0) {
    o.shape = {{duration > 0 ? duration : (o.requests > 0 ? 1e9 : 10.0), conns > 0 ? conns : 50}};
  }
  if (o.workload == Workload::kLuaBucket && o.sha.empty()) Usage("lua-bucket needs --sha");
  return o;
}

// ------------------------------------------------------------------------------------
// time, random numbers, Zipf

uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

int64_t WallMs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

struct Rng {
  uint64_t s;
  // The seed goes through the splitmix finalizer first: seeds that differ by a multiple of
  // the increment would otherwise give the same stream shifted by a few steps.
  explicit Rng(uint64_t seed) : s(Mix(seed + 0x632BE59BD9B4E019ULL)) {}
  static uint64_t Mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t Next() {  // splitmix64
    uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return (Next() >> 11) * (1.0 / 9007199254740992.0); }
  uint64_t Below(uint64_t n) { return Next() % n; }
};

// Zipfian ranks 0..n-1 with skew theta, by Gray et al.'s method as YCSB implements it
// ("Quickly generating billion-record synthetic databases", SIGMOD'94): O(n) set-up to
// compute zeta(n), O(1) per draw. Rank 0 is the most popular.
class Zipf {
 public:
  Zipf(long long n, double theta) : n_(n), theta_(theta) {
    double zetan = 0;
    for (long long i = 1; i <= n; ++i) zetan += 1.0 / std::pow(static_cast<double>(i), theta);
    zetan_ = zetan;
    double zeta2 = 1.0 + 1.0 / std::pow(2.0, theta);
    alpha_ = 1.0 / (1.0 - theta);
    eta_ = (1.0 - std::pow(2.0 / static_cast<double>(n), 1.0 - theta)) / (1.0 - zeta2 / zetan_);
    half_pow_theta_ = 1.0 + std::pow(0.5, theta);
  }
  long long Next(Rng& rng) const {
    double u = rng.Uniform();
    double uz = u * zetan_;
    if (uz < 1.0) return 0;
    if (uz < half_pow_theta_) return 1;
    long long r =
        static_cast<long long>(static_cast<double>(n_) * std::pow(eta_ * u - eta_ + 1.0, alpha_));
    return std::min(r, n_ - 1);
  }

 private:
  long long n_;
  double theta_;
  double zetan_ = 0, alpha_ = 0, eta_ = 0, half_pow_theta_ = 0;
};

// ------------------------------------------------------------------------------------
// RESP encoding and reply parsing

void AppendCommand(std::string* out, std::initializer_list<std::string_view> args) {
  out->push_back('*');
  out->append(std::to_string(args.size()));
  out->append("\r\n");
  for (std::string_view a : args) {
    out->push_back('$');
    out->append(std::to_string(a.size()));
    out->append("\r\n");
    out->append(a);
    out->append("\r\n");
  }
}

struct Reply {
  char type = 0;  // '+', '-', ':', '$', '*', ...
  bool nil = false;
  long long integer = 0;  // for ':'
  long long elem0 = -1;   // first element of an array, when an integer
  long long elem2 = -1;   // third element of an array, when an integer
  std::string error;      // for '-'
};

// Parses one complete reply at p. Returns the bytes consumed, 0 if incomplete, -1 if
// malformed. Fills *r for the top-level reply only (nested ones are skipped).
long long ParseReply(const char* p, const char* end, Reply* r, int depth = 0) {
  if (p >= end) return 0;
  const char* cr = static_cast<const char*>(memchr(p, '\r', end - p));
  if (cr == nullptr || cr + 1 >= end) return 0;
  if (cr[1] != '\n') return -1;
  char t = *p;
  std::string_view body(p + 1, cr - p - 1);
  const char* after = cr + 2;
  auto to_int = [](std::string_view s) { return atoll(std::string(s).c_str()); };
  if (r != nullptr) r->type = t;
  switch (t) {
    case '+':
    case ':':
    case ',':
    case '#':
    case '(':
    case '_':
      if (r != nullptr && t == ':') r->integer = to_int(body);
      if (r != nullptr && t == '_') r->nil = true;
      return after - p;
    case '-':
      if (r != nullptr) r->error.assign(body);
      return after - p;
    case '$':
    case '=':
    case '!': {
      long long n = to_int(body);
      if (n < 0) {
        if (r != nullptr) r->nil = true;
        return after - p;
      }
      if (end - after < n + 2) return 0;
      return (after + n + 2) - p;
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      long long n = to_int(body);
      if (n < 0) {
        if (r != nullptr) r->nil = true;
        return after - p;
      }
      if (t == '%') n *= 2;
      const char* q = after;
      for (long long i = 0; i < n; ++i) {
        Reply sub;
        long long used = ParseReply(q, end, &sub, depth + 1);
        if (used <= 0) return used;
        if (r != nullptr && depth == 0 && sub.type == ':') {
          if (i == 0) r->elem0 = sub.integer;
          if (i == 2) r->elem2 = sub.integer;
        }
        q += used;
      }
      return q - p;
    }
    default:
      return -1;
  }
}

// ------------------------------------------------------------------------------------
// statistics

struct Slice {
  long long ops = 0;
  long long errors = 0;
  long long hits = 0;
  long long misses = 0;
  int conns = 0;
  std::vector<uint32_t> lat_us;
};

double Percentile(std::vector<uint32_t>& v, double q) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(std::min<double>(v.size() - 1, std::floor(q * v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k] / 1000.0;
}

std::string JsonEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      o.push_back('\\');
      o.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      o.push_back(' ');
    } else {
      o.push_back(c);
    }
  }
  return o;
}

// ------------------------------------------------------------------------------------
// connections

enum class OpKind : uint8_t { kPlain, kZipfGet, kScanGet, kLimiter, kMulti };

struct PendingOp {
  OpKind kind;
  int replies_left;
  long long key;  // for the cache workload's SET on a miss
};

struct Conn {
  int fd = -1;
  int id = 0;
  bool connecting = true;
  bool draining = false;
  bool busy = false;  // a batch is in flight
  std::string out;
  size_t out_off = 0;
  std::vector<char> in;
  size_t in_len = 0;
  std::vector<PendingOp> ops;
  size_t op_idx = 0;
  std::vector<long long> misses;  // keys whose GET missed in this batch: SET phase
  bool set_phase = false;
  int batch_ops = 0;
  uint64_t batch_start_ns = 0;
  uint64_t member_seq = 0;
  Rng rng{1};
};

class LoadGen {
 public:
  explicit LoadGen(const Options& o)
      : o_(o), value_(static_cast<size_t>(std::max(0, o.value_size)), 'v') {
    if (o_.workload == Workload::kZipfCache) zipf_ = std::make_unique<Zipf>(o_.keys, o_.zipf);
    sockaddr_in* sin = reinterpret_cast<sockaddr_in*>(&addr_);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>(o_.port));
    if (inet_pton(AF_INET, o_.host.c_str(), &sin->sin_addr) != 1) {
      addrinfo hints{}, *res = nullptr;
      hints.ai_family = AF_INET;
      if (getaddrinfo(o_.host.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) {
        Usage("cannot resolve host");
      }
      sin->sin_addr = reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr;
      freeaddrinfo(res);
    }
    ep_ = epoll_create1(EPOLL_CLOEXEC);
  }

  int Run();

 private:
  int TargetConns(double t) const {
    double acc = 0;
    for (const Step& s : o_.shape) {
      acc += s.seconds;
      if (t < acc) return s.conns;
    }
    return o_.requests > 0 ? o_.shape.back().conns : -1;
  }
  double ShapeSeconds() const {
    double acc = 0;
    for (const Step& s : o_.shape) acc += s.seconds;
    return acc;
  }
  Slice& CurrentSlice(uint64_t now) {
    size_t idx =
        static_cast<size_t>((now - start_ns_) / (static_cast<uint64_t>(o_.slice_ms) * 1000000ULL));
    if (slices_.size() <= idx) slices_.resize(idx + 1);
    return slices_[idx];
  }
  void OpenConn();
  void CloseConn(Conn* c);
  void Fail(Conn* c, const std::string& why);
  void StartBatch(Conn* c);
  void BuildOp(Conn* c, long long op_number);
  void Flush(Conn* c);
  void OnReadable(Conn* c);
  void OnReply(Conn* c, const Reply& r);
  void FinishBatch(Conn* c);
  void Watch(Conn* c, uint32_t events, int op) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = c;
    epoll_ctl(ep_, op, c->fd, &ev);
  }
  std::string Key(long long n) const { return o_.key_prefix + std::to_string(n); }
  long long PickKey(Conn* c, long long op_number) const {
    if (o_.seq_keys) return op_number % o_.keys;
    return static_cast<long long>(c->rng.Below(static_cast<uint64_t>(o_.keys)));
  }

  Options o_;
  std::string value_;
  std::unique_ptr<Zipf> zipf_;
  sockaddr_storage addr_{};
  int ep_ = -1;
  std::vector<std::unique_ptr<Conn>> conns_;
  int next_id_ = 0;
  int open_ = 0;  // connections not draining
  uint64_t start_ns_ = 0;
  long long issued_ = 0;
  long long completed_ = 0;
  long long errors_ = 0;
  long long connect_errors_ = 0;
  long long hits_ = 0, misses_ = 0;
  long long allowed_ = 0, limited_ = 0;
  long long scan_ops_ = 0;
  long long scan_seq_ = 0;
  std::string first_error_;
  std::vector<Slice> slices_;
  std::vector<uint32_t> all_lat_us_;
};

void LoadGen::OpenConn() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ++connect_errors_;
    return;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr_), sizeof(sockaddr_in));
  if (rc != 0 && errno != EINPROGRESS) {
    ++connect_errors_;
    if (first_error_.empty()) first_error_ = std::string("connect: ") + strerror(errno);
    close(fd);
    return;
  }
  auto c = std::make_unique<Conn>();
  c->fd = fd;
  c->id = next_id_++;
  c->rng = Rng(o_.seed * 1000003ULL + static_cast<uint64_t>(c->id));
  c->in.resize(1 << 16);
  c->connecting = true;
  Watch(c.get(), EPOLLOUT, EPOLL_CTL_ADD);
  conns_.push_back(std::move(c));
  ++open_;
}

void LoadGen::CloseConn(Conn* c) {
  epoll_ctl(ep_, EPOLL_CTL_DEL, c->fd, nullptr);
  close(c->fd);
  if (!c->draining) --open_;
  c->fd = -1;
}

void LoadGen::Fail(Conn* c, const std::string& why) {
  ++connect_errors_;
  if (first_error_.empty()) first_error_ = why;
  if (c->busy) {
    // Operations lost with the connection count as errors.
    errors_ += c->batch_ops;
    CurrentSlice(NowNs()).errors += c->batch_ops;
  }
  CloseConn(c);
}

void LoadGen::BuildOp(Conn* c, long long op_number) {
  std::string& out = c->out;
  switch (o_.workload) {
    case Workload::kSetGet:
    case Workload::kSet:
    case Workload::kGet: {
      long long k = PickKey(c, op_number);
      bool get = o_.workload == Workload::kGet ||
                 (o_.workload == Workload::kSetGet && c->rng.Uniform() < o_.get_ratio);
      std::string key = Key(k);
      if (get) {
        AppendCommand(&out, {"GET", key});
      } else {
        AppendCommand(&out, {"SET", key, value_});
      }
      c->ops.push_back({OpKind::kPlain, 1, 0});
      return;
    }
    case Workload::kClThrottle:
    case Workload::kRlBucket:
    case Workload::kRlWindow:
    case Workload::kRlWindowApprox:
    case Workload::kLuaBucket:
    case Workload::kMultiWindow: {
      long long k = PickKey(c, op_number);
      std::string key = Key(k);
      std::string limit = std::to_string(o_.limit);
      std::string window = std::to_string(o_.window_ms);
      if (o_.workload == Workload::kClThrottle) {
        // max_burst + 1 = limit requests per period (whole seconds, at least 1)
        std::string burst = std::to_string(std::max(0LL, o_.limit - 1));
        std::string period = std::to_string(std::max(1LL, o_.window_ms / 1000));
        AppendCommand(&out, {"CL.THROTTLE", key, burst, limit, period, "1"});
      } else if (o_.workload == Workload::kRlBucket) {
        AppendCommand(&out, {"RL.BUCKET", key, limit, window});
      } else if (o_.workload == Workload::kRlWindow) {
        AppendCommand(&out, {"RL.WINDOW", key, limit, window});
      } else if (o_.workload == Workload::kRlWindowApprox) {
        AppendCommand(&out, {"RL.WINDOW", key, limit, window, "APPROX"});
      } else if (o_.workload == Workload::kLuaBucket) {
        std::string now = std::to_string(WallMs());
        AppendCommand(&out, {"EVALSHA", o_.sha, "1", key, limit, window, now, "1"});
      } else {
        int64_t now = WallMs();
        std::string now_s = std::to_string(now);
        std::string floor_s = "(" + std::to_string(now - o_.window_ms);
        std::string member =
            now_s + "-" + std::to_string(c->id) + "-" + std::to_string(c->member_seq++);
        AppendCommand(&out, {"MULTI"});
        AppendCommand(&out, {"ZREMRANGEBYSCORE", key, "0", floor_s});
        AppendCommand(&out, {"ZADD", key, now_s, member});
        AppendCommand(&out, {"ZCARD", key});
        AppendCommand(&out, {"PEXPIRE", key, window});
        AppendCommand(&out, {"EXEC"});
        c->ops.push_back({OpKind::kMulti, 6, 0});
        return;
      }
      c->ops.push_back({OpKind::kLimiter, 1, 0});
      return;
    }
    case Workload::kZipfCache: {
      bool scan = false;
      if (o_.scan_every > 0 && o_.scan_len > 0) {
        long long cycle = o_.scan_every + o_.scan_len;
        scan = (op_number % cycle) >= o_.scan_every;
      }
      if (scan) {
        long long k = scan_seq_++;
        AppendCommand(&out, {"GET", "cold:" + std::to_string(k)});
        c->ops.push_back({OpKind::kScanGet, 1, k});
      } else {
        long long k = zipf_->Next(c->rng);
        AppendCommand(&out, {"GET", Key(k)});
        c->ops.push_back({OpKind::kZipfGet, 1, k});
      }
      return;
    }
  }
}

void LoadGen::StartBatch(Conn* c) {
  c->out.clear();
  c->out_off = 0;
  c->ops.clear();
  c->op_idx = 0;
  c->misses.clear();
  c->set_phase = false;
  int n = o_.pipeline;
  if (o_.requests > 0) n = static_cast<int>(std::min<long long>(n, o_.requests - issued_));
  if (n <= 0) return;
  for (int i = 0; i < n; ++i) BuildOp(c, issued_ + i);
  issued_ += n;
  c->batch_ops = n;
  c->busy = true;
  c->batch_start_ns = NowNs();
  Flush(c);
}

void LoadGen::Flush(Conn* c) {
  while (c->out_off < c->out.size()) {
    ssize_t w = write(c->fd, c->out.data() + c->out_off, c->out.size() - c->out_off);
    if (w < 0) {
      if (errno == EAGAIN) {
        Watch(c, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
        return;
      }
      if (errno == EINTR) continue;
      Fail(c, std::string("write: ") + strerror(errno));
      return;
    }
    c->out_off += static_cast<size_t>(w);
  }
}

void LoadGen::OnReply(Conn* c, const Reply& r) {
  if (c->op_idx >= c->ops.size()) return;
  PendingOp& op = c->ops[c->op_idx];
  uint64_t now = NowNs();
  if (r.type == '-' && !c->set_phase) {
    // For MULTI, an error inside the transaction shows as an -ERR or -EXECABORT.
    ++errors_;
    ++CurrentSlice(now).errors;
    if (first_error_.empty()) first_error_ = r.error;
  }
  if (c->set_phase) {
    if (r.type == '-') {
      ++errors_;
      ++CurrentSlice(now).errors;
      if (first_error_.empty()) first_error_ = r.error;
    }
    ++c->op_idx;
    return;
  }
  if (--op.replies_left > 0) return;
  bool counted = completed_ >= o_.warmup_ops;
  switch (op.kind) {
    case OpKind::kZipfGet:
      if (r.type != '-') {
        bool hit = !r.nil;
        if (!hit) c->misses.push_back(op.key);
        if (counted) {
          hit ? ++hits_ : ++misses_;
          Slice& s = CurrentSlice(now);
          hit ? ++s.hits : ++s.misses;
        }
      }
      break;
    case OpKind::kScanGet:
      ++scan_ops_;
      if (r.type != '-' && r.nil) c->misses.push_back(-1 - op.key);
      break;
    case OpKind::kLimiter:
      if (r.type == '*') r.elem0 == 0 ? ++allowed_ : ++limited_;
      break;
    case OpKind::kMulti:
      if (r.type == '*' && r.elem2 >= 0) r.elem2 <= o_.limit ? ++allowed_ : ++limited_;
      break;
    case OpKind::kPlain:
      break;
  }
  ++c->op_idx;
}

void LoadGen::FinishBatch(Conn* c) {
  if (o_.workload == Workload::kZipfCache && !c->set_phase && !c->misses.empty()) {
    // Second phase: SET every key whose GET missed, on the same connection.
    c->set_phase = true;
    c->out.clear();
    c->out_off = 0;
    c->ops.clear();
    c->op_idx = 0;
    for (long long k : c->misses) {
      std::string key = k >= 0 ? Key(k) : "cold:" + std::to_string(-1 - k);
      AppendCommand(&c->out, {"SET", key, value_});
      c->ops.push_back({OpKind::kPlain, 1, 0});
    }
    c->misses.clear();
    Flush(c);
    return;
  }
  uint64_t now = NowNs();
  uint32_t lat_us =
      static_cast<uint32_t>(std::min<uint64_t>((now - c->batch_start_ns) / 1000, 0xffffffffULL));
  Slice& s = CurrentSlice(now);
  s.ops += c->batch_ops;
  for (int i = 0; i < c->batch_ops; ++i) {
    s.lat_us.push_back(lat_us);
    all_lat_us_.push_back(lat_us);
  }
  completed_ += c->batch_ops;
  c->busy = false;
  c->batch_ops = 0;
}

void LoadGen::OnReadable(Conn* c) {
  for (;;) {
    if (c->in.size() - c->in_len < 4096) c->in.resize(c->in.size() * 2);
    size_t space = c->in.size() - c->in_len;
    ssize_t r = read(c->fd, c->in.data() + c->in_len, space);
    if (r == 0) {
      Fail(c, "connection closed by server");
      return;
    }
    if (r < 0) {
      if (errno == EAGAIN) break;
      if (errno == EINTR) continue;
      Fail(c, std::string("read: ") + strerror(errno));
      return;
    }
    c->in_len += static_cast<size_t>(r);
    if (static_cast<size_t>(r) < space) break;  // drained the socket
  }
  const char* p = c->in.data();
  const char* end = p + c->in_len;
  while (p < end) {
    Reply reply;
    long long used = ParseReply(p, end, &reply);
    if (used < 0) {
      Fail(c, "malformed reply");
      return;
    }
    if (used == 0) break;
    p += used;
    if (!c->busy) continue;  // stray reply
    OnReply(c, reply);
    if (c->op_idx == c->ops.size()) {
      FinishBatch(c);
      if (c->fd < 0) return;
    }
  }
  size_t consumed = static_cast<size_t>(p - c->in.data());
  memmove(c->in.data(), p, c->in_len - consumed);
  c->in_len -= consumed;
}

int LoadGen::Run() {
  start_ns_ = NowNs();
  std::vector<epoll_event> events(512);
  double shape_s = ShapeSeconds();
  for (;;) {
    uint64_t now = NowNs();
    double t = static_cast<double>(now - start_ns_) / 1e9;
    int target = TargetConns(t);
    bool done_issuing =
        target < 0 || (o_.requests > 0 && issued_ >= o_.requests) || t > o_.max_seconds;
    if (done_issuing) target = 0;
    // Open or drain connections to follow the shape.
    while (open_ < target) {
      long long before = connect_errors_;
      OpenConn();
      if (connect_errors_ != before) break;
    }
    if (open_ > target) {
      for (auto& c : conns_) {
        if (open_ <= target) break;
        if (c->fd >= 0 && !c->draining) {
          c->draining = true;
          --open_;
        }
      }
    }
    // Start batches on idle connections; close drained idle ones.
    bool any_busy = false;
    for (auto& c : conns_) {
      if (c->fd < 0 || c->connecting) continue;
      if (!c->busy && c->draining) {
        CloseConn(c.get());
        continue;
      }
      if (!c->busy && !done_issuing) StartBatch(c.get());
      if (c->fd >= 0 && c->busy) any_busy = true;
    }
    bool any_connecting = false;
    for (auto& c : conns_) any_connecting |= (c->fd >= 0 && c->connecting);
    if (done_issuing && !any_busy && !any_connecting) break;
    if (t > o_.max_seconds + 30) break;  // a server that stopped answering
    CurrentSlice(now).conns = open_;
    conns_.erase(std::remove_if(conns_.begin(), conns_.end(),
                                [](const std::unique_ptr<Conn>& c) { return c->fd < 0; }),
                 conns_.end());

    int n = epoll_wait(ep_, events.data(), static_cast<int>(events.size()), 5);
    for (int i = 0; i < n; ++i) {
      Conn* c = static_cast<Conn*>(events[i].data.ptr);
      if (c->fd < 0) continue;
      if (c->connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          Fail(c, std::string("connect: ") + strerror(err));
          continue;
        }
        c->connecting = false;
        Watch(c, EPOLLIN, EPOLL_CTL_MOD);
        continue;
      }
      if (events[i].events & EPOLLOUT) {
        Flush(c);
        if (c->fd >= 0 && c->out_off == c->out.size()) Watch(c, EPOLLIN, EPOLL_CTL_MOD);
      }
      if (c->fd >= 0 && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) OnReadable(c);
    }
    (void)shape_s;
  }
  double elapsed = static_cast<double>(NowNs() - start_ns_) / 1e9;

  // Report.
  auto pct = [](std::vector<uint32_t>& v, double q) { return Percentile(v, q); };
  double avg = 0;
  uint32_t mx = 0;
  for (uint32_t x : all_lat_us_) {
    avg += x;
    mx = std::max(mx, x);
  }
  if (!all_lat_us_.empty()) avg /= static_cast<double>(all_lat_us_.size()) * 1000.0;
  printf(
      "{\"workload\": \"%s\", \"pipeline\": %d, \"seconds\": %.3f, \"requests\": %lld, "
      "\"errors\": %lld, \"connect_errors\": %lld, \"rps\": %.1f,\n",
      JsonEscape(o_.workload_name).c_str(), o_.pipeline, elapsed, completed_, errors_,
      connect_errors_, elapsed > 0 ? completed_ / elapsed : 0.0);
  printf(" \"first_error\": \"%s\",\n", JsonEscape(first_error_).c_str());
  double p50 = pct(all_lat_us_, 0.50), p95 = pct(all_lat_us_, 0.95), p99 = pct(all_lat_us_, 0.99),
         p999 = pct(all_lat_us_, 0.999);
  printf(
      " \"avg_ms\": %.3f, \"p50_ms\": %.3f, \"p95_ms\": %.3f, \"p99_ms\": %.3f, "
      "\"p999_ms\": %.3f, \"max_ms\": %.3f,\n",
      avg, p50, p95, p99, p999, mx / 1000.0);
  long long lookups = hits_ + misses_;
  printf(" \"hits\": %lld, \"misses\": %lld, \"hit_ratio\": %s, \"scan_ops\": %lld,\n", hits_,
         misses_,
         lookups > 0 ? std::to_string(static_cast<double>(hits_) / lookups).c_str() : "null",
         scan_ops_);
  printf(" \"allowed\": %lld, \"limited\": %lld,\n", allowed_, limited_);
  printf(" \"slice_ms\": %d, \"slices\": [", o_.slice_ms);
  for (size_t i = 0; i < slices_.size(); ++i) {
    Slice& s = slices_[i];
    double secs = o_.slice_ms / 1000.0;
    long long lk = s.hits + s.misses;
    printf(
        "%s\n  {\"t\": %.3f, \"conns\": %d, \"ops\": %lld, \"rps\": %.1f, \"errors\": %lld, "
        "\"p50_ms\": %.3f, \"p95_ms\": %.3f, \"p99_ms\": %.3f, \"hit_ratio\": %s}",
        i ? "," : "", i * secs, s.conns, s.ops, s.ops / secs, s.errors, pct(s.lat_us, 0.50),
        pct(s.lat_us, 0.95), pct(s.lat_us, 0.99),
        lk > 0 ? std::to_string(static_cast<double>(s.hits) / lk).c_str() : "null");
  }
  printf("\n ]}\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  Options o = ParseOptions(argc, argv);
  LoadGen gen(o);
  return gen.Run();
}
