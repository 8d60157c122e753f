;; Hands the host pointers outside linear memory (one 64 KiB page): every
;; call must return errno 21 (fault), never crash the host.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; iovec list itself out of bounds
  (func (export "iovs_oob") (result i32) (call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 0)))
  ;; an iovec whose buffer runs past the end
  (func (export "buf_oob") (result i32)
    (i32.store (i32.const 16) (i32.const 65000))
    (i32.store (i32.const 20) (i32.const 1000))
    (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 0)))
  ;; result pointer out of bounds
  (func (export "nwritten_oob") (result i32)
    (i32.store (i32.const 16) (i32.const 0))
    (i32.store (i32.const 20) (i32.const 0))
    (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 0xfffffffe)))
  (func (export "args_oob") (result i32) (call $args_get (i32.const 0xffffff00) (i32.const 0)))
  (func (export "path_oob") (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 65530) (i32.const 100) (i32.const 0)
      (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
  (func (export "random_oob") (result i32) (call $random_get (i32.const 65535) (i32.const 2)))
  (func (export "exit") (param i32) (call $proc_exit (local.get 0)) unreachable)
)
