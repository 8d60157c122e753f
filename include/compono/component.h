// compono/component.h - the Component Model embedding API.
//
// Compile a component, define its imports in a Linker, instantiate it in a
// Store and call its exports with dynamic values (Val):
//
//   using namespace compono::component;
//   auto comp = Component::compile(bytes);                 // Result<Component>
//   Store store;
//   Linker linker;
//   linker.define_func("wasi:cli/stdout@0.2.0", "get-stdout",
//       [](HostCall& call, std::span<const Val> args, std::span<Val> results) -> HostResult {
//         results[0] = Val::own(Resource(stdout_type, 1));
//         return {};
//       });
//   auto inst = linker.instantiate(store, *comp);           // Result<Instance>
//   Func greet = inst->get_func("greet");                   // or "wasi:cli/run@0.2.0#run"
//   auto r = greet.call(store, {Val::string("World")});     // Result<std::vector<Val>, Trap>
//
// Rules:
//  * Errors are values: Result<T> (compono/result.h) for setup errors,
//    Result<T, Trap> for guest faults (a Trap is compono::wasm::Trap, with
//    the message worded as Wasmtime words it).  Nothing here throws.
//  * A Store owns every runtime object (core instances, component instances,
//    handle tables).  It is move-only and must outlive every Instance/Func
//    into it.  One Store is used by one thread at a time.
//  * Component, Instance, Func, ResourceType are cheap copyable handles.
//  * Val is a plain value type: scalars never allocate; strings, lists and
//    aggregates own their contents.
//
// Canonical ABI (lifting/lowering), resources and handle tables follow
// CanonicalABI.md exactly; post-return is called automatically after a call
// has been lifted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compono/core.h"
#include "compono/result.h"

namespace compono::component {

namespace detail {
struct TypeNode;
struct ResourceTypeImpl;
struct StoreState;
struct ComponentImpl;
struct InstanceImpl;
struct FuncImpl;
struct LinkerImpl;
}  // namespace detail

class Store;

using Trap = wasm::Trap;
// A host function's outcome: success, or a Trap to raise in the guest.
using HostResult = Result<void, Trap>;

// ---------------------------------------------------------------------------
// Resource types and handles

// A resource type.  Host-defined types are created with ResourceType::host();
// guest-defined types are created by instantiation (one per `(type (resource))`
// definition per instance).  Two ResourceType handles are equal iff they
// denote the same type.
class ResourceType {
 public:
  ResourceType() = default;
  // A new host resource type.  `dtor(rep)` (may be empty) runs when the last
  // owning handle is dropped by a guest (resource.drop of an own handle) or
  // by Resource::drop.
  static ResourceType host(std::string name, std::function<void(uint32_t rep)> dtor = {});

  const std::string& name() const;  // the WIT name, e.g. "context" (may be "")
  bool is_host() const;

  explicit operator bool() const { return impl_ != nullptr; }
  bool operator==(const ResourceType& o) const { return impl_ == o.impl_; }
  const std::shared_ptr<detail::ResourceTypeImpl>& impl() const { return impl_; }
  explicit ResourceType(std::shared_ptr<detail::ResourceTypeImpl> p) : impl_(std::move(p)) {}

 private:
  std::shared_ptr<detail::ResourceTypeImpl> impl_;
};

// A resource value crossing the host boundary: its type and representation
// (the i32 "rep" of the Canonical ABI; for host types the host chooses it,
// e.g. an index into its own object table).
//  * Host -> guest: Val::own(Resource(t, rep)) transfers ownership into the
//    guest's handle table; Val::borrow(Resource(t, rep)) lends it for the
//    duration of the call (the guest must drop the borrow before returning).
//  * Guest -> host: a lifted own<T> gives the host the Resource (the host now
//    owns it; call drop() to run the destructor); a lifted borrow<T> is valid
//    only during the host call.
class Resource {
 public:
  Resource() = default;
  Resource(ResourceType type, uint32_t rep) : type_(std::move(type)), rep_(rep) {}
  const ResourceType& type() const { return type_; }
  uint32_t rep() const { return rep_; }
  // Run the type's destructor for an owned resource (host types: the host
  // dtor; guest types: the guest's dtor, which needs the Store).
  Result<void, Trap> drop(Store& store) const;
  bool operator==(const Resource& o) const { return type_ == o.type_ && rep_ == o.rep_; }

 private:
  ResourceType type_;
  uint32_t rep_ = 0;
};

// ---------------------------------------------------------------------------
// Types

enum class Kind : uint8_t {
  Bool, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, Char, String,
  List, Record, Tuple, Variant, Enum, Option, Result, Flags, Own, Borrow,
};
const char* to_string(Kind k);  // "bool", "u32", "list", "own", ...
inline bool is_scalar(Kind k) { return k <= Kind::Char; }

struct TypeField;

// A component value type (WIT type), used to build and check values, to
// describe function signatures and to print WIT.  Cheap to copy (shared).
class Type {
 public:
  Type() : Type(Kind::Bool) {}
  explicit Type(Kind scalar_kind);  // scalars and string

  static Type bool_() { return Type(Kind::Bool); }
  static Type s8() { return Type(Kind::S8); }
  static Type u8() { return Type(Kind::U8); }
  static Type s16() { return Type(Kind::S16); }
  static Type u16() { return Type(Kind::U16); }
  static Type s32() { return Type(Kind::S32); }
  static Type u32() { return Type(Kind::U32); }
  static Type s64() { return Type(Kind::S64); }
  static Type u64() { return Type(Kind::U64); }
  static Type f32() { return Type(Kind::F32); }
  static Type f64() { return Type(Kind::F64); }
  static Type char_() { return Type(Kind::Char); }
  static Type string() { return Type(Kind::String); }
  static Type list(Type elem);
  static Type record(std::vector<std::pair<std::string, Type>> fields);
  static Type tuple(std::vector<Type> elems);
  // Cases without payload have std::nullopt.
  static Type variant(std::vector<std::pair<std::string, std::optional<Type>>> cases);
  static Type enum_(std::vector<std::string> cases);
  static Type option(Type some);
  static Type result(std::optional<Type> ok, std::optional<Type> err);
  static Type flags(std::vector<std::string> labels);
  static Type own(ResourceType r);
  static Type borrow(ResourceType r);

  Kind kind() const;
  // list/option element; result ok (may be absent).
  const Type* elem() const;
  const Type* err() const;  // result err (may be absent)
  // record fields / variant cases (type may be absent) / tuple elements (no
  // names) / enum and flags labels (no types).
  const std::vector<TypeField>& fields() const;
  const ResourceType& resource() const;  // own/borrow
  // Optional name of the type (e.g. a WIT type name) used when printing.
  const std::string& name() const;
  Type named(std::string name) const;

  // WIT syntax: "list<u8>", "record { a: u32 }", "result<string, u8>".
  std::string to_string() const;
  bool operator==(const Type& o) const;  // structural (resources by identity)
  const detail::TypeNode* node() const { return node_.get(); }
  explicit Type(std::shared_ptr<const detail::TypeNode> n) : node_(std::move(n)) {}

 private:
  std::shared_ptr<const detail::TypeNode> node_;
};

struct TypeField {
  std::string name;
  std::optional<Type> type;
};

struct FuncType {
  std::vector<std::pair<std::string, Type>> params;
  std::optional<Type> result;
  std::string to_string() const;  // "func(a: u32, b: string) -> list<u8>"
};

// ---------------------------------------------------------------------------
// Values

// A dynamic component value.  Aggregates use these conventions:
//   record: fields() in declaration order, with names (field_names())
//   tuple: fields() in order
//   variant: case_name() + optional payload()
//   enum: case_name()
//   option: none = no payload; some = payload()
//   result: is_ok() with optional payload() (ok or err value)
//   flags: the set labels, in declaration order (flag_names())
//   list: elems()
class Val {
 public:
  Val() = default;
  ~Val() = default;
  Val(const Val& o);
  Val& operator=(const Val& o);
  Val(Val&&) noexcept = default;
  Val& operator=(Val&&) noexcept = default;

  static Val bool_(bool v) { return scalar(Kind::Bool, v ? 1 : 0); }
  static Val s8(int8_t v) { return scalar(Kind::S8, uint64_t(int64_t(v))); }
  static Val u8(uint8_t v) { return scalar(Kind::U8, v); }
  static Val s16(int16_t v) { return scalar(Kind::S16, uint64_t(int64_t(v))); }
  static Val u16(uint16_t v) { return scalar(Kind::U16, v); }
  static Val s32(int32_t v) { return scalar(Kind::S32, uint64_t(int64_t(v))); }
  static Val u32(uint32_t v) { return scalar(Kind::U32, v); }
  static Val s64(int64_t v) { return scalar(Kind::S64, uint64_t(v)); }
  static Val u64(uint64_t v) { return scalar(Kind::U64, v); }
  static Val f32(float v);
  static Val f64(double v);
  static Val f32_bits(uint32_t bits) { return scalar(Kind::F32, bits); }
  static Val f64_bits(uint64_t bits) { return scalar(Kind::F64, bits); }
  static Val char_(char32_t c) { return scalar(Kind::Char, uint32_t(c)); }
  static Val string(std::string utf8);
  static Val list(std::vector<Val> elems);
  static Val record(std::vector<std::pair<std::string, Val>> fields);
  static Val tuple(std::vector<Val> elems);
  static Val variant(std::string case_name, std::optional<Val> payload = std::nullopt);
  static Val enum_(std::string case_name);
  static Val none();
  static Val some(Val v);
  static Val ok(std::optional<Val> v = std::nullopt);
  static Val err(std::optional<Val> v = std::nullopt);
  static Val flags(std::vector<std::string> set_labels);
  static Val own(Resource r);
  static Val borrow(Resource r);

  Kind kind() const { return kind_; }
  // Scalars (no conversion between kinds; reading the wrong kind gives the
  // raw bits reinterpreted).
  bool as_bool() const { return bits_ != 0; }
  int64_t as_s64() const { return int64_t(bits_); }   // any signed kind
  uint64_t as_u64() const { return bits_; }           // any unsigned kind
  int32_t as_s32() const { return int32_t(bits_); }
  uint32_t as_u32() const { return uint32_t(bits_); }
  float as_f32() const;
  double as_f64() const;
  char32_t as_char() const { return char32_t(bits_); }
  uint64_t raw_bits() const { return bits_; }  // float bits, ints zero/sign-extended
  const std::string& as_string() const { return str_; }
  // Moves the string out, leaving "" behind: lets a typed binding return a
  // lifted string without copying it again.
  std::string take_string() { return std::move(str_); }
  // Byte lists (list<u8> / list<s8>) in compact form: lifted byte lists
  // arrive this way (one memcpy), and host byte lists built with bytes()
  // are lowered with one memcpy.  elems() still works on them (the Val
  // elements are made on first use).
  static Val bytes(std::span<const uint8_t> b, bool is_signed = false);
  // The same, taking over the vector (no copy).
  static Val bytes_moved(std::vector<uint8_t> b, bool is_signed = false);
  bool is_bytes() const { return kind_ == Kind::List && case_index_ == kBytesForm; }
  std::span<const uint8_t> as_bytes() const {
    if (!is_bytes() || !agg_) return {};
    return {agg_->bytes.data(), agg_->bytes.size()};
  }
  // Moves a byte list out (no copy for the compact form; other lists of
  // u8/s8 are converted), leaving an empty list behind.
  std::vector<uint8_t> take_bytes();
  // Aggregates.
  const std::vector<Val>& elems() const {  // list, tuple, record values
    if (is_bytes() && agg_ && items().size() != agg_->bytes.size()) materialize();
    return items();
  }
  std::vector<Val>& elems() {
    if (is_bytes()) {
      materialize();
      agg_->bytes.clear();
      case_index_ = -1;
    }
    return mut_items();
  }
  const std::vector<Val>& fields() const { return items(); }
  const std::vector<std::string>& field_names() const { return names(); }  // record
  const std::vector<std::string>& flag_names() const { return names(); }   // flags
  const std::string& case_name() const { return str_; }                   // variant, enum
  bool has_payload() const { return agg_ && !agg_->items.empty(); }   // variant/option/result
  const Val* payload() const { return has_payload() ? &agg_->items[0] : nullptr; }
  bool is_some() const { return kind_ == Kind::Option && bits_ != 0; }
  bool is_ok() const { return kind_ == Kind::Result && bits_ == 0; }
  const Resource& resource() const { return res_; }  // own, borrow

  // Does this value have type t?  Returns an error naming the mismatch.
  Result<void> check(const Type& t) const;
  // WAVE text ("{name: \"World\"}", "some(3)", "[1, 2]", "ok", "own<context>#1").
  std::string to_string() const;
  bool operator==(const Val& o) const;

  // Internal constructor used by the runtime (kind + raw bits).
  static Val scalar(Kind k, uint64_t bits) { Val v; v.kind_ = k; v.bits_ = bits; return v; }
  // Internal: discriminant index of variant/enum, when known (else -1).
  int64_t case_index() const { return case_index_; }
  void set_case_index(int64_t i) { case_index_ = int32_t(i); }

 private:
  // Aggregate contents (elements, record/flags names), allocated only for
  // aggregates: a scalar, string or resource Val is 80 bytes with no heap
  // block, small enough that a default-constructed Val is a few stores
  // (g++ clears larger objects with `rep stos`, which costs ~10 ns).
  struct Agg {
    std::vector<Val> items;
    std::vector<std::string> names;
    std::vector<uint8_t> bytes;  // list<u8>/list<s8> in compact form
  };
  static const std::vector<Val>& empty_items();
  static const std::vector<std::string>& empty_names();
  const std::vector<Val>& items() const { return agg_ ? agg_->items : empty_items(); }
  std::vector<Val>& mut_items() const {
    if (!agg_) agg_ = std::make_unique<Agg>();
    return agg_->items;
  }
  const std::vector<std::string>& names() const { return agg_ ? agg_->names : empty_names(); }
  std::vector<std::string>& mut_names() {
    if (!agg_) agg_ = std::make_unique<Agg>();
    return agg_->names;
  }
  static constexpr int32_t kBytesForm = -2;
  void materialize() const;
  Kind kind_ = Kind::Bool;
  int32_t case_index_ = -1;
  uint64_t bits_ = 0;  // list in bytes form: 1 if list<s8>
  std::string str_;
  Resource res_;
  mutable std::unique_ptr<Agg> agg_;
};

// ---------------------------------------------------------------------------
// Store

class Store {
 public:
  explicit Store(wasm::Config config = {});
  ~Store();
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The core store in which all core instances live (fuel, limits).
  wasm::Store& core();
  detail::StoreState* state() const { return state_.get(); }

 private:
  std::unique_ptr<detail::StoreState> state_;
};

// ---------------------------------------------------------------------------
// Imports/exports

// The kind of an import or export.
enum class ItemKind : uint8_t { Module, Func, Value, Type, Component, Instance };

struct ItemInfo {
  std::string name;  // "greet", "wasi:cli/run@0.2.0"
  ItemKind kind = ItemKind::Func;
  // WIT-like printed type: "func(name: string) -> string",
  // "instance { run: func() -> result }", "type resource".
  std::string type;
};

// ---------------------------------------------------------------------------
// Host functions

// Passed to host functions.
class HostCall {
 public:
  Store& store() const { return *store_; }
  // The calling component instance (null for direct calls by the embedder).
  detail::InstanceImpl* instance_impl() const { return inst_; }
  // The canonical options' memory of the calling lowered import (null if none).
  wasm::Memory memory() const { return memory_; }

  HostCall(Store& s, detail::InstanceImpl* inst, wasm::Memory mem) : store_(&s), inst_(inst), memory_(mem) {}

 private:
  Store* store_;
  detail::InstanceImpl* inst_;
  wasm::Memory memory_;
};

// A host function: `args` are the lifted arguments, `results` has the result
// count (0 or 1), pre-filled with default values; assign them.  Returning a
// Trap aborts the guest's call with that trap.
using HostFunc = std::function<HostResult(HostCall& call, std::span<const Val> args, std::span<Val> results)>;

#ifndef COMPONO_COMPONENT_VALUES_ONLY  // (the runtime's own sources see only the part above)

// ---------------------------------------------------------------------------
// Component

class Component {
 public:
  Component() = default;
  // Decode and validate a component binary.  Errors carry the byte offset.
  static Result<Component> compile(std::span<const uint8_t> bytes);

  std::vector<ItemInfo> imports() const;
  std::vector<ItemInfo> exports() const;
  // The imports and exports printed as a WIT world:
  //   world root {
  //     import wasi:cli/stdout@0.2.0: interface { get-stdout: func() -> own<output-stream>; }
  //     export greet: func(name: string) -> string;
  //   }
  std::string to_wit() const;

  explicit operator bool() const { return impl_ != nullptr; }
  const std::shared_ptr<const detail::ComponentImpl>& impl() const { return impl_; }
  explicit Component(std::shared_ptr<const detail::ComponentImpl> p) : impl_(std::move(p)) {}

 private:
  std::shared_ptr<const detail::ComponentImpl> impl_;
};

// ---------------------------------------------------------------------------
// Calls

// A component function (an export of an instance, or a host function).
class Func {
 public:
  Func() = default;

  FuncType type() const;
  const std::string& name() const;

  // Call with arguments matching type().params (checked; a mismatch is a
  // Trap "type mismatch: ...").  Lifts the results, then runs post-return.
  Result<std::vector<Val>, Trap> call(Store& store, std::span<const Val> args) const;
  Result<std::vector<Val>, Trap> call(Store& store, std::initializer_list<Val> args) const {
    return call(store, std::span<const Val>(args.begin(), args.size()));
  }
  // Allocation-free form for typed bindings: `results` must have exactly
  // the result count.  With scalar-only signatures no heap allocation is made.
  Result<void, Trap> call_into(Store& store, std::span<const Val> args, std::span<Val> results) const;

  explicit operator bool() const { return f_ != nullptr; }
  detail::FuncImpl* raw() const { return f_; }
  explicit Func(detail::FuncImpl* f) : f_(f) {}

 private:
  detail::FuncImpl* f_ = nullptr;
};

// ---------------------------------------------------------------------------
// Instance

class Instance {
 public:
  Instance() = default;

  // An exported function: "greet", "wasi:cli/run@0.2.0#run" (function `run`
  // of exported instance `wasi:cli/run@0.2.0`), nested "a#b#c".  For an
  // instance name with a version, any semver-compatible version matches.
  Func get_func(std::string_view name) const;
  Func get_func(std::string_view instance, std::string_view name) const;
  // An exported (possibly nested, "a#b") instance.
  Instance get_instance(std::string_view name) const;
  // An exported resource type (e.g. to build own<T> values for the guest).
  ResourceType get_resource(std::string_view name) const;
  // Names of the exports at this level.
  std::vector<std::string> export_names() const;

  explicit operator bool() const { return i_ != nullptr; }
  detail::InstanceImpl* raw() const { return i_; }
  explicit Instance(detail::InstanceImpl* i) : i_(i) {}

 private:
  detail::InstanceImpl* i_ = nullptr;
};

// ---------------------------------------------------------------------------
// Linker

// Resolves a component's imports by name.  Instance names may carry a
// version ("wasi:cli/stdout@0.2.0"): an import of version 0.2.x is satisfied
// by a definition of any 0.2.y (x.*.* for x >= 1), the highest one winning.
class Linker {
 public:
  Linker();
  ~Linker();
  Linker(Linker&&) noexcept;
  Linker& operator=(Linker&&) noexcept;
  Linker(const Linker&);
  Linker& operator=(const Linker&);

  // When false (default) redefining a name is an error "duplicate definition: ...".
  void allow_shadowing(bool allow);

  // A host function `name` inside imported instance `instance`; an empty
  // `instance` defines a top-level function import.  The import's own type
  // is used to lift/lower; with `type`, it is also checked at instantiation.
  Result<void> define_func(std::string_view instance, std::string_view name, HostFunc fn);
  Result<void> define_func(std::string_view instance, std::string_view name, FuncType type, HostFunc fn);
  // A host resource type `name` inside `instance` (or top-level when empty).
  Result<void> define_resource(std::string_view instance, std::string_view name, ResourceType type);
  // A core module import (`(import "m" (core module ...))`).
  Result<void> define_module(std::string_view instance, std::string_view name, wasm::Module module);
  // Every export of a component instance under `name` (e.g. chaining two
  // components, or the spec tests' instance imports).
  Result<void> define_instance(std::string_view name, Instance instance);

  // Resolve every import (errors: "missing import: ...", "import ... has the
  // wrong type: ...") and instantiate: core instances, nested components,
  // start functions, exports.  A trap during instantiation is an Error with
  // the trap message.
  Result<Instance> instantiate(Store& store, const Component& component) const;

  detail::LinkerImpl* impl() const { return impl_.get(); }

 private:
  std::unique_ptr<detail::LinkerImpl> impl_;
};

#endif  // COMPONO_COMPONENT_VALUES_ONLY

}  // namespace compono::component
