#!/usr/bin/env bash
# Run every Compono test: installs dependencies, builds, then runs the unit
# tests and the conformance suites through CTest.  Per-file conformance
# results and the totals are printed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build=${COMPONO_BUILD_DIR:-$root/build}
cd "$build"
ctest --output-on-failure -j"$(nproc)" --timeout 1500 "$@"
