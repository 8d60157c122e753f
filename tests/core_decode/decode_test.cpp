// Decoder tests: well-formed modules decode into the expected IR, and each
// class of malformed input is rejected with the spec's message and offset.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/opcodes.h"
#include "helpers.h"

using namespace compono::core;
using namespace compono::core::testing;

namespace {

// Decodes and expects failure; returns the error.
compono::Error decode_error(const std::vector<uint8_t>& b) {
  auto m = decode(b);
  EXPECT_FALSE(m.has_value());
  if (m) return compono::Error("decoded");
  return m.error();
}

// Requires wat2wasm; skips the test otherwise.
#define REQUIRE_WAT(bytes)                                                  \
  do {                                                                      \
    if ((bytes).empty()) GTEST_SKIP() << "wat2wasm unavailable or failed";  \
  } while (0)

}  // namespace

TEST(Decode, EmptyModule) {
  auto m = decode(module_bytes({}));
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  EXPECT_TRUE(m->types.empty());
  EXPECT_TRUE(m->functions.empty());
  EXPECT_FALSE(m->start.has_value());
  EXPECT_TRUE(validate(*m).has_value());
}

TEST(Decode, AllSections) {
  auto bytes = wat(R"(
    (module
      (type $t0 (func (param i32 i64) (result f32)))
      (import "env" "f" (func $imp (type $t0)))
      (import "env" "tab" (table 1 10 funcref))
      (import "env" "mem" (memory 2))
      (import "env" "g" (global $gi i32))
      (func $a (type $t0) (local i32 i32 f64) (f32.const 1))
      (func $b)
      (table $tt 3 externref)
      (global $gm (mut i64) (i64.const -5))
      (export "a" (func $a))
      (export "mem" (memory 0))
      (export "gm" (global $gm))
      (start $b)
      (elem (table 0) (i32.const 0) func $a $b)
      (elem $p funcref (ref.func $a) (ref.null func))
      (elem declare func $b)
      (data (i32.const 8) "hello")
      (data $d "xyz")
      (func $c (data.drop $d))
    ))");
  REQUIRE_WAT(bytes);
  auto r = decode(bytes);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  const Module& m = *r;
  EXPECT_TRUE(validate(m).has_value());

  ASSERT_EQ(m.types.size(), 2u);
  EXPECT_EQ(to_string(m.types[0]), "(i32, i64) -> (f32)");
  ASSERT_EQ(m.imports.size(), 4u);
  EXPECT_EQ(m.imports[0].module, "env");
  EXPECT_EQ(m.imports[0].name, "f");
  EXPECT_EQ(m.imports[0].kind, ExternKind::Func);
  EXPECT_EQ(m.imports[1].kind, ExternKind::Table);
  EXPECT_EQ(m.imports[1].table.limits.min, 1u);
  EXPECT_EQ(m.imports[1].table.limits.max, std::optional<uint64_t>(10));
  EXPECT_EQ(m.imports[2].kind, ExternKind::Memory);
  EXPECT_EQ(m.imports[2].memory.limits.min, 2u);
  EXPECT_FALSE(m.imports[2].memory.limits.max.has_value());
  EXPECT_EQ(m.imports[3].global.type, ValType::I32);
  EXPECT_FALSE(m.imports[3].global.mut);
  EXPECT_EQ(m.num_imported_funcs, 1u);
  EXPECT_EQ(m.num_imported_tables, 1u);
  EXPECT_EQ(m.num_imported_memories, 1u);
  EXPECT_EQ(m.num_imported_globals, 1u);

  ASSERT_EQ(m.functions.size(), 3u);
  EXPECT_EQ(m.functions[0].type, 0u);
  EXPECT_EQ(m.functions[0].locals, (std::vector<ValType>{ValType::I32, ValType::I32, ValType::F64}));
  // Body: f32.const 1.0, end.
  auto body = m.slice(m.functions[0].body);
  ASSERT_EQ(body.size(), 6u);
  EXPECT_EQ(body[0], 0x43);
  EXPECT_EQ(body.back(), 0x0b);
  EXPECT_EQ(m.func_type(1), m.types[0]);
  EXPECT_EQ(m.func_type_index(2), 1u);

  ASSERT_EQ(m.tables.size(), 1u);
  EXPECT_EQ(m.tables[0].elem, ValType::ExternRef);
  EXPECT_EQ(m.table_type(0).limits.min, 1u);
  EXPECT_EQ(m.table_type(1).elem, ValType::ExternRef);
  ASSERT_EQ(m.globals.size(), 1u);
  EXPECT_TRUE(m.globals[0].type.mut);
  EXPECT_EQ(m.globals[0].type.type, ValType::I64);
  EXPECT_EQ(m.global_type(0).type, ValType::I32);
  auto init = m.slice(m.globals[0].init.code);
  EXPECT_EQ(init[0], 0x42);
  EXPECT_EQ(init.back(), 0x0b);

  ASSERT_EQ(m.exports.size(), 3u);
  EXPECT_EQ(m.exports[0].name, "a");
  EXPECT_EQ(m.exports[0].kind, ExternKind::Func);
  EXPECT_EQ(m.exports[0].index, 1u);
  EXPECT_EQ(m.exports[1].kind, ExternKind::Memory);
  EXPECT_EQ(m.exports[2].kind, ExternKind::Global);
  EXPECT_EQ(m.exports[2].index, 1u);
  EXPECT_EQ(m.start, std::optional<uint32_t>(2));

  ASSERT_EQ(m.elems.size(), 3u);
  EXPECT_EQ(m.elems[0].mode, SegmentMode::Active);
  EXPECT_TRUE(m.elems[0].uses_indices);
  EXPECT_EQ(m.elems[0].func_indices, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(m.elems[1].mode, SegmentMode::Passive);
  EXPECT_FALSE(m.elems[1].uses_indices);
  EXPECT_EQ(m.elems[1].count(), 2u);
  EXPECT_EQ(m.slice(m.elems[1].inits[1].code)[0], 0xd0);  // ref.null
  EXPECT_EQ(m.elems[2].mode, SegmentMode::Declarative);

  ASSERT_EQ(m.datas.size(), 2u);
  EXPECT_EQ(m.datas[0].mode, SegmentMode::Active);
  auto hello = m.slice(m.datas[0].bytes);
  EXPECT_EQ(std::string(hello.begin(), hello.end()), "hello");
  EXPECT_EQ(m.datas[1].mode, SegmentMode::Passive);
  EXPECT_EQ(m.data_count, std::optional<uint32_t>(2));
}

TEST(Decode, NameSection) {
  auto bytes = wat(R"(
    (module $mymod
      (func $foo (param $x i32) (local $y i64) nop)
      (func $bar))
  )", "--debug-names");
  REQUIRE_WAT(bytes);
  auto m = decode(bytes);
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  EXPECT_EQ(m->names.module, std::optional<std::string>("mymod"));
  EXPECT_EQ(m->func_name(0), "foo");
  EXPECT_EQ(m->func_name(1), "bar");
  EXPECT_EQ(m->func_name(7), "func[7]");
  EXPECT_EQ(m->names.locals.at(0).at(0), "x");
  EXPECT_EQ(m->names.locals.at(0).at(1), "y");
  ASSERT_EQ(m->customs.size(), 1u);
  EXPECT_EQ(m->customs[0].name, "name");
}

TEST(Decode, MalformedNameSectionIsIgnored) {
  // custom "name": subsection 1 (functions) claims 5 entries but holds one,
  // followed by a subsection whose size runs past the end.
  auto b = module_bytes({0x00, 0x0e, 0x04, 'n', 'a', 'm', 'e',  //
                         0x01, 0x04, 0x05, 0x00, 0x01, 'f',      //
                         0x02, 0x7f, 0x00});
  auto m = decode(b);
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  EXPECT_TRUE(m->names.functions.empty());
  EXPECT_FALSE(m->names.module.has_value());
  ASSERT_EQ(m->customs.size(), 1u);
  EXPECT_EQ(m->customs[0].contents.size(), 9u);

  // Invalid UTF-8 inside the name section: also just dropped.
  auto b2 = module_bytes({0x00, 0x09, 0x04, 'n', 'a', 'm', 'e', 0x00, 0x02, 0x01, 0xff});
  auto m2 = decode(b2);
  ASSERT_TRUE(m2.has_value()) << m2.error().to_string();
  EXPECT_FALSE(m2->names.module.has_value());
}

TEST(Decode, CustomSections) {
  auto b = module_bytes({0x00, 0x07, 0x03, 'a', 'b', 'c', 1, 2, 3,  //
                         0x01, 0x01, 0x00,                          // empty type section
                         0x00, 0x01, 0x00});                        // custom with empty name
  auto m = decode(b);
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  ASSERT_EQ(m->customs.size(), 2u);
  EXPECT_EQ(m->customs[0].name, "abc");
  auto c = m->slice(m->customs[0].contents);
  EXPECT_EQ(std::vector<uint8_t>(c.begin(), c.end()), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(m->customs[1].name, "");
}

TEST(DecodeMalformed, Header) {
  EXPECT_EQ(decode_error({}).message, "unexpected end");
  EXPECT_EQ(decode_error({0x00, 0x61, 0x73}).message, "unexpected end");
  EXPECT_EQ(decode_error({0x00, 0x61, 0x73, 0x6d, 0x01}).message, "unexpected end");
  EXPECT_EQ(decode_error({0x00, 0x41, 0x53, 0x4d, 0x01, 0, 0, 0}).message, "magic header not detected");
  auto e = decode_error({0x00, 0x61, 0x73, 0x6d, 0x02, 0, 0, 0});
  EXPECT_EQ(e.message, "unknown binary version");
  EXPECT_EQ(e.offset, 4u);
}

TEST(DecodeMalformed, Sections) {
  // Section 13 (the exception-handling tag section) is named in the message
  // when the exceptions feature is off (the default).
  auto e = decode_error(module_bytes({0x0d, 0x00}));
  EXPECT_EQ(e.message, "malformed section id 13: the tag section (exception handling) requires the exceptions feature");
  EXPECT_EQ(e.offset, 8u);
  e = decode_error(module_bytes({0x7f, 0x00}));
  EXPECT_EQ(e.message, "malformed section id");
  EXPECT_EQ(e.offset, 8u);
  EXPECT_EQ(decode_error(module_bytes({0x01, 0x05, 0x00})).message, "length out of bounds");
  // Type section declares 1 byte but its content needs 1 more (count 0 +
  // trailing byte): size mismatch.
  EXPECT_EQ(decode_error(module_bytes({0x01, 0x02, 0x00, 0x00})).message, "section size mismatch");
  // Out of order and duplicate sections.
  EXPECT_EQ(decode_error(module_bytes({0x03, 0x01, 0x00, 0x01, 0x01, 0x00})).message,
            "unexpected content after last section");
  EXPECT_EQ(decode_error(module_bytes({0x01, 0x01, 0x00, 0x01, 0x01, 0x00})).message,
            "unexpected content after last section");
  // Data count (12) must come before code (10).
  EXPECT_EQ(decode_error(module_bytes({0x0a, 0x01, 0x00, 0x0c, 0x01, 0x00})).message,
            "unexpected content after last section");
  // Custom sections may appear anywhere.
  EXPECT_TRUE(decode(module_bytes({0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x03, 0x01, 0x00})).has_value());
}

TEST(DecodeMalformed, Leb128) {
  // Type count encoded in 6 bytes.
  auto e = decode_error(module_bytes({0x01, 0x07, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00}));
  EXPECT_EQ(e.message, "integer representation too long");
  EXPECT_EQ(e.offset, 14u);
  // Memory minimum with unused bits set.
  EXPECT_EQ(decode_error(module_bytes({0x05, 0x07, 0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x70})).message,
            "integer too large");
  // i32.const with an over-large signed LEB in a global initializer.
  EXPECT_EQ(decode_error(module_bytes({0x06, 0x0a, 0x01, 0x7f, 0x00, 0x41, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b}))
                .message,
            "integer too large");
}

TEST(DecodeMalformed, Utf8Names) {
  // Export name with a lone continuation byte.
  auto e = decode_error(module_bytes({0x07, 0x05, 0x01, 0x01, 0x80, 0x00, 0x00}));
  EXPECT_EQ(e.message, "malformed UTF-8 encoding");
  EXPECT_EQ(e.offset, 12u);
  // Overlong encoding of '/', a surrogate, and a code point above U+10FFFF.
  for (std::vector<uint8_t> bad : {std::vector<uint8_t>{0xc0, 0xaf}, {0xed, 0xa0, 0x80}, {0xf4, 0x90, 0x80, 0x80}}) {
    std::vector<uint8_t> b = module_bytes({0x00});
    b.push_back(uint8_t(1 + bad.size()));
    b.push_back(uint8_t(bad.size()));
    b.insert(b.end(), bad.begin(), bad.end());
    EXPECT_EQ(decode_error(b).message, "malformed UTF-8 encoding");
  }
  // Valid multi-byte names are fine.
  auto ok = module_bytes({0x00, 0x0a, 0x09, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80});
  auto m = decode(ok);
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  EXPECT_EQ(m->customs[0].name, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

TEST(DecodeMalformed, Types) {
  // Bad value type in a function type.
  auto e = decode_error(module_bytes({0x01, 0x05, 0x01, 0x60, 0x01, 0x40, 0x00}));
  EXPECT_EQ(e.message, "malformed value type");
  EXPECT_EQ(e.offset, 13u);
  // Bad function type form.
  EXPECT_EQ(decode_error(module_bytes({0x01, 0x04, 0x01, 0x61, 0x00, 0x00})).message, "malformed function type");
  // Limits flag 2, import kind 4, mutability 2, reference type i32 for a table.
  EXPECT_EQ(decode_error(module_bytes({0x05, 0x03, 0x01, 0x02, 0x00})).message, "integer too large");
  EXPECT_EQ(decode_error(module_bytes({0x02, 0x05, 0x01, 0x00, 0x00, 0x04, 0x00})).message,
            "malformed import kind (requires the exceptions feature)");  // 4 = tag
  EXPECT_EQ(decode_error(module_bytes({0x02, 0x05, 0x01, 0x00, 0x00, 0x05, 0x00})).message, "malformed import kind");
  EXPECT_EQ(decode_error(module_bytes({0x06, 0x06, 0x01, 0x7f, 0x02, 0x41, 0x00, 0x0b})).message,
            "malformed mutability");
  EXPECT_EQ(decode_error(module_bytes({0x04, 0x04, 0x01, 0x7f, 0x00, 0x00})).message, "malformed reference type");
}

namespace {
// type [] -> [], one function with the given body (locals included).
std::vector<uint8_t> one_func(std::vector<uint8_t> body, std::vector<uint8_t> extra_before_code = {},
                              std::vector<uint8_t> after_code = {}) {
  std::vector<uint8_t> b = module_bytes({0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00});
  b.insert(b.end(), extra_before_code.begin(), extra_before_code.end());
  std::vector<uint8_t> code = {0x01, uint8_t(body.size())};
  code.insert(code.end(), body.begin(), body.end());
  b.push_back(0x0a);
  b.push_back(uint8_t(code.size()));
  b.insert(b.end(), code.begin(), code.end());
  b.insert(b.end(), after_code.begin(), after_code.end());
  return b;
}
}  // namespace

TEST(DecodeMalformed, Code) {
  // A valid one-function module first.
  ASSERT_EQ(check(one_func({0x00, 0x01, 0x0b})), "");
  // Unknown opcode, with its offset.
  auto e = decode_error(one_func({0x00, 0x01, 0x06, 0x0b}));
  EXPECT_EQ(e.message.rfind("illegal opcode", 0), 0u) << e.message;
  auto bytes = one_func({0x00, 0x01, 0x06, 0x0b});
  EXPECT_EQ(bytes[e.offset], 0x06);
  // Unknown 0xFC sub-opcode and SIMD (not supported yet).
  EXPECT_EQ(decode_error(one_func({0x00, 0xfc, 0x12, 0x0b})).message.rfind("illegal opcode", 0), 0u);
  EXPECT_EQ(decode_error(one_func({0x00, 0xfd, 0x0c, 0x0b})).message, "illegal opcode fd: SIMD instructions are not supported");
  // memory.size with a non-zero reserved byte.
  std::vector<uint8_t> mem = {0x05, 0x03, 0x01, 0x00, 0x01};
  EXPECT_EQ(decode_error(one_func({0x00, 0x3f, 0x01, 0x1a, 0x0b}, mem)).message, "zero byte expected");
  // Body without its final end, at the end of the module.
  EXPECT_EQ(decode_error(one_func({0x00, 0x01})).message, "unexpected end of section or function");
  // else outside an if.
  EXPECT_EQ(decode_error(one_func({0x00, 0x05, 0x0b})).message, "END opcode expected");
  // Code after the final end.
  EXPECT_EQ(decode_error(one_func({0x00, 0x0b, 0x01})).message, "section size mismatch");
  // Truncated immediates.
  EXPECT_EQ(decode_error(one_func({0x00, 0x41})).message, "unexpected end of section or function");
  // Bad block types: not a value type, and negative values written in more
  // than one byte (-7937, and -1 padded to two bytes), which are neither
  // value types nor type indices.
  EXPECT_EQ(decode_error(one_func({0x00, 0x02, 0x50, 0x0b, 0x0b})).message, "malformed value type");
  EXPECT_EQ(decode_error(one_func({0x00, 0x02, 0xff, 0x41, 0x41, 0x00, 0x0b, 0x1a, 0x0b})).message,
            "malformed value type");
  EXPECT_EQ(decode_error(one_func({0x00, 0x02, 0xff, 0x7f, 0x41, 0x00, 0x0b, 0x1a, 0x0b})).message,
            "malformed value type");
  // A type index written in two bytes is fine.
  EXPECT_EQ(check(one_func({0x00, 0x02, 0x80, 0x00, 0x0b, 0x0b})), "");
}

TEST(DecodeMalformed, Locals) {
  // 2^32-1 + 2 locals.
  EXPECT_EQ(decode_error(one_func({0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x02, 0x7e, 0x0b})).message,
            "too many locals");
  // A large but bounded count is rejected before anything is allocated.
  EXPECT_EQ(decode_error(one_func({0x01, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7f, 0x0b})).message, "too many locals");
  // A bad local type.
  EXPECT_EQ(decode_error(one_func({0x01, 0x01, 0x00, 0x0b})).message, "malformed value type");
  // Expanded locals.
  auto m = decode(one_func({0x02, 0x02, 0x7f, 0x01, 0x7c, 0x0b}));
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  EXPECT_EQ(m->functions[0].locals, (std::vector<ValType>{ValType::I32, ValType::I32, ValType::F64}));
}

TEST(DecodeMalformed, Counts) {
  // Function section without a code section.
  auto b = module_bytes({0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00});
  EXPECT_EQ(decode_error(b).message, "function and code section have inconsistent lengths");
  // Code section with 2 bodies for 1 function.
  auto b2 = module_bytes({0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,  //
                          0x0a, 0x07, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b});
  EXPECT_EQ(decode_error(b2).message, "function and code section have inconsistent lengths");
  // Data count 2, data section with 1 segment; and data count 1 without any data section.
  auto b3 = module_bytes({0x05, 0x03, 0x01, 0x00, 0x01, 0x0c, 0x01, 0x02, 0x0b, 0x06, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x00});
  EXPECT_EQ(decode_error(b3).message, "data count and data section have inconsistent lengths");
  auto b4 = module_bytes({0x0c, 0x01, 0x01});
  EXPECT_EQ(decode_error(b4).message, "data count and data section have inconsistent lengths");
  // data.drop with a data section but no data count section.
  std::vector<uint8_t> mem = {0x05, 0x03, 0x01, 0x00, 0x01};
  auto b5 = one_func({0x00, 0xfc, 0x09, 0x00, 0x0b}, mem, {0x0b, 0x03, 0x01, 0x01, 0x00});
  EXPECT_EQ(decode_error(b5).message, "data count section required");
  // Counts far beyond the section are not trusted for allocation.
  auto b6 = module_bytes({0x01, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f});
  EXPECT_EQ(decode_error(b6).message, "unexpected end of section or function");
}

// Every prefix of a rich module, and every single-byte corruption of it, must
// produce a clean result (value or error) without crashing.
TEST(Decode, TruncationsAndCorruptionsAreHandled) {
  auto bytes = wat(R"(
    (module
      (type (func (param i32) (result i32)))
      (import "env" "f" (func (type 0)))
      (table 2 funcref)
      (memory 1)
      (global (mut i32) (i32.const 7))
      (export "g" (func 1))
      (elem (i32.const 0) func 0 1)
      (data (i32.const 0) "abc")
      (func (type 0)
        (block (result i32)
          (br_table 0 0 (local.get 0) (i32.const 1)))
        (if (result i32) (then (i32.const 1)) (else (i32.const 2)))
        (drop)
        (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))
        (call_indirect (type 0) (i32.const 0) (i32.const 0))))
  )");
  REQUIRE_WAT(bytes);
  ASSERT_EQ(check(bytes), "");
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + n);
    auto m = decode(prefix);
    if (m) (void)validate(*m);
    if (!m) {
      EXPECT_LE(m.error().offset, n) << "prefix " << n;
    }
  }
  size_t decoded = 0;
  for (size_t i = 8; i < bytes.size(); ++i) {
    for (int v : {0x00, 0x0b, 0x41, 0x7f, 0x80, 0xff}) {
      std::vector<uint8_t> c = bytes;
      c[i] = uint8_t(v);
      auto m = decode(c);
      if (m) {
        ++decoded;
        (void)validate(*m);
      } else {
        EXPECT_LE(m.error().offset, c.size());
      }
    }
  }
  EXPECT_GT(decoded, 0u);
}

TEST(DecodeMalformed, LocalsLimit) {
  // 50000 declared locals are accepted, 50001 are "too many locals".
  auto ok = one_func({0x01, 0xd0, 0x86, 0x03, 0x7f, 0x0b});
  auto m = decode(ok);
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  EXPECT_EQ(m->functions[0].locals.size(), 50000u);
  EXPECT_EQ(decode_error(one_func({0x02, 0xd0, 0x86, 0x03, 0x7f, 0x01, 0x7e, 0x0b})).message, "too many locals");
}
