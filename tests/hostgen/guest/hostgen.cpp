// Guest for tests/hostgen/wit/hostgen.wit (see that file).  Written with the
// guest bindings: no handle is dropped by hand.
#include <vector>

#include "hostgen.h"
#include "hostgen_impl.h"

namespace env = ::test::hostgen::env;

namespace {
std::vector<env::Blob> g_kept;
}

namespace exports::test::hostgen::api {

uint32_t total(Counter& c) { return c.get(); }

uint32_t absorb(compono::Own<Counter> c) { return c->get(); }

std::tuple<compono::Own<Counter>, std::optional<compono::Own<Counter>>> pair(uint32_t a, uint32_t b) {
  return {compono::Own<Counter>::make(a), std::optional<compono::Own<Counter>>(compono::Own<Counter>::make(b))};
}

uint32_t call_sum(const env::Blob& b, uint32_t n) {
  std::vector<env::Blob> mine;
  for (uint32_t i = 0; i < n; ++i) mine.emplace_back(i + 1);
  std::vector<compono::Borrow<env::Blob>> bs;
  bs.push_back(b);
  for (const auto& m : mine) bs.push_back(m);
  std::optional<compono::Borrow<env::Blob>> o;
  if (n) o = compono::Borrow<env::Blob>(mine[0]);
  env::Holder h{b, "tag"};
  env::Pick p{env::Pick::One{b}};
  return env::sum_sizes(bs, o, h, p, {b, 2});
}

uint32_t sizes(compono::List<compono::Borrow<env::Blob>> bs, ::test::hostgen::api::Holder h, ::test::hostgen::api::Pick p) {
  uint32_t s = 0;
  for (const auto& b : bs) s += b->size();
  s += h.b->size() + uint32_t(h.tag.size());
  if (auto* one = std::get_if<::test::hostgen::api::Pick::One>(&p.value)) s += one->value->size();
  return s;
}

uint32_t checked(uint32_t n) { return env::check(n) + 1; }

void keep(env::Blob b) { g_kept.push_back(std::move(b)); }
void keep_new(uint32_t size) { g_kept.emplace_back(size); }
uint32_t kept() {
  uint32_t s = 0;
  for (const auto& b : g_kept) s += b.size();
  return s;
}
void release_kept() { g_kept.clear(); }
uint32_t probe_handle() { return uint32_t(env::Blob(1).handle()); }

}  // namespace exports::test::hostgen::api
