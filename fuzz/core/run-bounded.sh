#!/usr/bin/env bash
# run-bounded.sh FUZZER CORPUS_DIR SECONDS [REGRESSIONS_DIR] - a bounded fuzz run: seeds the
# corpus from the spec tests when it is empty, then runs libFuzzer for
# SECONDS (new inputs are added to CORPUS_DIR; REGRESSIONS_DIR, default
# fuzz/core/regressions/, holds past findings, run first every time; crash
# reproducers go to
# CORPUS_DIR/../artifacts).  Exits non-zero on any crash, leak, sanitizer
# report or timeout of a single input.
set -euo pipefail
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
here=$(cd "$(dirname "$0")" && pwd)
fuzzer=$1 corpus=$2 seconds=${3:-30} regressions=${4:-$here/regressions}
if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
  "$here/make-corpus.sh" "$corpus"
fi
artifacts=$(dirname "$corpus")/artifacts
mkdir -p "$artifacts"
echo "fuzz: $(basename "$fuzzer") for ${seconds}s over $(ls "$corpus" | wc -l) corpus files"
start=$(date +%s)
log=$(dirname "$corpus")/$(basename "$fuzzer")-last.log
set +e
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$regressions" >"$log" 2>&1
rc=$?
set -e
if [ "$rc" -eq 0 ]; then
  grep -E '^(INFO: (Seed|Loaded|-max_len)|#[0-9]+[[:space:]]+(INITED|DONE)|Done |stat::)' "$log" || true
else
  tail -80 "$log"
  echo "fuzz: reproducer(s) in $artifacts/: $(ls "$artifacts" | tr '\n' ' ')"
fi
echo "fuzz: exit $rc after $(( $(date +%s) - start ))s"
exit "$rc"
