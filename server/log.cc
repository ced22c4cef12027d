#include "server/log.h"

#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace firn {
namespace {

LogLevel g_level = LogLevel::kInfo;
FILE* g_out = nullptr;

char LevelMark(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return '.';
    case LogLevel::kInfo: return '*';
    case LogLevel::kWarning: return '#';
    case LogLevel::kError: return '!';
  }
  return '*';
}

}  // namespace

bool InitLog(LogLevel level, const std::string& file) {
  g_level = level;
  if (g_out != nullptr && g_out != stderr) std::fclose(g_out);
  g_out = stderr;
  if (file.empty()) return true;
  FILE* f = std::fopen(file.c_str(), "a");
  if (f == nullptr) return false;
  g_out = f;
  return true;
}

void SetLogLevel(LogLevel level) { g_level = level; }
LogLevel CurrentLogLevel() { return g_level; }

void Log(LogLevel level, const char* fmt, ...) {
  if (level < g_level) return;
  FILE* out = g_out != nullptr ? g_out : stderr;
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
  std::fprintf(out, "%d:M %s %c %s\n", static_cast<int>(getpid()), stamp, LevelMark(level), message);
  std::fflush(out);
}

}  // namespace firn
