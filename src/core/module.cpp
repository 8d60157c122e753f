// Helpers for the decoded module (module.h).
#include "core/module.h"

namespace compono::core {

const char* to_string(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
    case ValType::ExnRef: return "exnref";
  }
  return "?";
}

const char* to_string(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
    case ExternKind::Tag: return "tag";
  }
  return "?";
}

std::string to_string(const FuncType& t) {
  std::string s = "(";
  for (size_t i = 0; i < t.params.size(); ++i) s += (i ? ", " : "") + std::string(to_string(t.params[i]));
  s += ") -> (";
  for (size_t i = 0; i < t.results.size(); ++i) s += (i ? ", " : "") + std::string(to_string(t.results[i]));
  return s + ")";
}

uint32_t Module::func_type_index(uint32_t index) const {
  if (index < num_imported_funcs && import_funcs.size() == num_imported_funcs)
    return imports[import_funcs[index]].func_type;
  if (index < num_imported_funcs) {
    uint32_t n = 0;
    for (const auto& im : imports)
      if (im.kind == ExternKind::Func && n++ == index) return im.func_type;
  }
  return functions[index - num_imported_funcs].type;
}

const FuncType& Module::func_type(uint32_t index) const { return types[func_type_index(index)]; }

template <class T, class F>
static T nth_import(const std::vector<Import>& imports, ExternKind kind, uint32_t index, F get) {
  uint32_t n = 0;
  for (const auto& im : imports)
    if (im.kind == kind && n++ == index) return get(im);
  return T{};
}

TableType Module::table_type(uint32_t index) const {
  if (index < num_imported_tables && import_tables.size() == num_imported_tables)
    return imports[import_tables[index]].table;
  if (index < num_imported_tables)
    return nth_import<TableType>(imports, ExternKind::Table, index, [](const Import& i) { return i.table; });
  return tables[index - num_imported_tables];
}

MemoryType Module::memory_type(uint32_t index) const {
  if (index < num_imported_memories && import_memories.size() == num_imported_memories)
    return imports[import_memories[index]].memory;
  if (index < num_imported_memories)
    return nth_import<MemoryType>(imports, ExternKind::Memory, index, [](const Import& i) { return i.memory; });
  return memories[index - num_imported_memories];
}

GlobalType Module::global_type(uint32_t index) const {
  if (index < num_imported_globals && import_globals.size() == num_imported_globals)
    return imports[import_globals[index]].global;
  if (index < num_imported_globals)
    return nth_import<GlobalType>(imports, ExternKind::Global, index, [](const Import& i) { return i.global; });
  return globals[index - num_imported_globals].type;
}

uint32_t Module::tag_type_index(uint32_t index) const {
  if (index < num_imported_tags && import_tags.size() == num_imported_tags) return imports[import_tags[index]].tag_type;
  if (index < num_imported_tags)
    return nth_import<uint32_t>(imports, ExternKind::Tag, index, [](const Import& i) { return i.tag_type; });
  return tags[index - num_imported_tags];
}

std::string Module::func_name(uint32_t index) const {
  auto it = names.functions.find(index);
  if (it != names.functions.end()) return it->second;
  return "func[" + std::to_string(index) + "]";
}

}  // namespace compono::core
