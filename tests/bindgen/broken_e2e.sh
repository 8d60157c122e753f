#!/bin/bash
# broken_e2e.sh JCO NODE NODE_MODULES HOST.mjs WORKDIR BROKEN.wasm GOOD.wasm
# Runs the raw-ABI greeter guests of examples/greeter/broken under jco
# transpile + node with broken_host.mjs: the leaking guest's borrow must be
# detected by this independent host, the control guest must leave nothing.
set -eu
jco=$1 node=$2 mods=$3 host=$4 work=$5 broken=$6 good=$7
if [ ! -x "$jco" ]; then echo "SKIPPED: jco not installed ($jco)"; exit 77; fi
rm -rf "$work"; mkdir -p "$work"
ln -s "$mods" "$work/node_modules"
cp "$host" "$work/host.mjs"
status=0
for kind in leaks:$broken clean:$good; do
  mode=${kind%%:*} comp=${kind#*:}
  out="$work/$mode"
  "$jco" transpile "$comp" -o "$out" --name component --no-typescript --map "example:greeter/types=../host.mjs" >/dev/null
  # Expose jco's resource handle tables (declared inside its instantiate
  # function for components without WASI imports) to the host.
  grep -q 'const HANDLE_TABLES *= *\[\];' "$out/component.js" || { echo "FAIL: HANDLE_TABLES not found in jco output"; exit 1; }
  sed -i 's/^\( *\)const HANDLE_TABLES *= *\[\];/&\n\1globalThis.__compono_handle_tables = HANDLE_TABLES;/' "$out/component.js"
  echo "== $(basename "$comp") ($mode)"
  (cd "$work" && "$node" --input-type=module -e "import { main } from './host.mjs'; const m = await import('./$mode/component.js'); process.exit(await main(m, '$mode'));") || status=1
done
exit $status
