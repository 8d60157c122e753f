// src/component/reader.h - bounds-checked LEB128/byte reader (private).
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

#include "compono/result.h"

// Assign the value of a Result to an existing lvalue or propagate its
// error; usable between case labels (declares no variable in the case scope).
#define COMPONO_SET(lvalue, expr)                                              \
  do {                                                                         \
    auto compono_set_r = (expr);                                               \
    if (!compono_set_r) return ::compono::Failure{std::move(compono_set_r).error()}; \
    lvalue = std::move(*compono_set_r);                                        \
  } while (0)

namespace compono::component::detail {

inline bool valid_utf8(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    if (c < 0x80) { ++i; continue; }
    size_t len;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) { len = 2; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { len = 3; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

inline std::string hex_byte(unsigned b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%x", b);
  return buf;
}

// Reads from [pos, end) of a buffer; offsets reported are absolute.
class Reader {
 public:
  Reader(const uint8_t* base, size_t pos, size_t end) : base_(base), pos_(pos), end_(end) {}

  size_t pos() const { return pos_; }
  size_t end() const { return end_; }
  bool eof() const { return pos_ >= end_; }
  size_t remaining() const { return end_ - pos_; }
  const uint8_t* base() const { return base_; }

  Failure eof_error() const { return fail("unexpected end-of-file", pos_); }

  Result<uint8_t> u8() {
    if (pos_ >= end_) return eof_error();
    return base_[pos_++];
  }
  Result<uint8_t> peek() const {
    if (pos_ >= end_) return eof_error();
    return base_[pos_];
  }
  Result<uint32_t> u32() {
    uint64_t result = 0;
    size_t start = pos_;
    for (int shift = 0;; shift += 7) {
      if (pos_ >= end_) return eof_error();
      uint8_t b = base_[pos_++];
      if (shift == 28 && (b & 0x70) != 0) return fail("invalid var_u32: integer too large", start);
      if (shift == 28 && (b & 0x80)) return fail("invalid var_u32: integer representation too long", start);
      result |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    return uint32_t(result);
  }
  Result<uint64_t> u64() {
    uint64_t result = 0;
    size_t start = pos_;
    for (int shift = 0;; shift += 7) {
      if (pos_ >= end_) return eof_error();
      uint8_t b = base_[pos_++];
      if (shift == 63 && (b & 0x7e) != 0) return fail("invalid var_u64: integer too large", start);
      if (shift == 63 && (b & 0x80)) return fail("invalid var_u64: integer representation too long", start);
      result |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    return result;
  }
  // Signed 33-bit LEB (heap types).
  Result<int64_t> s33() {
    int64_t result = 0;
    int shift = 0;
    size_t start = pos_;
    uint8_t b;
    do {
      if (pos_ >= end_) return eof_error();
      b = base_[pos_++];
      if (shift >= 35) return fail("invalid var_s33: integer too large", start);
      result |= int64_t(b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    if (shift < 64 && (b & 0x40)) result |= -(int64_t(1) << shift);
    return result;
  }
  // A vector count, checked against the bytes left (each element takes at
  // least `min_elem` bytes) so that hostile counts never over-allocate.
  Result<uint32_t> count(size_t min_elem = 1) {
    size_t at = pos_;
    COMPONO_TRY(uint32_t n, u32());
    if (min_elem && uint64_t(n) * min_elem > remaining()) return fail("unexpected end-of-file", at);
    return n;
  }
  Result<std::string> name() {
    COMPONO_TRY(uint32_t n, u32());
    if (n > remaining()) return eof_error();
    size_t at = pos_;
    if (!valid_utf8(base_ + pos_, n)) return fail("malformed UTF-8 encoding", at);
    std::string s(reinterpret_cast<const char*>(base_ + pos_), n);
    pos_ += n;
    return s;
  }
  Result<void> skip(size_t n) {
    if (n > remaining()) return eof_error();
    pos_ += n;
    return {};
  }
  Failure invalid_leading_byte(uint8_t b, const char* what, size_t at) const {
    return fail("invalid leading byte (" + hex_byte(b) + ") for " + what, at);
  }

 private:
  const uint8_t* base_;
  size_t pos_, end_;
};

}  // namespace compono::component::detail
