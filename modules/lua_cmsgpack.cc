// cmsgpack: MessagePack for scripts, with the API and the encoding choices of the cmsgpack
// library Redis embeds, so packed bytes are identical.
//
// pack(v1, v2, ...) concatenates the encodings of its arguments. A number equal to an int64
// is packed as the smallest integer format; other numbers as float 32 when that is exact,
// else float 64. A string is a str (fixstr / str8 / str16 / str32). A table whose keys are
// exactly 1..n is an array of lua_objlen elements, any other table a map in lua_next order;
// tables nested deeper than 16 levels, functions and the rest pack as nil.
// unpack(s) returns every value; unpack_one(s [, offset]) and unpack_limit(s, n [, offset])
// return the next offset (-1 once the input is used up) followed by up to 1 or n values.
// Truncated input: "Missing bytes in input."; an unknown type byte: "Bad data format in input.".
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include <lua.hpp>

#include "modules/lua_libs.h"

namespace firn {
namespace {

constexpr int kMaxNesting = 16;

void PutBig(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void EncodeInt(std::string* out, int64_t n) {
  if (n >= 0) {
    if (n <= 127) {
      out->push_back(static_cast<char>(n));
    } else if (n <= 0xff) {
      out->push_back(static_cast<char>(0xcc));
      PutBig(out, static_cast<uint64_t>(n), 1);
    } else if (n <= 0xffff) {
      out->push_back(static_cast<char>(0xcd));
      PutBig(out, static_cast<uint64_t>(n), 2);
    } else if (n <= 0xffffffffLL) {
      out->push_back(static_cast<char>(0xce));
      PutBig(out, static_cast<uint64_t>(n), 4);
    } else {
      out->push_back(static_cast<char>(0xcf));
      PutBig(out, static_cast<uint64_t>(n), 8);
    }
  } else {
    if (n >= -32) {
      out->push_back(static_cast<char>(static_cast<int8_t>(n)));
    } else if (n >= -128) {
      out->push_back(static_cast<char>(0xd0));
      PutBig(out, static_cast<uint64_t>(n), 1);
    } else if (n >= -32768) {
      out->push_back(static_cast<char>(0xd1));
      PutBig(out, static_cast<uint64_t>(n), 2);
    } else if (n >= -2147483648LL) {
      out->push_back(static_cast<char>(0xd2));
      PutBig(out, static_cast<uint64_t>(n), 4);
    } else {
      out->push_back(static_cast<char>(0xd3));
      PutBig(out, static_cast<uint64_t>(n), 8);
    }
  }
}

void EncodeNumber(std::string* out, lua_Number n) {
  if (!std::isinf(n) && !std::isnan(n) && n >= -9223372036854775808.0 &&
      n < 9223372036854775808.0 && static_cast<lua_Number>(static_cast<int64_t>(n)) == n) {
    EncodeInt(out, static_cast<int64_t>(n));
    return;
  }
  float f = static_cast<float>(n);
  if (static_cast<lua_Number>(f) == n) {
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    out->push_back(static_cast<char>(0xca));
    PutBig(out, bits, 4);
  } else {
    uint64_t bits;
    std::memcpy(&bits, &n, sizeof bits);
    out->push_back(static_cast<char>(0xcb));
    PutBig(out, bits, 8);
  }
}

void EncodeString(std::string* out, const char* s, size_t len) {
  if (len < 32) {
    out->push_back(static_cast<char>(0xa0 | len));
  } else if (len <= 0xff) {
    out->push_back(static_cast<char>(0xd9));
    PutBig(out, len, 1);
  } else if (len <= 0xffff) {
    out->push_back(static_cast<char>(0xda));
    PutBig(out, len, 2);
  } else {
    out->push_back(static_cast<char>(0xdb));
    PutBig(out, len, 4);
  }
  out->append(s, len);
}

void EncodeHeader(std::string* out, size_t n, uint8_t fix, uint8_t fix_max, uint8_t b16, uint8_t b32) {
  if (n <= fix_max) {
    out->push_back(static_cast<char>(fix | n));
  } else if (n <= 0xffff) {
    out->push_back(static_cast<char>(b16));
    PutBig(out, n, 2);
  } else {
    out->push_back(static_cast<char>(b32));
    PutBig(out, n, 4);
  }
}

// Whether the table on top has exactly the keys 1..n.
bool IsArray(lua_State* L) {
  int64_t count = 0, max = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TNUMBER) {
      lua_pop(L, 1);
      return false;
    }
    lua_Number n = lua_tonumber(L, -1);
    // In range before the cast (a key like 1e19 or NaN does not fit an int64_t).
    if (!(n >= 1 && n <= 9007199254740992.0)) {
      lua_pop(L, 1);
      return false;
    }
    int64_t idx = static_cast<int64_t>(n);
    if (static_cast<lua_Number>(idx) != n) {
      lua_pop(L, 1);
      return false;
    }
    ++count;
    if (idx > max) max = idx;
  }
  return count == max;
}

void Encode(lua_State* L, std::string* out, int level);

void EncodeTable(lua_State* L, std::string* out, int level) {
  luaL_checkstack(L, 3, "in function cmsgpack.pack");
  if (IsArray(L)) {
    size_t n = lua_objlen(L, -1);
    EncodeHeader(out, n, 0x90, 15, 0xdc, 0xdd);
    for (size_t j = 1; j <= n; ++j) {
      lua_rawgeti(L, -1, static_cast<int>(j));
      Encode(L, out, level + 1);
      lua_pop(L, 1);
    }
    return;
  }
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    ++n;
  }
  EncodeHeader(out, n, 0x80, 15, 0xde, 0xdf);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pushvalue(L, -2);
    Encode(L, out, level + 1);
    lua_pop(L, 1);
    Encode(L, out, level + 1);
    lua_pop(L, 1);
  }
}

// Encodes the value on top (left there).
void Encode(lua_State* L, std::string* out, int level) {
  int t = lua_type(L, -1);
  if (t == LUA_TTABLE && level == kMaxNesting) t = LUA_TNIL;
  switch (t) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      EncodeString(out, s, len);
      break;
    }
    case LUA_TBOOLEAN:
      out->push_back(static_cast<char>(lua_toboolean(L, -1) ? 0xc3 : 0xc2));
      break;
    case LUA_TNUMBER:
      EncodeNumber(out, lua_tonumber(L, -1));
      break;
    case LUA_TTABLE:
      EncodeTable(L, out, level);
      break;
    default:
      out->push_back(static_cast<char>(0xc0));
      break;
  }
}

int Pack(lua_State* L) {
  int n = lua_gettop(L);
  if (n == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  std::string out;
  for (int i = 1; i <= n; ++i) {
    lua_pushvalue(L, i);
    Encode(L, &out, 0);
    lua_pop(L, 1);
  }
  lua_pushlstring(L, out.data(), out.size());
  return 1;
}

// ---- decoding ----

enum class DecodeError { kNone, kEof, kBadFormat };

struct Cursor {
  const unsigned char* p;
  size_t left;
  DecodeError err = DecodeError::kNone;

  bool Need(size_t n) {
    if (left < n) {
      err = DecodeError::kEof;
      return false;
    }
    return true;
  }
  uint64_t Big(size_t offset, size_t n) const {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | p[offset + i];
    return v;
  }
  void Skip(size_t n) {
    p += n;
    left -= n;
  }
};

void Decode(lua_State* L, Cursor* c);

void DecodeArray(lua_State* L, Cursor* c, size_t n) {
  lua_newtable(L);
  for (size_t i = 0; i < n; ++i) {
    Decode(L, c);
    if (c->err != DecodeError::kNone) return;
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

void DecodeMap(lua_State* L, Cursor* c, size_t n) {
  lua_newtable(L);
  for (size_t i = 0; i < n; ++i) {
    Decode(L, c);
    if (c->err != DecodeError::kNone) return;
    Decode(L, c);
    if (c->err != DecodeError::kNone) return;
    lua_settable(L, -3);
  }
}

void DecodeBytes(lua_State* L, Cursor* c, size_t header, size_t len_bytes) {
  if (!c->Need(header)) return;
  size_t len = static_cast<size_t>(c->Big(header - len_bytes, len_bytes));
  if (!c->Need(header + len)) return;
  lua_pushlstring(L, reinterpret_cast<const char*>(c->p + header), len);
  c->Skip(header + len);
}

// Pushes one value (or nothing, with c->err set).
void Decode(lua_State* L, Cursor* c) {
  luaL_checkstack(L, 3, "too many nested values in cmsgpack input");
  if (!c->Need(1)) return;
  const unsigned char b = c->p[0];
  if (b <= 0x7f) {
    lua_pushnumber(L, b);
    c->Skip(1);
  } else if (b >= 0xe0) {
    lua_pushnumber(L, static_cast<int8_t>(b));
    c->Skip(1);
  } else if ((b & 0xe0) == 0xa0) {
    const size_t len = b & 0x1f;  // fixstr: the length is in the type byte
    if (!c->Need(1 + len)) return;
    lua_pushlstring(L, reinterpret_cast<const char*>(c->p + 1), len);
    c->Skip(1 + len);
  } else if ((b & 0xf0) == 0x90) {
    c->Skip(1);
    DecodeArray(L, c, b & 0x0f);
  } else if ((b & 0xf0) == 0x80) {
    c->Skip(1);
    DecodeMap(L, c, b & 0x0f);
  } else {
    switch (b) {
      case 0xc0: lua_pushnil(L); c->Skip(1); break;
      case 0xc2: lua_pushboolean(L, 0); c->Skip(1); break;
      case 0xc3: lua_pushboolean(L, 1); c->Skip(1); break;
      case 0xca: {
        if (!c->Need(5)) return;
        uint32_t bits = static_cast<uint32_t>(c->Big(1, 4));
        float f;
        std::memcpy(&f, &bits, sizeof f);
        lua_pushnumber(L, f);
        c->Skip(5);
        break;
      }
      case 0xcb: {
        if (!c->Need(9)) return;
        uint64_t bits = c->Big(1, 8);
        double d;
        std::memcpy(&d, &bits, sizeof d);
        lua_pushnumber(L, d);
        c->Skip(9);
        break;
      }
      case 0xcc: case 0xcd: case 0xce: case 0xcf: {
        size_t n = size_t{1} << (b - 0xcc);
        if (!c->Need(1 + n)) return;
        lua_pushnumber(L, static_cast<lua_Number>(c->Big(1, n)));
        c->Skip(1 + n);
        break;
      }
      case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        size_t n = size_t{1} << (b - 0xd0);
        if (!c->Need(1 + n)) return;
        uint64_t v = c->Big(1, n);
        int64_t s;
        if (n == 1) s = static_cast<int8_t>(v);
        else if (n == 2) s = static_cast<int16_t>(v);
        else if (n == 4) s = static_cast<int32_t>(v);
        else s = static_cast<int64_t>(v);
        lua_pushnumber(L, static_cast<lua_Number>(s));
        c->Skip(1 + n);
        break;
      }
      case 0xc4: case 0xd9: DecodeBytes(L, c, 2, 1); break;
      case 0xc5: case 0xda: DecodeBytes(L, c, 3, 2); break;
      case 0xc6: case 0xdb: DecodeBytes(L, c, 5, 4); break;
      case 0xdc: case 0xdd: case 0xde: case 0xdf: {
        size_t n_bytes = (b == 0xdc || b == 0xde) ? 2 : 4;
        if (!c->Need(1 + n_bytes)) return;
        size_t n = static_cast<size_t>(c->Big(1, n_bytes));
        c->Skip(1 + n_bytes);
        if (b == 0xdc || b == 0xdd) {
          DecodeArray(L, c, n);
        } else {
          DecodeMap(L, c, n);
        }
        break;
      }
      default:
        c->err = DecodeError::kBadFormat;
        break;
    }
  }
}

int UnpackFull(lua_State* L, lua_Integer limit, lua_Integer offset) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  const bool all = limit == 0 && offset == 0;
  if (offset < 0 || limit < 0) {
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                      static_cast<int>(offset), static_cast<int>(len));
  }
  if (static_cast<size_t>(offset) > len) {
    return luaL_error(L, "Start offset %d greater than input length %d.", static_cast<int>(offset),
                      static_cast<int>(len));
  }
  if (all) limit = INT_MAX;
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - static_cast<size_t>(offset)};
  int count = 0;
  for (; c.left > 0 && count < limit; ++count) {
    Decode(L, &c);
    if (c.err == DecodeError::kEof) return luaL_error(L, "Missing bytes in input.");
    if (c.err == DecodeError::kBadFormat) return luaL_error(L, "Bad data format in input.");
  }
  if (!all) {
    luaL_checkstack(L, 1, "in function mp_unpack_full");
    lua_pushinteger(L, c.left == 0 ? -1 : static_cast<lua_Integer>(len - c.left));
    lua_insert(L, 2);
    ++count;
  }
  return count;
}

int Unpack(lua_State* L) { return UnpackFull(L, 0, 0); }

int UnpackOne(lua_State* L) {
  lua_Integer offset = luaL_optinteger(L, 2, 0);
  lua_settop(L, 1);
  return UnpackFull(L, 1, offset);
}

int UnpackLimit(lua_State* L) {
  lua_Integer limit = luaL_checkinteger(L, 2);
  lua_Integer offset = luaL_optinteger(L, 3, 0);
  lua_settop(L, 1);
  return UnpackFull(L, limit, offset);
}

}  // namespace

int luaopen_cmsgpack(lua_State* L) {
  const luaL_Reg fns[] = {{"pack", Pack},
                          {"unpack", Unpack},
                          {"unpack_one", UnpackOne},
                          {"unpack_limit", UnpackLimit},
                          {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, fns);
  return 1;
}

}  // namespace firn
