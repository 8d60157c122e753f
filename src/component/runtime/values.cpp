// src/component/runtime/values.cpp - Type, Val, ResourceType: construction,
// canonical ABI layout, printing, checking.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "component/runtime/internal.h"

namespace compono::component {

using detail::Flat;
using detail::TypeNode;

const char* to_string(Kind k) {
  switch (k) {
    case Kind::Bool: return "bool";
    case Kind::S8: return "s8";
    case Kind::U8: return "u8";
    case Kind::S16: return "s16";
    case Kind::U16: return "u16";
    case Kind::S32: return "s32";
    case Kind::U32: return "u32";
    case Kind::S64: return "s64";
    case Kind::U64: return "u64";
    case Kind::F32: return "f32";
    case Kind::F64: return "f64";
    case Kind::Char: return "char";
    case Kind::String: return "string";
    case Kind::List: return "list";
    case Kind::Record: return "record";
    case Kind::Tuple: return "tuple";
    case Kind::Variant: return "variant";
    case Kind::Enum: return "enum";
    case Kind::Option: return "option";
    case Kind::Result: return "result";
    case Kind::Flags: return "flags";
    case Kind::Own: return "own";
    case Kind::Borrow: return "borrow";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// ResourceType / Resource

ResourceType ResourceType::host(std::string name, std::function<void(uint32_t)> dtor) {
  auto p = std::make_shared<detail::ResourceTypeImpl>();
  p->name = std::move(name);
  p->host = true;
  p->host_dtor = std::move(dtor);
  return ResourceType(std::move(p));
}
const std::string& ResourceType::name() const {
  static const std::string empty;
  return impl_ ? impl_->name : empty;
}
bool ResourceType::is_host() const { return impl_ && impl_->host; }

Result<void, Trap> Resource::drop(Store& store) const {
  auto* rt = type_.impl().get();
  if (!rt) return {};
  if (rt->host) {
    if (rt->host_dtor) rt->host_dtor(rep_);
    return {};
  }
  if (rt->guest_dtor) {
    for (const detail::InstanceImpl* i = rt->impl; i; i = i->parent)
      if (i->poisoned) return Trap("cannot enter component instance: it trapped earlier");
    std::vector<wasm::Value> a{wasm::Value::i32(int32_t(rep_))};
    auto r = rt->guest_dtor.call(store.core(), a);
    if (!r) return std::move(r).error();
  }
  return {};
}

// ---------------------------------------------------------------------------
// Layout

namespace {

uint32_t align_to(uint32_t x, uint32_t a) { return (x + a - 1) / a * a; }

Flat join(Flat a, Flat b) {
  if (a == b) return a;
  if ((a == Flat::I32 && b == Flat::F32) || (a == Flat::F32 && b == Flat::I32)) return Flat::I32;
  return Flat::I64;
}

void layout_variant(TypeNode& n, const std::vector<const Type*>& cases, size_t ncases) {
  n.disc_size = ncases <= 256 ? 1 : ncases <= 65536 ? 2 : 4;
  uint32_t max_align = 1, max_size = 0;
  std::vector<Flat> payload;
  for (const Type* c : cases) {
    if (!c) continue;
    const TypeNode* cn = c->node();
    max_align = std::max(max_align, cn->align);
    max_size = std::max(max_size, cn->size);
    for (size_t i = 0; i < cn->flat.size(); ++i) {
      if (i < payload.size()) payload[i] = join(payload[i], cn->flat[i]);
      else payload.push_back(cn->flat[i]);
    }
  }
  n.align = std::max(n.disc_size, max_align);
  n.payload_offset = align_to(n.disc_size, max_align);
  n.size = align_to(n.payload_offset + max_size, n.align);
  n.flat.clear();
  n.flat.push_back(Flat::I32);
  n.flat.insert(n.flat.end(), payload.begin(), payload.end());
}

void finish(TypeNode& n) {
  switch (n.kind) {
    case Kind::Bool: case Kind::S8: case Kind::U8: n.size = n.align = 1; n.flat = {Flat::I32}; break;
    case Kind::S16: case Kind::U16: n.size = n.align = 2; n.flat = {Flat::I32}; break;
    case Kind::S32: case Kind::U32: case Kind::Char: n.size = n.align = 4; n.flat = {Flat::I32}; break;
    case Kind::S64: case Kind::U64: n.size = n.align = 8; n.flat = {Flat::I64}; break;
    case Kind::F32: n.size = n.align = 4; n.flat = {Flat::F32}; break;
    case Kind::F64: n.size = n.align = 8; n.flat = {Flat::F64}; break;
    case Kind::String: case Kind::List: n.size = 8; n.align = 4; n.flat = {Flat::I32, Flat::I32}; break;
    case Kind::Own: case Kind::Borrow: n.size = n.align = 4; n.flat = {Flat::I32}; break;
    case Kind::Record: case Kind::Tuple: {
      uint32_t s = 0, a = 1;
      n.flat.clear();
      for (auto& f : n.fields) {
        const TypeNode* fn = f.type->node();
        s = align_to(s, fn->align) + fn->size;
        a = std::max(a, fn->align);
        n.flat.insert(n.flat.end(), fn->flat.begin(), fn->flat.end());
      }
      n.align = a;
      n.size = align_to(s, a);
      break;
    }
    case Kind::Variant: {
      std::vector<const Type*> cs;
      for (auto& f : n.fields) cs.push_back(f.type ? &*f.type : nullptr);
      layout_variant(n, cs, n.fields.size());
      break;
    }
    case Kind::Enum: layout_variant(n, {}, n.fields.size()); break;
    case Kind::Option: layout_variant(n, {nullptr, &*n.a}, 2); break;
    case Kind::Result: layout_variant(n, {n.a ? &*n.a : nullptr, n.b ? &*n.b : nullptr}, 2); break;
    case Kind::Flags: {
      size_t k = n.fields.size();
      if (k <= 8) n.size = n.align = 1;
      else if (k <= 16) n.size = n.align = 2;
      else { n.align = 4; n.size = uint32_t(4 * ((k + 31) / 32)); }
      n.flat.assign(k == 0 ? 0 : (k + 31) / 32, Flat::I32);
      if (k == 0) n.size = 0;
      break;
    }
  }
}

std::shared_ptr<TypeNode> mk(Kind k) {
  auto n = std::make_shared<TypeNode>();
  n->kind = k;
  return n;
}

Type done(std::shared_ptr<TypeNode> n) {
  finish(*n);
  return Type(std::shared_ptr<const TypeNode>(std::move(n)));
}

}  // namespace

// ---------------------------------------------------------------------------
// Type

Type::Type(Kind k) {
  // The scalar and string nodes are immutable and shared by every Store;
  // they are built once, thread-safely (a function-local static).
  struct Cache {
    std::shared_ptr<const TypeNode> nodes[size_t(Kind::String) + 1];
    Cache() {
      for (size_t i = 0; i <= size_t(Kind::String); ++i) {
        auto n = mk(Kind(i));
        finish(*n);
        nodes[i] = std::move(n);
      }
    }
  };
  static const Cache cache;
  size_t i = size_t(k);
  if (i <= size_t(Kind::String)) {
    node_ = cache.nodes[i];
  } else {
    auto n = mk(k);
    finish(*n);
    node_ = n;
  }
}
Type Type::list(Type elem) { auto n = mk(Kind::List); n->a = std::move(elem); return done(n); }
Type Type::record(std::vector<std::pair<std::string, Type>> fields) {
  auto n = mk(Kind::Record);
  for (auto& f : fields) n->fields.push_back({std::move(f.first), std::move(f.second)});
  return done(n);
}
Type Type::tuple(std::vector<Type> elems) {
  auto n = mk(Kind::Tuple);
  for (auto& e : elems) n->fields.push_back({"", std::move(e)});
  return done(n);
}
Type Type::variant(std::vector<std::pair<std::string, std::optional<Type>>> cases) {
  auto n = mk(Kind::Variant);
  for (auto& c : cases) n->fields.push_back({std::move(c.first), std::move(c.second)});
  return done(n);
}
Type Type::enum_(std::vector<std::string> cases) {
  auto n = mk(Kind::Enum);
  for (auto& c : cases) n->fields.push_back({std::move(c), std::nullopt});
  return done(n);
}
Type Type::option(Type some) { auto n = mk(Kind::Option); n->a = std::move(some); return done(n); }
Type Type::result(std::optional<Type> ok, std::optional<Type> err) {
  auto n = mk(Kind::Result);
  n->a = std::move(ok);
  n->b = std::move(err);
  return done(n);
}
Type Type::flags(std::vector<std::string> labels) {
  auto n = mk(Kind::Flags);
  for (auto& c : labels) n->fields.push_back({std::move(c), std::nullopt});
  return done(n);
}
Type Type::own(ResourceType r) { auto n = mk(Kind::Own); n->res = std::move(r); return done(n); }
Type Type::borrow(ResourceType r) { auto n = mk(Kind::Borrow); n->res = std::move(r); return done(n); }

Kind Type::kind() const { return node_->kind; }
const Type* Type::elem() const { return node_->a ? &*node_->a : nullptr; }
const Type* Type::err() const { return node_->b ? &*node_->b : nullptr; }
const std::vector<TypeField>& Type::fields() const { return node_->fields; }
const ResourceType& Type::resource() const { return node_->res; }
const std::string& Type::name() const { return node_->name; }
Type Type::named(std::string name) const {
  auto n = std::make_shared<TypeNode>(*node_);
  n->name = std::move(name);
  return Type(std::shared_ptr<const TypeNode>(std::move(n)));
}

bool Type::operator==(const Type& o) const {
  if (node_ == o.node_) return true;
  const TypeNode &a = *node_, &b = *o.node_;
  if (a.kind != b.kind) return false;
  if (a.kind == Kind::Own || a.kind == Kind::Borrow) return a.res == b.res;
  if (a.a.has_value() != b.a.has_value() || a.b.has_value() != b.b.has_value()) return false;
  if (a.a && !(*a.a == *b.a)) return false;
  if (a.b && !(*a.b == *b.b)) return false;
  if (a.fields.size() != b.fields.size()) return false;
  for (size_t i = 0; i < a.fields.size(); ++i) {
    if (a.fields[i].name != b.fields[i].name) return false;
    if (a.fields[i].type.has_value() != b.fields[i].type.has_value()) return false;
    if (a.fields[i].type && !(*a.fields[i].type == *b.fields[i].type)) return false;
  }
  return true;
}

std::string Type::to_string() const {
  const TypeNode& n = *node_;
  std::string s;
  switch (n.kind) {
    case Kind::List: return "list<" + n.a->to_string() + ">";
    case Kind::Option: return "option<" + n.a->to_string() + ">";
    case Kind::Result:
      if (!n.a && !n.b) return "result";
      if (!n.b) return "result<" + n.a->to_string() + ">";
      return "result<" + (n.a ? n.a->to_string() : std::string("_")) + ", " + n.b->to_string() + ">";
    case Kind::Own: return "own<" + (n.res.name().empty() ? std::string("resource") : n.res.name()) + ">";
    case Kind::Borrow: return "borrow<" + (n.res.name().empty() ? std::string("resource") : n.res.name()) + ">";
    case Kind::Tuple:
      s = "tuple<";
      for (size_t i = 0; i < n.fields.size(); ++i) s += (i ? ", " : "") + n.fields[i].type->to_string();
      return s + ">";
    case Kind::Record:
      s = "record { ";
      for (size_t i = 0; i < n.fields.size(); ++i) s += (i ? ", " : "") + n.fields[i].name + ": " + n.fields[i].type->to_string();
      return s + " }";
    case Kind::Variant:
      s = "variant { ";
      for (size_t i = 0; i < n.fields.size(); ++i) {
        s += (i ? ", " : "") + n.fields[i].name;
        if (n.fields[i].type) s += "(" + n.fields[i].type->to_string() + ")";
      }
      return s + " }";
    case Kind::Enum: case Kind::Flags:
      s = n.kind == Kind::Enum ? "enum { " : "flags { ";
      for (size_t i = 0; i < n.fields.size(); ++i) s += (i ? ", " : "") + n.fields[i].name;
      return s + " }";
    default: return compono::component::to_string(n.kind);
  }
}

std::string FuncType::to_string() const {
  std::string s = "func(";
  for (size_t i = 0; i < params.size(); ++i) s += (i ? ", " : "") + params[i].first + ": " + params[i].second.to_string();
  s += ")";
  if (result) s += " -> " + result->to_string();
  return s;
}

// ---------------------------------------------------------------------------
// Val

Val::Val(const Val& o)
    : kind_(o.kind_), case_index_(o.case_index_), bits_(o.bits_), str_(o.str_), res_(o.res_),
      agg_(o.agg_ ? std::make_unique<Agg>(*o.agg_) : nullptr) {}
Val& Val::operator=(const Val& o) {
  if (this != &o) {
    kind_ = o.kind_;
    case_index_ = o.case_index_;
    bits_ = o.bits_;
    str_ = o.str_;
    res_ = o.res_;
    agg_ = o.agg_ ? std::make_unique<Agg>(*o.agg_) : nullptr;
  }
  return *this;
}
const std::vector<Val>& Val::empty_items() {
  static const std::vector<Val> e;
  return e;
}
const std::vector<std::string>& Val::empty_names() {
  static const std::vector<std::string> e;
  return e;
}
static_assert(sizeof(Val) <= 80, "keep Val small (see component.h)");
Val Val::f32(float v) { uint32_t b; std::memcpy(&b, &v, 4); return scalar(Kind::F32, b); }
Val Val::f64(double v) { uint64_t b; std::memcpy(&b, &v, 8); return scalar(Kind::F64, b); }
float Val::as_f32() const { float f; uint32_t b = uint32_t(bits_); std::memcpy(&f, &b, 4); return f; }
double Val::as_f64() const { double d; std::memcpy(&d, &bits_, 8); return d; }
Val Val::string(std::string s) { Val v; v.kind_ = Kind::String; v.str_ = std::move(s); return v; }
Val Val::list(std::vector<Val> e) { Val v; v.kind_ = Kind::List; v.mut_items() = std::move(e); return v; }
Val Val::bytes(std::span<const uint8_t> b, bool is_signed) {
  Val v;
  v.kind_ = Kind::List;
  v.case_index_ = kBytesForm;
  v.bits_ = is_signed ? 1 : 0;
  v.agg_ = std::make_unique<Agg>();
  v.agg_->bytes.assign(b.begin(), b.end());
  return v;
}
Val Val::bytes_moved(std::vector<uint8_t> b, bool is_signed) {
  Val v;
  v.kind_ = Kind::List;
  v.case_index_ = kBytesForm;
  v.bits_ = is_signed ? 1 : 0;
  v.agg_ = std::make_unique<Agg>();
  v.agg_->bytes = std::move(b);
  return v;
}
std::vector<uint8_t> Val::take_bytes() {
  if (is_bytes()) return agg_ ? std::move(agg_->bytes) : std::vector<uint8_t>();
  std::vector<uint8_t> out;
  if (kind_ != Kind::List) return out;
  out.reserve(items().size());
  for (const Val& x : items()) out.push_back(uint8_t(x.raw_bits()));
  if (agg_) agg_->items.clear();
  return out;
}
void Val::materialize() const {
  std::vector<Val>& items = mut_items();
  items.clear();
  const std::vector<uint8_t>& b = agg_->bytes;  // (materialize is only called in bytes form, agg_ set)
  items.reserve(b.size());
  for (uint8_t c : b) items.push_back(bits_ ? Val::s8(int8_t(c)) : Val::u8(c));
}
Val Val::record(std::vector<std::pair<std::string, Val>> f) {
  Val v;
  v.kind_ = Kind::Record;
  auto& names = v.mut_names();
  auto& items = v.mut_items();
  names.reserve(f.size());
  items.reserve(f.size());
  for (auto& x : f) { names.push_back(std::move(x.first)); items.push_back(std::move(x.second)); }
  return v;
}
Val Val::tuple(std::vector<Val> e) { Val v; v.kind_ = Kind::Tuple; v.mut_items() = std::move(e); return v; }
Val Val::variant(std::string c, std::optional<Val> p) {
  Val v;
  v.kind_ = Kind::Variant;
  v.str_ = std::move(c);
  if (p) v.mut_items().push_back(std::move(*p));
  return v;
}
Val Val::enum_(std::string c) { Val v; v.kind_ = Kind::Enum; v.str_ = std::move(c); return v; }
Val Val::none() { Val v; v.kind_ = Kind::Option; v.bits_ = 0; return v; }
Val Val::some(Val x) { Val v; v.kind_ = Kind::Option; v.bits_ = 1; v.mut_items().push_back(std::move(x)); return v; }
Val Val::ok(std::optional<Val> x) {
  Val v;
  v.kind_ = Kind::Result;
  v.bits_ = 0;
  if (x) v.mut_items().push_back(std::move(*x));
  return v;
}
Val Val::err(std::optional<Val> x) {
  Val v;
  v.kind_ = Kind::Result;
  v.bits_ = 1;
  if (x) v.mut_items().push_back(std::move(*x));
  return v;
}
Val Val::flags(std::vector<std::string> l) { Val v; v.kind_ = Kind::Flags; v.mut_names() = std::move(l); return v; }
Val Val::own(Resource r) { Val v; v.kind_ = Kind::Own; v.res_ = std::move(r); return v; }
Val Val::borrow(Resource r) { Val v; v.kind_ = Kind::Borrow; v.res_ = std::move(r); return v; }

bool Val::operator==(const Val& o) const {
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case Kind::String: return str_ == o.str_;
    case Kind::Variant: case Kind::Enum: return str_ == o.str_ && items() == o.items();
    case Kind::Record: return names() == o.names() && items() == o.items();
    case Kind::Flags: return names() == o.names();
    case Kind::Own: case Kind::Borrow: return res_ == o.res_;
    case Kind::List:
      if (is_bytes() && o.is_bytes()) return bits_ == o.bits_ && agg_->bytes == o.agg_->bytes;
      return elems() == o.elems();
    case Kind::Tuple: return items() == o.items();
    case Kind::Option: case Kind::Result: return bits_ == o.bits_ && items() == o.items();
    default: return bits_ == o.bits_;
  }
}

namespace {

void append_utf8(std::string& s, char32_t c) {
  if (c < 0x80) s += char(c);
  else if (c < 0x800) { s += char(0xc0 | (c >> 6)); s += char(0x80 | (c & 0x3f)); }
  else if (c < 0x10000) { s += char(0xe0 | (c >> 12)); s += char(0x80 | ((c >> 6) & 0x3f)); s += char(0x80 | (c & 0x3f)); }
  else { s += char(0xf0 | (c >> 18)); s += char(0x80 | ((c >> 12) & 0x3f)); s += char(0x80 | ((c >> 6) & 0x3f)); s += char(0x80 | (c & 0x3f)); }
}

void quote_char(std::string& s, char32_t c, char q) {
  switch (c) {
    case '\\': s += "\\\\"; return;
    case '\n': s += "\\n"; return;
    case '\r': s += "\\r"; return;
    case '\t': s += "\\t"; return;
    default: break;
  }
  if (c == char32_t(q)) { s += '\\'; s += q; return; }
  if (c < 0x20 || c == 0x7f) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\u{%x}", unsigned(c));
    s += buf;
    return;
  }
  append_utf8(s, c);
}

std::string float_text(double d, bool is32) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, is32 ? "%.9g" : "%.17g", d);
  // Shortest round-tripping form.
  for (int prec = 1; prec <= (is32 ? 9 : 17); ++prec) {
    char b2[64];
    std::snprintf(b2, sizeof b2, "%.*g", prec, d);
    if (is32 ? float(std::strtod(b2, nullptr)) == float(d) : std::strtod(b2, nullptr) == d) {
      std::snprintf(buf, sizeof buf, "%s", b2);
      break;
    }
  }
  return buf;
}

}  // namespace

std::string Val::to_string() const {
  std::string s;
  switch (kind_) {
    case Kind::Bool: return bits_ ? "true" : "false";
    case Kind::S8: case Kind::S16: case Kind::S32: case Kind::S64: return std::to_string(int64_t(bits_));
    case Kind::U8: case Kind::U16: case Kind::U32: case Kind::U64: return std::to_string(bits_);
    case Kind::F32: return float_text(as_f32(), true);
    case Kind::F64: return float_text(as_f64(), false);
    case Kind::Char: s = "'"; quote_char(s, char32_t(bits_), '\''); return s + "'";
    case Kind::String: {
      s = "\"";
      // Decode UTF-8 to escape per char.
      size_t i = 0;
      while (i < str_.size()) {
        unsigned char c = str_[i];
        char32_t cp;
        size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (i + len > str_.size()) len = 1;
        if (len == 1) cp = c;
        else if (len == 2) cp = ((c & 0x1f) << 6) | (str_[i + 1] & 0x3f);
        else if (len == 3) cp = ((c & 0x0f) << 12) | ((str_[i + 1] & 0x3f) << 6) | (str_[i + 2] & 0x3f);
        else cp = ((c & 0x07) << 18) | ((str_[i + 1] & 0x3f) << 12) | ((str_[i + 2] & 0x3f) << 6) | (str_[i + 3] & 0x3f);
        quote_char(s, cp, '"');
        i += len;
      }
      return s + "\"";
    }
    case Kind::List: case Kind::Tuple: {
      s = kind_ == Kind::List ? "[" : "(";
      const auto& items = elems();
      for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i].to_string();
      return s + (kind_ == Kind::List ? "]" : ")");
    }
    case Kind::Record: {
      s = "{";
      for (size_t i = 0; i < items().size(); ++i) {
        // WAVE omits fields whose value is `none`.
        s += (i ? ", " : "") + (i < names().size() ? names()[i] : std::string("?")) + ": " + items()[i].to_string();
      }
      return s + "}";
    }
    case Kind::Variant: case Kind::Enum:
      s = str_;
      if (!items().empty()) s += "(" + items()[0].to_string() + ")";
      return s;
    case Kind::Option: return bits_ ? "some(" + items()[0].to_string() + ")" : "none";
    case Kind::Result:
      s = bits_ ? "err" : "ok";
      if (!items().empty()) s += "(" + items()[0].to_string() + ")";
      return s;
    case Kind::Flags:
      s = "{";
      for (size_t i = 0; i < names().size(); ++i) s += (i ? ", " : "") + names()[i];
      return s + "}";
    case Kind::Own: case Kind::Borrow:
      return std::string(kind_ == Kind::Own ? "own<" : "borrow<") +
             (res_.type().name().empty() ? "resource" : res_.type().name()) + ">#" + std::to_string(res_.rep());
  }
  return s;
}

Result<void> Val::check(const Type& t) const {
  auto mismatch = [&] { return fail("type mismatch: expected " + t.to_string() + ", got " + to_string()); };
  Kind tk = t.kind();
  if (tk != kind_) return mismatch();
  const TypeNode& n = *t.node();
  switch (tk) {
    case Kind::Char:
      if (bits_ >= 0x110000 || (bits_ >= 0xd800 && bits_ <= 0xdfff)) return fail("invalid char value");
      return {};
    case Kind::List:
      if (is_bytes()) {
        if (n.a->kind() != (bits_ ? Kind::S8 : Kind::U8)) return mismatch();
        return {};
      }
      for (auto& e : items()) COMPONO_CHECK(e.check(*n.a));
      return {};
    case Kind::Record:
      if (items().size() != n.fields.size()) return mismatch();
      for (size_t i = 0; i < items().size(); ++i) {
        if (i < names().size() && names()[i] != n.fields[i].name) return mismatch();
        COMPONO_CHECK(items()[i].check(*n.fields[i].type));
      }
      return {};
    case Kind::Tuple:
      if (items().size() != n.fields.size()) return mismatch();
      for (size_t i = 0; i < items().size(); ++i) COMPONO_CHECK(items()[i].check(*n.fields[i].type));
      return {};
    case Kind::Variant: case Kind::Enum: {
      for (auto& f : n.fields) {
        if (f.name != str_) continue;
        if (f.type.has_value() != !items().empty()) return mismatch();
        if (f.type) COMPONO_CHECK(items()[0].check(*f.type));
        return {};
      }
      return mismatch();
    }
    case Kind::Option:
      if (bits_ && (items().size() != 1)) return mismatch();
      if (bits_) return items()[0].check(*n.a);
      return {};
    case Kind::Result: {
      const std::optional<Type>& p = bits_ ? n.b : n.a;
      if (p.has_value() != !items().empty()) return mismatch();
      if (p) return items()[0].check(*p);
      return {};
    }
    case Kind::Flags:
      for (auto& l : names()) {
        bool found = false;
        for (auto& f : n.fields) found |= f.name == l;
        if (!found) return mismatch();
      }
      return {};
    case Kind::Own: case Kind::Borrow:
      if (!(res_.type() == n.res)) return fail("type mismatch: resource of type " + res_.type().name() + " where " + t.to_string() + " is expected");
      return {};
    default: return {};
  }
}

// ---------------------------------------------------------------------------
// Store

Store::Store(wasm::Config config) : state_(std::make_unique<detail::StoreState>(config)) {}
Store::~Store() = default;
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
wasm::Store& Store::core() { return state_->core; }

namespace detail {

void flatten_types(const std::vector<Type>& ts, std::vector<Flat>& out) {
  for (auto& t : ts) out.insert(out.end(), t.node()->flat.begin(), t.node()->flat.end());
}
uint32_t flat_count(const std::vector<Type>& ts) {
  size_t n = 0;
  for (auto& t : ts) n += t.node()->flat.size();
  return uint32_t(n);
}

namespace {
wasm::ValType to_core(Flat f) {
  switch (f) {
    case Flat::I32: return wasm::ValType::I32;
    case Flat::I64: return wasm::ValType::I64;
    case Flat::F32: return wasm::ValType::F32;
    case Flat::F64: return wasm::ValType::F64;
  }
  return wasm::ValType::I32;
}
std::vector<Type> param_types(const FuncType& ft) {
  std::vector<Type> v;
  for (auto& p : ft.params) v.push_back(p.second);
  return v;
}
}  // namespace

std::vector<Flat> core_sig_params(const FuncType& ft) {
  std::vector<Flat> f;
  flatten_types(param_types(ft), f);
  if (f.size() > 16) f.assign(1, Flat::I32);
  return f;
}
std::vector<Flat> core_sig_results(const FuncType& ft) {
  std::vector<Flat> f;
  if (ft.result) f = ft.result->node()->flat;
  if (f.size() > 1) f.assign(1, Flat::I32);
  return f;
}
wasm::FuncType lifted_core_type(const FuncType& ft) {
  wasm::FuncType t;
  for (Flat f : core_sig_params(ft)) t.params.push_back(to_core(f));
  for (Flat f : core_sig_results(ft)) t.results.push_back(to_core(f));
  return t;
}
wasm::FuncType lowered_core_type(const FuncType& ft) {
  wasm::FuncType t;
  for (Flat f : core_sig_params(ft)) t.params.push_back(to_core(f));
  std::vector<Flat> r;
  if (ft.result) r = ft.result->node()->flat;
  if (r.size() > 1) t.params.push_back(wasm::ValType::I32);
  else for (Flat f : r) t.results.push_back(to_core(f));
  return t;
}

// ---------------------------------------------------------------------------
// Names and versions

void split_version(std::string_view name, std::string& base, std::string& version) {
  size_t at = name.find('@');
  if (at == std::string_view::npos) { base = std::string(name); version.clear(); return; }
  base = std::string(name.substr(0, at));
  version = std::string(name.substr(at + 1));
}

namespace {
struct Ver { uint64_t major = 0, minor = 0, patch = 0; std::string pre; bool ok = false; };
Ver parse_ver(std::string_view v) {
  Ver r;
  uint64_t parts[3] = {0, 0, 0};
  size_t i = 0;
  for (int k = 0; k < 3; ++k) {
    if (i >= v.size() || v[i] < '0' || v[i] > '9') return r;
    uint64_t x = 0;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') x = x * 10 + uint64_t(v[i++] - '0');
    parts[k] = x;
    if (k < 2) {
      if (i >= v.size() || v[i] != '.') return r;
      ++i;
    }
  }
  r.major = parts[0]; r.minor = parts[1]; r.patch = parts[2];
  if (i < v.size()) r.pre = std::string(v.substr(i));
  r.ok = true;
  return r;
}
}  // namespace

bool semver_compatible(std::string_view a, std::string_view b) {
  if (a == b) return true;
  Ver x = parse_ver(a), y = parse_ver(b);
  if (!x.ok || !y.ok || !x.pre.empty() || !y.pre.empty()) return false;
  if (x.major != y.major) return false;
  if (x.major == 0) return x.minor == y.minor && (x.minor != 0 || x.patch == y.patch);
  return true;
}

int compare_versions(std::string_view a, std::string_view b) {
  Ver x = parse_ver(a), y = parse_ver(b);
  if (x.major != y.major) return x.major < y.major ? -1 : 1;
  if (x.minor != y.minor) return x.minor < y.minor ? -1 : 1;
  if (x.patch != y.patch) return x.patch < y.patch ? -1 : 1;
  return 0;
}

const Item* find_item(const ItemMap& m, std::string_view name) {
  auto it = m.find(name);
  if (it != m.end()) return &it->second;
  std::string base, ver;
  split_version(name, base, ver);
  if (ver.empty()) return nullptr;
  const Item* best = nullptr;
  std::string best_ver;
  for (auto& [k, v] : m) {
    std::string b2, v2;
    split_version(k, b2, v2);
    if (b2 != base || v2.empty() || !semver_compatible(ver, v2)) continue;
    if (!best || compare_versions(v2, best_ver) > 0) { best = &v; best_ver = v2; }
  }
  return best;
}

}  // namespace detail
}  // namespace compono::component
