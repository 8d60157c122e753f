// src/component/core_scan.cpp - import/export view of a core module.
#include <cstring>

#include "component/core_scan.h"

namespace compono::component::detail {

namespace {

// Rank of each core section id in the required order (0 = custom).
int section_rank(uint8_t id) {
  switch (id) {
    case 1: return 1;   // type
    case 2: return 2;   // import
    case 3: return 3;   // function
    case 4: return 4;   // table
    case 5: return 5;   // memory
    case 13: return 6;  // tag
    case 6: return 7;   // global
    case 7: return 8;   // export
    case 8: return 9;   // start
    case 9: return 10;  // element
    case 12: return 11; // data count
    case 10: return 12; // code
    case 11: return 13; // data
    default: return -1;
  }
}

Result<void> skip_const_expr(Reader& r) {
  // Constant expressions are short; scan to the matching `end` (0x0b) by
  // decoding the handful of opcodes allowed in them.
  for (;;) {
    size_t at = r.pos();
    COMPONO_TRY(uint8_t op, r.u8());
    switch (op) {
      case 0x0b: return {};
      case 0x41: { COMPONO_TRY(int64_t v, r.s33()); (void)v; break; }  // i32.const (s32 fits)
      case 0x42: {  // i64.const: skip a LEB
        for (;;) { COMPONO_TRY(uint8_t b, r.u8()); if (!(b & 0x80)) break; }
        break;
      }
      case 0x43: COMPONO_CHECK(r.skip(4)); break;
      case 0x44: COMPONO_CHECK(r.skip(8)); break;
      case 0x23: case 0xd2: { COMPONO_TRY(uint32_t i, r.u32()); (void)i; break; }
      case 0xd0: { COMPONO_TRY(int64_t h, r.s33()); (void)h; break; }
      case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e: break;
      case 0xfd: {  // v128.const
        COMPONO_TRY(uint32_t sub, r.u32());
        if (sub != 12) return fail("constant expression required", at);
        COMPONO_CHECK(r.skip(16));
        break;
      }
      default:
        return fail("constant expression required", at);
    }
  }
}

}  // namespace

Result<CoreModuleInfo> scan_core_module(std::span<const uint8_t> bytes, size_t offset) {
  // Work on a view whose offsets are absolute in the enclosing binary.
  const uint8_t* base = bytes.data() - offset;
  Reader r(base, offset, offset + bytes.size());
  if (bytes.size() < 8 || std::memcmp(bytes.data(), "\0asm", 4) != 0) return fail("magic header not detected", offset);
  if (std::memcmp(bytes.data() + 4, "\1\0\0\0", 4) != 0) return fail("unknown binary version", offset + 4);
  (void)r.skip(8);
  CoreModuleInfo m;
  int last = 0;
  std::optional<uint32_t> func_decls;
  while (!r.eof()) {
    size_t sec_at = r.pos();
    uint8_t id = *r.u8();
    COMPONO_TRY(uint32_t size, r.u32());
    if (size > r.remaining()) return fail("unexpected end-of-file (section size)", r.pos());
    Reader s(base, r.pos(), r.pos() + size);
    (void)r.skip(size);
    if (id != 0) {
      int rank = section_rank(id);
      if (rank < 0) return fail("malformed section id", sec_at);
      if (rank <= last) return fail(rank == last ? "duplicate section" : "section out of order", sec_at);
      last = rank;
    }
    switch (id) {
      case 0: {
        COMPONO_TRY(std::string name, s.name());
        (void)name;
        (void)s.skip(s.remaining());
        break;
      }
      case 1: {
        COMPONO_TRY(uint32_t n, s.count());
        for (uint32_t i = 0; i < n; ++i) {
          size_t at = s.pos();
          COMPONO_TRY(uint8_t form, s.u8());
          if (form == 0x4e) return fail("GC recursion groups are not supported", at);
          if (form == 0x50 || form == 0x4f) {
            COMPONO_TRY(uint32_t ns, s.count());
            for (uint32_t j = 0; j < ns; ++j) { COMPONO_TRY(uint32_t x, s.u32()); (void)x; }
            at = s.pos();
            COMPONO_SET(form, s.u8());
          }
          if (form != 0x60) return s.invalid_leading_byte(form, "type", at);
          CoreFuncType f;
          COMPONO_TRY(uint32_t np, s.count());
          for (uint32_t j = 0; j < np; ++j) { COMPONO_TRY(CoreValType t, read_core_valtype(s)); f.params.push_back(t); }
          COMPONO_TRY(uint32_t nr, s.count());
          for (uint32_t j = 0; j < nr; ++j) { COMPONO_TRY(CoreValType t, read_core_valtype(s)); f.results.push_back(t); }
          m.types.push_back(std::move(f));
        }
        break;
      }
      case 2: {
        COMPONO_TRY(uint32_t n, s.count(3));
        for (uint32_t i = 0; i < n; ++i) {
          CoreModuleInfo::Import im;
          COMPONO_SET(im.module, s.name());
          COMPONO_SET(im.name, s.name());
          COMPONO_SET(im.desc, read_core_import_desc(s));
          switch (im.desc.kind) {
            case CoreExternKind::Func: m.funcs.push_back(im.desc.type_index); break;
            case CoreExternKind::Table: m.tables.push_back(im.desc); break;
            case CoreExternKind::Memory: m.memories.push_back(im.desc); break;
            case CoreExternKind::Global: m.globals.push_back(im.desc); break;
            case CoreExternKind::Tag: m.tags.push_back(im.desc); break;
          }
          m.imports.push_back(std::move(im));
        }
        break;
      }
      case 3: {
        COMPONO_TRY(uint32_t n, s.count());
        func_decls = n;
        for (uint32_t i = 0; i < n; ++i) { COMPONO_TRY(uint32_t t, s.u32()); m.funcs.push_back(t); }
        break;
      }
      case 4: {
        COMPONO_TRY(uint32_t n, s.count(2));
        for (uint32_t i = 0; i < n; ++i) {
          CoreExternDesc d;
          d.kind = CoreExternKind::Table;
          COMPONO_TRY(uint8_t b, s.peek());
          bool has_init = false;
          if (b == 0x40) {  // table with initializer
            (void)s.u8();
            size_t at = s.pos();
            COMPONO_TRY(uint8_t z, s.u8());
            if (z != 0) return s.invalid_leading_byte(z, "table type", at);
            has_init = true;
          }
          COMPONO_SET(d.type, read_core_valtype(s));
          COMPONO_SET(d.limits, read_core_limits(s, false));
          if (has_init) COMPONO_CHECK(skip_const_expr(s));
          m.tables.push_back(d);
        }
        break;
      }
      case 5: {
        COMPONO_TRY(uint32_t n, s.count());
        for (uint32_t i = 0; i < n; ++i) {
          CoreExternDesc d;
          d.kind = CoreExternKind::Memory;
          COMPONO_SET(d.limits, read_core_limits(s, true));
          m.memories.push_back(d);
        }
        break;
      }
      case 13: {
        COMPONO_TRY(uint32_t n, s.count(2));
        for (uint32_t i = 0; i < n; ++i) {
          CoreExternDesc d;
          d.kind = CoreExternKind::Tag;
          size_t at = s.pos();
          COMPONO_TRY(uint8_t z, s.u8());
          if (z != 0) return s.invalid_leading_byte(z, "tag attribute", at);
          COMPONO_SET(d.type_index, s.u32());
          m.tags.push_back(d);
        }
        break;
      }
      case 6: {
        COMPONO_TRY(uint32_t n, s.count(3));
        for (uint32_t i = 0; i < n; ++i) {
          CoreExternDesc d;
          d.kind = CoreExternKind::Global;
          COMPONO_SET(d.type, read_core_valtype(s));
          size_t at = s.pos();
          COMPONO_TRY(uint8_t mut, s.u8());
          if (mut > 1) return fail("malformed mutability", at);
          d.mut = mut;
          COMPONO_CHECK(skip_const_expr(s));
          m.globals.push_back(d);
        }
        break;
      }
      case 7: {
        COMPONO_TRY(uint32_t n, s.count(3));
        for (uint32_t i = 0; i < n; ++i) {
          CoreModuleInfo::Export e;
          COMPONO_SET(e.name, s.name());
          size_t at = s.pos();
          COMPONO_TRY(uint8_t k, s.u8());
          if (k > 4) return s.invalid_leading_byte(k, "external kind", at);
          e.kind = CoreExternKind(k);
          COMPONO_SET(e.index, s.u32());
          m.exports.push_back(std::move(e));
        }
        break;
      }
      case 10: {
        COMPONO_TRY(uint32_t n, s.count());
        if (n != func_decls.value_or(0)) return fail("function and code section have inconsistent lengths", s.pos());
        (void)s.skip(s.remaining());
        break;
      }
      default:
        (void)s.skip(s.remaining());
        break;
    }
    if (!s.eof()) return fail("section size mismatch", s.pos());
  }
  if (func_decls.value_or(0) != 0 && last < 12) return fail("function and code section have inconsistent lengths", r.pos());
  return m;
}

}  // namespace compono::component::detail
