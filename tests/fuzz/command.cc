// Fuzz target: the whole command path in-process (modules/dispatch.h), as tests/unit drive it:
// one Engine with a fake clock and three connected clients, the input decoded into a short
// session of commands whose names come from the command table itself (and subcommand names
// for containers), so the fuzzer reaches the handlers rather than "unknown command".
//
// Checks, besides the sanitizers: every reply a client receives is well-formed RESP, and at
// the end every key's DUMP payload is accepted by RESTORE, and the restored key DUMPs again.
//
// Nothing here may touch the filesystem, the network or fork: commands that save, load,
// replicate, shut down or debug are never chosen, nor CONFIG SET of the settings that name
// files. Scripts are left to the lua target (a script's loop has no bound by count).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/common/resp_check.h"
#include "conf/config.h"
#include "modules/blocking.h"
#include "modules/dispatch.h"
#include "modules/engine.h"
#include "tests/unit/modules/fake_server_hooks.h"

namespace {

using firn::fuzz::Require;

int64_t FakeClockUs() { return 0; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Commands that write files, fork, block on the network, stop the process, or run scripts.
constexpr std::array kExcluded = {
    "save",     "bgsave",   "bgrewriteaof", "shutdown", "debug",     "migrate",  "sync",
    "psync",    "replicaof", "slaveof",     "failover", "module",    "eval",     "evalsha",
    "eval_ro",  "evalsha_ro", "fcall",      "fcall_ro", "function",  "replconf", "monitor",
    "cluster",  "readonly", "readwrite",    "asking",
};
// Subcommands excluded the same way.
constexpr std::array kExcludedSub = {"acl|save", "acl|load", "config|rewrite"};
// Settings CONFIG SET may not change here: they name files or would lift the bounds below.
constexpr std::array kExcludedSettings = {
    "dir",     "dbfilename", "appendonly", "appendfilename", "appenddirname", "logfile",
    "aclfile", "pidfile",    "unixsocket", "daemonize",      "syslog-enabled", "save",
};
// Commands whose numeric arguments size an allocation or a reply (an offset, a count): their
// numbers are kept small so a session cannot ask for gigabytes legitimately.
constexpr std::array kSizedByArgument = {"setrange", "setbit",       "bitfield",   "bitfield_ro",
                                         "srandmember", "hrandfield", "zrandmember", "lpos",
                                         "getrange",  "substr",      "xautoclaim", "lrange"};

template <size_t N>
bool In(const std::array<const char*, N>& set, std::string_view s) {
  for (const char* x : set) {
    if (EqualsIgnoreCase(x, s)) return true;
  }
  return false;
}

constexpr std::array kEdgeValues = {
    "",      "0",     "1",    "-1",   "2",     "3",   "10",  "-0",  "+inf", "-inf", "inf", "nan",
    "0.5",   "1e308", "-1e-308", "9223372036854775807", "-9223372036854775808",
    "9223372036854775808", "4294967296", "2147483648", "*", "?", "[", "\\", "]", "^",
    "k",     "k1",    "k2",   "{t}a", "{t}b", "ch",  "ch*", "h*llo", "f", "v", "-", "+", "(1",
    "[a",    "(a",    ">",    "$",    "0-0",  "0-1", "1-*", "~", "=", "#", "%",
    "NX",    "XX",    "GT",   "LT",   "CH",   "INCR", "EX",  "PX",   "EXAT", "PXAT", "KEEPTTL",
    "GET",   "WITHSCORES", "LIMIT", "COUNT", "MATCH", "TYPE", "REV", "BYSCORE", "BYLEX",
    "LEFT",  "RIGHT", "BEFORE", "AFTER", "STORE", "BLOCK", "STREAMS", "MAXLEN", "MINID", "ID",
    "GROUP", "MKSTREAM", "NOACK", "JUSTID", "FORCE", "IDLE", "RETRYCOUNT", "ENTRIESREAD",
    "ALPHA", "DESC", "ASC", "BY", "WEIGHTS", "AGGREGATE", "MIN", "MAX", "SUM", "REPLACE",
    "ABSTTL", "FREQ", "DB", "COPY", "KEYS", "AUTH", "AUTH2", "ON", "OFF", "SKIP", "YES", "NO",
    "BCAST", "PREFIX", "REDIRECT", "OPTIN", "OPTOUT", "NOLOOP", "WRITE", "ALL", "TIMEOUT",
    "ERROR", "USER", "ADDR", "LADDR", "SKIPME", "MAXAGE", "OVERFLOW", "WRAP", "SAT", "FAIL",
    "u8",    "i16",   "u63",  "i64",  "#1",  "BIT", "BYTE", "AND", "OR", "XOR", "NOT",
    "FROMMEMBER", "FROMLONLAT", "BYRADIUS", "BYBOX", "m", "km", "WITHCOORD", "WITHDIST",
    "WITHHASH", "ANY", "STOREDIST", "13.361389", "38.115556", "200", "-200", "85.06",
    "maxmemory-policy", "allkeys-lru", "hz", "notify-keyspace-events", "KEA", "lfu-log-factor",
    "list-max-listpack-size", "hash-max-listpack-entries", "set-max-intset-entries",
    "zset-max-listpack-entries", "tracking-table-max-keys", "slowlog-log-slower-than",
    "latency-monitor-threshold", "maxmemory-clients", "client-output-buffer-limit", "on",
    "off", "nopass", ">pw", "~*", "&*", "+@all", "-@all", "allkeys", "allchannels", "reset",
    "resetkeys", "(~k* +get)", "%R~k*", "%W~k*", "+@read", "-@dangerous", "+get|x", "default",
    "alice", "pw", "3", "2", "RESP3", "HELLO", "SETNAME", "SCHEDULE", "ASYNC", "SYNC",
};

struct Client {
  firn::ClientInfo* info = nullptr;
  std::string out;
};

// Appends one argument chosen by the input: an edge value, a known key, or raw bytes.
std::string NextArgument(FuzzedDataProvider& in, bool sized) {
  const uint8_t kind = in.ConsumeIntegral<uint8_t>();
  if (kind < 140) return kEdgeValues[kind % kEdgeValues.size()];
  if (kind < 160) return std::to_string(in.ConsumeIntegralInRange<int>(-300, 300));
  if (kind < 170 && !sized) return std::to_string(in.ConsumeIntegral<int64_t>());
  std::string raw = in.ConsumeRandomLengthString(48);
  if (sized) {
    // An offset or count the input made up: keep it under a million.
    bool numeric = !raw.empty();
    for (char c : raw) numeric = numeric && (std::isdigit(static_cast<unsigned char>(c)) || c == '-');
    if (numeric && raw.size() > 6) raw.resize(6);
  }
  return raw;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);

  firn::Config config;
  config.maxmemory = 0;
  auto engine = std::make_unique<firn::Engine>(std::move(config));
  engine->clock_us = FakeClockUs;
  firn::testing::FakeServerHooks hooks;
  engine->hooks = &hooks;
  int64_t now_ms = 1700000000000;

  // The rows the input picks from: every command and subcommand not excluded.
  static const std::vector<std::pair<std::string, std::string>> rows = [] {
    firn::Config c;
    firn::Engine e(std::move(c));
    std::vector<std::pair<std::string, std::string>> v;
    for (const firn::Command& cmd : e.commands.all()) {
      if (In(kExcluded, cmd.name)) continue;
      if (cmd.subcommands.empty()) {
        v.emplace_back(std::string(cmd.name), "");
        continue;
      }
      for (const firn::Command& sub : cmd.subcommands) {
        if (In(kExcludedSub, sub.name)) continue;
        const size_t bar = sub.name.find('|');
        v.emplace_back(std::string(cmd.name),
                       std::string(bar == std::string_view::npos ? sub.name : sub.name.substr(bar + 1)));
      }
    }
    return v;
  }();

  std::array<Client, 3> clients;
  auto connect = [&](Client& c) {
    c.info = &engine->clients.Add();
    c.info->sink.buffer = &c.out;
    c.info->authenticated = true;
    hooks.clients.push_back(c.info);
  };
  auto disconnect = [&](Client& c) {
    hooks.clients.erase(std::find(hooks.clients.begin(), hooks.clients.end(), c.info));
    c.info->sink.buffer = nullptr;
    engine->clients.Remove(*c.info);
    c.info = nullptr;
  };
  for (Client& c : clients) connect(c);

  // FIRN_FUZZ_VERBOSE=1: each command and its reply on stderr, to read a crashing input.
  static const bool verbose = std::getenv("FIRN_FUZZ_VERBOSE") != nullptr;
  auto run = [&](Client& c, const std::vector<std::string>& args) {
    std::vector<std::string_view> argv(args.begin(), args.end());
    if (verbose) {
      std::fprintf(stderr, "client %llu:", static_cast<unsigned long long>(c.info->id));
      for (const std::string& a : args) std::fprintf(stderr, " [%s]", a.c_str());
      std::fprintf(stderr, "\n");
    }
    engine->clients.set_current(c.info);
    if (engine->blocking.attention()) {
      firn::DispatchWithBlocking(*engine, *c.info, argv, &c.out, now_ms);
    } else {
      firn::Dispatch(*engine, *c.info, argv, &c.out, now_ms);
    }
    engine->clients.set_current(nullptr);
    if (verbose) std::fprintf(stderr, "  -> %s\n", c.out.c_str());
  };
  auto drain = [&] {
    for (Client& c : clients) {
      if (verbose && !firn::fuzz::WellFormedReplies(c.out)) {
        std::fprintf(stderr, "malformed output to client %llu: %s\n",
                     static_cast<unsigned long long>(c.info->id), c.out.c_str());
      }
      Require(firn::fuzz::WellFormedReplies(c.out));
      c.out.clear();
    }
  };

  for (int step = 0; step < 48 && in.remaining_bytes() > 0; ++step) {
    Client& c = clients[in.ConsumeIntegralInRange<size_t>(0, clients.size() - 1)];
    const uint8_t op = in.ConsumeIntegral<uint8_t>();
    if (op >= 250) {
      // Time passes: expiries, blocking timeouts, the end of a pause.
      now_ms += in.ConsumeIntegralInRange<int64_t>(0, 100000);
      firn::ExpireBlockedClients(*engine, now_ms);
      drain();
      continue;
    }
    if (op >= 246) {
      // A connection closes and another takes its place.
      disconnect(c);
      connect(c);
      continue;
    }
    if (c.info->blocked) continue;  // the server reads nothing more from a blocked client
    const auto& [name, sub] = rows[in.ConsumeIntegralInRange<size_t>(0, rows.size() - 1)];
    std::vector<std::string> args{name};
    if (!sub.empty()) args.push_back(sub);
    const bool sized = In(kSizedByArgument, name);
    const size_t extra = in.ConsumeIntegralInRange<size_t>(0, 10);
    for (size_t i = 0; i < extra; ++i) args.push_back(NextArgument(in, sized));
    if (EqualsIgnoreCase(name, "config") && EqualsIgnoreCase(sub, "set")) {
      bool refused = false;
      for (size_t i = 2; i < args.size(); ++i) refused = refused || In(kExcludedSettings, args[i]);
      if (refused) continue;
    }
    run(c, args);
    if (c.info->close_after_reply) {
      Require(firn::fuzz::WellFormedReplies(c.out));
      c.out.clear();
      disconnect(c);
      connect(c);
    }
    for (Client& other : clients) {
      if (other.info->close_after_reply) {
        disconnect(other);
        connect(other);
      }
    }
    drain();
  }

  // Every value round-trips through DUMP and RESTORE (a client of its own, RESP2, db 0..15).
  Client checker;
  connect(checker);
  for (int db = 0; db < engine->keyspace.count(); ++db) {
    std::vector<std::string> keys;
    engine->keyspace.db(db).Scan(0, now_ms, [&](firn::Entry* e) {
      if (keys.size() < 16) keys.emplace_back(e->key());
    });
    if (keys.empty()) continue;
    run(checker, {"SELECT", std::to_string(db)});
    for (const std::string& key : keys) {
      checker.out.clear();
      run(checker, {"DUMP", key});
      if (checker.out.empty() || checker.out[0] != '$' || checker.out == "$-1\r\n") continue;
      // Streams have no serialized form yet (modules/streams.cc): their DUMP payload holds
      // no object, and RESTORE refuses it. Left to the streams work; skipped here.
      if (engine->keyspace.db(db).FindForInspect(key, now_ms)->type() == firn::ValueType::kStream) continue;
      size_t pos = 0;
      std::vector<std::string> bulk;
      Require(firn::fuzz::ReadReply(checker.out, &pos, 0, &bulk) && bulk.size() == 1);
      const std::string payload = bulk[0];
      checker.out.clear();
      run(checker, {"RESTORE", "fuzz:restored", "0", payload, "REPLACE"});
      Require(checker.out == "+OK\r\n");
      checker.out.clear();
      run(checker, {"DUMP", "fuzz:restored"});
      Require(checker.out.size() > 1 && checker.out[0] == '$' && checker.out != "$-1\r\n");
      checker.out.clear();
      run(checker, {"DEL", "fuzz:restored"});
    }
  }
  disconnect(checker);
  drain();
  for (Client& c : clients) disconnect(c);
  return 0;
}
