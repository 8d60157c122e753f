// Host for world test:extra/fixed (wit/extra.wit): fixed-size lists through
// jco, flat (list<u32, 4>, list<f64, 8>) and in memory (strings, nested
// lists, records, options), checking every result.
let failures = 0;
function check(what, got, want) {
  if (JSON.stringify(got) === JSON.stringify(want)) console.log('ok:', what);
  else { failures++; console.error(`FAIL: ${what}\n  got  ${JSON.stringify(got)}\n  want ${JSON.stringify(want)}`); }
}
export async function main(m) {
  const f = m.fixedApi;
  check('list<u32, 4> reversed', f.reverse4([1, 2, 3, 4]), [4, 3, 2, 1]);
  check('list<u32, 4> extremes', f.reverse4([0, 4294967295, 7, 1]), [1, 7, 4294967295, 0]);
  check('list<f64, 8> summed', f.sum8([1, 2, 3, 4, 5, 6, 7, 8.5]), 36.5);
  check('list<string, 3> (owned strings both ways)', f.names(['a', '', 'héllo']), ['héllo!', '!', 'a!']);
  check('record of fixed lists', f.brighten({ rgba: [1, 2, 250, 4], pos: [5, -6] }, 10), { rgba: [11, 12, 4, 4], pos: [-6, 5] });
  check('list<list<u16, 2>, 20> (indirect params and results)', f.many(Array.from({ length: 20 }, (_, i) => [i, 3])),
    Array.from({ length: 20 }, (_, i) => i * 3));
  check('option<list<bool, 3>> none', f.opt(undefined), [true, false, true]);
  check('option<list<bool, 3>> some -> none', f.opt([true, true, true]), undefined);
  check('option<list<bool, 3>> some -> some', f.opt([true, false, false]), [false, true, true]);
  let ok = true;
  for (let i = 0; i < 300; i++) {
    const r = f.names([`x${i}`, `y${i}`, `z${i}`]);
    if (r[0] !== `z${i}!` || r[2] !== `x${i}!`) ok = false;
  }
  check('300 more string round trips', ok, true);
  console.log(failures ? `${failures} FAILED` : 'all passed');
  return failures ? 1 : 0;
}
