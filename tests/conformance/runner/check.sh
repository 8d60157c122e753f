#!/usr/bin/env bash
# check.sh COMPONO SCRIPT.wast - run a runner self-test script and compare
# with its header lines:
#   ;; expect: N passed, N failed, N skipped      (the exact summary line)
#   ;; expect-failure-at: LINE                    (a failure must be reported at SCRIPT:LINE)
# The exit status must be 0 iff N failed is 0.
set -uo pipefail
compono=$1 script=$2
want=$(sed -n 's/^;; expect: //p' "$script" | head -1)
[ -n "$want" ] || { echo "check: $script has no ';; expect:' line"; exit 2; }
out=$("$compono" wast "$script" 2>&1)
rc=$?
printf '%s\n' "$out"
got=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' | tail -1)
status=0
if [ "$got" != "$want" ]; then
  echo "check: summary mismatch: expected '$want', got '${got:-<none>}'"; status=1
fi
want_failed=$(printf '%s' "$want" | sed -E 's/.* ([0-9]+) failed.*/\1/')
if { [ "$want_failed" -eq 0 ] && [ $rc -ne 0 ]; } || { [ "$want_failed" -ne 0 ] && [ $rc -ne 1 ]; }; then
  echo "check: exit status $rc does not fit $want_failed failures"; status=1
fi
name=$(basename "$script")
for line in $(sed -n 's/^;; expect-failure-at: //p' "$script"); do
  if ! printf '%s\n' "$out" | grep -q "$name:$line:"; then
    echo "check: no failure reported at $name:$line"; status=1
  fi
done
[ $status -eq 0 ] && echo "check: ok"
exit $status
