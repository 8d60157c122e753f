// src/cli/wast/spectest.cpp - the `spectest` host module.
#include "cli/wast/spectest.h"

#include <string>
#include <vector>

namespace compono::cli::wast {

namespace w = compono::wasm;

Result<void> define_spectest(w::Store& store, w::Linker& linker, std::FILE* print_to) {
  using VT = w::ValType;
  struct Printer {
    const char* name;
    std::vector<VT> params;
  };
  const Printer printers[] = {
      {"print", {}},
      {"print_i32", {VT::I32}},
      {"print_i64", {VT::I64}},
      {"print_f32", {VT::F32}},
      {"print_f64", {VT::F64}},
      {"print_i32_f32", {VT::I32, VT::F32}},
      {"print_f64_f64", {VT::F64, VT::F64}},
  };
  for (const auto& p : printers) {
    w::FuncType type{p.params, {}};
    COMPONO_CHECK(linker.define_host(store, "spectest", p.name, type,
                                     [print_to](w::Caller&, std::span<const w::Value> args, std::span<w::Value>) -> w::HostResult {
                                       if (print_to) {
                                         std::string line;
                                         for (const auto& a : args) {
                                           if (!line.empty()) line += ' ';
                                           line += a.to_string();
                                         }
                                         std::fprintf(print_to, "spectest print: %s\n", line.c_str());
                                       }
                                       return {};
                                     }));
  }

  COMPONO_TRY(auto gi32, w::Global::create(store, {VT::I32, false}, w::Value::i32(666)));
  COMPONO_TRY(auto gi64, w::Global::create(store, {VT::I64, false}, w::Value::i64(666)));
  COMPONO_TRY(auto gf32, w::Global::create(store, {VT::F32, false}, w::Value::f32(666.6f)));
  COMPONO_TRY(auto gf64, w::Global::create(store, {VT::F64, false}, w::Value::f64(666.6)));
  COMPONO_CHECK(linker.define("spectest", "global_i32", gi32));
  COMPONO_CHECK(linker.define("spectest", "global_i64", gi64));
  COMPONO_CHECK(linker.define("spectest", "global_f32", gf32));
  COMPONO_CHECK(linker.define("spectest", "global_f64", gf64));

  w::TableType tt;
  tt.elem = VT::FuncRef;
  tt.limits = {10, 20};
  COMPONO_TRY(auto table, w::Table::create(store, tt, w::Value::null_ref(VT::FuncRef)));
  COMPONO_CHECK(linker.define("spectest", "table", table));

  w::MemoryType mt;
  mt.limits = {1, 2};
  COMPONO_TRY(auto memory, w::Memory::create(store, mt));
  COMPONO_CHECK(linker.define("spectest", "memory", memory));
  return {};
}

}  // namespace compono::cli::wast
