// Argument parsing shared by every command family, so each number format is parsed one way.
//
// Numbers follow Redis exactly: integers as string2ll (optional '-', no '+', no spaces, no
// leading zeroes, within int64), floats as strtold over the whole string with no spaces and no
// NaN. Handlers walk their optional arguments with an ArgCursor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/numbers.h"

namespace firn {

bool ParseLongDouble(std::string_view s, long double* out);
bool ParseDouble(std::string_view s, double* out);
bool EqualsNoCase(std::string_view a, std::string_view b);

// Reads optional arguments left to right: `while (!cur.Done()) { if (cur.Flag("NX")) ...; }`.
class ArgCursor {
 public:
  ArgCursor(const std::vector<std::string_view>& argv, size_t start) : argv_(argv), pos_(start) {}

  bool Done() const { return pos_ >= argv_.size(); }
  size_t Remaining() const { return Done() ? 0 : argv_.size() - pos_; }
  std::string_view Peek() const { return argv_[pos_]; }
  std::string_view Next() { return argv_[pos_++]; }
  // Consumes the next argument if it equals name, ignoring case.
  bool Flag(std::string_view name) {
    if (Done() || !EqualsNoCase(argv_[pos_], name)) return false;
    ++pos_;
    return true;
  }
  // Consumes "name value" and stores the value; false if the next argument is not name.
  // *missing is set when name is present but its value is not.
  bool Option(std::string_view name, std::string_view* value, bool* missing) {
    if (!Flag(name)) return false;
    if (Done()) {
      *missing = true;
      return true;
    }
    *value = Next();
    return true;
  }

 private:
  const std::vector<std::string_view>& argv_;
  size_t pos_;
};

}  // namespace firn
