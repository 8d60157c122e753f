// bench/core/programs/harness.h - the shared `main` for the core-engine benchmarks.
//
// Each benchmark program defines
//     static uint64_t bench_run(uint32_t size);
// whose work grows linearly with `size` (size is a repetition count over a
// fixed working set, so cache behaviour does not change with it), then writes
//     BENCH_PROGRAM("name", default_size, small_size)
// where `small_size` is what the slow-interpreter variant runs (1/20 to 1/70
// of the default, so wasm-interp takes a few seconds),
// which expands to one of:
//   - a normal `main` (native, node, compono):  prog [size]
//       prints "name size=N checksum=0123456789abcdef" and exits 0;
//   - with -DBENCH_EXPORT (the variant for `wasm-interp`, whose Debian build
//     has no WASI): no I/O, just two exports (libc++ may leave a few WASI
//     imports that are never called; run with --dummy-import-func)
//       bench_size() -> i32  (= small_size)
//       bench_run()  -> i64  (the checksum of bench_run(small_size))
//     that `wasm-interp --run-all-exports` calls and prints.
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

// Small deterministic PRNG shared by the programs (xorshift64*).
struct BenchRng {
  uint64_t s;
  explicit BenchRng(uint64_t seed) : s(seed ? seed : 0x9e3779b97f4a7c15ull) {}
  uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545f4914f6cdd1dull;
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>((next() >> 32) % n); }
};

// FNV-1a style mixing of a 64-bit value into a checksum.
static inline uint64_t bench_mix(uint64_t h, uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    h ^= (v >> (i * 8)) & 0xff;
    h *= 0x100000001b3ull;
  }
  return h;
}
static const uint64_t kBenchSeed = 0xcbf29ce484222325ull;

#if defined(BENCH_EXPORT)
extern "C" void __wasm_call_ctors(void);
#define BENCH_PROGRAM(name, default_size, small_size)                                    \
  extern "C" __attribute__((export_name("bench_size"))) uint32_t bench_size(void) {       \
    return (small_size);                                                                  \
  }                                                                                       \
  extern "C" __attribute__((export_name("bench_run"))) uint64_t bench_export_run(void) { \
    __wasm_call_ctors();                                                                  \
    return bench_run(small_size);                                                         \
  }
#else
#define BENCH_PROGRAM(name, default_size, small_size)                                      \
  int main(int argc, char** argv) {                                                        \
    uint32_t size = (default_size);                                                        \
    if (argc > 1) {                                                                        \
      char* end = nullptr;                                                                 \
      unsigned long v = strtoul(argv[1], &end, 10);                                        \
      if (!end || *end || v == 0 || v > 0xffffffffull) {                                   \
        fprintf(stderr, "usage: %s [size]   (size: positive integer, default %u)\n", name, \
                static_cast<unsigned>(default_size));                                      \
        return 2;                                                                          \
      }                                                                                    \
      size = static_cast<uint32_t>(v);                                                     \
    }                                                                                      \
    uint64_t sum = bench_run(size);                                                        \
    printf("%s size=%u checksum=%016llx\n", name, static_cast<unsigned>(size),             \
           static_cast<unsigned long long>(sum));                                          \
    return 0;                                                                              \
  }
#endif
