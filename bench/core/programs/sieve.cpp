// sieve: sieve of Eratosthenes up to 262144 (byte array).  Per repetition:
// one full sieve plus a prime count and a position-weighted sum.
#include <string.h>

#include "harness.h"

namespace {
constexpr uint32_t LIMIT = 262144;

uint64_t bench_run(uint32_t size) {
  static uint8_t composite[LIMIT];
  uint64_t sum = kBenchSeed;
  for (uint32_t rep = 0; rep < size; ++rep) {
    uint32_t limit = LIMIT - (rep & 15);  // vary a little so no repetition is redundant
    memset(composite, 0, limit);
    for (uint32_t i = 2; i * i < limit; ++i)
      if (!composite[i])
        for (uint32_t j = i * i; j < limit; j += i) composite[j] = 1;
    uint64_t count = 0, weighted = 0;
    for (uint32_t i = 2; i < limit; ++i)
      if (!composite[i]) {
        ++count;
        weighted += i ^ count;
      }
    sum = bench_mix(sum, count * 1000003u + weighted);
  }
  return sum;
}
}  // namespace

BENCH_PROGRAM("sieve", 800, 30)
