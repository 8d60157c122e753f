// src/bindgen/host_cpp.cpp - typed C++ host bindings for a world (owned by
// "hostgen"): `compono bindgen cpp --host --world W WITDIR -o OUT`.
//
// Generates <base>.h and <base>.cpp on top of compono/component.h:
//  * every type of the world (records -> structs, variants -> structs holding
//    a std::variant of one struct per case, enums -> enum class, flags ->
//    bitmask structs, tuples -> std::tuple, option -> std::optional,
//    result -> compono_host::WitResult, list<u8> -> std::vector<uint8_t>,
//    list<T> -> std::vector, string -> std::string);
//  * each imported interface: abstract classes the host implements, one per
//    resource (its methods) plus `Host` (freestanding functions, resource
//    constructors and statics), and `add_to_linker(Linker&, Host&)`;
//    own<R> of an imported resource is std::unique_ptr<R>, borrow<R> is R&;
//  * world-level imported functions: abstract class `<World>Imports`;
//  * the world: class `<World>` with `instantiate(store, linker, component)`
//    and one typed method per exported function (exported interfaces'
//    functions are named <interface>_<function>), returning
//    compono::Result<T, compono::component::Trap>.
// Values cross through Func::call_into (no per-call result vector).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bindgen/bindgen.h"
#include "bindgen/common.h"

namespace compono::bindgen {
namespace {

using namespace compono::wit;

class HostGen {
 public:
  HostGen(const Resolve& r, WorldId w, const HostOptions& o) : r_(r), w_(r.worlds[w]), opt_(o) {}
  Result<std::vector<File>> run();

 private:
  const Resolve& r_;
  const World& w_;
  const HostOptions& opt_;
  std::string err_;
  int tmp_ = 0;
  std::set<InterfaceId> imported_;
  std::map<InterfaceId, std::string> anon_name_;
  std::string world_ns_;
  std::string h_, c_;  // header, source bodies

  std::string fresh() { return "v" + std::to_string(tmp_++); }
  void unsupported(const std::string& what) {
    if (err_.empty()) err_ = "compono bindgen cpp --host: unsupported: " + what;
  }

  // ------------------------------------------------------------ names
  std::string pkg_ns(PackageId p) const { return package_namespace(r_, p); }
  std::string iface_ns(InterfaceId i) const { return interface_namespace(r_, i, w_.package, anon_name_); }
  std::string type_ns(TypeId id) const {
    const TypeDef& d = r_.types[id];
    if (d.owner.kind == Owner::Kind::Interface) return iface_ns(d.owner.id);
    return world_ns_;
  }
  std::string qname(TypeId id) const { return type_ns(id) + "::" + pascal(r_.types[id].name); }
  // Unique C identifier for conversion functions of a named type.
  std::string mangle(TypeId id) const {
    std::string q = qname(id), out;
    for (char ch : q) out += (ch == ':') ? '_' : ch;
    return out;
  }
  TypeId resource_of(Type t) const {
    Type u = r_.unalias(t);
    if (!u.is_def()) return kNoId;
    const TypeDef& d = r_.types[u.id];
    if (d.kind == TypeDefKind::Resource) return u.id;
    if (d.kind == TypeDefKind::Handle) return resource_of(d.type);
    return kNoId;
  }
  // A resource the host implements (owned by an imported interface).
  bool host_resource(TypeId res) const {
    const TypeDef& d = r_.types[res];
    return d.owner.kind == Owner::Kind::Interface && imported_.count(d.owner.id);
  }
  std::string state_of(TypeId res) const { return type_ns(res) + "::detail::" + snake(r_.types[res].name); }

  // ------------------------------------------------------------ C++ types
  std::string cpp(Type t) {
    t = r_.unalias(t);
    switch (t.kind) {
      case Prim::Bool: return "bool";
      case Prim::S8: return "int8_t";
      case Prim::U8: return "uint8_t";
      case Prim::S16: return "int16_t";
      case Prim::U16: return "uint16_t";
      case Prim::S32: return "int32_t";
      case Prim::U32: return "uint32_t";
      case Prim::S64: return "int64_t";
      case Prim::U64: return "uint64_t";
      case Prim::F32: return "float";
      case Prim::F64: return "double";
      case Prim::Char: return "char32_t";
      case Prim::String: return "std::string";
      case Prim::ErrorContext: unsupported("error-context"); return "int";
      case Prim::Def: break;
    }
    const TypeDef& d = r_.types[t.id];
    switch (d.kind) {
      case TypeDefKind::Record:
      case TypeDefKind::Variant:
      case TypeDefKind::Enum:
      case TypeDefKind::Flags: return qname(t.id);
      case TypeDefKind::Resource:
        return host_resource(t.id) ? "std::unique_ptr<" + qname(t.id) + ">" : "compono::component::Resource";
      case TypeDefKind::Handle: {
        TypeId res = resource_of(d.type);
        if (!host_resource(res)) return "compono::component::Resource";
        if (d.handle_kind == HandleKind::Own) return "std::unique_ptr<" + qname(res) + ">";
        return qname(res) + "*";
      }
      case TypeDefKind::Tuple: {
        std::string s = "std::tuple<";
        for (std::size_t i = 0; i < d.types.size(); ++i) s += (i ? ", " : "") + cpp(d.types[i]);
        return s + ">";
      }
      case TypeDefKind::Option: return "std::optional<" + cpp(d.type) + ">";
      case TypeDefKind::Result:
        return "compono_host::WitResult<" + (d.ok ? cpp(*d.ok) : std::string("std::monostate")) + ", " +
               (d.err ? cpp(*d.err) : std::string("std::monostate")) + ">";
      case TypeDefKind::List: return "std::vector<" + cpp(d.type) + ">";
      case TypeDefKind::FixedList: unsupported("fixed-length list"); return "int";
      case TypeDefKind::Map: unsupported("map"); return "int";
      case TypeDefKind::Future: unsupported("future"); return "int";
      case TypeDefKind::Stream: unsupported("stream"); return "int";
      case TypeDefKind::Alias: break;
    }
    return "int";
  }
  bool is_host_borrow(Type t) const {
    Type u = r_.unalias(t);
    if (!u.is_def()) return false;
    const TypeDef& d = r_.types[u.id];
    return d.kind == TypeDefKind::Handle && d.handle_kind == HandleKind::Borrow && host_resource(resource_of(u));
  }
  bool cheap(Type t) const {
    Type u = r_.unalias(t);
    if (!u.is_def()) return u.kind != Prim::String;
    auto k = r_.types[u.id].kind;
    return k == TypeDefKind::Enum || k == TypeDefKind::Flags || k == TypeDefKind::Handle ||
           k == TypeDefKind::Resource;
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
      case TypeDefKind::List: return has_own(d.type);
      case TypeDefKind::Result: return (d.ok && has_own(*d.ok)) || (d.err && has_own(*d.err));
      default: return false;
    }
  }
  // Parameter type: borrow<R> -> R&; small values by value; own -> by value (moved).
  std::string param_type(Type t) {
    if (is_host_borrow(t)) return qname(resource_of(t)) + "&";
    if (cheap(t) || has_own(t)) return cpp(t);
    return "const " + cpp(t) + "&";
  }

  // ------------------------------------------------------------ lowering (C++ -> Val)
  std::string lower(Type t, const std::string& v) {
    t = r_.unalias(t);
    switch (t.kind) {
      case Prim::Bool: return "compono::component::Val::bool_(" + v + ")";
      case Prim::S8: return "compono::component::Val::s8(" + v + ")";
      case Prim::U8: return "compono::component::Val::u8(" + v + ")";
      case Prim::S16: return "compono::component::Val::s16(" + v + ")";
      case Prim::U16: return "compono::component::Val::u16(" + v + ")";
      case Prim::S32: return "compono::component::Val::s32(" + v + ")";
      case Prim::U32: return "compono::component::Val::u32(" + v + ")";
      case Prim::S64: return "compono::component::Val::s64(" + v + ")";
      case Prim::U64: return "compono::component::Val::u64(" + v + ")";
      case Prim::F32: return "compono::component::Val::f32(" + v + ")";
      case Prim::F64: return "compono::component::Val::f64(" + v + ")";
      case Prim::Char: return "compono::component::Val::char_(" + v + ")";
      case Prim::String: return "compono::component::Val::string(" + v + ")";
      case Prim::ErrorContext: return "compono::component::Val()";
      case Prim::Def: break;
    }
    const TypeDef& d = r_.types[t.id];
    std::string e = fresh();
    switch (d.kind) {
      case TypeDefKind::Record:
      case TypeDefKind::Variant:
      case TypeDefKind::Enum:
      case TypeDefKind::Flags: return "lower_" + mangle(t.id) + "(" + v + ")";
      case TypeDefKind::Resource:
      case TypeDefKind::Handle: {
        TypeId res = resource_of(t);
        bool own = d.kind == TypeDefKind::Resource || d.handle_kind == HandleKind::Own;
        if (!host_resource(res))
          return std::string("compono::component::Val::") + (own ? "own" : "borrow") + "(" + v + ")";
        std::string st = state_of(res);
        if (own)
          return "compono::component::Val::own(compono::component::Resource(" + st + "_type(), " + st +
                 "_table().add(" + v + ".release(), true)))";
        // Nested borrows (R*) are lent for the call; the table entry is
        // removed when the resource's type destructor is not involved, so
        // keep them simple: register without ownership.
        return "compono::component::Val::borrow(compono::component::Resource(" + st + "_type(), " + st +
               "_table().add(" + v + ", false)))";
      }
      case TypeDefKind::Tuple: {
        std::string s = "compono::component::Val::tuple({";
        for (std::size_t i = 0; i < d.types.size(); ++i)
          s += (i ? ", " : "") + lower(d.types[i], "std::get<" + std::to_string(i) + ">(" + v + ")");
        return s + "})";
      }
      case TypeDefKind::Option:
        return "([&](const auto& " + e + ") { return " + e + " ? compono::component::Val::some(" +
               lower(d.type, "(*" + e + ")") + ") : compono::component::Val::none(); })(" + v + ")";
      case TypeDefKind::Result: {
        std::string ok = d.ok ? lower(*d.ok, e + ".ok") : "";
        std::string er = d.err ? lower(*d.err, e + ".err") : "";
        return "([&](const auto& " + e + ") { return " + e + ".is_ok ? compono::component::Val::ok(" + ok +
               ") : compono::component::Val::err(" + er + "); })(" + v + ")";
      }
      case TypeDefKind::List: {
        Type el = r_.unalias(d.type);
        if (el.kind == Prim::U8) return "compono::component::Val::bytes(" + v + ")";
        if (el.kind == Prim::S8)
          return "compono::component::Val::bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(" + v +
                 ".data()), " + v + ".size()), true)";
        std::string x = fresh();
        return "([&](const auto& " + e + ") { std::vector<compono::component::Val> o; o.reserve(" + e +
               ".size()); for (const auto& " + x + " : " + e + ") o.push_back(" + lower(d.type, x) +
               "); return compono::component::Val::list(std::move(o)); })(" + v + ")";
      }
      default: unsupported("type kind in lowering"); return "compono::component::Val()";
    }
  }

  // ------------------------------------------------------------ lifting (Val -> C++)
  std::string lift(Type t, const std::string& v) {
    t = r_.unalias(t);
    switch (t.kind) {
      case Prim::Bool: return "(" + v + ").as_bool()";
      case Prim::S8: return "int8_t((" + v + ").as_s64())";
      case Prim::U8: return "uint8_t((" + v + ").as_u64())";
      case Prim::S16: return "int16_t((" + v + ").as_s64())";
      case Prim::U16: return "uint16_t((" + v + ").as_u64())";
      case Prim::S32: return "(" + v + ").as_s32()";
      case Prim::U32: return "(" + v + ").as_u32()";
      case Prim::S64: return "(" + v + ").as_s64()";
      case Prim::U64: return "(" + v + ").as_u64()";
      case Prim::F32: return "(" + v + ").as_f32()";
      case Prim::F64: return "(" + v + ").as_f64()";
      case Prim::Char: return "(" + v + ").as_char()";
      case Prim::String: return "(" + v + ").as_string()";
      case Prim::ErrorContext: return "0";
      case Prim::Def: break;
    }
    const TypeDef& d = r_.types[t.id];
    std::string e = fresh();
    switch (d.kind) {
      case TypeDefKind::Record:
      case TypeDefKind::Variant:
      case TypeDefKind::Enum:
      case TypeDefKind::Flags: return "lift_" + mangle(t.id) + "(" + v + ")";
      case TypeDefKind::Resource:
      case TypeDefKind::Handle: {
        TypeId res = resource_of(t);
        bool own = d.kind == TypeDefKind::Resource || d.handle_kind == HandleKind::Own;
        if (!host_resource(res)) return "(" + v + ").resource()";
        std::string st = state_of(res);
        if (own) return st + "_table().take((" + v + ").resource().rep())";
        return st + "_table().get((" + v + ").resource().rep())";
      }
      case TypeDefKind::Tuple: {
        std::string s = cpp(t) + "{";
        for (std::size_t i = 0; i < d.types.size(); ++i)
          s += (i ? ", " : "") + lift(d.types[i], "(" + v + ").fields()[" + std::to_string(i) + "]");
        return s + "}";
      }
      case TypeDefKind::Option:
        return "([&](const compono::component::Val& " + e + ") { return " + e + ".is_some() ? " + cpp(t) + "(" +
               lift(d.type, "(*" + e + ".payload())") + ") : " + cpp(t) + "(); })(" + v + ")";
      case TypeDefKind::Result: {
        std::string r = cpp(t);
        std::string s = "([&](const compono::component::Val& " + e + ") { " + r + " o; o.is_ok = " + e + ".is_ok(); ";
        if (d.ok) s += "if (o.is_ok && " + e + ".payload()) o.ok = " + lift(*d.ok, "(*" + e + ".payload())") + "; ";
        if (d.err) s += "if (!o.is_ok && " + e + ".payload()) o.err = " + lift(*d.err, "(*" + e + ".payload())") + "; ";
        return s + "return o; })(" + v + ")";
      }
      case TypeDefKind::List: {
        Type el = r_.unalias(d.type);
        if (el.kind == Prim::U8 || el.kind == Prim::S8) {
          std::string ty = cpp(d.type);
          return "([&](const compono::component::Val& " + e + ") { if (" + e + ".is_bytes()) { auto b = " + e +
                 ".as_bytes(); return std::vector<" + ty + ">(reinterpret_cast<const " + ty +
                 "*>(b.data()), reinterpret_cast<const " + ty + "*>(b.data()) + b.size()); } std::vector<" + ty +
                 "> o; for (const auto& x : " + e + ".elems()) o.push_back(" + ty + "(x.raw_bits())); return o; })(" +
                 v + ")";
        }
        std::string x = fresh();
        return "([&](const compono::component::Val& " + e + ") { " + cpp(t) + " o; o.reserve(" + e +
               ".elems().size()); for (const auto& " + x + " : " + e + ".elems()) o.push_back(" + lift(d.type, x) +
               "); return o; })(" + v + ")";
      }
      default: unsupported("type kind in lifting"); return "{}";
    }
  }

  // ------------------------------------------------------------ emission
  std::string cur_ns_;
  void ns(std::string& out, const std::string& n) {
    if (n == cur_ns_) return;
    if (!cur_ns_.empty()) out += "}  // namespace " + cur_ns_.substr(2) + "\n";
    if (!n.empty()) out += "namespace " + n.substr(2) + " {\n";
    cur_ns_ = n;
  }

  std::set<TypeId> emitted_;
  std::vector<TypeId> order_;  // named aggregate types in emission order
  void collect(Type t) {
    t = r_.unalias(t);
    if (!t.is_def()) return;
    const TypeDef& d = r_.types[t.id];
    auto sub = [&] {
      for (const auto& f : d.fields) collect(f.type);
      for (const auto& c : d.cases)
        if (c.type) collect(*c.type);
      for (const auto& x : d.types) collect(x);
      if (d.kind == TypeDefKind::Option || d.kind == TypeDefKind::List) collect(d.type);
      if (d.ok) collect(*d.ok);
      if (d.err) collect(*d.err);
    };
    if (!d.name.empty() && (d.kind == TypeDefKind::Record || d.kind == TypeDefKind::Variant ||
                            d.kind == TypeDefKind::Enum || d.kind == TypeDefKind::Flags)) {
      if (emitted_.count(t.id)) return;
      emitted_.insert(t.id);
      sub();
      order_.push_back(t.id);
      return;
    }
    sub();
  }
  void collect_func(const Function& f) {
    for (const auto& p : f.params) collect(p.type);
    if (f.result) collect(*f.result);
  }

  void emit_type_decl(TypeId id) {
    const TypeDef& d = r_.types[id];
    ns(h_, type_ns(id));
    std::string name = pascal(d.name);
    switch (d.kind) {
      case TypeDefKind::Record:
        h_ += "struct " + name + " {\n";
        for (const auto& f : d.fields) h_ += "  " + cpp(f.type) + " " + snake(f.name) + "{};\n";
        h_ += "};\n";
        break;
      case TypeDefKind::Enum:
        h_ += "enum class " + name + " : uint32_t {";
        for (std::size_t i = 0; i < d.names.size(); ++i) h_ += std::string(i ? ", " : " ") + pascal(d.names[i].name);
        h_ += " };\n";
        break;
      case TypeDefKind::Flags: {
        if (d.names.size() > 64) unsupported("flags with more than 64 labels");
        h_ += "struct " + name + " {\n  uint64_t bits = 0;\n";
        for (std::size_t i = 0; i < d.names.size(); ++i)
          h_ += "  static constexpr uint64_t " + shouty(d.names[i].name) + " = uint64_t(1) << " + std::to_string(i) +
                ";\n";
        h_ += "  bool has(uint64_t f) const { return (bits & f) != 0; }\n  bool operator==(const " + name +
              "&) const = default;\n};\n";
        break;
      }
      case TypeDefKind::Variant: {
        h_ += "struct " + name + " {\n";
        std::string alts;
        for (std::size_t i = 0; i < d.cases.size(); ++i) {
          std::string cn = pascal(d.cases[i].name);
          h_ += "  struct " + cn + " {";
          if (d.cases[i].type) h_ += " " + cpp(*d.cases[i].type) + " value; ";
          h_ += "};\n";
          alts += (i ? ", " : "") + cn;
        }
        h_ += "  std::variant<" + alts + "> value;\n};\n";
        break;
      }
      default: break;
    }
  }

  void emit_type_conv(TypeId id) {
    const TypeDef& d = r_.types[id];
    std::string q = qname(id), m = mangle(id);
    std::string lo = "[[maybe_unused]] compono::component::Val lower_" + m + "(const " + q + "& v) {\n";
    std::string li = "[[maybe_unused]] " + q + " lift_" + m + "(const compono::component::Val& v) {\n";
    switch (d.kind) {
      case TypeDefKind::Record: {
        lo += "  return compono::component::Val::record({";
        li += "  " + q + " o;\n  const auto& f = v.fields();\n  if (f.size() != " + std::to_string(d.fields.size()) +
              ") return o;\n";
        for (std::size_t i = 0; i < d.fields.size(); ++i) {
          lo += std::string(i ? ", " : "") + "{" + cpp_string_literal(d.fields[i].name) + ", " +
                lower(d.fields[i].type, "v." + snake(d.fields[i].name)) + "}";
          li += "  o." + snake(d.fields[i].name) + " = " + lift(d.fields[i].type, "f[" + std::to_string(i) + "]") +
                ";\n";
        }
        lo += "});\n";
        li += "  return o;\n";
        break;
      }
      case TypeDefKind::Enum: {
        lo += "  static const char* const names[] = {";
        for (std::size_t i = 0; i < d.names.size(); ++i) lo += (i ? ", " : "") + cpp_string_literal(d.names[i].name);
        lo += "};\n  return compono::component::Val::enum_(names[uint32_t(v)]);\n";
        li += "  if (v.case_index() >= 0) return " + q + "(uint32_t(v.case_index()));\n";
        for (std::size_t i = 0; i < d.names.size(); ++i)
          li += "  if (v.case_name() == " + cpp_string_literal(d.names[i].name) + ") return " + q + "::" +
                pascal(d.names[i].name) + ";\n";
        li += "  return " + q + "{};\n";
        break;
      }
      case TypeDefKind::Flags: {
        lo += "  std::vector<std::string> s;\n";
        li += "  " + q + " o;\n  for (const auto& n : v.flag_names()) {\n";
        for (std::size_t i = 0; i < d.names.size(); ++i) {
          lo += "  if (v.bits & " + q + "::" + shouty(d.names[i].name) + ") s.push_back(" +
                cpp_string_literal(d.names[i].name) + ");\n";
          li += "    if (n == " + cpp_string_literal(d.names[i].name) + ") o.bits |= " + q + "::" +
                shouty(d.names[i].name) + ";\n";
        }
        lo += "  return compono::component::Val::flags(std::move(s));\n";
        li += "  }\n  return o;\n";
        break;
      }
      case TypeDefKind::Variant: {
        lo += "  switch (v.value.index()) {\n";
        li += "  " + q + " o;\n  const std::string& c = v.case_name();\n";
        for (std::size_t i = 0; i < d.cases.size(); ++i) {
          std::string cn = q + "::" + pascal(d.cases[i].name);
          std::string lit = cpp_string_literal(d.cases[i].name);
          lo += "    case " + std::to_string(i) + ": return compono::component::Val::variant(" + lit;
          if (d.cases[i].type)
            lo += ", " + lower(*d.cases[i].type, "std::get<" + std::to_string(i) + ">(v.value).value");
          lo += ");\n";
          li += "  if (c == " + lit + ") { " + cn + " x{};";
          if (d.cases[i].type) li += " if (v.payload()) x.value = " + lift(*d.cases[i].type, "(*v.payload())") + ";";
          li += " o.value = std::move(x); return o; }\n";
        }
        lo += "  }\n  return compono::component::Val();\n";
        li += "  return o;\n";
        break;
      }
      default: break;
    }
    c_ += lo + "}\n" + li + "}\n";
  }

  std::string params_decl(const Function& f, std::size_t first) {
    std::string s;
    for (std::size_t i = first; i < f.params.size(); ++i)
      s += (i > first ? ", " : "") + param_type(f.params[i].type) + " " + snake(f.params[i].name);
    return s;
  }
  std::string ret(const Function& f) { return f.result ? cpp(*f.result) : "void"; }

  // The body of a HostFunc calling `call` (an expression prefix such as
  // "host.f(" or "self->m(") with the lifted arguments from index `first`.
  std::string host_body(const Function& f, const std::string& call, std::size_t first) {
    std::string s;
    std::string args;
    for (std::size_t i = first; i < f.params.size(); ++i) {
      std::string a = "a" + std::to_string(i);
      if (is_host_borrow(f.params[i].type)) {
        s += "    auto* " + a + " = " + lift(f.params[i].type, "args[" + std::to_string(i) + "]") + ";\n";
        s += "    if (!" + a + ") return compono::component::Trap(\"unknown " + r_.types[resource_of(f.params[i].type)].name +
             " handle passed as `" + f.params[i].name + "`\");\n";
        args += (i > first ? ", " : "") + std::string("*") + a;
      } else {
        s += "    auto " + a + " = " + lift(f.params[i].type, "args[" + std::to_string(i) + "]") + ";\n";
        args += (i > first ? ", " : "") + std::string("std::move(") + a + ")";
      }
    }
    if (f.result) {
      s += "    auto r = " + call + args + ");\n";
      s += "    results[0] = " + lower(*f.result, "r") + ";\n";
    } else {
      s += "    " + call + args + ");\n";
    }
    s += "    return {};\n";
    return s;
  }

  void emit_import_interface(InterfaceId iid, const std::string& key) {
    const Interface& it = r_.interfaces[iid];
    std::string nsn = iface_ns(iid);
    std::vector<TypeId> resources;
    for (const auto& [n, tid] : it.types) {
      (void)n;
      if (r_.types[tid].kind == TypeDefKind::Resource && r_.types[tid].owner.kind == Owner::Kind::Interface &&
          r_.types[tid].owner.id == iid)
        resources.push_back(tid);
    }
    ns(h_, nsn);
    h_ += "\n// Imported interface " + key + ": implemented by the host.\n";
    for (TypeId res : resources) h_ += "class " + pascal(r_.types[res].name) + ";\n";
    for (TypeId res : resources) {
      std::string rn = pascal(r_.types[res].name);
      h_ += "class " + rn + " {\n public:\n  virtual ~" + rn + "() = default;\n";
      for (const auto& f : it.functions)
        if (f.kind == FunctionKind::Method && f.resource == res)
          h_ += "  virtual " + ret(f) + " " + snake(f.item_name) + "(" + params_decl(f, 1) + ") = 0;\n";
      h_ += "};\n";
    }
    h_ += "class Host {\n public:\n  virtual ~Host() = default;\n";
    for (const auto& f : it.functions) {
      if (f.kind == FunctionKind::Freestanding)
        h_ += "  virtual " + ret(f) + " " + snake(f.item_name) + "(" + params_decl(f, 0) + ") = 0;\n";
      else if (f.kind == FunctionKind::Constructor)
        h_ += "  virtual std::unique_ptr<" + pascal(r_.types[f.resource].name) + "> " +
              snake(r_.types[f.resource].name) + "_new(" + params_decl(f, 0) + ") = 0;\n";
      else if (f.kind == FunctionKind::Static)
        h_ += "  virtual " + ret(f) + " " + snake(r_.types[f.resource].name) + "_" + snake(f.item_name) + "(" +
              params_decl(f, 0) + ") = 0;\n";
    }
    h_ += "};\n";
    h_ += "// Defines every function and resource of " + key + " in `linker` (`host` must outlive it).\n";
    h_ += "compono::Result<void> add_to_linker(compono::component::Linker& linker, Host& host);\n";
    h_ += "namespace detail {\n";
    for (TypeId res : resources) {
      std::string sn = snake(r_.types[res].name), rn = pascal(r_.types[res].name);
      h_ += "const compono::component::ResourceType& " + sn + "_type();\n";
      h_ += "compono_host::ResourceTable<" + rn + ">& " + sn + "_table();\n";
    }
    h_ += "}  // namespace detail\n";

    // Source.
    std::string& c = src_tail_;
    std::string inner = nsn.substr(2);
    c += "namespace " + inner + " {\nnamespace detail {\n";
    for (TypeId res : resources) {
      std::string sn = snake(r_.types[res].name), rn = pascal(r_.types[res].name);
      c += "compono_host::ResourceTable<" + rn + ">& " + sn + "_table() {\n  static compono_host::ResourceTable<" + rn +
           "> t;\n  return t;\n}\n";
      c += "const compono::component::ResourceType& " + sn +
           "_type() {\n  static const compono::component::ResourceType t = compono::component::ResourceType::host(" +
           cpp_string_literal(r_.types[res].name) + ", [](uint32_t rep) { " + sn + "_table().remove(rep); });\n  return t;\n}\n";
    }
    c += "}  // namespace detail\n";
    c += "compono::Result<void> add_to_linker(compono::component::Linker& linker, [[maybe_unused]] Host& host) {\n";
    c += "  using compono::component::HostCall;\n  using compono::component::Val;\n";
    c += "  const char* inst = " + cpp_string_literal(key) + ";\n";
    for (TypeId res : resources)
      c += "  COMPONO_CHECK(linker.define_resource(inst, " + cpp_string_literal(r_.types[res].name) + ", detail::" +
           snake(r_.types[res].name) + "_type()));\n";
    for (const auto& f : it.functions) {
      std::string body;
      if (f.kind == FunctionKind::Method) {
        std::string sn = snake(r_.types[f.resource].name);
        body = "    auto* self = detail::" + sn + "_table().get(args[0].resource().rep());\n" +
               "    if (!self) return compono::component::Trap(\"unknown " + r_.types[f.resource].name +
               " handle (rep \" + std::to_string(args[0].resource().rep()) + \")\");\n" +
               host_body(f, "self->" + snake(f.item_name) + "(", 1);
      } else if (f.kind == FunctionKind::Constructor) {
        body = host_body(f, "host." + snake(r_.types[f.resource].name) + "_new(", 0);
      } else if (f.kind == FunctionKind::Static) {
        body = host_body(f, "host." + snake(r_.types[f.resource].name) + "_" + snake(f.item_name) + "(", 0);
      } else {
        body = host_body(f, "host." + snake(f.item_name) + "(", 0);
      }
      std::string capture = f.kind == FunctionKind::Method ? "[]" : "[&host]";
      c += "  COMPONO_CHECK(linker.define_func(inst, " + cpp_string_literal(f.name) + ", " + capture +
           "(HostCall&, [[maybe_unused]] std::span<const Val> args, [[maybe_unused]] std::span<Val> results) "
           "-> compono::component::HostResult {\n" + body + "  }));\n";
    }
    c += "  return {};\n}\n}  // namespace " + inner + "\n";
  }
  std::string src_tail_;
};

Result<std::vector<File>> HostGen::run() {
  world_ns_ = pkg_ns(w_.package);
  std::string base = opt_.basename.empty() ? snake(w_.name) + "_host" : opt_.basename;
  std::string world_cls = pascal(w_.name);
  for (const auto& it : w_.imports)
    if (it.kind == WorldItemKind::Interface) {
      imported_.insert(it.interface);
      if (!it.name.empty()) anon_name_[it.interface] = it.name;
    }
  for (const auto& it : w_.exports)
    if (it.kind == WorldItemKind::Interface && !it.name.empty()) anon_name_[it.interface] = it.name;

  // Types reachable from the world, in dependency order.
  for (const auto& items : {&w_.imports, &w_.exports})
    for (const auto& it : *items) {
      if (it.kind == WorldItemKind::Interface) {
        const Interface& in = r_.interfaces[it.interface];
        for (const auto& [n, tid] : in.types) {
          (void)n;
          collect(Type::def(tid));
        }
        for (const auto& f : in.functions) collect_func(f);
      } else if (it.kind == WorldItemKind::Function) {
        collect_func(it.function);
      } else {
        collect(Type::def(it.type));
      }
    }

  h_ = "// Generated by `compono bindgen cpp --host` for world " + w_.name + ". Do not edit.\n#pragma once\n\n";
  h_ += "#include <cstdint>\n#include <memory>\n#include <optional>\n#include <span>\n#include <string>\n"
        "#include <tuple>\n#include <variant>\n#include <vector>\n\n#include \"compono/component.h\"\n\n";
  h_ += "#ifndef COMPONO_HOST_SUPPORT_DEFINED\n#define COMPONO_HOST_SUPPORT_DEFINED\n"
        "namespace compono_host {\n"
        "// result<T, E> of WIT (std::monostate for an absent T or E).\n"
        "template <class T, class E>\nstruct WitResult {\n  bool is_ok = true;\n  T ok{};\n  E err{};\n"
        "  static WitResult success(T v) { WitResult r; r.ok = std::move(v); return r; }\n"
        "  static WitResult failure(E e) { WitResult r; r.is_ok = false; r.err = std::move(e); return r; }\n};\n"
        "// Host resource objects by rep (the i32 the guest sees through its handle table).\n"
        "template <class T>\nclass ResourceTable {\n public:\n"
        "  uint32_t add(T* p, bool owned) {\n"
        "    uint32_t i;\n    if (!free_.empty()) { i = free_.back(); free_.pop_back(); slots_[i] = {p, owned}; }\n"
        "    else { i = uint32_t(slots_.size()); slots_.push_back({p, owned}); }\n    return i + 1;\n  }\n"
        "  T* get(uint32_t rep) const { return rep - 1 < slots_.size() ? slots_[rep - 1].p : nullptr; }\n"
        "  std::unique_ptr<T> take(uint32_t rep) {\n    T* p = get(rep);\n    if (!p) return nullptr;\n"
        "    bool owned = slots_[rep - 1].owned;\n    release(rep);\n    return owned ? std::unique_ptr<T>(p) : nullptr;\n  }\n"
        "  void remove(uint32_t rep) {\n    T* p = get(rep);\n    if (!p) return;\n    bool owned = slots_[rep - 1].owned;\n"
        "    release(rep);\n    if (owned) delete p;\n  }\n  size_t size() const { return slots_.size() - free_.size(); }\n\n"
        " private:\n  void release(uint32_t rep) { slots_[rep - 1] = {nullptr, false}; free_.push_back(rep - 1); }\n"
        "  struct Slot { T* p; bool owned; };\n  std::vector<Slot> slots_;\n  std::vector<uint32_t> free_;\n};\n"
        "}  // namespace compono_host\n#endif\n\n";

  // Forward declarations of resource classes (types may refer to them).
  for (const auto& it : w_.imports)
    if (it.kind == WorldItemKind::Interface)
      for (const auto& [n, tid] : r_.interfaces[it.interface].types) {
        (void)n;
        const TypeDef& d = r_.types[tid];
        if (d.kind == TypeDefKind::Resource && d.owner.kind == Owner::Kind::Interface && d.owner.id == it.interface) {
          ns(h_, type_ns(tid));
          h_ += "class " + pascal(d.name) + ";\n";
        }
      }
  for (TypeId id : order_) emit_type_decl(id);

  c_ = "// Generated by `compono bindgen cpp --host` for world " + w_.name + ". Do not edit.\n#include \"" + base +
       ".h\"\n\n#include <utility>\n\nnamespace {\n";
  // Prototypes then definitions of the conversions of named types.
  for (TypeId id : order_)
    c_ += "compono::component::Val lower_" + mangle(id) + "(const " + qname(id) + "& v);\n" + qname(id) + " lift_" +
          mangle(id) + "(const compono::component::Val& v);\n";

  for (const auto& it : w_.imports)
    if (it.kind == WorldItemKind::Interface) emit_import_interface(it.interface, r_.item_key(it));

  // World-level imported functions.
  std::vector<const Function*> world_imports, exports;
  std::vector<std::string> export_names, export_members;
  for (const auto& it : w_.imports)
    if (it.kind == WorldItemKind::Function) world_imports.push_back(&it.function);
  for (const auto& it : w_.exports) {
    if (it.kind == WorldItemKind::Function) {
      exports.push_back(&it.function);
      export_names.push_back(it.function.name);
      export_members.push_back(snake(it.function.name));
    } else if (it.kind == WorldItemKind::Interface) {
      std::string key = r_.item_key(it);
      const Interface& in = r_.interfaces[it.interface];
      std::string pre = snake(in.name.empty() ? it.name : in.name);
      for (const auto& f : in.functions) {
        if (f.kind != FunctionKind::Freestanding) {
          unsupported("exported resources in host bindings (" + key + ")");
          continue;
        }
        exports.push_back(&f);
        export_names.push_back(key + "#" + f.name);
        export_members.push_back(pre + "_" + snake(f.name));
      }
    }
  }

  ns(h_, world_ns_);
  // Types the world `use`s, under their world-level names.
  for (const auto& it : w_.imports) {
    if (it.kind != WorldItemKind::Type) continue;
    const TypeDef& d = r_.types[it.type];
    if (d.kind != TypeDefKind::Alias || d.name.empty()) continue;
    Type target = r_.unalias(d.type);
    if (!target.is_def() || r_.types[target.id].name.empty()) continue;
    if (type_ns(target.id) == world_ns_ && pascal(r_.types[target.id].name) == pascal(d.name)) continue;
    h_ += "using " + pascal(d.name) + " = " + qname(target.id) + ";\n";
  }
  std::string imports_cls = world_cls + "Imports";
  if (!world_imports.empty()) {
    h_ += "\n// World-level imported functions of " + w_.name + ": implemented by the host.\n";
    h_ += "class " + imports_cls + " {\n public:\n  virtual ~" + imports_cls + "() = default;\n";
    for (const Function* f : world_imports)
      h_ += "  virtual " + ret(*f) + " " + snake(f->name) + "(" + params_decl(*f, 0) + ") = 0;\n";
    h_ += "};\n";
  }
  h_ += "\n// An instance of a component targeting world " + w_.name + ".\nclass " + world_cls + " {\n public:\n";
  if (!world_imports.empty())
    h_ += "  // Defines the world-level imported functions in `linker` (`host` must outlive it).\n"
          "  static compono::Result<void> add_to_linker(compono::component::Linker& linker, " + imports_cls +
          "& host);\n";
  h_ += "  // Instantiates `component` with the imports defined in `linker` and looks up its exports.\n";
  h_ += "  static compono::Result<" + world_cls +
        "> instantiate(compono::component::Store& store, const compono::component::Linker& linker,\n"
        "                                          const compono::component::Component& component);\n";
  for (std::size_t i = 0; i < exports.size(); ++i) {
    const Function& f = *exports[i];
    std::string ps = params_decl(f, 0);
    std::string rt = f.result ? cpp(*f.result) : "void";
    h_ += "  compono::Result<" + rt + ", compono::component::Trap> " + export_members[i] +
          "(compono::component::Store& store" + (ps.empty() ? "" : ", " + ps) + ") const;\n";
  }
  h_ += "  const compono::component::Instance& instance() const { return instance_; }\n\n private:\n";
  h_ += "  compono::component::Instance instance_;\n";
  for (std::size_t i = 0; i < exports.size(); ++i) h_ += "  compono::component::Func " + export_members[i] + "_;\n";
  h_ += "};\n";
  ns(h_, "");

  // Source: world imports, instantiate, export wrappers.
  std::string& c = src_tail_;
  std::string wq = world_ns_ + "::" + world_cls;
  if (!world_imports.empty()) {
    c += "auto " + wq + "::add_to_linker(compono::component::Linker& linker, " + world_ns_ +
         "::" + imports_cls + "& host) -> compono::Result<void> {\n  using compono::component::HostCall;\n  using compono::component::Val;\n";
    for (const Function* f : world_imports)
      c += "  COMPONO_CHECK(linker.define_func(\"\", " + cpp_string_literal(f->name) +
           ", [&host](HostCall&, [[maybe_unused]] std::span<const Val> args, [[maybe_unused]] std::span<Val> results) "
           "-> compono::component::HostResult {\n" + host_body(*f, "host." + snake(f->name) + "(", 0) + "  }));\n";
    c += "  return {};\n}\n";
  }
  c += "auto " + wq +
       "::instantiate(compono::component::Store& store, const compono::component::Linker& linker,\n"
       "    const compono::component::Component& component) -> compono::Result<" + wq + "> {\n";
  c += "  COMPONO_TRY(auto inst, linker.instantiate(store, component));\n  " + wq + " w;\n  w.instance_ = inst;\n";
  for (std::size_t i = 0; i < exports.size(); ++i) {
    c += "  w." + export_members[i] + "_ = inst.get_func(" + cpp_string_literal(export_names[i]) + ");\n";
    c += "  if (!w." + export_members[i] + "_) return compono::fail(\"component does not export " +
         export_names[i] + " (world " + w_.name + ")\");\n";
  }
  c += "  return w;\n}\n";
  for (std::size_t i = 0; i < exports.size(); ++i) {
    const Function& f = *exports[i];
    std::string ps = params_decl(f, 0);
    std::string rt = f.result ? cpp(*f.result) : "void";
    c += "auto " + wq + "::" + export_members[i] + "(compono::component::Store& store" + (ps.empty() ? "" : ", " + ps) +
         ") const -> compono::Result<" + rt + ", compono::component::Trap> {\n";
    c += "  using compono::component::Val;\n";
    std::string cleanup;
    std::size_t np = f.params.size();
    c += "  Val args[" + std::to_string(np ? np : 1) + "];\n";
    for (std::size_t p = 0; p < np; ++p) {
      const Type& t = f.params[p].type;
      std::string pn = snake(f.params[p].name);
      if (is_host_borrow(t)) {
        TypeId res = resource_of(t);
        std::string st = state_of(res);
        // Lend the host object for the duration of the call.
        c += "  uint32_t rep" + std::to_string(p) + " = " + st + "_table().add(&" + pn + ", false);\n";
        c += "  args[" + std::to_string(p) + "] = Val::borrow(compono::component::Resource(" + st + "_type(), rep" +
             std::to_string(p) + "));\n";
        cleanup += "  " + st + "_table().remove(rep" + std::to_string(p) + ");\n";
      } else {
        c += "  args[" + std::to_string(p) + "] = " + lower(t, pn) + ";\n";
      }
    }
    c += "  Val results[1];\n";
    c += "  auto r = " + export_members[i] + "_.call_into(store, std::span<const Val>(args, " + std::to_string(np) +
         "), std::span<Val>(results, " + (f.result ? "1" : "0") + "));\n";
    c += cleanup;
    c += "  if (!r) return std::move(r).error();\n";
    if (f.result) c += "  return " + lift(*f.result, "results[0]") + ";\n";
    else c += "  return {};\n";
    c += "}\n";
  }

  // Conversion definitions (anonymous namespace) go before the tail.
  for (TypeId id : order_) emit_type_conv(id);
  c_ += "}  // namespace\n\n" + src_tail_;
  if (!err_.empty()) return fail(err_);
  return std::vector<File>{{base + ".h", h_}, {base + ".cpp", c_}};
}

}  // namespace

Result<std::vector<File>> generate_host_cpp(const wit::Resolve& resolve, wit::WorldId world,
                                            const HostOptions& options) {
  HostGen g(resolve, world, options);
  return g.run();
}

}  // namespace compono::bindgen
