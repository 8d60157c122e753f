// libFuzzer target: component decode + validate, and for every input that
// decodes, the writer round trip (decode(encode(c)) must equal c).
//
//   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_C_COMPILER=clang-19 \
//         -DCOMPONO_BUILD_FUZZERS=ON && cmake --build build-fuzz --target fuzz_component
//   build-fuzz/fuzz/component/fuzz_component -max_total_time=60 corpus/
// A useful seed corpus is the component binaries of the spec tests (the
// spec runner caches jco's output in build/tests/component/jco-cache/*.wasm).
#include <cstdint>
#include <cstdlib>
#include <span>

#include "component/component.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace cm = compono::component;
  std::span<const uint8_t> in(data, size);
  auto c = cm::decode(in);
  if (!c) return 0;
  (void)cm::validate(*c);
  auto again = cm::decode(cm::encode(*c));
  if (!again || !again->same_structure(*c)) std::abort();
  return 0;
}
