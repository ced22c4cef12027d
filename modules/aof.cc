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
#include "modules/aof.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "modules/client.h"
#include "modules/dispatch.h"
#include "modules/engine.h"
#include "modules/functions.h"
#include "modules/persist.h"
#include "storage/memory.h"
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

bool WriteWhole(const std::string& path, std::string_view data) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = true;
  while (ok && !data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) data.remove_prefix(static_cast<size_t>(n));
  }
  ok = ok && ::fsync(fd) == 0;
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

}  // namespace

AppendOnlyFile::AppendOnlyFile(Engine& engine) : engine_(engine) {}

AppendOnlyFile::~AppendOnlyFile() {
  if (syncer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    syncer_.join();
  }
  if (engine_.journal == this) engine_.journal = nullptr;
  if (fd_ >= 0) {
    Flush();
    ::fsync(fd_);
    ::close(fd_);
  }
}

std::string AppendOnlyFile::Dir() const {
  const std::string dir = engine_.config.dir.empty() ? "." : engine_.config.dir;
  return dir + "/" + engine_.config.appenddirname;
}

bool AppendOnlyFile::Create(int64_t now_ms, std::string* error) {
  // The first start with the AOF on: the data dump.rdb holds becomes the base.
  if (!LoadSnapshotAtStartup(engine_, now_ms, error)) return false;
  const std::string dir = Dir();
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    *error = "Can't create the append-only directory " + dir + ": " + std::strerror(errno);
    return false;
  }
  const std::string name = engine_.config.appendfilename;
  std::string base;
  rdb::SetCompression(engine_.config.rdbcompression);
  rdb::SaveOptions opts;
  opts.now_ms = now_ms;
  opts.checksum = engine_.config.rdbchecksum;
  opts.functions = FunctionLibraryCodes(engine_);
  rdb::WriteSnapshot(engine_.keyspace, opts, [&](std::string_view b) {
    base.append(b);
    return true;
  });
  const std::string manifest = "file " + name + ".1.base.rdb seq 1 type b\n" + "file " + name +
                               ".1.incr.aof seq 1 type i\n";
  if (!WriteWhole(dir + "/" + name + ".1.base.rdb", base) ||
      !WriteWhole(dir + "/" + name + ".1.incr.aof", "") ||
      !WriteWhole(dir + "/" + name + ".manifest", manifest)) {
    *error = "Can't write the append-only files in " + dir + ": " + std::strerror(errno);
    return false;
  }
  Log(engine_, 0, "Creating AOF base file " + name + ".1.base.rdb on server start");
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
  const std::string dir = Dir();
  const std::string manifest_path = dir + "/" + engine_.config.appendfilename + ".manifest";
  std::string manifest;
  if (!ReadWhole(manifest_path, &manifest)) {
    if (errno != ENOENT) {
      *error = "Can't read the AOF manifest " + manifest_path + ": " + std::strerror(errno);
      return false;
    }
    if (!Create(now_ms, error)) return false;
    ReadWhole(manifest_path, &manifest);
  } else {
    engine_.save.lastsave_s = now_ms / 1000;
  }
  // Lines: "file <name> seq <n> type <b|i|h>".
  std::string base;
  std::vector<std::string> incr;
  size_t at = 0;
  while (at < manifest.size()) {
    size_t end = manifest.find('\n', at);
    if (end == std::string::npos) end = manifest.size();
    std::string_view line(manifest.data() + at, end - at);
    at = end + 1;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string_view> words;
    for (size_t i = 0; i < line.size();) {
      const size_t sp = line.find(' ', i);
      const size_t stop = sp == std::string_view::npos ? line.size() : sp;
      if (stop > i) words.push_back(line.substr(i, stop - i));
      i = stop + 1;
    }
    std::string_view file, type;
    for (size_t i = 0; i + 1 < words.size(); i += 2) {
      if (words[i] == "file") file = words[i + 1];
      if (words[i] == "type") type = words[i + 1];
    }
    if (file.empty() || type.empty() || file.find('/') != std::string_view::npos) {
      *error = "Invalid AOF manifest file format: " + manifest_path;
      return false;
    }
    if (type == "b") base = std::string(file);
    if (type == "i") incr.emplace_back(file);
  }
  if (incr.empty()) {
    *error = "The AOF manifest " + manifest_path + " names no incremental file";
    return false;
  }
  engine_.save.loading = true;
  bool ok = base.empty() || LoadFile(dir + "/" + base, false, error);
  for (size_t i = 0; ok && i < incr.size(); ++i) {
    ok = LoadFile(dir + "/" + incr[i], i + 1 == incr.size(), error);
  }
  engine_.save.loading = false;
  if (!ok) return false;
  engine_.dirty_at_last_save = engine_.keyspace.dirty();
  const std::string tail = dir + "/" + incr.back();
  fd_ = ::open(tail.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    *error = "Can't open the append-only file " + tail + " for appending: " + std::strerror(errno);
    return false;
  }
  Log(engine_, 0, "DB loaded from append only file " + dir);
  if (engine_.config.appendfsync == "everysec") syncer_ = std::thread([this] { SyncLoop(); });
  engine_.journal = this;
  return true;
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
  char num[24];
  auto [end, ec] = std::to_chars(num, num + sizeof(num), argv.size());
  (void)ec;
  buf_.push_back('*');
  buf_.append(num, end);
  buf_.append("\r\n");
  for (std::string_view a : argv) PutBulk(&buf_, a);
}

bool AppendOnlyFile::Flush() {
  if (buf_.empty() || fd_ < 0) return true;
  size_t done = 0;
  while (done < buf_.size()) {
    const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (last_write_ok_) Log(engine_, 1, std::string("Error writing to the AOF file: ") +
                                              std::strerror(errno));
      last_write_ok_ = engine_.save.aof_write_ok = false;
      buf_.erase(0, done);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  buf_.clear();
  if (engine_.config.appendfsync == "always" && ::fdatasync(fd_) != 0) {
    last_write_ok_ = engine_.save.aof_write_ok = false;
    return false;
  }
  last_write_ok_ = engine_.save.aof_write_ok = true;
  return true;
}

void AppendOnlyFile::Cron(int64_t now_ms) {
  Flush();
  if (!syncer_.joinable() || now_ms - last_sync_ms_ < 1000) return;
  last_sync_ms_ = now_ms;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sync_wanted_ = true;
  }
  cv_.notify_one();
}

void AppendOnlyFile::SyncLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return sync_wanted_ || stop_; });
    if (stop_) return;
    sync_wanted_ = false;
    const int fd = fd_;
    lock.unlock();
    ::fdatasync(fd);
    lock.lock();
  }
}

}  // namespace firn
