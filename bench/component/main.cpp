// bench/component: the cost of component calls from a C++ host, measured with
// Google Benchmark in one run, every ratio against a baseline measured in the
// same run (no timing assertions anywhere).
//
//   bench_component ECHO.wasm ECHO.core.wasm [GREETER.wasm] [--benchmark_...]
//
// Rows (the summary table at the end repeats them with ratios):
//  * noop: the same no-op core function (export "noop" of echo.core.wasm, the
//    core module inside echo.wasm) called through compono::wasm::Func::call,
//    and the lifted export through the generated typed bindings
//    (Func::call_into with a stack array of Val) and through the dynamic
//    Func::call (results in a std::vector<Val>).
//  * transfers of string and list<u8> of 16 B, 1 KiB and 1 MiB:
//      in  = host -> guest (take-*: one realloc into guest memory + copy),
//      out = guest -> host (make-*: bounds check, UTF-8 validation for
//            strings, copy into a new host buffer),
//    each through the typed bindings and the dynamic Val path, next to a
//    memcpy of the same bytes (and, for `out`, malloc + memcpy: the
//    destination buffer is part of the job).  "typed" includes whatever the
//    generated bindings add (a copy of the argument into a Val on the way in,
//    a copy out of the result Val on the way out); "dynamic" reuses the
//    argument Val and moves nothing out, so it is the runtime alone; "take"
//    (out only) is dynamic + moving the result into a std::string /
//    std::vector<uint8_t> with Val::take_string / take_bytes, i.e. what a
//    typed binding costs when it moves instead of copying.
//  * round trips (echo-*: in + out) against 2x memcpy.
//  * greet round trips per second (when GREETER.wasm is given).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compono/wasi2.h"
#include "echo_host.h"
#include "greeter_host.h"

namespace {

namespace cc = compono::component;

bool read_file(const char* path, std::vector<uint8_t>& out) {
  FILE* f = std::fopen(path, "rb");
  if (!f) return false;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  std::fclose(f);
  return true;
}

class Ctx : public example::greeter::types::Context {
 public:
  compono::Result<std::string> request_id() override { return std::string("req-42"); }
};
class TypesHost : public example::greeter::types::Host {};

struct Env {
  cc::Store store;
  std::optional<compono_::bench::Echo> echo;
  cc::Func noop, take_string, take_bytes, make_string, make_bytes;
  compono::wasm::Store core_store;
  compono::wasm::Func core_noop;
  // greeter (optional)
  cc::Store gstore;
  cc::Linker glinker;
  TypesHost types_host;
  std::optional<example::greeter::Greeter> greeter;
};
Env* g_env = nullptr;

// Median real time per benchmark name (ns), collected by the reporter.
std::map<std::string, double> g_ns;

class Reporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    // CPU time: the machine may be shared (other processes inflate real
    // time, not the CPU time of this single-threaded loop).  With
    // --benchmark_repetitions the median is used.
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      if (r.run_type == Run::RT_Iteration && !g_ns.count(r.run_name.str())) g_ns[r.run_name.str()] = r.GetAdjustedCPUTime();
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median") g_ns[r.run_name.str()] = r.GetAdjustedCPUTime();
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

std::string size_label(size_t n) {
  if (n >= (1u << 20)) return std::to_string(n >> 20) + "MiB";
  if (n >= 1024) return std::to_string(n >> 10) + "KiB";
  return std::to_string(n) + "B";
}

#define CHECK_OR_SKIP(cond, what)        \
  if (!(cond)) {                         \
    state.SkipWithError(what);           \
    break;                               \
  }

void register_all(bool with_greeter) {
  Env& e = *g_env;
  auto reg = [](const std::string& name, auto fn) {
    benchmark::RegisterBenchmark(name.c_str(), fn)->Unit(benchmark::kNanosecond);
  };
  reg("noop/core", [&e](benchmark::State& state) {
    for (auto _ : state) CHECK_OR_SKIP(e.core_noop.call(e.core_store, {}), "core noop");
  });
  reg("noop/typed", [&e](benchmark::State& state) {
    for (auto _ : state) CHECK_OR_SKIP(e.echo->noop(e.store), "noop");
  });
  reg("noop/dynamic", [&e](benchmark::State& state) {
    for (auto _ : state) {
      auto r = e.noop.call(e.store, {});
      CHECK_OR_SKIP(r, "noop");
      benchmark::DoNotOptimize(r);
    }
  });

  for (size_t n : {size_t(16), size_t(1024), size_t(1) << 20}) {
    std::string L = size_label(n);
    reg("memcpy/" + L, [n](benchmark::State& state) {
      std::vector<char> src(n, 'x'), dst(n);
      for (auto _ : state) {
        std::memcpy(dst.data(), src.data(), n);
        benchmark::ClobberMemory();
      }
    });
    reg("malloc+memcpy/" + L, [n](benchmark::State& state) {
      std::vector<char> src(n, 'x');
      for (auto _ : state) {
        std::unique_ptr<char[]> dst(new char[n]);
        std::memcpy(dst.get(), src.data(), n);
        benchmark::DoNotOptimize(dst.get());
        benchmark::ClobberMemory();
      }
    });
    // host -> guest
    reg("in/string/typed/" + L, [&e, n](benchmark::State& state) {
      std::string s(n, 'x');
      for (auto _ : state) CHECK_OR_SKIP(e.echo->take_string(e.store, s), "take-string");
    });
    reg("in/string/dynamic/" + L, [&e, n](benchmark::State& state) {
      cc::Val args[1] = {cc::Val::string(std::string(n, 'x'))};
      for (auto _ : state) CHECK_OR_SKIP(e.take_string.call_into(e.store, args, {}), "take-string");
    });
    reg("in/list<u8>/typed/" + L, [&e, n](benchmark::State& state) {
      std::vector<uint8_t> b(n, 0xab);
      for (auto _ : state) CHECK_OR_SKIP(e.echo->take_bytes(e.store, b), "take-bytes");
    });
    reg("in/list<u8>/dynamic/" + L, [&e, n](benchmark::State& state) {
      std::vector<uint8_t> b(n, 0xab);
      cc::Val args[1] = {cc::Val::bytes(b)};
      for (auto _ : state) CHECK_OR_SKIP(e.take_bytes.call_into(e.store, args, {}), "take-bytes");
    });
    // guest -> host
    reg("out/string/typed/" + L, [&e, n](benchmark::State& state) {
      for (auto _ : state) {
        auto r = e.echo->make_string(e.store, uint32_t(n), true);
        CHECK_OR_SKIP(r && r->size() == n, "make-string");
        benchmark::DoNotOptimize(r->data());
      }
    });
    reg("out/string/dynamic/" + L, [&e, n](benchmark::State& state) {
      cc::Val args[2] = {cc::Val::u32(uint32_t(n)), cc::Val::bool_(true)};
      for (auto _ : state) {
        cc::Val res[1];
        CHECK_OR_SKIP(e.make_string.call_into(e.store, args, res) && res[0].as_string().size() == n, "make-string");
        benchmark::DoNotOptimize(res[0].as_string().data());
      }
    });
    reg("out/string-utf8/dynamic/" + L, [&e, n](benchmark::State& state) {
      cc::Val args[2] = {cc::Val::u32(uint32_t(n)), cc::Val::bool_(false)};
      for (auto _ : state) {
        cc::Val res[1];
        CHECK_OR_SKIP(e.make_string.call_into(e.store, args, res) && res[0].as_string().size() == n, "make-string");
        benchmark::DoNotOptimize(res[0].as_string().data());
      }
    });
    reg("out/list<u8>/typed/" + L, [&e, n](benchmark::State& state) {
      for (auto _ : state) {
        auto r = e.echo->make_bytes(e.store, uint32_t(n));
        CHECK_OR_SKIP(r && r->size() == n, "make-bytes");
        benchmark::DoNotOptimize(r->data());
      }
    });
    reg("out/list<u8>/dynamic/" + L, [&e, n](benchmark::State& state) {
      cc::Val args[1] = {cc::Val::u32(uint32_t(n))};
      for (auto _ : state) {
        cc::Val res[1];
        CHECK_OR_SKIP(e.make_bytes.call_into(e.store, args, res) && res[0].as_bytes().size() == n, "make-bytes");
        benchmark::DoNotOptimize(res[0].as_bytes().data());
      }
    });
    // What a typed binding returning std::string / std::vector<uint8_t>
    // costs when it moves the result out of the Val (take_string /
    // take_bytes) instead of copying it.
    reg("out/string/take/" + L, [&e, n](benchmark::State& state) {
      cc::Val args[2] = {cc::Val::u32(uint32_t(n)), cc::Val::bool_(true)};
      for (auto _ : state) {
        cc::Val res[1];
        CHECK_OR_SKIP(e.make_string.call_into(e.store, args, res), "make-string");
        std::string s = res[0].take_string();
        CHECK_OR_SKIP(s.size() == n, "make-string size");
        benchmark::DoNotOptimize(s.data());
      }
    });
    reg("out/list<u8>/take/" + L, [&e, n](benchmark::State& state) {
      cc::Val args[1] = {cc::Val::u32(uint32_t(n))};
      for (auto _ : state) {
        cc::Val res[1];
        CHECK_OR_SKIP(e.make_bytes.call_into(e.store, args, res), "make-bytes");
        std::vector<uint8_t> b = res[0].take_bytes();
        CHECK_OR_SKIP(b.size() == n, "make-bytes size");
        benchmark::DoNotOptimize(b.data());
      }
    });
    // round trips
    reg("roundtrip/string/typed/" + L, [&e, n](benchmark::State& state) {
      std::string s(n, 'x');
      for (auto _ : state) {
        auto r = e.echo->echo_string(e.store, s);
        CHECK_OR_SKIP(r && r->size() == n, "echo-string");
      }
    });
    reg("roundtrip/list<u8>/typed/" + L, [&e, n](benchmark::State& state) {
      std::vector<uint8_t> b(n, 0xab);
      for (auto _ : state) {
        auto r = e.echo->echo_bytes(e.store, b);
        CHECK_OR_SKIP(r && r->size() == n, "echo-bytes");
      }
    });
  }
  if (with_greeter) {
    reg("greet/typed", [&e](benchmark::State& state) {
      Ctx ctx;
      example::greeter::Request req{.name = "World"};
      for (auto _ : state) {
        auto r = e.greeter->greet(e.gstore, req, ctx);
        CHECK_OR_SKIP(r && r->greeting == "Hello, World!", "greet");
      }
    });
  }
}

double ns(const std::string& name) {
  auto it = g_ns.find(name);
  return it == g_ns.end() ? 0.0 : it->second;
}

void print_summary(bool with_greeter) {
  std::printf("\n== summary (same run; CPU ns/op, median of repetitions if any; ratio = ns/op / baseline ns/op) ==\n");
  double core = ns("noop/core");
  std::printf("%-34s %12s %10s\n", "no-op call", "ns/op", "vs core");
  for (const char* k : {"noop/core", "noop/typed", "noop/dynamic"})
    if (g_ns.count(k)) std::printf("%-34s %12.1f %9.2fx\n", k, ns(k), core > 0 ? ns(k) / core : 0.0);
  std::printf("\n%-8s %-5s %-12s %-8s %12s %12s %10s %14s\n", "size", "dir", "type", "path", "ns/op", "memcpy ns",
              "vs memcpy", "vs malloc+cpy");
  for (size_t n : {size_t(16), size_t(1024), size_t(1) << 20}) {
    std::string L = size_label(n);
    double mc = ns("memcpy/" + L), mmc = ns("malloc+memcpy/" + L);
    for (const char* dir : {"in", "out"})
      for (const char* type : {"string", "string-utf8", "list<u8>"})
        for (const char* path : {"typed", "dynamic", "take"}) {
          std::string k = std::string(dir) + "/" + type + "/" + path + "/" + L;
          if (!g_ns.count(k)) continue;
          double v = ns(k);
          std::printf("%-8s %-5s %-12s %-8s %12.1f %12.1f %9.2fx", L.c_str(), dir, type, path, v, mc, mc > 0 ? v / mc : 0.0);
          if (std::string(dir) == "out") std::printf(" %13.2fx", mmc > 0 ? v / mmc : 0.0);
          std::printf("\n");
        }
    for (const char* type : {"string", "list<u8>"}) {
      std::string k = std::string("roundtrip/") + type + "/typed/" + L;
      if (!g_ns.count(k)) continue;
      double v = ns(k);
      std::printf("%-8s %-5s %-12s %-8s %12.1f %12.1f %9.2fx  (vs 2x memcpy)\n", L.c_str(), "both", type, "typed", v,
                  2 * mc, mc > 0 ? v / (2 * mc) : 0.0);
    }
  }
  if (with_greeter) {
    double g = ns("greet/typed");
    std::printf("\ngreet round trip: %.1f ns (%.0f round trips/s)\n", g, g > 0 ? 1e9 / g : 0.0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_component ECHO.wasm ECHO.core.wasm [GREETER.wasm] [--benchmark_...]\n");
    return 2;
  }
  std::vector<uint8_t> comp_bytes, core_bytes;
  if (!read_file(argv[1], comp_bytes) || !read_file(argv[2], core_bytes)) {
    std::fprintf(stderr, "bench_component: cannot read %s / %s\n", argv[1], argv[2]);
    return 2;
  }
  static Env env;
  g_env = &env;
  auto comp = cc::Component::compile(comp_bytes);
  if (!comp) { std::fprintf(stderr, "%s\n", comp.error().to_string().c_str()); return 2; }
  cc::Linker linker;
  auto echo = compono_::bench::Echo::instantiate(env.store, linker, *comp);
  if (!echo) { std::fprintf(stderr, "%s\n", echo.error().to_string().c_str()); return 2; }
  env.echo = std::move(*echo);
  cc::Instance inst = env.echo->instance();
  env.noop = inst.get_func("noop");
  env.take_string = inst.get_func("take-string");
  env.take_bytes = inst.get_func("take-bytes");
  env.make_string = inst.get_func("make-string");
  env.make_bytes = inst.get_func("make-bytes");

  // The same core module, instantiated directly.
  auto mod = compono::wasm::Module::compile(core_bytes);
  if (!mod) { std::fprintf(stderr, "%s\n", mod.error().to_string().c_str()); return 2; }
  auto core_inst = compono::wasm::Instance::create(env.core_store, *mod, {});
  if (!core_inst) { std::fprintf(stderr, "%s\n", core_inst.error().to_string().c_str()); return 2; }
  env.core_noop = core_inst->get_func("noop");

  bool with_greeter = false;
  if (argc > 3) {
    std::vector<uint8_t> gbytes;
    auto gcomp = read_file(argv[3], gbytes) ? cc::Component::compile(gbytes)
                                            : compono::Result<cc::Component>(compono::fail("cannot read"));
    if (!gcomp) {
      std::fprintf(stderr, "bench_component: %s: %s (greet row skipped)\n", argv[3], gcomp.error().to_string().c_str());
    } else {
      cc::Linker& glinker = env.glinker;
      compono::wasi2::Config wasi;
      wasi.args = {"greeter"};
      if (!compono::wasi2::add_to_linker(glinker, wasi) || !example::greeter::types::add_to_linker(glinker, env.types_host)) {
        std::fprintf(stderr, "bench_component: cannot set up the greeter's linker\n");
        return 2;
      }
      auto greeter = example::greeter::Greeter::instantiate(env.gstore, glinker, *gcomp, env.types_host);
      if (!greeter) { std::fprintf(stderr, "%s\n", greeter.error().to_string().c_str()); return 2; }
      env.greeter = std::move(*greeter);
      with_greeter = true;
    }
  }
  register_all(with_greeter);
  Reporter rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  benchmark::Shutdown();
  print_summary(with_greeter);
  return 0;
}
