// Helpers for the core decode/validate tests.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/module.h"

namespace compono::core::testing {

// Reads a whole file (binary).
inline std::vector<uint8_t> read_file(const std::filesystem::path& p) {
  std::vector<uint8_t> out;
  FILE* f = std::fopen(p.c_str(), "rb");
  if (!f) return out;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  std::fclose(f);
  return out;
}

// A fresh temporary directory, removed on destruction.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "compono-decode-XXXXXX").string();
    if (char* p = mkdtemp(tmpl.data())) path = p;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

// Assembles WAT text with wat2wasm (wabt) into bytes.  Empty on failure.
inline std::vector<uint8_t> wat(const std::string& text, const std::string& flags = "") {
  TempDir d;
  auto in = d.path / "m.wat", out = d.path / "m.wasm";
  FILE* f = std::fopen(in.c_str(), "wb");
  if (!f) return {};
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
  std::string cmd = "wat2wasm " + flags + " '" + in.string() + "' -o '" + out.string() + "' 2>&1";
  if (std::system(cmd.c_str()) != 0) return {};
  return read_file(out);
}

// Bytes of a module: header plus the given raw section bytes.
inline std::vector<uint8_t> module_bytes(std::initializer_list<uint8_t> sections) {
  static const uint8_t kHeader[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  std::vector<uint8_t> b(8 + sections.size());
  std::copy(kHeader, kHeader + 8, b.begin());
  std::copy(sections.begin(), sections.end(), b.begin() + 8);
  return b;
}

// decode + validate; returns "" on success, else the error message.
inline std::string check(const std::vector<uint8_t>& bytes, bool* decode_failed = nullptr) {
  auto m = decode(bytes);
  if (decode_failed) *decode_failed = !m;
  if (!m) return m.error().message;
  auto v = validate(*m);
  if (!v) return v.error().message;
  return "";
}

inline bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace compono::core::testing
