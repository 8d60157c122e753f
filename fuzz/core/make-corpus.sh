#!/usr/bin/env bash
# make-corpus.sh OUT_DIR [SHARED_DIR] - seed corpus for fuzz_core: every
# .wasm module that wast2json emits for the core spec tests (including
# SIMD ones and the binary assert_malformed/assert_invalid modules).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
shared=${2:-${COMPONO_SHARED_DIR:-$root/../shared}}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for wast in "$shared"/testsuite/core/*.wast; do
  stem=$(basename "$wast" .wast)
  mkdir -p "$tmp/$stem"
  wast2json "$wast" -o "$tmp/$stem/$stem.json" >/dev/null 2>&1 || continue
  for m in "$tmp/$stem"/*.wasm; do
    [ -e "$m" ] || continue
    cp "$m" "$out/$(basename "$m")"
    n=$((n + 1))
  done
done
echo "make-corpus: $n modules in $out"
