#include "server/metrics.h"

#include <prometheus/text_serializer.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../command_harness.h"

using firn::testing::CommandHarness;
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

namespace {

constexpr int64_t kNowMs = 1700000000000;

const MetricFamily* FindFamily(const std::vector<MetricFamily>& fams, const std::string& name) {
  for (const MetricFamily& f : fams) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool HasLabels(const ClientMetric& m, const std::vector<ClientMetric::Label>& want) {
  for (const ClientMetric::Label& l : want) {
    bool found = false;
    for (const ClientMetric::Label& have : m.label) found = found || have == l;
    if (!found) return false;
  }
  return true;
}

// The sample of family `name` carrying `labels` (gauge or counter value), or -1 if absent.
double Value(const std::vector<MetricFamily>& fams, const std::string& name,
             const std::vector<ClientMetric::Label>& labels = {}) {
  const MetricFamily* f = FindFamily(fams, name);
  if (f == nullptr) return -1;
  for (const ClientMetric& m : f->metric) {
    if (!HasLabels(m, labels)) continue;
    return f->type == MetricType::Counter ? m.counter.value : m.gauge.value;
  }
  return -1;
}

}  // namespace

TEST_CASE("metrics carry redis_exporter's names and move with commands", "[metrics]") {
  CommandHarness h;
  h.engine.stats.start_time_ms = kNowMs - 42000;
  h.Run({"SET", "a", "1"});
  h.Run({"SET", "b", "2", "PX", "100000"});
  h.Run({"GET", "a"});
  h.Run({"GET", "a"});
  h.Run({"GET", "missing"});
  h.Run({"SELECT", "3"});
  h.Run({"SET", "c", "3"});
  auto fams = firn::BuildMetricFamilies(h.engine, kNowMs);
  CHECK(Value(fams, "redis_up") == 1);
  CHECK(Value(fams, "redis_uptime_in_seconds") == 42);
  CHECK(Value(fams, "redis_keyspace_hits_total") == 2);
  CHECK(Value(fams, "redis_keyspace_misses_total") == 1);
  CHECK(Value(fams, "redis_db_keys", {{"db", "db0"}}) == 2);
  CHECK(Value(fams, "redis_db_keys_expiring", {{"db", "db0"}}) == 1);
  CHECK(Value(fams, "redis_db_keys", {{"db", "db3"}}) == 1);
  CHECK(Value(fams, "redis_db_keys", {{"db", "db15"}}) == 0);
  CHECK(Value(fams, "redis_commands_total", {{"cmd", "get"}}) == 3);
  CHECK(Value(fams, "redis_commands_total", {{"cmd", "set"}}) == 3);
  CHECK(Value(fams, "redis_commands_total", {{"cmd", "del"}}) == -1);  // never ran: no series
  CHECK(Value(fams, "redis_memory_max_bytes") == 0);
  for (const char* name :
       {"redis_connected_clients", "redis_blocked_clients", "redis_memory_used_bytes",
        "redis_memory_used_rss_bytes", "redis_expired_keys_total", "redis_evicted_keys_total",
        "redis_commands_processed_total", "redis_connections_received_total",
        "redis_rejected_connections_total", "redis_net_input_bytes_total",
        "redis_net_output_bytes_total", "redis_commands_duration_seconds_total"}) {
    INFO(name);
    CHECK(FindFamily(fams, name) != nullptr);
  }
  CHECK(FindFamily(fams, "redis_commands_processed_total")->type == MetricType::Counter);
  CHECK(FindFamily(fams, "redis_connected_clients")->type == MetricType::Gauge);
}

TEST_CASE("command latency histograms are cumulative over Firn's buckets", "[metrics]") {
  CommandHarness h;
  firn::Command const* get = h.engine.commands.Find("get");
  REQUIRE(get != nullptr);
  get->stats.calls = 4;
  get->stats.usec = 1000;
  get->stats.latency_buckets[0] = 1;                              // <= 5 us
  get->stats.latency_buckets[2] = 2;                              // <= 25 us
  get->stats.latency_buckets[firn::CommandStats::kBuckets] = 1;  // > 100 ms
  auto fams = firn::BuildMetricFamilies(h.engine, kNowMs);
  const MetricFamily* f = FindFamily(fams, "firn_command_duration_seconds");
  REQUIRE(f != nullptr);
  CHECK(f->type == MetricType::Histogram);
  REQUIRE(f->metric.size() == 1);
  const ClientMetric::Histogram& hist = f->metric[0].histogram;
  CHECK(hist.sample_count == 4);
  CHECK(hist.sample_sum == Approx(0.001));
  REQUIRE(hist.bucket.size() == firn::CommandStats::kBuckets);
  CHECK(hist.bucket[0].upper_bound == Approx(5e-6));
  CHECK(hist.bucket[0].cumulative_count == 1);
  CHECK(hist.bucket[1].cumulative_count == 1);
  CHECK(hist.bucket[2].cumulative_count == 3);
  CHECK(hist.bucket.back().upper_bound == Approx(0.1));
  CHECK(hist.bucket.back().cumulative_count == 3);
}

TEST_CASE("limiter series stay within metrics-max-limiters", "[metrics]") {
  firn::Config cfg;
  cfg.metrics_max_limiters = 10;
  CommandHarness h(cfg);
  // As if the cap had been raised and then lowered at runtime: 50 names counted.
  for (int i = 0; i < 50; ++i) {
    h.engine.ratelimit.by_limiter["api" + std::to_string(i)] = {.allowed = 2, .limited = 1};
  }
  h.engine.ratelimit.by_limiter[std::string(firn::RateLimitStats::kOtherLimiter)] = {
      .allowed = 5, .limited = 5};
  auto fams = firn::BuildMetricFamilies(h.engine, kNowMs);
  const MetricFamily* f = FindFamily(fams, "firn_ratelimit_decisions_total");
  REQUIRE(f != nullptr);
  CHECK(f->metric.size() == 2 * (10 + 1));
  CHECK(Value(fams, "firn_ratelimit_decisions_total",
              {{"limiter", "other"}, {"result", "allowed"}}) == 5 + 40 * 2);
  CHECK(Value(fams, "firn_ratelimit_decisions_total",
              {{"limiter", "other"}, {"result", "limited"}}) == 5 + 40 * 1);
  double allowed = 0;
  for (const ClientMetric& m : f->metric) {
    if (HasLabels(m, {{"result", "allowed"}})) allowed += m.counter.value;
  }
  CHECK(allowed == 50 * 2 + 5);  // nothing lost by folding
}

TEST_CASE("the text exposition parses as Prometheus text", "[metrics]") {
  CommandHarness h;
  h.Run({"GET", "x"});
  const std::string text = prometheus::TextSerializer().Serialize(
      firn::BuildMetricFamilies(h.engine, kNowMs));
  CHECK(text.find("# TYPE redis_keyspace_misses_total counter\nredis_keyspace_misses_total 1\n") !=
        std::string::npos);
  CHECK(text.find("firn_command_duration_seconds_bucket{cmd=\"get\",le=\"+Inf\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("redis_db_keys{db=\"db0\"} 0\n") != std::string::npos);
}
