// Runs the decoder and validator over every module of the core spec testsuite
// (all /work/shared/testsuite/core/*.wast except simd_*), converted with
// wast2json:
//   module                          -> decode + validate must succeed
//   assert_unlinkable/uninstantiable, assert_trap/exhaustion with a module
//                                   -> the module must decode + validate
//   assert_invalid (binary)         -> decode ok, validate fails
//   assert_malformed (binary)       -> decode fails
// For the two asserts, whether our message starts with the expected text is
// reported too (MESSAGE MISMATCH lines and a count): wast2json's binary can
// differ from the module the script meant (e.g. `select (result)` becomes
// the untyped select), so the text cannot always match.
//   assert_malformed (text)         -> skipped (text format is not ours)
// Prints per-file and total "N passed, N failed, N skipped".
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "helpers.h"

namespace fs = std::filesystem;
using namespace compono::core;
using namespace compono::core::testing;

namespace {

struct Counts {
  int passed = 0, failed = 0, skipped = 0;
};

struct Outcome {
  bool ok;                  // accepted/rejected as the script says
  std::string why;          // why not ok
  std::string mismatch;     // rejected as expected, but with another message
};

Outcome run_command(const nlohmann::json& cmd, const fs::path& dir) {
  const std::string type = cmd.value("type", "");
  const std::string filename = cmd.value("filename", "");
  const std::string module_type = cmd.value("module_type", "binary");
  auto bytes = read_file(dir / filename);
  if (type == "module" || type == "assert_unlinkable" || type == "assert_uninstantiable" ||
      type == "assert_trap" || type == "assert_exhaustion") {
    auto m = decode(bytes);
    if (!m) return {false, "decode failed: " + m.error().to_string(), ""};
    auto v = validate(*m);
    if (!v) return {false, "validate failed: " + v.error().to_string(), ""};
    return {true, "", ""};
  }
  const std::string expected = cmd.value("text", "");
  if (type == "assert_invalid") {
    auto m = decode(bytes);
    if (!m) return {false, "expected invalid (" + expected + ") but decode failed: " + m.error().to_string(), ""};
    auto v = validate(*m);
    if (v) return {false, "expected invalid (" + expected + ") but validated", ""};
    if (!starts_with(v.error().message, expected))
      return {true, "", "expected \"" + expected + "\", got \"" + v.error().to_string() + "\""};
    return {true, "", ""};
  }
  if (type == "assert_malformed") {
    auto m = decode(bytes);
    if (m) {
      auto v = validate(*m);
      return {false, "expected malformed (" + expected + ") but decoded" + (v ? " and validated" : "; validate: " + v.error().message), ""};
    }
    if (!starts_with(m.error().message, expected))
      return {true, "", "expected \"" + expected + "\", got \"" + m.error().to_string() + "\""};
    return {true, "", ""};
  }
  return {true, "", ""};
}

}  // namespace

TEST(SpecCoreDecode, AllWastFiles) {
  fs::path suite = fs::path(COMPONO_SHARED_DIR) / "testsuite" / "core";
  if (!fs::exists(suite)) GTEST_SKIP() << "spec testsuite not found at " << suite;
  if (std::system("wast2json --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "wast2json not installed";

  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(suite)) {
    auto name = e.path().filename().string();
    if (e.path().extension() == ".wast" && name.rfind("simd_", 0) != 0) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());

  Counts total;
  std::vector<std::string> failures, mismatches;
  for (const auto& wast : files) {
    TempDir dir;
    ASSERT_FALSE(dir.path.empty());
    std::string stem = wast.stem().string();
    fs::path json_path = dir.path / (stem + ".json");
    std::string cmd = "wast2json '" + wast.string() + "' -o '" + json_path.string() + "' > /dev/null 2>&1";
    Counts c;
    if (std::system(cmd.c_str()) != 0) {
      ++c.failed;
      failures.push_back(stem + ": wast2json failed");
    } else {
      std::ifstream in(json_path);
      nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
      if (j.is_discarded() || !j.contains("commands")) {
        ++c.failed;
        failures.push_back(stem + ": bad JSON from wast2json");
      } else {
        for (const auto& command : j["commands"]) {
          std::string type = command.value("type", "");
          bool has_module = command.contains("filename");
          if (!has_module) continue;  // actions and registrations: not ours
          if ((type == "assert_malformed" || type == "assert_invalid") &&
              command.value("module_type", "binary") != "binary") {
            ++c.skipped;
            continue;
          }
          Outcome o = run_command(command, dir.path);
          std::string where = stem + ".wast:" + std::to_string(command.value("line", 0)) + ": " + type + ": ";
          if (!o.mismatch.empty()) mismatches.push_back(where + o.mismatch);
          if (o.ok) {
            ++c.passed;
          } else {
            ++c.failed;
            failures.push_back(where + o.why);
          }
        }
      }
    }
    std::printf("%-28s %d passed, %d failed, %d skipped\n", (stem + ".wast").c_str(), c.passed, c.failed, c.skipped);
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  }
  for (const auto& f : mismatches) std::printf("MESSAGE MISMATCH %s\n", f.c_str());
  for (const auto& f : failures) std::printf("FAIL %s\n", f.c_str());
  std::printf("TOTAL: %d passed, %d failed, %d skipped (skipped = text-format assert_malformed/assert_invalid)\n",
              total.passed, total.failed, total.skipped);
  std::printf("error messages: %zu of the rejected modules differ from the expected text\n", mismatches.size());
  EXPECT_EQ(total.failed, 0);
  EXPECT_GT(total.passed, 0);
}

// Real toolchain output: every core module shipped in the npm tools that
// scripts/setup.sh installs (SpiderMonkey/StarlingMonkey builds, wasm-tools,
// jco's preview-1 adapters, ...) must decode and validate.
TEST(RealWorldCore, ToolModulesDecodeAndValidate) {
  fs::path root = fs::path(COMPONO_SOURCE_DIR) / ".tools" / "node_modules";
  if (!fs::exists(root)) GTEST_SKIP() << "no " << root << " (run scripts/setup.sh)";
  int checked = 0, components = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file(ec) || it->path().extension() != ".wasm") continue;
    auto bytes = read_file(it->path());
    static const uint8_t kCore[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    if (bytes.size() < 8 || !std::equal(kCore, kCore + 8, bytes.begin())) {
      ++components;  // components (version 0x0d) and other files are not ours
      continue;
    }
    std::string err = check(bytes);
    EXPECT_EQ(err, "") << it->path();
    std::printf("%-90s %8zu bytes %s\n", it->path().lexically_relative(root).c_str(), bytes.size(),
                err.empty() ? "ok" : err.c_str());
    ++checked;
  }
  std::printf("%d core modules checked, %d other .wasm files not core modules\n", checked, components);
  if (checked == 0) GTEST_SKIP() << "no core modules under " << root;
}
