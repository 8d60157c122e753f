// src/core/module.h - the decoded form of a core WebAssembly module.
//
// Internal to Compono (not installed).  The decoder (decode.cpp) produces a
// Module from bytes; the validator (validate.cpp) checks it; the translator
// turns each function body into the interpreter's internal code.  Function
// bodies and constant expressions are kept as byte ranges into Module::bytes,
// which the Module owns, so nothing is copied twice.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "compono/result.h"

namespace compono::core {

// Value types, numbered as in the binary format.
enum class ValType : uint8_t {
  I32 = 0x7f,
  I64 = 0x7e,
  F32 = 0x7d,
  F64 = 0x7c,
  V128 = 0x7b,
  FuncRef = 0x70,
  ExternRef = 0x6f,
  ExnRef = 0x69,  // exception handling
};
const char* to_string(ValType t);
inline bool is_ref(ValType t) { return t == ValType::FuncRef || t == ValType::ExternRef || t == ValType::ExnRef; }

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 };
const char* to_string(ExternKind k);

// Post-2.0 features the decoder and validator accept.  Default: none, i.e.
// exactly WebAssembly 2.0 (what the guarantees below describe).
struct Features {
  bool multi_memory = false;
  bool exceptions = false;
  static Features all() { return Features{true, true}; }
};

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType&) const = default;
};
std::string to_string(const FuncType& t);  // "(i32, i64) -> (f32)"

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool operator==(const Limits&) const = default;
};
struct TableType {
  ValType elem = ValType::FuncRef;
  Limits limits;
  bool operator==(const TableType&) const = default;
};
struct MemoryType {
  Limits limits;  // in 64 KiB pages
  bool operator==(const MemoryType&) const = default;
};
struct GlobalType {
  ValType type = ValType::I32;
  bool mut = false;
  bool operator==(const GlobalType&) const = default;
};

// A byte range [begin, end) within Module::bytes.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t size() const { return end - begin; }
};

// A constant expression, kept as its encoded instructions (up to and
// including the final `end`).
struct ConstExpr {
  Span code;
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t func_type = 0;  // kind == Func: index into Module::types
  TableType table;         // kind == Table
  MemoryType memory;       // kind == Memory
  GlobalType global;       // kind == Global
  uint32_t tag_type = 0;   // kind == Tag: index into Module::types
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;  // in the index space of `kind` (imports first)
};

// A locally defined function.
struct Function {
  uint32_t type = 0;  // index into Module::types
  // Declared locals, expanded (one entry per local; params not included).
  std::vector<ValType> locals;
  // The instruction sequence, after the locals, up to and including the
  // final `end` opcode.
  Span body;
};

struct Global {
  GlobalType type;
  ConstExpr init;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Active;
  uint32_t table = 0;  // Active only
  ConstExpr offset;    // Active only
  ValType type = ValType::FuncRef;
  // Each element is a constant expression (ref.func N / ref.null T /
  // global.get); for the legacy function-index forms the decoder records the
  // indices in func_indices instead and leaves inits empty.
  std::vector<ConstExpr> inits;
  std::vector<uint32_t> func_indices;
  bool uses_indices = false;
  uint32_t count() const { return uses_indices ? uint32_t(func_indices.size()) : uint32_t(inits.size()); }
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active;  // Active or Passive
  uint32_t memory = 0;
  ConstExpr offset;
  Span bytes;
};

struct CustomSection {
  std::string name;
  Span contents;
};

// Names from the custom "name" section, kept for diagnostics.
struct NameSection {
  std::optional<std::string> module;
  std::map<uint32_t, std::string> functions;
  std::map<uint32_t, std::map<uint32_t, std::string>> locals;
};

struct Module {
  std::vector<uint8_t> bytes;  // the whole binary; Spans point into it
  Features features;           // what decode() accepted (validate() and the translator follow it)

  std::vector<FuncType> types;
  std::vector<Import> imports;
  std::vector<Function> functions;  // locally defined, after imported ones
  std::vector<TableType> tables;    // locally defined
  std::vector<MemoryType> memories; // locally defined
  std::vector<Global> globals;      // locally defined
  std::vector<uint32_t> tags;       // locally defined: type index of each tag
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elems;
  std::vector<DataSegment> datas;
  std::optional<uint32_t> data_count;
  std::vector<CustomSection> customs;
  NameSection names;

  // Counts of imports of each kind (the first indices of each space).
  uint32_t num_imported_funcs = 0;
  uint32_t num_imported_tables = 0;
  uint32_t num_imported_memories = 0;
  uint32_t num_imported_globals = 0;
  uint32_t num_imported_tags = 0;

  // Filled by decode(): for each kind, the position in `imports` of the
  // kind's i-th import, so the *_type(index) helpers below are O(1).
  // (Hand-built modules may leave them empty; the helpers then scan.)
  std::vector<uint32_t> import_funcs, import_tables, import_memories, import_globals, import_tags;

  // Byte offsets of entries in the binary, parallel to the vectors above,
  // for diagnostics (filled by decode(); may be empty in hand-built modules).
  struct Offsets {
    std::vector<uint32_t> imports, functions, tables, memories, globals, exports, elems, datas, tags;
    uint32_t start = 0;       // the start section's function index
    uint32_t code = 0;        // the code section
  } offsets;

  std::span<const uint8_t> slice(Span s) const { return {bytes.data() + s.begin, s.size()}; }
  uint32_t num_funcs() const { return num_imported_funcs + uint32_t(functions.size()); }
  uint32_t num_tables() const { return num_imported_tables + uint32_t(tables.size()); }
  uint32_t num_memories() const { return num_imported_memories + uint32_t(memories.size()); }
  uint32_t num_globals() const { return num_imported_globals + uint32_t(globals.size()); }
  uint32_t num_tags() const { return num_imported_tags + uint32_t(tags.size()); }
  // Type of function `index` in the function index space (imports first).
  const FuncType& func_type(uint32_t index) const;
  uint32_t func_type_index(uint32_t index) const;
  TableType table_type(uint32_t index) const;
  MemoryType memory_type(uint32_t index) const;
  GlobalType global_type(uint32_t index) const;
  // Type index (into types) of tag `index` in the tag index space.
  uint32_t tag_type_index(uint32_t index) const;
  // "name" from the name section, else "func[N]".
  std::string func_name(uint32_t index) const;
};

// An instruction's block type, from the s33 immediate (Reader::s33):
// -64 (0x40) = no params/results; a negative value type code = that single
// result; >= 0 = index into Module::types (params and results).
struct BlockType {
  enum class Kind : uint8_t { Empty, Value, Index };
  Kind kind = Kind::Empty;
  ValType value = ValType::I32;  // Kind::Value
  uint32_t index = 0;            // Kind::Index
};
inline BlockType block_type_from_s33(int64_t v) {
  BlockType bt;
  if (v >= 0) { bt.kind = BlockType::Kind::Index; bt.index = uint32_t(v); }
  else if ((v & 0x7f) == 0x40) bt.kind = BlockType::Kind::Empty;
  else { bt.kind = BlockType::Kind::Value; bt.value = ValType(uint8_t(v & 0x7f)); }
  return bt;
}

// Decode a binary module.  Errors carry the byte offset and the spec's
// message ("unexpected end", "integer too large", "malformed UTF-8
// encoding", "section size mismatch", ...).
// `features` enables post-2.0 proposals (see Features); without them their
// encodings are rejected with the spec's message plus the feature's name.
Result<Module> decode(std::span<const uint8_t> bytes, Features features = {});

// What decode() + validate() guarantee to code that walks a function body
// afterwards (the translator), so it may use Reader's *_unchecked reads:
//  - Function::body spans the instructions after the locals up to and
//    including the final `end`; blocks nest properly and every `else`
//    belongs to an `if`; every opcode is a known Wasm 2.0 non-SIMD one
//    (op_info(code).known) and every immediate is well-formed (LEB128 within
//    its width, memory/reserved bytes zero, select's type vector of length 1).
//  - Block types are s33 (see block_type_from_s33); indices are in range;
//    operand types match the spec's typing rules; unreachable code after
//    br/br_table/return/unreachable is validated with the polymorphic stack.
//  - Function::locals has at most 50000 entries (params not included).
//  - memory.init/data.drop name segments < data_count (or < datas.size() when
//    the module has neither a data count nor a data section).
// With Features enabled the body may also hold: memarg alignment fields with
// bit 6 set followed by a u32 memory index, u32 memory indices in place of
// the reserved zero bytes (multi_memory); and throw (0x08 u32 tag),
// throw_ref (0x0a), try_table (0x1f blocktype vec(catch)) and the exnref
// type 0x69 (exceptions).  These opcodes are not in COMPONO_FOREACH_OP
// (op_info(code).known is false for them); see opcodes.h kOpThrow etc.

// Validate a decoded module per the spec's algorithm (MVP, sign-extension,
// non-trapping float-to-int, multi-value, bulk memory, reference types; plus
// multi-memory and exception handling when m.features enables them).
// Errors carry the spec's message ("type mismatch", "unknown function", ...)
// and the byte offset of the offending instruction.
Result<void> validate(const Module& m);

}  // namespace compono::core
