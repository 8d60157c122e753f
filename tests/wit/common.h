// tests/wit/common.h - shared helpers for the WIT tests.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "wit/wit.h"

namespace wit_test {

namespace fs = std::filesystem;

inline fs::path shared_dir() { return fs::path(COMPONO_SHARED_DIR); }
inline fs::path parser_ui() { return shared_dir() / "wit" / "parser-ui"; }
inline fs::path wasi_dir() { return shared_dir() / "wit" / "wasi-0.2"; }

inline std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The options the reference test-suite uses: feature `active` enabled.
inline compono::wit::Options ui_options() {
  compono::wit::Options o;
  o.features.push_back("active");
  return o;
}

// Top-level cases of a parser-ui folder: `*.wit`, `*.wat` files and folders, sorted.
inline std::vector<fs::path> cases_in(const fs::path& dir) {
  std::vector<fs::path> out;
  for (auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (e.is_directory()) {
      if (n != "parse-fail") out.push_back(e.path());
      continue;
    }
    auto ext = e.path().extension().string();
    if (ext == ".wit" || ext == ".wat" || ext == ".wasm") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// True when a case's deps/ folder holds binary WIT packages (.wasm / .wat).
inline bool has_binary_deps(const fs::path& c) {
  std::error_code ec;
  if (!fs::is_directory(c / "deps", ec)) return false;
  for (auto& e : fs::directory_iterator(c / "deps")) {
    auto ext = e.path().extension().string();
    if (ext == ".wasm" || ext == ".wat") return true;
  }
  return false;
}

}  // namespace wit_test
