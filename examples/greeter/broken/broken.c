/* examples/greeter/broken/broken.c - a deliberately broken greeter guest,
 * written against the raw canonical ABI (plain C, no generated bindings, no
 * libc).  It calls request-id on the borrowed `context` and returns WITHOUT
 * dropping the borrow, so the runtime traps at the end of the call to
 * "greet" with a diagnosis naming the export, the resource and the handle.
 *
 * Built with -DGREETER_DROP_BORROW=1 it drops the borrow and is a correct
 * raw-ABI greeter (used by the tests as a second, independent good guest).
 *
 * Core signatures (greeter world, canonical ABI flattening):
 *   import example:greeter/types "[method]context.request-id" (self i32, retptr i32)
 *   import example:greeter/types "[resource-drop]context"     (handle i32)
 *   export "greet" (name.ptr i32, name.len i32, ctx i32) -> retptr i32
 *   export "cabi_post_greet" (retptr i32), "cabi_realloc", memory */
#include <stddef.h>
#include <stdint.h>

#define IMPORT(m, n) __attribute__((import_module(m), import_name(n)))
#define EXPORT(n) __attribute__((export_name(n)))

IMPORT("example:greeter/types", "[method]context.request-id")
extern void context_request_id(int32_t self, int32_t retptr);
IMPORT("example:greeter/types", "[resource-drop]context")
extern void context_drop(int32_t handle);

/* A bump allocator over a static arena, reset by greet's post-return
 * (cabi_post_greet) once the host has lifted the response. */
static unsigned char arena[1 << 16];
static size_t arena_used;

EXPORT("cabi_realloc")
void* cabi_realloc(void* old, size_t old_size, size_t align, size_t new_size) {
  if (new_size == 0) return (void*)align;
  size_t start = (arena_used + align - 1) & ~(align - 1);
  if (start + new_size > sizeof arena) __builtin_trap();
  unsigned char* p = arena + start;
  arena_used = start + new_size;
  if (old) {
    size_t n = old_size < new_size ? old_size : new_size;
    for (size_t i = 0; i < n; ++i) p[i] = ((unsigned char*)old)[i];
  }
  return p;
}

static void append(unsigned char* dst, size_t* len, const void* src, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[*len + i] = ((const unsigned char*)src)[i];
  *len += n;
}

static int32_t ret_area[4]; /* response: greeting {ptr, len}, request-id {ptr, len} */

EXPORT("greet")
int32_t* greet(const char* name, size_t name_len, int32_t ctx) {
  int32_t id[2]; /* request-id's result: {ptr, len} */
  context_request_id(ctx, (int32_t)(uintptr_t)id);
#if defined(GREETER_DROP_BORROW) && GREETER_DROP_BORROW
  context_drop(ctx); /* the fix: release the borrow before returning */
#endif
  /* The BUG (without GREETER_DROP_BORROW): `ctx` is never dropped. */
  unsigned char* g = cabi_realloc(NULL, 0, 1, name_len + 8);
  size_t len = 0;
  append(g, &len, "Hello, ", 7);
  append(g, &len, name, name_len);
  append(g, &len, "!", 1);
  ret_area[0] = (int32_t)(uintptr_t)g;
  ret_area[1] = (int32_t)len;
  ret_area[2] = id[0];
  ret_area[3] = id[1];
  return ret_area;
}

EXPORT("cabi_post_greet")
void cabi_post_greet(int32_t* ret) {
  (void)ret;
  arena_used = 0;
}
