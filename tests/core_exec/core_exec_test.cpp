// Core execution engine and embedding API (compono/core.h).
//
// Modules are written in the text format and assembled with wabt's wat2wasm
// at test time.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "compono/core.h"
#include "wat.h"

using namespace compono::wasm;

namespace {

class Exec : public ::testing::Test {
 protected:
  void SetUp() override {
    static bool have = compono::test::have_wat2wasm();
    if (!have) GTEST_SKIP() << "wat2wasm (wabt) not installed";
  }

  // Assemble and compile; fails the test on error.
  Module compile(const std::string& wat) {
    std::vector<uint8_t> bytes;
    std::string err;
    if (!compono::test::wat_to_wasm(wat, bytes, err)) {
      ADD_FAILURE() << "wat2wasm: " << err;
      return Module();
    }
    auto m = Module::compile(bytes);
    if (!m) {
      ADD_FAILURE() << "compile: " << m.error().to_string();
      return Module();
    }
    return *m;
  }

  Instance instantiate(const std::string& wat, Store& store, const Linker& linker = Linker()) {
    Module m = compile(wat);
    if (!m) return Instance();
    auto i = linker.instantiate(store, m);
    if (!i) {
      ADD_FAILURE() << "instantiate: " << i.error().to_string();
      return Instance();
    }
    return *i;
  }

  // Calls export `name`; fails the test on a trap.
  std::vector<Value> call(Store& store, Instance inst, const char* name, std::initializer_list<Value> args = {}) {
    Func f = inst.get_func(name);
    if (!f) {
      ADD_FAILURE() << "no export " << name;
      return {};
    }
    auto r = f.call(store, args);
    if (!r) {
      ADD_FAILURE() << name << " trapped: " << r.error().to_string();
      return {};
    }
    return *r;
  }
  int32_t call_i32(Store& s, Instance i, const char* name, std::initializer_list<Value> args = {}) {
    auto r = call(s, i, name, args);
    if (r.size() != 1 || r[0].type() != ValType::I32) {
      ADD_FAILURE() << name << ": expected one i32 result";
      return 0;
    }
    return r[0].i32();
  }
  int64_t call_i64(Store& s, Instance i, const char* name, std::initializer_list<Value> args = {}) {
    auto r = call(s, i, name, args);
    if (r.size() != 1 || r[0].type() != ValType::I64) {
      ADD_FAILURE() << name << ": expected one i64 result";
      return 0;
    }
    return r[0].i64();
  }
  // The trap message of calling export `name` (or "" if it did not trap).
  std::string trap_of(Store& store, Instance inst, const char* name, std::initializer_list<Value> args = {}) {
    auto r = inst.get_func(name).call(store, args);
    if (r) return "";
    return r.error().message;
  }
};

Value I32(int32_t v) { return Value::i32(v); }
Value I64(int64_t v) { return Value::i64(v); }
Value F32(float v) { return Value::f32(v); }
Value F64(double v) { return Value::f64(v); }

// ---------------------------------------------------------------------------
// Numeric instructions

TEST_F(Exec, I32Arithmetic) {
  Store s;
  auto i = instantiate(R"((module
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "sub") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
    (func (export "mul") (param i32 i32) (result i32) (i32.mul (local.get 0) (local.get 1)))
    (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
    (func (export "div_u") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
    (func (export "rem_s") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
    (func (export "rem_u") (param i32 i32) (result i32) (i32.rem_u (local.get 0) (local.get 1)))
    (func (export "shl") (param i32 i32) (result i32) (i32.shl (local.get 0) (local.get 1)))
    (func (export "shr_s") (param i32 i32) (result i32) (i32.shr_s (local.get 0) (local.get 1)))
    (func (export "shr_u") (param i32 i32) (result i32) (i32.shr_u (local.get 0) (local.get 1)))
    (func (export "rotl") (param i32 i32) (result i32) (i32.rotl (local.get 0) (local.get 1)))
    (func (export "rotr") (param i32 i32) (result i32) (i32.rotr (local.get 0) (local.get 1)))
    (func (export "clz") (param i32) (result i32) (i32.clz (local.get 0)))
    (func (export "ctz") (param i32) (result i32) (i32.ctz (local.get 0)))
    (func (export "popcnt") (param i32) (result i32) (i32.popcnt (local.get 0)))
    (func (export "ext8") (param i32) (result i32) (i32.extend8_s (local.get 0)))
    (func (export "ext16") (param i32) (result i32) (i32.extend16_s (local.get 0)))
    (func (export "addk") (param i32) (result i32) (i32.add (i32.const 7) (local.get 0)))
    (func (export "subk") (param i32) (result i32) (i32.sub (local.get 0) (i32.const 7)))
    (func (export "ltk") (param i32) (result i32) (i32.lt_s (local.get 0) (i32.const -1)))
    (func (export "geu") (param i32 i32) (result i32) (i32.ge_u (local.get 0) (local.get 1)))
    (func (export "eqz") (param i32) (result i32) (i32.eqz (local.get 0)))
  ))", s);
  EXPECT_EQ(call_i32(s, i, "add", {I32(INT32_MAX), I32(1)}), INT32_MIN);
  EXPECT_EQ(call_i32(s, i, "sub", {I32(3), I32(5)}), -2);
  EXPECT_EQ(call_i32(s, i, "mul", {I32(0x10000), I32(0x10001)}), 0x10000);
  EXPECT_EQ(call_i32(s, i, "div_s", {I32(-7), I32(2)}), -3);
  EXPECT_EQ(call_i32(s, i, "div_u", {I32(-1), I32(2)}), 0x7fffffff);
  EXPECT_EQ(call_i32(s, i, "rem_s", {I32(-7), I32(2)}), -1);
  EXPECT_EQ(call_i32(s, i, "rem_s", {I32(INT32_MIN), I32(-1)}), 0);
  EXPECT_EQ(call_i32(s, i, "rem_u", {I32(-1), I32(10)}), 5);
  EXPECT_EQ(call_i32(s, i, "shl", {I32(1), I32(33)}), 2);
  EXPECT_EQ(call_i32(s, i, "shr_s", {I32(-8), I32(1)}), -4);
  EXPECT_EQ(call_i32(s, i, "shr_u", {I32(-8), I32(1)}), 0x7ffffffc);
  EXPECT_EQ(call_i32(s, i, "rotl", {I32(0x80000001), I32(1)}), 3);
  EXPECT_EQ(call_i32(s, i, "rotr", {I32(3), I32(1)}), int32_t(0x80000001));
  EXPECT_EQ(call_i32(s, i, "clz", {I32(1)}), 31);
  EXPECT_EQ(call_i32(s, i, "clz", {I32(0)}), 32);
  EXPECT_EQ(call_i32(s, i, "ctz", {I32(0x100)}), 8);
  EXPECT_EQ(call_i32(s, i, "popcnt", {I32(-1)}), 32);
  EXPECT_EQ(call_i32(s, i, "ext8", {I32(0x80)}), -128);
  EXPECT_EQ(call_i32(s, i, "ext16", {I32(0x18000)}), -32768);
  EXPECT_EQ(call_i32(s, i, "addk", {I32(5)}), 12);
  EXPECT_EQ(call_i32(s, i, "subk", {I32(5)}), -2);
  EXPECT_EQ(call_i32(s, i, "ltk", {I32(-2)}), 1);
  EXPECT_EQ(call_i32(s, i, "ltk", {I32(-1)}), 0);
  EXPECT_EQ(call_i32(s, i, "geu", {I32(-1), I32(1)}), 1);
  EXPECT_EQ(call_i32(s, i, "eqz", {I32(0)}), 1);
  EXPECT_EQ(trap_of(s, i, "div_s", {I32(1), I32(0)}), "integer divide by zero");
  EXPECT_EQ(trap_of(s, i, "div_u", {I32(1), I32(0)}), "integer divide by zero");
  EXPECT_EQ(trap_of(s, i, "rem_s", {I32(1), I32(0)}), "integer divide by zero");
  EXPECT_EQ(trap_of(s, i, "rem_u", {I32(1), I32(0)}), "integer divide by zero");
  EXPECT_EQ(trap_of(s, i, "div_s", {I32(INT32_MIN), I32(-1)}), "integer overflow");
}

TEST_F(Exec, I64Arithmetic) {
  Store s;
  auto i = instantiate(R"((module
    (func (export "add") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
    (func (export "mul") (param i64 i64) (result i64) (i64.mul (local.get 0) (local.get 1)))
    (func (export "div_s") (param i64 i64) (result i64) (i64.div_s (local.get 0) (local.get 1)))
    (func (export "rem_u") (param i64 i64) (result i64) (i64.rem_u (local.get 0) (local.get 1)))
    (func (export "shr_s") (param i64 i64) (result i64) (i64.shr_s (local.get 0) (local.get 1)))
    (func (export "rotl") (param i64 i64) (result i64) (i64.rotl (local.get 0) (local.get 1)))
    (func (export "clz") (param i64) (result i64) (i64.clz (local.get 0)))
    (func (export "popcnt") (param i64) (result i64) (i64.popcnt (local.get 0)))
    (func (export "ext32") (param i64) (result i64) (i64.extend32_s (local.get 0)))
    (func (export "extend_s") (param i32) (result i64) (i64.extend_i32_s (local.get 0)))
    (func (export "extend_u") (param i32) (result i64) (i64.extend_i32_u (local.get 0)))
    (func (export "wrap") (param i64) (result i32) (i32.wrap_i64 (local.get 0)))
    (func (export "lt_u") (param i64 i64) (result i32) (i64.lt_u (local.get 0) (local.get 1)))
    (func (export "addbig") (param i64) (result i64) (i64.add (local.get 0) (i64.const 0x100000000)))
    (func (export "subk") (param i64) (result i64) (i64.sub (local.get 0) (i64.const -3)))
  ))", s);
  EXPECT_EQ(call_i64(s, i, "add", {I64(INT64_MAX), I64(1)}), INT64_MIN);
  EXPECT_EQ(call_i64(s, i, "mul", {I64(1LL << 32), I64(1LL << 31)}), INT64_MIN);
  EXPECT_EQ(call_i64(s, i, "div_s", {I64(-9), I64(2)}), -4);
  EXPECT_EQ(call_i64(s, i, "rem_u", {I64(-1), I64(10)}), 5);
  EXPECT_EQ(call_i64(s, i, "shr_s", {I64(INT64_MIN), I64(65)}), INT64_MIN / 2);
  EXPECT_EQ(call_i64(s, i, "rotl", {I64(INT64_MIN), I64(1)}), 1);
  EXPECT_EQ(call_i64(s, i, "clz", {I64(1)}), 63);
  EXPECT_EQ(call_i64(s, i, "popcnt", {I64(-1)}), 64);
  EXPECT_EQ(call_i64(s, i, "ext32", {I64(0x80000000LL)}), -2147483648LL);
  EXPECT_EQ(call_i64(s, i, "extend_s", {I32(-1)}), -1);
  EXPECT_EQ(call_i64(s, i, "extend_u", {I32(-1)}), 0xffffffffLL);
  EXPECT_EQ(call_i32(s, i, "wrap", {I64(0x1234567800000005LL)}), 5);
  EXPECT_EQ(call_i32(s, i, "lt_u", {I64(1), I64(-1)}), 1);
  EXPECT_EQ(call_i64(s, i, "addbig", {I64(1)}), 0x100000001LL);
  EXPECT_EQ(call_i64(s, i, "subk", {I64(1)}), 4);
  EXPECT_EQ(trap_of(s, i, "div_s", {I64(1), I64(0)}), "integer divide by zero");
  EXPECT_EQ(trap_of(s, i, "div_s", {I64(INT64_MIN), I64(-1)}), "integer overflow");
  EXPECT_EQ(trap_of(s, i, "rem_u", {I64(1), I64(0)}), "integer divide by zero");
}

TEST_F(Exec, FloatSemantics) {
  Store s;
  auto i = instantiate(R"((module
    (func (export "fmin") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
    (func (export "fmax") (param f64 f64) (result f64) (f64.max (local.get 0) (local.get 1)))
    (func (export "nearest") (param f64) (result f64) (f64.nearest (local.get 0)))
    (func (export "nearest32") (param f32) (result f32) (f32.nearest (local.get 0)))
    (func (export "copysign") (param f64 f64) (result f64) (f64.copysign (local.get 0) (local.get 1)))
    (func (export "neg") (param f32) (result f32) (f32.neg (local.get 0)))
    (func (export "abs") (param f64) (result f64) (f64.abs (local.get 0)))
    (func (export "sqrt") (param f64) (result f64) (f64.sqrt (local.get 0)))
    (func (export "div") (param f32 f32) (result f32) (f32.div (local.get 0) (local.get 1)))
    (func (export "trunc_s") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
    (func (export "trunc_u") (param f32) (result i64) (i64.trunc_f32_u (local.get 0)))
    (func (export "sat_s") (param f64) (result i32) (i32.trunc_sat_f64_s (local.get 0)))
    (func (export "sat_u") (param f32) (result i64) (i64.trunc_sat_f32_u (local.get 0)))
    (func (export "conv_u64") (param i64) (result f32) (f32.convert_i64_u (local.get 0)))
    (func (export "conv_u32") (param i32) (result f64) (f64.convert_i32_u (local.get 0)))
    (func (export "demote") (param f64) (result f32) (f32.demote_f64 (local.get 0)))
    (func (export "reinterpret") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))
    (func (export "lt") (param f64 f64) (result i32) (f64.lt (local.get 0) (local.get 1)))
    (func (export "ne") (param f32 f32) (result i32) (f32.ne (local.get 0) (local.get 1)))
  ))", s);
  auto f32r = [&](const char* n, std::initializer_list<Value> a) { auto r = call(s, i, n, a); return r.empty() ? 0.0f : r[0].f32(); };
  auto f64r = [&](const char* n, std::initializer_list<Value> a) { auto r = call(s, i, n, a); return r.empty() ? 0.0 : r[0].f64(); };
  EXPECT_TRUE(std::signbit(f32r("fmin", {F32(0.0f), F32(-0.0f)})));
  EXPECT_TRUE(std::isnan(f32r("fmin", {F32(1.0f), F32(NAN)})));
  EXPECT_FALSE(std::signbit(f64r("fmax", {F64(-0.0), F64(0.0)})));
  EXPECT_TRUE(std::isnan(f64r("fmax", {F64(NAN), F64(1.0)})));
  EXPECT_EQ(f64r("nearest", {F64(2.5)}), 2.0);
  EXPECT_EQ(f64r("nearest", {F64(3.5)}), 4.0);
  EXPECT_TRUE(std::signbit(f64r("nearest", {F64(-0.4)})));
  EXPECT_EQ(f32r("nearest32", {F32(-1.5f)}), -2.0f);
  EXPECT_EQ(f64r("copysign", {F64(3.0), F64(-0.0)}), -3.0);
  EXPECT_EQ(f64r("abs", {F64(-2.0)}), 2.0);
  EXPECT_EQ(f64r("sqrt", {F64(16.0)}), 4.0);
  EXPECT_TRUE(std::isinf(f32r("div", {F32(1.0f), F32(0.0f)})));
  // neg/abs only touch the sign bit, NaN payloads included.
  {
    auto r = call(s, i, "neg", {Value::f32_from_bits(0x7fa00001)});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].f32_bits(), 0xffa00001u);
  }
  EXPECT_EQ(call_i32(s, i, "trunc_s", {F64(-2147483648.9)}), INT32_MIN);
  EXPECT_EQ(call_i32(s, i, "trunc_s", {F64(-7.9)}), -7);
  EXPECT_EQ(trap_of(s, i, "trunc_s", {F64(2147483648.0)}), "integer overflow");
  EXPECT_EQ(trap_of(s, i, "trunc_s", {F64(NAN)}), "invalid conversion to integer");
  EXPECT_EQ(call_i64(s, i, "trunc_u", {F32(-0.9f)}), 0);
  EXPECT_EQ(trap_of(s, i, "trunc_u", {F32(-1.0f)}), "integer overflow");
  EXPECT_EQ(trap_of(s, i, "trunc_u", {F32(18446744073709551616.0f)}), "integer overflow");
  EXPECT_EQ(call_i32(s, i, "sat_s", {F64(1e10)}), INT32_MAX);
  EXPECT_EQ(call_i32(s, i, "sat_s", {F64(-1e10)}), INT32_MIN);
  EXPECT_EQ(call_i32(s, i, "sat_s", {F64(NAN)}), 0);
  EXPECT_EQ(call_i64(s, i, "sat_u", {F32(-5.0f)}), 0);
  EXPECT_EQ(uint64_t(call_i64(s, i, "sat_u", {F32(INFINITY)})), UINT64_MAX);
  EXPECT_EQ(f32r("conv_u64", {I64(-1)}), 18446744073709551616.0f);
  EXPECT_EQ(f64r("conv_u32", {I32(-1)}), 4294967295.0);
  EXPECT_EQ(f32r("demote", {F64(1.0000000596046448)}), 1.0f);  // ties to even
  EXPECT_EQ(call_i32(s, i, "reinterpret", {F32(-0.0f)}), INT32_MIN);
  EXPECT_EQ(call_i32(s, i, "lt", {F64(NAN), F64(1.0)}), 0);
  EXPECT_EQ(call_i32(s, i, "ne", {F32(NAN), F32(NAN)}), 1);
}

// ---------------------------------------------------------------------------
// Control flow

TEST_F(Exec, ControlFlow) {
  Store s;
  auto i = instantiate(R"((module
    (func (export "fac") (param i64) (result i64)
      (if (result i64) (i64.eqz (local.get 0))
        (then (i64.const 1))
        (else (i64.mul (local.get 0) (call 0 (i64.sub (local.get 0) (i64.const 1)))))))
    (func (export "sum") (param i32) (result i32) (local i32)
      (block $done
        (loop $l
          (br_if $done (i32.eqz (local.get 0)))
          (local.set 1 (i32.add (local.get 1) (local.get 0)))
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br $l)))
      (local.get 1))
    (func (export "switch") (param i32) (result i32)
      (block $d (block $c (block $b (block $a
        (br_table $a $b $c $d (local.get 0)))
        (return (i32.const 100)))
        (return (i32.const 101)))
        (return (i32.const 102)))
      (i32.const 103))
    (func (export "br_value") (param i32) (result i32)
      (block (result i32)
        (drop (br_if 0 (i32.const 42) (local.get 0)))
        (i32.const 7)))
    (func (export "swap") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
    (func (export "multi_block") (result i32)
      (block (result i32 i32) (i32.const 30) (i32.const 12))
      (i32.add))
    (func (export "block_params") (param i32) (result i32)
      (local.get 0)
      (block (param i32) (result i32) (i32.const 2) (i32.mul)))
    (func (export "loop_params") (param i32) (result i32) (local i32)
      (i32.const 1)
      (loop $l (param i32) (result i32)
        (i32.shl (i32.const 1))
        (local.tee 1)
        (br_if $l (i32.lt_u (local.get 1) (local.get 0)))))
    (func (export "select") (param i32) (result i64) (select (i64.const 10) (i64.const 20) (local.get 0)))
    (func (export "tee_alias") (param i32) (result i32)
      ;; the old value of local 0 must survive the set
      (local.get 0) (local.set 0 (i32.const 5)) (local.get 0) (i32.sub))
    (func (export "early_return") (param i32) (result i32)
      (if (local.get 0) (then (return (i32.const 1))))
      (i32.const 2))
    (func (export "unreachable") (unreachable))
  ))", s);
  EXPECT_EQ(call_i64(s, i, "fac", {I64(20)}), 2432902008176640000LL);
  EXPECT_EQ(call_i32(s, i, "sum", {I32(100)}), 5050);
  EXPECT_EQ(call_i32(s, i, "switch", {I32(0)}), 100);
  EXPECT_EQ(call_i32(s, i, "switch", {I32(2)}), 102);
  EXPECT_EQ(call_i32(s, i, "switch", {I32(3)}), 103);
  EXPECT_EQ(call_i32(s, i, "switch", {I32(-1)}), 103);
  EXPECT_EQ(call_i32(s, i, "br_value", {I32(1)}), 42);
  EXPECT_EQ(call_i32(s, i, "br_value", {I32(0)}), 7);
  auto sw = call(s, i, "swap", {I32(1), I32(2)});
  ASSERT_EQ(sw.size(), 2u);
  EXPECT_EQ(sw[0].i32(), 2);
  EXPECT_EQ(sw[1].i32(), 1);
  EXPECT_EQ(call_i32(s, i, "multi_block"), 42);
  EXPECT_EQ(call_i32(s, i, "block_params", {I32(21)}), 42);
  EXPECT_EQ(call_i32(s, i, "loop_params", {I32(0)}), 2);
  EXPECT_EQ(call_i32(s, i, "loop_params", {I32(100)}), 128);
  EXPECT_EQ(call_i64(s, i, "select", {I32(1)}), 10);
  EXPECT_EQ(call_i64(s, i, "select", {I32(0)}), 20);
  EXPECT_EQ(call_i32(s, i, "tee_alias", {I32(9)}), 4);
  EXPECT_EQ(call_i32(s, i, "early_return", {I32(1)}), 1);
  EXPECT_EQ(call_i32(s, i, "early_return", {I32(0)}), 2);
  EXPECT_EQ(trap_of(s, i, "unreachable"), "unreachable");
}

// The translator's fused forms must keep wasm semantics exactly.
TEST_F(Exec, FusedInstructionsKeepSemantics) {
  Store s;
  auto i = instantiate(R"((module
    (memory 1)
    (func (export "wrap_load") (param i32) (result i32)
      ;; (x + 8) wraps at 32 bits before the offset is added
      (i32.load offset=4 (i32.add (local.get 0) (i32.const 8))))
    (func (export "wrap_store") (param i32 i32)
      (i32.store (i32.add (local.get 0) (i32.const 8)) (local.get 1)))
    (func (export "load_add") (param i32 f64) (result f64)
      (f64.add (f64.load (local.get 0)) (local.get 1)))
    (func (export "load_sub_left") (param i32 f64) (result f64)
      (f64.sub (f64.load (local.get 0)) (local.get 1)))
    (func (export "sub_load_right") (param i32 f64) (result f64)
      (f64.sub (local.get 1) (f64.load (local.get 0))))
    (func (export "i32_sub_load") (param i32 i32) (result i32)
      (i32.sub (local.get 1) (i32.load (local.get 0))))
    (func (export "store_f64") (param i32 f64) (f64.store (local.get 0) (local.get 1)))
    (func (export "bit_test") (param i32) (result i32)
      (block $set (br_if $set (i32.and (local.get 0) (i32.const 4))) (return (i32.const 0)))
      (i32.const 1))
    (func (export "if_bit") (param i32) (result i32)
      (if (result i32) (i32.and (local.get 0) (i32.const 1)) (then (i32.const 11)) (else (i32.const 22))))
    (func (export "if_cmp") (param i32 i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (local.get 1)) (then (i32.const 1)) (else (i32.const 2))))
    (func (export "br_if_eqz_value") (param i32) (result i32)
      (block (result i32) (br_if 0 (i32.const 5) (i32.eqz (local.get 0))) (drop) (i32.const 6)))
    (func $locals (param i32) (result i32) (local i32 i64 f64 i32 i32 i32)
      ;; every declared local starts at zero on each call
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (local.set 5 (i32.add (local.get 5) (local.get 0)))
      (i32.add (local.get 1) (local.get 5)))
    (func (export "locals_twice") (result i32)
      (i32.add (call $locals (i32.const 3)) (call $locals (i32.const 4))))
    (func (export "indexed") (param i32 i32) (result i32)
      (i32.store8 (i32.add (local.get 0) (local.get 1)) (i32.const 9))
      ;; index computed into a temporary, constant value stored
      (i32.store8 (i32.add (local.get 0) (i32.add (local.get 1) (i32.const 1))) (i32.const 7))
      (i32.add (i32.load8_u (i32.add (local.get 0) (local.get 1)))
               (i32.load8_u offset=1 (i32.add (local.get 1) (local.get 0)))))
    (func (export "set_aliased") (param i32) (result i32) (local i32)
      ;; local.get 0 is still on the stack when local 0 is overwritten
      (local.get 0)
      (local.set 0 (i32.add (local.get 0) (i32.const 100)))
      (local.get 0)
      (i32.sub))
  ))", s);
  EXPECT_EQ(call_i32(s, i, "wrap_load", {I32(-4)}), 0);
  call(s, i, "wrap_store", {I32(-4), I32(77)});
  EXPECT_EQ(call_i32(s, i, "wrap_load", {I32(-8)}), 77);  // (-8 + 8) + 4 = 4
  EXPECT_EQ(trap_of(s, i, "wrap_load", {I32(65526)}), "out of bounds memory access");
  call(s, i, "store_f64", {I32(64), F64(10.0)});
  EXPECT_EQ(call(s, i, "load_add", {I32(64), F64(0.5)})[0].f64(), 10.5);
  EXPECT_EQ(call(s, i, "load_sub_left", {I32(64), F64(0.5)})[0].f64(), 9.5);
  EXPECT_EQ(call(s, i, "sub_load_right", {I32(64), F64(0.5)})[0].f64(), -9.5);
  EXPECT_EQ(trap_of(s, i, "load_add", {I32(65535), F64(0)}), "out of bounds memory access");
  EXPECT_EQ(call_i32(s, i, "i32_sub_load", {I32(4), I32(100)}), 23);
  EXPECT_EQ(call_i32(s, i, "bit_test", {I32(4)}), 1);
  EXPECT_EQ(call_i32(s, i, "bit_test", {I32(3)}), 0);
  EXPECT_EQ(call_i32(s, i, "if_bit", {I32(3)}), 11);
  EXPECT_EQ(call_i32(s, i, "if_bit", {I32(2)}), 22);
  EXPECT_EQ(call_i32(s, i, "if_cmp", {I32(1), I32(2)}), 1);
  EXPECT_EQ(call_i32(s, i, "if_cmp", {I32(-1), I32(2)}), 2);
  EXPECT_EQ(call_i32(s, i, "br_if_eqz_value", {I32(0)}), 5);
  EXPECT_EQ(call_i32(s, i, "br_if_eqz_value", {I32(1)}), 6);
  EXPECT_EQ(call_i32(s, i, "locals_twice"), 14);
  EXPECT_EQ(call_i32(s, i, "set_aliased", {I32(5)}), -100);
  EXPECT_EQ(call_i32(s, i, "indexed", {I32(100), I32(20)}), 16);
  EXPECT_EQ(call_i32(s, i, "indexed", {I32(-10), I32(30)}), 16);  // base + index wraps
  EXPECT_EQ(trap_of(s, i, "indexed", {I32(65535), I32(0)}), "out of bounds memory access");
}

// ---------------------------------------------------------------------------
// Memory

TEST_F(Exec, MemoryLoadsStoresAndTraps) {
  Store s;
  auto i = instantiate(R"((module
    (memory (export "memory") 1 3)
    (data (i32.const 16) "\01\02\03\04\ff")
    (func (export "load8_s") (param i32) (result i32) (i32.load8_s (local.get 0)))
    (func (export "load16_u") (param i32) (result i32) (i32.load16_u offset=1 (local.get 0)))
    (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
    (func (export "load64_32s") (param i32) (result i64) (i64.load32_s (local.get 0)))
    (func (export "store64") (param i32 i64) (i64.store offset=4 (local.get 0) (local.get 1)))
    (func (export "storef") (param i32 f64) (f64.store (local.get 0) (local.get 1)))
    (func (export "loadf") (param i32) (result f64) (f64.load (local.get 0)))
    (func (export "size") (result i32) (memory.size))
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
    (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  ))", s);
  EXPECT_EQ(call_i32(s, i, "load8_s", {I32(20)}), -1);
  EXPECT_EQ(call_i32(s, i, "load16_u", {I32(16)}), 0x0302);
  EXPECT_EQ(call_i32(s, i, "load32", {I32(16)}), 0x04030201);
  EXPECT_EQ(call_i64(s, i, "load64_32s", {I32(17)}), int64_t(int32_t(0xff040302)));
  call(s, i, "store64", {I32(100), I64(0x1122334455667788LL)});
  EXPECT_EQ(call_i32(s, i, "load32", {I32(104)}), 0x55667788);
  call(s, i, "storef", {I32(200), F64(1.5)});
  EXPECT_EQ(call(s, i, "loadf", {I32(200)})[0].f64(), 1.5);
  // Bounds: the last valid i32 address is 65532.
  EXPECT_EQ(call_i32(s, i, "load32", {I32(65532)}), 0);
  EXPECT_EQ(trap_of(s, i, "load32", {I32(65533)}), "out of bounds memory access");
  EXPECT_EQ(trap_of(s, i, "load32", {I32(-1)}), "out of bounds memory access");
  EXPECT_EQ(trap_of(s, i, "store64", {I32(65528), I64(1)}), "out of bounds memory access");  // +4 offset
  EXPECT_EQ(trap_of(s, i, "load16_u", {I32(65534)}), "out of bounds memory access");
  // Grow within the maximum, then past it.
  EXPECT_EQ(call_i32(s, i, "size"), 1);
  EXPECT_EQ(call_i32(s, i, "grow", {I32(1)}), 1);
  EXPECT_EQ(call_i32(s, i, "size"), 2);
  EXPECT_EQ(call_i32(s, i, "load32", {I32(65536 + 100)}), 0);  // new pages are zero
  EXPECT_EQ(call_i32(s, i, "grow", {I32(2)}), -1);
  EXPECT_EQ(call_i32(s, i, "grow", {I32(1)}), 2);
  // Bulk memory.
  call(s, i, "fill", {I32(1000), I32(0xab), I32(8)});
  EXPECT_EQ(call_i32(s, i, "load32", {I32(1004)}), int32_t(0xabababab));
  call(s, i, "copy", {I32(1002), I32(1000), I32(8)});  // overlapping
  EXPECT_EQ(call_i32(s, i, "load32", {I32(1008)}), 0x0000abab);
  EXPECT_EQ(call_i32(s, i, "load32", {I32(1002)}), int32_t(0xabababab));
  EXPECT_EQ(trap_of(s, i, "fill", {I32(3 * 65536 - 4), I32(0), I32(5)}), "out of bounds memory access");
  EXPECT_EQ(trap_of(s, i, "copy", {I32(0), I32(3 * 65536), I32(1)}), "out of bounds memory access");
  // Host view of the same memory.
  Memory mem = i.get_memory("memory");
  ASSERT_TRUE(mem);
  EXPECT_EQ(mem.pages(), 3u);
  EXPECT_EQ(mem.data()[16], 1);
  uint8_t buf[4];
  ASSERT_TRUE(mem.read(16, buf).ok());
  EXPECT_EQ(buf[3], 4);
  EXPECT_FALSE(mem.read(3 * 65536 - 2, buf).ok());
  const uint8_t w[2] = {9, 9};
  ASSERT_TRUE(mem.write(40, w).ok());
  EXPECT_EQ(call_i32(s, i, "load8_s", {I32(41)}), 9);
  EXPECT_EQ(mem.ptr(3 * 65536, 1), nullptr);
}

TEST_F(Exec, MemoryLimitFromConfig) {
  Config c;
  c.max_memory_pages = 4;
  Store s(c);
  auto i = instantiate(R"((module (memory 1)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))))", s);
  EXPECT_EQ(call_i32(s, i, "grow", {I32(3)}), 1);
  EXPECT_EQ(call_i32(s, i, "grow", {I32(1)}), -1);
  // A module whose minimum exceeds the limit does not instantiate.
  Module big = compile("(module (memory 5))");
  ASSERT_TRUE(big);
  EXPECT_FALSE(Linker().instantiate(s, big).ok());
}

TEST_F(Exec, PassiveDataAndDrop) {
  Store s;
  auto i = instantiate(R"((module (memory 1)
    (data $d "hello")
    (func (export "init") (param i32 i32 i32) (memory.init $d (local.get 0) (local.get 1) (local.get 2)))
    (func (export "drop") (data.drop $d))
    (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))))", s);
  call(s, i, "init", {I32(10), I32(1), I32(3)});
  EXPECT_EQ(call_i32(s, i, "load8", {I32(10)}), 'e');
  EXPECT_EQ(call_i32(s, i, "load8", {I32(12)}), 'l');
  EXPECT_EQ(trap_of(s, i, "init", {I32(0), I32(3), I32(3)}), "out of bounds memory access");
  call(s, i, "drop");
  EXPECT_EQ(trap_of(s, i, "init", {I32(0), I32(0), I32(1)}), "out of bounds memory access");
  call(s, i, "init", {I32(0), I32(0), I32(0)});  // zero length is fine after drop
}

// ---------------------------------------------------------------------------
// Tables, references, call_indirect

TEST_F(Exec, TablesAndCallIndirect) {
  Store s;
  auto i = instantiate(R"((module
    (type $ii (func (param i32) (result i32)))
    (type $v (func))
    (table $t (export "table") 4 10 funcref)
    (table $e 2 externref)
    (elem (table $t) (i32.const 0) func $double $triple)
    (elem $passive func $double $nop)
    (elem declare func $nop)
    (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
    (func $triple (type $ii) (i32.mul (local.get 0) (i32.const 3)))
    (func $nop (type $v))
    (func (export "call") (param i32 i32) (result i32)
      (call_indirect $t (type $ii) (local.get 1) (local.get 0)))
    (func (export "size") (result i32) (table.size $t))
    (func (export "grow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
    (func (export "init") (param i32 i32 i32) (table.init $t $passive (local.get 0) (local.get 1) (local.get 2)))
    (func (export "drop") (elem.drop $passive))
    (func (export "copy") (param i32 i32 i32) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
    (func (export "fill_null") (param i32 i32) (table.fill $t (local.get 0) (ref.null func) (local.get 1)))
    (func (export "is_null") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
    (func (export "set_ref") (param i32) (table.set $t (local.get 0) (ref.func $nop)))
    (func (export "set_extern") (param i32 externref) (table.set $e (local.get 0) (local.get 1)))
    (func (export "get_extern") (param i32) (result externref) (table.get $e (local.get 0)))
  ))", s);
  EXPECT_EQ(call_i32(s, i, "call", {I32(0), I32(21)}), 42);
  EXPECT_EQ(call_i32(s, i, "call", {I32(1), I32(5)}), 15);
  EXPECT_EQ(trap_of(s, i, "call", {I32(2), I32(0)}), "uninitialized element 2");
  EXPECT_EQ(trap_of(s, i, "call", {I32(4), I32(0)}), "undefined element");
  call(s, i, "set_ref", {I32(2)});
  EXPECT_EQ(trap_of(s, i, "call", {I32(2), I32(0)}), "indirect call type mismatch");
  EXPECT_EQ(call_i32(s, i, "size"), 4);
  EXPECT_EQ(call_i32(s, i, "grow", {I32(2)}), 4);
  EXPECT_EQ(call_i32(s, i, "grow", {I32(5)}), -1);
  EXPECT_EQ(call_i32(s, i, "size"), 6);
  call(s, i, "init", {I32(4), I32(0), I32(1)});
  EXPECT_EQ(call_i32(s, i, "call", {I32(4), I32(4)}), 8);
  EXPECT_EQ(trap_of(s, i, "init", {I32(5), I32(1), I32(2)}), "out of bounds table access");
  call(s, i, "copy", {I32(5), I32(1), I32(1)});
  EXPECT_EQ(call_i32(s, i, "call", {I32(5), I32(4)}), 12);
  call(s, i, "fill_null", {I32(0), I32(2)});
  EXPECT_EQ(call_i32(s, i, "is_null", {I32(0)}), 1);
  EXPECT_EQ(call_i32(s, i, "is_null", {I32(4)}), 0);
  EXPECT_EQ(trap_of(s, i, "is_null", {I32(6)}), "out of bounds table access");
  call(s, i, "drop");
  EXPECT_EQ(trap_of(s, i, "init", {I32(0), I32(0), I32(1)}), "out of bounds table access");
  // externref round trip, including the host value 0 (distinct from null).
  call(s, i, "set_extern", {I32(0), Value::externref(0)});
  auto r = call(s, i, "get_extern", {I32(0)});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].is_null());
  EXPECT_EQ(r[0].externref(), 0u);
  r = call(s, i, "get_extern", {I32(1)});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].is_null());
  // Host access to the table.
  Table t = i.get_table("table");
  ASSERT_TRUE(t);
  EXPECT_EQ(t.size(), 6u);
  auto e = t.get(5);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->funcref());
  auto fr = e->funcref().call(s, {I32(2)});
  ASSERT_TRUE(fr.ok());
  EXPECT_EQ((*fr)[0].i32(), 6);
}

TEST_F(Exec, Globals) {
  Store s;
  Linker l;
  auto g = Global::create(s, GlobalType{ValType::I64, true}, I64(5));
  ASSERT_TRUE(g.ok());
  ASSERT_TRUE(l.define("env", "g", *g).ok());
  auto k = Global::create(s, GlobalType{ValType::I64, false}, I64(5));
  ASSERT_TRUE(k.ok());
  ASSERT_TRUE(l.define("env", "k", *k).ok());
  auto i = instantiate(R"((module
    (import "env" "g" (global $g (mut i64)))
    (import "env" "k" (global $k i64))
    (global $c (export "c") i32 (i32.const 7))
    (global $m (export "m") (mut f32) (f32.const 1.5))
    (global $d i64 (global.get $k))
    (func (export "bump") (result i64) (global.set $g (i64.add (global.get $g) (i64.const 1))) (global.get $g))
    (func (export "d") (result i64) (global.get $d))
    (func (export "getm") (result f32) (global.get $m))))", s, l);
  EXPECT_EQ(call_i64(s, i, "bump"), 6);
  EXPECT_EQ(g->get().i64(), 6);
  EXPECT_EQ(call_i64(s, i, "d"), 5);
  ASSERT_TRUE(g->set(I64(100)).ok());
  EXPECT_EQ(call_i64(s, i, "bump"), 101);
  Global c = i.get_global("c");
  ASSERT_TRUE(c);
  EXPECT_EQ(c.get().i32(), 7);
  EXPECT_FALSE(c.set(I32(1)).ok());  // immutable
  Global m = i.get_global("m");
  EXPECT_FALSE(m.set(I32(1)).ok());  // wrong type
  ASSERT_TRUE(m.set(F32(2.5f)).ok());
  EXPECT_EQ(call(s, i, "getm")[0].f32(), 2.5f);
}

// ---------------------------------------------------------------------------
// Traps, backtraces, stack

TEST_F(Exec, TrapBacktraceHasNames) {
  Store s;
  auto i = instantiate(R"((module $mod
    (memory 1)
    (func $inner (param i32) (result i32) (i32.load (local.get 0)))
    (func $middle (param i32) (result i32) (call $inner (local.get 0)))
    (func $outer (export "outer") (param i32) (result i32) (call $middle (local.get 0)))))", s);
  auto r = i.get_func("outer").call(s, {I32(70000)});
  ASSERT_FALSE(r.ok());
  const Trap& t = r.error();
  EXPECT_EQ(t.message, "out of bounds memory access");
  EXPECT_FALSE(t.exit_code.has_value());
  ASSERT_EQ(t.backtrace.size(), 3u);
  EXPECT_EQ(t.backtrace[0].func_name, "inner");
  EXPECT_EQ(t.backtrace[0].func_index, 0u);
  EXPECT_EQ(t.backtrace[1].func_name, "middle");
  EXPECT_EQ(t.backtrace[2].func_name, "outer");
  EXPECT_EQ(t.backtrace[2].module_name, "mod");
  std::string text = t.to_string();
  EXPECT_NE(text.find("out of bounds memory access"), std::string::npos);
  EXPECT_NE(text.find("mod!inner (func[0])"), std::string::npos);
  EXPECT_NE(text.find("mod!outer (func[2])"), std::string::npos);
  // The store is usable after a trap.
  auto ok = i.get_func("outer").call(s, {I32(0)});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)[0].i32(), 0);
}

TEST_F(Exec, DeepRecursionAndStackExhaustion) {
  Store s;
  auto i = instantiate(R"((module
    (func $depth (export "depth") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0))
        (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $depth (i32.sub (local.get 0) (i32.const 1)))))))
    (func $forever (export "forever") (call $forever))
    (func $forever_indirect (export "forever_indirect") (param i64 i64 i64) (result i64)
      (i64.add (local.get 0) (call $forever_indirect (local.get 0) (local.get 1) (local.get 2))))))", s);
  EXPECT_EQ(call_i32(s, i, "depth", {I32(100000)}), 100000);
  EXPECT_EQ(call_i32(s, i, "depth", {I32(200000)}), 200000);
  auto r = i.get_func("forever").call(s, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "call stack exhausted");
  EXPECT_GT(r.error().backtrace.size(), 1000u);
  EXPECT_EQ(trap_of(s, i, "forever_indirect", {I64(1), I64(2), I64(3)}), "call stack exhausted");
  // Still usable afterwards.
  EXPECT_EQ(call_i32(s, i, "depth", {I32(10)}), 10);
}

TEST_F(Exec, CallDepthFromConfig) {
  Config c;
  c.max_call_depth = 1000;
  Store s(c);
  auto i = instantiate(R"((module
    (func $depth (export "depth") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0))
        (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $depth (i32.sub (local.get 0) (i32.const 1)))))))))", s);
  EXPECT_EQ(call_i32(s, i, "depth", {I32(900)}), 900);
  EXPECT_EQ(trap_of(s, i, "depth", {I32(5000)}), "call stack exhausted");
}

TEST_F(Exec, Fuel) {
  Config c;
  c.consume_fuel = true;
  Store s(c);
  auto i = instantiate(R"((module
    (func (export "spin") (param i32)
      (loop $l (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))))
    (func (export "forever") (loop $l (br $l)))))", s);
  s.set_fuel(1000);
  call(s, i, "spin", {I32(100)});
  uint64_t left = s.fuel();
  EXPECT_LT(left, 1000u - 100u);  // at least one unit per iteration
  EXPECT_GT(left, 0u);
  s.set_fuel(1000);
  EXPECT_EQ(trap_of(s, i, "spin", {I32(5000)}), "out of fuel");
  s.set_fuel(10000);
  EXPECT_EQ(trap_of(s, i, "forever"), "out of fuel");
  EXPECT_EQ(s.fuel(), 0u);
}

// ---------------------------------------------------------------------------
// Host functions and linking

TEST_F(Exec, HostFunctions) {
  Store s;
  Linker l;
  std::vector<int32_t> seen;
  ASSERT_TRUE(l.define_host(s, "env", "log", FuncType{{ValType::I32}, {}},
                            [&](Caller&, std::span<const Value> args, std::span<Value>) -> HostResult {
                              seen.push_back(args[0].i32());
                              return {};
                            })
                  .ok());
  ASSERT_TRUE(l.define_host(s, "env", "pair", FuncType{{ValType::I64}, {ValType::I64, ValType::F64}},
                            [](Caller&, std::span<const Value> args, std::span<Value> res) -> HostResult {
                              res[0] = Value::i64(args[0].i64() * 2);
                              res[1] = Value::f64(0.5);
                              return {};
                            })
                  .ok());
  // Raw form: reads the caller's memory.
  ASSERT_TRUE(l.define_host_raw(s, "env", "sum_bytes", FuncType{{ValType::I32, ValType::I32}, {ValType::I32}},
                                [](Caller& c, uint64_t* slots) -> HostResult {
                                  Memory m = c.memory();
                                  if (!m) return Trap("no memory");
                                  uint8_t* p = m.ptr(uint32_t(slots[0]), uint32_t(slots[1]));
                                  if (!p) return Trap("out of bounds memory access");
                                  uint32_t sum = 0;
                                  for (uint32_t k = 0; k < uint32_t(slots[1]); ++k) sum += p[k];
                                  slots[0] = sum;
                                  return {};
                                })
                  .ok());
  ASSERT_TRUE(l.define_host(s, "env", "exit", FuncType{{ValType::I32}, {}},
                            [](Caller&, std::span<const Value> args, std::span<Value>) -> HostResult {
                              return Trap::exit(args[0].i32());
                            })
                  .ok());
  auto i = instantiate(R"((module
    (import "env" "log" (func $log (param i32)))
    (import "env" "pair" (func $pair (param i64) (result i64 f64)))
    (import "env" "sum_bytes" (func $sum (param i32 i32) (result i32)))
    (import "env" "exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (data (i32.const 0) "\01\02\03\04")
    (func (export "run") (result i32)
      (call $log (i32.const 1))
      (call $log (i32.const 2))
      (call $sum (i32.const 0) (i32.const 4)))
    (func (export "pair") (result i64)
      (drop (call $pair (i64.const 21))))
    (func (export "bad") (result i32) (call $sum (i32.const 65535) (i32.const 4)))
    (func $quit (export "quit") (call $exit (i32.const 3)) (unreachable))))", s, l);
  EXPECT_EQ(call_i32(s, i, "run"), 10);
  EXPECT_EQ(seen, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(call_i64(s, i, "pair"), 42);
  EXPECT_EQ(trap_of(s, i, "bad"), "out of bounds memory access");
  auto r = i.get_func("quit").call(s, {});
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().exit_code.has_value());
  EXPECT_EQ(*r.error().exit_code, 3);
  ASSERT_GE(r.error().backtrace.size(), 1u);
  EXPECT_EQ(r.error().backtrace[0].func_name, "quit");
  // Host functions can be called directly too.
  auto direct = l.get("env", "pair")->func().call(s, {I64(4)});
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ((*direct)[0].i64(), 8);
  // Argument checking on Func::call.
  auto bad = i.get_func("run").call(s, {I32(1)});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("type mismatch"), std::string::npos);
}

TEST_F(Exec, ReentrantHostCalls) {
  // wasm -> host -> wasm -> host -> wasm, with the inner calls using the
  // value stack above the outer frames.
  Store s;
  Linker l;
  ASSERT_TRUE(l.define_host(s, "env", "reenter", FuncType{{ValType::I32}, {ValType::I32}},
                            [&](Caller& c, std::span<const Value> args, std::span<Value> res) -> HostResult {
                              Func f = c.instance().get_func("fib");
                              auto r = f.call(c.store(), {args[0]});
                              if (!r) return r.error();
                              res[0] = Value::i32((*r)[0].i32() + 1000);
                              return {};
                            })
                  .ok());
  auto i = instantiate(R"((module
    (import "env" "reenter" (func $re (param i32) (result i32)))
    (func $fib (export "fib") (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
        (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func (export "outer") (param i32) (result i32)
      (local i32)
      (local.set 1 (i32.const 77))
      (i32.add (call $re (local.get 0)) (local.get 1)))))", s, l);
  EXPECT_EQ(call_i32(s, i, "fib", {I32(20)}), 6765);
  EXPECT_EQ(call_i32(s, i, "outer", {I32(15)}), 610 + 1000 + 77);
}

TEST_F(Exec, LinkerErrors) {
  Store s;
  Linker l;
  Module m = compile(R"((module
    (import "env" "f" (func (param i32)))
    (import "env" "mem" (memory 2))))");
  ASSERT_TRUE(m);
  auto imports = m.imports();
  ASSERT_EQ(imports.size(), 2u);
  EXPECT_EQ(imports[0].module, "env");
  EXPECT_EQ(imports[0].name, "f");
  EXPECT_EQ(imports[0].type.kind, ExternKind::Func);
  EXPECT_EQ(imports[0].type.func.params, std::vector<ValType>{ValType::I32});
  EXPECT_EQ(imports[1].type.kind, ExternKind::Memory);
  EXPECT_EQ(imports[1].type.memory.limits.min, 2u);

  auto r = l.instantiate(s, m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "unknown import: env.f");

  auto small = Memory::create(s, MemoryType{Limits{1, std::nullopt}});
  ASSERT_TRUE(small.ok());
  ASSERT_TRUE(l.define("env", "mem", *small).ok());
  ASSERT_TRUE(l.define_host(s, "env", "f", FuncType{{ValType::I64}, {}},
                            [](Caller&, std::span<const Value>, std::span<Value>) -> HostResult { return {}; })
                  .ok());
  r = l.instantiate(s, m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("incompatible import type: env.f", 0), 0u) << r.error().message;

  // Duplicate definitions are rejected unless shadowing is allowed.
  auto dup = l.define_host(s, "env", "f", FuncType{{ValType::I32}, {}},
                           [](Caller&, std::span<const Value>, std::span<Value>) -> HostResult { return {}; });
  EXPECT_FALSE(dup.ok());
  l.allow_shadowing(true);
  ASSERT_TRUE(l.define_host(s, "env", "f", FuncType{{ValType::I32}, {}},
                            [](Caller&, std::span<const Value>, std::span<Value>) -> HostResult { return {}; })
                  .ok());
  // Memory too small for the import's minimum.
  r = l.instantiate(s, m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("incompatible import type: env.mem", 0), 0u) << r.error().message;
  auto big = Memory::create(s, MemoryType{Limits{2, std::nullopt}});
  ASSERT_TRUE(big.ok());
  ASSERT_TRUE(l.define("env", "mem", *big).ok());
  EXPECT_TRUE(l.instantiate(s, m).ok());

  // Bad binaries are errors with an offset, not crashes.
  const uint8_t junk[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0xff};
  auto bad = Module::compile(junk);
  EXPECT_FALSE(bad.ok());
}

TEST_F(Exec, CrossInstanceLinkingAndStart) {
  Store s;
  Linker l;
  auto a = instantiate(R"((module $a
    (memory (export "mem") 1)
    (global (export "base") i32 (i32.const 8))
    (table (export "tab") 2 funcref)
    (func $get (export "get") (param i32) (result i32) (i32.load (local.get 0)))
    (elem (i32.const 0) $get)))", s);
  ASSERT_TRUE(l.define_instance("a", a).ok());
  auto b = instantiate(R"((module $b
    (import "a" "mem" (memory 1))
    (import "a" "base" (global $base i32))
    (import "a" "get" (func $get (param i32) (result i32)))
    (import "a" "tab" (table 2 funcref))
    (type $t (func (param i32) (result i32)))
    (func $start (i32.store (global.get $base) (i32.const 1234)))
    (start $start)
    (func (export "via_import") (result i32) (call $get (global.get $base)))
    (func (export "via_table") (result i32) (call_indirect (type $t) (global.get $base) (i32.const 0)))))", s, l);
  EXPECT_EQ(call_i32(s, b, "via_import"), 1234);
  EXPECT_EQ(call_i32(s, b, "via_table"), 1234);
  EXPECT_EQ(call_i32(s, a, "get", {I32(8)}), 1234);

  // A trapping start function fails instantiation with the trap message.
  Module bad = compile("(module (func $s unreachable) (start $s))");
  ASSERT_TRUE(bad);
  auto r = l.instantiate(s, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "unreachable");

  // Segment initialisation is in order; an out-of-bounds segment traps after
  // the earlier ones were written (Wasm 2.0).
  Module seg = compile(R"((module
    (import "a" "mem" (memory 1))
    (data (i32.const 100) "\2a")
    (data (i32.const 65536) "x")))");
  ASSERT_TRUE(seg);
  r = l.instantiate(s, seg);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "out of bounds memory access");
  EXPECT_EQ(a.get_memory("mem").data()[100], 0x2a);
}

TEST_F(Exec, ModuleExportsAndValues) {
  Module m = compile(R"((module $named
    (func (export "f") (param f32) (result i64) (i64.const 0))
    (memory (export "m") 1 2)
    (global (export "g") (mut i32) (i32.const 0))
    (table (export "t") 1 externref)))");
  ASSERT_TRUE(m);
  EXPECT_EQ(m.name(), std::optional<std::string>("named"));
  auto ex = m.exports();
  ASSERT_EQ(ex.size(), 4u);
  EXPECT_EQ(ex[0].name, "f");
  EXPECT_EQ(ex[0].type.to_string(), "func (f32) -> (i64)");
  EXPECT_EQ(ex[1].type.to_string(), "memory 1..2");
  EXPECT_EQ(ex[2].type.to_string(), "global mut i32");
  EXPECT_EQ(ex[3].type.table.elem, ValType::ExternRef);

  EXPECT_EQ(Value::i32(-1).to_string(), "i32:-1");
  EXPECT_EQ(Value::null_ref(ValType::FuncRef).to_string(), "funcref:null");
  EXPECT_EQ(Value::f64(1.0), Value::f64(1.0));
  EXPECT_FALSE(Value::f32_from_bits(0x7fc00000) == Value::f32_from_bits(0x7fc00001));
  EXPECT_FALSE(Value::externref(0) == Value::null_ref(ValType::ExternRef));
  EXPECT_TRUE(Value::zero(ValType::ExternRef).is_null());
  Trap t = Trap::exit(7);
  EXPECT_EQ(t.exit_code, std::optional<int32_t>(7));
}

}  // namespace
