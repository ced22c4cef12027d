// Keyspace notifications in-process: which events a setting publishes, on which channels.
#include "modules/notify.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../command_harness.h"

using firn::ClientInfo;
using firn::Dispatch;
using firn::testing::CommandHarness;

namespace {

struct Listener {
  Listener(CommandHarness& h, std::string_view pattern) : h(h), info(h.engine.clients.Add()) {
    info.sink.buffer = &out;
    info.authenticated = true;
    std::string reply;
    Dispatch(h.engine, info, {"PSUBSCRIBE", pattern}, &reply, h.now_ms);
  }
  ~Listener() { h.engine.clients.Remove(info); }
  CommandHarness& h;
  ClientInfo& info;
  std::string out;
};

std::string PMessage(std::string_view pattern, std::string_view channel,
                     std::string_view payload) {
  auto bulk = [](std::string_view s) {
    return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
  };
  return "*4\r\n" + bulk("pmessage") + bulk(pattern) + bulk(channel) + bulk(payload);
}

}  // namespace

TEST_CASE("notifications are off by default and cost no observer", "[notify]") {
  CommandHarness h;
  Listener l(h, "*");
  h.Run({"SET", "k", "v"});
  CHECK(l.out.empty());
  CHECK(h.engine.keyspace.dirty() > 0);
  CHECK(h.engine.observers.Get(firn::KeyspaceFanout::kNotify) == nullptr);
}

TEST_CASE("K and E publish the keyspace and keyevent forms", "[notify]") {
  CommandHarness h;
  REQUIRE(h.Run({"CONFIG", "SET", "notify-keyspace-events", "KE$"}) == "+OK\r\n");
  Listener l(h, "*");
  h.Run({"SET", "foo", "bar"});
  CHECK(l.out == PMessage("*", "__keyspace@0__:foo", "set") +
                     PMessage("*", "__keyevent@0__:set", "foo"));
  l.out.clear();
  h.Run({"DEL", "foo"});  // generic class not enabled
  CHECK(l.out.empty());
}

TEST_CASE("generic events name the command's effect", "[notify]") {
  CommandHarness h;
  h.Run({"CONFIG", "SET", "notify-keyspace-events", "Eg"});
  Listener l(h, "__keyevent@*");
  h.Run({"SET", "a", "1"});
  h.Run({"EXPIRE", "a", "100"});
  h.Run({"RENAME", "a", "b"});
  h.Run({"DEL", "b"});
  CHECK(l.out == PMessage("__keyevent@*", "__keyevent@0__:expire", "a") +
                     PMessage("__keyevent@*", "__keyevent@0__:rename_from", "a") +
                     PMessage("__keyevent@*", "__keyevent@0__:rename_to", "b") +
                     PMessage("__keyevent@*", "__keyevent@0__:del", "b"));
}

TEST_CASE("expired keys publish 'expired' under x, whatever command found them", "[notify]") {
  CommandHarness h;
  h.Run({"CONFIG", "SET", "notify-keyspace-events", "Ex"});
  Listener l(h, "*");
  h.Run({"SET", "t", "v", "PX", "10"});
  h.now_ms += 20;
  h.Run({"GET", "t"});
  CHECK(l.out == PMessage("*", "__keyevent@0__:expired", "t"));
}

TEST_CASE("evicted keys publish 'evicted' under e", "[notify]") {
  CommandHarness h;
  h.Run({"CONFIG", "SET", "notify-keyspace-events", "Ee"});
  Listener l(h, "*");
  h.Run({"SET", "k", "v"});
  firn::Db& db = h.engine.keyspace.db(0);
  db.Erase(db.Find("k", h.now_ms), firn::KeyEvent::kEvicted);
  CHECK(l.out == PMessage("*", "__keyevent@0__:evicted", "k"));
}

TEST_CASE("CONFIG SET normalizes the classes and refuses unknown letters", "[notify]") {
  CommandHarness h;
  CHECK(h.Run({"CONFIG", "SET", "notify-keyspace-events", "KEg$lshzxetd"}) == "+OK\r\n");
  CHECK(h.Run({"CONFIG", "GET", "notify-keyspace-events"}) ==
        "*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n");
  CHECK(h.Run({"CONFIG", "SET", "notify-keyspace-events", "KQ"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - "
        "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.\r\n");
  CHECK(h.Run({"CONFIG", "SET", "notify-keyspace-events", ""}) == "+OK\r\n");
  CHECK(h.engine.observers.Get(firn::KeyspaceFanout::kNotify) == nullptr);
}

TEST_CASE("one event per command and key, even when the change is signalled twice",
          "[notify]") {
  CommandHarness h;
  h.Run({"CONFIG", "SET", "notify-keyspace-events", "El$"});
  Listener l(h, "*");
  h.Run({"LPUSH", "list", "a"});  // created, then filled
  h.Run({"RPUSH", "list", "b"});
  h.Run({"SET", "s", "1"});
  h.Run({"SET", "s", "2"});  // the same event again, from another command
  CHECK(l.out == PMessage("*", "__keyevent@0__:lpush", "list") +
                     PMessage("*", "__keyevent@0__:rpush", "list") +
                     PMessage("*", "__keyevent@0__:set", "s") +
                     PMessage("*", "__keyevent@0__:set", "s"));
}
