// Clocks, sleep (poll_oneoff on a monotonic-clock pollable) and random bytes.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <random>

static long long ns(const timespec& t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main() {
  timespec rt, m0, m1, res;
  clock_gettime(CLOCK_REALTIME, &rt);
  printf("realtime_s=%lld\n", (long long)rt.tv_sec);
  printf("time()=%lld\n", (long long)time(nullptr));
  clock_getres(CLOCK_MONOTONIC, &res);
  printf("monotonic_res_positive=%d\n", ns(res) > 0 ? 1 : 0);
  clock_gettime(CLOCK_MONOTONIC, &m0);
  timespec req = {0, 30 * 1000000};
  int r = nanosleep(&req, nullptr);
  clock_gettime(CLOCK_MONOTONIC, &m1);
  printf("nanosleep=%d slept_ms=%lld\n", r, (ns(m1) - ns(m0)) / 1000000);
  auto c0 = std::chrono::steady_clock::now();
  usleep(10 * 1000);
  auto c1 = std::chrono::steady_clock::now();
  printf("usleep_chrono_ms=%lld\n",
         (long long)std::chrono::duration_cast<std::chrono::milliseconds>(c1 - c0).count());

  unsigned char a[32], b[32];
  int ea = getentropy(a, sizeof a), eb = getentropy(b, sizeof b);
  printf("getentropy=%d,%d\n", ea, eb);
  printf("rand_a=");
  for (unsigned char c : a) printf("%02x", c);
  printf("\nrand_b=");
  for (unsigned char c : b) printf("%02x", c);
  printf("\n");
  std::random_device rd;
  unsigned x = rd(), y = rd();
  printf("random_device_differs=%d\n", x != y || rd() != rd() ? 1 : 0);
  return 0;
}
