// Fuzz target: RESTORE payloads, i.e. the RDB object decoder (storage/rdb.h).
//
// The input is one object ([type byte][payload]). It goes through the structure walker
// (ObjectLength) and the decoder (DecodeEntry, the TypeOps rows); whatever decodes must be
// exactly what the walker measured, must DUMP again, and that DUMP must decode to an entry
// that DUMPs to the same bytes (one round trip reaches a fixed point). The same bytes are
// also wrapped as a DUMP payload with a correct trailer and checked by VerifyDumpPayload.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/entry.h"
#include "storage/rdb.h"
#include "tests/fuzz/common/resp_check.h"

using firn::fuzz::Require;
namespace rdb = firn::rdb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view object(reinterpret_cast<const char*>(data), size);
  const std::optional<size_t> length = rdb::ObjectLength(object);
  if (length) Require(*length <= object.size());

  // The payload RESTORE would be given: object, version, CRC64 of both.
  std::string payload(object);
  payload.push_back(static_cast<char>(rdb::kVersion & 0xff));
  payload.push_back(static_cast<char>(rdb::kVersion >> 8));
  const uint64_t crc = rdb::Crc64(0, payload);
  for (int i = 0; i < 8; ++i) payload.push_back(static_cast<char>(crc >> (8 * i)));
  const std::optional<std::string_view> verified = rdb::VerifyDumpPayload(payload);
  Require(verified.has_value() && *verified == object);
  payload.back() ^= 1;
  Require(!rdb::VerifyDumpPayload(payload).has_value());

  firn::Entry* e = rdb::DecodeEntry("key", object, firn::Entry::kNoExpire);
  if (e == nullptr) return 0;
  Require(length.has_value() && *length == object.size());
  const std::string dumped = rdb::DumpPayload(*e);
  firn::Entry::Free(e);
  const std::optional<std::string_view> again = rdb::VerifyDumpPayload(dumped);
  Require(again.has_value());
  firn::Entry* e2 = rdb::DecodeEntry("key", *again, firn::Entry::kNoExpire);
  Require(e2 != nullptr);
  Require(rdb::DumpPayload(*e2) == dumped);
  firn::Entry::Free(e2);
  return 0;
}
