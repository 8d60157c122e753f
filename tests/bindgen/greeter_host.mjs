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
export async function main(m) {
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
  return process.exitCode ?? 0;
}
