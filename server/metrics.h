// Metrics: the Prometheus exporter, GET /metrics on its own listener (metrics-bind,
// metrics-port; metrics-port 0: none).
//
// Names and labels are redis_exporter's, so dashboards and alerts written for Redis work
// unchanged (redis_up, redis_connected_clients, redis_keyspace_hits_total, redis_db_keys{db},
// redis_commands_total{cmd}, ...), plus firn_* series for what Redis lacks: per-command latency
// histograms (firn_command_duration_seconds{cmd}) and rate-limiter decisions
// (firn_ratelimit_decisions_total{limiter,result}).
//
// Why a snapshot on the loop thread: prometheus-cpp serves HTTP from its own threads (civetweb),
// but the engine belongs to the event-loop thread and takes no locks. So the command path pays
// nothing for metrics: every figure exported is a counter the server or dispatch keeps anyway
// (INFO reads the same ones), and nothing is added per command. A scrape's Collect() (HTTP
// thread) posts a request to the loop (uv_async_send) and waits on a condition variable; the
// loop builds the whole MetricFamily vector between two iterations and hands it back under a
// mutex. Concurrent scrapes share one build. If the loop does not answer within kLoopTimeout
// (a command running long, a huge FLUSHALL), the previous snapshot is served, or redis_up 0
// before the first one.
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
#include <vector>

#include <prometheus/metric_family.h>

#include "modules/engine.h"

namespace prometheus {
class Exposer;
}

namespace firn {

// Every metric family from the engine's state at now_ms (Unix ms). Reads the engine: loop
// thread only. Also used by tests.
std::vector<prometheus::MetricFamily> BuildMetricFamilies(Engine& engine, int64_t now_ms);

class MetricsExporter {
 public:
  static constexpr std::chrono::milliseconds kLoopTimeout{1000};

  // Starts the HTTP listener on bind:port serving GET /metrics. Throws std::runtime_error
  // naming the address when it cannot listen. REQUIRES: engine and loop outlive the exporter;
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
