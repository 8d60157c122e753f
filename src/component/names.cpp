// src/component/names.cpp - extern name grammar (kebab-case labels,
// annotated function names, interface names with semver).
#include <cctype>

#include "component/component.h"
#include "component/names.h"

namespace compono::component {

namespace {

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// semver: major.minor.patch[-pre][+build]; returns error text or "".
std::string check_semver(std::string_view v) {
  if (v.empty()) return "empty string, expected a semver version";
  size_t i = 0;
  for (int part = 0; part < 3; ++part) {
    if (i >= v.size()) return "unexpected end of input while parsing major version number";
    if (!is_digit(v[i])) return std::string("unexpected character '") + v[i] + "' while parsing version number";
    size_t start = i;
    while (i < v.size() && is_digit(v[i])) ++i;
    if (i - start > 1 && v[start] == '0') return "invalid leading zero in version number";
    if (part < 2) {
      if (i >= v.size()) return "unexpected end of input while parsing version";
      if (v[i] != '.') return std::string("unexpected character '") + v[i] + "' after version number";
      ++i;
    }
  }
  auto ident_list = [&](bool pre) -> std::string {
    for (;;) {
      size_t start = i;
      while (i < v.size() && (isalnum(uint8_t(v[i])) || v[i] == '-')) ++i;
      if (i == start) return "empty identifier segment";
      if (pre) {
        bool numeric = true;
        for (size_t k = start; k < i; ++k) numeric &= is_digit(v[k]);
        if (numeric && i - start > 1 && v[start] == '0') return "invalid leading zero in pre-release identifier";
      }
      if (i < v.size() && v[i] == '.') { ++i; continue; }
      return "";
    }
  };
  if (i < v.size() && v[i] == '-') {
    ++i;
    std::string e = ident_list(true);
    if (!e.empty()) return e;
  }
  if (i < v.size() && v[i] == '+') {
    ++i;
    std::string e = ident_list(false);
    if (!e.empty()) return e;
  }
  if (i < v.size()) return std::string("unexpected character '") + v[i] + "' after version";
  return "";
}

}  // namespace

std::string check_kebab(std::string_view s) {
  auto bad = [&] { return "`" + std::string(s) + "` is not in kebab case"; };
  if (s.empty()) return bad();
  if (!is_lower(s[0]) && !is_upper(s[0])) return bad();
  size_t i = 0;
  while (i <= s.size()) {
    size_t start = i;
    while (i < s.size() && s[i] != '-') ++i;
    if (i == start) return bad();  // empty word
    bool lower = false, upper = false;
    for (size_t k = start; k < i; ++k) {
      char c = s[k];
      if (is_lower(c)) lower = true;
      else if (is_upper(c)) upper = true;
      else if (!is_digit(c)) return bad();
    }
    if (lower && upper) return bad();
    if (i == s.size()) break;
    ++i;  // skip '-'
    if (i == s.size()) return bad();  // trailing '-'
  }
  return "";
}

namespace detail {

Result<ParsedName> parse_extern_name(std::string_view s) {
  ParsedName p;
  auto kebab = [&](std::string_view w) -> Result<void> {
    std::string e = check_kebab(w);
    if (!e.empty()) return fail(e);
    return {};
  };
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return fail("failed to find `]` character");
    std::string_view ann = s.substr(1, close - 1), rest = s.substr(close + 1);
    if (ann == "constructor" || ann == "async") {
      p.kind = ann == "constructor" ? ParsedName::Constructor : ParsedName::AsyncFunc;
      COMPONO_CHECK(kebab(rest));
      p.resource = std::string(rest);
      p.key = ann == "constructor" ? "[constructor]" + std::string(rest) : std::string(rest);
    } else if (ann == "method" || ann == "static" || ann == "async method" || ann == "async static") {
      p.kind = (ann == "method" || ann == "async method") ? ParsedName::Method : ParsedName::Static;
      p.async = ann.substr(0, 5) == "async";
      size_t dot = rest.find('.');
      if (dot == std::string_view::npos) return fail("failed to find `.` character");
      COMPONO_CHECK(kebab(rest.substr(0, dot)));
      COMPONO_CHECK(kebab(rest.substr(dot + 1)));
      p.resource = std::string(rest.substr(0, dot));
      p.method = std::string(rest.substr(dot + 1));
      p.key = p.method == p.resource ? p.resource : std::string(rest);
    } else {
      return fail("unknown annotation `[" + std::string(ann) + "]`");
    }
  } else if (s.find(':') != std::string_view::npos || s.find('/') != std::string_view::npos) {
    // ns:pkg/iface[@version]
    p.kind = ParsedName::Interface;
    size_t colon = s.find(':');
    if (colon == std::string_view::npos) return fail("`" + std::string(s) + "` is not in kebab case");
    auto lower_kebab = [&](std::string_view w) -> Result<void> {
      COMPONO_CHECK(kebab(w));
      for (char c : w)
        if (is_upper(c)) return fail("`" + std::string(w) + "` is not in kebab case (namespaces and packages are lowercase)");
      return {};
    };
    COMPONO_CHECK(lower_kebab(s.substr(0, colon)));
    std::string_view rest = s.substr(colon + 1);
    size_t at = rest.find('@');
    std::string_view path = at == std::string_view::npos ? rest : rest.substr(0, at);
    size_t slash = path.find('/');
    size_t colon2 = path.find(':');
    if (colon2 != std::string_view::npos && (slash == std::string_view::npos || colon2 < slash))
      return fail("expected `/` after package name");
    if (slash == std::string_view::npos) {
      COMPONO_CHECK(lower_kebab(path));
      return fail("expected `/` after package name");
    }
    COMPONO_CHECK(lower_kebab(path.substr(0, slash)));
    std::string_view iface = path.substr(slash + 1);
    size_t slash2 = iface.find('/');
    if (slash2 != std::string_view::npos) {
      COMPONO_CHECK(kebab(iface.substr(0, slash2)));
      return fail("trailing characters found: `" + std::string(iface.substr(slash2)) + "`");
    }
    COMPONO_CHECK(kebab(iface));
    if (at != std::string_view::npos) {
      std::string e = check_semver(rest.substr(at + 1));
      if (!e.empty()) return fail(e);
    }
    p.key = std::string(s);
  } else {
    p.kind = ParsedName::Label;
    COMPONO_CHECK(kebab(s));
    p.key = std::string(s);
  }
  for (char& c : p.key) c = char(std::tolower(uint8_t(c)));
  return p;
}

}  // namespace detail

std::string check_extern_name(std::string_view s) {
  auto r = detail::parse_extern_name(s);
  return r ? std::string() : r.error().message;
}

}  // namespace compono::component
