// .wast s-expression splitting.
#include <gtest/gtest.h>

#include "component/wast_split.h"

namespace w = compono::wast;

TEST(WastSplit, TopLevelAndChildren) {
  std::string src =
      ";; comment (with parens\n"
      "(component $C (; block (; nested ;) ;) (import \"a)\" (func)))\n"
      "(assert_invalid\n  (component (type (record)))\n  \"record type must have\")\n";
  auto top = w::split_toplevel(src);
  ASSERT_TRUE(top) << top.error().to_string();
  ASSERT_EQ(top->size(), 2u);
  EXPECT_EQ(w::head((*top)[0].text), "component");
  EXPECT_EQ((*top)[0].line, 2u);
  EXPECT_EQ(w::head((*top)[1].text), "assert_invalid");
  EXPECT_EQ((*top)[1].line, 3u);
  auto kids = w::children(src, (*top)[0]);
  ASSERT_TRUE(kids);
  ASSERT_EQ(kids->size(), 3u);
  EXPECT_EQ((*kids)[1].text, "$C");
  EXPECT_EQ((*kids)[2].text, "(import \"a)\" (func))");
  auto k2 = w::children(src, (*top)[1]);
  ASSERT_TRUE(k2);
  ASSERT_EQ(k2->size(), 3u);
  EXPECT_EQ((*k2)[1].line, 4u);
  auto msg = w::unquote((*k2)[2].text);
  ASSERT_TRUE(msg);
  EXPECT_EQ(*msg, "record type must have");
}

TEST(WastSplit, Unquote) {
  auto s = w::unquote("\"\\00asm\\0d\\t\\n\\\"\\\\\\u{1F600}\"");
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, std::string("\0asm\x0d\t\n\"\\\xf0\x9f\x98\x80", 13));
  EXPECT_FALSE(w::unquote("\"\\zz\""));
  EXPECT_FALSE(w::unquote("nope"));
}

TEST(WastSplit, Errors) {
  EXPECT_FALSE(w::split_toplevel("(component"));
  EXPECT_FALSE(w::split_toplevel("(component \"abc)"));
  EXPECT_FALSE(w::split_toplevel("(; never closed"));
  auto r = w::split_toplevel("(a) )");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().offset, 4u);
}
