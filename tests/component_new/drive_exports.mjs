// drive_exports.mjs <transpiled.js>: calls every export of wit/exports.wit and
// prints the results as one JSON line (bigints as strings).
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const m = await import(pathToFileURL(resolve(process.argv[2])).href);
const api = m.api ?? m['test:exp/api'];
const out = [];
out.push(api.greet('Wörld'));
out.push(api.sum([1, 2, 3, 4000000000]));
out.push(api.flip({ x: 1, y: -2 }));
out.push(api.area({ tag: 'circle', val: 3 }), api.area({ tag: 'rect', val: { x: -4, y: 5 } }), api.area({ tag: 'none' }));
out.push(api.words('  a bb  ccc ünï '));
const c = new api.Counter(5);
out.push(c.add(3), c.add(4), c.name(), api.liveCount());
const d = new api.Counter(9);
out.push(api.take(d), api.liveCount());
out.push(m.top(6, 7));
console.log(JSON.stringify(out, (k, v) => (typeof v === 'bigint' ? v.toString() : v)));
