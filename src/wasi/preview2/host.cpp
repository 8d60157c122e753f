// WASI 0.2 host: wasi:cli, wasi:io, wasi:clocks, wasi:random, wasi:filesystem
// as host functions and host resources of the component runtime.
// Paths are confined with preview 1's resolve() (src/wasi/preview1_os.h).
#include "compono/wasi2.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <unordered_map>

#include "wasi/preview1_os.h"

namespace compono::wasi2 {
namespace {

using component::HostCall;
using component::HostResult;
using component::Resource;
using component::ResourceType;
using component::Trap;
using component::Val;
namespace p1 = compono::wasi::p1;

constexpr const char* kVer = "@0.2.12";
constexpr uint64_t kMaxChunk = 1 << 20;

enum class OK : uint8_t { InStream, OutStream, Pollable, Error, Descriptor, DirStream, TermIn, TermOut };

// descriptor-flags bits
constexpr uint32_t kRead = 1, kWrite = 2, kMutate = 32;

struct Obj {
  explicit Obj(OK k) : kind(k) {}
  OK kind;
  // streams / descriptors
  std::shared_ptr<p1::HostFd> file;  // a file (streams on descriptors, descriptors)
  int fd = -1;                       // stdio fd (not owned)
  uint64_t offset = 0;
  bool append = false;
  bool closed = false;
  // descriptor
  uint32_t flags = 0;
  // pollable: 0 always ready, 1 deadline, 2 fd readable
  int poll_kind = 0;
  uint64_t deadline = 0;
  // error
  std::string msg;
  std::optional<std::string> code;
  // directory-entry-stream
  std::vector<std::pair<std::string, std::string>> entries;  // name, type
  size_t pos = 0;
};

uint64_t mono_now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

const char* code_name(p1::Errno e) {
  namespace E = p1::err;
  switch (e) {
    case E::acces: return "access";
    case E::again: return "would-block";
    case E::badf: return "bad-descriptor";
    case E::busy: return "busy";
    case E::exist: return "exist";
    case E::fbig: return "file-too-large";
    case E::ilseq: return "illegal-byte-sequence";
    case E::intr: return "interrupted";
    case E::inval: return "invalid";
    case E::isdir: return "is-directory";
    case E::loop: return "loop";
    case E::mlink: return "too-many-links";
    case E::nametoolong: return "name-too-long";
    case E::nodev: return "no-device";
    case E::noent: return "no-entry";
    case E::nomem: return "insufficient-memory";
    case E::nospc: return "insufficient-space";
    case E::notdir: return "not-directory";
    case E::notempty: return "not-empty";
    case E::notsup: case E::nosys: return "unsupported";
    case E::notty: return "no-tty";
    case E::nxio: return "no-such-device";
    case E::overflow: return "overflow";
    case E::perm: case E::notcapable: return "not-permitted";
    case E::pipe: return "pipe";
    case E::rofs: return "read-only";
    case E::spipe: return "invalid-seek";
    case E::txtbsy: return "text-file-busy";
    case E::xdev: return "cross-device";
    default: return "io";
  }
}
const char* host_code(int host_errno) { return code_name(p1::from_host_errno(host_errno)); }

const char* type_name(mode_t m) {
  if (S_ISREG(m)) return "regular-file";
  if (S_ISDIR(m)) return "directory";
  if (S_ISLNK(m)) return "symbolic-link";
  if (S_ISCHR(m)) return "character-device";
  if (S_ISBLK(m)) return "block-device";
  if (S_ISFIFO(m)) return "fifo";
  if (S_ISSOCK(m)) return "socket";
  return "unknown";
}

Val datetime(int64_t sec, int64_t nsec) {
  return Val::record({{"seconds", Val::u64(uint64_t(sec))}, {"nanoseconds", Val::u32(uint32_t(nsec))}});
}

Val stat_val(const struct stat& st) {
  return Val::record({{"type", Val::enum_(type_name(st.st_mode))},
                      {"link-count", Val::u64(st.st_nlink)},
                      {"size", Val::u64(uint64_t(st.st_size))},
                      {"data-access-timestamp", Val::some(datetime(st.st_atim.tv_sec, st.st_atim.tv_nsec))},
                      {"data-modification-timestamp", Val::some(datetime(st.st_mtim.tv_sec, st.st_mtim.tv_nsec))},
                      {"status-change-timestamp", Val::some(datetime(st.st_ctim.tv_sec, st.st_ctim.tv_nsec))}});
}

Val hash_val(const struct stat& st) {
  uint64_t a = uint64_t(st.st_dev) * 0x9E3779B97F4A7C15ull ^ uint64_t(st.st_ino);
  uint64_t b = uint64_t(st.st_ino) * 0xC2B2AE3D27D4EB4Full ^ uint64_t(st.st_dev);
  return Val::record({{"lower", Val::u64(a)}, {"upper", Val::u64(b)}});
}

Val ec_err(const char* code) { return Val::err(Val::enum_(code)); }

bool has_flag(const Val& v, const char* label) {
  for (const auto& n : v.flag_names())
    if (n == label) return true;
  return false;
}

struct State : std::enable_shared_from_this<State> {
  Config cfg;
  ResourceType t_in, t_out, t_poll, t_err, t_desc, t_dir, t_tin, t_tout;
  std::unordered_map<uint32_t, Obj> objs;
  uint32_t next = 1;
  std::vector<std::pair<std::shared_ptr<p1::HostFd>, std::string>> preopens;
  uint64_t insecure_state = 0;
  uint64_t seed[2] = {0, 0};

  uint32_t add(Obj o) {
    uint32_t r = next++;
    if (next == 0) next = 1;
    objs.emplace(r, std::move(o));
    return r;
  }
  Obj* get(const Val& v, OK k) {
    auto it = objs.find(v.resource().rep());
    if (it == objs.end() || it->second.kind != k) return nullptr;
    return &it->second;
  }
  const ResourceType& type_of(OK k) const {
    switch (k) {
      case OK::InStream: return t_in;
      case OK::OutStream: return t_out;
      case OK::Pollable: return t_poll;
      case OK::Error: return t_err;
      case OK::Descriptor: return t_desc;
      case OK::DirStream: return t_dir;
      case OK::TermIn: return t_tin;
      case OK::TermOut: return t_tout;
    }
    return t_err;
  }
  Val own(Obj o) {
    OK k = o.kind;
    uint32_t r = add(std::move(o));
    return Val::own(Resource(type_of(k), r));
  }
  Val stream_failed(std::string msg, std::optional<std::string> code = std::nullopt) {
    Obj e{OK::Error};
    e.msg = std::move(msg);
    e.code = std::move(code);
    return Val::err(Val::variant("last-operation-failed", own(std::move(e))));
  }
  static Val stream_closed() { return Val::err(Val::variant("closed")); }
};

Trap bad_handle(const char* what) { return Trap(std::string("unknown handle: ") + what); }

// Resolve `path` under descriptor `d` (confined).  Returns errno-like p1 code.
p1::Errno resolve(const Obj& d, const std::string& path, bool follow, p1::Resolved& r) {
  if (!d.file || !d.file->valid()) return p1::err::badf;
  return p1::resolve(d.file->get(), path, follow, r);
}

class Defs {
 public:
  Defs(component::Linker& l, std::shared_ptr<State> s) : l_(l), s_(std::move(s)) {}
  using Fn = std::function<HostResult(State&, std::span<const Val>, std::span<Val>)>;
  void def(const char* iface, const char* name, Fn fn) {
    if (!err_.empty()) return;
    auto st = s_;
    auto r = l_.define_func(std::string(iface) + kVer, name,
                            [st, fn = std::move(fn)](HostCall&, std::span<const Val> a, std::span<Val> res) {
                              return fn(*st, a, res);
                            });
    if (!r) err_ = r.error().to_string();
  }
  void res(const char* iface, const char* name, const ResourceType& t) {
    if (!err_.empty()) return;
    auto r = l_.define_resource(std::string(iface) + kVer, name, t);
    if (!r) err_ = r.error().to_string();
  }
  std::string err_;

 private:
  component::Linker& l_;
  std::shared_ptr<State> s_;
};

// ---- stream I/O helpers
// Read up to n bytes; returns -1 with errno on failure, 0 at end.
ssize_t in_read(Obj& o, uint8_t* buf, size_t n) {
  if (o.file) {
    ssize_t k = pread(o.file->get(), buf, n, off_t(o.offset));
    if (k > 0) o.offset += uint64_t(k);
    return k;
  }
  for (;;) {
    ssize_t k = read(o.fd, buf, n);
    if (k < 0 && errno == EINTR) continue;
    return k;
  }
}

bool out_write(Obj& o, const uint8_t* p, size_t n, int& e) {
  while (n > 0) {
    ssize_t k;
    if (o.file) {
      if (o.append) {
        struct stat st;
        if (fstat(o.file->get(), &st) != 0) { e = errno; return false; }
        o.offset = uint64_t(st.st_size);
      }
      k = pwrite(o.file->get(), p, n, off_t(o.offset));
      if (k > 0) o.offset += uint64_t(k);
    } else {
      k = write(o.fd, p, n);
    }
    if (k < 0) {
      if (errno == EINTR) continue;
      e = errno;
      return false;
    }
    p += k;
    n -= size_t(k);
  }
  return true;
}

bool poll_ready(const Obj& p, int timeout_ms) {
  if (p.poll_kind == 1) return mono_now() >= p.deadline;
  if (p.poll_kind == 2) {
    pollfd pf{p.fd, POLLIN, 0};
    int r = ::poll(&pf, 1, timeout_ms);
    return r != 0;  // readable, hung up, or an error: reading won't block
  }
  return true;
}

void block_on(std::vector<const Obj*> ps) {
  for (;;) {
    uint64_t now = mono_now();
    uint64_t wait_ns = UINT64_MAX;
    std::vector<pollfd> fds;
    for (const Obj* p : ps) {
      if (p->poll_kind == 0) return;
      if (p->poll_kind == 1) {
        if (now >= p->deadline) return;
        wait_ns = std::min(wait_ns, p->deadline - now);
      } else {
        fds.push_back({p->fd, POLLIN, 0});
      }
    }
    int ms = wait_ns == UINT64_MAX ? -1 : int(std::min<uint64_t>((wait_ns + 999999) / 1000000, 1u << 30));
    if (fds.empty()) {
      if (ms < 0) return;
      timespec ts{time_t(wait_ns / 1000000000ull), long(wait_ns % 1000000000ull)};
      nanosleep(&ts, nullptr);
      continue;
    }
    int r = ::poll(fds.data(), fds.size(), ms);
    if (r > 0) return;
  }
}

int open_flags_for(uint32_t dflags, bool create, bool dir, bool excl, bool trunc) {
  int f = O_CLOEXEC | O_NOFOLLOW;
  if ((dflags & kRead) && (dflags & kWrite)) f |= O_RDWR;
  else if (dflags & kWrite) f |= O_WRONLY;
  else f |= O_RDONLY;
  if (create) f |= O_CREAT;
  if (dir) f |= O_DIRECTORY;
  if (excl) f |= O_EXCL;
  if (trunc) f |= O_TRUNC;
  return f;
}

timespec new_ts(const Val& v) {
  timespec t{0, UTIME_OMIT};
  if (v.case_name() == "now") t.tv_nsec = UTIME_NOW;
  else if (v.case_name() == "timestamp" && v.payload()) {
    t.tv_sec = time_t(v.payload()->fields()[0].as_u64());
    t.tv_nsec = long(v.payload()->fields()[1].as_u32());
  }
  return t;
}

void define_all(Defs& d) {
  // ---------------- wasi:cli
  d.def("wasi:cli/environment", "get-environment", [](State& s, auto, auto res) -> HostResult {
    std::vector<Val> v;
    for (auto& [k, val] : s.cfg.env) v.push_back(Val::tuple({Val::string(k), Val::string(val)}));
    res[0] = Val::list(std::move(v));
    return {};
  });
  d.def("wasi:cli/environment", "get-arguments", [](State& s, auto, auto res) -> HostResult {
    std::vector<Val> v;
    for (auto& a : s.cfg.args) v.push_back(Val::string(a));
    res[0] = Val::list(std::move(v));
    return {};
  });
  d.def("wasi:cli/environment", "initial-cwd", [](State& s, auto, auto res) -> HostResult {
    res[0] = s.cfg.initial_cwd ? Val::some(Val::string(*s.cfg.initial_cwd)) : Val::none();
    return {};
  });
  d.def("wasi:cli/exit", "exit", [](State&, auto a, auto) -> HostResult {
    return Trap::exit(a[0].is_ok() ? 0 : 1);
  });
  d.def("wasi:cli/exit", "exit-with-code", [](State&, auto a, auto) -> HostResult {
    return Trap::exit(int32_t(a[0].as_u32() & 0xff));
  });
  d.def("wasi:cli/stdin", "get-stdin", [](State& s, auto, auto res) -> HostResult {
    Obj o{OK::InStream};
    o.fd = s.cfg.stdin_fd;
    res[0] = s.own(std::move(o));
    return {};
  });
  d.def("wasi:cli/stdout", "get-stdout", [](State& s, auto, auto res) -> HostResult {
    Obj o{OK::OutStream};
    o.fd = s.cfg.stdout_fd;
    res[0] = s.own(std::move(o));
    return {};
  });
  d.def("wasi:cli/stderr", "get-stderr", [](State& s, auto, auto res) -> HostResult {
    Obj o{OK::OutStream};
    o.fd = s.cfg.stderr_fd;
    res[0] = s.own(std::move(o));
    return {};
  });
  d.def("wasi:cli/terminal-stdin", "get-terminal-stdin", [](State& s, auto, auto res) -> HostResult {
    res[0] = isatty(s.cfg.stdin_fd) ? Val::some(s.own(Obj{OK::TermIn})) : Val::none();
    return {};
  });
  d.def("wasi:cli/terminal-stdout", "get-terminal-stdout", [](State& s, auto, auto res) -> HostResult {
    res[0] = isatty(s.cfg.stdout_fd) ? Val::some(s.own(Obj{OK::TermOut})) : Val::none();
    return {};
  });
  d.def("wasi:cli/terminal-stderr", "get-terminal-stderr", [](State& s, auto, auto res) -> HostResult {
    res[0] = isatty(s.cfg.stderr_fd) ? Val::some(s.own(Obj{OK::TermOut})) : Val::none();
    return {};
  });

  // ---------------- wasi:io/error, poll
  d.def("wasi:io/error", "[method]error.to-debug-string", [](State& s, auto a, auto res) -> HostResult {
    Obj* e = s.get(a[0], OK::Error);
    if (!e) return bad_handle("error");
    res[0] = Val::string(e->msg);
    return {};
  });
  d.def("wasi:io/poll", "[method]pollable.ready", [](State& s, auto a, auto res) -> HostResult {
    Obj* p = s.get(a[0], OK::Pollable);
    if (!p) return bad_handle("pollable");
    res[0] = Val::bool_(poll_ready(*p, 0));
    return {};
  });
  d.def("wasi:io/poll", "[method]pollable.block", [](State& s, auto a, auto) -> HostResult {
    Obj* p = s.get(a[0], OK::Pollable);
    if (!p) return bad_handle("pollable");
    block_on({p});
    return {};
  });
  d.def("wasi:io/poll", "poll", [](State& s, auto a, auto res) -> HostResult {
    const auto& in = a[0].elems();
    if (in.empty()) return Trap("poll: empty list of pollables");
    std::vector<const Obj*> ps;
    for (const auto& v : in) {
      Obj* p = s.get(v, OK::Pollable);
      if (!p) return bad_handle("pollable");
      ps.push_back(p);
    }
    for (;;) {
      std::vector<Val> ready;
      for (size_t i = 0; i < ps.size(); ++i)
        if (poll_ready(*ps[i], 0)) ready.push_back(Val::u32(uint32_t(i)));
      if (!ready.empty()) {
        res[0] = Val::list(std::move(ready));
        return {};
      }
      block_on(ps);
    }
  });

  // ---------------- wasi:io/streams
  auto read_impl = [](bool blocking) {
    return [blocking](State& s, std::span<const Val> a, std::span<Val> res) -> HostResult {
      Obj* o = s.get(a[0], OK::InStream);
      if (!o) return bad_handle("input-stream");
      if (o->closed) { res[0] = State::stream_closed(); return {}; }
      uint64_t n = std::min<uint64_t>(a[1].as_u64(), kMaxChunk);
      if (n == 0) { res[0] = Val::ok(Val::bytes({})); return {}; }
      if (!blocking && !o->file) {
        Obj p{OK::Pollable};
        p.poll_kind = 2;
        p.fd = o->fd;
        if (!poll_ready(p, 0)) { res[0] = Val::ok(Val::bytes({})); return {}; }
      }
      std::vector<uint8_t> buf(n);
      ssize_t k = in_read(*o, buf.data(), buf.size());
      if (k < 0) { res[0] = s.stream_failed(std::strerror(errno), host_code(errno)); return {}; }
      if (k == 0) { o->closed = true; res[0] = State::stream_closed(); return {}; }
      res[0] = Val::ok(Val::bytes(std::span<const uint8_t>(buf.data(), size_t(k))));
      return {};
    };
  };
  d.def("wasi:io/streams", "[method]input-stream.read", read_impl(false));
  d.def("wasi:io/streams", "[method]input-stream.blocking-read", read_impl(true));
  auto skip_impl = [](State& s, std::span<const Val> a, std::span<Val> res) -> HostResult {
    Obj* o = s.get(a[0], OK::InStream);
    if (!o) return bad_handle("input-stream");
    if (o->closed) { res[0] = State::stream_closed(); return {}; }
    uint64_t n = std::min<uint64_t>(a[1].as_u64(), kMaxChunk);
    if (n == 0) { res[0] = Val::ok(Val::u64(0)); return {}; }
    std::vector<uint8_t> buf(n);
    ssize_t k = in_read(*o, buf.data(), buf.size());
    if (k < 0) { res[0] = s.stream_failed(std::strerror(errno), host_code(errno)); return {}; }
    if (k == 0) { o->closed = true; res[0] = State::stream_closed(); return {}; }
    res[0] = Val::ok(Val::u64(uint64_t(k)));
    return {};
  };
  d.def("wasi:io/streams", "[method]input-stream.skip", skip_impl);
  d.def("wasi:io/streams", "[method]input-stream.blocking-skip", skip_impl);
  d.def("wasi:io/streams", "[method]input-stream.subscribe", [](State& s, auto a, auto res) -> HostResult {
    Obj* o = s.get(a[0], OK::InStream);
    if (!o) return bad_handle("input-stream");
    Obj p{OK::Pollable};
    if (!o->file) { p.poll_kind = 2; p.fd = o->fd; }
    res[0] = s.own(std::move(p));
    return {};
  });
  auto out_subscribe = [](State& s, std::span<const Val> a, std::span<Val> res) -> HostResult {
    if (!s.get(a[0], OK::OutStream)) return bad_handle("output-stream");
    res[0] = s.own(Obj{OK::Pollable});
    return {};
  };
  d.def("wasi:io/streams", "[method]output-stream.subscribe", out_subscribe);
  d.def("wasi:io/streams", "[method]output-stream.check-write", [](State& s, auto a, auto res) -> HostResult {
    Obj* o = s.get(a[0], OK::OutStream);
    if (!o) return bad_handle("output-stream");
    res[0] = o->closed ? State::stream_closed() : Val::ok(Val::u64(kMaxChunk));
    return {};
  });
  auto write_impl = [](State& s, std::span<const Val> a, std::span<Val> res) -> HostResult {
    Obj* o = s.get(a[0], OK::OutStream);
    if (!o) return bad_handle("output-stream");
    if (o->closed) { res[0] = State::stream_closed(); return {}; }
    int e = 0;
    std::vector<uint8_t> tmp;
    std::span<const uint8_t> b;
    if (a[1].is_bytes()) b = a[1].as_bytes();
    else {
      for (const auto& x : a[1].elems()) tmp.push_back(uint8_t(x.as_u32()));
      b = tmp;
    }
    if (!out_write(*o, b.data(), b.size(), e)) {
      if (e == EPIPE) { o->closed = true; res[0] = State::stream_closed(); }
      else res[0] = s.stream_failed(std::strerror(e), host_code(e));
      return {};
    }
    res[0] = Val::ok();
    return {};
  };
  d.def("wasi:io/streams", "[method]output-stream.write", write_impl);
  d.def("wasi:io/streams", "[method]output-stream.blocking-write-and-flush", write_impl);
  auto flush_impl = [](State& s, std::span<const Val> a, std::span<Val> res) -> HostResult {
    Obj* o = s.get(a[0], OK::OutStream);
    if (!o) return bad_handle("output-stream");
    res[0] = o->closed ? State::stream_closed() : Val::ok();
    return {};
  };
  d.def("wasi:io/streams", "[method]output-stream.flush", flush_impl);
  d.def("wasi:io/streams", "[method]output-stream.blocking-flush", flush_impl);
  auto zeroes_impl = [](State& s, std::span<const Val> a, std::span<Val> res) -> HostResult {
    Obj* o = s.get(a[0], OK::OutStream);
    if (!o) return bad_handle("output-stream");
    if (o->closed) { res[0] = State::stream_closed(); return {}; }
    uint64_t n = std::min<uint64_t>(a[1].as_u64(), kMaxChunk);
    std::vector<uint8_t> z(n, 0);
    int e = 0;
    if (!out_write(*o, z.data(), z.size(), e)) { res[0] = s.stream_failed(std::strerror(e), host_code(e)); return {}; }
    res[0] = Val::ok();
    return {};
  };
  d.def("wasi:io/streams", "[method]output-stream.write-zeroes", zeroes_impl);
  d.def("wasi:io/streams", "[method]output-stream.blocking-write-zeroes-and-flush", zeroes_impl);
  auto splice_impl = [](State& s, std::span<const Val> a, std::span<Val> res) -> HostResult {
    Obj* o = s.get(a[0], OK::OutStream);
    Obj* i = s.get(a[1], OK::InStream);
    if (!o || !i) return bad_handle("stream");
    if (o->closed || i->closed) { res[0] = State::stream_closed(); return {}; }
    uint64_t n = std::min<uint64_t>(a[2].as_u64(), kMaxChunk);
    if (n == 0) { res[0] = Val::ok(Val::u64(0)); return {}; }
    std::vector<uint8_t> buf(n);
    ssize_t k = in_read(*i, buf.data(), buf.size());
    if (k < 0) { res[0] = s.stream_failed(std::strerror(errno), host_code(errno)); return {}; }
    if (k == 0) { i->closed = true; res[0] = State::stream_closed(); return {}; }
    int e = 0;
    if (!out_write(*o, buf.data(), size_t(k), e)) { res[0] = s.stream_failed(std::strerror(e), host_code(e)); return {}; }
    res[0] = Val::ok(Val::u64(uint64_t(k)));
    return {};
  };
  d.def("wasi:io/streams", "[method]output-stream.splice", splice_impl);
  d.def("wasi:io/streams", "[method]output-stream.blocking-splice", splice_impl);

  // ---------------- wasi:clocks
  d.def("wasi:clocks/wall-clock", "now", [](State&, auto, auto res) -> HostResult {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    res[0] = datetime(ts.tv_sec, ts.tv_nsec);
    return {};
  });
  d.def("wasi:clocks/wall-clock", "resolution", [](State&, auto, auto res) -> HostResult {
    timespec ts;
    clock_getres(CLOCK_REALTIME, &ts);
    res[0] = datetime(ts.tv_sec, ts.tv_nsec);
    return {};
  });
  d.def("wasi:clocks/monotonic-clock", "now", [](State&, auto, auto res) -> HostResult {
    res[0] = Val::u64(mono_now());
    return {};
  });
  d.def("wasi:clocks/monotonic-clock", "resolution", [](State&, auto, auto res) -> HostResult {
    timespec ts;
    clock_getres(CLOCK_MONOTONIC, &ts);
    res[0] = Val::u64(uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec));
    return {};
  });
  d.def("wasi:clocks/monotonic-clock", "subscribe-instant", [](State& s, auto a, auto res) -> HostResult {
    Obj p{OK::Pollable};
    p.poll_kind = 1;
    p.deadline = a[0].as_u64();
    res[0] = s.own(std::move(p));
    return {};
  });
  d.def("wasi:clocks/monotonic-clock", "subscribe-duration", [](State& s, auto a, auto res) -> HostResult {
    Obj p{OK::Pollable};
    p.poll_kind = 1;
    uint64_t now = mono_now(), dur = a[0].as_u64();
    p.deadline = dur > UINT64_MAX - now ? UINT64_MAX : now + dur;
    res[0] = s.own(std::move(p));
    return {};
  });

  // ---------------- wasi:random
  auto secure_bytes = [](uint8_t* p, size_t n) {
    while (n > 0) {
      ssize_t k = getrandom(p, n, 0);
      if (k < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      p += k;
      n -= size_t(k);
    }
    return true;
  };
  d.def("wasi:random/random", "get-random-bytes", [secure_bytes](State&, auto a, auto res) -> HostResult {
    uint64_t n = a[0].as_u64();
    if (n > (64u << 20)) return Trap("get-random-bytes: length too large");
    std::vector<uint8_t> b(n);
    if (!secure_bytes(b.data(), b.size())) return Trap("get-random-bytes: getrandom failed");
    res[0] = Val::bytes(b);
    return {};
  });
  d.def("wasi:random/random", "get-random-u64", [secure_bytes](State&, auto, auto res) -> HostResult {
    uint64_t v = 0;
    if (!secure_bytes(reinterpret_cast<uint8_t*>(&v), sizeof v)) return Trap("getrandom failed");
    res[0] = Val::u64(v);
    return {};
  });
  auto next_insecure = [](State& s) {  // splitmix64
    uint64_t z = (s.insecure_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  d.def("wasi:random/insecure", "get-insecure-random-bytes", [next_insecure](State& s, auto a, auto res) -> HostResult {
    uint64_t n = a[0].as_u64();
    if (n > (64u << 20)) return Trap("get-insecure-random-bytes: length too large");
    std::vector<uint8_t> b(n);
    for (size_t i = 0; i < n; i += 8) {
      uint64_t v = next_insecure(s);
      std::memcpy(b.data() + i, &v, std::min<size_t>(8, n - i));
    }
    res[0] = Val::bytes(b);
    return {};
  });
  d.def("wasi:random/insecure", "get-insecure-random-u64", [next_insecure](State& s, auto, auto res) -> HostResult {
    res[0] = Val::u64(next_insecure(s));
    return {};
  });
  d.def("wasi:random/insecure-seed", "insecure-seed", [](State& s, auto, auto res) -> HostResult {
    res[0] = Val::tuple({Val::u64(s.seed[0]), Val::u64(s.seed[1])});
    return {};
  });

  // ---------------- wasi:filesystem
  d.def("wasi:filesystem/preopens", "get-directories", [](State& s, auto, auto res) -> HostResult {
    std::vector<Val> v;
    for (auto& [fd, name] : s.preopens) {
      Obj o{OK::Descriptor};
      o.file = fd;
      o.flags = kRead | kMutate;
      v.push_back(Val::tuple({s.own(std::move(o)), Val::string(name)}));
    }
    res[0] = Val::list(std::move(v));
    return {};
  });
  const char* fst = "wasi:filesystem/types";
#define DESC(var, idx)                                          \
  Obj* var = s.get(a[idx], OK::Descriptor);                     \
  if (!var) return bad_handle("descriptor");
#define HOST_ERR() do { res[0] = ec_err(host_code(errno)); return {}; } while (0)
#define P1_ERR(e) do { res[0] = ec_err(code_name(e)); return {}; } while (0)
  d.def(fst, "filesystem-error-code", [](State& s, auto a, auto res) -> HostResult {
    Obj* e = s.get(a[0], OK::Error);
    if (!e) return bad_handle("error");
    res[0] = e->code ? Val::some(Val::enum_(*e->code)) : Val::none();
    return {};
  });
  auto via_stream = [](int mode) {  // 0 read, 1 write, 2 append
    return [mode](State& s, std::span<const Val> a, std::span<Val> res) -> HostResult {
      DESC(o, 0);
      uint32_t need = mode == 0 ? kRead : kWrite;
      if (!(o->flags & need)) { res[0] = ec_err("bad-descriptor"); return {}; }
      struct stat st;
      if (fstat(o->file->get(), &st) != 0) HOST_ERR();
      if (S_ISDIR(st.st_mode)) { res[0] = ec_err("is-directory"); return {}; }
      Obj so{mode == 0 ? OK::InStream : OK::OutStream};
      so.file = o->file;
      so.offset = mode == 2 ? 0 : a[1].as_u64();
      so.append = mode == 2;
      res[0] = Val::ok(s.own(std::move(so)));
      return {};
    };
  };
  d.def(fst, "[method]descriptor.read-via-stream", via_stream(0));
  d.def(fst, "[method]descriptor.write-via-stream", via_stream(1));
  d.def(fst, "[method]descriptor.append-via-stream", via_stream(2));
  d.def(fst, "[method]descriptor.advise", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    (void)o;
    res[0] = Val::ok();
    return {};
  });
  auto sync_impl = [](bool data) {
    return [data](State& s, std::span<const Val> a, std::span<Val> res) -> HostResult {
      DESC(o, 0);
      if ((data ? fdatasync(o->file->get()) : fsync(o->file->get())) != 0 && errno != EINVAL) HOST_ERR();
      res[0] = Val::ok();
      return {};
    };
  };
  d.def(fst, "[method]descriptor.sync-data", sync_impl(true));
  d.def(fst, "[method]descriptor.sync", sync_impl(false));
  d.def(fst, "[method]descriptor.get-flags", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    std::vector<std::string> f;
    if (o->flags & kRead) f.push_back("read");
    if (o->flags & kWrite) f.push_back("write");
    if (o->flags & kMutate) f.push_back("mutate-directory");
    res[0] = Val::ok(Val::flags(std::move(f)));
    return {};
  });
  d.def(fst, "[method]descriptor.get-type", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    struct stat st;
    if (fstat(o->file->get(), &st) != 0) HOST_ERR();
    res[0] = Val::ok(Val::enum_(type_name(st.st_mode)));
    return {};
  });
  d.def(fst, "[method]descriptor.set-size", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    if (!(o->flags & kWrite)) { res[0] = ec_err("bad-descriptor"); return {}; }
    if (ftruncate(o->file->get(), off_t(a[1].as_u64())) != 0) HOST_ERR();
    res[0] = Val::ok();
    return {};
  });
  d.def(fst, "[method]descriptor.set-times", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    timespec ts[2] = {new_ts(a[1]), new_ts(a[2])};
    if (futimens(o->file->get(), ts) != 0) HOST_ERR();
    res[0] = Val::ok();
    return {};
  });
  d.def(fst, "[method]descriptor.read", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    if (!(o->flags & kRead)) { res[0] = ec_err("bad-descriptor"); return {}; }
    uint64_t n = std::min<uint64_t>(a[1].as_u64(), kMaxChunk);
    std::vector<uint8_t> buf(n);
    ssize_t k = n ? pread(o->file->get(), buf.data(), n, off_t(a[2].as_u64())) : 0;
    if (k < 0) HOST_ERR();
    bool eof = n > 0 && k == 0;
    res[0] = Val::ok(Val::tuple({Val::bytes(std::span<const uint8_t>(buf.data(), size_t(k))), Val::bool_(eof)}));
    return {};
  });
  d.def(fst, "[method]descriptor.write", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    if (!(o->flags & kWrite)) { res[0] = ec_err("bad-descriptor"); return {}; }
    std::vector<uint8_t> tmp;
    std::span<const uint8_t> b;
    if (a[1].is_bytes()) b = a[1].as_bytes();
    else {
      for (const auto& x : a[1].elems()) tmp.push_back(uint8_t(x.as_u32()));
      b = tmp;
    }
    ssize_t k = pwrite(o->file->get(), b.data(), b.size(), off_t(a[2].as_u64()));
    if (k < 0) HOST_ERR();
    res[0] = Val::ok(Val::u64(uint64_t(k)));
    return {};
  });
  d.def(fst, "[method]descriptor.read-directory", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    int fd = openat(o->file->get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) HOST_ERR();
    DIR* dir = fdopendir(fd);
    if (!dir) { int e = errno; close(fd); errno = e; HOST_ERR(); }
    Obj ds{OK::DirStream};
    while (dirent* de = readdir(dir)) {
      std::string name = de->d_name;
      if (name == "." || name == "..") continue;
      const char* t = "unknown";
      switch (de->d_type) {
        case DT_REG: t = "regular-file"; break;
        case DT_DIR: t = "directory"; break;
        case DT_LNK: t = "symbolic-link"; break;
        case DT_CHR: t = "character-device"; break;
        case DT_BLK: t = "block-device"; break;
        case DT_FIFO: t = "fifo"; break;
        case DT_SOCK: t = "socket"; break;
        default: {
          struct stat st;
          if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) t = type_name(st.st_mode);
        }
      }
      ds.entries.emplace_back(std::move(name), t);
    }
    closedir(dir);
    res[0] = Val::ok(s.own(std::move(ds)));
    return {};
  });
  d.def(fst, "[method]directory-entry-stream.read-directory-entry", [](State& s, auto a, auto res) -> HostResult {
    Obj* o = s.get(a[0], OK::DirStream);
    if (!o) return bad_handle("directory-entry-stream");
    if (o->pos >= o->entries.size()) { res[0] = Val::ok(Val::none()); return {}; }
    auto& [name, t] = o->entries[o->pos++];
    res[0] = Val::ok(Val::some(Val::record({{"type", Val::enum_(t)}, {"name", Val::string(name)}})));
    return {};
  });
  d.def(fst, "[method]descriptor.stat", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    struct stat st;
    if (fstat(o->file->get(), &st) != 0) HOST_ERR();
    res[0] = Val::ok(stat_val(st));
    return {};
  });
  d.def(fst, "[method]descriptor.metadata-hash", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    struct stat st;
    if (fstat(o->file->get(), &st) != 0) HOST_ERR();
    res[0] = Val::ok(hash_val(st));
    return {};
  });
  auto stat_at = [](bool hash) {
    return [hash](State& s, std::span<const Val> a, std::span<Val> res) -> HostResult {
      DESC(o, 0);
      p1::Resolved r;
      if (auto e = resolve(*o, a[2].as_string(), has_flag(a[1], "symlink-follow"), r)) P1_ERR(e);
      struct stat st;
      if (fstatat(r.dirfd, r.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) HOST_ERR();
      res[0] = Val::ok(hash ? hash_val(st) : stat_val(st));
      return {};
    };
  };
  d.def(fst, "[method]descriptor.stat-at", stat_at(false));
  d.def(fst, "[method]descriptor.metadata-hash-at", stat_at(true));
  d.def(fst, "[method]descriptor.set-times-at", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    p1::Resolved r;
    if (auto e = resolve(*o, a[2].as_string(), has_flag(a[1], "symlink-follow"), r)) P1_ERR(e);
    timespec ts[2] = {new_ts(a[3]), new_ts(a[4])};
    if (utimensat(r.dirfd, r.name.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0) HOST_ERR();
    res[0] = Val::ok();
    return {};
  });
  d.def(fst, "[method]descriptor.open-at", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    bool follow = has_flag(a[1], "symlink-follow");
    const Val& of = a[3];
    bool create = has_flag(of, "create"), dir = has_flag(of, "directory"), excl = has_flag(of, "exclusive"),
         trunc = has_flag(of, "truncate");
    uint32_t want = 0;
    if (has_flag(a[4], "read")) want |= kRead;
    if (has_flag(a[4], "write")) want |= kWrite;
    if (has_flag(a[4], "mutate-directory")) want |= kMutate;
    if ((create || trunc || (want & kWrite)) && !(o->flags & kMutate)) { res[0] = ec_err("read-only"); return {}; }
    if ((want & kMutate) && !(o->flags & kMutate)) { res[0] = ec_err("read-only"); return {}; }
    if (dir && (want & kWrite)) { res[0] = ec_err("is-directory"); return {}; }
    p1::Resolved r;
    if (auto e = resolve(*o, a[2].as_string(), follow, r)) P1_ERR(e);
    int fl = open_flags_for(want, create, dir || r.trailing_slash, excl, trunc);
    int fd = openat(r.dirfd, r.name.c_str(), fl, 0666);
    if (fd < 0 && errno == ELOOP && follow) { res[0] = ec_err("loop"); return {}; }
    if (fd < 0 && errno == ELOOP) { res[0] = ec_err("loop"); return {}; }
    if (fd < 0) HOST_ERR();
    Obj nd{OK::Descriptor};
    nd.file = std::make_shared<p1::HostFd>(fd);
    nd.flags = want | (o->flags & kMutate);
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)) nd.flags &= ~kMutate;
    res[0] = Val::ok(s.own(std::move(nd)));
    return {};
  });
  d.def(fst, "[method]descriptor.readlink-at", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    p1::Resolved r;
    if (auto e = resolve(*o, a[1].as_string(), false, r)) P1_ERR(e);
    std::vector<char> buf(4096);
    ssize_t k = readlinkat(r.dirfd, r.name.c_str(), buf.data(), buf.size());
    if (k < 0) HOST_ERR();
    res[0] = Val::ok(Val::string(std::string(buf.data(), size_t(k))));
    return {};
  });
  auto mutating = [](int op) {  // 0 mkdir, 1 rmdir, 2 unlink
    return [op](State& s, std::span<const Val> a, std::span<Val> res) -> HostResult {
      DESC(o, 0);
      if (!(o->flags & kMutate)) { res[0] = ec_err("read-only"); return {}; }
      p1::Resolved r;
      if (auto e = resolve(*o, a[1].as_string(), false, r)) P1_ERR(e);
      int rc;
      if (op == 0) rc = mkdirat(r.dirfd, r.name.c_str(), 0777);
      else if (op == 1) rc = unlinkat(r.dirfd, r.name.c_str(), AT_REMOVEDIR);
      else {
        if (r.trailing_slash) { res[0] = ec_err("not-directory"); return {}; }
        rc = unlinkat(r.dirfd, r.name.c_str(), 0);
      }
      if (rc != 0) {
        if (op == 2 && errno == EISDIR) { res[0] = ec_err("is-directory"); return {}; }
        HOST_ERR();
      }
      res[0] = Val::ok();
      return {};
    };
  };
  d.def(fst, "[method]descriptor.create-directory-at", mutating(0));
  d.def(fst, "[method]descriptor.remove-directory-at", mutating(1));
  d.def(fst, "[method]descriptor.unlink-file-at", mutating(2));
  d.def(fst, "[method]descriptor.rename-at", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    DESC(n, 2);
    if (!(o->flags & kMutate) || !(n->flags & kMutate)) { res[0] = ec_err("read-only"); return {}; }
    p1::Resolved r1, r2;
    if (auto e = resolve(*o, a[1].as_string(), false, r1)) P1_ERR(e);
    if (auto e = resolve(*n, a[3].as_string(), false, r2)) P1_ERR(e);
    if (renameat(r1.dirfd, r1.name.c_str(), r2.dirfd, r2.name.c_str()) != 0) HOST_ERR();
    res[0] = Val::ok();
    return {};
  });
  d.def(fst, "[method]descriptor.link-at", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    DESC(n, 3);
    if (!(n->flags & kMutate)) { res[0] = ec_err("read-only"); return {}; }
    p1::Resolved r1, r2;
    if (auto e = resolve(*o, a[2].as_string(), has_flag(a[1], "symlink-follow"), r1)) P1_ERR(e);
    if (auto e = resolve(*n, a[4].as_string(), false, r2)) P1_ERR(e);
    if (linkat(r1.dirfd, r1.name.c_str(), r2.dirfd, r2.name.c_str(), 0) != 0) HOST_ERR();
    res[0] = Val::ok();
    return {};
  });
  d.def(fst, "[method]descriptor.symlink-at", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    if (!(o->flags & kMutate)) { res[0] = ec_err("read-only"); return {}; }
    const std::string& target = a[1].as_string();
    if (!target.empty() && target[0] == '/') { res[0] = ec_err("not-permitted"); return {}; }
    p1::Resolved r;
    if (auto e = resolve(*o, a[2].as_string(), false, r)) P1_ERR(e);
    if (symlinkat(target.c_str(), r.dirfd, r.name.c_str()) != 0) HOST_ERR();
    res[0] = Val::ok();
    return {};
  });
  d.def(fst, "[method]descriptor.is-same-object", [](State& s, auto a, auto res) -> HostResult {
    DESC(o, 0);
    DESC(n, 1);
    struct stat x, y;
    res[0] = Val::bool_(fstat(o->file->get(), &x) == 0 && fstat(n->file->get(), &y) == 0 && x.st_dev == y.st_dev &&
                        x.st_ino == y.st_ino);
    return {};
  });
#undef DESC
#undef HOST_ERR
#undef P1_ERR
}

}  // namespace

std::optional<std::pair<std::string, std::string>> parse_env(const std::string& kv) {
  size_t eq = kv.find('=');
  if (eq == std::string::npos) return std::nullopt;
  return std::make_pair(kv.substr(0, eq), kv.substr(eq + 1));
}

Result<void> add_to_linker(component::Linker& linker, const Config& config) {
  auto st = std::make_shared<State>();
  st->cfg = config;
  for (const auto& p : config.preopens) {
    int fd = open(p.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return compono::fail("preopen " + p.host_path + ": " + std::strerror(errno));
    st->preopens.emplace_back(std::make_shared<p1::HostFd>(fd), p.guest_path);
  }
  uint64_t seed[3] = {0, 0, 0};
  if (getrandom(seed, sizeof seed, 0) != ssize_t(sizeof seed)) seed[0] = mono_now();
  st->insecure_state = seed[0];
  st->seed[0] = seed[1];
  st->seed[1] = seed[2];
  std::weak_ptr<State> w = st;
  auto mk = [&](const char* name) {
    return ResourceType::host(name, [w](uint32_t rep) {
      if (auto s = w.lock()) s->objs.erase(rep);
    });
  };
  st->t_in = mk("input-stream");
  st->t_out = mk("output-stream");
  st->t_poll = mk("pollable");
  st->t_err = mk("error");
  st->t_desc = mk("descriptor");
  st->t_dir = mk("directory-entry-stream");
  st->t_tin = mk("terminal-input");
  st->t_tout = mk("terminal-output");
  Defs d(linker, st);
  d.res("wasi:io/error", "error", st->t_err);
  d.res("wasi:io/poll", "pollable", st->t_poll);
  d.res("wasi:io/streams", "input-stream", st->t_in);
  d.res("wasi:io/streams", "output-stream", st->t_out);
  d.res("wasi:cli/terminal-input", "terminal-input", st->t_tin);
  d.res("wasi:cli/terminal-output", "terminal-output", st->t_tout);
  d.res("wasi:filesystem/types", "descriptor", st->t_desc);
  d.res("wasi:filesystem/types", "directory-entry-stream", st->t_dir);
  define_all(d);
  if (!d.err_.empty()) return compono::fail("wasi2: " + d.err_);
  return {};
}

}  // namespace compono::wasi2
