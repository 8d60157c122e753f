// compono wit: placeholder until its owner fills it in.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"

namespace compono::cli {
void add_wit_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("wit", "(not yet implemented)");
  cmd->allow_extras();
  cmd->callback([] {
    std::fprintf(stderr, "compono wit: not yet implemented\n");
    std::exit(2);
  });
}
}  // namespace compono::cli
