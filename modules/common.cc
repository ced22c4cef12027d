#include "modules/common.h"

#include <cctype>
#include <climits>

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

std::string WrongArityError(std::string_view command) {
  return "ERR wrong number of arguments for '" + std::string(command) + "' command";
}

std::string InvalidExpireError(std::string_view command) {
  return "ERR invalid expire time in '" + std::string(command) + "' command";
}

std::string UnknownSubcommandError(std::string_view subcommand, std::string_view command) {
  std::string upper(command);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "ERR unknown subcommand '" + std::string(subcommand) + "'. Try " + upper + " HELP.";
}

bool GlobMatch(std::string_view p, std::string_view s, bool nocase) {
  // As stringmatchlen: an empty string matches only an empty pattern ("*" included: KEYS *
  // lists it through its match-all shortcut, not through this function).
  if (s.empty()) return p.empty();
  size_t pi = 0, si = 0;
  auto lower = [nocase](char c) {
    return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
  };
  while (pi < p.size() && si < s.size()) {
    switch (p[pi]) {
      case '*': {
        while (pi + 1 < p.size() && p[pi + 1] == '*') ++pi;
        if (pi + 1 == p.size()) return true;
        for (size_t k = si; k <= s.size(); ++k) {
          if (GlobMatch(p.substr(pi + 1), s.substr(k), nocase)) return true;
        }
        return false;
      }
      case '?':
        ++si;
        break;
      case '[': {
        ++pi;
        bool negate = pi < p.size() && p[pi] == '^';
        if (negate) ++pi;
        bool match = false;
        while (pi < p.size() && p[pi] != ']') {
          if (p[pi] == '\\' && pi + 1 < p.size()) {
            ++pi;
            if (p[pi] == s[si]) match = true;
          } else if (pi + 2 < p.size() && p[pi + 1] == '-') {
            char start = lower(p[pi]), end = lower(p[pi + 2]), c = lower(s[si]);
            if (start > end) std::swap(start, end);
            if (c >= start && c <= end) match = true;
            pi += 2;
          } else if (lower(p[pi]) == lower(s[si])) {
            match = true;
          }
          ++pi;
        }
        if (pi >= p.size()) --pi;  // unterminated class: Redis treats the end as ']'
        if (negate) match = !match;
        if (!match) return false;
        ++si;
        break;
      }
      case '\\':
        if (pi + 1 < p.size()) ++pi;
        [[fallthrough]];
      default:
        if (lower(p[pi]) != lower(s[si])) return false;
        ++si;
        break;
    }
    ++pi;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size() && si == s.size();
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

}  // namespace firn
