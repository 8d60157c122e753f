// Host for tests/bindgen/wit/types.wit: implements test:types/host and
// drives every export of test:types/api, checking each result.
const disp = Symbol.dispose ?? Symbol.for('dispose');
let created = 0, disposed = 0, consumed = 0;
export class Counter {
  constructor(start) { this.v = start; created++; }
  get() { return this.v; }
  add(n) { this.v += n; }
  static make(start) { return new Counter(start); }
  [disp]() { disposed++; }
}
export function echoPrims(...a) { return a.map(String).join(','); }
export function echoPoints(l) { return l.map((p) => ({ x: p.y, y: p.x })); }
export function echoStrings(l) { return l.map((s) => s.toUpperCase()).reverse(); }
export function echoShape(s, c, p) { return [s, c, p]; }
export function echoOpt(o) { return o === undefined ? undefined : o + '!'; }
export function echoResult(ok) { if (ok) return 'yes'; throw { payload: 7 }; }
export function total(c) { return c.get(); }
export function take(c) { consumed++; return c.get(); }
export function handlesLive() { return created - disposed - consumed; }

let failures = 0;
function same(a, b) {
  return JSON.stringify(a, (k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v)) ===
    JSON.stringify(b, (k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v));
}
function check(what, got, want) {
  if (same(got, want)) console.log('ok:', what);
  else { failures++; console.error(`FAIL: ${what}\n  got  ${JSON.stringify(got, (k, v) => typeof v === 'bigint' ? `${v}n` : v)}\n  want ${JSON.stringify(want, (k, v) => typeof v === 'bigint' ? `${v}n` : v)}`); }
}
function thrown(f) { try { f(); return 'no error'; } catch (e) { return e.payload ?? String(e); } }

function liveHandles(tables) {
  let n = 0;
  for (const t of Object.values(tables ?? {})) {
    if (!Array.isArray(t)) continue;
    for (let i = 2; i + 1 < t.length; i += 2) if ((t[i] & (1 << 30)) === 0 && t[i + 1] !== 0) n++;
  }
  return n;
}
export async function main(m) {
  const api = m.api;
  check('roundtrip (record of string, list<string>, enum, flags, option, tuple, variant, list<record>)',
    api.roundtrip({ name: 'n', tags: ['a', 'b'], color: 'green', perms: { read: true, write: false, exec: false },
      maybe: 21n, pair: [1, 'p'], shape: { tag: 'circle', val: 1.5 }, points: [{ x: 1, y: 2 }] }),
    { name: 'rt:n', tags: ['a', 'b', 'added'], color: 'blue', perms: { read: false, write: true, exec: true },
      maybe: 42n, pair: [2, 'p!'], shape: { tag: 'circle', val: 1.5 }, points: [{ x: 2, y: 1 }] });
  check('roundtrip with none / rect', api.roundtrip({ name: '', tags: [], color: 'blue', perms: { read: false, write: false, exec: false },
      maybe: undefined, pair: [255, ''], shape: { tag: 'rect', val: { x: -1, y: 2 } }, points: [] }),
    { name: 'rt:', tags: ['added'], color: 'red', perms: { read: true, write: true, exec: true },
      maybe: 7n, pair: [0, '!'], shape: { tag: 'rect', val: { x: -1, y: 2 } }, points: [] });
  check('result ok', api.results(true), 'fine');
  check('result err', thrown(() => api.results(false)), 42);
  check('option none -> some', api.opt(undefined), 'none-in');
  check('option some("") -> none', api.opt(''), undefined);
  check('option some -> some', api.opt('a'), 'a?');
  check('17 flat params (indirect) and tuple result',
    api.many(1n, 2.5, 1.25, 'd', new Uint8Array([1, 2, 3]), { tag: 'rect', val: { x: 3, y: 4 } }, undefined, [7, 8], 9),
    [2n, 5, 1.75, 'd+', new Uint8Array([2, 3, 4]), { tag: 'rect', val: { x: 3, y: 4 } }, { tag: 'rect', val: { x: 3, y: 4 } }, [8, 7], 10]);
  check('many with some(shape) and nothing', api.many(0n, 0, 0, '', new Uint8Array([]), { tag: 'nothing' }, { tag: 'circle', val: 2 }, [0, 1], 255),
    [1n, 0, 0.5, '+', new Uint8Array([]), { tag: 'circle', val: 2 }, { tag: 'nothing' }, [1, 0], 0]);
  const C = (n) => new Counter(n);
  check('borrows in list, option, record, variant, result, tuple',
    api.sumBorrows([C(1), C(2)], C(4), { c: C(8), label: 'ab' }, { tag: 'one', val: C(16) }, { tag: 'ok', val: C(32) }, [C(64), 3]),
    1 + 2 + 4 + 8 + 2 + 16 + 32 + 64 * 3);
  check('borrows: none / err cases',
    api.sumBorrows([], undefined, { c: C(1), label: '' }, { tag: 'none' }, { tag: 'err', val: 'xyz' }, [C(2), 2]), 1 + 3 + 4);
  for (let i = 0; i < 200; i++) api.sumBorrows([C(1), C(2), C(3)], C(1), { c: C(1), label: '' }, { tag: 'one', val: C(1) }, { tag: 'ok', val: C(1) }, [C(1), 1]);
  console.log('ok: 200 more calls with 8 borrows each');
  const before = created - disposed - consumed;
  check('imports: every type family, own/borrow imported resources, RAII drops',
    api.useHost(),
    'true,-8,200,-16000,60000,-2000000000,4000000000,-9000000000000,18000000000000000000,1.5,-2.25,\u{1F600},héllo' +
      '|2,1|-4,3|CCC||A|rect 5,6|color 1|perms 5|circle 25|opt none,x!|res yes,7' +
      '|counter 15,15,100,100|live ' + (before + 1) + '|after ' + before);
  const d0 = disposed;
  check('own<counter> passed to an export', api.consume(C(3)), 3);
  check('the export dropped the owned counter', disposed - d0, 1);
  check('exported resource: no live objects', api.Acc.live(), 0);
  const a = new api.Acc(5n);
  a.add(3n);
  check('exported resource: constructor + method', a.total(), 8n);
  const b = new api.Acc(2n);
  const c = api.Acc.merge(a, b);
  check('exported resource: static taking borrows, returning own', c.total(), 10n);
  check('exported resource: 3 live', api.Acc.live(), 3);
  a[disp](); b[disp](); c[disp]();
  check('exported resource: destructors ran', api.Acc.live(), 0);
  check('own<acc> passed back to an export', api.absorb(new api.Acc(9n)), 9n);
  check('exported resource: the absorbed object was destroyed', api.Acc.live(), 0);
  check('no handle left in the component\'s tables', liveHandles(m.__compono_handle_tables), 0);
  console.log(failures ? `${failures} FAILED` : 'all passed');
  return failures ? 1 : 0;
}
