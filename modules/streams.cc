#include "modules/streams.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <limits>
#include <cstdlib>
#include <string>
#include <vector>

#include "conf/config.h"
#include "modules/args.h"
#include "modules/blocking.h"
#include "modules/collection_common.h"
#include "modules/common.h"
#include "modules/engine.h"
#include "modules/scripting.h"
#include "protocol/errors.h"
#include "protocol/numbers.h"
#include "protocol/reply.h"
#include "storage/db.h"
#include "storage/stream.h"
#include "storage/stream_rdb.h"
#include "storage/value.h"

namespace firn {
namespace {

// ---- the stream's TypeOps row ----

// Serialized form: Redis 7.0's RDB stream object (storage/stream_rdb.h), type 19; 15 and 21
// are read too.
void SerializeStream(const Entry& e, std::string* out) {
  rdb::EncodeStream(*e.object_as<Stream>(), out);
}

Entry* DeserializeStream(std::string_view key, std::string_view payload, int64_t expire_ms) {
  Stream* s = rdb::DecodeStream(payload);
  return s == nullptr ? nullptr : Entry::MakeObject(key, ValueType::kStream, s, expire_ms);
}

const TypeOps kStreamOps = {
    .name = "stream",
    .encoding = [](const Entry&) -> std::string_view { return "stream"; },
    .free_object = FreeObjectOf<Stream>,
    .copy_object = CopyObjectOf<Stream>,
    .memory_usage = ObjectMemoryOf<Stream>,
    .serialize = SerializeStream,
    .deserialize = DeserializeStream,
    // Allocations: a node each, and per consumer group the group, its pending entries and
    // its consumers.
    .free_effort = [](const Entry& e) -> size_t {
      const Stream* s = e.object_as<Stream>();
      size_t effort = s->node_count();
      for (const auto& [name, g] : s->groups()) effort += 1 + g->pel.size() + g->consumers.size();
      return effort;
    },
};

// ---- helpers ----

Stream* StreamOf(Entry* e) { return e->object_as<Stream>(); }

bool FindStream(CommandContext& ctx, std::string_view key, Lookup how, Entry** e) {
  return FindTypedOrReply(ctx, key, ValueType::kStream, how, e);
}

Stream::Limits LimitsOf(CommandContext& ctx) {
  return {.max_node_entries = static_cast<size_t>(std::max<int64_t>(0, ctx.config().stream_node_max_entries)),
          .max_node_bytes = static_cast<size_t>(std::max<int64_t>(0, ctx.config().stream_node_max_bytes))};
}

void Notify(CommandContext& ctx, std::string_view event, std::string_view key) {
  ctx.engine.notifier.Notify(kNotifyStream, event, ctx.client.db, key);
}

// Redis's string2ull: a canonical int64 that is not negative, else whatever strtoull reads
// whole (it takes a leading '+' or spaces, and values past INT64_MAX).
bool ParseU64Loose(std::string_view s, uint64_t* out) {
  int64_t v;
  if (ParseInt64(s, &v)) {
    if (v < 0) return false;
    *out = static_cast<uint64_t>(v);
    return true;
  }
  if (s.empty() || s.find('\0') != std::string_view::npos) return false;
  const std::string text(s);
  char* end = nullptr;
  errno = 0;
  const unsigned long long u = std::strtoull(text.c_str(), &end, 10);
  if (errno == EINVAL || errno == ERANGE || *end != '\0') return false;
  *out = u;
  return true;
}

// Redis's streamGenericParseIDOrReply. strict refuses "-" and "+"; seq_given (XADD only) also
// accepts "<ms>-*" (then *seq_given is false).
bool ParseId(std::string_view s, uint64_t missing_seq, bool strict, StreamId* id,
             bool* seq_given = nullptr) {
  if (s.size() > 127) return false;
  // A C string ends at its first NUL, as Redis reads the argument.
  if (const size_t nul = s.find('\0'); nul != std::string_view::npos) s = s.substr(0, nul);
  if (strict && (s == "-" || s == "+")) return false;
  if (seq_given != nullptr) *seq_given = true;
  if (s == "-") {
    *id = {0, 0};
    return true;
  }
  if (s == "+") {
    *id = StreamId::Max();
    return true;
  }
  const size_t dash = s.find('-');
  uint64_t ms, seq;
  if (!ParseU64Loose(s.substr(0, dash), &ms)) return false;
  if (dash != std::string_view::npos) {
    const std::string_view tail = s.substr(dash + 1);
    if (seq_given != nullptr && tail == "*") {
      seq = 0;
      *seq_given = false;
    } else if (!ParseU64Loose(tail, &seq)) {
      return false;
    }
  } else {
    seq = missing_seq;
  }
  *id = {ms, seq};
  return true;
}

bool ParseIdOrReply(CommandContext& ctx, std::string_view s, uint64_t missing_seq, bool strict,
                    StreamId* id) {
  if (ParseId(s, missing_seq, strict, id)) return true;
  ctx.Error(err::kStreamBadId);
  return false;
}

// An interval bound: "(" before an id excludes it (Redis's streamParseIntervalIDOrReply).
bool ParseIntervalOrReply(CommandContext& ctx, std::string_view s, uint64_t missing_seq,
                          StreamId* id, bool* exclusive) {
  *exclusive = s.size() > 1 && s[0] == '(';
  if (*exclusive) return ParseIdOrReply(ctx, s.substr(1), missing_seq, true, id);
  return ParseIdOrReply(ctx, s, missing_seq, false, id);
}

bool ParseStartOrReply(CommandContext& ctx, std::string_view s, StreamId* id) {
  bool ex;
  if (!ParseIntervalOrReply(ctx, s, 0, id, &ex)) return false;
  if (ex && !id->Incr(id)) {
    ctx.Error(err::kStreamBadStart);
    return false;
  }
  return true;
}

bool ParseEndOrReply(CommandContext& ctx, std::string_view s, StreamId* id) {
  bool ex;
  if (!ParseIntervalOrReply(ctx, s, UINT64_MAX, id, &ex)) return false;
  if (ex && !id->Decr(id)) {
    ctx.Error(err::kStreamBadEnd);
    return false;
  }
  return true;
}

void ReplyId(CommandContext& ctx, StreamId id) {
  char buf[48];
  ctx.reply.Bulk({buf, id.Format(buf)});
}

void ReplyEntry(ReplyBuilder& reply, StreamId id, const StreamFields& fields) {
  char buf[48];
  reply.Array(2);
  reply.Bulk({buf, id.Format(buf)});
  reply.Array(fields.size() * 2);
  for (const auto& [f, v] : fields) {
    reply.Bulk(f);
    reply.Bulk(v);
  }
}

void ReplyEntry(CommandContext& ctx, StreamId id, const StreamFields& fields) {
  ReplyEntry(ctx.reply, id, fields);
}

// Collects the entries of a range (so the reply's length is known before it is written).
struct Collected {
  std::vector<StreamId> ids;
  std::vector<std::string> blobs;  // fields flattened: f, v, f, v...
  std::vector<size_t> ends;        // blobs index after each entry
};

// Replies one entry id..id or nil when it is gone (XCLAIM, XAUTOCLAIM): Redis's
// streamReplyWithRange of one id, or a null.
void ReplyOneOrNull(CommandContext& ctx, const Stream& s, StreamId id) {
  bool found = false;
  s.Range(id, id, 1, false, [&](StreamId eid, const StreamFields& fields) {
    ReplyEntry(ctx, eid, fields);
    found = true;
    return false;
  });
  if (!found) ctx.reply.Null();
}

// Writes the range start..end (count 0: all) as an array of entries.
void ReplyRange(CommandContext& ctx, const Stream& s, StreamId start, StreamId end, size_t count,
                bool reverse) {
  // One walk of the range: the entries are encoded into a scratch buffer while they are
  // counted, then the count and the bytes follow. Copying the encoded reply once costs less
  // than decoding every entry a second time to count it first.
  std::string body;
  ReplyBuilder entries(&body, ctx.reply.proto());
  const size_t n = s.Range(start, end, count, reverse, [&](StreamId id, const StreamFields& fields) {
    ReplyEntry(entries, id, fields);
    return true;
  });
  ctx.reply.Array(n);
  ctx.reply.Raw(body);
}

std::string NoGroupError(std::string_view key, std::string_view group) {
  return err::Format(err::kNoKeyOrGroup, {key, group});
}

std::string NoGroupForKeyError(std::string_view group, std::string_view key) {
  return err::Format(err::kNoGroupForKey, {group, key});
}

// ---- trimming arguments (XADD and XTRIM, Redis's streamParseAddOrTrimArgsOrReply) ----

struct AddTrimArgs {
  bool has_trim = false;
  Stream::Trim trim;
  bool limit_given = false;
  int64_t limit = 0;
  bool nomkstream = false;
  bool id_given = false;
  bool seq_given = true;
  StreamId id;
  size_t id_pos = 0;  // XADD: the index of the id (or '*')
};

bool ParseAddOrTrim(CommandContext& ctx, bool xadd, AddTrimArgs* a) {
  size_t i = 2;
  for (; i < ctx.argc(); ++i) {
    const size_t moreargs = ctx.argc() - 1 - i;
    const std::string_view opt = ctx.arg(i);
    if (xadd && opt == "*") {
      break;
    } else if ((EqualsNoCase(opt, "MAXLEN") || EqualsNoCase(opt, "MINID")) && moreargs != 0) {
      const bool minid = EqualsNoCase(opt, "MINID");
      if (a->has_trim) {
        ctx.Error(err::kStreamMaxlenAndMinid);
        return false;
      }
      bool approx = false;
      std::string_view next = ctx.arg(i + 1);
      if (moreargs >= 2 && next == "~") {
        approx = true;
        ++i;
      } else if (moreargs >= 2 && next == "=") {
        ++i;
      }
      if (minid) {
        if (!ParseIdOrReply(ctx, ctx.arg(i + 1), 0, true, &a->trim.minid)) return false;
      } else {
        int64_t maxlen;
        if (!ArgInt(ctx, i + 1, &maxlen)) return false;
        if (maxlen < 0) {
          ctx.Error(err::kStreamMaxlenNegative);
          return false;
        }
        a->trim.maxlen = static_cast<size_t>(maxlen);
      }
      ++i;
      a->has_trim = true;
      a->trim.by_minid = minid;
      a->trim.approx = approx;
    } else if (EqualsNoCase(opt, "LIMIT") && moreargs != 0) {
      if (!ArgInt(ctx, i + 1, &a->limit)) return false;
      if (a->limit < 0) {
        ctx.Error(err::kStreamLimitNegative);
        return false;
      }
      a->limit_given = true;
      ++i;
    } else if (xadd && EqualsNoCase(opt, "NOMKSTREAM")) {
      a->nomkstream = true;
    } else if (xadd) {
      if (!ParseId(opt, 0, true, &a->id, &a->seq_given)) {
        ctx.Error(err::kStreamBadId);
        return false;
      }
      a->id_given = true;
      break;
    } else {
      ctx.Error(err::kSyntax);
      return false;
    }
  }
  a->id_pos = i;
  if (a->limit != 0 && !a->has_trim) {
    ctx.Error(err::kStreamLimitNeedsStrategy);
    return false;
  }
  if (!xadd && !a->has_trim) {
    ctx.Error(err::kStreamTrimNeedsStrategy);
    return false;
  }
  if (a->limit_given) {
    if (!a->trim.approx) {
      ctx.Error(err::kStreamLimitNeedsApprox);
      return false;
    }
    a->trim.limit = static_cast<size_t>(a->limit);
  } else if (a->trim.approx) {
    int64_t limit = 100 * ctx.config().stream_node_max_entries;
    if (limit <= 0 || limit > 1000000) limit = 10000;
    a->trim.limit = static_cast<size_t>(limit);
  }
  return true;
}

// ---- commands ----

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value
// [field value ...] -> the new entry's id, or nil with NOMKSTREAM on a missing key.
void XAdd(CommandContext& ctx) {
  AddTrimArgs a;
  if (!ParseAddOrTrim(ctx, true, &a)) return;
  const size_t field_pos = a.id_pos + 1;
  if (field_pos >= ctx.argc() || (ctx.argc() - field_pos) % 2 != 0) {
    ctx.Error(WrongArityError(ctx.command->name));
    return;
  }
  if (a.id_given && a.seq_given && a.id.IsZero()) {
    ctx.Error(err::kStreamIdZero);
    return;
  }
  Entry* e;
  if (!FindStream(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  if (e == nullptr && a.nomkstream) {
    ctx.reply.Null();
    return;
  }
  Stream* s = e != nullptr ? StreamOf(e) : nullptr;
  const StreamId last = s != nullptr ? s->last_id() : StreamId{};
  if (last == StreamId::Max()) {
    ctx.Error(err::kStreamExhausted);
    return;
  }
  StreamId id;
  if (!a.id_given) {
    const uint64_t now = static_cast<uint64_t>(std::max<int64_t>(0, ctx.now_ms));
    if (now > last.ms) {
      id = {now, 0};
    } else {
      last.Incr(&id);
    }
  } else if (a.seq_given) {
    if (a.id <= last) {
      ctx.Error(err::kStreamIdTooSmall);
      return;
    }
    id = a.id;
  } else {
    if (a.id.ms == last.ms) {
      if (last.seq == UINT64_MAX) {
        ctx.Error(err::kStreamIdTooSmall);
        return;
      }
      id = {last.ms, last.seq + 1};
    } else if (a.id.ms > last.ms) {
      id = {a.id.ms, 0};
    } else {
      ctx.Error(err::kStreamIdTooSmall);
      return;
    }
  }
  const bool created = s == nullptr;
  if (created) s = new Stream();
  s->AppendFlat(id, std::span<const std::string_view>(ctx.argv).subspan(field_pos), LimitsOf(ctx));
  if (created) {
    e = ctx.db().PutObject(ctx.arg(1), ValueType::kStream, s, Entry::kNoExpire, ctx.now_ms);
  } else {
    ctx.db().Touched(e);
  }
  ReplyId(ctx, id);
  Notify(ctx, "xadd", ctx.arg(1));
  if (a.has_trim && s->TrimHead(a.trim) != 0) {
    ctx.db().Touched(e);
    Notify(ctx, "xtrim", ctx.arg(1));
  }
  SignalKeyReady(ctx.engine, ctx.client.db, ctx.arg(1));
}

// XRANGE key start end [COUNT count]; XREVRANGE key end start [COUNT count] -> the entries.
void RangeGeneric(CommandContext& ctx, bool reverse) {
  StreamId start, end;
  const std::string_view start_arg = reverse ? ctx.arg(3) : ctx.arg(2);
  const std::string_view end_arg = reverse ? ctx.arg(2) : ctx.arg(3);
  if (!ParseStartOrReply(ctx, start_arg, &start) || !ParseEndOrReply(ctx, end_arg, &end)) return;
  int64_t count = -1;
  for (size_t j = 4; j < ctx.argc(); ++j) {
    if (EqualsNoCase(ctx.arg(j), "COUNT") && j + 1 < ctx.argc()) {
      if (!ArgInt(ctx, j + 1, &count)) return;
      if (count < 0) count = 0;
      ++j;
    } else {
      ctx.Error(err::kSyntax);
      return;
    }
  }
  Entry* e;
  if (!FindStream(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  if (e == nullptr) {
    ctx.reply.Array(0);
    return;
  }
  if (count == 0) {
    ctx.reply.NullArray();
    return;
  }
  ReplyRange(ctx, *StreamOf(e), start, end, count < 0 ? 0 : static_cast<size_t>(count), reverse);
}

void XRange(CommandContext& ctx) { RangeGeneric(ctx, false); }
void XRevRange(CommandContext& ctx) { RangeGeneric(ctx, true); }

// XLEN key -> the number of entries.
void XLen(CommandContext& ctx) {
  Entry* e;
  if (!FindStream(ctx, ctx.arg(1), Lookup::kRead, &e)) return;
  ctx.reply.Int(e == nullptr ? 0 : static_cast<int64_t>(StreamOf(e)->length()));
}

// XDEL key id [id ...] -> the number of entries deleted.
void XDel(CommandContext& ctx) {
  Entry* e;
  if (!FindStream(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  std::vector<StreamId> ids(ctx.argc() - 2);
  for (size_t j = 2; j < ctx.argc(); ++j) {
    if (!ParseIdOrReply(ctx, ctx.arg(j), 0, true, &ids[j - 2])) return;
  }
  if (e == nullptr) {
    ctx.reply.Int(0);
    return;
  }
  Stream* s = StreamOf(e);
  int64_t deleted = 0;
  for (StreamId id : ids) deleted += s->Delete(id);
  if (deleted != 0) {
    ctx.db().Touched(e);
    Notify(ctx, "xdel", ctx.arg(1));
  }
  ctx.reply.Int(deleted);
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] -> the number of entries removed.
void XTrim(CommandContext& ctx) {
  AddTrimArgs a;
  if (!ParseAddOrTrim(ctx, false, &a)) return;
  Entry* e;
  if (!FindStream(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  if (e == nullptr) {
    ctx.reply.Int(0);
    return;
  }
  const size_t removed = StreamOf(e)->TrimHead(a.trim);
  if (removed != 0) {
    ctx.db().Touched(e);
    Notify(ctx, "xtrim", ctx.arg(1));
  }
  ctx.reply.Int(static_cast<int64_t>(removed));
}

// XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id] -> OK.
void XSetId(CommandContext& ctx) {
  StreamId id, max_xdel;
  int64_t entries_added = -1;
  if (!ParseIdOrReply(ctx, ctx.arg(2), 0, true, &id)) return;
  for (size_t i = 3; i < ctx.argc();) {
    const bool more = i + 1 < ctx.argc();
    if (EqualsNoCase(ctx.arg(i), "ENTRIESADDED") && more) {
      if (!ArgInt(ctx, i + 1, &entries_added)) return;
      if (entries_added < 0) {
        ctx.Error(err::kXsetidEntriesAddedNegative);
        return;
      }
      i += 2;
    } else if (EqualsNoCase(ctx.arg(i), "MAXDELETEDID") && more) {
      if (!ParseIdOrReply(ctx, ctx.arg(i + 1), 0, true, &max_xdel)) return;
      if (id < max_xdel) {
        ctx.Error(err::kXsetidBelowMaxDeletedArg);
        return;
      }
      i += 2;
    } else {
      ctx.Error(err::kSyntax);
      return;
    }
  }
  Entry* e;
  if (!FindStream(ctx, ctx.arg(1), Lookup::kWrite, &e)) return;
  if (e == nullptr) {
    ctx.Error(err::kNoSuchKey);
    return;
  }
  Stream* s = StreamOf(e);
  if (id < s->max_deleted_id()) {
    ctx.Error(err::kXsetidBelowMaxDeleted);
    return;
  }
  if (s->length() > 0) {
    if (id < *s->EdgeId(true)) {
      ctx.Error(err::kXsetidBelowTop);
      return;
    }
    if (entries_added != -1 && s->length() > static_cast<uint64_t>(entries_added)) {
      ctx.Error(err::kXsetidEntriesAddedSmall);
      return;
    }
  }
  s->set_last_id(id);
  if (entries_added != -1) s->set_entries_added(static_cast<uint64_t>(entries_added));
  if (!max_xdel.IsZero()) s->set_max_deleted_id(max_xdel);
  ctx.db().Touched(e);
  Notify(ctx, "xsetid", ctx.arg(1));
  ctx.reply.Ok();
}

// ---- XREAD and XREADGROUP ----

// Delivers the entries after `after` to a group's consumer (Redis's streamReplyWithRange with
// a group): moves the group's last id and entries-read, and records each in the PELs unless
// noack.
void ReplyGroupNew(CommandContext& ctx, Stream& s, Stream::Group* g, Stream::Consumer* c,
                   StreamId after, size_t count, bool noack) {
  StreamId start;
  if (!after.Incr(&start)) {
    ctx.reply.Array(0);
    return;
  }
  const size_t n =
      s.Range(start, StreamId::Max(), count, false, [](StreamId, const StreamFields&) { return true; });
  ctx.reply.Array(n);
  s.Range(start, StreamId::Max(), count, false, [&](StreamId id, const StreamFields& fields) {
    if (id > g->last_id) {
      if (g->entries_read >= 0 && !s.RangeHasTombstones(id, StreamId::Max())) {
        ++g->entries_read;
      } else if (s.entries_added() != 0) {
        g->entries_read = s.EstimateEntriesRead(id);
      }
      g->last_id = id;
    }
    ReplyEntry(ctx, id, fields);
    if (!noack) {
      auto it = g->pel.find(id);
      if (it == g->pel.end()) {
        auto p = std::make_unique<Stream::Pending>();
        p->delivery_time_ms = ctx.now_ms;
        p->delivery_count = 1;
        p->consumer = c;
        c->pel.emplace(id, p.get());
        g->pel.emplace(id, std::move(p));
      } else {
        Stream::Pending* p = it->second.get();
        p->consumer->pel.erase(id);
        p->consumer = c;
        p->delivery_time_ms = ctx.now_ms;
        p->delivery_count = 1;
        c->pel.emplace(id, p);
      }
    }
    return true;
  });
}

// A consumer's history after `after` (Redis's streamReplyWithRangeFromConsumerPEL): each
// pending id with its entry, or with nil when the entry is gone.
void ReplyGroupHistory(CommandContext& ctx, Stream& s, Stream::Consumer* c, StreamId after,
                       size_t count) {
  StreamId start;
  if (!after.Incr(&start)) {
    ctx.reply.Array(0);
    return;
  }
  auto it = c->pel.lower_bound(start);
  size_t n = 0;
  for (auto j = it; j != c->pel.end() && (count == 0 || n < count); ++j) ++n;
  ctx.reply.Array(n);
  for (size_t k = 0; k < n; ++k, ++it) {
    bool found = false;
    s.Range(it->first, it->first, 1, false, [&](StreamId id, const StreamFields& fields) {
      ReplyEntry(ctx, id, fields);
      found = true;
      return false;
    });
    if (found) {
      it->second->delivery_time_ms = ctx.now_ms;
      ++it->second->delivery_count;
    } else {
      ctx.reply.Array(2);
      ReplyId(ctx, it->first);
      ctx.reply.NullArray();
    }
  }
}

// XREAD [COUNT count] [BLOCK ms] STREAMS key [key ...] id [id ...]
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key ... id ...
// -> per key with something to say, the key and its entries (a map in RESP3); nil if none.
void ReadGeneric(CommandContext& ctx, bool group_mode) {
  int64_t count = 0;
  int64_t timeout_ms = -1;
  size_t streams_arg = 0, nstreams = 0;
  std::string_view group_name, consumer_name;
  bool have_group = false, noack = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    const size_t moreargs = ctx.argc() - i - 1;
    const std::string_view o = ctx.arg(i);
    if (EqualsNoCase(o, "BLOCK") && moreargs != 0) {
      if (ctx.engine.scripting != nullptr && ctx.engine.scripting->vm.running()) {
        // Redis refuses BLOCK in a script rather than answering at once.
        ctx.Error(err::Format(err::kStreamBlockInScript, {ctx.arg(0)}));
        return;
      }
      ++i;
      int64_t t;
      if (!ParseInt64(ctx.arg(i), &t)) {
        ctx.Error(err::kStreamTimeoutNotInteger);
        return;
      }
      if (t < 0) {
        ctx.Error(err::kStreamTimeoutNegative);
        return;
      }
      // As Redis, the deadline is now + BLOCK; one past the clock's range is kept at its end.
      timeout_ms = std::min<int64_t>(t, std::numeric_limits<int64_t>::max() - ctx.now_ms);
    } else if (EqualsNoCase(o, "COUNT") && moreargs != 0) {
      ++i;
      if (!ArgInt(ctx, i, &count)) return;
      if (count < 0) count = 0;
    } else if (EqualsNoCase(o, "STREAMS") && moreargs != 0) {
      streams_arg = i + 1;
      const size_t rest = ctx.argc() - streams_arg;
      if (rest % 2 != 0) {
        // Redis 7.0 names XREAD and '$' for both commands.
        ctx.Error(err::kXreadUnbalanced);
        return;
      }
      nstreams = rest / 2;
      break;
    } else if (EqualsNoCase(o, "GROUP") && moreargs >= 2) {
      if (!group_mode) {
        ctx.Error(err::kXreadGroupOption);
        return;
      }
      group_name = ctx.arg(i + 1);
      consumer_name = ctx.arg(i + 2);
      have_group = true;
      i += 2;
    } else if (EqualsNoCase(o, "NOACK")) {
      if (!group_mode) {
        ctx.Error(err::kXreadNoackOption);
        return;
      }
      noack = true;
    } else {
      ctx.Error(err::kSyntax);
      return;
    }
  }
  if (streams_arg == 0) {
    ctx.Error(err::kSyntax);
    return;
  }
  if (group_mode && !have_group) {
    ctx.Error(err::kXreadgroupMissingGroup);
    return;
  }
  std::vector<StreamId> ids(nstreams);
  std::vector<bool> newer(nstreams, false);  // XREADGROUP's ">"
  std::vector<Stream::Group*> groups(nstreams, nullptr);
  for (size_t k = 0; k < nstreams; ++k) {
    const std::string_view key = ctx.arg(streams_arg + k);
    const std::string_view id_arg = ctx.arg(streams_arg + nstreams + k);
    Entry* e;
    if (!FindStream(ctx, key, Lookup::kRead, &e)) return;
    if (have_group) {
      Stream::Group* g = e != nullptr ? StreamOf(e)->FindGroup(group_name) : nullptr;
      if (g == nullptr) {
        ctx.Error(err::Format(err::kNoKeyOrGroupXreadgroup, {key, group_name}));
        return;
      }
      groups[k] = g;
    }
    if (id_arg == "$") {
      if (group_mode) {
        ctx.Error(err::kXreadgroupDollar);
        return;
      }
      ids[k] = e != nullptr ? StreamOf(e)->last_id() : StreamId{};
      continue;
    }
    if (id_arg == ">") {
      if (!group_mode) {
        ctx.Error(err::kXreadGreater);
        return;
      }
      newer[k] = true;
      ids[k] = StreamId::Max();
      continue;
    }
    if (!ParseIdOrReply(ctx, id_arg, 0, true, &ids[k])) return;
  }
  // Which keys can be served now.
  std::vector<size_t> served;
  for (size_t k = 0; k < nstreams; ++k) {
    Entry* e = ctx.db().Find(ctx.arg(streams_arg + k), ctx.now_ms);
    if (e == nullptr || e->type() != ValueType::kStream) continue;
    Stream* s = StreamOf(e);
    if (have_group) {
      Stream::Group* g = groups[k];
      if (!newer[k]) {
        served.push_back(k);
      } else if (s->length() != 0 && *s->EdgeId(true) > g->last_id) {
        ids[k] = g->last_id;
        served.push_back(k);
      }
    } else if (s->length() != 0 && *s->EdgeId(true) > ids[k]) {
      served.push_back(k);
    }
  }
  if (served.empty()) {
    if (timeout_ms < 0 || !MayBlock(ctx)) {
      ctx.reply.NullArray();
      return;
    }
    // Waits on every key; the re-run names the IDs '$' stood for now, so entries added
    // meanwhile are what it serves.
    std::vector<std::string_view> keys;
    keys.reserve(nstreams);
    std::vector<std::string> rerun;
    for (size_t k = 0; k < nstreams; ++k) keys.push_back(ctx.arg(streams_arg + k));
    bool dollar = false;
    for (size_t k = 0; k < nstreams && !dollar; ++k) {
      dollar = ctx.arg(streams_arg + nstreams + k) == "$";
    }
    if (dollar) {
      rerun.assign(ctx.argv.begin(), ctx.argv.end());
      for (size_t k = 0; k < nstreams; ++k) {
        std::string& id_arg = rerun[streams_arg + nstreams + k];
        if (id_arg != "$") continue;
        char buf[48];
        id_arg.assign(buf, ids[k].Format(buf));
      }
    }
    BlockClient(ctx, keys, timeout_ms, BlockTimeoutReply::kNullArray, rerun);
    return;
  }
  ctx.reply.ArrayMap(served.size());
  for (size_t k : served) {
    const std::string_view key = ctx.arg(streams_arg + k);
    Entry* e = ctx.db().Find(key, ctx.now_ms);
    Stream* s = StreamOf(e);
    ctx.reply.MapEntry();
    ctx.reply.Bulk(key);
    if (have_group) {
      // The consumer is made (or its seen time moved) when it is served, as in Redis 7.0.
      bool created;
      Stream::Consumer* c =
          Stream::LookupOrCreateConsumer(groups[k], consumer_name, ctx.now_ms, &created);
      c->seen_time_ms = ctx.now_ms;
      if (created) Notify(ctx, "xgroup-createconsumer", key);
      if (!newer[k]) {
        ReplyGroupHistory(ctx, *s, c, ids[k], static_cast<size_t>(count));
      } else {
        ReplyGroupNew(ctx, *s, groups[k], c, ids[k], static_cast<size_t>(count), noack);
      }
      ctx.db().Touched(e);
    } else {
      StreamId start;
      ids[k].Incr(&start);
      ReplyRange(ctx, *s, start, StreamId::Max(), static_cast<size_t>(count), false);
    }
  }
}

void XRead(CommandContext& ctx) { ReadGeneric(ctx, false); }
void XReadGroup(CommandContext& ctx) { ReadGeneric(ctx, true); }

// ---- XGROUP ----

// Redis's addReplySubcommandSyntaxError: the subcommand as typed, the container in capitals.
std::string SubcommandSyntaxError(CommandContext& ctx, std::string_view container = "XGROUP") {
  return err::Format(err::kSubcommandSyntax, {ctx.arg(1).substr(0, 128), container});
}

// The stream and group of an XGROUP subcommand that needs both (SETID, CREATECONSUMER,
// DELCONSUMER); false once the error is replied.
bool OpenGroup(CommandContext& ctx, Entry** e, Stream::Group** g) {
  if (!FindStream(ctx, ctx.arg(2), Lookup::kWrite, e)) return false;
  if (*e == nullptr) {
    ctx.Error(err::kXgroupNeedsKey);
    return false;
  }
  *g = StreamOf(*e)->FindGroup(ctx.arg(3));
  if (*g == nullptr) {
    ctx.Error(NoGroupForKeyError(ctx.arg(3), ctx.arg(2)));
    return false;
  }
  return true;
}

// Reads [MKSTREAM] (CREATE only) and [ENTRIESREAD n] from argv[5...].
bool ParseGroupOptions(CommandContext& ctx, bool create, bool* mkstream, int64_t* entries_read) {
  for (size_t i = 5; i < ctx.argc();) {
    if (create && EqualsNoCase(ctx.arg(i), "MKSTREAM")) {
      *mkstream = true;
      ++i;
    } else if (EqualsNoCase(ctx.arg(i), "ENTRIESREAD") && i + 1 < ctx.argc()) {
      if (!ArgInt(ctx, i + 1, entries_read)) return false;
      if (*entries_read < 0 && *entries_read != -1) {
        ctx.Error(err::kEntriesReadNegative);
        return false;
      }
      i += 2;
    } else {
      ctx.Error(SubcommandSyntaxError(ctx));
      return false;
    }
  }
  return true;
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n] -> OK.
void XGroupCreate(CommandContext& ctx) {
  bool mkstream = false;
  int64_t entries_read = -1;
  if (!ParseGroupOptions(ctx, true, &mkstream, &entries_read)) return;
  Entry* e;
  if (!FindStream(ctx, ctx.arg(2), Lookup::kWrite, &e)) return;
  if (e == nullptr && !mkstream) {
    ctx.Error(err::kXgroupNeedsKey);
    return;
  }
  if (ctx.argc() > 8) {
    ctx.Error(SubcommandSyntaxError(ctx));
    return;
  }
  StreamId id;
  if (ctx.arg(4) == "$") {
    id = e != nullptr ? StreamOf(e)->last_id() : StreamId{};
  } else if (!ParseIdOrReply(ctx, ctx.arg(4), 0, true, &id)) {
    return;
  }
  if (e == nullptr) {
    e = ctx.db().PutObject(ctx.arg(2), ValueType::kStream, new Stream(), Entry::kNoExpire,
                           ctx.now_ms);
  }
  if (StreamOf(e)->CreateGroup(ctx.arg(3), id, entries_read) == nullptr) {
    ctx.Error(err::kBusyGroup);
    return;
  }
  ctx.db().Touched(e);
  ctx.reply.Ok();
  Notify(ctx, "xgroup-create", ctx.arg(2));
}

// XGROUP SETID key group id|$ [ENTRIESREAD n] -> OK.
void XGroupSetId(CommandContext& ctx) {
  bool mkstream = false;
  int64_t entries_read = -1;
  if (!ParseGroupOptions(ctx, false, &mkstream, &entries_read)) return;
  Entry* e;
  Stream::Group* g;
  if (!OpenGroup(ctx, &e, &g)) return;
  if (ctx.argc() != 5 && ctx.argc() != 7) {
    ctx.Error(SubcommandSyntaxError(ctx));
    return;
  }
  StreamId id;
  if (ctx.arg(4) == "$") {
    id = StreamOf(e)->last_id();
  } else if (!ParseIdOrReply(ctx, ctx.arg(4), 0, false, &id)) {
    return;
  }
  g->last_id = id;
  g->entries_read = entries_read;
  ctx.db().Touched(e);
  ctx.reply.Ok();
  Notify(ctx, "xgroup-setid", ctx.arg(2));
}

// XGROUP DESTROY key group -> 1 if the group existed, else 0.
void XGroupDestroy(CommandContext& ctx) {
  Entry* e;
  if (!FindStream(ctx, ctx.arg(2), Lookup::kWrite, &e)) return;
  if (e == nullptr) {
    ctx.Error(err::kXgroupNeedsKey);
    return;
  }
  if (!StreamOf(e)->DestroyGroup(ctx.arg(3))) {
    ctx.reply.Int(0);
    return;
  }
  ctx.db().Touched(e);
  ctx.reply.Int(1);
  Notify(ctx, "xgroup-destroy", ctx.arg(2));
  // Its blocked readers are re-run and answer NOGROUP.
  SignalKeyReady(ctx.engine, ctx.client.db, ctx.arg(2));
}

// XGROUP CREATECONSUMER key group consumer -> 1 if created, 0 if it existed.
void XGroupCreateConsumer(CommandContext& ctx) {
  Entry* e;
  Stream::Group* g;
  if (!OpenGroup(ctx, &e, &g)) return;
  bool created;
  Stream::LookupOrCreateConsumer(g, ctx.arg(4), ctx.now_ms, &created);
  if (created) {
    ctx.db().Touched(e);
    Notify(ctx, "xgroup-createconsumer", ctx.arg(2));
  }
  ctx.reply.Int(created ? 1 : 0);
}

// XGROUP DELCONSUMER key group consumer -> the number of pending entries it had.
void XGroupDelConsumer(CommandContext& ctx) {
  Entry* e;
  Stream::Group* g;
  if (!OpenGroup(ctx, &e, &g)) return;
  if (Stream::FindConsumer(g, ctx.arg(4)) == nullptr) {
    ctx.reply.Int(0);
    return;
  }
  const size_t pending = Stream::DeleteConsumer(g, ctx.arg(4));
  ctx.db().Touched(e);
  Notify(ctx, "xgroup-delconsumer", ctx.arg(2));
  ctx.reply.Int(static_cast<int64_t>(pending));
}

void ReplyHelpLines(CommandContext& ctx, std::initializer_list<std::string_view> lines) {
  ctx.reply.Array(lines.size());
  for (std::string_view line : lines) ctx.reply.Simple(line);
}

void XGroupHelp(CommandContext& ctx) {
  ReplyHelpLines(ctx, {
      "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CREATE <key> <groupname> <id|$> [option]",
      "    Create a new consumer group. Options are:",
      "    * MKSTREAM",
      "      Create the empty stream if it does not exist.",
      "    * ENTRIESREAD entries_read",
      "      Set the group's entries_read counter (internal use).",
      "CREATECONSUMER <key> <groupname> <consumer>",
      "    Create a new consumer in the specified group.",
      "DELCONSUMER <key> <groupname> <consumer>",
      "    Remove the specified consumer.",
      "DESTROY <key> <groupname>",
      "    Remove the specified group.",
      "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
      "    Set the current group ID and entries_read counter.",
      "HELP",
      "    Prints this help.",
  });
}

// ---- XACK, XPENDING, XCLAIM, XAUTOCLAIM ----

// The stream and group for XACK, XPENDING, XCLAIM, XAUTOCLAIM: *g null when either is missing.
bool LookupGroup(CommandContext& ctx, Entry** e, Stream::Group** g) {
  if (!FindStream(ctx, ctx.arg(1), Lookup::kRead, e)) return false;
  *g = *e != nullptr ? StreamOf(*e)->FindGroup(ctx.arg(2)) : nullptr;
  return true;
}

// XACK key group id [id ...] -> the number of entries acknowledged.
void XAck(CommandContext& ctx) {
  Entry* e;
  Stream::Group* g;
  if (!LookupGroup(ctx, &e, &g)) return;
  if (g == nullptr) {
    ctx.reply.Int(0);
    return;
  }
  std::vector<StreamId> ids(ctx.argc() - 3);
  for (size_t j = 3; j < ctx.argc(); ++j) {
    if (!ParseIdOrReply(ctx, ctx.arg(j), 0, true, &ids[j - 3])) return;
  }
  int64_t acked = 0;
  for (StreamId id : ids) {
    auto it = g->pel.find(id);
    if (it == g->pel.end()) continue;
    it->second->consumer->pel.erase(id);
    g->pel.erase(it);
    ++acked;
  }
  if (acked != 0) ctx.db().Touched(e);
  ctx.reply.Int(acked);
}

// XPENDING key group -> [count, first id, last id, [[consumer, count]...]]
// XPENDING key group [IDLE ms] start end count [consumer] -> [[id, consumer, idle ms,
// deliveries]...]
void XPending(CommandContext& ctx) {
  const bool summary = ctx.argc() == 3;
  if (!summary && (ctx.argc() < 6 || ctx.argc() > 9)) {
    ctx.Error(err::kSyntax);
    return;
  }
  StreamId start, end;
  int64_t count = 0, min_idle = 0;
  std::string_view consumer_name;
  bool by_consumer = false;
  if (!summary) {
    size_t at = 3;
    if (EqualsNoCase(ctx.arg(3), "IDLE")) {
      if (!ArgInt(ctx, 4, &min_idle)) return;
      if (ctx.argc() < 8) {
        ctx.Error(err::kSyntax);
        return;
      }
      at += 2;
    }
    if (!ArgInt(ctx, at + 2, &count)) return;
    if (count < 0) count = 0;
    if (!ParseStartOrReply(ctx, ctx.arg(at), &start) ||
        !ParseEndOrReply(ctx, ctx.arg(at + 1), &end)) {
      return;
    }
    if (at + 3 < ctx.argc()) {
      consumer_name = ctx.arg(at + 3);
      by_consumer = true;
    }
  }
  Entry* e;
  Stream::Group* g;
  if (!LookupGroup(ctx, &e, &g)) return;
  if (g == nullptr) {
    ctx.Error(NoGroupError(ctx.arg(1), ctx.arg(2)));
    return;
  }
  if (summary) {
    ctx.reply.Array(4);
    ctx.reply.Int(static_cast<int64_t>(g->pel.size()));
    if (g->pel.empty()) {
      ctx.reply.Null();
      ctx.reply.Null();
      ctx.reply.NullArray();
      return;
    }
    ReplyId(ctx, g->pel.begin()->first);
    ReplyId(ctx, g->pel.rbegin()->first);
    size_t with = 0;
    for (const auto& [name, c] : g->consumers) with += !c->pel.empty();
    ctx.reply.Array(with);
    for (const auto& [name, c] : g->consumers) {
      if (c->pel.empty()) continue;
      ctx.reply.Array(2);
      ctx.reply.Bulk(name);
      char buf[24];
      ctx.reply.Bulk({buf, FormatInt(static_cast<int64_t>(c->pel.size()), buf)});
    }
    return;
  }
  std::vector<std::pair<StreamId, const Stream::Pending*>> out;
  auto emit = [&](StreamId id, const Stream::Pending* p) {
    if (min_idle != 0 && ctx.now_ms - p->delivery_time_ms < min_idle) return;
    out.emplace_back(id, p);
  };
  if (by_consumer) {
    Stream::Consumer* c = Stream::FindConsumer(g, consumer_name);
    if (c == nullptr) {
      ctx.reply.Array(0);
      return;
    }
    for (auto it = c->pel.lower_bound(start);
         it != c->pel.end() && it->first <= end && out.size() < static_cast<size_t>(count); ++it) {
      emit(it->first, it->second);
    }
  } else {
    for (auto it = g->pel.lower_bound(start);
         it != g->pel.end() && it->first <= end && out.size() < static_cast<size_t>(count); ++it) {
      emit(it->first, it->second.get());
    }
  }
  ctx.reply.Array(out.size());
  for (const auto& [id, p] : out) {
    ctx.reply.Array(4);
    ReplyId(ctx, id);
    ctx.reply.Bulk(p->consumer->name);
    ctx.reply.Int(std::max<int64_t>(0, ctx.now_ms - p->delivery_time_ms));
    ctx.reply.Int(static_cast<int64_t>(p->delivery_count));
  }
}

// Gives the pending entry p (id) to consumer c.
void Reassign(Stream::Consumer* c, StreamId id, Stream::Pending* p) {
  if (p->consumer == c) return;
  if (p->consumer != nullptr) p->consumer->pel.erase(id);
  c->pel.emplace(id, p);
  p->consumer = c;
}

Stream::Consumer* ClaimingConsumer(CommandContext& ctx, Stream::Group* g, std::string_view name,
                                   std::string_view key) {
  bool created;
  Stream::Consumer* c = Stream::LookupOrCreateConsumer(g, name, ctx.now_ms, &created);
  c->seen_time_ms = ctx.now_ms;
  if (created) Notify(ctx, "xgroup-createconsumer", key);
  return c;
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms] [RETRYCOUNT n]
// [FORCE] [JUSTID] [LASTID id] -> the claimed entries (or ids with JUSTID).
void XClaim(CommandContext& ctx) {
  Entry* e;
  Stream::Group* g;
  if (!LookupGroup(ctx, &e, &g)) return;
  if (g == nullptr) {
    ctx.Error(NoGroupError(ctx.arg(1), ctx.arg(2)));
    return;
  }
  int64_t min_idle;
  if (!ParseInt64(ctx.arg(4), &min_idle)) {
    ctx.Error(err::kXclaimMinIdle);
    return;
  }
  if (min_idle < 0) min_idle = 0;
  std::vector<StreamId> ids;
  size_t j = 5;
  for (; j < ctx.argc(); ++j) {
    StreamId id;
    if (!ParseId(ctx.arg(j), 0, true, &id)) break;
    ids.push_back(id);
  }
  int64_t retry_count = -1, delivery_time = -1;
  bool force = false, justid = false;
  StreamId last_id;
  for (; j < ctx.argc(); ++j) {
    const bool more = j + 1 < ctx.argc();
    const std::string_view opt = ctx.arg(j);
    if (EqualsNoCase(opt, "FORCE")) {
      force = true;
    } else if (EqualsNoCase(opt, "JUSTID")) {
      justid = true;
    } else if (EqualsNoCase(opt, "IDLE") && more) {
      if (!ParseInt64(ctx.arg(++j), &delivery_time)) {
        ctx.Error(err::kXclaimIdle);
        return;
      }
      delivery_time = ctx.now_ms - delivery_time;
    } else if (EqualsNoCase(opt, "TIME") && more) {
      if (!ParseInt64(ctx.arg(++j), &delivery_time)) {
        ctx.Error(err::kXclaimTime);
        return;
      }
    } else if (EqualsNoCase(opt, "RETRYCOUNT") && more) {
      if (!ParseInt64(ctx.arg(++j), &retry_count)) {
        ctx.Error(err::kXclaimRetryCount);
        return;
      }
    } else if (EqualsNoCase(opt, "LASTID") && more) {
      if (!ParseIdOrReply(ctx, ctx.arg(++j), 0, true, &last_id)) return;
    } else {
      ctx.Error(err::Format(err::kXclaimUnknownOption, {opt}));
      return;
    }
  }
  bool changed = false;
  if (last_id > g->last_id) {
    g->last_id = last_id;
    changed = true;
  }
  if (delivery_time != -1) {
    if (delivery_time < 0 || delivery_time > ctx.now_ms) delivery_time = ctx.now_ms;
  } else {
    delivery_time = ctx.now_ms;
  }
  Stream* s = StreamOf(e);
  Stream::Consumer* c = nullptr;
  std::vector<StreamId> claimed;
  for (StreamId id : ids) {
    auto it = g->pel.find(id);
    if (!s->Contains(id)) {
      if (it != g->pel.end()) {
        if (it->second->consumer != nullptr) it->second->consumer->pel.erase(id);
        g->pel.erase(it);
        changed = true;
      }
      continue;
    }
    if (force && it == g->pel.end()) {
      auto p = std::make_unique<Stream::Pending>();
      it = g->pel.emplace(id, std::move(p)).first;
    }
    if (it == g->pel.end()) continue;
    Stream::Pending* p = it->second.get();
    if (p->consumer != nullptr && min_idle != 0 && ctx.now_ms - p->delivery_time_ms < min_idle) {
      continue;
    }
    if (c == nullptr) c = ClaimingConsumer(ctx, g, ctx.arg(3), ctx.arg(1));
    p->delivery_time_ms = delivery_time;
    if (retry_count >= 0) {
      p->delivery_count = static_cast<uint64_t>(retry_count);
    } else if (!justid) {
      ++p->delivery_count;
    }
    Reassign(c, id, p);
    claimed.push_back(id);
    changed = true;
  }
  if (changed) ctx.db().Touched(e);
  ctx.reply.Array(claimed.size());
  for (StreamId id : claimed) {
    if (justid) {
      ReplyId(ctx, id);
    } else {
      ReplyOneOrNull(ctx, *s, id);
    }
  }
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
// -> [next cursor id, claimed entries (or ids), ids of deleted entries dropped from the PEL].
void XAutoClaim(CommandContext& ctx) {
  Entry* e;
  Stream::Group* g;
  if (!LookupGroup(ctx, &e, &g)) return;
  int64_t min_idle;
  if (!ParseInt64(ctx.arg(4), &min_idle)) {
    ctx.Error(err::kXautoclaimMinIdle);
    return;
  }
  if (min_idle < 0) min_idle = 0;
  StreamId start;
  if (!ParseStartOrReply(ctx, ctx.arg(5), &start)) return;
  int64_t count = 100;
  bool justid = false;
  constexpr int64_t kAttemptsFactor = 10;
  for (size_t j = 6; j < ctx.argc(); ++j) {
    if (EqualsNoCase(ctx.arg(j), "COUNT") && j + 1 < ctx.argc()) {
      constexpr int64_t kMaxCount = LONG_MAX / 16;  // max(sizeof(streamID), attempts factor)
      if (!ParseInt64(ctx.arg(j + 1), &count) || count < 1 || count > kMaxCount) {
        ctx.Error(err::kXautoclaimCount);
        return;
      }
      ++j;
    } else if (EqualsNoCase(ctx.arg(j), "JUSTID")) {
      justid = true;
    } else {
      ctx.Error(err::kSyntax);
      return;
    }
  }
  if (g == nullptr) {
    ctx.Error(NoGroupError(ctx.arg(1), ctx.arg(2)));
    return;
  }
  Stream* s = StreamOf(e);
  int64_t attempts = count * kAttemptsFactor;
  Stream::Consumer* c = nullptr;
  std::vector<StreamId> claimed, deleted;
  auto it = g->pel.lower_bound(start);
  bool changed = false;
  // Redis's loop: `while (attempts-- && count && raxNext(&ri))`; the cursor is then the entry
  // after the last one looked at.
  while (attempts-- > 0 && count > 0 && it != g->pel.end()) {
    const StreamId id = it->first;
    Stream::Pending* p = it->second.get();
    if (!s->Contains(id)) {
      if (p->consumer != nullptr) p->consumer->pel.erase(id);
      it = g->pel.erase(it);
      deleted.push_back(id);
      --count;
      changed = true;
      continue;
    }
    if (min_idle != 0 && ctx.now_ms - p->delivery_time_ms < min_idle) {
      ++it;
      continue;
    }
    if (c == nullptr) c = ClaimingConsumer(ctx, g, ctx.arg(3), ctx.arg(1));
    p->delivery_time_ms = ctx.now_ms;
    if (!justid) ++p->delivery_count;
    Reassign(c, id, p);
    claimed.push_back(id);
    --count;
    changed = true;
    ++it;
  }
  const StreamId cursor = it == g->pel.end() ? StreamId{} : it->first;
  if (changed) ctx.db().Touched(e);
  ctx.reply.Array(3);
  ReplyId(ctx, cursor);
  ctx.reply.Array(claimed.size());
  for (StreamId id : claimed) {
    if (justid) {
      ReplyId(ctx, id);
    } else {
      ReplyOneOrNull(ctx, *s, id);
    }
  }
  ctx.reply.Array(deleted.size());
  for (StreamId id : deleted) ReplyId(ctx, id);
}

// ---- XINFO ----

void ReplyLagAndRead(CommandContext& ctx, const Stream& s, const Stream::Group& g) {
  ctx.reply.Bulk("entries-read");
  if (g.entries_read >= 0) {
    ctx.reply.Int(g.entries_read);
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Bulk("lag");
  const std::optional<int64_t> lag = s.Lag(g);
  if (lag) {
    ctx.reply.Int(*lag);
  } else {
    ctx.reply.Null();
  }
}

// Redis reports its radix tree's node count; Firn has a vector, and reports what a radix tree
// of that many keys would need at least (one node a key plus the root).
int64_t RadixNodes(const Stream& s) { return static_cast<int64_t>(s.node_count()) + 1; }

void ReplyStreamHead(CommandContext& ctx, const Stream& s) {
  ctx.reply.Bulk("length");
  ctx.reply.Int(static_cast<int64_t>(s.length()));
  ctx.reply.Bulk("radix-tree-keys");
  ctx.reply.Int(static_cast<int64_t>(s.node_count()));
  ctx.reply.Bulk("radix-tree-nodes");
  ctx.reply.Int(RadixNodes(s));
  ctx.reply.Bulk("last-generated-id");
  ReplyId(ctx, s.last_id());
  ctx.reply.Bulk("max-deleted-entry-id");
  ReplyId(ctx, s.max_deleted_id());
  ctx.reply.Bulk("entries-added");
  ctx.reply.Int(static_cast<int64_t>(s.entries_added()));
  ctx.reply.Bulk("recorded-first-entry-id");
  ReplyId(ctx, s.first_id());
}

// XINFO STREAM key [FULL [COUNT count]] -> the stream's state (a map).
void XInfoStream(CommandContext& ctx) {
  bool full = false;
  int64_t count = 10;
  if (ctx.argc() > 3) {
    if (!EqualsNoCase(ctx.arg(3), "FULL")) {
      ctx.Error(SubcommandSyntaxError(ctx, "XINFO"));
      return;
    }
    full = true;
    if (ctx.argc() == 6 && EqualsNoCase(ctx.arg(4), "COUNT")) {
      if (!ArgInt(ctx, 5, &count)) return;
      if (count < 0) count = 10;
    } else if (ctx.argc() != 4) {
      ctx.Error(SubcommandSyntaxError(ctx, "XINFO"));
      return;
    }
  }
  Entry* e;
  if (!FindStream(ctx, ctx.arg(2), Lookup::kRead, &e)) return;
  if (e == nullptr) {
    ctx.Error(err::kNoSuchKey);
    return;
  }
  const Stream& s = *StreamOf(e);
  if (!full) {
    ctx.reply.Map(10);
    ReplyStreamHead(ctx, s);
    ctx.reply.Bulk("groups");
    ctx.reply.Int(static_cast<int64_t>(s.groups().size()));
    for (bool last : {false, true}) {
      ctx.reply.Bulk(last ? "last-entry" : "first-entry");
      bool found = false;
      s.Range(StreamId{}, StreamId::Max(), 1, last, [&](StreamId id, const StreamFields& f) {
        ReplyEntry(ctx, id, f);
        found = true;
        return false;
      });
      if (!found) ctx.reply.Null();
    }
    return;
  }
  const size_t limit = static_cast<size_t>(count);
  ctx.reply.Map(9);
  ReplyStreamHead(ctx, s);
  ctx.reply.Bulk("entries");
  ReplyRange(ctx, s, StreamId{}, StreamId::Max(), limit, false);
  ctx.reply.Bulk("groups");
  ctx.reply.Array(s.groups().size());
  for (const auto& [name, g] : s.groups()) {
    ctx.reply.Map(7);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(name);
    ctx.reply.Bulk("last-delivered-id");
    ReplyId(ctx, g->last_id);
    ReplyLagAndRead(ctx, s, *g);
    ctx.reply.Bulk("pel-count");
    ctx.reply.Int(static_cast<int64_t>(g->pel.size()));
    ctx.reply.Bulk("pending");
    const size_t np = limit == 0 ? g->pel.size() : std::min(limit, g->pel.size());
    ctx.reply.Array(np);
    size_t k = 0;
    for (auto it = g->pel.begin(); k < np; ++it, ++k) {
      ctx.reply.Array(4);
      ReplyId(ctx, it->first);
      ctx.reply.Bulk(it->second->consumer->name);
      ctx.reply.Int(it->second->delivery_time_ms);
      ctx.reply.Int(static_cast<int64_t>(it->second->delivery_count));
    }
    ctx.reply.Bulk("consumers");
    ctx.reply.Array(g->consumers.size());
    for (const auto& [cname, c] : g->consumers) {
      ctx.reply.Map(4);
      ctx.reply.Bulk("name");
      ctx.reply.Bulk(cname);
      ctx.reply.Bulk("seen-time");
      ctx.reply.Int(c->seen_time_ms);
      ctx.reply.Bulk("pel-count");
      ctx.reply.Int(static_cast<int64_t>(c->pel.size()));
      ctx.reply.Bulk("pending");
      const size_t nc = limit == 0 ? c->pel.size() : std::min(limit, c->pel.size());
      ctx.reply.Array(nc);
      size_t m = 0;
      for (auto it = c->pel.begin(); m < nc; ++it, ++m) {
        ctx.reply.Array(3);
        ReplyId(ctx, it->first);
        ctx.reply.Int(it->second->delivery_time_ms);
        ctx.reply.Int(static_cast<int64_t>(it->second->delivery_count));
      }
    }
  }
}

// XINFO GROUPS key -> per group: name, consumers, pending, last-delivered-id, entries-read, lag.
void XInfoGroups(CommandContext& ctx) {
  Entry* e;
  if (!FindStream(ctx, ctx.arg(2), Lookup::kRead, &e)) return;
  if (e == nullptr) {
    ctx.Error(err::kNoSuchKey);
    return;
  }
  const Stream& s = *StreamOf(e);
  ctx.reply.Array(s.groups().size());
  for (const auto& [name, g] : s.groups()) {
    ctx.reply.Map(6);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(name);
    ctx.reply.Bulk("consumers");
    ctx.reply.Int(static_cast<int64_t>(g->consumers.size()));
    ctx.reply.Bulk("pending");
    ctx.reply.Int(static_cast<int64_t>(g->pel.size()));
    ctx.reply.Bulk("last-delivered-id");
    ReplyId(ctx, g->last_id);
    ReplyLagAndRead(ctx, s, *g);
  }
}

// XINFO CONSUMERS key group -> per consumer: name, pending, idle (ms since last seen).
void XInfoConsumers(CommandContext& ctx) {
  Entry* e;
  if (!FindStream(ctx, ctx.arg(2), Lookup::kRead, &e)) return;
  if (e == nullptr) {
    ctx.Error(err::kNoSuchKey);
    return;
  }
  Stream::Group* g = StreamOf(e)->FindGroup(ctx.arg(3));
  if (g == nullptr) {
    ctx.Error(NoGroupForKeyError(ctx.arg(3), ctx.arg(2)));
    return;
  }
  ctx.reply.Array(g->consumers.size());
  for (const auto& [name, c] : g->consumers) {
    ctx.reply.Map(3);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(name);
    ctx.reply.Bulk("pending");
    ctx.reply.Int(static_cast<int64_t>(c->pel.size()));
    ctx.reply.Bulk("idle");
    ctx.reply.Int(std::max<int64_t>(0, ctx.now_ms - c->seen_time_ms));
  }
}

void XInfoHelp(CommandContext& ctx) {
  ReplyHelpLines(ctx, {
      "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CONSUMERS <key> <groupname>",
      "    Show consumers of <groupname>.",
      "GROUPS <key>",
      "    Show the stream consumer groups.",
      "STREAM <key> [FULL [COUNT <count>]",
      "    Show information about the stream.",
      "HELP",
      "    Prints this help.",
  });
}

constexpr uint32_t kWriteOom = kWrite | kDenyOom;

std::vector<Command> XGroupSubcommands() {
  return {
      {.name = "xgroup|create", .arity = -5, .flags = kWriteOom, .keys = {2, 2, 1},
       .run = XGroupCreate, .group = "stream", .since = "5.0.0",
       .summary = "Creates a consumer group", .syntax = "key group id|$ [MKSTREAM] [ENTRIESREAD n]"},
      {.name = "xgroup|createconsumer", .arity = 5, .flags = kWriteOom, .keys = {2, 2, 1},
       .run = XGroupCreateConsumer, .group = "stream", .since = "6.2.0",
       .summary = "Creates a consumer in a group", .syntax = "key group consumer"},
      {.name = "xgroup|delconsumer", .arity = 5, .flags = kWrite, .keys = {2, 2, 1},
       .run = XGroupDelConsumer, .group = "stream", .since = "5.0.0",
       .summary = "Deletes a consumer from a group", .syntax = "key group consumer"},
      {.name = "xgroup|destroy", .arity = 4, .flags = kWrite, .keys = {2, 2, 1},
       .run = XGroupDestroy, .group = "stream", .since = "5.0.0",
       .summary = "Deletes a consumer group", .syntax = "key group"},
      {.name = "xgroup|help", .arity = 2, .flags = kLoading | kStale, .run = XGroupHelp,
       .group = "stream", .since = "5.0.0", .summary = "Lists the XGROUP subcommands",
       .syntax = ""},
      {.name = "xgroup|setid", .arity = -5, .flags = kWrite, .keys = {2, 2, 1},
       .run = XGroupSetId, .group = "stream", .since = "5.0.0",
       .summary = "Moves a group's last delivered id", .syntax = "key group id|$ [ENTRIESREAD n]"},
  };
}

std::vector<Command> XInfoSubcommands() {
  return {
      {.name = "xinfo|consumers", .arity = 4, .flags = kReadOnly, .keys = {2, 2, 1},
       .run = XInfoConsumers, .group = "stream", .since = "5.0.0",
       .summary = "Lists the consumers of a group", .syntax = "key group"},
      {.name = "xinfo|groups", .arity = 3, .flags = kReadOnly, .keys = {2, 2, 1},
       .run = XInfoGroups, .group = "stream", .since = "5.0.0",
       .summary = "Lists the consumer groups of a stream", .syntax = "key"},
      {.name = "xinfo|help", .arity = 2, .flags = kLoading | kStale, .run = XInfoHelp,
       .group = "stream", .since = "5.0.0", .summary = "Lists the XINFO subcommands",
       .syntax = ""},
      {.name = "xinfo|stream", .arity = -3, .flags = kReadOnly, .keys = {2, 2, 1},
       .run = XInfoStream, .group = "stream", .since = "5.0.0",
       .summary = "Describes a stream", .syntax = "key [FULL [COUNT count]]"},
  };
}

}  // namespace

std::vector<Command> StreamCommands() {
  RegisterTypeOps(ValueType::kStream, &kStreamOps);
  return {
      {.name = "xadd", .arity = -5, .flags = kWriteOom | kFast, .keys = {1, 1, 1}, .run = XAdd,
       .group = "stream", .since = "5.0.0", .summary = "Appends an entry to a stream",
       .syntax = "key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value "
                 "[field value ...]"},
      {.name = "xrange", .arity = -4, .flags = kReadOnly, .keys = {1, 1, 1}, .run = XRange,
       .group = "stream", .since = "5.0.0", .summary = "Returns the entries of an id range",
       .syntax = "key start end [COUNT count]"},
      {.name = "xrevrange", .arity = -4, .flags = kReadOnly, .keys = {1, 1, 1}, .run = XRevRange,
       .group = "stream", .since = "5.0.0",
       .summary = "Returns the entries of an id range, newest first",
       .syntax = "key end start [COUNT count]"},
      {.name = "xlen", .arity = 2, .flags = kReadOnly | kFast, .keys = {1, 1, 1}, .run = XLen,
       .group = "stream", .since = "5.0.0", .summary = "Counts a stream's entries",
       .syntax = "key"},
      {.name = "xdel", .arity = -3, .flags = kWrite | kFast, .keys = {1, 1, 1}, .run = XDel,
       .group = "stream", .since = "5.0.0", .summary = "Deletes entries by id",
       .syntax = "key id [id ...]"},
      {.name = "xtrim", .arity = -4, .flags = kWrite, .keys = {1, 1, 1}, .run = XTrim,
       .group = "stream", .since = "5.0.0", .summary = "Drops a stream's oldest entries",
       .syntax = "key MAXLEN|MINID [=|~] threshold [LIMIT count]"},
      {.name = "xsetid", .arity = -3, .flags = kWriteOom | kFast, .keys = {1, 1, 1},
       .run = XSetId, .group = "stream", .since = "5.0.0",
       .summary = "Sets a stream's last generated id",
       .syntax = "key last-id [ENTRIESADDED n] [MAXDELETEDID id]"},
      {.name = "xread", .arity = -4, .flags = kReadOnly | kBlocking, .keys = {0, 0, 0},
       .run = XRead, .group = "stream", .since = "5.0.0",
       .summary = "Reads entries after given ids from streams",
       .syntax = "[COUNT count] [BLOCK ms] STREAMS key [key ...] id [id ...]"},
      {.name = "xreadgroup", .arity = -7, .flags = kWrite | kBlocking, .keys = {0, 0, 0},
       .run = XReadGroup, .group = "stream", .since = "5.0.0",
       .summary = "Reads entries for a consumer of a group",
       .syntax = "GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key [key ...] "
                 "id [id ...]"},
      {.name = "xack", .arity = -4, .flags = kWrite | kFast, .keys = {1, 1, 1}, .run = XAck,
       .group = "stream", .since = "5.0.0", .summary = "Acknowledges pending entries",
       .syntax = "key group id [id ...]"},
      {.name = "xpending", .arity = -3, .flags = kReadOnly, .keys = {1, 1, 1}, .run = XPending,
       .group = "stream", .since = "5.0.0", .summary = "Describes a group's pending entries",
       .syntax = "key group [[IDLE min-idle-time] start end count [consumer]]"},
      {.name = "xclaim", .arity = -6, .flags = kWrite | kFast, .keys = {1, 1, 1}, .run = XClaim,
       .group = "stream", .since = "5.0.0",
       .summary = "Gives pending entries to another consumer",
       .syntax = "key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms] "
                 "[RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]"},
      {.name = "xautoclaim", .arity = -6, .flags = kWrite | kFast, .keys = {1, 1, 1},
       .run = XAutoClaim, .group = "stream", .since = "6.2.0",
       .summary = "Gives idle pending entries to another consumer, a batch at a time",
       .syntax = "key group consumer min-idle-time start [COUNT count] [JUSTID]"},
      {.name = "xgroup", .arity = -2, .flags = 0, .run = RunSubcommand, .group = "stream",
       .since = "5.0.0", .summary = "Manages consumer groups (see its subcommands)",
       .syntax = "", .subcommands = XGroupSubcommands()},
      {.name = "xinfo", .arity = -2, .flags = 0, .run = RunSubcommand, .group = "stream",
       .since = "5.0.0", .summary = "Describes streams, groups and consumers (see its "
       "subcommands)", .syntax = "", .subcommands = XInfoSubcommands()},
  };
}

}  // namespace firn
