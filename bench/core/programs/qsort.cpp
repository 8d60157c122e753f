// qsort: sort 8192 pseudo-random 32-bit keys per repetition, alternating
// between a qsort-style heapsort that calls its comparator through a function
// pointer (indirect calls) and a hand-written recursive quicksort with
// insertion sort for short ranges.  libc's qsort is not used, so every
// engine runs the same sorting code (glibc and wasi-libc sort differently).
#include <string.h>

#include "harness.h"

namespace {
constexpr uint32_t N = 8192;

int compare(const void* a, const void* b) {
  uint32_t x = *static_cast<const uint32_t*>(a), y = *static_cast<const uint32_t*>(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

typedef int (*Compare)(const void*, const void*);

// Heapsort over 32-bit elements with a qsort-style comparator.
__attribute__((noinline)) void heapsort_with(uint32_t* v, uint32_t n, Compare cmp) {
  auto sift = [&](uint32_t root, uint32_t end) {
    for (;;) {
      uint32_t child = 2 * root + 1;
      if (child >= end) return;
      if (child + 1 < end && cmp(&v[child], &v[child + 1]) < 0) ++child;
      if (cmp(&v[root], &v[child]) >= 0) return;
      uint32_t t = v[root]; v[root] = v[child]; v[child] = t;
      root = child;
    }
  };
  for (uint32_t i = n / 2; i-- > 0;) sift(i, n);
  for (uint32_t end = n; end-- > 1;) {
    uint32_t t = v[0]; v[0] = v[end]; v[end] = t;
    sift(0, end);
  }
}

void insertion(uint32_t* v, int lo, int hi) {
  for (int i = lo + 1; i <= hi; ++i) {
    uint32_t x = v[i];
    int j = i - 1;
    while (j >= lo && v[j] > x) {
      v[j + 1] = v[j];
      --j;
    }
    v[j + 1] = x;
  }
}

void quicksort(uint32_t* v, int lo, int hi) {
  while (hi - lo > 16) {
    int mid = lo + (hi - lo) / 2;
    // Median of three as pivot.
    if (v[mid] < v[lo]) { uint32_t t = v[mid]; v[mid] = v[lo]; v[lo] = t; }
    if (v[hi] < v[lo]) { uint32_t t = v[hi]; v[hi] = v[lo]; v[lo] = t; }
    if (v[hi] < v[mid]) { uint32_t t = v[hi]; v[hi] = v[mid]; v[mid] = t; }
    uint32_t pivot = v[mid];
    int i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) ++i;
      while (v[j] > pivot) --j;
      if (i <= j) {
        uint32_t t = v[i]; v[i] = v[j]; v[j] = t;
        ++i;
        --j;
      }
    }
    // Recurse into the smaller half, loop on the larger.
    if (j - lo < hi - i) {
      quicksort(v, lo, j);
      lo = i;
    } else {
      quicksort(v, i, hi);
      hi = j;
    }
  }
  insertion(v, lo, hi);
}

uint64_t bench_run(uint32_t size) {
  static uint32_t v[N];
  // volatile: keep the comparator an indirect call rather than inlined.
  static Compare volatile compare_ptr = compare;
  BenchRng rng(2024);
  uint64_t sum = kBenchSeed;
  for (uint32_t rep = 0; rep < size; ++rep) {
    for (uint32_t i = 0; i < N; ++i) v[i] = static_cast<uint32_t>(rng.next() >> 40);
    if (rep & 1)
      quicksort(v, 0, N - 1);
    else
      heapsort_with(v, N, compare_ptr);
    uint64_t s = 0;
    bool sorted = true;
    for (uint32_t i = 0; i < N; ++i) {
      if (i && v[i - 1] > v[i]) sorted = false;
      s += static_cast<uint64_t>(v[i]) * (i + 1);
    }
    sum = bench_mix(sum, sorted ? s : ~s);
  }
  return sum;
}
}  // namespace

BENCH_PROGRAM("qsort", 550, 28)
