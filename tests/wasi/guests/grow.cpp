// Allocates N MiB (argv[1]) and reports whether it succeeded: with
// `--max-memory` below that, malloc fails (memory.grow returns -1).
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  long mib = argc > 1 ? std::atol(argv[1]) : 32;
  size_t n = size_t(mib) << 20;
  char* p = static_cast<char*>(std::malloc(n));
  // Use the block (and print its address) so the allocation can't be elided.
  if (p) std::memset(p, 1, n);
  std::printf("alloc %ld MiB: %s\n", mib, p ? "ok" : "failed");
  if (p) std::fprintf(stderr, "block at %p, last byte %d\n", static_cast<void*>(p), p[n - 1]);
  return p ? 0 : 3;
}
