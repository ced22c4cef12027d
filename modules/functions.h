// Function commands: FUNCTION LOAD/DELETE/FLUSH/LIST/DUMP/RESTORE/STATS/KILL/HELP, FCALL and
// FCALL_RO (Redis 7's functions.c and function_lua.c).
//
// A library is Lua code starting with `#!lua name=<library>` that calls
// redis.register_function(name, callback) or redis.register_function{function_name=...,
// callback=..., flags={...}, description=...} while FUNCTION LOAD runs it; FCALL then calls a
// registered callback with (KEYS, ARGV). Libraries share the scripting VM and its sandbox
// (modules/lua_vm.h); their state is in ScriptingState (modules/scripting.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "modules/command.h"

namespace firn {

std::vector<Command> FunctionCommands();

struct Engine;
// Every library's code, by name (snapshots write them as FUNCTION2 records). Empty when
// scripting was never used (the Lua VM is not made for this).
std::vector<std::string> FunctionLibraryCodes(Engine& engine);
// Loads one library's code from a snapshot, replacing one of the same name. False with
// *error when the code does not load.
bool LoadFunctionLibrary(Engine& engine, std::string_view code, std::string* error);

}  // namespace firn
