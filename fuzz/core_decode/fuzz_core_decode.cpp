// libFuzzer target: core WebAssembly decode + validate on arbitrary bytes.
// Any input must yield a Module or an Error with a sane offset, never a crash,
// an out-of-bounds read or an absurd allocation.
//
//   fuzz_core_decode -max_len=4096 corpus/   (seed with *.wasm from wast2json)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "core/module.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace compono::core;
  auto m = decode(std::span<const uint8_t>(data, size));
  if (!m) {
    if (m.error().offset != compono::Error::npos && m.error().offset > size) std::abort();
    if (m.error().message.empty()) std::abort();
    return 0;
  }
  // Spans must lie within the module.
  const size_t n = m->bytes.size();
  for (const Function& f : m->functions)
    if (f.body.begin > f.body.end || f.body.end > n) std::abort();
  for (const DataSegment& d : m->datas)
    if (d.bytes.begin > d.bytes.end || d.bytes.end > n) std::abort();
  auto v = validate(*m);
  if (!v && v.error().message.empty()) std::abort();
  return 0;
}
