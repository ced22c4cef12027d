// Native rate limiters: CL.THROTTLE (redis-cell's GCRA, reply for reply), RL.BUCKET (token
// bucket), RL.WINDOW (exact sliding log, or APPROX: weighted two-bucket counter) and RL.PEEK.
//
// Each handler parses its arguments, finds the key, runs one engine decision from
// storage/ratelimit.h with the loop's clock and stores, deletes or leaves the key as the
// engine says: one lookup, at most one write, one reply, so every decision is atomic with no
// script or MULTI. Bad arguments are refused before the key is looked at, so they never
// change it. Limiter keys are ordinary keys: CL.THROTTLE's a string holding the theoretical
// arrival time in ns (as redis-cell stores it), RL.*'s a kRateLimit value; both expire by
// themselves the moment the limiter is full again, and DEL, TTL, RENAME, SCAN... apply.
//
// Every decision (not peeks: CL.THROTTLE with quantity 0, RL.PEEK) is counted in
// engine.ratelimit: allowed and limited totals, and per limiter name, the key's prefix up to
// the first ':' ("login:alice" -> "login"), for the first metrics-max-limiters names; later
// names count under "other".
#include "modules/ratelimit.h"

#include <string>

#include "modules/args.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "protocol/errors.h"
#include "storage/db.h"
#include "storage/ratelimit.h"

namespace firn {
namespace {

constexpr int64_t kNsPerMs = 1'000'000;

void CountDecision(CommandContext& ctx, std::string_view key, bool limited) {
  RateLimitStats& stats = ctx.engine.ratelimit;
  ++(limited ? stats.limited : stats.allowed);
  std::string name(key.substr(0, key.find(':')));
  auto it = stats.by_limiter.find(name);
  if (it == stats.by_limiter.end()) {
    const size_t named = stats.by_limiter.size() -
                         stats.by_limiter.count(std::string(RateLimitStats::kOtherLimiter));
    if (named >= static_cast<size_t>(ctx.config().metrics_max_limiters)) {
      name = RateLimitStats::kOtherLimiter;
    }
    it = stats.by_limiter.try_emplace(std::move(name)).first;
  }
  ++(limited ? it->second.limited : it->second.allowed);
}

void ReplyFields(CommandContext& ctx, const LimiterReply& r) {
  ctx.reply.Array(5);
  ctx.reply.Int(r.limited ? 1 : 0);
  ctx.reply.Int(r.limit);
  ctx.reply.Int(r.remaining);
  ctx.reply.Int(r.retry_after);
  ctx.reply.Int(r.reset_after);
}

/* CL.THROTTLE key max_burst count period [quantity]
 * -> [limited, limit, remaining, retry_after, reset_after], redis-cell's reply:
 *  1. limited: 0 the action is allowed, 1 it is limited (refused; nothing is consumed).
 *  2. limit: max_burst + 1, the most that can pass at once: X-RateLimit-Limit.
 *  3. remaining: how many more would pass right now: X-RateLimit-Remaining.
 *  4. retry_after: seconds until this request would pass, -1 when allowed (and when the
 *     quantity exceeds the limit, so it never will): Retry-After.
 *  5. reset_after: seconds until the limit is back to full: X-RateLimit-Reset (relative).
 * count tokens come back per period seconds; quantity (default 1) is the request's cost and 0
 * peeks. Both times are rounded up to whole seconds as redis-cell rounds them.
 */
void ClThrottle(CommandContext& ctx) {
  if (ctx.argc() > 6) {
    ctx.Error(WrongArityError(ctx.command->name));
    return;
  }
  int64_t v[4] = {0, 0, 0, 1};  // max_burst, count, period, quantity
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (!ParseCellInt(ctx.arg(i), &v[i - 2])) {
      ctx.Error(std::string(err::kCellNotInteger) + std::string(ctx.arg(i)));
      return;
    }
  }
  const int64_t quantity = v[3];
  GcraQuota quota;
  GcraStatus status =
      quantity < 0 ? GcraStatus::kOutOfRange : MakeGcraQuota(v[0], v[1], v[2], &quota);
  if (status == GcraStatus::kZeroRate) {
    ctx.Error(err::kCellZeroRate);
    return;
  }
  if (status != GcraStatus::kOk) {
    ctx.Error(err::kNotInteger);
    return;
  }

  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  Entry* e = db.FindForWrite(key, ctx.now_ms);
  if (!CheckString(ctx, e)) return;
  int64_t tat_ns = 0;
  if (e != nullptr && !ParseCellInt(e->value(), &tat_ns)) {
    ctx.Error(err::kNotInteger);
    return;
  }
  GcraResult r;
  if (GcraThrottle(quota, e != nullptr, tat_ns, quantity, ctx.now_ms * kNsPerMs, &r) !=
      GcraStatus::kOk) {
    ctx.Error(err::kNotInteger);
    return;
  }
  if (r.store) {
    char buf[24];
    std::string_view text(buf, FormatInt(r.new_tat_ns, buf));
    if (e == nullptr) {
      db.Put(key, ValueType::kString, text, r.expire_ms, ctx.now_ms);
    } else {
      db.Rewrite(e, text, r.expire_ms);
    }
  }
  if (quantity > 0) CountDecision(ctx, key, r.reply.limited);
  r.reply.retry_after = CellSeconds(r.reply.retry_after);
  r.reply.reset_after = CellSeconds(r.reply.reset_after);
  ReplyFields(ctx, r.reply);
}

// Sends the error for a rejected set of RL.* parameters; true if there was none.
bool CheckParams(CommandContext& ctx, LimiterParamError e, bool bucket, bool exact) {
  switch (e) {
    case LimiterParamError::kNone:
      return true;
    case LimiterParamError::kLimit:
      ctx.Error(err::kRlLimit);
      break;
    case LimiterParamError::kWindow:
      ctx.Error(err::kRlWindow);
      break;
    case LimiterParamError::kBurst:
      ctx.Error(err::kRlBurst);
      break;
    case LimiterParamError::kCost:
      ctx.Error(err::kRlCost);
      break;
    case LimiterParamError::kCostTooBig:
      ctx.Error(bucket ? err::kRlCostAboveBurst : err::kRlCostAboveLimit);
      break;
    case LimiterParamError::kTooLarge:
      ctx.Error(exact ? err::kRlExactTooLarge : err::kRlTooLarge);
      break;
  }
  return false;
}

// The kind of limiter a kRateLimit entry holds: an out-of-line slot is always an exact log.
LimiterKind KindOfEntry(const Entry& e) {
  return e.has_object() ? LimiterKind::kWindow : KindOf(e.value());
}

// The RL.* key for a limiter of `kind`, or nullptr if absent. A key of another type, or a
// limiter of another kind, answers WRONGTYPE and sets *ok to false.
Entry* FindLimiter(CommandContext& ctx, std::string_view key, LimiterKind kind, bool* ok) {
  OpResult<Entry*> found = ctx.db().FindTypedForWrite(key, ValueType::kRateLimit, ctx.now_ms);
  *ok = found.status() == OpStatus::kNotFound || (found.ok() && KindOfEntry(**found) == kind);
  if (!*ok) ctx.Error(err::kWrongType);
  return found.ok() ? *found : nullptr;
}

// Carries out the engine's verdict on the key, counts it and replies.
void Finish(CommandContext& ctx, std::string_view key, Entry* e, const LimiterResult& r,
            const std::string& bytes) {
  Db& db = ctx.db();
  if (r.write == LimiterWrite::kStore) {
    if (e == nullptr) {
      db.Put(key, ValueType::kRateLimit, bytes, r.expire_ms, ctx.now_ms);
    } else {
      db.Rewrite(e, bytes, r.expire_ms);
    }
  } else if (r.write == LimiterWrite::kDelete && e != nullptr) {
    db.Erase(e);
  }
  CountDecision(ctx, key, r.reply.limited);
  ReplyFields(ctx, r.reply);
}

struct RlOptions {
  bool has_burst = false;
  int64_t burst = 0;
  int64_t cost = 1;
  bool approx = false;
};

// Reads the options from argv[4]: BURST n (RL.BUCKET), COST n, APPROX (RL.WINDOW), in any
// order. Sends the error and returns false on an unknown option, a missing value or a
// non-integer.
bool ParseRlOptions(CommandContext& ctx, bool bucket, RlOptions* o) {
  ArgCursor cur(ctx.argv, 4);
  while (!cur.Done()) {
    std::string_view value;
    bool missing = false;
    if (bucket && cur.Option("BURST", &value, &missing)) {
      if (!missing && !ArgInt(ctx, value, &o->burst)) return false;
      o->has_burst = true;
    } else if (cur.Option("COST", &value, &missing)) {
      if (!missing && !ArgInt(ctx, value, &o->cost)) return false;
    } else if (!bucket && cur.Flag("APPROX")) {
      o->approx = true;
    } else {
      missing = true;
    }
    if (missing) {
      ctx.Error(err::kSyntax);
      return false;
    }
  }
  return true;
}

/* RL.BUCKET key limit window_ms [BURST n] [COST n]
 * -> [limited, limit, remaining, retry_after_ms, reset_after_ms]
 * A token bucket holding BURST tokens (default: limit), refilled by `limit` tokens evenly
 * over window_ms, at millisecond precision; the request takes COST tokens (default 1) if
 * there are that many. The reply's limit is the capacity (BURST); retry_after is -1 when
 * allowed, else the ms until COST tokens are back; reset_after the ms until the bucket is
 * full (and the key gone).
 */
void RlBucket(CommandContext& ctx) {
  BucketParams p;
  RlOptions o;
  if (!ArgInt(ctx, 2, &p.limit) || !ArgInt(ctx, 3, &p.window_ms) ||
      !ParseRlOptions(ctx, true, &o)) {
    return;
  }
  p.burst = o.has_burst ? o.burst : p.limit;
  if (!CheckParams(ctx, CheckBucket(p, o.cost), true, false)) return;
  std::string_view key = ctx.arg(1);
  bool ok;
  Entry* e = FindLimiter(ctx, key, LimiterKind::kBucket, &ok);
  if (!ok) return;
  thread_local std::string bytes;
  LimiterResult r =
      BucketTake(e == nullptr ? std::string_view() : e->value(), p, o.cost, ctx.now_ms, &bytes);
  Finish(ctx, key, e, r, bytes);
}

// The exact window's decision on key (e: its entry, or nullptr). A short log stays inline in
// the entry and is rewritten whole (a few hundred bytes at most); a longer one moves out of
// line into a WindowLog that later decisions edit in place, so a decision costs O(1)
// amortized however long the log is.
void ExactWindow(CommandContext& ctx, std::string_view key, Entry* e, const WindowParams& p,
                 int64_t cost) {
  Db& db = ctx.db();
  if (e != nullptr && e->has_object()) {
    LimiterResult r = e->object_as<WindowLog>()->Decide(true, p, cost, ctx.now_ms, true);
    if (r.write == LimiterWrite::kStore) {
      db.SetExpire(e, r.expire_ms);  // the log changed in place; this signals the write
    } else if (r.write == LimiterWrite::kDelete) {
      db.Erase(e);
    }
    CountDecision(ctx, key, r.reply.limited);
    ReplyFields(ctx, r.reply);
    return;
  }
  thread_local WindowLog log;
  const bool had = e != nullptr && log.Decode(e->value());
  LimiterResult r = log.Decide(had, p, cost, ctx.now_ms, true);
  thread_local std::string bytes;
  bytes.clear();
  if (r.write == LimiterWrite::kStore && log.EncodedBytes() > kMaxInlineLogBytes) {
    db.PutObject(key, ValueType::kRateLimit, new WindowLog(std::move(log)), r.expire_ms,
                 ctx.now_ms);
    log = WindowLog();
    CountDecision(ctx, key, r.reply.limited);
    ReplyFields(ctx, r.reply);
    return;
  }
  if (r.write == LimiterWrite::kStore) log.Encode(&bytes);
  Finish(ctx, key, e, r, bytes);
}

/* RL.WINDOW key limit window_ms [COST n] [APPROX]
 * -> [limited, limit, remaining, retry_after_ms, reset_after_ms]
 * A sliding window: the request (of COST hits, default 1) is allowed when the hits of the
 * last window_ms plus COST stay within limit. Exact by default (a compact log of the
 * window's hits); APPROX weighs the previous fixed window's count by its overlap with the
 * sliding one (O(1) state). retry_after is -1 when allowed, else the ms until enough hits
 * leave the window; reset_after the ms until the window is empty (and the key gone).
 */
void RlWindow(CommandContext& ctx) {
  WindowParams p;
  RlOptions o;
  if (!ArgInt(ctx, 2, &p.limit) || !ArgInt(ctx, 3, &p.window_ms) ||
      !ParseRlOptions(ctx, false, &o)) {
    return;
  }
  const bool exact = !o.approx;
  if (!CheckParams(ctx, CheckWindow(p, o.cost, exact), false, exact && p.limit > kMaxExactLimit)) {
    return;
  }
  std::string_view key = ctx.arg(1);
  bool ok;
  Entry* e = FindLimiter(ctx, key, exact ? LimiterKind::kWindow : LimiterKind::kApprox, &ok);
  if (!ok) return;
  if (exact) {
    ExactWindow(ctx, key, e, p, o.cost);
    return;
  }
  thread_local std::string bytes;
  std::string_view state = e == nullptr ? std::string_view() : e->value();
  Finish(ctx, key, e, ApproxTake(state, p, o.cost, ctx.now_ms, &bytes), bytes);
}

/* RL.PEEK key -> [limited, limit, remaining, retry_after_ms, reset_after_ms], or nil when
 * the key does not exist (a full limiter). Reads an RL.BUCKET or RL.WINDOW key under the
 * parameters it was last used with and consumes nothing: limited and retry_after answer for
 * a request of cost 1, remaining and reset_after describe the state as it is. Other types
 * (CL.THROTTLE's string keys included: peek those with quantity 0) answer WRONGTYPE.
 */
void RlPeek(CommandContext& ctx) {
  OpResult<Entry*> found = ctx.db().FindTyped(ctx.arg(1), ValueType::kRateLimit, ctx.now_ms);
  if (found.status() == OpStatus::kWrongType) {
    ctx.Error(err::kWrongType);
    return;
  }
  Entry* e = found.ok() ? *found : nullptr;
  LimiterReply r;
  if (e != nullptr && e->has_object()) {
    WindowLog* log = e->object_as<WindowLog>();
    ReplyFields(ctx, log->Decide(true, log->params(), 1, ctx.now_ms, false).reply);
    return;
  }
  if (e == nullptr || !LimiterPeek(e->value(), ctx.now_ms, &r)) {
    ctx.reply.NullArray();
    return;
  }
  ReplyFields(ctx, r);
}

constexpr KeySpec kFirstKey{1, 1, 1};

}  // namespace

// clang-format off
std::vector<Command> RateLimitCommands() {
  return {
      {.name = "cl.throttle", .arity = -5, .flags = kWrite | kDenyOom | kFast,
       .keys = kFirstKey, .run = ClThrottle, .group = "ratelimit", .since = "0.1.0",
       .summary = "Applies a GCRA rate limit to a key, as redis-cell's CL.THROTTLE.",
       .syntax = "key max_burst count period [quantity]"},
      {.name = "rl.bucket", .arity = -4, .flags = kWrite | kDenyOom | kFast, .keys = kFirstKey,
       .run = RlBucket, .group = "ratelimit", .since = "0.1.0",
       .summary = "Takes tokens from a token bucket with millisecond precision.",
       .syntax = "key limit window_ms [BURST burst] [COST cost]"},
      {.name = "rl.window", .arity = -4, .flags = kWrite | kDenyOom | kFast, .keys = kFirstKey,
       .run = RlWindow, .group = "ratelimit", .since = "0.1.0",
       .summary = "Counts a request against a sliding window limit, exact or approximate.",
       .syntax = "key limit window_ms [COST cost] [APPROX]"},
      {.name = "rl.peek", .arity = 2, .flags = kReadOnly | kFast, .keys = kFirstKey,
       .run = RlPeek, .group = "ratelimit", .since = "0.1.0",
       .summary = "Returns the state of a rate limiter key without consuming from it.",
       .syntax = "key"},
  };
}
// clang-format on

}  // namespace firn
