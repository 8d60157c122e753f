// src/component/wave.h - WAVE (WebAssembly Value Encoding) text for
// component values, as `wasmtime run --invoke` uses it:
//   true  -7  3.5  nan  'x'  "hi\n"  [1, 2]  (1, "a")  {name: "World"}
//   red  circle(2.0)  some(3)  none  ok  ok(1)  err("bad")  {read, write}
// Parsing is typed (the expected Type drives it); errors carry the byte
// offset into the text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compono/component.h"
#include "compono/result.h"

namespace compono::wave {

// Parse one value of type t (the whole text, surrounding whitespace allowed).
Result<component::Val> parse(std::string_view text, const component::Type& t);

// A call "name(arg, ...)": the function name (everything before the first
// '('; may contain '#', '/', ':', '@') and the raw argument text.
struct Call {
  std::string name;
  std::string args;  // text between the outer parentheses
};
Result<Call> split_call(std::string_view text);

// Parse a comma-separated argument list against parameter types.
Result<std::vector<component::Val>> parse_args(std::string_view args, const component::FuncType& type);

// Print a value as WAVE (records omit fields whose value is `none`).
std::string print(const component::Val& v);

}  // namespace compono::wave
