// Fuzz target: loading an append-only file (modules/aof.h) at start: the manifest, an RDB
// base and an incremental file of RESP commands, replayed through the command path.
//
// The loader reads files, so the input is written to a private temporary directory first:
// [2 bytes: manifest length][2 bytes: base length][manifest][base][incremental file]. A
// manifest length of 0 stands for the manifest Redis writes (naming the base only when one is
// given). Commands that would save, fork, stop the process or run scripts are renamed away
// (rename-command) before loading, so a replayed record cannot reach them.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "conf/config.h"
#include "modules/aof.h"
#include "modules/engine.h"
#include "tests/fuzz/common/resp_check.h"

namespace fs = std::filesystem;
using firn::fuzz::Require;

namespace {

int64_t FakeClockUs() { return 0; }

// Made once, removed at exit (the string is never destroyed, so the exit handler can use it).
const std::string& TempDir() {
  static const std::string* dir = [] {
    auto* t = new std::string((fs::temp_directory_path() / "firn-fuzz-aof-XXXXXX").string());
    Require(mkdtemp(t->data()) != nullptr);
    return t;
  }();
  static const bool cleanup = [] { return std::atexit([] { fs::remove_all(*dir); }) == 0; }();
  (void)cleanup;
  return *dir;
}

void WriteFile(const fs::path& path, std::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const size_t manifest_len = (data[0] | (data[1] << 8)) % 1024;
  const size_t base_len = data[2] | (data[3] << 8);
  std::string_view rest(reinterpret_cast<const char*>(data) + 4, size - 4);
  if (manifest_len + base_len > rest.size()) return 0;
  std::string manifest(rest.substr(0, manifest_len));
  const std::string_view base = rest.substr(manifest_len, base_len);
  const std::string_view incr = rest.substr(manifest_len + base_len);

  const fs::path dir = fs::path(TempDir()) / "aof";
  fs::remove_all(dir);
  fs::create_directories(dir);
  if (manifest.empty()) {
    if (!base.empty()) manifest = "file a.aof.1.base.rdb seq 1 type b\n";
    manifest += "file a.aof.1.incr.aof seq 1 type i\n";
  }
  WriteFile(dir / "a.aof.manifest", manifest);
  if (!base.empty()) WriteFile(dir / "a.aof.1.base.rdb", base);
  WriteFile(dir / "a.aof.1.incr.aof", incr);

  firn::Config config;
  config.dir = TempDir();
  config.appendonly = true;
  config.appendfilename = "a.aof";
  config.appenddirname = "aof";
  config.appendfsync = "no";
  firn::Engine engine(std::move(config));
  engine.clock_us = FakeClockUs;
  static const char* const kRemoved[] = {
      "save",     "bgsave",   "bgrewriteaof", "shutdown",  "debug",   "migrate", "eval",
      "evalsha",  "eval_ro",  "evalsha_ro",   "fcall",     "fcall_ro", "function", "replicaof",
      "slaveof",  "failover", "sync",         "psync",     "monitor", "config",  "acl"};
  std::vector<std::string> renames;
  for (const char* name : kRemoved) {
    if (engine.commands.Find(name) == nullptr) continue;
    renames.emplace_back(name);
    renames.emplace_back("");
  }
  Require(engine.commands.Rename(renames).empty());
  std::string error;
  {
    firn::AppendOnlyFile aof(engine);
    if (aof.Start(1700000000000, &error)) {
      Require(error.empty());
      // Loaded: what was replayed can be appended to and flushed.
      Require(aof.Flush());
    } else {
      Require(!error.empty());
    }
    engine.journal = nullptr;
  }
  return 0;
}
