// Integer parsing shared by the protocol and the commands, exactly as Redis's string2ll:
// an optional '-', digits, no '+', no spaces, no leading zeroes ("-0" included), within int64.
#pragma once

#include <cstdint>
#include <string_view>

namespace firn {

// Inline: the RESP parser calls it for every count and length.
inline bool ParseInt64(std::string_view s, int64_t* out) {
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
  // Up to 18 digits cannot overflow: the common case (lengths, counts) skips the check.
  const bool may_overflow = s.size() - i > 18;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    const uint64_t d = static_cast<uint64_t>(static_cast<unsigned char>(s[i])) - '0';
    if (d > 9) return false;
    if (may_overflow && v > (UINT64_MAX - d) / 10) return false;
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

}  // namespace firn
