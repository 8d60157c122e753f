// tests/wit/common.h - shared helpers for the WIT tests.
#pragma once

#include <algorithm>
#include <cstdlib>
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

// Binary-form WIT (a package encoded as a component): `.wasm` files load as
// they are; `.wat` text needs a text parser this project does not have, so
// the test converts it with `jco parse` (a test-only tool).  For a case that
// is a `.wat` file or a folder whose deps/ holds `.wat` files, writes a copy
// under `tmp` with every `.wat` converted to `.wasm` and returns its path;
// returns "" and sets `why` when that is not possible.
inline fs::path binary_form_case(const fs::path& c, const fs::path& tmp, std::string& why) {
  std::error_code ec;
  const std::string jco = COMPONO_JCO;
  auto convert = [&](const fs::path& in, const fs::path& out) {
    if (!fs::exists(jco, ec)) {
      why = "no jco to convert .wat text (" + jco + "); run scripts/setup.sh";
      return false;
    }
    std::string cmd = "'" + jco + "' parse '" + in.string() + "' -o '" + out.string() + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0 || !fs::exists(out, ec)) {
      why = "jco parse failed on " + in.string();
      return false;
    }
    return true;
  };
  fs::create_directories(tmp, ec);
  if (c.extension() == ".wasm") return c;
  if (c.extension() == ".wat") {
    fs::path out = tmp / c.filename().replace_extension(".wasm");
    return convert(c, out) ? out : fs::path();
  }
  fs::path copy = tmp / c.filename();
  fs::remove_all(copy, ec);
  fs::copy(c, copy, fs::copy_options::recursive, ec);
  if (ec) {
    why = "cannot copy " + c.string() + " to " + copy.string() + ": " + ec.message();
    return {};
  }
  for (auto& e : fs::directory_iterator(copy / "deps")) {
    if (e.path().extension() != ".wat") continue;
    fs::path out = e.path();
    out.replace_extension(".wasm");
    if (!convert(e.path(), out)) return {};
    fs::remove(e.path(), ec);
  }
  return copy;
}

}  // namespace wit_test
