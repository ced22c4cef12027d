// Function libraries: loading, the registry of functions, FCALL, and the DUMP payload.
//
// FUNCTION LOAD compiles and runs the library's code once, with only the library API visible
// (LuaVm::LoadLibrary); the callbacks it registers are kept as Lua references, so FCALL is a
// hash lookup and a call. Loading is all or nothing: a library whose code fails, registers
// nothing, or registers a name another library owns leaves the registry as it was (with
// REPLACE, the old library is put back). The DUMP payload is Redis's: one
// RDB_OPCODE_FUNCTION2 (245) record per library holding its code as an RDB string, then the
// RDB version (10) and a CRC64 (Jones polynomial, reflected, as Redis's crc64.c) of everything
// before it; Firn writes the code uncompressed and reads uncompressed strings only.
#include "modules/functions.h"

#include <algorithm>
#include <cctype>

#include "modules/args.h"
#include "modules/common.h"
#include "modules/dispatch.h"
#include "modules/engine.h"
#include "modules/scripting.h"
#include "protocol/errors.h"
#include "storage/rdb.h"

namespace firn {
namespace {

using Library = ScriptingState::Library;
using Function = ScriptingState::Function;

// Function names are case-insensitive (FCALL TEST finds test): the registry is keyed by the
// lowercase name and keeps the name as registered for FUNCTION LIST.
std::string Key(std::string_view name) {
  std::string key;
  ToLower(name, &key);
  return key;
}

std::string SyntaxError(std::string_view subcommand) {
  return std::string(err::kFunctionSyntaxPrefix) + std::string(subcommand) +
         std::string(err::kFunctionSyntaxSuffix);
}

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

// Splits a shebang line into words as Redis's sdssplitargs does for the cases that matter
// here: blanks separate words, double quotes group (and are dropped), backslash escapes.
std::vector<std::string> SplitWords(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size()) break;
    std::string word;
    bool quoted = false;
    for (; i < line.size(); ++i) {
      char c = line[i];
      if (quoted) {
        if (c == '\\' && i + 1 < line.size()) {
          word.push_back(line[++i]);
        } else if (c == '"') {
          quoted = false;
        } else {
          word.push_back(c);
        }
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        break;
      } else if (c == '"') {
        quoted = true;
      } else {
        word.push_back(c);
      }
    }
    words.push_back(std::move(word));
  }
  return words;
}

// Reads "#!lua name=<lib>" from code's first line. On error the text goes to *error.
bool ParseLibraryShebang(std::string_view code, std::string* name, std::string* error) {
  if (code.substr(0, 2) != "#!") {
    *error = std::string(err::kLibraryMetadataMissing);
    return false;
  }
  std::vector<std::string> parts = SplitWords(code.substr(0, code.find('\n')));
  std::string_view engine = std::string_view(parts[0]).substr(2);
  if (!EqualsNoCase(engine, "lua")) {
    *error = std::string(err::kEngineNotFoundPrefix) + std::string(engine) +
             std::string(err::kEngineNotFoundSuffix);
    return false;
  }
  bool have_name = false;
  for (size_t j = 1; j < parts.size(); ++j) {
    std::string_view part = parts[j];
    if (part.substr(0, 5) == "name=") {
      if (have_name) {
        *error = std::string(err::kLibraryNameTwice);
        return false;
      }
      name->assign(part.substr(5));
      have_name = true;
    } else {
      *error = std::string(err::kLibraryMetadataValue) + std::string(part);
      return false;
    }
  }
  if (!have_name) {
    *error = std::string(err::kLibraryNameMissing);
    return false;
  }
  if (!ValidName(*name)) {
    *error = std::string(err::kFunctionBadName);
    return false;
  }
  return true;
}

void RemoveLibrary(ScriptingState& st, const std::string& name, bool release) {
  auto it = st.libraries.find(name);
  if (it == st.libraries.end()) return;
  for (const std::string& fn : it->second.functions) {
    auto f = st.functions.find(fn);
    if (f != st.functions.end()) {
      if (release) st.vm.Release(f->second.ref);
      st.functions.erase(f);
    }
  }
  st.libraries.erase(it);
}

// Loads code as a library. Returns the library's name, or sends nothing and sets *error.
bool LoadLibraryCode(Engine& engine, std::string_view code, bool replace, std::string* name,
                     std::string* error) {
  ScriptingState& st = ScriptingOf(engine);
  if (!ParseLibraryShebang(code, name, error)) return false;
  auto existing = st.libraries.find(*name);
  if (existing != st.libraries.end() && !replace) {
    *error = std::string(err::kLibraryExistsPrefix) + *name +
             std::string(err::kLibraryExistsSuffix);
    return false;
  }
  std::vector<LuaVm::RegisteredFunction> registered;
  std::string load_error;
  // The shebang line is left out and its newline kept, so error lines count from it.
  size_t nl = code.find('\n');
  std::string_view body = nl == std::string_view::npos ? std::string_view() : code.substr(nl);
  if (!st.vm.LoadLibrary(body, engine.clock_us, &registered, &load_error)) {
    *error = std::string(err::kScriptErrorCode) + load_error;
    return false;
  }
  for (const LuaVm::RegisteredFunction& f : registered) {
    auto other = st.functions.find(Key(f.name));
    if (other != st.functions.end() && other->second.library != *name) {
      *error = std::string(err::kFunctionExistsPrefix) + f.name +
               std::string(err::kAlreadyExistsSuffix);
      for (const LuaVm::RegisteredFunction& g : registered) st.vm.Release(g.ref);
      return false;
    }
  }
  RemoveLibrary(st, *name, true);
  Library& lib = st.libraries[*name];
  lib.name = *name;
  lib.code.assign(code);
  for (LuaVm::RegisteredFunction& f : registered) {
    Function& fn = st.functions[Key(f.name)];
    fn.name = f.name;
    fn.description = f.description;
    fn.has_description = f.has_description;
    fn.flags = f.flags;
    fn.ref = f.ref;
    fn.library = *name;
    lib.functions.push_back(Key(f.name));
  }
  return true;
}

// FUNCTION LOAD [REPLACE] code -> the library's name.
void FunctionLoad(CommandContext& ctx) {
  bool replace = false;
  size_t i = 2;
  for (; i + 1 < ctx.argc(); ++i) {
    if (EqualsNoCase(ctx.arg(i), "REPLACE")) {
      replace = true;
    } else {
      ctx.Error(std::string(err::kFunctionUnknownOption) + std::string(ctx.arg(i)));
      return;
    }
  }
  std::string name, error;
  if (!LoadLibraryCode(ctx.engine, ctx.arg(i), replace, &name, &error)) {
    ctx.Error(error);
    return;
  }
  ctx.reply.Bulk(name);
}

// FUNCTION DELETE library -> OK.
void FunctionDelete(CommandContext& ctx) {
  ScriptingState& st = ScriptingOf(ctx.engine);
  std::string name(ctx.arg(2));
  if (st.libraries.count(name) == 0) {
    ctx.Error(err::kLibraryNotFound);
    return;
  }
  RemoveLibrary(st, name, true);
  ctx.reply.Ok();
}

void FlushLibraries(ScriptingState& st) {
  for (auto& [name, fn] : st.functions) st.vm.Release(fn.ref);
  st.functions.clear();
  st.libraries.clear();
}

// FUNCTION FLUSH [ASYNC|SYNC] -> OK.
void FunctionFlush(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.Error(SyntaxError(ctx.arg(1)));
    return;
  }
  if (ctx.argc() == 3 && !EqualsNoCase(ctx.arg(2), "SYNC") && !EqualsNoCase(ctx.arg(2), "ASYNC")) {
    ctx.Error(err::kFunctionFlushOption);
    return;
  }
  FlushLibraries(ScriptingOf(ctx.engine));
  ScriptingOf(ctx.engine).vm.CollectGarbage();
  ctx.reply.Ok();
}

const char* const kFlagNames[] = {"no-writes", "allow-oom", "allow-stale", "no-cluster",
                                  "allow-cross-slot-keys"};

// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE] -> one map per library: library_name,
// engine, functions (name, description, flags), and library_code with WITHCODE.
void FunctionList(CommandContext& ctx) {
  bool with_code = false;
  std::string_view pattern;
  bool have_pattern = false;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (EqualsNoCase(ctx.arg(i), "WITHCODE") && !with_code) {
      with_code = true;
    } else if (EqualsNoCase(ctx.arg(i), "LIBRARYNAME") && !have_pattern) {
      if (i + 1 >= ctx.argc()) {
        ctx.Error(err::kFunctionListNoLibraryName);
        return;
      }
      pattern = ctx.arg(++i);
      have_pattern = true;
    } else {
      ctx.Error(std::string(err::kFunctionListUnknownArgument) + std::string(ctx.arg(i)));
      return;
    }
  }
  ScriptingState& st = ScriptingOf(ctx.engine);
  std::vector<const Library*> libs;
  for (const auto& [name, lib] : st.libraries) {
    if (!have_pattern || GlobMatch(pattern, name)) libs.push_back(&lib);
  }
  std::sort(libs.begin(), libs.end(),
            [](const Library* a, const Library* b) { return a->name < b->name; });
  ctx.reply.Array(libs.size());
  for (const Library* lib : libs) {
    ctx.reply.Map(with_code ? 4 : 3);
    ctx.reply.Bulk("library_name");
    ctx.reply.Bulk(lib->name);
    ctx.reply.Bulk("engine");
    ctx.reply.Bulk("LUA");
    ctx.reply.Bulk("functions");
    ctx.reply.Array(lib->functions.size());
    for (const std::string& fname : lib->functions) {
      const Function& fn = st.functions.at(fname);
      ctx.reply.Map(3);
      ctx.reply.Bulk("name");
      ctx.reply.Bulk(fn.name);
      ctx.reply.Bulk("description");
      if (fn.has_description) {
        ctx.reply.Bulk(fn.description);
      } else {
        ctx.reply.Null();
      }
      ctx.reply.Bulk("flags");
      size_t n = 0;
      for (size_t b = 0; b < std::size(kFlagNames); ++b) n += (fn.flags >> b) & 1;
      ctx.reply.Set(n);
      for (size_t b = 0; b < std::size(kFlagNames); ++b) {
        if ((fn.flags >> b) & 1) ctx.reply.Simple(kFlagNames[b]);
      }
    }
    if (with_code) {
      ctx.reply.Bulk("library_code");
      ctx.reply.Bulk(lib->code);
    }
  }
}

// FUNCTION STATS -> running_script (nil, or name/command/duration_ms) and per-engine counts.
void FunctionStats(CommandContext& ctx) {
  ScriptingState& st = ScriptingOf(ctx.engine);
  ctx.reply.Map(2);
  ctx.reply.Bulk("running_script");
  if (st.vm.running() && st.vm.running_is_function()) {
    ctx.reply.Map(3);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(st.vm.running_name());
    ctx.reply.Bulk("command");
    const std::vector<std::string_view>* command = st.vm.running_command();
    ctx.reply.Array(command != nullptr ? command->size() : 0);
    if (command != nullptr) {
      for (std::string_view w : *command) ctx.reply.Bulk(w);
    }
    ctx.reply.Bulk("duration_ms");
    ctx.reply.Int((ctx.engine.clock_us() - st.vm.running_since_us()) / 1000);
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Bulk("engines");
  ctx.reply.Map(1);
  ctx.reply.Bulk("LUA");
  ctx.reply.Map(2);
  ctx.reply.Bulk("libraries_count");
  ctx.reply.Int(static_cast<int64_t>(st.libraries.size()));
  ctx.reply.Bulk("functions_count");
  ctx.reply.Int(static_cast<int64_t>(st.functions.size()));
}

// FUNCTION KILL -> OK when a function that has not written is running.
void FunctionKill(CommandContext& ctx) { KillRunningScript(ctx, /*eval=*/false); }

// ---- DUMP / RESTORE ----

// FUNCTION DUMP -> the payload of every library (bulk string).
void FunctionDump(CommandContext& ctx) {
  ScriptingState& st = ScriptingOf(ctx.engine);
  std::vector<const Library*> libs;
  for (const auto& [name, lib] : st.libraries) libs.push_back(&lib);
  std::sort(libs.begin(), libs.end(),
            [](const Library* a, const Library* b) { return a->name < b->name; });
  std::string out;
  for (const Library* lib : libs) {
    out.push_back(static_cast<char>(rdb::kOpFunction2));
    rdb::PutLength(&out, lib->code.size());
    out.append(lib->code);
  }
  rdb::FinishDumpPayload(&out);
  ctx.reply.Bulk(out);
}

// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE] -> OK.
void FunctionRestore(CommandContext& ctx) {
  enum class Policy { kAppend, kReplace, kFlush } policy = Policy::kAppend;
  if (ctx.argc() > 4) {
    ctx.Error(SyntaxError(ctx.arg(1)));
    return;
  }
  if (ctx.argc() == 4) {
    std::string_view p = ctx.arg(3);
    if (EqualsNoCase(p, "APPEND")) {
      policy = Policy::kAppend;
    } else if (EqualsNoCase(p, "REPLACE")) {
      policy = Policy::kReplace;
    } else if (EqualsNoCase(p, "FLUSH")) {
      policy = Policy::kFlush;
    } else {
      ctx.Error(err::kFunctionRestorePolicy);
      return;
    }
  }
  const std::optional<std::string_view> body = rdb::VerifyDumpPayload(ctx.arg(2));
  if (!body) {
    ctx.Error(err::kFunctionPayload);
    return;
  }
  std::vector<std::string> codes;
  rdb::Reader r(*body);
  while (!r.done()) {
    // FUNCTION2 records (the code may be LZF-compressed, as Redis writes long ones), and the
    // FUNCTION records of 7.0-rc payloads.
    uint8_t opcode = 0;
    std::string code;
    if (!r.Byte(&opcode) || !rdb::ReadFunctionRecord(r, opcode, &code)) {
      ctx.Error(err::kFunctionPayloadData);
      return;
    }
    codes.push_back(std::move(code));
  }
  ScriptingState& st = ScriptingOf(ctx.engine);
  // Checked on a copy of the registry's names first, so a failing payload changes nothing.
  std::vector<std::string> names;
  for (const std::string& code : codes) {
    std::string name, error;
    if (!ParseLibraryShebang(code, &name, &error)) {
      ctx.Error(error);
      return;
    }
    if (policy == Policy::kAppend && st.libraries.count(name)) {
      ctx.Error(std::string(err::kRestoreLibraryExistsPrefix) + name +
                std::string(err::kAlreadyExistsSuffix));
      return;
    }
    names.push_back(name);
  }
  if (policy == Policy::kFlush) FlushLibraries(st);
  for (const std::string& code : codes) {
    std::string name, error;
    if (!LoadLibraryCode(ctx.engine, code, policy != Policy::kAppend, &name, &error)) {
      ctx.Error(error);
      return;
    }
  }
  ctx.reply.Ok();
}

void FunctionHelp(CommandContext& ctx) {
  static const char* const kLines[] = {
      "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a new library with the given library name and code.",
      "DELETE <LIBRARY NAME>",
      "    Delete the given library.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Library description",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
      "STATS",
      "    Return information about the current function running:",
      "    * Function name",
      "    * Command used to run the function",
      "    * Duration in MS that the function is running",
      "    If no function is running, return nil",
      "    In addition, returns a list of available engines.",
      "KILL",
      "    Kill the current running function.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "DUMP",
      "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
      "    control how to handle existing libraries (default APPEND):",
      "    * FLUSH: delete all existing libraries.",
      "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
      "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
      "      libraries with the new libraries (notice that even on this option there is a chance of failure",
      "      in case of functions name collision with another library).",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.Array(std::size(kLines));
  for (const char* line : kLines) ctx.reply.Simple(line);
}

// FCALL function numkeys [key ...] [arg ...] -> the function's reply.
void FcallGeneric(CommandContext& ctx, bool read_only) {
  FeedScriptCallToMonitors(ctx);
  int64_t numkeys = 0;
  if (!ParseInt64(ctx.arg(2), &numkeys)) {
    ctx.Error(err::kFunctionBadNumKeys);
    return;
  }
  if (numkeys < 0) {
    ctx.Error(err::kNegativeNumKeys);
    return;
  }
  if (numkeys > static_cast<int64_t>(ctx.argc() - 3)) {
    ctx.Error(err::kTooManyNumKeys);
    return;
  }
  ScriptingState& st = ScriptingOf(ctx.engine);
  auto it = st.functions.find(Key(ctx.arg(1)));
  if (it == st.functions.end()) {
    ctx.Error(err::kFunctionNotFound);
    return;
  }
  const Function& fn = it->second;
  if (read_only && !(fn.flags & kScriptNoWrites)) {
    ctx.Error(err::kScriptWriteFlagOnRo);
    return;
  }
  if (!(fn.flags & (kScriptAllowOom | kScriptNoWrites)) && ctx.engine.config.maxmemory != 0 &&
      !EnforceMaxmemory(ctx.engine, ctx.now_ms)) {
    ctx.Error(err::kOom);  // as Redis refuses it at admission
    return;
  }
  std::span<const std::string_view> all(ctx.argv);
  auto keys = all.subspan(3, static_cast<size_t>(numkeys));
  auto args = all.subspan(3 + static_cast<size_t>(numkeys));
  LuaVm::RunSpec spec{.engine = ctx.engine,
                      .caller = ctx.client,
                      .now_ms = ctx.now_ms,
                      .flags = fn.flags,
                      .read_only_command = read_only,
                      .name = fn.name,
                      .command = &ctx.argv};
  const size_t before = ctx.reply.buffer()->size();
  st.vm.Run(fn.ref, spec, keys, args, true, ctx.reply);
  const std::string& out = *ctx.reply.buffer();
  if (out.size() > before && out[before] == '-') ctx.failed = true;
}

void Fcall(CommandContext& ctx) { FcallGeneric(ctx, false); }
void FcallRo(CommandContext& ctx) { FcallGeneric(ctx, true); }

}  // namespace

std::vector<Command> FunctionCommands() {
  constexpr uint32_t kFcallFlags = kNoScript | kSkipMonitor | kStale | kNoMandatoryKeys;
  auto sub = [](std::string_view name, int arity, uint32_t flags, Handler run,
                std::string_view summary, std::string_view syntax) {
    return Command{.name = name, .arity = arity, .flags = flags, .run = run,
                   .group = "scripting", .since = "7.0.0", .summary = summary,
                   .syntax = syntax};
  };
  return {
      {.name = "fcall", .arity = -3, .flags = kFcallFlags, .run = Fcall, .group = "scripting",
       .since = "7.0.0", .summary = "Calls a library function with the given keys and arguments.",
       .syntax = "function numkeys [key [key ...]] [arg [arg ...]]"},
      {.name = "fcall_ro", .arity = -3, .flags = kFcallFlags | kReadOnly, .run = FcallRo,
       .group = "scripting", .since = "7.0.0",
       .summary = "Calls a library function flagged no-writes.",
       .syntax = "function numkeys [key [key ...]] [arg [arg ...]]"},
      // Subcommands in the order Redis lists them.
      {.name = "function", .arity = -2, .flags = 0, .run = RunSubcommand, .group = "scripting",
       .since = "7.0.0", .summary = "Manages Lua function libraries.", .syntax = "",
       .subcommands = {
           sub("function|list", -2, kNoScript, FunctionList,
               "Describes the loaded libraries and their functions.",
               "[LIBRARYNAME library-name-pattern] [WITHCODE]"),
           sub("function|flush", -2, kNoScript | kWrite, FunctionFlush,
               "Unloads every library.", "[ASYNC | SYNC]"),
           sub("function|load", -3, kNoScript | kWrite | kDenyOom, FunctionLoad,
               "Loads a library of functions from its code.", "[REPLACE] function-code"),
           sub("function|delete", 3, kNoScript | kWrite, FunctionDelete,
               "Unloads one library with its functions.", "library-name"),
           sub("function|restore", -3, kNoScript | kWrite | kDenyOom, FunctionRestore,
               "Loads the libraries of a FUNCTION DUMP payload.",
               "serialized-value [FLUSH | APPEND | REPLACE]"),
           sub("function|help", 2, kLoading | kStale, FunctionHelp,
               "Lists the FUNCTION subcommands.", ""),
           sub("function|kill", 2, kNoScript | kAllowBusy, FunctionKill,
               "Stops the running function if it has not written.", ""),
           sub("function|dump", 2, kNoScript, FunctionDump,
               "Serializes every library into one payload.", ""),
           sub("function|stats", 2, kNoScript | kAllowBusy, FunctionStats,
               "Reports the running function and the loaded libraries' counts.", ""),
       }},
  };
}

std::vector<std::string> FunctionLibraryCodes(Engine& engine) {
  std::vector<std::string> codes;
  if (engine.scripting == nullptr) return codes;
  std::vector<const ScriptingState::Library*> libs;
  for (const auto& [name, lib] : engine.scripting->libraries) libs.push_back(&lib);
  std::sort(libs.begin(), libs.end(), [](const auto* a, const auto* b) { return a->name < b->name; });
  for (const auto* lib : libs) codes.push_back(lib->code);
  return codes;
}

bool LoadFunctionLibrary(Engine& engine, std::string_view code, std::string* error) {
  std::string name;
  return LoadLibraryCode(engine, code, /*replace=*/true, &name, error);
}

}  // namespace firn
