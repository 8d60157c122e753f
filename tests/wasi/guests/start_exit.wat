;; Calls proc_exit(9) from the module's start function, during instantiation.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func $start (call $proc_exit (i32.const 9)))
  (start $start)
  (func (export "_start") unreachable))
