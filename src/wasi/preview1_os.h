// src/wasi/preview1_os.h - the OS-facing layer of the WASI preview 1 host.
//
// Internal to src/wasi.  Holds:
//  - the preview 1 constants (errno numbers, file types, flags) and the
//    mapping from host errno values;
//  - HostFd, an owning host file descriptor;
//  - resolve(), the confined path resolution every path_* call goes through.
//
// Confinement: a guest path is resolved one component at a time relative to
// a directory fd, opening each intermediate directory with
// openat(O_PATH|O_DIRECTORY|O_NOFOLLOW) and expanding symlinks ourselves.
// Absolute paths, absolute symlink targets and `..` that would leave the
// base directory are refused with `notcapable` (76), which wasi-libc maps to
// ENOTCAPABLE.  The final component is returned as a single name (never
// containing '/') together with the fd of the directory that holds it, and
// callers act on it with *at() calls that do not follow a symlink in that
// final position, so a symlink swapped in concurrently can't lead outside.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace compono::wasi::p1 {

using Errno = uint16_t;

// Preview 1 errno values (wasi_snapshot_preview1 `errno`).
namespace err {
constexpr Errno success = 0, toobig = 1, acces = 2, again = 6, badf = 8, busy = 10, exist = 20,
                fault = 21, fbig = 22, ilseq = 25, intr = 27, inval = 28, io = 29, isdir = 31,
                loop = 32, mfile = 33, mlink = 34, nametoolong = 37, nfile = 41, nodev = 43,
                noent = 44, nomem = 48, nospc = 51, nosys = 52, notdir = 54, notempty = 55,
                notsup = 58, notty = 59, nxio = 60, overflow = 61, perm = 63, pipe = 64,
                range = 68, rofs = 69, spipe = 70, srch = 71, timedout = 73, txtbsy = 74,
                xdev = 75, notcapable = 76;
}  // namespace err

// Map a host errno value to the preview 1 errno (unknown ones -> io).
Errno from_host_errno(int host_errno);
// The preview 1 name of an errno ("noent", "notcapable", ...), for tests and traces.
const char* errno_name(Errno e);

// Preview 1 file types.
namespace filetype {
constexpr uint8_t unknown = 0, block_device = 1, character_device = 2, directory = 3,
                  regular_file = 4, socket_dgram = 5, socket_stream = 6, symbolic_link = 7;
}
// The preview 1 file type of a host st_mode.
uint8_t filetype_from_mode(uint32_t st_mode);

namespace fdflags {
constexpr uint16_t append = 1, dsync = 2, nonblock = 4, rsync = 8, sync = 16;
}
namespace oflags {
constexpr uint16_t creat = 1, directory = 2, excl = 4, trunc = 8;
}
namespace lookupflags {
constexpr uint32_t symlink_follow = 1;
}
namespace fstflags {
constexpr uint16_t atim = 1, atim_now = 2, mtim = 4, mtim_now = 8;
}
namespace rights {
constexpr uint64_t fd_datasync = 1ull << 0, fd_read = 1ull << 1, fd_seek = 1ull << 2,
                   fd_fdstat_set_flags = 1ull << 3, fd_sync = 1ull << 4, fd_tell = 1ull << 5,
                   fd_write = 1ull << 6, fd_advise = 1ull << 7, fd_allocate = 1ull << 8,
                   path_create_directory = 1ull << 9, path_create_file = 1ull << 10,
                   path_link_source = 1ull << 11, path_link_target = 1ull << 12,
                   path_open = 1ull << 13, fd_readdir = 1ull << 14, path_readlink = 1ull << 15,
                   path_rename_source = 1ull << 16, path_rename_target = 1ull << 17,
                   path_filestat_get = 1ull << 18, path_filestat_set_size = 1ull << 19,
                   path_filestat_set_times = 1ull << 20, fd_filestat_get = 1ull << 21,
                   fd_filestat_set_size = 1ull << 22, fd_filestat_set_times = 1ull << 23,
                   path_symlink = 1ull << 24, path_remove_directory = 1ull << 25,
                   path_unlink_file = 1ull << 26, poll_fd_readwrite = 1ull << 27,
                   sock_shutdown = 1ull << 28, sock_accept = 1ull << 29;
constexpr uint64_t all = (1ull << 30) - 1;
}  // namespace rights

// An owning host file descriptor (closed on destruction).  Move-only.
class HostFd {
 public:
  HostFd() = default;
  explicit HostFd(int fd) : fd_(fd) {}
  HostFd(HostFd&& o) noexcept : fd_(o.release()) {}
  HostFd& operator=(HostFd&& o) noexcept;
  HostFd(const HostFd&) = delete;
  HostFd& operator=(const HostFd&) = delete;
  ~HostFd();
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { int f = fd_; fd_ = -1; return f; }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// The outcome of resolving a guest path beneath a directory.
struct Resolved {
  HostFd owned;        // the parent directory if it was opened during resolution
  int dirfd = -1;      // the parent directory (owned.get() or the base fd)
  std::string name;    // the final component: a single name, ".", never "" or containing '/'
  bool trailing_slash = false;  // the guest path ended in '/' (the target must be a directory)
};

// Maximum symlink expansions per resolution before `loop`.
constexpr int kMaxSymlinkExpansions = 40;

// Resolve `path` relative to the directory `base_dirfd`, confined to it.
// follow_final: expand a symlink in the final position too (lookupflags
// symlink_follow).  A trailing '/' also makes the final component followed.
// On success `out` holds the parent directory and final name.
Errno resolve(int base_dirfd, std::string_view path, bool follow_final, Resolved& out);

}  // namespace compono::wasi::p1
