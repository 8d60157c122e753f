// The public embedding API (compono/core.h): store, module, handles,
// instantiation and the linker.
#include <sys/mman.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>

#include "core/opcodes.h"
#include "core/runtime.h"

namespace compono::wasm {

using namespace detail;

// ---------------------------------------------------------------------------
// Types

const char* to_string(ValType t) { return core::to_string(core::ValType(uint8_t(t))); }
const char* to_string(ExternKind k) { return core::to_string(core::ExternKind(uint8_t(k))); }

std::string FuncType::to_string() const {
  std::string s = "(";
  for (size_t i = 0; i < params.size(); ++i) s += (i ? ", " : "") + std::string(wasm::to_string(params[i]));
  s += ") -> (";
  for (size_t i = 0; i < results.size(); ++i) s += (i ? ", " : "") + std::string(wasm::to_string(results[i]));
  return s + ")";
}

static std::string limits_string(const Limits& l) {
  std::string s = std::to_string(l.min);
  if (l.max) s += ".." + std::to_string(*l.max);
  return s;
}

std::string ExternType::to_string() const {
  switch (kind) {
    case ExternKind::Func: return "func " + func.to_string();
    case ExternKind::Table: return std::string("table ") + limits_string(table.limits) + " " + wasm::to_string(table.elem);
    case ExternKind::Memory: return "memory " + limits_string(memory.limits);
    case ExternKind::Global:
      return std::string("global ") + (global.mut ? "mut " : "") + wasm::to_string(global.type);
    case ExternKind::Tag: {
      std::string s = "tag (";
      for (size_t i = 0; i < tag.params.size(); ++i) s += (i ? ", " : "") + std::string(wasm::to_string(tag.params[i]));
      return s + ")";
    }
  }
  return "?";
}

// ---------------------------------------------------------------------------
// Values and traps

Value Value::funcref(Func f) {
  Value r(ValType::FuncRef);
  r.null_ = !f;
  r.bits_ = uint64_t(uintptr_t(f.raw()));
  return r;
}
Func Value::funcref() const { return Func(null_ ? nullptr : reinterpret_cast<FuncInst*>(uintptr_t(bits_))); }

bool Value::operator==(const Value& o) const {
  if (type_ != o.type_) return false;
  if (type_ == ValType::V128) return v128_ == o.v128_;
  if (is_ref(type_)) return null_ == o.null_ && (null_ || bits_ == o.bits_);
  return bits_ == o.bits_;
}

std::string Value::to_string() const {
  char buf[64];
  switch (type_) {
    case ValType::I32: std::snprintf(buf, sizeof buf, "i32:%" PRId32, i32()); break;
    case ValType::I64: std::snprintf(buf, sizeof buf, "i64:%" PRId64, i64()); break;
    case ValType::F32: std::snprintf(buf, sizeof buf, "f32:%a (0x%08" PRIx32 ")", double(f32()), f32_bits()); break;
    case ValType::F64: std::snprintf(buf, sizeof buf, "f64:%a (0x%016" PRIx64 ")", f64(), f64_bits()); break;
    case ValType::V128: {
      std::string s = "v128:";
      for (auto b : v128_.bytes) {
        std::snprintf(buf, sizeof buf, "%02x", b);
        s += buf;
      }
      return s;
    }
    case ValType::FuncRef:
      if (null_) return "funcref:null";
      std::snprintf(buf, sizeof buf, "funcref:%p", reinterpret_cast<void*>(uintptr_t(bits_)));
      break;
    case ValType::ExternRef:
      if (null_) return "externref:null";
      std::snprintf(buf, sizeof buf, "externref:%" PRIu64, bits_);
      break;
    case ValType::ExnRef:
      if (null_) return "exnref:null";
      std::snprintf(buf, sizeof buf, "exnref:%p", reinterpret_cast<void*>(uintptr_t(bits_)));
      break;
  }
  return buf;
}

std::string Trap::to_string() const {
  std::string s = message;
  for (const auto& f : backtrace) {
    s += "\n  at ";
    if (!f.module_name.empty()) s += f.module_name + "!";
    s += f.func_name + " (func[" + std::to_string(f.func_index) + "])";
  }
  return s;
}

// ---------------------------------------------------------------------------
// Runtime objects

namespace detail {

constexpr uint64_t kPage = 65536;

int64_t MemoryInst::grow(uint64_t delta) {
  uint64_t old = size / kPage;
  if (delta == 0) return int64_t(old);
  if (delta > max_pages || old + delta > max_pages) return -1;
  uint64_t nsize = (old + delta) * kPage;
  void* p;
  if (data == nullptr) {
    p = mmap(nullptr, nsize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  } else {
    p = mremap(data, size, nsize, MREMAP_MAYMOVE);
  }
  if (p == MAP_FAILED) return -1;
  data = static_cast<uint8_t*>(p);
  size = nsize;
  return int64_t(old);
}

MemoryInst::~MemoryInst() {
  if (data) munmap(data, size);
}

int64_t TableInst::grow(uint64_t delta, Slot init) {
  uint64_t old = elems.size();
  if (delta > max || old + delta > max) return -1;
  elems.resize(old + delta, init);
  return int64_t(old);
}

StoreImpl::StoreImpl(const Config& c) : config(c) {
  empty_memory.max_pages = 0;
}

bool StoreImpl::ensure_stacks() {
  if (stack) return true;
  size_t n = config.max_stack_slots ? size_t(config.max_stack_slots) : 1024;
  size_t nf = size_t(config.max_call_depth) + 2;
  // Not value-initialised: pages are touched lazily.
  std::unique_ptr<Slot[]> st(new (std::nothrow) Slot[n]);
  std::unique_ptr<Frame[]> fr(new (std::nothrow) Frame[nf]);
  if (!st || !fr) return false;
  stack = std::move(st);
  frames = std::move(fr);
  stack_free = stack.get();
  stack_end = stack.get() + n;
  fsp = frames.get();  // frames[0] is a sentinel
  fend = frames.get() + nf;
  return true;
}

uint32_t intern_func_type(const FuncType& t) {
  static std::mutex mu;
  static std::map<std::pair<std::vector<ValType>, std::vector<ValType>>, uint32_t> ids;
  std::lock_guard<std::mutex> lock(mu);
  auto [it, inserted] = ids.try_emplace({t.params, t.results}, uint32_t(ids.size()));
  return it->second;
}

static ValType pub(core::ValType t) { return ValType(uint8_t(t)); }
static Limits pub(const core::Limits& l) { return Limits{l.min, l.max}; }

FuncType ModuleImpl::to_public(uint32_t type_index) const {
  const auto& t = mod.types[type_index];
  FuncType r;
  for (auto p : t.params) r.params.push_back(pub(p));
  for (auto p : t.results) r.results.push_back(pub(p));
  return r;
}

const CompiledCode& ModuleImpl::code_for(bool fuel) const {
  if (!fuel) return code;
  std::call_once(fuel_once, [&] {
    auto r = translate(mod, true, fuel_code);
    (void)r;  // the same body translated fine without fuel
  });
  return fuel_code;
}

Slot eval_const(const core::Module& m, const core::ConstExpr& e, const InstanceInst& inst) {
  auto bytes = m.slice(e.code);
  core::Reader r(bytes.data(), bytes.data() + bytes.size());
  Slot stack[8];
  int sp = 0;
  auto push = [&](Slot v) {
    if (sp < 8) stack[sp++] = v;
  };
  while (!r.at_end()) {
    core::Op op = r.op_unchecked();
    switch (op) {
      case core::Op::I32Const: push(uint64_t(uint32_t(r.s32_unchecked()))); break;
      case core::Op::I64Const: push(uint64_t(r.s64_unchecked())); break;
      case core::Op::F32Const: push(r.fixed32_unchecked()); break;
      case core::Op::F64Const: push(r.fixed64_unchecked()); break;
      case core::Op::RefNull: r.u8_unchecked(); push(0); break;
      case core::Op::RefFunc: push(Slot(uintptr_t(inst.func_vec[r.u32_unchecked()]))); break;
      case core::Op::GlobalGet: push(inst.global_vec[r.u32_unchecked()]->value); break;
      case core::Op::I32Add: case core::Op::I32Sub: case core::Op::I32Mul:
      case core::Op::I64Add: case core::Op::I64Sub: case core::Op::I64Mul: {
        if (sp < 2) return 0;
        Slot b = stack[--sp], a = stack[--sp];
        Slot v = 0;
        switch (op) {
          case core::Op::I32Add: v = uint32_t(a + b); break;
          case core::Op::I32Sub: v = uint32_t(a - b); break;
          case core::Op::I32Mul: v = uint32_t(uint32_t(a) * uint32_t(b)); break;
          case core::Op::I64Add: v = a + b; break;
          case core::Op::I64Sub: v = a - b; break;
          default: v = a * b; break;
        }
        push(v);
        break;
      }
      case core::Op::End: return sp ? stack[sp - 1] : 0;
      default: return sp ? stack[sp - 1] : 0;
    }
  }
  return sp ? stack[sp - 1] : 0;
}

TrapKind table_init(InstanceInst& inst, uint32_t table, uint32_t elem, uint64_t d, uint64_t s, uint64_t n) {
  TableInst* t = inst.table_vec[table];
  const auto& seg = inst.elems[elem];
  if (s + n > seg.size() || d + n > t->elems.size()) return TrapKind::TableOOB;
  for (uint64_t i = 0; i < n; ++i) t->elems[d + i] = seg[s + i];
  return TrapKind::None;
}

TrapKind memory_init(InstanceInst& inst, uint32_t mem, uint32_t data, uint64_t d, uint64_t s, uint64_t n) {
  MemoryInst* m = inst.mem_vec[mem];
  const auto& seg = inst.datas[data];
  if (s + n > seg.size() || d + n > m->size) return TrapKind::MemoryOOB;
  if (n) std::memcpy(m->data + d, seg.data() + s, n);
  return TrapKind::None;
}

}  // namespace detail

// ---------------------------------------------------------------------------
// Store

Store::Store(Config config) : impl_(std::make_unique<StoreImpl>(config)) { impl_->owner = this; }
Store::~Store() = default;
Store::Store(Store&& o) noexcept : impl_(std::move(o.impl_)) {
  if (impl_) impl_->owner = this;
}
Store& Store::operator=(Store&& o) noexcept {
  impl_ = std::move(o.impl_);
  if (impl_) impl_->owner = this;
  return *this;
}
const Config& Store::config() const { return impl_->config; }
void Store::set_fuel(uint64_t fuel) { impl_->fuel = fuel; }
uint64_t Store::fuel() const { return impl_->fuel; }

// ---------------------------------------------------------------------------
// Module

Result<Module> Module::compile(std::span<const uint8_t> bytes) { return compile(bytes, Config{}); }

Result<Module> Module::compile(std::span<const uint8_t> bytes, const Config& config) {
  core::Features features;
  features.multi_memory = config.multi_memory;
  features.exceptions = config.exceptions;
  COMPONO_TRY(core::Module m, core::decode(bytes, features));
  COMPONO_CHECK(core::validate(m));
  auto impl = std::make_shared<ModuleImpl>();
  impl->mod = std::move(m);
  COMPONO_CHECK(translate(impl->mod, false, impl->code));
  for (uint32_t i = 0; i < impl->mod.types.size(); ++i) impl->type_ids.push_back(intern_func_type(impl->to_public(i)));
  Module r;
  r.impl_ = std::move(impl);
  return r;
}

static ExternType import_type(const ModuleImpl& mi, const core::Import& im) {
  ExternType t;
  t.kind = ExternKind(uint8_t(im.kind));
  switch (im.kind) {
    case core::ExternKind::Func: t.func = mi.to_public(im.func_type); break;
    case core::ExternKind::Table: t.table = TableType{pub(im.table.elem), pub(im.table.limits)}; break;
    case core::ExternKind::Memory: t.memory = MemoryType{pub(im.memory.limits)}; break;
    case core::ExternKind::Global: t.global = GlobalType{pub(im.global.type), im.global.mut}; break;
    case core::ExternKind::Tag: t.tag = TagType{mi.to_public(im.tag_type).params}; break;
  }
  return t;
}

std::vector<ImportType> Module::imports() const {
  std::vector<ImportType> r;
  if (!impl_) return r;
  for (const auto& im : impl_->mod.imports) r.push_back({im.module, im.name, import_type(*impl_, im)});
  return r;
}

std::vector<ExportType> Module::exports() const {
  std::vector<ExportType> r;
  if (!impl_) return r;
  const auto& m = impl_->mod;
  for (const auto& ex : m.exports) {
    ExternType t;
    t.kind = ExternKind(uint8_t(ex.kind));
    switch (ex.kind) {
      case core::ExternKind::Func: t.func = impl_->to_public(m.func_type_index(ex.index)); break;
      case core::ExternKind::Table: {
        auto tt = m.table_type(ex.index);
        t.table = TableType{pub(tt.elem), pub(tt.limits)};
        break;
      }
      case core::ExternKind::Memory: t.memory = MemoryType{pub(m.memory_type(ex.index).limits)}; break;
      case core::ExternKind::Global: {
        auto gt = m.global_type(ex.index);
        t.global = GlobalType{pub(gt.type), gt.mut};
        break;
      }
      case core::ExternKind::Tag: t.tag = TagType{impl_->to_public(m.tag_type_index(ex.index)).params}; break;
    }
    r.push_back({ex.name, t});
  }
  return r;
}

std::optional<std::string> Module::name() const {
  if (!impl_) return std::nullopt;
  return impl_->mod.names.module;
}

// ---------------------------------------------------------------------------
// Caller, Func

Instance Caller::instance() const { return Instance(inst_); }
Memory Caller::memory() const {
  if (!inst_) return Memory();
  return Instance(inst_).get_memory("memory");
}

static FuncInst* new_host(Store& store, FuncType type) {
  StoreImpl& s = *store.impl();
  s.funcs.emplace_back();
  FuncInst* f = &s.funcs.back();
  f->type_id = intern_func_type(type);
  f->type = std::move(type);
  return f;
}

Func Func::host(Store& store, FuncType type, HostFunc fn) {
  FuncInst* f = new_host(store, std::move(type));
  f->host = std::move(fn);
  return Func(f);
}
Func Func::host_raw(Store& store, FuncType type, RawHostFunc fn) {
  FuncInst* f = new_host(store, std::move(type));
  f->host_raw = std::move(fn);
  return Func(f);
}

FuncType Func::type() const { return f_ ? f_->type : FuncType{}; }

CallResult Func::call(Store& store, std::span<const Value> args) const {
  if (!f_) return Trap("call of a null function");
  const FuncType& t = f_->type;
  if (args.size() != t.params.size())
    return Trap("type mismatch: expected " + std::to_string(t.params.size()) + " arguments, got " +
                std::to_string(args.size()));
  Slot buf[16];
  std::vector<Slot> big;
  Slot* a = buf;
  if (args.size() > 16) {
    big.resize(args.size());
    a = big.data();
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].type() != t.params[i])
      return Trap("type mismatch: argument " + std::to_string(i) + " is " + wasm::to_string(args[i].type()) +
                  ", expected " + wasm::to_string(t.params[i]));
    a[i] = value_to_slot(args[i]);
  }
  auto r = invoke(*store.impl(), f_, a, args.size());
  if (!r) return std::move(r).error();
  std::vector<Value> out;
  out.reserve(t.results.size());
  for (size_t i = 0; i < t.results.size(); ++i) out.push_back(slot_to_value((*r)[i], t.results[i]));
  return out;
}

// ---------------------------------------------------------------------------
// Memory

static MemoryInst* new_memory(StoreImpl& s, const MemoryType& type) {
  s.memories.emplace_back();
  MemoryInst* m = &s.memories.back();
  m->type_max = type.limits.max;
  uint64_t cap = std::min<uint64_t>(s.config.max_memory_pages, 65536);
  m->max_pages = type.limits.max ? std::min(*type.limits.max, cap) : cap;
  return m;
}

Result<Memory> Memory::create(Store& store, MemoryType type) {
  StoreImpl& s = *store.impl();
  if (type.limits.min > std::min<uint64_t>(s.config.max_memory_pages, 65536))
    return fail("memory size exceeds the configured maximum");
  MemoryInst* m = new_memory(s, type);
  if (type.limits.min && m->grow(type.limits.min) < 0) return fail("cannot allocate memory");
  return Memory(m);
}

MemoryType Memory::type() const { return MemoryType{Limits{m_->size / kPage, m_->type_max}}; }
uint8_t* Memory::data() const { return m_->data; }
uint64_t Memory::size() const { return m_->size; }
uint64_t Memory::pages() const { return m_->size / kPage; }
Result<uint64_t> Memory::grow(Store&, uint64_t delta) const {
  int64_t r = m_->grow(delta);
  if (r < 0) return fail("memory.grow failed: maximum size exceeded");
  return uint64_t(r);
}
Result<void> Memory::read(uint64_t offset, std::span<uint8_t> out) const {
  if (offset > m_->size || out.size() > m_->size - offset) return fail("out of bounds memory access");
  if (!out.empty()) std::memcpy(out.data(), m_->data + offset, out.size());
  return {};
}
Result<void> Memory::write(uint64_t offset, std::span<const uint8_t> in) const {
  if (offset > m_->size || in.size() > m_->size - offset) return fail("out of bounds memory access");
  if (!in.empty()) std::memcpy(m_->data + offset, in.data(), in.size());
  return {};
}
uint8_t* Memory::ptr(uint64_t offset, uint64_t len) const {
  if (offset > m_->size || len > m_->size - offset) return nullptr;
  return m_->data + offset;
}

// ---------------------------------------------------------------------------
// Table

static TableInst* new_table(StoreImpl& s, const TableType& type, Slot init) {
  s.tables.emplace_back();
  TableInst* t = &s.tables.back();
  t->type = type.elem;
  t->type_max = type.limits.max;
  uint64_t cap = std::min<uint64_t>(s.config.max_table_elements, 0xffffffffull);
  t->max = type.limits.max ? std::min(*type.limits.max, cap) : cap;
  t->elems.assign(type.limits.min, init);
  return t;
}

Result<Table> Table::create(Store& store, TableType type, Value init) {
  StoreImpl& s = *store.impl();
  if (!is_ref(type.elem) || init.type() != type.elem) return fail("table element type mismatch");
  if (type.limits.min > s.config.max_table_elements) return fail("table size exceeds the configured maximum");
  return Table(new_table(s, type, value_to_slot(init)));
}
TableType Table::type() const { return TableType{t_->type, Limits{t_->elems.size(), t_->type_max}}; }
uint64_t Table::size() const { return t_->elems.size(); }
Result<Value> Table::get(uint64_t index) const {
  if (index >= t_->elems.size()) return fail("out of bounds table access");
  return slot_to_value(t_->elems[index], t_->type);
}
Result<void> Table::set(uint64_t index, Value v) const {
  if (index >= t_->elems.size()) return fail("out of bounds table access");
  if (v.type() != t_->type) return fail("table element type mismatch");
  t_->elems[index] = value_to_slot(v);
  return {};
}
Result<uint64_t> Table::grow(Store&, uint64_t delta, Value init) const {
  if (init.type() != t_->type) return fail("table element type mismatch");
  int64_t r = t_->grow(delta, value_to_slot(init));
  if (r < 0) return fail("table.grow failed: maximum size exceeded");
  return uint64_t(r);
}

// ---------------------------------------------------------------------------
// Global

Result<Global> Global::create(Store& store, GlobalType type, Value init) {
  if (init.type() != type.type) return fail("global type mismatch");
  StoreImpl& s = *store.impl();
  s.globals.emplace_back();
  GlobalInst* g = &s.globals.back();
  g->type = type;
  g->value = value_to_slot(init);
  return Global(g);
}
GlobalType Global::type() const { return g_->type; }
Value Global::get() const { return slot_to_value(g_->value, g_->type.type); }
Result<void> Global::set(Value v) const {
  if (!g_->type.mut) return fail("global is immutable");
  if (v.type() != g_->type.type) return fail("global type mismatch");
  g_->value = value_to_slot(v);
  return {};
}

// ---------------------------------------------------------------------------
// Tag

Tag Tag::create(Store& store, TagType type) {
  StoreImpl& s = *store.impl();
  s.tags.emplace_back();
  TagInst* t = &s.tags.back();
  t->type = std::move(type);
  return Tag(t);
}
TagType Tag::type() const { return t_ ? t_->type : TagType{}; }

ExternType Extern::type() const {
  ExternType t;
  t.kind = kind_;
  switch (kind_) {
    case ExternKind::Func: if (func_) t.func = func_.type(); break;
    case ExternKind::Table: if (table_) t.table = table_.type(); break;
    case ExternKind::Memory: if (memory_) t.memory = memory_.type(); break;
    case ExternKind::Global: if (global_) t.global = global_.type(); break;
    case ExternKind::Tag: if (tag_) t.tag = tag_.type(); break;
  }
  return t;
}

// ---------------------------------------------------------------------------
// Instance

static bool limits_match(const Limits& actual, const Limits& expected) {
  if (actual.min < expected.min) return false;
  if (expected.max) {
    if (!actual.max || *actual.max > *expected.max) return false;
  }
  return true;
}

// Checks `e` against import `im`; returns an error message or "".
static std::string check_import(const ModuleImpl& mi, const core::Import& im, const Extern& e) {
  ExternType want = import_type(mi, im);
  std::string where = im.module + "." + im.name;
  if (e.kind() != want.kind) goto mismatch;
  switch (want.kind) {
    case ExternKind::Func:
      if (!e.func()) return "unknown import: " + where;
      if (e.func().type() != want.func) goto mismatch;
      break;
    case ExternKind::Table: {
      if (!e.table()) return "unknown import: " + where;
      TableType t = e.table().type();
      if (t.elem != want.table.elem || !limits_match(t.limits, want.table.limits)) goto mismatch;
      break;
    }
    case ExternKind::Memory: {
      if (!e.memory()) return "unknown import: " + where;
      if (!limits_match(e.memory().type().limits, want.memory.limits)) goto mismatch;
      break;
    }
    case ExternKind::Global: {
      if (!e.global()) return "unknown import: " + where;
      if (!(e.global().type() == want.global)) goto mismatch;
      break;
    }
    case ExternKind::Tag: {
      if (!e.tag()) return "unknown import: " + where;
      if (!(e.tag().type() == want.tag)) goto mismatch;
      break;
    }
  }
  return "";
mismatch:
  return "incompatible import type: " + where + " (expected " + want.to_string() + ", got " + e.type().to_string() + ")";
}

Result<Instance> Instance::create(Store& store, const Module& module, std::span<const Extern> imports) {
  if (!module) return fail("instantiate: null module");
  const ModuleImpl& mi = *module.impl();
  const core::Module& m = mi.mod;
  StoreImpl& s = *store.impl();
  if (imports.size() != m.imports.size())
    return fail("instantiate: expected " + std::to_string(m.imports.size()) + " imports, got " +
                std::to_string(imports.size()));
  for (size_t i = 0; i < imports.size(); ++i) {
    std::string err = check_import(mi, m.imports[i], imports[i]);
    if (!err.empty()) return fail(err);
  }

  s.instances.emplace_back();
  InstanceInst& inst = s.instances.back();
  // Share ownership of the module with the instance.
  inst.module_handle = module;
  inst.module = module.impl();
  inst.type_ids = mi.type_ids.data();

  for (const auto& e : imports) {
    switch (e.kind()) {
      case ExternKind::Func: inst.func_vec.push_back(e.func().raw()); break;
      case ExternKind::Table: inst.table_vec.push_back(e.table().raw()); break;
      case ExternKind::Memory: inst.mem_vec.push_back(e.memory().raw()); break;
      case ExternKind::Global: inst.global_vec.push_back(e.global().raw()); break;
      case ExternKind::Tag: inst.tag_vec.push_back(e.tag().raw()); break;
    }
  }
  const CompiledCode& code = mi.code_for(s.config.consume_fuel);
  for (size_t i = 0; i < m.functions.size(); ++i) {
    s.funcs.emplace_back();
    FuncInst* f = &s.funcs.back();
    const CompiledFunc& cf = code.funcs[i];
    f->code = code.words.data() + cf.code_offset;
    f->frame_size = cf.frame_size;
    f->type_id = mi.type_ids[m.functions[i].type];
    f->type = mi.to_public(m.functions[i].type);
    f->inst = &inst;
    f->index = m.num_imported_funcs + uint32_t(i);
    if (cf.num_tries) {
      f->tries = code.tries.data() + cf.first_try;
      f->num_tries = cf.num_tries;
      f->catches = code.catches.data();
    }
    inst.func_vec.push_back(f);
  }
  // Tags are generative: a fresh tag per definition per instance.
  for (uint32_t ti : m.tags) inst.tag_vec.push_back(Tag::create(store, TagType{mi.to_public(ti).params}).raw());
  for (const auto& tt : m.tables) {
    TableType t{pub(tt.elem), pub(tt.limits)};
    if (t.limits.min > s.config.max_table_elements) return fail("table size exceeds the configured maximum");
    inst.table_vec.push_back(new_table(s, t, 0));
  }
  for (const auto& mt : m.memories) {
    auto mem = Memory::create(store, MemoryType{pub(mt.limits)});
    if (!mem) return fail(mem.error());
    inst.mem_vec.push_back(mem->raw());
  }
  for (const auto& g : m.globals) {
    s.globals.emplace_back();
    GlobalInst* gi = &s.globals.back();
    gi->type = GlobalType{pub(g.type.type), g.type.mut};
    gi->value = eval_const(m, g.init, inst);
    inst.global_vec.push_back(gi);
  }
  inst.funcs = inst.func_vec.data();
  inst.globals = inst.global_vec.data();
  inst.tables = inst.table_vec.data();
  inst.mem = inst.mem_vec.empty() ? &s.empty_memory : inst.mem_vec[0];
  inst.mems = inst.mem_vec.data();
  inst.tags = inst.tag_vec.data();

  for (const auto& ex : m.exports) {
    Extern e;
    switch (ex.kind) {
      case core::ExternKind::Func: e = Func(inst.func_vec[ex.index]); break;
      case core::ExternKind::Table: e = Table(inst.table_vec[ex.index]); break;
      case core::ExternKind::Memory: e = Memory(inst.mem_vec[ex.index]); break;
      case core::ExternKind::Global: e = Global(inst.global_vec[ex.index]); break;
      case core::ExternKind::Tag: e = Tag(inst.tag_vec[ex.index]); break;
    }
    inst.exports.push_back({ex.name, e});
  }

  // Element and data segments.
  for (const auto& seg : m.elems) {
    std::vector<Slot> vals;
    vals.reserve(seg.count());
    if (seg.uses_indices) {
      for (uint32_t fi : seg.func_indices) vals.push_back(Slot(uintptr_t(inst.func_vec[fi])));
    } else {
      for (const auto& e : seg.inits) vals.push_back(eval_const(m, e, inst));
    }
    inst.elems.push_back(std::move(vals));
  }
  for (const auto& seg : m.datas) inst.datas.push_back(m.slice(seg.bytes));

  Instance result(&inst);
  for (uint32_t i = 0; i < m.elems.size(); ++i) {
    const auto& seg = m.elems[i];
    if (seg.mode == core::SegmentMode::Active) {
      uint64_t off = uint32_t(eval_const(m, seg.offset, inst));
      TrapKind k = table_init(inst, seg.table, i, off, 0, inst.elems[i].size());
      if (k != TrapKind::None) return fail(trap_message(k));
    }
    if (seg.mode != core::SegmentMode::Passive) inst.elems[i] = {};
  }
  for (uint32_t i = 0; i < m.datas.size(); ++i) {
    const auto& seg = m.datas[i];
    if (seg.mode == core::SegmentMode::Active) {
      uint64_t off = uint32_t(eval_const(m, seg.offset, inst));
      TrapKind k = memory_init(inst, seg.memory, i, off, 0, inst.datas[i].size());
      if (k != TrapKind::None) return fail(trap_message(k));
      inst.datas[i] = {};
    }
  }
  if (m.start) {
    auto r = invoke(s, inst.func_vec[*m.start], nullptr, 0);
    if (!r) return fail(r.error().message);
  }
  return result;
}

std::optional<Extern> Instance::get_export(std::string_view name) const {
  if (!i_) return std::nullopt;
  for (const auto& e : i_->exports)
    if (e.name == name) return e.item;
  return std::nullopt;
}
Func Instance::get_func(std::string_view name) const {
  auto e = get_export(name);
  return e ? e->func() : Func();
}
Memory Instance::get_memory(std::string_view name) const {
  auto e = get_export(name);
  return e ? e->memory() : Memory();
}
Table Instance::get_table(std::string_view name) const {
  auto e = get_export(name);
  return e ? e->table() : Table();
}
Global Instance::get_global(std::string_view name) const {
  auto e = get_export(name);
  return e ? e->global() : Global();
}
Tag Instance::get_tag(std::string_view name) const {
  auto e = get_export(name);
  return e ? e->tag() : Tag();
}
std::vector<ExportItem> Instance::exports() const { return i_ ? i_->exports : std::vector<ExportItem>{}; }
const Module& Instance::module() const {
  static const Module empty;
  return i_ ? i_->module_handle : empty;
}

// ---------------------------------------------------------------------------
// Linker

struct Linker::Impl {
  bool shadowing = false;
  std::map<std::pair<std::string, std::string>, Extern, std::less<>> defs;
};

Linker::Linker() : impl_(std::make_unique<Impl>()) {}
Linker::~Linker() = default;
Linker::Linker(Linker&&) noexcept = default;
Linker& Linker::operator=(Linker&&) noexcept = default;
Linker::Linker(const Linker& o) : impl_(std::make_unique<Impl>(*o.impl_)) {}
Linker& Linker::operator=(const Linker& o) {
  if (this != &o) impl_ = std::make_unique<Impl>(*o.impl_);
  return *this;
}

void Linker::allow_shadowing(bool allow) { impl_->shadowing = allow; }

Result<void> Linker::define(std::string_view module, std::string_view name, Extern item) {
  auto key = std::make_pair(std::string(module), std::string(name));
  auto it = impl_->defs.find(key);
  if (it != impl_->defs.end()) {
    if (!impl_->shadowing) return fail("duplicate definition: " + key.first + "." + key.second);
    it->second = item;
    return {};
  }
  impl_->defs.emplace(std::move(key), item);
  return {};
}

Result<void> Linker::define_host(Store& store, std::string_view module, std::string_view name, FuncType type,
                                 HostFunc fn) {
  return define(module, name, Func::host(store, std::move(type), std::move(fn)));
}
Result<void> Linker::define_host_raw(Store& store, std::string_view module, std::string_view name, FuncType type,
                                     RawHostFunc fn) {
  return define(module, name, Func::host_raw(store, std::move(type), std::move(fn)));
}

Result<void> Linker::define_instance(std::string_view module, Instance instance) {
  for (const auto& e : instance.exports()) COMPONO_CHECK(define(module, e.name, e.item));
  return {};
}

std::optional<Extern> Linker::get(std::string_view module, std::string_view name) const {
  auto it = impl_->defs.find(std::make_pair(std::string(module), std::string(name)));
  if (it == impl_->defs.end()) return std::nullopt;
  return it->second;
}

Result<Instance> Linker::instantiate(Store& store, const Module& module) const {
  if (!module) return fail("instantiate: null module");
  std::vector<Extern> imports;
  for (const auto& im : module.impl()->mod.imports) {
    auto e = get(im.module, im.name);
    if (!e) return fail("unknown import: " + im.module + "." + im.name);
    imports.push_back(*e);
  }
  return Instance::create(store, module, imports);
}

}  // namespace compono::wasm
