// WATCH / UNWATCH: which changes make EXEC abort, in-process with a fake clock.
#include "modules/watch.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../command_harness.h"

using firn::ClientInfo;
using firn::Dispatch;
using firn::testing::CommandHarness;

namespace {

constexpr const char* kNullArray = "*-1\r\n";

// A second client of the same engine, registered as the server registers connections.
struct Other {
  explicit Other(CommandHarness& h) : h(h), info(h.engine.clients.Add()) {
    info.sink.buffer = &out;
    info.authenticated = true;
  }
  std::string Run(std::initializer_list<std::string_view> args) {
    std::string reply;
    Dispatch(h.engine, info, std::vector<std::string_view>(args), &reply, h.now_ms);
    return reply;
  }
  CommandHarness& h;
  ClientInfo& info;
  std::string out;
};

// WATCH key, MULTI, a queued PING, then EXEC's reply.
std::string WatchedExec(CommandHarness& h, const std::function<void()>& between,
                        std::string_view key = "k") {
  REQUIRE(h.Run({"WATCH", key}) == "+OK\r\n");
  between();
  REQUIRE(h.Run({"MULTI"}) == "+OK\r\n");
  REQUIRE(h.Run({"PING"}) == "+QUEUED\r\n");
  return h.Run({"EXEC"});
}

}  // namespace

TEST_CASE("EXEC runs when no watched key changed", "[watch]") {
  CommandHarness h;
  h.Run({"SET", "k", "1"});
  CHECK(WatchedExec(h, [&] { h.Run({"GET", "k"}); h.Run({"SET", "other", "x"}); }) ==
        "*1\r\n+PONG\r\n");
}

TEST_CASE("a write by another client aborts EXEC with a null array", "[watch]") {
  CommandHarness h;
  Other b(h);
  CHECK(WatchedExec(h, [&] { b.Run({"SET", "k", "2"}); }) == kNullArray);
  // EXEC unwatched: the next transaction runs.
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  h.Run({"PING"});
  CHECK(h.Run({"EXEC"}) == "*1\r\n+PONG\r\n");
}

TEST_CASE("the watching client's own write counts too", "[watch]") {
  CommandHarness h;
  CHECK(WatchedExec(h, [&] { h.Run({"INCR", "k"}); }) == kNullArray);
}

TEST_CASE("DEL, EXPIRE and a passed TTL count as changes", "[watch]") {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  CHECK(WatchedExec(h, [&] { h.Run({"DEL", "k"}); }) == kNullArray);
  h.Run({"SET", "k", "v"});
  CHECK(WatchedExec(h, [&] { h.Run({"EXPIRE", "k", "100"}); }) == kNullArray);
  // Watched while live, expired before EXEC without anyone touching it.
  h.Run({"SET", "k", "v", "PX", "10"});
  CHECK(WatchedExec(h, [&] { h.now_ms += 20; }) == kNullArray);
}

TEST_CASE("a key already expired when watched does not abort by being deleted", "[watch]") {
  CommandHarness h;
  h.Run({"SET", "k", "v", "PX", "10"});
  h.now_ms += 20;
  CHECK(WatchedExec(h, [&] { h.Run({"GET", "k"}); }) == "*1\r\n+PONG\r\n");
}

TEST_CASE("WATCH remembers the database of each key", "[watch]") {
  CommandHarness h;
  Other b(h);
  b.Run({"SELECT", "1"});
  CHECK(WatchedExec(h, [&] { b.Run({"SET", "k", "x"}); }) == "*1\r\n+PONG\r\n");
  h.Run({"SELECT", "1"});
  CHECK(WatchedExec(h, [&] { b.Run({"SET", "k", "y"}); h.Run({"SELECT", "0"}); }) ==
        kNullArray);
}

TEST_CASE("FLUSHDB and FLUSHALL touch only watched keys that existed", "[watch]") {
  CommandHarness h;
  Other b(h);
  CHECK(WatchedExec(h, [&] { b.Run({"SET", "other", "1"}); b.Run({"FLUSHDB"}); }) ==
        "*1\r\n+PONG\r\n");
  h.Run({"SET", "k", "1"});
  CHECK(WatchedExec(h, [&] { b.Run({"FLUSHDB"}); }) == kNullArray);
  h.Run({"SET", "k", "1"});
  CHECK(WatchedExec(h, [&] { b.Run({"FLUSHALL"}); }) == kNullArray);
  // A flush of another database leaves db 0's watchers alone.
  h.Run({"SET", "k", "1"});
  CHECK(WatchedExec(h, [&] { b.Run({"SELECT", "2"}); b.Run({"SET", "z", "1"});
                             b.Run({"FLUSHDB"}); }) == "*1\r\n+PONG\r\n");
}

TEST_CASE("SWAPDB touches watched keys that exist on either side", "[watch]") {
  CommandHarness h;
  Other b(h);
  // Exists only in the database swapped in.
  b.Run({"SELECT", "1"});
  b.Run({"SET", "k", "x"});
  CHECK(WatchedExec(h, [&] { b.Run({"SWAPDB", "0", "1"}); }) == kNullArray);
  // Now exists in db 0 (it came over): watched, swapped away.
  h.Run({"FLUSHALL"});
  h.Run({"SET", "k", "x"});
  CHECK(WatchedExec(h, [&] { b.Run({"SWAPDB", "0", "1"}); }) == kNullArray);
  // On neither side: no change.
  h.Run({"FLUSHALL"});
  CHECK(WatchedExec(h, [&] { b.Run({"SWAPDB", "0", "1"}); }) == "*1\r\n+PONG\r\n");
}

TEST_CASE("MOVE touches the key in both databases", "[watch]") {
  CommandHarness h;
  Other b(h);
  h.Run({"SET", "k", "x"});
  CHECK(WatchedExec(h, [&] { b.Run({"MOVE", "k", "1"}); }) == kNullArray);
  h.Run({"SELECT", "1"});
  CHECK(WatchedExec(h, [&] { b.Run({"SET", "k", "again"}); b.Run({"MOVE", "k", "1"}); }) ==
        "*1\r\n+PONG\r\n");  // MOVE refused: the target holds k already
  // db 1 holds the moved key: a delete there is seen by a watcher in db 1.
  CHECK(WatchedExec(h, [&] { b.Run({"SELECT", "1"}); b.Run({"DEL", "k"}); }) == kNullArray);
}

TEST_CASE("eviction counts as a change", "[watch]") {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  REQUIRE(h.Run({"WATCH", "k"}) == "+OK\r\n");
  firn::Db& db = h.engine.keyspace.db(0);
  db.Erase(db.Find("k", h.now_ms), firn::KeyEvent::kEvicted);
  h.Run({"MULTI"});
  CHECK(h.Run({"EXEC"}) == kNullArray);
}

TEST_CASE("WATCH inside MULTI is refused and the transaction still runs", "[watch]") {
  CommandHarness h;
  h.Run({"MULTI"});
  CHECK(h.Run({"WATCH", "k"}) == "-ERR WATCH inside MULTI is not allowed\r\n");
  CHECK(h.Run({"EXEC"}) == "*0\r\n");
}

TEST_CASE("UNWATCH, DISCARD and RESET forget watched keys and a change seen", "[watch]") {
  CommandHarness h;
  Other b(h);
  for (std::string_view forget : {"UNWATCH", "DISCARD", "RESET"}) {
    INFO(forget);
    h.Run({"WATCH", "k"});
    b.Run({"SET", "k", "changed"});
    if (forget == "DISCARD") h.Run({"MULTI"});
    h.Run({forget});
    CHECK(h.engine.watches.size() == 0);
    h.Run({"MULTI"});
    h.Run({"PING"});
    CHECK(h.Run({"EXEC"}) == "*1\r\n+PONG\r\n");
  }
}

TEST_CASE("a transaction's own writes do not abort it, and leave nothing watched", "[watch]") {
  CommandHarness h;
  h.Run({"WATCH", "k"});
  h.Run({"MULTI"});
  h.Run({"SET", "k", "1"});
  h.Run({"SET", "k", "2"});
  CHECK(h.Run({"EXEC"}) == "*2\r\n+OK\r\n+OK\r\n");
  CHECK(h.engine.watches.size() == 0);
}

TEST_CASE("no watched key means no observer on the keyspace", "[watch]") {
  CommandHarness h;
  Other b(h);
  CHECK(h.engine.observers.Get(firn::KeyspaceFanout::kWatch) == nullptr);
  h.Run({"WATCH", "a", "b"});
  b.Run({"WATCH", "b"});
  CHECK(h.engine.watches.size() == 2);
  CHECK(h.engine.observers.Get(firn::KeyspaceFanout::kWatch) != nullptr);
  b.Run({"SET", "b", "1"});  // both clients dirty: every watch dropped
  CHECK(h.engine.watches.size() == 0);
  CHECK(h.engine.observers.Get(firn::KeyspaceFanout::kWatch) == nullptr);
}

TEST_CASE("a removed client leaves no watch behind", "[watch]") {
  CommandHarness h;
  auto* b = new Other(h);
  b->Run({"WATCH", "x", "y"});
  CHECK(h.engine.watches.size() == 2);
  h.engine.clients.Remove(b->info);
  CHECK(h.engine.watches.size() == 0);
  h.Run({"SET", "x", "1"});  // must not reach the forgotten client
  delete b;
}

TEST_CASE("the fan-out keeps another listener next to WATCH's", "[watch]") {
  struct Counter : firn::KeyspaceObserver {
    int events = 0;
    void OnKeyEvent(int, std::string_view, firn::KeyEvent event) override {
      if (event != firn::KeyEvent::kNew && event != firn::KeyEvent::kMiss) ++events;
    }
  } counter;
  CommandHarness h;
  h.engine.observers.Set(firn::KeyspaceFanout::kJournal, &counter);
  h.Run({"WATCH", "k"});
  h.Run({"SET", "k", "1"});
  h.Run({"SET", "j", "1"});
  CHECK(counter.events == 2);
  h.Run({"MULTI"});
  CHECK(h.Run({"EXEC"}) == kNullArray);
  h.engine.observers.Set(firn::KeyspaceFanout::kJournal, nullptr);
}
