// src/component/component.h - the component binary format: AST, decoder,
// validator and writer.  The public face of src/component for the rest of
// Compono (runtime, `compono new`, WIT component-type encoding, CLI).
//
//   auto c = component::decode(bytes);          // Result<Component>
//   auto info = component::validate(*c);        // Result<ComponentInfo>
//   std::vector<uint8_t> out = component::encode(*c);
//
// The AST mirrors the binary format of the Component Model (Binary.md at
// component-model 6d281648, binary version 0x0d): one entry per definition,
// in section order, with every index kept as in the binary.  Core modules are
// kept as byte ranges of the input (Component::bytes), decoded lazily by the
// validator/runtime.  Everything is a plain value type: copyable, comparable
// with ==, no pointers into other structures.
//
// Errors are values (compono::Result); decode errors carry the byte offset
// of the problem and a Wasmtime/wasmparser-compatible message ("unexpected
// end-of-file", "invalid leading byte (0x7) for canonical function", ...);
// validation errors carry the offset of the offending definition and the
// spec-test message texts ("resource types are not the same", ...).
// Hostile input never crashes: vector counts are checked against the bytes
// left before allocating, nesting (components, component/instance types) is
// limited to 100 levels, and the validator's type arena is bounded.
//
// Validation covers: index spaces of every sort, defined-type rules (names,
// kebab case, uniqueness, element-size limit), function results without
// `borrow`, canon options and lift/lower core signatures (flattening limits
// 16/1), resource types (fresh per definition, per instance-type import and
// per instantiation; abstract imported resources bound at instantiation),
// subtyping of instantiation arguments and export ascriptions, outer-alias
// rules, external visibility of types, extern names (plain, interface with
// semver, [constructor]/[method]/[static], `implements` attributes), and
// embedded core modules via src/core (decode + validate).
// Async builtins (stream/future/waitable/thread...) are decoded and given
// core signatures but otherwise not checked.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compono/result.h"

namespace compono::component {

// ---------------------------------------------------------------------------
// Sorts and indices

enum class CoreSort : uint8_t {
  Func = 0x00, Table = 0x01, Memory = 0x02, Global = 0x03, Tag = 0x04,
  Type = 0x10, Module = 0x11, Instance = 0x12,
};
enum class SortKind : uint8_t { Core = 0x00, Func = 0x01, Value = 0x02, Type = 0x03, Component = 0x04, Instance = 0x05 };

struct Sort {
  SortKind kind = SortKind::Func;
  CoreSort core = CoreSort::Func;  // meaningful when kind == Core
  bool operator==(const Sort& o) const { return kind == o.kind && (kind != SortKind::Core || core == o.core); }
};
const char* to_string(CoreSort s);  // "func", "table", ..., "module", "instance"
std::string to_string(Sort s);      // "core func", "func", "type", ...

struct CoreSortIdx {
  CoreSort sort = CoreSort::Func;
  uint32_t index = 0;
  bool operator==(const CoreSortIdx&) const = default;
};
struct SortIdx {
  Sort sort;
  uint32_t index = 0;
  bool operator==(const SortIdx&) const = default;
};

// ---------------------------------------------------------------------------
// Core types (the component's core type section and module types)

// A core value type: a numeric/vector code (0x7f i32 ... 0x7b v128) or a
// reference type.  Abstract reference shorthands keep their code (0x70
// funcref, 0x6f externref, 0x69 exnref, ...); (ref null? ht) is code 0x63/0x64
// with `heap` the heap type (s33: negative = abstract, else a type index).
struct CoreValType {
  uint8_t code = 0x7f;
  int64_t heap = 0;
  bool operator==(const CoreValType&) const = default;
};

struct CoreLimits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool shared = false;
  bool is64 = false;
  bool operator==(const CoreLimits&) const = default;
};

enum class CoreExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 };
const char* to_string(CoreExternKind k);

// core:importdesc / core:exportdecl descriptor.
struct CoreExternDesc {
  CoreExternKind kind = CoreExternKind::Func;
  uint32_t type_index = 0;  // Func, Tag: index into the core type space
  CoreValType type;         // Table: element type; Global: value type
  CoreLimits limits;        // Table, Memory
  bool mut = false;         // Global
  bool operator==(const CoreExternDesc&) const = default;
};

struct CoreFuncType {
  std::vector<CoreValType> params, results;
  bool operator==(const CoreFuncType&) const = default;
};

struct CoreModuleDecl;

// One core:type.  Function types (possibly wrapped in a GC `sub`) and module
// types are supported; struct/array GC types are rejected by the decoder.
struct CoreTypeDef {
  enum Kind : uint8_t { Func, Module } kind = Func;
  CoreFuncType func;
  // GC `sub` wrapper (0x50 with a 0x00 prefix in components / 0x4f final).
  bool has_sub = false, sub_final = true;
  std::vector<uint32_t> supertypes;
  std::vector<CoreModuleDecl> decls;  // Module
  bool operator==(const CoreTypeDef&) const;
};

struct CoreModuleDecl {
  enum Kind : uint8_t { Import = 0x00, Type = 0x01, Alias = 0x02, Export = 0x03 } kind = Import;
  std::string module, name;  // Import: module/name; Export: name
  CoreExternDesc desc;       // Import, Export
  CoreTypeDef type;          // Type
  CoreSort alias_sort = CoreSort::Type;  // Alias (outer ct idx)
  uint32_t outer_count = 0, outer_index = 0;
  bool operator==(const CoreModuleDecl&) const = default;
};

// ---------------------------------------------------------------------------
// Component value types and defined types

enum class PrimValType : uint8_t {
  Bool = 0x7f, S8 = 0x7e, U8 = 0x7d, S16 = 0x7c, U16 = 0x7b, S32 = 0x7a, U32 = 0x79,
  S64 = 0x78, U64 = 0x77, F32 = 0x76, F64 = 0x75, Char = 0x74, String = 0x73,
  ErrorContext = 0x64,
};
const char* to_string(PrimValType p);  // "u32", "string", ...

// valtype ::= typeidx | primvaltype
struct ValType {
  bool is_prim = true;
  PrimValType prim = PrimValType::Bool;
  uint32_t index = 0;  // !is_prim
  static ValType of(PrimValType p) { return ValType{true, p, 0}; }
  static ValType ref(uint32_t i) { return ValType{false, PrimValType::Bool, i}; }
  bool operator==(const ValType& o) const { return is_prim == o.is_prim && (is_prim ? prim == o.prim : index == o.index); }
};

enum class TypeKind : uint8_t {
  Prim, Record, Variant, List, FixedList, Tuple, Flags, Enum, Option, Result, Own, Borrow,
  Stream, Future, Map,        // defined value types
  Func, Component, Instance,  // function / component / instance types
  Resource,
};
const char* to_string(TypeKind k);  // "record", "func", ...

struct LabeledType {
  std::string name;
  ValType type;
  bool operator==(const LabeledType&) const = default;
};
struct Case {
  std::string name;
  std::optional<ValType> type;
  std::optional<uint32_t> refines;  // legacy, rejected by validation
  bool operator==(const Case&) const = default;
};

struct Decl;

// typebound / externdesc
enum class ExternKind : uint8_t { Module = 0x00, Func = 0x01, Value = 0x02, Type = 0x03, Component = 0x04, Instance = 0x05 };
const char* to_string(ExternKind k);
struct ExternDesc {
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;      // Module: core type; Func/Component/Instance: type; Type+Eq: type
  ValType value;           // Value
  bool value_eq = false;   // Value: (value (eq i)) form rather than a type
  bool sub_resource = false;  // Type: (sub resource) rather than (eq index)
  bool operator==(const ExternDesc&) const = default;
};

// An extern name: plain (prefix 0x00/0x01) or with attributes (prefix 0x02):
// 0x00 implements "<interface>", 0x02 external-id "<id>" (0x01 is kept as read).
struct NameAttr {
  uint8_t kind = 0;
  std::string value;
  bool operator==(const NameAttr&) const = default;
};
struct ExternName {
  std::string name;
  uint8_t prefix = 0;
  std::vector<NameAttr> attrs;
  bool operator==(const ExternName&) const = default;
  const std::string* implements() const;  // value of the `implements` attribute, if any
};

// One component-level type definition (type section entry, or the `type`
// declarator of a component/instance type).
struct TypeDef {
  TypeKind kind = TypeKind::Prim;
  PrimValType prim = PrimValType::Bool;  // Prim
  std::vector<LabeledType> fields;       // Record fields; Func params
  std::vector<Case> cases;               // Variant
  std::vector<ValType> types;            // Tuple
  std::vector<std::string> labels;       // Flags, Enum
  // List/FixedList/Option element; Result ok; Stream/Future payload; Map key;
  // Func result.
  std::optional<ValType> a;
  std::optional<ValType> b;              // Result err; Map value
  uint32_t length = 0;                   // FixedList
  uint32_t index = 0;                    // Own/Borrow resource type index
  bool async = false;                    // Func: 0x43 (func async)
  std::vector<Decl> decls;               // Component/Instance
  std::optional<uint32_t> dtor;          // Resource: core func index
  uint8_t rep = 0x7f;                    // Resource: representation (i32)
  bool operator==(const TypeDef&) const;
};

struct Alias {
  Sort sort;
  enum Target : uint8_t { Export = 0x00, CoreExport = 0x01, Outer = 0x02 } target = Export;
  uint32_t instance = 0;   // Export, CoreExport
  std::string name;        // Export, CoreExport
  uint32_t outer_count = 0, outer_index = 0;  // Outer
  bool operator==(const Alias&) const = default;
};

// Declarator of a component type (all kinds) or instance type (no Import).
struct Decl {
  enum Kind : uint8_t { CoreType = 0x00, Type = 0x01, Alias = 0x02, Import = 0x03, Export = 0x04 } kind = Type;
  CoreTypeDef core_type;
  TypeDef type;
  component::Alias alias;
  ExternName name;   // Import, Export
  ExternDesc desc;   // Import, Export
  bool operator==(const Decl&) const = default;
};

// ---------------------------------------------------------------------------
// Definitions

struct CoreInstance {
  bool instantiate = true;
  uint32_t module = 0;
  struct Arg { std::string name; uint32_t instance = 0; bool operator==(const Arg&) const = default; };
  std::vector<Arg> args;
  struct Export { std::string name; CoreSortIdx item; bool operator==(const Export&) const = default; };
  std::vector<Export> exports;  // !instantiate: inline exports
  bool operator==(const CoreInstance&) const = default;
};

// The AST's component and instance definitions are named AstComponent and
// AstInstance so that they never share a mangled name with the embedding
// API's compono::component::Component / Instance (include/compono/
// component.h): the aliases below keep the short names for the AST code,
// which never sees the API's classes of the same name.  (Same-named types in
// one namespace would be an ODR violation: inline functions such as
// Result<Component>'s destructor are merged across translation units.)
struct AstInstance;
using Instance = AstInstance;
struct AstInstance {
  bool instantiate = true;
  uint32_t component = 0;
  struct Arg { std::string name; SortIdx item; bool operator==(const Arg&) const = default; };
  std::vector<Arg> args;
  struct Export { ExternName name; SortIdx item; bool operator==(const Export&) const = default; };
  std::vector<Export> exports;
  bool operator==(const AstInstance&) const = default;
};

// canonopt codes
enum class CanonOptKind : uint8_t {
  Utf8 = 0x00, Utf16 = 0x01, Latin1Utf16 = 0x02, Memory = 0x03, Realloc = 0x04,
  PostReturn = 0x05, Async = 0x06, Callback = 0x07, CoreType = 0x08, Gc = 0x09,
};
struct CanonOpt {
  CanonOptKind kind = CanonOptKind::Utf8;
  uint32_t index = 0;  // Memory, Realloc, PostReturn, Callback, CoreType
  bool operator==(const CanonOpt&) const = default;
};

// The canon opcodes of this binary version (first byte of a `canon`).
enum class CanonKind : uint8_t {
  Lift = 0x00, Lower = 0x01, ResourceNew = 0x02, ResourceDrop = 0x03, ResourceRep = 0x04,
  TaskCancel = 0x05, SubtaskCancel = 0x06, BackpressureSet = 0x08, TaskReturn = 0x09,
  ContextGet = 0x0a, ContextSet = 0x0b, ThreadYield = 0x0c, SubtaskDrop = 0x0d,
  StreamNew = 0x0e, StreamRead = 0x0f, StreamWrite = 0x10, StreamCancelRead = 0x11,
  StreamCancelWrite = 0x12, StreamDropReadable = 0x13, StreamDropWritable = 0x14,
  FutureNew = 0x15, FutureRead = 0x16, FutureWrite = 0x17, FutureCancelRead = 0x18,
  FutureCancelWrite = 0x19, FutureDropReadable = 0x1a, FutureDropWritable = 0x1b,
  ErrorContextNew = 0x1c, ErrorContextDebugMessage = 0x1d, ErrorContextDrop = 0x1e,
  WaitableSetNew = 0x1f, WaitableSetWait = 0x20, WaitableSetPoll = 0x21,
  WaitableSetDrop = 0x22, WaitableJoin = 0x23, BackpressureInc = 0x24, BackpressureDec = 0x25,
  ThreadIndex = 0x26, ThreadNewIndirect = 0x27, ThreadResumeLater = 0x28, ThreadSuspend = 0x29,
  ThreadSuspendThenResume = 0x2a, ThreadYieldThenResume = 0x2b, ThreadSuspendThenPromote = 0x2c,
  ThreadYieldThenPromote = 0x2d, ThreadSpawnRef = 0x40, ThreadSpawnIndirect = 0x41,
  ThreadAvailableParallelism = 0x42,
};
const char* to_string(CanonKind k);  // "lift", "resource.new", ...

struct Canon {
  CanonKind kind = CanonKind::Lift;
  uint32_t func = 0;          // Lift: core func; Lower: func
  uint32_t type = 0;          // Lift: func type; resource.*/stream.*/future.*: type;
                              // thread.new-indirect/spawn-*: core type
  uint32_t table = 0;         // thread.new-indirect, thread.spawn-indirect: core table
  uint32_t memory = 0;        // waitable-set.wait/poll
  uint32_t context_index = 0; // context.get/set
  uint8_t context_type = 0x7f;// context.get/set: core value type (i32)
  bool flag = false;          // async / cancellable immediates
  std::optional<ValType> result;  // task.return
  std::vector<CanonOpt> opts;
  bool operator==(const Canon&) const = default;
};

struct Start {
  uint32_t func = 0;
  std::vector<uint32_t> args;
  uint32_t results = 0;
  bool operator==(const Start&) const = default;
};

struct Import {
  ExternName name;
  ExternDesc desc;
  bool operator==(const Import&) const = default;
};
struct Export {
  ExternName name;
  SortIdx item;
  std::optional<ExternDesc> type;  // ascribed type
  bool operator==(const Export&) const = default;
};

struct CustomSection {
  std::string name;
  std::vector<uint8_t> data;
  bool operator==(const CustomSection&) const = default;
};

// A byte range [begin, end) of Component::bytes (an embedded core module).
struct ByteRange {
  uint32_t begin = 0, end = 0;
  uint32_t size() const { return end - begin; }
};

struct AstComponent;
using Component = AstComponent;

// One definition, in binary order.  Each section's vector is flattened into
// one Item per element, so `items` reflects the index-space order.
struct Item {
  enum Kind : uint8_t {
    CoreModule = 1, CoreInstance = 2, CoreType = 3, Component = 4, Instance = 5,
    Alias = 6, Type = 7, Canon = 8, Start = 9, Import = 10, Export = 11, Custom = 0,
  } kind = Custom;
  uint32_t index = 0;  // into the vector of Component for that kind
  // Items from one binary section share a group number, so the writer can
  // re-emit the same section boundaries.
  uint32_t section = 0;
  uint32_t offset = 0;  // byte offset of the definition in the input (not compared)
  bool operator==(const Item& o) const { return kind == o.kind && index == o.index && section == o.section; }
};

struct AstComponent {
  // The whole input binary, shared by a component and all its nested
  // components; core module ranges are offsets into it.
  std::shared_ptr<const std::vector<uint8_t>> bytes;
  std::vector<ByteRange> core_modules;
  std::vector<component::CoreInstance> core_instances;
  std::vector<CoreTypeDef> core_types;
  std::vector<component::Component> components;
  std::vector<component::Instance> instances;
  std::vector<component::Alias> aliases;
  std::vector<TypeDef> types;
  std::vector<component::Canon> canons;
  std::vector<component::Start> starts;
  std::vector<component::Import> imports;
  std::vector<component::Export> exports;
  std::vector<CustomSection> customs;
  std::vector<Item> items;

  std::span<const uint8_t> core_module(uint32_t i) const {
    return {bytes->data() + core_modules[i].begin, core_modules[i].size()};
  }
  // Structural equality: compares core modules by content, not position.
  bool same_structure(const AstComponent& o) const;
};

// The definitions of `c` in order: c.items, or when that is empty (a
// hand-built component) every definition kind by kind (see encode()).
std::vector<Item> definition_order(const Component& c);

// Append a copy of a core module to a (hand-built or decoded) component,
// e.g. for `compono new`; returns its index among c.core_modules.  When
// c.items is non-empty the caller adds the matching Item.
uint32_t add_core_module(Component& c, std::span<const uint8_t> module);

// Builder helpers for writing components in definition order (what
// `compono new` needs: imports, lowers, core instances and lifts
// interleave).  Each appends the definition and its Item; consecutive
// definitions of one kind share a section.  They return the index of the
// definition within its kind's vector (not the index space: aliases,
// imports and canons all add to index spaces, see Binary.md).
uint32_t append(Component& c, std::span<const uint8_t> core_module);
uint32_t append(Component& c, CoreInstance v);
uint32_t append(Component& c, CoreTypeDef v);
uint32_t append(Component& c, Component nested);
uint32_t append(Component& c, Instance v);
uint32_t append(Component& c, Alias v);
uint32_t append(Component& c, TypeDef v);
uint32_t append(Component& c, Canon v);
uint32_t append(Component& c, Start v);
uint32_t append(Component& c, Import v);
uint32_t append(Component& c, Export v);
uint32_t append(Component& c, CustomSection v);

// Is this a component (vs a core module)?  Checks the preamble only.
bool is_component(std::span<const uint8_t> bytes);

// Decode a component binary.  Core modules are not decoded here.
Result<Component> decode(std::span<const uint8_t> bytes);

// ---------------------------------------------------------------------------
// Validation

struct ValidateOptions {
  // Decode and fully validate embedded core modules with the core decoder
  // (src/core); when false, only their imports/exports are read.
  bool validate_core_modules = true;
};

// A summary of a validated component for its users.
struct ComponentInfo {
  struct Entry { std::string name; ExternKind kind; std::string type; };
  // With a WIT-like printed type: "func(x: u32) -> string",
  // "instance { f: func() }", "type resource#0", ...
  std::vector<Entry> imports;
  std::vector<Entry> exports;
};

Result<ComponentInfo> validate(const Component& c, const ValidateOptions& opts = {});

// Decode then validate.
Result<ComponentInfo> decode_and_validate(std::span<const uint8_t> bytes, const ValidateOptions& opts = {});

// Extern-name checks used by validation (exposed for the WIT encoder and
// `compono new`): returns an error message or empty on success.
std::string check_kebab(std::string_view s);        // "`Foo` is not in kebab case"
std::string check_extern_name(std::string_view s);  // kebab, interface, [method]a.b, ... forms

// ---------------------------------------------------------------------------
// Writer

// Encode a component.  Sections follow `items` (section grouping preserved);
// if `items` is empty, definitions are emitted kind by kind (core types,
// types, imports, core modules, components, core instances, instances,
// aliases, canons, start, exports, customs) -- use append() when
// definitions must interleave.  Items that refer to missing definitions are
// dropped (validate() reports them); missing element types encode as bool.
std::vector<uint8_t> encode(const Component& c);

// Low-level helpers for building binaries by hand (also used by `compono new`).
namespace enc {
void u32(std::vector<uint8_t>& out, uint32_t v);
void name(std::vector<uint8_t>& out, std::string_view s);
void section(std::vector<uint8_t>& out, uint8_t id, const std::vector<uint8_t>& payload);
void preamble(std::vector<uint8_t>& out);  // "\0asm" 0d 00 01 00
void valtype(std::vector<uint8_t>& out, const ValType& t);
void typedef_(std::vector<uint8_t>& out, const TypeDef& t);
void extern_name(std::vector<uint8_t>& out, const ExternName& n);
void extern_desc(std::vector<uint8_t>& out, const ExternDesc& d);
void canon(std::vector<uint8_t>& out, const Canon& c);
}  // namespace enc

}  // namespace compono::component
