// Runs encoding/enc.wit components on Compono's own runtime through the public
// embedding API (a separate file: compono/component.h and the private
// component/component.h both define compono::component::Component).
#include <string>
#include <vector>

#include "compono/component.h"

std::string run_shout_on_compono(const std::vector<uint8_t>& bytes) {
  namespace cc = compono::component;
  auto comp = cc::Component::compile(bytes);
  if (!comp) return "compile: " + comp.error().to_string();
  auto up = [](std::string s) {
    for (char& ch : s)
      if (ch >= 'a' && ch <= 'z') ch = char(ch - 'a' + 'A');
    return s;
  };
  cc::Store store;
  cc::Linker linker;
  auto d = linker.define_func("", "upper",
                              [&](cc::HostCall&, std::span<const cc::Val> args, std::span<cc::Val> results) -> cc::HostResult {
                                results[0] = cc::Val::string(up(args[0].as_string()));
                                return {};
                              });
  if (!d) return "define upper: " + d.error().to_string();
  auto inst = linker.instantiate(store, *comp);
  if (!inst) return "instantiate: " + inst.error().to_string();
  cc::Func shout = inst->get_func("shout");
  std::string failures;
  for (std::string in : {"hello", "Grüße", "ünïcödé ✓", "emoji 😀 x", "", "latin1 only: café"}) {
    auto r = shout.call(store, {cc::Val::string(in)});
    if (!r) {
      failures += "shout(\"" + in + "\") trapped: " + r.error().message + "\n";
      continue;
    }
    if (r->size() != 1 || (*r)[0].as_string() != up(in) + "!")
      failures += "shout(\"" + in + "\") = \"" + (r->empty() ? std::string() : (*r)[0].as_string()) + "\", want \"" +
                  up(in) + "!\"\n";
  }
  return failures;
}

// raw/raw.wit components: mk, api.flip and api.poke (with a host resource
// lent to the guest) on Compono's runtime; "" when all results are right.
std::string run_raw_on_compono(const std::vector<uint8_t>& bytes) {
  namespace cc = compono::component;
  auto comp = cc::Component::compile(bytes);
  if (!comp) return "compile: " + comp.error().to_string();
  cc::Store store;
  cc::Linker linker;
  cc::ResourceType r = cc::ResourceType::host("r");
  auto d = linker.define_resource("test:raw/host@1.0.0", "r", r);
  if (!d) return "define r: " + d.error().to_string();
  auto inst = linker.instantiate(store, *comp);
  if (!inst) return "instantiate: " + inst.error().to_string();
  std::string failures;
  auto point = [](uint32_t x, uint32_t y) { return cc::Val::record({{"x", cc::Val::u32(x)}, {"y", cc::Val::u32(y)}}); };
  auto check_point = [&](const char* what, const compono::Result<std::vector<cc::Val>, cc::Trap>& res, uint32_t x, uint32_t y) {
    if (!res) {
      failures += std::string(what) + " trapped: " + res.error().message + "\n";
      return;
    }
    const auto& f = (*res)[0].elems();
    if (res->size() != 1 || f.size() != 2 || f[0].as_u32() != x || f[1].as_u32() != y)
      failures += std::string(what) + ": wrong result\n";
  };
  check_point("mk", inst->get_func("mk").call(store, {point(2, 3)}), 20, 30);
  check_point("flip", inst->get_func("test:raw/api@1.0.0", "flip").call(store, {point(4, 5)}), 5, 4);
  auto p = inst->get_func("test:raw/api@1.0.0", "poke").call(store, {cc::Val::borrow(cc::Resource(r, 41))});
  if (!p) failures += "poke trapped: " + p.error().message + "\n";
  else if (p->size() != 1 || (*p)[0].as_u32() != 7) failures += "poke: wrong result\n";
  return failures;
}
