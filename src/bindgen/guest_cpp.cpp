// src/bindgen/guest_cpp.cpp - `compono bindgen cpp`: C++ guest bindings.
//
// Output per world: <base>.h and <base>.cpp (see bindgen.h).  The runtime
// types live in guest/include/compono/guest.h.
//
// Layout of the generated header:
//   1. forward declarations of every named type and resource
//   2. definitions in dependency order (records, variants, enums, flags,
//      imported resource classes with their methods)
//   3. `using` aliases (`use`d names, `type x = ...`)
//   4. imported functions, then the functions the user implements
//      (namespace exports::...)
// The source holds the canonical ABI glue: imports with
// import_module/import_name, exports with export_name, post-return
// functions, resource new/rep/drop/dtor wiring and the component-type section.
//
// Ownership rules the glue follows (CanonicalABI.md):
//   - import arguments are borrowed from the caller: strings and lists whose
//     C++ layout is the canonical one are passed by pointer, others are
//     copied into temporary canonical buffers freed after the call;
//   - export results are handed over: buffers are released into the return
//     area and `cabi_post_<name>` frees them;
//   - lifted values (export params, import results) adopt the buffers the
//     host allocated with cabi_realloc;
//   - every borrow<imported> an export receives is registered in a
//     BorrowScope and dropped when the glue returns, at any nesting depth.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bindgen/bindgen.h"
#include "bindgen/common.h"

namespace compono::bindgen {
namespace {

using namespace compono::wit;

constexpr std::size_t kMaxFlatParams = 16;
constexpr std::size_t kMaxFlatResults = 1;

struct Flat {
  CoreType type;
  std::string expr;
};

enum class Mode { ImportArg, ExportResult };

const char* core_cpp(CoreType t) {
  switch (t) {
    case CoreType::I32: return "int32_t";
    case CoreType::I64: return "int64_t";
    case CoreType::F32: return "float";
    case CoreType::F64: return "double";
  }
  return "int32_t";
}

// Converts a value of core type `have` into the joined slot type `want`.
std::string widen(CoreType have, CoreType want, const std::string& e) {
  if (have == want) return e;
  if (want == CoreType::I32 && have == CoreType::F32) return "compono::abi::f32_i32(" + e + ")";
  if (want == CoreType::I64) {
    if (have == CoreType::I32) return "(int64_t)(uint32_t)(" + e + ")";
    if (have == CoreType::F32) return "(int64_t)(uint32_t)compono::abi::f32_i32(" + e + ")";
    if (have == CoreType::F64) return "compono::abi::f64_i64(" + e + ")";
  }
  return e;
}
// The inverse: a joined slot `have` read as the case's core type `want`.
std::string narrow(CoreType have, CoreType want, const std::string& e) {
  if (have == want) return e;
  if (have == CoreType::I32 && want == CoreType::F32) return "compono::abi::i32_f32(" + e + ")";
  if (have == CoreType::I64) {
    if (want == CoreType::I32) return "(int32_t)(" + e + ")";
    if (want == CoreType::F32) return "compono::abi::i32_f32((int32_t)(" + e + "))";
    if (want == CoreType::F64) return "compono::abi::i64_f64(" + e + ")";
  }
  return e;
}

std::string disc_type(std::size_t n) {
  if (n <= 256) return "uint8_t";
  if (n <= 65536) return "uint16_t";
  return "uint32_t";
}
std::string flags_type(std::size_t n) {
  if (n <= 8) return "uint8_t";
  if (n <= 16) return "uint16_t";
  if (n <= 32) return "uint32_t";
  return "uint64_t";
}

class Gen {
 public:
  Gen(const Resolve& r, WorldId w, const GuestOptions& o) : r_(r), w_(r.worlds[w]), wid_(w), opt_(o) {
    // A world-level function is named by its item key (`include w with { a as b }`
    // renames the item, not the function).
    for (auto* items : {&w_.imports, &w_.exports})
      for (auto& it : *items)
        if (it.kind == WorldItemKind::Function && it.function.kind == FunctionKind::Freestanding && !it.name.empty()) {
          it.function.name = it.name;
          it.function.item_name = it.name;
        }
  }
  Result<std::vector<File>> run();

 private:
  const Resolve& r_;
  World w_;  // a copy: world-level function names are adjusted
  WorldId wid_;
  const GuestOptions& opt_;
  std::string err_;
  int tmp_ = 0;

  std::set<InterfaceId> imported_, exported_;
  std::map<InterfaceId, std::string> anon_name_;  // inline interfaces: the item name
  std::map<InterfaceId, std::string> iface_key_;  // import/export name
  std::string world_ns_;                          // "::ns::pkg"

  std::string fresh() { return "t" + std::to_string(tmp_++); }
  // C++ name of a world-level function: snake_case, with a trailing '_' when
  // an interface of the world's package has the same namespace name.
  std::string world_fn_name(const std::string& n) const {
    std::string s = snake(n);
    for (auto* set : {&imported_, &exported_})
      for (InterfaceId i : *set)
        if (iface_ns(i) == world_ns_ + "::" + s) return s + "_";
    return s;
  }
  void unsupported(const std::string& what) {
    if (err_.empty()) err_ = "compono bindgen cpp: not supported yet: " + what;
  }

  // ------------------------------------------------------------ not supported yet
  // The first construct in `t` the generator does not support yet
  // (future, stream, error-context, map), as WIT text; "" if none.
  std::string unsupported_in(Type t) const {
    std::set<TypeId> seen;
    return unsup(t, seen);
  }
  std::string unsup(Type t, std::set<TypeId>& seen) const {
    if (t.kind == Prim::ErrorContext) return "error-context";
    if (!t.is_def() || !seen.insert(t.id).second) return "";
    const TypeDef& d = r_.types[t.id];
    auto opt = [&](const std::optional<Type>& x) { return x ? unsup(*x, seen) : std::string(); };
    std::string u;
    switch (d.kind) {
      case TypeDefKind::Future:
      case TypeDefKind::Stream:
      case TypeDefKind::Map: {
        std::string what = d.kind == TypeDefKind::Future ? "future" : d.kind == TypeDefKind::Stream ? "stream" : "map";
        std::string text = d.name.empty() ? print_type(r_, t) : what;
        return d.name.empty() ? text : what + " (type `" + d.name + "`)";
      }
      case TypeDefKind::Record:
        for (const auto& f : d.fields)
          if (!(u = unsup(f.type, seen)).empty()) return u;
        return "";
      case TypeDefKind::Variant:
        for (const auto& c : d.cases)
          if (!(u = opt(c.type)).empty()) return u;
        return "";
      case TypeDefKind::Tuple:
        for (const auto& x : d.types)
          if (!(u = unsup(x, seen)).empty()) return u;
        return "";
      case TypeDefKind::Result:
        if (!(u = opt(d.ok)).empty()) return u;
        return opt(d.err);
      case TypeDefKind::Option:
      case TypeDefKind::List:
      case TypeDefKind::FixedList:
      case TypeDefKind::Alias: return unsup(d.type, seen);
      default: return "";
    }
  }
  // Why function `f` cannot be generated yet, or "".
  std::string fn_unsupported(const Function& f) const {
    std::string what;
    if (f.is_async) what = "async function";
    for (const auto& p : f.params) {
      if (!what.empty()) break;
      std::string u = unsupported_in(p.type);
      if (!u.empty()) what = u + " in parameter `" + p.name + "`";
    }
    if (what.empty() && f.result) {
      std::string u = unsupported_in(*f.result);
      if (!u.empty()) what = u + " in the result";
    }
    if (what.empty()) return "";
    std::string where = f.location.empty() ? "" : " at " + f.location;
    return what + " of `" + f.name + "`" + where;
  }
  // Imported functions that are skipped (declared nowhere, noted in the header).
  std::set<const Function*> skipped_;
  std::vector<std::string> notes_;
  bool skip_import(const Function& f, const std::string& where) {
    std::string u = fn_unsupported(f);
    if (u.empty()) return false;
    if (skipped_.insert(&f).second) notes_.push_back("not supported yet: " + u + " (imported from " + where + "; skipped)");
    return true;
  }
  bool type_unsupported(TypeId id) const {
    return r_.types[id].kind != TypeDefKind::Resource && !unsupported_in(Type::def(id)).empty();
  }

  // ------------------------------------------------------------ names
  std::string pkg_ns(PackageId p) const { return package_namespace(r_, p); }
  std::string iface_ns(InterfaceId i) const { return interface_namespace(r_, i, w_.package, anon_name_); }
  // Which side the code being generated is on.  An interface that the world
  // both imports and exports has two sets of types: the imported ones (in
  // ::ns::pkg::iface, resources are host handles) and the exported ones (in
  // ::exports::ns::pkg::iface, resources are the user's classes).  Export
  // glue and the declarations of what the user implements use the latter.
  bool xside_ = false;
  bool dual(InterfaceId i) const { return imported_.count(i) && exported_.count(i); }
  bool owned_by_export(TypeId id) const {
    const TypeDef& d = r_.types[id];
    return d.owner.kind == Owner::Kind::Interface && exported_.count(d.owner.id);
  }
  bool resource_exported(TypeId res) const {
    const TypeDef& d = r_.types[res];
    if (d.owner.kind != Owner::Kind::Interface) return false;
    return exported_.count(d.owner.id) && (xside_ || !imported_.count(d.owner.id));
  }
  std::string type_ns(TypeId id) const {
    const TypeDef& d = r_.types[id];
    if (d.owner.kind == Owner::Kind::Interface) {
      std::string ns = iface_ns(d.owner.id);
      if (xside_ && dual(d.owner.id)) return "::exports" + ns;
      if (d.kind == TypeDefKind::Resource && resource_exported(id)) ns = "::exports" + ns;
      return ns;
    }
    return world_ns_;
  }
  std::string qname(TypeId id) const { return type_ns(id) + "::" + pascal(r_.types[id].name); }
  TypeId resource_of(Type t) const {
    Type u = r_.unalias(t);
    if (!u.is_def()) return kNoId;
    const TypeDef& d = r_.types[u.id];
    if (d.kind == TypeDefKind::Resource) return u.id;
    if (d.kind == TypeDefKind::Handle) return resource_of(d.type);
    return kNoId;
  }

  // ------------------------------------------------------------ type predicates
  // C++ layout == canonical layout.  `lowering`: only for values going out
  // (import arguments, export results): a C++ bool is 0 or 1, a valid
  // canonical bool, while lifting must accept any non-zero byte.
  bool identical(Type t, bool lowering = false) const {
    t = r_.unalias(t);
    switch (t.kind) {
      case Prim::Bool: return lowering;
      case Prim::ErrorContext: return false;
      case Prim::Def: break;
      default: return true;
    }
    const TypeDef& d = r_.types[t.id];
    switch (d.kind) {
      case TypeDefKind::Record:
        for (const auto& f : d.fields)
          if (!identical(f.type, lowering)) return false;
        return true;
      case TypeDefKind::Enum: return true;
      case TypeDefKind::Flags: return d.names.size() <= 32;
      case TypeDefKind::List: return identical(d.type, lowering);
      case TypeDefKind::FixedList: return identical(d.type, lowering);  // std::array<T, N>: N contiguous T
      case TypeDefKind::Resource: return !resource_exported(t.id);
      case TypeDefKind::Handle:
        return d.handle_kind == HandleKind::Own && !resource_exported(resource_of(d.type));
      default: return false;
    }
  }
  // Same layout and nothing owned: a block of such values may be memcpy'd.
  bool plain_bytes(Type t) const { return identical(t) && !needs_free(t) && !has_own(t); }
  bool needs_free(Type t) const {
    t = r_.unalias(t);
    if (t.kind == Prim::String) return true;
    if (!t.is_def()) return false;
    const TypeDef& d = r_.types[t.id];
    switch (d.kind) {
      case TypeDefKind::Record:
        for (const auto& f : d.fields)
          if (needs_free(f.type)) return true;
        return false;
      case TypeDefKind::Tuple:
        for (const auto& x : d.types)
          if (needs_free(x)) return true;
        return false;
      case TypeDefKind::Variant:
        for (const auto& c : d.cases)
          if (c.type && needs_free(*c.type)) return true;
        return false;
      case TypeDefKind::Option:
      case TypeDefKind::FixedList: return needs_free(d.type);
      case TypeDefKind::Result: return (d.ok && needs_free(*d.ok)) || (d.err && needs_free(*d.err));
      case TypeDefKind::List: return true;
      default: return false;
    }
  }
  bool has_own(Type t) const {
    t = r_.unalias(t);
    if (!t.is_def()) return false;
    const TypeDef& d = r_.types[t.id];
    switch (d.kind) {
      case TypeDefKind::Resource: return true;
      case TypeDefKind::Handle: return d.handle_kind == HandleKind::Own;
      case TypeDefKind::Record:
        for (const auto& f : d.fields)
          if (has_own(f.type)) return true;
        return false;
      case TypeDefKind::Tuple:
        for (const auto& x : d.types)
          if (has_own(x)) return true;
        return false;
      case TypeDefKind::Variant:
        for (const auto& c : d.cases)
          if (c.type && has_own(*c.type)) return true;
        return false;
      case TypeDefKind::Option:
      case TypeDefKind::List:
      case TypeDefKind::FixedList: return has_own(d.type);
      case TypeDefKind::Result: return (d.ok && has_own(*d.ok)) || (d.err && has_own(*d.err));
      default: return false;
    }
  }

  // ------------------------------------------------------------ C++ types
  std::string cpp(Type t) {
    t = r_.unalias(t);
    if (const char* scalar = scalar_cpp(t.kind)) return scalar;
    switch (t.kind) {
      case Prim::String: return "compono::String";
      case Prim::ErrorContext: unsupported("error-context"); return "int32_t";
      default: break;
    }
    const TypeDef& d = r_.types[t.id];
    switch (d.kind) {
      case TypeDefKind::Record:
      case TypeDefKind::Variant:
      case TypeDefKind::Enum:
      case TypeDefKind::Flags: return qname(t.id);
      case TypeDefKind::Resource:
        return resource_exported(t.id) ? "compono::Own<" + qname(t.id) + ">" : qname(t.id);
      case TypeDefKind::Handle: {
        TypeId res = resource_of(d.type);
        bool ex = resource_exported(res);
        if (d.handle_kind == HandleKind::Own) return ex ? "compono::Own<" + qname(res) + ">" : qname(res);
        return "compono::Borrow<" + qname(res) + (ex ? ", false>" : ">");
      }
      case TypeDefKind::Tuple: {
        std::string s = "std::tuple<";
        for (std::size_t i = 0; i < d.types.size(); ++i) s += (i ? ", " : "") + cpp(d.types[i]);
        return s + ">";
      }
      case TypeDefKind::Option: return "std::optional<" + cpp(d.type) + ">";
      case TypeDefKind::Result:
        return "compono::Result<" + (d.ok ? cpp(*d.ok) : std::string("void")) + ", " +
               (d.err ? cpp(*d.err) : std::string("compono::Unit")) + ">";
      case TypeDefKind::List: return "compono::List<" + cpp(d.type) + ">";
      case TypeDefKind::FixedList: return "std::array<" + cpp(d.type) + ", " + std::to_string(d.length) + ">";
      case TypeDefKind::Map: unsupported("map"); return "int";
      case TypeDefKind::Future: unsupported("future"); return "int";
      case TypeDefKind::Stream: unsupported("stream"); return "int";
      case TypeDefKind::Alias: break;
    }
    return "int";
  }
  // A non-owning view of a list element with the canonical layout, so the
  // caller's data is passed by pointer: string -> std::string_view (a
  // pointer and a 32-bit size on wasm32, like the canonical string),
  // list<X> -> std::span<const X'>; other elements keep their owned type.
  std::string elem_view(Type e) {
    Type u = r_.unalias(e);
    if (u.kind == Prim::String) return "std::string_view";
    if (u.is_def() && r_.types[u.id].kind == TypeDefKind::List) {
      Type x = r_.types[u.id].type;
      if (identical(x, true) && !has_own(x)) return "std::span<const " + elem_view(x) + ">";
    }
    return cpp(e);
  }
  // Parameter type of an imported function (the callee only reads).
  // Strings and lists are views (no copy is needed to call); so are an
  // option's string or list payload.
  std::string import_param(Type t) {
    Type u = r_.unalias(t);
    if (u.kind == Prim::String) return "std::string_view";
    if (!u.is_def()) return cpp(u);
    const TypeDef& d = r_.types[u.id];
    if (has_own(u)) return cpp(u);
    switch (d.kind) {
      case TypeDefKind::List: return "std::span<const " + elem_view(d.type) + ">";
      case TypeDefKind::Option: {
        Type p = r_.unalias(d.type);
        if (p.kind == Prim::String || (p.is_def() && r_.types[p.id].kind == TypeDefKind::List))
          return "std::optional<" + import_param(p) + ">";
        return "const " + cpp(u) + "&";
      }
      case TypeDefKind::Record:
      case TypeDefKind::Variant:
      case TypeDefKind::Tuple:
      case TypeDefKind::Result: return "const " + cpp(u) + "&";
      case TypeDefKind::FixedList:  // elements as views too: list<string, 2> -> std::array<std::string_view, 2>
        return "const std::array<" + elem_view(d.type) + ", " + std::to_string(d.length) + ">&";
      default: return cpp(u);
    }
  }
  // Parameter type of a function the user exports.
  std::string export_param(Type t) {
    Type u = r_.unalias(t);
    if (u.is_def() && r_.types[u.id].kind == TypeDefKind::Handle &&
        r_.types[u.id].handle_kind == HandleKind::Borrow) {
      TypeId res = resource_of(u);
      if (resource_exported(res)) return qname(res) + "&";
      return opt_.manual_borrows ? cpp(u) : "const " + qname(res) + "&";
    }
    return cpp(u);
  }
  std::string ret_type(const Function& f) { return f.result ? cpp(*f.result) : "void"; }

  // ------------------------------------------------------------ lowering (C++ -> flat)
  void lower_flat(Type t, const std::string& v, Mode m, std::string& pre, std::vector<Flat>& out) {
    t = r_.unalias(t);
    switch (t.kind) {
      case Prim::Bool: out.push_back({CoreType::I32, "(int32_t)((" + v + ") ? 1 : 0)"}); return;
      case Prim::S8: case Prim::U8: case Prim::S16: case Prim::U16: case Prim::S32: case Prim::U32:
      case Prim::Char:
        out.push_back({CoreType::I32, "(int32_t)(" + v + ")"});
        return;
      case Prim::S64: case Prim::U64: out.push_back({CoreType::I64, "(int64_t)(" + v + ")"}); return;
      case Prim::F32: out.push_back({CoreType::F32, "(float)(" + v + ")"}); return;
      case Prim::F64: out.push_back({CoreType::F64, "(double)(" + v + ")"}); return;
      case Prim::String: {
        std::string p, n;
        ptr_len(t, v, m, pre, p, n);
        out.push_back({CoreType::I32, p});
        out.push_back({CoreType::I32, n});
        return;
      }
      case Prim::ErrorContext: unsupported("error-context"); return;
      case Prim::Def: break;
    }
    const TypeDef& d = r_.types[t.id];
    switch (d.kind) {
      case TypeDefKind::Record:
        for (const auto& f : d.fields) lower_flat(f.type, "(" + v + ")." + snake(f.name), m, pre, out);
        return;
      case TypeDefKind::Tuple:
        for (std::size_t i = 0; i < d.types.size(); ++i)
          lower_flat(d.types[i], "std::get<" + std::to_string(i) + ">(" + v + ")", m, pre, out);
        return;
      case TypeDefKind::FixedList:  // N copies of the element (only small N stay flat)
        for (std::uint32_t i = 0; i < d.length && out.size() <= kFlattenLimit; ++i)
          lower_flat(d.type, "(" + v + ")[" + std::to_string(i) + "]", m, pre, out);
        return;
      case TypeDefKind::Flags: {
        std::vector<CoreType> ft;
        flatten(r_, t, ft);
        if (ft.size() == 1) out.push_back({CoreType::I32, "(int32_t)(" + v + ").bits"});
        if (ft.size() == 2) {
          out.push_back({CoreType::I32, "(int32_t)(uint32_t)(" + v + ").bits"});
          out.push_back({CoreType::I32, "(int32_t)(uint32_t)((" + v + ").bits >> 32)"});
        }
        return;
      }
      case TypeDefKind::Enum: out.push_back({CoreType::I32, "(int32_t)(" + v + ")"}); return;
      case TypeDefKind::Resource:
      case TypeDefKind::Handle:
        out.push_back({CoreType::I32, handle_expr(t, v)});
        return;
      case TypeDefKind::List: {
        std::string p, n;
        ptr_len(t, v, m, pre, p, n);
        out.push_back({CoreType::I32, p});
        out.push_back({CoreType::I32, n});
        return;
      }
      case TypeDefKind::Option:
      case TypeDefKind::Result:
      case TypeDefKind::Variant: {
        std::vector<CoreType> joined;
        flatten(r_, t, joined);
        std::vector<std::string> vars;
        for (CoreType c : joined) {
          std::string x = fresh();
          pre += std::string(core_cpp(c)) + " " + x + " = 0;\n";
          vars.push_back(x);
        }
        auto emit_case = [&](std::size_t idx, const std::optional<Type>& payload, const std::string& pv) {
          std::string body = vars[0] + " = " + std::to_string(idx) + ";\n";
          if (payload) {
            std::vector<Flat> pf;
            lower_flat(*payload, pv, m, body, pf);
            for (std::size_t j = 0; j < pf.size() && j + 1 < joined.size(); ++j)
              body += vars[j + 1] + " = " + widen(pf[j].type, joined[j + 1], pf[j].expr) + ";\n";
          }
          return body;
        };
        variant_branches(d, v, pre, emit_case);
        for (std::size_t i = 0; i < joined.size(); ++i) out.push_back({joined[i], vars[i]});
        return;
      }
      default: cpp(t); return;
    }
  }

  // Emits the branch structure of an option/result/variant value `v`;
  // `body(index, payload type, payload expr)` gives each case's statements.
  template <class F>
  void variant_branches(const TypeDef& d, const std::string& v, std::string& pre, F&& body) {
    if (d.kind == TypeDefKind::Option) {
      pre += "if ((" + v + ").has_value()) {\n" + body(1, std::optional<Type>(d.type), "(*(" + v + "))") +
             "} else {\n" + body(0, std::nullopt, "") + "}\n";
    } else if (d.kind == TypeDefKind::Result) {
      pre += "if ((" + v + ").has_value()) {\n" + body(0, d.ok, "(*(" + v + "))") + "} else {\n" +
             body(1, d.err, "((" + v + ").error())") + "}\n";
    } else {
      pre += "switch ((" + v + ").value.index()) {\n";
      for (std::size_t i = 0; i < d.cases.size(); ++i)
        pre += "case " + std::to_string(i) + ": {\n" +
               body(i, d.cases[i].type, "(std::get<" + std::to_string(i) + ">((" + v + ").value).value)") +
               "break;\n}\n";
      pre += "default: __builtin_trap();\n}\n";
    }
  }

  std::string handle_expr(Type t, const std::string& v) {
    const TypeDef& d = r_.types[t.id];
    bool own = d.kind == TypeDefKind::Resource || d.handle_kind == HandleKind::Own;
    TypeId res = resource_of(t);
    bool ex = resource_exported(res);
    if (own) return ex ? "(" + v + ").into_handle()" : "(" + v + ").take_handle()";
    if (ex) {
      unsupported("borrow of an exported resource passed to an import (" + r_.types[res].name + ")");
      return "0";
    }
    return "(" + v + ").handle()";
  }

  // ptr/len expressions of a string or list value for the given mode.
  void ptr_len(Type t, const std::string& v, Mode m, std::string& pre, std::string& p, std::string& n) {
    bool is_string = t.kind == Prim::String;
    Type elem = is_string ? Type::prim(Prim::U8) : r_.types[t.id].type;
    if (m == Mode::ImportArg) {
      // Owned handles in the list move to the callee: stored one by one
      // (take_handle) so the caller's objects no longer drop them.
      if (is_string || (identical(elem, true) && !has_own(elem))) {
        p = "compono::abi::ptr_i32((" + v + ").data())";
        n = "(int32_t)(" + v + ").size()";
        return;
      }
      SizeAlign sa = size_align(r_, elem);
      std::string buf = fresh(), len = fresh(), i = fresh();
      pre += "size_t " + len + " = (" + v + ").size();\n";
      pre += "char* " + buf + " = cleanup.alloc(" + len + " * " + std::to_string(sa.size) + ", " +
             std::to_string(sa.align) + ");\n";
      std::string body;
      store(elem, "(" + v + ")[" + i + "]", buf + " + " + i + " * " + std::to_string(sa.size), 0, m, body);
      pre += "for (size_t " + i + " = 0; " + i + " < " + len + "; ++" + i + ") {\n" + body + "}\n";
      p = "compono::abi::ptr_i32(" + buf + ")";
      n = "(int32_t)" + len;
      return;
    }
    // ExportResult: hand the buffer over.
    std::string len = fresh(), ptr = fresh();
    pre += "size_t " + len + " = (" + v + ").size();\n";
    if (is_string || identical(elem, true)) {
      pre += "int32_t " + ptr + " = compono::abi::ptr_i32((" + v + ").release());\n";
    } else {
      SizeAlign sa = size_align(r_, elem);
      std::string buf = fresh(), i = fresh();
      pre += "char* " + buf + " = static_cast<char*>(compono::abi::alloc(" + len + " * " +
             std::to_string(sa.size) + ", " + std::to_string(sa.align) + "));\n";
      std::string body;
      store(elem, "(" + v + ")[" + i + "]", buf + " + " + i + " * " + std::to_string(sa.size), 0, m, body);
      pre += "for (size_t " + i + " = 0; " + i + " < " + len + "; ++" + i + ") {\n" + body + "}\n";
      pre += "int32_t " + ptr + " = compono::abi::ptr_i32(" + buf + ");\n";
    }
    p = ptr;
    n = "(int32_t)" + len;
  }

  // ------------------------------------------------------------ store / load (memory)
  static std::string at(const std::string& base, std::uint32_t off) {
    return base + ", " + std::to_string(off);
  }
  void store(Type t, const std::string& v, const std::string& base, std::uint32_t off, Mode m, std::string& pre) {
    t = r_.unalias(t);
    auto st = [&](const char* ty, const std::string& e) {
      pre += std::string("compono::abi::store<") + ty + ">(" + at(base, off) + ", (" + ty + ")(" + e + "));\n";
    };
    switch (t.kind) {
      case Prim::Bool: st("uint8_t", "(" + v + ") ? 1 : 0"); return;
      case Prim::S8: st("int8_t", v); return;
      case Prim::U8: st("uint8_t", v); return;
      case Prim::S16: st("int16_t", v); return;
      case Prim::U16: st("uint16_t", v); return;
      case Prim::S32: st("int32_t", v); return;
      case Prim::U32: st("uint32_t", v); return;
      case Prim::S64: st("int64_t", v); return;
      case Prim::U64: st("uint64_t", v); return;
      case Prim::F32: st("float", v); return;
      case Prim::F64: st("double", v); return;
      case Prim::Char: st("uint32_t", v); return;
      case Prim::String: {
        std::string p, n;
        ptr_len(t, v, m, pre, p, n);
        pre += "compono::abi::store<int32_t>(" + at(base, off) + ", " + p + ");\n";
        pre += "compono::abi::store<int32_t>(" + at(base, off + 4) + ", " + n + ");\n";
        return;
      }
      case Prim::ErrorContext: unsupported("error-context"); return;
      case Prim::Def: break;
    }
    const TypeDef& d = r_.types[t.id];
    switch (d.kind) {
      case TypeDefKind::Record: {
        auto offs = field_offsets(r_, t);
        for (std::size_t i = 0; i < d.fields.size(); ++i)
          store(d.fields[i].type, "(" + v + ")." + snake(d.fields[i].name), base, off + offs[i], m, pre);
        return;
      }
      case TypeDefKind::Tuple: {
        auto offs = field_offsets(r_, t);
        for (std::size_t i = 0; i < d.types.size(); ++i)
          store(d.types[i], "std::get<" + std::to_string(i) + ">(" + v + ")", base, off + offs[i], m, pre);
        return;
      }
      case TypeDefKind::FixedList: {  // stored inline: N elements at the element's size
        if (plain_bytes(d.type)) {
          pre += "std::memcpy(" + base + " + " + std::to_string(off) + ", (" + v + ").data(), sizeof(" + v + "));\n";
          return;
        }
        SizeAlign sa = size_align(r_, d.type);
        std::string i = fresh(), body;
        store(d.type, "(" + v + ")[" + i + "]", "(" + base + " + " + std::to_string(off) + " + " + i + " * " +
              std::to_string(sa.size) + ")", 0, m, body);
        pre += "for (size_t " + i + " = 0; " + i + " < " + std::to_string(d.length) + "; ++" + i + ") {\n" + body + "}\n";
        return;
      }
      case TypeDefKind::Flags: {
        std::size_t n = d.names.size();
        if (n == 0) return;
        if (n <= 32) { st(flags_type(n).c_str(), "(" + v + ").bits"); return; }
        pre += "compono::abi::store<uint32_t>(" + at(base, off) + ", (uint32_t)(" + v + ").bits);\n";
        pre += "compono::abi::store<uint32_t>(" + at(base, off + 4) + ", (uint32_t)((" + v + ").bits >> 32));\n";
        return;
      }
      case TypeDefKind::Enum: st(disc_type(d.names.size()).c_str(), v); return;
      case TypeDefKind::Resource:
      case TypeDefKind::Handle: st("int32_t", handle_expr(t, v)); return;
      case TypeDefKind::List: {
        std::string p, n;
        ptr_len(t, v, m, pre, p, n);
        pre += "compono::abi::store<int32_t>(" + at(base, off) + ", " + p + ");\n";
        pre += "compono::abi::store<int32_t>(" + at(base, off + 4) + ", " + n + ");\n";
        return;
      }
      case TypeDefKind::Option:
      case TypeDefKind::Result:
      case TypeDefKind::Variant: {
        std::size_t ncases = d.kind == TypeDefKind::Variant ? d.cases.size() : 2;
        std::string dt = disc_type(ncases);
        std::uint32_t poff = field_offsets(r_, t)[0];
        auto emit_case = [&](std::size_t idx, const std::optional<Type>& payload, const std::string& pv) {
          std::string body = "compono::abi::store<" + dt + ">(" + at(base, off) + ", (" + dt + ")" +
                             std::to_string(idx) + ");\n";
          if (payload) store(*payload, pv, base, off + poff, m, body);
          return body;
        };
        variant_branches(d, v, pre, emit_case);
        return;
      }
      default: cpp(t); return;
    }
  }

  // Lifting: an expression of C++ type cpp(t); statements go to `pre`.
  // `borrows` = an export's params (borrowed handles are registered in `scope`).
  std::string lift_handle(Type t, const std::string& h, std::string& pre) {
    const TypeDef& d = r_.types[t.id];
    bool own = d.kind == TypeDefKind::Resource || d.handle_kind == HandleKind::Own;
    TypeId res = resource_of(t);
    std::string q = qname(res);
    if (resource_exported(res)) {
      if (own) return "compono::Own<" + q + ">::from_handle(" + h + ")";
      return "compono::Borrow<" + q + ", false>(*static_cast<" + q + "*>(compono::abi::i32_ptr(" + h + ")))";
    }
    if (own) return q + "::from_handle(" + h + ")";
    std::string x = fresh();
    pre += "int32_t " + x + " = " + h + ";\n";
    if (!opt_.manual_borrows) pre += "scope.add(" + x + ", &" + drop_fn(res) + ");\n";
    return "compono::Borrow<" + q + ">::from_handle(" + x + ")";
  }
  std::string drop_fn(TypeId res) { return "compono_drop_" + std::to_string(res); }

  // Rewrites every bool byte inside a value of type `t` (prims, records,
  // fixed-size lists of them) stored at base+off to 0 or 1.
  void normalize_bools(Type t, const std::string& base, std::uint32_t off, std::string& pre) {
    t = r_.unalias(t);
    if (t.kind == Prim::Bool) {
      pre += "compono::abi::store<uint8_t>(" + at(base, off) + ", (uint8_t)(compono::abi::load<uint8_t>(" + at(base, off) +
             ") != 0));\n";
      return;
    }
    if (!t.is_def()) return;
    const TypeDef& d = r_.types[t.id];
    if (d.kind == TypeDefKind::Record) {
      auto offs = field_offsets(r_, t);
      for (std::size_t k = 0; k < d.fields.size(); ++k) normalize_bools(d.fields[k].type, base, off + offs[k], pre);
    } else if (d.kind == TypeDefKind::FixedList) {
      SizeAlign sa = size_align(r_, d.type);
      std::string i = fresh(), body;
      normalize_bools(d.type, "(" + base + " + " + std::to_string(off) + " + " + i + " * " + std::to_string(sa.size) + ")",
                      0, body);
      if (!body.empty())
        pre += "for (size_t " + i + " = 0; " + i + " < " + std::to_string(d.length) + "; ++" + i + ") {\n" + body + "}\n";
    }
  }

  std::string lift_list(Type t, const std::string& p, const std::string& n, std::string& pre) {
    if (t.kind == Prim::String)
      return "compono::String::adopt(compono::abi::i32_ptr<char>(" + p + "), (size_t)(uint32_t)(" + n + "))";
    Type elem = r_.types[t.id].type;
    std::string ct = cpp(elem);
    if (identical(elem))
      return "compono::List<" + ct + ">::adopt(compono::abi::i32_ptr<" + ct + ">(" + p + "), (size_t)(uint32_t)(" +
             n + "))";
    if (identical(elem, true) && !has_own(elem) && !needs_free(elem)) {
      // Same layout except bools (the host may pass any non-zero byte for
      // true): normalize them in place and adopt the host's buffer.
      SizeAlign sa = size_align(r_, elem);
      std::string len = fresh(), src = fresh(), i = fresh(), body;
      normalize_bools(elem, src + " + " + i + " * " + std::to_string(sa.size), 0, body);
      pre += "size_t " + len + " = (size_t)(uint32_t)(" + n + ");\n";
      pre += "char* " + src + " = compono::abi::i32_ptr<char>(" + p + ");\n";
      pre += "for (size_t " + i + " = 0; " + i + " < " + len + "; ++" + i + ") {\n" + body + "}\n";
      return "compono::List<" + ct + ">::adopt(reinterpret_cast<" + ct + "*>(" + src + "), " + len + ")";
    }
    Type ue = r_.unalias(elem);
    if (ue.is_def() && r_.types[ue.id].kind == TypeDefKind::Handle && r_.types[ue.id].handle_kind == HandleKind::Borrow &&
        !resource_exported(resource_of(ue))) {
      // list<borrow<imported>>: Borrow<R> is one i32 handle, so the host's
      // buffer is adopted in place; each handle is registered for the drop.
      std::string len = fresh(), hs = fresh();
      pre += "static_assert(sizeof(" + ct + ") == 4 && alignof(" + ct + ") == 4);\n";
      pre += "size_t " + len + " = (size_t)(uint32_t)(" + n + ");\n";
      pre += "int32_t* " + hs + " = compono::abi::i32_ptr<int32_t>(" + p + ");\n";
      if (!opt_.manual_borrows) {
        std::string i = fresh();
        pre += "for (size_t " + i + " = 0; " + i + " < " + len + "; ++" + i + ") scope.add(" + hs + "[" + i + "], &" +
               drop_fn(resource_of(ue)) + ");\n";
      }
      return "compono::List<" + ct + ">::adopt(reinterpret_cast<" + ct + "*>(" + hs + "), " + len + ")";
    }
    SizeAlign sa = size_align(r_, elem);
    std::string len = fresh(), src = fresh(), dst = fresh(), i = fresh();
    pre += "size_t " + len + " = (size_t)(uint32_t)(" + n + ");\n";
    pre += "char* " + src + " = compono::abi::i32_ptr<char>(" + p + ");\n";
    pre += ct + "* " + dst + " = compono::List<" + ct + ">::alloc_raw(" + len + ");\n";
    std::string body;
    std::string e = load(elem, src + " + " + i + " * " + std::to_string(sa.size), 0, body);
    pre += "for (size_t " + i + " = 0; " + i + " < " + len + "; ++" + i + ") {\n" + body + "new (" + dst + " + " + i +
           ") " + ct + "(" + e + ");\n}\n";
    pre += "compono::abi::free(" + src + ", " + len + " * " + std::to_string(sa.size) + ");\n";
    return "compono::List<" + ct + ">::adopt(" + dst + ", " + len + ")";
  }

  // Builds the value of a variant-like type from case index + payload
  // expression producer.  Returns an immediately-invoked lambda.
  template <class F>
  std::string variant_value(Type t, const std::string& disc, F&& payload) {
    const TypeDef& d = r_.types[t.id];
    std::string q = cpp(t);
    std::string s = "[&]() -> " + q + " {\nswitch (" + disc + ") {\n";
    auto one = [&](std::size_t i, const std::optional<Type>& pt, const std::string& mk_prefix,
                   const std::string& mk_suffix, const std::string& empty) {
      s += "case " + std::to_string(i) + ": {\n";
      if (pt) {
        std::string body;
        std::string e = payload(*pt, body);
        s += body + "return " + mk_prefix + e + mk_suffix + ";\n";
      } else {
        s += "return " + empty + ";\n";
      }
      s += "}\n";
    };
    if (d.kind == TypeDefKind::Option) {
      one(0, std::nullopt, "", "", "std::nullopt");
      one(1, d.type, q + "(", ")", "");
    } else if (d.kind == TypeDefKind::Result) {
      one(0, d.ok, q + "(", ")", q + "()");
      one(1, d.err, "compono::err(", ")", "compono::err(compono::Unit{})");
    } else {
      for (std::size_t i = 0; i < d.cases.size(); ++i) {
        std::string cq = q + "::" + case_name(d, i);
        one(i, d.cases[i].type, q + "{" + cq + "{", "}}", q + "{" + cq + "{}}");
      }
    }
    s += "default: __builtin_trap();\n}\n}()";
    return s;
  }

  std::string lift_flat(Type t, const std::vector<Flat>& vals, std::size_t& i, std::string& pre) {
    t = r_.unalias(t);
    auto next = [&]() -> std::string { return i < vals.size() ? vals[i++].expr : std::string("0"); };
    switch (t.kind) {
      case Prim::Bool: return "(" + next() + " != 0)";
      case Prim::S8: return "(int8_t)(" + next() + ")";
      case Prim::U8: return "(uint8_t)(" + next() + ")";
      case Prim::S16: return "(int16_t)(" + next() + ")";
      case Prim::U16: return "(uint16_t)(" + next() + ")";
      case Prim::S32: return "(int32_t)(" + next() + ")";
      case Prim::U32: return "(uint32_t)(" + next() + ")";
      case Prim::S64: return "(int64_t)(" + next() + ")";
      case Prim::U64: return "(uint64_t)(" + next() + ")";
      case Prim::F32: return "(float)(" + next() + ")";
      case Prim::F64: return "(double)(" + next() + ")";
      case Prim::Char: return "(char32_t)(uint32_t)(" + next() + ")";
      case Prim::String: {
        std::string p = next(), n = next();
        return lift_list(t, p, n, pre);
      }
      case Prim::ErrorContext: unsupported("error-context"); return "0";
      case Prim::Def: break;
    }
    const TypeDef& d = r_.types[t.id];
    switch (d.kind) {
      case TypeDefKind::Record: {
        std::string s = cpp(t) + "{";
        for (std::size_t k = 0; k < d.fields.size(); ++k) s += (k ? ", " : "") + lift_flat(d.fields[k].type, vals, i, pre);
        return s + "}";
      }
      case TypeDefKind::Tuple: {
        std::string s = cpp(t) + "{";
        for (std::size_t k = 0; k < d.types.size(); ++k) s += (k ? ", " : "") + lift_flat(d.types[k], vals, i, pre);
        return s + "}";
      }
      case TypeDefKind::FixedList: {
        std::string s = cpp(t) + "{";
        for (std::uint32_t k = 0; k < d.length && i < vals.size(); ++k) s += (k ? ", " : "") + lift_flat(d.type, vals, i, pre);
        return s + "}";
      }
      case TypeDefKind::Flags: {
        std::vector<CoreType> ft;
        flatten(r_, t, ft);
        std::string ty = flags_type(d.names.size());
        if (ft.empty()) return cpp(t) + "{}";
        if (ft.size() == 1) return cpp(t) + "{(" + ty + ")(uint32_t)(" + next() + ")}";
        std::string lo = next(), hi = next();
        return cpp(t) + "{(uint64_t)(uint32_t)(" + lo + ") | ((uint64_t)(uint32_t)(" + hi + ") << 32)}";
      }
      case TypeDefKind::Enum: return "(" + cpp(t) + ")(" + next() + ")";
      case TypeDefKind::Resource:
      case TypeDefKind::Handle: return lift_handle(t, next(), pre);
      case TypeDefKind::List: {
        std::string p = next(), n = next();
        return lift_list(t, p, n, pre);
      }
      case TypeDefKind::Option:
      case TypeDefKind::Result:
      case TypeDefKind::Variant: {
        std::vector<CoreType> joined;
        flatten(r_, t, joined);
        std::size_t start = i;
        i += joined.size();
        std::string disc = start < vals.size() ? vals[start].expr : "0";
        return variant_value(t, disc, [&](Type pt, std::string& body) {
          std::vector<CoreType> pf;
          flatten(r_, pt, pf);
          std::vector<Flat> sub;
          for (std::size_t j = 0; j < pf.size() && start + 1 + j < vals.size(); ++j)
            sub.push_back({pf[j], narrow(joined[j + 1], pf[j], vals[start + 1 + j].expr)});
          std::size_t k = 0;
          return lift_flat(pt, sub, k, body);
        });
      }
      default: return cpp(t);
    }
  }

  std::string load(Type t, const std::string& base, std::uint32_t off, std::string& pre) {
    t = r_.unalias(t);
    auto ld = [&](const char* ty) {
      return std::string("compono::abi::load<") + ty + ">(" + at(base, off) + ")";
    };
    switch (t.kind) {
      case Prim::Bool: return "(" + ld("uint8_t") + " != 0)";
      case Prim::S8: return ld("int8_t");
      case Prim::U8: return ld("uint8_t");
      case Prim::S16: return ld("int16_t");
      case Prim::U16: return ld("uint16_t");
      case Prim::S32: return ld("int32_t");
      case Prim::U32: return ld("uint32_t");
      case Prim::S64: return ld("int64_t");
      case Prim::U64: return ld("uint64_t");
      case Prim::F32: return ld("float");
      case Prim::F64: return ld("double");
      case Prim::Char: return "(char32_t)" + ld("uint32_t");
      case Prim::String:
        return lift_list(t, "compono::abi::load<int32_t>(" + at(base, off) + ")",
                         "compono::abi::load<int32_t>(" + at(base, off + 4) + ")", pre);
      case Prim::ErrorContext: unsupported("error-context"); return "0";
      case Prim::Def: break;
    }
    const TypeDef& d = r_.types[t.id];
    switch (d.kind) {
      case TypeDefKind::Record: {
        auto offs = field_offsets(r_, t);
        std::string s = cpp(t) + "{";
        for (std::size_t k = 0; k < d.fields.size(); ++k)
          s += (k ? ", " : "") + load(d.fields[k].type, base, off + offs[k], pre);
        return s + "}";
      }
      case TypeDefKind::Tuple: {
        auto offs = field_offsets(r_, t);
        std::string s = cpp(t) + "{";
        for (std::size_t k = 0; k < d.types.size(); ++k) s += (k ? ", " : "") + load(d.types[k], base, off + offs[k], pre);
        return s + "}";
      }
      case TypeDefKind::FixedList: {
        std::string a = fresh();
        pre += cpp(t) + " " + a + ";\n";
        if (plain_bytes(d.type)) {
          pre += "std::memcpy(" + a + ".data(), " + base + " + " + std::to_string(off) + ", sizeof(" + a + "));\n";
          return "std::move(" + a + ")";
        }
        SizeAlign sa = size_align(r_, d.type);
        std::string i = fresh(), body;
        std::string e = load(d.type, "(" + base + " + " + std::to_string(off) + " + " + i + " * " + std::to_string(sa.size) + ")",
                             0, body);
        pre += "for (size_t " + i + " = 0; " + i + " < " + std::to_string(d.length) + "; ++" + i + ") {\n" + body + a +
               "[" + i + "] = " + e + ";\n}\n";
        return "std::move(" + a + ")";
      }
      case TypeDefKind::Flags: {
        std::size_t n = d.names.size();
        if (n == 0) return cpp(t) + "{}";
        if (n <= 32) return cpp(t) + "{" + ld(flags_type(n).c_str()) + "}";
        return cpp(t) + "{(uint64_t)compono::abi::load<uint32_t>(" + at(base, off) +
               ") | ((uint64_t)compono::abi::load<uint32_t>(" + at(base, off + 4) + ") << 32)}";
      }
      case TypeDefKind::Enum: return "(" + cpp(t) + ")" + ld(disc_type(d.names.size()).c_str());
      case TypeDefKind::Resource:
      case TypeDefKind::Handle: return lift_handle(t, ld("int32_t"), pre);
      case TypeDefKind::List:
        return lift_list(t, "compono::abi::load<int32_t>(" + at(base, off) + ")",
                         "compono::abi::load<int32_t>(" + at(base, off + 4) + ")", pre);
      case TypeDefKind::Option:
      case TypeDefKind::Result:
      case TypeDefKind::Variant: {
        std::size_t ncases = d.kind == TypeDefKind::Variant ? d.cases.size() : 2;
        std::uint32_t poff = field_offsets(r_, t)[0];
        std::string disc = ld(disc_type(ncases).c_str());
        return variant_value(t, disc, [&](Type pt, std::string& body) { return load(pt, base, off + poff, body); });
      }
      default: return cpp(t);
    }
  }

  // Frees what a stored value owns (post-return).
  void free_mem(Type t, const std::string& base, std::uint32_t off, std::string& pre) {
    t = r_.unalias(t);
    if (!needs_free(t)) return;
    if (t.kind == Prim::String) {
      pre += "compono::abi::free(compono::abi::i32_ptr(compono::abi::load<int32_t>(" + at(base, off) +
             ")), (size_t)compono::abi::load<uint32_t>(" + at(base, off + 4) + "));\n";
      return;
    }
    const TypeDef& d = r_.types[t.id];
    switch (d.kind) {
      case TypeDefKind::Record: {
        auto offs = field_offsets(r_, t);
        for (std::size_t k = 0; k < d.fields.size(); ++k) free_mem(d.fields[k].type, base, off + offs[k], pre);
        return;
      }
      case TypeDefKind::Tuple: {
        auto offs = field_offsets(r_, t);
        for (std::size_t k = 0; k < d.types.size(); ++k) free_mem(d.types[k], base, off + offs[k], pre);
        return;
      }
      case TypeDefKind::FixedList: {
        SizeAlign sa = size_align(r_, d.type);
        std::string i = fresh(), body;
        free_mem(d.type, "(" + base + " + " + std::to_string(off) + " + " + i + " * " + std::to_string(sa.size) + ")", 0, body);
        pre += "for (size_t " + i + " = 0; " + i + " < " + std::to_string(d.length) + "; ++" + i + ") {\n" + body + "}\n";
        return;
      }
      case TypeDefKind::List: {
        SizeAlign sa = size_align(r_, d.type);
        std::string p = fresh(), n = fresh();
        pre += "char* " + p + " = compono::abi::i32_ptr<char>(compono::abi::load<int32_t>(" + at(base, off) + "));\n";
        pre += "size_t " + n + " = compono::abi::load<uint32_t>(" + at(base, off + 4) + ");\n";
        if (needs_free(d.type)) {
          std::string i = fresh(), body;
          free_mem(d.type, p + " + " + i + " * " + std::to_string(sa.size), 0, body);
          pre += "for (size_t " + i + " = 0; " + i + " < " + n + "; ++" + i + ") {\n" + body + "}\n";
        }
        pre += "compono::abi::free(" + p + ", " + n + " * " + std::to_string(sa.size) + ");\n";
        return;
      }
      case TypeDefKind::Option:
      case TypeDefKind::Result:
      case TypeDefKind::Variant: {
        std::size_t ncases = d.kind == TypeDefKind::Variant ? d.cases.size() : 2;
        std::uint32_t poff = field_offsets(r_, t)[0];
        std::vector<std::optional<Type>> payloads;
        if (d.kind == TypeDefKind::Option) payloads = {std::nullopt, d.type};
        else if (d.kind == TypeDefKind::Result) payloads = {d.ok, d.err};
        else for (const auto& c : d.cases) payloads.push_back(c.type);
        pre += "switch (compono::abi::load<" + disc_type(ncases) + ">(" + at(base, off) + ")) {\n";
        for (std::size_t k = 0; k < payloads.size(); ++k) {
          if (!payloads[k] || !needs_free(*payloads[k])) continue;
          std::string body;
          free_mem(*payloads[k], base, off + poff, body);
          pre += "case " + std::to_string(k) + ": {\n" + body + "break;\n}\n";
        }
        pre += "default: break;\n}\n";
        return;
      }
      default: return;
    }
  }

  std::string case_name(const TypeDef& d, std::size_t i) const {
    std::string n = pascal(d.cases[i].name);
    if (n == pascal(d.name)) n += "_";
    return n;
  }

  // ------------------------------------------------------------ type definitions
  std::string cur_ns_;
  void open_ns(std::string& out, const std::string& ns) {
    if (ns == cur_ns_) return;
    if (!cur_ns_.empty()) out += "}  // namespace " + cur_ns_.substr(2) + "\n";
    if (!ns.empty()) out += "namespace " + ns.substr(2) + " {\n";
    cur_ns_ = ns;
  }

  void deps_of(Type t, std::vector<TypeId>& out) {
    if (!t.is_def()) return;
    const TypeDef& d = r_.types[t.id];
    if (!d.name.empty() && d.kind != TypeDefKind::Alias) {
      out.push_back(t.id);
      return;
    }
    children(t.id, out);
  }
  void children(TypeId id, std::vector<TypeId>& out) {
    const TypeDef& d = r_.types[id];
    switch (d.kind) {
      case TypeDefKind::Record: for (const auto& f : d.fields) deps_of(f.type, out); break;
      case TypeDefKind::Variant: for (const auto& c : d.cases) if (c.type) deps_of(*c.type, out); break;
      case TypeDefKind::Tuple: for (const auto& x : d.types) deps_of(x, out); break;
      case TypeDefKind::Result:
        if (d.ok) deps_of(*d.ok, out);
        if (d.err) deps_of(*d.err, out);
        break;
      case TypeDefKind::Handle:
      case TypeDefKind::Option:
      case TypeDefKind::List:
      case TypeDefKind::FixedList:
      case TypeDefKind::Alias: deps_of(d.type, out); break;
      default: break;
    }
  }

  std::set<TypeId> emitted_;
  std::vector<TypeId> order_;
  void visit(TypeId id) {
    if (emitted_.count(id)) return;
    emitted_.insert(id);
    std::vector<TypeId> deps;
    children(id, deps);
    for (TypeId x : deps) visit(x);
    const TypeDef& d = r_.types[id];
    if (!d.name.empty() && d.kind != TypeDefKind::Alias) order_.push_back(id);
  }

  std::map<TypeId, std::vector<const Function*>> res_funcs_;  // imported resources' functions

  void define_type(std::string& h, TypeId id) {
    const TypeDef& d = r_.types[id];
    std::string name = pascal(d.name);
    if (d.kind == TypeDefKind::Resource && resource_exported(id)) return;  // the user defines it
    open_ns(h, type_ns(id));
    switch (d.kind) {
      case TypeDefKind::Record:
        h += "struct " + name + " {\n";
        for (const auto& f : d.fields) h += "  " + cpp(f.type) + " " + snake(f.name) + "{};\n";
        h += "};\n";
        break;
      case TypeDefKind::Variant: {
        h += "struct " + name + " {\n";
        std::string alts;
        for (std::size_t i = 0; i < d.cases.size(); ++i) {
          std::string cn = case_name(d, i);
          if (d.cases[i].type) h += "  struct " + cn + " {\n    " + cpp(*d.cases[i].type) + " value;\n  };\n";
          else h += "  struct " + cn + " {};\n";
          alts += (i ? ", " : "") + cn;
        }
        h += "  std::variant<" + alts + "> value;\n";
        h += "  std::size_t index() const { return value.index(); }\n";
        h += "};\n";
        break;
      }
      case TypeDefKind::Enum:
        h += "enum class " + name + " : " + disc_type(d.names.size()) + " {\n";
        for (const auto& n : d.names) h += "  " + snake(n.name) + ",\n";
        h += "};\n";
        break;
      case TypeDefKind::Flags: {
        std::string bt = flags_type(d.names.size());
        std::string all = d.names.size() >= 64 ? "~(uint64_t)0" : "((" + bt + ")(((uint64_t)1 << " + std::to_string(d.names.size()) + ") - 1))";
        h += "struct " + name + " {\n  " + bt + " bits = 0;\n";
        for (const auto& n : d.names) h += "  static const " + name + " " + flag_name(n.name) + ";\n";
        h += "  static constexpr " + bt + " kAll = " + all + ";\n";
        h += "  explicit operator bool() const { return bits != 0; }\n";
        h += "  bool contains(" + name + " o) const { return (bits & o.bits) == o.bits; }\n";
        h += "  friend bool operator==(" + name + " a, " + name + " b) { return a.bits == b.bits; }\n";
        for (const char* op : {"|", "&", "^"}) {
          h += "  friend " + name + " operator" + op + "(" + name + " a, " + name + " b) { return " + name + "{(" + bt +
               ")(a.bits " + op + " b.bits)}; }\n";
          h += "  " + name + "& operator" + op + "=(" + name + " o) { bits = (" + bt + ")(bits " + op +
               " o.bits); return *this; }\n";
        }
        h += "  friend " + name + " operator~(" + name + " a) { return " + name + "{(" + bt + ")(~a.bits & kAll)}; }\n";
        h += "};\n";
        for (std::size_t i = 0; i < d.names.size(); ++i)
          h += "inline const " + name + " " + name + "::" + flag_name(d.names[i].name) + "{(" + bt + ")((uint64_t)1 << " +
               std::to_string(i) + ")};\n";
        break;
      }
      case TypeDefKind::Resource: {
        h += "class " + name + " : public compono::ImportedResourceTag {\n public:\n";
        h += "  " + name + "() = default;\n";
        h += "  " + name + "(" + name + "&& o) noexcept : handle_(o.handle_) { o.handle_ = 0; }\n";
        h += "  " + name + "& operator=(" + name + "&& o) noexcept { std::swap(handle_, o.handle_); return *this; }\n";
        h += "  ~" + name + "();\n";
        h += "  static " + name + " from_handle(int32_t h) { " + name + " r; r.handle_ = h; return r; }\n";
        h += "  int32_t handle() const { return handle_; }\n";
        h += "  int32_t take_handle() { int32_t h = handle_; handle_ = 0; return h; }\n";
        h += "  explicit operator bool() const { return handle_ != 0; }\n";
        for (const Function* f : res_funcs_[id]) h += "  " + member_decl(*f, name) + ";\n";
        h += " private:\n  int32_t handle_ = 0;\n};\n";
        break;
      }
      default: break;
    }
  }
  std::string flag_name(const std::string& n) const {
    std::string s = snake(n);
    if (s == "bits" || s == "contains" || s == "kAll") s += "_";
    return s;
  }

  std::string params_decl(const Function& f, std::size_t first, bool imported) {
    std::string s;
    for (std::size_t i = first; i < f.params.size(); ++i) {
      if (i > first) s += ", ";
      s += (imported ? import_param(f.params[i].type) : export_param(f.params[i].type)) + " " + snake(f.params[i].name);
    }
    return s;
  }
  std::string member_name(const Function& f) const { return snake(f.item_name); }
  // Out-of-class definition head of an imported resource's member function.
  std::string member_def(const Function& f) {
    std::string q = qname(f.resource).substr(2), cls = pascal(r_.types[f.resource].name);
    if (f.kind == FunctionKind::Constructor)
      return f.params.empty() ? "::" + q + " " + q + "::make()" : q + "::" + cls + "(" + params_decl(f, 0, true) + ")";
    if (f.kind == FunctionKind::Method)
      return ret_type(f) + " " + q + "::" + member_name(f) + "(" + params_decl(f, 1, true) + ") const";
    return ret_type(f) + " " + q + "::" + member_name(f) + "(" + params_decl(f, 0, true) + ")";
  }
  std::string member_decl(const Function& f, const std::string& cls) {
    switch (f.kind) {
      case FunctionKind::Constructor:
        if (f.params.empty()) return "static " + cls + " make()";
        return std::string(f.params.size() == 1 ? "explicit " : "") + cls + "(" + params_decl(f, 0, true) + ")";
      case FunctionKind::Method:
        return ret_type(f) + " " + member_name(f) + "(" + params_decl(f, 1, true) + ") const";
      default: return "static " + ret_type(f) + " " + member_name(f) + "(" + params_decl(f, 0, true) + ")";
    }
  }

  // ------------------------------------------------------------ functions
  struct Sig {
    std::vector<CoreType> params, results;
    bool params_indirect = false, result_indirect = false;
  };
  Sig signature(const Function& f, bool import) {
    Sig s;
    for (const auto& p : f.params) flatten(r_, p.type, s.params);
    if (s.params.size() > kMaxFlatParams) {
      s.params = {CoreType::I32};
      s.params_indirect = true;
    }
    if (f.result) flatten(r_, *f.result, s.results);
    if (s.results.size() > kMaxFlatResults) {
      s.results.clear();
      s.result_indirect = true;
      if (import) s.params.push_back(CoreType::I32);
      else s.results = {CoreType::I32};
    }
    return s;
  }
  SizeAlign params_tuple(const Function& f, std::vector<std::uint32_t>& offs) {
    std::uint32_t size = 0, align = 1;
    for (const auto& p : f.params) {
      SizeAlign sa = size_align(r_, p.type);
      size = (size + sa.align - 1) / sa.align * sa.align;
      offs.push_back(size);
      size += sa.size;
      align = std::max(align, sa.align);
    }
    size = (size + align - 1) / align * align;
    return {size, align};
  }

  int fn_ = 0;
  std::uint32_t ret_area_size_ = 0, ret_area_align_ = 1;

  // The body of an imported function's wrapper (its C++ declaration is
  // `decl`, qualified).  Method self is `*this`.
  void import_function(std::string& src, const Function& f, const std::string& module, const std::string& qual_decl) {
    Sig sig = signature(f, true);
    std::string cname = "compono_import_" + std::to_string(fn_++);
    src += "extern \"C\" __attribute__((import_module(" + cpp_string_literal(module) + "), import_name(" +
           cpp_string_literal(f.name) + "))) " + (sig.results.empty() ? "void" : core_cpp(sig.results[0])) + " " + cname +
           "(";
    for (std::size_t i = 0; i < sig.params.size(); ++i) src += std::string(i ? ", " : "") + core_cpp(sig.params[i]);
    src += ");\n";
    src += qual_decl + " {\n";
    std::string pre = "[[maybe_unused]] compono::abi::Cleanup cleanup;\n";
    std::vector<std::string> args;
    std::size_t first = 0;
    if (f.kind == FunctionKind::Method) {
      first = 1;
    }
    if (!sig.params_indirect) {
      std::vector<Flat> flat;
      if (first) flat.push_back({CoreType::I32, "this->handle()"});
      for (std::size_t i = first; i < f.params.size(); ++i)
        lower_flat(f.params[i].type, snake(f.params[i].name), Mode::ImportArg, pre, flat);
      for (auto& x : flat) args.push_back(x.expr);
    } else {
      std::vector<std::uint32_t> offs;
      SizeAlign sa = params_tuple(f, offs);
      std::string buf = fresh();
      pre += "alignas(" + std::to_string(sa.align) + ") char " + buf + "[" + std::to_string(std::max<std::uint32_t>(sa.size, 1)) + "];\n";
      for (std::size_t i = 0; i < f.params.size(); ++i) {
        if (i < first) pre += "compono::abi::store<int32_t>(" + at(buf, offs[i]) + ", this->handle());\n";
        else store(f.params[i].type, snake(f.params[i].name), buf, offs[i], Mode::ImportArg, pre);
      }
      args.push_back("compono::abi::ptr_i32(" + buf + ")");
    }
    std::string ret;
    if (sig.result_indirect) {
      SizeAlign sa = size_align(r_, *f.result);
      ret = fresh();
      pre += "alignas(" + std::to_string(sa.align) + ") char " + ret + "[" + std::to_string(sa.size) + "];\n";
      args.push_back("compono::abi::ptr_i32(" + ret + ")");
    }
    std::string call = cname + "(";
    for (std::size_t i = 0; i < args.size(); ++i) call += (i ? ", " : "") + args[i];
    call += ")";
    src += pre;
    if (!f.result) {
      src += call + ";\n}\n";
      return;
    }
    std::string post, value;
    if (sig.result_indirect) {
      src += call + ";\n";
      value = load(*f.result, ret, 0, post);
    } else {
      std::string rv = fresh();
      src += "auto " + rv + " = " + call + ";\n";
      std::vector<Flat> vals;
      std::vector<CoreType> rt;
      flatten(r_, *f.result, rt);
      vals.push_back({rt.empty() ? CoreType::I32 : rt[0], rv});
      std::size_t k = 0;
      value = lift_flat(*f.result, vals, k, post);
    }
    src += post;
    if (f.kind == FunctionKind::Constructor && !f.params.empty())
      src += "this->handle_ = (" + value + ").take_handle();\n}\n";
    else
      src += "return " + value + ";\n}\n";
  }

  void export_function(std::string& src, const Function& f, const std::string& export_name, const std::string& user_call,
                       TypeId res) {
    Sig sig = signature(f, false);
    std::string cname = "compono_export_" + std::to_string(fn_++);
    src += "extern \"C\" __attribute__((export_name(" + cpp_string_literal(export_name) + "))) " +
           (sig.results.empty() ? "void" : core_cpp(sig.results[0])) + " " + cname + "(";
    for (std::size_t i = 0; i < sig.params.size(); ++i)
      src += std::string(i ? ", " : "") + core_cpp(sig.params[i]) + " p" + std::to_string(i);
    src += ") {\n[[maybe_unused]] compono::abi::BorrowScope scope;\n";
    std::string pre;
    std::vector<std::string> args;
    bool method = f.kind == FunctionKind::Method;
    std::string self;
    auto arg_of = [&](std::size_t i, const std::string& value) {
      std::string a = "a" + std::to_string(i);
      if (method && i == 0) {
        self = "static_cast<" + qname(res) + "*>(compono::abi::i32_ptr(" + value + "))";
        return;
      }
      pre += "auto " + a + " = " + value + ";\n";
      Type u = r_.unalias(f.params[i].type);
      if (u.is_def() && r_.types[u.id].kind == TypeDefKind::Handle && r_.types[u.id].handle_kind == HandleKind::Borrow &&
          (!opt_.manual_borrows || resource_exported(resource_of(u))))
        args.push_back(a + ".get()");
      else
        args.push_back("std::move(" + a + ")");
    };
    if (!sig.params_indirect) {
      std::vector<Flat> vals;
      for (std::size_t i = 0; i < sig.params.size(); ++i) vals.push_back({sig.params[i], "p" + std::to_string(i)});
      std::size_t k = 0;
      for (std::size_t i = 0; i < f.params.size(); ++i) {
        if (method && i == 0) {
          arg_of(i, vals[k++].expr);
          continue;
        }
        arg_of(i, lift_flat(f.params[i].type, vals, k, pre));
      }
    } else {
      std::vector<std::uint32_t> offs;
      SizeAlign sa = params_tuple(f, offs);
      pre += "char* args = compono::abi::i32_ptr<char>(p0);\n";
      for (std::size_t i = 0; i < f.params.size(); ++i) {
        if (method && i == 0) {
          arg_of(i, "compono::abi::load<int32_t>(" + at("args", offs[i]) + ")");
          continue;
        }
        arg_of(i, load(f.params[i].type, "args", offs[i], pre));
      }
      pre += "compono::abi::free(args, " + std::to_string(sa.size) + ");\n";
    }
    src += pre;
    std::string call;
    std::string argl;
    for (std::size_t i = 0; i < args.size(); ++i) argl += (i ? ", " : "") + args[i];
    if (f.kind == FunctionKind::Constructor) call = "compono::Own<" + qname(res) + ">(new " + qname(res) + "(" + argl + "))";
    else if (method) call = self + "->" + member_name(f) + "(" + argl + ")";
    else call = user_call + "(" + argl + ")";
    if (!f.result) {
      src += call + ";\n}\n";
      return;
    }
    src += "auto result = " + call + ";\n";
    std::string post;
    if (!sig.result_indirect) {
      std::vector<Flat> flat;
      lower_flat(*f.result, "result", Mode::ExportResult, post, flat);
      src += post + "return " + (flat.empty() ? "0" : flat[0].expr) + ";\n}\n";
      return;
    }
    SizeAlign sa = size_align(r_, *f.result);
    ret_area_size_ = std::max(ret_area_size_, sa.size);
    ret_area_align_ = std::max(ret_area_align_, sa.align);
    src += "char* ret = compono_ret_area;\n";
    store(*f.result, "result", "ret", 0, Mode::ExportResult, post);
    src += post + "return compono::abi::ptr_i32(ret);\n}\n";
    if (needs_free(*f.result)) {
      std::string body;
      free_mem(*f.result, "ret", 0, body);
      src += "extern \"C\" __attribute__((export_name(" + cpp_string_literal("cabi_post_" + export_name) +
             "))) void " + cname + "_post(int32_t p0) {\nchar* ret = compono::abi::i32_ptr<char>(p0);\n" + body + "}\n";
    }
  }
};

Result<std::vector<File>> Gen::run() {
  std::string base = opt_.basename.empty() ? snake(w_.name) : opt_.basename;
  world_ns_ = pkg_ns(w_.package);
  for (const auto& it : w_.imports)
    if (it.kind == WorldItemKind::Interface) {
      imported_.insert(it.interface);
      iface_key_[it.interface] = r_.item_key(it);
      if (!it.name.empty()) anon_name_[it.interface] = it.name;
    }
  for (const auto& it : w_.exports)
    if (it.kind == WorldItemKind::Interface) {
      exported_.insert(it.interface);
      iface_key_[it.interface] = r_.item_key(it);
      if (!it.name.empty()) anon_name_[it.interface] = it.name;
    }
  // Imported functions: those using constructs that are not supported yet
  // are skipped (and noted); exported ones must be implemented, so they are errors.
  for (const auto& it : w_.imports) {
    if (it.kind == WorldItemKind::Function && !skip_import(it.function, "world " + w_.name) &&
        it.function.kind != FunctionKind::Freestanding)
      res_funcs_[it.function.resource].push_back(&it.function);  // a world-level resource's function
    if (it.kind != WorldItemKind::Interface) continue;
    for (const auto& f : r_.interfaces[it.interface].functions) {
      if (skip_import(f, r_.item_key(it))) continue;
      if (f.kind != FunctionKind::Freestanding) res_funcs_[f.resource].push_back(&f);
    }
  }
  auto check_export = [&](const Function& f, const std::string& where) {
    std::string u = fn_unsupported(f);
    if (!u.empty() && err_.empty())
      err_ = "compono bindgen cpp: not supported yet: " + u + " (exported by " + where + ")";
  };
  for (const auto& it : w_.exports) {
    if (it.kind == WorldItemKind::Function) check_export(it.function, "world " + w_.name);
    if (it.kind == WorldItemKind::Interface)
      for (const auto& f : r_.interfaces[it.interface].functions) check_export(f, r_.item_key(it));
  }
  if (!err_.empty()) return fail(err_);

  // Types in dependency order.
  std::vector<TypeId> roots;
  auto add_iface = [&](InterfaceId i) {
    for (const auto& [n, id] : r_.interfaces[i].types) roots.push_back(id);
  };
  for (const auto& it : w_.imports) {
    if (it.kind == WorldItemKind::Interface) add_iface(it.interface);
    if (it.kind == WorldItemKind::Type) roots.push_back(it.type);
  }
  for (const auto& it : w_.exports)
    if (it.kind == WorldItemKind::Interface) add_iface(it.interface);
  for (TypeId id : roots) visit(id);

  std::string h, s;
  h += "// Generated by `compono bindgen cpp` for world " + r_.packages[w_.package].name.to_string() + "/" + w_.name +
       ". Do not edit.\n";
  if (opt_.manual_borrows)
    h += "// Manual borrows (--manual-borrows): the glue does not drop the borrowed handles an\n"
         "// export receives.  Call drop() on every compono::Borrow<R> of an imported resource\n"
         "// that an export receives (at any depth) exactly once before returning.\n";
  h += "#pragma once\n\n#include <compono/guest.h>\n\n";
  for (const auto& n : notes_) h += "// " + n + "\n";
  // Side 0: imported interfaces (and world types); side 1: exported interfaces
  // (an interface both imported and exported appears on both sides).
  auto on_side = [&](TypeId id, bool x) {
    const TypeDef& d = r_.types[id];
    bool exp = owned_by_export(id);
    if (!x) return !exp || dual(d.owner.id);
    return exp;
  };
  std::set<std::pair<std::string, std::string>> aliased;
  for (int side = 0; side < 2; ++side) {
    xside_ = side == 1;
    // 1. forward declarations
    for (TypeId id : order_) {
      if (!on_side(id, xside_) || type_unsupported(id)) continue;
      const TypeDef& d = r_.types[id];
      if (d.kind == TypeDefKind::Resource && resource_exported(id)) continue;  // the user's class
      open_ns(h, type_ns(id));
      switch (d.kind) {
        case TypeDefKind::Record:
        case TypeDefKind::Variant:
        case TypeDefKind::Flags: h += "struct " + pascal(d.name) + ";\n"; break;
        case TypeDefKind::Enum: h += "enum class " + pascal(d.name) + " : " + disc_type(d.names.size()) + ";\n"; break;
        case TypeDefKind::Resource: h += "class " + pascal(d.name) + ";\n"; break;
        default: break;
      }
    }
    // Exported resources are the user's classes, declared before use.
    if (xside_)
      for (TypeId id : order_)
        if (on_side(id, true) && r_.types[id].kind == TypeDefKind::Resource && resource_exported(id)) {
          open_ns(h, type_ns(id));
          h += "class " + pascal(r_.types[id].name) + ";\n";
        }
    // 2. definitions
    for (TypeId id : order_) {
      if (!on_side(id, xside_)) continue;
      if (type_unsupported(id)) {
        open_ns(h, type_ns(id));
        h += "// " + pascal(r_.types[id].name) + ": not supported yet (" + unsupported_in(Type::def(id)) + "); skipped\n";
        continue;
      }
      define_type(h, id);
    }
    // 3. aliases (`use`d names, `type x = ...`)
    for (TypeId id : roots) {
      const TypeDef& d = r_.types[id];
      if (d.kind != TypeDefKind::Alias || d.name.empty() || !on_side(id, xside_) || type_unsupported(id)) continue;
      std::string ns = type_ns(id), name = pascal(d.name);
      Type target = r_.unalias(Type::def(id));
      std::string q;
      if (target.is_def() && r_.types[target.id].kind == TypeDefKind::Resource) q = qname(target.id);
      else q = cpp(target);
      if (q == ns + "::" + name || !aliased.insert({ns, name}).second) continue;
      open_ns(h, ns);
      h += "using " + name + " = " + q + ";\n";
    }
  }
  // Exported resources: ResourceOps, declared here, defined in the source.
  xside_ = true;
  std::vector<std::pair<TypeId, InterfaceId>> ex_res;
  for (const auto& it : w_.exports) {
    if (it.kind != WorldItemKind::Interface) continue;
    for (const auto& [n, id] : r_.interfaces[it.interface].types)
      if (r_.types[id].kind == TypeDefKind::Resource && r_.types[id].owner.id == it.interface && resource_exported(id))
        ex_res.push_back({id, it.interface});
  }
  open_ns(h, "");
  for (auto [id, iface] : ex_res) {
    (void)iface;
    h += "template <>\nstruct compono::ResourceOps<" + qname(id) +
         "> {\n  static int32_t new_handle(void* rep);\n  static void* rep(int32_t handle);\n  static void drop(int32_t handle);\n};\n";
  }
  // 4. world-level imported functions, then what the user implements.
  xside_ = false;
  for (const auto& it : w_.imports) {
    if (it.kind == WorldItemKind::Function) {
      if (skipped_.count(&it.function) || it.function.kind != FunctionKind::Freestanding) continue;
      open_ns(h, world_ns_);
      h += ret_type(it.function) + " " + world_fn_name(it.function.name) + "(" + params_decl(it.function, 0, true) + ");\n";
    } else if (it.kind == WorldItemKind::Interface) {
      for (const auto& f : r_.interfaces[it.interface].functions)
        if (f.kind == FunctionKind::Freestanding && !skipped_.count(&f)) {
          open_ns(h, iface_ns(it.interface));
          h += ret_type(f) + " " + snake(f.name) + "(" + params_decl(f, 0, true) + ");\n";
        }
    }
  }
  xside_ = true;
  open_ns(h, "");
  if (!w_.exports.empty()) h += "\n// ---- implemented by the user ----\n";
  for (const auto& it : w_.exports) {
    if (it.kind == WorldItemKind::Function) {
      open_ns(h, "::exports" + world_ns_);
      h += ret_type(it.function) + " " + world_fn_name(it.function.name) + "(" + params_decl(it.function, 0, false) + ");\n";
    } else if (it.kind == WorldItemKind::Interface) {
      const Interface& in = r_.interfaces[it.interface];
      std::string ns = "::exports" + iface_ns(it.interface);
      for (const auto& f : in.functions) {
        if (f.kind == FunctionKind::Freestanding) {
          open_ns(h, ns);
          h += ret_type(f) + " " + snake(f.name) + "(" + params_decl(f, 0, false) + ");\n";
        }
      }
      for (const auto& [n, id] : in.types) {
        if (r_.types[id].kind != TypeDefKind::Resource || !resource_exported(id) || r_.types[id].owner.id != it.interface)
          continue;
        open_ns(h, ns);
        std::string cls = pascal(r_.types[id].name);
        h += "// class " + cls + " : public compono::Resource<" + cls + "> is defined by the user in \"" + base +
             "_impl.h\" with:\n";
        for (const auto& f : in.functions) {
          if (f.resource != id) continue;
          if (f.kind == FunctionKind::Constructor) h += "//   " + cls + "(" + params_decl(f, 0, false) + ");\n";
          else if (f.kind == FunctionKind::Method)
            h += "//   " + ret_type(f) + " " + member_name(f) + "(" + params_decl(f, 1, false) + ");\n";
          else h += "//   static " + ret_type(f) + " " + member_name(f) + "(" + params_decl(f, 0, false) + ");\n";
        }
      }
    }
  }
  open_ns(h, "");

  // ---------------- source
  s += "// Generated by `compono bindgen cpp`. Do not edit.\n#include \"" + base + ".h\"\n";
  if (!ex_res.empty()) s += "#include \"" + base + "_impl.h\"\n";
  s += "\n#pragma clang diagnostic ignored \"-Wunused-parameter\"\n\n";
  std::string body;
  // Imported resources: drop functions and destructors.
  xside_ = false;
  for (const auto& it : w_.imports) {
    if (it.kind != WorldItemKind::Interface) continue;
    std::string module = r_.item_key(it);
    for (const auto& [n, id] : r_.interfaces[it.interface].types) {
      if (r_.types[id].kind != TypeDefKind::Resource || r_.types[id].owner.id != it.interface) continue;
      std::string q = qname(id);
      body += "extern \"C\" __attribute__((import_module(" + cpp_string_literal(module) + "), import_name(" +
              cpp_string_literal("[resource-drop]" + r_.types[id].name) + "))) void " + drop_fn(id) + "(int32_t);\n";
      body += q + "::~" + pascal(r_.types[id].name) + "() {\n  if (handle_) " + drop_fn(id) + "(handle_);\n}\n";
    }
    for (const auto& f : r_.interfaces[it.interface].functions) {
      if (skipped_.count(&f)) continue;
      std::string decl;
      if (f.kind == FunctionKind::Freestanding)
        decl = ret_type(f) + " " + iface_ns(it.interface).substr(2) + "::" + snake(f.name) + "(" + params_decl(f, 0, true) + ")";
      else
        decl = member_def(f);
      import_function(body, f, module, decl);
    }
  }
  // World-level imported resources (`world w { resource r { .. } }`) and functions.
  for (const auto& it : w_.imports) {
    if (it.kind != WorldItemKind::Type || r_.types[it.type].kind != TypeDefKind::Resource) continue;
    TypeId id = it.type;
    body += "extern \"C\" __attribute__((import_module(\"$root\"), import_name(" +
            cpp_string_literal("[resource-drop]" + r_.types[id].name) + "))) void " + drop_fn(id) + "(int32_t);\n";
    body += qname(id) + "::~" + pascal(r_.types[id].name) + "() {\n  if (handle_) " + drop_fn(id) + "(handle_);\n}\n";
  }
  for (const auto& it : w_.imports)
    if (it.kind == WorldItemKind::Function && !skipped_.count(&it.function))
      import_function(body, it.function, "$root",
                      it.function.kind != FunctionKind::Freestanding
                          ? member_def(it.function)
                          : ret_type(it.function) + " " + world_ns_.substr(2) + "::" + world_fn_name(it.function.name) +
                                "(" + params_decl(it.function, 0, true) + ")");
  // Exports.
  xside_ = true;
  for (auto [id, iface] : ex_res) {
    std::string module = "[export]" + iface_key_[iface], rn = r_.types[id].name, q = qname(id);
    std::string k = std::to_string(id);
    body += "extern \"C\" __attribute__((import_module(" + cpp_string_literal(module) + "), import_name(" +
            cpp_string_literal("[resource-new]" + rn) + "))) int32_t compono_resource_new_" + k + "(int32_t);\n";
    body += "extern \"C\" __attribute__((import_module(" + cpp_string_literal(module) + "), import_name(" +
            cpp_string_literal("[resource-rep]" + rn) + "))) int32_t compono_resource_rep_" + k + "(int32_t);\n";
    body += "extern \"C\" __attribute__((import_module(" + cpp_string_literal(module) + "), import_name(" +
            cpp_string_literal("[resource-drop]" + rn) + "))) void compono_resource_drop_" + k + "(int32_t);\n";
    body += "int32_t compono::ResourceOps<" + q + ">::new_handle(void* rep) { return compono_resource_new_" + k +
            "(compono::abi::ptr_i32(rep)); }\n";
    body += "void* compono::ResourceOps<" + q + ">::rep(int32_t h) { return compono::abi::i32_ptr(compono_resource_rep_" +
            k + "(h)); }\n";
    body += "void compono::ResourceOps<" + q + ">::drop(int32_t h) { compono_resource_drop_" + k + "(h); }\n";
    body += "extern \"C\" __attribute__((export_name(" + cpp_string_literal(iface_key_[iface] + "#[dtor]" + rn) +
            "))) void compono_dtor_" + k + "(int32_t rep) {\n  delete static_cast<" + q +
            "*>(compono::abi::i32_ptr(rep));\n}\n";
  }
  for (const auto& it : w_.exports) {
    if (it.kind == WorldItemKind::Function) {
      export_function(body, it.function, it.function.name,
                      "::exports" + world_ns_ + "::" + world_fn_name(it.function.name), kNoId);
    } else if (it.kind == WorldItemKind::Interface) {
      std::string key = r_.item_key(it);
      for (const auto& f : r_.interfaces[it.interface].functions) {
        std::string user = f.kind == FunctionKind::Static ? qname(f.resource) + "::" + member_name(f)
                                                          : "::exports" + iface_ns(it.interface) + "::" + snake(f.name);
        export_function(body, f, key + "#" + f.name, user, f.resource);
      }
    }
  }
  if (ret_area_size_)
    s += "alignas(" + std::to_string(ret_area_align_) + ") static char compono_ret_area[" +
         std::to_string(ret_area_size_) + "];\n";
  s += body;
  // The component-type custom section.
  auto bytes = encode_world_type(r_, wid_);
  if (!bytes) return fail("compono bindgen cpp: encoding the world type: " + bytes.error().message);
  s += "\n// The world's type, for `component new`.\n__asm__(\".section \\\".custom_section.component-type:" + w_.name +
       "\\\",\\\"\\\",@\\n\"\n";
  for (std::size_t i = 0; i < bytes->size(); i += 32) {
    s += "\".byte ";
    for (std::size_t j = i; j < std::min(bytes->size(), i + 32); ++j) {
      char b[8];
      std::snprintf(b, sizeof b, "%s%u", j > i ? "," : "", static_cast<unsigned>((*bytes)[j]));
      s += b;
    }
    s += "\\n\"\n";
  }
  s += "\".text\\n\");\n";
  if (!err_.empty()) return fail(err_);
  if (opt_.notes) opt_.notes->insert(opt_.notes->end(), notes_.begin(), notes_.end());
  return std::vector<File>{File{base + ".h", std::move(h)}, File{base + ".cpp", std::move(s)}};
}

}  // namespace

Result<std::vector<File>> generate_guest_cpp(const wit::Resolve& resolve, wit::WorldId world,
                                             const GuestOptions& options) {
  if (world >= resolve.worlds.size()) return fail("compono bindgen cpp: no such world");
  Gen g(resolve, world, options);
  return g.run();
}

}  // namespace compono::bindgen
