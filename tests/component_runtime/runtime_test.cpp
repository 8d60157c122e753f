// Component runtime tests: components written in the component text format,
// converted with `jco parse` (cached in the build dir), run on Compono's
// runtime through the public API (compono/component.h).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <string>
#include <vector>

#include "compono/component.h"

namespace fs = std::filesystem;
using namespace compono::component;

namespace {

const fs::path kJco = fs::path(COMPONO_SOURCE_DIR) / ".tools/node_modules/.bin/jco";
const fs::path kCache = fs::path(COMPONO_TEST_BINARY_DIR) / "wat-cache";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Component text -> binary via `jco parse`; empty + message on failure.
std::vector<uint8_t> wat(const std::string& text, std::string& err) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) { h ^= c; h *= 1099511628211ull; }
  char key[32];
  std::snprintf(key, sizeof key, "%016llx", static_cast<unsigned long long>(h));
  fs::create_directories(kCache);
  fs::path out = kCache / (std::string(key) + ".wasm");
  if (!fs::exists(out)) {
    std::string tag = std::to_string(::getpid());
    fs::path in = kCache / (std::string(key) + "." + tag + ".wat");
    fs::path tmp = kCache / (std::string(key) + "." + tag + ".wasm");
    std::ofstream(in, std::ios::binary) << text;
    std::string cmd = "'" + kJco.string() + "' parse '" + in.string() + "' -o '" + tmp.string() + "' > '" + in.string() +
                      ".log' 2>&1";
    int rc = std::system(cmd.c_str());
    if (rc != 0 || !fs::exists(tmp)) {
      err = "jco parse failed: " + slurp(in.string() + ".log");
      return {};
    }
    fs::rename(tmp, out);
    fs::remove(in);
    fs::remove(in.string() + ".log");
  }
  std::string b = slurp(out);
  return std::vector<uint8_t>(b.begin(), b.end());
}

#define NEED_JCO() \
  if (!fs::exists(kJco)) GTEST_SKIP() << "jco not installed (run scripts/setup.sh)"

Component compile(const std::string& text) {
  std::string err;
  auto bytes = wat(text, err);
  EXPECT_FALSE(bytes.empty()) << err;
  auto c = Component::compile(bytes);
  EXPECT_TRUE(c) << (c ? "" : c.error().to_string());
  return c ? *c : Component();
}

const char* kMem = R"(
  (core module $Mem
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 4096))
    (func (export "realloc") (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $align))))
      (global.set $bump (i32.add (local.get $p) (local.get $size)))
      (if (local.get $old-size)
        (then (memory.copy (local.get $p) (local.get $old)
                (select (local.get $old-size) (local.get $size) (i32.lt_u (local.get $old-size) (local.get $size))))))
      (local.get $p)))
  (core instance $mem (instantiate $Mem))
)";

// A component that imports `echo: func(x: T) -> T` from the host and exports
// `f: func(x: T) -> T` calling it: values cross host->guest->host->guest->host.
std::string echo_component(const std::string& type, const std::string& flat, bool spill_result,
                           const std::string& enc, bool named) {
  std::string t = named ? "$T" : type;
  std::string s = "(component\n";
  if (named) s += "  (type $T0 " + type + ")\n  (import \"t\" (type $T (eq $T0)))\n";
  s += "  (import \"echo\" (func $echo (param \"x\" " + t + ") (result " + t + ")))\n";
  s += kMem;
  s += "  (core func $echo' (canon lower (func $echo) (memory (core memory $mem \"mem\")) (realloc (core func $mem \"realloc\")) " + enc + "))\n";
  s += "  (core module $M\n";
  if (spill_result) {
    s += "    (import \"\" \"echo\" (func $echo (param " + flat + " i32)))\n";
    s += "    (func (export \"f\") (param " + flat + ") (result i32)\n";
  } else {
    s += "    (import \"\" \"echo\" (func $echo (param " + flat + ") (result " + flat + ")))\n";
    s += "    (func (export \"f\") (param " + flat + ") (result " + flat + ")\n";
  }
  // Forward every param.
  size_t n = 0;
  for (size_t i = 0; i < flat.size(); ++i)
    if (flat[i] == 'i' || flat[i] == 'f') { ++n; i += 2; }
  for (size_t i = 0; i < n; ++i) s += "      (local.get " + std::to_string(i) + ")\n";
  if (spill_result) s += "      (i32.const 64) (call $echo) (i32.const 64))\n";
  else s += "      (call $echo))\n";
  s += "  )\n";
  s += "  (core instance $m (instantiate $M (with \"\" (instance (export \"echo\" (func $echo'))))))\n";
  s += "  (func (export \"f\") (param \"x\" " + t + ") (result " + t + ") (canon lift (core func $m \"f\") (memory (core memory $mem \"mem\")) (realloc (core func $mem \"realloc\")) " + enc + "))\n";
  s += ")\n";
  return s;
}

struct EchoCase {
  const char* name;
  std::string type;
  std::string flat;
  bool spill;
  bool named;
  Val value;
};

std::vector<EchoCase> echo_cases() {
  std::vector<std::string> many;
  for (int i = 0; i < 32; ++i) many.push_back("f" + std::to_string(i));
  std::string flags32 = "(flags";
  for (auto& m : many) flags32 += " \"" + m + "\"";
  flags32 += ")";
  return {
      {"bool", "bool", "i32", false, false, Val::bool_(true)},
      {"s8", "s8", "i32", false, false, Val::s8(-5)},
      {"u8", "u8", "i32", false, false, Val::u8(250)},
      {"s16", "s16", "i32", false, false, Val::s16(-30000)},
      {"u16", "u16", "i32", false, false, Val::u16(65000)},
      {"s32", "s32", "i32", false, false, Val::s32(-2000000000)},
      {"u32", "u32", "i32", false, false, Val::u32(4000000000u)},
      {"s64", "s64", "i64", false, false, Val::s64(-9000000000000000000ll)},
      {"u64", "u64", "i64", false, false, Val::u64(18000000000000000000ull)},
      {"f32", "f32", "f32", false, false, Val::f32(-1.5f)},
      {"f64", "f64", "f64", false, false, Val::f64(3.25)},
      {"char", "char", "i32", false, false, Val::char_(U'\U0001F600')},
      {"string", "string", "i32 i32", true, false, Val::string("héllo ☃ 😀")},
      {"list_u8", "(list u8)", "i32 i32", true, false, Val::list({Val::u8(1), Val::u8(2), Val::u8(255)})},
      {"list_u8_bytes_form", "(list u8)", "i32 i32", true, false, Val::bytes(std::vector<uint8_t>{0, 1, 2, 200, 255})},
      {"list_s8", "(list s8)", "i32 i32", true, false, Val::list({Val::s8(-1), Val::s8(5)})},
      {"list_string", "(list string)", "i32 i32", true, false, Val::list({Val::string("a"), Val::string(""), Val::string("ccc")})},
      {"tuple", "(tuple u8 string f64)", "i32 i32 i32 f64", true, false, Val::tuple({Val::u8(7), Val::string("x"), Val::f64(0.5)})},
      {"record", "(record (field \"a\" u16) (field \"b\" (list u32)))", "i32 i32 i32", true, true,
       Val::record({{"a", Val::u16(9)}, {"b", Val::list({Val::u32(1), Val::u32(2)})}})},
      {"variant_joined", "(variant (case \"a\" u32) (case \"b\" f64) (case \"c\"))", "i32 i64", true, true,
       Val::variant("b", Val::f64(-2.0))},
      {"variant_empty_case", "(variant (case \"a\" u32) (case \"b\" f64) (case \"c\"))", "i32 i64", true, true,
       Val::variant("c")},
      {"enum", "(enum \"red\" \"green\" \"blue\")", "i32", false, true, Val::enum_("blue")},
      {"option_some", "(option (tuple u8 string))", "i32 i32 i32 i32", true, false,
       Val::some(Val::tuple({Val::u8(1), Val::string("z")}))},
      {"option_none", "(option string)", "i32 i32 i32", true, false, Val::none()},
      {"result_ok", "(result string (error u32))", "i32 i32 i32", true, false, Val::ok(Val::string("fine"))},
      {"result_err", "(result string (error u32))", "i32 i32 i32", true, false, Val::err(Val::u32(404))},
      {"flags8", "(flags \"a\" \"b\" \"c\")", "i32", false, true, Val::flags({"a", "c"})},
      {"flags32", flags32, "i32", false, true, Val::flags({"f0", "f15", "f31"})},
      {"flags12", "(flags \"a\" \"b\" \"c\" \"d\" \"e\" \"f\" \"g\" \"h\" \"i\" \"j\" \"k\" \"l\")", "i32", false, true, Val::flags({"b", "l"})},
  };
}

}  // namespace

TEST(ComponentRuntime, EchoEveryValueTypeThroughHostAndGuest) {
  NEED_JCO();
  for (const char* enc : {"string-encoding=utf8", "string-encoding=utf16", "string-encoding=latin1+utf16"}) {
    for (auto& c : echo_cases()) {
      SCOPED_TRACE(std::string(c.name) + " " + enc);
      Component comp = compile(echo_component(c.type, c.flat, c.spill, enc, c.named));
      if (!comp) continue;
      Store store;
      Linker linker;
      std::vector<Val> seen;
      ASSERT_TRUE(linker.define_func("", "echo", [&](HostCall&, std::span<const Val> args, std::span<Val> results) -> HostResult {
        seen.assign(args.begin(), args.end());
        results[0] = args[0];
        return {};
      }));
      if (c.named) {
        // The (eq) type import needs no host definition.
      }
      auto inst = linker.instantiate(store, comp);
      ASSERT_TRUE(inst) << inst.error().to_string();
      Func f = inst->get_func("f");
      ASSERT_TRUE(f);
      auto r = f.call(store, {c.value});
      ASSERT_TRUE(r) << r.error().to_string();
      ASSERT_EQ(r->size(), 1u);
      EXPECT_EQ((*r)[0], c.value) << (*r)[0].to_string() << " vs " << c.value.to_string();
      ASSERT_EQ(seen.size(), 1u);
      EXPECT_EQ(seen[0], c.value) << seen[0].to_string();
    }
  }
}

TEST(ComponentRuntime, CallIntoAvoidsResultVectorAndChecksTypes) {
  NEED_JCO();
  Component comp = compile(echo_component("u32", "i32", false, "", false));
  Store store;
  Linker linker;
  ASSERT_TRUE(linker.define_func("", "echo", [](HostCall&, std::span<const Val> a, std::span<Val> r) -> HostResult {
    r[0] = Val::u32(a[0].as_u32() + 1);
    return {};
  }));
  auto inst = linker.instantiate(store, comp);
  ASSERT_TRUE(inst) << inst.error().to_string();
  Func f = inst->get_func("f");
  Val args[1] = {Val::u32(41)};
  Val res[1];
  ASSERT_TRUE(f.call_into(store, args, res));
  EXPECT_EQ(res[0].as_u32(), 42u);
  // Wrong argument kind: a trap, not a crash.
  auto bad = f.call(store, {Val::string("x")});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("type mismatch"), std::string::npos) << bad.error().message;
  // A host function returning the wrong kind is caught as well.
  Linker l2;
  ASSERT_TRUE(l2.define_func("", "echo", [](HostCall&, std::span<const Val>, std::span<Val> r) -> HostResult {
    r[0] = Val::string("oops");
    return {};
  }));
  auto i2 = l2.instantiate(store, comp);
  ASSERT_TRUE(i2);
  auto bad2 = i2->get_func("f").call(store, {Val::u32(1)});
  ASSERT_FALSE(bad2);
  EXPECT_NE(bad2.error().message.find("type mismatch"), std::string::npos) << bad2.error().message;
  // A host definition with a declared type is checked against the import.
  Linker typed;
  ASSERT_TRUE(typed.define_func("", "echo", FuncType{{{"x", Type::u64()}}, Type::u64()},
                                [](HostCall&, std::span<const Val>, std::span<Val>) -> HostResult { return {}; }));
  auto i4 = typed.instantiate(store, comp);
  ASSERT_FALSE(i4);
  EXPECT_NE(i4.error().message.find("wrong type"), std::string::npos) << i4.error().message;
  Linker typed_ok;
  ASSERT_TRUE(typed_ok.define_func("", "echo", FuncType{{{"x", Type::u32()}}, Type::u32()},
                                   [](HostCall&, std::span<const Val> a, std::span<Val> r) -> HostResult {
                                     r[0] = a[0];
                                     return {};
                                   }));
  EXPECT_TRUE(typed_ok.instantiate(store, comp));
  // Missing host function: an instantiation error naming it.
  Linker empty;
  auto i3 = empty.instantiate(store, comp);
  ASSERT_FALSE(i3);
  EXPECT_NE(i3.error().message.find("echo"), std::string::npos) << i3.error().message;
}

namespace {
const char* kHostResource = R"(
(component
  (import "context" (type $ctx (sub resource)))
  (core func $drop (canon resource.drop $ctx))
  (core module $M
    (import "" "drop" (func $drop (param i32)))
    (func (export "leak") (param i32))
    (func (export "leak-two") (param i32 i32))
    (func (export "use") (param i32) (call $drop (local.get 0)))
    (func (export "take") (param i32) (call $drop (local.get 0)))
    (func (export "bad") (call $drop (i32.const 5))))
  (core instance $m (instantiate $M (with "" (instance (export "drop" (func $drop))))))
  (func (export "leak") (param "c" (borrow $ctx)) (canon lift (core func $m "leak")))
  (func (export "leak-two") (param "a" (borrow $ctx)) (param "b" (borrow $ctx)) (canon lift (core func $m "leak-two")))
  (func (export "use") (param "c" (borrow $ctx)) (canon lift (core func $m "use")))
  (func (export "take") (param "c" (own $ctx)) (canon lift (core func $m "take")))
  (func (export "bad") (canon lift (core func $m "bad")))
)
)";
}  // namespace

TEST(ComponentRuntime, HostResourcesBorrowLeakAndDestructor) {
  NEED_JCO();
  Component comp = compile(kHostResource);
  Store store;
  Linker linker;
  std::vector<uint32_t> destroyed;
  ResourceType ctx = ResourceType::host("context", [&](uint32_t rep) { destroyed.push_back(rep); });
  ASSERT_TRUE(linker.define_resource("", "context", ctx));
  auto inst = linker.instantiate(store, comp);
  ASSERT_TRUE(inst) << inst.error().to_string();

  auto ok = inst->get_func("use").call(store, {Val::borrow(Resource(ctx, 7))});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_TRUE(destroyed.empty());  // dropping a borrow never runs the destructor

  Store s2;
  auto i2 = linker.instantiate(s2, comp);
  ASSERT_TRUE(i2);
  auto leak = i2->get_func("leak").call(s2, {Val::borrow(Resource(ctx, 7))});
  ASSERT_FALSE(leak);
  EXPECT_EQ(leak.error().message,
            "borrow handles still remain at the end of the call to export \"leak\": 1 borrowed handle of resource "
            "\"context\" (handle index 1) was not dropped. A component must drop every borrow<T> it receives before "
            "returning: call [resource-drop]context, or use Compono's generated C++ bindings, which release borrows "
            "automatically.");

  Store s3;
  auto i3 = linker.instantiate(s3, comp);
  ASSERT_TRUE(i3);
  auto leak2 = i3->get_func("leak-two").call(s3, {Val::borrow(Resource(ctx, 1)), Val::borrow(Resource(ctx, 2))});
  ASSERT_FALSE(leak2);
  EXPECT_NE(leak2.error().message.find("2 borrowed handles of resource \"context\" (handle indices 1, 2) were not dropped"),
            std::string::npos)
      << leak2.error().message;

  auto take = inst->get_func("take").call(store, {Val::own(Resource(ctx, 42))});
  ASSERT_TRUE(take) << take.error().message;
  EXPECT_EQ(destroyed, std::vector<uint32_t>{42});

  auto bad = inst->get_func("bad").call(store, {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "unknown handle index 5");
  // The trap poisoned the instance.
  auto after = inst->get_func("use").call(store, {Val::borrow(Resource(ctx, 7))});
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().message, "cannot enter component instance: it trapped earlier");

  // A resource of another type is rejected before reaching the guest, and
  // (a host error, not a trap) does not poison the instance.
  Store s4;
  auto i4 = linker.instantiate(s4, comp);
  ASSERT_TRUE(i4);
  ResourceType other = ResourceType::host("other");
  auto wrong = i4->get_func("use").call(s4, {Val::borrow(Resource(other, 1))});
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("type mismatch"), std::string::npos);
  auto fine = i4->get_func("use").call(s4, {Val::borrow(Resource(ctx, 7))});
  EXPECT_TRUE(fine) << fine.error().message;
}

namespace {
const char* kGuestResource = R"(
(component
  (core module $D
    (global $dropped (export "dropped") (mut i32) (i32.const 0))
    (func (export "dtor") (param i32) (global.set $dropped (local.get 0))))
  (core instance $d (instantiate $D))
  (alias core export $d "dtor" (core func $dtor))
  (type $R (resource (rep i32) (dtor (func $dtor))))
  (core func $new (canon resource.new $R))
  (core func $drop (canon resource.drop $R))
  (core func $rep (canon resource.rep $R))
  (core module $M
    (import "" "new" (func $new (param i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "" "rep" (func $rep (param i32) (result i32)))
    (import "d" "dropped" (global $dropped (mut i32)))
    (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
    (func (export "get") (param i32) (result i32) (local.get 0))
    (func (export "dropped") (result i32) (global.get $dropped))
    (func (export "drop-twice") (local $h i32)
      (local.set $h (call $new (i32.const 1)))
      (call $drop (local.get $h))
      (call $drop (local.get $h)))
    (func (export "handles") (result i32)
      (local $a i32) (local $b i32)
      (local.set $a (call $new (i32.const 10)))
      (local.set $b (call $new (i32.const 20)))
      (call $drop (local.get $a))
      ;; freed slots are reused last-freed-first
      (i32.add (i32.mul (call $new (i32.const 30)) (i32.const 100)) (call $rep (local.get $b)))))
  (core instance $m (instantiate $M (with "" (instance
      (export "new" (func $new)) (export "drop" (func $drop)) (export "rep" (func $rep))))
    (with "d" (instance $d))))
  (export $RE "r" (type $R))
  (func (export "make") (param "rep" u32) (result (own $RE)) (canon lift (core func $m "make")))
  (func (export "get") (param "r" (borrow $RE)) (result u32) (canon lift (core func $m "get")))
  (func (export "dropped") (result u32) (canon lift (core func $m "dropped")))
  (func (export "drop-twice") (canon lift (core func $m "drop-twice")))
  (func (export "handles") (result u32) (canon lift (core func $m "handles")))
)
)";
}  // namespace

TEST(ComponentRuntime, GuestResourcesHandleTableAndHostHeldHandles) {
  NEED_JCO();
  Component comp = compile(kGuestResource);
  Store store;
  Linker linker;
  auto inst = linker.instantiate(store, comp);
  ASSERT_TRUE(inst) << inst.error().to_string();
  ResourceType r = inst->get_resource("r");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r.is_host());

  auto made = inst->get_func("make").call(store, {Val::u32(77)});
  ASSERT_TRUE(made) << made.error().message;
  ASSERT_EQ((*made)[0].kind(), Kind::Own);
  EXPECT_EQ((*made)[0].resource().rep(), 77u);
  EXPECT_TRUE((*made)[0].resource().type() == r);

  // Lending it back: the implementing instance receives the rep itself.
  auto got = inst->get_func("get").call(store, {Val::borrow((*made)[0].resource())});
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ((*got)[0].as_u32(), 77u);

  // The host drops its own handle: the guest destructor runs with the rep.
  ASSERT_TRUE((*made)[0].resource().drop(store));
  auto dropped = inst->get_func("dropped").call(store, {});
  ASSERT_TRUE(dropped);
  EXPECT_EQ((*dropped)[0].as_u32(), 77u);

  auto h = inst->get_func("handles").call(store, {});
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ((*h)[0].as_u32(), 1u * 100 + 20);

  auto twice = inst->get_func("drop-twice").call(store, {});
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("unknown handle index"), std::string::npos) << twice.error().message;
}

TEST(ComponentRuntime, PostReturnRunsAfterResultsAreLifted) {
  NEED_JCO();
  Component comp = compile(R"(
(component
  (core module $M
    (memory (export "mem") 1)
    (global $calls (mut i32) (i32.const 0))
    (data (i32.const 100) "hello")
    (func (export "f") (result i32)
      (i32.store (i32.const 8) (i32.const 100))
      (i32.store (i32.const 12) (i32.const 5))
      (i32.const 8))
    (func (export "f-post") (param i32)
      (if (i32.ne (local.get 0) (i32.const 8)) (then unreachable))
      ;; clobber the string: the host already has its copy
      (i32.store (i32.const 100) (i32.const 0))
      (global.set $calls (i32.add (global.get $calls) (i32.const 1))))
    (func (export "calls") (result i32) (global.get $calls)))
  (core instance $m (instantiate $M))
  (func (export "f") (result string)
    (canon lift (core func $m "f") (memory (core memory $m "mem")) (post-return (core func $m "f-post"))))
  (func (export "calls") (result u32) (canon lift (core func $m "calls")))
)
)");
  Store store;
  Linker linker;
  auto inst = linker.instantiate(store, comp);
  ASSERT_TRUE(inst) << inst.error().to_string();
  auto r = inst->get_func("f").call(store, {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)[0].as_string(), "hello");
  auto calls = inst->get_func("calls").call(store, {});
  ASSERT_TRUE(calls);
  EXPECT_EQ((*calls)[0].as_u32(), 1u);
}

TEST(ComponentRuntime, SemverCompatibleInstanceImportsAndNestedLookup) {
  NEED_JCO();
  Component comp = compile(R"(
(component
  (import "test:host/api@0.2.1" (instance $api
    (export "add" (func (param "a" u32) (param "b" u32) (result u32)))))
  (core func $add (canon lower (func $api "add")))
  (core module $M
    (import "" "add" (func $add (param i32 i32) (result i32)))
    (func (export "run") (result i32) (call $add (i32.const 40) (i32.const 2))))
  (core instance $m (instantiate $M (with "" (instance (export "add" (func $add))))))
  (func $run (result u32) (canon lift (core func $m "run")))
  (instance $i (export "run" (func $run)))
  (export "test:app/run@0.2.0" (instance $i))
)
)");
  Store store;
  Linker linker;
  ASSERT_TRUE(linker.define_func("test:host/api@0.2.7", "add", [](HostCall&, std::span<const Val> a, std::span<Val> r) -> HostResult {
    r[0] = Val::u32(a[0].as_u32() + a[1].as_u32());
    return {};
  }));
  auto inst = linker.instantiate(store, comp);
  ASSERT_TRUE(inst) << inst.error().to_string();
  Func run = inst->get_func("test:app/run@0.2.3#run");  // semver-compatible lookup
  ASSERT_TRUE(run);
  auto r = run.call(store, {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)[0].as_u32(), 42u);
  EXPECT_TRUE(inst->get_func("test:app/run@0.2.0", "run"));
  EXPECT_FALSE(inst->get_func("test:app/run@1.0.0#run"));

  // A host trap propagates with its message.
  Linker trapping;
  ASSERT_TRUE(trapping.define_func("test:host/api@0.2.1", "add", [](HostCall&, std::span<const Val>, std::span<Val>) -> HostResult {
    return Trap("host says no");
  }));
  auto i2 = trapping.instantiate(store, comp);
  ASSERT_TRUE(i2);
  auto t = i2->get_func("test:app/run@0.2.0#run").call(store, {});
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message, "host says no");

  // Listing and WIT printing.
  auto imports = comp.imports();
  ASSERT_EQ(imports.size(), 1u);
  EXPECT_EQ(imports[0].name, "test:host/api@0.2.1");
  EXPECT_NE(comp.to_wit().find("export test:app/run@0.2.0"), std::string::npos) << comp.to_wit();
}

#ifdef COMPONO_CLI
namespace {
std::string run_cli(const std::string& args, int& rc) {
  fs::path out = kCache / ("cli-" + std::to_string(::getpid()) + ".out");
  std::string cmd = std::string("'") + COMPONO_CLI + "' " + args + " > '" + out.string() + "' 2>&1";
  int st = std::system(cmd.c_str());
  rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::string s = slurp(out);
  fs::remove(out);
  return s;
}
}  // namespace

TEST(ComponentCli, RunInvokeWithWaveAndInspect) {
  NEED_JCO();
  std::string err;
  auto bytes = wat(R"(
(component
  (core module $M
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $bump))
      (global.set $bump (i32.add (global.get $bump) (local.get 3)))
      (local.get $p))
    (func (export "greet") (param $p i32) (param $l i32) (result i32)
      (i64.store (i32.const 100) (i64.const 0x202c6f6c6c6548))
      (memory.copy (i32.const 107) (local.get $p) (local.get $l))
      (i32.store (i32.const 8) (i32.const 100))
      (i32.store (i32.const 12) (i32.add (local.get $l) (i32.const 7)))
      (i32.const 8))
    (func (export "boom") unreachable))
  (core instance $m (instantiate $M))
  (type $person (record (field "name" string)))
  (export $p "person" (type $person))
  (func (export "greet") (param "who" $p) (result string)
    (canon lift (core func $m "greet") (memory (core memory $m "mem")) (realloc (core func $m "realloc"))))
  (func (export "boom") (canon lift (core func $m "boom")))
)
)", err);
  ASSERT_FALSE(bytes.empty()) << err;
  fs::path file = kCache / "cli-greet.wasm";
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  int rc;
  std::string out = run_cli("run '" + file.string() + "' --invoke 'greet({name: \"World\"})'", rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "\"Hello, World\"\n");
  out = run_cli("run '" + file.string() + "' --invoke 'greet({nam: \"World\"})'", rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("unknown field `nam`"), std::string::npos) << out;
  out = run_cli("run '" + file.string() + "' --invoke 'boom()'", rc);
  EXPECT_EQ(rc, 134);
  EXPECT_NE(out.find("trap: unreachable"), std::string::npos) << out;
  out = run_cli("inspect '" + file.string() + "'", rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(out.find("export greet: func(who: "), std::string::npos) << out;
  EXPECT_NE(out.find("export boom: func();"), std::string::npos) << out;
}
#endif

// ---------------------------------------------------------------------------
// Robustness: traps poison the instance, Stores are independent, value
// imports and start functions with values are clear errors.

namespace {
const char* kCounter = R"(
(component
  (import "fail" (func $fail))
  (core func $fail' (canon lower (func $fail)))
  (core module $M
    (import "" "fail" (func $fail))
    (global $n (mut i32) (i32.const 0))
    (func (export "count") (result i32)
      (global.set $n (i32.add (global.get $n) (i32.const 1)))
      (global.get $n))
    (func (export "boom") unreachable)
    (func (export "call-fail") (call $fail)))
  (core instance $m (instantiate $M (with "" (instance (export "fail" (func $fail'))))))
  (func (export "count") (result u32) (canon lift (core func $m "count")))
  (func (export "boom") (canon lift (core func $m "boom")))
  (func (export "call-fail") (canon lift (core func $m "call-fail")))
)
)";

Linker counter_linker() {
  Linker linker;
  EXPECT_TRUE(linker.define_func("", "fail", [](HostCall&, std::span<const Val>, std::span<Val>) -> HostResult {
    return Trap("host says no");
  }));
  return linker;
}
}  // namespace

TEST(ComponentRuntime, TrapPoisonsTheInstanceNotItsNeighbours) {
  NEED_JCO();
  Component comp = compile(kCounter);
  Store store;
  Linker linker = counter_linker();
  auto a = linker.instantiate(store, comp);
  auto b = linker.instantiate(store, comp);
  ASSERT_TRUE(a && b);
  auto c1 = a->get_func("count").call(store, {});
  ASSERT_TRUE(c1) << c1.error().message;
  EXPECT_EQ((*c1)[0].as_u32(), 1u);

  auto boom = a->get_func("boom").call(store, {});
  ASSERT_FALSE(boom);
  EXPECT_NE(boom.error().message.find("unreachable"), std::string::npos) << boom.error().message;
  // Every export of the trapped instance now refuses to run, typed path too.
  for (const char* f : {"count", "boom", "call-fail"}) {
    auto r = a->get_func(f).call(store, {});
    ASSERT_FALSE(r) << f;
    EXPECT_EQ(r.error().message, "cannot enter component instance: it trapped earlier") << f;
  }
  Val res[1];
  auto into = a->get_func("count").call_into(store, {}, res);
  ASSERT_FALSE(into);
  EXPECT_EQ(into.error().message, "cannot enter component instance: it trapped earlier");

  // Another instance of the same component in the same Store is unaffected.
  auto c2 = b->get_func("count").call(store, {});
  ASSERT_TRUE(c2) << c2.error().message;
  EXPECT_EQ((*c2)[0].as_u32(), 1u);

  // A host import's trap fails the guest's call and poisons it as well.
  auto hf = b->get_func("call-fail").call(store, {});
  ASSERT_FALSE(hf);
  EXPECT_EQ(hf.error().message, "host says no");
  auto after = b->get_func("count").call(store, {});
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().message, "cannot enter component instance: it trapped earlier");

  // Wrong argument types are the host's error, found before entering: no poisoning.
  auto c = linker.instantiate(store, comp);
  ASSERT_TRUE(c);
  auto bad = c->get_func("count").call(store, {Val::u32(1)});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("type mismatch"), std::string::npos) << bad.error().message;
  auto c3 = c->get_func("count").call(store, {});
  ASSERT_TRUE(c3) << c3.error().message;
  EXPECT_EQ((*c3)[0].as_u32(), 1u);
}

TEST(ComponentRuntime, NestedInstanceTrapPoisonsTheEnclosingComponent) {
  NEED_JCO();
  // The trap happens in an inner component instance; the outer instance's
  // other export (from a sibling inner instance) is refused afterwards.
  Component comp = compile(R"(
(component
  (component $Inner
    (core module $M
      (func (export "ok") (result i32) (i32.const 7))
      (func (export "boom") unreachable))
    (core instance $m (instantiate $M))
    (func (export "ok") (result u32) (canon lift (core func $m "ok")))
    (func (export "boom") (canon lift (core func $m "boom"))))
  (instance $a (instantiate $Inner))
  (instance $b (instantiate $Inner))
  (export "boom" (func $a "boom"))
  (export "ok" (func $b "ok"))
)
)");
  Store store;
  Linker linker;
  auto inst = linker.instantiate(store, comp);
  ASSERT_TRUE(inst) << inst.error().to_string();
  auto ok = inst->get_func("ok").call(store, {});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ((*ok)[0].as_u32(), 7u);
  ASSERT_FALSE(inst->get_func("boom").call(store, {}));
  auto again = inst->get_func("ok").call(store, {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, "cannot enter component instance: it trapped earlier");
}

TEST(ComponentRuntime, TwoStoresAreIndependent) {
  NEED_JCO();
  Component comp = compile(kGuestResource);
  Linker linker;
  Store s1, s2;
  auto i1 = linker.instantiate(s1, comp);
  auto i2 = linker.instantiate(s2, comp);
  ASSERT_TRUE(i1 && i2);
  // "handles" leaves two live handles in the instance's table, so a second
  // call in the same Store sees different indices; another Store does not.
  auto h1 = i1->get_func("handles").call(s1, {});
  ASSERT_TRUE(h1) << h1.error().message;
  EXPECT_EQ((*h1)[0].as_u32(), 1u * 100 + 20);
  auto h1b = i1->get_func("handles").call(s1, {});
  ASSERT_TRUE(h1b) << h1b.error().message;
  EXPECT_EQ((*h1b)[0].as_u32(), 3u * 100 + 20);
  auto h2 = i2->get_func("handles").call(s2, {});
  ASSERT_TRUE(h2) << h2.error().message;
  EXPECT_EQ((*h2)[0].as_u32(), 1u * 100 + 20);

  // A trap in one Store leaves the other one running.
  ASSERT_FALSE(i1->get_func("drop-twice").call(s1, {}));
  auto h2b = i2->get_func("handles").call(s2, {});
  ASSERT_TRUE(h2b) << h2b.error().message;
  EXPECT_EQ((*h2b)[0].as_u32(), 3u * 100 + 20);

  // Host resources: one host type, two Stores, each with its own handle
  // table (borrow handle 1 in each, the leak is reported per Store).
  Component hcomp = compile(kHostResource);
  ResourceType ctx = ResourceType::host("context");
  Linker hl;
  ASSERT_TRUE(hl.define_resource("", "context", ctx));
  Store a, b;
  auto ha = hl.instantiate(a, hcomp);
  auto hb = hl.instantiate(b, hcomp);
  ASSERT_TRUE(ha && hb);
  auto la = ha->get_func("leak").call(a, {Val::borrow(Resource(ctx, 5))});
  auto lb = hb->get_func("leak").call(b, {Val::borrow(Resource(ctx, 6))});
  ASSERT_FALSE(la);
  ASSERT_FALSE(lb);
  EXPECT_NE(la.error().message.find("(handle index 1)"), std::string::npos) << la.error().message;
  EXPECT_NE(lb.error().message.find("(handle index 1)"), std::string::npos) << lb.error().message;
}

TEST(ComponentRuntime, StoresOnSeparateThreadsShareNoState) {
  NEED_JCO();
  Component comp = compile(kGuestResource);
  auto work = [&comp](uint32_t* out) {
    Store store;
    Linker linker;
    auto inst = linker.instantiate(store, comp);
    if (!inst) return;
    uint32_t last = 0;
    for (int i = 0; i < 200; ++i) {
      auto r = inst->get_func("make").call(store, {Val::u32(uint32_t(i))});
      if (!r) return;
      auto g = inst->get_func("get").call(store, {Val::borrow((*r)[0].resource())});
      if (!g) return;
      last = (*g)[0].as_u32();
    }
    *out = last;
  };
  uint32_t r1 = 0, r2 = 0;
  std::thread t1(work, &r1), t2(work, &r2);
  t1.join();
  t2.join();
  EXPECT_EQ(r1, 199u);
  EXPECT_EQ(r2, 199u);
}

TEST(ComponentRuntime, ValueImportsAndStartValuesAreClearErrors) {
  NEED_JCO();
  // Value imports (and start functions taking/returning values) are not
  // supported yet: instantiation reports it, naming the import.
  Component v = compile(R"((component (import "v" (value $v string))))");
  Store store;
  Linker linker;
  auto r = linker.instantiate(store, v);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("`v`"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("value"), std::string::npos) << r.error().message;

  Component s = compile(R"(
(component
  (import "f" (func $f (param "x" u32) (result u32)))
  (import "v" (value $v u32))
  (start $f (value $v) (result (value $r)))
  (export "r" (value $r))
)
)");
  ASSERT_TRUE(linker.define_func("", "f", [](HostCall&, std::span<const Val> a, std::span<Val> res) -> HostResult {
    res[0] = Val::u32(a[0].as_u32() + 1);
    return {};
  }));
  auto r2 = linker.instantiate(store, s);
  ASSERT_FALSE(r2);
  EXPECT_NE(r2.error().message.find("value"), std::string::npos) << r2.error().message;
}

namespace {
// A value of type t (the first case / empty list / zero), for calling
// arbitrary exports.
Val default_val(const Type& t) {
  switch (t.kind()) {
    case Kind::String: return Val::string("");
    case Kind::List: return Val::list({});
    case Kind::Record: {
      std::vector<std::pair<std::string, Val>> f;
      for (auto& x : t.fields()) f.emplace_back(x.name, default_val(*x.type));
      return Val::record(std::move(f));
    }
    case Kind::Tuple: {
      std::vector<Val> e;
      for (auto& x : t.fields()) e.push_back(default_val(*x.type));
      return Val::tuple(std::move(e));
    }
    case Kind::Variant:
      if (t.fields().empty()) return Val::variant("");
      return Val::variant(t.fields()[0].name,
                          t.fields()[0].type ? std::optional<Val>(default_val(*t.fields()[0].type)) : std::nullopt);
    case Kind::Enum: return Val::enum_(t.fields().empty() ? "" : t.fields()[0].name);
    case Kind::Option: return Val::none();
    case Kind::Result: return Val::ok(t.elem() ? std::optional<Val>(default_val(*t.elem())) : std::nullopt);
    case Kind::Flags: return Val::flags({});
    case Kind::Own: return Val::own(Resource(t.resource(), 1));
    case Kind::Borrow: return Val::borrow(Resource(t.resource(), 1));
    default: return Val::scalar(t.kind(), 0);
  }
}
}  // namespace

TEST(ComponentRuntime, MutatedComponentsNeverCrashTheHost) {
  NEED_JCO();
  // Deterministic byte mutations of valid components: each one must fail to
  // compile, fail to instantiate or run its exports to a result or a trap
  // (bounded by fuel and a memory limit), never crash or hang the host.
  std::vector<std::string> texts = {kCounter, kGuestResource, kHostResource,
                                    echo_component("string", "i32 i32", true, "string-encoding=utf8", false),
                                    echo_component("(list string)", "i32 i32", true, "string-encoding=utf16", false)};
  ResourceType ctx = ResourceType::host("context");
  Linker linker = counter_linker();
  ASSERT_TRUE(linker.define_resource("", "context", ctx));
  ASSERT_TRUE(linker.define_func("", "echo", [](HostCall&, std::span<const Val> a, std::span<Val> r) -> HostResult {
    if (!a.empty() && !r.empty()) r[0] = a[0];
    return {};
  }));
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  auto rnd = [&seed] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  size_t compiled = 0, instantiated = 0, calls = 0;
  for (const std::string& text : texts) {
    std::string err;
    std::vector<uint8_t> base = wat(text, err);
    ASSERT_FALSE(base.empty()) << err;
    for (int m = 0; m < 1500; ++m) {
      std::vector<uint8_t> b = base;
      int edits = 1 + int(rnd() % 2);
      for (int e = 0; e < edits; ++e) {
        size_t at = 8 + size_t(rnd() % (b.size() - 8));  // keep the preamble
        switch (rnd() % 3) {
          case 0: b[at] = uint8_t(rnd()); break;
          case 1: b[at] ^= uint8_t(1u << (rnd() % 8)); break;
          default: b.erase(b.begin() + long(at)); break;
        }
      }
      auto c = Component::compile(b);
      if (!c) continue;
      ++compiled;
      compono::wasm::Config cfg;
      cfg.consume_fuel = true;
      cfg.max_memory_pages = 64;
      Store store(cfg);
      store.core().set_fuel(200000);
      auto inst = linker.instantiate(store, *c);
      if (!inst) continue;
      ++instantiated;
      for (const std::string& name : inst->export_names()) {
        Func f = inst->get_func(name);
        if (!f) continue;
        std::vector<Val> args;
        for (auto& p : f.type().params) args.push_back(default_val(p.second));
        auto r = f.call(store, args);
        ++calls;
        if (!r) {
          EXPECT_FALSE(r.error().message.empty());
        }
      }
    }
  }
  std::printf("mutations: %zu compiled, %zu instantiated, %zu export calls\n", compiled, instantiated, calls);
}

TEST(Values, CompactBytesMoveInAndOutAndCopiesAreDeep) {
  std::vector<uint8_t> data{1, 2, 3, 250};
  const uint8_t* buf = data.data();
  Val v = Val::bytes_moved(std::move(data));
  ASSERT_TRUE(v.is_bytes());
  EXPECT_EQ(v.as_bytes().data(), buf);  // taken over, not copied
  Val copy = v;                         // copies are deep
  EXPECT_TRUE(copy == v);
  EXPECT_NE(copy.as_bytes().data(), buf);
  const Val& cv = v;
  EXPECT_EQ(cv.elems().size(), 4u);  // the Val view still works (and keeps the compact form)
  EXPECT_EQ(cv.elems()[3].as_u32(), 250u);
  EXPECT_TRUE(v.is_bytes());
  std::vector<uint8_t> out = v.take_bytes();
  EXPECT_EQ(out.data(), buf);  // moved out, not copied
  EXPECT_EQ(out, (std::vector<uint8_t>{1, 2, 3, 250}));
  EXPECT_EQ(copy.as_bytes().size(), 4u);
  // A list of u8 Vals converts.
  Val l = Val::list({Val::u8(9), Val::u8(8)});
  EXPECT_EQ(l.take_bytes(), (std::vector<uint8_t>{9, 8}));
  // Strings move out too.
  std::string s(100, 'x');
  const char* sp = s.data();
  Val sv = Val::string(std::move(s));
  std::string back = sv.take_string();
  EXPECT_EQ(back.data(), sp);
  EXPECT_EQ(back.size(), 100u);
  // Aggregates copy deeply.
  Val r = Val::record({{"a", Val::bytes(std::vector<uint8_t>{7})}, {"b", Val::string("z")}});
  Val r2 = r;
  EXPECT_TRUE(r2 == r);
  EXPECT_EQ(r2.field_names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_NE(r2.fields()[0].as_bytes().data(), r.fields()[0].as_bytes().data());
}
