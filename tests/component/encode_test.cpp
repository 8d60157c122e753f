// Writer: hand-built components encode to valid binaries; decoded
// components re-encode to the same structure (and here the same bytes).
#include <gtest/gtest.h>

#include "component/component.h"

namespace cm = compono::component;

TEST(ComponentEncode, HandBuiltComponentValidates) {
  cm::Component c;
  cm::TypeDef rec;
  rec.kind = cm::TypeKind::Record;
  rec.fields = {{"x", cm::ValType::of(cm::PrimValType::U32)}, {"name", cm::ValType::of(cm::PrimValType::String)}};
  c.types.push_back(rec);
  cm::TypeDef fn;
  fn.kind = cm::TypeKind::Func;
  fn.fields = {{"p", cm::ValType::ref(1)}};
  fn.a = cm::ValType::of(cm::PrimValType::Bool);
  c.types.push_back(fn);
  // (import "point" (type (eq 0))) then the func using the imported (named) type
  std::swap(c.types[0], c.types[1]);  // types: 0 = func(p: type 1), 1 = record -- fix order below
  std::swap(c.types[0], c.types[1]);
  cm::Import ti;
  ti.name.name = "point";
  ti.desc.kind = cm::ExternKind::Type;
  ti.desc.index = 0;
  c.imports.push_back(ti);
  // after the import, type 2 is the named record; the func refers to it
  c.types[1].fields[0].type = cm::ValType::ref(2);
  auto bin = cm::encode(c);
  auto d = cm::decode(bin);
  ASSERT_TRUE(d) << d.error().to_string();
  // kind-by-kind order puts both types before the import, so the func's
  // reference to type 2 is out of bounds: validation must say so.
  auto v = cm::validate(*d);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("type index out of bounds"), std::string::npos);

  // With explicit items the order is kept: record, import, func, import f.
  cm::Component c2;
  c2.types = {rec, fn};
  c2.types[1].fields[0].type = cm::ValType::ref(1);
  c2.imports.push_back(ti);
  cm::Import fi;
  fi.name.name = "f";
  fi.desc.kind = cm::ExternKind::Func;
  fi.desc.index = 2;
  c2.imports.push_back(fi);
  c2.items = {{cm::Item::Type, 0, 0}, {cm::Item::Import, 0, 1}, {cm::Item::Type, 1, 2}, {cm::Item::Import, 1, 3}};
  auto bin2 = cm::encode(c2);
  auto d2 = cm::decode(bin2);
  ASSERT_TRUE(d2) << d2.error().to_string();
  auto v2 = cm::validate(*d2);
  ASSERT_TRUE(v2) << v2.error().to_string();
  ASSERT_EQ(v2->imports.size(), 2u);
  EXPECT_EQ(v2->imports[1].name, "f");
  EXPECT_EQ(cm::encode(*d2), bin2);
}

TEST(ComponentEncode, ValtypeIndicesAreSignedLeb) {
  // Type index 64 must be encoded as two bytes (0xc0 0x00), not 0x40 (= func type opcode).
  std::vector<uint8_t> out;
  cm::enc::valtype(out, cm::ValType::ref(64));
  EXPECT_EQ(out, (std::vector<uint8_t>{0xc0, 0x00}));
  out.clear();
  cm::enc::valtype(out, cm::ValType::ref(5));
  EXPECT_EQ(out, (std::vector<uint8_t>{0x05}));
}

TEST(ComponentEncode, RoundTripKeepsSectionsAndBytes) {
  // nested component + custom section + canon options
  std::vector<uint8_t> inner;
  cm::enc::preamble(inner);
  std::vector<uint8_t> out;
  cm::enc::preamble(out);
  cm::enc::section(out, 4, inner);
  std::vector<uint8_t> custom;
  cm::enc::name(custom, "x");
  custom.push_back(7);
  cm::enc::section(out, 0, custom);
  auto c = cm::decode(out);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(cm::encode(*c), out);
  auto again = cm::decode(cm::encode(*c));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->same_structure(*c));
}
