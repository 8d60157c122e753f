// Reads stdin to EOF (fd_read on the wasi:cli/stdin stream) and echoes it uppercased.
#include <ctype.h>
#include <poll.h>
#include <stdio.h>

int main() {
  // poll_oneoff on the stdin stream's pollable plus a clock: stdin is readable
  // (data or EOF) long before the 10 s timeout.
  struct pollfd p = {0, POLLRDNORM, 0};
  int r = poll(&p, 1, 10000);
  printf("poll=%d readable=%d\n", r, (p.revents & POLLRDNORM) ? 1 : 0);
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
