// src/wit/ast.h - private: the WIT syntax tree produced by the parser and
// consumed by the resolver.  Names are string_views into the source text,
// which the caller keeps alive (SourceMap owns every loaded file).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wit/wit.h"

namespace compono::wit::detail {

// Every loaded source file; spans refer into it.
struct SourceFile {
  std::string path;
  std::string text;
};

struct SourceMap {
  std::vector<std::unique_ptr<SourceFile>> files;
  // "path:line:col: msg" plus the source line and a caret.
  std::string format(std::uint32_t file, std::uint32_t offset, std::string_view msg) const;
  // "path:line:col" of a position.
  std::string where(std::uint32_t file, std::uint32_t offset) const;
};

struct Span {
  std::uint32_t file = 0;
  std::uint32_t offset = 0;
};

struct Ident {
  std::string_view name;  // without a leading '%'
  Span span;
};

struct Gate {
  Stability stability;
  Span span;             // of the @since / @unstable attribute (for errors)
  bool has_since = false;
};

struct AstType;
using AstTypePtr = std::unique_ptr<AstType>;

struct AstType {
  enum class K : std::uint8_t {
    Prim, Name, List, FixedList, Map, Option, Result, Tuple, Own, Borrow, Future, Stream
  };
  K k = K::Prim;
  Prim prim = Prim::Bool;
  Ident name;                  // Name, Own, Borrow
  std::vector<AstType> args;   // List/FixedList/Option/Future/Stream: [elem]; Map: [k, v];
                               // Tuple: elems; Result: ok?, err? (see has_ok/has_err)
  bool has_ok = false, has_err = false;
  std::uint32_t length = 0;    // FixedList
  Span span;
};

struct AstParam {
  Ident name;
  AstType type;
};

struct AstFunc {
  bool is_async = false;
  std::vector<AstParam> params;
  std::optional<AstType> result;
  Span span;
};

struct AstPackageName {
  PackageName name;
  Span span;
};

// `iface`, or `ns:pkg/iface@ver`.
struct AstUsePath {
  bool foreign = false;
  Ident name;              // the interface / world name
  AstPackageName package;  // foreign only
  Span span;
};

struct AstUseName {
  Ident name;
  std::optional<Ident> as;
};

struct AstUse {
  AstUsePath path;
  std::vector<AstUseName> names;
  Gate gate;
  Docs docs;
  Span span;
};

struct AstResourceFunc {
  FunctionKind kind = FunctionKind::Method;
  Ident name;  // constructor: the `constructor` keyword's span, empty name
  AstFunc func;
  Docs docs;
  Gate gate;
};

struct AstNamedItem {  // record field, variant case, enum case, flag
  Ident name;
  std::optional<AstType> type;
  Docs docs;
};

struct AstTypeDef {
  enum class K : std::uint8_t { Alias, Record, Variant, Enum, Flags, Resource };
  K k = K::Alias;
  Ident name;
  AstType alias;
  std::vector<AstNamedItem> items;
  std::vector<AstResourceFunc> funcs;
  Docs docs;
  Gate gate;
};

struct AstNamedFunc {
  Ident name;
  AstFunc func;
  Docs docs;
  Gate gate;
};

struct AstInterface {
  enum class ItemK : std::uint8_t { Use, Type, Func };
  Ident name;  // empty for inline interfaces
  Docs docs;
  Gate gate;
  std::vector<AstUse> uses;
  std::vector<AstTypeDef> types;
  std::vector<AstNamedFunc> funcs;
  std::vector<std::pair<ItemK, std::uint32_t>> order;
};

struct AstWorldItem {
  enum class K : std::uint8_t { Import, Export, Use, Type, Include };
  enum class Ext : std::uint8_t { Path, Func, Inline };
  K k = K::Import;
  Ext ext = Ext::Path;
  AstUsePath path;                              // Import/Export by path, Include
  Ident name;                                   // Import/Export by name
  AstFunc func;                                 // Ext::Func
  std::unique_ptr<AstInterface> inline_iface;   // Ext::Inline
  std::vector<std::pair<Ident, Ident>> with;    // Include `with { a as b }`
  std::uint32_t index = 0;                      // Use / Type: index into uses / types
  Docs docs;
  Gate gate;
  Span span;
};

struct AstWorld {
  Ident name;
  Docs docs;
  Gate gate;
  std::vector<AstWorldItem> items;
  std::vector<AstUse> uses;
  std::vector<AstTypeDef> types;
};

struct AstTopUse {
  AstUsePath path;
  Ident as;  // the local name (defaults to the interface name)
  Span span;
};

// The contents of one package in one file.
struct AstBody {
  std::uint32_t file = 0;
  std::vector<AstTopUse> uses;
  std::vector<AstInterface> interfaces;
  std::vector<AstWorld> worlds;
};

struct AstNested {
  AstPackageName name;
  Docs docs;
  AstBody body;
};

struct AstFile {
  std::optional<AstPackageName> package;  // `package a:b;` header
  Docs package_docs;
  AstBody body;                           // items outside nested blocks
  std::vector<AstNested> nested;
};

// Parses one file (already in `sources`).  Errors are formatted with the source.
Result<AstFile> parse_file(const SourceMap& sources, std::uint32_t file);

// Semver comparison (numeric core; a prerelease sorts before its release).
int compare_versions(std::string_view a, std::string_view b);
bool valid_semver(std::string_view v);

}  // namespace compono::wit::detail
