// src/core/runtime.h - the engine's runtime objects and internal code.
//
// Internal to Compono.  The public handles in compono/core.h point at the
// detail:: structs defined here.  Translation (translate.cpp) turns each
// validated function body into "internal code": a flat array of 32-bit words
// per module, each instruction being an 8-byte handler address followed by
// 32-bit operands (slot indices relative to the frame pointer, immediates,
// branch offsets relative to the instruction start).  interp.cpp executes it.
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "compono/core.h"
#include "core/module.h"

namespace compono::wasm::detail {

using Slot = uint64_t;

// Trap kinds raised by the interpreter.
enum class TrapKind : uint8_t {
  None,
  Unreachable,
  DivByZero,
  IntOverflow,
  InvalidConversion,
  MemoryOOB,
  TableOOB,
  IndirectTypeMismatch,
  UndefinedElement,
  UninitializedElement,
  StackExhausted,
  OutOfFuel,
  NullExnRef,         // throw_ref of a null exnref
  UncaughtException,  // a wasm exception reached the embedder or a host frame
  Host,  // a host function returned a Trap (StoreImpl::host_trap)
};
const char* trap_message(TrapKind k);

// Exception handling side tables (only functions with a try_table have
// any; nothing is consulted unless an exception is thrown).
// A catch clause of a try_table: on a match the unwinder stores the payload
// (catch/catch_ref) and then the exnref (catch_ref/catch_all_ref) in the
// frame's slots dst, dst+1, ... and continues at `target`, a landing pad
// that moves them to the label and branches.
struct CatchClause {
  enum Kind : uint8_t { Catch = 0, CatchRef = 1, CatchAll = 2, CatchAllRef = 3 };
  Kind kind = Catch;
  uint32_t tag = 0;     // module tag index (Catch/CatchRef)
  uint32_t target = 0;  // word offset from the function's first word
  uint32_t dst = 0;     // first slot
};
// The body of a try_table: [begin, end) in words from the function's first
// word.  A function's ranges are listed innermost first (in closing order),
// so the first range containing a pc whose clauses match is the handler.
struct TryRange {
  uint32_t begin = 0, end = 0;
  uint32_t first_catch = 0, num_catches = 0;  // into CompiledCode::catches
};

// Per-function translation result.
struct CompiledFunc {
  uint32_t code_offset = 0;  // into CompiledCode::words
  uint32_t frame_size = 0;   // slots: locals + max operand stack (>= results)
  uint32_t num_params = 0;
  uint32_t num_results = 0;
  uint32_t first_try = 0, num_tries = 0;  // into CompiledCode::tries
};

struct CompiledCode {
  std::vector<uint32_t> words;
  std::vector<CompiledFunc> funcs;  // locally defined functions only
  std::vector<TryRange> tries;
  std::vector<CatchClause> catches;
};

struct ModuleImpl {
  core::Module mod;
  wasm::FuncType to_public(uint32_t type_index) const;
  CompiledCode code;       // without fuel checks
  mutable std::once_flag fuel_once;
  mutable CompiledCode fuel_code;  // with fuel checks, made on demand
  const CompiledCode& code_for(bool fuel) const;
  std::vector<uint32_t> type_ids;  // canonical ids of mod.types
};

// Canonical (process-wide) id of a function type, for call_indirect checks.
uint32_t intern_func_type(const wasm::FuncType& t);

struct InstanceInst;

struct FuncInst {
  // Wasm function: code != nullptr.
  const uint32_t* code = nullptr;
  uint32_t frame_size = 0;
  uint32_t type_id = 0;
  InstanceInst* inst = nullptr;  // defining instance (null for host)
  uint32_t index = 0;            // in the defining module's function space
  // try_table ranges of this function (exception handling), or none.
  const TryRange* tries = nullptr;
  uint32_t num_tries = 0;
  const CatchClause* catches = nullptr;
  wasm::FuncType type;
  // Host function.
  HostFunc host;
  RawHostFunc host_raw;
};

struct MemoryInst {
  uint8_t* data = nullptr;
  uint64_t size = 0;  // bytes
  uint64_t max_pages = 0;  // effective (type max or config)
  std::optional<uint64_t> type_max;
  MemoryInst() = default;
  MemoryInst(const MemoryInst&) = delete;
  MemoryInst& operator=(const MemoryInst&) = delete;
  ~MemoryInst();
  // Returns old page count or -1.
  int64_t grow(uint64_t delta_pages);
};

struct TableInst {
  std::vector<Slot> elems;  // funcref: FuncInst*; externref: host value + 1; 0 = null
  wasm::ValType type = wasm::ValType::FuncRef;
  uint64_t max = 0;  // effective
  std::optional<uint64_t> type_max;
  int64_t grow(uint64_t delta, Slot init);
};

struct GlobalInst {
  Slot value = 0;
  wasm::GlobalType type;
};

// An exception tag (generative: its address is its identity).
struct TagInst {
  wasm::TagType type;
};

// An exception object: the tag and the payload (raw slots).  A non-null
// exnref slot holds its address.  Exceptions that never became a wasm
// value (caught by catch/catch_all, or uncaught) are recycled; those
// exposed as exnref live as long as the Store.
struct ExnInst {
  TagInst* tag = nullptr;
  std::vector<Slot> fields;
  bool escaped = false;  // was pushed as an exnref (catch_ref/catch_all_ref)
};

struct InstanceInst {
  // Fast-path arrays (point into the vectors below).
  FuncInst** funcs = nullptr;
  GlobalInst** globals = nullptr;
  TableInst** tables = nullptr;
  MemoryInst* mem = nullptr;  // memory 0 or StoreImpl::empty_memory
  MemoryInst** mems = nullptr;  // every memory (multi-memory slow paths)
  TagInst** tags = nullptr;
  const uint32_t* type_ids = nullptr;

  std::vector<FuncInst*> func_vec;
  std::vector<GlobalInst*> global_vec;
  std::vector<TableInst*> table_vec;
  std::vector<MemoryInst*> mem_vec;
  std::vector<TagInst*> tag_vec;
  std::vector<std::vector<Slot>> elems;      // resolved element segments (cleared on drop)
  std::vector<std::span<const uint8_t>> datas;  // data segments (empty after drop)
  const ModuleImpl* module = nullptr;
  Module module_handle;  // keeps the module alive
  std::vector<ExportItem> exports;
};

// One activation record on the frame stack.
// The function running in frame k is inst->funcs[func_index], where inst
// is the current instance for the top frame and frames[k+1].caller_inst
// otherwise.
struct Frame {
  const uint32_t* ret_ip;
  Slot* ret_fp;
  InstanceInst* caller_inst;
  uint32_t func_index;
};

// The execution context (part of the store); handlers read it.
struct StoreImpl {
  wasm::Config config;
  Store* owner = nullptr;
  InstanceInst* inst = nullptr;  // current instance
  Slot* stack_free = nullptr;    // first free slot for a new entry frame
  Slot* stack_end = nullptr;
  Frame* fsp = nullptr;          // top frame
  Frame* fend = nullptr;
  uint64_t fuel = 0;
  uint32_t host_depth = 0;
  TrapKind trap = TrapKind::None;
  uint64_t trap_arg = 0;  // element index for UninitializedElement
  std::optional<wasm::Trap> host_trap;

  std::unique_ptr<Slot[]> stack;
  std::unique_ptr<Frame[]> frames;
  MemoryInst empty_memory;

  std::deque<FuncInst> funcs;
  std::deque<MemoryInst> memories;
  std::deque<TableInst> tables;
  std::deque<GlobalInst> globals;
  std::deque<TagInst> tags;
  std::deque<InstanceInst> instances;
  // Exception objects, and the recycled ones.
  std::deque<ExnInst> exns;
  std::vector<ExnInst*> free_exns;
  ExnInst* uncaught = nullptr;  // set with TrapKind::UncaughtException
  ExnInst* new_exn(TagInst* tag);
  void free_exn(ExnInst* e) {
    if (!e->escaped) free_exns.push_back(e);
  }

  explicit StoreImpl(const wasm::Config& c);
  bool ensure_stacks();  // false if the stacks cannot be allocated
};

// Translate every function of a validated module.
Result<void> translate(const core::Module& m, bool fuel, CompiledCode& out);

// Call `f` with args (raw slots, `nargs` of them); on success results are in
// `results` (resized to the result count).  On trap returns the Trap.
Result<std::vector<Slot>, wasm::Trap> invoke(StoreImpl& s, FuncInst* f, const Slot* args, size_t nargs);

// Conversions between public Values and raw slots.
wasm::Value slot_to_value(Slot s, wasm::ValType t);
Slot value_to_slot(const wasm::Value& v);

// Evaluate a constant expression in the context of a (partially built)
// instance.
Slot eval_const(const core::Module& m, const core::ConstExpr& e, const InstanceInst& inst);

// Bulk operations shared by the interpreter and instantiation.  Return
// TrapKind::None on success.
TrapKind table_init(InstanceInst& inst, uint32_t table, uint32_t elem, uint64_t d, uint64_t s, uint64_t n);
TrapKind memory_init(InstanceInst& inst, uint32_t mem, uint32_t data, uint64_t d, uint64_t s, uint64_t n);

}  // namespace compono::wasm::detail
