// Reads stdin to EOF (fd_read on the wasi:cli/stdin stream) and echoes it uppercased.
#include <ctype.h>
#include <stdio.h>

int main() {
  size_t n = 0, lines = 0;
  int c;
  while ((c = getchar()) != EOF) {
    ++n;
    if (c == '\n') ++lines;
    putchar(toupper(c));
  }
  printf("[%zu bytes, %zu lines]\n", n, lines);
  return 0;
}
