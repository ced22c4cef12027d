// Function commands: FUNCTION LOAD/DELETE/FLUSH/LIST/DUMP/RESTORE/STATS/KILL/HELP, FCALL and
// FCALL_RO (Redis 7's functions.c and function_lua.c).
//
// A library is Lua code starting with `#!lua name=<library>` that calls
// redis.register_function(name, callback) or redis.register_function{function_name=...,
// callback=..., flags={...}, description=...} while FUNCTION LOAD runs it; FCALL then calls a
// registered callback with (KEYS, ARGV). Libraries share the scripting VM and its sandbox
// (modules/lua_vm.h); their state is in ScriptingState (modules/scripting.h).
#pragma once

#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> FunctionCommands();

}  // namespace firn
