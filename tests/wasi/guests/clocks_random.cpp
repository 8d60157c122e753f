// Clocks, sleeping (poll_oneoff with a clock subscription) and random_get.
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <unistd.h>
#include <wasi/api.h>

static int64_t ns(const timespec& t) { return int64_t(t.tv_sec) * 1000000000 + t.tv_nsec; }

int main() {
  timespec res{}, a{}, b{}, real{};
  clock_getres(CLOCK_MONOTONIC, &res);
  std::printf("monotonic_res_ns=%lld\n", (long long)ns(res));
  clock_gettime(CLOCK_MONOTONIC, &a);
  timespec req{0, 30 * 1000 * 1000};
  int r = nanosleep(&req, nullptr);
  clock_gettime(CLOCK_MONOTONIC, &b);
  std::printf("nanosleep=%d slept_ns=%lld\n", r, (long long)(ns(b) - ns(a)));
  clock_gettime(CLOCK_REALTIME, &real);
  std::printf("realtime_s=%lld\n", (long long)real.tv_sec);

  // poll_oneoff directly: two clocks, the earlier one fires.
  __wasi_subscription_t subs[2] = {};
  subs[0].userdata = 11;
  subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[0].u.u.clock.timeout = 5 * 1000 * 1000;
  subs[1] = subs[0];
  subs[1].userdata = 22;
  subs[1].u.u.clock.timeout = 5ull * 1000 * 1000 * 1000;
  __wasi_event_t ev[2] = {};
  __wasi_size_t n = 0;
  __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, 2, &n);
  std::printf("poll errno=%d nevents=%u userdata=%llu type=%d\n", e, unsigned(n), (unsigned long long)ev[0].userdata,
              ev[0].type);

  unsigned char x[32] = {}, y[32] = {};
  getentropy(x, sizeof x);
  getentropy(y, sizeof y);
  int same = 0, nonzero = 0;
  for (int i = 0; i < 32; ++i) {
    same += x[i] == y[i];
    nonzero += x[i] != 0;
  }
  std::printf("random same=%d nonzero=%d\n", same, nonzero);
  return 0;
}
