// src/component/new/new.h - `compono new`: a core module carrying
// `component-type:*` custom sections -> a component (what wit-component's
// `component new` does, without an adapter).
//
//   auto out = component::make_component(core_bytes);   // Result<NewOutput>
//
// The module's world (the union of its component-type sections) becomes the
// component's imports and exports.  Core imports follow the canonical naming:
// `<interface>` / `$root` modules for lowered functions and `[resource-drop]R`,
// `[export]<interface>` / `[export]$root` for `[resource-new|rep|drop]R` of
// exported resources.  Core exports: `<interface>#<func>` / `<func>`,
// `cabi_post_<export>`, `cabi_realloc`, `memory`, `<interface>#[dtor]R`,
// `_initialize` (run once after instantiation).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "compono/result.h"

namespace compono::component {

struct NewOptions {
  bool validate = true;  // run component::validate on the result
};

struct NewOutput {
  std::vector<uint8_t> bytes;        // the component
  uint32_t lowered = 0;              // canon lower count
  uint32_t lifted = 0;               // canon lift count
  uint32_t trampolines = 0;          // functions routed through the shim table
  uint32_t dropped_imports = 0;      // world imports left out because nothing uses them
};

Result<NewOutput> make_component(std::span<const uint8_t> core_module, const NewOptions& opts = {});

}  // namespace compono::component
