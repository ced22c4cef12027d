#include "protocol/reply.h"

#include <catch2/catch.hpp>
#include <string>

using firn::Proto;
using firn::ReplyBuilder;

TEST_CASE("RESP2 encodes the RESP3-only types as Redis falls back", "[reply]") {
  std::string out;
  ReplyBuilder r(&out, Proto::kResp2);
  r.Map(1);
  r.Bulk("k");
  r.Double(1.5);
  r.Bool(true);
  r.Null();
  r.NullArray();
  r.Set(0);
  CHECK(out == "*2\r\n$1\r\nk\r\n$3\r\n1.5\r\n:1\r\n$-1\r\n*-1\r\n*0\r\n");
}

TEST_CASE("RESP3 uses its own types", "[reply]") {
  std::string out;
  ReplyBuilder r(&out, Proto::kResp3);
  r.Map(1);
  r.Bulk("k");
  r.Double(1.5);
  r.Bool(false);
  r.Null();
  r.Set(2);
  r.Verbatim("hi");
  CHECK(out == "%1\r\n$1\r\nk\r\n,1.5\r\n#f\r\n_\r\n~2\r\n=6\r\ntxt:hi\r\n");
}

TEST_CASE("scalars and errors", "[reply]") {
  std::string out;
  ReplyBuilder r(&out);
  r.Ok();
  r.Int(-42);
  r.Int(INT64_MIN);
  r.Error("ERR bad\r\nthing");
  r.Bulk("");
  CHECK(out == "+OK\r\n:-42\r\n:-9223372036854775808\r\n-ERR bad  thing\r\n$0\r\n\r\n");
}

TEST_CASE("long doubles format as INCRBYFLOAT does", "[reply]") {
  CHECK(firn::FormatLongDouble(10.5L) == "10.5");
  CHECK(firn::FormatLongDouble(3.0L) == "3");
  CHECK(firn::FormatLongDouble(5.0e3L) == "5000");
  CHECK(firn::FormatLongDouble(-0.0L) == "0");
  CHECK(firn::FormatLongDouble(10.5L + 0.1L) == "10.6");
}
