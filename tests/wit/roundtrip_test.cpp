// Printer round trip: print -> parse -> print is identical.
#include <gtest/gtest.h>

#include <cstdio>

#include "common.h"

using namespace wit_test;

namespace {

// Returns "" on success, or a description of the first difference.
std::string round_trip(const std::string& path, const compono::wit::Options& opts) {
  auto a = compono::wit::load_path(path, opts);
  if (!a) return "load: " + a.error().message;
  std::string p1 = compono::wit::print_loaded(*a);
  auto b = compono::wit::load_string("printed.wit", p1, opts);
  if (!b) return "reparse: " + b.error().message + "\n--- printed:\n" + p1;
  std::string p2 = compono::wit::print_loaded(*b);
  if (p1 != p2) {
    std::size_t i = 0;
    while (i < p1.size() && i < p2.size() && p1[i] == p2[i]) ++i;
    return "second print differs at byte " + std::to_string(i) + ":\n--- first:\n" + p1.substr(i > 200 ? i - 200 : 0, 400) +
           "\n--- second:\n" + p2.substr(i > 200 ? i - 200 : 0, 400);
  }
  if (b->resolve.packages.size() != a->resolve.packages.size()) return "package count changed";
  if (b->resolve.worlds.size() != a->resolve.worlds.size()) return "world count changed";
  return "";
}

}  // namespace

TEST(WitPrint, RoundTripParserUi) {
  int passed = 0, failed = 0, skipped = 0;
  for (auto& c : cases_in(parser_ui())) {
    fs::path load = c;
    if (c.extension() == ".wat" || c.extension() == ".wasm" || has_binary_deps(c)) {
      // binary-form WIT (decoded; .wat converted with jco parse first)
      std::string why;
      load = binary_form_case(c, fs::path(COMPONO_TEST_TMP) / "roundtrip", why);
      if (load.empty()) {
        ++skipped;
        std::printf("  SKIP %s (%s)\n", c.filename().string().c_str(), why.c_str());
        continue;
      }
    }
    std::string err = round_trip(load.string(), ui_options());
    if (err.empty()) {
      ++passed;
    } else {
      ++failed;
      ADD_FAILURE() << c.filename().string() << ": " << err;
    }
  }
  std::printf("round trip parser-ui: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
}

TEST(WitPrint, RoundTripWasi) {
  std::string err = round_trip(wasi_dir().string(), {});
  EXPECT_EQ(err, "");
}
