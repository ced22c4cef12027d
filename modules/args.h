// Argument parsing shared by every command family, so each number format is parsed one way.
//
// Numbers follow Redis exactly: integers as string2ll (optional '-', no '+', no spaces, no
// leading zeroes, within int64), floats as strtold over the whole string with no spaces and no
// NaN. Handlers walk their arguments with an ArgParser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "protocol/errors.h"
#include "protocol/numbers.h"

namespace firn {

bool ParseLongDouble(std::string_view s, long double* out);
bool ParseDouble(std::string_view s, double* out);
bool EqualsNoCase(std::string_view a, std::string_view b);

// The one argument parser of every command family, after Dragonfly's CmdArgParser. A handler
// walks its arguments left to right, and the first failure is kept, so it checks once and
// replies once:
//
//   ArgParser args(ctx.argv, 2);                      // argv[2] onwards
//   int64_t count = 10;
//   while (args.HasNext()) {
//     if (args.Option("COUNT", &count)) continue;     // "COUNT <int>"
//     if (args.Flag("NX")) { nx = true; continue; }   // a bare word, any case
//     args.Fail(err::kSyntax);
//   }
//   if (!args.Ok()) return ctx.Error(args.ErrorText());
//
// After a failure every read returns a zero value and consumes nothing, so the loop above ends.
// Next<T>() reads one argument as T: std::string_view (as is), int64_t (string2ll: Redis's
// "value is not an integer or out of range"), double or long double (Redis's "value is not a
// valid float"); Next<T>(text) fails with a command's own text instead. A missing argument is
// "syntax error". Parse<T>(s) converts a string already taken (an argument whose number Redis
// checks after the options) by the same rules.
//
// The parser holds a reference to argv and allocates nothing unless an error text is built.
class ArgParser {
 public:
  ArgParser(const std::vector<std::string_view>& argv, size_t start) : argv_(argv), pos_(start) {}

  bool HasNext() const { return ok_ && pos_ < argv_.size(); }
  size_t Remaining() const { return HasNext() ? argv_.size() - pos_ : 0; }
  // The next argument, not consumed. REQUIRES: HasNext().
  std::string_view Peek() const { return argv_[pos_]; }
  // Index in argv of the next argument.
  size_t Position() const { return pos_; }

  template <typename T = std::string_view>
  T Next() {
    return Next<T>(DefaultError<T>());
  }
  // The same, failing with error_text when the argument does not parse as T (a missing
  // argument is still a syntax error).
  template <typename T>
  T Next(std::string_view error_text) {
    if (!HasNext()) {
      Fail(err::kSyntax);
      return T{};
    }
    return Parse<T>(argv_[pos_++], error_text);
  }

  template <typename T>
  T Parse(std::string_view s) {
    return Parse<T>(s, DefaultError<T>());
  }
  template <typename T>
  T Parse(std::string_view s, std::string_view error_text) {
    if (!ok_) return T{};
    T v{};
    bool parsed = true;
    if constexpr (std::is_same_v<T, std::string_view>) {
      v = s;
    } else if constexpr (std::is_same_v<T, int64_t>) {
      parsed = ParseInt64(s, &v);
    } else if constexpr (std::is_same_v<T, double>) {
      parsed = ParseDouble(s, &v);
    } else {
      static_assert(std::is_same_v<T, long double>,
                    "ArgParser reads string_view, int64_t, double and long double");
      parsed = ParseLongDouble(s, &v);
    }
    if (!parsed) {
      Fail(error_text);
      return T{};
    }
    return v;
  }

  // Consumes the next argument if it equals name, ignoring case.
  bool Flag(std::string_view name) {
    if (!HasNext() || !EqualsNoCase(argv_[pos_], name)) return false;
    ++pos_;
    return true;
  }
  // The index in names of the next argument (any case), or -1; nothing is consumed.
  int PeekOneOf(std::initializer_list<std::string_view> names) const {
    if (!HasNext()) return -1;
    int i = 0;
    for (std::string_view name : names) {
      if (EqualsNoCase(argv_[pos_], name)) return i;
      ++i;
    }
    return -1;
  }
  // The same, consuming the argument when it is one of names.
  int OneOf(std::initializer_list<std::string_view> names) {
    const int i = PeekOneOf(names);
    if (i >= 0) ++pos_;
    return i;
  }
  // "name value": when the next argument is name, consumes it and reads the value into *out
  // with Next<T>() (a missing value is a syntax error); returns whether name was there.
  template <typename T>
  bool Option(std::string_view name, T* out) {
    if (!Flag(name)) return false;
    *out = Next<T>();
    return true;
  }
  // The same when the value must be present to count as the option: "name" as the last
  // argument is left unconsumed, so the caller treats it as an unknown word (Redis's
  // `moreargs` checks).
  template <typename T>
  bool OptionWithValue(std::string_view name, T* out) {
    if (Remaining() < 2 || !EqualsNoCase(argv_[pos_], name)) return false;
    ++pos_;
    *out = Next<T>();
    return true;
  }
  // Compatibility form: *missing is set when name is present but its value is not.
  bool Option(std::string_view name, std::string_view* value, bool* missing) {
    if (!Flag(name)) return false;
    if (!HasNext()) {
      *missing = true;
      return true;
    }
    *value = argv_[pos_++];
    return true;
  }

  // Records an error unless one is already kept; the parser then reads nothing more.
  void Fail(std::string_view text) {
    if (!ok_) return;
    ok_ = false;
    error_ = text;
  }
  // The same for a text built at run time (one naming the command, say).
  void FailOwned(std::string text) {
    if (!ok_) return;
    owned_error_ = std::move(text);
    Fail(std::string_view(owned_error_));
  }
  // Fails with "syntax error" when arguments are left over.
  void ExpectEnd() {
    if (HasNext()) Fail(err::kSyntax);
  }

  bool Ok() const { return ok_; }
  // REQUIRES: !Ok().
  std::string_view ErrorText() const { return error_; }

  // Legacy names (ArgCursor): Done() is !HasNext().
  bool Done() const { return !HasNext(); }

 private:
  template <typename T>
  static constexpr std::string_view DefaultError() {
    if constexpr (std::is_same_v<T, int64_t>) {
      return err::kNotInteger;
    } else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, long double>) {
      return err::kNotFloat;
    } else {
      return err::kSyntax;
    }
  }

  const std::vector<std::string_view>& argv_;
  size_t pos_;
  bool ok_ = true;
  std::string_view error_;
  std::string owned_error_;
};

// The former name of ArgParser.
using ArgCursor = ArgParser;

}  // namespace firn
