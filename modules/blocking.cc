// Blocked clients: who waits on which key, in what order, until when.
//
// Design. Each (db, key) someone waits on has a FIFO queue of the clients waiting on it; a
// blocked client keeps a copy of its command (the read buffer it came from moves on) and its
// place in each of its keys' queues, so unblocking it (served, timed out, CLIENT UNBLOCK,
// disconnect) is O(keys) whatever the number of other waiters. Deadlines sit in an ordered set
// the server's timer is armed from, so a waiting client costs no work until its key becomes
// ready or its deadline comes: ten thousand clients blocked forever cost their memory only.
//
// Waking. A key becomes ready through SignalKeyReady (the push handlers call it once their
// elements are in) or through the mutation signal while anyone waits (a key renamed, moved,
// copied, restored or SORT..STOREd into place; SWAPDB readies every waited key of both
// databases), as Redis's signalKeyAsReady in dbAdd. Ready keys are queued once each. After the
// top-level command (so a MULTI/EXEC or a script wakes nobody halfway through), each ready key
// is offered to its waiters in the order they blocked: while the key holds the type the
// waiter's command pops, the command is re-run through Execute for that client, its reply
// written to the client's sink. A re-run that served unblocks the client; one that found
// nothing (another waiter emptied the key, or an XREAD's ID is still ahead) calls BlockClient,
// which leaves the client where it was. Serving may ready more keys (BLMOVE pushes): the loop
// runs until none is ready, bounded because every served re-run consumes an element.
//
// Redis 7.0 serves in the same order (handleClientsBlockedOnKeys, serveClientsBlockedOnKey);
// re-running the command instead of a per-type serve routine is what Redis 7.2 does, and lets
// XREAD/XREADGROUP BLOCK use this machinery without a stream-specific path.
//
// CLIENT PAUSE postpones a client the same way, with no key: its command (already admitted
// once) runs through Dispatch when the pause ends, in the order the clients were postponed.
#include "modules/blocking.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "modules/args.h"
#include "modules/dispatch.h"
#include "modules/engine.h"
#include "modules/keyspace_fanout.h"
#include "modules/scripting.h"
#include "protocol/errors.h"
#include "storage/db.h"

namespace firn {

namespace {

// The value type a blocking command of this group pops.
bool TypeOfGroup(std::string_view group, ValueType* type) {
  if (group == "list") {
    *type = ValueType::kList;
  } else if (group == "sorted-set") {
    *type = ValueType::kZSet;
  } else if (group == "stream") {
    *type = ValueType::kStream;
  } else {
    return false;
  }
  return true;
}

// Set by ServeBlockedClients around a re-run: the client whose blocked command is running and
// whether the run asked to stay blocked.
struct Rerun {
  ClientInfo* client = nullptr;
  bool stay = false;
};
Rerun g_rerun;

void RunPostponed(Engine& engine, int64_t now_ms);

void SendTimeoutReply(ReplyBuilder& reply, BlockTimeoutReply kind) {
  if (kind == BlockTimeoutReply::kNull) {
    reply.Null();
  } else {
    reply.NullArray();
  }
}

void TellUnblocked(Engine& engine, ClientInfo& client) {
  engine.clients.NotifyUnblocked(client);
}

}  // namespace

// ---- BlockingState ----

BlockingState::~BlockingState() {
  if (waiting_keys_ != 0) fanout_.Set(KeyspaceFanout::kBlocking, nullptr);
}

bool BlockingState::IsBlocked(const ClientInfo& client) const {
  return blocked_.count(client.id) != 0;
}

bool BlockingState::IsPostponed(const ClientInfo& client) const {
  auto it = blocked_.find(client.id);
  return it != blocked_.end() && it->second->postponed;
}

BlockingState::Blocked* BlockingState::Find(const ClientInfo& client) {
  auto it = blocked_.find(client.id);
  return it == blocked_.end() ? nullptr : it->second.get();
}

BlockingState::KeyQueue* BlockingState::QueueOf(int db, std::string_view key) {
  if (db < 0 || static_cast<size_t>(db) >= by_db_.size()) return nullptr;
  KeyMap& m = by_db_[static_cast<size_t>(db)];
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

void BlockingState::UpdateAttention() {
  attention_ = !blocked_.empty() || work_ || engine_.pause.end_ms != 0;
}

void BlockingState::Listen(bool on) {
  fanout_.Set(KeyspaceFanout::kBlocking, on ? this : nullptr);
}

BlockingState::Blocked& BlockingState::Add(ClientInfo& client, std::unique_ptr<Blocked> b) {
  Blocked& ref = *b;
  ref.client = &client;
  ref.sequence = next_sequence_++;
  if (!ref.keys.empty() && static_cast<size_t>(ref.db) >= by_db_.size()) {
    by_db_.resize(static_cast<size_t>(ref.db) + 1);
  }
  const size_t keys_before = waiting_keys_;
  for (const std::string& key : ref.keys) {
    KeyMap& m = by_db_[static_cast<size_t>(ref.db)];
    auto [it, fresh] = m.try_emplace(key);
    if (fresh) ++waiting_keys_;
    it->second.waiters.push_back(&ref);
    ref.places.push_back(std::prev(it->second.waiters.end()));
  }
  if (ref.deadline_ms != 0) deadlines_.emplace(ref.deadline_ms, client.id);
  blocked_.emplace(client.id, std::move(b));
  client.blocked = true;
  engine_.stats.blocked_clients = blocked_.size();
  if (keys_before == 0 && waiting_keys_ != 0) Listen(true);
  UpdateAttention();
  return ref;
}

void BlockingState::Remove(ClientInfo& client) {
  auto it = blocked_.find(client.id);
  if (it == blocked_.end()) return;
  Blocked& b = *it->second;
  for (size_t i = 0; i < b.keys.size(); ++i) {
    KeyMap& m = by_db_[static_cast<size_t>(b.db)];
    auto q = m.find(b.keys[i]);
    q->second.waiters.erase(b.places[i]);
    // A ready key stays in ready_ by name; serving finds no queue and moves on.
    if (q->second.waiters.empty()) {
      m.erase(q);
      --waiting_keys_;
    }
  }
  if (b.deadline_ms != 0) deadlines_.erase({b.deadline_ms, client.id});
  blocked_.erase(it);
  client.blocked = false;
  engine_.stats.blocked_clients = blocked_.size();
  if (waiting_keys_ == 0) Listen(false);
  UpdateAttention();
}

void BlockingState::MarkReady(int db, std::string_view key) {
  KeyQueue* q = QueueOf(db, key);
  if (q == nullptr || q->ready) return;
  q->ready = true;
  ready_.emplace_back(db, std::string(key));
  work_ = attention_ = true;
}

void BlockingState::OnKeyEvent(int db, std::string_view key, KeyEvent event) {
  if (event == KeyEvent::kWrite || event == KeyEvent::kDelete) {
    // A deletion readies the key too, for the XREADGROUP waiters it unblocks.
    MarkReady(db, key);
  } else if ((event == KeyEvent::kSwap || event == KeyEvent::kFlush) && db >= 0 &&
             static_cast<size_t>(db) < by_db_.size()) {
    // The database's contents changed (or went) wholesale: every key waited on in it may
    // serve now.
    std::vector<std::string> keys;
    for (auto& [k, q] : by_db_[static_cast<size_t>(db)]) keys.push_back(k);
    for (const std::string& k : keys) MarkReady(db, k);
  }
}

std::vector<std::pair<int, std::string>> BlockingState::TakeReady() {
  std::vector<std::pair<int, std::string>> out;
  out.swap(ready_);
  work_ = resume_postponed_;
  UpdateAttention();
  for (auto& [db, key] : out) {
    if (KeyQueue* q = QueueOf(db, key)) q->ready = false;
  }
  return out;
}

std::vector<uint64_t> BlockingState::Expired(int64_t now_ms) const {
  std::vector<uint64_t> out;
  for (const auto& [deadline, id] : deadlines_) {
    if (deadline > now_ms) break;
    out.push_back(id);
  }
  return out;
}

std::vector<uint64_t> BlockingState::Postponed() const {
  std::vector<std::pair<uint64_t, uint64_t>> order;  // (sequence, id)
  for (const auto& [id, b] : blocked_) {
    if (b->postponed) order.emplace_back(b->sequence, id);
  }
  std::sort(order.begin(), order.end());
  std::vector<uint64_t> out;
  for (const auto& [seq, id] : order) out.push_back(id);
  return out;
}

// ---- blocking a client ----

bool MayBlock(const CommandContext& ctx) {
  if (g_rerun.client == &ctx.client) return true;
  if (ctx.client.in_multi) return false;
  // Only a connected client can wait (not a script's client, not a replayed record).
  if (ctx.engine.clients.Find(ctx.client.id) != &ctx.client) return false;
  const auto& scripting = ctx.engine.scripting;
  return scripting == nullptr || !scripting->vm.running();
}

void BlockClient(CommandContext& ctx, const std::vector<std::string_view>& keys,
                 int64_t timeout_ms, BlockTimeoutReply kind,
                 const std::vector<std::string>& rerun_argv) {
  if (g_rerun.client == &ctx.client) {
    // A wake-up that found nothing: the client keeps its place and its deadline. A stream
    // command may have a fresher argv to wait with.
    g_rerun.stay = true;
    if (!rerun_argv.empty()) {
      if (BlockingState::Blocked* b = ctx.engine.blocking.Find(ctx.client)) b->argv = rerun_argv;
    }
    return;
  }
  auto b = std::make_unique<BlockingState::Blocked>();
  b->db = ctx.client.db;
  if (rerun_argv.empty()) {
    b->argv.assign(ctx.argv.begin(), ctx.argv.end());
  } else {
    b->argv = rerun_argv;
  }
  for (std::string_view k : keys) {
    bool seen = false;
    for (const std::string& have : b->keys) seen = seen || have == k;
    if (!seen) b->keys.emplace_back(k);
  }
  b->deadline_ms = timeout_ms > 0 ? ctx.now_ms + timeout_ms : 0;
  b->kind = kind;
  b->wants_type = TypeOfGroup(ctx.command->group, &b->type);
  ctx.engine.blocking.Add(ctx.client, std::move(b));
}

bool ParseBlockTimeout(CommandContext& ctx, std::string_view arg, int64_t* timeout_ms) {
  // As Redis 7.0's getTimeoutFromObjectOrReply: a long double (strtold's syntax, so hex and
  // exponents too, no spaces), in seconds, rounded up to whole milliseconds (0.001 is not
  // exactly representable and must not become 0, forever). Redis's conversion of a value past
  // the 64-bit range comes out negative, so such a value is refused as negative.
  std::string buf(arg);
  long double seconds = 0;
  bool ok = !buf.empty() && buf.size() < 5120 && !std::isspace(static_cast<unsigned char>(buf[0]));
  if (ok) {
    char* end = nullptr;
    errno = 0;
    seconds = std::strtold(buf.c_str(), &end);
    ok = *end == '\0' && !std::isnan(seconds) &&
         !(errno == ERANGE && (seconds == HUGE_VALL || seconds == -HUGE_VALL || seconds == 0));
  }
  if (!ok) {
    ctx.Error(err::kTimeoutNotFloat);
    return false;
  }
  const long double ms = seconds * 1000.0L;
  constexpr long double kLimit = 9223372036854775807.0L;
  if (ms >= kLimit || ms <= -kLimit) {
    ctx.Error(err::kTimeoutNegative);
    return false;
  }
  const auto whole = static_cast<int64_t>(std::ceil(ms));
  if (whole < 0) {
    ctx.Error(err::kTimeoutNegative);
    return false;
  }
  // A deadline past the clock's range: Redis's sum wraps into the past, so it times out at
  // once; here it is kept at the furthest representable time instead (see compatibility.md).
  *timeout_ms = std::min<int64_t>(whole, std::numeric_limits<int64_t>::max() - ctx.now_ms);
  return true;
}

// ---- serving ----

namespace {

// INFO commandstats count a blocking command once, as Redis does. The call that blocked was
// counted by Execute; its re-runs on wake-up are not counted again (their calls and latency
// samples are taken back here, on this cold path, so the command path pays nothing), but a
// re-run's failure and time stand. A blocked call that ends in an error without a re-run
// (its stream gone, CLIENT UNBLOCK ... ERROR) adds its failure with CountFailed.
void CountFailed(Engine& engine, const std::vector<std::string>& argv) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  if (const Command* cmd = ResolveCommand(engine.commands, views)) ++cmd->stats.failed_calls;
}

void UncountRerun(const Command& cmd, const CommandStats& before) {
  CommandStats& st = cmd.stats;
  st.calls = before.calls;
  std::copy(std::begin(before.latency_buckets), std::end(before.latency_buckets),
            std::begin(st.latency_buckets));
}

}  // namespace

void DispatchWithBlocking(Engine& engine, ClientInfo& client,
                          const std::vector<std::string_view>& argv, std::string* out,
                          int64_t now_ms) {
  if (engine.pause.end_ms != 0 && PausedFor(engine, client, argv, now_ms)) {
    PostponeClient(engine, client, argv);
  } else {
    Dispatch(engine, client, argv, out, now_ms);
  }
  if (engine.blocking.has_ready()) ServeBlockedClients(engine, now_ms);
}

void ServeBlockedClients(Engine& engine, int64_t now_ms) {
  // A postponed command run from here ends in Dispatch, which calls back: the loop below
  // already runs until nothing is ready.
  static bool serving = false;
  if (serving) return;
  serving = true;
  BlockingState& state = engine.blocking;
  std::vector<std::string_view> argv;
  while (state.has_ready()) {
    if (state.TakeResumePostponed()) RunPostponed(engine, now_ms);
    for (const auto& [db, key] : state.TakeReady()) {
      BlockingState::KeyQueue* q = state.QueueOf(db, key);
      if (q == nullptr) continue;
      // Served clients leave the queue as we go; the ones that stay are stepped over.
      auto it = q->waiters.begin();
      while (q != nullptr && it != q->waiters.end()) {
        BlockingState::Blocked* b = *it;
        ++it;
        ClientInfo& client = *b->client;
        if (b->wants_type) {
          // A key that is gone (or expired, or now of another type) serves nobody. As in
          // Redis 7.0, its XREADGROUP waiters are told so and unblocked (their group went with
          // the stream); XREAD waiters go on waiting.
          Entry* e = engine.keyspace.db(db).Find(key, now_ms);
          if (e == nullptr || e->type() != b->type) {
            if (b->type != ValueType::kStream) break;
            if (client.sink.buffer == nullptr || !EqualsNoCase(b->argv[0], "xreadgroup")) continue;
            CountFailed(engine, b->argv);
            state.Remove(client);
            engine.errors.Count(err::kStreamKeyGone);
            engine.clients.SendReply(
                client, [](ReplyBuilder& reply) { reply.Error(err::kStreamKeyGone); });
            TellUnblocked(engine, client);
            q = state.QueueOf(db, key);
            continue;
          }
        }
        if (client.sink.buffer == nullptr) continue;  // closing: dropped at its removal
        argv.assign(b->argv.begin(), b->argv.end());
        const Command* cmd = ResolveCommand(engine.commands, argv);
        if (cmd == nullptr) continue;
        const Rerun saved = g_rerun;
        g_rerun = Rerun{&client, false};
        const CommandStats before = cmd->stats;
        engine.clients.SendReply(client, [&](ReplyBuilder& reply) {
          Execute(engine, client, *cmd, argv, reply, now_ms);
        });
        UncountRerun(*cmd, before);
        const bool stay = g_rerun.stay;
        g_rerun = saved;
        if (!stay) {
          state.Remove(client);
          TellUnblocked(engine, client);
          // The queue itself goes when its last waiter does.
          q = state.QueueOf(db, key);
        }
      }
    }
  }
  serving = false;
}

void ExpireBlockedClients(Engine& engine, int64_t now_ms) {
  BlockingState& state = engine.blocking;
  for (uint64_t id : state.Expired(now_ms)) {
    ClientInfo* client = engine.clients.Find(id);
    if (client == nullptr) continue;
    BlockingState::Blocked* b = state.Find(*client);
    if (b == nullptr) continue;
    const BlockTimeoutReply kind = b->kind;
    state.Remove(*client);
    engine.clients.SendReply(*client, [&](ReplyBuilder& reply) { SendTimeoutReply(reply, kind); });
    TellUnblocked(engine, *client);
  }
  if (engine.pause.end_ms != 0 && engine.pause.end_ms <= now_ms) Unpause(engine);
  if (state.has_ready()) ServeBlockedClients(engine, now_ms);
}

int64_t NextBlockingDeadlineMs(const Engine& engine) {
  const int64_t blocked = engine.blocking.next_deadline_ms();
  const int64_t pause = engine.pause.end_ms;
  if (blocked == 0) return pause;
  if (pause == 0) return blocked;
  return std::min(blocked, pause);
}

bool UnblockClient(Engine& engine, ClientInfo& client, bool error) {
  BlockingState::Blocked* b = engine.blocking.Find(client);
  if (b == nullptr || b->postponed) return false;
  const BlockTimeoutReply kind = b->kind;
  if (error) CountFailed(engine, b->argv);
  engine.blocking.Remove(client);
  engine.clients.SendReply(client, [&](ReplyBuilder& reply) {
    if (error) {
      reply.Error(err::kUnblocked);
    } else {
      SendTimeoutReply(reply, kind);
    }
  });
  TellUnblocked(engine, client);
  return true;
}

void ForgetBlockedClient(Engine& engine, ClientInfo& client) {
  if (client.blocked) engine.blocking.Remove(client);
}

// ---- CLIENT PAUSE ----

namespace {

// The flags of an EVAL script's shebang line ("#!lua flags=no-writes,allow-oom"): whether it
// declares no-writes.
bool ShebangNoWrites(std::string_view body) {
  if (body.substr(0, 2) != "#!") return false;
  const std::string_view line = body.substr(0, body.find('\n'));
  const size_t at = line.find("flags=");
  if (at == std::string_view::npos) return false;
  std::string_view flags = line.substr(at + 6);
  flags = flags.substr(0, flags.find(' '));
  while (!flags.empty()) {
    const size_t comma = flags.find(',');
    if (flags.substr(0, comma) == "no-writes") return true;
    if (comma == std::string_view::npos) break;
    flags.remove_prefix(comma + 1);
  }
  return false;
}

// Whether a command may write or replicate, for CLIENT PAUSE WRITE (Redis's CMD_WRITE or
// CMD_MAY_REPLICATE, scripts judged by their declared flags).
bool MayReplicate(const Engine& engine, const Command& cmd,
                  const std::vector<std::string_view>& argv) {
  if (cmd.flags & kWrite) return true;
  const std::string_view n = cmd.name;
  if (n == "publish" || n == "spublish" || n == "pfcount") return true;
  if (n == "eval") return argv.size() < 2 || !ShebangNoWrites(argv[1]);
  if (n == "evalsha") {
    if (engine.scripting == nullptr || argv.size() < 2) return true;
    std::string sha(argv[1]);
    for (char& c : sha) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto it = engine.scripting->scripts.find(sha);
    return it == engine.scripting->scripts.end() || !(it->second.flags & kScriptNoWrites);
  }
  if (n == "fcall") {
    if (engine.scripting == nullptr || argv.size() < 2) return true;
    auto it = engine.scripting->functions.find(std::string(argv[1]));
    return it == engine.scripting->functions.end() || !(it->second.flags & kScriptNoWrites);
  }
  return false;
}

}  // namespace

bool PausedFor(const Engine& engine, const ClientInfo& client,
               const std::vector<std::string_view>& argv, int64_t now_ms) {
  if (engine.pause.end_ms <= now_ms) return false;  // ended: the timer unpauses
  const Command* cmd = ResolveCommand(engine.commands, argv);
  if (cmd == nullptr || !cmd->ArityFits(argv.size())) return false;  // refused at once
  if (!client.authenticated && !(cmd->flags & kNoAuth) && !engine.config.requirepass.empty()) {
    return false;  // NOAUTH at once
  }
  if (engine.pause.all) return true;
  if (cmd->name == "exec") {
    std::vector<std::string_view> q;
    for (const std::vector<std::string>& queued : client.queued) {
      q.assign(queued.begin(), queued.end());
      const Command* row = ResolveCommand(engine.commands, q);
      if (row != nullptr && MayReplicate(engine, *row, q)) return true;
    }
    return false;
  }
  return MayReplicate(engine, *cmd, argv);
}

void PostponeClient(Engine& engine, ClientInfo& client,
                    const std::vector<std::string_view>& argv) {
  auto b = std::make_unique<BlockingState::Blocked>();
  b->db = client.db;
  b->argv.assign(argv.begin(), argv.end());
  b->postponed = true;
  engine.blocking.Add(client, std::move(b));
}

void Pause(Engine& engine, int64_t end_ms, bool all, int64_t now_ms) {
  ClientPause& pause = engine.pause;
  const bool active = pause.end_ms > now_ms;
  pause.all = all || (active && pause.all);
  pause.end_ms = std::max(active ? pause.end_ms : 0, end_ms);
  engine.keyspace.stats().expiry_paused = true;
  engine.blocking.UpdateAttention();
}

void Unpause(Engine& engine) {
  engine.pause = ClientPause{};
  engine.keyspace.stats().expiry_paused = false;
  engine.blocking.UpdateAttention();
  engine.blocking.ResumePostponedLater();
}

namespace {

// The postponed clients' commands, in the order they were held back, each through Dispatch
// (admission again: the client's state may say otherwise now).
void RunPostponed(Engine& engine, int64_t now_ms) {
  BlockingState& state = engine.blocking;
  std::vector<std::string_view> argv;
  for (uint64_t id : state.Postponed()) {
    ClientInfo* client = engine.clients.Find(id);
    if (client == nullptr) continue;
    BlockingState::Blocked* b = state.Find(*client);
    if (b == nullptr || !b->postponed) continue;
    std::vector<std::string> saved = std::move(b->argv);
    state.Remove(*client);
    if (client->sink.buffer != nullptr) {
      argv.assign(saved.begin(), saved.end());
      const size_t before = client->sink.buffer->size();
      Dispatch(engine, *client, argv, client->sink.buffer, now_ms);
      engine.clients.NoteWritten(*client, client->sink.buffer->size() - before);
    }
    // The command may have blocked again (a BLPOP held back by PAUSE ALL).
    if (!client->blocked) TellUnblocked(engine, *client);
  }
}

}  // namespace

void BlockOnKeysOrNull(CommandContext& ctx, size_t first, size_t last, int64_t timeout_ms,
                       bool may_block) {
  if (may_block && MayBlock(ctx)) {
    const std::vector<std::string_view> keys(ctx.argv.begin() + static_cast<std::ptrdiff_t>(first),
                                             ctx.argv.begin() + static_cast<std::ptrdiff_t>(last));
    BlockClient(ctx, keys, timeout_ms, BlockTimeoutReply::kNullArray);
    return;
  }
  ctx.reply.NullArray();
}

}  // namespace firn
