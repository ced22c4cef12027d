#include "modules/zsets.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "modules/args.h"
#include "modules/blocking.h"
#include "modules/collection_common.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "protocol/errors.h"
#include "storage/db.h"
#include "storage/varint.h"
#include "storage/set.h"
#include "storage/rdb.h"
#include "storage/value.h"
#include "storage/zset.h"

namespace firn {
namespace {

// ---- the sorted set's TypeOps row ----

// Serialized form: Redis's RDB object (storage/rdb.h): type 17 (listpack) or 5.

void SerializeZSet(const Entry& e, std::string* out) { rdb::EncodeZSet(*e.object_as<ZSet>(), out); }

Entry* DeserializeZSet(std::string_view key, std::string_view payload, int64_t expire_ms) {
  ZSet* z = rdb::DecodeZSet(payload);
  return z == nullptr ? nullptr : Entry::MakeObject(key, ValueType::kZSet, z, expire_ms);
}

const TypeOps kZSetOps = {
    .name = "zset",
    // Firn keeps every sorted set in its tree; Redis's name for the full structure.
    .encoding = [](const Entry& e) -> std::string_view {
      return e.object_as<ZSet>()->compact() ? "listpack" : "skiplist";
    },
    .free_object = FreeObjectOf<ZSet>,
    .copy_object = CopyObjectOf<ZSet>,
    .memory_usage = ObjectMemoryOf<ZSet>,
    .serialize = SerializeZSet,
    .deserialize = DeserializeZSet,
    .free_effort = [](const Entry& e) -> size_t {
      const ZSet* h = e.object_as<ZSet>();
      return h->compact() ? 1 : h->size();
    },
};

// ---- helpers ----

// A score argument as Redis's getDoubleFromObject reads it: strtod over the whole string, no
// empty string, no surrounding spaces, no NaN.
bool ParseScore(std::string_view s, double* out) { return !s.empty() && ParseDouble(s, out); }

ZSet* ZSetOf(Entry* e) { return e->object_as<ZSet>(); }

bool FindZSet(CommandContext& ctx, std::string_view key, Lookup how, Entry** e) {
  return FindTypedOrReply(ctx, key, ValueType::kZSet, how, e);
}

void Removed(CommandContext& ctx, Entry* e) { AfterRemoval(ctx, e, ZSetOf(e)->empty()); }

// The compact encoding's limits from the configuration (zset-max-listpack-entries / -value).
ZSet::Limits ZLimits(CommandContext& ctx) {
  return {.max_compact_entries = static_cast<size_t>(ctx.config().zset_max_listpack_entries),
          .max_compact_value = static_cast<size_t>(ctx.config().zset_max_listpack_value)};
}

// A score bound: "(1.5" exclusive, "1.5" inclusive, "-inf"/"+inf".
struct ScoreBound {
  double value;
  bool exclusive;
};

// Parsed as Redis's zslParseRange does, with strtod over the whole rest: leading spaces are
// skipped and an empty string reads as 0 ("(" is "(0"); NaN is refused.
bool ParseScoreBound(std::string_view s, ScoreBound* b) {
  b->exclusive = !s.empty() && s[0] == '(';
  if (b->exclusive) s.remove_prefix(1);
  const std::string text(s);  // strtod needs a terminator; an embedded NUL ends it, as Redis
  char* end = nullptr;
  b->value = std::strtod(text.c_str(), &end);
  return *end == '\0' && !std::isnan(b->value);
}

// A lex bound: "[a" inclusive, "(a" exclusive, "-" and "+" the ends.
struct LexBound {
  enum Kind : uint8_t { kMin, kMax, kValue } kind;
  std::string_view value;
  bool exclusive;
};

bool ParseLexBound(std::string_view s, LexBound* b) {
  if (s == "-") {
    b->kind = LexBound::kMin;
  } else if (s == "+") {
    b->kind = LexBound::kMax;
  } else if (!s.empty() && (s[0] == '(' || s[0] == '[')) {
    b->kind = LexBound::kValue;
    b->exclusive = s[0] == '(';
    b->value = s.substr(1);
  } else {
    return false;
  }
  return true;
}

// Whether member is at or above the lower bound lo / at or below the upper bound hi.
bool AboveLex(std::string_view m, const LexBound& lo) {
  if (lo.kind == LexBound::kMin) return true;
  if (lo.kind == LexBound::kMax) return false;
  return lo.exclusive ? m > lo.value : m >= lo.value;
}
bool BelowLex(std::string_view m, const LexBound& hi) {
  if (hi.kind == LexBound::kMax) return true;
  if (hi.kind == LexBound::kMin) return false;
  return hi.exclusive ? m < hi.value : m <= hi.value;
}
bool AboveScore(double s, const ScoreBound& lo) {
  return lo.exclusive ? s > lo.value : s >= lo.value;
}
bool BelowScore(double s, const ScoreBound& hi) {
  return hi.exclusive ? s < hi.value : s <= hi.value;
}

enum class RangeBy : uint8_t { kRank, kScore, kLex };

struct RangeSpec {
  RangeBy by = RangeBy::kRank;
  bool rev = false;
  int64_t start = 0, stop = 0;  // kRank
  ScoreBound min_score{}, max_score{};
  LexBound min_lex{}, max_lex{};
  int64_t offset = 0, limit = -1;  // LIMIT offset count (count < 0: all)
};

// The items of z in spec's range and order.
std::vector<ZSet::Item> Collect(const ZSet& z, const RangeSpec& spec) {
  std::vector<ZSet::Item> out;
  const auto size = static_cast<int64_t>(z.size());
  if (spec.by == RangeBy::kRank) {
    int64_t start = spec.start, stop = spec.stop;
    if (start < 0) start += size;
    if (stop < 0) stop += size;
    if (start < 0) start = 0;
    if (start > stop || start >= size) return out;
    if (stop >= size) stop = size - 1;
    ZSet::Pos p = z.AtRank(static_cast<size_t>(spec.rev ? size - 1 - start : start));
    for (int64_t i = start; i <= stop && p.Valid(); ++i) {
      out.push_back(z.Get(p));
      p = spec.rev ? z.Prev(p) : z.Next(p);
    }
    return out;
  }
  auto above = [&](const ZSet::Item& it) {
    return spec.by == RangeBy::kScore ? AboveScore(it.score, spec.min_score)
                                      : AboveLex(it.member, spec.min_lex);
  };
  auto below = [&](const ZSet::Item& it) {
    return spec.by == RangeBy::kScore ? BelowScore(it.score, spec.max_score)
                                      : BelowLex(it.member, spec.max_lex);
  };
  if (spec.offset < 0) return out;
  ZSet::Pos p;
  if (!spec.rev) {
    p = z.FirstWhere(above);
  } else {
    p = z.FirstWhere([&](const ZSet::Item& it) { return !below(it); });
    p = p.Valid() ? z.Prev(p) : z.AtRank(z.size() - 1);
  }
  int64_t skip = spec.offset;
  while (p.Valid()) {
    const ZSet::Item it = z.Get(p);
    if (!(spec.rev ? above(it) : below(it))) break;
    if (skip > 0) {
      --skip;
    } else {
      if (spec.limit >= 0 && static_cast<int64_t>(out.size()) >= spec.limit) break;
      out.push_back(it);
    }
    p = spec.rev ? z.Prev(p) : z.Next(p);
  }
  return out;
}

void ReplyItems(CommandContext& ctx, const std::vector<ZSet::Item>& items, bool with_scores) {
  if (!with_scores) {
    ctx.reply.Array(items.size());
    for (const ZSet::Item& it : items) ctx.reply.Bulk(it.member);
    return;
  }
  ctx.reply.PairArray(items.size());
  for (const ZSet::Item& it : items) {
    ctx.reply.Pair();
    ctx.reply.Bulk(it.member);
    ctx.reply.Double(it.score);
  }
}

// Parses the min and max of a score or lex range; replies the error on failure.
bool ParseBounds(CommandContext& ctx, RangeSpec* spec, std::string_view min, std::string_view max) {
  if (spec->by == RangeBy::kScore) {
    if (!ParseScoreBound(min, &spec->min_score) || !ParseScoreBound(max, &spec->max_score)) {
      ctx.Error(err::kZMinMaxNotFloat);
      return false;
    }
  } else if (spec->by == RangeBy::kLex) {
    if (!ParseLexBound(min, &spec->min_lex) || !ParseLexBound(max, &spec->max_lex)) {
      ctx.Error(err::kZMinMaxNotLex);
      return false;
    }
  }
  return true;
}

// ---- commands ----

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...] -> members added
// (with CH: added or changed); with INCR, the new score (nil when a condition refused it).
void ZAdd(CommandContext& ctx) {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
  size_t i = 2;
  for (; i < ctx.argc(); ++i) {
    const std::string_view a = ctx.arg(i);
    if (EqualsNoCase(a, "NX")) {
      nx = true;
    } else if (EqualsNoCase(a, "XX")) {
      xx = true;
    } else if (EqualsNoCase(a, "GT")) {
      gt = true;
    } else if (EqualsNoCase(a, "LT")) {
      lt = true;
    } else if (EqualsNoCase(a, "CH")) {
      ch = true;
    } else if (EqualsNoCase(a, "INCR")) {
      incr = true;
    } else {
      break;
    }
  }
  const size_t elements = ctx.argc() - i;
  if (elements == 0 || elements % 2 != 0) {
    ctx.Error(err::kSyntax);
    return;
  }
  if (nx && xx) {
    ctx.Error(err::kNxAndXx);
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    ctx.Error(err::kGtLtNx);
    return;
  }
  if (incr && elements > 2) {
    ctx.Error(err::kZIncrSinglePair);
    return;
  }
  std::vector<double> scores;
  for (size_t k = i; k < ctx.argc(); k += 2) {
    double d;
    if (!ParseScore(ctx.arg(k), &d)) {
      ctx.Error(err::kNotFloat);
      return;
    }
    scores.push_back(d);
  }
  Entry* e;
  if (!FindZSet(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  std::unique_ptr<ZSet> fresh;
  ZSet* z;
  if (e != nullptr) {
    z = ZSetOf(e);
  } else {
    fresh = std::make_unique<ZSet>();
    z = fresh.get();
  }
  int64_t added = 0, updated = 0;
  bool refused = false;
  double result = 0;
  for (size_t k = i, s = 0; k < ctx.argc(); k += 2, ++s) {
    const std::string_view member = ctx.arg(k + 1);
    double score = scores[s];
    const std::optional<double> cur = z->Score(member);
    if (cur) {
      if (nx) {
        refused = true;
        continue;
      }
      if (incr) {
        score += *cur;
        if (std::isnan(score)) {
          ctx.Error(err::kZScoreNaN);
          return;
        }
      }
      if ((gt && score <= *cur) || (lt && score >= *cur)) {
        refused = true;
        continue;
      }
      result = score;
      if (score != *cur) {
        z->Set(member, score, ZLimits(ctx));
        ++updated;
      }
    } else {
      if (xx) {
        refused = true;
        continue;
      }
      z->Set(member, score, ZLimits(ctx));
      ++added;
      result = score;
    }
  }
  if (fresh != nullptr && !fresh->empty()) {
    ctx.db().PutObject(ctx.arg(1), ValueType::kZSet, fresh.release(), Entry::kNoExpire, ctx.now_ms);
    SignalKeyReady(ctx.engine, ctx.client.db, ctx.arg(1));
  } else if (e != nullptr && added + updated > 0) {
    ctx.db().Touched(e);
    SignalKeyReady(ctx.engine, ctx.client.db, ctx.arg(1));
  }
  if (incr) {
    if (refused) {
      ctx.reply.Null();
    } else {
      ctx.reply.Double(result);
    }
  } else {
    ctx.reply.Int(ch ? added + updated : added);
  }
}

// ZINCRBY key increment member -> the new score.
void ZIncrBy(CommandContext& ctx) {
  double delta;
  if (!ParseScore(ctx.arg(2), &delta)) {
    ctx.Error(err::kNotFloat);
    return;
  }
  Entry* e;
  if (!FindZSet(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  const std::string_view member = ctx.arg(3);
  double score = delta;
  if (e != nullptr) {
    if (std::optional<double> cur = ZSetOf(e)->Score(member)) score += *cur;
  }
  if (std::isnan(score)) {
    ctx.Error(err::kZScoreNaN);
    return;
  }
  if (e != nullptr) {
    ZSetOf(e)->Set(member, score, ZLimits(ctx));
    ctx.db().Touched(e);
  } else {
    auto* z = new ZSet();
    z->Set(member, score, ZLimits(ctx));
    ctx.db().PutObject(ctx.arg(1), ValueType::kZSet, z, Entry::kNoExpire, ctx.now_ms);
  }
  SignalKeyReady(ctx.engine, ctx.client.db, ctx.arg(1));
  ctx.reply.Double(score);
}

// ZREM key member [member ...] -> the number removed.
void ZRem(CommandContext& ctx) {
  Entry* e;
  if (!FindZSet(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  if (e == nullptr) {
    ctx.reply.Int(0);
    return;
  }
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argc() && !ZSetOf(e)->empty(); ++i) {
    removed += ZSetOf(e)->Remove(ctx.arg(i));
  }
  ctx.reply.Int(removed);
  if (removed > 0) Removed(ctx, e);
}

// ZCARD key -> the number of members.
void ZCard(CommandContext& ctx) {
  Entry* e;
  if (!FindZSet(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  ctx.reply.Int(e == nullptr ? 0 : static_cast<int64_t>(ZSetOf(e)->size()));
}

// ZSCORE key member -> the score, or nil.
void ZScore(CommandContext& ctx) {
  Entry* e;
  if (!FindZSet(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  std::optional<double> s;
  if (e != nullptr) s = ZSetOf(e)->Score(ctx.arg(2));
  if (s) {
    ctx.reply.Double(*s);
  } else {
    ctx.reply.Null();
  }
}

// ZMSCORE key member [member ...] -> the scores, nil for missing members.
void ZMScore(CommandContext& ctx) {
  Entry* e;
  if (!FindZSet(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  ctx.reply.Array(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::optional<double> s;
    if (e != nullptr) s = ZSetOf(e)->Score(ctx.arg(i));
    if (s) {
      ctx.reply.Double(*s);
    } else {
      ctx.reply.Null();
    }
  }
}

// ZRANK / ZREVRANK key member -> the 0-based rank in ascending / descending order, or nil.
void RankCommand(CommandContext& ctx, bool rev) {
  Entry* e;
  if (!FindZSet(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  std::optional<size_t> r;
  if (e != nullptr) r = ZSetOf(e)->Rank(ctx.arg(2));
  if (!r) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Int(static_cast<int64_t>(rev ? ZSetOf(e)->size() - 1 - *r : *r));
}

void ZRank(CommandContext& ctx) { RankCommand(ctx, false); }
void ZRevRank(CommandContext& ctx) { RankCommand(ctx, true); }

// ZCOUNT key min max / ZLEXCOUNT key min max -> the members in the score / lex range.
void CountCommand(CommandContext& ctx, RangeBy by) {
  RangeSpec spec;
  spec.by = by;
  if (!ParseBounds(ctx, &spec, ctx.arg(2), ctx.arg(3))) return;
  Entry* e;
  if (!FindZSet(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  ctx.reply.Int(e == nullptr ? 0 : static_cast<int64_t>(Collect(*ZSetOf(e), spec).size()));
}

void ZCount(CommandContext& ctx) { CountCommand(ctx, RangeBy::kScore); }
void ZLexCount(CommandContext& ctx) { CountCommand(ctx, RangeBy::kLex); }

// The shared parser of ZRANGE and its older forms, as Redis's zrangeGenericCommand: options
// from argv[first_option]; `by` and `rev` fixed by the older forms (auto for ZRANGE).
struct RangeCommandForm {
  bool fixed_by;
  RangeBy by;
  bool fixed_rev;
  bool rev;
  bool store;
};

// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES], and
// ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX, ZREVRANGE, ZRANGESTORE.
void RangeCommand(CommandContext& ctx, RangeCommandForm form) {
  const size_t key_at = form.store ? 2 : 1;
  RangeSpec spec;
  spec.by = form.by;
  spec.rev = form.rev;
  bool by_set = form.fixed_by, rev_set = form.fixed_rev, with_scores = false, has_limit = false;
  for (size_t j = key_at + 3; j < ctx.argc(); ++j) {
    const std::string_view a = ctx.arg(j);
    const size_t left = ctx.argc() - j - 1;
    if (!form.store && EqualsNoCase(a, "WITHSCORES")) {
      with_scores = true;
    } else if (EqualsNoCase(a, "LIMIT") && left >= 2) {
      if (!ArgInt(ctx, j + 1, &spec.offset) || !ArgInt(ctx, j + 2, &spec.limit)) return;
      has_limit = true;
      j += 2;
    } else if (!rev_set && EqualsNoCase(a, "REV")) {
      spec.rev = true;
      rev_set = true;
    } else if (!by_set && EqualsNoCase(a, "BYLEX")) {
      spec.by = RangeBy::kLex;
      by_set = true;
    } else if (!by_set && EqualsNoCase(a, "BYSCORE")) {
      spec.by = RangeBy::kScore;
      by_set = true;
    } else {
      ctx.Error(err::kSyntax);
      return;
    }
  }
  if (has_limit && spec.limit != -1 && spec.by == RangeBy::kRank) {
    ctx.Error(err::kZLimitNeedsBy);
    return;
  }
  if (with_scores && spec.by == RangeBy::kLex) {
    ctx.Error(err::kZWithscoresLex);
    return;
  }
  std::string_view min = ctx.arg(key_at + 1), max = ctx.arg(key_at + 2);
  if (spec.rev && spec.by != RangeBy::kRank) std::swap(min, max);
  if (spec.by == RangeBy::kRank) {
    if (!ArgInt(ctx, min, &spec.start) || !ArgInt(ctx, max, &spec.stop)) return;
  } else if (!ParseBounds(ctx, &spec, min, max)) {
    return;
  }
  Entry* e;
  if (!FindZSet(ctx, ctx.arg(key_at), Lookup::kRead, &e)) return;
  std::vector<ZSet::Item> items;
  if (e != nullptr) items = Collect(*ZSetOf(e), spec);
  if (!form.store) {
    ReplyItems(ctx, items, with_scores);
    return;
  }
  if (items.empty()) {
    ctx.db().Delete(ctx.arg(1), ctx.now_ms);
    ctx.reply.Int(0);
    return;
  }
  auto* z = new ZSet();
  for (const ZSet::Item& it : items) z->Set(it.member, it.score, ZLimits(ctx));
  ctx.db().PutObject(ctx.arg(1), ValueType::kZSet, z, Entry::kNoExpire, ctx.now_ms);
  SignalKeyReady(ctx.engine, ctx.client.db, ctx.arg(1));
  ctx.reply.Int(static_cast<int64_t>(items.size()));
}

void ZRange(CommandContext& ctx) {
  RangeCommand(ctx, {false, RangeBy::kRank, false, false, false});
}
void ZRangeStore(CommandContext& ctx) {
  RangeCommand(ctx, {false, RangeBy::kRank, false, false, true});
}
void ZRevRange(CommandContext& ctx) {
  RangeCommand(ctx, {true, RangeBy::kRank, true, true, false});
}
void ZRangeByScore(CommandContext& ctx) {
  RangeCommand(ctx, {true, RangeBy::kScore, true, false, false});
}
void ZRevRangeByScore(CommandContext& ctx) {
  RangeCommand(ctx, {true, RangeBy::kScore, true, true, false});
}
void ZRangeByLex(CommandContext& ctx) {
  RangeCommand(ctx, {true, RangeBy::kLex, true, false, false});
}
void ZRevRangeByLex(CommandContext& ctx) {
  RangeCommand(ctx, {true, RangeBy::kLex, true, true, false});
}

// ZREMRANGEBYRANK key start stop / ZREMRANGEBYSCORE key min max / ZREMRANGEBYLEX key min max
// -> the number of members removed.
void RemRangeCommand(CommandContext& ctx, RangeBy by) {
  RangeSpec spec;
  spec.by = by;
  if (by == RangeBy::kRank) {
    if (!ArgInt(ctx, 2, &spec.start) || !ArgInt(ctx, 3, &spec.stop)) return;
  } else if (!ParseBounds(ctx, &spec, ctx.arg(2), ctx.arg(3))) {
    return;
  }
  Entry* e;
  if (!FindZSet(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  if (e == nullptr) {
    ctx.reply.Int(0);
    return;
  }
  ZSet* z = ZSetOf(e);
  std::vector<std::string> members;
  for (const ZSet::Item& it : Collect(*z, spec)) members.emplace_back(it.member);
  for (const std::string& m : members) z->Remove(m);
  ctx.reply.Int(static_cast<int64_t>(members.size()));
  if (!members.empty()) Removed(ctx, e);
}

void ZRemRangeByRank(CommandContext& ctx) { RemRangeCommand(ctx, RangeBy::kRank); }
void ZRemRangeByScore(CommandContext& ctx) { RemRangeCommand(ctx, RangeBy::kScore); }
void ZRemRangeByLex(CommandContext& ctx) { RemRangeCommand(ctx, RangeBy::kLex); }

// ZPOPMIN / ZPOPMAX key [count] -> [member, score] of the lowest / highest member; with
// count, up to count pairs (RESP3 nests them). An empty array when the key is absent.
void PopCommand(CommandContext& ctx, bool max) {
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
  if (!FindZSet(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  if (e == nullptr || count == 0) {
    ctx.reply.Array(0);
    return;
  }
  ZSet* z = ZSetOf(e);
  const size_t n = std::min(static_cast<size_t>(count), z->size());
  if (has_count) {
    ctx.reply.PairArray(n);
  } else {
    ctx.reply.Array(2);
  }
  for (size_t i = 0; i < n; ++i) {
    const ZSet::Item it = z->Get(z->AtRank(max ? z->size() - 1 : 0));
    if (has_count) ctx.reply.Pair();
    ctx.reply.Bulk(it.member);
    ctx.reply.Double(it.score);
    z->Remove(it.member);  // the set's own bytes: Remove allows it, no copy needed
  }
  Removed(ctx, e);
}

void ZPopMin(CommandContext& ctx) { PopCommand(ctx, false); }
void ZPopMax(CommandContext& ctx) { PopCommand(ctx, true); }

// ZMPOP's and BZMPOP's body, numkeys at argv[first]: pops from the first non-empty sorted
// set; when every key is absent, a nil array, or with blocking, blocks for timeout_ms.
void MPop(CommandContext& ctx, size_t first, bool blocking, int64_t timeout_ms) {
  MPopArgs a;
  if (!ParseMPopArgs(ctx, first, "MIN", "MAX", &a)) return;
  const bool max = a.second;
  for (size_t k = a.keys_at; k < a.keys_end; ++k) {
    Entry* e;
    if (!FindZSet(ctx, ctx.arg(k), Lookup::kWrite, &e)) return;
    if (e == nullptr) continue;
    ZSet* z = ZSetOf(e);
    const size_t n = std::min(a.count, z->size());
    ctx.reply.Array(2);
    ctx.reply.Bulk(ctx.arg(k));
    ctx.reply.Array(n);
    for (size_t i = 0; i < n; ++i) {
      const ZSet::Item it = z->Get(z->AtRank(max ? z->size() - 1 : 0));
      ctx.reply.Array(2);
      ctx.reply.Bulk(it.member);
      ctx.reply.Double(it.score);
      z->Remove(it.member);
    }
    const bool emptied = z->size() == 0;
    Removed(ctx, e);
    ctx.engine.notifier.NotifyRemoved(kNotifyZset, max ? "zpopmax" : "zpopmin", ctx.client.db,
                                      ctx.arg(k), emptied);
    return;
  }
  BlockOnKeysOrNull(ctx, a.keys_at, a.keys_end, timeout_ms, blocking);
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] -> [key, [[member, score], ...]] from the
// first non-empty sorted set, or a nil array when every key is absent.
void ZMPop(CommandContext& ctx) { MPop(ctx, 1, false, 0); }

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] -> as ZMPOP, but when every set
// is empty, waits up to timeout seconds (0: forever) for one; a nil array on timeout.
void BZMPop(CommandContext& ctx) {
  int64_t timeout_ms;
  if (!ParseBlockTimeout(ctx, ctx.arg(1), &timeout_ms)) return;
  MPop(ctx, 2, true, timeout_ms);
}

// BZPOPMIN / BZPOPMAX key [key ...] timeout -> [key, member, score] of the lowest / highest
// member of the first non-empty sorted set; when all are empty, waits up to timeout seconds
// (0: forever) for one; a nil array on timeout.
void BlockingPop(CommandContext& ctx, bool max) {
  int64_t timeout_ms;
  if (!ParseBlockTimeout(ctx, ctx.arg(ctx.argc() - 1), &timeout_ms)) return;
  for (size_t k = 1; k + 1 < ctx.argc(); ++k) {
    Entry* e;
    if (!FindZSet(ctx, ctx.arg(k), Lookup::kWrite, &e)) return;
    if (e == nullptr) continue;
    ZSet* z = ZSetOf(e);
    const ZSet::Item it = z->Get(z->AtRank(max ? z->size() - 1 : 0));
    ctx.reply.Array(3);
    ctx.reply.Bulk(ctx.arg(k));
    ctx.reply.Bulk(it.member);
    ctx.reply.Double(it.score);
    z->Remove(it.member);
    Removed(ctx, e);
    return;
  }
  BlockOnKeysOrNull(ctx, 1, ctx.argc() - 1, timeout_ms);
}

void BZPopMin(CommandContext& ctx) { BlockingPop(ctx, false); }
void BZPopMax(CommandContext& ctx) { BlockingPop(ctx, true); }

std::mt19937_64& Rng() {
  static std::mt19937_64 rng(std::random_device{}());
  return rng;
}

// ZRANDMEMBER key [count [WITHSCORES]] -> a random member (nil when absent); with count > 0
// up to count distinct members, with count < 0 exactly -count that may repeat.
void ZRandMember(CommandContext& ctx) {
  std::mt19937_64& rng = Rng();
  if (ctx.argc() == 2) {
    Entry* e;
    if (!FindZSet(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
    if (e == nullptr) {
      ctx.reply.Null();
      return;
    }
    const ZSet& z = *ZSetOf(e);
    ctx.reply.Bulk(z.Get(z.AtRank(rng() % z.size())).member);
    return;
  }
  int64_t count;
  if (!ArgInt(ctx, 2, &count)) return;
  if (count == INT64_MIN) {
    ctx.Error(err::kHrandfieldCountRange);
    return;
  }
  const bool with_scores = ctx.argc() == 4 && EqualsNoCase(ctx.arg(3), "WITHSCORES");
  if (ctx.argc() > 4 || (ctx.argc() == 4 && !with_scores)) {
    ctx.Error(err::kSyntax);
    return;
  }
  if (with_scores && (count < -(INT64_MAX / 2) || count > INT64_MAX / 2)) {
    ctx.Error(err::kValueOutOfRange);
    return;
  }
  Entry* e;
  if (!FindZSet(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  if (e == nullptr || count == 0) {
    ctx.reply.Array(0);
    return;
  }
  const ZSet& z = *ZSetOf(e);
  std::vector<ZSet::Item> items;
  if (count < 0 && z.compact()) {
    // A compact set's positions are found by walking it: walk it once.
    std::vector<ZSet::Item> all;
    z.ForEach([&](const ZSet::Item& it) { all.push_back(it); });
    for (int64_t i = 0; i < -count; ++i) items.push_back(all[rng() % all.size()]);
  } else if (count < 0) {
    for (int64_t i = 0; i < -count; ++i) items.push_back(z.Get(z.AtRank(rng() % z.size())));
  } else {
    z.ForEach([&](const ZSet::Item& it) { items.push_back(it); });
    const size_t n = std::min(static_cast<size_t>(count), items.size());
    for (size_t i = 0; i < n; ++i) {
      std::uniform_int_distribution<size_t> pick(i, items.size() - 1);
      std::swap(items[i], items[pick(rng)]);
    }
    items.resize(n);
  }
  ReplyItems(ctx, items, with_scores);
}

// ZSCAN key cursor [MATCH pattern] [COUNT count] -> [next cursor, [member, score, ...]].
void ZScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) {
    ctx.Error(err::kInvalidCursor);
    return;
  }
  Entry* e;
  if (!FindZSet(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  if (e == nullptr) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("0");
    ctx.reply.Array(0);
    return;
  }
  ScanOptions opts;
  if (!ParseScanOptions(ctx, 3, &opts)) return;
  const ZSet& z = *ZSetOf(e);
  std::vector<ZSet::Item> found;
  auto keep = [&](const ZSet::Item& it) {
    if (opts.Matches(it.member)) found.push_back(it);
  };
  const uint64_t next = z.Scan(cursor, static_cast<size_t>(opts.count), keep);
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.Array(found.size() * 2);
  for (const ZSet::Item& it : found) {
    ctx.reply.Bulk(it.member);
    char buf[32];
    const int len = std::isinf(it.score)
                        ? std::snprintf(buf, sizeof(buf), "%s", it.score > 0 ? "inf" : "-inf")
                        : std::snprintf(buf, sizeof(buf), "%.17g", it.score);
    ctx.reply.Bulk(std::string_view(buf, static_cast<size_t>(len)));
  }
}

// ---- ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD ----

// One input of a combination: a sorted set, or a plain set whose members score 1.
struct Source {
  const ZSet* zset = nullptr;
  const Set* set = nullptr;
  double weight = 1;
  bool present() const { return zset != nullptr || set != nullptr; }
  size_t size() const { return zset ? zset->size() : set ? set->size() : 0; }
  std::optional<double> Score(std::string_view m) const {
    if (zset) return zset->Score(m);
    if (set && set->Contains(m)) return 1.0;
    return std::nullopt;
  }
  void ForEach(const std::function<void(std::string_view, double)>& fn) const {
    if (zset) zset->ForEach([&](const ZSet::Item& it) { fn(it.member, it.score); });
    if (set) set->ForEach([&](std::string_view m) { fn(m, 1.0); });
  }
};

enum class Op : uint8_t { kUnion, kInter, kDiff, kInterCard };
enum class Aggregate : uint8_t { kSum, kMin, kMax };

double Combine(double acc, double v, Aggregate how) {
  if (how == Aggregate::kSum) {
    const double sum = acc + v;
    return std::isnan(sum) ? 0 : sum;  // inf + -inf, as Redis
  }
  return how == Aggregate::kMin ? std::min(acc, v) : std::max(acc, v);
}

// ZUNION/ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES],
// ZDIFF numkeys key [key ...] [WITHSCORES], the STORE forms (destination first, no
// WITHSCORES) replying the stored size, and ZINTERCARD numkeys key [key ...] [LIMIT limit].
void CombineCommand(CommandContext& ctx, Op op, bool store) {
  const size_t numkeys_at = store ? 2 : 1;
  int64_t numkeys;
  if (!ArgInt(ctx, numkeys_at, &numkeys)) return;
  if (numkeys < 1) {
    ctx.Error(err::Format(err::kNeedInputKey, {ctx.command->name}));
    return;
  }
  if (static_cast<uint64_t>(numkeys) > ctx.argc() - numkeys_at - 1) {
    ctx.Error(err::kSyntax);
    return;
  }
  const size_t first_key = numkeys_at + 1, n = static_cast<size_t>(numkeys);
  std::vector<Source> sources(n);
  Aggregate how = Aggregate::kSum;
  bool with_scores = false;
  int64_t limit = 0;
  for (size_t j = first_key + n; j < ctx.argc(); ++j) {
    const std::string_view a = ctx.arg(j);
    const size_t left = ctx.argc() - j - 1;
    if ((op == Op::kUnion || op == Op::kInter) && left >= n && EqualsNoCase(a, "WEIGHTS")) {
      for (size_t k = 0; k < n; ++k) {
        if (!ParseScore(ctx.arg(j + 1 + k), &sources[k].weight)) {
          ctx.Error(err::kZWeightNotFloat);
          return;
        }
      }
      j += n;
    } else if ((op == Op::kUnion || op == Op::kInter) && left >= 1 &&
               EqualsNoCase(a, "AGGREGATE")) {
      const std::string_view w = ctx.arg(++j);
      if (EqualsNoCase(w, "SUM")) {
        how = Aggregate::kSum;
      } else if (EqualsNoCase(w, "MIN")) {
        how = Aggregate::kMin;
      } else if (EqualsNoCase(w, "MAX")) {
        how = Aggregate::kMax;
      } else {
        ctx.Error(err::kSyntax);
        return;
      }
    } else if (op != Op::kInterCard && !store && EqualsNoCase(a, "WITHSCORES")) {
      with_scores = true;
    } else if (op == Op::kInterCard && left >= 1 && EqualsNoCase(a, "LIMIT")) {
      if (!ParseInt64(ctx.arg(++j), &limit) || limit < 0) {
        ctx.Error(err::kLimitNegative);
        return;
      }
    } else {
      ctx.Error(err::kSyntax);
      return;
    }
  }
  for (size_t k = 0; k < n; ++k) {
    Db& db = ctx.db();
    Entry* e = store ? db.FindForWrite(ctx.arg(first_key + k), ctx.now_ms)
                     : db.FindForRead(ctx.arg(first_key + k), ctx.now_ms);
    if (e == nullptr) continue;
    if (e->type() == ValueType::kZSet) {
      sources[k].zset = e->object_as<ZSet>();
    } else if (e->type() == ValueType::kSet) {
      sources[k].set = e->object_as<Set>();
    } else {
      ctx.Error(err::kWrongType);
      return;
    }
  }
  std::unordered_map<std::string, double> acc;
  if (op == Op::kUnion) {
    for (const Source& src : sources) {
      src.ForEach([&](std::string_view m, double s) {
        double v = src.weight * s;
        if (std::isnan(v)) v = 0;
        auto [it, fresh] = acc.emplace(std::string(m), v);
        if (!fresh) it->second = Combine(it->second, v, how);
      });
    }
  } else if (op == Op::kInter || op == Op::kInterCard) {
    bool any_missing = false;
    for (const Source& src : sources) any_missing = any_missing || !src.present();
    if (!any_missing) {
      int64_t found = 0;
      bool done = false;
      sources[0].ForEach([&](std::string_view m, double s) {
        if (done) return;
        double v = sources[0].weight * s;
        if (std::isnan(v)) v = 0;
        for (size_t k = 1; k < n; ++k) {
          std::optional<double> o = sources[k].Score(m);
          if (!o) return;
          double w = sources[k].weight * *o;
          if (std::isnan(w)) w = 0;
          v = Combine(v, w, how);
        }
        acc.emplace(std::string(m), v);
        if (op == Op::kInterCard && limit > 0 && ++found >= limit) done = true;
      });
    }
  } else {
    sources[0].ForEach([&](std::string_view m, double s) {
      for (size_t k = 1; k < n; ++k) {
        if (sources[k].Score(m)) return;
      }
      acc.emplace(std::string(m), s);
    });
  }
  if (op == Op::kInterCard) {
    ctx.reply.Int(static_cast<int64_t>(acc.size()));
    return;
  }
  auto result = std::make_unique<ZSet>();
  for (const auto& [m, v] : acc) result->Set(m, v, ZLimits(ctx));
  if (store) {
    const size_t size = result->size();
    if (size == 0) {
      ctx.db().Delete(ctx.arg(1), ctx.now_ms);
    } else {
      ctx.db().PutObject(ctx.arg(1), ValueType::kZSet, result.release(), Entry::kNoExpire,
                         ctx.now_ms);
      SignalKeyReady(ctx.engine, ctx.client.db, ctx.arg(1));
    }
    ctx.reply.Int(static_cast<int64_t>(size));
    return;
  }
  std::vector<ZSet::Item> items;
  result->ForEach([&](const ZSet::Item& it) { items.push_back(it); });
  ReplyItems(ctx, items, with_scores);
}

void ZUnion(CommandContext& ctx) { CombineCommand(ctx, Op::kUnion, false); }
void ZUnionStore(CommandContext& ctx) { CombineCommand(ctx, Op::kUnion, true); }
void ZInter(CommandContext& ctx) { CombineCommand(ctx, Op::kInter, false); }
void ZInterStore(CommandContext& ctx) { CombineCommand(ctx, Op::kInter, true); }
void ZDiff(CommandContext& ctx) { CombineCommand(ctx, Op::kDiff, false); }
void ZDiffStore(CommandContext& ctx) { CombineCommand(ctx, Op::kDiff, true); }
void ZInterCard(CommandContext& ctx) { CombineCommand(ctx, Op::kInterCard, false); }

constexpr uint32_t kWriteOom = kWrite | kDenyOom;

}  // namespace

std::vector<Command> ZSetCommands() {
  RegisterTypeOps(ValueType::kZSet, &kZSetOps);
  return {
      {.name = "zadd",
       .arity = -4,
       .flags = kWriteOom | kFast,
       .keys = {1, 1, 1},
       .run = ZAdd,
       .group = "sorted-set",
       .since = "1.2.0",
       .summary = "Adds members with scores, or changes their scores",
       .syntax = "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]"},
      {.name = "zincrby",
       .arity = 4,
       .flags = kWriteOom | kFast,
       .keys = {1, 1, 1},
       .run = ZIncrBy,
       .group = "sorted-set",
       .since = "1.2.0",
       .summary = "Adds to a member's score",
       .syntax = "key increment member"},
      {.name = "zrem",
       .arity = -3,
       .flags = kWrite | kFast,
       .keys = {1, 1, 1},
       .run = ZRem,
       .group = "sorted-set",
       .since = "1.2.0",
       .summary = "Removes members",
       .syntax = "key member [member ...]"},
      {.name = "zcard",
       .arity = 2,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = ZCard,
       .group = "sorted-set",
       .since = "1.2.0",
       .summary = "Counts the members",
       .syntax = "key"},
      {.name = "zscore",
       .arity = 3,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = ZScore,
       .group = "sorted-set",
       .since = "1.2.0",
       .summary = "Returns a member's score",
       .syntax = "key member"},
      {.name = "zmscore",
       .arity = -3,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = ZMScore,
       .group = "sorted-set",
       .since = "6.2.0",
       .summary = "Returns the scores of several members",
       .syntax = "key member [member ...]"},
      {.name = "zrank",
       .arity = 3,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = ZRank,
       .group = "sorted-set",
       .since = "2.0.0",
       .summary = "Returns a member's position from the lowest score",
       .syntax = "key member"},
      {.name = "zrevrank",
       .arity = 3,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = ZRevRank,
       .group = "sorted-set",
       .since = "2.0.0",
       .summary = "Returns a member's position from the highest score",
       .syntax = "key member"},
      {.name = "zcount",
       .arity = 4,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = ZCount,
       .group = "sorted-set",
       .since = "2.0.0",
       .summary = "Counts the members within a score range",
       .syntax = "key min max"},
      {.name = "zlexcount",
       .arity = 4,
       .flags = kReadOnly | kFast,
       .keys = {1, 1, 1},
       .run = ZLexCount,
       .group = "sorted-set",
       .since = "2.8.9",
       .summary = "Counts the members within a range of names",
       .syntax = "key min max"},
      {.name = "zrange",
       .arity = -4,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = ZRange,
       .group = "sorted-set",
       .since = "1.2.0",
       .summary = "Returns members by position, score or name",
       .syntax = "key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]"},
      {.name = "zrangestore",
       .arity = -5,
       .flags = kWriteOom,
       .keys = {1, 2, 1},
       .run = ZRangeStore,
       .group = "sorted-set",
       .since = "6.2.0",
       .summary = "Stores a range of members in another key",
       .syntax = "dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]"},
      {.name = "zrevrange",
       .arity = -4,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = ZRevRange,
       .group = "sorted-set",
       .since = "1.2.0",
       .summary = "Returns members by position, from the highest score",
       .syntax = "key start stop [WITHSCORES]"},
      {.name = "zrangebyscore",
       .arity = -4,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = ZRangeByScore,
       .group = "sorted-set",
       .since = "1.0.5",
       .summary = "Returns members within a score range",
       .syntax = "key min max [WITHSCORES] [LIMIT offset count]"},
      {.name = "zrevrangebyscore",
       .arity = -4,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = ZRevRangeByScore,
       .group = "sorted-set",
       .since = "2.2.0",
       .summary = "Returns members within a score range, from the highest score",
       .syntax = "key max min [WITHSCORES] [LIMIT offset count]"},
      {.name = "zrangebylex",
       .arity = -4,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = ZRangeByLex,
       .group = "sorted-set",
       .since = "2.8.9",
       .summary = "Returns members within a range of names",
       .syntax = "key min max [LIMIT offset count]"},
      {.name = "zrevrangebylex",
       .arity = -4,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = ZRevRangeByLex,
       .group = "sorted-set",
       .since = "2.8.9",
       .summary = "Returns members within a range of names, from the last",
       .syntax = "key max min [LIMIT offset count]"},
      {.name = "zremrangebyrank",
       .arity = 4,
       .flags = kWrite,
       .keys = {1, 1, 1},
       .run = ZRemRangeByRank,
       .group = "sorted-set",
       .since = "2.0.0",
       .summary = "Removes the members between two positions",
       .syntax = "key start stop"},
      {.name = "zremrangebyscore",
       .arity = 4,
       .flags = kWrite,
       .keys = {1, 1, 1},
       .run = ZRemRangeByScore,
       .group = "sorted-set",
       .since = "1.2.0",
       .summary = "Removes the members within a score range",
       .syntax = "key min max"},
      {.name = "zremrangebylex",
       .arity = 4,
       .flags = kWrite,
       .keys = {1, 1, 1},
       .run = ZRemRangeByLex,
       .group = "sorted-set",
       .since = "2.8.9",
       .summary = "Removes the members within a range of names",
       .syntax = "key min max"},
      {.name = "zpopmin",
       .arity = -2,
       .flags = kWrite | kFast,
       .keys = {1, 1, 1},
       .run = ZPopMin,
       .group = "sorted-set",
       .since = "5.0.0",
       .summary = "Removes and returns the lowest-scored members",
       .syntax = "key [count]"},
      {.name = "zpopmax",
       .arity = -2,
       .flags = kWrite | kFast,
       .keys = {1, 1, 1},
       .run = ZPopMax,
       .group = "sorted-set",
       .since = "5.0.0",
       .summary = "Removes and returns the highest-scored members",
       .syntax = "key [count]"},
      {.name = "zunion",
       .arity = -3,
       .flags = kReadOnly,
       .keys = {0, 0, 0},
       .run = ZUnion,
       .group = "sorted-set",
       .since = "6.2.0",
       .summary = "Returns the members of any input, scores combined",
       .syntax = "numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]"},
      {.name = "zunionstore",
       .arity = -4,
       .flags = kWriteOom,
       .keys = {1, 1, 1},
       .run = ZUnionStore,
       .group = "sorted-set",
       .since = "2.0.0",
       .summary = "Stores the members of any input, scores combined",
       .syntax = "destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]"},
      {.name = "zinter",
       .arity = -3,
       .flags = kReadOnly,
       .keys = {0, 0, 0},
       .run = ZInter,
       .group = "sorted-set",
       .since = "6.2.0",
       .summary = "Returns the members common to every input, scores combined",
       .syntax = "numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]"},
      {.name = "zinterstore",
       .arity = -4,
       .flags = kWriteOom,
       .keys = {1, 1, 1},
       .run = ZInterStore,
       .group = "sorted-set",
       .since = "2.0.0",
       .summary = "Stores the members common to every input, scores combined",
       .syntax = "destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]"},
      {.name = "zdiff",
       .arity = -3,
       .flags = kReadOnly,
       .keys = {0, 0, 0},
       .run = ZDiff,
       .group = "sorted-set",
       .since = "6.2.0",
       .summary = "Returns the members of the first input that no other input has",
       .syntax = "numkeys key [key ...] [WITHSCORES]"},
      {.name = "zdiffstore",
       .arity = -4,
       .flags = kWriteOom,
       .keys = {1, 1, 1},
       .run = ZDiffStore,
       .group = "sorted-set",
       .since = "6.2.0",
       .summary = "Stores the members of the first input that no other input has",
       .syntax = "destination numkeys key [key ...]"},
      {.name = "zintercard",
       .arity = -3,
       .flags = kReadOnly,
       .keys = {0, 0, 0},
       .run = ZInterCard,
       .group = "sorted-set",
       .since = "7.0.0",
       .summary = "Counts the members common to every input, up to a limit",
       .syntax = "numkeys key [key ...] [LIMIT limit]"},
      {.name = "zmpop",
       .arity = -4,
       .flags = kWrite,
       .keys = {0, 0, 0},
       .run = ZMPop,
       .group = "sorted-set",
       .since = "7.0.0",
       .summary = "Pops the lowest- or highest-scored members of the first non-empty input",
       .syntax = "numkeys key [key ...] MIN|MAX [COUNT count]"},
      {.name = "bzpopmin",
       .arity = -3,
       .flags = kWrite | kNoScript | kFast | kBlocking,
       .keys = {1, -2, 1},
       .run = BZPopMin,
       .group = "sorted-set",
       .since = "5.0.0",
       .summary = "Pops the lowest-scored member of the first non-empty set, waiting for one",
       .syntax = "key [key ...] timeout"},
      {.name = "bzpopmax",
       .arity = -3,
       .flags = kWrite | kNoScript | kFast | kBlocking,
       .keys = {1, -2, 1},
       .run = BZPopMax,
       .group = "sorted-set",
       .since = "5.0.0",
       .summary = "Pops the highest-scored member of the first non-empty set, waiting for one",
       .syntax = "key [key ...] timeout"},
      {.name = "bzmpop",
       .arity = -5,
       .flags = kWrite | kBlocking,
       .keys = {0, 0, 0},
       .run = BZMPop,
       .group = "sorted-set",
       .since = "7.0.0",
       .summary = "Pops members of the first non-empty sorted set, waiting for one if all are empty",
       .syntax = "timeout numkeys key [key ...] MIN|MAX [COUNT count]"},
      {.name = "zrandmember",
       .arity = -2,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = ZRandMember,
       .group = "sorted-set",
       .since = "6.2.0",
       .summary = "Picks members of a sorted set at random",
       .syntax = "key [count [WITHSCORES]]"},
      {.name = "zscan",
       .arity = -3,
       .flags = kReadOnly,
       .keys = {1, 1, 1},
       .run = ZScan,
       .group = "sorted-set",
       .since = "2.8.0",
       .summary = "Walks the members of a sorted set a few at a time",
       .syntax = "key cursor [MATCH pattern] [COUNT count]"},
  };
}

void RunZAdd(CommandContext& ctx) { ZAdd(ctx); }

}  // namespace firn
