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
//    constructors and statics), and `add_to_linker(Linker&, Host&, ...)`.
//    Every virtual returns compono::Result<T>: an error fails the guest's
//    call with a trap carrying its message.  own<R> of an imported resource
//    is std::unique_ptr<R>, borrow<R> is R& (R* when nested).  Each Host
//    object owns its resource types and tables (two hosts are independent);
//    entries lent for a call (borrows at any nesting depth) are released
//    when the call returns;
//  * exported resources: an RAII handle class per resource (destructor drops
//    it in the guest, running the guest's destructor), with the methods as
//    members and the constructor (`create`) and statics as static members;
//  * world-level imported functions: abstract class `<World>Imports`;
//  * the world: class `<World>` with `instantiate(store, linker, component,
//    hosts...)` and one typed method per exported function (exported
//    interfaces' functions are named <interface>_<function>), returning
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

const char* kSupport = R"CPP(#ifndef COMPONO_HOST_SUPPORT_DEFINED_2
#define COMPONO_HOST_SUPPORT_DEFINED_2
namespace compono_host {
// result<T, E> of WIT (std::monostate for an absent T or E).
template <class T, class E>
struct WitResult {
  bool is_ok = true;
  T ok{};
  E err{};
  static WitResult success(T v) { WitResult r; r.ok = std::move(v); return r; }
  static WitResult failure(E e) { WitResult r; r.is_ok = false; r.err = std::move(e); return r; }
};
class TableBase {
 public:
  virtual ~TableBase() = default;
  virtual void end_lend(uint32_t rep) = 0;
};
// Host resource objects of one resource type of one Host object, by rep (the
// i32 the runtime keeps in the guest's handle table).  An entry is owned
// (given to the guest as own<T>: deleted when the guest drops it, or when
// the table goes away) or lent (borrow<T> for the duration of one call).
template <class T>
class ResourceTable final : public TableBase {
 public:
  ResourceTable() = default;
  ResourceTable(const ResourceTable&) = delete;
  ResourceTable& operator=(const ResourceTable&) = delete;
  ~ResourceTable() override {
    for (auto& s : slots_)
      if (s.owned) delete s.p;
  }
  uint32_t add(std::unique_ptr<T> p) { return put(p.release(), true); }
  uint32_t lend(T& r) { return put(&r, false); }
  T* get(uint32_t rep) const { return rep - 1 < slots_.size() ? slots_[rep - 1].p : nullptr; }
  bool owned(uint32_t rep) const { return get(rep) && slots_[rep - 1].owned; }
  // Ownership back from the guest (null if `rep` is not an owned entry).
  std::unique_ptr<T> take(uint32_t rep) {
    if (!owned(rep)) return nullptr;
    T* p = slots_[rep - 1].p;
    release(rep);
    return std::unique_ptr<T>(p);
  }
  // The guest dropped its own<T>: delete the object.
  void remove(uint32_t rep) {
    if (!owned(rep)) return;
    T* p = slots_[rep - 1].p;
    release(rep);
    delete p;
  }
  void end_lend(uint32_t rep) override {
    if (get(rep) && !slots_[rep - 1].owned) release(rep);
  }
  // Live entries, and the number of reps ever in use at once (slots).
  size_t size() const { return slots_.size() - free_.size(); }
  size_t slots() const { return slots_.size(); }

 private:
  uint32_t put(T* p, bool owned) {
    uint32_t i;
    if (!free_.empty()) { i = free_.back(); free_.pop_back(); slots_[i] = {p, owned}; }
    else { i = uint32_t(slots_.size()); slots_.push_back({p, owned}); }
    return i + 1;
  }
  void release(uint32_t rep) { slots_[rep - 1] = {nullptr, false}; free_.push_back(rep - 1); }
  struct Slot { T* p; bool owned; };
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
};
}  // namespace compono_host
#endif

)CPP";

// Helpers of the generated .cpp (anonymous namespace), after `struct Cx`.
const char* kHelpers = R"CPP(template <class T>
compono::component::Val own_host(Cx& cx, const compono::component::ResourceType& ty, compono_host::ResourceTable<T>& t,
                                 std::unique_ptr<T>& p, const char* what) {
  if (!p) {
    cx.fail(std::string("null own<") + what + "> passed to the guest");
    return compono::component::Val::own(compono::component::Resource(ty, 0));
  }
  return compono::component::Val::own(compono::component::Resource(ty, t.add(std::move(p))));
}
template <class T>
compono::component::Val lend_host(Cx& cx, const compono::component::ResourceType& ty, compono_host::ResourceTable<T>& t,
                                  T* p, const char* what) {
  if (!p) {
    cx.fail(std::string("null borrow<") + what + "> passed to the guest");
    return compono::component::Val::borrow(compono::component::Resource(ty, 0));
  }
  uint32_t rep = t.lend(*p);
  cx.lent.push_back({&t, rep});
  return compono::component::Val::borrow(compono::component::Resource(ty, rep));
}
template <class T>
T* get_host(Cx& cx, compono_host::ResourceTable<T>& t, const compono::component::Val& v, const char* what) {
  T* p = t.get(v.resource().rep());
  if (!p) cx.fail(std::string("unknown ") + what + " handle (rep " + std::to_string(v.resource().rep()) + ")");
  return p;
}
template <class T>
std::unique_ptr<T> take_host(Cx& cx, compono_host::ResourceTable<T>& t, const compono::component::Val& v,
                             const char* what) {
  auto p = t.take(v.resource().rep());
  if (!p) cx.fail(std::string("own<") + what + "> of an unknown or lent object (rep " +
                  std::to_string(v.resource().rep()) + ")");
  return p;
}
template <class H>
H lift_guest(Cx& cx, const compono::component::Val& v, const char* what) {
  if (!cx.store || !cx.ex) {
    cx.fail(std::string("own<") + what + "> outside an export call");
    return H();
  }
  return H(*cx.store, *cx.ex, v.resource());
}
template <class H>
compono::component::Val own_guest(Cx& cx, H& h, const char* what) {
  if (!h) cx.fail(std::string("empty ") + what + " handle passed to the guest");
  return compono::component::Val::own(h.release());
}
template <class H>
compono::component::Val borrow_guest(Cx& cx, const H* h, const char* what) {
  if (!h || !*h) {
    cx.fail(std::string("empty ") + what + " handle passed to the guest");
    return compono::component::Val::borrow(compono::component::Resource());
  }
  return compono::component::Val::borrow(h->resource());
}
)CPP";

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
  std::set<InterfaceId> imported_, exported_;
  std::vector<InterfaceId> imported_order_;
  std::map<InterfaceId, std::string> anon_name_;
  std::string world_ns_, world_cls_;
  std::string h_;           // header
  std::string c_states_;    // .cpp: per-interface State structs
  std::string c_anon_;      // .cpp: anonymous namespace (Cx, helpers, conversions)
  std::string c_tail_;      // .cpp: definitions of the header's functions

  std::string fresh() { return "t" + std::to_string(tmp_++) + "_"; }
  void unsupported(const std::string& what) {
    if (err_.empty()) err_ = "compono bindgen cpp --host: unsupported: " + what;
  }

  // ------------------------------------------------------------ names
  std::string pkg_ns(PackageId p) const { return package_namespace(r_, p); }
  std::string iface_ns(InterfaceId i) const { return interface_namespace(r_, i, w_.package, anon_name_); }
  std::string iface_short(InterfaceId i) const {
    const Interface& in = r_.interfaces[i];
    if (!in.name.empty()) return snake(in.name);
    auto a = anon_name_.find(i);
    return snake(a != anon_name_.end() ? a->second : "anon" + std::to_string(i));
  }
  static std::string mangle_ns(const std::string& q) {
    std::string out;
    for (char ch : q) out += (ch == ':') ? '_' : ch;
    return out;
  }
  std::string state_field(InterfaceId i) const { return "s" + mangle_ns(iface_ns(i)); }
  std::string type_ns(TypeId id) const {
    const TypeDef& d = r_.types[id];
    if (d.owner.kind == Owner::Kind::Interface) return iface_ns(d.owner.id);
    return world_ns_;
  }
  std::string qname(TypeId id) const { return type_ns(id) + "::" + pascal(r_.types[id].name); }
  std::string mangle(TypeId id) const { return mangle_ns(qname(id)); }
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
    if (res == kNoId) return false;
    const TypeDef& d = r_.types[res];
    return d.owner.kind == Owner::Kind::Interface && imported_.count(d.owner.id);
  }
  // A resource the guest implements (owned by an exported interface).
  bool guest_resource(TypeId res) const {
    if (res == kNoId) return false;
    const TypeDef& d = r_.types[res];
    return d.owner.kind == Owner::Kind::Interface && exported_.count(d.owner.id) && !imported_.count(d.owner.id);
  }
  InterfaceId res_iface(TypeId res) const { return r_.types[res].owner.id; }
  // "cx_.s__ns_pkg_iface->counter"
  std::string table_expr(TypeId res) const { return "cx_." + state_field(res_iface(res)) + "->" + snake(r_.types[res].name); }
  std::string type_expr(TypeId res) const { return table_expr(res) + "_type"; }

  std::vector<TypeId> resources_of(InterfaceId iid) const {
    std::vector<TypeId> out;
    const Interface& it = r_.interfaces[iid];
    for (const auto& [n, tid] : it.types) {
      (void)n;
      const TypeDef& d = r_.types[tid];
      if (d.kind == TypeDefKind::Resource && d.owner.kind == Owner::Kind::Interface && d.owner.id == iid)
        out.push_back(tid);
    }
    return out;
  }

  // Imported interfaces whose (host) resources appear in `t`.
  void host_deps(Type t, std::set<InterfaceId>& out) const {
    t = r_.unalias(t);
    if (!t.is_def()) return;
    const TypeDef& d = r_.types[t.id];
    if (d.kind == TypeDefKind::Resource || d.kind == TypeDefKind::Handle) {
      TypeId res = resource_of(t);
      if (host_resource(res)) out.insert(res_iface(res));
      return;
    }
    for (const auto& f : d.fields) host_deps(f.type, out);
    for (const auto& c : d.cases)
      if (c.type) host_deps(*c.type, out);
    for (const auto& x : d.types) host_deps(x, out);
    if (d.kind == TypeDefKind::Option || d.kind == TypeDefKind::List) host_deps(d.type, out);
    if (d.ok) host_deps(*d.ok, out);
    if (d.err) host_deps(*d.err, out);
  }
  void host_deps(const Function& f, std::set<InterfaceId>& out) const {
    for (const auto& p : f.params) host_deps(p.type, out);
    if (f.result) host_deps(*f.result, out);
  }
  // In import order.
  std::vector<InterfaceId> ordered(const std::set<InterfaceId>& s) const {
    std::vector<InterfaceId> v;
    for (InterfaceId i : imported_order_)
      if (s.count(i)) v.push_back(i);
    return v;
  }

  // ------------------------------------------------------------ C++ types
  std::string cpp(Type t) {
    t = r_.unalias(t);
    if (const char* scalar = scalar_cpp(t.kind)) return scalar;
    switch (t.kind) {
      case Prim::String: return "std::string";
      case Prim::ErrorContext: unsupported("error-context"); return "int";
      default: break;
    }
    const TypeDef& d = r_.types[t.id];
    switch (d.kind) {
      case TypeDefKind::Record:
      case TypeDefKind::Variant:
      case TypeDefKind::Enum:
      case TypeDefKind::Flags: return qname(t.id);
      case TypeDefKind::Resource:
      case TypeDefKind::Handle: {
        TypeId res = resource_of(t);
        bool own = d.kind == TypeDefKind::Resource || d.handle_kind == HandleKind::Own;
        if (host_resource(res)) return own ? "std::unique_ptr<" + qname(res) + ">" : qname(res) + "*";
        if (guest_resource(res)) return own ? qname(res) : "const " + qname(res) + "*";
        unsupported("resource " + r_.types[res].name + " (not defined by an imported or exported interface)");
        return "int";
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
  bool is_borrow(Type t) const {
    Type u = r_.unalias(t);
    if (!u.is_def()) return false;
    const TypeDef& d = r_.types[u.id];
    return d.kind == TypeDefKind::Handle && d.handle_kind == HandleKind::Borrow;
  }
  bool is_host_borrow(Type t) const { return is_borrow(t) && host_resource(resource_of(t)); }
  bool is_guest_borrow(Type t) const { return is_borrow(t) && guest_resource(resource_of(t)); }
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
  // Parameter type: borrow<R> -> R& (const R& for a guest resource); small
  // values by value; values holding own handles by value (moved in).
  std::string param_type(Type t) {
    if (is_host_borrow(t)) return qname(resource_of(t)) + "&";
    if (is_guest_borrow(t)) return "const " + qname(resource_of(t)) + "&";
    if (cheap(t) || has_own(t)) return cpp(t);
    return "const " + cpp(t) + "&";
  }
  // Expression handing parameter `pn` to lower(): borrows are lowered from pointers.
  std::string param_value(Type t, const std::string& pn) const {
    return (is_host_borrow(t) || is_guest_borrow(t)) ? "&" + pn : pn;
  }

  // ------------------------------------------------------------ lowering (C++ -> Val), `cx` in scope
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
      case TypeDefKind::Flags: return "lower_" + mangle(t.id) + "(cx_, " + v + ")";
      case TypeDefKind::Resource:
      case TypeDefKind::Handle: {
        TypeId res = resource_of(t);
        bool own = d.kind == TypeDefKind::Resource || d.handle_kind == HandleKind::Own;
        std::string what = cpp_string_literal(r_.types[res].name);
        if (host_resource(res)) {
          // Owned objects move into this host's table (the guest owns them
          // now); borrows are lent for the call and released after it.
          if (own)
            return "own_host(cx_, " + type_expr(res) + ", " + table_expr(res) + ", const_cast<std::unique_ptr<" +
                   qname(res) + ">&>(" + v + "), " + what + ")";
          return "lend_host(cx_, " + type_expr(res) + ", " + table_expr(res) + ", " + v + ", " + what + ")";
        }
        if (guest_resource(res)) {
          if (own) return "own_guest(cx_, const_cast<" + qname(res) + "&>(" + v + "), " + what + ")";
          return "borrow_guest(cx_, " + v + ", " + what + ")";
        }
        return "compono::component::Val()";
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

  // ------------------------------------------------------------ lifting (Val -> C++), `cx` in scope
  // Top-level strings and byte lists move between the Val and the C++ value
  // instead of being copied (the Val is a local the glue owns).
  bool movable_bytes(Type t) {
    t = r_.unalias(t);
    if (t.kind == Prim::String) return true;
    if (t.kind != Prim::Def || r_.types[t.id].kind != TypeDefKind::List) return false;
    return r_.unalias(r_.types[t.id].type).kind == Prim::U8;
  }
  std::string lift_owned(Type t, const std::string& v) {
    if (!movable_bytes(t)) return lift(t, v);
    return r_.unalias(t).kind == Prim::String ? "(" + v + ").take_string()" : "(" + v + ").take_bytes()";
  }
  std::string lower_owned(Type t, const std::string& v) {
    if (!movable_bytes(t)) return lower(t, v);
    return r_.unalias(t).kind == Prim::String ? "compono::component::Val::string(std::move(" + v + "))"
                                              : "compono::component::Val::bytes_moved(std::move(" + v + "))";
  }

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
      case TypeDefKind::Flags: return "lift_" + mangle(t.id) + "(cx_, " + v + ")";
      case TypeDefKind::Resource:
      case TypeDefKind::Handle: {
        TypeId res = resource_of(t);
        bool own = d.kind == TypeDefKind::Resource || d.handle_kind == HandleKind::Own;
        std::string what = cpp_string_literal(r_.types[res].name);
        if (host_resource(res)) {
          if (own) return "take_host(cx_, " + table_expr(res) + ", " + v + ", " + what + ")";
          return "get_host(cx_, " + table_expr(res) + ", " + v + ", " + what + ")";
        }
        if (guest_resource(res)) {
          if (own) return "lift_guest<" + qname(res) + ">(cx_, " + v + ", " + what + ")";
          // The guest never lends its own resources to the host (no import can name them).
          return "(cx_.fail(\"borrow of an exported resource lifted by the host\"), static_cast<const " +
                 qname(res) + "*>(nullptr))";
        }
        return "0";
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
  // Namespace switching, per output string.
  void ns(std::string& out, std::string& cur, const std::string& n) {
    if (n == cur) return;
    if (!cur.empty()) out += "}  // namespace " + cur.substr(2) + "\n";
    if (!n.empty()) out += "namespace " + n.substr(2) + " {\n";
    cur = n;
  }
  std::string hns_, tns_;
  void hns(const std::string& n) { ns(h_, hns_, n); }
  void tns(const std::string& n) { ns(c_tail_, tns_, n); }

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
    if (f.is_async) unsupported("async function " + f.name);
    for (const auto& p : f.params) collect(p.type);
    if (f.result) collect(*f.result);
  }

  void emit_type_fwd(TypeId id) {
    const TypeDef& d = r_.types[id];
    hns(type_ns(id));
    if (d.kind == TypeDefKind::Enum) h_ += "enum class " + pascal(d.name) + " : uint32_t;\n";
    else h_ += "struct " + pascal(d.name) + ";\n";
  }

  void emit_type_decl(TypeId id) {
    const TypeDef& d = r_.types[id];
    hns(type_ns(id));
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
    std::string lo = "[[maybe_unused]] compono::component::Val lower_" + m + "([[maybe_unused]] Cx& cx_, const " + q +
                     "& v) {\n";
    std::string li = "[[maybe_unused]] " + q + " lift_" + m +
                     "([[maybe_unused]] Cx& cx_, const compono::component::Val& v) {\n";
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
    c_anon_ += lo + "}\n" + li + "}\n";
  }

  std::string params_decl(const Function& f, std::size_t first) {
    std::string s;
    for (std::size_t i = first; i < f.params.size(); ++i)
      s += (i > first ? ", " : "") + param_type(f.params[i].type) + " " + snake(f.params[i].name);
    return s;
  }
  std::string ret(const Function& f) { return f.result ? cpp(*f.result) : "void"; }
  // What the host's virtual returns: an error fails the guest's call (trap).
  std::string host_ret(const Function& f) { return "compono::Result<" + ret(f) + ">"; }

  // Hosts in scope in a HostFunc: `vars` maps imported interfaces to the
  // variable naming their Host object.
  std::string cx_init_hosts(const std::map<InterfaceId, std::string>& vars) const {
    std::string s = "    Cx cx_;\n    cx_.store = &call.store();\n";
    for (const auto& [iid, var] : vars) s += "    cx_." + state_field(iid) + " = " + var + ".compono_state().get();\n";
    return s;
  }

  // The body of a HostFunc calling `call` (an expression prefix such as
  // "host.f(" or "self->m(") with the lifted arguments from index `first`.
  std::string host_body(const Function& f, const std::string& call, std::size_t first) {
    std::string s;
    std::string args;
    for (std::size_t i = first; i < f.params.size(); ++i) {
      std::string a = "a" + std::to_string(i);
      s += "    auto " + a + " = " + lift(f.params[i].type, "args[" + std::to_string(i) + "]") + ";\n";
      bool deref = is_host_borrow(f.params[i].type) || is_guest_borrow(f.params[i].type);
      args += (i > first ? ", " : "") + (deref ? "*" + a : "std::move(" + a + ")");
    }
    s += "    if (!cx_.err.empty()) return compono::component::Trap(std::move(cx_.err));\n";
    s += "    auto r = " + call + args + ");\n";
    s += "    if (!r) return compono::component::Trap(std::move(r).error().message);\n";
    if (f.result) {
      s += "    results[0] = " + lower_owned(*f.result, "(*r)") + ";\n";
      s += "    if (!cx_.err.empty()) return compono::component::Trap(std::move(cx_.err));\n";
    }
    s += "    return {};\n";
    return s;
  }

  std::string host_class(InterfaceId iid) const { return iface_ns(iid) + "::Host"; }
  std::string host_var(InterfaceId iid) const { return iface_short(iid) + "_host"; }

  void emit_import_interface(InterfaceId iid, const std::string& key) {
    const Interface& it = r_.interfaces[iid];
    std::string nsn = iface_ns(iid);
    std::vector<TypeId> resources = resources_of(iid);
    for (TypeId res : resources)
      if (pascal(r_.types[res].name) == "Host")
        unsupported("resource `" + r_.types[res].name + "` of " + key +
                    " (its class name clashes with the generated `Host` class)");
    std::set<InterfaceId> deps;
    for (const auto& f : it.functions) host_deps(f, deps);
    deps.erase(iid);
    std::vector<InterfaceId> dep_list = ordered(deps);

    hns(nsn);
    h_ += "\n// Imported interface " + key + ": implemented by the host.  Every virtual returns\n"
          "// compono::Result<T>: returning compono::fail(\"message\") fails the guest's call with\n"
          "// a trap carrying the message (seen by the embedder as the export call's Trap).\n";
    for (TypeId res : resources) {
      std::string rn = pascal(r_.types[res].name);
      h_ += "class " + rn + " {\n public:\n  virtual ~" + rn + "() = default;\n";
      for (const auto& f : it.functions)
        if (f.kind == FunctionKind::Method && f.resource == res)
          h_ += "  virtual " + host_ret(f) + " " + snake(f.item_name) + "(" + params_decl(f, 1) + ") = 0;\n";
      h_ += "};\n";
    }
    if (!resources.empty()) h_ += "namespace detail {\nstruct State;\n}  // namespace detail\n";
    h_ += "class Host {\n public:\n";
    if (!resources.empty()) {
      h_ += "  Host();\n  virtual ~Host();\n  Host(const Host&) = delete;\n  Host& operator=(const Host&) = delete;\n";
    } else {
      h_ += "  virtual ~Host() = default;\n";
    }
    for (const auto& f : it.functions) {
      if (f.kind == FunctionKind::Freestanding)
        h_ += "  virtual " + host_ret(f) + " " + snake(f.item_name) + "(" + params_decl(f, 0) + ") = 0;\n";
      else if (f.kind == FunctionKind::Constructor)
        h_ += "  virtual compono::Result<std::unique_ptr<" + pascal(r_.types[f.resource].name) + ">> " +
              snake(r_.types[f.resource].name) + "_new(" + params_decl(f, 0) + ") = 0;\n";
      else if (f.kind == FunctionKind::Static)
        h_ += "  virtual " + host_ret(f) + " " + snake(r_.types[f.resource].name) + "_" + snake(f.item_name) + "(" +
              params_decl(f, 0) + ") = 0;\n";
    }
    if (!resources.empty()) {
      h_ += "\n  // This Host's resource types and objects: each Host object has its own\n"
            "  // (two hosts in one process, e.g. for two Stores, are independent).\n";
      for (TypeId res : resources) {
        std::string sn = snake(r_.types[res].name), rn = pascal(r_.types[res].name);
        h_ += "  const compono::component::ResourceType& " + sn + "_type() const;\n";
        h_ += "  compono_host::ResourceTable<" + rn + ">& " + sn + "_table() const;\n";
      }
      h_ += "  const std::shared_ptr<detail::State>& compono_state() const { return state_; }\n\n private:\n"
            "  std::shared_ptr<detail::State> state_;\n";
    }
    h_ += "};\n";
    std::string extra;
    for (InterfaceId dep : dep_list) extra += ", " + host_class(dep) + "& " + host_var(dep);
    h_ += "// Defines every function and resource of " + key + " in `linker` (the hosts must outlive it).\n";
    h_ += "compono::Result<void> add_to_linker(compono::component::Linker& linker, Host& host" + extra + ");\n";

    // State (resource types and tables of one Host object).
    if (!resources.empty()) {
      c_states_ += "namespace " + nsn.substr(2) + "::detail {\nstruct State {\n";
      for (TypeId res : resources) {
        std::string sn = snake(r_.types[res].name), rn = pascal(r_.types[res].name);
        c_states_ += "  compono_host::ResourceTable<" + nsn + "::" + rn + "> " + sn + ";\n";
        c_states_ += "  compono::component::ResourceType " + sn + "_type;\n";
      }
      c_states_ += "};\n}  // namespace " + nsn.substr(2) + "::detail\n";
    }

    // Source.
    std::string& c = c_tail_;
    tns(nsn);
    if (!resources.empty()) {
      // Not make_shared: the resource types' destructors hold weak_ptrs, which
      // would keep the whole State's memory alive as long as the runtime keeps
      // the types.
      c += "Host::Host() : state_(new detail::State()) {\n"
           "  std::weak_ptr<detail::State> w = state_;\n";
      for (TypeId res : resources) {
        std::string sn = snake(r_.types[res].name);
        c += "  state_->" + sn + "_type = compono::component::ResourceType::host(" +
             cpp_string_literal(r_.types[res].name) + ", [w](uint32_t rep) {\n    if (auto s = w.lock()) s->" + sn +
             ".remove(rep);\n  });\n";
      }
      c += "}\nHost::~Host() = default;\n";
      for (TypeId res : resources) {
        std::string sn = snake(r_.types[res].name), rn = pascal(r_.types[res].name);
        c += "const compono::component::ResourceType& Host::" + sn + "_type() const { return state_->" + sn +
             "_type; }\n";
        c += "compono_host::ResourceTable<" + rn + ">& Host::" + sn + "_table() const { return state_->" + sn + "; }\n";
      }
    }
    std::string extra_params;
    for (InterfaceId dep : dep_list) extra_params += ", " + host_class(dep) + "& " + host_var(dep);
    c += "compono::Result<void> add_to_linker(compono::component::Linker& linker, [[maybe_unused]] Host& host" +
         extra_params + ") {\n";
    c += "  using compono::component::HostCall;\n  using compono::component::Val;\n";
    c += "  const char* inst = " + cpp_string_literal(key) + ";\n";
    for (TypeId res : resources)
      c += "  COMPONO_CHECK(linker.define_resource(inst, " + cpp_string_literal(r_.types[res].name) + ", host." +
           snake(r_.types[res].name) + "_type()));\n";
    std::map<InterfaceId, std::string> vars;
    std::string capture = "[&host";
    if (!resources.empty()) vars[iid] = "host";
    for (InterfaceId dep : dep_list) {
      vars[dep] = host_var(dep);
      capture += ", &" + host_var(dep);
    }
    capture += "]";
    for (const auto& f : it.functions) {
      std::string body = cx_init_hosts(vars);
      if (f.kind == FunctionKind::Method) {
        body += "    auto* self = " + lift(f.params[0].type, "args[0]") + ";\n" +
                host_body(f, "self->" + snake(f.item_name) + "(", 1);
      } else if (f.kind == FunctionKind::Constructor) {
        body += host_body(f, "host." + snake(r_.types[f.resource].name) + "_new(", 0);
      } else if (f.kind == FunctionKind::Static) {
        body += host_body(f, "host." + snake(r_.types[f.resource].name) + "_" + snake(f.item_name) + "(", 0);
      } else {
        body += host_body(f, "host." + snake(f.item_name) + "(", 0);
      }
      c += "  COMPONO_CHECK(linker.define_func(inst, " + cpp_string_literal(f.name) + ", " + capture +
           "([[maybe_unused]] HostCall& call, [[maybe_unused]] std::span<const Val> args, [[maybe_unused]] "
           "std::span<Val> results) -> compono::component::HostResult {\n" + body + "  }));\n";
    }
    c += "  return {};\n}\n";
  }

  // ------------------------------------------------------------ exports
  struct ExportFn {
    const Function* f;
    std::string cm_name;  // for Instance::get_func
    std::string member;   // WorldExports member (and world method for freestanding functions)
  };
  std::vector<ExportFn> exports_;
  std::set<InterfaceId> export_deps_;

  // Body of a typed export call.  `ex_expr`: the shared_ptr<const void> of
  // the world's exports; `store_expr`: a Store&; `self` (methods): the
  // handle's Resource expression.
  std::string export_body(const ExportFn& x, const std::string& ex_expr, const std::string& store_expr,
                          const std::string& self, const std::string& empty_msg) {
    const Function& f = *x.f;
    std::string c;
    c += "  using compono::component::Val;\n";
    c += "  if (!" + ex_expr + ") return compono::component::Trap(" + cpp_string_literal(empty_msg) + ");\n";
    c += "  const auto& exs_ = *static_cast<const WorldExports*>(" + ex_expr + ".get());\n";
    c += "  Cx cx_;\n  init_cx(cx_, " + store_expr + ", " + ex_expr + ");\n";
    std::size_t np = f.params.size();
    c += "  Val args_[" + std::to_string(np ? np : 1) + "];\n";
    std::size_t first = 0;
    if (!self.empty()) {
      c += "  args_[0] = Val::borrow(" + self + ");\n";
      first = 1;
    }
    for (std::size_t p = first; p < np; ++p) {
      const Type& t = f.params[p].type;
      c += "  args_[" + std::to_string(p) + "] = " + lower(t, param_value(t, snake(f.params[p].name))) + ";\n";
    }
    c += "  if (!cx_.err.empty()) return compono::component::Trap(std::move(cx_.err));\n";
    c += "  Val results_[1];\n";
    c += "  auto r_ = exs_." + x.member + ".call_into(" + store_expr + ", std::span<const Val>(args_, " +
         std::to_string(np) + "), std::span<Val>(results_, " + (f.result ? "1" : "0") + "));\n";
    c += "  cx_.end_lends();\n";
    c += "  if (!r_) return std::move(r_).error();\n";
    if (f.result) {
      c += "  auto out_ = " + lift_owned(*f.result, "results_[0]") + ";\n";
      c += "  if (!cx_.err.empty()) return compono::component::Trap(std::move(cx_.err));\n";
      c += "  return out_;\n";
    } else {
      c += "  return {};\n";
    }
    return c;
  }

  // The host-side handle class of an exported resource (declared in the header).
  void emit_guest_resource_class(TypeId res, InterfaceId iid) {
    std::string rn = pascal(r_.types[res].name);
    std::string q = qname(res);
    std::string wq = world_ns_ + "::" + world_cls_;
    const Interface& it = r_.interfaces[iid];
    hns(type_ns(res));
    h_ += "// An owned " + r_.types[res].name + " of the guest (exported resource): dropping the handle drops it in\n"
          "// the guest, which runs the guest's destructor.  The Store must outlive the handle.\n";
    h_ += "class " + rn + " {\n public:\n  " + rn + "() = default;\n";
    h_ += "  " + rn + "(compono::component::Store& store, std::shared_ptr<const void> exports, "
          "compono::component::Resource r)\n      : store_(&store), ex_(std::move(exports)), res_(std::move(r)) {}\n";
    h_ += "  " + rn + "(" + rn + "&& o) noexcept : store_(o.store_), ex_(std::move(o.ex_)), res_(std::move(o.res_)) "
          "{ o.store_ = nullptr; }\n";
    h_ += "  " + rn + "& operator=(" + rn + "&& o) noexcept {\n    if (this != &o) {\n      (void)drop();\n"
          "      store_ = o.store_;\n      ex_ = std::move(o.ex_);\n      res_ = std::move(o.res_);\n"
          "      o.store_ = nullptr;\n    }\n    return *this;\n  }\n";
    h_ += "  " + rn + "(const " + rn + "&) = delete;\n  " + rn + "& operator=(const " + rn + "&) = delete;\n";
    h_ += "  ~" + rn + "() { (void)drop(); }\n";
    h_ += "  // Drops the resource in the guest now (runs its destructor) and returns the trap, if any.\n";
    h_ += "  compono::Result<void, compono::component::Trap> drop() {\n"
          "    if (!store_) return {};\n    compono::component::Store* s = store_;\n    store_ = nullptr;\n"
          "    ex_.reset();\n    return res_.drop(*s);\n  }\n";
    h_ += "  // Gives up ownership without dropping.\n";
    h_ += "  compono::component::Resource release() {\n    store_ = nullptr;\n    ex_.reset();\n"
          "    return std::exchange(res_, compono::component::Resource());\n  }\n";
    h_ += "  explicit operator bool() const { return store_ != nullptr; }\n";
    h_ += "  const compono::component::Resource& resource() const { return res_; }\n";
    std::string& c = c_tail_;
    tns(type_ns(res));
    for (const auto& f : it.functions) {
      if (f.resource != res || f.kind == FunctionKind::Freestanding) continue;
      std::string mn = f.kind == FunctionKind::Constructor ? "create" : snake(f.item_name);
      if (mn == "drop" || mn == "release" || mn == "resource" || (f.kind != FunctionKind::Constructor && mn == "create"))
        unsupported("function " + f.name + " of exported resource `" + r_.types[res].name +
                    "` (clashes with the handle's own member `" + mn + "`)");
      ExportFn x{&f, "", ""};
      for (const auto& e : exports_)
        if (e.f == &f) x = e;
      std::string rt = f.result ? cpp(*f.result) : "void";
      std::string result = "compono::Result<" + rt + ", compono::component::Trap>";
      if (f.kind == FunctionKind::Method) {
        std::string ps = params_decl(f, 1);
        std::string name = snake(f.item_name);
        h_ += "  " + result + " " + name + "(" + ps + ") const;\n";
        c += "auto " + rn + "::" + name + "(" + ps + ") const -> " + result + " {\n" +
             export_body(x, "ex_", "*store_", "res_", "method " + f.name + " called on an empty handle") + "}\n";
      } else {
        std::string ps = params_decl(f, 0);
        std::string name = f.kind == FunctionKind::Constructor ? "create" : snake(f.item_name);
        std::string full = "compono::component::Store& store, const " + wq + "& world" + (ps.empty() ? "" : ", " + ps);
        std::string def = "compono::component::Store& st_, const " + wq + "& world_" + (ps.empty() ? "" : ", " + ps);
        h_ += "  static " + result + " " + name + "(" + full + ");\n";
        c += "auto " + rn + "::" + name + "(" + def + ") -> " + result + " {\n" +
             "  const std::shared_ptr<const void>& wex_ = world_.compono_exports();\n" +
             export_body(x, "wex_", "st_", "", std::string(world_cls_) + " is not instantiated") + "}\n";
      }
    }
    h_ += "\n private:\n  compono::component::Store* store_ = nullptr;\n  std::shared_ptr<const void> ex_;\n"
          "  compono::component::Resource res_;\n};\n";
  }
};

Result<std::vector<File>> HostGen::run() {
  world_ns_ = pkg_ns(w_.package);
  std::string base = opt_.basename.empty() ? snake(w_.name) + "_host" : opt_.basename;
  world_cls_ = pascal(w_.name);
  for (const auto& it : w_.imports)
    if (it.kind == WorldItemKind::Interface) {
      imported_.insert(it.interface);
      imported_order_.push_back(it.interface);
      if (!it.name.empty()) anon_name_[it.interface] = it.name;
    }
  for (const auto& it : w_.exports)
    if (it.kind == WorldItemKind::Interface) {
      exported_.insert(it.interface);
      if (!it.name.empty()) anon_name_[it.interface] = it.name;
    }

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

  // Exports: world-level functions and exported interfaces' functions
  // (including exported resources' constructors, methods and statics).
  std::vector<std::pair<TypeId, InterfaceId>> guest_resources;
  std::vector<std::pair<InterfaceId, std::string>> export_ifaces;
  for (const auto& it : w_.exports) {
    if (it.kind == WorldItemKind::Function) {
      exports_.push_back({&it.function, it.function.name, snake(it.function.name)});
    } else if (it.kind == WorldItemKind::Interface) {
      std::string key = r_.item_key(it);
      const Interface& in = r_.interfaces[it.interface];
      std::string pre = snake(in.name.empty() ? it.name : in.name);
      export_ifaces.push_back({it.interface, pre});
      for (TypeId res : resources_of(it.interface)) guest_resources.push_back({res, it.interface});
      for (const auto& f : in.functions) {
        std::string member = pre + "_";
        if (f.kind == FunctionKind::Freestanding) member += snake(f.name);
        else if (f.kind == FunctionKind::Constructor) member += snake(r_.types[f.resource].name) + "_new";
        else member += snake(r_.types[f.resource].name) + "_" + snake(f.item_name);
        exports_.push_back({&f, key + "#" + f.name, member});
      }
    }
  }
  for (const auto& x : exports_) host_deps(*x.f, export_deps_);
  std::vector<InterfaceId> export_dep_list = ordered(export_deps_);

  h_ = "// Generated by `compono bindgen cpp --host` for world " + w_.name + ". Do not edit.\n"
       "//\n"
       "// Use: derive from each imported interface's resource classes and `Host`\n"
       "// (every virtual returns compono::Result<T>; an error traps the guest's call\n"
       "// with its message), call its add_to_linker(linker, host, ...), then\n"
       "// " + world_cls_ + "::instantiate(store, linker, component, ...) and call the exports.\n"
       "// Each Host object owns its resource types and tables; exported resources\n"
       "// are RAII handles that drop the guest's object.\n#pragma once\n\n";
  h_ += "#include <cstdint>\n#include <memory>\n#include <optional>\n#include <span>\n#include <string>\n"
        "#include <tuple>\n#include <utility>\n#include <variant>\n#include <vector>\n\n"
        "#include \"compono/component.h\"\n\n";
  h_ += kSupport;

  // Forward declarations: the world class, resource classes, named types.
  hns(world_ns_);
  h_ += "class " + world_cls_ + ";\n";
  for (InterfaceId iid : imported_order_)
    for (TypeId tid : resources_of(iid)) {
      hns(type_ns(tid));
      h_ += "class " + pascal(r_.types[tid].name) + ";\n";
    }
  for (const auto& [res, iid] : guest_resources) {
    (void)iid;
    hns(type_ns(res));
    h_ += "class " + pascal(r_.types[res].name) + ";\n";
  }
  for (TypeId id : order_) emit_type_fwd(id);
  // Exported resources' handle classes (types may hold them by value).
  for (const auto& [res, iid] : guest_resources) emit_guest_resource_class(res, iid);
  for (TypeId id : order_) emit_type_decl(id);
  // Types an interface `use`s, under its own names (as in the guest bindings).
  for (const auto& items : {&w_.imports, &w_.exports})
    for (const auto& it : *items) {
      if (it.kind != WorldItemKind::Interface) continue;
      for (const auto& [n, tid] : r_.interfaces[it.interface].types) {
        const TypeDef& d = r_.types[tid];
        if (d.kind != TypeDefKind::Alias || n.empty()) continue;
        Type target = r_.unalias(d.type);
        if (!target.is_def() || r_.types[target.id].name.empty()) continue;
        const TypeDef& td = r_.types[target.id];
        bool named = td.kind == TypeDefKind::Record || td.kind == TypeDefKind::Variant ||
                     td.kind == TypeDefKind::Enum || td.kind == TypeDefKind::Flags ||
                     (td.kind == TypeDefKind::Resource && (host_resource(target.id) || guest_resource(target.id)));
        if (!named) continue;
        std::string ns_here = iface_ns(it.interface);
        if (type_ns(target.id) == ns_here && pascal(td.name) == pascal(n)) continue;
        hns(ns_here);
        h_ += "using " + pascal(n) + " = " + qname(target.id) + ";\n";
      }
    }

  for (const auto& it : w_.imports)
    if (it.kind == WorldItemKind::Interface) emit_import_interface(it.interface, r_.item_key(it));

  // World-level imported functions.
  std::vector<const Function*> world_imports;
  for (const auto& it : w_.imports)
    if (it.kind == WorldItemKind::Function) world_imports.push_back(&it.function);
  std::set<InterfaceId> wi_deps;
  for (const Function* f : world_imports) host_deps(*f, wi_deps);
  std::vector<InterfaceId> wi_dep_list = ordered(wi_deps);

  hns(world_ns_);
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
  std::string imports_cls = world_cls_ + "Imports";
  if (!world_imports.empty()) {
    h_ += "\n// World-level imported functions of " + w_.name + ": implemented by the host (an error\n"
          "// result fails the guest's call with a trap carrying its message).\n";
    h_ += "class " + imports_cls + " {\n public:\n  virtual ~" + imports_cls + "() = default;\n";
    for (const Function* f : world_imports)
      h_ += "  virtual " + host_ret(*f) + " " + snake(f->name) + "(" + params_decl(*f, 0) + ") = 0;\n";
    h_ += "};\n";
  }
  std::string inst_extra;
  for (InterfaceId dep : export_dep_list) inst_extra += ", " + host_class(dep) + "& " + host_var(dep);
  std::string wi_extra;
  for (InterfaceId dep : wi_dep_list) wi_extra += ", " + host_class(dep) + "& " + host_var(dep);
  h_ += "\n// An instance of a component targeting world " + w_.name + ".\nclass " + world_cls_ + " {\n public:\n";
  if (!world_imports.empty())
    h_ += "  // Defines the world-level imported functions in `linker` (the hosts must outlive it).\n"
          "  static compono::Result<void> add_to_linker(compono::component::Linker& linker, " + imports_cls +
          "& host" + wi_extra + ");\n";
  h_ += "  // Instantiates `component` with the imports defined in `linker` and looks up its exports.\n";
  if (!export_dep_list.empty())
    h_ += "  // The hosts given here are those whose objects the exports take or return (they\n"
          "  // must be the ones registered in `linker`).\n";
  h_ += "  static compono::Result<" + world_cls_ +
        "> instantiate(compono::component::Store& store, const compono::component::Linker& linker,\n"
        "                                          const compono::component::Component& component" + inst_extra +
        ");\n";
  for (const auto& x : exports_) {
    if (x.f->kind != FunctionKind::Freestanding) continue;
    std::string ps = params_decl(*x.f, 0);
    std::string rt = x.f->result ? cpp(*x.f->result) : "void";
    h_ += "  compono::Result<" + rt + ", compono::component::Trap> " + x.member +
          "(compono::component::Store& store" + (ps.empty() ? "" : ", " + ps) + ") const;\n";
  }
  h_ += "  const compono::component::Instance& instance() const { return instance_; }\n";
  h_ += "  // Internal (used by the exported resources' handles).\n";
  h_ += "  const std::shared_ptr<const void>& compono_exports() const { return ex_; }\n\n private:\n";
  h_ += "  compono::component::Instance instance_;\n  std::shared_ptr<const void> ex_;\n};\n";
  hns("");

  // ---------------------------------------------------------------- source
  std::string c = "// Generated by `compono bindgen cpp --host` for world " + w_.name + ". Do not edit.\n#include \"" +
                  base + ".h\"\n\n#include <utility>\n\n";
  c += c_states_;
  c_anon_ = "namespace {\n\n// Per-call conversion context.\nstruct Cx {\n"
            "  compono::component::Store* store = nullptr;\n  const std::shared_ptr<const void>* ex = nullptr;\n";
  for (InterfaceId iid : imported_order_)
    if (!resources_of(iid).empty())
      c_anon_ += "  " + iface_ns(iid) + "::detail::State* " + state_field(iid) + " = nullptr;\n";
  c_anon_ += "  // Host objects lent to the guest for this call (borrows at any depth).\n"
             "  std::vector<std::pair<compono_host::TableBase*, uint32_t>> lent;\n  std::string err;\n"
             "  Cx() = default;\n  Cx(const Cx&) = delete;\n  Cx& operator=(const Cx&) = delete;\n"
             "  ~Cx() { end_lends(); }\n"
             "  void fail(std::string m) {\n    if (err.empty()) err = std::move(m);\n  }\n"
             "  void end_lends() {\n    for (auto& [t, rep] : lent) t->end_lend(rep);\n    lent.clear();\n  }\n};\n";
  c_anon_ += kHelpers;
  c_anon_ += "\n// The exports of one instance.\nstruct WorldExports {\n";
  for (const auto& x : exports_) c_anon_ += "  compono::component::Func " + x.member + ";\n";
  for (InterfaceId dep : export_dep_list)
    c_anon_ += "  std::shared_ptr<" + iface_ns(dep) + "::detail::State> " + state_field(dep) + ";\n";
  c_anon_ += "};\n[[maybe_unused]] void init_cx(Cx& cx, compono::component::Store& store, "
             "const std::shared_ptr<const void>& ex) {\n  cx.store = &store;\n  cx.ex = &ex;\n";
  if (!export_dep_list.empty()) {
    c_anon_ += "  const auto& e = *static_cast<const WorldExports*>(ex.get());\n";
    for (InterfaceId dep : export_dep_list)
      c_anon_ += "  cx." + state_field(dep) + " = e." + state_field(dep) + ".get();\n";
  }
  c_anon_ += "}\n\n";
  for (TypeId id : order_)
    c_anon_ += "compono::component::Val lower_" + mangle(id) + "(Cx& cx_, const " + qname(id) + "& v);\n" + qname(id) +
               " lift_" + mangle(id) + "(Cx& cx_, const compono::component::Val& v);\n";

  // World imports, instantiate, export wrappers.
  tns(world_ns_);
  if (!world_imports.empty()) {
    c_tail_ += "auto " + world_cls_ + "::add_to_linker(compono::component::Linker& linker, " + imports_cls +
               "& host" + wi_extra + ") -> compono::Result<void> {\n  using compono::component::HostCall;\n"
               "  using compono::component::Val;\n";
    std::map<InterfaceId, std::string> vars;
    std::string capture = "[&host";
    for (InterfaceId dep : wi_dep_list) {
      vars[dep] = host_var(dep);
      capture += ", &" + host_var(dep);
    }
    capture += "]";
    for (const Function* f : world_imports)
      c_tail_ += "  COMPONO_CHECK(linker.define_func(\"\", " + cpp_string_literal(f->name) + ", " + capture +
                 "([[maybe_unused]] HostCall& call, [[maybe_unused]] std::span<const Val> args, [[maybe_unused]] "
                 "std::span<Val> results) -> compono::component::HostResult {\n" + cx_init_hosts(vars) +
                 host_body(*f, "host." + snake(f->name) + "(", 0) + "  }));\n";
    c_tail_ += "  return {};\n}\n";
  }
  c_tail_ += "auto " + world_cls_ +
             "::instantiate(compono::component::Store& store, const compono::component::Linker& linker,\n"
             "    const compono::component::Component& component" + inst_extra + ") -> compono::Result<" +
             world_cls_ + "> {\n";
  c_tail_ += "  COMPONO_TRY(auto inst, linker.instantiate(store, component));\n  " + world_cls_ +
             " w;\n  w.instance_ = inst;\n  auto ex = std::make_shared<WorldExports>();\n";
  for (const auto& x : exports_) {
    c_tail_ += "  ex->" + x.member + " = inst.get_func(" + cpp_string_literal(x.cm_name) + ");\n";
    c_tail_ += "  if (!ex->" + x.member + ") return compono::fail(" +
               cpp_string_literal("component does not export " + x.cm_name + " (world " + w_.name + ")") + ");\n";
  }
  for (InterfaceId dep : export_dep_list)
    c_tail_ += "  ex->" + state_field(dep) + " = " + host_var(dep) + ".compono_state();\n";
  c_tail_ += "  w.ex_ = std::move(ex);\n  return w;\n}\n";
  for (const auto& x : exports_) {
    if (x.f->kind != FunctionKind::Freestanding) continue;
    const Function& f = *x.f;
    std::string ps = params_decl(f, 0);
    std::string rt = f.result ? cpp(*f.result) : "void";
    c_tail_ += "auto " + world_cls_ + "::" + x.member + "(compono::component::Store& st_" +
               (ps.empty() ? "" : ", " + ps) + ") const -> compono::Result<" + rt + ", compono::component::Trap> {\n";
    c_tail_ += export_body(x, "ex_", "st_", "", world_cls_ + " is not instantiated");
    c_tail_ += "}\n";
  }
  tns("");

  // Conversion definitions (anonymous namespace) go before the tail.
  for (TypeId id : order_) emit_type_conv(id);
  c += c_anon_ + "}  // namespace\n\n" + c_tail_;
  if (!err_.empty()) return fail(err_);
  return std::vector<File>{{base + ".h", h_}, {base + ".cpp", c}};
}

}  // namespace

Result<std::vector<File>> generate_host_cpp(const wit::Resolve& resolve, wit::WorldId world,
                                            const HostOptions& options) {
  HostGen g(resolve, world, options);
  return g.run();
}

}  // namespace compono::bindgen
