;; Inputs found by fuzz/core that once crashed or were wrongly accepted; each
;; must now be rejected cleanly.  (The same bytes are in fuzz/core/regressions/.)
;; expect: 1 passed, 0 failed, 0 skipped

;; Block type written as a 2-byte negative s33 (0xff 0x41 = -7937): not a
;; value type, not a type index.  The validator once took its low 7 bits
;; (0x7f = i32) and the translator then indexed the type list with it.
(assert_malformed
  (module binary
    "\00asm\01\00\00\00"
    "\01\04\01\60\00\00"                        ;; type 0: [] -> []
    "\03\02\01\00"                              ;; func 0: type 0
    "\0a\0b\01\09\00"                           ;; code: 1 body, 9 bytes, no locals
    "\02\ff\41"                                 ;; block with block type -7937
    "\41\00\0b\1a\0b"                           ;; i32.const 0 end drop end
  )
  "malformed value type")
