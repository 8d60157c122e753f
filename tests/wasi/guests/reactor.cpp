// A reactor module (no _start) for `compono run --invoke`.
#include <cstdint>
#include <cstdio>

static int initialized = 0;
__attribute__((constructor)) static void init() { initialized = 40; }

extern "C" {
__attribute__((export_name("add"))) int32_t add(int32_t a, int32_t b) { return a + b + initialized - 40; }
__attribute__((export_name("mul64"))) int64_t mul64(int64_t a, int64_t b) { return a * b; }
__attribute__((export_name("hypot2"))) double hypot2(double a, float b) { return a * a + double(b) * b; }
__attribute__((export_name("greet"))) void greet() { std::printf("hello from the reactor\n"); std::fflush(stdout); }
}
