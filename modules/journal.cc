// The propagation point's rewrite table (the contract is in journal.h).
//
// Why rewrite from the result rather than from the arguments: a command whose outcome
// depends on the clock (a relative TTL, a limiter decision) or on floating-point formatting
// (INCRBYFLOAT) is described exactly by the state it left behind, which the keyspace still
// holds when Propagate runs. So each clock-dependent command maps to a "state record" built
// from its key's entry: a string becomes SET key value [PXAT ms], a limiter's state becomes
// RL.SETSTATE key bytes [PXAT ms], and a key that is gone becomes DEL key. Commands that do
// not read the clock are propagated verbatim: their replay against the same prior state gives
// the same result. The table is keyed by command name, so no handler has to know about
// propagation.
//
// Cost: nothing unless Engine::journal is set; then one table lookup per propagated write
// and, for a rewritten record, one hash lookup of its key and a few short strings.
#include "modules/journal.h"

#include <charconv>

#include "modules/args.h"
#include "modules/engine.h"
#include "protocol/errors.h"
#include "storage/dict.h"
#include "storage/entry.h"
#include "storage/ratelimit.h"
#include "storage/value.h"

namespace firn {
namespace {

enum class Rewrite : uint8_t {
  kVerbatim,
  kSetState,   // the key's resulting state (SET / RL.SETSTATE / DEL)
  kSetIfTtl,   // SET: the key's state if an expiry option was given, else verbatim
  kExpireAt,   // the key's absolute expiry (PEXPIREAT / PERSIST / DEL)
  kGetEx,      // GETEX: as kExpireAt when an expiry option was given, else nothing changed
  kKeepTtl,    // INCRBYFLOAT: SET key <value> KEEPTTL
  kRestore,    // RESTORE: RESTORE key <absolute ms | 0> payload ABSTTL REPLACE, or DEL
  kMigrate,    // MIGRATE: DEL of the keys it moved away (nothing with COPY)
};

struct RewriteRow {
  std::string_view name;
  Rewrite rewrite;
};

constexpr RewriteRow kRewrites[] = {
    {"set", Rewrite::kSetIfTtl},       {"setex", Rewrite::kSetState},
    {"psetex", Rewrite::kSetState},    {"expire", Rewrite::kExpireAt},
    {"pexpire", Rewrite::kExpireAt},   {"expireat", Rewrite::kExpireAt},
    {"pexpireat", Rewrite::kExpireAt}, {"getex", Rewrite::kGetEx},
    {"incrbyfloat", Rewrite::kKeepTtl}, {"cl.throttle", Rewrite::kSetState},
    {"rl.bucket", Rewrite::kSetState}, {"rl.window", Rewrite::kSetState},
    {"restore", Rewrite::kRestore},    {"migrate", Rewrite::kMigrate},
};

Rewrite RewriteFor(std::string_view name) {
  for (const RewriteRow& row : kRewrites) {
    if (row.name == name) return row.rewrite;
  }
  return Rewrite::kVerbatim;
}

bool HasExpiryOption(const std::vector<std::string_view>& argv, size_t from) {
  for (size_t i = from; i < argv.size(); ++i) {
    const std::string_view a = argv[i];
    if (EqualsNoCase(a, "EX") || EqualsNoCase(a, "PX") || EqualsNoCase(a, "EXAT") ||
        EqualsNoCase(a, "PXAT") || EqualsNoCase(a, "PERSIST")) {
      return true;
    }
  }
  return false;
}

// The live entry for key in db, without any side effect (no lazy expiry, no counters).
const Entry* Peek(Engine& engine, int db, std::string_view key, int64_t now_ms) {
  const Entry* e = engine.keyspace.db(db).dict().Find(key, HashKey(key));
  return e == nullptr || e->IsExpired(now_ms) ? nullptr : e;
}

// Builds records without allocating for the argument list beyond one small vector.
class RecordWriter {
 public:
  RecordWriter(JournalSink& sink, int db) : sink_(sink), db_(db) {}

  void Emit(std::initializer_list<std::string_view> args) {
    argv_.assign(args);
    sink_.Append(db_, argv_);
  }
  // args followed by "PXAT <ms>" when e has an expiry.
  void EmitWithExpiry(std::initializer_list<std::string_view> args, const Entry* e) {
    argv_.assign(args);
    if (e->has_expire()) {
      argv_.push_back("PXAT");
      argv_.push_back(Number(e->expire_ms()));
    }
    sink_.Append(db_, argv_);
  }
  std::string_view Number(int64_t v) {
    auto [end, ec] = std::to_chars(num_, num_ + sizeof(num_), v);
    (void)ec;
    return std::string_view(num_, static_cast<size_t>(end - num_));
  }

 private:
  JournalSink& sink_;
  int db_;
  std::vector<std::string_view> argv_;
  char num_[24];
};

void EmitState(RecordWriter& w, std::string_view key, const Entry* e) {
  if (e == nullptr) {
    w.Emit({"DEL", key});
  } else if (e->type() == ValueType::kRateLimit) {
    // A long exact window lives out of line: its table row writes the same bytes the inline
    // form holds.
    std::string state;
    LimiterState(*e, &state);
    w.EmitWithExpiry({"RL.SETSTATE", key, state}, e);
  } else {
    w.EmitWithExpiry({"SET", key, e->value()}, e);
  }
}

void EmitExpireAt(RecordWriter& w, std::string_view key, const Entry* e) {
  if (e == nullptr) {
    w.Emit({"DEL", key});
  } else if (e->has_expire()) {
    w.Emit({"PEXPIREAT", key, w.Number(e->expire_ms())});
  } else {
    w.Emit({"PERSIST", key});
  }
}

// RL.SETSTATE key state [PXAT ms] -> OK. Stores a limiter's state as RL.BUCKET or RL.WINDOW
// left it (the bytes OBJECT ENCODING names), replacing the key; the record their decisions
// replay as. A state no limiter wrote is refused and the key left unchanged.
void SetState(CommandContext& ctx) {
  const std::string_view key = ctx.arg(1);
  const std::string_view state = ctx.arg(2);
  int64_t expire_ms = -1;
  if (ctx.argc() == 5 && EqualsNoCase(ctx.arg(3), "PXAT")) {
    if (!ParseInt64(ctx.arg(4), &expire_ms) || expire_ms <= 0) {
      ctx.Error(err::kNotInteger);
      return;
    }
  } else if (ctx.argc() != 3) {
    ctx.Error(err::kSyntax);
    return;
  }
  if (KindOf(state) == LimiterKind::kUnknown) {
    ctx.Error(err::kBadLimiterState);
    return;
  }
  ctx.db().Put(key, ValueType::kRateLimit, state, expire_ms, ctx.now_ms);
  ctx.reply.Ok();
}

}  // namespace

void Propagate(Engine& engine, JournalSink& sink, int db, const Command& cmd,
               const std::vector<std::string_view>& argv, int64_t now_ms) {
  const Rewrite rewrite = RewriteFor(cmd.name);
  if (rewrite == Rewrite::kVerbatim || argv.size() < 2) {
    sink.Append(db, argv);
    return;
  }
  RecordWriter w(sink, db);
  const std::string_view key = argv[1];
  const Entry* e = Peek(engine, db, key, now_ms);
  switch (rewrite) {
    case Rewrite::kSetIfTtl:
      if (!HasExpiryOption(argv, 3)) {
        sink.Append(db, argv);
        return;
      }
      EmitState(w, key, e);
      return;
    case Rewrite::kSetState:
      EmitState(w, key, e);
      return;
    case Rewrite::kExpireAt:
      EmitExpireAt(w, key, e);
      return;
    case Rewrite::kGetEx:
      if (HasExpiryOption(argv, 2)) EmitExpireAt(w, key, e);
      return;
    case Rewrite::kKeepTtl:
      if (e == nullptr) {
        w.Emit({"DEL", key});
      } else {
        w.Emit({"SET", key, e->value(), "KEEPTTL"});
      }
      return;
    case Rewrite::kRestore:
      // A relative TTL would expire later on replay: the stored key's absolute expiry.
      if (e == nullptr || argv.size() < 4) {
        w.Emit({"DEL", key});
      } else {
        w.Emit({"RESTORE", key, e->has_expire() ? w.Number(e->expire_ms()) : "0", argv[3],
                "ABSTTL", "REPLACE"});
      }
      return;
    case Rewrite::kMigrate: {
      // Never replayed as MIGRATE (a replay must not reach out to another server): the
      // keys named that are gone now are the ones the target acknowledged.
      std::vector<std::string_view> del = {"DEL"};
      size_t first = 3, last = argv.size() > 3 ? 4 : 3;
      for (size_t i = 6; i < argv.size(); ++i) {
        if (EqualsNoCase(argv[i], "COPY")) {
          return;
        } else if (EqualsNoCase(argv[i], "AUTH")) {
          ++i;  // the password
        } else if (EqualsNoCase(argv[i], "AUTH2")) {
          i += 2;  // the user name and password
        } else if (EqualsNoCase(argv[i], "KEYS")) {
          first = i + 1;
          last = argv.size();
          break;
        }
      }
      for (size_t i = first; i < last; ++i) {
        if (Peek(engine, db, argv[i], now_ms) == nullptr) del.push_back(argv[i]);
      }
      if (del.size() > 1) sink.Append(db, del);
      return;
    }
    case Rewrite::kVerbatim:
      return;
  }
}

void AppendUnit(JournalSink& sink, const std::vector<JournalBuffer::Record>& records) {
  if (records.empty()) return;
  std::vector<std::string_view> argv;
  const bool wrap = records.size() > 1;
  if (wrap) sink.Append(records.front().db, {"MULTI"});
  for (const JournalBuffer::Record& r : records) {
    argv.assign(r.argv.begin(), r.argv.end());
    sink.Append(r.db, argv);
  }
  if (wrap) sink.Append(records.back().db, {"EXEC"});
}

void JournalExpiryObserver::OnKeyEvent(int db, std::string_view key, KeyEvent event) {
  if ((event == KeyEvent::kExpired || event == KeyEvent::kEvicted) &&
      engine_.journal != nullptr) {
    engine_.journal->Append(db, {"DEL", key});
  }
  if (next_ != nullptr) next_->OnKeyEvent(db, key, event);
}

// clang-format off
std::vector<Command> JournalCommands() {
  return {
      {.name = "rl.setstate", .arity = -3, .flags = kWrite | kDenyOom, .keys = {1, 1, 1},
       .run = SetState, .group = "ratelimit", .since = "0.1.0",
       .summary = "Stores a rate limiter's state as a journal replays it.",
       .syntax = "key state [PXAT unix-time-milliseconds]"},
  };
}
// clang-format on

}  // namespace firn
