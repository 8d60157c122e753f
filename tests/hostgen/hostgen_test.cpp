// tests/hostgen: the C++ host bindings generator (`compono bindgen cpp --host`).
// The generated code of data/kitchen is also compiled into this test (see
// CMakeLists.txt), so the assertions here check the shape of the API while
// the build checks that it compiles warning-free.
#include <gtest/gtest.h>

#include <string>

#include "bindgen/bindgen.h"
#include "kitchen_host.h"

namespace {

using compono::bindgen::File;

std::vector<File> generate(const std::string& dir, const std::string& world) {
  auto loaded = compono::wit::load_path(dir);
  EXPECT_TRUE(loaded) << loaded.error().to_string();
  if (!loaded) return {};
  auto w = loaded->resolve.select_world(loaded->main, world);
  EXPECT_TRUE(w) << w.error().to_string();
  if (!w) return {};
  auto files = compono::bindgen::generate_host_cpp(loaded->resolve, *w);
  EXPECT_TRUE(files) << files.error().to_string();
  return files ? *files : std::vector<File>{};
}

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

TEST(HostGen, GreeterApi) {
  auto files = generate(COMPONO_SOURCE_DIR "/examples/greeter/wit", "greeter");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].name, "greeter_host.h");
  EXPECT_EQ(files[1].name, "greeter_host.cpp");
  const std::string& h = files[0].contents;
  EXPECT_TRUE(contains(h, "namespace example::greeter::types {")) << h;
  EXPECT_TRUE(contains(h, "struct Request {\n  std::string name{};\n};")) << h;
  EXPECT_TRUE(contains(h, "struct Response {\n  std::string greeting{};\n  std::string request_id{};\n};")) << h;
  EXPECT_TRUE(contains(h, "virtual compono::Result<std::string> request_id() = 0;")) << h;
  EXPECT_TRUE(contains(h, "compono::Result<void> add_to_linker(compono::component::Linker& linker, Host& host);"))
      << h;
  // Resource tables belong to the Host object, not to the process.
  EXPECT_TRUE(contains(h, "compono_host::ResourceTable<Context>& context_table() const;")) << h;
  EXPECT_FALSE(contains(files[1].contents, "static compono_host::ResourceTable")) << files[1].contents;
  // The exports lend `context` objects from the types host given at instantiation.
  EXPECT_TRUE(contains(h, "const compono::component::Component& component, ::example::greeter::types::Host& types_host);"))
      << h;
  EXPECT_TRUE(contains(h, "compono::Result<::example::greeter::types::Response, compono::component::Trap> "
                          "greet(compono::component::Store& store, const ::example::greeter::types::Request& req, "
                          "::example::greeter::types::Context& ctx) const;"))
      << h;
  const std::string& c = files[1].contents;
  EXPECT_TRUE(contains(c, "linker.define_resource(inst, \"context\"")) << c;
  EXPECT_TRUE(contains(c, "\"[method]context.request-id\"")) << c;
  EXPECT_TRUE(contains(c, "const char* inst = \"example:greeter/types\";")) << c;
  EXPECT_TRUE(contains(c, "inst.get_func(\"greet\")")) << c;
}

TEST(HostGen, KitchenSinkTypes) {
  auto files = generate(COMPONO_SOURCE_DIR "/tests/hostgen/data/kitchen", "kitchen");
  ASSERT_EQ(files.size(), 2u);
  const std::string& h = files[0].contents;
  EXPECT_TRUE(contains(h, "enum class Color : uint32_t { Red, Green, Blue };")) << h;
  EXPECT_TRUE(contains(h, "static constexpr uint64_t WRITE = uint64_t(1) << 1;")) << h;
  EXPECT_TRUE(contains(h, "std::variant<Circle, Rect, Empty> value;")) << h;
  EXPECT_TRUE(contains(h, "virtual compono::Result<compono_host::WitResult<uint32_t, std::string>> draw(")) << h;
  EXPECT_TRUE(contains(h, "virtual compono::Result<std::unique_ptr<Canvas>> canvas_new(uint32_t width, uint32_t height) = 0;")) << h;
  EXPECT_TRUE(contains(h, "canvas_merge(std::unique_ptr<::test::kitchen::shapes::Canvas> a, "
                          "::test::kitchen::shapes::Canvas& b) = 0;"))
      << h;
  EXPECT_TRUE(contains(h, "virtual compono::Result<void> log(const std::string& msg) = 0;")) << h;
  EXPECT_TRUE(contains(h, "api_sum(compono::component::Store& store, const std::vector<int64_t>& xs) const;")) << h;
  EXPECT_TRUE(contains(h, "compono::Result<void, compono::component::Trap> nothing(compono::component::Store& store) const;"))
      << h;
  // Resources of another imported interface: that interface's host is passed too.
  EXPECT_TRUE(contains(h, "namespace test::kitchen::frames {")) << h;
  EXPECT_TRUE(contains(h, "add_to_linker(compono::component::Linker& linker, Host& host, "
                          "::test::kitchen::shapes::Host& shapes_host);"))
      << h;
  EXPECT_TRUE(contains(h, "virtual compono::Result<uint32_t> frame(const std::vector<::test::kitchen::frames::Framed>& f) = 0;"))
      << h;
  EXPECT_TRUE(contains(h, "struct Framed {\n  ::test::kitchen::shapes::Canvas* c{};")) << h;
  EXPECT_TRUE(contains(h, "add_to_linker(compono::component::Linker& linker, KitchenImports& host, "
                          "::test::kitchen::shapes::Host& shapes_host);"))
      << h;
  EXPECT_TRUE(contains(h, "const compono::component::Component& component, ::test::kitchen::shapes::Host& shapes_host);"))
      << h;
  const std::string& c = files[1].contents;
  EXPECT_TRUE(contains(c, "inst.get_func(\"api#sum\")")) << c;
  EXPECT_TRUE(contains(c, "compono::component::Val::bytes(b)")) << c;  // list<u8> takes the byte fast path
}

TEST(HostGen, ResourceTable) {
  compono_host::ResourceTable<int> t;
  int a = 1;
  uint32_t r1 = t.lend(a);
  uint32_t r2 = t.add(std::make_unique<int>(2));
  EXPECT_EQ(r1, 1u);
  EXPECT_EQ(r2, 2u);
  EXPECT_EQ(t.get(r1), &a);
  EXPECT_EQ(*t.get(r2), 2);
  EXPECT_FALSE(t.owned(r1));
  EXPECT_TRUE(t.owned(r2));
  EXPECT_EQ(t.get(0), nullptr);
  EXPECT_EQ(t.get(99), nullptr);
  EXPECT_EQ(t.take(r1), nullptr);  // a lent entry cannot be taken
  EXPECT_EQ(t.get(r1), &a);
  t.end_lend(r1);  // lent: not deleted
  EXPECT_EQ(t.get(r1), nullptr);
  t.end_lend(r2);  // not lent: no effect
  ASSERT_NE(t.get(r2), nullptr);
  auto owned = t.take(r2);
  ASSERT_TRUE(owned);
  EXPECT_EQ(*owned, 2);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.lend(a), 2u);  // slots are reused
  EXPECT_EQ(t.slots(), 2u);
  // Owned entries still in the table are deleted with it (checked by ASan/valgrind runs).
  t.add(std::make_unique<int>(3));
  EXPECT_EQ(t.size(), 2u);
}

TEST(HostGen, ExportedResourceHandleClass) {
  auto loaded = compono::wit::load_string("x.wit",
                                          "package t:x;\ninterface i { resource r { constructor(n: u32); "
                                          "f: func() -> u32; make: static func() -> r; } take: func(x: r); }\n"
                                          "world w { export i; }\n");
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  auto w = loaded->resolve.select_world(loaded->main, "w");
  ASSERT_TRUE(w);
  auto files = compono::bindgen::generate_host_cpp(loaded->resolve, *w);
  ASSERT_TRUE(files) << files.error().message;
  const std::string& h = (*files)[0].contents;
  EXPECT_TRUE(contains(h, "class R {")) << h;
  EXPECT_TRUE(contains(h, "~R() { (void)drop(); }")) << h;
  EXPECT_TRUE(contains(h, "static compono::Result<::t::x::i::R, compono::component::Trap> create("
                          "compono::component::Store& store, const ::t::x::W& world, uint32_t n);"))
      << h;
  EXPECT_TRUE(contains(h, "compono::Result<uint32_t, compono::component::Trap> f() const;")) << h;
  EXPECT_TRUE(contains(h, "static compono::Result<::t::x::i::R, compono::component::Trap> make(")) << h;
  EXPECT_TRUE(contains(h, "i_take(compono::component::Store& store, ::t::x::i::R x) const;")) << h;
  const std::string& c = (*files)[1].contents;
  EXPECT_TRUE(contains(c, "inst.get_func(\"t:x/i#[method]r.f\")")) << c;
  EXPECT_TRUE(contains(c, "inst.get_func(\"t:x/i#[constructor]r\")")) << c;
}

TEST(HostGen, NameClashesAreErrorsNotBrokenCode) {
  for (const char* wit : {"package t:x;\ninterface i { resource host { f: func(); } }\nworld w { import i; }\n",
                          "package t:x;\ninterface i { resource r { drop: func(); } }\nworld w { export i; }\n"}) {
    auto loaded = compono::wit::load_string("x.wit", wit);
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    auto w = loaded->resolve.select_world(loaded->main, "w");
    ASSERT_TRUE(w);
    auto files = compono::bindgen::generate_host_cpp(loaded->resolve, *w);
    ASSERT_FALSE(files) << wit;
    EXPECT_TRUE(contains(files.error().message, "clashes with")) << files.error().message;
  }
}

}  // namespace
