#include "modules/slowlog.h"

#include <algorithm>
#include <climits>
#include <string>

#include "modules/args.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "protocol/errors.h"

namespace firn {
namespace {

constexpr std::string_view kRedacted = "(redacted)";
constexpr std::string_view kCountError = err::kSlowlogCount;
// Where Redis's latency histograms saturate (1 s): the overflow bucket is reported there.
constexpr int64_t kOverflowBucketUs = 1000000;

// True when argument i of argv is a secret Redis redacts (AUTH's, HELLO ... AUTH's, MIGRATE's and
// CONFIG SET requirepass's).
bool IsSecret(const Command& cmd, const std::vector<std::string_view>& argv, size_t i) {
  if (cmd.name == "auth") return i >= 1;
  if (cmd.name == "hello") {
    // HELLO [protover [AUTH username password] [SETNAME name]]: walk the options as HELLO does.
    for (size_t j = 2; j < argv.size(); ++j) {
      const size_t more = argv.size() - 1 - j;
      if (EqualsNoCase(argv[j], "AUTH") && more >= 2) {
        if (i == j + 1 || i == j + 2) return true;
        j += 2;
      } else if (EqualsNoCase(argv[j], "SETNAME") && more >= 1) {
        ++j;
      } else {
        break;
      }
    }
    return false;
  }
  if (cmd.name == "migrate") {
    // MIGRATE ... [AUTH password] [AUTH2 username password] [KEYS key ...]
    for (size_t j = 6; j < argv.size(); ++j) {
      if (EqualsNoCase(argv[j], "AUTH")) {
        if (i == j + 1) return true;
        ++j;
      } else if (EqualsNoCase(argv[j], "AUTH2")) {
        if (i == j + 1 || i == j + 2) return true;
        j += 2;
      } else if (EqualsNoCase(argv[j], "KEYS")) {
        break;
      }
    }
    return false;
  }
  if (cmd.name == "config|set" && i >= 3) {
    return (i - 3) % 2 == 0 && EqualsNoCase(argv[i - 1], "requirepass");
  }
  return false;
}

}  // namespace

void SlowLog::Record(int64_t max_len, const Command& cmd, const ClientInfo& client,
                     const std::vector<std::string_view>& argv, int64_t duration_us,
                     int64_t now_ms) {
  if (max_len <= 0) {
    entries_.clear();
    return;
  }
  SlowLogEntry e;
  e.id = next_id_++;
  e.time_s = now_ms / 1000;
  e.duration_us = duration_us;
  const size_t shown = std::min(argv.size(), kMaxArgs);
  e.argv.reserve(shown);
  for (size_t i = 0; i < shown; ++i) {
    if (shown != argv.size() && i == shown - 1) {
      e.argv.push_back("... (" + std::to_string(argv.size() - shown + 1) + " more arguments)");
    } else if (IsSecret(cmd, argv, i)) {
      e.argv.emplace_back(kRedacted);
    } else if (argv[i].size() > kMaxArgBytes) {
      e.argv.emplace_back(argv[i].substr(0, kMaxArgBytes));
      e.argv.back() += "... (" + std::to_string(argv[i].size() - kMaxArgBytes) + " more bytes)";
    } else {
      e.argv.emplace_back(argv[i]);
    }
  }
  e.addr = client.addr;
  e.name = client.name;
  entries_.push_front(std::move(e));
  while (entries_.size() > static_cast<uint64_t>(max_len)) entries_.pop_back();
}

namespace {

// ---- SLOWLOG ----

// SLOWLOG GET [count] -> the newest count entries (default 10, -1: all), each
// [id, unix time, microseconds, [args...], client addr, client name].
void SlowLogGet(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.Error(err::kSlowlogGetArgs);
    return;
  }
  int64_t count = 10;
  if (ctx.argc() == 3 && (!ParseInt64(ctx.arg(2), &count) || count < -1)) {
    ctx.Error(kCountError);
    return;
  }
  const std::deque<SlowLogEntry>& entries = ctx.engine.slowlog.entries();
  const size_t n = count == -1 ? entries.size()
                               : std::min(entries.size(), static_cast<size_t>(count));
  ctx.reply.Array(n);
  for (size_t i = 0; i < n; ++i) {
    const SlowLogEntry& e = entries[i];
    ctx.reply.Array(6);
    ctx.reply.Int(e.id);
    ctx.reply.Int(e.time_s);
    ctx.reply.Int(e.duration_us);
    ctx.reply.Array(e.argv.size());
    for (const std::string& a : e.argv) ctx.reply.Bulk(a);
    ctx.reply.Bulk(e.addr);
    ctx.reply.Bulk(e.name);
  }
}

// SLOWLOG LEN -> the number of entries.
void SlowLogLen(CommandContext& ctx) {
  ctx.reply.Int(static_cast<int64_t>(ctx.engine.slowlog.entries().size()));
}

// SLOWLOG RESET -> OK; the log is emptied.
void SlowLogReset(CommandContext& ctx) {
  ctx.engine.slowlog.Reset();
  ctx.reply.Ok();
}

// SLOWLOG HELP -> the subcommands, as status lines.
void SlowLogHelp(CommandContext& ctx) {
  ReplyLines(ctx, {
                      "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                      "GET [<count>]",
                      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                      "    Entries are made of:",
                      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                      "    client name",
                      "LEN",
                      "    Return the length of the slowlog.",
                      "RESET",
                      "    Reset the slowlog.",
                      "HELP",
                      "    Prints this help.",
                  });
}

// ---- LATENCY ----

// LATENCY LATEST -> per event: [name, time of the latest sample, its latency ms, max ms].
void LatencyLatest(CommandContext& ctx) {
  const auto& events = ctx.engine.latency.events();
  ctx.reply.Array(events.size());
  for (const auto& [name, series] : events) {
    ctx.reply.Array(4);
    ctx.reply.Bulk(name);
    ctx.reply.Int(series.Latest().time_s);
    ctx.reply.Int(series.Latest().latency_ms);
    ctx.reply.Int(series.max_ms);
  }
}

// LATENCY HISTORY event -> [time, latency ms] per sample, oldest first (empty if unknown).
void LatencyHistory(CommandContext& ctx) {
  const LatencyMonitor::Series* series = ctx.engine.latency.Find(ctx.arg(2));
  if (series == nullptr) {
    ctx.reply.Array(0);
    return;
  }
  const std::vector<LatencyMonitor::Sample> samples = series->History();
  ctx.reply.Array(samples.size());
  for (const LatencyMonitor::Sample& s : samples) {
    ctx.reply.Array(2);
    ctx.reply.Int(s.time_s);
    ctx.reply.Int(s.latency_ms);
  }
}

// LATENCY RESET [event ...] -> the number of event series dropped.
void LatencyReset(CommandContext& ctx) {
  std::vector<std::string_view> names(ctx.argv.begin() + 2, ctx.argv.end());
  ctx.reply.Int(static_cast<int64_t>(ctx.engine.latency.Reset(names)));
}

// LATENCY GRAPH event -> an ASCII chart of the event's samples, one column per sample, the
// tallest column the maximum, as Redis draws it (rows of '#' under the peak, '|' below).
void LatencyGraph(CommandContext& ctx) {
  const std::string_view event = ctx.arg(2);
  const LatencyMonitor::Series* series = ctx.engine.latency.Find(event);
  if (series == nullptr) {
    ctx.Error(err::Format(err::kNoLatencySamples, {event}));
    return;
  }
  const std::vector<LatencyMonitor::Sample> samples = series->History();
  int64_t lo = samples.front().latency_ms, hi = lo;
  for (const LatencyMonitor::Sample& s : samples) {
    lo = std::min(lo, s.latency_ms);
    hi = std::max(hi, s.latency_ms);
  }
  std::string out = std::string(event) + " - high " + std::to_string(hi) + " ms, low " +
                    std::to_string(lo) + " ms (all time high " + std::to_string(series->max_ms) +
                    " ms)\n";
  out.append(80, '-');
  out += '\n';
  constexpr int kRows = 4;
  for (int row = kRows; row >= 1; --row) {
    for (const LatencyMonitor::Sample& s : samples) {
      const int64_t height = hi == 0 ? 0 : (s.latency_ms * kRows + hi - 1) / hi;
      out += height >= row ? (height == row ? '#' : '|') : ' ';
    }
    out += '\n';
  }
  ctx.reply.Bulk(out);
}

// LATENCY DOCTOR -> a short report in words: whether the monitor is on, and per event its
// samples, average and maximum.
void LatencyDoctor(CommandContext& ctx) {
  const auto& events = ctx.engine.latency.events();
  std::string out;
  if (ctx.config().latency_monitor_threshold == 0 && events.empty()) {
    out =
        "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
        "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
        "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
        "at https://redis.io/topics/latency-monitor.\n";
  } else if (events.empty()) {
    out =
        "Dave, no latency spike was observed during the lifetime of this Redis instance, not "
        "in the slightest bit. I honestly think you ought to sit down calmly, take a stress "
        "pill, and think things over.\n";
  } else {
    out = "Dave, I have observed latency spikes in this Redis instance.\n\n";
    int n = 0;
    for (const auto& [name, series] : events) {
      int64_t sum = 0;
      const std::vector<LatencyMonitor::Sample> samples = series.History();
      for (const LatencyMonitor::Sample& s : samples) sum += s.latency_ms;
      out += std::to_string(++n) + ". " + name + ": " + std::to_string(samples.size()) +
             " latency spikes (average " +
             std::to_string(sum / static_cast<int64_t>(samples.size())) + "ms, worst " +
             std::to_string(series.max_ms) + "ms).\n";
    }
  }
  ctx.reply.Verbatim(out);
}

uint64_t TotalSamples(const CommandStats& s) {
  uint64_t n = 0;
  for (uint64_t b : s.latency_buckets) n += b;
  return n;
}

// One command's entry: name => {calls => n, histogram_usec => {upper bound => cumulative}},
// listing only the buckets that hold samples, as Redis does.
void ReplyHistogram(CommandContext& ctx, const Command& c) {
  const CommandStats& s = c.stats;
  size_t filled = 0;
  for (uint64_t b : s.latency_buckets) filled += b != 0;
  ctx.reply.Bulk(c.name);
  ctx.reply.Map(2);
  ctx.reply.Bulk("calls");
  ctx.reply.Int(static_cast<int64_t>(TotalSamples(s)));
  ctx.reply.Bulk("histogram_usec");
  ctx.reply.Map(filled);
  uint64_t cumulative = 0;
  for (int i = 0; i <= CommandStats::kBuckets; ++i) {
    if (s.latency_buckets[i] == 0) continue;
    cumulative += s.latency_buckets[i];
    ctx.reply.Int(i < CommandStats::kBuckets ? kLatencyBucketsUs[i] : kOverflowBucketUs);
    ctx.reply.Int(static_cast<int64_t>(cumulative));
  }
}

// LATENCY HISTOGRAM [command ...] -> a map from command name to its latency histogram, for
// the named commands (a container names its subcommands too), or every command that ran.
// Unknown names and commands without samples are left out.
void LatencyHistogram(CommandContext& ctx) {
  std::vector<const Command*> chosen;
  auto consider = [&](const Command& c) {
    if (TotalSamples(c.stats) == 0) return;
    if (std::find(chosen.begin(), chosen.end(), &c) == chosen.end()) chosen.push_back(&c);
  };
  if (ctx.config().latency_tracking) {
    if (ctx.argc() == 2) {
      for (const Command& c : ctx.engine.commands.all()) {
        consider(c);
        for (const Command& sub : c.subcommands) consider(sub);
      }
    } else {
      for (size_t i = 2; i < ctx.argc(); ++i) {
        std::string_view name = ctx.arg(i);
        const size_t bar = name.find('|');
        const Command* c = ctx.engine.commands.Find(name.substr(0, bar));
        if (c != nullptr && bar != std::string_view::npos) {
          c = FindSubcommand(*c, name.substr(bar + 1));
        }
        if (c == nullptr) continue;
        consider(*c);
        for (const Command& sub : c->subcommands) consider(sub);
      }
    }
  }
  ctx.reply.Map(chosen.size());
  for (const Command* c : chosen) ReplyHistogram(ctx, *c);
}

// LATENCY HELP -> the subcommands, as status lines.
void LatencyHelp(CommandContext& ctx) {
  ReplyLines(ctx, {
                      "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                      "DOCTOR",
                      "    Return a human readable latency analysis report.",
                      "GRAPH <event>",
                      "    Return an ASCII latency graph for the <event> class.",
                      "HISTORY <event>",
                      "    Return time-latency samples for the <event> class.",
                      "LATEST",
                      "    Return the latest latency samples for all events.",
                      "RESET [<event> ...]",
                      "    Reset latency data of one or more <event> classes.",
                      "    (default: reset all data for all event classes)",
                      "HISTOGRAM [COMMAND ...]",
                      "    Return a cumulative distribution of latencies in the format of a "
                      "histogram for the specified command names.",
                      "    If no commands are specified then all histograms are replied.",
                      "HELP",
                      "    Prints this help.",
                  });
}

constexpr uint32_t kLogFlags = kAdmin | kLoading | kStale;
constexpr uint32_t kLatencyFlags = kLogFlags | kNoScript;

std::vector<Command> SlowLogSubcommands() {
  return {
      {.name = "slowlog|get", .arity = -2, .flags = kLogFlags, .run = SlowLogGet,
       .group = "server", .since = "2.2.12", .summary = "Answers the most recent slow log entries.",
       .syntax = "[count]"},
      {.name = "slowlog|len", .arity = 2, .flags = kLogFlags, .run = SlowLogLen,
       .group = "server", .since = "2.2.12",
       .summary = "Counts the slow log's entries.", .syntax = ""},
      {.name = "slowlog|reset", .arity = 2, .flags = kLogFlags, .run = SlowLogReset,
       .group = "server", .since = "2.2.12", .summary = "Empties the slow log.",
       .syntax = ""},
      {.name = "slowlog|help", .arity = 2, .flags = kLoading | kStale, .run = SlowLogHelp,
       .group = "server", .since = "6.2.0",
       .summary = "Lists the SLOWLOG subcommands.", .syntax = ""},
  };
}

std::vector<Command> LatencySubcommands() {
  return {
      {.name = "latency|latest", .arity = 2, .flags = kLatencyFlags, .run = LatencyLatest,
       .group = "server", .since = "2.8.13",
       .summary = "Answers the latest latency spike of each event.", .syntax = ""},
      {.name = "latency|history", .arity = 3, .flags = kLatencyFlags, .run = LatencyHistory,
       .group = "server", .since = "2.8.13",
       .summary = "Answers an event's latency spikes over time.", .syntax = "event"},
      {.name = "latency|reset", .arity = -2, .flags = kLatencyFlags, .run = LatencyReset,
       .group = "server", .since = "2.8.13",
       .summary = "Clears the latency spikes of some or all events.",
       .syntax = "[event [event ...]]"},
      {.name = "latency|graph", .arity = 3, .flags = kLatencyFlags, .run = LatencyGraph,
       .group = "server", .since = "2.8.13",
       .summary = "Draws an event's latency spikes as a text chart.", .syntax = "event"},
      {.name = "latency|doctor", .arity = 2, .flags = kLatencyFlags, .run = LatencyDoctor,
       .group = "server", .since = "2.8.13",
       .summary = "Answers a plain-text report on the latency events seen.", .syntax = ""},
      {.name = "latency|histogram", .arity = -2, .flags = kLatencyFlags, .run = LatencyHistogram,
       .group = "server", .since = "7.0.0",
       .summary = "Answers per-command latency histograms.",
       .syntax = "[command [command ...]]"},
      {.name = "latency|help", .arity = 2, .flags = kLoading | kStale, .run = LatencyHelp,
       .group = "server", .since = "2.8.13",
       .summary = "Lists the LATENCY subcommands.", .syntax = ""},
  };
}

}  // namespace

std::vector<Command> SlowLogCommands() {
  return {
      {.name = "slowlog", .arity = -2, .flags = 0, .run = RunSubcommand, .group = "server",
       .since = "2.2.12",
       .summary = "Reads the log of slow commands (see its subcommands).", .syntax = "",
       .subcommands = SlowLogSubcommands()},
      {.name = "latency", .arity = -2, .flags = 0, .run = RunSubcommand, .group = "server",
       .since = "2.8.13", .summary = "Reads latency measurements (see its subcommands).",
       .syntax = "", .subcommands = LatencySubcommands()},
  };
}

}  // namespace firn
