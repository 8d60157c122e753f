// WIT resolver: AstFiles -> Resolve.  Also the file-system loader.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "wit/ast.h"

namespace compono::wit {
namespace detail {
namespace {

namespace fs = std::filesystem;

bool gate_active(const Stability& s, const Options& o) {
  if (s.kind != Stability::Kind::Unstable) return true;
  if (o.all_features) return true;
  for (auto& f : o.features)
    if (f == s.feature) return true;
  return false;
}

// One package to resolve: its name and the bodies (one per file) it is made of.
struct PendingPackage {
  AstPackageName name;
  Docs docs;
  std::vector<const AstBody*> bodies;
  std::string location;  // for "defined in two places" errors
  PackageId id = kNoId;
};

const char* item_kind_name(WorldItemKind k) {
  switch (k) {
    case WorldItemKind::Interface: return "interface";
    case WorldItemKind::Function: return "func";
    case WorldItemKind::Type: return "type";
  }
  return "item";
}

enum class State : std::uint8_t { Todo, Busy, Done };

// Lookup entry in an interface's or world's type namespace.
struct NameEntry {
  enum class K : std::uint8_t { Type, Func, Excluded } k = K::Type;
  TypeId id = kNoId;
  std::int32_t def = -1;  // index into the AST typedefs when it is a local definition
  Span span;
};

class PackageResolver;

// Resolves one package at a time into the shared Resolve.
class Resolver {
 public:
  Resolver(const SourceMap& sm, Resolve& r, const Options& o) : sm_(sm), r_(r), opts_(o) {}

  const SourceMap& sm_;
  Resolve& r_;
  const Options& opts_;
  std::unordered_map<std::string, TypeId> anon_;  // structural key -> anonymous type
  // Names excluded by feature gates, per interface id (for better errors).
  std::unordered_map<InterfaceId, std::unordered_set<std::string>> excluded_in_iface_;
  std::unordered_map<InterfaceId, std::unordered_set<std::string>> funcs_in_iface_;

  Failure err(Span s, std::string_view msg) const { return fail(sm_.format(s.file, s.offset, msg)); }

  PackageId lookup_package(const PackageName& n) const {
    PackageId exact = r_.find_package(n);
    if (exact != kNoId || !n.version.empty()) return exact;
    PackageId found = kNoId;
    for (std::size_t i = 0; i < r_.packages.size(); ++i) {
      const PackageName& p = r_.packages[i].name;
      if (p.ns == n.ns && p.name == n.name) {
        if (found != kNoId) return kNoId;
        found = static_cast<PackageId>(i);
      }
    }
    return found;
  }

  std::string known_packages() const {
    std::string s;
    for (auto& p : r_.packages) s += "\n    " + p.name.to_string();
    return s;
  }

  // ---- anonymous types
  static void key_type(std::string& k, Type t) {
    if (t.is_def()) {
      k += 'd';
      k += std::to_string(t.id);
    } else {
      k += 'p';
      k += std::to_string(static_cast<int>(t.kind));
    }
    k += ',';
  }
  static void key_opt(std::string& k, const std::optional<Type>& t) {
    if (t) key_type(k, *t);
    else k += "_,";
  }

  Type anon(TypeDef&& d) {
    std::string k;
    k += static_cast<char>('A' + static_cast<int>(d.kind));
    switch (d.kind) {
      case TypeDefKind::Handle:
        k += d.handle_kind == HandleKind::Own ? 'o' : 'b';
        key_type(k, d.type);
        break;
      case TypeDefKind::Tuple:
        for (auto& t : d.types) key_type(k, t);
        break;
      case TypeDefKind::Option:
      case TypeDefKind::List:
        key_type(k, d.type);
        break;
      case TypeDefKind::FixedList:
        key_type(k, d.type);
        k += std::to_string(d.length);
        break;
      case TypeDefKind::Map:
        key_type(k, d.key);
        key_type(k, d.type);
        break;
      case TypeDefKind::Result:
        key_opt(k, d.ok);
        key_opt(k, d.err);
        break;
      case TypeDefKind::Future:
      case TypeDefKind::Stream:
        key_opt(k, d.payload);
        break;
      default:
        break;
    }
    auto it = anon_.find(k);
    if (it != anon_.end()) return Type::def(it->second);
    TypeId id = static_cast<TypeId>(r_.types.size());
    r_.types.push_back(std::move(d));
    anon_.emplace(std::move(k), id);
    return Type::def(id);
  }

  bool is_resource(Type t) const {
    t = r_.unalias(t);
    return t.is_def() && r_.types[t.id].kind == TypeDefKind::Resource;
  }

  // Does `t` contain a borrow handle (anywhere, not through resources)?
  bool contains_borrow(Type t, int depth = 0) const {
    if (!t.is_def() || depth > 200) return false;
    const TypeDef& d = r_.types[t.id];
    switch (d.kind) {
      case TypeDefKind::Handle: return d.handle_kind == HandleKind::Borrow;
      case TypeDefKind::Alias:
      case TypeDefKind::List:
      case TypeDefKind::FixedList:
      case TypeDefKind::Option: return contains_borrow(d.type, depth + 1);
      case TypeDefKind::Map: return contains_borrow(d.key, depth + 1) || contains_borrow(d.type, depth + 1);
      case TypeDefKind::Record:
        for (auto& f : d.fields)
          if (contains_borrow(f.type, depth + 1)) return true;
        return false;
      case TypeDefKind::Variant:
        for (auto& c : d.cases)
          if (c.type && contains_borrow(*c.type, depth + 1)) return true;
        return false;
      case TypeDefKind::Tuple:
        for (auto& x : d.types)
          if (contains_borrow(x, depth + 1)) return true;
        return false;
      case TypeDefKind::Result:
        return (d.ok && contains_borrow(*d.ok, depth + 1)) || (d.err && contains_borrow(*d.err, depth + 1));
      case TypeDefKind::Future:
      case TypeDefKind::Stream: return false;
      default: return false;
    }
  }
};

// Type namespace of one interface or world while it is being resolved.
struct Scope {
  Owner owner;
  std::unordered_map<std::string_view, NameEntry> names;
  const std::vector<AstTypeDef>* defs = nullptr;
  std::vector<TypeId> def_ids;
  std::vector<State> def_state;
  bool in_func = false;  // resolving a function signature (changes error wording)
  // Interfaces list their types in dependency order: `topo` collects them.
  std::vector<std::pair<std::string, TypeId>>* topo = nullptr;
  std::unordered_set<TypeId> placed;
  struct Edge {
    std::int32_t target;
    Span span;
    std::string_view name;
  };
  std::vector<Edge> stack;  // references being followed (for cycle errors)
  void place(std::string_view name, TypeId id) {
    if (topo && placed.insert(id).second) topo->push_back({std::string(name), id});
  }
};

class PackageResolver {
 public:
  PackageResolver(Resolver& r, PendingPackage& p) : R(r), rs(r.r_), pkg(p) {}

  Resolver& R;
  Resolve& rs;
  PendingPackage& pkg;

  struct ItemRef {
    bool is_world = false;
    std::uint32_t body = 0, idx = 0;
    Span span;
  };
  std::unordered_map<std::string_view, ItemRef> items_;
  std::unordered_set<std::string_view> excluded_items_;
  std::vector<std::unordered_map<std::string_view, const AstTopUse*>> file_uses_;
  std::map<std::pair<std::uint32_t, std::uint32_t>, State> iface_state_, world_state_;
  std::map<std::pair<std::uint32_t, std::uint32_t>, Id> iface_id_, world_id_;

  Result<void> run() {
    Package p;
    p.name = pkg.name.name;
    p.docs = pkg.docs;
    pkg.id = static_cast<PackageId>(rs.packages.size());
    rs.packages.push_back(std::move(p));
    // register items
    for (std::uint32_t b = 0; b < pkg.bodies.size(); ++b) {
      const AstBody& body = *pkg.bodies[b];
      auto add = [&](const Ident& name, bool world, std::uint32_t idx, const Gate& g) -> Result<void> {
        COMPONO_CHECK(check_since(g));
        if (!gate_active(g.stability, R.opts_)) {
          excluded_items_.insert(name.name);
          if (!world) {
            for (const AstTypeDef& td : body.interfaces[idx].types)
              if (td.gate.stability.kind != Stability::Kind::Unstable)
                return R.err(td.name.span, "found a reference to a interface which is excluded due to its feature not being "
                                           "activated; this type is not gated by a feature but its interface is");
          }
          return {};
        }
        auto [it, fresh] = items_.emplace(name.name, ItemRef{world, b, idx, name.span});
        if (!fresh) return R.err(name.span, "duplicate item named `" + std::string(name.name) + "`");
        return {};
      };
      for (std::uint32_t i = 0; i < body.interfaces.size(); ++i)
        COMPONO_CHECK(add(body.interfaces[i].name, false, i, body.interfaces[i].gate));
      for (std::uint32_t i = 0; i < body.worlds.size(); ++i)
        COMPONO_CHECK(add(body.worlds[i].name, true, i, body.worlds[i].gate));
    }
    file_uses_.resize(pkg.bodies.size());
    for (std::uint32_t b = 0; b < pkg.bodies.size(); ++b) {
      for (const AstTopUse& u : pkg.bodies[b]->uses) {
        auto clash = items_.find(u.as.name);
        if ((clash != items_.end() && clash->second.body == b) || !file_uses_[b].emplace(u.as.name, &u).second)
          return R.err(u.as.span, "duplicate name `" + std::string(u.as.name) + "` in this file");
      }
    }
    // resolve everything in declaration order (dependencies first, recursively)
    for (std::uint32_t b = 0; b < pkg.bodies.size(); ++b) {
      const AstBody& body = *pkg.bodies[b];
      for (std::uint32_t i = 0; i < body.interfaces.size(); ++i) {
        if (!gate_active(body.interfaces[i].gate.stability, R.opts_)) continue;
        COMPONO_TRY(InterfaceId id, interface_at(b, i, nullptr));
        (void)id;
      }
      for (std::uint32_t i = 0; i < body.worlds.size(); ++i) {
        if (!gate_active(body.worlds[i].gate.stability, R.opts_)) continue;
        COMPONO_TRY(WorldId id, world_at(b, i, nullptr));
        (void)id;
      }
    }
    for (std::uint32_t b = 0; b < pkg.bodies.size(); ++b)
      for (const AstTopUse& u : pkg.bodies[b]->uses) {
        COMPONO_TRY(Target t, resolve_path(b, u.path, false, false));
        (void)t;
      }
    Package& out = rs.packages[pkg.id];
    for (std::uint32_t b = 0; b < pkg.bodies.size(); ++b) {
      const AstBody& body = *pkg.bodies[b];
      for (std::uint32_t i = 0; i < body.interfaces.size(); ++i) {
        auto it = iface_id_.find({b, i});
        if (it != iface_id_.end()) out.interfaces.push_back({std::string(body.interfaces[i].name.name), it->second});
      }
      for (std::uint32_t i = 0; i < body.worlds.size(); ++i) {
        auto it = world_id_.find({b, i});
        if (it != world_id_.end()) out.worlds.push_back({std::string(body.worlds[i].name.name), it->second});
      }
    }
    // dependency order, as the reference resolver lists them
    auto by_id = [](const auto& a, const auto& b) { return a.second < b.second; };
    std::sort(out.interfaces.begin(), out.interfaces.end(), by_id);  // ids are unique
    std::sort(out.worlds.begin(), out.worlds.end(), by_id);
    return {};
  }

  Result<void> check_since(const Gate& g) {
    if (!g.has_since) return {};
    const std::string& pv = pkg.name.name.version;
    if (pv.empty()) return {};
    if (compare_versions(g.stability.since, pv) > 0)
      return R.err(g.span, "feature gate cannot reference unreleased version " + g.stability.since + " of package [" +
                               pkg.name.name.to_string() + "] (current version " + pv + ")");
    return {};
  }

  // ---- paths

  struct Target {
    bool is_world = false;
    Id id = kNoId;
  };

  // Resolve a path (local or foreign) from file `body` to an interface or world.
  Result<Target> resolve_path(std::uint32_t body, const AstUsePath& p, bool want_world, bool file_uses = true) {
    if (p.foreign) {
      PackageId pid = R.lookup_package(p.package.name);
      if (pid == kNoId) {
        return R.err(p.span, "package '" + p.package.name.to_string() + "' not found. known packages:" + R.known_packages());
      }
      if (want_world) {
        WorldId w = rs.find_world(pid, p.name.name);
        if (w == kNoId)
          return R.err(p.name.span, "world '" + std::string(p.name.name) + "' not found in package '" +
                                        rs.packages[pid].name.to_string() + "'");
        return Target{true, w};
      }
      InterfaceId i = rs.find_interface(pid, p.name.name);
      if (i == kNoId)
        return R.err(p.name.span, "interface '" + std::string(p.name.name) + "' not found in package '" +
                                      rs.packages[pid].name.to_string() + "'");
      return Target{false, i};
    }
    std::string_view n = p.name.name;
    auto fu = file_uses_[body].find(n);
    if (file_uses && fu != file_uses_[body].end()) {
      const AstTopUse& u = *fu->second;
      return resolve_path(body, u.path, want_world, false);
    }
    auto it = items_.find(n);
    if (it == items_.end()) {
      if (excluded_items_.count(n))
        return R.err(p.name.span, std::string("found a reference to a ") + (want_world ? "world" : "interface") +
                                      " which is excluded due to its feature not being activated");
      return R.err(p.name.span, "interface or world `" + std::string(n) + "` does not exist");
    }
    const ItemRef& ref = it->second;
    if (ref.is_world != want_world) {
      return R.err(p.name.span, "name `" + std::string(n) + "` is defined as " +
                                    (ref.is_world ? "a world, not an interface" : "an interface, not a world"));
    }
    if (want_world) {
      COMPONO_TRY(WorldId w, world_at(ref.body, ref.idx, &p.name));
      return Target{true, w};
    }
    COMPONO_TRY(InterfaceId i, interface_at(ref.body, ref.idx, &p.name));
    return Target{false, i};
  }

  Result<InterfaceId> resolve_iface_path(std::uint32_t body, const AstUsePath& p) {
    COMPONO_TRY(Target t, resolve_path(body, p, false));
    return t.id;
  }

  struct ItemEdge {
    bool world;
    std::pair<std::uint32_t, std::uint32_t> key;
    Span span;
    std::string_view name;
  };
  std::vector<ItemEdge> istack_;

  Failure item_cycle(bool world, std::pair<std::uint32_t, std::uint32_t> key, const Ident* ref) {
    ItemEdge rep{world, key, ref ? ref->span : Span{}, ref ? ref->name : std::string_view{}};
    std::size_t k = istack_.size();
    for (std::size_t i = 0; i < istack_.size(); ++i)
      if (istack_[i].world == world && istack_[i].key == key) {
        k = i;
        break;
      }
    if (k == istack_.size()) {
      if (!istack_.empty()) rep = istack_[0];
    } else if (k + 1 < istack_.size()) {
      rep = istack_[k + 1];
    }
    return R.err(rep.span, "interface or world `" + std::string(rep.name) + "` depends on itself");
  }

  Result<InterfaceId> interface_at(std::uint32_t b, std::uint32_t i, const Ident* ref) {
    auto key = std::make_pair(b, i);
    State& st = iface_state_[key];
    const AstInterface& ai = pkg.bodies[b]->interfaces[i];
    if (st == State::Done) return iface_id_[key];
    if (st == State::Busy) return item_cycle(false, key, ref);
    if (istack_.size() > 400) return R.err(ref ? ref->span : ai.name.span, "interface dependencies nest too deep");
    st = State::Busy;
    if (ref) istack_.push_back({false, key, ref->span, ref->name});
    COMPONO_TRY(InterfaceId id, resolve_interface(b, ai, kNoId));
    if (ref) istack_.pop_back();
    iface_state_[key] = State::Done;
    iface_id_[key] = id;
    return id;
  }

  Result<WorldId> world_at(std::uint32_t b, std::uint32_t i, const Ident* ref) {
    auto key = std::make_pair(b, i);
    State& st = world_state_[key];
    const AstWorld& aw = pkg.bodies[b]->worlds[i];
    if (st == State::Done) return world_id_[key];
    if (st == State::Busy) return item_cycle(true, key, ref);
    if (istack_.size() > 400) return R.err(ref ? ref->span : aw.name.span, "world dependencies nest too deep");
    st = State::Busy;
    if (ref) istack_.push_back({true, key, ref->span, ref->name});
    COMPONO_TRY(WorldId id, resolve_world(b, aw));
    if (ref) istack_.pop_back();
    world_state_[key] = State::Done;
    world_id_[key] = id;
    return id;
  }

  // ---- uses

  // Adds alias types for a `use` into `scope`; returns the aliases' ids.
  Result<void> add_use(std::uint32_t body, const AstUse& u, Scope& scope, std::vector<std::pair<std::string, TypeId>>* order) {
    COMPONO_TRY(InterfaceId src, resolve_iface_path(body, u.path));
    const Interface& si = rs.interfaces[src];
    for (const AstUseName& n : u.names) {
      TypeId target = kNoId;
      for (auto& [tn, tid] : si.types)
        if (tn == n.name.name) {
          target = tid;
          break;
        }
      if (target == kNoId) {
        auto ex = R.excluded_in_iface_.find(src);
        if (ex != R.excluded_in_iface_.end() && ex->second.count(std::string(n.name.name)))
          return R.err(n.name.span, "found a reference to a type which is excluded due to its feature not being activated");
        if (u.path.foreign)
          return R.err(n.name.span, "type `" + std::string(n.name.name) + "` not defined in interface");
        auto fn = R.funcs_in_iface_.find(src);
        if (fn != R.funcs_in_iface_.end() && fn->second.count(std::string(n.name.name)))
          return R.err(n.name.span, "cannot import function `" + std::string(n.name.name) + "`");
        return R.err(n.name.span, "name `" + std::string(n.name.name) + "` does not exist");
      }
      const Ident& local = n.as ? *n.as : n.name;
      TypeDef d;
      d.name = std::string(local.name);
      d.kind = TypeDefKind::Alias;
      d.type = Type::def(target);
      d.owner = scope.owner;
      d.docs = u.docs;
      d.stability = u.gate.stability;
      TypeId id = static_cast<TypeId>(rs.types.size());
      rs.types.push_back(std::move(d));
      NameEntry e;
      e.k = NameEntry::K::Type;
      e.id = id;
      e.span = local.span;
      if (!scope.names.emplace(local.name, e).second)
        return R.err(local.span, "name `" + std::string(local.name) + "` is defined more than once");
      if (order) order->push_back({std::string(local.name), id});
    }
    return {};
  }

  // Allocates a placeholder for a local type definition.
  Result<void> add_typedef(const AstTypeDef& td, std::int32_t idx, Scope& scope,
                           std::vector<std::pair<std::string, TypeId>>* order) {
    TypeDef d;
    d.name = std::string(td.name.name);
    d.kind = td.k == AstTypeDef::K::Resource ? TypeDefKind::Resource : TypeDefKind::Alias;
    d.owner = scope.owner;
    d.docs = td.docs;
    d.stability = td.gate.stability;
    TypeId id = static_cast<TypeId>(rs.types.size());
    rs.types.push_back(std::move(d));
    scope.def_ids[static_cast<std::size_t>(idx)] = id;
    NameEntry e;
    e.k = NameEntry::K::Type;
    e.id = id;
    e.def = idx;
    e.span = td.name.span;
    if (!scope.names.emplace(td.name.name, e).second)
      return R.err(td.name.span, "name `" + std::string(td.name.name) + "` is defined more than once");
    if (order) order->push_back({std::string(td.name.name), id});
    return {};
  }

  // ---- types

  Result<TypeId> lookup_type(Scope& s, const Ident& name) {
    auto it = s.names.find(name.name);
    if (it == s.names.end() || (it->second.k == NameEntry::K::Func && !s.in_func))
      return R.err(name.span, std::string(s.in_func ? "name `" : "type `") + std::string(name.name) + "` does not exist");
    NameEntry& e = it->second;
    if (e.k == NameEntry::K::Func) return R.err(name.span, "cannot use function `" + std::string(name.name) + "` as a type");
    if (e.k == NameEntry::K::Excluded)
      return R.err(name.span, "found a reference to a type which is excluded due to its feature not being activated");
    if (e.def >= 0) {
      std::size_t di = static_cast<std::size_t>(e.def);
      if (s.def_state[di] == State::Busy) {
        // report the first reference that leaves the type where the cycle starts
        Scope::Edge rep{e.def, name.span, name.name};
        std::size_t k = s.stack.size();
        for (std::size_t i = 0; i < s.stack.size(); ++i)
          if (s.stack[i].target == e.def) {
            k = i;
            break;
          }
        if (k == s.stack.size()) {
          if (!s.stack.empty()) rep = s.stack[0];
        } else if (k + 1 < s.stack.size()) {
          rep = s.stack[k + 1];
        }
        return R.err(rep.span, "type `" + std::string(rep.name) + "` depends on itself");
      }
      if (s.stack.size() > 400) return R.err(name.span, "type nesting too deep");
      s.stack.push_back({e.def, name.span, name.name});
      COMPONO_CHECK(define(s, e.def, name.span));
      s.stack.pop_back();
    } else {
      s.place(name.name, e.id);
    }
    return e.id;
  }

  Result<Type> resolve_type(Scope& s, const AstType& t, bool alias_top = false) {
    auto sub = [&](std::size_t i) { return resolve_type(s, t.args[i]); };
    TypeDef d;
    switch (t.k) {
      case AstType::K::Prim: return Type::prim(t.prim);
      case AstType::K::Name: {
        COMPONO_TRY(TypeId id, lookup_type(s, t.name));
        if (!alias_top && R.is_resource(Type::def(id))) {
          d.kind = TypeDefKind::Handle;
          d.handle_kind = HandleKind::Own;
          d.type = Type::def(id);
          return R.anon(std::move(d));
        }
        return Type::def(id);
      }
      case AstType::K::Own:
      case AstType::K::Borrow: {
        COMPONO_TRY(TypeId id, lookup_type(s, t.name));
        if (!R.is_resource(Type::def(id))) {
          if (rs.types[id].kind == TypeDefKind::Alias && s.names.at(t.name.name).def < 0)
            return R.err(t.name.span, "type used in a handle must be a resource");
          return R.err(t.name.span, "type `" + std::string(t.name.name) + "` used in a handle must be a resource");
        }
        d.kind = TypeDefKind::Handle;
        d.handle_kind = t.k == AstType::K::Own ? HandleKind::Own : HandleKind::Borrow;
        d.type = Type::def(id);
        return R.anon(std::move(d));
      }
      case AstType::K::List:
      case AstType::K::Option:
      case AstType::K::FixedList: {
        COMPONO_TRY(Type e, sub(0));
        d.kind = t.k == AstType::K::List ? TypeDefKind::List
                 : t.k == AstType::K::Option ? TypeDefKind::Option
                                             : TypeDefKind::FixedList;
        d.type = e;
        d.length = t.length;
        return R.anon(std::move(d));
      }
      case AstType::K::Map: {
        COMPONO_TRY(Type k, sub(0));
        COMPONO_TRY(Type v, sub(1));
        Type uk = rs.unalias(k);
        bool ok = !uk.is_def() && uk.kind != Prim::F32 && uk.kind != Prim::F64 && uk.kind != Prim::ErrorContext;
        if (!ok)
          return R.err(t.args[0].span, "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, s32, s64, char, or string");
        d.kind = TypeDefKind::Map;
        d.key = k;
        d.type = v;
        return R.anon(std::move(d));
      }
      case AstType::K::Tuple: {
        d.kind = TypeDefKind::Tuple;
        for (std::size_t i = 0; i < t.args.size(); ++i) {
          COMPONO_TRY(Type e, sub(i));
          d.types.push_back(e);
        }
        return R.anon(std::move(d));
      }
      case AstType::K::Result: {
        d.kind = TypeDefKind::Result;
        std::size_t i = 0;
        if (t.has_ok) {
          COMPONO_TRY(Type e, sub(i++));
          d.ok = e;
        }
        if (t.has_err) {
          COMPONO_TRY(Type e, sub(i++));
          d.err = e;
        }
        return R.anon(std::move(d));
      }
      case AstType::K::Future:
      case AstType::K::Stream: {
        d.kind = t.k == AstType::K::Future ? TypeDefKind::Future : TypeDefKind::Stream;
        if (!t.args.empty()) {
          COMPONO_TRY(Type e, sub(0));
          d.payload = e;
        }
        return R.anon(std::move(d));
      }
    }
    return R.err(t.span, "unsupported type");
  }

  // Resolves the body of local type definition `idx` (depth-first, detecting cycles).
  Result<void> define(Scope& s, std::int32_t idx, Span from) {
    std::size_t i = static_cast<std::size_t>(idx);
    if (s.def_state[i] == State::Done) return {};
    const AstTypeDef& td = (*s.defs)[i];
    if (s.def_state[i] == State::Busy)
      return R.err(from, "type `" + std::string(td.name.name) + "` depends on itself");
    s.def_state[i] = State::Busy;
    TypeId id = s.def_ids[i];
    TypeDef d;  // filled below, then moved into place
    switch (td.k) {
      case AstTypeDef::K::Alias: {
        COMPONO_TRY(Type t, resolve_type(s, td.alias, true));
        d.kind = TypeDefKind::Alias;
        d.type = t;
        break;
      }
      case AstTypeDef::K::Record: {
        d.kind = TypeDefKind::Record;
        std::unordered_set<std::string_view> seen;
        for (auto& it : td.items) {
          if (!seen.insert(it.name.name).second)
            return R.err(it.name.span, "field `" + std::string(it.name.name) + "` is defined more than once");
          COMPONO_TRY(Type t, resolve_type(s, *it.type));
          d.fields.push_back(Field{std::string(it.name.name), t, it.docs});
        }
        break;
      }
      case AstTypeDef::K::Variant: {
        d.kind = TypeDefKind::Variant;
        std::unordered_set<std::string_view> seen;
        for (auto& it : td.items) {
          if (!seen.insert(it.name.name).second)
            return R.err(it.name.span, "case `" + std::string(it.name.name) + "` is defined more than once");
          Case c{std::string(it.name.name), std::nullopt, it.docs};
          if (it.type) {
            COMPONO_TRY(Type t, resolve_type(s, *it.type));
            c.type = t;
          }
          d.cases.push_back(std::move(c));
        }
        break;
      }
      case AstTypeDef::K::Enum:
      case AstTypeDef::K::Flags: {
        d.kind = td.k == AstTypeDef::K::Enum ? TypeDefKind::Enum : TypeDefKind::Flags;
        std::unordered_set<std::string_view> seen;
        for (auto& it : td.items) {
          if (!seen.insert(it.name.name).second)
            return R.err(it.name.span, "`" + std::string(it.name.name) + "` is defined more than once");
          d.names.push_back(Name{std::string(it.name.name), it.docs});
        }
        break;
      }
      case AstTypeDef::K::Resource:
        d.kind = TypeDefKind::Resource;
        break;
    }
    TypeDef& slot = rs.types[id];
    slot.kind = d.kind;
    slot.type = d.type;
    slot.fields = std::move(d.fields);
    slot.cases = std::move(d.cases);
    slot.names = std::move(d.names);
    s.def_state[i] = State::Done;
    s.place(td.name.name, id);
    return {};
  }

  // ---- functions

  Result<Function> make_function(Scope& s, const AstFunc& f, std::string name, std::string item_name,
                                 FunctionKind kind, TypeId resource, Span name_span, const Docs& docs,
                                 const Gate& gate) {
    struct InFunc {
      Scope& s;
      bool old;
      ~InFunc() { s.in_func = old; }
    } guard{s, s.in_func};
    s.in_func = true;
    Function fn;
    fn.name = std::move(name);
    fn.item_name = std::move(item_name);
    fn.kind = kind;
    fn.resource = resource;
    fn.is_async = f.is_async;
    fn.location = R.sm_.where(name_span.file, name_span.offset);
    fn.docs = docs;
    fn.stability = gate.stability;
    std::unordered_set<std::string_view> seen;
    if (kind == FunctionKind::Method) {
      TypeDef h;
      h.kind = TypeDefKind::Handle;
      h.handle_kind = HandleKind::Borrow;
      h.type = Type::def(resource);
      fn.params.push_back(Param{"self", R.anon(std::move(h))});
      seen.insert("self");
    }
    for (const AstParam& p : f.params) {
      if (!seen.insert(p.name.name).second)
        return R.err(p.name.span, "param `" + std::string(p.name.name) + "` is defined more than once");
      COMPONO_TRY(Type t, resolve_type(s, p.type));
      fn.params.push_back(Param{std::string(p.name.name), t});
    }
    if (kind == FunctionKind::Constructor) {
      TypeDef h;
      h.kind = TypeDefKind::Handle;
      h.handle_kind = HandleKind::Own;
      h.type = Type::def(resource);
      Type own = R.anon(std::move(h));
      if (f.result) {
        const AstType& rt = *f.result;
        if (rt.k != AstType::K::Result)
          return R.err(rt.span, "if a constructor return type is declared it must be a `result`");
        COMPONO_TRY(Type t, resolve_type(s, rt));
        const TypeDef& rd = rs.types[t.id];
        if (!rd.ok || !(*rd.ok == own)) {
          // allow an alias of the resource too
          bool same = false;
          if (rd.ok && rd.ok->is_def()) {
            const TypeDef& od = rs.types[rd.ok->id];
            same = od.kind == TypeDefKind::Handle && od.handle_kind == HandleKind::Own &&
                   R.r_.unalias(od.type) == R.r_.unalias(Type::def(resource));
          }
          if (!same) return R.err(rt.span, "the `ok` type must be the resource being constructed");
        }
        fn.result = t;
      } else {
        fn.result = own;
      }
    } else if (f.result) {
      COMPONO_TRY(Type t, resolve_type(s, *f.result));
      fn.result = t;
    }
    if (fn.result && R.contains_borrow(*fn.result))
      return R.err(f.result ? f.result->span : name_span,
                   "function `" + fn.name + "` returns a type which contains a `borrow<T>` which is not supported");
    return fn;
  }

  // Adds the functions of a resource typedef to `out`.
  Result<void> resource_functions(Scope& s, const AstTypeDef& td, TypeId rid, std::vector<Function>& out) {
    bool have_ctor = false;
    std::unordered_set<std::string> seen;
    for (const AstResourceFunc& rf : td.funcs) {
      COMPONO_CHECK(check_since(rf.gate));
      if (!gate_active(rf.gate.stability, R.opts_)) continue;
      std::string rn(td.name.name);
      std::string name, item;
      if (rf.kind == FunctionKind::Constructor) {
        if (have_ctor) return R.err(rf.name.span, "duplicate constructors");
        have_ctor = true;
        name = "[constructor]" + rn;
      } else {
        item = std::string(rf.name.name);
        if (!seen.insert(item).second) return R.err(rf.name.span, "duplicate function name `" + item + "`");
        name = (rf.kind == FunctionKind::Static ? "[static]" : "[method]") + rn + "." + item;
      }
      COMPONO_TRY(Function fn, make_function(s, rf.func, std::move(name), std::move(item), rf.kind, rid, rf.name.span,
                                             rf.docs, rf.gate));
      out.push_back(std::move(fn));
    }
    return {};
  }

  // ---- interfaces

  Result<InterfaceId> resolve_interface(std::uint32_t body, const AstInterface& ai, WorldId world) {
    COMPONO_CHECK(check_since(ai.gate));
    // resolve the interfaces this one uses first, so ids come out in dependency order
    for (const AstUse& u : ai.uses) {
      if (!gate_active(u.gate.stability, R.opts_)) continue;
      COMPONO_TRY(InterfaceId dep, resolve_iface_path(body, u.path));
      (void)dep;
    }
    InterfaceId id = static_cast<InterfaceId>(rs.interfaces.size());
    {
      Interface iface;
      iface.name = std::string(ai.name.name);
      iface.package = pkg.id;
      iface.world = world;
      iface.docs = ai.docs;
      iface.stability = ai.gate.stability;
      rs.interfaces.push_back(std::move(iface));
    }
    Scope s;
    s.owner = Owner{Owner::Kind::Interface, id};
    s.defs = &ai.types;
    s.def_ids.assign(ai.types.size(), kNoId);
    s.def_state.assign(ai.types.size(), State::Todo);
    std::vector<std::pair<std::string, TypeId>> decl_types;
    std::vector<std::pair<std::string, TypeId>> types;
    s.topo = &types;
    auto& excluded = R.excluded_in_iface_[id];
    auto& fnames = R.funcs_in_iface_[id];
    for (auto [k, idx] : ai.order) {
      switch (k) {
        case AstInterface::ItemK::Use: {
          const AstUse& u = ai.uses[idx];
          COMPONO_CHECK(check_since(u.gate));
          if (!gate_active(u.gate.stability, R.opts_)) {
            for (auto& n : u.names) {
              const Ident& local = n.as ? *n.as : n.name;
              excluded.insert(std::string(local.name));
              s.names.emplace(local.name, NameEntry{NameEntry::K::Excluded, kNoId, -1, local.span});
            }
            break;
          }
          COMPONO_CHECK(add_use(body, u, s, &decl_types));
          break;
        }
        case AstInterface::ItemK::Type: {
          const AstTypeDef& td = ai.types[idx];
          COMPONO_CHECK(check_since(td.gate));
          if (!gate_active(td.gate.stability, R.opts_)) {
            for (const AstResourceFunc& rf : td.funcs)
              if (rf.gate.stability.kind != Stability::Kind::Unstable)
                return R.err(rf.name.span, "found a reference to a type which is excluded due to its feature not being activated");
            excluded.insert(std::string(td.name.name));
            s.names.emplace(td.name.name, NameEntry{NameEntry::K::Excluded, kNoId, -1, td.name.span});
            break;
          }
          COMPONO_CHECK(add_typedef(td, static_cast<std::int32_t>(idx), s, &decl_types));
          break;
        }
        case AstInterface::ItemK::Func: {
          const AstNamedFunc& f = ai.funcs[idx];
          COMPONO_CHECK(check_since(f.gate));
          if (!gate_active(f.gate.stability, R.opts_)) break;
          fnames.insert(std::string(f.name.name));
          if (!s.names.emplace(f.name.name, NameEntry{NameEntry::K::Func, kNoId, -1, f.name.span}).second)
            return R.err(f.name.span, "name `" + std::string(f.name.name) + "` is defined more than once");
          break;
        }
      }
    }
    // dependency order: uses in place, definitions after what they refer to
    {
      std::size_t di = 0;
      for (auto [k, idx] : ai.order) {
        if (k == AstInterface::ItemK::Use) {
          const AstUse& u = ai.uses[idx];
          if (!gate_active(u.gate.stability, R.opts_)) continue;
          for (std::size_t n = 0; n < u.names.size() && di < decl_types.size(); ++n, ++di)
            s.place(decl_types[di].first, decl_types[di].second);
        } else if (k == AstInterface::ItemK::Type) {
          if (s.def_ids[idx] == kNoId) continue;
          ++di;
          COMPONO_CHECK(define(s, static_cast<std::int32_t>(idx), ai.types[idx].name.span));
        }
      }
    }
    std::vector<Function> funcs;
    for (auto [k, idx] : ai.order) {
      if (k == AstInterface::ItemK::Type) {
        const AstTypeDef& td = ai.types[idx];
        if (td.k != AstTypeDef::K::Resource || s.def_ids[idx] == kNoId) continue;
        COMPONO_CHECK(resource_functions(s, td, s.def_ids[idx], funcs));
      } else if (k == AstInterface::ItemK::Func) {
        const AstNamedFunc& f = ai.funcs[idx];
        if (!gate_active(f.gate.stability, R.opts_)) continue;
        COMPONO_TRY(Function fn, make_function(s, f.func, std::string(f.name.name), std::string(f.name.name),
                                               FunctionKind::Freestanding, kNoId, f.name.span, f.docs, f.gate));
        funcs.push_back(std::move(fn));
      }
    }
    Interface& iface = rs.interfaces[id];
    iface.types = std::move(types);
    iface.functions = std::move(funcs);
    return id;
  }

  // ---- worlds

  Result<WorldId> resolve_world(std::uint32_t body, const AstWorld& aw) {
    COMPONO_CHECK(check_since(aw.gate));
    // dependencies first: included worlds, used and imported interfaces
    for (const AstWorldItem& it : aw.items) {
      if (!gate_active(it.gate.stability, R.opts_)) continue;
      if (it.k == AstWorldItem::K::Include) {
        if (it.path.foreign) {
          // a top-level `use` of the same path already declared it an interface
          for (auto& [n, u] : file_uses_[body])
            if (u->path.foreign && u->path.name.name == it.path.name.name && u->path.package.name == it.path.package.name)
              return R.err(it.path.name.span,
                           "name `" + std::string(it.path.name.name) + "` is defined as an interface, not a world");
        }
        COMPONO_TRY(Target t, resolve_path(body, it.path, true));
        (void)t;
      } else if (it.k == AstWorldItem::K::Use) {
        COMPONO_TRY(InterfaceId i, resolve_iface_path(body, aw.uses[it.index].path));
        (void)i;
      } else if ((it.k == AstWorldItem::K::Import || it.k == AstWorldItem::K::Export) && it.ext == AstWorldItem::Ext::Path) {
        COMPONO_TRY(InterfaceId i, resolve_iface_path(body, it.path));
        (void)i;
      }
    }
    WorldId wid = static_cast<WorldId>(rs.worlds.size());
    {
      World w;
      w.name = std::string(aw.name.name);
      w.package = pkg.id;
      w.docs = aw.docs;
      w.stability = aw.gate.stability;
      rs.worlds.push_back(std::move(w));
    }
    Scope s;
    s.owner = Owner{Owner::Kind::World, wid};
    s.defs = &aw.types;
    s.def_ids.assign(aw.types.size(), kNoId);
    s.def_state.assign(aw.types.size(), State::Todo);

    std::vector<WorldItem> imports, exports;
    std::unordered_map<std::string, WorldItemKind> import_names, export_names;
    std::unordered_set<InterfaceId> import_ifaces, export_ifaces;

    auto add_named = [&](bool is_import, WorldItem item, Span span) -> Result<void> {
      auto& names = is_import ? import_names : export_names;
      auto [it, fresh] = names.emplace(item.name, item.kind);
      if (!fresh)
        return R.err(span, std::string(is_import ? "import" : "export") + " `" + item.name + "` conflicts with prior " +
                               item_kind_name(it->second) + " of same name");
      (is_import ? imports : exports).push_back(std::move(item));
      return {};
    };

    // world-level types (uses and definitions) first, so functions can refer to them
    std::vector<std::pair<std::string, TypeId>> types;
    for (const AstWorldItem& it : aw.items) {
      if (it.k == AstWorldItem::K::Use) {
        const AstUse& u = aw.uses[it.index];
        COMPONO_CHECK(check_since(u.gate));
        if (!gate_active(u.gate.stability, R.opts_)) {
          for (auto& n : u.names) {
            const Ident& local = n.as ? *n.as : n.name;
            s.names.emplace(local.name, NameEntry{NameEntry::K::Excluded, kNoId, -1, local.span});
          }
          continue;
        }
        COMPONO_CHECK(add_use(body, u, s, &types));
      } else if (it.k == AstWorldItem::K::Type) {
        const AstTypeDef& td = aw.types[it.index];
        COMPONO_CHECK(check_since(td.gate));
        if (!gate_active(td.gate.stability, R.opts_)) {
          s.names.emplace(td.name.name, NameEntry{NameEntry::K::Excluded, kNoId, -1, td.name.span});
          continue;
        }
        COMPONO_CHECK(add_typedef(td, static_cast<std::int32_t>(it.index), s, &types));
      }
    }
    for (std::size_t i = 0; i < aw.types.size(); ++i)
      if (s.def_ids[i] != kNoId) COMPONO_CHECK(define(s, static_cast<std::int32_t>(i), aw.types[i].name.span));

    std::size_t type_pos = 0;
    // types first (so that later imports clash with them), then everything else
    for (int pass = 0; pass < 2; ++pass)
    for (const AstWorldItem& it : aw.items) {
      bool is_type = it.k == AstWorldItem::K::Use || it.k == AstWorldItem::K::Type;
      if (is_type != (pass == 0)) continue;
      COMPONO_CHECK(check_since(it.gate));
      if (!gate_active(it.gate.stability, R.opts_)) continue;
      switch (it.k) {
        case AstWorldItem::K::Use: {
          const AstUse& u = aw.uses[it.index];
          for (std::size_t n = 0; n < u.names.size(); ++n, ++type_pos) {
            WorldItem wi;
            wi.kind = WorldItemKind::Type;
            wi.name = types[type_pos].first;
            wi.type = types[type_pos].second;
            wi.stability = u.gate.stability;
            const Ident& local = u.names[n].as ? *u.names[n].as : u.names[n].name;
            COMPONO_CHECK(add_named(true, std::move(wi), local.span));
          }
          break;
        }
        case AstWorldItem::K::Type: {
          const AstTypeDef& td = aw.types[it.index];
          WorldItem wi;
          wi.kind = WorldItemKind::Type;
          wi.name = types[type_pos].first;
          wi.type = types[type_pos].second;
          wi.stability = td.gate.stability;
          wi.docs = td.docs;
          ++type_pos;
          TypeId rid = wi.type;
          COMPONO_CHECK(add_named(true, std::move(wi), td.name.span));
          if (td.k == AstTypeDef::K::Resource) {
            std::vector<Function> fns;
            COMPONO_CHECK(resource_functions(s, td, rid, fns));
            for (auto& fn : fns) {
              WorldItem fi;
              fi.kind = WorldItemKind::Function;
              fi.name = fn.name;
              fi.docs = fn.docs;
              fi.stability = fn.stability;
              fi.function = std::move(fn);
              COMPONO_CHECK(add_named(true, std::move(fi), td.name.span));
            }
          }
          break;
        }
        case AstWorldItem::K::Import:
        case AstWorldItem::K::Export: {
          bool imp = it.k == AstWorldItem::K::Import;
          WorldItem wi;
          wi.docs = it.docs;
          wi.stability = it.gate.stability;
          if (it.ext == AstWorldItem::Ext::Func) {
            wi.kind = WorldItemKind::Function;
            wi.name = std::string(it.name.name);
            COMPONO_TRY(Function fn, make_function(s, it.func, wi.name, wi.name, FunctionKind::Freestanding, kNoId,
                                                   it.name.span, it.docs, it.gate));
            wi.function = std::move(fn);
            COMPONO_CHECK(add_named(imp, std::move(wi), it.name.span));
          } else if (it.ext == AstWorldItem::Ext::Inline) {
            wi.kind = WorldItemKind::Interface;
            wi.name = std::string(it.name.name);
            // check the name before resolving to report conflicts at the name
            auto& names = imp ? import_names : export_names;
            if (auto f = names.find(wi.name); f != names.end())
              return R.err(it.name.span, std::string(imp ? "import" : "export") + " `" + wi.name +
                                             "` conflicts with prior " + item_kind_name(f->second) + " of same name");
            COMPONO_TRY(InterfaceId iid, resolve_interface(body, *it.inline_iface, wid));
            rs.interfaces[iid].docs = it.docs;
            wi.interface = iid;
            COMPONO_CHECK(add_named(imp, std::move(wi), it.name.span));
          } else {
            COMPONO_TRY(InterfaceId iid, resolve_iface_path(body, it.path));
            wi.kind = WorldItemKind::Interface;
            wi.interface = iid;
            if (!it.name.name.empty()) {
              wi.name = std::string(it.name.name);
              COMPONO_CHECK(add_named(imp, std::move(wi), it.name.span));
            } else {
              auto& set = imp ? import_ifaces : export_ifaces;
              if (!set.insert(iid).second)
                return R.err(it.path.span, std::string("interface cannot be ") + (imp ? "imported" : "exported") +
                                               " more than once");
              (imp ? imports : exports).push_back(std::move(wi));
            }
          }
          break;
        }
        case AstWorldItem::K::Include:
          break;
      }
    }

    // includes, after the world's own items
    for (const AstWorldItem& it : aw.items) {
      if (it.k != AstWorldItem::K::Include || !gate_active(it.gate.stability, R.opts_)) continue;
      COMPONO_TRY(Target t, resolve_path(body, it.path, true));
      const World& inc = rs.worlds[t.id];
      std::vector<bool> used(it.with.size(), false);
      auto rename = [&](const std::string& n) -> std::string {
        for (std::size_t i = 0; i < it.with.size(); ++i)
          if (it.with[i].first.name == n) {
            used[i] = true;
            return std::string(it.with[i].second.name);
          }
        return n;
      };
      std::vector<WorldItem> inc_imports = inc.imports, inc_exports = inc.exports;
      // Renamed types become types of this world under their new name (as in
      // wit-parser); functions of the included world are rewritten to use them.
      std::unordered_map<TypeId, TypeId> cloned;
      for (const WorldItem& ti : inc_imports) {
        if (ti.kind != WorldItemKind::Type) continue;
        bool renamed = false;
        for (auto& [from, to] : it.with)
          if (from.name == ti.name) renamed = true;
        if (!renamed) continue;
        TypeDef c = rs.types[ti.type];
        c.owner = Owner{Owner::Kind::World, wid};
        for (auto& [from, to] : it.with)
          if (from.name == ti.name) c.name = std::string(to.name);
        TypeId nid = static_cast<TypeId>(rs.types.size());
        rs.types.push_back(std::move(c));
        cloned[ti.type] = nid;
      }
      if (!cloned.empty()) {
        for (auto& [from, to] : cloned) {
          TypeDef c = rs.types[to];
          remap_def(c, cloned);
          rs.types[to] = std::move(c);
        }
        for (auto* list : {&inc_imports, &inc_exports})
          for (WorldItem& wi : *list) {
            if (wi.kind == WorldItemKind::Type) {
              auto f = cloned.find(wi.type);
              if (f != cloned.end()) wi.type = f->second;
            } else if (wi.kind == WorldItemKind::Function) {
              Function& fn = wi.function;
              if (auto f = cloned.find(fn.resource); f != cloned.end()) {
                // resource functions follow their resource's new name
                fn.resource = f->second;
                const std::string& nn = rs.types[f->second].name;
                fn.name = fn.kind == FunctionKind::Constructor ? "[constructor]" + nn
                          : (fn.kind == FunctionKind::Static ? "[static]" : "[method]") + nn + "." + fn.item_name;
                wi.name = fn.name;
              }
              for (Param& p : fn.params) p.type = remap(p.type, cloned);
              if (fn.result) fn.result = remap(*fn.result, cloned);
            }
          }
      }
      if (inc.package != pkg.id) {
        // `@since` versions belong to the other package: drop them (as wit-parser does)
        for (auto* list : {&inc_imports, &inc_exports})
          for (WorldItem& wi : *list) {
            if (wi.stability.kind == Stability::Kind::Stable) wi.stability = Stability{};
            if (wi.kind == WorldItemKind::Function && wi.function.stability.kind == Stability::Kind::Stable)
              wi.function.stability = Stability{};
          }
      }
      for (int dir = 0; dir < 2; ++dir) {
        bool imp = dir == 0;
        for (WorldItem wi : (imp ? inc_imports : inc_exports)) {
          if (!wi.name.empty()) {
            if (wi.kind == WorldItemKind::Function && wi.function.kind != FunctionKind::Freestanding) {
              // already renamed with its resource above
            } else {
              wi.name = rename(wi.name);
            }
            auto& names = imp ? import_names : export_names;
            if (!names.emplace(wi.name, wi.kind).second)
              return R.err(it.span, std::string(imp ? "import" : "export") + " of `" + wi.name + "` shadows previously " +
                                        (imp ? "imported" : "exported") + " items");
            (imp ? imports : exports).push_back(std::move(wi));
          } else {
            auto& set = imp ? import_ifaces : export_ifaces;
            if (set.insert(wi.interface).second) {
              (imp ? imports : exports).push_back(std::move(wi));
            } else {
              // already there: an unknown stability takes the included one
              for (WorldItem& prev : imp ? imports : exports)
                if (prev.kind == WorldItemKind::Interface && prev.name.empty() && prev.interface == wi.interface &&
                    prev.stability.kind == Stability::Kind::Unknown)
                  prev.stability = wi.stability;
            }
          }
        }
      }
      for (std::size_t i = 0; i < it.with.size(); ++i)
        if (!used[i])
          return R.err(it.with[i].first.span, "no import or export kebab-name `" + std::string(it.with[i].first.name) +
                                                  "`. Note that an ID does not support renaming");
    }

    COMPONO_CHECK(elaborate(wid, std::move(imports), std::move(exports), aw.name.span));
    // A second pass settles the class order (interfaces, types, functions)
    // among interfaces that the first pass pulled in for `use`d types.
    {
      std::vector<WorldItem> imp2 = rs.worlds[wid].imports, exp2 = rs.worlds[wid].exports;
      COMPONO_CHECK(elaborate(wid, std::move(imp2), std::move(exp2), aw.name.span));
    }
    // kebab-case names are case-insensitive
    for (int dir = 0; dir < 2; ++dir) {
      const auto& items = dir == 0 ? rs.worlds[wid].imports : rs.worlds[wid].exports;
      std::unordered_map<std::string, std::string> lower;
      for (auto& wi : items) {
        if (wi.name.empty()) continue;
        std::string l = wi.name;
        for (char& c : l)
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        auto [f, fresh] = lower.emplace(l, wi.name);
        if (!fresh) {
          const char* what = dir == 0 ? "import" : "export";
          return R.err(aw.name.span, std::string(what) + " `" + wi.name + "` in world `" + std::string(aw.name.name) +
                                         "` conflicts with " + what + " `" + f->second +
                                         "` (kebab-case identifiers are case-insensitive)");
        }
      }
    }
    return wid;
  }

  // Rewrites type uses through `m` (old id -> new id), re-creating the
  // anonymous types that contain a rewritten id.
  Type remap(Type t, const std::unordered_map<TypeId, TypeId>& m, int depth = 0) {
    if (!t.is_def()) return t;
    auto f = m.find(t.id);
    if (f != m.end()) return Type::def(f->second);
    if (!rs.types[t.id].name.empty() || depth > 100) return t;
    TypeDef n = rs.types[t.id];
    if (!remap_def(n, m, depth)) return t;
    return R.anon(std::move(n));
  }

  // Rewrites the type uses inside `d`; true if anything changed.
  bool remap_def(TypeDef& d, const std::unordered_map<TypeId, TypeId>& m, int depth = 0) {
    bool changed = false;
    auto rm = [&](Type& x) {
      Type y = remap(x, m, depth + 1);
      if (!(y == x)) {
        x = y;
        changed = true;
      }
    };
    switch (d.kind) {
      case TypeDefKind::Handle:
      case TypeDefKind::List:
      case TypeDefKind::FixedList:
      case TypeDefKind::Option:
      case TypeDefKind::Alias: rm(d.type); break;
      case TypeDefKind::Map: rm(d.key); rm(d.type); break;
      case TypeDefKind::Tuple: for (Type& x : d.types) rm(x); break;
      case TypeDefKind::Result:
        if (d.ok) rm(*d.ok);
        if (d.err) rm(*d.err);
        break;
      case TypeDefKind::Future:
      case TypeDefKind::Stream:
        if (d.payload) rm(*d.payload);
        break;
      case TypeDefKind::Record: for (Field& x : d.fields) rm(x.type); break;
      case TypeDefKind::Variant:
        for (Case& x : d.cases)
          if (x.type) rm(*x.type);
        break;
      default: break;
    }
    return changed;
  }

  // Interfaces that `iface`'s types are `use`d from.
  std::vector<InterfaceId> direct_deps(InterfaceId iface) const {
    std::vector<InterfaceId> out;
    for (auto& [n, tid] : rs.interfaces[iface].types) {
      InterfaceId d = type_dep(tid);
      if (d != kNoId && d != iface && std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
    }
    return out;
  }

  InterfaceId type_dep(TypeId tid) const {
    const TypeDef& d = rs.types[tid];
    if (d.kind != TypeDefKind::Alias || !d.type.is_def()) return kNoId;
    const TypeDef& o = rs.types[d.type.id];
    if (o.owner.kind == d.owner.kind && o.owner.id == d.owner.id) return kNoId;
    return o.owner.kind == Owner::Kind::Interface ? o.owner.id : kNoId;
  }

  struct Items {
    std::vector<WorldItem> list;
    std::unordered_map<std::string, std::size_t> pos;
    bool contains(const std::string& k) const { return pos.count(k) != 0; }
    void insert(const std::string& k, WorldItem it) {
      auto f = pos.find(k);
      if (f != pos.end()) {
        list[f->second] = std::move(it);
        return;
      }
      pos.emplace(k, list.size());
      list.push_back(std::move(it));
    }
  };

  void import_iface(Items& imports, InterfaceId id, const Stability& st, const std::string* name) {
    std::string key = name ? *name : "#" + std::to_string(id);
    if (imports.contains(key)) return;
    for (InterfaceId dep : direct_deps(id)) import_iface(imports, dep, st, nullptr);
    WorldItem wi;
    wi.kind = WorldItemKind::Interface;
    wi.interface = id;
    wi.stability = st;
    if (name) wi.name = *name;
    imports.insert(key, std::move(wi));
  }

  Result<void> elaborate(WorldId wid, std::vector<WorldItem> imports, std::vector<WorldItem> exports, Span span) {
    auto cls = [&](const WorldItem& it) {
      switch (it.kind) {
        case WorldItemKind::Interface: return 0;
        case WorldItemKind::Type: {
          const TypeDef& d = rs.types[it.type];
          if (d.kind == TypeDefKind::Alias && d.type.is_def()) {
            const TypeDef& o = rs.types[d.type.id];
            if (!(o.owner.kind == d.owner.kind && o.owner.id == d.owner.id)) return 1;
          }
          return 2;
        }
        case WorldItemKind::Function: return it.function.kind == FunctionKind::Freestanding ? 3 : 4;
      }
      return 5;
    };
    {
      // stable bucket sort by class
      std::vector<WorldItem> sorted;
      sorted.reserve(imports.size());
      for (int c = 0; c <= 5; ++c)
        for (WorldItem& it : imports)
          if (cls(it) == c) sorted.push_back(std::move(it));
      imports = std::move(sorted);
    }
    Items imp;
    for (WorldItem& it : imports) {
      if (it.kind == WorldItemKind::Interface) {
        std::string key = it.name.empty() ? "#" + std::to_string(it.interface) : it.name;
        if (imp.contains(key)) continue;
        for (InterfaceId dep : direct_deps(it.interface)) import_iface(imp, dep, it.stability, nullptr);
        imp.insert(key, std::move(it));
      } else if (it.kind == WorldItemKind::Type) {
        InterfaceId dep = type_dep(it.type);
        if (dep != kNoId) import_iface(imp, dep, rs.types[it.type].stability, nullptr);
        std::string key = it.name;
        imp.insert(key, std::move(it));
      } else {
        std::string key = it.name;
        imp.insert(key, std::move(it));
      }
    }
    Items exp;
    std::vector<std::pair<InterfaceId, std::string>> export_ifaces;  // id -> key
    std::vector<const WorldItem*> export_iface_items;
    for (WorldItem& it : exports) {
      if (it.kind == WorldItemKind::Interface) {
        export_ifaces.push_back({it.interface, it.name.empty() ? "#" + std::to_string(it.interface) : it.name});
        export_iface_items.push_back(&it);
      }
    }
    std::unordered_set<InterfaceId> required;
    auto exported_key = [&](InterfaceId id) -> const std::string* {
      for (auto& [i, k] : export_ifaces)
        if (i == id) return &k;
      return nullptr;
    };
    // returns false on an incompatible dependency
    std::function<bool(InterfaceId, const std::string&, bool, const WorldItem*)> add_export =
        [&](InterfaceId id, const std::string& key, bool as_export, const WorldItem* src) -> bool {
      if (exp.contains(key)) return as_export;
      if (!as_export && required.count(id)) return true;
      for (InterfaceId dep : direct_deps(id)) {
        const std::string* ek = exported_key(dep);
        bool dep_export = as_export && ek != nullptr;
        std::string dk = dep_export ? *ek : "#" + std::to_string(dep);
        if (!add_export(dep, dk, dep_export, nullptr)) return false;
      }
      WorldItem wi;
      if (src) wi = *src;
      wi.kind = WorldItemKind::Interface;
      wi.interface = id;
      if (as_export) {
        if (required.count(id)) return false;
        if (!src) {
          for (const WorldItem* e : export_iface_items)
            if (e->interface == id) wi = *e;
        }
        exp.insert(key, std::move(wi));
      } else {
        required.insert(id);
        if (!imp.contains(key)) {
          wi.name.clear();
          imp.insert(key, std::move(wi));
        }
      }
      return true;
    };
    for (WorldItem& it : exports) {
      if (it.kind == WorldItemKind::Function) {
        std::string key = it.name;
        exp.insert(key, std::move(it));
        continue;
      }
      std::string key = it.name.empty() ? "#" + std::to_string(it.interface) : it.name;
      if (!add_export(it.interface, key, true, &it)) {
        std::string n = it.name.empty() ? rs.interface_id(it.interface) : it.name;
        if (n.empty()) n = rs.interfaces[it.interface].name;
        return R.err(span, "interface `" + n + "` transitively depends on an interface in incompatible ways");
      }
    }
    World& w = rs.worlds[wid];
    w.imports = std::move(imp.list);
    w.exports = std::move(exp.list);
    return {};
  }
};

// ---------------------------------------------------------------- package groups

struct Group {
  SourceMap sources;
  std::vector<std::unique_ptr<AstFile>> files;
  std::vector<PendingPackage> packages;
  std::vector<std::size_t> roots;  // indices of packages defined by the load target
  std::size_t main = static_cast<std::size_t>(-1);
};

Result<std::uint32_t> add_source(Group& g, std::string path, std::string text) {
  if (text.size() > 0xffffff00u) return fail(path + ": file too large");
  auto f = std::make_unique<SourceFile>();
  f->path = std::move(path);
  f->text = std::move(text);
  g.sources.files.push_back(std::move(f));
  return static_cast<std::uint32_t>(g.sources.files.size() - 1);
}

Result<std::string> read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return fail(path + ": cannot open file");
  std::string out;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  bool bad = std::ferror(f) != 0;
  std::fclose(f);
  if (bad) return fail(path + ": read error");
  return out;
}

// Turns parsed files (all belonging to one package location) into pending packages.
// `files` are indices into g.files.  Returns the index of the location's main package.
Result<std::size_t> collect_packages(Group& g, const std::vector<std::size_t>& files, const std::string& location,
                                     bool is_root) {
  std::optional<AstPackageName> main_name;
  Docs main_docs;
  bool docs_seen = false;
  std::vector<const AstBody*> bodies;
  std::uint32_t first_file = 0;
  bool have_items = false;
  std::size_t last_nested = static_cast<std::size_t>(-1);
  for (std::size_t fi : files) {
    AstFile& f = *g.files[fi];
    if (f.package) {
      if (main_name && !(main_name->name == f.package->name))
        return fail(g.sources.format(f.body.file, f.package->span.offset,
                                     "package identifier `" + f.package->name.to_string() +
                                         "` does not match previous package name of `" + main_name->name.to_string() + "`"));
      if (!main_name) main_name = f.package;
      if (!f.package_docs.empty()) {
        if (docs_seen)
          return fail(g.sources.format(f.body.file, f.package->span.offset,
                                       "found doc comments on multiple 'package' items"));
        docs_seen = true;
        main_docs = f.package_docs;
      }
    }
    bool items = !f.body.interfaces.empty() || !f.body.worlds.empty() || !f.body.uses.empty();
    if (items && !have_items) first_file = f.body.file;
    have_items = have_items || items || f.package.has_value();
    bodies.push_back(&f.body);
    for (AstNested& n : f.nested) {
      PendingPackage p;
      p.name = n.name;
      p.docs = n.docs;
      p.bodies.push_back(&n.body);
      p.location = g.sources.files[n.body.file]->path;
      last_nested = g.packages.size();
      if (is_root) g.roots.push_back(g.packages.size());
      g.packages.push_back(std::move(p));
    }
  }
  if (!main_name) {
    if (have_items || last_nested == static_cast<std::size_t>(-1)) {
      std::uint32_t file = files.empty() ? 0 : g.files[files[0]]->body.file;
      if (have_items) file = first_file;
      return fail(g.sources.format(file, 0, "no `package` header was found in any WIT file for this package"));
    }
    return last_nested;
  }
  PendingPackage p;
  p.name = *main_name;
  p.docs = main_docs;
  p.bodies = std::move(bodies);
  p.location = location;
  std::size_t idx = g.packages.size();
  if (is_root) g.roots.insert(g.roots.begin(), idx);
  g.packages.push_back(std::move(p));
  return idx;
}

Result<std::size_t> parse_and_collect(Group& g, const std::vector<std::uint32_t>& srcs, const std::string& location,
                                      bool is_root) {
  std::vector<std::size_t> idx;
  for (std::uint32_t s : srcs) {
    COMPONO_TRY(AstFile f, parse_file(g.sources, s));
    g.files.push_back(std::make_unique<AstFile>(std::move(f)));
    idx.push_back(g.files.size() - 1);
  }
  return collect_packages(g, idx, location, is_root);
}

// Foreign package names referenced anywhere in a body.
void body_deps(const AstBody& b, std::vector<const AstPackageName*>& out) {
  auto path = [&](const AstUsePath& p) {
    if (p.foreign) out.push_back(&p.package);
  };
  auto iface = [&](const AstInterface& i) {
    for (auto& u : i.uses) path(u.path);
  };
  for (auto& u : b.uses) path(u.path);
  for (auto& i : b.interfaces) iface(i);
  for (auto& w : b.worlds) {
    for (auto& u : w.uses) path(u.path);
    for (auto& it : w.items) {
      if (it.k == AstWorldItem::K::Include || (it.ext == AstWorldItem::Ext::Path && (it.k == AstWorldItem::K::Import || it.k == AstWorldItem::K::Export)))
        path(it.path);
      if (it.inline_iface) iface(*it.inline_iface);
    }
  }
}

Result<Loaded> resolve_group(Group& g, const Options& opts) {
  Loaded out;
  // duplicate packages
  for (std::size_t i = 0; i < g.packages.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (g.packages[i].name.name == g.packages[j].name.name) {
        const PendingPackage& p = g.packages[i];
        std::uint32_t file = p.bodies.empty() ? 0 : p.bodies[0]->file;
        return fail(g.sources.format(file, p.name.span.offset,
                                     "package `" + p.name.name.to_string() + "` is defined in two different locations:\n  " +
                                         g.packages[j].location + "\n  " + p.location));
      }
  auto find = [&](const PackageName& n) -> std::size_t {
    std::size_t found = static_cast<std::size_t>(-1);
    for (std::size_t i = 0; i < g.packages.size(); ++i) {
      const PackageName& p = g.packages[i].name.name;
      if (p == n) return i;
      if (n.version.empty() && p.ns == n.ns && p.name == n.name) {
        if (found != static_cast<std::size_t>(-1)) return static_cast<std::size_t>(-1);
        found = i;
      }
    }
    return found;
  };
  // topological order (dependencies first), declaration order otherwise
  std::vector<std::vector<std::pair<std::size_t, const AstPackageName*>>> deps(g.packages.size());
  for (std::size_t i = 0; i < g.packages.size(); ++i) {
    std::vector<const AstPackageName*> names;
    for (const AstBody* b : g.packages[i].bodies) body_deps(*b, names);
    for (const AstPackageName* n : names) {
      std::size_t d = find(n->name);
      if (d != static_cast<std::size_t>(-1)) deps[i].push_back({d, n});
    }
  }
  std::vector<State> st(g.packages.size(), State::Todo);
  std::vector<std::size_t> order;
  struct PEdge {
    std::size_t target;
    const AstPackageName* ref;
    std::uint32_t file;
  };
  std::vector<PEdge> stack;
  std::function<Result<void>(std::size_t)> visit = [&](std::size_t i) -> Result<void> {
    if (st[i] == State::Done) return {};
    st[i] = State::Busy;
    for (auto [d, ref] : deps[i]) {
      std::uint32_t file = g.packages[i].bodies.empty() ? 0 : g.packages[i].bodies[0]->file;
      for (const AstBody* body : g.packages[i].bodies)
        if (ref->span.file == body->file) file = body->file;
      if (st[d] == State::Busy) {
        PEdge rep{d, ref, file};
        std::size_t k = stack.size();
        for (std::size_t x = 0; x < stack.size(); ++x)
          if (stack[x].target == d) {
            k = x;
            break;
          }
        if (k == stack.size()) {
          if (!stack.empty()) rep = stack[0];
        } else if (k + 1 < stack.size()) {
          rep = stack[k + 1];
        }
        return fail(g.sources.format(rep.ref->span.file, rep.ref->span.offset,
                                     "package `" + g.packages[rep.target].name.name.to_string() +
                                         "` creates a dependency cycle"));
      }
      if (st[d] == State::Done) continue;
      stack.push_back({d, ref, file});
      COMPONO_CHECK(visit(d));
      stack.pop_back();
    }
    st[i] = State::Done;
    order.push_back(i);
    return {};
  };
  // dependencies (non-roots) first, then the roots, each in declaration order
  for (std::size_t i = 0; i < g.packages.size(); ++i)
    if (std::find(g.roots.begin(), g.roots.end(), i) == g.roots.end()) COMPONO_CHECK(visit(i));
  for (std::size_t i = 0; i < g.packages.size(); ++i) COMPONO_CHECK(visit(i));

  Resolver r(g.sources, out.resolve, opts);
  for (std::size_t i : order) {
    PackageResolver pr(r, g.packages[i]);
    COMPONO_CHECK(pr.run());
  }
  for (std::size_t i : g.roots) out.roots.push_back(g.packages[i].id);
  if (g.main != static_cast<std::size_t>(-1)) out.main = g.packages[g.main].id;
  return out;
}

bool has_suffix(const std::string& s, std::string_view suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

// All `*.wit` files directly in `dir`, sorted by name.
Result<std::vector<std::string>> wit_files(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code ec2;
    if (!it->is_regular_file(ec2)) continue;
    std::string p = it->path().string();
    if (has_suffix(p, ".wit")) out.push_back(p);
  }
  if (ec) return fail(dir.string() + ": cannot read directory: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::size_t> load_dir_package(Group& g, const fs::path& dir, bool is_root) {
  COMPONO_TRY(std::vector<std::string> files, wit_files(dir));
  std::vector<std::uint32_t> srcs;
  for (auto& f : files) {
    COMPONO_TRY(std::string text, read_file(f));
    COMPONO_TRY(std::uint32_t s, add_source(g, f, std::move(text)));
    srcs.push_back(s);
  }
  if (srcs.empty()) return fail(dir.string() + ": no `.wit` files found");
  return parse_and_collect(g, srcs, dir.string(), is_root);
}

}  // namespace
}  // namespace detail

using namespace detail;

Result<Loaded> load_string(std::string_view filename, std::string_view source, const Options& options) {
  Group g;
  COMPONO_TRY(std::uint32_t s, add_source(g, std::string(filename), std::string(source)));
  COMPONO_TRY(std::size_t main, parse_and_collect(g, {s}, std::string(filename), true));
  g.main = main;
  return resolve_group(g, options);
}

Result<Loaded> load_path(std::string_view path_sv, const Options& options) {
  fs::path path{std::string(path_sv)};
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    COMPONO_TRY(std::string text, read_file(path.string()));
    if (text.size() >= 4 && text.compare(0, 4, std::string("\0asm", 4)) == 0) {  // a binary WIT package
      auto pkg = decode_package(std::vector<std::uint8_t>(text.begin(), text.end()));
      if (!pkg) return fail(path.string() + ": " + pkg.error().to_string());
      return pkg;
    }
    return load_string(path.string(), text, options);
  }
  if (!fs::is_directory(path, ec)) return fail(path.string() + ": no such file or directory");
  Group g;
  // deps first
  fs::path deps = path / "deps";
  if (fs::is_directory(deps, ec)) {
    std::vector<fs::path> entries;
    for (fs::directory_iterator it(deps, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(it->path());
    std::sort(entries.begin(), entries.end());
    for (auto& e : entries) {
      std::error_code ec2;
      if (fs::is_directory(e, ec2)) {
        COMPONO_TRY(std::size_t d, load_dir_package(g, e, false));
        (void)d;
      } else if (has_suffix(e.string(), ".wit")) {
        COMPONO_TRY(std::string text, read_file(e.string()));
        COMPONO_TRY(std::uint32_t s, add_source(g, e.string(), std::move(text)));
        COMPONO_TRY(std::size_t d, parse_and_collect(g, {s}, e.string(), false));
        (void)d;
      } else if (has_suffix(e.string(), ".wasm")) {
        // A binary WIT package: decoded, then printed and resolved like a
        // .wit file (it may only use packages that are also in deps/).
        COMPONO_TRY(std::string bin, read_file(e.string()));
        auto pkg = decode_package(std::vector<std::uint8_t>(bin.begin(), bin.end()));
        if (!pkg) return fail(e.string() + ": " + pkg.error().to_string());
        std::string text = print_package(pkg->resolve, pkg->main);
        COMPONO_TRY(std::uint32_t s, add_source(g, e.string() + " (decoded)", std::move(text)));
        COMPONO_TRY(std::size_t d, parse_and_collect(g, {s}, e.string(), false));
        (void)d;
      }
      // other files (.md, .txt, .wat text packages) are ignored
    }
  }
  COMPONO_TRY(std::size_t main, load_dir_package(g, path, true));
  g.main = main;
  return resolve_group(g, options);
}

}  // namespace compono::wit
