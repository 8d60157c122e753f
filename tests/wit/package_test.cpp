// decode_package: WIT packages in binary (component) form.
#include <gtest/gtest.h>

#include "common.h"

using namespace wit_test;

namespace {
std::vector<std::uint8_t> bytes_of(const fs::path& p) {
  std::string s = slurp(p);
  return std::vector<std::uint8_t>(s.begin(), s.end());
}
}  // namespace

TEST(WitPackage, DecodesBinaryDep) {
  auto bytes = bytes_of(parser_ui() / "kinds-of-deps" / "deps" / "e.wasm");
  ASSERT_FALSE(bytes.empty());
  auto l = compono::wit::decode_package(bytes);
  ASSERT_TRUE(l) << l.error().to_string();
  const auto& r = l->resolve;
  ASSERT_EQ(r.packages.size(), 1u);
  EXPECT_EQ(r.packages[l->main].name.to_string(), "e:e");
  ASSERT_EQ(r.packages[l->main].interfaces.size(), 1u);
  EXPECT_EQ(r.packages[l->main].interfaces[0].first, "e");
  EXPECT_TRUE(r.worlds.empty());
  EXPECT_EQ(compono::wit::print_package(r, l->main), "package e:e;\n\ninterface e {}\n");
}

TEST(WitPackage, LoadPathReadsBinaryPackageFile) {
  auto l = compono::wit::load_path((parser_ui() / "kinds-of-deps" / "deps" / "e.wasm").string());
  ASSERT_TRUE(l) << l.error().to_string();
  EXPECT_EQ(l->resolve.packages[l->main].name.to_string(), "e:e");
}

// Every truncation and every single-byte change of a package gives a
// Result (an error or a package), never a crash.
TEST(WitPackage, MalformedInputGivesErrors) {
  auto bytes = bytes_of(parser_ui() / "kinds-of-deps" / "deps" / "e.wasm");
  ASSERT_GT(bytes.size(), 8u);
  // The type section (id 7, one-byte size here) holds the package; any
  // truncation before its end is an error.  (Cutting at a later section
  // boundary leaves a valid, shorter component.)
  ASSERT_EQ(bytes[8], 7);
  ASSERT_LT(bytes[9], 0x80);
  std::size_t type_end = 10 + bytes[9];
  int errors = 0, decoded = 0;
  for (std::size_t n = 0; n < type_end; ++n) {
    auto l = compono::wit::decode_package(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + n));
    EXPECT_FALSE(l) << "truncated to " << n << " bytes, still decoded";
    if (!l) {
      ++errors;
      EXPECT_FALSE(l.error().message.empty());
    }
  }
  for (std::size_t i = 8; i < bytes.size(); ++i)
    for (int v : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
      auto m = bytes;
      m[i] = static_cast<std::uint8_t>(v);
      auto l = compono::wit::decode_package(m);
      if (l) ++decoded; else ++errors;
    }
  EXPECT_GT(errors, 0);
  std::printf("decode_package on %d malformed inputs: %d errors, %d decoded\n", errors + decoded, errors, decoded);
}
