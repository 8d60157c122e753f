// compono new CORE.wasm -o COMPONENT.wasm: a core module carrying
// `component-type:*` custom sections (see `compono wit embed`) -> a component.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "component/new/new.h"

namespace compono::cli {
namespace {
struct NewArgs {
  std::string input, output;
  bool no_validate = false;
  bool verbose = false;
};
NewArgs g_new;

bool read_file(const std::string& path, std::vector<uint8_t>& out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}
}  // namespace

void add_new_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "new",
      "Make a component from a core module that carries `component-type:*` custom sections\n"
      "(embed a world with `compono wit embed`).  Imports are lowered with memory, realloc and\n"
      "the world's string encoding through a table of trampolines; exports are lifted (with\n"
      "cabi_post_* when present); `_initialize` runs once at instantiation.  Like wit-component,\n"
      "world imports the module does not use are dropped and imported interfaces are trimmed\n"
      "to what is used.");
  cmd->add_option("input", g_new.input, "Core wasm module with component-type sections")->required();
  cmd->add_option("-o,--output", g_new.output, "Output component")->required();
  cmd->add_flag("--skip-validation", g_new.no_validate, "Do not validate the result");
  cmd->add_flag("-v,--verbose", g_new.verbose, "Print sizes and counts");
  cmd->callback([] {
    std::vector<uint8_t> in;
    if (!read_file(g_new.input, in)) {
      std::fprintf(stderr, "compono new: cannot read %s\n", g_new.input.c_str());
      std::exit(1);
    }
    component::NewOptions o;
    o.validate = !g_new.no_validate;
    auto r = component::make_component(in, o);
    if (!r) {
      std::fprintf(stderr, "compono new: %s: %s\n", g_new.input.c_str(), r.error().to_string().c_str());
      std::exit(1);
    }
    std::FILE* f = std::fopen(g_new.output.c_str(), "wb");
    if (!f || std::fwrite(r->bytes.data(), 1, r->bytes.size(), f) != r->bytes.size()) {
      if (f) std::fclose(f);
      std::fprintf(stderr, "compono new: cannot write %s\n", g_new.output.c_str());
      std::exit(1);
    }
    std::fclose(f);
    if (g_new.verbose)
      std::printf("%s: %zu bytes (core module %zu bytes), %u lowered, %u lifted, %u trampolines, %u unused imports dropped\n",
                  g_new.output.c_str(), r->bytes.size(), in.size(), r->lowered, r->lifted, r->trampolines,
                  r->dropped_imports);
  });
}
}  // namespace compono::cli
