// Tests for src/core/opcodes.h: the opcode table and the LEB128 Reader.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/opcodes.h"

using namespace compono::core;

namespace {

Reader reader(const std::vector<uint8_t>& b, size_t base = 0) { return Reader(b.data(), b.data() + b.size(), base); }

}  // namespace

TEST(Reader, U32Values) {
  struct Case {
    std::vector<uint8_t> bytes;
    uint32_t value;
  } cases[] = {
      {{0x00}, 0},
      {{0x7f}, 127},
      {{0x80, 0x01}, 128},
      {{0xe5, 0x8e, 0x26}, 624485},
      {{0x80, 0x80, 0x80, 0x80, 0x00}, 0},  // padded zero, 5 bytes is allowed
      {{0xff, 0xff, 0xff, 0xff, 0x0f}, 0xffffffffu},
  };
  for (const auto& c : cases) {
    Reader r = reader(c.bytes);
    uint32_t v = 1234;
    ASSERT_TRUE(r.u32(v));
    EXPECT_EQ(v, c.value);
    EXPECT_TRUE(r.at_end());
    Reader u = reader(c.bytes);
    EXPECT_EQ(u.u32_unchecked(), c.value);
  }
}

TEST(Reader, U32Errors) {
  {
    std::vector<uint8_t> b = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    Reader r = reader(b, 100);
    uint32_t v;
    EXPECT_FALSE(r.u32(v));
    EXPECT_EQ(r.error(), ReadError::TooLong);
    EXPECT_STREQ(r.error_message(), "integer representation too long");
    EXPECT_EQ(r.error_offset(), 104u);
  }
  {
    std::vector<uint8_t> b = {0xff, 0xff, 0xff, 0xff, 0x1f};
    Reader r = reader(b);
    uint32_t v;
    EXPECT_FALSE(r.u32(v));
    EXPECT_EQ(r.error(), ReadError::TooLarge);
    EXPECT_STREQ(r.error_message(), "integer too large");
  }
  {
    std::vector<uint8_t> b = {0x80, 0x80};
    Reader r = reader(b, 10);
    uint32_t v;
    EXPECT_FALSE(r.u32(v));
    EXPECT_EQ(r.error(), ReadError::UnexpectedEnd);
    EXPECT_EQ(r.error_offset(), 12u);
    // The first error sticks.
    uint8_t x;
    EXPECT_FALSE(r.u8(x));
    EXPECT_EQ(r.error_offset(), 12u);
  }
}

TEST(Reader, SignedValues) {
  auto s32 = [](std::vector<uint8_t> b, bool& ok) {
    Reader r = reader(b);
    int32_t v = 0;
    ok = r.s32(v) && r.at_end();
    return v;
  };
  bool ok;
  EXPECT_EQ(s32({0x7f}, ok), -1); EXPECT_TRUE(ok);
  EXPECT_EQ(s32({0x3f}, ok), 63); EXPECT_TRUE(ok);
  EXPECT_EQ(s32({0x40}, ok), -64); EXPECT_TRUE(ok);
  EXPECT_EQ(s32({0xff, 0xff, 0xff, 0xff, 0x07}, ok), INT32_MAX); EXPECT_TRUE(ok);
  EXPECT_EQ(s32({0x80, 0x80, 0x80, 0x80, 0x78}, ok), INT32_MIN); EXPECT_TRUE(ok);
  EXPECT_EQ(s32({0xff, 0xff, 0xff, 0xff, 0x7f}, ok), -1); EXPECT_TRUE(ok);
  s32({0xff, 0xff, 0xff, 0xff, 0x0f}, ok);  // -1 with unused bits unset
  EXPECT_FALSE(ok);
  s32({0x80, 0x80, 0x80, 0x80, 0x70}, ok);  // 0 with unused bits set
  EXPECT_FALSE(ok);

  std::vector<uint8_t> min64 = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f};
  Reader r = reader(min64);
  int64_t v;
  ASSERT_TRUE(r.s64(v));
  EXPECT_EQ(v, INT64_MIN);
  Reader ru = reader(min64);
  EXPECT_EQ(ru.s64_unchecked(), INT64_MIN);

  std::vector<uint8_t> bad64 = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02};
  Reader rb = reader(bad64);
  EXPECT_FALSE(rb.s64(v));
  EXPECT_EQ(rb.error(), ReadError::TooLarge);

  // s33 block types: 0x40 is -64 (empty), 0x7f is -1 (i32), type index 300.
  std::vector<uint8_t> bt = {0x40, 0x7f, 0xac, 0x02};
  Reader rt = reader(bt);
  int64_t t;
  ASSERT_TRUE(rt.s33(t)); EXPECT_EQ(t, -64);
  ASSERT_TRUE(rt.s33(t)); EXPECT_EQ(t, -1);
  ASSERT_TRUE(rt.s33(t)); EXPECT_EQ(t, 300);
}

TEST(Reader, NarrowWidths) {
  std::vector<uint8_t> b = {0x01, 0x02, 0x81, 0x00};
  Reader r = reader(b);
  uint64_t v;
  ASSERT_TRUE(r.uN(1, v));
  EXPECT_EQ(v, 1u);
  EXPECT_FALSE(r.uN(1, v));
  EXPECT_EQ(r.error(), ReadError::TooLarge);
  Reader r2(b.data() + 2, b.data() + b.size());
  EXPECT_FALSE(r2.uN(1, v));
  EXPECT_EQ(r2.error(), ReadError::TooLong);
}

TEST(Reader, FixedAndBytes) {
  std::vector<uint8_t> b = {0x00, 0x00, 0x80, 0x3f, 1, 2, 3};
  Reader r = reader(b);
  uint32_t bits;
  ASSERT_TRUE(r.fixed32(bits));
  EXPECT_EQ(bits, 0x3f800000u);  // 1.0f
  const uint8_t* p;
  EXPECT_FALSE(r.bytes(4, p));
  EXPECT_EQ(r.error(), ReadError::UnexpectedEnd);
}

TEST(Reader, Opcodes) {
  std::vector<uint8_t> b = {0x6a, 0xfc, 0x0b, 0xfc, 0x91, 0x00, 0xfc, 0x80, 0x02};
  Reader r = reader(b);
  uint16_t code;
  ASSERT_TRUE(r.op(code));
  EXPECT_EQ(Op(code), Op::I32Add);
  ASSERT_TRUE(r.op(code));
  EXPECT_EQ(Op(code), Op::MemoryFill);
  ASSERT_TRUE(r.op(code));  // 0xfc with a 2-byte sub-opcode 0x11
  EXPECT_EQ(Op(code), Op::TableFill);
  ASSERT_TRUE(r.op(code));  // sub-opcode 0x100: unknown
  EXPECT_FALSE(is_known_op(code));
  EXPECT_TRUE(r.at_end());

  Reader u = reader(b);
  EXPECT_EQ(u.op_unchecked(), Op::I32Add);
  EXPECT_EQ(u.op_unchecked(), Op::MemoryFill);
  EXPECT_EQ(u.op_unchecked(), Op::TableFill);
}

TEST(Opcodes, Table) {
  std::set<std::string> names;
  int count = 0;
#define COUNT_OP(name, code, text, imm, sig)                        \
  ++count;                                                          \
  EXPECT_TRUE(is_known_op(code)) << text;                           \
  EXPECT_STREQ(op_name(Op::name), text);                            \
  EXPECT_EQ(op_imm(Op::name), Imm::imm) << text;                    \
  if (std::string(text) != "select") {                              \
    EXPECT_TRUE(names.insert(text).second) << text;                 \
  }
  COMPONO_FOREACH_OP(COUNT_OP)
#undef COUNT_OP
  // 172 MVP + 5 sign-extension + 18 of the 0xFC group + typed select +
  // table.get/set + ref.null/is_null/func.
  EXPECT_EQ(count, 201);
  EXPECT_FALSE(is_known_op(0x06));
  EXPECT_FALSE(is_known_op(0x27));
  EXPECT_FALSE(is_known_op(0xfc12));
  EXPECT_EQ(op_natural_align(Op::I64Load), 3);
  EXPECT_EQ(op_natural_align(Op::I64Load32U), 2);
  EXPECT_EQ(op_natural_align(Op::I32Store16), 1);
  EXPECT_EQ(op_natural_align(Op::I64Store8), 0);
  EXPECT_EQ(op_natural_align(Op::I32Add), -1);
  EXPECT_EQ(op_sig(Op::I64Eqz), Sig::L_I);
  EXPECT_EQ(op_sig(Op::F64Store), Sig::ID_V);
  EXPECT_EQ(op_sig(Op::Call), Sig::Special);
}
