// src/core/interp_handlers.h - the interpreter's instruction handlers.
//
// Internal to interp.cpp, which includes this file once: at namespace scope
// when handlers are tail-calling functions (clang), or inside the body of
// the dispatch function when they are labels (computed goto, g++).  Every
// handler ends in NEXT(n) (advance n words and dispatch), DISPATCH()
// (ip already set), TRAP(kind) or a return.  Operand layouts: icode.h.
// NOLINTBEGIN

// ---- control ---------------------------------------------------------------
HANDLER(Unreachable) { TRAP(Unreachable); }
HANDLER(Halt) { return 0; }
HANDLER(Br) { ip += int32_t(I(0)); DISPATCH(); }
HANDLER(BrIf) {
  if (U32(0)) { ip += int32_t(I(1)); DISPATCH(); }
  NEXT(4);
}
HANDLER(BrUnless) {
  if (!U32(0)) { ip += int32_t(I(1)); DISPATCH(); }
  NEXT(4);
}
HANDLER(BrTable) {
  uint32_t i = U32(0), n = I(1);
  if (i > n) i = n;
  ip += int32_t(ip[4 + i]);
  DISPATCH();
}
HANDLER(Call) {
  FuncInst* f = ctx->inst->funcs[I(0)];
  Slot* nfp = fp + I(1);
  if (COMPONO_UNLIKELY(f->code == nullptr)) JUMP_TO(CallHost);
  if (COMPONO_UNLIKELY(nfp + f->frame_size > ctx->stack_end || ctx->fsp + 1 >= ctx->fend)) TRAP(StackExhausted);
  Frame* fr = ++ctx->fsp;
  fr->ret_ip = ip + 4;
  fr->ret_fp = fp;
  fr->caller_inst = ctx->inst;
  fr->func_index = f->index;
  InstanceInst* in = f->inst;
  if (in != ctx->inst) {
    ctx->inst = in;
    mem = in->mem->data;
    memsize = in->mem->size;
  }
  ip = f->code;
  fp = nfp;
  DISPATCH();
}
// Call of a function defined in the same module: the callee's code and
// frame size were resolved at translation time.
HANDLER(CallLocal) {
  Slot* nfp = fp + I(2);
  if (COMPONO_UNLIKELY(nfp + I(1) > ctx->stack_end || ctx->fsp + 1 >= ctx->fend)) TRAP(StackExhausted);
  Frame* fr = ++ctx->fsp;
  fr->ret_ip = ip + 6;
  fr->ret_fp = fp;
  fr->caller_inst = ctx->inst;
  fr->func_index = I(3);
  fp = nfp;
  ip += int32_t(I(0));
  DISPATCH();
}
HANDLER(CallIndirect) {
  TableInst* t = ctx->inst->tables[I(1)];
  uint32_t idx = U32(2);
  if (COMPONO_UNLIKELY(idx >= t->elems.size())) TRAP(UndefinedElement);
  FuncInst* f = reinterpret_cast<FuncInst*>(uintptr_t(t->elems[idx]));
  if (COMPONO_UNLIKELY(f == nullptr)) {
    ctx->trap_arg = idx;
    TRAP(UninitializedElement);
  }
  if (COMPONO_UNLIKELY(f->type_id != ctx->inst->type_ids[I(0)])) TRAP(IndirectTypeMismatch);
  Slot* nfp = fp + I(3);
  if (COMPONO_UNLIKELY(f->code == nullptr)) JUMP_TO(CallIndirectHost);
  if (COMPONO_UNLIKELY(nfp + f->frame_size > ctx->stack_end || ctx->fsp + 1 >= ctx->fend)) TRAP(StackExhausted);
  Frame* fr = ++ctx->fsp;
  fr->ret_ip = ip + 6;
  fr->ret_fp = fp;
  fr->caller_inst = ctx->inst;
  fr->func_index = f->index;
  InstanceInst* in = f->inst;
  if (in != ctx->inst) {
    ctx->inst = in;
    mem = in->mem->data;
    memsize = in->mem->size;
  }
  ip = f->code;
  fp = nfp;
  DISPATCH();
}
// Host callees (out of the fast path so the wasm call stays lean).
HANDLER(CallHost) {
  intptr_t st = call_host(ctx, ctx->inst->funcs[I(0)], fp + I(1));
  if (st) return st;
  mem = ctx->inst->mem->data;
  memsize = ctx->inst->mem->size;
  NEXT(4);
}
HANDLER(CallIndirectHost) {
  TableInst* t = ctx->inst->tables[I(1)];
  FuncInst* f = reinterpret_cast<FuncInst*>(uintptr_t(t->elems[U32(2)]));
  intptr_t st = call_host(ctx, f, fp + I(3));
  if (st) return st;
  mem = ctx->inst->mem->data;
  memsize = ctx->inst->mem->size;
  NEXT(6);
}
HANDLER(Ret) {
  Frame* f = ctx->fsp;
  ip = f->ret_ip;
  fp = f->ret_fp;
  ctx->fsp = f - 1;
  InstanceInst* in = f->caller_inst;
  ctx->inst = in;
  mem = in->mem->data;
  memsize = in->mem->size;
  DISPATCH();
}
HANDLER(Enter) {
  Slot* p = fp + I(0);
  // (A plain loop; the empty asm keeps compilers from calling memset for
  // the usual handful of locals.)
  for (uint32_t k = 0, n = I(1); k < n; ++k) {
    p[k] = 0;
    __asm__("" : : "r"(p + k));
  }
  NEXT(4);
}
HANDLER(Enter1) { fp[I(0)] = 0; NEXT(3); }
HANDLER(Enter2) { Slot* p = fp + I(0); p[0] = 0; p[1] = 0; NEXT(3); }
HANDLER(Enter3) { Slot* p = fp + I(0); p[0] = 0; p[1] = 0; p[2] = 0; NEXT(3); }
HANDLER(Enter4) { Slot* p = fp + I(0); p[0] = 0; p[1] = 0; p[2] = 0; p[3] = 0; NEXT(3); }
HANDLER(Fuel) {
  if (COMPONO_UNLIKELY(ctx->fuel == 0)) TRAP(OutOfFuel);
  ctx->fuel--;
  NEXT(2);
}
HANDLER(Mov) { R(0) = R(1); NEXT(4); }
HANDLER(Const32) { R(0) = I(1); NEXT(4); }
HANDLER(Const64) { R(0) = uint64_t(I(1)) | (uint64_t(I(2)) << 32); NEXT(5); }
HANDLER(Select) { R(0) = U32(3) ? R(1) : R(2); NEXT(6); }
HANDLER(GlobalGet) { R(0) = ctx->inst->globals[I(1)]->value; NEXT(4); }
HANDLER(GlobalSet) { ctx->inst->globals[I(0)]->value = R(1); NEXT(4); }
HANDLER(RefFunc) { R(0) = Slot(uintptr_t(ctx->inst->funcs[I(1)])); NEXT(4); }
HANDLER(RefIsNull) { R(0) = R(1) == 0 ? 1 : 0; NEXT(4); }

// ---- memory ----------------------------------------------------------------
HANDLER(MemorySize) { R(0) = memsize >> 16; NEXT(3); }
HANDLER(MemoryGrow) {
  int64_t r = ctx->inst->mem->grow(U32(1));
  mem = ctx->inst->mem->data;
  memsize = ctx->inst->mem->size;
  SET_I32(0, uint32_t(int32_t(r)));
  NEXT(4);
}
HANDLER(MemoryInit) {
  TrapKind k = memory_init(*ctx->inst, 0, I(0), U32(1), U32(2), U32(3));
  if (k != TrapKind::None) return trap_out(ctx, k);
  NEXT(6);
}
HANDLER(DataDrop) { ctx->inst->datas[I(0)] = {}; NEXT(3); }
HANDLER(MemoryCopy) {
  uint64_t d = U32(0), s = U32(1), n = U32(2);
  if (COMPONO_UNLIKELY(d + n > memsize || s + n > memsize)) TRAP(MemoryOOB);
  if (n) std::memmove(mem + d, mem + s, n);
  NEXT(5);
}
HANDLER(MemoryFill) {
  uint64_t d = U32(0), n = U32(2);
  if (COMPONO_UNLIKELY(d + n > memsize)) TRAP(MemoryOOB);
  if (n) std::memset(mem + d, int(uint8_t(U32(1))), n);
  NEXT(5);
}

#define COMPONO_LOAD(name, T, conv)                                  \
  HANDLER(name) {                                                    \
    uint64_t ea = uint64_t(U32(1)) + I(2);                           \
    if (COMPONO_UNLIKELY(ea + sizeof(T) > memsize)) TRAP(MemoryOOB); \
    T v;                                                             \
    std::memcpy(&v, mem + ea, sizeof(T));                            \
    R(0) = conv;                                                     \
    NEXT(5);                                                         \
  }                                                                  \
  HANDLER(name##_A) {                                                \
    uint64_t ea = uint64_t(uint32_t(U32(1) + I(2))) + I(3);          \
    if (COMPONO_UNLIKELY(ea + sizeof(T) > memsize)) TRAP(MemoryOOB); \
    T v;                                                             \
    std::memcpy(&v, mem + ea, sizeof(T));                            \
    R(0) = conv;                                                     \
    NEXT(6);                                                         \
  }                                                                  \
  HANDLER(name##_X) {                                                \
    uint64_t ea = uint64_t(uint32_t(U32(1) + U32(2))) + I(3);        \
    if (COMPONO_UNLIKELY(ea + sizeof(T) > memsize)) TRAP(MemoryOOB); \
    T v;                                                             \
    std::memcpy(&v, mem + ea, sizeof(T));                            \
    R(0) = conv;                                                     \
    NEXT(6);                                                         \
  }
COMPONO_LOAD(I32Load, uint32_t, uint64_t(v))
COMPONO_LOAD(I64Load, uint64_t, v)
COMPONO_LOAD(F32Load, uint32_t, uint64_t(v))
COMPONO_LOAD(F64Load, uint64_t, v)
COMPONO_LOAD(I32Load8S, int8_t, uint64_t(uint32_t(int32_t(v))))
COMPONO_LOAD(I32Load8U, uint8_t, uint64_t(v))
COMPONO_LOAD(I32Load16S, int16_t, uint64_t(uint32_t(int32_t(v))))
COMPONO_LOAD(I32Load16U, uint16_t, uint64_t(v))
COMPONO_LOAD(I64Load8S, int8_t, uint64_t(int64_t(v)))
COMPONO_LOAD(I64Load8U, uint8_t, uint64_t(v))
COMPONO_LOAD(I64Load16S, int16_t, uint64_t(int64_t(v)))
COMPONO_LOAD(I64Load16U, uint16_t, uint64_t(v))
COMPONO_LOAD(I64Load32S, int32_t, uint64_t(int64_t(v)))
COMPONO_LOAD(I64Load32U, uint32_t, uint64_t(v))
#undef COMPONO_LOAD

#define COMPONO_STORE(name, T)                                       \
  HANDLER(name) {                                                    \
    uint64_t ea = uint64_t(U32(0)) + I(2);                           \
    if (COMPONO_UNLIKELY(ea + sizeof(T) > memsize)) TRAP(MemoryOOB); \
    T v = T(R(1));                                                   \
    std::memcpy(mem + ea, &v, sizeof(T));                            \
    NEXT(5);                                                         \
  }                                                                  \
  HANDLER(name##_A) {                                                \
    uint64_t ea = uint64_t(uint32_t(U32(0) + I(2))) + I(3);          \
    if (COMPONO_UNLIKELY(ea + sizeof(T) > memsize)) TRAP(MemoryOOB); \
    T v = T(R(1));                                                   \
    std::memcpy(mem + ea, &v, sizeof(T));                            \
    NEXT(6);                                                         \
  }                                                                  \
  HANDLER(name##_X) {                                                \
    uint64_t ea = uint64_t(uint32_t(U32(0) + U32(2))) + I(3);        \
    if (COMPONO_UNLIKELY(ea + sizeof(T) > memsize)) TRAP(MemoryOOB); \
    T v = T(R(1));                                                   \
    std::memcpy(mem + ea, &v, sizeof(T));                            \
    NEXT(6);                                                         \
  }
COMPONO_STORE(I32Store, uint32_t)
COMPONO_STORE(I64Store, uint64_t)
COMPONO_STORE(F32Store, uint32_t)
COMPONO_STORE(F64Store, uint64_t)
COMPONO_STORE(I32Store8, uint8_t)
COMPONO_STORE(I32Store16, uint16_t)
COMPONO_STORE(I64Store8, uint8_t)
COMPONO_STORE(I64Store16, uint16_t)
COMPONO_STORE(I64Store32, uint32_t)
#undef COMPONO_STORE

// ---- tables ----------------------------------------------------------------
HANDLER(TableGet) {
  TableInst* t = ctx->inst->tables[I(1)];
  uint32_t i = U32(2);
  if (COMPONO_UNLIKELY(i >= t->elems.size())) TRAP(TableOOB);
  R(0) = t->elems[i];
  NEXT(5);
}
HANDLER(TableSet) {
  TableInst* t = ctx->inst->tables[I(0)];
  uint32_t i = U32(1);
  if (COMPONO_UNLIKELY(i >= t->elems.size())) TRAP(TableOOB);
  t->elems[i] = R(2);
  NEXT(5);
}
HANDLER(TableSize) { R(0) = uint64_t(ctx->inst->tables[I(1)]->elems.size()); NEXT(4); }
HANDLER(TableGrow) {
  int64_t r = ctx->inst->tables[I(1)]->grow(U32(3), R(2));
  SET_I32(0, uint32_t(int32_t(r)));
  NEXT(6);
}
HANDLER(TableFill) {
  TableInst* t = ctx->inst->tables[I(0)];
  uint64_t i = U32(1), n = U32(3);
  if (COMPONO_UNLIKELY(i + n > t->elems.size())) TRAP(TableOOB);
  Slot v = R(2);
  for (uint64_t k = 0; k < n; ++k) t->elems[i + k] = v;
  NEXT(6);
}
HANDLER(TableCopy) {
  TableInst* dt = ctx->inst->tables[I(0)];
  TableInst* st = ctx->inst->tables[I(1)];
  uint64_t d = U32(2), s = U32(3), n = U32(4);
  if (COMPONO_UNLIKELY(d + n > dt->elems.size() || s + n > st->elems.size())) TRAP(TableOOB);
  if (n) std::memmove(dt->elems.data() + d, st->elems.data() + s, n * sizeof(Slot));
  NEXT(7);
}
HANDLER(TableInit) {
  TrapKind k = table_init(*ctx->inst, I(0), I(1), U32(2), U32(3), U32(4));
  if (k != TrapKind::None) return trap_out(ctx, k);
  NEXT(7);
}
HANDLER(ElemDrop) { ctx->inst->elems[I(0)] = {}; NEXT(3); }

// ---- numeric -----------------------------------------------------------------
// i32 binary: a, b are uint32_t.
#define COMPONO_B32(name, expr) \
  HANDLER(name) { uint32_t a = U32(1), b = U32(2); SET_I32(0, (expr)); NEXT(5); }
#define COMPONO_B32I(name, expr)                                            \
  HANDLER(name) { uint32_t a = U32(1), b = U32(2); SET_I32(0, (expr)); NEXT(5); } \
  HANDLER(name##_I) { uint32_t a = U32(1), b = I(2); SET_I32(0, (expr)); NEXT(5); }
#define COMPONO_B64(name, expr) \
  HANDLER(name) { uint64_t a = U64(1), b = U64(2); SET_I64(0, (expr)); NEXT(5); }
#define COMPONO_B64I(name, expr)                                            \
  HANDLER(name) { uint64_t a = U64(1), b = U64(2); SET_I64(0, (expr)); NEXT(5); } \
  HANDLER(name##_I) { uint64_t a = U64(1), b = uint64_t(int64_t(int32_t(I(2)))); SET_I64(0, (expr)); NEXT(5); }

COMPONO_B32I(I32Add, a + b)
COMPONO_B32I(I32Sub, a - b)
COMPONO_B32I(I32Mul, a * b)
COMPONO_B32I(I32And, a & b)
COMPONO_B32I(I32Or, a | b)
COMPONO_B32I(I32Xor, a ^ b)
COMPONO_B32I(I32Shl, a << (b & 31))
COMPONO_B32I(I32ShrS, uint32_t(int32_t(a) >> (b & 31)))
COMPONO_B32I(I32ShrU, a >> (b & 31))
COMPONO_B32I(I32Rotl, std::rotl(a, int(b & 31)))
COMPONO_B32I(I32Rotr, std::rotr(a, int(b & 31)))
COMPONO_B32I(I32Eq, a == b)
COMPONO_B32I(I32Ne, a != b)
COMPONO_B32I(I32LtS, int32_t(a) < int32_t(b))
COMPONO_B32I(I32LtU, a < b)
COMPONO_B32I(I32GtS, int32_t(a) > int32_t(b))
COMPONO_B32I(I32GtU, a > b)
COMPONO_B32I(I32LeS, int32_t(a) <= int32_t(b))
COMPONO_B32I(I32LeU, a <= b)
COMPONO_B32I(I32GeS, int32_t(a) >= int32_t(b))
COMPONO_B32I(I32GeU, a >= b)
COMPONO_B64I(I64Add, a + b)
COMPONO_B64I(I64Sub, a - b)
COMPONO_B64I(I64Mul, a * b)
COMPONO_B64I(I64And, a & b)
COMPONO_B64I(I64Or, a | b)
COMPONO_B64I(I64Xor, a ^ b)
COMPONO_B64I(I64Shl, a << (b & 63))
COMPONO_B64I(I64ShrS, uint64_t(int64_t(a) >> (b & 63)))
COMPONO_B64I(I64ShrU, a >> (b & 63))
COMPONO_B64I(I64Rotl, std::rotl(a, int(b & 63)))
COMPONO_B64I(I64Rotr, std::rotr(a, int(b & 63)))
COMPONO_B64I(I64Eq, uint64_t(a == b))
COMPONO_B64I(I64Ne, uint64_t(a != b))
COMPONO_B64I(I64LtS, uint64_t(int64_t(a) < int64_t(b)))
COMPONO_B64I(I64LtU, uint64_t(a < b))
COMPONO_B64I(I64GtS, uint64_t(int64_t(a) > int64_t(b)))
COMPONO_B64I(I64GtU, uint64_t(a > b))
COMPONO_B64I(I64LeS, uint64_t(int64_t(a) <= int64_t(b)))
COMPONO_B64I(I64LeU, uint64_t(a <= b))
COMPONO_B64I(I64GeS, uint64_t(int64_t(a) >= int64_t(b)))
COMPONO_B64I(I64GeU, uint64_t(a >= b))

HANDLER(I32DivS) {
  int32_t a = S32(1), b = S32(2);
  if (COMPONO_UNLIKELY(b == 0)) TRAP(DivByZero);
  if (COMPONO_UNLIKELY(a == INT32_MIN && b == -1)) TRAP(IntOverflow);
  SET_I32(0, uint32_t(a / b));
  NEXT(5);
}
HANDLER(I32DivU) {
  uint32_t a = U32(1), b = U32(2);
  if (COMPONO_UNLIKELY(b == 0)) TRAP(DivByZero);
  SET_I32(0, a / b);
  NEXT(5);
}
HANDLER(I32RemS) {
  int32_t a = S32(1), b = S32(2);
  if (COMPONO_UNLIKELY(b == 0)) TRAP(DivByZero);
  SET_I32(0, b == -1 ? 0u : uint32_t(a % b));
  NEXT(5);
}
HANDLER(I32RemU) {
  uint32_t a = U32(1), b = U32(2);
  if (COMPONO_UNLIKELY(b == 0)) TRAP(DivByZero);
  SET_I32(0, a % b);
  NEXT(5);
}
HANDLER(I64DivS) {
  int64_t a = S64(1), b = S64(2);
  if (COMPONO_UNLIKELY(b == 0)) TRAP(DivByZero);
  if (COMPONO_UNLIKELY(a == INT64_MIN && b == -1)) TRAP(IntOverflow);
  SET_I64(0, uint64_t(a / b));
  NEXT(5);
}
HANDLER(I64DivU) {
  uint64_t a = U64(1), b = U64(2);
  if (COMPONO_UNLIKELY(b == 0)) TRAP(DivByZero);
  SET_I64(0, a / b);
  NEXT(5);
}
HANDLER(I64RemS) {
  int64_t a = S64(1), b = S64(2);
  if (COMPONO_UNLIKELY(b == 0)) TRAP(DivByZero);
  SET_I64(0, b == -1 ? uint64_t(0) : uint64_t(a % b));
  NEXT(5);
}
HANDLER(I64RemU) {
  uint64_t a = U64(1), b = U64(2);
  if (COMPONO_UNLIKELY(b == 0)) TRAP(DivByZero);
  SET_I64(0, a % b);
  NEXT(5);
}

#define COMPONO_U32(name, expr) HANDLER(name) { uint32_t a = U32(1); SET_I32(0, (expr)); NEXT(4); }
#define COMPONO_U64(name, expr) HANDLER(name) { uint64_t a = U64(1); SET_I64(0, (expr)); NEXT(4); }
COMPONO_U32(I32Eqz, a == 0)
COMPONO_U32(I32Clz, uint32_t(std::countl_zero(a)))
COMPONO_U32(I32Ctz, uint32_t(std::countr_zero(a)))
COMPONO_U32(I32Popcnt, uint32_t(std::popcount(a)))
COMPONO_U32(I32Extend8S, uint32_t(int32_t(int8_t(a))))
COMPONO_U32(I32Extend16S, uint32_t(int32_t(int16_t(a))))
COMPONO_U64(I64Eqz, uint64_t(a == 0))
COMPONO_U64(I64Clz, uint64_t(std::countl_zero(a)))
COMPONO_U64(I64Ctz, uint64_t(std::countr_zero(a)))
COMPONO_U64(I64Popcnt, uint64_t(std::popcount(a)))
COMPONO_U64(I64Extend8S, uint64_t(int64_t(int8_t(a))))
COMPONO_U64(I64Extend16S, uint64_t(int64_t(int16_t(a))))
COMPONO_U64(I64Extend32S, uint64_t(int64_t(int32_t(a))))
COMPONO_U64(I32WrapI64, uint64_t(uint32_t(a)))
COMPONO_U64(I64ExtendI32S, uint64_t(int64_t(int32_t(uint32_t(a)))))
COMPONO_U64(I64ExtendI32U, uint64_t(uint32_t(a)))
COMPONO_U64(I32ReinterpretF32, uint64_t(uint32_t(a)))
COMPONO_U64(I64ReinterpretF64, a)
COMPONO_U64(F32ReinterpretI32, uint64_t(uint32_t(a)))
COMPONO_U64(F64ReinterpretI64, a)

// Floats: slots hold raw bits.
#define COMPONO_FB32(name, expr) HANDLER(name) { float a = F32(1), b = F32(2); SET_F32(0, (expr)); NEXT(5); }
#define COMPONO_FB64(name, expr) HANDLER(name) { double a = F64(1), b = F64(2); SET_F64(0, (expr)); NEXT(5); }
#define COMPONO_FC32(name, expr) HANDLER(name) { float a = F32(1), b = F32(2); SET_I32(0, uint32_t(expr)); NEXT(5); }
#define COMPONO_FC64(name, expr) HANDLER(name) { double a = F64(1), b = F64(2); SET_I32(0, uint32_t(expr)); NEXT(5); }
#define COMPONO_FU32(name, expr) HANDLER(name) { float a = F32(1); SET_F32(0, (expr)); NEXT(4); }
#define COMPONO_FU64(name, expr) HANDLER(name) { double a = F64(1); SET_F64(0, (expr)); NEXT(4); }
COMPONO_FB32(F32Add, a + b)
COMPONO_FB32(F32Sub, a - b)
COMPONO_FB32(F32Mul, a * b)
COMPONO_FB32(F32Div, a / b)
COMPONO_FB32(F32Min, wasm_fmin(a, b))
COMPONO_FB32(F32Max, wasm_fmax(a, b))
COMPONO_FB64(F64Add, a + b)
COMPONO_FB64(F64Sub, a - b)
COMPONO_FB64(F64Mul, a * b)
COMPONO_FB64(F64Div, a / b)
COMPONO_FB64(F64Min, wasm_fmin(a, b))
COMPONO_FB64(F64Max, wasm_fmax(a, b))
COMPONO_FC32(F32Eq, a == b)
COMPONO_FC32(F32Ne, a != b)
COMPONO_FC32(F32Lt, a < b)
COMPONO_FC32(F32Gt, a > b)
COMPONO_FC32(F32Le, a <= b)
COMPONO_FC32(F32Ge, a >= b)
COMPONO_FC64(F64Eq, a == b)
COMPONO_FC64(F64Ne, a != b)
COMPONO_FC64(F64Lt, a < b)
COMPONO_FC64(F64Gt, a > b)
COMPONO_FC64(F64Le, a <= b)
COMPONO_FC64(F64Ge, a >= b)
// glibc's ceil/floor/trunc return a signalling NaN unchanged (clang inlines
// roundss, which quiets it); wasm requires an arithmetic NaN, so quiet it: a + a.
COMPONO_FU32(F32Ceil, a != a ? a + a : std::ceil(a))
COMPONO_FU32(F32Floor, a != a ? a + a : std::floor(a))
COMPONO_FU32(F32Trunc, a != a ? a + a : std::trunc(a))
COMPONO_FU32(F32Nearest, std::nearbyint(a))
COMPONO_FU32(F32Sqrt, std::sqrt(a))
COMPONO_FU64(F64Ceil, a != a ? a + a : std::ceil(a))
COMPONO_FU64(F64Floor, a != a ? a + a : std::floor(a))
COMPONO_FU64(F64Trunc, a != a ? a + a : std::trunc(a))
COMPONO_FU64(F64Nearest, std::nearbyint(a))
COMPONO_FU64(F64Sqrt, std::sqrt(a))
HANDLER(F32Abs) { R(0) = R(1) & 0x7fffffffull; NEXT(4); }
HANDLER(F32Neg) { R(0) = (R(1) ^ 0x80000000ull) & 0xffffffffull; NEXT(4); }
HANDLER(F64Abs) { R(0) = R(1) & 0x7fffffffffffffffull; NEXT(4); }
HANDLER(F64Neg) { R(0) = R(1) ^ 0x8000000000000000ull; NEXT(4); }
HANDLER(F32Copysign) { R(0) = (R(1) & 0x7fffffffull) | (R(2) & 0x80000000ull); NEXT(5); }
HANDLER(F64Copysign) { R(0) = (R(1) & 0x7fffffffffffffffull) | (R(2) & 0x8000000000000000ull); NEXT(5); }

// Conversions.
#define COMPONO_TRUNC(name, In, Out, GET, lo_ok, hi_ok, SET) \
  HANDLER(name) {                                            \
    In a = GET(1);                                           \
    if (COMPONO_UNLIKELY(a != a)) TRAP(InvalidConversion);   \
    if (COMPONO_UNLIKELY(!(lo_ok) || !(hi_ok))) TRAP(IntOverflow); \
    SET(0, Out(a));                                          \
    NEXT(4);                                                 \
  }
COMPONO_TRUNC(I32TruncF32S, float, int32_t, F32, a >= -2147483648.0f, a < 2147483648.0f, SET_I32)
COMPONO_TRUNC(I32TruncF32U, float, uint32_t, F32, a > -1.0f, a < 4294967296.0f, SET_I32)
COMPONO_TRUNC(I32TruncF64S, double, int32_t, F64, a > -2147483649.0, a < 2147483648.0, SET_I32)
COMPONO_TRUNC(I32TruncF64U, double, uint32_t, F64, a > -1.0, a < 4294967296.0, SET_I32)
COMPONO_TRUNC(I64TruncF32S, float, int64_t, F32, a >= -9223372036854775808.0f, a < 9223372036854775808.0f, SET_I64)
COMPONO_TRUNC(I64TruncF32U, float, uint64_t, F32, a > -1.0f, a < 18446744073709551616.0f, SET_I64)
COMPONO_TRUNC(I64TruncF64S, double, int64_t, F64, a >= -9223372036854775808.0, a < 9223372036854775808.0, SET_I64)
COMPONO_TRUNC(I64TruncF64U, double, uint64_t, F64, a > -1.0, a < 18446744073709551616.0, SET_I64)
#undef COMPONO_TRUNC
HANDLER(I32TruncSatF32S) { SET_I32(0, uint32_t(sat_trunc<int32_t>(double(F32(1))))); NEXT(4); }
HANDLER(I32TruncSatF32U) { SET_I32(0, sat_trunc<uint32_t>(double(F32(1)))); NEXT(4); }
HANDLER(I32TruncSatF64S) { SET_I32(0, uint32_t(sat_trunc<int32_t>(F64(1)))); NEXT(4); }
HANDLER(I32TruncSatF64U) { SET_I32(0, sat_trunc<uint32_t>(F64(1))); NEXT(4); }
HANDLER(I64TruncSatF32S) { SET_I64(0, uint64_t(sat_trunc<int64_t>(double(F32(1))))); NEXT(4); }
HANDLER(I64TruncSatF32U) { SET_I64(0, sat_trunc<uint64_t>(double(F32(1)))); NEXT(4); }
HANDLER(I64TruncSatF64S) { SET_I64(0, uint64_t(sat_trunc<int64_t>(F64(1)))); NEXT(4); }
HANDLER(I64TruncSatF64U) { SET_I64(0, sat_trunc<uint64_t>(F64(1))); NEXT(4); }
HANDLER(F32ConvertI32S) { SET_F32(0, float(S32(1))); NEXT(4); }
HANDLER(F32ConvertI32U) { SET_F32(0, float(U32(1))); NEXT(4); }
HANDLER(F32ConvertI64S) { SET_F32(0, float(S64(1))); NEXT(4); }
HANDLER(F32ConvertI64U) { SET_F32(0, float(U64(1))); NEXT(4); }
HANDLER(F32DemoteF64) { SET_F32(0, float(F64(1))); NEXT(4); }
HANDLER(F64ConvertI32S) { SET_F64(0, double(S32(1))); NEXT(4); }
HANDLER(F64ConvertI32U) { SET_F64(0, double(U32(1))); NEXT(4); }
HANDLER(F64ConvertI64S) { SET_F64(0, double(S64(1))); NEXT(4); }
HANDLER(F64ConvertI64U) { SET_F64(0, double(U64(1))); NEXT(4); }
HANDLER(F64PromoteF32) { SET_F64(0, double(F32(1))); NEXT(4); }

// Binary op with the right operand loaded from memory: d a addr offset.
#define COMPONO_LOP(name, T, A, SET, expr)                           \
  HANDLER(name##_L) {                                                \
    uint64_t ea = uint64_t(U32(2)) + I(3);                           \
    if (COMPONO_UNLIKELY(ea + sizeof(T) > memsize)) TRAP(MemoryOOB); \
    T b;                                                             \
    std::memcpy(&b, mem + ea, sizeof(T));                            \
    T a = A(1);                                                      \
    SET(0, (expr));                                                  \
    NEXT(6);                                                         \
  }
COMPONO_LOP(I32Add, uint32_t, U32, SET_I32, a + b)
COMPONO_LOP(I32Sub, uint32_t, U32, SET_I32, a - b)
COMPONO_LOP(I32And, uint32_t, U32, SET_I32, a & b)
COMPONO_LOP(I32Or, uint32_t, U32, SET_I32, a | b)
COMPONO_LOP(I32Xor, uint32_t, U32, SET_I32, a ^ b)
COMPONO_LOP(I64Add, uint64_t, U64, SET_I64, a + b)
COMPONO_LOP(F32Add, float, F32, SET_F32, a + b)
COMPONO_LOP(F32Sub, float, F32, SET_F32, a - b)
COMPONO_LOP(F32Mul, float, F32, SET_F32, a * b)
COMPONO_LOP(F64Add, double, F64, SET_F64, a + b)
COMPONO_LOP(F64Sub, double, F64, SET_F64, a - b)
COMPONO_LOP(F64Mul, double, F64, SET_F64, a * b)
COMPONO_LOP(F64Div, double, F64, SET_F64, a / b)
#undef COMPONO_LOP

// Fused compare-and-branch: a b off (or a imm off).
#define COMPONO_BRC(name, expr)                                                           \
  HANDLER(BrIf_##name) {                                                                  \
    uint32_t a = U32(0), b = U32(1);                                                      \
    if (expr) { ip += int32_t(I(2)); DISPATCH(); }                                        \
    NEXT(5);                                                                              \
  }                                                                                       \
  HANDLER(BrIfI_##name) {                                                                 \
    uint32_t a = U32(0), b = I(1);                                                        \
    if (expr) { ip += int32_t(I(2)); DISPATCH(); }                                        \
    NEXT(5);                                                                              \
  }
COMPONO_BRC(I32Eq, a == b)
COMPONO_BRC(I32Ne, a != b)
COMPONO_BRC(I32LtS, int32_t(a) < int32_t(b))
COMPONO_BRC(I32LtU, a < b)
COMPONO_BRC(I32GtS, int32_t(a) > int32_t(b))
COMPONO_BRC(I32GtU, a > b)
COMPONO_BRC(I32LeS, int32_t(a) <= int32_t(b))
COMPONO_BRC(I32LeU, a <= b)
COMPONO_BRC(I32GeS, int32_t(a) >= int32_t(b))
COMPONO_BRC(I32GeU, a >= b)
#undef COMPONO_BRC
// Bit tests: a imm off.
HANDLER(BrIfAndI) {
  if (U32(0) & I(1)) { ip += int32_t(I(2)); DISPATCH(); }
  NEXT(5);
}
HANDLER(BrUnlessAndI) {
  if (!(U32(0) & I(1))) { ip += int32_t(I(2)); DISPATCH(); }
  NEXT(5);
}
// (The handlers below are placed last so that adding them left the code
// layout of every handler above unchanged: threaded dispatch is sensitive
// to it.)

// ---- memories other than memory 0 (multi-memory) ---------------------------
// Out of line so the memory-0 handlers above stay exactly as they are.
// (A memory N may be the same MemoryInst as memory 0, so whatever may
// change memory 0's base or size reloads mem/memsize.)
HANDLER(LoadM) {
  Slot v;
  if (COMPONO_UNLIKELY(!load_m(ctx->inst->mems[I(3)], uint64_t(U32(1)) + I(2), I(4), v))) TRAP(MemoryOOB);
  R(0) = v;
  NEXT(7);
}
HANDLER(StoreM) {
  if (COMPONO_UNLIKELY(!store_m(ctx->inst->mems[I(3)], uint64_t(U32(0)) + I(2), I(4), R(1)))) TRAP(MemoryOOB);
  NEXT(7);
}
HANDLER(MemorySizeM) { R(0) = ctx->inst->mems[I(1)]->size >> 16; NEXT(4); }
HANDLER(MemoryGrowM) {
  int64_t r = ctx->inst->mems[I(2)]->grow(U32(1));
  mem = ctx->inst->mem->data;
  memsize = ctx->inst->mem->size;
  SET_I32(0, uint32_t(int32_t(r)));
  NEXT(5);
}
HANDLER(MemoryFillM) {
  MemoryInst* m = ctx->inst->mems[I(3)];
  uint64_t d = U32(0), n = U32(2);
  if (COMPONO_UNLIKELY(d + n > m->size)) TRAP(MemoryOOB);
  if (n) std::memset(m->data + d, int(uint8_t(U32(1))), n);
  NEXT(6);
}
HANDLER(MemoryCopyM) {
  MemoryInst* dm = ctx->inst->mems[I(3)];
  MemoryInst* sm = ctx->inst->mems[I(4)];
  uint64_t d = U32(0), s = U32(1), n = U32(2);
  if (COMPONO_UNLIKELY(d + n > dm->size || s + n > sm->size)) TRAP(MemoryOOB);
  if (n) std::memmove(dm->data + d, sm->data + s, n);
  NEXT(7);
}
HANDLER(MemoryInitM) {
  TrapKind k = memory_init(*ctx->inst, I(4), I(0), U32(1), U32(2), U32(3));
  if (k != TrapKind::None) return trap_out(ctx, k);
  NEXT(7);
}

// ---- exceptions ------------------------------------------------------------
// The unwinder (throw_exn) finds the handler, stores the payload into the
// handler's frame and returns where to continue, with ctx->fsp/ctx->inst
// already set to the handler's frame; no handler up to the nearest host or
// embedder boundary traps.
HANDLER(Throw) {
  Resume r = throw_new(ctx, I(0), fp + I(1), ip, fp);
  if (COMPONO_UNLIKELY(r.ip == nullptr)) TRAP(UncaughtException);
  ip = r.ip;
  fp = r.fp;
  mem = ctx->inst->mem->data;
  memsize = ctx->inst->mem->size;
  DISPATCH();
}
HANDLER(ThrowRef) {
  ExnInst* e = reinterpret_cast<ExnInst*>(uintptr_t(R(0)));
  if (COMPONO_UNLIKELY(e == nullptr)) TRAP(NullExnRef);
  Resume r = throw_exn(ctx, e, ip, fp);
  if (COMPONO_UNLIKELY(r.ip == nullptr)) TRAP(UncaughtException);
  ip = r.ip;
  fp = r.fp;
  mem = ctx->inst->mem->data;
  memsize = ctx->inst->mem->size;
  DISPATCH();
}

// NOLINTEND
