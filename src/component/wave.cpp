// src/component/wave.cpp - WAVE value text: typed parser and printer.
#include "component/wave.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace compono::wave {

using component::Kind;
using component::Type;
using component::Val;

namespace {

void append_utf8(std::string& s, uint32_t c) {
  if (c < 0x80) s += char(c);
  else if (c < 0x800) { s += char(0xc0 | (c >> 6)); s += char(0x80 | (c & 0x3f)); }
  else if (c < 0x10000) { s += char(0xe0 | (c >> 12)); s += char(0x80 | ((c >> 6) & 0x3f)); s += char(0x80 | (c & 0x3f)); }
  else { s += char(0xf0 | (c >> 18)); s += char(0x80 | ((c >> 12) & 0x3f)); s += char(0x80 | ((c >> 6) & 0x3f)); s += char(0x80 | (c & 0x3f)); }
}

struct Parser {
  std::string_view s;
  size_t i = 0;

  Failure err(const std::string& m) const { return fail("WAVE: " + m, i); }
  void ws() { while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i; }
  bool eat(char c) {
    ws();
    if (i < s.size() && s[i] == c) { ++i; return true; }
    return false;
  }
  bool peek(char c) { ws(); return i < s.size() && s[i] == c; }

  // label: [%]kebab-name
  std::string label() {
    ws();
    if (i < s.size() && s[i] == '%') ++i;
    size_t b = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '-')) ++i;
    return std::string(s.substr(b, i - b));
  }

  Result<uint32_t> escape() {
    // after '\'
    if (i >= s.size()) return err("unterminated escape");
    char c = s[i++];
    switch (c) {
      case 'n': return uint32_t('\n');
      case 'r': return uint32_t('\r');
      case 't': return uint32_t('\t');
      case '\\': return uint32_t('\\');
      case '\'': return uint32_t('\'');
      case '"': return uint32_t('"');
      case 'u': {
        if (i >= s.size() || s[i] != '{') return err("expected '{' after \\u");
        ++i;
        size_t b = i;
        while (i < s.size() && s[i] != '}') ++i;
        if (i >= s.size()) return err("unterminated \\u{...}");
        uint32_t v = uint32_t(std::strtoul(std::string(s.substr(b, i - b)).c_str(), nullptr, 16));
        ++i;
        if (v >= 0x110000 || (v >= 0xd800 && v <= 0xdfff)) return err("invalid char in \\u{...}");
        return v;
      }
      default: return err(std::string("unknown escape \\") + c);
    }
  }

  Result<std::string> quoted(char q) {
    ws();
    if (i >= s.size() || s[i] != q) return err(std::string("expected ") + q);
    ++i;
    std::string out;
    while (i < s.size() && s[i] != q) {
      if (s[i] == '\\') {
        ++i;
        COMPONO_TRY(uint32_t c, escape());
        append_utf8(out, c);
      } else {
        out += s[i++];
      }
    }
    if (i >= s.size()) return err("unterminated literal");
    ++i;
    return out;
  }

  std::string_view number_token() {
    ws();
    size_t b = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '-' || s[i] == '+' || s[i] == '.' || s[i] == '_'))
      ++i;
    return s.substr(b, i - b);
  }

  Result<Val> value(const Type& t) {
    ws();
    size_t start = i;
    switch (t.kind()) {
      case Kind::Bool: {
        std::string l = label();
        if (l == "true") return Val::bool_(true);
        if (l == "false") return Val::bool_(false);
        i = start;
        return err("expected bool");
      }
      case Kind::S8: case Kind::S16: case Kind::S32: case Kind::S64: {
        std::string tok(number_token());
        errno = 0;
        char* end = nullptr;
        long long v = std::strtoll(tok.c_str(), &end, 10);
        if (tok.empty() || *end || errno) { i = start; return err("expected " + t.to_string()); }
        int bits = t.kind() == Kind::S8 ? 8 : t.kind() == Kind::S16 ? 16 : t.kind() == Kind::S32 ? 32 : 64;
        if (bits < 64 && (v < -(1ll << (bits - 1)) || v >= (1ll << (bits - 1)))) { i = start; return err("out of range for " + t.to_string()); }
        return Val::scalar(t.kind(), uint64_t(v));
      }
      case Kind::U8: case Kind::U16: case Kind::U32: case Kind::U64: {
        std::string tok(number_token());
        errno = 0;
        char* end = nullptr;
        if (tok.empty() || tok[0] == '-') { i = start; return err("expected " + t.to_string()); }
        unsigned long long v = std::strtoull(tok.c_str(), &end, 10);
        if (*end || errno) { i = start; return err("expected " + t.to_string()); }
        int bits = t.kind() == Kind::U8 ? 8 : t.kind() == Kind::U16 ? 16 : t.kind() == Kind::U32 ? 32 : 64;
        if (bits < 64 && v >= (1ull << bits)) { i = start; return err("out of range for " + t.to_string()); }
        return Val::scalar(t.kind(), v);
      }
      case Kind::F32: case Kind::F64: {
        std::string tok(number_token());
        double d;
        if (tok == "nan") d = std::nan("");
        else if (tok == "inf") d = INFINITY;
        else if (tok == "-inf") d = -INFINITY;
        else {
          char* end = nullptr;
          d = std::strtod(tok.c_str(), &end);
          if (tok.empty() || *end) { i = start; return err("expected " + t.to_string()); }
        }
        return t.kind() == Kind::F32 ? Val::f32(float(d)) : Val::f64(d);
      }
      case Kind::Char: {
        COMPONO_TRY(std::string c, quoted('\''));
        Val v = Val::string(c);
        uint32_t cp = 0;
        unsigned char b0 = c.empty() ? 0 : c[0];
        size_t len = b0 < 0x80 ? 1 : b0 < 0xe0 ? 2 : b0 < 0xf0 ? 3 : 4;
        if (c.size() != len) { i = start; return err("expected one char"); }
        cp = len == 1 ? b0 : b0 & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
        for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (c[k] & 0x3f);
        return Val::char_(char32_t(cp));
      }
      case Kind::String: {
        COMPONO_TRY(std::string str, quoted('"'));
        return Val::string(std::move(str));
      }
      case Kind::List: {
        if (!eat('[')) return err("expected '['");
        std::vector<Val> items;
        if (!eat(']')) {
          for (;;) {
            COMPONO_TRY(Val v, value(*t.elem()));
            items.push_back(std::move(v));
            if (eat(']')) break;
            if (!eat(',')) return err("expected ',' or ']'");
            if (eat(']')) break;
          }
        }
        return Val::list(std::move(items));
      }
      case Kind::Tuple: {
        if (!eat('(')) return err("expected '('");
        std::vector<Val> items;
        for (size_t k = 0; k < t.fields().size(); ++k) {
          if (k && !eat(',')) return err("expected ','");
          COMPONO_TRY(Val v, value(*t.fields()[k].type));
          items.push_back(std::move(v));
        }
        eat(',');
        if (!eat(')')) return err("expected ')'");
        return Val::tuple(std::move(items));
      }
      case Kind::Record: {
        if (!eat('{')) return err("expected '{'");
        std::vector<std::optional<Val>> vals(t.fields().size());
        if (eat(':')) {  // "{:}" empty record
          if (!eat('}')) return err("expected '}'");
        } else if (!eat('}')) {
          for (;;) {
            size_t at = i;
            std::string name = label();
            size_t k = 0;
            for (; k < t.fields().size(); ++k) if (t.fields()[k].name == name) break;
            if (k == t.fields().size()) { i = at; return err("unknown field `" + name + "`"); }
            if (!eat(':')) return err("expected ':'");
            COMPONO_TRY(Val v, value(*t.fields()[k].type));
            vals[k] = std::move(v);
            if (eat('}')) break;
            if (!eat(',')) return err("expected ',' or '}'");
            if (eat('}')) break;
          }
        }
        std::vector<std::pair<std::string, Val>> f;
        for (size_t k = 0; k < vals.size(); ++k) {
          if (!vals[k]) {
            if (t.fields()[k].type->kind() == Kind::Option) vals[k] = Val::none();
            else return err("missing field `" + t.fields()[k].name + "`");
          }
          f.emplace_back(t.fields()[k].name, std::move(*vals[k]));
        }
        return Val::record(std::move(f));
      }
      case Kind::Variant: case Kind::Enum: {
        size_t at = i;
        std::string name = label();
        for (size_t k = 0; k < t.fields().size(); ++k) {
          if (t.fields()[k].name != name) continue;
          if (t.kind() == Kind::Enum) { Val v = Val::enum_(name); v.set_case_index(int64_t(k)); return v; }
          Val out;
          if (t.fields()[k].type) {
            if (!eat('(')) return err("expected '(' after case `" + name + "`");
            COMPONO_TRY(Val p, value(*t.fields()[k].type));
            if (!eat(')')) return err("expected ')'");
            out = Val::variant(name, std::move(p));
          } else {
            out = Val::variant(name);
          }
          out.set_case_index(int64_t(k));
          return out;
        }
        i = at;
        return err("unknown case `" + name + "` of " + t.to_string());
      }
      case Kind::Option: {
        size_t at = i;
        std::string l = label();
        if (l == "none") return Val::none();
        if (l == "some") {
          if (!eat('(')) return err("expected '('");
          COMPONO_TRY(Val p, value(*t.elem()));
          if (!eat(')')) return err("expected ')'");
          return Val::some(std::move(p));
        }
        i = at;  // bare value shorthand for some(v)
        COMPONO_TRY(Val p, value(*t.elem()));
        return Val::some(std::move(p));
      }
      case Kind::Result: {
        size_t at = i;
        std::string l = label();
        if (l != "ok" && l != "err") { i = at; return err("expected ok or err"); }
        const Type* pt = l == "ok" ? t.elem() : t.err();
        std::optional<Val> p;
        if (pt) {
          if (!eat('(')) return err("expected '('");
          COMPONO_TRY(Val v, value(*pt));
          if (!eat(')')) return err("expected ')'");
          p = std::move(v);
        }
        return l == "ok" ? Val::ok(std::move(p)) : Val::err(std::move(p));
      }
      case Kind::Flags: {
        if (!eat('{')) return err("expected '{'");
        std::vector<std::string> set;
        if (!eat('}')) {
          for (;;) {
            size_t at = i;
            std::string name = label();
            bool known = false;
            for (auto& f : t.fields()) known |= f.name == name;
            if (!known) { i = at; return err("unknown flag `" + name + "`"); }
            set.push_back(name);
            if (eat('}')) break;
            if (!eat(',')) return err("expected ',' or '}'");
          }
        }
        // Declaration order.
        std::vector<std::string> ordered;
        for (auto& f : t.fields())
          for (auto& x : set) if (x == f.name) { ordered.push_back(x); break; }
        return Val::flags(std::move(ordered));
      }
      case Kind::Own: case Kind::Borrow:
        return err("resource handles cannot be written as WAVE values");
    }
    return err("unsupported type");
  }
};

}  // namespace

Result<Val> parse(std::string_view text, const Type& t) {
  Parser p{text};
  COMPONO_TRY(Val v, p.value(t));
  p.ws();
  if (p.i != text.size()) return p.err("unexpected trailing text");
  return v;
}

Result<Call> split_call(std::string_view text) {
  size_t open = text.find('(');
  if (open == std::string_view::npos) return Call{std::string(text), ""};
  size_t close = text.rfind(')');
  if (close == std::string_view::npos || close < open) return fail("WAVE: expected ')' at the end of the call", text.size());
  for (size_t k = close + 1; k < text.size(); ++k)
    if (text[k] != ' ' && text[k] != '\n' && text[k] != '\t') return fail("WAVE: unexpected text after the call", k);
  Call c;
  c.name = std::string(text.substr(0, open));
  while (!c.name.empty() && c.name.back() == ' ') c.name.pop_back();
  c.args = std::string(text.substr(open + 1, close - open - 1));
  return c;
}

Result<std::vector<Val>> parse_args(std::string_view args, const component::FuncType& type) {
  Parser p{args};
  std::vector<Val> out;
  for (size_t k = 0; k < type.params.size(); ++k) {
    if (k && !p.eat(',')) return p.err("expected ',' (the function takes " + std::to_string(type.params.size()) + " arguments)");
    COMPONO_TRY(Val v, p.value(type.params[k].second));
    out.push_back(std::move(v));
  }
  p.eat(',');
  p.ws();
  if (p.i != args.size()) return p.err("too many arguments (the function takes " + std::to_string(type.params.size()) + ")");
  return out;
}

std::string print(const Val& v) {
  switch (v.kind()) {
    case Kind::Record: {
      std::string s = "{";
      bool first = true;
      for (size_t i = 0; i < v.elems().size(); ++i) {
        if (v.elems()[i].kind() == Kind::Option && !v.elems()[i].is_some()) continue;
        s += (first ? "" : ", ") + v.field_names()[i] + ": " + print(v.elems()[i]);
        first = false;
      }
      return first ? "{:}" : s + "}";
    }
    case Kind::List: case Kind::Tuple: {
      std::string s = v.kind() == Kind::List ? "[" : "(";
      for (size_t i = 0; i < v.elems().size(); ++i) s += (i ? ", " : "") + print(v.elems()[i]);
      return s + (v.kind() == Kind::List ? "]" : ")");
    }
    case Kind::Variant: case Kind::Option: case Kind::Result: {
      std::string s = v.kind() == Kind::Variant ? v.case_name() : v.kind() == Kind::Option ? (v.is_some() ? "some" : "none") : (v.is_ok() ? "ok" : "err");
      if (v.has_payload()) s += "(" + print(*v.payload()) + ")";
      return s;
    }
    default: return v.to_string();
  }
}

}  // namespace compono::wave
