// compono/wasi.h - WASI hosts for the embedding API.
//
// WASI preview 1 (`wasi_snapshot_preview1`) for core modules, such as the
// programs clang builds for wasm32-wasi with wasi-libc:
//
//   using namespace compono;
//   wasi::Preview1Config cfg;
//   cfg.args = {"prog.wasm", "hello"};
//   cfg.env = {"HOME=/"};
//   cfg.preopens = {{"/tmp/data", "/data"}};          // host dir, guest name
//   auto ctx = wasi::Preview1::create(cfg);           // Result<Preview1>
//   wasm::Store store;
//   wasm::Linker linker;
//   ctx->add_to_linker(store, linker);                // defines every import
//   auto inst = linker.instantiate(store, module);
//   auto r = inst->get_func("_start").call(store, {});
//   int code = wasi::exit_status(r);                  // proc_exit code, 0, or 134 on a trap
//
// Sandbox: the guest sees only the preopened directories.  Paths are
// resolved one component at a time beneath the preopen with our own symlink
// expansion; absolute paths, `..` above the preopen, and symlinks (absolute
// or relative) leading outside are refused with errno `notcapable` (76,
// ENOTCAPABLE in wasi-libc).  Creating a symlink with an absolute target is
// refused the same way.
//
// proc_exit(code) ends the call with a wasm::Trap whose exit_code is set
// (wasm::Trap::exit); it is not a fault.  Writes to a closed pipe return
// `pipe`; an embedder should ignore SIGPIPE (`compono run` does).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compono/core.h"
#include "compono/result.h"

namespace compono::wasi {

namespace p1 {
class Ctx;
}

// A host directory made visible to the guest under `guest_path`
// (`--dir HOST::GUEST`; an empty guest_path means the host path itself).
struct Preopen {
  std::string host_path;
  std::string guest_path;
};

struct Preview1Config {
  std::vector<std::string> args;  // argv, args[0] being the program name
  std::vector<std::string> env;   // "KEY=VALUE" entries
  std::vector<Preopen> preopens;  // become guest fds 3, 4, ... in this order
  // Host fds duplicated as the guest's fds 0, 1, 2 (-1: /dev/null).
  int stdin_fd = 0;
  int stdout_fd = 1;
  int stderr_fd = 2;
};

// The state of one WASI preview 1 guest: arguments, environment and its fd
// table.  Copies share the same state, and so do the host functions
// add_to_linker() defines (they hold a reference), so the state lives as
// long as any of them.  One Preview1 serves one instance at a time.
class Preview1 {
 public:
  // Fails if a preopened directory can't be opened ("wasi: cannot open
  // preopened directory 'x': No such file or directory").
  static Result<Preview1> create(const Preview1Config& config);

  // Define every `wasi_snapshot_preview1` function in `linker`.
  Result<void> add_to_linker(wasm::Store& store, wasm::Linker& linker) const;

  // The code passed to proc_exit, once the guest has called it.
  std::optional<int> exit_code() const;

  // The function names this host provides (all of preview 1).
  static std::vector<std::string> function_names();

 private:
  std::shared_ptr<p1::Ctx> ctx_;
};

// Exit status of a finished `_start` call, as a command-line runner reports
// it: 0 on normal return, the proc_exit code when the guest exited (a
// process exit status keeps only its low 8 bits), and kTrapExitStatus (134,
// as for SIGABRT) when it trapped.
constexpr int kTrapExitStatus = 134;
int exit_status(const wasm::CallResult& result);

}  // namespace compono::wasi
