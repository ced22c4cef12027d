// Fuzz target: the configuration parsers (conf/config.h): firn.toml text, Redis-style
// command-line arguments, and CONFIG SET's value parsing.
//
// The first byte picks the parser; the rest is a TOML document, NUL-separated arguments, or
// a setting name (by index) and a value. Errors must be ConfigError (or a refused SetResult),
// never anything else. Whatever parses must survive CONFIG GET -> CONFIG SET: every setting's
// printed value, set on a fresh Config, is accepted and prints the same.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "conf/config.h"
#include "tests/fuzz/common/resp_check.h"

using firn::fuzz::Require;

namespace {

void CheckRoundTrip(const firn::Config& cfg) {
  firn::Config fresh;
  for (std::string_view name : firn::ConfigNames()) {
    const std::optional<std::string> value = firn::GetConfigValue(cfg, name);
    Require(value.has_value());
    const firn::SetResult set = firn::SetConfigValue(fresh, name, *value, /*at_startup=*/true);
    Require(set.kind == firn::SetResult::kOk);
    Require(firn::GetConfigValue(fresh, name) == value);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0] % 3;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (mode == 0) {
    try {
      CheckRoundTrip(firn::ParseConfigToml(text, "fuzz.toml"));
    } catch (const firn::ConfigError&) {
    }
    return 0;
  }
  if (mode == 1) {
    // Arguments after the program name; the first must be an option (a first argument that
    // is not one names a file to load).
    std::vector<std::string> args{"firn-server"};
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\0', start);
      if (end == std::string_view::npos) end = text.size();
      args.emplace_back(text.substr(start, end - start));
      start = end + 1;
    }
    if (args.size() < 2 || args[1].rfind("--", 0) != 0) return 0;
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    try {
      const firn::CommandLine cl = firn::ParseCommandLine(static_cast<int>(argv.size()), argv.data());
      CheckRoundTrip(cl.config);
    } catch (const firn::ConfigError&) {
    }
    return 0;
  }
  const auto& names = firn::ConfigNames();
  if (text.empty()) return 0;
  std::string_view name = names[static_cast<uint8_t>(text[0]) % names.size()];
  firn::Config cfg;
  const firn::Config before = cfg;
  const firn::SetResult r = firn::SetConfigValue(cfg, name, text.substr(1), (text[0] & 0x80) != 0);
  if (r.kind != firn::SetResult::kOk) {
    Require(firn::DiffConfig(before, cfg).empty());
    return 0;
  }
  CheckRoundTrip(cfg);
  return 0;
}
