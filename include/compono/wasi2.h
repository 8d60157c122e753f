// compono/wasi2.h - the WASI 0.2 host for components.
//
// Adds every WASI 0.2 interface a wasi:cli/command component may import
// (wasi:cli, wasi:io, wasi:clocks, wasi:random, wasi:filesystem) to a
// component Linker.  Definitions are made at version 0.2.12; the Linker
// matches any semver-compatible 0.2.x import.
//
//   compono::wasi2::Config cfg;
//   cfg.args = {"prog.wasm", "a"};
//   cfg.env = {{"K", "V"}};
//   cfg.preopens = {{"/tmp/sandbox", "/sandbox"}};
//   compono::component::Linker linker;
//   if (auto r = compono::wasi2::add_to_linker(linker, cfg); !r) ...;
//   auto inst = linker.instantiate(store, comp);
//   auto run = inst->get_func("wasi:cli/run@0.2.0#run");
//
// wasi:cli/exit surfaces as a Trap with exit_code set (Trap::exit).
// Filesystem paths are confined to the preopens exactly as for preview 1
// (src/wasi/preview1_os.h resolve()): absolute paths, `..` and symlinks
// leaving a preopen fail with error-code `not-permitted`.
// Host state lives as long as the Linker's definitions (shared ownership).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compono/component.h"
#include "compono/result.h"

namespace compono::wasi2 {

struct Preopen {
  std::string host_path;   // a host directory
  std::string guest_path;  // its name for the guest (wasi:filesystem/preopens)
};

struct Config {
  std::vector<std::string> args;  // wasi:cli/environment get-arguments (args[0] = program name)
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<Preopen> preopens;
  std::optional<std::string> initial_cwd;
  // Host fds behind wasi:cli/stdin, stdout and stderr (not closed by the host).
  int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;
};

// Define the WASI 0.2 imports in `linker`.  Errors: a preopen that can't be
// opened as a directory, or a duplicate definition in the linker.
Result<void> add_to_linker(component::Linker& linker, const Config& config);

// Parse "KEY=VALUE" (the CLI's --env) into a pair; nullopt without '='.
std::optional<std::pair<std::string, std::string>> parse_env(const std::string& kv);

}  // namespace compono::wasi2
