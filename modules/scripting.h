// Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (Redis's eval.c).
//
// The scripts, the function libraries (modules/functions.h) and the Lua VM that runs both live
// in one ScriptingState per Engine (Engine::scripting), created on first use.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "modules/command.h"
#include "modules/lua_vm.h"

namespace firn {

struct ScriptingState {
  LuaVm vm;

  // The script cache. Scripts sent with EVAL are bounded: the newest kMaxEvalScripts stay (as
  // Redis 7.4), the oldest are dropped, so a client generating a new script per request cannot
  // grow memory without limit; SCRIPT LOAD's scripts stay until SCRIPT FLUSH.
  static constexpr size_t kMaxEvalScripts = 500;
  struct Script {
    std::string body;
    int ref = -1;
    uint32_t flags = 0;
    bool loaded = false;  // by SCRIPT LOAD (never evicted)
    std::list<std::string>::iterator lru;  // into eval_lru when !loaded
  };
  // Looked up by string_view (EVALSHA's argument) without building a string.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, Script, NameHash, std::equal_to<>> scripts;  // by SHA1 hex
  std::list<std::string> eval_lru;                  // EVAL-only scripts, newest first
  size_t scripts_body_bytes = 0;
  uint64_t evicted_scripts = 0;

  // Function libraries (modules/functions.cc).
  struct Function {
    std::string name;
    std::string description;
    bool has_description = false;
    uint32_t flags = 0;
    int ref = -1;
    std::string library;
  };
  struct Library {
    std::string name;
    std::string code;
    std::vector<std::string> functions;  // names, in registration order
  };
  std::unordered_map<std::string, Library> libraries;
  std::unordered_map<std::string, Function> functions;
};

// The engine's scripting state, created on first use.
ScriptingState& ScriptingOf(Engine& engine);

// Parses numkeys at argv[index] and checks it against the arguments after it; on failure
// sends the error and returns false.
bool ParseNumKeys(CommandContext& ctx, size_t index, int64_t* numkeys);

// EVAL's and FCALL's rows skip Execute's MONITOR feed: as Redis, monitors see the call
// itself first (even when it then fails), then the commands the script runs, from "lua".
void FeedScriptCallToMonitors(CommandContext& ctx);

// SCRIPT KILL (eval) and FUNCTION KILL: stops the running script at its next hook if it is
// of the kind asked for and has not written; else Redis's -NOTBUSY, -UNKILLABLE or -BUSY.
// Only reachable from another client while the script is busy.
void KillRunningScript(CommandContext& ctx, bool eval);

std::vector<Command> ScriptingCommands();

}  // namespace firn
