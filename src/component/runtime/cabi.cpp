// src/component/runtime/cabi.cpp - the Canonical ABI: lifting and lowering
// values (CanonicalABI.md / definitions.py), resource handle tables, lifted
// calls (post-return, borrow scopes) and lowered trampolines.
#include <algorithm>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "component/runtime/internal.h"
#include "core/runtime.h"

namespace compono::component::detail {
namespace {

constexpr uint32_t kUtf16Tag = 1u << 31;
constexpr uint64_t kMaxStringByteLength = (1u << 31) - 1;
constexpr uint32_t kMaxTableLength = (1u << 28) - 1;
constexpr const char* kPoisonedMessage = "cannot enter component instance: it trapped earlier";

uint32_t align_to(uint32_t x, uint32_t a) { return (x + a - 1) / a * a; }

// Lifting/lowering context.
struct Cx {
  Store& store;
  const CanonOpts* opts;
  InstanceImpl* inst;
  Task* task;
  bool adapter;  // the other side is a guest (messages differ as in Wasmtime)
  // Made only on failure: the hot path never builds a Trap (and Cx stays
  // small enough to be set up with a few stores).
  std::unique_ptr<Trap> trap;
  bool failed = false;
  bool fail(std::string msg) {
    if (!failed) { trap = std::make_unique<Trap>(std::move(msg)); failed = true; }
    return false;
  }
  bool fail_trap(Trap t) {
    if (!failed) { trap = std::make_unique<Trap>(std::move(t)); failed = true; }
    return false;
  }
  Trap take() { return trap ? std::move(*trap) : Trap("internal: canonical ABI failure without a message"); }
  uint8_t* mem() const { return opts->memory ? opts->memory.data() : nullptr; }
  uint64_t mem_size() const { return opts->memory ? opts->memory.size() : 0; }
};

Result<std::vector<uint64_t>, Trap> call_core(Store& store, const wasm::Func& f, const uint64_t* args, size_t n) {
  return wasm::detail::invoke(*store.core().impl(), f.raw(), args, n);
}

// realloc(old, old_size, align, new_size) with the result checks.
bool realloc_(Cx& cx, uint32_t old, uint32_t old_size, uint32_t align, uint32_t size, uint32_t& out) {
  if (!cx.opts->realloc) return cx.fail("no realloc canonical option");
  uint64_t a[4] = {old, old_size, align, size};
  auto r = call_core(cx.store, cx.opts->realloc, a, 4);
  if (!r) return cx.fail_trap(std::move(r).error());
  uint32_t p = r->empty() ? 0 : uint32_t((*r)[0]);
  if (p % align != 0) return cx.fail(cx.adapter ? "unaligned pointer" : "realloc return: result not aligned");
  if (uint64_t(p) + size > cx.mem_size())
    return cx.fail(cx.adapter ? "list content out-of-bounds" : "realloc return: beyond end of memory");
  out = p;
  return true;
}

// ---------------------------------------------------------------------------
// Handle tables

uint32_t table_add(HandleTable& t, HandleEntry e, Cx& cx, bool& ok) {
  e.used = true;
  if (!t.free.empty()) {
    uint32_t i = t.free.back();
    t.free.pop_back();
    t.array[i] = std::move(e);
    ok = true;
    return i;
  }
  if (t.array.size() > kMaxTableLength) { ok = cx.fail("resource table has no free slots"); return 0; }
  t.array.push_back(std::move(e));
  ok = true;
  return uint32_t(t.array.size() - 1);
}

HandleEntry* table_get(HandleTable& t, uint32_t i) {
  if (i >= t.array.size() || !t.array[i].used) return nullptr;
  return &t.array[i];
}

void table_remove(HandleTable& t, uint32_t i) {
  t.array[i] = HandleEntry{};
  t.free.push_back(i);
}

std::string rt_desc(const ResourceTypeImpl* rt) {
  return rt && rt->host ? "host-defined resource" : "guest-defined resource";
}

bool check_handle(Cx& cx, InstanceImpl* inst, uint32_t i, const ResourceTypeImpl* rt, HandleEntry*& h) {
  h = table_get(inst->table, i);
  if (!h) return cx.fail("unknown handle index " + std::to_string(i));
  if (h->rt.impl().get() != rt) {
    std::string found = rt_desc(h->rt.impl().get());
    std::string expected = rt_desc(rt);
    return cx.fail("handle index " + std::to_string(i) + " used with the wrong type, expected " + expected +
                   " but found a different " + found);
  }
  return true;
}

bool lift_own(Cx& cx, uint32_t i, const Type& t, Val& out) {
  HandleEntry* h;
  if (!check_handle(cx, cx.inst, i, t.resource().impl().get(), h)) return false;
  if (!h->own) return cx.fail("cannot lift own resource from a borrow (handle index " + std::to_string(i) + ")");
  if (h->num_lends != 0) return cx.fail("cannot remove owned resource while borrowed");
  out = Val::own(Resource(h->rt, h->rep));
  table_remove(cx.inst->table, i);
  return true;
}

bool lift_borrow(Cx& cx, uint32_t i, const Type& t, Val& out) {
  HandleEntry* h;
  if (!check_handle(cx, cx.inst, i, t.resource().impl().get(), h)) return false;
  if (h->own && cx.task) {
    h->num_lends++;
    cx.task->lenders.push_back({cx.inst, i});
  }
  out = Val::borrow(Resource(h->rt, h->rep));
  return true;
}

bool lower_own(Cx& cx, const Val& v, const Type& t, uint32_t& out) {
  if (v.kind() != Kind::Own) return cx.fail("type mismatch: expected " + t.to_string() + ", got " + v.to_string());
  if (!(v.resource().type() == t.resource()))
    return cx.fail("type mismatch: resource " + v.to_string() + " passed where " + t.to_string() + " is expected");
  HandleEntry e;
  e.own = true;
  e.rep = v.resource().rep();
  e.rt = t.resource();
  bool ok;
  out = table_add(cx.inst->table, std::move(e), cx, ok);
  return ok;
}

bool lower_borrow(Cx& cx, const Val& v, const Type& t, uint32_t& out) {
  if (v.kind() != Kind::Borrow && v.kind() != Kind::Own)
    return cx.fail("type mismatch: expected " + t.to_string() + ", got " + v.to_string());
  if (!(v.resource().type() == t.resource()))
    return cx.fail("type mismatch: resource " + v.to_string() + " passed where " + t.to_string() + " is expected");
  const ResourceTypeImpl* rt = t.resource().impl().get();
  if (rt && rt->impl == cx.inst) { out = v.resource().rep(); return true; }
  HandleEntry e;
  e.own = false;
  e.rep = v.resource().rep();
  e.rt = t.resource();
  e.scope = cx.task;
  bool ok;
  out = table_add(cx.inst->table, std::move(e), cx, ok);
  if (ok && cx.task) cx.task->num_borrows++;
  return ok;
}

// ---------------------------------------------------------------------------
// Strings

void append_utf8(std::string& s, uint32_t c) {
  if (c < 0x80) s += char(c);
  else if (c < 0x800) { s += char(0xc0 | (c >> 6)); s += char(0x80 | (c & 0x3f)); }
  else if (c < 0x10000) { s += char(0xe0 | (c >> 12)); s += char(0x80 | ((c >> 6) & 0x3f)); s += char(0x80 | (c & 0x3f)); }
  else { s += char(0xf0 | (c >> 18)); s += char(0x80 | ((c >> 12) & 0x3f)); s += char(0x80 | ((c >> 6) & 0x3f)); s += char(0x80 | (c & 0x3f)); }
}

// Length of the all-ASCII prefix of p[0..n), checked 64 bytes at a time
// (SSE2) and then 8 at a time; may stop a little before the first non-ASCII
// byte, never after it.
size_t ascii_prefix(const uint8_t* p, size_t n) {
  size_t i = 0;
#if defined(__SSE2__)
  for (; i + 64 <= n; i += 64) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 16));
    __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 32));
    __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 48));
    if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)))) break;
  }
#endif
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    std::memcpy(&x, p + i, 8);
    if (x & 0x8080808080808080ull) break;
  }
  return i;
}

// Is p[0..n) valid UTF-8?  ASCII runs go through ascii_prefix; multi-byte
// sequences are checked with one table-free test per length.
bool utf8_valid(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    if (c < 0x80) {
      size_t k = ascii_prefix(p + i, n - i);
      i += k ? k : 1;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) {
      if (i + 1 >= n || (p[i + 1] & 0xc0) != 0x80) return false;
      i += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      if (i + 2 >= n) return false;
      uint8_t d = p[i + 1];
      uint8_t lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
      if (d < lo || d > hi || (p[i + 2] & 0xc0) != 0x80) return false;
      i += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      if (i + 3 >= n) return false;
      uint8_t d = p[i + 1];
      uint8_t lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
      if (d < lo || d > hi || (p[i + 2] & 0xc0) != 0x80 || (p[i + 3] & 0xc0) != 0x80) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

// Validates UTF-8 like Rust's from_utf8; returns an error message or "".
// (The fast check runs first; this walk only words the error.)
std::string validate_utf8(const uint8_t* p, size_t n) {
  if (utf8_valid(p, n)) return "";
  size_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    if (c < 0x80) {
      i += ascii_prefix(p + i, n - i);
      if (i < n && p[i] < 0x80) ++i;
      continue;
    }
    size_t len;
    uint32_t lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c >= 0xe0 && c <= 0xef) { len = 3; if (c == 0xe0) lo = 0xa0; if (c == 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; if (c == 0xf0) lo = 0x90; if (c == 0xf4) hi = 0x8f; }
    else return "invalid utf-8 sequence of 1 bytes from index " + std::to_string(i);
    size_t k = 1;
    for (; k < len; ++k) {
      if (i + k >= n) return "incomplete utf-8 byte sequence from index " + std::to_string(i);
      uint8_t d = p[i + k];
      uint32_t l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xbf;
      if (d < l || d > h) return "invalid utf-8 sequence of " + std::to_string(k) + " bytes from index " + std::to_string(i);
    }
    i += len;
  }
  return "";
}

// Decode UTF-8 (already valid) into code points.
template <class F>
void for_each_cp(const std::string& s, F&& f) {
  size_t i = 0, n = s.size();
  const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
  while (i < n) {
    uint8_t c = p[i];
    uint32_t cp;
    size_t len;
    if (c < 0x80) { cp = c; len = 1; }
    else if (c < 0xe0) { cp = c & 0x1f; len = 2; }
    else if (c < 0xf0) { cp = c & 0x0f; len = 3; }
    else { cp = c & 0x07; len = 4; }
    for (size_t k = 1; k < len && i + k < n; ++k) cp = (cp << 6) | (p[i + k] & 0x3f);
    f(cp);
    i += len;
  }
}

bool load_string_from_range(Cx& cx, uint32_t ptr, uint32_t tagged, Val& out) {
  uint32_t alignment;
  uint64_t byte_length;
  int enc;  // 0 utf8, 1 utf16, 2 latin1
  switch (cx.opts->encoding) {
    case Encoding::Utf8: alignment = 1; byte_length = tagged; enc = 0; break;
    case Encoding::Utf16: alignment = 2; byte_length = 2ull * tagged; enc = 1; break;
    default:
      alignment = 2;
      if (tagged & kUtf16Tag) { byte_length = 2ull * (tagged ^ kUtf16Tag); enc = 1; }
      else { byte_length = tagged; enc = 2; }
  }
  if (ptr % alignment) return cx.fail("unaligned pointer");
  if (uint64_t(ptr) + byte_length > cx.mem_size())
    return cx.fail(cx.adapter ? "string content out-of-bounds" : "string pointer/length out of bounds of memory");
  const uint8_t* p = cx.mem() + ptr;
  std::string s;
  if (enc == 0) {
    // One copy into the destination, then validation of the (now cached)
    // copy: the spec traps on invalid UTF-8.
    s.assign(reinterpret_cast<const char*>(p), byte_length);
    std::string err = validate_utf8(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    if (!err.empty()) return cx.fail(err);
  } else if (enc == 2) {
    s.reserve(byte_length);
    for (uint64_t i = 0; i < byte_length; ++i) append_utf8(s, p[i]);
  } else {
    uint64_t units = byte_length / 2;
    s.reserve(units);
    for (uint64_t i = 0; i < units; ++i) {
      uint32_t u = uint32_t(p[2 * i]) | (uint32_t(p[2 * i + 1]) << 8);
      if (u >= 0xd800 && u <= 0xdbff) {
        if (i + 1 >= units) return cx.fail("invalid utf-16: unpaired surrogate");
        uint32_t u2 = uint32_t(p[2 * i + 2]) | (uint32_t(p[2 * i + 3]) << 8);
        if (u2 < 0xdc00 || u2 > 0xdfff) return cx.fail("invalid utf-16: unpaired surrogate");
        append_utf8(s, 0x10000 + ((u - 0xd800) << 10) + (u2 - 0xdc00));
        ++i;
      } else if (u >= 0xdc00 && u <= 0xdfff) {
        return cx.fail("invalid utf-16: unpaired surrogate");
      } else {
        append_utf8(s, u);
      }
    }
  }
  out = Val::string(std::move(s));
  // Remember the source encoding (for transcoding exactly as the spec does).
  int hint = cx.opts->encoding == Encoding::Utf8 ? 0 : cx.opts->encoding == Encoding::Utf16 ? 1 : (enc == 2 ? 2 : 3);
  out.set_case_index(hint);
  return true;
}

void encode_utf16(const std::string& s, std::vector<uint16_t>& out) {
  for_each_cp(s, [&](uint32_t cp) {
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(uint16_t(0xd800 + (cp >> 10)));
      out.push_back(uint16_t(0xdc00 + (cp & 0x3ff)));
    } else {
      out.push_back(uint16_t(cp));
    }
  });
}

bool store_bytes(Cx& cx, uint32_t ptr, const void* src, size_t n) {
  if (uint64_t(ptr) + n > cx.mem_size()) return cx.fail("out of bounds memory access");
  if (n) std::memcpy(cx.mem() + ptr, src, n);
  return true;
}

// realloc + checks as the spec's store_* functions do (alignment check only
// where the spec has one).
bool sreal(Cx& cx, uint32_t old, uint32_t old_size, uint32_t align, uint64_t size, bool check_align, uint32_t& out) {
  if (!cx.opts->realloc) return cx.fail("no realloc canonical option");
  uint64_t a[4] = {old, old_size, align, size};
  auto r = call_core(cx.store, cx.opts->realloc, a, 4);
  if (!r) return cx.fail_trap(std::move(r).error());
  uint32_t p = r->empty() ? 0 : uint32_t((*r)[0]);
  if (check_align && p % align != 0) return cx.fail(cx.adapter ? "unaligned pointer" : "realloc return: result not aligned");
  if (uint64_t(p) + size > cx.mem_size())
    return cx.fail(cx.adapter ? "string content out-of-bounds" : "realloc return: beyond end of memory");
  out = p;
  return true;
}

bool store_string(Cx& cx, const Val& v, uint32_t& ptr_out, uint32_t& len_out) {
  const std::string& s = v.as_string();
  // Source encoding: the one it was lifted from (hint), else UTF-8.
  int hint = v.case_index() < 0 ? 0 : int(v.case_index());
  if (hint == 0 && cx.opts->encoding == Encoding::Utf8) {
    // UTF-8 to UTF-8 (the common case): realloc + one memcpy, no scan.
    if (s.size() > kMaxStringByteLength) return cx.fail("string too long");
    uint32_t p;
    if (!sreal(cx, 0, 0, 1, s.size(), true, p)) return false;
    if (!s.empty()) std::memcpy(cx.mem() + p, s.data(), s.size());
    ptr_out = p;
    len_out = uint32_t(s.size());
    return true;
  }
  // Source code units.
  uint64_t cps = 0, utf16_units = 0;
  bool all_latin1 = true;
  for_each_cp(s, [&](uint32_t cp) {
    ++cps;
    utf16_units += cp >= 0x10000 ? 2 : 1;
    if (cp >= 256) all_latin1 = false;
  });
  std::string src_encoding;  // "utf8", "utf16", "latin1+utf16"
  std::string simple;        // utf8, utf16, latin1
  uint64_t src_code_units;
  switch (hint) {
    case 1: src_encoding = simple = "utf16"; src_code_units = utf16_units; break;
    case 2: src_encoding = "latin1+utf16"; simple = "latin1"; src_code_units = cps; break;
    case 3: src_encoding = "latin1+utf16"; simple = "utf16"; src_code_units = utf16_units; break;
    default: src_encoding = simple = "utf8"; src_code_units = s.size(); break;
  }
  auto store_copy = [&](uint32_t unit, uint32_t align, int dst) -> bool {  // dst: 0 utf8, 1 utf16, 2 latin1
    uint64_t dst_len = uint64_t(unit) * src_code_units;
    if (dst_len > kMaxStringByteLength) return cx.fail("string too long");
    uint32_t p;
    if (!sreal(cx, 0, 0, align, dst_len, true, p)) return false;
    if (dst == 0) {
      if (!store_bytes(cx, p, s.data(), s.size())) return false;
    } else if (dst == 1) {
      std::vector<uint16_t> u;
      encode_utf16(s, u);
      std::vector<uint8_t> b(u.size() * 2);
      for (size_t i = 0; i < u.size(); ++i) { b[2 * i] = uint8_t(u[i]); b[2 * i + 1] = uint8_t(u[i] >> 8); }
      if (!store_bytes(cx, p, b.data(), b.size())) return false;
    } else {
      std::vector<uint8_t> b;
      for_each_cp(s, [&](uint32_t cp) { b.push_back(uint8_t(cp)); });
      if (!store_bytes(cx, p, b.data(), b.size())) return false;
    }
    ptr_out = p;
    len_out = uint32_t(src_code_units);
    return true;
  };
  auto store_to_utf8 = [&](uint64_t worst) -> bool {
    uint32_t p;
    if (!sreal(cx, 0, 0, 1, src_code_units, false, p)) return false;
    uint64_t i = 0;
    bool ascii = true;
    for_each_cp(s, [&](uint32_t cp) { if (cp >= 0x80) ascii = false; });
    if (ascii) {
      if (!store_bytes(cx, p, s.data(), s.size())) return false;
      ptr_out = p;
      len_out = uint32_t(src_code_units);
      return true;
    }
    // Write the ASCII prefix, then grow to the worst case.
    size_t prefix = 0;
    while (prefix < s.size() && uint8_t(s[prefix]) < 0x80) ++prefix;
    if (!store_bytes(cx, p, s.data(), prefix)) return false;
    i = prefix;
    if (worst > kMaxStringByteLength) return cx.fail("string too long");
    if (!sreal(cx, p, uint32_t(src_code_units), 1, worst, false, p)) return false;
    if (!store_bytes(cx, p + uint32_t(i), s.data() + i, s.size() - i)) return false;
    if (worst > s.size()) {
      if (!sreal(cx, p, uint32_t(worst), 1, s.size(), false, p)) return false;
    }
    ptr_out = p;
    len_out = uint32_t(s.size());
    return true;
  };
  Encoding dst = cx.opts->encoding;
  if (dst == Encoding::Utf8) {
    if (simple == "utf8") return store_copy(1, 1, 0);
    if (simple == "utf16") return store_to_utf8(src_code_units * 3);
    return store_to_utf8(src_code_units * 2);
  }
  if (dst == Encoding::Utf16) {
    if (simple == "utf8") {
      uint64_t worst = 2 * src_code_units;
      if (worst > kMaxStringByteLength) return cx.fail("string too long");
      uint32_t p;
      if (!sreal(cx, 0, 0, 2, worst, true, p)) return false;
      std::vector<uint16_t> u;
      encode_utf16(s, u);
      std::vector<uint8_t> b(u.size() * 2);
      for (size_t i = 0; i < u.size(); ++i) { b[2 * i] = uint8_t(u[i]); b[2 * i + 1] = uint8_t(u[i] >> 8); }
      if (!store_bytes(cx, p, b.data(), b.size())) return false;
      if (b.size() < worst) {
        if (!sreal(cx, p, uint32_t(worst), 2, b.size(), true, p)) return false;
      }
      ptr_out = p;
      len_out = uint32_t(u.size());
      return true;
    }
    return store_copy(2, 2, 1);
  }
  // latin1+utf16
  auto to_latin1_or_utf16 = [&]() -> bool {
    uint32_t p;
    if (!sreal(cx, 0, 0, 2, src_code_units, true, p)) return false;
    if (all_latin1) {
      std::vector<uint8_t> b;
      for_each_cp(s, [&](uint32_t cp) { b.push_back(uint8_t(cp)); });
      if (!store_bytes(cx, p, b.data(), b.size())) return false;
      if (b.size() < src_code_units) {
        if (!sreal(cx, p, uint32_t(src_code_units), 2, b.size(), true, p)) return false;
      }
      ptr_out = p;
      len_out = uint32_t(b.size());
      return true;
    }
    // Latin-1 prefix first, then inflate to UTF-16.
    std::vector<uint8_t> prefix;
    bool stop = false;
    for_each_cp(s, [&](uint32_t cp) {
      if (stop) return;
      if (cp < 256) prefix.push_back(uint8_t(cp));
      else stop = true;
    });
    if (!store_bytes(cx, p, prefix.data(), prefix.size())) return false;
    uint64_t worst = 2 * src_code_units;
    if (worst > kMaxStringByteLength) return cx.fail("string too long");
    if (!sreal(cx, p, uint32_t(src_code_units), 2, worst, true, p)) return false;
    std::vector<uint16_t> u;
    encode_utf16(s, u);
    std::vector<uint8_t> b(u.size() * 2);
    for (size_t i = 0; i < u.size(); ++i) { b[2 * i] = uint8_t(u[i]); b[2 * i + 1] = uint8_t(u[i] >> 8); }
    if (!store_bytes(cx, p, b.data(), b.size())) return false;
    if (worst > b.size()) {
      if (!sreal(cx, p, uint32_t(worst), 2, b.size(), true, p)) return false;
    }
    ptr_out = p;
    len_out = uint32_t(u.size()) | kUtf16Tag;
    return true;
  };
  if (src_encoding != "latin1+utf16") return to_latin1_or_utf16();
  if (simple == "latin1") return store_copy(1, 2, 2);
  // probably utf16 -> latin1 or utf16
  uint64_t src_bytes = 2 * src_code_units;
  if (src_bytes > kMaxStringByteLength) return cx.fail("string too long");
  uint32_t p;
  if (!sreal(cx, 0, 0, 2, src_bytes, true, p)) return false;
  std::vector<uint16_t> u;
  encode_utf16(s, u);
  std::vector<uint8_t> b(u.size() * 2);
  for (size_t i = 0; i < u.size(); ++i) { b[2 * i] = uint8_t(u[i]); b[2 * i + 1] = uint8_t(u[i] >> 8); }
  if (!store_bytes(cx, p, b.data(), b.size())) return false;
  if (!all_latin1) {
    ptr_out = p;
    len_out = uint32_t(u.size()) | kUtf16Tag;
    return true;
  }
  std::vector<uint8_t> l;
  for (uint16_t x : u) l.push_back(uint8_t(x));
  if (!store_bytes(cx, p, l.data(), l.size())) return false;
  if (!sreal(cx, p, uint32_t(src_bytes), 1, l.size(), false, p)) return false;
  ptr_out = p;
  len_out = uint32_t(l.size());
  return true;
}

// ---------------------------------------------------------------------------
// Loading (lifting from memory)

bool load(Cx& cx, const Type& t, uint32_t ptr, Val& out);

uint64_t load_int(const uint8_t* m, uint32_t ptr, uint32_t n) {
  uint64_t v = 0;
  std::memcpy(&v, m + ptr, n);
  return v;
}

bool lift_char(Cx& cx, uint32_t i, Val& out) {
  if (i >= 0x110000 || (i >= 0xd800 && i <= 0xdfff)) return cx.fail("invalid `char` bit pattern");
  out = Val::char_(char32_t(i));
  return true;
}

bool load_list_from_range(Cx& cx, const Type& elem, uint32_t ptr, uint32_t len, Val& out) {
  const TypeNode* en = elem.node();
  if (ptr % en->align) return cx.fail("unaligned pointer");
  if (uint64_t(ptr) + uint64_t(len) * en->size > cx.mem_size())
    return cx.fail(cx.adapter ? "list content out-of-bounds" : "list pointer/length out of bounds of memory");
  const uint8_t* m = cx.mem();
  if (en->kind == Kind::U8 || en->kind == Kind::S8) {
    out = Val::bytes(std::span<const uint8_t>(m + ptr, len), en->kind == Kind::S8);
    return true;
  }
  // Zero-size elements need no memory: bound the host-side list instead.
  if (en->size == 0 && len > (1u << 24)) return cx.fail("list of zero-size elements too long (" + std::to_string(len) + ")");
  std::vector<Val> items(len);
  switch (en->kind) {
    default:
      for (uint32_t i = 0; i < len; ++i)
        if (!load(cx, elem, ptr + i * en->size, items[i])) return false;
  }
  out = Val::list(std::move(items));
  return true;
}

bool make_case(Cx& cx, const TypeNode& n, uint32_t disc, Val& out, const Type*& payload_type) {
  payload_type = nullptr;
  switch (n.kind) {
    case Kind::Variant:
      if (disc >= n.fields.size()) return cx.fail("invalid variant discriminant");
      out = Val::variant(n.fields[disc].name);
      out.set_case_index(disc);
      if (n.fields[disc].type) payload_type = &*n.fields[disc].type;
      return true;
    case Kind::Enum:
      if (disc >= n.fields.size()) return cx.fail("invalid variant discriminant");
      out = Val::enum_(n.fields[disc].name);
      out.set_case_index(disc);
      return true;
    case Kind::Option:
      if (disc >= 2) return cx.fail("invalid variant discriminant");
      out = disc ? Val::scalar(Kind::Option, 1) : Val::none();
      if (disc) payload_type = &*n.a;
      return true;
    case Kind::Result:
      if (disc >= 2) return cx.fail("invalid variant discriminant");
      out = Val::scalar(Kind::Result, disc);
      payload_type = disc ? (n.b ? &*n.b : nullptr) : (n.a ? &*n.a : nullptr);
      return true;
    default: return cx.fail("internal: not a variant");
  }
}

Val flags_val(const TypeNode& n, const uint32_t* words) {
  std::vector<std::string> set;
  for (size_t i = 0; i < n.fields.size(); ++i)
    if ((words[i / 32] >> (i % 32)) & 1) set.push_back(n.fields[i].name);
  return Val::flags(std::move(set));
}

bool load(Cx& cx, const Type& t, uint32_t ptr, Val& out) {
  const TypeNode& n = *t.node();
  const uint8_t* m = cx.mem();
  switch (n.kind) {
    case Kind::Bool: out = Val::bool_(m[ptr] != 0); return true;
    case Kind::U8: out = Val::u8(m[ptr]); return true;
    case Kind::S8: out = Val::s8(int8_t(m[ptr])); return true;
    case Kind::U16: out = Val::u16(uint16_t(load_int(m, ptr, 2))); return true;
    case Kind::S16: out = Val::s16(int16_t(load_int(m, ptr, 2))); return true;
    case Kind::U32: out = Val::u32(uint32_t(load_int(m, ptr, 4))); return true;
    case Kind::S32: out = Val::s32(int32_t(load_int(m, ptr, 4))); return true;
    case Kind::U64: out = Val::u64(load_int(m, ptr, 8)); return true;
    case Kind::S64: out = Val::s64(int64_t(load_int(m, ptr, 8))); return true;
    case Kind::F32: out = Val::f32_bits(uint32_t(load_int(m, ptr, 4))); return true;
    case Kind::F64: out = Val::f64_bits(load_int(m, ptr, 8)); return true;
    case Kind::Char: return lift_char(cx, uint32_t(load_int(m, ptr, 4)), out);
    case Kind::String: return load_string_from_range(cx, uint32_t(load_int(m, ptr, 4)), uint32_t(load_int(m, ptr + 4, 4)), out);
    case Kind::List: return load_list_from_range(cx, *n.a, uint32_t(load_int(m, ptr, 4)), uint32_t(load_int(m, ptr + 4, 4)), out);
    case Kind::Record: case Kind::Tuple: {
      std::vector<Val> items(n.fields.size());
      uint32_t p = ptr;
      for (size_t i = 0; i < n.fields.size(); ++i) {
        const TypeNode* fn = n.fields[i].type->node();
        p = align_to(p, fn->align);
        if (!load(cx, *n.fields[i].type, p, items[i])) return false;
        p += fn->size;
      }
      if (n.kind == Kind::Tuple) out = Val::tuple(std::move(items));
      else {
        std::vector<std::pair<std::string, Val>> f;
        for (size_t i = 0; i < items.size(); ++i) f.emplace_back(n.fields[i].name, std::move(items[i]));
        out = Val::record(std::move(f));
      }
      return true;
    }
    case Kind::Variant: case Kind::Enum: case Kind::Option: case Kind::Result: {
      uint32_t disc = uint32_t(load_int(m, ptr, n.disc_size));
      const Type* pt;
      if (!make_case(cx, n, disc, out, pt)) return false;
      if (pt) {
        Val p;
        if (!load(cx, *pt, ptr + n.payload_offset, p)) return false;
        out.elems().push_back(std::move(p));
      }
      return true;
    }
    case Kind::Flags: {
      std::vector<uint32_t> words(std::max<size_t>(1, (n.fields.size() + 31) / 32));
      if (n.size <= 4) words[0] = uint32_t(load_int(m, ptr, n.size));
      else for (size_t i = 0; i < words.size(); ++i) words[i] = uint32_t(load_int(m, ptr + 4 * uint32_t(i), 4));
      out = flags_val(n, words.data());
      return true;
    }
    case Kind::Own: return lift_own(cx, uint32_t(load_int(m, ptr, 4)), t, out);
    case Kind::Borrow: return lift_borrow(cx, uint32_t(load_int(m, ptr, 4)), t, out);
  }
  return false;
}

// ---------------------------------------------------------------------------
// Flat lifting

struct FlatIn {
  const uint64_t* v;
  size_t i = 0;
  uint64_t next() { return v[i++]; }
};

bool lift_flat(Cx& cx, const Type& t, FlatIn& in, Val& out) {
  const TypeNode& n = *t.node();
  switch (n.kind) {
    case Kind::Bool: out = Val::bool_(uint32_t(in.next()) != 0); return true;
    case Kind::U8: out = Val::u8(uint8_t(in.next())); return true;
    case Kind::S8: out = Val::s8(int8_t(uint8_t(in.next()))); return true;
    case Kind::U16: out = Val::u16(uint16_t(in.next())); return true;
    case Kind::S16: out = Val::s16(int16_t(uint16_t(in.next()))); return true;
    case Kind::U32: out = Val::u32(uint32_t(in.next())); return true;
    case Kind::S32: out = Val::s32(int32_t(uint32_t(in.next()))); return true;
    case Kind::U64: out = Val::u64(in.next()); return true;
    case Kind::S64: out = Val::s64(int64_t(in.next())); return true;
    case Kind::F32: out = Val::f32_bits(uint32_t(in.next())); return true;
    case Kind::F64: out = Val::f64_bits(in.next()); return true;
    case Kind::Char: return lift_char(cx, uint32_t(in.next()), out);
    case Kind::String: {
      uint32_t p = uint32_t(in.next()), l = uint32_t(in.next());
      return load_string_from_range(cx, p, l, out);
    }
    case Kind::List: {
      uint32_t p = uint32_t(in.next()), l = uint32_t(in.next());
      return load_list_from_range(cx, *n.a, p, l, out);
    }
    case Kind::Record: case Kind::Tuple: {
      std::vector<Val> items(n.fields.size());
      for (size_t i = 0; i < n.fields.size(); ++i)
        if (!lift_flat(cx, *n.fields[i].type, in, items[i])) return false;
      if (n.kind == Kind::Tuple) out = Val::tuple(std::move(items));
      else {
        std::vector<std::pair<std::string, Val>> f;
        for (size_t i = 0; i < items.size(); ++i) f.emplace_back(n.fields[i].name, std::move(items[i]));
        out = Val::record(std::move(f));
      }
      return true;
    }
    case Kind::Variant: case Kind::Enum: case Kind::Option: case Kind::Result: {
      size_t start = in.i;
      uint32_t disc = uint32_t(in.next());
      const Type* pt;
      if (!make_case(cx, n, disc, out, pt)) return false;
      if (pt) {
        // Joined flat types: in the raw 64-bit slot form the spec's
        // coercions (wrap i64->i32, reinterpret) are the identity on the
        // low bits that each reader takes.
        Val p;
        if (!lift_flat(cx, *pt, in, p)) return false;
        out.elems().push_back(std::move(p));
      }
      in.i = start + n.flat.size();
      return true;
    }
    case Kind::Flags: {
      std::vector<uint32_t> words(std::max<size_t>(1, n.flat.size()));
      for (size_t i = 0; i < n.flat.size(); ++i) words[i] = uint32_t(in.next());
      out = flags_val(n, words.data());
      return true;
    }
    case Kind::Own: return lift_own(cx, uint32_t(in.next()), t, out);
    case Kind::Borrow: return lift_borrow(cx, uint32_t(in.next()), t, out);
  }
  return false;
}

// ---------------------------------------------------------------------------
// Storing (lowering into memory) and flat lowering

// Flat core values being produced, on the stack: at most MAX_FLAT_PARAMS (16)
// are ever lowered flat (more spill to memory), so no heap is used.
struct FlatOut {
  static constexpr size_t kCap = 17;
  uint64_t v[kCap];
  size_t n = 0;
  bool overflow = false;
  void push_back(uint64_t x) {
    if (n < kCap) v[n++] = x;
    else overflow = true;
  }
  size_t size() const { return n; }
  void resize(size_t k, uint64_t z) {
    while (n < k && !overflow) push_back(z);
    if (k < n) n = k;
  }
  uint64_t* data() { return v; }
  bool empty() const { return n == 0; }
  uint64_t operator[](size_t i) const { return v[i]; }
};

bool mismatch(Cx& cx, const Type& t, const Val& v) {
  return cx.fail("type mismatch: expected " + t.to_string() + ", got " + v.to_string());
}

bool store(Cx& cx, const Val& v, const Type& t, uint32_t ptr);

bool store_list(Cx& cx, const Val& v, const Type& elem, uint32_t& ptr, uint32_t& len) {
  const TypeNode* en = elem.node();
  if (v.is_bytes() && (en->kind == (v.raw_bits() ? Kind::S8 : Kind::U8))) {
    auto b = v.as_bytes();
    uint32_t p;
    if (b.size() > kMaxStringByteLength) return cx.fail("list too long");
    if (!realloc_(cx, 0, 0, 1, uint32_t(b.size()), p)) return false;
    if (!b.empty()) std::memcpy(cx.mem() + p, b.data(), b.size());
    ptr = p;
    len = uint32_t(b.size());
    return true;
  }
  const auto& items = v.elems();
  uint64_t bytes = uint64_t(items.size()) * en->size;
  if (bytes > kMaxStringByteLength) return cx.fail("list too long");
  uint32_t p;
  if (!realloc_(cx, 0, 0, en->align, uint32_t(bytes), p)) return false;
  if ((en->kind == Kind::U8 || en->kind == Kind::S8)) {
    uint8_t* m = cx.mem() + p;
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].kind() != en->kind) return mismatch(cx, elem, items[i]);
      m[i] = uint8_t(items[i].raw_bits());
    }
  } else {
    for (size_t i = 0; i < items.size(); ++i)
      if (!store(cx, items[i], elem, p + uint32_t(i) * en->size)) return false;
  }
  ptr = p;
  len = uint32_t(items.size());
  return true;
}

// Case index of v in variant-like n, and its payload type.
bool case_of(Cx& cx, const Val& v, const Type& t, uint32_t& disc, const Type*& pt) {
  const TypeNode& n = *t.node();
  if (v.kind() != n.kind) return mismatch(cx, t, v);
  pt = nullptr;
  switch (n.kind) {
    case Kind::Variant: case Kind::Enum: {
      int64_t ci = v.case_index();
      if (!(ci >= 0 && size_t(ci) < n.fields.size() && n.fields[size_t(ci)].name == v.case_name())) {
        ci = -1;
        for (size_t i = 0; i < n.fields.size(); ++i)
          if (n.fields[i].name == v.case_name()) { ci = int64_t(i); break; }
      }
      if (ci < 0) return mismatch(cx, t, v);
      disc = uint32_t(ci);
      if (n.fields[disc].type) pt = &*n.fields[disc].type;
      break;
    }
    case Kind::Option: disc = v.is_some() ? 1 : 0; if (disc) pt = &*n.a; break;
    case Kind::Result: disc = v.is_ok() ? 0 : 1; pt = disc ? (n.b ? &*n.b : nullptr) : (n.a ? &*n.a : nullptr); break;
    default: return mismatch(cx, t, v);
  }
  if ((pt != nullptr) != v.has_payload()) return mismatch(cx, t, v);
  return true;
}

bool flags_words(Cx& cx, const Val& v, const Type& t, std::vector<uint32_t>& words) {
  const TypeNode& n = *t.node();
  if (v.kind() != Kind::Flags) return mismatch(cx, t, v);
  words.assign(std::max<size_t>(1, (n.fields.size() + 31) / 32), 0);
  for (auto& l : v.flag_names()) {
    size_t i = 0;
    for (; i < n.fields.size(); ++i) if (n.fields[i].name == l) break;
    if (i == n.fields.size()) return mismatch(cx, t, v);
    words[i / 32] |= 1u << (i % 32);
  }
  return true;
}

bool store(Cx& cx, const Val& v, const Type& t, uint32_t ptr) {
  const TypeNode& n = *t.node();
  auto put = [&](uint64_t x, uint32_t size) {
    std::memcpy(cx.mem() + ptr, &x, size);
    return true;
  };
  if (is_scalar(n.kind) && v.kind() != n.kind) return mismatch(cx, t, v);
  if (uint64_t(ptr) + n.size > cx.mem_size()) return cx.fail("out of bounds memory access");
  switch (n.kind) {
    case Kind::Bool: return put(v.as_bool() ? 1 : 0, 1);
    case Kind::U8: case Kind::S8: return put(v.raw_bits(), 1);
    case Kind::U16: case Kind::S16: return put(v.raw_bits(), 2);
    case Kind::U32: case Kind::S32: case Kind::F32: return put(v.raw_bits(), 4);
    case Kind::U64: case Kind::S64: case Kind::F64: return put(v.raw_bits(), 8);
    case Kind::Char:
      if (v.raw_bits() >= 0x110000 || (v.raw_bits() >= 0xd800 && v.raw_bits() <= 0xdfff)) return cx.fail("invalid `char` bit pattern");
      return put(v.raw_bits(), 4);
    case Kind::String: {
      if (v.kind() != Kind::String) return mismatch(cx, t, v);
      uint32_t p, l;
      if (!store_string(cx, v, p, l)) return false;
      put(p, 4);
      ptr += 4;
      return put(l, 4);
    }
    case Kind::List: {
      if (v.kind() != Kind::List) return mismatch(cx, t, v);
      uint32_t p, l;
      if (!store_list(cx, v, *n.a, p, l)) return false;
      put(p, 4);
      ptr += 4;
      return put(l, 4);
    }
    case Kind::Record: case Kind::Tuple: {
      if (v.kind() != n.kind || v.elems().size() != n.fields.size()) return mismatch(cx, t, v);
      uint32_t p = ptr;
      for (size_t i = 0; i < n.fields.size(); ++i) {
        const TypeNode* fn = n.fields[i].type->node();
        p = align_to(p, fn->align);
        if (!store(cx, v.elems()[i], *n.fields[i].type, p)) return false;
        p += fn->size;
      }
      return true;
    }
    case Kind::Variant: case Kind::Enum: case Kind::Option: case Kind::Result: {
      uint32_t disc;
      const Type* pt;
      if (!case_of(cx, v, t, disc, pt)) return false;
      put(disc, n.disc_size);
      if (pt) return store(cx, *v.payload(), *pt, ptr + n.payload_offset);
      return true;
    }
    case Kind::Flags: {
      std::vector<uint32_t> w;
      if (!flags_words(cx, v, t, w)) return false;
      if (n.size <= 4) return put(w[0], n.size);
      for (size_t i = 0; i < w.size(); ++i) std::memcpy(cx.mem() + ptr + 4 * i, &w[i], 4);
      return true;
    }
    case Kind::Own: {
      uint32_t h;
      if (!lower_own(cx, v, t, h)) return false;
      return put(h, 4);
    }
    case Kind::Borrow: {
      uint32_t h;
      if (!lower_borrow(cx, v, t, h)) return false;
      return put(h, 4);
    }
  }
  return false;
}

bool lower_flat(Cx& cx, const Val& v, const Type& t, FlatOut& out) {
  const TypeNode& n = *t.node();
  if (is_scalar(n.kind) && v.kind() != n.kind) return mismatch(cx, t, v);
  switch (n.kind) {
    case Kind::Bool: out.push_back(v.as_bool() ? 1 : 0); return true;
    case Kind::U8: case Kind::S8: case Kind::U16: case Kind::S16: case Kind::U32: case Kind::S32:
      out.push_back(uint32_t(v.raw_bits()));
      return true;
    case Kind::F32: out.push_back(uint32_t(v.raw_bits())); return true;
    case Kind::U64: case Kind::S64: case Kind::F64: out.push_back(v.raw_bits()); return true;
    case Kind::Char:
      if (v.raw_bits() >= 0x110000 || (v.raw_bits() >= 0xd800 && v.raw_bits() <= 0xdfff)) return cx.fail("invalid `char` bit pattern");
      out.push_back(uint32_t(v.raw_bits()));
      return true;
    case Kind::String: {
      if (v.kind() != Kind::String) return mismatch(cx, t, v);
      uint32_t p, l;
      if (!store_string(cx, v, p, l)) return false;
      out.push_back(p);
      out.push_back(l);
      return true;
    }
    case Kind::List: {
      if (v.kind() != Kind::List) return mismatch(cx, t, v);
      uint32_t p, l;
      if (!store_list(cx, v, *n.a, p, l)) return false;
      out.push_back(p);
      out.push_back(l);
      return true;
    }
    case Kind::Record: case Kind::Tuple:
      if (v.kind() != n.kind || v.elems().size() != n.fields.size()) return mismatch(cx, t, v);
      for (size_t i = 0; i < n.fields.size(); ++i)
        if (!lower_flat(cx, v.elems()[i], *n.fields[i].type, out)) return false;
      return true;
    case Kind::Variant: case Kind::Enum: case Kind::Option: case Kind::Result: {
      uint32_t disc;
      const Type* pt;
      if (!case_of(cx, v, t, disc, pt)) return false;
      size_t start = out.size();
      out.push_back(disc);
      if (pt && !lower_flat(cx, *v.payload(), *pt, out)) return false;
      out.resize(start + n.flat.size(), 0);
      return true;
    }
    case Kind::Flags: {
      std::vector<uint32_t> w;
      if (!flags_words(cx, v, t, w)) return false;
      for (size_t i = 0; i < n.flat.size(); ++i) out.push_back(w[i]);
      return true;
    }
    case Kind::Own: {
      uint32_t h;
      if (!lower_own(cx, v, t, h)) return false;
      out.push_back(h);
      return true;
    }
    case Kind::Borrow: {
      uint32_t h;
      if (!lower_borrow(cx, v, t, h)) return false;
      out.push_back(h);
      return true;
    }
  }
  return false;
}

// Layout of the params tuple when spilled.
void tuple_layout(const std::vector<const Type*>& ts, uint32_t& size, uint32_t& align, std::vector<uint32_t>& offs) {
  uint32_t s = 0, a = 1;
  for (const Type* t : ts) {
    const TypeNode* n = t->node();
    s = align_to(s, n->align);
    offs.push_back(s);
    s += n->size;
    a = std::max(a, n->align);
  }
  align = a;
  size = align_to(s, a);
}

// Lower values into `cx` as the flat arguments of a call (spilling to
// memory through realloc beyond 16 flat values).
bool lower_params(Cx& cx, std::span<const Val> vals, const std::vector<const Type*>& ts, uint32_t flat_total,
                  FlatOut& out, uint32_t max_flat = 16) {
  if (vals.size() != ts.size())
    return cx.fail("type mismatch: expected " + std::to_string(ts.size()) + " argument(s), got " + std::to_string(vals.size()));
  if (flat_total <= max_flat) {
    for (size_t i = 0; i < ts.size(); ++i)
      if (!lower_flat(cx, vals[i], *ts[i], out)) return false;
    if (out.overflow) return cx.fail("internal: too many flat values");
    return true;
  }
  uint32_t size, align;
  std::vector<uint32_t> offs;
  tuple_layout(ts, size, align, offs);
  uint32_t p;
  if (!realloc_(cx, 0, 0, align, size, p)) return false;
  for (size_t i = 0; i < ts.size(); ++i)
    if (!store(cx, vals[i], *ts[i], p + offs[i])) return false;
  out.push_back(p);
  return true;
}

bool lift_params(Cx& cx, const uint64_t* flat, const std::vector<const Type*>& ts, uint32_t flat_total,
                 std::span<Val> out, uint32_t max_flat = 16) {
  if (flat_total <= max_flat) {
    FlatIn in{flat};
    for (size_t i = 0; i < ts.size(); ++i)
      if (!lift_flat(cx, *ts[i], in, out[i])) return false;
    return true;
  }
  uint32_t size, align;
  std::vector<uint32_t> offs;
  tuple_layout(ts, size, align, offs);
  uint32_t p = uint32_t(flat[0]);
  if (p % align) return cx.fail("unaligned pointer");
  if (uint64_t(p) + size > cx.mem_size()) return cx.fail("pointer out of bounds of memory");
  for (size_t i = 0; i < ts.size(); ++i)
    if (!load(cx, *ts[i], p + offs[i], out[i])) return false;
  return true;
}

std::vector<const Type*> param_ptrs(const FuncType& ft) {
  std::vector<const Type*> v;
  for (auto& p : ft.params) v.push_back(&p.second);
  return v;
}

std::string leaked_borrows_message(const FuncImpl* f, InstanceImpl* inst, const Task& task) {
  // Group the leaked handles by resource type.
  std::vector<std::pair<std::string, std::vector<uint32_t>>> groups;
  for (uint32_t i = 0; i < inst->table.array.size(); ++i) {
    const HandleEntry& e = inst->table.array[i];
    if (!e.used || e.own || e.scope != &task) continue;
    std::string name = e.rt.name().empty() ? "resource" : e.rt.name();
    auto it = std::find_if(groups.begin(), groups.end(), [&](auto& g) { return g.first == name; });
    if (it == groups.end()) groups.push_back({name, {i}});
    else it->second.push_back(i);
  }
  std::string msg = "borrow handles still remain at the end of the call to export \"" + f->name + "\": ";
  std::string drops;
  for (size_t g = 0; g < groups.size(); ++g) {
    auto& [name, idx] = groups[g];
    if (g) msg += "; ";
    size_t k = idx.size();
    msg += std::to_string(k) + (k == 1 ? " borrowed handle" : " borrowed handles") + " of resource \"" + name + "\" (" +
           (k == 1 ? "handle index " : "handle indices ");
    for (size_t j = 0; j < k; ++j) msg += (j ? ", " : "") + std::to_string(idx[j]);
    msg += k == 1 ? ") was not dropped" : ") were not dropped";
    drops += (g ? ", " : "") + std::string("[resource-drop]") + name;
  }
  if (groups.empty()) msg += std::to_string(task.num_borrows) + " borrowed handle(s) were not dropped";
  msg += ". A component must drop every borrow<T> it receives before returning: call " +
         (drops.empty() ? std::string("[resource-drop]<resource>") : drops) +
         ", or use Compono's generated C++ bindings, which release borrows automatically.";
  return msg;
}

void release_lenders(Task& t) {
  for (auto& l : t.lenders) {
    if (l.index < l.inst->table.array.size() && l.inst->table.array[l.index].num_lends)
      l.inst->table.array[l.index].num_lends--;
  }
  t.lenders.clear();
}

}  // namespace

// Hook for delivering results before post-return (lowered calls).
struct ResultSink {
  virtual ~ResultSink() = default;
  virtual bool deliver(std::span<Val> results, Trap& trap) = 0;
};

// An async-lifted export, run to completion: the results come from
// task.return; with a callback, only the EXIT code (0) is supported.
Result<void, Trap> call_async_lifted(Store& store, FuncImpl* f, std::span<const Val> args, std::span<Val> results,
                                     ResultSink* sink, bool adapter) {
  InstanceImpl* ci = f->inst;
  Task task;
  Cx cx{store, &f->opts, ci, &task, adapter, nullptr, false};
  FlatOut flat;
  auto pts = param_ptrs(f->type);
  if (!lower_params(cx, args, pts, f->flat_params, flat)) return cx.take();
  std::span<Val>* saved = ci->async_results;
  bool saved_returned = ci->async_returned;
  ci->async_results = &results;
  ci->async_returned = false;
  ci->may_enter = false;
  auto restore = [&] {
    ci->async_results = saved;
    ci->async_returned = saved_returned;
    ci->may_enter = true;
  };
  auto r = call_core(store, f->core, flat.data(), flat.size());
  if (!r) { restore(); return std::move(r).error(); }
  if (f->opts.callback && !r->empty() && uint32_t((*r)[0]) != 0) {
    restore();
    return Trap("unsupported: async callback code " + std::to_string(uint32_t((*r)[0])) + " (only EXIT is supported)");
  }
  if (!ci->async_returned) { restore(); return Trap("async-lifted export failed to produce a result"); }
  if (task.num_borrows > 0) { restore(); return Trap(leaked_borrows_message(f, ci, task)); }
  restore();
  if (sink) {
    Trap t;
    if (!sink->deliver(results, t)) return t;
  }
  return {};
}

namespace {

// Is `i` (or an enclosing component instance) poisoned by an earlier trap?
bool poisoned(const InstanceImpl* i) {
  for (; i; i = i->parent)
    if (i->poisoned) return true;
  return false;
}

// A trap inside a component instance poisons it and every enclosing instance
// (the embedder sees the outermost one): later calls fail instead of running
// on state the trap left half-updated.  Errors of the host's own making (a
// value of the wrong type, detected before entering) do not poison.
void poison_after(Store& store, InstanceImpl* i, const Trap& t) {
  if (t.message.rfind("type mismatch", 0) == 0) return;
  store.state()->any_poisoned = true;
  for (; i; i = i->parent) i->poisoned = true;
}

// The per-function call plan, computed on the first call: parameter type
// pointers and flat counts (FuncImpl::flat_params/flat_results are set at
// creation).
inline void ensure_plan(FuncImpl* f) {
  if (f->param_ptrs.size() != f->type.params.size()) f->param_ptrs = param_ptrs(f->type);
}

// A synchronous lifted call (host or adapter -> guest export).  Returns
// false with `err` set on failure; nothing on the success path builds a
// Trap, a Result or a heap object (beyond what the values themselves need).
bool call_sync_lifted(Store& store, FuncImpl* f, std::span<const Val> args, std::span<Val> results, ResultSink* sink,
                      bool adapter, std::optional<Trap>& err) {
  InstanceImpl* ci = f->inst;
  Task task;
  Cx cx{store, &f->opts, ci, &task, adapter, nullptr, false};
  FlatOut flat;
  ensure_plan(f);
  if (!args.empty() || !f->param_ptrs.empty())
    if (!lower_params(cx, args, f->param_ptrs, f->flat_params, flat)) { err.emplace(cx.take()); return false; }
  struct Leave {  // may_enter is restored on every path out
    InstanceImpl* ci;
    ~Leave() { ci->may_enter = true; }
  } leave{ci};
  ci->may_enter = false;
  auto r = call_core(store, f->core, flat.data(), flat.size());
  if (!r) { err.emplace(std::move(r).error()); return false; }
  std::vector<uint64_t>& core_results = *r;
  if (f->type.result) {
    if (results.size() != 1) { err.emplace("type mismatch: result count"); return false; }
    if (f->flat_results <= 1) {
      FlatIn in{core_results.data()};
      if (!lift_flat(cx, *f->type.result, in, results[0])) { err.emplace(cx.take()); return false; }
    } else {
      uint32_t p = core_results.empty() ? 0 : uint32_t(core_results[0]);
      const TypeNode* rn = f->type.result->node();
      if (p % rn->align) { err.emplace("unaligned pointer"); return false; }
      if (uint64_t(p) + rn->size > cx.mem_size()) { err.emplace("pointer out of bounds of memory"); return false; }
      if (!load(cx, *f->type.result, p, results[0])) { err.emplace(cx.take()); return false; }
    }
  }
  if (task.num_borrows > 0) { err.emplace(leaked_borrows_message(f, ci, task)); return false; }
  if (sink) {
    Trap t;
    if (!sink->deliver(results, t)) { err.emplace(std::move(t)); return false; }
  }
  if (f->opts.post_return) {
    ci->may_leave = false;
    auto pr = call_core(store, f->opts.post_return, core_results.data(), core_results.size());
    ci->may_leave = true;
    if (!pr) { err.emplace(std::move(pr).error()); return false; }
  }
  return true;
}

}  // namespace

bool call_func_fast(Store& store, FuncImpl* f, std::span<const Val> args, std::span<Val> results, ResultSink* sink,
                    bool adapter, std::optional<Trap>& err) {
  if (f->is_host()) {
    HostCall hc(store, nullptr, wasm::Memory());
    for (auto& r : results) r = Val();
    auto r = f->host(hc, args, results);
    if (!r) { err.emplace(std::move(r).error()); return false; }
    if (sink) {
      Trap t;
      if (!sink->deliver(results, t)) { err.emplace(std::move(t)); return false; }
    }
    return true;
  }
  InstanceImpl* ci = f->inst;
  if (store.state()->any_poisoned && poisoned(ci)) { err.emplace(kPoisonedMessage); return false; }
  if (!ci->may_enter) { err.emplace("cannot enter component instance"); return false; }
  ci->context[0] = ci->context[1] = 0;
  bool ok;
  if (f->opts.async) {
    auto r = call_async_lifted(store, f, args, results, sink, adapter);
    ok = bool(r);
    if (!ok) err.emplace(std::move(r).error());
  } else {
    ok = call_sync_lifted(store, f, args, results, sink, adapter, err);
  }
  if (!ok) poison_after(store, ci, *err);
  return ok;
}

Result<void, Trap> call_func_sink(Store& store, FuncImpl* f, std::span<const Val> args, std::span<Val> results,
                                  ResultSink* sink, bool adapter) {
  std::optional<Trap> err;
  if (!call_func_fast(store, f, args, results, sink, adapter, err)) return std::move(*err);
  return {};
}

Result<void, Trap> call_func(Store& store, FuncImpl* f, std::span<const Val> args, std::span<Val> results) {
  return call_func_sink(store, f, args, results, nullptr, false);
}

namespace {

struct LowerSink : ResultSink {
  Cx* cx;
  const FuncType* ft;
  uint64_t* slots;
  uint32_t retptr_index;
  uint32_t flat_results;
  bool deliver(std::span<Val> results, Trap& trap) override {
    if (!ft->result) return true;
    if (flat_results <= 1) {
      FlatOut out;
      if (!lower_flat(*cx, results[0], *ft->result, out)) { trap = cx->take(); return false; }
      if (!out.empty()) slots[0] = out[0];
      return true;
    }
    uint32_t p = uint32_t(slots[retptr_index]);
    const TypeNode* rn = ft->result->node();
    if (p % rn->align) { trap = Trap("unaligned pointer"); return false; }
    if (uint64_t(p) + rn->size > cx->mem_size()) { trap = Trap("pointer out of bounds of memory"); return false; }
    if (!store(*cx, results[0], *ft->result, p)) { trap = cx->take(); return false; }
    return true;
  }
};

}  // namespace

wasm::Func make_lowered_async(Store& store, FuncImpl* callee, InstanceImpl* caller, const CanonOpts& opts);

wasm::Func make_lowered(Store& store, FuncImpl* callee, InstanceImpl* caller, const CanonOpts& opts) {
  if (opts.async) return make_lowered_async(store, callee, caller, opts);
  wasm::FuncType ct = lowered_core_type(callee->type);
  Store* sp = &store;
  uint32_t flat_params = flat_count([&] {
    std::vector<Type> v;
    for (auto& p : callee->type.params) v.push_back(p.second);
    return v;
  }());
  uint32_t flat_results = callee->type.result ? uint32_t(callee->type.result->node()->flat.size()) : 0;
  uint32_t retptr_index = flat_params > 16 ? 1 : flat_params;
  std::vector<const Type*> pts = param_ptrs(callee->type);
  return wasm::Func::host_raw(store.core(), ct,
      [sp, callee, caller, opts, flat_params, flat_results, retptr_index, pts](wasm::Caller&, uint64_t* slots) -> wasm::HostResult {
        if (!caller->may_leave) return Trap("cannot leave component instance");
        Task lend;
        Cx cx{*sp, &opts, caller, &lend, !callee->is_host(), nullptr, false};
        Val small[4];
        std::vector<Val> big;
        std::span<Val> args;
        if (pts.size() <= 4) args = std::span<Val>(small, pts.size());
        else { big.resize(pts.size()); args = big; }
        if (!lift_params(cx, slots, pts, flat_params, args)) { release_lenders(lend); return cx.take(); }
        Val res[1];
        std::span<Val> results(res, callee->type.result ? 1 : 0);
        LowerSink sink;
        sink.cx = &cx;
        sink.ft = &callee->type;
        sink.slots = slots;
        sink.retptr_index = retptr_index;
        sink.flat_results = flat_results;
        Result<void, Trap> r;
        if (callee->is_host()) {
          HostCall hc(*sp, caller, opts.memory);
          auto hr = callee->host(hc, std::span<const Val>(args.data(), args.size()), results);
          if (!hr) { release_lenders(lend); return std::move(hr).error(); }
          Trap t;
          if (!sink.deliver(results, t)) { release_lenders(lend); return t; }
        } else {
          r = call_func_sink(*sp, callee, std::span<const Val>(args.data(), args.size()), results, &sink, true);
          if (!r) { release_lenders(lend); return std::move(r).error(); }
        }
        release_lenders(lend);
        return {};
      });
}

namespace {
struct RetptrSink : ResultSink {
  Cx* cx;
  const FuncType* ft;
  uint32_t retptr;
  bool deliver(std::span<Val> results, Trap& trap) override {
    if (!ft->result) return true;
    const TypeNode* rn = ft->result->node();
    if (retptr % rn->align) { trap = Trap("unaligned pointer"); return false; }
    if (uint64_t(retptr) + rn->size > cx->mem_size()) { trap = Trap("pointer out of bounds of memory"); return false; }
    if (!store(*cx, results[0], *ft->result, retptr)) { trap = cx->take(); return false; }
    return true;
  }
};
}  // namespace

// Async lowering, run synchronously: the callee completes before the core
// call returns, which then reports RETURNED (2).
wasm::Func make_lowered_async(Store& store, FuncImpl* callee, InstanceImpl* caller, const CanonOpts& opts) {
  std::vector<Type> ps;
  for (auto& p : callee->type.params) ps.push_back(p.second);
  uint32_t flat_params = flat_count(ps);
  wasm::FuncType ct;
  if (flat_params > 4) ct.params.push_back(wasm::ValType::I32);
  else {
    std::vector<Flat> f;
    flatten_types(ps, f);
    for (Flat x : f)
      ct.params.push_back(x == Flat::I32 ? wasm::ValType::I32 : x == Flat::I64 ? wasm::ValType::I64 : x == Flat::F32 ? wasm::ValType::F32 : wasm::ValType::F64);
  }
  uint32_t retptr_index = uint32_t(ct.params.size());
  if (callee->type.result) ct.params.push_back(wasm::ValType::I32);
  ct.results.push_back(wasm::ValType::I32);
  Store* sp = &store;
  std::vector<const Type*> pts = param_ptrs(callee->type);
  return wasm::Func::host_raw(store.core(), ct,
      [sp, callee, caller, opts, flat_params, retptr_index, pts](wasm::Caller&, uint64_t* slots) -> wasm::HostResult {
        if (!caller->may_leave) return Trap("cannot leave component instance");
        Task lend;
        Cx cx{*sp, &opts, caller, &lend, !callee->is_host(), nullptr, false};
        std::vector<Val> args(pts.size());
        if (!lift_params(cx, slots, pts, flat_params, args, 4)) { release_lenders(lend); return cx.take(); }
        Val res[1];
        std::span<Val> results(res, callee->type.result ? 1 : 0);
        RetptrSink sink;
        sink.cx = &cx;
        sink.ft = &callee->type;
        sink.retptr = callee->type.result ? uint32_t(slots[retptr_index]) : 0;
        if (callee->is_host()) {
          HostCall hc(*sp, caller, opts.memory);
          auto hr = callee->host(hc, std::span<const Val>(args.data(), args.size()), results);
          if (!hr) { release_lenders(lend); return std::move(hr).error(); }
          Trap t;
          if (!sink.deliver(results, t)) { release_lenders(lend); return t; }
        } else {
          auto r = call_func_sink(*sp, callee, std::span<const Val>(args.data(), args.size()), results, &sink, true);
          if (!r) { release_lenders(lend); return std::move(r).error(); }
        }
        release_lenders(lend);
        slots[0] = 2;  // Subtask.State.RETURNED
        return {};
      });
}

wasm::Func make_task_return(Store& store, InstanceImpl* inst, std::optional<Type> result, const CanonOpts& opts) {
  std::vector<Type> ts;
  if (result) ts.push_back(*result);
  uint32_t flat = flat_count(ts);
  wasm::FuncType ct;
  if (flat > 16) ct.params.push_back(wasm::ValType::I32);
  else {
    std::vector<Flat> f;
    flatten_types(ts, f);
    for (Flat x : f)
      ct.params.push_back(x == Flat::I32 ? wasm::ValType::I32 : x == Flat::I64 ? wasm::ValType::I64 : x == Flat::F32 ? wasm::ValType::F32 : wasm::ValType::F64);
  }
  Store* sp = &store;
  return wasm::Func::host_raw(store.core(), ct,
      [sp, inst, result, opts, flat](wasm::Caller&, uint64_t* slots) -> wasm::HostResult {
        if (!inst->may_leave) return Trap("cannot leave component instance");
        if (!inst->async_results || inst->async_returned) return Trap("invalid task.return: no async task is waiting for a result");
        Cx cx{*sp, &opts, inst, nullptr, false, nullptr, false};
        std::vector<const Type*> pts;
        if (result) pts.push_back(&*result);
        std::span<Val>& out = *inst->async_results;
        if (out.size() != pts.size()) return Trap("task.return: result type mismatch");
        if (!lift_params(cx, slots, pts, flat, out)) return cx.take();
        inst->async_returned = true;
        return {};
      });
}

wasm::Func make_resource_new(Store& store, InstanceImpl* inst, ResourceType rt) {
  Store* sp = &store;
  return wasm::Func::host_raw(store.core(), wasm::FuncType{{wasm::ValType::I32}, {wasm::ValType::I32}},
      [sp, inst, rt](wasm::Caller&, uint64_t* slots) -> wasm::HostResult {
        if (!inst->may_leave) return Trap("cannot leave component instance");
        static const CanonOpts none;
        Cx cx{*sp, &none, inst, nullptr, false, nullptr, false};
        HandleEntry e;
        e.own = true;
        e.rep = uint32_t(slots[0]);
        e.rt = rt;
        bool ok;
        uint32_t i = table_add(inst->table, std::move(e), cx, ok);
        if (!ok) return cx.take();
        slots[0] = i;
        return {};
      });
}

wasm::Func make_resource_drop(Store& store, InstanceImpl* inst, ResourceType rt) {
  ResourceTypeImpl* rtp = rt.impl().get();
  Store* sp = &store;
  return wasm::Func::host_raw(store.core(), wasm::FuncType{{wasm::ValType::I32}, {}},
      [sp, inst, rt, rtp](wasm::Caller&, uint64_t* slots) -> wasm::HostResult {
        if (!inst->may_leave) return Trap("cannot leave component instance");
        static const CanonOpts none;
        Cx cx{*sp, &none, inst, nullptr, false, nullptr, false};
        uint32_t i = uint32_t(slots[0]);
        HandleEntry* h;
        if (!check_handle(cx, inst, i, rtp, h)) return cx.take();
        if (h->own) {
          if (h->num_lends != 0) return Trap("cannot remove owned resource while borrowed");
          uint32_t rep = h->rep;
          table_remove(inst->table, i);
          if (rtp->host) {
            if (rtp->host_dtor) rtp->host_dtor(rep);
          } else if (rtp->guest_dtor) {
            if (rtp->impl && poisoned(rtp->impl)) return Trap(kPoisonedMessage);
            if (rtp->impl && !rtp->impl->may_enter && rtp->impl != inst) return Trap("cannot enter component instance");
            uint64_t a[1] = {rep};
            auto r = call_core(*sp, rtp->guest_dtor, a, 1);
            if (!r) return std::move(r).error();
          }
        } else {
          Task* scope = h->scope;
          table_remove(inst->table, i);
          if (scope && scope->num_borrows) scope->num_borrows--;
        }
        return {};
      });
}

wasm::Func make_resource_rep(Store& store, InstanceImpl* inst, ResourceType rt) {
  ResourceTypeImpl* rtp = rt.impl().get();
  Store* sp = &store;
  return wasm::Func::host_raw(store.core(), wasm::FuncType{{wasm::ValType::I32}, {wasm::ValType::I32}},
      [sp, inst, rt, rtp](wasm::Caller&, uint64_t* slots) -> wasm::HostResult {
        static const CanonOpts none;
        Cx cx{*sp, &none, inst, nullptr, false, nullptr, false};
        uint32_t i = uint32_t(slots[0]);
        HandleEntry* h;
        if (!check_handle(cx, inst, i, rtp, h)) return cx.take();
        slots[0] = h->rep;
        return {};
      });
}

wasm::Func make_unsupported_builtin(Store& store, InstanceImpl* inst, const wasm::FuncType& t, std::string what) {
  if (what.rfind("context.get:", 0) == 0 || what.rfind("context.set:", 0) == 0) {
    bool get = what[8] == 'g';
    uint32_t slot = uint32_t(std::stoul(what.substr(12))) & 1;
    return wasm::Func::host_raw(store.core(), t, [inst, get, slot](wasm::Caller&, uint64_t* slots) -> wasm::HostResult {
      if (get) slots[0] = inst->context[slot];
      else inst->context[slot] = uint32_t(slots[0]);
      return {};
    });
  }
  if (what == "backpressure.inc" || what == "backpressure.dec" || what == "backpressure.set") {
    return wasm::Func::host_raw(store.core(), t, [inst, what](wasm::Caller&, uint64_t* slots) -> wasm::HostResult {
      if (what == "backpressure.inc") inst->backpressure++;
      else if (what == "backpressure.dec") inst->backpressure--;
      else inst->backpressure = slots[0] ? 1 : 0;
      return {};
    });
  }
  return wasm::Func::host_raw(store.core(), t, [inst, what](wasm::Caller&, uint64_t*) -> wasm::HostResult {
    if (!inst->may_leave) return Trap("cannot leave component instance");
    return Trap("unsupported canonical built-in: " + what);
  });
}

}  // namespace compono::component::detail
