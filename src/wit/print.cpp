// WIT printer: Resolve -> WIT text that parses back to the same model.
#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "wit/wit.h"

namespace compono::wit {
namespace {

const char* const kKeywords[] = {
    "use", "type", "func", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char", "record",
    "resource", "own", "borrow", "flags", "variant", "enum", "bool", "string", "option", "result", "future",
    "stream", "error-context", "list", "static", "interface", "tuple", "import", "export", "world", "package",
    "constructor", "include", "with", "as", "async",
};

const char* prim_name(Prim p) {
  switch (p) {
    case Prim::Bool: return "bool";
    case Prim::S8: return "s8";
    case Prim::U8: return "u8";
    case Prim::S16: return "s16";
    case Prim::U16: return "u16";
    case Prim::S32: return "s32";
    case Prim::U32: return "u32";
    case Prim::S64: return "s64";
    case Prim::U64: return "u64";
    case Prim::F32: return "f32";
    case Prim::F64: return "f64";
    case Prim::Char: return "char";
    case Prim::String: return "string";
    case Prim::ErrorContext: return "error-context";
    case Prim::Def: return "?";
  }
  return "?";
}

class Printer {
 public:
  explicit Printer(const Resolve& r) : r_(r) {}
  std::string out;

  void package(PackageId pid, bool nested) {
    const Package& p = r_.packages[pid];
    docs(p.docs);
    line("package " + pkg_name(p.name) + (nested ? " {" : ";"));
    if (nested) ++indent_;
    bool first = true;
    auto sep = [&] {
      if (!first || !nested) out += '\n';
      first = false;
    };
    for (auto& [name, iid] : p.interfaces) {
      sep();
      interface(iid, pid);
    }
    for (auto& [name, wid] : p.worlds) {
      sep();
      world(wid, pid);
    }
    if (nested) {
      --indent_;
      line("}");
    }
  }

 private:
  friend std::string compono::wit::print_type(const Resolve&, Type);
  friend std::string compono::wit::print_function(const Resolve&, const Function&);
  const Resolve& r_;
  int indent_ = 0;
  // Inside a world: types that an `include ... with { a as b }` renamed.
  std::unordered_map<TypeId, std::string> renamed_;

  void pad() { out.append(static_cast<std::size_t>(indent_) * 2, ' '); }
  void line(const std::string& s) {
    pad();
    out += s;
    out += '\n';
  }

  static std::string id(std::string_view n) {
    for (const char* k : kKeywords)
      if (n.size() == std::strlen(k) && n == k) return "%" + std::string(n);
    return std::string(n);
  }

  // `ns:name@version` with each identifier escaped.
  static std::string pkg_name(const PackageName& p, bool with_version = true) {
    std::string s, word;
    auto flush = [&] {
      s += id(word);
      word.clear();
    };
    std::string raw = p.ns + ":" + p.name;
    for (char c : raw) {
      if (c == ':' || c == '/') {
        flush();
        s += c;
      } else {
        word += c;
      }
    }
    flush();
    if (with_version && !p.version.empty()) s += "@" + p.version;
    return s;
  }

  void docs(const Docs& d) {
    if (d.empty()) return;
    std::size_t s = 0;
    while (true) {
      std::size_t nl = d.find('\n', s);
      std::string_view l = std::string_view(d).substr(s, nl == std::string::npos ? std::string::npos : nl - s);
      pad();
      out += "///";
      if (!l.empty()) {
        out += ' ';
        out += l;
      }
      out += '\n';
      if (nl == std::string::npos) break;
      s = nl + 1;
    }
  }

  void gate(const Stability& st) {
    if (st.kind == Stability::Kind::Stable) line("@since(version = " + st.since + ")");
    if (st.kind == Stability::Kind::Unstable) line("@unstable(feature = " + id(st.feature) + ")");
    if (!st.deprecated.empty()) line("@deprecated(version = " + st.deprecated + ")");
  }

  std::string type(Type t, bool alias_top = false) const {
    return type_impl(t, alias_top, 0);
  }
  std::string type_impl(Type t, bool alias_top, int depth) const {
    if (depth > 200) return "...";
    auto type = [&](Type x, bool top = false) { return type_impl(x, top, depth + 1); };
    if (!t.is_def()) return prim_name(t.kind);
    const TypeDef& d = r_.types[t.id];
    if (!renamed_.empty()) {
      auto it = renamed_.find(t.id);
      if (it != renamed_.end()) return id(it->second);
    }
    if (!d.name.empty()) return id(d.name);
    auto opt = [&](const std::optional<Type>& x) { return x ? type(*x) : std::string("_"); };
    switch (d.kind) {
      case TypeDefKind::Handle:
        if (d.handle_kind == HandleKind::Borrow) return "borrow<" + type(d.type, true) + ">";
        if (alias_top) return "own<" + type(d.type, true) + ">";
        return type(d.type, true);
      case TypeDefKind::List: return "list<" + type(d.type) + ">";
      case TypeDefKind::FixedList: return "list<" + type(d.type) + ", " + std::to_string(d.length) + ">";
      case TypeDefKind::Map: return "map<" + type(d.key) + ", " + type(d.type) + ">";
      case TypeDefKind::Option: return "option<" + type(d.type) + ">";
      case TypeDefKind::Result:
        if (!d.ok && !d.err) return "result";
        if (!d.err) return "result<" + type(*d.ok) + ">";
        return "result<" + opt(d.ok) + ", " + type(*d.err) + ">";
      case TypeDefKind::Tuple: {
        std::string s = "tuple<";
        for (std::size_t i = 0; i < d.types.size(); ++i) s += (i ? ", " : "") + type(d.types[i]);
        return s + ">";
      }
      case TypeDefKind::Future: return d.payload ? "future<" + type(*d.payload) + ">" : "future";
      case TypeDefKind::Stream: return d.payload ? "stream<" + type(*d.payload) + ">" : "stream";
      case TypeDefKind::Alias: return type(d.type, alias_top);
      default: return "?";
    }
  }

  std::string func_sig(const Function& f, bool skip_self, bool is_static) const {
    return func_sig_impl(f, skip_self, is_static);
  }
  std::string func_sig_impl(const Function& f, bool skip_self, bool is_static) const {
    std::string s;
    if (is_static) s += "static ";
    if (f.is_async) s += "async ";
    s += "func(";
    bool first = true;
    for (std::size_t i = skip_self ? 1 : 0; i < f.params.size(); ++i) {
      if (!first) s += ", ";
      first = false;
      s += id(f.params[i].name) + ": " + type(f.params[i].type);
    }
    s += ")";
    if (f.result) s += " -> " + type(*f.result);
    return s;
  }

  // `use` path for an interface, seen from package `from`.
  std::string iface_path(InterfaceId iid, PackageId from) const {
    const Interface& i = r_.interfaces[iid];
    if (i.package == from) return id(i.name);
    const PackageName& p = r_.packages[i.package].name;
    std::string s = pkg_name(p, false) + "/" + id(i.name);
    if (!p.version.empty()) s += "@" + p.version;
    return s;
  }

  // If `tid` is an alias of a type owned by another interface: that interface.
  InterfaceId use_source(TypeId tid) const {
    const TypeDef& d = r_.types[tid];
    if (d.kind != TypeDefKind::Alias || !d.type.is_def()) return kNoId;
    const TypeDef& o = r_.types[d.type.id];
    if (o.owner.kind != Owner::Kind::Interface) return kNoId;
    if (o.owner.kind == d.owner.kind && o.owner.id == d.owner.id) return kNoId;
    if (o.name.empty()) return kNoId;
    return o.owner.id;
  }

  void typedef_(TypeId tid, const std::string& name, const std::vector<Function>* funcs) {
    const TypeDef& d = r_.types[tid];
    docs(d.docs);
    gate(d.stability);
    std::string n = id(name);
    switch (d.kind) {
      case TypeDefKind::Record: {
        if (d.fields.empty()) {
          line("record " + n + " {}");
          break;
        }
        line("record " + n + " {");
        ++indent_;
        for (auto& f : d.fields) {
          docs(f.docs);
          line(id(f.name) + ": " + type(f.type) + ",");
        }
        --indent_;
        line("}");
        break;
      }
      case TypeDefKind::Variant: {
        line("variant " + n + " {");
        ++indent_;
        for (auto& c : d.cases) {
          docs(c.docs);
          line(id(c.name) + (c.type ? "(" + type(*c.type) + ")" : "") + ",");
        }
        --indent_;
        line("}");
        break;
      }
      case TypeDefKind::Enum:
      case TypeDefKind::Flags: {
        std::string kw = d.kind == TypeDefKind::Enum ? "enum " : "flags ";
        if (d.names.empty()) {
          line(kw + n + " {}");
          break;
        }
        line(kw + n + " {");
        ++indent_;
        for (auto& c : d.names) {
          docs(c.docs);
          line(id(c.name) + ",");
        }
        --indent_;
        line("}");
        break;
      }
      case TypeDefKind::Resource: {
        std::vector<const Function*> fs;
        if (funcs)
          for (auto& f : *funcs)
            if (f.kind != FunctionKind::Freestanding && f.resource == tid) fs.push_back(&f);
        if (fs.empty()) {
          line("resource " + n + ";");
          break;
        }
        line("resource " + n + " {");
        ++indent_;
        for (const Function* f : fs) {
          docs(f->docs);
          gate(f->stability);
          if (f->kind == FunctionKind::Constructor) {
            std::string s = "constructor(";
            for (std::size_t i = 0; i < f->params.size(); ++i)
              s += (i ? ", " : "") + id(f->params[i].name) + ": " + type(f->params[i].type);
            s += ")";
            if (f->result && r_.types[f->result->id].kind == TypeDefKind::Result) s += " -> " + type(*f->result);
            line(s + ";");
          } else {
            line(id(f->item_name) + ": " +
                 func_sig(*f, f->kind == FunctionKind::Method, f->kind == FunctionKind::Static) + ";");
          }
        }
        --indent_;
        line("}");
        break;
      }
      default:
        line("type " + n + " = " + type(d.type, true) + ";");
        break;
    }
  }

  // Types (with `use` groups) and functions of an interface body.
  void interface_body(const Interface& iface, PackageId pid) {
    ++indent_;
    std::size_t i = 0;
    const auto& ts = iface.types;
    while (i < ts.size()) {
      InterfaceId src = use_source(ts[i].second);
      if (src != kNoId) {
        // group consecutive uses from the same interface with the same gate
        const Stability& st = r_.types[ts[i].second].stability;
        std::string names;
        std::size_t j = i;
        while (j < ts.size() && use_source(ts[j].second) == src &&
               r_.types[ts[j].second].stability.kind == st.kind &&
               r_.types[ts[j].second].stability.since == st.since &&
               r_.types[ts[j].second].stability.feature == st.feature &&
               r_.types[ts[j].second].stability.deprecated == st.deprecated &&
               (j == i || r_.types[ts[j].second].docs.empty())) {
          const TypeDef& d = r_.types[ts[j].second];
          const std::string& target = r_.types[d.type.id].name;
          if (!names.empty()) names += ", ";
          names += id(target);
          if (target != ts[j].first) names += " as " + id(ts[j].first);
          ++j;
        }
        docs(r_.types[ts[i].second].docs);
        gate(st);
        line("use " + iface_path(src, pid) + ".{" + names + "};");
        i = j;
        continue;
      }
      typedef_(ts[i].second, ts[i].first, &iface.functions);
      ++i;
    }
    for (auto& f : iface.functions) {
      if (f.kind != FunctionKind::Freestanding) continue;
      docs(f.docs);
      gate(f.stability);
      line(id(f.name) + ": " + func_sig(f, false, false) + ";");
    }
    --indent_;
  }

  void interface(InterfaceId iid, PackageId pid) {
    const Interface& iface = r_.interfaces[iid];
    docs(iface.docs);
    gate(iface.stability);
    if (iface.types.empty() && iface.functions.empty()) {
      line("interface " + id(iface.name) + " {}");
      return;
    }
    line("interface " + id(iface.name) + " {");
    interface_body(iface, pid);
    line("}");
  }

  void world(WorldId wid, PackageId pid) {
    const World& w = r_.worlds[wid];
    docs(w.docs);
    gate(w.stability);
    if (w.imports.empty() && w.exports.empty()) {
      line("world " + id(w.name) + " {}");
      return;
    }
    line("world " + id(w.name) + " {");
    ++indent_;
    // world-level resource functions are printed inside their resource
    std::vector<Function> resource_funcs;
    renamed_.clear();
    for (auto& it : w.imports)
      if (it.kind == WorldItemKind::Type && r_.types[it.type].name != it.name) renamed_[it.type] = it.name;
    for (auto& it : w.imports)
      if (it.kind == WorldItemKind::Function && it.function.kind != FunctionKind::Freestanding)
        resource_funcs.push_back(it.function);
    for (int dir = 0; dir < 2; ++dir) {
      const char* kw = dir == 0 ? "import " : "export ";
      for (auto& it : dir == 0 ? w.imports : w.exports) {
        switch (it.kind) {
          case WorldItemKind::Interface: {
            const Interface& iface = r_.interfaces[it.interface];
            if (iface.name.empty()) {
              docs(it.docs);
              gate(it.stability);
              if (iface.types.empty() && iface.functions.empty()) {
                line(kw + id(it.name) + ": interface {}");
              } else {
                line(kw + id(it.name) + ": interface {");
                interface_body(iface, pid);
                line("}");
              }
            } else {
              docs(it.docs);
              gate(it.stability);
              std::string label = it.name.empty() ? "" : id(it.name) + ": ";
              line(kw + label + iface_path(it.interface, pid) + ";");
            }
            break;
          }
          case WorldItemKind::Function:
            if (it.function.kind != FunctionKind::Freestanding) break;
            docs(it.docs);
            gate(it.stability);
            line(kw + id(it.name) + ": " + func_sig(it.function, false, false) + ";");
            break;
          case WorldItemKind::Type: {
            InterfaceId src = use_source(it.type);
            if (src != kNoId) {
              const TypeDef& d = r_.types[it.type];
              const std::string& target = r_.types[d.type.id].name;
              docs(d.docs);
              gate(d.stability);
              std::string n = id(target);
              if (target != it.name) n += " as " + id(it.name);
              line("use " + iface_path(src, pid) + ".{" + n + "};");
            } else {
              typedef_(it.type, it.name, &resource_funcs);
            }
            break;
          }
        }
      }
    }
    --indent_;
    line("}");
    renamed_.clear();
  }
};

}  // namespace

std::string print_package(const Resolve& resolve, PackageId pkg, bool nested) {
  Printer p(resolve);
  p.package(pkg, nested);
  return std::move(p.out);
}

std::string print_type(const Resolve& resolve, Type t) {
  Printer p(resolve);
  return p.type(t);
}

std::string print_function(const Resolve& resolve, const Function& f) {
  Printer p(resolve);
  return p.func_sig(f, false, false);
}

std::string print_loaded(const Loaded& loaded) {
  const Resolve& r = loaded.resolve;
  std::string out;
  if (loaded.main != kNoId) out += print_package(r, loaded.main, false);
  std::vector<PackageId> others;
  for (std::size_t i = 0; i < r.packages.size(); ++i)
    if (static_cast<PackageId>(i) != loaded.main) others.push_back(static_cast<PackageId>(i));
  std::sort(others.begin(), others.end(), [&](PackageId a, PackageId b) {
    return r.packages[a].name.to_string() < r.packages[b].name.to_string();
  });
  for (PackageId p : others) {
    if (!out.empty()) out += '\n';
    out += print_package(r, p, true);
  }
  return out;
}

}  // namespace compono::wit
