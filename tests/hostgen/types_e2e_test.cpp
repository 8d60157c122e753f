// tests/hostgen: the type-family guest of tests/bindgen (world test:types/types,
// built by target bindgen_types) on Compono's runtime with the generated C++
// host bindings.  The host mirrors tests/bindgen/types_host.mjs (the host
// used under jco + node) and asserts the same results, so the runtime and the
// host bindings are cross-checked against the same guest as jco.
#include <gtest/gtest.h>

#include <charconv>
#include <cstdio>
#include <string>
#include <vector>

#include "compono/wasi2.h"
#include "types_host.h"

namespace {

namespace th = ::test::types::host;
namespace ta = ::test::types::api;
using compono::component::Component;
using compono::component::Linker;
using compono::component::Store;

struct Stats {
  int created = 0, destroyed = 0;
  int live() const { return created - destroyed; }
};

class MyCounter : public th::Counter {
 public:
  MyCounter(Stats& s, uint32_t v) : s_(s), v_(v) { ++s_.created; }
  ~MyCounter() override { ++s_.destroyed; }
  compono::Result<uint32_t> get() override { return v_; }
  compono::Result<void> add(uint32_t n) override {
    v_ += n;
    return {};
  }

 private:
  Stats& s_;
  uint32_t v_;
};

std::string utf8(char32_t c) {
  std::string o;
  uint32_t u = uint32_t(c);
  if (u < 0x80) {
    o += char(u);
  } else if (u < 0x800) {
    o += char(0xC0 | (u >> 6));
    o += char(0x80 | (u & 0x3F));
  } else if (u < 0x10000) {
    o += char(0xE0 | (u >> 12));
    o += char(0x80 | ((u >> 6) & 0x3F));
    o += char(0x80 | (u & 0x3F));
  } else {
    o += char(0xF0 | (u >> 18));
    o += char(0x80 | ((u >> 12) & 0x3F));
    o += char(0x80 | ((u >> 6) & 0x3F));
    o += char(0x80 | (u & 0x3F));
  }
  return o;
}
// Like JavaScript's String(number): the shortest form that round-trips.
std::string num(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

// test:types/host, as types_host.mjs implements it.
class TypesHost : public th::Host {
 public:
  Stats stats;
  std::unique_ptr<th::Counter> make_counter(uint32_t v) { return std::make_unique<MyCounter>(stats, v); }

  compono::Result<std::unique_ptr<th::Counter>> counter_new(uint32_t start) override { return make_counter(start); }
  compono::Result<std::unique_ptr<th::Counter>> counter_make(uint32_t start) override { return make_counter(start); }
  compono::Result<std::string> echo_prims(bool a, int8_t b, uint8_t c, int16_t d, uint16_t e, int32_t f, uint32_t g,
                                          int64_t h, uint64_t i, float j, double k, char32_t l,
                                          const std::string& m) override {
    return std::string(a ? "true" : "false") + "," + std::to_string(b) + "," + std::to_string(c) + "," +
           std::to_string(d) + "," + std::to_string(e) + "," + std::to_string(f) + "," + std::to_string(g) + "," +
           std::to_string(h) + "," + std::to_string(i) + "," + num(j) + "," + num(k) + "," + utf8(l) + "," + m;
  }
  compono::Result<std::vector<th::Point>> echo_points(const std::vector<th::Point>& l) override {
    std::vector<th::Point> o;
    for (const auto& p : l) o.push_back({p.y, p.x});
    return o;
  }
  compono::Result<std::vector<std::string>> echo_strings(const std::vector<std::string>& l) override {
    std::vector<std::string> o;
    for (auto it = l.rbegin(); it != l.rend(); ++it) {
      std::string s = *it;
      for (char& ch : s)
        if (ch >= 'a' && ch <= 'z') ch = char(ch - 'a' + 'A');
      o.push_back(s);
    }
    return o;
  }
  compono::Result<std::tuple<th::Shape, th::Color, th::Perms>> echo_shape(const th::Shape& s, th::Color c,
                                                                        th::Perms p) override {
    return std::tuple<th::Shape, th::Color, th::Perms>{s, c, p};
  }
  compono::Result<std::optional<std::string>> echo_opt(const std::optional<std::string>& o) override {
    if (!o) return std::optional<std::string>();
    return std::optional<std::string>(*o + "!");
  }
  compono::Result<compono_host::WitResult<std::string, uint32_t>> echo_result(bool ok) override {
    if (ok) return compono_host::WitResult<std::string, uint32_t>::success("yes");
    return compono_host::WitResult<std::string, uint32_t>::failure(7);
  }
  compono::Result<uint32_t> total(th::Counter& c) override { return c.get(); }
  compono::Result<uint32_t> take(std::unique_ptr<th::Counter> c) override { return c->get(); }
  compono::Result<uint32_t> handles_live() override { return uint32_t(stats.live()); }
};

std::vector<uint8_t> read_file(const char* path) {
  std::vector<uint8_t> out;
  FILE* f = std::fopen(path, "rb");
  if (!f) return out;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  std::fclose(f);
  return out;
}

// The guest made into a component by `jco new` (tests/bindgen's
// bindgen_types, param "jco") and by `compono new` (param "compono").
struct Loaded {
  Component component;
  std::string error;
};
const Loaded& types_component(const std::string& which) {
  static Loaded by_jco, by_compono;
  static bool done = false;
  if (!done) {
    done = true;
    for (auto [l, path] : {std::pair<Loaded*, const char*>{&by_jco, TYPES_COMPONENT},
                           std::pair<Loaded*, const char*>{&by_compono, TYPES_COMPONENT_COMPONO}}) {
      auto bytes = read_file(path);
      if (bytes.empty()) {
        l->error = std::string("cannot read ") + path;
        continue;
      }
      auto r = Component::compile(bytes);
      if (r) l->component = *r;
      else l->error = std::string(path) + ": " + r.error().to_string();
    }
  }
  return which == "compono" ? by_compono : by_jco;
}

std::string g_which = "jco";  // set by the fixture

// One instance of the types guest with its own host, linker and store.
struct Env {
  TypesHost host;
  Store store;
  Linker linker;
  std::optional<::test::types::Types> types;
  std::string error;
  Env() {
    const Loaded& loaded = types_component(g_which);
    if (!loaded.component) {
      error = loaded.error;
      return;
    }
    compono::wasi2::Config wasi;
    wasi.args = {"types"};
    if (auto r = compono::wasi2::add_to_linker(linker, wasi); !r) {
      error = r.error().to_string();
      return;
    }
    if (auto r = th::add_to_linker(linker, host); !r) {
      error = r.error().to_string();
      return;
    }
    auto t = ::test::types::Types::instantiate(store, linker, loaded.component, host);
    if (!t) {
      error = t.error().to_string();
      return;
    }
    types.emplace(std::move(*t));
  }
};

#define ASSERT_OK(r) ASSERT_TRUE(r) << (r).error().message
#define ASSERT_ENV(e) ASSERT_TRUE((e).types) << (e).error

class HostGenTypes : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { g_which = GetParam(); }
};

ta::Bundle bundle1() {
  ta::Bundle b;
  b.name = "n";
  b.tags = {"a", "b"};
  b.color = th::Color::Green;
  b.perms.bits = th::Perms::READ;
  b.maybe = 21;
  b.pair = {1, "p"};
  b.shape.value = th::Shape::Circle{1.5f};
  b.points = {{1, 2}};
  return b;
}

TEST_P(HostGenTypes, RecordRoundTrip) {
  Env e;
  ASSERT_ENV(e);
  auto r = e.types->api_roundtrip(e.store, bundle1());
  ASSERT_OK(r);
  EXPECT_EQ(r->name, "rt:n");
  EXPECT_EQ(r->tags, (std::vector<std::string>{"a", "b", "added"}));
  EXPECT_EQ(r->color, th::Color::Blue);
  EXPECT_EQ(r->perms.bits, th::Perms::WRITE | th::Perms::EXEC);
  EXPECT_EQ(r->maybe, std::optional<uint64_t>(42));
  EXPECT_EQ(std::get<0>(r->pair), 2);
  EXPECT_EQ(std::get<1>(r->pair), "p!");
  ASSERT_TRUE(std::holds_alternative<th::Shape::Circle>(r->shape.value));
  EXPECT_EQ(std::get<th::Shape::Circle>(r->shape.value).value, 1.5f);
  ASSERT_EQ(r->points.size(), 1u);
  EXPECT_EQ(r->points[0].x, 2);
  EXPECT_EQ(r->points[0].y, 1);

  // none / rect
  ta::Bundle b;
  b.color = th::Color::Blue;
  b.pair = {255, ""};
  b.shape.value = th::Shape::Rect{{-1, 2}};
  auto r2 = e.types->api_roundtrip(e.store, b);
  ASSERT_OK(r2);
  EXPECT_EQ(r2->name, "rt:");
  EXPECT_EQ(r2->tags, (std::vector<std::string>{"added"}));
  EXPECT_EQ(r2->color, th::Color::Red);
  EXPECT_EQ(r2->perms.bits, th::Perms::READ | th::Perms::WRITE | th::Perms::EXEC);
  EXPECT_EQ(r2->maybe, std::optional<uint64_t>(7));
  EXPECT_EQ(std::get<0>(r2->pair), 0);
  EXPECT_EQ(std::get<1>(r2->pair), "!");
  ASSERT_TRUE(std::holds_alternative<th::Shape::Rect>(r2->shape.value));
  EXPECT_EQ(std::get<th::Shape::Rect>(r2->shape.value).value.x, -1);
  EXPECT_EQ(std::get<th::Shape::Rect>(r2->shape.value).value.y, 2);
  EXPECT_TRUE(r2->points.empty());
}

TEST_P(HostGenTypes, ResultsAndOptions) {
  Env e;
  ASSERT_ENV(e);
  auto ok = e.types->api_results(e.store, true);
  ASSERT_OK(ok);
  EXPECT_TRUE(ok->is_ok);
  EXPECT_EQ(ok->ok, "fine");
  auto er = e.types->api_results(e.store, false);
  ASSERT_OK(er);
  EXPECT_FALSE(er->is_ok);
  EXPECT_EQ(er->err, 42u);
  auto o1 = e.types->api_opt(e.store, std::nullopt);
  ASSERT_OK(o1);
  EXPECT_EQ(*o1, std::optional<std::string>("none-in"));
  auto o2 = e.types->api_opt(e.store, std::string());
  ASSERT_OK(o2);
  EXPECT_EQ(*o2, std::nullopt);
  auto o3 = e.types->api_opt(e.store, std::string("a"));
  ASSERT_OK(o3);
  EXPECT_EQ(*o3, std::optional<std::string>("a?"));
}

TEST_P(HostGenTypes, ManyParamsAndTupleResult) {
  Env e;
  ASSERT_ENV(e);
  th::Shape rect;
  rect.value = th::Shape::Rect{{3, 4}};
  auto r = e.types->api_many(e.store, 1, 2.5, 1.25f, "d", {1, 2, 3}, rect, std::nullopt, {7, 8}, 9);
  ASSERT_OK(r);
  const auto& [a, b, c, d, bytes, f, g, h, i] = *r;
  EXPECT_EQ(a, 2u);
  EXPECT_EQ(b, 5.0);
  EXPECT_EQ(c, 1.75f);
  EXPECT_EQ(d, "d+");
  EXPECT_EQ(bytes, (std::vector<uint8_t>{2, 3, 4}));
  ASSERT_TRUE(std::holds_alternative<th::Shape::Rect>(f.value));
  EXPECT_EQ(std::get<th::Shape::Rect>(f.value).value.y, 4);
  ASSERT_TRUE(g && std::holds_alternative<th::Shape::Rect>(g->value));
  EXPECT_EQ(std::get<th::Shape::Rect>(g->value).value.x, 3);
  EXPECT_EQ(h, (std::tuple<uint32_t, uint32_t>{8, 7}));
  EXPECT_EQ(i, 10);

  th::Shape nothing, circle;
  nothing.value = th::Shape::Nothing{};
  circle.value = th::Shape::Circle{2};
  auto r2 = e.types->api_many(e.store, 0, 0, 0, "", {}, nothing, circle, {0, 1}, 255);
  ASSERT_OK(r2);
  const auto& [a2, b2, c2, d2, bytes2, f2, g2, h2, i2] = *r2;
  EXPECT_EQ(a2, 1u);
  EXPECT_EQ(b2, 0.0);
  EXPECT_EQ(c2, 0.5f);
  EXPECT_EQ(d2, "+");
  EXPECT_TRUE(bytes2.empty());
  ASSERT_TRUE(std::holds_alternative<th::Shape::Circle>(f2.value));
  EXPECT_EQ(std::get<th::Shape::Circle>(f2.value).value, 2.0f);
  ASSERT_TRUE(g2 && std::holds_alternative<th::Shape::Nothing>(g2->value));
  EXPECT_EQ(h2, (std::tuple<uint32_t, uint32_t>{1, 0}));
  EXPECT_EQ(i2, 0);
}

uint32_t sum_borrows(Env& e, th::Counter& c1, th::Counter& c2, th::Counter& c4, th::Counter& c8, th::Counter& c16,
                     th::Counter& c32, th::Counter& c64, std::string* err) {
  ta::Which w;
  w.value = ta::Which::One{&c16};
  auto r = e.types->api_sum_borrows(e.store, {&c1, &c2}, &c4, ta::Holder{&c8, "ab"}, w,
                                    compono_host::WitResult<th::Counter*, std::string>::success(&c32), {&c64, 3});
  if (!r) {
    *err = r.error().message;
    return 0;
  }
  return *r;
}

TEST_P(HostGenTypes, BorrowsAtEveryDepthAreReleased) {
  Env e;
  ASSERT_ENV(e);
  auto c1 = e.host.make_counter(1), c2 = e.host.make_counter(2), c4 = e.host.make_counter(4),
       c8 = e.host.make_counter(8), c16 = e.host.make_counter(16), c32 = e.host.make_counter(32),
       c64 = e.host.make_counter(64);
  std::string err;
  EXPECT_EQ(sum_borrows(e, *c1, *c2, *c4, *c8, *c16, *c32, *c64, &err), 1u + 2 + 4 + 8 + 2 + 16 + 32 + 64 * 3) << err;
  EXPECT_EQ(e.host.counter_table().size(), 0u);

  ta::Which none;
  none.value = ta::Which::None{};
  auto r = e.types->api_sum_borrows(e.store, {}, std::nullopt, ta::Holder{c1.get(), ""}, none,
                                    compono_host::WitResult<th::Counter*, std::string>::failure("xyz"),
                                    {c2.get(), 2});
  ASSERT_OK(r);
  EXPECT_EQ(*r, 1u + 3 + 4);
  EXPECT_EQ(e.host.counter_table().size(), 0u);

  // 10k calls with 8 nested borrows each: the host table is empty after
  // every call and never needs more than 8 reps at once.
  size_t max_size_seen = 0;
  for (int i = 0; i < 10000; ++i) {
    uint32_t got = sum_borrows(e, *c1, *c1, *c1, *c1, *c1, *c1, *c1, &err);
    if (got != 1 + 1 + 1 + 1 + 2 + 1 + 1 + 3) {
      ADD_FAILURE() << "call " << i << ": got " << got << " " << err;
      break;
    }
    max_size_seen = std::max(max_size_seen, e.host.counter_table().size());
  }
  EXPECT_EQ(max_size_seen, 0u);
  EXPECT_EQ(e.host.counter_table().size(), 0u);
  EXPECT_LE(e.host.counter_table().slots(), 8u);
  EXPECT_EQ(e.host.stats.live(), 7);  // the host's own counters only; none leaked to or kept by the guest
}

TEST_P(HostGenTypes, ImportsEveryFamilyAndRaiiDrops) {
  Env e;
  ASSERT_ENV(e);
  int before = e.host.stats.live();
  auto r = e.types->api_use_host(e.store);
  ASSERT_OK(r);
  EXPECT_EQ(*r,
            "true,-8,200,-16000,60000,-2000000000,4000000000,-9000000000000,18000000000000000000,1.5,-2.25,"
            "\xF0\x9F\x98\x80,h\xC3\xA9llo"
            "|2,1|-4,3|CCC||A|rect 5,6|color 1|perms 5|circle 25|opt none,x!|res yes,7"
            "|counter 15,15,100,100|live " +
                std::to_string(before + 1) + "|after " + std::to_string(before));
  EXPECT_EQ(e.host.stats.live(), before);
  EXPECT_EQ(e.host.counter_table().size(), 0u);
}

TEST_P(HostGenTypes, OwnPassedToExportIsDropped) {
  Env e;
  ASSERT_ENV(e);
  int d0 = e.host.stats.destroyed;
  auto r = e.types->api_consume(e.store, e.host.make_counter(3));
  ASSERT_OK(r);
  EXPECT_EQ(*r, 3u);
  EXPECT_EQ(e.host.stats.destroyed - d0, 1);  // the guest dropped the owned counter: host destructor ran
  EXPECT_EQ(e.host.counter_table().size(), 0u);
}

TEST_P(HostGenTypes, ExportedResource) {
  Env e;
  ASSERT_ENV(e);
  const auto& w = *e.types;
  auto live = [&] {
    auto l = ta::Acc::live(e.store, w);
    return l ? int64_t(*l) : -1;
  };
  EXPECT_EQ(live(), 0);
  auto a = ta::Acc::create(e.store, w, 5);
  ASSERT_OK(a);
  ASSERT_OK(a->add(3));
  auto t = a->total();
  ASSERT_OK(t);
  EXPECT_EQ(*t, 8);
  auto b = ta::Acc::create(e.store, w, 2);
  ASSERT_OK(b);
  auto c = ta::Acc::merge(e.store, w, *a, *b);
  ASSERT_OK(c);
  auto ct = c->total();
  ASSERT_OK(ct);
  EXPECT_EQ(*ct, 10);
  EXPECT_EQ(live(), 3);
  ASSERT_OK(a->drop());
  EXPECT_EQ(live(), 2);
  EXPECT_FALSE(*a);
  EXPECT_FALSE(a->total());  // an empty handle gives an error, not a crash
  {
    ta::Acc moved = std::move(*b);
    EXPECT_FALSE(*b);
    EXPECT_TRUE(moved);
  }  // RAII: dropped in the guest here
  EXPECT_EQ(live(), 1);
  *c = ta::Acc();  // assignment drops the old one
  EXPECT_EQ(live(), 0);

  auto n = ta::Acc::create(e.store, w, 9);
  ASSERT_OK(n);
  auto ab = e.types->api_absorb(e.store, std::move(*n));
  ASSERT_OK(ab);
  EXPECT_EQ(*ab, 9);
  EXPECT_FALSE(*n);       // ownership moved into the guest
  EXPECT_EQ(live(), 0);  // the absorbed object was destroyed by the guest
  EXPECT_EQ(e.host.counter_table().size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(ComponentBy, HostGenTypes, ::testing::Values("jco", "compono"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
