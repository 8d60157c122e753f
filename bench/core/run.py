#!/usr/bin/env python3
"""Core-engine benchmark runner: run the bench/core programs under several
engines, check that every engine prints what the native build prints, and
print a table of times and ratios to native (best of N runs, engines
interleaved so machine noise hits all of them alike).

Engines:
  native       the program built natively with clang++-19 -O2
  node         V8, through bench/core/node-run.mjs (node:wasi preview 1)
  wasm-interp  wabt's interpreter.  Debian's wabt has no WASI, so it runs the
               <p>.interp.wasm variant (same code, no I/O) at the program's
               small size; its time is scaled linearly to the full size (work
               is linear in size by construction) and its checksum is checked
               against a native run at the small size.
  compono      `compono run <p>.wasm <size>`; n/a while compono cannot run
               programs yet ("not yet implemented").

Times are per process, so they include start-up (shown on its own line).
--clock wall (default) uses wall-clock time; --clock cpu the process's
user+sys CPU time, which a loaded machine disturbs less.  Nothing here asserts on timing; --check only compares outputs.
"""
import argparse
import json
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ENGINES = ["native", "node", "wasm-interp", "compono"]
SKIP_CODE = 77  # --check: an engine could not run at all (CTest SKIP_RETURN_CODE)


def log(msg):
    print(msg, flush=True)


def discover_programs():
    """name -> (default_size, small_size), read from the sources."""
    progs = {}
    src_dir = os.path.join(HERE, "programs")
    pat = re.compile(r'BENCH_PROGRAM\("([A-Za-z0-9_]+)",\s*(\d+),\s*(\d+)\)')
    for f in sorted(os.listdir(src_dir)):
        if not f.endswith(".cpp"):
            continue
        with open(os.path.join(src_dir, f)) as fh:
            m = pat.search(fh.read())
        if m and m.group(1) == f[:-4]:
            progs[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return progs


class Run:
    """Result of one process run."""

    def __init__(self, elapsed=None, rc=None, out="", err="", timeout=False, missing=False):
        self.elapsed, self.rc, self.out, self.err = elapsed, rc, out, err
        self.timeout, self.missing = timeout, missing


CLOCK = "wall"  # or "cpu": the child's user+sys time (robust against other load)


def run_process(cmd, timeout):
    """Run cmd; elapsed is wall-clock seconds, or with CLOCK == "cpu" the
    child's user+sys CPU seconds (all its threads).  Children run one at a
    time, so the RUSAGE_CHILDREN delta is exactly this child's."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    try:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, errors="replace")
    except OSError as e:
        return Run(rc=-1, err=str(e), missing=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return Run(timeout=True)
    elapsed = time.perf_counter() - t0
    if CLOCK == "cpu":
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        elapsed = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(elapsed, p.returncode, out, err)


class Cell:
    """One (program, engine) pair: its best time and status."""

    def __init__(self):
        self.times = []      # measured seconds (wasm-interp: at small size)
        self.scale = 1.0     # multiply measured time by this to get full-size time
        self.status = "pending"  # ok | mismatch | fail | timeout | n/a | pending
        self.detail = ""

    @property
    def best(self):
        return min(self.times) * self.scale if self.times else None

    @property
    def done(self):
        return self.status not in ("ok", "pending")


def first_line(s):
    s = s.strip()
    return s.splitlines()[0][:120] if s else ""


def interp_checksum(out):
    """Parse `wasm-interp --run-all-exports` output -> (size, 16-hex checksum)."""
    size = re.search(r"bench_size\(\) => i32:(-?\d+)", out)
    run = re.search(r"bench_run\(\) => i64:(-?\d+)", out)
    if not size or not run:
        return None, None
    return int(size.group(1)), "%016x" % (int(run.group(1)) & 0xFFFFFFFFFFFFFFFF)


def native_checksum(out):
    m = re.search(r"size=(\d+) checksum=([0-9a-f]{16})", out)
    return (int(m.group(1)), m.group(2)) if m else (None, None)


class Bench:
    def __init__(self, args, programs):
        self.a = args
        self.programs = programs  # name -> (default, small)
        self.pdir = args.programs_dir
        self.cells = {(p, e): Cell() for p in programs for e in args.engines}
        self.sizes = {p: self.size_for(p) for p in programs}
        self.expected = {}        # program -> native stdout at full size
        self.expected_small = {}  # program -> native checksum at small size
        self.unavailable = {}     # engine -> reason
        self.startup = {}         # engine -> best seconds for the start-up probe
        self.startup_prog = "fib" if "fib" in programs else next(iter(programs))

    def size_for(self, p):
        if self.a.size:
            return self.a.size
        return max(1, int(round(self.programs[p][0] * self.a.scale)))

    def command(self, engine, p, size=None):
        size = str(size or self.sizes[p])
        if engine == "native":
            return [os.path.join(self.pdir, p + ".native"), size]
        if engine == "node":
            return [self.a.node, "--no-warnings", os.path.join(HERE, "node-run.mjs"),
                    os.path.join(self.pdir, p + ".wasm"), size]
        if engine == "wasm-interp":
            return [self.a.wasm_interp, "--dummy-import-func", "--run-all-exports",
                    os.path.join(self.pdir, p + ".interp.wasm")]
        if engine == "compono":
            return [self.a.compono, "run", os.path.join(self.pdir, p + ".wasm"), size]
        raise ValueError(engine)

    def timeout_for(self, engine):
        return self.a.native_timeout if engine in ("native", "node") else self.a.timeout

    def check_engines(self):
        need = {"node": self.a.node, "wasm-interp": self.a.wasm_interp, "compono": self.a.compono}
        for e in self.a.engines:
            if e in need and not shutil.which(need[e]):
                self.unavailable[e] = "%s not found" % need[e]
        for e, why in self.unavailable.items():
            log("bench: %s: n/a (%s)" % (e, why))
            for p in self.programs:
                c = self.cells[(p, e)]
                c.status, c.detail = "n/a", why

    def native_reference(self, p):
        """Native outputs (full size and small size) to compare engines against."""
        if p in self.expected:
            return
        r = run_process(self.command("native", p), self.a.native_timeout)
        if r.rc != 0 or r.timeout:
            self.expected[p] = None
        else:
            self.expected[p] = r.out
        if "wasm-interp" in self.a.engines:
            small = self.programs[p][1]
            r2 = run_process([os.path.join(self.pdir, p + ".native"), str(small)], self.a.native_timeout)
            self.expected_small[p] = native_checksum(r2.out)[1] if r2.rc == 0 else None

    def verify(self, engine, p, r, cell):
        """Returns (status, detail) of a finished run."""
        if r.timeout:
            return "timeout", "over %ss" % self.timeout_for(engine)
        if r.missing:
            return "n/a", first_line(r.err)
        if engine == "compono" and r.rc != 0 and "not yet implemented" in r.err:
            return "n/a", "compono run: not yet implemented"
        if r.rc != 0:
            return "fail", "exit %s: %s" % (r.rc, first_line(r.err) or first_line(r.out))
        if engine == "wasm-interp":
            size, sum_ = interp_checksum(r.out)
            if size is None:
                return "fail", "unexpected output: " + first_line(r.out + r.err)
            cell.scale = self.sizes[p] / size
            want = self.expected_small.get(p)
            if want is None:
                return "fail", "no native reference at size %d" % size
            if sum_ != want:
                return "mismatch", "checksum %s, native %s (size %d)" % (sum_, want, size)
            return "ok", ""
        want = self.expected.get(p)
        if want is None:
            return "fail", "native run failed"
        if r.out != want:
            return "mismatch", "%r, native %r" % (first_line(r.out), first_line(want))
        return "ok", ""

    def run(self):
        self.check_engines()
        reps = self.a.reps
        total = reps * len(self.programs) * len(self.a.engines)
        n = 0
        for rep in range(1, reps + 1):
            if not self.a.check:
                self.measure_startup()
            for p in self.programs:
                self.native_reference(p)
                for e in self.a.engines:
                    n += 1
                    cell = self.cells[(p, e)]
                    if cell.done:
                        continue
                    r = run_process(self.command(e, p), self.timeout_for(e))
                    status, detail = self.verify(e, p, r, cell)
                    if status == "ok":
                        cell.status = "ok"
                        cell.times.append(r.elapsed)
                        shown = "%.3fs" % (r.elapsed * cell.scale)
                        if cell.scale != 1.0:
                            shown += " (measured %.3fs at size %d, x%.1f)" % (
                                r.elapsed, round(self.sizes[p] / cell.scale), cell.scale)
                        log("[%3d/%d] rep %d %-9s %-12s %s" % (n, total, rep, p, e, shown))
                    else:
                        cell.status, cell.detail = status, detail
                        log("[%3d/%d] rep %d %-9s %-12s %s: %s" % (n, total, rep, p, e, status, detail))
                        if e == "compono" and status == "n/a":
                            # The engine cannot run programs at all: stop trying.
                            self.unavailable[e] = detail
                            for q in self.programs:
                                c = self.cells[(q, e)]
                                c.status, c.detail = "n/a", detail

    def measure_startup(self):
        """Start-up probe: each engine runs one program at size 1 (nearly no
        work), so the fixed per-process cost is visible next to the table."""
        p = self.startup_prog
        for e in self.a.engines:
            if e == "wasm-interp" or e in self.unavailable:
                continue
            r = run_process(self.command(e, p, size=1), self.timeout_for(e))
            if r.rc == 0 and not r.timeout:
                self.startup[e] = min(self.startup.get(e, r.elapsed), r.elapsed)

    # ---- reporting -------------------------------------------------------
    def ratio(self, p, e):
        base = self.cells.get((p, "native"))
        c = self.cells[(p, e)]
        if not base or base.best is None or c.best is None or c.status != "ok":
            return None
        return c.best / base.best

    def table(self):
        engines = self.a.engines
        head = "%-9s %6s" % ("program", "size")
        for e in engines:
            head += "  %-20s" % e
        lines = [head, "-" * len(head)]
        for p in self.programs:
            row = "%-9s %6d" % (p, self.sizes[p])
            for e in engines:
                c = self.cells[(p, e)]
                if c.status == "ok" and c.best is not None:
                    txt = "%.3fs" % c.best
                    if c.scale != 1.0:
                        txt += "*"
                    r = self.ratio(p, e)
                    if e != "native" and r is not None:
                        txt += " %s" % fmt_ratio(r)
                else:
                    txt = c.status
                row += "  %-20s" % txt
            lines.append(row)
        lines.append("-" * len(head))
        row = "%-16s" % "geomean ratio"
        for e in engines:
            rs = [self.ratio(p, e) for p in self.programs]
            rs = [r for r in rs if r is not None]
            if e == "native":
                txt = "1.00x" if rs else "-"
            elif rs:
                txt = "%s (%d/%d)" % (fmt_ratio(geomean(rs)), len(rs), len(self.programs))
            else:
                txt = "n/a"
            row += "  %-20s" % txt
        lines.append(row)
        if self.startup:
            row = "%-16s" % "start-up"
            for e in engines:
                t = self.startup.get(e)
                row += "  %-20s" % ("%.3fs" % t if t is not None else "-")
            lines.append(row)
        notes = []
        if self.startup:
            notes.append("start-up: %s at size 1 (fixed per-process cost, included in every time above)"
                         % self.startup_prog)
        if any(self.cells[(p, e)].scale != 1.0 for p in self.programs for e in engines):
            notes.append("* measured at the program's small size and scaled linearly to the full size")
        for (p, e), c in self.cells.items():
            if c.status not in ("ok", "n/a") and c.detail:
                notes.append("%s/%s: %s: %s" % (p, e, c.status, c.detail))
        for e, why in self.unavailable.items():
            notes.append("%s: n/a: %s" % (e, why))
        return "\n".join(lines + notes)

    def to_json(self):
        out = {"reps": self.a.reps, "clock": self.a.clock, "startup_s": self.startup, "programs": {}}
        for p in self.programs:
            out["programs"][p] = {"size": self.sizes[p], "engines": {}}
            for e in self.a.engines:
                c = self.cells[(p, e)]
                out["programs"][p]["engines"][e] = {
                    "status": c.status, "best_s": c.best, "scale": c.scale,
                    "ratio": self.ratio(p, e), "detail": c.detail,
                    "measured_s": c.times}
        return out


def fmt_ratio(r):
    if r >= 100:
        return "%.0fx" % r
    if r >= 10:
        return "%.1fx" % r
    return "%.2fx" % r


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


# Large real-world core modules that scripts/setup.sh already installs (jco's
# test-only npm tree); used, when present, to measure compile speed at scale.
BIG_MODULES = [
    ".tools/node_modules/@bytecodealliance/jco-transpile/vendor/wasm-tools.core.wasm",
    ".tools/node_modules/@bytecodealliance/componentize-js/lib/starlingmonkey_embedding.wasm",
]


def compile_time(args, programs):
    """compono's compile (decode+validate+translate) time on the largest
    benchmark module, plus any --compile-file / big real-world modules."""
    tool = args.compile_tool or os.path.join(os.path.dirname(args.programs_dir), "bench_core_compile")
    if not os.path.exists(tool):
        log("compile time: skipped (%s not built; target bench_core_compile)" % tool)
        return
    wasms = [os.path.join(args.programs_dir, p + ".wasm") for p in programs]
    wasms = [w for w in wasms if os.path.exists(w)]
    files = [(max(wasms, key=os.path.getsize), 20)] if wasms else []
    extra = list(args.compile_file or [])
    if not args.no_big_modules:
        extra += [os.path.join(ROOT, m) for m in BIG_MODULES if os.path.exists(os.path.join(ROOT, m))]
    files += [(f, 5) for f in extra]
    log("compile time (compono::wasm::Module::compile = decode + validate + translate):")
    for f, reps in files:
        r = run_process([tool, "--reps", str(reps), f], 600)
        text = (r.out.strip() or r.err.strip() or "no output").splitlines()[0]
        text = text.replace("compile %s " % f, "")
        name = os.path.relpath(f, ROOT) if f.startswith(ROOT + os.sep) else f
        if r.rc != 0 or r.timeout:
            log("  %s: failed: %s" % (name, "timeout" if r.timeout else text))
            continue
        node_ms = ""
        if shutil.which(args.node):
            nr = run_process([args.node, "--no-warnings", os.path.join(HERE, "node-run.mjs"), "--compile-only",
                              f], 120)
            m = re.search(r"compile_ms=([\d.]+)", nr.err)
            if m:
                node_ms = "; node WebAssembly.compile %s ms" % m.group(1)
        log("  %s (best of %d): %s%s" % (name, reps, text, node_ms))


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    build = os.environ.get("COMPONO_BUILD_DIR", os.path.join(ROOT, "build"))
    progs = discover_programs()
    ap.add_argument("-p", "--programs", default="all",
                    help="comma-separated programs (default all: %s)" % ",".join(progs))
    ap.add_argument("-e", "--engines", default=",".join(ENGINES),
                    help="comma-separated engines (default %s)" % ",".join(ENGINES))
    ap.add_argument("-r", "--reps", type=int, default=3, help="runs per engine, best is kept (default 3)")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every program's default size (work is linear in size)")
    ap.add_argument("--size", type=int, default=0, help="use this size for every program")
    ap.add_argument("--build-dir", default=build, help="CMake build dir (default $COMPONO_BUILD_DIR or build/)")
    ap.add_argument("--programs-dir", help="where the built programs are (default <build-dir>/bench/core/programs)")
    ap.add_argument("--compono", help="compono binary (default <build-dir>/src/cli/compono)")
    ap.add_argument("--compile-tool", help="bench_core_compile binary (default <build-dir>/bench/core/bench_core_compile)")
    ap.add_argument("--node", default="node")
    ap.add_argument("--wasm-interp", default="wasm-interp")
    ap.add_argument("--timeout", type=float, default=300,
                    help="seconds per wasm-interp/compono run before it is reported 'timeout' (default 300)")
    ap.add_argument("--native-timeout", type=float, default=120)
    ap.add_argument("--no-compile-time", action="store_true", help="skip compono's compile-time measurement")
    ap.add_argument("--compile-file", action="append",
                    help="also measure compono's compile time on this .wasm (repeatable)")
    ap.add_argument("--no-big-modules", action="store_true",
                    help="do not measure compile time on the large jco/componentize-js modules in .tools/")
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                    help="wall: wall-clock time per process (default); cpu: the process's user+sys "
                         "time, all threads (steadier on a loaded machine; counts V8's background "
                         "compiler threads too)")
    ap.add_argument("--json", help="also write results to this JSON file")
    ap.add_argument("--check", action="store_true",
                    help="correctness only: size 2 (unless --size), 1 rep, no table; exit 0 if all outputs "
                         "match, 1 on any mismatch/failure, %d if an engine is n/a" % SKIP_CODE)
    ap.add_argument("--list", action="store_true", help="list programs and their sizes")
    a = ap.parse_args()

    if a.list:
        for p, (d, s) in progs.items():
            print("%-9s default size %6d, wasm-interp size %5d" % (p, d, s))
        return 0
    a.programs_dir = a.programs_dir or os.path.join(a.build_dir, "bench", "core", "programs")
    a.compono = a.compono or os.path.join(a.build_dir, "src", "cli", "compono")
    a.engines = [e.strip() for e in a.engines.split(",") if e.strip()]
    for e in a.engines:
        if e not in ENGINES:
            ap.error("unknown engine %r (known: %s)" % (e, ", ".join(ENGINES)))
    if "native" not in a.engines:
        a.engines.insert(0, "native")  # the reference for outputs and ratios
    if a.programs != "all":
        want = [p.strip() for p in a.programs.split(",") if p.strip()]
        for p in want:
            if p not in progs:
                ap.error("unknown program %r (known: %s)" % (p, ", ".join(progs)))
        progs = {p: progs[p] for p in want}
    global CLOCK
    CLOCK = a.clock
    if a.check:
        a.reps = 1
        a.size = a.size or 2
    if a.reps < 1:
        ap.error("--reps must be at least 1")
    missing = [p for p in progs if not os.path.exists(os.path.join(a.programs_dir, p + ".native"))]
    if missing:
        log("bench: programs not built in %s (%s); build the `bench_core` target first, "
            "e.g. cmake --build %s --target bench_core" % (a.programs_dir, ", ".join(missing), a.build_dir))
        return 2

    try:
        load = "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load = "?"
    log("bench: %d programs x %s, best of %d, %s clock, load average %s" % (
        len(progs), ",".join(a.engines), a.reps, a.clock, load))
    b = Bench(a, progs)
    t0 = time.time()
    b.run()
    if a.check:
        cells = [c for (p, e), c in b.cells.items() if e != "native"]
        passed = sum(c.status == "ok" for c in cells)
        skipped = sum(c.status == "n/a" for c in cells)
        failed = len(cells) - passed - skipped
        for (p, e), c in sorted(b.cells.items()):
            if c.status not in ("ok",):
                log("  %s/%s: %s %s" % (p, e, c.status, c.detail))
        log("bench check: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
        if failed:
            return 1
        return SKIP_CODE if skipped else 0
    log("")
    log("bench: done in %.0fs; times are best of %d, %s per process" % (
        time.time() - t0, a.reps, "wall clock" if a.clock == "wall" else "user+sys CPU time"))
    log(b.table())
    if not a.no_compile_time and "compono" in a.engines:
        compile_time(a, progs)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(b.to_json(), f, indent=2)
        log("bench: wrote %s" % a.json)
    bad = [c for c in b.cells.values() if c.status in ("mismatch", "fail")]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
