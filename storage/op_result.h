// OpStatus and OpResult<T>: how a storage operation says what happened, without exceptions.
//
// Storage never formats an error: it returns a status, and the command family turns it into
// Redis's text with ErrorText (modules/common.h), so each text is written once, in
// protocol/errors.h. An OpResult<T> holds a value exactly when its status is kOk.
#pragma once

#include <cassert>
#include <utility>

namespace firn {

enum class OpStatus : uint8_t {
  kOk = 0,
  kNotFound,     // no such key (or member): usually not an error, the handler decides
  kWrongType,    // the key holds another type: WRONGTYPE
  kSyntax,       // ERR syntax error
  kNotInteger,   // ERR value is not an integer or out of range
  kNotFloat,     // ERR value is not a valid float
  kOverflow,     // ERR increment or decrement would overflow
  kOutOfRange,   // ERR index out of range / offset is out of range (the handler's text)
  kTooLarge,     // the result would exceed proto-max-bulk-len
  kSkipped,      // a condition (NX, XX, GT...) was not met; nothing changed
};

template <typename T>
class OpResult {
 public:
  OpResult(T value) : value_(std::move(value)), status_(OpStatus::kOk) {}  // NOLINT: implicit
  OpResult(OpStatus status) : value_(), status_(status) { assert(status != OpStatus::kOk); }  // NOLINT

  bool ok() const { return status_ == OpStatus::kOk; }
  OpStatus status() const { return status_; }
  // REQUIRES: ok().
  T& value() { return value_; }
  const T& value() const { return value_; }
  T& operator*() { return value_; }
  T* operator->() { return &value_; }

 private:
  T value_;
  OpStatus status_;
};

}  // namespace firn
