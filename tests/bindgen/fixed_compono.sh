#!/bin/bash
# fixed_compono.sh COMPONO COMPONENT
# Runs the fixed-size-list component (world test:extra/fixed) on Compono's own
# runtime (`compono run --invoke`, WAVE values; the runtime gives list<T, N>
# the canonical ABI of a tuple of N T's) and compares every printed result.
set -u
compono=$1 comp=$2
pass=0 fail=0
run() {  # run WANT FUNC ARGS...
  local want=$1 fn=$2; shift 2
  local got
  got=$("$compono" run "$comp" --invoke "test:extra/fixed-api#$fn" "$@" 2>&1)
  if [ "$got" == "$want" ]; then echo "ok: $fn $* -> $got"; pass=$((pass+1))
  else echo "FAIL: $fn $*"; echo "  got  $got"; echo "  want $want"; fail=$((fail+1)); fi
}
run '(4, 3, 2, 1)' reverse4 '(1, 2, 3, 4)'
run '36.5' sum8 '(1, 2, 3, 4, 5, 6, 7, 8.5)'
run '("héllo!", "!", "a!")' names '("a", "", "héllo")'
run '{rgba: (11, 12, 4, 4), pos: (-6, 5)}' brighten '{rgba: (1, 2, 250, 4), pos: (5, -6)}' 10
many_in="($(for i in $(seq 0 19); do printf '(%d, 3)' $i; [ $i -lt 19 ] && printf ', '; done))"
many_out="($(for i in $(seq 0 19); do printf '%d' $((i*3)); [ $i -lt 19 ] && printf ', '; done))"
run "$many_out" many "$many_in"
run 'some((true, false, true))' opt 'none'
run 'none' opt 'some((true, true, true))'
run 'some((false, true, true))' opt 'some((true, false, false))'
echo "$pass passed, $fail failed, 0 skipped"
[ $fail -eq 0 ]
