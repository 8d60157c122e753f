#!/usr/bin/env bash
# Install everything Compono needs on a fresh Debian 12 machine (idempotent).
#   Debian: compilers (g++, clang-19), the wasm32-wasi toolchain, CMake/Ninja,
#           GoogleTest, Google Benchmark, CLI11, fmt, nlohmann-json, wabt, node.
#   npm:    @bytecodealliance/jco@1.30.0 into .tools/ (test-only reference host).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake ninja-build ccache pkg-config
  clang-19 lld-19 libclang-rt-19-dev
  wasi-libc libc++-19-dev-wasm32 libc++abi-19-dev-wasm32 libclang-rt-19-dev-wasm32
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libfmt-dev nlohmann-json3-dev
  wabt nodejs npm
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node/npm may come from elsewhere (e.g. nodesource); accept a working binary.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]:-}"
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

jco_version=1.30.0
if [ ! -x "$root/.tools/node_modules/.bin/jco" ] || \
   ! grep -q "\"version\": \"$jco_version\"" "$root/.tools/node_modules/@bytecodealliance/jco/package.json" 2>/dev/null; then
  echo "setup: installing @bytecodealliance/jco@$jco_version into .tools/"
  mkdir -p "$root/.tools"
  (cd "$root/.tools" && npm install --silent --no-audit --no-fund "@bytecodealliance/jco@$jco_version" >/dev/null)
fi
echo "setup: ok"
