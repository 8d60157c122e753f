/* bench/component/echo.c - raw canonical ABI guest for the component call
 * benchmark (plain C, no libc): a no-op export, string / list<u8> echoes that
 * return their argument in place, one-way "take" (host -> guest) and "make"
 * (guest -> host) transfers.  Arguments are allocated by the host through
 * cabi_realloc from a bump arena that the post-return functions (and the
 * take-* exports, which have no results) reset. */
#include <stddef.h>
#include <stdint.h>

#define EXPORT(n) __attribute__((export_name(n)))

static unsigned char* arena_base;
static size_t arena_size, arena_used;

EXPORT("cabi_realloc")
void* cabi_realloc(void* old, size_t old_size, size_t align, size_t new_size) {
  (void)old;
  (void)old_size;
  if (new_size == 0) return (void*)align;
  size_t start = (arena_used + align - 1) & ~(align - 1);
  while (start + new_size > arena_size) {
    if (!arena_base) {
      arena_base = (unsigned char*)(__builtin_wasm_memory_size(0) * 65536);
    }
    size_t pages = (start + new_size - arena_size + 65535) / 65536;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) __builtin_trap();
    arena_size += pages * 65536;
  }
  arena_used = start + new_size;
  return arena_base + start;
}

static int32_t ret_area[2];

EXPORT("noop") void noop(void) {}

EXPORT("echo-string") int32_t* echo_string(int32_t ptr, int32_t len) {
  ret_area[0] = ptr;
  ret_area[1] = len;
  return ret_area;
}
EXPORT("cabi_post_echo-string") void post_echo_string(int32_t* r) { (void)r; arena_used = 0; }

EXPORT("echo-bytes") int32_t* echo_bytes(int32_t ptr, int32_t len) {
  ret_area[0] = ptr;
  ret_area[1] = len;
  return ret_area;
}
EXPORT("cabi_post_echo-bytes") void post_echo_bytes(int32_t* r) { (void)r; arena_used = 0; }

EXPORT("take-string") void take_string(int32_t ptr, int32_t len) { (void)ptr; (void)len; arena_used = 0; }
EXPORT("take-bytes") void take_bytes(int32_t ptr, int32_t len) { (void)ptr; (void)len; arena_used = 0; }

#define MAX_MAKE (1 << 20)
static unsigned char ascii_buf[MAX_MAKE], utf8_buf[MAX_MAKE];
static int filled;

static void fill(void) {
  for (size_t i = 0; i < MAX_MAKE; ++i) ascii_buf[i] = (unsigned char)('a' + i % 26);
  /* "é" (c3 a9) repeated: valid UTF-8 at every even length. */
  for (size_t i = 0; i < MAX_MAKE; i += 2) { utf8_buf[i] = 0xc3; utf8_buf[i + 1] = 0xa9; }
  filled = 1;
}

EXPORT("make-string") int32_t* make_string(int32_t n, int32_t ascii) {
  if (!filled) fill();
  if ((uint32_t)n > MAX_MAKE) n = MAX_MAKE;
  if (!ascii) n &= ~1;
  ret_area[0] = (int32_t)(uintptr_t)(ascii ? ascii_buf : utf8_buf);
  ret_area[1] = n;
  return ret_area;
}
EXPORT("make-bytes") int32_t* make_bytes(int32_t n) {
  if (!filled) fill();
  if ((uint32_t)n > MAX_MAKE) n = MAX_MAKE;
  ret_area[0] = (int32_t)(uintptr_t)ascii_buf;
  ret_area[1] = n;
  return ret_area;
}
