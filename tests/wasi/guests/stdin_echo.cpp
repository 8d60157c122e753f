// Waits for stdin with poll(), then reads it to EOF and echoes it upper-cased.
#include <cctype>
#include <cstdio>
#include <poll.h>
#include <string>
#include <unistd.h>

int main() {
  pollfd p{0, POLLIN, 0};
  int r = poll(&p, 1, 5000);
  std::printf("poll=%d revents_in=%d\n", r, (p.revents & POLLIN) ? 1 : 0);
  std::string all;
  char buf[7];  // small, to take several reads
  ssize_t n;
  while ((n = read(0, buf, sizeof buf)) > 0) all.append(buf, size_t(n));
  for (auto& c : all) c = char(std::toupper((unsigned char)c));
  std::printf("read %zu bytes: %s", all.size(), all.c_str());
  return 0;
}
