/* command.c - the wasi:cli/run@0.2.12#run export that makes a C/C++ program
 * with a `main` a WASI 0.2 command component.  Link it (compono_guest_command.o)
 * together with the shim, with -nostartfiles -Wl,--no-entry (no crt1/_start).
 *
 * Same sequence as wasi-libc's crt1-command _start: constructors, main (via
 * __main_void, which fetches argv when main takes arguments), then
 * destructors/atexit handlers/stdio flush; a non-zero status leaves through
 * _Exit -> proc_exit -> wasi:cli/exit.  Status 0 returns result::ok.
 */
#include <stdint.h>
#include <stdlib.h>

extern void __wasm_call_ctors(void);
extern void __wasm_call_dtors(void);
extern int __main_void(void);

/* Calling __wasm_call_ctors explicitly also tells wasm-ld not to wrap every
 * export (cabi_realloc included) in ctor/dtor calls. */
__attribute__((__export_name__("wasi:cli/run@0.2.12#run"))) int32_t compono_wasi_cli_run(void) {
  static int started;
  if (started) __builtin_trap(); /* a command runs once */
  started = 1;
  __wasm_call_ctors();
  int status = __main_void();
  __wasm_call_dtors();
  if (status != 0) _Exit(status);
  return 0;
}
