// Unit tests of the resolved model and error reporting.
#include <gtest/gtest.h>

#include "common.h"

using namespace compono::wit;

namespace {
Loaded load_ok(const char* src, Options o = {}) {
  auto r = load_string("t.wit", src, o);
  EXPECT_TRUE(r) << r.error().message;
  return r ? std::move(*r) : Loaded{};
}
}  // namespace

TEST(WitModel, ErrorHasLocationAndCaret) {
  auto r = load_string("x.wit", "package a:b;\ninterface i {\n  type t = nope;\n}\n");
  ASSERT_FALSE(r);
  const std::string& m = r.error().message;
  EXPECT_NE(m.find("x.wit:3:12: type `nope` does not exist"), std::string::npos) << m;
  EXPECT_NE(m.find("  type t = nope;"), std::string::npos) << m;
  EXPECT_NE(m.find("|            ^"), std::string::npos) << m;
}

TEST(WitModel, PackageNameVersionsAndDocs) {
  auto l = load_ok("/// The docs\npackage wasi:io@0.2.0-rc.1+build;\n/** iface docs */\ninterface x {}\n");
  ASSERT_EQ(l.resolve.packages.size(), 1u);
  const Package& p = l.resolve.packages[l.main];
  EXPECT_EQ(p.name.ns, "wasi");
  EXPECT_EQ(p.name.name, "io");
  EXPECT_EQ(p.name.version, "0.2.0-rc.1+build");
  EXPECT_EQ(p.docs, "The docs");
  ASSERT_EQ(p.interfaces.size(), 1u);
  EXPECT_EQ(l.resolve.interfaces[p.interfaces[0].second].docs, "iface docs");
  EXPECT_EQ(l.resolve.interface_id(p.interfaces[0].second), "wasi:io/x@0.2.0-rc.1+build");
}

TEST(WitModel, ResourcesAndHandles) {
  auto l = load_ok(R"(package a:b;
interface i {
  resource r {
    constructor(x: u32);
    get: func() -> u32;
    make: static func() -> r;
  }
  use-it: func(a: borrow<r>, b: r) -> own<r>;
}
)");
  const Resolve& rs = l.resolve;
  const Interface& i = rs.interfaces[rs.find_interface(l.main, "i")];
  ASSERT_EQ(i.functions.size(), 4u);
  EXPECT_EQ(i.functions[0].name, "[constructor]r");
  EXPECT_EQ(i.functions[0].kind, FunctionKind::Constructor);
  EXPECT_EQ(i.functions[1].name, "[method]r.get");
  ASSERT_EQ(i.functions[1].params.size(), 1u);
  EXPECT_EQ(i.functions[1].params[0].name, "self");
  const TypeDef& self = rs.type(i.functions[1].params[0].type.id);
  EXPECT_EQ(self.kind, TypeDefKind::Handle);
  EXPECT_EQ(self.handle_kind, HandleKind::Borrow);
  EXPECT_EQ(i.functions[2].name, "[static]r.make");
  const Function& u = i.functions[3];
  // `r` and `own<r>` are the same anonymous type
  EXPECT_EQ(u.params[1].type, *u.result);
  EXPECT_EQ(rs.type(u.result->id).handle_kind, HandleKind::Own);
  EXPECT_EQ(rs.type_interface(rs.type(u.result->id).type.id), rs.find_interface(l.main, "i"));
}

TEST(WitModel, WorldElaborationImportsDependencies) {
  auto l = load_ok(R"(package a:b;
interface types { type t = u32; }
interface api { use types.{t}; f: func() -> t; }
world w { export api; import g: func(); }
)");
  const Resolve& rs = l.resolve;
  const World& w = rs.worlds[rs.find_world(l.main, "w")];
  // the export's dependency is imported; imports are ordered interfaces, types, functions
  ASSERT_EQ(w.imports.size(), 2u);
  EXPECT_EQ(rs.item_key(w.imports[0]), "a:b/types");
  EXPECT_EQ(w.imports[1].name, "g");
  ASSERT_EQ(w.exports.size(), 1u);
  EXPECT_EQ(rs.item_key(w.exports[0]), "a:b/api");
}

TEST(WitModel, FeatureGates) {
  const char* src = R"(package a:b;
interface i {
  @unstable(feature = x)
  f: func();
  @since(version = 0.1.0)
  g: func();
}
)";
  auto off = load_ok(src);
  EXPECT_EQ(off.resolve.interfaces[0].functions.size(), 1u);
  Options o;
  o.features = {"x"};
  auto on = load_ok(src, o);
  ASSERT_EQ(on.resolve.interfaces[0].functions.size(), 2u);
  EXPECT_EQ(on.resolve.interfaces[0].functions[0].stability.feature, "x");
  EXPECT_EQ(on.resolve.interfaces[0].functions[1].stability.since, "0.1.0");
}

TEST(WitModel, AbiHelpers) {
  auto l = load_ok(R"(package a:b;
interface i {
  record r { a: u8, b: u64, c: string }
  variant v { x(u8), y(f64), z }
}
)");
  const Resolve& rs = l.resolve;
  const Interface& i = rs.interfaces[0];
  Type r = Type::def(i.types[0].second), v = Type::def(i.types[1].second);
  EXPECT_EQ(size_align(rs, r).size, 24u);
  EXPECT_EQ(size_align(rs, r).align, 8u);
  EXPECT_EQ(field_offsets(rs, r), (std::vector<std::uint32_t>{0, 8, 16}));
  EXPECT_EQ(size_align(rs, v).size, 16u);
  std::vector<CoreType> f;
  flatten(rs, v, f);
  EXPECT_EQ(f, (std::vector<CoreType>{CoreType::I32, CoreType::I64}));
}

TEST(WitModel, BadInputNeverCrashes) {
  const char* inputs[] = {"", "package", "package a:b; interface", "package a:b; world w { import", "%",
                          "package a:b; interface i { type t = list<list<", "/* unterminated",
                          "package a:b@; ", "package a:b; interface i { f: func() -> ; }", "\xff\xfe"};
  for (const char* s : inputs) {
    auto r = load_string("bad.wit", s);
    EXPECT_FALSE(r) << s;
  }
}
