// compono: the command-line entry point.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Compono: a C++ toolkit and runtime for the WebAssembly Component Model"};
  app.set_version_flag("--version", "compono 0.1.0");
  app.require_subcommand(1);
  compono::cli::add_run_command(app);
  compono::cli::add_wast_command(app);
  compono::cli::add_wit_command(app);
  compono::cli::add_bindgen_command(app);
  compono::cli::add_new_command(app);
  compono::cli::add_inspect_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
