// Component-type decoding: the binary world type (as encode.cpp and
// wit-component write it) -> a Resolve holding that world.
#include <algorithm>
#include <unordered_map>

#include "wit/wit.h"

namespace compono::wit {
namespace {

struct Reader {
  Reader(const std::uint8_t* d, std::size_t n, std::size_t p) : data(d), size(n), pos(p) {}
  const std::uint8_t* data;
  std::size_t size;
  std::size_t pos = 0;
  std::string err;
  std::size_t err_at = 0;

  bool fail(std::string m) {
    if (err.empty()) {
      err = std::move(m);
      err_at = pos;
    }
    return false;
  }
  bool ok() const { return err.empty(); }
  std::uint8_t byte() {
    if (pos >= size) {
      fail("unexpected end of input");
      return 0;
    }
    return data[pos++];
  }
  std::uint32_t u32() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      std::uint8_t b = byte();
      if (!ok()) return 0;
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        if (v > 0xffffffffu) fail("integer too large");
        return static_cast<std::uint32_t>(v);
      }
    }
    fail("integer representation too long");
    return 0;
  }
  std::int64_t s33() {
    std::int64_t v = 0;
    int shift = 0;
    std::uint8_t b = 0;
    do {
      b = byte();
      if (!ok()) return 0;
      v |= static_cast<std::int64_t>(b & 0x7f) << shift;
      shift += 7;
    } while ((b & 0x80) && shift < 35);
    if (b & 0x80) {
      fail("integer representation too long");
      return 0;
    }
    if (shift < 64 && (b & 0x40)) v |= -(static_cast<std::int64_t>(1) << shift);
    return v;
  }
  std::string str() {
    std::uint32_t n = u32();
    if (!ok()) return {};
    if (n > size - pos) {
      fail("string extends past the end");
      return {};
    }
    std::string s(reinterpret_cast<const char*>(data + pos), n);
    pos += n;
    return s;
  }
};

// One entry of a type index space.
struct Entry {
  enum class K : std::uint8_t { Value, Func, Instance, Component, Other } k = K::Other;
  Type value;               // Value
  std::size_t func = 0;     // Func: index into Decoder::funcs_
  std::size_t begin = 0;    // Instance: byte range of the instance type's decls
};

struct FuncSig {
  bool is_async = false;
  std::vector<Param> params;
  std::optional<Type> result;
};

struct Scope {
  std::vector<Entry> types;
  Scope* outer = nullptr;
};

class Decoder {
 public:
  explicit Decoder(Reader& rd) : r(rd) {}
  Reader& r;
  Resolve rs;
  std::vector<FuncSig> funcs_;
  std::vector<InterfaceId> instances_;
  constexpr static int kMaxDepth = 100;

  PackageId package_of(const std::string& ns, const std::string& name, const std::string& version) {
    PackageName pn{ns, name, version};
    PackageId p = rs.find_package(pn);
    if (p != kNoId) return p;
    Package pkg;
    pkg.name = pn;
    rs.packages.push_back(std::move(pkg));
    return static_cast<PackageId>(rs.packages.size() - 1);
  }

  // "ns:pkg/name@version" -> package id and item name; false if not that shape
  bool split_id(const std::string& id, PackageId& pkg, std::string& item) {
    std::size_t colon = id.find(':'), slash = id.rfind('/');
    if (colon == std::string::npos || slash == std::string::npos || slash < colon) return false;
    std::string rest = id.substr(slash + 1), version;
    if (std::size_t at = rest.find('@'); at != std::string::npos) {
      version = rest.substr(at + 1);
      rest = rest.substr(0, at);
    }
    std::string ns = id.substr(0, id.rfind(':', slash));
    std::string name = id.substr(ns.size() + 1, slash - ns.size() - 1);
    pkg = package_of(ns, name, version);
    item = rest;
    return true;
  }

  TypeId add_type(TypeDef d) {
    rs.types.push_back(std::move(d));
    return static_cast<TypeId>(rs.types.size() - 1);
  }

  bool valtype(Scope& s, Type& out) {
    std::int64_t v = r.s33();
    if (!r.ok()) return false;
    if (v < 0) {
      std::uint8_t code = static_cast<std::uint8_t>(v & 0x7f);
      static const std::pair<std::uint8_t, Prim> prims[] = {
          {0x7f, Prim::Bool}, {0x7e, Prim::S8},  {0x7d, Prim::U8},  {0x7c, Prim::S16}, {0x7b, Prim::U16},
          {0x7a, Prim::S32},  {0x79, Prim::U32}, {0x78, Prim::S64}, {0x77, Prim::U64}, {0x76, Prim::F32},
          {0x75, Prim::F64},  {0x74, Prim::Char}, {0x73, Prim::String}, {0x64, Prim::ErrorContext}};
      for (auto& [c, p] : prims)
        if (c == code) {
          out = Type::prim(p);
          return true;
        }
      return r.fail("unknown primitive value type");
    }
    if (static_cast<std::uint64_t>(v) >= s.types.size() || s.types[static_cast<std::size_t>(v)].k != Entry::K::Value)
      return r.fail("value type index out of range");
    out = s.types[static_cast<std::size_t>(v)].value;
    return true;
  }

  bool opt_valtype(Scope& s, std::optional<Type>& out) {
    std::uint8_t f = r.byte();
    if (f == 0) return r.ok();
    if (f != 1) return r.fail("invalid optional value type flag");
    Type t;
    if (!valtype(s, t)) return false;
    out = t;
    return true;
  }

  // Resource type behind a handle's type index.
  bool resource_index(Scope& s, Type& out) {
    std::uint32_t i = r.u32();
    if (!r.ok()) return false;
    if (i >= s.types.size() || s.types[i].k != Entry::K::Value || !s.types[i].value.is_def())
      return r.fail("handle type index is not a resource");
    out = s.types[i].value;
    Type u = rs.unalias(out);
    if (!u.is_def() || rs.types[u.id].kind != TypeDefKind::Resource) return r.fail("handle type index is not a resource");
    return true;
  }

  std::vector<Name> names() {
    std::vector<Name> out;
    std::uint32_t n = r.u32();
    if (n > r.size - r.pos) {
      r.fail("count too large");
      return out;
    }
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) out.push_back(Name{r.str(), {}});
    return out;
  }

  // One `type` declaration in scope `s` (the 0x01 tag already read).
  bool deftype(Scope& s, int depth) {
    std::size_t start = r.pos;
    std::uint8_t b = r.byte();
    if (!r.ok()) return false;
    Entry e;
    TypeDef d;
    auto count = [&]() -> std::uint32_t {
      std::uint32_t n = r.u32();
      if (n > r.size - r.pos) {
        r.fail("count too large");
        return 0;
      }
      return n;
    };
    switch (b) {
      case 0x40:
      case 0x43: {
        FuncSig f;
        f.is_async = b == 0x43;
        std::uint32_t n = count();
        for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
          Param p;
          p.name = r.str();
          if (!valtype(s, p.type)) return false;
          f.params.push_back(std::move(p));
        }
        std::uint8_t rk = r.byte();
        if (rk == 0x00) {
          Type t;
          if (!valtype(s, t)) return false;
          f.result = t;
        } else if (rk == 0x01) {
          if (r.u32() != 0) return r.fail("named results are not supported");
        } else {
          return r.fail("invalid function result list");
        }
        e.k = Entry::K::Func;
        e.func = funcs_.size();
        funcs_.push_back(std::move(f));
        s.types.push_back(e);
        return r.ok();
      }
      case 0x42: {
        if (depth >= kMaxDepth) return r.fail("types nest too deep");
        e.k = Entry::K::Instance;
        e.begin = r.pos;
        // skip over the instance type, checking its structure later
        if (!skip_decls(depth + 1)) return false;
        s.types.push_back(e);
        return true;
      }
      case 0x41:
        return r.fail("component types inside a world are not supported");
      case 0x72: {
        d.kind = TypeDefKind::Record;
        std::uint32_t n = count();
        for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
          Field f;
          f.name = r.str();
          if (!valtype(s, f.type)) return false;
          d.fields.push_back(std::move(f));
        }
        break;
      }
      case 0x71: {
        d.kind = TypeDefKind::Variant;
        std::uint32_t n = count();
        for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
          Case c;
          c.name = r.str();
          if (!opt_valtype(s, c.type)) return false;
          if (r.byte() != 0x00) return r.fail("variant case refinements are not supported");
          d.cases.push_back(std::move(c));
        }
        break;
      }
      case 0x70: d.kind = TypeDefKind::List; if (!valtype(s, d.type)) return false; break;
      case 0x67:
        d.kind = TypeDefKind::FixedList;
        if (!valtype(s, d.type)) return false;
        d.length = r.u32();
        break;
      case 0x63:
        d.kind = TypeDefKind::Map;
        if (!valtype(s, d.key) || !valtype(s, d.type)) return false;
        break;
      case 0x6f: {
        d.kind = TypeDefKind::Tuple;
        std::uint32_t n = count();
        for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
          Type t;
          if (!valtype(s, t)) return false;
          d.types.push_back(t);
        }
        break;
      }
      case 0x6e: d.kind = TypeDefKind::Flags; d.names = names(); break;
      case 0x6d: d.kind = TypeDefKind::Enum; d.names = names(); break;
      case 0x6b: d.kind = TypeDefKind::Option; if (!valtype(s, d.type)) return false; break;
      case 0x6a:
        d.kind = TypeDefKind::Result;
        if (!opt_valtype(s, d.ok) || !opt_valtype(s, d.err)) return false;
        break;
      case 0x69:
      case 0x68:
        d.kind = TypeDefKind::Handle;
        d.handle_kind = b == 0x69 ? HandleKind::Own : HandleKind::Borrow;
        if (!resource_index(s, d.type)) return false;
        break;
      case 0x66:
      case 0x65:
        d.kind = b == 0x65 ? TypeDefKind::Future : TypeDefKind::Stream;
        if (!opt_valtype(s, d.payload)) return false;
        break;
      default:
        r.pos = start;
        if (b >= 0x64 && b <= 0x7f) {  // a primitive as a type definition
          Type t;
          if (!valtype(s, t)) return false;
          e.k = Entry::K::Value;
          e.value = t;
          s.types.push_back(e);
          return true;
        }
        return r.fail("unsupported type definition");
    }
    if (!r.ok()) return false;
    e.k = Entry::K::Value;
    e.value = Type::def(add_type(std::move(d)));
    s.types.push_back(e);
    return true;
  }

  // Skips an instance type body (vec of decls) structurally.
  bool skip_decls(int depth) {
    Scope tmp;
    std::uint32_t n = r.u32();
    bool ok = r.ok();
    for (std::uint32_t i = 0; i < n && ok; ++i) ok = skip_decl(tmp, depth);
    return ok && r.ok();
  }

  bool skip_decl(Scope& s, int depth) {
    std::uint8_t tag = r.byte();
    switch (tag) {
      case 0x01: {
        std::uint8_t b = r.byte();
        --r.pos;
        if (b == 0x42 || b == 0x41) {
          ++r.pos;
          if (depth >= kMaxDepth) return r.fail("types nest too deep");
          Entry e;
          e.k = Entry::K::Other;
          if (!skip_decls(depth + 1)) return false;
          s.types.push_back(e);
          return true;
        }
        // value and function types may refer to earlier entries; record placeholders
        return skip_deftype(s);
      }
      case 0x02: {
        std::uint8_t sort = r.byte();
        std::uint8_t target = r.byte();
        if (target == 0x00) {
          r.u32();
          r.str();
        } else if (target == 0x02) {
          r.u32();
          r.u32();
        } else {
          return r.fail("unsupported alias");
        }
        if (sort == 0x03) s.types.push_back(Entry{});
        return r.ok();
      }
      case 0x03:
      case 0x04: {
        if (r.byte() > 0x01) return r.fail("unsupported extern name form");
        r.str();
        std::uint8_t kind = r.byte();
        if (kind == 0x03) {
          std::uint8_t bound = r.byte();
          if (bound == 0x00) r.u32();
          else if (bound != 0x01) return r.fail("invalid type bound");
          s.types.push_back(Entry{});
        } else if (kind == 0x00) {
          r.byte();
          r.u32();
        } else {
          r.u32();
        }
        return r.ok();
      }
      default:
        return r.fail("unsupported declaration");
    }
  }

  // Skips a value/function type definition without interpreting indices.
  bool skip_deftype(Scope& s) {
    std::uint8_t b = r.byte();
    auto skip_val = [&] { r.s33(); };
    auto skip_opt = [&] {
      std::uint8_t f = r.byte();
      if (f == 1) skip_val();
    };
    std::uint32_t n;
    switch (b) {
      case 0x40:
      case 0x43:
        n = r.u32();
        for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
          r.str();
          skip_val();
        }
        if (r.byte() == 0x00) skip_val();
        else r.u32();
        break;
      case 0x72:
        n = r.u32();
        for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
          r.str();
          skip_val();
        }
        break;
      case 0x71:
        n = r.u32();
        for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
          r.str();
          skip_opt();
          r.byte();
        }
        break;
      case 0x70: case 0x6b: skip_val(); break;
      case 0x67: skip_val(); r.u32(); break;
      case 0x63: skip_val(); skip_val(); break;
      case 0x6f:
        n = r.u32();
        for (std::uint32_t i = 0; i < n && r.ok(); ++i) skip_val();
        break;
      case 0x6e: case 0x6d:
        n = r.u32();
        for (std::uint32_t i = 0; i < n && r.ok(); ++i) r.str();
        break;
      case 0x6a: skip_opt(); skip_opt(); break;
      case 0x69: case 0x68: r.u32(); break;
      case 0x66: case 0x65: skip_opt(); break;
      default:
        if (!(b >= 0x64 && b <= 0x7f)) return r.fail("unsupported type definition");
        break;
    }
    s.types.push_back(Entry{});
    return r.ok();
  }

  // Function named `name` (with [constructor]/[method]/[static] annotations)
  // of signature `sig`; resources are looked up in `types`.
  bool make_function(const std::string& name, const FuncSig& sig,
                     const std::vector<std::pair<std::string, TypeId>>& types, Function& f) {
    f.name = name;
    f.is_async = sig.is_async;
    f.params = sig.params;
    f.result = sig.result;
    std::string rname;
    if (name.rfind("[constructor]", 0) == 0) {
      f.kind = FunctionKind::Constructor;
      rname = name.substr(13);
    } else if (name.rfind("[method]", 0) == 0 || name.rfind("[static]", 0) == 0) {
      f.kind = name[1] == 'm' ? FunctionKind::Method : FunctionKind::Static;
      std::string rest = name.substr(8);
      std::size_t dot = rest.find('.');
      if (dot == std::string::npos) return r.fail("bad resource function name `" + name + "`");
      rname = rest.substr(0, dot);
      f.item_name = rest.substr(dot + 1);
    } else {
      f.kind = FunctionKind::Freestanding;
      f.item_name = name;
      return true;
    }
    for (auto& [n, t] : types)
      if (n == rname) f.resource = t;
    if (f.resource == kNoId) return r.fail("function `" + name + "` names an unknown resource");
    return true;
  }

  // A named type declared with (type (eq idx)) or (type (sub resource)).
  TypeId named_type(Scope& s, const std::string& name, bool resource, std::uint32_t eq, Owner owner) {
    if (resource) {
      TypeDef d;
      d.name = name;
      d.kind = TypeDefKind::Resource;
      d.owner = owner;
      return add_type(std::move(d));
    }
    if (eq >= s.types.size() || s.types[eq].k != Entry::K::Value) {
      r.fail("type bound index out of range");
      return kNoId;
    }
    Type t = s.types[eq].value;
    if (t.is_def()) {
      TypeDef& d = rs.types[t.id];
      bool structural = d.kind == TypeDefKind::Record || d.kind == TypeDefKind::Variant ||
                        d.kind == TypeDefKind::Enum || d.kind == TypeDefKind::Flags;
      if (d.name.empty() && structural) {
        d.name = name;
        d.owner = owner;
        return t.id;
      }
    }
    TypeDef a;
    a.name = name;
    a.kind = TypeDefKind::Alias;
    a.type = t;
    a.owner = owner;
    return add_type(std::move(a));
  }

  // Decodes the instance type at byte `begin` as interface `iid`.
  bool instance(Scope& outer, std::size_t begin, InterfaceId iid, int depth) {
    std::size_t save = r.pos;
    r.pos = begin;
    Scope s;
    s.outer = &outer;
    std::uint32_t n = r.u32();
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
      std::uint8_t tag = r.byte();
      if (tag == 0x01) {
        if (!deftype(s, depth + 1)) return false;
      } else if (tag == 0x02) {
        std::uint8_t sort = r.byte(), target = r.byte();
        if (sort != 0x03 || target != 0x02) return r.fail("unsupported alias in an instance type");
        std::uint32_t ct = r.u32(), idx = r.u32();
        if (ct != 1 || idx >= outer.types.size()) return r.fail("outer alias out of range");
        s.types.push_back(outer.types[idx]);
      } else if (tag == 0x04) {
        if (r.byte() > 0x01) return r.fail("unsupported extern name form");
        std::string name = r.str();
        std::uint8_t kind = r.byte();
        if (kind == 0x03) {
          std::uint8_t bound = r.byte();
          std::uint32_t eq = bound == 0x00 ? r.u32() : 0;
          if (bound > 1) return r.fail("invalid type bound");
          TypeId t = named_type(s, name, bound == 0x01, eq, Owner{Owner::Kind::Interface, iid});
          if (!r.ok()) return false;
          rs.interfaces[iid].types.push_back({name, t});
          s.types.push_back(Entry{Entry::K::Value, Type::def(t), 0, 0});
        } else if (kind == 0x01) {
          std::uint32_t ft = r.u32();
          if (ft >= s.types.size() || s.types[ft].k != Entry::K::Func) return r.fail("function type index out of range");
          Function f;
          if (!make_function(name, funcs_[s.types[ft].func], rs.interfaces[iid].types, f)) return false;
          rs.interfaces[iid].functions.push_back(std::move(f));
        } else {
          return r.fail("unsupported export in an instance type");
        }
      } else {
        return r.fail("unsupported declaration in an instance type");
      }
    }
    r.pos = save;
    return r.ok();
  }

  bool world(WorldId wid) {
    Scope c;
    std::uint32_t n = r.u32();
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
      std::uint8_t tag = r.byte();
      if (tag == 0x01) {
        if (!deftype(c, 1)) return false;
      } else if (tag == 0x02) {
        std::uint8_t sort = r.byte(), target = r.byte();
        if (sort != 0x03 || target != 0x00) return r.fail("unsupported alias in a world type");
        std::uint32_t inst = r.u32();
        std::string name = r.str();
        if (!r.ok()) return false;
        if (inst >= instances_.size()) return r.fail("alias of an unknown instance");
        TypeId found = kNoId;
        for (auto& [tn, tid] : rs.interfaces[instances_[inst]].types)
          if (tn == name) found = tid;
        if (found == kNoId) return r.fail("instance does not export type `" + name + "`");
        c.types.push_back(Entry{Entry::K::Value, Type::def(found), 0, 0});
      } else if (tag == 0x03 || tag == 0x04) {
        bool imp = tag == 0x03;
        if (r.byte() > 0x01) return r.fail("unsupported extern name form");
        std::string name = r.str();
        std::uint8_t kind = r.byte();
        if (!r.ok()) return false;
        World& w = rs.worlds[wid];
        WorldItem item;
        if (kind == 0x05) {
          std::uint32_t ti = r.u32();
          if (ti >= c.types.size() || c.types[ti].k != Entry::K::Instance) return r.fail("instance type index out of range");
          PackageId pkg = kNoId;
          std::string iname;
          item.kind = WorldItemKind::Interface;
          InterfaceId existing = kNoId;
          if (split_id(name, pkg, iname)) {
            existing = rs.find_interface(pkg, iname);
          } else {
            item.name = name;
          }
          InterfaceId iid = existing;
          if (iid == kNoId) {
            Interface iface;
            iface.name = iname;
            iface.package = pkg == kNoId ? w.package : pkg;
            if (pkg == kNoId) iface.world = wid;
            rs.interfaces.push_back(std::move(iface));
            iid = static_cast<InterfaceId>(rs.interfaces.size() - 1);
            if (pkg != kNoId) rs.packages[pkg].interfaces.push_back({iname, iid});
            if (!instance(c, c.types[ti].begin, iid, 1)) return false;
          }
          item.interface = iid;
          instances_.push_back(iid);
        } else if (kind == 0x01) {
          std::uint32_t ft = r.u32();
          if (ft >= c.types.size() || c.types[ft].k != Entry::K::Func) return r.fail("function type index out of range");
          item.kind = WorldItemKind::Function;
          item.name = name;
          std::vector<std::pair<std::string, TypeId>> world_types;
          for (auto& it : w.imports)
            if (it.kind == WorldItemKind::Type) world_types.push_back({it.name, it.type});
          if (!make_function(name, funcs_[c.types[ft].func], world_types, item.function)) return false;
        } else if (kind == 0x03) {
          std::uint8_t bound = r.byte();
          std::uint32_t eq = bound == 0x00 ? r.u32() : 0;
          if (bound > 1) return r.fail("invalid type bound");
          Owner owner{Owner::Kind::World, wid};
          TypeId t;
          if (bound == 0x00 && eq < c.types.size() && c.types[eq].k == Entry::K::Value && c.types[eq].value.is_def() &&
              !rs.types[c.types[eq].value.id].name.empty()) {
            // a `use`d type: an alias of the interface's type
            TypeDef a;
            a.name = name;
            a.kind = TypeDefKind::Alias;
            a.type = c.types[eq].value;
            a.owner = owner;
            t = add_type(std::move(a));
          } else {
            t = named_type(c, name, bound == 0x01, eq, owner);
          }
          if (!r.ok()) return false;
          item.kind = WorldItemKind::Type;
          item.name = name;
          item.type = t;
          c.types.push_back(Entry{Entry::K::Value, Type::def(t), 0, 0});
        } else {
          return r.fail("unsupported import/export kind in a world type");
        }
        (imp ? rs.worlds[wid].imports : rs.worlds[wid].exports).push_back(std::move(item));
      } else {
        return r.fail("unsupported declaration in a world type");
      }
    }
    return r.ok();
  }
};


// Moves package `pkg` to the end of rs.packages (packages are kept in
// dependency order and the decoded one depends on the others), renumbering
// references.  Returns its new id.
PackageId move_package_last(Resolve& rs, PackageId pkg) {
  if (pkg + 1 == rs.packages.size()) return pkg;
  std::vector<PackageId> remap(rs.packages.size());
  PackageId next = 0;
  for (PackageId i = 0; i < rs.packages.size(); ++i)
    if (i != pkg) remap[i] = next++;
  remap[pkg] = next;
  std::vector<Package> pk(rs.packages.size());
  for (PackageId i = 0; i < rs.packages.size(); ++i) pk[remap[i]] = std::move(rs.packages[i]);
  rs.packages = std::move(pk);
  for (auto& i : rs.interfaces)
    if (i.package != kNoId) i.package = remap[i.package];
  for (auto& ww : rs.worlds)
    if (ww.package != kNoId) ww.package = remap[ww.package];
  return remap[pkg];
}

}  // namespace

Result<Loaded> decode_world_type(const std::vector<std::uint8_t>& bytes) {
  static const std::uint8_t header[8] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  if (bytes.size() < 8 || !std::equal(header, header + 8, bytes.begin()))
    return fail("not a component (bad magic or version)", 0);
  Reader r(bytes.data(), bytes.size(), 8);
  Decoder d(r);
  std::size_t world_begin = 0, world_end = 0;
  std::string world_id, world_name;
  // sections: custom (skipped), one type section holding the outer component type, exports
  while (r.pos < r.size && r.ok()) {
    std::uint8_t id = r.byte();
    std::uint32_t len = r.u32();
    if (!r.ok()) break;
    if (len > r.size - r.pos) return fail("section extends past the end", r.pos);
    std::size_t end = r.pos + len;
    if (id == 7) {
      if (r.u32() != 1) return fail("expected one type in the type section", r.pos);
      if (r.byte() != 0x41) return fail("expected a component type", r.pos);
      std::uint32_t decls = r.u32();
      for (std::uint32_t i = 0; i < decls && r.ok(); ++i) {
        std::uint8_t tag = r.byte();
        if (tag == 0x01) {
          if (r.byte() != 0x41) return fail("expected the world's component type", r.pos);
          world_begin = r.pos;
          if (!d.skip_decls(1)) break;
          world_end = r.pos;
        } else if (tag == 0x04) {
          if (r.byte() > 0x01) return fail("unsupported export name", r.pos);
          world_id = r.str();
          r.byte();
          r.u32();
        } else {
          return fail("unexpected declaration in the package type", r.pos);
        }
      }
    } else if (id == 11) {
      std::uint32_t n = r.u32();
      if (n >= 1) {
        if (r.byte() > 0x01) return fail("unsupported export name", r.pos);
        world_name = r.str();
      }
    } else if (id != 0) {
      return fail("unexpected section in a component type", r.pos);
    }
    r.pos = end;
  }
  if (!r.ok()) return fail(r.err, r.err_at);
  if (world_end == 0 || world_id.empty()) return fail("no world type found");
  PackageId pkg = kNoId;
  std::string wname;
  if (!d.split_id(world_id, pkg, wname)) return fail("bad world name `" + world_id + "`");
  World w;
  w.name = wname;
  w.package = pkg;
  d.rs.worlds.push_back(std::move(w));
  WorldId wid = 0;
  r.pos = world_begin;
  if (!d.world(wid)) return fail(r.err, r.err_at);
  // the world's package goes last (packages are in dependency order)
  Loaded out;
  Resolve& rs = d.rs;
  rs.packages[pkg].worlds.push_back({wname, wid});
  pkg = move_package_last(rs, pkg);
  out.resolve = std::move(rs);
  out.main = pkg;
  out.roots.push_back(pkg);
  (void)world_name;
  return out;
}

Result<Loaded> decode_package(const std::vector<std::uint8_t>& bytes) {
  static const std::uint8_t header[8] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  if (bytes.size() < 8 || !std::equal(header, header + 8, bytes.begin()))
    return fail("not a WIT package in component form (bad magic or version)", 0);
  Reader r(bytes.data(), bytes.size(), 8);
  Decoder d(r);
  // Every outer type is a component type describing one interface
  //   (... imports of the interfaces it uses ..., (export "ns:pkg/iface" (instance ..)))
  // or one world
  //   ((type (component <world>)) (export "ns:pkg/world" (component 0))).
  std::vector<std::size_t> types;  // byte offsets of each outer component type's decl vector
  while (r.pos < r.size && r.ok()) {
    std::uint8_t id = r.byte();
    std::uint32_t len = r.u32();
    if (!r.ok()) break;
    if (len > r.size - r.pos) return fail("section extends past the end", r.pos);
    std::size_t end = r.pos + len;
    if (id == 7) {
      std::uint32_t n = r.u32();
      for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
        if (r.byte() != 0x41) return fail("expected a component type in a WIT package", r.pos - 1);
        types.push_back(r.pos);
        if (!d.skip_decls(1)) break;
      }
      if (r.ok() && r.pos != end) return fail("type section size mismatch", r.pos);
    } else if (id != 0 && id != 11) {
      return fail("unexpected section in a WIT package (id " + std::to_string(id) + ")", r.pos);
    }
    r.pos = end;
  }
  if (!r.ok()) return fail(r.err, r.err_at);
  if (types.empty()) return fail("no interface or world types found in the WIT package");
  PackageId main = kNoId;
  for (std::size_t begin : types) {
    r.pos = begin;
    d.instances_.clear();
    std::uint32_t n = r.u32();
    if (!r.ok()) return fail(r.err, r.err_at);
    bool world_form = n == 2 && r.pos + 1 < r.size && r.data[r.pos] == 0x01 && r.data[r.pos + 1] == 0x41;
    if (world_form) {
      r.pos += 2;
      std::size_t world_begin = r.pos;
      if (!d.skip_decls(1)) return fail(r.err, r.err_at);
      if (r.byte() != 0x04 || r.byte() > 0x01) return fail("expected the world's export", r.pos);
      std::string id = r.str();
      if (r.byte() != 0x04) return fail("a world must be exported as a component type", r.pos);
      r.u32();
      if (!r.ok()) return fail(r.err, r.err_at);
      PackageId pkg = kNoId;
      std::string wname;
      if (!d.split_id(id, pkg, wname)) return fail("bad world name `" + id + "`", r.pos);
      World w;
      w.name = wname;
      w.package = pkg;
      d.rs.worlds.push_back(std::move(w));
      WorldId wid = static_cast<WorldId>(d.rs.worlds.size() - 1);
      d.rs.packages[pkg].worlds.push_back({wname, wid});
      std::size_t save = r.pos;
      r.pos = world_begin;
      if (!d.world(wid)) return fail(r.err, r.err_at);
      r.pos = save;
      if (main == kNoId) main = pkg;
    } else {
      // An interface: decode its decls like a world's (imports of the
      // interfaces it uses, then its own export) and keep the interfaces.
      r.pos = begin;
      World tmp;
      d.rs.worlds.push_back(std::move(tmp));
      WorldId wid = static_cast<WorldId>(d.rs.worlds.size() - 1);
      if (!d.world(wid)) return fail(r.err, r.err_at);
      World done = std::move(d.rs.worlds.back());
      d.rs.worlds.pop_back();
      if (done.exports.size() != 1 || done.exports[0].kind != WorldItemKind::Interface)
        return fail("a WIT package type must export exactly one interface or world", begin);
      InterfaceId iid = done.exports[0].interface;
      if (d.rs.interfaces[iid].name.empty() || d.rs.interfaces[iid].package == kNoId)
        return fail("an interface of a WIT package must be named ns:pkg/name", begin);
      if (main == kNoId) main = d.rs.interfaces[iid].package;
    }
  }
  if (main == kNoId) return fail("no package found");
  Loaded out;
  main = move_package_last(d.rs, main);
  out.resolve = std::move(d.rs);
  out.main = main;
  out.roots.push_back(main);
  return out;
}

Result<Loaded> decode_embedded_world(const std::vector<std::uint8_t>& module) {
  static const std::uint8_t header[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  if (module.size() < 8 || !std::equal(header, header + 8, module.begin()))
    return fail("not a core WebAssembly module (bad magic or version)", 0);
  Reader r(module.data(), module.size(), 8);
  while (r.pos < r.size) {
    std::size_t at = r.pos;
    std::uint8_t id = r.byte();
    std::uint32_t len = r.u32();
    if (!r.ok() || len > r.size - r.pos) return fail("malformed section", at);
    std::size_t end = r.pos + len;
    if (id == 0) {
      std::string name = r.str();
      if (r.ok() && r.pos <= end && name.rfind("component-type", 0) == 0) {
        std::vector<std::uint8_t> payload(module.begin() + static_cast<long>(r.pos), module.begin() + static_cast<long>(end));
        return decode_world_type(payload);
      }
    }
    r.pos = end;
  }
  return fail("the module has no component-type custom section");
}

}  // namespace compono::wit
