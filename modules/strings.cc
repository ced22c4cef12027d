#include "modules/strings.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "modules/args.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "protocol/errors.h"
#include "storage/db.h"

namespace firn {
namespace {

constexpr int64_t kNoExpire = Entry::kNoExpire;

// Finds key for reading; sends WRONGTYPE and sets *ok = false if it is not a string.
Entry* ReadString(CommandContext& ctx, std::string_view key, bool* ok) {
  OpResult<Entry*> found = ctx.db().FindTypedForRead(key, ValueType::kString, ctx.now_ms);
  *ok = found.status() != OpStatus::kWrongType;
  if (!*ok) ctx.Error(err::kWrongType);
  return found.ok() ? *found : nullptr;
}

void ReplyValue(CommandContext& ctx, const Entry* e) {
  if (e == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(e->value());
  }
}

// GET key -> bulk string or nil.
void Get(CommandContext& ctx) {
  bool ok;
  Entry* e = ReadString(ctx, ctx.arg(1), &ok);
  if (ok) ReplyValue(ctx, e);
}

// The options SET and GETEX share, parsed as Redis's parseExtendedStringArgumentsOrReply
// does: an expiry option may repeat (the last one wins) but not mix with another kind, NX/XX/
// GET/KEEPTTL belong to SET, PERSIST to GETEX, and every option is checked before the expiry's
// number is, so a syntax error wins over a bad number.
struct StringOptions {
  bool nx = false, xx = false, get = false, keep_ttl = false, persist = false;
  int64_t expire_ms = kNoExpire;
};

enum class OptionsOf { kSet, kGetEx };

// EX, PX, EXAT, PXAT, in this order: kinds 0 and 2 count seconds, 0 and 1 are relative.
enum ExpireKind : int { kEx = 0, kPx = 1, kExAt = 2, kPxAt = 3 };

// Parses options from argv[first]; sends the error and returns false on a bad combination.
bool ParseStringOptions(CommandContext& ctx, size_t first, OptionsOf command, StringOptions* o) {
  if (first >= ctx.argc()) return true;  // the common SET key value: nothing to parse
  const bool set = command == OptionsOf::kSet;
  ArgParser args(ctx.argv, first);
  int expire_kind = -1;  // the last EX/PX/EXAT/PXAT seen
  std::string_view expire_value;
  while (args.HasNext()) {
    const int kind = args.PeekOneOf({"EX", "PX", "EXAT", "PXAT"});
    if (set && !o->xx && args.Flag("NX")) {
      o->nx = true;
    } else if (set && !o->nx && args.Flag("XX")) {
      o->xx = true;
    } else if (set && args.Flag("GET")) {
      o->get = true;
    } else if (set && expire_kind < 0 && args.Flag("KEEPTTL")) {
      o->keep_ttl = true;
    } else if (!set && expire_kind < 0 && args.Flag("PERSIST")) {
      o->persist = true;
    } else if (kind >= 0 && args.Remaining() >= 2 && !o->keep_ttl && !o->persist &&
               (expire_kind < 0 || kind == expire_kind)) {
      args.Next();
      expire_kind = kind;
      expire_value = args.Next();
    } else {
      args.Fail(err::kSyntax);
    }
  }
  if (!args.Ok()) {
    ctx.Error(args.ErrorText());
    return false;
  }
  if (expire_kind < 0) return true;
  const TimeUnit unit =
      (expire_kind == kEx || expire_kind == kExAt) ? TimeUnit::kSeconds : TimeUnit::kMilliseconds;
  const bool relative = expire_kind == kEx || expire_kind == kPx;
  return ArgExpireMs(ctx, expire_value, unit, relative, &o->expire_ms);
}

// SET key value [NX | XX] [GET] [EX s | PX ms | EXAT ts | PXAT ms | KEEPTTL]
// -> OK, or nil when NX/XX prevented it; with GET the old value (or nil) instead.
void Set(CommandContext& ctx) {
  StringOptions o;
  if (!ParseStringOptions(ctx, 3, OptionsOf::kSet, &o)) return;
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  // With GET, SET reads the old value, and Redis counts that read as a hit or a miss.
  Entry* old = o.get ? db.FindForRead(key, ctx.now_ms) : db.FindForWrite(key, ctx.now_ms);
  if (o.get && !CheckString(ctx, old)) return;
  if ((o.nx && old != nullptr) || (o.xx && old == nullptr)) {
    if (o.get) {
      ReplyValue(ctx, old);
    } else {
      ctx.reply.Null();
    }
    return;
  }
  int64_t expire_ms = o.expire_ms;
  if (o.keep_ttl && old != nullptr) expire_ms = old->expire_ms();
  if (o.get) {
    // The old value must be copied out before the entry is overwritten.
    if (old == nullptr) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(old->value());
    }
  }
  db.Put(key, ValueType::kString, ctx.arg(2), expire_ms, ctx.now_ms);
  if (!o.get) ctx.reply.Ok();
}

// SETNX key value -> 1 if set, 0 if the key existed.
void SetNx(CommandContext& ctx) {
  Db& db = ctx.db();
  if (db.FindForWrite(ctx.arg(1), ctx.now_ms) != nullptr) {
    ctx.reply.Int(0);
    return;
  }
  db.Put(ctx.arg(1), ValueType::kString, ctx.arg(2), kNoExpire, ctx.now_ms);
  ctx.reply.Int(1);
}

// SETEX key seconds value / PSETEX key milliseconds value -> OK.
void SetWithExpire(CommandContext& ctx, TimeUnit unit) {
  int64_t expire_ms;
  if (!ArgExpireMs(ctx, ctx.arg(2), unit, true, &expire_ms)) return;
  ctx.db().Put(ctx.arg(1), ValueType::kString, ctx.arg(3), expire_ms, ctx.now_ms);
  ctx.reply.Ok();
}
void SetEx(CommandContext& ctx) { SetWithExpire(ctx, TimeUnit::kSeconds); }
void PSetEx(CommandContext& ctx) { SetWithExpire(ctx, TimeUnit::kMilliseconds); }

// GETSET key value -> the old value or nil; the TTL is dropped.
void GetSet(CommandContext& ctx) {
  bool ok;
  Entry* old = ReadString(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  ReplyValue(ctx, old);
  ctx.db().Put(ctx.arg(1), ValueType::kString, ctx.arg(2), kNoExpire, ctx.now_ms);
}

// GETDEL key -> the value or nil; the key is deleted.
void GetDel(CommandContext& ctx) {
  bool ok;
  Entry* e = ReadString(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  ReplyValue(ctx, e);
  if (e != nullptr) ctx.db().Erase(e);
}

// GETEX key [EX s | PX ms | EXAT ts | PXAT ms | PERSIST] -> the value or nil.
void GetEx(CommandContext& ctx) {
  StringOptions o;
  if (!ParseStringOptions(ctx, 2, OptionsOf::kGetEx, &o)) return;
  const int64_t expire_ms = o.expire_ms;
  const bool persist = o.persist;
  bool ok;
  Entry* e = ReadString(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  ReplyValue(ctx, e);
  if (e == nullptr) return;
  if (expire_ms != kNoExpire && expire_ms <= ctx.now_ms) {
    ctx.db().Erase(e);  // already in the past: Redis deletes the key at once
  } else if (expire_ms != kNoExpire) {
    ctx.db().SetExpire(e, expire_ms);
  } else if (persist && e->has_expire()) {
    ctx.db().SetExpire(e, kNoExpire);
  }
}

// MGET key [key ...] -> an array with each value, nil for missing or non-string keys.
void MGet(CommandContext& ctx) {
  ctx.reply.Array(ctx.argc() - 1);
  for (size_t i = 1; i < ctx.argc(); ++i) {
    Entry* e = ctx.db().FindForRead(ctx.arg(i), ctx.now_ms);
    if (e == nullptr || e->type() != ValueType::kString) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(e->value());
    }
  }
}

// MSET key value [key value ...] -> OK. MSETNX: 1 if all were set, 0 (nothing set) if any
// key existed.
bool CheckPairs(CommandContext& ctx) {
  if (ctx.argc() % 2 == 1) return true;
  ctx.Error(WrongArityError(ctx.command->name));
  return false;
}

void MSet(CommandContext& ctx) {
  if (!CheckPairs(ctx)) return;
  for (size_t i = 1; i + 1 < ctx.argc(); i += 2) {
    ctx.db().Put(ctx.arg(i), ValueType::kString, ctx.arg(i + 1), kNoExpire, ctx.now_ms);
  }
  ctx.reply.Ok();
}

void MSetNx(CommandContext& ctx) {
  if (!CheckPairs(ctx)) return;
  for (size_t i = 1; i + 1 < ctx.argc(); i += 2) {
    if (ctx.db().FindForWrite(ctx.arg(i), ctx.now_ms) != nullptr) {
      ctx.reply.Int(0);
      return;
    }
  }
  for (size_t i = 1; i + 1 < ctx.argc(); i += 2) {
    ctx.db().Put(ctx.arg(i), ValueType::kString, ctx.arg(i + 1), kNoExpire, ctx.now_ms);
  }
  ctx.reply.Int(1);
}

// Adds delta to the integer at key (0 if missing), keeping its TTL; replies the new value.
void IncrBy(CommandContext& ctx, int64_t delta) {
  Db& db = ctx.db();
  Entry* e = db.FindForWrite(ctx.arg(1), ctx.now_ms);
  if (!CheckString(ctx, e)) return;
  int64_t value = 0;
  if (e != nullptr && !ParseInt64(e->value(), &value)) {
    ctx.Error(err::kNotInteger);
    return;
  }
  if ((delta < 0 && value < 0 && delta < LLONG_MIN - value) ||
      (delta > 0 && value > 0 && delta > LLONG_MAX - value)) {
    ctx.Error(err::kOverflow);
    return;
  }
  value += delta;
  char buf[24];
  std::string_view text(buf, FormatInt(value, buf));
  if (e == nullptr) {
    db.Put(ctx.arg(1), ValueType::kString, text, kNoExpire, ctx.now_ms);
  } else {
    db.Rewrite(e, text, e->expire_ms())->set_edited(false);  // Redis: an int again
  }
  ctx.reply.Int(value);
}

// INCR key / DECR key -> the new value.
void Incr(CommandContext& ctx) { IncrBy(ctx, 1); }
void Decr(CommandContext& ctx) { IncrBy(ctx, -1); }

// INCRBY key increment / DECRBY key decrement -> the new value.
void IncrByCommand(CommandContext& ctx) {
  ArgParser args(ctx.argv, 2);
  const int64_t delta = args.Next<int64_t>();
  if (!args.Ok()) return ctx.Error(args.ErrorText());
  IncrBy(ctx, delta);
}

void DecrByCommand(CommandContext& ctx) {
  ArgParser args(ctx.argv, 2);
  const int64_t delta = args.Next<int64_t>();
  if (args.Ok() && delta == LLONG_MIN) args.Fail(err::kDecrementOverflow);
  if (!args.Ok()) return ctx.Error(args.ErrorText());
  IncrBy(ctx, -delta);
}

// INCRBYFLOAT key increment -> the new value as a bulk string (fixed notation, trimmed).
void IncrByFloat(CommandContext& ctx) {
  ArgParser args(ctx.argv, 2);
  const long double delta = args.Next<long double>();
  if (!args.Ok()) return ctx.Error(args.ErrorText());
  Db& db = ctx.db();
  Entry* e = db.FindForWrite(ctx.arg(1), ctx.now_ms);
  if (!CheckString(ctx, e)) return;
  long double value = 0;
  if (e != nullptr && !ParseLongDouble(e->value(), &value)) {
    ctx.Error(err::kNotFloat);
    return;
  }
  value += delta;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.Error(err::kIncrFloatNaN);
    return;
  }
  std::string text = FormatLongDouble(value);
  if (e == nullptr) {
    db.Put(ctx.arg(1), ValueType::kString, text, kNoExpire, ctx.now_ms);
  } else {
    db.Rewrite(e, text, e->expire_ms())->set_edited(false);
  }
  ctx.reply.Bulk(text);
}

bool CheckStringSize(CommandContext& ctx, uint64_t size) {
  if (size <= static_cast<uint64_t>(ctx.config().proto_max_bulk_len)) return true;
  ctx.Error(err::kStringTooLong);
  return false;
}

// APPEND key value -> the length after appending. The value grows in place (amortized), so
// building a string by appends costs linear time.
void Append(CommandContext& ctx) {
  Db& db = ctx.db();
  OpResult<Entry*> found = db.FindTypedForWrite(ctx.arg(1), ValueType::kString, ctx.now_ms);
  if (found.status() == OpStatus::kWrongType) {
    ctx.Error(err::kWrongType);
    return;
  }
  if (!found.ok()) {
    db.Put(ctx.arg(1), ValueType::kString, ctx.arg(2), kNoExpire, ctx.now_ms);
    ctx.reply.Int(static_cast<int64_t>(ctx.arg(2).size()));
    return;
  }
  Entry* e = *found;
  if (!CheckStringSize(ctx, e->value().size() + ctx.arg(2).size())) return;
  e = db.AppendBytes(e, ctx.arg(2));
  ctx.reply.Int(static_cast<int64_t>(e->value().size()));
}

// STRLEN key -> the length, 0 if missing.
void StrLen(CommandContext& ctx) {
  bool ok;
  Entry* e = ReadString(ctx, ctx.arg(1), &ok);
  if (ok) ctx.reply.Int(e == nullptr ? 0 : static_cast<int64_t>(e->value().size()));
}

// GETRANGE key start end -> the substring (inclusive, negative counts from the end).
void GetRange(CommandContext& ctx) {
  ArgParser args(ctx.argv, 2);
  int64_t start = args.Next<int64_t>();
  int64_t end = args.Next<int64_t>();
  if (!args.Ok()) return ctx.Error(args.ErrorText());
  bool ok;
  Entry* e = ReadString(ctx, ctx.arg(1), &ok);
  if (!ok) return;
  std::string_view v = e == nullptr ? std::string_view() : e->value();
  const int64_t len = static_cast<int64_t>(v.size());
  if (start < 0 && end < 0 && start > end) {
    ctx.reply.Bulk("");
    return;
  }
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) {
    ctx.reply.Bulk("");
    return;
  }
  ctx.reply.Bulk(v.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

// SETRANGE key offset value -> the length after writing (zero-padded as needed). The value is
// edited in place (amortized growth), never copied whole.
void SetRange(CommandContext& ctx) {
  int64_t offset;
  if (!ArgInt(ctx, 2, &offset)) return;
  if (offset < 0) {
    ctx.Error(err::kOffsetOutOfRange);
    return;
  }
  std::string_view patch = ctx.arg(3);
  Db& db = ctx.db();
  OpResult<Entry*> found = db.FindTypedForWrite(ctx.arg(1), ValueType::kString, ctx.now_ms);
  if (found.status() == OpStatus::kWrongType) {
    ctx.Error(err::kWrongType);
    return;
  }
  Entry* e = found.ok() ? *found : nullptr;
  int64_t old_len = e == nullptr ? 0 : static_cast<int64_t>(e->value().size());
  if (patch.empty()) {
    ctx.reply.Int(old_len);
    return;
  }
  if (!CheckStringSize(ctx, static_cast<uint64_t>(offset) + patch.size())) return;
  if (e == nullptr) {
    std::string value(static_cast<size_t>(offset), '\0');
    value.append(patch);
    db.Put(ctx.arg(1), ValueType::kString, value, kNoExpire, ctx.now_ms)->set_edited(true);
    ctx.reply.Int(static_cast<int64_t>(value.size()));
    return;
  }
  e = db.WriteBytes(e, static_cast<size_t>(offset), patch);
  ctx.reply.Int(static_cast<int64_t>(e->value().size()));
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
// -> the longest common subsequence (bulk); LEN: its length; IDX: a map {matches: [[[a_start,
// a_end], [b_start, b_end](, len)]...], len: n}, the ranges from the end of the strings back.
// A missing key reads as "". The classic O(|a| * |b|) table, bounded, as Redis, by
// proto-max-bulk-len bytes of transient memory.
void Lcs(CommandContext& ctx) {
  Entry* ea = ctx.db().FindForRead(ctx.arg(1), ctx.now_ms);
  Entry* eb = ctx.db().FindForRead(ctx.arg(2), ctx.now_ms);
  if ((ea != nullptr && ea->type() != ValueType::kString) ||
      (eb != nullptr && eb->type() != ValueType::kString)) {
    ctx.Error(err::kLcsNotStrings);
    return;
  }
  bool get_len = false, get_idx = false, with_match_len = false;
  int64_t min_match_len = 0;
  ArgParser args(ctx.argv, 3);
  while (args.HasNext()) {
    if (args.Flag("IDX")) {
      get_idx = true;
    } else if (args.Flag("LEN")) {
      get_len = true;
    } else if (args.Flag("WITHMATCHLEN")) {
      with_match_len = true;
    } else if (args.OptionWithValue("MINMATCHLEN", &min_match_len)) {
      if (min_match_len < 0) min_match_len = 0;
    } else {
      args.Fail(err::kSyntax);
    }
  }
  if (args.Ok() && get_idx && get_len) args.Fail(err::kLcsLenAndIdx);
  if (!args.Ok()) return ctx.Error(args.ErrorText());
  const std::string_view a = ea == nullptr ? std::string_view() : ea->value();
  const std::string_view b = eb == nullptr ? std::string_view() : eb->value();
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    ctx.Error(err::kLcsTooLong);
    return;
  }
  const size_t rows = a.size() + 1, cols = b.size() + 1;
  const unsigned long long cells = static_cast<unsigned long long>(rows) * cols;
  if (cells * sizeof(uint32_t) > static_cast<unsigned long long>(ctx.config().proto_max_bulk_len)) {
    ctx.Error(err::kLcsTransientMemory);
    return;
  }
  std::unique_ptr<uint32_t[]> table(new (std::nothrow) uint32_t[cells]);
  if (table == nullptr) {
    ctx.Error(err::kLcsAllocFailed);
    return;
  }
  // table[i * cols + j]: the LCS length of a[0, i) and b[0, j).
  auto at = [&](size_t i, size_t j) -> uint32_t& { return table[i * cols + j]; };
  for (size_t i = 0; i < rows; ++i) {
    for (size_t j = 0; j < cols; ++j) {
      if (i == 0 || j == 0) {
        at(i, j) = 0;
      } else if (a[i - 1] == b[j - 1]) {
        at(i, j) = at(i - 1, j - 1) + 1;
      } else {
        at(i, j) = std::max(at(i - 1, j), at(i, j - 1));
      }
    }
  }
  const uint32_t length = at(rows - 1, cols - 1);
  if (get_len) {
    ctx.reply.Int(length);
    return;
  }
  // Walk back from the end, collecting the subsequence and its contiguous ranges.
  struct Range {
    uint32_t a_start, a_end, b_start, b_end;
  };
  std::string result(length, '\0');
  std::vector<Range> ranges;
  bool open = false;
  Range cur{};
  uint32_t left = length;
  size_t i = a.size(), j = b.size();
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result[--left] = a[i - 1];
      if (!open) {
        cur = {static_cast<uint32_t>(i - 1), static_cast<uint32_t>(i - 1),
               static_cast<uint32_t>(j - 1), static_cast<uint32_t>(j - 1)};
        open = true;
      } else {
        --cur.a_start;  // matches met one after another are contiguous in both strings
        --cur.b_start;
      }
      if (cur.a_start == 0 || cur.b_start == 0) emit = true;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      emit = open;
    }
    if (emit) {
      const uint32_t match_len = cur.a_end - cur.a_start + 1;
      if (min_match_len == 0 || match_len >= min_match_len) ranges.push_back(cur);
      open = false;
    }
  }
  if (!get_idx) {
    ctx.reply.Bulk(result);
    return;
  }
  ctx.reply.Map(2);
  ctx.reply.Bulk("matches");
  ctx.reply.Array(ranges.size());
  for (const Range& r : ranges) {
    ctx.reply.Array(with_match_len ? 3 : 2);
    ctx.reply.Array(2);
    ctx.reply.Int(r.a_start);
    ctx.reply.Int(r.a_end);
    ctx.reply.Array(2);
    ctx.reply.Int(r.b_start);
    ctx.reply.Int(r.b_end);
    if (with_match_len) ctx.reply.Int(r.a_end - r.a_start + 1);
  }
  ctx.reply.Bulk("len");
  ctx.reply.Int(length);
}

constexpr KeySpec kFirstKey{1, 1, 1};
constexpr KeySpec kAllKeys{1, -1, 1};
constexpr KeySpec kKeyValuePairs{1, -1, 2};
constexpr KeySpec kTwoKeys{1, 2, 1};

}  // namespace

std::vector<Command> StringCommands() {
  return {
      {.name = "get", .arity = 2, .flags = kReadOnly | kFast, .keys = kFirstKey, .run = Get,
       .group = "string", .since = "1.0.0", .summary = "Gets the string stored at a key.",
       .syntax = "key"},
      {.name = "set", .arity = -3, .flags = kWrite | kDenyOom, .keys = kFirstKey, .run = Set,
       .group = "string", .since = "1.0.0",
       .summary = "Stores a string at a key, with optional conditions and expiry.",
       .syntax = "key value [NX | XX] [GET] [EX seconds | PX milliseconds | "
                 "EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]"},
      {.name = "setnx", .arity = 3, .flags = kWrite | kDenyOom | kFast, .keys = kFirstKey,
       .run = SetNx, .group = "string", .since = "1.0.0",
       .summary = "Stores a string at a key that does not exist yet.",
       .syntax = "key value"},
      {.name = "setex", .arity = 4, .flags = kWrite | kDenyOom, .keys = kFirstKey, .run = SetEx,
       .group = "string", .since = "2.0.0",
       .summary = "Stores a string at a key with a time to live in seconds.",
       .syntax = "key seconds value"},
      {.name = "psetex", .arity = 4, .flags = kWrite | kDenyOom, .keys = kFirstKey,
       .run = PSetEx, .group = "string", .since = "2.6.0",
       .summary = "Stores a string at a key with a time to live in milliseconds.",
       .syntax = "key milliseconds value"},
      {.name = "getset", .arity = 3, .flags = kWrite | kDenyOom | kFast, .keys = kFirstKey,
       .run = GetSet, .group = "string", .since = "1.0.0",
       .summary = "Stores a string at a key and answers the string it held before.",
       .syntax = "key value"},
      {.name = "getdel", .arity = 2, .flags = kWrite | kFast, .keys = kFirstKey, .run = GetDel,
       .group = "string", .since = "6.2.0",
       .summary = "Answers the string at a key and deletes the key.", .syntax = "key"},
      {.name = "getex", .arity = -2, .flags = kWrite | kFast, .keys = kFirstKey, .run = GetEx,
       .group = "string", .since = "6.2.0",
       .summary = "Answers the string at a key and sets or clears its expiry.",
       .syntax = "key [EX seconds | PX milliseconds | EXAT unix-time-seconds | "
                 "PXAT unix-time-milliseconds | PERSIST]"},
      {.name = "mget", .arity = -2, .flags = kReadOnly | kFast, .keys = kAllKeys, .run = MGet,
       .group = "string", .since = "1.0.0",
       .summary = "Gets the strings stored at several keys in one call.",
       .syntax = "key [key ...]"},
      {.name = "mset", .arity = -3, .flags = kWrite | kDenyOom, .keys = kKeyValuePairs,
       .run = MSet, .group = "string", .since = "1.0.1",
       .summary = "Stores several key-value pairs at once.",
       .syntax = "key value [key value ...]"},
      {.name = "msetnx", .arity = -3, .flags = kWrite | kDenyOom, .keys = kKeyValuePairs,
       .run = MSetNx, .group = "string", .since = "1.0.1",
       .summary = "Stores several key-value pairs at once, only if none of the keys exists.",
       .syntax = "key value [key value ...]"},
      {.name = "incr", .arity = 2, .flags = kWrite | kDenyOom | kFast, .keys = kFirstKey,
       .run = Incr, .group = "string", .since = "1.0.0",
       .summary = "Adds one to the integer at a key (a missing key counts as 0).",
       .syntax = "key"},
      {.name = "decr", .arity = 2, .flags = kWrite | kDenyOom | kFast, .keys = kFirstKey,
       .run = Decr, .group = "string", .since = "1.0.0",
       .summary = "Subtracts one from the integer at a key (a missing key counts as 0).",
       .syntax = "key"},
      {.name = "incrby", .arity = 3, .flags = kWrite | kDenyOom | kFast, .keys = kFirstKey,
       .run = IncrByCommand, .group = "string", .since = "1.0.0",
       .summary = "Adds an integer to the integer at a key (a missing key counts as 0).",
       .syntax = "key increment"},
      {.name = "decrby", .arity = 3, .flags = kWrite | kDenyOom | kFast, .keys = kFirstKey,
       .run = DecrByCommand, .group = "string", .since = "1.0.0",
       .summary = "Subtracts an integer from the integer at a key (a missing key counts as 0).",
       .syntax = "key decrement"},
      {.name = "incrbyfloat", .arity = 3, .flags = kWrite | kDenyOom | kFast, .keys = kFirstKey,
       .run = IncrByFloat, .group = "string", .since = "2.6.0",
       .summary = "Adds a decimal number to the number at a key (a missing key counts as 0).",
       .syntax = "key increment"},
      {.name = "append", .arity = 3, .flags = kWrite | kDenyOom | kFast, .keys = kFirstKey,
       .run = Append, .group = "string", .since = "2.0.0",
       .summary = "Adds bytes to the end of the string at a key, creating it if needed.",
       .syntax = "key value"},
      {.name = "strlen", .arity = 2, .flags = kReadOnly | kFast, .keys = kFirstKey,
       .run = StrLen, .group = "string", .since = "2.2.0",
       .summary = "Answers the length in bytes of the string at a key.", .syntax = "key"},
      {.name = "getrange", .arity = 4, .flags = kReadOnly, .keys = kFirstKey, .run = GetRange,
       .group = "string", .since = "2.4.0",
       .summary = "Answers the bytes of a string between two offsets.",
       .syntax = "key start end"},
      {.name = "substr", .arity = 4, .flags = kReadOnly, .keys = kFirstKey, .run = GetRange,
       .group = "string", .since = "1.0.0",
       .summary = "Answers the bytes of a string between two offsets (GETRANGE's old name).",
       .syntax = "key start end"},
      {.name = "setrange", .arity = 4, .flags = kWrite | kDenyOom, .keys = kFirstKey,
       .run = SetRange, .group = "string", .since = "2.2.0",
       .summary = "Writes bytes into a string at an offset, padding with zero bytes if needed.",
       .syntax = "key offset value"},
      {.name = "lcs", .arity = -3, .flags = kReadOnly, .keys = kTwoKeys, .run = Lcs,
       .group = "string", .since = "7.0.0", .summary = "Answers the longest common subsequence of two strings, its length or where "
                  "its runs are.",
       .syntax = "key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]"},
  };
}

}  // namespace firn
