// src/component/names.h - parsed extern names (private).
#pragma once

#include <string>
#include <string_view>

#include "compono/result.h"

namespace compono::component::detail {

struct ParsedName {
  enum Kind { Label, Constructor, Method, Static, AsyncFunc, Interface } kind = Label;
  bool async = false;
  std::string resource, method;  // annotated forms
  std::string key;               // lower-cased uniqueness key
};

// Parses an extern name; the error message is the reason (no prefix).
Result<ParsedName> parse_extern_name(std::string_view s);

}  // namespace compono::component::detail
