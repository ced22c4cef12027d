// firn-server [CONFIG.toml] [--name value ...] [--help] [--version] [--check-config]
#include <cstdio>
#include <exception>

#include "conf/config.h"
#include "server/log.h"
#include "server/server.h"
#include "server/version.h"

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
  try {
    Server server(cl);
    Log(LogLevel::kInfo, "Firn %s starting (redis compatible %s), config %s", kFirnVersion,
        kRedisVersion, cl.config.config_file.empty() ? "(none: defaults)" : cl.config.config_file.c_str());
    server.Listen();
    Log(LogLevel::kInfo, "Ready to accept connections");
    return server.Run();
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "%s", e.what());
    return 1;
  }
}
