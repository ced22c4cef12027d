#include "modules/hashes.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "modules/args.h"
#include "modules/collection_common.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "protocol/errors.h"
#include "protocol/reply.h"
#include "storage/db.h"
#include "storage/varint.h"
#include "storage/hash.h"
#include "storage/rdb.h"
#include "storage/value.h"

namespace firn {
namespace {

// ---- the hash's TypeOps row ----

// Serialized form: Redis's RDB object (storage/rdb.h): type 16 (listpack) or 4.

void SerializeHash(const Entry& e, std::string* out) { rdb::EncodeHash(*e.object_as<Hash>(), out); }

Entry* DeserializeHash(std::string_view key, std::string_view payload, int64_t expire_ms) {
  Hash* h = rdb::DecodeHash(payload);
  return h == nullptr ? nullptr : Entry::MakeObject(key, ValueType::kHash, h, expire_ms);
}

const TypeOps kHashOps = {
    .name = "hash",
    .encoding = [](const Entry& e) -> std::string_view {
      return e.object_as<Hash>()->compact() ? "listpack" : "hashtable";
    },
    .free_object = FreeObjectOf<Hash>,
    .copy_object = CopyObjectOf<Hash>,
    .memory_usage = ObjectMemoryOf<Hash>,
    .serialize = SerializeHash,
    .deserialize = DeserializeHash,
    .free_effort = [](const Entry& e) -> size_t {
      const Hash* h = e.object_as<Hash>();
      return h->compact() ? 1 : h->size();
    },
};

// ---- helpers ----

Hash* HashOf(Entry* e) { return e->object_as<Hash>(); }

bool FindHash(CommandContext& ctx, std::string_view key, Lookup how, Entry** e) {
  return FindTypedOrReply(ctx, key, ValueType::kHash, how, e);
}

Hash::Limits LimitsOf(CommandContext& ctx) {
  return {.max_compact_entries = static_cast<size_t>(ctx.config().hash_max_listpack_entries),
          .max_compact_value = static_cast<size_t>(ctx.config().hash_max_listpack_value),
          .compress_min_bytes = static_cast<size_t>(ctx.config().hash_compress_min_bytes)};
}

// A hash to write into: key's (after a write lookup), or a new one not yet stored (*e stays
// nullptr; Store puts it in the keyspace once it holds something).
struct Target {
  Entry* e = nullptr;
  Hash* h = nullptr;
};

bool OpenForWrite(CommandContext& ctx, std::string_view key, Target* t) {
  if (!FindHash(ctx, key, Lookup::kWrite, &t->e)) return false;
  t->h = t->e != nullptr ? HashOf(t->e) : new Hash();
  return true;
}

// Signals the write on an existing hash, or stores the new one (the keyspace signals it).
void Commit(CommandContext& ctx, std::string_view key, const Target& t) {
  if (t.e != nullptr) {
    ctx.db().Touched(t.e);
  } else {
    ctx.db().PutObject(key, ValueType::kHash, t.h, Entry::kNoExpire, ctx.now_ms);
  }
}

// Drops a new hash that ended up unstored (an error after OpenForWrite).
void Abandon(const Target& t) {
  if (t.e == nullptr) delete t.h;
}

std::mt19937_64& Rng() {
  static std::mt19937_64 rng(std::random_device{}());
  return rng;
}

// ---- commands ----

// HSET key field value [field value ...] -> the number of fields added.
// HMSET: the same, replying OK.
void SetFields(CommandContext& ctx, bool reply_ok) {
  if (ctx.argc() % 2 != 0) {
    ctx.Error(WrongArityError(ctx.command->name));
    return;
  }
  Target t;
  if (!OpenForWrite(ctx, ctx.arg(1), &t)) return;
  const Hash::Limits limits = LimitsOf(ctx);
  size_t longest = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) longest = std::max(longest, ctx.arg(i).size());
  t.h->ConvertIfLonger(longest, limits);
  // Every pair but the last leaves a compressed hash plain, so that it is decompressed and
  // recompressed once per command, not once per pair.
  Hash::Limits plain = limits;
  plain.compress_min_bytes = 0;
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    added += t.h->Set(ctx.arg(i), ctx.arg(i + 1), i + 2 < ctx.argc() ? plain : limits);
  }
  Commit(ctx, ctx.arg(1), t);
  if (reply_ok) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Int(added);
  }
}

void HSet(CommandContext& ctx) { SetFields(ctx, false); }
void HMSet(CommandContext& ctx) { SetFields(ctx, true); }

// HSETNX key field value -> 1 if the field was set, 0 if it existed.
void HSetNx(CommandContext& ctx) {
  Target t;
  if (!OpenForWrite(ctx, ctx.arg(1), &t)) return;
  if (t.h->Get(ctx.arg(2))) {
    Abandon(t);
    ctx.reply.Int(0);
    return;
  }
  t.h->Set(ctx.arg(2), ctx.arg(3), LimitsOf(ctx));
  Commit(ctx, ctx.arg(1), t);
  ctx.reply.Int(1);
}

// HGET key field -> the value, or nil.
void HGet(CommandContext& ctx) {
  Entry* e;
  if (!FindHash(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  std::optional<std::string_view> v;
  if (e != nullptr) v = HashOf(e)->Get(ctx.arg(2));
  if (v) {
    ctx.reply.Bulk(*v);
  } else {
    ctx.reply.Null();
  }
}

// HMGET key field [field ...] -> the values in order, nil for missing fields.
void HMGet(CommandContext& ctx) {
  Entry* e;
  if (!FindHash(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  ctx.reply.Array(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::optional<std::string_view> v;
    if (e != nullptr) v = HashOf(e)->Get(ctx.arg(i));
    if (v) {
      ctx.reply.Bulk(*v);
    } else {
      ctx.reply.Null();
    }
  }
}

enum class Part : uint8_t { kFields, kValues, kBoth };

// HGETALL key -> a map of every field to its value. HKEYS / HVALS: the fields / the values.
void GetParts(CommandContext& ctx, Part part) {
  Entry* e;
  if (!FindHash(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  const Hash* h = e != nullptr ? HashOf(e) : nullptr;
  const size_t n = h != nullptr ? h->size() : 0;
  if (part == Part::kBoth) {
    ctx.reply.Map(n);
  } else {
    ctx.reply.Array(n);
  }
  if (h == nullptr) return;
  h->ForEach([&](std::string_view f, std::string_view v) {
    if (part != Part::kValues) ctx.reply.Bulk(f);
    if (part != Part::kFields) ctx.reply.Bulk(v);
  });
}

void HGetAll(CommandContext& ctx) { GetParts(ctx, Part::kBoth); }
void HKeys(CommandContext& ctx) { GetParts(ctx, Part::kFields); }
void HVals(CommandContext& ctx) { GetParts(ctx, Part::kValues); }

// HDEL key field [field ...] -> how many fields were removed (an emptied hash is deleted).
void HDel(CommandContext& ctx) {
  Entry* e;
  if (!FindHash(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  if (e == nullptr) {
    ctx.reply.Int(0);
    return;
  }
  Hash* h = HashOf(e);
  // As in HSET, only the last field's removal may recompress (Delete without limits leaves
  // the hash plain).
  const Hash::Limits limits = LimitsOf(ctx);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argc() && !h->empty(); ++i) {
    removed += i + 1 < ctx.argc() ? h->Delete(ctx.arg(i)) : h->Delete(ctx.arg(i), limits);
  }
  ctx.reply.Int(removed);
  if (removed > 0) AfterRemoval(ctx, e, h->empty());
}

// HEXISTS key field -> 1 or 0.
void HExists(CommandContext& ctx) {
  Entry* e;
  if (!FindHash(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  ctx.reply.Int(e != nullptr && HashOf(e)->Get(ctx.arg(2)) ? 1 : 0);
}

// HLEN key -> the number of fields (0 when absent).
void HLen(CommandContext& ctx) {
  Entry* e;
  if (!FindHash(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  ctx.reply.Int(e == nullptr ? 0 : static_cast<int64_t>(HashOf(e)->size()));
}

// HSTRLEN key field -> the length of the value (0 when absent).
void HStrLen(CommandContext& ctx) {
  Entry* e;
  if (!FindHash(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  std::optional<std::string_view> v;
  if (e != nullptr) v = HashOf(e)->Get(ctx.arg(2));
  ctx.reply.Int(v ? static_cast<int64_t>(v->size()) : 0);
}

// HINCRBY key field increment -> the new value; a missing field counts as 0.
void HIncrBy(CommandContext& ctx) {
  int64_t delta;
  if (!ArgInt(ctx, 3, &delta)) return;
  Target t;
  if (!OpenForWrite(ctx, ctx.arg(1), &t)) return;
  int64_t value = 0;
  if (std::optional<std::string_view> old = t.h->Get(ctx.arg(2))) {
    if (!ParseInt64(*old, &value)) {
      Abandon(t);
      ctx.Error(err::kHashNotInteger);
      return;
    }
  }
  if ((delta < 0 && value < 0 && delta < INT64_MIN - value) ||
      (delta > 0 && value > 0 && delta > INT64_MAX - value)) {
    Abandon(t);
    ctx.Error(err::kOverflow);
    return;
  }
  value += delta;
  char buf[24];
  const size_t len = FormatInt(value, buf);
  t.h->Set(ctx.arg(2), std::string_view(buf, len), LimitsOf(ctx));
  Commit(ctx, ctx.arg(1), t);
  ctx.reply.Int(value);
}

// HINCRBYFLOAT key field increment -> the new value as a bulk string (INCRBYFLOAT's format).
void HIncrByFloat(CommandContext& ctx) {
  long double delta;
  if (!ParseLongDouble(ctx.arg(3), &delta)) {
    ctx.Error(err::kNotFloat);
    return;
  }
  if (std::isnan(delta) || std::isinf(delta)) {
    ctx.Error(err::kNanOrInfinity);
    return;
  }
  Target t;
  if (!OpenForWrite(ctx, ctx.arg(1), &t)) return;
  long double value = 0;
  if (std::optional<std::string_view> old = t.h->Get(ctx.arg(2))) {
    if (!ParseLongDouble(*old, &value)) {
      Abandon(t);
      ctx.Error(err::kHashNotFloat);
      return;
    }
  }
  value += delta;
  if (std::isnan(value) || std::isinf(value)) {
    Abandon(t);
    ctx.Error(err::kIncrFloatNaN);
    return;
  }
  const std::string text = FormatLongDouble(value);
  t.h->Set(ctx.arg(2), text, LimitsOf(ctx));
  Commit(ctx, ctx.arg(1), t);
  ctx.reply.Bulk(text);
}

// HRANDFIELD key [count [WITHVALUES]] -> one random field (nil when absent); with count > 0
// up to count distinct fields, with count < 0 exactly -count fields that may repeat;
// WITHVALUES pairs each field with its value.
void HRandField(CommandContext& ctx) {
  std::mt19937_64& rng = Rng();
  if (ctx.argc() == 2) {
    Entry* e;
    if (!FindHash(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
    if (e == nullptr) {
      ctx.reply.Null();
      return;
    }
    std::string_view f, v;
    HashOf(e)->Random(rng(), &f, &v);
    ctx.reply.Bulk(f);
    return;
  }
  int64_t count;
  if (!ArgInt(ctx, 2, &count)) return;
  if (count == INT64_MIN) {
    ctx.Error(err::kHrandfieldCountRange);
    return;
  }
  const bool with_values = ctx.argc() == 4 && EqualsNoCase(ctx.arg(3), "WITHVALUES");
  if (ctx.argc() > 4 || (ctx.argc() == 4 && !with_values)) {
    ctx.Error(err::kSyntax);
    return;
  }
  // Pairs double the reply, so Redis bounds the count to half the range then.
  if (with_values && (count < -(INT64_MAX / 2) || count > INT64_MAX / 2)) {
    ctx.Error(err::kValueOutOfRange);
    return;
  }
  Entry* e;
  if (!FindHash(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  if (e == nullptr || count == 0) {
    ctx.reply.Array(0);
    return;
  }
  const Hash* h = HashOf(e);
  auto emit = [&](std::string_view f, std::string_view v) {
    if (with_values) {
      ctx.reply.Pair();
      ctx.reply.Bulk(f);
      ctx.reply.Bulk(v);
    } else {
      ctx.reply.Bulk(f);
    }
  };
  auto open = [&](size_t n) {
    if (with_values) {
      ctx.reply.PairArray(n);
    } else {
      ctx.reply.Array(n);
    }
  };
  if (count < 0 || count == 1) {
    // Independent draws, repeats allowed.
    const auto n = static_cast<size_t>(count < 0 ? -count : count);
    open(n);
    for (size_t i = 0; i < n; ++i) {
      std::string_view f, v;
      h->Random(rng(), &f, &v);
      emit(f, v);
    }
    return;
  }
  if (static_cast<uint64_t>(count) >= h->size()) {
    open(h->size());  // the whole hash, in its own order
    h->ForEach(emit);
    return;
  }
  // count distinct pairs: a partial shuffle of all of them.
  std::vector<std::pair<std::string_view, std::string_view>> all;
  all.reserve(h->size());
  h->ForEach([&](std::string_view f, std::string_view v) { all.emplace_back(f, v); });
  const auto n = static_cast<size_t>(count);
  for (size_t i = 0; i < n; ++i) {
    std::uniform_int_distribution<size_t> pick(i, all.size() - 1);
    std::swap(all[i], all[pick(rng)]);
  }
  open(n);
  for (size_t i = 0; i < n; ++i) emit(all[i].first, all[i].second);
}

// HSCAN key cursor [MATCH pattern] [COUNT count] -> [next cursor, [field, value, ...]].
void HScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) {
    ctx.Error(err::kInvalidCursor);
    return;
  }
  Entry* e;
  if (!FindHash(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  if (e == nullptr) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("0");
    ctx.reply.Array(0);
    return;
  }
  ScanOptions opts;
  if (!ParseScanOptions(ctx, 3, &opts)) return;
  std::vector<std::pair<std::string_view, std::string_view>> found;
  const uint64_t next = HashOf(e)->Scan(cursor, static_cast<size_t>(opts.count),
                                        [&](std::string_view f, std::string_view v) {
                                          if (opts.Matches(f))
                                            found.emplace_back(f, v);
                                        });
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.Array(found.size() * 2);
  for (const auto& [f, v] : found) {
    ctx.reply.Bulk(f);
    ctx.reply.Bulk(v);
  }
}

constexpr uint32_t kWriteOom = kWrite | kDenyOom;

}  // namespace

std::vector<Command> HashCommands() {
  RegisterTypeOps(ValueType::kHash, &kHashOps);
  return {
      {.name = "hset",
       .arity = -4,
       .flags = kWriteOom | kFast,
       .keys = {1, 1, 1},
       .run = HSet,
       .group = "hash",
       .since = "2.0.0",
       .summary = "Sets fields of a hash, creating it if needed",
       .syntax = "key field value [field value ...]"},
      {.name = "hmset",
       .arity = -4,
       .flags = kWriteOom | kFast,
       .keys = {1, 1, 1},
       .run = HMSet,
       .group = "hash",
       .since = "2.0.0",
       .summary = "Sets fields of a hash and answers OK",
       .syntax = "key field value [field value ...]"},
      {.name = "hsetnx",
       .arity = 4,
       .flags = kWriteOom | kFast,
       .keys = {1, 1, 1},
       .run = HSetNx,
       .group = "hash",
       .since = "2.0.0",
       .summary = "Sets a field of a hash unless it is already there",
       .syntax = "key field value"},
      {.name = "hget",
       .arity = 3,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = HGet,
       .group = "hash",
       .since = "2.0.0",
       .summary = "Returns the value of one field",
       .syntax = "key field"},
      {.name = "hmget",
       .arity = -3,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = HMGet,
       .group = "hash",
       .since = "2.0.0",
       .summary = "Returns the values of several fields",
       .syntax = "key field [field ...]"},
      {.name = "hgetall",
       .arity = 2,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = HGetAll,
       .group = "hash",
       .since = "2.0.0",
       .summary = "Returns every field with its value",
       .syntax = "key"},
      {.name = "hkeys",
       .arity = 2,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = HKeys,
       .group = "hash",
       .since = "2.0.0",
       .summary = "Returns every field name",
       .syntax = "key"},
      {.name = "hvals",
       .arity = 2,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = HVals,
       .group = "hash",
       .since = "2.0.0",
       .summary = "Returns every value",
       .syntax = "key"},
      {.name = "hdel",
       .arity = -3,
       .flags = kWrite | kFast,
       .keys = {1, 1, 1},
       .run = HDel,
       .group = "hash",
       .since = "2.0.0",
       .summary = "Removes fields from a hash",
       .syntax = "key field [field ...]"},
      {.name = "hexists",
       .arity = 3,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = HExists,
       .group = "hash",
       .since = "2.0.0",
       .summary = "Tells whether a field is present",
       .syntax = "key field"},
      {.name = "hlen",
       .arity = 2,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = HLen,
       .group = "hash",
       .since = "2.0.0",
       .summary = "Counts the fields of a hash",
       .syntax = "key"},
      {.name = "hstrlen",
       .arity = 3,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = HStrLen,
       .group = "hash",
       .since = "3.2.0",
       .summary = "Returns the length of a field's value",
       .syntax = "key field"},
      {.name = "hincrby",
       .arity = 4,
       .flags = kWriteOom | kFast,
       .keys = {1, 1, 1},
       .run = HIncrBy,
       .group = "hash",
       .since = "2.0.0",
       .summary = "Adds an integer to a field's value",
       .syntax = "key field increment"},
      {.name = "hincrbyfloat",
       .arity = 4,
       .flags = kWriteOom | kFast,
       .keys = {1, 1, 1},
       .run = HIncrByFloat,
       .group = "hash",
       .since = "2.6.0",
       .summary = "Adds a decimal number to a field's value",
       .syntax = "key field increment"},
      {.name = "hrandfield",
       .arity = -2,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = HRandField,
       .group = "hash",
       .since = "6.2.0",
       .summary = "Picks fields of a hash at random",
       .syntax = "key [count [WITHVALUES]]"},
      {.name = "hscan",
       .arity = -3,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = HScan,
       .group = "hash",
       .since = "2.8.0",
       .summary = "Walks the fields of a hash a few at a time",
       .syntax = "key cursor [MATCH pattern] [COUNT count]"},
  };
}

}  // namespace firn
