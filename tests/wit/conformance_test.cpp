// parser-ui conformance: every pass case resolves (and matches the reference
// resolver's structure in its .wit.json), every parse-fail case is rejected.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common.h"

using namespace wit_test;
using compono::wit::Loaded;
using json = nlohmann::ordered_json;

namespace {

std::string pkg_of_ref(const json& ref, const json& pkgidx) {
  if (pkgidx.is_null()) return "";
  return ref["packages"][pkgidx.get<std::size_t>()]["name"].get<std::string>();
}

// Import/export key as a string: a name, or "ns:pkg@ver/iface" for interface keys.
std::string ref_key(const json& ref, const std::string& key) {
  if (key.rfind("interface-", 0) == 0) {
    std::size_t id = std::stoul(key.substr(10));
    const json& i = ref["interfaces"][id];
    return pkg_of_ref(ref, i["package"]) + "/" + i["name"].get<std::string>();
  }
  return key;
}

std::string my_key(const compono::wit::Resolve& r, const compono::wit::WorldItem& it) {
  if (!it.name.empty()) return it.name;
  const auto& i = r.interfaces[it.interface];
  return r.packages[i.package].name.to_string() + "/" + i.name;
}

std::string join(const std::vector<std::string>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s + "]";
}

// Type uses rendered the same way from the reference JSON and from our model:
// named types by name, anonymous ones structurally ("own<r>", "list<u8, 4>").
std::string ref_type(const json& ref, const json& t, int depth = 0) {
  if (t.is_string()) return t.get<std::string>();
  if (!t.is_number() || depth > 50) return "?";
  const json& d = ref["types"][t.get<std::size_t>()];
  if (d["name"].is_string()) return d["name"].get<std::string>();
  const json& k = d["kind"];
  if (!k.is_object() || k.empty()) return "?";
  const std::string kind = k.begin().key();
  const json& v = k.begin().value();
  auto r = [&](const json& x) { return x.is_null() ? std::string("_") : ref_type(ref, x, depth + 1); };
  if (kind == "handle") return (v.contains("own") ? "own<" + r(v["own"]) : "borrow<" + r(v["borrow"])) + ">";
  if (kind == "list" || kind == "option") return kind + "<" + r(v) + ">";
  if (kind == "fixed-length-list") return "list<" + r(v[0]) + ", " + std::to_string(v[1].get<std::uint64_t>()) + ">";
  if (kind == "map") return "map<" + r(v[0]) + ", " + r(v[1]) + ">";
  if (kind == "result") return "result<" + r(v["ok"]) + ", " + r(v["err"]) + ">";
  if (kind == "future" || kind == "stream") return v.is_null() ? kind : kind + "<" + r(v) + ">";
  if (kind == "type") return r(v);
  if (kind == "tuple") {
    std::string s = "tuple<";
    for (std::size_t i = 0; i < v["types"].size(); ++i) s += (i ? ", " : "") + r(v["types"][i]);
    return s + ">";
  }
  return kind;
}

std::string my_type(const compono::wit::Resolve& rs, compono::wit::Type t, int depth = 0) {
  using namespace compono::wit;
  if (!t.is_def()) return print_type(rs, t);
  const TypeDef& d = rs.types[t.id];
  if (!d.name.empty()) return d.name;
  if (depth > 50) return "?";
  auto r = [&](Type x) { return my_type(rs, x, depth + 1); };
  auto ro = [&](const std::optional<Type>& x) { return x ? r(*x) : std::string("_"); };
  switch (d.kind) {
    case TypeDefKind::Handle: return (d.handle_kind == HandleKind::Own ? "own<" : "borrow<") + r(d.type) + ">";
    case TypeDefKind::List: return "list<" + r(d.type) + ">";
    case TypeDefKind::Option: return "option<" + r(d.type) + ">";
    case TypeDefKind::FixedList: return "list<" + r(d.type) + ", " + std::to_string(d.length) + ">";
    case TypeDefKind::Map: return "map<" + r(d.key) + ", " + r(d.type) + ">";
    case TypeDefKind::Result: return "result<" + ro(d.ok) + ", " + ro(d.err) + ">";
    case TypeDefKind::Future: return d.payload ? "future<" + r(*d.payload) + ">" : "future";
    case TypeDefKind::Stream: return d.payload ? "stream<" + r(*d.payload) + ">" : "stream";
    case TypeDefKind::Alias: return r(d.type);
    case TypeDefKind::Tuple: {
      std::string s = "tuple<";
      for (std::size_t i = 0; i < d.types.size(); ++i) s += (i ? ", " : "") + r(d.types[i]);
      return s + ">";
    }
    default: return "?";
  }
}

// Kind of a named type as the reference names it.
std::string ref_kind(const json& ref, std::size_t id) {
  const json& k = ref["types"][id]["kind"];
  if (k.is_string()) return k.get<std::string>();
  return k.begin().key();
}

std::string my_kind(const compono::wit::Resolve& rs, compono::wit::TypeId id) {
  using namespace compono::wit;
  const TypeDef& d = rs.types[id];
  switch (d.kind) {
    case TypeDefKind::Record: return "record";
    case TypeDefKind::Variant: return "variant";
    case TypeDefKind::Enum: return "enum";
    case TypeDefKind::Flags: return "flags";
    case TypeDefKind::Resource: return "resource";
    case TypeDefKind::Alias:
      if (d.type.is_def() && rs.types[d.type.id].name.empty()) {
        switch (rs.types[d.type.id].kind) {
          case TypeDefKind::Handle: return "handle";
          case TypeDefKind::List: return "list";
          case TypeDefKind::FixedList: return "fixed-length-list";
          case TypeDefKind::Map: return "map";
          case TypeDefKind::Option: return "option";
          case TypeDefKind::Result: return "result";
          case TypeDefKind::Tuple: return "tuple";
          case TypeDefKind::Future: return "future";
          case TypeDefKind::Stream: return "stream";
          default: return "?";
        }
      }
      return "type";
    default: return "?";
  }
}

std::string ref_sig(const json& ref, const json& f) {
  std::string s = "(";
  for (std::size_t i = 0; i < f["params"].size(); ++i)
    s += (i ? ", " : "") + f["params"][i]["name"].get<std::string>() + ": " + ref_type(ref, f["params"][i]["type"]);
  s += ")";
  if (f.contains("result") && !f["result"].is_null()) s += " -> " + ref_type(ref, f["result"]);
  return s;
}

std::string my_sig(const compono::wit::Resolve& rs, const compono::wit::Function& f) {
  std::string s = "(";
  for (std::size_t i = 0; i < f.params.size(); ++i)
    s += (i ? ", " : "") + f.params[i].name + ": " + my_type(rs, f.params[i].type);
  s += ")";
  if (f.result) s += " -> " + my_type(rs, *f.result);
  return s;
}

std::string ref_stab(const json& item) {
  if (!item.is_object() || !item.contains("stability")) return "";
  const json& s = item["stability"];
  std::string out;
  if (s.contains("stable")) {
    out = "@since(" + s["stable"].value("since", std::string()) + ")";
    if (s["stable"].contains("deprecated")) out += "@deprecated(" + s["stable"]["deprecated"].get<std::string>() + ")";
  } else if (s.contains("unstable")) {
    out = "@unstable(" + s["unstable"].value("feature", std::string()) + ")";
    if (s["unstable"].contains("deprecated")) out += "@deprecated(" + s["unstable"]["deprecated"].get<std::string>() + ")";
  }
  return out;
}

std::string my_stab(const compono::wit::Stability& s) {
  using K = compono::wit::Stability::Kind;
  std::string out;
  if (s.kind == K::Stable) out = "@since(" + s.since + ")";
  if (s.kind == K::Unstable) out = "@unstable(" + s.feature + ")";
  if (!s.deprecated.empty() && s.kind != K::Unknown) out += "@deprecated(" + s.deprecated + ")";
  return out;
}

// Compares names and order of packages, interfaces, types (and their kinds),
// functions (and their signatures), worlds and world imports/exports.
// Returns "" when they agree.
std::string compare_structure(const Loaded& l, const json& ref) {
  const auto& r = l.resolve;
  std::vector<std::string> mine, theirs;
  for (auto& p : r.packages) mine.push_back(p.name.to_string());
  for (auto& p : ref["packages"]) theirs.push_back(p["name"].get<std::string>());
  std::sort(mine.begin(), mine.end());
  std::sort(theirs.begin(), theirs.end());
  if (mine != theirs) return "packages " + join(mine) + " vs reference " + join(theirs);
  for (auto& rp : ref["packages"]) {
    std::string pname = rp["name"].get<std::string>();
    const compono::wit::Package* p = nullptr;
    for (auto& x : r.packages)
      if (x.name.to_string() == pname) p = &x;
    std::vector<std::string> a, b;
    for (auto& [n, id] : p->interfaces) a.push_back(n);
    for (auto& [n, id] : rp["interfaces"].items()) b.push_back(n);
    if (a != b) return pname + ": interfaces " + join(a) + " vs reference " + join(b);
    a.clear();
    b.clear();
    for (auto& [n, id] : p->worlds) a.push_back(n);
    for (auto& [n, id] : rp["worlds"].items()) b.push_back(n);
    if (a != b) return pname + ": worlds " + join(a) + " vs reference " + join(b);
    for (auto& [n, id] : p->interfaces) {
      const auto& mi = r.interfaces[id];
      const json& ri = ref["interfaces"][rp["interfaces"][n].get<std::size_t>()];
      a.clear();
      b.clear();
      for (auto& [tn, tid] : mi.types) a.push_back(tn);
      for (auto& [tn, tid] : ri["types"].items()) b.push_back(tn);
      if (a != b) return pname + "/" + n + ": types " + join(a) + " vs reference " + join(b);
      a.clear();
      b.clear();
      a.push_back(my_stab(mi.stability));
      b.push_back(ref_stab(ri));
      for (auto& [tn, tid] : mi.types) a.push_back(tn + ":" + my_kind(r, tid) + my_stab(r.types[tid].stability));
      for (auto& [tn, tid] : ri["types"].items())
        b.push_back(tn + ":" + ref_kind(ref, tid.get<std::size_t>()) + ref_stab(ref["types"][tid.get<std::size_t>()]));
      if (a != b) return pname + "/" + n + ": type kinds " + join(a) + " vs reference " + join(b);
      a.clear();
      b.clear();
      for (auto& f : mi.functions) a.push_back(f.name + my_sig(r, f) + my_stab(f.stability));
      for (auto& [fn, f] : ri["functions"].items()) b.push_back(fn + ref_sig(ref, f) + ref_stab(f));
      if (a != b) return pname + "/" + n + ": functions " + join(a) + " vs reference " + join(b);
    }
    for (auto& [n, id] : p->worlds) {
      const auto& mw = r.worlds[id];
      const json& rw = ref["worlds"][rp["worlds"][n].get<std::size_t>()];
      for (int dir = 0; dir < 2; ++dir) {
        a.clear();
        b.clear();
        a.push_back(my_stab(mw.stability));
        b.push_back(ref_stab(rw));
        for (auto& it : dir == 0 ? mw.imports : mw.exports)
          a.push_back(my_key(r, it) +
                      (it.kind == compono::wit::WorldItemKind::Function ? my_sig(r, it.function) : "") +
                      my_stab(it.kind == compono::wit::WorldItemKind::Type ? r.types[it.type].stability
                              : it.kind == compono::wit::WorldItemKind::Function ? it.function.stability
                                                                                 : it.stability));
        for (auto& [k, v] : rw[dir == 0 ? "imports" : "exports"].items()) {
          std::string st;
          if (v.contains("function")) st = ref_stab(v["function"]);
          else if (v.contains("interface")) st = ref_stab(v["interface"]);
          else if (v.contains("type")) st = ref_stab(ref["types"][v["type"].get<std::size_t>()]);
          b.push_back(ref_key(ref, k) + (v.contains("function") ? ref_sig(ref, v["function"]) : "") + st);
        }
        if (a != b)
          return pname + "/" + n + (dir == 0 ? ": imports " : ": exports ") + join(a) + " vs reference " + join(b);
      }
    }
  }
  return "";
}

// The reference error's main phrase: the first line of the .wit.result
// without its location/path prefixes.
std::string main_phrase(std::string text) {
  std::string line = text.substr(0, text.find('\n'));
  const std::string dir_prefix = "failed to resolve directory while parsing WIT for path [";
  if (line.rfind(dir_prefix, 0) == 0) {
    std::size_t e = line.find("]: ");
    if (e != std::string::npos) line = line.substr(e + 3);
  }
  const std::string pkg_prefix = "failed to parse package: ";
  if (line.rfind(pkg_prefix, 0) == 0) {
    std::size_t e = line.find(": ", pkg_prefix.size());
    if (e != std::string::npos) line = line.substr(e + 2);
  }
  // "tests/ui/parse-fail/x.wit:1:2: msg"
  if (line.rfind("tests/ui/", 0) == 0) {
    std::size_t e = line.find(": ");
    if (e != std::string::npos) line = line.substr(e + 2);
  }
  // drop trailing lists ("known packages:", "two different locations:")
  if (!line.empty() && line.back() == ':') {
    std::size_t e = line.rfind(". ");
    line = e != std::string::npos ? line.substr(0, e) : line.substr(0, line.size() - 1);
  }
  return line;
}

}  // namespace

TEST(WitConformance, PassCasesResolve) {
  auto cases = cases_in(parser_ui());
  ASSERT_GT(cases.size(), 50u) << "parser-ui cases missing under " << parser_ui();
  int passed = 0, failed = 0, skipped = 0, matched = 0, mismatched = 0;
  int binary = 0;
  for (auto& c : cases) {
    std::string name = c.filename().string();
    fs::path load = c;
    if (c.extension() == ".wat" || c.extension() == ".wasm" || has_binary_deps(c)) {
      // WIT packages in binary (component) form, as a case or in deps/.
      std::string why;
      load = binary_form_case(c, fs::path(COMPONO_TEST_TMP) / "parser-ui", why);
      if (load.empty()) {
        ++skipped;
        std::printf("  SKIP %s (%s)\n", name.c_str(), why.c_str());
        continue;
      }
      ++binary;
    }
    auto r = compono::wit::load_path(load.string(), ui_options());
    if (!r) {
      ++failed;
      ADD_FAILURE() << name << ": " << r.error().message;
      continue;
    }
    ++passed;
    fs::path ref_path;
    if (c.extension() == ".wit") ref_path = c.string() + ".json";
    else if (c.extension() == ".wat" || c.extension() == ".wasm") ref_path = fs::path(c).replace_extension(".wit.json");
    else ref_path = c.string() + ".wit.json";
    if (!fs::exists(ref_path)) {
      ++mismatched;
      ADD_FAILURE() << name << ": no reference " << ref_path;
      continue;
    }
    json ref = json::parse(slurp(ref_path), nullptr, false);
    if (ref.is_discarded()) {
      ++mismatched;
      ADD_FAILURE() << name << ": unreadable reference " << ref_path;
      continue;
    }
    std::string diff = compare_structure(*r, ref);
    if (diff.empty()) {
      ++matched;
    } else {
      ++mismatched;
      ADD_FAILURE() << name << ": structure differs from reference: " << diff;
    }
  }
  std::printf("parser-ui pass cases: %d passed, %d failed, %d skipped; structure vs .wit.json: %d matched, %d differ; "
              "%d with binary (component-form) WIT\n",
              passed, failed, skipped, matched, mismatched, binary);
}

TEST(WitConformance, ParseFailCasesRejected) {
  auto dir = parser_ui() / "parse-fail";
  auto cases = cases_in(dir);
  ASSERT_GT(cases.size(), 50u);
  int passed = 0, failed = 0, skipped = 0, phrase = 0, phrase_total = 0;
  std::vector<std::string> misses;
  for (auto& c : cases) {
    std::string name = c.filename().string();
    auto r = compono::wit::load_path(c.string(), ui_options());
    if (r) {
      ++failed;
      ADD_FAILURE() << name << ": accepted, but the reference rejects it";
      continue;
    }
    ++passed;
    const std::string& msg = r.error().message;
    EXPECT_FALSE(msg.empty()) << name;
    // location: every message names a file and line:col, or at least a path
    fs::path result = c.extension() == ".wit" ? fs::path(c.string() + ".result") : fs::path(c.string() + ".wit.result");
    if (!fs::exists(result)) continue;
    ++phrase_total;
    std::string want = main_phrase(slurp(result));
    if (msg.find(want) != std::string::npos) ++phrase;
    else misses.push_back(name + ": want \"" + want + "\", got \"" + msg.substr(0, msg.find('\n')) + "\"");
  }
  // result files without an input (the reference keeps a few stale ones)
  for (auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.size() > 11 && n.substr(n.size() - 11) == ".wit.result") {
      std::string base = n.substr(0, n.size() - 11);
      if (!fs::exists(dir / (base + ".wit")) && !fs::exists(dir / base)) {
        ++skipped;
        std::printf("  SKIP %s (no input file beside the .result)\n", n.c_str());
      }
    }
  }
  for (auto& m : misses) std::printf("  phrase differs: %s\n", m.c_str());
  std::printf("parser-ui parse-fail cases: %d passed, %d failed, %d skipped; reference phrase found in %d of %d messages\n",
              passed, failed, skipped, phrase, phrase_total);
}

TEST(WitConformance, Wasi02Resolves) {
  auto r = compono::wit::load_path(wasi_dir().string());
  ASSERT_TRUE(r) << r.error().message;
  const auto& rs = r->resolve;
  EXPECT_EQ(rs.packages.size(), 8u);
  for (const char* w : {"command", "proxy", "everything"})
    EXPECT_NE(rs.find_world(r->main, w), compono::wit::kNoId) << w;
}
