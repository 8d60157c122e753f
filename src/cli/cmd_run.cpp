// compono run: run a core WebAssembly module with WASI preview 1
// (components are detected and handed to run_component(), to be filled in
// by the component runtime).
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/component_run.h"
#include "cli/wast/wast.h"
#include "compono/core.h"
#include "compono/wasi.h"
#include "compono/wasi2.h"

namespace compono::cli {
namespace {

// Exit statuses of `compono run` (also in its --help).
constexpr int kExitError = 1;        // unreadable file, invalid module, link error, bad arguments
constexpr int kExitUnsupported = 2;  // a component (not yet supported)
// A trap exits with wasi::kTrapExitStatus (134, as for SIGABRT).

struct RunOptions {
  std::string file;
  std::vector<std::string> args;  // program arguments, or --invoke arguments
  std::vector<std::string> dirs;  // HOST[::GUEST]
  std::vector<std::string> envs;  // K=V
  std::string invoke;
  uint64_t fuel = 0;
  bool fuel_set = false;
  std::string max_memory;
  std::string features;  // --wasm-features (core modules)
};

[[noreturn]] void die(int status, const std::string& msg) {
  std::fflush(stdout);
  std::fprintf(stderr, "compono run: %s\n", msg.c_str());
  std::exit(status);
}

bool read_file(const std::string& path, std::vector<uint8_t>& out, std::string& err) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    err = path + ": " + std::strerror(errno);
    return false;
  }
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  bool bad = std::ferror(f);
  std::fclose(f);
  if (bad) err = path + ": read error";
  return !bad;
}

// "64MiB", "65536", "2G", "100p" (pages) -> 64 KiB pages (rounded down).
bool parse_memory_size(const std::string& s, uint64_t& pages) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (errno || end == s.c_str()) return false;
  std::string suf(end);
  unsigned long long mul;
  if (suf.empty() || suf == "B") mul = 1;
  else if (suf == "K" || suf == "KiB") mul = 1ull << 10;
  else if (suf == "M" || suf == "MiB") mul = 1ull << 20;
  else if (suf == "G" || suf == "GiB") mul = 1ull << 30;
  else if (suf == "p" || suf == "pages") mul = 65536;
  else return false;
  if (v > (1ull << 40) / mul) return false;
  pages = v * mul / 65536;
  return true;
}

// Decimal, or hexadecimal with 0x (never octal: "010" is ten).
int int_base(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  return s.size() > i + 1 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') ? 16 : 10;
}

// Parse a command-line argument as a value of type t.
bool parse_value(const std::string& s, wasm::ValType t, wasm::Value& out) {
  using wasm::ValType;
  using wasm::Value;
  char* end = nullptr;
  errno = 0;
  const int base = int_base(s);
  switch (t) {
    case ValType::I32: {
      long long v = std::strtoll(s.c_str(), &end, base);
      if (errno || *end || end == s.c_str() || v < INT32_MIN || v > int64_t(UINT32_MAX)) return false;
      out = Value::i32(int32_t(uint32_t(v)));
      return true;
    }
    case ValType::I64: {
      if (!s.empty() && s[0] != '-') {
        unsigned long long v = std::strtoull(s.c_str(), &end, base);
        if (errno || *end || end == s.c_str()) return false;
        out = Value::i64(int64_t(v));
        return true;
      }
      long long v = std::strtoll(s.c_str(), &end, base);
      if (errno || *end || end == s.c_str()) return false;
      out = Value::i64(v);
      return true;
    }
    case ValType::F32: {
      float v = std::strtof(s.c_str(), &end);
      if (*end || end == s.c_str()) return false;
      out = Value::f32(v);
      return true;
    }
    case ValType::F64: {
      double v = std::strtod(s.c_str(), &end);
      if (*end || end == s.c_str()) return false;
      out = Value::f64(v);
      return true;
    }
    case ValType::ExternRef: {
      if (s == "null") {
        out = Value::null_ref(t);
        return true;
      }
      unsigned long long v = std::strtoull(s.c_str(), &end, base);
      if (errno || *end || end == s.c_str()) return false;
      out = Value::externref(v);
      return true;
    }
    case ValType::FuncRef:
      if (s != "null") return false;
      out = Value::null_ref(t);
      return true;
    default:
      return false;
  }
}

std::string format_value(const wasm::Value& v) {
  char buf[64];
  switch (v.type()) {
    case wasm::ValType::I32: std::snprintf(buf, sizeof buf, "%" PRId32, v.i32()); return buf;
    case wasm::ValType::I64: std::snprintf(buf, sizeof buf, "%" PRId64, v.i64()); return buf;
    case wasm::ValType::F32: std::snprintf(buf, sizeof buf, "%.9g", double(v.f32())); return buf;
    case wasm::ValType::F64: std::snprintf(buf, sizeof buf, "%.17g", v.f64()); return buf;
    default: return v.to_string();
  }
}

// The component runtime plugs in here.
int run_component(const RunOptions& o, const std::vector<uint8_t>& bytes) {
  ComponentRunOptions c;
  c.file = o.file;
  c.args = o.args;
  c.env = o.envs;
  c.invoke = o.invoke;
  if (o.fuel_set) c.fuel = o.fuel;
  for (auto& d : o.dirs) {
    size_t sep = d.find("::");
    if (sep == std::string::npos) c.preopens.push_back({d, d});
    else c.preopens.push_back({d.substr(0, sep), d.substr(sep + 2)});
  }
  if (!o.max_memory.empty()) {
    uint64_t pages;
    if (!parse_memory_size(o.max_memory, pages))
      die(kExitError, "invalid --max-memory '" + o.max_memory + "' (e.g. 65536, 64K, 16MiB, 1G, 10p)");
    c.max_memory_pages = std::min<uint64_t>(pages, 65536);
  }
  (void)kExitUnsupported;
  return run_component_file(c, bytes);
}

int run_core_module(const RunOptions& o, const std::vector<uint8_t>& bytes) {
  wasm::Config config;
  if (!o.max_memory.empty()) {
    uint64_t pages;
    if (!parse_memory_size(o.max_memory, pages))
      die(kExitError, "invalid --max-memory '" + o.max_memory + "' (e.g. 65536, 64K, 16MiB, 1G, 10p)");
    config.max_memory_pages = std::min<uint64_t>(pages, 65536);
  }
  config.consume_fuel = o.fuel_set;
  std::string ferr;
  if (!wast::parse_wasm_features(o.features, config.multi_memory, config.exceptions, ferr)) die(kExitError, ferr);

  auto module = wasm::Module::compile(bytes, config);
  if (!module) die(kExitError, o.file + ": " + module.error().to_string());

  wasi::Preview1Config wc;
  wc.args.push_back(o.file);
  if (o.invoke.empty()) wc.args.insert(wc.args.end(), o.args.begin(), o.args.end());
  for (auto& e : o.envs) {
    if (e.find('=') == std::string::npos) die(kExitError, "invalid --env '" + e + "' (expected KEY=VALUE)");
    wc.env.push_back(e);
  }
  for (auto& d : o.dirs) {
    size_t sep = d.find("::");
    if (sep == std::string::npos) wc.preopens.push_back({d, d});
    else wc.preopens.push_back({d.substr(0, sep), d.substr(sep + 2)});
    if (wc.preopens.back().host_path.empty() || wc.preopens.back().guest_path.empty())
      die(kExitError, "invalid --dir '" + d + "' (expected HOST or HOST::GUEST)");
  }
  auto ctx = wasi::Preview1::create(wc);
  if (!ctx) die(kExitError, ctx.error().to_string());

  wasm::Store store(config);
  if (o.fuel_set) store.set_fuel(o.fuel);
  wasm::Linker linker;
  if (auto r = ctx->add_to_linker(store, linker); !r) die(kExitError, r.error().to_string());
  auto inst = linker.instantiate(store, *module);
  if (!inst) {
    std::fflush(stdout);
    // A start function that calls proc_exit ends the program normally.
    if (auto code = ctx->exit_code()) std::exit(*code);
    die(kExitError, o.file + ": " + inst.error().to_string());
  }

  auto report = [&](const wasm::CallResult& r) -> int {
    std::fflush(stdout);
    if (!r && !r.error().exit_code) std::fprintf(stderr, "compono run: trap: %s\n", r.error().to_string().c_str());
    return wasi::exit_status(r);
  };

  if (o.invoke.empty()) {
    wasm::Func start = inst->get_func("_start");
    if (!start) die(kExitError, o.file + ": no `_start` export (use --invoke NAME to call another export)");
    return report(start.call(store, {}));
  }

  // A reactor is initialised before the call.
  if (wasm::Func init = inst->get_func("_initialize")) {
    auto r = init.call(store, {});
    if (!r) return report(r);
  }
  wasm::Func f = inst->get_func(o.invoke);
  if (!f) die(kExitError, o.file + ": no exported function `" + o.invoke + "`");
  wasm::FuncType t = f.type();
  if (o.args.size() != t.params.size())
    die(kExitError, "`" + o.invoke + "` takes " + std::to_string(t.params.size()) + " argument(s) " +
                        t.to_string() + ", got " + std::to_string(o.args.size()));
  std::vector<wasm::Value> args;
  for (size_t i = 0; i < t.params.size(); ++i) {
    wasm::Value v;
    if (!parse_value(o.args[i], t.params[i], v))
      die(kExitError, "argument " + std::to_string(i + 1) + " '" + o.args[i] + "' is not a valid " +
                          wasm::to_string(t.params[i]));
    args.push_back(v);
  }
  auto r = f.call(store, args);
  if (r) {
    for (auto& v : *r) std::printf("%s\n", format_value(v).c_str());
  }
  return report(r);
}

int run(const RunOptions& o) {
  std::vector<uint8_t> bytes;
  std::string err;
  if (!read_file(o.file, bytes, err)) die(kExitError, err);
  // Header: "\0asm", then a 16-bit version and a 16-bit layer (0 = core module, 1 = component).
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), "\0asm", 4) == 0 && bytes[6] == 1 && bytes[7] == 0)
    return run_component(o, bytes);
  return run_core_module(o, bytes);
}

// WASI 0.2 for components (wasi2): args (program name first), env, preopens.
Result<void> setup_wasi2(component::Linker& linker, component::Store&, const ComponentRunOptions& o) {
  wasi2::Config c;
  if (o.invoke.empty()) {
    c.args.push_back(o.file);
    c.args.insert(c.args.end(), o.args.begin(), o.args.end());
  }
  for (const auto& e : o.env) {
    auto kv = wasi2::parse_env(e);
    if (!kv) return fail("invalid --env '" + e + "' (expected KEY=VALUE)");
    c.env.push_back(*kv);
  }
  for (const auto& [host, guest] : o.preopens) {
    if (host.empty() || guest.empty()) return fail("invalid --dir '" + host + "::" + guest + "'");
    c.preopens.push_back({host, guest});
  }
  return wasi2::add_to_linker(linker, c);
}

}  // namespace

void add_run_command(CLI::App& app) {
  set_component_host_setup(&setup_wasi2);
  auto o = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Run a WebAssembly module (WASI preview 1 command or reactor)");
  cmd->add_option("FILE", o->file, "The .wasm file")->required();
  cmd->add_option("ARGS", o->args,
                  "Program arguments (after `--` if they look like options), or with --invoke the "
                  "function's arguments");
  cmd->add_option("--dir", o->dirs, "Preopen host directory HOST as guest path GUEST (HOST[::GUEST]; repeatable)")
      ->type_name("HOST[::GUEST]")
      ->allow_extra_args(false);  // one value per --dir, so options may precede FILE
  cmd->add_option("--env", o->envs, "Set a guest environment variable (repeatable; the host's is not inherited)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--invoke", o->invoke,
                  "Call export NAME with ARGS parsed by its parameter types (after `_initialize` if "
                  "exported) and print the results, one per line, instead of running `_start`")
      ->type_name("NAME");
  auto* fuel = cmd->add_option("--fuel", o->fuel, "Run with N units of fuel (one per call and loop iteration)")
                   ->type_name("N");
  cmd->add_option("--max-memory", o->max_memory,
                  "Cap each linear memory at SIZE (bytes; suffixes K, M, G or p for 64 KiB pages)")
      ->type_name("SIZE");
  cmd->add_option("--wasm-features", o->features, wast::kWasmFeaturesHelp)->type_name("LIST");
  cmd->footer(
      "The guest sees only the --dir directories: paths leaving them (`..`, absolute\n"
      "paths, symlinks pointing outside) fail with ENOTCAPABLE.\n"
      "\n"
      "Exit status: the program's exit code (proc_exit, or 0 when _start returns);\n"
      "134 if it trapped (the trap and its backtrace go to stderr); 1 for an unreadable\n"
      "or invalid module, a link error or bad arguments; 2 for a component (not yet\n"
      "supported).");
  cmd->callback([o, fuel] {
    o->fuel_set = fuel->count() > 0;
    std::signal(SIGPIPE, SIG_IGN);
    int status = run(*o);
    std::fflush(stdout);
    std::fflush(stderr);
    std::exit(status);
  });
}

}  // namespace compono::cli
