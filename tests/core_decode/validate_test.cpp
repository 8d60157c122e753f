// Validator tests: valid modules pass; each class of invalid module fails with
// the spec's message, and body errors point at the offending instruction.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "helpers.h"

using namespace compono::core;
using namespace compono::core::testing;

namespace {

// Assembles without wat2wasm's own validation, decodes, validates.
struct Checked {
  bool assembled = false;
  bool decoded = false;
  std::string message;  // "" when valid
  size_t offset = compono::Error::npos;
  std::vector<uint8_t> bytes;
};

Checked run(const std::string& text) {
  Checked c;
  c.bytes = wat(text, "--no-check");
  if (c.bytes.empty()) return c;
  c.assembled = true;
  auto m = decode(c.bytes);
  if (!m) {
    c.message = m.error().message;
    c.offset = m.error().offset;
    return c;
  }
  c.decoded = true;
  auto v = validate(*m);
  if (!v) {
    c.message = v.error().message;
    c.offset = v.error().offset;
  }
  return c;
}

bool have_wat2wasm() {
  static const bool have = std::system("wat2wasm --version > /dev/null 2>&1") == 0;
  return have;
}

// A missing wat2wasm skips; a snippet it cannot assemble is a test bug.
#define EXPECT_VALID(text)                                                   \
  do {                                                                       \
    if (!have_wat2wasm()) GTEST_SKIP() << "wat2wasm not installed";          \
    Checked c_ = run(text);                                                  \
    ASSERT_TRUE(c_.assembled) << text;                                       \
    EXPECT_EQ(c_.message, "") << text;                                       \
  } while (0)

#define EXPECT_INVALID(text, prefix)                                         \
  do {                                                                       \
    if (!have_wat2wasm()) GTEST_SKIP() << "wat2wasm not installed";          \
    Checked c_ = run(text);                                                  \
    ASSERT_TRUE(c_.assembled) << text;                                       \
    EXPECT_TRUE(c_.decoded) << c_.message;                                   \
    EXPECT_TRUE(starts_with(c_.message, prefix)) << "got: " << c_.message << "\n" << text; \
  } while (0)

}  // namespace

TEST(Validate, ValidFunctions) {
  EXPECT_VALID("(module (func (param i32 i64) (result i64) (local f32) local.get 1 i64.const 2 i64.add))");
  // Polymorphic stack after unreachable / br / return.
  EXPECT_VALID("(module (func (result i32) unreachable))");
  EXPECT_VALID("(module (func (result i32) unreachable i32.add))");
  EXPECT_VALID("(module (func (result f64) (block (result f64) (br 0 (f64.const 1)) i32.add drop)))");
  EXPECT_VALID("(module (func (result i32) (return (i32.const 1)) select))");
  // Multi-value blocks with parameters (type-index block types).
  EXPECT_VALID(R"((module
    (type $pair (func (param i32 i32) (result i32 i32)))
    (func (result i32) i32.const 1 i32.const 2
      (block (type $pair) (param i32 i32) (result i32 i32))
      (loop (type $pair) (param i32 i32) (result i32 i32))
      i32.add)))");
  EXPECT_VALID("(module (func (param i32) (result i32) (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))))");
  EXPECT_VALID("(module (func (param i32) (result i32) (block (result i32) (br_table 0 0 (i32.const 5) (local.get 0)))))");
  // References.
  EXPECT_VALID(R"((module (table 1 funcref) (table 1 externref)
    (func $f (param externref) (result i32)
      (table.set 1 (i32.const 0) (local.get 0))
      (ref.is_null (table.get 0 (i32.const 0))))
    (elem declare func $f)
    (func (result funcref) (ref.func $f))
    (func (result externref) (select (result externref) (ref.null extern) (ref.null extern) (i32.const 0)))))");
  // Bulk memory and tables.
  EXPECT_VALID(R"((module (memory 1) (table 2 funcref) (func $f)
    (elem $e func $f) (data $d "x")
    (func
      (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1)) (data.drop $d)
      (memory.copy (i32.const 0) (i32.const 1) (i32.const 1))
      (memory.fill (i32.const 0) (i32.const 1) (i32.const 1))
      (table.init $e (i32.const 0) (i32.const 0) (i32.const 1)) (elem.drop $e)
      (table.copy (i32.const 0) (i32.const 1) (i32.const 1))
      (drop (table.grow 0 (ref.null func) (i32.const 1)))
      (drop (table.size 0))
      (table.fill 0 (i32.const 0) (ref.null func) (i32.const 1)))))");
  // Sign extension and saturating truncation.
  EXPECT_VALID("(module (func (result i64) i64.const 1 i64.extend32_s f32.const 1 i64.trunc_sat_f32_u i64.add))");
  // Constant expressions: imported globals, ref.func.
  EXPECT_VALID(R"((module (import "e" "g" (global i32)) (func $f)
    (global i32 (global.get 0)) (global funcref (ref.func $f))
    (table 1 funcref) (elem (global.get 0) funcref (ref.func $f) (ref.null func))))");
}

TEST(Validate, TypeMismatch) {
  if (!have_wat2wasm()) GTEST_SKIP() << "wat2wasm not installed";
  auto c = run("(module (func (result i32) i32.const 0 i64.const 0 i32.add))");
  ASSERT_TRUE(c.assembled);
  EXPECT_TRUE(starts_with(c.message, "type mismatch")) << c.message;
  ASSERT_LT(c.offset, c.bytes.size());
  EXPECT_EQ(c.bytes[c.offset], 0x6a);  // points at i32.add

  EXPECT_INVALID("(module (func (result i32) i64.const 0))", "type mismatch");
  EXPECT_INVALID("(module (func (result i32)))", "type mismatch");
  EXPECT_INVALID("(module (func i32.const 1))", "type mismatch");
  EXPECT_INVALID("(module (func (param i32) (result i32) (if (result i32) (local.get 0) (then (i32.const 1)))))",
                 "type mismatch");
  EXPECT_INVALID("(module (func (block (result i32) (br 0 (i64.const 1))) drop))", "type mismatch");
  EXPECT_INVALID("(module (func (result i32) (block (result i32) (block (result i64) (br_table 0 1 (i32.const 1) (i32.const 0))) drop)))",
                 "type mismatch");
  EXPECT_INVALID("(module (func (select (ref.null func) (ref.null func) (i32.const 1)) drop))", "type mismatch");
  EXPECT_INVALID("(module (func (ref.is_null (i32.const 1)) drop))", "type mismatch");
  EXPECT_INVALID("(module (func unreachable i64.const 1 i32.add drop))", "type mismatch");
  EXPECT_INVALID("(module (table 1 externref) (func (call_indirect (i32.const 0))))", "type mismatch");
}

TEST(Validate, UnknownIndices) {
  EXPECT_INVALID("(module (func local.get 2 drop))", "unknown local");
  EXPECT_INVALID("(module (func global.get 0 drop))", "unknown global");
  EXPECT_INVALID("(module (func call 5))", "unknown function");
  EXPECT_INVALID("(module (func (drop (table.size 0))))", "unknown table");
  EXPECT_INVALID("(module (func (drop (i32.load (i32.const 0)))))", "unknown memory");
  EXPECT_INVALID("(module (func (drop (memory.size))))", "unknown memory");
  EXPECT_INVALID("(module (func br 1))", "unknown label");
  EXPECT_INVALID("(module (table 1 funcref) (func (call_indirect (type 9) (i32.const 0))))", "unknown type");
  EXPECT_INVALID("(module (func (elem.drop 0)))", "unknown elem segment");
  EXPECT_INVALID("(module (memory 1) (func (data.drop 0)))", "unknown data segment");
  EXPECT_INVALID("(module (export \"x\" (func 3)))", "unknown function");
  EXPECT_INVALID("(module (start 1))", "unknown function");
}

TEST(Validate, ModuleRules) {
  EXPECT_INVALID("(module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1))))", "global is immutable");
  EXPECT_INVALID("(module (global i32 (i32.add (i32.const 0) (i32.const 1))))", "constant expression required");
  EXPECT_INVALID("(module (global i32 (i32.const 0)) (global i32 (global.get 0)))", "unknown global");
  EXPECT_INVALID("(module (import \"e\" \"g\" (global (mut i32))) (global i32 (global.get 0)))",
                 "constant expression required");
  EXPECT_INVALID("(module (global i64 (i32.const 0)))", "type mismatch");
  EXPECT_INVALID("(module (global i32 (i32.const 0) (i32.const 0)))", "type mismatch");
  EXPECT_INVALID("(module (memory 2 1))", "size minimum must not be greater than maximum");
  EXPECT_INVALID("(module (table 2 1 funcref))", "size minimum must not be greater than maximum");
  EXPECT_INVALID("(module (memory 65537))", "memory size must be at most 65536 pages (4GiB)");
  EXPECT_INVALID("(module (memory 0 65537))", "memory size must be at most 65536 pages (4GiB)");
  EXPECT_INVALID("(module (func) (export \"a\" (func 0)) (export \"a\" (func 0)))", "duplicate export name");
  EXPECT_INVALID("(module (func (param i32)) (start 0))", "start function");
  EXPECT_INVALID("(module (memory 1) (func (drop (i64.load align=16 (i32.const 0)))))",
                 "alignment must not be larger than natural");
  EXPECT_INVALID("(module (memory 1) (func (i32.store8 align=2 (i32.const 0) (i32.const 0))))",
                 "alignment must not be larger than natural");
  EXPECT_INVALID("(module (func $f) (func (drop (ref.func $f))))", "undeclared function reference");
  EXPECT_INVALID("(module (table 1 externref) (func $f) (elem (i32.const 0) func $f))", "type mismatch");
  EXPECT_INVALID("(module (table 1 funcref) (elem (i64.const 0)))", "type mismatch");
  EXPECT_INVALID("(module (memory 1) (data (i32.ctz (i32.const 0))))", "constant expression required");
}

TEST(Validate, MultipleMemories) {
  // Two memories (one imported, one defined), as raw bytes.
  auto b = module_bytes({0x02, 0x08, 0x01, 0x01, 'e', 0x01, 'm', 0x02, 0x00, 0x01,  // import memory
                         0x05, 0x03, 0x01, 0x00, 0x01});                            // memory 1
  auto m = decode(b);
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  auto v = validate(*m);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().message, "multiple memories require the multi-memory feature");
  // With the feature the same module is valid.
  auto m2 = decode(b, Features{.multi_memory = true});
  ASSERT_TRUE(m2.has_value()) << m2.error().to_string();
  EXPECT_TRUE(validate(*m2).has_value());
}

TEST(Validate, TypedSelectArity) {
  // select with a 2-element type vector.
  auto b = module_bytes({0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                         0x0a, 0x0f, 0x01, 0x0d, 0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x1c, 0x02, 0x7f, 0x7f, 0x1a, 0x0b});
  auto m = decode(b);
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  auto v = validate(*m);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().message, "invalid result arity in function func[0]");
  EXPECT_EQ(b[v.error().offset], 0x1c);
}

TEST(Validate, DeepNestingIsFine) {
  // 10000 nested blocks: the validator's stacks are heap vectors.
  std::string text = "(module (func";
  for (int i = 0; i < 10000; ++i) text += " (block";
  for (int i = 0; i < 10000; ++i) text += ")";
  text += "))";
  EXPECT_VALID(text);
}

TEST(Validate, ModuleErrorsCarryOffsets) {
  if (!have_wat2wasm()) GTEST_SKIP() << "wat2wasm not installed";
  // The second "a" export is the offending entry: its offset is that of its
  // name's length byte, followed by the name itself.
  auto c = run("(module (func) (export \"a\" (func 0)) (export \"a\" (func 0)))");
  ASSERT_TRUE(c.assembled);
  ASSERT_EQ(c.message, "duplicate export name");
  ASSERT_LT(c.offset + 1, c.bytes.size());
  EXPECT_EQ(c.bytes[c.offset], 0x01);
  EXPECT_EQ(c.bytes[c.offset + 1], 'a');
  EXPECT_EQ(c.bytes[c.offset + 2], 0x00);  // kind func
  // An export before it ends right there.
  EXPECT_EQ(c.bytes[c.offset - 1], 0x00);

  auto u = run("(module (func (type 0)) (type (func)) (func (type 5)))");
  ASSERT_TRUE(u.assembled);
  EXPECT_TRUE(starts_with(u.message, "unknown type")) << u.message;
  ASSERT_LT(u.offset, u.bytes.size());
  EXPECT_EQ(u.bytes[u.offset], 0x05);  // the type index in the function section

  auto s = run("(module (func $f (param i32)) (start $f))");
  ASSERT_TRUE(s.assembled);
  EXPECT_TRUE(starts_with(s.message, "start function")) << s.message;
  ASSERT_LT(s.offset, s.bytes.size());
  EXPECT_EQ(s.bytes[s.offset - 2], 0x08);  // start section id, size, then the index
}

TEST(Module, ImportIndexHelpersAndBlockTypes) {
  if (!have_wat2wasm()) GTEST_SKIP() << "wat2wasm not installed";
  auto b = wat(R"((module
    (import "a" "g0" (global i64))
    (import "a" "f0" (func (param i32)))
    (import "a" "m" (memory 3))
    (import "a" "g1" (global (mut f32)))
    (import "a" "f1" (func (result f64)))
    (import "a" "t" (table 4 externref))))");
  ASSERT_FALSE(b.empty());
  auto m = decode(b);
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  EXPECT_EQ(to_string(m->func_type(0)), "(i32) -> ()");
  EXPECT_EQ(to_string(m->func_type(1)), "() -> (f64)");
  EXPECT_EQ(m->global_type(0).type, ValType::I64);
  EXPECT_EQ(m->global_type(1).type, ValType::F32);
  EXPECT_TRUE(m->global_type(1).mut);
  EXPECT_EQ(m->memory_type(0).limits.min, 3u);
  EXPECT_EQ(m->table_type(0).elem, ValType::ExternRef);
  // The same answers without the decoder's index vectors (hand-built IR).
  Module copy = *m;
  copy.import_funcs.clear();
  copy.import_globals.clear();
  EXPECT_EQ(to_string(copy.func_type(1)), "() -> (f64)");
  EXPECT_TRUE(copy.global_type(1).mut);

  EXPECT_EQ(block_type_from_s33(-64).kind, BlockType::Kind::Empty);
  BlockType v = block_type_from_s33(-4);  // 0x7c
  EXPECT_EQ(v.kind, BlockType::Kind::Value);
  EXPECT_EQ(v.value, ValType::F64);
  BlockType x = block_type_from_s33(7);
  EXPECT_EQ(x.kind, BlockType::Kind::Index);
  EXPECT_EQ(x.index, 7u);
}

TEST(Validate, BodyErrorsNameTheFunction) {
  if (!have_wat2wasm()) GTEST_SKIP() << "wat2wasm not installed";
  auto b = wat("(module (func $ok) (func $broken (local.get 3) drop))", "--no-check --debug-names");
  ASSERT_FALSE(b.empty());
  auto m = decode(b);
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  auto v = validate(*m);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().message, "unknown local 3 in function broken");
}

TEST(Validate, HandBuiltModuleWithBadSpansIsRejected) {
  // validate() is meant for decoded modules, but bad spans in a hand-built
  // IR must still be an error rather than an out-of-bounds read.
  Module m;
  m.bytes = {0x0b};
  m.types.push_back(FuncType{});
  Function f;
  f.body = Span{0, 100};
  m.functions.push_back(f);
  auto v = validate(m);
  ASSERT_FALSE(v.has_value());
  EXPECT_TRUE(starts_with(v.error().message, "function body outside")) << v.error().message;
  m.functions[0].body = Span{0, 1};
  EXPECT_TRUE(validate(m).has_value());
}
