// Traps (unreachable) two calls deep; the backtrace should name the functions.
#include <cstdio>

__attribute__((noinline)) void explode(int x) {
  if (x > 0) __builtin_trap();
}
__attribute__((noinline)) void middle(int x) { explode(x + 1); }

int main(int argc, char**) {
  std::printf("before the trap\n");
  std::fflush(stdout);
  middle(argc);
  std::printf("not reached\n");
  return 0;
}
