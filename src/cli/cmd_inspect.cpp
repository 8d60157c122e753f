// compono inspect: print a component's imports and exports as a WIT world
// (or a core module's imports and exports).
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "compono/component.h"
#include "compono/core.h"

namespace compono::cli {
namespace {

int inspect(const std::string& file) {
  std::vector<uint8_t> bytes;
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) {
    std::fprintf(stderr, "compono inspect: %s: %s\n", file.c_str(), std::strerror(errno));
    return 1;
  }
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.insert(bytes.end(), buf, buf + n);
  std::fclose(f);
  bool is_component = bytes.size() >= 8 && std::memcmp(bytes.data(), "\0asm", 4) == 0 && bytes[6] == 1 && bytes[7] == 0;
  if (is_component) {
    auto c = component::Component::compile(bytes);
    if (!c) {
      std::fprintf(stderr, "compono inspect: %s: %s\n", file.c_str(), c.error().to_string().c_str());
      return 1;
    }
    std::printf("%s", c->to_wit().c_str());
    return 0;
  }
  auto m = wasm::Module::compile(bytes);
  if (!m) {
    std::fprintf(stderr, "compono inspect: %s: %s\n", file.c_str(), m.error().to_string().c_str());
    return 1;
  }
  std::printf("core module {\n");
  for (auto& i : m->imports())
    std::printf("  import \"%s\" \"%s\": %s\n", i.module.c_str(), i.name.c_str(), i.type.to_string().c_str());
  for (auto& e : m->exports()) std::printf("  export \"%s\": %s\n", e.name.c_str(), e.type.to_string().c_str());
  std::printf("}\n");
  return 0;
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("inspect", "Print a component's imports and exports as WIT");
  cmd->add_option("FILE", *file, "The component (or core module) .wasm file")->required();
  cmd->footer("Exit status: 0 on success, 1 for an unreadable or invalid file.");
  cmd->callback([file] {
    int rc = inspect(*file);
    std::fflush(stdout);
    std::exit(rc);
  });
}

}  // namespace compono::cli
