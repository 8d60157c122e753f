// src/core/icode.h - the interpreter's internal instruction set.
//
// Internal to Compono.  An instruction is an 8-byte handler address (two
// 32-bit words) followed by 32-bit operands.  Slot operands ("d", "a", "b",
// "c") index 8-byte slots relative to the frame pointer; branch offsets are
// signed word offsets relative to the start of the branching instruction.
//
// Operand layouts (words after the handler address):
//   binary ops            d a b          unary ops      d a
//   binary-immediate (_I) d a imm        loads          d addr offset
//   stores                addr value offset
//   Mov d a   Const32 d imm   Const64 d lo hi   Select d a b c
//   Br off   BrIf c off   BrUnless c off   BrIf_<cmp> a b off  BrIfI_<cmp> a imm off
//   BrIfAndI a imm off / BrUnlessAndI a imm off (branch if (a & imm) != 0 / == 0)
//   BrTable idx n off[0..n] (off[n] is the default)
//   Call func argbase   CallLocal rel_target frame_size argbase func
//   CallIndirect type table idx argbase   Ret   Halt
//   Enter first count (zero slots [first, first+count)); EnterN first (count N)   Fuel
//   GlobalGet d g   GlobalSet g a   RefFunc d f   RefIsNull d a
//   MemorySize d   MemoryGrow d a   MemoryInit seg d s n   DataDrop seg
//   MemoryCopy d s n   MemoryFill d v n
//   TableGet d t i   TableSet t i v   TableSize d t   TableGrow d t init n
//   TableFill t i v n   TableCopy dt st d s n   TableInit t seg d s n   ElemDrop seg
// Memories other than memory 0 (multi-memory; memory 0 keeps the ops above):
//   LoadM d addr offset mem op   StoreM addr value offset mem op   (op = the wasm opcode)
//   MemorySizeM d mem   MemoryGrowM d a mem   MemoryFillM d v n mem
//   MemoryCopyM d s n dstmem srcmem   MemoryInitM seg d s n mem
// Exception handling:
//   Throw tag argbase (payload in argbase...)   ThrowRef a
#pragma once

#include <cstdint>

#include "core/opcodes.h"

namespace compono::core {

// Numeric instructions that map 1:1 from a wasm opcode (same name).
#define COMPONO_SIMPLE_IOPS(X)                                                          \
  X(I32Eqz) X(I32Eq) X(I32Ne) X(I32LtS) X(I32LtU) X(I32GtS) X(I32GtU) X(I32LeS)        \
  X(I32LeU) X(I32GeS) X(I32GeU) X(I64Eqz) X(I64Eq) X(I64Ne) X(I64LtS) X(I64LtU)        \
  X(I64GtS) X(I64GtU) X(I64LeS) X(I64LeU) X(I64GeS) X(I64GeU) X(F32Eq) X(F32Ne)        \
  X(F32Lt) X(F32Gt) X(F32Le) X(F32Ge) X(F64Eq) X(F64Ne) X(F64Lt) X(F64Gt) X(F64Le)     \
  X(F64Ge) X(I32Clz) X(I32Ctz) X(I32Popcnt) X(I32Add) X(I32Sub) X(I32Mul) X(I32DivS)  \
  X(I32DivU) X(I32RemS) X(I32RemU) X(I32And) X(I32Or) X(I32Xor) X(I32Shl) X(I32ShrS)   \
  X(I32ShrU) X(I32Rotl) X(I32Rotr) X(I64Clz) X(I64Ctz) X(I64Popcnt) X(I64Add)          \
  X(I64Sub) X(I64Mul) X(I64DivS) X(I64DivU) X(I64RemS) X(I64RemU) X(I64And) X(I64Or)   \
  X(I64Xor) X(I64Shl) X(I64ShrS) X(I64ShrU) X(I64Rotl) X(I64Rotr) X(F32Abs) X(F32Neg)  \
  X(F32Ceil) X(F32Floor) X(F32Trunc) X(F32Nearest) X(F32Sqrt) X(F32Add) X(F32Sub)      \
  X(F32Mul) X(F32Div) X(F32Min) X(F32Max) X(F32Copysign) X(F64Abs) X(F64Neg)           \
  X(F64Ceil) X(F64Floor) X(F64Trunc) X(F64Nearest) X(F64Sqrt) X(F64Add) X(F64Sub)      \
  X(F64Mul) X(F64Div) X(F64Min) X(F64Max) X(F64Copysign) X(I32WrapI64)                 \
  X(I32TruncF32S) X(I32TruncF32U) X(I32TruncF64S) X(I32TruncF64U) X(I64ExtendI32S)     \
  X(I64ExtendI32U) X(I64TruncF32S) X(I64TruncF32U) X(I64TruncF64S) X(I64TruncF64U)     \
  X(F32ConvertI32S) X(F32ConvertI32U) X(F32ConvertI64S) X(F32ConvertI64U)              \
  X(F32DemoteF64) X(F64ConvertI32S) X(F64ConvertI32U) X(F64ConvertI64S)                \
  X(F64ConvertI64U) X(F64PromoteF32) X(I32ReinterpretF32) X(I64ReinterpretF64)         \
  X(F32ReinterpretI32) X(F64ReinterpretI64) X(I32Extend8S) X(I32Extend16S)             \
  X(I64Extend8S) X(I64Extend16S) X(I64Extend32S) X(I32TruncSatF32S) X(I32TruncSatF32U) \
  X(I32TruncSatF64S) X(I32TruncSatF64U) X(I64TruncSatF32S) X(I64TruncSatF32U)          \
  X(I64TruncSatF64S) X(I64TruncSatF64U)                                                 \
  X(I32Load) X(I64Load) X(F32Load) X(F64Load) X(I32Load8S) X(I32Load8U) X(I32Load16S)  \
  X(I32Load16U) X(I64Load8S) X(I64Load8U) X(I64Load16S) X(I64Load16U) X(I64Load32S)    \
  X(I64Load32U) X(I32Store) X(I64Store) X(F32Store) X(F64Store) X(I32Store8)           \
  X(I32Store16) X(I64Store8) X(I64Store16) X(I64Store32)

// Binary ops with an immediate right operand (32-bit; sign-extended for i64).
#define COMPONO_IMM_IOPS(X)                                                        \
  X(I32Add) X(I32Sub) X(I32Mul) X(I32And) X(I32Or) X(I32Xor) X(I32Shl) X(I32ShrS) \
  X(I32ShrU) X(I32Eq) X(I32Ne) X(I32LtS) X(I32LtU) X(I32GtS) X(I32GtU) X(I32LeS)  \
  X(I32LeU) X(I32GeS) X(I32GeU) X(I32Rotl) X(I32Rotr) X(I64Rotl) X(I64Rotr) X(I64Add) X(I64Sub) X(I64Mul) X(I64And) X(I64Or)  \
  X(I64Xor) X(I64Shl) X(I64ShrS) X(I64ShrU) X(I64Eq) X(I64Ne) X(I64LtS) X(I64LtU) \
  X(I64GtS) X(I64GtU) X(I64LeS) X(I64LeU) X(I64GeS) X(I64GeU)

// Loads and stores with a fused `i32.add` on the address (the sum wraps at
// 32 bits before the offset is added, as in wasm).  _A: add of an
// immediate, _X: add of two slots.
//   _A loads  d base imm offset     _A stores  base value imm offset
//   _X loads  d base idx offset     _X stores  base value idx offset
#define COMPONO_MEM_IOPS(X)                                                              \
  X(I32Load) X(I64Load) X(F32Load) X(F64Load) X(I32Load8S) X(I32Load8U) X(I32Load16S)  \
  X(I32Load16U) X(I64Load8S) X(I64Load8U) X(I64Load16S) X(I64Load16U) X(I64Load32S)    \
  X(I64Load32U) X(I32Store) X(I64Store) X(F32Store) X(F64Store) X(I32Store8)           \
  X(I32Store16) X(I64Store8) X(I64Store16) X(I64Store32)

// Binary ops whose right operand is loaded from memory (the load fused into
// the op):  d a addr offset.  X(op, load)
#define COMPONO_LOADOP_IOPS(X)                                                    \
  X(I32Add, I32Load) X(I32Sub, I32Load) X(I32And, I32Load) X(I32Or, I32Load)     \
  X(I32Xor, I32Load) X(I64Add, I64Load) X(F32Add, F32Load) X(F32Sub, F32Load)    \
  X(F32Mul, F32Load) X(F64Add, F64Load) X(F64Sub, F64Load) X(F64Mul, F64Load)    \
  X(F64Div, F64Load)

// Compare-and-branch fusions (i32 compares).
#define COMPONO_BRCMP_IOPS(X) \
  X(I32Eq) X(I32Ne) X(I32LtS) X(I32LtU) X(I32GtS) X(I32GtU) X(I32LeS) X(I32LeU) X(I32GeS) X(I32GeU)

#define COMPONO_CONTROL_IOPS(X)                                                            \
  X(Unreachable) X(Halt) X(Br) X(BrIf) X(BrUnless) X(BrTable) X(Call) X(CallIndirect)     \
  X(Ret) X(Enter) X(Fuel) X(Mov) X(Const32) X(Const64) X(Select) X(GlobalGet)             \
  X(GlobalSet) X(RefFunc) X(RefIsNull) X(MemorySize) X(MemoryGrow) X(MemoryInit)          \
  X(DataDrop) X(MemoryCopy) X(MemoryFill) X(TableGet) X(TableSet) X(TableSize)            \
  X(TableGrow) X(TableFill) X(TableCopy) X(TableInit) X(ElemDrop) X(CallHost) X(CallLocal) X(Enter1) X(Enter2) X(Enter3) X(Enter4) \
  X(BrIfAndI) X(BrUnlessAndI)          \
  X(CallIndirectHost)                                                                       \
  X(LoadM) X(StoreM) X(MemorySizeM) X(MemoryGrowM) X(MemoryFillM) X(MemoryCopyM) X(MemoryInitM) \
  X(Throw) X(ThrowRef)

enum class IOp : uint16_t {
#define COMPONO_IOP_PLAIN_(n) n,
#define COMPONO_IOP_IMM_(n) n##_I,
#define COMPONO_IOP_BR_(n) BrIf_##n, BrIfI_##n,
#define COMPONO_IOP_MEM_(n) n##_A, n##_X,
#define COMPONO_IOP_LOP_(n, l) n##_L,
  COMPONO_CONTROL_IOPS(COMPONO_IOP_PLAIN_)
  COMPONO_SIMPLE_IOPS(COMPONO_IOP_PLAIN_)
  COMPONO_IMM_IOPS(COMPONO_IOP_IMM_)
  COMPONO_BRCMP_IOPS(COMPONO_IOP_BR_)
  COMPONO_MEM_IOPS(COMPONO_IOP_MEM_)
  COMPONO_LOADOP_IOPS(COMPONO_IOP_LOP_)
#undef COMPONO_IOP_LOP_
#undef COMPONO_IOP_MEM_
#undef COMPONO_IOP_PLAIN_
#undef COMPONO_IOP_IMM_
#undef COMPONO_IOP_BR_
  Count
};

// Handler address of each IOp (index = IOp), filled by the interpreter.
const void* const* handler_table();

}  // namespace compono::core
