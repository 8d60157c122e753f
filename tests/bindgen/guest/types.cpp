// Guest for tests/bindgen/wit/types.wit: every type family through exports
// and imports, borrows at every nesting depth, imported and exported resources.
// No handle is dropped by hand anywhere.
#include <cstdio>
#include <string>

#include "types.h"
#include "types_impl.h"

namespace host = ::test::types::host;

namespace exports::test::types::api {

using namespace ::test::types::api;

Bundle roundtrip(Bundle b) {
  // Change every field so the host sees the guest really read it.
  std::string name = "rt:";
  name += b.name.view();
  compono::List<compono::String> tags = compono::List<compono::String>::with_size(b.tags.size() + 1);
  for (std::size_t i = 0; i < b.tags.size(); ++i) tags[i] = b.tags[i];
  tags[b.tags.size()] = "added";
  b.name = name;
  b.tags = std::move(tags);
  b.color = b.color == host::Color::blue ? host::Color::red : host::Color(uint8_t(b.color) + 1);
  b.perms = ~b.perms;
  b.maybe = b.maybe ? std::optional<uint64_t>(*b.maybe * 2) : std::optional<uint64_t>(7);
  std::get<0>(b.pair) += 1;
  std::get<1>(b.pair) = std::string(std::get<1>(b.pair).view()) + "!";
  for (auto& p : b.points) std::swap(p.x, p.y);
  return b;
}

compono::Result<compono::String, uint32_t> results(bool ok) {
  if (ok) return compono::String("fine");
  return compono::err(uint32_t{42});
}

std::optional<compono::String> opt(std::optional<compono::String> x) {
  if (!x) return compono::String("none-in");
  if (x->empty()) return std::nullopt;
  return compono::String(std::string(x->view()) + "?");
}

std::tuple<uint64_t, double, float, compono::String, compono::List<uint8_t>, host::Shape, std::optional<host::Shape>,
           std::tuple<uint32_t, uint32_t>, uint8_t>
many(uint64_t a, double b, float c, compono::String d, compono::List<uint8_t> e, host::Shape f,
     std::optional<host::Shape> g, std::tuple<uint32_t, uint32_t> h, uint8_t i) {
  for (auto& x : e) x = uint8_t(x + 1);
  return {a + 1, b * 2, c + 0.5f, compono::String(std::string(d.view()) + "+"), std::move(e), std::move(g ? *g : f),
          std::optional<host::Shape>(f), {std::get<1>(h), std::get<0>(h)}, uint8_t(i + 1)};
}

uint32_t sum_borrows(compono::List<compono::Borrow<host::Counter>> cs, std::optional<compono::Borrow<host::Counter>> o,
                     Holder h, Which w, compono::Result<compono::Borrow<host::Counter>, compono::String> r,
                     std::tuple<compono::Borrow<host::Counter>, uint32_t> t) {
  uint32_t sum = 0;
  for (const auto& c : cs) sum += c->get();
  if (o) sum += (*o)->get();
  sum += h.c->get() + uint32_t(h.label.size());
  if (auto* one = std::get_if<Which::One>(&w.value)) sum += one->value->get();
  if (r) sum += (*r)->get();
  else sum += uint32_t(r.error().size());
  sum += std::get<0>(t)->get() * std::get<1>(t);
  return sum;
}

compono::String use_host() {
  std::string out;
  out += host::echo_prims(true, -8, 200, -16000, 60000, -2000000000, 4000000000u, -9000000000000LL,
                          18000000000000000000ULL, 1.5f, -2.25, U'\U0001F600', "héllo").view();
  host::Point pts[] = {{1, 2}, {3, -4}};
  auto echoed = host::echo_points(pts);
  for (const auto& p : echoed) out += "|" + std::to_string(p.x) + "," + std::to_string(p.y);
  // list<string> parameter: std::span<const std::string_view>, passed by pointer (no copy).
  std::string owned = "ccc";
  std::string_view strs[] = {"a", "", owned};
  auto es = host::echo_strings(strs);
  for (const auto& s : es) out += "|" + std::string(s.view());
  auto sh = host::echo_shape(host::Shape{host::Shape::Rect{host::Point{5, 6}}}, host::Color::green,
                             host::Perms::read | host::Perms::exec);
  if (auto* rect = std::get_if<host::Shape::Rect>(&std::get<0>(sh).value))
    out += "|rect " + std::to_string(rect->value.x) + "," + std::to_string(rect->value.y);
  out += "|color " + std::to_string(int(std::get<1>(sh))) + "|perms " + std::to_string(std::get<2>(sh).bits);
  auto circle = host::echo_shape(host::Shape{host::Shape::Circle{2.5f}}, host::Color::red, host::Perms{});
  if (auto* ci = std::get_if<host::Shape::Circle>(&std::get<0>(circle).value))
    out += "|circle " + std::to_string(int(ci->value * 10));
  auto o1 = host::echo_opt(std::nullopt);
  auto o2 = host::echo_opt("x");
  out += std::string("|opt ") + (o1 ? "some" : "none") + "," + (o2 ? std::string(o2->view()) : "none");
  auto r1 = host::echo_result(true);
  auto r2 = host::echo_result(false);
  out += "|res " + (r1 ? std::string(r1->view()) : "err") + "," + (r2 ? "ok" : std::to_string(r2.error()));
  {
    host::Counter c(10);
    c.add(5);
    host::Counter m = host::Counter::make(100);
    out += "|counter " + std::to_string(c.get()) + "," + std::to_string(host::total(c)) + "," +
           std::to_string(m.get()) + "," + std::to_string(host::take(std::move(m)));
    out += "|live " + std::to_string(host::handles_live());
  }
  out += "|after " + std::to_string(host::handles_live());
  return out;
}

uint32_t consume(host::Counter c) { return c.get(); }

// An owned exported resource coming back in: dropping it runs the destructor.
int64_t absorb(compono::Own<Acc> a) { return a->total(); }

}  // namespace exports::test::types::api
