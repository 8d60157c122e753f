// src/component/runtime/instantiate.cpp - compiling and instantiating
// components: walks the AST's definitions in order, maintaining every index
// space, running core instances on the core engine.
#define COMPONO_COMPONENT_VALUES_ONLY 1
#include <map>
#include <mutex>

#include "component/component.h"
#include "component/runtime/internal.h"

namespace compono::component::detail {

namespace ast = compono::component;

struct ComponentImpl {
  std::shared_ptr<const ast::Component> root;
  ComponentInfo info;
  mutable std::mutex mu;
  mutable std::map<uint32_t, wasm::Module> modules;  // by byte offset

  Result<wasm::Module> module(const ast::Component& c, uint32_t i) const {
    uint32_t key = c.core_modules[i].begin;
    {
      std::lock_guard<std::mutex> g(mu);
      auto it = modules.find(key);
      if (it != modules.end()) return it->second;
    }
    // Core modules in components may use multi-memory and exception
    // handling (toolchains emit them; the spec tests assume them), so both
    // features are on here whatever the Store's Config says.
    wasm::Config features;
    features.multi_memory = true;
    features.exceptions = true;
    auto m = wasm::Module::compile(c.core_module(i), features);
    if (!m) return fail(m.error().message, m.error().offset == Error::npos ? Error::npos : c.core_modules[i].begin + m.error().offset);
    std::lock_guard<std::mutex> g(mu);
    modules[key] = *m;
    return *m;
  }
};

namespace {

struct Env;

struct ComponentDef {
  const ast::Component* c = nullptr;
  Env* outer = nullptr;  // lexical environment (for outer aliases; kept alive by the Store)
};

struct TypeSlot {
  enum K { Value, Resource, Func, Instance, Component, CoreOther } k = CoreOther;
  Type val;
  ResourceType res;
  FuncType func;
  const ast::TypeDef* def = nullptr;     // Instance/Component type definitions
  Env* scope = nullptr;                  // where def's indices resolve (not owning: the Store keeps every Env,
                                         // and an Env's own slots point back to it)
};

struct CoreFunc {
  wasm::Func f;
  bool pending = false;  // an unsupported built-in, created with the importer's type
  std::string what;
};

struct CoreInst {
  wasm::Instance inst;
  std::map<std::string, wasm::Extern, std::less<>> exports;  // inline instances
  std::map<std::string, CoreFunc, std::less<>> pending;      // inline: pending built-ins
};

struct Env {
  Env* parent = nullptr;
  const ast::Component* c = nullptr;
  InstanceImpl* self = nullptr;
  std::vector<CoreFunc> core_funcs;
  std::vector<wasm::Table> core_tables;
  std::vector<wasm::Memory> core_memories;
  std::vector<wasm::Global> core_globals;
  std::vector<wasm::Tag> core_tags;
  std::vector<wasm::Module> core_modules;
  std::vector<CoreInst> core_instances;
  size_t core_types = 0;
  std::vector<TypeSlot> types;
  std::vector<FuncImpl*> funcs;
  std::vector<std::shared_ptr<const ComponentDef>> components;
  std::vector<InstanceImpl*> instances;
  size_t values = 0;
};

struct Ctx {
  Store& store;
  const ComponentImpl& root;
  const LinkerImpl* linker;
  StoreState& st() { return *store.state(); }
  InstanceImpl* new_instance(InstanceImpl* parent, std::string name) {
    st().instances.emplace_back();
    InstanceImpl* i = &st().instances.back();
    i->parent = parent;
    i->name = std::move(name);
    return i;
  }
  FuncImpl* new_func() {
    st().funcs.emplace_back();
    return &st().funcs.back();
  }
};

Kind prim_kind(ast::PrimValType p) {
  switch (p) {
    case ast::PrimValType::Bool: return Kind::Bool;
    case ast::PrimValType::S8: return Kind::S8;
    case ast::PrimValType::U8: return Kind::U8;
    case ast::PrimValType::S16: return Kind::S16;
    case ast::PrimValType::U16: return Kind::U16;
    case ast::PrimValType::S32: return Kind::S32;
    case ast::PrimValType::U32: return Kind::U32;
    case ast::PrimValType::S64: return Kind::S64;
    case ast::PrimValType::U64: return Kind::U64;
    case ast::PrimValType::F32: return Kind::F32;
    case ast::PrimValType::F64: return Kind::F64;
    case ast::PrimValType::Char: return Kind::Char;
    default: return Kind::String;
  }
}

// A type scope: a list of type slots with a parent (outer aliases).
struct Scope {
  std::vector<TypeSlot>* types;
  Scope* parent_scope = nullptr;  // for instance/component type decls
  Env* env = nullptr;             // component-level env (outer aliases beyond decls)
};

Result<Type> valtype(const ast::ValType& v, std::vector<TypeSlot>& types) {
  if (v.is_prim) {
    if (v.prim == ast::PrimValType::ErrorContext) return fail("error-context values are not supported");
    return Type(prim_kind(v.prim));
  }
  if (v.index >= types.size()) return fail("type index out of range: " + std::to_string(v.index));
  TypeSlot& s = types[v.index];
  if (s.k == TypeSlot::Resource) return Type(Kind::U32).named("unsupported: resource used as a value type");
  if (s.k != TypeSlot::Value) return fail("type index " + std::to_string(v.index) + " is not a value type");
  return s.val;
}

Result<TypeSlot> deftype(const ast::TypeDef& d, std::vector<TypeSlot>& types, const std::shared_ptr<Env>& scope) {
  TypeSlot s;
  s.k = TypeSlot::Value;
  auto vt = [&](const ast::ValType& v) { return valtype(v, types); };
  switch (d.kind) {
    case ast::TypeKind::Prim: s.val = Type(prim_kind(d.prim)); break;
    case ast::TypeKind::Record: {
      std::vector<std::pair<std::string, Type>> f;
      for (auto& x : d.fields) { COMPONO_TRY(Type t, vt(x.type)); f.emplace_back(x.name, t); }
      s.val = Type::record(std::move(f));
      break;
    }
    case ast::TypeKind::Variant: {
      std::vector<std::pair<std::string, std::optional<Type>>> cs;
      for (auto& x : d.cases) {
        std::optional<Type> t;
        if (x.type) { COMPONO_TRY(Type tt, vt(*x.type)); t = tt; }
        cs.emplace_back(x.name, t);
      }
      s.val = Type::variant(std::move(cs));
      break;
    }
    case ast::TypeKind::List: { COMPONO_TRY(Type t, vt(*d.a)); s.val = Type::list(t); break; }
    case ast::TypeKind::Tuple: {
      std::vector<Type> ts;
      for (auto& x : d.types) { COMPONO_TRY(Type t, vt(x)); ts.push_back(t); }
      s.val = Type::tuple(std::move(ts));
      break;
    }
    case ast::TypeKind::Flags: s.val = Type::flags(d.labels); break;
    case ast::TypeKind::Enum: s.val = Type::enum_(d.labels); break;
    case ast::TypeKind::Option: { COMPONO_TRY(Type t, vt(*d.a)); s.val = Type::option(t); break; }
    case ast::TypeKind::Result: {
      std::optional<Type> ok, err;
      if (d.a) { COMPONO_TRY(Type t, vt(*d.a)); ok = t; }
      if (d.b) { COMPONO_TRY(Type t, vt(*d.b)); err = t; }
      s.val = Type::result(ok, err);
      break;
    }
    case ast::TypeKind::Own: case ast::TypeKind::Borrow: {
      if (d.index >= types.size() || types[d.index].k != TypeSlot::Resource) return fail("own/borrow of a non-resource type");
      ResourceType r = types[d.index].res;
      s.val = d.kind == ast::TypeKind::Own ? Type::own(r) : Type::borrow(r);
      break;
    }
    case ast::TypeKind::Func: {
      s.k = TypeSlot::Func;
      for (auto& p : d.fields) { COMPONO_TRY(Type t, vt(p.type)); s.func.params.emplace_back(p.name, t); }
      if (d.a) { COMPONO_TRY(Type t, vt(*d.a)); s.func.result = t; }
      break;
    }
    case ast::TypeKind::Component: case ast::TypeKind::Instance:
      s.k = d.kind == ast::TypeKind::Instance ? TypeSlot::Instance : TypeSlot::Component;
      s.def = &d;
      s.scope = scope.get();
      break;
    case ast::TypeKind::Resource:
      s.k = TypeSlot::Resource;  // created by the caller (needs the instance)
      break;
    case ast::TypeKind::Map: {
      // map<k, v> has the canonical ABI of list<tuple<k, v>>.
      COMPONO_TRY(Type k, vt(*d.a));
      COMPONO_TRY(Type v, vt(*d.b));
      s.val = Type::list(Type::tuple({k, v}));
      break;
    }
    case ast::TypeKind::FixedList: {
      // A fixed-length list has the layout of a tuple of `length` elements.
      COMPONO_TRY(Type el, vt(*d.a));
      if (d.length <= 4096) s.val = Type::tuple(std::vector<Type>(d.length, el));
      else s.val = Type::record({}).named("unsupported: fixed-length list longer than 4096");
      break;
    }
    default:
      // stream/future: the async ABI is not implemented; keep a placeholder
      // so that definitions using them still instantiate.
      s.val = Type(Kind::U32).named(std::string("unsupported: ") + ast::to_string(d.kind));
      break;
  }
  return s;
}

std::string sort_name(const ast::Sort& s) { return ast::to_string(s); }

ItemKind item_kind(const ast::Sort& s) {
  switch (s.kind) {
    case ast::SortKind::Core: return ItemKind::Module;
    case ast::SortKind::Func: return ItemKind::Func;
    case ast::SortKind::Value: return ItemKind::Value;
    case ast::SortKind::Type: return ItemKind::Type;
    case ast::SortKind::Component: return ItemKind::Component;
    case ast::SortKind::Instance: return ItemKind::Instance;
  }
  return ItemKind::Func;
}

Result<Item> item_of(Env& e, const ast::SortIdx& si) {
  Item it;
  it.kind = item_kind(si.sort);
  auto oob = [&] { return fail(sort_name(si.sort) + " index out of bounds: " + std::to_string(si.index)); };
  switch (si.sort.kind) {
    case ast::SortKind::Core:
      if (si.sort.core != ast::CoreSort::Module || si.index >= e.core_modules.size()) return oob();
      it.module = e.core_modules[si.index];
      return it;
    case ast::SortKind::Func:
      if (si.index >= e.funcs.size()) return oob();
      it.func = e.funcs[si.index];
      return it;
    case ast::SortKind::Type: {
      if (si.index >= e.types.size()) return oob();
      TypeSlot& s = e.types[si.index];
      if (s.k == TypeSlot::Resource) { it.is_resource = true; it.resource = s.res; }
      else if (s.k == TypeSlot::Value) it.type = s.val;
      return it;
    }
    case ast::SortKind::Component: {
      if (si.index >= e.components.size()) return oob();
      it.component = e.components[si.index];
      return it;
    }
    case ast::SortKind::Instance:
      if (si.index >= e.instances.size()) return oob();
      it.instance = e.instances[si.index];
      return it;
    case ast::SortKind::Value:
      return it;
  }
  return oob();
}

// Push an item into the index space of its sort.
Result<void> push_item(Env& e, const ast::Sort& sort, const Item& it) {
  switch (sort.kind) {
    case ast::SortKind::Core:
      if (sort.core == ast::CoreSort::Module) { e.core_modules.push_back(it.module); return {}; }
      return fail("unexpected core item");
    case ast::SortKind::Func:
      if (it.kind != ItemKind::Func || !it.func) return fail("expected a func");
      e.funcs.push_back(it.func);
      return {};
    case ast::SortKind::Type: {
      TypeSlot s;
      if (it.is_resource) { s.k = TypeSlot::Resource; s.res = it.resource; }
      else { s.k = TypeSlot::Value; s.val = it.type; }
      e.types.push_back(std::move(s));
      return {};
    }
    case ast::SortKind::Component: {
      auto d = std::static_pointer_cast<const ComponentDef>(it.component);
      e.components.push_back(d);
      return {};
    }
    case ast::SortKind::Instance:
      if (!it.instance) return fail("expected an instance");
      e.instances.push_back(it.instance);
      return {};
    case ast::SortKind::Value:
      ++e.values;
      return {};
  }
  return {};
}

Result<CanonOpts> canon_opts(Env& e, const std::vector<ast::CanonOpt>& opts) {
  CanonOpts o;
  for (auto& x : opts) {
    switch (x.kind) {
      case ast::CanonOptKind::Utf8: o.encoding = Encoding::Utf8; break;
      case ast::CanonOptKind::Utf16: o.encoding = Encoding::Utf16; break;
      case ast::CanonOptKind::Latin1Utf16: o.encoding = Encoding::Latin1Utf16; break;
      case ast::CanonOptKind::Memory:
        if (x.index >= e.core_memories.size()) return fail("memory index out of bounds");
        o.memory = e.core_memories[x.index];
        break;
      case ast::CanonOptKind::Realloc:
        if (x.index >= e.core_funcs.size()) return fail("func index out of bounds");
        o.realloc = e.core_funcs[x.index].f;
        break;
      case ast::CanonOptKind::PostReturn:
        if (x.index >= e.core_funcs.size()) return fail("func index out of bounds");
        o.post_return = e.core_funcs[x.index].f;
        break;
      case ast::CanonOptKind::Async: o.async = true; break;
      case ast::CanonOptKind::Callback:
        if (x.index >= e.core_funcs.size()) return fail("func index out of bounds");
        o.callback = e.core_funcs[x.index].f;
        break;
      case ast::CanonOptKind::CoreType: break;
      default:
        return fail("unsupported canonical option (gc)");
    }
  }
  return o;
}

Result<void> run(Ctx& cx, std::shared_ptr<Env> env, const ItemMap* args, const std::string& root_name);

Result<InstanceImpl*> instantiate_def(Ctx& cx, const ComponentDef& def, ItemMap args, InstanceImpl* parent, std::string name) {
  auto env = std::make_shared<Env>();
  env->parent = def.outer;
  env->c = def.c;
  env->self = cx.new_instance(parent, std::move(name));
  cx.st().keep.push_back(env);
  COMPONO_CHECK(run(cx, env, &args, ""));
  return env->self;
}

// Find a linker instance definition map compatible with `name`.
const std::map<std::string, LinkerDef, std::less<>>* linker_instance(const LinkerImpl& l, std::string_view name) {
  auto it = l.defs.find(name);
  if (it != l.defs.end()) return &it->second;
  std::string base, ver;
  split_version(name, base, ver);
  if (ver.empty()) return nullptr;
  const std::map<std::string, LinkerDef, std::less<>>* best = nullptr;
  std::string best_ver;
  for (auto& [k, v] : l.defs) {
    std::string b2, v2;
    split_version(k, b2, v2);
    if (b2 != base || v2.empty() || !semver_compatible(ver, v2)) continue;
    if (!best || compare_versions(v2, best_ver) > 0) { best = &v; best_ver = v2; }
  }
  return best;
}
InstanceImpl* linker_whole_instance(const LinkerImpl& l, std::string_view name) {
  auto it = l.instances.find(name);
  if (it != l.instances.end()) return it->second;
  std::string base, ver;
  split_version(name, base, ver);
  if (ver.empty()) return nullptr;
  for (auto& [k, v] : l.instances) {
    std::string b2, v2;
    split_version(k, b2, v2);
    if (b2 == base && !v2.empty() && semver_compatible(ver, v2)) return v;
  }
  return nullptr;
}

bool same_func_type(const FuncType& a, const FuncType& b) {
  if (a.params.size() != b.params.size() || a.result.has_value() != b.result.has_value()) return false;
  for (size_t i = 0; i < a.params.size(); ++i)
    if (!(a.params[i].second == b.params[i].second)) return false;
  return !a.result || *a.result == *b.result;
}

Result<FuncImpl*> host_func(Ctx& cx, const LinkerDef& d, FuncType ft, std::string name) {
  if (d.type && !same_func_type(*d.type, ft))
    return fail("import `" + name + "` has the wrong type: the component expects " + ft.to_string() +
                ", the host defines " + d.type->to_string());
  FuncImpl* f = cx.new_func();
  f->name = std::move(name);
  f->type = std::move(ft);
  f->host = d.fn;
  return f;
}

// Build an imported instance from the linker's definitions, following the
// import's instance type.
Result<InstanceImpl*> host_instance(Ctx& cx, Env& env, const std::string& iname, const ast::TypeDef& it) {
  if (InstanceImpl* whole = linker_whole_instance(*cx.linker, iname)) return whole;
  const auto* defs = linker_instance(*cx.linker, iname);
  if (!defs) return fail("missing import: instance `" + iname + "` is not defined in the linker");
  InstanceImpl* inst = cx.new_instance(nullptr, iname);
  std::vector<TypeSlot> local;
  for (auto& d : it.decls) {
    switch (d.kind) {
      case ast::Decl::CoreType: break;
      case ast::Decl::Type: {
        COMPONO_TRY(TypeSlot s, deftype(d.type, local, nullptr));
        local.push_back(std::move(s));
        break;
      }
      case ast::Decl::Alias: {
        if (d.alias.target == ast::Alias::Outer && d.alias.sort.kind == ast::SortKind::Type) {
          Env* e = &env;
          // outer count 1 = the enclosing component (instance type decls are one level in).
          for (uint32_t k = 1; k < d.alias.outer_count && e; ++k) e = e->parent;
          if (!e || d.alias.outer_index >= e->types.size()) return fail("outer alias out of bounds");
          local.push_back(e->types[d.alias.outer_index]);
        } else if (d.alias.target == ast::Alias::Export && d.alias.sort.kind == ast::SortKind::Type) {
          local.push_back(TypeSlot{});
        }
        break;
      }
      case ast::Decl::Export: {
        const std::string& en = d.name.name;
        if (d.desc.kind == ast::ExternKind::Type) {
          if (d.desc.sub_resource) {
            auto di = defs->find(en);
            if (di == defs->end() || di->second.kind != ItemKind::Type)
              return fail("missing import: resource `" + en + "` of instance `" + iname + "` is not defined in the linker");
            TypeSlot s;
            s.k = TypeSlot::Resource;
            s.res = di->second.resource;
            local.push_back(s);
            Item item;
            item.kind = ItemKind::Type;
            item.is_resource = true;
            item.resource = s.res;
            inst->exports[en] = item;
          } else {
            if (d.desc.index >= local.size()) return fail("type index out of bounds");
            local.push_back(local[d.desc.index]);
            Item item;
            item.kind = ItemKind::Type;
            if (local.back().k == TypeSlot::Resource) { item.is_resource = true; item.resource = local.back().res; }
            else item.type = local.back().val;
            inst->exports[en] = item;
          }
        } else if (d.desc.kind == ast::ExternKind::Func) {
          auto di = defs->find(en);
          if (di == defs->end() || di->second.kind != ItemKind::Func)
            return fail("missing import: function `" + en + "` of instance `" + iname + "` is not defined in the linker");
          if (d.desc.index >= local.size() || local[d.desc.index].k != TypeSlot::Func) return fail("bad function type index");
          Item item;
          item.kind = ItemKind::Func;
          COMPONO_TRY(item.func, host_func(cx, di->second, local[d.desc.index].func, iname + "#" + en));
          inst->exports[en] = item;
        } else {
          return fail("unsupported import: `" + iname + "` exports a " + ast::to_string(d.desc.kind));
        }
        break;
      }
      case ast::Decl::Import: break;
    }
  }
  return inst;
}

Result<Item> resolve_import(Ctx& cx, Env& env, const ast::Import& imp, const ItemMap* args) {
  const std::string& name = imp.name.name;
  if (args) {
    const Item* it = find_item(*args, name);
    if (!it) return fail("missing import: `" + name + "`");
    return *it;
  }
  // Root component: from the linker.
  Item item;
  switch (imp.desc.kind) {
    case ast::ExternKind::Func: {
      item.kind = ItemKind::Func;
      const auto* defs = linker_instance(*cx.linker, "");
      const LinkerDef* d = nullptr;
      if (defs) {
        auto f = defs->find(name);
        if (f != defs->end() && f->second.kind == ItemKind::Func) d = &f->second;
      }
      if (!d) return fail("missing import: function `" + name + "` is not defined in the linker");
      if (imp.desc.index >= env.types.size() || env.types[imp.desc.index].k != TypeSlot::Func) return fail("bad function type index");
      COMPONO_TRY(item.func, host_func(cx, *d, env.types[imp.desc.index].func, name));
      return item;
    }
    case ast::ExternKind::Instance: {
      item.kind = ItemKind::Instance;
      if (imp.desc.index >= env.types.size() || env.types[imp.desc.index].k != TypeSlot::Instance)
        return fail("bad instance type index");
      COMPONO_TRY(item.instance, host_instance(cx, env, name, *env.types[imp.desc.index].def));
      return item;
    }
    case ast::ExternKind::Type: {
      item.kind = ItemKind::Type;
      const auto* defs = linker_instance(*cx.linker, "");
      if (defs) {
        auto f = defs->find(name);
        if (f != defs->end() && f->second.kind == ItemKind::Type) {
          item.is_resource = true;
          item.resource = f->second.resource;
          return item;
        }
      }
      if (!imp.desc.sub_resource && imp.desc.index < env.types.size()) {
        auto& s = env.types[imp.desc.index];
        if (s.k == TypeSlot::Resource) { item.is_resource = true; item.resource = s.res; }
        else item.type = s.val;
        return item;
      }
      return fail("missing import: resource type `" + name + "` is not defined in the linker");
    }
    case ast::ExternKind::Module: {
      item.kind = ItemKind::Module;
      const auto* defs = linker_instance(*cx.linker, "");
      if (defs) {
        auto f = defs->find(name);
        if (f != defs->end() && f->second.kind == ItemKind::Module) { item.module = f->second.module; return item; }
      }
      return fail("missing import: module `" + name + "` is not defined in the linker");
    }
    default:
      return fail("unsupported import kind for `" + name + "`: " + ast::to_string(imp.desc.kind));
  }
}

Result<wasm::Extern> core_export(Ctx& cx, Env& e, uint32_t inst, std::string_view name, const wasm::ExternType* want) {
  if (inst >= e.core_instances.size()) return fail("core instance index out of bounds");
  CoreInst& ci = e.core_instances[inst];
  if (ci.inst) {
    auto x = ci.inst.get_export(name);
    if (!x) return fail("core instance has no export `" + std::string(name) + "`");
    return *x;
  }
  auto p = ci.pending.find(name);
  if (p != ci.pending.end()) {
    if (!want || want->kind != wasm::ExternKind::Func) return fail("cannot use built-in `" + p->second.what + "` here");
    return wasm::Extern(make_unsupported_builtin(cx.store, e.self, want->func, p->second.what));
  }
  auto x = ci.exports.find(name);
  if (x == ci.exports.end()) return fail("core instance has no export `" + std::string(name) + "`");
  return x->second;
}

Result<void> run(Ctx& cx, std::shared_ptr<Env> envp, const ItemMap* args, const std::string&) {
  Env& e = *envp;
  const ast::Component& c = *e.c;
  for (const ast::Item& item : c.items) {
    switch (item.kind) {
      case ast::Item::Custom: break;
      case ast::Item::CoreModule: {
        COMPONO_TRY(wasm::Module m, cx.root.module(c, item.index));
        e.core_modules.push_back(m);
        break;
      }
      case ast::Item::CoreType: ++e.core_types; break;
      case ast::Item::Component: {
        auto d = std::make_shared<ComponentDef>();
        d->c = &c.components[item.index];
        d->outer = envp.get();
        e.components.push_back(d);
        break;
      }
      case ast::Item::CoreInstance: {
        const ast::CoreInstance& ci = c.core_instances[item.index];
        CoreInst out;
        if (ci.instantiate) {
          if (ci.module >= e.core_modules.size()) return fail("module index out of bounds");
          const wasm::Module& m = e.core_modules[ci.module];
          std::vector<wasm::Extern> imports;
          for (auto& imp : m.imports()) {
            const ast::CoreInstance::Arg* arg = nullptr;
            for (auto& a : ci.args) if (a.name == imp.module) { arg = &a; break; }
            if (!arg) return fail("missing core import module `" + imp.module + "`");
            COMPONO_TRY(wasm::Extern x, core_export(cx, e, arg->instance, imp.name, &imp.type));
            imports.push_back(x);
          }
          auto inst = wasm::Instance::create(cx.store.core(), m, imports);
          if (!inst) return fail(inst.error().message);
          out.inst = *inst;
        } else {
          for (auto& x : ci.exports) {
            uint32_t i = x.item.index;
            switch (x.item.sort) {
              case ast::CoreSort::Func:
                if (i >= e.core_funcs.size()) return fail("core func index out of bounds");
                if (e.core_funcs[i].pending) out.pending[x.name] = e.core_funcs[i];
                else out.exports[x.name] = wasm::Extern(e.core_funcs[i].f);
                break;
              case ast::CoreSort::Table:
                if (i >= e.core_tables.size()) return fail("core table index out of bounds");
                out.exports[x.name] = wasm::Extern(e.core_tables[i]);
                break;
              case ast::CoreSort::Memory:
                if (i >= e.core_memories.size()) return fail("core memory index out of bounds");
                out.exports[x.name] = wasm::Extern(e.core_memories[i]);
                break;
              case ast::CoreSort::Global:
                if (i >= e.core_globals.size()) return fail("core global index out of bounds");
                out.exports[x.name] = wasm::Extern(e.core_globals[i]);
                break;
              case ast::CoreSort::Tag:
                if (i >= e.core_tags.size()) return fail("core tag index out of bounds");
                out.exports[x.name] = wasm::Extern(e.core_tags[i]);
                break;
              default: return fail("unsupported core export sort");
            }
          }
        }
        e.core_instances.push_back(std::move(out));
        break;
      }
      case ast::Item::Instance: {
        const ast::Instance& in = c.instances[item.index];
        if (in.instantiate) {
          if (in.component >= e.components.size()) return fail("component index out of bounds");
          ItemMap a;
          for (auto& arg : in.args) {
            COMPONO_TRY(Item it, item_of(e, arg.item));
            a[arg.name] = it;
          }
          COMPONO_TRY(InstanceImpl* child, instantiate_def(cx, *e.components[in.component], std::move(a), e.self, ""));
          e.instances.push_back(child);
        } else {
          InstanceImpl* bag = cx.new_instance(e.self, "");
          for (auto& x : in.exports) {
            COMPONO_TRY(Item it, item_of(e, x.item));
            bag->exports[x.name.name] = it;
          }
          e.instances.push_back(bag);
        }
        break;
      }
      case ast::Item::Alias: {
        const ast::Alias& al = c.aliases[item.index];
        if (al.target == ast::Alias::Export) {
          if (al.instance >= e.instances.size()) return fail("instance index out of bounds");
          const Item* it = find_item(e.instances[al.instance]->exports, al.name);
          if (!it) return fail("instance has no export `" + al.name + "`");
          COMPONO_CHECK(push_item(e, al.sort, *it));
        } else if (al.target == ast::Alias::CoreExport) {
          if (al.instance >= e.core_instances.size()) return fail("core instance index out of bounds");
          CoreInst& ci = e.core_instances[al.instance];
          if (al.sort.core == ast::CoreSort::Func && !ci.inst && ci.pending.count(al.name)) {
            e.core_funcs.push_back(ci.pending[al.name]);
            break;
          }
          COMPONO_TRY(wasm::Extern x, core_export(cx, e, al.instance, al.name, nullptr));
          switch (al.sort.core) {
            case ast::CoreSort::Func: e.core_funcs.push_back(CoreFunc{x.func(), false, ""}); break;
            case ast::CoreSort::Table: e.core_tables.push_back(x.table()); break;
            case ast::CoreSort::Memory: e.core_memories.push_back(x.memory()); break;
            case ast::CoreSort::Global: e.core_globals.push_back(x.global()); break;
            case ast::CoreSort::Tag:
              if (x.kind() != wasm::ExternKind::Tag) return fail("core export `" + al.name + "` is not a tag");
              e.core_tags.push_back(x.tag());
              break;
            default: return fail("unsupported core alias sort");
          }
        } else {
          Env* o = &e;
          for (uint32_t k = 0; k < al.outer_count && o; ++k) o = o->parent;
          if (!o) return fail("outer alias out of bounds");
          uint32_t i = al.outer_index;
          if (al.sort.kind == ast::SortKind::Type) {
            if (i >= o->types.size()) return fail("outer type index out of bounds");
            e.types.push_back(o->types[i]);
          } else if (al.sort.kind == ast::SortKind::Component) {
            if (i >= o->components.size()) return fail("outer component index out of bounds");
            e.components.push_back(o->components[i]);
          } else if (al.sort.kind == ast::SortKind::Core && al.sort.core == ast::CoreSort::Module) {
            if (i >= o->core_modules.size()) return fail("outer module index out of bounds");
            e.core_modules.push_back(o->core_modules[i]);
          } else if (al.sort.kind == ast::SortKind::Core && al.sort.core == ast::CoreSort::Type) {
            ++e.core_types;
          } else {
            return fail("unsupported outer alias");
          }
        }
        break;
      }
      case ast::Item::Type: {
        const ast::TypeDef& d = c.types[item.index];
        COMPONO_TRY(TypeSlot s, deftype(d, e.types, envp));
        if (d.kind == ast::TypeKind::Resource) {
          auto impl = std::make_shared<ResourceTypeImpl>();
          impl->host = false;
          impl->impl = e.self;
          if (d.dtor) {
            if (*d.dtor >= e.core_funcs.size()) return fail("dtor index out of bounds");
            impl->guest_dtor = e.core_funcs[*d.dtor].f;
          }
          s.res = ResourceType(impl);
        }
        e.types.push_back(std::move(s));
        break;
      }
      case ast::Item::Canon: {
        const ast::Canon& cn = c.canons[item.index];
        switch (cn.kind) {
          case ast::CanonKind::Lift: {
            if (cn.func >= e.core_funcs.size()) return fail("core func index out of bounds");
            if (cn.type >= e.types.size() || e.types[cn.type].k != TypeSlot::Func) return fail("lift: not a function type");
            COMPONO_TRY(CanonOpts o, canon_opts(e, cn.opts));
            FuncImpl* f = cx.new_func();
            f->type = e.types[cn.type].func;
            f->core = e.core_funcs[cn.func].f;
            if (!f->core) return fail("lift of an unsupported built-in");
            f->opts = o;
            f->inst = e.self;
            std::vector<Type> ps;
            for (auto& p : f->type.params) ps.push_back(p.second);
            f->flat_params = flat_count(ps);
            f->flat_results = f->type.result ? uint32_t(f->type.result->node()->flat.size()) : 0;
            e.funcs.push_back(f);
            break;
          }
          case ast::CanonKind::Lower: {
            if (cn.func >= e.funcs.size()) return fail("func index out of bounds");
            COMPONO_TRY(CanonOpts o, canon_opts(e, cn.opts));
            e.core_funcs.push_back(CoreFunc{make_lowered(cx.store, e.funcs[cn.func], e.self, o), false, ""});
            break;
          }
          case ast::CanonKind::ResourceNew: case ast::CanonKind::ResourceDrop: case ast::CanonKind::ResourceRep: {
            if (cn.type >= e.types.size() || e.types[cn.type].k != TypeSlot::Resource) return fail("not a resource type");
            ResourceType rt = e.types[cn.type].res;
            wasm::Func f = cn.kind == ast::CanonKind::ResourceNew ? make_resource_new(cx.store, e.self, rt)
                         : cn.kind == ast::CanonKind::ResourceDrop ? make_resource_drop(cx.store, e.self, rt)
                                                                    : make_resource_rep(cx.store, e.self, rt);
            e.core_funcs.push_back(CoreFunc{f, false, ""});
            break;
          }
          case ast::CanonKind::TaskReturn: {
            COMPONO_TRY(CanonOpts o, canon_opts(e, cn.opts));
            std::optional<Type> rt;
            if (cn.result) { COMPONO_TRY(Type t, valtype(*cn.result, e.types)); rt = t; }
            e.core_funcs.push_back(CoreFunc{make_task_return(cx.store, e.self, rt, o), false, ""});
            break;
          }
          case ast::CanonKind::ContextGet: case ast::CanonKind::ContextSet:
            e.core_funcs.push_back(CoreFunc{wasm::Func(), true, std::string(ast::to_string(cn.kind)) + ":" + std::to_string(cn.context_index)});
            break;
          default:
            e.core_funcs.push_back(CoreFunc{wasm::Func(), true, ast::to_string(cn.kind)});
            break;
        }
        break;
      }
      case ast::Item::Start: {
        const ast::Start& s = c.starts[item.index];
        if (s.func >= e.funcs.size()) return fail("start func index out of bounds");
        if (!s.args.empty() || s.results) return fail("start functions with values are not supported");
        auto r = call_func(cx.store, e.funcs[s.func], {}, {});
        if (!r) return fail(r.error().message);
        break;
      }
      case ast::Item::Import: {
        const ast::Import& imp = c.imports[item.index];
        COMPONO_TRY(Item it, resolve_import(cx, e, imp, args));
        ast::Sort sort;
        switch (imp.desc.kind) {
          case ast::ExternKind::Module: sort = ast::Sort{ast::SortKind::Core, ast::CoreSort::Module}; break;
          case ast::ExternKind::Func: sort.kind = ast::SortKind::Func; break;
          case ast::ExternKind::Value: sort.kind = ast::SortKind::Value; break;
          case ast::ExternKind::Type: sort.kind = ast::SortKind::Type; break;
          case ast::ExternKind::Component: sort.kind = ast::SortKind::Component; break;
          case ast::ExternKind::Instance: sort.kind = ast::SortKind::Instance; break;
        }
        COMPONO_CHECK(push_item(e, sort, it));
        break;
      }
      case ast::Item::Export: {
        const ast::Export& ex = c.exports[item.index];
        COMPONO_TRY(Item it, item_of(e, ex.item));
        if (it.kind == ItemKind::Func && it.func && it.func->name.empty()) it.func->name = ex.name.name;
        e.self->exports[ex.name.name] = it;
        COMPONO_CHECK(push_item(e, ex.item.sort, it));
        break;
      }
    }
  }
  return {};
}

const char* kind_name(ast::ExternKind k) { return ast::to_string(k); }

ItemKind map_kind(ast::ExternKind k) {
  switch (k) {
    case ast::ExternKind::Module: return ItemKind::Module;
    case ast::ExternKind::Func: return ItemKind::Func;
    case ast::ExternKind::Value: return ItemKind::Value;
    case ast::ExternKind::Type: return ItemKind::Type;
    case ast::ExternKind::Component: return ItemKind::Component;
    case ast::ExternKind::Instance: return ItemKind::Instance;
  }
  return ItemKind::Func;
}

std::vector<ItemInfo> infos(const std::vector<ComponentInfo::Entry>& es) {
  std::vector<ItemInfo> out;
  for (auto& e : es) out.push_back(ItemInfo{e.name, map_kind(e.kind), e.type});
  return out;
}

}  // namespace

Result<std::shared_ptr<const ComponentImpl>> compile_component(std::span<const uint8_t> bytes) {
  COMPONO_TRY(ast::Component c, ast::decode(bytes));
  COMPONO_TRY(ComponentInfo info, ast::validate(c));
  auto impl = std::make_shared<ComponentImpl>();
  impl->root = std::make_shared<const ast::Component>(std::move(c));
  impl->info = std::move(info);
  return std::shared_ptr<const ComponentImpl>(impl);
}

std::vector<ItemInfo> component_imports(const ComponentImpl& c) { return infos(c.info.imports); }
std::vector<ItemInfo> component_exports(const ComponentImpl& c) { return infos(c.info.exports); }

std::string component_wit(const ComponentImpl& c) {
  std::string s = "world root {\n";
  auto line = [&](const char* dir, const ComponentInfo::Entry& e) {
    s += "  ";
    s += dir;
    s += " ";
    s += e.name;
    s += ": ";
    if (e.kind == ast::ExternKind::Instance) {
      std::string t = e.type;
      if (t.rfind("instance", 0) == 0) t = "interface" + t.substr(8);
      s += t;
    } else if (e.kind == ast::ExternKind::Func) {
      s += e.type + ";";
    } else if (e.kind == ast::ExternKind::Type) {
      s += e.type + ";";
    } else {
      s += std::string(kind_name(e.kind)) + " " + e.type + ";";
    }
    s += "\n";
  };
  for (auto& e : c.info.imports) line("import", e);
  for (auto& e : c.info.exports) line("export", e);
  s += "}\n";
  return s;
}

Result<InstanceImpl*> instantiate(Store& store, const LinkerImpl& linker, const ComponentImpl& c) {
  Ctx cx{store, c, &linker};
  auto env = std::make_shared<Env>();
  env->c = c.root.get();
  env->self = cx.new_instance(nullptr, "");
  // Keep the AST alive as long as the store.
  store.state()->keep.push_back(c.root);
  store.state()->keep.push_back(env);
  COMPONO_CHECK(run(cx, env, nullptr, ""));
  return env->self;
}

}  // namespace compono::component::detail
