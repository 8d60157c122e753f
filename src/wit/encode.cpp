// Component-type encoding: a world -> the binary component that describes its
// type, as carried by the `component-type:<world>` custom section of a core
// module (the format wit-component reads when it makes a component).
//
//   (component
//     (@custom "wit-component-encoding" "\04\00")       ; version 4, utf8
//     (type (component
//       (type (component <the world: imports and exports>))
//       (export "ns:pkg/world" (component (type 0)))))
//     (export "world" (type 0)))
//
// Inside the world type every imported/exported interface is an instance type;
// types an interface `use`s from another one are aliased out of that earlier
// instance (`alias export`) and into the instance type (`alias outer 1`).
#include <map>
#include <unordered_map>

#include "wit/wit.h"

namespace compono::wit {
namespace {

using Bytes = std::vector<std::uint8_t>;

void u32(Bytes& o, std::uint32_t v) {
  do {
    std::uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    o.push_back(b);
  } while (v);
}

// valtype type indices are non-negative s33
void s33(Bytes& o, std::uint32_t v) {
  std::int64_t x = v;
  while (true) {
    std::uint8_t b = x & 0x7f;
    x >>= 7;
    bool done = (x == 0 && !(b & 0x40));
    if (!done) b |= 0x80;
    o.push_back(b);
    if (done) break;
  }
}

void str(Bytes& o, std::string_view s) {
  u32(o, static_cast<std::uint32_t>(s.size()));
  o.insert(o.end(), s.begin(), s.end());
}

std::uint8_t prim_code(Prim p) {
  switch (p) {
    case Prim::Bool: return 0x7f;
    case Prim::S8: return 0x7e;
    case Prim::U8: return 0x7d;
    case Prim::S16: return 0x7c;
    case Prim::U16: return 0x7b;
    case Prim::S32: return 0x7a;
    case Prim::U32: return 0x79;
    case Prim::S64: return 0x78;
    case Prim::U64: return 0x77;
    case Prim::F32: return 0x76;
    case Prim::F64: return 0x75;
    case Prim::Char: return 0x74;
    case Prim::String: return 0x73;
    case Prim::ErrorContext: return 0x64;
    case Prim::Def: break;
  }
  return 0x7f;
}

// A component type or instance type being built.
struct Scope {
  Bytes body;
  std::uint32_t decls = 0;
  std::uint32_t types = 0;
  std::uint32_t instances = 0;
  std::unordered_map<TypeId, std::uint32_t> map;  // WIT type -> index here
  std::map<Bytes, std::uint32_t> funcs;            // function type -> index here
  Scope* outer = nullptr;
};

class Encoder {
 public:
  explicit Encoder(const Resolve& r) : r_(r) {}

  std::string error;

  Result<Bytes> world_type(WorldId wid) {
    const World& w = r_.worlds[wid];
    Scope c;
    for (int dir = 0; dir < 2; ++dir) {
      bool imp = dir == 0;
      for (const WorldItem& it : imp ? w.imports : w.exports) {
        switch (it.kind) {
          case WorldItemKind::Interface: {
            std::uint32_t ty = instance_type(c, it.interface);
            if (!error.empty()) return fail(error);
            decl_extern(c, imp, r_.item_key(it), 0x05, ty);
            iface_instance_[it.interface] = c.instances++;
            break;
          }
          case WorldItemKind::Function: {
            std::uint32_t ft = func_type(c, it.function);
            if (!error.empty()) return fail(error);
            decl_extern(c, imp, it.name, 0x01, ft);
            break;
          }
          case WorldItemKind::Type: {
            named_type(c, it.name, it.type, imp);
            if (!error.empty()) return fail(error);
            break;
          }
        }
      }
    }
    Bytes out;
    out.push_back(0x41);
    u32(out, c.decls);
    out.insert(out.end(), c.body.begin(), c.body.end());
    return out;
  }

 private:
  const Resolve& r_;
  std::unordered_map<InterfaceId, std::uint32_t> iface_instance_;

  void set_error(std::string e) {
    if (error.empty()) error = std::move(e);
  }

  // import (componentdecl 0x03) or export (0x04) of `name` with externdesc kind/idx
  static void decl_extern(Scope& s, bool imp, std::string_view name, std::uint8_t kind, std::uint32_t idx) {
    s.body.push_back(imp ? 0x03 : 0x04);
    s.body.push_back(0x00);
    str(s.body, name);
    s.body.push_back(kind);
    u32(s.body, idx);
    ++s.decls;
  }

  // import/export of a type: (type (eq idx)) or (type (sub resource)); returns the new index
  static std::uint32_t decl_type(Scope& s, bool imp, std::string_view name, bool resource, std::uint32_t eq) {
    s.body.push_back(imp ? 0x03 : 0x04);
    s.body.push_back(0x00);
    str(s.body, name);
    s.body.push_back(0x03);
    if (resource) {
      s.body.push_back(0x01);
    } else {
      s.body.push_back(0x00);
      u32(s.body, eq);
    }
    ++s.decls;
    return s.types++;
  }

  static std::uint32_t def(Scope& s, const Bytes& deftype) {
    s.body.push_back(0x01);
    s.body.insert(s.body.end(), deftype.begin(), deftype.end());
    ++s.decls;
    return s.types++;
  }

  static std::uint32_t alias_outer(Scope& s, std::uint32_t idx) {
    s.body.push_back(0x02);
    s.body.push_back(0x03);  // sort: type
    s.body.push_back(0x02);  // outer
    u32(s.body, 1);
    u32(s.body, idx);
    ++s.decls;
    return s.types++;
  }

  // Makes the type `target` (owned by interface `j`) available in the
  // component scope by aliasing it out of j's instance.
  std::uint32_t component_alias(Scope& c, TypeId target) {
    auto f = c.map.find(target);
    if (f != c.map.end()) return f->second;
    InterfaceId j = r_.type_interface(target);
    auto inst = iface_instance_.find(j);
    if (j == kNoId || inst == iface_instance_.end()) {
      set_error("type `" + r_.types[target].name + "` is used before its interface is imported");
      return 0;
    }
    std::string name = r_.types[target].name;
    for (auto& [n, t] : r_.interfaces[j].types)
      if (t == target) name = n;
    c.body.push_back(0x02);
    c.body.push_back(0x03);  // sort: type
    c.body.push_back(0x00);  // export of an instance
    u32(c.body, inst->second);
    str(c.body, name);
    ++c.decls;
    std::uint32_t idx = c.types++;
    c.map[target] = idx;
    return idx;
  }

  void valtype(Scope& s, Type t, Bytes& out) {
    if (!t.is_def()) {
      out.push_back(prim_code(t.kind));
      return;
    }
    s33(out, type_index(s, t.id));
  }

  void opt_valtype(Scope& s, const std::optional<Type>& t, Bytes& out) {
    if (!t) {
      out.push_back(0x00);
      return;
    }
    out.push_back(0x01);
    valtype(s, *t, out);
  }

  // The body of a record / variant / enum / flags definition.
  Bytes structure(Scope& s, const TypeDef& d) {
    Bytes b;
    switch (d.kind) {
      case TypeDefKind::Record:
        b.push_back(0x72);
        u32(b, static_cast<std::uint32_t>(d.fields.size()));
        for (auto& f : d.fields) {
          str(b, f.name);
          valtype(s, f.type, b);
        }
        break;
      case TypeDefKind::Variant:
        b.push_back(0x71);
        u32(b, static_cast<std::uint32_t>(d.cases.size()));
        for (auto& c : d.cases) {
          str(b, c.name);
          opt_valtype(s, c.type, b);
          b.push_back(0x00);
        }
        break;
      case TypeDefKind::Enum:
      case TypeDefKind::Flags:
        b.push_back(d.kind == TypeDefKind::Enum ? 0x6d : 0x6e);
        u32(b, static_cast<std::uint32_t>(d.names.size()));
        for (auto& n : d.names) str(b, n.name);
        break;
      default:
        break;
    }
    return b;
  }

  // Index of WIT type `id` in scope `s`, defining anonymous types as needed.
  // `fresh`: define this anonymous type anew even if it already has an index
  // (a named `type x = list<u8>` is its own type, as in wit-parser).
  std::uint32_t type_index(Scope& s, TypeId id, bool fresh = false) {
    auto f = s.map.find(id);
    if (f != s.map.end() && !fresh) return f->second;
    if (s.outer && !fresh) {
      auto o = s.outer->map.find(id);
      if (o != s.outer->map.end()) {
        std::uint32_t idx = alias_outer(s, o->second);
        s.map[id] = idx;
        return idx;
      }
    }
    const TypeDef& d = r_.types[id];
    Bytes b;
    switch (d.kind) {
      case TypeDefKind::Alias:
        if (!d.type.is_def()) {
          b.push_back(prim_code(d.type.kind));
          break;
        }
        return type_index(s, d.type.id);
      case TypeDefKind::Resource:
        set_error("resource `" + d.name + "` is not available where it is used");
        return 0;
      case TypeDefKind::Handle: {
        std::uint32_t ri = type_index(s, d.type.id);
        b.push_back(d.handle_kind == HandleKind::Own ? 0x69 : 0x68);
        u32(b, ri);
        break;
      }
      case TypeDefKind::List:
        b.push_back(0x70);
        valtype(s, d.type, b);
        break;
      case TypeDefKind::FixedList:
        b.push_back(0x67);
        valtype(s, d.type, b);
        u32(b, d.length);
        break;
      case TypeDefKind::Map:
        b.push_back(0x63);
        valtype(s, d.key, b);
        valtype(s, d.type, b);
        break;
      case TypeDefKind::Option:
        b.push_back(0x6b);
        valtype(s, d.type, b);
        break;
      case TypeDefKind::Result:
        b.push_back(0x6a);
        opt_valtype(s, d.ok, b);
        opt_valtype(s, d.err, b);
        break;
      case TypeDefKind::Tuple:
        b.push_back(0x6f);
        u32(b, static_cast<std::uint32_t>(d.types.size()));
        for (Type t : d.types) valtype(s, t, b);
        break;
      case TypeDefKind::Future:
        b.push_back(0x65);
        opt_valtype(s, d.payload, b);
        break;
      case TypeDefKind::Stream:
        b.push_back(0x66);
        opt_valtype(s, d.payload, b);
        break;
      case TypeDefKind::Record:
      case TypeDefKind::Variant:
      case TypeDefKind::Enum:
      case TypeDefKind::Flags:
        b = structure(s, d);
        break;
    }
    std::uint32_t idx = def(s, b);
    if (d.name.empty() && !fresh) s.map[id] = idx;  // named types get their index from their export
    return idx;
  }

  std::uint32_t func_type(Scope& s, const Function& f) {
    Bytes b;
    b.push_back(f.is_async ? 0x43 : 0x40);
    u32(b, static_cast<std::uint32_t>(f.params.size()));
    for (auto& p : f.params) {
      str(b, p.name);
      valtype(s, p.type, b);
    }
    if (f.result) {
      b.push_back(0x00);
      valtype(s, *f.result, b);
    } else {
      b.push_back(0x01);
      b.push_back(0x00);
    }
    auto known = s.funcs.find(b);
    if (known != s.funcs.end()) return known->second;
    std::uint32_t idx = def(s, b);
    s.funcs.emplace(std::move(b), idx);
    return idx;
  }

  // A named type declared (imported/exported) in scope `s`: a world type in
  // the component scope, or an interface type in an instance scope.
  void named_type(Scope& s, const std::string& name, TypeId tid, bool imp) {
    const TypeDef& d = r_.types[tid];
    std::uint32_t idx;
    if (d.kind == TypeDefKind::Resource) {
      idx = decl_type(s, imp, name, true, 0);
    } else if (d.kind == TypeDefKind::Alias && d.type.is_def() &&
               r_.types[d.type.id].owner.kind == Owner::Kind::Interface &&
               !(r_.types[d.type.id].owner.id == d.owner.id && d.owner.kind == Owner::Kind::Interface)) {
      // `use`d from another interface
      std::uint32_t target;
      if (s.outer) {
        std::uint32_t c = component_alias(*s.outer, d.type.id);
        target = alias_outer(s, c);
      } else {
        target = component_alias(s, d.type.id);
      }
      idx = decl_type(s, imp, name, false, target);
    } else {
      std::uint32_t target;
      if (d.kind == TypeDefKind::Alias) {
        if (d.type.is_def()) {
          target = type_index(s, d.type.id, r_.types[d.type.id].name.empty());
        } else {
          Bytes b{prim_code(d.type.kind)};
          target = def(s, b);
        }
      } else {
        target = def(s, structure(s, d));
      }
      idx = decl_type(s, imp, name, false, target);
    }
    s.map[tid] = idx;
  }

  // The instance type of interface `iid`, defined in component scope `c`.
  std::uint32_t instance_type(Scope& c, InterfaceId iid) {
    const Interface& iface = r_.interfaces[iid];
    // aliases into the component scope must come before the instance type
    for (auto& [n, tid] : iface.types) {
      const TypeDef& d = r_.types[tid];
      if (d.kind == TypeDefKind::Alias && d.type.is_def()) {
        InterfaceId j = r_.type_interface(d.type.id);
        if (j != kNoId && j != iid) component_alias(c, d.type.id);
      }
    }
    Scope s;
    s.outer = &c;
    for (auto& [n, tid] : iface.types) named_type(s, n, tid, false);
    for (auto& f : iface.functions) {
      std::uint32_t ft = func_type(s, f);
      decl_extern(s, false, f.name, 0x01, ft);
    }
    Bytes b;
    b.push_back(0x42);
    u32(b, s.decls);
    b.insert(b.end(), s.body.begin(), s.body.end());
    return def(c, b);
  }
};

void section(Bytes& out, std::uint8_t id, const Bytes& content) {
  out.push_back(id);
  u32(out, static_cast<std::uint32_t>(content.size()));
  out.insert(out.end(), content.begin(), content.end());
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_world_type(const Resolve& resolve, WorldId world) {
  if (world >= resolve.worlds.size()) return fail("no such world");
  Encoder e(resolve);
  COMPONO_TRY(Bytes wt, e.world_type(world));
  const World& w = resolve.worlds[world];
  std::string full = w.name;
  if (w.package != kNoId) {
    const PackageName& p = resolve.packages[w.package].name;
    full = p.ns + ":" + p.name + "/" + w.name;
    if (!p.version.empty()) full += "@" + p.version;
  }
  // outer component type: (type (component <world>)) (export "ns:pkg/w" (component (type 0)))
  Bytes outer;
  outer.push_back(0x41);
  u32(outer, 2);
  outer.push_back(0x01);
  outer.insert(outer.end(), wt.begin(), wt.end());
  outer.push_back(0x04);
  outer.push_back(0x00);
  str(outer, full);
  outer.push_back(0x04);  // component
  u32(outer, 0);

  Bytes out = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  Bytes custom;
  str(custom, "wit-component-encoding");
  custom.push_back(0x04);  // encoding version
  custom.push_back(0x00);  // utf8
  section(out, 0, custom);
  Bytes types;
  u32(types, 1);
  types.insert(types.end(), outer.begin(), outer.end());
  section(out, 7, types);
  Bytes exports;
  u32(exports, 1);
  exports.push_back(0x00);
  str(exports, w.name);
  exports.push_back(0x03);  // sort: type
  u32(exports, 0);
  exports.push_back(0x00);  // no explicit externdesc
  section(out, 11, exports);
  return out;
}

Result<std::vector<std::uint8_t>> embed_world_type(const Resolve& resolve, WorldId world,
                                                   std::vector<std::uint8_t> module) {
  static const std::uint8_t core_header[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  if (module.size() < 8 || !std::equal(core_header, core_header + 8, module.begin()))
    return fail("not a core WebAssembly module (bad magic or version)", 0);
  COMPONO_TRY(Bytes payload, encode_world_type(resolve, world));
  Bytes content;
  str(content, "component-type:" + resolve.worlds[world].name);
  content.insert(content.end(), payload.begin(), payload.end());
  section(module, 0, content);
  return module;
}

}  // namespace compono::wit
