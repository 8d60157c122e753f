// src/component/ast.cpp - names and comparisons for the component AST.
#include <algorithm>

#include "component/component.h"

namespace compono::component {

const char* to_string(CoreSort s) {
  switch (s) {
    case CoreSort::Func: return "func";
    case CoreSort::Table: return "table";
    case CoreSort::Memory: return "memory";
    case CoreSort::Global: return "global";
    case CoreSort::Tag: return "tag";
    case CoreSort::Type: return "type";
    case CoreSort::Module: return "module";
    case CoreSort::Instance: return "instance";
  }
  return "?";
}

std::string to_string(Sort s) {
  switch (s.kind) {
    case SortKind::Core: return std::string("core ") + to_string(s.core);
    case SortKind::Func: return "func";
    case SortKind::Value: return "value";
    case SortKind::Type: return "type";
    case SortKind::Component: return "component";
    case SortKind::Instance: return "instance";
  }
  return "?";
}

const char* to_string(CoreExternKind k) {
  switch (k) {
    case CoreExternKind::Func: return "func";
    case CoreExternKind::Table: return "table";
    case CoreExternKind::Memory: return "memory";
    case CoreExternKind::Global: return "global";
    case CoreExternKind::Tag: return "tag";
  }
  return "?";
}

const char* to_string(PrimValType p) {
  switch (p) {
    case PrimValType::Bool: return "bool";
    case PrimValType::S8: return "s8";
    case PrimValType::U8: return "u8";
    case PrimValType::S16: return "s16";
    case PrimValType::U16: return "u16";
    case PrimValType::S32: return "s32";
    case PrimValType::U32: return "u32";
    case PrimValType::S64: return "s64";
    case PrimValType::U64: return "u64";
    case PrimValType::F32: return "f32";
    case PrimValType::F64: return "f64";
    case PrimValType::Char: return "char";
    case PrimValType::String: return "string";
    case PrimValType::ErrorContext: return "error-context";
  }
  return "?";
}

const char* to_string(TypeKind k) {
  switch (k) {
    case TypeKind::Prim: return "primitive";
    case TypeKind::Record: return "record";
    case TypeKind::Variant: return "variant";
    case TypeKind::List: return "list";
    case TypeKind::FixedList: return "fixed-length list";
    case TypeKind::Tuple: return "tuple";
    case TypeKind::Flags: return "flags";
    case TypeKind::Enum: return "enum";
    case TypeKind::Option: return "option";
    case TypeKind::Result: return "result";
    case TypeKind::Own: return "own";
    case TypeKind::Borrow: return "borrow";
    case TypeKind::Stream: return "stream";
    case TypeKind::Future: return "future";
    case TypeKind::Map: return "map";
    case TypeKind::Func: return "func";
    case TypeKind::Component: return "component";
    case TypeKind::Instance: return "instance";
    case TypeKind::Resource: return "resource";
  }
  return "?";
}

const char* to_string(ExternKind k) {
  switch (k) {
    case ExternKind::Module: return "module";
    case ExternKind::Func: return "func";
    case ExternKind::Value: return "value";
    case ExternKind::Type: return "type";
    case ExternKind::Component: return "component";
    case ExternKind::Instance: return "instance";
  }
  return "?";
}

const char* to_string(CanonKind k) {
  switch (k) {
    case CanonKind::Lift: return "lift";
    case CanonKind::Lower: return "lower";
    case CanonKind::ResourceNew: return "resource.new";
    case CanonKind::ResourceDrop: return "resource.drop";
    case CanonKind::ResourceRep: return "resource.rep";
    case CanonKind::TaskCancel: return "task.cancel";
    case CanonKind::SubtaskCancel: return "subtask.cancel";
    case CanonKind::BackpressureSet: return "backpressure.set";
    case CanonKind::TaskReturn: return "task.return";
    case CanonKind::ContextGet: return "context.get";
    case CanonKind::ContextSet: return "context.set";
    case CanonKind::ThreadYield: return "thread.yield";
    case CanonKind::SubtaskDrop: return "subtask.drop";
    case CanonKind::StreamNew: return "stream.new";
    case CanonKind::StreamRead: return "stream.read";
    case CanonKind::StreamWrite: return "stream.write";
    case CanonKind::StreamCancelRead: return "stream.cancel-read";
    case CanonKind::StreamCancelWrite: return "stream.cancel-write";
    case CanonKind::StreamDropReadable: return "stream.drop-readable";
    case CanonKind::StreamDropWritable: return "stream.drop-writable";
    case CanonKind::FutureNew: return "future.new";
    case CanonKind::FutureRead: return "future.read";
    case CanonKind::FutureWrite: return "future.write";
    case CanonKind::FutureCancelRead: return "future.cancel-read";
    case CanonKind::FutureCancelWrite: return "future.cancel-write";
    case CanonKind::FutureDropReadable: return "future.drop-readable";
    case CanonKind::FutureDropWritable: return "future.drop-writable";
    case CanonKind::ErrorContextNew: return "error-context.new";
    case CanonKind::ErrorContextDebugMessage: return "error-context.debug-message";
    case CanonKind::ErrorContextDrop: return "error-context.drop";
    case CanonKind::WaitableSetNew: return "waitable-set.new";
    case CanonKind::WaitableSetWait: return "waitable-set.wait";
    case CanonKind::WaitableSetPoll: return "waitable-set.poll";
    case CanonKind::WaitableSetDrop: return "waitable-set.drop";
    case CanonKind::WaitableJoin: return "waitable.join";
    case CanonKind::BackpressureInc: return "backpressure.inc";
    case CanonKind::BackpressureDec: return "backpressure.dec";
    case CanonKind::ThreadIndex: return "thread.index";
    case CanonKind::ThreadNewIndirect: return "thread.new-indirect";
    case CanonKind::ThreadResumeLater: return "thread.resume-later";
    case CanonKind::ThreadSuspend: return "thread.suspend";
    case CanonKind::ThreadSuspendThenResume: return "thread.suspend-then-resume";
    case CanonKind::ThreadYieldThenResume: return "thread.yield-then-resume";
    case CanonKind::ThreadSuspendThenPromote: return "thread.suspend-then-promote";
    case CanonKind::ThreadYieldThenPromote: return "thread.yield-then-promote";
    case CanonKind::ThreadSpawnRef: return "thread.spawn-ref";
    case CanonKind::ThreadSpawnIndirect: return "thread.spawn-indirect";
    case CanonKind::ThreadAvailableParallelism: return "thread.available-parallelism";
  }
  return "?";
}

const std::string* ExternName::implements() const {
  for (auto& a : attrs)
    if (a.kind == 0) return &a.value;
  return nullptr;
}

bool CoreTypeDef::operator==(const CoreTypeDef& o) const {
  return kind == o.kind && func == o.func && has_sub == o.has_sub && sub_final == o.sub_final &&
         supertypes == o.supertypes && decls == o.decls;
}

bool TypeDef::operator==(const TypeDef& o) const {
  return kind == o.kind && prim == o.prim && fields == o.fields && cases == o.cases && types == o.types &&
         labels == o.labels && a == o.a && b == o.b && length == o.length && index == o.index &&
         async == o.async && decls == o.decls && dtor == o.dtor && rep == o.rep;
}

uint32_t add_core_module(Component& c, std::span<const uint8_t> module) {
  auto buf = std::make_shared<std::vector<uint8_t>>();
  if (c.bytes) *buf = *c.bytes;
  uint32_t begin = uint32_t(buf->size());
  buf->insert(buf->end(), module.begin(), module.end());
  c.core_modules.push_back(ByteRange{begin, uint32_t(buf->size())});
  c.bytes = std::move(buf);
  return uint32_t(c.core_modules.size() - 1);
}

namespace {
uint32_t add_item(Component& c, Item::Kind k, size_t index) {
  bool vector_kind = k != Item::CoreModule && k != Item::Component && k != Item::Start && k != Item::Custom;
  uint32_t section = 0;
  if (!c.items.empty()) {
    const Item& last = c.items.back();
    section = last.section + ((vector_kind && last.kind == k) ? 0 : 1);
  }
  c.items.push_back(Item{k, uint32_t(index), section, 0});
  return uint32_t(index);
}
template <class T>
uint32_t push(Component& c, std::vector<T>& v, T x, Item::Kind k) {
  v.push_back(std::move(x));
  return add_item(c, k, v.size() - 1);
}
}  // namespace

uint32_t append(Component& c, std::span<const uint8_t> m) { return add_item(c, Item::CoreModule, add_core_module(c, m)); }
uint32_t append(Component& c, CoreInstance v) { return push(c, c.core_instances, std::move(v), Item::CoreInstance); }
uint32_t append(Component& c, CoreTypeDef v) { return push(c, c.core_types, std::move(v), Item::CoreType); }
uint32_t append(Component& c, Component v) { return push(c, c.components, std::move(v), Item::Component); }
uint32_t append(Component& c, Instance v) { return push(c, c.instances, std::move(v), Item::Instance); }
uint32_t append(Component& c, Alias v) { return push(c, c.aliases, std::move(v), Item::Alias); }
uint32_t append(Component& c, TypeDef v) { return push(c, c.types, std::move(v), Item::Type); }
uint32_t append(Component& c, Canon v) { return push(c, c.canons, std::move(v), Item::Canon); }
uint32_t append(Component& c, Start v) { return push(c, c.starts, std::move(v), Item::Start); }
uint32_t append(Component& c, Import v) { return push(c, c.imports, std::move(v), Item::Import); }
uint32_t append(Component& c, Export v) { return push(c, c.exports, std::move(v), Item::Export); }
uint32_t append(Component& c, CustomSection v) { return push(c, c.customs, std::move(v), Item::Custom); }

// The items of a component in emission order; synthesized kind by kind when
// the component was built by hand (no items).
std::vector<Item> definition_order(const Component& c) {
  if (!c.items.empty()) return c.items;
  std::vector<Item> out;
  uint32_t sec = 0;
  auto add = [&](Item::Kind k, size_t n, bool one_per_section) {
    for (size_t i = 0; i < n; ++i) out.push_back(Item{k, uint32_t(i), one_per_section ? sec++ : sec, 0});
    if (!one_per_section && n) ++sec;
  };
  add(Item::CoreType, c.core_types.size(), false);
  add(Item::Type, c.types.size(), false);
  add(Item::Import, c.imports.size(), false);
  add(Item::CoreModule, c.core_modules.size(), true);
  add(Item::Component, c.components.size(), true);
  add(Item::CoreInstance, c.core_instances.size(), false);
  add(Item::Instance, c.instances.size(), false);
  add(Item::Alias, c.aliases.size(), false);
  add(Item::Canon, c.canons.size(), false);
  add(Item::Start, c.starts.size(), true);
  add(Item::Export, c.exports.size(), false);
  add(Item::Custom, c.customs.size(), true);
  return out;
}

bool Component::same_structure(const Component& o) const {
  if (core_modules.size() != o.core_modules.size()) return false;
  for (size_t i = 0; i < core_modules.size(); ++i) {
    auto a = core_module(uint32_t(i));
    auto b = o.core_module(uint32_t(i));
    if (!std::equal(a.begin(), a.end(), b.begin(), b.end())) return false;
  }
  if (components.size() != o.components.size()) return false;
  for (size_t i = 0; i < components.size(); ++i)
    if (!components[i].same_structure(o.components[i])) return false;
  return core_instances == o.core_instances && core_types == o.core_types && instances == o.instances &&
         aliases == o.aliases && types == o.types && canons == o.canons && starts == o.starts &&
         imports == o.imports && exports == o.exports && customs == o.customs && items == o.items;
}

}  // namespace compono::component
