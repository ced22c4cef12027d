// The append-only file (the contract and the layout are in modules/aof.h).
//
// Why a buffer flushed once per loop iteration rather than a write per command: with
// appendfsync always, an fsync costs milliseconds, and every client served in an iteration
// waits for the same one, so the cost is per iteration, not per write (group commit, as
// databases do and as Redis does with its beforeSleep flush). The replies of the iteration
// are held back by the server until Flush returns, so nothing is acknowledged before it is
// on disk. With everysec the write still happens on the loop (it only copies into the page
// cache) and the fsync, which may block for as long as the disk is busy, runs on a helper
// thread woken once a second: at most about a second of acknowledged writes is lost on a
// power failure, never on a process crash.
//
// Loading reads each file whole and replays its commands through Dispatch, as a client that
// sees no replies: the records are the journal's replay-safe forms, so the keyspace comes
// back as it was (absolute expiries, limiter states). A command cut short at the end of the
// last file is what a crash mid-write leaves: with aof-load-truncated the file is cut back to
// the last whole command (logged) and appending continues from there.
//
// A rewrite's child writes from the copy-on-write image the fork gave it, so it never sees a
// write made after the fork, and the parent has already moved appending to a new incremental
// file by then: base + that file is exactly the keyspace, and every older file is history.
// The parent does nothing slow for the child: it reaps it from the cron (waitpid WNOHANG),
// and switching the base in is a rename and two manifest writes; unlinking the old files,
// which for a big file can take as long as the disk wants, runs on a detached thread.
#include "modules/aof.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

#include "modules/client.h"
#include "modules/dispatch.h"
#include "modules/engine.h"
#include "modules/functions.h"
#include "modules/persist.h"
#include "protocol/errors.h"
#include "storage/db.h"
#include "storage/entry.h"
#include "storage/keyspace.h"
#include "storage/memory.h"
#include "storage/ratelimit.h"
#include "storage/rdb.h"

namespace firn {
namespace {

void Log(Engine& engine, int level, const std::string& line) {
  if (engine.save.log != nullptr) engine.save.log(level, line);
}

bool ReadWhole(const std::string& path, std::string* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return n == 0;
    }
    out->append(buf, static_cast<size_t>(n));
  }
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// data into path + ".tmp", fsynced, renamed over path (the caller fsyncs the directory).
bool WriteWhole(const std::string& path, std::string_view data) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = WriteAll(fd, data) && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  return ok && ::rename(temp.c_str(), path.c_str()) == 0;
}

// One RESP command at in[pos]: 1 parsed (argv filled, *pos moved), 0 incomplete, -1 malformed.
int ParseCommand(std::string_view in, size_t* pos, std::vector<std::string_view>* argv) {
  auto line = [&](size_t at, char tag, int64_t* n, size_t* next) -> int {
    if (at >= in.size()) return 0;
    if (in[at] != tag) return -1;
    const size_t end = in.find("\r\n", at);
    if (end == std::string_view::npos) return in.size() - at > 24 ? -1 : 0;
    auto [p, ec] = std::from_chars(in.data() + at + 1, in.data() + end, *n);
    if (ec != std::errc() || p != in.data() + end || *n < 0) return -1;
    *next = end + 2;
    return 1;
  };
  int64_t count;
  size_t at;
  int r = line(*pos, '*', &count, &at);
  if (r <= 0) return r;
  if (count == 0 || count > 1024 * 1024) return -1;
  argv->clear();
  for (int64_t i = 0; i < count; ++i) {
    int64_t len;
    r = line(at, '$', &len, &at);
    if (r <= 0) return r;
    if (static_cast<uint64_t>(len) + 2 > in.size() - at) return 0;
    if (in.substr(at + static_cast<size_t>(len), 2) != "\r\n") return -1;
    argv->push_back(in.substr(at, static_cast<size_t>(len)));
    at += static_cast<size_t>(len) + 2;
  }
  *pos = at;
  return 1;
}

void PutBulk(std::string* out, std::string_view s) {
  char num[24];
  auto [end, ec] = std::to_chars(num, num + sizeof(num), s.size());
  (void)ec;
  out->push_back('$');
  out->append(num, end);
  out->append("\r\n");
  out->append(s);
  out->append("\r\n");
}

void PutCommand(std::string* out, const std::vector<std::string_view>& argv) {
  char num[24];
  auto [end, ec] = std::to_chars(num, num + sizeof(num), argv.size());
  (void)ec;
  out->push_back('*');
  out->append(num, end);
  out->append("\r\n");
  for (std::string_view a : argv) PutBulk(out, a);
}

void FsyncDir(const std::string& dir) {
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

// The manifest as Redis writes it: a temp file, fsync, rename, fsync of the directory.
bool WriteManifest(const std::string& dir, const std::string& appendfilename,
                   const std::string& text) {
  if (!WriteWhole(dir + "/" + appendfilename + ".manifest", text)) return false;
  FsyncDir(dir);
  return true;
}

uint64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

int64_t SteadyUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The base in RESP (aof-use-rdb-preamble no): the function libraries as FUNCTION LOAD, then
// per database a SELECT and each key as the one command that recreates it with its absolute
// expiry: SET for strings, RL.SETSTATE for limiters (as the journal writes them), RESTORE
// ... ABSTTL REPLACE with the DUMP payload for the collections.
bool WriteRespBase(Engine& engine, int fd, int64_t now_ms) {
  std::string out;
  bool ok = true;
  for (const std::string& code : FunctionLibraryCodes(engine)) {
    PutCommand(&out, {"FUNCTION", "LOAD", code});
  }
  std::string payload, when;
  std::vector<std::string_view> argv;
  for (int i = 0; i < engine.keyspace.count() && ok; ++i) {
    Db& db = engine.keyspace.db(i);
    if (db.size() == 0) continue;
    const std::string index = std::to_string(i);
    PutCommand(&out, {"SELECT", index});
    uint64_t cursor = 0;
    do {
      cursor = db.Scan(cursor, now_ms, [&](Entry* e) {
        if (!ok) return;
        when = e->has_expire() ? std::to_string(e->expire_ms()) : std::string();
        payload.clear();
        if (e->type() == ValueType::kString) {
          argv = {"SET", e->key(), e->value()};
        } else if (e->type() == ValueType::kRateLimit) {
          LimiterState(*e, &payload);
          argv = {"RL.SETSTATE", e->key(), payload};
        } else {
          payload = rdb::DumpPayload(*e);
          argv = {"RESTORE", e->key(), when.empty() ? std::string_view("0") : when, payload,
                  "ABSTTL", "REPLACE"};
        }
        if (!when.empty() && argv[0] != "RESTORE") {
          argv.push_back("PXAT");
          argv.push_back(when);
        }
        PutCommand(&out, argv);
        if (out.size() >= (1 << 16)) {
          ok = WriteAll(fd, out);
          out.clear();
        }
      });
    } while (cursor != 0 && ok);
  }
  return ok && WriteAll(fd, out);
}

// Writes a base file at temp: an RDB snapshot, or RESP commands. fsynced and closed.
bool WriteBaseFile(Engine& engine, const std::string& temp, bool rdb_format, int64_t now_ms) {
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok;
  if (rdb_format) {
    rdb::SetCompression(engine.config.rdbcompression);
    rdb::SaveOptions opts;
    opts.now_ms = now_ms;
    opts.checksum = engine.config.rdbchecksum;
    opts.used_memory = static_cast<uint64_t>(std::max<int64_t>(0, UsedMemoryBytes()));
    opts.functions = FunctionLibraryCodes(engine);
    ok = rdb::WriteSnapshot(engine.keyspace, opts,
                            [&](std::string_view b) { return WriteAll(fd, b); })
             .has_value();
  } else {
    ok = WriteRespBase(engine, fd, now_ms);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok) ::unlink(temp.c_str());
  return ok;
}

std::string RewriteTempName(long pid) { return "temp-rewriteaof-bg-" + std::to_string(pid) + ".aof"; }

}  // namespace

AppendOnlyFile::AppendOnlyFile(Engine& engine) : engine_(engine), expiry_observer_(engine) {}

AppendOnlyFile::~AppendOnlyFile() {
  StopRewrite();
  JoinSwitcher();
  if (fd_ >= 0) {
    Flush();
    ::fdatasync(fd_);
  }
  StopSyncer();
  Uninstall();
  if (fd_ >= 0) ::close(fd_);
}

std::string AppendOnlyFile::Dir() const {
  const std::string dir = engine_.config.dir.empty() ? "." : engine_.config.dir;
  return dir + "/" + engine_.config.appenddirname;
}

void AppendOnlyFile::Install() {
  engine_.journal = this;
  engine_.observers.Set(KeyspaceFanout::kJournal, &expiry_observer_);
}

void AppendOnlyFile::Uninstall() {
  if (engine_.journal == this) engine_.journal = nullptr;
  if (engine_.observers.Get(KeyspaceFanout::kJournal) == &expiry_observer_) {
    engine_.observers.Set(KeyspaceFanout::kJournal, nullptr);
  }
}

std::string AppendOnlyFile::ManifestText() const {
  // Redis's order: the base, the history, the incremental files.
  std::string text;
  auto line = [&](const File& f, char type) {
    text += "file " + f.name + " seq " + std::to_string(f.seq) + " type " + type + "\n";
  };
  if (!base_.name.empty()) line(base_, 'b');
  for (const File& f : history_) line(f, 'h');
  for (const File& f : incrs_) line(f, 'i');
  return text;
}

bool AppendOnlyFile::PersistManifest() {
  JoinSwitcher();  // one manifest writer at a time
  if (!WriteManifest(Dir(), engine_.config.appendfilename, ManifestText())) {
    Log(engine_, 1, std::string("Can't persist the AOF manifest: ") + std::strerror(errno));
    return false;
  }
  return true;
}

void AppendOnlyFile::JoinSwitcher() {
  if (switcher_.joinable()) switcher_.join();
}

bool AppendOnlyFile::ReadManifest(std::string* error, bool* found) {
  const std::string manifest_path = Path(engine_.config.appendfilename + ".manifest");
  std::string manifest;
  *found = false;
  if (!ReadWhole(manifest_path, &manifest)) {
    if (errno != ENOENT) {
      *error = "Can't read the AOF manifest " + manifest_path + ": " + std::strerror(errno);
      return false;
    }
    manifest_known_ = true;
    return true;
  }
  if (manifest.find_first_not_of(" \t\r\n") == std::string::npos) {
    *error = "Found an empty AOF manifest " + manifest_path;
    return false;
  }
  // Lines: "file <name> seq <n> type <b|i|h>".
  base_ = File{};
  incrs_.clear();
  history_.clear();
  size_t at = 0;
  while (at < manifest.size()) {
    size_t end = manifest.find('\n', at);
    if (end == std::string::npos) end = manifest.size();
    std::string_view line(manifest.data() + at, end - at);
    at = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string_view> words;
    for (size_t i = 0; i < line.size();) {
      const size_t sp = line.find(' ', i);
      const size_t stop = sp == std::string_view::npos ? line.size() : sp;
      if (stop > i) words.push_back(line.substr(i, stop - i));
      i = stop + 1;
    }
    std::string_view file, type, seq;
    for (size_t i = 0; i + 1 < words.size(); i += 2) {
      if (words[i] == "file") file = words[i + 1];
      if (words[i] == "type") type = words[i + 1];
      if (words[i] == "seq") seq = words[i + 1];
    }
    File f{std::string(file), 0};
    auto [p, ec] = std::from_chars(seq.data(), seq.data() + seq.size(), f.seq);
    if (file.empty() || file.find('/') != std::string_view::npos || ec != std::errc() ||
        p != seq.data() + seq.size() || (type != "b" && type != "i" && type != "h") ||
        (type == "b" && !base_.name.empty())) {
      *error = "Invalid AOF manifest file format: " + manifest_path;
      return false;
    }
    if (type == "b") {
      base_ = f;
      base_seq_ = std::max(base_seq_, f.seq);
    } else if (type == "i") {
      incrs_.push_back(f);
      incr_seq_ = std::max(incr_seq_, f.seq);
    } else {
      history_.push_back(f);
    }
  }
  *found = true;
  manifest_known_ = true;
  return true;
}

bool AppendOnlyFile::OpenNewIncr(std::string* error) {
  const File f{engine_.config.appendfilename + "." + std::to_string(incr_seq_ + 1) + ".incr.aof",
               incr_seq_ + 1};
  const std::string path = Path(f.name);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "Can't open the append-only file " + path + ": " + std::strerror(errno);
    return false;
  }
  incr_seq_ = f.seq;
  incrs_.push_back(f);
  int old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old = fd_;
    fd_ = fd;
  }
  Retire(old);
  current_db_ = -1;  // the new file starts with a SELECT
  return true;
}

bool AppendOnlyFile::Create(int64_t now_ms, std::string* error) {
  // The first start with the AOF on: the data dump.rdb holds becomes the base.
  if (!LoadSnapshotAtStartup(engine_, now_ms, error)) return false;
  const std::string dir = Dir();
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    *error = "Can't create the append-only directory " + dir + ": " + std::strerror(errno);
    return false;
  }
  const bool rdb_format = engine_.config.aof_use_rdb_preamble;
  const File base{engine_.config.appendfilename + ".1.base." + (rdb_format ? "rdb" : "aof"), 1};
  const std::string temp = Path(base.name + ".tmp");
  const File incr{engine_.config.appendfilename + ".1.incr.aof", 1};
  if (!WriteBaseFile(engine_, temp, rdb_format, now_ms) ||
      ::rename(temp.c_str(), Path(base.name).c_str()) != 0 || !WriteWhole(Path(incr.name), "")) {
    *error = "Can't write the append-only files in " + dir + ": " + std::strerror(errno);
    return false;
  }
  base_ = base;
  base_seq_ = incr_seq_ = 1;
  incrs_ = {incr};
  history_.clear();
  if (!PersistManifest()) {
    *error = "Can't write the AOF manifest in " + dir + ": " + std::strerror(errno);
    return false;
  }
  Log(engine_, 0, "Creating AOF base file " + base.name + " on server start");
  return true;
}

bool AppendOnlyFile::LoadFile(const std::string& path, bool last, std::string* error) {
  std::string data;
  if (!ReadWhole(path, &data)) {
    *error = "Can't open the append-only file " + path + ": " + std::strerror(errno);
    return false;
  }
  if (data.starts_with("REDIS")) {  // an RDB base (aof-use-rdb-preamble)
    rdb::LoadOptions opts;
    opts.now_ms = 0;  // replay keeps every recorded key; expiry happens afterwards
    opts.on_function = [&](std::string_view code, std::string* why) {
      return LoadFunctionLibrary(engine_, code, why);
    };
    rdb::LoadResult r = rdb::LoadSnapshot(engine_.keyspace, data, opts);
    if (!r.ok) *error = "Bad file format reading the append only file " + path + ": " + r.error;
    return r.ok;
  }
  ClientInfo loader;
  loader.authenticated = true;
  std::string sink;
  std::vector<std::string_view> argv;
  size_t pos = 0, good = 0, multi_at = std::string::npos;
  while (pos < data.size()) {
    const int r = ParseCommand(data, &pos, &argv);
    if (r < 0) {
      *error = "Bad file format reading the append only file " + path + " at offset " +
               std::to_string(pos);
      return false;
    }
    if (r == 0) break;
    if (argv.size() == 1 && (argv[0] == "MULTI" || argv[0] == "multi")) multi_at = good;
    if (argv.size() == 1 && (argv[0] == "EXEC" || argv[0] == "exec")) multi_at = std::string::npos;
    sink.clear();
    Dispatch(engine_, loader, argv, &sink, 0);
    good = pos;
  }
  size_t keep = good;
  if (multi_at != std::string::npos) keep = multi_at;  // an unfinished transaction is dropped
  if (keep < data.size()) {
    if (!last || !engine_.config.aof_load_truncated) {
      *error = "Unexpected end of file reading the append only file " + path + " at offset " +
               std::to_string(keep) + " (aof-load-truncated is off or it is not the last file)";
      return false;
    }
    if (::truncate(path.c_str(), static_cast<off_t>(keep)) != 0) {
      *error = "Can't truncate the append-only file " + path + ": " + std::strerror(errno);
      return false;
    }
    Log(engine_, 1, "!!! Warning: short read while loading the AOF file " + path +
                        "!!! AOF loaded anyway because aof-load-truncated is enabled; cut at "
                        "offset " + std::to_string(keep) + " of " + std::to_string(data.size()));
  }
  return true;
}

bool AppendOnlyFile::Start(int64_t now_ms, std::string* error) {
  bool found = false;
  if (!ReadManifest(error, &found)) return false;
  if (!found) {
    if (!Create(now_ms, error)) return false;
  } else {
    engine_.save.lastsave_s = now_ms / 1000;
  }
  engine_.save.loading = true;
  bool ok = base_.name.empty() || LoadFile(Path(base_.name), false, error);
  for (size_t i = 0; ok && i < incrs_.size(); ++i) {
    ok = LoadFile(Path(incrs_[i].name), i + 1 == incrs_.size(), error);
  }
  engine_.save.loading = false;
  if (!ok) return false;
  engine_.dirty_at_last_save = engine_.keyspace.dirty();
  base_is_rdb_ = base_.name.ends_with(".rdb");
  base_size_ = base_.name.empty() ? 0 : FileSize(Path(base_.name));
  current_size_ = base_size_;
  for (const File& f : incrs_) current_size_ += FileSize(Path(f.name));
  rewrite_base_size_ = current_size_;
  if (incrs_.empty()) {
    // A manifest naming only a base (a rewrite made with the AOF off): appending starts in a
    // new incremental file.
    if (!OpenNewIncr(error) || !PersistManifest()) {
      if (error->empty()) *error = "Can't persist the AOF manifest in " + Dir();
      return false;
    }
  } else {
    const std::string tail = Path(incrs_.back().name);
    fd_ = ::open(tail.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      *error = "Can't open the append-only file " + tail + " for appending: " +
               std::strerror(errno);
      return false;
    }
  }
  DeleteHistory();  // left by a crash between a rewrite's two manifest writes
  Log(engine_, 0, "DB loaded from append only file " + Dir());
  state_ = State::kOn;
  if (engine_.config.appendfsync == "everysec") StartSyncer();
  Install();
  return true;
}

bool AppendOnlyFile::Enable(int64_t now_ms, std::string* error) {
  if (state_ != State::kOff) return true;
  bool found = false;
  if (!manifest_known_ && !ReadManifest(error, &found)) return false;
  if (::mkdir(Dir().c_str(), 0755) != 0 && errno != EEXIST) {
    *error = "Can't create the append-only directory " + Dir() + ": " + std::strerror(errno);
    return false;
  }
  // A rewrite begun by BGREWRITEAOF with the AOF off opened no incremental file: start over.
  StopRewrite();
  state_ = State::kWaitRewrite;
  if (engine_.config.appendfsync == "everysec") StartSyncer();
  if (RequestRewrite(now_ms, false) == RewriteStart::kFailed) {
    StopSyncer();
    state_ = State::kOff;
    *error = "Can't start the AOF rewrite that writes the first base (see the log)";
    return false;
  }
  if (engine_.save.aof_rewrite_scheduled) {
    Log(engine_, 0, "AOF was enabled but there is already another background operation. An "
                    "AOF background was scheduled to start when possible.");
  }
  return true;
}

void AppendOnlyFile::Disable() {
  if (state_ == State::kOff) return;
  StopRewrite();
  JoinSwitcher();
  Flush();
  if (fd_ >= 0) ::fdatasync(fd_);
  StopSyncer();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  Uninstall();
  buf_.clear();
  current_db_ = -1;
  state_ = State::kOff;
  engine_.save.aof_rewrite_scheduled = false;
  last_write_ok_ = engine_.save.aof_write_ok = true;
  RefreshDenyWrites(engine_);
  Log(engine_, 0, "Background append only file rewriting and appending stopped (appendonly no)");
}

AppendOnlyFile::RewriteStart AppendOnlyFile::RequestRewrite(int64_t now_ms, bool in_exec) {
  SaveState& st = engine_.save;
  if (st.aof_child_pid > 0) return RewriteStart::kInProgress;
  if (st.child_pid > 0 || in_exec) {
    st.aof_rewrite_scheduled = true;
    return RewriteStart::kScheduled;
  }
  last_rewrite_attempt_ms_ = now_ms;
  auto fail = [&](const std::string& why) {
    Log(engine_, 1, "Can't rewrite append only file in background: " + why);
    st.aof_last_rewrite_ok = false;
    ++st.aof_rewrite_failures;
    if (state_ == State::kWaitRewrite) st.aof_rewrite_scheduled = true;  // tried again
    return RewriteStart::kFailed;
  };
  std::string error;
  bool found = false;
  if (!manifest_known_ && !ReadManifest(&error, &found)) return fail(error);
  if (::mkdir(Dir().c_str(), 0755) != 0 && errno != EEXIST) {
    return fail("mkdir " + Dir() + ": " + std::strerror(errno));
  }
  Flush();
  if (state_ != State::kOff) {
    // From here on every write goes to the new file: the child's base holds everything
    // before it.
    if (!OpenNewIncr(&error)) return fail(error);
    if (state_ == State::kOn && !PersistManifest()) return fail("the manifest");
    fork_incr_ = incrs_.back().name;
  } else {
    fork_incr_.clear();
  }
  fork_rdb_ = engine_.config.aof_use_rdb_preamble;
  const pid_t pid = ::fork();
  if (pid < 0) return fail(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) ::signal(sig, SIG_DFL);
    const std::string temp = Path(RewriteTempName(static_cast<long>(::getpid())));
    const bool ok = WriteBaseFile(engine_, temp, fork_rdb_, now_ms);
    if (!ok) {
      const std::string why = "AOF rewrite: can't write " + temp + ": " + std::strerror(errno) + "\n";
      (void)!::write(2, why.data(), why.size());
    }
    ::_exit(ok ? 0 : 1);
  }
  st.aof_child_pid = pid;
  st.aof_child_start_ms = now_ms;
  st.aof_rewrite_scheduled = false;
  if (state_ == State::kWaitRewrite) Install();
  Log(engine_, 0, "Background append only file rewriting started by pid " + std::to_string(pid));
  return RewriteStart::kStarted;
}

void AppendOnlyFile::StopRewrite() {
  SaveState& st = engine_.save;
  if (st.aof_child_pid <= 0) return;
  Log(engine_, 0, "Killing running AOF rewrite child: " + std::to_string(st.aof_child_pid));
  ::kill(static_cast<pid_t>(st.aof_child_pid), SIGUSR1);
  int status;
  ::waitpid(static_cast<pid_t>(st.aof_child_pid), &status, 0);
  ::unlink(Path(RewriteTempName(static_cast<long>(st.aof_child_pid))).c_str());
  st.aof_child_pid = -1;
}

void AppendOnlyFile::FinishRewrite(int64_t now_ms, bool ok) {
  SaveState& st = engine_.save;
  const std::string temp = Path(RewriteTempName(static_cast<long>(st.aof_child_pid)));
  st.aof_child_pid = -1;
  st.aof_last_rewrite_time_s = (now_ms - st.aof_child_start_ms) / 1000;
  auto fail = [&](const std::string& why) {
    Log(engine_, 1, "Background AOF rewrite terminated with error: " + why);
    ::unlink(temp.c_str());
    st.aof_last_rewrite_ok = false;
    ++st.aof_rewrite_failures;
    if (state_ == State::kWaitRewrite) st.aof_rewrite_scheduled = true;
  };
  if (!ok) return fail("the child failed (see its message above)");
  const int64_t t0 = SteadyUs();
  const File base{engine_.config.appendfilename + "." + std::to_string(base_seq_ + 1) +
                      ".base." + (fork_rdb_ ? "rdb" : "aof"),
                  base_seq_ + 1};
  if (::rename(temp.c_str(), Path(base.name).c_str()) != 0) {
    return fail("rename to " + base.name + ": " + std::strerror(errno));
  }
  // Everything but the file opened at the fork is in the new base.
  if (!base_.name.empty()) history_.push_back(base_);
  std::vector<File> keep;
  for (const File& f : incrs_) (f.name == fork_incr_ ? keep : history_).push_back(f);
  base_ = base;
  base_seq_ = base.seq;
  incrs_ = keep;
  base_is_rdb_ = fork_rdb_;
  if (state_ == State::kWaitRewrite) state_ = State::kOn;
  // The rest waits for the disk, so it runs on a helper thread while the loop serves: until
  // its first manifest write lands the old manifest is the truth, and every file it names
  // (the old base and incremental files, and the one opened at the fork, which takes the
  // writes) is still there; the history is unlinked only once the new manifest is on disk.
  const std::string with_history = ManifestText();
  std::vector<std::string> history;
  for (const File& f : history_) history.push_back(Path(f.name));
  history_.clear();
  JoinSwitcher();
  switching_.store(true, std::memory_order_relaxed);
  switcher_ = std::thread([this, dir = Dir(), name = engine_.config.appendfilename, with_history,
                           without = ManifestText(), history = std::move(history)] {
    FsyncDir(dir);  // the new base's name first
    if (WriteManifest(dir, name, with_history)) {
      for (const std::string& p : history) ::unlink(p.c_str());
      WriteManifest(dir, name, without);
    } else {
      switch_failed_.store(true, std::memory_order_relaxed);
    }
    switching_.store(false, std::memory_order_relaxed);
  });
  st.aof_last_switch_us = SteadyUs() - t0;
  Flush();
  base_size_ = FileSize(Path(base_.name));
  current_size_ = base_size_;
  for (const File& f : incrs_) current_size_ += FileSize(Path(f.name));
  rewrite_base_size_ = current_size_;
  st.aof_last_rewrite_ok = true;
  st.aof_rewrite_failures = 0;
  ++st.aof_rewrites;
  Log(engine_, 0, "Background AOF rewrite finished successfully: base " + base_.name + ", " +
                      std::to_string(base_size_) + " bytes; the loop waited " +
                      std::to_string(st.aof_last_switch_us) + " us to switch it in (the "
                      "manifest is written off the loop)");
}

void AppendOnlyFile::DeleteHistory() {
  if (history_.empty()) return;
  for (const File& f : history_) ::unlink(Path(f.name).c_str());
  history_.clear();
  PersistManifest();
}

void AppendOnlyFile::Append(int db, const std::vector<std::string_view>& argv) {
  if (db != current_db_) {
    char num[12];
    auto [end, ec] = std::to_chars(num, num + sizeof(num), db);
    (void)ec;
    buf_.append("*2\r\n");
    PutBulk(&buf_, "SELECT");
    PutBulk(&buf_, std::string_view(num, static_cast<size_t>(end - num)));
    current_db_ = db;
  }
  PutCommand(&buf_, argv);
}

bool AppendOnlyFile::Flush() {
  if (buf_.empty() || fd_ < 0) return true;
  const bool always = engine_.config.appendfsync == "always";
  size_t done = 0;
  while (done < buf_.size()) {
    const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = n < 0 ? std::strerror(errno) : "short write";
      if (always) {
        // The iteration's replies must not leave, and the writes cannot be taken back.
        Log(engine_, 1, "Error writing to the AOF file: " + why + ". Can't recover from AOF "
                        "write error when the AOF fsync policy is 'always'. Exiting...");
        ::_exit(1);
      }
      if (last_write_ok_) Log(engine_, 1, "Error writing to the AOF file: " + why);
      last_write_ok_ = engine_.save.aof_write_ok = false;
      engine_.save.aof_write_error = std::string(err::kAofWriteErrorPrefix) + why;
      RefreshDenyWrites(engine_);
      buf_.erase(0, done);
      current_size_ += done;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  current_size_ += buf_.size();
  buf_.clear();
  if (always) {
    const int64_t t0 = SteadyUs();
    if (::fdatasync(fd_) != 0) {
      Log(engine_, 1, std::string("Can't persist AOF for fsync error when the AOF fsync policy "
                                  "is 'always': ") + std::strerror(errno) + ". Exiting...");
      ::_exit(1);
    }
    fsyncs_.fetch_add(1, std::memory_order_relaxed);
    fsync_us_.fetch_add(static_cast<uint64_t>(SteadyUs() - t0), std::memory_order_relaxed);
  }
  if (!last_write_ok_) {
    Log(engine_, 0, "AOF write error looks solved, Redis can write again.");
    last_write_ok_ = engine_.save.aof_write_ok = true;
    RefreshDenyWrites(engine_);
  }
  return true;
}

void AppendOnlyFile::Cron(int64_t now_ms) {
  Flush();
  const Config& cfg = engine_.config;
  if (state_ != State::kOff && cfg.appendfsync == "everysec" && now_ms - last_sync_ms_ >= 1000) {
    last_sync_ms_ = now_ms;
    StartSyncer();  // when appendfsync became everysec at runtime
    {
      std::lock_guard<std::mutex> lock(mu_);
      sync_wanted_ = true;
    }
    cv_.notify_one();
  }
  SaveState& st = engine_.save;
  if (switch_failed_.exchange(false, std::memory_order_relaxed)) {
    Log(engine_, 1, "Can't persist the AOF manifest after a rewrite: the manifest on disk still "
                    "names the previous base (its files are kept)");
    st.aof_last_rewrite_ok = false;
  }
  if (st.aof_child_pid > 0) {
    int status = 0;
    const pid_t r = ::waitpid(static_cast<pid_t>(st.aof_child_pid), &status, WNOHANG);
    if (r == 0) return;  // still writing
    FinishRewrite(now_ms, r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return;
  }
  if (st.child_pid > 0) return;  // a BGSAVE runs: rewrites wait for it
  // After a failure, the next try waits 5 s (Redis's retry delay for a scheduled rewrite).
  const bool may_retry = st.aof_rewrite_failures == 0 || now_ms - last_rewrite_attempt_ms_ >= 5000;
  if (st.aof_rewrite_scheduled) {
    if (may_retry) RequestRewrite(now_ms, false);
    return;
  }
  if (state_ != State::kOn || cfg.auto_aof_rewrite_percentage <= 0 ||
      current_size_ <= cfg.auto_aof_rewrite_min_size) {
    return;
  }
  // After three failures in a row automatic rewrites wait a minute between tries.
  if (st.aof_rewrite_failures >= 3 && now_ms - last_rewrite_attempt_ms_ < 60000) return;
  if (!may_retry) return;
  const uint64_t base = rewrite_base_size_ != 0 ? rewrite_base_size_ : 1;
  const int64_t growth = static_cast<int64_t>(current_size_ * 100 / base) - 100;
  if (growth >= cfg.auto_aof_rewrite_percentage) {
    Log(engine_, 0, "Starting automatic rewriting of AOF on " + std::to_string(growth) +
                        "% growth");
    RequestRewrite(now_ms, false);
  }
}

void AppendOnlyFile::StartSyncer() {
  if (syncer_.joinable()) return;
  stop_ = false;
  syncer_ = std::thread([this] { SyncLoop(); });
}

void AppendOnlyFile::StopSyncer() {
  if (!syncer_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  syncer_.join();
}

void AppendOnlyFile::Retire(int fd) {
  if (fd < 0) return;
  if (!syncer_.joinable()) {
    // No helper: with always it is synced already, with no it never is; everysec before its
    // helper started (set at runtime) syncs it here, once.
    if (engine_.config.appendfsync == "everysec") ::fdatasync(fd);
    ::close(fd);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    retired_.push_back(fd);
  }
  cv_.notify_one();
}

void AppendOnlyFile::SyncLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return sync_wanted_ || stop_ || !retired_.empty(); });
    std::vector<int> retired;
    retired.swap(retired_);
    const bool sync = sync_wanted_;
    const bool stop = stop_;
    sync_wanted_ = false;
    // Only this thread closes a retired fd, so fd stays open while it is synced here.
    const int fd = fd_;
    lock.unlock();
    for (int r : retired) {
      ::fdatasync(r);
      ::close(r);
    }
    if (sync && fd >= 0) {
      const int64_t t0 = SteadyUs();
      ::fdatasync(fd);
      fsyncs_.fetch_add(1, std::memory_order_relaxed);
      fsync_us_.fetch_add(static_cast<uint64_t>(SteadyUs() - t0), std::memory_order_relaxed);
    }
    lock.lock();
    if (stop) return;
  }
}

}  // namespace firn
