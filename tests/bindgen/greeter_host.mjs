// Host for the greeter component: provides example:greeter/types (the
// `context` resource) and checks greet's result and that no handle is left.
export let live = 0;
export class Context {
  constructor(id) { this.id = id; live++; }
  requestId() { return this.id; }
}
function check(cond, what) {
  if (!cond) { console.error('FAIL:', what); process.exitCode = 1; }
  else console.log('ok:', what);
}
// Live entries of jco's resource handle tables: slot i holds [scope, rep];
// a free slot's scope word has bit 30 set; a borrow's scope is its call.
function liveHandles(tables) {
  let n = 0;
  for (const t of Object.values(tables ?? {})) {
    if (!Array.isArray(t)) continue;
    for (let i = 2; i + 1 < t.length; i += 2) if ((t[i] & (1 << 30)) === 0 && t[i + 1] !== 0) n++;
  }
  return n;
}
export async function main(m) {
  check(m.__compono_handle_tables !== undefined, 'jco handle tables visible');
  const ctx = new Context('req-42');
  const r = m.greet({ name: 'World' }, ctx);
  check(r.greeting === 'Hello, World!', `greeting is "${r.greeting}"`);
  check(r.requestId === 'req-42', `request id is "${r.requestId}"`);
  // 1000 calls: a leaked borrow would fail jco's end-of-call borrow check.
  let ok = true;
  for (let i = 0; i < 1000; i++) {
    const c = new Context(`id-${i}`);
    const x = m.greet({ name: `n${i}` }, c);
    if (x.greeting !== `Hello, n${i}!` || x.requestId !== `id-${i}`) ok = false;
  }
  check(ok, '1000 more calls with distinct names and ids');
  const live = liveHandles(m.__compono_handle_tables);
  check(live === 0, `no handle left in the component's tables (live: ${live})`);
  return process.exitCode ?? 0;
}
