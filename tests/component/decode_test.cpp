// Decoder unit tests: structure of decoded sections, error messages with
// byte offsets, and robustness against truncated/corrupted/hostile input.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "component/component.h"

namespace cm = compono::component;

namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::vector<uint8_t> with_preamble(std::string_view body) {
  std::vector<uint8_t> v;
  cm::enc::preamble(v);
  for (char ch : body) v.push_back(uint8_t(ch));  // (push_back: avoids a g++-12 -Warray-bounds false positive)
  return v;
}

TEST(ComponentDecode, EmptyComponent) {
  auto c = cm::decode(with_preamble(""));
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_TRUE(c->items.empty());
  EXPECT_TRUE(cm::is_component(with_preamble("")));
  auto v = cm::validate(*c);
  EXPECT_TRUE(v);
}

TEST(ComponentDecode, PreambleErrors) {
  EXPECT_FALSE(cm::decode(bytes("")));
  EXPECT_FALSE(cm::decode(bytes(std::string_view("\0asm", 4))));
  auto core = cm::decode(bytes(std::string_view("\0asm\x01\0\0\0", 8)));
  ASSERT_FALSE(core);
  EXPECT_NE(core.error().message.find("expected a version header for a component"), std::string::npos);
  auto ver = cm::decode(bytes(std::string_view("\0asm\x0c\0\x01\0", 8)));
  ASSERT_FALSE(ver);
  EXPECT_NE(ver.error().message.find("unknown binary version"), std::string::npos);
  EXPECT_EQ(ver.error().offset, 4u);
}

TEST(ComponentDecode, TypeSectionStructure) {
  // record {a: bool, b: u8}, (list 0), (func (param "p" string) (result u32)), (own 3) where 3 = resource
  std::string body;
  body += std::string("\x07", 1);
  std::string types = std::string("\x05", 1) +                    // 5 types
                      std::string("\x72\x02\x01" "a" "\x7f\x01" "b" "\x7d", 8) +
                      std::string("\x70\x00", 2) +
                      std::string("\x40\x01\x01p\x73\x00\x79", 7) +
                      std::string("\x3f\x7f\x00", 3) +
                      std::string("\x69\x03", 2);
  body += char(types.size());
  body += types;
  auto c = cm::decode(with_preamble(body));
  ASSERT_TRUE(c) << c.error().to_string();
  ASSERT_EQ(c->types.size(), 5u);
  EXPECT_EQ(c->types[0].kind, cm::TypeKind::Record);
  ASSERT_EQ(c->types[0].fields.size(), 2u);
  EXPECT_EQ(c->types[0].fields[1].name, "b");
  EXPECT_EQ(c->types[0].fields[1].type, cm::ValType::of(cm::PrimValType::U8));
  EXPECT_EQ(c->types[1].kind, cm::TypeKind::List);
  EXPECT_EQ(*c->types[1].a, cm::ValType::ref(0));
  EXPECT_EQ(c->types[2].kind, cm::TypeKind::Func);
  EXPECT_EQ(c->types[2].fields[0].type, cm::ValType::of(cm::PrimValType::String));
  EXPECT_EQ(*c->types[2].a, cm::ValType::of(cm::PrimValType::U32));
  EXPECT_EQ(c->types[3].kind, cm::TypeKind::Resource);
  EXPECT_FALSE(c->types[3].dtor);
  EXPECT_EQ(c->types[4].kind, cm::TypeKind::Own);
  EXPECT_EQ(c->types[4].index, 3u);
  ASSERT_EQ(c->items.size(), 5u);
  EXPECT_EQ(c->items[0].offset, 11u);  // first type right after the section header
  EXPECT_TRUE(cm::validate(*c));
}

TEST(ComponentDecode, ErrorsCarryOffsets) {
  // type section with an unallocated defined-type opcode 0x62 at byte 11
  auto c = cm::decode(with_preamble(std::string("\x07\x02\x01\x62", 4)));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "invalid leading byte (0x62) for component defined type");
  EXPECT_EQ(c.error().offset, 11u);
  EXPECT_NE(c.error().to_string().find("(at byte 0xb)"), std::string::npos);
  // unknown section id
  auto s = cm::decode(with_preamble(std::string("\x0d\x00", 2)));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("malformed section id"), std::string::npos);
  EXPECT_EQ(s.error().offset, 8u);
  // section longer than the input
  auto e = cm::decode(with_preamble(std::string("\x07\x05\x01", 3)));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "unexpected end-of-file");
}

TEST(ComponentDecode, ValidationErrorsCarryOffsets) {
  // (import "Foo" (func (type 0))) after a func type: not kebab case
  std::string body = std::string("\x07\x05\x01\x40\x00\x01\x00", 7) + std::string("\x0a\x08\x01\x00\x03" "Foo" "\x01\x00", 10);
  auto c = cm::decode(with_preamble(body));
  ASSERT_TRUE(c) << c.error().to_string();
  auto v = cm::validate(*c);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("`Foo` is not in kebab case"), std::string::npos);
  EXPECT_EQ(v.error().offset, 18u);  // the import entry
}

TEST(ComponentDecode, HostileCountsDoNotAllocate) {
  // a type section claiming 2^32-1 types in 6 bytes
  auto c = cm::decode(with_preamble(std::string("\x07\x05\xff\xff\xff\xff\x0f", 7)));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "unexpected end-of-file");
  // a name length of 2^32-1
  auto n = cm::decode(with_preamble(std::string("\x00\x05\xff\xff\xff\xff\x0f", 7)));
  ASSERT_FALSE(n);
}

TEST(ComponentDecode, DeepNestingIsRejected) {
  // 200 nested component sections
  std::vector<uint8_t> inner = with_preamble("");
  for (int i = 0; i < 200; ++i) {
    std::vector<uint8_t> outer = with_preamble("");
    cm::enc::section(outer, 4, inner);
    inner = std::move(outer);
  }
  auto c = cm::decode(inner);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("nesting too deep"), std::string::npos);
  // deeply nested instance types too
  std::vector<uint8_t> t;
  for (int i = 0; i < 5000; ++i) { t.push_back(0x42); t.push_back(0x01); t.push_back(0x01); }
  t.push_back(0x42); t.push_back(0x00);
  std::vector<uint8_t> payload{0x01};
  for (uint8_t b : t) payload.push_back(b);
  std::vector<uint8_t> bin = with_preamble("");
  cm::enc::section(bin, 7, payload);
  EXPECT_FALSE(cm::decode(bin));
}

// A component exercising most sections, built with the writer.
std::vector<uint8_t> sample() {
  std::vector<uint8_t> out;
  cm::enc::preamble(out);
  // core module: (func (export "f") (param i32)) + memory export
  static const uint8_t mod[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x01, 0x7f,
                                0x00, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x0b, 0x02, 0x01,
                                0x66, 0x00, 0x00, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00,
                                0x0b};
  cm::enc::section(out, 1, std::vector<uint8_t>(mod, mod + sizeof mod));
  cm::enc::section(out, 2, {0x01, 0x00, 0x00, 0x00});                     // instantiate module 0
  std::vector<uint8_t> al{0x02, 0x00, 0x00, 0x01, 0x00};                  // 2 aliases: core func f
  cm::enc::name(al, "f");
  al.insert(al.end(), {0x00, 0x02, 0x01, 0x00});                          // core memory mem
  cm::enc::name(al, "mem");
  cm::enc::section(out, 6, al);
  std::vector<uint8_t> ty{0x01};
  cm::TypeDef ft;
  ft.kind = cm::TypeKind::Func;
  ft.fields.push_back({"x", cm::ValType::of(cm::PrimValType::U32)});
  cm::enc::typedef_(ty, ft);
  cm::enc::section(out, 7, ty);
  std::vector<uint8_t> cn{0x01};
  cm::Canon lift;
  lift.kind = cm::CanonKind::Lift;
  lift.func = 0;
  lift.type = 0;
  cm::enc::canon(cn, lift);
  cm::enc::section(out, 8, cn);
  std::vector<uint8_t> ex{0x01};
  cm::enc::extern_name(ex, cm::ExternName{"run", 0, {}});
  ex.insert(ex.end(), {0x01, 0x00, 0x00});  // func 0, no ascribed type
  cm::enc::section(out, 11, ex);
  std::vector<uint8_t> custom;
  cm::enc::name(custom, "note");
  custom.push_back(42);
  cm::enc::section(out, 0, custom);
  return out;
}

TEST(ComponentDecode, SampleDecodesAndValidates) {
  auto bin = sample();
  auto c = cm::decode(bin);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->core_modules.size(), 1u);
  EXPECT_EQ(c->core_instances.size(), 1u);
  EXPECT_EQ(c->aliases.size(), 2u);
  EXPECT_EQ(c->aliases[1].sort.core, cm::CoreSort::Memory);
  EXPECT_EQ(c->canons.size(), 1u);
  ASSERT_EQ(c->exports.size(), 1u);
  EXPECT_EQ(c->exports[0].name.name, "run");
  ASSERT_EQ(c->customs.size(), 1u);
  EXPECT_EQ(c->customs[0].name, "note");
  EXPECT_EQ(c->customs[0].data, std::vector<uint8_t>{42});
  auto v = cm::validate(*c);
  ASSERT_TRUE(v) << v.error().to_string();
  ASSERT_EQ(v->exports.size(), 1u);
  EXPECT_EQ(v->exports[0].name, "run");
  EXPECT_EQ(v->exports[0].kind, cm::ExternKind::Func);
  EXPECT_EQ(v->exports[0].type, "func(x: u32)");
}

TEST(ComponentDecode, LiftSignatureMismatchIsInvalid) {
  // same sample, but the func type takes a string: the core func must then be (i32 i32)
  auto bin = sample();
  auto c = cm::decode(bin);
  ASSERT_TRUE(c);
  c->types[0].fields[0].type = cm::ValType::of(cm::PrimValType::U64);
  auto v = cm::validate(*c);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("lowered parameter types `[I64]` do not match parameter types `[I32]`"), std::string::npos);
}

TEST(ComponentDecode, TruncationsNeverCrash) {
  auto bin = sample();
  size_t accepted = 0;
  for (size_t n = 0; n < bin.size(); ++n) {
    auto c = cm::decode(std::span<const uint8_t>(bin.data(), n));
    if (c) {
      ++accepted;
      (void)cm::validate(*c);
    }
  }
  // Only prefixes ending on a section boundary decode.
  EXPECT_LE(accepted, 8u);
}

TEST(ComponentDecode, CorruptionsNeverCrash) {
  auto bin = sample();
  std::mt19937 rng(1234);
  size_t rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    auto copy = bin;
    int flips = 1 + int(rng() % 4);
    for (int k = 0; k < flips; ++k) copy[8 + rng() % (copy.size() - 8)] = uint8_t(rng());
    auto r = cm::decode_and_validate(copy);
    if (!r) {
      ++rejected;
      EXPECT_FALSE(r.error().message.empty());
    }
  }
  EXPECT_GT(rejected, 0u);
}

}  // namespace
