#include "server/log.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TempPath(const char* tag) {
  return "/tmp/firn-log-test-" + std::to_string(getpid()) + "-" + tag + ".log";
}

}  // namespace

TEST_CASE("log lines carry pid, timestamp and level mark, one per event", "[log]") {
  const std::string path = TempPath("format");
  std::remove(path.c_str());
  REQUIRE(firn::InitLog(firn::LogLevel::kDebug, path));
  firn::Log(firn::LogLevel::kDebug, "debug %d", 1);
  firn::Log(firn::LogLevel::kInfo, "info");
  firn::Log(firn::LogLevel::kWarning, "two\nlines");
  firn::Log(firn::LogLevel::kError, "error");
  firn::InitLog(firn::LogLevel::kInfo, "");
  const std::string text = ReadFile(path);
  std::remove(path.c_str());
  const std::regex line(R"(\d+:M \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} [.*#!] .*)");
  std::istringstream lines(text);
  std::string l;
  int n = 0;
  const char marks[] = {'.', '*', '#', '!'};
  while (std::getline(lines, l)) {
    INFO(l);
    CHECK(std::regex_match(l, line));
    CHECK(l[l.find(".") + 5] == marks[n]);
    ++n;
  }
  CHECK(n == 4);
  CHECK(text.find("two lines") != std::string::npos);
}

TEST_CASE("lines below the level are dropped and the level can change", "[log]") {
  const std::string path = TempPath("level");
  std::remove(path.c_str());
  REQUIRE(firn::InitLog(firn::LogLevel::kWarning, path));
  firn::Log(firn::LogLevel::kInfo, "hidden");
  firn::Log(firn::LogLevel::kWarning, "shown");
  firn::SetLogLevel(firn::LogLevel::kDebug);
  CHECK(firn::CurrentLogLevel() == firn::LogLevel::kDebug);
  firn::Log(firn::LogLevel::kDebug, "now shown");
  firn::InitLog(firn::LogLevel::kInfo, "");
  const std::string text = ReadFile(path);
  std::remove(path.c_str());
  CHECK(text.find("hidden") == std::string::npos);
  CHECK(text.find("# shown") != std::string::npos);
  CHECK(text.find(". now shown") != std::string::npos);
}

TEST_CASE("ReopenLog starts a new file after the old one was moved away", "[log]") {
  const std::string path = TempPath("reopen");
  const std::string rotated = path + ".1";
  std::remove(path.c_str());
  std::remove(rotated.c_str());
  REQUIRE(firn::InitLog(firn::LogLevel::kInfo, path));
  CHECK(firn::LogDestination() == path);
  firn::Log(firn::LogLevel::kInfo, "before");
  REQUIRE(std::rename(path.c_str(), rotated.c_str()) == 0);
  CHECK(firn::ReopenLog());
  firn::Log(firn::LogLevel::kInfo, "after");
  firn::InitLog(firn::LogLevel::kInfo, "");
  CHECK(ReadFile(rotated).find("before") != std::string::npos);
  CHECK(ReadFile(path).find("after") != std::string::npos);
  CHECK(ReadFile(path).find("before") == std::string::npos);
  std::remove(path.c_str());
  std::remove(rotated.c_str());
}

TEST_CASE("an unopenable log file is refused and stderr kept", "[log]") {
  CHECK_FALSE(firn::InitLog(firn::LogLevel::kInfo, "/nonexistent-dir/x.log"));
  CHECK(firn::LogDestination() == "stderr");
}
