#!/bin/bash
# wasi_host_compile.sh COMPONO INCLUDE_DIR WASI_WIT WORKDIR CXX...
# Generates host bindings (`compono bindgen cpp --host`) for every world of
# the WASI 0.2 root package (dozens of imported interfaces with resources,
# many using other interfaces' resources) and compiles them warning-free
# (-Wall -Wextra -Werror, C++20) with each given host compiler.
set -u
compono=$1 inc=$2 wit=$3 work=$4
shift 4
pass=0 fail=0 skip=0
for w in command proxy everything; do
  mkdir -p "$work/$w"
  if ! "$compono" bindgen cpp --host --world "$w" "$wit" -o "$work/$w"; then
    echo "FAIL: $w: bindgen --host"; fail=$((fail+1)); continue
  fi
  for cxx in "$@"; do
    if ! command -v "$cxx" >/dev/null 2>&1; then
      echo "SKIPPED: $w: no $cxx"; skip=$((skip+1)); continue
    fi
    if "$cxx" -std=c++20 -Wall -Wextra -Werror -fsyntax-only -I"$inc" -I"$work/$w" "$work/$w/${w}_host.cpp"; then
      echo "ok: $w ($cxx)"; pass=$((pass+1))
    else
      echo "FAIL: $w ($cxx)"; fail=$((fail+1))
    fi
  done
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
