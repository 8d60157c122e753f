// Resolve helpers declared in wit.h.
#include "wit/wit.h"

namespace compono::wit {

std::string PackageName::to_string(bool with_version) const {
  std::string s = ns;
  s += ':';
  s += name;
  if (with_version && !version.empty()) {
    s += '@';
    s += version;
  }
  return s;
}

Type Resolve::unalias(Type t) const {
  for (std::size_t guard = 0; t.is_def() && guard <= types.size(); ++guard) {
    const TypeDef& d = types[t.id];
    if (d.kind != TypeDefKind::Alias) break;
    t = d.type;
  }
  return t;
}

InterfaceId Resolve::type_interface(TypeId id) const {
  if (id >= types.size()) return kNoId;
  const Owner& o = types[id].owner;
  return o.kind == Owner::Kind::Interface ? o.id : kNoId;
}

std::string Resolve::interface_id(InterfaceId id) const {
  if (id >= interfaces.size()) return {};
  const Interface& i = interfaces[id];
  if (i.name.empty() || i.package == kNoId) return {};
  const PackageName& p = packages[i.package].name;
  std::string s = p.ns + ":" + p.name + "/" + i.name;
  if (!p.version.empty()) s += "@" + p.version;
  return s;
}

std::string Resolve::item_key(const WorldItem& item) const {
  if (!item.name.empty()) return item.name;
  return interface_id(item.interface);
}

PackageId Resolve::find_package(const PackageName& name) const {
  for (std::size_t i = 0; i < packages.size(); ++i)
    if (packages[i].name == name) return static_cast<PackageId>(i);
  return kNoId;
}

InterfaceId Resolve::find_interface(PackageId pkg, std::string_view name) const {
  if (pkg >= packages.size()) return kNoId;
  for (auto& [n, id] : packages[pkg].interfaces)
    if (n == name) return id;
  return kNoId;
}

WorldId Resolve::find_world(PackageId pkg, std::string_view name) const {
  if (pkg >= packages.size()) return kNoId;
  for (auto& [n, id] : packages[pkg].worlds)
    if (n == name) return id;
  return kNoId;
}

Result<WorldId> Resolve::select_world(PackageId main, std::string_view spec) const {
  if (spec.empty()) {
    if (main >= packages.size()) return fail("no package to select a world from");
    const Package& p = packages[main];
    if (p.worlds.size() == 1) return p.worlds[0].second;
    if (p.worlds.empty()) return fail("package `" + p.name.to_string() + "` contains no worlds");
    return fail("package `" + p.name.to_string() + "` contains several worlds; pick one with --world");
  }
  std::size_t slash = spec.rfind('/');
  if (slash == std::string_view::npos) {
    WorldId w = find_world(main, spec);
    if (w == kNoId) return fail("world `" + std::string(spec) + "` not found in the main package");
    return w;
  }
  std::string_view pkg = spec.substr(0, slash);
  std::string_view rest = spec.substr(slash + 1);
  std::string version;
  if (std::size_t at = rest.find('@'); at != std::string_view::npos) {
    version = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
  }
  std::size_t colon = pkg.rfind(':');
  if (colon == std::string_view::npos) return fail("bad world name `" + std::string(spec) + "`");
  for (std::size_t i = 0; i < packages.size(); ++i) {
    const PackageName& n = packages[i].name;
    if (n.ns == pkg.substr(0, colon) && n.name == pkg.substr(colon + 1) &&
        (version.empty() || n.version == version)) {
      WorldId w = find_world(static_cast<PackageId>(i), rest);
      if (w != kNoId) return w;
    }
  }
  return fail("world `" + std::string(spec) + "` not found");
}

}  // namespace compono::wit
