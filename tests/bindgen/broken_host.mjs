// Host for the raw-ABI greeter guests of examples/greeter/broken, run by
// broken_e2e.sh under jco transpile + node:
//   greeter_broken.wasm    never drops the borrowed `context` (the bug)
//   greeter_raw_good.wasm  the same C source with the drop (the control)
// The canonical ABI requires a borrow to be dropped before the export
// returns.  jco 1.30 does not enforce that at the end of the call (its
// generated `task.exit()` compares an object's `.length` with 0, which never
// fires), so this independent host detects the leak itself: it counts the
// live entries of jco's handle tables after the calls.  If a later jco does
// throw at the end of the call, the error must name the borrow.
export class Context {
  constructor(id) { this.id = id; }
  requestId() { return this.id; }
}
let failures = 0;
function check(cond, what) {
  if (!cond) { failures++; console.error('FAIL:', what); }
  else console.log('ok:', what);
}
// Slot i of a jco handle table is [scope, rep]; a free slot's scope word has bit 30 set.
function liveHandles(tables) {
  let n = 0;
  for (const t of Object.values(tables ?? {})) {
    if (!Array.isArray(t)) continue;
    for (let i = 2; i + 1 < t.length; i += 2) if ((t[i] & (1 << 30)) === 0 && t[i + 1] !== 0) n++;
  }
  return n;
}
// mode: "leaks" (greeter_broken) or "clean" (greeter_raw_good)
export async function main(m, mode) {
  const tables = globalThis.__compono_handle_tables;
  check(Array.isArray(tables), 'jco handle tables visible');
  const calls = 100;
  let thrown = null, results = 0;
  for (let i = 0; i < calls; i++) {
    try {
      const r = m.greet({ name: `n${i}` }, new Context(`id-${i}`));
      if (r.greeting === `Hello, n${i}!` && r.requestId === `id-${i}`) results++;
    } catch (e) {
      thrown = e;
      break;
    }
  }
  const live = liveHandles(tables);
  if (mode === 'clean') {
    check(thrown === null, `control guest: no error (${thrown})`);
    check(results === calls, `control guest: ${results}/${calls} correct greetings`);
    check(live === 0, `control guest: no handle left (live: ${live})`);
  } else if (thrown !== null) {
    const msg = String(thrown?.message ?? thrown);
    console.log(`jco rejected the leaked borrow: ${msg}`);
    check(/borrow/i.test(msg), `jco's end-of-call error names the borrow: "${msg}"`);
  } else {
    console.log(`jco did not trap at the end of the calls; ${live} borrow handle(s) left in its tables`);
    check(results === calls, `leaking guest: ${results}/${calls} greetings (the bug is only the leak)`);
    check(live === calls, `leaking guest: every call left its borrow behind (live: ${live}, calls: ${calls})`);
  }
  console.log(failures ? `${failures} FAILED` : 'all passed');
  return failures ? 1 : 0;
}
