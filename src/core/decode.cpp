// decode.cpp - the binary decoder for core WebAssembly 2.0 modules.
//
// Strict per the binary format: every section is read inside its declared
// size, every length is checked against the bytes that remain before anything
// is allocated, and instruction sequences (function bodies and constant
// expressions) are walked syntactically so that malformed immediates, unknown
// opcodes and missing `end`s are decode errors.  Typing is left to
// validate.cpp.  Error messages are those of the spec testsuite's
// assert_malformed.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "core/module.h"
#include "core/opcodes.h"

namespace compono::core {
namespace {

bool is_valid_utf8(const uint8_t* p, size_t n) {
  const uint8_t* end = p + n;
  while (p < end) {
    uint8_t c = *p;
    if (c < 0x80) { ++p; continue; }
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
    else return false;
    if (size_t(end - p) < len) return false;
    for (size_t i = 1; i < len; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) return false;
    if (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) return false;
    p += len;
  }
  return true;
}

constexpr uint64_t kMaxLocals = 50000;  // per function, params excluded

const char* kUnexpectedEnd = "unexpected end of section or function";

bool valtype_from_byte(uint8_t b, ValType& out, bool exn) {
  switch (b) {
    case 0x7f: case 0x7e: case 0x7d: case 0x7c: case 0x7b: case 0x70: case 0x6f:
      out = ValType(b);
      return true;
    case 0x69:
      if (!exn) return false;
      out = ValType(b);
      return true;
    default:
      return false;
  }
}

const char* kNeedsExceptions = " (requires the exceptions feature)";

class Decoder {
 public:
  explicit Decoder(Module& m) : m_(m), mm_(m.features.multi_memory), exn_(m.features.exceptions) {}

  Result<void> run();

 private:
  // Sets the error (first one wins) and returns false.
  bool fail(const char* msg, size_t off) {
    if (!failed_) { failed_ = true; err_ = Error(msg, off); }
    return false;
  }
  bool fail(std::string msg, size_t off) {
    if (!failed_) { failed_ = true; err_ = Error(std::move(msg), off); }
    return false;
  }
  // Converts a reader error into the decoder error.
  bool rfail(const Reader& r) {
    const char* msg = r.error() == ReadError::UnexpectedEnd ? kUnexpectedEnd : r.error_message();
    return fail(msg, r.error_offset());
  }

  bool u8(Reader& r, uint8_t& v) { return r.u8(v) || rfail(r); }
  bool u32(Reader& r, uint32_t& v) { return r.u32(v) || rfail(r); }
  // A length that must fit in the remaining bytes of `r`.
  bool len32(Reader& r, uint32_t& v) {
    size_t at = r.offset();
    if (!u32(r, v)) return false;
    if (v > r.remaining()) return fail("length out of bounds", at);
    return true;
  }
  bool name(Reader& r, std::string& out) {
    uint32_t n;
    if (!len32(r, n)) return false;
    const uint8_t* p;
    size_t at = r.offset();
    r.bytes(n, p);
    if (!is_valid_utf8(p, n)) return fail("malformed UTF-8 encoding", at);
    out.assign(reinterpret_cast<const char*>(p), n);
    return true;
  }
  bool valtype(Reader& r, ValType& t) {
    size_t at = r.offset();
    uint8_t b;
    if (!u8(r, b)) return false;
    if (!valtype_from_byte(b, t, exn_)) return fail("malformed value type", at);
    return true;
  }
  bool reftype(Reader& r, ValType& t) {
    size_t at = r.offset();
    uint8_t b;
    if (!u8(r, b)) return false;
    if (b != 0x70 && b != 0x6f && !(b == 0x69 && exn_)) return fail("malformed reference type", at);
    t = ValType(b);
    return true;
  }
  // A memory index where Wasm 2.0 has a reserved zero byte: a u32 with
  // multi-memory, else exactly 0x00.
  bool memidx(Reader& r) {
    size_t zat = r.offset();
    if (mm_) {
      uint32_t x;
      return u32(r, x);
    }
    uint8_t b;
    if (!u8(r, b)) return false;
    if (b != 0) return fail("zero byte expected", zat);
    return true;
  }
  bool limits(Reader& r, Limits& l) {
    size_t at = r.offset();
    uint64_t flag;  // a 1-bit LEB128 (u1)
    if (!r.uN(1, flag)) return rfail(r);
    (void)at;
    uint32_t v;
    if (!u32(r, v)) return false;
    l.min = v;
    if (flag == 1) {
      if (!u32(r, v)) return false;
      l.max = v;
    } else {
      l.max.reset();
    }
    return true;
  }
  bool table_type(Reader& r, TableType& t) { return reftype(r, t.elem) && limits(r, t.limits); }
  bool global_type(Reader& r, GlobalType& g) {
    if (!valtype(r, g.type)) return false;
    size_t at = r.offset();
    uint8_t mut;
    if (!u8(r, mut)) return false;
    if (mut > 1) return fail("malformed mutability", at);
    g.mut = mut == 1;
    return true;
  }
  // Reserves room for `count` entries only if they could possibly fit.
  template <class V>
  void reserve(V& v, uint32_t count, const Reader& r) {
    if (count <= r.remaining()) v.reserve(v.size() + count);
  }

  // Walks an instruction sequence syntactically, up to and including the
  // `end` that closes depth 0.
  bool expr(Reader& r);
  bool const_expr(Reader& r, ConstExpr& e) {
    uint32_t begin = uint32_t(r.offset());
    if (!expr(r)) return false;
    e.code = Span{begin, uint32_t(r.offset())};
    return true;
  }

  bool section_type(Reader& r);
  bool section_import(Reader& r);
  bool section_function(Reader& r);
  bool section_table(Reader& r);
  bool section_memory(Reader& r);
  bool section_tag(Reader& r);
  bool section_global(Reader& r);
  bool section_export(Reader& r);
  bool section_start(Reader& r);
  bool section_elem(Reader& r);
  bool section_datacount(Reader& r);
  bool section_code(Reader& r);
  bool section_data(Reader& r);
  bool section_custom(Reader& r, uint32_t section_end);
  void parse_names(uint32_t begin, uint32_t end);

  Module& m_;
  const bool mm_;   // multi-memory
  const bool exn_;  // exception handling
  bool failed_ = false;
  Error err_;
  bool seen_code_section_ = false;
  bool seen_data_section_ = false;
  std::vector<uint8_t> blocks_;  // walker: 1 for an open `if` without else yet
  bool uses_data_count_ = false;
  size_t first_data_use_ = 0;
  size_t section_end_ = 0;  // absolute end of the section being read
};

bool Decoder::expr(Reader& r) {
  blocks_.clear();
  for (;;) {
    // The instruction's offset, computed only when needed (errors).
    const uint8_t* const at_p = r.ptr();
    auto at_off = [&] { return r.offset() - size_t(r.ptr() - at_p); };
    if (r.at_end()) return fail(kUnexpectedEnd, r.offset());
    uint16_t code;
    if (!r.op(code)) return rfail(r);
    const OpInfo info = op_info(code);
    if (exn_ && (code == uint16_t(Op::Throw) || code == uint16_t(Op::ThrowRef) || code == uint16_t(Op::TryTable))) {
      uint32_t u;
      if (code == uint16_t(Op::Throw)) {
        if (!u32(r, u)) return false;
      } else if (code == uint16_t(Op::TryTable)) {
        size_t bt_at = r.offset();
        uint8_t first;
        ValType t;
        if (!r.peek(first)) return fail(kUnexpectedEnd, bt_at);
        if (first == 0x40 || valtype_from_byte(first, t, exn_)) {
          r.skip(1);
        } else {
          int64_t bt;
          if (!r.s33(bt)) return rfail(r);
          if (bt < 0) return fail("malformed value type", bt_at);
        }
        uint32_t n;
        if (!u32(r, n)) return false;
        for (uint32_t i = 0; i < n; ++i) {
          size_t kat = r.offset();
          uint8_t kind;
          if (!u8(r, kind)) return false;
          if (kind > 3) return fail("malformed catch clause", kat);
          if (kind < 2 && !u32(r, u)) return false;  // tag
          if (!u32(r, u)) return false;              // label
        }
        blocks_.push_back(0);
      }
      continue;
    }
    if (!info.known) {
      const size_t at = at_off();
      char buf[64];
      if (m_.bytes[at] == kPrefixSIMD)
        std::snprintf(buf, sizeof buf, "illegal opcode fd: SIMD instructions are not supported");
      else if (code > 0xff)
        std::snprintf(buf, sizeof buf, "illegal opcode %02x %x", unsigned(m_.bytes[at]), unsigned(code & 0xff));
      else
        std::snprintf(buf, sizeof buf, "illegal opcode %02x", unsigned(code));
      return fail(buf, at);
    }
    Op op = Op(code);
    uint32_t u;
    switch (info.imm) {
      case Imm::None:
        if (op == Op::End) {
          if (blocks_.empty()) return true;
          blocks_.pop_back();
        } else if (op == Op::Else) {
          // Only an `if` (once) may have an `else`; elsewhere the block had
          // to end here.
          if (blocks_.empty() || blocks_.back() != 1) return fail("END opcode expected", at_off());
          blocks_.back() = 0;
        }
        break;
      case Imm::BlockType: {
        // 0x40 or a value type as a single byte, else an s33 type index
        // that must be non-negative (so a multi-byte negative is malformed).
        size_t bt_at = r.offset();
        uint8_t first;
        ValType t;
        if (!r.peek(first)) return fail(kUnexpectedEnd, bt_at);
        if (first == 0x40 || valtype_from_byte(first, t, exn_)) {
          r.skip(1);
        } else {
          int64_t bt;
          if (!r.s33(bt)) return rfail(r);
          if (bt < 0) return fail("malformed value type", bt_at);
        }
        blocks_.push_back(op == Op::If ? 1 : 0);
        break;
      }
      case Imm::Label: case Imm::Func: case Imm::Local: case Imm::Global:
      case Imm::Table: case Imm::Elem:
        if (!r.u32(u)) return rfail(r);
        break;
      case Imm::Data:
        if (!u32(r, u)) return false;
        if (!uses_data_count_) { uses_data_count_ = true; first_data_use_ = at_off(); }
        break;
      case Imm::BrTable: {
        uint32_t n;
        if (!u32(r, n)) return false;
        for (uint64_t i = 0; i <= n; ++i)
          if (!u32(r, u)) return false;
        break;
      }
      case Imm::CallIndirect: case Imm::TableInit: case Imm::TableCopy:
        if (!u32(r, u) || !u32(r, u)) return false;
        break;
      case Imm::MemArg: {
        size_t fat = r.offset();
        if (!r.u32(u)) return rfail(r);
        if (mm_ && u >= 0x40) {
          // Bit 6 of the flags: a memory index follows the alignment.
          if (u >= 0x80) return fail("malformed memop flags", fat);
          if (!r.u32(u)) return rfail(r);
        }
        if (!r.u32(u)) return rfail(r);
        break;
      }
      case Imm::MemZero:
        if (!memidx(r)) return false;
        break;
      case Imm::MemoryInit: {
        if (!u32(r, u)) return false;
        if (!uses_data_count_) { uses_data_count_ = true; first_data_use_ = at_off(); }
        if (!memidx(r)) return false;
        break;
      }
      case Imm::MemoryCopy:
        if (!memidx(r) || !memidx(r)) return false;
        break;
      case Imm::I32: {
        int32_t v;
        if (!r.s32(v)) return rfail(r);
        break;
      }
      case Imm::I64: {
        int64_t v;
        if (!r.s64(v)) return rfail(r);
        break;
      }
      case Imm::F32:
        if (!r.skip(4)) return rfail(r);
        break;
      case Imm::F64:
        if (!r.skip(8)) return rfail(r);
        break;
      case Imm::RefType: {
        ValType t;
        if (!reftype(r, t)) return false;
        break;
      }
      case Imm::SelectT: {
        uint32_t n;
        if (!u32(r, n)) return false;
        for (uint32_t i = 0; i < n; ++i) {
          ValType t;
          if (!valtype(r, t)) return false;
        }
        break;
      }
    }
  }
}

bool Decoder::section_type(Reader& r) {
  uint32_t n;
  if (!u32(r, n)) return false;
  reserve(m_.types, n, r);
  for (uint32_t i = 0; i < n; ++i) {
    size_t at = r.offset();
    int64_t form;  // an s7
    if (!r.sN(7, form)) return rfail(r);
    if (form != -0x20) return fail("malformed function type", at);
    FuncType ft;
    uint32_t np;
    if (!u32(r, np)) return false;
    reserve(ft.params, np, r);
    for (uint32_t j = 0; j < np; ++j) {
      ValType t;
      if (!valtype(r, t)) return false;
      ft.params.push_back(t);
    }
    uint32_t nr;
    if (!u32(r, nr)) return false;
    reserve(ft.results, nr, r);
    for (uint32_t j = 0; j < nr; ++j) {
      ValType t;
      if (!valtype(r, t)) return false;
      ft.results.push_back(t);
    }
    m_.types.push_back(std::move(ft));
  }
  return true;
}

bool Decoder::section_import(Reader& r) {
  uint32_t n;
  if (!u32(r, n)) return false;
  reserve(m_.imports, n, r);
  for (uint32_t i = 0; i < n; ++i) {
    Import im;
    m_.offsets.imports.push_back(uint32_t(r.offset()));
    const uint32_t pos = uint32_t(m_.imports.size());
    if (!name(r, im.module) || !name(r, im.name)) return false;
    size_t at = r.offset();
    uint8_t kind;
    if (!u8(r, kind)) return false;
    switch (kind) {
      case 0:
        im.kind = ExternKind::Func;
        if (!u32(r, im.func_type)) return false;
        ++m_.num_imported_funcs;
        m_.import_funcs.push_back(pos);
        break;
      case 1:
        im.kind = ExternKind::Table;
        if (!table_type(r, im.table)) return false;
        ++m_.num_imported_tables;
        m_.import_tables.push_back(pos);
        break;
      case 2:
        im.kind = ExternKind::Memory;
        if (!limits(r, im.memory.limits)) return false;
        ++m_.num_imported_memories;
        m_.import_memories.push_back(pos);
        break;
      case 3:
        im.kind = ExternKind::Global;
        if (!global_type(r, im.global)) return false;
        ++m_.num_imported_globals;
        m_.import_globals.push_back(pos);
        break;
      case 4: {
        if (!exn_) return fail(std::string("malformed import kind") + kNeedsExceptions, at);
        im.kind = ExternKind::Tag;
        size_t aat = r.offset();
        uint8_t attr;
        if (!u8(r, attr)) return false;
        if (attr != 0) return fail("malformed tag attribute", aat);
        if (!u32(r, im.tag_type)) return false;
        ++m_.num_imported_tags;
        m_.import_tags.push_back(pos);
        break;
      }
      default:
        return fail("malformed import kind", at);
    }
    m_.imports.push_back(std::move(im));
  }
  return true;
}

bool Decoder::section_function(Reader& r) {
  uint32_t n;
  if (!u32(r, n)) return false;
  reserve(m_.functions, n, r);
  for (uint32_t i = 0; i < n; ++i) {
    Function f;
    m_.offsets.functions.push_back(uint32_t(r.offset()));
    if (!u32(r, f.type)) return false;
    m_.functions.push_back(std::move(f));
  }
  return true;
}

bool Decoder::section_table(Reader& r) {
  uint32_t n;
  if (!u32(r, n)) return false;
  reserve(m_.tables, n, r);
  for (uint32_t i = 0; i < n; ++i) {
    TableType t;
    m_.offsets.tables.push_back(uint32_t(r.offset()));
    if (!table_type(r, t)) return false;
    m_.tables.push_back(t);
  }
  return true;
}

bool Decoder::section_memory(Reader& r) {
  uint32_t n;
  if (!u32(r, n)) return false;
  reserve(m_.memories, n, r);
  for (uint32_t i = 0; i < n; ++i) {
    MemoryType t;
    m_.offsets.memories.push_back(uint32_t(r.offset()));
    if (!limits(r, t.limits)) return false;
    m_.memories.push_back(t);
  }
  return true;
}

bool Decoder::section_tag(Reader& r) {
  uint32_t n;
  if (!u32(r, n)) return false;
  reserve(m_.tags, n, r);
  for (uint32_t i = 0; i < n; ++i) {
    m_.offsets.tags.push_back(uint32_t(r.offset()));
    size_t aat = r.offset();
    uint8_t attr;
    if (!u8(r, attr)) return false;
    if (attr != 0) return fail("malformed tag attribute", aat);
    uint32_t t;
    if (!u32(r, t)) return false;
    m_.tags.push_back(t);
  }
  return true;
}

bool Decoder::section_global(Reader& r) {
  uint32_t n;
  if (!u32(r, n)) return false;
  reserve(m_.globals, n, r);
  for (uint32_t i = 0; i < n; ++i) {
    Global g;
    m_.offsets.globals.push_back(uint32_t(r.offset()));
    if (!global_type(r, g.type) || !const_expr(r, g.init)) return false;
    m_.globals.push_back(g);
  }
  return true;
}

bool Decoder::section_export(Reader& r) {
  uint32_t n;
  if (!u32(r, n)) return false;
  reserve(m_.exports, n, r);
  for (uint32_t i = 0; i < n; ++i) {
    Export e;
    m_.offsets.exports.push_back(uint32_t(r.offset()));
    if (!name(r, e.name)) return false;
    size_t at = r.offset();
    uint8_t kind;
    if (!u8(r, kind)) return false;
    if (kind == 4 && !exn_) return fail(std::string("malformed export kind") + kNeedsExceptions, at);
    if (kind > 4) return fail("malformed export kind", at);
    e.kind = ExternKind(kind);
    if (!u32(r, e.index)) return false;
    m_.exports.push_back(std::move(e));
  }
  return true;
}

bool Decoder::section_start(Reader& r) {
  uint32_t idx;
  m_.offsets.start = uint32_t(r.offset());
  if (!u32(r, idx)) return false;
  m_.start = idx;
  return true;
}

bool Decoder::section_elem(Reader& r) {
  uint32_t n;
  if (!u32(r, n)) return false;
  reserve(m_.elems, n, r);
  for (uint32_t i = 0; i < n; ++i) {
    ElemSegment s;
    size_t at = r.offset();
    m_.offsets.elems.push_back(uint32_t(at));
    uint32_t flags;
    if (!u32(r, flags)) return false;
    if (flags > 7) return fail("malformed elements segment kind", at);
    bool passive_or_decl = flags & 1;
    bool explicit_table = flags & 2;
    bool exprs = flags & 4;
    if (!passive_or_decl) {
      s.mode = SegmentMode::Active;
      if (explicit_table && !u32(r, s.table)) return false;
      if (!const_expr(r, s.offset)) return false;
    } else {
      s.mode = explicit_table ? SegmentMode::Declarative : SegmentMode::Passive;
    }
    if (passive_or_decl || explicit_table) {
      if (exprs) {
        if (!reftype(r, s.type)) return false;
      } else {
        size_t kat = r.offset();
        uint8_t kind;
        if (!u8(r, kind)) return false;
        if (kind != 0x00) return fail("malformed element kind", kat);
        s.type = ValType::FuncRef;
      }
    } else {
      s.type = ValType::FuncRef;
    }
    uint32_t count;
    if (!u32(r, count)) return false;
    if (exprs) {
      s.uses_indices = false;
      reserve(s.inits, count, r);
      for (uint32_t j = 0; j < count; ++j) {
        ConstExpr e;
        if (!const_expr(r, e)) return false;
        s.inits.push_back(e);
      }
    } else {
      s.uses_indices = true;
      reserve(s.func_indices, count, r);
      for (uint32_t j = 0; j < count; ++j) {
        uint32_t f;
        if (!u32(r, f)) return false;
        s.func_indices.push_back(f);
      }
    }
    m_.elems.push_back(std::move(s));
  }
  return true;
}

bool Decoder::section_datacount(Reader& r) {
  uint32_t n;
  if (!u32(r, n)) return false;
  m_.data_count = n;
  return true;
}

bool Decoder::section_code(Reader& r) {
  uint32_t n;
  size_t count_at = r.offset();
  if (!u32(r, n)) return false;
  seen_code_section_ = true;
  if (n != m_.functions.size())
    return fail("function and code section have inconsistent lengths", count_at);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t size;
    if (!len32(r, size)) return false;
    // Like sections, a body is read on to the end of the module and must
    // then end exactly at its declared size.
    const size_t body_end = r.offset() + size;
    Reader body(r.ptr(), r.end(), r.offset());
    r.skip(size);
    Function& f = m_.functions[i];
    uint32_t groups;
    if (!u32(body, groups)) return false;
    uint64_t total = 0;
    // First pass: sum the counts (bounded by the body), then expand.
    Reader scan = body;
    for (uint32_t g = 0; g < groups; ++g) {
      uint32_t c;
      ValType t;
      if (!u32(scan, c) || !valtype(scan, t)) return false;
      total += c;
      if (total > kMaxLocals) return fail("too many locals", body.offset());
    }
    f.locals.reserve(size_t(total));
    for (uint32_t g = 0; g < groups; ++g) {
      uint32_t c;
      ValType t;
      u32(body, c);
      valtype(body, t);
      f.locals.insert(f.locals.end(), c, t);
    }
    uint32_t begin = uint32_t(body.offset());
    if (!expr(body)) return false;
    if (body.offset() != body_end) return fail("section size mismatch", body.offset());
    f.body = Span{begin, uint32_t(body.offset())};
  }
  return true;
}

bool Decoder::section_data(Reader& r) {
  uint32_t n;
  size_t count_at = r.offset();
  if (!u32(r, n)) return false;
  if (m_.data_count && *m_.data_count != n)
    return fail("data count and data section have inconsistent lengths", count_at);
  reserve(m_.datas, n, r);
  for (uint32_t i = 0; i < n; ++i) {
    DataSegment d;
    size_t at = r.offset();
    m_.offsets.datas.push_back(uint32_t(at));
    uint32_t flags;
    if (!u32(r, flags)) return false;
    if (flags > 2) return fail("malformed data segment kind", at);
    if (flags == 1) {
      d.mode = SegmentMode::Passive;
    } else {
      d.mode = SegmentMode::Active;
      if (flags == 2 && !u32(r, d.memory)) return false;
      if (!const_expr(r, d.offset)) return false;
    }
    uint32_t len;
    if (!u32(r, len)) return false;
    d.bytes = Span{uint32_t(r.offset()), uint32_t(r.offset() + std::min<size_t>(len, r.remaining()))};
    if (!r.skip(len)) return rfail(r);
    m_.datas.push_back(d);
  }
  return true;
}

bool Decoder::section_custom(Reader& r, uint32_t section_end) {
  CustomSection c;
  if (!name(r, c.name)) return false;
  c.contents = Span{uint32_t(r.offset()), section_end};
  r.skip(r.remaining());
  if (c.name == "name") parse_names(c.contents.begin, c.contents.end);
  m_.customs.push_back(std::move(c));
  return true;
}

// The "name" section is advisory: any malformation just drops the names.
void Decoder::parse_names(uint32_t begin, uint32_t end) {
  NameSection ns;
  const uint8_t* base = m_.bytes.data();
  Reader r(base + begin, base + end, begin);
  auto read_name = [](Reader& rd, std::string& out) {
    uint32_t n;
    const uint8_t* p;
    if (!rd.u32(n) || n > rd.remaining() || !rd.bytes(n, p) || !is_valid_utf8(p, n)) return false;
    out.assign(reinterpret_cast<const char*>(p), n);
    return true;
  };
  auto read_map = [&](Reader& rd, std::map<uint32_t, std::string>& out) {
    uint32_t n;
    if (!rd.u32(n)) return false;
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t idx;
      std::string s;
      if (!rd.u32(idx) || !read_name(rd, s)) return false;
      out[idx] = std::move(s);
    }
    return true;
  };
  while (!r.at_end()) {
    uint8_t id;
    uint32_t size;
    const uint8_t* p;
    if (!r.u8(id) || !r.u32(size) || size > r.remaining()) return;
    size_t sub_base = r.offset();
    r.bytes(size, p);
    Reader sub(p, p + size, sub_base);
    bool ok = true;
    if (id == 0) {
      std::string s;
      ok = read_name(sub, s) && sub.at_end();
      if (ok) ns.module = std::move(s);
    } else if (id == 1) {
      ok = read_map(sub, ns.functions) && sub.at_end();
    } else if (id == 2) {
      uint32_t n;
      ok = sub.u32(n);
      for (uint32_t i = 0; ok && i < n; ++i) {
        uint32_t f;
        ok = sub.u32(f) && read_map(sub, ns.locals[f]);
      }
      ok = ok && sub.at_end();
    }
    if (!ok) return;
  }
  m_.names = std::move(ns);
}

// Position of each known section in the required order (0 = custom).
int section_rank(uint8_t id, bool exn) {
  switch (id) {
    case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9: return 2 * id;
    case 13: return exn ? 11 : -1;  // tag: after memory, before global
    case 12: return 20;  // data count: after elem, before code
    case 10: return 22;
    case 11: return 24;
    default: return -1;
  }
}

Result<void> Decoder::run() {
  const std::vector<uint8_t>& bytes = m_.bytes;
  Reader r(bytes.data(), bytes.data() + bytes.size(), 0);
  static const uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6d};
  static const uint8_t kVersion[4] = {0x01, 0x00, 0x00, 0x00};
  // The magic and the version are each read as a 4-byte word.
  if (bytes.size() < 4) return Failure{Error("unexpected end", 0)};
  if (std::memcmp(bytes.data(), kMagic, 4) != 0) return Failure{Error("magic header not detected", 0)};
  if (bytes.size() < 8) return Failure{Error("unexpected end", 4)};
  if (std::memcmp(bytes.data() + 4, kVersion, 4) != 0) return Failure{Error("unknown binary version", 4)};
  r.skip(8);
  int last_rank = 0;
  while (!r.at_end()) {
    size_t id_at = r.offset();
    uint8_t id = r.u8_unchecked();
    int rank = id == 0 ? 0 : section_rank(id, exn_);
    if (rank < 0) {
      // Section 13 is the exception-handling proposal's tag section (Wasm 3.0).
      if (id == 13)
        return Failure{Error("malformed section id 13: the tag section (exception handling) requires the exceptions feature", id_at)};
      return Failure{Error("malformed section id", id_at)};
    }
    uint32_t size;
    if (!len32(r, size)) return Failure{err_};
    size_t begin = r.offset();
    section_end_ = begin + size;
    if (rank != 0) {
      if (rank <= last_rank) return Failure{Error("unexpected content after last section", id_at)};
      last_rank = rank;
    }
    // Standard sections are read up to the end of the module (as the spec's
    // reference decoder does, so an inconsistent count reports the same
    // error), and must then end exactly at the declared size.  Custom
    // sections are confined to their size.
    Reader s(r.ptr(), id == 0 ? r.ptr() + size : r.end(), begin);
    r.skip(size);
    bool ok = false;
    switch (id) {
      case 0: ok = section_custom(s, uint32_t(begin + size)); break;
      case 1: ok = section_type(s); break;
      case 2: ok = section_import(s); break;
      case 3: ok = section_function(s); break;
      case 4: ok = section_table(s); break;
      case 5: ok = section_memory(s); break;
      case 13: ok = section_tag(s); break;
      case 6: ok = section_global(s); break;
      case 7: ok = section_export(s); break;
      case 8: ok = section_start(s); break;
      case 9: ok = section_elem(s); break;
      case 12: ok = section_datacount(s); break;
      case 10: m_.offsets.code = uint32_t(id_at); ok = section_code(s); break;
      case 11: seen_data_section_ = true; ok = section_data(s); break;
    }
    if (!ok) return Failure{err_};
    if (s.offset() != section_end_) return Failure{Error("section size mismatch", s.offset())};
  }
  if (!seen_code_section_ && !m_.functions.empty())
    return Failure{Error("function and code section have inconsistent lengths", bytes.size())};
  if (m_.data_count && *m_.data_count != m_.datas.size())
    return Failure{Error("data count and data section have inconsistent lengths", bytes.size())};
  // memory.init / data.drop need the data count section when there is a data
  // section (without either, the segment count is 0 and validation reports
  // the unknown segment).
  if (uses_data_count_ && !m_.data_count && seen_data_section_)
    return Failure{Error("data count section required", first_data_use_)};
  return {};
}

}  // namespace

Result<Module> decode(std::span<const uint8_t> bytes, Features features) {
  if (bytes.size() > 0xffffffffu) return fail("module too large", 0);
  Module m;
  m.features = features;
  m.bytes.assign(bytes.begin(), bytes.end());
  Decoder d(m);
  auto r = d.run();
  if (!r) return Failure{std::move(r).error()};
  return m;
}

}  // namespace compono::core
