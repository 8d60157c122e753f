// fuzz/core/fuzz_core_gen.cpp - structure-aware libFuzzer target.
//
// The input does not hold a module: it drives a generator that builds a
// *valid* module (numeric code only: arithmetic, comparisons, conversions,
// loads/stores, memory.size/grow/fill/copy, blocks, ifs, bounded loops,
// br_if, select, calls and call_indirect to later functions, globals).
// Execution always terminates without fuel: calls only go to functions with
// a higher index and every loop runs on a private counter.
//
// Oracles:
//  * the module must compile (a rejection is a validator or generator bug);
//  * no crash or sanitizer report while compiling or running;
//  * differential: every export is run in two stores, one without fuel and
//    one with (fuel mode uses a separate translation of the code); results
//    (bit patterns), trap messages, the memory and the globals must agree.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "compono/core.h"

namespace w = compono::wasm;

namespace {

enum T : uint8_t { I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c };
const T kTypes[] = {I32, I64, F32, F64};

void uleb(std::vector<uint8_t>& o, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    o.push_back(v ? (b | 0x80) : b);
  } while (v);
}
void sleb(std::vector<uint8_t>& o, int64_t v) {
  for (;;) {
    uint8_t b = v & 0x7f;
    v >>= 7;
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    o.push_back(done ? b : (b | 0x80));
    if (done) return;
  }
}

struct FuncSig {
  std::vector<T> params, results;
};

struct Op1 { uint8_t op; T in; T out; bool prefixed = false; };

// Unary operators with operand and result types (0xfc-prefixed: saturating).
const Op1 kUnops[] = {
    {0x67, I32, I32}, {0x68, I32, I32}, {0x69, I32, I32}, {0x45, I32, I32}, {0xc0, I32, I32}, {0xc1, I32, I32},
    {0x79, I64, I64}, {0x7a, I64, I64}, {0x7b, I64, I64}, {0xc2, I64, I64}, {0xc3, I64, I64}, {0xc4, I64, I64},
    {0x50, I64, I32},
    {0x8b, F32, F32}, {0x8c, F32, F32}, {0x8d, F32, F32}, {0x8e, F32, F32}, {0x8f, F32, F32}, {0x90, F32, F32}, {0x91, F32, F32},
    {0x99, F64, F64}, {0x9a, F64, F64}, {0x9b, F64, F64}, {0x9c, F64, F64}, {0x9d, F64, F64}, {0x9e, F64, F64}, {0x9f, F64, F64},
    {0xa7, I64, I32}, {0xa8, F32, I32}, {0xa9, F32, I32}, {0xaa, F64, I32}, {0xab, F64, I32},
    {0xac, I32, I64}, {0xad, I32, I64}, {0xae, F32, I64}, {0xaf, F32, I64}, {0xb0, F64, I64}, {0xb1, F64, I64},
    {0xb2, I32, F32}, {0xb3, I32, F32}, {0xb4, I64, F32}, {0xb5, I64, F32}, {0xb6, F64, F32},
    {0xb7, I32, F64}, {0xb8, I32, F64}, {0xb9, I64, F64}, {0xba, I64, F64}, {0xbb, F32, F64},
    {0xbc, F32, I32}, {0xbd, F64, I64}, {0xbe, I32, F32}, {0xbf, I64, F64},
    {0, F32, I32, true}, {1, F32, I32, true}, {2, F64, I32, true}, {3, F64, I32, true},
    {4, F32, I64, true}, {5, F32, I64, true}, {6, F64, I64, true}, {7, F64, I64, true},
};
// Binary operators: both operands of type `in`.
const Op1 kBinops[] = {
    {0x6a, I32, I32}, {0x6b, I32, I32}, {0x6c, I32, I32}, {0x6d, I32, I32}, {0x6e, I32, I32}, {0x6f, I32, I32},
    {0x70, I32, I32}, {0x71, I32, I32}, {0x72, I32, I32}, {0x73, I32, I32}, {0x74, I32, I32}, {0x75, I32, I32},
    {0x76, I32, I32}, {0x77, I32, I32}, {0x78, I32, I32},
    {0x7c, I64, I64}, {0x7d, I64, I64}, {0x7e, I64, I64}, {0x7f, I64, I64}, {0x80, I64, I64}, {0x81, I64, I64},
    {0x82, I64, I64}, {0x83, I64, I64}, {0x84, I64, I64}, {0x85, I64, I64}, {0x86, I64, I64}, {0x87, I64, I64},
    {0x88, I64, I64}, {0x89, I64, I64}, {0x8a, I64, I64},
    {0x92, F32, F32}, {0x93, F32, F32}, {0x94, F32, F32}, {0x95, F32, F32}, {0x96, F32, F32}, {0x97, F32, F32}, {0x98, F32, F32},
    {0xa0, F64, F64}, {0xa1, F64, F64}, {0xa2, F64, F64}, {0xa3, F64, F64}, {0xa4, F64, F64}, {0xa5, F64, F64}, {0xa6, F64, F64},
    {0x46, I32, I32}, {0x47, I32, I32}, {0x48, I32, I32}, {0x49, I32, I32}, {0x4a, I32, I32}, {0x4b, I32, I32},
    {0x4c, I32, I32}, {0x4d, I32, I32}, {0x4e, I32, I32}, {0x4f, I32, I32},
    {0x51, I64, I32}, {0x52, I64, I32}, {0x53, I64, I32}, {0x54, I64, I32}, {0x55, I64, I32}, {0x56, I64, I32},
    {0x57, I64, I32}, {0x58, I64, I32}, {0x59, I64, I32}, {0x5a, I64, I32},
    {0x5b, F32, I32}, {0x5c, F32, I32}, {0x5d, F32, I32}, {0x5e, F32, I32}, {0x5f, F32, I32}, {0x60, F32, I32},
    {0x61, F64, I32}, {0x62, F64, I32}, {0x63, F64, I32}, {0x64, F64, I32}, {0x65, F64, I32}, {0x66, F64, I32},
};
struct MemOp { uint8_t op; T t; uint8_t max_align; };
const MemOp kLoads[] = {
    {0x28, I32, 2}, {0x29, I64, 3}, {0x2a, F32, 2}, {0x2b, F64, 3}, {0x2c, I32, 0}, {0x2d, I32, 0}, {0x2e, I32, 1},
    {0x2f, I32, 1}, {0x30, I64, 0}, {0x31, I64, 0}, {0x32, I64, 1}, {0x33, I64, 1}, {0x34, I64, 2}, {0x35, I64, 2},
};
const MemOp kStores[] = {
    {0x36, I32, 2}, {0x37, I64, 3}, {0x38, F32, 2}, {0x39, F64, 3}, {0x3a, I32, 0}, {0x3b, I32, 1},
    {0x3c, I64, 0}, {0x3d, I64, 1}, {0x3e, I64, 2},
};

constexpr int kMaxDepth = 6;
constexpr size_t kMaxFuncs = 4;
constexpr int kMaxLoopNest = 2;

class Gen {
 public:
  explicit Gen(FuzzedDataProvider& p) : p_(p) {}

  std::vector<uint8_t> module() {
    size_t nfuncs = p_.ConsumeIntegralInRange<size_t>(1, kMaxFuncs);
    for (size_t i = 0; i < nfuncs; ++i) {
      FuncSig s;
      size_t np = p_.ConsumeIntegralInRange<size_t>(0, 3);
      size_t nr = p_.ConsumeIntegralInRange<size_t>(0, 2);
      for (size_t k = 0; k < np; ++k) s.params.push_back(pick_type());
      for (size_t k = 0; k < nr; ++k) s.results.push_back(pick_type());
      sigs_.push_back(s);
    }
    std::vector<std::vector<uint8_t>> bodies;
    for (size_t i = 0; i < nfuncs; ++i) bodies.push_back(function(uint32_t(i)));

    std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    auto section = [&](uint8_t id, const std::vector<uint8_t>& c) {
      m.push_back(id);
      uleb(m, c.size());
      m.insert(m.end(), c.begin(), c.end());
    };
    std::vector<uint8_t> s;
    uleb(s, nfuncs);  // types: one per function
    for (const auto& sig : sigs_) {
      s.push_back(0x60);
      uleb(s, sig.params.size());
      for (T t : sig.params) s.push_back(t);
      uleb(s, sig.results.size());
      for (T t : sig.results) s.push_back(t);
    }
    section(1, s);
    s.clear();
    uleb(s, nfuncs);
    for (size_t i = 0; i < nfuncs; ++i) uleb(s, i);
    section(3, s);
    s = {0x01, 0x70, 0x01};  // table funcref, min = max = nfuncs + 2
    uleb(s, nfuncs + 2);
    uleb(s, nfuncs + 2);
    section(4, s);
    s = {0x01, 0x01, 0x01, 0x02};  // memory 1..2
    section(5, s);
    s = {0x04};  // globals: mut i32, i64, f32, f64 (zero)
    s.insert(s.end(), {I32, 0x01, 0x41, 0x00, 0x0b});
    s.insert(s.end(), {I64, 0x01, 0x42, 0x00, 0x0b});
    s.insert(s.end(), {F32, 0x01, 0x43, 0, 0, 0, 0, 0x0b});
    s.insert(s.end(), {F64, 0x01, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b});
    section(6, s);
    s.clear();
    uleb(s, nfuncs + 5);  // exports: f<i>, mem, g0..g3
    for (size_t i = 0; i < nfuncs; ++i) {
      std::string n = "f" + std::to_string(i);
      uleb(s, n.size());
      s.insert(s.end(), n.begin(), n.end());
      s.push_back(0x00);
      uleb(s, i);
    }
    s.insert(s.end(), {3, 'm', 'e', 'm', 0x02, 0x00});
    for (uint8_t g = 0; g < 4; ++g) s.insert(s.end(), {2, 'g', uint8_t('0' + g), 0x03, g});
    section(7, s);
    s = {0x01, 0x00, 0x41, 0x00, 0x0b};  // elem: table[0..] = f0..f(n-1)
    uleb(s, nfuncs);
    for (size_t i = 0; i < nfuncs; ++i) uleb(s, i);
    section(9, s);
    s.clear();
    uleb(s, nfuncs);
    for (auto& b : bodies) {
      uleb(s, b.size());
      s.insert(s.end(), b.begin(), b.end());
    }
    section(10, s);
    // Data: a few bytes at a fuzzed offset.
    s = {0x01, 0x00, 0x41};
    sleb(s, p_.ConsumeIntegralInRange<int32_t>(0, 65000));
    s.push_back(0x0b);
    uleb(s, 8);
    for (int i = 0; i < 8; ++i) s.push_back(p_.ConsumeIntegral<uint8_t>());
    section(11, s);
    return m;
  }

  size_t num_funcs() const { return sigs_.size(); }

 private:
  T pick_type() { return kTypes[p_.ConsumeIntegralInRange<size_t>(0, 3)]; }

  std::vector<uint8_t> function(uint32_t index) {
    cur_ = index;
    const FuncSig& sig = sigs_[index];
    locals_ = sig.params;
    size_t nlocals = p_.ConsumeIntegralInRange<size_t>(0, 4);
    std::vector<T> declared;
    for (size_t i = 0; i < nlocals; ++i) declared.push_back(pick_type());
    locals_.insert(locals_.end(), declared.begin(), declared.end());
    // Private loop counters (one per loop nesting level), never in locals_.
    counter_base_ = uint32_t(locals_.size());
    code_.clear();
    loop_nest_ = 0;
    size_t nstmts = p_.ConsumeIntegralInRange<size_t>(0, 6);
    for (size_t i = 0; i < nstmts; ++i) stmt(0);
    for (T t : sig.results) expr(t, 0);
    code_.push_back(0x0b);

    std::vector<uint8_t> body;
    uleb(body, declared.size() + kMaxLoopNest);
    for (T t : declared) { body.push_back(0x01); body.push_back(t); }
    for (int i = 0; i < kMaxLoopNest; ++i) { body.push_back(0x01); body.push_back(I32); }
    body.insert(body.end(), code_.begin(), code_.end());
    return body;
  }

  void op(uint8_t b) { code_.push_back(b); }

  void constant(T t) {
    switch (t) {
      case I32: {
        static const int32_t special[] = {0, 1, -1, INT32_MIN, INT32_MAX, 31, 32, 0xff, 0xffff, 65536};
        op(0x41);
        sleb(code_, p_.ConsumeBool() ? special[p_.ConsumeIntegralInRange<size_t>(0, 9)] : p_.ConsumeIntegral<int32_t>());
        break;
      }
      case I64: {
        static const int64_t special[] = {0, 1, -1, INT64_MIN, INT64_MAX, 63, 64, 0xffffffffll};
        op(0x42);
        sleb(code_, p_.ConsumeBool() ? special[p_.ConsumeIntegralInRange<size_t>(0, 7)] : p_.ConsumeIntegral<int64_t>());
        break;
      }
      case F32: {
        static const uint32_t special[] = {0, 0x80000000u, 0x3f800000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
                                           0x7fa00000u, 0xffc00001u, 1, 0x4f000000u, 0xcf000000u, 0x3f000000u};
        uint32_t b = p_.ConsumeBool() ? special[p_.ConsumeIntegralInRange<size_t>(0, 11)] : p_.ConsumeIntegral<uint32_t>();
        op(0x43);
        for (int i = 0; i < 4; ++i) op(uint8_t(b >> (8 * i)));
        break;
      }
      case F64: {
        static const uint64_t special[] = {0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0x7ff0000000000000ull,
                                           0xfff0000000000000ull, 0x7ff8000000000000ull, 0x7ff4000000000000ull,
                                           1, 0x41e0000000000000ull, 0xc3e0000000000000ull, 0x3fe0000000000000ull};
        uint64_t b = p_.ConsumeBool() ? special[p_.ConsumeIntegralInRange<size_t>(0, 10)] : p_.ConsumeIntegral<uint64_t>();
        op(0x44);
        for (int i = 0; i < 8; ++i) op(uint8_t(b >> (8 * i)));
        break;
      }
    }
  }

  bool local_of(T t, uint32_t& idx) {
    std::vector<uint32_t> c;
    for (uint32_t i = 0; i < locals_.size(); ++i)
      if (locals_[i] == t) c.push_back(i);
    if (c.empty()) return false;
    idx = c[p_.ConsumeIntegralInRange<size_t>(0, c.size() - 1)];
    return true;
  }
  static uint8_t global_of(T t) { return t == I32 ? 0 : t == I64 ? 1 : t == F32 ? 2 : 3; }

  void address() {
    if (p_.ConsumeBool()) {
      op(0x41);
      sleb(code_, p_.ConsumeIntegralInRange<int32_t>(0, 65536 + 16));
    } else {
      expr(I32, kMaxDepth);  // shallow
    }
  }
  void memarg(uint8_t max_align) {
    uleb(code_, p_.ConsumeIntegralInRange<uint8_t>(0, max_align));
    uleb(code_, p_.ConsumeBool() ? 0 : p_.ConsumeIntegralInRange<uint32_t>(0, 70000));
  }
  // A function index > cur_ whose results are exactly `want`, if any.
  bool callee(const std::vector<T>& want, uint32_t& f) {
    std::vector<uint32_t> c;
    for (uint32_t i = cur_ + 1; i < sigs_.size(); ++i)
      if (sigs_[i].results == want) c.push_back(i);
    if (c.empty()) return false;
    f = c[p_.ConsumeIntegralInRange<size_t>(0, c.size() - 1)];
    return true;
  }
  void call(uint32_t f, int depth) {
    for (T t : sigs_[f].params) expr(t, depth + 1);
    if (p_.ConsumeIntegralInRange<int>(0, 3) == 0) {
      // call_indirect through the table: element f is function f; sometimes
      // a wrong or out-of-range index to exercise the traps.
      uint32_t type = f, elem = f;
      int r = p_.ConsumeIntegralInRange<int>(0, 7);
      if (r == 0) elem = uint32_t(sigs_.size()) + p_.ConsumeIntegralInRange<uint32_t>(0, 3);  // null/out of range
      if (r == 1 && f + 1 < sigs_.size()) elem = f + 1;  // maybe a type mismatch (still a later function)
      op(0x41);
      sleb(code_, elem);
      op(0x11);
      uleb(code_, type);
      op(0x00);
    } else {
      op(0x10);
      uleb(code_, f);
    }
  }

  // Emit code that pushes exactly one value of type t.
  void expr(T t, int depth) {
    if (depth >= kMaxDepth || p_.remaining_bytes() == 0) {
      uint32_t l;
      if (p_.ConsumeBool() && local_of(t, l)) { op(0x20); uleb(code_, l); }
      else constant(t);
      return;
    }
    switch (p_.ConsumeIntegralInRange<int>(0, 14)) {
      case 0: constant(t); return;
      case 1: {
        uint32_t l;
        if (local_of(t, l)) { op(0x20); uleb(code_, l); return; }
        constant(t);
        return;
      }
      case 2: op(0x23); op(global_of(t)); return;
      case 3: {  // unary / conversion producing t
        std::vector<const Op1*> c;
        for (const auto& u : kUnops) if (u.out == t) c.push_back(&u);
        const Op1* u = c[p_.ConsumeIntegralInRange<size_t>(0, c.size() - 1)];
        expr(u->in, depth + 1);
        if (u->prefixed) { op(0xfc); uleb(code_, u->op); } else op(u->op);
        return;
      }
      case 4: case 5: {  // binary / comparison producing t
        std::vector<const Op1*> c;
        for (const auto& b : kBinops) if (b.out == t) c.push_back(&b);
        const Op1* b = c[p_.ConsumeIntegralInRange<size_t>(0, c.size() - 1)];
        expr(b->in, depth + 1);
        expr(b->in, depth + 1);
        op(b->op);
        return;
      }
      case 6: {  // load
        std::vector<const MemOp*> c;
        for (const auto& l : kLoads) if (l.t == t) c.push_back(&l);
        const MemOp* l = c[p_.ConsumeIntegralInRange<size_t>(0, c.size() - 1)];
        address();
        op(l->op);
        memarg(l->max_align);
        return;
      }
      case 7: {  // block (result t) ... br_if 0 ... end
        op(0x02); op(t);
        stmt(depth + 1);
        expr(t, depth + 1);
        expr(I32, depth + 1);
        op(0x0d); op(0x00);
        if (p_.ConsumeBool()) { op(0x1a); expr(t, depth + 1); }
        op(0x0b);
        return;
      }
      case 8: {  // if (result t) ... else ... end
        expr(I32, depth + 1);
        op(0x04); op(t);
        stmt(depth + 1);
        expr(t, depth + 1);
        op(0x05);
        expr(t, depth + 1);
        op(0x0b);
        return;
      }
      case 9: {  // select
        expr(t, depth + 1);
        expr(t, depth + 1);
        expr(I32, depth + 1);
        if (p_.ConsumeBool()) op(0x1b); else { op(0x1c); op(0x01); op(t); }
        return;
      }
      case 10: {  // call a later function returning exactly [t]
        uint32_t f;
        if (callee({t}, f)) { call(f, depth); return; }
        constant(t);
        return;
      }
      case 11: {  // local.tee
        uint32_t l;
        if (local_of(t, l)) { expr(t, depth + 1); op(0x22); uleb(code_, l); return; }
        constant(t);
        return;
      }
      case 12: {  // bounded loop (result t)
        if (loop_nest_ >= kMaxLoopNest) { constant(t); return; }
        uint32_t c = counter_base_ + uint32_t(loop_nest_);
        op(0x41); sleb(code_, p_.ConsumeIntegralInRange<int32_t>(1, 4)); op(0x21); uleb(code_, c);
        ++loop_nest_;
        op(0x03); op(t);
        stmt(depth + 1);
        op(0x20); uleb(code_, c); op(0x41); op(0x01); op(0x6b); op(0x22); uleb(code_, c);
        op(0x0d); op(0x00);
        expr(t, depth + 1);
        op(0x0b);
        --loop_nest_;
        return;
      }
      case 13:
        if (t == I32) {
          if (p_.ConsumeBool()) { op(0x3f); op(0x00); }
          else { expr(I32, depth + 1); op(0x40); op(0x00); }
          return;
        }
        constant(t);
        return;
      default: {  // a nested block that returns early through br 0 in an if
        op(0x02); op(t);
        expr(t, depth + 1);
        expr(I32, depth + 1);
        op(0x04); op(0x40);  // if (no result): the block's value stays below it
        expr(t, depth + 1);
        op(0x0c); op(0x01);  // br 1 (to the block) with t
        op(0x0b);
        op(0x0b);
        return;
      }
    }
  }

  void stmt(int depth) {
    if (depth >= kMaxDepth || p_.remaining_bytes() == 0) { op(0x01); return; }  // nop
    switch (p_.ConsumeIntegralInRange<int>(0, 8)) {
      case 0: {
        T t = pick_type();
        uint32_t l;
        if (local_of(t, l)) { expr(t, depth + 1); op(0x21); uleb(code_, l); }
        return;
      }
      case 1: { T t = pick_type(); expr(t, depth + 1); op(0x24); op(global_of(t)); return; }
      case 2: {
        const MemOp& s = kStores[p_.ConsumeIntegralInRange<size_t>(0, std::size(kStores) - 1)];
        address();
        expr(s.t, depth + 1);
        op(s.op);
        memarg(s.max_align);
        return;
      }
      case 3: expr(pick_type(), depth + 1); op(0x1a); return;
      case 4: {
        expr(I32, depth + 1);
        op(0x04); op(0x40);
        stmt(depth + 1);
        if (p_.ConsumeBool()) { op(0x05); stmt(depth + 1); }
        op(0x0b);
        return;
      }
      case 5: {  // memory.fill / memory.copy with small lengths
        address();
        expr(I32, kMaxDepth);
        op(0x41); sleb(code_, p_.ConsumeIntegralInRange<int32_t>(0, 300));
        op(0xfc); uleb(code_, p_.ConsumeBool() ? 11 : 10);
        if (code_.back() == 11) op(0x00); else { op(0x00); op(0x00); }
        return;
      }
      case 6: {  // call anything later, dropping its results
        if (cur_ + 1 >= sigs_.size()) return;
        uint32_t f = p_.ConsumeIntegralInRange<uint32_t>(cur_ + 1, uint32_t(sigs_.size()) - 1);
        call(f, depth);
        for (size_t i = 0; i < sigs_[f].results.size(); ++i) op(0x1a);
        return;
      }
      case 7: {  // early return
        if (p_.ConsumeIntegralInRange<int>(0, 3)) return;
        expr(I32, depth + 1);
        op(0x04); op(0x40);
        for (T t : sigs_[cur_].results) expr(t, depth + 1);
        op(0x0f);
        op(0x0b);
        return;
      }
      default: {  // bounded loop without result
        if (loop_nest_ >= kMaxLoopNest) return;
        uint32_t c = counter_base_ + uint32_t(loop_nest_);
        op(0x41); sleb(code_, p_.ConsumeIntegralInRange<int32_t>(1, 4)); op(0x21); uleb(code_, c);
        ++loop_nest_;
        op(0x03); op(0x40);
        stmt(depth + 1);
        stmt(depth + 1);
        op(0x20); uleb(code_, c); op(0x41); op(0x01); op(0x6b); op(0x22); uleb(code_, c);
        op(0x0d); op(0x00);
        op(0x0b);
        --loop_nest_;
        return;
      }
    }
  }

  FuzzedDataProvider& p_;
  std::vector<FuncSig> sigs_;
  std::vector<T> locals_;
  std::vector<uint8_t> code_;
  uint32_t cur_ = 0;
  uint32_t counter_base_ = 0;
  int loop_nest_ = 0;
};

struct Outcome {
  bool trapped = false;
  std::string trap;
  std::vector<w::Value> results;
};

bool same_value(const w::Value& a, const w::Value& b) {
  if (a.type() != b.type()) return false;
  if (a.type() == w::ValType::F32) return a.f32_bits() == b.f32_bits();
  return a.raw_bits() == b.raw_bits();
}

[[noreturn]] void report(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_core_gen: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider p(data, size);
  Gen gen(p);
  std::vector<uint8_t> bytes = gen.module();
  // COMPONO_FUZZ_DUMP=path: write the generated module there (to inspect a
  // finding with wasm2wat / compono).
  if (const char* dump = std::getenv("COMPONO_FUZZ_DUMP")) {
    if (std::FILE* f = std::fopen(dump, "wb")) {
      std::fwrite(bytes.data(), 1, bytes.size(), f);
      std::fclose(f);
    }
  }
  auto module = w::Module::compile(bytes);
  if (!module) report("generated module rejected", module.error().to_string());

  w::Config plain;
  plain.max_memory_pages = 2;
  plain.max_call_depth = 1000;
  plain.max_stack_slots = 1 << 16;
  w::Config fueled = plain;
  fueled.consume_fuel = true;
  w::Store s1(plain), s2(fueled);
  s2.set_fuel(uint64_t(1) << 40);
  auto i1 = w::Instance::create(s1, *module, {});
  auto i2 = w::Instance::create(s2, *module, {});
  if (bool(i1) != bool(i2)) report("instantiation differs", i1 ? i2.error().to_string() : i1.error().to_string());
  if (!i1) return 0;  // e.g. the data segment is out of bounds: fine, and the same in both

  for (size_t f = 0; f < gen.num_funcs(); ++f) {
    std::string name = "f" + std::to_string(f);
    w::Func f1 = i1->get_func(name), f2 = i2->get_func(name);
    w::FuncType ft = f1.type();
    std::vector<w::Value> args;
    for (auto t : ft.params) {
      switch (t) {
        case w::ValType::I32: args.push_back(w::Value::i32(p.ConsumeIntegral<int32_t>())); break;
        case w::ValType::I64: args.push_back(w::Value::i64(p.ConsumeIntegral<int64_t>())); break;
        case w::ValType::F32: args.push_back(w::Value::f32_from_bits(p.ConsumeIntegral<uint32_t>())); break;
        case w::ValType::F64: args.push_back(w::Value::f64_from_bits(p.ConsumeIntegral<uint64_t>())); break;
        default: args.push_back(w::Value::zero(t)); break;
      }
    }
    auto r1 = f1.call(s1, args);
    auto r2 = f2.call(s2, args);
    if (!r2 && r2.error().message == "out of fuel") report("ran out of fuel", name);
    if (bool(r1) != bool(r2))
      report("trap vs value differs between fuel and no-fuel runs",
             name + ": " + (r1 ? "value / trap " + r2.error().message : "trap " + r1.error().message + " / value"));
    if (!r1) {
      if (r1.error().message != r2.error().message)
        report("trap messages differ", name + ": " + r1.error().message + " / " + r2.error().message);
      continue;
    }
    if (r1->size() != ft.results.size() || r2->size() != ft.results.size()) report("result count", name);
    for (size_t k = 0; k < r1->size(); ++k)
      if (!same_value((*r1)[k], (*r2)[k]))
        report("results differ between fuel and no-fuel runs",
               name + " result " + std::to_string(k) + ": " + (*r1)[k].to_string() + " / " + (*r2)[k].to_string());
  }
  // Memories and globals must agree too.
  w::Memory m1 = i1->get_memory("mem"), m2 = i2->get_memory("mem");
  if (m1.size() != m2.size() || std::memcmp(m1.data(), m2.data(), m1.size()) != 0) report("memory differs", "");
  for (int g = 0; g < 4; ++g) {
    std::string n = "g" + std::to_string(g);
    if (!same_value(i1->get_global(n).get(), i2->get_global(n).get())) report("global differs", n);
  }
  return 0;
}
