// compono wit: WIT tools.
//   compono wit print PATH [--features a,b] [--all-features]
//                                  (PATH: .wit file, directory, a WIT package in
//                                   binary form, or a .wasm core module /
//                                   component-type payload carrying a world)
//   compono wit check PATH                       (parse + resolve, report errors)
//   compono wit component-type PATH --world W -o OUT.wasm
//   compono wit embed --world W WITDIR CORE.wasm -o OUT.wasm
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "wit/wit.h"

namespace compono::cli {
namespace {

struct WitArgs {
  std::string path;
  std::string world;
  std::string module;
  std::string output;
  std::vector<std::string> features;
  bool all_features = false;
};

wit::Options options_of(const WitArgs& a) {
  wit::Options o;
  for (auto& f : a.features) {
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
  return o;
}

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "error: %s\n", msg.c_str());
  std::exit(1);
}

std::vector<std::uint8_t> read_bytes(const std::string& path);

wit::Loaded load_or_die(const WitArgs& a) {
  // a core module with a component-type section, or a component-type payload
  if (a.path.size() > 5 && a.path.compare(a.path.size() - 5, 5, ".wasm") == 0) {
    std::vector<std::uint8_t> bytes = read_bytes(a.path);
    bool component = bytes.size() >= 8 && bytes[4] == 0x0d;
    if (!component) {
      auto r = wit::decode_embedded_world(bytes);
      if (!r) die(a.path + ": " + r.error().to_string());
      return std::move(*r);
    }
    // A component is either a WIT package in binary form or the payload of a
    // component-type section (one world).
    auto pkg = wit::decode_package(bytes);
    if (pkg) return std::move(*pkg);
    auto world = wit::decode_world_type(bytes);
    if (world) return std::move(*world);
    die(a.path + ": neither a WIT package in binary form (" + pkg.error().to_string() +
        ") nor a component-type payload (" + world.error().to_string() + ")");
  }
  auto r = wit::load_path(a.path, options_of(a));
  if (!r) die(r.error().to_string());
  return std::move(*r);
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) die(path + ": cannot open");
  std::vector<std::uint8_t> out;
  unsigned char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  std::fclose(f);
  return out;
}

void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) die(path + ": cannot create");
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok) die(path + ": write failed");
}

void add_feature_flags(CLI::App* c, WitArgs& a) {
  c->add_option("--features", a.features, "Enable @unstable features (comma-separated)");
  c->add_flag("--all-features", a.all_features, "Enable every @unstable feature");
}

}  // namespace

void add_wit_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("wit", "WIT tools: print, check, component-type, embed");
  cmd->require_subcommand(1);
  static WitArgs a;

  auto* print = cmd->add_subcommand("print", "Print the resolved WIT package(s) of a file or directory");
  print->add_option("path", a.path, "WIT file, directory (with deps/), a WIT package in binary form (.wasm component), or a core .wasm with a component-type section")
      ->required();
  add_feature_flags(print, a);
  print->callback([] {
    wit::Loaded l = load_or_die(a);
    std::string s = wit::print_loaded(l);
    std::fwrite(s.data(), 1, s.size(), stdout);
  });

  auto* check = cmd->add_subcommand("check", "Parse and resolve WIT; report the first error");
  check->add_option("path", a.path, "WIT file or directory (with deps/)")->required();
  add_feature_flags(check, a);
  check->callback([] {
    wit::Loaded l = load_or_die(a);
    std::printf("ok: %zu packages, %zu interfaces, %zu worlds, %zu types\n", l.resolve.packages.size(),
                l.resolve.interfaces.size(), l.resolve.worlds.size(), l.resolve.types.size());
  });

  auto* ct = cmd->add_subcommand("component-type", "Encode a world as a binary component type");
  ct->add_option("path", a.path, "WIT file or directory")->required();
  ct->add_option("--world,-w", a.world, "World name (default: the main package's only world)");
  ct->add_option("-o,--output", a.output, "Output file")->required();
  add_feature_flags(ct, a);
  ct->callback([] {
    wit::Loaded l = load_or_die(a);
    auto w = l.resolve.select_world(l.main, a.world);
    if (!w) die(w.error().to_string());
    auto bytes = wit::encode_world_type(l.resolve, *w);
    if (!bytes) die(bytes.error().to_string());
    write_bytes(a.output, *bytes);
  });

  auto* embed = cmd->add_subcommand("embed", "Append a component-type:<world> custom section to a core module");
  embed->add_option("--world,-w", a.world, "World name (default: the main package's only world)");
  embed->add_option("wit", a.path, "WIT file or directory")->required();
  embed->add_option("module", a.module, "Core wasm module")->required();
  embed->add_option("-o,--output", a.output, "Output file")->required();
  add_feature_flags(embed, a);
  embed->callback([] {
    wit::Loaded l = load_or_die(a);
    auto w = l.resolve.select_world(l.main, a.world);
    if (!w) die(w.error().to_string());
    auto out = wit::embed_world_type(l.resolve, *w, read_bytes(a.module));
    if (!out) die(out.error().to_string());
    write_bytes(a.output, *out);
  });
}

}  // namespace compono::cli
