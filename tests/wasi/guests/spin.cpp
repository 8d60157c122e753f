// Counts forever unless told how far: used with --fuel.
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  volatile unsigned long n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : ~0ul;
  volatile unsigned long i = 0;
  for (; i < n; i = i + 1) {
  }
  std::printf("counted to %lu\n", (unsigned long)i);
  return 0;
}
