// src/component/validate.cpp - component validation: index spaces, the type
// model (value/func/component/instance/resource types), subtyping of
// instantiation arguments, resource generativity, name rules, canon options.
//
// Types live in one arena (Store::types) addressed by TypeId.  Resources are
// identified by a resource id (rid); `(sub resource)` imports and resource
// definitions create fresh rids, instantiation substitutes the imported rids
// of a component type by the argument's and gives the rids it defines fresh
// values (generativity).
#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "component/component.h"
#include "component/core_scan.h"
#include "component/names.h"
#include "component/reader.h"
#include "core/module.h"

namespace compono::component {

namespace {

using detail::CoreModuleInfo;

constexpr size_t kMaxTypes = 1u << 18;  // arena bound against type blow-up (~50 MB)

struct VT {
  bool prim = true;
  PrimValType p = PrimValType::Bool;
  uint32_t id = 0;
};

struct Ent {
  ExternKind kind = ExternKind::Func;
  uint32_t id = 0;  // Module: cmod; Func/Type/Instance/Component: TypeId
  VT vt;            // Value
};

struct SType {
  TypeKind kind = TypeKind::Prim;
  PrimValType prim = PrimValType::Bool;
  std::vector<std::string> names;          // record fields, func params, cases, flags/enum labels
  std::vector<std::optional<VT>> vts;      // record fields, func params, case payloads, tuple
  std::optional<VT> a, b;                  // list/option/... element, result ok/err, func result, map k/v
  uint32_t length = 0;
  uint32_t res_type = 0, rid = 0;          // Own/Borrow: resource TypeId + rid; Resource: rid
  bool async = false;
  std::vector<std::pair<std::string, Ent>> imports, exports;  // Component / Instance
  std::vector<uint32_t> abstract_rids;     // Component: rids bound by imports
  uint32_t rid_begin = 0, rid_end = 0;     // rids created while defining this type
  uint64_t size = 0, align = 1;            // canonical ABI element size (64-bit pointers), saturated
};

struct CoreEnt {
  CoreExternKind kind = CoreExternKind::Func;
  uint32_t ft = 0;  // Func, Tag: core func type id
  CoreExternDesc d; // Table, Memory, Global
};

struct CoreModType {
  struct Imp { std::string module, name; CoreEnt ent; };
  std::vector<Imp> imports;
  std::vector<std::pair<std::string, CoreEnt>> exports;
};
using CoreInstType = std::vector<std::pair<std::string, CoreEnt>>;

struct CoreTypeRef {
  bool module = false;
  uint32_t id = 0;
};

enum class ScopeKind { Component, ComponentType, InstanceType };

struct Scope {
  ScopeKind kind = ScopeKind::Component;
  std::vector<uint32_t> core_funcs;  // cft ids
  std::vector<CoreExternDesc> core_tables, core_memories, core_globals;
  std::vector<uint32_t> core_tags;   // cft ids
  std::vector<CoreTypeRef> core_types;
  std::vector<uint32_t> core_modules;    // cmod ids
  std::vector<uint32_t> core_instances;  // cinst ids
  std::vector<uint32_t> funcs;
  std::vector<VT> values;
  std::vector<uint32_t> types;
  std::vector<uint32_t> components;
  std::vector<uint32_t> instances;
  std::vector<uint8_t> instance_external;  // 0 local, 1 imported, 2 exported
  std::set<uint32_t> named;         // types named by imports/exports
  std::set<uint32_t> import_named;  // ... by imports only
  std::map<std::string, std::string> import_keys, export_keys;
  std::vector<std::pair<std::string, Ent>> imports, exports;
  std::vector<uint32_t> abstract_rids;
  std::set<uint32_t> local_rids;
  uint32_t rid_begin = 0;
};

std::string flat_name(char c) {
  switch (c) {
    case 'i': return "I32";
    case 'I': return "I64";
    case 'f': return "F32";
    default: return "F64";
  }
}
std::string flat_list(const std::string& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + flat_name(v[i]);
  return s + "]";
}
char core_flat(const CoreValType& t) {
  switch (t.code) {
    case 0x7f: return 'i';
    case 0x7e: return 'I';
    case 0x7d: return 'f';
    case 0x7c: return 'F';
    default: return '?';
  }
}
std::string core_flat(const std::vector<CoreValType>& v) {
  std::string s;
  for (auto& t : v) s += core_flat(t);
  return s;
}
const char* core_val_name(const CoreValType& t) {
  switch (t.code) {
    case 0x7f: return "i32";
    case 0x7e: return "i64";
    case 0x7d: return "f32";
    case 0x7c: return "f64";
    case 0x7b: return "v128";
    case 0x70: return "funcref";
    case 0x6f: return "externref";
    case 0x69: return "exnref";
    default: return "ref";
  }
}
std::string print_core_func(const CoreFuncType& f) {
  std::string s = "(func";
  if (!f.params.empty()) {
    s += " (param";
    for (auto& p : f.params) s += std::string(" ") + core_val_name(p);
    s += ")";
  }
  if (!f.results.empty()) {
    s += " (result";
    for (auto& p : f.results) s += std::string(" ") + core_val_name(p);
    s += ")";
  }
  return s + ")";
}

class Validator {
 public:
  explicit Validator(const ValidateOptions& o) : opts_(o) {}

  std::vector<SType> types;
  std::vector<CoreFuncType> cfts;
  std::vector<CoreModType> cmods;
  std::vector<CoreInstType> cinsts;
  uint32_t next_rid = 0;
  std::vector<Scope*> stack;
  size_t cur_offset = Error::npos;

  Failure err(std::string msg) { return fail(std::move(msg), cur_offset); }

  Result<uint32_t> add_type(SType t) {
    if (types.size() >= kMaxTypes) return err("too many types (type arena limit reached)");
    types.push_back(std::move(t));
    return uint32_t(types.size() - 1);
  }
  uint32_t add_cft(CoreFuncType f) {
    cfts.push_back(std::move(f));
    return uint32_t(cfts.size() - 1);
  }

  Scope& top() { return *stack.back(); }

  // ------------------------------------------------------------------ values

  static bool is_defined_value(TypeKind k) { return k <= TypeKind::Map; }

  // WIT-like rendering of a resolved type, for ComponentInfo and messages.
  std::string print_vt(const VT& v, int depth = 0) {
    if (v.prim) return to_string(v.p);
    return print_type(v.id, depth);
  }
  std::string print_ent(const Ent& e, int depth) {
    switch (e.kind) {
      case ExternKind::Module: return "core module";
      case ExternKind::Value: return "value " + print_vt(e.vt, depth);
      case ExternKind::Type: return "type " + print_type(e.id, depth);
      default: return print_type(e.id, depth);
    }
  }
  std::string print_type(uint32_t id, int depth = 0) {
    if (depth > 8) return "...";
    const SType& t = types[id];
    auto join = [&](auto&& f, size_t n) {
      std::string out;
      for (size_t k = 0; k < n; ++k) out += (k ? ", " : "") + f(k);
      return out;
    };
    switch (t.kind) {
      case TypeKind::Prim: return to_string(t.prim);
      case TypeKind::Record:
        return "record { " + join([&](size_t k) { return t.names[k] + ": " + print_vt(*t.vts[k], depth + 1); }, t.names.size()) + " }";
      case TypeKind::Variant:
        return "variant { " + join([&](size_t k) { return t.names[k] + (t.vts[k] ? "(" + print_vt(*t.vts[k], depth + 1) + ")" : ""); }, t.names.size()) + " }";
      case TypeKind::List: return "list<" + print_vt(*t.a, depth + 1) + ">";
      case TypeKind::FixedList: return "list<" + print_vt(*t.a, depth + 1) + ", " + std::to_string(t.length) + ">";
      case TypeKind::Tuple: return "tuple<" + join([&](size_t k) { return print_vt(*t.vts[k], depth + 1); }, t.vts.size()) + ">";
      case TypeKind::Flags: return "flags { " + join([&](size_t k) { return t.names[k]; }, t.names.size()) + " }";
      case TypeKind::Enum: return "enum { " + join([&](size_t k) { return t.names[k]; }, t.names.size()) + " }";
      case TypeKind::Option: return "option<" + print_vt(*t.a, depth + 1) + ">";
      case TypeKind::Result:
        if (!t.a && !t.b) return "result";
        return "result<" + (t.a ? print_vt(*t.a, depth + 1) : "_") + (t.b ? ", " + print_vt(*t.b, depth + 1) : "") + ">";
      case TypeKind::Own: return "own<resource#" + std::to_string(t.rid) + ">";
      case TypeKind::Borrow: return "borrow<resource#" + std::to_string(t.rid) + ">";
      case TypeKind::Stream: return t.a ? "stream<" + print_vt(*t.a, depth + 1) + ">" : "stream";
      case TypeKind::Future: return t.a ? "future<" + print_vt(*t.a, depth + 1) + ">" : "future";
      case TypeKind::Map: return "map<" + print_vt(*t.a, depth + 1) + ", " + print_vt(*t.b, depth + 1) + ">";
      case TypeKind::Func:
        return std::string(t.async ? "async func(" : "func(") +
               join([&](size_t k) { return t.names[k] + ": " + print_vt(*t.vts[k], depth + 1); }, t.names.size()) + ")" +
               (t.a ? " -> " + print_vt(*t.a, depth + 1) : "");
      case TypeKind::Resource: return "resource#" + std::to_string(t.rid);
      case TypeKind::Instance:
        return "instance { " + join([&](size_t k) { return t.exports[k].first + ": " + print_ent(t.exports[k].second, depth + 1); }, t.exports.size()) + " }";
      case TypeKind::Component:
        return "component { " +
               join([&](size_t k) { return "import " + t.imports[k].first + ": " + print_ent(t.imports[k].second, depth + 1); }, t.imports.size()) +
               (t.imports.empty() || t.exports.empty() ? "" : ", ") +
               join([&](size_t k) { return "export " + t.exports[k].first + ": " + print_ent(t.exports[k].second, depth + 1); }, t.exports.size()) + " }";
    }
    return "?";
  }

  Result<VT> valtype(const ValType& v, Scope& s) {
    if (v.is_prim) return VT{true, v.prim, 0};
    if (v.index >= s.types.size()) return err("type index out of bounds");
    uint32_t id = s.types[v.index];
    if (!is_defined_value(types[id].kind)) return err("type index " + std::to_string(v.index) + " is not a defined type");
    return VT{false, PrimValType::Bool, id};
  }

  // Does the value type contain a borrow?  (resources: also own)
  bool contains_borrow(const VT& v, int depth = 0) {
    if (v.prim || depth > 200) return false;
    const SType& t = types[v.id];
    switch (t.kind) {
      case TypeKind::Borrow: return true;
      case TypeKind::Record: case TypeKind::Variant: case TypeKind::Tuple:
        for (auto& x : t.vts) if (x && contains_borrow(*x, depth + 1)) return true;
        return false;
      case TypeKind::List: case TypeKind::FixedList: case TypeKind::Option: case TypeKind::Result:
      case TypeKind::Map:
        return (t.a && contains_borrow(*t.a, depth + 1)) || (t.b && contains_borrow(*t.b, depth + 1));
      default: return false;
    }
  }

  Result<void> check_labels(const std::vector<std::string>& names, const char* what, const char* prev_what) {
    std::map<std::string, std::string> seen;
    for (auto& n : names) {
      if (n.empty()) return err(std::string(what) + " name cannot be empty");
      std::string e = check_kebab(n);
      if (!e.empty()) return err(std::string(what) + " name `" + n + "` is not in kebab case");
      std::string key = n;
      for (char& c : key) c = char(std::tolower(uint8_t(c)));
      auto it = seen.find(key);
      if (it != seen.end())
        return err(std::string(what) + " name `" + n + "` conflicts with previous " + prev_what + " name `" + it->second + "`");
      seen.emplace(key, n);
    }
    return {};
  }

  Result<uint32_t> deftype(const TypeDef& d, Scope& s) {
    SType t;
    t.kind = d.kind;
    switch (d.kind) {
      case TypeKind::Prim:
        t.prim = d.prim;
        break;
      case TypeKind::Record: {
        if (d.fields.empty()) return err("record type must have at least one field");
        for (auto& f : d.fields) {
          t.names.push_back(f.name);
          COMPONO_TRY(VT v, valtype(f.type, s));
          t.vts.push_back(v);
        }
        COMPONO_CHECK(check_labels(t.names, "record field", "field"));
        break;
      }
      case TypeKind::Variant: {
        if (d.cases.empty()) return err("variant type must have at least one case");
        for (auto& c : d.cases) {
          t.names.push_back(c.name);
          if (c.refines) return err("variant case refinements are not supported");
          if (c.type) {
            COMPONO_TRY(VT v, valtype(*c.type, s));
            t.vts.push_back(v);
          } else {
            t.vts.push_back(std::nullopt);
          }
        }
        COMPONO_CHECK(check_labels(t.names, "variant case", "case"));
        break;
      }
      case TypeKind::List: case TypeKind::Option: {
        if (!d.a) return err("missing element type");
        COMPONO_TRY(VT v, valtype(*d.a, s));
        t.a = v;
        break;
      }
      case TypeKind::FixedList: {
        if (d.length == 0) return err("fixed-length list must have at least one element");
        if (!d.a) return err("missing element type");
        COMPONO_TRY(VT v, valtype(*d.a, s));
        t.a = v;
        t.length = d.length;
        break;
      }
      case TypeKind::Tuple: {
        if (d.types.empty()) return err("tuple type must have at least one type");
        for (auto& x : d.types) {
          COMPONO_TRY(VT v, valtype(x, s));
          t.vts.push_back(v);
        }
        break;
      }
      case TypeKind::Flags:
        if (d.labels.empty()) return err("flags must have at least one entry");
        if (d.labels.size() > 32) return err("cannot have more than 32 flags");
        t.names = d.labels;
        COMPONO_CHECK(check_labels(t.names, "flag", "flag"));
        break;
      case TypeKind::Enum:
        if (d.labels.empty()) return err("enum type must have at least one variant");
        t.names = d.labels;
        COMPONO_CHECK(check_labels(t.names, "enum tag", "tag"));
        break;
      case TypeKind::Result: {
        if (d.a) { COMPONO_TRY(VT v, valtype(*d.a, s)); t.a = v; }
        if (d.b) { COMPONO_TRY(VT v, valtype(*d.b, s)); t.b = v; }
        break;
      }
      case TypeKind::Own: case TypeKind::Borrow: {
        if (d.index >= s.types.size()) return err("type index out of bounds");
        uint32_t id = s.types[d.index];
        if (types[id].kind != TypeKind::Resource)
          return err("type index " + std::to_string(d.index) + " is not a resource type");
        t.res_type = id;
        t.rid = types[id].rid;
        break;
      }
      case TypeKind::Stream: case TypeKind::Future: {
        if (d.a) {
          COMPONO_TRY(VT v, valtype(*d.a, s));
          if (d.kind == TypeKind::Stream && v.prim && v.p == PrimValType::Char)
            return err("stream<char> is not valid at this time");
          t.a = v;
        }
        break;
      }
      case TypeKind::Map: {
        if (!d.a || !d.b) return err("missing map key or value type");
        COMPONO_TRY(VT k, valtype(*d.a, s));
        COMPONO_TRY(VT v, valtype(*d.b, s));
        t.a = k;
        t.b = v;
        break;
      }
      case TypeKind::Func: {
        t.async = d.async;
        for (auto& f : d.fields) {
          t.names.push_back(f.name);
          COMPONO_TRY(VT v, valtype(f.type, s));
          t.vts.push_back(v);
        }
        COMPONO_CHECK(check_labels(t.names, "function parameter", "parameter"));
        if (d.a) {
          COMPONO_TRY(VT v, valtype(*d.a, s));
          if (contains_borrow(v)) return err("function result cannot contain a `borrow` type");
          t.a = v;
        }
        break;
      }
      case TypeKind::Component: case TypeKind::Instance:
        return type_scope(d, s);
      case TypeKind::Resource: {
        if (s.kind != ScopeKind::Component) return err("resources can only be defined within a concrete component");
        if (d.dtor) {
          if (*d.dtor >= s.core_funcs.size()) return err("function index out of bounds");
          const CoreFuncType& f = cfts[s.core_funcs[*d.dtor]];
          if (!(f.results.empty() && f.params.size() == 1 && f.params[0].code == 0x7f))
            return err("wrong signature for a destructor");
        }
        t.rid = next_rid++;
        s.local_rids.insert(t.rid);
        break;
      }
    }
    if (is_defined_value(t.kind)) {
      compute_size(t);
      if (t.size >= (uint64_t(1) << 28)) return err("type exceeds maximum byte size of a value (2^28)");
    }
    return add_type(std::move(t));
  }

  static constexpr uint64_t kSat = uint64_t(1) << 40;
  static uint64_t align_to(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }
  std::pair<uint64_t, uint64_t> size_of(const VT& v) {
    if (!v.prim) return {types[v.id].size, types[v.id].align};
    switch (v.p) {
      case PrimValType::Bool: case PrimValType::S8: case PrimValType::U8: return {1, 1};
      case PrimValType::S16: case PrimValType::U16: return {2, 2};
      case PrimValType::S64: case PrimValType::U64: case PrimValType::F64: return {8, 8};
      case PrimValType::String: return {16, 8};
      default: return {4, 4};
    }
  }
  static uint64_t disc_size(size_t n) { return n <= 256 ? 1 : n <= 65536 ? 2 : 4; }
  void compute_size(SType& t) {
    auto sat = [](uint64_t x) { return x > kSat ? kSat : x; };
    switch (t.kind) {
      case TypeKind::Prim: std::tie(t.size, t.align) = size_of(VT{true, t.prim, 0}); break;
      case TypeKind::List: case TypeKind::Map: t.size = 16; t.align = 8; break;
      case TypeKind::FixedList: {
        auto [es, ea] = size_of(*t.a);
        t.size = sat(es * t.length);
        t.align = ea;
        break;
      }
      case TypeKind::Record: case TypeKind::Tuple: {
        uint64_t off = 0, al = 1;
        for (auto& f : t.vts) {
          auto [fs, fa] = size_of(*f);
          off = sat(align_to(off, fa) + fs);
          al = std::max(al, fa);
        }
        t.size = sat(align_to(off, al));
        t.align = al;
        break;
      }
      case TypeKind::Variant: case TypeKind::Option: case TypeKind::Result: {
        std::vector<std::optional<VT>> cases;
        if (t.kind == TypeKind::Variant) cases = t.vts;
        else if (t.kind == TypeKind::Option) cases = {std::nullopt, t.a};
        else cases = {t.a, t.b};
        uint64_t ds = disc_size(cases.size()), ms = 0, al = ds;
        for (auto& c : cases)
          if (c) {
            auto [cs, ca] = size_of(*c);
            ms = std::max(ms, cs);
            al = std::max(al, ca);
          }
        t.size = sat(align_to(align_to(ds, al) + ms, al));
        t.align = al;
        break;
      }
      case TypeKind::Enum: t.size = t.align = disc_size(t.names.size()); break;
      case TypeKind::Flags: {
        size_t n = t.names.size();
        if (n <= 8) t.size = t.align = 1;
        else if (n <= 16) t.size = t.align = 2;
        else { t.size = 4 * ((n + 31) / 32); t.align = 4; }
        break;
      }
      default: t.size = 4; t.align = 4; break;
    }
  }

  // ------------------------------------------------------------ core types

  Result<CoreEnt> core_ent(const CoreExternDesc& d, const std::vector<CoreTypeRef>& ctypes) {
    CoreEnt e;
    e.kind = d.kind;
    e.d = d;
    switch (d.kind) {
      case CoreExternKind::Func: case CoreExternKind::Tag:
        if (d.type_index >= ctypes.size()) return err("type index out of bounds");
        if (ctypes[d.type_index].module) return err("type index " + std::to_string(d.type_index) + " is not a function type");
        e.ft = ctypes[d.type_index].id;
        break;
      case CoreExternKind::Memory:
        if (!d.limits.is64 && (d.limits.min > 65536 || (d.limits.max && *d.limits.max > 65536)))
          return err("memory size must be at most 65536 pages (4GiB)");
        if (d.limits.max && *d.limits.max < d.limits.min) return err("size minimum must not be greater than maximum");
        if (d.limits.shared && !d.limits.max) return err("shared memory must have maximum size");
        break;
      case CoreExternKind::Table:
        if (d.limits.max && *d.limits.max < d.limits.min) return err("size minimum must not be greater than maximum");
        break;
      case CoreExternKind::Global:
        break;
    }
    return e;
  }

  Result<CoreTypeRef> core_typedef(const CoreTypeDef& d, std::vector<CoreTypeRef>& enclosing) {
    if (d.kind == CoreTypeDef::Func) {
      for (uint32_t st : d.supertypes)
        if (st >= enclosing.size()) return err("type index out of bounds");
      return CoreTypeRef{false, add_cft(d.func)};
    }
    // Module type: a fresh core type index space; outer aliases (ct = 1)
    // read the enclosing component's core types.
    std::vector<CoreTypeRef> local;
    CoreModType mt;
    std::set<std::string> export_names, import_names;
    for (auto& decl : d.decls) {
      switch (decl.kind) {
        case CoreModuleDecl::Type:
          if (decl.type.kind == CoreTypeDef::Module) return err("invalid leading byte: nested module types are not allowed");
          {
            COMPONO_TRY(CoreTypeRef r, core_typedef(decl.type, local));
            local.push_back(r);
          }
          break;
        case CoreModuleDecl::Alias:
          if (decl.outer_count == 0) {
            if (decl.outer_index >= local.size()) return err("type index out of bounds");
            local.push_back(local[decl.outer_index]);
          } else if (decl.outer_count == 1) {
            if (decl.outer_index >= enclosing.size()) return err("type index out of bounds");
            if (enclosing[decl.outer_index].module) return err("cannot alias a module type into a module type");
            local.push_back(enclosing[decl.outer_index]);
          } else {
            return err("invalid outer alias count of " + std::to_string(decl.outer_count));
          }
          break;
        case CoreModuleDecl::Import: {
          COMPONO_TRY(CoreEnt e, core_ent(decl.desc, local));
          std::string key = decl.module + ":" + decl.name;
          if (!import_names.insert(key).second) return err("duplicate import name `" + key + "`");
          mt.imports.push_back({decl.module, decl.name, e});
          break;
        }
        case CoreModuleDecl::Export: {
          COMPONO_TRY(CoreEnt e, core_ent(decl.desc, local));
          if (!export_names.insert(decl.name).second) return err("export name `" + decl.name + "` already defined");
          mt.exports.push_back({decl.name, e});
          break;
        }
      }
    }
    cmods.push_back(std::move(mt));
    return CoreTypeRef{true, uint32_t(cmods.size() - 1)};
  }

  Result<uint32_t> core_module(std::span<const uint8_t> bytes, size_t offset) {
    COMPONO_TRY(CoreModuleInfo info, detail::scan_core_module(bytes, offset));
    CoreModType mt;
    std::vector<uint32_t> type_ids;
    for (auto& f : info.types) type_ids.push_back(add_cft(f));
    auto ft_of = [&](uint32_t ti) -> Result<uint32_t> {
      if (ti >= type_ids.size()) return fail("type index out of bounds", offset);
      return type_ids[ti];
    };
    std::set<std::string> import_names;
    for (auto& im : info.imports) {
      CoreEnt e;
      e.kind = im.desc.kind;
      e.d = im.desc;
      if (e.kind == CoreExternKind::Func || e.kind == CoreExternKind::Tag) { COMPONO_SET(e.ft, ft_of(im.desc.type_index)); }
      std::string key = im.module + ":" + im.name;
      if (!import_names.insert(key).second) return err("duplicate import name `" + key + "`");
      mt.imports.push_back({im.module, im.name, e});
    }
    for (uint32_t f : info.funcs)
      if (f >= type_ids.size()) return fail("type index out of bounds", offset);
    std::set<std::string> export_names;
    for (auto& ex : info.exports) {
      CoreEnt e;
      e.kind = ex.kind;
      switch (ex.kind) {
        case CoreExternKind::Func:
          if (ex.index >= info.funcs.size()) return fail("unknown function: exported function index out of bounds", offset);
          e.ft = type_ids[info.funcs[ex.index]];
          break;
        case CoreExternKind::Table:
          if (ex.index >= info.tables.size()) return fail("unknown table: exported table index out of bounds", offset);
          e.d = info.tables[ex.index];
          break;
        case CoreExternKind::Memory:
          if (ex.index >= info.memories.size()) return fail("unknown memory: exported memory index out of bounds", offset);
          e.d = info.memories[ex.index];
          break;
        case CoreExternKind::Global:
          if (ex.index >= info.globals.size()) return fail("unknown global: exported global index out of bounds", offset);
          e.d = info.globals[ex.index];
          break;
        case CoreExternKind::Tag:
          if (ex.index >= info.tags.size()) return fail("unknown tag: exported tag index out of bounds", offset);
          COMPONO_SET(e.ft, ft_of(info.tags[ex.index].type_index));
          break;
      }
      if (!export_names.insert(ex.name).second) return err("duplicate export name `" + ex.name + "`");
      mt.exports.push_back({ex.name, e});
    }
    if (opts_.validate_core_modules && core_validator) COMPONO_CHECK(core_validator(bytes, offset));
    cmods.push_back(std::move(mt));
    return uint32_t(cmods.size() - 1);
  }

  // Full core decoding + validation (function bodies etc.) by src/core.
  static Result<void> validate_core(std::span<const uint8_t> bytes, size_t offset) {
    auto m = core::decode(bytes, core::Features::all());  // as the runtime compiles them
    if (!m) {
      Error e = m.error();
      if (e.offset != Error::npos) e.offset += offset;
      return Failure{std::move(e)};
    }
    auto v = core::validate(*m);
    if (!v) {
      Error e = v.error();
      if (e.offset != Error::npos) e.offset += offset;
      return Failure{std::move(e)};
    }
    return {};
  }
  Result<void> (*core_validator)(std::span<const uint8_t>, size_t) = &validate_core;

  // ----------------------------------------------------- core subtyping

  std::string core_ent_desc(const CoreEnt& e) {
    switch (e.kind) {
      case CoreExternKind::Func: return print_core_func(cfts[e.ft]);
      default: return to_string(e.kind);
    }
  }

  Result<void> core_subtype(const CoreEnt& a, const CoreEnt& b) {  // a <: b
    if (a.kind != b.kind)
      return err(std::string("expected ") + to_string(b.kind) + ", found " + to_string(a.kind));
    switch (a.kind) {
      case CoreExternKind::Func: case CoreExternKind::Tag:
        if (!(cfts[a.ft] == cfts[b.ft]))
          return err("type mismatch: expected: " + print_core_func(cfts[b.ft]) + ", found: " + print_core_func(cfts[a.ft]));
        return {};
      case CoreExternKind::Global:
        if (!(a.d.type == b.d.type))
          return err(std::string("expected global type ") + core_val_name(b.d.type) + ", found " + core_val_name(a.d.type));
        if (a.d.mut != b.d.mut) return err("global types differ in mutability");
        return {};
      case CoreExternKind::Table:
        if (!(a.d.type == b.d.type))
          return err(std::string("expected table element type ") + core_val_name(b.d.type) + ", found " + core_val_name(a.d.type));
        if (!limits_sub(a.d.limits, b.d.limits)) return err("mismatch in table limits");
        return {};
      case CoreExternKind::Memory:
        if (a.d.limits.shared != b.d.limits.shared) return err("mismatch in the shared flag for memories");
        if (a.d.limits.is64 != b.d.limits.is64) return err("mismatch in index type used for memories");
        if (!limits_sub(a.d.limits, b.d.limits)) return err("mismatch in memory limits");
        return {};
    }
    return {};
  }
  static bool limits_sub(const CoreLimits& a, const CoreLimits& b) {
    if (a.min < b.min) return false;
    if (b.max) {
      if (!a.max) return false;
      if (*a.max > *b.max) return false;
    }
    return true;
  }

  Result<void> core_module_subtype(uint32_t a, uint32_t b) {  // module type a <: b
    const CoreModType& A = cmods[a];
    const CoreModType& B = cmods[b];
    for (auto& ai : A.imports) {
      const CoreModType::Imp* found = nullptr;
      for (auto& bi : B.imports)
        if (bi.module == ai.module && bi.name == ai.name) found = &bi;
      if (!found) return err("missing expected import `" + ai.module + "::" + ai.name + "`");
      auto r = core_subtype(found->ent, ai.ent);
      if (!r) return err("type mismatch in import `" + ai.module + "::" + ai.name + "`: " + r.error().message);
    }
    for (auto& be : B.exports) {
      const CoreEnt* found = nullptr;
      for (auto& ae : A.exports)
        if (ae.first == be.first) found = &ae.second;
      if (!found) return err("missing expected export `" + be.first + "`");
      auto r = core_subtype(*found, be.second);
      if (!r) return err("type mismatch in export `" + be.first + "`: " + r.error().message);
    }
    return {};
  }

  // ------------------------------------------------- resources & subst

  using RidMap = std::unordered_map<uint32_t, uint32_t>;

  struct Subst {
    const RidMap* map;
    std::unordered_map<uint32_t, uint32_t> memo;
    const std::unordered_map<uint32_t, uint32_t>* tmap = nullptr;  // type import -> argument type
  };

  Result<VT> subst_vt(const VT& v, Subst& s) {
    if (v.prim) return v;
    COMPONO_TRY(uint32_t id, subst(v.id, s));
    return VT{false, v.p, id};
  }
  Result<Ent> subst_ent(const Ent& e, Subst& s) {
    Ent r = e;
    if (e.kind == ExternKind::Value) { COMPONO_SET(r.vt, subst_vt(e.vt, s)); return r; }
    if (e.kind == ExternKind::Module) return r;
    COMPONO_SET(r.id, subst(e.id, s));
    return r;
  }

  const std::unordered_map<uint32_t, uint32_t>* cur_tmap = nullptr;
  bool mentions(uint32_t id, const RidMap& m, std::unordered_map<uint32_t, bool>& memo, int depth = 0) {
    if (depth > 500) return true;
    if (cur_tmap && cur_tmap->count(id)) return true;
    auto it = memo.find(id);
    if (it != memo.end()) return it->second;
    memo[id] = false;
    const SType& t = types[id];
    bool r = false;
    auto vt = [&](const std::optional<VT>& v) { return v && !v->prim && mentions(v->id, m, memo, depth + 1); };
    auto ent = [&](const Ent& e) {
      if (e.kind == ExternKind::Module) return false;
      if (e.kind == ExternKind::Value) return vt(e.vt);
      return mentions(e.id, m, memo, depth + 1);
    };
    switch (t.kind) {
      case TypeKind::Resource: r = m.count(t.rid) > 0; break;
      case TypeKind::Own: case TypeKind::Borrow: r = m.count(t.rid) > 0 || mentions(t.res_type, m, memo, depth + 1); break;
      default:
        for (auto& v : t.vts) r = r || vt(v);
        r = r || vt(t.a) || vt(t.b);
        for (auto& [n, e] : t.imports) r = r || ent(e);
        for (auto& [n, e] : t.exports) r = r || ent(e);
    }
    memo[id] = r;
    return r;
  }

  Result<uint32_t> subst(uint32_t id, Subst& s) {
    auto it = s.memo.find(id);
    if (it != s.memo.end()) return it->second;
    if (s.tmap) {
      auto t = s.tmap->find(id);
      if (t != s.tmap->end()) { s.memo[id] = t->second; return t->second; }
    }
    std::unordered_map<uint32_t, bool> mm;
    cur_tmap = s.tmap;
    bool mentioned = mentions(id, *s.map, mm);
    cur_tmap = nullptr;
    if (!mentioned) {
      s.memo[id] = id;
      return id;
    }
    SType t = types[id];
    switch (t.kind) {
      case TypeKind::Resource: {
        auto m = s.map->find(t.rid);
        if (m != s.map->end()) t.rid = m->second;
        break;
      }
      case TypeKind::Own: case TypeKind::Borrow: {
        COMPONO_SET(t.res_type, subst(t.res_type, s));
        t.rid = types[t.res_type].rid;
        break;
      }
      default:
        for (auto& v : t.vts)
          if (v) { COMPONO_SET(*v, subst_vt(*v, s)); }
        if (t.a) { COMPONO_SET(*t.a, subst_vt(*t.a, s)); }
        if (t.b) { COMPONO_SET(*t.b, subst_vt(*t.b, s)); }
        for (auto& [n, e] : t.imports) { COMPONO_SET(e, subst_ent(e, s)); }
        for (auto& [n, e] : t.exports) { COMPONO_SET(e, subst_ent(e, s)); }
        for (auto& r : t.abstract_rids) {
          auto m = s.map->find(r);
          if (m != s.map->end()) r = m->second;
        }
    }
    COMPONO_TRY(uint32_t nid, add_type(std::move(t)));
    s.memo[id] = nid;
    return nid;
  }

  // Rids of resource types exported (transitively through instance exports)
  // by a component/instance type and created within [lo, hi).
  void defined_rids(uint32_t id, uint32_t lo, uint32_t hi, std::vector<uint32_t>& out, int depth = 0) {
    if (depth > 100) return;
    for (auto& [n, e] : types[id].exports) {
      if (e.kind == ExternKind::Type && types[e.id].kind == TypeKind::Resource) {
        uint32_t r = types[e.id].rid;
        if (r >= lo && r < hi && std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
      } else if (e.kind == ExternKind::Instance) {
        defined_rids(e.id, lo, hi, out, depth + 1);
      }
    }
  }

  // Give the resources defined by an instance type fresh identities (each
  // import of an instance type has its own resources).
  Result<uint32_t> refresh_instance(uint32_t id, std::vector<uint32_t>* created) {
    std::vector<uint32_t> rids;
    defined_rids(id, types[id].rid_begin, types[id].rid_end, rids);
    if (rids.empty()) return id;
    RidMap m;
    for (uint32_t r : rids) {
      uint32_t n = next_rid++;
      m[r] = n;
      if (created) created->push_back(n);
    }
    Subst s{&m, {}};
    return subst(id, s);
  }

  // ------------------------------------------------------- subtyping

  struct Match {
    std::set<uint32_t> abstract;  // rids of the component type being instantiated
    RidMap bound;
  };

  Result<void> rid_match(uint32_t actual, uint32_t expected, Match* m) {
    if (m && m->abstract.count(actual)) {
      auto it = m->bound.find(actual);
      if (it != m->bound.end()) actual = it->second;
    }
    if (m && m->abstract.count(expected)) {
      auto it = m->bound.find(expected);
      if (it == m->bound.end()) {
        m->bound[expected] = actual;
        return {};
      }
      expected = it->second;
    }
    if (actual != expected) return err("resource types are not the same");
    return {};
  }

  std::string kind_name(const VT& v) {
    if (v.prim) return std::string("primitive `") + to_string(v.p) + "`";
    return to_string(types[v.id].kind);
  }

  Result<void> vt_sub(const VT& a, const VT& b, Match* m, int depth = 0) {  // a <: b
    if (depth > 200) return err("type nesting too deep");
    auto prim_mismatch = [&](PrimValType x, PrimValType y) -> Result<void> {
      if (x != y) return err(std::string("expected primitive `") + to_string(y) + "` found primitive `" + to_string(x) + "`");
      return {};
    };
    if (a.prim && b.prim) return prim_mismatch(a.p, b.p);
    if (b.prim) {
      if (types[a.id].kind == TypeKind::Prim) return prim_mismatch(types[a.id].prim, b.p);
      return err(std::string("expected ") + to_string(b.p) + ", found " + to_string(types[a.id].kind));
    }
    if (a.prim) {
      if (types[b.id].kind == TypeKind::Prim) return prim_mismatch(a.p, types[b.id].prim);
      return err(std::string("expected ") + to_string(types[b.id].kind) + ", found " + to_string(a.p));
    }
    if (a.id == b.id && !m) return {};
    const SType& A = types[a.id];
    const SType& B = types[b.id];
    if (A.kind == TypeKind::Prim && B.kind == TypeKind::Prim) return prim_mismatch(A.prim, B.prim);
    if (B.kind == TypeKind::Prim) return err(std::string("expected primitive, found ") + to_string(A.kind));
    if (A.kind == TypeKind::Prim) return err(std::string("expected ") + to_string(B.kind) + ", found " + to_string(A.prim));
    if (A.kind != B.kind) {
      if ((A.kind == TypeKind::Own && B.kind == TypeKind::Borrow) || (A.kind == TypeKind::Borrow && B.kind == TypeKind::Own))
        return err(std::string("expected ") + to_string(B.kind) + ", found " + to_string(A.kind));
      return err(std::string("expected ") + to_string(B.kind) + ", found " + to_string(A.kind));
    }
    auto opt = [&](const std::optional<VT>& x, const std::optional<VT>& y, const char* what) -> Result<void> {
      if (x && y) {
        auto r = vt_sub(*x, *y, m, depth + 1);
        if (!r) return err(std::string("type mismatch in ") + what + ": " + r.error().message);
      }
      return {};
    };
    switch (A.kind) {
      case TypeKind::Record:
        if (A.names.size() != B.names.size())
          return err("expected " + std::to_string(B.names.size()) + " fields, found " + std::to_string(A.names.size()));
        for (size_t i = 0; i < A.names.size(); ++i) {
          if (A.names[i] != B.names[i]) return err("expected field name `" + B.names[i] + "`, found `" + A.names[i] + "`");
          auto r = vt_sub(*A.vts[i], *B.vts[i], m, depth + 1);
          if (!r) return err("type mismatch in record field `" + A.names[i] + "`: " + r.error().message);
        }
        return {};
      case TypeKind::Variant:
        if (A.names.size() != B.names.size())
          return err("expected " + std::to_string(B.names.size()) + " cases, found " + std::to_string(A.names.size()));
        for (size_t i = 0; i < A.names.size(); ++i) {
          if (A.names[i] != B.names[i]) return err("expected case named `" + B.names[i] + "`, found `" + A.names[i] + "`");
          if (B.vts[i] && !A.vts[i]) return err("expected case `" + B.names[i] + "` to have a type, found none");
          if (!B.vts[i] && A.vts[i]) return err("expected case `" + B.names[i] + "` to have no type");
          if (A.vts[i]) {
            auto r = vt_sub(*A.vts[i], *B.vts[i], m, depth + 1);
            if (!r) return err("type mismatch in variant case `" + A.names[i] + "`: " + r.error().message);
          }
        }
        return {};
      case TypeKind::Tuple:
        if (A.vts.size() != B.vts.size())
          return err("expected " + std::to_string(B.vts.size()) + " types, found " + std::to_string(A.vts.size()));
        for (size_t i = 0; i < A.vts.size(); ++i) {
          auto r = vt_sub(*A.vts[i], *B.vts[i], m, depth + 1);
          if (!r) return err("type mismatch in tuple field " + std::to_string(i) + ": " + r.error().message);
        }
        return {};
      case TypeKind::Flags:
        if (A.names != B.names) return err("mismatch in flags elements");
        return {};
      case TypeKind::Enum:
        if (A.names != B.names) return err("mismatch in enum elements");
        return {};
      case TypeKind::Result:
        if (B.a && !A.a) return err("expected ok type, but found none");
        if (!B.a && A.a) return err("expected ok type to not be present");
        if (B.b && !A.b) return err("expected err type, but found none");
        if (!B.b && A.b) return err("expected err type to not be present");
        COMPONO_CHECK(opt(A.a, B.a, "ok variant"));
        COMPONO_CHECK(opt(A.b, B.b, "err variant"));
        return {};
      case TypeKind::List: case TypeKind::Option:
        return opt(A.a, B.a, A.kind == TypeKind::List ? "list element" : "option");
      case TypeKind::FixedList:
        if (A.length != B.length) return err("mismatch in fixed-length list length");
        return opt(A.a, B.a, "list element");
      case TypeKind::Map:
        COMPONO_CHECK(opt(A.a, B.a, "map key"));
        return opt(A.b, B.b, "map value");
      case TypeKind::Stream: case TypeKind::Future:
        if (bool(A.a) != bool(B.a)) return err(std::string("mismatch in ") + to_string(A.kind) + " payload");
        return opt(A.a, B.a, "payload");
      case TypeKind::Own: case TypeKind::Borrow:
        return rid_match(A.rid, B.rid, m);
      default:
        return {};
    }
  }

  Result<void> func_sub(uint32_t a, uint32_t b, Match* m) {
    const SType& A = types[a];
    const SType& B = types[b];
    if (A.async != B.async) return err(A.async ? "expected sync function, found async function" : "expected async function, found sync function");
    if (A.names.size() != B.names.size())
      return err("expected " + std::to_string(B.names.size()) + " parameters, found " + std::to_string(A.names.size()));
    for (size_t i = 0; i < A.names.size(); ++i) {
      if (A.names[i] != B.names[i]) return err("expected parameter named `" + B.names[i] + "`, found `" + A.names[i] + "`");
      auto r = vt_sub(*A.vts[i], *B.vts[i], m);
      if (!r) return err("type mismatch in function parameter `" + A.names[i] + "`: " + r.error().message);
    }
    // (wording as wasmparser's)
    if (B.a && !A.a) return err("expected no result, found one");
    if (!B.a && A.a) return err("expected a result, found none");
    if (A.a) {
      auto r = vt_sub(*A.a, *B.a, m);
      if (!r) return err("type mismatch with result type: " + r.error().message);
    }
    return {};
  }

  Result<void> type_sub(uint32_t a, uint32_t b, Match* m) {  // type-sort entity referents
    const SType& A = types[a];
    const SType& B = types[b];
    bool ra = A.kind == TypeKind::Resource, rb = B.kind == TypeKind::Resource;
    if (ra != rb) return err(rb ? "expected resource, found defined type" : "expected defined type, found resource");
    if (ra) return rid_match(A.rid, B.rid, m);
    if (A.kind == TypeKind::Func && B.kind == TypeKind::Func) return func_sub(a, b, m);
    if (A.kind == TypeKind::Instance && B.kind == TypeKind::Instance) return instance_sub(a, b, m);
    if (A.kind == TypeKind::Component && B.kind == TypeKind::Component) return component_sub(a, b, m);
    if (is_defined_value(A.kind) && is_defined_value(B.kind)) return vt_sub(VT{false, PrimValType::Bool, a}, VT{false, PrimValType::Bool, b}, m);
    return err(std::string("expected ") + to_string(B.kind) + ", found " + to_string(A.kind));
  }

  Result<void> instance_sub(uint32_t a, uint32_t b, Match* m) {
    for (auto& [name, be] : types[b].exports) {
      const Ent* ae = nullptr;
      for (auto& [n2, e2] : types[a].exports)
        if (n2 == name) ae = &e2;
      if (!ae) return err("missing expected export `" + name + "`");
      auto r = ent_sub(*ae, be, m);
      if (!r) return err("type mismatch in instance export `" + name + "`: " + r.error().message);
    }
    return {};
  }

  Result<void> component_sub(uint32_t a, uint32_t b, Match* outer) {
    // `a`'s abstract resources are bound to what `b` supplies for them.
    Match local;
    if (outer) local = *outer;
    local.abstract.insert(types[a].abstract_rids.begin(), types[a].abstract_rids.end());
    Match* m = &local;
    auto r = component_sub_in(a, b, m);
    if (outer)
      for (auto& [k, v] : local.bound)
        if (outer->abstract.count(k)) outer->bound[k] = v;
    return r;
  }

  Result<void> component_sub_in(uint32_t a, uint32_t b, Match* m) {
    // Imports are contravariant: every import of `a` must be provided by `b`.
    for (auto& [name, ai] : types[a].imports) {
      const Ent* bi = nullptr;
      for (auto& [n2, e2] : types[b].imports)
        if (n2 == name) bi = &e2;
      if (!bi) return err("missing expected import `" + name + "`");
      auto r = ent_sub(*bi, ai, m);
      if (!r) return err("type mismatch in import `" + name + "`: " + r.error().message);
    }
    for (auto& [name, be] : types[b].exports) {
      const Ent* ae = nullptr;
      for (auto& [n2, e2] : types[a].exports)
        if (n2 == name) ae = &e2;
      if (!ae) return err("missing expected export `" + name + "`");
      auto r = ent_sub(*ae, be, m);
      if (!r) return err("type mismatch in export `" + name + "`: " + r.error().message);
    }
    return {};
  }

  Result<void> ent_sub(const Ent& a, const Ent& b, Match* m) {
    if (a.kind != b.kind) return err(std::string("expected ") + to_string(b.kind) + ", found " + to_string(a.kind));
    switch (a.kind) {
      case ExternKind::Module: return core_module_subtype(a.id, b.id);
      case ExternKind::Func: return func_sub(a.id, b.id, m);
      case ExternKind::Value: return vt_sub(a.vt, b.vt, m);
      case ExternKind::Type: return type_sub(a.id, b.id, m);
      case ExternKind::Instance: return instance_sub(a.id, b.id, m);
      case ExternKind::Component: return component_sub(a.id, b.id, m);
    }
    return {};
  }

  // ------------------------------------------------------ visibility

  bool named_ok(const VT& v, const std::set<uint32_t>& N, int depth = 0) {
    if (v.prim || depth > 200) return true;
    const SType& t = types[v.id];
    switch (t.kind) {
      case TypeKind::Record: case TypeKind::Variant: case TypeKind::Enum: case TypeKind::Flags:
        return N.count(v.id) > 0;
      case TypeKind::Own: case TypeKind::Borrow:
        return N.count(t.res_type) > 0;
      default:
        return contents_ok(v.id, N, depth + 1);
    }
  }

  bool contents_ok(uint32_t id, const std::set<uint32_t>& N, int depth = 0) {
    if (depth > 200) return true;
    const SType& t = types[id];
    switch (t.kind) {
      case TypeKind::Own: case TypeKind::Borrow:
        return N.count(t.res_type) > 0;
      case TypeKind::Instance: case TypeKind::Component: {
        std::set<uint32_t> N2 = N;
        for (auto* list : {&t.imports, &t.exports})
          for (auto& [n, e] : *list) {
            if (!ent_ok(e, N2, depth + 1)) return false;
            if (e.kind == ExternKind::Type) N2.insert(e.id);
          }
        return true;
      }
      default:
        for (auto& v : t.vts) if (v && !named_ok(*v, N, depth + 1)) return false;
        if (t.a && !named_ok(*t.a, N, depth + 1)) return false;
        if (t.b && !named_ok(*t.b, N, depth + 1)) return false;
        return true;
    }
  }

  bool ent_ok(const Ent& e, const std::set<uint32_t>& N, int depth = 0) {
    switch (e.kind) {
      case ExternKind::Module: return true;
      case ExternKind::Value: return named_ok(e.vt, N, depth);
      default: return contents_ok(e.id, N, depth);
    }
  }

  // ------------------------------------------------------- entities

  Result<Ent> desc_ent(const ExternDesc& d, Scope& s, bool is_import) {
    Ent e;
    e.kind = d.kind;
    auto type_at = [&](uint32_t i) -> Result<uint32_t> {
      if (i >= s.types.size()) return err("type index out of bounds");
      return s.types[i];
    };
    switch (d.kind) {
      case ExternKind::Module: {
        if (d.index >= s.core_types.size()) return err("core type index out of bounds");
        if (!s.core_types[d.index].module) return err("core type index " + std::to_string(d.index) + " is not a module type");
        e.id = s.core_types[d.index].id;
        return e;
      }
      case ExternKind::Func: {
        COMPONO_TRY(uint32_t id, type_at(d.index));
        if (types[id].kind != TypeKind::Func) return err("type index " + std::to_string(d.index) + " is not a function type");
        e.id = id;
        return e;
      }
      case ExternKind::Value:
        COMPONO_SET(e.vt, valtype(d.value, s));
        return e;
      case ExternKind::Type: {
        if (d.sub_resource) {
          SType r;
          r.kind = TypeKind::Resource;
          r.rid = next_rid++;
          if (is_import) s.abstract_rids.push_back(r.rid);
          COMPONO_SET(e.id, add_type(std::move(r)));
          return e;
        }
        COMPONO_TRY(uint32_t id, type_at(d.index));
        // A fresh type id: importing/exporting a type names it.
        SType copy = types[id];
        COMPONO_SET(e.id, add_type(std::move(copy)));
        return e;
      }
      case ExternKind::Instance: {
        COMPONO_TRY(uint32_t id, type_at(d.index));
        if (types[id].kind != TypeKind::Instance) return err("type index " + std::to_string(d.index) + " is not an instance type");
        COMPONO_SET(e.id, refresh_instance(id, is_import ? &s.abstract_rids : nullptr));
        return e;
      }
      case ExternKind::Component: {
        COMPONO_TRY(uint32_t id, type_at(d.index));
        if (types[id].kind != TypeKind::Component) return err("type index " + std::to_string(d.index) + " is not a component type");
        e.id = id;
        return e;
      }
    }
    return e;
  }

  void name_instance_types(uint32_t id, Scope& s, uint8_t ext, int depth) {
    if (depth > 100) return;
    for (auto& [n, x] : types[id].exports) {
      if (x.kind == ExternKind::Type) {
        s.named.insert(x.id);
        if (ext == 1) s.import_named.insert(x.id);
      } else if (x.kind == ExternKind::Instance) {
        name_instance_types(x.id, s, ext, depth + 1);
      }
    }
  }

  // ext: 0 local, 1 imported, 2 exported.
  void push_ent(const Ent& e, Scope& s, uint8_t ext) {
    switch (e.kind) {
      case ExternKind::Module: s.core_modules.push_back(e.id); break;
      case ExternKind::Func: s.funcs.push_back(e.id); break;
      case ExternKind::Value: s.values.push_back(e.vt); break;
      case ExternKind::Type:
        s.types.push_back(e.id);
        if (ext) s.named.insert(e.id);
        if (ext == 1) s.import_named.insert(e.id);
        break;
      case ExternKind::Instance:
        s.instances.push_back(e.id);
        s.instance_external.push_back(ext);
        // Types exported by an imported/exported instance are named here.
        if (ext) name_instance_types(e.id, s, ext, 0);
        break;
      case ExternKind::Component: s.components.push_back(e.id); break;
    }
  }

  Result<void> check_name(const ExternName& n, Scope& s, bool import, ExternKind kind, const Ent* ent,
                          const std::set<uint32_t>* named = nullptr) {
    const char* what = import ? "import" : "export";
    auto parsed = detail::parse_extern_name(n.name);
    if (!parsed)
      return err(std::string(what) + " name `" + n.name + "` is not a valid extern name: " + parsed.error().message);
    // Attributes.
    bool has_impl = false, has_ext = false;
    for (auto& a : n.attrs) {
      if (a.kind == 0) {
        if (has_impl) return err("duplicate 'implements' option in name");
        has_impl = true;
        if (kind != ExternKind::Instance) return err("only instances can have an `implements`");
        if (parsed->kind != detail::ParsedName::Label)
          return err("name `" + n.name + "` is not valid with `implements`");
        auto p2 = detail::parse_extern_name(a.value);
        if (!p2) return err("`" + a.value + "` is not a valid name: " + p2.error().message);
        if (p2->kind != detail::ParsedName::Interface) return err("`" + a.value + "` must be an interface name");
      } else if (a.kind == 2) {
        if (has_ext) return err("duplicate 'external-id' option in name");
        has_ext = true;
      }
    }
    // Annotated function names.
    if (ent) COMPONO_CHECK(check_annotated(*parsed, n.name, import ? s.imports : s.exports, named ? *named : s.named, kind, *ent));
    auto& keys = import ? s.import_keys : s.export_keys;
    auto it = keys.find(parsed->key);
    if (it != keys.end()) return err(std::string(what) + " name `" + n.name + "` conflicts with previous name `" + it->second + "`");
    // Annotated names also conflict with the resource/label they derive from.
    keys.emplace(parsed->key, n.name);
    return {};
  }

  // [constructor]R / [method]R.m / [static]R.m checks: R must be the name
  // of a (named) resource type in the same namespace (`names`).
  Result<void> check_annotated(const detail::ParsedName& p, const std::string& name,
                               const std::vector<std::pair<std::string, Ent>>& names,
                               const std::set<uint32_t>& named, ExternKind kind, const Ent& ent) {
    using PN = detail::ParsedName;
    if (p.kind != PN::Constructor && p.kind != PN::Method && p.kind != PN::Static) return {};
    if (kind != ExternKind::Func) return err("item named `" + name + "` is not a func");
    const SType& f = types[ent.id];
    auto resource_name = [&](uint32_t handle_type) -> Result<void> {
      const SType& h = types[handle_type];
      std::optional<std::string> found;
      if (named.count(h.res_type))
        for (auto& [n, e] : names)
          if (e.kind == ExternKind::Type && types[e.id].kind == TypeKind::Resource && types[e.id].rid == h.rid) found = n;
      if (!found) return err("resource used in function does not have a name in this context");
      if (*found != p.resource) return err("function does not match expected resource name `" + *found + "`");
      return {};
    };
    if (p.kind == PN::Constructor) {
      if (!f.a) return err("function should return one value");
      std::optional<uint32_t> own;
      auto is_own = [&](const VT& v) { return !v.prim && types[v.id].kind == TypeKind::Own; };
      if (is_own(*f.a)) own = f.a->id;
      else if (!f.a->prim && types[f.a->id].kind == TypeKind::Result && types[f.a->id].a && is_own(*types[f.a->id].a))
        own = types[f.a->id].a->id;
      if (!own) return err("function should return `(own $T)` or `(result (own $T))`");
      return resource_name(*own);
    }
    if (p.kind == PN::Method) {
      if (f.names.empty()) return err("function should have at least one argument");
      if (f.names[0] != "self") return err("function should have a first argument called `self`");
      const VT& v = *f.vts[0];
      if (v.prim || types[v.id].kind != TypeKind::Borrow) return err("function should take a first argument of `(borrow $T)`");
      return resource_name(v.id);
    }
    for (auto& [n, e] : names)
      if (n == p.resource && e.kind == ExternKind::Type && types[e.id].kind == TypeKind::Resource) return {};
    return err("static resource name is not known in this context");
  }

  // ------------------------------------------------------- type scopes

  Result<uint32_t> type_scope(const TypeDef& d, Scope& parent) {
    (void)parent;
    Scope s;
    s.kind = d.kind == TypeKind::Component ? ScopeKind::ComponentType : ScopeKind::InstanceType;
    s.rid_begin = next_rid;
    stack.push_back(&s);
    auto r = type_decls(d.decls, s);
    stack.pop_back();
    COMPONO_CHECK(r);
    SType t;
    t.kind = d.kind;
    t.imports = std::move(s.imports);
    t.exports = std::move(s.exports);
    t.abstract_rids = std::move(s.abstract_rids);
    t.rid_begin = s.rid_begin;
    t.rid_end = next_rid;
    return add_type(std::move(t));
  }

  Result<void> type_decls(const std::vector<Decl>& decls, Scope& s) {
    for (auto& d : decls) {
      switch (d.kind) {
        case Decl::CoreType: {
          COMPONO_TRY(CoreTypeRef r, core_typedef(d.core_type, s.core_types));
          s.core_types.push_back(r);
          break;
        }
        case Decl::Type: {
          COMPONO_TRY(uint32_t id, deftype(d.type, s));
          s.types.push_back(id);
          break;
        }
        case Decl::Alias: {
          const Alias& a = d.alias;
          if (a.target == Alias::Outer) {
            if (!(a.sort.kind == SortKind::Type || (a.sort.kind == SortKind::Core && a.sort.core == CoreSort::Type)))
              return err("alias in a component or instance type may only refer to types or instances");
          } else if (a.target == Alias::Export) {
            if (!(a.sort.kind == SortKind::Type || a.sort.kind == SortKind::Instance))
              return err("alias export in a component or instance type may only refer to types or instances");
          } else {
            return err("core export aliases are not allowed in component or instance types");
          }
          COMPONO_CHECK(alias(a, s));
          break;
        }
        case Decl::Import: case Decl::Export: {
          bool imp = d.kind == Decl::Import;
          COMPONO_TRY(Ent e, desc_ent(d.desc, s, imp));
          COMPONO_CHECK(check_name(d.name, s, imp, d.desc.kind, &e));
          if (s.kind == ScopeKind::ComponentType) {
            // Component types check visibility eagerly; an import may not
            // use what the type exports.
            const std::set<uint32_t>& N = imp ? s.import_named : s.named;
            if (!ent_ok(e, N)) return err(std::string(to_string(d.desc.kind)) + " not valid to be used as " + (imp ? "import" : "export"));
          }
          (imp ? s.imports : s.exports).push_back({d.name.name, e});
          push_ent(e, s, imp ? 1 : 2);
          break;
        }
      }
    }
    return {};
  }

  // ------------------------------------------------------------ aliases

  Result<void> alias(const Alias& a, Scope& s) {
    if (a.target == Alias::Outer) {
      if (a.outer_count >= stack.size()) return err("invalid outer alias count of " + std::to_string(a.outer_count));
      Scope& o = *stack[stack.size() - 1 - a.outer_count];
      bool crosses_component = false;
      for (size_t k = 0; k < a.outer_count; ++k)
        if (stack[stack.size() - 1 - k]->kind == ScopeKind::Component) crosses_component = true;
      if (a.sort.kind == SortKind::Type) {
        if (a.outer_index >= o.types.size()) return err("type index out of bounds");
        uint32_t id = o.types[a.outer_index];
        if (crosses_component) {
          std::unordered_map<uint32_t, bool> memo;
          if (refers_to_resources(id, memo)) return err("outer type alias of type index " + std::to_string(a.outer_index) + " transitively refers to resources not defined in the current component");
        }
        s.types.push_back(id);
        return {};
      }
      if (a.sort.kind == SortKind::Core && a.sort.core == CoreSort::Type) {
        if (a.outer_index >= o.core_types.size()) return err("core type index out of bounds");
        s.core_types.push_back(o.core_types[a.outer_index]);
        return {};
      }
      if (a.sort.kind == SortKind::Core && a.sort.core == CoreSort::Module) {
        if (a.outer_index >= o.core_modules.size()) return err("module index out of bounds");
        s.core_modules.push_back(o.core_modules[a.outer_index]);
        return {};
      }
      if (a.sort.kind == SortKind::Component) {
        if (a.outer_index >= o.components.size()) return err("component index out of bounds");
        s.components.push_back(o.components[a.outer_index]);
        return {};
      }
      return err("outer aliases may only refer to modules, types or components");
    }
    if (a.target == Alias::CoreExport) {
      if (a.instance >= s.core_instances.size()) return err("core instance index out of bounds");
      const CoreInstType& it = cinsts[s.core_instances[a.instance]];
      const CoreEnt* found = nullptr;
      for (auto& [n, e] : it)
        if (n == a.name) found = &e;
      if (!found) return err("core instance " + std::to_string(a.instance) + " has no export named `" + a.name + "`");
      CoreExternKind want;
      switch (a.sort.core) {
        case CoreSort::Func: want = CoreExternKind::Func; break;
        case CoreSort::Table: want = CoreExternKind::Table; break;
        case CoreSort::Memory: want = CoreExternKind::Memory; break;
        case CoreSort::Global: want = CoreExternKind::Global; break;
        case CoreSort::Tag: want = CoreExternKind::Tag; break;
        default: return err("core export alias of a core " + std::string(to_string(a.sort.core)) + " is not supported");
      }
      if (found->kind != want)
        return err("export `" + a.name + "` for core instance " + std::to_string(a.instance) + " is not a " + to_string(want));
      push_core(*found, s);
      return {};
    }
    // instance export
    if (a.instance >= s.instances.size()) return err("instance index out of bounds");
    uint32_t iid = s.instances[a.instance];
    uint8_t external = s.instance_external[a.instance];
    const Ent* found = nullptr;
    for (auto& [n, e] : types[iid].exports)
      if (n == a.name) found = &e;
    if (!found) return err("instance " + std::to_string(a.instance) + " has no export named `" + a.name + "`");
    ExternKind want;
    switch (a.sort.kind) {
      case SortKind::Core:
        if (a.sort.core != CoreSort::Module) return err("instance exports cannot be core " + std::string(to_string(a.sort.core)) + "s");
        want = ExternKind::Module;
        break;
      case SortKind::Func: want = ExternKind::Func; break;
      case SortKind::Value: want = ExternKind::Value; break;
      case SortKind::Type: want = ExternKind::Type; break;
      case SortKind::Component: want = ExternKind::Component; break;
      default: want = ExternKind::Instance; break;
    }
    if (found->kind != want)
      return err("export `" + a.name + "` for instance " + std::to_string(a.instance) + " is not a " + to_string(want));
    push_ent(*found, s, external);
    return {};
  }

  bool refers_to_resources(uint32_t id, std::unordered_map<uint32_t, bool>& memo, int depth = 0) {
    if (depth > 200) return true;
    auto it = memo.find(id);
    if (it != memo.end()) return it->second;
    memo[id] = false;
    const SType& t = types[id];
    bool r = false;
    auto in_range = [&](uint32_t rid) { return t.rid_end > t.rid_begin && rid >= t.rid_begin && rid < t.rid_end; };
    auto vt = [&](const std::optional<VT>& v) { return v && !v->prim && refers_to_resources(v->id, memo, depth + 1); };
    switch (t.kind) {
      case TypeKind::Resource: case TypeKind::Own: case TypeKind::Borrow: r = true; break;
      case TypeKind::Component: case TypeKind::Instance:
        for (auto* list : {&t.imports, &t.exports})
          for (auto& [n, e] : *list) {
            if (e.kind == ExternKind::Module) continue;
            if (e.kind == ExternKind::Value) { r = r || vt(e.vt); continue; }
            const SType& et = types[e.id];
            if (et.kind == TypeKind::Resource && in_range(et.rid)) continue;
            if ((et.kind == TypeKind::Own || et.kind == TypeKind::Borrow) && in_range(et.rid)) continue;
            r = r || refers_to_resources_outside(e.id, t.rid_begin, t.rid_end, depth + 1);
          }
        break;
      default:
        for (auto& v : t.vts) r = r || vt(v);
        r = r || vt(t.a) || vt(t.b);
    }
    memo[id] = r;
    return r;
  }
  bool refers_to_resources_outside(uint32_t id, uint32_t lo, uint32_t hi, int depth) {
    if (depth > 200) return true;
    const SType& t = types[id];
    auto out = [&](uint32_t rid) { return !(rid >= lo && rid < hi); };
    auto vt = [&](const std::optional<VT>& v) { return v && !v->prim && refers_to_resources_outside(v->id, lo, hi, depth + 1); };
    switch (t.kind) {
      case TypeKind::Resource: case TypeKind::Own: case TypeKind::Borrow: return out(t.rid);
      case TypeKind::Component: case TypeKind::Instance:
        for (auto* list : {&t.imports, &t.exports})
          for (auto& [n, e] : *list) {
            if (e.kind == ExternKind::Module) continue;
            if (e.kind == ExternKind::Value) { if (vt(e.vt)) return true; continue; }
            if (refers_to_resources_outside(e.id, lo, hi, depth + 1)) return true;
          }
        return false;
      default:
        for (auto& v : t.vts) if (vt(v)) return true;
        return vt(t.a) || vt(t.b);
    }
  }

  void push_core(const CoreEnt& e, Scope& s) {
    switch (e.kind) {
      case CoreExternKind::Func: s.core_funcs.push_back(e.ft); break;
      case CoreExternKind::Table: s.core_tables.push_back(e.d); break;
      case CoreExternKind::Memory: s.core_memories.push_back(e.d); break;
      case CoreExternKind::Global: s.core_globals.push_back(e.d); break;
      case CoreExternKind::Tag: s.core_tags.push_back(e.ft); break;
    }
  }

  // ------------------------------------------------------------- canon

  // Flattening per the Canonical ABI (chars: i=i32 I=i64 f=f32 F=f64).
  static char join(char a, char b) {
    if (a == b) return a;
    if ((a == 'i' && b == 'f') || (a == 'f' && b == 'i')) return 'i';
    return 'I';
  }
  void flatten(const VT& v, std::string& out, int depth = 0) {
    if (out.size() > 4096 || depth > 200) { out += 'i'; return; }
    if (v.prim) {
      switch (v.p) {
        case PrimValType::S64: case PrimValType::U64: out += 'I'; return;
        case PrimValType::F32: out += 'f'; return;
        case PrimValType::F64: out += 'F'; return;
        case PrimValType::String: out += "ii"; return;
        default: out += 'i'; return;
      }
    }
    const SType& t = types[v.id];
    switch (t.kind) {
      case TypeKind::Prim: flatten(VT{true, t.prim, 0}, out, depth + 1); return;
      case TypeKind::List: case TypeKind::Map: out += "ii"; return;
      case TypeKind::FixedList:
        for (uint32_t k = 0; k < t.length && out.size() <= 4096; ++k) flatten(*t.a, out, depth + 1);
        return;
      case TypeKind::Record: case TypeKind::Tuple:
        for (auto& x : t.vts) flatten(*x, out, depth + 1);
        return;
      case TypeKind::Flags:
        for (size_t k = 0; k < (t.names.size() + 31) / 32; ++k) out += 'i';
        return;
      case TypeKind::Enum: out += 'i'; return;
      case TypeKind::Variant: case TypeKind::Option: case TypeKind::Result: {
        std::vector<std::optional<VT>> cases;
        if (t.kind == TypeKind::Variant) cases = t.vts;
        else if (t.kind == TypeKind::Option) cases = {std::nullopt, t.a};
        else cases = {t.a, t.b};
        std::string joined;
        for (auto& c : cases) {
          if (!c) continue;
          std::string f;
          flatten(*c, f, depth + 1);
          for (size_t k = 0; k < f.size(); ++k) {
            if (k < joined.size()) joined[k] = join(joined[k], f[k]);
            else joined += f[k];
          }
        }
        out += 'i';
        out += joined;
        return;
      }
      default: out += 'i'; return;  // own, borrow, stream, future, error-context
    }
  }

  bool needs_memory(const VT& v, bool* needs_realloc, int depth = 0) {
    if (depth > 200) return false;
    if (v.prim) {
      if (v.p == PrimValType::String) { if (needs_realloc) *needs_realloc = true; return true; }
      return false;
    }
    const SType& t = types[v.id];
    if (t.kind == TypeKind::List || t.kind == TypeKind::Map) { if (needs_realloc) *needs_realloc = true; return true; }
    if (t.kind == TypeKind::Prim) return needs_memory(VT{true, t.prim, 0}, needs_realloc, depth + 1);
    bool r = false;
    for (auto& x : t.vts) if (x) r |= needs_memory(*x, needs_realloc, depth + 1);
    if (t.kind != TypeKind::Own && t.kind != TypeKind::Borrow && t.kind != TypeKind::Stream && t.kind != TypeKind::Future) {
      if (t.a) r |= needs_memory(*t.a, needs_realloc, depth + 1);
      if (t.b) r |= needs_memory(*t.b, needs_realloc, depth + 1);
    }
    return r;
  }

  struct OptState {
    std::optional<CanonOptKind> encoding;
    std::optional<uint32_t> memory, realloc, post_return, callback, core_type;
    bool async = false, gc = false;
  };

  static const char* enc_name(CanonOptKind k) {
    switch (k) {
      case CanonOptKind::Utf8: return "utf8";
      case CanonOptKind::Utf16: return "utf16";
      default: return "latin1-utf16";
    }
  }

  Result<OptState> canon_opts(const std::vector<CanonOpt>& opts, Scope& s, bool lower) {
    OptState st;
    for (auto& o : opts) {
      switch (o.kind) {
        case CanonOptKind::Utf8: case CanonOptKind::Utf16: case CanonOptKind::Latin1Utf16:
          if (st.encoding)
            return err(std::string("canonical encoding option `") + enc_name(*st.encoding) + "` conflicts with option `" + enc_name(o.kind) + "`");
          st.encoding = o.kind;
          break;
        case CanonOptKind::Memory:
          if (st.memory) return err("canonical option `memory` is specified more than once");
          if (o.index >= s.core_memories.size()) return err("memory index out of bounds");
          st.memory = o.index;
          break;
        case CanonOptKind::Realloc: {
          if (st.realloc) return err("canonical option `realloc` is specified more than once");
          if (o.index >= s.core_funcs.size()) return err("function index out of bounds");
          const CoreFuncType& f = cfts[s.core_funcs[o.index]];
          if (core_flat(f.params) != "iiii" || core_flat(f.results) != "i")
            return err("canonical option `realloc` uses a core function with an incorrect signature");
          st.realloc = o.index;
          break;
        }
        case CanonOptKind::PostReturn:
          if (st.post_return) return err("canonical option `post-return` is specified more than once");
          if (lower) return err("canonical option `post-return` cannot be specified for lowerings");
          if (o.index >= s.core_funcs.size()) return err("function index out of bounds");
          st.post_return = o.index;
          break;
        case CanonOptKind::Async:
          if (st.async) return err("canonical option `async` is specified more than once");
          st.async = true;
          break;
        case CanonOptKind::Callback:
          if (st.callback) return err("canonical option `callback` is specified more than once");
          if (o.index >= s.core_funcs.size()) return err("function index out of bounds");
          st.callback = o.index;
          break;
        case CanonOptKind::CoreType:
          if (st.core_type) return err("canonical option `core-type` is specified more than once");
          if (o.index >= s.core_types.size()) return err("core type index out of bounds");
          st.core_type = o.index;
          break;
        case CanonOptKind::Gc:
          st.gc = true;
          break;
      }
    }
    if (st.callback && !st.async) return err("canonical option `callback` requires `async`");
    return st;
  }

  Result<void> canon(const Canon& c, Scope& s) {
    auto push_core_func = [&](std::string params, std::string results) {
      CoreFuncType f;
      auto conv = [](char ch) {
        CoreValType t;
        t.code = ch == 'i' ? 0x7f : ch == 'I' ? 0x7e : ch == 'f' ? 0x7d : 0x7c;
        return t;
      };
      for (char ch : params) f.params.push_back(conv(ch));
      for (char ch : results) f.results.push_back(conv(ch));
      s.core_funcs.push_back(add_cft(std::move(f)));
    };
    auto resource_at = [&](uint32_t i, bool local) -> Result<uint32_t> {
      if (i >= s.types.size()) return err("type index out of bounds");
      const SType& t = types[s.types[i]];
      if (t.kind != TypeKind::Resource) return err("type index " + std::to_string(i) + " is not a resource type");
      if (local && !s.local_rids.count(t.rid)) return err("type index " + std::to_string(i) + " is not a local resource");
      return t.rid;
    };
    auto typed = [&](uint32_t i, TypeKind k, const char* what) -> Result<uint32_t> {
      if (i >= s.types.size()) return err("type index out of bounds");
      if (types[s.types[i]].kind != k) return err("type index " + std::to_string(i) + " is not a " + what + " type");
      return s.types[i];
    };
    switch (c.kind) {
      case CanonKind::Lift: case CanonKind::Lower: {
        bool lift = c.kind == CanonKind::Lift;
        uint32_t ft;
        const CoreFuncType* core = nullptr;
        if (lift) {
          if (c.func >= s.core_funcs.size()) return err("core function index out of bounds");
          core = &cfts[s.core_funcs[c.func]];
          if (c.type >= s.types.size()) return err("type index out of bounds");
          ft = s.types[c.type];
          if (types[ft].kind != TypeKind::Func) return err("type index " + std::to_string(c.type) + " is not a function type (not a function type)");
        } else {
          if (c.func >= s.funcs.size()) return err("function index out of bounds");
          ft = s.funcs[c.func];
        }
        COMPONO_TRY(OptState st, canon_opts(c.opts, s, !lift));
        const SType& F = types[ft];
        std::string params, results;
        bool mem = false, param_realloc = false, result_realloc = false;
        for (auto& p : F.vts) { flatten(*p, params); mem |= needs_memory(*p, &param_realloc); }
        if (F.a) { flatten(*F.a, results); mem |= needs_memory(*F.a, &result_realloc); }
        bool params_spill = params.size() > 16, results_spill = results.size() > 1;
        bool async = st.async;
        std::string core_params, core_results;
        if (lift) {
          core_params = params_spill ? "i" : params;
          if (async) core_results = st.callback ? "i" : "";
          else core_results = results_spill ? "i" : results;
          mem |= params_spill || (results_spill && !async);
          bool need_realloc = param_realloc || params_spill;
          if (mem && !st.memory) return err("canonical option `memory` is required");
          if (st.realloc && !st.memory) return err("canonical option `realloc` requires `memory` to also be specified");
          if (need_realloc && !st.realloc) return err("canonical option `realloc` is required");
        } else {
          if (async) {
            core_params = params.size() > 4 ? "i" : params;
            if (F.a) core_params += 'i';
            core_results = "i";
            mem |= params.size() > 4 || bool(F.a);
          } else {
            core_params = params_spill ? "i" : params;
            if (results_spill) core_params += 'i';
            else core_results = results;
            mem |= params_spill || results_spill;
          }
          if (st.realloc && !st.memory) return err("canonical option `realloc` requires `memory` to also be specified");
          if (mem && !st.memory) return err("canonical option `memory` is required");
          if (result_realloc && !st.realloc && !async) return err("canonical option `realloc` is required");
        }
        if (lift) {
          std::string actual_p = core_flat(core->params), actual_r = core_flat(core->results);
          if (actual_p != core_params)
            return err("lowered parameter types `" + flat_list(core_params) + "` do not match parameter types `" + flat_list(actual_p) + "`");
          if (actual_r != core_results)
            return err("lowered result types `" + flat_list(core_results) + "` do not match result types `" + flat_list(actual_r) + "`");
          if (st.post_return) {
            const CoreFuncType& pr = cfts[s.core_funcs[*st.post_return]];
            if (core_flat(pr.params) != actual_r || !pr.results.empty())
              return err("canonical option `post-return` uses a core function with an incorrect signature");
          }
          s.funcs.push_back(ft);
        } else {
          push_core_func(core_params, core_results);
        }
        return {};
      }
      case CanonKind::ResourceNew: { COMPONO_TRY(uint32_t r, resource_at(c.type, true)); (void)r; push_core_func("i", "i"); return {}; }
      case CanonKind::ResourceRep: { COMPONO_TRY(uint32_t r, resource_at(c.type, true)); (void)r; push_core_func("i", "i"); return {}; }
      case CanonKind::ResourceDrop: { COMPONO_TRY(uint32_t r, resource_at(c.type, false)); (void)r; push_core_func("i", ""); return {}; }
      case CanonKind::StreamNew: case CanonKind::StreamRead: case CanonKind::StreamWrite:
      case CanonKind::StreamCancelRead: case CanonKind::StreamCancelWrite:
      case CanonKind::StreamDropReadable: case CanonKind::StreamDropWritable: {
        COMPONO_TRY(uint32_t id, typed(c.type, TypeKind::Stream, "stream"));
        (void)id;
        COMPONO_TRY(OptState st, canon_opts(c.opts, s, true));
        (void)st;
        if (c.kind == CanonKind::StreamNew) push_core_func("", "I");
        else if (c.kind == CanonKind::StreamRead || c.kind == CanonKind::StreamWrite) push_core_func("iii", "i");
        else if (c.kind == CanonKind::StreamCancelRead || c.kind == CanonKind::StreamCancelWrite) push_core_func("i", "i");
        else push_core_func("i", "");
        return {};
      }
      case CanonKind::FutureNew: case CanonKind::FutureRead: case CanonKind::FutureWrite:
      case CanonKind::FutureCancelRead: case CanonKind::FutureCancelWrite:
      case CanonKind::FutureDropReadable: case CanonKind::FutureDropWritable: {
        COMPONO_TRY(uint32_t id, typed(c.type, TypeKind::Future, "future"));
        (void)id;
        COMPONO_TRY(OptState st, canon_opts(c.opts, s, true));
        (void)st;
        if (c.kind == CanonKind::FutureNew) push_core_func("", "I");
        else if (c.kind == CanonKind::FutureRead || c.kind == CanonKind::FutureWrite) push_core_func("ii", "i");
        else if (c.kind == CanonKind::FutureCancelRead || c.kind == CanonKind::FutureCancelWrite) push_core_func("i", "i");
        else push_core_func("i", "");
        return {};
      }
      case CanonKind::TaskReturn: {
        COMPONO_TRY(OptState st, canon_opts(c.opts, s, true));
        (void)st;
        std::string params;
        if (c.result) {
          COMPONO_TRY(VT v, valtype(*c.result, s));
          flatten(v, params);
          if (params.size() > 16) params = "i";
        }
        push_core_func(params, "");
        return {};
      }
      case CanonKind::ContextGet: push_core_func("", "i"); return {};
      case CanonKind::ContextSet: push_core_func("i", ""); return {};
      case CanonKind::ErrorContextNew: case CanonKind::ErrorContextDebugMessage: {
        COMPONO_TRY(OptState st, canon_opts(c.opts, s, true));
        (void)st;
        push_core_func("ii", c.kind == CanonKind::ErrorContextNew ? "i" : "");
        return {};
      }
      case CanonKind::WaitableSetWait: case CanonKind::WaitableSetPoll:
        if (c.memory >= s.core_memories.size()) return err("memory index out of bounds");
        push_core_func("ii", "i");
        return {};
      case CanonKind::ThreadNewIndirect: case CanonKind::ThreadSpawnIndirect:
        if (c.type >= s.core_types.size()) return err("core type index out of bounds");
        if (c.table >= s.core_tables.size()) return err("table index out of bounds");
        push_core_func("ii", "i");
        return {};
      case CanonKind::ThreadSpawnRef:
        if (c.type >= s.core_types.size()) return err("core type index out of bounds");
        push_core_func("ii", "i");
        return {};
      case CanonKind::TaskCancel: case CanonKind::BackpressureInc: case CanonKind::BackpressureDec:
        push_core_func("", "");
        return {};
      case CanonKind::BackpressureSet: case CanonKind::SubtaskDrop: case CanonKind::ErrorContextDrop:
      case CanonKind::WaitableSetDrop: case CanonKind::ThreadResumeLater:
        push_core_func("i", "");
        return {};
      case CanonKind::WaitableJoin: push_core_func("ii", ""); return {};
      case CanonKind::SubtaskCancel: case CanonKind::ThreadSuspendThenResume: case CanonKind::ThreadYieldThenResume:
      case CanonKind::ThreadSuspendThenPromote: case CanonKind::ThreadYieldThenPromote:
        push_core_func("i", "i");
        return {};
      case CanonKind::ThreadYield: case CanonKind::WaitableSetNew: case CanonKind::ThreadIndex:
      case CanonKind::ThreadSuspend: case CanonKind::ThreadAvailableParallelism:
        push_core_func("", "i");
        return {};
    }
    return err("unknown canonical function");
  }

  // ---------------------------------------------------------- component

  Ent sortidx_ent(const SortIdx& si, Scope& s, std::string& error) {
    Ent e;
    auto oob = [&](const char* what) { error = std::string(what) + " index out of bounds"; };
    switch (si.sort.kind) {
      case SortKind::Core:
        if (si.sort.core != CoreSort::Module) { error = "core sort other than module used in component-level sortidx"; return e; }
        if (si.index >= s.core_modules.size()) { oob("module"); return e; }
        e.kind = ExternKind::Module;
        e.id = s.core_modules[si.index];
        return e;
      case SortKind::Func:
        if (si.index >= s.funcs.size()) { oob("function"); return e; }
        e.kind = ExternKind::Func;
        e.id = s.funcs[si.index];
        return e;
      case SortKind::Value:
        if (si.index >= s.values.size()) { oob("value"); return e; }
        e.kind = ExternKind::Value;
        e.vt = s.values[si.index];
        return e;
      case SortKind::Type:
        if (si.index >= s.types.size()) { oob("type"); return e; }
        e.kind = ExternKind::Type;
        e.id = s.types[si.index];
        return e;
      case SortKind::Component:
        if (si.index >= s.components.size()) { oob("component"); return e; }
        e.kind = ExternKind::Component;
        e.id = s.components[si.index];
        return e;
      case SortKind::Instance:
        if (si.index >= s.instances.size()) { oob("instance"); return e; }
        e.kind = ExternKind::Instance;
        e.id = s.instances[si.index];
        return e;
    }
    return e;
  }

  Result<CoreEnt> core_sortidx(const CoreSortIdx& si, Scope& s) {
    CoreEnt e;
    auto oob = [&](const char* what) { return err(std::string("unknown ") + what + " " + std::to_string(si.index) + ": " + what + " index out of bounds"); };
    switch (si.sort) {
      case CoreSort::Func:
        if (si.index >= s.core_funcs.size()) return oob("function");
        e.kind = CoreExternKind::Func; e.ft = s.core_funcs[si.index]; return e;
      case CoreSort::Table:
        if (si.index >= s.core_tables.size()) return oob("table");
        e.kind = CoreExternKind::Table; e.d = s.core_tables[si.index]; return e;
      case CoreSort::Memory:
        if (si.index >= s.core_memories.size()) return oob("memory");
        e.kind = CoreExternKind::Memory; e.d = s.core_memories[si.index]; return e;
      case CoreSort::Global:
        if (si.index >= s.core_globals.size()) return oob("global");
        e.kind = CoreExternKind::Global; e.d = s.core_globals[si.index]; return e;
      case CoreSort::Tag:
        if (si.index >= s.core_tags.size()) return oob("tag");
        e.kind = CoreExternKind::Tag; e.ft = s.core_tags[si.index]; return e;
      default:
        return err(std::string("core ") + to_string(si.sort) + " cannot be exported from a core instance");
    }
  }

  Result<void> core_instance(const CoreInstance& ci, Scope& s) {
    CoreInstType out;
    if (ci.instantiate) {
      if (ci.module >= s.core_modules.size()) return err("unknown module " + std::to_string(ci.module) + ": module index out of bounds");
      const CoreModType& mt = cmods[s.core_modules[ci.module]];
      std::map<std::string, uint32_t> args;
      for (auto& a : ci.args) {
        if (a.instance >= s.core_instances.size()) return err("unknown core instance " + std::to_string(a.instance) + ": instance index out of bounds");
        if (!args.emplace(a.name, s.core_instances[a.instance]).second)
          return err("duplicate module instantiation argument named `" + a.name + "`");
      }
      for (auto& im : mt.imports) {
        auto it = args.find(im.module);
        if (it == args.end()) return err("missing module instantiation argument named `" + im.module + "`");
        const CoreEnt* found = nullptr;
        for (auto& [n, e] : cinsts[it->second])
          if (n == im.name) found = &e;
        if (!found)
          return err("module instantiation argument `" + im.module + "` does not export an item named `" + im.name + "`");
        auto r = core_subtype(*found, im.ent);
        if (!r) return err("type mismatch for export `" + im.name + "` of module instantiation argument `" + im.module + "`: " + r.error().message);
      }
      out = mt.exports;
    } else {
      std::set<std::string> names;
      for (auto& e : ci.exports) {
        COMPONO_TRY(CoreEnt ent, core_sortidx(e.item, s));
        if (!names.insert(e.name).second) return err("export name `" + e.name + "` already defined");
        out.push_back({e.name, ent});
      }
    }
    cinsts.push_back(std::move(out));
    s.core_instances.push_back(uint32_t(cinsts.size() - 1));
    return {};
  }

  Result<void> instance(const Instance& in, Scope& s) {
    if (in.instantiate) {
      if (in.component >= s.components.size()) return err("unknown component " + std::to_string(in.component) + ": component index out of bounds");
      uint32_t ct = s.components[in.component];
      std::map<std::string, Ent> args;
      for (auto& a : in.args) {
        std::string e;
        Ent ent = sortidx_ent(a.item, s, e);
        if (!e.empty()) return err(e);
        if (args.count(a.name)) return err("instantiation argument `" + a.name + "` conflicts with previous argument `" + a.name + "`");
        args.emplace(a.name, ent);
      }
      const SType& C = types[ct];
      Match m;
      m.abstract.insert(C.abstract_rids.begin(), C.abstract_rids.end());
      for (auto& [name, ie] : C.imports) {
        auto it = args.find(name);
        if (it == args.end()) return err("missing import named `" + name + "`");
        auto r = ent_sub(it->second, ie, &m);
        if (!r) return err("type mismatch for component instantiation argument `" + name + "`: " + r.error().message);
      }
      // Exports: imported resources take the arguments', defined ones are
      // fresh for this instance.
      RidMap map = m.bound;
      std::vector<uint32_t> defs;
      defined_rids(ct, C.rid_begin, C.rid_end, defs);
      for (uint32_t r : defs)
        if (!m.abstract.count(r)) map[r] = next_rid++;
      // Type imports become the argument's type id, resources included: the
      // instance's types then name exactly what the instantiator passed (a
      // fresh id per substituted resource would lose its external name).
      std::unordered_map<uint32_t, uint32_t> tmap;
      for (auto& [name, ie] : C.imports)
        if (ie.kind == ExternKind::Type) tmap[ie.id] = args[name].id;
      SType inst;
      inst.kind = TypeKind::Instance;
      Subst sub{&map, {}, &tmap};
      for (auto& [name, e] : C.exports) {
        COMPONO_TRY(Ent ne, subst_ent(e, sub));
        inst.exports.push_back({name, ne});
      }
      COMPONO_TRY(uint32_t id, add_type(std::move(inst)));
      s.instances.push_back(id);
      s.instance_external.push_back(0);
      return {};
    }
    SType inst;
    inst.kind = TypeKind::Instance;
    Scope names_scope;
    for (auto& e : in.exports) {
      std::string er;
      Ent ent = sortidx_ent(e.item, s, er);
      if (!er.empty()) return err(er);
      COMPONO_CHECK(check_name(e.name, names_scope, false, ent.kind, &ent, &s.named));
      inst.exports.push_back({e.name.name, ent});
      names_scope.exports.push_back({e.name.name, ent});
    }
    COMPONO_TRY(uint32_t id, add_type(std::move(inst)));
    s.instances.push_back(id);
    s.instance_external.push_back(0);
    return {};
  }

  // Items of hand-built components must reference existing definitions.
  Result<void> check_item_refs(const Component& c) {
    for (auto& it : definition_order(c)) {
      size_t n = 0;
      switch (it.kind) {
        case Item::Custom: n = c.customs.size(); break;
        case Item::CoreModule: n = c.core_modules.size(); break;
        case Item::CoreInstance: n = c.core_instances.size(); break;
        case Item::CoreType: n = c.core_types.size(); break;
        case Item::Component: n = c.components.size(); break;
        case Item::Instance: n = c.instances.size(); break;
        case Item::Alias: n = c.aliases.size(); break;
        case Item::Type: n = c.types.size(); break;
        case Item::Canon: n = c.canons.size(); break;
        case Item::Start: n = c.starts.size(); break;
        case Item::Import: n = c.imports.size(); break;
        case Item::Export: n = c.exports.size(); break;
      }
      if (it.index >= n) return fail("component item refers to a missing definition", it.offset);
      if (it.kind == Item::CoreModule) {
        const ByteRange& br = c.core_modules[it.index];
        if (!c.bytes || br.begin > br.end || br.end > c.bytes->size()) return fail("core module range outside the component's bytes", it.offset);
      }
    }
    return {};
  }

  Result<uint32_t> component(const Component& c, ScopeKind kind = ScopeKind::Component) {
    Scope s;
    s.kind = kind;
    s.rid_begin = next_rid;
    stack.push_back(&s);
    auto r = component_items(c, s);
    stack.pop_back();
    COMPONO_CHECK(r);
    SType t;
    t.kind = TypeKind::Component;
    t.imports = std::move(s.imports);
    t.exports = std::move(s.exports);
    t.abstract_rids = std::move(s.abstract_rids);
    t.rid_begin = s.rid_begin;
    t.rid_end = next_rid;
    return add_type(std::move(t));
  }

  Result<void> component_items(const Component& c, Scope& s) {
    COMPONO_CHECK(check_item_refs(c));
    for (auto& item : definition_order(c)) {
      cur_offset = item.offset;
      switch (item.kind) {
        case Item::Custom: break;
        case Item::CoreModule: {
          ByteRange br = c.core_modules[item.index];
          COMPONO_TRY(uint32_t id, core_module(c.core_module(item.index), br.begin));
          cur_offset = item.offset;
          s.core_modules.push_back(id);
          break;
        }
        case Item::CoreInstance: COMPONO_CHECK(core_instance(c.core_instances[item.index], s)); break;
        case Item::CoreType: {
          COMPONO_TRY(CoreTypeRef r, core_typedef(c.core_types[item.index], s.core_types));
          s.core_types.push_back(r);
          break;
        }
        case Item::Component: {
          COMPONO_TRY(uint32_t id, component(c.components[item.index]));
          cur_offset = item.offset;
          s.components.push_back(id);
          break;
        }
        case Item::Instance: COMPONO_CHECK(instance(c.instances[item.index], s)); break;
        case Item::Alias: COMPONO_CHECK(alias(c.aliases[item.index], s)); break;
        case Item::Type: {
          COMPONO_TRY(uint32_t id, deftype(c.types[item.index], s));
          s.types.push_back(id);
          break;
        }
        case Item::Canon: COMPONO_CHECK(canon(c.canons[item.index], s)); break;
        case Item::Start: {
          const Start& st = c.starts[item.index];
          if (st.func >= s.funcs.size()) return err("function index out of bounds");
          const SType& f = types[s.funcs[st.func]];
          if (st.args.size() != f.vts.size()) return err("component start function requires " + std::to_string(f.vts.size()) + " arguments but was given " + std::to_string(st.args.size()));
          for (size_t k = 0; k < st.args.size(); ++k) {
            if (st.args[k] >= s.values.size()) return err("value index out of bounds");
            COMPONO_CHECK(vt_sub(s.values[st.args[k]], *f.vts[k], nullptr));
          }
          if (st.results != (f.a ? 1u : 0u)) return err("component start function has a result count mismatch");
          if (f.a) s.values.push_back(*f.a);
          break;
        }
        case Item::Import: {
          const Import& im = c.imports[item.index];
          COMPONO_TRY(Ent e, desc_ent(im.desc, s, true));
          COMPONO_CHECK(check_name(im.name, s, true, im.desc.kind, &e));
          if (!ent_ok(e, s.import_named))
            return err(std::string(to_string(im.desc.kind)) + " not valid to be used as import");
          s.imports.push_back({im.name.name, e});
          push_ent(e, s, 1);
          break;
        }
        case Item::Export: {
          const Export& ex = c.exports[item.index];
          std::string er;
          Ent e = sortidx_ent(ex.item, s, er);
          if (!er.empty()) return err(er);
          if (ex.type) {
            COMPONO_TRY(Ent asc, desc_ent(*ex.type, s, false));
            auto r = ent_sub(e, asc, nullptr);
            if (!r) return err("ascribed type of export is not compatible with item's type: " + r.error().message);
            if (e.kind == ExternKind::Type && !ex.type->sub_resource) {
              // keep the referent, ascription only checks
            } else {
              e = asc;
            }
          }
          COMPONO_CHECK(check_name(ex.name, s, false, e.kind, &e));
          if (e.kind == ExternKind::Type) {
            SType copy = types[e.id];
            COMPONO_SET(e.id, add_type(std::move(copy)));
          }
          if (!ent_ok(e, s.named)) return err(std::string(to_string(e.kind)) + " not valid to be used as export");
          s.exports.push_back({ex.name.name, e});
          push_ent(e, s, 2);
          break;
        }
      }
    }
    return {};
  }

 private:
  ValidateOptions opts_;
};

}  // namespace

Result<ComponentInfo> validate(const Component& c, const ValidateOptions& opts) {
  Validator v(opts);
  COMPONO_TRY(uint32_t id, v.component(c));
  ComponentInfo info;
  for (auto& [n, e] : v.types[id].imports) info.imports.push_back({n, e.kind, v.print_ent(e, 0)});
  for (auto& [n, e] : v.types[id].exports) info.exports.push_back({n, e.kind, v.print_ent(e, 0)});
  return info;
}

Result<ComponentInfo> decode_and_validate(std::span<const uint8_t> bytes, const ValidateOptions& opts) {
  COMPONO_TRY(Component c, decode(bytes));
  return validate(c, opts);
}

}  // namespace compono::component
