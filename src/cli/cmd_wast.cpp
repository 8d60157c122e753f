// compono wast: run WebAssembly spec test scripts (see cli/wast/wast.h).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/wast/wast.h"

namespace compono::cli {
void add_wast_command(CLI::App& app) {
  struct State {
    std::vector<std::string> scripts;
    wast::Options opts;
    std::string features;
  };
  auto st = std::make_shared<State>();
  auto* cmd = app.add_subcommand("wast", "Run WebAssembly spec test scripts");
  cmd->footer(
      "SCRIPT is either a .json script produced by wabt's `wast2json` (the .wasm\n"
      "modules it references must be next to it) or a .wast file: core scripts are\n"
      "converted with wast2json into a temporary directory first; component-model\n"
      "scripts are run by the component script runner.\n"
      "\n"
      "Every command of a script is one check.  Failures are printed as\n"
      "`file:line: command: expected ..., got ...`, and the run ends with\n"
      "`N passed, N failed, N skipped`.  Text-format modules (assert_malformed\n"
      "with `module quote`) are skipped (counted): there is no text parser.\n"
      "Exit status: 0 iff nothing failed.\n"
      "The `spectest` module (print*, global_i32/i64/f32/f64, table, memory) is\n"
      "available for import.");
  cmd->add_option("SCRIPT", st->scripts, "Script(s) to run (.json from wast2json, or .wast)")->required();
  cmd->add_flag("-q,--quiet", st->opts.quiet, "Print only failures and the summary");
  cmd->add_flag("-v,--verbose", st->opts.verbose, "Also print every passed and skipped command");
  cmd->add_flag("--strict-messages", st->opts.strict_messages,
                "Fail assert_invalid/assert_malformed whose error message differs from the spec's");
  cmd->add_option("--wasm-features", st->features, wast::kWasmFeaturesHelp)->type_name("LIST");
  cmd->callback([st] {
    std::string err;
    if (!wast::parse_wasm_features(st->features, st->opts.multi_memory, st->opts.exceptions, err)) {
      std::fprintf(stderr, "compono wast: %s\n", err.c_str());
      std::exit(2);
    }
    wast::Counts total;
    for (const auto& s : st->scripts) {
      wast::Counts c = wast::run_script(s, st->opts);
      if (st->scripts.size() > 1 && !st->opts.quiet)
        std::fprintf(st->opts.out, "%s: %llu passed, %llu failed, %llu skipped\n", s.c_str(),
                     static_cast<unsigned long long>(c.passed), static_cast<unsigned long long>(c.failed),
                     static_cast<unsigned long long>(c.skipped));
      total += c;
    }
    wast::print_summary(total, st->opts);
    std::fflush(st->opts.out);
    std::exit(total.failed == 0 ? 0 : 1);
  });
}
}  // namespace compono::cli
