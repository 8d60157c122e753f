// src/component/runtime/internal.h - the component runtime's private model.
//
// Shared by the two halves of the runtime:
//  * the AST side (instantiate.cpp, inspect.cpp) includes src/component's AST
//    (component/component.h) and sees the public API only up to
//    COMPONO_COMPONENT_VALUES_ONLY (the AST also declares `Component` and
//    `Instance` in compono::component, as aliases of AstComponent and
//    AstInstance, so the two never share a mangled name);
//  * the API side (api.cpp, cabi.cpp, values.cpp) includes the whole public
//    header and never the AST.
// Nothing here mentions an AST type or a class of the full public part.
#pragma once

// AST-side sources #define COMPONO_COMPONENT_VALUES_ONLY before any include.
#include "compono/component.h"

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace compono::component::detail {

// Core flat types.
enum class Flat : uint8_t { I32, I64, F32, F64 };

struct TypeNode {
  Kind kind = Kind::Bool;
  std::string name;
  std::optional<Type> a, b;  // list/option elem, result ok; result err
  std::vector<TypeField> fields;
  ResourceType res;
  // Canonical ABI layout.
  uint32_t size = 0, align = 1;
  uint32_t disc_size = 0;     // variant-like: 1/2/4
  uint32_t payload_offset = 0;  // variant-like: offset of the payload
  std::vector<Flat> flat;
};

struct ResourceTypeImpl {
  std::string name;
  bool host = false;
  std::function<void(uint32_t)> host_dtor;
  wasm::Func guest_dtor;            // optional core dtor (guest types)
  InstanceImpl* impl = nullptr;     // defining component instance (guest types)
};

enum class Encoding : uint8_t { Utf8, Utf16, Latin1Utf16 };

struct CanonOpts {
  wasm::Memory memory;
  wasm::Func realloc;
  wasm::Func post_return;
  Encoding encoding = Encoding::Utf8;
  bool async = false;
  wasm::Func callback;
};

// One call's task (borrow scope) during a lifted call.
struct Task {
  uint32_t num_borrows = 0;
  struct Lend { InstanceImpl* inst; uint32_t index; };
  std::vector<Lend> lenders;
};

struct HandleEntry {
  bool used = false;
  bool own = false;
  uint32_t rep = 0;
  uint32_t num_lends = 0;
  ResourceType rt;
  Task* scope = nullptr;  // borrow handles: the task that received it
};

struct HandleTable {
  std::vector<HandleEntry> array{HandleEntry{}};  // index 0 reserved
  std::vector<uint32_t> free;
};

struct ComponentImpl;  // AST side only

// A component-level item.
struct Item;
using ItemMap = std::map<std::string, Item, std::less<>>;

struct Item {
  ItemKind kind = ItemKind::Func;
  FuncImpl* func = nullptr;
  InstanceImpl* instance = nullptr;
  Type type;                      // Type: a value type (resources: own-less handle, see resource)
  ResourceType resource;          // Type items that are resource types
  bool is_resource = false;
  std::shared_ptr<const void> component;  // Component: a ComponentDef (AST side)
  wasm::Module module;            // Module
};

struct InstanceImpl {
  std::string name;
  ItemMap exports;
  HandleTable table;
  bool may_leave = true;
  bool may_enter = true;
  InstanceImpl* parent = nullptr;  // enclosing component instance (for reentrance)
  bool poisoned = false;
  // The running task's context slots (context.get/set) and backpressure.
  uint32_t context[2] = {0, 0};
  int32_t backpressure = 0;
  // The running async-lifted call (results delivered by task.return).
  std::span<Val>* async_results = nullptr;
  bool async_returned = false;
};

struct FuncImpl {
  std::string name;
  FuncType type;
  // Lifted function (guest export):
  wasm::Func core;
  CanonOpts opts;
  InstanceImpl* inst = nullptr;
  // Host function:
  HostFunc host;
  bool is_host() const { return !core; }
  // Precomputed
  uint32_t flat_params = 0, flat_results = 0;
  std::vector<const Type*> param_ptrs;  // into type.params (filled on first call)
};

struct StoreState {
  explicit StoreState(wasm::Config c) : core(c) {}
  wasm::Store core;
  std::deque<InstanceImpl> instances;
  std::deque<FuncImpl> funcs;
  std::vector<std::shared_ptr<const void>> keep;  // environments kept alive
  bool any_poisoned = false;  // set by the first trap: until then no instance needs the poison check
};

struct LinkerDef {
  ItemKind kind = ItemKind::Func;
  HostFunc fn;
  std::optional<FuncType> type;
  ResourceType resource;
  wasm::Module module;
  InstanceImpl* instance = nullptr;
};
struct LinkerImpl {
  bool shadowing = false;
  // instance name ("" = root) -> name -> def; root-level instances are in
  // `instances`.
  std::map<std::string, std::map<std::string, LinkerDef, std::less<>>, std::less<>> defs;
  std::map<std::string, InstanceImpl*, std::less<>> instances;
};

// ---- layout helpers (values.cpp)
uint32_t flat_count(const std::vector<Type>& ts);
void flatten_types(const std::vector<Type>& ts, std::vector<Flat>& out);
std::vector<Flat> core_sig_params(const FuncType& ft);   // as lowered (caller side)
std::vector<Flat> core_sig_results(const FuncType& ft);
wasm::FuncType lowered_core_type(const FuncType& ft);
wasm::FuncType lifted_core_type(const FuncType& ft);

// ---- canonical ABI (cabi.cpp)
// Call a component function (lifted or host) with lifted values.
Result<void, Trap> call_func(Store& store, FuncImpl* f, std::span<const Val> args, std::span<Val> results);
// The same without a Result on the success path (the embedding API's hot
// path): false with `err` set on failure.  `sink` (may be null) receives the
// results before post-return runs (lowered calls); `adapter` is true when
// the caller is a guest.
struct ResultSink;
bool call_func_fast(Store& store, FuncImpl* f, std::span<const Val> args, std::span<Val> results, ResultSink* sink,
                    bool adapter, std::optional<Trap>& err);
// A core function (for canon lower) that calls `callee` from a component
// instance `caller` with options `opts`.
wasm::Func make_lowered(Store& store, FuncImpl* callee, InstanceImpl* caller, const CanonOpts& opts);
// canon resource.new/drop/rep for type rt in instance inst.
wasm::Func make_resource_new(Store& store, InstanceImpl* inst, ResourceType rt);
wasm::Func make_resource_drop(Store& store, InstanceImpl* inst, ResourceType rt);
wasm::Func make_resource_rep(Store& store, InstanceImpl* inst, ResourceType rt);
// Any other (async/thread/...) built-in: a core function of type `t` that
// traps "cannot leave component instance" when called while leaving is not
// allowed and otherwise traps "unsupported: <what>".
// canon task.return for an async-lifted export of `inst`.
wasm::Func make_task_return(Store& store, InstanceImpl* inst, std::optional<Type> result, const CanonOpts& opts);
wasm::Func make_unsupported_builtin(Store& store, InstanceImpl* inst, const wasm::FuncType& t, std::string what);

// ---- names
// Split "ns:pkg/iface@1.2.3" into base and version ("" when none).
void split_version(std::string_view name, std::string& base, std::string& version);
// Are two versions semver-compatible (same major, or 0.minor when major 0)?
bool semver_compatible(std::string_view a, std::string_view b);
// Compare versions: <0, 0, >0.
int compare_versions(std::string_view a, std::string_view b);
// Find an item in a map by name, semver-compatibly for versioned names.
const Item* find_item(const ItemMap& m, std::string_view name);

// ---- AST side (instantiate.cpp)
Result<std::shared_ptr<const ComponentImpl>> compile_component(std::span<const uint8_t> bytes);
std::vector<ItemInfo> component_imports(const ComponentImpl& c);
std::vector<ItemInfo> component_exports(const ComponentImpl& c);
std::string component_wit(const ComponentImpl& c);
Result<InstanceImpl*> instantiate(Store& store, const LinkerImpl& linker, const ComponentImpl& c);

}  // namespace compono::component::detail
