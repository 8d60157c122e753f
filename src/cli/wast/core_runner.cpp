// src/cli/wast/core_runner.cpp - runs a core spec script converted by wabt's
// wast2json against the Compono engine (compono/core.h).
//
// Every command is one check.  Module commands pass when the module compiles
// and instantiates; assertions pass when the engine behaves as the script
// says.  Text-format modules (module_type "text", only in assert_malformed
// and friends) are skipped.  v128 values are passed and compared lane-wise
// (NaN patterns per float lane).
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/wast/spectest.h"
#include "cli/wast/values.h"
#include "cli/wast/wast.h"
#include "compono/core.h"

namespace compono::cli::wast {
namespace {

using json = nlohmann::json;
namespace w = compono::wasm;

// ---------------------------------------------------------------------------
// Exception-free JSON access.

const json* field(const json& j, const char* name) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(name);
  return it == j.end() ? nullptr : &*it;
}
std::optional<std::string> str_field(const json& j, const char* name) {
  const json* f = field(j, name);
  if (!f || !f->is_string()) return std::nullopt;
  return f->get_ref<const std::string&>();
}
uint64_t line_of(const json& j) {
  const json* f = field(j, "line");
  return (f && f->is_number_unsigned()) ? f->get<uint64_t>() : 0;
}

bool read_bytes(const std::string& path, std::vector<uint8_t>& out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}

// Parse a list of script values ("args" or "expected").
struct Values {
  std::vector<ScriptValue> values;
};
Result<Values> parse_values(const json* list) {
  Values out;
  if (!list) return out;
  if (!list->is_array()) return fail("value list is not an array");
  for (const json& v : *list) {
    auto type = str_field(v, "type");
    if (!type) return fail("value without a type");
    if (*type == "v128") {
      auto lane = str_field(v, "lane_type");
      const json* lanes = field(v, "value");
      if (!lane || !lanes || !lanes->is_array()) return fail("malformed v128 value");
      std::vector<std::string> ls;
      for (const json& l : *lanes) {
        if (!l.is_string()) return fail("malformed v128 lane");
        ls.push_back(l.get<std::string>());
      }
      COMPONO_TRY(ScriptValue sv, parse_v128(*lane, ls.data(), ls.size()));
      out.values.push_back(sv);
      continue;
    }
    auto value = str_field(v, "value");
    if (!value) return fail("value of type " + *type + " without a value");
    COMPONO_TRY(ScriptValue sv, parse_value(*type, *value));
    out.values.push_back(sv);
  }
  return out;
}

w::Value to_engine(const ScriptValue& v) {
  using P = ScriptValue::Pattern;
  switch (v.kind) {
    case Kind::I32: return w::Value::i32(int32_t(uint32_t(v.bits)));
    case Kind::I64: return w::Value::i64(int64_t(v.bits));
    case Kind::F32: return w::Value::f32_from_bits(uint32_t(v.bits));
    case Kind::F64: return w::Value::f64_from_bits(v.bits);
    case Kind::V128: {
      w::V128 x;
      std::memcpy(x.bytes, v.v128.data(), 16);
      return w::Value::v128(x);
    }
    case Kind::FuncRef: return w::Value::null_ref(w::ValType::FuncRef);
    case Kind::ExternRef:
      if (v.pattern == P::Null) return w::Value::null_ref(w::ValType::ExternRef);
      return w::Value::externref(v.bits);
  }
  return w::Value::i32(0);
}

ActualValue from_engine(const w::Value& v) {
  ActualValue a;
  switch (v.type()) {
    case w::ValType::I32: a.kind = Kind::I32; a.bits = uint32_t(v.i32()); break;
    case w::ValType::I64: a.kind = Kind::I64; a.bits = uint64_t(v.i64()); break;
    case w::ValType::F32: a.kind = Kind::F32; a.bits = v.f32_bits(); break;
    case w::ValType::F64: a.kind = Kind::F64; a.bits = v.f64_bits(); break;
    case w::ValType::V128:
      a.kind = Kind::V128;
      std::memcpy(a.v128.data(), v.v128().bytes, 16);
      break;
    case w::ValType::FuncRef: a.kind = Kind::FuncRef; a.is_null = v.is_null(); break;
    case w::ValType::ExternRef:
      a.kind = Kind::ExternRef;
      a.is_null = v.is_null();
      // Every non-null externref in a script run is one the runner made.
      a.ref_is_host_number = !v.is_null();
      a.ref_payload = v.externref();
      break;
    case w::ValType::ExnRef:
      // (wast2json scripts have no exnref results; shown as an opaque reference.)
      a.kind = Kind::ExternRef;
      a.is_null = v.is_null();
      break;
  }
  return a;
}

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) s += ", ";
    s += parts[i];
  }
  return s;
}
std::string values_string(const std::vector<ScriptValue>& vs) {
  std::vector<std::string> p;
  for (const auto& v : vs) p.push_back(to_string(v));
  return "(" + join(p) + ")";
}
std::string actuals_string(const std::vector<w::Value>& vs) {
  std::vector<std::string> p;
  for (const auto& v : vs) p.push_back(to_string(from_engine(v)));
  return "(" + join(p) + ")";
}

// Messages: traps compare by prefix (the spec's rule); linking errors carry
// detail after the spec's text ("unknown import: m.n"), so prefix as well.
bool message_matches(const std::string& actual, const std::string& expected) {
  return actual.compare(0, expected.size(), expected) == 0;
}

// ---------------------------------------------------------------------------

class Runner {
 public:
  Runner(const std::string& json_path, const Options& opts) : opts_(opts), json_path_(json_path) {
    dir_ = std::filesystem::path(json_path).parent_path().string();
    if (dir_.empty()) dir_ = ".";
    w::Config cfg;
    cfg.multi_memory = opts.multi_memory;
    cfg.exceptions = opts.exceptions;
    features_ = cfg;
    // Keep memory bounded but large enough for every spec test.
    store_ = std::make_unique<w::Store>(cfg);
    linker_.allow_shadowing(true);
  }

  Counts run() {
    std::vector<uint8_t> raw;
    if (!read_bytes(json_path_, raw)) return script_error("cannot read " + json_path_);
    json doc = json::parse(raw.begin(), raw.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) return script_error(json_path_ + ": not a valid JSON script");
    source_ = str_field(doc, "source_filename").value_or(json_path_);
    const json* cmds = field(doc, "commands");
    if (!cmds || !cmds->is_array()) return script_error(json_path_ + ": no \"commands\" array");

    if (auto r = define_spectest(*store_, linker_, opts_.verbose ? opts_.out : nullptr); !r)
      return script_error("cannot define the spectest module: " + r.error().to_string());

    for (const json& c : *cmds) run_command(c);
    return counts_;
  }

 private:
  // --- reporting -----------------------------------------------------------
  Counts script_error(const std::string& msg) {
    std::fprintf(opts_.out, "%s\n", msg.c_str());
    counts_.failed++;
    return counts_;
  }
  void pass(uint64_t line, const std::string& what) {
    counts_.passed++;
    if (opts_.verbose) std::fprintf(opts_.out, "%s:%" PRIu64 ": ok: %s\n", source_.c_str(), line, what.c_str());
  }
  void failure(uint64_t line, const std::string& what, const std::string& detail) {
    counts_.failed++;
    std::fprintf(opts_.out, "%s:%" PRIu64 ": FAIL: %s: %s\n", source_.c_str(), line, what.c_str(), detail.c_str());
  }
  void skip(uint64_t line, const std::string& what, const std::string& why) {
    counts_.skipped++;
    if (!opts_.quiet) std::fprintf(opts_.out, "%s:%" PRIu64 ": skipped: %s (%s)\n", source_.c_str(), line, what.c_str(), why.c_str());
  }

  // --- modules -------------------------------------------------------------
  Result<w::Module> compile_file(const std::string& filename) {
    std::vector<uint8_t> bytes;
    std::string path = dir_ + "/" + filename;
    if (!read_bytes(path, bytes)) return fail("cannot read module file " + path);
    return w::Module::compile(bytes, features_);
  }

  void cmd_module(const json& c, uint64_t line) {
    auto filename = str_field(c, "filename");
    auto name = str_field(c, "name");
    std::string what = "module" + (name ? " " + *name : std::string()) + (filename ? " " + *filename : std::string());
    current_ = w::Instance();  // a failed module leaves no current instance
    if (!filename) return failure(line, what, "no filename");
    auto m = compile_file(*filename);
    if (!m) return failure(line, what, "compile error: " + m.error().to_string());
    auto inst = linker_.instantiate(*store_, *m);
    if (!inst) return failure(line, what, "instantiation error: " + inst.error().to_string());
    current_ = *inst;
    if (name) named_[*name] = *inst;
    pass(line, what);
  }

  void cmd_register(const json& c, uint64_t line) {
    auto as = str_field(c, "as");
    auto name = str_field(c, "name");
    std::string what = "register " + as.value_or("?") + (name ? " " + *name : std::string());
    if (!as) return failure(line, what, "no \"as\" name");
    w::Instance inst = current_;
    if (name) {
      auto it = named_.find(*name);
      if (it == named_.end()) return failure(line, what, "unknown module " + *name);
      inst = it->second;
    }
    if (!inst) return failure(line, what, "no module to register");
    if (auto r = linker_.define_instance(*as, inst); !r) return failure(line, what, r.error().to_string());
    pass(line, what);
  }

  // --- actions -------------------------------------------------------------
  struct ActionOutcome {
    enum class Kind { Values, Trap, Error, Skip } kind = Kind::Error;
    std::vector<w::Value> values;
    std::string message;  // trap message / error / skip reason
  };

  std::string describe_action(const json& a) {
    auto type = str_field(a, "type").value_or("?");
    auto fieldname = str_field(a, "field").value_or("?");
    auto module = str_field(a, "module");
    std::string s = type + (module ? " " + *module : std::string()) + " \"" + fieldname + "\"";
    if (type == "invoke") {
      auto args = parse_values(field(a, "args"));
      s += args ? values_string(args->values) : std::string("(?)");
    }
    return s;
  }

  ActionOutcome perform(const json& a) {
    ActionOutcome out;
    auto type = str_field(a, "type");
    auto fieldname = str_field(a, "field");
    if (!type || !fieldname) { out.message = "malformed action"; return out; }
    w::Instance inst = current_;
    if (auto module = str_field(a, "module")) {
      auto it = named_.find(*module);
      if (it == named_.end()) { out.message = "unknown module " + *module; return out; }
      inst = it->second;
    }
    if (!inst) { out.message = "no module instantiated"; return out; }

    if (*type == "get") {
      w::Global g = inst.get_global(*fieldname);
      if (!g) { out.message = "no exported global \"" + *fieldname + "\""; return out; }
      out.kind = ActionOutcome::Kind::Values;
      out.values.push_back(g.get());
      return out;
    }
    if (*type != "invoke") { out.message = "unknown action type " + *type; return out; }
    auto args = parse_values(field(a, "args"));
    if (!args) { out.message = "bad arguments: " + args.error().to_string(); return out; }
    w::Func f = inst.get_func(*fieldname);
    if (!f) { out.message = "no exported function \"" + *fieldname + "\""; return out; }
    std::vector<w::Value> argv;
    for (const auto& v : args->values) argv.push_back(to_engine(v));
    auto r = f.call(*store_, argv);
    if (!r) {
      out.kind = ActionOutcome::Kind::Trap;
      out.message = r.error().message;
      return out;
    }
    out.kind = ActionOutcome::Kind::Values;
    out.values = std::move(*r);
    return out;
  }

  void cmd_action(const json& c, uint64_t line) {
    const json* a = field(c, "action");
    std::string what = a ? describe_action(*a) : std::string("action");
    if (!a) return failure(line, what, "no action");
    auto r = perform(*a);
    switch (r.kind) {
      case ActionOutcome::Kind::Values: return pass(line, what);
      case ActionOutcome::Kind::Skip: return skip(line, what, r.message);
      case ActionOutcome::Kind::Trap: return failure(line, what, "unexpected trap: " + r.message);
      case ActionOutcome::Kind::Error: return failure(line, what, r.message);
    }
  }

  void cmd_assert_return(const json& c, uint64_t line) {
    const json* a = field(c, "action");
    std::string what = "assert_return " + (a ? describe_action(*a) : std::string("?"));
    if (!a) return failure(line, what, "no action");
    auto expected = parse_values(field(c, "expected"));
    if (!expected) return failure(line, what, "bad expected values: " + expected.error().to_string());
    auto r = perform(*a);
    switch (r.kind) {
      case ActionOutcome::Kind::Skip: return skip(line, what, r.message);
      case ActionOutcome::Kind::Error: return failure(line, what, r.message);
      case ActionOutcome::Kind::Trap:
        return failure(line, what, "expected " + values_string(expected->values) + ", got trap \"" + r.message + "\"");
      case ActionOutcome::Kind::Values: break;
    }
    bool ok = r.values.size() == expected->values.size();
    for (size_t i = 0; ok && i < r.values.size(); ++i) ok = matches(expected->values[i], from_engine(r.values[i]));
    if (!ok) return failure(line, what, "expected " + values_string(expected->values) + ", got " + actuals_string(r.values));
    pass(line, what);
  }

  // assert_trap / assert_exhaustion on an action.
  void cmd_assert_trap(const json& c, uint64_t line, const char* kind) {
    const json* a = field(c, "action");
    std::string what = std::string(kind) + " " + (a ? describe_action(*a) : std::string("?"));
    auto text = str_field(c, "text").value_or("");
    if (!a) return failure(line, what, "no action");
    auto r = perform(*a);
    switch (r.kind) {
      case ActionOutcome::Kind::Skip: return skip(line, what, r.message);
      case ActionOutcome::Kind::Error: return failure(line, what, r.message);
      case ActionOutcome::Kind::Values:
        return failure(line, what, "expected trap \"" + text + "\", got " + actuals_string(r.values));
      case ActionOutcome::Kind::Trap: break;
    }
    if (!message_matches(r.message, text))
      return failure(line, what, "expected trap \"" + text + "\", got trap \"" + r.message + "\"");
    pass(line, what);
  }

  // assert_invalid / assert_malformed: the module must fail to compile.
  void cmd_assert_rejected(const json& c, uint64_t line, const std::string& type) {
    auto filename = str_field(c, "filename").value_or("?");
    auto text = str_field(c, "text").value_or("");
    std::string what = type + " " + filename + " \"" + text + "\"";
    if (str_field(c, "module_type").value_or("binary") != "binary")
      return skip(line, what, "text-format module: no text parser");
    auto m = compile_file(filename);
    if (m) return failure(line, what, "expected compile error \"" + text + "\", but the module compiled");
    const std::string& got = m.error().message;
    if (got.find(text) == std::string::npos) {
      counts_.message_mismatches++;
      if (opts_.strict_messages)
        return failure(line, what, "expected \"" + text + "\", got \"" + m.error().to_string() + "\"");
      if (opts_.verbose)
        std::fprintf(opts_.out, "%s:%" PRIu64 ": note: %s: rejected with \"%s\"\n", source_.c_str(), line,
                     what.c_str(), m.error().to_string().c_str());
    }
    pass(line, what);
  }

  // assert_unlinkable / assert_uninstantiable / assert_trap on a module: it
  // compiles but instantiation fails with the given message.
  void cmd_assert_instantiate_fails(const json& c, uint64_t line, const std::string& type) {
    auto filename = str_field(c, "filename").value_or("?");
    auto text = str_field(c, "text").value_or("");
    std::string what = type + " " + filename + " \"" + text + "\"";
    if (str_field(c, "module_type").value_or("binary") != "binary")
      return skip(line, what, "text-format module: no text parser");
    auto m = compile_file(filename);
    if (!m) return failure(line, what, "expected instantiation error \"" + text + "\", got compile error \"" + m.error().to_string() + "\"");
    auto inst = linker_.instantiate(*store_, *m);
    if (inst) return failure(line, what, "expected instantiation error \"" + text + "\", but it instantiated");
    if (!message_matches(inst.error().message, text))
      return failure(line, what, "expected \"" + text + "\", got \"" + inst.error().to_string() + "\"");
    pass(line, what);
  }

  void run_command(const json& c) {
    uint64_t line = line_of(c);
    auto type = str_field(c, "type");
    if (!type) return failure(line, "command", "command without a type");
    const std::string& t = *type;
    if (t == "module") return cmd_module(c, line);
    if (t == "register") return cmd_register(c, line);
    if (t == "action") return cmd_action(c, line);
    if (t == "assert_return") return cmd_assert_return(c, line);
    if (t == "assert_trap") return cmd_assert_trap(c, line, "assert_trap");
    if (t == "assert_exhaustion") return cmd_assert_trap(c, line, "assert_exhaustion");
    if (t == "assert_invalid" || t == "assert_malformed") return cmd_assert_rejected(c, line, t);
    if (t == "assert_unlinkable" || t == "assert_uninstantiable") return cmd_assert_instantiate_fails(c, line, t);
    failure(line, t, "unknown command type");
  }

  Options opts_;
  std::string json_path_;
  std::string dir_;
  std::string source_;
  std::unique_ptr<w::Store> store_;
  w::Config features_;  // the features modules are compiled with
  w::Linker linker_;
  w::Instance current_;
  std::map<std::string, w::Instance> named_;
  Counts counts_;
};

}  // namespace

Counts run_core_json(const std::string& json_path, const Options& opts) {
  Runner r(json_path, opts);
  return r.run();
}

}  // namespace compono::cli::wast
