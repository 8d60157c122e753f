// src/wasi/preview1_link.cpp - connects the preview 1 host to the core
// embedding API: one raw host function per wasi_snapshot_preview1 import.
#include "compono/wasi.h"
#include "wasi/preview1_ctx.h"

namespace compono::wasi {

Result<Preview1> Preview1::create(const Preview1Config& config) {
  p1::Options o;
  o.args = config.args;
  o.env = config.env;
  for (auto& p : config.preopens) o.preopens.push_back({p.host_path, p.guest_path});
  o.stdin_fd = config.stdin_fd;
  o.stdout_fd = config.stdout_fd;
  o.stderr_fd = config.stderr_fd;
  COMPONO_TRY(auto ctx, p1::Ctx::create(o));
  Preview1 r;
  r.ctx_ = std::shared_ptr<p1::Ctx>(std::move(ctx));
  return r;
}

namespace {
// The calling instance's "memory" export, looked up once per instance rather
// than on every call.  (A Store is used by one thread at a time.)
struct MemoryCache {
  wasm::detail::InstanceInst* instance = nullptr;
  wasm::Memory memory;
};
}  // namespace

Result<void> Preview1::add_to_linker(wasm::Store& store, wasm::Linker& linker) const {
  auto cache = std::make_shared<MemoryCache>();
  for (const p1::FuncDesc& d : p1::functions()) {
    wasm::FuncType t;
    for (const char* c = d.params; *c; ++c) t.params.push_back(*c == 'I' ? wasm::ValType::I64 : wasm::ValType::I32);
    if (!d.no_result) t.results.push_back(wasm::ValType::I32);
    std::shared_ptr<p1::Ctx> ctx = ctx_;
    const p1::FuncDesc* desc = &d;
    COMPONO_CHECK(linker.define_host_raw(
        store, "wasi_snapshot_preview1", d.name, std::move(t),
        [ctx, desc, cache](wasm::Caller& caller, uint64_t* slots) -> wasm::HostResult {
          p1::GuestMem m;
          wasm::detail::InstanceInst* inst = caller.instance().raw();
          if (inst != cache->instance || !inst) {
            cache->instance = inst;
            cache->memory = caller.memory();
          }
          if (const wasm::Memory& mem = cache->memory) {
            m.data = mem.data();
            m.size = mem.size();
          }
          p1::Errno e = desc->call(*ctx, m, slots);
          if (desc->no_result) return wasm::Trap::exit(ctx->exit_code().value_or(0));  // proc_exit
          slots[0] = e;
          return {};
        }));
  }
  return {};
}

std::optional<int> Preview1::exit_code() const { return ctx_ ? ctx_->exit_code() : std::nullopt; }

std::vector<std::string> Preview1::function_names() {
  std::vector<std::string> r;
  for (auto& d : p1::functions()) r.emplace_back(d.name);
  return r;
}

int exit_status(const wasm::CallResult& result) {
  if (result) return 0;
  if (result.error().exit_code) return *result.error().exit_code;
  return kTrapExitStatus;
}

}  // namespace compono::wasi
