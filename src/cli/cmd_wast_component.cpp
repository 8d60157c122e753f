// compono wast, component path: runs Component Model spec scripts (.wast with
// top-level `(component ...)` forms) on Compono's component runtime.
//
// Component text is turned into binary by `jco parse` (npm
// @bytecodealliance/jco, found at .tools/node_modules next to the source
// tree, or $COMPONO_JCO_API = path of jco's dist/api.js); one node process
// converts every text of a script, and results are cached in
// $COMPONO_JCO_CACHE (default ~/.cache/compono/jco).
//
// Commands: (component [$id] [definition] ...), (component instance $i $Def),
// (invoke "f" args...), (assert_return (invoke ...) results...),
// (assert_trap (invoke ...) "msg"), (assert_invalid ...), (assert_malformed
// ...), (assert_unlinkable ...).  Values: (u32.const 1), (str.const "s"),
// (char.const "c"), (list.const v...), (record.const (field "n" v...)...),
// (tuple.const v...), (variant.const "case" v?), (enum.const "c"),
// (option.some v), (option.none), (result.ok v?), (result.err v?),
// (flags.const "a" ...).  Scripts under an `async/` directory are skipped
// (each command counted as skipped): the async ABI is not implemented.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/wast/wast.h"
#include "component/wast_split.h"
#include "compono/component.h"

namespace fs = std::filesystem;

namespace compono::cli::wast {
namespace {

using compono::component::Kind;
using compono::component::Val;
using compono::wast::SExpr;

const char* kJcoScript = R"JS(
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [apiPath, inPath, outPath] = process.argv.slice(2);
const { parse } = await import(pathToFileURL(apiPath).href);
const texts = JSON.parse(readFileSync(inPath, 'utf8'));
const out = [];
for (const t of texts) {
  try {
    const bytes = await parse(t);
    out.push({ ok: true, hex: Buffer.from(bytes).toString('hex') });
  } catch (e) {
    out.push({ ok: false, error: String(e && e.message ? e.message : e).slice(0, 500) });
  }
}
writeFileSync(outPath, JSON.stringify(out));
)JS";

std::string read_text(const fs::path& p) {
  std::string out;
  std::FILE* f = std::fopen(p.c_str(), "rb");
  if (!f) return out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}
bool write_text(const fs::path& p, const std::string& data) {
  std::FILE* f = std::fopen(p.c_str(), "wb");
  if (!f) return false;
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  ok = std::fclose(f) == 0 && ok;
  return ok;
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) { h ^= c; h *= 1099511628211ull; }
  return h;
}

fs::path find_jco_api() {
  if (const char* e = std::getenv("COMPONO_JCO_API")) return e;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> starts;
  if (!ec) starts.push_back(exe.parent_path());
  starts.push_back(fs::current_path(ec));
  for (fs::path d : starts) {
    for (int i = 0; i < 8 && !d.empty(); ++i) {
      fs::path p = d / ".tools/node_modules/@bytecodealliance/jco/dist/api.js";
      if (fs::exists(p, ec)) return p;
      if (d == d.parent_path()) break;
      d = d.parent_path();
    }
  }
  return {};
}

fs::path cache_dir() {
  if (const char* e = std::getenv("COMPONO_JCO_CACHE")) return e;
  if (const char* x = std::getenv("XDG_CACHE_HOME")) return fs::path(x) / "compono/jco";
  if (const char* h = std::getenv("HOME")) return fs::path(h) / ".cache/compono/jco";
  return "/tmp/compono-jco-cache";
}

struct Converted {
  bool ok = false;
  std::string bytes_or_error;
};

// Convert component texts with jco (cached).
std::map<std::string, Converted> convert(const std::vector<std::string>& texts, std::string& unavailable) {
  std::map<std::string, Converted> res;
  fs::path dir = cache_dir();
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::vector<std::string> todo;
  auto key = [](const std::string& t) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a(t)));
    return std::string(buf);
  };
  for (auto& t : texts) {
    if (res.count(t)) continue;
    fs::path base = dir / key(t);
    if (fs::exists(base.string() + ".wasm", ec)) res[t] = {true, read_text(base.string() + ".wasm")};
    else if (fs::exists(base.string() + ".err", ec)) res[t] = {false, read_text(base.string() + ".err")};
    else { res[t] = {false, "not converted"}; todo.push_back(t); }
  }
  if (todo.empty()) return res;
  fs::path api = find_jco_api();
  if (api.empty()) { unavailable = "jco not found (run scripts/setup.sh or set COMPONO_JCO_API)"; return res; }
  std::string tag = std::to_string(::getpid());
  fs::path script = dir / ("jco_parse-" + tag + ".mjs");
  fs::path in = dir / ("batch-in-" + tag + ".json"), out = dir / ("batch-out-" + tag + ".json");
  write_text(script, kJcoScript);
  write_text(in, nlohmann::json(todo).dump());
  fs::remove(out, ec);
  std::string cmd = "node '" + script.string() + "' '" + api.string() + "' '" + in.string() + "' '" + out.string() + "'";
  int rc = std::system(cmd.c_str());
  auto j = nlohmann::json::parse(read_text(out), nullptr, false);
  fs::remove(in, ec);
  fs::remove(out, ec);
  fs::remove(script, ec);
  if (rc != 0 || !j.is_array() || j.size() != todo.size()) {
    unavailable = "running node/jco failed (exit " + std::to_string(rc) + ")";
    return res;
  }
  for (size_t k = 0; k < todo.size(); ++k) {
    Converted c;
    c.ok = j[k].value("ok", false);
    if (c.ok) {
      std::string hex = j[k].value("hex", "");
      for (size_t i = 0; i + 1 < hex.size(); i += 2) c.bytes_or_error += char(std::stoi(hex.substr(i, 2), nullptr, 16));
    } else {
      c.bytes_or_error = j[k].value("error", "jco parse failed");
    }
    fs::path base = dir / key(todo[k]);
    fs::path target = base.string() + (c.ok ? ".wasm" : ".err");
    fs::path tmp = target.string() + "." + tag;
    if (write_text(tmp, c.bytes_or_error)) {
      fs::rename(tmp, target, ec);
      if (ec) fs::remove(tmp, ec);
    }
    res[todo[k]] = std::move(c);
  }
  return res;
}

// A (component ...) form: its id, whether it is a definition/instance
// command, and its payload (text for jco, or binary bytes).
struct CompForm {
  std::string id;
  bool definition = false;
  bool instance_cmd = false;  // (component instance $i $Def)
  std::string inst_def;       // $Def
  bool binary = false;
  bool quote = false;
  std::string payload;
  std::string error;
};

CompForm parse_component(std::string_view src, const SExpr& e) {
  CompForm f;
  auto kids = compono::wast::children(src, e);
  if (!kids) { f.error = kids.error().message; return f; }
  auto& k = *kids;
  size_t i = 1;
  if (i < k.size() && k[i].text == "instance") {
    f.instance_cmd = true;
    ++i;
    if (i < k.size() && k[i].text.substr(0, 1) == "$") f.id = std::string(k[i++].text);
    if (i < k.size()) f.inst_def = std::string(k[i].text);
    return f;
  }
  if (i < k.size() && k[i].text == "definition") { f.definition = true; ++i; }
  if (i < k.size() && !k[i].is_list() && !k[i].is_string() && k[i].text.substr(0, 1) == "$") f.id = std::string(k[i++].text);
  if (i < k.size() && k[i].text == "definition") { f.definition = true; ++i; }
  if (i < k.size() && k[i].text == "binary") {
    auto bytes = compono::wast::concat_strings(k, i + 1);
    if (!bytes) { f.error = bytes.error().message; return f; }
    f.binary = true;
    f.payload = *bytes;
    return f;
  }
  if (i < k.size() && k[i].text == "quote") {
    auto text = compono::wast::concat_strings(k, i + 1);
    if (!text) { f.error = text.error().message; return f; }
    f.quote = true;
    f.payload = "(component " + f.id + " " + *text + ")";
    return f;
  }
  size_t from = i < k.size() ? k[i].begin : e.end - 1;
  f.payload = "(component " + f.id + " " + std::string(src.substr(from, e.end - from));
  return f;
}

// ---- values

bool parse_int(std::string_view t, bool is_signed, int bits, uint64_t& out) {
  std::string s;
  for (char c : t) if (c != '_') s += c;
  bool neg = false;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) { neg = s[i] == '-'; ++i; }
  if (i >= s.size()) return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str() + i, &end, 0);
  if (errno || *end) return false;
  uint64_t mask = bits == 64 ? ~0ull : ((1ull << bits) - 1);
  if (neg) {
    if (!is_signed && v != 0) {
      // Wasmtime accepts negative literals for unsigned as two's complement.
    }
    v = uint64_t(0) - v;
  }
  out = v & mask;
  if (is_signed && bits < 64 && (out >> (bits - 1)) & 1) out |= ~mask;  // sign-extend
  return true;
}

bool parse_float(std::string_view t, bool is32, uint64_t& bits) {
  std::string s;
  for (char c : t) if (c != '_') s += c;
  if (s.rfind("nan:", 0) == 0 || s.rfind("-nan:", 0) == 0 || s.rfind("+nan:", 0) == 0) {
    bool neg = s[0] == '-';
    uint64_t payload = std::strtoull(s.c_str() + s.find(':') + 1, nullptr, 0);
    if (is32) bits = (neg ? 0x80000000u : 0) | 0x7f800000u | (payload & 0x7fffff);
    else bits = (neg ? 0x8000000000000000ull : 0) | 0x7ff0000000000000ull | (payload & 0xfffffffffffffull);
    return true;
  }
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (*end) return false;
  if (is32) {
    float f = float(d);
    uint32_t b;
    std::memcpy(&b, &f, 4);
    bits = b;
  } else {
    std::memcpy(&bits, &d, 8);
  }
  return true;
}

char32_t first_cp(const std::string& s) {
  if (s.empty()) return 0;
  unsigned char c = s[0];
  if (c < 0x80) return c;
  size_t len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
  char32_t cp = c & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
  for (size_t k = 1; k < len && k < s.size(); ++k) cp = (cp << 6) | (s[k] & 0x3f);
  return cp;
}

Result<Val> parse_val_parts(std::string_view src, const std::vector<SExpr>& k, size_t head_index);

Result<Val> parse_val(std::string_view src, const SExpr& e) {
  auto kids = compono::wast::children(src, e);
  if (!kids) return fail(kids.error().message);
  return parse_val_parts(src, *kids, 0);
}

// k[head_index] is the head atom ("u32.const"), the rest its operands.
Result<Val> parse_val_parts(std::string_view src, const std::vector<SExpr>& k, size_t h) {
  if (h >= k.size()) return fail("empty value");
  std::string head(k[h].text);
  auto arg = [&](size_t i) -> std::string_view { return h + 1 + i < k.size() ? k[h + 1 + i].text : std::string_view(); };
  size_t nargs = k.size() - h - 1;
  auto str_arg = [&](size_t i) -> Result<std::string> {
    if (h + 1 + i >= k.size()) return fail("missing string in " + head);
    return compono::wast::unquote(k[h + 1 + i].text);
  };
  struct IntK { const char* name; Kind kind; bool sign; int bits; };
  static const IntK ints[] = {{"u8.const", Kind::U8, false, 8},   {"s8.const", Kind::S8, true, 8},
                              {"u16.const", Kind::U16, false, 16}, {"s16.const", Kind::S16, true, 16},
                              {"u32.const", Kind::U32, false, 32}, {"s32.const", Kind::S32, true, 32},
                              {"u64.const", Kind::U64, false, 64}, {"s64.const", Kind::S64, true, 64},
                              {"i32.const", Kind::U32, false, 32}, {"i64.const", Kind::U64, false, 64}};
  for (auto& ik : ints) {
    if (head != ik.name) continue;
    uint64_t v;
    if (!parse_int(arg(0), ik.sign, ik.bits, v)) return fail("bad integer `" + std::string(arg(0)) + "`");
    return Val::scalar(ik.kind, v);
  }
  if (head == "bool.const") {
    if (arg(0) == "true") return Val::bool_(true);
    if (arg(0) == "false") return Val::bool_(false);
    return fail("bad bool");
  }
  if (head == "f32.const" || head == "f64.const") {
    uint64_t b;
    if (!parse_float(arg(0), head[1] == '3', b)) return fail("bad float `" + std::string(arg(0)) + "`");
    return head[1] == '3' ? Val::f32_bits(uint32_t(b)) : Val::f64_bits(b);
  }
  if (head == "char.const") {
    COMPONO_TRY(std::string s, str_arg(0));
    return Val::char_(first_cp(s));
  }
  if (head == "str.const") {
    COMPONO_TRY(std::string s, str_arg(0));
    return Val::string(std::move(s));
  }
  if (head == "list.const" || head == "tuple.const") {
    std::vector<Val> items;
    for (size_t i = h + 1; i < k.size(); ++i) {
      COMPONO_TRY(Val v, parse_val(src, k[i]));
      items.push_back(std::move(v));
    }
    return head == "list.const" ? Val::list(std::move(items)) : Val::tuple(std::move(items));
  }
  if (head == "record.const") {
    std::vector<std::pair<std::string, Val>> fields;
    for (size_t i = h + 1; i < k.size(); ++i) {
      auto fk = compono::wast::children(src, k[i]);
      if (!fk || fk->size() < 3 || (*fk)[0].text != "field") return fail("bad record field");
      COMPONO_TRY(std::string name, compono::wast::unquote((*fk)[1].text));
      Result<Val> v = (*fk)[2].is_list() ? parse_val(src, (*fk)[2]) : parse_val_parts(src, *fk, 2);
      if (!v) return fail(v.error().message);
      fields.emplace_back(std::move(name), std::move(*v));
    }
    return Val::record(std::move(fields));
  }
  if (head == "variant.const") {
    COMPONO_TRY(std::string c, str_arg(0));
    if (nargs >= 2) {
      COMPONO_TRY(Val v, parse_val(src, k[h + 2]));
      return Val::variant(std::move(c), std::move(v));
    }
    return Val::variant(std::move(c));
  }
  if (head == "enum.const") {
    COMPONO_TRY(std::string c, str_arg(0));
    return Val::enum_(std::move(c));
  }
  if (head == "option.none") return Val::none();
  if (head == "option.some") {
    if (nargs < 1) return fail("option.some needs a value");
    COMPONO_TRY(Val v, parse_val(src, k[h + 1]));
    return Val::some(std::move(v));
  }
  if (head == "result.ok" || head == "result.err") {
    std::optional<Val> p;
    if (nargs >= 1) { COMPONO_TRY(Val v, parse_val(src, k[h + 1])); p = std::move(v); }
    return head == "result.ok" ? Val::ok(std::move(p)) : Val::err(std::move(p));
  }
  if (head == "flags.const") {
    std::vector<std::string> l;
    for (size_t i = 0; i < nargs; ++i) { COMPONO_TRY(std::string s, str_arg(i)); l.push_back(std::move(s)); }
    return Val::flags(std::move(l));
  }
  return fail("unsupported value form `" + head + "`");
}

bool same(const Val& a, const Val& e) {
  // Integer kinds from i32.const/i64.const compare by value.
  auto is_int = [](Kind k) { return k >= Kind::S8 && k <= Kind::U64; };
  if (is_int(a.kind()) && is_int(e.kind())) {
    return a.raw_bits() == e.raw_bits() ||
           (uint32_t(a.raw_bits()) == uint32_t(e.raw_bits()) && a.kind() != Kind::S64 && a.kind() != Kind::U64);
  }
  if (a.kind() != e.kind()) return false;
  switch (a.kind()) {
    case Kind::F32: {
      float x = a.as_f32(), y = e.as_f32();
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
      return a.raw_bits() == e.raw_bits();
    }
    case Kind::F64: {
      double x = a.as_f64(), y = e.as_f64();
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
      return a.raw_bits() == e.raw_bits();
    }
    case Kind::List: case Kind::Tuple: case Kind::Record:
      if (a.elems().size() != e.elems().size()) return false;
      if (a.kind() == Kind::Record && a.field_names() != e.field_names()) return false;
      for (size_t i = 0; i < a.elems().size(); ++i)
        if (!same(a.elems()[i], e.elems()[i])) return false;
      return true;
    case Kind::Variant: case Kind::Enum: case Kind::Option: case Kind::Result:
      if (a.case_name() != e.case_name() || a.raw_bits() != e.raw_bits()) return false;
      if (a.has_payload() != e.has_payload()) return false;
      return !a.has_payload() || same(*a.payload(), *e.payload());
    case Kind::Flags: {
      auto x = a.flag_names(), y = e.flag_names();
      std::sort(x.begin(), x.end());
      std::sort(y.begin(), y.end());
      return x == y;
    }
    default: return a == e;
  }
}

std::string vals_text(const std::vector<Val>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i].to_string();
  return s.empty() ? "()" : s;
}

std::string strip_wasm_trap(std::string m) {
  const std::string p = "wasm trap: ";
  if (m.rfind(p, 0) == 0) m = m.substr(p.size());
  return m;
}

struct Runner {
  const Options& opts;
  std::string path;
  std::string src;
  Counts counts;
  component::Store store;
  component::Linker linker;
  component::Instance current;
  std::map<std::string, component::Component> defs;
  std::map<std::string, Converted> converted;
  std::string jco_unavailable;

  Runner(const Options& o, std::string p) : opts(o), path(std::move(p)) {}

  void pass(const SExpr& e, std::string_view what) {
    ++counts.passed;
    if (opts.verbose) std::fprintf(opts.out, "%s:%zu: %.*s: ok\n", path.c_str(), e.line, int(what.size()), what.data());
  }
  void failed(const SExpr& e, std::string_view what, const std::string& msg) {
    ++counts.failed;
    std::fprintf(opts.out, "%s:%zu: %.*s: %s\n", path.c_str(), e.line, int(what.size()), what.data(), msg.c_str());
  }
  void skip(const SExpr& e, std::string_view what, const std::string& why, bool always_print = false) {
    ++counts.skipped;
    if (opts.verbose || always_print) std::fprintf(opts.out, "%s:%zu: %.*s: skipped (%s)\n", path.c_str(), e.line, int(what.size()), what.data(), why.c_str());
  }

  // Component bytes of a form (binary, or converted text).
  bool bytes_of(const CompForm& f, std::string& bytes, std::string& err) {
    if (!f.error.empty()) { err = f.error; return false; }
    if (f.binary) { bytes = f.payload; return true; }
    auto it = converted.find(f.payload);
    if (it == converted.end() || (!it->second.ok && !jco_unavailable.empty())) {
      err = jco_unavailable.empty() ? "not converted" : jco_unavailable;
      return false;
    }
    if (!it->second.ok) { err = "jco parse: " + it->second.bytes_or_error; return false; }
    bytes = it->second.bytes_or_error;
    return true;
  }

  Result<component::Component> compile(const std::string& bytes) {
    return component::Component::compile(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }

  Result<component::Instance> instantiate(const component::Component& c) { return linker.instantiate(store, c); }

  // (invoke "f" args...) -> results or trap.
  bool invoke(const SExpr& inv, Result<std::vector<Val>, component::Trap>& out, std::string& err) {
    auto k = compono::wast::children(src, inv);
    if (!k || k->size() < 2 || (*k)[0].text != "invoke") { err = "malformed invoke"; return false; }
    size_t i = 1;
    if ((*k)[i].text.substr(0, 1) == "$") ++i;
    auto name = compono::wast::unquote((*k)[i].text);
    if (!name) { err = name.error().message; return false; }
    std::vector<Val> args;
    for (size_t j = i + 1; j < k->size(); ++j) {
      auto v = parse_val(src, (*k)[j]);
      if (!v) { err = v.error().message; return false; }
      args.push_back(std::move(*v));
    }
    if (!current) { err = "no component instance to invoke"; return false; }
    component::Func f = current.get_func(*name);
    if (!f) { err = "no exported function `" + *name + "`"; return false; }
    out = f.call(store, args);
    return true;
  }

  // (Embedded core modules may use multi-memory and exception handling:
  // the component runtime compiles them with both features on.)
  void run_component_cmd(const SExpr& e) {
    CompForm f = parse_component(src, e);
    if (f.instance_cmd) {
      auto it = defs.find(f.inst_def);
      if (it == defs.end()) return failed(e, "component instance", "unknown component definition " + f.inst_def);
      auto inst = instantiate(it->second);
      if (!inst) return failed(e, "component instance", "instantiation failed: " + inst.error().to_string());
      current = *inst;
      return pass(e, "component instance");
    }
    std::string bytes, err;
    if (!bytes_of(f, bytes, err)) return failed(e, "component", err);
    auto c = compile(bytes);
    if (!c) return failed(e, "component", "invalid: " + c.error().to_string());
    if (!f.id.empty()) defs[f.id] = *c;
    if (f.definition) return pass(e, "component definition");
    auto inst = instantiate(*c);
    if (!inst) return failed(e, "component", "instantiation failed: " + inst.error().to_string());
    current = *inst;
    pass(e, "component");
  }

  void run_assert_fail(const SExpr& e, std::string_view h) {
    auto k = compono::wast::children(src, e);
    if (!k || k->size() < 2) return failed(e, h, "malformed command");
    const SExpr& ce = (*k)[1];
    std::string expected;
    if (k->size() >= 3) {
      auto m = compono::wast::unquote((*k)[2].text);
      if (m) expected = *m;
    }
    if (compono::wast::head(ce.text) != "component") return skip(e, h, "not a component");
    CompForm f = parse_component(src, ce);
    std::string bytes, err;
    if (!bytes_of(f, bytes, err)) {
      // jco rejected the text: a malformed/invalid text component.
      if (f.binary || !jco_unavailable.empty() || err.rfind("jco parse: ", 0) != 0) return failed(e, h, err);
      return pass(e, h);
    }
    auto c = compile(bytes);
    if (h == "assert_unlinkable") {
      if (!c) return failed(e, h, "invalid: " + c.error().to_string());
      auto inst = instantiate(*c);
      if (inst) return failed(e, h, "expected a link error \"" + expected + "\", but it instantiated");
      return pass(e, h);
    }
    if (c) return failed(e, h, "expected \"" + expected + "\", but the component is valid");
    if (!expected.empty() && c.error().message.find(expected) == std::string::npos) ++counts.message_mismatches;
    if (opts.strict_messages && !expected.empty() && c.error().message.find(expected) == std::string::npos) {
      --counts.message_mismatches;
      return failed(e, h, "expected \"" + expected + "\", got \"" + c.error().message + "\"");
    }
    pass(e, h);
  }

  void run_assert_return(const SExpr& e) {
    auto k = compono::wast::children(src, e);
    if (!k || k->size() < 2) return failed(e, "assert_return", "malformed command");
    Result<std::vector<Val>, component::Trap> r = std::vector<Val>{};
    std::string err;
    if (!invoke((*k)[1], r, err)) return failed(e, "assert_return", err);
    if (!r) return failed(e, "assert_return", "trapped: " + r.error().message);
    std::vector<Val> expected;
    for (size_t i = 2; i < k->size(); ++i) {
      auto v = parse_val(src, (*k)[i]);
      if (!v) return failed(e, "assert_return", v.error().message);
      expected.push_back(std::move(*v));
    }
    bool ok = r->size() == expected.size();
    for (size_t i = 0; ok && i < expected.size(); ++i) ok = same((*r)[i], expected[i]);
    if (!ok) return failed(e, "assert_return", "expected " + vals_text(expected) + ", got " + vals_text(*r));
    pass(e, "assert_return");
  }

  void run_assert_trap(const SExpr& e) {
    auto k = compono::wast::children(src, e);
    if (!k || k->size() < 3) return failed(e, "assert_trap", "malformed command");
    auto m = compono::wast::unquote((*k)[2].text);
    std::string expected = strip_wasm_trap(m ? *m : "");
    if (compono::wast::head((*k)[1].text) == "component") {
      CompForm f = parse_component(src, (*k)[1]);
      std::string bytes, err;
      if (!bytes_of(f, bytes, err)) return failed(e, "assert_trap", err);
      auto c = compile(bytes);
      if (!c) return failed(e, "assert_trap", "invalid: " + c.error().to_string());
      auto inst = instantiate(*c);
      if (inst) return failed(e, "assert_trap", "expected trap \"" + expected + "\", but it instantiated");
      if (inst.error().message.find(expected) == std::string::npos)
        return failed(e, "assert_trap", "expected trap \"" + expected + "\", got \"" + inst.error().message + "\"");
      return pass(e, "assert_trap");
    }
    Result<std::vector<Val>, component::Trap> r = std::vector<Val>{};
    std::string err;
    if (!invoke((*k)[1], r, err)) return failed(e, "assert_trap", err);
    if (r) return failed(e, "assert_trap", "expected trap \"" + expected + "\", got " + vals_text(*r));
    if (r.error().message.find(expected) == std::string::npos)
      return failed(e, "assert_trap", "expected trap \"" + expected + "\", got \"" + r.error().message + "\"");
    pass(e, "assert_trap");
  }

  Counts run() {
    src = read_text(path);
    auto top = compono::wast::split_toplevel(src);
    if (!top) {
      std::fprintf(opts.out, "%s: %s\n", path.c_str(), top.error().to_string().c_str());
      counts.failed = 1;
      return counts;
    }
    bool async_dir = path.find("/async/") != std::string::npos || path.rfind("async/", 0) == 0;
    if (async_dir) {
      for (auto& e : *top) skip(e, compono::wast::head(e.text), "async ABI not implemented");
      return counts;
    }
    // Collect texts to convert.
    std::vector<std::string> texts;
    auto collect = [&](const SExpr& ce) {
      CompForm f = parse_component(src, ce);
      if (!f.instance_cmd && !f.binary && f.error.empty()) texts.push_back(f.payload);
    };
    for (auto& e : *top) {
      std::string_view h = compono::wast::head(e.text);
      if (h == "component") collect(e);
      else if (h.rfind("assert_", 0) == 0) {
        auto k = compono::wast::children(src, e);
        if (k && k->size() >= 2 && compono::wast::head((*k)[1].text) == "component") collect((*k)[1]);
      }
    }
    converted = convert(texts, jco_unavailable);
    for (auto& e : *top) {
      std::string_view h = compono::wast::head(e.text);
      if (h == "component") run_component_cmd(e);
      else if (h == "assert_return") run_assert_return(e);
      else if (h == "assert_trap") run_assert_trap(e);
      else if (h == "assert_invalid" || h == "assert_malformed" || h == "assert_unlinkable") run_assert_fail(e, h);
      else if (h == "invoke") {
        Result<std::vector<Val>, component::Trap> r = std::vector<Val>{};
        std::string err;
        if (!invoke(e, r, err)) failed(e, "invoke", err);
        else if (!r) failed(e, "invoke", "trapped: " + r.error().message);
        else pass(e, "invoke");
      } else {
        skip(e, h, "unsupported command");
      }
    }
    return counts;
  }
};

Counts run_component_script(const std::string& wast_path, const Options& opts) {
  Runner r(opts, wast_path);
  return r.run();
}

// Register the component runner with `compono wast` (see wast.h).
struct Registrar {
  Registrar() { set_component_script_runner(&run_component_script); }
} registrar;

}  // namespace
}  // namespace compono::cli::wast
