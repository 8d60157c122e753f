#!/usr/bin/env bash
# Run every Compono test: installs dependencies, builds, then runs everything
# registered with CTest (unit tests, conformance suites, end-to-end tests and
# a short fuzz run).  The conformance suites run first and their per-file
# results and totals are printed; the rest follows with CTest's own summary.
# Extra arguments go to both ctest runs (e.g. -LE fuzz).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build=${COMPONO_BUILD_DIR:-$root/build}
cd "$build"
mkdir -p Testing
ctest_args=(--output-on-failure -j"$(nproc)" --timeout 1500)

# 1. Conformance: core spec, component spec (runtime and validation), WIT parser-ui.
conformance='^(core_spec|component_spec|WitConformance\.|Suite/ComponentSpec\.)'
rc=0
ctest "${ctest_args[@]}" -R "$conformance" "$@" >Testing/conformance.out || rc=$?
# LastTest.log keeps every test's full output, passing ones included.
cp Testing/Temporary/LastTest.log Testing/conformance.log
echo "== Conformance results (per file, then totals) =="
# (component_spec_test runs one process per file, so its running "component
# spec total" line is per file and left out here.)
grep -E '^[^ ].*: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped|^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$|^core spec: |^parser-ui .*: [0-9]+ passed|: skipped \(needs ' \
  Testing/conformance.log | grep -v '^component spec total' || true
grep -E 'tests passed|tests failed' Testing/conformance.out || true
if [ "$rc" -ne 0 ]; then
  echo "== Conformance failures =="
  cat Testing/conformance.out
fi

# 2. Everything else.
echo "== Unit, end-to-end and fuzz tests =="
ctest "${ctest_args[@]}" -E "$conformance" "$@" || rc=$?
exit "$rc"
