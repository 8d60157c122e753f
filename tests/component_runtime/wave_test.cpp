// WAVE text: typed parsing and printing; Type layout basics.
#include <gtest/gtest.h>

#include "component/wave.h"
#include "compono/component.h"

using namespace compono::component;
namespace wave = compono::wave;

TEST(Wave, ParsesAndPrintsEveryKind) {
  Type person = Type::record({{"name", Type::string()}, {"age", Type::option(Type::u8())}});
  auto v = wave::parse("{name: \"World\"}", person);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_EQ(v->elems()[0].as_string(), "World");
  EXPECT_FALSE(v->elems()[1].is_some());  // omitted option field = none
  EXPECT_EQ(wave::print(*v), "{name: \"World\"}");

  Type shape = Type::variant({{"circle", Type::f64()}, {"none", std::nullopt}});
  auto s = wave::parse("circle(2.5)", shape);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->case_name(), "circle");
  EXPECT_EQ(s->payload()->as_f64(), 2.5);
  EXPECT_EQ(wave::print(*s), "circle(2.5)");

  auto l = wave::parse("[1, 2, 3]", Type::list(Type::u32()));
  ASSERT_TRUE(l);
  EXPECT_EQ(l->elems().size(), 3u);
  EXPECT_EQ(wave::print(*l), "[1, 2, 3]");

  auto r = wave::parse("err(\"bad\\n\")", Type::result(Type::u8(), Type::string()));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->is_ok());
  EXPECT_EQ(r->payload()->as_string(), "bad\n");
  EXPECT_EQ(wave::print(*r), "err(\"bad\\n\")");

  auto f = wave::parse("{write, read}", Type::flags({"read", "write", "exec"}));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->flag_names(), (std::vector<std::string>{"read", "write"}));

  auto c = wave::parse("'\\u{1F600}'", Type::char_());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->as_char(), U'\U0001F600');

  auto t = wave::parse("(-7, true)", Type::tuple({Type::s16(), Type::bool_()}));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->elems()[0].as_s64(), -7);
  EXPECT_EQ(wave::print(*t), "(-7, true)");
}

TEST(Wave, ErrorsCarryOffsets) {
  auto v = wave::parse("{name: 5}", Type::record({{"name", Type::string()}}));
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().offset, 7u);
  EXPECT_FALSE(wave::parse("256", Type::u8()));
  EXPECT_FALSE(wave::parse("-1", Type::u32()));
  EXPECT_FALSE(wave::parse("[1, 2", Type::list(Type::u8())));
  EXPECT_FALSE(wave::parse("purple", Type::enum_({"red"})));
}

TEST(Wave, SplitsCalls) {
  auto c = wave::split_call("wasi:cli/run@0.2.0#run()");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "wasi:cli/run@0.2.0#run");
  EXPECT_EQ(c->args, "");
  FuncType ft{{{"a", Type::u32()}, {"b", Type::string()}}, std::nullopt};
  auto args = wave::parse_args("1, \"x\"", ft);
  ASSERT_TRUE(args);
  EXPECT_EQ((*args)[1].as_string(), "x");
  EXPECT_FALSE(wave::parse_args("1", ft));
  EXPECT_FALSE(wave::parse_args("1, \"x\", 3", ft));
}

TEST(Values, CheckAgainstTypes) {
  Type t = Type::record({{"a", Type::u8()}, {"b", Type::list(Type::string())}});
  Val ok = Val::record({{"a", Val::u8(1)}, {"b", Val::list({Val::string("x")})}});
  EXPECT_TRUE(ok.check(t));
  Val bad = Val::record({{"a", Val::u16(1)}, {"b", Val::list({})}});
  EXPECT_FALSE(bad.check(t));
  EXPECT_FALSE(Val::char_(0xd800).check(Type::char_()));
  EXPECT_EQ(t.to_string(), "record { a: u8, b: list<string> }");
}
