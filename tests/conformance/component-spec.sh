#!/usr/bin/env bash
# component-spec.sh COMPONO SHARED_DIR [CACHE_DIR] - run every Component
# Model spec script (SHARED_DIR/testsuite/component-model/**/*.wast) with
# `compono wast`.  Scripts under async/ are run too: the runner skips (and
# counts) each of their commands, since the async ABI is not implemented.
# Prints per-file and total "N passed, N failed, N skipped"; exit status 0
# iff nothing failed.  Component text is converted with jco (cached in
# CACHE_DIR, default: the runner's own cache).
set -uo pipefail
compono=$1 shared=$2
[ $# -ge 3 ] && export COMPONO_JCO_CACHE=$3
suite=$shared/testsuite/component-model
[ -d "$suite" ] || { echo "component-spec: no suite at $suite"; exit 2; }
tp=0 tf=0 ts=0
while IFS= read -r f; do
  rel=${f#$suite/}
  out=$("$compono" wast -q "$f" 2>&1)
  sum=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' | tail -1)
  if [ -z "$sum" ]; then
    printf '%s\n' "$out" | tail -5
    echo "$rel: crashed or no summary"
    tf=$((tf + 1))
    continue
  fi
  p=$(echo "$sum" | awk '{print $1}') fl=$(echo "$sum" | awk '{print $3}') s=$(echo "$sum" | awk '{print $5}')
  if [ "$fl" -ne 0 ]; then
    printf '%s\n' "$out" | grep -vE '^[0-9]+ passed|^note:'
  else
    # Skips that are not the async ones are printed with their reason.
    printf '%s\n' "$out" | grep -E ': skipped \(' || true
  fi
  echo "$rel: $sum"
  tp=$((tp + p)) tf=$((tf + fl)) ts=$((ts + s))
done < <(find "$suite" -name '*.wast' | sort)
echo "total: $tp passed, $tf failed, $ts skipped"
[ $tf -eq 0 ]
