// Extern-name grammar: kebab-case, interface names with semver, annotations.
#include <gtest/gtest.h>

#include "component/component.h"

namespace cm = compono::component;

TEST(ComponentNames, Kebab) {
  for (const char* ok : {"a", "a1", "a-1", "a-1-b-2-c-3", "B", "B1", "B-1", "a11-B11-123-ABC-abc", "wasi"})
    EXPECT_EQ(cm::check_kebab(ok), "") << ok;
  for (const char* bad : {"", "1", "1-a", "a-", "a--", "aBc", "-a", "a_b", "a.b"})
    EXPECT_NE(cm::check_kebab(bad), "") << bad;
  EXPECT_EQ(cm::check_kebab("aBc"), "`aBc` is not in kebab case");
}

TEST(ComponentNames, ExternNames) {
  for (const char* ok : {"a", "wasi:http/types", "wasi:http/types@1.0.0", "a:b/c@0.0.0-abcd.1.2+efg.4.ee.5",
                         "ns-1-a:b-1-c/D-2", "[constructor]a", "[method]a.b", "[static]a.b", "[async]f",
                         "[async method]a.b", "[async static]a.b"})
    EXPECT_EQ(cm::check_extern_name(ok), "") << ok;
  struct Bad { const char* name; const char* msg; };
  for (Bad b : {Bad{"a:b/c@", "empty string"}, Bad{"a:b/c@.", "unexpected character '.'"},
                Bad{"a:b/c@1.", "unexpected end of input"}, Bad{"a:b/c@2.0x0", "unexpected character 'x'"},
                Bad{"a:b/c@2.0.0+", "empty identifier segment"}, Bad{"foo:bar:baz/qux", "expected `/` after package name"},
                Bad{"foo:bar/baz/qux", "trailing characters found: `/qux`"}, Bad{"wasi/http", "`wasi/http` is not in kebab case"},
                Bad{"A:b/c", "is not in kebab case"}, Bad{"[static]a", "failed to find `.` character"},
                Bad{"[method]a.b.c", "not in kebab case"}, Bad{"[bogus]a", "unknown annotation"}}) {
    std::string e = cm::check_extern_name(b.name);
    EXPECT_NE(e.find(b.msg), std::string::npos) << b.name << " -> " << e;
  }
}
