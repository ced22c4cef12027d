// Metrics: the Prometheus exporter, GET /metrics on its own listener (metrics-bind,
// metrics-port; metrics-port 0: none).
//
// Names and labels are redis_exporter's, so dashboards and alerts written for Redis work
// unchanged (redis_up, redis_connected_clients, redis_keyspace_hits_total, redis_db_keys{db},
// redis_commands_total{cmd}, ...), plus firn_* series for what Redis lacks: per-command latency
// histograms (firn_command_duration_seconds{cmd}) and rate-limiter decisions
// (firn_ratelimit_decisions_total{limiter,result}).
//
// Why a snapshot copied on the loop thread: prometheus-cpp serves HTTP from its own threads
// (civetweb), but the engine belongs to the event-loop thread and takes no locks. So the
// command path pays nothing for metrics: every figure exported is a counter the server or
// dispatch keeps anyway (INFO reads the same ones), and nothing is added per command. A
// scrape's Collect() (HTTP thread) posts a request to the loop (uv_async_send) and waits on a
// condition variable; between two iterations the loop copies the counters into a plain
// MetricsSnapshot (tens of microseconds; no strings but the limiter names) and hands it back
// under a mutex; the HTTP thread then builds the MetricFamily vector and reads the allocator's
// statistics itself (jemalloc's are safe from any thread). Concurrent scrapes share one copy.
// If the loop does not answer within kLoopTimeout (a command running long, a huge FLUSHALL),
// the previous snapshot is served, or redis_up 0 before the first one.
//
// Slow HTTP clients: civetweb serves one connection per worker thread, so kHttpThreads threads
// and a kRequestTimeout on reading a request mean a scrape waits at most about kRequestTimeout
// behind connections that never finish their headers, instead of civetweb's default 30 s.
//
// A metrics address that cannot be bound stops the start, as a client address does (see
// docs/operations.md); the error says why and names metrics-port and metrics-bind.
//
// Cardinality: a series per command that ran (about 200 at most), one per database, and at
// most metrics-max-limiters limiter names (two series each); decisions for names beyond the
// cap are counted under limiter="other" where they are counted (modules/ratelimit.cc), and the
// exporter folds any excess again should the cap be lowered at runtime.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

#include "modules/engine.h"
#include "storage/db.h"
#include "storage/memory.h"

namespace prometheus {
class Exposer;
}

namespace firn {

// The counters the exporter reports, copied out of the engine.
struct MetricsSnapshot {
  struct DbCounts {
    size_t keys = 0;
    size_t expires = 0;
    int64_t avg_ttl_ms = 0;
  };
  struct CommandRow {
    std::string_view name;  // points into the command table, which outlives the exporter
    CommandStats stats;
    bool commandstats = false;  // has redis_commands_* series (as INFO commandstats lists it)
    bool refused_only = false;  // a container: only its refused calls are its own
  };
  int64_t now_ms = 0;
  int64_t start_time_ms = 0;
  int tcp_port = 0;
  uint64_t connected_clients = 0;
  uint64_t blocked_clients = 0;
  uint64_t total_connections_received = 0;
  uint64_t rejected_connections = 0;
  uint64_t total_commands_processed = 0;
  uint64_t net_input_bytes = 0;
  uint64_t net_output_bytes = 0;
  uint64_t peak_memory = 0;
  uint64_t maxmemory = 0;
  int maxclients = 0;
  KeyspaceStats keyspace;
  std::vector<DbCounts> dbs;
  std::vector<CommandRow> commands;  // those that ran or were refused
  // Persistence (INFO persistence's figures, modules/persist.h and modules/aof.h).
  struct Persistence {
    bool loading = false;
    uint64_t changes_since_last_save = 0;
    int64_t last_save_s = 0;
    bool bgsave_in_progress = false;
    bool last_bgsave_ok = true;
    int64_t last_bgsave_s = -1;
    int64_t current_bgsave_s = -1;
    uint64_t saves = 0;
    bool aof_enabled = false;
    bool aof_rewrite_in_progress = false;
    bool aof_rewrite_scheduled = false;
    int64_t aof_last_rewrite_s = -1;
    int64_t aof_current_rewrite_s = -1;
    bool aof_last_rewrite_ok = true;
    bool aof_last_write_ok = true;
    uint64_t aof_rewrites = 0;
    uint64_t aof_current_size = 0;
    uint64_t aof_base_size = 0;
    uint64_t aof_buffer_length = 0;
    uint64_t aof_fsyncs = 0;
    uint64_t aof_fsync_us = 0;
    int64_t aof_last_switch_us = -1;
  } persistence;
  // At most metrics-max-limiters names, then "other" with everything else folded in.
  std::vector<std::pair<std::string, RateLimitStats::Counts>> limiters;
};

// Copies the counters out of the engine at now_ms (Unix ms). Loop thread only.
MetricsSnapshot TakeMetricsSnapshot(const Engine& engine, int64_t now_ms);
// The metric families for a snapshot and the allocator's figures. Any thread.
std::vector<prometheus::MetricFamily> MetricFamiliesFrom(const MetricsSnapshot& snapshot,
                                                         const MemoryStats& memory);
// "host:port" of a listener on bind ("*": every IPv4 address; IPv6 hosts in brackets).
std::string ListenAddress(const std::string& bind, int port);
// Both of the above, for tests and one-off use. Loop thread only.
std::vector<prometheus::MetricFamily> BuildMetricFamilies(Engine& engine, int64_t now_ms);

class MetricsExporter {
 public:
  static constexpr std::chrono::milliseconds kLoopTimeout{1000};
  // HTTP worker threads (civetweb's num_threads): each serves one connection at a time.
  static constexpr int kHttpThreads = 4;
  // How long a connection may take to send its request headers, and each read or write
  // (civetweb's request_timeout_ms): a client that never finishes its headers holds a thread
  // this long at most.
  static constexpr std::chrono::milliseconds kRequestTimeout{2000};

  // Starts the HTTP listener on bind:port serving GET /metrics. Throws std::runtime_error
  // when it cannot listen, saying why (the address in use, ...) and which settings change it. REQUIRES: engine and loop outlive the exporter;
  // called on the loop thread.
  MetricsExporter(uv_loop_t* loop, Engine& engine, const std::string& bind, int port);
  // Stops it (see Stop).
  ~MetricsExporter();
  MetricsExporter(const MetricsExporter&) = delete;
  MetricsExporter& operator=(const MetricsExporter&) = delete;

  // Stops serving: scrapes in flight return at once, the HTTP threads are joined, the loop
  // handle is closed. Idempotent. Loop thread only.
  void Stop();
  // "http://127.0.0.1:9121/metrics"
  const std::string& url() const { return url_; }

  // Called on the loop thread by the async handle: builds and publishes a snapshot.
  void OnRequest();

 private:
  struct Shared;
  class Collector;

  Engine& engine_;
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<Collector> collector_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  uv_async_t* async_ = nullptr;  // freed by its close callback
  std::string url_;
  std::string bind_;
  int port_;
};

}  // namespace firn
