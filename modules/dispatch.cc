#include "modules/dispatch.h"

#include <string>

#include "modules/common.h"
#include "modules/engine.h"
#include "protocol/errors.h"
#include "protocol/reply.h"
#include "storage/memory.h"

namespace firn {
namespace {

// Redis's text: the name and then arguments, each quoted and followed by a space, while the
// list is under 128 bytes, each cut to what is left of those 128. Like Redis's printf %s, a
// name or argument stops at its first NUL byte.
std::string UnknownCommandError(const std::vector<std::string_view>& argv) {
  auto upto_nul = [](std::string_view s) { return s.substr(0, s.find('\0')); };
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    size_t room = 128 - args.size();
    args += '\'';
    args.append(upto_nul(argv[i]).substr(0, room));
    args += "' ";
  }
  return err::Format(err::kUnknownCommand, {upto_nul(argv[0]).substr(0, 128), args});
}

void Record(const Command& cmd, int64_t duration_us, bool failed) {
  CommandStats& s = cmd.stats;
  ++s.calls;
  s.usec += static_cast<uint64_t>(duration_us);
  if (failed) ++s.failed_calls;
  int b = 0;
  while (b < CommandStats::kBuckets && duration_us > kLatencyBucketsUs[b]) ++b;
  ++s.latency_buckets[b];
}

}  // namespace

bool EnforceMaxmemory(Engine& engine, int64_t now_ms, int64_t budget_us) {
  const Config& cfg = engine.config;
  Evictor& evictor = engine.keyspace.evictor();
  const EvictionParams& p = evictor.params();
  if (p.policy != cfg.maxmemory_policy || p.samples != cfg.maxmemory_samples ||
      p.lfu_log_factor != cfg.lfu_log_factor || p.lfu_decay_time != cfg.lfu_decay_time) {
    evictor.Configure({cfg.maxmemory_policy, cfg.maxmemory_samples, cfg.lfu_log_factor,
                       cfg.lfu_decay_time});
  }
  if (cfg.maxmemory == 0) return true;
  return evictor.Enforce(engine.keyspace, cfg.maxmemory, now_ms, UsedMemoryBytes,
                         engine.clock_us, budget_us) != Evictor::Result::kFail;
}

void Dispatch(Engine& engine, ClientInfo& client, const std::vector<std::string_view>& argv,
              std::string* out, int64_t now_ms) {
  const size_t reply_start = out->size();
  const ClientInfo::ReplyMode mode_before = client.reply_mode;
  ReplyBuilder reply(out, client.proto);
  const Command* cmd = engine.commands.Find(argv[0]);
  const bool memory_ok = EnforceMaxmemory(engine, now_ms);

  if (cmd == nullptr) {
    client.multi_error = client.in_multi;
    reply.Error(UnknownCommandError(argv));
  } else if (!cmd->ArityFits(argv.size())) {
    ++cmd->stats.rejected_calls;
    client.multi_error = client.in_multi;
    reply.Error(WrongArityError(cmd->name));
  } else if (!client.authenticated && !engine.config.requirepass.empty() &&
             !(cmd->flags & kNoAuth)) {
    ++cmd->stats.rejected_calls;
    client.multi_error = client.in_multi;
    reply.Error(err::kNoAuth);
  } else if (!memory_ok && (cmd->flags & kDenyOom)) {
    ++cmd->stats.rejected_calls;
    client.multi_error = client.in_multi;
    reply.Error(err::kOom);
  } else if (client.in_multi && !(cmd->flags & kNoMulti)) {
    // Inside MULTI: queue a copy, answer QUEUED; EXEC runs the queue.
    client.queued.emplace_back(argv.begin(), argv.end());
    reply.Simple("QUEUED");
  } else {
    const int64_t start_us = engine.clock_us();
    CommandContext ctx{argv, reply, engine, client, now_ms, cmd};
    cmd->run(ctx);
    const int64_t duration_us = engine.clock_us() - start_us;
    Record(*cmd, duration_us, ctx.failed);
    engine.slowlog.MaybeRecord(engine.config.slowlog_log_slower_than, engine.config.slowlog_max_len,
                               *cmd, client, argv, duration_us, now_ms);
    ++engine.stats.total_commands_processed;
    client.last_command = cmd->name;
    // As Redis, monitors see a command after it ran (SELECT shows its new db), admin
    // commands never.
    if (engine.hooks != nullptr && engine.hooks->HasMonitors() &&
        !(cmd->flags & (kSkipMonitor | kAdmin))) {
      engine.hooks->FeedMonitors(client, argv, now_ms * 1000);
    }
  }

  // CLIENT REPLY OFF / SKIP: the reply is built and then dropped, so handlers stay unaware.
  bool drop = false;
  if (mode_before == ClientInfo::ReplyMode::kSkip) {
    drop = true;
    if (client.reply_mode == ClientInfo::ReplyMode::kSkip) {
      client.reply_mode = ClientInfo::ReplyMode::kOn;
    }
  }
  if (client.reply_mode == ClientInfo::ReplyMode::kOff) drop = true;
  if (client.reply_mode == ClientInfo::ReplyMode::kSkipNext) {
    drop = true;
    client.reply_mode = ClientInfo::ReplyMode::kSkip;
  }
  if (drop) out->resize(reply_start);
}

}  // namespace firn
