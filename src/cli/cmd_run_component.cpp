// compono run, component path: compile + instantiate a component and call
// `--invoke 'f(args)'` (WAVE) or wasi:cli/run.  See component_run.h.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/component_run.h"
#include "component/wave.h"

namespace compono::cli {
namespace {
ComponentHostSetup g_setup = nullptr;
constexpr int kTrapStatus = 134;

int trap_status(const component::Trap& t) {
  std::fflush(stdout);
  if (t.exit_code) return *t.exit_code & 0xff;
  std::fprintf(stderr, "compono run: trap: %s\n", t.to_string().c_str());
  return kTrapStatus;
}
}  // namespace

void set_component_host_setup(ComponentHostSetup setup) { g_setup = setup; }

int run_component_file(const ComponentRunOptions& o, const std::vector<uint8_t>& bytes) {
  auto die = [&](const std::string& msg) {
    std::fflush(stdout);
    std::fprintf(stderr, "compono run: %s\n", msg.c_str());
    return 1;
  };
  auto comp = component::Component::compile(bytes);
  if (!comp) return die(o.file + ": " + comp.error().to_string());
  wasm::Config config;
  config.max_memory_pages = o.max_memory_pages;
  config.consume_fuel = o.fuel.has_value();
  component::Store store(config);
  if (o.fuel) store.core().set_fuel(*o.fuel);
  component::Linker linker;
  if (g_setup) {
    if (auto r = g_setup(linker, store, o); !r) return die(r.error().to_string());
  }
  auto inst = linker.instantiate(store, *comp);
  if (!inst) return die(o.file + ": " + inst.error().to_string());

  if (o.invoke.empty()) {
    component::Func run = inst->get_func("wasi:cli/run@0.2.0#run");
    if (!run) {
      std::string names;
      for (auto& n : inst->export_names()) names += (names.empty() ? "" : ", ") + n;
      return die(o.file + ": no `wasi:cli/run` export (exports: " + (names.empty() ? "none" : names) +
                 "); use --invoke 'NAME(ARGS)' to call another export");
    }
    if (!g_setup && !comp->imports().empty())
      return die(o.file + ": this component imports WASI 0.2 interfaces, but no WASI 0.2 host is linked in");
    auto r = run.call(store, {});
    if (!r) return trap_status(r.error());
    if (!r->empty() && (*r)[0].kind() == component::Kind::Result && !(*r)[0].is_ok()) return 1;
    return 0;
  }

  auto call = wave::split_call(o.invoke);
  if (!call) return die("--invoke: " + call.error().to_string());
  component::Func f = inst->get_func(call->name);
  if (!f) {
    std::string names;
    for (auto& n : inst->export_names()) names += (names.empty() ? "" : ", ") + n;
    return die(o.file + ": no exported function `" + call->name + "` (exports: " + (names.empty() ? "none" : names) + ")");
  }
  component::FuncType ft = f.type();
  std::string argtext = call->args;
  if (o.invoke.find('(') == std::string::npos) {
    // Bare name: the positional ARGS are the WAVE arguments.
    for (size_t i = 0; i < o.args.size(); ++i) argtext += (i ? ", " : "") + o.args[i];
  }
  auto args = wave::parse_args(argtext, ft);
  if (!args) return die("--invoke: arguments of `" + call->name + "` " + ft.to_string() + ": " + args.error().to_string());
  auto r = f.call(store, *args);
  if (!r) return trap_status(r.error());
  for (auto& v : *r) std::printf("%s\n", wave::print(v).c_str());
  std::fflush(stdout);
  return 0;
}

}  // namespace compono::cli
