// The interpreter: dispatch of internal code (icode.h), calls, traps.
//
// Dispatch is threaded: every instruction starts with its handler's
// address.  With clang each handler is a function that tail-calls the next
// ([[clang::musttail]]), keeping ip, fp, the memory base and size and the
// context in argument registers; with g++ the handlers are labels of one
// function, dispatched by computed goto.  The handler bodies are shared
// (interp_handlers.h).  Wasm-to-wasm calls never recurse on the host stack:
// frames live on the store's frame stack, locals and operands on its value
// stack.
#include <bit>
#include <climits>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/icode.h"
#include "core/runtime.h"

#if defined(__clang__)
#define COMPONO_TAILCALL 1
#endif
#define COMPONO_UNLIKELY(x) __builtin_expect(!!(x), 0)

namespace compono::wasm::detail {
using namespace compono::core;

const char* trap_message(TrapKind k) {
  switch (k) {
    case TrapKind::None: return "no trap";
    case TrapKind::Unreachable: return "unreachable";
    case TrapKind::DivByZero: return "integer divide by zero";
    case TrapKind::IntOverflow: return "integer overflow";
    case TrapKind::InvalidConversion: return "invalid conversion to integer";
    case TrapKind::MemoryOOB: return "out of bounds memory access";
    case TrapKind::TableOOB: return "out of bounds table access";
    case TrapKind::IndirectTypeMismatch: return "indirect call type mismatch";
    case TrapKind::UndefinedElement: return "undefined element";
    case TrapKind::UninitializedElement: return "uninitialized element";
    case TrapKind::StackExhausted: return "call stack exhausted";
    case TrapKind::OutOfFuel: return "out of fuel";
    case TrapKind::NullExnRef: return "null exception reference";
    case TrapKind::UncaughtException: return "uncaught wasm exception";
    case TrapKind::Host: return "host trap";
  }
  return "trap";
}

namespace {

using Ctx = StoreImpl;

inline float bits_f32(uint32_t b) { float f; std::memcpy(&f, &b, 4); return f; }
inline double bits_f64(uint64_t b) { double d; std::memcpy(&d, &b, 8); return d; }
inline uint32_t f32_bits(float f) { uint32_t b; std::memcpy(&b, &f, 4); return b; }
inline uint64_t f64_bits(double d) { uint64_t b; std::memcpy(&b, &d, 8); return b; }

template <class F>
inline F wasm_fmin(F a, F b) {
  if (a != a || b != b) return a + b;  // a quiet NaN
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}
template <class F>
inline F wasm_fmax(F a, F b) {
  if (a != a || b != b) return a + b;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
template <class T>
inline T sat_trunc(double x) {
  if (x != x) return 0;
  constexpr T lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  if (x <= double(lo)) return lo;
  if (x >= double(hi)) return hi;
  return T(x);
}

[[gnu::noinline, gnu::cold]] intptr_t trap_out(Ctx* ctx, TrapKind k) {
  ctx->trap = k;
  return 1;
}

// Calls host function f with its arguments (and room for its results) at
// `slots`.  Returns 0 or 1 (trap recorded in ctx).
[[gnu::noinline]] intptr_t call_host(Ctx* ctx, FuncInst* f, Slot* slots) {
  size_t np = f->type.params.size(), nr = f->type.results.size();
  Slot* saved_free = ctx->stack_free;
  ctx->stack_free = slots + (np > nr ? np : nr);
  InstanceInst* saved_inst = ctx->inst;
  Caller caller(*ctx->owner, ctx->inst);
  HostResult r;
  if (f->host_raw) {
    r = f->host_raw(caller, slots);
  } else {
    Value args[16], results[16];
    std::vector<Value> big_args, big_results;
    Value* a = args;
    Value* res = results;
    if (np > 16) { big_args.resize(np); a = big_args.data(); }
    if (nr > 16) { big_results.resize(nr); res = big_results.data(); }
    for (size_t i = 0; i < np; ++i) a[i] = slot_to_value(slots[i], f->type.params[i]);
    for (size_t i = 0; i < nr; ++i) res[i] = Value::zero(f->type.results[i]);
    r = f->host(caller, std::span<const Value>(a, np), std::span<Value>(res, nr));
    if (r) {
      for (size_t i = 0; i < nr; ++i) {
        if (res[i].type() != f->type.results[i]) {
          r = Trap("host function returned a value of the wrong type");
          break;
        }
        slots[i] = value_to_slot(res[i]);
      }
    }
  }
  ctx->stack_free = saved_free;
  ctx->inst = saved_inst;
  if (!r) {
    ctx->host_trap = std::move(r.error());
    ctx->trap = TrapKind::Host;
    return 1;
  }
  return 0;
}

// --- multi-memory slow paths: access of `op`'s width at ea in memory m.
[[gnu::noinline]] bool load_m(const MemoryInst* m, uint64_t ea, uint32_t op, Slot& out) {
  const Op o = Op(op);
  const uint64_t width = uint64_t(1) << op_natural_align(o);
  if (ea + width > m->size) return false;
  const uint8_t* p = m->data + ea;
  auto get = [p](auto v) { std::memcpy(&v, p, sizeof v); return v; };
  switch (o) {
    case Op::I32Load: case Op::F32Load: case Op::I64Load32U: out = get(uint32_t{}); break;
    case Op::I64Load: case Op::F64Load: out = get(uint64_t{}); break;
    case Op::I32Load8S: out = uint64_t(uint32_t(int32_t(get(int8_t{})))); break;
    case Op::I32Load8U: case Op::I64Load8U: out = get(uint8_t{}); break;
    case Op::I32Load16S: out = uint64_t(uint32_t(int32_t(get(int16_t{})))); break;
    case Op::I32Load16U: case Op::I64Load16U: out = get(uint16_t{}); break;
    case Op::I64Load8S: out = uint64_t(int64_t(get(int8_t{}))); break;
    case Op::I64Load16S: out = uint64_t(int64_t(get(int16_t{}))); break;
    case Op::I64Load32S: out = uint64_t(int64_t(get(int32_t{}))); break;
    default: out = 0; break;
  }
  return true;
}
[[gnu::noinline]] bool store_m(MemoryInst* m, uint64_t ea, uint32_t op, Slot v) {
  const uint64_t width = uint64_t(1) << op_natural_align(Op(op));
  if (ea + width > m->size) return false;
  std::memcpy(m->data + ea, &v, size_t(width));  // little-endian: the low bytes
  return true;
}

// --- exceptions.
struct Resume {
  const uint32_t* ip;  // null: no handler (the exception is in ctx->uncaught)
  Slot* fp;
};
const uint32_t* halt_code();

// Unwinds from the instruction at `pc` in the top frame (frame pointer `fp`)
// to the innermost try_table whose clause matches `e`, walking the frame
// stack outwards until the entry frame of the current invocation (the
// frame whose return address is halt_code(): beyond it is host code, which
// an exception never crosses).
[[gnu::noinline]] Resume throw_exn(Ctx* ctx, ExnInst* e, const uint32_t* pc, Slot* fp) {
  const uint32_t* halt = halt_code();
  InstanceInst* inst = ctx->inst;
  for (Frame* p = ctx->fsp;; --p) {
    FuncInst* f = inst->funcs[p->func_index];
    if (f->num_tries) {
      const uint32_t rel = uint32_t(pc - f->code);
      for (uint32_t i = 0; i < f->num_tries; ++i) {
        const TryRange& tr = f->tries[i];
        if (rel < tr.begin || rel >= tr.end) continue;
        for (uint32_t k = 0; k < tr.num_catches; ++k) {
          const CatchClause& c = f->catches[tr.first_catch + k];
          bool tagged = c.kind == CatchClause::Catch || c.kind == CatchClause::CatchRef;
          if (tagged && inst->tags[c.tag] != e->tag) continue;
          Slot* d = fp + c.dst;
          if (tagged)
            for (Slot v : e->fields) *d++ = v;
          if (c.kind == CatchClause::CatchRef || c.kind == CatchClause::CatchAllRef) {
            e->escaped = true;
            *d = Slot(uintptr_t(e));
          } else {
            ctx->free_exn(e);
          }
          ctx->fsp = p;
          ctx->inst = inst;
          return Resume{f->code + c.target, fp};
        }
      }
    }
    if (p->ret_ip == halt) break;
    pc = p->ret_ip - 1;  // inside the call instruction
    fp = p->ret_fp;
    inst = p->caller_inst;
  }
  ctx->uncaught = e;
  return Resume{nullptr, nullptr};
}
[[gnu::noinline]] Resume throw_new(Ctx* ctx, uint32_t tag, const Slot* args, const uint32_t* pc, Slot* fp) {
  TagInst* t = ctx->inst->tags[tag];
  ExnInst* e = ctx->new_exn(t);
  e->fields.assign(args, args + t->type.params.size());
  return throw_exn(ctx, e, pc, fp);
}

#define I(k) ip[2 + (k)]
#define R(k) fp[I(k)]
#define U32(k) uint32_t(R(k))
#define S32(k) int32_t(uint32_t(R(k)))
#define U64(k) R(k)
#define S64(k) int64_t(R(k))
#define F32(k) bits_f32(uint32_t(R(k)))
#define F64(k) bits_f64(R(k))
#define SET_I32(k, v) (R(k) = uint64_t(uint32_t(v)))
#define SET_I64(k, v) (R(k) = uint64_t(v))
#define SET_F32(k, v) (R(k) = uint64_t(f32_bits(v)))
#define SET_F64(k, v) (R(k) = f64_bits(v))
#define NEXT(n)   \
  do {            \
    ip += (n);    \
    DISPATCH();   \
  } while (0)
#define TRAP(k) return trap_out(ctx, TrapKind::k)

#ifdef COMPONO_TAILCALL
#define ARGS                                                                                    \
  [[maybe_unused]] const uint32_t *ip, [[maybe_unused]] Slot *fp, [[maybe_unused]] uint8_t *mem, \
      [[maybe_unused]] uint64_t memsize, [[maybe_unused]] Ctx *ctx
using Handler = intptr_t (*)(const uint32_t*, Slot*, uint8_t*, uint64_t, Ctx*);
#define HANDLER(name) intptr_t h_##name(ARGS)
#define JUMP_TO(name) [[clang::musttail]] return h_##name(ip, fp, mem, memsize, ctx)
#define DISPATCH()                                     \
  do {                                                 \
    Handler nh_;                                       \
    std::memcpy(&nh_, ip, sizeof nh_);                 \
    [[clang::musttail]] return nh_(ip, fp, mem, memsize, ctx); \
  } while (0)

#define COMPONO_FWD_(n) intptr_t h_##n(ARGS);
COMPONO_CONTROL_IOPS(COMPONO_FWD_)
#undef COMPONO_FWD_

#include "core/interp_handlers.h"

const void* const* make_table() {
  static const void* const table[] = {
#define COMPONO_T_PLAIN_(n) reinterpret_cast<const void*>(&h_##n),
#define COMPONO_T_IMM_(n) reinterpret_cast<const void*>(&h_##n##_I),
#define COMPONO_T_BR_(n) reinterpret_cast<const void*>(&h_BrIf_##n), reinterpret_cast<const void*>(&h_BrIfI_##n),
#define COMPONO_T_MEM_(n) reinterpret_cast<const void*>(&h_##n##_A), reinterpret_cast<const void*>(&h_##n##_X),
#define COMPONO_T_LOP_(n, l) reinterpret_cast<const void*>(&h_##n##_L),
      COMPONO_CONTROL_IOPS(COMPONO_T_PLAIN_) COMPONO_SIMPLE_IOPS(COMPONO_T_PLAIN_)
          COMPONO_IMM_IOPS(COMPONO_T_IMM_) COMPONO_BRCMP_IOPS(COMPONO_T_BR_) COMPONO_MEM_IOPS(COMPONO_T_MEM_)
              COMPONO_LOADOP_IOPS(COMPONO_T_LOP_)
#undef COMPONO_T_LOP_
#undef COMPONO_T_MEM_
#undef COMPONO_T_PLAIN_
#undef COMPONO_T_IMM_
#undef COMPONO_T_BR_
  };
  static_assert(sizeof(table) / sizeof(table[0]) == size_t(IOp::Count));
  return table;
}

intptr_t run_code(const uint32_t* ip, Slot* fp, uint8_t* mem, uint64_t memsize, Ctx* ctx) {
  Handler h;
  std::memcpy(&h, ip, sizeof h);
  return h(ip, fp, mem, memsize, ctx);
}

#else  // computed goto

#define HANDLER(name) L_##name:
#define JUMP_TO(name) goto L_##name
#define DISPATCH()                         \
  do {                                     \
    const void* nh_;                       \
    std::memcpy(&nh_, ip, sizeof nh_);     \
    goto* const_cast<void*>(nh_);          \
  } while (0)

const void* const* g_table = nullptr;

// Never inlined or cloned: label addresses are only valid in the one copy
// of the function that produced the table.  No hot/cold splitting either:
// every handler stays in the one contiguous body.
[[gnu::noinline, gnu::noclone, gnu::optimize("no-reorder-blocks-and-partition")]] intptr_t run_code(const uint32_t* ip, Slot* fp, uint8_t* mem, uint64_t memsize, Ctx* ctx) {
  if (ip == nullptr) {
    static const void* const table[] = {
#define COMPONO_T_PLAIN_(n) &&L_##n,
#define COMPONO_T_IMM_(n) &&L_##n##_I,
#define COMPONO_T_BR_(n) &&L_BrIf_##n, &&L_BrIfI_##n,
#define COMPONO_T_MEM_(n) &&L_##n##_A, &&L_##n##_X,
#define COMPONO_T_LOP_(n, l) &&L_##n##_L,
        COMPONO_CONTROL_IOPS(COMPONO_T_PLAIN_) COMPONO_SIMPLE_IOPS(COMPONO_T_PLAIN_)
            COMPONO_IMM_IOPS(COMPONO_T_IMM_) COMPONO_BRCMP_IOPS(COMPONO_T_BR_) COMPONO_MEM_IOPS(COMPONO_T_MEM_)
                COMPONO_LOADOP_IOPS(COMPONO_T_LOP_)
#undef COMPONO_T_LOP_
#undef COMPONO_T_MEM_
#undef COMPONO_T_PLAIN_
#undef COMPONO_T_IMM_
#undef COMPONO_T_BR_
    };
    static_assert(sizeof(table) / sizeof(table[0]) == size_t(IOp::Count));
    g_table = table;
    return 0;
  }
  DISPATCH();
#include "core/interp_handlers.h"
}

const void* const* make_table() {
  run_code(nullptr, nullptr, nullptr, 0, nullptr);
  return g_table;
}

#endif

}  // namespace
ExnInst* StoreImpl::new_exn(TagInst* tag) {
  ExnInst* e;
  if (!free_exns.empty()) {
    e = free_exns.back();
    free_exns.pop_back();
  } else {
    exns.emplace_back();
    e = &exns.back();
  }
  e->tag = tag;
  e->escaped = false;
  return e;
}
namespace {

const uint32_t* halt_code() {
  static uint32_t code[2] = {0, 0};
  static bool init = [] {
    const void* h = handler_table()[size_t(IOp::Halt)];
    std::memcpy(code, &h, sizeof h);
    return true;
  }();
  (void)init;
  return code;
}

TrapFrame frame_info(const FuncInst* f) {
  TrapFrame fr;
  fr.func_index = f->index;
  if (f->inst && f->inst->module) {
    const auto& m = f->inst->module->mod;
    fr.func_name = m.func_name(f->index);
    if (m.names.module) fr.module_name = *m.names.module;
  } else {
    fr.func_name = "<host>";
  }
  return fr;
}

}  // namespace

Value slot_to_value(Slot s, ValType t) {
  switch (t) {
    case ValType::I32: return Value::i32(int32_t(uint32_t(s)));
    case ValType::I64: return Value::i64(int64_t(s));
    case ValType::F32: return Value::f32_from_bits(uint32_t(s));
    case ValType::F64: return Value::f64_from_bits(s);
    case ValType::FuncRef:
      return s ? Value::funcref(Func(reinterpret_cast<FuncInst*>(uintptr_t(s)))) : Value::null_ref(t);
    case ValType::ExternRef: return s ? Value::externref(s - 1) : Value::null_ref(t);
    case ValType::ExnRef: return Value::ref_from_raw(t, s);
    case ValType::V128: return Value::v128(V128{});
  }
  return Value();
}

Slot value_to_slot(const Value& v) {
  switch (v.type()) {
    case ValType::I32: return uint64_t(uint32_t(v.i32()));
    case ValType::I64: return uint64_t(v.i64());
    case ValType::F32: return v.f32_bits();
    case ValType::F64: return v.f64_bits();
    case ValType::FuncRef: return v.is_null() ? 0 : Slot(uintptr_t(v.funcref().raw()));
    case ValType::ExternRef: return v.is_null() ? 0 : v.externref() + 1;
    case ValType::ExnRef: return v.is_null() ? 0 : v.raw_bits();
    case ValType::V128: return 0;
  }
  return 0;
}


Result<std::vector<Slot>, Trap> invoke(StoreImpl& s, FuncInst* f, const Slot* args, size_t nargs) {
  if (!s.ensure_stacks()) return Trap(trap_message(TrapKind::StackExhausted));
  size_t np = f->type.params.size(), nr = f->type.results.size();
  if (nargs != np) return Trap("type mismatch: wrong number of arguments");
  Slot* base = s.stack_free;
  size_t need = np > nr ? np : nr;
  if (f->code && f->frame_size > need) need = f->frame_size;
  if (s.host_depth >= 1000 || base + need > s.stack_end || s.fsp + 1 >= s.fend)
    return Trap(trap_message(TrapKind::StackExhausted));
  for (size_t i = 0; i < np; ++i) base[i] = args[i];

  Frame* saved_fsp = s.fsp;
  InstanceInst* saved_inst = s.inst;
  Slot* saved_free = s.stack_free;
  intptr_t st;
  if (!f->code) {
    st = call_host(&s, f, base);
  } else {
    Frame* fr = ++s.fsp;
    fr->ret_ip = halt_code();
    fr->ret_fp = base;
    fr->caller_inst = f->inst;
    fr->func_index = f->index;
    s.inst = f->inst;
    s.host_depth++;
    st = run_code(f->code, base, f->inst->mem->data, f->inst->mem->size, &s);
    s.host_depth--;
  }
  if (st == 0) {
    std::vector<Slot> results(base, base + nr);
    s.fsp = saved_fsp;
    s.inst = saved_inst;
    s.stack_free = saved_free;
    return results;
  }
  Trap t;
  if (s.trap == TrapKind::Host && s.host_trap) {
    t = std::move(*s.host_trap);
    s.host_trap.reset();
  } else {
    t.message = trap_message(s.trap);
    if (s.trap == TrapKind::UninitializedElement) t.message += " " + std::to_string(s.trap_arg);
    if (s.trap == TrapKind::UncaughtException && s.uncaught) {
      s.free_exn(s.uncaught);
      s.uncaught = nullptr;
    }
  }
  InstanceInst* running = s.inst;
  for (Frame* p = s.fsp; p > saved_fsp; --p) {
    if (running) t.backtrace.push_back(frame_info(running->funcs[p->func_index]));
    running = p->caller_inst;
  }
  s.trap = TrapKind::None;
  s.fsp = saved_fsp;
  s.inst = saved_inst;
  s.stack_free = saved_free;
  return t;
}

}  // namespace compono::wasm::detail

const void* const* compono::core::handler_table() {
  static const void* const* t = compono::wasm::detail::make_table();
  return t;
}
