#include <catch2/catch.hpp>
#include <string>

#include "../command_harness.h"
#include "fake_server_hooks.h"

using firn::ClientInfo;
using firn::Config;
using firn::Proto;
using firn::testing::CommandHarness;
using firn::testing::FakeServerHooks;

namespace {

Config WithPassword(const std::string& password) {
  Config c;
  c.requirepass = password;
  return c;
}

const std::string kHello2 =
    "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n"
    "$2\r\nid\r\n:7\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
    "$7\r\nmodules\r\n*0\r\n";
const std::string kHello3 =
    "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n"
    "$2\r\nid\r\n:7\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
    "$7\r\nmodules\r\n*0\r\n";

// The value of field name in a CLIENT LIST line ("" if absent).
std::string Field(const std::string& line, const std::string& name) {
  std::string key = " " + name + "=";
  std::string padded = " " + line;
  size_t at = padded.find(key);
  if (at == std::string::npos) return "";
  size_t start = at + key.size();
  size_t end = padded.find_first_of(" \n", start);
  return padded.substr(start, end - start);
}

// The payload of a RESP2 bulk string reply.
std::string BulkPayload(const std::string& reply) {
  size_t crlf = reply.find("\r\n");
  return reply.substr(crlf + 2, reply.size() - crlf - 4);
}

}  // namespace

TEST_CASE("PING and ECHO answer as Redis does", "[connection]") {
  CommandHarness h;
  CHECK(h.Run({"PING"}) == "+PONG\r\n");
  CHECK(h.Run({"ping", "hello"}) == "$5\r\nhello\r\n");
  CHECK(h.Run({"PING", ""}) == "$0\r\n\r\n");
  CHECK(h.Run({"PING", "a", "b"}) == "-ERR wrong number of arguments for 'ping' command\r\n");
  CHECK(h.Run({"ECHO", "hi there"}) == "$8\r\nhi there\r\n");
  CHECK(h.Run({"ECHO"}) == "-ERR wrong number of arguments for 'echo' command\r\n");
  h.client.proto = Proto::kResp3;
  CHECK(h.Run({"PING"}) == "+PONG\r\n");
}

TEST_CASE("QUIT answers OK and asks for the connection to close", "[connection]") {
  CommandHarness h;
  CHECK(h.Run({"QUIT"}) == "+OK\r\n");
  CHECK(h.client.close_after_reply);
}

TEST_CASE("HELLO switches the protocol and its own reply already uses it", "[connection]") {
  CommandHarness h;
  h.client.id = 7;
  CHECK(h.Run({"HELLO"}) == kHello2);
  CHECK(h.Run({"HELLO", "3"}) == kHello3);
  CHECK(h.client.proto == Proto::kResp3);
  CHECK(h.Run({"GET", "missing"}) == "_\r\n");
  CHECK(h.Run({"HELLO"}) == kHello3);  // no version: stays in RESP3
  CHECK(h.Run({"HELLO", "2"}) == kHello2);
  CHECK(h.Run({"GET", "missing"}) == "$-1\r\n");
  CHECK(h.Run({"HELLO", "2", "SETNAME", "worker"}) == kHello2);
  CHECK(h.client.name == "worker");
}

TEST_CASE("HELLO refuses bad versions and options with Redis's texts", "[connection]") {
  CommandHarness h;
  CHECK(h.Run({"HELLO", "4"}) == "-NOPROTO unsupported protocol version\r\n");
  CHECK(h.Run({"HELLO", "1"}) == "-NOPROTO unsupported protocol version\r\n");
  CHECK(h.Run({"HELLO", "abc"}) == "-ERR Protocol version is not an integer or out of range\r\n");
  CHECK(h.Run({"HELLO", "3", "FOO"}) == "-ERR Syntax error in HELLO option 'FOO'\r\n");
  CHECK(h.Run({"HELLO", "3", "AUTH", "x"}) == "-ERR Syntax error in HELLO option 'AUTH'\r\n");
  CHECK(h.Run({"HELLO", "3", "setname"}) == "-ERR Syntax error in HELLO option 'setname'\r\n");
  CHECK(h.Run({"HELLO", "3", "SETNAME", "a b"}) ==
        "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
  CHECK(h.Run({"HELLO", "3", "AUTH", "nouser", "x"}) ==
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  CHECK(h.client.proto == Proto::kResp2);  // every refusal left the protocol alone
  CHECK(h.client.name.empty());
}

TEST_CASE("HELLO with requirepass needs AUTH first or inline", "[connection]") {
  CommandHarness h(WithPassword("s3cret"));
  h.client.id = 7;
  CHECK(h.Run({"HELLO", "3"})
            .rfind("-NOAUTH HELLO must be called with the client already "
                   "authenticated",
                   0) == 0);
  CHECK(h.Run({"HELLO", "3", "AUTH", "default", "wrong"}) ==
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  CHECK_FALSE(h.client.authenticated);
  CHECK(h.Run({"HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "app"}) == kHello3);
  CHECK(h.client.authenticated);
  CHECK(h.client.name == "app");
}

TEST_CASE("AUTH without a configured password follows Redis 7", "[connection]") {
  CommandHarness h;
  CHECK(h.Run({"AUTH", "whatever"}) ==
        "-ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?\r\n");
  CHECK(h.Run({"AUTH", "default", "whatever"}) == "+OK\r\n");
  CHECK(h.Run({"AUTH", "nouser", "whatever"}) ==
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  CHECK(h.Run({"AUTH", "a", "b", "c"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"AUTH"}) == "-ERR wrong number of arguments for 'auth' command\r\n");
}

TEST_CASE("AUTH with requirepass gates commands; a failed AUTH keeps an earlier success",
          "[connection]") {
  CommandHarness h(WithPassword("s3cret"));
  CHECK(h.Run({"GET", "k"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(h.Run({"PING"}) == "-NOAUTH Authentication required.\r\n");  // as Redis 7.0
  CHECK(h.Run({"AUTH", "wrong"}) ==
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  CHECK(h.Run({"AUTH", "nouser", "s3cret"}) ==
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  CHECK(h.Run({"AUTH", "s3cret"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "k", "v"}) == "+OK\r\n");
  CHECK(h.Run({"AUTH", "wrong"}) ==
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  CHECK(h.Run({"GET", "k"}) == "$1\r\nv\r\n");
  CHECK(h.Run({"AUTH", "default", "s3cret"}) == "+OK\r\n");
}

TEST_CASE("SELECT checks the index like Redis", "[connection]") {
  CommandHarness h;
  CHECK(h.Run({"SELECT", "3"}) == "+OK\r\n");
  CHECK(h.client.db == 3);
  h.Run({"SET", "in3", "x"});
  CHECK(h.Run({"SELECT", "16"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.Run({"SELECT", "-1"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.Run({"SELECT", "abc"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Run({"SELECT", "99999999999"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.client.db == 3);
  CHECK(h.Run({"SELECT", "0"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "in3"}) == "$-1\r\n");
}

TEST_CASE("RESET returns the connection to its first state", "[connection]") {
  CommandHarness h(WithPassword("pw"));
  h.Run({"AUTH", "pw"});
  h.Run({"SELECT", "3"});
  h.Run({"CLIENT", "SETNAME", "before"});
  h.Run({"CLIENT", "NO-EVICT", "on"});
  h.Run({"HELLO", "3"});
  h.Run({"MULTI"});
  h.Run({"SET", "k", "v"});
  h.client.monitor = true;
  CHECK(h.Run({"RESET"}) == "+RESET\r\n");  // not queued, and answered in RESP2
  CHECK(h.client.db == 0);
  CHECK(h.client.proto == Proto::kResp2);
  CHECK(h.client.name.empty());
  CHECK_FALSE(h.client.in_multi);
  CHECK(h.client.queued.empty());
  CHECK_FALSE(h.client.monitor);
  CHECK_FALSE(h.client.authenticated);  // a password is required again
  CHECK(h.client.no_evict);             // Redis 7.0 keeps NO-EVICT
  CHECK(h.Run({"GET", "k"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(h.Run({"RESET", "x"}) == "-ERR wrong number of arguments for 'reset' command\r\n");
}

TEST_CASE("RESET turns replies back on", "[connection]") {
  CommandHarness h;
  CHECK(h.Run({"CLIENT", "REPLY", "OFF"}).empty());
  CHECK(h.Run({"PING"}).empty());
  CHECK(h.Run({"RESET"}) == "+RESET\r\n");
  CHECK(h.Run({"PING"}) == "+PONG\r\n");
}

TEST_CASE("CLIENT ID, SETNAME and GETNAME", "[connection]") {
  CommandHarness h;
  h.client.id = 42;
  CHECK(h.Run({"CLIENT", "ID"}) == ":42\r\n");
  CHECK(h.Run({"CLIENT", "GETNAME"}) == "$-1\r\n");
  CHECK(h.Run({"CLIENT", "SETNAME", "worker-1"}) == "+OK\r\n");
  CHECK(h.Run({"client", "getname"}) == "$8\r\nworker-1\r\n");
  const std::string bad =
      "-ERR Client names cannot contain spaces, newlines or special characters.\r\n";
  CHECK(h.Run({"CLIENT", "SETNAME", "a b"}) == bad);
  CHECK(h.Run({"CLIENT", "SETNAME", "a\nb"}) == bad);
  CHECK(h.Run({"CLIENT", "SETNAME", "\x01"}) == bad);
  CHECK(h.Run({"CLIENT", "GETNAME"}) == "$8\r\nworker-1\r\n");
  CHECK(h.Run({"CLIENT", "SETNAME", ""}) == "+OK\r\n");
  CHECK(h.Run({"CLIENT", "GETNAME"}) == "$-1\r\n");
}

TEST_CASE("CLIENT checks subcommands and their arity", "[connection]") {
  CommandHarness h;
  CHECK(h.Run({"CLIENT"}) == "-ERR wrong number of arguments for 'client' command\r\n");
  CHECK(h.Run({"CLIENT", "FOO"}) == "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n");
  CHECK(h.Run({"CLIENT", "SETNAME"}) ==
        "-ERR wrong number of arguments for 'client|setname' command\r\n");
  CHECK(h.Run({"CLIENT", "GETNAME", "x"}) ==
        "-ERR wrong number of arguments for 'client|getname' command\r\n");
  CHECK(h.Run({"CLIENT", "ID", "x"}) ==
        "-ERR wrong number of arguments for 'client|id' command\r\n");
  CHECK(h.Run({"CLIENT", "HELP"})
            .rfind("*56\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n",
                   0) == 0);
}

TEST_CASE("CLIENT LIST prints Redis's fields for every client", "[connection]") {
  CommandHarness h;
  FakeServerHooks hooks;
  h.engine.hooks = &hooks;
  ClientInfo other;
  other.id = 9;
  other.addr = "127.0.0.1:5000";
  other.laddr = "127.0.0.1:6379";
  other.fd = 12;
  other.created_ms = h.now_ms - 65000;
  other.last_interaction_ms = h.now_ms - 5000;
  other.last_command = "get";
  other.in_multi = true;
  other.queued.push_back({"SET", "k", "v"});
  h.client.id = 3;
  h.client.addr = "127.0.0.1:4000";
  h.client.laddr = "127.0.0.1:6379";
  h.client.fd = 11;
  h.client.created_ms = h.client.last_interaction_ms = h.now_ms;
  h.client.name = "lister";
  hooks.clients = {&h.client, &other};

  std::string list = BulkPayload(h.Run({"CLIENT", "LIST"}));
  size_t nl = list.find('\n');
  REQUIRE(nl != std::string::npos);
  std::string mine = list.substr(0, nl), theirs = list.substr(nl + 1);
  CHECK(list.back() == '\n');
  CHECK(mine.rfind("id=3 addr=127.0.0.1:4000 laddr=127.0.0.1:6379 fd=11 name=lister age=0 "
                   "idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 ",
                   0) == 0);
  CHECK(Field(mine, "cmd") == "client|list");
  CHECK(Field(mine, "user") == "default");
  CHECK(Field(mine, "resp") == "2");
  CHECK(Field(theirs, "id") == "9");
  CHECK(Field(theirs, "age") == "65");
  CHECK(Field(theirs, "idle") == "5");
  CHECK(Field(theirs, "flags") == "x");
  CHECK(Field(theirs, "multi") == "1");
  CHECK(Field(theirs, "cmd") == "get");
  for (const char* f : {"argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem", "tot-mem",
                        "events", "redir", "lib-name", "lib-ver"}) {
    CHECK(theirs.find(std::string(" ") + f + "=") != std::string::npos);
  }

  std::string normal = BulkPayload(h.Run({"CLIENT", "LIST", "TYPE", "normal"}));
  CHECK(normal.rfind("id=3 ", 0) == 0);
  CHECK(normal.find("\nid=9 ") != std::string::npos);
  CHECK(h.Run({"CLIENT", "LIST", "TYPE", "pubsub"}) == "$0\r\n\r\n");
  CHECK(h.Run({"CLIENT", "LIST", "TYPE", "foo"}) == "-ERR Unknown client type 'foo'\r\n");
  std::string by_id = BulkPayload(h.Run({"CLIENT", "LIST", "ID", "9", "999", "3"}));
  CHECK(by_id.rfind("id=9 ", 0) == 0);
  CHECK(by_id.find("\nid=3 ") != std::string::npos);
  CHECK(h.Run({"CLIENT", "LIST", "ID", "999"}) == "$0\r\n\r\n");
  CHECK(h.Run({"CLIENT", "LIST", "ID", "abc"}) == "-ERR Invalid client ID\r\n");
  CHECK(h.Run({"CLIENT", "LIST", "FOO"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"CLIENT", "LIST", "TYPE"}) == "-ERR syntax error\r\n");
}

TEST_CASE("CLIENT LIST flags a unix-socket client U", "[connection]") {
  CommandHarness h;
  h.client.addr = "/tmp/firn.sock:0";
  h.client.fd = -1;
  CHECK(Field(BulkPayload(h.Run({"CLIENT", "INFO"})), "flags") == "U");
}

TEST_CASE("CLIENT INFO is the caller's line, verbatim in RESP3", "[connection]") {
  CommandHarness h;
  h.client.id = 5;
  h.client.created_ms = h.client.last_interaction_ms = h.now_ms;
  std::string info = BulkPayload(h.Run({"CLIENT", "INFO"}));
  CHECK(info.rfind("id=5 ", 0) == 0);
  CHECK(info.back() == '\n');
  CHECK(info.find('\n') == info.size() - 1);
  CHECK(Field(info, "cmd") == "client|info");
  h.client.proto = Proto::kResp3;
  std::string resp3 = h.Run({"CLIENT", "INFO"});
  CHECK(resp3.rfind("=", 0) == 0);
  CHECK(resp3.find("\r\ntxt:id=5 ") != std::string::npos);
  CHECK(resp3.find(" resp=3 ") != std::string::npos);
}

TEST_CASE("CLIENT KILL: old form by address, new form by filters", "[connection]") {
  CommandHarness h;
  FakeServerHooks hooks;
  h.engine.hooks = &hooks;
  ClientInfo a, b;
  a.id = 10;
  a.addr = "127.0.0.1:1000";
  b.id = 11;
  b.addr = "127.0.0.1:1001";
  b.laddr = "127.0.0.1:6380";
  h.client.id = 1;
  h.client.addr = "127.0.0.1:999";
  hooks.clients = {&h.client, &a, &b};

  CHECK(h.Run({"CLIENT", "KILL", "1.2.3.4:5"}) == "-ERR No such client\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "127.0.0.1:1000"}) == "+OK\r\n");
  CHECK(a.close_after_reply);
  CHECK(h.Run({"CLIENT", "KILL", "ADDR", "1.2.3.4:5"}) == ":0\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "LADDR", "127.0.0.1:6380"}) == ":1\r\n");
  CHECK(b.close_after_reply);
  b.close_after_reply = false;
  CHECK(h.Run({"CLIENT", "KILL", "ID", "11", "ADDR", "127.0.0.1:1000"}) == ":0\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "ID", "11", "USER", "default"}) == ":1\r\n");
  // SKIPME yes (the default) spares the caller even when every filter matches it.
  CHECK(h.Run({"CLIENT", "KILL", "ID", "1"}) == ":0\r\n");
  CHECK_FALSE(h.client.close_after_reply);
  CHECK(h.Run({"CLIENT", "KILL", "ID", "1", "SKIPME", "no"}) == ":1\r\n");
  CHECK(h.client.close_after_reply);
  CHECK(hooks.killed_ids == std::vector<uint64_t>{10, 11, 11, 1});

  CHECK(h.Run({"CLIENT", "KILL", "ID", "abc"}) == "-ERR client-id should be greater than 0\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "ID", "0"}) == "-ERR client-id should be greater than 0\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "TYPE", "foo"}) == "-ERR Unknown client type 'foo'\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "USER", "bob"}) == "-ERR No such user 'bob'\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "SKIPME", "maybe"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "FOO", "bar"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "ID", "1", "SKIPME"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"CLIENT", "KILL"}) ==
        "-ERR wrong number of arguments for 'client|kill' command\r\n");
}

TEST_CASE("CLIENT KILL without a server acts on the caller alone", "[connection]") {
  CommandHarness h;
  h.client.addr = "127.0.0.1:999";
  CHECK(h.Run({"CLIENT", "KILL", "127.0.0.1:999"}) == "+OK\r\n");
  CHECK(h.client.close_after_reply);
}

TEST_CASE("CLIENT SETINFO stores the library name and version", "[connection]") {
  CommandHarness h;
  CHECK(h.Run({"CLIENT", "SETINFO", "LIB-NAME", "redis-py"}) == "+OK\r\n");
  CHECK(h.Run({"CLIENT", "SETINFO", "lib-ver", "5.0.1"}) == "+OK\r\n");
  std::string info = BulkPayload(h.Run({"CLIENT", "INFO"}));
  CHECK(Field(info, "lib-name") == "redis-py");
  CHECK(Field(info, "lib-ver") == "5.0.1");
  CHECK(h.Run({"CLIENT", "SETINFO", "LIB-NAME", "a b"}) ==
        "-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n");
  CHECK(h.Run({"CLIENT", "SETINFO", "FOO", "x"}) == "-ERR Unrecognized option 'FOO'\r\n");
  CHECK(h.Run({"CLIENT", "SETINFO", "LIB-NAME"}) ==
        "-ERR wrong number of arguments for 'client|setinfo' command\r\n");
}

TEST_CASE("CLIENT NO-EVICT sets the e flag", "[connection]") {
  CommandHarness h;
  CHECK(h.Run({"CLIENT", "NO-EVICT", "ON"}) == "+OK\r\n");
  CHECK(h.client.no_evict);
  CHECK(Field(BulkPayload(h.Run({"CLIENT", "INFO"})), "flags") == "e");
  CHECK(h.Run({"CLIENT", "NO-EVICT", "off"}) == "+OK\r\n");
  CHECK_FALSE(h.client.no_evict);
  CHECK(h.Run({"CLIENT", "NO-EVICT", "foo"}) == "-ERR syntax error\r\n");
}

TEST_CASE("CLIENT REPLY OFF silences until ON; SKIP drops itself and the next reply",
          "[connection]") {
  CommandHarness h;
  CHECK(h.Run({"CLIENT", "REPLY", "OFF"}).empty());
  CHECK(h.Run({"SET", "a", "1"}).empty());
  CHECK(h.Run({"NOSUCHCMD"}).empty());
  CHECK(h.Run({"CLIENT", "REPLY", "ON"}) == "+OK\r\n");
  CHECK(h.Run({"CLIENT", "REPLY", "SKIP"}).empty());
  CHECK(h.Run({"SET", "b", "2"}).empty());
  CHECK(h.Run({"GET", "b"}) == "$1\r\n2\r\n");
  CHECK(h.Run({"CLIENT", "REPLY", "FOO"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"CLIENT", "REPLY"}) ==
        "-ERR wrong number of arguments for 'client|reply' command\r\n");
}

TEST_CASE("subcommands keep their own counters", "[connection]") {
  CommandHarness h;
  h.Run({"CLIENT", "ID"});
  h.Run({"CLIENT", "ID"});
  h.Run({"CLIENT", "SETNAME", "a b"});
  h.Run({"CLIENT", "SETNAME"});
  const firn::Command* client = h.engine.commands.Find("client");
  REQUIRE(client != nullptr);
  const firn::Command* id = nullptr;
  const firn::Command* setname = nullptr;
  for (const firn::Command& sub : client->subcommands) {
    if (sub.name == "client|id") id = &sub;
    if (sub.name == "client|setname") setname = &sub;
  }
  REQUIRE(id != nullptr);
  REQUIRE(setname != nullptr);
  CHECK(id->stats.calls == 2);
  CHECK(setname->stats.calls == 1);
  CHECK(setname->stats.failed_calls == 1);
  CHECK(setname->stats.rejected_calls == 1);
}

TEST_CASE("QUIT and RESET run at once inside MULTI", "[connection]") {
  CommandHarness h;
  h.Run({"MULTI"});
  CHECK(h.Run({"QUIT"}) == "+OK\r\n");
  CHECK(h.client.close_after_reply);
}
