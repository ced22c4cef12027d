// Generic key commands, after Redis's db.c and expire.c: DEL, UNLINK, EXISTS, TOUCH, TYPE, the
// EXPIRE and TTL families, PERSIST, RENAME, RENAMENX, COPY, MOVE, KEYS, SCAN, RANDOMKEY and
// OBJECT. They work on any value type (strings and rate limiters alike).
//
// Lookups follow Redis's flags, because INFO's keyspace_hits/misses and the eviction clock
// depend on them: inspections (EXISTS, TYPE, TTL, OBJECT) count a hit or miss but do not mark
// the key used (LOOKUP_NOTOUCH); TOUCH and COPY's source read as GET does; writes (EXPIRE,
// RENAME, MOVE...) mark the key used and count nothing. An expired key met by any lookup is
// deleted on the way, so every command here sees only live keys.
//
// SCAN is Redis's: the cursor is a reverse-binary bucket index (storage/dict.h), which keeps
// its guarantee (a key present for the whole iteration is returned at least once) while the
// table grows or shrinks between calls. COUNT bounds the keys collected per call before MATCH
// and TYPE filter them, and at most COUNT * 10 buckets are visited, so a call on a sparse
// table returns quickly, possibly with no keys and a non-zero cursor.
#include "modules/keys.h"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <iterator>
#include <string>
#include <vector>

#include "modules/args.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "protocol/errors.h"
#include "storage/db.h"
#include "storage/evict.h"
#include "storage/keyspace.h"

namespace firn {
namespace {

constexpr int64_t kNoExpire = Entry::kNoExpire;

// Redis shares the objects of the integers 0..9999 (OBJ_SHARED_INTEGERS) unless maxmemory is
// set with an LRU or LFU policy, and reports their refcount as INT_MAX (OBJ_SHARED_REFCOUNT).
constexpr int64_t kSharedIntegers = 10000;
constexpr int64_t kSharedRefcount = INT_MAX;
// TYPE's name for a value type (its TypeOps row says).
std::string_view TypeName(ValueType type) { return TypeOpsOf(type).name; }

bool IsLfuPolicy(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu;
}

bool IsLruPolicy(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysLru || p == EvictionPolicy::kVolatileLru;
}

// The live entry for key, counted as a keyspace hit or miss but not marked used: Redis's
// lookupKeyReadWithFlags(LOOKUP_NOTOUCH), which EXISTS, TYPE, TTL and OBJECT use.
Entry* Inspect(CommandContext& ctx, std::string_view key) {
  return ctx.db().FindForInspect(key, ctx.now_ms);
}

// Reads a database number as Redis's getIntFromObjectOrReply + selectDb do: not an integer,
// outside int, then outside [0, databases) are three different errors.
int ParseDb(ArgParser& args, std::string_view s, int databases) {
  const int64_t v = args.Parse<int64_t>(s);
  if (!args.Ok()) return 0;
  if (v < INT_MIN || v > INT_MAX) {
    args.Fail(err::kNotInt32);
  } else if (v < 0 || v >= databases) {
    args.Fail(err::kDbIndexOutOfRange);
  }
  return static_cast<int>(v);
}

// DEL key [key ...] / UNLINK key [key ...] -> the number of keys deleted. UNLINK (and DEL
// under lazyfree-lazy-user-del) hands a value of more than 64 allocations to the background
// freer (storage/lazyfree.h); smaller ones are freed at once either way.
void DeleteKeys(CommandContext& ctx, bool lazy) {
  int64_t deleted = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (ctx.db().Delete(ctx.arg(i), ctx.now_ms, lazy ? FreeMode::kBackground : FreeMode::kNow))
      ++deleted;
  }
  ctx.reply.Int(deleted);
}

void Del(CommandContext& ctx) { DeleteKeys(ctx, ctx.config().lazyfree_lazy_user_del); }

void Unlink(CommandContext& ctx) { DeleteKeys(ctx, true); }

// EXISTS key [key ...] -> how many of the arguments exist (a key named twice counts twice).
void Exists(CommandContext& ctx) {
  int64_t found = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (Inspect(ctx, ctx.arg(i)) != nullptr) ++found;
  }
  ctx.reply.Int(found);
}

// TOUCH key [key ...] -> how many of the arguments exist; each is marked used, as a read.
void Touch(CommandContext& ctx) {
  int64_t found = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (ctx.db().FindForRead(ctx.arg(i), ctx.now_ms) != nullptr) ++found;
  }
  ctx.reply.Int(found);
}

// TYPE key -> +string, +ratelimit, or +none when the key does not exist.
void Type(CommandContext& ctx) {
  Entry* e = Inspect(ctx, ctx.arg(1));
  ctx.reply.Simple(e == nullptr ? "none" : TypeName(e->type()));
}

// EXPIRE's conditions (Redis's EXPIRE_NX...).
enum ExpireCondition : unsigned { kIfNoTtl = 1, kIfTtl = 2, kIfLater = 4, kIfSooner = 8 };

// Reads [NX | XX | GT | LT] from argv[3] on, as Redis's parseExtendedExpireArgumentsOrReply:
// any word repeats freely; an unknown word, then a conflicting pair, are errors. Checked
// before the time argument, so these errors win over a malformed number.
unsigned ParseExpireConditions(ArgParser& args) {
  static constexpr unsigned kByIndex[] = {kIfNoTtl, kIfTtl, kIfLater, kIfSooner};
  unsigned c = 0;
  while (args.HasNext()) {
    const int i = args.OneOf({"NX", "XX", "GT", "LT"});
    if (i < 0) {
      args.FailOwned(std::string(err::kUnsupportedOption).append(args.Peek()));
    } else {
      c |= kByIndex[i];
    }
  }
  if (!args.Ok()) return 0;
  if ((c & kIfNoTtl) && (c & (kIfTtl | kIfLater | kIfSooner))) {
    args.Fail(err::kExpireNxConflict);
  } else if ((c & kIfLater) && (c & kIfSooner)) {
    args.Fail(err::kExpireGtLtConflict);
  }
  return c;
}

// Whether the conditions allow replacing current_ms (kNoExpire: none, which GT and LT treat
// as an infinite TTL) by when_ms.
bool ExpireAllowed(unsigned c, int64_t current_ms, int64_t when_ms) {
  const bool has_ttl = current_ms != kNoExpire;
  if ((c & kIfNoTtl) && has_ttl) return false;
  if ((c & kIfTtl) && !has_ttl) return false;
  if ((c & kIfLater) && (!has_ttl || when_ms <= current_ms)) return false;
  if ((c & kIfSooner) && has_ttl && when_ms >= current_ms) return false;
  return true;
}

// EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT key time [NX | XX | GT | LT]
// -> 1 if the expiry was set (or the key deleted because the time is already past), 0 if the
// key does not exist or a condition was not met. Negative times are allowed (they delete);
// a time that overflows once converted to absolute ms is "invalid expire time".
void ExpireGeneric(CommandContext& ctx, TimeUnit unit, bool relative) {
  ArgParser args(ctx.argv, 3);
  const unsigned conditions = ParseExpireConditions(args);
  int64_t when = args.Parse<int64_t>(ctx.arg(2));  // after the conditions, as Redis
  if (!args.Ok()) return ctx.Error(args.ErrorText());
  if (unit == TimeUnit::kSeconds) {
    if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) {
      ctx.Error(InvalidExpireError(ctx.command->name));
      return;
    }
    when *= 1000;
  }
  const int64_t base = relative ? ctx.now_ms : 0;
  if (when > LLONG_MAX - base) {
    ctx.Error(InvalidExpireError(ctx.command->name));
    return;
  }
  when += base;
  Db& db = ctx.db();
  Entry* e = db.FindForWrite(ctx.arg(1), ctx.now_ms);
  if (e == nullptr || !ExpireAllowed(conditions, e->expire_ms(), when)) {
    ctx.reply.Int(0);
    return;
  }
  if (when <= ctx.now_ms) {
    db.Erase(e);  // already past: deleted now, not counted as an expiry (as Redis)
  } else {
    db.SetExpire(e, when);
  }
  ctx.reply.Int(1);
}

void Expire(CommandContext& ctx) { ExpireGeneric(ctx, TimeUnit::kSeconds, true); }
void PExpire(CommandContext& ctx) { ExpireGeneric(ctx, TimeUnit::kMilliseconds, true); }
void ExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, TimeUnit::kSeconds, false); }
void PExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, TimeUnit::kMilliseconds, false); }

// TTL / PTTL / EXPIRETIME / PEXPIRETIME key -> the remaining time (TTL, PTTL) or the absolute
// Unix time (EXPIRETIME, PEXPIRETIME); -1 when the key has no expiry, -2 when it does not
// exist. Seconds are rounded to the nearest: (ms + 500) / 1000.
void TtlGeneric(CommandContext& ctx, TimeUnit unit, bool absolute) {
  Entry* e = Inspect(ctx, ctx.arg(1));
  if (e == nullptr) {
    ctx.reply.Int(-2);
    return;
  }
  if (!e->has_expire()) {
    ctx.reply.Int(-1);
    return;
  }
  int64_t ms = absolute ? e->expire_ms() : e->expire_ms() - ctx.now_ms;
  if (ms < 0) ms = 0;
  if (unit == TimeUnit::kMilliseconds) {
    ctx.reply.Int(ms);
  } else {
    // Unsigned, so an expiry near INT64_MAX rounds without overflowing, as Redis's build does.
    ctx.reply.Int(static_cast<int64_t>((static_cast<uint64_t>(ms) + 500) / 1000));
  }
}

void Ttl(CommandContext& ctx) { TtlGeneric(ctx, TimeUnit::kSeconds, false); }
void PTtl(CommandContext& ctx) { TtlGeneric(ctx, TimeUnit::kMilliseconds, false); }
void ExpireTime(CommandContext& ctx) { TtlGeneric(ctx, TimeUnit::kSeconds, true); }
void PExpireTime(CommandContext& ctx) { TtlGeneric(ctx, TimeUnit::kMilliseconds, true); }

// PERSIST key -> 1 if an expiry was removed, 0 if the key is missing or had none.
void Persist(CommandContext& ctx) {
  Db& db = ctx.db();
  Entry* e = db.FindForWrite(ctx.arg(1), ctx.now_ms);
  if (e == nullptr || !e->has_expire()) {
    ctx.reply.Int(0);
    return;
  }
  db.SetExpire(e, kNoExpire);
  ctx.reply.Int(1);
}

// RENAME answers OK whenever it succeeds (renaming a key to itself included); RENAMENX
// answers whether the key moved.
void ReplyRenamed(CommandContext& ctx, bool nx, bool moved) {
  if (nx) {
    ctx.reply.Int(moved ? 1 : 0);
  } else {
    ctx.reply.Ok();
  }
}

// RENAME key newkey -> OK; RENAMENX key newkey -> 1, or 0 if newkey exists. "no such key"
// when key does not exist (even when both names are the same). The value, its expiry, its
// encoding and its eviction metadata move; an existing newkey is deleted first (RENAME).
void RenameGeneric(CommandContext& ctx, bool nx) {
  Db& db = ctx.db();
  std::string_view from = ctx.arg(1), to = ctx.arg(2);
  Entry* src = db.FindForWrite(from, ctx.now_ms);
  if (src == nullptr) {
    ctx.Error(err::kNoSuchKey);
    return;
  }
  if (from == to) {
    ReplyRenamed(ctx, nx, false);
    return;
  }
  // Lookups never move entries in memory, so src stays valid across this one.
  if (Entry* dst = db.FindForWrite(to, ctx.now_ms); dst != nullptr) {
    if (nx) {
      ReplyRenamed(ctx, nx, false);
      return;
    }
    db.Erase(dst);
  }
  // The key lives inside the entry's allocation: a new entry takes over the value slot (an
  // out-of-line value moves, it is not copied) and the old allocation goes.
  Entry* old = db.Detach(src);
  db.Adopt(Entry::Rehome(old, to, old->expire_ms()));
  ReplyRenamed(ctx, nx, true);
}

void Rename(CommandContext& ctx) { RenameGeneric(ctx, false); }
void RenameNx(CommandContext& ctx) { RenameGeneric(ctx, true); }

// COPY source destination [DB destination-db] [REPLACE] -> 1 if copied, 0 if source is
// missing or destination exists (without REPLACE). The copy keeps the expiry.
void Copy(CommandContext& ctx) {
  int target = ctx.client.db;
  bool replace = false;
  ArgParser args(ctx.argv, 3);
  while (args.HasNext()) {
    std::string_view db;
    if (args.Flag("REPLACE")) {
      replace = true;
    } else if (args.OptionWithValue("DB", &db)) {
      target = ParseDb(args, db, ctx.keyspace().count());
    } else {
      args.Fail(err::kSyntax);
    }
  }
  if (!args.Ok()) return ctx.Error(args.ErrorText());
  std::string_view from = ctx.arg(1), to = ctx.arg(2);
  if (target == ctx.client.db && from == to) {
    ctx.Error(err::kSameObject);
    return;
  }
  Entry* src = ctx.db().FindForRead(from, ctx.now_ms);
  if (src == nullptr) {
    ctx.reply.Int(0);
    return;
  }
  Db& dst_db = ctx.keyspace().db(target);
  if (Entry* dst = dst_db.FindForWrite(to, ctx.now_ms); dst != nullptr) {
    if (!replace) {
      ctx.reply.Int(0);
      return;
    }
    dst_db.Erase(dst);  // a different key from src, so src stays valid
  }
  Entry* copy = Entry::Clone(src, to);  // a deep copy through the type's TypeOps
  ctx.keyspace().evictor().Admit(copy, ctx.now_ms);
  dst_db.Adopt(copy);
  ctx.reply.Int(1);
}

// MOVE key db -> 1 if moved, 0 if key is missing here or exists in db. The entry itself
// moves, with its expiry and eviction metadata.
void Move(CommandContext& ctx) {
  ArgParser args(ctx.argv, 2);
  const int target = ParseDb(args, args.Next(), ctx.keyspace().count());
  if (!args.Ok()) return ctx.Error(args.ErrorText());
  if (target == ctx.client.db) {
    ctx.Error(err::kSameObject);
    return;
  }
  Db& src_db = ctx.db();
  Entry* e = src_db.FindForWrite(ctx.arg(1), ctx.now_ms);
  if (e == nullptr) {
    ctx.reply.Int(0);
    return;
  }
  Db& dst_db = ctx.keyspace().db(target);
  if (dst_db.FindForWrite(ctx.arg(1), ctx.now_ms) != nullptr) {
    ctx.reply.Int(0);
    return;
  }
  dst_db.Adopt(src_db.Detach(e));
  ctx.reply.Int(1);
}

// KEYS pattern -> every live key matching the glob pattern, in table order.
void Keys(CommandContext& ctx) {
  std::string_view pattern = ctx.arg(1);
  const bool all = pattern == "*";
  std::vector<std::string_view> keys;
  uint64_t cursor = 0;
  // A full cursor cycle over a table nobody modifies meanwhile visits each entry once.
  do {
    cursor = ctx.db().Scan(cursor, ctx.now_ms, [&](Entry* e) {
      if (all || GlobMatch(pattern, e->key())) keys.push_back(e->key());
    });
  } while (cursor != 0);
  ctx.reply.Array(keys.size());
  for (std::string_view k : keys) ctx.reply.Bulk(k);
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] -> [next cursor (bulk), [keys...]].
// The iteration is complete when the cursor returned is "0".
void Scan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(1), &cursor)) {
    ctx.Error(err::kInvalidCursor);
    return;
  }
  int64_t count = 10;
  std::string_view pattern, type;
  bool use_pattern = false, use_type = false;
  ArgParser args(ctx.argv, 2);
  while (args.HasNext()) {
    if (args.OptionWithValue("COUNT", &count)) {
      if (args.Ok() && count < 1) args.Fail(err::kSyntax);
    } else if (args.OptionWithValue("MATCH", &pattern)) {
      use_pattern = pattern != "*";
    } else if (args.OptionWithValue("TYPE", &type)) {
      use_type = true;
    } else {
      args.Fail(err::kSyntax);
    }
  }
  if (!args.Ok()) return ctx.Error(args.ErrorText());
  KeyspaceStats& stats = ctx.keyspace().stats();
  std::vector<std::string_view> keys;
  uint64_t collected = 0;  // before MATCH and TYPE filter, as Redis counts
  int64_t max_iterations = count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;
  do {
    cursor = ctx.db().Scan(cursor, ctx.now_ms, [&](Entry* e) {
      ++collected;
      if (use_pattern && !GlobMatch(pattern, e->key())) return;
      if (use_type) {
        ++stats.keyspace_hits;  // Redis looks each candidate up to learn its type
        if (!EqualsNoCase(type, TypeName(e->type()))) return;
      }
      keys.push_back(e->key());
    });
  } while (cursor != 0 && max_iterations-- != 0 && collected < static_cast<uint64_t>(count));
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(cursor));
  ctx.reply.Array(keys.size());
  for (std::string_view k : keys) ctx.reply.Bulk(k);
}

// RANDOMKEY -> a random live key, or nil when the database is empty.
void RandomKey(CommandContext& ctx) {
  Db& db = ctx.db();
  Entry* e = db.Random(ctx.now_ms);
  // Db::Random gives up after deleting a run of expired keys; like Redis, keep drawing (each
  // round deletes keys, so this ends) rather than answer nil while live keys remain.
  while (e == nullptr && db.size() > 0) e = db.Random(ctx.now_ms);
  if (e == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(e->key());
  }
}

// OBJECT ENCODING key -> the value's encoding as its TypeOps row names it ("int", "embstr",
// "raw", "ratelimit", ...); nil if the key is missing.
void ObjectEncoding(CommandContext& ctx) {
  Entry* e = Inspect(ctx, ctx.arg(2));
  if (e == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(TypeOpsOf(e->type()).encoding(*e));
  }
}

// OBJECT REFCOUNT key -> 1, or INT_MAX where Redis would share the value (an integer 0..9999
// with no LRU/LFU maxmemory policy); nil if the key is missing.
void ObjectRefcount(CommandContext& ctx) {
  Entry* e = Inspect(ctx, ctx.arg(2));
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  const Config& cfg = ctx.config();
  const bool sharing = cfg.maxmemory == 0 || !(IsLruPolicy(cfg.maxmemory_policy) ||
                                               IsLfuPolicy(cfg.maxmemory_policy));
  int64_t n;
  const bool shared = sharing && e->type() == ValueType::kString && e->value().size() <= 20 &&
                      ParseInt64(e->value(), &n) && n >= 0 && n < kSharedIntegers;
  ctx.reply.Int(shared ? kSharedRefcount : 1);
}

// OBJECT IDLETIME key -> seconds since the key was last used; nil if missing; an error under
// an LFU policy, which keeps a frequency instead.
void ObjectIdletime(CommandContext& ctx) {
  Entry* e = Inspect(ctx, ctx.arg(2));
  if (e == nullptr) {
    ctx.reply.Null();
  } else if (IsLfuPolicy(ctx.config().maxmemory_policy)) {
    ctx.Error(err::kLfuSelected);
  } else {
    ctx.reply.Int(ctx.keyspace().evictor().IdleMs(e, ctx.now_ms) / 1000);
  }
}

// OBJECT FREQ key -> the logarithmic access counter (0..255, after decay); nil if missing; an
// error unless an LFU policy is selected.
void ObjectFreq(CommandContext& ctx) {
  Entry* e = Inspect(ctx, ctx.arg(2));
  if (e == nullptr) {
    ctx.reply.Null();
  } else if (!IsLfuPolicy(ctx.config().maxmemory_policy)) {
    ctx.Error(err::kLfuNotSelected);
  } else {
    ctx.reply.Int(ctx.keyspace().evictor().Frequency(e, ctx.now_ms));
  }
}

// OBJECT HELP -> Redis's help lines, as status replies.
void ObjectHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.Array(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.Simple(line);
}

constexpr KeySpec kFirstKey{1, 1, 1};
constexpr KeySpec kAllKeys{1, -1, 1};
constexpr KeySpec kTwoKeys{1, 2, 1};
constexpr KeySpec kSecondArgKey{2, 2, 1};

std::vector<Command> ObjectSubcommands() {
  return {
      {.name = "object|encoding", .arity = 3, .flags = kReadOnly | kRandom,
       .keys = kSecondArgKey, .run = ObjectEncoding, .group = "generic", .since = "2.2.3",
       .summary = "Names the internal representation of a key's value.", .syntax = "key"},
      {.name = "object|freq", .arity = 3, .flags = kReadOnly | kRandom, .keys = kSecondArgKey,
       .run = ObjectFreq, .group = "generic", .since = "4.0.0",
       .summary = "Answers a key's logarithmic access-frequency counter (LFU policies).",
       .syntax = "key"},
      {.name = "object|help", .arity = 2, .flags = kLoading | kStale, .run = ObjectHelp,
       .group = "generic", .since = "6.2.0",
       .summary = "Lists the OBJECT subcommands.", .syntax = ""},
      {.name = "object|idletime", .arity = 3, .flags = kReadOnly | kRandom,
       .keys = kSecondArgKey, .run = ObjectIdletime, .group = "generic", .since = "2.2.3",
       .summary = "Answers the seconds since a key was last read or written.", .syntax = "key"},
      {.name = "object|refcount", .arity = 3, .flags = kReadOnly | kRandom,
       .keys = kSecondArgKey, .run = ObjectRefcount, .group = "generic", .since = "2.2.3",
       .summary = "Answers how many references a key's value has.", .syntax = "key"},
  };
}

}  // namespace

std::vector<Command> KeyCommands() {
  return {
      {.name = "del", .arity = -2, .flags = kWrite, .keys = kAllKeys, .run = Del,
       .group = "generic", .since = "1.0.0", .summary = "Removes keys.",
       .syntax = "key [key ...]"},
      {.name = "unlink", .arity = -2, .flags = kWrite | kFast, .keys = kAllKeys, .run = Unlink,
       .group = "generic", .since = "4.0.0",
       .summary = "Removes keys; in Firn exactly as DEL.",
       .syntax = "key [key ...]"},
      {.name = "exists", .arity = -2, .flags = kReadOnly | kFast, .keys = kAllKeys,
       .run = Exists, .group = "generic", .since = "1.0.0",
       .summary = "Counts how many of the given keys exist.", .syntax = "key [key ...]"},
      {.name = "touch", .arity = -2, .flags = kReadOnly | kFast, .keys = kAllKeys, .run = Touch,
       .group = "generic", .since = "3.2.1",
       .summary = "Marks keys as just used and counts how many exist.",
       .syntax = "key [key ...]"},
      {.name = "type", .arity = 2, .flags = kReadOnly | kFast, .keys = kFirstKey, .run = Type,
       .group = "generic", .since = "1.0.0", .summary = "Names the type of the value at a key.",
       .syntax = "key"},
      {.name = "expire", .arity = -3, .flags = kWrite | kFast, .keys = kFirstKey, .run = Expire,
       .group = "generic", .since = "1.0.0", .summary = "Gives a key a time to live, in seconds.",
       .syntax = "key seconds [NX | XX | GT | LT]"},
      {.name = "pexpire", .arity = -3, .flags = kWrite | kFast, .keys = kFirstKey,
       .run = PExpire, .group = "generic", .since = "2.6.0",
       .summary = "Gives a key a time to live, in milliseconds.",
       .syntax = "key milliseconds [NX | XX | GT | LT]"},
      {.name = "expireat", .arity = -3, .flags = kWrite | kFast, .keys = kFirstKey,
       .run = ExpireAt, .group = "generic", .since = "1.2.0",
       .summary = "Makes a key expire at a Unix time in seconds.",
       .syntax = "key unix-time-seconds [NX | XX | GT | LT]"},
      {.name = "pexpireat", .arity = -3, .flags = kWrite | kFast, .keys = kFirstKey,
       .run = PExpireAt, .group = "generic", .since = "2.6.0",
       .summary = "Makes a key expire at a Unix time in milliseconds.",
       .syntax = "key unix-time-milliseconds [NX | XX | GT | LT]"},
      {.name = "ttl", .arity = 2, .flags = kReadOnly | kFast | kRandom, .keys = kFirstKey,
       .run = Ttl, .group = "generic", .since = "1.0.0",
       .summary = "Answers the seconds a key has left to live.", .syntax = "key"},
      {.name = "pttl", .arity = 2, .flags = kReadOnly | kFast | kRandom, .keys = kFirstKey,
       .run = PTtl, .group = "generic", .since = "2.6.0",
       .summary = "Answers the milliseconds a key has left to live.", .syntax = "key"},
      {.name = "expiretime", .arity = 2, .flags = kReadOnly | kFast, .keys = kFirstKey,
       .run = ExpireTime, .group = "generic", .since = "7.0.0",
       .summary = "Answers the Unix time in seconds at which a key expires.", .syntax = "key"},
      {.name = "pexpiretime", .arity = 2, .flags = kReadOnly | kFast, .keys = kFirstKey,
       .run = PExpireTime, .group = "generic", .since = "7.0.0",
       .summary = "Answers the Unix time in milliseconds at which a key expires.",
       .syntax = "key"},
      {.name = "persist", .arity = 2, .flags = kWrite | kFast, .keys = kFirstKey,
       .run = Persist, .group = "generic", .since = "2.2.0",
       .summary = "Clears a key's expiry so that it lives until deleted.", .syntax = "key"},
      {.name = "rename", .arity = 3, .flags = kWrite, .keys = kTwoKeys, .run = Rename,
       .group = "generic", .since = "1.0.0",
       .summary = "Gives a key a new name, replacing any key of that name.",
       .syntax = "key newkey"},
      {.name = "renamenx", .arity = 3, .flags = kWrite | kFast, .keys = kTwoKeys,
       .run = RenameNx, .group = "generic", .since = "1.0.0",
       .summary = "Gives a key a new name if no key has that name yet.", .syntax = "key newkey"},
      {.name = "copy", .arity = -3, .flags = kWrite | kDenyOom, .keys = kTwoKeys, .run = Copy,
       .group = "generic", .since = "6.2.0",
       .summary = "Duplicates a key's value under another key, optionally in another database.",
       .syntax = "source destination [DB destination-db] [REPLACE]"},
      {.name = "move", .arity = 3, .flags = kWrite | kFast, .keys = kFirstKey, .run = Move,
       .group = "generic", .since = "1.0.0", .summary = "Moves a key to another database.",
       .syntax = "key db"},
      {.name = "keys", .arity = 2, .flags = kReadOnly, .run = Keys, .group = "generic",
       .since = "1.0.0", .summary = "Lists every key that matches a glob pattern.",
       .syntax = "pattern"},
      {.name = "scan", .arity = -2, .flags = kReadOnly | kRandom, .run = Scan,
       .group = "generic", .since = "2.8.0",
       .summary = "Walks the keyspace a batch at a time with a cursor.",
       .syntax = "cursor [MATCH pattern] [COUNT count] [TYPE type]"},
      {.name = "randomkey", .arity = 1, .flags = kReadOnly | kRandom, .run = RandomKey,
       .group = "generic", .since = "1.0.0", .summary = "Answers a key picked at random.",
       .syntax = ""},
      {.name = "object", .arity = -2, .flags = 0, .run = RunSubcommand, .group = "generic",
       .since = "2.2.3", .summary = "Inspects how keys' values are stored (see its subcommands).",
       .syntax = "", .subcommands = ObjectSubcommands()},
  };
}

}  // namespace firn
