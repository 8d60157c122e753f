// drive.mjs <transpiled.js>: the host `upper` for enc.wit (mapped with
// `jco transpile --map upper=../drive-host.mjs`) and calls to `shout`, one
// JSON line of results; exits 1 when a result is not upper(s) + "!".
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
const m = await import(pathToFileURL(resolve(process.argv[2])).href);
const inputs = ['hello', 'Grüße', 'ünïcödé ✓', 'emoji 😀 x', ''];
const out = inputs.map((s) => m.shout(s));
console.log(JSON.stringify(out));
let bad = 0;
inputs.forEach((s, i) => { if (out[i] !== s.toUpperCase() + '!') { bad++; console.error(`FAIL: ${s} -> ${out[i]}`); } });
process.exit(bad ? 1 : 0);
