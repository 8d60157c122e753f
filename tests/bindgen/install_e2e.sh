#!/bin/bash
# install_e2e.sh CMAKE BUILD_DIR SOURCE_DIR WORK -- RUN_E2E_ARGS...
# Installs this build into WORK/prefix, configures and builds
# tests/bindgen/outoftree (a user project using find_package(Compono)) with
# it, then runs the greeter end-to-end check on the component it made.
set -eu
cmake=$1 build=$2 src=$3 work=$4; shift 5
rm -rf "$work"; mkdir -p "$work"
"$cmake" --install "$build" --prefix "$work/prefix" > "$work/install.log"
"$cmake" -S "$src/tests/bindgen/outoftree" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DGREETER_DIR="$src/examples/greeter" > "$work/configure.log"
"$cmake" --build "$work/build" > "$work/build.log"
test -f "$work/build/greeter.wasm"
echo "ok: out-of-tree project built $work/build/greeter.wasm with the installed Compono"
exec bash "$src/tests/bindgen/run_e2e.sh" "$1" "$2" "$3" "$work/build/greeter.wasm" "$4" "$5" "$work/e2e"
