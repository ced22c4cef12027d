// The append-only file in Redis 7.0's multi-part layout, fed by the propagation point.
//
// Under dir/appenddirname: a manifest naming one base file (an RDB snapshot,
// <appendfilename>.<n>.base.rdb) and incremental files of RESP commands
// (<appendfilename>.<n>.incr.aof), so redis-check-aof reads it and redis-server 7.0 starts from
// it. Records come from Engine::journal (modules/journal.h), already replay-safe; a SELECT is
// written whenever the database changes.
//
// Durability (appendfsync): `always` writes and fsyncs the iteration's records before any of
// its replies leave (the server calls Flush once per loop iteration before writing: one fsync
// for all the writes of the iteration, group commit); `everysec` writes each iteration and a
// helper thread fsyncs once a second, off the loop; `no` writes and leaves flushing to the
// kernel.
//
// Loading at start: the base, then each incremental file in order, replayed through Dispatch
// as a client with no output. A last command cut short (a crash mid-write) is cut off and
// logged when aof-load-truncated is on (Redis's default), else the start fails; anything else
// malformed stops the start with the file and byte offset. No rewrite (BGREWRITEAOF) yet.
//
// Thread-safety: the loop thread, except the everysec helper, which only fsyncs the fd.
#pragma once

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
  explicit AppendOnlyFile(Engine& engine);
  ~AppendOnlyFile() override;
  AppendOnlyFile(const AppendOnlyFile&) = delete;
  AppendOnlyFile& operator=(const AppendOnlyFile&) = delete;

  // Loads the directory's files into the engine, or creates the directory with a base of the
  // current keyspace (dump.rdb loaded first, when present) and an empty incremental file;
  // then opens the last incremental file for appending and installs itself as
  // engine.journal. False with *error naming the file and offset.
  bool Start(int64_t now_ms, std::string* error);

  void Append(int db, const std::vector<std::string_view>& argv) override;
  bool HasPending() const { return !buf_.empty(); }
  // Writes what is buffered (and fsyncs with appendfsync always). False after a write error
  // (INFO aof_last_write_status:err); the data stays buffered for the next try.
  bool Flush();
  // From the cron: with everysec, asks the helper thread for an fsync once a second.
  void Cron(int64_t now_ms);
  bool last_write_ok() const { return last_write_ok_; }

 private:
  bool LoadFile(const std::string& path, bool last, std::string* error);
  bool Create(int64_t now_ms, std::string* error);
  std::string Dir() const;
  void SyncLoop();

  Engine& engine_;
  int fd_ = -1;
  int current_db_ = -1;
  std::string buf_;
  bool last_write_ok_ = true;
  int64_t last_sync_ms_ = 0;
  // everysec helper.
  std::thread syncer_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool sync_wanted_ = false;
  bool stop_ = false;
};

}  // namespace firn
