#include "modules/lua_libs.h"

#include <lua.hpp>

namespace firn {

int luaopen_struct(lua_State* L) {
  lua_newtable(L);
  lua_pushvalue(L, -1);
  lua_setglobal(L, "struct");
  return 1;
}

}  // namespace firn
