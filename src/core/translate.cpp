// Translation of validated function bodies into internal code (icode.h).
//
// The operand stack is mapped to frame slots: local i is slot i, the operand
// at stack height h is slot (num_locals + h).  Stack entries are tracked
// virtually so that local.get and constants cost no instruction: an entry is
// either in its "home" slot, an alias of a local, or a constant, and is only
// materialised when something needs it in a slot.  Peepholes: the
// destination of the last instruction is retargeted by local.set/tee, and an
// i32 compare followed by br_if/if becomes one compare-and-branch.
#include <climits>

#include "core/icode.h"
#include "core/runtime.h"

namespace compono::wasm::detail {
using namespace compono::core;

namespace {

struct VEntry {
  enum Kind : uint8_t { Home, Local, Const } k = Home;
  uint32_t local = 0;
  uint64_t c = 0;
};

struct Ctl {
  enum Kind : uint8_t { Block, Loop, If, Else, Func } kind = Block;
  uint32_t height = 0;  // stack height below the block's params
  uint32_t nparams = 0, nresults = 0;
  uint32_t loop_pos = 0;
  std::vector<std::pair<uint32_t, uint32_t>> fixups;  // (inst start, word)
  uint32_t if_inst = UINT32_MAX, if_word = 0;
  bool unreachable = false;
  int32_t try_idx = -1;  // a try_table: index into Translator::open_tries_
};

constexpr size_t kNone = SIZE_MAX;

bool has_imm_variant(Op op) {
  switch (op) {
#define COMPONO_X_(n) case Op::n:
    COMPONO_IMM_IOPS(COMPONO_X_)
#undef COMPONO_X_
    return true;
    default: return false;
  }
}
IOp imm_iop(Op op) {
  switch (op) {
#define COMPONO_X_(n) case Op::n: return IOp::n##_I;
    COMPONO_IMM_IOPS(COMPONO_X_)
#undef COMPONO_X_
    default: return IOp::Unreachable;
  }
}
bool is_simple(Op op) {
  switch (op) {
#define COMPONO_X_(n) case Op::n:
    COMPONO_SIMPLE_IOPS(COMPONO_X_)
#undef COMPONO_X_
    return true;
    default: return false;
  }
}
IOp simple_iop(Op op) {
  switch (op) {
#define COMPONO_X_(n) case Op::n: return IOp::n;
    COMPONO_SIMPLE_IOPS(COMPONO_X_)
#undef COMPONO_X_
    default: return IOp::Unreachable;
  }
}
IOp mem_add_iop(Op op, bool indexed) {
  switch (op) {
#define COMPONO_X_(n) case Op::n: return indexed ? IOp::n##_X : IOp::n##_A;
    COMPONO_MEM_IOPS(COMPONO_X_)
#undef COMPONO_X_
    default: return IOp::Unreachable;
  }
}
// The fused load-op for `op` if its right operand comes from `load`.
IOp loadop_iop(Op op, Op load) {
#define COMPONO_X_(n, l) if (op == Op::n && load == Op::l) return IOp::n##_L;
  COMPONO_LOADOP_IOPS(COMPONO_X_)
#undef COMPONO_X_
  return IOp::Count;
}
IOp brcmp_iop(Op op, bool imm) {
  switch (op) {
#define COMPONO_X_(n) case Op::n: return imm ? IOp::BrIfI_##n : IOp::BrIf_##n;
    COMPONO_BRCMP_IOPS(COMPONO_X_)
#undef COMPONO_X_
    default: return IOp::Unreachable;
  }
}
Op negate_cmp(Op op) {
  switch (op) {
    case Op::I32Eq: return Op::I32Ne;
    case Op::I32Ne: return Op::I32Eq;
    case Op::I32LtS: return Op::I32GeS;
    case Op::I32GeS: return Op::I32LtS;
    case Op::I32LtU: return Op::I32GeU;
    case Op::I32GeU: return Op::I32LtU;
    case Op::I32GtS: return Op::I32LeS;
    case Op::I32LeS: return Op::I32GtS;
    case Op::I32GtU: return Op::I32LeU;
    case Op::I32LeU: return Op::I32GtU;
    default: return op;
  }
}
bool commutative(Op op) {
  switch (op) {
    case Op::I32Add: case Op::I32Mul: case Op::I32And: case Op::I32Or: case Op::I32Xor:
    case Op::I32Eq: case Op::I32Ne: case Op::I64Add: case Op::I64Mul: case Op::I64And:
    case Op::I64Or: case Op::I64Xor: case Op::I64Eq: case Op::I64Ne:
      return true;
    default: return false;
  }
}
// Commutative ops with a load-op form (float add/mul commute exactly,
// including NaN results up to payload, which wasm leaves unspecified).
bool commutative_arith(Op op) {
  switch (op) {
    case Op::I32Add: case Op::I32And: case Op::I32Or: case Op::I32Xor: case Op::I64Add:
    case Op::F32Add: case Op::F32Mul: case Op::F64Add: case Op::F64Mul:
      return true;
    default: return false;
  }
}
bool is_i64_op(Op op) { return op >= Op::I64Eqz && op <= Op::I64GeU ? true : (op >= Op::I64Clz && op <= Op::I64Rotr); }

int sig_arity(Sig s) {
  switch (s) {
    case Sig::V_I: case Sig::V_L: case Sig::V_F: case Sig::V_D: return 0;
    case Sig::II_I: case Sig::LL_L: case Sig::FF_F: case Sig::DD_D: case Sig::LL_I:
    case Sig::FF_I: case Sig::DD_I: case Sig::II_V: case Sig::IL_V: case Sig::IF_V: case Sig::ID_V:
      return 2;
    default: return 1;
  }
}

void skip_imm(Reader& r, Op op) {
  // Exception handling (not in op_info; only present when validated with the feature).
  if (op == Op::Throw) { r.u32_unchecked(); return; }
  if (op == Op::ThrowRef) return;
  if (op == Op::TryTable) {
    r.s33_unchecked();
    uint32_t n = r.u32_unchecked();
    for (uint32_t i = 0; i < n; ++i) {
      if (r.u8_unchecked() < 2) r.u32_unchecked();
      r.u32_unchecked();
    }
    return;
  }
  switch (op_imm(op)) {
    case Imm::None: break;
    case Imm::BlockType: r.s33_unchecked(); break;
    case Imm::Label: case Imm::Func: case Imm::Local: case Imm::Global: case Imm::Table:
    case Imm::Elem: case Imm::Data:
      r.u32_unchecked();
      break;
    case Imm::BrTable: {
      uint32_t n = r.u32_unchecked();
      for (uint32_t i = 0; i <= n; ++i) r.u32_unchecked();
      break;
    }
    case Imm::MemArg:
      // (Bit 6 of the flags: a memory index follows; validated code has it
      // only with multi-memory.)
      if (r.u32_unchecked() >= 0x40) r.u32_unchecked();
      r.u32_unchecked();
      break;
    case Imm::CallIndirect: case Imm::TableInit: case Imm::TableCopy:
      r.u32_unchecked();
      r.u32_unchecked();
      break;
    // Memory indices: a 0x00 byte in Wasm 2.0, a u32 with multi-memory.
    case Imm::MemZero: r.u32_unchecked(); break;
    case Imm::I32: r.s32_unchecked(); break;
    case Imm::I64: r.s64_unchecked(); break;
    case Imm::F32: r.fixed32_unchecked(); break;
    case Imm::F64: r.fixed64_unchecked(); break;
    case Imm::RefType: r.u8_unchecked(); break;
    case Imm::SelectT: {
      uint32_t n = r.u32_unchecked();
      for (uint32_t i = 0; i < n; ++i) r.u8_unchecked();
      break;
    }
    case Imm::MemoryInit: r.u32_unchecked(); r.u32_unchecked(); break;
    case Imm::MemoryCopy: r.u32_unchecked(); r.u32_unchecked(); break;
  }
}

class Translator {
 public:
  Translator(const core::Module& m, bool fuel, CompiledCode& out)
      : m_(m), fuel_(fuel), out_(out), code_(out.words), h_(handler_table()) {}

  Result<CompiledFunc> run(const core::Function& fn) {
    const core::FuncType& ft = m_.types[fn.type];
    nparams_ = uint32_t(ft.params.size());
    nlocals_ = nparams_ + uint32_t(fn.locals.size());
    nres_ = uint32_t(ft.results.size());
    vs_.clear();
    ctls_.clear();
    open_tries_.clear();
    fn_tries_.clear();
    max_h_ = 0;
    barrier();
    CompiledFunc cf;
    cf.code_offset = uint32_t(code_.size());
    func_start_ = cf.code_offset;
    cf.num_params = nparams_;
    cf.num_results = nres_;
    if (fuel_) op(IOp::Fuel);
    if (uint32_t nz = nlocals_ - nparams_; nz > 0 && nz <= 4) {
      static constexpr IOp kEnter[] = {IOp::Enter1, IOp::Enter2, IOp::Enter3, IOp::Enter4};
      op(kEnter[nz - 1]);
      w(nparams_);
    } else if (nz > 4) {
      op(IOp::Enter);
      w(nparams_);
      w(nz);
    }
    Ctl f;
    f.kind = Ctl::Func;
    f.nresults = nres_;
    ctls_.push_back(std::move(f));

    auto body = m_.slice(fn.body);
    Reader r(body.data(), body.data() + body.size(), fn.body.begin);
    while (!ctls_.empty()) {
      if (r.at_end()) return fail("translate: unexpected end of function body", r.offset());
      Op o = r.op_unchecked();
      if (ctls_.back().unreachable) {
        skip_dead(r, o);
        continue;
      }
      step(r, o);
    }
    uint64_t fs = uint64_t(nlocals_) + max_h_;
    if (fs < nres_) fs = nres_;
    if (fs > (1u << 30)) return fail("translate: function frame too large");
    cf.frame_size = uint32_t(fs);
    cf.first_try = uint32_t(out_.tries.size());
    cf.num_tries = uint32_t(fn_tries_.size());
    out_.tries.insert(out_.tries.end(), fn_tries_.begin(), fn_tries_.end());
    return cf;
  }

 private:
  // --- emission -----------------------------------------------------------
  void op(IOp o) {
    const void* h = h_[size_t(o)];
    uint32_t ws[2];
    std::memcpy(ws, &h, 8);
    code_.push_back(ws[0]);
    code_.push_back(ws[1]);
  }
  void w(uint32_t x) { code_.push_back(x); }
  uint32_t pos() const { return uint32_t(code_.size()); }
  void barrier() { last_end_ = kNone; cmp_end_ = kNone; add_end_ = kNone; load_end_ = kNone; }

  // --- virtual stack --------------------------------------------------------
  uint32_t home(size_t i) const { return nlocals_ + uint32_t(i); }
  void note_height() {
    if (vs_.size() > max_h_) max_h_ = uint32_t(vs_.size());
  }
  uint32_t push_home() {
    vs_.push_back(VEntry{});
    note_height();
    return home(vs_.size() - 1);
  }
  void push_const(uint64_t c) {
    VEntry e;
    e.k = VEntry::Const;
    e.c = c;
    vs_.push_back(e);
    note_height();
  }
  void emit_const(uint32_t dst, uint64_t c) {
    if (c <= 0xffffffffull) {
      op(IOp::Const32);
      w(dst);
      w(uint32_t(c));
    } else {
      op(IOp::Const64);
      w(dst);
      w(uint32_t(c));
      w(uint32_t(c >> 32));
    }
  }
  // Put entry i into its home slot.
  void materialize(size_t i) {
    VEntry& e = vs_[i];
    if (e.k == VEntry::Local) {
      op(IOp::Mov);
      w(home(i));
      w(e.local);
    } else if (e.k == VEntry::Const) {
      emit_const(home(i), e.c);
    }
    e.k = VEntry::Home;
  }
  // A slot holding entry i's value (materialises constants).
  uint32_t src(size_t i) {
    VEntry& e = vs_[i];
    if (e.k == VEntry::Local) return e.local;
    if (e.k == VEntry::Const) materialize(i);
    return home(i);
  }
  void flush_from(size_t from) {
    for (size_t i = from; i < vs_.size(); ++i) materialize(i);
  }
  void flush() { flush_from(0); }
  void pop(size_t n = 1) { vs_.resize(vs_.size() - n); }
  size_t top() const { return vs_.size() - 1; }
  // Copy the value of entry i into slot dst.
  void copy_to(uint32_t dst, size_t i) {
    const VEntry& e = vs_[i];
    if (e.k == VEntry::Const) {
      emit_const(dst, e.c);
      return;
    }
    uint32_t s = e.k == VEntry::Local ? e.local : home(i);
    if (s == dst) return;
    op(IOp::Mov);
    w(dst);
    w(s);
  }
  // Called right before the destination word is written.
  void record_dst(uint32_t dst_word, size_t nwords) {
    last_dst_pos_ = dst_word;
    last_end_ = code_.size() + nwords;
    last_h_ = vs_.size() - 1;
  }

  // --- blocks ---------------------------------------------------------------
  void block_type(Reader& r, uint32_t& np, uint32_t& nr) {
    uint8_t b = *r.ptr();
    if (b == 0x40) { r.u8_unchecked(); np = 0; nr = 0; return; }
    if (b == 0x7f || b == 0x7e || b == 0x7d || b == 0x7c || b == 0x7b || b == 0x70 || b == 0x6f || b == 0x69) {
      r.u8_unchecked();
      np = 0;
      nr = 1;
      return;
    }
    int64_t idx = r.s33_unchecked();
    const core::FuncType& t = m_.types[size_t(idx)];
    np = uint32_t(t.params.size());
    nr = uint32_t(t.results.size());
  }
  Ctl& label(uint32_t depth) { return ctls_[ctls_.size() - 1 - depth]; }
  uint32_t label_arity(const Ctl& c) const { return c.kind == Ctl::Loop ? c.nparams : c.nresults; }

  // Branch (unconditional) to `c`, moving its values first.
  void emit_branch(Ctl& c) {
    uint32_t n = label_arity(c);
    size_t base = vs_.size() - n;
    if (c.kind == Ctl::Func) {
      return_moves(n);
      op(IOp::Ret);
      return;
    }
    for (uint32_t i = 0; i < n; ++i) copy_to(nlocals_ + c.height + i, base + i);
    emit_jump(IOp::Br, c);
  }
  // Emit a jump instruction whose last word is the offset to `c`.
  void jump_offset(Ctl& c, uint32_t inst) {
    if (c.kind == Ctl::Loop) {
      w(uint32_t(int32_t(c.loop_pos) - int32_t(inst)));
    } else {
      c.fixups.push_back({inst, pos()});
      w(0);
    }
  }
  void emit_jump(IOp o, Ctl& c) {
    uint32_t inst = pos();
    op(o);
    jump_offset(c, inst);
  }
  // Move the top n values to slots 0..n-1 (the results).  Sources that
  // alias locals in that range are saved to their home slots first, so the
  // ascending copies never read an overwritten slot.
  void return_moves(uint32_t n) {
    // (Does not change the virtual stack: this may be on a conditional path.)
    size_t base = vs_.size() - n;
    std::vector<bool> saved(n);
    for (uint32_t i = 0; i < n; ++i) {
      if (vs_[base + i].k == VEntry::Local && vs_[base + i].local < n) {
        op(IOp::Mov);
        w(home(base + i));
        w(vs_[base + i].local);
        saved[i] = true;
      }
    }
    for (uint32_t i = 0; i < n; ++i) {
      if (!saved[i]) {
        copy_to(i, base + i);
      } else if (home(base + i) != i) {
        op(IOp::Mov);
        w(i);
        w(home(base + i));
      }
    }
  }
  bool needs_moves(const Ctl& c) const {
    if (c.kind == Ctl::Func) return true;
    uint32_t n = label_arity(c);
    size_t base = vs_.size() - n;
    for (uint32_t i = 0; i < n; ++i) {
      const VEntry& e = vs_[base + i];
      if (e.k != VEntry::Home || base + i != c.height + i) return true;
    }
    return false;
  }
  void patch_here(uint32_t inst, uint32_t word) { code_[word] = uint32_t(int32_t(pos()) - int32_t(inst)); }
  void set_unreachable() {
    ctls_.back().unreachable = true;
    dead_depth_ = 0;
  }

  // Try to turn the last emitted i32 compare (producing the top entry) into a
  // compare-and-branch: returns true and fills a/b/imm/op if so, truncating
  // the compare.
  struct Cmp {
    Op op;
    uint32_t a, b;
    bool imm;
  };
  bool take_cmp(Cmp& out) {
    if (cmp_end_ != code_.size() || vs_.empty() || vs_.back().k != VEntry::Home || cmp_h_ != top()) return false;
    out = Cmp{cmp_op_, cmp_a_, cmp_b_, cmp_imm_};
    code_.resize(cmp_start_);
    barrier();
    return true;
  }

  // Emit a conditional branch (without its offset word) taken when the
  // condition is `when_true`; `fused` says whether `c` replaced the
  // condition's computation.
  void emit_cond(bool fused, const Cmp& c, uint32_t cond, bool when_true) {
    if (!fused) {
      op(when_true ? IOp::BrIf : IOp::BrUnless);
      w(cond);
    } else if (c.op == Op::I32Eqz) {
      op(when_true ? IOp::BrUnless : IOp::BrIf);
      w(c.a);
    } else if (c.op == Op::I32And) {
      op(when_true ? IOp::BrIfAndI : IOp::BrUnlessAndI);
      w(c.a);
      w(c.b);
    } else {
      op(brcmp_iop(when_true ? c.op : negate_cmp(c.op), c.imm));
      w(c.a);
      w(c.b);
    }
  }

  // --- the instruction walk -------------------------------------------------
  void skip_dead(Reader& r, Op o) {
    if (o == Op::Block || o == Op::Loop || o == Op::If || o == Op::TryTable) {
      skip_imm(r, o);
      ++dead_depth_;
      return;
    }
    if (o == Op::End) {
      if (dead_depth_ == 0) { do_end(); return; }
      --dead_depth_;
      return;
    }
    if (o == Op::Else && dead_depth_ == 0) { do_else(); return; }
    skip_imm(r, o);
  }

  void do_else() {
    Ctl& c = ctls_.back();
    if (!c.unreachable) {
      flush();
      emit_jump(IOp::Br, c);
    }
    patch_here(c.if_inst, c.if_word);
    c.if_inst = UINT32_MAX;
    barrier();
    vs_.resize(c.height);
    for (uint32_t i = 0; i < c.nparams; ++i) push_home();
    c.kind = Ctl::Else;
    c.unreachable = false;
  }

  void do_end() {
    Ctl& c = ctls_.back();
    if (c.try_idx >= 0) {
      // The try_table's body ends here (its result moves cannot throw).
      TryRange tr = open_tries_[size_t(c.try_idx)];
      tr.end = pos() - func_start_;
      fn_tries_.push_back(tr);  // inner ranges close first
    }
    if (c.kind == Ctl::Func) {
      if (!c.unreachable) {
        return_moves(nres_);
        op(IOp::Ret);
      }
      // Branches to the function label were emitted as returns.
      ctls_.pop_back();
      return;
    }
    if (!c.unreachable) flush();
    if (c.if_inst != UINT32_MAX) patch_here(c.if_inst, c.if_word);
    for (auto [inst, word] : c.fixups) patch_here(inst, word);
    barrier();
    vs_.resize(c.height);
    uint32_t nr = c.nresults;
    ctls_.pop_back();
    for (uint32_t i = 0; i < nr; ++i) push_home();
  }

  void unary(IOp io) {
    uint32_t a = src(top());
    pop();
    uint32_t d = push_home();
    op(io);
    record_dst(pos(), 2);
    w(d);
    w(a);
  }

  // Fuse a load that produced one operand of `o` (the right one, or the
  // left one of a commutative op) into the op.
  bool try_load_op(Op o, size_t ia, size_t ib) {
    if (load_end_ != code_.size()) return false;
    IOp lop = loadop_iop(o, load_op_);
    if (lop == IOp::Count) return false;
    size_t other;
    if (vs_[ib].k == VEntry::Home && load_h_ == ib) {
      other = ia;
    } else if (commutative_arith(o) && vs_[ia].k == VEntry::Home && load_h_ == ia && vs_[ib].k == VEntry::Local) {
      other = ib;
    } else {
      return false;
    }
    code_.resize(load_start_);
    uint32_t addr = load_addr_, off = load_off_;
    barrier();
    uint32_t a = src(other);
    pop(2);
    uint32_t d = push_home();
    op(lop);
    record_dst(pos(), 4);
    w(d);
    w(a);
    w(addr);
    w(off);
    return true;
  }

  void binary(Op o) {
    size_t ib = top(), ia = top() - 1;
    if (try_load_op(o, ia, ib)) return;
    bool is_cmp = (o >= Op::I32Eq && o <= Op::I32GeU);
    if (has_imm_variant(o)) {
      bool i64 = is_i64_op(o);
      auto fits = [&](const VEntry& e) {
        if (e.k != VEntry::Const) return false;
        if (!i64) return true;
        int64_t v = int64_t(e.c);
        return v >= INT32_MIN && v <= INT32_MAX;
      };
      size_t ic = kNone, iv = kNone;  // the constant entry and the other one
      if (fits(vs_[ib])) {
        ic = ib;
        iv = ia;
      } else if (commutative(o) && fits(vs_[ia])) {
        ic = ia;
        iv = ib;
      }
      if (ic != kNone) {
        uint32_t imm = uint32_t(vs_[ic].c);
        uint32_t a = src(iv);
        pop(2);
        uint32_t d = push_home();
        size_t start = code_.size();
        op(imm_iop(o));
        record_dst(pos(), 3);
        w(d);
        w(a);
        w(imm);
        if (is_cmp || o == Op::I32And) note_cmp(start, o, a, imm, true);
        if (o == Op::I32Add) {
          add_start_ = start;
          add_end_ = code_.size();
          add_h_ = top();
          add_base_ = a;
          add_imm_ = imm;
          add_indexed_ = false;
        }
        return;
      }
    }
    uint32_t a = src(ia);
    uint32_t b = src(ib);
    pop(2);
    uint32_t d = push_home();
    size_t start = code_.size();
    op(simple_iop(o));
    record_dst(pos(), 3);
    w(d);
    w(a);
    w(b);
    if (is_cmp) note_cmp(start, o, a, b, false);
    if (o == Op::I32Add) {
      add_start_ = start;
      add_end_ = code_.size();
      add_h_ = top();
      add_base_ = a;
      add_imm_ = b;  // the index slot
      add_indexed_ = true;
    }
  }
  void note_cmp(size_t start, Op o, uint32_t a, uint32_t b, bool imm) {
    cmp_start_ = start;
    cmp_end_ = code_.size();
    cmp_op_ = o;
    cmp_a_ = a;
    cmp_b_ = b;
    cmp_imm_ = imm;
    cmp_h_ = top();
  }

  void local_set(uint32_t l, bool tee) {
    bool aliased = false;
    for (size_t i = 0; i + 1 < vs_.size(); ++i)
      if (vs_[i].k == VEntry::Local && vs_[i].local == l) aliased = true;
    if (!aliased && last_end_ == code_.size() && vs_.back().k == VEntry::Home && last_h_ == top()) {
      code_[last_dst_pos_] = l;
      barrier();
      pop();
    } else {
      // Save aliases of l before overwriting it.
      for (size_t i = 0; i + 1 < vs_.size(); ++i)
        if (vs_[i].k == VEntry::Local && vs_[i].local == l) materialize(i);
      copy_to(l, top());
      pop();
      barrier();
    }
    if (tee) {
      VEntry e;
      e.k = VEntry::Local;
      e.local = l;
      vs_.push_back(e);
      note_height();
    }
  }

  void call_common(uint32_t nargs) {
    flush_from(vs_.size() - nargs);
    pop(nargs);
  }

  void step(Reader& r, Op o) {
    if (is_simple(o)) {
      Sig s = op_sig(o);
      if (op_imm(o) == Imm::MemArg) {
        uint32_t memi = 0;
        if (r.u32_unchecked() >= 0x40) memi = r.u32_unchecked();  // multi-memory
        uint32_t off = r.u32_unchecked();
        bool is_store = s == Sig::II_V || s == Sig::IL_V || s == Sig::IF_V || s == Sig::ID_V;
        if (memi != 0) {
          // Memories other than 0: generic out-of-line ops, no fusion.
          if (is_store) {
            uint32_t v = src(top());
            uint32_t a = src(top() - 1);
            pop(2);
            op(IOp::StoreM);
            w(a);
            w(v);
          } else {
            uint32_t a = src(top());
            pop();
            uint32_t d = push_home();
            op(IOp::LoadM);
            w(d);
            w(a);
          }
          w(off);
          w(memi);
          w(uint32_t(o));
          barrier();
          return;
        }
        if (is_store) {
          // (Not when materialising a constant value would overwrite the
          // index slot of an indexed add.)
          if (add_end_ == code_.size() && vs_.size() >= 2 && vs_[top() - 1].k == VEntry::Home &&
              add_h_ == top() - 1 &&
              !(add_indexed_ && vs_[top()].k == VEntry::Const && add_imm_ == home(top()))) {
            // (x + imm) computed by the previous instruction: fuse it.
            code_.resize(add_start_);
            uint32_t base = add_base_, imm = add_imm_;
            barrier();
            uint32_t v = src(top());
            pop(2);
            op(mem_add_iop(o, add_indexed_));
            w(base);
            w(v);
            w(imm);
            w(off);
            return;
          }
          uint32_t v = src(top());
          uint32_t a = src(top() - 1);
          pop(2);
          op(simple_iop(o));
          w(a);
          w(v);
          w(off);
          barrier();
        } else {
          if (add_end_ == code_.size() && vs_.back().k == VEntry::Home && add_h_ == top()) {
            code_.resize(add_start_);
            uint32_t base = add_base_, imm = add_imm_;
            barrier();
            pop();
            uint32_t d = push_home();
            op(mem_add_iop(o, add_indexed_));
            record_dst(pos(), 4);
            w(d);
            w(base);
            w(imm);
            w(off);
            return;
          }
          uint32_t a = src(top());
          pop();
          uint32_t d = push_home();
          size_t start = code_.size();
          op(simple_iop(o));
          record_dst(pos(), 3);
          w(d);
          w(a);
          w(off);
          load_start_ = start;
          load_end_ = code_.size();
          load_h_ = top();
          load_addr_ = a;
          load_off_ = off;
          load_op_ = o;
        }
        return;
      }
      if (sig_arity(s) == 2) {
        binary(o);
      } else {
        unary(simple_iop(o));
        if (o == Op::I32Eqz) {
          // Remember for br_if/if fusion (branch on zero).
          cmp_start_ = code_.size() - 4;
          cmp_end_ = code_.size();
          cmp_op_ = Op::I32Eqz;
          cmp_a_ = code_[code_.size() - 1];
          cmp_b_ = 0;
          cmp_imm_ = false;
          cmp_h_ = top();
        }
      }
      return;
    }
    switch (o) {
      case Op::Unreachable:
        op(IOp::Unreachable);
        set_unreachable();
        return;
      case Op::Nop: return;
      case Op::Block: case Op::Loop: {
        Ctl c;
        block_type(r, c.nparams, c.nresults);
        flush();
        c.kind = o == Op::Block ? Ctl::Block : Ctl::Loop;
        c.height = uint32_t(vs_.size()) - c.nparams;
        if (o == Op::Loop) {
          barrier();
          c.loop_pos = pos();
          if (fuel_) op(IOp::Fuel);
        }
        ctls_.push_back(std::move(c));
        return;
      }
      case Op::If: {
        Ctl c;
        block_type(r, c.nparams, c.nresults);
        Cmp cmp{};
        bool fused = take_cmp(cmp);
        uint32_t cond = fused ? 0 : src(top());
        pop();
        flush();
        c.kind = Ctl::If;
        c.height = uint32_t(vs_.size()) - c.nparams;
        uint32_t inst = pos();
        emit_cond(fused, cmp, cond, false);  // to the else/end when false
        c.if_inst = inst;
        c.if_word = pos();
        w(0);
        ctls_.push_back(std::move(c));
        return;
      }
      case Op::Else: do_else(); return;
      case Op::End: do_end(); return;
      case Op::Br: {
        Ctl& c = label(r.u32_unchecked());
        emit_branch(c);
        set_unreachable();
        return;
      }
      case Op::BrIf: {
        Ctl& c = label(r.u32_unchecked());
        Cmp cmp{};
        bool fused = take_cmp(cmp);
        uint32_t cond = fused ? 0 : src(top());
        pop();
        if (!needs_moves(c)) {
          uint32_t inst = pos();
          emit_cond(fused, cmp, cond, true);
          jump_offset(c, inst);
        } else {
          uint32_t inst = pos();
          emit_cond(fused, cmp, cond, false);  // skip the moves when false
          uint32_t word = pos();
          w(0);
          emit_branch(c);
          patch_here(inst, word);
        }
        barrier();
        return;
      }
      case Op::BrTable: {
        uint32_t n = r.u32_unchecked();
        std::vector<uint32_t> depths(n + 1);
        for (uint32_t i = 0; i <= n; ++i) depths[i] = r.u32_unchecked();
        uint32_t idx = src(top());
        pop();
        uint32_t inst = pos();
        op(IOp::BrTable);
        w(idx);
        w(n);
        uint32_t table = pos();
        for (uint32_t i = 0; i <= n; ++i) w(0);
        for (uint32_t i = 0; i <= n; ++i) {
          Ctl& c = label(depths[i]);
          if (!needs_moves(c)) {
            if (c.kind == Ctl::Loop) {
              code_[table + i] = uint32_t(int32_t(c.loop_pos) - int32_t(inst));
            } else {
              c.fixups.push_back({inst, table + i});
            }
          } else {
            code_[table + i] = uint32_t(int32_t(pos()) - int32_t(inst));
            emit_branch(c);
          }
        }
        set_unreachable();
        return;
      }
      case Op::Return:
        emit_branch(ctls_.front());
        set_unreachable();
        return;
      case Op::Call: {
        uint32_t f = r.u32_unchecked();
        const core::FuncType& t = m_.func_type(f);
        uint32_t np = uint32_t(t.params.size()), nr = uint32_t(t.results.size());
        call_common(np);
        uint32_t argbase = home(vs_.size());
        if (f >= m_.num_imported_funcs) {
          // Target and frame size are patched once every function is done.
          call_fixups_.push_back({pos(), f - m_.num_imported_funcs});
          op(IOp::CallLocal);
          w(0);
          w(0);
          w(argbase);
          w(f);
        } else {
          op(IOp::Call);
          w(f);
          w(argbase);
        }
        for (uint32_t i = 0; i < nr; ++i) push_home();
        barrier();
        return;
      }
      case Op::CallIndirect: {
        uint32_t ty = r.u32_unchecked();
        uint32_t tab = r.u32_unchecked();
        const core::FuncType& t = m_.types[ty];
        uint32_t np = uint32_t(t.params.size()), nr = uint32_t(t.results.size());
        // The index may live in the slot that becomes the callee's frame; the
        // handler reads it first.
        uint32_t idx = src(top());
        pop();
        call_common(np);
        uint32_t argbase = home(vs_.size());
        op(IOp::CallIndirect);
        w(ty);
        w(tab);
        w(idx);
        w(argbase);
        // Results may extend past the index slot: keep the frame big enough.
        for (uint32_t i = 0; i < nr; ++i) push_home();
        barrier();
        return;
      }
      case Op::Drop: pop(); return;
      case Op::Select: case Op::SelectT: {
        if (o == Op::SelectT) skip_imm(r, o);
        uint32_t c = src(top());
        uint32_t b = src(top() - 1);
        uint32_t a = src(top() - 2);
        pop(3);
        uint32_t d = push_home();
        op(IOp::Select);
        record_dst(pos(), 4);
        w(d);
        w(a);
        w(b);
        w(c);
        return;
      }
      case Op::LocalGet: {
        VEntry e;
        e.k = VEntry::Local;
        e.local = r.u32_unchecked();
        vs_.push_back(e);
        note_height();
        return;
      }
      case Op::LocalSet: local_set(r.u32_unchecked(), false); return;
      case Op::LocalTee: local_set(r.u32_unchecked(), true); return;
      case Op::GlobalGet: {
        uint32_t g = r.u32_unchecked();
        uint32_t d = push_home();
        op(IOp::GlobalGet);
        record_dst(pos(), 2);
        w(d);
        w(g);
        return;
      }
      case Op::GlobalSet: {
        uint32_t g = r.u32_unchecked();
        uint32_t a = src(top());
        pop();
        op(IOp::GlobalSet);
        w(g);
        w(a);
        barrier();
        return;
      }
      case Op::TableGet: {
        uint32_t t = r.u32_unchecked();
        uint32_t i = src(top());
        pop();
        uint32_t d = push_home();
        op(IOp::TableGet);
        w(d);
        w(t);
        w(i);
        barrier();
        return;
      }
      case Op::TableSet: {
        uint32_t t = r.u32_unchecked();
        uint32_t v = src(top());
        uint32_t i = src(top() - 1);
        pop(2);
        op(IOp::TableSet);
        w(t);
        w(i);
        w(v);
        barrier();
        return;
      }
      case Op::MemorySize: {
        uint32_t mi = r.u32_unchecked();
        uint32_t d = push_home();
        op(mi ? IOp::MemorySizeM : IOp::MemorySize);
        w(d);
        if (mi) w(mi);
        barrier();
        return;
      }
      case Op::MemoryGrow: {
        uint32_t mi = r.u32_unchecked();
        uint32_t a = src(top());
        pop();
        uint32_t d = push_home();
        op(mi ? IOp::MemoryGrowM : IOp::MemoryGrow);
        w(d);
        w(a);
        if (mi) w(mi);
        barrier();
        return;
      }
      case Op::I32Const: push_const(uint64_t(uint32_t(r.s32_unchecked()))); return;
      case Op::I64Const: push_const(uint64_t(r.s64_unchecked())); return;
      case Op::F32Const: push_const(r.fixed32_unchecked()); return;
      case Op::F64Const: push_const(r.fixed64_unchecked()); return;
      case Op::RefNull: r.u8_unchecked(); push_const(0); return;
      case Op::RefIsNull: unary(IOp::RefIsNull); return;
      case Op::RefFunc: {
        uint32_t f = r.u32_unchecked();
        uint32_t d = push_home();
        op(IOp::RefFunc);
        record_dst(pos(), 2);
        w(d);
        w(f);
        return;
      }
      case Op::MemoryInit: {
        uint32_t seg = r.u32_unchecked();
        uint32_t mi = r.u32_unchecked();
        if (mi == 0) {
          three(IOp::MemoryInit, seg, true);
        } else {
          three(IOp::MemoryInitM, seg, true);
          w(mi);
        }
        return;
      }
      case Op::DataDrop:
        op(IOp::DataDrop);
        w(r.u32_unchecked());
        return;
      case Op::MemoryCopy: {
        uint32_t dm = r.u32_unchecked();
        uint32_t sm = r.u32_unchecked();
        if (dm == 0 && sm == 0) {
          three(IOp::MemoryCopy, 0, false);
        } else {
          three(IOp::MemoryCopyM, 0, false);
          w(dm);
          w(sm);
        }
        return;
      }
      case Op::MemoryFill: {
        uint32_t mi = r.u32_unchecked();
        if (mi == 0) {
          three(IOp::MemoryFill, 0, false);
        } else {
          three(IOp::MemoryFillM, 0, false);
          w(mi);
        }
        return;
      }
      case Op::Throw: {
        uint32_t t = r.u32_unchecked();
        uint32_t np = uint32_t(m_.types[m_.tag_type_index(t)].params.size());
        call_common(np);
        uint32_t argbase = home(vs_.size());
        op(IOp::Throw);
        w(t);
        w(argbase);
        set_unreachable();
        barrier();
        return;
      }
      case Op::ThrowRef: {
        uint32_t a = src(top());
        pop();
        op(IOp::ThrowRef);
        w(a);
        set_unreachable();
        barrier();
        return;
      }
      case Op::TryTable: try_table(r); return;
      case Op::TableInit: {
        uint32_t seg = r.u32_unchecked();
        uint32_t t = r.u32_unchecked();
        uint32_t n = src(top()), s = src(top() - 1), d = src(top() - 2);
        pop(3);
        op(IOp::TableInit);
        w(t);
        w(seg);
        w(d);
        w(s);
        w(n);
        barrier();
        return;
      }
      case Op::ElemDrop:
        op(IOp::ElemDrop);
        w(r.u32_unchecked());
        return;
      case Op::TableCopy: {
        uint32_t dt = r.u32_unchecked();
        uint32_t st = r.u32_unchecked();
        uint32_t n = src(top()), s = src(top() - 1), d = src(top() - 2);
        pop(3);
        op(IOp::TableCopy);
        w(dt);
        w(st);
        w(d);
        w(s);
        w(n);
        barrier();
        return;
      }
      case Op::TableGrow: {
        uint32_t t = r.u32_unchecked();
        uint32_t n = src(top()), init = src(top() - 1);
        pop(2);
        uint32_t d = push_home();
        op(IOp::TableGrow);
        w(d);
        w(t);
        w(init);
        w(n);
        barrier();
        return;
      }
      case Op::TableSize: {
        uint32_t t = r.u32_unchecked();
        uint32_t d = push_home();
        op(IOp::TableSize);
        w(d);
        w(t);
        barrier();
        return;
      }
      case Op::TableFill: {
        uint32_t t = r.u32_unchecked();
        uint32_t n = src(top()), v = src(top() - 1), i = src(top() - 2);
        pop(3);
        op(IOp::TableFill);
        w(t);
        w(i);
        w(v);
        w(n);
        barrier();
        return;
      }
      default:
        // Unknown to the translator (validation should have rejected it).
        skip_imm(r, o);
        op(IOp::Unreachable);
        return;
    }
  }

  // try_table: a block whose catch clauses get landing pads, emitted out of
  // the normal path (jumped over) before the body.  The unwinder leaves a
  // clause's values in the slots at the try_table's base height; the pad
  // branches to the clause's label like `br` (moves, then jump or return).
  void try_table(Reader& r) {
    Ctl c;
    block_type(r, c.nparams, c.nresults);
    struct Clause {
      uint8_t kind;
      uint32_t tag, label;
    };
    uint32_t n = r.u32_unchecked();
    std::vector<Clause> clauses(n);
    for (auto& cl : clauses) {
      cl.kind = r.u8_unchecked();
      cl.tag = cl.kind < 2 ? r.u32_unchecked() : 0;
      cl.label = r.u32_unchecked();
    }
    flush();
    barrier();
    c.kind = Ctl::Block;
    c.height = uint32_t(vs_.size()) - c.nparams;
    TryRange tr;
    tr.first_catch = uint32_t(out_.catches.size());
    tr.num_catches = n;
    if (n) {
      uint32_t skip_inst = pos();
      op(IOp::Br);
      uint32_t skip_word = pos();
      w(0);
      std::vector<VEntry> saved = vs_;
      for (const Clause& cl : clauses) {
        CatchClause cc;
        cc.kind = CatchClause::Kind(cl.kind);
        cc.tag = cl.tag;
        cc.dst = nlocals_ + c.height;
        cc.target = pos() - func_start_;
        uint32_t nv = cl.kind < 2 ? uint32_t(m_.types[m_.tag_type_index(cl.tag)].params.size()) : 0;
        if (cl.kind == 1 || cl.kind == 3) ++nv;
        vs_.resize(c.height);
        for (uint32_t i = 0; i < nv; ++i) push_home();
        // (The try_table's own label is not pushed yet: depths count from outside.)
        emit_branch(label(cl.label));
        barrier();
        out_.catches.push_back(cc);
      }
      vs_ = std::move(saved);
      patch_here(skip_inst, skip_word);
    }
    tr.begin = pos() - func_start_;
    c.try_idx = int32_t(open_tries_.size());
    open_tries_.push_back(tr);
    ctls_.push_back(std::move(c));
  }

  // Three-operand bulk op (d s n) with an optional leading segment index.
  void three(IOp io, uint32_t seg, bool with_seg) {
    uint32_t n = src(top()), s = src(top() - 1), d = src(top() - 2);
    pop(3);
    op(io);
    if (with_seg) w(seg);
    w(d);
    w(s);
    w(n);
    barrier();
  }


 public:
  struct CallFixup {
    uint32_t inst;
    uint32_t callee;  // local function index
  };
  std::vector<CallFixup> call_fixups_;

 private:
  const core::Module& m_;
  bool fuel_;
  CompiledCode& out_;
  std::vector<uint32_t>& code_;
  uint32_t func_start_ = 0;
  std::vector<TryRange> open_tries_;  // begun, by Ctl::try_idx
  std::vector<TryRange> fn_tries_;    // closed, innermost first
  const void* const* h_;
  uint32_t nparams_ = 0, nlocals_ = 0, nres_ = 0, max_h_ = 0;
  std::vector<VEntry> vs_;
  std::vector<Ctl> ctls_;
  uint32_t dead_depth_ = 0;
  size_t last_end_ = kNone, last_dst_pos_ = 0, last_h_ = 0;
  size_t cmp_start_ = 0, cmp_end_ = kNone, cmp_h_ = 0;
  size_t add_start_ = 0, add_end_ = kNone, add_h_ = 0;
  size_t load_start_ = 0, load_end_ = kNone, load_h_ = 0;
  uint32_t load_addr_ = 0, load_off_ = 0;
  Op load_op_ = Op::Nop;
  uint32_t add_base_ = 0, add_imm_ = 0;  // add_imm_: immediate, or index slot
  bool add_indexed_ = false;
  Op cmp_op_ = Op::Nop;
  uint32_t cmp_a_ = 0, cmp_b_ = 0;
  bool cmp_imm_ = false;
};

}  // namespace

Result<void> translate(const core::Module& m, bool fuel, CompiledCode& out) {
  out.words.clear();
  out.funcs.clear();
  out.tries.clear();
  out.catches.clear();
  out.words.reserve(m.bytes.size());
  Translator t(m, fuel, out);
  for (const auto& fn : m.functions) {
    COMPONO_TRY(CompiledFunc cf, t.run(fn));
    out.funcs.push_back(cf);
  }
  for (const auto& fx : t.call_fixups_) {
    const CompiledFunc& cf = out.funcs[fx.callee];
    out.words[fx.inst + 2] = uint32_t(int32_t(cf.code_offset) - int32_t(fx.inst));
    out.words[fx.inst + 3] = cf.frame_size;
  }
  return {};
}

}  // namespace compono::wasm::detail
