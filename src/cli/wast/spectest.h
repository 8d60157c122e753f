// src/cli/wast/spectest.h - the `spectest` host module of the spec tests.
#pragma once

#include <cstdio>

#include "compono/core.h"

namespace compono::cli::wast {

// Define module "spectest" in `linker`: print, print_i32, print_i64,
// print_f32, print_f64, print_i32_f32, print_f64_f64 (they print their
// arguments to `print_to` when it is not null), global_i32 = 666,
// global_i64 = 666, global_f32 = 666.6, global_f64 = 666.6 (immutable),
// table (10..20 funcref) and memory (1..2 pages).
Result<void> define_spectest(wasm::Store& store, wasm::Linker& linker, std::FILE* print_to);

}  // namespace compono::cli::wast
