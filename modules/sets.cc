#include "modules/sets.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "modules/args.h"
#include "modules/collection_common.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "protocol/errors.h"
#include "storage/db.h"
#include "storage/varint.h"
#include "storage/set.h"
#include "storage/rdb.h"
#include "storage/value.h"

namespace firn {
namespace {

// ---- the set's TypeOps row ----

// Serialized form: Redis's RDB object (storage/rdb.h): type 11 (intset) or 2.

void SerializeSet(const Entry& e, std::string* out) { rdb::EncodeSet(*e.object_as<Set>(), out); }

Entry* DeserializeSet(std::string_view key, std::string_view payload, int64_t expire_ms) {
  Set* s = rdb::DecodeSet(payload);
  return s == nullptr ? nullptr : Entry::MakeObject(key, ValueType::kSet, s, expire_ms);
}

const TypeOps kSetOps = {
    .name = "set",
    .encoding = [](const Entry& e) -> std::string_view {
      return e.object_as<Set>()->intset() ? "intset" : "hashtable";
    },
    .free_object = FreeObjectOf<Set>,
    .copy_object = CopyObjectOf<Set>,
    .memory_usage = ObjectMemoryOf<Set>,
    .serialize = SerializeSet,
    .deserialize = DeserializeSet,
    .free_effort = [](const Entry& e) -> size_t {
      const Set* h = e.object_as<Set>();
      return h->intset() ? 1 : h->size();
    },
};

// ---- helpers ----

Set* SetOf(Entry* e) { return e->object_as<Set>(); }

bool FindSet(CommandContext& ctx, std::string_view key, Lookup how, Entry** e) {
  return FindTypedOrReply(ctx, key, ValueType::kSet, how, e);
}

size_t IntsetLimit(CommandContext& ctx) {
  return static_cast<size_t>(ctx.config().set_max_intset_entries);
}

std::mt19937_64& Rng() {
  static std::mt19937_64 rng(std::random_device{}());
  return rng;
}

// After members were removed in place: signals the write, or deletes an emptied set.
void Removed(CommandContext& ctx, Entry* e) { AfterRemoval(ctx, e, SetOf(e)->empty()); }

void ReplyMembers(CommandContext& ctx, const Set& s) {
  ctx.reply.Set(s.size());
  s.ForEach([&](std::string_view m) { ctx.reply.Bulk(m); });
}

// ---- commands ----

// SADD key member [member ...] -> the number of members added.
void SAdd(CommandContext& ctx) {
  Entry* e;
  if (!FindSet(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  Set* s = e != nullptr ? SetOf(e) : new Set();
  const size_t limit = IntsetLimit(ctx);
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) added += s->Add(ctx.arg(i), limit);
  ctx.reply.Int(added);
  if (e == nullptr) {
    ctx.db().PutObject(ctx.arg(1), ValueType::kSet, s, Entry::kNoExpire, ctx.now_ms);
  } else if (added > 0) {
    ctx.db().Touched(e);
  }
}

// SREM key member [member ...] -> the number removed.
void SRem(CommandContext& ctx) {
  Entry* e;
  if (!FindSet(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  if (e == nullptr) {
    ctx.reply.Int(0);
    return;
  }
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argc() && !SetOf(e)->empty(); ++i) {
    removed += SetOf(e)->Remove(ctx.arg(i));
  }
  ctx.reply.Int(removed);
  if (removed > 0) Removed(ctx, e);
}

// SMEMBERS key -> every member (an intset ascending).
void SMembers(CommandContext& ctx) {
  Entry* e;
  if (!FindSet(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  if (e == nullptr) {
    ctx.reply.Set(0);
    return;
  }
  ReplyMembers(ctx, *SetOf(e));
}

// SISMEMBER key member -> 1 or 0.
void SIsMember(CommandContext& ctx) {
  Entry* e;
  if (!FindSet(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  ctx.reply.Int(e != nullptr && SetOf(e)->Contains(ctx.arg(2)) ? 1 : 0);
}

// SMISMEMBER key member [member ...] -> 1 or 0 for each member.
void SMIsMember(CommandContext& ctx) {
  Entry* e;
  if (!FindSet(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  ctx.reply.Array(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.reply.Int(e != nullptr && SetOf(e)->Contains(ctx.arg(i)) ? 1 : 0);
  }
}

// SCARD key -> the number of members.
void SCard(CommandContext& ctx) {
  Entry* e;
  if (!FindSet(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  ctx.reply.Int(e == nullptr ? 0 : static_cast<int64_t>(SetOf(e)->size()));
}

// SPOP key [count] -> a random member removed (nil when absent); with count, a set of up to
// count members removed (the whole set, and the key, when count reaches its size).
void SPop(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.Error(err::kSyntax);
    return;
  }
  const bool has_count = ctx.argc() == 3;
  int64_t count = 1;
  if (has_count && (!ParseInt64(ctx.arg(2), &count) || count < 0)) {
    ctx.Error(err::kMustBePositive);
    return;
  }
  Entry* e;
  if (!FindSet(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  if (e == nullptr) {
    if (has_count) {
      ctx.reply.Set(0);
    } else {
      ctx.reply.Null();
    }
    return;
  }
  Set* s = SetOf(e);
  if (!has_count) {
    const std::string m = s->Random(Rng()());
    s->Remove(m);
    ctx.reply.Bulk(m);
    Removed(ctx, e);
    return;
  }
  if (count == 0) {
    ctx.reply.Set(0);
    return;
  }
  if (static_cast<uint64_t>(count) >= s->size()) {
    ReplyMembers(ctx, *s);
    ctx.db().Erase(e);
    return;
  }
  ctx.reply.Set(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const std::string m = s->Random(Rng()());
    s->Remove(m);
    ctx.reply.Bulk(m);
  }
  Removed(ctx, e);
}

// SRANDMEMBER key [count] -> a random member (nil when absent); with count > 0 up to count
// distinct members, with count < 0 exactly -count that may repeat.
void SRandMember(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.Error(err::kSyntax);
    return;
  }
  std::mt19937_64& rng = Rng();
  if (ctx.argc() == 2) {
    Entry* e;
    if (!FindSet(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
    if (e == nullptr) {
      ctx.reply.Null();
      return;
    }
    ctx.reply.Bulk(SetOf(e)->Random(rng()));
    return;
  }
  int64_t count;
  if (!ArgInt(ctx, 2, &count)) return;
  if (count == INT64_MIN) {
    ctx.Error(err::kHrandfieldCountRange);
    return;
  }
  Entry* e;
  if (!FindSet(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  if (e == nullptr || count == 0) {
    ctx.reply.Array(0);
    return;
  }
  const Set& s = *SetOf(e);
  if (count < 0) {
    ctx.reply.Array(static_cast<size_t>(-count));
    for (int64_t i = 0; i < -count; ++i) ctx.reply.Bulk(s.Random(rng()));
    return;
  }
  if (static_cast<uint64_t>(count) >= s.size()) {
    ctx.reply.Array(s.size());
    s.ForEach([&](std::string_view m) { ctx.reply.Bulk(m); });
    return;
  }
  std::vector<std::string> all;
  all.reserve(s.size());
  s.ForEach([&](std::string_view m) { all.emplace_back(m); });
  const auto n = static_cast<size_t>(count);
  for (size_t i = 0; i < n; ++i) {
    std::uniform_int_distribution<size_t> pick(i, all.size() - 1);
    std::swap(all[i], all[pick(rng)]);
  }
  ctx.reply.Array(n);
  for (size_t i = 0; i < n; ++i) ctx.reply.Bulk(all[i]);
}

// SMOVE source destination member -> 1 if moved, 0 if source lacks it (or is absent).
void SMove(CommandContext& ctx) {
  Db& db = ctx.db();
  OpResult<Entry*> src = db.FindTypedForWrite(ctx.arg(1), ValueType::kSet, ctx.now_ms);
  OpResult<Entry*> dst = db.FindTypedForWrite(ctx.arg(2), ValueType::kSet, ctx.now_ms);
  if (src.status() == OpStatus::kNotFound) {
    ctx.reply.Int(0);
    return;
  }
  if (src.status() == OpStatus::kWrongType || dst.status() == OpStatus::kWrongType) {
    ctx.Error(err::kWrongType);
    return;
  }
  const std::string_view member = ctx.arg(3);
  if (dst.ok() && *dst == *src) {
    ctx.reply.Int(SetOf(*src)->Contains(member) ? 1 : 0);
    return;
  }
  if (!SetOf(*src)->Remove(member)) {
    ctx.reply.Int(0);
    return;
  }
  // Redis's events: "srem" on source (and "del" if it emptied), then "sadd" on destination
  // when the member was not there.
  const bool emptied = SetOf(*src)->size() == 0;
  Removed(ctx, *src);
  KeyspaceNotifier& notifier = ctx.engine.notifier;
  notifier.NotifyRemoved(kNotifySet, "srem", ctx.client.db, ctx.arg(1), emptied);
  bool added = true;
  if (dst.ok()) {
    added = SetOf(*dst)->Add(member, IntsetLimit(ctx));
    if (added) db.Touched(*dst);
  } else {
    auto* fresh = new Set();
    fresh->Add(member, IntsetLimit(ctx));
    db.PutObject(ctx.arg(2), ValueType::kSet, fresh, Entry::kNoExpire, ctx.now_ms);
  }
  if (added) notifier.Notify(kNotifySet, "sadd", ctx.client.db, ctx.arg(2));
  ctx.reply.Int(1);
}

// The sets named by argv[first, last): nullptr for an absent key. False after replying
// WRONGTYPE when any key holds another type (which wins over absent keys, as in Redis).
bool ReadSets(CommandContext& ctx, size_t first, size_t last, std::vector<const Set*>* out) {
  for (size_t i = first; i < last; ++i) {
    Entry* e;
    if (!FindSet(ctx, ctx.arg(i), Lookup::kRead, &e)) return false;
    out->push_back(e != nullptr ? SetOf(e) : nullptr);
  }
  return true;
}

// Stores result at key (deleting key when it is empty); replies its size.
void StoreResult(CommandContext& ctx, std::string_view key, std::unique_ptr<Set> result) {
  const size_t n = result->size();
  if (n == 0) {
    ctx.db().Delete(key, ctx.now_ms);
  } else {
    ctx.db().PutObject(key, ValueType::kSet, result.release(), Entry::kNoExpire, ctx.now_ms);
  }
  ctx.reply.Int(static_cast<int64_t>(n));
}

// The intersection, walking the smallest set (whose order the reply keeps) and probing the
// others; stops after `limit` members (0: no limit). fn gets each member.
void Intersect(std::vector<const Set*> sets, size_t limit, const Set::MemberFn& fn) {
  std::sort(sets.begin(), sets.end(),
            [](const Set* a, const Set* b) { return a->size() < b->size(); });
  size_t found = 0;
  bool done = false;
  sets[0]->ForEach([&](std::string_view m) {
    if (done) return;
    for (size_t k = 1; k < sets.size(); ++k) {
      if (!sets[k]->Contains(m)) return;
    }
    fn(m);
    if (limit != 0 && ++found >= limit) done = true;
  });
}

// SINTER key [key ...] -> the members in every set. SINTERSTORE destination key [key ...]
// -> the size of the intersection, stored at destination.
void InterCommand(CommandContext& ctx, bool store) {
  const size_t first = store ? 2 : 1;
  std::vector<const Set*> sets;
  if (!ReadSets(ctx, first, ctx.argc(), &sets)) return;
  const bool any_empty = std::find(sets.begin(), sets.end(), nullptr) != sets.end();
  if (store) {
    auto result = std::make_unique<Set>();
    if (!any_empty) {
      const size_t limit = IntsetLimit(ctx);
      Intersect(sets, 0, [&](std::string_view m) { result->Add(m, limit); });
    }
    StoreResult(ctx, ctx.arg(1), std::move(result));
    return;
  }
  if (any_empty) {
    ctx.reply.Set(0);
    return;
  }
  std::vector<std::string> members;
  Intersect(sets, 0, [&](std::string_view m) { members.emplace_back(m); });
  ctx.reply.Set(members.size());
  for (const std::string& m : members) ctx.reply.Bulk(m);
}

void SInter(CommandContext& ctx) { InterCommand(ctx, false); }
void SInterStore(CommandContext& ctx) { InterCommand(ctx, true); }

// SINTERCARD numkeys key [key ...] [LIMIT limit] -> the size of the intersection, counting
// stopped at limit (0: no limit).
void SInterCard(CommandContext& ctx) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(1), &numkeys) || numkeys < 1) {
    ctx.Error(err::kNumkeysPositive);
    return;
  }
  if (static_cast<uint64_t>(numkeys) > ctx.argc() - 2) {
    ctx.Error(err::kNumkeysAboveArgs);
    return;
  }
  const size_t end = 2 + static_cast<size_t>(numkeys);
  int64_t limit = 0;
  for (size_t j = end; j < ctx.argc(); ++j) {
    if (j + 1 < ctx.argc() && EqualsNoCase(ctx.arg(j), "LIMIT")) {
      if (!ParseInt64(ctx.arg(++j), &limit) || limit < 0) {
        ctx.Error(err::kLimitNegative);
        return;
      }
    } else {
      ctx.Error(err::kSyntax);
      return;
    }
  }
  std::vector<const Set*> sets;
  if (!ReadSets(ctx, 2, end, &sets)) return;
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) {
    ctx.reply.Int(0);
    return;
  }
  int64_t n = 0;
  Intersect(sets, static_cast<size_t>(limit), [&](std::string_view) { ++n; });
  ctx.reply.Int(n);
}

enum class Combine : uint8_t { kUnion, kDiff };

// SUNION / SDIFF key [key ...] -> the members of the union / of the first set minus the
// others; the STORE forms store the result at their first argument and reply its size.
void CombineCommand(CommandContext& ctx, Combine how, bool store) {
  const size_t first = store ? 2 : 1;
  std::vector<const Set*> sets;
  if (!ReadSets(ctx, first, ctx.argc(), &sets)) return;
  auto result = std::make_unique<Set>();
  const size_t limit = IntsetLimit(ctx);
  if (how == Combine::kUnion) {
    for (const Set* s : sets) {
      if (s != nullptr) s->ForEach([&](std::string_view m) { result->Add(m, limit); });
    }
  } else if (sets[0] != nullptr) {
    sets[0]->ForEach([&](std::string_view m) {
      for (size_t k = 1; k < sets.size(); ++k) {
        if (sets[k] != nullptr && sets[k]->Contains(m)) return;
      }
      result->Add(m, limit);
    });
  }
  if (store) {
    StoreResult(ctx, ctx.arg(1), std::move(result));
  } else {
    ReplyMembers(ctx, *result);
  }
}

void SUnion(CommandContext& ctx) { CombineCommand(ctx, Combine::kUnion, false); }
void SUnionStore(CommandContext& ctx) { CombineCommand(ctx, Combine::kUnion, true); }
void SDiff(CommandContext& ctx) { CombineCommand(ctx, Combine::kDiff, false); }
void SDiffStore(CommandContext& ctx) { CombineCommand(ctx, Combine::kDiff, true); }

// SSCAN key cursor [MATCH pattern] [COUNT count] -> [next cursor, [member, ...]].
void SScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) {
    ctx.Error(err::kInvalidCursor);
    return;
  }
  Entry* e;
  if (!FindSet(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  if (e == nullptr) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("0");
    ctx.reply.Array(0);
    return;
  }
  ScanOptions opts;
  if (!ParseScanOptions(ctx, 3, &opts)) return;
  std::vector<std::string> found;
  const uint64_t next = SetOf(e)->Scan(cursor, static_cast<size_t>(opts.count), [&](std::string_view m) {
    if (opts.Matches(m)) found.emplace_back(m);
  });
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.Array(found.size());
  for (const std::string& m : found) ctx.reply.Bulk(m);
}

constexpr uint32_t kWriteOom = kWrite | kDenyOom;

}  // namespace

std::vector<Command> SetCommands() {
  RegisterTypeOps(ValueType::kSet, &kSetOps);
  return {
      {.name = "sadd",
       .arity = -3,
       .flags = kWriteOom | kFast,
       .keys = {1, 1, 1},
       .run = SAdd,
       .group = "set",
       .since = "1.0.0",
       .summary = "Adds members to a set, creating it if needed",
       .syntax = "key member [member ...]"},
      {.name = "srem",
       .arity = -3,
       .flags = kWrite | kFast,
       .keys = {1, 1, 1},
       .run = SRem,
       .group = "set",
       .since = "1.0.0",
       .summary = "Removes members from a set",
       .syntax = "key member [member ...]"},
      {.name = "smembers",
       .arity = 2,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = SMembers,
       .group = "set",
       .since = "1.0.0",
       .summary = "Lists every member of a set",
       .syntax = "key"},
      {.name = "sismember",
       .arity = 3,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = SIsMember,
       .group = "set",
       .since = "1.0.0",
       .summary = "Tells whether a value is a member",
       .syntax = "key member"},
      {.name = "smismember",
       .arity = -3,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = SMIsMember,
       .group = "set",
       .since = "6.2.0",
       .summary = "Tells, for each of several values, whether it is a member",
       .syntax = "key member [member ...]"},
      {.name = "scard",
       .arity = 2,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = SCard,
       .group = "set",
       .since = "1.0.0",
       .summary = "Counts the members of a set",
       .syntax = "key"},
      {.name = "spop",
       .arity = -2,
       .flags = kWrite | kFast,
       .keys = {1, 1, 1},
       .run = SPop,
       .group = "set",
       .since = "1.0.0",
       .summary = "Removes and returns members chosen at random",
       .syntax = "key [count]"},
      {.name = "srandmember",
       .arity = -2,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = SRandMember,
       .group = "set",
       .since = "1.0.0",
       .summary = "Returns members chosen at random",
       .syntax = "key [count]"},
      {.name = "smove",
       .arity = 4,
       .flags = kWrite | kFast,
       .keys = {1, 2, 1},
       .run = SMove,
       .group = "set",
       .since = "1.0.0",
       .summary = "Moves a member from one set to another",
       .syntax = "source destination member"},
      {.name = "sinter",
       .arity = -2,
       .flags = kReadOnly,
       .keys = {1, -1, 1},
       .run = SInter,
       .group = "set",
       .since = "1.0.0",
       .summary = "Returns the members common to every set",
       .syntax = "key [key ...]"},
      {.name = "sintercard",
       .arity = -3,
       .flags = kReadOnly,
       .keys = {0, 0, 0},
       .run = SInterCard,
       .group = "set",
       .since = "7.0.0",
       .summary = "Counts the members common to every set, up to a limit",
       .syntax = "numkeys key [key ...] [LIMIT limit]"},
      {.name = "sinterstore",
       .arity = -3,
       .flags = kWriteOom,
       .keys = {1, -1, 1},
       .run = SInterStore,
       .group = "set",
       .since = "1.0.0",
       .summary = "Stores the members common to every set",
       .syntax = "destination key [key ...]"},
      {.name = "sunion",
       .arity = -2,
       .flags = kReadOnly,
       .keys = {1, -1, 1},
       .run = SUnion,
       .group = "set",
       .since = "1.0.0",
       .summary = "Returns the members of any of the sets",
       .syntax = "key [key ...]"},
      {.name = "sunionstore",
       .arity = -3,
       .flags = kWriteOom,
       .keys = {1, -1, 1},
       .run = SUnionStore,
       .group = "set",
       .since = "1.0.0",
       .summary = "Stores the members of any of the sets",
       .syntax = "destination key [key ...]"},
      {.name = "sdiff",
       .arity = -2,
       .flags = kReadOnly,
       .keys = {1, -1, 1},
       .run = SDiff,
       .group = "set",
       .since = "1.0.0",
       .summary = "Returns the members of the first set that no other set has",
       .syntax = "key [key ...]"},
      {.name = "sdiffstore",
       .arity = -3,
       .flags = kWriteOom,
       .keys = {1, -1, 1},
       .run = SDiffStore,
       .group = "set",
       .since = "1.0.0",
       .summary = "Stores the members of the first set that no other set has",
       .syntax = "destination key [key ...]"},
      {.name = "sscan",
       .arity = -3,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = SScan,
       .group = "set",
       .since = "2.8.0",
       .summary = "Walks the members of a set a few at a time",
       .syntax = "key cursor [MATCH pattern] [COUNT count]"},
  };
}

}  // namespace firn
