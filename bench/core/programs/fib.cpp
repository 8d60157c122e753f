// fib: naive doubly recursive Fibonacci (call-heavy).  Per repetition: one
// fib(22..24), the argument varying so calls cannot be hoisted.
#include "harness.h"

namespace {
__attribute__((noinline)) uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

uint64_t bench_run(uint32_t size) {
  uint64_t sum = kBenchSeed;
  for (uint32_t rep = 0; rep < size; ++rep) sum = bench_mix(sum, fib(22 + rep % 3));
  return sum;
}
}  // namespace

BENCH_PROGRAM("fib", 4500, 225)
