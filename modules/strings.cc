#include "modules/strings.h"

#include <climits>
#include <cmath>
#include <string>

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

TimeUnit UnitOf(std::string_view option) {
  return (option[0] == 'E' || option[0] == 'e') ? TimeUnit::kSeconds : TimeUnit::kMilliseconds;
}

bool IsExpireOption(std::string_view a) {
  return EqualsNoCase(a, "EX") || EqualsNoCase(a, "PX") || EqualsNoCase(a, "EXAT") ||
         EqualsNoCase(a, "PXAT");
}

// Parses options from argv[first]; sends the error and returns false on a bad combination.
bool ParseStringOptions(CommandContext& ctx, size_t first, OptionsOf command, StringOptions* o) {
  const bool set = command == OptionsOf::kSet;
  size_t expire_at = 0;  // position of the last EX/PX/EXAT/PXAT
  for (size_t i = first; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (set && EqualsNoCase(a, "NX") && !o->xx) {
      o->nx = true;
    } else if (set && EqualsNoCase(a, "XX") && !o->nx) {
      o->xx = true;
    } else if (set && EqualsNoCase(a, "GET")) {
      o->get = true;
    } else if (set && EqualsNoCase(a, "KEEPTTL") && expire_at == 0) {
      o->keep_ttl = true;
    } else if (!set && EqualsNoCase(a, "PERSIST") && expire_at == 0) {
      o->persist = true;
    } else if (IsExpireOption(a) && i + 1 < ctx.argc() && !o->keep_ttl && !o->persist &&
               (expire_at == 0 || EqualsNoCase(a, ctx.arg(expire_at)))) {
      expire_at = i++;
    } else {
      ctx.Error(err::kSyntax);
      return false;
    }
  }
  if (expire_at == 0) return true;
  std::string_view opt = ctx.arg(expire_at);
  return ArgExpireMs(ctx, ctx.arg(expire_at + 1), UnitOf(opt), opt.size() == 2, &o->expire_ms);
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
  int64_t delta;
  if (ArgInt(ctx, 2, &delta)) IncrBy(ctx, delta);
}

void DecrByCommand(CommandContext& ctx) {
  int64_t delta;
  if (!ArgInt(ctx, 2, &delta)) return;
  if (delta == LLONG_MIN) {
    ctx.Error("ERR decrement would overflow");
    return;
  }
  IncrBy(ctx, -delta);
}

// INCRBYFLOAT key increment -> the new value as a bulk string (fixed notation, trimmed).
void IncrByFloat(CommandContext& ctx) {
  long double delta;
  if (!ParseLongDouble(ctx.arg(2), &delta)) {
    ctx.Error(err::kNotFloat);
    return;
  }
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
  int64_t start, end;
  if (!ArgInt(ctx, 2, &start) || !ArgInt(ctx, 3, &end)) return;
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

constexpr KeySpec kFirstKey{1, 1, 1};
constexpr KeySpec kAllKeys{1, -1, 1};
constexpr KeySpec kKeyValuePairs{1, -1, 2};

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
  };
}

}  // namespace firn
