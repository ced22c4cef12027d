// ArgParser: reads left to right, keeps the first error, and reads nothing after it.
#include "modules/args.h"

#include <catch2/catch.hpp>
#include <string_view>
#include <vector>

#include "protocol/errors.h"

using firn::ArgParser;
namespace err = firn::err;

namespace {

using Argv = std::vector<std::string_view>;

}  // namespace

TEST_CASE("args: Next reads typed arguments in order", "[args]") {
  const Argv argv = {"CMD", "key", "-42", "2.5", "1e3", "word"};
  ArgParser args(argv, 1);
  CHECK(args.Next() == "key");
  CHECK(args.Next<int64_t>() == -42);
  CHECK(args.Next<double>() == 2.5);
  CHECK(args.Next<long double>() == 1000.0L);
  CHECK(args.Remaining() == 1);
  CHECK(args.Peek() == "word");
  CHECK(args.Position() == 5);
  CHECK(args.Next<std::string_view>() == "word");
  CHECK_FALSE(args.HasNext());
  CHECK(args.Ok());
}

TEST_CASE("args: integers follow string2ll", "[args]") {
  for (std::string_view bad :
       {"", "+1", " 1", "1 ", "01", "-0", "1.0", "9223372036854775808", "0x10"}) {
    const Argv argv = {"CMD", bad};
    ArgParser args(argv, 1);
    CHECK(args.Next<int64_t>() == 0);
    CHECK_FALSE(args.Ok());
    CHECK(args.ErrorText() == err::kNotInteger);
  }
  const Argv argv = {"CMD", "-9223372036854775808", "0", "9223372036854775807"};
  ArgParser args(argv, 1);
  CHECK(args.Next<int64_t>() == INT64_MIN);
  CHECK(args.Next<int64_t>() == 0);
  CHECK(args.Next<int64_t>() == INT64_MAX);
  CHECK(args.Ok());
}

TEST_CASE("args: floats refuse NaN, spaces and trailing bytes", "[args]") {
  for (std::string_view bad : {"nan", " 1", "1x", "", "abc"}) {
    const Argv argv = {"CMD", bad};
    ArgParser args(argv, 1);
    args.Next<double>();
    CHECK(args.ErrorText() == err::kNotFloat);
  }
  const Argv argv = {"CMD", "inf", "-1.5e-3"};
  ArgParser args(argv, 1);
  CHECK(args.Next<long double>() > 1e300L);
  CHECK(args.Next<double>() == -1.5e-3);
  CHECK(args.Ok());
}

TEST_CASE("args: the first error is kept and nothing is read after it", "[args]") {
  const Argv argv = {"CMD", "x", "y", "NX"};
  ArgParser args(argv, 1);
  CHECK(args.Next<int64_t>() == 0);
  CHECK(args.Next<double>() == 0);  // a second failure would say "not a valid float"
  CHECK_FALSE(args.Flag("NX"));
  CHECK_FALSE(args.HasNext());
  CHECK(args.Remaining() == 0);
  args.Fail(err::kSyntax);
  args.FailOwned("ERR something else");
  CHECK(args.ErrorText() == err::kNotInteger);
}

TEST_CASE("args: a missing argument is a syntax error", "[args]") {
  const Argv argv = {"CMD"};
  ArgParser args(argv, 1);
  CHECK(args.Next<int64_t>() == 0);
  CHECK(args.ErrorText() == err::kSyntax);
}

TEST_CASE("args: a command's own error text for a malformed number", "[args]") {
  const Argv argv = {"SETBIT", "k", "x", "1"};
  ArgParser args(argv, 2);
  args.Next<int64_t>(err::kBitOffset);
  CHECK(args.ErrorText() == err::kBitOffset);
  const Argv ok = {"SETBIT", "k", "7"};
  ArgParser good(ok, 2);
  CHECK(good.Next<int64_t>(err::kBitOffset) == 7);
  CHECK(good.Ok());
  ArgParser missing(ok, 3);
  missing.Next<int64_t>(err::kBitOffset);
  CHECK(missing.ErrorText() == err::kSyntax);
}

TEST_CASE("args: Flag, OneOf and PeekOneOf match words in any case", "[args]") {
  const Argv argv = {"CMD", "nx", "Gt", "other"};
  ArgParser args(argv, 1);
  CHECK_FALSE(args.Flag("XX"));
  CHECK(args.Flag("NX"));
  CHECK(args.PeekOneOf({"NX", "XX", "GT", "LT"}) == 2);
  CHECK(args.Position() == 2);  // peeking consumed nothing
  CHECK(args.OneOf({"NX", "XX", "GT", "LT"}) == 2);
  CHECK(args.OneOf({"NX", "XX"}) == -1);
  CHECK(args.Next() == "other");
  CHECK(args.OneOf({"NX"}) == -1);  // nothing left
  CHECK(args.Ok());
}

TEST_CASE("args: Option reads name and value; a missing value is a syntax error", "[args]") {
  const Argv argv = {"SCAN", "0", "count", "5", "MATCH"};
  ArgParser args(argv, 2);
  int64_t count = 10;
  std::string_view pattern;
  CHECK_FALSE(args.Option("MATCH", &pattern));
  CHECK(args.Option("COUNT", &count));
  CHECK(count == 5);
  CHECK(args.Option("MATCH", &pattern));
  CHECK(args.ErrorText() == err::kSyntax);
}

TEST_CASE("args: OptionWithValue leaves a trailing name for the caller", "[args]") {
  const Argv argv = {"SCAN", "0", "COUNT", "x", "MATCH"};
  ArgParser args(argv, 4);
  std::string_view pattern;
  CHECK_FALSE(args.OptionWithValue("MATCH", &pattern));
  CHECK(args.Next() == "MATCH");
  ArgParser counted(argv, 2);
  int64_t count = 10;
  CHECK(counted.OptionWithValue("COUNT", &count));
  CHECK(counted.ErrorText() == err::kNotInteger);
}

TEST_CASE("args: Parse converts a string taken earlier, by the same rules", "[args]") {
  const Argv argv = {"EXPIRE", "k", "10x", "NX"};
  ArgParser args(argv, 3);
  CHECK(args.Flag("NX"));
  CHECK(args.Parse<int64_t>(argv[2]) == 0);
  CHECK(args.ErrorText() == err::kNotInteger);
}

TEST_CASE("args: ExpectEnd refuses leftovers; FailOwned keeps its text", "[args]") {
  const Argv argv = {"CMD", "a", "b"};
  ArgParser args(argv, 1);
  args.Next();
  args.ExpectEnd();
  CHECK(args.ErrorText() == err::kSyntax);
  ArgParser owned(argv, 1);
  owned.FailOwned(std::string("ERR Unsupported option ") + "b");
  CHECK(owned.ErrorText() == "ERR Unsupported option b");
}

TEST_CASE("args: the legacy ArgCursor form still reads options", "[args]") {
  const Argv argv = {"RL.BUCKET", "k", "10", "1000", "BURST"};
  firn::ArgCursor cur(argv, 4);
  std::string_view value;
  bool missing = false;
  CHECK(cur.Option("BURST", &value, &missing));
  CHECK(missing);
  CHECK(cur.Done());
}
