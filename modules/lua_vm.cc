// The Lua sandbox, the `redis` API and the conversions between Lua values and RESP.
//
// Interpreter. Debian's Lua 5.1 built as C++ (liblua5.1-c++): a Lua error unwinds as a C++
// exception, so the C++ functions the sandbox exposes may hold strings and vectors while they
// raise, and their destructors run. LuaJIT was measured and rejected: on limits' scripts it
// saves about a microsecond a call (a few percent of a round trip), but a count hook never
// fires inside JIT-compiled loops, so a runaway `while true do end` could never be noticed
// or killed; and Lua 5.1 gives scripts the very error texts Redis's users see.
//
// Sandbox. Redis 7.0 makes the globals and every library table read-only inside its own
// patched Lua; stock Lua has no read-only tables, so each protected table is an empty proxy
// whose metatable reads through (__index) to the real table and refuses writes (__newindex),
// with __metatable set so getmetatable() hands out only another read-only proxy. The few base
// functions that bypass metatables (rawset, rawget, next/pairs, setmetatable) are wrapped to
// see through or refuse proxies. The global environment of every script and library is one
// proxy, P, whose __index points at the runtime globals, or while FUNCTION LOAD runs a
// library at the load globals (only the library API), exactly as Redis swaps the __index of
// its globals' metatable: closures created during a load see the runtime globals when called.
//
// Conversions. redis.call formats the command's reply with a ReplyBuilder into one reused
// buffer and reads it back into Lua values (RESP2 or RESP3 depending on redis.setresp); a
// script's result goes the other way straight into the caller's ReplyBuilder. Both follow
// Redis's documented tables: integers to numbers, nil bulk to false, status to {ok=...},
// errors to {err=...}; a Lua number is truncated to an integer, false is nil, a table is an
// array up to its first nil; RESP3 adds nil, booleans, {double=}, {map=}, {set=},
// {big_number=} and {verbatim_string=}.
//
// Cost: one SHA1 per EVAL, no allocation per redis.call once the buffers have grown, besides
// the Lua values themselves.
#include "modules/lua_vm.h"

#include <openssl/evp.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <lua.hpp>

#include "modules/acl_admission.h"
#include "modules/args.h"
#include "modules/blocking.h"
#include "modules/dispatch.h"
#include "modules/engine.h"
#include "modules/journal.h"
#include "modules/lua_libs.h"
#include "modules/version.h"
#include "protocol/errors.h"
#include "protocol/numbers.h"

extern "C" {
int luaopen_cjson(lua_State* L);
int luaopen_bit(lua_State* L);
}

namespace firn {

struct LuaVm::RunState {
  Engine* engine = nullptr;
  ClientInfo client;  // the script's own client: its db and RESP version
  ClientInfo* caller = nullptr;  // the client that ran EVAL or FCALL
  int64_t now_ms = 0;
  uint32_t flags = 0;
  bool read_only = false;
  bool memory_ok = true;
  uint64_t dirty_at_start = 0;
  int resp = 2;
  std::string_view name;
  const std::vector<std::string_view>* command = nullptr;
  std::string reply_buf;
  std::vector<std::string> number_args;
  std::vector<std::string_view> argv;
  bool wrote() const { return engine->keyspace.dirty() != dirty_at_start; }
};

struct LuaVm::LoadState {
  std::vector<RegisteredFunction>* out;
  int64_t (*clock_us)();
  int64_t start_us;
  bool timed_out = false;
};

namespace {

// Registry keys (addresses are unique).
char kVmKey;
char kProxiesKey;     // proxy -> backing table
char kGlobalsKey;     // B: the runtime globals (also LUA_GLOBALSINDEX)
char kLoadGlobalsKey; // L: what a library sees while it is loaded
char kEnvKey;         // P: the environment of every script
char kEnvMetaKey;     // P's metatable (its __index is swapped during FUNCTION LOAD)
char kErrHandlerKey;
char kToStringKey;

constexpr const char* kReadonlyError = "Attempt to modify a readonly table";
constexpr int kHookInstructions = 100000;
constexpr int64_t kLoadTimeoutUs = 500 * 1000;

LuaVm* VmOf(lua_State* L) {
  lua_pushlightuserdata(L, &kVmKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* vm = static_cast<LuaVm*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return vm;
}

void PushRegistry(lua_State* L, char* key) {
  lua_pushlightuserdata(L, key);
  lua_rawget(L, LUA_REGISTRYINDEX);
}

void SetRegistry(lua_State* L, char* key) {  // pops the value
  lua_pushlightuserdata(L, key);
  lua_insert(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

// Pushes the error table Redis's luaPushErrorBuff builds: "-CODE msg" keeps its code, a text
// without a leading '-' gets "ERR"; trailing CR/LF trimmed.
void PushErrorTable(lua_State* L, std::string_view text) {
  std::string msg;
  if (!text.empty() && text[0] == '-') {
    std::string_view rest = text.substr(1);
    size_t sp = rest.find(' ');
    if (sp == std::string_view::npos) {
      msg = err::kScriptErrorCode;
      msg.append(rest);
    } else {
      msg.assign(rest);
    }
  } else {
    msg = err::kScriptErrorCode;
    msg.append(text);
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.pop_back();
  lua_createtable(L, 0, 1);
  lua_pushlstring(L, msg.data(), msg.size());
  lua_setfield(L, -2, "err");
}

// The same for a full error text ("ERR ...", "OOM ...") from protocol/errors.h.
void PushError(lua_State* L, std::string_view full) {
  std::string text = "-";
  text.append(full);
  PushErrorTable(L, text);
}

// Error statistics (INFO errorstats). An error a command made was counted when it was made:
// the table redis.call / redis.pcall hand the script carries this field (as in Redis), so the
// script's reply passing that error on does not count it again.
constexpr const char* kIgnoreErrorStats = "ignore_error_stats_update";

void MarkErrorCounted(lua_State* L) {  // the error table on top
  lua_pushboolean(L, 1);
  lua_setfield(L, -2, kIgnoreErrorStats);
}

bool ErrorCounted(lua_State* L) {  // the error table on top
  lua_getfield(L, -1, kIgnoreErrorStats);
  const bool counted = lua_toboolean(L, -1) != 0;
  lua_pop(L, 1);
  return counted;
}

[[noreturn]] void RaiseError(lua_State* L, std::string_view full) {
  PushError(L, full);
  lua_error(L);
  std::abort();  // lua_error does not return
}

// ---- read-only proxies and the protected globals -----------------------------------------

int ReadonlyNewIndex(lua_State* L) { return luaL_error(L, "%s", kReadonlyError); }

int GlobalMissing(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    name != nullptr ? name : "?");
}

// Pushes the backing table of the proxy at idx, or nothing and returns false.
bool PushBacking(lua_State* L, int idx) {
  if (!lua_istable(L, idx)) return false;
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  PushRegistry(L, &kProxiesKey);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  lua_remove(L, -2);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return false;
  }
  return true;
}

// Pops the table on top and pushes a read-only proxy of it. mt_value: the value getmetatable
// returns for the proxy (index of a table), or 0 for a fresh read-only empty table.
void MakeReadonly(lua_State* L, int index_table_is_backing = 1) {
  (void)index_table_is_backing;
  int backing = lua_gettop(L);
  lua_newtable(L);  // proxy
  int proxy = lua_gettop(L);
  lua_createtable(L, 0, 3);  // its metatable
  lua_pushvalue(L, backing);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyNewIndex);
  lua_setfield(L, -2, "__newindex");
  // What getmetatable(proxy) answers: an empty read-only table.
  lua_newtable(L);
  int shown = lua_gettop(L);
  lua_newtable(L);
  lua_createtable(L, 0, 3);
  lua_pushvalue(L, shown);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);  // the shown table is itself a proxy of an empty table
  PushRegistry(L, &kProxiesKey);
  lua_pushvalue(L, -2);
  lua_pushvalue(L, shown);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  lua_remove(L, shown);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, proxy);
  PushRegistry(L, &kProxiesKey);
  lua_pushvalue(L, proxy);
  lua_pushvalue(L, backing);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  lua_remove(L, backing);
}

int GuardedSetMetatable(lua_State* L) {
  if (PushBacking(L, 1)) {
    lua_pushstring(L, kReadonlyError);
    return lua_error(L);
  }
  int t = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argcheck(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table expected");
  if (luaL_getmetafield(L, 1, "__metatable")) {
    return luaL_error(L, "cannot change a protected metatable");
  }
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

int GuardedRawSet(lua_State* L) {
  if (PushBacking(L, 1)) {
    lua_pushstring(L, kReadonlyError);
    return lua_error(L);
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

int SeeThroughRawGet(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  if (PushBacking(L, 1)) lua_replace(L, 1);
  lua_settop(L, 2);
  lua_rawget(L, 1);
  return 1;
}

int SeeThroughNext(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  if (PushBacking(L, 1)) lua_replace(L, 1);
  lua_settop(L, 2);
  if (lua_next(L, 1)) return 2;
  lua_pushnil(L);
  return 1;
}

int SeeThroughPairs(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, lua_upvalueindex(1));  // next
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

// loadstring and load refuse precompiled chunks (Redis's Lua does too), and whatever they
// compile runs in the sandbox's environment.
int LoadChunk(lua_State* L, const char* s, size_t len, const char* chunkname) {
  if (len > 0 && s[0] == LUA_SIGNATURE[0]) {
    lua_pushnil(L);
    lua_pushliteral(L, "binary chunks are not allowed");
    return 2;
  }
  if (luaL_loadbuffer(L, s, len, chunkname) != 0) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  PushRegistry(L, &kEnvKey);
  lua_setfenv(L, -2);
  return 1;
}

int SandboxLoadString(lua_State* L) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  const char* chunkname = luaL_optstring(L, 2, s);
  return LoadChunk(L, s, len, chunkname);
}

int SandboxLoad(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  const char* chunkname = luaL_optstring(L, 2, "=(load)");
  std::string code;
  for (;;) {
    lua_pushvalue(L, 1);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "reader function must return a string");
    size_t n;
    const char* piece = lua_tolstring(L, -1, &n);
    if (n == 0) {
      lua_pop(L, 1);
      break;
    }
    code.append(piece, n);
    lua_pop(L, 1);
  }
  return LoadChunk(L, code.data(), code.size(), chunkname);
}

// pcall as Redis's: an error table ({err=...}, what redis.call raises) reaches the caller as
// its err string.
int SandboxPCall(lua_State* L) {
  const int argc = lua_gettop(L);
  luaL_checkany(L, 1);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != 0) {
    lua_remove(L, 1);
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_insert(L, 1);
  }
  return lua_gettop(L);
}

// Redis's error handler: a non-table error becomes {err="ERR "..msg}; the table gets the
// source and line of the Lua code that raised it (skipping one C frame: error(), redis.call,
// a metamethod).
int ErrorHandler(lua_State* L) {
  lua_Debug ar;
  bool have = false;
  if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "nSl", &ar)) {
    have = true;
    if (std::strcmp(ar.what, "C") == 0) {
      have = lua_getstack(L, 2, &ar) && lua_getinfo(L, "nSl", &ar);
    }
  }
  if (!lua_istable(L, 1)) {
    PushRegistry(L, &kToStringKey);
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    lua_pushlstring(L, err::kScriptErrorCode.data(), err::kScriptErrorCode.size());
    lua_insert(L, -2);
    lua_concat(L, 2);
    lua_createtable(L, 0, 3);
    lua_insert(L, -2);
    lua_setfield(L, -2, "err");
    lua_replace(L, 1);
  }
  lua_settop(L, 1);
  if (have) {
    lua_pushstring(L, ar.source);
    lua_setfield(L, 1, "source");
    lua_pushinteger(L, ar.currentline);
    lua_setfield(L, 1, "line");
  }
  return 1;
}

// ---- Redis's PRNG for math.random (rand48, as redisLrand48) ---------------------------------

// Redis never seeds it: the sequence starts from rand48's default state and runs on across scripts.
uint64_t g_rand48 = 0x1234ABCD330EULL;
void Srand48(int32_t seed) { g_rand48 = (static_cast<uint64_t>(static_cast<uint32_t>(seed)) << 16) | 0x330E; }
int32_t Lrand48() {
  g_rand48 = (0x5DEECE66DULL * g_rand48 + 0xB) & ((1ULL << 48) - 1);
  return static_cast<int32_t>(g_rand48 >> 17);
}

int MathRandom(lua_State* L) {
  constexpr int32_t kMax = INT32_MAX;
  lua_Number r = static_cast<lua_Number>(Lrand48() % kMax) / static_cast<lua_Number>(kMax);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      break;
    case 1: {
      int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      int l = luaL_checkint(L, 1);
      int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int MathRandomSeed(lua_State* L) {
  Srand48(luaL_checkint(L, 1));
  return 0;
}

// ---- RESP -> Lua --------------------------------------------------------------------------

// Reads one line starting at p (after the type byte); returns the text and advances p past
// the CRLF.
std::string_view Line(const char*& p, const char* end) {
  const char* start = p;
  while (p < end && *p != '\r') ++p;
  std::string_view line(start, static_cast<size_t>(p - start));
  p += 2;
  return line;
}

int64_t LineInt(const char*& p, const char* end) {
  std::string_view s = Line(p, end);
  int64_t n = 0;
  if (!ParseInt64(s, &n)) n = 0;
  return n;
}

void PushReply(lua_State* L, const char*& p, const char* end);

void PushArray(lua_State* L, const char*& p, const char* end, int64_t n) {
  lua_createtable(L, static_cast<int>(n), 0);
  for (int64_t i = 0; i < n; ++i) {
    PushReply(L, p, end);
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

void PushReply(lua_State* L, const char*& p, const char* end) {
  if (!lua_checkstack(L, 5)) luaL_error(L, "reached lua stack limit");
  const char type = *p++;
  switch (type) {
    case '+': {
      std::string_view s = Line(p, end);
      lua_createtable(L, 0, 1);
      lua_pushlstring(L, s.data(), s.size());
      lua_setfield(L, -2, "ok");
      break;
    }
    case '-': {
      std::string_view s = Line(p, end);
      std::string text = "-";
      text.append(s);
      PushErrorTable(L, text);
      break;
    }
    case ':':
      lua_pushnumber(L, static_cast<lua_Number>(LineInt(p, end)));
      break;
    case '$': {
      int64_t n = LineInt(p, end);
      if (n < 0) {
        lua_pushboolean(L, 0);
      } else {
        lua_pushlstring(L, p, static_cast<size_t>(n));
        p += n + 2;
      }
      break;
    }
    case '*':
    case '>': {
      int64_t n = LineInt(p, end);
      if (n < 0) {
        lua_pushboolean(L, 0);
      } else {
        PushArray(L, p, end, n);
      }
      break;
    }
    case '%': {
      int64_t n = LineInt(p, end);
      lua_createtable(L, 0, 1);
      lua_createtable(L, 0, static_cast<int>(n));
      for (int64_t i = 0; i < n; ++i) {
        PushReply(L, p, end);
        PushReply(L, p, end);
        lua_rawset(L, -3);
      }
      lua_setfield(L, -2, "map");
      break;
    }
    case '~': {
      int64_t n = LineInt(p, end);
      lua_createtable(L, 0, 1);
      lua_createtable(L, 0, static_cast<int>(n));
      for (int64_t i = 0; i < n; ++i) {
        PushReply(L, p, end);
        lua_pushboolean(L, 1);
        lua_rawset(L, -3);
      }
      lua_setfield(L, -2, "set");
      break;
    }
    case '_':
      Line(p, end);
      lua_pushnil(L);
      break;
    case '#': {
      std::string_view s = Line(p, end);
      lua_pushboolean(L, !s.empty() && s[0] == 't');
      break;
    }
    case ',': {
      std::string s(Line(p, end));
      lua_createtable(L, 0, 1);
      lua_pushnumber(L, std::strtod(s.c_str(), nullptr));
      lua_setfield(L, -2, "double");
      break;
    }
    case '(': {
      std::string_view s = Line(p, end);
      lua_createtable(L, 0, 1);
      lua_pushlstring(L, s.data(), s.size());
      lua_setfield(L, -2, "big_number");
      break;
    }
    case '=': {
      int64_t n = LineInt(p, end);
      std::string_view all(p, static_cast<size_t>(n));
      p += n + 2;
      lua_createtable(L, 0, 1);
      lua_createtable(L, 0, 2);
      std::string_view format = all.substr(0, 3);
      std::string_view text = all.size() >= 4 ? all.substr(4) : std::string_view();
      lua_pushlstring(L, format.data(), format.size());
      lua_setfield(L, -2, "format");
      lua_pushlstring(L, text.data(), text.size());
      lua_setfield(L, -2, "string");
      lua_setfield(L, -2, "verbatim_string");
      break;
    }
    case '|': {  // attributes are dropped; the value follows
      int64_t n = LineInt(p, end);
      for (int64_t i = 0; i < 2 * n; ++i) {
        PushReply(L, p, end);
        lua_pop(L, 1);
      }
      PushReply(L, p, end);
      break;
    }
    default:
      lua_pushnil(L);
      p = end;
      break;
  }
}

// ---- Lua -> RESP --------------------------------------------------------------------------

std::string OneLine(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

// Whether the table on top has field name of type type; pushes the field when it has.
bool FieldOfType(lua_State* L, const char* name, int type) {
  lua_pushstring(L, name);
  lua_rawget(L, -2);
  if (lua_type(L, -1) == type) return true;
  lua_pop(L, 1);
  return false;
}

void EmitValue(lua_State* L, int script_resp, ReplyBuilder& out);

// The tables that stand for one reply ({err=}, {ok=}, {double=}, {big_number=}): true when the
// table on top was one and is answered. Kept out of EmitTable so the frames of a deep
// recursion hold no locals of these cases (a sanitizer build pads every such local).
[[gnu::noinline]] bool EmitSingleReplyTable(lua_State* L, ReplyBuilder& out) {
  if (FieldOfType(L, "err", LUA_TSTRING)) {
    size_t n;
    const char* s = lua_tolstring(L, -1, &n);
    const std::string_view text(s, n);
    lua_pop(L, 1);
    LuaVm::RunState* rs = VmOf(L)->run();
    if (rs != nullptr && !ErrorCounted(L)) rs->engine->errors.Count(OneLine(text));
    out.Error(text);
    return true;
  }
  if (FieldOfType(L, "ok", LUA_TSTRING)) {
    size_t n;
    const char* s = lua_tolstring(L, -1, &n);
    out.Simple(OneLine(std::string_view(s, n)));
    lua_pop(L, 1);
    return true;
  }
  if (FieldOfType(L, "double", LUA_TNUMBER)) {
    out.Double(lua_tonumber(L, -1));
    lua_pop(L, 1);
    return true;
  }
  if (FieldOfType(L, "big_number", LUA_TSTRING)) {
    size_t n;
    const char* s = lua_tolstring(L, -1, &n);
    std::string text = OneLine(std::string_view(s, n));
    // RESP3's big number has no builder call; RESP2 sends it as a bulk string, as Redis does.
    if (out.proto() == Proto::kResp3) {
      out.Raw("(");
      out.Raw(text);
      out.Raw("\r\n");
    } else {
      out.Bulk(text);
    }
    lua_pop(L, 1);
    return true;
  }
  return false;
}

void EmitTable(lua_State* L, int script_resp, ReplyBuilder& out) {
  if (EmitSingleReplyTable(L, out)) return;
  if (FieldOfType(L, "map", LUA_TTABLE)) {
    size_t pairs = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      ++pairs;
      lua_pop(L, 1);
    }
    out.Map(pairs);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pushvalue(L, -2);
      EmitValue(L, script_resp, out);  // key
      lua_pop(L, 1);
      EmitValue(L, script_resp, out);  // value
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return;
  }
  if (FieldOfType(L, "set", LUA_TTABLE)) {
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      ++n;
      lua_pop(L, 1);
    }
    out.Set(n);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pop(L, 1);
      EmitValue(L, script_resp, out);  // the key is the element
    }
    lua_pop(L, 1);
    return;
  }
  size_t n = 0;
  for (;;) {
    lua_rawgeti(L, -1, static_cast<int>(n + 1));
    bool nil = lua_isnil(L, -1);
    lua_pop(L, 1);
    if (nil) break;
    ++n;
  }
  out.Array(n);
  for (size_t j = 1; j <= n; ++j) {
    lua_rawgeti(L, -1, static_cast<int>(j));
    EmitValue(L, script_resp, out);
    lua_pop(L, 1);
  }
}

// Out of EmitValue's frame for the same reason as EmitSingleReplyTable.
[[gnu::noinline]] void EmitString(lua_State* L, ReplyBuilder& out) {
  size_t n;
  const char* s = lua_tolstring(L, -1, &n);
  out.Bulk(std::string_view(s, n));
}

// Appends the value on top of the stack (left there) to out.
void EmitValue(lua_State* L, int script_resp, ReplyBuilder& out) {
  if (!lua_checkstack(L, 4)) {
    out.Error(err::kScriptStackLimit);
    return;
  }
  switch (lua_type(L, -1)) {
    case LUA_TSTRING:
      EmitString(L, out);
      break;
    case LUA_TBOOLEAN:
      if (script_resp == 2) {
        if (lua_toboolean(L, -1)) {
          out.Int(1);
        } else {
          out.Null();
        }
      } else {
        out.Bool(lua_toboolean(L, -1) != 0);
      }
      break;
    case LUA_TNUMBER:
      out.Int(LuaNumberToInt64(lua_tonumber(L, -1)));
      break;
    case LUA_TTABLE:
      EmitTable(L, script_resp, out);
      break;
    default:
      out.Null();
      break;
  }
}

// The script's result, replied from a call frame of its own: lua_checkstack raises the
// current frame's stack top for good, and the collector never shrinks a stack below the top
// of a live frame, so a deep result (a table that contains itself) converted in the
// caller's frame would keep its grown stack, ~128 KB, for the life of the VM. In its own
// frame the growth goes with the frame and the next collections give it back. A Lua error
// while converting (out of memory) replaces whatever part of the reply was written.
struct EmitArgs {
  int script_resp;
  ReplyBuilder* out;
};

int EmitInOwnFrame(lua_State* L) {
  const auto* args = static_cast<const EmitArgs*>(lua_touserdata(L, 2));
  // The result and a copy of it: the frame then holds two slots, as the caller's frame did
  // (the error handler and the result), so the stack limit is met at Redis's depth.
  lua_settop(L, 1);
  lua_pushvalue(L, 1);
  EmitValue(L, args->script_resp, *args->out);
  return 0;
}

void EmitResult(lua_State* L, int script_resp, ReplyBuilder& out) {
  std::string* buffer = out.buffer();
  const size_t start = buffer->size();
  EmitArgs args{script_resp, &out};
  lua_pushcfunction(L, EmitInOwnFrame);
  lua_insert(L, -2);
  lua_pushlightuserdata(L, &args);
  if (lua_pcall(L, 2, 0, 0) != 0) {
    buffer->resize(start);
    size_t n = 0;
    const char* message = lua_tolstring(L, -1, &n);
    out.Error(std::string(err::kErrCode) + std::string(message != nullptr ? message : "", n));
    lua_pop(L, 1);
  }
}

// ---- the redis API ------------------------------------------------------------------------

int GenericCall(lua_State* L, bool raise) {
  LuaVm* vm = VmOf(L);
  LuaVm::RunState* rs = vm->run();
  const int argc = lua_gettop(L);
  if (rs == nullptr) return luaL_error(L, "redis.call is only available while a script runs");
  auto fail = [&](std::string_view full) -> int {
    rs->engine->errors.Count(full);
    lua_settop(L, 0);  // room for the error table, whatever the arguments took
    PushError(L, full);
    MarkErrorCounted(L);
    if (raise) return lua_error(L);
    return 1;
  };
  if (argc == 0) return fail(err::kScriptNoArguments);
  rs->argv.clear();
  rs->number_args.clear();
  rs->number_args.reserve(static_cast<size_t>(argc));
  for (int j = 1; j <= argc; ++j) {
    int t = lua_type(L, j);
    if (t == LUA_TNUMBER) {
      // %.17g rather than Lua's %.14g, so no precision is lost.
      char buf[64];
      int n = std::snprintf(buf, sizeof(buf), "%.17g", lua_tonumber(L, j));
      rs->number_args.emplace_back(buf, static_cast<size_t>(n));
      rs->argv.emplace_back(rs->number_args.back());
    } else if (t == LUA_TSTRING) {
      size_t n;
      const char* s = lua_tolstring(L, j, &n);
      rs->argv.emplace_back(s, n);
    } else {
      return fail(err::kScriptBadArgument);
    }
  }
  Engine& engine = *rs->engine;
  // A container's subcommand resolves to its own row, as Execute requires.
  const Command* cmd = ResolveCommand(engine.commands, rs->argv);
  if (cmd == nullptr) return fail(err::kScriptUnknownCommand);
  // A refused command counts as a rejected call of its own (INFO commandstats), as in Redis.
  auto refuse = [&](std::string_view full) {
    ++cmd->stats.rejected_calls;
    return fail(full);
  };
  if (!cmd->ArityFits(rs->argv.size())) return refuse(err::kScriptWrongArgs);
  if (cmd->flags & kNoScript) return refuse(err::kScriptCommandNotAllowed);
  if (!UserOf(engine, rs->client).unrestricted) {
    // The ACL log describes the caller, running its EVAL or FCALL.
    const Command* script_cmd =
        rs->command != nullptr ? ResolveCommand(engine.commands, *rs->command) : nullptr;
    const AclLogAs caller{rs->caller, script_cmd, rs->command};
    if (std::optional<std::string> denied =
            AclRefusal(engine, rs->client, *cmd, rs->argv, AclContext::kScript, rs->now_ms,
                       script_cmd != nullptr && rs->caller != nullptr ? &caller : nullptr)) {
      return refuse(*denied);
    }
  }
  if ((rs->flags & kScriptNoWrites) || rs->read_only) {
    if ((cmd->flags & kWrite) || MayReplicateCommand(*cmd)) {
      return refuse(err::kScriptReadOnlyWrite);
    }
  }
  if ((cmd->flags & kDenyOom) && engine.config.maxmemory != 0 && !(rs->flags & kScriptAllowOom) &&
      !rs->memory_ok && !rs->wrote()) {
    return refuse(err::kOom);
  }
  rs->reply_buf.clear();
  ReplyBuilder builder(&rs->reply_buf, rs->resp == 3 ? Proto::kResp3 : Proto::kResp2);
  rs->client.proto = builder.proto();
  // The execution half of the command path: counters, slowlog, MONITOR and the propagation
  // point see each command the script runs.
  Execute(engine, rs->client, *cmd, rs->argv, builder, rs->now_ms);
  // The arguments are done with (argv's views die here): popping them leaves room on the
  // stack for the reply even after a call with close to LUAI_MAXCSTACK (8,000) arguments, as
  // Redis does.
  lua_settop(L, 0);
  const char* p = rs->reply_buf.data();
  const char* end = p + rs->reply_buf.size();
  if (p == end) {
    lua_pushnil(L);
    return 1;
  }
  const bool is_error = *p == '-';
  PushReply(L, p, end);
  if (is_error) MarkErrorCounted(L);  // the command counted it
  if (is_error && raise) return lua_error(L);
  return 1;
}

int RedisCall(lua_State* L) { return GenericCall(L, true); }
int RedisPCall(lua_State* L) { return GenericCall(L, false); }

int RedisSha1Hex(lua_State* L) {
  if (lua_gettop(L) != 1) RaiseError(L, err::kScriptSha1hexArgs);
  size_t n;
  const char* s = lua_tolstring(L, 1, &n);
  std::string hex = Sha1Hex(s != nullptr ? std::string_view(s, n) : std::string_view());
  lua_pushlstring(L, hex.data(), hex.size());
  return 1;
}

int RedisErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushError(L, err::kScriptReplyHelperArgs);
    return 1;
  }
  size_t n;
  const char* s = lua_tolstring(L, 1, &n);
  std::string text(s, n);
  if (text.empty() || text[0] != '-') text.insert(0, "-");
  PushErrorTable(L, text);
  return 1;
}

int RedisStatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushError(L, err::kScriptReplyHelperArgs);
    return 1;
  }
  lua_createtable(L, 0, 1);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "ok");
  return 1;
}

int RedisLog(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) RaiseError(L, err::kScriptLogArgs);
  if (!lua_isnumber(L, 1)) RaiseError(L, err::kScriptLogLevelType);
  lua_Number level = lua_tonumber(L, 1);
  if (level < 0 || level > 3) RaiseError(L, err::kScriptLogLevel);
  // The engine has no log of its own (server/ owns it): the message is accepted and dropped.
  return 0;
}

int RedisSetResp(lua_State* L) {
  LuaVm::RunState* rs = VmOf(L)->run();
  if (lua_gettop(L) != 1) RaiseError(L, err::kScriptSetRespArgs);
  const int64_t resp = LuaNumberToInt64(lua_tonumber(L, 1));
  if (resp != 2 && resp != 3) RaiseError(L, err::kScriptSetRespVersion);
  if (rs != nullptr) rs->resp = static_cast<int>(resp);
  return 0;
}

int RedisSetRepl(lua_State* L) {
  if (lua_gettop(L) != 1) RaiseError(L, err::kScriptSetReplArgs);
  const int64_t flags = LuaNumberToInt64(lua_tonumber(L, 1));
  if (flags < 0 || flags > 3) {
    RaiseError(L, err::kScriptSetReplFlags);
  }
  return 0;
}

int RedisReplicateCommands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

int RedisBreakpoint(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}

int RedisDebug(lua_State*) { return 0; }

// redis.acl_check_cmd(command, arg...) -> whether the script's user may run that command line.
int RedisAclCheckCmd(lua_State* L) {
  LuaVm::RunState* rs = VmOf(L)->run();
  const int argc = lua_gettop(L);
  if (rs == nullptr || argc < 1) RaiseError(L, err::kScriptNoArguments);
  std::vector<std::string> args;
  for (int j = 1; j <= argc; ++j) {
    size_t n;
    const char* p = lua_type(L, j) == LUA_TSTRING || lua_type(L, j) == LUA_TNUMBER
                        ? lua_tolstring(L, j, &n)
                        : nullptr;
    if (p == nullptr) RaiseError(L, err::kScriptBadArgument);
    args.emplace_back(p, n);
  }
  std::vector<std::string_view> argv(args.begin(), args.end());
  Engine& engine = *rs->engine;
  const Command* cmd = ResolveCommand(engine.commands, argv);
  if (cmd == nullptr) RaiseError(L, err::kScriptAclCheckInvalid);
  // A line that does not fit the command's arity is not one the user may run (as Redis).
  const bool allowed =
      cmd->ArityFits(argv.size()) &&
      engine.acl.Check(UserOf(engine, rs->client), *cmd, argv).denial == AclDenial::kNone;
  lua_pushboolean(L, allowed);
  return 1;
}

// ---- FUNCTION LOAD's register_function ----------------------------------------------------

int RegisterFunction(lua_State* L) {
  LuaVm::LoadState* ls = VmOf(L)->load();
  if (ls == nullptr) {
    RaiseError(L, err::kFunctionRegisterOutsideLoad);
  }
  LuaVm::RegisteredFunction f;
  int argc = lua_gettop(L);
  int callback_index = 0;
  if (argc == 1) {
    if (!lua_istable(L, 1)) {
      RaiseError(L, err::kFunctionSingleArgNotTable);
    }
    bool have_name = false;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      if (lua_type(L, -2) != LUA_TSTRING) {
        RaiseError(L, err::kFunctionNamedKeyType);
      }
      std::string key = lua_tostring(L, -2);
      if (key == "function_name") {
        if (lua_type(L, -1) != LUA_TSTRING) {
          RaiseError(L, err::kFunctionNameType);
        }
        size_t n;
        const char* name = lua_tolstring(L, -1, &n);
        f.name.assign(name, n);
        have_name = true;
      } else if (key == "description") {
        if (lua_type(L, -1) != LUA_TSTRING) {
          RaiseError(L, err::kFunctionDescriptionType);
        }
        f.description = lua_tostring(L, -1);
        f.has_description = true;
      } else if (key == "callback") {
        if (!lua_isfunction(L, -1)) {
          RaiseError(L, err::kFunctionCallbackType);
        }
        lua_pushvalue(L, -1);
        lua_insert(L, 2);  // below the iteration's key and value
        callback_index = 2;
      } else if (key == "flags") {
        if (!lua_istable(L, -1)) {
          RaiseError(L, err::kFunctionFlagsType);
        }
        for (int j = 1;; ++j) {
          lua_rawgeti(L, -1, j);
          if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            break;
          }
          uint32_t flag = 0;
          if (lua_type(L, -1) != LUA_TSTRING || !ParseScriptFlag(lua_tostring(L, -1), &flag)) {
            RaiseError(L, err::kFunctionUnknownFlag);
          }
          f.flags |= flag;
          lua_pop(L, 1);
        }
      } else {
        RaiseError(L, err::kFunctionUnknownArgument);
      }
      lua_pop(L, 1);
    }
    if (!have_name) RaiseError(L, err::kFunctionNoName);
    if (callback_index == 0) RaiseError(L, err::kFunctionNoCallback);
  } else {
    if (argc != 2) RaiseError(L, err::kFunctionRegisterArgs);
    if (!lua_isstring(L, 1)) {
      RaiseError(L, err::kFunctionFirstArgType);
    }
    if (!lua_isfunction(L, 2)) {
      RaiseError(L, err::kFunctionSecondArgType);
    }
    size_t n;
    const char* name = lua_tolstring(L, 1, &n);
    f.name.assign(name, n);
    callback_index = 2;
  }
  // Function names follow library names' rule.
  bool valid = !f.name.empty();
  for (char c : f.name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) valid = false;
  }
  if (!valid) {
    RaiseError(L, err::kFunctionBadName);
  }
  for (const LuaVm::RegisteredFunction& other : *ls->out) {
    if (EqualsNoCase(other.name, f.name)) RaiseError(L, err::kFunctionDuplicateInLibrary);
  }
  lua_pushvalue(L, callback_index);
  f.ref = luaL_ref(L, LUA_REGISTRYINDEX);
  ls->out->push_back(std::move(f));
  return 0;
}

// ---- hooks: SCRIPT KILL and FUNCTION LOAD's time limit ------------------------------------

void RunHook(lua_State* L, lua_Debug*) {
  LuaVm* vm = VmOf(L);
  if (vm->load() != nullptr) {
    LuaVm::LoadState* ls = vm->load();
    if (ls->clock_us() - ls->start_us > kLoadTimeoutUs) {
      ls->timed_out = true;
      RaiseError(L, err::kFunctionLoadTimeout);
    }
    return;
  }
  // The tick may serve SCRIPT KILL (or SHUTDOWN NOSAVE) from another client: the kill is
  // raised at once, before the script runs on.
  vm->Tick();
  if (vm->kill_pending()) {
    lua_sethook(L, RunHook, LUA_MASKLINE, 0);  // raise again at once if the script catches it
    RaiseError(L, err::kScriptKilled);
  }
}

void SetFunction(lua_State* L, const char* name, lua_CFunction fn) {
  lua_pushcfunction(L, fn);
  lua_setfield(L, -2, name);
}

void SetNumber(lua_State* L, const char* name, lua_Number n) {
  lua_pushnumber(L, n);
  lua_setfield(L, -2, name);
}

}  // namespace

bool ParseScriptFlag(std::string_view name, uint32_t* flag) {
  if (name == "no-writes") {
    *flag = kScriptNoWrites;
  } else if (name == "allow-oom") {
    *flag = kScriptAllowOom;
  } else if (name == "allow-stale") {
    *flag = kScriptAllowStale;
  } else if (name == "no-cluster") {
    *flag = kScriptNoCluster;
  } else if (name == "allow-cross-slot-keys") {
    *flag = kScriptAllowCrossSlotKeys;
  } else {
    return false;
  }
  return true;
}

std::string Sha1Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // Fetched once: an implicit fetch on every digest costs more than hashing a short script.
  static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  EVP_Digest(data.data(), data.size(), md, &len, sha1, nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out(40, '0');
  for (unsigned int i = 0; i < len && i < 20; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 15];
  }
  return out;
}

LuaVm::LuaVm() {
  lua_ = luaL_newstate();
  BuildSandbox();
}

LuaVm::~LuaVm() {
  if (lua_ != nullptr) lua_close(lua_);
}

void LuaVm::BuildSandbox() {
  lua_State* L = lua_;
  lua_pushlightuserdata(L, this);
  SetRegistry(L, &kVmKey);
  lua_newtable(L);
  SetRegistry(L, &kProxiesKey);

  // The libraries Redis loads; debug only long enough to build the error handler (here in C).
  const luaL_Reg libs[] = {{"", luaopen_base},          {LUA_TABLIBNAME, luaopen_table},
                           {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
                           {"cjson", luaopen_cjson},     {"bit", luaopen_bit},
                           {"struct", luaopen_struct},   {"cmsgpack", luaopen_cmsgpack}};
  // luaopen_base also opens coroutine. cjson only returns its table: each library's table
  // becomes the global of its name.
  for (const luaL_Reg& lib : libs) {
    lua_pushcfunction(L, lib.func);
    lua_pushstring(L, lib.name);
    lua_call(L, 1, 1);
    if (lib.name[0] != '\0' && lua_istable(L, -1)) {
      lua_setglobal(L, lib.name);
    } else {
      lua_pop(L, 1);
    }
  }
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  int g = lua_gettop(L);
  lua_getfield(L, g, "tostring");
  SetRegistry(L, &kToStringKey);
  for (const char* name : {"dofile", "loadfile", "print", "getfenv", "setfenv", "newproxy",
                           "module", "require", "package", "os", "io", "debug"}) {
    lua_pushnil(L);
    lua_setfield(L, g, name);
  }
  lua_pushcfunction(L, GuardedSetMetatable);
  lua_setfield(L, g, "setmetatable");
  lua_pushcfunction(L, GuardedRawSet);
  lua_setfield(L, g, "rawset");
  lua_pushcfunction(L, SeeThroughRawGet);
  lua_setfield(L, g, "rawget");
  lua_pushcfunction(L, SeeThroughNext);
  lua_pushvalue(L, -1);
  lua_setfield(L, g, "next");
  lua_pushcclosure(L, SeeThroughPairs, 1);
  lua_setfield(L, g, "pairs");
  lua_pushcfunction(L, SandboxLoadString);
  lua_setfield(L, g, "loadstring");
  lua_pushcfunction(L, SandboxPCall);
  lua_setfield(L, g, "pcall");
  lua_pushcfunction(L, SandboxLoad);
  lua_setfield(L, g, "load");
  lua_getfield(L, g, "math");
  SetFunction(L, "random", MathRandom);
  SetFunction(L, "randomseed", MathRandomSeed);
  lua_pop(L, 1);

  // The runtime redis table.
  lua_newtable(L);
  SetFunction(L, "call", RedisCall);
  SetFunction(L, "pcall", RedisPCall);
  SetFunction(L, "sha1hex", RedisSha1Hex);
  SetFunction(L, "error_reply", RedisErrorReply);
  SetFunction(L, "status_reply", RedisStatusReply);
  SetFunction(L, "log", RedisLog);
  SetFunction(L, "setresp", RedisSetResp);
  SetFunction(L, "set_repl", RedisSetRepl);
  SetFunction(L, "replicate_commands", RedisReplicateCommands);
  SetFunction(L, "breakpoint", RedisBreakpoint);
  SetFunction(L, "debug", RedisDebug);
  SetFunction(L, "acl_check_cmd", RedisAclCheckCmd);
  SetNumber(L, "LOG_DEBUG", 0);
  SetNumber(L, "LOG_VERBOSE", 1);
  SetNumber(L, "LOG_NOTICE", 2);
  SetNumber(L, "LOG_WARNING", 3);
  SetNumber(L, "REPL_NONE", 0);
  SetNumber(L, "REPL_AOF", 1);
  SetNumber(L, "REPL_SLAVE", 2);
  SetNumber(L, "REPL_REPLICA", 2);
  SetNumber(L, "REPL_ALL", 3);
  lua_pushstring(L, kRedisVersion);
  lua_setfield(L, -2, "REDIS_VERSION");
  {
    int major = 0, minor = 0, patch = 0;
    std::sscanf(kRedisVersion, "%d.%d.%d", &major, &minor, &patch);
    SetNumber(L, "REDIS_VERSION_NUM", (major << 16) | (minor << 8) | patch);
  }
  lua_setfield(L, g, "redis");

  // The load globals: only the library API.
  lua_newtable(L);  // L
  int load_globals = lua_gettop(L);
  lua_newtable(L);  // its redis
  SetFunction(L, "register_function", RegisterFunction);
  SetFunction(L, "log", RedisLog);
  SetNumber(L, "LOG_DEBUG", 0);
  SetNumber(L, "LOG_VERBOSE", 1);
  SetNumber(L, "LOG_NOTICE", 2);
  SetNumber(L, "LOG_WARNING", 3);
  lua_pushstring(L, kRedisVersion);
  lua_setfield(L, -2, "REDIS_VERSION");
  lua_getfield(L, g, "redis");
  lua_getfield(L, -1, "REDIS_VERSION_NUM");
  lua_setfield(L, -3, "REDIS_VERSION_NUM");
  lua_pop(L, 1);
  lua_createtable(L, 0, 1);  // unknown fields of the load-time redis are errors too
  lua_pushcfunction(L, GlobalMissing);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  MakeReadonly(L);
  lua_setfield(L, load_globals, "redis");
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, GlobalMissing);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, load_globals);
  lua_pushvalue(L, load_globals);
  SetRegistry(L, &kLoadGlobalsKey);
  lua_pop(L, 1);

  // Library tables become read-only.
  for (const char* name : {"redis", "string", "table", "math", "coroutine", "cjson", "bit",
                           "struct", "cmsgpack"}) {
    lua_getfield(L, g, name);
    if (!lua_istable(L, -1)) {
      lua_pop(L, 1);
      continue;
    }
    MakeReadonly(L);
    lua_setfield(L, g, name);
  }

  // P, the environment every script runs in.
  lua_pushvalue(L, g);
  MakeReadonly(L);
  int env = lua_gettop(L);
  lua_pushvalue(L, env);
  lua_setfield(L, g, "_G");
  lua_getmetatable(L, env);
  SetRegistry(L, &kEnvMetaKey);
  lua_pushvalue(L, env);
  SetRegistry(L, &kEnvKey);
  lua_pop(L, 1);
  // Unknown globals are errors.
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, GlobalMissing);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, g);
  lua_pushvalue(L, g);
  SetRegistry(L, &kGlobalsKey);
  lua_pushcfunction(L, ErrorHandler);
  SetRegistry(L, &kErrHandlerKey);
  lua_pop(L, 1);  // g
}

bool LuaVm::Compile(std::string_view body, const char* chunk_name, int* ref, std::string* error) {
  lua_State* L = lua_;
  if (luaL_loadbuffer(L, body.data(), body.size(), chunk_name) != 0) {
    size_t n;
    const char* msg = lua_tolstring(L, -1, &n);
    error->assign(msg != nullptr ? msg : "", msg != nullptr ? n : 0);
    lua_pop(L, 1);
    return false;
  }
  PushRegistry(L, &kEnvKey);
  lua_setfenv(L, -2);
  *ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return true;
}

void LuaVm::Release(int ref) { luaL_unref(lua_, LUA_REGISTRYINDEX, ref); }

bool LuaVm::running_wrote() const { return run_ != nullptr && run_->wrote(); }
std::string_view LuaVm::running_name() const { return run_ != nullptr ? run_->name : ""; }
const std::vector<std::string_view>* LuaVm::running_command() const {
  return run_ != nullptr ? run_->command : nullptr;
}

size_t LuaVm::memory_bytes() const {
  return static_cast<size_t>(lua_gc(lua_, LUA_GCCOUNT, 0)) * 1024 +
         static_cast<size_t>(lua_gc(lua_, LUA_GCCOUNTB, 0));
}

void LuaVm::CollectGarbage() {
  // Each full cycle also halves the string table when it is mostly empty, so a table grown
  // for many strings takes a few cycles to give its memory back: repeat while that helps
  // (at most 20 times, enough to shrink 2^20 slots to the minimum).
  size_t before = memory_bytes();
  for (int i = 0; i < 20; ++i) {
    lua_gc(lua_, LUA_GCCOLLECT, 0);
    const size_t after = memory_bytes();
    if (after >= before) break;
    before = after;
  }
}

void LuaVm::Tick() {
  if (run_ == nullptr) return;
  Engine& engine = *run_->engine;
  // Past busy-reply-threshold the script becomes busy: from then on, every hook lets the
  // server serve the other clients once (they get -BUSY unless they send an allow-busy
  // command), until the script ends or is killed.
  if (engine.script_busy == ScriptBusy::kNone && engine.clock_us != nullptr &&
      (engine.clock_us() - run_start_us_) / 1000 >= engine.config.busy_reply_threshold) {
    engine.script_busy = running_is_function_ ? ScriptBusy::kFunction : ScriptBusy::kEval;
    if (engine.hooks != nullptr) engine.hooks->ScriptBusyStarted();
  }
  if (engine.script_busy != ScriptBusy::kNone && engine.hooks != nullptr && !kill_requested_) {
    engine.hooks->ServeWhileBusy();
  }
  if (tick_ != nullptr) tick_(*this, tick_arg_);
}

namespace {

void PushStringArray(lua_State* L, std::span<const std::string_view> items) {
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

// Sends the error a failed run left on top of the stack, with Redis's "script: NAME, on
// SOURCE:LINE." suffix when the error knows where it came from.
void ReplyRunError(lua_State* L, std::string_view name, ErrorStats& errors, ReplyBuilder& reply) {
  if (!lua_istable(L, -1)) {
    const char* msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
    std::string text(err::kScriptRunErrorPrefix);
    text.append(name);
    text.append(", ");
    text.append(std::string_view(msg).substr(0, 100));
    errors.Count(text);
    reply.Error(text);
    return;
  }
  const bool counted = ErrorCounted(L);
  lua_getfield(L, -1, "err");
  lua_getfield(L, -2, "source");
  lua_getfield(L, -3, "line");
  std::string text;
  if (lua_isstring(L, -3)) text = lua_tostring(L, -3);
  if (lua_isstring(L, -2) && lua_isstring(L, -1)) {
    text += " script: ";
    text.append(name);
    text += ", on ";
    text += lua_tostring(L, -2);
    text += ":";
    text += lua_tostring(L, -1);
    text += ".";
  }
  lua_pop(L, 3);
  if (!counted) errors.Count(text);
  reply.Error(text);
}

}  // namespace

void LuaVm::Run(int ref, const RunSpec& spec, std::span<const std::string_view> keys,
                std::span<const std::string_view> args, bool as_function, ReplyBuilder& reply) {
  lua_State* L = lua_;
  if (!state_) state_ = std::make_unique<RunState>();
  RunState& rs = *state_;
  rs.engine = &spec.engine;
  rs.now_ms = spec.now_ms;
  rs.flags = spec.flags;
  rs.read_only = spec.read_only_command;
  rs.memory_ok = spec.engine.config.maxmemory == 0 || EnforceMaxmemory(spec.engine, spec.now_ms);
  rs.dirty_at_start = spec.engine.keyspace.dirty();
  rs.resp = 2;
  rs.name = spec.name;
  rs.command = spec.command;
  rs.client.id = spec.caller.id;
  rs.client.db = spec.caller.db;
  // A tracking caller hears (modules/tracking.h) that its script read something.
  rs.client.tracking = spec.caller.tracking;
  rs.client.authenticated = true;
  rs.client.user = spec.caller.user;  // the script runs with its caller's ACL rights
  rs.caller = &spec.caller;
  rs.client.addr = "lua";  // how MONITOR names the commands a script runs, as Redis does
  run_ = &rs;
  running_is_function_ = as_function;
  kill_requested_ = false;
  run_start_us_ = spec.engine.clock_us != nullptr ? spec.engine.clock_us() : 0;

  const int base = lua_gettop(L);
  PushRegistry(L, &kErrHandlerKey);
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
  int nargs = 0;
  if (as_function) {
    PushStringArray(L, keys);
    PushStringArray(L, args);
    nargs = 2;
  } else {
    PushRegistry(L, &kGlobalsKey);
    PushStringArray(L, keys);
    lua_setfield(L, -2, "KEYS");  // rawset is not needed: B has no __newindex
    PushStringArray(L, args);
    lua_setfield(L, -2, "ARGV");
    lua_pop(L, 1);
  }
  // The script's writes reach the journal as their effects, the commands it ran, grouped
  // into one MULTI ... EXEC unit as Redis does. Inside EXEC (the caller is still in_multi
  // while its queue runs, and the journal is the transaction's own buffer) they go straight
  // into the transaction's unit instead of nesting one.
  JournalSink* const journal = spec.caller.in_multi ? nullptr : spec.engine.journal;
  JournalBuffer effects;
  if (journal != nullptr) spec.engine.journal = &effects;
  lua_sethook(L, RunHook, LUA_MASKCOUNT, kHookInstructions);
  const int rc = lua_pcall(L, nargs, 1, base + 1);
  lua_sethook(L, nullptr, 0, 0);
  if (journal != nullptr) {
    spec.engine.journal = journal;
    if (!effects.records.empty()) AppendUnit(*journal, effects.records);
  }
  if (rc != 0) {
    ReplyRunError(L, rs.name, spec.engine.errors, reply);
  } else {
    EmitResult(L, rs.resp, reply);
  }
  lua_settop(L, base);
  run_ = nullptr;
  kill_requested_ = false;
  if (spec.engine.script_busy != ScriptBusy::kNone) {
    spec.engine.script_busy = ScriptBusy::kNone;
    if (spec.engine.hooks != nullptr) spec.engine.hooks->ScriptBusyEnded();
  }
  // Garbage is collected in small steps every 50 runs (as Redis does) rather than left to a
  // full cycle at an unlucky moment; a step per run costs more than the scripts themselves.
  if (++runs_since_gc_ >= 50) {
    runs_since_gc_ = 0;
    lua_gc(L, LUA_GCSTEP, 50);
  }
}

bool LuaVm::LoadLibrary(std::string_view code, int64_t (*clock_us)(),
                        std::vector<RegisteredFunction>* out, std::string* error) {
  lua_State* L = lua_;
  const int base = lua_gettop(L);
  if (luaL_loadbuffer(L, code.data(), code.size(), "@user_function") != 0) {
    error->assign("Error compiling function: ");
    error->append(lua_tostring(L, -1));
    lua_settop(L, base);
    return false;
  }
  PushRegistry(L, &kEnvKey);
  lua_setfenv(L, -2);
  // Globals resolve to the library API while the code runs.
  PushRegistry(L, &kEnvMetaKey);
  PushRegistry(L, &kLoadGlobalsKey);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);

  LoadState ls{.out = out, .clock_us = clock_us, .start_us = clock_us()};
  load_ = &ls;
  PushRegistry(L, &kErrHandlerKey);
  lua_insert(L, -2);
  lua_sethook(L, RunHook, LUA_MASKCOUNT, kHookInstructions);
  const int rc = lua_pcall(L, 0, 0, base + 1);
  lua_sethook(L, nullptr, 0, 0);
  load_ = nullptr;
  PushRegistry(L, &kEnvMetaKey);
  PushRegistry(L, &kGlobalsKey);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);

  bool ok = rc == 0;
  if (!ok) {
    std::string msg = "execution failure";
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) msg = lua_tostring(L, -1);
      lua_pop(L, 1);
    } else if (lua_isstring(L, -1)) {
      msg = lua_tostring(L, -1);
    }
    *error = "Error registering functions: " + msg;
  } else if (out->empty()) {
    ok = false;
    *error = "No functions registered";
  }
  if (!ok) {
    for (RegisteredFunction& f : *out) Release(f.ref);
    out->clear();
  }
  lua_settop(L, base);
  return ok;
}

}  // namespace firn
