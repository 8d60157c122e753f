// src/cli/wast/wast.h - the `compono wast` spec-script runner.
//
// Runs WebAssembly spec test scripts: core scripts as converted by wabt's
// `wast2json` (a .json file with the .wasm modules next to it), or a .wast
// file, which is converted with wast2json into a temporary directory first.
// Component-model .wast scripts (those with a top-level `(component`) are
// handed to a pluggable hook (see set_component_script_runner); until a
// component runner registers itself they are reported as one failure.
//
// Every command of a script counts as one check: passed, failed or skipped.
// Failures are printed as "file:line: <command>: expected ..., got ..." and
// the run ends with "N passed, N failed, N skipped".
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace compono::cli::wast {

struct Options {
  bool quiet = false;            // only failures and the summary line
  bool verbose = false;          // also print every passed/skipped command
  bool strict_messages = false;  // assert_invalid/assert_malformed must match the spec's message
  std::FILE* out = stdout;       // where results are printed
  // Post-2.0 core features for core scripts (wasm::Config::multi_memory,
  // ::exceptions); off = WebAssembly 2.0.  Component scripts always have
  // both (the component runtime turns them on).
  bool multi_memory = false;
  bool exceptions = false;
};

// Parses a --wasm-features list: comma-separated "multi-memory",
// "exceptions" (or "exception-handling"), "all", "none".  Returns false and
// sets `err` on an unknown name.  Shared by `compono run` and `compono wast`.
bool parse_wasm_features(const std::string& list, bool& multi_memory, bool& exceptions, std::string& err);
inline const char* kWasmFeaturesHelp =
    "Enable post-2.0 core features for core modules: a comma-separated list of "
    "multi-memory, exceptions (exception handling: tags, throw, throw_ref, try_table, exnref), "
    "all, none (default: none, i.e. WebAssembly 2.0; components always have both)";

struct Counts {
  uint64_t passed = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;
  // assert_invalid/assert_malformed that failed as required but with another
  // message than the spec's (counted as passed unless strict_messages).
  uint64_t message_mismatches = 0;
  Counts& operator+=(const Counts& o) {
    passed += o.passed; failed += o.failed; skipped += o.skipped;
    message_mismatches += o.message_mismatches;
    return *this;
  }
};

// Run a wast2json-produced script.  Never throws; a broken script (bad
// JSON, missing module file) is reported as a failure.
Counts run_core_json(const std::string& json_path, const Options& opts);

// Run one script: .json (wast2json output) or .wast (core: converted with
// wast2json into a temporary directory; component: dispatched to the
// component hook).
Counts run_script(const std::string& path, const Options& opts);

// True if the .wast source text contains a top-level `(component` form.
bool is_component_script(const std::string& wast_text);

// Hook for the component-model script runner (owned by another part of the
// CLI).  It receives the .wast path and must print its own failures.
using ComponentScriptRunner = Counts (*)(const std::string& wast_path, const Options& opts);
void set_component_script_runner(ComponentScriptRunner runner);

// Prints "N passed, N failed, N skipped" (plus a note on message mismatches).
void print_summary(const Counts& c, const Options& opts);

}  // namespace compono::cli::wast
