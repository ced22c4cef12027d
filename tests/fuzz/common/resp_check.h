// Helpers shared by the fuzz targets: a strict reader of RESP2/RESP3 replies (to check that
// whatever a handler wrote is well formed) and an abort that libFuzzer reports as a crash.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace firn::fuzz {

inline void Require(bool ok) {
  if (!ok) std::abort();
}

// Reads one reply at s[*pos], advancing *pos. Bulk strings met at depth 0 or inside a
// top-level array are appended to *bulks when given. False when malformed or truncated.
inline bool ReadReply(std::string_view s, size_t* pos, int depth = 0,
                      std::vector<std::string>* bulks = nullptr) {
  if (depth > 64 || *pos >= s.size()) return false;
  const char type = s[*pos];
  const size_t eol = s.find("\r\n", *pos);
  if (eol == std::string_view::npos) return false;
  std::string_view line = s.substr(*pos + 1, eol - *pos - 1);
  *pos = eol + 2;
  auto number = [&](int64_t* n) {
    if (line.empty() || line.size() > 20) return false;
    size_t i = line[0] == '-' ? 1 : 0;
    if (i == line.size()) return false;
    int64_t v = 0;
    for (; i < line.size(); ++i) {
      if (line[i] < '0' || line[i] > '9') return false;
      v = v * 10 + (line[i] - '0');
      if (v > (int64_t{1} << 40)) return false;
    }
    *n = line[0] == '-' ? -v : v;
    return true;
  };
  switch (type) {
    case '+':
    case '-':
      return line.find('\r') == std::string_view::npos && line.find('\n') == std::string_view::npos;
    case ':':
    case '(': {
      // Any 64-bit integer (a big number for '('): digits with an optional sign.
      const size_t start = !line.empty() && line[0] == '-' ? 1 : 0;
      if (start == line.size() || line.size() > (type == ':' ? 20 : 4096)) return false;
      for (size_t i = start; i < line.size(); ++i) {
        if (line[i] < '0' || line[i] > '9') return false;
      }
      return true;
    }
    case ',':
    case '#':
    case '_':
      return true;
    case '$':
    case '=':
    case '!': {
      int64_t n;
      if (!number(&n)) return false;
      if (n == -1 && type == '$') return true;
      if (n < 0 || static_cast<size_t>(n) + 2 > s.size() - *pos) return false;
      if (s.compare(*pos + static_cast<size_t>(n), 2, "\r\n") != 0) return false;
      if (bulks != nullptr && depth <= 1) bulks->emplace_back(s.substr(*pos, static_cast<size_t>(n)));
      *pos += static_cast<size_t>(n) + 2;
      return true;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      int64_t n;
      if (!number(&n)) return false;
      if (n == -1 && type == '*') return true;
      if (n < 0) return false;
      const int64_t items = (type == '%' || type == '|') ? 2 * n : n;
      for (int64_t i = 0; i < items; ++i) {
        if (!ReadReply(s, pos, depth + 1, bulks)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

// Whether s is a sequence of zero or more complete, well-formed replies.
inline bool WellFormedReplies(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    if (!ReadReply(s, &pos)) return false;
  }
  return true;
}

}  // namespace firn::fuzz
