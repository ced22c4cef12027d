// Lua libraries Redis gives scripts that Debian does not package: struct (binary packing, as
// Roberto Ierusalimschy's struct.c) and cmsgpack (MessagePack). Each opens its table as a
// global of the same name, like luaopen_cjson.
#pragma once

#include <cstdint>

struct lua_State;

namespace firn {

// A Lua number as an int64_t without undefined behaviour: NaN and values outside the range
// give INT64_MIN, what Redis's plain C cast yields on x86 (script replies, struct.pack).
inline int64_t LuaNumberToInt64(double n) {
  return n >= -9223372036854775808.0 && n < 9223372036854775808.0 ? static_cast<int64_t>(n)
                                                                   : INT64_MIN;
}

int luaopen_struct(lua_State* L);
int luaopen_cmsgpack(lua_State* L);

}  // namespace firn
