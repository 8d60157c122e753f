#!/usr/bin/env bash
# Run the WebAssembly 2.0 core spec tests (except SIMD) through `compono wast`.
#
#   scripts/core-spec.sh [COMPONO_BIN] [SHARED_DIR] [WORK_DIR] [FILTER]
#
# Every <SHARED_DIR>/testsuite/core/*.wast except simd_* is converted with
# wast2json into WORK_DIR (at test time), then run.  Prints one line per file
# "file.wast: N passed, N failed, N skipped", then the total line and the
# elapsed time.  A crash, a hang (per-file timeout) or a conversion failure
# counts as failures for that file and the run carries on.  Exits non-zero
# iff anything failed.  FILTER (a shell glob, default '*') selects files.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
compono=${1:-${COMPONO_BIN:-$root/build/src/cli/compono}}
shared=${2:-${COMPONO_SHARED_DIR:-$root/../shared}}
work=${3:-${COMPONO_WORK_DIR:-$root/build/core-spec}}
filter=${4:-*}
per_file_timeout=${COMPONO_SPEC_TIMEOUT:-300}

suite="$shared/testsuite/core"
if [ ! -d "$suite" ]; then
  echo "core-spec: no test suite at $suite" >&2
  exit 2
fi
if [ ! -x "$compono" ]; then
  echo "core-spec: compono binary not found at $compono" >&2
  exit 2
fi
command -v wast2json >/dev/null || { echo "core-spec: wast2json (wabt) not installed" >&2; exit 2; }
mkdir -p "$work"
# Every failure line of every file, for triage.
failures="$work/failures.txt"
: >"$failures"

start=$(date +%s.%N)
total_p=0 total_f=0 total_s=0 files=0 bad_files=0
failed_files=()

# Rough number of checks in a converted script, used when a run dies early.
count_commands() { grep -c '"type": "\(module\|register\|action\|assert_[a-z_]*\)", "line"' "$1" 2>/dev/null || echo 1; }

for wast in "$suite"/$filter.wast; do
  [ -e "$wast" ] || continue
  name=$(basename "$wast")
  case "$name" in simd_*) continue ;; esac
  files=$((files + 1))
  stem=${name%.wast}
  dir="$work/$stem"
  rm -rf "$dir" && mkdir -p "$dir"
  if ! wast2json "$wast" -o "$dir/$stem.json" >"$dir/wast2json.log" 2>&1; then
    echo "$name: 0 passed, 1 failed, 0 skipped (wast2json failed: $(head -1 "$dir/wast2json.log"))"
    echo "$name: wast2json failed" >>"$failures"
    total_f=$((total_f + 1)); bad_files=$((bad_files + 1)); failed_files+=("$name")
    continue
  fi
  out=$(timeout --kill-after=10 "$per_file_timeout" "$compono" wast --quiet "$dir/$stem.json" 2>&1)
  rc=$?
  summary=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' | tail -1)
  if [ -z "$summary" ] || [ $rc -gt 1 ]; then
    # Crash, hang or usage error: the whole file counts as failed.
    n=$(count_commands "$dir/$stem.json")
    why="exit code $rc"
    [ $rc -ge 128 ] && why="killed by signal $((rc - 128))"
    [ $rc -eq 124 ] && why="timed out after ${per_file_timeout}s"
    echo "$name: 0 passed, $n failed, 0 skipped ($why)"
    { echo "$name: $why"; printf '%s\n' "$out" | tail -20; } >>"$failures"
    [ -n "$out" ] && printf '%s\n' "$out" | tail -5 | sed 's/^/    /'
    total_f=$((total_f + n)); bad_files=$((bad_files + 1)); failed_files+=("$name")
    continue
  fi
  read -r p _ f _ s _ <<<"$(printf '%s' "$summary" | tr ',' ' ')"
  echo "$name: $p passed, $f failed, $s skipped"
  if [ "$f" -gt 0 ]; then
    failed_files+=("$name")
    printf '%s\n' "$out" | grep -v -E '^[0-9]+ passed, ' >>"$failures"
    # Show the first few failures of this file (the full list: run it by hand).
    printf '%s\n' "$out" | grep -v -E '^[0-9]+ passed, ' | head -5 | sed 's/^/    /'
  fi
  total_p=$((total_p + p)); total_f=$((total_f + f)); total_s=$((total_s + s))
done

end=$(date +%s.%N)
elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
echo "core spec: $files files, ${#failed_files[@]} with failures${failed_files:+ (${failed_files[*]})}"
echo "$total_p passed, $total_f failed, $total_s skipped"
echo "elapsed: ${elapsed}s"
[ -s "$failures" ] && echo "all failure lines: $failures"
[ "$total_f" -eq 0 ] && [ "$files" -gt 0 ]
