#include <catch2/catch.hpp>
#include <string>

#include "../command_harness.h"
#include "modules/journal.h"
#include "modules/lua_vm.h"
#include "modules/scripting.h"

using firn::testing::CommandHarness;

namespace {

std::string Eval(CommandHarness& h, const std::string& body) { return h.Run({"EVAL", body, "0"}); }

}  // namespace

TEST_CASE("EVAL converts Lua values to RESP as Redis documents", "[scripting]") {
  CommandHarness h;
  CHECK(Eval(h, "return 3.99") == ":3\r\n");
  CHECK(Eval(h, "return -3.99") == ":-3\r\n");
  CHECK(Eval(h, "return 'x'") == "$1\r\nx\r\n");
  CHECK(Eval(h, "return true") == ":1\r\n");
  CHECK(Eval(h, "return false") == "$-1\r\n");
  CHECK(Eval(h, "return nil") == "$-1\r\n");
  CHECK(Eval(h, "return {1,'a',{2,{3}},nil,5}") ==
        "*3\r\n:1\r\n$1\r\na\r\n*2\r\n:2\r\n*1\r\n:3\r\n");
  CHECK(Eval(h, "return {ok='fine'}") == "+fine\r\n");
  CHECK(Eval(h, "return {err='CODE text'}") == "-CODE text\r\n");
  CHECK(Eval(h, "return redis.error_reply('oops')") == "-ERR oops\r\n");
  CHECK(Eval(h, "return {double=1.5}") == "$3\r\n1.5\r\n");
  CHECK(Eval(h, "return {map={a=1}}") == "*2\r\n$1\r\na\r\n:1\r\n");
}

TEST_CASE("RESP3 callers get maps, doubles and booleans from scripts", "[scripting]") {
  CommandHarness h;
  h.client.proto = firn::Proto::kResp3;
  CHECK(Eval(h, "return {double=1.5}") == ",1.5\r\n");
  CHECK(Eval(h, "return {map={a=1}}") == "%1\r\n$1\r\na\r\n:1\r\n");
  CHECK(Eval(h, "return false") == "_\r\n");
  CHECK(Eval(h, "redis.setresp(3) return false") == "#f\r\n");
  CHECK(Eval(h, "redis.setresp(3) return type(redis.call('get', 'missing'))") ==
        "$3\r\nnil\r\n");
  CHECK(Eval(h, "return type(redis.call('get', 'missing'))") == "$7\r\nboolean\r\n");
}

TEST_CASE("redis.call runs commands and raises their errors with the script's line", "[scripting]") {
  CommandHarness h;
  CHECK(h.Run({"EVAL", "return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v"}) ==
        "+OK\r\n");
  CHECK(h.Run({"GET", "k"}) == "$1\r\nv\r\n");
  const std::string body = "\n\nreturn redis.call('incr', KEYS[1])";
  CHECK(h.Run({"EVAL", body, "1", "k"}) == "-ERR value is not an integer or out of range script: " +
                                             firn::Sha1Hex(body) + ", on @user_script:3.\r\n");
  CHECK(Eval(h, "return redis.pcall('incr', 'k')") ==
        "-ERR value is not an integer or out of range\r\n");
  CHECK(Eval(h, "return redis.call('multi')").rfind(
            "-ERR This Redis command is not allowed from script script: ", 0) == 0);
  CHECK(Eval(h, "return redis.call('nosuch')")
            .rfind("-ERR Unknown Redis command called from script script: ", 0) == 0);
}

TEST_CASE("a script sees one frozen clock", "[scripting]") {
  CommandHarness h;
  // The key expires 1 ms after the script's clock; every command of the script sees that
  // clock, so it is still there at the end however long the script runs.
  CHECK(Eval(h, "redis.call('set', 'k', 'v', 'PX', 1) for i = 1, 100000 do end "
                "return redis.call('get', 'k')") == "$1\r\nv\r\n");
  h.now_ms += 1;
  CHECK(h.Run({"GET", "k"}) == "$-1\r\n");
}

TEST_CASE("read-only scripts refuse writes", "[scripting]") {
  CommandHarness h;
  CHECK(h.Run({"EVAL_RO", "return redis.call('set', 'k', 'v')", "0"})
            .rfind("-ERR Write commands are not allowed from read-only scripts. script: ", 0) == 0);
  CHECK(Eval(h, "#!lua flags=no-writes\nreturn redis.call('set', 'k', 'v')")
            .rfind("-ERR Write commands are not allowed from read-only scripts. script: ", 0) == 0);
  CHECK(h.Run({"GET", "k"}) == "$-1\r\n");
  CHECK(h.Run({"EVAL_RO", "#!lua\nreturn 1", "0"}) ==
        "-ERR Can not execute a script with write flag using *_ro command.\r\n");
}

TEST_CASE("globals are read-only and nothing leaks between scripts", "[scripting]") {
  CommandHarness h;
  CHECK(Eval(h, "x = 1").find("Attempt to modify a readonly table") != std::string::npos);
  CHECK(Eval(h, "return x").find(
            "Script attempted to access nonexistent global variable 'x'") != std::string::npos);
  CHECK(Eval(h, "redis.call = nil").find("Attempt to modify a readonly table") !=
        std::string::npos);
  CHECK(Eval(h, "rawset(_G, 'y', 1)").find("Attempt to modify a readonly table") !=
        std::string::npos);
  CHECK(Eval(h, "return loadstring(string.dump(function() end))").find("$-1") == 0);
  CHECK(Eval(h, "return os").find("nonexistent global variable 'os'") != std::string::npos);
}

TEST_CASE("SELECT inside a script does not change the caller's database", "[scripting]") {
  CommandHarness h;
  CHECK(Eval(h, "redis.call('select', 1) return redis.call('set', 'k', 'v')") == "+OK\r\n");
  CHECK(h.Run({"GET", "k"}) == "$-1\r\n");
  CHECK(h.Run({"SELECT", "1"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "k"}) == "$1\r\nv\r\n");
}

TEST_CASE("EVAL inside MULTI runs at EXEC", "[scripting]") {
  CommandHarness h;
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"EVAL", "return redis.call('incr', 'c')", "0"}) == "+QUEUED\r\n");
  CHECK(h.Run({"EVAL", "return redis.call('incr', 'c')", "0"}) == "+QUEUED\r\n");
  CHECK(h.Run({"EXEC"}) == "*2\r\n:1\r\n:2\r\n");
}

TEST_CASE("the EVAL script cache keeps the newest scripts and every loaded one", "[scripting]") {
  CommandHarness h;
  std::string loaded = h.Run({"SCRIPT", "LOAD", "return 'loaded'"});
  loaded = loaded.substr(loaded.find("\r\n") + 2, 40);
  const size_t bound = firn::ScriptingState::kMaxEvalScripts;
  for (size_t i = 0; i < bound + 100; ++i) Eval(h, "return " + std::to_string(i));
  firn::ScriptingState& st = firn::ScriptingOf(h.engine);
  CHECK(st.scripts.size() == bound + 1);
  CHECK(st.evicted_scripts == 100);
  const std::string oldest = firn::Sha1Hex("return 0");
  const std::string newest = firn::Sha1Hex("return " + std::to_string(bound + 99));
  CHECK(h.Run({"SCRIPT", "EXISTS", oldest, newest, loaded}) == "*3\r\n:0\r\n:1\r\n:1\r\n");
  CHECK(h.Run({"EVALSHA", oldest, "0"}) == "-NOSCRIPT No matching script. Please use EVAL.\r\n");
  CHECK(h.Run({"EVALSHA", loaded, "0"}) == "$6\r\nloaded\r\n");
  CHECK(h.Run({"SCRIPT", "FLUSH"}) == "+OK\r\n");
  CHECK(st.scripts.empty());
}

TEST_CASE("a runaway script stops at the next hook once killed", "[scripting]") {
  CommandHarness h;
  firn::ScriptingState& st = firn::ScriptingOf(h.engine);
  static int ticks = 0;
  ticks = 0;
  // The tick stands in for the event loop serving SCRIPT KILL while the script runs.
  st.vm.set_tick([](firn::LuaVm& vm, void*) {
    if (++ticks == 3) vm.Kill();
  }, nullptr);
  CHECK(Eval(h, "local i = 0\nwhile true do i = i + 1 end")
            .rfind("-ERR Script killed by user with SCRIPT KILL... script: ", 0) == 0);
  CHECK(ticks == 3);
  // pcall cannot swallow the kill.
  ticks = 0;
  CHECK(Eval(h, "while true do pcall(function() while true do end end) end")
            .rfind("-ERR Script killed by user with SCRIPT KILL...", 0) == 0);
  st.vm.set_tick(nullptr, nullptr);
  CHECK(h.Run({"SCRIPT", "KILL"}) == "-NOTBUSY No scripts in execution right now.\r\n");
}

namespace {
int64_t g_clock_us = 0;
int64_t SteppingClockUs() { return g_clock_us += 100000; }  // 100 ms per reading
}  // namespace

TEST_CASE("FUNCTION LOAD gives up on code that runs past its time limit", "[scripting]") {
  CommandHarness h;
  h.engine.clock_us = SteppingClockUs;
  CHECK(h.Run({"FUNCTION", "LOAD", "#!lua name=slow\nlocal a = 1 while 1 do a = a + 1 end"})
            .find("FUNCTION LOAD timeout") != std::string::npos);
  CHECK(h.Run({"FUNCTION", "LIST"}) == "*0\r\n");
}

TEST_CASE("FCALL runs registered functions with KEYS and ARGV as arguments", "[scripting]") {
  CommandHarness h;
  CHECK(h.Run({"FUNCTION", "LOAD",
               "#!lua name=lib\nredis.register_function('echo', function(keys, args) "
               "return {keys[1], args[1]} end)\n"
               "redis.register_function{function_name='get', callback=function(keys) "
               "return redis.call('get', keys[1]) end, flags={'no-writes'}}"}) ==
        "$3\r\nlib\r\n");
  CHECK(h.Run({"FCALL", "echo", "1", "k", "a"}) == "*2\r\n$1\r\nk\r\n$1\r\na\r\n");
  CHECK(h.Run({"FCALL", "ECHO", "0"}) == "*0\r\n");
  CHECK(h.Run({"FCALL_RO", "get", "1", "k"}) == "$-1\r\n");
  CHECK(h.Run({"FCALL_RO", "echo", "0"}) ==
        "-ERR Can not execute a script with write flag using *_ro command.\r\n");
  CHECK(h.Run({"FUNCTION", "DELETE", "lib"}) == "+OK\r\n");
  CHECK(h.Run({"FCALL", "echo", "0"}) == "-ERR Function not found\r\n");
}

namespace {

std::vector<std::string> Flat(const firn::JournalBuffer& journal) {
  std::vector<std::string> out;
  for (const auto& r : journal.records) {
    std::string line = std::to_string(r.db) + ":";
    for (const std::string& a : r.argv) line += " " + a;
    out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("a script's writes reach the journal as its effects, in one unit", "[scripting]") {
  CommandHarness h;
  firn::JournalBuffer journal;
  h.engine.journal = &journal;
  const std::string at = std::to_string(h.now_ms + 10000);
  CHECK(Eval(h, "redis.call('set', 'a', '1', 'EX', 10) redis.call('get', 'a') "
                "redis.call('incr', 'n') return 1") == ":1\r\n");
  CHECK(Flat(journal) == std::vector<std::string>{"0: MULTI", "0: SET a 1 PXAT " + at,
                                                  "0: incr n", "0: EXEC"});
  journal.records.clear();
  CHECK(Eval(h, "return redis.call('get', 'a')") == "$1\r\n1\r\n");  // reads: nothing
  CHECK(Eval(h, "redis.call('incr', 'n') return 1") == ":1\r\n");    // one write: no unit
  CHECK(Flat(journal) == std::vector<std::string>{"0: incr n"});
  journal.records.clear();
  // Inside EXEC the script's effects join the transaction's unit.
  h.Run({"MULTI"});
  h.Run({"EVAL", "redis.call('incr', 'n') redis.call('incr', 'm') return 1", "0"});
  h.Run({"INCR", "n"});
  h.Run({"EXEC"});
  CHECK(Flat(journal) == std::vector<std::string>{"0: MULTI", "0: incr n", "0: incr m",
                                                  "0: INCR n", "0: EXEC"});
  h.engine.journal = nullptr;
}

TEST_CASE("commands a script may not run count as rejected calls", "[scripting]") {
  CommandHarness h;
  const firn::Command* set = h.engine.commands.Find("set");
  const uint64_t before = set->stats.rejected_calls;
  CHECK(h.Run({"EVAL_RO", "return redis.pcall('set', 'k', 'v')", "0"}) ==
        "-ERR Write commands are not allowed from read-only scripts.\r\n");
  CHECK(set->stats.rejected_calls == before + 1);
  CHECK(set->stats.calls == 0);
}

namespace {

int64_t g_busy_clock_us = 0;
int64_t BusyClockUs() { return g_busy_clock_us += 1000; }  // 1 ms per reading

// Stands in for the server: each turn of the loop a second client sends its next command.
class BusyServer : public firn::ServerHooks {
 public:
  BusyServer(CommandHarness& h, std::vector<std::vector<std::string>> script)
      : h_(h), script_(std::move(script)) {}
  void ForEachClient(const std::function<void(const firn::ClientInfo&)>&) override {}
  size_t KillClients(const std::function<bool(const firn::ClientInfo&)>&) override { return 0; }
  void RequestShutdown() override { shutdown = true; }
  void ScriptBusyStarted() override { ++started; }
  void ServeWhileBusy() override {
    if (next_ >= script_.size()) return;
    const std::vector<std::string>& cmd = script_[next_++];
    std::string out;
    firn::DispatchWhileBusy(h_.engine, other,
                            std::vector<std::string_view>(cmd.begin(), cmd.end()),
                            &out, h_.now_ms);
    replies.push_back(out);
  }
  void ScriptBusyEnded() override { ++ended; }

  firn::ClientInfo other;
  std::vector<std::string> replies;
  int started = 0, ended = 0;
  bool shutdown = false;

 private:
  CommandHarness& h_;
  std::vector<std::vector<std::string>> script_;
  size_t next_ = 0;
};

}  // namespace

TEST_CASE("a script past busy-reply-threshold serves others -BUSY until SCRIPT KILL", "[scripting]") {
  CommandHarness h;
  h.engine.clock_us = BusyClockUs;
  h.engine.config.busy_reply_threshold = 10;
  BusyServer server(h, {{"GET", "k"}, {"FUNCTION", "KILL"}, {"SCRIPT", "KILL"}, {"PING"}});
  server.other.authenticated = true;
  h.engine.hooks = &server;
  CHECK(Eval(h, "while true do end").rfind("-ERR Script killed by user with SCRIPT KILL...", 0) == 0);
  REQUIRE(server.replies.size() == 3);  // the kill is raised before another turn
  CHECK(server.replies[0] ==
        "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
        "NOSAVE.\r\n");
  CHECK(server.replies[1] == server.replies[0]);  // FUNCTION KILL does not stop an EVAL
  CHECK(server.replies[2] == "+OK\r\n");
  CHECK(server.started == 1);
  CHECK(server.ended == 1);
  CHECK(h.engine.script_busy == firn::ScriptBusy::kNone);
  CHECK(h.Run({"PING"}) == "+PONG\r\n");
  h.engine.hooks = nullptr;
}

TEST_CASE("a busy script that wrote is unkillable but SHUTDOWN NOSAVE stops it", "[scripting]") {
  CommandHarness h;
  h.engine.clock_us = BusyClockUs;
  h.engine.config.busy_reply_threshold = 0;
  BusyServer server(h, {{"SCRIPT", "KILL"}, {"SHUTDOWN"}, {"SHUTDOWN", "NOSAVE"}});
  server.other.authenticated = true;
  h.engine.hooks = &server;
  CHECK(h.Run({"EVAL", "redis.call('set', KEYS[1], 'v') while true do end", "1", "k"})
            .rfind("-ERR Script killed by user", 0) == 0);
  REQUIRE(server.replies.size() == 3);
  CHECK(server.replies[0].rfind("-UNKILLABLE Sorry the script already executed write", 0) == 0);
  CHECK(server.replies[1].rfind("-BUSY ", 0) == 0);  // SHUTDOWN needs NOSAVE while busy
  CHECK(server.shutdown);
  h.engine.hooks = nullptr;
}

TEST_CASE("a script under busy-reply-threshold never serves other clients", "[scripting]") {
  CommandHarness h;
  h.engine.clock_us = BusyClockUs;
  h.engine.config.busy_reply_threshold = 1000000;
  BusyServer server(h, {{"PING"}});
  h.engine.hooks = &server;
  CHECK(Eval(h, "local i = 0 while i < 1000000 do i = i + 1 end return i") == ":1000000\r\n");
  CHECK(server.started == 0);
  CHECK(server.replies.empty());
  h.engine.hooks = nullptr;
}
