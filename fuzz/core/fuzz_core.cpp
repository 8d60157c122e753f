// fuzz/core/fuzz_core.cpp - libFuzzer target for the core engine.
//
// Treats the input as a binary module: compile (decode + validate +
// translate); if that succeeds, instantiate it with stub imports (functions
// returning zero values, small tables/memories/globals of the imported
// types) and call every exported function, with zero arguments and with
// edge-case arguments.  Fuel, call
// depth, memory and table sizes are bounded so every input finishes
// quickly.  Errors and traps are expected; crashes, sanitizer reports and
// hangs are bugs.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
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
      case w::ExternKind::Tag:  // (only with Config::exceptions, which this target leaves off)
        out.emplace_back(w::Tag::create(store, t.tag));
        break;
    }
  }
  return true;
}

// Interesting argument values, picked deterministically from the input's
// hash so the same input always makes the same calls.
struct ArgPicker {
  uint64_t state;
  uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
  w::Value pick(w::ValType t) {
    static const uint64_t ints[] = {0, 1, 2, 7, 31, 32, 63, 64, 0xff, 0xffff, 0x10000, 0x7fffffff,
                                    0x80000000, 0xffffffff, 0x7fffffffffffffffull,
                                    0x8000000000000000ull, ~uint64_t(0), ~uint64_t(0) - 1};
    static const uint32_t f32s[] = {0, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x7f800000u, 0xff800000u,
                                    0x7fc00000u, 0x7fa00000u, 0x00000001u, 0x4f000000u, 0xcf000000u, 0x5f000000u};
    static const uint64_t f64s[] = {0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
                                    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
                                    0x7ff4000000000000ull, 1, 0x41e0000000000000ull, 0xc1e0000000000000ull,
                                    0x43e0000000000000ull};
    uint64_t r = next();
    switch (t) {
      case w::ValType::I32: return w::Value::i32(int32_t(uint32_t(ints[r % std::size(ints)])));
      case w::ValType::I64: return w::Value::i64(int64_t(ints[r % std::size(ints)]));
      case w::ValType::F32: return w::Value::f32_from_bits(f32s[r % std::size(f32s)]);
      case w::ValType::F64: return w::Value::f64_from_bits(f64s[r % std::size(f64s)]);
      case w::ValType::ExternRef: return (r & 1) ? w::Value::externref(r >> 1) : w::Value::null_ref(t);
      default: return w::Value::zero(t);
    }
  }
};

uint64_t hash_bytes(const uint8_t* data, size_t size) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 0x100000001b3ull;
  return h | 1;
}

// COMPONO_FUZZ_REPORT=1: print "compono: accept" / "compono: reject <error>"
// for every input (used by diff-wabt.sh to compare with wasm-validate).
bool report_mode() {
  static const bool on = [] {
    const char* v = std::getenv("COMPONO_FUZZ_REPORT");
    return v && *v && *v != '0';
  }();
  return on;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto module = w::Module::compile(std::span<const uint8_t>(data, size));
  if (report_mode()) {
    std::fprintf(stderr, "compono: %s%s\n", module ? "accept" : "reject ",
                 module ? "" : module.error().to_string().c_str());
  }
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

  // Call every exported function twice: with zero arguments, then with
  // edge-case values (INT_MIN, -1, NaNs, infinities, ...).
  ArgPicker picker{hash_bytes(data, size)};
  size_t calls = 0;
  for (const auto& e : inst->exports()) {
    if (e.item.kind() != w::ExternKind::Func) continue;
    if (++calls > kMaxExportCalls) break;
    w::Func f = e.item.func();
    w::FuncType ft = f.type();
    for (int round = 0; round < 2; ++round) {
      std::vector<w::Value> args;
      for (auto t : ft.params) args.push_back(round == 0 ? w::Value::zero(t) : picker.pick(t));
      store.set_fuel(kFuelPerCall);
      auto r = f.call(store, args);
      if (!r) {
        (void)r.error().to_string();
        continue;
      }
      if (r->size() != ft.results.size()) __builtin_trap();  // wrong number of results
      for (size_t i = 0; i < r->size(); ++i)
        if ((*r)[i].type() != ft.results[i]) __builtin_trap();  // wrong result type
    }
  }
  return 0;
}
