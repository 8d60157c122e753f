// compono bindgen: C++ bindings from WIT.
//   compono bindgen cpp --world W WITPATH -o OUTDIR [--name BASE] [--host]
//                      [--manual-borrows] [--features a,b] [--all-features]
// Guest bindings (default): OUTDIR/<base>.h and OUTDIR/<base>.cpp.
// --host: host bindings (src/bindgen/host_cpp.cpp).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bindgen/bindgen.h"
#include "cli/commands.h"
#include "wit/wit.h"

namespace compono::cli {
namespace {
struct BindgenArgs {
  std::string path, world, out = ".", name;
  std::vector<std::string> features;
  bool all_features = false, host = false, manual_borrows = false;
};

int run_bindgen_cpp(const BindgenArgs& a) {
  wit::Options o;
  for (const auto& f : a.features) {
    std::size_t s = 0;
    while (s <= f.size()) {
      std::size_t c = f.find(',', s);
      std::string one = f.substr(s, c == std::string::npos ? std::string::npos : c - s);
      if (!one.empty()) o.features.push_back(one);
      if (c == std::string::npos) break;
      s = c + 1;
    }
  }
  o.all_features = a.all_features;
  auto loaded = wit::load_path(a.path, o);
  if (!loaded) {
    std::fprintf(stderr, "error: %s\n", loaded.error().to_string().c_str());
    return 1;
  }
  auto world = loaded->resolve.select_world(loaded->main, a.world);
  if (!world) {
    std::fprintf(stderr, "error: %s\n", world.error().to_string().c_str());
    return 1;
  }
  std::vector<std::string> notes;
  Result<std::vector<bindgen::File>> files = [&]() -> Result<std::vector<bindgen::File>> {
    if (a.host) {
      bindgen::HostOptions ho;
      ho.basename = a.name;
      return bindgen::generate_host_cpp(loaded->resolve, *world, ho);
    }
    bindgen::GuestOptions go;
    go.basename = a.name;
    go.manual_borrows = a.manual_borrows;
    go.notes = &notes;
    return bindgen::generate_guest_cpp(loaded->resolve, *world, go);
  }();
  if (!files) {
    std::fprintf(stderr, "error: %s\n", files.error().to_string().c_str());
    return 1;
  }
  for (const auto& n : notes) std::fprintf(stderr, "note: %s\n", n.c_str());
  auto written = bindgen::write_files(*files, a.out);
  if (!written) {
    std::fprintf(stderr, "error: %s\n", written.error().to_string().c_str());
    return 1;
  }
  return 0;
}
}  // namespace

void add_bindgen_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("bindgen", "Generate bindings from WIT");
  cmd->require_subcommand(1);
  auto args = std::make_shared<BindgenArgs>();
  auto* cpp = cmd->add_subcommand("cpp", "C++ bindings (guest by default; --host for host bindings)");
  cpp->add_option("wit", args->path, "WIT file or directory")->required();
  cpp->add_option("--world,-w", args->world, "World: name in the main package or ns:pkg/name");
  cpp->add_option("-o,--out-dir", args->out, "Output directory (default .)");
  cpp->add_option("--name", args->name, "Base name of the generated files (default: the world, snake_case)");
  cpp->add_flag("--host", args->host, "Host bindings instead of guest bindings");
  cpp->add_flag("--manual-borrows", args->manual_borrows,
                "Guest: borrows an export receives are not dropped by the glue; the user calls "
                "compono::Borrow::drop() on each before returning");
  cpp->add_option("--features", args->features, "Enable @unstable features (comma-separated)");
  cpp->add_flag("--all-features", args->all_features, "Enable every @unstable feature");
  cpp->callback([args] { std::exit(run_bindgen_cpp(*args)); });
}
}  // namespace compono::cli
