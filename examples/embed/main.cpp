// examples/embed: embedding the Compono core engine in a C++ program.
//
//   compono_embed_example [module.wasm [export [i32-arg]]]
//
// Without arguments it runs a built-in module (demo.wat, assembled into the
// bytes below) that exports `fib(n) -> i64` and imports `host.print(ptr,
// len)`, which prints a string from the guest's memory.  With a file, it
// loads that module, provides the same `host.print` import (if wanted) and
// calls the given export (default "fib") with one i32 argument (default 50).
//
// The steps are the whole embedding API in miniature:
//   1. Module::compile(bytes)        decode + validate + translate
//   2. Store                         owns everything created at run time
//   3. Linker::define_host(...)      a host function the guest can import
//   4. Linker::instantiate(...)      resolve imports, run start/segments
//   5. Instance::get_func(...).call  run; a guest fault comes back as a Trap
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "compono/core.h"

using namespace compono::wasm;

namespace {

// demo.wat, assembled with `wat2wasm --debug-names demo.wat`.
const uint8_t kDemo[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0b, 0x02, 0x60,
  0x02, 0x7f, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7e, 0x02, 0x0e, 0x01,
  0x04, 0x68, 0x6f, 0x73, 0x74, 0x05, 0x70, 0x72, 0x69, 0x6e, 0x74, 0x00,
  0x00, 0x03, 0x02, 0x01, 0x01, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x10,
  0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x03, 0x66,
  0x69, 0x62, 0x00, 0x01, 0x0a, 0x35, 0x01, 0x33, 0x01, 0x03, 0x7e, 0x42,
  0x01, 0x21, 0x02, 0x02, 0x40, 0x03, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x01,
  0x20, 0x01, 0x20, 0x02, 0x7c, 0x21, 0x03, 0x20, 0x02, 0x21, 0x01, 0x20,
  0x03, 0x21, 0x02, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x0c, 0x00,
  0x0b, 0x0b, 0x41, 0x00, 0x41, 0x04, 0x10, 0x00, 0x20, 0x01, 0x0b, 0x0b,
  0x0a, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x04, 0x66, 0x69, 0x62, 0x3a, 0x00,
  0x34, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x00, 0x0b, 0x0a, 0x65, 0x6d, 0x62,
  0x65, 0x64, 0x5f, 0x64, 0x65, 0x6d, 0x6f, 0x01, 0x0d, 0x02, 0x00, 0x05,
  0x70, 0x72, 0x69, 0x6e, 0x74, 0x01, 0x03, 0x66, 0x69, 0x62, 0x02, 0x11,
  0x02, 0x00, 0x00, 0x01, 0x04, 0x00, 0x01, 0x6e, 0x01, 0x01, 0x61, 0x02,
  0x01, 0x62, 0x03, 0x01, 0x74,
};

bool read_file(const char* path, std::vector<uint8_t>& out) {
  FILE* f = std::fopen(path, "rb");
  if (!f) return false;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  std::fclose(f);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<uint8_t> bytes(kDemo, kDemo + sizeof kDemo);
  if (argc > 1) {
    bytes.clear();
    if (!read_file(argv[1], bytes)) {
      std::fprintf(stderr, "cannot read %s\n", argv[1]);
      return 1;
    }
  }
  const char* export_name = argc > 2 ? argv[2] : "fib";
  int32_t arg = argc > 3 ? int32_t(std::strtol(argv[3], nullptr, 0)) : 50;

  // 1. Compile.  Errors say what is wrong and where (byte offset).
  auto module = Module::compile(bytes);
  if (!module) {
    std::fprintf(stderr, "compile error: %s\n", module.error().to_string().c_str());
    return 1;
  }

  // 2. A store with default limits (see Config for memory/stack/fuel limits).
  Store store;

  // 3. The host function: reads (ptr, len) from the calling instance's
  //    exported "memory", bounds-checked.
  Linker linker;
  auto defined = linker.define_host(
      store, "host", "print", FuncType{{ValType::I32, ValType::I32}, {}},
      [](Caller& caller, std::span<const Value> args, std::span<Value>) -> HostResult {
        Memory mem = caller.memory();
        if (!mem) return Trap("host.print: the caller exports no memory");
        uint8_t* p = mem.ptr(uint32_t(args[0].i32()), uint32_t(args[1].i32()));
        if (!p) return Trap("out of bounds memory access");
        std::printf("guest says: %.*s\n", int(args[1].i32()), reinterpret_cast<const char*>(p));
        return {};
      });
  if (!defined) {
    std::fprintf(stderr, "%s\n", defined.error().to_string().c_str());
    return 1;
  }

  // 4. Instantiate: "unknown import: m.n" / "incompatible import type: ..."
  //    if the module wants something else.
  auto instance = linker.instantiate(store, *module);
  if (!instance) {
    std::fprintf(stderr, "instantiation failed: %s\n", instance.error().to_string().c_str());
    return 1;
  }

  // 5. Call.  The result is either the values or a Trap with a backtrace.
  Func f = instance->get_func(export_name);
  if (!f) {
    std::fprintf(stderr, "no exported function \"%s\"\n", export_name);
    return 1;
  }
  std::vector<Value> args;
  if (f.type().params.size() == 1 && f.type().params[0] == ValType::I32) args.push_back(Value::i32(arg));
  auto results = f.call(store, args);
  if (!results) {
    std::fprintf(stderr, "trap: %s\n", results.error().to_string().c_str());
    return 2;
  }
  std::printf("%s(%d) =", export_name, int(arg));
  for (const Value& v : *results) std::printf(" %s", v.to_string().c_str());
  std::printf("\n");
  return 0;
}
