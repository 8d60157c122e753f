#!/bin/bash
# wasi_compile.sh COMPONO CXX WASI_WIT GUEST_INCLUDE WORKDIR
# Generates guest bindings for every world of the WASI 0.2 root package and
# compiles them warning-free (-Wall -Wextra -Werror) as C++20 and C++23.
set -u
compono=$1 cxx=$2 wit=$3 inc=$4 work=$5
if [ ! -x "$cxx" ]; then echo "SKIPPED: no wasm C++ compiler ($cxx)"; exit 77; fi
pass=0 fail=0
for w in command proxy everything; do
  mkdir -p "$work/$w"
  if ! "$compono" bindgen cpp --world "$w" "$wit" -o "$work/$w"; then
    echo "FAIL: $w: bindgen"; fail=$((fail+1)); continue
  fi
  for std in c++20 c++23; do
    if "$cxx" --target=wasm32-wasi -std=$std -O0 -fno-exceptions -fno-rtti -Wall -Wextra -Werror \
        -I"$inc" -I"$work/$w" -c "$work/$w/$w.cpp" -o "$work/$w/$w.$std.o"; then
      echo "ok: $w ($std)"; pass=$((pass+1))
    else
      echo "FAIL: $w ($std)"; fail=$((fail+1))
    fi
  done
done
echo "$pass passed, $fail failed, 0 skipped"
[ $fail -eq 0 ]
