// compono/core.h - the core WebAssembly embedding API.
//
// Compile a module, create a Store, define imports in a Linker, instantiate,
// and call exports:
//
//   using namespace compono::wasm;
//   auto module = Module::compile(bytes);            // Result<Module>
//   Store store;                                     // owns every runtime object
//   Linker linker;
//   linker.define_host(store, "env", "log", FuncType{{ValType::I32}, {}},
//       [](Caller& c, std::span<const Value> args, std::span<Value>) -> HostResult {
//         std::printf("%d\n", args[0].i32());
//         return {};
//       });
//   auto inst = linker.instantiate(store, *module);  // Result<Instance>
//   auto r = inst->get_func("run").call(store, {Value::i32(7)});
//   if (!r) std::puts(r.error().to_string().c_str());  // a Trap
//
// Rules:
//  * Errors are values: Result<T> (compono/result.h) for setup errors,
//    Result<T, Trap> for guest faults.  Nothing here throws.
//  * A Store owns all runtime objects (functions, memories, tables, globals,
//    instances); it is move-only and must outlive every handle into it.
//    Func/Memory/Table/Global/Instance are cheap copyable handles (one
//    pointer); a default-constructed handle is "null" (operator bool false)
//    and only operator bool / == may be used on it.  Handles from one Store
//    must not be used with another.
//  * A Module is an immutable, compiled (decoded, validated, translated)
//    module; copies share the same code and it can be instantiated in any
//    number of Stores.
//  * One Store must be used by one thread at a time.
//
// The public namespace is compono::wasm (compono::core is the engine's
// private implementation namespace).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compono/result.h"

namespace compono::wasm {

namespace detail {
struct FuncInst;
struct MemoryInst;
struct TableInst;
struct GlobalInst;
struct TagInst;
struct InstanceInst;
struct ModuleImpl;
struct StoreImpl;
}  // namespace detail

// ---------------------------------------------------------------------------
// Types

// Value types, numbered as in the binary format.
enum class ValType : uint8_t {
  I32 = 0x7f,
  I64 = 0x7e,
  F32 = 0x7d,
  F64 = 0x7c,
  V128 = 0x7b,
  FuncRef = 0x70,
  ExternRef = 0x6f,
  // Exception reference (exception handling, Config::exceptions).
  ExnRef = 0x69,
};
const char* to_string(ValType t);  // "i32", "funcref", "exnref", ...
inline bool is_ref(ValType t) { return t == ValType::FuncRef || t == ValType::ExternRef || t == ValType::ExnRef; }

// Tag = exception tag (exception handling, Config::exceptions).
enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 };
const char* to_string(ExternKind k);  // "func", "table", "memory", "global", "tag"

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType&) const = default;
  std::string to_string() const;  // "(i32, i64) -> (f32)"
};

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool operator==(const Limits&) const = default;
};
struct TableType {
  ValType elem = ValType::FuncRef;
  Limits limits;
  bool operator==(const TableType&) const = default;
};
struct MemoryType {
  Limits limits;  // in 64 KiB pages
  bool operator==(const MemoryType&) const = default;
};
struct GlobalType {
  ValType type = ValType::I32;
  bool mut = false;
  bool operator==(const GlobalType&) const = default;
};
// An exception tag's type: the payload types (results are always empty).
struct TagType {
  std::vector<ValType> params;
  bool operator==(const TagType&) const = default;
};

// The type of an import or export; only the member matching `kind` is set.
struct ExternType {
  ExternKind kind = ExternKind::Func;
  FuncType func;
  TableType table;
  MemoryType memory;
  GlobalType global;
  TagType tag;
  std::string to_string() const;  // "func (i32) -> ()", "memory 1..2", "tag (i32)", ...
};

struct ImportType {
  std::string module;
  std::string name;
  ExternType type;
};
struct ExportType {
  std::string name;
  ExternType type;
};

// ---------------------------------------------------------------------------
// Values

class Func;

struct V128 {
  uint8_t bytes[16] = {};
  bool operator==(const V128&) const = default;
};

// A typed WebAssembly value.  Floats are kept as raw bits so NaN payloads
// survive round trips (use f32_bits()/f64_bits() to compare exactly).
// References: a funcref holds a Func handle (or null); an externref holds an
// opaque 64-bit host value chosen by the embedder (or null; a non-null
// externref may hold any value including 0); an exnref is opaque to the
// embedder (null, or an exception object owned by the Store it came from).
class Value {
 public:
  Value() : type_(ValType::I32) {}

  static Value i32(int32_t v) { Value r(ValType::I32); r.bits_ = uint32_t(v); return r; }
  static Value i64(int64_t v) { Value r(ValType::I64); r.bits_ = uint64_t(v); return r; }
  static Value f32(float v) { uint32_t b; std::memcpy(&b, &v, 4); return f32_from_bits(b); }
  static Value f64(double v) { uint64_t b; std::memcpy(&b, &v, 8); return f64_from_bits(b); }
  static Value f32_from_bits(uint32_t b) { Value r(ValType::F32); r.bits_ = b; return r; }
  static Value f64_from_bits(uint64_t b) { Value r(ValType::F64); r.bits_ = b; return r; }
  static Value v128(const V128& v) { Value r(ValType::V128); r.v128_ = v; return r; }
  static Value funcref(Func f);  // a null Func gives a null funcref
  static Value externref(uint64_t host_value) { Value r(ValType::ExternRef); r.bits_ = host_value; r.null_ = false; return r; }
  static Value null_ref(ValType t) { Value r(t); r.null_ = true; return r; }
  // The default ("zero") value of a type: 0, +0.0, or a null reference.
  static Value zero(ValType t) { Value r(t); r.null_ = is_ref(t); return r; }

  ValType type() const { return type_; }
  int32_t i32() const { return int32_t(uint32_t(bits_)); }
  int64_t i64() const { return int64_t(bits_); }
  float f32() const { float f; uint32_t b = f32_bits(); std::memcpy(&f, &b, 4); return f; }
  double f64() const { double d; std::memcpy(&d, &bits_, 8); return d; }
  uint32_t f32_bits() const { return uint32_t(bits_); }
  uint64_t f64_bits() const { return bits_; }
  const V128& v128() const { return v128_; }
  // References.
  bool is_null() const { return null_; }
  Func funcref() const;                           // null Func if null
  uint64_t externref() const { return bits_; }     // the host value (0 if null)

  // Same type and bit pattern (refs: same function / host value / nullness).
  bool operator==(const Value& o) const;
  std::string to_string() const;  // "i32:7", "f64:0x1p+0", "funcref:null", ...

  // Raw payload: ints/float bits, externref host value, or the internal
  // function pointer of a funcref (or exception object of an exnref).
  uint64_t raw_bits() const { return bits_; }
  // A funcref/exnref from the raw_bits() of one of the same Store (0 = null).
  static Value ref_from_raw(ValType t, uint64_t raw) { Value r(t); r.bits_ = raw; r.null_ = raw == 0; return r; }

 private:
  explicit Value(ValType t) : type_(t) {}
  ValType type_;
  bool null_ = false;
  uint64_t bits_ = 0;
  V128 v128_{};
};

// ---------------------------------------------------------------------------
// Traps

struct TrapFrame {
  uint32_t func_index = 0;  // in the module's function index space
  std::string func_name;    // from the "name" section, else "func[N]"
  std::string module_name;  // from the "name" section, else ""
};

// A guest fault or a host-requested stop.  `message` is exactly the spec's
// wording: "unreachable", "integer divide by zero", "integer overflow",
// "invalid conversion to integer", "out of bounds memory access",
// "out of bounds table access", "indirect call type mismatch",
// "undefined element", "uninitialized element", "call stack exhausted",
// "out of fuel", "null exception reference", "uncaught wasm exception"
// (an exception thrown by wasm that no try_table handler caught before it
// reached the embedder or a host function: exceptions never cross host
// frames); or a host function's own message.
struct Trap {
  std::string message;
  // Innermost frame first.
  std::vector<TrapFrame> backtrace;
  // Set when the guest asked to exit (WASI proc_exit): not a fault.
  std::optional<int32_t> exit_code;

  Trap() = default;
  explicit Trap(std::string msg) : message(std::move(msg)) {}
  static Trap exit(int32_t code) {
    Trap t("exit with code " + std::to_string(code));
    t.exit_code = code;
    return t;
  }
  // Message, then one "  at module!func (func[N])" line per frame.
  std::string to_string() const;
};

// What a call returns: the results, or the trap.
using CallResult = Result<std::vector<Value>, Trap>;
// What a host function returns: success ({}), or a Trap to raise.
using HostResult = Result<void, Trap>;

// ---------------------------------------------------------------------------
// Config and Store

struct Config {
  // Upper bound on any memory's size in 64 KiB pages (also caps memory.grow,
  // which then returns -1).  65536 = the full 4 GiB of wasm32.
  uint64_t max_memory_pages = 65536;
  // Upper bound on any table's size in elements.
  uint64_t max_table_elements = 10'000'000;
  // Maximum wasm call depth; deeper calls trap "call stack exhausted".
  uint32_t max_call_depth = 250'000;
  // Size of the value stack (locals and operands of all active frames) in
  // 8-byte slots; exhausting it also traps "call stack exhausted".  The
  // memory is reserved lazily (only pages in use are touched).
  uint64_t max_stack_slots = 4 * 1024 * 1024;
  // Fuel metering: when true, every function entry and loop iteration costs
  // one unit and running out traps "out of fuel".  Off by default (no cost).
  bool consume_fuel = false;

  // Post-2.0 core features, checked when a module is compiled with
  // Module::compile(bytes, config).  Both default to off, so the default is
  // exactly WebAssembly 2.0 (a module using them is rejected with the
  // spec's message plus the feature to enable).  The component runtime
  // turns both on for the core modules embedded in components.
  //  * multi_memory: more than one memory; memory index immediates on loads,
  //    stores and memory.* instructions.
  //  * exceptions: the exception-handling proposal in its final ("exnref")
  //    form: the tag section, tag imports/exports, throw, throw_ref,
  //    try_table and the exnref type.  No cost for code that uses none of it.
  bool multi_memory = false;
  bool exceptions = false;
};

class Store {
 public:
  explicit Store(Config config = {});
  ~Store();
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const Config& config() const;
  // Fuel (only meaningful with Config::consume_fuel).
  void set_fuel(uint64_t fuel);
  uint64_t fuel() const;

  detail::StoreImpl* impl() const { return impl_.get(); }

 private:
  std::unique_ptr<detail::StoreImpl> impl_;
};

// ---------------------------------------------------------------------------
// Module

class Module {
 public:
  Module() = default;
  // Decode, validate and translate a binary module.  Errors carry the spec's
  // message and the byte offset.  The one-argument form accepts exactly
  // WebAssembly 2.0; the second takes the enabled features from `config`
  // (Config::multi_memory, Config::exceptions; the other fields are unused).
  static Result<Module> compile(std::span<const uint8_t> bytes);
  static Result<Module> compile(std::span<const uint8_t> bytes, const Config& config);

  std::vector<ImportType> imports() const;
  std::vector<ExportType> exports() const;
  // The module name from the name section, if any.
  std::optional<std::string> name() const;

  explicit operator bool() const { return impl_ != nullptr; }
  const detail::ModuleImpl* impl() const { return impl_.get(); }

 private:
  std::shared_ptr<const detail::ModuleImpl> impl_;
  friend struct detail::ModuleImpl;
};

// ---------------------------------------------------------------------------
// Handles

class Memory;
class Instance;

// Passed to host functions: who is calling.
class Caller {
 public:
  Store& store() const { return *store_; }
  // The calling instance (null when a host function is called directly from
  // the embedder).
  Instance instance() const;
  // The calling instance's export "memory" (null if none).
  Memory memory() const;

  Caller(Store& s, detail::InstanceInst* inst) : store_(&s), inst_(inst) {}

 private:
  Store* store_;
  detail::InstanceInst* inst_;
};

// Host function, "Value" form: args has the parameter count, results has the
// result count (pre-filled with zero values of the right types; assign them).
using HostFunc = std::function<HostResult(Caller&, std::span<const Value> args, std::span<Value> results)>;
// Host function, raw form (fastest): `slots` holds the arguments as raw
// 8-byte slots on entry (i32 in the low 32 bits, floats as bits, externref as
// host value + 1 with 0 = null, funcref as internal pointer) and must hold
// the results in the same encoding on return (slots[0..results)).
using RawHostFunc = std::function<HostResult(Caller&, uint64_t* slots)>;

class Func {
 public:
  Func() = default;
  // A host function of the given type.
  static Func host(Store& store, FuncType type, HostFunc fn);
  static Func host_raw(Store& store, FuncType type, RawHostFunc fn);

  FuncType type() const;
  // Call with arguments matching type().params (checked: a mismatch is a
  // Trap with message "type mismatch: ...").
  CallResult call(Store& store, std::span<const Value> args) const;
  CallResult call(Store& store, std::initializer_list<Value> args) const {
    return call(store, std::span<const Value>(args.begin(), args.size()));
  }

  explicit operator bool() const { return f_ != nullptr; }
  bool operator==(const Func& o) const { return f_ == o.f_; }
  detail::FuncInst* raw() const { return f_; }
  explicit Func(detail::FuncInst* f) : f_(f) {}

 private:
  detail::FuncInst* f_ = nullptr;
};

class Memory {
 public:
  Memory() = default;
  static Result<Memory> create(Store& store, MemoryType type);

  MemoryType type() const;  // current limits.min = current size in pages
  // Base address of the linear memory.  Invalidated by grow (by the guest or
  // the host): re-read after any call into wasm.
  uint8_t* data() const;
  uint64_t size() const;   // in bytes
  uint64_t pages() const;  // in 64 KiB pages
  // Grow by `delta` pages; returns the old size in pages, or an error if the
  // maximum (type or Config) would be exceeded.
  Result<uint64_t> grow(Store& store, uint64_t delta) const;
  // Bounds-checked copies ("out of bounds memory access" on failure).
  Result<void> read(uint64_t offset, std::span<uint8_t> out) const;
  Result<void> write(uint64_t offset, std::span<const uint8_t> in) const;
  // Bounds-checked pointer to [offset, offset+len), or nullptr.
  uint8_t* ptr(uint64_t offset, uint64_t len) const;

  explicit operator bool() const { return m_ != nullptr; }
  bool operator==(const Memory& o) const { return m_ == o.m_; }
  detail::MemoryInst* raw() const { return m_; }
  explicit Memory(detail::MemoryInst* m) : m_(m) {}

 private:
  detail::MemoryInst* m_ = nullptr;
};

class Table {
 public:
  Table() = default;
  // `init` fills the initial elements (must match type.elem).
  static Result<Table> create(Store& store, TableType type, Value init);

  TableType type() const;
  uint64_t size() const;
  Result<Value> get(uint64_t index) const;
  Result<void> set(uint64_t index, Value v) const;
  // Returns the old size.
  Result<uint64_t> grow(Store& store, uint64_t delta, Value init) const;

  explicit operator bool() const { return t_ != nullptr; }
  bool operator==(const Table& o) const { return t_ == o.t_; }
  detail::TableInst* raw() const { return t_; }
  explicit Table(detail::TableInst* t) : t_(t) {}

 private:
  detail::TableInst* t_ = nullptr;
};

class Global {
 public:
  Global() = default;
  static Result<Global> create(Store& store, GlobalType type, Value init);

  GlobalType type() const;
  Value get() const;
  // Fails if the global is immutable or the type differs.
  Result<void> set(Value v) const;

  explicit operator bool() const { return g_ != nullptr; }
  bool operator==(const Global& o) const { return g_ == o.g_; }
  detail::GlobalInst* raw() const { return g_; }
  explicit Global(detail::GlobalInst* g) : g_(g) {}

 private:
  detail::GlobalInst* g_ = nullptr;
};

// An exception tag.  Tags are generative: every tag definition in every
// instance (and every Tag::create) is a distinct tag, and a try_table catch
// matches only an exception thrown with the very same tag (tags with equal
// types do not match each other).  Import/export/alias one to share it.
class Tag {
 public:
  Tag() = default;
  static Tag create(Store& store, TagType type);

  TagType type() const;

  explicit operator bool() const { return t_ != nullptr; }
  bool operator==(const Tag& o) const { return t_ == o.t_; }
  detail::TagInst* raw() const { return t_; }
  explicit Tag(detail::TagInst* t) : t_(t) {}

 private:
  detail::TagInst* t_ = nullptr;
};

// Any importable/exportable entity.
class Extern {
 public:
  Extern() = default;
  Extern(Func f) : kind_(ExternKind::Func), func_(f) {}
  Extern(Table t) : kind_(ExternKind::Table), table_(t) {}
  Extern(Memory m) : kind_(ExternKind::Memory), memory_(m) {}
  Extern(Global g) : kind_(ExternKind::Global), global_(g) {}
  Extern(Tag t) : kind_(ExternKind::Tag), tag_(t) {}

  ExternKind kind() const { return kind_; }
  // The handle of the matching kind; null handles for the other kinds.
  Func func() const { return func_; }
  Table table() const { return table_; }
  Memory memory() const { return memory_; }
  Global global() const { return global_; }
  Tag tag() const { return tag_; }
  ExternType type() const;

 private:
  ExternKind kind_ = ExternKind::Func;
  Func func_;
  Table table_;
  Memory memory_;
  Global global_;
  Tag tag_;
};

struct ExportItem {
  std::string name;
  Extern item;
};

class Instance {
 public:
  Instance() = default;
  // Instantiate with imports given positionally (in Module::imports() order).
  // Runs element and data segment initialisation and the start function;
  // a trap there is returned as an Error whose message is the trap message
  // (effects on imported tables/memories before the trap remain, per spec).
  static Result<Instance> create(Store& store, const Module& module, std::span<const Extern> imports);

  std::optional<Extern> get_export(std::string_view name) const;
  Func get_func(std::string_view name) const;      // null if missing/other kind
  Memory get_memory(std::string_view name) const;
  Table get_table(std::string_view name) const;
  Global get_global(std::string_view name) const;
  Tag get_tag(std::string_view name) const;
  std::vector<ExportItem> exports() const;
  const Module& module() const;

  explicit operator bool() const { return i_ != nullptr; }
  bool operator==(const Instance& o) const { return i_ == o.i_; }
  detail::InstanceInst* raw() const { return i_; }
  explicit Instance(detail::InstanceInst* i) : i_(i) {}

 private:
  detail::InstanceInst* i_ = nullptr;
};

// ---------------------------------------------------------------------------
// Linker: resolves imports by (module, name).

class Linker {
 public:
  Linker();
  ~Linker();
  Linker(Linker&&) noexcept;
  Linker& operator=(Linker&&) noexcept;
  Linker(const Linker&);
  Linker& operator=(const Linker&);

  // When false (default), defining an existing (module, name) is an error
  // "duplicate definition: m.n"; when true, the new one replaces it.
  void allow_shadowing(bool allow);

  Result<void> define(std::string_view module, std::string_view name, Extern item);
  Result<void> define_host(Store& store, std::string_view module, std::string_view name,
                           FuncType type, HostFunc fn);
  Result<void> define_host_raw(Store& store, std::string_view module, std::string_view name,
                               FuncType type, RawHostFunc fn);
  // Define every export of `instance` under module name `module`
  // (the spec-test `register`).
  Result<void> define_instance(std::string_view module, Instance instance);

  std::optional<Extern> get(std::string_view module, std::string_view name) const;

  // Resolve every import (errors: "unknown import: m.n",
  // "incompatible import type: m.n (expected ..., got ...)") and instantiate.
  Result<Instance> instantiate(Store& store, const Module& module) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace compono::wasm
