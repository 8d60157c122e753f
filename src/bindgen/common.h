// src/bindgen/common.h - naming helpers shared by the guest and host generators.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "wit/wit.h"

namespace compono::bindgen {

// "foo-bar" -> "foo_bar", keywords escaped with a trailing '_'.
std::string snake(std::string_view kebab);
// "foo-bar" -> "FooBar", escaped likewise.
std::string pascal(std::string_view kebab);
// "foo-bar" -> "FOO_BAR".
std::string shouty(std::string_view kebab);
// Appends '_' to C++ keywords and reserved names.
std::string escape(std::string s);
// A C++ string literal for `s`.
std::string cpp_string_literal(std::string_view s);

// "::ns::pkg" for a package (nested namespaces and packages each become a
// level); "" for kNoId.
// The C++ type of a WIT scalar (bool, integers, floats, char), or nullptr for
// string, error-context and defined types, which each generator maps itself.
const char* scalar_cpp(wit::Prim p);
std::string package_namespace(const wit::Resolve& r, wit::PackageId p);
// "::ns::pkg::iface" for an interface.  Anonymous (inline) interfaces live
// in `world_package` and are named by `anon_names` (their world item name),
// else "anonN".
std::string interface_namespace(const wit::Resolve& r, wit::InterfaceId i, wit::PackageId world_package,
                                const std::map<wit::InterfaceId, std::string>& anon_names);

}  // namespace compono::bindgen
