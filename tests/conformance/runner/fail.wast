;; Runner self-test: the runner must report every wrong expectation below as
;; a failure at its line (and exit 1), and still count the correct ones.
;; expect: 4 passed, 14 failed, 1 skipped
;; expect-failure-at: 31
;; expect-failure-at: 32
;; expect-failure-at: 33
;; expect-failure-at: 34
;; expect-failure-at: 35
;; expect-failure-at: 36
;; expect-failure-at: 37
;; expect-failure-at: 38
;; expect-failure-at: 39
;; expect-failure-at: 40
;; expect-failure-at: 41
;; expect-failure-at: 42
;; expect-failure-at: 43
;; expect-failure-at: 45
(module
  (func (export "one") (result i32) (i32.const 1))
  (func (export "pair") (result i32 i32) (i32.const 1) (i32.const 2))
  (func (export "f32_payload") (result f32) (f32.const nan:0x200000))
  (func (export "f64_snan") (result f64) (f64.const nan:0x1))
  (func (export "negzero") (result f64) (f64.const -0))
  (func (export "trap") (unreachable))
  (func (export "ext") (param externref) (result externref) (local.get 0))
  (func (export "nop"))
)
(assert_return (invoke "one") (i32.const 1))
(assert_trap (invoke "trap") "unreachable")
(assert_malformed (module quote "(func") "unexpected token")
(assert_return (invoke "one") (i32.const 2))
(assert_return (invoke "one") (i32.const -1))
(assert_return (invoke "pair") (i32.const 1) (i32.const 3))
(assert_return (invoke "f32_payload") (f32.const nan:canonical))
(assert_return (invoke "f64_snan") (f64.const nan:arithmetic))
(assert_return (invoke "negzero") (f64.const 0))
(assert_return (invoke "trap"))
(assert_trap (invoke "one") "unreachable")
(assert_trap (invoke "trap") "integer overflow")
(assert_return (invoke "ext" (ref.extern 1)) (ref.extern 2))
(assert_return (invoke "ext" (ref.extern 1)) (ref.null extern))
(assert_exhaustion (invoke "one") "call stack exhausted")
(assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch")
(assert_return (invoke "one") (i32.const 1))
(assert_unlinkable (module (import "spectest" "print_i32" (func (param i32)))) "unknown import")

