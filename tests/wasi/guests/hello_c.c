/* A plain C guest: arguments, getenv, stderr, atexit, exit(5). */
#include <stdio.h>
#include <stdlib.h>

static void bye(void) { printf("atexit handler ran\n"); }

int main(int argc, char** argv) {
  atexit(bye);
  printf("C guest with %d args, last=%s\n", argc, argv[argc - 1]);
  const char* who = getenv("WHO");
  printf("WHO=%s\n", who ? who : "(unset)");
  fprintf(stderr, "this goes to stderr\n");
  exit(5);
}
