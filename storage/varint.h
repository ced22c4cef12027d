// LEB128 varints for the collections' serialized forms (the TypeOps serialize/deserialize
// rows): seven bits a byte, low bits first, the high bit set on every byte but the last.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace firn {

// Appends v to *out.
inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 128) {
    out->push_back(static_cast<char>((v & 127) | 128));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads one varint from the front of *in into *v and consumes it; false if *in ends first or
// the varint runs past 64 bits.
inline bool GetVarint(std::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in->empty()) return false;
    const auto b = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    *v |= static_cast<uint64_t>(b & 127) << shift;
    if ((b & 128) == 0) return true;
  }
  return false;
}

}  // namespace firn
