// Lua libraries Redis gives scripts that Debian does not package: struct (binary packing, as
// Roberto Ierusalimschy's struct.c) and cmsgpack (MessagePack). Each opens its table as a
// global of the same name, like luaopen_cjson.
#pragma once

struct lua_State;

namespace firn {

int luaopen_struct(lua_State* L);
int luaopen_cmsgpack(lua_State* L);

}  // namespace firn
