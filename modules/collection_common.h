// Lookups the collection families (lists, hashes, sets, sorted sets) share: a key read as a
// value of one type, with Redis's WRONGTYPE reply when it holds another.
#pragma once

#include <string_view>

#include "modules/command.h"
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

}  // namespace firn
