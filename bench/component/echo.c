/* bench/component/echo.c - raw canonical ABI guest for the component call
 * benchmark (plain C, no libc): a no-op export and string / list<u8> echoes
 * that return their argument in place.  Arguments are allocated by the host
 * through cabi_realloc from a bump arena that the post-return functions
 * reset. */
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
