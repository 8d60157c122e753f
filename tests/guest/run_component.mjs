// run_component.mjs - runs a jco-transpiled wasi:cli/run component under node's
// @bytecodealliance/preview2-shim, with exactly the arguments, environment and
// preopens given (the shim's defaults would expose the host's env and "/").
//
//   node run_component.mjs <transpiled.js> [--env K=V]... [--preopen GUEST=HOST]... [--tty]
//                          [--call EXPORT[=JSON-ARGS]]... [-- arg...]
//
// Without --call it runs wasi:cli/run; each --call instead calls a top-level
// export with the JSON array of arguments and prints `EXPORT -> JSON(result)`.
//
// Stdio counts as a terminal (wasi:cli/terminal-*) only if node's stdio is a
// TTY, or with --tty for all three (the shim's default is "always a terminal").
// argv[0] seen by the guest is the module's base name.  Exit status: the
// guest's (wasi:cli/exit calls process.exit), 0 when run returns ok, 1 on err,
// 70 on a trap or other JS error.
import { _setArgs, _setEnv, _setTerminalStdin, _setTerminalStdout, _setTerminalStderr, terminalInput, terminalOutput }
  from '@bytecodealliance/preview2-shim/cli';
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';
import { pathToFileURL } from 'node:url';
import { basename, resolve } from 'node:path';

const argv = process.argv.slice(2);
const mod = argv.shift();
const env = {};
const preopens = {};
let args = [];
let forceTty = false;
const calls = [];
while (argv.length) {
  const a = argv.shift();
  if (a === '--env') { const kv = argv.shift(); const i = kv.indexOf('='); env[kv.slice(0, i)] = kv.slice(i + 1); }
  else if (a === '--preopen') { const kv = argv.shift(); const i = kv.indexOf('='); preopens[kv.slice(0, i)] = kv.slice(i + 1); }
  else if (a === '--tty') { forceTty = true; }
  else if (a === '--call') { const c = argv.shift(); const i = c.indexOf('='); calls.push(i < 0 ? [c, []] : [c.slice(0, i), JSON.parse(c.slice(i + 1))]); }
  else if (a === '--') { args = argv.splice(0); }
  else { console.error(`run_component: unknown option ${a}`); process.exit(64); }
}
_setArgs([basename(mod, '.js'), ...args]);
_setEnv(env);
_setPreopens(preopens);
const tty = (stream) => forceTty || !!stream.isTTY;
_setTerminalStdin(tty(process.stdin) ? new terminalInput.TerminalInput() : undefined);
_setTerminalStdout(tty(process.stdout) ? new terminalOutput.TerminalOutput() : undefined);
_setTerminalStderr(tty(process.stderr) ? new terminalOutput.TerminalOutput() : undefined);

let m;
try {
  m = await import(pathToFileURL(resolve(mod)).href);
} catch (e) {
  console.error('run_component: cannot load component:', e);
  process.exit(70);
}
let code = 0;
try {
  if (calls.length === 0) m.run.run();
  for (const [name, callArgs] of calls) {
    const r = m[name](...callArgs);
    process.stdout.write(`${name} -> ${JSON.stringify(r)}\n`);
  }
} catch (e) {
  // jco wraps an `err` result of run in a ComponentError; anything else is a trap.
  if (e && e.constructor && e.constructor.name === 'ComponentError') code = 1;
  else { console.error('run_component: trap:', e); code = 70; }
}
await new Promise((r) => setTimeout(r)); // let stdout drain
process.exit(code);
