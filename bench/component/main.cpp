// bench/component: the cost of component calls from a C++ host, measured in
// one run (plain chrono; no timing assertions anywhere).
//
//   bench_component ECHO.wasm ECHO.core.wasm [GREETER.wasm]
//
// Rows: a component call of a no-op export vs a core call of the same no-op;
// string and list<u8> echoes (in and out) of 16 B, 1 KiB and 1 MiB vs a
// memcpy of the same size (in + out = 2 copies); greet round trips per second.
// All component calls go through the generated host bindings.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "compono/wasi2.h"
#include "echo_host.h"
#include "greeter_host.h"

namespace {

using Clock = std::chrono::steady_clock;

bool read_file(const char* path, std::vector<uint8_t>& out) {
  FILE* f = std::fopen(path, "rb");
  if (!f) return false;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  std::fclose(f);
  return true;
}

// Runs `fn` repeatedly for about `budget` seconds; returns ns per call.
template <class F>
double time_ns(F&& fn, double budget = 0.3) {
  size_t iters = 1;
  for (;;) {
    auto t0 = Clock::now();
    for (size_t i = 0; i < iters; ++i) fn();
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (s >= budget || iters > (size_t(1) << 30)) return s * 1e9 / double(iters);
    iters = s <= 0 ? iters * 16 : size_t(double(iters) * (budget * 1.2 / s)) + 1;
  }
}

bool g_failed = false;
void check(bool ok, const char* what) {
  if (!ok && !g_failed) {
    std::fprintf(stderr, "bench_component: %s failed\n", what);
    g_failed = true;
  }
}

class Ctx : public example::greeter::types::Context {
 public:
  std::string request_id() override { return "req-42"; }
};
class TypesHost : public example::greeter::types::Host {};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_component ECHO.wasm ECHO.core.wasm [GREETER.wasm]\n");
    return 2;
  }
  std::vector<uint8_t> comp_bytes, core_bytes;
  if (!read_file(argv[1], comp_bytes) || !read_file(argv[2], core_bytes)) {
    std::fprintf(stderr, "bench_component: cannot read %s / %s\n", argv[1], argv[2]);
    return 2;
  }
  namespace cc = compono::component;
  auto comp = cc::Component::compile(comp_bytes);
  if (!comp) { std::fprintf(stderr, "%s\n", comp.error().to_string().c_str()); return 2; }
  cc::Store store;
  cc::Linker linker;
  auto echo = compono_::bench::Echo::instantiate(store, linker, *comp);
  if (!echo) { std::fprintf(stderr, "%s\n", echo.error().to_string().c_str()); return 2; }

  // The same core module, instantiated directly.
  auto mod = compono::wasm::Module::compile(core_bytes);
  if (!mod) { std::fprintf(stderr, "%s\n", mod.error().to_string().c_str()); return 2; }
  compono::wasm::Store core_store;
  auto core_inst = compono::wasm::Instance::create(core_store, *mod, {});
  if (!core_inst) { std::fprintf(stderr, "%s\n", core_inst.error().to_string().c_str()); return 2; }
  compono::wasm::Func core_fn = core_inst->get_func("noop");

  std::printf("%-28s %14s %14s %10s\n", "benchmark", "ns/op", "baseline ns", "ratio");
  auto row = [](const char* name, double ns, double base) {
    std::printf("%-28s %14.1f %14.1f %9.1fx\n", name, ns, base, base > 0 ? ns / base : 0.0);
  };

  double comp_noop = time_ns([&] { check(bool(echo->noop(store)), "noop"); });
  double core_noop = time_ns([&] { check(bool(core_fn.call(core_store, {})), "core noop"); });
  row("noop (component vs core)", comp_noop, core_noop);

  for (size_t size : {size_t(16), size_t(1024), size_t(1) << 20}) {
    std::string s(size, 'x');
    std::vector<uint8_t> b(size, 0xab);
    std::vector<uint8_t> dst(size), dst2(size);
    double mc = time_ns([&] {
      std::memcpy(dst.data(), b.data(), size);
      std::memcpy(dst2.data(), dst.data(), size);
      asm volatile("" : : "r"(dst2.data()) : "memory");
    });
    double str_ns = time_ns([&] {
      auto r = echo->echo_string(store, s);
      check(r && r->size() == size, "echo-string");
    });
    double bytes_ns = time_ns([&] {
      auto r = echo->echo_bytes(store, b);
      check(r && r->size() == size, "echo-bytes");
    });
    std::string label = size >= 1024 * 1024 ? std::to_string(size >> 20) + " MiB" :
                        size >= 1024        ? std::to_string(size >> 10) + " KiB" : std::to_string(size) + " B";
    row(("string " + label + " (vs 2x memcpy)").c_str(), str_ns, mc);
    row(("list<u8> " + label + " (vs 2x memcpy)").c_str(), bytes_ns, mc);
  }

  if (argc > 3) {
    std::vector<uint8_t> gbytes;
    auto gcomp = read_file(argv[3], gbytes) ? cc::Component::compile(gbytes)
                                            : compono::Result<cc::Component>(compono::fail("cannot read"));
    if (!gcomp) {
      std::fprintf(stderr, "bench_component: %s: %s\n", argv[3], gcomp.error().to_string().c_str());
      return 2;
    }
    cc::Store gstore;
    cc::Linker glinker;
    TypesHost host;
    compono::wasi2::Config wasi;
    wasi.args = {"greeter"};
    check(bool(compono::wasi2::add_to_linker(glinker, wasi)), "wasi2::add_to_linker");
    check(bool(example::greeter::types::add_to_linker(glinker, host)), "add_to_linker");
    auto greeter = example::greeter::Greeter::instantiate(gstore, glinker, *gcomp);
    if (!greeter) { std::fprintf(stderr, "%s\n", greeter.error().to_string().c_str()); return 2; }
    Ctx ctx;
    example::greeter::Request req{.name = "World"};
    double g = time_ns([&] {
      auto r = greeter->greet(gstore, req, ctx);
      check(r && r->greeting == "Hello, World!", "greet");
    });
    std::printf("%-28s %14.1f %14s %10s   (%.0f round trips/s)\n", "greet round trip", g, "-", "-", 1e9 / g);
  }
  return g_failed ? 1 : 0;
}
