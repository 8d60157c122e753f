// src/component/runtime/api.cpp - the public classes of compono/component.h
// (Component, Func, Instance, Linker) over the runtime's internals.
#include "compono/component.h"
#include "component/runtime/internal.h"

namespace compono::component {

// ---------------------------------------------------------------------------
// Component

Result<Component> Component::compile(std::span<const uint8_t> bytes) {
  COMPONO_TRY(auto impl, detail::compile_component(bytes));
  return Component(std::move(impl));
}
std::vector<ItemInfo> Component::imports() const { return impl_ ? detail::component_imports(*impl_) : std::vector<ItemInfo>{}; }
std::vector<ItemInfo> Component::exports() const { return impl_ ? detail::component_exports(*impl_) : std::vector<ItemInfo>{}; }
std::string Component::to_wit() const { return impl_ ? detail::component_wit(*impl_) : std::string(); }

// ---------------------------------------------------------------------------
// Func

FuncType Func::type() const { return f_ ? f_->type : FuncType{}; }
const std::string& Func::name() const {
  static const std::string empty;
  return f_ ? f_->name : empty;
}

Result<std::vector<Val>, Trap> Func::call(Store& store, std::span<const Val> args) const {
  if (!f_) return Trap("call of a null function");
  std::vector<Val> results(f_->type.result ? 1 : 0);
  std::optional<Trap> err;
  if (!detail::call_func_fast(store, f_, args, results, nullptr, false, err)) return std::move(*err);
  return results;
}

Result<void, Trap> Func::call_into(Store& store, std::span<const Val> args, std::span<Val> results) const {
  if (!f_) return Trap("call of a null function");
  if (results.size() != (f_->type.result ? 1u : 0u)) return Trap("type mismatch: wrong result count");
  std::optional<Trap> err;
  if (!detail::call_func_fast(store, f_, args, results, nullptr, false, err)) return std::move(*err);
  return {};
}

// ---------------------------------------------------------------------------
// Instance

namespace {
const detail::Item* lookup(detail::InstanceImpl* inst, std::string_view path) {
  while (inst) {
    size_t hash = path.find('#');
    std::string_view head = path.substr(0, hash);
    const detail::Item* it = detail::find_item(inst->exports, head);
    if (!it) return nullptr;
    if (hash == std::string_view::npos) return it;
    if (it->kind != ItemKind::Instance) return nullptr;
    inst = it->instance;
    path = path.substr(hash + 1);
  }
  return nullptr;
}
}  // namespace

Func Instance::get_func(std::string_view name) const {
  const detail::Item* it = lookup(i_, name);
  return it && it->kind == ItemKind::Func ? Func(it->func) : Func();
}
Func Instance::get_func(std::string_view instance, std::string_view name) const {
  Instance i = get_instance(instance);
  return i.get_func(name);
}
Instance Instance::get_instance(std::string_view name) const {
  const detail::Item* it = lookup(i_, name);
  return it && it->kind == ItemKind::Instance ? Instance(it->instance) : Instance();
}
ResourceType Instance::get_resource(std::string_view name) const {
  const detail::Item* it = lookup(i_, name);
  return it && it->is_resource ? it->resource : ResourceType();
}
std::vector<std::string> Instance::export_names() const {
  std::vector<std::string> v;
  if (i_)
    for (auto& [k, _] : i_->exports) v.push_back(k);
  return v;
}

// ---------------------------------------------------------------------------
// Linker

Linker::Linker() : impl_(std::make_unique<detail::LinkerImpl>()) {}
Linker::~Linker() = default;
Linker::Linker(Linker&&) noexcept = default;
Linker& Linker::operator=(Linker&&) noexcept = default;
Linker::Linker(const Linker& o) : impl_(std::make_unique<detail::LinkerImpl>(*o.impl_)) {}
Linker& Linker::operator=(const Linker& o) {
  if (this != &o) impl_ = std::make_unique<detail::LinkerImpl>(*o.impl_);
  return *this;
}
void Linker::allow_shadowing(bool allow) { impl_->shadowing = allow; }

namespace {
Result<void> put(detail::LinkerImpl& l, std::string_view instance, std::string_view name, detail::LinkerDef d) {
  auto& m = l.defs[std::string(instance)];
  auto it = m.find(name);
  if (it != m.end() && !l.shadowing)
    return fail("duplicate definition: " + (instance.empty() ? std::string() : std::string(instance) + "#") + std::string(name));
  m[std::string(name)] = std::move(d);
  return {};
}
}  // namespace

Result<void> Linker::define_func(std::string_view instance, std::string_view name, HostFunc fn) {
  detail::LinkerDef d;
  d.kind = ItemKind::Func;
  d.fn = std::move(fn);
  return put(*impl_, instance, name, std::move(d));
}
Result<void> Linker::define_func(std::string_view instance, std::string_view name, FuncType type, HostFunc fn) {
  detail::LinkerDef d;
  d.kind = ItemKind::Func;
  d.fn = std::move(fn);
  d.type = std::move(type);
  return put(*impl_, instance, name, std::move(d));
}
Result<void> Linker::define_resource(std::string_view instance, std::string_view name, ResourceType type) {
  if (!type) return fail("define_resource: null resource type");
  detail::LinkerDef d;
  d.kind = ItemKind::Type;
  d.resource = std::move(type);
  return put(*impl_, instance, name, std::move(d));
}
Result<void> Linker::define_module(std::string_view instance, std::string_view name, wasm::Module module) {
  detail::LinkerDef d;
  d.kind = ItemKind::Module;
  d.module = std::move(module);
  return put(*impl_, instance, name, std::move(d));
}
Result<void> Linker::define_instance(std::string_view name, Instance instance) {
  if (!instance) return fail("define_instance: null instance");
  auto it = impl_->instances.find(name);
  if (it != impl_->instances.end() && !impl_->shadowing) return fail("duplicate definition: " + std::string(name));
  impl_->instances[std::string(name)] = instance.raw();
  return {};
}

Result<Instance> Linker::instantiate(Store& store, const Component& component) const {
  if (!component) return fail("instantiate: null component");
  COMPONO_TRY(detail::InstanceImpl* inst, detail::instantiate(store, *impl_, *component.impl()));
  return Instance(inst);
}

}  // namespace compono::component
