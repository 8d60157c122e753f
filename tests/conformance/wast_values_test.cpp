// Unit tests for the spec-script value model of `compono wast`
// (src/cli/wast/values.h): parsing wast2json values and matching results.
#include <gtest/gtest.h>

#include <string>

#include "cli/wast/values.h"

using namespace compono::cli::wast;

namespace {

ScriptValue parse(const std::string& type, const std::string& value) {
  auto r = parse_value(type, value);
  EXPECT_TRUE(r.has_value()) << type << " " << value << ": " << (r ? "" : r.error().message);
  return r ? *r : ScriptValue{};
}
ActualValue num(Kind k, uint64_t bits) {
  ActualValue a;
  a.kind = k;
  a.bits = bits;
  return a;
}

TEST(WastValues, IntegersAreBitPatterns) {
  ScriptValue v = parse("i32", "4294967295");
  EXPECT_EQ(v.kind, Kind::I32);
  EXPECT_EQ(v.bits, 0xffffffffu);
  EXPECT_TRUE(matches(v, num(Kind::I32, 0xffffffffu)));
  EXPECT_FALSE(matches(v, num(Kind::I32, 0x7fffffffu)));
  EXPECT_FALSE(matches(v, num(Kind::I64, 0xffffffffu)));  // kind must agree
  EXPECT_EQ(parse("i64", "18446744073709551615").bits, ~uint64_t(0));
  EXPECT_FALSE(parse_value("i32", "4294967296").has_value());
  EXPECT_FALSE(parse_value("i32", "12x").has_value());
  EXPECT_FALSE(parse_value("i32", "").has_value());
  EXPECT_FALSE(parse_value("u8", "1").has_value());
}

TEST(WastValues, FloatsCompareBitsExactly) {
  ScriptValue zero = parse("f64", "0");
  EXPECT_TRUE(matches(zero, num(Kind::F64, 0)));
  EXPECT_FALSE(matches(zero, num(Kind::F64, 0x8000000000000000ull)));  // -0 != +0
  ScriptValue nan = parse("f32", "2143289344");                        // 0x7fc00000
  EXPECT_TRUE(matches(nan, num(Kind::F32, 0x7fc00000u)));
  EXPECT_FALSE(matches(nan, num(Kind::F32, 0xffc00000u)));  // sign matters for exact NaNs
}

TEST(WastValues, CanonicalNan) {
  ScriptValue c32 = parse("f32", "nan:canonical");
  EXPECT_EQ(c32.pattern, ScriptValue::Pattern::CanonicalNan);
  EXPECT_TRUE(matches(c32, num(Kind::F32, 0x7fc00000u)));
  EXPECT_TRUE(matches(c32, num(Kind::F32, 0xffc00000u)));   // either sign
  EXPECT_FALSE(matches(c32, num(Kind::F32, 0x7fc00001u)));  // payload must be canonical
  EXPECT_FALSE(matches(c32, num(Kind::F32, 0x7fa00000u)));  // signalling
  EXPECT_FALSE(matches(c32, num(Kind::F32, 0x7f800000u)));  // infinity
  ScriptValue c64 = parse("f64", "nan:canonical");
  EXPECT_TRUE(matches(c64, num(Kind::F64, 0xfff8000000000000ull)));
  EXPECT_FALSE(matches(c64, num(Kind::F64, 0x7ff8000000000001ull)));
  EXPECT_FALSE(matches(c64, num(Kind::F32, 0x7fc00000u)));
}

TEST(WastValues, ArithmeticNan) {
  ScriptValue a32 = parse("f32", "nan:arithmetic");
  EXPECT_TRUE(matches(a32, num(Kind::F32, 0x7fc00000u)));
  EXPECT_TRUE(matches(a32, num(Kind::F32, 0xffe00001u)));   // any payload with the quiet bit
  EXPECT_FALSE(matches(a32, num(Kind::F32, 0x7fa00000u)));  // signalling NaN
  EXPECT_FALSE(matches(a32, num(Kind::F32, 0x3f800000u)));  // 1.0
  ScriptValue a64 = parse("f64", "nan:arithmetic");
  EXPECT_TRUE(matches(a64, num(Kind::F64, 0x7ffc000000000000ull)));
  EXPECT_FALSE(matches(a64, num(Kind::F64, 0x7ff4000000000000ull)));
}

TEST(WastValues, References) {
  ScriptValue null_ext = parse("externref", "null");
  ScriptValue ext7 = parse("externref", "7");
  ScriptValue null_func = parse("funcref", "null");
  ActualValue a;
  a.kind = Kind::ExternRef;
  a.is_null = true;
  EXPECT_TRUE(matches(null_ext, a));
  EXPECT_FALSE(matches(ext7, a));
  a.is_null = false;
  a.ref_is_host_number = true;
  a.ref_payload = 7;
  EXPECT_TRUE(matches(ext7, a));
  EXPECT_FALSE(matches(null_ext, a));
  a.ref_payload = 8;
  EXPECT_FALSE(matches(ext7, a));
  ActualValue f;
  f.kind = Kind::FuncRef;
  f.is_null = true;
  EXPECT_TRUE(matches(null_func, f));
  f.is_null = false;
  EXPECT_FALSE(matches(null_func, f));
  EXPECT_FALSE(matches(null_ext, f));  // funcref null is not externref null
}

TEST(WastValues, V128Lanes) {
  const std::string lanes[4] = {"1", "2", "3", "4294967295"};
  auto v = parse_v128("i32", lanes, 4);
  ASSERT_TRUE(v.has_value());
  ActualValue a;
  a.kind = Kind::V128;
  a.v128 = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
  EXPECT_TRUE(matches(*v, a));
  a.v128[4] = 9;
  EXPECT_FALSE(matches(*v, a));
  EXPECT_FALSE(parse_v128("i32", lanes, 3).has_value());  // wrong lane count

  const std::string flanes[2] = {"nan:canonical", "4607182418800017408"};  // NaN, 1.0
  auto f = parse_v128("f64", flanes, 2);
  ASSERT_TRUE(f.has_value());
  ActualValue b;
  b.kind = Kind::V128;
  uint64_t lo = 0x7ff8000000000000ull, hi = 0x3ff0000000000000ull;
  for (int i = 0; i < 8; ++i) {
    b.v128[size_t(i)] = uint8_t(lo >> (8 * i));
    b.v128[size_t(8 + i)] = uint8_t(hi >> (8 * i));
  }
  EXPECT_TRUE(matches(*f, b));
  b.v128[0] = 1;  // lane 0 no longer canonical
  EXPECT_FALSE(matches(*f, b));
  EXPECT_NE(to_string(*f).find("nan:canonical"), std::string::npos);
}

TEST(WastValues, Printing) {
  EXPECT_EQ(to_string(parse("i32", "42")), "i32:42");
  EXPECT_EQ(to_string(parse("i32", "4294967295")), "i32:4294967295 (-1)");
  EXPECT_EQ(to_string(parse("f32", "nan:arithmetic")), "f32:nan:arithmetic");
  EXPECT_EQ(to_string(parse("externref", "null")), "externref:null");
  EXPECT_EQ(to_string(num(Kind::F64, 0x3ff0000000000000ull)), "f64:0x3ff0000000000000 (1)");
}

}  // namespace
