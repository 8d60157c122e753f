// Guest for raw.wit, written against the canonical ABI by hand (no SDK).
#include <stdint.h>

static uint32_t ret[2];
static unsigned char heap[4096];
static uint32_t top;

__attribute__((export_name("cabi_realloc"))) void* cabi_realloc(void* old, uint32_t old_size, uint32_t align, uint32_t size) {
  (void)old, (void)old_size;
  top = (top + align - 1) & ~(align - 1);
  void* p = heap + top;
  top += size;
  return p;
}
__attribute__((export_name("test:raw/api@1.0.0#flip"))) uint32_t* flip(uint32_t x, uint32_t y) {
  ret[0] = y;
  ret[1] = x;
  return ret;
}
__attribute__((import_module("test:raw/host@1.0.0"), import_name("[resource-drop]r"))) void drop_r(uint32_t handle);

// A received borrow must be dropped before returning (Compono's runtime traps
// otherwise, naming the resource and the handle).
__attribute__((export_name("test:raw/api@1.0.0#poke"))) uint32_t poke(uint32_t handle) {
  uint32_t result = handle != 0 ? 7 : 0;
  drop_r(handle);
  return result;
}
__attribute__((export_name("mk"))) uint32_t* mk(uint32_t x, uint32_t y) {
  ret[0] = x * 10;
  ret[1] = y * 10;
  return ret;
}
