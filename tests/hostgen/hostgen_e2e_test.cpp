// tests/hostgen: generated host bindings end to end on Compono's runtime, with
// the guest of guest/hostgen.cpp (world wit/hostgen.wit):
//  * the guest's exported resource `counter` as a host-side RAII handle
//    (constructor, methods, statics, own/borrow params, owns in results);
//  * host imports failing the call (trap with the host's message);
//  * borrows nested in lists/options/records/variants/tuples, both ways,
//    released every call (tables stay bounded over 10k calls);
//  * two hosts/stores in one process are independent.
#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "compono/wasi2.h"
#include "hostgen_host.h"

namespace {

namespace he = ::test::hostgen::env;
namespace ha = ::test::hostgen::api;
using compono::component::Component;
using compono::component::Linker;
using compono::component::Store;

struct Stats {
  int created = 0, destroyed = 0;
  int live() const { return created - destroyed; }
};

class MyBlob : public he::Blob {
 public:
  MyBlob(Stats& s, uint32_t n) : s_(s), n_(n) { ++s_.created; }
  ~MyBlob() override { ++s_.destroyed; }
  compono::Result<uint32_t> size() override {
    if (n_ == 666) return compono::fail("blob 666 refuses to tell its size");
    return n_;
  }

 private:
  Stats& s_;
  uint32_t n_;
};

class EnvHost : public he::Host {
 public:
  Stats stats;
  int sum_calls = 0;
  std::unique_ptr<he::Blob> blob(uint32_t n) { return std::make_unique<MyBlob>(stats, n); }

  compono::Result<std::unique_ptr<he::Blob>> blob_new(uint32_t size) override {
    if (size == 0) return compono::fail("a blob cannot be empty");
    return blob(size);
  }
  compono::Result<uint32_t> sum_sizes(const std::vector<he::Blob*>& bs, const std::optional<he::Blob*>& o,
                                      const he::Holder& h, const he::Pick& p,
                                      const std::tuple<he::Blob*, uint32_t>& t) override {
    ++sum_calls;
    uint32_t s = 0;
    for (he::Blob* b : bs) {
      COMPONO_TRY(uint32_t n, b->size());
      s += n;
    }
    if (o) {
      COMPONO_TRY(uint32_t n, (*o)->size());
      s += n;
    }
    COMPONO_TRY(uint32_t hn, h.b->size());
    s += hn + uint32_t(h.tag.size());
    if (auto* one = std::get_if<he::Pick::One>(&p.value)) {
      COMPONO_TRY(uint32_t n, one->value->size());
      s += n;
    }
    COMPONO_TRY(uint32_t tn, std::get<0>(t)->size());
    return s + tn * std::get<1>(t);
  }
  compono::Result<uint32_t> check(uint32_t n) override {
    if (n == 13) return compono::fail("check: " + std::to_string(n) + " is unlucky");
    return n * 2;
  }
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

// The guest made into a component by `compono new` (param "compono") and by
// `jco new` (param "jco").
struct Loaded {
  Component component;
  std::string error;
};
const Loaded& guest_component(const std::string& which) {
  static Loaded by_compono, by_jco;
  static bool done = false;
  if (!done) {
    done = true;
    for (auto [l, path] : {std::pair<Loaded*, const char*>{&by_compono, HOSTGEN_COMPONENT},
                           std::pair<Loaded*, const char*>{&by_jco, HOSTGEN_COMPONENT_JCO}}) {
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
  return which == "jco" ? by_jco : by_compono;
}

std::string g_which = "compono";  // set by the fixture

struct Env {
  EnvHost host;
  Store store;
  Linker linker;
  std::optional<::test::hostgen::Hostgen> w;
  std::string error;
  Env() {
    const Loaded& loaded = guest_component(g_which);
    if (!loaded.component) {
      error = loaded.error;
      return;
    }
    compono::wasi2::Config wasi;
    wasi.args = {"hostgen"};
    if (auto r = compono::wasi2::add_to_linker(linker, wasi); !r) {
      error = r.error().to_string();
      return;
    }
    if (auto r = he::add_to_linker(linker, host); !r) {
      error = r.error().to_string();
      return;
    }
    auto t = ::test::hostgen::Hostgen::instantiate(store, linker, loaded.component, host);
    if (!t) {
      error = t.error().to_string();
      return;
    }
    w.emplace(std::move(*t));
  }
  int64_t live_counters() {
    auto l = ha::Counter::live(store, *w);
    return l ? int64_t(*l) : -1;
  }
};

#define ASSERT_OK(r) ASSERT_TRUE(r) << (r).error().message
#define ASSERT_ENV(e) ASSERT_TRUE((e).w) << (e).error

class HostGenE2E : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { g_which = GetParam(); }
};

TEST_P(HostGenE2E, ExportedResourceHandle) {
  Env e;
  ASSERT_ENV(e);
  EXPECT_EQ(e.live_counters(), 0);
  auto c = ha::Counter::create(e.store, *e.w, 5);
  ASSERT_OK(c);
  EXPECT_TRUE(*c);
  auto g = c->get();
  ASSERT_OK(g);
  EXPECT_EQ(*g, 5u);
  ASSERT_OK(c->inc());
  ASSERT_OK(c->inc());
  g = c->get();
  ASSERT_OK(g);
  EXPECT_EQ(*g, 7u);

  auto m = ha::Counter::make(e.store, *e.w, 4);  // static returning own<counter>
  ASSERT_OK(m);
  g = m->get();
  ASSERT_OK(g);
  EXPECT_EQ(*g, 40u);
  EXPECT_EQ(e.live_counters(), 2);

  // borrow<counter> to an export: the handle stays ours.
  auto t = e.w->api_total(e.store, *c);
  ASSERT_OK(t);
  EXPECT_EQ(*t, 7u);
  EXPECT_TRUE(*c);
  EXPECT_EQ(e.live_counters(), 2);

  // own<counter> to an export: ownership moves into the guest, which drops it.
  auto a = e.w->api_absorb(e.store, std::move(*m));
  ASSERT_OK(a);
  EXPECT_EQ(*a, 40u);
  EXPECT_FALSE(*m);
  EXPECT_EQ(e.live_counters(), 1);

  // owns nested in a tuple and an option of the result.
  {
    auto p = e.w->api_pair(e.store, 1, 2);
    ASSERT_OK(p);
    auto& [first, second] = *p;
    ASSERT_TRUE(second.has_value());
    auto g1 = first.get();
    auto g2 = second->get();
    ASSERT_OK(g1);
    ASSERT_OK(g2);
    EXPECT_EQ(*g1, 1u);
    EXPECT_EQ(*g2, 2u);
    EXPECT_EQ(e.live_counters(), 3);
  }  // both dropped in the guest (guest destructor ran)
  EXPECT_EQ(e.live_counters(), 1);

  // Explicit drop reports success; an empty handle errs instead of crashing.
  ASSERT_OK(c->drop());
  EXPECT_FALSE(*c);
  EXPECT_EQ(e.live_counters(), 0);
  auto bad = c->get();
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("empty handle"), std::string::npos) << bad.error().message;
  ASSERT_OK(c->drop());  // dropping twice is a no-op

  // RAII in a loop: no guest object survives its handle.
  for (int i = 0; i < 1000; ++i) {
    auto x = ha::Counter::create(e.store, *e.w, uint32_t(i));
    ASSERT_OK(x);
  }
  EXPECT_EQ(e.live_counters(), 0);
}

TEST_P(HostGenE2E, HostImportTraps) {
  Env e;
  ASSERT_ENV(e);
  auto ok = e.w->api_checked(e.store, 4);
  ASSERT_OK(ok);
  EXPECT_EQ(*ok, 9u);
  auto bad = e.w->api_checked(e.store, 13);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("check: 13 is unlucky"), std::string::npos) << bad.error().message;
  EXPECT_EQ(bad.error().message, "check: 13 is unlucky");
}

TEST_P(HostGenE2E, HostResourceMethodAndConstructorTraps) {
  Env e;
  ASSERT_ENV(e);
  // A method of a lent host object fails while the guest calls it: the lent
  // entries are released anyway.
  auto b666 = e.host.blob(666), b1 = e.host.blob(1);
  ha::Pick none;
  none.value = ha::Pick::None{};
  auto r = e.w->api_sizes(e.store, {b1.get(), b666.get()}, ha::Holder{b1.get(), "x"}, none);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("blob 666 refuses to tell its size"), std::string::npos) << r.error().message;
  EXPECT_EQ(e.host.blob_table().size(), 0u);

  // The constructor fails: the guest's call traps with the host's message.
  Env e2;
  ASSERT_ENV(e2);
  ASSERT_OK(e2.w->api_keep_new(e2.store, 3));
  auto r0 = e2.w->api_keep_new(e2.store, 0);
  ASSERT_FALSE(r0);
  EXPECT_NE(r0.error().message.find("a blob cannot be empty"), std::string::npos) << r0.error().message;
  EXPECT_EQ(e2.host.blob_table().size(), 1u);  // the blob kept by the first call
}

TEST_P(HostGenE2E, NestedBorrowsToHostImportStayBounded) {
  Env e;
  ASSERT_ENV(e);
  auto b = e.host.blob(100);
  // bs = [b, 1, 2, 3], o = 1, holder {b, "tag"}, pick one(b), tuple (b, 2)
  auto r = e.w->api_call_sum(e.store, *b, 3);
  ASSERT_OK(r);
  EXPECT_EQ(*r, 106u + 1 + 103 + 100 + 200);
  EXPECT_EQ(e.host.blob_table().size(), 0u);
  EXPECT_EQ(e.host.stats.live(), 1);  // the guest's three blobs were dropped
  size_t max_slots = e.host.blob_table().slots();
  auto h0 = e.w->api_probe_handle(e.store);
  ASSERT_OK(h0);
  for (int i = 0; i < 10000; ++i) {
    auto x = e.w->api_call_sum(e.store, *b, 3);
    if (!x || *x != 510u) {
      ADD_FAILURE() << "call " << i << ": " << (x ? std::to_string(*x) : x.error().message);
      break;
    }
    if (e.host.blob_table().size() != 0u) {
      ADD_FAILURE() << "call " << i << ": " << e.host.blob_table().size() << " entries left";
      break;
    }
  }
  // The guest's handle table did not grow either: a new handle gets the same index.
  auto h1 = e.w->api_probe_handle(e.store);
  ASSERT_OK(h1);
  EXPECT_EQ(*h1, *h0);
  EXPECT_EQ(e.host.sum_calls, 10001);
  EXPECT_EQ(e.host.stats.created, 1 + 3 * 10001 + 2);  // + the two probe blobs
  EXPECT_EQ(e.host.stats.live(), 1);
  EXPECT_LE(e.host.blob_table().slots(), 4u);  // 1 lent + 3 owned by the guest at once
  EXPECT_EQ(e.host.blob_table().slots(), max_slots);
}

TEST_P(HostGenE2E, NestedBorrowsLentToGuestStayBounded) {
  Env e;
  ASSERT_ENV(e);
  auto b1 = e.host.blob(1), b2 = e.host.blob(2), b3 = e.host.blob(3), b4 = e.host.blob(4);
  ha::Pick one;
  one.value = ha::Pick::One{b4.get()};
  auto h0 = e.w->api_probe_handle(e.store);
  ASSERT_OK(h0);
  for (int i = 0; i < 10000; ++i) {
    auto r = e.w->api_sizes(e.store, {b1.get(), b2.get()}, ha::Holder{b3.get(), "xy"}, one);
    if (!r || *r != 1u + 2 + 3 + 2 + 4) {
      ADD_FAILURE() << "call " << i << ": " << (r ? std::to_string(*r) : r.error().message);
      break;
    }
    if (e.host.blob_table().size() != 0u) {
      ADD_FAILURE() << "call " << i << ": " << e.host.blob_table().size() << " entries left";
      break;
    }
  }
  EXPECT_EQ(e.host.blob_table().size(), 0u);
  EXPECT_EQ(e.host.blob_table().slots(), 4u);  // exactly the 4 borrows of one call
  EXPECT_EQ(e.host.stats.live(), 4);  // the probe blob was created and dropped
  auto h1 = e.w->api_probe_handle(e.store);
  ASSERT_OK(h1);
  EXPECT_EQ(*h1, *h0);  // the guest's handle table did not grow
}

TEST_P(HostGenE2E, TwoHostsAreIndependent) {
  Env a, b;
  ASSERT_ENV(a);
  ASSERT_ENV(b);
  EXPECT_FALSE(a.host.blob_type() == b.host.blob_type());
  ASSERT_OK(a.w->api_keep(a.store, a.host.blob(5)));
  ASSERT_OK(a.w->api_keep(a.store, a.host.blob(6)));
  ASSERT_OK(b.w->api_keep(b.store, b.host.blob(7)));
  EXPECT_EQ(a.host.blob_table().size(), 2u);
  EXPECT_EQ(b.host.blob_table().size(), 1u);
  // Each table numbers its own objects from 1.
  EXPECT_NE(a.host.blob_table().get(1), nullptr);
  EXPECT_NE(a.host.blob_table().get(2), nullptr);
  EXPECT_NE(b.host.blob_table().get(1), nullptr);
  EXPECT_EQ(b.host.blob_table().get(2), nullptr);
  auto ka = a.w->api_kept(a.store);
  auto kb = b.w->api_kept(b.store);
  ASSERT_OK(ka);
  ASSERT_OK(kb);
  EXPECT_EQ(*ka, 11u);
  EXPECT_EQ(*kb, 7u);
  ASSERT_OK(a.w->api_release_kept(a.store));  // the guest drops: host A's destructors run
  EXPECT_EQ(a.host.blob_table().size(), 0u);
  EXPECT_EQ(a.host.stats.live(), 0);
  EXPECT_EQ(b.host.blob_table().size(), 1u);
  EXPECT_EQ(b.host.stats.live(), 1);
  kb = b.w->api_kept(b.store);
  ASSERT_OK(kb);
  EXPECT_EQ(*kb, 7u);
  ASSERT_OK(b.w->api_release_kept(b.store));
  EXPECT_EQ(b.host.stats.live(), 0);
}

INSTANTIATE_TEST_SUITE_P(ComponentBy, HostGenE2E, ::testing::Values("compono", "jco"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
