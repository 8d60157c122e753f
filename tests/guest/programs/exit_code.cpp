// Exit status: `return N` from main, or exit(N) from deep inside with atexit
// handlers and unflushed stdio, or a successful run.  Mode from argv[1].
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct Global {
  Global() { printf("ctor "); }
  ~Global() { printf("dtor\n"); }
};
static Global g;

static void bye() { printf("atexit "); }

static void deep(int n) {
  if (n == 0) {
    printf("exiting-with-3 (no newline, still buffered)");
    exit(3);
  }
  deep(n - 1);
}

int main(int argc, char** argv) {
  atexit(bye);
  const char* mode = argc > 1 ? argv[1] : "return7";
  printf("mode=%s ", mode);
  if (!strcmp(mode, "return7")) return 7;
  if (!strcmp(mode, "exit3")) deep(5);
  if (!strcmp(mode, "return1")) return 1;
  return 0;
}
