// src/component/core_scan.h - the import/export view of an embedded core
// module (private to src/component).  Reads only what component validation
// needs: types, imports, the function/table/memory/global/tag index spaces
// and exports.  Section order and framing are checked; function bodies are
// left to the core validator.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "component/component.h"
#include "component/reader.h"

namespace compono::component::detail {

struct CoreModuleInfo {
  std::vector<CoreFuncType> types;
  struct Import { std::string module, name; CoreExternDesc desc; };
  std::vector<Import> imports;
  std::vector<uint32_t> funcs;  // type index of each function (imports first)
  std::vector<CoreExternDesc> tables, memories, globals, tags;
  struct Export { std::string name; CoreExternKind kind; uint32_t index; };
  std::vector<Export> exports;
};

Result<CoreValType> read_core_valtype(Reader& r);
Result<CoreLimits> read_core_limits(Reader& r, bool memory);
Result<CoreExternDesc> read_core_import_desc(Reader& r);

// `offset` is the position of `bytes` in the enclosing binary (for errors).
Result<CoreModuleInfo> scan_core_module(std::span<const uint8_t> bytes, size_t offset);

}  // namespace compono::component::detail
