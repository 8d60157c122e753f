/* all.c - the whole guest runtime as one translation unit, compiled to
 * compono_guest_wasi.o (see guest/CMakeLists.txt for why not `wasm-ld -r`). */
#include "shim.c"
#include "../cabi_realloc.c"
