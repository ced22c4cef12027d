#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "../command_harness.h"
#include "fake_server_hooks.h"

using firn::Config;
using firn::Proto;
using firn::testing::CommandHarness;
using firn::testing::FakeServerHooks;

namespace {

// The payload of a RESP2 bulk string reply.
std::string BulkPayload(const std::string& reply) {
  size_t crlf = reply.find("\r\n");
  return reply.substr(crlf + 2, reply.size() - crlf - 4);
}

// INFO text -> section title -> field -> value.
std::map<std::string, std::map<std::string, std::string>> ParseInfo(const std::string& text) {
  std::map<std::string, std::map<std::string, std::string>> out;
  std::string section;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find("\r\n", pos);
    std::string line = text.substr(pos, end - pos);
    pos = end + 2;
    if (line.rfind("# ", 0) == 0) {
      section = line.substr(2);
      out[section];
    } else if (!line.empty()) {
      size_t colon = line.find(':');
      out[section][line.substr(0, colon)] = line.substr(colon + 1);
    }
  }
  return out;
}

std::vector<std::string> Titles(const std::string& text) {
  std::vector<std::string> titles;
  for (const auto& [title, fields] : ParseInfo(text)) titles.push_back(title);
  return titles;
}

}  // namespace

TEST_CASE("INFO prints Redis's default sections with CRLF lines", "[server]") {
  CommandHarness h;
  std::string text = BulkPayload(h.Run({"INFO"}));
  CHECK(text.rfind("# Server\r\nredis_version:7.0.15\r\nfirn_version:", 0) == 0);
  CHECK(text.find("\r\n\r\n# Clients\r\n") != std::string::npos);
  CHECK(text.find('\n') == text.find("\r\n") + 1);
  auto info = ParseInfo(text);
  for (const char* s : {"Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                        "Modules", "Errorstats", "Cluster", "Keyspace", "Ratelimit"}) {
    CHECK(info.count(s) == 1);
  }
  CHECK(info.count("Commandstats") == 0);
  CHECK(info["Server"]["redis_mode"] == "standalone");
  CHECK(info["Server"]["hz"] == "10");
  CHECK(info["Clients"]["maxclients"] == "10000");
  CHECK(info["Memory"]["maxmemory_policy"] == "noeviction");
  CHECK(info["Memory"].count("used_memory_human") == 1);
  CHECK(info["Memory"].count("mem_allocator") == 1);
  CHECK(info["Persistence"]["loading"] == "0");
  CHECK(info["Persistence"]["rdb_changes_since_last_save"] == "0");
  CHECK(info["Replication"]["role"] == "master");
  CHECK(info["Replication"]["connected_slaves"] == "0");
  CHECK(info["CPU"].count("used_cpu_sys") == 1);
  CHECK(info["Cluster"]["cluster_enabled"] == "0");
}

TEST_CASE("INFO section arguments select sections, any case; unknown ones are ignored",
          "[server]") {
  CommandHarness h;
  CHECK(Titles(BulkPayload(h.Run({"INFO", "server", "STATS"}))) ==
        std::vector<std::string>{"Server", "Stats"});
  CHECK(BulkPayload(h.Run({"INFO", "keyspace"})) == "# Keyspace\r\n");
  CHECK(h.Run({"INFO", "nosuch"}) == "$0\r\n\r\n");
  auto all = ParseInfo(BulkPayload(h.Run({"INFO", "all"})));
  CHECK(all.count("Commandstats") == 1);
  CHECK(all.count("Server") == 1);
  CHECK(ParseInfo(BulkPayload(h.Run({"INFO", "everything"}))).count("Commandstats") == 1);
  auto both = ParseInfo(BulkPayload(h.Run({"INFO", "default", "commandstats"})));
  CHECK(both.count("Commandstats") == 1);
  CHECK(both.count("Keyspace") == 1);
}

TEST_CASE("INFO is a verbatim string in RESP3", "[server]") {
  CommandHarness h;
  h.client.proto = Proto::kResp3;
  std::string reply = h.Run({"INFO", "cluster"});
  CHECK(reply == "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
}

TEST_CASE("INFO keyspace counts keys, volatile keys and their average TTL", "[server]") {
  CommandHarness h;
  h.Run({"SET", "a", "1"});
  h.Run({"SELECT", "2"});
  h.Run({"SET", "b", "1", "PX", "100000"});
  h.Run({"SET", "c", "1"});
  auto ks = ParseInfo(BulkPayload(h.Run({"INFO", "keyspace"})))["Keyspace"];
  CHECK(ks.size() == 2);
  CHECK(ks["db0"] == "keys=1,expires=0,avg_ttl=0");
  CHECK(ks["db2"].rfind("keys=2,expires=1,avg_ttl=", 0) == 0);
}

TEST_CASE("INFO stats and ratelimit read the engine's counters", "[server]") {
  CommandHarness h;
  h.engine.stats.total_connections_received = 12;
  h.engine.stats.net_input_bytes = 345;
  h.engine.ratelimit.allowed = 7;
  h.engine.ratelimit.limited = 2;
  h.engine.stats.start_time_ms = h.now_ms - 90061000;  // 1 day, 1 h, 1 min, 1 s ago
  h.engine.stats.tcp_port = 6390;
  h.Run({"SET", "k", "v"});
  h.Run({"GET", "k"});
  h.Run({"GET", "nope"});
  auto info = ParseInfo(BulkPayload(h.Run({"INFO"})));
  CHECK(info["Stats"]["total_connections_received"] == "12");
  CHECK(info["Stats"]["total_net_input_bytes"] == "345");
  CHECK(info["Stats"]["total_commands_processed"] == "3");
  CHECK(info["Stats"]["keyspace_hits"] == "1");
  CHECK(info["Stats"]["keyspace_misses"] == "1");
  CHECK(info["Stats"]["instantaneous_ops_per_sec"] == "0");
  CHECK(info["Ratelimit"]["ratelimit_allowed"] == "7");
  CHECK(info["Ratelimit"]["ratelimit_limited"] == "2");
  CHECK(info["Server"]["uptime_in_seconds"] == "90061");
  CHECK(info["Server"]["uptime_in_days"] == "1");
  CHECK(info["Server"]["tcp_port"] == "6390");
  CHECK(info["Server"]["server_time_usec"] == std::to_string(h.now_ms * 1000));
  CHECK(info["Server"]["run_id"].size() == 40);
}

TEST_CASE("INFO commandstats reports calls, failures and rejections per (sub)command", "[server]") {
  CommandHarness h;
  h.Run({"SET", "s", "abc"});
  h.Run({"INCR", "s"});  // failed
  h.Run({"INCR"});       // rejected
  h.Run({"GET", "s"});
  h.Run({"CLIENT", "ID"});
  h.Run({"CLIENT"});  // rejected by the container
  auto cs = ParseInfo(BulkPayload(h.Run({"INFO", "commandstats"})))["Commandstats"];
  CHECK(cs["cmdstat_set"] == "calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0");
  CHECK(cs["cmdstat_incr"] == "calls=1,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=1");
  CHECK(cs["cmdstat_client|id"] ==
        "calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0");
  CHECK(cs["cmdstat_client"] ==
        "calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0");
  CHECK(cs.count("cmdstat_ping") == 0);
}

TEST_CASE("CONFIG RESETSTAT zeroes INFO's counters", "[server]") {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  h.Run({"GET", "k"});
  h.Run({"GET", "nope"});
  h.engine.stats.total_connections_received = 5;
  CHECK(h.Run({"CONFIG", "RESETSTAT"}) == "+OK\r\n");
  CHECK(h.engine.keyspace.stats().keyspace_hits == 0);
  CHECK(h.engine.keyspace.stats().keyspace_misses == 0);
  CHECK(h.engine.stats.total_connections_received == 0);
  CHECK(h.engine.commands.Find("get")->stats.calls == 0);
  auto cs = ParseInfo(BulkPayload(h.Run({"INFO", "commandstats"})))["Commandstats"];
  CHECK(cs.count("cmdstat_get") == 0);
  CHECK(h.Run({"CONFIG", "RESETSTAT", "x"}) ==
        "-ERR wrong number of arguments for 'config|resetstat' command\r\n");
}

TEST_CASE("COMMAND INFO has Redis 7's ten fields", "[server]") {
  CommandHarness h;
  // Byte for byte what redis-server 7.0.15 answers.
  CHECK(h.Run({"COMMAND", "INFO", "get"}) ==
        "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n"
        "+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n"
        "+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n"
        "$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n"
        "*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n");
  CHECK(h.Run({"COMMAND", "INFO", "config|get"}) ==
        "*1\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n"
        "+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n");
  CHECK(h.Run({"COMMAND", "INFO", "nosuch"}) == "*1\r\n$-1\r\n");
  h.client.proto = Proto::kResp3;
  CHECK(h.Run({"COMMAND", "INFO", "time"}) ==
        "*1\r\n*10\r\n$4\r\ntime\r\n:1\r\n~3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n:0\r\n"
        "~1\r\n+@fast\r\n~1\r\n$23\r\nnondeterministic_output\r\n~0\r\n~0\r\n");
}

TEST_CASE("COMMAND INFO of a container lists its subcommands", "[server]") {
  CommandHarness h;
  std::string reply = h.Run({"COMMAND", "INFO", "client"});
  CHECK(reply.rfind("*1\r\n*10\r\n$6\r\nclient\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n"
                    "*0\r\n*0\r\n*",
                    0) == 0);
  for (const char* sub : {"client|id", "client|setname", "client|getname", "client|list",
                          "client|info", "client|kill", "client|no-evict", "client|reply"}) {
    CHECK(reply.find(std::string("\r\n") + sub + "\r\n") != std::string::npos);
  }
  CHECK(reply.find("$11\r\nclient|kill\r\n:-3\r\n") != std::string::npos);
}

TEST_CASE("COMMAND, COMMAND COUNT and COMMAND LIST agree with the table", "[server]") {
  CommandHarness h;
  const size_t n = h.engine.commands.all().size();
  CHECK(h.Run({"COMMAND", "COUNT"}) == ":" + std::to_string(n) + "\r\n");
  CHECK(h.Run({"COMMAND"}).rfind("*" + std::to_string(n) + "\r\n*10\r\n", 0) == 0);
  CHECK(h.Run({"COMMAND", "INFO"}).rfind("*" + std::to_string(n) + "\r\n*10\r\n", 0) == 0);
  size_t subs = 0;
  for (const firn::Command& c : h.engine.commands.all()) subs += c.subcommands.size();
  CHECK(h.Run({"COMMAND", "LIST"}).rfind("*" + std::to_string(n + subs) + "\r\n", 0) == 0);
  CHECK(
      h.Run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "config*"}) ==
      "*6\r\n$6\r\nconfig\r\n$10\r\nconfig|get\r\n$10\r\nconfig|set\r\n$16\r\nconfig|resetstat\r\n"
      "$14\r\nconfig|rewrite\r\n$11\r\nconfig|help\r\n");
  CHECK(h.Run({"COMMAND", "LIST", "FILTERBY", "MODULE", "x"}) == "*0\r\n");
  CHECK(h.Run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"}) == "*0\r\n");
  std::string conn = h.Run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection"});
  CHECK(conn.find("$4\r\nping\r\n") != std::string::npos);
  CHECK(conn.find("$3\r\nget\r\n") == std::string::npos);
  CHECK(h.Run({"COMMAND", "LIST", "FILTERBY", "FOO", "x"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"COMMAND", "LIST", "FILTERBY", "PATTERN"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"COMMAND", "COUNT", "x"}) ==
        "-ERR wrong number of arguments for 'command|count' command\r\n");
  CHECK(h.Run({"COMMAND", "FOO"}) == "-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n");
}

TEST_CASE("COMMAND DOCS gives Redis's argument trees", "[server]") {
  CommandHarness h;
  // SET's: the key, the value, then oneof/pure-token groups with their tokens.
  std::string set = h.Run({"COMMAND", "DOCS", "set"});
  CHECK(set.rfind("*2\r\n$3\r\nset\r\n*10\r\n$7\r\nsummary\r\n", 0) == 0);
  CHECK(set.find(
            "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n"
            "$4\r\nO(1)\r\n$9\r\narguments\r\n*5\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n"
            "$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n*4\r\n$4\r\nname\r\n$5\r\nvalue\r\n"
            "$4\r\ntype\r\n$6\r\nstring\r\n*8\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n"
            "$5\r\noneof\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n"
            "$4\r\nname\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n"
            "$2\r\nNX\r\n") != std::string::npos);
  CHECK(set.find("$10\r\nexpiration\r\n") != std::string::npos);
  CHECK(h.Run({"COMMAND", "DOCS", "nosuch"}) == "*0\r\n");
  h.client.proto = Proto::kResp3;
  CHECK(h.Run({"COMMAND", "DOCS", "nosuch", "get"}).rfind("%1\r\n$3\r\nget\r\n%5\r\n", 0) == 0);
  // A container's docs carry its subcommands'.
  std::string client = h.Run({"COMMAND", "DOCS", "client"});
  CHECK(client.find("$11\r\nsubcommands\r\n%") != std::string::npos);
  CHECK(client.find("$11\r\nclient|list\r\n%") != std::string::npos);
  // With no names: every command.
  std::string all = h.Run({"COMMAND", "DOCS"});
  CHECK(all.rfind("%" + std::to_string(h.engine.commands.all().size()) + "\r\n", 0) == 0);
}

TEST_CASE("COMMAND GETKEYS finds the keys of a command line", "[server]") {
  CommandHarness h;
  CHECK(h.Run({"COMMAND", "GETKEYS", "mset", "a", "b", "c", "d"}) ==
        "*2\r\n$1\r\na\r\n$1\r\nc\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "GET", "k"}) == "*1\r\n$1\r\nk\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "get", "a", "b"}) ==
        "-ERR Invalid number of arguments specified for command\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "ping", "x"}) == "-ERR The command has no key arguments\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "nosuch", "a"}) == "-ERR Invalid command specified\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "get"}) ==
        "-ERR wrong number of arguments for 'command|getkeys' command\r\n");
}

TEST_CASE("CONFIG GET matches globs without case and answers a map", "[server]") {
  CommandHarness h;
  CHECK(h.Run({"CONFIG", "GET", "maxmemory"}) == "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
  CHECK(h.Run({"CONFIG", "GET", "MAXMEMORY"}) == "*2\r\n$9\r\nMAXMEMORY\r\n$1\r\n0\r\n");
  CHECK(h.Run({"CONFIG", "GET", "maxmem?ry", "nosuch", "maxmemory"}) ==
        "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
  CHECK(h.Run({"CONFIG", "GET", "no-such-parameter"}) == "*0\r\n");
  // Every setting but rename-command, a directive in Redis that CONFIG GET never lists.
  std::string star = h.Run({"CONFIG", "GET", "*"});
  CHECK(star.rfind("*" + std::to_string(2 * (firn::ConfigNames().size() - 1)) + "\r\n", 0) == 0);
  CHECK(star.find("rename-command") == std::string::npos);
  CHECK(h.Run({"CONFIG", "GET"}) == "-ERR wrong number of arguments for 'config|get' command\r\n");
  h.client.proto = Proto::kResp3;
  CHECK(h.Run({"CONFIG", "GET", "maxmemory"}) == "%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
}

TEST_CASE("CONFIG SET applies values and tells the server", "[server]") {
  CommandHarness h;
  FakeServerHooks hooks;
  h.engine.hooks = &hooks;
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "64mb"}) == "+OK\r\n");
  CHECK(h.engine.config.maxmemory == 64ull << 20);
  CHECK(h.Run({"CONFIG", "SET", "MAXMEMORY-POLICY", "allkeys-lru", "hz", "20"}) == "+OK\r\n");
  CHECK(h.engine.config.maxmemory_policy == firn::EvictionPolicy::kAllKeysLru);
  CHECK(h.engine.config.hz == 20);
  CHECK(hooks.config_changes == std::vector<std::string>{"maxmemory", "maxmemory-policy", "hz"});
  CHECK(h.Run({"CONFIG", "GET", "hz"}) == "*2\r\n$2\r\nhz\r\n$2\r\n20\r\n");
}

TEST_CASE("CONFIG SET refuses with Redis 7's texts and changes nothing", "[server]") {
  CommandHarness h;
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "abc"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be "
        "a memory value\r\n");
  CHECK(h.Run({"CONFIG", "SET", "nosuch", "1"}) ==
        "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n");
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "1mb", "maxmemory"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "1mb", "maxmemory", "2mb"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate "
        "parameter\r\n");
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "abc", "nosuch", "1"}) ==
        "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n");
  CHECK(h.Run({"CONFIG", "SET", "databases", "3"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
        "immutable config\r\n");
  CHECK(h.Run({"CONFIG", "SET", "timeout", "-1"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be "
        "between 0 and 2147483647 inclusive\r\n");
  // All or nothing: the good first value is not applied when the second is bad.
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "2gb", "maxmemory-policy", "nonsense"})
            .rfind("-ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - ",
                   0) == 0);
  CHECK(h.engine.config.maxmemory == 0);
  CHECK(h.Run({"CONFIG", "SET", "maxmemory"}) ==
        "-ERR wrong number of arguments for 'config|set' command\r\n");
}

TEST_CASE("CONFIG REWRITE, HELP and unknown subcommands", "[server]") {
  CommandHarness h;
  CHECK(h.Run({"CONFIG", "REWRITE"}) == "-ERR The server is running without a config file\r\n");
  h.engine.config.config_file = "/etc/firn/firn.toml";
  CHECK(h.Run({"CONFIG", "REWRITE"}).rfind("-ERR CONFIG REWRITE is not supported", 0) == 0);
  CHECK(h.Run({"CONFIG", "HELP"})
            .rfind("*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n",
                   0) == 0);
  CHECK(h.Run({"CONFIG", "FOO"}) == "-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n");
  CHECK(h.Run({"CONFIG"}) == "-ERR wrong number of arguments for 'config' command\r\n");
}

TEST_CASE("TIME reads the command's clock", "[server]") {
  CommandHarness h;
  h.now_ms = 1700000000123;
  CHECK(h.Run({"TIME"}) == "*2\r\n$10\r\n1700000000\r\n$6\r\n123000\r\n");
  h.now_ms = 1700000001000;
  CHECK(h.Run({"TIME"}) == "*2\r\n$10\r\n1700000001\r\n$1\r\n0\r\n");
  CHECK(h.Run({"TIME", "x"}) == "-ERR wrong number of arguments for 'time' command\r\n");
}

TEST_CASE("DBSIZE, FLUSHDB and FLUSHALL", "[server]") {
  CommandHarness h;
  h.Run({"SET", "a", "1"});
  h.Run({"SET", "b", "1"});
  h.Run({"SELECT", "1"});
  h.Run({"SET", "c", "1"});
  CHECK(h.Run({"DBSIZE"}) == ":1\r\n");
  CHECK(h.Run({"FLUSHDB", "foo"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"FLUSHDB", "SYNC", "ASYNC"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"FLUSHDB", "async"}) == "+OK\r\n");
  CHECK(h.Run({"DBSIZE"}) == ":0\r\n");
  h.Run({"SELECT", "0"});
  CHECK(h.Run({"DBSIZE"}) == ":2\r\n");
  h.Run({"SELECT", "1"});
  h.Run({"SET", "c", "1"});
  CHECK(h.Run({"FLUSHALL"}) == "+OK\r\n");
  CHECK(h.engine.keyspace.TotalKeys() == 0);
  CHECK(h.Run({"FLUSHALL", "foo"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"DBSIZE", "x"}) == "-ERR wrong number of arguments for 'dbsize' command\r\n");
}

TEST_CASE("SWAPDB exchanges two databases", "[server]") {
  CommandHarness h;
  h.Run({"SET", "in0", "x"});
  CHECK(h.Run({"SWAPDB", "0", "1"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "in0"}) == "$-1\r\n");
  h.Run({"SELECT", "1"});
  CHECK(h.Run({"GET", "in0"}) == "$1\r\nx\r\n");
  CHECK(h.Run({"SWAPDB", "1", "1"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "in0"}) == "$1\r\nx\r\n");
  CHECK(h.Run({"SWAPDB", "a", "1"}) == "-ERR invalid first DB index\r\n");
  CHECK(h.Run({"SWAPDB", "1", "b"}) == "-ERR invalid second DB index\r\n");
  CHECK(h.Run({"SWAPDB", "0", "16"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.Run({"SWAPDB", "0", "-1"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.Run({"SWAPDB", "0", "1", "2"}) ==
        "-ERR wrong number of arguments for 'swapdb' command\r\n");
}

TEST_CASE("SHUTDOWN asks the server to stop and answers nothing", "[server]") {
  CommandHarness h;
  CHECK(h.Run({"SHUTDOWN"}) == "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");  // no server
  FakeServerHooks hooks;
  h.engine.hooks = &hooks;
  CHECK(h.Run({"SHUTDOWN", "FOO"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"SHUTDOWN", "NOSAVE", "SAVE"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"SHUTDOWN", "ABORT", "NOW"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"SHUTDOWN", "ABORT"}) == "-ERR No shutdown in progress.\r\n");
  CHECK_FALSE(hooks.shutdown_requested);
  CHECK(h.Run({"SHUTDOWN", "NOSAVE", "NOW", "FORCE"}).empty());
  CHECK(hooks.shutdown_requested);
}

TEST_CASE("MONITOR marks the client; a second MONITOR is silent", "[server]") {
  CommandHarness h;
  CHECK(h.Run({"MONITOR"}) == "+OK\r\n");
  CHECK(h.client.monitor);
  CHECK(h.Run({"MONITOR"}).empty());
  CHECK(h.Run({"MONITOR", "x"}) == "-ERR wrong number of arguments for 'monitor' command\r\n");
}

TEST_CASE("SAVE writes dir/dbfilename and moves LASTSAVE; a missing dir is a bare -ERR", "[server]") {
  firn::Config config;
  char dir[] = "/tmp/firn-save-test-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  config.dir = dir;
  CommandHarness h(config);
  h.engine.stats.start_time_ms = 1690000000500;
  CHECK(h.Run({"LASTSAVE"}) == ":1690000000\r\n");
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"SAVE"}) == "+OK\r\n");
  CHECK(std::filesystem::exists(std::string(dir) + "/dump.rdb"));
  CHECK(h.Run({"LASTSAVE"}) == ":" + std::to_string(h.now_ms / 1000) + "\r\n");
  CHECK(h.Run({"BGSAVE", "foo"}) == "-ERR syntax error\r\n");
  std::filesystem::remove_all(dir);
  CHECK(h.Run({"SAVE"}) == "-ERR\r\n");
  CHECK(h.Run({"INFO", "persistence"}).find("rdb_last_bgsave_status:err") != std::string::npos);
}
