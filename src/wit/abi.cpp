// Canonical ABI helpers (size/alignment, flattening) declared in wit.h.
#include "wit/wit.h"

namespace compono::wit {
namespace {

std::uint32_t align_to(std::uint32_t v, std::uint32_t a) { return (v + a - 1) / a * a; }

std::uint32_t discriminant_size(std::size_t n) {
  if (n <= 0x100) return 1;
  if (n <= 0x10000) return 2;
  return 4;
}

SizeAlign sa(const Resolve& r, Type t, int depth);

SizeAlign record_like(const Resolve& r, const std::vector<Type>& ts, int depth) {
  SizeAlign out{0, 1};
  for (Type t : ts) {
    SizeAlign f = sa(r, t, depth + 1);
    out.size = align_to(out.size, f.align) + f.size;
    if (f.align > out.align) out.align = f.align;
  }
  out.size = align_to(out.size, out.align);
  return out;
}

SizeAlign variant_like(const Resolve& r, const std::vector<std::optional<Type>>& cases, int depth) {
  std::uint32_t ds = discriminant_size(cases.size());
  SizeAlign out{ds, ds};
  std::uint32_t max_size = 0, max_align = 1;
  for (auto& c : cases) {
    if (!c) continue;
    SizeAlign p = sa(r, *c, depth + 1);
    if (p.size > max_size) max_size = p.size;
    if (p.align > max_align) max_align = p.align;
  }
  std::uint32_t align = ds > max_align ? ds : max_align;
  out.size = align_to(align_to(ds, max_align) + max_size, align);
  out.align = align;
  return out;
}

SizeAlign sa(const Resolve& r, Type t, int depth) {
  if (depth > 1000) return {0, 1};
  switch (t.kind) {
    case Prim::Bool: case Prim::S8: case Prim::U8: return {1, 1};
    case Prim::S16: case Prim::U16: return {2, 2};
    case Prim::S32: case Prim::U32: case Prim::F32: case Prim::Char: case Prim::ErrorContext: return {4, 4};
    case Prim::S64: case Prim::U64: case Prim::F64: return {8, 8};
    case Prim::String: return {8, 4};
    case Prim::Def: break;
  }
  const TypeDef& d = r.types[t.id];
  switch (d.kind) {
    case TypeDefKind::Alias: return sa(r, d.type, depth + 1);
    case TypeDefKind::Record: {
      std::vector<Type> ts;
      for (auto& f : d.fields) ts.push_back(f.type);
      return record_like(r, ts, depth);
    }
    case TypeDefKind::Tuple: return record_like(r, d.types, depth);
    case TypeDefKind::Variant: {
      std::vector<std::optional<Type>> cs;
      for (auto& c : d.cases) cs.push_back(c.type);
      return variant_like(r, cs, depth);
    }
    case TypeDefKind::Enum: {
      std::uint32_t ds = discriminant_size(d.names.size());
      return {ds, ds};
    }
    case TypeDefKind::Option: return variant_like(r, {std::nullopt, d.type}, depth);
    case TypeDefKind::Result: return variant_like(r, {d.ok, d.err}, depth);
    case TypeDefKind::Flags: {
      std::size_t n = d.names.size();
      if (n == 0) return {0, 1};
      if (n <= 8) return {1, 1};
      if (n <= 16) return {2, 2};
      return {static_cast<std::uint32_t>(4 * ((n + 31) / 32)), 4};
    }
    case TypeDefKind::List: case TypeDefKind::Map: return {8, 4};
    case TypeDefKind::FixedList: {
      SizeAlign e = sa(r, d.type, depth + 1);
      std::uint64_t total = static_cast<std::uint64_t>(e.size) * d.length;
      return {total > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(total), e.align};
    }
    case TypeDefKind::Handle: case TypeDefKind::Resource: case TypeDefKind::Future: case TypeDefKind::Stream:
      return {4, 4};
  }
  return {0, 1};
}

CoreType join(CoreType a, CoreType b) {
  if (a == b) return a;
  if ((a == CoreType::I32 && b == CoreType::F32) || (a == CoreType::F32 && b == CoreType::I32)) return CoreType::I32;
  return CoreType::I64;
}

void flat(const Resolve& r, Type t, std::vector<CoreType>& out, int depth);

void flat_variant(const Resolve& r, const std::vector<std::optional<Type>>& cases, std::vector<CoreType>& out, int depth) {
  std::vector<CoreType> payload;
  for (auto& c : cases) {
    if (!c) continue;
    std::vector<CoreType> f;
    flat(r, *c, f, depth + 1);
    for (std::size_t i = 0; i < f.size(); ++i) {
      if (i < payload.size()) payload[i] = join(payload[i], f[i]);
      else payload.push_back(f[i]);
    }
  }
  out.push_back(CoreType::I32);
  out.insert(out.end(), payload.begin(), payload.end());
}

void flat(const Resolve& r, Type t, std::vector<CoreType>& out, int depth) {
  if (depth > 1000 || out.size() > kFlattenLimit) return;
  switch (t.kind) {
    case Prim::S64: case Prim::U64: out.push_back(CoreType::I64); return;
    case Prim::F32: out.push_back(CoreType::F32); return;
    case Prim::F64: out.push_back(CoreType::F64); return;
    case Prim::String: out.push_back(CoreType::I32); out.push_back(CoreType::I32); return;
    case Prim::Def: break;
    default: out.push_back(CoreType::I32); return;
  }
  const TypeDef& d = r.types[t.id];
  switch (d.kind) {
    case TypeDefKind::Alias: flat(r, d.type, out, depth + 1); return;
    case TypeDefKind::Record: for (auto& f : d.fields) flat(r, f.type, out, depth + 1); return;
    case TypeDefKind::Tuple: for (auto& x : d.types) flat(r, x, out, depth + 1); return;
    case TypeDefKind::Variant: {
      std::vector<std::optional<Type>> cs;
      for (auto& c : d.cases) cs.push_back(c.type);
      flat_variant(r, cs, out, depth);
      return;
    }
    case TypeDefKind::Option: flat_variant(r, {std::nullopt, d.type}, out, depth); return;
    case TypeDefKind::Result: flat_variant(r, {d.ok, d.err}, out, depth); return;
    case TypeDefKind::Flags: {
      std::size_t n = d.names.size();
      std::size_t words = n == 0 ? 0 : (n <= 32 ? 1 : (n + 31) / 32);
      for (std::size_t i = 0; i < words; ++i) out.push_back(CoreType::I32);
      return;
    }
    case TypeDefKind::List: case TypeDefKind::Map: out.push_back(CoreType::I32); out.push_back(CoreType::I32); return;
    case TypeDefKind::FixedList: {
      std::vector<CoreType> e;
      flat(r, d.type, e, depth + 1);
      if (e.empty()) return;
      for (std::uint32_t i = 0; i < d.length && out.size() <= kFlattenLimit; ++i) out.insert(out.end(), e.begin(), e.end());
      return;
    }
    default: out.push_back(CoreType::I32); return;
  }
}

}  // namespace

SizeAlign size_align(const Resolve& resolve, Type t) { return sa(resolve, t, 0); }

void flatten(const Resolve& resolve, Type t, std::vector<CoreType>& out) { flat(resolve, t, out, 0); }

std::vector<std::uint32_t> field_offsets(const Resolve& resolve, Type t) {
  std::vector<std::uint32_t> out;
  t = resolve.unalias(t);
  if (!t.is_def()) return out;
  const TypeDef& d = resolve.types[t.id];
  std::vector<Type> ts;
  if (d.kind == TypeDefKind::Record) {
    for (auto& f : d.fields) ts.push_back(f.type);
  } else if (d.kind == TypeDefKind::Tuple) {
    ts = d.types;
  } else {
    std::vector<std::optional<Type>> cs;
    std::size_t n = 0;
    switch (d.kind) {
      case TypeDefKind::Variant: for (auto& c : d.cases) cs.push_back(c.type); n = d.cases.size(); break;
      case TypeDefKind::Enum: n = d.names.size(); break;
      case TypeDefKind::Option: cs = {std::nullopt, d.type}; n = 2; break;
      case TypeDefKind::Result: cs = {d.ok, d.err}; n = 2; break;
      default: return out;
    }
    std::uint32_t max_align = 1;
    for (auto& c : cs)
      if (c) {
        SizeAlign p = sa(resolve, *c, 1);
        if (p.align > max_align) max_align = p.align;
      }
    out.push_back(align_to(discriminant_size(n), max_align));
    return out;
  }
  std::uint32_t off = 0;
  for (Type x : ts) {
    SizeAlign f = sa(resolve, x, 1);
    off = align_to(off, f.align);
    out.push_back(off);
    off += f.size;
  }
  return out;
}

}  // namespace compono::wit
