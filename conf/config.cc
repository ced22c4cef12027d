// Settings are data. kSettings below is the only list of what can be configured: each row
// names the setting, its TOML section, the kind of value it takes, the Config member that
// holds it, its bounds and whether it may change at runtime. TOML loading, the command
// line, CONFIG GET / CONFIG SET, DiffConfig and --help all walk this table; none of them
// knows any setting by name.
//
// A value travels in three steps:
//   1. parse: text (command line, CONFIG SET, TOML strings) goes through ParseText; TOML
//      integers, booleans and arrays through ParseToml, which hands strings to ParseText.
//      Both yield a Value or a Problem and check the row's bounds.
//   2. report: a Problem becomes Redis's reply text for CONFIG SET (RedisReason) or a
//      sentence naming the bad value for the file and the command line (FriendlyReason).
//   3. store: only a valid Value reaches Store, so a failed CONFIG SET leaves the Config
//      untouched without copying it.
#include "conf/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <sstream>
#include <type_traits>
#include <variant>

namespace firn {
namespace {

// ---- The table ----

enum class Kind : uint8_t {
  kString,  // any text
  kList,    // space-separated words; an array of strings in TOML
  kInt,     // decimal integer within [min, max]
  kOctal,   // octal integer within [min, max] (file permissions)
  kMemory,  // bytes, with optional Redis unit, within [min, max]
  kBool,    // yes/no; true/false in TOML
  kChoice,  // one of choices, case-insensitive
};

enum class Change : uint8_t {
  kRuntime,      // CONFIG SET may change it
  kStartupOnly,  // file and command line only: "can't set immutable config"
  kProtected,    // the same, with Redis's text for dir: "can't set protected config"
};

using Member = std::variant<std::string Config::*, std::vector<std::string> Config::*,
                            int Config::*, int64_t Config::*, uint64_t Config::*, bool Config::*,
                            EvictionPolicy Config::*, LogLevel Config::*,
                            TlsAuthClients Config::*>;

struct Choice {
  std::string_view name;
  uint8_t value;
  bool alias = false;  // accepted on input (Redis's names), never printed or listed
};

enum class Problem : uint8_t {
  kNotInteger,
  kNotOctal,
  kNotMemory,
  kNotBool,
  kNotChoice,
  kOutOfRange,
  kBadEvents,  // a letter notify-keyspace-events does not know
  kBadSave,    // save rules that are not "seconds changes" pairs
  kBadFsync,   // appendfsync other than always, everysec, no
  // client-output-buffer-limit: not groups of four words; an unknown class; a bad number.
  kObufArgCount,
  kObufClass,
  kObufValue,
  // maxmemory-clients: neither a memory value nor a percentage; a percentage above 100.
  kNotMemoryOrPercent,
  kPercentAbove100,
};

struct Setting {
  std::string_view name;
  std::string_view section;
  Kind kind;
  Member member;
  int64_t min = 0;
  int64_t max = 0;
  std::span<const Choice> choices = {};
  Change change = Change::kRuntime;
  // Redis's older name for the setting (list-max-ziplist-size), accepted wherever the name
  // is (file, command line, CONFIG GET/SET by exact name) and never listed.
  std::string_view alias = {};
  // For a kString setting with a fixed alphabet: the stored (normalized) form of a value, or
  // nullopt when the value is refused (Problem::kBadEvents).
  std::optional<std::string> (*normalize)(std::string_view) = nullptr;
  // With normalize: which Problem a refused value has (default kBadEvents).
  Problem (*refusal)(std::string_view) = nullptr;
  // For a setting given in parts (client-output-buffer-limit): the stored value after the
  // normalized text update is applied to current.
  std::string (*merge)(const std::string& current, const std::string& update) = nullptr;
  // For a kString setting stored in a fuller form than CONFIG GET prints: the printed form.
  std::string (*display)(const std::string& stored) = nullptr;
};

// save: pairs of "seconds changes" (seconds >= 1, changes >= 0), as Redis checks them;
// stored space-joined, as CONFIG GET prints them.
std::optional<std::string> NormalizeSave(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.empty() || w.size() > 18) return std::nullopt;
    size_t at = 0;
    if (w[0] == '-') at = 1;
    if (at == w.size()) return std::nullopt;
    for (size_t j = at; j < w.size(); ++j) {
      if (w[j] < '0' || w[j] > '9') return std::nullopt;
    }
    const long long v = std::stoll(w);
    if ((i % 2 == 0 && v < 1) || (i % 2 == 1 && v < 0)) return std::nullopt;
    if (!out.empty()) out += ' ';
    out += std::to_string(v);
  }
  return out;
}

std::optional<std::string> NormalizeFsync(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "always" || lower == "everysec" || lower == "no") return lower;
  return std::nullopt;
}

std::optional<std::string> NormalizeKeyspaceEvents(std::string_view text) {
  const std::optional<uint32_t> flags = KeyspaceEventFlags(text);
  if (!flags) return std::nullopt;
  // Stored with n even next to A (Redis keeps the flag and only prints it without).
  return KeyspaceEventClasses(*flags, /*keep_new=*/true);
}

// CONFIG GET's form of the stored value: as Redis prints it.
std::string DisplayKeyspaceEvents(const std::string& stored) {
  return KeyspaceEventClasses(KeyspaceEventFlags(stored).value_or(0));
}


std::optional<int64_t> ParseMemory(std::string_view text);

// client-output-buffer-limit: groups of "<class> <hard> <soft> <soft-seconds>", classes
// normal, slave (or replica) and pubsub, sizes as memory values, seconds a non-negative integer.
struct ObufGroup {
  int cls;  // 0 normal, 1 slave, 2 pubsub
  OutputBufferLimit limit;
};
constexpr std::string_view kObufClassNames[] = {"normal", "slave", "pubsub"};

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

std::variant<std::vector<ObufGroup>, Problem> ParseObufGroups(std::string_view text) {
  const std::vector<std::string> w = Words(text);
  if (w.size() % 4 != 0) return Problem::kObufArgCount;
  std::vector<ObufGroup> groups;
  for (size_t i = 0; i < w.size(); i += 4) {
    ObufGroup g{};
    std::string cls = w[i];
    for (char& c : cls) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (cls == "normal") {
      g.cls = 0;
    } else if (cls == "slave" || cls == "replica") {
      g.cls = 1;
    } else if (cls == "pubsub") {
      g.cls = 2;
    } else {
      return Problem::kObufClass;
    }
    const std::optional<int64_t> hard = ParseMemory(w[i + 1]);
    const std::optional<int64_t> soft = ParseMemory(w[i + 2]);
    char* end = nullptr;
    errno = 0;
    const long long secs = std::strtoll(w[i + 3].c_str(), &end, 10);
    if (!hard || !soft || *end != '\0' || errno == ERANGE || secs < 0 || secs > INT_MAX) {
      return Problem::kObufValue;
    }
    g.limit = {static_cast<uint64_t>(*hard), static_cast<uint64_t>(*soft), secs};
    groups.push_back(g);
  }
  return groups;
}

std::string FormatObufGroups(const std::vector<ObufGroup>& groups) {
  std::string out;
  for (const ObufGroup& g : groups) {
    if (!out.empty()) out += ' ';
    out += std::string(kObufClassNames[g.cls]) + " " + std::to_string(g.limit.hard_bytes) + " " +
           std::to_string(g.limit.soft_bytes) + " " + std::to_string(g.limit.soft_seconds);
  }
  return out;
}

std::optional<std::string> NormalizeObufLimit(std::string_view text) {
  auto parsed = ParseObufGroups(text);
  if (std::holds_alternative<Problem>(parsed)) return std::nullopt;
  return FormatObufGroups(std::get<std::vector<ObufGroup>>(parsed));
}

Problem SaveRefusal(std::string_view) { return Problem::kBadSave; }
Problem FsyncRefusal(std::string_view) { return Problem::kBadFsync; }

// maxmemory-clients: a memory value (stored in bytes) or "N%" of maxmemory, N at most 100.
std::optional<std::string> NormalizeMemoryOrPercent(std::string_view text) {
  if (!text.empty() && text.back() == '%') {
    const std::string_view digits = text.substr(0, text.size() - 1);
    if (digits.empty() || digits.size() > 18 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    const long long pct = std::stoll(std::string(digits));
    if (pct > 100) return std::nullopt;
    return std::to_string(pct) + "%";
  }
  const std::optional<int64_t> n = ParseMemory(text);
  if (!n) return std::nullopt;
  return std::to_string(*n);
}

Problem MemoryOrPercentRefusal(std::string_view text) {
  return !text.empty() && text.back() == '%' && NormalizeMemoryOrPercent(text.substr(0, text.size() - 1))
             ? Problem::kPercentAbove100
             : Problem::kNotMemoryOrPercent;
}

Problem ObufRefusal(std::string_view text) {
  auto parsed = ParseObufGroups(text);
  const Problem* p = std::get_if<Problem>(&parsed);
  return p != nullptr ? *p : Problem::kObufValue;
}

// The three classes of current, each replaced where update names it, in Redis's order.
std::string MergeObufLimit(const std::string& current, const std::string& update) {
  std::vector<ObufGroup> all = {{0, {}}, {1, {}}, {2, {}}};
  for (const std::string& text : {current, update}) {
    auto parsed = ParseObufGroups(text);
    if (const auto* groups = std::get_if<std::vector<ObufGroup>>(&parsed)) {
      for (const ObufGroup& g : *groups) all[g.cls] = g;
    }
  }
  return FormatObufGroups(all);
}

constexpr int64_t kIntMax = INT_MAX;
constexpr int64_t kInt64Max = INT64_MAX;
constexpr int64_t kMb = 1024 * 1024;

// Listed in the order Redis lists them in its CONFIG SET error.
constexpr Choice kPolicies[] = {
    {"volatile-lru", uint8_t(EvictionPolicy::kVolatileLru)},
    {"volatile-lfu", uint8_t(EvictionPolicy::kVolatileLfu)},
    {"volatile-random", uint8_t(EvictionPolicy::kVolatileRandom)},
    {"volatile-ttl", uint8_t(EvictionPolicy::kVolatileTtl)},
    {"allkeys-lru", uint8_t(EvictionPolicy::kAllKeysLru)},
    {"allkeys-lfu", uint8_t(EvictionPolicy::kAllKeysLfu)},
    {"allkeys-random", uint8_t(EvictionPolicy::kAllKeysRandom)},
    {"noeviction", uint8_t(EvictionPolicy::kNoEviction)},
};

constexpr Choice kLogLevels[] = {
    {"debug", uint8_t(LogLevel::kDebug)},         {"info", uint8_t(LogLevel::kInfo)},
    {"warning", uint8_t(LogLevel::kWarning)},     {"error", uint8_t(LogLevel::kError)},
    {"verbose", uint8_t(LogLevel::kDebug), true}, {"notice", uint8_t(LogLevel::kInfo), true},
};

// Listed in the order Redis lists them in its CONFIG SET error.
constexpr Choice kTlsAuthClients[] = {
    {"no", uint8_t(TlsAuthClients::kNo)},
    {"yes", uint8_t(TlsAuthClients::kYes)},
    {"optional", uint8_t(TlsAuthClients::kOptional)},
};

// Sections in file order; the rows below follow it.
constexpr std::string_view kSections[] = {"network", "security", "tls", "limits",  "memory",
                                          "collections", "server", "persistence", "logging",
                                          "metrics", "slowlog"};

// One row per setting, read as a table.
// clang-format off
const Setting kSettings[] = {
    // [network]
    {.name = "bind", .section = "network", .kind = Kind::kList, .member = &Config::bind},
    {.name = "port", .section = "network", .kind = Kind::kInt,
     .member = &Config::port, .max = 65535},
    {.name = "unixsocket", .section = "network", .kind = Kind::kString,
     .member = &Config::unixsocket, .change = Change::kStartupOnly},
    {.name = "unixsocketperm", .section = "network", .kind = Kind::kOctal,
     .member = &Config::unixsocketperm, .max = 0777, .change = Change::kStartupOnly},
    {.name = "tcp-backlog", .section = "network", .kind = Kind::kInt,
     .member = &Config::tcp_backlog, .max = kIntMax, .change = Change::kStartupOnly},
    {.name = "tcp-keepalive", .section = "network", .kind = Kind::kInt,
     .member = &Config::tcp_keepalive, .max = kIntMax},
    {.name = "timeout", .section = "network", .kind = Kind::kInt,
     .member = &Config::timeout, .max = kIntMax},
    {.name = "maxclients", .section = "network", .kind = Kind::kInt,
     .member = &Config::maxclients, .min = 1, .max = kIntMax},
    {.name = "busy-poll-us", .section = "network", .kind = Kind::kInt,
     .member = &Config::busy_poll_us, .max = 10000},
    // [security]
    {.name = "requirepass", .section = "security", .kind = Kind::kString,
     .member = &Config::requirepass},
    {.name = "aclfile", .section = "security", .kind = Kind::kString,
     .member = &Config::aclfile, .change = Change::kStartupOnly},
    {.name = "acllog-max-len", .section = "security", .kind = Kind::kInt,
     .member = &Config::acllog_max_len, .max = kIntMax},
    {.name = "protected-mode", .section = "security", .kind = Kind::kBool,
     .member = &Config::protected_mode},
    {.name = "rename-command", .section = "security", .kind = Kind::kList,
     .member = &Config::rename_command, .change = Change::kStartupOnly},
    // [tls]
    {.name = "tls-port", .section = "tls", .kind = Kind::kInt,
     .member = &Config::tls_port, .max = 65535},
    {.name = "tls-cert-file", .section = "tls", .kind = Kind::kString,
     .member = &Config::tls_cert_file},
    {.name = "tls-key-file", .section = "tls", .kind = Kind::kString,
     .member = &Config::tls_key_file},
    {.name = "tls-key-file-pass", .section = "tls", .kind = Kind::kString,
     .member = &Config::tls_key_file_pass},
    {.name = "tls-client-cert-file", .section = "tls", .kind = Kind::kString,
     .member = &Config::tls_client_cert_file},
    {.name = "tls-client-key-file", .section = "tls", .kind = Kind::kString,
     .member = &Config::tls_client_key_file},
    {.name = "tls-client-key-file-pass", .section = "tls", .kind = Kind::kString,
     .member = &Config::tls_client_key_file_pass},
    {.name = "tls-dh-params-file", .section = "tls", .kind = Kind::kString,
     .member = &Config::tls_dh_params_file},
    {.name = "tls-ca-cert-file", .section = "tls", .kind = Kind::kString,
     .member = &Config::tls_ca_cert_file},
    {.name = "tls-ca-cert-dir", .section = "tls", .kind = Kind::kString,
     .member = &Config::tls_ca_cert_dir},
    {.name = "tls-auth-clients", .section = "tls", .kind = Kind::kChoice,
     .member = &Config::tls_auth_clients, .choices = kTlsAuthClients},
    {.name = "tls-protocols", .section = "tls", .kind = Kind::kString,
     .member = &Config::tls_protocols},
    {.name = "tls-ciphers", .section = "tls", .kind = Kind::kString,
     .member = &Config::tls_ciphers},
    {.name = "tls-ciphersuites", .section = "tls", .kind = Kind::kString,
     .member = &Config::tls_ciphersuites},
    {.name = "tls-prefer-server-ciphers", .section = "tls", .kind = Kind::kBool,
     .member = &Config::tls_prefer_server_ciphers},
    {.name = "tls-session-caching", .section = "tls", .kind = Kind::kBool,
     .member = &Config::tls_session_caching},
    {.name = "tls-session-cache-size", .section = "tls", .kind = Kind::kInt,
     .member = &Config::tls_session_cache_size, .max = kIntMax},
    {.name = "tls-session-cache-timeout", .section = "tls", .kind = Kind::kInt,
     .member = &Config::tls_session_cache_timeout, .max = kIntMax},
    // [limits]
    {.name = "proto-max-bulk-len", .section = "limits", .kind = Kind::kMemory,
     .member = &Config::proto_max_bulk_len, .min = kMb, .max = kInt64Max},
    {.name = "client-query-buffer-limit", .section = "limits", .kind = Kind::kMemory,
     .member = &Config::client_query_buffer_limit, .min = kMb, .max = kInt64Max},
    {.name = "client-output-buffer-limit", .section = "limits", .kind = Kind::kString,
     .member = &Config::client_output_buffer_limit, .normalize = NormalizeObufLimit,
     .refusal = ObufRefusal, .merge = MergeObufLimit},
    {.name = "maxmemory-clients", .section = "limits", .kind = Kind::kString,
     .member = &Config::maxmemory_clients, .normalize = NormalizeMemoryOrPercent,
     .refusal = MemoryOrPercentRefusal},
    {.name = "tracking-table-max-keys", .section = "limits", .kind = Kind::kInt,
     .member = &Config::tracking_table_max_keys, .max = kInt64Max},
    {.name = "databases", .section = "limits", .kind = Kind::kInt,
     .member = &Config::databases, .min = 1, .max = 16, .change = Change::kStartupOnly},
    // [memory]
    {.name = "maxmemory", .section = "memory", .kind = Kind::kMemory,
     .member = &Config::maxmemory, .max = kInt64Max},
    {.name = "maxmemory-policy", .section = "memory", .kind = Kind::kChoice,
     .member = &Config::maxmemory_policy, .choices = kPolicies},
    {.name = "maxmemory-samples", .section = "memory", .kind = Kind::kInt,
     .member = &Config::maxmemory_samples, .min = 1, .max = 64},
    {.name = "lfu-log-factor", .section = "memory", .kind = Kind::kInt,
     .member = &Config::lfu_log_factor, .max = kIntMax},
    {.name = "lfu-decay-time", .section = "memory", .kind = Kind::kInt,
     .member = &Config::lfu_decay_time, .max = kIntMax},
    {.name = "lazyfree-lazy-user-del", .section = "memory", .kind = Kind::kBool,
     .member = &Config::lazyfree_lazy_user_del},
    {.name = "lazyfree-lazy-user-flush", .section = "memory", .kind = Kind::kBool,
     .member = &Config::lazyfree_lazy_user_flush},
    {.name = "lazyfree-lazy-eviction", .section = "memory", .kind = Kind::kBool,
     .member = &Config::lazyfree_lazy_eviction},
    {.name = "lazyfree-lazy-expire", .section = "memory", .kind = Kind::kBool,
     .member = &Config::lazyfree_lazy_expire},
    {.name = "lazyfree-lazy-server-del", .section = "memory", .kind = Kind::kBool,
     .member = &Config::lazyfree_lazy_server_del},
    // [collections]
    {.name = "list-max-listpack-size", .section = "collections", .kind = Kind::kInt,
     .member = &Config::list_max_listpack_size, .min = INT_MIN, .max = kIntMax,
     .alias = "list-max-ziplist-size"},
    {.name = "list-compress-depth", .section = "collections", .kind = Kind::kInt,
     .member = &Config::list_compress_depth, .max = kIntMax},
    {.name = "hash-max-listpack-entries", .section = "collections", .kind = Kind::kInt,
     .member = &Config::hash_max_listpack_entries, .max = kInt64Max,
     .alias = "hash-max-ziplist-entries"},
    {.name = "hash-max-listpack-value", .section = "collections", .kind = Kind::kInt,
     .member = &Config::hash_max_listpack_value, .max = kInt64Max,
     .alias = "hash-max-ziplist-value"},
    {.name = "hash-compress-min-bytes", .section = "collections", .kind = Kind::kInt,
     .member = &Config::hash_compress_min_bytes, .max = int64_t{1} << 30},
    {.name = "set-max-intset-entries", .section = "collections", .kind = Kind::kInt,
     .member = &Config::set_max_intset_entries, .max = kInt64Max},
    {.name = "zset-max-listpack-entries", .section = "collections", .kind = Kind::kInt,
     .member = &Config::zset_max_listpack_entries, .max = kInt64Max,
     .alias = "zset-max-ziplist-entries"},
    {.name = "zset-max-listpack-value", .section = "collections", .kind = Kind::kInt,
     .member = &Config::zset_max_listpack_value, .max = kInt64Max,
     .alias = "zset-max-ziplist-value"},
    {.name = "hll-sparse-max-bytes", .section = "collections", .kind = Kind::kMemory,
     .member = &Config::hll_sparse_max_bytes, .max = kInt64Max},
    {.name = "stream-node-max-bytes", .section = "collections", .kind = Kind::kInt,
     .member = &Config::stream_node_max_bytes, .max = kInt64Max},
    {.name = "stream-node-max-entries", .section = "collections", .kind = Kind::kInt,
     .member = &Config::stream_node_max_entries, .max = kInt64Max},
    // [server]
    {.name = "hz", .section = "server", .kind = Kind::kInt,
     .member = &Config::hz, .min = 1, .max = 500},
    {.name = "dir", .section = "server", .kind = Kind::kString,
     .member = &Config::dir, .change = Change::kProtected},
    {.name = "pidfile", .section = "server", .kind = Kind::kString,
     .member = &Config::pidfile, .change = Change::kStartupOnly},
    {.name = "active-expire-effort", .section = "server", .kind = Kind::kInt,
     .member = &Config::active_expire_effort, .min = 1, .max = 10},
    {.name = "notify-keyspace-events", .section = "server", .kind = Kind::kString,
     .member = &Config::notify_keyspace_events, .normalize = NormalizeKeyspaceEvents,
     .display = DisplayKeyspaceEvents},
    // [persistence]
    {.name = "save", .section = "persistence", .kind = Kind::kString,
     .member = &Config::save, .normalize = NormalizeSave, .refusal = SaveRefusal},
    {.name = "dbfilename", .section = "persistence", .kind = Kind::kString,
     .member = &Config::dbfilename, .change = Change::kProtected},
    {.name = "rdbcompression", .section = "persistence", .kind = Kind::kBool,
     .member = &Config::rdbcompression},
    {.name = "rdbchecksum", .section = "persistence", .kind = Kind::kBool,
     .member = &Config::rdbchecksum},
    {.name = "stop-writes-on-bgsave-error", .section = "persistence", .kind = Kind::kBool,
     .member = &Config::stop_writes_on_bgsave_error},
    {.name = "appendonly", .section = "persistence", .kind = Kind::kBool,
     .member = &Config::appendonly},
    {.name = "appendfilename", .section = "persistence", .kind = Kind::kString,
     .member = &Config::appendfilename, .change = Change::kStartupOnly},
    {.name = "appenddirname", .section = "persistence", .kind = Kind::kString,
     .member = &Config::appenddirname, .change = Change::kStartupOnly},
    {.name = "appendfsync", .section = "persistence", .kind = Kind::kString,
     .member = &Config::appendfsync, .normalize = NormalizeFsync, .refusal = FsyncRefusal},
    {.name = "aof-load-truncated", .section = "persistence", .kind = Kind::kBool,
     .member = &Config::aof_load_truncated},
    {.name = "aof-use-rdb-preamble", .section = "persistence", .kind = Kind::kBool,
     .member = &Config::aof_use_rdb_preamble},
    {.name = "auto-aof-rewrite-percentage", .section = "persistence", .kind = Kind::kInt,
     .member = &Config::auto_aof_rewrite_percentage, .max = kIntMax},
    {.name = "auto-aof-rewrite-min-size", .section = "persistence", .kind = Kind::kMemory,
     .member = &Config::auto_aof_rewrite_min_size, .max = kInt64Max},
    {.name = "busy-reply-threshold", .section = "server", .kind = Kind::kInt,
     .member = &Config::busy_reply_threshold, .max = kInt64Max, .alias = "lua-time-limit"},
    // [logging]
    {.name = "loglevel", .section = "logging", .kind = Kind::kChoice,
     .member = &Config::loglevel, .choices = kLogLevels},
    {.name = "logfile", .section = "logging", .kind = Kind::kString,
     .member = &Config::logfile, .change = Change::kStartupOnly},
    // [metrics]
    {.name = "metrics-bind", .section = "metrics", .kind = Kind::kString,
     .member = &Config::metrics_bind},
    {.name = "metrics-port", .section = "metrics", .kind = Kind::kInt,
     .member = &Config::metrics_port, .max = 65535},
    {.name = "metrics-tls-port", .section = "metrics", .kind = Kind::kInt,
     .member = &Config::metrics_tls_port, .max = 65535},
    {.name = "metrics-max-limiters", .section = "metrics", .kind = Kind::kInt,
     .member = &Config::metrics_max_limiters, .min = 1, .max = 100000},
    // [slowlog]
    {.name = "slowlog-log-slower-than", .section = "slowlog", .kind = Kind::kInt,
     .member = &Config::slowlog_log_slower_than, .min = -1, .max = kInt64Max},
    {.name = "slowlog-max-len", .section = "slowlog", .kind = Kind::kInt,
     .member = &Config::slowlog_max_len, .max = kInt64Max},
    {.name = "latency-tracking", .section = "slowlog", .kind = Kind::kBool,
     .member = &Config::latency_tracking},
    {.name = "latency-monitor-threshold", .section = "slowlog", .kind = Kind::kInt,
     .member = &Config::latency_monitor_threshold, .max = kInt64Max},
};
// clang-format on

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Redis matches config names case-insensitively; TOML keys are matched exactly.
const Setting* FindSetting(std::string_view name, bool ignore_case) {
  for (const Setting& s : kSettings) {
    if (ignore_case ? EqualsIgnoreCase(s.name, name) || EqualsIgnoreCase(s.alias, name)
                    : s.name == name || s.alias == name) {
      return &s;
    }
  }
  return nullptr;
}

bool IsSection(std::string_view name) {
  return std::find(std::begin(kSections), std::end(kSections), name) != std::end(kSections);
}

// " (did you mean 'tcp-backlog'?)" for tcp_backlog or Port, else "".
std::string Suggestion(std::string_view name) {
  std::string normalized(name);
  std::replace(normalized.begin(), normalized.end(), '_', '-');
  if (const Setting* s = FindSetting(normalized, /*ignore_case=*/true)) {
    return " (did you mean '" + std::string(s->name) + "'?)";
  }
  return "";
}

// ---- Values ----

using Value = std::variant<int64_t, bool, std::string, std::vector<std::string>>;


using Parsed = std::variant<Value, Problem>;

std::optional<int64_t> ParseInt(std::string_view text, int base) {
  int64_t n = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n, base);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return n;
}

// redis.conf's memtoll: digits, then an optional unit (b, k, kb, m, mb, g, gb; any case).
// No sign, no fraction, no spaces; a value that overflows int64 is not a memory value. The
// empty string is 0, as memtoll reads it (CONFIG SET maxmemory "" lifts the limit in Redis).
std::optional<int64_t> ParseMemory(std::string_view text) {
  if (text.empty()) return 0;
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    ++digits;
  }
  if (digits == 0) {
    return std::nullopt;
  }
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"", 1},
      {"b", 1},
      {"k", 1000},
      {"kb", 1024},
      {"m", 1000 * 1000},
      {"mb", 1024 * 1024},
      {"g", 1000 * 1000 * 1000},
      {"gb", 1024 * 1024 * 1024},
  };
  const std::string_view unit = text.substr(digits);
  const auto* u = std::find_if(std::begin(kUnits), std::end(kUnits),
                               [&](const auto& k) { return EqualsIgnoreCase(k.first, unit); });
  if (u == std::end(kUnits)) {
    return std::nullopt;
  }
  const std::optional<int64_t> n = ParseInt(text.substr(0, digits), 10);
  if (!n || *n > kInt64Max / u->second) {
    return std::nullopt;
  }
  return *n * u->second;
}

Parsed CheckRange(const Setting& s, int64_t n) {
  if (n < s.min || n > s.max) {
    return Problem::kOutOfRange;
  }
  return Value(n);
}

// The one parser for text: command line, CONFIG SET and TOML strings.
Parsed ParseText(const Setting& s, std::string_view text) {
  switch (s.kind) {
    case Kind::kString:
      if (s.normalize != nullptr) {
        std::optional<std::string> normal = s.normalize(text);
        if (!normal) return s.refusal != nullptr ? s.refusal(text) : Problem::kBadEvents;
        return Value(std::move(*normal));
      }
      return Value(std::string(text));
    case Kind::kList: {
      std::vector<std::string> words;
      std::istringstream in{std::string(text)};
      for (std::string word; in >> word;) {
        words.push_back(word);
      }
      return Value(std::move(words));
    }
    case Kind::kInt: {
      const std::optional<int64_t> n = ParseInt(text, 10);
      return n ? CheckRange(s, *n) : Problem::kNotInteger;
    }
    case Kind::kOctal: {
      if (text.starts_with("0o")) {
        text.remove_prefix(2);
      }
      const std::optional<int64_t> n = ParseInt(text, 8);
      return n ? CheckRange(s, *n) : Problem::kNotOctal;
    }
    case Kind::kMemory: {
      const std::optional<int64_t> n = ParseMemory(text);
      return n ? CheckRange(s, *n) : Problem::kNotMemory;
    }
    case Kind::kBool:
      if (EqualsIgnoreCase(text, "yes")) {
        return Value(true);
      }
      if (EqualsIgnoreCase(text, "no")) {
        return Value(false);
      }
      return Problem::kNotBool;
    case Kind::kChoice:
      for (const Choice& c : s.choices) {
        if (EqualsIgnoreCase(c.name, text)) {
          return Value(int64_t{c.value});
        }
      }
      return Problem::kNotChoice;
  }
  return Problem::kNotInteger;  // unreachable: every kind is handled above
}

std::string ChoiceList(const Setting& s) {
  std::string out;
  for (const Choice& c : s.choices) {
    if (!c.alias) {
      out += out.empty() ? "" : ", ";
      out += c.name;
    }
  }
  return out;
}

std::string_view ChoiceName(std::span<const Choice> choices, uint8_t value) {
  for (const Choice& c : choices) {
    if (!c.alias && c.value == value) {
      return c.name;
    }
  }
  return "?";
}

std::string Octal(int64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llo", static_cast<unsigned long long>(n));
  return buf;
}

// What follows "ERR CONFIG SET failed (possibly related to argument 'NAME') - ".
std::string RedisReason(const Setting& s, Problem p) {
  switch (p) {
    case Problem::kNotInteger:
    case Problem::kNotOctal:
      return "argument couldn't be parsed into an integer";
    case Problem::kNotMemory:
      return "argument must be a memory value";
    case Problem::kNotBool:
      return "argument must be 'yes' or 'no'";
    case Problem::kNotChoice:
      return "argument(s) must be one of the following: " + ChoiceList(s);
    case Problem::kOutOfRange:
      return "argument must be between " + std::to_string(s.min) + " and " + std::to_string(s.max) +
             " inclusive";
    case Problem::kBadEvents:
      return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
    case Problem::kBadSave:
      return "Invalid save parameters";
    case Problem::kBadFsync:
      return "argument(s) must be one of the following: always, everysec, no";
    case Problem::kObufArgCount:
      return "Wrong number of arguments in buffer limit configuration.";
    case Problem::kObufClass:
      return "Invalid client class specified in buffer limit configuration.";
    case Problem::kObufValue:
      return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
    case Problem::kNotMemoryOrPercent:
      return "argument must be a memory or percent value";
    case Problem::kPercentAbove100:
      return "percentage argument must be less or equal to 100";
  }
  return "";
}

// What the file and the command line say after "KEY: ". shown is the offending value as
// the user wrote it: 'lots' for text, 70000 for a TOML integer.
std::string FriendlyReason(const Setting& s, Problem p, const std::string& shown) {
  switch (p) {
    case Problem::kNotInteger:
      return "expected an integer, got " + shown;
    case Problem::kNotOctal:
      return "expected octal permissions like 0o770, got " + shown;
    case Problem::kNotMemory:
      return "expected a memory size like 64mb, got " + shown;
    case Problem::kNotBool:
      return "expected yes or no, got " + shown;
    case Problem::kNotChoice:
      return "expected one of " + ChoiceList(s) + ", got " + shown;
    case Problem::kOutOfRange: {
      const bool octal = s.kind == Kind::kOctal;
      auto show = [&](int64_t n) { return octal ? "0o" + Octal(n) : std::to_string(n); };
      const std::string unit = s.kind == Kind::kMemory ? " bytes" : "";
      if (s.max == kIntMax || s.max == kInt64Max) {
        return "must be at least " + show(s.min) + unit + ", got " + shown;
      }
      return "must be between " + show(s.min) + " and " + show(s.max) + unit + ", got " + shown;
    }
    case Problem::kBadEvents:
      return "expected event classes from 'Ag$lshzxeKEtmdn', got " + shown;
    case Problem::kBadSave:
      return "expected \"seconds changes\" pairs like \"3600 1 300 100\", got " + shown;
    case Problem::kBadFsync:
      return "expected one of always, everysec, no, got " + shown;
    case Problem::kObufArgCount:
    case Problem::kObufClass:
    case Problem::kObufValue:
      return "expected groups of '<normal|replica|pubsub> <hard> <soft> <soft-seconds>', got " +
             shown;
    case Problem::kNotMemoryOrPercent:
      return "expected a memory size like 64mb or a percentage of maxmemory like 10%, got " + shown;
    case Problem::kPercentAbove100:
      return "expected a percentage of at most 100%, got " + shown;
  }
  return "";
}

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// Writes a valid value into its member.
void Store(const Setting& s, Value value, Config& cfg) {
  std::visit(
      [&]<typename T>(T Config::*member) {
        T& field = cfg.*member;
        if constexpr (std::is_same_v<T, std::string>) {
          field = s.merge != nullptr ? s.merge(field, std::get<T>(value))
                                     : std::get<T>(std::move(value));
        } else if constexpr (std::is_same_v<T, bool> ||
                             std::is_same_v<T, std::vector<std::string>>) {
          field = std::get<T>(std::move(value));
        } else {  // integers and enums: bounds were checked by the parser
          field = static_cast<T>(std::get<int64_t>(value));
        }
      },
      s.member);
}

// The CONFIG GET form.
std::string Format(const Setting& s, const Config& cfg) {
  return std::visit(
      [&]<typename T>(T Config::*member) -> std::string {
        const T& field = cfg.*member;
        if constexpr (std::is_same_v<T, bool>) {
          return field ? "yes" : "no";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return s.display != nullptr ? s.display(field) : field;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          std::string out;
          for (const std::string& word : field) {
            out += out.empty() ? "" : " ";
            out += word;
          }
          return out;
        } else if constexpr (std::is_enum_v<T>) {
          return std::string(ChoiceName(s.choices, static_cast<uint8_t>(field)));
        } else {
          return s.kind == Kind::kOctal ? Octal(field) : std::to_string(field);
        }
      },
      s.member);
}

bool SameValue(const Setting& s, const Config& a, const Config& b) {
  return std::visit([&](auto member) { return a.*member == b.*member; }, s.member);
}

// ---- TOML ----

[[noreturn]] void FileError(const std::string& file, const toml::key& key,
                            const std::string& what) {
  throw ConfigError(file + ":" + std::to_string(key.source().begin.line) + ": " + what);
}

// "integer 70000", "string 'lots'", "a table".
std::string DescribeNode(const toml::node& node) {
  std::ostringstream out;
  if (node.is_table()) {
    return "a table";
  }
  if (node.is_array()) {
    return "an array";
  }
  out << node.type() << " ";
  node.visit([&](const auto& v) { out << v; });
  return out.str();
}

std::string Expected(const Setting& s) {
  switch (s.kind) {
    case Kind::kString:
      return "a string";
    case Kind::kList:
      return "an array of strings like [\"127.0.0.1\", \"::1\"]";
    case Kind::kInt:
      return "an integer";
    case Kind::kOctal:
      return "octal permissions like 0o770";
    case Kind::kMemory:
      return "a memory size like 64mb";
    case Kind::kBool:
      return "true or false";
    case Kind::kChoice:
      return "one of " + ChoiceList(s);
  }
  return "";
}

// A TOML value for s, or the friendly reason it is not one.
std::variant<Value, std::string> ParseToml(const Setting& s, const toml::node& node) {
  auto wrong_type = [&] { return "expected " + Expected(s) + ", got " + DescribeNode(node); };
  auto friendly = [&](const Parsed& parsed,
                      const std::string& shown) -> std::variant<Value, std::string> {
    if (const Problem* p = std::get_if<Problem>(&parsed)) {
      return FriendlyReason(s, *p, shown);
    }
    return std::get<Value>(parsed);
  };

  if (const auto* str = node.as_string()) {
    if (s.kind == Kind::kString || s.kind == Kind::kOctal || s.kind == Kind::kMemory ||
        s.kind == Kind::kChoice) {
      return friendly(ParseText(s, str->get()), Quoted(str->get()));
    }
    return wrong_type();
  }
  if (const auto* integer = node.as_integer()) {
    const int64_t n = integer->get();
    if (s.kind == Kind::kOctal && n != 0 &&
        !(integer->flags() & toml::value_flags::format_as_octal)) {
      // 700 in TOML is decimal 700, which as a mode is 0o1274: almost surely a mistake.
      return FriendlyReason(s, Problem::kNotOctal, "decimal " + std::to_string(n));
    }
    if (s.kind == Kind::kInt || s.kind == Kind::kOctal || s.kind == Kind::kMemory) {
      const std::string shown = s.kind == Kind::kOctal ? "0o" + Octal(n) : std::to_string(n);
      return friendly(CheckRange(s, n), shown);
    }
    return wrong_type();
  }
  if (const auto* boolean = node.as_boolean()) {
    if (s.kind == Kind::kBool) {
      return Value(boolean->get());
    }
    return wrong_type();
  }
  if (const auto* array = node.as_array(); array && s.kind == Kind::kList) {
    std::vector<std::string> words;
    for (const toml::node& element : *array) {
      const auto* str = element.as_string();
      if (!str || str->get().empty() || str->get().find_first_of(" \t\r\n") != std::string::npos) {
        return "expected " + Expected(s) + ", got element " + DescribeNode(element);
      }
      words.push_back(str->get());
    }
    return Value(std::move(words));
  }
  return wrong_type();
}

// ---- Command line ----

std::string CliError(std::string_view name, const std::string& what) {
  return "--" + std::string(name) + ": " + what;
}

void ApplyOverrides(Config& cfg,
                    const std::vector<std::pair<std::string, std::string>>& overrides) {
  for (const auto& [name, value] : overrides) {
    const Setting* s = FindSetting(name, /*ignore_case=*/false);
    if (s == nullptr) {
      throw ConfigError(CliError(name, "unknown setting" + Suggestion(name)));
    }
    Parsed parsed = ParseText(*s, value);
    if (const Problem* p = std::get_if<Problem>(&parsed)) {
      throw ConfigError(CliError(name, FriendlyReason(*s, *p, Quoted(value))));
    }
    Store(*s, std::get<Value>(std::move(parsed)), cfg);
  }
}

// 536870912 -> "512mb": the largest 1024-based unit that divides bytes exactly.
std::string MemoryWithUnit(uint64_t bytes) {
  for (auto [unit, size] : {std::pair{"gb", 1ull << 30}, {"mb", 1ull << 20}, {"kb", 1ull << 10}}) {
    if (bytes != 0 && bytes % size == 0) {
      return std::to_string(bytes / size) + unit;
    }
  }
  return std::to_string(bytes);
}

std::string BuildHelpText() {
  std::string out =
      "Usage: firn-server [CONFIG.toml] [--name value ...]\n"
      "       firn-server CONFIG.toml --check-config\n"
      "       firn-server --help | --version\n"
      "\n"
      "Firn is a Redis-compatible cache server. Settings come from the TOML file, then from\n"
      "the command line, where later options win:\n"
      "  firn-server /etc/firn/firn.toml --port 6380 --maxmemory 64mb\n"
      "A value is the rest of the arguments up to the next --option (--bind 127.0.0.1 ::1);\n"
      "--name=value also works. Memory sizes take Redis units: 1k = 1000, 1kb = 1024, mb, gb.\n"
      "\n"
      "Flags:\n"
      "  -h, --help        print this text and exit\n"
      "  -v, --version     print the version and exit\n"
      "  --check-config    load and validate the configuration, then exit\n"
      "\n"
      "Settings, by section of the TOML file, with their defaults (conf/firn.toml explains\n"
      "each one):\n";
  const Config defaults;
  for (std::string_view section : kSections) {
    out += "  [" + std::string(section) + "]\n";
    for (const Setting& s : kSettings) {
      if (s.section != section) {
        continue;
      }
      std::string value = Format(s, defaults);
      if (s.kind == Kind::kMemory) {
        value = MemoryWithUnit(std::stoull(value));
      } else if (s.kind == Kind::kChoice) {
        value += "  (" + ChoiceList(s) + ")";
      } else if (value.empty()) {
        value = "\"\"";
      }
      std::string line = "    --" + std::string(s.name);
      line.resize(std::max<size_t>(line.size() + 1, 34), ' ');
      out += line + value + "\n";
    }
  }
  return out;
}

}  // namespace

// ---- Public API ----

Config ParseConfigToml(std::string_view text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw ConfigError(source_name + ":" + std::to_string(e.source().begin.line) + ":" +
                      std::to_string(e.source().begin.column) + ": " +
                      std::string(e.description()));
  }

  Config cfg;
  std::map<std::string_view, uint32_t> line_of;  // setting name -> line that set it
  auto apply = [&](const Setting& s, const toml::key& key, const toml::node& node) {
    const uint32_t line = key.source().begin.line;
    if (auto [it, inserted] = line_of.emplace(s.name, line); !inserted) {
      // Tables iterate in key order, not file order: blame the later line.
      throw ConfigError(source_name + ":" + std::to_string(std::max(line, it->second)) + ": " +
                        std::string(s.name) + ": set twice (also on line " +
                        std::to_string(std::min(line, it->second)) + ")");
    }
    auto parsed = ParseToml(s, node);
    if (const std::string* reason = std::get_if<std::string>(&parsed)) {
      FileError(source_name, key, std::string(s.name) + ": " + *reason);
    }
    Store(s, std::get<Value>(std::move(parsed)), cfg);
  };

  for (const auto& [key, node] : root) {
    if (const Setting* s = FindSetting(key.str(), /*ignore_case=*/false)) {
      apply(*s, key, node);  // a setting outside any section
      continue;
    }
    if (!IsSection(key.str())) {
      FileError(source_name, key,
                (node.is_table() ? "unknown section [" + std::string(key.str()) + "]"
                                 : "unknown setting '" + std::string(key.str()) + "'") +
                    Suggestion(key.str()));
    }
    const toml::table* section = node.as_table();
    if (section == nullptr) {
      FileError(source_name, key,
                std::string(key.str()) + ": expected a section [" + std::string(key.str()) +
                    "], got " + DescribeNode(node));
    }
    for (const auto& [leaf, value] : *section) {
      const Setting* s = FindSetting(leaf.str(), /*ignore_case=*/false);
      if (s == nullptr) {
        FileError(source_name, leaf,
                  "unknown setting '" + std::string(leaf.str()) + "'" + Suggestion(leaf.str()));
      }
      if (s->section != key.str()) {
        FileError(source_name, leaf,
                  std::string(s->name) + ": belongs in section [" + std::string(s->section) +
                      "], not [" + std::string(key.str()) + "]");
      }
      apply(*s, leaf, value);
    }
  }
  return cfg;
}

Config LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(path + ": cannot read config file: " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    throw ConfigError(path + ": cannot read config file: " + std::strerror(errno));
  }
  Config cfg = ParseConfigToml(text.str(), path);
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  cfg.config_file = ec ? path : absolute.lexically_normal().string();
  return cfg;
}

CommandLine ParseCommandLine(int argc, const char* const* argv) {
  CommandLine cl;
  const std::vector<std::string_view> args(argv + std::min(argc, 1), argv + argc);
  // As redis-server: the short forms only as the sole first argument, so that a value
  // such as "--requirepass -v" is not taken for a flag.
  for (size_t j = 0; j < args.size(); ++j) {
    if (args[j] == "--help" || (j == 0 && args[j] == "-h")) {
      cl.help = true;
      return cl;
    }
    if (args[j] == "--version" || (j == 0 && args[j] == "-v")) {
      cl.version = true;
      return cl;
    }
  }

  size_t i = 0;
  std::string file;
  if (!args.empty() && !args[0].starts_with("-")) {
    file = args[0];
    i = 1;
  }
  while (i < args.size()) {
    const std::string_view arg = args[i++];
    if (arg == "--check-config") {
      cl.check_config = true;
      continue;
    }
    if (!arg.starts_with("--") || arg.size() == 2) {
      throw ConfigError("unexpected argument '" + std::string(arg) +
                        "': the config file comes first, then --name value options");
    }
    std::string name(arg.substr(2));
    std::string value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else {
      const size_t first = i;
      for (; i < args.size() && !args[i].starts_with("--"); ++i) {
        value += (i == first ? "" : " ") + std::string(args[i]);
      }
      if (i == first) {
        throw ConfigError(CliError(name, "missing value"));
      }
    }
    cl.overrides.emplace_back(std::move(name), std::move(value));
  }

  // Misspelled options are reported before the file is read.
  for (const auto& [name, value] : cl.overrides) {
    if (FindSetting(name, /*ignore_case=*/false) == nullptr) {
      throw ConfigError(CliError(name, "unknown setting" + Suggestion(name)));
    }
  }
  cl.config = file.empty() ? Config{} : LoadConfigFile(file);
  ApplyOverrides(cl.config, cl.overrides);
  return cl;
}

Config ReloadConfig(const CommandLine& cl) {
  Config cfg = cl.config.config_file.empty() ? Config{} : LoadConfigFile(cl.config.config_file);
  ApplyOverrides(cfg, cl.overrides);
  return cfg;
}

std::string_view HelpText() {
  static const std::string text = BuildHelpText();
  return text;
}

const std::vector<std::string_view>& ConfigNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const Setting& s : kSettings) {
      out.push_back(s.name);
    }
    // Redis's CONFIG GET also answers under the older names, so clients that read a
    // setting by its ziplist name and write it back keep working.
    for (const Setting& s : kSettings) {
      if (!s.alias.empty()) out.push_back(s.alias);
    }
    return out;
  }();
  return names;
}

bool IsConfigAlias(std::string_view name) {
  const Setting* s = FindSetting(name, /*ignore_case=*/true);
  return s != nullptr && !EqualsIgnoreCase(s->name, name);
}

std::optional<std::string> GetConfigValue(const Config& cfg, std::string_view name) {
  const Setting* s = FindSetting(name, /*ignore_case=*/true);
  if (s == nullptr) {
    return std::nullopt;
  }
  return Format(*s, cfg);
}

SetResult SetConfigValue(Config& cfg, std::string_view name, std::string_view value,
                         bool at_startup) {
  const Setting* s = FindSetting(name, /*ignore_case=*/true);
  if (s == nullptr) {
    return {SetResult::kUnknown,
            "Unknown option or number of arguments for CONFIG SET - '" + std::string(name) + "'"};
  }
  if (!at_startup && s->change == Change::kStartupOnly) {
    return {SetResult::kImmutable, "can't set immutable config"};
  }
  if (!at_startup && s->change == Change::kProtected) {
    return {SetResult::kImmutable, "can't set protected config"};
  }
  Parsed parsed = ParseText(*s, value);
  if (const Problem* p = std::get_if<Problem>(&parsed)) {
    return {SetResult::kInvalid, RedisReason(*s, *p)};
  }
  Store(*s, std::get<Value>(std::move(parsed)), cfg);
  return {SetResult::kOk, ""};
}

bool IsRuntimeSettable(std::string_view name) {
  const Setting* s = FindSetting(name, /*ignore_case=*/true);
  return s != nullptr && s->change == Change::kRuntime;
}

std::vector<std::string_view> DiffConfig(const Config& a, const Config& b) {
  std::vector<std::string_view> changed;
  for (const Setting& s : kSettings) {
    if (!SameValue(s, a, b)) {
      changed.push_back(s.name);
    }
  }
  return changed;
}

OutputBufferLimits ParseOutputBufferLimits(std::string_view stored) {
  OutputBufferLimits limits;
  auto parsed = ParseObufGroups(stored);
  if (const auto* groups = std::get_if<std::vector<ObufGroup>>(&parsed)) {
    for (const ObufGroup& g : *groups) {
      (g.cls == 0 ? limits.normal : g.cls == 1 ? limits.replica : limits.pubsub) = g.limit;
    }
  }
  return limits;
}

std::string_view PolicyName(EvictionPolicy policy) {
  return ChoiceName(kPolicies, static_cast<uint8_t>(policy));
}

std::string_view LogLevelName(LogLevel level) {
  return ChoiceName(kLogLevels, static_cast<uint8_t>(level));
}

std::string FormatMemory(uint64_t bytes) {
  // Redis's bytesToHuman: 1024-based, two decimals, plain bytes below 1K.
  // Beyond 1024P, plain bytes again, as Redis does.
  char buf[32];
  if (bytes >= 1024) {
    int shift = 10;  // bytes per unit: 1 << shift
    for (char unit : {'K', 'M', 'G', 'T', 'P'}) {
      if (bytes < (uint64_t{1} << (shift + 10))) {
        std::snprintf(buf, sizeof buf, "%.2f%c",
                      static_cast<double>(bytes) / static_cast<double>(uint64_t{1} << shift), unit);
        return buf;
      }
      shift += 10;
    }
  }
  std::snprintf(buf, sizeof buf, "%lluB", static_cast<unsigned long long>(bytes));
  return buf;
}

std::optional<uint32_t> KeyspaceEventFlags(std::string_view classes) {
  uint32_t flags = 0;
  for (char c : classes) {
    switch (c) {
      case 'A': flags |= kNotifyAll; break;
      case 'g': flags |= kNotifyGeneric; break;
      case '$': flags |= kNotifyString; break;
      case 'l': flags |= kNotifyList; break;
      case 's': flags |= kNotifySet; break;
      case 'h': flags |= kNotifyHash; break;
      case 'z': flags |= kNotifyZset; break;
      case 'x': flags |= kNotifyExpired; break;
      case 'e': flags |= kNotifyEvicted; break;
      case 'K': flags |= kNotifyKeyspace; break;
      case 'E': flags |= kNotifyKeyevent; break;
      case 't': flags |= kNotifyStream; break;
      case 'm': flags |= kNotifyKeyMiss; break;
      case 'd': flags |= kNotifyModule; break;
      case 'n': flags |= kNotifyNew; break;
      default: return std::nullopt;
    }
  }
  return flags;
}

std::string KeyspaceEventClasses(uint32_t flags, bool keep_new) {
  std::string out;
  if ((flags & kNotifyAll) == kNotifyAll) {
    out += 'A';
    if (keep_new && (flags & kNotifyNew)) out += 'n';
  } else {
    constexpr std::pair<uint32_t, char> kOrder[] = {
        {kNotifyGeneric, 'g'}, {kNotifyString, '$'}, {kNotifyList, 'l'},
        {kNotifySet, 's'},     {kNotifyHash, 'h'},   {kNotifyZset, 'z'},
        {kNotifyExpired, 'x'}, {kNotifyEvicted, 'e'}, {kNotifyStream, 't'},
        {kNotifyModule, 'd'}};
    for (const auto& [bit, letter] : kOrder) {
      if (flags & bit) out += letter;
    }
    if (flags & kNotifyNew) out += 'n';  // as Redis, not printed next to A
  }
  if (flags & kNotifyKeyspace) out += 'K';
  if (flags & kNotifyKeyevent) out += 'E';
  if (flags & kNotifyKeyMiss) out += 'm';
  return out;
}

}  // namespace firn
