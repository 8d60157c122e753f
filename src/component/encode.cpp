// src/component/encode.cpp - component binary writer.
#include "component/component.h"

namespace compono::component {

namespace enc {

void u32(std::vector<uint8_t>& out, uint32_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
}

static void u64(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
}

static void s64(std::vector<uint8_t>& out, int64_t v) {
  for (;;) {
    uint8_t b = v & 0x7f;
    v >>= 7;
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    if (!done) b |= 0x80;
    out.push_back(b);
    if (done) break;
  }
}

void name(std::vector<uint8_t>& out, std::string_view s) {
  u32(out, uint32_t(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

void section(std::vector<uint8_t>& out, uint8_t id, const std::vector<uint8_t>& payload) {
  out.push_back(id);
  u32(out, uint32_t(payload.size()));
  out.insert(out.end(), payload.begin(), payload.end());
}

void preamble(std::vector<uint8_t>& out) {
  static const uint8_t p[] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  out.insert(out.end(), p, p + 8);
}

void valtype(std::vector<uint8_t>& out, const ValType& t) {
  if (t.is_prim) out.push_back(uint8_t(t.prim));
  else s64(out, int64_t(t.index));  // type indices are non-negative s33
}

static void opt_valtype(std::vector<uint8_t>& out, const std::optional<ValType>& t) {
  if (!t) { out.push_back(0); return; }
  out.push_back(1);
  valtype(out, *t);
}

static void resultlist(std::vector<uint8_t>& out, const std::optional<ValType>& t) {
  if (t) { out.push_back(0); valtype(out, *t); }
  else { out.push_back(1); out.push_back(0); }
}

static void core_valtype(std::vector<uint8_t>& out, const CoreValType& t) {
  out.push_back(t.code);
  if (t.code == 0x63 || t.code == 0x64) s64(out, t.heap);
}

static void core_limits(std::vector<uint8_t>& out, const CoreLimits& l) {
  uint8_t f = (l.max ? 1 : 0) | (l.shared ? 2 : 0) | (l.is64 ? 4 : 0);
  out.push_back(f);
  u64(out, l.min);
  if (l.max) u64(out, *l.max);
}

static void core_desc(std::vector<uint8_t>& out, const CoreExternDesc& d) {
  out.push_back(uint8_t(d.kind));
  switch (d.kind) {
    case CoreExternKind::Func: u32(out, d.type_index); break;
    case CoreExternKind::Table: core_valtype(out, d.type); core_limits(out, d.limits); break;
    case CoreExternKind::Memory: core_limits(out, d.limits); break;
    case CoreExternKind::Global: core_valtype(out, d.type); out.push_back(d.mut ? 1 : 0); break;
    case CoreExternKind::Tag: out.push_back(0); u32(out, d.type_index); break;
  }
}

static void core_functype(std::vector<uint8_t>& out, const CoreFuncType& f) {
  out.push_back(0x60);
  u32(out, uint32_t(f.params.size()));
  for (auto& t : f.params) core_valtype(out, t);
  u32(out, uint32_t(f.results.size()));
  for (auto& t : f.results) core_valtype(out, t);
}

static void core_type(std::vector<uint8_t>& out, const CoreTypeDef& t, bool in_module) {
  if (t.kind == CoreTypeDef::Module) {
    out.push_back(0x50);
    u32(out, uint32_t(t.decls.size()));
    for (auto& d : t.decls) {
      out.push_back(uint8_t(d.kind));
      switch (d.kind) {
        case CoreModuleDecl::Import: name(out, d.module); name(out, d.name); core_desc(out, d.desc); break;
        case CoreModuleDecl::Type: core_type(out, d.type, true); break;
        case CoreModuleDecl::Alias:
          out.push_back(uint8_t(d.alias_sort));
          out.push_back(0x01);
          u32(out, d.outer_count);
          u32(out, d.outer_index);
          break;
        case CoreModuleDecl::Export: name(out, d.name); core_desc(out, d.desc); break;
      }
    }
    return;
  }
  if (t.has_sub) {
    if (t.sub_final) out.push_back(0x4f);
    else {
      if (!in_module) out.push_back(0x00);
      out.push_back(0x50);
    }
    u32(out, uint32_t(t.supertypes.size()));
    for (uint32_t s : t.supertypes) u32(out, s);
  }
  core_functype(out, t.func);
}

static void sort(std::vector<uint8_t>& out, const Sort& s) {
  out.push_back(uint8_t(s.kind));
  if (s.kind == SortKind::Core) out.push_back(uint8_t(s.core));
}

static void sortidx(std::vector<uint8_t>& out, const SortIdx& s) {
  sort(out, s.sort);
  u32(out, s.index);
}

void extern_name(std::vector<uint8_t>& out, const ExternName& n) {
  uint8_t prefix = n.prefix;
  if (!n.attrs.empty()) prefix = 2;
  out.push_back(prefix);
  name(out, n.name);
  if (prefix == 2) {
    u32(out, uint32_t(n.attrs.size()));
    for (auto& a : n.attrs) {
      out.push_back(a.kind);
      name(out, a.value);
    }
  }
}

void extern_desc(std::vector<uint8_t>& out, const ExternDesc& d) {
  switch (d.kind) {
    case ExternKind::Module: out.push_back(0x00); out.push_back(0x11); u32(out, d.index); break;
    case ExternKind::Func: case ExternKind::Component: case ExternKind::Instance:
      out.push_back(uint8_t(d.kind));
      u32(out, d.index);
      break;
    case ExternKind::Value: out.push_back(0x02); valtype(out, d.value); break;
    case ExternKind::Type:
      out.push_back(0x03);
      if (d.sub_resource) out.push_back(0x01);
      else { out.push_back(0x00); u32(out, d.index); }
      break;
  }
}

static void alias(std::vector<uint8_t>& out, const Alias& a) {
  sort(out, a.sort);
  out.push_back(uint8_t(a.target));
  if (a.target == Alias::Outer) {
    u32(out, a.outer_count);
    u32(out, a.outer_index);
  } else {
    u32(out, a.instance);
    name(out, a.name);
  }
}

static void labeled(std::vector<uint8_t>& out, const std::vector<LabeledType>& v) {
  u32(out, uint32_t(v.size()));
  for (auto& f : v) {
    name(out, f.name);
    valtype(out, f.type);
  }
}

static void labels(std::vector<uint8_t>& out, const std::vector<std::string>& v) {
  u32(out, uint32_t(v.size()));
  for (auto& s : v) name(out, s);
}

static void decls(std::vector<uint8_t>& out, const std::vector<Decl>& ds) {
  u32(out, uint32_t(ds.size()));
  for (auto& d : ds) {
    out.push_back(uint8_t(d.kind));
    switch (d.kind) {
      case Decl::CoreType: core_type(out, d.core_type, false); break;
      case Decl::Type: typedef_(out, d.type); break;
      case Decl::Alias: alias(out, d.alias); break;
      case Decl::Import: case Decl::Export:
        extern_name(out, d.name);
        extern_desc(out, d.desc);
        break;
    }
  }
}

void typedef_(std::vector<uint8_t>& out, const TypeDef& t) {
  switch (t.kind) {
    case TypeKind::Prim: out.push_back(uint8_t(t.prim)); break;
    case TypeKind::Record: out.push_back(0x72); labeled(out, t.fields); break;
    case TypeKind::Variant:
      out.push_back(0x71);
      u32(out, uint32_t(t.cases.size()));
      for (auto& c : t.cases) {
        name(out, c.name);
        opt_valtype(out, c.type);
        if (c.refines) { out.push_back(1); u32(out, *c.refines); }
        else out.push_back(0);
      }
      break;
    case TypeKind::List: out.push_back(0x70); valtype(out, t.a.value_or(ValType{})); break;
    case TypeKind::FixedList: out.push_back(0x67); valtype(out, t.a.value_or(ValType{})); u32(out, t.length); break;
    case TypeKind::Tuple:
      out.push_back(0x6f);
      u32(out, uint32_t(t.types.size()));
      for (auto& v : t.types) valtype(out, v);
      break;
    case TypeKind::Flags: out.push_back(0x6e); labels(out, t.labels); break;
    case TypeKind::Enum: out.push_back(0x6d); labels(out, t.labels); break;
    case TypeKind::Option: out.push_back(0x6b); valtype(out, t.a.value_or(ValType{})); break;
    case TypeKind::Result: out.push_back(0x6a); opt_valtype(out, t.a); opt_valtype(out, t.b); break;
    case TypeKind::Own: out.push_back(0x69); u32(out, t.index); break;
    case TypeKind::Borrow: out.push_back(0x68); u32(out, t.index); break;
    case TypeKind::Stream: out.push_back(0x66); opt_valtype(out, t.a); break;
    case TypeKind::Future: out.push_back(0x65); opt_valtype(out, t.a); break;
    case TypeKind::Map: out.push_back(0x63); valtype(out, t.a.value_or(ValType{})); valtype(out, t.b.value_or(ValType{})); break;
    case TypeKind::Func:
      out.push_back(t.async ? 0x43 : 0x40);
      labeled(out, t.fields);
      resultlist(out, t.a);
      break;
    case TypeKind::Component: out.push_back(0x41); decls(out, t.decls); break;
    case TypeKind::Instance: out.push_back(0x42); decls(out, t.decls); break;
    case TypeKind::Resource:
      out.push_back(0x3f);
      out.push_back(t.rep);
      if (t.dtor) { out.push_back(1); u32(out, *t.dtor); }
      else out.push_back(0);
      break;
  }
}

static void opts(std::vector<uint8_t>& out, const std::vector<CanonOpt>& os) {
  u32(out, uint32_t(os.size()));
  for (auto& o : os) {
    out.push_back(uint8_t(o.kind));
    switch (o.kind) {
      case CanonOptKind::Memory: case CanonOptKind::Realloc: case CanonOptKind::PostReturn:
      case CanonOptKind::Callback: case CanonOptKind::CoreType:
        u32(out, o.index);
        break;
      default: break;
    }
  }
}

void canon(std::vector<uint8_t>& out, const Canon& c) {
  uint8_t k = uint8_t(c.kind);
  out.push_back(k);
  switch (k) {
    case 0x00: out.push_back(0); u32(out, c.func); opts(out, c.opts); u32(out, c.type); break;
    case 0x01: out.push_back(0); u32(out, c.func); opts(out, c.opts); break;
    case 0x02: case 0x03: case 0x04: case 0x0e: case 0x13: case 0x14: case 0x15: case 0x1a: case 0x1b: case 0x40:
      u32(out, c.type);
      break;
    case 0x06: case 0x0c: case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d: out.push_back(c.flag); break;
    case 0x09: resultlist(out, c.result); opts(out, c.opts); break;
    case 0x0a: case 0x0b: out.push_back(c.context_type); u32(out, c.context_index); break;
    case 0x0f: case 0x10: case 0x16: case 0x17: u32(out, c.type); opts(out, c.opts); break;
    case 0x11: case 0x12: case 0x18: case 0x19: u32(out, c.type); out.push_back(c.flag); break;
    case 0x1c: case 0x1d: opts(out, c.opts); break;
    case 0x20: case 0x21: out.push_back(c.flag); u32(out, c.memory); break;
    case 0x27: case 0x41: u32(out, c.type); u32(out, c.table); break;
    default: break;
  }
}

}  // namespace enc

namespace {

using namespace enc;

void encode_item(std::vector<uint8_t>& p, const Component& c, const Item& it) {
  switch (it.kind) {
    case Item::CoreInstance: {
      const CoreInstance& ci = c.core_instances[it.index];
      if (ci.instantiate) {
        p.push_back(0);
        u32(p, ci.module);
        u32(p, uint32_t(ci.args.size()));
        for (auto& a : ci.args) { name(p, a.name); p.push_back(0x12); u32(p, a.instance); }
      } else {
        p.push_back(1);
        u32(p, uint32_t(ci.exports.size()));
        for (auto& e : ci.exports) { name(p, e.name); p.push_back(uint8_t(e.item.sort)); u32(p, e.item.index); }
      }
      break;
    }
    case Item::CoreType: core_type(p, c.core_types[it.index], false); break;
    case Item::Instance: {
      const Instance& in = c.instances[it.index];
      if (in.instantiate) {
        p.push_back(0);
        u32(p, in.component);
        u32(p, uint32_t(in.args.size()));
        for (auto& a : in.args) { name(p, a.name); sortidx(p, a.item); }
      } else {
        p.push_back(1);
        u32(p, uint32_t(in.exports.size()));
        for (auto& e : in.exports) { extern_name(p, e.name); sortidx(p, e.item); }
      }
      break;
    }
    case Item::Alias: alias(p, c.aliases[it.index]); break;
    case Item::Type: typedef_(p, c.types[it.index]); break;
    case Item::Canon: canon(p, c.canons[it.index]); break;
    case Item::Import:
      extern_name(p, c.imports[it.index].name);
      extern_desc(p, c.imports[it.index].desc);
      break;
    case Item::Export: {
      const Export& e = c.exports[it.index];
      extern_name(p, e.name);
      sortidx(p, e.item);
      if (e.type) { p.push_back(1); extern_desc(p, *e.type); }
      else p.push_back(0);
      break;
    }
    default: break;
  }
}

bool item_ok(const Component& c, const Item& it) {
  switch (it.kind) {
    case Item::Custom: return it.index < c.customs.size();
    case Item::CoreModule: {
      if (it.index >= c.core_modules.size() || !c.bytes) return false;
      const ByteRange& r = c.core_modules[it.index];
      return r.begin <= r.end && r.end <= c.bytes->size();
    }
    case Item::CoreInstance: return it.index < c.core_instances.size();
    case Item::CoreType: return it.index < c.core_types.size();
    case Item::Component: return it.index < c.components.size();
    case Item::Instance: return it.index < c.instances.size();
    case Item::Alias: return it.index < c.aliases.size();
    case Item::Type: return it.index < c.types.size();
    case Item::Canon: return it.index < c.canons.size();
    case Item::Start: return it.index < c.starts.size();
    case Item::Import: return it.index < c.imports.size();
    case Item::Export: return it.index < c.exports.size();
  }
  return false;
}

void encode_into(std::vector<uint8_t>& out, const Component& c) {
  preamble(out);
  std::vector<Item> items;
  for (const Item& it : definition_order(c))
    if (item_ok(c, it)) items.push_back(it);  // dangling items of hand-built components are dropped
  size_t i = 0;
  while (i < items.size()) {
    const Item& it = items[i];
    std::vector<uint8_t> payload;
    switch (it.kind) {
      case Item::Custom:
        name(payload, c.customs[it.index].name);
        payload.insert(payload.end(), c.customs[it.index].data.begin(), c.customs[it.index].data.end());
        section(out, 0, payload);
        ++i;
        continue;
      case Item::CoreModule: {
        auto m = c.core_module(it.index);
        payload.assign(m.begin(), m.end());
        section(out, 1, payload);
        ++i;
        continue;
      }
      case Item::Component:
        encode_into(payload, c.components[it.index]);
        section(out, 4, payload);
        ++i;
        continue;
      case Item::Start: {
        const Start& st = c.starts[it.index];
        u32(payload, st.func);
        u32(payload, uint32_t(st.args.size()));
        for (uint32_t a : st.args) u32(payload, a);
        u32(payload, st.results);
        section(out, 9, payload);
        ++i;
        continue;
      }
      default: break;
    }
    // A vector section: all following items of the same kind and group.
    size_t j = i;
    while (j < items.size() && items[j].kind == it.kind && items[j].section == it.section) ++j;
    std::vector<uint8_t> body;
    for (size_t k = i; k < j; ++k) encode_item(body, c, items[k]);
    u32(payload, uint32_t(j - i));
    payload.insert(payload.end(), body.begin(), body.end());
    section(out, uint8_t(it.kind), payload);
    i = j;
  }
}

}  // namespace

std::vector<uint8_t> encode(const Component& c) {
  std::vector<uint8_t> out;
  encode_into(out, c);
  return out;
}

}  // namespace compono::component
