// src/component/new/new.cpp - the componentizer behind `compono new`.
//
// Layout of the component it writes (index spaces stay aligned with the
// world type because the world's declarators are copied first, verbatim):
//
//   <the world's types, aliases and imports, in the world's order>
//   (core module $main)                 ; the input, component-type sections removed
//   (core module $shim)                 ; funcref table + call_indirect trampolines
//   (core instance $shim (instantiate $shim))
//   (type (resource (rep i32) (dtor <trampoline>)))   ; each exported resource
//   (canon resource.drop/new/rep ...)   ; direct core imports
//   (core instance (export ...))...     ; one per imported core module name
//   (core instance $main (instantiate $main (with ...)))
//   (canon lower ... (memory) (realloc) string-encoding=utf8)
//   (core module $fixup) (core instance (instantiate $fixup))  ; fills the table
//   (core module $init) ...             ; runs _initialize via a start function
//   (canon lift ...) (instance (export ...)) (export "iface" (instance ..) (instance (type ..)))
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

class Builder {
 public:
  Component c;
  uint32_t n_type = 0, n_func = 0, n_inst = 0, n_comp = 0;
  uint32_t n_core_func = 0, n_core_inst = 0, n_core_mod = 0, n_core_table = 0, n_core_mem = 0;

  uint32_t alias(Alias a) {
    append(c, a);
    return bump(a.sort);
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
  uint32_t core_export(uint32_t inst, std::string name, CoreSort sort) {
    Alias a;
    a.sort = Sort{SortKind::Core, sort};
    a.target = Alias::CoreExport;
    a.instance = inst;
    a.name = std::move(name);
    return alias(a);
  }
  uint32_t export_of(uint32_t inst, std::string name, SortKind kind) {
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
    append(c, std::move(t));
    return n_type++;
  }
};

struct WorldInfo {
  std::vector<const TypeDef*> types;             // world-scope type index -> definition (or null)
  std::map<std::string, uint32_t> inst;           // imported instance -> instance index
  std::map<std::string, uint32_t> inst_type;      // imported instance -> its instance type index
  std::map<std::string, uint32_t> root_func;      // world-level imported function -> func index
  std::map<std::string, uint32_t> root_type;      // world-level imported type -> type index
  std::vector<Decl> exports;
};

const Decl* find_export(const TypeDef& inst, std::string_view name, ExternKind kind) {
  for (const Decl& d : inst.decls)
    if (d.kind == Decl::Export && d.name.name == name && d.desc.kind == kind) return &d;
  return nullptr;
}

// Rewrites the type indices of a definition through `map`; false if one is out of range.
bool remap(TypeDef& t, const std::vector<uint32_t>& map) {
  bool ok = true;
  auto v = [&](ValType& x) {
    if (x.is_prim) return;
    if (x.index >= map.size()) { ok = false; return; }
    x.index = map[x.index];
  };
  for (auto& f : t.fields) v(f.type);
  for (auto& k : t.cases)
    if (k.type) v(*k.type);
  for (auto& x : t.types) v(x);
  if (t.a) v(*t.a);
  if (t.b) v(*t.b);
  if (t.kind == TypeKind::Own || t.kind == TypeKind::Borrow) {
    if (t.index >= map.size()) return false;
    t.index = map[t.index];
  }
  return ok;
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

// Outer aliases (count == depth) inside nested type declarators point at the
// world scope: renumber them.
void remap_outer(std::vector<Decl>& decls, const std::vector<uint32_t>& tmap, uint32_t depth, bool& ok) {
  for (Decl& d : decls) {
    if (d.kind == Decl::Alias && d.alias.target == Alias::Outer && d.alias.outer_count == depth &&
        d.alias.sort.kind == SortKind::Type) {
      if (d.alias.outer_index >= tmap.size()) ok = false;
      else d.alias.outer_index = tmap[d.alias.outer_index];
    }
    if (d.kind == Decl::Type && (d.type.kind == TypeKind::Instance || d.type.kind == TypeKind::Component))
      remap_outer(d.type.decls, tmap, depth + 1, ok);
  }
}

// The union of two worlds: a's types/aliases/imports, then b's (imports of a
// name already imported are shared), then a's exports, then b's.
Result<std::vector<Decl>> merge_worlds(const std::vector<Decl>& a, const std::vector<Decl>& b, const std::string& bname) {
  std::vector<Decl> out, exports;
  uint32_t nt = 0, ni = 0, nf = 0;
  std::map<std::string, std::pair<ExternKind, uint32_t>> imported;
  std::set<std::string> exported;
  auto count = [&](const Decl& d) {
    if (d.kind == Decl::Type) ++nt;
    else if (d.kind == Decl::Alias) {
      if (d.alias.sort.kind == SortKind::Type) ++nt;
      else if (d.alias.sort.kind == SortKind::Instance) ++ni;
      else if (d.alias.sort.kind == SortKind::Func) ++nf;
    }
  };
  for (const Decl& d : a) {
    if (d.kind == Decl::Export) {
      exports.push_back(d);
      exported.insert(d.name.name);
      continue;
    }
    count(d);
    if (d.kind == Decl::Import) {
      uint32_t& n = d.desc.kind == ExternKind::Type ? nt : d.desc.kind == ExternKind::Instance ? ni : nf;
      imported[d.name.name] = {d.desc.kind, n++};
    }
    out.push_back(d);
  }
  std::vector<uint32_t> tmap, imap, fmap;
  bool ok = true;
  auto t = [&](uint32_t i) {
    if (i >= tmap.size()) { ok = false; return 0u; }
    return tmap[i];
  };
  for (const Decl& d0 : b) {
    Decl d = d0;
    switch (d.kind) {
      case Decl::CoreType: out.push_back(d); break;
      case Decl::Type:
        if (!remap(d.type, tmap)) ok = false;
        remap_outer(d.type.decls, tmap, 1, ok);
        out.push_back(d);
        tmap.push_back(nt++);
        break;
      case Decl::Alias:
        if (d.alias.target != Alias::Export) return fail("custom section `" + bname + "`: unsupported alias in its world");
        if (d.alias.instance >= imap.size()) { ok = false; break; }
        d.alias.instance = imap[d.alias.instance];
        out.push_back(d);
        if (d.alias.sort.kind == SortKind::Type) tmap.push_back(nt++);
        else if (d.alias.sort.kind == SortKind::Instance) imap.push_back(ni++);
        else if (d.alias.sort.kind == SortKind::Func) fmap.push_back(nf++);
        break;
      case Decl::Import: {
        auto& map = d.desc.kind == ExternKind::Type ? tmap : d.desc.kind == ExternKind::Instance ? imap : fmap;
        auto f = imported.find(d.name.name);
        if (f != imported.end()) {
          if (f->second.first != d.desc.kind)
            return fail("custom section `" + bname + "`: import `" + d.name.name + "` has another kind in the other world");
          map.push_back(f->second.second);  // shared with the earlier import
          break;
        }
        if (!(d.desc.kind == ExternKind::Type && d.desc.sub_resource)) d.desc.index = t(d.desc.index);
        uint32_t& n = d.desc.kind == ExternKind::Type ? nt : d.desc.kind == ExternKind::Instance ? ni : nf;
        imported[d.name.name] = {d.desc.kind, n};
        map.push_back(n++);
        out.push_back(d);
        break;
      }
      case Decl::Export:
        if (exported.count(d.name.name))
          return fail("custom section `" + bname + "`: `" + d.name.name + "` is exported by two worlds");
        exported.insert(d.name.name);
        d.desc.index = t(d.desc.index);
        exports.push_back(d);
        break;
    }
    if (!ok) return fail("custom section `" + bname + "`: index out of range in its world");
  }
  out.insert(out.end(), exports.begin(), exports.end());
  return out;
}

}  // namespace

Result<NewOutput> make_component(std::span<const uint8_t> input, const NewOptions& opts) {
  auto split = split_module(input);
  if (!split) return fail(split.error());
  if (split->types.empty())
    return fail("the core module has no `component-type` custom section (embed a world first: `compono wit embed`)");

  // Worlds: identical sections are merged; different ones must be identical
  // too for now (a union needs index renumbering).
  std::vector<Decl> world;
  for (size_t i = 0; i < split->types.size(); ++i) {
    auto w = world_decls(split->types[i].second, split->types[i].first, split->offsets[i]);
    if (!w) return fail(w.error());
    if (i == 0) {
      world = std::move(*w);
    } else if (!(*w == world)) {
      auto m = merge_worlds(world, *w, split->types[i].first);
      if (!m) return fail(m.error().message, split->offsets[i]);
      world = std::move(*m);
    }
  }

  auto scanned = detail::scan_core_module(split->module, 0);
  if (!scanned) return fail("core module: " + scanned.error().to_string());
  const detail::CoreModuleInfo& mi = *scanned;
  std::map<std::string, const detail::CoreModuleInfo::Export*> mexp;
  for (auto& e : mi.exports) mexp[e.name] = &e;
  auto mexp_func = [&](const std::string& n) -> bool {
    auto f = mexp.find(n);
    return f != mexp.end() && f->second->kind == CoreExternKind::Func;
  };

  Builder b;
  WorldInfo w;
  NewOutput out;
  // 1. The world's declarators, verbatim: index spaces stay aligned.
  bool seen_export = false;
  for (const Decl& d : world) {
    switch (d.kind) {
      case Decl::CoreType:
        append(b.c, d.core_type);
        break;
      case Decl::Type:
        w.types.push_back(&d.type);
        b.type(d.type);
        break;
      case Decl::Alias:
        if (d.alias.target == Alias::Outer) return fail("world type: outer alias at world level is not supported");
        if (seen_export)
          return fail("world type: an alias after the exports (an exported interface using types of another "
                      "exported interface) is not supported yet");
        if (d.alias.sort.kind == SortKind::Type) w.types.push_back(nullptr);
        b.alias(d.alias);
        break;
      case Decl::Import: {
        Import im{d.name, d.desc};
        append(b.c, im);
        switch (d.desc.kind) {
          case ExternKind::Instance:
            w.inst[d.name.name] = b.n_inst++;
            w.inst_type[d.name.name] = d.desc.index;
            break;
          case ExternKind::Func: w.root_func[d.name.name] = b.n_func++; break;
          case ExternKind::Type:
            w.types.push_back(nullptr);
            w.root_type[d.name.name] = b.n_type++;
            break;
          case ExternKind::Component: b.n_comp++; break;
          default: return fail("world import `" + d.name.name + "`: unsupported kind " + to_string(d.desc.kind));
        }
        break;
      }
      case Decl::Export:
        seen_export = true;
        if (d.desc.kind != ExternKind::Instance && d.desc.kind != ExternKind::Func)
          return fail("world export `" + d.name.name + "`: unsupported kind " + to_string(d.desc.kind));
        w.exports.push_back(d);
        break;
    }
  }
  auto world_type = [&](uint32_t i) -> const TypeDef* { return i < w.types.size() ? w.types[i] : nullptr; };

  // 2. Exported resources (need destructor trampolines).
  std::vector<Exported> exported;
  for (const Decl& e : w.exports) {
    if (e.desc.kind != ExternKind::Instance) continue;
    const TypeDef* it = world_type(e.desc.index);
    if (!it || it->kind != TypeKind::Instance)
      return fail("world export `" + e.name.name + "`: its type is not an instance type");
    for (const Decl& d : it->decls)
      if (d.kind == Decl::Export && d.desc.kind == ExternKind::Type && d.desc.sub_resource)
        exported.push_back(Exported{e.name.name, d.name.name, 0, -1});
  }
  auto find_exported = [&](const std::string& iface, const std::string& r) -> Exported* {
    for (auto& x : exported)
      if (x.iface == iface && x.name == r) return &x;
    return nullptr;
  };

  // 3. Classify the core imports.
  struct Slot {
    CoreFuncType sig;
    bool lower = true;
    uint32_t func = 0;      // lower: component func index; dtor: unused
    std::string core_name;  // dtor: core export of $main
  };
  std::vector<Slot> slots;
  struct CoreImport {
    std::string module, name;
    int slot = -1;                 // routed through the table
    uint32_t core_func = 0;        // else: direct canon
    CanonKind direct = CanonKind::ResourceDrop;
    uint32_t direct_type = 0;
    uint32_t direct_func = 0;      // direct lower: component function
  };
  Flattener flat(world);
  std::map<std::string, uint32_t> root_func_type;
  for (const Decl& d : world)
    if (d.kind == Decl::Import && d.desc.kind == ExternKind::Func) root_func_type[d.name.name] = d.desc.index;
  // Checks the core signature against the lowered function type; decides
  // whether the lower needs memory/realloc (else it is made directly).
  auto check_lower = [&](const std::string& what, const TypeScope* scope, uint32_t ft, const CoreFuncType& sig,
                         CoreImport& ci, int& slot_or_direct) -> Result<void> {
    auto want = flat.signature(scope, ft, true);
    if (!want) return fail(what + ": cannot compute the lowered core signature of its function type");
    if (!(want->type == sig))
      return fail(what + ": type mismatch: the core module declares " + sig_string(sig) +
                  " but the lowered function has core type " + sig_string(want->type));
    slot_or_direct = (want->memory || want->realloc) ? 1 : 0;
    (void)ci;
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
        auto ok = check_lower(what, &flat.world(), root_func_type[im.name], sig, ci, via_table);
        if (!ok) return fail(ok.error());
        if (via_table) {
          ci.slot = int(slots.size());
          slots.push_back(Slot{sig, true, w.root_func[im.name], {}});
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
        auto ok = check_lower(what, flat.instance_scope(w.inst_type[im.module]), d->desc.index, sig, ci, via_table);
        if (!ok) return fail(ok.error());
        uint32_t fn = b.export_of(f->second, im.name, SortKind::Func);
        if (via_table) {
          ci.slot = int(slots.size());
          slots.push_back(Slot{sig, true, fn, {}});
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

  // 4. Main module, shim instance, resources, direct canons, main instance.
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
      k.opts.push_back(CanonOpt{CanonOptKind::Utf8, 0});
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

  // 5. Lowers and the fixup instance.
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
      k.opts.push_back(CanonOpt{CanonOptKind::Utf8, 0});
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

  // 6. Exports.
  auto lift = [&](const std::string& core_name, uint32_t type, const std::string& what, const TypeScope* scope,
                  uint32_t world_ft) -> Result<uint32_t> {
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
    k.opts.push_back(CanonOpt{CanonOptKind::Utf8, 0});
    if (memory) k.opts.push_back(CanonOpt{CanonOptKind::Memory, *memory});
    if (realloc) k.opts.push_back(CanonOpt{CanonOptKind::Realloc, *realloc});
    if (mexp_func("cabi_post_" + core_name))
      k.opts.push_back(CanonOpt{CanonOptKind::PostReturn, b.core_export(main_inst, "cabi_post_" + core_name, CoreSort::Func)});
    ++out.lifted;
    return b.canon(k);
  };
  for (const Decl& e : w.exports) {
    const std::string& iname = e.name.name;
    if (e.desc.kind == ExternKind::Func) {
      auto f = lift(iname, e.desc.index, "world export `" + iname + "`", &flat.world(), e.desc.index);
      if (!f) return fail(f.error());
      Export ex{e.name, SortIdx{Sort{SortKind::Func, CoreSort::Func}, *f}, desc_of(ExternKind::Func, e.desc.index)};
      append(b.c, ex);
      b.n_func++;
      continue;
    }
    const TypeDef* it = world_type(e.desc.index);
    std::vector<uint32_t> lm;  // the instance type's local type index -> ours
    // A nested component gives the interface's types and functions their
    // names: it imports each (types as `eq`/`sub resource`, functions with the
    // interface's own types) under a plain name and re-exports it under the
    // interface's name; it is instantiated with the hoisted types, our
    // resource types and the lifted functions.
    Component nested;
    uint32_t nested_funcs = 0;
    std::vector<Instance::Export> nested_exports;
    Instance inst{true, 0, {}, {}};
    for (const Decl& d : it->decls) {
      switch (d.kind) {
        case Decl::CoreType: return fail("world export `" + iname + "`: core type in its instance type");
        case Decl::Type: {
          TypeDef t = d.type;
          if (t.kind == TypeKind::Instance || t.kind == TypeKind::Component || t.kind == TypeKind::Resource)
            return fail("world export `" + iname + "`: unsupported type definition (" + to_string(t.kind) + ")");
          append(nested, d.type);
          if (!remap(t, lm)) return fail("world export `" + iname + "`: type index out of range");
          lm.push_back(b.type(t));
          break;
        }
        case Decl::Alias:
          if (d.alias.target != Alias::Outer || d.alias.outer_count != 1 || d.alias.sort.kind != SortKind::Type)
            return fail("world export `" + iname + "`: unsupported alias in its instance type");
          if (flat.is_resource(d.alias.outer_index)) {
            // Resources cannot be aliased into a nested component: import them.
            std::string n = "import-type-x" + std::to_string(inst.args.size());
            ExternName en;
            en.name = n;
            ExternDesc rd;
            rd.kind = ExternKind::Type;
            rd.sub_resource = true;
            append(nested, Import{en, rd});
            inst.args.push_back(Instance::Arg{n, SortIdx{Sort{SortKind::Type, CoreSort::Func}, d.alias.outer_index}});
          } else {
            append(nested, d.alias);
          }
          lm.push_back(d.alias.outer_index);
          break;
        case Decl::Import: return fail("world export `" + iname + "`: import in an instance type");
        case Decl::Export: {
          std::string imp_name = "import-" + std::string(d.desc.kind == ExternKind::Type ? "type" : "func") + "-x" +
                                 std::to_string(inst.args.size());
          if (d.desc.kind == ExternKind::Type) {
            uint32_t t;
            if (d.desc.sub_resource) {
              t = find_exported(iname, d.name.name)->type;
            } else {
              if (d.desc.index >= lm.size()) return fail("world export `" + iname + "`: type index out of range");
              t = lm[d.desc.index];
            }
            nested_exports.push_back(Instance::Export{d.name, SortIdx{Sort{SortKind::Type, CoreSort::Func}, uint32_t(lm.size())}});
            lm.push_back(t);
            inst.args.push_back(Instance::Arg{imp_name, SortIdx{Sort{SortKind::Type, CoreSort::Func}, t}});
          } else if (d.desc.kind == ExternKind::Func) {
            if (d.desc.index >= lm.size()) return fail("world export `" + iname + "`: type index out of range");
            auto f = lift(iname + "#" + d.name.name, lm[d.desc.index], "world export `" + iname + "` function `" + d.name.name + "`",
                          flat.instance_scope(e.desc.index), d.desc.index);
            if (!f) return fail(f.error());
            nested_exports.push_back(Instance::Export{d.name, SortIdx{Sort{SortKind::Func, CoreSort::Func}, nested_funcs++}});
            inst.args.push_back(Instance::Arg{imp_name, SortIdx{Sort{SortKind::Func, CoreSort::Func}, *f}});
          } else {
            return fail("world export `" + iname + "`: unsupported export kind in its instance type");
          }
          ExternName n;
          n.name = imp_name;
          append(nested, Import{n, d.desc});
          break;
        }
      }
    }
    // Re-export: types first become new (named) indices; function exports are
    // ascribed with types rebuilt on those names (what makes the instance
    // valid to export).
    {
      std::vector<const Decl*> local;  // local type index -> its declarator
      for (const Decl& d : it->decls)
        if (d.kind == Decl::Type || (d.kind == Decl::Alias && d.alias.sort.kind == SortKind::Type) ||
            (d.kind == Decl::Export && d.desc.kind == ExternKind::Type))
          local.push_back(&d);
      uint32_t ntypes = uint32_t(local.size());
      std::map<uint32_t, uint32_t> renamed;  // local index -> index after re-export
      std::string bad;
      std::function<uint32_t(uint32_t, int)> rebuild = [&](uint32_t i, int depth) -> uint32_t {
        auto f = renamed.find(i);
        if (f != renamed.end()) return f->second;
        if (i >= local.size() || depth > 100) { bad = "type index out of range"; return 0; }
        const Decl* d = local[i];
        if (d->kind != Decl::Type) return i;  // outer alias / un-exported import: as is
        TypeDef t = d->type;
        std::vector<uint32_t> ident(local.size());
        for (uint32_t k = 0; k < local.size(); ++k) ident[k] = k;
        bool changed = false;
        auto v = [&](ValType& x) {
          if (x.is_prim) return;
          uint32_t y = rebuild(x.index, depth + 1);
          changed |= y != x.index;
          x.index = y;
        };
        for (auto& fl : t.fields) v(fl.type);
        for (auto& k : t.cases)
          if (k.type) v(*k.type);
        for (auto& x : t.types) v(x);
        if (t.a) v(*t.a);
        if (t.b) v(*t.b);
        if (t.kind == TypeKind::Own || t.kind == TypeKind::Borrow) {
          uint32_t y = rebuild(t.index, depth + 1);
          changed |= y != t.index;
          t.index = y;
        }
        if (!changed) return renamed[i] = i;
        append(nested, t);
        return renamed[i] = ntypes++;
      };
      size_t li = 0;
      for (const Decl& d : it->decls) {
        bool is_type = d.kind == Decl::Type || (d.kind == Decl::Alias && d.alias.sort.kind == SortKind::Type) ||
                       (d.kind == Decl::Export && d.desc.kind == ExternKind::Type);
        size_t here = li;
        if (is_type) ++li;
        if (d.kind != Decl::Export) continue;
        const Instance::Export& x = nested_exports[0];
        if (d.desc.kind == ExternKind::Type) {
          SortIdx item = x.item;
          if (!d.desc.sub_resource) {
            // A type that refers to exported types is rebuilt on their new names.
            uint32_t t = rebuild(d.desc.index, 0);
            if (!bad.empty()) return fail("world export `" + iname + "`: " + bad);
            if (t != d.desc.index) item.index = t;
          }
          append(nested, Export{x.name, item, std::nullopt});
          renamed[uint32_t(here)] = ntypes++;
        } else {
          uint32_t ft = rebuild(d.desc.index, 0);
          if (!bad.empty()) return fail("world export `" + iname + "`: " + bad);
          append(nested, Export{x.name, x.item, desc_of(ExternKind::Func, ft)});
        }
        nested_exports.erase(nested_exports.begin());
      }
    }
    append(b.c, std::move(nested));
    inst.component = b.n_comp++;
    append(b.c, inst);
    uint32_t ii = b.n_inst++;
    Export ex{e.name, SortIdx{Sort{SortKind::Instance, CoreSort::Func}, ii}, std::nullopt};
    append(b.c, ex);
    b.n_inst++;
  }

  out.bytes = encode(b.c);
  if (opts.validate) {
    auto v = decode_and_validate(out.bytes);
    if (!v) return fail("the component made is invalid: " + v.error().to_string());
  }
  return out;
}

}  // namespace compono::component
