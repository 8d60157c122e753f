/* cabi_realloc.c - the canonical ABI allocator export for Compono guests.
 *
 * The host calls cabi_realloc(NULL, 0, align, size) to place lists and strings
 * it returns into guest memory (and the guest's own lifting code may grow a
 * block with a non-NULL old pointer).  Backed by wasi-libc's malloc.
 *
 * Conventions (same as wit-bindgen's C runtime):
 *  - size 0 returns (void*)align, a non-null, aligned, never-dereferenced
 *    pointer: free a returned list only when its length is > 0;
 *  - alignments above alignof(max_align_t) go through aligned_alloc;
 *  - out of memory traps (the host sees a trap, never a NULL).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compono_guest/cabi.h"

__attribute__((__export_name__("cabi_realloc"))) void* cabi_realloc(void* old, size_t old_size, size_t align,
                                                                    size_t new_size) {
  if (align == 0 || (align & (align - 1)) != 0) __builtin_trap();
  if (new_size == 0) {
    if (old != NULL && old_size != 0) free(old);
    return (void*)align;
  }
  if (old_size == 0) old = NULL; /* a zero-size "old" block is the align sentinel */
  void* p;
  if (align <= _Alignof(max_align_t)) {
    p = realloc(old, new_size);
  } else {
    size_t rounded = (new_size + align - 1) & ~(align - 1);
    p = aligned_alloc(align, rounded);
    if (p != NULL && old != NULL) {
      memcpy(p, old, old_size < new_size ? old_size : new_size);
      free(old);
    }
  }
  if (p == NULL) __builtin_trap();
  return p;
}

void compono_cabi_free(void* ptr, size_t size) {
  if (ptr != NULL && size != 0) free(ptr);
}
