#include "modules/args.h"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <strings.h>

namespace firn {

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    if (s.size() == 1) return false;
    i = 1;
  }
  if (s[i] == '0') {
    if (s.size() == 1) {
      *out = 0;
      return true;
    }
    return false;  // leading zero or "-0"
  }
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

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
  std::memcpy(buf, s.data(), s.size());
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
