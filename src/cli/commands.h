// src/cli/commands.h - every `compono` subcommand registers itself here.
#pragma once

namespace CLI { class App; }

namespace compono::cli {
// Each function adds one subcommand (with --help and its own callback) to app.
void add_run_command(CLI::App& app);      // cmd_run.cpp: run a module or component
void add_wast_command(CLI::App& app);     // cmd_wast.cpp: spec scripts (core JSON, component .wast)
void add_wit_command(CLI::App& app);      // cmd_wit.cpp: WIT tools (print, ...)
void add_bindgen_command(CLI::App& app);  // cmd_bindgen.cpp: C++ guest/host bindings
void add_new_command(CLI::App& app);      // cmd_new.cpp: core module -> component
void add_inspect_command(CLI::App& app);  // cmd_inspect.cpp: print a component's WIT
}  // namespace compono::cli
