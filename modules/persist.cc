// Snapshots and DUMP/RESTORE in Redis's RDB format.
//
// SAVE writes the snapshot in the loop (the server answers nothing else meanwhile, as Redis);
// BGSAVE forks, and the child writes from its copy-on-write image of the keyspace while the
// parent keeps serving: the keyspace is never locked or copied by us, the kernel copies only
// the pages the parent writes while the child runs. Either way the file is written as
// temp-<pid>.rdb in dir, fsynced, renamed over dbfilename and the directory fsynced, so a
// crash mid-save leaves the previous snapshot whole. The parent never blocks on the child:
// the cron reaps it (waitpid WNOHANG) and records the outcome, which INFO persistence and
// LASTSAVE report and which turns on -MISCONF for writes after a failure when
// stop-writes-on-bgsave-error is on and save rules are set (Redis's rule).
//
// The save rules ("seconds changes" pairs) are checked by the cron once a tick: a BGSAVE
// starts when some rule has at least `changes` writes since the last save and `seconds` have
// passed since it; after a failure the rules wait 5 s before trying again (Redis's
// CONFIG_BGSAVE_RETRY_DELAY).
//
// The forked child resets the signals the loop handles (libuv's handlers would write to the
// parent's signal pipe), writes, and leaves with _exit so nothing of the parent's state runs
// its destructors twice. A child stopped by SIGUSR1 (SHUTDOWN, or FLUSHALL in Redis) is not a
// failure.
#include "modules/persist.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "modules/aof.h"
#include "modules/args.h"
#include "modules/engine.h"
#include "modules/functions.h"
#include "protocol/numbers.h"
#include "protocol/errors.h"
#include "protocol/reply.h"
#include "storage/db.h"
#include "storage/entry.h"
#include "storage/evict.h"
#include "storage/keyspace.h"
#include "storage/memory.h"
#include "storage/rdb.h"

namespace firn {
namespace {

constexpr int64_t kBgsaveRetryDelayMs = 5000;

void LogLine(Engine& engine, int level, const std::string& line) {
  if (engine.save.log != nullptr) engine.save.log(level, line);
}

std::string DirOf(const Engine& engine) {
  return engine.config.dir.empty() ? std::string(".") : engine.config.dir;
}

std::string TempPath(const Engine& engine, long pid) {
  return DirOf(engine) + "/temp-" + std::to_string(pid) + ".rdb";
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// The snapshot into temp, then renamed over the final path. Runs in the loop (SAVE) or in
// the child (BGSAVE).
bool WriteSnapshotFile(Engine& engine, int64_t now_ms, const std::string& temp,
                       std::string* error) {
  rdb::SetCompression(engine.config.rdbcompression);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "Failed opening the temp RDB file " + temp + " (in server root dir " +
             DirOf(engine) + ") for saving: " + std::strerror(errno);
    return false;
  }
  rdb::SaveOptions opts;
  opts.checksum = engine.config.rdbchecksum;
  opts.now_ms = now_ms;
  opts.used_memory = static_cast<uint64_t>(std::max<int64_t>(0, UsedMemoryBytes()));
  opts.functions = FunctionLibraryCodes(engine);
  int write_errno = 0;
  std::optional<uint64_t> n = rdb::WriteSnapshot(engine.keyspace, opts, [&](std::string_view b) {
    if (WriteAll(fd, b)) return true;
    write_errno = errno;
    return false;
  });
  bool ok = n.has_value();
  if (ok && ::fsync(fd) != 0) {
    write_errno = errno;
    ok = false;
  }
  if (::close(fd) != 0 && ok) {
    write_errno = errno;
    ok = false;
  }
  if (!ok) {
    *error = std::string("Write error saving DB on disk: ") + std::strerror(write_errno);
    ::unlink(temp.c_str());
    return false;
  }
  const std::string final_path = SnapshotPath(engine);
  if (::rename(temp.c_str(), final_path.c_str()) != 0) {
    *error = "Error moving temp DB file " + temp + " on the final destination " + final_path +
             " (in server root dir " + DirOf(engine) + "): " + std::strerror(errno);
    ::unlink(temp.c_str());
    return false;
  }
  // The rename itself must survive a crash.
  const int dfd = ::open(DirOf(engine).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

bool HasSaveRules(const Engine& engine) { return !engine.config.save.empty(); }

// The rules as (seconds, changes) pairs. The config keeps them normalized ("3600 1 300 100").
std::vector<std::pair<int64_t, int64_t>> SaveRules(const Engine& engine) {
  std::vector<std::pair<int64_t, int64_t>> rules;
  std::string_view s = engine.config.save;
  std::vector<int64_t> nums;
  while (!s.empty()) {
    const size_t sp = s.find(' ');
    std::string_view w = s.substr(0, sp);
    int64_t v = 0;
    if (ParseInt64(w, &v)) nums.push_back(v);
    if (sp == std::string_view::npos) break;
    s.remove_prefix(sp + 1);
  }
  for (size_t i = 0; i + 1 < nums.size(); i += 2) rules.emplace_back(nums[i], nums[i + 1]);
  return rules;
}

// ---- DUMP / RESTORE ----

// DUMP key -> the value serialized in Redis's format (bulk), or nil when the key is missing.
void Dump(CommandContext& ctx) {
  Entry* e = ctx.db().FindForRead(ctx.arg(1), ctx.now_ms);
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Bulk(rdb::DumpPayload(*e));
}

// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] -> OK.
// ttl in ms (0: none; an absolute Unix time in ms with ABSTTL). The whole payload is checked
// (version, CRC64, every structure) before the keyspace is touched.
void Restore(CommandContext& ctx) {
  bool replace = false, absttl = false;
  int64_t idle_s = -1, freq = -1;
  ArgParser args(ctx.argv, 4);
  while (args.HasNext()) {
    if (args.Flag("REPLACE")) {
      replace = true;
    } else if (args.Flag("ABSTTL")) {
      absttl = true;
    } else if (freq == -1 && args.Remaining() >= 2 && args.Flag("IDLETIME")) {
      idle_s = args.Next<int64_t>();
      if (args.Ok() && idle_s < 0) args.Fail(err::kInvalidIdletime);
    } else if (idle_s == -1 && args.Remaining() >= 2 && args.Flag("FREQ")) {
      freq = args.Next<int64_t>();
      if (args.Ok() && (freq < 0 || freq > 255)) args.Fail(err::kInvalidFreq);
    } else {
      args.Fail(err::kSyntax);
    }
  }
  if (!args.Ok()) return ctx.Error(args.ErrorText());
  const std::string_view key = ctx.arg(1);
  Db& db = ctx.db();
  if (!replace && db.FindForWrite(key, ctx.now_ms) != nullptr) return ctx.Error(err::kBusyKey);
  int64_t ttl = 0;
  if (!ParseInt64(ctx.arg(2), &ttl)) return ctx.Error(err::kNotInteger);
  if (ttl < 0) return ctx.Error(err::kInvalidTtl);
  std::optional<std::string_view> object = rdb::VerifyDumpPayload(ctx.arg(3));
  if (!object) return ctx.Error(err::kDumpPayload);
  int64_t expire_ms = -1;
  if (ttl > 0) expire_ms = absttl ? ttl : (ttl > INT64_MAX - ctx.now_ms ? INT64_MAX : ctx.now_ms + ttl);
  Entry* e = rdb::DecodeEntry(key, *object, expire_ms);
  if (e == nullptr) return ctx.Error(err::kBadDataFormat);
  if (replace) db.Delete(key, ctx.now_ms);
  if (expire_ms >= 0 && expire_ms <= ctx.now_ms) {
    // Already expired: nothing is stored (a replaced key is simply deleted), as Redis.
    Entry::Free(e);
    ctx.reply.Ok();
    return;
  }
  Evictor& ev = ctx.keyspace().evictor();
  ev.Admit(e, ctx.now_ms);
  const bool lfu = ctx.config().maxmemory_policy == EvictionPolicy::kAllKeysLfu ||
                   ctx.config().maxmemory_policy == EvictionPolicy::kVolatileLfu;
  if (lfu && freq >= 0) {
    ev.SetFrequency(e, static_cast<uint8_t>(freq), ctx.now_ms);
  } else if (!lfu && idle_s >= 0) {
    ev.SetIdleMs(e, idle_s > INT64_MAX / 1000 ? INT64_MAX : idle_s * 1000, ctx.now_ms);
  }
  db.Adopt(e);
  ctx.reply.Ok();
}

// ---- SAVE / BGSAVE / LASTSAVE ----

// SAVE -> OK once the snapshot is on disk; a bare -ERR when it could not be written (the
// reason is logged), as Redis.
void Save(CommandContext& ctx) {
  if (ctx.engine.save.child_pid > 0) return ctx.Error(err::kBgsaveInProgress);
  std::string error;
  if (!SaveSnapshot(ctx.engine, ctx.now_ms, &error)) return ctx.Error(err::kSaveFailed);
  ctx.reply.Ok();
}

// BGSAVE [SCHEDULE] -> "Background saving started"; "Background saving scheduled" inside a
// transaction (the cron starts it). An error while a background save runs.
void BgSave(CommandContext& ctx) {
  if (ctx.argc() > 2 || (ctx.argc() == 2 && !EqualsNoCase(ctx.arg(1), "SCHEDULE"))) {
    return ctx.Error(err::kSyntax);
  }
  SaveState& st = ctx.engine.save;
  if (st.child_pid > 0) return ctx.Error(err::kBgsaveInProgress);
  if (ctx.client.in_multi || st.aof_child_pid > 0) {
    // Another child (an AOF rewrite) runs: only BGSAVE SCHEDULE waits for it, as Redis.
    if (!ctx.client.in_multi && ctx.argc() == 1) return ctx.Error(err::kBgsaveAnotherChild);
    st.scheduled = true;
    ctx.reply.Simple("Background saving scheduled");
    return;
  }
  std::string error;
  if (!StartBackgroundSave(ctx.engine, ctx.now_ms, &error)) return ctx.Error(err::kSaveFailed);
  ctx.reply.Simple("Background saving started");
}

// BGREWRITEAOF -> "Background append only file rewriting started", or "... scheduled" while
// a BGSAVE runs or inside a transaction (the cron starts it); an error while one runs.
void BgRewriteAof(CommandContext& ctx) {
  AppendOnlyFile* aof = ctx.engine.save.aof;
  if (aof == nullptr) return ctx.Error(err::kAofRewriteFailed);
  switch (aof->RequestRewrite(ctx.now_ms, ctx.client.in_multi)) {
    case AppendOnlyFile::RewriteStart::kStarted:
      return ctx.reply.Simple("Background append only file rewriting started");
    case AppendOnlyFile::RewriteStart::kScheduled:
      return ctx.reply.Simple("Background append only file rewriting scheduled");
    case AppendOnlyFile::RewriteStart::kInProgress:
      return ctx.Error(err::kAofRewriteInProgress);
    case AppendOnlyFile::RewriteStart::kFailed:
      return ctx.Error(err::kAofRewriteFailed);
  }
}

// LASTSAVE -> the Unix time (s) of the last successful save, or of the start.
void LastSave(CommandContext& ctx) {
  const int64_t t = ctx.engine.save.lastsave_s;
  ctx.reply.Int(t != 0 ? t : ctx.engine.stats.start_time_ms / 1000);
}

}  // namespace

std::string SnapshotPath(const Engine& engine) {
  return DirOf(engine) + "/" + engine.config.dbfilename;
}

void RefreshDenyWrites(Engine& engine) {
  engine.save.deny_writes = (engine.config.stop_writes_on_bgsave_error && HasSaveRules(engine) &&
                             !engine.save.last_bgsave_ok) ||
                            !engine.save.aof_write_ok;
  engine.save.deny_text = engine.save.aof_write_ok ? err::kMisconf
                                                   : std::string_view(engine.save.aof_write_error);
}

bool SaveSnapshot(Engine& engine, int64_t now_ms, std::string* error) {
  SaveState& st = engine.save;
  const uint64_t dirty = engine.keyspace.dirty();
  if (!WriteSnapshotFile(engine, now_ms, TempPath(engine, static_cast<long>(::getpid())), error)) {
    LogLine(engine, 1, *error);
    st.last_bgsave_ok = false;
    RefreshDenyWrites(engine);
    return false;
  }
  LogLine(engine, 0, "DB saved on disk");
  engine.dirty_at_last_save = dirty;
  st.lastsave_s = now_ms / 1000;
  st.last_bgsave_ok = true;
  ++st.saves;
  RefreshDenyWrites(engine);
  return true;
}

bool StartBackgroundSave(Engine& engine, int64_t now_ms, std::string* error) {
  SaveState& st = engine.save;
  if (st.child_pid > 0) {
    *error = std::string(err::kBgsaveInProgress);
    return false;
  }
  st.last_attempt_ms = now_ms;
  const pid_t pid = ::fork();
  if (pid < 0) {
    *error = std::string("Can't save in background: fork: ") + std::strerror(errno);
    LogLine(engine, 1, *error);
    st.last_bgsave_ok = false;
    RefreshDenyWrites(engine);
    return false;
  }
  if (pid == 0) {
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) ::signal(sig, SIG_DFL);
    std::string why;
    const bool ok = WriteSnapshotFile(engine, now_ms, TempPath(engine, static_cast<long>(::getpid())), &why);
    if (!ok) {
      // The parent logs the exit status; the reason goes to stderr (the server's log under
      // systemd).
      why += "\n";
      (void)!::write(2, why.data(), why.size());
    }
    ::_exit(ok ? 0 : 1);
  }
  st.child_pid = pid;
  st.child_start_ms = now_ms;
  st.dirty_at_child_start = engine.keyspace.dirty();
  LogLine(engine, 0, "Background saving started by pid " + std::to_string(pid));
  return true;
}

void PersistCron(Engine& engine, int64_t now_ms) {
  SaveState& st = engine.save;
  RefreshDenyWrites(engine);  // CONFIG SET may have changed the rules
  if (st.child_pid > 0) {
    int status = 0;
    const pid_t r = ::waitpid(static_cast<pid_t>(st.child_pid), &status, WNOHANG);
    if (r == 0) return;  // still writing
    const bool ok = r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    const bool stopped = r > 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1;
    st.last_bgsave_time_s = (now_ms - st.child_start_ms) / 1000;
    if (ok) {
      LogLine(engine, 0, "Background saving terminated with success");
      engine.dirty_at_last_save = st.dirty_at_child_start;
      st.lastsave_s = now_ms / 1000;
      st.last_bgsave_ok = true;
      ++st.saves;
    } else if (!stopped) {
      LogLine(engine, 1, "Background saving error");
      st.last_bgsave_ok = false;
    }
    if (!ok) ::unlink(TempPath(engine, static_cast<long>(st.child_pid)).c_str());
    st.child_pid = -1;
    RefreshDenyWrites(engine);
  }
  std::string error;
  if (st.aof_child_pid > 0) return;  // an AOF rewrite runs: BGSAVE waits for it
  if (st.scheduled) {
    st.scheduled = false;
    StartBackgroundSave(engine, now_ms, &error);
    return;
  }
  if (!HasSaveRules(engine)) return;
  const uint64_t changes = engine.keyspace.dirty() - engine.dirty_at_last_save;
  const int64_t last_s = st.lastsave_s != 0 ? st.lastsave_s : engine.stats.start_time_ms / 1000;
  for (const auto& [seconds, min_changes] : SaveRules(engine)) {
    if (changes >= static_cast<uint64_t>(min_changes) && now_ms / 1000 - last_s > seconds &&
        (st.last_bgsave_ok || now_ms - st.last_attempt_ms > kBgsaveRetryDelayMs)) {
      LogLine(engine, 0, std::to_string(min_changes) + " changes in " + std::to_string(seconds) +
                             " seconds. Saving...");
      StartBackgroundSave(engine, now_ms, &error);
      return;
    }
  }
}

bool LoadSnapshotAtStartup(Engine& engine, int64_t now_ms, std::string* error) {
  SaveState& st = engine.save;
  st.lastsave_s = now_ms / 1000;
  const std::string path = SnapshotPath(engine);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return true;  // nothing saved yet
    *error = "Fatal error loading the DB (" + path + "): " + std::strerror(errno) + ". Exiting.";
    return false;
  }
  std::string image;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = "Fatal error loading the DB (" + path + "): " + std::strerror(errno) + ". Exiting.";
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    image.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  st.loading = true;
  rdb::LoadOptions opts;
  opts.now_ms = now_ms;
  opts.on_function = [&](std::string_view code, std::string* why) {
    return LoadFunctionLibrary(engine, code, why);
  };
  rdb::LoadResult r = rdb::LoadSnapshot(engine.keyspace, image, opts);
  st.loading = false;
  if (!r.ok) {
    *error = "Short read or corrupt RDB loading " + path + ": " + r.error +
             ". Unrecoverable error, aborting now.";
    return false;
  }
  st.loaded_keys = r.keys_loaded;
  st.loaded_expired = r.keys_expired;
  engine.dirty_at_last_save = engine.keyspace.dirty();
  LogLine(engine, 0, "DB loaded from disk: " + std::to_string(r.keys_loaded) + " keys (" +
                         std::to_string(r.keys_expired) + " expired keys dropped)");
  return true;
}

bool SaveBeforeShutdown(Engine& engine, int64_t now_ms, bool force_save, bool nosave) {
  SaveState& st = engine.save;
  if (st.child_pid > 0) {
    LogLine(engine, 1, "There is a child saving an .rdb. Killing it!");
    ::kill(static_cast<pid_t>(st.child_pid), SIGUSR1);
    int status;
    ::waitpid(static_cast<pid_t>(st.child_pid), &status, 0);
    ::unlink(TempPath(engine, static_cast<long>(st.child_pid)).c_str());
    st.child_pid = -1;
  }
  if (st.aof != nullptr) st.aof->StopRewrite();
  if (!(force_save || (HasSaveRules(engine) && !nosave))) return true;
  LogLine(engine, 0, "Saving the final RDB snapshot before exiting.");
  std::string error;
  if (!SaveSnapshot(engine, now_ms, &error)) {
    LogLine(engine, 1, "Error trying to save the DB, can't exit.");
    return false;
  }
  return true;
}

std::vector<Command> PersistCommands() {
  return {
      {.name = "bgrewriteaof", .arity = 1, .flags = kAdmin | kNoScript | kNoAsyncLoading,
       .run = BgRewriteAof, .group = "server", .since = "1.0.0",
       .summary = "Rewrites the append-only file's base from a forked child.", .syntax = ""},
      {.name = "dump", .arity = 2, .flags = kReadOnly, .keys = {1, 1, 1}, .run = Dump,
       .group = "generic", .since = "2.6.0",
       .summary = "Answers a key's value serialized in Redis's RDB format.", .syntax = "key"},
      {.name = "restore", .arity = -4, .flags = kWrite | kDenyOom, .keys = {1, 1, 1},
       .run = Restore, .group = "generic", .since = "2.6.0",
       .summary = "Creates a key from a DUMP payload (Redis's or Firn's).",
       .syntax = "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]"},
      {.name = "save", .arity = 1, .flags = kAdmin | kNoScript | kNoAsyncLoading | kNoMulti,
       .run = Save, .group = "server", .since = "1.0.0",
       .summary = "Writes the snapshot (dir/dbfilename) synchronously.", .syntax = ""},
      {.name = "bgsave", .arity = -1, .flags = kAdmin | kNoScript | kNoAsyncLoading,
       .run = BgSave, .group = "server", .since = "1.0.0",
       .summary = "Writes the snapshot from a forked child while the server keeps serving.",
       .syntax = "[SCHEDULE]"},
      {.name = "lastsave", .arity = 1, .flags = kLoading | kStale | kFast | kRandom,
       .run = LastSave, .group = "server", .since = "1.0.0",
       .summary = "Answers the Unix time of the last successful save.", .syntax = ""},
  };
}

}  // namespace firn
