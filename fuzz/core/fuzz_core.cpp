// fuzz/core/fuzz_core.cpp - libFuzzer target for the core engine.
//
// Treats the input as a binary module: compile (decode + validate +
// translate); if that succeeds, instantiate it with stub imports (functions
// returning zero values, small tables/memories/globals of the imported
// types) and call every exported function with zero arguments.  Fuel, call
// depth, memory and table sizes are bounded so every input finishes
// quickly.  Errors and traps are expected; crashes, sanitizer reports and
// hangs are bugs.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "compono/core.h"

namespace w = compono::wasm;

namespace {

constexpr uint64_t kMaxPages = 16;          // 1 MiB per memory
constexpr uint64_t kMaxTableElems = 10000;
constexpr uint64_t kFuelPerCall = 20000;
constexpr size_t kMaxExportCalls = 64;

w::Limits clamp(w::Limits l, uint64_t cap, bool& ok) {
  if (l.min > cap) ok = false;
  if (l.max && *l.max > cap) l.max = cap < l.min ? l.min : cap;
  return l;
}

bool make_stub_imports(w::Store& store, const w::Module& m, std::vector<w::Extern>& out) {
  for (const auto& imp : m.imports()) {
    const w::ExternType& t = imp.type;
    switch (t.kind) {
      case w::ExternKind::Func: {
        w::FuncType ft = t.func;
        out.emplace_back(w::Func::host(store, ft,
            [](w::Caller&, std::span<const w::Value>, std::span<w::Value>) -> w::HostResult { return {}; }));
        break;
      }
      case w::ExternKind::Table: {
        bool ok = true;
        w::TableType tt = t.table;
        tt.limits = clamp(tt.limits, kMaxTableElems, ok);
        if (!ok) return false;
        auto tab = w::Table::create(store, tt, w::Value::null_ref(tt.elem));
        if (!tab) return false;
        out.emplace_back(*tab);
        break;
      }
      case w::ExternKind::Memory: {
        bool ok = true;
        w::MemoryType mt = t.memory;
        mt.limits = clamp(mt.limits, kMaxPages, ok);
        if (!ok) return false;
        auto mem = w::Memory::create(store, mt);
        if (!mem) return false;
        out.emplace_back(*mem);
        break;
      }
      case w::ExternKind::Global: {
        auto g = w::Global::create(store, t.global, w::Value::zero(t.global.type));
        if (!g) return false;
        out.emplace_back(*g);
        break;
      }
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto module = w::Module::compile(std::span<const uint8_t>(data, size));
  if (!module) {
    (void)module.error().to_string();
    return 0;
  }
  // Exercise the introspection API too.
  (void)module->exports();
  (void)module->name();

  w::Config cfg;
  cfg.max_memory_pages = kMaxPages;
  cfg.max_table_elements = kMaxTableElems;
  cfg.max_call_depth = 2000;
  cfg.max_stack_slots = 1 << 18;
  cfg.consume_fuel = true;
  w::Store store(cfg);
  store.set_fuel(kFuelPerCall);  // also bounds the start function

  std::vector<w::Extern> imports;
  if (!make_stub_imports(store, *module, imports)) return 0;
  auto inst = w::Instance::create(store, *module, imports);
  if (!inst) return 0;

  size_t calls = 0;
  for (const auto& e : inst->exports()) {
    if (e.item.kind() != w::ExternKind::Func) continue;
    if (++calls > kMaxExportCalls) break;
    w::Func f = e.item.func();
    w::FuncType ft = f.type();
    std::vector<w::Value> args;
    for (auto t : ft.params) args.push_back(w::Value::zero(t));
    store.set_fuel(kFuelPerCall);
    auto r = f.call(store, args);
    if (!r) {
      (void)r.error().to_string();
    } else if (r->size() != ft.results.size()) {
      __builtin_trap();  // the engine returned the wrong number of results
    }
  }
  return 0;
}
