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
#include <vector>

#include "storage/value.h"

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
// Largest limit of an exact window: its log holds up to `limit` runs (about a byte a hit),
// so above this the O(1)-state APPROX counter is the right tool.
inline constexpr int64_t kMaxExactLimit = 1'000'000;
// An exact log whose bytes exceed this lives out of line as a WindowLog edited in place;
// up to it, the log stays inline in the entry (copied on each allowed request, which at this
// size costs less than the object's own header).
inline constexpr size_t kMaxInlineLogBytes = 256;

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

// The exact sliding window's log as an object edited in place: a kRateLimit entry whose
// slot holds an object always holds one of these. A decision costs O(1) amortized whatever
// the log's length (see the essay in ratelimit.cc): trimming the hits that left the window
// and appending this one touch only those bytes, and the count and the retry time are read
// through a sparse index of marks, never by walking the log. Copyable (COPY).
class WindowLog {
 public:
  WindowLog() = default;

  // Replaces the contents with the log in the inline 'w' bytes; false (and the log left
  // empty) when they do not decode.
  bool Decode(std::string_view bytes);
  // Appends the inline 'w' bytes of this log to *out (what Decode reads back).
  // REQUIRES: !empty().
  void Encode(std::string* out) const;
  // One RL.WINDOW decision, as WindowTake. had: the log holds the key's state (false: no
  // key, a full limiter; the log is empty). On kStore the log was updated in place and
  // expire_ms is the key's new expiry; on kDelete it is empty. consume false (a peek) never
  // changes it. REQUIRES: CheckWindow(p, cost, true) == kNone.
  LimiterResult Decide(bool had, const WindowParams& p, int64_t cost, int64_t now_ms, bool consume);

  bool empty() const { return total_ == 0; }
  const WindowParams& params() const { return p_; }
  // Bytes Encode would write (header included).
  size_t EncodedBytes() const;
  // Bytes the log's allocations take beyond sizeof(WindowLog).
  size_t AllocatedBytes() const;
  // Log bytes decoded, written or moved so far: the work counter tests bound.
  uint64_t work_bytes() const { return work_bytes_; }

 private:
  // A place in the log from which runs can be read: the run starting at absolute byte offset
  // `offset` happened at t_ms and has `hits_before` hits (counted since the log began) ahead
  // of it.
  struct Mark {
    uint64_t offset = 0;
    int64_t t_ms = 0;
    uint64_t hits_before = 0;
  };
  struct Run {
    int64_t delta = 0;
    int64_t count = 0;
    size_t len = 0;
  };

  void Clear();
  uint64_t head_offset() const { return base_ + head_; }
  uint64_t end_offset() const { return base_ + runs_.size(); }
  Mark HeadMark() const { return {head_offset(), first_ms_, dropped_}; }
  Run ReadRun(uint64_t offset) const;
  // Moves *m past its run; false at the end of the log.
  bool Advance(Mark* m) const;
  // The first run after every run at or before cutoff_ms (or the end).
  Mark FirstAfter(int64_t cutoff_ms) const;
  // The run holding the hit with absolute index hit (0-based since the log began).
  Mark RunOfHit(uint64_t hit) const;
  void TrimTo(const Mark& m);
  void AddHits(int64_t now_ms, int64_t count);

  WindowParams p_;
  int64_t total_ = 0;       // hits in the log
  int64_t first_ms_ = 0;    // time of the oldest run (the one at the head)
  int64_t last_ms_ = 0;     // time of the newest run
  int64_t last_count_ = 0;  // hits in the newest run
  uint64_t tail_ = 0;       // absolute offset of the newest run
  uint64_t dropped_ = 0;    // hits trimmed from the front since the log began
  // The runs, bytes [head_, size) of runs_; runs_[0] is at absolute offset base_.
  std::string runs_;
  size_t head_ = 0;
  uint64_t base_ = 0;
  // Marks at least kMarkEveryBytes apart, in order; marks_[mark_head_] on are live.
  std::vector<Mark> marks_;
  size_t mark_head_ = 0;
  mutable uint64_t work_bytes_ = 0;
};

// The kRateLimit row of the type table: inline limiter bytes, or a WindowLog object.
extern const TypeOps kRateLimitOps;

class Entry;
// Appends the state bytes of a limiter entry (inline, or its out-of-line window log encoded
// to the same bytes): what RL.SETSTATE takes. REQUIRES: e is a kRateLimit entry.
void LimiterState(const Entry& e, std::string* out);

// RL.PEEK: the state of any RL.* limiter under the parameters stored with it, consuming
// nothing. `limited` and `retry_after` answer for a request of cost 1; `remaining` and
// `reset_after` describe the state as it is. Returns false when the bytes do not decode.
bool LimiterPeek(std::string_view state, int64_t now_ms, LimiterReply* out);

}  // namespace firn
