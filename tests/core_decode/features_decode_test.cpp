// Decoding and validation of the post-2.0 features behind core::Features
// (multi-memory, exception handling), from hand-written bytes: accepted
// with the feature, rejected with the spec's message (plus the feature's
// name) without it, and malformed/invalid forms rejected with it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/module.h"

using namespace compono::core;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes section(uint8_t id, const Bytes& content) {
  Bytes b = {id, uint8_t(content.size())};  // (all test sections are < 128 bytes)
  b.insert(b.end(), content.begin(), content.end());
  return b;
}
Bytes module(std::initializer_list<Bytes> sections) {
  Bytes b = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  for (const auto& s : sections) b.insert(b.end(), s.begin(), s.end());
  return b;
}
// Type 0 = (i32) -> (), type 1 = () -> (), type 2 = () -> (i32).
Bytes types() { return section(1, {0x03, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x00, 0x60, 0x00, 0x01, 0x7f}); }
// One function of type `t` with the given body (locals vector included).
Bytes func_decl(uint8_t t) { return section(3, {0x01, t}); }
Bytes code(const Bytes& body) {
  Bytes c = {0x01, uint8_t(body.size())};
  c.insert(c.end(), body.begin(), body.end());
  return section(10, c);
}
Bytes two_memories() { return section(5, {0x02, 0x00, 0x01, 0x00, 0x01}); }
Bytes one_tag(uint8_t type) { return section(13, {0x01, 0x00, type}); }

constexpr Features kNone{};
constexpr Features kMM{.multi_memory = true};
constexpr Features kEH{.exceptions = true};

// "" if the module decodes and validates, else the error message.
std::string check(const Bytes& b, Features f) {
  auto m = decode(b, f);
  if (!m) return m.error().message;
  auto v = validate(*m);
  if (!v) return v.error().message;
  return "";
}

TEST(FeaturesDecode, TagsImportsExports) {
  // import "m" "t" (tag (type 0)); tag (type 0); export "a" (tag 0), "b" (tag 1)
  Bytes imp = section(2, {0x01, 0x01, 'm', 0x01, 't', 0x04, 0x00, 0x00});
  Bytes exp = section(7, {0x02, 0x01, 'a', 0x04, 0x00, 0x01, 'b', 0x04, 0x01});
  Bytes b = module({types(), imp, one_tag(0), exp});
  EXPECT_EQ(check(b, kEH), "");
  auto m = decode(b, kEH);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->num_imported_tags, 1u);
  EXPECT_EQ(m->num_tags(), 2u);
  EXPECT_EQ(m->imports[0].kind, ExternKind::Tag);
  EXPECT_EQ(m->tag_type_index(1), 0u);
  EXPECT_EQ(m->exports[1].kind, ExternKind::Tag);
  // Without the feature.
  EXPECT_EQ(check(module({types(), imp}), kNone), "malformed import kind (requires the exceptions feature)");
  EXPECT_EQ(check(module({types(), one_tag(0)}), kNone).rfind("malformed section id 13", 0), 0u);
  EXPECT_EQ(check(module({types(), section(7, {0x01, 0x01, 'a', 0x04, 0x00})}), kNone),
            "malformed export kind (requires the exceptions feature)");
  // Invalid with it.
  EXPECT_EQ(check(module({types(), one_tag(2)}), kEH), "non-empty tag result type");
  EXPECT_EQ(check(module({types(), one_tag(7)}), kEH), "unknown type 7");
  EXPECT_EQ(check(module({types(), one_tag(0), section(7, {0x01, 0x01, 'a', 0x04, 0x01})}), kEH), "unknown tag 1");
  EXPECT_EQ(check(module({types(), section(13, {0x01, 0x01, 0x00})}), kEH), "malformed tag attribute");
  EXPECT_EQ(check(module({types(), section(7, {0x01, 0x01, 'a', 0x05, 0x00})}), kEH), "malformed export kind");
}

TEST(FeaturesDecode, TagSectionOrder) {
  Bytes mem = section(5, {0x01, 0x00, 0x01});
  Bytes glob = section(6, {0x01, 0x7f, 0x00, 0x41, 0x00, 0x0b});
  EXPECT_EQ(check(module({types(), mem, one_tag(0), glob}), kEH), "");
  EXPECT_EQ(check(module({types(), one_tag(0), mem}), kEH), "unexpected content after last section");
  EXPECT_EQ(check(module({types(), glob, one_tag(0)}), kEH), "unexpected content after last section");
  EXPECT_EQ(check(module({types(), one_tag(0), one_tag(0)}), kEH), "unexpected content after last section");
}

TEST(FeaturesDecode, ThrowTryTableAndExnRef) {
  // (func (param i32)  block (result i32) try_table (catch 0 0) local.get 0 throw 0 end unreachable end drop)
  Bytes body = {0x00, 0x02, 0x7f, 0x1f, 0x40, 0x01, 0x00, 0x00, 0x00, 0x20, 0x00, 0x08, 0x00,
                0x0b, 0x00, 0x0b, 0x1a, 0x0b};
  Bytes b = module({types(), func_decl(0), one_tag(0), code(body)});
  EXPECT_EQ(check(b, kEH), "");
  // catch_ref needs a label of [i32 exnref]: the i32 label does not fit.
  Bytes body_ref = body;
  body_ref[6] = 0x01;
  EXPECT_EQ(check(module({types(), func_decl(0), one_tag(0), code(body_ref)}), kEH).rfind("type mismatch", 0), 0u);
  // catch_all into an i32 label: mismatch; catch 0 to an unknown label.
  Bytes body_all = {0x00, 0x02, 0x7f, 0x1f, 0x40, 0x01, 0x02, 0x00, 0x0b, 0x00, 0x0b, 0x1a, 0x0b};
  EXPECT_EQ(check(module({types(), func_decl(0), one_tag(0), code(body_all)}), kEH).rfind("type mismatch", 0), 0u);
  Bytes body_lbl = body;
  body_lbl[8] = 0x05;
  EXPECT_EQ(check(module({types(), func_decl(0), one_tag(0), code(body_lbl)}), kEH).rfind("unknown label 5", 0), 0u);
  // Malformed catch kind; unknown tag in throw.
  Bytes body_kind = body;
  body_kind[6] = 0x04;
  EXPECT_EQ(check(module({types(), func_decl(0), one_tag(0), code(body_kind)}), kEH), "malformed catch clause");
  Bytes body_tag = body;
  body_tag[12] = 0x03;
  EXPECT_EQ(check(module({types(), func_decl(0), one_tag(0), code(body_tag)}), kEH).rfind("unknown tag 3", 0), 0u);
  // Without the feature the opcodes are illegal (the tag section goes first).
  EXPECT_EQ(check(module({types(), func_decl(1), code({0x00, 0x0a, 0x0b})}), kNone), "illegal opcode 0a");
  // exnref: a local of type exnref, throw_ref of it, ref.null exn.
  Bytes ex = {0x01, 0x01, 0x69, 0x20, 0x00, 0x0a, 0x0b};
  EXPECT_EQ(check(module({types(), func_decl(1), code(ex)}), kEH), "");
  EXPECT_EQ(check(module({types(), func_decl(1), code(ex)}), kNone), "malformed value type");
  EXPECT_EQ(check(module({types(), func_decl(1), code({0x00, 0xd0, 0x69, 0x0a, 0x0b})}), kEH), "");
  EXPECT_EQ(check(module({types(), func_decl(1), code({0x00, 0xd0, 0x69, 0x0a, 0x0b})}), kNone),
            "malformed reference type");
  // throw_ref of an i32.
  EXPECT_EQ(check(module({types(), func_decl(1), code({0x00, 0x41, 0x00, 0x0a, 0x0b})}), kEH).rfind("type mismatch", 0),
            0u);
}

TEST(FeaturesDecode, MultiMemoryImmediates) {
  // (func (result i32) memory.size <mem>)
  auto size_of = [](uint8_t mem) { return Bytes{0x00, 0x3f, mem, 0x0b}; };
  EXPECT_EQ(check(module({types(), func_decl(2), two_memories(), code(size_of(1))}), kMM), "");
  EXPECT_EQ(check(module({types(), func_decl(2), two_memories(), code(size_of(2))}), kMM).rfind("unknown memory 2", 0), 0u);
  EXPECT_EQ(check(module({types(), func_decl(2), section(5, {0x01, 0x00, 0x01}), code(size_of(1))}), kNone),
            "zero byte expected");
  EXPECT_EQ(check(module({types(), func_decl(2), two_memories(), code(size_of(0))}), kNone),
            "multiple memories require the multi-memory feature");
  // i32.load with flags 0x42 (align 2, memory index follows) memory 1, offset 0.
  Bytes load = {0x00, 0x41, 0x00, 0x28, 0x42, 0x01, 0x00, 0x0b};
  EXPECT_EQ(check(module({types(), func_decl(2), two_memories(), code(load)}), kMM), "");
  Bytes bad_flags = load;
  bad_flags[4] = 0x82;  // bit 7: malformed
  EXPECT_EQ(check(module({types(), func_decl(2), two_memories(), code(bad_flags)}), kMM), "malformed memop flags");
  Bytes too_aligned = load;
  too_aligned[4] = 0x43;  // align 3 > natural 2
  EXPECT_EQ(check(module({types(), func_decl(2), two_memories(), code(too_aligned)}), kMM),
            "alignment must not be larger than natural in function func[0]");
  // memory.copy 1 0 / memory.fill 1 / memory.init 0 1 (with a data count).
  Bytes copy = {0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0a, 0x01, 0x00, 0x41, 0x00, 0x0b};
  Bytes types3 = section(1, {0x01, 0x60, 0x00, 0x01, 0x7f});
  EXPECT_EQ(check(module({types3, func_decl(0), two_memories(), code(copy)}), kMM), "");
  Bytes copy_bad = copy;
  copy_bad[9] = 0x02;
  EXPECT_EQ(check(module({types3, func_decl(0), two_memories(), code(copy_bad)}), kMM).rfind("unknown memory 2", 0), 0u);
  // An active data segment for memory 1 (flags 2).
  Bytes data = section(11, {0x01, 0x02, 0x01, 0x41, 0x00, 0x0b, 0x01, 'x'});
  EXPECT_EQ(check(module({two_memories(), data}), kMM), "");
  Bytes data3 = section(11, {0x01, 0x02, 0x03, 0x41, 0x00, 0x0b, 0x01, 'x'});
  EXPECT_EQ(check(module({two_memories(), data3}), kMM).rfind("unknown memory 3", 0), 0u);
}

}  // namespace
