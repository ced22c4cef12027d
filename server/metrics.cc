#include "server/metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>

#include <algorithm>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "modules/aof.h"
#include "modules/engine.h"
#include "server/clock.h"
#include "server/log.h"
#include "server/version.h"
#include "storage/db.h"
#include "storage/memory.h"

namespace firn {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Builds the families in order; each Add* appends one sample to the family named, creating
// the family on first use.
class Families {
 public:
  void Gauge(const std::string& name, const std::string& help, double value,
             std::vector<ClientMetric::Label> labels = {}) {
    ClientMetric& m = Sample(name, help, MetricType::Gauge, std::move(labels));
    m.gauge.value = value;
  }
  void Counter(const std::string& name, const std::string& help, double value,
               std::vector<ClientMetric::Label> labels = {}) {
    ClientMetric& m = Sample(name, help, MetricType::Counter, std::move(labels));
    m.counter.value = value;
  }
  // A histogram from per-bucket (not cumulative) counts with bounds in seconds; the last count
  // is the overflow (+Inf) bucket.
  void Histogram(const std::string& name, const std::string& help,
                 std::vector<ClientMetric::Label> labels, const uint64_t* counts,
                 const double* bounds_s, size_t bounds, double sum) {
    ClientMetric& m = Sample(name, help, MetricType::Histogram, std::move(labels));
    uint64_t cumulative = 0;
    m.histogram.bucket.reserve(bounds);
    for (size_t i = 0; i < bounds; ++i) {
      cumulative += counts[i];
      m.histogram.bucket.push_back({.cumulative_count = cumulative, .upper_bound = bounds_s[i]});
    }
    m.histogram.sample_count = cumulative + counts[bounds];
    m.histogram.sample_sum = sum;
  }

  std::vector<MetricFamily> Take() { return std::move(families_); }

 private:
  ClientMetric& Sample(const std::string& name, const std::string& help, MetricType type,
                       std::vector<ClientMetric::Label> labels) {
    auto it = index_.find(name);
    if (it == index_.end()) {
      it = index_.emplace(name, families_.size()).first;
      families_.push_back(MetricFamily{.name = name, .help = help, .type = type, .metric = {}});
    }
    MetricFamily& f = families_[it->second];
    f.metric.emplace_back();
    f.metric.back().label = std::move(labels);
    return f.metric.back();
  }

  std::vector<MetricFamily> families_;
  std::unordered_map<std::string, size_t> index_;
};

double Seconds(uint64_t us) { return static_cast<double>(us) / 1e6; }

bool Active(const CommandStats& s) {
  return s.calls != 0 || s.rejected_calls != 0 || s.failed_calls != 0;
}

// redis_exporter's per-command series, from the same rows INFO commandstats prints: a
// container (CLIENT, CONFIG...) reports its subcommands ("client|list"), and itself only for
// calls refused before a subcommand was chosen.
void CommandStatSeries(Families& f, std::string_view name, const CommandStats& s) {
  std::vector<ClientMetric::Label> cmd{{"cmd", std::string(name)}};
  f.Counter("redis_commands_total", "Total number of calls per command",
            static_cast<double>(s.calls), cmd);
  f.Counter("redis_commands_duration_seconds_total",
            "Total amount of time in seconds spent per command", Seconds(s.usec), cmd);
  f.Counter("redis_commands_rejected_calls_total",
            "Total number of errors prior command execution per command",
            static_cast<double>(s.rejected_calls), cmd);
  f.Counter("redis_commands_failed_calls_total",
            "Total number of errors within command execution per command",
            static_cast<double>(s.failed_calls), std::move(cmd));
}

void CommandSeries(Families& f, const MetricsSnapshot& snap) {
  for (const MetricsSnapshot::CommandRow& row : snap.commands) {
    if (!row.commandstats) continue;
    if (row.refused_only) {
      CommandStats refused;
      refused.rejected_calls = row.stats.rejected_calls;
      CommandStatSeries(f, row.name, refused);
    } else {
      CommandStatSeries(f, row.name, row.stats);
    }
  }
  // Latency histograms: dispatch fills the buckets of the rows it runs (a container's row
  // holds its subcommands' calls).
  static const std::vector<double> bounds_s = [] {
    std::vector<double> b;
    for (int64_t us : kLatencyBucketsUs) b.push_back(static_cast<double>(us) / 1e6);
    return b;
  }();
  for (const MetricsSnapshot::CommandRow& row : snap.commands) {
    const CommandStats& s = row.stats;
    uint64_t samples = 0;
    for (uint64_t b : s.latency_buckets) samples += b;
    if (samples == 0) continue;
    f.Histogram("firn_command_duration_seconds",
                "Command execution time in seconds, per command (the event loop's time in the "
                "handler)",
                {{"cmd", std::string(row.name)}}, s.latency_buckets, bounds_s.data(),
                CommandStats::kBuckets, Seconds(s.usec));
  }
}

void RateLimitSeries(Families& f, const MetricsSnapshot& snap) {
  const char* help = "Rate-limiter decisions by limiter (the key's prefix before the first ':') "
                     "and result";
  for (const auto& [name, counts] : snap.limiters) {
    f.Counter("firn_ratelimit_decisions_total", help, static_cast<double>(counts.allowed),
              {{"limiter", name}, {"result", "allowed"}});
    f.Counter("firn_ratelimit_decisions_total", help, static_cast<double>(counts.limited),
              {{"limiter", name}, {"result", "limited"}});
  }
}

std::vector<MetricFamily> DownFamilies() {
  Families f;
  f.Gauge("redis_up", "Information about the Redis instance", 0);
  return f.Take();
}

void TakePersistence(const Engine& engine, int64_t now_ms, MetricsSnapshot::Persistence* p) {
  const SaveState& st = engine.save;
  p->loading = st.loading;
  p->changes_since_last_save = engine.keyspace.dirty() - engine.dirty_at_last_save;
  p->last_save_s = st.lastsave_s != 0 ? st.lastsave_s : engine.stats.start_time_ms / 1000;
  p->bgsave_in_progress = st.child_pid > 0;
  p->last_bgsave_ok = st.last_bgsave_ok;
  p->last_bgsave_s = st.last_bgsave_time_s;
  p->current_bgsave_s = st.child_pid > 0 ? (now_ms - st.child_start_ms) / 1000 : -1;
  p->saves = st.saves;
  const AppendOnlyFile* aof = st.aof;
  p->aof_enabled = aof != nullptr && aof->state() != AppendOnlyFile::State::kOff;
  p->aof_rewrite_in_progress = st.aof_child_pid > 0 || (aof != nullptr && aof->switching());
  p->aof_rewrite_scheduled = st.aof_rewrite_scheduled;
  p->aof_last_rewrite_s = st.aof_last_rewrite_time_s;
  p->aof_current_rewrite_s = st.aof_child_pid > 0 ? (now_ms - st.aof_child_start_ms) / 1000 : -1;
  p->aof_last_rewrite_ok = st.aof_last_rewrite_ok;
  p->aof_last_write_ok = st.aof_write_ok;
  p->aof_rewrites = st.aof_rewrites;
  p->aof_last_switch_us = st.aof_last_switch_us;
  if (aof != nullptr) {
    p->aof_current_size = aof->current_size();
    p->aof_base_size = aof->base_size();
    p->aof_buffer_length = aof->buffer_length();
    p->aof_fsyncs = aof->fsyncs();
    p->aof_fsync_us = aof->fsync_us();
  }
}

// redis_exporter's names for INFO persistence, plus firn_aof_* for the fsyncs and the rewrite's
// switch-over pause, which Redis does not report.
void PersistenceSeries(Families& f, const MetricsSnapshot::Persistence& p) {
  auto d = [](auto v) { return static_cast<double>(v); };
  f.Gauge("redis_loading_dump_file", "loading_dump_file metric", p.loading ? 1 : 0);
  f.Gauge("redis_rdb_changes_since_last_save", "rdb_changes_since_last_save metric",
          d(p.changes_since_last_save));
  f.Gauge("redis_rdb_last_save_timestamp_seconds", "rdb_last_save_timestamp_seconds metric",
          d(p.last_save_s));
  f.Gauge("redis_rdb_bgsave_in_progress", "rdb_bgsave_in_progress metric",
          p.bgsave_in_progress ? 1 : 0);
  f.Gauge("redis_rdb_last_bgsave_status", "rdb_last_bgsave_status metric",
          p.last_bgsave_ok ? 1 : 0);
  f.Gauge("redis_rdb_last_bgsave_duration_sec", "rdb_last_bgsave_duration_sec metric",
          d(p.last_bgsave_s));
  f.Gauge("redis_rdb_current_bgsave_duration_sec", "rdb_current_bgsave_duration_sec metric",
          d(p.current_bgsave_s));
  f.Counter("redis_rdb_saves_total", "rdb_saves_total metric", d(p.saves));
  f.Gauge("redis_aof_enabled", "aof_enabled metric", p.aof_enabled ? 1 : 0);
  f.Gauge("redis_aof_rewrite_in_progress", "aof_rewrite_in_progress metric",
          p.aof_rewrite_in_progress ? 1 : 0);
  f.Gauge("redis_aof_rewrite_scheduled", "aof_rewrite_scheduled metric",
          p.aof_rewrite_scheduled ? 1 : 0);
  f.Gauge("redis_aof_last_rewrite_duration_sec", "aof_last_rewrite_duration_sec metric",
          d(p.aof_last_rewrite_s));
  f.Gauge("redis_aof_current_rewrite_duration_sec", "aof_current_rewrite_duration_sec metric",
          d(p.aof_current_rewrite_s));
  f.Gauge("redis_aof_last_bgrewrite_status", "aof_last_bgrewrite_status metric",
          p.aof_last_rewrite_ok ? 1 : 0);
  f.Gauge("redis_aof_last_write_status", "aof_last_write_status metric",
          p.aof_last_write_ok ? 1 : 0);
  f.Gauge("redis_aof_rewrites", "aof_rewrites metric", d(p.aof_rewrites));
  f.Gauge("redis_aof_current_size_bytes", "aof_current_size_bytes metric",
          d(p.aof_current_size));
  f.Gauge("redis_aof_base_size_bytes", "aof_base_size_bytes metric", d(p.aof_base_size));
  f.Gauge("redis_aof_buffer_length", "aof_buffer_length metric", d(p.aof_buffer_length));
  f.Counter("firn_aof_fsyncs_total", "fsyncs of the append-only file", d(p.aof_fsyncs));
  f.Counter("firn_aof_fsync_seconds_total", "time spent in those fsyncs",
            d(p.aof_fsync_us) / 1e6);
  f.Gauge("firn_aof_rewrite_switch_seconds",
          "how long the loop waited switching the last rewrite's base in (-1: none yet)",
          p.aof_last_switch_us < 0 ? -1.0 : d(p.aof_last_switch_us) / 1e6);
}

}  // namespace

MetricsSnapshot TakeMetricsSnapshot(const Engine& engine, int64_t now_ms) {
  MetricsSnapshot snap;
  snap.now_ms = now_ms;
  snap.start_time_ms = engine.stats.start_time_ms;
  snap.tcp_port = engine.stats.tcp_port;
  snap.connected_clients = engine.stats.connected_clients;
  snap.blocked_clients = engine.stats.blocked_clients;
  snap.total_connections_received = engine.stats.total_connections_received;
  snap.rejected_connections = engine.stats.rejected_connections;
  snap.total_commands_processed = engine.stats.total_commands_processed;
  snap.net_input_bytes = engine.stats.net_input_bytes;
  snap.net_output_bytes = engine.stats.net_output_bytes;
  snap.peak_memory = engine.stats.peak_memory;
  snap.keyspace = engine.keyspace.stats();
  snap.maxmemory = engine.config.maxmemory;
  snap.maxclients = engine.config.maxclients;
  Keyspace& ks = const_cast<Engine&>(engine).keyspace;  // db() has no const overload
  snap.dbs.reserve(static_cast<size_t>(ks.count()));
  for (int i = 0; i < ks.count(); ++i) {
    const Db& db = ks.db(i);
    snap.dbs.push_back({db.size(), db.expires(), db.avg_ttl_ms()});
  }
  // The rows INFO commandstats prints: a container (CLIENT, CONFIG...) reports its
  // subcommands ("client|list"), and itself only for calls refused before a subcommand was
  // chosen. Every top-level row also carries its latency buckets for the histograms.
  for (const Command& c : engine.commands.all()) {
    uint64_t samples = 0;
    for (uint64_t b : c.stats.latency_buckets) samples += b;
    const bool container = !c.subcommands.empty();
    const bool listed = container ? c.stats.rejected_calls != 0 : Active(c.stats);
    if (listed || samples != 0) {
      snap.commands.push_back({.name = c.name, .stats = c.stats, .commandstats = listed,
                               .refused_only = container});
    }
    for (const Command& sub : c.subcommands) {
      if (Active(sub.stats)) {
        snap.commands.push_back({.name = sub.name, .stats = sub.stats, .commandstats = true,
                                 .refused_only = false});
      }
    }
  }
  TakePersistence(engine, now_ms, &snap.persistence);
  // Limiters: at most metrics-max-limiters names; the rest (and "other") folded into "other".
  const std::string_view other = RateLimitStats::kOtherLimiter;
  const size_t cap = static_cast<size_t>(std::max(1, engine.config.metrics_max_limiters));
  RateLimitStats::Counts folded;
  bool have_folded = false;
  snap.limiters.reserve(std::min(cap, engine.ratelimit.by_limiter.size()) + 1);
  for (const auto& [name, counts] : engine.ratelimit.by_limiter) {
    if (name == other || snap.limiters.size() >= cap) {
      folded.allowed += counts.allowed;
      folded.limited += counts.limited;
      have_folded = true;
      continue;
    }
    snap.limiters.emplace_back(name, counts);
  }
  if (have_folded) snap.limiters.emplace_back(std::string(other), folded);
  return snap;
}

std::vector<MetricFamily> MetricFamiliesFrom(const MetricsSnapshot& snap, const MemoryStats& mem) {
  Families f;
  auto d = [](uint64_t v) { return static_cast<double>(v); };

  f.Gauge("redis_up", "Information about the Redis instance", 1);
  f.Gauge("redis_instance_info", "Information about the Redis instance", 1,
          {{"redis_version", kRedisVersion},
           {"firn_version", kFirnVersion},
           {"redis_mode", "standalone"},
           {"role", "master"},
           {"tcp_port", std::to_string(snap.tcp_port)}});
  f.Gauge("redis_start_time_seconds", "Start time of the Redis instance since unix epoch in seconds.",
          static_cast<double>(snap.start_time_ms / 1000));
  f.Gauge("redis_uptime_in_seconds", "uptime_in_seconds metric",
          static_cast<double>((snap.now_ms - snap.start_time_ms) / 1000));
  f.Gauge("redis_connected_clients", "connected_clients metric", d(snap.connected_clients));
  f.Gauge("redis_blocked_clients", "blocked_clients metric", d(snap.blocked_clients));
  f.Gauge("redis_config_maxclients", "config_maxclients metric", snap.maxclients);
  f.Gauge("redis_memory_used_bytes", "memory_used_bytes metric", d(mem.allocated));
  f.Gauge("redis_memory_used_rss_bytes", "memory_used_rss_bytes metric", d(mem.rss));
  f.Gauge("redis_memory_used_peak_bytes", "memory_used_peak_bytes metric",
          d(std::max<uint64_t>(snap.peak_memory, mem.allocated)));
  f.Gauge("redis_memory_max_bytes", "memory_max_bytes metric", d(snap.maxmemory));
  f.Counter("redis_keyspace_hits_total", "keyspace_hits_total metric",
            d(snap.keyspace.keyspace_hits));
  f.Counter("redis_keyspace_misses_total", "keyspace_misses_total metric",
            d(snap.keyspace.keyspace_misses));
  f.Counter("redis_expired_keys_total", "expired_keys_total metric",
            d(snap.keyspace.expired_keys));
  f.Counter("redis_evicted_keys_total", "evicted_keys_total metric",
            d(snap.keyspace.evicted_keys));
  f.Counter("redis_commands_processed_total", "commands_processed_total metric",
            d(snap.total_commands_processed));
  f.Counter("redis_connections_received_total", "connections_received_total metric",
            d(snap.total_connections_received));
  f.Counter("redis_rejected_connections_total", "rejected_connections_total metric",
            d(snap.rejected_connections));
  f.Counter("redis_net_input_bytes_total", "net_input_bytes_total metric",
            d(snap.net_input_bytes));
  f.Counter("redis_net_output_bytes_total", "net_output_bytes_total metric",
            d(snap.net_output_bytes));
  // Every database, empty ones included, so a panel never shows "no data" for db0.
  for (size_t i = 0; i < snap.dbs.size(); ++i) {
    const MetricsSnapshot::DbCounts& db = snap.dbs[i];
    std::vector<ClientMetric::Label> label{{"db", "db" + std::to_string(i)}};
    f.Gauge("redis_db_keys", "Total number of keys by DB", d(db.keys), label);
    f.Gauge("redis_db_keys_expiring", "Total number of expiring keys by DB", d(db.expires),
            label);
    f.Gauge("redis_db_avg_ttl_seconds", "Avg TTL in seconds",
            static_cast<double>(db.avg_ttl_ms) / 1000.0, std::move(label));
  }
  CommandSeries(f, snap);
  RateLimitSeries(f, snap);
  PersistenceSeries(f, snap.persistence);
  return f.Take();
}

std::vector<MetricFamily> BuildMetricFamilies(Engine& engine, int64_t now_ms) {
  return MetricFamiliesFrom(TakeMetricsSnapshot(engine, now_ms), ReadMemoryStats());
}

// The state the loop thread and the HTTP threads share, under mu.
struct MetricsExporter::Shared {
  std::mutex mu;
  std::condition_variable cv;
  uint64_t requested = 0;  // tickets handed out by Collect
  uint64_t served = 0;     // the newest ticket the current snapshot answers
  bool stopping = false;
  uv_async_t* async = nullptr;
  // Immutable once published; a scrape holds its own reference while it builds the text.
  std::shared_ptr<const MetricsSnapshot> snapshot;
};

class MetricsExporter::Collector : public prometheus::Collectable {
 public:
  explicit Collector(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  // HTTP thread: asks the loop for a fresh snapshot and waits for it, at most kLoopTimeout.
  std::vector<MetricFamily> Collect() const override {
    Shared& s = *shared_;
    bool timed_out = false;
    std::shared_ptr<const MetricsSnapshot> snapshot;
    {
      std::unique_lock<std::mutex> lock(s.mu);
      if (!s.stopping) {
        const uint64_t ticket = ++s.requested;
        uv_async_send(s.async);  // under mu: Stop cannot close the handle meanwhile
        timed_out = !s.cv.wait_for(lock, kLoopTimeout,
                                   [&] { return s.served >= ticket || s.stopping; });
      }
      snapshot = s.snapshot;
    }
    if (timed_out) {
      Log(LogLevel::kWarning,
          "Metrics: the event loop did not answer a scrape within %lld ms; serving the "
          "previous snapshot",
          static_cast<long long>(kLoopTimeout.count()));
    }
    // Built here, on the HTTP thread, outside the lock: the loop only copied counters.
    return snapshot != nullptr ? MetricFamiliesFrom(*snapshot, ReadMemoryStats()) : DownFamilies();
  }

 private:
  std::shared_ptr<Shared> shared_;
};

namespace {

void AsyncCb(uv_async_t* h) { static_cast<MetricsExporter*>(h->data)->OnRequest(); }

// Why the exporter could not listen on bind:port, in words an operator can act on: binds a
// probe socket the way civetweb does to learn the reason.
std::string ListenFailure(const std::string& bind_address, int port, const std::string& address) {
  const bool v6 = bind_address.find(':') != std::string::npos;
  std::string host = bind_address == "*" ? "0.0.0.0" : bind_address;
  struct sockaddr_storage ss;
  int rc = v6 ? uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&ss))
              : uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&ss));
  int error = rc != 0 ? EINVAL : 0;
  if (rc == 0) {
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = errno;
    } else {
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
      if (::bind(fd, reinterpret_cast<const sockaddr*>(&ss),
               v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)) != 0 ||
          listen(fd, 1) != 0) {
        error = errno;
      }
      close(fd);
    }
  }
  std::string why;
  if (error == EADDRINUSE) {
    why = address + " is already in use (another Firn, or a redis_exporter, on this machine?)";
  } else if (error == EACCES) {
    why = "no permission to listen on " + address;
  } else if (error != 0) {
    why = "cannot listen on " + address + ": " + std::strerror(error);
  } else {
    why = "the HTTP server did not start on " + address;
  }
  return "Could not start the metrics exporter: " + why +
         ". Set metrics-port to a free port (or metrics-bind to another address), or "
         "metrics-port 0 to turn the exporter off.";
}

}  // namespace

std::string ListenAddress(const std::string& bind, int port) {
  std::string host = bind == "*" ? "0.0.0.0" : bind;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return host + ":" + std::to_string(port);
}

MetricsExporter::MetricsExporter(uv_loop_t* loop, Engine& engine, const std::string& bind,
                                 int port)
    : engine_(engine), shared_(std::make_shared<Shared>()), bind_(bind), port_(port) {
  const std::string address = ListenAddress(bind, port);
  url_ = "http://" + address + "/metrics";
  // civetweb's options: enough worker threads that a few idle or slow connections leave room
  // for the scraper, and a bound on the time a connection may take to send its request (the
  // default, 30 s, let two clients that never finish their headers hold both threads).
  std::vector<std::string> options = {
      "listening_ports", address,
      "num_threads", std::to_string(kHttpThreads),
      "request_timeout_ms", std::to_string(kRequestTimeout.count()),
  };
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(std::move(options));
  } catch (const std::exception&) {
    // civetweb only says "null context when constructing CivetServer": find the reason.
    throw std::runtime_error(ListenFailure(bind, port, address));
  }
  async_ = new uv_async_t;
  uv_async_init(loop, async_, AsyncCb);
  async_->data = this;
  shared_->async = async_;
  collector_ = std::make_shared<Collector>(shared_);
  exposer_->RegisterCollectable(collector_);
}

MetricsExporter::~MetricsExporter() { Stop(); }

namespace {

// civetweb's listening thread polls its sockets with a 2 s timeout and sees the stop flag only
// then, so a shutdown would wait up to 2 s; a connection to the listener wakes it at once.
void WakeListener(const std::string& bind, int port) {
  const bool v6 = bind.find(':') != std::string::npos;
  std::string host = bind;
  if (bind == "*" || bind == "0.0.0.0") host = "127.0.0.1";
  if (bind == "::") host = "::1";
  struct sockaddr_storage ss;
  int rc = v6 ? uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&ss))
              : uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&ss));
  if (rc != 0) return;
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return;
  connect(fd, reinterpret_cast<const sockaddr*>(&ss),
          v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
  close(fd);
}

}  // namespace

void MetricsExporter::Stop() {
  if (exposer_ == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->stopping = true;
    shared_->async = nullptr;
  }
  shared_->cv.notify_all();
  // Destroying the Exposer joins the HTTP threads; meanwhile, nudge the listening thread.
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    exposer_.reset();
    stopped = true;
  });
  while (!stopped) {
    WakeListener(bind_, port_);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stopper.join();
  uv_close(reinterpret_cast<uv_handle_t*>(async_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
  async_ = nullptr;
}

void MetricsExporter::OnRequest() {
  uint64_t ticket;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    ticket = shared_->requested;
  }
  auto snap = std::make_shared<const MetricsSnapshot>(TakeMetricsSnapshot(engine_, RealtimeMs()));
  std::shared_ptr<const MetricsSnapshot> previous;  // released after the lock
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    previous = std::move(shared_->snapshot);
    shared_->snapshot = std::move(snap);
    shared_->served = ticket;
  }
  shared_->cv.notify_all();
}

}  // namespace firn
