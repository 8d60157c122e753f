// Test helper: WebAssembly text -> binary through wabt's wat2wasm.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace compono::test {

// Returns true and fills `out` on success; otherwise fills `err`.
bool wat_to_wasm(const std::string& wat, std::vector<uint8_t>& out, std::string& err);
bool have_wat2wasm();

}  // namespace compono::test
