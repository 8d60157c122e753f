;; Imports something no host provides: `compono run` reports the link error.
(module
  (import "env" "not_provided" (func $f (param i32)))
  (func (export "_start") (call $f (i32.const 1))))
