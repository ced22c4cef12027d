// Lookups the collection families (lists, hashes, sets, sorted sets) share: a key read as a
// value of one type, with Redis's WRONGTYPE reply when it holds another.
#pragma once

#include <string_view>

#include "modules/args.h"
#include "modules/command.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "protocol/errors.h"
#include "storage/db.h"

namespace firn {

enum class Lookup : uint8_t {
  kRead,   // counts a keyspace hit or miss (Redis's lookupKeyRead)
  kWrite,  // counts nothing (lookupKeyWrite)
};

// The live entry of key when it holds a value of type, nullptr when the key is absent.
// Returns false, having replied WRONGTYPE, when the key holds another type.
inline bool FindTypedOrReply(CommandContext& ctx, std::string_view key, ValueType type, Lookup how,
                             Entry** out) {
  Db& db = ctx.db();
  OpResult<Entry*> r = how == Lookup::kRead ? db.FindTypedForRead(key, type, ctx.now_ms)
                                            : db.FindTypedForWrite(key, type, ctx.now_ms);
  if (r.status() == OpStatus::kWrongType) {
    ctx.Error(err::kWrongType);
    return false;
  }
  *out = r.ok() ? *r : nullptr;
  return true;
}

// After members were removed from e's collection in place: one left empty is deleted, as
// Redis never keeps an empty collection; otherwise the change is signalled.
inline void AfterRemoval(CommandContext& ctx, Entry* e, bool now_empty) {
  if (now_empty) {
    ctx.db().Erase(e);
  } else {
    ctx.db().Touched(e);
  }
}

// HSCAN, SSCAN and ZSCAN's options after the cursor: [MATCH pattern] [COUNT count], in any
// order, the last of each winning, as Redis reads them.
struct ScanOptions {
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;  // false for no MATCH or MATCH *: every member passes

  bool Matches(std::string_view member) const {
    return !use_pattern || GlobMatch(pattern, member);
  }
};

// Reads ScanOptions from argv[first...]. Returns false, having replied the error (a count
// that is not an integer or below 1, an unknown or valueless option: syntax error).
inline bool ParseScanOptions(CommandContext& ctx, size_t first, ScanOptions* out) {
  for (size_t i = first; i < ctx.argc(); i += 2) {
    const std::string_view a = ctx.arg(i);
    const bool has_value = i + 1 < ctx.argc();
    if (has_value && EqualsNoCase(a, "COUNT")) {
      if (!ArgInt(ctx, i + 1, &out->count)) return false;
      if (out->count < 1) {
        ctx.Error(err::kSyntax);
        return false;
      }
    } else if (has_value && EqualsNoCase(a, "MATCH")) {
      out->pattern = ctx.arg(i + 1);
      out->use_pattern = out->pattern != "*";
    } else {
      ctx.Error(err::kSyntax);
      return false;
    }
  }
  return true;
}

// A collection type's TypeOps entries for its out-of-line object T (which has a copy
// constructor and MemoryBytes()): the same three in every collection family.
template <typename T>
void FreeObjectOf(void* object) {
  delete static_cast<T*>(object);
}
template <typename T>
void* CopyObjectOf(const void* object) {
  return new T(*static_cast<const T*>(object));
}
template <typename T>
size_t ObjectMemoryOf(const Entry& e) {
  return e.object_as<T>()->MemoryBytes();
}

// LMPOP's, BLMPOP's, ZMPOP's and BZMPOP's arguments from numkeys (at argv[first]) on:
// numkeys key [key ...] FIRST|SECOND [COUNT count], where the two direction words are the
// family's (LEFT/RIGHT, MIN/MAX).
struct MPopArgs {
  size_t keys_at = 0;   // argv index of the first key
  size_t keys_end = 0;  // one past the last key (the direction word's index)
  bool second = false;  // the second direction word was given (RIGHT, MAX)
  size_t count = 1;
};

// Reads MPopArgs as Redis 7.0 does. Returns false, having replied the error: numkeys not an
// integer >= 1, COUNT not an integer >= 1 (their own texts); numkeys past the arguments, a
// direction other than the two words, anything else after it, COUNT twice: syntax error.
inline bool ParseMPopArgs(CommandContext& ctx, size_t first, std::string_view first_word,
                          std::string_view second_word, MPopArgs* out) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(first), &numkeys) || numkeys < 1) {
    ctx.Error(err::kNumkeysPositive);
    return false;
  }
  if (static_cast<uint64_t>(numkeys) >= ctx.argc() - first - 1) {
    ctx.Error(err::kSyntax);
    return false;
  }
  out->keys_at = first + 1;
  out->keys_end = out->keys_at + static_cast<size_t>(numkeys);
  const std::string_view where = ctx.arg(out->keys_end);
  if (EqualsNoCase(where, first_word)) {
    out->second = false;
  } else if (EqualsNoCase(where, second_word)) {
    out->second = true;
  } else {
    ctx.Error(err::kSyntax);
    return false;
  }
  int64_t count = -1;
  for (size_t j = out->keys_end + 1; j < ctx.argc(); ++j) {
    if (count == -1 && j + 1 < ctx.argc() && EqualsNoCase(ctx.arg(j), "COUNT")) {
      if (!ParseInt64(ctx.arg(++j), &count) || count < 1) {
        ctx.Error(err::kCountPositive);
        return false;
      }
    } else {
      ctx.Error(err::kSyntax);
      return false;
    }
  }
  out->count = count == -1 ? 1 : static_cast<size_t>(count);
  return true;
}

}  // namespace firn
