// src/core/opcodes.h - WebAssembly 2.0 opcodes and a fast byte/LEB128 reader.
//
// Internal to Compono.  Shared by the decoder, the validator and the
// translator (which re-walks validated function bodies with Reader).
//
// Opcode numbering (enum class Op : uint16_t):
//   single-byte opcodes     value = the byte                 (0x00 .. 0xFB)
//   0xFC prefix group       value = 0xFC00 | sub-opcode      (sub <= 0xFF)
//   0xFD prefix (SIMD)      value = 0xFD00 | sub-opcode      (reserved; Wasm 2.0
//                            SIMD sub-opcodes are all <= 0xFF; not listed yet)
// The sub-opcode after a prefix byte is a u32 LEB128; a value > 0xFF is an
// unknown opcode.  Use read_op() to read one.
//
// COMPONO_FOREACH_OP(X) lists every non-SIMD Wasm 2.0 instruction as
//   X(Name, code, "text", Imm::kind, Sig::kind)
// Imm says which immediates follow the opcode; Sig gives the operand/result
// types for the "simple" instructions whose typing is fixed (Sig::Special
// for the rest, which the validator types by hand).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace compono::core {

// Kinds of immediates following an opcode.
enum class Imm : uint8_t {
  None,
  BlockType,     // s33: 0x40 (empty), a value type byte, or a type index >= 0
  Label,         // u32 label depth
  BrTable,       // vec(u32) labels, then u32 default
  Func,          // u32 function index
  CallIndirect,  // u32 type index, u32 table index
  Local,         // u32 local index
  Global,        // u32 global index
  Table,         // u32 table index
  MemArg,        // u32 align (log2), u32 offset
  MemZero,       // one reserved byte (memory index, must be 0x00)
  I32,           // s32
  I64,           // s64
  F32,           // 4 bytes little-endian
  F64,           // 8 bytes little-endian
  RefType,       // one byte: 0x70 funcref / 0x6f externref
  SelectT,       // vec(valtype); must have length 1
  Elem,          // u32 elem segment index
  Data,          // u32 data segment index
  TableInit,     // u32 elem index, u32 table index
  TableCopy,     // u32 dst table, u32 src table
  MemoryInit,    // u32 data index, reserved byte 0x00
  MemoryCopy,    // reserved bytes 0x00 0x00
};

// Fixed signatures: <params>_<results>; I=i32 L=i64 F=f32 D=f64 V=nothing.
enum class Sig : uint8_t {
  Special,
  V_I, V_L, V_F, V_D,
  I_I, L_L, F_F, D_D,
  II_I, LL_L, FF_F, DD_D,
  L_I, LL_I, FF_I, DD_I,
  I_L, I_F, I_D, L_F, L_D, F_I, F_L, F_D, D_I, D_L, D_F,
  II_V, IL_V, IF_V, ID_V,
};

#define COMPONO_FOREACH_OP(X)                                              \
  X(Unreachable, 0x00, "unreachable", None, Special)                       \
  X(Nop, 0x01, "nop", None, Special)                                       \
  X(Block, 0x02, "block", BlockType, Special)                              \
  X(Loop, 0x03, "loop", BlockType, Special)                                \
  X(If, 0x04, "if", BlockType, Special)                                    \
  X(Else, 0x05, "else", None, Special)                                     \
  X(End, 0x0b, "end", None, Special)                                       \
  X(Br, 0x0c, "br", Label, Special)                                        \
  X(BrIf, 0x0d, "br_if", Label, Special)                                   \
  X(BrTable, 0x0e, "br_table", BrTable, Special)                           \
  X(Return, 0x0f, "return", None, Special)                                 \
  X(Call, 0x10, "call", Func, Special)                                     \
  X(CallIndirect, 0x11, "call_indirect", CallIndirect, Special)            \
  X(Drop, 0x1a, "drop", None, Special)                                     \
  X(Select, 0x1b, "select", None, Special)                                 \
  X(SelectT, 0x1c, "select", SelectT, Special)                             \
  X(LocalGet, 0x20, "local.get", Local, Special)                           \
  X(LocalSet, 0x21, "local.set", Local, Special)                           \
  X(LocalTee, 0x22, "local.tee", Local, Special)                           \
  X(GlobalGet, 0x23, "global.get", Global, Special)                        \
  X(GlobalSet, 0x24, "global.set", Global, Special)                        \
  X(TableGet, 0x25, "table.get", Table, Special)                           \
  X(TableSet, 0x26, "table.set", Table, Special)                           \
  X(I32Load, 0x28, "i32.load", MemArg, I_I)                                \
  X(I64Load, 0x29, "i64.load", MemArg, I_L)                                \
  X(F32Load, 0x2a, "f32.load", MemArg, I_F)                                \
  X(F64Load, 0x2b, "f64.load", MemArg, I_D)                                \
  X(I32Load8S, 0x2c, "i32.load8_s", MemArg, I_I)                           \
  X(I32Load8U, 0x2d, "i32.load8_u", MemArg, I_I)                           \
  X(I32Load16S, 0x2e, "i32.load16_s", MemArg, I_I)                         \
  X(I32Load16U, 0x2f, "i32.load16_u", MemArg, I_I)                         \
  X(I64Load8S, 0x30, "i64.load8_s", MemArg, I_L)                           \
  X(I64Load8U, 0x31, "i64.load8_u", MemArg, I_L)                           \
  X(I64Load16S, 0x32, "i64.load16_s", MemArg, I_L)                         \
  X(I64Load16U, 0x33, "i64.load16_u", MemArg, I_L)                         \
  X(I64Load32S, 0x34, "i64.load32_s", MemArg, I_L)                         \
  X(I64Load32U, 0x35, "i64.load32_u", MemArg, I_L)                         \
  X(I32Store, 0x36, "i32.store", MemArg, II_V)                             \
  X(I64Store, 0x37, "i64.store", MemArg, IL_V)                             \
  X(F32Store, 0x38, "f32.store", MemArg, IF_V)                             \
  X(F64Store, 0x39, "f64.store", MemArg, ID_V)                             \
  X(I32Store8, 0x3a, "i32.store8", MemArg, II_V)                           \
  X(I32Store16, 0x3b, "i32.store16", MemArg, II_V)                         \
  X(I64Store8, 0x3c, "i64.store8", MemArg, IL_V)                           \
  X(I64Store16, 0x3d, "i64.store16", MemArg, IL_V)                         \
  X(I64Store32, 0x3e, "i64.store32", MemArg, IL_V)                         \
  X(MemorySize, 0x3f, "memory.size", MemZero, Special)                     \
  X(MemoryGrow, 0x40, "memory.grow", MemZero, Special)                     \
  X(I32Const, 0x41, "i32.const", I32, V_I)                                 \
  X(I64Const, 0x42, "i64.const", I64, V_L)                                 \
  X(F32Const, 0x43, "f32.const", F32, V_F)                                 \
  X(F64Const, 0x44, "f64.const", F64, V_D)                                 \
  X(I32Eqz, 0x45, "i32.eqz", None, I_I)                                    \
  X(I32Eq, 0x46, "i32.eq", None, II_I)                                     \
  X(I32Ne, 0x47, "i32.ne", None, II_I)                                     \
  X(I32LtS, 0x48, "i32.lt_s", None, II_I)                                  \
  X(I32LtU, 0x49, "i32.lt_u", None, II_I)                                  \
  X(I32GtS, 0x4a, "i32.gt_s", None, II_I)                                  \
  X(I32GtU, 0x4b, "i32.gt_u", None, II_I)                                  \
  X(I32LeS, 0x4c, "i32.le_s", None, II_I)                                  \
  X(I32LeU, 0x4d, "i32.le_u", None, II_I)                                  \
  X(I32GeS, 0x4e, "i32.ge_s", None, II_I)                                  \
  X(I32GeU, 0x4f, "i32.ge_u", None, II_I)                                  \
  X(I64Eqz, 0x50, "i64.eqz", None, L_I)                                    \
  X(I64Eq, 0x51, "i64.eq", None, LL_I)                                     \
  X(I64Ne, 0x52, "i64.ne", None, LL_I)                                     \
  X(I64LtS, 0x53, "i64.lt_s", None, LL_I)                                  \
  X(I64LtU, 0x54, "i64.lt_u", None, LL_I)                                  \
  X(I64GtS, 0x55, "i64.gt_s", None, LL_I)                                  \
  X(I64GtU, 0x56, "i64.gt_u", None, LL_I)                                  \
  X(I64LeS, 0x57, "i64.le_s", None, LL_I)                                  \
  X(I64LeU, 0x58, "i64.le_u", None, LL_I)                                  \
  X(I64GeS, 0x59, "i64.ge_s", None, LL_I)                                  \
  X(I64GeU, 0x5a, "i64.ge_u", None, LL_I)                                  \
  X(F32Eq, 0x5b, "f32.eq", None, FF_I)                                     \
  X(F32Ne, 0x5c, "f32.ne", None, FF_I)                                     \
  X(F32Lt, 0x5d, "f32.lt", None, FF_I)                                     \
  X(F32Gt, 0x5e, "f32.gt", None, FF_I)                                     \
  X(F32Le, 0x5f, "f32.le", None, FF_I)                                     \
  X(F32Ge, 0x60, "f32.ge", None, FF_I)                                     \
  X(F64Eq, 0x61, "f64.eq", None, DD_I)                                     \
  X(F64Ne, 0x62, "f64.ne", None, DD_I)                                     \
  X(F64Lt, 0x63, "f64.lt", None, DD_I)                                     \
  X(F64Gt, 0x64, "f64.gt", None, DD_I)                                     \
  X(F64Le, 0x65, "f64.le", None, DD_I)                                     \
  X(F64Ge, 0x66, "f64.ge", None, DD_I)                                     \
  X(I32Clz, 0x67, "i32.clz", None, I_I)                                    \
  X(I32Ctz, 0x68, "i32.ctz", None, I_I)                                    \
  X(I32Popcnt, 0x69, "i32.popcnt", None, I_I)                              \
  X(I32Add, 0x6a, "i32.add", None, II_I)                                   \
  X(I32Sub, 0x6b, "i32.sub", None, II_I)                                   \
  X(I32Mul, 0x6c, "i32.mul", None, II_I)                                   \
  X(I32DivS, 0x6d, "i32.div_s", None, II_I)                                \
  X(I32DivU, 0x6e, "i32.div_u", None, II_I)                                \
  X(I32RemS, 0x6f, "i32.rem_s", None, II_I)                                \
  X(I32RemU, 0x70, "i32.rem_u", None, II_I)                                \
  X(I32And, 0x71, "i32.and", None, II_I)                                   \
  X(I32Or, 0x72, "i32.or", None, II_I)                                     \
  X(I32Xor, 0x73, "i32.xor", None, II_I)                                   \
  X(I32Shl, 0x74, "i32.shl", None, II_I)                                   \
  X(I32ShrS, 0x75, "i32.shr_s", None, II_I)                                \
  X(I32ShrU, 0x76, "i32.shr_u", None, II_I)                                \
  X(I32Rotl, 0x77, "i32.rotl", None, II_I)                                 \
  X(I32Rotr, 0x78, "i32.rotr", None, II_I)                                 \
  X(I64Clz, 0x79, "i64.clz", None, L_L)                                    \
  X(I64Ctz, 0x7a, "i64.ctz", None, L_L)                                    \
  X(I64Popcnt, 0x7b, "i64.popcnt", None, L_L)                              \
  X(I64Add, 0x7c, "i64.add", None, LL_L)                                   \
  X(I64Sub, 0x7d, "i64.sub", None, LL_L)                                   \
  X(I64Mul, 0x7e, "i64.mul", None, LL_L)                                   \
  X(I64DivS, 0x7f, "i64.div_s", None, LL_L)                                \
  X(I64DivU, 0x80, "i64.div_u", None, LL_L)                                \
  X(I64RemS, 0x81, "i64.rem_s", None, LL_L)                                \
  X(I64RemU, 0x82, "i64.rem_u", None, LL_L)                                \
  X(I64And, 0x83, "i64.and", None, LL_L)                                   \
  X(I64Or, 0x84, "i64.or", None, LL_L)                                     \
  X(I64Xor, 0x85, "i64.xor", None, LL_L)                                   \
  X(I64Shl, 0x86, "i64.shl", None, LL_L)                                   \
  X(I64ShrS, 0x87, "i64.shr_s", None, LL_L)                                \
  X(I64ShrU, 0x88, "i64.shr_u", None, LL_L)                                \
  X(I64Rotl, 0x89, "i64.rotl", None, LL_L)                                 \
  X(I64Rotr, 0x8a, "i64.rotr", None, LL_L)                                 \
  X(F32Abs, 0x8b, "f32.abs", None, F_F)                                    \
  X(F32Neg, 0x8c, "f32.neg", None, F_F)                                    \
  X(F32Ceil, 0x8d, "f32.ceil", None, F_F)                                  \
  X(F32Floor, 0x8e, "f32.floor", None, F_F)                                \
  X(F32Trunc, 0x8f, "f32.trunc", None, F_F)                                \
  X(F32Nearest, 0x90, "f32.nearest", None, F_F)                            \
  X(F32Sqrt, 0x91, "f32.sqrt", None, F_F)                                  \
  X(F32Add, 0x92, "f32.add", None, FF_F)                                   \
  X(F32Sub, 0x93, "f32.sub", None, FF_F)                                   \
  X(F32Mul, 0x94, "f32.mul", None, FF_F)                                   \
  X(F32Div, 0x95, "f32.div", None, FF_F)                                   \
  X(F32Min, 0x96, "f32.min", None, FF_F)                                   \
  X(F32Max, 0x97, "f32.max", None, FF_F)                                   \
  X(F32Copysign, 0x98, "f32.copysign", None, FF_F)                         \
  X(F64Abs, 0x99, "f64.abs", None, D_D)                                    \
  X(F64Neg, 0x9a, "f64.neg", None, D_D)                                    \
  X(F64Ceil, 0x9b, "f64.ceil", None, D_D)                                  \
  X(F64Floor, 0x9c, "f64.floor", None, D_D)                                \
  X(F64Trunc, 0x9d, "f64.trunc", None, D_D)                                \
  X(F64Nearest, 0x9e, "f64.nearest", None, D_D)                            \
  X(F64Sqrt, 0x9f, "f64.sqrt", None, D_D)                                  \
  X(F64Add, 0xa0, "f64.add", None, DD_D)                                   \
  X(F64Sub, 0xa1, "f64.sub", None, DD_D)                                   \
  X(F64Mul, 0xa2, "f64.mul", None, DD_D)                                   \
  X(F64Div, 0xa3, "f64.div", None, DD_D)                                   \
  X(F64Min, 0xa4, "f64.min", None, DD_D)                                   \
  X(F64Max, 0xa5, "f64.max", None, DD_D)                                   \
  X(F64Copysign, 0xa6, "f64.copysign", None, DD_D)                         \
  X(I32WrapI64, 0xa7, "i32.wrap_i64", None, L_I)                           \
  X(I32TruncF32S, 0xa8, "i32.trunc_f32_s", None, F_I)                      \
  X(I32TruncF32U, 0xa9, "i32.trunc_f32_u", None, F_I)                      \
  X(I32TruncF64S, 0xaa, "i32.trunc_f64_s", None, D_I)                      \
  X(I32TruncF64U, 0xab, "i32.trunc_f64_u", None, D_I)                      \
  X(I64ExtendI32S, 0xac, "i64.extend_i32_s", None, I_L)                    \
  X(I64ExtendI32U, 0xad, "i64.extend_i32_u", None, I_L)                    \
  X(I64TruncF32S, 0xae, "i64.trunc_f32_s", None, F_L)                      \
  X(I64TruncF32U, 0xaf, "i64.trunc_f32_u", None, F_L)                      \
  X(I64TruncF64S, 0xb0, "i64.trunc_f64_s", None, D_L)                      \
  X(I64TruncF64U, 0xb1, "i64.trunc_f64_u", None, D_L)                      \
  X(F32ConvertI32S, 0xb2, "f32.convert_i32_s", None, I_F)                  \
  X(F32ConvertI32U, 0xb3, "f32.convert_i32_u", None, I_F)                  \
  X(F32ConvertI64S, 0xb4, "f32.convert_i64_s", None, L_F)                  \
  X(F32ConvertI64U, 0xb5, "f32.convert_i64_u", None, L_F)                  \
  X(F32DemoteF64, 0xb6, "f32.demote_f64", None, D_F)                       \
  X(F64ConvertI32S, 0xb7, "f64.convert_i32_s", None, I_D)                  \
  X(F64ConvertI32U, 0xb8, "f64.convert_i32_u", None, I_D)                  \
  X(F64ConvertI64S, 0xb9, "f64.convert_i64_s", None, L_D)                  \
  X(F64ConvertI64U, 0xba, "f64.convert_i64_u", None, L_D)                  \
  X(F64PromoteF32, 0xbb, "f64.promote_f32", None, F_D)                     \
  X(I32ReinterpretF32, 0xbc, "i32.reinterpret_f32", None, F_I)             \
  X(I64ReinterpretF64, 0xbd, "i64.reinterpret_f64", None, D_L)             \
  X(F32ReinterpretI32, 0xbe, "f32.reinterpret_i32", None, I_F)             \
  X(F64ReinterpretI64, 0xbf, "f64.reinterpret_i64", None, L_D)             \
  X(I32Extend8S, 0xc0, "i32.extend8_s", None, I_I)                         \
  X(I32Extend16S, 0xc1, "i32.extend16_s", None, I_I)                       \
  X(I64Extend8S, 0xc2, "i64.extend8_s", None, L_L)                         \
  X(I64Extend16S, 0xc3, "i64.extend16_s", None, L_L)                       \
  X(I64Extend32S, 0xc4, "i64.extend32_s", None, L_L)                       \
  X(RefNull, 0xd0, "ref.null", RefType, Special)                           \
  X(RefIsNull, 0xd1, "ref.is_null", None, Special)                         \
  X(RefFunc, 0xd2, "ref.func", Func, Special)                              \
  X(I32TruncSatF32S, 0xfc00, "i32.trunc_sat_f32_s", None, F_I)             \
  X(I32TruncSatF32U, 0xfc01, "i32.trunc_sat_f32_u", None, F_I)             \
  X(I32TruncSatF64S, 0xfc02, "i32.trunc_sat_f64_s", None, D_I)             \
  X(I32TruncSatF64U, 0xfc03, "i32.trunc_sat_f64_u", None, D_I)             \
  X(I64TruncSatF32S, 0xfc04, "i64.trunc_sat_f32_s", None, F_L)             \
  X(I64TruncSatF32U, 0xfc05, "i64.trunc_sat_f32_u", None, F_L)             \
  X(I64TruncSatF64S, 0xfc06, "i64.trunc_sat_f64_s", None, D_L)             \
  X(I64TruncSatF64U, 0xfc07, "i64.trunc_sat_f64_u", None, D_L)             \
  X(MemoryInit, 0xfc08, "memory.init", MemoryInit, Special)                \
  X(DataDrop, 0xfc09, "data.drop", Data, Special)                          \
  X(MemoryCopy, 0xfc0a, "memory.copy", MemoryCopy, Special)                \
  X(MemoryFill, 0xfc0b, "memory.fill", MemZero, Special)                   \
  X(TableInit, 0xfc0c, "table.init", TableInit, Special)                   \
  X(ElemDrop, 0xfc0d, "elem.drop", Elem, Special)                          \
  X(TableCopy, 0xfc0e, "table.copy", TableCopy, Special)                   \
  X(TableGrow, 0xfc0f, "table.grow", Table, Special)                       \
  X(TableSize, 0xfc10, "table.size", Table, Special)                       \
  X(TableFill, 0xfc11, "table.fill", Table, Special)

enum class Op : uint16_t {
#define COMPONO_OP_ENUM_(name, code, text, imm, sig) name = code,
  COMPONO_FOREACH_OP(COMPONO_OP_ENUM_)
#undef COMPONO_OP_ENUM_
  // Exception handling (Features::exceptions).  Deliberately not in
  // COMPONO_FOREACH_OP: op_info() reports them unknown, so code that only
  // knows Wasm 2.0 keeps treating them as illegal; the decoder, validator
  // and translator handle them explicitly when the feature is on.
  //   throw     0x08 u32 tagidx
  //   throw_ref 0x0a
  //   try_table 0x1f blocktype vec(catch); catch = 0x00 tag label |
  //             0x01 tag label (catch_ref) | 0x02 label (catch_all) |
  //             0x03 label (catch_all_ref)
  Throw = 0x08,
  ThrowRef = 0x0a,
  TryTable = 0x1f,
};

inline constexpr uint8_t kPrefixFC = 0xfc;
inline constexpr uint8_t kPrefixSIMD = 0xfd;  // reserved: Op value 0xFD00 | sub

// Per-opcode facts, from constexpr tables (one lookup per opcode).
struct OpInfo {
  bool known = false;
  Imm imm = Imm::None;
  Sig sig = Sig::Special;
};

namespace detail {
struct OpTables {
  OpInfo single[256];  // single-byte opcodes
  OpInfo fc[32];       // 0xFC sub-opcodes 0..31
};
constexpr OpTables make_op_tables() {
  OpTables t{};
#define COMPONO_OP_TABLE_(name, code, text, imm, sig)                         \
  if ((code) < 0x100) t.single[(code) & 0xff] = OpInfo{true, Imm::imm, Sig::sig}; \
  else t.fc[(code) & 0x1f] = OpInfo{true, Imm::imm, Sig::sig};
  COMPONO_FOREACH_OP(COMPONO_OP_TABLE_)
#undef COMPONO_OP_TABLE_
  return t;
}
inline constexpr OpTables kOpTables = make_op_tables();
}  // namespace detail

// Facts about an opcode value as returned by Reader::op (known == false for
// anything that is not a Wasm 2.0 non-SIMD instruction).
constexpr OpInfo op_info(uint16_t code) {
  if (code < 0x100) return detail::kOpTables.single[code];
  if ((code >> 8) == kPrefixFC && (code & 0xff) < 32) return detail::kOpTables.fc[code & 0xff];
  return OpInfo{};
}
constexpr bool is_known_op(uint16_t code) { return op_info(code).known; }
constexpr Imm op_imm(Op op) { return op_info(uint16_t(op)).imm; }
constexpr Sig op_sig(Op op) { return op_info(uint16_t(op)).sig; }
constexpr const char* op_name(Op op) {
  switch (op) {
#define COMPONO_OP_NAME_(name, code, text, imm, sig) case Op::name: return text;
    COMPONO_FOREACH_OP(COMPONO_OP_NAME_)
#undef COMPONO_OP_NAME_
    case Op::Throw: return "throw";
    case Op::ThrowRef: return "throw_ref";
    case Op::TryTable: return "try_table";
  }
  return "<unknown>";
}
// log2 of the access width in bytes of a load/store (its natural alignment),
// or -1 if `op` is not a memory access.
constexpr int op_natural_align(Op op) {
  switch (op) {
    case Op::I32Load8S: case Op::I32Load8U: case Op::I64Load8S: case Op::I64Load8U:
    case Op::I32Store8: case Op::I64Store8:
      return 0;
    case Op::I32Load16S: case Op::I32Load16U: case Op::I64Load16S: case Op::I64Load16U:
    case Op::I32Store16: case Op::I64Store16:
      return 1;
    case Op::I32Load: case Op::F32Load: case Op::I64Load32S: case Op::I64Load32U:
    case Op::I32Store: case Op::F32Store: case Op::I64Store32:
      return 2;
    case Op::I64Load: case Op::F64Load: case Op::I64Store: case Op::F64Store:
      return 3;
    default:
      return -1;
  }
}

// ---------------------------------------------------------------------------
// Reader: a bounds-checked cursor over bytes with LEB128 decoding.
//
// Checked reads return false on failure and record the first error (sticky):
// error() and error_offset() (absolute: base + position).  Messages are the
// spec's: "unexpected end", "integer representation too long",
// "integer too large".  The *_unchecked variants assume the input was already
// validated (the translator walking a validated body) and do no bounds checks
// beyond what the encoding itself implies.
enum class ReadError : uint8_t { None, UnexpectedEnd, TooLong, TooLarge };

inline const char* to_string(ReadError e) {
  switch (e) {
    case ReadError::None: return "no error";
    case ReadError::UnexpectedEnd: return "unexpected end";
    case ReadError::TooLong: return "integer representation too long";
    case ReadError::TooLarge: return "integer too large";
  }
  return "?";
}

class Reader {
 public:
  Reader() = default;
  // `base` is the absolute offset of `begin` (for error reporting).
  Reader(const uint8_t* begin, const uint8_t* end, size_t base = 0)
      : begin_(begin), p_(begin), end_(end), base_(base) {}

  size_t pos() const { return size_t(p_ - begin_); }         // relative
  size_t offset() const { return base_ + size_t(p_ - begin_); }  // absolute
  size_t remaining() const { return size_t(end_ - p_); }
  bool at_end() const { return p_ >= end_; }
  const uint8_t* ptr() const { return p_; }
  const uint8_t* end() const { return end_; }
  void seek(const uint8_t* p) { p_ = p; }

  ReadError error() const { return err_; }
  size_t error_offset() const { return err_off_; }
  const char* error_message() const { return to_string(err_); }
  bool failed() const { return err_ != ReadError::None; }

  bool u8(uint8_t& out) {
    if (p_ >= end_) return fail(ReadError::UnexpectedEnd, p_);
    out = *p_++;
    return true;
  }
  bool peek(uint8_t& out) const {
    if (p_ >= end_) return false;
    out = *p_;
    return true;
  }
  bool skip(size_t n) {
    if (remaining() < n) return fail(ReadError::UnexpectedEnd, end_);
    p_ += n;
    return true;
  }
  bool bytes(size_t n, const uint8_t*& out) {
    if (remaining() < n) return fail(ReadError::UnexpectedEnd, end_);
    out = p_;
    p_ += n;
    return true;
  }
  bool fixed32(uint32_t& out) {
    if (remaining() < 4) return fail(ReadError::UnexpectedEnd, end_);
    std::memcpy(&out, p_, 4);  // little-endian host assumed (x86-64, aarch64)
    p_ += 4;
    return true;
  }
  bool fixed64(uint64_t& out) {
    if (remaining() < 8) return fail(ReadError::UnexpectedEnd, end_);
    std::memcpy(&out, p_, 8);
    p_ += 8;
    return true;
  }

  bool u32(uint32_t& out) {
    if (p_ < end_ && *p_ < 0x80) { out = *p_++; return true; }  // fast path
    uint64_t v;
    if (!leb_unsigned(32, v)) return false;
    out = uint32_t(v);
    return true;
  }
  bool u64(uint64_t& out) { return leb_unsigned(64, out); }
  bool s32(int32_t& out) {
    int64_t v;
    if (!leb_signed(32, v)) return false;
    out = int32_t(v);
    return true;
  }
  bool s33(int64_t& out) { return leb_signed(33, out); }
  // LEB128 of an arbitrary bit width N in 1..64 (uN / sN in the spec).
  bool uN(unsigned bits, uint64_t& out) { return leb_unsigned(bits, out); }
  bool sN(unsigned bits, int64_t& out) { return leb_signed(bits, out); }
  bool s64(int64_t& out) { return leb_signed(64, out); }

  // Reads an opcode, including a prefixed one (0xFC/0xFD + u32 sub-opcode).
  // Returns false on a read error; an unknown sub-opcode (> 0xFF) yields
  // code 0xFFFF, which is_known_op() rejects.
  bool op(uint16_t& code) {
    uint8_t b;
    if (!u8(b)) return false;
    if (b != kPrefixFC && b != kPrefixSIMD) { code = b; return true; }
    uint32_t sub;
    if (!u32(sub)) return false;
    code = sub > 0xff ? uint16_t(0xffff) : uint16_t((b << 8) | sub);
    return true;
  }

  // Unchecked variants for already-validated code.
  uint8_t u8_unchecked() { return *p_++; }
  uint32_t u32_unchecked() {
    uint32_t r = 0;
    unsigned shift = 0;
    uint8_t b;
    do { b = *p_++; r |= uint32_t(b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    return r;
  }
  int64_t sleb_unchecked(unsigned bits) {
    uint64_t r = 0;
    unsigned shift = 0;
    uint8_t b;
    do {
      b = *p_++;
      if (shift < 64) r |= uint64_t(b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    if (shift < 64 && (b & 0x40)) r |= ~uint64_t(0) << shift;
    (void)bits;
    return int64_t(r);
  }
  int32_t s32_unchecked() { return int32_t(sleb_unchecked(32)); }
  int64_t s33_unchecked() { return sleb_unchecked(33); }
  int64_t s64_unchecked() { return sleb_unchecked(64); }
  uint32_t fixed32_unchecked() { uint32_t v; std::memcpy(&v, p_, 4); p_ += 4; return v; }
  uint64_t fixed64_unchecked() { uint64_t v; std::memcpy(&v, p_, 8); p_ += 8; return v; }
  Op op_unchecked() {
    uint8_t b = *p_++;
    if (b != kPrefixFC && b != kPrefixSIMD) return Op(b);
    return Op(uint16_t((b << 8) | u32_unchecked()));
  }

  // Record an error at absolute position `at` (first one wins).
  bool fail(ReadError e, const uint8_t* at) {
    if (err_ == ReadError::None) { err_ = e; err_off_ = base_ + size_t(at - begin_); }
    return false;
  }

 private:
  bool leb_unsigned(unsigned bits, uint64_t& out) {
    const uint8_t* start = p_;
    uint64_t r = 0;
    unsigned shift = 0;
    const unsigned max_bytes = (bits + 6) / 7;
    for (unsigned i = 0;; ++i) {
      if (p_ >= end_) return fail(ReadError::UnexpectedEnd, p_);
      uint8_t b = *p_++;
      if (i == max_bytes - 1) {
        // Last permitted byte: continuation bit means too long; unused high
        // bits must be zero.
        if (b & 0x80) { p_ = start; return fail(ReadError::TooLong, start + i); }
        unsigned used = bits - shift;  // bits available in this byte
        if (used < 7 && (b >> used) != 0) { p_ = start; return fail(ReadError::TooLarge, start + i); }
        r |= uint64_t(b) << shift;
        out = r;
        return true;
      }
      r |= uint64_t(b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80)) { out = r; return true; }
    }
  }
  bool leb_signed(unsigned bits, int64_t& out) {
    const uint8_t* start = p_;
    uint64_t r = 0;
    unsigned shift = 0;
    const unsigned max_bytes = (bits + 6) / 7;
    for (unsigned i = 0;; ++i) {
      if (p_ >= end_) return fail(ReadError::UnexpectedEnd, p_);
      uint8_t b = *p_++;
      if (i == max_bytes - 1) {
        if (b & 0x80) { p_ = start; return fail(ReadError::TooLong, start + i); }
        unsigned used = bits - shift;  // value bits in this byte (1..7)
        if (used < 7) {
          // The unused high bits must all equal the sign bit.
          int8_t sb = int8_t(b << 1) >> 1;  // sign-extend the 7-bit group
          int8_t top = int8_t(sb >> (used - 1));  // sign bit and above
          if (top != 0 && top != -1) { p_ = start; return fail(ReadError::TooLarge, start + i); }
        }
        r |= uint64_t(b & 0x7f) << shift;
        shift += 7;
        if (shift < 64 && (b & 0x40)) r |= ~uint64_t(0) << shift;
        out = int64_t(r);
        return true;
      }
      r |= uint64_t(b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80)) {
        if (shift < 64 && (b & 0x40)) r |= ~uint64_t(0) << shift;
        out = int64_t(r);
        return true;
      }
    }
  }

  const uint8_t* begin_ = nullptr;
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  size_t base_ = 0;
  ReadError err_ = ReadError::None;
  size_t err_off_ = 0;
};

}  // namespace compono::core
