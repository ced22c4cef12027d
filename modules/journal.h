// The propagation point: where an executed write is handed on (to the append-only file, and
// later to replicas) in a form that replays to the same keyspace.
//
// Execute (modules/dispatch.h) calls Propagate after a write command that moved
// Keyspace::dirty(); with Engine::journal == nullptr (the default) that costs one branch.
// Most commands replay as they were sent. Those whose effect depends on the clock are
// rewritten into their result (modules/journal.cc has the table):
//   SET k v EX|PX|EXAT|PXAT t, SETEX, PSETEX  -> SET k v PXAT <absolute ms>
//   EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT      -> PEXPIREAT k <absolute ms>  (DEL k if it expired)
//   GETEX k EX|PX|EXAT|PXAT t / PERSIST       -> PEXPIREAT k <absolute ms> / PERSIST k
//   INCRBYFLOAT k n                           -> SET k <result> KEEPTTL
//   CL.THROTTLE                               -> SET k <stored TAT> PXAT <absolute ms>
//   RL.BUCKET, RL.WINDOW                      -> RL.SETSTATE k <state bytes> [PXAT <ms>]
//   RESTORE k ttl payload [options]           -> RESTORE k <absolute ms|0> payload ABSTTL REPLACE
// (a clock-dependent command whose key is gone afterwards becomes DEL k). A transaction whose
// EXEC propagates more than one record is wrapped in MULTI ... EXEC, so it replays as a unit.
// Keys removed by expiry or eviction are propagated as DEL by JournalExpiryObserver, so a
// replay never has to expire anything itself: replaying with a clock earlier than every
// recorded expiry rebuilds the same keys, values, types and absolute expiries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "modules/command.h"
#include "storage/observer.h"

namespace firn {

struct Engine;

// Where propagated commands go. Append is called on the loop thread, once per record, with
// argv valid only for the call; db is the database the record applies to.
class JournalSink {
 public:
  virtual ~JournalSink() = default;
  virtual void Append(int db, const std::vector<std::string_view>& argv) = 0;
};

// A sink that keeps copies of its records (tests, and EXEC's grouping of a transaction).
class JournalBuffer : public JournalSink {
 public:
  struct Record {
    int db = 0;
    std::vector<std::string> argv;
  };
  void Append(int db, const std::vector<std::string_view>& argv) override {
    records.push_back({db, std::vector<std::string>(argv.begin(), argv.end())});
  }
  std::vector<Record> records;
};

// Hands the effect of cmd, just executed with argv in database db, to sink, rewritten where
// replay would otherwise differ (the table above). REQUIRES: cmd changed the keyspace.
void Propagate(Engine& engine, JournalSink& sink, int db, const Command& cmd,
               const std::vector<std::string_view>& argv, int64_t now_ms);

// Appends records to sink as one unit: wrapped in MULTI ... EXEC when there is more than one.
void AppendUnit(JournalSink& sink, const std::vector<JournalBuffer::Record>& records);

// A keyspace observer that propagates expired and evicted keys as DEL to engine.journal
// (when set), then forwards every event to next (nullptr: none). Install it with
// engine.observers.Set(KeyspaceFanout::kJournal, &observer), beside WATCH's index and the
// keyspace notifier (modules/keyspace_fanout.h). REQUIRES: engine and next outlive it.
class JournalExpiryObserver : public KeyspaceObserver {
 public:
  explicit JournalExpiryObserver(Engine& engine, KeyspaceObserver* next = nullptr)
      : engine_(engine), next_(next) {}
  void OnKeyEvent(int db, std::string_view key, KeyEvent event) override;

 private:
  Engine& engine_;
  KeyspaceObserver* next_;
};

// RL.SETSTATE, the record limiter decisions replay as (registered in the command table).
std::vector<Command> JournalCommands();

}  // namespace firn
