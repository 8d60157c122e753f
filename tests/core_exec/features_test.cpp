// Post-2.0 core features behind Config flags: multi-memory and exception
// handling (the final "exnref" form: tags, throw, throw_ref, try_table).
//
// wabt 1.0.32 knows neither feature's text syntax, so modules are assembled
// with `jco parse` (wasm-tools' text parser, from .tools/node_modules; run
// scripts/setup.sh) at test time; without jco every test is skipped with the
// reason printed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "compono/core.h"

using namespace compono::wasm;

namespace {

std::string jco_path() { return std::string(COMPONO_SOURCE_DIR) + "/.tools/node_modules/.bin/jco"; }

bool have_jco() {
  static const bool have = access(jco_path().c_str(), X_OK) == 0 && std::system("node --version >/dev/null 2>&1") == 0;
  return have;
}

// Text -> binary with `jco parse`.
bool assemble(const std::string& wat, std::vector<uint8_t>& out, std::string& err) {
  static std::atomic<int> counter{0};
  const char* tmp = std::getenv("TMPDIR");
  std::string base = std::string(tmp ? tmp : "/tmp") + "/compono_features_" + std::to_string(getpid()) + "_" +
                     std::to_string(counter++);
  std::string in = base + ".wat", wasm = base + ".wasm", log = base + ".log";
  if (FILE* f = std::fopen(in.c_str(), "wb")) {
    std::fwrite(wat.data(), 1, wat.size(), f);
    std::fclose(f);
  } else {
    err = "cannot write " + in;
    return false;
  }
  std::string cmd = "'" + jco_path() + "' parse '" + in + "' -o '" + wasm + "' >'" + log + "' 2>&1";
  bool ok = std::system(cmd.c_str()) == 0;
  if (ok) {
    FILE* w = std::fopen(wasm.c_str(), "rb");
    if (!w) {
      ok = false;
      err = "jco parse wrote no output";
    } else {
      out.clear();
      uint8_t buf[4096];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, w)) > 0) out.insert(out.end(), buf, buf + n);
      std::fclose(w);
    }
  } else if (FILE* l = std::fopen(log.c_str(), "rb")) {
    char buf[4096];
    size_t n = std::fread(buf, 1, sizeof buf, l);
    err.assign(buf, n);
    std::fclose(l);
  }
  std::remove(in.c_str());
  std::remove(wasm.c_str());
  std::remove(log.c_str());
  return ok;
}

Config features_on() {
  Config c;
  c.multi_memory = true;
  c.exceptions = true;
  return c;
}

class Features : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_jco()) GTEST_SKIP() << "jco (" << jco_path() << ") or node not available: run scripts/setup.sh";
  }

  std::vector<uint8_t> bytes(const std::string& wat) {
    std::vector<uint8_t> b;
    std::string err;
    if (!assemble(wat, b, err)) ADD_FAILURE() << "jco parse: " << err;
    return b;
  }
  Module compile(const std::string& wat, const Config& config = features_on()) {
    auto m = Module::compile(bytes(wat), config);
    if (!m) {
      ADD_FAILURE() << "compile: " << m.error().to_string();
      return Module();
    }
    return *m;
  }
  Instance instantiate(Store& store, const std::string& wat, const Linker& linker = Linker()) {
    Module m = compile(wat);
    if (!m) return Instance();
    auto i = linker.instantiate(store, m);
    if (!i) {
      ADD_FAILURE() << "instantiate: " << i.error().to_string();
      return Instance();
    }
    return *i;
  }
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
  int32_t i32(Store& s, Instance i, const char* name, std::initializer_list<Value> args = {}) {
    auto r = call(s, i, name, args);
    if (r.size() != 1 || r[0].type() != ValType::I32) {
      ADD_FAILURE() << name << ": expected one i32 result";
      return -12345;
    }
    return r[0].i32();
  }
  std::string trap(Store& s, Instance i, const char* name, std::initializer_list<Value> args = {}) {
    Func f = i.get_func(name);
    if (!f) return "no export";
    auto r = f.call(s, args);
    if (r) return "no trap";
    return r.error().message;
  }
};

// ---------------------------------------------------------------------------
// Multi-memory

const char* kTwoMemories = R"(
(module
  (memory $a (export "a") 1)
  (memory $b (export "b") 2 3)
  (data (memory $b) (i32.const 16) "\2a\00\00\00")
  (data $passive "hello")
  (func (export "store_a") (param i32 i32) (i32.store $a (local.get 0) (local.get 1)))
  (func (export "store_b") (param i32 i32) (i32.store $b (local.get 0) (local.get 1)))
  (func (export "load_a") (param i32) (result i32) (i32.load $a (local.get 0)))
  (func (export "load_b") (param i32) (result i32) (i32.load $b (local.get 0)))
  (func (export "load_b_off") (param i32) (result i32) (i32.load $b offset=4 (local.get 0)))
  (func (export "load8_s_b") (param i32) (result i32) (i32.load8_s $b (local.get 0)))
  (func (export "load16_u_b") (param i32) (result i32) (i32.load16_u $b (local.get 0)))
  (func (export "i64_b") (param i32 i64) (result i64)
    (i64.store $b (local.get 0) (local.get 1))
    (i64.load32_s $b (local.get 0)))
  (func (export "f64_b") (param i32 f64) (result f64)
    (f64.store $b (local.get 0) (local.get 1))
    (f64.load $b (local.get 0)))
  (func (export "size_a") (result i32) (memory.size $a))
  (func (export "size_b") (result i32) (memory.size $b))
  (func (export "grow_b") (param i32) (result i32) (memory.grow $b (local.get 0)))
  (func (export "copy_b_to_a") (param i32 i32 i32) (memory.copy $a $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_a_to_b") (param i32 i32 i32) (memory.copy $b $a (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_b_to_b") (param i32 i32 i32) (memory.copy $b $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "fill_b") (param i32 i32 i32) (memory.fill $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_b") (param i32 i32 i32) (memory.init $b $passive (local.get 0) (local.get 1) (local.get 2)))
)
)";

TEST_F(Features, MultiMemoryIndependentMemories) {
  Store store;
  Instance inst = instantiate(store, kTwoMemories);
  ASSERT_TRUE(inst);
  // The active data segment went to memory 1 only.
  EXPECT_EQ(i32(store, inst, "load_b", {Value::i32(16)}), 42);
  EXPECT_EQ(i32(store, inst, "load_a", {Value::i32(16)}), 0);
  call(store, inst, "store_a", {Value::i32(100), Value::i32(111)});
  call(store, inst, "store_b", {Value::i32(100), Value::i32(222)});
  EXPECT_EQ(i32(store, inst, "load_a", {Value::i32(100)}), 111);
  EXPECT_EQ(i32(store, inst, "load_b", {Value::i32(100)}), 222);
  EXPECT_EQ(i32(store, inst, "load_b_off", {Value::i32(96)}), 222);
  call(store, inst, "store_b", {Value::i32(200), Value::i32(-2)});
  EXPECT_EQ(i32(store, inst, "load8_s_b", {Value::i32(200)}), -2);
  EXPECT_EQ(i32(store, inst, "load16_u_b", {Value::i32(200)}), 0xfffe);
  auto r = call(store, inst, "i64_b", {Value::i32(300), Value::i64(-5)});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].i64(), -5);
  r = call(store, inst, "f64_b", {Value::i32(400), Value::f64(2.5)});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].f64(), 2.5);
  // The host sees the same bytes through the exported handles.
  Memory a = inst.get_memory("a"), b = inst.get_memory("b");
  ASSERT_TRUE(a && b);
  EXPECT_NE(a, b);
  int32_t v = 0;
  std::memcpy(&v, b.data() + 100, 4);
  EXPECT_EQ(v, 222);
  std::memcpy(&v, a.data() + 100, 4);
  EXPECT_EQ(v, 111);
  // Sizes and growth are per memory.
  EXPECT_EQ(i32(store, inst, "size_a"), 1);
  EXPECT_EQ(i32(store, inst, "size_b"), 2);
  EXPECT_EQ(i32(store, inst, "grow_b", {Value::i32(1)}), 2);
  EXPECT_EQ(i32(store, inst, "grow_b", {Value::i32(1)}), -1);  // max 3
  EXPECT_EQ(i32(store, inst, "size_b"), 3);
  EXPECT_EQ(i32(store, inst, "size_a"), 1);
  EXPECT_EQ(b.pages(), 3u);
}

TEST_F(Features, MultiMemoryCopyFillInit) {
  Store store;
  Instance inst = instantiate(store, kTwoMemories);
  ASSERT_TRUE(inst);
  call(store, inst, "store_a", {Value::i32(0), Value::i32(0x04030201)});
  call(store, inst, "copy_a_to_b", {Value::i32(1000), Value::i32(0), Value::i32(4)});
  EXPECT_EQ(i32(store, inst, "load_b", {Value::i32(1000)}), 0x04030201);
  call(store, inst, "copy_b_to_a", {Value::i32(50), Value::i32(16), Value::i32(4)});
  EXPECT_EQ(i32(store, inst, "load_a", {Value::i32(50)}), 42);
  // Overlapping copy within memory 1.
  call(store, inst, "copy_b_to_b", {Value::i32(1001), Value::i32(1000), Value::i32(4)});
  EXPECT_EQ(i32(store, inst, "load_b", {Value::i32(1000)}), 0x03020101);
  call(store, inst, "fill_b", {Value::i32(2000), Value::i32(0xab), Value::i32(3)});
  EXPECT_EQ(i32(store, inst, "load_b", {Value::i32(2000)}), 0x00ababab);
  EXPECT_EQ(i32(store, inst, "load_a", {Value::i32(2000)}), 0);
  call(store, inst, "init_b", {Value::i32(3000), Value::i32(1), Value::i32(4)});  // "ello"
  EXPECT_EQ(i32(store, inst, "load_b", {Value::i32(3000)}), 0x6f6c6c65);
  EXPECT_EQ(i32(store, inst, "load_a", {Value::i32(3000)}), 0);
}

TEST_F(Features, MultiMemoryBoundsTrapPerMemory) {
  Store store;
  Instance inst = instantiate(store, kTwoMemories);
  ASSERT_TRUE(inst);
  // Memory 0 has 1 page, memory 1 has 2: an address valid only in memory 1.
  EXPECT_EQ(trap(store, inst, "load_a", {Value::i32(65536)}), "out of bounds memory access");
  EXPECT_EQ(i32(store, inst, "load_b", {Value::i32(65536)}), 0);
  EXPECT_EQ(trap(store, inst, "load_b", {Value::i32(2 * 65536 - 2)}), "out of bounds memory access");
  EXPECT_EQ(trap(store, inst, "store_b", {Value::i32(2 * 65536), Value::i32(1)}), "out of bounds memory access");
  EXPECT_EQ(trap(store, inst, "load_b_off", {Value::i32(-1)}), "out of bounds memory access");
  EXPECT_EQ(trap(store, inst, "copy_b_to_a", {Value::i32(65535), Value::i32(0), Value::i32(2)}),
            "out of bounds memory access");
  EXPECT_EQ(trap(store, inst, "copy_a_to_b", {Value::i32(0), Value::i32(65535), Value::i32(2)}),
            "out of bounds memory access");
  EXPECT_EQ(trap(store, inst, "fill_b", {Value::i32(2 * 65536), Value::i32(0), Value::i32(1)}),
            "out of bounds memory access");
  EXPECT_EQ(trap(store, inst, "init_b", {Value::i32(0), Value::i32(3), Value::i32(3)}), "out of bounds memory access");
  // After growing memory 1 the same address is in bounds there.
  EXPECT_EQ(i32(store, inst, "grow_b", {Value::i32(1)}), 2);
  EXPECT_EQ(i32(store, inst, "load_b", {Value::i32(2 * 65536)}), 0);
}

TEST_F(Features, MultiMemoryImportsAndExports) {
  Store store;
  Instance provider = instantiate(store, R"(
    (module (memory (export "m0") 1) (memory (export "m1") 1)
      (func (export "put1") (param i32 i32) (i32.store 1 (local.get 0) (local.get 1))))
  )");
  ASSERT_TRUE(provider);
  Linker linker;
  ASSERT_TRUE(linker.define_instance("p", provider).has_value());
  auto own = Memory::create(store, MemoryType{Limits{1, std::nullopt}});
  ASSERT_TRUE(own.has_value());
  ASSERT_TRUE(linker.define("host", "mem", *own).has_value());
  Instance user = instantiate(store, R"(
    (module
      (import "p" "m1" (memory $x 1))
      (import "host" "mem" (memory $y 1))
      (import "p" "m0" (memory $z 1))
      (memory $local 1)
      (func (export "get_x") (param i32) (result i32) (i32.load $x (local.get 0)))
      (func (export "put_y") (param i32 i32) (i32.store $y (local.get 0) (local.get 1)))
      (func (export "put_z") (param i32 i32) (i32.store $z (local.get 0) (local.get 1)))
      (func (export "get_local") (param i32) (result i32) (i32.load $local (local.get 0)))
      (export "local" (memory $local)))
  )", linker);
  ASSERT_TRUE(user);
  auto imports = user.module().imports();
  ASSERT_EQ(imports.size(), 3u);
  for (auto& im : imports) EXPECT_EQ(im.type.kind, ExternKind::Memory);
  // A write through the provider's memory 1 is seen by the importer's memory 0 ($x).
  call(store, provider, "put1", {Value::i32(8), Value::i32(77)});
  EXPECT_EQ(i32(store, user, "get_x", {Value::i32(8)}), 77);
  call(store, user, "put_y", {Value::i32(4), Value::i32(55)});
  int32_t v = 0;
  std::memcpy(&v, own->data() + 4, 4);
  EXPECT_EQ(v, 55);
  call(store, user, "put_z", {Value::i32(12), Value::i32(66)});
  std::memcpy(&v, provider.get_memory("m0").data() + 12, 4);
  EXPECT_EQ(v, 66);
  std::memcpy(&v, provider.get_memory("m1").data() + 12, 4);
  EXPECT_EQ(v, 0);
  EXPECT_EQ(i32(store, user, "get_local", {Value::i32(8)}), 0);
  EXPECT_TRUE(user.get_memory("local"));
}

TEST_F(Features, MultiMemorySameMemoryTwiceGrowSeenByBoth) {
  // One memory imported as memory 0 and memory 1: growing it through memory 1
  // must be visible to memory-0 accesses in the same call.
  Store store;
  auto mem = Memory::create(store, MemoryType{Limits{1, std::nullopt}});
  ASSERT_TRUE(mem.has_value());
  Linker linker;
  ASSERT_TRUE(linker.define("e", "m", *mem).has_value());
  Instance inst = instantiate(store, R"(
    (module
      (import "e" "m" (memory $a 1))
      (import "e" "m" (memory $b 1))
      (func (export "f") (result i32)
        (drop (memory.grow $b (i32.const 1)))
        (i32.store $a (i32.const 70000) (i32.const 9))
        (i32.add (memory.size $a) (i32.load $b (i32.const 70000)))))
  )", linker);
  ASSERT_TRUE(inst);
  EXPECT_EQ(i32(store, inst, "f"), 2 + 9);
}

TEST_F(Features, MultiMemoryRequiresTheFlag) {
  auto b = bytes("(module (memory 1) (memory 1))");
  auto m = Module::compile(b);  // Wasm 2.0
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().message, "multiple memories require the multi-memory feature");
  Config c;
  c.multi_memory = true;
  EXPECT_TRUE(Module::compile(b, c).has_value());
  // A memory index immediate on a load is an alignment error in Wasm 2.0.
  auto b2 = bytes("(module (memory 1) (func (result i32) (i32.load 0 (i32.const 0))))");
  // (jco encodes memory 0 without the index; build the explicit form by hand.)
  std::vector<uint8_t> hand = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                               0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,        // type () -> i32
                               0x03, 0x02, 0x01, 0x00,                          // func
                               0x05, 0x03, 0x01, 0x00, 0x01,                    // memory 1
                               0x0a, 0x0a, 0x01, 0x08, 0x00,                    // code
                               0x41, 0x00, 0x28, 0x42, 0x00, 0x00, 0x0b};       // i32.load align=2|0x40 mem 0 off 0
  ASSERT_TRUE(Module::compile(b2).has_value());
  auto off = Module::compile(hand);
  ASSERT_FALSE(off.has_value());
  EXPECT_NE(off.error().message.find("alignment"), std::string::npos) << off.error().message;
  auto on = Module::compile(hand, c);
  EXPECT_TRUE(on.has_value()) << on.error().to_string();
  // Memory index out of range.
  hand[hand.size() - 3] = 0x01;
  auto bad = Module::compile(hand, c);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message.rfind("unknown memory 1", 0), 0u) << bad.error().message;
}

// ---------------------------------------------------------------------------
// Exception handling

TEST_F(Features, ExceptionsCatchByTag) {
  Store store;
  Instance inst = instantiate(store, R"(
    (module
      (tag $a (param i32))
      (tag $b (param i32))
      (func $thrower (param i32 i32)
        (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $a (local.get 1))))
        (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $b (local.get 1)))))
      (func (export "run") (param i32 i32) (result i32)
        (block $ha (result i32)
          (block $hb (result i32)
            (try_table (catch $a $ha) (catch $b $hb)
              (call $thrower (local.get 0) (local.get 1)))
            (return (i32.const -1)))
          ;; caught $b: payload + 1000
          (return (i32.add (i32.const 1000))))
        ;; caught $a: payload as is
        ))
  )");
  ASSERT_TRUE(inst);
  EXPECT_EQ(i32(store, inst, "run", {Value::i32(0), Value::i32(5)}), -1);
  EXPECT_EQ(i32(store, inst, "run", {Value::i32(1), Value::i32(5)}), 5);
  EXPECT_EQ(i32(store, inst, "run", {Value::i32(2), Value::i32(5)}), 1005);
}

TEST_F(Features, ExceptionsPayloadOfSeveralTypes) {
  Store store;
  Instance inst = instantiate(store, R"(
    (module
      (tag $t (param i32 i64 f32 f64 externref funcref))
      (func $f (export "f") (result i32) (i32.const 17))
      (elem declare func $f)
      (func (export "run") (param externref) (result i32 i64 f32 f64 externref funcref)
        (block $h (result i32 i64 f32 f64 externref funcref)
          (try_table (catch $t $h)
            (throw $t (i32.const -7) (i64.const 0x123456789abcdef0) (f32.const 1.5) (f64.const -2.25)
                      (local.get 0) (ref.func $f)))
          (unreachable))))
  )");
  ASSERT_TRUE(inst);
  auto r = call(store, inst, "run", {Value::externref(99)});
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0].i32(), -7);
  EXPECT_EQ(r[1].i64(), 0x123456789abcdef0);
  EXPECT_EQ(r[2].f32(), 1.5f);
  EXPECT_EQ(r[3].f64(), -2.25);
  ASSERT_FALSE(r[4].is_null());
  EXPECT_EQ(r[4].externref(), 99u);
  ASSERT_FALSE(r[5].is_null());
  EXPECT_EQ(r[5].funcref(), inst.get_func("f"));
}

TEST_F(Features, ExceptionsCatchRefAndThrowRefRethrow) {
  Store store;
  Instance inst = instantiate(store, R"(
    (module
      (tag $t (param i32))
      (global $seen (mut i32) (i32.const 0))
      (func $inner (param i32) (local $e exnref)
        ;; catch_ref: payload and exnref; note the payload, then rethrow the same exception.
        (block $h (result i32 exnref)
          (try_table (catch_ref $t $h) (throw $t (local.get 0)))
          (return))
        (local.set $e)
        (global.set $seen)
        (throw_ref (local.get $e)))
      (func (export "run") (param i32) (result i32)
        (block $h (result i32)
          (try_table (catch $t $h) (call $inner (local.get 0)))
          (return (i32.const -1)))
        (i32.add (i32.mul (global.get $seen) (i32.const 100))))
      (func (export "null") (throw_ref (ref.null exn))))
  )");
  ASSERT_TRUE(inst);
  EXPECT_EQ(i32(store, inst, "run", {Value::i32(3)}), 303);
  EXPECT_EQ(trap(store, inst, "null"), "null exception reference");
}

TEST_F(Features, ExceptionsCatchAllAndCatchAllRef) {
  Store store;
  Instance inst = instantiate(store, R"(
    (module
      (tag $a (param i32))
      (tag $b)
      (func $throw (param i32)
        (if (local.get 0) (then (throw $a (local.get 0))) (else (throw $b))))
      (func (export "all") (param i32) (result i32)
        (block $h
          (try_table (catch_all $h) (call $throw (local.get 0)))
          (return (i32.const -1)))
        (i32.const 1))
      ;; catch_all_ref hands the exnref out; a later catch by tag gets the payload.
      (func $grab (param i32) (result exnref)
        (block $h (result exnref)
          (try_table (catch_all_ref $h) (call $throw (local.get 0)))
          (unreachable)))
      (func (export "all_ref") (param i32) (result i32)
        (local $e exnref)
        (local.set $e (call $grab (local.get 0)))
        (if (ref.is_null (local.get $e)) (then (return (i32.const -2))))
        (block $ha (result i32)
          (block $hb
            (try_table (catch $a $ha) (catch $b $hb) (throw_ref (local.get $e)))
            (return (i32.const -3)))
          (return (i32.const 500)))))
  )");
  ASSERT_TRUE(inst);
  EXPECT_EQ(i32(store, inst, "all", {Value::i32(4)}), 1);
  EXPECT_EQ(i32(store, inst, "all", {Value::i32(0)}), 1);
  EXPECT_EQ(i32(store, inst, "all_ref", {Value::i32(8)}), 8);
  EXPECT_EQ(i32(store, inst, "all_ref", {Value::i32(0)}), 500);
}

TEST_F(Features, ExceptionsNestedTryTables) {
  Store store;
  Instance inst = instantiate(store, R"(
    (module
      (tag $a (param i32))
      (tag $b (param i32))
      (func $throw (param i32 i32)
        (if (local.get 0) (then (throw $a (local.get 1))) (else (throw $b (local.get 1)))))
      (func (export "run") (param i32 i32) (result i32)
        (local $r i32)
        (block $outer (result i32)
          (try_table (catch $b $outer)
            (block $inner (result i32)
              (try_table (catch $a $inner)
                (call $throw (local.get 0) (local.get 1)))
              (unreachable))
            ;; inner caught $a: value + 10, and execution continues in the outer try_table
            (local.set $r (i32.add (i32.const 10)))
            (throw $b (i32.add (local.get $r) (i32.const 1000))))
          (unreachable)))
      ;; A try_table's catch does not cover its own handlers' code: the
      ;; rethrow from the catch block goes to the enclosing handler.
      (func (export "sibling") (result i32)
        (block $l (result i32)
          (try_table (catch $b $l)
            (block $h (result i32)
              (try_table (catch $a $h) (throw $a (i32.const 1)))
              (unreachable))
            (throw $b (i32.const 2)))
          (unreachable))))
  )");
  ASSERT_TRUE(inst);
  // $a: caught inside (+10), then $b thrown to the outer handler (+1000).
  EXPECT_EQ(i32(store, inst, "run", {Value::i32(1), Value::i32(5)}), 1015);
  // $b: passes the inner try_table, caught outside.
  EXPECT_EQ(i32(store, inst, "run", {Value::i32(0), Value::i32(5)}), 5);
  EXPECT_EQ(i32(store, inst, "sibling"), 2);
}

TEST_F(Features, ExceptionsAcrossManyFramesAndRepeatedly) {
  Store store;
  Instance inst = instantiate(store, R"(
    (module
      (tag $t (param i32))
      (func $deep (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
          (then (throw $t (i32.const 123)))
          (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1)))))))
      (func (export "deep") (param i32) (result i32)
        (block $h (result i32)
          (try_table (catch $t $h) (drop (call $deep (local.get 0))))
          (i32.const -1)))
      ;; Throw and catch in a loop: exceptions are recycled, frames restored.
      (func (export "loop") (param i32) (result i32)
        (local $sum i32)
        (loop $l
          (block $h (result i32)
            (try_table (catch $t $h) (drop (call $deep (i32.const 3))))
            (unreachable))
          (local.set $sum (i32.add (local.get $sum)))
          (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
        (local.get $sum))
      ;; The handler is in the function's own body: a catch to the function label returns.
      (func (export "to_func_label") (result i32)
        (try_table (catch $t 0) (throw $t (i32.const 77)))
        (i32.const -1)))
  )");
  ASSERT_TRUE(inst);
  EXPECT_EQ(i32(store, inst, "deep", {Value::i32(10000)}), 123);
  EXPECT_EQ(i32(store, inst, "deep", {Value::i32(0)}), 123);
  EXPECT_EQ(i32(store, inst, "loop", {Value::i32(100000)}), 123 * 100000);
  EXPECT_EQ(i32(store, inst, "to_func_label"), 77);
  // The stack is intact afterwards.
  EXPECT_EQ(i32(store, inst, "deep", {Value::i32(50)}), 123);
}

TEST_F(Features, ExceptionsUncaughtBecomesTrap) {
  Store store;
  Instance inst = instantiate(store, R"(
    (module
      (tag $t (param i32))
      (tag $u)
      (func $throw (export "throw") (param i32) (throw $t (local.get 0)))
      (func (export "wrong_tag") (param i32) (result i32)
        (block $h
          (try_table (catch $u $h) (call $throw (local.get 0)))
          (return (i32.const 0)))
        (i32.const 1))
      (func (export "ok") (result i32) (i32.const 5)))
  )");
  ASSERT_TRUE(inst);
  EXPECT_EQ(trap(store, inst, "throw", {Value::i32(1)}), "uncaught wasm exception");
  EXPECT_EQ(trap(store, inst, "wrong_tag", {Value::i32(1)}), "uncaught wasm exception");
  Func f = inst.get_func("throw");
  auto r = f.call(store, {Value::i32(1)});
  ASSERT_FALSE(r.has_value());
  ASSERT_FALSE(r.error().backtrace.empty());
  // The store stays usable.
  EXPECT_EQ(i32(store, inst, "ok"), 5);
}

TEST_F(Features, ExceptionsDoNotCrossHostFrames) {
  Store store;
  Instance thrower = instantiate(store, R"(
    (module (tag $t (export "t") (param i32))
      (func (export "throw") (param i32) (throw $t (local.get 0))))
  )");
  ASSERT_TRUE(thrower);
  Func inner = thrower.get_func("throw");
  std::string seen;
  Linker linker;
  ASSERT_TRUE(linker.define("m", "t", thrower.get_tag("t")).has_value());
  ASSERT_TRUE(linker
                  .define_host(store, "host", "call_thrower", FuncType{{ValType::I32}, {}},
                               [&](Caller& c, std::span<const Value> args, std::span<Value>) -> HostResult {
                                 auto r = inner.call(c.store(), {args[0]});
                                 if (r) return {};
                                 seen = r.error().message;
                                 return r.error();
                               })
                  .has_value());
  Instance outer = instantiate(store, R"(
    (module
      (import "m" "t" (tag $t (param i32)))
      (import "host" "call_thrower" (func $h (param i32)))
      (func (export "run") (param i32) (result i32)
        (block $all
          (try_table (catch_all $all) (call $h (local.get 0)))
          (return (i32.const 0)))
        (i32.const 1)))
  )", linker);
  ASSERT_TRUE(outer);
  // The exception stops at the host function (a trap there), so the
  // catch_all around the host call does not see it.
  EXPECT_EQ(trap(store, outer, "run", {Value::i32(3)}), "uncaught wasm exception");
  EXPECT_EQ(seen, "uncaught wasm exception");
}

TEST_F(Features, ExceptionsTagIdentityAcrossInstances) {
  Store store;
  const char* tag_module = R"((module (tag (export "t") (param i32))))";
  Module tm = compile(tag_module);
  ASSERT_TRUE(tm);
  const std::vector<Extern> none;
  auto t1 = Instance::create(store, tm, none);
  auto t2 = Instance::create(store, tm, none);
  ASSERT_TRUE(t1.has_value() && t2.has_value());
  Tag tag1 = t1->get_tag("t"), tag2 = t2->get_tag("t");
  ASSERT_TRUE(tag1 && tag2);
  EXPECT_NE(tag1, tag2);  // generative: same module, distinct tags
  EXPECT_EQ(tag1.type(), (TagType{{ValType::I32}}));
  auto exports = tm.exports();
  ASSERT_EQ(exports.size(), 1u);
  EXPECT_EQ(exports[0].type.kind, ExternKind::Tag);
  EXPECT_EQ(exports[0].type.to_string(), "tag (i32)");

  Module thrower = compile(R"(
    (module (import "tag" "t" (tag $t (param i32)))
      (func (export "throw") (param i32) (throw $t (local.get 0))))
  )");
  Module catcher = compile(R"(
    (module
      (import "tag" "t" (tag $t (param i32)))
      (import "a" "throw" (func $a (param i32)))
      (import "b" "throw" (func $b (param i32)))
      (func (export "run_a") (param i32) (result i32)
        (block $all
          (block $h (result i32)
            (try_table (catch $t $h) (catch_all $all) (call $a (local.get 0)))
            (return (i32.const 99)))
          (return))
        (i32.const 77))
      (func (export "run_b") (param i32) (result i32)
        (block $all
          (block $h (result i32)
            (try_table (catch $t $h) (catch_all $all) (call $b (local.get 0)))
            (return (i32.const 99)))
          (return))
        (i32.const 77)))
  )");
  ASSERT_TRUE(thrower && catcher);
  auto ta = Instance::create(store, thrower, std::vector<Extern>{tag1});
  auto tb = Instance::create(store, thrower, std::vector<Extern>{tag2});
  ASSERT_TRUE(ta.has_value() && tb.has_value());
  auto c = Instance::create(store, catcher,
                            std::vector<Extern>{tag1, ta->get_func("throw"), tb->get_func("throw")});
  ASSERT_TRUE(c.has_value()) << c.error().to_string();
  EXPECT_EQ(i32(store, *c, "run_a", {Value::i32(42)}), 42);  // same tag: caught by tag
  EXPECT_EQ(i32(store, *c, "run_b", {Value::i32(42)}), 77);  // other instance's tag: only catch_all

  // A host-created tag works the same way; a tag of another type does not link.
  Tag host_tag = Tag::create(store, TagType{{ValType::I32}});
  auto th = Instance::create(store, thrower, std::vector<Extern>{host_tag});
  ASSERT_TRUE(th.has_value());
  Tag wrong = Tag::create(store, TagType{{ValType::I64}});
  auto bad = Instance::create(store, thrower, std::vector<Extern>{wrong});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message.rfind("incompatible import type: tag.t", 0), 0u) << bad.error().message;
}

TEST_F(Features, ExceptionsWithFuelMetering) {
  Config cfg = features_on();
  cfg.consume_fuel = true;
  Store store(cfg);
  store.set_fuel(1'000'000);
  Instance inst = instantiate(store, R"(
    (module (tag $t (param i32))
      (func $f (param i32) (throw $t (local.get 0)))
      (func (export "run") (param i32) (result i32)
        (block $h (result i32)
          (try_table (catch $t $h) (call $f (local.get 0)))
          (i32.const -1))))
  )");
  ASSERT_TRUE(inst);
  EXPECT_EQ(i32(store, inst, "run", {Value::i32(9)}), 9);
  EXPECT_LT(store.fuel(), 1'000'000u);
}

TEST_F(Features, ExceptionsRequireTheFlag) {
  auto b = bytes(R"((module (tag (param i32)) (func (throw 0 (i32.const 1)))))");
  auto m = Module::compile(b);
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().message.rfind("malformed section id 13", 0), 0u) << m.error().message;
  EXPECT_NE(m.error().message.find("exceptions feature"), std::string::npos) << m.error().message;
  Config c;
  c.exceptions = true;
  EXPECT_TRUE(Module::compile(b, c).has_value());
  // Invalid: a tag with results, an unknown tag, a catch label of the wrong type.
  auto v1 = Module::compile(bytes(R"((module (type (func (result i32))) (tag (type 0))))"), c);
  ASSERT_FALSE(v1.has_value());
  EXPECT_EQ(v1.error().message, "non-empty tag result type");
  auto v2 = Module::compile(bytes(R"((module (tag $t) (func (throw $t))))"), c);
  EXPECT_TRUE(v2.has_value());
  auto v3 = Module::compile(bytes(R"((module (tag $t (param i32))
      (func (block $h (result i64) (try_table (catch $t $h)) (unreachable)) drop)))"), c);
  ASSERT_FALSE(v3.has_value());
  EXPECT_EQ(v3.error().message.rfind("type mismatch", 0), 0u) << v3.error().message;
  auto v4 = Module::compile(bytes(R"((module (func (param i32) (throw_ref (local.get 0)))))"), c);
  ASSERT_FALSE(v4.has_value());
  EXPECT_EQ(v4.error().message.rfind("type mismatch", 0), 0u) << v4.error().message;
}

// Bad input never crashes: deterministic byte mutations of modules using
// both features give a compile error, an instantiation error, results or a
// trap (fuel-bounded), never a crash.
TEST_F(Features, MutatedModulesNeverCrash) {
  std::vector<std::string> sources = {kTwoMemories, R"(
    (module
      (tag $a (param i32)) (tag $b (param i64 f32)) (tag $c)
      (global $g (mut exnref) (ref.null exn))
      (table 2 exnref)
      (memory 1) (memory $m 1)
      (func $thrower (param i32)
        (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $a (local.get 0))))
        (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $b (i64.const 1) (f32.const 2))))
        (throw $c))
      (func (export "run") (param i32) (result i32)
        (local $e exnref)
        (block $ha (result i32)
          (block $hb (result i64 f32 exnref)
            (block $hc (result exnref)
              (try_table (catch $a $ha) (catch_ref $b $hb) (catch_all_ref $hc)
                (call $thrower (local.get 0)))
              (return (i32.const -1)))
            (global.set $g)
            (table.set (i32.const 1) (global.get $g))
            (return (i32.load8_u $m (i32.const 3))))
          (local.set $e)
          (drop) (drop)
          (block $h2 (result i32)
            (try_table (catch $a $h2) (catch_all 1) (throw_ref (local.get $e)))
            (i32.const -2))))
      (func (export "loop") (param i32) (result i32)
        (local $n i32)
        (loop $l
          (block $h
            (try_table (catch_all $h) (call $thrower (local.get 0))))
          (i32.store $m (i32.const 8) (local.tee $n (i32.add (local.get $n) (i32.const 1))))
          (br_if $l (i32.lt_u (local.get $n) (i32.const 50))))
        (local.get $n)))
  )"};
  uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  size_t compiled = 0, instantiated = 0, calls = 0;
  for (const auto& src : sources) {
    std::vector<uint8_t> orig = bytes(src);
    ASSERT_FALSE(orig.empty());
    for (int k = 0; k < 4000; ++k) {
      std::vector<uint8_t> b = orig;
      int edits = next() % 4 == 0 ? 2 : 1;
      for (int e = 0; e < edits && !b.empty(); ++e) {
        size_t at = 8 + size_t(next() % (b.size() > 8 ? b.size() - 8 : 1));
        if (at >= b.size()) at = b.size() - 1;
        switch (next() % 4) {
          case 0: b[at] ^= uint8_t(1u << (next() % 8)); break;
          case 1: b[at] = uint8_t(next()); break;
          case 2: b.erase(b.begin() + long(at)); break;
          default: b.insert(b.begin() + long(at), uint8_t(next())); break;
        }
      }
      (void)Module::compile(b);  // Wasm 2.0: must reject or accept cleanly
      auto m = Module::compile(b, features_on());
      if (!m) continue;
      ++compiled;
      Config cfg = features_on();
      cfg.consume_fuel = true;
      cfg.max_call_depth = 2000;
      Store store(cfg);
      store.set_fuel(200000);
      std::vector<Extern> imports;
      bool ok = true;
      for (const auto& im : m->imports()) {
        if (im.type.kind == ExternKind::Tag) imports.push_back(Tag::create(store, im.type.tag));
        else ok = false;
      }
      if (!ok) continue;
      auto inst = Instance::create(store, *m, imports);
      if (!inst) continue;
      ++instantiated;
      for (const auto& ex : inst->exports()) {
        if (ex.item.kind() != ExternKind::Func) continue;
        std::vector<Value> args;
        for (ValType t : ex.item.func().type().params)
          args.push_back(t == ValType::I32 ? Value::i32(int32_t(next() % 4)) : Value::zero(t));
        (void)ex.item.func().call(store, args);
        ++calls;
      }
    }
  }
  // The mutations must have produced some valid, runnable modules.
  EXPECT_GT(compiled, 0u);
  EXPECT_GT(instantiated, 0u);
  EXPECT_GT(calls, 0u);
  std::printf("mutations: %zu compiled, %zu instantiated, %zu calls\n", compiled, instantiated, calls);
}

}  // namespace
