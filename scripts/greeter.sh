#!/usr/bin/env bash
# The main job: set up, build Compono (with the greeter component and its C++
# host), run greeter-host on the greeter component and print the response.
# As a demonstration it then runs the deliberately broken guest
# (examples/greeter/broken), whose diagnosed trap is expected and does not
# fail this script.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${COMPONO_BUILD_DIR:-$root/build}
export COMPONO_BUILD_DIR=$build
"$root/scripts/setup.sh"
"$root/scripts/build.sh"

host=$build/examples/greeter/host/greeter-host
if [[ ! -x $host ]]; then
  echo "greeter: $host was not built (needs clang-19 and the wasm32-wasi toolchain)" >&2
  exit 1
fi

echo "== greeter-host (default greeter component) =="
"$host" "$@"

broken=$build/examples/greeter/broken/greeter_broken.wasm
echo
echo "== greeter-host $broken (expected to trap: the guest leaks its borrow) =="
if "$host" "$broken" 2>&1; then
  echo "greeter: the broken guest did not trap" >&2
  exit 1
else
  echo "(trapped as expected, exit status $?)"
fi
