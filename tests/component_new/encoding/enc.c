// Raw canonical ABI guest for enc.wit, built once per string encoding
// (-DENC_UTF16 / -DENC_COMPACT; default utf8): shout(s) = upper(s) + "!".
// Strings arrive as (ptr, len): len counts bytes (utf8), code units (utf16),
// or for compact utf16 latin1 bytes, or utf16 code units with bit 31 set.
#include <stdint.h>

static unsigned char heap[1 << 16];
static uint32_t top = 16;

__attribute__((export_name("cabi_realloc"))) void* cabi_realloc(void* old, uint32_t old_size, uint32_t align,
                                                                uint32_t new_size) {
  top = (top + align - 1) & ~(align - 1);
  unsigned char* p = heap + top;
  top += new_size;
  if (top > sizeof heap) __builtin_trap();
  for (uint32_t i = 0; old && i < old_size && i < new_size; ++i) p[i] = ((unsigned char*)old)[i];
  return p;
}

__attribute__((import_module("$root"), import_name("upper"))) void upper(uint32_t ptr, uint32_t len, uint32_t ret);

static uint32_t result[2];

__attribute__((export_name("shout"))) uint32_t* shout(uint32_t ptr, uint32_t len) {
  uint32_t got[2];
  upper(ptr, len, (uint32_t)(uintptr_t)got);
  uint32_t n = got[1];
#if defined(ENC_UTF16)
  uint16_t* out = cabi_realloc(0, 0, 2, (n + 1) * 2);
  uint16_t* in = (uint16_t*)(uintptr_t)got[0];
  for (uint32_t i = 0; i < n; ++i) out[i] = in[i];
  out[n] = '!';
  n += 1;
#elif defined(ENC_COMPACT)
  uint32_t units = n & 0x7fffffffu;
  int wide = (n & 0x80000000u) != 0;
  unsigned char* out;
  if (wide) {
    uint16_t* o = cabi_realloc(0, 0, 2, (units + 1) * 2);
    uint16_t* in = (uint16_t*)(uintptr_t)got[0];
    for (uint32_t i = 0; i < units; ++i) o[i] = in[i];
    o[units] = '!';
    out = (unsigned char*)o;
    n = (units + 1) | 0x80000000u;
  } else {
    out = cabi_realloc(0, 0, 2, units + 1);  // latin1+utf16 strings are 2-aligned either way
    unsigned char* in = (unsigned char*)(uintptr_t)got[0];
    for (uint32_t i = 0; i < units; ++i) out[i] = in[i];
    out[units] = '!';
    n = units + 1;
  }
#else
  unsigned char* out = cabi_realloc(0, 0, 1, n + 1);
  unsigned char* in = (unsigned char*)(uintptr_t)got[0];
  for (uint32_t i = 0; i < n; ++i) out[i] = in[i];
  out[n] = '!';
  n += 1;
#endif
  result[0] = (uint32_t)(uintptr_t)out;
  result[1] = n;
  return result;
}
