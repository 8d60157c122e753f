// src/bindgen/common.h - naming helpers shared by the guest and host generators.
#pragma once

#include <string>
#include <string_view>

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

}  // namespace compono::bindgen
