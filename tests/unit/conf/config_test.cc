#include "conf/config.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

namespace firn {
namespace {

// The message of the ConfigError that fn throws, or "" if it throws none.
template <typename Fn>
std::string ErrorOf(Fn&& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string TomlError(const std::string& text) {
  return ErrorOf([&] { ParseConfigToml(text, "test.toml"); });
}

CommandLine Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "firn-server");
  return ParseCommandLine(static_cast<int>(args.size()), args.data());
}

std::string CliError(std::vector<const char*> args) {
  return ErrorOf([&] { Parse(std::move(args)); });
}

// ---- Defaults ----

TEST_CASE("a default Config holds the documented defaults", "[conf]") {
  const Config c;
  CHECK(c.bind == std::vector<std::string>{"127.0.0.1"});
  CHECK(c.port == 6379);
  CHECK(c.unixsocket.empty());
  CHECK(c.unixsocketperm == 0);
  CHECK(c.tcp_backlog == 511);
  CHECK(c.tcp_keepalive == 300);
  CHECK(c.timeout == 0);
  CHECK(c.maxclients == 10000);
  CHECK(c.requirepass.empty());
  CHECK(c.proto_max_bulk_len == 512ull * 1024 * 1024);
  CHECK(c.client_query_buffer_limit == 1024ull * 1024 * 1024);
  CHECK(c.databases == 16);
  CHECK(c.maxmemory == 0);
  CHECK(c.maxmemory_policy == EvictionPolicy::kNoEviction);
  CHECK(c.maxmemory_samples == 5);
  CHECK(c.lfu_log_factor == 10);
  CHECK(c.lfu_decay_time == 1);
  CHECK_FALSE(c.lazyfree_lazy_user_del);
  CHECK(c.hz == 10);
  CHECK(c.dir == "/var/lib/firn");
  CHECK(c.pidfile.empty());
  CHECK(c.active_expire_effort == 1);
  CHECK(c.loglevel == LogLevel::kInfo);
  CHECK(c.logfile.empty());
  CHECK(c.metrics_bind == "127.0.0.1");
  CHECK(c.metrics_port == 9121);
  CHECK(c.metrics_max_limiters == 100);
  CHECK(c.slowlog_log_slower_than == 10000);
  CHECK(c.slowlog_max_len == 128);
  CHECK(c.latency_tracking);
  CHECK(c.config_file.empty());
}

TEST_CASE("an empty TOML file gives the defaults", "[conf]") {
  CHECK(ParseConfigToml("", "empty.toml") == Config{});
  CHECK(ParseConfigToml("# only a comment\n[network]\n", "empty.toml") == Config{});
}

TEST_CASE("the sample conf/firn.toml loads and equals the defaults", "[conf]") {
  Config sample = LoadConfigFile("conf/firn.toml");
  CHECK_FALSE(sample.config_file.empty());
  CHECK(sample.config_file.front() == '/');
  CHECK(sample.config_file.ends_with("conf/firn.toml"));
  CHECK(DiffConfig(sample, Config{}).empty());
  sample.config_file.clear();
  CHECK(sample == Config{});
}

TEST_CASE("the sample conf/firn.toml spells out every setting", "[conf]") {
  std::string text;
  {
    std::FILE* f = std::fopen("conf/firn.toml", "r");
    REQUIRE(f != nullptr);
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) {
      text.append(buf, n);
    }
    std::fclose(f);
  }
  for (std::string_view name : ConfigNames()) {
    if (firn::IsConfigAlias(name)) continue;
    INFO(name);
    CHECK(text.find("\n" + std::string(name) + " = ") != std::string::npos);
  }
}

// ---- TOML values, each kind ----

TEST_CASE("TOML settings of each kind are read into their members", "[conf]") {
  const Config c = ParseConfigToml(R"(
[network]
bind = ["0.0.0.0", "::1"]
port = 6380
unixsocket = "/run/firn/firn.sock"
unixsocketperm = 0o770
timeout = 30

[security]
requirepass = "s3cret"

[memory]
maxmemory = "64mb"
maxmemory-policy = "allkeys-lru"
lazyfree-lazy-user-del = true

[logging]
loglevel = "warning"

[slowlog]
slowlog-log-slower-than = -1
latency-tracking = false
)",
                                   "test.toml");
  CHECK(c.bind == std::vector<std::string>{"0.0.0.0", "::1"});
  CHECK(c.port == 6380);
  CHECK(c.unixsocket == "/run/firn/firn.sock");
  CHECK(c.unixsocketperm == 0770);
  CHECK(c.timeout == 30);
  CHECK(c.requirepass == "s3cret");
  CHECK(c.maxmemory == 64ull * 1024 * 1024);
  CHECK(c.maxmemory_policy == EvictionPolicy::kAllKeysLru);
  CHECK(c.lazyfree_lazy_user_del);
  CHECK(c.loglevel == LogLevel::kWarning);
  CHECK(c.slowlog_log_slower_than == -1);
  CHECK_FALSE(c.latency_tracking);
  CHECK(c.hz == 10);  // untouched settings keep their defaults
}

TEST_CASE("a setting may sit at the top level, outside any section", "[conf]") {
  const Config c = ParseConfigToml("port = 7000\nmaxmemory = 1000\n", "test.toml");
  CHECK(c.port == 7000);
  CHECK(c.maxmemory == 1000);
}

TEST_CASE("dotted keys name the section too", "[conf]") {
  CHECK(ParseConfigToml("network.port = 7001\n", "test.toml").port == 7001);
}

TEST_CASE("memory sizes take Redis units, 1000- or 1024-based, in any case", "[conf]") {
  auto maxmemory = [](const std::string& value) {
    return ParseConfigToml("[memory]\nmaxmemory = " + value + "\n", "test.toml").maxmemory;
  };
  CHECK(maxmemory("123") == 123);
  CHECK(maxmemory("\"123\"") == 123);
  CHECK(maxmemory("\"5b\"") == 5);
  CHECK(maxmemory("\"1k\"") == 1000);
  CHECK(maxmemory("\"1kb\"") == 1024);
  CHECK(maxmemory("\"1m\"") == 1000 * 1000);
  CHECK(maxmemory("\"64mb\"") == 64ull * 1024 * 1024);
  CHECK(maxmemory("\"3g\"") == 3ull * 1000 * 1000 * 1000);
  CHECK(maxmemory("\"2gb\"") == 2ull * 1024 * 1024 * 1024);
  CHECK(maxmemory("\"64MB\"") == 64ull * 1024 * 1024);
  CHECK(maxmemory("\"1Kb\"") == 1024);
  CHECK(maxmemory("\"2GB\"") == 2ull * 1024 * 1024 * 1024);
}

TEST_CASE("memory sizes reject fractions, signs, spaces and unknown units", "[conf]") {
  Config c;
  for (const char* bad : {"1.5mb", "-1", "+1", " 1mb", "1 mb", "1tb", "mb", "lots",
                          "99999999999999999999", "9999999999gb"}) {
    INFO(bad);
    const SetResult r = SetConfigValue(c, "maxmemory", bad);
    CHECK(r.kind == SetResult::kInvalid);
    CHECK(r.reason == "argument must be a memory value");
  }
  CHECK(c.maxmemory == 0);
}

TEST_CASE("an empty memory size is zero, as Redis's memtoll reads it", "[conf]") {
  Config c;
  c.maxmemory = 1024;
  CHECK(SetConfigValue(c, "maxmemory", "").kind == SetResult::kOk);
  CHECK(c.maxmemory == 0);
}

TEST_CASE("unixsocketperm is octal; a decimal TOML integer is refused", "[conf]") {
  CHECK(ParseConfigToml("[network]\nunixsocketperm = \"700\"\n", "t.toml").unixsocketperm == 0700);
  CHECK(TomlError("[network]\nunixsocketperm = 700\n") ==
        "test.toml:2: unixsocketperm: expected octal permissions like 0o770, got decimal 700");
  CHECK(TomlError("[network]\nunixsocketperm = 0o1777\n") ==
        "test.toml:2: unixsocketperm: must be between 0o0 and 0o777, got 0o1777");
}

TEST_CASE("loglevel accepts Redis's verbose and notice as debug and info", "[conf]") {
  CHECK(ParseConfigToml("[logging]\nloglevel = \"verbose\"\n", "t.toml").loglevel ==
        LogLevel::kDebug);
  CHECK(ParseConfigToml("[logging]\nloglevel = \"notice\"\n", "t.toml").loglevel ==
        LogLevel::kInfo);
  CHECK(ParseConfigToml("[logging]\nloglevel = \"ERROR\"\n", "t.toml").loglevel ==
        LogLevel::kError);
}

// ---- TOML errors ----

TEST_CASE("a bad memory value names file, line and key", "[conf]") {
  CHECK(TomlError("# limits\n\n[memory]\nmaxmemory = \"lots\"\n") ==
        "test.toml:4: maxmemory: expected a memory size like 64mb, got 'lots'");
}

TEST_CASE("an unknown setting names file, line and key", "[conf]") {
  CHECK(TomlError("[network]\nport = 1\nfoo = 2\n") == "test.toml:3: unknown setting 'foo'");
  CHECK(TomlError("\nfoo = 2\n") == "test.toml:2: unknown setting 'foo'");
}

TEST_CASE("an unknown setting that is a misspelling suggests the name", "[conf]") {
  CHECK(TomlError("[network]\ntcp_backlog = 5\n") ==
        "test.toml:2: unknown setting 'tcp_backlog' (did you mean 'tcp-backlog'?)");
}

TEST_CASE("an unknown section is an error", "[conf]") {
  CHECK(TomlError("[network]\nport = 1\n\n[replication]\nreplicaof = 1\n") ==
        "test.toml:4: unknown section [replication]");
}

TEST_CASE("a setting in another setting's section is an error", "[conf]") {
  CHECK(TomlError("[memory]\nport = 6379\n") ==
        "test.toml:2: port: belongs in section [network], not [memory]");
}

TEST_CASE("a setting given twice is an error", "[conf]") {
  CHECK(TomlError("port = 1\n[network]\nport = 2\n") ==
        "test.toml:3: port: set twice (also on line 1)");
}

TEST_CASE("a section that is not a table is an error", "[conf]") {
  CHECK(TomlError("network = 5\n") ==
        "test.toml:1: network: expected a section [network], got integer 5");
}

TEST_CASE("a value of the wrong TOML type is an error naming the expected type", "[conf]") {
  CHECK(TomlError("[network]\nport = \"6379\"\n") ==
        "test.toml:2: port: expected an integer, got string '6379'");
  CHECK(TomlError("[network]\nbind = \"127.0.0.1\"\n") ==
        "test.toml:2: bind: expected an array of strings like [\"127.0.0.1\", \"::1\"], "
        "got string '127.0.0.1'");
  CHECK(TomlError("[network]\nbind = [\"127.0.0.1\", 5]\n") ==
        "test.toml:2: bind: expected an array of strings like [\"127.0.0.1\", \"::1\"], "
        "got element integer 5");
  CHECK(TomlError("[memory]\nlazyfree-lazy-user-del = \"yes\"\n") ==
        "test.toml:2: lazyfree-lazy-user-del: expected true or false, got string 'yes'");
  CHECK(TomlError("[memory]\nmaxmemory = 1.5\n") ==
        "test.toml:2: maxmemory: expected a memory size like 64mb, got floating-point 1.5");
  CHECK(TomlError("[security]\nrequirepass = 1234\n") ==
        "test.toml:2: requirepass: expected a string, got integer 1234");
  CHECK(TomlError("[network]\nport = [1]\n") ==
        "test.toml:2: port: expected an integer, got an array");
}

TEST_CASE("an out-of-range value is an error naming the range", "[conf]") {
  CHECK(TomlError("[network]\nport = 70000\n") ==
        "test.toml:2: port: must be between 0 and 65535, got 70000");
  CHECK(TomlError("[network]\nmaxclients = 0\n") ==
        "test.toml:2: maxclients: must be at least 1, got 0");
  CHECK(TomlError("[limits]\ndatabases = 17\n") ==
        "test.toml:2: databases: must be between 1 and 16, got 17");
  CHECK(TomlError("[limits]\nproto-max-bulk-len = \"1k\"\n") ==
        "test.toml:2: proto-max-bulk-len: must be at least 1048576 bytes, got '1k'");
  CHECK(TomlError("[server]\nhz = 0\n") == "test.toml:2: hz: must be between 1 and 500, got 0");
  CHECK(TomlError("[slowlog]\nslowlog-log-slower-than = -2\n") ==
        "test.toml:2: slowlog-log-slower-than: must be at least -1, got -2");
  CHECK(TomlError("[memory]\nmaxmemory = -1\n") ==
        "test.toml:2: maxmemory: must be at least 0 bytes, got -1");
}

TEST_CASE("an unknown choice lists the accepted ones", "[conf]") {
  CHECK(TomlError("[memory]\nmaxmemory-policy = \"lru\"\n") ==
        "test.toml:2: maxmemory-policy: expected one of volatile-lru, volatile-lfu, "
        "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
        "noeviction, got 'lru'");
}

TEST_CASE("a TOML syntax error gives file, line, column and toml++'s description", "[conf]") {
  const std::string e = TomlError("[network]\nport = = 1\n");
  CHECK_THAT(e, Catch::StartsWith("test.toml:2:"));
  CHECK(e.size() > std::string("test.toml:2:8: ").size());
  CHECK(e.find('\n') == std::string::npos);
  CHECK_THAT(TomlError("[network\n"), Catch::StartsWith("test.toml:1:"));
}

TEST_CASE("a missing config file is an error naming it", "[conf]") {
  CHECK_THAT(ErrorOf([] { LoadConfigFile("/nonexistent/firn.toml"); }),
             Catch::StartsWith("/nonexistent/firn.toml: cannot read config file: "));
}

// ---- Command line ----

TEST_CASE("with no arguments the command line gives the defaults", "[conf][cli]") {
  const CommandLine cl = Parse({});
  CHECK(cl.config == Config{});
  CHECK_FALSE(cl.help);
  CHECK_FALSE(cl.version);
  CHECK_FALSE(cl.check_config);
  CHECK(cl.overrides.empty());
}

TEST_CASE("command-line options override the file, later ones winning", "[conf][cli]") {
  const CommandLine cl = Parse({"conf/firn.toml", "--port", "6380", "--maxmemory", "64mb",
                                "--port=6381", "--maxmemory-policy", "allkeys-lfu"});
  CHECK(cl.config.port == 6381);
  CHECK(cl.config.maxmemory == 64ull * 1024 * 1024);
  CHECK(cl.config.maxmemory_policy == EvictionPolicy::kAllKeysLfu);
  CHECK(cl.config.hz == 10);
  CHECK(cl.config.config_file.ends_with("conf/firn.toml"));
  CHECK(cl.overrides.size() == 4);
  CHECK(cl.overrides[2] == std::pair<std::string, std::string>{"port", "6381"});
}

TEST_CASE("a command-line value runs up to the next option", "[conf][cli]") {
  const CommandLine cl = Parse({"--bind", "127.0.0.1", "::1", "--slowlog-log-slower-than", "-1",
                                "--requirepass", "", "--lazyfree-lazy-user-del", "yes"});
  CHECK(cl.config.bind == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(cl.config.slowlog_log_slower_than == -1);
  CHECK(cl.config.requirepass.empty());
  CHECK(cl.config.lazyfree_lazy_user_del);
}

TEST_CASE("startup-only settings can be set on the command line", "[conf][cli]") {
  const CommandLine cl = Parse({"--databases", "4", "--dir", "/tmp", "--unixsocketperm", "700"});
  CHECK(cl.config.databases == 4);
  CHECK(cl.config.dir == "/tmp");
  CHECK(cl.config.unixsocketperm == 0700);
}

TEST_CASE("--help, --version and --check-config set their flags", "[conf][cli]") {
  CHECK(Parse({"--help"}).help);
  CHECK(Parse({"-h"}).help);
  CHECK(Parse({"--version"}).version);
  CHECK(Parse({"-v"}).version);
  // Help needs no readable config file and ignores bad options.
  CHECK(Parse({"/nonexistent.toml", "--bogus", "1", "--help"}).help);
  const CommandLine check = Parse({"conf/firn.toml", "--check-config", "--port", "1"});
  CHECK(check.check_config);
  CHECK_FALSE(check.help);
  CHECK(check.config.port == 1);
}

TEST_CASE("a short flag later on the line is a value, not a flag", "[conf][cli]") {
  const CommandLine cl = Parse({"--requirepass", "-v"});
  CHECK_FALSE(cl.version);
  CHECK(cl.config.requirepass == "-v");
}

TEST_CASE("command-line errors name the option", "[conf][cli]") {
  CHECK(CliError({"--foo", "1"}) == "--foo: unknown setting");
  CHECK(CliError({"--max_memory", "1"}) == "--max_memory: unknown setting");
  CHECK(CliError({"--tcp_backlog", "1"}) ==
        "--tcp_backlog: unknown setting (did you mean 'tcp-backlog'?)");
  CHECK(CliError({"--port", "abc"}) == "--port: expected an integer, got 'abc'");
  CHECK(CliError({"--port", "70000"}) == "--port: must be between 0 and 65535, got '70000'");
  CHECK(CliError({"--maxmemory", "lots"}) ==
        "--maxmemory: expected a memory size like 64mb, got 'lots'");
  CHECK(CliError({"--latency-tracking", "maybe"}) ==
        "--latency-tracking: expected yes or no, got 'maybe'");
  CHECK(CliError({"--port"}) == "--port: missing value");
  CHECK_THAT(CliError({"--port", "1", "conf/firn.toml"}),
             Catch::StartsWith("--port: expected an integer, got '1 conf/firn.toml'"));
  CHECK_THAT(CliError({"-x"}), Catch::StartsWith("unexpected argument '-x'"));
}

TEST_CASE("an unknown option is reported before the file is read", "[conf][cli]") {
  CHECK(CliError({"/nonexistent.toml", "--foo", "1"}) == "--foo: unknown setting");
  CHECK_THAT(CliError({"/nonexistent.toml", "--port", "1"}),
             Catch::StartsWith("/nonexistent.toml: cannot read config file"));
}

TEST_CASE("ReloadConfig re-reads the file and re-applies the overrides", "[conf][cli]") {
  const CommandLine cl = Parse({"conf/firn.toml", "--port", "6390"});
  Config running = cl.config;
  REQUIRE(SetConfigValue(running, "hz", "50").kind == SetResult::kOk);
  const Config reloaded = ReloadConfig(cl);
  CHECK(reloaded.port == 6390);
  CHECK(reloaded.hz == 10);
  CHECK(DiffConfig(running, reloaded) == std::vector<std::string_view>{"hz"});
  CHECK(ReloadConfig(Parse({"--port", "1"})).port == 1);
}

TEST_CASE("the help text lists every setting as an option", "[conf][cli]") {
  const std::string_view help = HelpText();
  CHECK(help.starts_with("Usage: firn-server"));
  for (std::string_view name : ConfigNames()) {
    if (firn::IsConfigAlias(name)) continue;
    INFO(name);
    CHECK(help.find("--" + std::string(name) + " ") != std::string_view::npos);
  }
}

// ---- CONFIG SET ----

TEST_CASE("CONFIG SET parses each kind of value", "[conf][config-set]") {
  Config c;
  auto set = [&](std::string_view name, std::string_view value) {
    const SetResult r = SetConfigValue(c, name, value);
    INFO(name << " " << value << ": " << r.reason);
    CHECK(r.kind == SetResult::kOk);
    CHECK(r.reason.empty());
  };
  set("port", "6380");
  set("bind", "0.0.0.0  ::1");
  set("requirepass", "pw with spaces");
  set("maxmemory", "100mb");
  set("maxmemory-policy", "VOLATILE-TTL");
  set("lazyfree-lazy-user-del", "YES");
  set("latency-tracking", "no");
  set("loglevel", "notice");
  set("slowlog-log-slower-than", "-1");
  set("MaxClients", "5");
  CHECK(c.port == 6380);
  CHECK(c.bind == std::vector<std::string>{"0.0.0.0", "::1"});
  CHECK(c.requirepass == "pw with spaces");
  CHECK(c.maxmemory == 100ull * 1024 * 1024);
  CHECK(c.maxmemory_policy == EvictionPolicy::kVolatileTtl);
  CHECK(c.lazyfree_lazy_user_del);
  CHECK_FALSE(c.latency_tracking);
  CHECK(c.loglevel == LogLevel::kInfo);
  CHECK(c.slowlog_log_slower_than == -1);
  CHECK(c.maxclients == 5);
}

TEST_CASE("CONFIG SET bind to an empty list clears it", "[conf][config-set]") {
  Config c;
  CHECK(SetConfigValue(c, "bind", "").kind == SetResult::kOk);
  CHECK(c.bind.empty());
  CHECK(GetConfigValue(c, "bind") == "");
}

TEST_CASE("a failed CONFIG SET gives Redis's reason and leaves cfg unchanged",
          "[conf][config-set]") {
  struct Case {
    const char* name;
    const char* value;
    const char* reason;
  };
  const Case cases[] = {
      {"port", "abc", "argument couldn't be parsed into an integer"},
      {"port", "", "argument couldn't be parsed into an integer"},
      {"port", "70000", "argument must be between 0 and 65535 inclusive"},
      {"timeout", "-1", "argument must be between 0 and 2147483647 inclusive"},
      {"maxclients", "0", "argument must be between 1 and 2147483647 inclusive"},
      {"slowlog-log-slower-than", "-5",
       "argument must be between -1 and 9223372036854775807 inclusive"},
      {"maxmemory", "lots", "argument must be a memory value"},
      {"proto-max-bulk-len", "10",
       "argument must be between 1048576 and 9223372036854775807 inclusive"},
      {"lazyfree-lazy-user-del", "maybe", "argument must be 'yes' or 'no'"},
      {"maxmemory-policy", "foo",
       "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
       "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"},
      {"loglevel", "loud", "argument(s) must be one of the following: debug, info, warning, error"},
      {"hz", "501", "argument must be between 1 and 500 inclusive"},
  };
  for (const Case& k : cases) {
    INFO(k.name << " " << k.value);
    Config c;
    const SetResult r = SetConfigValue(c, k.name, k.value);
    CHECK(r.kind == SetResult::kInvalid);
    CHECK(r.reason == k.reason);
    CHECK(c == Config{});
  }
}

TEST_CASE("CONFIG SET of an unknown name is kUnknown with Redis's text", "[conf][config-set]") {
  Config c;
  const SetResult r = SetConfigValue(c, "foo", "1");
  CHECK(r.kind == SetResult::kUnknown);
  CHECK(r.reason == "Unknown option or number of arguments for CONFIG SET - 'foo'");
  CHECK(c == Config{});
}

TEST_CASE("CONFIG SET refuses startup-only settings unless at startup", "[conf][config-set]") {
  for (const char* name : {"databases", "unixsocket", "unixsocketperm", "tcp-backlog", "pidfile",
                           "logfile"}) {
    INFO(name);
    Config c;
    const SetResult r = SetConfigValue(c, name, "1");
    CHECK(r.kind == SetResult::kImmutable);
    CHECK(r.reason == "can't set immutable config");
    CHECK(c == Config{});
    CHECK_FALSE(IsRuntimeSettable(name));
  }
  Config c;
  const SetResult dir = SetConfigValue(c, "dir", "/tmp");
  CHECK(dir.kind == SetResult::kImmutable);
  CHECK(dir.reason == "can't set protected config");
  CHECK(c.dir == "/var/lib/firn");

  CHECK(SetConfigValue(c, "databases", "4", /*at_startup=*/true).kind == SetResult::kOk);
  CHECK(c.databases == 4);
  CHECK(SetConfigValue(c, "dir", "/tmp", /*at_startup=*/true).kind == SetResult::kOk);
  CHECK(c.dir == "/tmp");
}

TEST_CASE("an immutable setting is refused before its value is parsed", "[conf][config-set]") {
  Config c;
  CHECK(SetConfigValue(c, "databases", "abc").kind == SetResult::kImmutable);
}

TEST_CASE("IsRuntimeSettable is true for runtime settings and false for unknown names",
          "[conf][config-set]") {
  CHECK(IsRuntimeSettable("maxmemory"));
  CHECK(IsRuntimeSettable("MAXMEMORY"));
  CHECK(IsRuntimeSettable("port"));
  CHECK(IsRuntimeSettable("bind"));
  CHECK(IsRuntimeSettable("requirepass"));
  CHECK_FALSE(IsRuntimeSettable("databases"));
  CHECK_FALSE(IsRuntimeSettable("dir"));
  CHECK_FALSE(IsRuntimeSettable("nope"));
}

// ---- CONFIG GET ----

TEST_CASE("CONFIG GET prints values as Redis does", "[conf][config-get]") {
  Config c;
  CHECK(GetConfigValue(c, "port") == "6379");
  CHECK(GetConfigValue(c, "bind") == "127.0.0.1");
  CHECK(GetConfigValue(c, "maxmemory") == "0");
  CHECK(GetConfigValue(c, "proto-max-bulk-len") == "536870912");
  CHECK(GetConfigValue(c, "client-query-buffer-limit") == "1073741824");
  CHECK(GetConfigValue(c, "maxmemory-policy") == "noeviction");
  CHECK(GetConfigValue(c, "lazyfree-lazy-user-del") == "no");
  CHECK(GetConfigValue(c, "latency-tracking") == "yes");
  CHECK(GetConfigValue(c, "loglevel") == "info");
  CHECK(GetConfigValue(c, "unixsocketperm") == "0");
  CHECK(GetConfigValue(c, "requirepass") == "");
  CHECK(GetConfigValue(c, "slowlog-log-slower-than") == "10000");
  CHECK(GetConfigValue(c, "nope") == std::nullopt);

  c.bind = {"0.0.0.0", "::1"};
  c.maxmemory = 1024;
  c.unixsocketperm = 0770;
  c.loglevel = LogLevel::kDebug;
  c.maxmemory_policy = EvictionPolicy::kAllKeysRandom;
  CHECK(GetConfigValue(c, "bind") == "0.0.0.0 ::1");
  CHECK(GetConfigValue(c, "MAXMEMORY") == "1024");
  CHECK(GetConfigValue(c, "unixsocketperm") == "770");
  CHECK(GetConfigValue(c, "loglevel") == "debug");
  CHECK(GetConfigValue(c, "maxmemory-policy") == "allkeys-random");
}

TEST_CASE("every setting's CONFIG GET value reads back through CONFIG SET unchanged",
          "[conf][config-get]") {
  Config c = ParseConfigToml(R"(
bind = ["10.0.0.1", "::1"]
unixsocketperm = 0o750
maxmemory = "3gb"
maxmemory-policy = "volatile-lfu"
loglevel = "error"
lazyfree-lazy-user-del = true
)",
                             "t.toml");
  for (std::string_view name : ConfigNames()) {
    INFO(name);
    Config copy;
    const std::optional<std::string> value = GetConfigValue(c, name);
    REQUIRE(value);
    CHECK(SetConfigValue(copy, name, *value, /*at_startup=*/true).kind == SetResult::kOk);
    CHECK(GetConfigValue(copy, name) == value);
  }
}

TEST_CASE("ConfigNames lists every setting once, in section order", "[conf][config-get]") {
  const std::vector<std::string_view>& names = ConfigNames();
  // The settings, then the older names.
  size_t first_alias = 0;
  while (first_alias < names.size() && !firn::IsConfigAlias(names[first_alias])) ++first_alias;
  REQUIRE(first_alias < names.size());
  CHECK(names.front() == "bind");
  CHECK(names[first_alias] == "list-max-ziplist-size");  // the first older name
  for (size_t i = first_alias; i < names.size(); ++i) CHECK(firn::IsConfigAlias(names[i]));
  std::vector<std::string_view> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
}

TEST_CASE("Redis's older setting names are accepted and listed after the names", "[conf][config-get]") {
  Config c;
  CHECK(SetConfigValue(c, "list-max-ziplist-size", "5").kind == SetResult::kOk);
  CHECK(c.list_max_listpack_size == 5);
  CHECK(SetConfigValue(c, "HASH-MAX-ZIPLIST-ENTRIES", "7").kind == SetResult::kOk);
  CHECK(c.hash_max_listpack_entries == 7);
  CHECK(GetConfigValue(c, "hash-max-ziplist-entries") == "7");
  const std::vector<std::string_view>& names = ConfigNames();
  CHECK(std::find(names.begin(), names.end(), "list-max-ziplist-size") > names.begin() + 30);
  CHECK(firn::IsConfigAlias("list-max-ziplist-size"));
  CHECK_FALSE(firn::IsConfigAlias("list-max-listpack-size"));
  CHECK(ParseConfigToml("list-max-ziplist-size = 3\n", "t.toml").list_max_listpack_size == 3);
}

// ---- DiffConfig, names, FormatMemory ----

TEST_CASE("DiffConfig names the settings that differ, in ConfigNames order", "[conf]") {
  Config a;
  Config b;
  CHECK(DiffConfig(a, b).empty());
  b.maxmemory = 1;
  b.bind = {"0.0.0.0"};
  b.loglevel = LogLevel::kError;
  b.config_file = "/elsewhere.toml";  // not a setting
  CHECK(DiffConfig(a, b) == std::vector<std::string_view>{"bind", "maxmemory", "loglevel"});
}

TEST_CASE("PolicyName and LogLevelName give the configuration names", "[conf]") {
  CHECK(PolicyName(EvictionPolicy::kNoEviction) == "noeviction");
  CHECK(PolicyName(EvictionPolicy::kAllKeysLru) == "allkeys-lru");
  CHECK(PolicyName(EvictionPolicy::kVolatileLru) == "volatile-lru");
  CHECK(PolicyName(EvictionPolicy::kAllKeysLfu) == "allkeys-lfu");
  CHECK(PolicyName(EvictionPolicy::kVolatileLfu) == "volatile-lfu");
  CHECK(PolicyName(EvictionPolicy::kAllKeysRandom) == "allkeys-random");
  CHECK(PolicyName(EvictionPolicy::kVolatileRandom) == "volatile-random");
  CHECK(PolicyName(EvictionPolicy::kVolatileTtl) == "volatile-ttl");
  CHECK(LogLevelName(LogLevel::kDebug) == "debug");
  CHECK(LogLevelName(LogLevel::kInfo) == "info");
  CHECK(LogLevelName(LogLevel::kWarning) == "warning");
  CHECK(LogLevelName(LogLevel::kError) == "error");
}

TEST_CASE("FormatMemory prints bytes as Redis's *_human fields", "[conf]") {
  CHECK(FormatMemory(0) == "0B");
  CHECK(FormatMemory(1023) == "1023B");
  CHECK(FormatMemory(1024) == "1.00K");
  CHECK(FormatMemory(1536) == "1.50K");
  CHECK(FormatMemory(1024 * 1024) == "1.00M");
  CHECK(FormatMemory(64ull * 1024 * 1024) == "64.00M");
  CHECK(FormatMemory(5ull * 1024 * 1024 * 1024 / 2) == "2.50G");
  CHECK(FormatMemory(1ull << 40) == "1.00T");
  CHECK(FormatMemory(1ull << 50) == "1.00P");
  CHECK(FormatMemory(1ull << 60) == "1152921504606846976B");
}

}  // namespace
}  // namespace firn

TEST_CASE("client-output-buffer-limit takes Redis's groups and keeps the classes not named",
          "[conf][config-set]") {
  firn::Config c;
  CHECK(firn::GetConfigValue(c, "client-output-buffer-limit") ==
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
  CHECK(firn::SetConfigValue(c, "client-output-buffer-limit", "pubsub 1mb 512kb 5").kind ==
        firn::SetResult::kOk);
  CHECK(firn::SetConfigValue(c, "client-output-buffer-limit", "REPLICA 1gb 0 0").kind ==
        firn::SetResult::kOk);
  CHECK(firn::GetConfigValue(c, "client-output-buffer-limit") ==
        "normal 0 0 0 slave 1073741824 0 0 pubsub 1048576 524288 5");
  const firn::OutputBufferLimits limits =
      firn::ParseOutputBufferLimits(c.client_output_buffer_limit);
  CHECK(limits.pubsub.hard_bytes == 1048576);
  CHECK(limits.pubsub.soft_bytes == 524288);
  CHECK(limits.pubsub.soft_seconds == 5);
  CHECK(limits.normal.hard_bytes == 0);
  const std::string before = c.client_output_buffer_limit;
  firn::SetResult r = firn::SetConfigValue(c, "client-output-buffer-limit", "normal 1 2");
  CHECK(r.reason == "Wrong number of arguments in buffer limit configuration.");
  r = firn::SetConfigValue(c, "client-output-buffer-limit", "master 1 2 3");
  CHECK(r.reason == "Invalid client class specified in buffer limit configuration.");
  r = firn::SetConfigValue(c, "client-output-buffer-limit", "normal 1 2 -3");
  CHECK(r.reason ==
        "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
  CHECK(c.client_output_buffer_limit == before);
}
