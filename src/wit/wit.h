// src/wit/wit.h - the WIT front end: parse, resolve, print, encode and decode WIT.
//
// The resolved model mirrors the Component Model's view of WIT:
//
//   Resolve            one arena holding everything that was loaded
//     packages[]       namespace:name@version, its interfaces and worlds by name
//     interfaces[]     named (in a package) or anonymous (inline in a world)
//     worlds[]         imports/exports, already elaborated (see World)
//     types[]          every non-primitive type: named definitions, `use`d
//                      aliases and anonymous types such as list<u8>
//
// Everything refers to everything else by index (TypeId, InterfaceId, WorldId,
// PackageId) into those arenas, so the model is plain data: cheap to copy
// around by reference, no pointers, stable as long as the Resolve lives.
// A `Type` is a primitive or a TypeId; anonymous types are TypeDefs with an
// empty name.  Ids are only meaningful with the Resolve that made them.
//
// Feature gates: items marked `@unstable(feature = f)` are dropped while
// resolving unless `f` is in Options::features (or all_features is set), as
// the reference implementation (wit-parser) does.  `@since`/`@deprecated`
// are kept in Stability.
//
// Errors: every entry point returns compono::Result.  Messages look like
//   path/to/file.wit:5:14: type `foo` depends on itself
//       5 |   type foo = foo;
//         |              ^
// Nothing here throws or aborts on bad input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compono/result.h"

namespace compono::wit {

using Id = std::uint32_t;
inline constexpr Id kNoId = 0xffffffffu;
using TypeId = Id;       // index into Resolve::types
using InterfaceId = Id;  // index into Resolve::interfaces
using WorldId = Id;      // index into Resolve::worlds
using PackageId = Id;    // index into Resolve::packages

// ---------------------------------------------------------------- types

// Primitive kinds, plus `Def` for a reference into Resolve::types.
enum class Prim : std::uint8_t {
  Bool, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, Char, String,
  ErrorContext,
  Def,  // not a primitive: Type::id names a TypeDef
};

// A use of a type: a primitive, or a TypeDef by id.
struct Type {
  Prim kind = Prim::Bool;
  TypeId id = kNoId;  // valid iff kind == Prim::Def

  static Type prim(Prim p) { return Type{p, kNoId}; }
  static Type def(TypeId t) { return Type{Prim::Def, t}; }
  bool is_def() const { return kind == Prim::Def; }
  friend bool operator==(const Type& a, const Type& b) { return a.kind == b.kind && a.id == b.id; }
};

// `@since(version = ..)`, `@unstable(feature = ..)`, `@deprecated(version = ..)`.
struct Stability {
  enum class Kind : std::uint8_t { Unknown, Stable, Unstable };
  Kind kind = Kind::Unknown;
  std::string since;       // Stable: the version in @since
  std::string feature;     // Unstable: the feature name
  std::string deprecated;  // either: the version in @deprecated, or empty
  bool empty() const { return kind == Kind::Unknown && deprecated.empty(); }
};

// Doc comments (`///` lines and `/** */` blocks) with the comment markers
// removed, lines joined by '\n'.  Empty when there were none.
using Docs = std::string;

enum class TypeDefKind : std::uint8_t {
  Record,     // fields
  Resource,   // (methods live in the owning interface's functions)
  Handle,     // own<T> / borrow<T>: handle_kind, `type` = the resource (Def)
  Flags,      // names
  Tuple,      // types
  Variant,    // cases
  Enum,       // names
  Option,     // `type` = payload
  Result,     // ok / err (either may be absent)
  List,       // `type` = element
  FixedList,  // list<T, N>: `type` = element, `length` = N
  Map,        // map<K, V>: `key` = K, `type` = V
  Future,     // future / future<T>: `payload` (absent for `future`)
  Stream,     // stream / stream<T>: `payload`
  Alias,      // `type x = y;`, `type x = list<u8>;` or a `use`: `type` = target
              // (for `type x = list<u8>` the target is an anonymous TypeDef;
              // encoders treat such a named alias as a type of its own)
};

enum class HandleKind : std::uint8_t { Own, Borrow };

struct Field {     // record field
  std::string name;
  Type type;
  Docs docs;
};
struct Case {      // variant case
  std::string name;
  std::optional<Type> type;
  Docs docs;
};
struct Name {      // enum case or flag
  std::string name;
  Docs docs;
};

// Who defines a type (named types only; anonymous types have owner None).
struct Owner {
  enum class Kind : std::uint8_t { None, Interface, World };
  Kind kind = Kind::None;
  Id id = kNoId;  // InterfaceId or WorldId
};

// One entry of Resolve::types.  Only the members listed for `kind` above are
// meaningful; the rest stay empty.
struct TypeDef {
  std::string name;  // empty for anonymous types
  TypeDefKind kind = TypeDefKind::Alias;
  Owner owner;
  Docs docs;
  Stability stability;

  std::vector<Field> fields;  // Record
  std::vector<Case> cases;    // Variant
  std::vector<Name> names;    // Enum, Flags
  std::vector<Type> types;    // Tuple
  Type type;                  // Alias target, List/FixedList/Option element, Handle resource, Map value
  Type key;                   // Map key
  std::optional<Type> ok;     // Result
  std::optional<Type> err;    // Result
  std::optional<Type> payload;  // Future, Stream
  std::uint32_t length = 0;   // FixedList
  HandleKind handle_kind = HandleKind::Own;  // Handle
};

// ---------------------------------------------------------------- functions

enum class FunctionKind : std::uint8_t { Freestanding, Method, Static, Constructor };

struct Param {
  std::string name;
  Type type;
};

struct Function {
  // The Component Model name: "f", "[constructor]r", "[method]r.m", "[static]r.s".
  std::string name;
  // The name as written in WIT: "f", "m", "s"; empty for a constructor.
  std::string item_name;
  FunctionKind kind = FunctionKind::Freestanding;
  TypeId resource = kNoId;  // the resource for Method/Static/Constructor
  bool is_async = false;
  // Methods have the implicit `self: borrow<r>` as params[0].
  std::vector<Param> params;
  // Constructors return own<r> here (as the Component Model type does).
  std::optional<Type> result;
  Docs docs;
  Stability stability;
  // Where the function was written ("path:line:col"), for diagnostics of
  // tools built on the model; empty when it was decoded from a binary.
  std::string location;
};

// ---------------------------------------------------------------- interfaces, worlds, packages

struct Interface {
  std::string name;               // empty for `import x: interface { .. }`
  PackageId package = kNoId;      // the package it was written in
  WorldId world = kNoId;          // for inline (anonymous) interfaces: the world
  std::vector<std::pair<std::string, TypeId>> types;  // declaration order, incl. `use`d names
  std::vector<Function> functions;                    // declaration order; resource functions
                                                      // follow their resource's position
  Docs docs;
  Stability stability;
};

enum class WorldItemKind : std::uint8_t { Interface, Function, Type };

// One import or export of a world.
//
// Key: a named item (`import x: func()`, `import x: interface {..}`,
// `type t = ..`, `use`d types) has `name`; an interface imported by path
// (`import wasi:io/streams;`, `export foo;`) has an empty `name` and is keyed
// by `interface`.  Resolve::item_key() gives the Component Model import /
// export name for either.
struct WorldItem {
  WorldItemKind kind = WorldItemKind::Interface;
  std::string name;                  // empty for interfaces imported by path
  InterfaceId interface = kNoId;     // kind == Interface
  Function function;                 // kind == Function
  TypeId type = kNoId;               // kind == Type
  Docs docs;
  Stability stability;
};

// A world after elaboration: `include`s are flattened in, and every interface
// that an imported or exported interface (or a world type) depends on through
// `use` is imported too, placed before its first user (as wit-parser does).
// Imports then exports are in the order the component type lists them.
struct World {
  std::string name;
  PackageId package = kNoId;
  std::vector<WorldItem> imports;
  std::vector<WorldItem> exports;
  Docs docs;
  Stability stability;
};

struct PackageName {
  std::string ns;       // "wasi"; nested namespaces are joined with ':' ("a:b")
  std::string name;     // "io"; nested packages are joined with '/'
  std::string version;  // semver text, empty if none ("0.2.0", "1.0.0-rc.1+b")
  // "ns:name" or "ns:name@version".
  std::string to_string(bool with_version = true) const;
  friend bool operator==(const PackageName& a, const PackageName& b) {
    return a.ns == b.ns && a.name == b.name && a.version == b.version;
  }
};

struct Package {
  PackageName name;
  Docs docs;
  std::vector<std::pair<std::string, InterfaceId>> interfaces;  // declaration order
  std::vector<std::pair<std::string, WorldId>> worlds;          // declaration order
};

// ---------------------------------------------------------------- the arena

struct Resolve {
  // Packages are in dependency order: a package only refers to earlier ones.
  std::vector<Package> packages;
  std::vector<Interface> interfaces;
  std::vector<World> worlds;
  std::vector<TypeDef> types;

  const TypeDef& type(TypeId id) const { return types[id]; }

  // Follows Alias chains; returns a primitive or a non-alias Def.
  Type unalias(Type t) const;
  // The interface that defines a (named) type, or kNoId.
  InterfaceId type_interface(TypeId id) const;
  // "ns:pkg/iface@version" for a named interface in a package; "" for an
  // anonymous one.
  std::string interface_id(InterfaceId id) const;
  // The Component Model import/export name of a world item: its `name`, or
  // interface_id() for interfaces keyed by path.
  std::string item_key(const WorldItem& item) const;

  PackageId find_package(const PackageName& name) const;                    // kNoId if absent
  InterfaceId find_interface(PackageId pkg, std::string_view name) const;   // kNoId if absent
  WorldId find_world(PackageId pkg, std::string_view name) const;           // kNoId if absent
  // Pick a world: `spec` is "", "name" (in package `main`) or "ns:pkg/name[@ver]".
  // "" picks main's only world (an error if it has none or several).
  Result<WorldId> select_world(PackageId main, std::string_view spec) const;
};

// ---------------------------------------------------------------- loading

struct Options {
  std::vector<std::string> features;  // enabled @unstable features
  bool all_features = false;          // enable every @unstable feature
};

// The result of loading WIT: the arena plus the package(s) that were the
// target of the load (not its deps/).  `main` is the package declared with
// `package x:y;` at the top of the file(s) or, when the source holds only
// `package x:y { .. }` blocks, the last of those.
struct Loaded {
  Resolve resolve;
  PackageId main = kNoId;
  std::vector<PackageId> roots;  // every package defined by the target itself
};

// Parse + resolve a single WIT source text (no deps/ lookup).  `filename` is
// only used in error messages.
Result<Loaded> load_string(std::string_view filename, std::string_view source,
                           const Options& options = {});
// A `.wit` file (as load_string) or a directory: every `*.wit` file directly
// in it forms the main package; `deps/` holds dependencies as `*.wit` files
// or sub-directories (each a package, which may have its own deps/).
// Dependencies are resolved in topological order; cycles are errors.
Result<Loaded> load_path(std::string_view path, const Options& options = {});

// ---------------------------------------------------------------- printing

// WIT text for one package, in a form that load_string() accepts and that
// prints back identically.  `nested` = print it as `package a:b { .. }`.
std::string print_package(const Resolve& resolve, PackageId pkg, bool nested = false);
// Every root of `loaded`: the main package first as `package x:y;` and the
// others as nested `package x:y { .. }` blocks, followed by every other
// (dependency) package as nested blocks, so the output is self-contained.
std::string print_loaded(const Loaded& loaded);
// WIT text of a type use ("list<u8>", "borrow<r>"; an own handle prints as
// the resource name) and of a function type ("func(a: u32) -> string",
// "async func()"; every param is listed, including a method's `self`).
std::string print_type(const Resolve& resolve, Type t);
std::string print_function(const Resolve& resolve, const Function& f);

// ---------------------------------------------------------------- encoding

// The binary component that describes `world`'s type: the payload of the
// `component-type:<world>` custom section that wit-component / jco / wasm-tools
// read from a core module to make it a component.
Result<std::vector<std::uint8_t>> encode_world_type(const Resolve& resolve, WorldId world);
// Appends a custom section named `component-type:<world name>` holding
// encode_world_type(world) to the core module bytes `module`.
Result<std::vector<std::uint8_t>> embed_world_type(const Resolve& resolve, WorldId world,
                                                   std::vector<std::uint8_t> module);

// The inverse: the world described by a component-type payload (as written
// by encode_world_type or wit-component) with the interfaces it uses.  `main`
// is the world's package; interfaces keep their names and packages, and the
// package's only world is the decoded one.
Result<Loaded> decode_world_type(const std::vector<std::uint8_t>& bytes);
// A WIT package in binary form (what `wasm-tools component wit --wasm` and
// wit-component write, and wit-parser accepts as `.wasm` files in deps/): a
// component whose type exports describe the package's interfaces and worlds.
// `main` is that package; packages it uses come first.
Result<Loaded> decode_package(const std::vector<std::uint8_t>& bytes);
// Finds the first `component-type*` custom section of a core module and
// decodes it (what `compono new` needs to learn a module's world).
Result<Loaded> decode_embedded_world(const std::vector<std::uint8_t>& module);

// ---------------------------------------------------------------- canonical ABI helpers

// Flat core value types (Canonical ABI "flatten").
enum class CoreType : std::uint8_t { I32, I64, F32, F64 };

struct SizeAlign {
  std::uint32_t size = 0;
  std::uint32_t align = 1;
};

// Canonical ABI size and alignment of a value of type `t` in linear memory.
SizeAlign size_align(const Resolve& resolve, Type t);
// Appends the flattened core types of `t` (the MAX_FLAT_PARAMS/RESULTS
// decision is the caller's).  Stops once `out` holds more than
// kFlattenLimit entries, which is more than any MAX_FLAT_* value, so huge
// fixed-size lists cannot blow up memory.
inline constexpr std::size_t kFlattenLimit = 64;
void flatten(const Resolve& resolve, Type t, std::vector<CoreType>& out);
// Byte offsets of each field of a record / element of a tuple / or, for a
// variant-like type (variant, option, result, enum), {payload offset}.
std::vector<std::uint32_t> field_offsets(const Resolve& resolve, Type t);

}  // namespace compono::wit
