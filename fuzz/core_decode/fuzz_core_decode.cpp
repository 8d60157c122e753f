// libFuzzer target: core WebAssembly decode + validate on arbitrary bytes.
// Any input must yield a Module or an Error with a sane offset, never a crash,
// an out-of-bounds read or an absurd allocation.  For modules that validate,
// every function body is re-walked the way the translator does (Reader's
// unchecked reads), checking the guarantees documented in core/module.h:
// the walk stays inside the body, ends at its final `end`, and every index
// immediate is in range.
//
//   fuzz_core_decode -max_len=4096 corpus/   (seed with *.wasm from wast2json)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "core/module.h"
#include "core/opcodes.h"

namespace {

using namespace compono::core;

void require(bool ok) {
  if (!ok) std::abort();
}

void walk_validated_body(const Module& m, const Function& f) {
  const uint8_t* base = m.bytes.data();
  const uint8_t* end = base + f.body.end;
  Reader r(base + f.body.begin, end, f.body.begin);
  const uint64_t nlocals = m.types[f.type].params.size() + f.locals.size();
  uint32_t depth = 1;
  while (depth > 0) {
    require(r.ptr() < end);
    Op op = r.op_unchecked();
    require(is_known_op(uint16_t(op)));
    switch (op_imm(op)) {
      case Imm::None:
        if (op == Op::End) --depth;
        break;
      case Imm::BlockType: {
        uint8_t b = *r.ptr();
        if (b == 0x40 || b == 0x7f || b == 0x7e || b == 0x7d || b == 0x7c || b == 0x7b || b == 0x70 || b == 0x6f) {
          r.u8_unchecked();
        } else {
          int64_t idx = r.s33_unchecked();
          require(idx >= 0 && uint64_t(idx) < m.types.size());
        }
        ++depth;
        break;
      }
      case Imm::Label: require(r.u32_unchecked() < depth); break;
      case Imm::BrTable: {
        uint32_t n = r.u32_unchecked();
        for (uint64_t i = 0; i <= n; ++i) require(r.u32_unchecked() < depth);
        break;
      }
      case Imm::Func: require(r.u32_unchecked() < m.num_funcs()); break;
      case Imm::CallIndirect:
        require(r.u32_unchecked() < m.types.size());
        require(r.u32_unchecked() < m.num_tables());
        break;
      case Imm::Local: require(r.u32_unchecked() < nlocals); break;
      case Imm::Global: require(r.u32_unchecked() < m.num_globals()); break;
      case Imm::Table: require(r.u32_unchecked() < m.num_tables()); break;
      case Imm::MemArg:
        require(r.u32_unchecked() <= 3);
        r.u32_unchecked();
        require(m.num_memories() == 1);
        break;
      case Imm::MemZero: require(r.u8_unchecked() == 0); require(m.num_memories() == 1); break;
      case Imm::I32: r.s32_unchecked(); break;
      case Imm::I64: r.s64_unchecked(); break;
      case Imm::F32: r.fixed32_unchecked(); break;
      case Imm::F64: r.fixed64_unchecked(); break;
      case Imm::RefType: {
        uint8_t t = r.u8_unchecked();
        require(t == 0x70 || t == 0x6f);
        break;
      }
      case Imm::SelectT: require(r.u32_unchecked() == 1); r.u8_unchecked(); break;
      case Imm::Elem: require(r.u32_unchecked() < m.elems.size()); break;
      case Imm::Data: require(r.u32_unchecked() < (m.data_count ? *m.data_count : m.datas.size())); break;
      case Imm::TableInit:
        require(r.u32_unchecked() < m.elems.size());
        require(r.u32_unchecked() < m.num_tables());
        break;
      case Imm::TableCopy:
        require(r.u32_unchecked() < m.num_tables());
        require(r.u32_unchecked() < m.num_tables());
        break;
      case Imm::MemoryInit:
        require(r.u32_unchecked() < (m.data_count ? *m.data_count : m.datas.size()));
        require(r.u8_unchecked() == 0);
        break;
      case Imm::MemoryCopy: require(r.u8_unchecked() == 0); require(r.u8_unchecked() == 0); break;
    }
    require(r.ptr() <= end);
  }
  require(r.ptr() == end);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = decode(std::span<const uint8_t>(data, size));
  if (!m) {
    require(m.error().offset == compono::Error::npos || m.error().offset <= size);
    require(!m.error().message.empty());
    return 0;
  }
  // Spans must lie within the module.
  const size_t n = m->bytes.size();
  for (const Function& f : m->functions) require(f.body.begin <= f.body.end && f.body.end <= n);
  for (const DataSegment& d : m->datas) require(d.bytes.begin <= d.bytes.end && d.bytes.end <= n);
  auto v = validate(*m);
  if (!v) {
    require(!v.error().message.empty());
    return 0;
  }
  for (const Function& f : m->functions) walk_validated_body(*m, f);
  return 0;
}
