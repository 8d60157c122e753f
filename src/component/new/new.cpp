// src/component/new/new.cpp - the componentizer behind `compono new`.
//
// Layout of the component it writes (see README.md):
//
//   <the world's kept types, aliases and imports, renumbered; imported
//    interfaces trimmed to what is used; interface imports first>
//   (core module $main)                 ; the input, component-type sections removed
//   (core module $shim)                 ; funcref table + call_indirect trampolines
//   (core instance $shim (instantiate $shim))
//   (type (resource (rep i32) (dtor <trampoline>)))   ; each exported resource
//   (canon resource.drop/new/rep ...)   ; direct core imports
//   (core instance (export ...))...     ; one per imported core module name
//   (core instance $main (instantiate $main (with ...)))
//   (canon lower ... (memory) (realloc) string-encoding=E)
//   (core module $fixup) (core instance (instantiate $fixup))  ; fills the table
//   (core module $init) ...             ; runs _initialize via a start function
//   (canon lift ...) (export "f" (func ..) (func (type ..)))   ; world-level functions
//   per exported interface: (canon lift ...)..., (component <self-contained:
//     types re-created, imports with eq/sub resource bounds, re-exports>),
//     (instance (instantiate ...)), (export "iface" (instance ..))
#include "component/new/new.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "component/component.h"
#include "component/core_scan.h"

namespace compono::component {
namespace {

using Bytes = std::vector<uint8_t>;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool read_leb(std::span<const uint8_t> b, size_t& pos, uint32_t& v) {
  v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (pos >= b.size()) return false;
    uint8_t x = b[pos++];
    v |= uint32_t(x & 0x7f) << shift;
    if (!(x & 0x80)) return true;
  }
  return false;
}

struct Split {
  Bytes module;                             // without component-type sections
  std::vector<std::pair<std::string, Bytes>> types;  // component-type:* payloads
  std::vector<size_t> offsets;              // byte offset of each payload
};

Result<Split> split_module(std::span<const uint8_t> in) {
  static const uint8_t magic[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  if (in.size() < 8 || !std::equal(magic, magic + 8, in.begin())) {
    if (in.size() >= 8 && is_component(in)) return fail("input is already a component, not a core module", 0);
    return fail("input is not a core wasm module (bad magic or version)", 0);
  }
  Split s;
  s.module.assign(in.begin(), in.begin() + 8);
  size_t pos = 8;
  while (pos < in.size()) {
    size_t start = pos;
    uint8_t id = in[pos++];
    uint32_t size;
    if (!read_leb(in, pos, size) || size > in.size() - pos) return fail("malformed section header", start);
    size_t body = pos, end = pos + size;
    pos = end;
    if (id == 0) {
      size_t p = body;
      uint32_t nlen;
      if (!read_leb(in, p, nlen) || nlen > end - p) return fail("malformed custom section name", body);
      std::string name(reinterpret_cast<const char*>(in.data() + p), nlen);
      p += nlen;
      if (starts_with(name, "component-type")) {
        s.types.emplace_back(name, Bytes(in.begin() + p, in.begin() + end));
        s.offsets.push_back(p);
        continue;
      }
    }
    s.module.insert(s.module.end(), in.begin() + start, in.begin() + end);
  }
  return s;
}

// The world type inside a component-type payload:
// (component (type (component (type (component WORLD)) (export "ns:pkg/w" ...))) (export ...))
Result<std::vector<Decl>> world_decls(const Bytes& payload, const std::string& section, size_t offset) {
  auto ct = decode(payload);
  if (!ct) return fail("custom section `" + section + "`: " + ct.error().message, offset);
  for (const TypeDef& outer : ct->types) {
    if (outer.kind != TypeKind::Component) continue;
    for (const Decl& d : outer.decls)
      if (d.kind == Decl::Type && d.type.kind == TypeKind::Component) return d.type.decls;
  }
  return fail("custom section `" + section + "` holds no world type", offset);
}

// ------------------------------------------------------------- core module bytes

void sleb(Bytes& o, int64_t v) {
  while (true) {
    uint8_t b = v & 0x7f;
    v >>= 7;
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    if (!done) b |= 0x80;
    o.push_back(b);
    if (done) return;
  }
}

void core_preamble(Bytes& o) {
  static const uint8_t magic[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  o.insert(o.end(), magic, magic + 8);
}

void core_functype(Bytes& o, const CoreFuncType& t) {
  o.push_back(0x60);
  enc::u32(o, uint32_t(t.params.size()));
  for (auto& p : t.params) o.push_back(p.code);
  enc::u32(o, uint32_t(t.results.size()));
  for (auto& r : t.results) o.push_back(r.code);
}

struct TypeTable {
  std::vector<CoreFuncType> types;
  uint32_t add(const CoreFuncType& t) {
    for (size_t i = 0; i < types.size(); ++i)
      if (types[i] == t) return uint32_t(i);
    types.push_back(t);
    return uint32_t(types.size() - 1);
  }
  void section(Bytes& o) const {
    Bytes p;
    enc::u32(p, uint32_t(types.size()));
    for (auto& t : types) core_functype(p, t);
    enc::section(o, 1, p);
  }
};

// Trampolines: function i calls table[i] with its own signature.
Bytes shim_module(const std::vector<CoreFuncType>& sigs) {
  TypeTable tt;
  std::vector<uint32_t> ti;
  for (auto& s : sigs) ti.push_back(tt.add(s));
  uint32_t n = uint32_t(sigs.size());
  Bytes o;
  core_preamble(o);
  tt.section(o);
  Bytes p;
  enc::u32(p, n);
  for (uint32_t t : ti) enc::u32(p, t);
  enc::section(o, 3, p);
  p.clear();
  p.push_back(1);
  p.push_back(0x70);
  p.push_back(0x01);
  enc::u32(p, n);
  enc::u32(p, n);
  enc::section(o, 4, p);
  p.clear();
  enc::u32(p, n + 1);
  for (uint32_t i = 0; i < n; ++i) {
    enc::name(p, std::to_string(i));
    p.push_back(0x00);
    enc::u32(p, i);
  }
  enc::name(p, "$imports");
  p.push_back(0x01);
  enc::u32(p, 0);
  enc::section(o, 7, p);
  p.clear();
  enc::u32(p, n);
  for (uint32_t i = 0; i < n; ++i) {
    Bytes body;
    body.push_back(0);  // no locals
    for (uint32_t k = 0; k < sigs[i].params.size(); ++k) {
      body.push_back(0x20);
      enc::u32(body, k);
    }
    body.push_back(0x41);
    sleb(body, i);
    body.push_back(0x11);
    enc::u32(body, ti[i]);
    body.push_back(0x00);
    body.push_back(0x0b);
    enc::u32(p, uint32_t(body.size()));
    p.insert(p.end(), body.begin(), body.end());
  }
  enc::section(o, 10, p);
  return o;
}

// Imports the table and the real functions, fills the table.
Bytes fixup_module(const std::vector<CoreFuncType>& sigs) {
  TypeTable tt;
  std::vector<uint32_t> ti;
  for (auto& s : sigs) ti.push_back(tt.add(s));
  uint32_t n = uint32_t(sigs.size());
  Bytes o;
  core_preamble(o);
  tt.section(o);
  Bytes p;
  enc::u32(p, n + 1);
  enc::name(p, "");
  enc::name(p, "$imports");
  p.push_back(0x01);
  p.push_back(0x70);
  p.push_back(0x00);
  enc::u32(p, n);
  for (uint32_t i = 0; i < n; ++i) {
    enc::name(p, "");
    enc::name(p, std::to_string(i));
    p.push_back(0x00);
    enc::u32(p, ti[i]);
  }
  enc::section(o, 2, p);
  p.clear();
  enc::u32(p, 1);
  p.push_back(0x00);
  p.push_back(0x41);
  p.push_back(0x00);
  p.push_back(0x0b);
  enc::u32(p, n);
  for (uint32_t i = 0; i < n; ++i) enc::u32(p, i);
  enc::section(o, 9, p);
  return o;
}

// Calls the imported `_initialize` from its start function.
Bytes init_module() {
  Bytes o;
  core_preamble(o);
  TypeTable tt;
  tt.add(CoreFuncType{});
  tt.section(o);
  Bytes p;
  enc::u32(p, 1);
  enc::name(p, "");
  enc::name(p, "_initialize");
  p.push_back(0x00);
  enc::u32(p, 0);
  enc::section(o, 2, p);
  p.clear();
  enc::u32(p, 0);
  enc::section(o, 8, p);
  return o;
}

std::string sig_string(const CoreFuncType& t) {
  auto name = [](const CoreValType& v) -> std::string {
    switch (v.code) {
      case 0x7f: return "i32";
      case 0x7e: return "i64";
      case 0x7d: return "f32";
      case 0x7c: return "f64";
      default: return "ref";
    }
  };
  std::string s = "(";
  for (size_t i = 0; i < t.params.size(); ++i) s += (i ? " " : "") + name(t.params[i]);
  s += ") -> (";
  for (size_t i = 0; i < t.results.size(); ++i) s += (i ? " " : "") + name(t.results[i]);
  return s + ")";
}

// ------------------------------------------------------------- the builder

// What a type index of the component being written stands for (enough to
// re-create the type inside a nested component, see Nested).
struct TopType {
  enum Kind : uint8_t { Def, Resource, Eq, AliasExport, Other } kind = Other;
  TypeDef def;       // Def: indices are the component's own
  uint32_t eq = 0;   // Eq: the bound
  uint32_t inst = 0; // AliasExport: instance index
  std::string name;  // AliasExport: export name
};

class Builder {
 public:
  Component c;
  uint32_t n_type = 0, n_func = 0, n_inst = 0, n_comp = 0;
  uint32_t n_core_func = 0, n_core_inst = 0, n_core_mod = 0, n_core_table = 0, n_core_mem = 0;
  std::vector<TopType> tt;  // type index -> what it is
  std::map<std::pair<uint32_t, std::string>, uint32_t> type_aliases;  // (instance, name) -> type index

  uint32_t alias(Alias a) {
    if (a.sort.kind == SortKind::Type) {
      TopType t;
      if (a.target == Alias::Export) {
        t.kind = TopType::AliasExport;
        t.inst = a.instance;
        t.name = a.name;
        type_aliases.emplace(std::make_pair(a.instance, a.name), n_type);
      }
      tt.push_back(std::move(t));
    }
    append(c, a);
    return bump(a.sort);
  }
  // The type `name` exported by instance `inst` (aliased once).
  uint32_t type_alias(uint32_t inst, const std::string& name) {
    auto f = type_aliases.find({inst, name});
    if (f != type_aliases.end()) return f->second;
    Alias a;
    a.sort = Sort{SortKind::Type, CoreSort::Func};
    a.target = Alias::Export;
    a.instance = inst;
    a.name = name;
    return alias(a);
  }
  uint32_t bump(Sort s) {
    switch (s.kind) {
      case SortKind::Core:
        switch (s.core) {
          case CoreSort::Func: return n_core_func++;
          case CoreSort::Table: return n_core_table++;
          case CoreSort::Memory: return n_core_mem++;
          case CoreSort::Instance: return n_core_inst++;
          case CoreSort::Module: return n_core_mod++;
          default: return 0;
        }
      case SortKind::Func: return n_func++;
      case SortKind::Type: return n_type++;
      case SortKind::Instance: return n_inst++;
      case SortKind::Component: return n_comp++;
      case SortKind::Value: return 0;
    }
    return 0;
  }
  // Appends an import; returns its index in its index space.
  uint32_t import(const Import& im) {
    append(c, im);
    switch (im.desc.kind) {
      case ExternKind::Type: {
        TopType t;
        if (im.desc.sub_resource) {
          t.kind = TopType::Resource;
        } else {
          t.kind = TopType::Eq;
          t.eq = im.desc.index;
        }
        tt.push_back(std::move(t));
        return n_type++;
      }
      case ExternKind::Instance: return n_inst++;
      case ExternKind::Func: return n_func++;
      case ExternKind::Component: return n_comp++;
      default: return 0;
    }
  }
  uint32_t core_export(uint32_t inst, std::string name, CoreSort sort) {
    Alias a;
    a.sort = Sort{SortKind::Core, sort};
    a.target = Alias::CoreExport;
    a.instance = inst;
    a.name = std::move(name);
    return alias(a);
  }
  uint32_t export_of(uint32_t inst, std::string name, SortKind kind) {
    if (kind == SortKind::Type) return type_alias(inst, name);
    Alias a;
    a.sort = Sort{kind, CoreSort::Func};
    a.target = Alias::Export;
    a.instance = inst;
    a.name = std::move(name);
    return alias(a);
  }
  uint32_t canon(Canon k) {
    bool lift = k.kind == CanonKind::Lift;
    append(c, std::move(k));
    return lift ? n_func++ : n_core_func++;
  }
  uint32_t module(const Bytes& m) {
    append(c, std::span<const uint8_t>(m));
    return n_core_mod++;
  }
  uint32_t core_instance(CoreInstance i) {
    append(c, std::move(i));
    return n_core_inst++;
  }
  uint32_t type(TypeDef t) {
    TopType e;
    e.kind = t.kind == TypeKind::Resource ? TopType::Resource : TopType::Def;
    if (t.kind != TypeKind::Instance && t.kind != TypeKind::Component) e.def = t;
    else e.kind = TopType::Other;
    tt.push_back(std::move(e));
    append(c, std::move(t));
    return n_type++;
  }
};

const Decl* find_export(const TypeDef& inst, std::string_view name, ExternKind kind) {
  for (const Decl& d : inst.decls)
    if (d.kind == Decl::Export && d.name.name == name && d.desc.kind == kind) return &d;
  return nullptr;
}


ExternDesc desc_of(ExternKind k, uint32_t i) {
  ExternDesc d;
  d.kind = k;
  d.index = i;
  return d;
}

// ------------------------------------------------------------- flattening
//
// Resolves type indices of the world (and of the instance types in it) to
// definitions, and computes Canonical ABI core signatures, to check the core
// module's imports/exports against the world with names in the errors and to
// lower memory-free functions directly.

struct TypeScope {
  std::vector<const Decl*> types;  // type index -> declarator
  const TypeScope* parent = nullptr;
};

class Flattener {
 public:
  explicit Flattener(const std::vector<Decl>& world) {
    build(world_, world, nullptr);
    for (const Decl& d : world)
      if ((d.kind == Decl::Import || d.kind == Decl::Export) && d.desc.kind == ExternKind::Instance)
        inst_types_.push_back(d.desc.index);
  }
  const TypeScope& world() const { return world_; }

  // The scope of an instance type defined in the world (nullptr if not one).
  const TypeScope* instance_scope(uint32_t world_type) {
    const TypeScope* ws = &world_;
    const TypeDef* t = def(ws, world_type, 0);
    if (!t || t->kind != TypeKind::Instance) return nullptr;
    auto f = scopes_.find(t);
    if (f != scopes_.end()) return f->second.get();
    auto sc = std::make_unique<TypeScope>();
    build(*sc, t->decls, ws);
    return (scopes_[t] = std::move(sc)).get();
  }

  // The definition behind index `i` of `s` (s is updated to its scope);
  // nullptr for resources and unresolvable indices.
  bool is_resource(uint32_t world_type) {
    const TypeScope* s = &world_;
    bool r = false;
    def(s, world_type, 0, &r);
    return r;
  }

  const TypeDef* def(const TypeScope*& s, uint32_t i, int depth, bool* resource = nullptr) {
    while (depth++ < 100 && s && i < s->types.size()) {
      const Decl* d = s->types[i];
      switch (d->kind) {
        case Decl::Type: return &d->type;
        case Decl::Alias:
          if (d->alias.target == Alias::Outer) {
            for (uint32_t k = 0; k < d->alias.outer_count && s; ++k) s = s->parent;
            i = d->alias.outer_index;
            continue;
          }
          if (d->alias.target == Alias::Export && d->alias.instance < inst_types_.size()) {
            const TypeScope* is = instance_scope(inst_types_[d->alias.instance]);
            if (!is) return nullptr;
            bool found = false;
            for (uint32_t k = 0; k < is->types.size(); ++k) {
              const Decl* e = is->types[k];
              if (e->kind == Decl::Export && e->name.name == d->alias.name) {
                s = is;
                i = k;
                found = true;
                break;
              }
            }
            if (!found) return nullptr;
            continue;
          }
          return nullptr;
        default:  // import/export of a type
          if (d->desc.sub_resource) {
            if (resource) *resource = true;
            return nullptr;
          }
          i = d->desc.index;
          continue;
      }
    }
    return nullptr;
  }

  // Appends the flat core types of `v` (in scope s); `mem` is set when the
  // value involves linear memory (strings, lists).  False if unresolvable.
  bool flatten(const TypeScope* s, const ValType& v, std::vector<uint8_t>& out, bool& mem, int depth = 0) {
    if (depth > 100 || out.size() > 64) return out.size() > 64;
    if (v.is_prim) {
      switch (v.prim) {
        case PrimValType::S64: case PrimValType::U64: out.push_back(0x7e); break;
        case PrimValType::F32: out.push_back(0x7d); break;
        case PrimValType::F64: out.push_back(0x7c); break;
        case PrimValType::String: out.push_back(0x7f); out.push_back(0x7f); mem = true; break;
        default: out.push_back(0x7f); break;
      }
      return true;
    }
    const TypeScope* ts = s;
    const TypeDef* t = def(ts, v.index, 0);
    if (!t) return false;
    switch (t->kind) {
      case TypeKind::Prim: return flatten(ts, ValType::of(t->prim), out, mem, depth + 1);
      case TypeKind::List: out.push_back(0x7f); out.push_back(0x7f); mem = true; return true;
      case TypeKind::FixedList:
        for (uint32_t k = 0; k < t->length && out.size() <= 64; ++k)
          if (!t->a || !flatten(ts, *t->a, out, mem, depth + 1)) return false;
        return true;
      case TypeKind::Record:
        for (auto& f : t->fields)
          if (!flatten(ts, f.type, out, mem, depth + 1)) return false;
        return true;
      case TypeKind::Tuple:
        for (auto& x : t->types)
          if (!flatten(ts, x, out, mem, depth + 1)) return false;
        return true;
      case TypeKind::Flags:
        for (size_t k = 0; k < (t->labels.size() + 31) / 32; ++k) out.push_back(0x7f);
        return true;
      case TypeKind::Enum: case TypeKind::Own: case TypeKind::Borrow: case TypeKind::Stream: case TypeKind::Future:
        out.push_back(0x7f);
        return true;
      case TypeKind::Variant: case TypeKind::Option: case TypeKind::Result: {
        std::vector<std::optional<ValType>> cases;
        if (t->kind == TypeKind::Variant)
          for (auto& c : t->cases) cases.push_back(c.type);
        else if (t->kind == TypeKind::Option) cases = {std::nullopt, t->a};
        else cases = {t->a, t->b};
        std::vector<uint8_t> joined;
        for (auto& c : cases) {
          if (!c) continue;
          std::vector<uint8_t> one;
          if (!flatten(ts, *c, one, mem, depth + 1)) return false;
          for (size_t k = 0; k < one.size(); ++k) {
            if (k < joined.size()) {
              if (joined[k] != one[k])
                joined[k] = ((joined[k] == 0x7f || joined[k] == 0x7d) && (one[k] == 0x7f || one[k] == 0x7d)) ? 0x7f : 0x7e;
            } else {
              joined.push_back(one[k]);
            }
          }
        }
        out.push_back(0x7f);
        out.insert(out.end(), joined.begin(), joined.end());
        return true;
      }
      default: return false;
    }
  }

  // Core signature of a function type (scope s, index i) lifted or lowered.
  struct Sig {
    CoreFuncType type;
    bool memory = false;   // needs the memory option
    bool realloc = false;  // needs realloc (lower: results use memory; lift: params do)
  };
  std::optional<Sig> signature(const TypeScope* s, uint32_t func_type, bool lower) {
    const TypeScope* ts = s;
    const TypeDef* f = def(ts, func_type, 0);
    if (!f || f->kind != TypeKind::Func) return std::nullopt;
    std::vector<uint8_t> ps, rs;
    bool pm = false, rm = false;
    for (auto& p : f->fields)
      if (!flatten(ts, p.type, ps, pm)) return std::nullopt;
    if (f->a && !flatten(ts, *f->a, rs, rm)) return std::nullopt;
    Sig sig;
    auto push = [](std::vector<CoreValType>& v, uint8_t c) { v.push_back(CoreValType{c, 0}); };
    if (ps.size() > 16) { ps = {0x7f}; pm = true; }
    for (uint8_t c : ps) push(sig.type.params, c);
    if (rs.size() > 1) {
      rm = true;
      if (lower) push(sig.type.params, 0x7f);
      else push(sig.type.results, 0x7f);
    } else {
      for (uint8_t c : rs) push(sig.type.results, c);
    }
    sig.memory = pm || rm;
    sig.realloc = lower ? rm : pm;
    return sig;
  }

 private:
  TypeScope world_;
  std::vector<uint32_t> inst_types_;  // world instance index -> its instance type index
  std::map<const TypeDef*, std::unique_ptr<TypeScope>> scopes_;

  static void build(TypeScope& s, const std::vector<Decl>& decls, const TypeScope* parent) {
    s.parent = parent;
    for (const Decl& d : decls)
      if (d.kind == Decl::Type || (d.kind == Decl::Alias && d.alias.sort.kind == SortKind::Type) ||
          ((d.kind == Decl::Import || d.kind == Decl::Export) && d.desc.kind == ExternKind::Type))
        s.types.push_back(&d);
  }
};

struct Exported {
  std::string iface;  // "$root" for world-level
  std::string name;
  uint32_t type = 0;  // our resource type index
  int dtor_slot = -1;
};

// Maps the type indices a definition refers to through `f`.
template <class F>
void map_children(TypeDef& t, F&& f) {
  auto v = [&](ValType& x) {
    if (!x.is_prim) x.index = f(x.index);
  };
  for (auto& fl : t.fields) v(fl.type);
  for (auto& k : t.cases)
    if (k.type) v(*k.type);
  for (auto& x : t.types) v(x);
  if (t.a) v(*t.a);
  if (t.b) v(*t.b);
  if (t.kind == TypeKind::Own || t.kind == TypeKind::Borrow) t.index = f(t.index);
}

// Outer aliases (count == depth) inside nested type declarators point at the
// world scope: renumber them.
void remap_outer(std::vector<Decl>& decls, const std::vector<uint32_t>& tmap, uint32_t depth, bool& ok) {
  for (Decl& d : decls) {
    if (d.kind == Decl::Alias && d.alias.target == Alias::Outer && d.alias.outer_count == depth &&
        d.alias.sort.kind == SortKind::Type) {
      if (d.alias.outer_index >= tmap.size() || tmap[d.alias.outer_index] == UINT32_MAX) ok = false;
      else d.alias.outer_index = tmap[d.alias.outer_index];
    }
    if (d.kind == Decl::Type && (d.type.kind == TypeKind::Instance || d.type.kind == TypeKind::Component))
      remap_outer(d.type.decls, tmap, depth + 1, ok);
  }
}

// The union of two worlds: a's declarators before its exports, then b's
// (imports of a name already imported are shared), then the rest of a (its
// exports and what follows them), then the rest of b; indices renumbered.
Result<std::vector<Decl>> merge_worlds(const std::vector<Decl>& a, const std::vector<Decl>& b, const std::string& bname) {
  struct Renum {
    std::vector<uint32_t> t, i, f;
  } ma, mb;
  std::vector<Decl> out;
  uint32_t nt = 0, ni = 0, nf = 0;
  std::map<std::string, std::pair<ExternKind, uint32_t>> imported;
  std::set<std::string> exported;
  auto sort_of = [](const Decl& d) -> std::optional<SortKind> {
    if (d.kind == Decl::Type) return SortKind::Type;
    if (d.kind == Decl::Alias) return d.alias.sort.kind;
    if (d.kind == Decl::Import || d.kind == Decl::Export) {
      if (d.desc.kind == ExternKind::Type) return SortKind::Type;
      if (d.desc.kind == ExternKind::Instance) return SortKind::Instance;
      if (d.desc.kind == ExternKind::Func) return SortKind::Func;
    }
    return std::nullopt;
  };
  auto space = [](Renum& m, SortKind k) -> std::vector<uint32_t>* {
    return k == SortKind::Type ? &m.t : k == SortKind::Instance ? &m.i : k == SortKind::Func ? &m.f : nullptr;
  };
  auto add = [&](const Decl& d0, Renum& m, const std::string& wname) -> Result<void> {
    Decl d = d0;
    bool ok = true;
    auto at = [&](const std::vector<uint32_t>& v, uint32_t x) {
      if (x >= v.size()) { ok = false; return 0u; }
      return v[x];
    };
    std::optional<SortKind> sk = sort_of(d);
    if (d.kind == Decl::Import) {
      auto f = imported.find(d.name.name);
      if (f != imported.end()) {
        if (f->second.first != d.desc.kind)
          return fail("custom section `" + wname + "`: import `" + d.name.name + "` has another kind in the other world");
        if (auto* v = sk ? space(m, *sk) : nullptr) v->push_back(f->second.second);
        return {};  // shared with the earlier import
      }
    }
    if (d.kind == Decl::Export) {
      if (exported.count(d.name.name))
        return fail("custom section `" + wname + "`: `" + d.name.name + "` is exported by two worlds");
      exported.insert(d.name.name);
    }
    switch (d.kind) {
      case Decl::CoreType: break;
      case Decl::Type:
        map_children(d.type, [&](uint32_t x) { return at(m.t, x); });
        remap_outer(d.type.decls, m.t, 1, ok);
        break;
      case Decl::Alias:
        if (d.alias.target != Alias::Export) return fail("custom section `" + wname + "`: unsupported alias in its world");
        d.alias.instance = at(m.i, d.alias.instance);
        break;
      case Decl::Import: case Decl::Export:
        if (!(d.desc.kind == ExternKind::Type && d.desc.sub_resource)) d.desc.index = at(m.t, d.desc.index);
        break;
    }
    if (!ok) return fail("custom section `" + wname + "`: index out of range in its world");
    if (sk) {
      uint32_t idx = *sk == SortKind::Type ? nt++ : *sk == SortKind::Instance ? ni++ : *sk == SortKind::Func ? nf++ : 0;
      if (auto* v = space(m, *sk)) v->push_back(idx);
    }
    if (d.kind == Decl::Import) imported[d.name.name] = {d.desc.kind, sk == SortKind::Type ? nt - 1 : sk == SortKind::Instance ? ni - 1 : nf - 1};
    out.push_back(std::move(d));
    return {};
  };
  auto first_export = [](const std::vector<Decl>& w) {
    for (size_t i = 0; i < w.size(); ++i)
      if (w[i].kind == Decl::Export) return i;
    return w.size();
  };
  size_t fa = first_export(a), fb = first_export(b);
  for (size_t i = 0; i < fa; ++i) COMPONO_CHECK(add(a[i], ma, "the first world"));
  for (size_t i = 0; i < fb; ++i) COMPONO_CHECK(add(b[i], mb, bname));
  for (size_t i = fa; i < a.size(); ++i) COMPONO_CHECK(add(a[i], ma, "the first world"));
  for (size_t i = fb; i < b.size(); ++i) COMPONO_CHECK(add(b[i], mb, bname));
  return out;
}

// ------------------------------------------------------------- nested components
//
// An exported interface is made by a nested component that is self-contained,
// as wit-component does it: every type it needs is re-created inside it
// (resources imported as `sub resource`, records/variants/enums/flags defined
// and imported with an `eq` bound, so they keep their identity), its functions
// are imported, and all of it is re-exported under the interface's names.

// The type declarators of an instance type (imported or exported) and the
// instance index that holds it in the component being written.
struct IScope {
  uint32_t top_inst = 0;
  const TypeDef* it = nullptr;
  std::vector<const Decl*> types;  // local type index -> declarator
};

bool is_type_decl(const Decl& d) {
  return d.kind == Decl::Type || (d.kind == Decl::Alias && d.alias.sort.kind == SortKind::Type) ||
         ((d.kind == Decl::Import || d.kind == Decl::Export) && d.desc.kind == ExternKind::Type);
}

IScope make_scope(uint32_t top_inst, const TypeDef* it) {
  IScope s;
  s.top_inst = top_inst;
  s.it = it;
  for (const Decl& d : it->decls)
    if (is_type_decl(d)) s.types.push_back(&d);
  return s;
}

bool nominal(TypeKind k) {
  return k == TypeKind::Record || k == TypeKind::Variant || k == TypeKind::Enum || k == TypeKind::Flags;
}


constexpr uint32_t kNone = UINT32_MAX;

class Nested {
 public:
  Nested(Builder& b, const std::vector<uint32_t>& wmap, const std::map<uint32_t, IScope>& scopes)
      : b_(b), wmap_(wmap), scopes_(scopes) {}
  Component nc;
  uint32_t nt = 0, nf = 0;
  std::vector<Instance::Arg> args;
  std::string err;

  // The nested index of the component's type `t`.
  uint32_t top(uint32_t t, int depth = 0) {
    auto f = top_cache_.find(t);
    if (f != top_cache_.end()) return f->second;
    if (depth > 200 || t >= b_.tt.size()) return fail_with("type index out of range");
    TopType e = b_.tt[t];  // a copy: aliases made below may grow the table
    uint32_t r = kNone;
    switch (e.kind) {
      case TopType::Resource: r = import_type(t, std::nullopt); break;
      case TopType::Eq: r = top(e.eq, depth + 1); break;
      case TopType::Def: r = def_then_name(e.def, t, [&](uint32_t x) { return top(x, depth + 1); }); break;
      case TopType::AliasExport: {
        auto s = scopes_.find(e.inst);
        if (s == scopes_.end()) return fail_with("type `" + e.name + "` of an instance whose type is unknown");
        const Decl* d = nullptr;
        for (const Decl* x : s->second.types)
          if (x->kind == Decl::Export && x->name.name == e.name) d = x;
        if (!d) return fail_with("no type `" + e.name + "` in its instance");
        if (d->desc.sub_resource) {
          r = import_type(t, std::nullopt);
          break;
        }
        uint32_t k = d->desc.index;
        if (k >= s->second.types.size()) return fail_with("type index out of range");
        const Decl* under = s->second.types[k];
        if (under->kind == Decl::Type)
          r = def_then_name(under->type, t, [&](uint32_t x) { return in_scope(s->second, x, depth + 1); });
        else
          r = in_scope(s->second, k, depth + 1);
        break;
      }
      case TopType::Other: return fail_with("unsupported type in an exported interface");
    }
    if (r != kNone) top_cache_[t] = r;
    return r;
  }

  // The nested index of local type `k` of an instance type.
  uint32_t in_scope(const IScope& s, uint32_t k, int depth = 0) {
    if (depth > 200 || k >= s.types.size()) return fail_with("type index out of range");
    auto key = std::make_pair(&s, k);
    auto f = scope_cache_.find(key);
    if (f != scope_cache_.end()) return f->second;
    const Decl* d = s.types[k];
    uint32_t r = kNone;
    if (d->kind == Decl::Type) {
      r = def(d->type, [&](uint32_t x) { return in_scope(s, x, depth + 1); });
    } else if (d->kind == Decl::Alias && d->alias.target == Alias::Outer && d->alias.outer_count == 1) {
      if (d->alias.outer_index >= wmap_.size() || wmap_[d->alias.outer_index] == kNone)
        return fail_with("outer type alias out of range");
      r = top(wmap_[d->alias.outer_index], depth + 1);
    } else if (d->kind == Decl::Export) {
      r = top(b_.type_alias(s.top_inst, d->name.name), depth + 1);
    } else {
      return fail_with("unsupported declarator in an instance type");
    }
    if (r != kNone) scope_cache_[key] = r;
    return r;
  }

  // Defines a copy of `t` with its children mapped by `f`.
  template <class F>
  uint32_t def(const TypeDef& t0, F&& f) {
    if (t0.kind == TypeKind::Instance || t0.kind == TypeKind::Component || t0.kind == TypeKind::Resource)
      return fail_with(std::string("unsupported type (") + to_string(t0.kind) + ") in an exported interface");
    TypeDef t = t0;
    bool ok = true;
    map_children(t, [&](uint32_t x) {
      uint32_t y = f(x);
      if (y == kNone) ok = false;
      return y;
    });
    if (!ok) return kNone;
    append(nc, std::move(t));
    return nt++;
  }
  // A definition; records, variants, enums and flags are then imported with
  // an `eq` bound (given the component's type `arg`) to be named.
  template <class F>
  uint32_t def_then_name(const TypeDef& t, uint32_t arg, F&& f) {
    uint32_t local = def(t, f);
    if (local == kNone || !nominal(t.kind)) return local;
    return import_type(arg, local);
  }

  uint32_t import_type(uint32_t arg, std::optional<uint32_t> eq) {
    ExternDesc d;
    d.kind = ExternKind::Type;
    if (eq) d.index = *eq;
    else d.sub_resource = true;
    std::string n = "import-type-x" + std::to_string(args.size());
    ExternName en;
    en.name = n;
    append(nc, Import{en, d});
    args.push_back(Instance::Arg{n, SortIdx{Sort{SortKind::Type, CoreSort::Func}, arg}});
    return nt++;
  }
  uint32_t import_func(uint32_t arg, uint32_t type) {
    std::string n = "import-func-x" + std::to_string(args.size());
    ExternName en;
    en.name = n;
    append(nc, Import{en, desc_of(ExternKind::Func, type)});
    args.push_back(Instance::Arg{n, SortIdx{Sort{SortKind::Func, CoreSort::Func}, arg}});
    return nf++;
  }

 private:
  Builder& b_;
  const std::vector<uint32_t>& wmap_;
  const std::map<uint32_t, IScope>& scopes_;
  std::map<uint32_t, uint32_t> top_cache_;
  std::map<std::pair<const IScope*, uint32_t>, uint32_t> scope_cache_;

  uint32_t fail_with(std::string m) {
    if (err.empty()) err = std::move(m);
    return kNone;
  }
};

// ------------------------------------------------------------- liveness
//
// Like wit-component, imports the core module does not use are dropped: an
// imported interface stays when the module imports one of its functions or
// resource drops, or when something kept (an export, a kept import) uses one
// of its types.

struct WorldSpaces {
  std::vector<size_t> type_decl, inst_decl, func_decl;  // world index -> declarator index
};

WorldSpaces world_spaces(const std::vector<Decl>& world) {
  WorldSpaces s;
  for (size_t i = 0; i < world.size(); ++i) {
    const Decl& d = world[i];
    std::optional<SortKind> sort;
    if (d.kind == Decl::Type) sort = SortKind::Type;
    else if (d.kind == Decl::Alias) sort = d.alias.sort.kind;
    else if (d.kind == Decl::Import || d.kind == Decl::Export) {
      switch (d.desc.kind) {
        case ExternKind::Type: sort = SortKind::Type; break;
        case ExternKind::Instance: sort = SortKind::Instance; break;
        case ExternKind::Func: sort = SortKind::Func; break;
        default: break;
      }
    }
    if (!sort) continue;
    if (*sort == SortKind::Type) s.type_decl.push_back(i);
    else if (*sort == SortKind::Instance) s.inst_decl.push_back(i);
    else if (*sort == SortKind::Func) s.func_decl.push_back(i);
  }
  return s;
}

void outer_refs(const std::vector<Decl>& decls, uint32_t depth, std::vector<uint32_t>& out) {
  for (const Decl& d : decls) {
    if (d.kind == Decl::Alias && d.alias.target == Alias::Outer && d.alias.outer_count == depth &&
        d.alias.sort.kind == SortKind::Type)
      out.push_back(d.alias.outer_index);
    if (d.kind == Decl::Type && (d.type.kind == TypeKind::Instance || d.type.kind == TypeKind::Component))
      outer_refs(d.type.decls, depth + 1, out);
  }
}

// The world type indices a type declarator refers to.
std::vector<uint32_t> type_refs(const Decl& d) {
  std::vector<uint32_t> refs;
  TypeDef t = d.type;
  map_children(t, [&](uint32_t x) { refs.push_back(x); return x; });
  outer_refs(d.type.decls, 1, refs);
  return refs;
}

// What is kept: world declarators, and inside the instance type of each
// imported interface the declarators needed (wit-component also trims an
// imported interface to the functions the module uses and the types they,
// the exports and the other kept imports need).
struct Live {
  std::vector<bool> decl;                       // world declarator -> kept
  std::map<size_t, std::vector<bool>> local;    // instance type declarator -> its declarators kept
};

// `used`: world import declarator -> names the core module takes from it
// (functions, and resources it drops); an empty set for a world-level item.
Live liveness(const std::vector<Decl>& world, const WorldSpaces& sp,
              const std::map<size_t, std::set<std::string>>& used) {
  Live L;
  L.decl.assign(world.size(), false);
  std::vector<std::pair<size_t, int>> work;  // (world declarator, local declarator or -1)
  // Local type index -> declarator index, per instance type declarator.
  std::map<size_t, std::vector<size_t>> ltypes;
  auto local_types = [&](size_t i) -> const std::vector<size_t>& {
    auto f = ltypes.find(i);
    if (f != ltypes.end()) return f->second;
    std::vector<size_t> v;
    const auto& ds = world[i].type.decls;
    for (size_t k = 0; k < ds.size(); ++k)
      if (is_type_decl(ds[k])) v.push_back(k);
    return ltypes[i] = std::move(v);
  };
  auto is_inst_type = [&](size_t i) { return world[i].kind == Decl::Type && world[i].type.kind == TypeKind::Instance; };
  auto mark = [&](size_t i) {
    if (i < L.decl.size() && !L.decl[i]) {
      L.decl[i] = true;
      work.push_back({i, -1});
      if (is_inst_type(i)) L.local[i].assign(world[i].type.decls.size(), false);
    }
  };
  auto mark_local = [&](size_t i, size_t k) {
    mark(i);
    auto& v = L.local[i];
    if (k < v.size() && !v[k]) {
      v[k] = true;
      work.push_back({i, int(k)});
    }
  };
  auto type = [&](uint32_t t) {
    if (t < sp.type_decl.size()) mark(sp.type_decl[t]);
  };
  // The instance type declarator of world instance `inst` (or npos).
  auto inst_type_decl = [&](uint32_t inst) -> size_t {
    if (inst >= sp.inst_decl.size()) return SIZE_MAX;
    const Decl& d = world[sp.inst_decl[inst]];
    if ((d.kind != Decl::Import && d.kind != Decl::Export) || d.desc.index >= sp.type_decl.size()) return SIZE_MAX;
    size_t t = sp.type_decl[d.desc.index];
    return is_inst_type(t) ? t : SIZE_MAX;
  };
  auto mark_name = [&](size_t ti, const std::string& name) {
    if (ti == SIZE_MAX) return;
    const auto& ds = world[ti].type.decls;
    for (size_t k = 0; k < ds.size(); ++k)
      if (ds[k].kind == Decl::Export && ds[k].name.name == name) mark_local(ti, k);
  };
  for (size_t i = 0; i < world.size(); ++i) {
    const Decl& d = world[i];
    bool root = d.kind == Decl::Export || d.kind == Decl::CoreType || used.count(i);
    if (!root) continue;
    mark(i);
    if (d.kind == Decl::Import && d.desc.kind == ExternKind::Instance && d.desc.index < sp.type_decl.size()) {
      size_t ti = sp.type_decl[d.desc.index];
      if (is_inst_type(ti))
        for (const std::string& n : used.at(i)) mark_name(ti, n);
    }
    if (d.kind == Decl::Export && d.desc.kind == ExternKind::Instance && d.desc.index < sp.type_decl.size()) {
      size_t ti = sp.type_decl[d.desc.index];
      if (is_inst_type(ti))
        for (size_t k = 0; k < world[ti].type.decls.size(); ++k) mark_local(ti, k);
    }
  }
  while (!work.empty()) {
    auto [i, k] = work.back();
    work.pop_back();
    if (k >= 0) {
      const Decl& d = world[i].type.decls[size_t(k)];
      const auto& lt = local_types(i);
      auto local = [&](uint32_t x) {
        if (x < lt.size()) mark_local(i, lt[x]);
      };
      switch (d.kind) {
        case Decl::Type: {
          TypeDef t = d.type;
          map_children(t, [&](uint32_t x) { local(x); return x; });
          break;
        }
        case Decl::Alias:
          if (d.alias.target == Alias::Outer && d.alias.outer_count == 1) type(d.alias.outer_index);
          break;
        case Decl::Import: case Decl::Export:
          if (!(d.desc.kind == ExternKind::Type && d.desc.sub_resource)) local(d.desc.index);
          break;
        default: break;
      }
      continue;
    }
    const Decl& d = world[i];
    switch (d.kind) {
      case Decl::Type: {
        if (d.type.kind == TypeKind::Instance) break;  // its declarators are marked one by one
        TypeDef t = d.type;
        map_children(t, [&](uint32_t x) { type(x); return x; });
        std::vector<uint32_t> refs;
        outer_refs(d.type.decls, 1, refs);
        for (uint32_t r : refs) type(r);
        break;
      }
      case Decl::Alias:
        if (d.alias.target == Alias::Export && d.alias.instance < sp.inst_decl.size()) {
          mark(sp.inst_decl[d.alias.instance]);
          mark_name(inst_type_decl(d.alias.instance), d.alias.name);
        }
        break;
      case Decl::Import: case Decl::Export:
        if (!(d.desc.kind == ExternKind::Type && d.desc.sub_resource)) type(d.desc.index);
        break;
      default: break;
    }
  }
  return L;
}

// A copy of instance type `it` with only the declarators in `keep`, local
// type indices renumbered.
TypeDef trim_instance(const TypeDef& it, const std::vector<bool>& keep) {
  TypeDef out;
  out.kind = TypeKind::Instance;
  std::vector<uint32_t> map;  // old local type index -> new
  uint32_t n = 0;
  for (size_t k = 0; k < it.decls.size(); ++k) {
    const Decl& d = it.decls[k];
    bool kept = k < keep.size() && keep[k];
    if (!kept) {
      if (is_type_decl(d)) map.push_back(kNone);
      continue;
    }
    Decl c = d;
    auto m = [&](uint32_t x) { return x < map.size() ? map[x] : kNone; };
    if (c.kind == Decl::Type) map_children(c.type, m);
    if ((c.kind == Decl::Export || c.kind == Decl::Import) && !(c.desc.kind == ExternKind::Type && c.desc.sub_resource))
      c.desc.index = m(c.desc.index);
    out.decls.push_back(std::move(c));
    if (is_type_decl(d)) map.push_back(n++);
  }
  return out;
}

CanonOptKind encoding_of(const Component& ct) {
  for (const CustomSection& cs : ct.customs)
    if (cs.name == "wit-component-encoding" && cs.data.size() >= 2) {
      if (cs.data[1] == 1) return CanonOptKind::Utf16;
      if (cs.data[1] == 2) return CanonOptKind::Latin1Utf16;
    }
  return CanonOptKind::Utf8;
}

}  // namespace

Result<NewOutput> make_component(std::span<const uint8_t> input, const NewOptions& opts) {
  auto split = split_module(input);
  if (!split) return fail(split.error());
  if (split->types.empty())
    return fail("the core module has no `component-type` custom section (embed a world first: `compono wit embed`)");

  // Worlds: identical sections are merged; different ones are united (shared
  // imports, renumbered indices).  Each section's string encoding applies to
  // the imports and exports it brings.
  std::vector<Decl> world;
  std::map<std::string, CanonOptKind> import_enc, export_enc;
  for (size_t i = 0; i < split->types.size(); ++i) {
    auto w = world_decls(split->types[i].second, split->types[i].first, split->offsets[i]);
    if (!w) return fail(w.error());
    CanonOptKind enc = CanonOptKind::Utf8;
    if (auto ct = decode(split->types[i].second)) enc = encoding_of(*ct);
    for (const Decl& d : *w) {
      if (d.kind == Decl::Import) import_enc.emplace(d.name.name, enc);
      if (d.kind == Decl::Export) export_enc.emplace(d.name.name, enc);
    }
    if (i == 0) {
      world = std::move(*w);
    } else if (!(*w == world)) {
      auto m = merge_worlds(world, *w, split->types[i].first);
      if (!m) return fail(m.error().message, split->offsets[i]);
      world = std::move(*m);
    }
  }
  auto enc_of = [](const std::map<std::string, CanonOptKind>& m, const std::string& n) {
    auto f = m.find(n);
    return f == m.end() ? CanonOptKind::Utf8 : f->second;
  };

  auto scanned = detail::scan_core_module(split->module, 0);
  if (!scanned) return fail("core module: " + scanned.error().to_string());
  const detail::CoreModuleInfo& mi = *scanned;
  std::map<std::string, const detail::CoreModuleInfo::Export*> mexp;
  for (auto& e : mi.exports) mexp[e.name] = &e;
  auto mexp_func = [&](const std::string& n) -> bool {
    auto f = mexp.find(n);
    return f != mexp.end() && f->second->kind == CoreExternKind::Func;
  };

  // 1. Which world imports the core module uses (by name), then what they and
  //    the exports need.
  WorldSpaces sp = world_spaces(world);
  std::map<size_t, std::set<std::string>> used;
  {
    std::map<std::string, std::set<std::string>> modules;
    std::set<std::string> root_names;
    for (auto& im : mi.imports) {
      std::string n = im.name;
      if (starts_with(n, "[resource-drop]")) n = n.substr(15);
      if (im.module == "$root") root_names.insert(n);
      else if (!starts_with(im.module, "[export]")) modules[im.module].insert(n);
    }
    for (size_t i = 0; i < world.size(); ++i) {
      const Decl& d = world[i];
      if (d.kind != Decl::Import) continue;
      if (d.desc.kind == ExternKind::Instance) {
        auto f = modules.find(d.name.name);
        if (f != modules.end()) used[i] = f->second;
      } else if (root_names.count(d.name.name)) {
        used[i] = {};
      }
    }
  }
  Live L = liveness(world, sp, used);
  const std::vector<bool>& live = L.decl;
  size_t first_export = world.size();
  for (size_t i = 0; i < world.size(); ++i)
    if (world[i].kind == Decl::Export) {
      first_export = i;
      break;
    }

  // 2. The world's kept declarators before its exports, renumbered.
  Builder b;
  NewOutput out;
  struct {
    std::vector<const TypeDef*> types;          // world type index -> definition (or null)
    std::map<std::string, uint32_t> inst;       // imported instance -> our instance index
    std::map<std::string, uint32_t> inst_type;  // imported instance -> its world type index
    std::map<std::string, uint32_t> root_func;  // world-level imported function -> our func index
    std::map<std::string, uint32_t> root_type;  // world-level imported type -> our type index
  } w;
  // World index -> ours (kNone: dropped or not yet made).
  std::vector<uint32_t> wmap(sp.type_decl.size(), kNone), imap(sp.inst_decl.size(), kNone), fmap(sp.func_decl.size(), kNone);
  std::vector<uint32_t> didx(world.size(), kNone);  // declarator -> its index in its world index space
  for (auto* v : {&sp.type_decl, &sp.inst_decl, &sp.func_decl})
    for (size_t k = 0; k < v->size(); ++k) didx[(*v)[k]] = uint32_t(k);
  std::map<uint32_t, IScope> scopes;       // our instance index -> its instance type
  uint32_t dropped = 0;
  for (const Decl& d : world)
    if (d.kind == Decl::Type) w.types.push_back(&d.type);
    else if (is_type_decl(d)) w.types.push_back(nullptr);
  auto world_type = [&](uint32_t i) -> const TypeDef* { return i < w.types.size() ? w.types[i] : nullptr; };
  auto tmap = [&](uint32_t i) { return i < wmap.size() ? wmap[i] : kNone; };
  // Emits world declarator `d` (kept or not), keeping the maps in step.
  auto emit = [&](const Decl& d, bool keep) -> Result<void> {
    const uint32_t at = didx[size_t(&d - world.data())];
    bool ok = true;
    auto t = [&](uint32_t i) {
      uint32_t r = tmap(i);
      if (r == kNone) ok = false;
      return r;
    };
    switch (d.kind) {
      case Decl::CoreType: append(b.c, d.core_type); return {};
      case Decl::Type: {
        if (!keep) return {};
        TypeDef td = d.type;
        auto lk = L.local.find(size_t(&d - world.data()));
        if (td.kind == TypeKind::Instance && lk != L.local.end()) td = trim_instance(d.type, lk->second);
        map_children(td, t);
        remap_outer(td.decls, wmap, 1, ok);
        if (!ok) return fail("world type: a kept type refers to a dropped or unknown type");
        wmap[at] = b.type(std::move(td));
        return {};
      }
      case Decl::Alias: {
        Alias a = d.alias;
        std::vector<uint32_t>* m = a.sort.kind == SortKind::Type ? &wmap : a.sort.kind == SortKind::Instance ? &imap
                                 : a.sort.kind == SortKind::Func ? &fmap : nullptr;
        if (a.target != Alias::Export || !m) return fail("world type: unsupported alias at world level");
        if (!keep) return {};
        if (a.instance >= imap.size() || imap[a.instance] == kNone) return fail("world type: alias of an unknown instance");
        a.instance = imap[a.instance];
        (*m)[at] = a.sort.kind == SortKind::Type ? b.type_alias(a.instance, a.name) : b.alias(a);
        return {};
      }
      case Decl::Import: {
        std::vector<uint32_t>* m = d.desc.kind == ExternKind::Type ? &wmap : d.desc.kind == ExternKind::Instance ? &imap
                                 : d.desc.kind == ExternKind::Func ? &fmap : nullptr;
        if (!m) return fail("world import `" + d.name.name + "`: unsupported kind " + to_string(d.desc.kind));
        if (!keep) {
          ++dropped;
          return {};
        }
        Import im{d.name, d.desc};
        if (!(d.desc.kind == ExternKind::Type && d.desc.sub_resource)) im.desc.index = t(d.desc.index);
        if (!ok) return fail("world import `" + d.name.name + "`: its type is unknown");
        uint32_t i = b.import(im);
        (*m)[at] = i;
        if (d.desc.kind == ExternKind::Instance) {
          w.inst[d.name.name] = i;
          w.inst_type[d.name.name] = d.desc.index;
          const TypeDef* it = world_type(d.desc.index);
          if (it && it->kind == TypeKind::Instance) scopes[i] = make_scope(i, it);
        } else if (d.desc.kind == ExternKind::Func) {
          w.root_func[d.name.name] = i;
        } else {
          w.root_type[d.name.name] = i;
        }
        return {};
      }
      case Decl::Export: return fail("internal: export emitted as a declarator");
    }
    return {};
  };
  // Interfaces first, then world-level types and functions (wit-component's order).
  // (Types that refer to world-level imported types follow those.)
  std::vector<bool> later(world.size(), false);
  for (size_t i = 0; i < first_export; ++i) {
    const Decl& d = world[i];
    if (d.kind == Decl::Import && d.desc.kind != ExternKind::Instance) {
      later[i] = true;
    } else if (d.kind == Decl::Type) {
      for (uint32_t r : type_refs(d))
        if (r < sp.type_decl.size() && later[sp.type_decl[r]]) later[i] = true;
    }
  }
  for (int pass = 0; pass < 2; ++pass)
    for (size_t i = 0; i < first_export; ++i)
      if (later[i] == (pass == 1)) COMPONO_CHECK(emit(world[i], live[i]));
  std::vector<const Decl*> wexports;
  for (size_t i = first_export; i < world.size(); ++i) {
    if (world[i].kind == Decl::Import) return fail("world type: import `" + world[i].name.name + "` after the exports is not supported");
    if (world[i].kind == Decl::Export) {
      if (world[i].desc.kind != ExternKind::Instance && world[i].desc.kind != ExternKind::Func)
        return fail("world export `" + world[i].name.name + "`: unsupported kind " + to_string(world[i].desc.kind));
      wexports.push_back(&world[i]);
    }
  }

  // 3. Exported resources (need destructor trampolines).
  std::vector<Exported> exported;
  for (const Decl* e : wexports) {
    if (e->desc.kind != ExternKind::Instance) continue;
    const TypeDef* it = world_type(e->desc.index);
    if (!it || it->kind != TypeKind::Instance)
      return fail("world export `" + e->name.name + "`: its type is not an instance type");
    for (const Decl& d : it->decls)
      if (d.kind == Decl::Export && d.desc.kind == ExternKind::Type && d.desc.sub_resource)
        exported.push_back(Exported{e->name.name, d.name.name, 0, -1});
  }
  auto find_exported = [&](const std::string& iface, const std::string& r) -> Exported* {
    for (auto& x : exported)
      if (x.iface == iface && x.name == r) return &x;
    return nullptr;
  };

  // 4. Classify the core imports.
  struct Slot {
    CoreFuncType sig;
    bool lower = true;
    uint32_t func = 0;      // lower: component func index; dtor: unused
    std::string core_name;  // dtor: core export of $main
    CanonOptKind enc = CanonOptKind::Utf8;
  };
  std::vector<Slot> slots;
  struct CoreImport {
    std::string module, name;
    int slot = -1;                 // routed through the table
    uint32_t core_func = 0;        // else: direct canon
    CanonKind direct = CanonKind::ResourceDrop;
    uint32_t direct_type = 0;
    uint32_t direct_func = 0;      // direct lower: component function
    CanonOptKind enc = CanonOptKind::Utf8;
  };
  Flattener flat(world);
  std::map<std::string, uint32_t> root_func_type;
  for (const Decl& d : world)
    if (d.kind == Decl::Import && d.desc.kind == ExternKind::Func) root_func_type[d.name.name] = d.desc.index;
  // Checks the core signature against the lowered function type; decides
  // whether the lower needs memory/realloc (else it is made directly).
  auto check_lower = [&](const std::string& what, const TypeScope* scope, uint32_t ft, const CoreFuncType& sig,
                         int& via_table) -> Result<void> {
    auto want = flat.signature(scope, ft, true);
    if (!want) return fail(what + ": cannot compute the lowered core signature of its function type");
    if (!(want->type == sig))
      return fail(what + ": type mismatch: the core module declares " + sig_string(sig) +
                  " but the lowered function has core type " + sig_string(want->type));
    via_table = (want->memory || want->realloc) ? 1 : 0;
    return {};
  };
  std::vector<CoreImport> cimports;
  for (auto& im : mi.imports) {
    std::string what = "core import `" + im.module + "` `" + im.name + "`";
    if (im.desc.kind != CoreExternKind::Func)
      return fail(what + ": only function imports can be satisfied (got " + to_string(im.desc.kind) + ")");
    if (im.desc.type_index >= mi.types.size()) return fail(what + ": bad type index");
    const CoreFuncType& sig = mi.types[im.desc.type_index];
    CoreImport ci{im.module, im.name};
    auto resource_op = [&](std::string_view n, CanonKind& k, std::string& r) {
      static const std::pair<const char*, CanonKind> ops[] = {{"[resource-drop]", CanonKind::ResourceDrop},
                                                              {"[resource-new]", CanonKind::ResourceNew},
                                                              {"[resource-rep]", CanonKind::ResourceRep}};
      for (auto& [p, kk] : ops)
        if (starts_with(n, p)) {
          k = kk;
          r = std::string(n.substr(std::string_view(p).size()));
          return true;
        }
      return false;
    };
    CanonKind op = CanonKind::ResourceDrop;
    std::string rname;
    bool is_res = resource_op(im.name, op, rname);
    if (starts_with(im.module, "[export]")) {
      std::string iface = im.module.substr(8);
      Exported* x = is_res ? find_exported(iface, rname) : nullptr;
      if (!x) return fail(what + " is not in the world (no exported resource `" + rname + "` in `" + iface + "`)");
      ci.direct = op;
    } else if (im.module == "$root") {
      if (is_res && op == CanonKind::ResourceDrop && w.root_type.count(rname)) {
        ci.direct = op;
        ci.direct_type = w.root_type[rname];
      } else if (!is_res && w.root_func.count(im.name)) {
        int via_table = 1;
        COMPONO_CHECK(check_lower(what, &flat.world(), root_func_type[im.name], sig, via_table));
        ci.enc = enc_of(import_enc, im.name);
        if (via_table) {
          ci.slot = int(slots.size());
          slots.push_back(Slot{sig, true, w.root_func[im.name], {}, ci.enc});
        } else {
          ci.direct = CanonKind::Lower;
          ci.direct_func = w.root_func[im.name];
        }
      } else {
        return fail(what + " is not in the world (no world-level import `" + (is_res ? rname : im.name) + "`)");
      }
    } else {
      auto f = w.inst.find(im.module);
      if (f == w.inst.end()) return fail(what + " is not in the world (no imported interface `" + im.module + "`)");
      const TypeDef* it = world_type(w.inst_type[im.module]);
      if (!it || it->kind != TypeKind::Instance) return fail(what + ": the interface's type is not an instance type");
      if (is_res && op == CanonKind::ResourceDrop) {
        const Decl* d = find_export(*it, rname, ExternKind::Type);
        if (!d) return fail(what + " is not in the world (`" + im.module + "` has no resource `" + rname + "`)");
        ci.direct = op;
        ci.direct_type = b.export_of(f->second, rname, SortKind::Type);
      } else {
        const Decl* d = find_export(*it, im.name, ExternKind::Func);
        if (!d) return fail(what + " is not in the world (`" + im.module + "` has no function `" + im.name + "`)");
        int via_table = 1;
        COMPONO_CHECK(check_lower(what, flat.instance_scope(w.inst_type[im.module]), d->desc.index, sig, via_table));
        ci.enc = enc_of(import_enc, im.module);
        uint32_t fn = b.export_of(f->second, im.name, SortKind::Func);
        if (via_table) {
          ci.slot = int(slots.size());
          slots.push_back(Slot{sig, true, fn, {}, ci.enc});
        } else {
          ci.direct = CanonKind::Lower;
          ci.direct_func = fn;
        }
      }
    }
    cimports.push_back(std::move(ci));
  }
  for (auto& x : exported) {
    std::string dtor = (x.iface == "$root" ? std::string() : x.iface + "#") + "[dtor]" + x.name;
    if (mexp_func(dtor)) {
      x.dtor_slot = int(slots.size());
      CoreFuncType t;
      t.params.push_back(CoreValType{0x7f, 0});
      slots.push_back(Slot{t, false, 0, dtor});
    }
  }

  // 5. Main module, shim instance, resources, direct canons, main instance.
  uint32_t main_mod = b.module(split->module);
  uint32_t shim_inst = 0;
  std::vector<uint32_t> tramp;
  if (!slots.empty()) {
    std::vector<CoreFuncType> sigs;
    for (auto& s : slots) sigs.push_back(s.sig);
    uint32_t sm = b.module(shim_module(sigs));
    shim_inst = b.core_instance(CoreInstance{true, sm, {}, {}});
    for (size_t i = 0; i < slots.size(); ++i) tramp.push_back(b.core_export(shim_inst, std::to_string(i), CoreSort::Func));
  }
  for (auto& x : exported) {
    TypeDef r;
    r.kind = TypeKind::Resource;
    r.rep = 0x7f;
    if (x.dtor_slot >= 0) r.dtor = tramp[x.dtor_slot];
    x.type = b.type(r);
  }
  for (auto& ci : cimports) {
    if (ci.slot >= 0) { ci.core_func = tramp[ci.slot]; continue; }
    Canon k;
    k.kind = ci.direct;
    k.type = ci.direct_type;
    if (ci.direct == CanonKind::Lower) {
      k.func = ci.direct_func;
      k.opts.push_back(CanonOpt{ci.enc, 0});
      ci.core_func = b.canon(k);
      ++out.lowered;
      continue;
    }
    if (starts_with(ci.module, "[export]")) {
      std::string r;
      for (const char* p : {"[resource-drop]", "[resource-new]", "[resource-rep]"})
        if (starts_with(ci.name, p)) r = ci.name.substr(std::string_view(p).size());
      k.type = find_exported(ci.module.substr(8), r)->type;
    }
    ci.core_func = b.canon(k);
  }
  std::vector<std::string> modules;
  for (auto& ci : cimports)
    if (std::find(modules.begin(), modules.end(), ci.module) == modules.end()) modules.push_back(ci.module);
  CoreInstance main_args{true, main_mod, {}, {}};
  for (auto& m : modules) {
    CoreInstance inl{false, 0, {}, {}};
    for (auto& ci : cimports)
      if (ci.module == m) inl.exports.push_back(CoreInstance::Export{ci.name, CoreSortIdx{CoreSort::Func, ci.core_func}});
    main_args.args.push_back(CoreInstance::Arg{m, b.core_instance(inl)});
  }
  uint32_t main_inst = b.core_instance(main_args);

  std::optional<uint32_t> memory, realloc;
  auto me = mexp.find("memory");
  if (me != mexp.end() && me->second->kind == CoreExternKind::Memory)
    memory = b.core_export(main_inst, "memory", CoreSort::Memory);
  if (mexp_func("cabi_realloc")) realloc = b.core_export(main_inst, "cabi_realloc", CoreSort::Func);

  // 6. Lowers and the fixup instance.
  if (!slots.empty()) {
    std::vector<uint32_t> real;
    for (auto& s : slots) {
      if (!s.lower) {
        real.push_back(b.core_export(main_inst, s.core_name, CoreSort::Func));
        continue;
      }
      Canon k;
      k.kind = CanonKind::Lower;
      k.func = s.func;
      k.opts.push_back(CanonOpt{s.enc, 0});
      if (memory) k.opts.push_back(CanonOpt{CanonOptKind::Memory, *memory});
      if (realloc) k.opts.push_back(CanonOpt{CanonOptKind::Realloc, *realloc});
      real.push_back(b.canon(k));
      ++out.lowered;
    }
    out.trampolines = uint32_t(slots.size());
    std::vector<CoreFuncType> sigs;
    for (auto& s : slots) sigs.push_back(s.sig);
    uint32_t fm = b.module(fixup_module(sigs));
    uint32_t table = b.core_export(shim_inst, "$imports", CoreSort::Table);
    CoreInstance inl{false, 0, {}, {}};
    inl.exports.push_back(CoreInstance::Export{"$imports", CoreSortIdx{CoreSort::Table, table}});
    for (size_t i = 0; i < real.size(); ++i)
      inl.exports.push_back(CoreInstance::Export{std::to_string(i), CoreSortIdx{CoreSort::Func, real[i]}});
    uint32_t arg = b.core_instance(inl);
    b.core_instance(CoreInstance{true, fm, {CoreInstance::Arg{"", arg}}, {}});
  }
  if (mexp_func("_initialize")) {
    uint32_t im = b.module(init_module());
    uint32_t f = b.core_export(main_inst, "_initialize", CoreSort::Func);
    uint32_t arg = b.core_instance(CoreInstance{false, 0, {}, {CoreInstance::Export{"_initialize", CoreSortIdx{CoreSort::Func, f}}}});
    b.core_instance(CoreInstance{true, im, {CoreInstance::Arg{"", arg}}, {}});
  }

  // 7. Exports, in the world's order, with the declarators between them
  //    (function types, aliases of types of interfaces exported before).
  auto lift = [&](const std::string& core_name, uint32_t type, const std::string& what, const TypeScope* scope,
                  uint32_t world_ft, CanonOptKind enc) -> Result<uint32_t> {
    if (!mexp_func(core_name))
      return fail(what + ": the core module does not export function `" + core_name + "`");
    auto want = flat.signature(scope, world_ft, false);
    if (!want) return fail(what + ": cannot compute the lifted core signature of its function type");
    uint32_t fi = mexp[core_name]->index;
    if (fi < mi.funcs.size() && mi.funcs[fi] < mi.types.size() && !(mi.types[mi.funcs[fi]] == want->type))
      return fail(what + ": type mismatch: core export `" + core_name + "` has type " +
                  sig_string(mi.types[mi.funcs[fi]]) + " but the lifted function needs " + sig_string(want->type));
    uint32_t cf = b.core_export(main_inst, core_name, CoreSort::Func);
    Canon k;
    k.kind = CanonKind::Lift;
    k.func = cf;
    k.type = type;
    k.opts.push_back(CanonOpt{enc, 0});
    if (memory) k.opts.push_back(CanonOpt{CanonOptKind::Memory, *memory});
    if (realloc) k.opts.push_back(CanonOpt{CanonOptKind::Realloc, *realloc});
    if (mexp_func("cabi_post_" + core_name))
      k.opts.push_back(CanonOpt{CanonOptKind::PostReturn, b.core_export(main_inst, "cabi_post_" + core_name, CoreSort::Func)});
    ++out.lifted;
    return b.canon(k);
  };
  // World-level functions first, then interfaces (wit-component's order);
  // aliases of exported interfaces' types are made once those exist.
  auto of_export = [&](const Decl& d) {
    return d.kind == Decl::Alias && d.alias.target == Alias::Export && d.alias.instance < sp.inst_decl.size() &&
           world[sp.inst_decl[d.alias.instance]].kind == Decl::Export;
  };
  std::vector<bool> second(world.size(), false);
  for (size_t wi = first_export; wi < world.size(); ++wi) {
    const Decl& d = world[wi];
    second[wi] = (d.kind == Decl::Export && d.desc.kind == ExternKind::Instance) || of_export(d);
    if (d.kind == Decl::Type)
      for (uint32_t r : type_refs(d))
        if (r < sp.type_decl.size() && second[sp.type_decl[r]]) second[wi] = true;
  }
  for (int pass = 0; pass < 2; ++pass)
  for (size_t wi = first_export; wi < world.size(); ++wi) {
    const Decl& e = world[wi];
    if (second[wi] != (pass == 1)) continue;
    if (e.kind != Decl::Export) {
      COMPONO_CHECK(emit(e, live[wi]));
      continue;
    }
    const std::string& iname = e.name.name;
    CanonOptKind enc = enc_of(export_enc, iname);
    if (e.desc.kind == ExternKind::Func) {
      uint32_t ft = tmap(e.desc.index);
      if (ft == kNone) return fail("world export `" + iname + "`: its type is unknown");
      COMPONO_TRY(uint32_t f, lift(iname, ft, "world export `" + iname + "`", &flat.world(), e.desc.index, enc));
      Export ex{e.name, SortIdx{Sort{SortKind::Func, CoreSort::Func}, f}, desc_of(ExternKind::Func, ft)};
      append(b.c, ex);
      fmap[didx[wi]] = b.n_func++;
      continue;
    }
    const TypeDef* it = world_type(e.desc.index);
    auto bad = [&](const std::string& m) { return fail("world export `" + iname + "`: " + m); };
    // The interface's local types in our index space: definitions are copied
    // (for the lifted function types), aliases and exports resolved.
    std::vector<uint32_t> lm;
    std::vector<uint32_t> lifted;  // per function export, in order
    for (const Decl& d : it->decls) {
      switch (d.kind) {
        case Decl::CoreType: return bad("core type in its instance type");
        case Decl::Type: {
          TypeDef t = d.type;
          if (t.kind == TypeKind::Instance || t.kind == TypeKind::Component || t.kind == TypeKind::Resource)
            return bad(std::string("unsupported type definition (") + to_string(t.kind) + ")");
          bool ok = true;
          map_children(t, [&](uint32_t x) {
            if (x >= lm.size()) { ok = false; return 0u; }
            return lm[x];
          });
          if (!ok) return bad("type index out of range");
          lm.push_back(b.type(std::move(t)));
          break;
        }
        case Decl::Alias:
          if (d.alias.target != Alias::Outer || d.alias.outer_count != 1 || d.alias.sort.kind != SortKind::Type)
            return bad("unsupported alias in its instance type");
          if (tmap(d.alias.outer_index) == kNone) return bad("outer alias of an unknown type");
          lm.push_back(tmap(d.alias.outer_index));
          break;
        case Decl::Import: return bad("import in an instance type");
        case Decl::Export:
          if (d.desc.kind == ExternKind::Type) {
            if (d.desc.sub_resource) {
              lm.push_back(find_exported(iname, d.name.name)->type);
            } else {
              if (d.desc.index >= lm.size()) return bad("type index out of range");
              lm.push_back(lm[d.desc.index]);
            }
          } else if (d.desc.kind == ExternKind::Func) {
            if (d.desc.index >= lm.size()) return bad("type index out of range");
            COMPONO_TRY(uint32_t f, lift(iname + "#" + d.name.name, lm[d.desc.index],
                                         "world export `" + iname + "` function `" + d.name.name + "`",
                                         flat.instance_scope(e.desc.index), d.desc.index, enc));
            lifted.push_back(f);
          } else {
            return bad("unsupported export kind in its instance type");
          }
          break;
      }
    }
    // The nested component: functions imported with their types re-created
    // inside, then everything re-exported under the interface's names with
    // types rebuilt on the exported names.
    Nested n(b, wmap, scopes);
    {
      size_t fi = 0;
      for (const Decl& d : it->decls) {
        if (d.kind != Decl::Export || d.desc.kind != ExternKind::Func) continue;
        uint32_t ft = n.top(lm[d.desc.index]);
        if (ft == kNone) return bad(n.err);
        n.import_func(lifted[fi++], ft);
      }
    }
    std::vector<uint32_t> ex;  // local type index -> nested index of its exported form
    std::vector<uint32_t> funcs;
    size_t fi = 0;
    for (const Decl& d : it->decls) {
      switch (d.kind) {
        case Decl::Type: {
          TypeDef t = d.type;
          bool ok = true;
          map_children(t, [&](uint32_t x) {
            if (x >= ex.size() || ex[x] == kNone) { ok = false; return 0u; }
            return ex[x];
          });
          if (!ok) return bad("type index out of range");
          append(n.nc, std::move(t));
          ex.push_back(n.nt++);
          break;
        }
        case Decl::Alias: {
          uint32_t x = n.top(tmap(d.alias.outer_index));
          if (x == kNone) return bad(n.err);
          ex.push_back(x);
          break;
        }
        case Decl::Export:
          if (d.desc.kind == ExternKind::Type) {
            uint32_t item;
            if (d.desc.sub_resource) {
              item = n.top(find_exported(iname, d.name.name)->type);
              if (item == kNone) return bad(n.err);
            } else {
              if (d.desc.index >= ex.size()) return bad("type index out of range");
              item = ex[d.desc.index];
            }
            append(n.nc, Export{d.name, SortIdx{Sort{SortKind::Type, CoreSort::Func}, item}, std::nullopt});
            ex.push_back(n.nt++);
          } else {
            if (d.desc.index >= ex.size()) return bad("type index out of range");
            append(n.nc, Export{d.name, SortIdx{Sort{SortKind::Func, CoreSort::Func}, uint32_t(fi++)},
                                desc_of(ExternKind::Func, ex[d.desc.index])});
            n.nf++;
          }
          break;
        default: break;
      }
    }
    append(b.c, std::move(n.nc));
    Instance inst{true, b.n_comp++, std::move(n.args), {}};
    append(b.c, inst);
    uint32_t ii = b.n_inst++;
    Export exd{e.name, SortIdx{Sort{SortKind::Instance, CoreSort::Func}, ii}, std::nullopt};
    append(b.c, exd);
    uint32_t exported_inst = b.n_inst++;
    imap[didx[wi]] = exported_inst;
    scopes[exported_inst] = make_scope(exported_inst, it);
  }
  out.dropped_imports = dropped;

  out.bytes = encode(b.c);
  if (opts.validate) {
    auto v = decode_and_validate(out.bytes);
    if (!v) return fail("the component made is invalid: " + v.error().to_string());
  }
  return out;
}

}  // namespace compono::component
