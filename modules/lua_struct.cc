// struct: binary packing for scripts, as the struct library Redis embeds (struct.pack,
// struct.unpack, struct.size with the format language of Roberto Ierusalimschy's struct 0.2).
//
// A format is read left to right: '>' big endian, '<' little endian, '=' native, '!n' maximum
// alignment n (a power of two, default 8), ' ' ignored; then items: b/B (1 byte), h/H (2),
// l/L (8), T (size_t), i/I[n] (n bytes, default 4, at most 32), f (float), d (double),
// c[n] (n characters; c0 in pack: the whole string, in unpack: the length is the previous
// value), s (zero-terminated string), x (one padding byte). Lower case is signed. Each item
// is aligned to min(its size, the maximum alignment) from the start of the data.
#include <cctype>
#include <cstdint>
#include <cstring>
#include <string>

#include <lua.hpp>

#include "modules/lua_libs.h"

namespace firn {
namespace {

constexpr int kMaxIntSize = 32;
constexpr int kMaxAlign = 8;
constexpr bool kNativeLittle = true;  // x86-64 and arm64

struct Header {
  bool little = kNativeLittle;
  int align = 1;
};

int ReadNumber(lua_State* L, const char** fmt, int fallback) {
  if (!std::isdigit(static_cast<unsigned char>(**fmt))) return fallback;
  int n = 0;
  while (std::isdigit(static_cast<unsigned char>(**fmt))) {
    int digit = *(*fmt)++ - '0';
    if (n > (INT32_MAX - digit) / 10) luaL_error(L, "integral size overflow");
    n = n * 10 + digit;
  }
  return n;
}

size_t ItemSize(lua_State* L, char opt, const char** fmt) {
  switch (opt) {
    case 'b': case 'B': return 1;
    case 'h': case 'H': return sizeof(short);
    case 'l': case 'L': return sizeof(long);
    case 'T': return sizeof(size_t);
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    case 'x': return 1;
    case 'c': return static_cast<size_t>(ReadNumber(L, fmt, 1));
    case 'i': case 'I': {
      int n = ReadNumber(L, fmt, sizeof(int));
      if (n > kMaxIntSize) {
        luaL_error(L, "integral size %d is larger than limit of %d", n, kMaxIntSize);
      }
      return static_cast<size_t>(n);
    }
    default: return 0;
  }
}

size_t Padding(size_t offset, const Header& h, char opt, size_t size) {
  if (size == 0 || opt == 'c') return 0;
  size_t a = size > static_cast<size_t>(h.align) ? static_cast<size_t>(h.align) : size;
  return (a - (offset & (a - 1))) & (a - 1);
}

void ControlOption(lua_State* L, char opt, const char** fmt, Header* h) {
  switch (opt) {
    case ' ': return;
    case '>': h->little = false; return;
    case '<': h->little = true; return;
    case '=': h->little = kNativeLittle; return;
    case '!': {
      int a = ReadNumber(L, fmt, kMaxAlign);
      if (a <= 0 || (a & (a - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", a);
      h->align = a;
      return;
    }
    default: {
      const char* msg = lua_pushfstring(L, "invalid format option '%c'", opt);
      luaL_argerror(L, 1, msg);
    }
  }
}

// Bytes of a float or double in the wanted order.
void OrderBytes(char* bytes, size_t size, bool little) {
  if (little == kNativeLittle) return;
  for (size_t i = 0, j = size - 1; i < j; ++i, --j) std::swap(bytes[i], bytes[j]);
}

int Pack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  int arg = 2;
  size_t total = 0;
  std::string out;
  while (*fmt != '\0') {
    const char opt = *fmt++;
    size_t size = ItemSize(L, opt, &fmt);
    size_t pad = Padding(total, h, opt, size);
    out.append(pad, '\0');
    total += pad;
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
        lua_Number n = luaL_checknumber(L, arg++);
        // Out of range: 0 above 2^64 and INT64_MIN's bits below -2^63, as Redis packs them.
        uint64_t v = n < 0                        ? static_cast<uint64_t>(LuaNumberToInt64(n))
                     : n < 18446744073709551616.0 ? static_cast<uint64_t>(n)
                                                  : 0;
        char bytes[kMaxIntSize] = {};
        for (size_t i = 0; i < size; ++i) {
          bytes[h.little ? i : size - 1 - i] = static_cast<char>(v & 0xff);
          v = i < 7 ? v >> 8 : 0;
        }
        out.append(bytes, size);
        break;
      }
      case 'x':
        out.push_back('\0');
        break;
      case 'f': {
        float f = static_cast<float>(luaL_checknumber(L, arg++));
        char bytes[sizeof f];
        std::memcpy(bytes, &f, sizeof f);
        OrderBytes(bytes, sizeof f, h.little);
        out.append(bytes, sizeof f);
        break;
      }
      case 'd': {
        double d = luaL_checknumber(L, arg++);
        char bytes[sizeof d];
        std::memcpy(bytes, &d, sizeof d);
        OrderBytes(bytes, sizeof d, h.little);
        out.append(bytes, sizeof d);
        break;
      }
      case 'c': case 's': {
        size_t len;
        const char* s = luaL_checklstring(L, arg++, &len);
        if (size == 0) size = len;
        luaL_argcheck(L, len >= size, arg, "string too short");
        out.append(s, size);
        if (opt == 's') {
          out.push_back('\0');
          ++size;
        }
        break;
      }
      default:
        ControlOption(L, opt, &fmt, &h);
    }
    total += size;
  }
  lua_pushlstring(L, out.data(), out.size());
  return 1;
}

lua_Number ReadInteger(const char* p, bool little, bool is_signed, size_t size) {
  uint64_t v = 0;
  for (size_t k = 0; k < size; ++k) {
    size_t i = little ? size - 1 - k : k;
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  }
  if (!is_signed) return static_cast<lua_Number>(v);
  if (size > 0 && size < 8) {  // "i0" reads nothing: 0
    uint64_t sign = uint64_t{1} << (size * 8 - 1);
    if (v & sign) v |= ~((sign << 1) - 1);
  }
  return static_cast<lua_Number>(static_cast<int64_t>(v));
}

int Unpack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  size_t len;
  const char* data = luaL_checklstring(L, 2, &len);
  lua_Integer start = luaL_optinteger(L, 3, 1);
  luaL_argcheck(L, start > 0, 3, "offset must be 1 or greater");
  size_t pos = static_cast<size_t>(start) - 1;
  luaL_argcheck(L, pos <= len, 3, "offset must be 1 or greater");
  Header h;
  int results = 0;
  while (*fmt != '\0') {
    const char opt = *fmt++;
    size_t size = ItemSize(L, opt, &fmt);
    pos += Padding(pos, h, opt, size);
    luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        lua_pushnumber(L, ReadInteger(data + pos, h.little,
                                      std::islower(static_cast<unsigned char>(opt)) != 0, size));
        ++results;
        break;
      case 'x':
        break;
      case 'f': {
        char bytes[sizeof(float)];
        std::memcpy(bytes, data + pos, sizeof bytes);
        OrderBytes(bytes, sizeof bytes, h.little);
        float f;
        std::memcpy(&f, bytes, sizeof f);
        lua_pushnumber(L, f);
        ++results;
        break;
      }
      case 'd': {
        char bytes[sizeof(double)];
        std::memcpy(bytes, data + pos, sizeof bytes);
        OrderBytes(bytes, sizeof bytes, h.little);
        double d;
        std::memcpy(&d, bytes, sizeof d);
        lua_pushnumber(L, d);
        ++results;
        break;
      }
      case 'c': {
        if (size == 0) {
          if (results == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
          // A negative or too big size is "data string too short", without a bad cast.
          const lua_Number want = lua_tonumber(L, -1);
          size = want >= 0 && want <= static_cast<lua_Number>(len) ? static_cast<size_t>(want) : len + 1;
          lua_pop(L, 1);
          --results;
          luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
        }
        lua_pushlstring(L, data + pos, size);
        ++results;
        break;
      }
      case 's': {
        const void* end = std::memchr(data + pos, '\0', len - pos);
        if (end == nullptr) luaL_error(L, "unfinished string in data");
        size = static_cast<size_t>(static_cast<const char*>(end) - (data + pos)) + 1;
        lua_pushlstring(L, data + pos, size - 1);
        ++results;
        break;
      }
      default:
        ControlOption(L, opt, &fmt, &h);
    }
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
  return results + 1;
}

int Size(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  size_t pos = 0;
  while (*fmt != '\0') {
    const char opt = *fmt++;
    size_t size = ItemSize(L, opt, &fmt);
    pos += Padding(pos, h, opt, size);
    if (opt == 's') {
      luaL_argerror(L, 1, "options 's' have no fixed size");
    } else if (opt == 'c' && size == 0) {
      luaL_argerror(L, 1, "option 'c0' has no fixed size");
    }
    if (!std::isalnum(static_cast<unsigned char>(opt))) ControlOption(L, opt, &fmt, &h);
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos));
  return 1;
}

}  // namespace

int luaopen_struct(lua_State* L) {
  const luaL_Reg fns[] = {{"pack", Pack}, {"unpack", Unpack}, {"size", Size}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, fns);
  return 1;
}

}  // namespace firn
