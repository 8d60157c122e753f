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
  EXPECT_EQ(v2->imports[0].type, "type record { x: u32, name: string }");
  EXPECT_EQ(v2->imports[1].type, "func(p: record { x: u32, name: string }) -> bool");
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

TEST(ComponentEncode, AddCoreModuleAndLift) {
  // A component built from a core module the way `compono new` does:
  // module exporting (func "f" (param i32 i32)) and memory, lifted as
  // func(s: string) with memory + realloc options.
  static const uint8_t mod[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      0x01, 0x0e, 0x02, 0x60, 0x02, 0x7f, 0x7f, 0x00, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f,  // types
      0x03, 0x03, 0x02, 0x00, 0x01,                                                                  // funcs
      0x05, 0x03, 0x01, 0x00, 0x01,                                                                  // memory
      0x07, 0x1a, 0x03, 0x01, 'f', 0x00, 0x00, 0x03, 'm', 'e', 'm', 0x02, 0x00,
      0x0c, 'c', 'a', 'b', 'i', '_', 'r', 'e', 'a', 'l', 'l', 'o', 'c', 0x00, 0x01,                   // exports
      0x0a, 0x09, 0x02, 0x02, 0x00, 0x0b, 0x04, 0x00, 0x41, 0x00, 0x0b};                              // code
  cm::Component c;
  EXPECT_EQ(cm::add_core_module(c, mod), 0u);
  cm::CoreInstance inst;
  c.core_instances.push_back(inst);
  for (auto [sort, name] : {std::pair{cm::CoreSort::Func, "f"}, {cm::CoreSort::Memory, "mem"}, {cm::CoreSort::Func, "cabi_realloc"}}) {
    cm::Alias a;
    a.sort = cm::Sort{cm::SortKind::Core, sort};
    a.target = cm::Alias::CoreExport;
    a.name = name;
    c.aliases.push_back(a);
  }
  cm::TypeDef fn;
  fn.kind = cm::TypeKind::Func;
  fn.fields = {{"s", cm::ValType::of(cm::PrimValType::String)}};
  c.types.push_back(fn);
  cm::Canon lift;
  lift.kind = cm::CanonKind::Lift;
  lift.func = 0;
  lift.type = 0;
  lift.opts = {{cm::CanonOptKind::Utf8, 0}, {cm::CanonOptKind::Memory, 0}, {cm::CanonOptKind::Realloc, 1}};
  c.canons.push_back(lift);
  cm::Export ex;
  ex.name.name = "greet";
  ex.item = cm::SortIdx{cm::Sort{cm::SortKind::Func, cm::CoreSort::Func}, 0};
  c.exports.push_back(ex);
  // core types, types, imports, modules, components, core instances, ... : types come first,
  // which is fine since the lift's type is defined before it's used.
  auto bin = cm::encode(c);
  auto v = cm::decode_and_validate(bin);
  ASSERT_TRUE(v) << v.error().to_string();
  ASSERT_EQ(v->exports.size(), 1u);
  EXPECT_EQ(v->exports[0].type, "func(s: string)");
  // Without realloc the lift is invalid (strings in parameters need it).
  c.canons[0].opts.pop_back();
  auto bad = cm::decode_and_validate(cm::encode(c));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("canonical option `realloc` is required"), std::string::npos);
}

TEST(ComponentEncode, BuilderAppendKeepsDefinitionOrder) {
  // import f: func(x: u32); lower it; bundle it into a core instance; that
  // order (import, canon, core instance, alias) is not kind-by-kind.
  cm::Component c;
  cm::TypeDef fn;
  fn.kind = cm::TypeKind::Func;
  fn.fields = {{"x", cm::ValType::of(cm::PrimValType::U32)}};
  EXPECT_EQ(cm::append(c, fn), 0u);
  cm::Import im;
  im.name.name = "f";
  im.desc.kind = cm::ExternKind::Func;
  im.desc.index = 0;
  cm::append(c, im);
  cm::Canon lower;
  lower.kind = cm::CanonKind::Lower;
  lower.func = 0;
  cm::append(c, lower);
  cm::CoreInstance bag;
  bag.instantiate = false;
  bag.exports.push_back({"f", cm::CoreSortIdx{cm::CoreSort::Func, 0}});
  cm::append(c, bag);
  cm::Alias a;
  a.sort = cm::Sort{cm::SortKind::Core, cm::CoreSort::Func};
  a.target = cm::Alias::CoreExport;
  a.instance = 0;
  a.name = "f";
  cm::append(c, a);
  cm::Canon lift;
  lift.kind = cm::CanonKind::Lift;
  lift.func = 1;
  lift.type = 0;
  cm::append(c, lift);  // a second canon section (not merged with the lower)
  cm::Export ex;
  ex.name.name = "g";
  ex.item = cm::SortIdx{cm::Sort{cm::SortKind::Func, cm::CoreSort::Func}, 1};
  cm::append(c, ex);
  ASSERT_EQ(c.items.size(), 7u);
  EXPECT_EQ(c.items[5].section, 5u);
  auto bin = cm::encode(c);
  auto d = cm::decode(bin);
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_TRUE(d->same_structure(c));
  auto v = cm::validate(*d);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_EQ(v->exports[0].type, "func(x: u32)");
}

TEST(ComponentEncode, InconsistentHandBuiltComponentsDoNotCrash) {
  cm::Component c;
  c.items.push_back({cm::Item::Type, 3, 0});        // no such type
  c.items.push_back({cm::Item::CoreModule, 0, 1});  // no such module, no bytes
  auto v = cm::validate(c);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("missing definition"), std::string::npos);
  auto bin = cm::encode(c);
  auto d = cm::decode(bin);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->items.empty());
  cm::Component l;
  cm::TypeDef list;
  list.kind = cm::TypeKind::List;  // element type missing
  l.types.push_back(list);
  EXPECT_FALSE(cm::validate(l));
  EXPECT_TRUE(cm::decode(cm::encode(l)));
}
