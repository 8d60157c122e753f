// src/cli/component_run.h - `compono run` for components (the component
// runtime's part of cmd_run.cpp), and the hook through which the WASI 0.2
// host adds its functions to the component Linker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compono/component.h"

namespace compono::cli {

struct ComponentRunOptions {
  std::string file;
  std::vector<std::string> args;  // program arguments (wasi:cli/run) or --invoke arguments
  std::vector<std::pair<std::string, std::string>> preopens;  // host, guest
  std::vector<std::string> env;   // KEY=VALUE
  std::string invoke;             // WAVE call "greet({name: \"World\"})" or a bare name
  std::optional<uint64_t> fuel;
  uint64_t max_memory_pages = 65536;
};

// Set by the WASI 0.2 host (e.g. from a static registrar in its own CLI
// source): define the wasi:* imports in `linker` for this run.  Returning an
// error aborts the run with that message.
using ComponentHostSetup = Result<void> (*)(component::Linker& linker, component::Store& store,
                                            const ComponentRunOptions& opts);
void set_component_host_setup(ComponentHostSetup setup);

// Run a component: with `invoke`, call that export with WAVE arguments and
// print its result as WAVE; otherwise call `wasi:cli/run@0.2.x#run`.
// Returns the process exit status (0 ok, 1 error / err result, 134 trap,
// or the guest's exit code).
int run_component_file(const ComponentRunOptions& opts, const std::vector<uint8_t>& bytes);

}  // namespace compono::cli
