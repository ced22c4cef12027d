#include "protocol/resp_parser.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "protocol/errors.h"
#include "protocol/numbers.h"

namespace firn {
namespace {

constexpr size_t kInlineMaxSize = 64 * 1024;
constexpr int64_t kUnauthMaxMultibulk = 10;
constexpr int64_t kUnauthMaxBulk = 16 * 1024;


int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'; }

using Result = RespParser::Result;
using Status = RespParser::Status;

Result Incomplete(size_t needed = 0) { return Result{Status::kIncomplete, 0, {}, needed}; }
Result Done(Status status, size_t consumed) { return Result{status, consumed, {}, 0}; }
Result Fail(std::string_view error) { return Result{Status::kError, 0, error, 0}; }

}  // namespace

bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out) {
  out->clear();
  size_t i = 0;
  const size_t n = line.size();
  while (true) {
    while (i < n && IsSpace(line[i])) ++i;
    if (i >= n) return true;
    std::string current;
    bool in_dq = false, in_sq = false, done = false;
    while (!done) {
      if (in_dq) {
        if (i >= n) return false;
        if (line[i] == '\\' && i + 3 < n && line[i + 1] == 'x' && HexValue(line[i + 2]) >= 0 &&
            HexValue(line[i + 3]) >= 0) {
          current.push_back(static_cast<char>(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
          i += 3;
        } else if (line[i] == '\\' && i + 1 < n) {
          ++i;
          char c;
          switch (line[i]) {
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'b': c = '\b'; break;
            case 'a': c = '\a'; break;
            default: c = line[i]; break;
          }
          current.push_back(c);
        } else if (line[i] == '"') {
          // The closing quote must be followed by a space or the end.
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          current.push_back(line[i]);
        }
      } else if (in_sq) {
        if (i >= n) return false;
        if (line[i] == '\\' && i + 1 < n && line[i + 1] == '\'') {
          ++i;
          current.push_back('\'');
        } else if (line[i] == '\'') {
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          current.push_back(line[i]);
        }
      } else {
        if (i >= n) {
          done = true;
          break;
        }
        switch (line[i]) {
          case ' ': case '\n': case '\r': case '\t': case '\0':
            done = true;
            break;
          case '"': in_dq = true; break;
          case '\'': in_sq = true; break;
          default: current.push_back(line[i]); break;
        }
      }
      if (i < n) ++i;
    }
    out->push_back(std::move(current));
  }
}

void RespParser::Reset() {
  suspended_ = false;
  args_.clear();
  base_ = nullptr;
}

void RespParser::Rebase(const char* base) {
  if (base == base_) return;
  // Integer arithmetic: the old buffer may be gone, only the offsets matter.
  const uintptr_t old_base = reinterpret_cast<uintptr_t>(base_);
  for (std::string_view& a : args_) {
    const uintptr_t offset = reinterpret_cast<uintptr_t>(a.data()) - old_base;
    a = std::string_view(base + offset, a.size());
  }
  base_ = base;
}

RespParser::Result RespParser::SuspendMultibulk(std::string_view buf, size_t from, int64_t count,
                                                size_t next, size_t needed) {
  count_ = count;
  next_ = next;
  return Suspend(buf, from, needed);
}

RespParser::Result RespParser::ParseInline(std::string_view buf, bool resume) {
  // A line without its LF yet is searched from where the last call stopped.
  const size_t from = resume ? seen_ : 0;
  size_t nl = buf.find('\n', from);
  if (nl == std::string_view::npos) {
    if (buf.size() > kInlineMaxSize) return Fail(err::kProtoBigInline);
    return Suspend(buf, from);
  }
  bytes_scanned_ += nl + 1 - from;
  std::string_view line = buf.substr(0, nl);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!SplitInlineArgs(line, &unquoted_)) {
    return Fail(err::kProtoUnbalancedQuotes);
  }
  if (unquoted_.empty()) return Done(Status::kEmpty, nl + 1);
  for (const std::string& a : unquoted_) args_.emplace_back(a);
  return Done(Status::kCommand, nl + 1);
}

template <bool kResume>
RespParser::Result RespParser::ParseMultibulk(std::string_view buf, const ParseLimits& limits) {
  constexpr bool resume = kResume;
  // A resumed request continues at the "$" line of its next argument (a line cut by the end
  // of the last read is read again: a few bytes, 64 KiB at most). On the way the progress is
  // kept in locals (this is the per-command path) and stored only when suspending again.
  const size_t from = resume ? seen_ : 0;
  int64_t count = resume ? count_ : 0;  // 0 while the count line is not read
  size_t pos = resume ? next_ : 0;
  // Reads "<prefix><integer>\r\n" at pos; returns 1 on success, 0 if incomplete, -1 if the line
  // is too long without a CRLF, -2 if it is not an integer.
  auto read_count = [&](int64_t* value) -> int {
    size_t cr = buf.find('\r', pos);
    if (cr == std::string_view::npos || cr + 1 >= buf.size()) {
      return buf.size() - pos > kInlineMaxSize ? -1 : 0;
    }
    if (cr - pos > kInlineMaxSize) return -1;
    bool ok = ParseInt64(buf.substr(pos + 1, cr - pos - 1), value);
    pos = cr + 2;
    return ok ? 1 : -2;
  };

  if (count == 0) {
    int r = read_count(&count);
    if (r == 0) return SuspendMultibulk(buf, from, 0, 0, 0);
    if (r == -1) return Fail(err::kProtoBigMultibulk);
    if (r == -2 || count > INT_MAX) return Fail(err::kProtoInvalidMultibulk);
    if (!limits.authenticated && count > kUnauthMaxMultibulk) {
      return Fail(err::kProtoUnauthMultibulk);
    }
    if (count <= 0) {
      bytes_scanned_ += pos - from;
      return Done(Status::kEmpty, pos);
    }
  }

  const int64_t max_bulk = limits.authenticated ? limits.max_bulk_len : kUnauthMaxBulk;
  // Don't reserve for a declared count until the bytes arrive: args_ grows as they do.
  for (int64_t have = static_cast<int64_t>(args_.size()); have < count; ++have) {
    const size_t start = pos;
    if (pos >= buf.size()) return SuspendMultibulk(buf, from, count, start, 0);
    if (buf[pos] != '$') {
      error_ = err::Format(err::kProtoExpectedDollar, {buf.substr(pos, 1)});
      return Fail(error_);
    }
    int64_t len = 0;
    int r = read_count(&len);
    if (r == 0) return SuspendMultibulk(buf, from, count, start, 0);
    if (r == -1) return Fail(err::kProtoBigBulkCount);
    if (!limits.authenticated && r == 1 && len > max_bulk) return Fail(err::kProtoUnauthBulk);
    if (r == -2 || len < 0 || len > max_bulk) return Fail(err::kProtoInvalidBulk);
    // The payload and two bytes meant to be CRLF, which Redis skips unread.
    size_t need = pos + static_cast<size_t>(len) + 2;
    if (buf.size() < need) return SuspendMultibulk(buf, from, count, start, need);
    args_.push_back(buf.substr(pos, static_cast<size_t>(len)));
    pos = need;
  }
  bytes_scanned_ += pos - from;
  return Done(Status::kCommand, pos);
}

RespParser::Result RespParser::Parse(std::string_view buf, const ParseLimits& limits) {
  const bool resume = suspended_;
  if (resume) {
    suspended_ = false;
    Rebase(buf.data());
  } else {
    args_.clear();
  }
  if (buf.empty()) return Incomplete();
  if (buf[0] == '*') {
    return resume ? ParseMultibulk<true>(buf, limits) : ParseMultibulk<false>(buf, limits);
  }
  return ParseInline(buf, resume);
}

RespParser::Result RespParser::Suspend(std::string_view buf, size_t from, size_t needed) {
  bytes_scanned_ += buf.size() - from;
  seen_ = buf.size();
  suspended_ = true;
  base_ = buf.data();
  return Incomplete(needed);
}

}  // namespace firn
