// Fuzz target: the decoders a script can feed untrusted bytes to, inside the Lua sandbox:
// cjson.decode, cmsgpack.unpack and struct.unpack (modules/lua_cmsgpack.cc,
// modules/lua_struct.cc, Debian's lua-cjson), reached the way a client reaches them: EVAL of
// a fixed script with the input as its arguments.
//
// The first byte picks the script; the rest is split at the first NUL into two arguments
// (for struct: the format and the data). Each script decodes, then encodes what it got
// again, both under pcall, so a refused input is an ordinary Lua error; the reply must be
// well-formed RESP. One engine serves every run (the scripts never touch keys).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "modules/dispatch.h"
#include "modules/engine.h"
#include "tests/fuzz/common/resp_check.h"

using firn::fuzz::Require;

namespace {

int64_t FakeClockUs() { return 0; }

constexpr std::string_view kScripts[] = {
    // JSON: decode, then encode the result.
    "local ok, v = pcall(cjson.decode, ARGV[1])\n"
    "if not ok then return {err = 'bad json'} end\n"
    "local ok2, s = pcall(cjson.encode, v)\n"
    "if ok2 then return s end\n"
    "return 0\n",
    // MessagePack: every object in the buffer, then packed again.
    "local r = {pcall(cmsgpack.unpack, ARGV[1])}\n"
    "if not r[1] then return {err = 'bad msgpack'} end\n"
    "table.remove(r, 1)\n"
    "local ok, s = pcall(cmsgpack.pack, unpack(r))\n"
    "if ok then return s end\n"
    "return #r\n",
    // MessagePack with a limit and an offset (cmsgpack.unpack_limit / unpack_one).
    "local n = string.byte(ARGV[2] or '', 1) or 1\n"
    "local r = {pcall(cmsgpack.unpack_limit, ARGV[1], n % 8, n % 5)}\n"
    "local r2 = {pcall(cmsgpack.unpack_one, ARGV[1], n % 7)}\n"
    "return #r + #r2\n",
    // struct: unpack the data with the format, then pack the values again.
    "local r = {pcall(struct.unpack, ARGV[1], ARGV[2] or '')}\n"
    "if not r[1] then return {err = 'bad struct'} end\n"
    "table.remove(r, 1)\n"
    "table.remove(r)\n"
    "local ok, s = pcall(struct.pack, ARGV[1], unpack(r))\n"
    "local ok2, n = pcall(struct.size, ARGV[1])\n"
    "if ok then return s end\n"
    "return 0\n",
    // cjson's options and a redis.* round trip of decoded values.
    "local ok, v = pcall(cjson.decode, ARGV[1])\n"
    "if ok and type(v) == 'table' then\n"
    "  local ok2, s = pcall(cmsgpack.pack, v)\n"
    "  if ok2 then pcall(cmsgpack.unpack, s) end\n"
    "  return v\n"
    "end\n"
    "return ok and tostring(v) or 0\n",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 16384) return 0;
  static firn::Engine* engine = [] {
    auto* e = new firn::Engine(firn::Config{});
    e->clock_us = FakeClockUs;
    return e;
  }();
  static firn::ClientInfo client;
  client.authenticated = true;

  const std::string_view script = kScripts[data[0] % std::size(kScripts)];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::string_view> argv = {"EVAL", script, "0"};
  const size_t nul = rest.find('\0');
  if (nul == std::string_view::npos) {
    argv.push_back(rest);
  } else {
    argv.push_back(rest.substr(0, nul));
    argv.push_back(rest.substr(nul + 1));
  }
  std::string out;
  firn::Dispatch(*engine, client, argv, &out, 1700000000000);
  Require(!out.empty() && firn::fuzz::WellFormedReplies(out));
  return 0;
}
