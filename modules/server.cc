// Server commands: introspection (INFO, COMMAND, CONFIG GET, TIME, DBSIZE), administration
// (CONFIG SET/RESETSTAT, FLUSHDB, FLUSHALL, SWAPDB, SHUTDOWN, MONITOR) and the persistence
// commands a cache answers without persisting (SAVE, BGSAVE, LASTSAVE).
//
// INFO keeps Redis's section and field names so redis-cli, redis_exporter and client
// libraries read it unchanged; fields for features Firn lacks (replication, persistence,
// modules) are present with the values an idle Redis without them reports. COMMAND INFO and
// COMMAND DOCS are generated from the command table's rows, plus Redis's argument trees
// (command_docs.h) for COMMAND DOCS. Deliberate differences: docs/compatibility.md.
#include "modules/server.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "modules/aof.h"
#include "modules/args.h"
#include "modules/client_eviction.h"
#include "modules/command_docs.h"
#include "modules/common.h"
#include "modules/dispatch.h"
#include "modules/engine.h"
#include "modules/migrate.h"
#include "modules/persist.h"
#include "modules/notify.h"
#include "modules/scripting.h"
#include "modules/version.h"
#include "protocol/errors.h"
#include "storage/db.h"
#include "storage/lazyfree.h"
#include "storage/memory.h"

namespace firn {
namespace {

// ---- INFO ----

// Builds INFO text: "# Section" headers, "name:value" lines, CRLF endings, one blank line
// between sections.
class InfoWriter {
 public:
  void Section(std::string_view title) {
    if (!out_.empty()) out_ += "\r\n";
    out_.append("# ").append(title).append("\r\n");
  }
  void Field(std::string_view name, std::string_view value) {
    out_.append(name).append(":").append(value).append("\r\n");
  }
  void Field(std::string_view name, const char* value) { Field(name, std::string_view(value)); }
  void Field(std::string_view name, const std::string& value) {
    Field(name, std::string_view(value));
  }
  void Field(std::string_view name, uint64_t value) { Field(name, std::to_string(value)); }
  void Field(std::string_view name, int64_t value) { Field(name, std::to_string(value)); }
  void Field(std::string_view name, int value) { Field(name, std::to_string(value)); }
  // value with `decimals` digits after the point, as Redis prints ratios and CPU seconds.
  void Fixed(std::string_view name, double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
    Field(name, std::string_view(buf));
  }
  // A percentage with two decimals and Redis's '%' sign.
  void Percent(std::string_view name, double value) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.2f%%", value);
    Field(name, std::string_view(buf));
  }
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

// A stable 40-hex-digit id for this process (INFO run_id; master_replid with another salt):
// derived from the pid and start time, since modules draw no randomness.
std::string RunId(const Engine& engine, uint64_t salt = 0) {
  uint64_t x = (static_cast<uint64_t>(getpid()) << 32) ^
               static_cast<uint64_t>(engine.stats.start_time_ms) ^ (salt * 0x2545f4914f6cdd1dull);
  std::string id;
  char buf[17];
  while (id.size() < 40) {
    // splitmix64
    x += 0x9e3779b97f4a7c15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    std::snprintf(buf, sizeof(buf), "%016" PRIx64, z);
    id.append(buf);
  }
  id.resize(40);
  return id;
}

// The server's binary: what the server layer recorded, else /proc/self/exe.
std::string Executable(const Engine& engine) {
  if (!engine.stats.executable.empty()) return engine.stats.executable;
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string Os() {
  struct utsname u;
  if (uname(&u) != 0) return "Linux";
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

void InfoServer(CommandContext& ctx, InfoWriter& w) {
  const Engine& e = ctx.engine;
  const int64_t uptime_s = (ctx.now_ms - e.stats.start_time_ms) / 1000;
  w.Section("Server");
  w.Field("redis_version", kRedisVersion);
  w.Field("firn_version", kFirnVersion);
  w.Field("redis_git_sha1", "00000000");
  w.Field("redis_git_dirty", 0);
  w.Field("redis_build_id", "0");
  w.Field("redis_mode", "standalone");
  w.Field("os", Os());
  w.Field("arch_bits", static_cast<int>(sizeof(void*) * 8));
  w.Field("monotonic_clock", "POSIX clock_gettime");
  w.Field("multiplexing_api", "epoll");
  w.Field("atomicvar_api", "c11-builtin");
  w.Field("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                             std::to_string(__GNUC_PATCHLEVEL__));
  w.Field("process_id", static_cast<int64_t>(getpid()));
  w.Field("process_supervised", "no");
  w.Field("run_id", RunId(e));
  w.Field("tcp_port", e.stats.tcp_port);
  w.Field("server_time_usec", ctx.now_ms * 1000);
  w.Field("uptime_in_seconds", uptime_s);
  w.Field("uptime_in_days", uptime_s / 86400);
  w.Field("hz", e.config.hz);
  w.Field("configured_hz", e.config.hz);
  w.Field("lru_clock", (ctx.now_ms / 1000) & ((1 << 24) - 1));
  w.Field("executable", Executable(e));
  w.Field("config_file", e.config.config_file);
  w.Field("io_threads_active", 0);
}

void InfoClients(CommandContext& ctx, InfoWriter& w) {
  const Engine& e = ctx.engine;
  w.Section("Clients");
  w.Field("connected_clients", e.stats.connected_clients);
  w.Field("cluster_connections", 0);
  w.Field("maxclients", e.config.maxclients);
  w.Field("client_recent_max_input_buffer", 0);
  w.Field("client_recent_max_output_buffer", 0);
  w.Field("blocked_clients", e.stats.blocked_clients);
  w.Field("tracking_clients", e.tracking.tracking_clients());
  w.Field("clients_in_timeout_table", 0);
}

uint64_t TotalSystemMemory() {
  long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
  return pages > 0 && page_size > 0 ? static_cast<uint64_t>(pages) * page_size : 0;
}

double Ratio(uint64_t a, uint64_t b) { return b == 0 ? 0.0 : static_cast<double>(a) / b; }

// What the clients hold (Redis's mem_clients_normal, which counts every client but replicas):
// their state, query buffers and queued output, as CLIENT LIST's tot-mem adds them up.
uint64_t ClientsMemory(CommandContext& ctx) {
  uint64_t total = 0;
  auto add = [&total](const ClientInfo& c) { total += ClientMemory(c); };
  if (ctx.engine.hooks != nullptr) {
    ctx.engine.hooks->ForEachClient(add);
  } else {
    add(ctx.client);
  }
  return total;
}

void InfoMemory(CommandContext& ctx, InfoWriter& w) {
  Engine& e = ctx.engine;
  const MemoryStats m = ReadMemoryStats();
  e.stats.peak_memory = std::max(e.stats.peak_memory, m.allocated);
  // Overhead: the hash tables' bucket arrays; the rest of what is allocated counts as data.
  uint64_t overhead = 0;
  for (int i = 0; i < e.keyspace.count(); ++i) overhead += e.keyspace.db(i).dict().OverheadBytes();
  overhead = std::min(overhead, m.allocated);
  const uint64_t dataset = m.allocated - overhead;
  const uint64_t system = TotalSystemMemory();
  w.Section("Memory");
  w.Field("used_memory", m.allocated);
  w.Field("used_memory_human", FormatMemory(m.allocated));
  w.Field("used_memory_rss", m.rss);
  w.Field("used_memory_rss_human", FormatMemory(m.rss));
  w.Field("used_memory_peak", e.stats.peak_memory);
  w.Field("used_memory_peak_human", FormatMemory(e.stats.peak_memory));
  w.Percent("used_memory_peak_perc", 100.0 * Ratio(m.allocated, e.stats.peak_memory));
  w.Field("used_memory_overhead", overhead);
  w.Field("used_memory_startup", 0);
  w.Field("used_memory_dataset", dataset);
  w.Percent("used_memory_dataset_perc", 100.0 * Ratio(dataset, m.allocated));
  w.Field("allocator_allocated", m.allocated);
  w.Field("allocator_active", m.active);
  w.Field("allocator_resident", m.resident);
  w.Field("total_system_memory", system);
  w.Field("total_system_memory_human", FormatMemory(system));
  // One Lua VM runs both EVAL scripts and function libraries (modules/lua_vm.h): its bytes are
  // the eval VM's, the functions VM's are 0 (docs/compatibility.md).
  const ScriptingState* st = e.scripting.get();
  const uint64_t lua = st != nullptr ? st->vm.memory_bytes() : 0;
  uint64_t scripts_eval = 0, functions = 0;
  if (st != nullptr) {
    scripts_eval = st->scripts_body_bytes + st->scripts.size() * sizeof(ScriptingState::Script);
    for (const auto& [name, lib] : st->libraries) functions += name.size() + lib.code.size();
    functions += st->functions.size() * sizeof(ScriptingState::Function);
  }
  w.Field("used_memory_lua", lua);
  w.Field("used_memory_vm_eval", lua);
  w.Field("used_memory_lua_human", FormatMemory(lua));
  w.Field("used_memory_scripts_eval", scripts_eval);
  w.Field("number_of_cached_scripts", static_cast<uint64_t>(st != nullptr ? st->scripts.size() : 0));
  w.Field("number_of_functions", static_cast<uint64_t>(st != nullptr ? st->functions.size() : 0));
  w.Field("number_of_libraries", static_cast<uint64_t>(st != nullptr ? st->libraries.size() : 0));
  w.Field("used_memory_vm_functions", 0);
  w.Field("used_memory_vm_total", lua);
  w.Field("used_memory_vm_total_human", FormatMemory(lua));
  w.Field("used_memory_functions", functions);
  w.Field("used_memory_scripts", scripts_eval + functions);
  w.Field("used_memory_scripts_human", FormatMemory(scripts_eval + functions));
  w.Field("maxmemory", e.config.maxmemory);
  w.Field("maxmemory_human", FormatMemory(e.config.maxmemory));
  w.Field("maxmemory_policy", PolicyName(e.config.maxmemory_policy));
  w.Fixed("allocator_frag_ratio", Ratio(m.active, m.allocated), 2);
  w.Field("allocator_frag_bytes", m.active > m.allocated ? m.active - m.allocated : 0);
  w.Fixed("allocator_rss_ratio", Ratio(m.resident, m.active), 2);
  w.Fixed("mem_fragmentation_ratio", Ratio(m.rss, m.allocated), 2);
  w.Field("mem_fragmentation_bytes",
          static_cast<int64_t>(m.rss) - static_cast<int64_t>(m.allocated));
  w.Field("mem_not_counted_for_evict", 0);
  w.Field("mem_replication_backlog", 0);
  w.Field("mem_clients_slaves", 0);
  w.Field("mem_clients_normal", ClientsMemory(ctx));
  w.Field("mem_aof_buffer", 0);
  w.Field("mem_allocator", AllocatorName());
  w.Field("active_defrag_running", 0);
  w.Field("lazyfree_pending_objects", static_cast<uint64_t>(LazyFreer::Instance().pending()));
  w.Field("lazyfreed_objects", LazyFreer::Instance().freed());
}

// Snapshots (modules/persist.h) and the append-only file (modules/aof.h), Redis 7.0's fields
// in its order.
void InfoPersistence(CommandContext& ctx, InfoWriter& w) {
  const SaveState& st = ctx.engine.save;
  const bool child = st.child_pid > 0;
  w.Section("Persistence");
  w.Field("loading", st.loading ? 1 : 0);
  w.Field("async_loading", 0);
  w.Field("current_cow_peak", 0);
  w.Field("current_cow_size", 0);
  w.Field("current_cow_size_age", 0);
  w.Field("current_fork_perc", "0.00");
  w.Field("current_save_keys_processed", 0);
  w.Field("current_save_keys_total", 0);
  w.Field("rdb_changes_since_last_save",
          ctx.engine.keyspace.dirty() - ctx.engine.dirty_at_last_save);
  w.Field("rdb_bgsave_in_progress", child ? 1 : 0);
  w.Field("rdb_last_save_time",
          st.lastsave_s != 0 ? st.lastsave_s : ctx.engine.stats.start_time_ms / 1000);
  w.Field("rdb_last_bgsave_status", st.last_bgsave_ok ? "ok" : "err");
  w.Field("rdb_last_bgsave_time_sec", st.last_bgsave_time_s);
  w.Field("rdb_current_bgsave_time_sec",
          child ? (ctx.now_ms - st.child_start_ms) / 1000 : int64_t{-1});
  w.Field("rdb_saves", st.saves);
  w.Field("rdb_last_cow_size", 0);
  w.Field("rdb_last_load_keys_expired", st.loaded_expired);
  w.Field("rdb_last_load_keys_loaded", st.loaded_keys);
  const AppendOnlyFile* aof = st.aof;
  const bool aof_on = aof != nullptr && aof->state() != AppendOnlyFile::State::kOff;
  const bool rewriting = st.aof_child_pid > 0 || (aof != nullptr && aof->switching());
  w.Field("aof_enabled", aof_on ? 1 : 0);
  w.Field("aof_rewrite_in_progress", rewriting ? 1 : 0);
  w.Field("aof_rewrite_scheduled", st.aof_rewrite_scheduled ? 1 : 0);
  w.Field("aof_last_rewrite_time_sec", st.aof_last_rewrite_time_s);
  w.Field("aof_current_rewrite_time_sec",
          rewriting ? (ctx.now_ms - st.aof_child_start_ms) / 1000 : int64_t{-1});
  w.Field("aof_last_bgrewrite_status", st.aof_last_rewrite_ok ? "ok" : "err");
  w.Field("aof_rewrites", st.aof_rewrites);
  w.Field("aof_rewrites_consecutive_failures", st.aof_rewrite_failures);
  w.Field("aof_last_write_status", st.aof_write_ok ? "ok" : "err");
  w.Field("aof_last_cow_size", 0);
  w.Field("module_fork_in_progress", 0);
  w.Field("module_fork_last_cow_size", 0);
  if (aof_on) {
    w.Field("aof_current_size", aof->current_size());
    w.Field("aof_base_size", aof->base_size());
    w.Field("aof_pending_rewrite", st.aof_rewrite_scheduled ? 1 : 0);
    w.Field("aof_buffer_length", static_cast<uint64_t>(aof->buffer_length()));
    w.Field("aof_pending_bio_fsync", 0);
    w.Field("aof_delayed_fsync", 0);
  }
}

void InfoStats(CommandContext& ctx, InfoWriter& w) {
  const Engine& e = ctx.engine;
  const ServerStats& s = e.stats;
  const KeyspaceStats& k = e.keyspace.stats();
  w.Section("Stats");
  w.Field("total_connections_received", s.total_connections_received);
  w.Field("total_commands_processed", s.total_commands_processed);
  // Not sampled (docs/compatibility.md): rate() over total_commands_processed instead.
  w.Field("instantaneous_ops_per_sec", 0);
  w.Field("total_net_input_bytes", s.net_input_bytes);
  w.Field("total_net_output_bytes", s.net_output_bytes);
  w.Field("total_net_repl_input_bytes", 0);
  w.Field("total_net_repl_output_bytes", 0);
  w.Field("instantaneous_input_kbps", "0.00");
  w.Field("instantaneous_output_kbps", "0.00");
  w.Field("instantaneous_input_repl_kbps", "0.00");
  w.Field("instantaneous_output_repl_kbps", "0.00");
  w.Field("rejected_connections", s.rejected_connections);
  w.Field("sync_full", 0);
  w.Field("sync_partial_ok", 0);
  w.Field("sync_partial_err", 0);
  w.Field("expired_keys", k.expired_keys);
  w.Field("expired_stale_perc", "0.00");
  w.Field("expired_time_cap_reached_count", 0);
  w.Field("expire_cycle_cpu_milliseconds", 0);
  w.Field("evicted_keys", k.evicted_keys);
  w.Field("evicted_clients", EvictedClients());
  w.Field("total_eviction_exceeded_time", 0);
  w.Field("current_eviction_exceeded_time", 0);
  w.Field("keyspace_hits", k.keyspace_hits);
  w.Field("keyspace_misses", k.keyspace_misses);
  w.Field("pubsub_channels", 0);
  w.Field("pubsub_patterns", 0);
  w.Field("pubsubshard_channels", 0);
  w.Field("latest_fork_usec", 0);
  w.Field("total_forks", 0);
  w.Field("migrate_cached_sockets", MigrateCachedSockets());
  w.Field("slave_expires_tracked_keys", 0);
  w.Field("active_defrag_hits", 0);
  w.Field("active_defrag_misses", 0);
  w.Field("active_defrag_key_hits", 0);
  w.Field("active_defrag_key_misses", 0);
  w.Field("total_active_defrag_time", 0);
  w.Field("current_active_defrag_time", 0);
  w.Field("tracking_total_keys", e.tracking.total_keys());
  w.Field("tracking_total_items", e.tracking.total_items());
  w.Field("tracking_total_prefixes", e.tracking.total_prefixes());
  w.Field("unexpected_error_replies", 0);
  w.Field("total_error_replies", e.errors.total);
  w.Field("dump_payload_sanitizations", 0);
}

void InfoReplication(CommandContext& ctx, InfoWriter& w) {
  w.Section("Replication");
  w.Field("role", "master");
  w.Field("connected_slaves", 0);
  w.Field("master_failover_state", "no-failover");
  w.Field("master_replid", RunId(ctx.engine, 1));
  w.Field("master_replid2", std::string(40, '0'));
  w.Field("master_repl_offset", 0);
  w.Field("second_repl_offset", -1);
  w.Field("repl_backlog_active", 0);
  w.Field("repl_backlog_size", 1048576);
  w.Field("repl_backlog_first_byte_offset", 0);
  w.Field("repl_backlog_histlen", 0);
}

double Seconds(const struct timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

void InfoCpu(CommandContext&, InfoWriter& w) {
  struct rusage self {
  }, children{}, thread{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  getrusage(RUSAGE_THREAD, &thread);
  w.Section("CPU");
  w.Fixed("used_cpu_sys", Seconds(self.ru_stime), 6);
  w.Fixed("used_cpu_user", Seconds(self.ru_utime), 6);
  w.Fixed("used_cpu_sys_children", Seconds(children.ru_stime), 6);
  w.Fixed("used_cpu_user_children", Seconds(children.ru_utime), 6);
  w.Fixed("used_cpu_sys_main_thread", Seconds(thread.ru_stime), 6);
  w.Fixed("used_cpu_user_main_thread", Seconds(thread.ru_utime), 6);
}

void InfoModules(CommandContext&, InfoWriter& w) { w.Section("Modules"); }

void CommandStatLine(InfoWriter& w, std::string_view name, const CommandStats& s,
                     bool calls_counted) {
  const uint64_t calls = calls_counted ? s.calls : 0;
  const uint64_t usec = calls_counted ? s.usec : 0;
  const uint64_t failed = calls_counted ? s.failed_calls : 0;
  char buf[160];
  std::snprintf(buf, sizeof(buf),
                "calls=%" PRIu64 ",usec=%" PRIu64 ",usec_per_call=%.2f,rejected_calls=%" PRIu64
                ",failed_calls=%" PRIu64,
                calls, usec, calls == 0 ? 0.0 : static_cast<double>(usec) / calls, s.rejected_calls,
                failed);
  w.Field("cmdstat_" + std::string(name), std::string_view(buf));
}

bool Active(const CommandStats& s) {
  return s.calls != 0 || s.rejected_calls != 0 || s.failed_calls != 0;
}

// cmdstat_<name> for every command used since the last CONFIG RESETSTAT. A container
// (CLIENT, CONFIG...) reports its subcommands ("cmdstat_client|list"), and itself only for
// the calls refused before a subcommand was chosen, as Redis does.
void InfoCommandStats(CommandContext& ctx, InfoWriter& w) {
  w.Section("Commandstats");
  for (const Command& c : ctx.engine.commands.all()) {
    if (c.subcommands.empty()) {
      if (Active(c.stats)) CommandStatLine(w, c.name, c.stats, true);
      continue;
    }
    if (c.stats.rejected_calls != 0) CommandStatLine(w, c.name, c.stats, false);
    for (const Command& sub : c.subcommands) {
      if (Active(sub.stats)) CommandStatLine(w, sub.name, sub.stats, true);
    }
  }
}

// Error replies are not counted by prefix (docs/compatibility.md): the section is empty.
void InfoErrorStats(CommandContext& ctx, InfoWriter& w) {
  w.Section("Errorstats");
  for (const auto& [code, count] : ctx.engine.errors.by_code) {
    w.Field("errorstat_" + code, "count=" + std::to_string(count));
  }
}

void InfoCluster(CommandContext&, InfoWriter& w) {
  w.Section("Cluster");
  w.Field("cluster_enabled", 0);
}

void InfoKeyspace(CommandContext& ctx, InfoWriter& w) {
  w.Section("Keyspace");
  Keyspace& ks = ctx.keyspace();
  for (int i = 0; i < ks.count(); ++i) {
    const Db& db = ks.db(i);
    if (db.size() == 0) continue;
    char buf[128];
    std::snprintf(buf, sizeof(buf), "keys=%zu,expires=%zu,avg_ttl=%" PRId64, db.size(),
                  db.expires(), db.avg_ttl_ms());
    w.Field("db" + std::to_string(i), std::string_view(buf));
  }
}

// Firn's own section: the native rate limiters' decisions.
void InfoRateLimit(CommandContext& ctx, InfoWriter& w) {
  w.Section("Ratelimit");
  w.Field("ratelimit_allowed", ctx.engine.ratelimit.allowed);
  w.Field("ratelimit_limited", ctx.engine.ratelimit.limited);
}

struct InfoSection {
  std::string_view name;
  void (*write)(CommandContext&, InfoWriter&);
  bool in_default;
};

// In Redis's order; "all" and "everything" print every section.
constexpr InfoSection kInfoSections[] = {
    {"server", InfoServer, true},
    {"clients", InfoClients, true},
    {"memory", InfoMemory, true},
    {"persistence", InfoPersistence, true},
    {"stats", InfoStats, true},
    {"replication", InfoReplication, true},
    {"cpu", InfoCpu, true},
    {"modules", InfoModules, true},
    {"commandstats", InfoCommandStats, false},
    {"errorstats", InfoErrorStats, true},
    {"cluster", InfoCluster, true},
    {"keyspace", InfoKeyspace, true},
    {"ratelimit", InfoRateLimit, true},
};

// INFO [section ...] -> the named sections ("default" when none; "all", "everything") as
// text, a bulk string (verbatim in RESP3). Unknown sections are ignored.
void Info(CommandContext& ctx) {
  constexpr size_t kCount = std::size(kInfoSections);
  bool wanted[kCount] = {};
  if (ctx.argc() == 1) {
    for (size_t i = 0; i < kCount; ++i) wanted[i] = kInfoSections[i].in_default;
  }
  for (size_t a = 1; a < ctx.argc(); ++a) {
    std::string_view arg = ctx.arg(a);
    const bool all = EqualsNoCase(arg, "all") || EqualsNoCase(arg, "everything");
    const bool defaults = EqualsNoCase(arg, "default");
    for (size_t i = 0; i < kCount; ++i) {
      if (all || (defaults && kInfoSections[i].in_default) ||
          EqualsNoCase(arg, kInfoSections[i].name)) {
        wanted[i] = true;
      }
    }
  }
  InfoWriter w;
  for (size_t i = 0; i < kCount; ++i) {
    if (wanted[i]) kInfoSections[i].write(ctx, w);
  }
  ctx.reply.Verbatim(w.text());
}

// ---- COMMAND ----
//
// COMMAND INFO, DOCS, GETKEYS and LIST read the command table: each row's name, arity, flags
// and legacy key range, and through Command::meta its key specs, extra ACL categories, tips
// and argument tree (command_docs.h).

// Flag bit -> Redis's name, in the order COMMAND INFO prints them. movablekeys is not a row
// flag: COMMAND INFO derives it from the key specs and reports it under a bit no row uses.
constexpr uint32_t kMovableKeys = 1u << 31;
constexpr std::pair<uint32_t, std::string_view> kFlagNames[] = {
    {kWrite, "write"},
    {kReadOnly, "readonly"},
    {kDenyOom, "denyoom"},
    {kAdmin, "admin"},
    {kPubSub, "pubsub"},
    {kNoScript, "noscript"},
    {kBlocking, "blocking"},
    {kLoading, "loading"},
    {kStale, "stale"},
    {kSkipMonitor, "skip_monitor"},
    {kSkipSlowlog, "skip_slowlog"},
    {kFast, "fast"},
    {kNoAuth, "no_auth"},
    {kNoMandatoryKeys, "no_mandatory_keys"},
    {kNoAsyncLoading, "no_async_loading"},
    {kNoMulti, "no_multi"},
    {kMovableKeys, "movablekeys"},
    {kAllowBusy, "allow_busy"},
};

// Key spec flag bit -> COMMAND INFO's name, in Redis's order.
constexpr std::pair<uint16_t, std::string_view> kKeyFlagNames[] = {
    {kKeyRO, "RO"},
    {kKeyRW, "RW"},
    {kKeyOW, "OW"},
    {kKeyRM, "RM"},
    {kKeyAccess, "access"},
    {kKeyUpdate, "update"},
    {kKeyInsert, "insert"},
    {kKeyDelete, "delete"},
    {kKeyNotKey, "not_key"},
    {kKeyIncomplete, "incomplete"},
    {kKeyVariableFlags, "variable_flags"},
};

// Splits a space-separated list.
std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t sp = s.find(' ');
    out.push_back(s.substr(0, sp));
    s = sp == std::string_view::npos ? std::string_view() : s.substr(sp + 1);
  }
  return out;
}

std::span<const KeyRule> KeySpecsOf(const Command& c) {
  return c.meta != nullptr ? c.meta->key_specs : std::span<const KeyRule>();
}

// Tips: the entry's; for a row without an entry, "nondeterministic_output" for kRandom.
std::vector<std::string_view> Tips(const Command& c) {
  if (c.meta != nullptr) return Words(c.meta->tips);
  if (c.flags & kRandom) return {"nondeterministic_output"};
  return {};
}

// A key spec's flags, as a set of status strings.
void ReplyKeyFlags(ReplyBuilder& r, uint16_t flags) {
  size_t n = 0;
  for (const auto& [bit, name] : kKeyFlagNames) n += (flags & bit) ? 1 : 0;
  r.Set(n);
  for (const auto& [bit, name] : kKeyFlagNames) {
    if (flags & bit) r.Simple(name);
  }
}

// COMMAND INFO's key specs: a set (Redis's type) of maps {notes?, flags, begin_search,
// find_keys}.
void ReplyKeySpecs(ReplyBuilder& r, const Command& c) {
  std::span<const KeyRule> specs = KeySpecsOf(c);
  r.Set(specs.size());
  for (const KeyRule& k : specs) {
    r.Map(k.notes.empty() ? 3 : 4);
    if (!k.notes.empty()) {
      r.Bulk("notes");
      r.Bulk(k.notes);
    }
    r.Bulk("flags");
    ReplyKeyFlags(r, k.flags);
    r.Bulk("begin_search");
    r.Map(2);
    r.Bulk("type");
    if (k.unknown) {
      r.Bulk("unknown");
      r.Bulk("spec");
      r.Map(0);
    } else if (k.keyword.empty()) {
      r.Bulk("index");
      r.Bulk("spec");
      r.Map(1);
      r.Bulk("index");
      r.Int(k.index);
    } else {
      r.Bulk("keyword");
      r.Bulk("spec");
      r.Map(2);
      r.Bulk("keyword");
      r.Bulk(k.keyword);
      r.Bulk("startfrom");
      r.Int(k.index);
    }
    r.Bulk("find_keys");
    r.Map(2);
    r.Bulk("type");
    if (k.unknown) {
      r.Bulk("unknown");
      r.Bulk("spec");
      r.Map(0);
    } else if (k.keynum) {
      r.Bulk("keynum");
      r.Bulk("spec");
      r.Map(3);
      r.Bulk("keynumidx");
      r.Int(k.keynum_index);
      r.Bulk("firstkey");
      r.Int(k.first_key);
      r.Bulk("keystep");
      r.Int(k.key_step);
    } else {
      r.Bulk("range");
      r.Bulk("spec");
      r.Map(3);
      r.Bulk("lastkey");
      r.Int(k.last_key);
      r.Bulk("keystep");
      r.Int(k.key_step);
      r.Bulk("limit");
      r.Int(k.limit);
    }
  }
}

// One COMMAND INFO entry, Redis 7's ten fields: name, arity, flags, first key, last key,
// step, ACL categories, tips, key specs, subcommands.
void ReplyCommandInfo(ReplyBuilder& r, const Command& c) {
  r.Array(10);
  r.Bulk(c.name);
  r.Int(c.arity);
  const uint32_t flags = c.flags | (HasMovableKeys(KeySpecsOf(c)) ? kMovableKeys : 0);
  size_t nflags = 0;
  for (const auto& [bit, name] : kFlagNames) nflags += (flags & bit) ? 1 : 0;
  r.Set(nflags);
  for (const auto& [bit, name] : kFlagNames) {
    if (flags & bit) r.Simple(name);
  }
  r.Int(c.keys.first);
  r.Int(c.keys.last);
  r.Int(c.keys.step);
  std::vector<std::string_view> cats = AclCategories(c);
  r.Set(cats.size());
  for (std::string_view cat : cats) r.Simple(cat);
  std::vector<std::string_view> tips = Tips(c);
  r.Set(tips.size());
  for (std::string_view tip : tips) r.Bulk(tip);
  ReplyKeySpecs(r, c);
  // Redis: an empty set when there are none, else an array.
  if (c.subcommands.empty()) {
    r.Set(0);
  } else {
    r.Array(c.subcommands.size());
    for (const Command& sub : c.subcommands) ReplyCommandInfo(r, sub);
  }
}

// A command by name, "container|sub" naming a subcommand (any case); nullptr if none.
const Command* LookupCommand(const CommandTable& table, std::string_view name) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return table.Find(name);
  const Command* container = table.Find(name.substr(0, bar));
  return container == nullptr ? nullptr : FindSubcommand(*container, name.substr(bar + 1));
}

// COMMAND -> COMMAND INFO of every command.
void CommandAll(CommandContext& ctx) {
  const auto& all = ctx.engine.commands.all();
  ctx.reply.Array(all.size());
  for (const Command& c : all) ReplyCommandInfo(ctx.reply, c);
}

// COMMAND COUNT -> the number of commands (subcommands not counted).
void CommandCount(CommandContext& ctx) {
  ctx.reply.Int(static_cast<int64_t>(ctx.engine.commands.all().size()));
}

// COMMAND INFO [command-name ...] -> an entry per name (nil for an unknown one); every
// command when no name is given.
void CommandInfo(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    CommandAll(ctx);
    return;
  }
  ctx.reply.Array(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const Command* c = LookupCommand(ctx.engine.commands, ctx.arg(i));
    if (c == nullptr) {
      ctx.reply.Null();
    } else {
      ReplyCommandInfo(ctx.reply, *c);
    }
  }
}

size_t CountDocArgs(std::span<const DocArg> args) {
  size_t count = 0;
  for (size_t i = 0; i < args.size(); i += 1 + args[i].descendants) ++count;
  return count;
}

// The arguments (preorder) as COMMAND DOCS's array of maps.
void ReplyDocArgs(ReplyBuilder& r, std::span<const DocArg> args) {
  r.Array(CountDocArgs(args));
  for (size_t i = 0; i < args.size(); i += 1 + args[i].descendants) {
    const DocArg& a = args[i];
    const size_t nflags = ((a.flags & DocArg::kOptional) ? 1 : 0) +
                          ((a.flags & DocArg::kMultiple) ? 1 : 0) +
                          ((a.flags & DocArg::kMultipleToken) ? 1 : 0);
    const bool token = !a.token.empty() || (a.flags & DocArg::kEmptyToken);
    r.Map(2 + (a.key_spec_index >= 0) + token + !a.display.empty() +
          !a.deprecated_since.empty() + (nflags > 0) + (a.descendants > 0));
    r.Bulk("name");
    r.Bulk(a.name);
    r.Bulk("type");
    r.Bulk(a.type);
    if (a.key_spec_index >= 0) {
      r.Bulk("key_spec_index");
      r.Int(a.key_spec_index);
    }
    if (token) {
      r.Bulk("token");
      r.Bulk(a.token);
    }
    if (!a.display.empty()) {
      r.Bulk("display_text");
      r.Bulk(a.display);
    }
    if (!a.deprecated_since.empty()) {
      r.Bulk("deprecated_since");
      r.Bulk(a.deprecated_since);
    }
    if (nflags > 0) {
      r.Bulk("flags");
      r.Set(nflags);
      if (a.flags & DocArg::kOptional) r.Simple("optional");
      if (a.flags & DocArg::kMultiple) r.Simple("multiple");
      if (a.flags & DocArg::kMultipleToken) r.Simple("multiple_token");
    }
    if (a.descendants > 0) {
      r.Bulk("arguments");
      ReplyDocArgs(r, args.subspan(i + 1, a.descendants));
    }
  }
}

// One command's COMMAND DOCS map: summary, since, group (from its row), complexity,
// deprecation and arguments (from its entry), subcommands.
void ReplyCommandDoc(ReplyBuilder& r, const Command& c) {
  const CommandMeta* m = c.meta;
  const bool complexity = m != nullptr && !m->complexity.empty();
  const bool doc_flags = m != nullptr && !m->doc_flags.empty();
  const bool deprecated = m != nullptr && !m->deprecated_since.empty();
  const bool replaced = m != nullptr && !m->replaced_by.empty();
  const bool args = m != nullptr && !m->args.empty();
  const bool subs = !c.subcommands.empty();
  r.Map(3 + complexity + doc_flags + deprecated + replaced + args + subs);
  r.Bulk("summary");
  r.Bulk(c.summary);
  r.Bulk("since");
  r.Bulk(c.since);
  r.Bulk("group");
  r.Bulk(c.group);
  if (complexity) {
    r.Bulk("complexity");
    r.Bulk(m->complexity);
  }
  if (doc_flags) {
    r.Bulk("doc_flags");
    std::vector<std::string_view> flags = Words(m->doc_flags);
    r.Set(flags.size());
    for (std::string_view f : flags) r.Simple(f);
  }
  if (deprecated) {
    r.Bulk("deprecated_since");
    r.Bulk(m->deprecated_since);
  }
  if (replaced) {
    r.Bulk("replaced_by");
    r.Bulk(m->replaced_by);
  }
  if (args) {
    r.Bulk("arguments");
    ReplyDocArgs(r, m->args);
  }
  if (subs) {
    r.Bulk("subcommands");
    r.Map(c.subcommands.size());
    for (const Command& sub : c.subcommands) {
      r.Bulk(sub.name);
      ReplyCommandDoc(r, sub);
    }
  }
}

// COMMAND DOCS [command-name ...] -> a map from each known name to its documentation; every
// command when no name is given. redis-cli asks for it at startup to build its hints.
void CommandDocs(CommandContext& ctx) {
  std::vector<const Command*> found;
  if (ctx.argc() == 2) {
    for (const Command& c : ctx.engine.commands.all()) found.push_back(&c);
  } else {
    for (size_t i = 2; i < ctx.argc(); ++i) {
      const Command* c = LookupCommand(ctx.engine.commands, ctx.arg(i));
      if (c != nullptr) found.push_back(c);
    }
  }
  ctx.reply.Map(found.size());
  for (const Command* c : found) {
    ctx.reply.Bulk(c->name);
    ReplyCommandDoc(ctx.reply, *c);
  }
}

// COMMAND LIST [FILTERBY <MODULE name | ACLCAT category | PATTERN pattern>] -> the names of
// the commands and subcommands that pass the filter.
void CommandList(CommandContext& ctx) {
  enum class Filter { kNone, kModule, kAclCat, kPattern } filter = Filter::kNone;
  std::string_view value;
  if (ctx.argc() == 5 && EqualsNoCase(ctx.arg(2), "FILTERBY")) {
    value = ctx.arg(4);
    if (EqualsNoCase(ctx.arg(3), "MODULE")) {
      filter = Filter::kModule;
    } else if (EqualsNoCase(ctx.arg(3), "ACLCAT")) {
      filter = Filter::kAclCat;
    } else if (EqualsNoCase(ctx.arg(3), "PATTERN")) {
      filter = Filter::kPattern;
    } else {
      ctx.Error(err::kSyntax);
      return;
    }
  } else if (ctx.argc() != 2) {
    ctx.Error(err::kSyntax);
    return;
  }
  std::string category = "@" + std::string(value);
  auto pass = [&](const Command& c) {
    switch (filter) {
      case Filter::kNone:
        return true;
      case Filter::kModule:
        return false;  // no modules
      case Filter::kAclCat: {
        std::vector<std::string_view> cats = AclCategories(c);
        return std::any_of(cats.begin(), cats.end(),
                           [&](std::string_view cat) { return EqualsNoCase(cat, category); });
      }
      case Filter::kPattern:
        return GlobMatch(value, c.name, true);
    }
    return false;
  };
  std::vector<std::string_view> names;
  for (const Command& c : ctx.engine.commands.all()) {
    if (pass(c)) names.push_back(c.name);
    for (const Command& sub : c.subcommands) {
      if (pass(sub)) names.push_back(sub.name);
    }
  }
  ctx.reply.Array(names.size());
  for (std::string_view n : names) ctx.reply.Bulk(n);
}

// The command line argv[2...] of COMMAND GETKEYS / GETKEYSANDFLAGS names, and the indexes of
// its keys in ctx.argv; false after sending Redis's error for a line it cannot answer: an
// unknown command or subcommand, a command without keys, a wrong number of arguments.
bool FindLineKeys(CommandContext& ctx, const Command** out, std::vector<size_t>* positions,
                  std::vector<uint16_t>* own_flags = nullptr) {
  const Command* c = ctx.engine.commands.Find(ctx.arg(2));
  const size_t argc = ctx.argc() - 2;  // the inner command's argc
  if (c != nullptr && !c->subcommands.empty() && argc >= 2) c = FindSubcommand(*c, ctx.arg(3));
  if (c == nullptr) {
    ctx.Error(err::kInvalidCommand);
    return false;
  }
  std::span<const KeyRule> specs = KeySpecsOf(*c);
  // A row without an entry still has its legacy range.
  const KeyRule legacy{.index = c->keys.first,
                       .last_key = c->keys.last < 0 ? c->keys.last : c->keys.last - c->keys.first,
                       .key_step = c->keys.step};
  if (c->meta == nullptr && c->keys.first > 0) specs = std::span<const KeyRule>(&legacy, 1);
  if (specs.empty()) {
    ctx.Error(err::kNoKeyArgs);
    return false;
  }
  if (!c->ArityFits(argc)) {
    ctx.Error(err::kInvalidCommandArgs);
    return false;
  }
  const std::vector<std::string_view> line(ctx.argv.begin() + 2, ctx.argv.end());
  std::vector<size_t> found;
  if (c->meta != nullptr && c->meta->line_keys != nullptr) {
    // The specs cannot find these keys: the command's own finder does (SORT's STORE).
    for (const auto& [index, flags] : c->meta->line_keys(line)) {
      found.push_back(index);
      if (own_flags != nullptr) own_flags->push_back(flags);
    }
  } else {
    found = KeyPositions(specs, argc, line);
  }
  // A command that may take no keys (EVAL ... 0) has none to list, not an error (Redis 7.0).
  if (found.empty() && !(c->flags & kNoMandatoryKeys)) {
    ctx.Error(err::kInvalidKeyArgs);
    return false;
  }
  for (size_t& i : found) i += 2;
  *out = c;
  *positions = std::move(found);
  return true;
}

// COMMAND GETKEYS command [arg ...] -> the arguments of that command line that are keys, as
// its key specs find them.
void CommandGetKeys(CommandContext& ctx) {
  const Command* c;
  std::vector<size_t> positions;
  if (!FindLineKeys(ctx, &c, &positions)) return;
  ctx.reply.Array(positions.size());
  for (size_t i : positions) ctx.reply.Bulk(ctx.arg(i));
}

// COMMAND GETKEYSANDFLAGS command [arg ...] -> [key, flags] for each key of that command
// line, the flags being those of the key spec that found it.
void CommandGetKeysAndFlags(CommandContext& ctx) {
  const Command* c;
  std::vector<size_t> positions;
  std::vector<uint16_t> flags;
  if (!FindLineKeys(ctx, &c, &positions, &flags)) return;
  // KeyPositions lists the keys spec by spec; find each key's spec again the same way.
  std::span<const KeyRule> specs = KeySpecsOf(*c);
  const std::vector<std::string_view> line(ctx.argv.begin() + 2, ctx.argv.end());
  const bool own = c->meta != nullptr && c->meta->line_keys != nullptr;
  for (const KeyRule& k : own ? std::span<const KeyRule>() : specs) {
    const size_t n = KeyPositions(std::span<const KeyRule>(&k, 1), line.size(), line).size();
    uint16_t f = k.flags;
    if ((f & kKeyVariableFlags) && c->meta->line_key_flags != nullptr) {
      f = c->meta->line_key_flags(line, f);
    }
    flags.insert(flags.end(), n, f);
  }
  flags.resize(positions.size(), 0);
  ctx.reply.Array(positions.size());
  for (size_t i = 0; i < positions.size(); ++i) {
    ctx.reply.Array(2);
    ctx.reply.Bulk(ctx.arg(positions[i]));
    ReplyKeyFlags(ctx.reply, flags[i]);
  }
}

void ReplyHelp(CommandContext& ctx, std::initializer_list<std::string_view> lines) {
  ctx.reply.Array(lines.size());
  for (std::string_view line : lines) ctx.reply.Simple(line);
}

// COMMAND HELP -> the subcommands, as status lines.
void CommandHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                     "(no subcommand)",
                     "    Return details about all Redis commands.",
                     "COUNT",
                     "    Return the total number of commands in this Redis server.",
                     "LIST",
                     "    Return a list of all commands in this Redis server.",
                     "INFO [<command-name> ...]",
                     "    Return details about multiple Redis commands.",
                     "    If no command names are given, documentation details for all",
                     "    commands are returned.",
                     "DOCS [<command-name> ...]",
                     "    Return documentation details about multiple Redis commands.",
                     "    If no command names are given, documentation details for all",
                     "    commands are returned.",
                     "GETKEYS <full-command>",
                     "    Return the keys from a full Redis command.",
                     "GETKEYSANDFLAGS <full-command>",
                     "    Return the keys and the access flags from a full Redis command.",
                     "HELP",
                     "    Prints this help.",
                 });
}

// COMMAND [subcommand ...]: with no subcommand, every command's info.
void CommandRoot(CommandContext& ctx) {
  if (ctx.argc() == 1) {
    CommandAll(ctx);
  } else {
    RunSubcommand(ctx);
  }
}

// ---- CONFIG ----

// CONFIG GET pattern [pattern ...] -> a map of every setting matching a pattern (glob, any
// case) to its value.
void ConfigGet(CommandContext& ctx) {
  std::vector<std::pair<std::string_view, std::string>> found;
  auto consider = [&](std::string_view name, auto value_of) {
    // A pattern without glob characters is a plain name, and Redis answers with the name as
    // the client spelled it (CONFIG GET MAXMEMORY -> "MAXMEMORY").
    std::string_view as_named = name;
    bool match = false;
    for (size_t i = 2; i < ctx.argc() && !match; ++i) {
      std::string_view pattern = ctx.arg(i);
      match = GlobMatch(pattern, name, true);
      if (match && pattern.find_first_of("[*?") == std::string_view::npos) as_named = pattern;
    }
    if (!match) return;
    std::optional<std::string> value = value_of();
    if (value) found.emplace_back(as_named, std::move(*value));
  };
  for (std::string_view name : ConfigNames()) {
    // rename-command is a directive in Redis, not a setting: CONFIG GET never lists it (and
    // a client that sets back every listed setting must not meet it).
    if (name == "rename-command") continue;
    consider(name, [&] { return GetConfigValue(ctx.config(), name); });
  }
  ctx.reply.Map(found.size());
  for (const auto& [name, value] : found) {
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(value);
  }
}

std::string ConfigSetError(std::string_view name, std::string_view reason) {
  return err::Format(err::kConfigSetFailed, {name, reason});
}

// CONFIG SET name value [name value ...] -> OK. All or nothing: the names are checked first
// (unknown, immutable, repeated), then every value is applied to a copy of the config, which
// replaces the live one only if all succeeded. The server hears of each change
// (ServerHooks::ConfigChanged) for what it applies itself (loglevel...).
void ConfigSet(CommandContext& ctx) {
  if ((ctx.argc() - 2) % 2 != 0) {
    ctx.Error(err::kSyntax);
    return;
  }
  std::string unknown, refused;
  std::vector<std::string> names;  // canonical (lowercase) names, in order
  std::vector<size_t> value_at;    // the argument index of each name's value
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    std::string_view name = ctx.arg(i);
    std::string lower;
    ToLower(name, &lower);
    if (!GetConfigValue(ctx.config(), lower)) {
      if (unknown.empty()) {
        unknown = err::Format(err::kConfigSetUnknown, {name});
      }
      continue;
    }
    if (!refused.empty()) continue;
    if (!IsRuntimeSettable(lower)) {
      Config scratch = ctx.config();
      SetResult r = SetConfigValue(scratch, lower, ctx.arg(i + 1));
      refused =
          ConfigSetError(name, r.kind == SetResult::kOk ? "can't set immutable config" : r.reason);
      continue;
    }
    if (std::find(names.begin(), names.end(), lower) != names.end()) {
      refused = ConfigSetError(name, "duplicate parameter");
      continue;
    }
    names.push_back(std::move(lower));
    value_at.push_back(i + 1);
  }
  if (!unknown.empty() || !refused.empty()) {
    ctx.Error(!unknown.empty() ? unknown : refused);
    return;
  }
  Config updated = ctx.config();
  for (size_t n = 0; n < names.size(); ++n) {
    const size_t i = value_at[n] - 1;
    SetResult r = SetConfigValue(updated, names[n], ctx.arg(i + 1));
    if (r.kind == SetResult::kUnknown) {
      ctx.Error(err::Format(err::kErrReason, {r.reason}));
      return;
    }
    if (r.kind != SetResult::kOk) {
      ctx.Error(ConfigSetError(ctx.arg(i), r.reason));
      return;
    }
  }
  Config previous = ctx.config();
  ctx.engine.config = std::move(updated);
  ApplyEvictionSettings(ctx.engine);
  ApplyNotifySettings(ctx.engine);
  // requirepass is the default user's password (Redis replaces its passwords with it).
  const bool password_changed = ctx.engine.config.requirepass != previous.requirepass;
  if (password_changed) ctx.engine.acl.SetDefaultPassword(ctx.engine.config.requirepass);
  if (ctx.engine.hooks != nullptr) {
    for (size_t n = 0; n < names.size(); ++n) {
      if (std::optional<std::string> refusal = ctx.engine.hooks->ConfigChanged(names[n])) {
        // As Redis: nothing changes; what was applied already is applied again, as it was.
        ctx.engine.config = std::move(previous);
        ApplyNotifySettings(ctx.engine);
        if (password_changed) ctx.engine.acl.SetDefaultPassword(ctx.engine.config.requirepass);
        for (size_t k = 0; k < n; ++k) ctx.engine.hooks->ConfigChanged(names[k]);
        ctx.Error(ConfigSetError(ctx.arg(value_at[n] - 1), *refusal));
        return;
      }
    }
  }
  ctx.reply.Ok();
}

// CONFIG RESETSTAT -> OK; the INFO counters (keyspace, server, per-command) restart at zero.
void ConfigResetStat(CommandContext& ctx) {
  Engine& e = ctx.engine;
  e.keyspace.stats() = KeyspaceStats{};
  e.commands.ResetStats();
  e.errors.Reset();
  ServerStats& s = e.stats;
  s.total_connections_received = 0;
  s.rejected_connections = 0;
  ResetEvictedClients();
  s.total_commands_processed = 0;
  s.net_input_bytes = 0;
  s.net_output_bytes = 0;
  s.peak_memory = 0;
  LazyFreer::Instance().ResetFreed();
  ctx.reply.Ok();
}

// CONFIG REWRITE -> an error: Firn does not rewrite its TOML file (edit it and send SIGHUP).
void ConfigRewrite(CommandContext& ctx) {
  ctx.Error(ctx.config().config_file.empty() ? err::kNoConfigFile : err::kConfigRewriteUnsupported);
}

// CONFIG HELP -> the subcommands, as status lines.
void ConfigHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                     "GET <pattern>",
                     "    Return parameters matching the glob-like <pattern> and their values.",
                     "SET <directive> <value>",
                     "    Set the configuration <directive> to <value>.",
                     "RESETSTAT",
                     "    Reset statistics reported by the INFO command.",
                     "REWRITE",
                     "    Rewrite the configuration file.",
                     "HELP",
                     "    Prints this help.",
                 });
}

// ---- The rest ----

// TIME -> [unix seconds, microseconds], both as bulk strings.
void Time(CommandContext& ctx) {
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(ctx.now_ms / 1000));
  ctx.reply.Bulk(std::to_string((ctx.now_ms % 1000) * 1000));
}

// DBSIZE -> the number of keys in the selected database.
void DbSize(CommandContext& ctx) { ctx.reply.Int(static_cast<int64_t>(ctx.db().size())); }

// Reads FLUSHDB / FLUSHALL's optional [ASYNC | SYNC] into *lazy (no mode:
// lazyfree-lazy-user-flush); sends a syntax error if it is anything else.
bool FlushMode(CommandContext& ctx, bool* lazy) {
  *lazy = ctx.config().lazyfree_lazy_user_flush;
  if (ctx.argc() == 1) return true;
  if (ctx.argc() == 2 && (EqualsNoCase(ctx.arg(1), "ASYNC") || EqualsNoCase(ctx.arg(1), "SYNC"))) {
    *lazy = EqualsNoCase(ctx.arg(1), "ASYNC");
    return true;
  }
  ctx.Error(err::kSyntax);
  return false;
}

// FLUSHDB [ASYNC | SYNC] -> OK; the selected database is emptied (ASYNC: its entries are
// freed on the background thread, storage/lazyfree.h).
void FlushDb(CommandContext& ctx) {
  bool lazy;
  if (!FlushMode(ctx, &lazy)) return;
  ctx.engine.tracking.Flushed();  // even of an empty database, as Redis
  ctx.db().Clear(lazy);
  ctx.reply.Ok();
}

// FLUSHALL [ASYNC | SYNC] -> OK; every database is emptied.
void FlushAll(CommandContext& ctx) {
  bool lazy;
  if (!FlushMode(ctx, &lazy)) return;
  ctx.engine.tracking.Flushed();
  ctx.keyspace().Clear(lazy);
  ctx.reply.Ok();
}

// Reads a database index as Redis's getIntFromObjectOrReply does, with its own error text.
bool ArgDbIndex(CommandContext& ctx, size_t i, std::string_view error, int* out) {
  int64_t v;
  if (!ParseInt64(ctx.arg(i), &v) || v < INT32_MIN || v > INT32_MAX) {
    ctx.Error(error);
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

// SWAPDB index1 index2 -> OK; the two databases exchange their contents (clients keep their
// selected index, so they see the other data).
void SwapDb(CommandContext& ctx) {
  int a, b;
  if (!ArgDbIndex(ctx, 1, err::kInvalidFirstDb, &a) ||
      !ArgDbIndex(ctx, 2, err::kInvalidSecondDb, &b)) {
    return;
  }
  const int n = ctx.keyspace().count();
  if (a < 0 || a >= n || b < 0 || b >= n) {
    ctx.Error(err::kDbIndexOutOfRange);
    return;
  }
  if (a != b) ctx.keyspace().db(a).Swap(ctx.keyspace().db(b));
  ctx.reply.Ok();
}

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT] -> no reply: the server saves the snapshot
// (with SAVE, or when save rules are set and NOSAVE is absent), answers what is pending,
// closes every connection and exits 0. A failed save refuses the shutdown unless FORCE.
// ABORT always finds no shutdown in progress.
void Shutdown(CommandContext& ctx) {
  bool nosave = false, save = false, other = false, abort = false, force = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (EqualsNoCase(a, "NOSAVE")) {
      nosave = true;
    } else if (EqualsNoCase(a, "SAVE")) {
      save = true;
    } else if (EqualsNoCase(a, "NOW")) {
      other = true;
    } else if (EqualsNoCase(a, "FORCE")) {
      other = force = true;
    } else if (EqualsNoCase(a, "ABORT")) {
      abort = true;
    } else {
      ctx.Error(err::kSyntax);
      return;
    }
  }
  if ((abort && (nosave || save || other)) || (nosave && save)) {
    ctx.Error(err::kSyntax);
    return;
  }
  if (abort) {
    ctx.Error(err::kNoShutdownInProgress);
    return;
  }
  if (ctx.engine.hooks == nullptr) {
    ctx.Error(err::kShutdownFailed);
    return;
  }
  if (ctx.engine.script_busy != ScriptBusy::kNone) {
    // A busy script: only SHUTDOWN NOSAVE may stop the server, and it stops the script too,
    // written or not, as Redis does.
    if (!nosave) {
      ctx.Error(ctx.engine.script_busy == ScriptBusy::kEval ? err::kBusyScript
                                                            : err::kBusyFunction);
      return;
    }
    ScriptingOf(ctx.engine).vm.Kill();
  }
  if (!SaveBeforeShutdown(ctx.engine, ctx.now_ms, save, nosave) && !force) {
    ctx.Error(err::kShutdownFailed);
    return;
  }
  ctx.engine.hooks->RequestShutdown();
}

// MONITOR -> OK, then every command the server runs, as Redis prints it. A second MONITOR on
// the same connection is ignored (no reply), as in Redis.
void Monitor(CommandContext& ctx) {
  // Inside EXEC (the client is still in MULTI): a client that expects one reply per command.
  if (ctx.client.in_multi) {
    ctx.Error(err::kMonitorInMulti);
    return;
  }
  if (ctx.client.monitor) return;
  ctx.engine.clients.SetMonitor(ctx.client, true);
  ctx.reply.Ok();
}

constexpr uint32_t kAdminFlags = kAdmin | kNoScript | kLoading | kStale;

// clang-format off
std::vector<Command> CommandSubcommands() {
  return {
      {.name = "command|count", .arity = 2, .flags = kLoading | kStale, .run = CommandCount,
       .group = "server", .since = "2.8.13", .summary = "Answers how many commands the server has.",
       .syntax = ""},
      {.name = "command|docs", .arity = -2, .flags = kLoading | kStale, .run = CommandDocs,
       .group = "server", .since = "7.0.0",
       .summary = "Documents commands: summary, version, group and arguments.",
       .syntax = "[command-name [command-name ...]]"},
      {.name = "command|getkeys", .arity = -4, .flags = kLoading | kStale, .run = CommandGetKeys,
       .group = "server", .since = "2.8.13",
       .summary = "Lists the keys a full command line names.",
       .syntax = "command [arg [arg ...]]"},
      {.name = "command|getkeysandflags", .arity = -4, .flags = kLoading | kStale,
       .run = CommandGetKeysAndFlags, .group = "server", .since = "7.0.0",
       .summary = "Lists the keys of a full command line with the key spec flags of each.",
       .syntax = "command [arg [arg ...]]"},
      {.name = "command|info", .arity = -2, .flags = kLoading | kStale, .run = CommandInfo,
       .group = "server", .since = "2.8.13",
       .summary = "Describes commands: arity, flags, keys and ACL categories.",
       .syntax = "[command-name [command-name ...]]"},
      {.name = "command|list", .arity = -2, .flags = kLoading | kStale, .run = CommandList,
       .group = "server", .since = "7.0.0", .summary = "Lists command names, optionally filtered.",
       .syntax = "[FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]"},
      {.name = "command|help", .arity = 2, .flags = kLoading | kStale, .run = CommandHelp,
       .group = "server", .since = "5.0.0",
       .summary = "Lists the COMMAND subcommands.", .syntax = ""},
  };
}
// clang-format on

// clang-format off
std::vector<Command> ConfigSubcommands() {
  return {
      {.name = "config|get", .arity = -3, .flags = kAdminFlags, .run = ConfigGet, .group = "server",
       .since = "2.0.0", .summary = "Answers the values of the settings matching patterns.",
       .syntax = "parameter [parameter ...]"},
      {.name = "config|set", .arity = -4, .flags = kAdminFlags, .run = ConfigSet, .group = "server",
       .since = "2.0.0", .summary = "Changes settings at runtime, all of them or none.",
       .syntax = "parameter value [parameter value ...]"},
      {.name = "config|resetstat", .arity = 2, .flags = kAdminFlags, .run = ConfigResetStat,
       .group = "server", .since = "2.0.0", .summary = "Resets the counters INFO reports.",
       .syntax = ""},
      {.name = "config|rewrite", .arity = 2, .flags = kAdminFlags, .run = ConfigRewrite,
       .group = "server", .since = "2.8.0",
       .summary = "Would write the running settings to the config file; Firn refuses.",
       .syntax = ""},
      {.name = "config|help", .arity = 2, .flags = kLoading | kStale, .run = ConfigHelp,
       .group = "server", .since = "5.0.0",
       .summary = "Lists the CONFIG subcommands.", .syntax = ""},
  };
}
// clang-format on

}  // namespace

// clang-format off
std::vector<Command> ServerCommands() {
  return {
      {.name = "info", .arity = -1, .flags = kLoading | kStale | kRandom, .run = Info,
       .group = "server", .since = "1.0.0",
       .summary = "Reports the server's state and counters, by section.",
       .syntax = "[section [section ...]]"},
      {.name = "command", .arity = -1, .flags = kLoading | kStale | kRandom, .run = CommandRoot,
       .group = "server", .since = "2.8.13",
       .summary = "Describes every command (see its subcommands).", .syntax = "",
       .subcommands = CommandSubcommands()},
      {.name = "config", .arity = -2, .flags = 0, .run = RunSubcommand, .group = "server",
       .since = "2.0.0",
       .summary = "Reads and changes settings (see its subcommands).", .syntax = "",
       .subcommands = ConfigSubcommands()},
      {.name = "time", .arity = 1, .flags = kLoading | kStale | kFast | kRandom, .run = Time,
       .group = "server", .since = "2.6.0",
       .summary = "Answers the server's clock: Unix seconds and microseconds.", .syntax = ""},
      {.name = "dbsize", .arity = 1, .flags = kReadOnly | kFast, .run = DbSize, .group = "server",
       .since = "1.0.0", .summary = "Counts the keys in the selected database.", .syntax = ""},
      {.name = "flushdb", .arity = -1, .flags = kWrite, .run = FlushDb, .group = "server",
       .since = "1.0.0", .summary = "Deletes every key in the selected database.",
       .syntax = "[ASYNC | SYNC]"},
      {.name = "flushall", .arity = -1, .flags = kWrite, .run = FlushAll, .group = "server",
       .since = "1.0.0", .summary = "Deletes every key in every database.",
       .syntax = "[ASYNC | SYNC]"},
      {.name = "swapdb", .arity = 3, .flags = kWrite | kFast, .run = SwapDb, .group = "server",
       .since = "4.0.0",
       .summary = "Exchanges the contents of two databases.", .syntax = "index1 index2"},
      {.name = "shutdown", .arity = -1, .flags = kAdminFlags | kAllowBusy | kNoMulti,
       .run = Shutdown,
       .group = "server", .since = "1.0.0",
       .summary = "Stops the server after answering pending clients.",
       .syntax = "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]"},
      {.name = "monitor", .arity = 1, .flags = kAdminFlags, .run = Monitor, .group = "server",
       .since = "1.0.0", .summary = "Streams every command the server runs to this connection.",
       .syntax = ""},
  };
}
// clang-format on

}  // namespace firn
