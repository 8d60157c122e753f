// src/wasi/preview1_ctx.h - the WASI preview 1 host state and its functions.
//
// Internal to src/wasi.  Ctx holds the arguments, environment and fd table of
// one guest and implements every wasi_snapshot_preview1 function as a plain
// C++ function over a bounds-checked view of guest memory (GuestMem), with
// the raw wasm arguments.  None of this depends on the engine: the glue in
// preview1_link.cpp adapts the table returned by functions() to host
// functions of the core embedding API, and the unit tests call it directly
// on a byte vector standing in for linear memory.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compono/result.h"
#include "wasi/preview1_os.h"

namespace compono::wasi::p1 {

// A view of the guest's linear memory.  Every access is bounds-checked;
// a failed check is reported as `fault` by the functions below.
struct GuestMem {
  uint8_t* data = nullptr;
  uint64_t size = 0;

  bool in_bounds(uint64_t ptr, uint64_t len) const { return ptr <= size && len <= size - ptr; }
  uint8_t* at(uint64_t ptr, uint64_t len) const { return in_bounds(ptr, len) ? data + ptr : nullptr; }
  template <class T>
  bool load(uint32_t ptr, T& out) const {
    if (!in_bounds(ptr, sizeof(T))) return false;
    std::memcpy(&out, data + ptr, sizeof(T));  // wasm is little-endian, as are our hosts
    return true;
  }
  template <class T>
  bool store(uint32_t ptr, T v) const {
    if (!in_bounds(ptr, sizeof(T))) return false;
    std::memcpy(data + ptr, &v, sizeof(T));
    return true;
  }
};

struct PreopenSpec {
  std::string host_path;
  std::string guest_path;
};

struct Options {
  std::vector<std::string> args;
  std::vector<std::string> env;  // "KEY=VALUE"
  std::vector<PreopenSpec> preopens;
  int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;  // host fds to duplicate; -1 = /dev/null
};

struct DirEnt {
  uint64_t ino = 0;
  uint8_t type = 0;
  std::string name;
};

struct FdEntry {
  HostFd fd;
  uint8_t type = filetype::unknown;
  uint64_t rights_base = 0;
  uint64_t rights_inheriting = 0;
  bool is_preopen = false;
  std::string preopen_name;
  std::vector<DirEnt> dir_cache;  // fd_readdir listing, refreshed at cookie 0
  bool dir_cache_valid = false;
};

class Ctx {
 public:
  // Opens the preopened directories and duplicates the stdio fds.
  // Fails (with the host path and reason) if a preopen can't be opened.
  static Result<std::unique_ptr<Ctx>> create(const Options& opts);

  // The guest fd table: lookup (nullptr if not open) and insertion at the
  // lowest free number.
  FdEntry* get(uint32_t fd);
  uint32_t insert(std::unique_ptr<FdEntry> e);

  // ---- wasi_snapshot_preview1 functions (pointers are guest addresses) ----
  Errno args_get(GuestMem m, uint32_t argv, uint32_t buf);
  Errno args_sizes_get(GuestMem m, uint32_t argc_out, uint32_t size_out);
  Errno environ_get(GuestMem m, uint32_t environ, uint32_t buf);
  Errno environ_sizes_get(GuestMem m, uint32_t count_out, uint32_t size_out);
  Errno clock_res_get(GuestMem m, uint32_t id, uint32_t out);
  Errno clock_time_get(GuestMem m, uint32_t id, uint64_t precision, uint32_t out);
  Errno random_get(GuestMem m, uint32_t buf, uint32_t len);

  Errno fd_advise(uint32_t fd, uint64_t offset, uint64_t len, uint32_t advice);
  Errno fd_allocate(uint32_t fd, uint64_t offset, uint64_t len);
  Errno fd_close(uint32_t fd);
  Errno fd_datasync(uint32_t fd);
  Errno fd_sync(uint32_t fd);
  Errno fd_fdstat_get(GuestMem m, uint32_t fd, uint32_t out);
  Errno fd_fdstat_set_flags(uint32_t fd, uint32_t flags);
  Errno fd_fdstat_set_rights(uint32_t fd, uint64_t base, uint64_t inheriting);
  Errno fd_filestat_get(GuestMem m, uint32_t fd, uint32_t out);
  Errno fd_filestat_set_size(uint32_t fd, uint64_t size);
  Errno fd_filestat_set_times(uint32_t fd, uint64_t atim, uint64_t mtim, uint32_t fst);
  Errno fd_pread(GuestMem m, uint32_t fd, uint32_t iovs, uint32_t n, uint64_t off, uint32_t out);
  Errno fd_pwrite(GuestMem m, uint32_t fd, uint32_t iovs, uint32_t n, uint64_t off, uint32_t out);
  Errno fd_read(GuestMem m, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t out);
  Errno fd_write(GuestMem m, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t out);
  Errno fd_prestat_get(GuestMem m, uint32_t fd, uint32_t out);
  Errno fd_prestat_dir_name(GuestMem m, uint32_t fd, uint32_t path, uint32_t len);
  Errno fd_readdir(GuestMem m, uint32_t fd, uint32_t buf, uint32_t len, uint64_t cookie, uint32_t out);
  Errno fd_renumber(uint32_t from, uint32_t to);
  Errno fd_seek(GuestMem m, uint32_t fd, int64_t offset, uint32_t whence, uint32_t out);
  Errno fd_tell(GuestMem m, uint32_t fd, uint32_t out);

  Errno path_create_directory(GuestMem m, uint32_t fd, uint32_t path, uint32_t len);
  Errno path_filestat_get(GuestMem m, uint32_t fd, uint32_t flags, uint32_t path, uint32_t len, uint32_t out);
  Errno path_filestat_set_times(GuestMem m, uint32_t fd, uint32_t flags, uint32_t path, uint32_t len,
                                uint64_t atim, uint64_t mtim, uint32_t fst);
  Errno path_link(GuestMem m, uint32_t old_fd, uint32_t old_flags, uint32_t old_path, uint32_t old_len,
                  uint32_t new_fd, uint32_t new_path, uint32_t new_len);
  Errno path_open(GuestMem m, uint32_t fd, uint32_t dirflags, uint32_t path, uint32_t len, uint32_t oflags,
                  uint64_t base, uint64_t inheriting, uint32_t fdflags, uint32_t out);
  Errno path_readlink(GuestMem m, uint32_t fd, uint32_t path, uint32_t len, uint32_t buf, uint32_t buf_len,
                      uint32_t out);
  Errno path_remove_directory(GuestMem m, uint32_t fd, uint32_t path, uint32_t len);
  Errno path_rename(GuestMem m, uint32_t old_fd, uint32_t old_path, uint32_t old_len, uint32_t new_fd,
                    uint32_t new_path, uint32_t new_len);
  Errno path_symlink(GuestMem m, uint32_t old_path, uint32_t old_len, uint32_t fd, uint32_t new_path,
                     uint32_t new_len);
  Errno path_unlink_file(GuestMem m, uint32_t fd, uint32_t path, uint32_t len);

  Errno poll_oneoff(GuestMem m, uint32_t in, uint32_t out, uint32_t nsubs, uint32_t nevents_out);
  Errno proc_raise(uint32_t sig);
  Errno sched_yield();

  // proc_exit: records the code; the glue turns it into a trap.
  void proc_exit(uint32_t code) { exit_code_ = int(code); }
  std::optional<int> exit_code() const { return exit_code_; }

 private:
  Ctx() = default;
  Errno get_dir(uint32_t fd, FdEntry*& e);
  Errno resolve_at(GuestMem m, uint32_t fd, uint32_t path, uint32_t len, bool follow, Resolved& r);
  Errno rw(GuestMem m, uint32_t fd, uint32_t iovs, uint32_t n, const uint64_t* offset, bool write,
           uint32_t out);

  std::vector<std::string> args_;
  std::vector<std::string> env_;
  std::vector<std::unique_ptr<FdEntry>> fds_;
  std::optional<int> exit_code_;
};

// One import: its name, signature ('i' = i32, 'I' = i64 parameters; the
// result is one i32 errno unless `no_result`) and an adapter that calls Ctx
// with the raw arguments (i32 arguments are in the low 32 bits).
struct FuncDesc {
  const char* name;
  const char* params;
  bool no_result;
  Errno (*call)(Ctx& ctx, GuestMem m, const uint64_t* args);
};
// Every wasi_snapshot_preview1 function, proc_exit included (its adapter
// records the exit code; the caller must then raise the exit trap).
std::span<const FuncDesc> functions();

}  // namespace compono::wasi::p1
