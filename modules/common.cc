#include "modules/common.h"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>
#include <utility>

#include "modules/args.h"
#include "modules/engine.h"
#include "protocol/errors.h"

namespace firn {

bool ArgInt(CommandContext& ctx, std::string_view s, int64_t* out) {
  if (ParseInt64(s, out)) return true;
  ctx.Error(err::kNotInteger);
  return false;
}

bool ArgInt(CommandContext& ctx, size_t i, int64_t* out) { return ArgInt(ctx, ctx.arg(i), out); }

bool ArgExpireMs(CommandContext& ctx, std::string_view s, TimeUnit unit, bool relative,
                 int64_t* out_ms) {
  int64_t v;
  if (!ArgInt(ctx, s, &v)) return false;
  if (v <= 0 || (unit == TimeUnit::kSeconds && v > LLONG_MAX / 1000)) {
    ctx.Error(InvalidExpireError(ctx.command->name));
    return false;
  }
  if (unit == TimeUnit::kSeconds) v *= 1000;
  if (relative) {
    if (v > LLONG_MAX - ctx.now_ms) {
      ctx.Error(InvalidExpireError(ctx.command->name));
      return false;
    }
    v += ctx.now_ms;
  }
  *out_ms = v;
  return true;
}

bool CheckString(CommandContext& ctx, const Entry* e) {
  if (e == nullptr || e->type() == ValueType::kString) return true;
  ctx.Error(err::kWrongType);
  return false;
}

std::string_view ErrorText(OpStatus status) {
  switch (status) {
    case OpStatus::kOk:
    case OpStatus::kSkipped:
      return {};
    case OpStatus::kNotFound:
      return err::kNoSuchKey;
    case OpStatus::kWrongType:
      return err::kWrongType;
    case OpStatus::kSyntax:
      return err::kSyntax;
    case OpStatus::kNotInteger:
      return err::kNotInteger;
    case OpStatus::kNotFloat:
      return err::kNotFloat;
    case OpStatus::kOverflow:
      return err::kOverflow;
    case OpStatus::kOutOfRange:
      return err::kIndexOutOfRange;
    case OpStatus::kTooLarge:
      return err::kStringTooLong;
  }
  return err::kSyntax;  // not reached: every status is named above
}

std::string WrongArityError(std::string_view command) {
  return err::Format(err::kWrongArity, {command});
}

std::string InvalidExpireError(std::string_view command) {
  return err::Format(err::kInvalidExpire, {command});
}

std::string UnknownSubcommandError(std::string_view subcommand, std::string_view command) {
  std::string upper(command);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return err::Format(err::kUnknownSubcommand, {subcommand, upper});
}

// Glob matching, with the semantics of Redis's stringmatchlen (util.c) and a cost that no
// pattern can blow up.
//
// Redis matches recursively: each '*' tries the rest of the pattern at every later position of
// the text, which is exponential in the number of stars without its "skip longer matches"
// cut-off and one stack frame per star with it. Every other token of a glob ('?', a class
// "[...]", an escape "\x", a literal byte) consumes exactly one byte of text, and for such
// patterns a leftmost match never needs more than the most recent star: if the tokens after
// star k cannot be matched at any position, no longer stretch for an earlier star can help,
// since that only moves the same tokens further right. So this walks the pattern once,
// remembering only the last star and the text position it was tried at; a mismatch goes back to
// that star and lets it swallow one more byte. The resume position of the last star only moves
// forward, so at most |text| + 1 passes over at most |pattern| bytes each: the cost is bounded by
// (|text| + 1) * |pattern| byte examinations whatever the pattern, with O(1) memory.
//
// Semantics kept byte for byte (checked against redis-server 7.0.15):
// - An empty text matches only an empty pattern (so "*" does not match ""; KEYS and SCAN list an
//   empty key through their match-all shortcut).
// - "[...]": "^" first negates; "a-z" is a range, read reversed when its ends are ("[z-a]" is
//   "[a-z]"), compared as signed chars; "\x" inside a class is x, compared case-sensitively even
//   with nocase; "]" right after "[" closes an empty class; an unterminated class runs to the end
//   of the pattern (so "[a-]" is the range ']'..'a').
// - "\x" outside a class is the literal x; a trailing "\" is a literal backslash.
// - nocase folds only ASCII A-Z (C locale), and folds a range's ends after ordering them.
// - A pattern that needs more than kGlobMaxStarNesting runs of stars before its end (runs of
//   consecutive '*' count once; a run ending the pattern does not count) matches nothing: Redis's
//   recursion gives up at that depth (its fix for CVE-2024-31228), and so does its answer.
namespace {

constexpr uint64_t kGlobMaxStarNesting = 1000;

int FoldAscii(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

bool SameByte(char a, char b, bool nocase) {
  return nocase ? FoldAscii(a) == FoldAscii(b) : a == b;
}

// Whether the one-byte token at p[pi] (not '*') accepts c. *end is set past the token; where
// the token ends depends on the pattern only, never on c.
bool TokenAccepts(std::string_view p, size_t pi, char c, bool nocase, size_t* end) {
  const size_t m = p.size();
  switch (p[pi]) {
    case '?':
      *end = pi + 1;
      return true;
    case '\\':
      if (pi + 1 < m) {
        *end = pi + 2;
        return SameByte(p[pi + 1], c, nocase);
      }
      *end = pi + 1;
      return SameByte('\\', c, nocase);
    case '[': {
      size_t i = pi + 1;
      const bool negate = i < m && p[i] == '^';
      if (negate) ++i;
      bool match = false;
      while (i < m) {
        if (p[i] == '\\' && m - i >= 2) {
          if (p[i + 1] == c) match = true;
          i += 2;
        } else if (p[i] == ']') {
          ++i;
          break;
        } else if (m - i >= 3 && p[i + 1] == '-') {
          int lo = static_cast<signed char>(p[i]);
          int hi = static_cast<signed char>(p[i + 2]);
          int x = static_cast<signed char>(c);
          if (lo > hi) std::swap(lo, hi);
          if (nocase) {
            lo = FoldAscii(lo);
            hi = FoldAscii(hi);
            x = FoldAscii(x);
          }
          if (x >= lo && x <= hi) match = true;
          i += 3;
        } else {
          if (SameByte(p[i], c, nocase)) match = true;
          ++i;
        }
      }
      *end = i;
      return match != negate;
    }
    default:
      *end = pi + 1;
      return SameByte(p[pi], c, nocase);
  }
}

}  // namespace

bool GlobMatch(std::string_view p, std::string_view s, bool nocase, uint64_t* steps) {
  if (s.empty()) return p.empty();
  constexpr size_t kNone = std::string_view::npos;
  const size_t m = p.size(), n = s.size();
  size_t pi = 0, si = 0;
  size_t star_pi = kNone, star_si = 0;  // the token after the last star run, and where it was tried
  uint64_t star_runs = 0, work = 0;
  bool matched = false;
  while (true) {
    if (si == n) {
      while (pi < m && p[pi] == '*') ++pi, ++work;
      matched = pi == m;
      break;
    }
    if (pi < m && p[pi] == '*') {
      while (pi < m && p[pi] == '*') ++pi, ++work;
      if (pi == m) {
        matched = true;  // a final star swallows the rest of the text
        break;
      }
      if (++star_runs > kGlobMaxStarNesting) break;
      star_pi = pi;
      star_si = si;
      continue;
    }
    size_t end;
    if (pi < m && TokenAccepts(p, pi, s[si], nocase, &end)) {
      work += end - pi;
      pi = end;
      ++si;
      continue;
    }
    ++work;
    if (star_pi == kNone) break;
    // Back to the last star, which now swallows one more byte.
    pi = star_pi;
    si = ++star_si;
  }
  if (steps != nullptr) *steps += work;
  return matched;
}

bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase) {
  return GlobMatch(pattern, text, nocase, nullptr);
}

std::string_view ToLower(std::string_view s, std::string* out) {
  out->assign(s);
  for (char& c : *out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return *out;
}

}  // namespace firn

namespace firn {

const Command* FindSubcommand(const Command& container, std::string_view name) {
  for (const Command& sub : container.subcommands) {
    std::string_view sub_name = sub.name.substr(sub.name.find('|') + 1);
    if (EqualsNoCase(sub_name, name)) return &sub;
  }
  return nullptr;
}

void RunSubcommand(CommandContext& ctx) {
  const Command* sub = FindSubcommand(*ctx.command, ctx.arg(1));
  if (sub == nullptr) {
    ctx.Error(UnknownSubcommandError(ctx.arg(1).substr(0, 128), ctx.command->name));
    return;
  }
  if (!sub->ArityFits(ctx.argc())) {
    ++sub->stats.rejected_calls;
    ctx.Error(WrongArityError(sub->name));
    return;
  }
  const Command* container = ctx.command;
  const bool failed_before = ctx.failed;
  ctx.failed = false;
  const int64_t start_us = ctx.engine.clock_us != nullptr ? ctx.engine.clock_us() : 0;
  ctx.command = sub;
  sub->run(ctx);
  ctx.command = container;
  const int64_t end_us = ctx.engine.clock_us != nullptr ? ctx.engine.clock_us() : 0;
  ++sub->stats.calls;
  sub->stats.usec += static_cast<uint64_t>(end_us - start_us);
  if (ctx.failed) ++sub->stats.failed_calls;
  ctx.failed = ctx.failed || failed_before;
}

bool ParseScanCursor(std::string_view s, uint64_t* out) {
  if (!s.empty() && std::isspace(static_cast<unsigned char>(s[0]))) return false;
  const std::string text(s);  // strtoull needs a terminator; an embedded NUL ends it, as Redis
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return false;
  *out = v;
  return true;
}

void ReplyLines(CommandContext& ctx, std::initializer_list<std::string_view> lines) {
  ctx.reply.Array(lines.size());
  for (std::string_view line : lines) ctx.reply.Simple(line);
}

}  // namespace firn
