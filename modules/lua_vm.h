// LuaVm: the one Lua 5.1 interpreter that runs EVAL scripts and FUNCTION libraries.
//
// Contract:
// - One VM per Engine, created on first use (Engine::scripting) and used by the loop thread
//   only; nothing in it is thread-safe.
// - Scripts and library callbacks see a sandbox shaped as Redis 7.0's: the base, table,
//   string, math, coroutine, cjson, bit, struct and cmsgpack libraries and the `redis` API; no
//   os, io, require, loadfile, dofile, print, getfenv or setfenv; every global and every
//   library table read-only ("Attempt to modify a readonly table"), an unknown global an error
//   ("Script attempted to access nonexistent global variable 'x'").
// - Run() executes a compiled function with keys and args and appends exactly one reply,
//   converting the Lua result to RESP for the caller's protocol as Redis documents it.
// - redis.call / redis.pcall run Firn's own commands through the execution half of the
//   command path with the script's own checks (no-script commands, writes from read-only
//   scripts, OOM before the first write) done here.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "modules/engine.h"
#include "protocol/reply.h"

struct lua_State;

namespace firn {

// Script flags: the `#!lua flags=...` shebang of an EVAL script, or register_function's flags.
enum ScriptFlag : uint32_t {
  kScriptNoWrites = 1u << 0,
  kScriptAllowOom = 1u << 1,
  kScriptAllowStale = 1u << 2,
  kScriptNoCluster = 1u << 3,
  kScriptAllowCrossSlotKeys = 1u << 4,
  // An EVAL script without a shebang: Redis's pre-7.0 rules (may write, OOM checked per
  // command rather than up front).
  kScriptEvalCompat = 1u << 5,
};

// Parses a flag name ("no-writes"...) into *flag; false if unknown.
bool ParseScriptFlag(std::string_view name, uint32_t* flag);

// Lowercase hex SHA1 of data (40 characters), from OpenSSL's libcrypto.
std::string Sha1Hex(std::string_view data);

class LuaVm {
 public:
  LuaVm();
  ~LuaVm();
  LuaVm(const LuaVm&) = delete;
  LuaVm& operator=(const LuaVm&) = delete;

  lua_State* state() { return lua_; }

  // Compiles body as a chunk named chunk_name ("@user_script") in the sandbox. On success
  // returns true and a registry reference to the function; on failure the compiler's message
  // ("user_script:1: unexpected symbol near '='") in *error.
  bool Compile(std::string_view body, const char* chunk_name, int* ref, std::string* error);
  void Release(int ref);

  // What one run needs to know besides its function.
  struct RunSpec {
    Engine& engine;
    ClientInfo& caller;
    int64_t now_ms;
    uint32_t flags;          // ScriptFlag bits
    bool read_only_command;  // EVAL_RO, EVALSHA_RO, FCALL_RO
    std::string_view name;   // the SHA for EVAL, the function's name for FCALL
    // The command that started the run (FUNCTION STATS' running_script); it outlives the run.
    const std::vector<std::string_view>* command = nullptr;
  };
  // Runs the function at ref. as_function: FCALL's calling convention (KEYS and ARGV passed as
  // arguments) instead of EVAL's (set as globals). Appends one reply to reply.
  void Run(int ref, const RunSpec& spec, std::span<const std::string_view> keys,
           std::span<const std::string_view> args, bool as_function, ReplyBuilder& reply);

  // FUNCTION LOAD: runs a library's code with only the library API visible, collecting the
  // functions it registers. Returns false with *error set (without the "ERR " prefix) on a
  // compile or runtime error, a timeout, or no function registered.
  struct RegisteredFunction {
    std::string name;
    std::string description;
    bool has_description = false;
    uint32_t flags = 0;
    int ref = -1;  // registry reference to the callback
  };
  bool LoadLibrary(std::string_view code, int64_t (*clock_us)(),
                   std::vector<RegisteredFunction>* out, std::string* error);

  // A script is running (for SCRIPT KILL / FUNCTION KILL and -BUSY).
  bool running() const { return run_ != nullptr; }
  // Whether the running script wrote (then it cannot be killed).
  bool running_wrote() const;
  // Asks the running script to stop at its next hook check.
  void Kill() { kill_requested_ = true; }
  bool kill_pending() const { return kill_requested_; }
  // Called from the instruction hook (every 100,000 instructions) while a script runs: the
  // owner uses it to notice a script past busy-reply-threshold and serve other clients.
  using TickFn = void (*)(LuaVm& vm, void* arg);
  void set_tick(TickFn fn, void* arg) {
    tick_ = fn;
    tick_arg_ = arg;
  }
  void Tick();
  int64_t running_since_us() const { return run_start_us_; }
  std::string_view running_name() const;
  // The running script's command (nullptr when none runs).
  const std::vector<std::string_view>* running_command() const;
  bool running_is_function() const { return running_is_function_; }

  // Number of Lua bytes in use (INFO used_memory_lua).
  size_t memory_bytes() const;
  // A full garbage collection: SCRIPT FLUSH and FUNCTION FLUSH, where Redis starts a new VM,
  // give back what the dropped scripts and their garbage held.
  void CollectGarbage();

  // Internal state of one run, reachable from the C functions the sandbox exposes.
  struct RunState;
  struct LoadState;
  RunState* run() { return run_; }
  LoadState* load() { return load_; }

 private:
  void BuildSandbox();

  lua_State* lua_ = nullptr;
  RunState* run_ = nullptr;               // while a script runs: state_
  std::unique_ptr<RunState> state_;       // reused by every run (its buffers keep their size)
  uint32_t runs_since_gc_ = 0;
  LoadState* load_ = nullptr;
  bool kill_requested_ = false;
  TickFn tick_ = nullptr;
  void* tick_arg_ = nullptr;
  bool running_is_function_ = false;
  int64_t run_start_us_ = 0;
};

}  // namespace firn
