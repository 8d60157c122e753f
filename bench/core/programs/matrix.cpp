// matrix: dense double-precision matrix multiply, 64x64, with the product fed
// back (normalised) as the next left operand.  Per repetition: one multiply.
#include <string.h>

#include "harness.h"

namespace {
constexpr int N = 64;

void multiply(const double* a, const double* b, double* c) {
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < N; ++j) c[i * N + j] = 0.0;
    for (int k = 0; k < N; ++k) {
      double aik = a[i * N + k];
      for (int j = 0; j < N; ++j) c[i * N + j] += aik * b[k * N + j];
    }
  }
}

uint64_t bench_run(uint32_t size) {
  static double a[N * N], b[N * N], c[N * N];
  BenchRng rng(7);
  for (int i = 0; i < N * N; ++i) {
    a[i] = static_cast<double>(rng.below(2001)) / 1000.0 - 1.0;
    b[i] = static_cast<double>(rng.below(2001)) / 1000.0 - 1.0;
  }
  uint64_t sum = kBenchSeed;
  for (uint32_t rep = 0; rep < size; ++rep) {
    multiply(a, b, c);
    double maxabs = 0.0;
    for (int i = 0; i < N * N; ++i) {
      double v = c[i] < 0 ? -c[i] : c[i];
      if (v > maxabs) maxabs = v;
    }
    double scale = maxabs > 0.0 ? 1.0 / maxabs : 1.0;
    for (int i = 0; i < N * N; ++i) a[i] = c[i] * scale;
    uint64_t bits;
    double probe = c[(rep * 37) % (N * N)];
    memcpy(&bits, &probe, sizeof bits);
    sum = bench_mix(sum, bits);
  }
  return sum;
}
}  // namespace

BENCH_PROGRAM("matrix", 7000, 100)
