#include "modules/args.h"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <strings.h>

namespace firn {


namespace {

// Parses the whole of s with strtold/strtod, rejecting leading spaces, NaN and overflow, as
// Redis's string2ld/string2d do.
template <typename T, typename Strto>
bool ParseFloating(std::string_view s, T* out, Strto strto) {
  constexpr size_t kMaxLen = 5000;
  if (s.empty() || s.size() > kMaxLen || std::isspace(static_cast<unsigned char>(s[0]))) {
    return false;
  }
  char buf[kMaxLen + 1];
  if (!s.empty()) std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end = nullptr;
  errno = 0;
  T v = strto(buf, &end);
  if (end != buf + s.size() || std::isnan(v)) return false;
  if (errno == ERANGE && (std::isinf(v) || v == 0)) return false;
  *out = v;
  return true;
}

}  // namespace

bool ParseLongDouble(std::string_view s, long double* out) {
  return ParseFloating(s, out, [](const char* p, char** e) { return std::strtold(p, e); });
}

bool ParseDouble(std::string_view s, double* out) {
  return ParseFloating(s, out, [](const char* p, char** e) { return std::strtod(p, e); });
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace firn
