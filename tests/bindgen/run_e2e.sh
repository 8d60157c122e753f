#!/bin/bash
# run_e2e.sh JCO NODE NODE_MODULES COMPONENT HOST.mjs IMPORT_NAME WORKDIR
# Transpiles COMPONENT with jco (IMPORT_NAME mapped to HOST.mjs, WASI to
# node's preview2-shim) and runs HOST.mjs's `main` against it; HOST.mjs
# asserts the results and exits non-zero on any mismatch.
set -eu
jco=$1 node=$2 mods=$3 comp=$4 host=$5 iname=$6 work=$7
if [ ! -x "$jco" ]; then echo "SKIPPED: jco not installed ($jco)"; exit 0; fi
rm -rf "$work"; mkdir -p "$work"
ln -s "$mods" "$work/node_modules"
cp "$host" "$work/host.mjs"
"$jco" transpile "$comp" -o "$work/js" --name component --no-typescript --map "$iname=../host.mjs" >/dev/null
cd "$work" && "$node" --input-type=module -e "import { main } from './host.mjs'; const m = await import('./js/component.js'); process.exit(await main(m));"
