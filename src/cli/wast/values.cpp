// src/cli/wast/values.cpp - parsing, comparing and printing script values.
#include "cli/wast/values.h"

#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace compono::cli::wast {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::I32: return "i32";
    case Kind::I64: return "i64";
    case Kind::F32: return "f32";
    case Kind::F64: return "f64";
    case Kind::V128: return "v128";
    case Kind::FuncRef: return "funcref";
    case Kind::ExternRef: return "externref";
  }
  return "?";
}

namespace {

Result<Kind> parse_kind(const std::string& type) {
  if (type == "i32") return Kind::I32;
  if (type == "i64") return Kind::I64;
  if (type == "f32") return Kind::F32;
  if (type == "f64") return Kind::F64;
  if (type == "v128") return Kind::V128;
  if (type == "funcref") return Kind::FuncRef;
  if (type == "externref") return Kind::ExternRef;
  return fail("unknown value type \"" + type + "\"");
}

// Parse an unsigned decimal (wast2json writes bit patterns as unsigned
// decimals); also accepts a leading '-' as two's complement, defensively.
Result<uint64_t> parse_u64(const std::string& s, unsigned bits) {
  const char* b = s.data();
  const char* e = s.data() + s.size();
  bool neg = false;
  if (b != e && *b == '-') { neg = true; ++b; }
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(b, e, v, 10);
  if (ec != std::errc() || p != e || b == e) return fail("bad number \"" + s + "\"");
  if (neg) v = uint64_t(0) - v;
  if (bits < 64) {
    uint64_t mask = (uint64_t(1) << bits) - 1;
    if (!neg && v > mask) return fail("number \"" + s + "\" does not fit in " + std::to_string(bits) + " bits");
    v &= mask;
  }
  return v;
}

bool is_canonical_nan(Kind k, uint64_t bits) {
  if (k == Kind::F32) return (bits & 0x7fffffffu) == 0x7fc00000u;
  return (bits & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
}
bool is_arithmetic_nan(Kind k, uint64_t bits) {
  // A NaN whose most significant payload bit is set.
  if (k == Kind::F32) return (bits & 0x7fc00000u) == 0x7fc00000u;
  return (bits & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

std::string number_string(Kind k, uint64_t bits) {
  char buf[64];
  switch (k) {
    case Kind::I32:
      if (int32_t(uint32_t(bits)) >= 0) return std::to_string(uint32_t(bits));
      std::snprintf(buf, sizeof buf, "%" PRIu32 " (%" PRId32 ")", uint32_t(bits), int32_t(uint32_t(bits)));
      return buf;
    case Kind::I64:
      if (int64_t(bits) >= 0) return std::to_string(bits);
      std::snprintf(buf, sizeof buf, "%" PRIu64 " (%" PRId64 ")", bits, int64_t(bits));
      return buf;
    case Kind::F32: {
      float f;
      uint32_t b = uint32_t(bits);
      std::memcpy(&f, &b, 4);
      std::snprintf(buf, sizeof buf, "%s (%.9g)", hex(b).c_str(), double(f));
      return buf;
    }
    case Kind::F64: {
      double d;
      std::memcpy(&d, &bits, 8);
      std::snprintf(buf, sizeof buf, "%s (%.17g)", hex(bits).c_str(), d);
      return buf;
    }
    default:
      return hex(bits);
  }
}

std::string v128_string(const std::array<uint8_t, 16>& b) {
  std::string s = "0x";
  char buf[4];
  for (int i = 15; i >= 0; --i) {
    std::snprintf(buf, sizeof buf, "%02x", b[size_t(i)]);
    s += buf;
  }
  return s;
}

}  // namespace

Result<ScriptValue> parse_value(const std::string& type, const std::string& value) {
  COMPONO_TRY(Kind k, parse_kind(type));
  ScriptValue v;
  v.kind = k;
  switch (k) {
    case Kind::I32:
    case Kind::I64: {
      COMPONO_TRY(v.bits, parse_u64(value, k == Kind::I32 ? 32 : 64));
      return v;
    }
    case Kind::F32:
    case Kind::F64: {
      if (value == "nan:canonical") { v.pattern = ScriptValue::Pattern::CanonicalNan; return v; }
      if (value == "nan:arithmetic") { v.pattern = ScriptValue::Pattern::ArithmeticNan; return v; }
      COMPONO_TRY(v.bits, parse_u64(value, k == Kind::F32 ? 32 : 64));
      return v;
    }
    case Kind::FuncRef:
    case Kind::ExternRef: {
      if (value == "null") { v.pattern = ScriptValue::Pattern::Null; return v; }
      if (k == Kind::FuncRef) return fail("non-null funcref literal \"" + value + "\" is not supported");
      COMPONO_TRY(v.bits, parse_u64(value, 64));
      return v;
    }
    case Kind::V128:
      return fail("v128 value without lanes");
  }
  return fail("unknown value type \"" + type + "\"");
}

Result<ScriptValue> parse_v128(const std::string& lane_type, const std::string* lanes, size_t n) {
  ScriptValue v;
  v.kind = Kind::V128;
  v.lane_type = lane_type;
  unsigned bits = 0;
  if (lane_type == "i8") bits = 8;
  else if (lane_type == "i16") bits = 16;
  else if (lane_type == "i32" || lane_type == "f32") bits = 32;
  else if (lane_type == "i64" || lane_type == "f64") bits = 64;
  else return fail("bad v128 lane type \"" + lane_type + "\"");
  size_t count = 128 / bits;
  if (n != count) return fail("v128 " + lane_type + " needs " + std::to_string(count) + " lanes");
  bool is_float = lane_type[0] == 'f';
  v.lane_patterns.assign(n, ScriptValue::Pattern::Exact);
  for (size_t i = 0; i < n; ++i) {
    if (is_float && lanes[i] == "nan:canonical") { v.lane_patterns[i] = ScriptValue::Pattern::CanonicalNan; continue; }
    if (is_float && lanes[i] == "nan:arithmetic") { v.lane_patterns[i] = ScriptValue::Pattern::ArithmeticNan; continue; }
    COMPONO_TRY(uint64_t lane, parse_u64(lanes[i], bits));
    for (unsigned b = 0; b < bits / 8; ++b) v.v128[i * (bits / 8) + b] = uint8_t(lane >> (8 * b));
  }
  return v;
}

bool matches(const ScriptValue& e, const ActualValue& a) {
  if (e.kind != a.kind) return false;
  using P = ScriptValue::Pattern;
  switch (e.kind) {
    case Kind::I32:
    case Kind::I64:
      return e.bits == a.bits;
    case Kind::F32:
    case Kind::F64:
      if (e.pattern == P::CanonicalNan) return is_canonical_nan(e.kind, a.bits);
      if (e.pattern == P::ArithmeticNan) return is_arithmetic_nan(e.kind, a.bits);
      return e.bits == a.bits;
    case Kind::V128: {
      if (e.lane_patterns.empty()) return e.v128 == a.v128;
      size_t n = e.lane_patterns.size(), width = 16 / n;
      Kind lane_kind = width == 4 ? Kind::F32 : Kind::F64;
      for (size_t i = 0; i < n; ++i) {
        uint64_t ev = 0, av = 0;
        for (size_t b = 0; b < width; ++b) {
          ev |= uint64_t(e.v128[i * width + b]) << (8 * b);
          av |= uint64_t(a.v128[i * width + b]) << (8 * b);
        }
        switch (e.lane_patterns[i]) {
          case P::CanonicalNan: if (!is_canonical_nan(lane_kind, av)) return false; break;
          case P::ArithmeticNan: if (!is_arithmetic_nan(lane_kind, av)) return false; break;
          default: if (ev != av) return false; break;
        }
      }
      return true;
    }
    case Kind::FuncRef:
      if (e.pattern == P::Null) return a.is_null;
      return false;
    case Kind::ExternRef:
      if (e.pattern == P::Null) return a.is_null;
      return !a.is_null && a.ref_is_host_number && a.ref_payload == e.bits;
  }
  return false;
}

std::string to_string(const ScriptValue& v) {
  std::string s = kind_name(v.kind);
  s += ':';
  using P = ScriptValue::Pattern;
  switch (v.pattern) {
    case P::CanonicalNan: return s + "nan:canonical";
    case P::ArithmeticNan: return s + "nan:arithmetic";
    case P::Null: return s + "null";
    case P::Exact: break;
  }
  if (v.kind == Kind::V128) {
    bool any_nan = false;
    for (auto p : v.lane_patterns) any_nan |= p != P::Exact;
    if (!any_nan) return s + v128_string(v.v128);
    // f32x4/f64x2 with NaN lanes: print lane by lane.
    size_t n = v.lane_patterns.size(), width = 16 / n;
    s += v.lane_type + "x" + std::to_string(n) + "[";
    for (size_t i = 0; i < n; ++i) {
      if (i) s += ' ';
      if (v.lane_patterns[i] == P::CanonicalNan) { s += "nan:canonical"; continue; }
      if (v.lane_patterns[i] == P::ArithmeticNan) { s += "nan:arithmetic"; continue; }
      uint64_t lane = 0;
      for (size_t b = 0; b < width; ++b) lane |= uint64_t(v.v128[i * width + b]) << (8 * b);
      s += hex(lane);
    }
    return s + "]";
  }
  if (v.kind == Kind::ExternRef || v.kind == Kind::FuncRef) return s + std::to_string(v.bits);
  return s + number_string(v.kind, v.bits);
}

std::string to_string(const ActualValue& v) {
  std::string s = kind_name(v.kind);
  s += ':';
  switch (v.kind) {
    case Kind::V128: return s + v128_string(v.v128);
    case Kind::FuncRef: return s + (v.is_null ? "null" : "<function>");
    case Kind::ExternRef:
      if (v.is_null) return s + "null";
      if (v.ref_is_host_number) return s + std::to_string(v.ref_payload);
      return s + "<foreign reference>";
    default: return s + number_string(v.kind, v.bits);
  }
}

}  // namespace compono::cli::wast
