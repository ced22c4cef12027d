// EVAL and the script cache.
//
// A script is cached under the SHA1 of its body (compiled once into a Lua function kept in the
// registry), so EVALSHA costs a hash lookup and EVAL a SHA1 and a lookup. Scripts that only
// came through EVAL are kept in LRU order and bounded to ScriptingState::kMaxEvalScripts;
// scripts from SCRIPT LOAD are never evicted (clients keep calling EVALSHA on them and reload
// only on -NOSCRIPT). Nothing else runs while a script runs: the loop thread is inside it, and
// every command it calls sees the clock of the EVAL.
#include "modules/scripting.h"

#include <cctype>

#include "modules/args.h"
#include "modules/common.h"
#include "modules/dispatch.h"
#include "modules/engine.h"
#include "protocol/errors.h"

namespace firn {

ScriptingState& ScriptingOf(Engine& engine) {
  if (!engine.scripting) engine.scripting = std::make_shared<ScriptingState>();
  return *engine.scripting;
}

bool ParseNumKeys(CommandContext& ctx, size_t index, int64_t* numkeys) {
  if (!ArgInt(ctx, index, numkeys)) return false;
  if (*numkeys < 0) {
    ctx.Error(err::kNegativeNumKeys);
    return false;
  }
  if (*numkeys > static_cast<int64_t>(ctx.argc() - index - 1)) {
    ctx.Error(err::kTooManyNumKeys);
    return false;
  }
  return true;
}

namespace {

// Reads a `#!lua flags=a,b` first line. No shebang: kScriptEvalCompat. On error the text
// goes to *error. The shebang's line stays in the compiled body's line count (its newline is
// kept), so error lines match the script as sent.
bool ParseShebang(std::string_view body, uint32_t* flags, size_t* shebang_len,
                  std::string* error) {
  if (body.substr(0, 2) != "#!") {
    *flags = kScriptEvalCompat;
    *shebang_len = 0;
    return true;
  }
  size_t nl = body.find('\n');
  std::string_view line = body.substr(0, nl);
  *shebang_len = nl == std::string_view::npos ? body.size() : nl;
  *flags = 0;
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) parts.push_back(line.substr(start, i - start));
  }
  if (parts.empty() || parts[0] != "#!lua") {
    *error = std::string(err::kShebangEngine);
    error->append(parts.empty() ? line : parts[0]);
    return false;
  }
  for (size_t j = 1; j < parts.size(); ++j) {
    std::string_view part = parts[j];
    if (part.substr(0, 6) != "flags=") {
      *error = std::string(err::kShebangOption);
      error->append(part);
      return false;
    }
    std::string_view list = part.substr(6);
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view name = list.substr(0, comma);
      uint32_t flag = 0;
      if (!ParseScriptFlag(name, &flag)) {
        *error = std::string(err::kShebangFlag);
        error->append(name);
        return false;
      }
      *flags |= flag;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return true;
}

void DropScript(ScriptingState& st, decltype(ScriptingState::scripts)::iterator it) {
  st.vm.Release(it->second.ref);
  st.scripts_body_bytes -= it->second.body.size();
  if (!it->second.loaded) st.eval_lru.erase(it->second.lru);
  st.scripts.erase(it);
}

// Finds or compiles body. loaded: from SCRIPT LOAD (pins the script). Returns the script or
// nullptr with the error sent.
ScriptingState::Script* CacheScript(CommandContext& ctx, ScriptingState& st, std::string_view body,
                                    const std::string& sha, bool loaded) {
  auto it = st.scripts.find(sha);
  if (it != st.scripts.end()) {
    ScriptingState::Script& s = it->second;
    if (!s.loaded) {
      if (loaded) {
        st.eval_lru.erase(s.lru);
        s.loaded = true;
      } else {
        st.eval_lru.splice(st.eval_lru.begin(), st.eval_lru, s.lru);
      }
    }
    return &s;
  }
  uint32_t flags = 0;
  size_t shebang_len = 0;
  std::string error;
  if (!ParseShebang(body, &flags, &shebang_len, &error)) {
    ctx.Error(error);
    return nullptr;
  }
  int ref = -1;
  if (!st.vm.Compile(body.substr(shebang_len), "@user_script", &ref, &error)) {
    ctx.Error(std::string(err::kCompileScript) + error);
    return nullptr;
  }
  if (!loaded && st.eval_lru.size() >= ScriptingState::kMaxEvalScripts) {
    DropScript(st, st.scripts.find(st.eval_lru.back()));
    ++st.evicted_scripts;
  }
  ScriptingState::Script& s = st.scripts[sha];
  s.body.assign(body);
  s.ref = ref;
  s.flags = flags;
  s.loaded = loaded;
  if (!loaded) {
    st.eval_lru.push_front(sha);
    s.lru = st.eval_lru.begin();
  }
  st.scripts_body_bytes += s.body.size();
  return &s;
}

void EvalGeneric(CommandContext& ctx, bool by_sha, bool read_only) {
  FeedScriptCallToMonitors(ctx);
  int64_t numkeys = 0;
  if (!ParseNumKeys(ctx, 2, &numkeys)) return;
  ScriptingState& st = ScriptingOf(ctx.engine);
  ScriptingState::Script* script = nullptr;
  char sha_buf[40];
  std::string sha;
  std::string_view sha_view;
  if (by_sha) {
    std::string_view arg = ctx.arg(1);
    if (arg.size() == 40) {
      for (size_t i = 0; i < 40; ++i) {
        sha_buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(arg[i])));
      }
      sha_view = std::string_view(sha_buf, 40);
      auto it = st.scripts.find(sha_view);
      if (it != st.scripts.end()) {
        script = &it->second;
        if (!script->loaded) st.eval_lru.splice(st.eval_lru.begin(), st.eval_lru, script->lru);
      }
    }
    if (script == nullptr) {
      ctx.Error(err::kNoScript);
      return;
    }
  } else {
    sha = Sha1Hex(ctx.arg(1));
    sha_view = sha;
    script = CacheScript(ctx, st, ctx.arg(1), sha, false);
    if (script == nullptr) return;
  }
  const uint32_t flags = script->flags;
  if (!(flags & kScriptEvalCompat)) {
    if (read_only && !(flags & kScriptNoWrites)) {
      ctx.Error(err::kScriptWriteFlagOnRo);
      return;
    }
    if (!(flags & (kScriptAllowOom | kScriptNoWrites)) && ctx.engine.config.maxmemory != 0 &&
        !EnforceMaxmemory(ctx.engine, ctx.now_ms)) {
      ctx.Error(err::kOom);  // as Redis refuses it at admission
      return;
    }
  }
  std::span<const std::string_view> all(ctx.argv);
  auto keys = all.subspan(3, static_cast<size_t>(numkeys));
  auto args = all.subspan(3 + static_cast<size_t>(numkeys));
  LuaVm::RunSpec spec{.engine = ctx.engine,
                      .caller = ctx.client,
                      .now_ms = ctx.now_ms,
                      .flags = flags,
                      .read_only_command = read_only,
                      .name = sha_view,
                      .command = &ctx.argv};
  const size_t before = ctx.reply.buffer()->size();
  st.vm.Run(script->ref, spec, keys, args, false, ctx.reply);
  const std::string& out = *ctx.reply.buffer();
  if (out.size() > before && out[before] == '-') ctx.failed = true;
}

// EVAL script numkeys [key ...] [arg ...] -> the script's reply.
void Eval(CommandContext& ctx) { EvalGeneric(ctx, false, false); }
// EVALSHA sha1 numkeys [key ...] [arg ...] -> the script's reply, or -NOSCRIPT.
void EvalSha(CommandContext& ctx) { EvalGeneric(ctx, true, false); }
// EVAL_RO / EVALSHA_RO: as EVAL / EVALSHA, refusing writes.
void EvalRo(CommandContext& ctx) { EvalGeneric(ctx, false, true); }
void EvalShaRo(CommandContext& ctx) { EvalGeneric(ctx, true, true); }

// SCRIPT LOAD script -> its SHA1 (bulk string).
void ScriptLoad(CommandContext& ctx) {
  ScriptingState& st = ScriptingOf(ctx.engine);
  std::string sha = Sha1Hex(ctx.arg(2));
  if (CacheScript(ctx, st, ctx.arg(2), sha, true) != nullptr) ctx.reply.Bulk(sha);
}

// SCRIPT EXISTS sha1 [sha1 ...] -> an array of 1/0.
void ScriptExists(CommandContext& ctx) {
  ScriptingState& st = ScriptingOf(ctx.engine);
  ctx.reply.Array(ctx.argc() - 2);
  std::string sha;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ToLower(ctx.arg(i), &sha);
    ctx.reply.Int(st.scripts.find(std::string_view(sha)) != st.scripts.end() ? 1 : 0);
  }
}

// SCRIPT FLUSH [ASYNC|SYNC] -> OK; every cached script is dropped.
void ScriptFlush(CommandContext& ctx) {
  if (ctx.argc() > 3 ||
      (ctx.argc() == 3 && !EqualsNoCase(ctx.arg(2), "SYNC") && !EqualsNoCase(ctx.arg(2), "ASYNC"))) {
    ctx.Error(err::kScriptFlushOption);
    return;
  }
  ScriptingState& st = ScriptingOf(ctx.engine);
  for (auto& [sha, script] : st.scripts) st.vm.Release(script.ref);
  st.scripts.clear();
  st.eval_lru.clear();
  st.scripts_body_bytes = 0;
  st.vm.CollectGarbage();
  ctx.reply.Ok();
}

// SCRIPT KILL -> OK when an EVAL script that has not written is running (it stops with an
// error at its next hook); -NOTBUSY when none runs, -UNKILLABLE once it wrote, and the
// function's -BUSY when the running script is a function (FUNCTION KILL stops those).
void ScriptKill(CommandContext& ctx) { KillRunningScript(ctx, /*eval=*/true); }

// SCRIPT DEBUG YES|SYNC|NO: the Lua debugger is not available.
void ScriptDebug(CommandContext& ctx) {
  if (EqualsNoCase(ctx.arg(2), "NO")) {
    ctx.reply.Ok();
  } else {
    ctx.Error(err::kScriptDebugUnsupported);
  }
}

void ScriptHelp(CommandContext& ctx) {
  static const char* const kLines[] = {
      "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DEBUG (YES|SYNC|NO)",
      "    Set the debug mode for subsequent scripts executed.",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "LOAD <script>",
      "    Load a script into the scripts cache without executing it.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.Array(std::size(kLines));
  for (const char* line : kLines) ctx.reply.Simple(line);
}

}  // namespace

void KillRunningScript(CommandContext& ctx, bool eval) {
  ScriptingState& st = ScriptingOf(ctx.engine);
  if (!st.vm.running()) {
    ctx.Error(err::kNotBusy);
  } else if (st.vm.running_wrote()) {
    ctx.Error(st.vm.running_is_function() ? err::kUnkillableFunction : err::kUnkillable);
  } else if (eval && st.vm.running_is_function()) {
    ctx.Error(err::kBusyFunction);
  } else if (!eval && !st.vm.running_is_function()) {
    ctx.Error(err::kBusyScript);
  } else {
    st.vm.Kill();
    ctx.reply.Ok();
  }
}

void FeedScriptCallToMonitors(CommandContext& ctx) {
  if (ctx.engine.clients.HasMonitors()) {
    ctx.engine.clients.FeedMonitors(ctx.client, ctx.argv, ctx.now_ms * 1000);
  }
}

std::vector<Command> ScriptingCommands() {
  constexpr uint32_t kEvalFlags = kNoScript | kSkipMonitor | kStale | kNoMandatoryKeys;
  auto sub = [](std::string_view name, int arity, uint32_t flags, Handler run,
                std::string_view since, std::string_view summary, std::string_view syntax) {
    return Command{.name = name, .arity = arity, .flags = flags, .run = run,
                   .group = "scripting", .since = since, .summary = summary, .syntax = syntax};
  };
  return {
      {.name = "eval", .arity = -3, .flags = kEvalFlags, .run = Eval, .group = "scripting",
       .since = "2.6.0", .summary = "Runs a Lua script with the given keys and arguments.",
       .syntax = "script numkeys [key [key ...]] [arg [arg ...]]"},
      {.name = "evalsha", .arity = -3, .flags = kEvalFlags, .run = EvalSha, .group = "scripting",
       .since = "2.6.0", .summary = "Runs a cached Lua script, named by the SHA1 of its body.",
       .syntax = "sha1 numkeys [key [key ...]] [arg [arg ...]]"},
      {.name = "eval_ro", .arity = -3, .flags = kEvalFlags | kReadOnly, .run = EvalRo,
       .group = "scripting", .since = "7.0.0",
       .summary = "Runs a Lua script that may only read.",
       .syntax = "script numkeys [key [key ...]] [arg [arg ...]]"},
      {.name = "evalsha_ro", .arity = -3, .flags = kEvalFlags | kReadOnly, .run = EvalShaRo,
       .group = "scripting", .since = "7.0.0",
       .summary = "Runs a cached Lua script, named by its SHA1, that may only read.",
       .syntax = "sha1 numkeys [key [key ...]] [arg [arg ...]]"},
      // Subcommands in the order Redis lists them.
      {.name = "script", .arity = -2, .flags = 0, .run = RunSubcommand, .group = "scripting",
       .since = "2.6.0", .summary = "Manages the cache of Lua scripts.", .syntax = "",
       .subcommands = {
           sub("script|debug", 3, kNoScript, ScriptDebug, "3.2.0",
               "Chooses the debug mode of later scripts.", "YES | SYNC | NO"),
           sub("script|flush", -2, kNoScript, ScriptFlush, "2.6.0",
               "Empties the script cache.", "[ASYNC | SYNC]"),
           sub("script|help", 2, kLoading | kStale, ScriptHelp, "5.0.0",
               "Lists the SCRIPT subcommands.", ""),
           sub("script|load", 3, kNoScript | kStale, ScriptLoad, "2.6.0",
               "Compiles a script into the cache and answers its SHA1.", "script"),
           sub("script|kill", 2, kNoScript | kAllowBusy, ScriptKill, "2.6.0",
               "Stops the running script if it has not written.", ""),
           sub("script|exists", -3, kNoScript, ScriptExists, "2.6.0",
               "Tells which SHA1s name cached scripts.", "sha1 [sha1 ...]"),
       }},
  };
}

}  // namespace firn
