/* compono_guest/cabi.h - canonical ABI allocator shared by Compono guests
 * (the shim in guest/wasi-p1-shim and generated C++ bindings).
 * Provided by libcompono_guest_wasi.a (guest/cabi_realloc.c). */
#ifndef COMPONO_GUEST_CABI_H
#define COMPONO_GUEST_CABI_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exported to the host as "cabi_realloc".  new_size == 0 returns (void*)align
 * (not a heap block); otherwise a malloc'd block aligned to `align`. */
void* cabi_realloc(void* old, size_t old_size, size_t align, size_t new_size);

/* Frees a block returned by cabi_realloc of `size` bytes (no-op for size 0). */
void compono_cabi_free(void* ptr, size_t size);

#ifdef __cplusplus
}
#endif

#endif
