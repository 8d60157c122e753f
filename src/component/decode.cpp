// src/component/decode.cpp - component binary decoder.
#include <cstring>

#include "component/component.h"
#include "component/core_scan.h"
#include "component/reader.h"

namespace compono::component {

using detail::Reader;

namespace detail {

Result<CoreValType> read_core_valtype(Reader& r) {
  size_t at = r.pos();
  COMPONO_TRY(uint8_t b, r.u8());
  CoreValType t;
  t.code = b;
  switch (b) {
    case 0x7f: case 0x7e: case 0x7d: case 0x7c: case 0x7b:
    case 0x70: case 0x6f: case 0x6e: case 0x6d: case 0x6c: case 0x6b: case 0x6a: case 0x69:
    case 0x71: case 0x72: case 0x73: case 0x74:
      return t;
    case 0x63: case 0x64: {
      COMPONO_SET(t.heap, r.s33());
      return t;
    }
    default:
      return r.invalid_leading_byte(b, "value type", at);
  }
}

Result<CoreLimits> read_core_limits(Reader& r, bool memory) {
  size_t at = r.pos();
  COMPONO_TRY(uint8_t f, r.u8());
  if (f & ~(memory ? 0x07 : 0x05)) return r.invalid_leading_byte(f, memory ? "memory type" : "table type", at);
  CoreLimits l;
  l.shared = f & 2;
  l.is64 = f & 4;
  if (l.is64) {
    COMPONO_SET(l.min, r.u64());
    if (f & 1) { COMPONO_TRY(uint64_t m, r.u64()); l.max = m; }
  } else {
    COMPONO_TRY(uint32_t mn, r.u32());
    l.min = mn;
    if (f & 1) { COMPONO_TRY(uint32_t m, r.u32()); l.max = m; }
  }
  return l;
}

Result<CoreExternDesc> read_core_import_desc(Reader& r) {
  size_t at = r.pos();
  COMPONO_TRY(uint8_t k, r.u8());
  CoreExternDesc d;
  switch (k) {
    case 0x00:
      d.kind = CoreExternKind::Func;
      COMPONO_SET(d.type_index, r.u32());
      return d;
    case 0x01:
      d.kind = CoreExternKind::Table;
      COMPONO_SET(d.type, read_core_valtype(r));
      COMPONO_SET(d.limits, read_core_limits(r, false));
      return d;
    case 0x02:
      d.kind = CoreExternKind::Memory;
      COMPONO_SET(d.limits, read_core_limits(r, true));
      return d;
    case 0x03: {
      d.kind = CoreExternKind::Global;
      COMPONO_SET(d.type, read_core_valtype(r));
      size_t at2 = r.pos();
      COMPONO_TRY(uint8_t m, r.u8());
      if (m > 1) return fail("malformed mutability", at2);
      d.mut = m == 1;
      return d;
    }
    case 0x04: {
      d.kind = CoreExternKind::Tag;
      size_t at2 = r.pos();
      COMPONO_TRY(uint8_t z, r.u8());
      if (z != 0) return r.invalid_leading_byte(z, "tag attribute", at2);
      COMPONO_SET(d.type_index, r.u32());
      return d;
    }
    default:
      return r.invalid_leading_byte(k, "external kind", at);
  }
}

}  // namespace detail

namespace {

constexpr int kMaxNesting = 100;  // nested components / component types

bool is_prim_code(uint8_t b) { return (b >= 0x73 && b <= 0x7f) || b == 0x64; }

struct Decoder {
  const uint8_t* base;
  std::shared_ptr<const std::vector<uint8_t>> bytes;

  Result<bool> flag(Reader& r) {
    size_t at = r.pos();
    COMPONO_TRY(uint8_t b, r.u8());
    if (b > 1) return fail("invalid boolean value", at);
    return b == 1;
  }

  Result<ValType> valtype(Reader& r) {
    COMPONO_TRY(uint8_t b, r.peek());
    if (is_prim_code(b)) {
      (void)r.u8();
      return ValType::of(PrimValType(b));
    }
    size_t at = r.pos();
    COMPONO_TRY(int64_t v, r.s33());
    if (v < 0 || v > int64_t(UINT32_MAX)) return r.invalid_leading_byte(b, "value type", at);
    return ValType::ref(uint32_t(v));
  }

  Result<std::optional<ValType>> opt_valtype(Reader& r, const char* what) {
    size_t at = r.pos();
    COMPONO_TRY(uint8_t b, r.u8());
    if (b == 0) return std::optional<ValType>{};
    if (b != 1) return r.invalid_leading_byte(b, what, at);
    COMPONO_TRY(ValType t, valtype(r));
    return std::optional<ValType>(t);
  }

  // resultlist ::= 0x00 t | 0x01 0x00
  Result<std::optional<ValType>> resultlist(Reader& r) {
    size_t at = r.pos();
    COMPONO_TRY(uint8_t b, r.u8());
    if (b == 0) {
      COMPONO_TRY(ValType t, valtype(r));
      return std::optional<ValType>(t);
    }
    if (b != 1) return r.invalid_leading_byte(b, "component function results", at);
    size_t at2 = r.pos();
    COMPONO_TRY(uint8_t z, r.u8());
    if (z != 0) return r.invalid_leading_byte(z, "number of results", at2);
    return std::optional<ValType>{};
  }

  Result<Sort> sort(Reader& r, const char* what = "component external kind") {
    size_t at = r.pos();
    COMPONO_TRY(uint8_t b, r.u8());
    Sort s;
    if (b == 0) {
      size_t at2 = r.pos();
      COMPONO_TRY(uint8_t c, r.u8());
      if (c > 0x04 && (c < 0x10 || c > 0x12)) return r.invalid_leading_byte(c, "core sort", at2);
      s.kind = SortKind::Core;
      s.core = CoreSort(c);
      return s;
    }
    if (b > 5) return r.invalid_leading_byte(b, what, at);
    s.kind = SortKind(b);
    return s;
  }

  Result<SortIdx> sortidx(Reader& r) {
    COMPONO_TRY(Sort s, sort(r));
    COMPONO_TRY(uint32_t i, r.u32());
    return SortIdx{s, i};
  }

  Result<ExternName> extern_name(Reader& r) {
    size_t at = r.pos();
    COMPONO_TRY(uint8_t p, r.u8());
    if (p > 2) return r.invalid_leading_byte(p, "component name", at);
    ExternName n;
    n.prefix = p;
    COMPONO_SET(n.name, r.name());
    if (p == 2) {
      COMPONO_TRY(uint32_t cnt, r.count(2));
      for (uint32_t i = 0; i < cnt; ++i) {
        size_t at2 = r.pos();
        COMPONO_TRY(uint8_t k, r.u8());
        if (k > 2) return r.invalid_leading_byte(k, "name option", at2);
        NameAttr a;
        a.kind = k;
        COMPONO_SET(a.value, r.name());
        n.attrs.push_back(std::move(a));
      }
    }
    return n;
  }

  Result<ExternDesc> extern_desc(Reader& r) {
    size_t at = r.pos();
    COMPONO_TRY(uint8_t b, r.u8());
    ExternDesc d;
    switch (b) {
      case 0x00: {
        size_t at2 = r.pos();
        COMPONO_TRY(uint8_t c, r.u8());
        if (c != 0x11) return r.invalid_leading_byte(c, "component external kind", at2);
        d.kind = ExternKind::Module;
        COMPONO_SET(d.index, r.u32());
        return d;
      }
      case 0x01: case 0x04: case 0x05:
        d.kind = ExternKind(b);
        COMPONO_SET(d.index, r.u32());
        return d;
      case 0x02: {
        d.kind = ExternKind::Value;
        COMPONO_SET(d.value, valtype(r));
        return d;
      }
      case 0x03: {
        d.kind = ExternKind::Type;
        size_t at2 = r.pos();
        COMPONO_TRY(uint8_t c, r.u8());
        if (c == 0x00) {
          COMPONO_SET(d.index, r.u32());
        } else if (c == 0x01) {
          d.sub_resource = true;
        } else {
          return r.invalid_leading_byte(c, "type bound", at2);
        }
        return d;
      }
      default:
        return r.invalid_leading_byte(b, "component external kind", at);
    }
  }

  Result<CoreValType> core_valtype(Reader& r) { return detail::read_core_valtype(r); }
  Result<CoreExternDesc> core_import_desc(Reader& r) { return detail::read_core_import_desc(r); }

  Result<CoreFuncType> core_functype(Reader& r) {
    CoreFuncType f;
    COMPONO_TRY(uint32_t np, r.count());
    for (uint32_t i = 0; i < np; ++i) { COMPONO_TRY(CoreValType t, core_valtype(r)); f.params.push_back(t); }
    COMPONO_TRY(uint32_t nr, r.count());
    for (uint32_t i = 0; i < nr; ++i) { COMPONO_TRY(CoreValType t, core_valtype(r)); f.results.push_back(t); }
    return f;
  }

  Result<void> core_comptype(Reader& r, CoreTypeDef& t) {
    size_t at = r.pos();
    COMPONO_TRY(uint8_t b, r.u8());
    if (b == 0x60) {
      COMPONO_SET(t.func, core_functype(r));
      return {};
    }
    if (b == 0x5f || b == 0x5e) return fail("GC struct and array types are not supported", at);
    return r.invalid_leading_byte(b, "type", at);
  }

  Result<void> core_sub(Reader& r, CoreTypeDef& t, bool final) {
    t.has_sub = true;
    t.sub_final = final;
    COMPONO_TRY(uint32_t n, r.count());
    for (uint32_t i = 0; i < n; ++i) { COMPONO_TRY(uint32_t s, r.u32()); t.supertypes.push_back(s); }
    return core_comptype(r, t);
  }

  // A core:type.  In a component's core type section (in_module=false) a
  // bare 0x50 is a module type and 0x00 0x50 a non-final sub; inside a
  // module type 0x50 is a non-final sub.
  Result<CoreTypeDef> core_type(Reader& r, bool in_module, int depth) {
    if (depth > kMaxNesting) return fail("nesting too deep", r.pos());
    size_t at = r.pos();
    COMPONO_TRY(uint8_t b, r.peek());
    CoreTypeDef t;
    if (b == 0x60) {
      (void)r.u8();
      COMPONO_SET(t.func, core_functype(r));
      return t;
    }
    if (b == 0x4f) {
      (void)r.u8();
      COMPONO_CHECK(core_sub(r, t, true));
      return t;
    }
    if (b == 0x50 && in_module) {
      (void)r.u8();
      COMPONO_CHECK(core_sub(r, t, false));
      return t;
    }
    if (b == 0x00 && !in_module) {
      (void)r.u8();
      size_t at2 = r.pos();
      COMPONO_TRY(uint8_t c, r.u8());
      if (c != 0x50) return r.invalid_leading_byte(c, "non-final sub type", at2);
      COMPONO_CHECK(core_sub(r, t, false));
      return t;
    }
    if (b == 0x4e) return fail("GC recursion groups are not supported", at);
    if (b == 0x50 && !in_module) {
      (void)r.u8();
      t.kind = CoreTypeDef::Module;
      COMPONO_TRY(uint32_t n, r.count());
      for (uint32_t i = 0; i < n; ++i) {
        size_t at2 = r.pos();
        COMPONO_TRY(uint8_t k, r.u8());
        CoreModuleDecl d;
        switch (k) {
          case 0x00:
            d.kind = CoreModuleDecl::Import;
            COMPONO_SET(d.module, r.name());
            COMPONO_SET(d.name, r.name());
            COMPONO_SET(d.desc, core_import_desc(r));
            break;
          case 0x01:
            d.kind = CoreModuleDecl::Type;
            COMPONO_SET(d.type, core_type(r, true, depth + 1));
            break;
          case 0x02: {
            d.kind = CoreModuleDecl::Alias;
            size_t at3 = r.pos();
            COMPONO_TRY(uint8_t s, r.u8());
            if (s != 0x10) return r.invalid_leading_byte(s, "outer alias kind", at3);
            d.alias_sort = CoreSort::Type;
            size_t at4 = r.pos();
            COMPONO_TRY(uint8_t tg, r.u8());
            if (tg != 0x01) return r.invalid_leading_byte(tg, "outer alias target", at4);
            COMPONO_SET(d.outer_count, r.u32());
            COMPONO_SET(d.outer_index, r.u32());
            break;
          }
          case 0x03:
            d.kind = CoreModuleDecl::Export;
            COMPONO_SET(d.name, r.name());
            COMPONO_SET(d.desc, core_import_desc(r));
            break;
          default:
            return r.invalid_leading_byte(k, "type definition", at2);
        }
        t.decls.push_back(std::move(d));
      }
      return t;
    }
    (void)r.u8();
    return r.invalid_leading_byte(b, "core type", at);
  }

  Result<Alias> alias(Reader& r) {
    // The sort is read raw first: its validity depends on the target.
    size_t sort_at = r.pos();
    COMPONO_TRY(uint8_t sb, r.u8());
    uint8_t cb = 0;
    size_t core_at = r.pos();
    if (sb == 0) { COMPONO_SET(cb, r.u8()); }
    size_t at = r.pos();
    COMPONO_TRY(uint8_t tg, r.u8());
    Alias a;
    if (tg > 2) return r.invalid_leading_byte(tg, "alias", at);
    a.target = Alias::Target(tg);
    if (tg == 2) {
      bool ok = (sb == 0 && (cb == 0x10 || cb == 0x11)) || sb == 0x03 || sb == 0x04;
      if (!ok) return r.invalid_leading_byte(sb == 0 ? cb : sb, "component outer alias kind", sb == 0 ? core_at : sort_at);
      COMPONO_SET(a.outer_count, r.u32());
      COMPONO_SET(a.outer_index, r.u32());
    } else {
      if (sb == 0) {
        if (cb > 0x04 && (cb < 0x10 || cb > 0x12)) return r.invalid_leading_byte(cb, "core sort", core_at);
      } else if (sb > 5) {
        return r.invalid_leading_byte(sb, "component external kind", sort_at);
      }
      COMPONO_SET(a.instance, r.u32());
      COMPONO_SET(a.name, r.name());
    }
    a.sort.kind = SortKind(sb);
    if (sb == 0) a.sort.core = CoreSort(cb);
    return a;
  }

  Result<std::vector<Decl>> decls(Reader& r, bool component, int depth) {
    std::vector<Decl> out;
    COMPONO_TRY(uint32_t n, r.count());
    out.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      size_t at = r.pos();
      COMPONO_TRY(uint8_t k, r.u8());
      Decl d;
      switch (k) {
        case 0x00:
          d.kind = Decl::CoreType;
          COMPONO_SET(d.core_type, core_type(r, false, depth + 1));
          break;
        case 0x01:
          d.kind = Decl::Type;
          COMPONO_SET(d.type, type_def(r, depth + 1));
          break;
        case 0x02:
          d.kind = Decl::Alias;
          COMPONO_SET(d.alias, alias(r));
          break;
        case 0x03:
          if (!component) return r.invalid_leading_byte(k, "component or instance type declaration", at);
          d.kind = Decl::Import;
          COMPONO_SET(d.name, extern_name(r));
          COMPONO_SET(d.desc, extern_desc(r));
          break;
        case 0x04:
          d.kind = Decl::Export;
          COMPONO_SET(d.name, extern_name(r));
          COMPONO_SET(d.desc, extern_desc(r));
          break;
        default:
          return r.invalid_leading_byte(k, "component or instance type declaration", at);
      }
      out.push_back(std::move(d));
    }
    return out;
  }

  Result<std::vector<std::string>> labels(Reader& r) {
    std::vector<std::string> out;
    COMPONO_TRY(uint32_t n, r.count());
    for (uint32_t i = 0; i < n; ++i) { COMPONO_TRY(std::string s, r.name()); out.push_back(std::move(s)); }
    return out;
  }

  Result<std::vector<LabeledType>> labeled(Reader& r) {
    std::vector<LabeledType> out;
    COMPONO_TRY(uint32_t n, r.count(2));
    for (uint32_t i = 0; i < n; ++i) {
      LabeledType lt;
      COMPONO_SET(lt.name, r.name());
      COMPONO_SET(lt.type, valtype(r));
      out.push_back(std::move(lt));
    }
    return out;
  }

  Result<TypeDef> type_def(Reader& r, int depth) {
    if (depth > kMaxNesting) return fail("nesting too deep", r.pos());
    size_t at = r.pos();
    COMPONO_TRY(uint8_t b, r.u8());
    TypeDef t;
    if (is_prim_code(b)) {
      t.kind = TypeKind::Prim;
      t.prim = PrimValType(b);
      return t;
    }
    switch (b) {
      case 0x72:
        t.kind = TypeKind::Record;
        COMPONO_SET(t.fields, labeled(r));
        return t;
      case 0x71: {
        t.kind = TypeKind::Variant;
        COMPONO_TRY(uint32_t n, r.count(3));
        for (uint32_t i = 0; i < n; ++i) {
          Case c;
          COMPONO_SET(c.name, r.name());
          COMPONO_SET(c.type, opt_valtype(r, "optional value type"));
          size_t at2 = r.pos();
          COMPONO_TRY(uint8_t z, r.u8());
          if (z != 0) return r.invalid_leading_byte(z, "zero byte required", at2);
          t.cases.push_back(std::move(c));
        }
        return t;
      }
      case 0x70:
        t.kind = TypeKind::List;
        COMPONO_SET(t.a, valtype(r));
        return t;
      case 0x67:
        t.kind = TypeKind::FixedList;
        COMPONO_SET(t.a, valtype(r));
        COMPONO_SET(t.length, r.u32());
        return t;
      case 0x6f: {
        t.kind = TypeKind::Tuple;
        COMPONO_TRY(uint32_t n, r.count());
        for (uint32_t i = 0; i < n; ++i) { COMPONO_TRY(ValType v, valtype(r)); t.types.push_back(v); }
        return t;
      }
      case 0x6e:
        t.kind = TypeKind::Flags;
        COMPONO_SET(t.labels, labels(r));
        return t;
      case 0x6d:
        t.kind = TypeKind::Enum;
        COMPONO_SET(t.labels, labels(r));
        return t;
      case 0x6b:
        t.kind = TypeKind::Option;
        COMPONO_SET(t.a, valtype(r));
        return t;
      case 0x6a:
        t.kind = TypeKind::Result;
        COMPONO_SET(t.a, opt_valtype(r, "optional value type"));
        COMPONO_SET(t.b, opt_valtype(r, "optional value type"));
        return t;
      case 0x69: case 0x68:
        t.kind = b == 0x69 ? TypeKind::Own : TypeKind::Borrow;
        COMPONO_SET(t.index, r.u32());
        return t;
      case 0x66: case 0x65:
        t.kind = b == 0x66 ? TypeKind::Stream : TypeKind::Future;
        COMPONO_SET(t.a, opt_valtype(r, "optional value type"));
        return t;
      case 0x63:
        t.kind = TypeKind::Map;
        COMPONO_SET(t.a, valtype(r));
        COMPONO_SET(t.b, valtype(r));
        return t;
      case 0x40: case 0x43:
        t.kind = TypeKind::Func;
        t.async = b == 0x43;
        COMPONO_SET(t.fields, labeled(r));
        COMPONO_SET(t.a, resultlist(r));
        return t;
      case 0x41: case 0x42:
        t.kind = b == 0x41 ? TypeKind::Component : TypeKind::Instance;
        COMPONO_SET(t.decls, decls(r, b == 0x41, depth));
        return t;
      case 0x3f: {
        t.kind = TypeKind::Resource;
        size_t at2 = r.pos();
        COMPONO_TRY(uint8_t rep, r.u8());
        if (rep != 0x7f) return r.invalid_leading_byte(rep, "resource representation", at2);
        t.rep = rep;
        size_t at3 = r.pos();
        COMPONO_TRY(uint8_t has, r.u8());
        if (has > 1) return r.invalid_leading_byte(has, "optional resource destructor", at3);
        if (has) { COMPONO_TRY(uint32_t f, r.u32()); t.dtor = f; }
        return t;
      }
      default:
        return r.invalid_leading_byte(b, "component defined type", at);
    }
  }

  Result<std::vector<CanonOpt>> canon_opts(Reader& r) {
    std::vector<CanonOpt> out;
    COMPONO_TRY(uint32_t n, r.count());
    for (uint32_t i = 0; i < n; ++i) {
      size_t at = r.pos();
      COMPONO_TRY(uint8_t k, r.u8());
      if (k > 0x09) return r.invalid_leading_byte(k, "canonical option", at);
      CanonOpt o;
      o.kind = CanonOptKind(k);
      if (k == 0x03 || k == 0x04 || k == 0x05 || k == 0x07 || k == 0x08) { COMPONO_SET(o.index, r.u32()); }
      out.push_back(o);
    }
    return out;
  }

  Result<Canon> canon(Reader& r) {
    size_t at = r.pos();
    COMPONO_TRY(uint8_t k, r.u8());
    Canon c;
    c.kind = CanonKind(k);
    switch (k) {
      case 0x00: case 0x01: {
        size_t at2 = r.pos();
        COMPONO_TRY(uint8_t s, r.u8());
        if (s != 0) return r.invalid_leading_byte(s, k == 0 ? "canonical function lift" : "canonical function lower", at2);
        COMPONO_SET(c.func, r.u32());
        COMPONO_SET(c.opts, canon_opts(r));
        if (k == 0) { COMPONO_SET(c.type, r.u32()); }
        return c;
      }
      case 0x02: case 0x03: case 0x04: case 0x0e: case 0x13: case 0x14: case 0x15: case 0x1a: case 0x1b:
        COMPONO_SET(c.type, r.u32());
        return c;
      case 0x05: case 0x08: case 0x0d: case 0x1e: case 0x1f: case 0x22: case 0x23: case 0x24: case 0x25:
      case 0x26: case 0x28: case 0x42:
        return c;
      case 0x06: case 0x0c: case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d:
        COMPONO_SET(c.flag, flag(r));
        return c;
      case 0x09:
        COMPONO_SET(c.result, resultlist(r));
        COMPONO_SET(c.opts, canon_opts(r));
        return c;
      case 0x0a: case 0x0b: {
        size_t at2 = r.pos();
        COMPONO_TRY(uint8_t t, r.u8());
        if (t != 0x7f) return r.invalid_leading_byte(t, "context type", at2);
        c.context_type = t;
        COMPONO_SET(c.context_index, r.u32());
        return c;
      }
      case 0x0f: case 0x10: case 0x16: case 0x17:
        COMPONO_SET(c.type, r.u32());
        COMPONO_SET(c.opts, canon_opts(r));
        return c;
      case 0x11: case 0x12: case 0x18: case 0x19:
        COMPONO_SET(c.type, r.u32());
        COMPONO_SET(c.flag, flag(r));
        return c;
      case 0x1c: case 0x1d:
        COMPONO_SET(c.opts, canon_opts(r));
        return c;
      case 0x20: case 0x21:
        COMPONO_SET(c.flag, flag(r));
        COMPONO_SET(c.memory, r.u32());
        return c;
      case 0x27: case 0x41:
        COMPONO_SET(c.type, r.u32());
        COMPONO_SET(c.table, r.u32());
        return c;
      case 0x40:
        COMPONO_SET(c.type, r.u32());
        return c;
      default:
        return r.invalid_leading_byte(k, "canonical function", at);
    }
  }

  // Checks the 8-byte preamble at r; `nested` selects the messages used
  // for nested components.
  Result<void> preamble(Reader& r) {
    size_t at = r.pos();
    if (r.remaining() < 8) return fail("unexpected end-of-file", at);
    const uint8_t* p = base + at;
    if (std::memcmp(p, "\0asm", 4) != 0) return fail("magic header not detected", at);
    if (p[6] == 0 && p[7] == 0) return fail("expected a version header for a component", at + 4);
    if (p[6] != 1 || p[7] != 0) return fail("unknown binary layer", at + 6);
    if (p[4] != 0x0d || p[5] != 0) return fail("unknown binary version", at + 4);
    (void)r.skip(8);
    return {};
  }

  Result<Component> component(Reader& r, int depth) {
    if (depth > kMaxNesting) return fail("nesting too deep", r.pos());
    COMPONO_CHECK(preamble(r));
    Component c;
    c.bytes = bytes;
    uint32_t section_no = 0;
    while (!r.eof()) {
      size_t sec_at = r.pos();
      uint8_t id = *r.u8();
      if (id > 11) return fail("malformed section id: " + std::to_string(id), sec_at);
      COMPONO_TRY(uint32_t size, r.u32());
      if (size > r.remaining()) return fail("unexpected end-of-file", r.pos());
      size_t body = r.pos();
      Reader s(base, body, body + size);
      (void)r.skip(size);
      // Sections are numbered by the items they hold; empty vector
      // sections hold none and are not re-emitted by the writer.
      uint32_t group = section_no;
      size_t items_before = c.items.size();
      size_t elem_at = body;
      auto add = [&](Item::Kind k, size_t idx) { c.items.push_back(Item{k, uint32_t(idx), group, uint32_t(elem_at)}); };
      switch (id) {
        case 0: {
          CustomSection cs;
          COMPONO_SET(cs.name, s.name());
          cs.data.assign(base + s.pos(), base + s.end());
          (void)s.skip(s.remaining());
          add(Item::Custom, c.customs.size());
          c.customs.push_back(std::move(cs));
          break;
        }
        case 1: {
          if (size < 8 || std::memcmp(base + body, "\0asm", 4) != 0) return fail("magic header not detected", body);
          const uint8_t* p = base + body + 4;
          if (!(p[0] == 1 && p[1] == 0 && p[2] == 0 && p[3] == 0)) {
            if (p[2] == 1 && p[3] == 0) return fail("expected a version header for a module", body + 4);
            return fail("unknown binary version", body + 4);
          }
          add(Item::CoreModule, c.core_modules.size());
          c.core_modules.push_back(ByteRange{uint32_t(body), uint32_t(body + size)});
          (void)s.skip(size);
          break;
        }
        case 2: {
          COMPONO_TRY(uint32_t n, s.count(2));
          for (uint32_t i = 0; i < n; ++i) {
            elem_at = s.pos();
            size_t at = s.pos();
            COMPONO_TRY(uint8_t k, s.u8());
            CoreInstance ci;
            if (k == 0x00) {
              COMPONO_SET(ci.module, s.u32());
              COMPONO_TRY(uint32_t na, s.count(3));
              for (uint32_t j = 0; j < na; ++j) {
                CoreInstance::Arg a;
                COMPONO_SET(a.name, s.name());
                size_t at2 = s.pos();
                COMPONO_TRY(uint8_t kind, s.u8());
                if (kind != 0x12) return s.invalid_leading_byte(kind, "instantiation arg kind", at2);
                COMPONO_SET(a.instance, s.u32());
                ci.args.push_back(std::move(a));
              }
            } else if (k == 0x01) {
              ci.instantiate = false;
              COMPONO_TRY(uint32_t ne, s.count(3));
              for (uint32_t j = 0; j < ne; ++j) {
                CoreInstance::Export e;
                COMPONO_SET(e.name, s.name());
                size_t at2 = s.pos();
                COMPONO_TRY(uint8_t so, s.u8());
                if (so > 0x04 && (so < 0x10 || so > 0x12)) return s.invalid_leading_byte(so, "core sort", at2);
                e.item.sort = CoreSort(so);
                COMPONO_SET(e.item.index, s.u32());
                ci.exports.push_back(std::move(e));
              }
            } else {
              return s.invalid_leading_byte(k, "core instance", at);
            }
            add(Item::CoreInstance, c.core_instances.size());
            c.core_instances.push_back(std::move(ci));
          }
          break;
        }
        case 3: {
          COMPONO_TRY(uint32_t n, s.count());
          for (uint32_t i = 0; i < n; ++i) {
            elem_at = s.pos();
            COMPONO_TRY(CoreTypeDef t, core_type(s, false, depth));
            add(Item::CoreType, c.core_types.size());
            c.core_types.push_back(std::move(t));
          }
          break;
        }
        case 4: {
          COMPONO_TRY(Component nested, component(s, depth + 1));
          add(Item::Component, c.components.size());
          c.components.push_back(std::move(nested));
          break;
        }
        case 5: {
          COMPONO_TRY(uint32_t n, s.count(2));
          for (uint32_t i = 0; i < n; ++i) {
            elem_at = s.pos();
            size_t at = s.pos();
            COMPONO_TRY(uint8_t k, s.u8());
            Instance in;
            if (k == 0x00) {
              COMPONO_SET(in.component, s.u32());
              COMPONO_TRY(uint32_t na, s.count(3));
              for (uint32_t j = 0; j < na; ++j) {
                Instance::Arg a;
                COMPONO_SET(a.name, s.name());
                COMPONO_SET(a.item, sortidx(s));
                in.args.push_back(std::move(a));
              }
            } else if (k == 0x01) {
              in.instantiate = false;
              COMPONO_TRY(uint32_t ne, s.count(4));
              for (uint32_t j = 0; j < ne; ++j) {
                Instance::Export e;
                COMPONO_SET(e.name, extern_name(s));
                COMPONO_SET(e.item, sortidx(s));
                in.exports.push_back(std::move(e));
              }
            } else {
              return s.invalid_leading_byte(k, "instance", at);
            }
            add(Item::Instance, c.instances.size());
            c.instances.push_back(std::move(in));
          }
          break;
        }
        case 6: {
          COMPONO_TRY(uint32_t n, s.count(3));
          for (uint32_t i = 0; i < n; ++i) {
            elem_at = s.pos();
            COMPONO_TRY(Alias a, alias(s));
            add(Item::Alias, c.aliases.size());
            c.aliases.push_back(std::move(a));
          }
          break;
        }
        case 7: {
          COMPONO_TRY(uint32_t n, s.count());
          for (uint32_t i = 0; i < n; ++i) {
            elem_at = s.pos();
            COMPONO_TRY(TypeDef t, type_def(s, depth));
            add(Item::Type, c.types.size());
            c.types.push_back(std::move(t));
          }
          break;
        }
        case 8: {
          COMPONO_TRY(uint32_t n, s.count());
          for (uint32_t i = 0; i < n; ++i) {
            elem_at = s.pos();
            COMPONO_TRY(Canon cn, canon(s));
            add(Item::Canon, c.canons.size());
            c.canons.push_back(std::move(cn));
          }
          break;
        }
        case 9: {
          Start st;
          COMPONO_SET(st.func, s.u32());
          COMPONO_TRY(uint32_t na, s.count());
          for (uint32_t j = 0; j < na; ++j) { COMPONO_TRY(uint32_t v, s.u32()); st.args.push_back(v); }
          COMPONO_SET(st.results, s.u32());
          add(Item::Start, c.starts.size());
          c.starts.push_back(std::move(st));
          break;
        }
        case 10: {
          COMPONO_TRY(uint32_t n, s.count(4));
          for (uint32_t i = 0; i < n; ++i) {
            elem_at = s.pos();
            Import im;
            COMPONO_SET(im.name, extern_name(s));
            COMPONO_SET(im.desc, extern_desc(s));
            add(Item::Import, c.imports.size());
            c.imports.push_back(std::move(im));
          }
          break;
        }
        case 11: {
          COMPONO_TRY(uint32_t n, s.count(5));
          for (uint32_t i = 0; i < n; ++i) {
            elem_at = s.pos();
            Export ex;
            COMPONO_SET(ex.name, extern_name(s));
            COMPONO_SET(ex.item, sortidx(s));
            size_t at = s.pos();
            COMPONO_TRY(uint8_t has, s.u8());
            if (has > 1) return s.invalid_leading_byte(has, "optional component export type", at);
            if (has) { COMPONO_TRY(ExternDesc d, extern_desc(s)); ex.type = d; }
            add(Item::Export, c.exports.size());
            c.exports.push_back(std::move(ex));
          }
          break;
        }
      }
      if (!s.eof()) return fail("unexpected content in the component section (section size mismatch)", s.pos());
      if (c.items.size() != items_before) ++section_no;
    }
    return c;
  }
};

}  // namespace

bool is_component(std::span<const uint8_t> b) {
  return b.size() >= 8 && std::memcmp(b.data(), "\0asm", 4) == 0 && b[6] == 1 && b[7] == 0;
}

Result<Component> decode(std::span<const uint8_t> bytes) {
  auto owned = std::make_shared<const std::vector<uint8_t>>(bytes.begin(), bytes.end());
  Decoder d{owned->data(), owned};
  Reader r(owned->data(), 0, owned->size());
  return d.component(r, 0);
}

}  // namespace compono::component
