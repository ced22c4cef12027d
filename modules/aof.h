// The append-only file in Redis 7.0's multi-part layout, fed by the propagation point.
//
// Under dir/appenddirname: a manifest naming one base file (an RDB snapshot,
// <appendfilename>.<n>.base.rdb, or RESP commands, .base.aof, with aof-use-rdb-preamble no),
// incremental files of RESP commands (<appendfilename>.<n>.incr.aof) and, for a moment after a
// rewrite, history files about to be deleted; so redis-check-aof reads it and redis-server 7.0
// starts from it. Records come from Engine::journal (modules/journal.h), already replay-safe;
// a SELECT is written whenever the database changes.
//
// Durability (appendfsync): `always` writes and fsyncs the iteration's records before any of
// its replies leave (the server calls Flush once per loop iteration before writing: one fsync
// for all the writes of the iteration, group commit); `everysec` writes each iteration and a
// helper thread fsyncs once a second, off the loop; `no` writes and leaves flushing to the
// kernel. A failed write or fsync with `always` stops the server (as Redis: the write was not
// acknowledged and cannot be); otherwise writes are refused with -MISCONF until a retry
// succeeds.
//
// Rewrite (BGREWRITEAOF, auto-aof-rewrite-percentage/-min-size, CONFIG SET appendonly yes): at
// fork time the parent opens a new incremental file, so every write after the fork goes
// there, and a forked child writes a new base from its copy-on-write image. When the child
// has finished, the loop renames the base in and switches its own idea of the files; a
// helper thread writes the manifest (temp file, fsync, rename, fsync of the directory) with
// the old base and incremental files as history, unlinks them and writes the manifest again
// without them. The loop waits only for the rename (Engine::save.aof_last_switch_us); any
// later manifest write waits for the helper first.
//
// Loading at start: the base, then each incremental file in order, replayed through Dispatch
// as a client with no output. A last command cut short (a crash mid-write) is cut off and
// logged when aof-load-truncated is on (Redis's default), else the start fails; anything else
// malformed stops the start with the file and byte offset.
//
// Thread-safety: the loop thread, except the helper thread, which only fsyncs and closes fds
// handed to it under mu_.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "modules/journal.h"

namespace firn {

struct Engine;

class AppendOnlyFile : public JournalSink {
 public:
  // As Redis's aof_state: off, on, or on but waiting for the first base (CONFIG SET
  // appendonly yes until its rewrite is done).
  enum class State { kOff, kOn, kWaitRewrite };
  enum class RewriteStart { kStarted, kScheduled, kInProgress, kFailed };

  explicit AppendOnlyFile(Engine& engine);
  ~AppendOnlyFile() override;
  AppendOnlyFile(const AppendOnlyFile&) = delete;
  AppendOnlyFile& operator=(const AppendOnlyFile&) = delete;

  // At start with appendonly yes: loads the directory's files into the engine, or creates the
  // directory with a base of the current keyspace (dump.rdb loaded first, when present) and
  // an empty incremental file; then appends to the last incremental file and installs itself
  // as engine.journal. False with *error naming the file and offset.
  bool Start(int64_t now_ms, std::string* error);
  // CONFIG SET appendonly yes: a rewrite writes the base from the current dataset; writes
  // made meanwhile go to the incremental file opened at its fork. False when it could not
  // start (the setting is then put back).
  bool Enable(int64_t now_ms, std::string* error);
  // CONFIG SET appendonly no: stops a rewrite, writes and fsyncs what is buffered, closes.
  void Disable();

  // BGREWRITEAOF (and the cron's automatic and scheduled rewrites). in_exec: inside a
  // transaction, where Redis only schedules it.
  RewriteStart RequestRewrite(int64_t now_ms, bool in_exec);
  // Kills a running rewrite child and removes its temp file (shutdown, appendonly no).
  void StopRewrite();

  void Append(int db, const std::vector<std::string_view>& argv) override;
  bool HasPending() const { return !buf_.empty(); }
  // Writes what is buffered (and fsyncs with appendfsync always). False after a write error
  // (INFO aof_last_write_status:err); the data stays buffered for the next try.
  bool Flush();
  // From the cron: flushes, asks the helper for an fsync once a second (everysec), reaps a
  // finished rewrite child and switches its base in, starts scheduled and automatic rewrites.
  void Cron(int64_t now_ms);

  State state() const { return state_; }
  // A rewrite's manifest is still being written (INFO counts the rewrite in progress).
  bool switching() const { return switching_.load(std::memory_order_relaxed); }
  bool last_write_ok() const { return last_write_ok_; }
  uint64_t current_size() const { return current_size_; }
  uint64_t base_size() const { return base_size_; }
  size_t buffer_length() const { return buf_.size(); }
  uint64_t fsyncs() const { return fsyncs_.load(std::memory_order_relaxed); }
  uint64_t fsync_us() const { return fsync_us_.load(std::memory_order_relaxed); }

 private:
  struct File {
    std::string name;
    int64_t seq = 0;
  };

  bool LoadFile(const std::string& path, bool last, std::string* error);
  bool Create(int64_t now_ms, std::string* error);
  // Reads dir's manifest into base_/incrs_/history_ (false with *error when it is bad; true
  // with nothing set when it does not exist).
  bool ReadManifest(std::string* error, bool* found);
  std::string ManifestText() const;
  bool PersistManifest();
  void JoinSwitcher();
  std::string Dir() const;
  std::string Path(const std::string& name) const { return Dir() + "/" + name; }
  bool OpenNewIncr(std::string* error);
  void Install();
  void Uninstall();
  void FinishRewrite(int64_t now_ms, bool ok);
  void DeleteHistory();
  void StartSyncer();
  void StopSyncer();
  void Retire(int fd);
  void SyncLoop();

  Engine& engine_;
  State state_ = State::kOff;
  int fd_ = -1;
  int current_db_ = -1;
  std::string buf_;
  bool last_write_ok_ = true;
  int64_t last_sync_ms_ = 0;
  // The manifest as last persisted (or about to be).
  File base_;  // name empty: none
  bool base_is_rdb_ = true;
  std::vector<File> incrs_;
  std::vector<File> history_;
  int64_t base_seq_ = 0;
  int64_t incr_seq_ = 0;
  bool manifest_known_ = false;
  // The rewrite child.
  std::string fork_incr_;  // the incremental file opened at its fork ("" with the AOF off)
  bool fork_rdb_ = true;   // its base is an RDB file
  int64_t last_rewrite_attempt_ms_ = 0;
  // Sizes (INFO aof_current_size, aof_base_size; automatic rewrite).
  uint64_t current_size_ = 0;
  uint64_t base_size_ = 0;
  uint64_t rewrite_base_size_ = 0;
  JournalExpiryObserver expiry_observer_;
  // Writes the manifests after a rewrite and unlinks the history (FinishRewrite).
  std::thread switcher_;
  std::atomic<bool> switch_failed_{false};
  std::atomic<bool> switching_{false};
  std::atomic<uint64_t> fsyncs_{0};
  std::atomic<uint64_t> fsync_us_{0};
  // Helper thread (with everysec): fsyncs fd_ once a second, fsyncs and closes retired fds.
  std::thread syncer_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool sync_wanted_ = false;
  bool stop_ = false;
  std::vector<int> retired_;
};

}  // namespace firn
