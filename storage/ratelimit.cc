// Rate-limiter engines.
//
// What. Four limiters, each a pure function from (stored bytes, parameters, cost, now) to a
// decision and the bytes to store. The command family does one lookup and at most one write
// per request, so every decision is atomic on the single event-loop thread: no script, no
// MULTI, no compare-and-swap loop.
//
// Why these designs over the obvious ones.
//
//   GCRA (CL.THROTTLE) is redis-cell's algorithm transcribed line by line, because existing
//   clients compare its numbers: one timestamp of state, the theoretical arrival time (TAT)
//   in ns, stored as a decimal string. emission = (int64)((double)period_ns / count) (the
//   float division is redis-cell's), tolerance = emission * (max_burst + 1), a request of
//   quantity q is allowed when now >= max(TAT, now) + q * emission - tolerance, remaining is
//   computed in whole microseconds with a float division and truncated, and the two times
//   round to seconds by "truncate, plus one if the millisecond part is positive". The key's
//   expiry is the new TAT rounded up to the ms (Dragonfly's choice; redis-cell truncates and
//   relies on Redis keeping a key 1 ms past its deadline): a live key always has TAT > now,
//   and a key that vanished is exactly a full bucket.
//
//   The token bucket keeps its level as an integer deficit in units of 1/window_ms of a
//   token: a new token's worth of units is window_ms and each millisecond refills `limit`
//   units, so refill, cost and capacity are exact integers and there is no drift or float
//   rounding at any boundary. The obvious (tokens as a double, last refill time) loses
//   exactness at the moment a token comes back; GCRA in ns rounds period/limit. State:
//   parameters, last update (ms) and deficit; the key expires when the deficit reaches 0.
//
//   The exact sliding window is a log of runs: (delta ms from the previous run, hits). A
//   run is one varint delta*2+multi (1 byte while hits are less than 64 ms apart) plus a
//   varint count only when the run holds more than one hit, so a burst inside one ms is a
//   single run. The obvious structure, Redis's sorted set of timestamps per request, costs
//   about 100 bytes a hit and four commands; `limits`' list of timestamps, 8 bytes a hit
//   plus list overhead.
//
//   A short log (up to kMaxInlineLogBytes) is stored inline in the key's entry and rewritten
//   whole on each allowed request, which at that size is cheaper than any bookkeeping. A
//   longer one moves out of line into a WindowLog that decisions edit in place: the runs sit
//   in a buffer with amortized growth, new hits are appended at the end (or folded into the
//   newest run in the same ms), and hits that left the window are trimmed from the front by
//   moving a head offset; the live bytes are moved down only once the dead prefix is at
//   least as long as they are, so each byte is moved O(1) times. A running count (total)
//   and a sparse index of marks (every kMarkEveryBytes of log: offset, run time, hits
//   before it) answer "how many hits are at or before t" and "when does the k-th hit
//   leave" with a binary search and a walk of at most ~kMarkEveryBytes: a refusal of COST
//   999999 no longer walks the log, and an allowed request no longer copies it. Offsets and
//   hit counts in the marks are absolute (since the log began), so trimming never rewrites
//   them.
//
//   The approximate window is Cloudflare's weighted two-bucket counter: hits in the current
//   fixed window and the previous one, the previous weighted by the part of it still inside
//   the sliding window: estimate = prev * (W - e) / W + cur, e = now - start of the current
//   window. Compared as integers (prev * (W - e) + cur * W <= limit * W), so exact in its
//   own terms. The windows are anchored at the limiter's first request, not at the epoch,
//   which spreads resets over time.
//
// Invariants.
//   GCRA: a stored key's TAT > now (its expiry is ceil(TAT) ms); TAT - now <= tolerance
//     unless the parameters shrank since.
//   Bucket: 0 < deficit <= burst * window_ms for a stored key; expiry = last + ceil(deficit
//     / limit), the moment it is full; the stored parameters are the last ones written.
//   Log: total = sum of run counts >= 1; runs in non-decreasing time; first run delta 0;
//     expiry = last run + window_ms, the moment the window is empty. Runs older than the
//     window are dropped on each write (a refusal leaves the bytes alone).
//   Counter: start <= now; expiry = when the estimate reaches 0.
//   Time never runs backwards inside a limiter: a `now` older than the state is read as
//   the state's time.
//
// Cost. GCRA, bucket and counter: O(1), 10-20 value bytes, one in-place rewrite when the
// value keeps its size. Log: O(log(marks) + kMarkEveryBytes) per decision, plus O(1)
// amortized for the bytes trimmed, appended and moved down, whatever the log's length; about
// a byte a hit while hits are less than 64 ms apart (7 in the worst case), plus ~0.2 a hit
// for the marks and up to 2x buffer slack out of line.
//
// Tunables (units in the names): kMaxWindowMs (2^40 ms, keeps a run within 7 bytes),
// kMaxUnits (2^62, bounds the fixed point so sums stay in 64 bits), kMaxExactLimit (10^6
// hits, above which the log's memory, ~1 MB a key, says use APPROX), kMaxInlineLogBytes
// (256: longer logs go out of line), kMarkEveryBytes (128 bytes of log between marks).
//
// Sources. redis-cell, src/cell/mod.rs (brandur, GCRA after the ATM Forum's I.371 cell
// rate algorithm); Dragonfly's CL.THROTTLE (src/server/string_family.cc) for the ms
// expiry; Cloudflare, "How we built rate limiting capable of scaling to millions of
// domains" (2017) for the weighted two-bucket counter.
#include "storage/ratelimit.h"

#include <cmath>
#include <limits>
#include <optional>

#include "storage/entry.h"
#include "storage/rdb.h"

namespace firn {
namespace {

using i128 = __int128;

constexpr int64_t kNsPerMs = 1'000'000;
constexpr int64_t kNsPerS = 1'000'000'000;
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();

bool FitsI64(i128 v) { return v >= kI64Min && v <= kI64Max; }

// a / b rounded up. REQUIRES: a >= 0, b > 0.
i128 CeilDiv(i128 a, i128 b) { return (a + b - 1) / b; }

// Rust's `x as i64` for a double: truncates toward zero, saturates, NaN is 0.
int64_t RustAsI64(double x) {
  if (std::isnan(x)) return 0;
  if (x >= 9223372036854775807.0) return kI64Max;
  if (x <= -9223372036854775808.0) return kI64Min;
  return static_cast<int64_t>(x);
}

// --- varints (LEB128, as the entry header uses) ---

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Consumes one varint from *in; false if truncated or beyond int64.
bool GetVarint(std::string_view* in, int64_t* out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in->empty()) return false;
    uint8_t byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      if (v > static_cast<uint64_t>(kI64Max)) return false;
      *out = static_cast<int64_t>(v);
      return true;
    }
  }
  return false;
}

// --- token bucket state ---

struct BucketState {
  BucketParams p;
  int64_t last_ms = 0;
  int64_t deficit = 0;  // units of 1/window_ms token below full
};

bool DecodeBucket(std::string_view v, BucketState* s) {
  if (KindOf(v) != LimiterKind::kBucket) return false;
  v.remove_prefix(1);
  if (!GetVarint(&v, &s->p.limit) || !GetVarint(&v, &s->p.window_ms) ||
      !GetVarint(&v, &s->p.burst) || !GetVarint(&v, &s->last_ms) || !GetVarint(&v, &s->deficit) ||
      !v.empty()) {
    return false;
  }
  return CheckBucket(s->p, 1) == LimiterParamError::kNone &&
         s->deficit <= s->p.burst * s->p.window_ms;
}

void EncodeBucket(const BucketState& s, std::string* out) {
  out->clear();
  out->push_back(static_cast<char>(LimiterKind::kBucket));
  PutVarint(out, static_cast<uint64_t>(s.p.limit));
  PutVarint(out, static_cast<uint64_t>(s.p.window_ms));
  PutVarint(out, static_cast<uint64_t>(s.p.burst));
  PutVarint(out, static_cast<uint64_t>(s.last_ms));
  PutVarint(out, static_cast<uint64_t>(s.deficit));
}

// One bucket decision. consume: take `cost` when it fits (RL.BUCKET); otherwise only report
// whether it would (RL.PEEK). had: `state` decoded.
LimiterResult BucketDecide(bool had, const BucketState& state, const BucketParams& p, int64_t cost,
                           int64_t now_ms, bool consume, std::string* out) {
  int64_t now = now_ms;
  i128 deficit = 0;
  if (had) {
    if (now < state.last_ms) now = state.last_ms;
    // Refill since the last update at the rate then in force, then restate in the new
    // units; rounding up keeps the conversion on the limiter's side.
    deficit = state.deficit - static_cast<i128>(now - state.last_ms) * state.p.limit;
    if (deficit < 0) deficit = 0;
    if (state.p.window_ms != p.window_ms) {
      deficit = CeilDiv(deficit * p.window_ms, state.p.window_ms);
    }
  }
  const i128 capacity = static_cast<i128>(p.burst) * p.window_ms;
  if (deficit > capacity) deficit = capacity;
  const i128 need = static_cast<i128>(cost) * p.window_ms;
  const bool fits = deficit + need <= capacity;

  LimiterResult r;
  r.reply.limit = p.burst;
  r.reply.limited = !fits;
  if (fits && consume) deficit += need;
  if (!fits)
    r.reply.retry_after = static_cast<int64_t>(CeilDiv(deficit + need - capacity, p.limit));
  r.reply.remaining = static_cast<int64_t>((capacity - deficit) / p.window_ms);
  r.reply.reset_after = static_cast<int64_t>(CeilDiv(deficit, p.limit));
  if (!consume || !(fits || (had && !(state.p == p)))) return r;
  if (deficit == 0) {
    r.write = had ? LimiterWrite::kDelete : LimiterWrite::kNone;
    return r;
  }
  EncodeBucket({p, now, static_cast<int64_t>(deficit)}, out);
  r.write = LimiterWrite::kStore;
  r.expire_ms = now + r.reply.reset_after;
  return r;
}

// --- sliding log state ---
//
// Bytes: 'w' limit window_ms total first_ms last_off tail_len | runs
// A run: varint(delta * 2 + multi) [varint(count) when multi]; delta from the previous run
// (the first run's is 0, relative to first_ms). tail_len: bytes of the last run.

void PutRun(std::string* out, int64_t delta, int64_t count) {
  PutVarint(out, static_cast<uint64_t>(delta) * 2 + (count != 1 ? 1 : 0));
  if (count != 1) PutVarint(out, static_cast<uint64_t>(count));
}

size_t VarintBytes(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

size_t RunBytes(int64_t delta, int64_t count) {
  return VarintBytes(static_cast<uint64_t>(delta) * 2 + (count != 1 ? 1 : 0)) +
         (count != 1 ? VarintBytes(static_cast<uint64_t>(count)) : 0);
}

// A run of the inline bytes, read from the front of *runs.
bool NextRun(std::string_view* runs, int64_t* delta, int64_t* count) {
  int64_t head;
  if (!GetVarint(runs, &head)) return false;
  *delta = head >> 1;
  *count = 1;
  return (head & 1) == 0 || (GetVarint(runs, count) && *count >= 1);
}

// Marks are placed at least this many log bytes apart: finding a time or a hit reads at most
// about this many bytes past a mark, and the marks cost 24 bytes per this many (~0.2 a hit).
constexpr uint64_t kMarkEveryBytes = 128;
// The front of the buffer is reclaimed (the live bytes moved down) once the trimmed prefix is
// at least as long as what is left and at least this long.
constexpr size_t kCompactMinBytes = 64;

}  // namespace

void WindowLog::Clear() {
  total_ = 0;
  first_ms_ = last_ms_ = last_count_ = 0;
  tail_ = 0;
  dropped_ = 0;
  runs_.clear();
  head_ = 0;
  base_ = 0;
  marks_.clear();
  mark_head_ = 0;
}

bool WindowLog::Decode(std::string_view v) {
  Clear();
  if (KindOf(v) != LimiterKind::kWindow) return false;
  v.remove_prefix(1);
  int64_t total, first_ms, last_off, tail_len;
  if (!GetVarint(&v, &p_.limit) || !GetVarint(&v, &p_.window_ms) || !GetVarint(&v, &total) ||
      !GetVarint(&v, &first_ms) || !GetVarint(&v, &last_off) || !GetVarint(&v, &tail_len)) {
    return false;
  }
  if (CheckWindow(p_, 1, true) != LimiterParamError::kNone || total < 1 || tail_len < 1 ||
      static_cast<size_t>(tail_len) > v.size() || last_off > kI64Max - first_ms) {
    return false;
  }
  int64_t t = first_ms;
  bool first = true;
  while (!v.empty()) {
    int64_t delta, count;
    if (!NextRun(&v, &delta, &count) || delta > kI64Max - t || count > kI64Max - total_) {
      Clear();
      return false;
    }
    t += delta;
    if (first) first_ms_ = t;
    first = false;
    AddHits(t, count);
  }
  work_bytes_ = 0;
  if (total_ != total || last_ms_ != first_ms + last_off) {
    Clear();
    return false;
  }
  return true;
}

size_t WindowLog::EncodedBytes() const {
  const Run head = ReadRun(head_offset());
  const size_t runs = RunBytes(0, head.count) + (end_offset() - head_offset() - head.len);
  const size_t tail_len = tail_ == head_offset() ? RunBytes(0, head.count) : end_offset() - tail_;
  return 1 + VarintBytes(static_cast<uint64_t>(p_.limit)) +
         VarintBytes(static_cast<uint64_t>(p_.window_ms)) +
         VarintBytes(static_cast<uint64_t>(total_)) +
         VarintBytes(static_cast<uint64_t>(first_ms_)) +
         VarintBytes(static_cast<uint64_t>(last_ms_ - first_ms_)) + VarintBytes(tail_len) + runs;
}

void WindowLog::Encode(std::string* out) const {
  // The head run is restated with delta 0 (its delta pointed at a run trimmed since).
  const Run head = ReadRun(head_offset());
  const size_t head_at = head_;
  const size_t tail_len = tail_ == head_offset() ? RunBytes(0, head.count) : end_offset() - tail_;
  out->push_back(static_cast<char>(LimiterKind::kWindow));
  PutVarint(out, static_cast<uint64_t>(p_.limit));
  PutVarint(out, static_cast<uint64_t>(p_.window_ms));
  PutVarint(out, static_cast<uint64_t>(total_));
  PutVarint(out, static_cast<uint64_t>(first_ms_));
  PutVarint(out, static_cast<uint64_t>(last_ms_ - first_ms_));
  PutVarint(out, tail_len);
  PutRun(out, 0, head.count);
  out->append(runs_, head_at + head.len, std::string::npos);
}

size_t WindowLog::AllocatedBytes() const {
  // std::string keeps short contents inside the object itself.
  const size_t runs = runs_.capacity() > 15 ? runs_.capacity() + 1 : 0;
  return runs + marks_.capacity() * sizeof(Mark);
}

WindowLog::Run WindowLog::ReadRun(uint64_t offset) const {
  std::string_view rest(runs_.data() + (offset - base_), end_offset() - offset);
  const size_t before = rest.size();
  Run run;
  NextRun(&rest, &run.delta, &run.count);  // the log holds only runs it wrote
  run.len = before - rest.size();
  work_bytes_ += run.len;
  return run;
}

bool WindowLog::Advance(Mark* m) const {
  const Run run = ReadRun(m->offset);
  m->offset += run.len;
  m->hits_before += static_cast<uint64_t>(run.count);
  if (m->offset >= end_offset()) return false;
  m->t_ms += ReadRun(m->offset).delta;
  return true;
}

WindowLog::Mark WindowLog::FirstAfter(int64_t cutoff_ms) const {
  // The last mark at or before cutoff (marks are in time order), else the head.
  size_t lo = mark_head_, hi = marks_.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (marks_[mid].t_ms <= cutoff_ms) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  Mark m = lo > mark_head_ ? marks_[lo - 1] : HeadMark();
  if (m.t_ms > cutoff_ms) return m;  // only the head can be later than cutoff
  while (Advance(&m)) {
    if (m.t_ms > cutoff_ms) return m;
  }
  return m;  // the end: every run is at or before cutoff
}

WindowLog::Mark WindowLog::RunOfHit(uint64_t hit) const {
  size_t lo = mark_head_, hi = marks_.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (marks_[mid].hits_before <= hit) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  Mark m = lo > mark_head_ ? marks_[lo - 1] : HeadMark();
  while (true) {
    const Run run = ReadRun(m.offset);
    if (m.hits_before + static_cast<uint64_t>(run.count) > hit) return m;
    if (!Advance(&m)) return m;  // cannot happen: hit is inside the log
  }
}

void WindowLog::TrimTo(const Mark& m) {
  if (m.hits_before == dropped_) return;
  total_ -= static_cast<int64_t>(m.hits_before - dropped_);
  if (total_ == 0) {
    // Everything left the window: start afresh (the absolute counters stay meaningless).
    const WindowParams p = p_;
    Clear();
    p_ = p;
    return;
  }
  dropped_ = m.hits_before;
  first_ms_ = m.t_ms;
  head_ = static_cast<size_t>(m.offset - base_);
  while (mark_head_ < marks_.size() && marks_[mark_head_].offset < m.offset) ++mark_head_;
  if (head_ >= kCompactMinBytes && head_ >= runs_.size() - head_) {
    // The live bytes are no more than those trimmed since the last move: amortized O(1).
    work_bytes_ += runs_.size() - head_;
    runs_.erase(0, head_);
    base_ += head_;
    head_ = 0;
    if (runs_.capacity() > 4 * runs_.size() + 4 * kCompactMinBytes) runs_.shrink_to_fit();
  }
  if (mark_head_ > 0 && mark_head_ >= marks_.size() - mark_head_) {
    marks_.erase(marks_.begin(), marks_.begin() + static_cast<ptrdiff_t>(mark_head_));
    mark_head_ = 0;
    if (marks_.capacity() > 4 * marks_.size() + 16) marks_.shrink_to_fit();
  }
}

void WindowLog::AddHits(int64_t now_ms, int64_t count) {
  const size_t before = runs_.size();
  if (total_ > 0 && now_ms == last_ms_) {
    // Same ms as the newest run: rewrite it with the larger count, keeping its delta.
    const Run tail = ReadRun(tail_);
    runs_.resize(static_cast<size_t>(tail_ - base_));
    last_count_ += count;
    PutRun(&runs_, tail.delta, last_count_);
  } else {
    const uint64_t at = end_offset();
    if (total_ == 0) {
      first_ms_ = now_ms;
    } else {
      const uint64_t last_mark = marks_.size() > mark_head_ ? marks_.back().offset : head_offset();
      if (at - last_mark >= kMarkEveryBytes) {
        marks_.push_back({at, now_ms, dropped_ + static_cast<uint64_t>(total_)});
      }
    }
    PutRun(&runs_, total_ == 0 ? 0 : now_ms - last_ms_, count);
    tail_ = at;
    last_ms_ = now_ms;
    last_count_ = count;
  }
  total_ += count;
  work_bytes_ += runs_.size() > before ? runs_.size() - before : 0;
}

LimiterResult WindowLog::Decide(bool had, const WindowParams& p, int64_t cost, int64_t now_ms,
                                bool consume) {
  if (!had) {
    Clear();
    p_ = p;
  }
  int64_t now = now_ms;
  if (had && now < last_ms_) now = last_ms_;

  // The hits that left the window (a hit at t counts while now < t + window_ms) are those
  // before `kept`, the first run still inside; found through the marks, not by a walk.
  Mark kept = HeadMark();
  int64_t in_window = 0;
  if (had) {
    kept = FirstAfter(now - p.window_ms);
    in_window = total_ - static_cast<int64_t>(kept.hits_before - dropped_);
  }
  const bool fits = in_window + cost <= p.limit;

  LimiterResult r;
  r.reply.limit = p.limit;
  r.reply.limited = !fits;
  if (!fits) {
    // Wait for the run whose expiry brings the window down to limit - cost: the one holding
    // the excess-th hit still inside.
    const int64_t excess = in_window + cost - p.limit;
    const Mark run = RunOfHit(kept.hits_before + static_cast<uint64_t>(excess - 1));
    r.reply.retry_after = run.t_ms + p.window_ms - now;
  }
  const bool take = fits && consume;
  const int64_t total = in_window + (take ? cost : 0);
  const int64_t last_ms = take ? now : last_ms_;
  r.reply.remaining = total >= p.limit ? 0 : p.limit - total;
  r.reply.reset_after = total > 0 ? last_ms + p.window_ms - now : 0;
  if (!consume || !(fits || (had && !(p_ == p)))) return r;
  if (total == 0) {
    r.write = had ? LimiterWrite::kDelete : LimiterWrite::kNone;
    Clear();
    p_ = p;
    return r;
  }
  if (had) TrimTo(kept);
  p_ = p;
  if (take) AddHits(now, cost);
  r.write = LimiterWrite::kStore;
  r.expire_ms = last_ms + p.window_ms;
  return r;
}

namespace {

// --- weighted two-bucket counter state ---

struct CounterState {
  WindowParams p;
  int64_t start_ms = 0;  // start of the current fixed window
  int64_t prev = 0;      // hits in [start - W, start)
  int64_t cur = 0;       // hits in [start, start + W)
};

bool DecodeCounter(std::string_view v, CounterState* s) {
  if (KindOf(v) != LimiterKind::kApprox) return false;
  v.remove_prefix(1);
  if (!GetVarint(&v, &s->p.limit) || !GetVarint(&v, &s->p.window_ms) ||
      !GetVarint(&v, &s->start_ms) || !GetVarint(&v, &s->prev) || !GetVarint(&v, &s->cur) ||
      !v.empty()) {
    return false;
  }
  // prev and cur may exceed the limit: it can have been lowered since they were counted.
  return CheckWindow(s->p, 1, false) == LimiterParamError::kNone;
}

void EncodeCounter(const CounterState& s, std::string* out) {
  out->clear();
  out->push_back(static_cast<char>(LimiterKind::kApprox));
  PutVarint(out, static_cast<uint64_t>(s.p.limit));
  PutVarint(out, static_cast<uint64_t>(s.p.window_ms));
  PutVarint(out, static_cast<uint64_t>(s.start_ms));
  PutVarint(out, static_cast<uint64_t>(s.prev));
  PutVarint(out, static_cast<uint64_t>(s.cur));
}

// The wait from elapsed e until prev * (W - e') + (cur + cost) * W <= L * W, with the
// buckets rolling at W. REQUIRES: it does not hold at e; cost <= L.
int64_t CounterRetry(i128 L, i128 W, i128 prev, i128 cur, i128 cost, i128 e) {
  const i128 room = (L - cur - cost) * W;
  if (room >= 0 && prev > 0) {
    const i128 at = W - room / prev;  // smallest e' with prev * (W - e') <= room
    if (at < W) return static_cast<int64_t>(at - e);
  }
  // Next window: its previous bucket is today's current one.
  if (cur == 0) return static_cast<int64_t>(W - e);
  i128 at = W - (L - cost) * W / cur;
  if (at < 0) at = 0;
  if (at < W) return static_cast<int64_t>(W - e + at);
  return static_cast<int64_t>(2 * W - e);  // both buckets empty by then
}

LimiterResult CounterDecide(bool had, const CounterState& state, const WindowParams& p,
                            int64_t cost, int64_t now_ms, bool consume, std::string* out) {
  CounterState s = had ? state : CounterState{p, now_ms, 0, 0};
  int64_t now = now_ms < s.start_ms ? s.start_ms : now_ms;
  const int64_t W = p.window_ms;
  if (now - s.start_ms >= W) {
    const int64_t windows = (now - s.start_ms) / W;
    s.prev = windows == 1 ? s.cur : 0;
    s.cur = 0;
    s.start_ms += windows * W;
  }
  const int64_t e = now - s.start_ms;
  const i128 budget = static_cast<i128>(p.limit) * W;
  const i128 weighted_prev = static_cast<i128>(s.prev) * (W - e);
  const bool fits = weighted_prev + static_cast<i128>(s.cur + cost) * W <= budget;

  LimiterResult r;
  r.reply.limit = p.limit;
  r.reply.limited = !fits;
  if (fits && consume) s.cur += cost;
  if (!fits) r.reply.retry_after = CounterRetry(p.limit, W, s.prev, s.cur, cost, e);
  const i128 left = budget - weighted_prev - static_cast<i128>(s.cur) * W;
  r.reply.remaining = left > 0 ? static_cast<int64_t>(left / W) : 0;
  r.reply.reset_after = s.cur > 0 ? 2 * W - e : (s.prev > 0 ? W - e : 0);
  if (!consume || !(fits || (had && !(state.p == p)))) return r;
  if (s.prev == 0 && s.cur == 0) {
    r.write = had ? LimiterWrite::kDelete : LimiterWrite::kNone;
    return r;
  }
  s.p = p;
  EncodeCounter(s, out);
  r.write = LimiterWrite::kStore;
  r.expire_ms = now + r.reply.reset_after;
  return r;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// GCRA

GcraStatus MakeGcraQuota(int64_t max_burst, int64_t count, int64_t period_s, GcraQuota* out) {
  if (max_burst < 0 || count < 0 || period_s < 0 || max_burst == kI64Max ||
      period_s > kI64Max / kNsPerS) {
    return GcraStatus::kOutOfRange;
  }
  const int64_t period_ns = period_s * kNsPerS;
  if (count == 0 || period_ns == 0) return GcraStatus::kZeroRate;
  const int64_t emission_ns =
      RustAsI64(static_cast<double>(period_ns) / static_cast<double>(count));
  if (emission_ns == 0) return GcraStatus::kZeroRate;
  const i128 tolerance = static_cast<i128>(emission_ns) * (max_burst + 1);
  if (!FitsI64(tolerance)) return GcraStatus::kOutOfRange;
  *out = {max_burst + 1, emission_ns, static_cast<int64_t>(tolerance)};
  return GcraStatus::kOk;
}

GcraStatus GcraThrottle(const GcraQuota& q, bool has_tat, int64_t tat_ns, int64_t quantity,
                        int64_t now_ns, GcraResult* out) {
  const i128 increment = static_cast<i128>(q.emission_ns) * quantity;
  const i128 now = now_ns;
  const i128 tat = has_tat ? tat_ns : now_ns;
  const i128 new_tat = (now > tat ? now : tat) + increment;
  if (!FitsI64(increment) || !FitsI64(new_tat) || !FitsI64(new_tat + kNsPerMs)) {
    return GcraStatus::kOutOfRange;
  }
  const i128 allow_at = new_tat - q.tolerance_ns;
  const i128 diff = now - allow_at;

  GcraResult r;
  r.reply.limit = q.limit;
  r.reply.retry_after = -kNsPerS;
  i128 ttl;
  if (diff < 0) {
    r.reply.limited = true;
    if (increment <= q.tolerance_ns) r.reply.retry_after = static_cast<int64_t>(-diff);
    ttl = tat - now;
  } else {
    ttl = new_tat - now;
    r.store = quantity > 0;
    r.new_tat_ns = static_cast<int64_t>(new_tat);
    r.expire_ms = static_cast<int64_t>(CeilDiv(new_tat, kNsPerMs));
  }
  const i128 next = q.tolerance_ns - ttl;
  if (!FitsI64(ttl) || !FitsI64(next)) return GcraStatus::kOutOfRange;
  if (next > -static_cast<i128>(q.emission_ns)) {
    // Whole microseconds and a float division, as redis-cell computes it.
    r.reply.remaining = RustAsI64(static_cast<double>(static_cast<int64_t>(next / 1000)) /
                                  static_cast<double>(q.emission_ns / 1000));
  }
  r.reply.reset_after = static_cast<int64_t>(ttl);
  *out = r;
  return GcraStatus::kOk;
}

int64_t CellSeconds(int64_t ns) {
  int64_t s = ns / kNsPerS;
  if ((ns % kNsPerS) / kNsPerMs > 0) ++s;
  return s;
}

bool ParseCellInt(std::string_view s, int64_t* out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  // Accumulate toward the negative side so INT64_MIN parses.
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const int d = c - '0';
    if (v < (kI64Min + d) / 10) return false;
    v = v * 10 - d;
  }
  if (!negative) {
    if (v == kI64Min) return false;
    v = -v;
  }
  *out = v;
  return true;
}

// ---------------------------------------------------------------------------------------
// RL.* limiters

LimiterKind KindOf(std::string_view state) {
  if (state.empty()) return LimiterKind::kUnknown;
  switch (static_cast<LimiterKind>(state[0])) {
    case LimiterKind::kBucket:
      return LimiterKind::kBucket;
    case LimiterKind::kWindow:
      return LimiterKind::kWindow;
    case LimiterKind::kApprox:
      return LimiterKind::kApprox;
    default:
      return LimiterKind::kUnknown;
  }
}

std::string_view LimiterKindName(LimiterKind kind) {
  switch (kind) {
    case LimiterKind::kBucket:
      return "token-bucket";
    case LimiterKind::kWindow:
      return "sliding-log";
    case LimiterKind::kApprox:
      return "sliding-counter";
    default:
      return "unknown";
  }
}

LimiterParamError CheckBucket(const BucketParams& p, int64_t cost) {
  if (p.limit < 1) return LimiterParamError::kLimit;
  if (p.window_ms < 1 || p.window_ms > kMaxWindowMs) return LimiterParamError::kWindow;
  if (p.burst < 1) return LimiterParamError::kBurst;
  if (cost < 1) return LimiterParamError::kCost;
  if (cost > p.burst) return LimiterParamError::kCostTooBig;
  if (static_cast<i128>(p.burst) * p.window_ms > kMaxUnits) return LimiterParamError::kTooLarge;
  return LimiterParamError::kNone;
}

LimiterParamError CheckWindow(const WindowParams& p, int64_t cost, bool exact) {
  if (p.limit < 1) return LimiterParamError::kLimit;
  if (p.window_ms < 1 || p.window_ms > kMaxWindowMs) return LimiterParamError::kWindow;
  if (cost < 1) return LimiterParamError::kCost;
  if (cost > p.limit) return LimiterParamError::kCostTooBig;
  if ((exact && p.limit > kMaxExactLimit) || static_cast<i128>(p.limit) * p.window_ms > kMaxUnits) {
    return LimiterParamError::kTooLarge;
  }
  return LimiterParamError::kNone;
}

LimiterResult BucketTake(std::string_view state, const BucketParams& p, int64_t cost,
                         int64_t now_ms, std::string* out) {
  BucketState s;
  const bool had = DecodeBucket(state, &s);
  return BucketDecide(had, s, p, cost, now_ms, true, out);
}

LimiterResult WindowTake(std::string_view state, const WindowParams& p, int64_t cost,
                         int64_t now_ms, std::string* out) {
  thread_local WindowLog log;  // reused, so a short inline log allocates nothing per call
  const bool had = log.Decode(state);
  LimiterResult r = log.Decide(had, p, cost, now_ms, true);
  if (r.write == LimiterWrite::kStore) {
    out->clear();
    log.Encode(out);
  }
  return r;
}

LimiterResult ApproxTake(std::string_view state, const WindowParams& p, int64_t cost,
                         int64_t now_ms, std::string* out) {
  CounterState s;
  const bool had = DecodeCounter(state, &s);
  return CounterDecide(had, s, p, cost, now_ms, true, out);
}

bool LimiterPeek(std::string_view state, int64_t now_ms, LimiterReply* out) {
  switch (KindOf(state)) {
    case LimiterKind::kBucket: {
      BucketState s;
      if (!DecodeBucket(state, &s)) return false;
      *out = BucketDecide(true, s, s.p, 1, now_ms, false, nullptr).reply;
      return true;
    }
    case LimiterKind::kWindow: {
      thread_local WindowLog log;
      if (!log.Decode(state)) return false;
      *out = log.Decide(true, log.params(), 1, now_ms, false).reply;
      return true;
    }
    case LimiterKind::kApprox: {
      CounterState s;
      if (!DecodeCounter(state, &s)) return false;
      *out = CounterDecide(true, s, s.p, 1, now_ms, false, nullptr).reply;
      return true;
    }
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------
// The kRateLimit row of the type table.

namespace {

std::string_view RateLimitEncoding(const Entry&) { return "ratelimit"; }

void RateLimitFree(void* object) { delete static_cast<WindowLog*>(object); }

void* RateLimitCopy(const void* object) {
  return new WindowLog(*static_cast<const WindowLog*>(object));
}

size_t RateLimitMemory(const Entry& e) {
  if (!e.has_object()) return 0;
  return sizeof(WindowLog) + e.object_as<WindowLog>()->AllocatedBytes();
}

// Serialized form: the state bytes in an RDB string behind Firn's own type byte
// (rdb::kTypeFirnLimiter; storage/rdb.h says how snapshot files carry it).
void RateLimitSerialize(const Entry& e, std::string* out) {
  std::string state;
  LimiterState(e, &state);
  rdb::EncodeLimiter(state, out);
}

Entry* RateLimitDeserialize(std::string_view key, std::string_view payload, int64_t expire_ms) {
  std::optional<std::string> state = rdb::DecodeLimiter(payload);
  if (!state || KindOf(*state) == LimiterKind::kUnknown) return nullptr;
  return Entry::Make(key, ValueType::kRateLimit, *state, expire_ms);
}

}  // namespace

void LimiterState(const Entry& e, std::string* out) {
  if (e.has_object()) {
    e.object_as<WindowLog>()->Encode(out);
  } else {
    out->append(e.value());
  }
}

const TypeOps kRateLimitOps = {
    .name = "ratelimit",
    .encoding = RateLimitEncoding,
    .free_object = RateLimitFree,
    .copy_object = RateLimitCopy,
    .memory_usage = RateLimitMemory,
    .serialize = RateLimitSerialize,
    .deserialize = RateLimitDeserialize,
};

}  // namespace firn
