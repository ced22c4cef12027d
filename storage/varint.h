// LEB128 varints: seven bits a byte, low bits first, the high bit set on every byte but the
// last. The raw-pointer forms lay out lengths inside entries and compact collections (the
// caller has sized the buffer with VarintSize, and reads only what it wrote); the string
// forms are for serialized payloads, which are checked as they are read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace firn {

// Bytes PutVarint writes for v.
inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Writes v at p (VarintSize(v) bytes); returns the byte after it.
inline char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

// Reads the varint at p, written by PutVarint, into *v; returns the byte after it.
inline const char* GetVarint(const char* p, uint64_t* v) {
  uint64_t result = 0;
  int shift = 0;
  while (true) {
    const auto byte = static_cast<uint8_t>(*p++);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
    shift += 7;
  }
  *v = result;
  return p;
}

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
