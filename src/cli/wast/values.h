// src/cli/wast/values.h - script values of spec test scripts (wast2json form)
// and how results are compared with them.  Independent of the engine.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "compono/result.h"

namespace compono::cli::wast {

enum class Kind : uint8_t { I32, I64, F32, F64, V128, FuncRef, ExternRef };
const char* kind_name(Kind k);

// A value as written in a script: an argument or an expected result.
struct ScriptValue {
  enum class Pattern : uint8_t {
    Exact,          // bits (numbers, v128) / ref payload
    CanonicalNan,   // "nan:canonical"
    ArithmeticNan,  // "nan:arithmetic"
    Null,           // ref.null
  };
  Kind kind = Kind::I32;
  Pattern pattern = Pattern::Exact;
  // i32/i64/f32/f64: the bit pattern (zero-extended).  externref: the host
  // reference number (ref.extern N).  v128: lanes in `v128` (little endian).
  uint64_t bits = 0;
  std::array<uint8_t, 16> v128{};
  // v128: the lane shape ("i8".."i64", "f32", "f64") and, per lane, Exact
  // or a NaN pattern (float lanes only).
  std::string lane_type;
  std::vector<Pattern> lane_patterns;
};

// Parse {"type": type, "value": value} (value as wast2json writes it:
// decimal bit pattern, "nan:canonical", "nan:arithmetic", "null", ref number).
Result<ScriptValue> parse_value(const std::string& type, const std::string& value);
// v128: lane_type "i8".."i64"/"f32"/"f64" and one decimal string per lane.
Result<ScriptValue> parse_v128(const std::string& lane_type, const std::string* lanes, size_t n);

// A result produced by the engine, in engine-independent form.
struct ActualValue {
  Kind kind = Kind::I32;
  uint64_t bits = 0;                 // numbers
  std::array<uint8_t, 16> v128{};    // v128
  bool is_null = false;              // refs
  // externref: the host reference number if the reference is one the runner
  // created (ref.extern N); funcref: unused.
  uint64_t ref_payload = 0;
  bool ref_is_host_number = false;
};

// Does `actual` satisfy `expected`?
bool matches(const ScriptValue& expected, const ActualValue& actual);

// Renderings used in failure messages, e.g. "i32:42", "f32:nan:canonical",
// "f64:0x3ff0000000000000 (1)", "externref:null", "externref:7".
std::string to_string(const ScriptValue& v);
std::string to_string(const ActualValue& v);

}  // namespace compono::cli::wast
