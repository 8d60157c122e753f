#!/usr/bin/env bash
# fuzz-smoke.sh [SECONDS] - configure a clang-19 libFuzzer build in
# build-fuzz/ (ASan + UBSan, fuzzers only), build fuzz_core (raw bytes,
# seeded from the spec-test binaries) and fuzz_core_gen (generated valid
# modules, fuel vs no-fuel differential), and fuzz for SECONDS in total
# (default 60, split evenly).  Past findings (fuzz/core/regressions*/) are
# replayed first.  Exits non-zero if the build fails or anything is found.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-${COMPONO_FUZZ_SECONDS:-60}}
build=${COMPONO_FUZZ_BUILD_DIR:-$root/build-fuzz}
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
start=$(date +%s)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  -DCOMPONO_BUILD_FUZZERS=ON -DCOMPONO_BUILD_TESTS=OFF -DCOMPONO_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target fuzz_core fuzz_core_gen -j"${COMPONO_FUZZ_JOBS:-2}"
echo "fuzz-smoke: built in $(( $(date +%s) - start ))s"
half=$(( (seconds + 1) / 2 ))
status=0
"$root/fuzz/core/run-bounded.sh" "$build/fuzz/core/fuzz_core" "$build/fuzz/core/corpus" "$half" \
  "$root/fuzz/core/regressions" || status=1
"$root/fuzz/core/run-bounded.sh" "$build/fuzz/core/fuzz_core_gen" "$build/fuzz/core/corpus-gen" "$half" \
  "$root/fuzz/core/regressions-gen" || status=1
echo "fuzz-smoke: total $(( $(date +%s) - start ))s, $([ $status -eq 0 ] && echo 'nothing found' || echo 'FINDINGS (see above)')"
exit $status
