// Rate-limiter engines: pure decision functions over a key's stored bytes and an explicit
// clock. No sockets, no protocol, no keyspace: the command family (modules/ratelimit.cc)
// looks the key up, hands its value bytes here with `now`, and stores or deletes what comes
// back. Four engines, one per command:
//
//   GCRA            CL.THROTTLE   redis-cell's generic cell rate algorithm, number for number
//   token bucket    RL.BUCKET     `limit` tokens refilled evenly over `window_ms`, ms precision
//   sliding log     RL.WINDOW     exact: at most `limit` hits in any `window_ms`
//   sliding counter RL.WINDOW ... APPROX: O(1) weighted two-bucket estimate
//
// Every decision answers the same five fields (LimiterReply), which map onto HTTP's
// X-RateLimit-Limit, X-RateLimit-Remaining, Retry-After and X-RateLimit-Reset. The design,
// the invariants of each state and the costs are in the essay atop ratelimit.cc.
//
// State ownership. CL.THROTTLE keys are plain strings holding the theoretical arrival time
// in nanoseconds, as redis-cell stores them, so a redis-cell dataset and its clients keep
// working. RL.* keys are ValueType::kRateLimit whose bytes start with a LimiterKind tag; the
// state carries the parameters it was last written with, so RL.PEEK needs none.
//
// Thread-safety: every function is pure (no globals), so callers serialise per key, as the
// single event-loop thread does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace firn {

// The five fields of every limiter reply. Times are in milliseconds for RL.* and in
// nanoseconds for GCRA (CL.THROTTLE rounds them to seconds as redis-cell does).
struct LimiterReply {
  bool limited = false;
  int64_t limit = 0;         // X-RateLimit-Limit: the most the limiter ever lets through at once
  int64_t remaining = 0;     // X-RateLimit-Remaining, after this decision
  int64_t retry_after = -1;  // Retry-After: -1 when allowed, else the wait until it would pass
  int64_t reset_after = 0;   // X-RateLimit-Reset: the wait until the limiter is full again
};

// What the caller must do with the key after a decision.
enum class LimiterWrite : uint8_t {
  kNone,    // leave the key as it is (a refusal, a peek)
  kStore,   // store the bytes written to *out with expiry expire_ms
  kDelete,  // the limiter is back to full: the key can go
};

struct LimiterResult {
  LimiterReply reply;
  LimiterWrite write = LimiterWrite::kNone;
  int64_t expire_ms = 0;  // absolute Unix ms; with kStore, the moment the limiter is full again
};

// ---------------------------------------------------------------------------------------
// GCRA (CL.THROTTLE key max_burst count period [quantity]).

struct GcraQuota {
  int64_t limit = 0;         // max_burst + 1
  int64_t emission_ns = 0;   // period / count: the time one token takes to come back
  int64_t tolerance_ns = 0;  // emission_ns * limit: redis-cell's delay variation tolerance
};

enum class GcraStatus : uint8_t {
  kOk,
  kZeroRate,    // emission interval of 0 ns (count 0, period 0, or count > period in ns)
  kOutOfRange,  // a negative argument, or a product that overflows 64 bits
};

// Builds the quota as redis-cell does: emission = (int64)((double)(period s in ns) / count).
GcraStatus MakeGcraQuota(int64_t max_burst, int64_t count, int64_t period_s, GcraQuota* out);

struct GcraResult {
  LimiterReply reply;  // retry_after and reset_after in ns; retry_after -1 s (-1e9) if none
  bool store = false;  // true: store new_tat_ns (decimal) with expiry expire_ms
  int64_t new_tat_ns = 0;
  int64_t expire_ms = 0;  // new_tat rounded up to the next ms, as Dragonfly does
};

// One redis-cell decision. has_tat: the key holds tat_ns. quantity 0 peeks (never stores).
// REQUIRES: q from MakeGcraQuota == kOk; quantity >= 0. Returns kOutOfRange (nothing to
// store) when a time would overflow 64 bits, e.g. a stored TAT near the end of time.
GcraStatus GcraThrottle(const GcraQuota& q, bool has_tat, int64_t tat_ns, int64_t quantity,
                        int64_t now_ns, GcraResult* out);

// redis-cell's rounding of a duration to whole seconds: truncate, then add one if the
// millisecond part is positive (so 2.0004 s is 2, 2.001 s is 3, -1 s stays -1).
int64_t CellSeconds(int64_t ns);

// Rust's i64::from_str, which redis-cell parses its arguments with: optional '+' or '-',
// then decimal digits (leading zeroes allowed), nothing else, within 64 bits.
bool ParseCellInt(std::string_view s, int64_t* out);

// ---------------------------------------------------------------------------------------
// RL.* limiters. Their bytes start with one of these tags.

enum class LimiterKind : uint8_t {
  kUnknown = 0,
  kBucket = 'b',  // token bucket
  kWindow = 'w',  // exact sliding window log
  kApprox = 'a',  // weighted two-bucket sliding window counter
};

LimiterKind KindOf(std::string_view state);
// For OBJECT ENCODING: "token-bucket", "sliding-log", "sliding-counter" (or "unknown").
std::string_view LimiterKindName(LimiterKind kind);

// Parameter checks shared by RL.BUCKET and RL.WINDOW, in the order they are reported.
enum class LimiterParamError : uint8_t {
  kNone,
  kLimit,       // limit < 1
  kWindow,      // window_ms < 1 or > kMaxWindowMs
  kBurst,       // BURST < 1
  kCost,        // COST < 1
  kCostTooBig,  // COST above the capacity (BURST for a bucket, limit for a window)
  kTooLarge,    // capacity * window_ms beyond kMaxUnits, or an exact limit beyond kMaxExactLimit
};

// Largest window: 2^40 ms (about 34.8 years). Keeps every log entry within 7 bytes.
inline constexpr int64_t kMaxWindowMs = int64_t{1} << 40;
// Largest capacity * window_ms (the bucket's and the approximate window's fixed point).
inline constexpr int64_t kMaxUnits = int64_t{1} << 62;
// Largest limit of an exact window: its log holds up to `limit` runs and is copied on each
// allowed request, so above this the O(1) APPROX counter is the right tool.
inline constexpr int64_t kMaxExactLimit = 1'000'000;

struct BucketParams {
  int64_t limit = 0;      // tokens refilled per window
  int64_t window_ms = 0;  // the refill period
  int64_t burst = 0;      // capacity (X-RateLimit-Limit)
  bool operator==(const BucketParams&) const = default;
};

struct WindowParams {
  int64_t limit = 0;  // hits allowed in any window
  int64_t window_ms = 0;
  bool operator==(const WindowParams&) const = default;
};

LimiterParamError CheckBucket(const BucketParams& p, int64_t cost);
LimiterParamError CheckWindow(const WindowParams& p, int64_t cost, bool exact);

// Each Take decides one request of `cost` against the key's state (empty: no key, i.e. a
// full limiter; bytes of another kind or undecodable bytes are treated as no key) with the
// parameters given now, which take effect at once. On kStore the new bytes are in *out.
// A refusal writes only when the parameters changed (so the new ones are remembered).
// REQUIRES: the matching Check* returned kNone.
LimiterResult BucketTake(std::string_view state, const BucketParams& p, int64_t cost,
                         int64_t now_ms, std::string* out);
LimiterResult WindowTake(std::string_view state, const WindowParams& p, int64_t cost,
                         int64_t now_ms, std::string* out);
LimiterResult ApproxTake(std::string_view state, const WindowParams& p, int64_t cost,
                         int64_t now_ms, std::string* out);

// RL.PEEK: the state of any RL.* limiter under the parameters stored with it, consuming
// nothing. `limited` and `retry_after` answer for a request of cost 1; `remaining` and
// `reset_after` describe the state as it is. Returns false when the bytes do not decode.
bool LimiterPeek(std::string_view state, int64_t now_ms, LimiterReply* out);

}  // namespace firn
