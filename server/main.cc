// firn-server [CONFIG.toml] [--name value ...] [--help] [--version] [--check-config]
//
// Exit codes: 0 after a graceful shutdown (SIGTERM, SIGINT, SHUTDOWN) or for --help,
// --version and a good --check-config; 1 for a configuration that does not load, a log file
// that cannot be opened, or a listener that cannot bind (the reason is the last log line).
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <string>

#include "conf/config.h"
#include "server/log.h"
#include "server/server.h"
#include "server/version.h"

namespace {

// Writes the pid file (pidfile setting); returns false if it cannot.
bool WritePidFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  std::fprintf(f, "%d\n", static_cast<int>(getpid()));
  return std::fclose(f) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace firn;
  CommandLine cl;
  try {
    cl = ParseCommandLine(argc, argv);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "firn-server: %s\n", e.what());
    return 1;
  }
  if (cl.help) {
    std::fputs(HelpText().data(), stdout);
    return 0;
  }
  if (cl.version) {
    std::printf("firn-server v=%s (redis compatible %s)\n", kFirnVersion, kRedisVersion);
    return 0;
  }
  if (cl.check_config) {
    std::printf("configuration OK%s%s\n", cl.config.config_file.empty() ? "" : ": ",
                cl.config.config_file.c_str());
    return 0;
  }
  if (!InitLog(cl.config.loglevel, cl.config.logfile)) {
    std::fprintf(stderr, "firn-server: can't open the log file %s\n", cl.config.logfile.c_str());
    return 1;
  }
  const std::string pidfile = cl.config.pidfile;
  int code = 1;
  bool wrote_pidfile = false;
  try {
    Log(LogLevel::kInfo, "Firn %s starting (redis compatible %s), pid %d", kFirnVersion,
        kRedisVersion, static_cast<int>(getpid()));
    Log(LogLevel::kInfo, "Configuration: %s%s",
        cl.config.config_file.empty() ? "defaults (no config file)" : cl.config.config_file.c_str(),
        cl.overrides.empty() ? "" : ", with command-line overrides");
    Log(LogLevel::kInfo, "Logging at level %s to %s",
        std::string(LogLevelName(cl.config.loglevel)).c_str(), LogDestination().c_str());
    Server server(cl);
    server.Listen();
    if (!pidfile.empty()) {
      wrote_pidfile = WritePidFile(pidfile);
      if (!wrote_pidfile) Log(LogLevel::kWarning, "Could not write the pid file %s", pidfile.c_str());
    }
    Log(LogLevel::kInfo, "Ready to accept connections");
    code = server.Run();
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "%s", e.what());
  }
  if (wrote_pidfile) unlink(pidfile.c_str());
  return code;
}
