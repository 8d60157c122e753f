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
