// src/bindgen/common.cpp - naming helpers.
#include "bindgen/common.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <filesystem>

#include "bindgen/bindgen.h"

namespace compono::bindgen {
namespace {
constexpr std::string_view kKeywords[] = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
    "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept",
    "const", "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await",
    "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast",
    "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
    "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
    "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
    "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
    "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
    "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
    "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
    // names the generated code itself uses
    "handle", "take_handle", "from_handle", "std", "compono", "assert", "errno", "stdin",
    "stdout", "stderr"};
}  // namespace

std::string escape(std::string s) {
  if (std::find(std::begin(kKeywords), std::end(kKeywords), s) != std::end(kKeywords)) s += '_';
  if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) s = "_" + s;
  return s;
}

std::string snake(std::string_view kebab) {
  std::string out;
  for (char c : kebab) out += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return escape(out);
}

std::string pascal(std::string_view kebab) {
  std::string out;
  bool up = true;
  for (char c : kebab) {
    if (c == '-') { up = true; continue; }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return escape(out);
}

std::string shouty(std::string_view kebab) {
  std::string out;
  for (char c : kebab) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string cpp_string_literal(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') { out += '\\'; out += c; }
    else if (static_cast<unsigned char>(c) < 0x20) { char b[8]; std::snprintf(b, sizeof b, "\\%03o", c); out += b; }
    else out += c;
  }
  return out + "\"";
}

Result<std::vector<std::string>> write_files(const std::vector<File>& files, const std::string& out_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return fail("cannot create directory " + out_dir + ": " + ec.message());
  std::vector<std::string> written;
  for (const auto& f : files) {
    std::string path = (fs::path(out_dir) / f.name).string();
    // Leave an identical file alone so builds that depend on it stay up to date.
    if (FILE* in = std::fopen(path.c_str(), "rb")) {
      std::string old;
      char buf[65536];
      std::size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) old.append(buf, n);
      std::fclose(in);
      if (old == f.contents) { written.push_back(path); continue; }
    }
    FILE* out = std::fopen(path.c_str(), "wb");
    if (!out) return fail("cannot write " + path);
    bool ok = std::fwrite(f.contents.data(), 1, f.contents.size(), out) == f.contents.size();
    ok = std::fclose(out) == 0 && ok;
    if (!ok) return fail("cannot write " + path);
    written.push_back(path);
  }
  return written;
}

std::string package_namespace(const wit::Resolve& r, wit::PackageId p) {
  if (p == wit::kNoId) return "";
  const wit::PackageName& n = r.packages[p].name;
  std::string out;
  auto add = [&](const std::string& s, char sep) {
    std::size_t b = 0;
    while (b <= s.size()) {
      std::size_t e = s.find(sep, b);
      if (e == std::string::npos) e = s.size();
      out += "::" + snake(s.substr(b, e - b));
      b = e + 1;
    }
  };
  add(n.ns, ':');
  add(n.name, '/');
  return out;
}

std::string interface_namespace(const wit::Resolve& r, wit::InterfaceId i, wit::PackageId world_package,
                                const std::map<wit::InterfaceId, std::string>& anon_names) {
  const wit::Interface& it = r.interfaces[i];
  std::string base = package_namespace(r, it.package != wit::kNoId ? it.package : world_package);
  if (it.name.empty()) {
    auto a = anon_names.find(i);
    return base + "::" + snake(a != anon_names.end() ? a->second : "anon" + std::to_string(i));
  }
  return base + "::" + snake(it.name);
}

const char* scalar_cpp(wit::Prim p) {
  switch (p) {
    case wit::Prim::Bool: return "bool";
    case wit::Prim::S8: return "int8_t";
    case wit::Prim::U8: return "uint8_t";
    case wit::Prim::S16: return "int16_t";
    case wit::Prim::U16: return "uint16_t";
    case wit::Prim::S32: return "int32_t";
    case wit::Prim::U32: return "uint32_t";
    case wit::Prim::S64: return "int64_t";
    case wit::Prim::U64: return "uint64_t";
    case wit::Prim::F32: return "float";
    case wit::Prim::F64: return "double";
    case wit::Prim::Char: return "char32_t";
    default: return nullptr;
  }
}

}  // namespace compono::bindgen
