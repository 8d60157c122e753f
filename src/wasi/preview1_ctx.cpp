// src/wasi/preview1_ctx.cpp - the wasi_snapshot_preview1 functions.
#include "wasi/preview1_ctx.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

namespace compono::wasi::p1 {

namespace {

Errno last_errno() { return from_host_errno(errno); }

// Rights a directory fd carries, and what it passes on to what is opened through it.
constexpr uint64_t kDirBase =
    rights::fd_fdstat_set_flags | rights::fd_sync | rights::fd_advise | rights::path_create_directory |
    rights::path_create_file | rights::path_link_source | rights::path_link_target | rights::path_open |
    rights::fd_readdir | rights::path_readlink | rights::path_rename_source | rights::path_rename_target |
    rights::path_filestat_get | rights::path_filestat_set_size | rights::path_filestat_set_times |
    rights::fd_filestat_get | rights::fd_filestat_set_times | rights::path_symlink |
    rights::path_remove_directory | rights::path_unlink_file;
constexpr uint64_t kFileBase =
    rights::fd_datasync | rights::fd_read | rights::fd_seek | rights::fd_fdstat_set_flags | rights::fd_sync |
    rights::fd_tell | rights::fd_write | rights::fd_advise | rights::fd_allocate | rights::fd_filestat_get |
    rights::fd_filestat_set_size | rights::fd_filestat_set_times | rights::poll_fd_readwrite;

int clock_of(uint32_t id, clockid_t& out) {
  switch (id) {
    case 0: out = CLOCK_REALTIME; return 0;
    case 1: out = CLOCK_MONOTONIC; return 0;
    case 2: out = CLOCK_PROCESS_CPUTIME_ID; return 0;
    case 3: out = CLOCK_THREAD_CPUTIME_ID; return 0;
    default: return -1;
  }
}

uint64_t to_ns(const timespec& ts) { return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec); }
timespec from_ns(uint64_t ns) {
  timespec ts;
  ts.tv_sec = time_t(ns / 1000000000ull);
  ts.tv_nsec = long(ns % 1000000000ull);
  return ts;
}

// Write a preview 1 filestat (64 bytes) for a host stat.
bool store_filestat(GuestMem m, uint32_t out, const struct stat& st) {
  uint8_t* p = m.at(out, 64);
  if (!p) return false;
  std::memset(p, 0, 64);
  uint64_t v;
  v = uint64_t(st.st_dev); std::memcpy(p + 0, &v, 8);
  v = uint64_t(st.st_ino); std::memcpy(p + 8, &v, 8);
  p[16] = filetype_from_mode(st.st_mode);
  v = uint64_t(st.st_nlink); std::memcpy(p + 24, &v, 8);
  v = uint64_t(st.st_size); std::memcpy(p + 32, &v, 8);
  v = to_ns(st.st_atim); std::memcpy(p + 40, &v, 8);
  v = to_ns(st.st_mtim); std::memcpy(p + 48, &v, 8);
  v = to_ns(st.st_ctim); std::memcpy(p + 56, &v, 8);
  return true;
}

// atim/mtim/fst_flags -> the two timespecs utimensat/futimens take.
Errno times_of(uint64_t atim, uint64_t mtim, uint32_t fst, timespec ts[2]) {
  if (fst & ~uint32_t(0xf)) return err::inval;
  if ((fst & fstflags::atim) && (fst & fstflags::atim_now)) return err::inval;
  if ((fst & fstflags::mtim) && (fst & fstflags::mtim_now)) return err::inval;
  ts[0].tv_sec = 0;
  ts[1].tv_sec = 0;
  ts[0].tv_nsec = (fst & fstflags::atim_now) ? UTIME_NOW : UTIME_OMIT;
  ts[1].tv_nsec = (fst & fstflags::mtim_now) ? UTIME_NOW : UTIME_OMIT;
  if (fst & fstflags::atim) ts[0] = from_ns(atim);
  if (fst & fstflags::mtim) ts[1] = from_ns(mtim);
  return err::success;
}

bool get_string(GuestMem m, uint32_t ptr, uint32_t len, std::string_view& out) {
  uint8_t* p = m.at(ptr, len);
  if (!p && len) return false;
  if (!m.in_bounds(ptr, len)) return false;
  out = std::string_view(reinterpret_cast<const char*>(p), len);
  return true;
}

Errno strings_sizes(GuestMem m, const std::vector<std::string>& v, uint32_t count_out, uint32_t size_out) {
  uint64_t total = 0;
  for (auto& s : v) total += s.size() + 1;
  if (total > UINT32_MAX) return err::overflow;
  if (!m.store<uint32_t>(count_out, uint32_t(v.size()))) return err::fault;
  if (!m.store<uint32_t>(size_out, uint32_t(total))) return err::fault;
  return err::success;
}

Errno strings_get(GuestMem m, const std::vector<std::string>& v, uint32_t ptrs, uint32_t buf) {
  uint8_t* table = m.at(ptrs, 4 * uint64_t(v.size()));
  if (!table) return err::fault;
  uint64_t pos = buf;
  for (size_t i = 0; i < v.size(); ++i) {
    uint8_t* dst = m.at(pos, v[i].size() + 1);
    if (!dst) return err::fault;
    std::memcpy(dst, v[i].data(), v[i].size());
    dst[v[i].size()] = 0;
    uint32_t p32 = uint32_t(pos);  // pos < memory size <= 4 GiB
    std::memcpy(table + 4 * i, &p32, 4);
    pos += v[i].size() + 1;
  }
  return err::success;
}

}  // namespace

// ---------------------------------------------------------------- setup

Result<std::unique_ptr<Ctx>> Ctx::create(const Options& o) {
  std::unique_ptr<Ctx> c(new Ctx());
  c->args_ = o.args;
  c->env_ = o.env;
  int stdio[3] = {o.stdin_fd, o.stdout_fd, o.stderr_fd};
  for (int i = 0; i < 3; ++i) {
    int fd = stdio[i] >= 0 ? ::fcntl(stdio[i], F_DUPFD_CLOEXEC, 3)
                           : ::open("/dev/null", (i == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
    if (fd < 0) {
      // A closed host stdio stream: give the guest /dev/null instead.
      fd = ::open("/dev/null", (i == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
      if (fd < 0) return fail("wasi: cannot set up stdio: " + std::string(std::strerror(errno)));
    }
    auto e = std::make_unique<FdEntry>();
    e->fd.reset(fd);
    struct stat st;
    e->type = ::fstat(fd, &st) == 0 ? filetype_from_mode(st.st_mode) : filetype::unknown;
    if (S_ISFIFO(st.st_mode)) e->type = filetype::unknown;
    e->rights_base = (i == 0 ? rights::fd_read : rights::fd_write) | rights::fd_fdstat_set_flags |
                     rights::fd_filestat_get | rights::poll_fd_readwrite;
    // wasi-libc's isatty() wants a character device without seek/tell rights.
    if (e->type == filetype::regular_file)
      e->rights_base |= rights::fd_seek | rights::fd_tell | rights::fd_filestat_set_size | rights::fd_advise;
    c->fds_.push_back(std::move(e));
  }
  for (auto& p : o.preopens) {
    int fd = ::open(p.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
      return fail("wasi: cannot open preopened directory '" + p.host_path + "': " + std::strerror(errno));
    auto e = std::make_unique<FdEntry>();
    e->fd.reset(fd);
    e->type = filetype::directory;
    e->rights_base = kDirBase;
    e->rights_inheriting = kDirBase | kFileBase;
    e->is_preopen = true;
    e->preopen_name = p.guest_path.empty() ? p.host_path : p.guest_path;
    c->fds_.push_back(std::move(e));
  }
  return c;
}

FdEntry* Ctx::get(uint32_t fd) { return fd < fds_.size() ? fds_[fd].get() : nullptr; }

uint32_t Ctx::insert(std::unique_ptr<FdEntry> e) {
  for (size_t i = 0; i < fds_.size(); ++i)
    if (!fds_[i]) {
      fds_[i] = std::move(e);
      return uint32_t(i);
    }
  fds_.push_back(std::move(e));
  return uint32_t(fds_.size() - 1);
}

Errno Ctx::get_dir(uint32_t fd, FdEntry*& e) {
  e = get(fd);
  if (!e) return err::badf;
  if (e->type != filetype::directory) return err::notdir;
  return err::success;
}

Errno Ctx::resolve_at(GuestMem m, uint32_t fd, uint32_t path, uint32_t len, bool follow, Resolved& r) {
  FdEntry* d;
  if (Errno e = get_dir(fd, d)) return e;
  std::string_view p;
  if (!get_string(m, path, len, p)) return err::fault;
  return resolve(d->fd.get(), p, follow, r);
}

// ---------------------------------------------------------------- args, env, clocks, random

Errno Ctx::args_get(GuestMem m, uint32_t argv, uint32_t buf) { return strings_get(m, args_, argv, buf); }
Errno Ctx::args_sizes_get(GuestMem m, uint32_t c, uint32_t s) { return strings_sizes(m, args_, c, s); }
Errno Ctx::environ_get(GuestMem m, uint32_t env, uint32_t buf) { return strings_get(m, env_, env, buf); }
Errno Ctx::environ_sizes_get(GuestMem m, uint32_t c, uint32_t s) { return strings_sizes(m, env_, c, s); }

Errno Ctx::clock_res_get(GuestMem m, uint32_t id, uint32_t out) {
  clockid_t c;
  if (clock_of(id, c)) return err::inval;
  timespec ts;
  if (::clock_getres(c, &ts) != 0) return last_errno();
  return m.store<uint64_t>(out, to_ns(ts)) ? err::success : err::fault;
}

Errno Ctx::clock_time_get(GuestMem m, uint32_t id, uint64_t, uint32_t out) {
  clockid_t c;
  if (clock_of(id, c)) return err::inval;
  timespec ts;
  if (::clock_gettime(c, &ts) != 0) return last_errno();
  return m.store<uint64_t>(out, to_ns(ts)) ? err::success : err::fault;
}

Errno Ctx::random_get(GuestMem m, uint32_t buf, uint32_t len) {
  uint8_t* p = m.at(buf, len);
  if (!p) return err::fault;
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::getrandom(p + done, len - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    done += size_t(n);
  }
  return err::success;
}

// ---------------------------------------------------------------- fds

Errno Ctx::fd_advise(uint32_t fd, uint64_t offset, uint64_t len, uint32_t advice) {
  FdEntry* e = get(fd);
  if (!e) return err::badf;
  static const int map[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                            POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  if (advice > 5) return err::inval;
  if (int64_t(offset) < 0 || int64_t(len) < 0) return err::inval;
  int r = ::posix_fadvise(e->fd.get(), off_t(offset), off_t(len), map[advice]);
  return from_host_errno(r);
}

Errno Ctx::fd_allocate(uint32_t fd, uint64_t offset, uint64_t len) {
  FdEntry* e = get(fd);
  if (!e) return err::badf;
  if (int64_t(offset) < 0 || int64_t(len) <= 0) return err::inval;
  int r = ::posix_fallocate(e->fd.get(), off_t(offset), off_t(len));
  return from_host_errno(r);
}

Errno Ctx::fd_close(uint32_t fd) {
  if (!get(fd)) return err::badf;
  fds_[fd].reset();
  while (!fds_.empty() && !fds_.back()) fds_.pop_back();
  return err::success;
}

Errno Ctx::fd_datasync(uint32_t fd) {
  FdEntry* e = get(fd);
  if (!e) return err::badf;
  return ::fdatasync(e->fd.get()) == 0 ? err::success : last_errno();
}

Errno Ctx::fd_sync(uint32_t fd) {
  FdEntry* e = get(fd);
  if (!e) return err::badf;
  return ::fsync(e->fd.get()) == 0 ? err::success : last_errno();
}

Errno Ctx::fd_fdstat_get(GuestMem m, uint32_t fd, uint32_t out) {
  FdEntry* e = get(fd);
  if (!e) return err::badf;
  uint8_t* p = m.at(out, 24);
  if (!p) return err::fault;
  int fl = ::fcntl(e->fd.get(), F_GETFL);
  if (fl < 0) return last_errno();
  uint16_t flags = 0;
  if (fl & O_APPEND) flags |= fdflags::append;
  if (fl & O_NONBLOCK) flags |= fdflags::nonblock;
  if ((fl & O_SYNC) == O_SYNC) flags |= fdflags::sync | fdflags::rsync;
  else if (fl & O_DSYNC) flags |= fdflags::dsync;
  std::memset(p, 0, 24);
  p[0] = e->type;
  std::memcpy(p + 2, &flags, 2);
  std::memcpy(p + 8, &e->rights_base, 8);
  std::memcpy(p + 16, &e->rights_inheriting, 8);
  return err::success;
}

Errno Ctx::fd_fdstat_set_flags(uint32_t fd, uint32_t flags) {
  FdEntry* e = get(fd);
  if (!e) return err::badf;
  if (flags & ~uint32_t(fdflags::append | fdflags::nonblock)) return err::notsup;
  int fl = ::fcntl(e->fd.get(), F_GETFL);
  if (fl < 0) return last_errno();
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (flags & fdflags::append) fl |= O_APPEND;
  if (flags & fdflags::nonblock) fl |= O_NONBLOCK;
  return ::fcntl(e->fd.get(), F_SETFL, fl) == 0 ? err::success : last_errno();
}

Errno Ctx::fd_fdstat_set_rights(uint32_t fd, uint64_t base, uint64_t inheriting) {
  FdEntry* e = get(fd);
  if (!e) return err::badf;
  if ((base & ~e->rights_base) || (inheriting & ~e->rights_inheriting)) return err::notcapable;
  e->rights_base = base;
  e->rights_inheriting = inheriting;
  return err::success;
}

Errno Ctx::fd_filestat_get(GuestMem m, uint32_t fd, uint32_t out) {
  FdEntry* e = get(fd);
  if (!e) return err::badf;
  struct stat st;
  if (::fstat(e->fd.get(), &st) != 0) return last_errno();
  if (!store_filestat(m, out, st)) return err::fault;
  if (e->type == filetype::unknown) m.data[out + 16] = filetype::unknown;  // e.g. pipes
  return err::success;
}

Errno Ctx::fd_filestat_set_size(uint32_t fd, uint64_t size) {
  FdEntry* e = get(fd);
  if (!e) return err::badf;
  if (int64_t(size) < 0) return err::inval;
  return ::ftruncate(e->fd.get(), off_t(size)) == 0 ? err::success : last_errno();
}

Errno Ctx::fd_filestat_set_times(uint32_t fd, uint64_t atim, uint64_t mtim, uint32_t fst) {
  FdEntry* e = get(fd);
  if (!e) return err::badf;
  timespec ts[2];
  if (Errno r = times_of(atim, mtim, fst, ts)) return r;
  return ::futimens(e->fd.get(), ts) == 0 ? err::success : last_errno();
}

Errno Ctx::rw(GuestMem m, uint32_t fd, uint32_t iovs, uint32_t n, const uint64_t* offset, bool write,
              uint32_t out) {
  FdEntry* e = get(fd);
  if (!e) return err::badf;
  if (e->type == filetype::directory) return err::isdir;
  if (!m.in_bounds(iovs, uint64_t(n) * 8)) return err::fault;
  if (!m.in_bounds(out, 4)) return err::fault;
  if (offset && int64_t(*offset) < 0) return err::inval;
  // The host iovecs point straight into guest memory (after the bounds
  // checks); a few fit on the stack, which is the common case.
  iovec small[16];
  std::vector<iovec> big;
  iovec* v = small;
  if (n > 16) {
    big.resize(std::min<uint32_t>(n, IOV_MAX));
    v = big.data();
  }
  int count = 0;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t ptr = 0, len = 0;
    (void)m.load<uint32_t>(iovs + 8 * i, ptr);
    (void)m.load<uint32_t>(iovs + 8 * i + 4, len);
    uint8_t* p = m.at(ptr, len);
    if (!p) return err::fault;
    if (len == 0) continue;
    if (count < IOV_MAX) v[count++] = iovec{p, len};
  }
  ssize_t r = 0;
  if (count > 0) {
    do {
      if (offset)
        r = write ? ::pwritev(e->fd.get(), v, count, off_t(*offset)) : ::preadv(e->fd.get(), v, count, off_t(*offset));
      else
        r = write ? ::writev(e->fd.get(), v, count) : ::readv(e->fd.get(), v, count);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return last_errno();
  }
  (void)m.store<uint32_t>(out, uint32_t(r));
  return err::success;
}

Errno Ctx::fd_pread(GuestMem m, uint32_t fd, uint32_t iovs, uint32_t n, uint64_t off, uint32_t out) {
  return rw(m, fd, iovs, n, &off, false, out);
}
Errno Ctx::fd_pwrite(GuestMem m, uint32_t fd, uint32_t iovs, uint32_t n, uint64_t off, uint32_t out) {
  return rw(m, fd, iovs, n, &off, true, out);
}
Errno Ctx::fd_read(GuestMem m, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t out) {
  return rw(m, fd, iovs, n, nullptr, false, out);
}
Errno Ctx::fd_write(GuestMem m, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t out) {
  return rw(m, fd, iovs, n, nullptr, true, out);
}

Errno Ctx::fd_prestat_get(GuestMem m, uint32_t fd, uint32_t out) {
  FdEntry* e = get(fd);
  if (!e || !e->is_preopen) return err::badf;
  uint8_t* p = m.at(out, 8);
  if (!p) return err::fault;
  std::memset(p, 0, 8);
  uint32_t len = uint32_t(e->preopen_name.size());
  std::memcpy(p + 4, &len, 4);
  return err::success;
}

Errno Ctx::fd_prestat_dir_name(GuestMem m, uint32_t fd, uint32_t path, uint32_t len) {
  FdEntry* e = get(fd);
  if (!e || !e->is_preopen) return err::badf;
  if (len < e->preopen_name.size()) return err::nametoolong;
  uint8_t* p = m.at(path, e->preopen_name.size());
  if (!p) return err::fault;
  std::memcpy(p, e->preopen_name.data(), e->preopen_name.size());
  return err::success;
}

Errno Ctx::fd_readdir(GuestMem m, uint32_t fd, uint32_t buf, uint32_t len, uint64_t cookie, uint32_t out) {
  FdEntry* e = get(fd);
  if (!e) return err::badf;
  if (e->type != filetype::directory) return err::notdir;
  uint8_t* dst = m.at(buf, len);
  if (!dst || !m.in_bounds(out, 4)) return err::fault;
  if (cookie == 0 || !e->dir_cache_valid) {
    int dfd = ::openat(e->fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return last_errno();
    DIR* d = ::fdopendir(dfd);
    if (!d) {
      Errno r = last_errno();
      ::close(dfd);
      return r;
    }
    e->dir_cache.clear();
    errno = 0;
    while (dirent* de = ::readdir(d)) {
      DirEnt ent;
      ent.ino = de->d_ino;
      ent.name = de->d_name;
      switch (de->d_type) {
        case DT_REG: ent.type = filetype::regular_file; break;
        case DT_DIR: ent.type = filetype::directory; break;
        case DT_LNK: ent.type = filetype::symbolic_link; break;
        case DT_CHR: ent.type = filetype::character_device; break;
        case DT_BLK: ent.type = filetype::block_device; break;
        case DT_SOCK: ent.type = filetype::socket_stream; break;
        default: {
          struct stat st;
          ent.type = ::fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? filetype_from_mode(st.st_mode)
                                                                              : filetype::unknown;
        }
      }
      e->dir_cache.push_back(std::move(ent));
    }
    ::closedir(d);
    // A stable order, with "." and ".." first, as the listing is re-read at cookie 0.
    std::sort(e->dir_cache.begin(), e->dir_cache.end(), [](const DirEnt& a, const DirEnt& b) {
      auto rank = [](const std::string& s) { return s == "." ? 0 : s == ".." ? 1 : 2; };
      if (rank(a.name) != rank(b.name)) return rank(a.name) < rank(b.name);
      return a.name < b.name;
    });
    e->dir_cache_valid = true;
  }
  uint64_t used = 0;
  for (uint64_t i = cookie; i < e->dir_cache.size() && used < len; ++i) {
    const DirEnt& ent = e->dir_cache[i];
    uint8_t hdr[24] = {};
    uint64_t next = i + 1;
    uint32_t namlen = uint32_t(ent.name.size());
    std::memcpy(hdr, &next, 8);
    std::memcpy(hdr + 8, &ent.ino, 8);
    std::memcpy(hdr + 16, &namlen, 4);
    hdr[20] = ent.type;
    uint64_t n = std::min<uint64_t>(24, len - used);
    std::memcpy(dst + used, hdr, n);
    used += n;
    n = std::min<uint64_t>(namlen, len - used);
    std::memcpy(dst + used, ent.name.data(), n);
    used += n;
  }
  (void)m.store<uint32_t>(out, uint32_t(used));
  return err::success;
}

Errno Ctx::fd_renumber(uint32_t from, uint32_t to) {
  if (!get(from) || !get(to)) return err::badf;
  if (from == to) return err::success;
  fds_[to] = std::move(fds_[from]);
  while (!fds_.empty() && !fds_.back()) fds_.pop_back();
  return err::success;
}

Errno Ctx::fd_seek(GuestMem m, uint32_t fd, int64_t offset, uint32_t whence, uint32_t out) {
  FdEntry* e = get(fd);
  if (!e) return err::badf;
  if (!m.in_bounds(out, 8)) return err::fault;
  int w;
  switch (whence) {
    case 0: w = SEEK_SET; break;
    case 1: w = SEEK_CUR; break;
    case 2: w = SEEK_END; break;
    default: return err::inval;
  }
  if (e->type == filetype::directory) return err::isdir;
  off_t r = ::lseek(e->fd.get(), off_t(offset), w);
  if (r < 0) return last_errno();
  (void)m.store<uint64_t>(out, uint64_t(r));
  return err::success;
}

Errno Ctx::fd_tell(GuestMem m, uint32_t fd, uint32_t out) { return fd_seek(m, fd, 0, 1, out); }

// ---------------------------------------------------------------- paths

Errno Ctx::path_create_directory(GuestMem m, uint32_t fd, uint32_t path, uint32_t len) {
  Resolved r;
  if (Errno e = resolve_at(m, fd, path, len, false, r)) return e;
  if (r.name == ".") return err::exist;
  return ::mkdirat(r.dirfd, r.name.c_str(), 0777) == 0 ? err::success : last_errno();
}

Errno Ctx::path_filestat_get(GuestMem m, uint32_t fd, uint32_t flags, uint32_t path, uint32_t len, uint32_t out) {
  // Stat the final name without following first; only a symlink there
  // (with symlink_follow) needs the second, expanding resolution.
  Resolved r;
  if (Errno e = resolve_at(m, fd, path, len, false, r)) return e;
  struct stat st;
  if (::fstatat(r.dirfd, r.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return last_errno();
  if (S_ISLNK(st.st_mode) && (flags & lookupflags::symlink_follow)) {
    if (Errno e = resolve_at(m, fd, path, len, true, r)) return e;
    if (::fstatat(r.dirfd, r.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return last_errno();
  }
  if (r.trailing_slash && !S_ISDIR(st.st_mode)) return err::notdir;
  return store_filestat(m, out, st) ? err::success : err::fault;
}

Errno Ctx::path_filestat_set_times(GuestMem m, uint32_t fd, uint32_t flags, uint32_t path, uint32_t len,
                                   uint64_t atim, uint64_t mtim, uint32_t fst) {
  timespec ts[2];
  if (Errno e = times_of(atim, mtim, fst, ts)) return e;
  Resolved r;
  if (Errno e = resolve_at(m, fd, path, len, flags & lookupflags::symlink_follow, r)) return e;
  return ::utimensat(r.dirfd, r.name.c_str(), ts, AT_SYMLINK_NOFOLLOW) == 0 ? err::success : last_errno();
}

Errno Ctx::path_link(GuestMem m, uint32_t old_fd, uint32_t old_flags, uint32_t old_path, uint32_t old_len,
                     uint32_t new_fd, uint32_t new_path, uint32_t new_len) {
  Resolved a, b;
  if (Errno e = resolve_at(m, old_fd, old_path, old_len, old_flags & lookupflags::symlink_follow, a)) return e;
  if (Errno e = resolve_at(m, new_fd, new_path, new_len, false, b)) return e;
  if (b.trailing_slash) return err::noent;
  return ::linkat(a.dirfd, a.name.c_str(), b.dirfd, b.name.c_str(), 0) == 0 ? err::success : last_errno();
}

Errno Ctx::path_open(GuestMem m, uint32_t fd, uint32_t dirflags, uint32_t path, uint32_t len, uint32_t of,
                     uint64_t base, uint64_t inheriting, uint32_t fdf, uint32_t out) {
  FdEntry* dir;
  if (Errno e = get_dir(fd, dir)) return e;
  if (!m.in_bounds(out, 4)) return err::fault;
  // The final name is opened with O_NOFOLLOW; if it turns out to be a
  // symlink and symlink_follow is set, it is expanded (confined) and retried.
  bool follow = dirflags & lookupflags::symlink_follow;
  Resolved r;
  if (Errno e = resolve_at(m, fd, path, len, false, r)) return e;
  bool read = base & (rights::fd_read | rights::fd_readdir);
  bool write = base & (rights::fd_write | rights::fd_datasync | rights::fd_allocate | rights::fd_filestat_set_size);
  if (fdf & fdflags::append) write = true;
  int flags = O_CLOEXEC | O_NOFOLLOW;
  if (of & oflags::directory) {
    flags |= O_DIRECTORY | O_RDONLY;
    if (of & (oflags::creat | oflags::trunc)) return err::inval;
  } else if (read && write) {
    flags |= O_RDWR;
  } else if (write) {
    flags |= O_WRONLY;
  } else {
    flags |= O_RDONLY;
  }
  if (of & oflags::creat) flags |= O_CREAT;
  if (of & oflags::excl) flags |= O_EXCL;
  if (of & oflags::trunc) flags |= O_TRUNC;
  if (fdf & fdflags::append) flags |= O_APPEND;
  if (fdf & fdflags::nonblock) flags |= O_NONBLOCK;
  if (fdf & (fdflags::sync | fdflags::rsync)) flags |= O_SYNC;
  else if (fdf & fdflags::dsync) flags |= O_DSYNC;
  if (r.trailing_slash) {
    if (of & oflags::creat) return err::isdir;
    flags |= O_DIRECTORY;
  }
  int h = ::openat(r.dirfd, r.name.c_str(), flags, 0666);
  if (h < 0 && (errno == ELOOP || errno == ENOTDIR) && r.name != ".") {
    int e0 = errno;
    struct stat lst;
    if (::fstatat(r.dirfd, r.name.c_str(), &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode)) {
      if (!follow) return err::loop;  // POSIX O_NOFOLLOW (Linux says ENOTDIR with O_DIRECTORY)
      if (Errno e = resolve_at(m, fd, path, len, true, r)) return e;
      h = ::openat(r.dirfd, r.name.c_str(), flags, 0666);
    } else {
      errno = e0;
    }
  }
  if (h < 0) return last_errno();
  auto e = std::make_unique<FdEntry>();
  e->fd.reset(h);
  struct stat st;
  if (::fstat(h, &st) != 0) return last_errno();
  e->type = filetype_from_mode(st.st_mode);
  if (S_ISFIFO(st.st_mode)) e->type = filetype::unknown;
  uint64_t allowed = dir->rights_inheriting & (e->type == filetype::directory ? kDirBase | kFileBase : kFileBase);
  e->rights_base = base & allowed;
  e->rights_inheriting = inheriting & dir->rights_inheriting;
  uint32_t n = insert(std::move(e));
  (void)m.store<uint32_t>(out, n);
  return err::success;
}

Errno Ctx::path_readlink(GuestMem m, uint32_t fd, uint32_t path, uint32_t len, uint32_t buf, uint32_t buf_len,
                         uint32_t out) {
  Resolved r;
  if (Errno e = resolve_at(m, fd, path, len, false, r)) return e;
  uint8_t* dst = m.at(buf, buf_len);
  if (!dst || !m.in_bounds(out, 4)) return err::fault;
  std::vector<char> tmp(size_t(buf_len) + 1);
  ssize_t n = ::readlinkat(r.dirfd, r.name.c_str(), tmp.data(), tmp.size());
  if (n < 0) return last_errno();
  size_t copy = std::min<size_t>(size_t(n), buf_len);
  std::memcpy(dst, tmp.data(), copy);
  (void)m.store<uint32_t>(out, uint32_t(copy));
  return err::success;
}

Errno Ctx::path_remove_directory(GuestMem m, uint32_t fd, uint32_t path, uint32_t len) {
  Resolved r;
  if (Errno e = resolve_at(m, fd, path, len, false, r)) return e;
  if (r.name == ".") return err::inval;
  return ::unlinkat(r.dirfd, r.name.c_str(), AT_REMOVEDIR) == 0 ? err::success : last_errno();
}

Errno Ctx::path_rename(GuestMem m, uint32_t old_fd, uint32_t old_path, uint32_t old_len, uint32_t new_fd,
                       uint32_t new_path, uint32_t new_len) {
  Resolved a, b;
  if (Errno e = resolve_at(m, old_fd, old_path, old_len, false, a)) return e;
  if (Errno e = resolve_at(m, new_fd, new_path, new_len, false, b)) return e;
  if (a.name == "." || b.name == ".") return err::busy;
  if (a.trailing_slash || b.trailing_slash) {
    struct stat st;
    if (::fstatat(a.dirfd, a.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return last_errno();
    if (!S_ISDIR(st.st_mode)) return err::notdir;
  }
  return ::renameat(a.dirfd, a.name.c_str(), b.dirfd, b.name.c_str()) == 0 ? err::success : last_errno();
}

Errno Ctx::path_symlink(GuestMem m, uint32_t old_path, uint32_t old_len, uint32_t fd, uint32_t new_path,
                        uint32_t new_len) {
  std::string_view target;
  if (!get_string(m, old_path, old_len, target)) return err::fault;
  if (target.find('\0') != std::string_view::npos) return err::ilseq;
  // An absolute target could only ever be followed outside the sandbox.
  if (!target.empty() && target.front() == '/') return err::notcapable;
  Resolved r;
  if (Errno e = resolve_at(m, fd, new_path, new_len, false, r)) return e;
  if (r.trailing_slash) return err::noent;
  std::string t(target);
  return ::symlinkat(t.c_str(), r.dirfd, r.name.c_str()) == 0 ? err::success : last_errno();
}

Errno Ctx::path_unlink_file(GuestMem m, uint32_t fd, uint32_t path, uint32_t len) {
  Resolved r;
  if (Errno e = resolve_at(m, fd, path, len, false, r)) return e;
  if (r.name == ".") return err::isdir;
  if (r.trailing_slash) {
    struct stat st;
    if (::fstatat(r.dirfd, r.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return last_errno();
    return S_ISDIR(st.st_mode) ? err::isdir : err::notdir;
  }
  if (::unlinkat(r.dirfd, r.name.c_str(), 0) == 0) return err::success;
  int e = errno;
  return from_host_errno(e == EPERM ? EISDIR : e);  // Linux reports EISDIR; other hosts EPERM
}

// ---------------------------------------------------------------- poll, proc, sched

Errno Ctx::poll_oneoff(GuestMem m, uint32_t in, uint32_t out, uint32_t nsubs, uint32_t nevents_out) {
  if (nsubs == 0) return err::inval;
  uint8_t* src = m.at(in, uint64_t(nsubs) * 48);
  uint8_t* dst = m.at(out, uint64_t(nsubs) * 32);
  if (!src || !dst || !m.in_bounds(nevents_out, 4)) return err::fault;

  struct Event { uint64_t userdata; uint16_t error; uint8_t type; uint64_t nbytes; uint16_t flags; };
  struct ClockSub { uint64_t userdata; clockid_t clock; uint64_t deadline; };
  struct FdSub { uint64_t userdata; uint8_t type; int host; };
  std::vector<Event> events;
  std::vector<ClockSub> clocks;
  std::vector<FdSub> fdsubs;
  for (uint32_t i = 0; i < nsubs; ++i) {
    const uint8_t* s = src + 48 * i;
    uint64_t userdata;
    std::memcpy(&userdata, s, 8);
    uint8_t tag = s[8];
    if (tag == 0) {
      uint32_t id;
      uint64_t timeout;
      uint16_t flags;
      std::memcpy(&id, s + 16, 4);
      std::memcpy(&timeout, s + 24, 8);
      std::memcpy(&flags, s + 40, 2);
      clockid_t c;
      if (clock_of(id, c)) {
        events.push_back({userdata, err::inval, 0, 0, 0});
        continue;
      }
      if (id >= 2) {  // CPU-time clocks don't advance while we sleep: not supported here
        events.push_back({userdata, err::notsup, 0, 0, 0});
        continue;
      }
      uint64_t deadline = timeout;
      if (!(flags & 1)) {
        timespec now;
        ::clock_gettime(c, &now);
        deadline = to_ns(now) + timeout;
        if (deadline < timeout) deadline = UINT64_MAX;
      }
      clocks.push_back({userdata, c, deadline});
    } else if (tag == 1 || tag == 2) {
      uint32_t fd;
      std::memcpy(&fd, s + 16, 4);
      FdEntry* e = get(fd);
      if (!e) {
        events.push_back({userdata, err::badf, tag, 0, 0});
        continue;
      }
      fdsubs.push_back({userdata, tag, e->fd.get()});
    } else {
      return err::inval;
    }
  }

  // How long until the earliest clock fires (ns), or -1 for no clock.
  auto remaining = [&]() -> int64_t {
    int64_t best = -1;
    for (auto& c : clocks) {
      timespec now;
      ::clock_gettime(c.clock, &now);
      uint64_t n = to_ns(now);
      int64_t left = c.deadline > n ? int64_t(std::min<uint64_t>(c.deadline - n, INT64_MAX)) : 0;
      if (best < 0 || left < best) best = left;
    }
    return best;
  };

  if (events.empty()) {
    for (;;) {
      int64_t left = remaining();
      if (!fdsubs.empty()) {
        std::vector<pollfd> pf;
        for (auto& f : fdsubs) pf.push_back(pollfd{f.host, short(f.type == 1 ? POLLIN : POLLOUT), 0});
        timespec ts = from_ns(uint64_t(left < 0 ? 0 : left));
        int r = ::ppoll(pf.data(), pf.size(), left < 0 ? nullptr : &ts, nullptr);
        if (r < 0) {
          if (errno == EINTR) continue;
          return last_errno();
        }
        for (size_t i = 0; i < pf.size(); ++i) {
          if (!pf[i].revents) continue;
          Event ev{fdsubs[i].userdata, 0, fdsubs[i].type, 0, 0};
          if (pf[i].revents & POLLHUP) ev.flags = 1;
          if (pf[i].revents & (POLLERR | POLLNVAL)) ev.error = err::io;
          if (fdsubs[i].type == 1) {
            int avail = 0;
            struct stat st;
            if (::fstat(pf[i].fd, &st) == 0 && S_ISREG(st.st_mode)) {
              off_t pos = ::lseek(pf[i].fd, 0, SEEK_CUR);
              ev.nbytes = pos >= 0 && st.st_size > pos ? uint64_t(st.st_size - pos) : 0;
            } else if (::ioctl(pf[i].fd, FIONREAD, &avail) == 0 && avail > 0) {
              ev.nbytes = uint64_t(avail);
            }
          }
          events.push_back(ev);
        }
      } else if (left > 0) {
        timespec ts = from_ns(uint64_t(left));
        while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
      }
      for (auto& c : clocks) {
        timespec now;
        ::clock_gettime(c.clock, &now);
        if (to_ns(now) >= c.deadline) events.push_back({c.userdata, 0, 0, 0, 0});
      }
      if (!events.empty()) break;
      if (clocks.empty() && fdsubs.empty()) break;
    }
  }

  for (size_t i = 0; i < events.size(); ++i) {
    uint8_t* p = dst + 32 * i;
    std::memset(p, 0, 32);
    std::memcpy(p, &events[i].userdata, 8);
    std::memcpy(p + 8, &events[i].error, 2);
    p[10] = events[i].type;
    std::memcpy(p + 16, &events[i].nbytes, 8);
    std::memcpy(p + 24, &events[i].flags, 2);
  }
  (void)m.store<uint32_t>(nevents_out, uint32_t(events.size()));
  return err::success;
}

Errno Ctx::proc_raise(uint32_t) { return err::notsup; }

Errno Ctx::sched_yield() {
  ::sched_yield();
  return err::success;
}

// ---------------------------------------------------------------- the import table

namespace {
#define A32(i) uint32_t(a[i])
#define A64(i) uint64_t(a[i])
const FuncDesc kFuncs[] = {
    {"args_get", "ii", false, [](Ctx& c, GuestMem m, const uint64_t* a) { return c.args_get(m, A32(0), A32(1)); }},
    {"args_sizes_get", "ii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.args_sizes_get(m, A32(0), A32(1)); }},
    {"environ_get", "ii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.environ_get(m, A32(0), A32(1)); }},
    {"environ_sizes_get", "ii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.environ_sizes_get(m, A32(0), A32(1)); }},
    {"clock_res_get", "ii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.clock_res_get(m, A32(0), A32(1)); }},
    {"clock_time_get", "iIi", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.clock_time_get(m, A32(0), A64(1), A32(2)); }},
    {"random_get", "ii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.random_get(m, A32(0), A32(1)); }},
    {"fd_advise", "iIIi", false,
     [](Ctx& c, GuestMem, const uint64_t* a) { return c.fd_advise(A32(0), A64(1), A64(2), A32(3)); }},
    {"fd_allocate", "iII", false,
     [](Ctx& c, GuestMem, const uint64_t* a) { return c.fd_allocate(A32(0), A64(1), A64(2)); }},
    {"fd_close", "i", false, [](Ctx& c, GuestMem, const uint64_t* a) { return c.fd_close(A32(0)); }},
    {"fd_datasync", "i", false, [](Ctx& c, GuestMem, const uint64_t* a) { return c.fd_datasync(A32(0)); }},
    {"fd_fdstat_get", "ii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.fd_fdstat_get(m, A32(0), A32(1)); }},
    {"fd_fdstat_set_flags", "ii", false,
     [](Ctx& c, GuestMem, const uint64_t* a) { return c.fd_fdstat_set_flags(A32(0), A32(1)); }},
    {"fd_fdstat_set_rights", "iII", false,
     [](Ctx& c, GuestMem, const uint64_t* a) { return c.fd_fdstat_set_rights(A32(0), A64(1), A64(2)); }},
    {"fd_filestat_get", "ii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.fd_filestat_get(m, A32(0), A32(1)); }},
    {"fd_filestat_set_size", "iI", false,
     [](Ctx& c, GuestMem, const uint64_t* a) { return c.fd_filestat_set_size(A32(0), A64(1)); }},
    {"fd_filestat_set_times", "iIIi", false,
     [](Ctx& c, GuestMem, const uint64_t* a) { return c.fd_filestat_set_times(A32(0), A64(1), A64(2), A32(3)); }},
    {"fd_pread", "iiiIi", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.fd_pread(m, A32(0), A32(1), A32(2), A64(3), A32(4)); }},
    {"fd_prestat_get", "ii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.fd_prestat_get(m, A32(0), A32(1)); }},
    {"fd_prestat_dir_name", "iii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.fd_prestat_dir_name(m, A32(0), A32(1), A32(2)); }},
    {"fd_pwrite", "iiiIi", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.fd_pwrite(m, A32(0), A32(1), A32(2), A64(3), A32(4)); }},
    {"fd_read", "iiii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.fd_read(m, A32(0), A32(1), A32(2), A32(3)); }},
    {"fd_readdir", "iiiIi", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.fd_readdir(m, A32(0), A32(1), A32(2), A64(3), A32(4)); }},
    {"fd_renumber", "ii", false, [](Ctx& c, GuestMem, const uint64_t* a) { return c.fd_renumber(A32(0), A32(1)); }},
    {"fd_seek", "iIii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.fd_seek(m, A32(0), int64_t(A64(1)), A32(2), A32(3)); }},
    {"fd_sync", "i", false, [](Ctx& c, GuestMem, const uint64_t* a) { return c.fd_sync(A32(0)); }},
    {"fd_tell", "ii", false, [](Ctx& c, GuestMem m, const uint64_t* a) { return c.fd_tell(m, A32(0), A32(1)); }},
    {"fd_write", "iiii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.fd_write(m, A32(0), A32(1), A32(2), A32(3)); }},
    {"path_create_directory", "iii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.path_create_directory(m, A32(0), A32(1), A32(2)); }},
    {"path_filestat_get", "iiiii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) {
       return c.path_filestat_get(m, A32(0), A32(1), A32(2), A32(3), A32(4));
     }},
    {"path_filestat_set_times", "iiiiIIi", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) {
       return c.path_filestat_set_times(m, A32(0), A32(1), A32(2), A32(3), A64(4), A64(5), A32(6));
     }},
    {"path_link", "iiiiiii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) {
       return c.path_link(m, A32(0), A32(1), A32(2), A32(3), A32(4), A32(5), A32(6));
     }},
    {"path_open", "iiiiiIIii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) {
       return c.path_open(m, A32(0), A32(1), A32(2), A32(3), A32(4), A64(5), A64(6), A32(7), A32(8));
     }},
    {"path_readlink", "iiiiii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) {
       return c.path_readlink(m, A32(0), A32(1), A32(2), A32(3), A32(4), A32(5));
     }},
    {"path_remove_directory", "iii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.path_remove_directory(m, A32(0), A32(1), A32(2)); }},
    {"path_rename", "iiiiii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) {
       return c.path_rename(m, A32(0), A32(1), A32(2), A32(3), A32(4), A32(5));
     }},
    {"path_symlink", "iiiii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) {
       return c.path_symlink(m, A32(0), A32(1), A32(2), A32(3), A32(4));
     }},
    {"path_unlink_file", "iii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.path_unlink_file(m, A32(0), A32(1), A32(2)); }},
    {"poll_oneoff", "iiii", false,
     [](Ctx& c, GuestMem m, const uint64_t* a) { return c.poll_oneoff(m, A32(0), A32(1), A32(2), A32(3)); }},
    {"proc_exit", "i", true,
     [](Ctx& c, GuestMem, const uint64_t* a) {
       c.proc_exit(A32(0));
       return err::success;
     }},
    {"proc_raise", "i", false, [](Ctx& c, GuestMem, const uint64_t* a) { return c.proc_raise(A32(0)); }},
    {"sched_yield", "", false, [](Ctx& c, GuestMem, const uint64_t*) { return c.sched_yield(); }},
    {"sock_accept", "iii", false, [](Ctx&, GuestMem, const uint64_t*) { return err::notsup; }},
    {"sock_recv", "iiiiii", false, [](Ctx&, GuestMem, const uint64_t*) { return err::notsup; }},
    {"sock_send", "iiiii", false, [](Ctx&, GuestMem, const uint64_t*) { return err::notsup; }},
    {"sock_shutdown", "ii", false, [](Ctx&, GuestMem, const uint64_t*) { return err::notsup; }},
};
#undef A32
#undef A64
}  // namespace

std::span<const FuncDesc> functions() { return kFuncs; }

}  // namespace compono::wasi::p1
