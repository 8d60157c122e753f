// bench/core/node-run.mjs - run a wasm32-wasi (preview 1) command module under
// node's V8 using the built-in `node:wasi`.
//
//   node bench/core/node-run.mjs [--time] prog.wasm [args...]
//   node bench/core/node-run.mjs --compile-only module.wasm
//
// Output and exit code are the program's.  With --time, also prints to stderr
// "node-run: compile_ms=<ms> run_ms=<ms>" (compile = WebAssembly.compile of
// the bytes; V8 tiers up lazily, so later optimisation is counted in run).
// --compile-only compiles (any core module, no WASI needed), prints
// "node-run: compile_ms=<ms>" to stderr and exits.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { argv, env, exit, stderr } from 'node:process';
import { basename } from 'node:path';

let args = argv.slice(2);
let time = false;
let compileOnly = false;
if (args[0] === '--time') {
  time = true;
  args = args.slice(1);
} else if (args[0] === '--compile-only') {
  compileOnly = true;
  args = args.slice(1);
}
if (args.length < 1 || args[0] === '--help' || args[0] === '-h') {
  stderr.write('usage: node node-run.mjs [--time | --compile-only] prog.wasm [args...]\n');
  exit(args.length < 1 ? 2 : 0);
}
const file = args[0];
let bytes;
try {
  bytes = await readFile(file);
} catch (e) {
  stderr.write(`node-run: cannot read ${file}: ${e.message}\n`);
  exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args: [basename(file), ...args.slice(1)],
  env: {},
  returnOnExit: true,
});
const t0 = performance.now();
let module;
try {
  module = await WebAssembly.compile(bytes);
} catch (e) {
  stderr.write(`node-run: ${file}: ${e.message}\n`);
  exit(2);
}
const t1 = performance.now();
if (compileOnly) {
  stderr.write(`node-run: compile_ms=${(t1 - t0).toFixed(3)}\n`);
  exit(0);
}
let code;
try {
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  code = wasi.start(instance);
} catch (e) {
  stderr.write(`node-run: ${file}: trap: ${e.message}\n`);
  exit(134);
}
const t2 = performance.now();
if (time) stderr.write(`node-run: compile_ms=${(t1 - t0).toFixed(3)} run_ms=${(t2 - t1).toFixed(3)}\n`);
exit(code ?? 0);
