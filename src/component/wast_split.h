// src/component/wast_split.h - splitting .wast scripts into s-expressions.
//
// Used by the component spec-test runner and `compono wast`: finds the
// top-level commands of a script ((component ...), (assert_invalid ...),
// (assert_return ...), ...), their immediate children, and decodes wast
// string literals.  Understands `;;` line comments, nested `(; ;)` block
// comments and string escapes; never interprets the contents otherwise.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "compono/result.h"

namespace compono::wast {

// One s-expression or atom: [begin, end) in the source, 1-based line.
struct SExpr {
  size_t begin = 0, end = 0;
  size_t line = 0;
  std::string_view text;  // the source slice
  bool is_list() const { return !text.empty() && text.front() == '('; }
  bool is_string() const { return !text.empty() && text.front() == '"'; }
};

// Top-level s-expressions of a script.  Errors (unbalanced parentheses,
// unterminated strings/comments) carry the byte offset.
Result<std::vector<SExpr>> split_toplevel(std::string_view src);

// Immediate children of a list expression `(a b (c) "d")` -> a, b, (c), "d".
// Offsets/lines stay relative to `src` (the whole script) when `list` is a
// slice of it.
Result<std::vector<SExpr>> children(std::string_view src, const SExpr& list);

// The head atom of a list, e.g. "assert_invalid" (empty if none).
std::string_view head(std::string_view list_text);

// Decode a quoted wast string literal ("\00asm\u{1F600}") into bytes.
Result<std::string> unquote(std::string_view quoted);

// Concatenate the decoded bytes of consecutive string atoms.
Result<std::string> concat_strings(const std::vector<SExpr>& atoms, size_t first);

}  // namespace compono::wast
