// Firn's configuration: the typed Config struct, how it is read from a TOML file and the
// command line, and how CONFIG GET / CONFIG SET and SIGHUP reloads map onto it.
//
// Every setting has exactly one name, Redis's own where Redis has the setting, and that
// name is used everywhere:
//   - in the TOML file, as a leaf key; sections only group ([network] port = 6379);
//   - on the command line, as an option (firn-server conf/firn.toml --port 6380);
//   - in CONFIG GET / CONFIG SET (CONFIG SET maxmemory 64mb);
//   - as the Config member, with '-' spelled '_' (maxmemory-policy -> maxmemory_policy).
// One table in config.cc lists every setting once (name, section, kind, member, bounds,
// whether it can change at runtime) and drives all four paths; adding a setting means
// adding a member here and a row there.
//
// Value syntax, shared by the command line, CONFIG SET and TOML strings:
//   integer   decimal ("6379"); TOML integers also accepted.
//   memory    bytes, or a number with a Redis unit, case-insensitive, exactly as redis.conf:
//             b, k = 1000, kb = 1024, m = 1000^2, mb = 1024^2, g = 1000^3, gb = 1024^3
//             ("64mb", "1GB"); no fractions. TOML integers are bytes.
//   octal     file permissions: "700" on the command line; 0o700 or "700" in TOML.
//   bool      "yes" / "no" on the command line and CONFIG SET; true / false in TOML.
//   choice    one of a fixed list of words, case-insensitive.
//   list      bind: space-separated on the command line and CONFIG SET; an array of
//             strings in TOML.
//
// Errors: exceptions (ConfigError) only on the startup paths (file, command line);
// CONFIG SET returns a SetResult and never throws.
//
// Thread-safety: all functions are pure or work on the Config passed in; none keep state
// beyond immutable tables.
#ifndef FIRN_CONF_CONFIG_H_
#define FIRN_CONF_CONFIG_H_

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace firn {

// maxmemory-policy: which keys are evicted when maxmemory is reached.
enum class EvictionPolicy : uint8_t {
  kNoEviction,
  kAllKeysLru,
  kVolatileLru,
  kAllKeysLfu,
  kVolatileLfu,
  kAllKeysRandom,
  kVolatileRandom,
  kVolatileTtl,
};

// loglevel. On input Redis's "verbose" means kDebug and "notice" means kInfo.
enum class LogLevel : uint8_t { kDebug, kInfo, kWarning, kError };

// tls-auth-clients: whether a TLS client must present a certificate the CA files vouch for.
enum class TlsAuthClients : uint8_t { kNo, kYes, kOptional };

// Every setting, with its default. Member names are the setting names with '_' for '-';
// the comment gives the unit and the accepted range. A Config built by any function here
// always satisfies these ranges.
struct Config {
  // [network]
  std::vector<std::string> bind{"127.0.0.1"};  // addresses to listen on; empty: none
  int port = 6379;                             // 0..65535; 0 = no TCP listener
  std::string unixsocket;                      // path; "" = no unix socket
  int unixsocketperm = 0;                      // mode bits 0..0777; 0 = leave as created
  int tcp_backlog = 511;                       // listen(2) backlog, 0..INT_MAX
  int tcp_keepalive = 300;                     // seconds, 0..INT_MAX; 0 = off
  int timeout = 0;                             // idle client seconds, 0..INT_MAX; 0 = never
  int maxclients = 10000;                      // 1..INT_MAX
  // Microseconds the loop keeps polling for input, without sleeping, after serving some while
  // traffic is dense (server/server.h), 0..10000; 0 = always sleep when idle.
  int busy_poll_us = 100;

  // [security]
  std::string requirepass;  // "" = no AUTH required (the default user's password)
  std::string aclfile;      // users in Redis's aclfile format; "" = none
  int acllog_max_len = 128;  // entries ACL LOG keeps
  // Without a password, refuse clients connecting from a non-loopback address (-DENIED).
  bool protected_mode = true;
  // rename-command: pairs of a command's name and its new name ("" or "\"\"" removes it),
  // e.g. ["flushall", "", "config", "cfg-3f9b"]; startup only.
  std::vector<std::string> rename_command;

  // [tls] (server/tls.h). Files are read when the TLS context is built: at start, on SIGHUP
  // and when CONFIG SET changes a tls-* setting while tls-port is on.
  int tls_port = 0;                    // 0..65535; 0 = no TLS listener
  std::string tls_cert_file;           // PEM certificate (chain) the server presents
  std::string tls_key_file;            // PEM private key of tls-cert-file
  std::string tls_key_file_pass;       // passphrase of tls-key-file; "" = none
  std::string tls_client_cert_file;    // for outgoing connections (Firn makes none): checked only
  std::string tls_client_key_file;
  std::string tls_client_key_file_pass;
  std::string tls_dh_params_file;      // PEM DH parameters for DHE ciphers; "" = OpenSSL's
  std::string tls_ca_cert_file;        // CA certificates that vouch for client certificates
  std::string tls_ca_cert_dir;         // a directory of hashed CA certificates (c_rehash)
  TlsAuthClients tls_auth_clients = TlsAuthClients::kYes;
  std::string tls_protocols;           // "TLSv1.2 TLSv1.3" when ""; any of TLSv1..TLSv1.3
  std::string tls_ciphers;             // OpenSSL cipher list for TLSv1.2 and below; "" = default
  std::string tls_ciphersuites;        // TLSv1.3 cipher suites; "" = OpenSSL's default
  bool tls_prefer_server_ciphers = false;
  bool tls_session_caching = true;     // resumption through the server's session cache
  int tls_session_cache_size = 20480;  // sessions cached, 0..INT_MAX (0: OpenSSL's default)
  int tls_session_cache_timeout = 300;  // seconds a cached session lives, 0..INT_MAX

  // [limits]
  uint64_t proto_max_bulk_len = 512ull << 20;       // bytes, >= 1mb
  uint64_t client_query_buffer_limit = 1ull << 30;  // bytes, >= 1mb
  int databases = 16;                               // 1..16; startup only
  // Output-buffer limits per client class, in CONFIG GET's form: "<class> <hard bytes> <soft
  // bytes> <soft seconds>" for normal, slave (replicas) and pubsub; 0 = no limit. CONFIG SET
  // and the file may name only some classes ("pubsub 32mb 8mb 60"); the others keep theirs.
  // Client eviction (modules/client_eviction.h): "0" off, bytes, or "N%" of maxmemory.
  std::string maxmemory_clients = "0";
  std::string client_output_buffer_limit =
      "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";
  int64_t tracking_table_max_keys = 1000000;  // keys CLIENT TRACKING remembers; 0 = no limit

  // [memory]
  uint64_t maxmemory = 0;  // bytes; 0 = no limit
  EvictionPolicy maxmemory_policy = EvictionPolicy::kNoEviction;
  int maxmemory_samples = 5;            // keys sampled per eviction, 1..64
  int lfu_log_factor = 10;              // 0..INT_MAX
  int lfu_decay_time = 1;               // minutes, 0..INT_MAX
  bool lazyfree_lazy_user_del = false;  // DEL behaves like UNLINK
  bool lazyfree_lazy_user_flush = false;  // FLUSHALL/FLUSHDB without a mode flush ASYNC
  bool lazyfree_lazy_eviction = false;    // evicted big values freed in the background
  bool lazyfree_lazy_expire = false;      // expired big values freed in the background
  bool lazyfree_lazy_server_del = false;  // overwritten/server-deleted big values likewise

  // [collections] Redis's thresholds for the compact encodings.
  int list_max_listpack_size = -2;  // > 0: elements per list node; -1..-5: 4..64 KiB a node
  int list_compress_depth = 0;      // accepted for Redis's clients; Firn does not compress nodes
  int64_t hash_max_listpack_entries = 512;  // fields a compact (listpack) hash holds
  int64_t hash_max_listpack_value = 64;     // bytes of the longest field or value it holds
  // Firn-only: a compact hash of at least this many bytes (and at most 1 KiB,
  // Hash::Limits::compress_max_bytes) is kept LZF-compressed when that saves a quarter;
  // 0 = never. Bytes, 0..2^30.
  int64_t hash_compress_min_bytes = 256;
  int64_t set_max_intset_entries = 512;     // members an all-integer (intset) set holds
  int64_t zset_max_listpack_entries = 128;  // members a compact (listpack) sorted set holds
  int64_t zset_max_listpack_value = 64;     // bytes of the longest member it holds
  uint64_t hll_sparse_max_bytes = 3000;     // bytes past which a sparse HyperLogLog turns dense
  int64_t stream_node_max_bytes = 4096;     // bytes of a stream node (0: no cap)
  int64_t stream_node_max_entries = 100;    // entries of a stream node (0: no cap)

  // [server]
  int hz = 10;                        // background task runs/second, 1..500
  std::string dir = "/var/lib/firn";  // working directory; not checked here
  std::string pidfile;                // "" = no pid file
  int active_expire_effort = 1;       // 1..10
  // Keyspace notifications: Redis's class letters, kept in Redis's normalized form ("AKE");
  // "" = off. KeyspaceEventFlags below turns it into flags.
  std::string notify_keyspace_events;
  // A script running this long (ms) makes other clients get -BUSY and may be killed (SCRIPT
  // KILL, FUNCTION KILL); 0..INT64_MAX. Redis's older name: lua-time-limit.
  int64_t busy_reply_threshold = 5000;

  // [persistence] Snapshots in Redis's RDB format (modules/persist.h).
  // Snapshot rules, Redis's syntax: pairs "seconds changes" ("3600 1 300 100 60 10000"), a
  // BGSAVE when at least `changes` writes happened within `seconds`; "" = none (the default:
  // docs/compatibility.md).
  std::string save;
  std::string dbfilename = "dump.rdb";    // the snapshot's file name inside dir
  bool rdbcompression = true;             // LZF for strings over 20 bytes
  bool rdbchecksum = true;                // a CRC64 trailer (else 8 zero bytes)
  bool stop_writes_on_bgsave_error = true;  // -MISCONF to writes after a failed save
  // The append-only file (modules/aof.h), Redis 7.0's layout under dir/appenddirname.
  bool appendonly = false;                  // CONFIG SET yes/no starts/stops it (a rewrite)
  std::string appendfilename = "appendonly.aof";  // startup only
  std::string appenddirname = "appendonlydir";    // startup only
  std::string appendfsync = "everysec";     // always | everysec | no
  bool aof_load_truncated = true;           // cut a last command cut short, else refuse to start
  bool aof_use_rdb_preamble = true;         // the base file is an RDB snapshot, else RESP
  // Automatic rewrite: once the files have grown this many percent over their size after the
  // last rewrite (0 = never) and are over the minimum size.
  int auto_aof_rewrite_percentage = 100;
  uint64_t auto_aof_rewrite_min_size = 64ull << 20;

  // [logging]
  LogLevel loglevel = LogLevel::kInfo;
  std::string logfile;  // "" = stderr

  // [metrics]
  std::string metrics_bind = "127.0.0.1";
  int metrics_port = 9121;         // 0..65535; 0 = no exporter
  int metrics_tls_port = 0;        // 0..65535; GET /metrics over TLS (server/metrics_tls.h); 0 = off
  int metrics_max_limiters = 100;  // distinct limiter labels, 1..100000

  // [slowlog]
  int64_t slowlog_log_slower_than = 10000;  // microseconds; -1 = off, 0 = all
  int64_t slowlog_max_len = 128;            // entries, 0..INT64_MAX
  bool latency_tracking = true;
  // LATENCY's event monitor: commands (and other events) taking at least this many ms are
  // logged; 0 = off, as Redis.
  int64_t latency_monitor_threshold = 0;

  // Not a setting: the absolute path of the file this Config was loaded from, "" if none.
  // SIGHUP reloads it (see ReloadConfig).
  std::string config_file;

  bool operator==(const Config&) const = default;
};

// A configuration the server cannot start with. Thrown only at startup. what() is one
// line, naming where the problem is:
//   file value:    "conf/firn.toml:12: maxmemory: expected a memory size like 64mb, got 'lots'"
//   unknown key:   "conf/firn.toml:3: unknown setting 'foo'"
//   TOML syntax:   "conf/firn.toml:4:9: <toml++'s description>"
//   command line:  "--port: must be between 0 and 65535, got 70000"
class ConfigError : public std::runtime_error {
 public:
  using runtime_error::runtime_error;
};

// What the command line asked for.
struct CommandLine {
  Config config;  // the file (if any), then the overrides, applied
  bool help = false;
  bool version = false;
  bool check_config = false;
  // The --name value overrides in the order given, names without "--"; ReloadConfig
  // applies them again on top of the reloaded file.
  std::vector<std::pair<std::string, std::string>> overrides;
};

// Parses argv: firn-server [CONFIG.toml] [--name value ...] [--help] [--version]
// [--check-config]. The config file, if any, must be the first argument; it loads first,
// then the overrides apply in order, so later ones win. An option's value is every
// following argument up to the next "--option", joined by spaces (--bind 127.0.0.1 ::1);
// "--name=value" also works. "-h" and "-v" are short for --help and --version. When help
// or version is asked for, nothing else is parsed or loaded and config holds the defaults.
// Throws ConfigError: "--name: reason" for a bad option or value (unknown options
// included), or the file's error.
CommandLine ParseCommandLine(int argc, const char* const* argv);

// Reads and validates a TOML file. Every setting not in the file keeps its default;
// config_file is set to the file's absolute path. Throws ConfigError for an unreadable
// file, a TOML syntax error, an unknown section or setting, a value of the wrong type or
// out of range, or a setting placed in another setting's section. A setting may also sit
// at the top level, outside any section.
Config LoadConfigFile(const std::string& path);

// LoadConfigFile's parser on text in memory; source_name is used in error messages only
// (config_file stays ""). Throws ConfigError.
Config ParseConfigToml(std::string_view text, const std::string& source_name);

// For SIGHUP: the file cl.config was loaded from, read again, with cl's command-line
// overrides applied on top, as at startup. Returns the defaults plus overrides if no
// file was given. Throws ConfigError; the caller keeps running on its current Config.
Config ReloadConfig(const CommandLine& cl);

// The --help text: usage, flags, and every setting by section with its default.
std::string_view HelpText();

// ---- CONFIG GET / CONFIG SET ----

// Every setting name, in a stable order (grouped by section, as in conf/firn.toml), then
// Redis's older names of some of them (list-max-ziplist-size...), as Redis's CONFIG GET lists.
const std::vector<std::string_view>& ConfigNames();
// Whether name (any case) is one of those older names rather than a setting's own.
bool IsConfigAlias(std::string_view name);

// The value as CONFIG GET prints it: integers in decimal, memory sizes in plain bytes,
// bools "yes"/"no", unixsocketperm in octal ("700"), bind space-joined, choices by name.
// nullopt if name is not a setting (names are case-insensitive, as in Redis).
std::optional<std::string> GetConfigValue(const Config& cfg, std::string_view name);

// The outcome of SetConfigValue. reason is Redis's text, what follows
// "ERR CONFIG SET failed (possibly related to argument 'NAME') - " in its reply, except
// for kUnknown whose reason is the whole message after "ERR ":
//   kOk         ""
//   kUnknown    "Unknown option or number of arguments for CONFIG SET - 'NAME'"
//   kInvalid    e.g. "argument couldn't be parsed into an integer",
//               "argument must be between 0 and 65535 inclusive",
//               "argument must be a memory value", "argument must be 'yes' or 'no'",
//               "argument(s) must be one of the following: noeviction, allkeys-lru, ..."
//   kImmutable  "can't set immutable config" (dir: "can't set protected config", as Redis)
struct SetResult {
  enum Kind { kOk, kUnknown, kInvalid, kImmutable } kind;
  std::string reason;
};

// Sets one setting from its text form, as CONFIG SET does (name case-insensitive). On
// any failure cfg is left unchanged. at_startup = true also allows the settings that
// cannot change at runtime (the command line uses it). Never throws.
SetResult SetConfigValue(Config& cfg, std::string_view name, std::string_view value,
                         bool at_startup = false);

// True if CONFIG SET may change name on a running server; false for startup-only
// settings (databases, unixsocket, unixsocketperm, tcp-backlog, dir, pidfile, logfile,
// metrics-bind, metrics-port, rename-command) and unknown names.
bool IsRuntimeSettable(std::string_view name);

// For SIGHUP reload: the names of the settings whose values differ between a and b, in
// ConfigNames() order. config_file is not a setting and is not compared.
std::vector<std::string_view> DiffConfig(const Config& a, const Config& b);

// The configuration names: "allkeys-lru", "info", ...
// notify-keyspace-events' classes, as bits (Redis's letters in the comments).
enum KeyspaceEventFlag : uint32_t {
  kNotifyKeyspace = 1u << 0,   // K: __keyspace@<db>__:<key> channels
  kNotifyKeyevent = 1u << 1,   // E: __keyevent@<db>__:<event> channels
  kNotifyGeneric = 1u << 2,    // g: DEL, EXPIRE, RENAME, ...
  kNotifyString = 1u << 3,     // $
  kNotifyList = 1u << 4,       // l
  kNotifySet = 1u << 5,        // s
  kNotifyHash = 1u << 6,       // h
  kNotifyZset = 1u << 7,       // z
  kNotifyExpired = 1u << 8,    // x
  kNotifyEvicted = 1u << 9,    // e
  kNotifyStream = 1u << 10,    // t
  kNotifyKeyMiss = 1u << 11,   // m (not part of A)
  kNotifyModule = 1u << 12,    // d
  kNotifyNew = 1u << 13,       // n (not part of A)
  // A: every class but m and n.
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};
// The flags for a notify-keyspace-events value, or nullopt if it has a letter Redis does not
// know.
std::optional<uint32_t> KeyspaceEventFlags(std::string_view classes);
// Redis's normalized spelling of flags: "A" for all of A's classes, else the letters in
// Redis's order, then K, E and m.
// keep_new: also print n next to A (the stored form; CONFIG GET leaves it out, as Redis).
std::string KeyspaceEventClasses(uint32_t flags, bool keep_new = false);

// One client class's output-buffer limit: closed past hard_bytes at once, or past soft_bytes
// for more than soft_seconds in a row. 0 bytes: no such limit.
struct OutputBufferLimit {
  uint64_t hard_bytes = 0;
  uint64_t soft_bytes = 0;
  int64_t soft_seconds = 0;
};
struct OutputBufferLimits {
  OutputBufferLimit normal;
  OutputBufferLimit replica;
  OutputBufferLimit pubsub;
};
// The limits a stored client-output-buffer-limit value (Config's form, always valid) says.
OutputBufferLimits ParseOutputBufferLimits(std::string_view stored);

std::string_view PolicyName(EvictionPolicy policy);
std::string_view LogLevelName(LogLevel level);

// Bytes in Redis's *_human form (INFO used_memory_human): "512B", "1.00K", "64.00M",
// "2.50G" (1024-based, two decimals; T and P beyond, as Redis).
std::string FormatMemory(uint64_t bytes);

}  // namespace firn

#endif  // FIRN_CONF_CONFIG_H_
