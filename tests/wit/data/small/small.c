// A tiny guest implementing world test:small/small by hand (no bindings).
#include <stdint.h>
#define IMPORT(m, n) __attribute__((import_module(m), import_name(n)))
#define EXPORT(n) __attribute__((export_name(n)))

IMPORT("test:small/host@0.1.0", "log") void host_log(const char* p, uint32_t len);
IMPORT("test:small/host@0.1.0", "add") uint32_t host_add(uint32_t a, uint32_t b);

void* memcpy(void* d, const void* s, unsigned long n) {
  unsigned char* dd = d;
  const unsigned char* ss = s;
  while (n--) *dd++ = *ss++;
  return d;
}
void* memset(void* d, int c, unsigned long n) {
  unsigned char* dd = d;
  while (n--) *dd++ = (unsigned char)c;
  return d;
}

static unsigned char heap[1 << 16] __attribute__((aligned(8)));
static uint32_t top;
EXPORT("cabi_realloc") void* cabi_realloc(void* old, uint32_t old_size, uint32_t align, uint32_t new_size) {
  top = (top + align - 1) & ~(align - 1);
  void* p = &heap[top];
  top += new_size;
  if (old) memcpy(p, old, old_size < new_size ? old_size : new_size);
  return p;
}

static uint64_t ret_area[4];
static char text[16];

EXPORT("run") void* run(uint32_t n) {
  host_log("run", 3);
  uint32_t v = host_add(n, 1);
  int len = 0;
  char tmp[12];
  do { tmp[len++] = (char)('0' + v % 10); v /= 10; } while (v);
  for (int i = 0; i < len; ++i) text[i] = tmp[len - 1 - i];
  uint32_t* r = (uint32_t*)ret_area;
  r[0] = (uint32_t)(uintptr_t)text;
  r[1] = (uint32_t)len;
  return r;
}

EXPORT("calc#sum") void* calc_sum(int32_t* xs, uint32_t len) {
  int64_t s = 0;
  for (uint32_t i = 0; i < len; ++i) s += xs[i];
  unsigned char* r = (unsigned char*)ret_area;
  r[0] = 0;
  *(int64_t*)(r + 8) = s;
  return r;
}

EXPORT("calc#mid") void* calc_mid(int32_t ax, int32_t ay, int32_t bx, int32_t by) {
  int32_t* r = (int32_t*)ret_area;
  r[0] = (ax + bx) / 2;
  r[1] = (ay + by) / 2;
  return r;
}
