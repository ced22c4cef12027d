#include "protocol/reply.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <cstdio>

namespace firn {

size_t FormatInt(int64_t n, char* buf) {
  auto [end, ec] = std::to_chars(buf, buf + 21, n);
  (void)ec;
  return static_cast<size_t>(end - buf);
}

std::string FormatLongDouble(long double d) {
  // Same as Redis's ld2string(LD_STR_HUMAN): fixed notation, 17 digits, no trailing zeroes.
  char buf[5600];
  int len = std::snprintf(buf, sizeof(buf), "%.17Lf", d);
  if (len <= 0 || static_cast<size_t>(len) >= sizeof(buf)) return "0";
  std::string s(buf, static_cast<size_t>(len));
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

void ReplyBuilder::Header(char type, int64_t n) {
  char buf[24];
  buf[0] = type;
  size_t len = 1 + FormatInt(n, buf + 1);
  buf[len++] = '\r';
  buf[len++] = '\n';
  out_->append(buf, len);
}

// Flattened, so the append's capacity test and five-byte copy are inline here rather than a
// call to an out-of-line append and then to memcpy: this is every SET's reply.
[[gnu::flatten]] void ReplyBuilder::Ok() { out_->append("+OK\r\n", 5); }

void ReplyBuilder::Simple(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Error(std::string_view message) {
  out_->push_back('-');
  // An error must stay on one line whatever text went into it.
  for (char c : message) out_->push_back(c == '\r' || c == '\n' ? ' ' : c);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Int(int64_t n) { Header(':', n); }

void ReplyBuilder::Bulk(std::string_view s) {
  // A small value (most GETs of a cache) is framed on the stack and appended once.
  char buf[128];
  buf[0] = '$';
  size_t len = 1 + FormatInt(static_cast<int64_t>(s.size()), buf + 1);
  buf[len++] = '\r';
  buf[len++] = '\n';
  if (s.size() <= sizeof(buf) - len - 2) {
    if (!s.empty()) std::memcpy(buf + len, s.data(), s.size());
    len += s.size();
    buf[len++] = '\r';
    buf[len++] = '\n';
    out_->append(buf, len);
    return;
  }
  out_->append(buf, len);
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Double(double d) {
  char buf[64];
  int len;
  if (std::isinf(d)) {
    len = std::snprintf(buf, sizeof(buf), "%s", d > 0 ? "inf" : "-inf");
  } else {
    len = std::snprintf(buf, sizeof(buf), "%.17g", d);
  }
  std::string_view text(buf, static_cast<size_t>(len));
  if (proto_ == Proto::kResp3) {
    out_->push_back(',');
    out_->append(text);
    out_->append("\r\n", 2);
  } else {
    Bulk(text);
  }
}

void ReplyBuilder::BulkLongDouble(long double d) { Bulk(FormatLongDouble(d)); }

void ReplyBuilder::HumanDouble(long double d) {
  const std::string text = FormatLongDouble(d);
  if (proto_ == Proto::kResp3) {
    out_->push_back(',');
    out_->append(text);
    out_->append("\r\n", 2);
  } else {
    Bulk(text);
  }
}

void ReplyBuilder::Bool(bool b) {
  if (proto_ == Proto::kResp3) {
    Raw(b ? "#t\r\n" : "#f\r\n");
  } else {
    Raw(b ? ":1\r\n" : ":0\r\n");
  }
}

void ReplyBuilder::Null() { Raw(proto_ == Proto::kResp3 ? "_\r\n" : "$-1\r\n"); }

void ReplyBuilder::NullArray() { Raw(proto_ == Proto::kResp3 ? "_\r\n" : "*-1\r\n"); }

void ReplyBuilder::Array(size_t n) { Header('*', static_cast<int64_t>(n)); }

void ReplyBuilder::PairArray(size_t n) {
  Header('*', static_cast<int64_t>(proto_ == Proto::kResp3 ? n : n * 2));
}

void ReplyBuilder::Pair() {
  if (proto_ == Proto::kResp3) Raw("*2\r\n");
}

void ReplyBuilder::ArrayMap(size_t n) {
  Header(proto_ == Proto::kResp3 ? '%' : '*', static_cast<int64_t>(n));
}

void ReplyBuilder::MapEntry() {
  if (proto_ == Proto::kResp2) Raw("*2\r\n");
}

void ReplyBuilder::Map(size_t pairs) {
  if (proto_ == Proto::kResp3) {
    Header('%', static_cast<int64_t>(pairs));
  } else {
    Header('*', static_cast<int64_t>(pairs * 2));
  }
}

void ReplyBuilder::Set(size_t n) {
  Header(proto_ == Proto::kResp3 ? '~' : '*', static_cast<int64_t>(n));
}

void ReplyBuilder::Push(size_t n) {
  Header(proto_ == Proto::kResp3 ? '>' : '*', static_cast<int64_t>(n));
}

void ReplyBuilder::Verbatim(std::string_view text) {
  if (proto_ == Proto::kResp3) {
    Header('=', static_cast<int64_t>(text.size() + 4));
    out_->append("txt:", 4);
    out_->append(text);
    out_->append("\r\n", 2);
  } else {
    Bulk(text);
  }
}

}  // namespace firn
