#include "modules/hyperloglog.h"

#include <string>

#include "conf/config.h"
#include "modules/args.h"
#include "modules/engine.h"
#include "protocol/errors.h"
#include "storage/db.h"
#include "storage/hyperloglog.h"

namespace firn {
namespace {

constexpr int64_t kNoExpire = Entry::kNoExpire;

enum class Lookup { kRead, kWrite };

// Finds key's sketch. Missing: nullptr, *ok set. Another type, or a string that is not a
// sketch: the WRONGTYPE reply sent, *ok cleared.
Entry* FindHll(CommandContext& ctx, std::string_view key, Lookup lookup, bool* ok) {
  Db& db = ctx.db();
  Entry* e =
      lookup == Lookup::kRead ? db.FindForRead(key, ctx.now_ms) : db.FindForWrite(key, ctx.now_ms);
  *ok = true;
  if (e == nullptr) return nullptr;
  if (e->type() != ValueType::kString) {
    *ok = false;
    ctx.Error(err::kWrongType);
    return nullptr;
  }
  if (!hll::LooksLikeHll(e->value())) {
    *ok = false;
    ctx.Error(err::kHllWrongType);
    return nullptr;
  }
  return e;
}

size_t SparseMaxBytes(CommandContext& ctx) {
  return static_cast<size_t>(ctx.config().hll_sparse_max_bytes);
}

// Stores a sketch rebuilt outside the entry (its size may have changed): a fresh key when e
// is null, else e's value, expiry kept. Redis keeps sketches as "raw" strings. Returns the
// entry to use from now on.
Entry* StoreHll(CommandContext& ctx, Entry* e, std::string_view key, const std::string& value) {
  Db& db = ctx.db();
  if (e == nullptr) {
    e = db.Put(key, ValueType::kString, value, kNoExpire, ctx.now_ms);
  } else {
    e = db.Rewrite(e, value, e->expire_ms());
  }
  e->set_edited(true);
  return e;
}

// PFADD key [element ...] -> 1 when a register changed (or the key was created), else 0.
void PfAdd(CommandContext& ctx) {
  bool ok;
  Entry* e = FindHll(ctx, ctx.arg(1), Lookup::kWrite, &ok);
  if (!ok) return;
  const size_t max_bytes = SparseMaxBytes(ctx);
  if (e != nullptr && hll::IsDense(e->value())) {
    // A dense sketch keeps its size: raise the registers in place.
    char* v = e->mutable_value();
    bool updated = false;
    for (size_t i = 2; i < ctx.argc(); ++i) {
      const hll::Pattern p = hll::PatternOf(ctx.arg(i));
      updated |= hll::DenseRaise(v + hll::kHeaderBytes, p.index, p.count);
    }
    if (updated) {
      hll::InvalidateCache(v);
      ctx.db().Touched(e);
    }
    return ctx.reply.Int(updated ? 1 : 0);
  }
  std::string s = e == nullptr ? hll::MakeEmpty() : std::string(e->value());
  bool updated = e == nullptr;
  bool corrupt = false;
  for (size_t i = 2; i < ctx.argc() && !corrupt; ++i) {
    const hll::Update u = hll::Add(&s, ctx.arg(i), max_bytes);
    corrupt = u == hll::Update::kCorrupt;
    updated |= u == hll::Update::kChanged;
  }
  // Registers raised before a corrupt run was met stay raised, as in Redis.
  if (updated) {
    if (!corrupt) hll::InvalidateCache(s.data());
    StoreHll(ctx, e, ctx.arg(1), s);
  }
  if (corrupt) return ctx.Error(err::kHllCorrupt);
  ctx.reply.Int(updated ? 1 : 0);
}

// PFCOUNT key [key ...] -> the estimated number of distinct elements (of the union, for
// several keys). One key: the cached count, recomputed and stored when stale.
void PfCount(CommandContext& ctx) {
  bool ok;
  if (ctx.argc() > 2) {
    uint8_t max[hll::kRegisters] = {};
    for (size_t i = 1; i < ctx.argc(); ++i) {
      Entry* e = FindHll(ctx, ctx.arg(i), Lookup::kRead, &ok);
      if (!ok) return;
      if (e == nullptr) continue;
      if (!hll::MergeInto(max, e->value())) return ctx.Error(err::kHllCorrupt);
    }
    return ctx.reply.Int(static_cast<int64_t>(hll::EstimateRegisters(max)));
  }
  Entry* e = FindHll(ctx, ctx.arg(1), Lookup::kRead, &ok);
  if (!ok) return;
  if (e == nullptr) return ctx.reply.Int(0);
  uint64_t count;
  if (!hll::CachedCount(e->value(), &count)) {
    bool corrupt = false;
    count = hll::Estimate(e->value(), &corrupt);
    if (corrupt) return ctx.Error(err::kHllCorrupt);
    // The cache lives in the value, so this read is a write (and Redis propagates it).
    hll::StoreCount(e->mutable_value(), count);
    ctx.db().Touched(e);
  }
  ctx.reply.Int(static_cast<int64_t>(count));
}

// PFMERGE destkey [sourcekey ...] -> OK; destkey holds the union of itself and the sources,
// dense when any input is.
void PfMerge(CommandContext& ctx) {
  uint8_t max[hll::kRegisters] = {};
  bool use_dense = false;
  bool ok;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    Entry* e = FindHll(ctx, ctx.arg(i), Lookup::kRead, &ok);
    if (!ok) return;
    if (e == nullptr) continue;
    use_dense |= hll::IsDense(e->value());
    if (!hll::MergeInto(max, e->value())) return ctx.Error(err::kHllCorrupt);
  }
  // The destination was checked as the first source.
  Entry* dest = ctx.db().FindForWrite(ctx.arg(1), ctx.now_ms);
  std::string s = dest == nullptr ? hll::MakeEmpty() : std::string(dest->value());
  if (use_dense && !hll::ToDense(&s)) return ctx.Error(err::kHllCorrupt);
  const size_t max_bytes = SparseMaxBytes(ctx);
  for (uint32_t i = 0; i < hll::kRegisters; ++i) {
    if (max[i] != 0) hll::Raise(&s, i, max[i], max_bytes);
  }
  hll::InvalidateCache(s.data());
  StoreHll(ctx, dest, ctx.arg(1), s);
  ctx.reply.Ok();
}

// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key -> the 16384 registers (the sketch turned
// dense) | the sparse opcodes as text | "dense" or "sparse" | 1 when it was turned dense.
void PfDebug(CommandContext& ctx) {
  const std::string_view sub = ctx.arg(1);
  bool ok;
  Entry* e = FindHll(ctx, ctx.arg(2), Lookup::kWrite, &ok);
  if (!ok) return;
  if (e == nullptr) return ctx.Error(err::kPfdebugNoKey);
  const bool dense = hll::IsDense(e->value());
  const bool getreg = EqualsNoCase(sub, "getreg");
  if (getreg || EqualsNoCase(sub, "todense")) {
    if (!dense) {
      std::string s(e->value());
      if (!hll::ToDense(&s)) return ctx.Error(err::kHllCorrupt);
      e = StoreHll(ctx, e, ctx.arg(2), s);
    }
    if (!getreg) return ctx.reply.Int(dense ? 0 : 1);
    const char* regs = e->value().data() + hll::kHeaderBytes;
    ctx.reply.Array(hll::kRegisters);
    for (uint32_t i = 0; i < hll::kRegisters; ++i) ctx.reply.Int(hll::DenseRegister(regs, i));
    return;
  }
  if (EqualsNoCase(sub, "decode")) {
    if (dense) return ctx.Error(err::kPfdebugNotSparse);
    return ctx.reply.Bulk(hll::DecodeSparse(e->value()));
  }
  if (EqualsNoCase(sub, "encoding")) return ctx.reply.Simple(dense ? "dense" : "sparse");
  ctx.Error(err::Format(err::kPfdebugUnknown, {sub}));
}

// PFSELFTEST -> OK, or a TESTFAILED error naming what failed.
void PfSelfTest(CommandContext& ctx) {
  const std::string failure = hll::SelfTest();
  if (!failure.empty()) return ctx.Error(failure);
  ctx.reply.Ok();
}

}  // namespace

std::vector<Command> HyperLogLogCommands() {
  return {
      {.name = "pfadd",
       .arity = -2,
       .flags = kWrite | kDenyOom | kFast,
       .keys = {1, 1, 1},
       .run = PfAdd,
       .group = "hyperloglog",
       .since = "2.8.9",
       .summary = "Adds elements to a HyperLogLog, creating it if needed; answers whether its "
                  "estimate may have changed.",
       .syntax = "key [element [element ...]]"},
      {.name = "pfcount",
       .arity = -2,
       .flags = kReadOnly,
       .keys = {1, -1, 1},
       .run = PfCount,
       .group = "hyperloglog",
       .since = "2.8.9",
       .summary = "Answers the estimated number of distinct elements of one HyperLogLog, or "
                  "of the union of several.",
       .syntax = "key [key ...]"},
      {.name = "pfmerge",
       .arity = -2,
       .flags = kWrite | kDenyOom,
       .keys = {1, -1, 1},
       .run = PfMerge,
       .group = "hyperloglog",
       .since = "2.8.9",
       .summary = "Stores the union of HyperLogLogs at a destination key.",
       .syntax = "destkey [sourcekey [sourcekey ...]]"},
      {.name = "pfdebug",
       .arity = 3,
       .flags = kWrite | kDenyOom | kAdmin,
       .keys = {2, 2, 1},
       .run = PfDebug,
       .group = "hyperloglog",
       .since = "2.8.9",
       .summary = "Inspects a HyperLogLog's registers and encoding (for debugging).",
       .syntax = "subcommand key"},
      {.name = "pfselftest",
       .arity = 1,
       .flags = kAdmin,
       .keys = {0, 0, 0},
       .run = PfSelfTest,
       .group = "hyperloglog",
       .since = "2.8.9",
       .summary = "Checks the HyperLogLog implementation (for debugging).",
       .syntax = ""},
  };
}

}  // namespace firn
