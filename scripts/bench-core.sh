#!/usr/bin/env bash
# Core-engine benchmarks: build the bench/core programs (and compono, and the
# compile-time probe when they build), then run bench/core/run.py, which times
# native, node (V8), wabt's wasm-interp and `compono run` on each program,
# checks that all outputs match native and prints a table of ratios.
#
#   scripts/bench-core.sh [--no-build] [run.py options]
#   scripts/bench-core.sh --help            # run.py's options
#   scripts/bench-core.sh -p fib,sieve -r 5 -e native,node
#
# Build dir: $COMPONO_BUILD_DIR, default build/ (configured if needed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${COMPONO_BUILD_DIR:-$root/build}
export COMPONO_BUILD_DIR=$build

do_build=1
args=()
for a in "$@"; do
  case "$a" in
    --no-build) do_build=0 ;;
    -h|--help)
      sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
      echo
      exec python3 "$root/bench/core/run.py" --help ;;
    *) args+=("$a") ;;
  esac
done

if ((do_build)); then
  if [ ! -f "$build/build.ninja" ] && [ ! -f "$build/Makefile" ]; then
    echo "bench-core: configuring $build"
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-RelWithDebInfo} >/dev/null
  fi
  jobs=${BENCH_JOBS:-2}
  echo "bench-core: building bench_core in $build"
  cmake --build "$build" --target bench_core -j"$jobs"
  # compono and the compile-time probe are optional: the engine may be mid-way.
  if ! cmake --build "$build" --target compono -j"$jobs" >"$build/bench-core-compono.log" 2>&1; then
    echo "bench-core: compono did not build (see $build/bench-core-compono.log); its column will be n/a"
  fi
  if ! cmake --build "$build" --target bench_core_compile -j"$jobs" >"$build/bench-core-compile.log" 2>&1; then
    echo "bench-core: bench_core_compile did not build (see $build/bench-core-compile.log); compile time skipped"
  fi
fi
exec python3 "$root/bench/core/run.py" --build-dir "$build" "${args[@]}"
