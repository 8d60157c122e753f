// src/wasi/preview1_os.cpp - errno mapping, HostFd, confined path resolution.
#include "wasi/preview1_os.h"

#include <cerrno>
#include <deque>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace compono::wasi::p1 {

HostFd& HostFd::operator=(HostFd&& o) noexcept {
  if (this != &o) reset(o.release());
  return *this;
}
HostFd::~HostFd() { reset(); }
void HostFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Errno from_host_errno(int e) {
  switch (e) {
    case 0: return err::success;
    case E2BIG: return err::toobig;
    case EACCES: return err::acces;
    case EAGAIN: return err::again;
    case EBADF: return err::badf;
    case EBUSY: return err::busy;
    case EEXIST: return err::exist;
    case EFAULT: return err::fault;
    case EFBIG: return err::fbig;
    case EILSEQ: return err::ilseq;
    case EINTR: return err::intr;
    case EINVAL: return err::inval;
    case EIO: return err::io;
    case EISDIR: return err::isdir;
    case ELOOP: return err::loop;
    case EMFILE: return err::mfile;
    case EMLINK: return err::mlink;
    case ENAMETOOLONG: return err::nametoolong;
    case ENFILE: return err::nfile;
    case ENODEV: return err::nodev;
    case ENOENT: return err::noent;
    case ENOMEM: return err::nomem;
    case ENOSPC: return err::nospc;
    case ENOSYS: return err::nosys;
    case ENOTDIR: return err::notdir;
    case ENOTEMPTY: return err::notempty;
    case EOPNOTSUPP: return err::notsup;
    case ENOTTY: return err::notty;
    case ENXIO: return err::nxio;
    case EOVERFLOW: return err::overflow;
    case EPERM: return err::perm;
    case EPIPE: return err::pipe;
    case ERANGE: return err::range;
    case EROFS: return err::rofs;
    case ESPIPE: return err::spipe;
    case ESRCH: return err::srch;
    case ETIMEDOUT: return err::timedout;
    case ETXTBSY: return err::txtbsy;
    case EXDEV: return err::xdev;
    default: return err::io;
  }
}

const char* errno_name(Errno e) {
  static const char* const names[] = {
      "success", "2big", "acces", "addrinuse", "addrnotavail", "afnosupport", "again",
      "already", "badf", "badmsg", "busy", "canceled", "child", "connaborted", "connrefused",
      "connreset", "deadlk", "destaddrreq", "dom", "dquot", "exist", "fault", "fbig",
      "hostunreach", "idrm", "ilseq", "inprogress", "intr", "inval", "io", "isconn", "isdir",
      "loop", "mfile", "mlink", "msgsize", "multihop", "nametoolong", "netdown", "netreset",
      "netunreach", "nfile", "nobufs", "nodev", "noent", "noexec", "nolck", "nolink", "nomem",
      "nomsg", "noprotoopt", "nospc", "nosys", "notconn", "notdir", "notempty",
      "notrecoverable", "notsock", "notsup", "notty", "nxio", "overflow", "ownerdead", "perm",
      "pipe", "proto", "protonosupport", "prototype", "range", "rofs", "spipe", "srch", "stale",
      "timedout", "txtbsy", "xdev", "notcapable"};
  return e < sizeof(names) / sizeof(names[0]) ? names[e] : "unknown";
}

uint8_t filetype_from_mode(uint32_t m) {
  switch (m & S_IFMT) {
    case S_IFREG: return filetype::regular_file;
    case S_IFDIR: return filetype::directory;
    case S_IFLNK: return filetype::symbolic_link;
    case S_IFCHR: return filetype::character_device;
    case S_IFBLK: return filetype::block_device;
    case S_IFSOCK: return filetype::socket_stream;
    default: return filetype::unknown;
  }
}

namespace {

// Split a relative path into components, dropping empty ones ("a//b").
void split_into(std::string_view path, std::deque<std::string>& out, bool at_front) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (at_front) {
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) out.push_front(std::move(*it));
  } else {
    for (auto& p : parts) out.push_back(std::move(p));
  }
}

// readlinkat into a string; returns false (errno set) if `name` is not a symlink.
bool read_link(int dirfd, const std::string& name, std::string& target) {
  std::vector<char> buf(256);
  for (;;) {
    ssize_t n = ::readlinkat(dirfd, name.c_str(), buf.data(), buf.size());
    if (n < 0) return false;
    if (size_t(n) < buf.size()) {
      target.assign(buf.data(), size_t(n));
      return true;
    }
    if (buf.size() >= 65536) {
      errno = ENAMETOOLONG;
      return false;
    }
    buf.resize(buf.size() * 2);
  }
}

}  // namespace

Errno resolve(int base_dirfd, std::string_view path, bool follow_final, Resolved& out) {
  out = Resolved{};
  if (path.empty()) return err::noent;
  if (path.find('\0') != std::string_view::npos) return err::ilseq;
  if (path.front() == '/') return err::notcapable;

  std::deque<std::string> comps;
  split_into(path, comps, false);
  bool trailing = path.back() == '/';
  // Directories opened beneath the base; the current directory is the top.
  std::vector<HostFd> stack;
  auto cur = [&] { return stack.empty() ? base_dirfd : stack.back().get(); };
  int expansions = 0;
  std::string final_name = ".";

  while (!comps.empty()) {
    std::string c = std::move(comps.front());
    comps.pop_front();
    bool last = comps.empty();
    if (c == ".") continue;
    if (c == "..") {
      if (stack.empty()) return err::notcapable;
      stack.pop_back();
      continue;
    }
    if (c.size() > 255) return err::nametoolong;
    bool follow = !last || follow_final || trailing;
    if (last && !follow) {
      final_name = std::move(c);
      break;
    }
    std::string target;
    int e = 0;
    if (!last) {
      // Usually a plain directory: one openat.  O_NOFOLLOW makes a symlink
      // fail (ENOTDIR/ELOOP); only then do we read it and expand it.
      int fd = ::openat(cur(), c.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0) {
        stack.emplace_back(fd);
        continue;
      }
      e = errno;
      if (e != ENOTDIR && e != ELOOP) return from_host_errno(e);
      if (!read_link(cur(), c, target)) return err::notdir;  // a file used as a directory
    } else if (!read_link(cur(), c, target)) {
      e = errno;
      // EINVAL: it exists and isn't a symlink; ENOENT: a name to be created.
      if (e != EINVAL && e != ENOENT) return from_host_errno(e);
      final_name = std::move(c);
      break;
    }
    if (++expansions > kMaxSymlinkExpansions) return err::loop;
    if (target.empty()) return err::noent;
    if (target.front() == '/') return err::notcapable;
    if (last && target.back() == '/') trailing = true;  // only a final link's slash counts
    split_into(target, comps, true);
  }

  out.trailing_slash = trailing;
  out.name = std::move(final_name);
  if (stack.empty()) {
    out.dirfd = base_dirfd;
  } else {
    out.owned = std::move(stack.back());
    out.dirfd = out.owned.get();
  }
  return err::success;
}

}  // namespace compono::wasi::p1
