#include "modules/lists.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "modules/args.h"
#include "modules/blocking.h"
#include "modules/collection_common.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "protocol/errors.h"
#include "storage/db.h"
#include "storage/varint.h"
#include "storage/list.h"
#include "storage/rdb.h"
#include "storage/value.h"

namespace firn {
namespace {

// ---- the list's TypeOps row ----

// Serialized form: Redis's RDB object (storage/rdb.h): type 18, quicklist of listpacks.

void SerializeList(const Entry& e, std::string* out) { rdb::EncodeList(*e.object_as<List>(), out); }

Entry* DeserializeList(std::string_view key, std::string_view payload, int64_t expire_ms) {
  List* l = rdb::DecodeList(payload);
  return l == nullptr ? nullptr : Entry::MakeObject(key, ValueType::kList, l, expire_ms);
}

const TypeOps kListOps = {
    .name = "list",
    // Redis 7.0 keeps every list as a quicklist, whatever its size.
    .encoding = [](const Entry&) -> std::string_view { return "quicklist"; },
    .free_object = FreeObjectOf<List>,
    .copy_object = CopyObjectOf<List>,
    .memory_usage = ObjectMemoryOf<List>,
    .serialize = SerializeList,
    .deserialize = DeserializeList,
    .free_effort = [](const Entry& e) -> size_t {
      const List* h = e.object_as<List>();
      return h->node_count();
    },
};

// ---- helpers ----

enum class End : uint8_t { kLeft, kRight };

List* ListOf(Entry* e) { return e->object_as<List>(); }

bool FindList(CommandContext& ctx, std::string_view key, Lookup how, Entry** e) {
  return FindTypedOrReply(ctx, key, ValueType::kList, how, e);
}

// LEFT or RIGHT (any case); anything else replies a syntax error.
bool ArgEnd(CommandContext& ctx, std::string_view s, End* end) {
  if (EqualsNoCase(s, "LEFT")) {
    *end = End::kLeft;
  } else if (EqualsNoCase(s, "RIGHT")) {
    *end = End::kRight;
  } else {
    ctx.Error(err::kSyntax);
    return false;
  }
  return true;
}

// A count argument in [1, INT64_MAX] (LMPOP's COUNT), non-integers included in the error.
bool ArgRange(CommandContext& ctx, std::string_view s, int64_t min, std::string_view error,
              int64_t* out) {
  if (!ParseInt64(s, out) || *out < min) {
    ctx.Error(error);
    return false;
  }
  return true;
}

void Push(List* l, End end, std::string_view v) {
  if (end == End::kLeft) {
    l->PushFront(v);
  } else {
    l->PushBack(v);
  }
}

// The one point every push passes once its elements are in (LPUSH and friends, LINSERT,
// LMOVE's destination): the write is signalled to the keyspace observer (WATCH,
// notifications), and clients blocked on the key are to be served after this command (Redis's
// signalKeyAsReady), once the pushing command's elements have all landed.
void Pushed(CommandContext& ctx, Entry* e) {
  ctx.db().Touched(e);
  SignalKeyReady(ctx.engine, ctx.client.db, e->key());
}

// A new list of the configured node size holding v, stored at key.
Entry* CreateList(CommandContext& ctx, std::string_view key, List* l) {
  return ctx.db().PutObject(key, ValueType::kList, l, Entry::kNoExpire, ctx.now_ms);
}

// After elements were removed in place: signals the write, or deletes the key of a list that
// emptied (Redis never keeps an empty list).
void Removed(CommandContext& ctx, Entry* e) { AfterRemoval(ctx, e, ListOf(e)->empty()); }

void ReplyFront(CommandContext& ctx, List* l, End end) {
  ctx.reply.Bulk(end == End::kLeft ? l->Front() : l->Back());
}

void PopOne(List* l, End end) {
  if (end == End::kLeft) {
    l->PopFront();
  } else {
    l->PopBack();
  }
}

// Replies count elements popped from end (count <= size), one at a time so each element is
// in the reply before its node changes.
void PopInto(CommandContext& ctx, List* l, End end, size_t count) {
  ctx.reply.Array(count);
  for (size_t i = 0; i < count; ++i) {
    ReplyFront(ctx, l, end);
    PopOne(l, end);
  }
}

// Redis's index normalization for ranges: [start, stop] clipped to the list, or empty.
bool ClipRange(int64_t start, int64_t stop, size_t size, size_t* first, size_t* last) {
  const auto len = static_cast<int64_t>(size);
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  if (start > stop || start >= len) return false;
  if (stop >= len) stop = len - 1;
  *first = static_cast<size_t>(start);
  *last = static_cast<size_t>(stop);
  return true;
}

// ---- commands ----

// LPUSH/RPUSH key element [element ...] -> the length after the pushes.
// LPUSHX/RPUSHX: the same, only onto an existing list (0 otherwise).
void PushCommand(CommandContext& ctx, End end, bool only_existing) {
  Entry* e;
  if (!FindList(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  if (e == nullptr && only_existing) {
    ctx.reply.Int(0);
    return;
  }
  List* l = e != nullptr ? ListOf(e) : new List(ctx.config().list_max_listpack_size);
  for (size_t i = 2; i < ctx.argc(); ++i) Push(l, end, ctx.arg(i));
  ctx.reply.Int(static_cast<int64_t>(l->size()));
  Pushed(ctx, e != nullptr ? e : CreateList(ctx, ctx.arg(1), l));
}

void LPush(CommandContext& ctx) { PushCommand(ctx, End::kLeft, false); }
void RPush(CommandContext& ctx) { PushCommand(ctx, End::kRight, false); }
void LPushX(CommandContext& ctx) { PushCommand(ctx, End::kLeft, true); }
void RPushX(CommandContext& ctx) { PushCommand(ctx, End::kRight, true); }

// LPOP/RPOP key [count] -> the element (nil when absent); with count, an array of up to count
// elements (a nil array when the key is absent).
void PopCommand(CommandContext& ctx, End end) {
  if (ctx.argc() > 3) {
    ctx.Error(WrongArityError(ctx.command->name));
    return;
  }
  const bool has_count = ctx.argc() == 3;
  int64_t count = 1;
  if (has_count && !ArgRange(ctx, ctx.arg(2), 0, err::kMustBePositive, &count)) return;
  Entry* e;
  if (!FindList(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  if (e == nullptr) {
    if (has_count) {
      ctx.reply.NullArray();
    } else {
      ctx.reply.Null();
    }
    return;
  }
  List* l = ListOf(e);
  if (!has_count) {
    ReplyFront(ctx, l, end);
    PopOne(l, end);
  } else {
    PopInto(ctx, l, end, std::min(static_cast<size_t>(count), l->size()));
    if (count == 0) return;  // nothing changed
  }
  Removed(ctx, e);
}

void LPop(CommandContext& ctx) { PopCommand(ctx, End::kLeft); }
void RPop(CommandContext& ctx) { PopCommand(ctx, End::kRight); }

// LLEN key -> the number of elements (0 when absent).
void LLen(CommandContext& ctx) {
  Entry* e;
  if (!FindList(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  ctx.reply.Int(e == nullptr ? 0 : static_cast<int64_t>(ListOf(e)->size()));
}

// LRANGE key start stop -> the elements from start to stop inclusive (negative indexes count
// from the tail); an empty array when the range is empty or the key absent.
void LRange(CommandContext& ctx) {
  int64_t start, stop;
  if (!ArgInt(ctx, 2, &start) || !ArgInt(ctx, 3, &stop)) return;
  Entry* e;
  if (!FindList(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  size_t first, last;
  if (e == nullptr || !ClipRange(start, stop, ListOf(e)->size(), &first, &last)) {
    ctx.reply.Array(0);
    return;
  }
  ctx.reply.Array(last - first + 1);
  List::Cursor c = ListOf(e)->CursorAt(first);
  for (size_t i = first; i <= last; ++i, c.Next()) ctx.reply.Bulk(c.Get());
}

// An index argument resolved against size: false when it falls outside the list.
bool Resolve(int64_t index, size_t size, size_t* out) {
  const auto len = static_cast<int64_t>(size);
  if (index < 0) index += len;
  if (index < 0 || index >= len) return false;
  *out = static_cast<size_t>(index);
  return true;
}

// LINDEX key index -> the element, or nil when out of range or absent.
// The key is looked up before the index is parsed: an absent key answers nil whatever the index.
void LIndex(CommandContext& ctx) {
  Entry* e;
  if (!FindList(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  int64_t index;
  if (!ArgInt(ctx, 2, &index)) return;
  size_t i;
  if (!Resolve(index, ListOf(e)->size(), &i)) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Bulk(ListOf(e)->At(i));
}

// LSET key index element -> OK; "no such key" when absent, "index out of range" outside it.
// As LINDEX, the key is checked before the index is parsed.
void LSet(CommandContext& ctx) {
  Entry* e;
  if (!FindList(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  if (e == nullptr) {
    ctx.Error(err::kNoSuchKey);
    return;
  }
  int64_t index;
  if (!ArgInt(ctx, 2, &index)) return;
  size_t i;
  if (!Resolve(index, ListOf(e)->size(), &i)) {
    ctx.Error(err::kIndexOutOfRange);
    return;
  }
  ListOf(e)->Set(i, ctx.arg(3));
  ctx.db().Touched(e);
  ctx.reply.Ok();
}

// LINSERT key BEFORE|AFTER pivot element -> the new length; -1 when pivot is not found, 0
// when the key is absent.
void LInsert(CommandContext& ctx) {
  bool after;
  if (EqualsNoCase(ctx.arg(2), "AFTER")) {
    after = true;
  } else if (EqualsNoCase(ctx.arg(2), "BEFORE")) {
    after = false;
  } else {
    ctx.Error(err::kSyntax);
    return;
  }
  Entry* e;
  if (!FindList(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  if (e == nullptr) {
    ctx.reply.Int(0);
    return;
  }
  List* l = ListOf(e);
  const std::string_view pivot = ctx.arg(3);
  for (List::Cursor c = l->CursorAt(0); c.Valid(); c.Next()) {
    if (c.Get() == pivot) {
      l->Insert(c.index() + (after ? 1 : 0), ctx.arg(4));
      ctx.reply.Int(static_cast<int64_t>(l->size()));
      Pushed(ctx, e);
      return;
    }
  }
  ctx.reply.Int(-1);
}

// LREM key count element -> how many were removed: the first count matches from the head
// (count > 0), the last -count from the tail (count < 0), or all (0).
void LRem(CommandContext& ctx) {
  int64_t count;
  if (!ArgInt(ctx, 2, &count)) return;
  Entry* e;
  if (!FindList(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  if (e == nullptr) {
    ctx.reply.Int(0);
    return;
  }
  // -count without overflow for INT64_MIN.
  const uint64_t limit =
      count < 0 ? static_cast<uint64_t>(-(count + 1)) + 1 : static_cast<uint64_t>(count);
  const size_t removed = ListOf(e)->RemoveEqual(ctx.arg(3), limit, count < 0);
  ctx.reply.Int(static_cast<int64_t>(removed));
  if (removed > 0) Removed(ctx, e);
}

// LTRIM key start stop -> OK; keeps only [start, stop] (deleting the key if that is empty).
void LTrim(CommandContext& ctx) {
  int64_t start, stop;
  if (!ArgInt(ctx, 2, &start) || !ArgInt(ctx, 3, &stop)) return;
  Entry* e;
  if (!FindList(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  if (e == nullptr) {
    ctx.reply.Ok();
    return;
  }
  List* l = ListOf(e);
  const size_t size = l->size();
  size_t first, last;
  if (!ClipRange(start, stop, size, &first, &last)) {
    l->Erase(0, size);
  } else {
    l->Erase(last + 1, size - last - 1);
    l->Erase(0, first);
  }
  ctx.reply.Ok();
  Removed(ctx, e);
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] -> the index of the rank-th
// match (negative rank: counted from the tail), or nil; with COUNT, an array of up to
// num-matches indexes (0: all). MAXLEN bounds the elements compared.
void LPos(CommandContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    const std::string_view opt = ctx.arg(j);
    const bool more = j + 1 < ctx.argc();
    if (more && EqualsNoCase(opt, "RANK")) {
      if (!ArgInt(ctx, ++j, &rank)) return;
      if (rank == 0) {
        ctx.Error(err::kLposRankZero);
        return;
      }
    } else if (more && EqualsNoCase(opt, "COUNT")) {
      if (!ArgRange(ctx, ctx.arg(++j), 0, err::kLposCountNegative, &count)) return;
    } else if (more && EqualsNoCase(opt, "MAXLEN")) {
      if (!ArgRange(ctx, ctx.arg(++j), 0, err::kLposMaxlenNegative, &maxlen)) return;
    } else {
      ctx.Error(err::kSyntax);
      return;
    }
  }
  Entry* e;
  if (!FindList(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  const bool many = count != -1;
  if (e == nullptr) {
    if (many) {
      ctx.reply.Array(0);
    } else {
      ctx.reply.Null();
    }
    return;
  }
  List* l = ListOf(e);
  const bool from_tail = rank < 0;
  // The rank-th match counts; INT64_MIN (whose negation overflows) behaves as -1 there too.
  const uint64_t skip = from_tail ? (rank == INT64_MIN ? 0 : static_cast<uint64_t>(-rank) - 1)
                                  : static_cast<uint64_t>(rank) - 1;
  const std::string_view element = ctx.arg(2);
  std::vector<int64_t> found;
  uint64_t matches = 0;
  uint64_t compared = 0;
  List::Cursor c = from_tail ? l->CursorAt(l->size() - 1) : l->CursorAt(0);
  while (c.Valid() && (maxlen == 0 || compared < static_cast<uint64_t>(maxlen))) {
    ++compared;
    if (c.Get() == element && matches++ >= skip) {
      found.push_back(static_cast<int64_t>(c.index()));
      if (!many || (count > 0 && found.size() >= static_cast<uint64_t>(count))) break;
    }
    if (from_tail) {
      c.Prev();
    } else {
      c.Next();
    }
  }
  if (!many) {
    if (found.empty()) {
      ctx.reply.Null();
    } else {
      ctx.reply.Int(found[0]);
    }
    return;
  }
  ctx.reply.Array(found.size());
  for (int64_t i : found) ctx.reply.Int(i);
}

// Moves one element from source's `from` end to destination's `to` end; replies the element,
// or nil when source is absent. WRONGTYPE from either key leaves both unchanged.
void Move(CommandContext& ctx, End from, End to) {
  const std::string_view src_key = ctx.arg(1), dst_key = ctx.arg(2);
  Entry* src;
  if (!FindList(ctx, src_key, Lookup::kWrite, &src)) return;
  if (src == nullptr) {
    ctx.reply.Null();
    return;
  }
  Entry* dst;
  if (!FindList(ctx, dst_key, Lookup::kWrite, &dst)) return;
  List* l = ListOf(src);
  const std::string value(from == End::kLeft ? l->Front() : l->Back());
  PopOne(l, from);
  ctx.reply.Bulk(value);
  // Redis's events: the push on destination, then the pop on source (and its "del").
  KeyspaceNotifier& notifier = ctx.engine.notifier;
  const std::string_view push_event = to == End::kLeft ? "lpush" : "rpush";
  const std::string_view pop_event = from == End::kLeft ? "lpop" : "rpop";
  if (dst == src) {
    Push(l, to, value);
    Pushed(ctx, src);
    notifier.Notify(kNotifyList, push_event, ctx.client.db, dst_key);
    notifier.Notify(kNotifyList, pop_event, ctx.client.db, src_key);
    return;
  }
  const bool emptied = l->empty();
  Removed(ctx, src);
  if (dst != nullptr) {
    Push(ListOf(dst), to, value);
  } else {
    auto* fresh = new List(ctx.config().list_max_listpack_size);
    fresh->PushBack(value);
    dst = CreateList(ctx, dst_key, fresh);
  }
  Pushed(ctx, dst);
  notifier.Notify(kNotifyList, push_event, ctx.client.db, dst_key);
  notifier.NotifyRemoved(kNotifyList, pop_event, ctx.client.db, src_key, emptied);
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT -> the element moved, or nil.
void LMove(CommandContext& ctx) {
  End from, to;
  if (!ArgEnd(ctx, ctx.arg(3), &from) || !ArgEnd(ctx, ctx.arg(4), &to)) return;
  Move(ctx, from, to);
}

// RPOPLPUSH source destination -> as LMOVE source destination RIGHT LEFT.
void RPopLPush(CommandContext& ctx) { Move(ctx, End::kRight, End::kLeft); }

// LMPOP's and BLMPOP's body, numkeys at argv[first]: pops from the first non-empty list; when
// every key is absent, a nil array, or with blocking, blocks for timeout_ms (0: forever).
void MPop(CommandContext& ctx, size_t first, bool blocking, int64_t timeout_ms) {
  MPopArgs a;
  if (!ParseMPopArgs(ctx, first, "LEFT", "RIGHT", &a)) return;
  const End end = a.second ? End::kRight : End::kLeft;
  for (size_t k = a.keys_at; k < a.keys_end; ++k) {
    Entry* e;
    if (!FindList(ctx, ctx.arg(k), Lookup::kWrite, &e)) return;
    if (e == nullptr) continue;
    List* l = ListOf(e);
    ctx.reply.Array(2);
    ctx.reply.Bulk(ctx.arg(k));
    PopInto(ctx, l, end, std::min(a.count, l->size()));
    const bool emptied = l->empty();
    Removed(ctx, e);
    ctx.engine.notifier.NotifyRemoved(kNotifyList, end == End::kLeft ? "lpop" : "rpop",
                                      ctx.client.db, ctx.arg(k), emptied);
    return;
  }
  BlockOnKeysOrNull(ctx, a.keys_at, a.keys_end, timeout_ms, blocking);
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] -> [key, [elements]] from the first
// non-empty list, or a nil array when every key is absent.
void LMPop(CommandContext& ctx) { MPop(ctx, 1, false, 0); }

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] -> as LMPOP, but when every
// list is empty, waits up to timeout seconds (0: forever) for one to be pushed to; a nil
// array on timeout.
void BLMPop(CommandContext& ctx) {
  int64_t timeout_ms;
  if (!ParseBlockTimeout(ctx, ctx.arg(1), &timeout_ms)) return;
  MPop(ctx, 2, true, timeout_ms);
}

// BLPOP/BRPOP key [key ...] timeout -> [key, element] from the first non-empty list; when all
// are empty, waits up to timeout seconds (0: forever) for a push to any; a nil array on
// timeout.
void BlockingPop(CommandContext& ctx, End end) {
  int64_t timeout_ms;
  if (!ParseBlockTimeout(ctx, ctx.arg(ctx.argc() - 1), &timeout_ms)) return;
  for (size_t k = 1; k + 1 < ctx.argc(); ++k) {
    Entry* e;
    if (!FindList(ctx, ctx.arg(k), Lookup::kWrite, &e)) return;
    if (e == nullptr) continue;
    List* l = ListOf(e);
    ctx.reply.Array(2);
    ctx.reply.Bulk(ctx.arg(k));
    ReplyFront(ctx, l, end);
    PopOne(l, end);
    Removed(ctx, e);
    return;
  }
  BlockOnKeysOrNull(ctx, 1, ctx.argc() - 1, timeout_ms);
}

void BLPop(CommandContext& ctx) { BlockingPop(ctx, End::kLeft); }
void BRPop(CommandContext& ctx) { BlockingPop(ctx, End::kRight); }

// The blocking moves' body: as LMOVE when source holds a list; else blocks on source for
// timeout_ms (a nil reply on timeout, or at once where blocking is not allowed).
void BlockingMove(CommandContext& ctx, End from, End to, int64_t timeout_ms) {
  Entry* src;
  if (!FindList(ctx, ctx.arg(1), Lookup::kWrite, &src)) return;
  if (src != nullptr) {
    Move(ctx, from, to);
    return;
  }
  if (MayBlock(ctx)) {
    // Redis 7.0 times every list, zset and stream wait out with a null array, BLMOVE's too.
    BlockClient(ctx, {ctx.arg(1)}, timeout_ms, BlockTimeoutReply::kNullArray);
    return;
  }
  ctx.reply.Null();
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout -> the element moved; waits up to
// timeout seconds (0: forever) for source to be pushed to; a nil array on timeout (a nil
// string where it may not block), as Redis 7.0.
void BLMove(CommandContext& ctx) {
  End from, to;
  if (!ArgEnd(ctx, ctx.arg(3), &from) || !ArgEnd(ctx, ctx.arg(4), &to)) return;
  int64_t timeout_ms;
  if (!ParseBlockTimeout(ctx, ctx.arg(5), &timeout_ms)) return;
  BlockingMove(ctx, from, to, timeout_ms);
}

// BRPOPLPUSH source destination timeout -> as BLMOVE source destination RIGHT LEFT timeout.
void BRPopLPush(CommandContext& ctx) {
  int64_t timeout_ms;
  if (!ParseBlockTimeout(ctx, ctx.arg(3), &timeout_ms)) return;
  BlockingMove(ctx, End::kRight, End::kLeft, timeout_ms);
}

constexpr uint32_t kWriteOom = kWrite | kDenyOom;

}  // namespace

std::vector<Command> ListCommands() {
  RegisterTypeOps(ValueType::kList, &kListOps);
  return {
      {.name = "lpush",
       .arity = -3,
       .flags = kWriteOom | kFast,
       .keys = {1, 1, 1},
       .run = LPush,
       .group = "list",
       .since = "1.0.0",
       .summary = "Adds elements at the head of a list, creating it if needed",
       .syntax = "key element [element ...]"},
      {.name = "rpush",
       .arity = -3,
       .flags = kWriteOom | kFast,
       .keys = {1, 1, 1},
       .run = RPush,
       .group = "list",
       .since = "1.0.0",
       .summary = "Adds elements at the tail of a list, creating it if needed",
       .syntax = "key element [element ...]"},
      {.name = "lpushx",
       .arity = -3,
       .flags = kWriteOom | kFast,
       .keys = {1, 1, 1},
       .run = LPushX,
       .group = "list",
       .since = "2.2.0",
       .summary = "Adds elements at the head of an existing list",
       .syntax = "key element [element ...]"},
      {.name = "rpushx",
       .arity = -3,
       .flags = kWriteOom | kFast,
       .keys = {1, 1, 1},
       .run = RPushX,
       .group = "list",
       .since = "2.2.0",
       .summary = "Adds elements at the tail of an existing list",
       .syntax = "key element [element ...]"},
      {.name = "lpop",
       .arity = -2,
       .flags = kWrite | kFast,
       .keys = {1, 1, 1},
       .run = LPop,
       .group = "list",
       .since = "1.0.0",
       .summary = "Removes and returns elements from the head of a list",
       .syntax = "key [count]"},
      {.name = "rpop",
       .arity = -2,
       .flags = kWrite | kFast,
       .keys = {1, 1, 1},
       .run = RPop,
       .group = "list",
       .since = "1.0.0",
       .summary = "Removes and returns elements from the tail of a list",
       .syntax = "key [count]"},
      {.name = "llen",
       .arity = 2,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = LLen,
       .group = "list",
       .since = "1.0.0",
       .summary = "Counts the elements of a list",
       .syntax = "key"},
      {.name = "lrange",
       .arity = 4,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = LRange,
       .group = "list",
       .since = "1.0.0",
       .summary = "Returns the elements between two indexes",
       .syntax = "key start stop"},
      {.name = "lindex",
       .arity = 3,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = LIndex,
       .group = "list",
       .since = "1.0.0",
       .summary = "Returns the element at an index",
       .syntax = "key index"},
      {.name = "lset",
       .arity = 4,
       .flags = kWriteOom,
       .keys = {1, 1, 1},
       .run = LSet,
       .group = "list",
       .since = "1.0.0",
       .summary = "Replaces the element at an index",
       .syntax = "key index element"},
      {.name = "linsert",
       .arity = 5,
       .flags = kWriteOom,
       .keys = {1, 1, 1},
       .run = LInsert,
       .group = "list",
       .since = "2.2.0",
       .summary = "Inserts an element next to the first occurrence of a pivot",
       .syntax = "key BEFORE|AFTER pivot element"},
      {.name = "lrem",
       .arity = 4,
       .flags = kWrite,
       .keys = {1, 1, 1},
       .run = LRem,
       .group = "list",
       .since = "1.0.0",
       .summary = "Removes occurrences of an element, from the head or the tail",
       .syntax = "key count element"},
      {.name = "ltrim",
       .arity = 4,
       .flags = kWrite,
       .keys = {1, 1, 1},
       .run = LTrim,
       .group = "list",
       .since = "1.0.0",
       .summary = "Keeps only the elements between two indexes",
       .syntax = "key start stop"},
      {.name = "lpos",
       .arity = -3,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = LPos,
       .group = "list",
       .since = "6.0.6",
       .summary = "Finds the indexes of an element's occurrences",
       .syntax = "key element [RANK rank] [COUNT num-matches] [MAXLEN len]"},
      {.name = "lmove",
       .arity = 5,
       .flags = kWriteOom,
       .keys = {1, 2, 1},
       .run = LMove,
       .group = "list",
       .since = "6.2.0",
       .summary = "Moves an element from one end of a list to an end of another",
       .syntax = "source destination LEFT|RIGHT LEFT|RIGHT"},
      {.name = "rpoplpush",
       .arity = 3,
       .flags = kWriteOom,
       .keys = {1, 2, 1},
       .run = RPopLPush,
       .group = "list",
       .since = "1.2.0",
       .summary = "Moves the tail element of a list to the head of another",
       .syntax = "source destination"},
      {.name = "lmpop",
       .arity = -4,
       .flags = kWrite,
       .keys = {0, 0, 0},
       .run = LMPop,
       .group = "list",
       .since = "7.0.0",
       .summary = "Pops elements from the first non-empty list of several",
       .syntax = "numkeys key [key ...] LEFT|RIGHT [COUNT count]"},
      {.name = "blpop",
       .arity = -3,
       .flags = kWrite | kNoScript | kBlocking,
       .keys = {1, -2, 1},
       .run = BLPop,
       .group = "list",
       .since = "2.0.0",
       .summary = "Pops the head of the first non-empty list, waiting for one if all are empty",
       .syntax = "key [key ...] timeout"},
      {.name = "brpop",
       .arity = -3,
       .flags = kWrite | kNoScript | kBlocking,
       .keys = {1, -2, 1},
       .run = BRPop,
       .group = "list",
       .since = "2.0.0",
       .summary = "Pops the tail of the first non-empty list, waiting for one if all are empty",
       .syntax = "key [key ...] timeout"},
      {.name = "brpoplpush",
       .arity = 4,
       .flags = kWriteOom | kNoScript | kBlocking,
       .keys = {1, 2, 1},
       .run = BRPopLPush,
       .group = "list",
       .since = "2.2.0",
       .summary = "Moves the tail of a list to the head of another, waiting for the source",
       .syntax = "source destination timeout"},
      {.name = "blmove",
       .arity = 6,
       .flags = kWriteOom | kNoScript | kBlocking,
       .keys = {1, 2, 1},
       .run = BLMove,
       .group = "list",
       .since = "6.2.0",
       .summary = "Moves an element between lists, waiting for the source to have one",
       .syntax = "source destination LEFT|RIGHT LEFT|RIGHT timeout"},
      {.name = "blmpop",
       .arity = -5,
       .flags = kWrite | kBlocking,
       .keys = {0, 0, 0},
       .run = BLMPop,
       .group = "list",
       .since = "7.0.0",
       .summary = "Pops from the first non-empty list of several, waiting for one if all are empty",
       .syntax = "timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]"},
  };
}

}  // namespace firn
