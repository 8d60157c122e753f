// src/component/wast_split.cpp - s-expression splitting for .wast scripts.
#include "component/wast_split.h"

namespace compono::wast {

namespace {

struct Scanner {
  std::string_view s;
  size_t i = 0;
  size_t line = 1;

  // Skips whitespace and comments; false on an unterminated block comment.
  Result<void> skip_ws() {
    while (i < s.size()) {
      char c = s[i];
      if (c == '\n') { ++line; ++i; }
      else if (c == ' ' || c == '\t' || c == '\r') ++i;
      else if (c == ';' && i + 1 < s.size() && s[i + 1] == ';') {
        while (i < s.size() && s[i] != '\n') ++i;
      } else if (c == '(' && i + 1 < s.size() && s[i + 1] == ';') {
        size_t at = i;
        int depth = 1;
        i += 2;
        while (i < s.size() && depth) {
          if (s[i] == '\n') ++line;
          if (s[i] == '(' && i + 1 < s.size() && s[i + 1] == ';') { ++depth; i += 2; }
          else if (s[i] == ';' && i + 1 < s.size() && s[i + 1] == ')') { --depth; i += 2; }
          else ++i;
        }
        if (depth) return fail("unterminated block comment", at);
      } else {
        break;
      }
    }
    return {};
  }

  Result<void> skip_string() {
    size_t at = i;
    ++i;  // opening quote
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\') ++i;
      else if (s[i] == '\n') ++line;
      ++i;
    }
    if (i >= s.size()) return fail("unterminated string", at);
    ++i;
    return {};
  }

  // Reads one expression starting at i (after whitespace).
  Result<SExpr> next() {
    SExpr e;
    e.begin = i;
    e.line = line;
    char c = s[i];
    if (c == '"') {
      COMPONO_CHECK(skip_string());
    } else if (c == '(') {
      int depth = 0;
      while (i < s.size()) {
        char d = s[i];
        if (d == '"') { COMPONO_CHECK(skip_string()); continue; }
        if (d == '(' && i + 1 < s.size() && s[i + 1] == ';') { COMPONO_CHECK(skip_ws()); continue; }
        if (d == ';' && i + 1 < s.size() && s[i + 1] == ';') { COMPONO_CHECK(skip_ws()); continue; }
        if (d == '\n') ++line;
        if (d == '(') ++depth;
        if (d == ')') {
          --depth;
          if (depth == 0) { ++i; break; }
        }
        ++i;
      }
      if (depth != 0) return fail("unbalanced parentheses", e.begin);
    } else if (c == ')') {
      return fail("unexpected `)`", i);
    } else {
      while (i < s.size() && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '(' || s[i] == ')' || s[i] == '"' || s[i] == ';'))
        ++i;
    }
    e.end = i;
    e.text = s.substr(e.begin, e.end - e.begin);
    return e;
  }
};

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::vector<SExpr>> split_toplevel(std::string_view src) {
  Scanner sc{src};
  std::vector<SExpr> out;
  for (;;) {
    COMPONO_CHECK(sc.skip_ws());
    if (sc.i >= src.size()) break;
    COMPONO_TRY(SExpr e, sc.next());
    out.push_back(e);
  }
  return out;
}

Result<std::vector<SExpr>> children(std::string_view src, const SExpr& list) {
  if (!list.is_list()) return fail("not a list", list.begin);
  Scanner sc{src, list.begin + 1, list.line};
  std::vector<SExpr> out;
  for (;;) {
    COMPONO_CHECK(sc.skip_ws());
    if (sc.i >= list.end - 1) break;
    COMPONO_TRY(SExpr e, sc.next());
    out.push_back(e);
  }
  return out;
}

std::string_view head(std::string_view t) {
  if (t.empty() || t[0] != '(') return {};
  size_t i = 1;
  while (i < t.size() && (t[i] == ' ' || t[i] == '\n' || t[i] == '\t' || t[i] == '\r')) ++i;
  size_t b = i;
  while (i < t.size() && !(t[i] == ' ' || t[i] == '\n' || t[i] == '\t' || t[i] == '\r' || t[i] == '(' || t[i] == ')' || t[i] == '"'))
    ++i;
  return t.substr(b, i - b);
}

Result<std::string> unquote(std::string_view q) {
  if (q.size() < 2 || q.front() != '"' || q.back() != '"') return fail("not a string literal");
  std::string out;
  for (size_t i = 1; i + 1 < q.size(); ++i) {
    char c = q[i];
    if (c != '\\') { out += c; continue; }
    if (i + 2 >= q.size()) return fail("bad escape", i);
    char e = q[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'u': {
        if (i + 1 >= q.size() || q[i + 1] != '{') return fail("bad unicode escape", i);
        i += 2;
        uint32_t cp = 0;
        while (i < q.size() && q[i] != '}') {
          int h = hexval(q[i]);
          if (h < 0 || cp > 0x10ffff) return fail("bad unicode escape", i);
          cp = cp * 16 + uint32_t(h);
          ++i;
        }
        if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return fail("bad unicode escape", i);
        if (cp < 0x80) out += char(cp);
        else if (cp < 0x800) { out += char(0xc0 | (cp >> 6)); out += char(0x80 | (cp & 0x3f)); }
        else if (cp < 0x10000) { out += char(0xe0 | (cp >> 12)); out += char(0x80 | ((cp >> 6) & 0x3f)); out += char(0x80 | (cp & 0x3f)); }
        else { out += char(0xf0 | (cp >> 18)); out += char(0x80 | ((cp >> 12) & 0x3f)); out += char(0x80 | ((cp >> 6) & 0x3f)); out += char(0x80 | (cp & 0x3f)); }
        break;
      }
      default: {
        int h1 = hexval(e), h2 = i + 1 < q.size() ? hexval(q[i + 1]) : -1;
        if (h1 < 0 || h2 < 0) return fail("bad escape", i);
        out += char(h1 * 16 + h2);
        ++i;
      }
    }
  }
  return out;
}

Result<std::string> concat_strings(const std::vector<SExpr>& atoms, size_t first) {
  std::string out;
  for (size_t k = first; k < atoms.size(); ++k) {
    if (!atoms[k].is_string()) return fail("expected a string", atoms[k].begin);
    COMPONO_TRY(std::string s, unquote(atoms[k].text));
    out += s;
  }
  return out;
}

}  // namespace compono::wast
