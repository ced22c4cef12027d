// Blocking commands: clients that wait for a key to be served (BLPOP, BZPOPMIN, XREAD BLOCK...)
// and clients postponed by CLIENT PAUSE.
//
// A blocking handler first tries to serve at once, as its non-blocking form would. When it
// cannot, it asks MayBlock; if that says yes it calls BlockClient with the keys it waits on
// and sends no reply. The client then waits: its connection stops running its pipeline (the
// server hears of it through ClientInfo::blocked and resumes through
// ClientOutputOwner::Unblocked). Whatever makes a key able to serve a waiter (a push, ZADD,
// XADD, a key renamed or moved into place, SWAPDB) calls SignalKeyReady, or reaches it through
// the mutation signal. After every top-level command (EXEC and scripts included, as they are
// one command), ServeBlockedClients re-runs, through Execute, the blocked command of each
// client waiting on a ready key, in the order the clients blocked; the reply goes to the
// waiting client. A re-run that still cannot serve calls BlockClient again, which keeps the
// client where it was in every queue.
//
// Thread-safety: loop thread only, as the rest of the engine.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/observer.h"
#include "storage/value.h"

namespace firn {

struct Engine;
struct ClientInfo;
struct CommandContext;
struct Command;
class KeyspaceFanout;

// Marks (db, key) ready for the clients waiting on it: a push, ZADD, XADD or anything that
// makes a key able to serve a waiter calls it once its change is complete. Cheap when nobody
// waits (one inline test of a counter); defined inline in modules/engine.h, which holds the
// state it reads.
inline void SignalKeyReady(Engine& engine, int db, std::string_view key);

// What a blocked client is sent when its timeout passes (or CLIENT UNBLOCK ... TIMEOUT).
enum class BlockTimeoutReply : uint8_t {
  // Every list, sorted-set and stream command in Redis 7.0 (BLMOVE and BRPOPLPUSH too, although
  // their non-blocking form answers a null string).
  kNullArray,
  kNull,  // a null bulk string

};

// Whether the running command may block instead of answering: false inside MULTI (EXEC runs
// the queue with the client still in MULTI) and inside scripts, where a blocking command
// behaves as its non-blocking form. True for a re-run of a blocked command after a wake-up,
// so the handler's code is the same for both: BlockClient then keeps the client's place.
bool MayBlock(const CommandContext& ctx);

// Blocks ctx.client on keys (in ctx.client's database) for timeout_ms (0: forever), until a
// ready key lets its command serve. The command re-run is ctx.argv, or rerun_argv when given
// (XREAD BLOCK ... $ names the ID the stream had when it blocked). A key is only offered to
// the client while it holds the type of the command's group (a list for the list commands, a
// sorted set for the zset ones, a stream for the stream ones), as Redis serves by type.
// The handler sends no reply. REQUIRES: MayBlock(ctx).
void BlockClient(CommandContext& ctx, const std::vector<std::string_view>& keys,
                 int64_t timeout_ms, BlockTimeoutReply kind,
                 const std::vector<std::string>& rerun_argv = {});

// The end of a blocking pop that found nothing: blocks on argv[first, last) for timeout_ms
// when may_block and MayBlock(ctx) allow it, else answers a nil array (the non-blocking form).
void BlockOnKeysOrNull(CommandContext& ctx, size_t first, size_t last, int64_t timeout_ms,
                       bool may_block = true);

// Parses a blocking command's timeout in seconds (fractional; 0: forever) into *timeout_ms,
// with Redis 7.0's errors ("timeout is not a float or out of range", "timeout is negative").
// Returns false having replied the error.
bool ParseBlockTimeout(CommandContext& ctx, std::string_view arg, int64_t* timeout_ms);

// The engine's table of blocked clients.
//
// Invariants: a client is in blocked_ exactly while ClientInfo::blocked is set; each of its
// distinct keys has it once in that key's FIFO queue; a queue is removed when it empties, so
// waiting_keys() is the number of (db, key) pairs someone waits on. While it is non-zero the
// table listens to the mutation signal (a key renamed, moved, restored or sorted into place
// becomes ready as a push does).
class BlockingState : public KeyspaceObserver {
 public:
  BlockingState(Engine& engine, KeyspaceFanout& fanout) : engine_(engine), fanout_(fanout) {}
  BlockingState(const BlockingState&) = delete;
  BlockingState& operator=(const BlockingState&) = delete;
  ~BlockingState() override;

  size_t waiting_keys() const { return waiting_keys_; }
  // Work for ServeBlockedClients: a ready key, or postponed clients to resume.
  bool has_ready() const { return work_; }
  // Whether Dispatch must mind blocking at all: a client is blocked or postponed, a key is
  // ready, or CLIENT PAUSE is in force. Otherwise no command can ready a key for anyone.
  bool attention() const { return attention_; }
  // Recomputes attention() (after the pause changed).
  void UpdateAttention();
  size_t blocked_clients() const { return blocked_.size(); }
  // The earliest deadline of a blocked client (Unix ms), or 0 when none has one.
  int64_t next_deadline_ms() const {
    return deadlines_.empty() ? 0 : deadlines_.begin()->first;
  }
  bool IsBlocked(const ClientInfo& client) const;
  bool IsPostponed(const ClientInfo& client) const;

  // A key someone may be waiting on changed so it can serve: queued for the next
  // ServeBlockedClients (once, however often it is marked).
  void MarkReady(int db, std::string_view key);
  void OnKeyEvent(int db, std::string_view key, KeyEvent event) override;

  // ---- used by blocking.cc ----
  struct Blocked;
  using Queue = std::list<Blocked*>;
  struct KeyQueue {
    Queue waiters;
    bool ready = false;
  };
  struct Blocked {
    ClientInfo* client = nullptr;
    int db = 0;
    std::vector<std::string> argv;   // the command to re-run
    std::vector<std::string> keys;   // distinct
    std::vector<Queue::iterator> places;  // this client's entry in each key's queue
    int64_t deadline_ms = 0;         // 0: none
    BlockTimeoutReply kind = BlockTimeoutReply::kNullArray;
    bool wants_type = false;         // serve only while the key holds `type`
    ValueType type = ValueType::kList;
    bool postponed = false;          // CLIENT PAUSE: argv re-runs through Dispatch
    uint64_t sequence = 0;           // blocking order
  };
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  using KeyMap = std::unordered_map<std::string, KeyQueue, NameHash, std::equal_to<>>;

  Blocked* Find(const ClientInfo& client);
  Blocked& Add(ClientInfo& client, std::unique_ptr<Blocked> b);
  // Forgets client's blocked state (queues, deadline); clears ClientInfo::blocked.
  void Remove(ClientInfo& client);
  KeyQueue* QueueOf(int db, std::string_view key);
  std::vector<std::pair<int, std::string>> TakeReady();
  std::vector<uint64_t> Expired(int64_t now_ms) const;
  std::vector<uint64_t> Postponed() const;
  void ResumePostponedLater() {
    resume_postponed_ = work_ = true;
    UpdateAttention();
  }
  bool TakeResumePostponed() {
    const bool r = resume_postponed_;
    resume_postponed_ = false;
    work_ = !ready_.empty();
    UpdateAttention();
    return r;
  }

 private:
  void Listen(bool on);

  Engine& engine_;
  KeyspaceFanout& fanout_;
  std::unordered_map<uint64_t, std::unique_ptr<Blocked>> blocked_;  // by client id
  std::vector<KeyMap> by_db_;
  size_t waiting_keys_ = 0;
  std::vector<std::pair<int, std::string>> ready_;
  std::set<std::pair<int64_t, uint64_t>> deadlines_;  // (deadline ms, client id)
  uint64_t next_sequence_ = 0;
  bool resume_postponed_ = false;
  bool work_ = false;  // !ready_.empty() || resume_postponed_
  bool attention_ = false;
};

// The command path while BlockingState::attention() (the server checks that one flag per
// command and calls Dispatch directly when it is clear): a command CLIENT PAUSE holds back is
// postponed, any other goes through Dispatch, and then the keys it readied are served.
void DispatchWithBlocking(Engine& engine, ClientInfo& client,
                          const std::vector<std::string_view>& argv, std::string* out,
                          int64_t now_ms);

// After a top-level command: serves the clients waiting on ready keys (see the top of this
// file) until no key is ready. Called after a command when BlockingState::has_ready().
void ServeBlockedClients(Engine& engine, int64_t now_ms);

// Sends the timeout reply to every client whose deadline is at or before now_ms and unblocks
// them; ends a pause whose time is up. Called from the server's timer, armed at
// NextBlockingDeadlineMs.
void ExpireBlockedClients(Engine& engine, int64_t now_ms);

// CLIENT UNBLOCK: the client's timeout reply (error false) or
// "-UNBLOCKED client unblocked via CLIENT UNBLOCK" (error true), and it is unblocked. False
// when the client is not blocked by a blocking command (a client postponed by CLIENT PAUSE
// is not unblockable).
bool UnblockClient(Engine& engine, ClientInfo& client, bool error);

// The earliest time ExpireBlockedClients has work (a blocked client's deadline, the end of a
// pause), Unix ms; 0 for none.
int64_t NextBlockingDeadlineMs(const Engine& engine);

// Drops client's blocked state without replying (disconnect): ReleaseClientState.
void ForgetBlockedClient(Engine& engine, ClientInfo& client);

// ---- CLIENT PAUSE ----

// CLIENT PAUSE's state (Engine::pause).
struct ClientPause {
  int64_t end_ms = 0;  // Unix ms the pause ends at; 0: no pause
  bool all = false;    // ALL; else WRITE
};

// Whether CLIENT PAUSE holds this command back: ALL holds everything; WRITE holds writes and
// the commands that may replicate (PUBLISH, PFCOUNT, scripts not declared no-writes, EXEC of
// a queue holding one). Called by Dispatch only while a pause is in force.
bool PausedFor(const Engine& engine, const ClientInfo& client,
               const std::vector<std::string_view>& argv, int64_t now_ms);

// The commands that are not writes but that Redis 7.0 flags may-replicate (PUBLISH,
// SPUBLISH, PFCOUNT): CLIENT PAUSE WRITE holds them back and read-only scripts refuse them.
bool MayReplicateCommand(const Command& cmd);

// Postpones the command: the client is blocked (INFO blocked_clients counts it) until the
// pause ends, then argv runs through Dispatch.
void PostponeClient(Engine& engine, ClientInfo& client, const std::vector<std::string_view>& argv);

// Starts or extends a pause until end_ms (Unix ms): a pause in force is only lengthened or
// made stricter (WRITE to ALL), never shortened. Expiry and eviction wait meanwhile.
void Pause(Engine& engine, int64_t end_ms, bool all, int64_t now_ms);

// Ends the pause (CLIENT UNPAUSE, or its deadline passed): after the running command, the
// postponed clients run their commands in the order they were postponed and their pipelines
// resume.
void Unpause(Engine& engine);

}  // namespace firn
