#!/bin/bash
# run_e2e.sh JCO NODE NODE_MODULES COMPONENT HOST.mjs IMPORT_NAME WORKDIR
# Transpiles COMPONENT with jco (IMPORT_NAME mapped to HOST.mjs, WASI to
# node's preview2-shim) and runs HOST.mjs's `main` against it; HOST.mjs
# asserts the results and exits non-zero on any mismatch.
set -eu
jco=$1 node=$2 mods=$3 comp=$4 host=$5 iname=$6 work=$7
if [ ! -x "$jco" ]; then echo "SKIPPED: jco not installed ($jco)"; exit 77; fi
rm -rf "$work"; mkdir -p "$work"
ln -s "$mods" "$work/node_modules"
cp "$host" "$work/host.mjs"
"$jco" transpile "$comp" -o "$work/js" --name component --no-typescript --map "$iname=../host.mjs" >/dev/null
# jco does not trap when a call leaves a borrow behind, so expose its handle
# tables (module-level HANDLE_TABLES) for the host to count live handles.
grep -q '^const HANDLE_TABLES' "$work/js/component.js" || { echo "FAIL: HANDLE_TABLES not found in jco output"; exit 1; }
echo 'export { HANDLE_TABLES as __compono_handle_tables };' >> "$work/js/component.js"
cd "$work" && "$node" --input-type=module -e "import { main } from './host.mjs'; const m = await import('./js/component.js'); process.exit(await main(m));"
