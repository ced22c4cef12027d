#include "server/log.h"

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace firn {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::mutex g_mu;  // guards the destination and serializes lines
FILE* g_out = nullptr;
std::string g_path;
bool g_journal = false;

char LevelMark(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return '.';
    case LogLevel::kInfo: return '*';
    case LogLevel::kWarning: return '#';
    case LogLevel::kError: return '!';
  }
  return '*';
}

// syslog priorities: debug 7, info 6, warning 4, error 3.
int SyslogPriority(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return 7;
    case LogLevel::kInfo: return 6;
    case LogLevel::kWarning: return 4;
    case LogLevel::kError: return 3;
  }
  return 6;
}

// True when stderr is the stream systemd connected to the journal ("dev:inode" in
// JOURNAL_STREAM matches stderr's).
bool StderrIsJournal() {
  const char* js = std::getenv("JOURNAL_STREAM");
  if (js == nullptr) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st;
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev &&
         static_cast<unsigned long long>(st.st_ino) == ino;
}

}  // namespace

bool InitLog(LogLevel level, const std::string& file) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_level = level;
  if (g_out != nullptr && g_out != stderr) std::fclose(g_out);
  g_out = stderr;
  g_path.clear();
  g_journal = file.empty() && StderrIsJournal();
  if (file.empty()) return true;
  FILE* f = std::fopen(file.c_str(), "a");
  if (f == nullptr) return false;
  g_out = f;
  g_path = file;
  return true;
}

bool ReopenLog() {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_path.empty()) return true;
  FILE* f = std::fopen(g_path.c_str(), "a");
  if (f == nullptr) return false;
  if (g_out != nullptr && g_out != stderr) std::fclose(g_out);
  g_out = f;
  return true;
}

void SetLogLevel(LogLevel level) { g_level = level; }
LogLevel CurrentLogLevel() { return g_level; }

std::string LogDestination() {
  std::lock_guard<std::mutex> lock(g_mu);
  if (!g_path.empty()) return g_path;
  return g_journal ? "the journal (stderr)" : "stderr";
}

void Log(LogLevel level, const char* fmt, ...) {
  if (level < g_level.load(std::memory_order_relaxed)) return;
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  struct tm tm;
  localtime_r(&tv.tv_sec, &tm);
  char stamp[64];
  size_t n = std::strftime(stamp, sizeof(stamp), "%d %b %Y %H:%M:%S", &tm);
  std::snprintf(stamp + n, sizeof(stamp) - n, ".%03d", static_cast<int>(tv.tv_usec / 1000));
  char message[2048];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(message, sizeof(message), fmt, ap);
  va_end(ap);
  // One event, one line: a newline inside the message would split it.
  for (char* p = message; *p != '\0'; ++p) {
    if (*p == '\n' || *p == '\r') *p = ' ';
  }
  std::lock_guard<std::mutex> lock(g_mu);
  FILE* out = g_out != nullptr ? g_out : stderr;
  if (g_journal) {
    std::fprintf(out, "<%d>%d:M %s %c %s\n", SyslogPriority(level), static_cast<int>(getpid()),
                 stamp, LevelMark(level), message);
  } else {
    std::fprintf(out, "%d:M %s %c %s\n", static_cast<int>(getpid()), stamp, LevelMark(level),
                 message);
  }
  std::fflush(out);
}

}  // namespace firn
