#!/usr/bin/env bash
# diff-wabt.sh FUZZER CORPUS_DIR - differential check of decode+validate:
# every file in CORPUS_DIR is compiled by Compono (fuzz_core in report mode)
# and validated by wabt's wasm-validate (SIMD disabled, custom-section errors
# ignored, as the spec does not validate custom sections).  Prints every
# file where they disagree with both verdicts; exits 1 if any.  wabt is a
# reference, not the spec: each disagreement needs triage.
set -uo pipefail
fuzzer=$1 corpus=$2
files=("$corpus"/*)
mine=$(mktemp)
trap 'rm -f "$mine"' EXIT
# libFuzzer runs each file given on the command line once, printing
# "Running: FILE" before it.
COMPONO_FUZZ_REPORT=1 "$fuzzer" -runs=1 "${files[@]}" 2>&1 |
  awk '/^Running: /{f=substr($0,10)} /^compono: /{print f "\t" substr($0,10)}' >"$mine"
n=0 diff=0
while IFS=$'\t' read -r f verdict; do
  n=$((n + 1))
  if out=$(wasm-validate --disable-simd --ignore-custom-section-errors "$f" 2>&1); then wabt=accept; else wabt=reject; fi
  case "$verdict" in accept) me=accept ;; *) me=reject ;; esac
  if [ "$me" != "$wabt" ]; then
    diff=$((diff + 1))
    echo "$(basename "$f"): compono $verdict; wabt $wabt${out:+: $(printf '%s' "$out" | head -1)}"
  fi
done <"$mine"
echo "diff-wabt: $n files, $diff disagreements"
[ "$diff" -eq 0 ]
