// Fuzz target: loading a whole RDB file image (rdb::LoadSnapshot) into an empty keyspace.
//
// Whatever loads must be written again by WriteSnapshot, and that image must load into a
// fresh keyspace with the same number of keys. The CRC64 trailer is fixed up first half of
// the time (chosen by the last byte), so the fuzzer also gets past the checksum.
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/keyspace.h"
#include "storage/rdb.h"
#include "tests/fuzz/common/resp_check.h"

using firn::fuzz::Require;
namespace rdb = firn::rdb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string file(reinterpret_cast<const char*>(data), size);
  if (file.size() >= 9 && (file.back() & 1) == 0) {
    const uint64_t crc = rdb::Crc64(0, std::string_view(file).substr(0, file.size() - 8));
    for (int i = 0; i < 8; ++i) file[file.size() - 8 + i] = static_cast<char>(crc >> (8 * i));
  }
  rdb::LoadOptions options;
  options.now_ms = 1700000000000;
  options.on_function = [](std::string_view, std::string*) { return true; };
  firn::Keyspace keyspace(16);
  const rdb::LoadResult loaded = rdb::LoadSnapshot(keyspace, file, options);
  if (!loaded.ok) {
    Require(!loaded.error.empty());
    return 0;
  }
  std::string image;
  rdb::SaveOptions save;
  save.now_ms = options.now_ms;
  const auto written = rdb::WriteSnapshot(keyspace, save, [&](std::string_view bytes) {
    image.append(bytes);
    return true;
  });
  Require(written.has_value());
  firn::Keyspace again(16);
  const rdb::LoadResult reloaded = rdb::LoadSnapshot(again, image, options);
  Require(reloaded.ok && reloaded.keys_loaded == *written);
  return 0;
}
