// Host for world test:extra/dual (wit/extra.wit): implements the imported
// test:extra/blobs (a JS Blob) and test:extra/logger, and drives both the
// guest's `run` (which uses the imported blobs) and its exported blobs.
const disp = Symbol.dispose ?? Symbol.for('dispose');
let created = 0, disposed = 0, kept = 0;
export class Blob {
  constructor(data) { this.data = Uint8Array.from(data); created++; }
  size() { return this.data.length; }
  bytes() { return this.data; }
  static concat(a, b) { return new Blob([...a.data, ...b.data]); }
  static live() { return created - disposed - kept; }
  [disp]() { disposed++; }
}
export function make(text) { return new Blob(new TextEncoder().encode(text)); }
export function log(b) {
  if (!(b instanceof Blob)) throw new Error('log: not a host Blob');
  return b.size();
}
export function keep(b) { kept++; return kept; }
export function live() { return created - disposed - kept; }
export function count(flags, tags) {
  return flags.filter((f) => f === true).length + tags.filter((t) => t.on === true).reduce((a, t) => a + t.n, 0);
}
export function flip(v) { return v.map((b) => !b); }
export function measure(v, names) {
  const lens = names.map((n) => new TextEncoder().encode(n).length);
  return [v.reduce((a, x) => a + x, 0) + lens[0] + lens[1], lens];
}

let failures = 0;
function check(what, got, want) {
  const j = (x) => JSON.stringify(x, (k, v) => (v instanceof Uint8Array ? [...v] : v));
  if (j(got) === j(want)) console.log('ok:', what);
  else { failures++; console.error(`FAIL: ${what}\n  got  ${j(got)}\n  want ${j(want)}`); }
}
function liveHandles(tables) {
  let n = 0;
  for (const t of Object.values(tables ?? {})) {
    if (!Array.isArray(t)) continue;
    for (let i = 2; i + 1 < t.length; i += 2) if ((t[i] & (1 << 30)) === 0 && t[i + 1] !== 0) n++;
  }
  return n;
}
export async function main(m) {
  // run(): host blobs a(3 bytes), b("hello"), c = concat; log(borrow c), keep(own c).
  // While run executes: a, b, c are live; c is consumed by keep => live = 2.
  check('guest uses the imported blobs and logger', m.run(), 'a=3 b=5 c=8 first=1 log=8 kept=1 live=2/2 count=18 measure=18,2,6 mine=2 mine-live=1');
  check('created a, b, c; the guest dropped a and b; c was moved to keep', [created, disposed, kept], [3, 2, 1]);
  const api = m.blobs;
  const x = new api.Blob(new Uint8Array([1, 2]));
  const y = api.make('abc');
  check('exported blob: constructor + size', x.size(), 2);
  check('exported blob: make', [...y.bytes()], [97, 98, 99]);
  const z = api.Blob.concat(x, y);
  check('exported blob: static taking borrows of the component\'s own blobs', [...z.bytes()], [1, 2, 97, 98, 99]);
  check('exported blob: 3 alive in the guest', api.Blob.live(), 3);
  check('list<bool> param and result (export)', api.flip([true, false, false, true]), [false, true, true, false]);
  check('empty list<bool>', api.flip([]), []);
  x[disp](); y[disp](); z[disp]();
  check('exported blob: destructors ran in the guest', api.Blob.live(), 0);
  for (let i = 0; i < 100; i++) m.run();
  check('100 more runs: every host blob dropped or kept', [created, disposed, kept, live()], [303, 202, 101, 0]);
  check('no handle left in the component\'s tables', liveHandles(m.__compono_handle_tables), 0);
  console.log(failures ? `${failures} FAILED` : 'all passed');
  return failures ? 1 : 0;
}
