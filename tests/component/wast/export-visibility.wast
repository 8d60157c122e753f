;; Compono regression: an exported instance whose type names a record that
;; holds a borrow of an imported resource.  The nested component imports the
;; resource as a type; instantiating it must substitute the argument's own type
;; id (which the outer component named by importing it), so the exported
;; instance stays externally visible.  wit-component emits this shape for
;;   interface env { resource blob; record holder { b: borrow<blob> } }
;;   interface api { use env.{holder}; f: func(h: holder) -> u32; }
;;   world m { import env; export api; }
(component
  (type $env-ty
    (instance
      (export "blob" (type (sub resource)))
      (type (borrow 0))
      (type (record (field "b" 1)))
      (export "holder" (type (eq 2)))
      (type (func (param "self" 1) (result u32)))
      (export "[method]blob.size" (func (type 4)))))
  (import "t:m/env" (instance $env (type $env-ty)))
  (core module $main
    (import "t:m/env" "[method]blob.size" (func $size (param i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "t:m/api#f") (param i32) (result i32) (call $size (local.get 0))))
  (alias export $env "holder" (type $holder))
  (alias export $env "[method]blob.size" (func $size))
  (core func $size-lowered (canon lower (func $size)))
  (core instance $env-core (export "[method]blob.size" (func $size-lowered)))
  (core instance $m (instantiate $main (with "t:m/env" (instance $env-core))))
  (type $f-ty (func (param "h" $holder) (result u32)))
  (func $f (type $f-ty) (canon lift (core func $m "t:m/api#f")))
  (alias export $env "blob" (type $blob))
  (component $shim
    (import "import-type-blob" (type $b (sub resource)))
    (type $bb (borrow $b))
    (type $rec (record (field "b" $bb)))
    (import "import-type-holder" (type $h (eq $rec)))
    (import "import-type-holder0" (type $h0 (eq $h)))
    (type $ft (func (param "h" $h0) (result u32)))
    (import "import-func-f" (func $imp (type $ft)))
    (export $eh "holder" (type $h))
    (type $ft2 (func (param "h" $eh) (result u32)))
    (export "f" (func $imp) (func (type $ft2))))
  (instance $api (instantiate $shim
    (with "import-func-f" (func $f))
    (with "import-type-blob" (type $blob))
    (with "import-type-holder" (type $holder))
    (with "import-type-holder0" (type $holder))))
  (export "t:m/api" (instance $api))
)

;; An exported instance whose function returns a local resource that is
;; never exported is invalid.
(assert_invalid
  (component
    (type $blob (resource (rep i32)))
    (type $ob (own $blob))
    (core module $m (func (export "f") (result i32) i32.const 0))
    (core instance $i (instantiate $m))
    (func $f (result $ob) (canon lift (core func $i "f")))
    (instance $api (export "f" (func $f)))
    (export "api" (instance $api)))
  "instance not valid to be used as export")
