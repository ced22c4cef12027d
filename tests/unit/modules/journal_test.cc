// The propagation point: what Execute hands to Engine::journal (modules/journal.h), and the
// property that makes it useful: replaying the journal of a random command sequence into a
// fresh engine gives the same keyspace (keys, values, types, absolute expiries).
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "modules/dispatch.h"
#include "modules/engine.h"
#include "modules/journal.h"
#include "storage/db.h"
#include "storage/entry.h"
#include "storage/value.h"
#include "tests/unit/command_harness.h"

namespace {

using firn::JournalBuffer;
using firn::testing::CommandHarness;
using Records = std::vector<std::vector<std::string>>;

// A harness whose writes are journaled, expiries and evictions included.
struct JournaledHarness : CommandHarness {
  JournaledHarness() : expiry(engine) {
    engine.journal = &journal;
    engine.keyspace.set_observer(&expiry);
  }
  ~JournaledHarness() {
    engine.keyspace.set_observer(nullptr);
    engine.journal = nullptr;
  }
  // The records appended since the last call, as argument lists.
  Records Take() {
    Records out;
    for (const JournalBuffer::Record& r : journal.records) out.push_back(r.argv);
    journal.records.clear();
    return out;
  }
  JournalBuffer journal;
  firn::JournalExpiryObserver expiry;
};

}  // namespace

TEST_CASE("journal: relative expiries become absolute", "[journal]") {
  JournaledHarness h;
  const std::string at = std::to_string(h.now_ms + 10000);
  h.Run({"SET", "k", "v", "EX", "10"});
  h.Run({"SET", "k", "v", "PX", "10000"});
  h.Run({"SETEX", "k", "10", "v"});
  h.Run({"PSETEX", "k", "10000", "v"});
  h.Run({"EXPIRE", "k", "10"});
  h.Run({"PEXPIRE", "k", "10000"});
  h.Run({"EXPIREAT", "k", std::to_string(h.now_ms / 1000 + 10)});
  h.Run({"GETEX", "k", "PX", "10000"});
  CHECK(h.Take() == Records{{"SET", "k", "v", "PXAT", at},
                            {"SET", "k", "v", "PXAT", at},
                            {"SET", "k", "v", "PXAT", at},
                            {"SET", "k", "v", "PXAT", at},
                            {"PEXPIREAT", "k", at},
                            {"PEXPIREAT", "k", at},
                            {"PEXPIREAT", "k", at},
                            {"PEXPIREAT", "k", at}});
  h.Run({"GETEX", "k", "PERSIST"});
  h.Run({"GETEX", "k"});  // changes nothing
  h.Run({"SET", "k", "w", "KEEPTTL"});
  h.Run({"EXPIRE", "k", "-1"});  // deletes it
  CHECK(h.Take() == Records{{"PERSIST", "k"}, {"SET", "k", "w", "KEEPTTL"}, {"DEL", "k"}});
}

TEST_CASE("journal: INCRBYFLOAT replays as SET keeping the TTL", "[journal]") {
  JournaledHarness h;
  h.Run({"SET", "f", "10.5", "EX", "100"});
  h.Take();
  h.Run({"INCRBYFLOAT", "f", "0.1"});
  CHECK(h.Take() == Records{{"SET", "f", "10.6", "KEEPTTL"}});
}

TEST_CASE("journal: a write that changed nothing is not propagated", "[journal]") {
  JournaledHarness h;
  h.Run({"SET", "k", "v"});
  h.Take();
  h.Run({"GET", "k"});
  h.Run({"SET", "k", "x", "NX"});
  h.Run({"DEL", "nosuch"});
  h.Run({"EXPIRE", "nosuch", "10"});
  h.Run({"INCR", "k"});  // an error
  CHECK(h.Take().empty());
  h.Run({"DEL", "k"});
  CHECK(h.Take() == Records{{"DEL", "k"}});
}

TEST_CASE("journal: expiries and lazy deletions are propagated as DEL, before the command",
          "[journal]") {
  JournaledHarness h;
  h.Run({"SET", "k", "5", "PX", "100"});
  h.Take();
  h.now_ms += 200;
  h.Run({"INCR", "k"});
  CHECK(h.Take() == Records{{"DEL", "k"}, {"INCR", "k"}});
  h.Run({"SET", "g", "1", "PX", "100"});
  h.Take();
  h.now_ms += 200;
  h.Run({"GET", "g"});  // a read that expires the key
  CHECK(h.Take() == Records{{"DEL", "g"}});
}

TEST_CASE("journal: the database of each record is the one the command ran in", "[journal]") {
  JournaledHarness h;
  h.Run({"SELECT", "4"});
  h.Run({"SET", "k", "v"});
  REQUIRE(h.journal.records.size() == 1);
  CHECK(h.journal.records[0].db == 4);
}

TEST_CASE("journal: EXEC propagates its writes as one MULTI ... EXEC unit", "[journal][multi]") {
  JournaledHarness h;
  h.Run({"MULTI"});
  h.Run({"SET", "a", "1", "EX", "10"});
  h.Run({"GET", "a"});
  h.Run({"INCR", "b"});
  h.Run({"EXEC"});
  CHECK(h.Take() == Records{{"MULTI"},
                            {"SET", "a", "1", "PXAT", std::to_string(h.now_ms + 10000)},
                            {"INCR", "b"},
                            {"EXEC"}});
  // A transaction with a single write propagates it bare; one without writes, nothing.
  h.Run({"MULTI"});
  h.Run({"INCR", "b"});
  h.Run({"GET", "b"});
  h.Run({"EXEC"});
  h.Run({"MULTI"});
  h.Run({"GET", "b"});
  h.Run({"EXEC"});
  CHECK(h.Take() == Records{{"INCR", "b"}});
}

TEST_CASE("journal: limiter decisions replay as their resulting state", "[journal][ratelimit]") {
  JournaledHarness h;
  h.Run({"CL.THROTTLE", "cell", "15", "30", "60"});
  Records r = h.Take();
  REQUIRE(r.size() == 1);
  CHECK(r[0][0] == "SET");
  CHECK(r[0][1] == "cell");
  CHECK(r[0][3] == "PXAT");
  h.Run({"RL.BUCKET", "bucket", "10", "1000"});
  r = h.Take();
  REQUIRE(r.size() == 1);
  CHECK(r[0][0] == "RL.SETSTATE");
  CHECK(r[0][1] == "bucket");
  REQUIRE(r[0].size() == 5);
  CHECK(r[0][3] == "PXAT");

  // The record rebuilds the same key elsewhere, whatever that engine's clock says.
  CommandHarness replay;
  replay.now_ms = h.now_ms - 5000;
  std::vector<std::string_view> argv(r[0].begin(), r[0].end());
  CHECK(replay.Run(argv) == "+OK\r\n");
  const firn::Entry* a = h.engine.keyspace.db(0).Find("bucket", h.now_ms);
  const firn::Entry* b = replay.engine.keyspace.db(0).Find("bucket", h.now_ms);
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  CHECK(a->type() == b->type());
  CHECK(a->value() == b->value());
  CHECK(a->expire_ms() == b->expire_ms());
  CHECK(replay.Run({"RL.PEEK", "bucket"}) == h.Run({"RL.PEEK", "bucket"}));
}

TEST_CASE("journal: a long exact window, kept out of line, replays as its state",
          "[journal][ratelimit]") {
  JournaledHarness h;
  // One hit per ms for 2 s: a log of thousands of runs, far past the inline limit.
  for (int i = 0; i < 2000; ++i) {
    h.Run({"RL.WINDOW", "w", "100000", "60000"});
    h.now_ms += 1;
  }
  const firn::Entry* a = h.engine.keyspace.db(0).Find("w", h.now_ms);
  REQUIRE(a != nullptr);
  REQUIRE(a->has_object());
  Records r = h.Take();
  REQUIRE(!r.empty());
  CommandHarness replay;
  std::vector<std::string_view> argv(r.back().begin(), r.back().end());
  CHECK(argv[0] == "RL.SETSTATE");
  CHECK(replay.Run(argv) == "+OK\r\n");
  replay.now_ms = h.now_ms;
  CHECK(replay.Run({"RL.PEEK", "w"}) == h.Run({"RL.PEEK", "w"}));
  CHECK(replay.Run({"RL.WINDOW", "w", "100000", "60000"}) ==
        h.Run({"RL.WINDOW", "w", "100000", "60000"}));
}

TEST_CASE("RL.SETSTATE refuses bytes no limiter wrote", "[journal][ratelimit]") {
  CommandHarness h;
  CHECK(h.Run({"RL.SETSTATE", "k", "garbage"}) == "-ERR invalid limiter state\r\n");
  CHECK(h.Run({"RL.SETSTATE", "k", "", "PXAT", "1"}) == "-ERR invalid limiter state\r\n");
  CHECK(h.Run({"RL.SETSTATE", "k", "x", "PXAT", "soon"}) ==
        "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Run({"EXISTS", "k"}) == ":0\r\n");
}

namespace {

// Every live entry of every db at now_ms: (db, key) -> (type, value, absolute expiry).
using Snapshot = std::map<std::pair<int, std::string>, std::tuple<int, std::string, int64_t>>;

Snapshot Take(firn::Engine& engine, int64_t now_ms) {
  Snapshot s;
  for (int db = 0; db < engine.config.databases; ++db) {
    uint64_t cursor = 0;
    do {
      cursor = engine.keyspace.db(db).Scan(cursor, now_ms, [&](firn::Entry* e) {
        std::string state;  // through the type's row: a long window log lives out of line
        firn::TypeOpsOf(e->type()).serialize(*e, &state);
        s[{db, std::string(e->key())}] = {static_cast<int>(e->type()), state,
                                          e->has_expire() ? e->expire_ms() : -1};
      });
    } while (cursor != 0);
  }
  return s;
}

// One random command over a few keys, strings and limiters mixed, so that types clash,
// keys expire under commands and limiters refuse as well as allow.
std::vector<std::string> RandomCommand(std::mt19937_64& rng, int64_t now_ms) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  auto key = [&]() { return "k" + std::to_string(pick(8)); };
  auto num = [&](int lo, int hi) { return std::to_string(lo + pick(hi - lo + 1)); };
  auto value = [&]() { return pick(2) == 0 ? num(-50, 50) : std::string(1 + pick(4), 'a' + pick(3)); };
  auto expiry = [&]() -> std::vector<std::string> {
    switch (pick(6)) {
      case 0: return {"EX", num(1, 3)};
      case 1: return {"PX", num(1, 3000)};
      case 2: return {"EXAT", std::to_string(now_ms / 1000 + pick(5) - 1)};
      case 3: return {"PXAT", std::to_string(now_ms + pick(4000) - 500)};
      case 4: return {"KEEPTTL"};
      default: return {};
    }
  };
  std::vector<std::string> c;
  switch (pick(30)) {
    case 0: case 1: case 2: {
      c = {"SET", key(), value()};
      if (pick(4) == 0) c.push_back(pick(2) == 0 ? "NX" : "XX");
      if (pick(4) == 0) c.push_back("GET");
      for (std::string& a : expiry()) c.push_back(a);
      break;
    }
    case 3: c = {"SETEX", key(), num(1, 3), value()}; break;
    case 4: c = {"PSETEX", key(), num(1, 3000), value()}; break;
    case 5: c = {"SETNX", key(), value()}; break;
    case 6: c = {"GETSET", key(), value()}; break;
    case 7: c = {"GETDEL", key()}; break;
    case 8: {
      c = {"GETEX", key()};
      std::vector<std::string> e = expiry();
      if (!e.empty() && e[0] == "KEEPTTL") e = {"PERSIST"};
      for (std::string& a : e) c.push_back(a);
      break;
    }
    case 9: c = {"MSET", key(), value(), key(), value()}; break;
    case 10: c = {"MSETNX", key(), value(), key(), value()}; break;
    case 11: c = {"INCR", key()}; break;
    case 12: c = {"DECRBY", key(), num(-5, 5)}; break;
    case 13: c = {"INCRBYFLOAT", key(), pick(2) == 0 ? "0.25" : "-1.5"}; break;
    case 14: c = {"APPEND", key(), value()}; break;
    case 15: c = {"SETRANGE", key(), num(0, 6), value()}; break;
    case 16: c = {pick(2) == 0 ? "DEL" : "UNLINK", key(), key()}; break;
    case 17: {
      static const char* kExpires[] = {"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"};
      const int which = pick(4);
      c = {kExpires[which], key()};
      switch (which) {
        case 0: c.push_back(num(-1, 3)); break;
        case 1: c.push_back(num(-100, 3000)); break;
        case 2: c.push_back(std::to_string(now_ms / 1000 + pick(5) - 1)); break;
        default: c.push_back(std::to_string(now_ms + pick(4000) - 500)); break;
      }
      if (pick(3) == 0) {
        static const char* kConds[] = {"NX", "XX", "GT", "LT"};
        c.push_back(kConds[pick(4)]);
      }
      break;
    }
    case 18: c = {"PERSIST", key()}; break;
    case 19: c = {pick(2) == 0 ? "RENAME" : "RENAMENX", key(), key()}; break;
    case 20: c = {"COPY", key(), key()}; if (pick(2) == 0) c.push_back("REPLACE"); break;
    case 21: c = {"MOVE", key(), num(0, 2)}; break;
    case 22: c = {"SELECT", num(0, 2)}; break;
    case 23: case 24:
      c = {"CL.THROTTLE", key(), num(0, 3), num(1, 5), num(1, 3)};
      if (pick(2) == 0) c.push_back(num(0, 3));
      break;
    case 25: case 26:
      c = {"RL.BUCKET", key(), num(1, 5), num(100, 2000)};
      if (pick(3) == 0) { c.push_back("BURST"); c.push_back(num(1, 8)); }
      if (pick(3) == 0) { c.push_back("COST"); c.push_back(num(1, 3)); }
      break;
    case 27: case 28:
      c = {"RL.WINDOW", key(), num(1, 5), num(100, 2000)};
      if (pick(3) == 0) { c.push_back("COST"); c.push_back(num(1, 3)); }
      if (pick(2) == 0) c.push_back("APPROX");
      break;
    default:
      c = {pick(8) == 0 ? "FLUSHDB" : "GET", key()};
      if (c[0] == "FLUSHDB") c.pop_back();
      break;
  }
  return c;
}

}  // namespace

TEST_CASE("journal replay rebuilds the same keyspace (random commands, moving clock)",
          "[journal][property]") {
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    JournaledHarness h;
    const int64_t start_ms = h.now_ms;
    uint64_t expire_cursor = 0;
    // Every 200 commands: how many records the journal held, the clock, the keyspace.
    struct Checkpoint {
      size_t records;
      int64_t now_ms;
      Snapshot keys;
    };
    std::vector<Checkpoint> checkpoints;
    for (int i = 1; i <= 6000; ++i) {
      h.now_ms += static_cast<int64_t>(rng() % 100);
      const std::vector<std::string> c = RandomCommand(rng, h.now_ms);
      h.Run(c);
      if (rng() % 50 == 0) {  // the server cron's active expiry, now and then
        h.engine.keyspace.db(static_cast<int>(rng() % 3)).ActiveExpire(h.now_ms, &expire_cursor, 4);
      }
      if (i % 200 == 0) {
        checkpoints.push_back({h.journal.records.size(), h.now_ms, Take(h.engine, h.now_ms)});
      }
    }
    h.engine.keyspace.set_observer(nullptr);
    h.engine.journal = nullptr;

    // Replay with a clock before every recorded expiry: nothing expires by itself there,
    // the journal's DELs do it.
    CommandHarness replay;
    replay.now_ms = start_ms;
    size_t next = 0;
    size_t live_keys = 0;
    for (const Checkpoint& cp : checkpoints) {
      for (; next < cp.records; ++next) {
        const JournalBuffer::Record& r = h.journal.records[next];
        replay.client.db = r.db;
        const std::string reply = replay.Run(r.argv);
        INFO(r.argv[0] << " " << (r.argv.size() > 1 ? r.argv[1] : "") << " -> " << reply);
        CHECK(reply.rfind("-", 0) != 0);
      }
      INFO("checkpoint at record " << cp.records);
      CHECK(cp.keys == Take(replay.engine, cp.now_ms));
      live_keys += cp.keys.size();
    }
    CHECK(live_keys > 0);
  }
}

TEST_CASE("journal: RESTORE replays with an absolute expiry, replacing", "[journal]") {
  JournaledHarness h;
  h.Run({"SET", "src", "v"});
  std::string dump = h.Run({"DUMP", "src"});
  const std::string payload = dump.substr(dump.find("\r\n") + 2, dump.size() - dump.find("\r\n") - 4);
  h.Take();
  h.Run({"RESTORE", "a", "10000", payload});
  h.Run({"RESTORE", "b", "0", payload, "IDLETIME", "5"});
  h.Run({"RESTORE", "a", "1", payload, "ABSTTL", "REPLACE"});  // expired: a is deleted
  CHECK(h.Take() == Records{{"RESTORE", "a", std::to_string(h.now_ms + 10000), payload, "ABSTTL",
                             "REPLACE"},
                            {"RESTORE", "b", "0", payload, "ABSTTL", "REPLACE"},
                            {"DEL", "a"}});
}
