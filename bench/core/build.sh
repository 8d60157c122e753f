#!/usr/bin/env bash
# bench/core/build.sh - build the core-engine benchmark programs.
#
#   bench/core/build.sh OUTDIR [PROGRAM...]
#
# For each program (default: every bench/core/programs/*.cpp) writes
#   OUTDIR/<p>.native       native, clang++-19 -O2
#   OUTDIR/<p>.wasm         wasm32-wasi command module, clang++-19 -O2 -fno-exceptions
#   OUTDIR/<p>.interp.wasm  no-WASI export variant for wabt's wasm-interp
# The CMake target `bench_core` calls this once per program.  Compiler flags
# live only here.  CLANGXX overrides the compiler (default clang++-19).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  [ $# -lt 1 ] && exit 2 || exit 0
fi
out=$1; shift
cxx=${CLANGXX:-clang++-19}
if ! command -v "$cxx" >/dev/null; then
  echo "bench/core/build.sh: $cxx not found; cannot build the benchmark programs" >&2
  exit 1
fi
mkdir -p "$out"
if [ $# -eq 0 ]; then
  set -- $(cd "$here/programs" && ls *.cpp | sed 's/\.cpp$//')
fi
common=(-std=c++20 -O2 -Wall -Wextra -I"$here/programs")
# --strip-debug: Debian's wasi-libc/libc++ carry DWARF (~250 KB); keep the name section.
wasm=(--target=wasm32-wasi -fno-exceptions -Wl,--strip-debug)
for p in "$@"; do
  src=$here/programs/$p.cpp
  [ -f "$src" ] || { echo "bench/core/build.sh: no program $p ($src)" >&2; exit 1; }
  "$cxx" "${common[@]}" "$src" -o "$out/$p.native"
  "$cxx" "${common[@]}" "${wasm[@]}" "$src" -o "$out/$p.wasm"
  "$cxx" "${common[@]}" "${wasm[@]}" -DBENCH_EXPORT -nostartfiles -Wl,--no-entry \
    "$src" -o "$out/$p.interp.wasm"
done
