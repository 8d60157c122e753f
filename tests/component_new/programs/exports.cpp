// Hand-written canonical-ABI exports for wit/exports.wit (no bindings
// generator): what `compono new` must lift, including an exported resource.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#define EXPORT(n) __attribute__((export_name(n)))
#define API "test:exp/api#"

extern "C" {
__attribute__((import_module("[export]test:exp/api"), import_name("[resource-new]counter"))) int32_t counter_new(int32_t rep);
__attribute__((import_module("[export]test:exp/api"), import_name("[resource-rep]counter"))) int32_t counter_rep(int32_t h);
__attribute__((import_module("[export]test:exp/api"), import_name("[resource-drop]counter"))) void counter_drop(int32_t h);
}

namespace {
alignas(8) uint32_t ret[4];
struct Counter {
  uint32_t value;
};
uint32_t live = 0;
uint32_t initialized = 0;
__attribute__((constructor)) void init() { initialized = 41; }

uint32_t addr(const void* p) { return uint32_t(reinterpret_cast<uintptr_t>(p)); }
void* ptr(uint32_t a) { return reinterpret_cast<void*>(uintptr_t(a)); }
uint32_t* string_ret(char* s, uint32_t n) {
  ret[0] = addr(s);
  ret[1] = n;
  return ret;
}
}  // namespace

extern "C" {
EXPORT(API "greet") uint32_t* greet(char* p, uint32_t len) {
  static const char pre[] = "Hello, ";
  uint32_t n = uint32_t(sizeof pre - 1) + len + 1;
  char* out = static_cast<char*>(malloc(n));
  memcpy(out, pre, sizeof pre - 1);
  memcpy(out + sizeof pre - 1, p, len);
  out[n - 1] = '!';
  free(p);
  return string_ret(out, n);
}
EXPORT("cabi_post_" API "greet") void greet_post(uint32_t* r) { free(ptr(r[0])); }

EXPORT(API "sum") uint64_t sum(uint32_t* xs, uint32_t n) {
  uint64_t s = 0;
  for (uint32_t i = 0; i < n; ++i) s += xs[i];
  free(xs);
  return s;
}

EXPORT(API "flip") uint32_t* flip(int32_t x, int32_t y) {
  ret[0] = uint32_t(y);
  ret[1] = uint32_t(x);
  return ret;
}

EXPORT(API "area") uint32_t area(int32_t disc, int32_t a, int32_t b) {
  switch (disc) {
    case 0: return uint32_t(3 * a * a);
    case 1: return uint32_t(a * b < 0 ? -(a * b) : a * b);
    default: return initialized;
  }
}

EXPORT(API "words") uint32_t* words(char* s, uint32_t len) {
  uint32_t count = 0;
  uint32_t* arr = static_cast<uint32_t*>(malloc(8 * (len + 1)));
  uint32_t i = 0;
  while (i < len) {
    while (i < len && s[i] == ' ') ++i;
    uint32_t b = i;
    while (i < len && s[i] != ' ') ++i;
    if (i > b) {
      char* w = static_cast<char*>(malloc(i - b));
      memcpy(w, s + b, i - b);
      arr[2 * count] = addr(w);
      arr[2 * count + 1] = i - b;
      ++count;
    }
  }
  free(s);
  ret[0] = addr(arr);
  ret[1] = count;
  return ret;
}
EXPORT("cabi_post_" API "words") void words_post(uint32_t* r) {
  uint32_t* arr = static_cast<uint32_t*>(ptr(r[0]));
  for (uint32_t k = 0; k < r[1]; ++k) free(ptr(arr[2 * k]));
  free(arr);
}

EXPORT(API "[constructor]counter") int32_t counter_ctor(uint32_t start) {
  Counter* c = static_cast<Counter*>(malloc(sizeof(Counter)));
  c->value = start;
  ++live;
  return counter_new(int32_t(addr(c)));
}
EXPORT(API "[method]counter.add") uint32_t counter_add(Counter* self, uint32_t n) { return self->value += n; }
EXPORT(API "[method]counter.name") uint32_t* counter_name(Counter* self) {
  char* s = static_cast<char*>(malloc(32));
  int n = snprintf(s, 32, "counter(%u)", self->value);
  return string_ret(s, uint32_t(n));
}
EXPORT("cabi_post_" API "[method]counter.name") void counter_name_post(uint32_t* r) { free(ptr(r[0])); }
EXPORT(API "[dtor]counter") void counter_dtor(Counter* self) {
  --live;
  free(self);
}
EXPORT(API "take") uint32_t take(int32_t h) {
  Counter* c = static_cast<Counter*>(ptr(uint32_t(counter_rep(h))));
  uint32_t v = c->value;
  counter_drop(h);  // runs the destructor
  return v * 10 + live;
}
EXPORT(API "live-count") uint32_t live_count() { return live; }

EXPORT("top") uint32_t top(uint32_t a, uint32_t b) {
  printf("top(%u, %u)\n", a, b);
  fflush(stdout);
  return a * b + 1;
}
}
