#!/usr/bin/env bash
# Configure and build Compono into build/ (Ninja, ccache when present).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${COMPONO_BUILD_DIR:-$root/build}
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-RelWithDebInfo} ${COMPONO_CMAKE_ARGS:-} >/dev/null
start=$(date +%s)
cmake --build "$build" -j"$(nproc)" "$@"
echo "build: done in $(( $(date +%s) - start ))s"
