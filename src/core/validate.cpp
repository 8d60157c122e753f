// validate.cpp - the validator for core WebAssembly 2.0 modules.
//
// Module-level checks plus the spec appendix's operand/control stack
// algorithm for function bodies, in one pass per body with no per-instruction
// allocation (the stacks are reused across functions).  Error messages are
// those of the spec testsuite's assert_invalid; errors carry the byte offset
// of the offending instruction or entity.
#include <algorithm>
#include <string>
#include <vector>

#include "core/module.h"
#include "core/opcodes.h"

namespace compono::core {
namespace {

// Operand types on the validation stack: a ValType byte, or kUnknown for the
// polymorphic "bottom" type produced in unreachable code.
using VT = uint8_t;
constexpr VT kUnknown = 0;
constexpr VT kI32 = uint8_t(ValType::I32), kI64 = uint8_t(ValType::I64), kF32 = uint8_t(ValType::F32),
             kF64 = uint8_t(ValType::F64), kFuncRef = uint8_t(ValType::FuncRef),
             kExternRef = uint8_t(ValType::ExternRef), kExnRef = uint8_t(ValType::ExnRef);

bool vt_is_ref(VT t) { return t == kFuncRef || t == kExternRef || t == kExnRef; }
bool vt_is_num(VT t) { return t == kUnknown || !vt_is_ref(t); }

// One-element type lists for value block types.
const ValType kSingle[] = {ValType::I32, ValType::I64, ValType::F32, ValType::F64,
                           ValType::V128, ValType::FuncRef, ValType::ExternRef, ValType::ExnRef};
const ValType* single(ValType t) {
  switch (t) {
    case ValType::I32: return &kSingle[0];
    case ValType::I64: return &kSingle[1];
    case ValType::F32: return &kSingle[2];
    case ValType::F64: return &kSingle[3];
    case ValType::V128: return &kSingle[4];
    case ValType::FuncRef: return &kSingle[5];
    case ValType::ExternRef: return &kSingle[6];
    case ValType::ExnRef: return &kSingle[7];
  }
  return &kSingle[0];
}

// Operand and result types of the fixed signatures (kUnknown = none).
struct SigTypes {
  VT a, b, res;
};
constexpr SigTypes sig_types(Sig sig) {
  switch (sig) {
    case Sig::Special: return {kUnknown, kUnknown, kUnknown};
    case Sig::V_I: return {kUnknown, kUnknown, kI32};
    case Sig::V_L: return {kUnknown, kUnknown, kI64};
    case Sig::V_F: return {kUnknown, kUnknown, kF32};
    case Sig::V_D: return {kUnknown, kUnknown, kF64};
    case Sig::I_I: return {kI32, kUnknown, kI32};
    case Sig::L_L: return {kI64, kUnknown, kI64};
    case Sig::F_F: return {kF32, kUnknown, kF32};
    case Sig::D_D: return {kF64, kUnknown, kF64};
    case Sig::II_I: return {kI32, kI32, kI32};
    case Sig::LL_L: return {kI64, kI64, kI64};
    case Sig::FF_F: return {kF32, kF32, kF32};
    case Sig::DD_D: return {kF64, kF64, kF64};
    case Sig::L_I: return {kI64, kUnknown, kI32};
    case Sig::LL_I: return {kI64, kI64, kI32};
    case Sig::FF_I: return {kF32, kF32, kI32};
    case Sig::DD_I: return {kF64, kF64, kI32};
    case Sig::I_L: return {kI32, kUnknown, kI64};
    case Sig::I_F: return {kI32, kUnknown, kF32};
    case Sig::I_D: return {kI32, kUnknown, kF64};
    case Sig::L_F: return {kI64, kUnknown, kF32};
    case Sig::L_D: return {kI64, kUnknown, kF64};
    case Sig::F_I: return {kF32, kUnknown, kI32};
    case Sig::F_L: return {kF32, kUnknown, kI64};
    case Sig::F_D: return {kF32, kUnknown, kF64};
    case Sig::D_I: return {kF64, kUnknown, kI32};
    case Sig::D_L: return {kF64, kUnknown, kI64};
    case Sig::D_F: return {kF64, kUnknown, kF32};
    case Sig::II_V: return {kI32, kI32, kUnknown};
    case Sig::IL_V: return {kI32, kI64, kUnknown};
    case Sig::IF_V: return {kI32, kF32, kUnknown};
    case Sig::ID_V: return {kI32, kF64, kUnknown};
  }
  return {kUnknown, kUnknown, kUnknown};
}
struct SigTable {
  SigTypes t[64];
};
constexpr SigTable make_sig_table() {
  SigTable st{};
  for (int i = 0; i <= int(Sig::ID_V); ++i) st.t[i] = sig_types(Sig(i));
  return st;
}
constexpr SigTable kSigTable = make_sig_table();
constexpr const SigTypes* kSigTypes = kSigTable.t;

struct TypeList {
  const ValType* data = nullptr;
  uint32_t size = 0;
};

// The operand type stack: a growable array whose push/pop inline to a few
// instructions (std::vector::push_back is not reliably inlined).
class ValStack {
 public:
  size_t size() const { return n_; }
  VT back() const { return buf_[n_ - 1]; }
  void pop_back() { --n_; }
  void push_back(VT t) {
    if (n_ == buf_.size()) grow();
    buf_[n_++] = t;
  }
  void resize(size_t n) { n_ = n; }  // shrink only
  void clear() { n_ = 0; }

 private:
  void grow() { buf_.resize(buf_.size() * 2 + 256); }
  std::vector<VT> buf_;
  size_t n_ = 0;
};

struct Ctrl {
  Op op;
  TypeList params;
  TypeList results;
  uint32_t height;
  bool unreachable;
  bool has_else;
};

std::string with_index(const char* msg, uint64_t idx) { return std::string(msg) + " " + std::to_string(idx); }

class Validator {
 public:
  explicit Validator(const Module& m) : m_(m) {}
  Result<void> run();

 private:
  bool fail(std::string msg, size_t off) {
    if (!failed_) { failed_ = true; err_ = Error(std::move(msg), off); }
    return false;
  }
  bool rfail(const Reader& r) { return fail(r.error() == ReadError::UnexpectedEnd ? "unexpected end" : r.error_message(), r.error_offset()); }

  bool check_limits(const Limits& l, uint64_t bound, const char* too_big, size_t at) {
    if (l.min > bound) return fail(too_big, at);
    if (l.max) {
      if (*l.max > bound) return fail(too_big, at);
      if (l.min > *l.max) return fail("size minimum must not be greater than maximum", at);
    }
    return true;
  }
  bool const_expr(const ConstExpr& e, ValType expected);
  bool function(uint32_t index, const Function& f);

  // --- operand stack -------------------------------------------------------
  void push(VT t) { vals_.push_back(t); }
  void push(TypeList l) {
    for (uint32_t i = 0; i < l.size; ++i) vals_.push_back(VT(l.data[i]));
  }
  bool pop(VT& out, size_t at) {
    const Ctrl& c = ctrls_.back();
    if (vals_.size() == c.height) {
      if (c.unreachable) { out = kUnknown; return true; }
      return fail("type mismatch: operand stack underflow", at);
    }
    out = vals_.back();
    vals_.pop_back();
    return true;
  }
  bool pop_expect(VT expect, size_t at) {
    if (vals_.size() > ctrls_.back().height && vals_.back() == expect) {  // fast path
      vals_.pop_back();
      return true;
    }
    return pop_expect_slow(expect, at);
  }
  [[gnu::noinline]] bool pop_expect_slow(VT expect, size_t at) {
    VT t;
    if (!pop(t, at)) return false;
    if (t != expect && t != kUnknown && expect != kUnknown) return mismatch(expect, t, at);
    return true;
  }
  bool pop_expect(TypeList l, size_t at) {
    for (uint32_t i = l.size; i-- > 0;)
      if (!pop_expect(VT(l.data[i]), at)) return false;
    return true;
  }
  bool mismatch(VT expect, VT got, size_t at) {
    return fail(std::string("type mismatch: expected ") + to_string(ValType(expect)) + ", got " + to_string(ValType(got)), at);
  }
  void push_ctrl(Op op, TypeList params, TypeList results) {
    ctrls_.push_back(Ctrl{op, params, results, uint32_t(vals_.size()), false, false});
    push(params);
  }
  bool pop_ctrl(Ctrl& out, size_t at) {
    const Ctrl& c = ctrls_.back();
    if (!pop_expect(c.results, at)) return false;
    if (vals_.size() != c.height) return fail("type mismatch: values remain on the stack at end of block", at);
    out = c;
    ctrls_.pop_back();
    return true;
  }
  static TypeList label_types(const Ctrl& c) { return c.op == Op::Loop ? c.params : c.results; }
  void set_unreachable() {
    vals_.resize(ctrls_.back().height);
    ctrls_.back().unreachable = true;
  }
  bool block_type(Reader& r, TypeList& params, TypeList& results);
  bool memarg(Reader& r, Op op, size_t at);
  // A memory index immediate (the reserved byte of Wasm 2.0).
  bool memidx(Reader& r, size_t at) {
    uint32_t x;
    if (m_.features.multi_memory) {
      if (!r.u32(x)) return rfail(r);
    } else {
      uint8_t z;
      if (!r.u8(z)) return rfail(r);
      x = z;
    }
    return need_memory(x, at);
  }
  bool try_table(Reader& r, size_t at);
  bool need_tag(uint32_t idx, size_t at) {
    if (idx >= tag_types_.size()) return fail(with_index("unknown tag", idx), at);
    return true;
  }
  bool need_memory(uint32_t idx, size_t at) {
    if (idx >= m_.num_memories()) return fail(with_index("unknown memory", idx), at);
    return true;
  }
  bool need_table(uint32_t idx, size_t at) {
    if (idx >= m_.num_tables()) return fail(with_index("unknown table", idx), at);
    return true;
  }

  const Module& m_;
  bool failed_ = false;
  Error err_;

  std::vector<ValType> table_types_;   // element type per table
  std::vector<GlobalType> globals_;    // every global (imports first)
  std::vector<uint32_t> func_types_;   // type index per function
  std::vector<uint8_t> declared_refs_; // function index -> may be ref.func'd
  std::vector<uint32_t> tag_types_;    // type index per tag (imports first)

  ValStack vals_;
  std::vector<Ctrl> ctrls_;
  std::vector<ValType> locals_;
  std::vector<VT> scratch_;
  // Data segments memory.init/data.drop may name: the data count when
  // present (the decoder requires it if there is a data section).
  uint32_t num_datas_ = 0;
};

bool Validator::block_type(Reader& r, TypeList& params, TypeList& results) {
  size_t at = r.offset();
  params = {};
  results = {};
  uint8_t first;
  if (!r.peek(first)) return fail("unexpected end", at);
  if (first == 0x40) {
    r.skip(1);
    return true;
  }
  switch (first) {
    case 0x7f: case 0x7e: case 0x7d: case 0x7c: case 0x7b: case 0x70: case 0x6f: case 0x69:
      // (0x69 = exnref: the decoder lets it through only with the feature.)
      r.skip(1);
      results = {single(ValType(first)), 1};
      return true;
  }
  int64_t bt;
  if (!r.s33(bt)) return rfail(r);
  if (bt >= 0) {
    if (uint64_t(bt) >= m_.types.size()) return fail(with_index("unknown type", uint64_t(bt)), at);
    const FuncType& ft = m_.types[size_t(bt)];
    params = {ft.params.data(), uint32_t(ft.params.size())};
    results = {ft.results.data(), uint32_t(ft.results.size())};
    return true;
  }
  return fail("malformed value type", at);  // a negative s33 other than the one-byte forms
}

bool Validator::memarg(Reader& r, Op op, size_t at) {
  uint32_t align, offset, mem = 0;
  if (!r.u32(align)) return rfail(r);
  if (m_.features.multi_memory && align >= 0x40 && align < 0x80) {
    align -= 0x40;
    if (!r.u32(mem)) return rfail(r);
  }
  if (!r.u32(offset)) return rfail(r);
  if (!need_memory(mem, at)) return false;
  if (align > uint32_t(op_natural_align(op))) return fail("alignment must not be larger than natural", at);
  return true;
}

// try_table blocktype vec(catch): each catch's label (relative to the
// enclosing blocks; the try_table's own label is not in scope) must take
// the tag's payload types, plus an exnref for catch_ref / catch_all_ref.
bool Validator::try_table(Reader& r, size_t at) {
  TypeList p, q;
  if (!block_type(r, p, q)) return false;
  uint32_t n;
  if (!r.u32(n)) return rfail(r);
  for (uint32_t i = 0; i < n; ++i) {
    uint8_t kind;
    uint32_t tag = 0, label;
    if (!r.u8(kind)) return rfail(r);
    if (kind < 2 && !r.u32(tag)) return rfail(r);
    if (!r.u32(label)) return rfail(r);
    scratch_.clear();
    if (kind < 2) {
      if (!need_tag(tag, at)) return false;
      const FuncType& tt = m_.types[tag_types_[tag]];
      for (ValType t : tt.params) scratch_.push_back(VT(t));
    }
    if (kind == 1 || kind == 3) scratch_.push_back(kExnRef);
    if (label >= ctrls_.size()) return fail(with_index("unknown label", label), at);
    TypeList lt = label_types(ctrls_[ctrls_.size() - 1 - label]);
    bool same = lt.size == scratch_.size();
    for (uint32_t j = 0; same && j < lt.size; ++j) same = VT(lt.data[j]) == scratch_[j];
    if (!same) return fail("type mismatch: catch label types do not match the tag's payload", at);
  }
  if (!pop_expect(p, at)) return false;
  push_ctrl(Op::TryTable, p, q);
  return true;
}

bool Validator::const_expr(const ConstExpr& e, ValType expected) {
  if (e.code.begin > e.code.end || e.code.end > m_.bytes.size())
    return fail("constant expression outside the module's bytes", Error::npos);
  const uint8_t* base = m_.bytes.data();
  Reader r(base + e.code.begin, base + e.code.end, e.code.begin);
  size_t depth = 0;  // values produced
  VT top = kUnknown;
  for (;;) {
    size_t at = r.offset();
    uint16_t code;
    if (!r.op(code)) return rfail(r);
    Op op = Op(code);
    switch (op) {
      case Op::End:
        if (depth != 1) return fail("type mismatch: constant expression must produce exactly one value", at);
        if (top != VT(expected)) return mismatch(VT(expected), top, at);
        return true;
      case Op::I32Const: { int32_t v; if (!r.s32(v)) return rfail(r); top = kI32; break; }
      case Op::I64Const: { int64_t v; if (!r.s64(v)) return rfail(r); top = kI64; break; }
      case Op::F32Const: if (!r.skip(4)) return rfail(r); top = kF32; break;
      case Op::F64Const: if (!r.skip(8)) return rfail(r); top = kF64; break;
      case Op::RefNull: { uint8_t t; if (!r.u8(t)) return rfail(r); top = t; break; }
      case Op::RefFunc: {
        uint32_t f;
        if (!r.u32(f)) return rfail(r);
        if (f >= m_.num_funcs()) return fail(with_index("unknown function", f), at);
        top = kFuncRef;
        break;
      }
      case Op::GlobalGet: {
        uint32_t g;
        if (!r.u32(g)) return rfail(r);
        if (g >= m_.num_imported_globals) return fail(with_index("unknown global", g), at);
        if (globals_[g].mut) return fail("constant expression required", at);
        top = VT(globals_[g].type);
        break;
      }
      default:
        return fail("constant expression required", at);
    }
    ++depth;
  }
}

bool Validator::function(uint32_t index, const Function& f) {
  const FuncType& ft = m_.types[f.type];
  locals_.assign(ft.params.begin(), ft.params.end());
  locals_.insert(locals_.end(), f.locals.begin(), f.locals.end());
  vals_.clear();
  ctrls_.clear();
  push_ctrl(Op::Block, {}, {ft.results.data(), uint32_t(ft.results.size())});
  (void)index;

  if (f.body.begin > f.body.end || f.body.end > m_.bytes.size())
    return fail("function body outside the module's bytes", Error::npos);
  const uint8_t* base = m_.bytes.data();
  Reader r(base + f.body.begin, base + f.body.end, f.body.begin);
  const uint32_t nfuncs = m_.num_funcs();
  const uint32_t nglobals = m_.num_globals();
  while (!ctrls_.empty()) {
    size_t at = r.offset();
    uint16_t code;
    if (!r.op(code)) return rfail(r);
    const OpInfo info = op_info(code);
    if (!info.known) {
      if (!m_.features.exceptions) return fail("illegal opcode", at);
      if (code == uint16_t(Op::Throw)) {
        uint32_t x;
        if (!r.u32(x)) return rfail(r);
        if (!need_tag(x, at)) return false;
        const FuncType& tt = m_.types[tag_types_[x]];
        if (!pop_expect({tt.params.data(), uint32_t(tt.params.size())}, at)) return false;
        set_unreachable();
      } else if (code == uint16_t(Op::ThrowRef)) {
        if (!pop_expect(kExnRef, at)) return false;
        set_unreachable();
      } else if (code == uint16_t(Op::TryTable)) {
        if (!try_table(r, at)) return false;
      } else {
        return fail("illegal opcode", at);
      }
      continue;
    }
    Op op = Op(code);

    // Simple, fixed-signature instructions.
    const Sig sig = info.sig;
    if (sig != Sig::Special) {
      switch (info.imm) {
        case Imm::None: break;
        case Imm::MemArg: if (!memarg(r, op, at)) return false; break;
        case Imm::I32: { int32_t v; if (!r.s32(v)) return rfail(r); break; }
        case Imm::I64: { int64_t v; if (!r.s64(v)) return rfail(r); break; }
        case Imm::F32: if (!r.skip(4)) return rfail(r); break;
        case Imm::F64: if (!r.skip(8)) return rfail(r); break;
        default: return fail("internal error: unexpected immediate", at);
      }
      const SigTypes st = kSigTypes[size_t(sig)];
      const VT a = st.a, b = st.b, res = st.res;
      // Operands are popped in reverse: b (second) first, then a.
      if (b != kUnknown && !pop_expect(b, at)) return false;
      if (a != kUnknown && !pop_expect(a, at)) return false;
      if (res != kUnknown) push(res);
      continue;
    }

    switch (op) {
      case Op::Unreachable:
        set_unreachable();
        break;
      case Op::Nop:
        break;
      case Op::Block:
      case Op::Loop: {
        TypeList p, q;
        if (!block_type(r, p, q)) return false;
        if (!pop_expect(p, at)) return false;
        push_ctrl(op, p, q);
        break;
      }
      case Op::If: {
        TypeList p, q;
        if (!block_type(r, p, q)) return false;
        if (!pop_expect(kI32, at)) return false;
        if (!pop_expect(p, at)) return false;
        push_ctrl(op, p, q);
        break;
      }
      case Op::Else: {
        if (ctrls_.back().op != Op::If || ctrls_.back().has_else) return fail("else without matching if", at);
        Ctrl c;
        if (!pop_ctrl(c, at)) return false;
        push_ctrl(Op::If, c.params, c.results);
        ctrls_.back().has_else = true;
        break;
      }
      case Op::End: {
        Ctrl c;
        if (!pop_ctrl(c, at)) return false;
        if (c.op == Op::If && !c.has_else) {
          // The implicit else passes the parameters through unchanged.
          bool same = c.params.size == c.results.size;
          for (uint32_t i = 0; same && i < c.params.size; ++i) same = c.params.data[i] == c.results.data[i];
          if (!same) return fail("type mismatch: if without else must have matching param and result types", at);
        }
        push(c.results);
        break;
      }
      case Op::Br: {
        uint32_t l;
        if (!r.u32(l)) return rfail(r);
        if (l >= ctrls_.size()) return fail(with_index("unknown label", l), at);
        if (!pop_expect(label_types(ctrls_[ctrls_.size() - 1 - l]), at)) return false;
        set_unreachable();
        break;
      }
      case Op::BrIf: {
        uint32_t l;
        if (!r.u32(l)) return rfail(r);
        if (l >= ctrls_.size()) return fail(with_index("unknown label", l), at);
        if (!pop_expect(kI32, at)) return false;
        TypeList lt = label_types(ctrls_[ctrls_.size() - 1 - l]);
        if (!pop_expect(lt, at)) return false;
        push(lt);
        break;
      }
      case Op::BrTable: {
        uint32_t n;
        if (!r.u32(n)) return rfail(r);
        if (!pop_expect(kI32, at)) return false;
        // Read the default label first to know the arity.
        Reader peek = r;
        for (uint32_t i = 0; i < n; ++i) {
          uint32_t l;
          if (!peek.u32(l)) return rfail(peek);
        }
        uint32_t def;
        if (!peek.u32(def)) return rfail(peek);
        if (def >= ctrls_.size()) return fail(with_index("unknown label", def), at);
        TypeList dt = label_types(ctrls_[ctrls_.size() - 1 - def]);
        for (uint32_t i = 0; i < n; ++i) {
          uint32_t l;
          r.u32(l);
          if (l >= ctrls_.size()) return fail(with_index("unknown label", l), at);
          TypeList lt = label_types(ctrls_[ctrls_.size() - 1 - l]);
          if (lt.size != dt.size) return fail("type mismatch: br_table targets have different arities", at);
          // Pop and re-push the label's values (keeping what was popped).
          scratch_.resize(lt.size);
          for (uint32_t j = lt.size; j-- > 0;) {
            VT t;
            if (!pop(t, at)) return false;
            VT e = VT(lt.data[j]);
            if (t != e && t != kUnknown) return mismatch(e, t, at);
            scratch_[j] = t;
          }
          for (uint32_t j = 0; j < lt.size; ++j) push(scratch_[j]);
        }
        r.u32(def);
        if (!pop_expect(dt, at)) return false;
        set_unreachable();
        break;
      }
      case Op::Return: {
        if (!pop_expect(ctrls_[0].results, at)) return false;
        set_unreachable();
        break;
      }
      case Op::Call: {
        uint32_t fi;
        if (!r.u32(fi)) return rfail(r);
        if (fi >= nfuncs) return fail(with_index("unknown function", fi), at);
        const FuncType& t = m_.types[func_types_[fi]];
        if (!pop_expect({t.params.data(), uint32_t(t.params.size())}, at)) return false;
        push({t.results.data(), uint32_t(t.results.size())});
        break;
      }
      case Op::CallIndirect: {
        uint32_t ti, tab;
        if (!r.u32(ti) || !r.u32(tab)) return rfail(r);
        if (!need_table(tab, at)) return false;
        if (table_types_[tab] != ValType::FuncRef) return fail("type mismatch: call_indirect on a table of externref", at);
        if (ti >= m_.types.size()) return fail(with_index("unknown type", ti), at);
        const FuncType& t = m_.types[ti];
        if (!pop_expect(kI32, at)) return false;
        if (!pop_expect({t.params.data(), uint32_t(t.params.size())}, at)) return false;
        push({t.results.data(), uint32_t(t.results.size())});
        break;
      }
      case Op::Drop: {
        VT t;
        if (!pop(t, at)) return false;
        break;
      }
      case Op::Select: {
        if (!pop_expect(kI32, at)) return false;
        VT t1, t2;
        if (!pop(t1, at) || !pop(t2, at)) return false;
        if (!vt_is_num(t1) || !vt_is_num(t2)) return fail("type mismatch: select without type needs numeric operands", at);
        if (t1 != t2 && t1 != kUnknown && t2 != kUnknown) return mismatch(t1, t2, at);
        push(t1 == kUnknown ? t2 : t1);
        break;
      }
      case Op::SelectT: {
        uint32_t n;
        if (!r.u32(n)) return rfail(r);
        if (n != 1) return fail("invalid result arity", at);
        uint8_t tb;
        if (!r.u8(tb)) return rfail(r);
        if (!pop_expect(kI32, at) || !pop_expect(tb, at) || !pop_expect(tb, at)) return false;
        push(tb);
        break;
      }
      case Op::LocalGet:
      case Op::LocalSet:
      case Op::LocalTee: {
        uint32_t li;
        if (!r.u32(li)) return rfail(r);
        if (li >= locals_.size()) return fail(with_index("unknown local", li), at);
        VT t = VT(locals_[li]);
        if (op == Op::LocalGet) { push(t); break; }
        if (!pop_expect(t, at)) return false;
        if (op == Op::LocalTee) push(t);
        break;
      }
      case Op::GlobalGet:
      case Op::GlobalSet: {
        uint32_t gi;
        if (!r.u32(gi)) return rfail(r);
        if (gi >= nglobals) return fail(with_index("unknown global", gi), at);
        VT t = VT(globals_[gi].type);
        if (op == Op::GlobalGet) { push(t); break; }
        if (!globals_[gi].mut) return fail("global is immutable", at);
        if (!pop_expect(t, at)) return false;
        break;
      }
      case Op::TableGet:
      case Op::TableSet: {
        uint32_t ti;
        if (!r.u32(ti)) return rfail(r);
        if (!need_table(ti, at)) return false;
        VT t = VT(table_types_[ti]);
        if (op == Op::TableGet) {
          if (!pop_expect(kI32, at)) return false;
          push(t);
        } else {
          if (!pop_expect(t, at) || !pop_expect(kI32, at)) return false;
        }
        break;
      }
      case Op::MemorySize:
      case Op::MemoryGrow: {
        if (!memidx(r, at)) return false;
        if (op == Op::MemoryGrow && !pop_expect(kI32, at)) return false;
        push(kI32);
        break;
      }
      case Op::RefNull: {
        uint8_t t;
        if (!r.u8(t)) return rfail(r);
        push(t);
        break;
      }
      case Op::RefIsNull: {
        VT t;
        if (!pop(t, at)) return false;
        if (t != kUnknown && !vt_is_ref(t)) return fail("type mismatch: ref.is_null needs a reference", at);
        push(kI32);
        break;
      }
      case Op::RefFunc: {
        uint32_t fi;
        if (!r.u32(fi)) return rfail(r);
        if (fi >= nfuncs) return fail(with_index("unknown function", fi), at);
        if (!declared_refs_[fi]) return fail("undeclared function reference", at);
        push(kFuncRef);
        break;
      }
      case Op::MemoryInit: {
        uint32_t di;
        if (!r.u32(di)) return rfail(r);
        if (!memidx(r, at)) return false;
        if (di >= num_datas_) return fail(with_index("unknown data segment", di), at);
        if (!pop_expect(kI32, at) || !pop_expect(kI32, at) || !pop_expect(kI32, at)) return false;
        break;
      }
      case Op::DataDrop: {
        uint32_t di;
        if (!r.u32(di)) return rfail(r);
        if (di >= num_datas_) return fail(with_index("unknown data segment", di), at);
        break;
      }
      case Op::MemoryCopy:
      case Op::MemoryFill: {
        if (!memidx(r, at)) return false;
        if (op == Op::MemoryCopy && !memidx(r, at)) return false;
        if (!pop_expect(kI32, at) || !pop_expect(op == Op::MemoryFill ? kI32 : kI32, at) || !pop_expect(kI32, at))
          return false;
        break;
      }
      case Op::TableInit: {
        uint32_t ei, ti;
        if (!r.u32(ei) || !r.u32(ti)) return rfail(r);
        if (!need_table(ti, at)) return false;
        if (ei >= m_.elems.size()) return fail(with_index("unknown elem segment", ei), at);
        if (m_.elems[ei].type != table_types_[ti]) return mismatch(VT(table_types_[ti]), VT(m_.elems[ei].type), at);
        if (!pop_expect(kI32, at) || !pop_expect(kI32, at) || !pop_expect(kI32, at)) return false;
        break;
      }
      case Op::ElemDrop: {
        uint32_t ei;
        if (!r.u32(ei)) return rfail(r);
        if (ei >= m_.elems.size()) return fail(with_index("unknown elem segment", ei), at);
        break;
      }
      case Op::TableCopy: {
        uint32_t dst, src;
        if (!r.u32(dst) || !r.u32(src)) return rfail(r);
        if (!need_table(dst, at) || !need_table(src, at)) return false;
        if (table_types_[dst] != table_types_[src]) return mismatch(VT(table_types_[dst]), VT(table_types_[src]), at);
        if (!pop_expect(kI32, at) || !pop_expect(kI32, at) || !pop_expect(kI32, at)) return false;
        break;
      }
      case Op::TableGrow:
      case Op::TableSize:
      case Op::TableFill: {
        uint32_t ti;
        if (!r.u32(ti)) return rfail(r);
        if (!need_table(ti, at)) return false;
        VT t = VT(table_types_[ti]);
        if (op == Op::TableGrow) {
          if (!pop_expect(kI32, at) || !pop_expect(t, at)) return false;
          push(kI32);
        } else if (op == Op::TableSize) {
          push(kI32);
        } else {
          if (!pop_expect(kI32, at) || !pop_expect(t, at) || !pop_expect(kI32, at)) return false;
        }
        break;
      }
      default:
        return fail("illegal opcode", at);
    }
  }
  if (!r.at_end()) return fail("section size mismatch: code after the function's final end", r.offset());
  return true;
}

// Offset of entry i from a Module::offsets vector, or npos.
size_t entry_offset(const std::vector<uint32_t>& v, size_t i) { return i < v.size() ? v[i] : Error::npos; }

Result<void> Validator::run() {
  const Module& m = m_;
  const auto& off = m.offsets;
  const char* kMemTooBig = "memory size must be at most 65536 pages (4GiB)";
  const char* kTableTooBig = "table size must be at most 2^32-1";
  // Types referenced by imports and functions; limits.
  for (size_t i = 0; i < m.imports.size(); ++i) {
    const Import& im = m.imports[i];
    const size_t at = entry_offset(off.imports, i);
    switch (im.kind) {
      case ExternKind::Func:
        if (im.func_type >= m.types.size()) return Failure{Error(with_index("unknown type", im.func_type), at)};
        func_types_.push_back(im.func_type);
        break;
      case ExternKind::Table:
        if (!check_limits(im.table.limits, 0xffffffffu, kTableTooBig, at)) return Failure{err_};
        table_types_.push_back(im.table.elem);
        break;
      case ExternKind::Memory:
        if (!check_limits(im.memory.limits, 65536, kMemTooBig, at)) return Failure{err_};
        break;
      case ExternKind::Global:
        globals_.push_back(im.global);
        break;
      case ExternKind::Tag:
        if (im.tag_type >= m.types.size()) return Failure{Error(with_index("unknown type", im.tag_type), at)};
        if (!m.types[im.tag_type].results.empty()) return Failure{Error("non-empty tag result type", at)};
        tag_types_.push_back(im.tag_type);
        break;
    }
  }
  for (size_t i = 0; i < m.tags.size(); ++i) {
    const size_t at = entry_offset(off.tags, i);
    if (m.tags[i] >= m.types.size()) return Failure{Error(with_index("unknown type", m.tags[i]), at)};
    if (!m.types[m.tags[i]].results.empty()) return Failure{Error("non-empty tag result type", at)};
    tag_types_.push_back(m.tags[i]);
  }
  for (size_t i = 0; i < m.functions.size(); ++i) {
    const Function& f = m.functions[i];
    if (f.type >= m.types.size()) return Failure{Error(with_index("unknown type", f.type), entry_offset(off.functions, i))};
    func_types_.push_back(f.type);
  }
  for (size_t i = 0; i < m.tables.size(); ++i) {
    if (!check_limits(m.tables[i].limits, 0xffffffffu, kTableTooBig, entry_offset(off.tables, i))) return Failure{err_};
    table_types_.push_back(m.tables[i].elem);
  }
  for (size_t i = 0; i < m.memories.size(); ++i)
    if (!check_limits(m.memories[i].limits, 65536, kMemTooBig, entry_offset(off.memories, i))) return Failure{err_};
  if (m.num_memories() > 1 && !m.features.multi_memory) {
    // Point at the second memory.
    size_t at = m.num_imported_memories >= 2
                    ? (m.import_memories.size() >= 2 ? entry_offset(off.imports, m.import_memories[1]) : Error::npos)
                    : entry_offset(off.memories, 1 - m.num_imported_memories);
    return Failure{Error("multiple memories require the multi-memory feature", at)};
  }

  num_datas_ = m.data_count ? *m.data_count : uint32_t(m.datas.size());

  // Function references declared outside function bodies (C.refs).
  declared_refs_.assign(m.num_funcs(), 0);
  auto note_refs = [&](const ConstExpr& e) {
    if (e.code.begin > e.code.end || e.code.end > m.bytes.size()) return;
    const uint8_t* base = m.bytes.data();
    Reader r(base + e.code.begin, base + e.code.end, e.code.begin);
    uint8_t b;
    // Constant expressions of interest are a single ref.func N.
    if (r.u8(b) && b == uint8_t(Op::RefFunc)) {
      uint32_t f;
      if (r.u32(f) && f < declared_refs_.size()) declared_refs_[f] = 1;
    }
  };
  for (const Global& g : m.globals) note_refs(g.init);
  for (const ElemSegment& s : m.elems) {
    for (uint32_t f : s.func_indices)
      if (f < declared_refs_.size()) declared_refs_[f] = 1;
    for (const ConstExpr& e : s.inits) note_refs(e);
  }
  for (const Export& e : m.exports)
    if (e.kind == ExternKind::Func && e.index < declared_refs_.size()) declared_refs_[e.index] = 1;

  // Globals: initializers see only the imported globals.
  for (const Global& g : m.globals) {
    if (!const_expr(g.init, g.type.type)) return Failure{err_};
    globals_.push_back(g.type);
  }

  // Exports.
  {
    std::vector<uint32_t> order;
    order.reserve(m.exports.size());
    for (uint32_t i = 0; i < m.exports.size(); ++i) {
      const Export& e = m.exports[i];
      uint32_t bound = 0;
      const char* what = "";
      switch (e.kind) {
        case ExternKind::Func: bound = m.num_funcs(); what = "unknown function"; break;
        case ExternKind::Table: bound = m.num_tables(); what = "unknown table"; break;
        case ExternKind::Memory: bound = m.num_memories(); what = "unknown memory"; break;
        case ExternKind::Global: bound = m.num_globals(); what = "unknown global"; break;
        case ExternKind::Tag: bound = m.num_tags(); what = "unknown tag"; break;
      }
      if (e.index >= bound) return Failure{Error(with_index(what, e.index), entry_offset(off.exports, i))};
      order.push_back(i);
    }
    // Sort by (name, position) so the later duplicate is reported.
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      int c = m.exports[a].name.compare(m.exports[b].name);
      return c != 0 ? c < 0 : a < b;
    });
    for (size_t i = 1; i < order.size(); ++i)
      if (m.exports[order[i]].name == m.exports[order[i - 1]].name)
        return Failure{Error("duplicate export name", entry_offset(off.exports, order[i]))};
  }

  // Start function.
  if (m.start) {
    const size_t at = off.start ? off.start : Error::npos;
    if (*m.start >= m.num_funcs()) return Failure{Error(with_index("unknown function", *m.start), at)};
    const FuncType& t = m.types[func_types_[*m.start]];
    if (!t.params.empty() || !t.results.empty()) return Failure{Error("start function must have type [] -> []", at)};
  }

  // Element segments.
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ElemSegment& s = m.elems[i];
    const size_t at = entry_offset(off.elems, i);
    if (s.mode == SegmentMode::Active) {
      if (!need_table(s.table, at)) return Failure{err_};
      if (!const_expr(s.offset, ValType::I32)) return Failure{err_};
      if (table_types_[s.table] != s.type)
        return Failure{Error("type mismatch: element segment type differs from the table's", at)};
    }
    for (uint32_t f : s.func_indices)
      if (f >= m.num_funcs()) return Failure{Error(with_index("unknown function", f), at)};
    for (const ConstExpr& e : s.inits)
      if (!const_expr(e, s.type)) return Failure{err_};
  }

  // Data segments.
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const DataSegment& d = m.datas[i];
    if (d.mode != SegmentMode::Active) continue;
    if (!need_memory(d.memory, entry_offset(off.datas, i))) return Failure{err_};
    if (!const_expr(d.offset, ValType::I32)) return Failure{err_};
  }

  // Function bodies.
  for (uint32_t i = 0; i < m.functions.size(); ++i) {
    if (!function(m.num_imported_funcs + i, m.functions[i])) {
      // Name the function for diagnostics (after the spec's message text).
      err_.message += " in function " + m.func_name(m.num_imported_funcs + i);
      return Failure{err_};
    }
  }
  return {};
}

}  // namespace

Result<void> validate(const Module& m) {
  // (A hand-built module may carry features; a decoded one has those its
  // decoder accepted.)
  Validator v(m);
  return v.run();
}

}  // namespace compono::core
