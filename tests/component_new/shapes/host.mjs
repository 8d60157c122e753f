// Host side of tests/component_new/shapes (world shapes) for jco-transpiled
// components: implements test:other/base, test:shapes/geo and `log`, and
// drives the exports (run, store, report), printing one JSON line.
const disp = Symbol.dispose ?? Symbol.for('dispose');
export const logged = [];
export let blobsLive = 0;
export class Blob {
  constructor(init) { this.s = init; blobsLive++; }
  size() { return this.s.length; }
  [disp]() { blobsLive--; }
}
export function makeTag(name) { return { name, weight: name.length * 3 }; }
export function weigh(item) { return item.t.weight + item.b.size(); }
export function makeBlob(s) { return new Blob(s.toUpperCase()); }
export function log(t) { logged.push(`${t.name}:${t.weight}`); }
export function ping() { throw new Error('unused import called'); }

export async function main(m) {
  const store = m.store ?? m['test:shapes/store@0.1.0'];
  const report = m.report ?? m['test:shapes/report@0.1.0'];
  const out = [];
  out.push(m.run(3), m.run(0));
  const a = new store.Shelf('a');
  a.put(5); a.put(7);
  const b = new store.Shelf('b');
  b.put(1);
  out.push(a.count(), store.labelOf(a), store.liveShelves());
  const c = store.Shelf.merge(a, b);  // b is consumed (its destructor runs)
  out.push(c.count(), store.labelOf(c), store.liveShelves());
  out.push(report.summarize(c, [{ text: 'xy', n: 2 }, { text: 'zzz', n: 3 }]));
  out.push(report.take(a), store.liveShelves());
  out.push(logged, blobsLive);
  console.log(JSON.stringify(out));
}
