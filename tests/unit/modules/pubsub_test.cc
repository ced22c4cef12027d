// Pub/sub in-process: confirmations, delivery to registered clients' sinks in each one's RESP
// version, subscribed-mode admission, and cleanup on RESET and removal.
#include "modules/pubsub.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../command_harness.h"

using firn::ClientInfo;
using firn::Dispatch;
using firn::Proto;
using firn::testing::CommandHarness;

namespace {

// A registered client: what it is sent outside its own commands lands in `out`.
struct Sub {
  explicit Sub(CommandHarness& h, Proto proto = Proto::kResp2)
      : h(h), info(h.engine.clients.Add()) {
    info.sink.buffer = &out;
    info.authenticated = true;
    info.proto = proto;
  }
  ~Sub() { h.engine.clients.Remove(info); }
  std::string Run(std::initializer_list<std::string_view> args) {
    std::string reply;
    Dispatch(h.engine, info, std::vector<std::string_view>(args), &reply, h.now_ms);
    return reply;
  }
  std::string Take() {
    std::string s;
    s.swap(out);
    return s;
  }
  CommandHarness& h;
  ClientInfo& info;
  std::string out;
};

}  // namespace

TEST_CASE("SUBSCRIBE confirms each channel with the running count", "[pubsub]") {
  CommandHarness h;
  Sub s(h);
  CHECK(s.Run({"SUBSCRIBE", "a", "b", "a"}) ==
        "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
        "*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
        "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n");
  CHECK(s.info.subscribed);
  CHECK(s.Run({"PSUBSCRIBE", "x*"}) == "*3\r\n$10\r\npsubscribe\r\n$2\r\nx*\r\n:3\r\n");
}

TEST_CASE("PUBLISH reaches channel then pattern subscribers and counts them", "[pubsub]") {
  CommandHarness h;
  Sub a(h), b(h);
  a.Run({"SUBSCRIBE", "news"});
  b.Run({"PSUBSCRIBE", "n*", "z*"});
  CHECK(h.Run({"PUBLISH", "news", "hi"}) == ":2\r\n");
  CHECK(a.Take() == "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
  CHECK(b.Take() == "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
  CHECK(h.Run({"PUBLISH", "other", "x"}) == ":0\r\n");
  CHECK(a.out.empty());
  CHECK(b.out.empty());
}

TEST_CASE("RESP3 subscribers get push messages and keep running commands", "[pubsub]") {
  CommandHarness h;
  Sub s(h, Proto::kResp3);
  CHECK(s.Run({"SUBSCRIBE", "c"}) == ">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");
  CHECK(s.Run({"SET", "k", "v"}) == "+OK\r\n");
  CHECK(s.Run({"PING"}) == "+PONG\r\n");
  h.Run({"PUBLISH", "c", "m"});
  CHECK(s.Take() == ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");
  CHECK(s.Run({"UNSUBSCRIBE"}) == ">3\r\n$11\r\nunsubscribe\r\n$1\r\nc\r\n:0\r\n");
}

TEST_CASE("one PUBLISH reaches RESP2 and RESP3 subscribers and each pattern in its own frame",
          "[pubsub]") {
  CommandHarness h;
  Sub a2(h), a3(h, Proto::kResp3), b2(h), p1(h, Proto::kResp3), p2(h);
  a2.Run({"SUBSCRIBE", "ch"});
  a3.Run({"SUBSCRIBE", "ch"});
  b2.Run({"SUBSCRIBE", "ch"});
  p1.Run({"PSUBSCRIBE", "c*"});
  p2.Run({"PSUBSCRIBE", "?h"});
  for (Sub* s : {&a2, &a3, &b2, &p1, &p2}) s->Take();
  for (int round = 0; round < 2; ++round) {
    const std::string msg = round == 0 ? "first" : "2nd";
    CHECK(h.Run({"PUBLISH", "ch", msg}) == ":5\r\n");
    const std::string body = "$7\r\nmessage\r\n$2\r\nch\r\n$" +
                             std::to_string(msg.size()) + "\r\n" + msg + "\r\n";
    CHECK(a2.Take() == "*3\r\n" + body);
    CHECK(a3.Take() == ">3\r\n" + body);
    CHECK(b2.Take() == "*3\r\n" + body);
    const std::string tail = "$2\r\nch\r\n$" + std::to_string(msg.size()) + "\r\n" + msg + "\r\n";
    CHECK(p1.Take() == ">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n" + tail);
    CHECK(p2.Take() == "*4\r\n$8\r\npmessage\r\n$2\r\n?h\r\n" + tail);
  }
}

TEST_CASE("RESP2 subscribed mode refuses other commands; PING answers two elements",
          "[pubsub]") {
  CommandHarness h;
  Sub s(h);
  s.Run({"SUBSCRIBE", "c"});
  CHECK(s.Run({"GET", "k"}) ==
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
        "RESET are allowed in this context\r\n");
  CHECK(s.Run({"CONFIG", "GET", "port"}).find("'config|get'") != std::string::npos);
  CHECK(s.Run({"PING"}) == "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  CHECK(s.Run({"PING", "x"}) == "*2\r\n$4\r\npong\r\n$1\r\nx\r\n");
  s.Run({"UNSUBSCRIBE", "c"});
  CHECK(!s.info.subscribed);
  CHECK(s.Run({"PING"}) == "+PONG\r\n");
  CHECK(s.Run({"GET", "k"}) == "$-1\r\n");
}

TEST_CASE("UNSUBSCRIBE and PUNSUBSCRIBE with nothing to leave answer a nil name", "[pubsub]") {
  CommandHarness h;
  CHECK(h.Run({"UNSUBSCRIBE"}) == "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  CHECK(h.Run({"PUNSUBSCRIBE"}) == "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
  CHECK(h.Run({"SUNSUBSCRIBE"}) == "*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n");
  CHECK(h.Run({"UNSUBSCRIBE", "never"}) == "*3\r\n$11\r\nunsubscribe\r\n$5\r\nnever\r\n:0\r\n");
}

TEST_CASE("shard channels are apart from channels and patterns", "[pubsub]") {
  CommandHarness h;
  Sub s(h), p(h);
  s.Run({"SUBSCRIBE", "c"});
  CHECK(s.Run({"SSUBSCRIBE", "c"}) == "*3\r\n$10\r\nssubscribe\r\n$1\r\nc\r\n:1\r\n");
  p.Run({"PSUBSCRIBE", "*"});
  CHECK(h.Run({"SPUBLISH", "c", "m"}) == ":1\r\n");
  CHECK(s.Take() == "*3\r\n$8\r\nsmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");
  CHECK(p.out.empty());  // patterns never see shard messages
  CHECK(h.Run({"PUBSUB", "SHARDCHANNELS"}) == "*1\r\n$1\r\nc\r\n");
  CHECK(h.Run({"PUBSUB", "SHARDNUMSUB", "c", "d"}) == "*4\r\n$1\r\nc\r\n:1\r\n$1\r\nd\r\n:0\r\n");
}

TEST_CASE("SSUBSCRIBE inside a transaction is refused at EXEC", "[pubsub]") {
  CommandHarness h;
  h.Run({"MULTI"});
  h.Run({"SSUBSCRIBE", "c"});
  CHECK(h.Run({"EXEC"}) == "*1\r\n-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n");
}

TEST_CASE("PUBSUB CHANNELS, NUMSUB and NUMPAT", "[pubsub]") {
  CommandHarness h;
  Sub a(h), b(h);
  a.Run({"SUBSCRIBE", "news.1", "sport"});
  b.Run({"SUBSCRIBE", "news.1"});
  b.Run({"PSUBSCRIBE", "p*", "q*"});
  a.Run({"PSUBSCRIBE", "p*"});
  CHECK(h.Run({"PUBSUB", "CHANNELS", "news.*"}) == "*1\r\n$6\r\nnews.1\r\n");
  CHECK(h.Run({"PUBSUB", "NUMSUB", "news.1", "sport", "none"}) ==
        "*6\r\n$6\r\nnews.1\r\n:2\r\n$5\r\nsport\r\n:1\r\n$4\r\nnone\r\n:0\r\n");
  CHECK(h.Run({"PUBSUB", "NUMSUB"}) == "*0\r\n");
  CHECK(h.Run({"PUBSUB", "NUMPAT"}) == ":2\r\n");
}

TEST_CASE("RESET and removal leave no subscription behind", "[pubsub]") {
  CommandHarness h;
  {
    Sub gone(h);
    gone.Run({"SUBSCRIBE", "c"});
    gone.Run({"PSUBSCRIBE", "*"});
    gone.Run({"SSUBSCRIBE", "s"});
  }
  Sub r(h);
  r.Run({"SUBSCRIBE", "c"});
  CHECK(r.Run({"RESET"}) == "+RESET\r\n");
  CHECK(!r.info.subscribed);
  CHECK(h.Run({"PUBLISH", "c", "m"}) == ":0\r\n");
  CHECK(h.Run({"PUBSUB", "NUMPAT"}) == ":0\r\n");
  CHECK(h.Run({"PUBSUB", "CHANNELS"}) == "*0\r\n");
  CHECK(h.Run({"PUBSUB", "SHARDCHANNELS"}) == "*0\r\n");
  CHECK(r.out.empty());
}

TEST_CASE("CLIENT REPLY OFF keeps (un)subscribe confirmations, drops other replies",
          "[pubsub]") {
  CommandHarness h;
  Sub s(h, Proto::kResp3);
  CHECK(s.Run({"CLIENT", "REPLY", "OFF"}).empty());
  CHECK(s.Run({"SUBSCRIBE", "c"}) == ">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");
  CHECK(s.Run({"GET", "k"}).empty());
  CHECK(s.Run({"UNSUBSCRIBE", "c"}) == ">3\r\n$11\r\nunsubscribe\r\n$1\r\nc\r\n:0\r\n");
  CHECK(s.Run({"PING"}).empty());
}
