// Unit tests of the WASI preview 1 host below the engine: confined path
// resolution and every function family, called directly on a byte vector
// standing in for linear memory.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <dirent.h>
#include <random>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "wasi/preview1_ctx.h"
#include "wasi/preview1_os.h"

using namespace compono::wasi::p1;

namespace {

std::string read_host(const std::string& path) {
  std::string s;
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return "<missing>";
  char buf[256];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, size_t(n));
  ::close(fd);
  return s;
}
void write_host(const std::string& path, const std::string& s) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, s.data(), s.size()), ssize_t(s.size()));
  ::close(fd);
}
bool host_exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// A temporary tree:
//   root/outside/secret.txt
//   root/sandbox/            <- the preopen
//     file.txt  "hello"   sub/inner.txt "inner"
//     link_abs -> <root>/outside        link_up -> ../outside
//     link_up_file -> ../outside/secret.txt   link_sub -> sub
//     loop_a -> loop_b, loop_b -> loop_a
//     sub/link_parent -> ..   sub/link_escape -> ../..   link_self_dir -> .
class Sandbox : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/compono-wasi-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root = tmpl;
    sandbox = root + "/sandbox";
    outside = root + "/outside";
    ASSERT_EQ(::mkdir(outside.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(sandbox.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((sandbox + "/sub").c_str(), 0755), 0);
    write_host(outside + "/secret.txt", "secret");
    write_host(sandbox + "/file.txt", "hello");
    write_host(sandbox + "/sub/inner.txt", "inner");
    ASSERT_EQ(::symlink(outside.c_str(), (sandbox + "/link_abs").c_str()), 0);
    ASSERT_EQ(::symlink("../outside", (sandbox + "/link_up").c_str()), 0);
    ASSERT_EQ(::symlink("../outside/secret.txt", (sandbox + "/link_up_file").c_str()), 0);
    ASSERT_EQ(::symlink("sub", (sandbox + "/link_sub").c_str()), 0);
    ASSERT_EQ(::symlink("loop_b", (sandbox + "/loop_a").c_str()), 0);
    ASSERT_EQ(::symlink("loop_a", (sandbox + "/loop_b").c_str()), 0);
    ASSERT_EQ(::symlink("..", (sandbox + "/sub/link_parent").c_str()), 0);
    ASSERT_EQ(::symlink("../..", (sandbox + "/sub/link_escape").c_str()), 0);
    ASSERT_EQ(::symlink(".", (sandbox + "/link_self_dir").c_str()), 0);
    base = ::open(sandbox.c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(base, 0);
    mem.assign(65536, 0);
  }
  void TearDown() override {
    if (base >= 0) ::close(base);
    std::string cmd = "rm -rf '" + root + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }

  Errno res(const std::string& path, bool follow = true) {
    Resolved r;
    return resolve(base, path, follow, r);
  }

  std::unique_ptr<Ctx> make_ctx(int stdin_fd = -1, int stdout_fd = -1) {
    Options o;
    o.args = {"prog", "a b", ""};
    o.env = {"A=1", "LONGER=value"};
    o.preopens = {{sandbox, "/sandbox"}};
    o.stdin_fd = stdin_fd;
    o.stdout_fd = stdout_fd;
    o.stderr_fd = -1;
    auto c = Ctx::create(o);
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return c.ok() ? std::move(*c) : nullptr;
  }
  GuestMem gm() { return GuestMem{mem.data(), mem.size()}; }
  // Put a string at `at` in guest memory; returns its length.
  uint32_t put(uint32_t at, const std::string& s) {
    std::memcpy(mem.data() + at, s.data(), s.size());
    return uint32_t(s.size());
  }
  template <class T>
  T get(uint32_t at) {
    T v;
    std::memcpy(&v, mem.data() + at, sizeof v);
    return v;
  }
  // path_open relative to the preopen (fd 3); returns errno, fd in *fd.
  Errno open_path(Ctx& c, const std::string& path, uint32_t oflags, uint64_t rights_base, uint32_t* fd,
                  bool follow = true, uint32_t fdflags = 0) {
    uint32_t len = put(1000, path);
    Errno e = c.path_open(gm(), 3, follow ? lookupflags::symlink_follow : 0, 1000, len, oflags, rights_base,
                          rights::all, fdflags, 2000);
    if (e == err::success) *fd = get<uint32_t>(2000);
    return e;
  }
  Errno write_fd(Ctx& c, uint32_t fd, const std::string& s) {
    uint32_t len = put(4096, s);
    uint32_t iov[2] = {4096, len};
    std::memcpy(mem.data() + 3000, iov, 8);
    return c.fd_write(gm(), fd, 3000, 1, 3100);
  }
  std::string read_fd(Ctx& c, uint32_t fd, uint32_t max = 1000) {
    uint32_t iov[2] = {8192, max};
    std::memcpy(mem.data() + 3000, iov, 8);
    Errno e = c.fd_read(gm(), fd, 3000, 1, 3100);
    if (e) return std::string("<errno ") + errno_name(e) + ">";
    return std::string(reinterpret_cast<char*>(mem.data() + 8192), get<uint32_t>(3100));
  }

  std::string root, sandbox, outside;
  int base = -1;
  std::vector<uint8_t> mem;
};

TEST(Errno, HostMappingAndNames) {
  EXPECT_EQ(from_host_errno(ENOENT), err::noent);
  EXPECT_EQ(from_host_errno(EEXIST), err::exist);
  EXPECT_EQ(from_host_errno(ENOTDIR), err::notdir);
  EXPECT_EQ(from_host_errno(EISDIR), err::isdir);
  EXPECT_EQ(from_host_errno(ELOOP), err::loop);
  EXPECT_EQ(from_host_errno(ENOTEMPTY), err::notempty);
  EXPECT_EQ(from_host_errno(EBADF), err::badf);
  EXPECT_EQ(from_host_errno(EACCES), err::acces);
  EXPECT_EQ(from_host_errno(ESPIPE), err::spipe);
  EXPECT_EQ(from_host_errno(EXDEV), err::xdev);
  EXPECT_EQ(from_host_errno(0), err::success);
  EXPECT_STREQ(errno_name(err::notcapable), "notcapable");
  EXPECT_STREQ(errno_name(err::noent), "noent");
  EXPECT_EQ(err::notcapable, 76);
  EXPECT_EQ(err::noent, 44);
  EXPECT_EQ(err::fault, 21);
}

// ---------------------------------------------------------------- resolution

TEST_F(Sandbox, ResolvesPlainPathsInside) {
  Resolved r;
  ASSERT_EQ(resolve(base, "file.txt", true, r), err::success);
  EXPECT_EQ(r.dirfd, base);
  EXPECT_EQ(r.name, "file.txt");
  ASSERT_EQ(resolve(base, "sub/inner.txt", true, r), err::success);
  EXPECT_NE(r.dirfd, base);
  EXPECT_EQ(r.name, "inner.txt");
  ASSERT_EQ(resolve(base, "./sub//./inner.txt", true, r), err::success);
  EXPECT_EQ(r.name, "inner.txt");
  ASSERT_EQ(resolve(base, "sub/../file.txt", true, r), err::success);
  EXPECT_EQ(r.dirfd, base);
  EXPECT_EQ(r.name, "file.txt");
  ASSERT_EQ(resolve(base, ".", true, r), err::success);
  EXPECT_EQ(r.name, ".");
  ASSERT_EQ(resolve(base, "sub/..", true, r), err::success);
  EXPECT_EQ(r.dirfd, base);
  EXPECT_EQ(r.name, ".");
  ASSERT_EQ(resolve(base, "sub/", true, r), err::success);
  EXPECT_EQ(r.name, "sub");
  EXPECT_TRUE(r.trailing_slash);
  // A name that doesn't exist yet (to be created).
  ASSERT_EQ(resolve(base, "sub/new.txt", false, r), err::success);
  EXPECT_EQ(r.name, "new.txt");
}

TEST_F(Sandbox, FollowsSymlinksThatStayInside) {
  Resolved r;
  ASSERT_EQ(resolve(base, "link_sub/inner.txt", true, r), err::success);
  EXPECT_EQ(r.name, "inner.txt");
  ASSERT_EQ(resolve(base, "sub/link_parent/file.txt", true, r), err::success);
  EXPECT_EQ(r.dirfd, base);
  EXPECT_EQ(r.name, "file.txt");
  ASSERT_EQ(resolve(base, "link_self_dir/link_self_dir/file.txt", true, r), err::success);
  EXPECT_EQ(r.name, "file.txt");
  // An intermediate link whose target ends in '/' doesn't make the final
  // component need a trailing slash.
  ASSERT_EQ(::symlink("sub/", (sandbox + "/slashlink").c_str()), 0);
  ASSERT_EQ(resolve(base, "slashlink/inner.txt", true, r), err::success);
  EXPECT_EQ(r.name, "inner.txt");
  EXPECT_FALSE(r.trailing_slash);
  ASSERT_EQ(resolve(base, "slashlink", true, r), err::success);
  EXPECT_EQ(r.name, "sub");
  EXPECT_TRUE(r.trailing_slash);
  // Final symlink followed to a directory.
  ASSERT_EQ(resolve(base, "link_sub", true, r), err::success);
  EXPECT_EQ(r.name, "sub");
  // ... or not.
  ASSERT_EQ(resolve(base, "link_sub", false, r), err::success);
  EXPECT_EQ(r.name, "link_sub");
}

TEST_F(Sandbox, RefusesEveryEscape) {
  EXPECT_EQ(res("../outside"), err::notcapable);
  EXPECT_EQ(res("../outside/secret.txt"), err::notcapable);
  EXPECT_EQ(res(".."), err::notcapable);
  EXPECT_EQ(res("sub/../../outside"), err::notcapable);
  EXPECT_EQ(res("sub/../.."), err::notcapable);
  EXPECT_EQ(res("/etc/passwd"), err::notcapable);
  EXPECT_EQ(res("/"), err::notcapable);
  EXPECT_EQ(res(sandbox + "/file.txt"), err::notcapable);  // absolute even if inside
  EXPECT_EQ(res("link_abs/secret.txt"), err::notcapable);   // absolute symlink
  EXPECT_EQ(res("link_abs"), err::notcapable);
  EXPECT_EQ(res("link_up/secret.txt"), err::notcapable);    // relative symlink escaping
  EXPECT_EQ(res("link_up_file"), err::notcapable);
  EXPECT_EQ(res("sub/link_escape/outside/secret.txt"), err::notcapable);
  EXPECT_EQ(res("link_sub/link_escape"), err::notcapable);
  EXPECT_EQ(res("link_sub/../../outside"), err::notcapable);
  EXPECT_EQ(res("loop_a"), err::loop);                      // symlink loop
  EXPECT_EQ(res("loop_a/x"), err::loop);
  EXPECT_EQ(res(""), err::noent);
  EXPECT_EQ(res(std::string("file.txt\0x", 10)), err::ilseq);
  // Not following the final symlink: it is the link itself, still inside.
  EXPECT_EQ(res("link_up_file", false), err::success);
  // A file used as a directory.
  EXPECT_EQ(res("file.txt/x"), err::notdir);
  EXPECT_EQ(res("missing/x"), err::noent);
}

// ---------------------------------------------------------------- functions

TEST_F(Sandbox, ArgsAndEnviron) {
  auto c = make_ctx();
  ASSERT_TRUE(c);
  ASSERT_EQ(c->args_sizes_get(gm(), 100, 104), err::success);
  EXPECT_EQ(get<uint32_t>(100), 3u);
  EXPECT_EQ(get<uint32_t>(104), 5u + 4u + 1u);
  ASSERT_EQ(c->args_get(gm(), 200, 300), err::success);
  EXPECT_EQ(get<uint32_t>(200), 300u);
  EXPECT_STREQ(reinterpret_cast<char*>(mem.data() + get<uint32_t>(200)), "prog");
  EXPECT_STREQ(reinterpret_cast<char*>(mem.data() + get<uint32_t>(204)), "a b");
  EXPECT_STREQ(reinterpret_cast<char*>(mem.data() + get<uint32_t>(208)), "");
  ASSERT_EQ(c->environ_sizes_get(gm(), 100, 104), err::success);
  EXPECT_EQ(get<uint32_t>(100), 2u);
  EXPECT_EQ(get<uint32_t>(104), 4u + 13u);
  ASSERT_EQ(c->environ_get(gm(), 200, 300), err::success);
  EXPECT_STREQ(reinterpret_cast<char*>(mem.data() + get<uint32_t>(204)), "LONGER=value");
  // Bad pointers are `fault`, never a host crash.
  EXPECT_EQ(c->args_get(gm(), 65534, 300), err::fault);
  // The pointer table doesn't fit: nothing of it is written.
  EXPECT_EQ(c->args_get(gm(), 65528, 300), err::fault);
  EXPECT_EQ(get<uint64_t>(65528), 0u);
  EXPECT_EQ(c->args_get(gm(), 200, 65533), err::fault);
  EXPECT_EQ(c->args_sizes_get(gm(), 0xfffffff0u, 104), err::fault);
  EXPECT_EQ(c->environ_get(GuestMem{}, 0, 0), err::fault);
}

TEST_F(Sandbox, ClocksAndRandom) {
  auto c = make_ctx();
  ASSERT_EQ(c->clock_time_get(gm(), 1, 0, 100), err::success);
  uint64_t t1 = get<uint64_t>(100);
  ::usleep(2000);
  ASSERT_EQ(c->clock_time_get(gm(), 1, 0, 100), err::success);
  uint64_t t2 = get<uint64_t>(100);
  EXPECT_GE(t2 - t1, 2'000'000u);
  ASSERT_EQ(c->clock_time_get(gm(), 0, 0, 100), err::success);
  uint64_t real = get<uint64_t>(100);
  uint64_t now = uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count());
  EXPECT_LT(now - real, 5'000'000'000ull);
  ASSERT_EQ(c->clock_res_get(gm(), 1, 100), err::success);
  EXPECT_GT(get<uint64_t>(100), 0u);
  EXPECT_EQ(c->clock_time_get(gm(), 9, 0, 100), err::inval);
  EXPECT_EQ(c->clock_time_get(gm(), 1, 0, 65530), err::fault);
  ASSERT_EQ(c->random_get(gm(), 1000, 64), err::success);
  int nonzero = 0;
  for (int i = 0; i < 64; ++i) nonzero += mem[1000 + i] != 0;
  EXPECT_GT(nonzero, 40);
  EXPECT_EQ(c->random_get(gm(), 65500, 64), err::fault);
}

TEST_F(Sandbox, PreopensAndPrestat) {
  auto c = make_ctx();
  ASSERT_EQ(c->fd_prestat_get(gm(), 3, 100), err::success);
  EXPECT_EQ(mem[100], 0);
  EXPECT_EQ(get<uint32_t>(104), 8u);
  ASSERT_EQ(c->fd_prestat_dir_name(gm(), 3, 200, 8), err::success);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(mem.data() + 200), 8), "/sandbox");
  EXPECT_EQ(c->fd_prestat_dir_name(gm(), 3, 200, 7), err::nametoolong);
  EXPECT_EQ(c->fd_prestat_get(gm(), 4, 100), err::badf);
  EXPECT_EQ(c->fd_prestat_get(gm(), 1, 100), err::badf);
  ASSERT_EQ(c->fd_fdstat_get(gm(), 3, 100), err::success);
  EXPECT_EQ(mem[100], filetype::directory);
  EXPECT_TRUE(get<uint64_t>(108) & rights::path_open);
}

TEST_F(Sandbox, MissingPreopenIsAnError) {
  Options o;
  o.preopens = {{root + "/nope", "/x"}};
  auto c = Ctx::create(o);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("nope"), std::string::npos) << c.error().message;
}

TEST_F(Sandbox, OpenReadWriteSeekStat) {
  auto c = make_ctx();
  uint32_t fd = 0;
  ASSERT_EQ(open_path(*c, "file.txt", 0, rights::fd_read | rights::fd_seek, &fd), err::success);
  EXPECT_EQ(fd, 4u);
  EXPECT_EQ(read_fd(*c, fd), "hello");
  ASSERT_EQ(c->fd_seek(gm(), fd, 1, 0, 100), err::success);
  EXPECT_EQ(get<uint64_t>(100), 1u);
  EXPECT_EQ(read_fd(*c, fd, 2), "el");
  ASSERT_EQ(c->fd_tell(gm(), fd, 100), err::success);
  EXPECT_EQ(get<uint64_t>(100), 3u);
  EXPECT_EQ(c->fd_seek(gm(), fd, 0, 7, 100), err::inval);
  ASSERT_EQ(c->fd_filestat_get(gm(), fd, 100), err::success);
  EXPECT_EQ(mem[116], filetype::regular_file);
  EXPECT_EQ(get<uint64_t>(132), 5u);
  // Read-only: writing fails.
  EXPECT_EQ(write_fd(*c, fd, "x"), err::badf);
  ASSERT_EQ(c->fd_close(fd), err::success);
  EXPECT_EQ(c->fd_close(fd), err::badf);
  EXPECT_EQ(read_fd(*c, fd), "<errno badf>");

  // Create, write, pread back, truncate.
  uint32_t w = 0;
  ASSERT_EQ(open_path(*c, "sub/new.txt", oflags::creat | oflags::excl,
                      rights::fd_read | rights::fd_write | rights::fd_seek, &w), err::success);
  ASSERT_EQ(write_fd(*c, w, "written data"), err::success);
  EXPECT_EQ(get<uint32_t>(3100), 12u);
  EXPECT_EQ(read_host(sandbox + "/sub/new.txt"), "written data");
  uint32_t iov[2] = {8192, 7};
  std::memcpy(mem.data() + 3000, iov, 8);
  ASSERT_EQ(c->fd_pread(gm(), w, 3000, 1, 8, 3100), err::success);
  EXPECT_EQ(get<uint32_t>(3100), 4u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(mem.data() + 8192), 4), "data");
  ASSERT_EQ(c->fd_filestat_set_size(w, 4), err::success);
  EXPECT_EQ(read_host(sandbox + "/sub/new.txt"), "writ");
  put(4096, "XY");
  uint32_t iov2[2] = {4096, 2};
  std::memcpy(mem.data() + 3000, iov2, 8);
  ASSERT_EQ(c->fd_pwrite(gm(), w, 3000, 1, 1, 3100), err::success);
  EXPECT_EQ(read_host(sandbox + "/sub/new.txt"), "wXYt");
  EXPECT_EQ(c->fd_sync(w), err::success);
  EXPECT_EQ(c->fd_datasync(w), err::success);
  EXPECT_EQ(c->fd_advise(w, 0, 0, 1), err::success);
  EXPECT_EQ(c->fd_advise(w, 0, 0, 9), err::inval);
  EXPECT_EQ(c->fd_allocate(w, 0, 100), err::success);
  EXPECT_EQ(open_path(*c, "sub/new.txt", oflags::creat | oflags::excl, rights::fd_write, &fd), err::exist);
  EXPECT_EQ(open_path(*c, "missing.txt", 0, rights::fd_read, &fd), err::noent);
  EXPECT_EQ(open_path(*c, "file.txt", oflags::directory, rights::fd_read, &fd), err::notdir);
  EXPECT_EQ(open_path(*c, "file.txt/", 0, rights::fd_read, &fd), err::notdir);
  // Append mode.
  uint32_t a = 0;
  ASSERT_EQ(open_path(*c, "file.txt", 0, rights::fd_write, &a, true, fdflags::append), err::success);
  ASSERT_EQ(write_fd(*c, a, "!"), err::success);
  EXPECT_EQ(read_host(sandbox + "/file.txt"), "hello!");
  ASSERT_EQ(c->fd_fdstat_get(gm(), a, 100), err::success);
  EXPECT_EQ(get<uint16_t>(102) & fdflags::append, fdflags::append);
  ASSERT_EQ(c->fd_fdstat_set_flags(a, 0), err::success);
  ASSERT_EQ(c->fd_fdstat_get(gm(), a, 100), err::success);
  EXPECT_EQ(get<uint16_t>(102) & fdflags::append, 0);
}

TEST_F(Sandbox, OpenRefusesEscapes) {
  auto c = make_ctx();
  uint32_t fd = 0;
  EXPECT_EQ(open_path(*c, "../outside/secret.txt", 0, rights::fd_read, &fd), err::notcapable);
  EXPECT_EQ(open_path(*c, "link_up_file", 0, rights::fd_read, &fd), err::notcapable);
  EXPECT_EQ(open_path(*c, "link_abs/secret.txt", 0, rights::fd_read, &fd), err::notcapable);
  EXPECT_EQ(open_path(*c, "sub/link_escape/outside/secret.txt", 0, rights::fd_read, &fd), err::notcapable);
  EXPECT_EQ(open_path(*c, "../created.txt", oflags::creat, rights::fd_write, &fd), err::notcapable);
  EXPECT_FALSE(host_exists(root + "/created.txt"));
  // Creating through a dangling symlink: inside it creates the target,
  // pointing outside it is refused and nothing appears there.
  ASSERT_EQ(::symlink("../outside/new.txt", (sandbox + "/dangling_out").c_str()), 0);
  ASSERT_EQ(::symlink("sub/created_via_link.txt", (sandbox + "/dangling_in").c_str()), 0);
  EXPECT_EQ(open_path(*c, "dangling_out", oflags::creat, rights::fd_write, &fd), err::notcapable);
  EXPECT_FALSE(host_exists(outside + "/new.txt"));
  ASSERT_EQ(open_path(*c, "dangling_in", oflags::creat, rights::fd_write, &fd), err::success);
  EXPECT_TRUE(host_exists(sandbox + "/sub/created_via_link.txt"));
  EXPECT_EQ(open_path(*c, "dangling_in", oflags::creat | oflags::excl, rights::fd_write, &fd), err::exist);
  // A directory reached through a symlink.
  ASSERT_EQ(::symlink("sub", (sandbox + "/dirlink").c_str()), 0);
  EXPECT_EQ(open_path(*c, "dirlink", oflags::directory, rights::fd_readdir, &fd), err::success);
  EXPECT_EQ(open_path(*c, "dirlink", oflags::directory, rights::fd_readdir, &fd, false), err::loop);
  // Not following the final symlink: opening the link itself is `loop`.
  EXPECT_EQ(open_path(*c, "link_up_file", 0, rights::fd_read, &fd, false), err::loop);
  EXPECT_EQ(open_path(*c, "loop_a", 0, rights::fd_read, &fd), err::loop);
  // Through a directory fd opened inside: `..` above it is refused too.
  uint32_t d = 0;
  ASSERT_EQ(open_path(*c, "sub", oflags::directory, rights::fd_readdir, &d), err::success);
  uint32_t len = put(1000, "../file.txt");
  EXPECT_EQ(c->path_open(gm(), d, 1, 1000, len, 0, rights::fd_read, 0, 0, 2000), err::notcapable);
  len = put(1000, "inner.txt");
  ASSERT_EQ(c->path_open(gm(), d, 1, 1000, len, 0, rights::fd_read, 0, 0, 2000), err::success);
  EXPECT_EQ(read_fd(*c, get<uint32_t>(2000)), "inner");
  // A path op on a non-directory fd.
  EXPECT_EQ(c->path_open(gm(), 1, 1, 1000, len, 0, rights::fd_read, 0, 0, 2000), err::notdir);
  EXPECT_EQ(c->path_open(gm(), 77, 1, 1000, len, 0, rights::fd_read, 0, 0, 2000), err::badf);
  // Path pointer out of bounds.
  EXPECT_EQ(c->path_open(gm(), 3, 1, 65530, 100, 0, rights::fd_read, 0, 0, 2000), err::fault);
}

TEST_F(Sandbox, DirectoryOpsStayInside) {
  auto c = make_ctx();
  auto path1 = [&](Errno (Ctx::*f)(GuestMem, uint32_t, uint32_t, uint32_t), const std::string& p) {
    uint32_t len = put(1000, p);
    return ((*c).*f)(gm(), 3, 1000, len);
  };
  EXPECT_EQ(path1(&Ctx::path_create_directory, "newdir"), err::success);
  EXPECT_TRUE(host_exists(sandbox + "/newdir"));
  EXPECT_EQ(path1(&Ctx::path_create_directory, "newdir"), err::exist);
  EXPECT_EQ(path1(&Ctx::path_create_directory, "../evil"), err::notcapable);
  EXPECT_EQ(path1(&Ctx::path_create_directory, "link_up/evil"), err::notcapable);
  EXPECT_FALSE(host_exists(root + "/evil"));
  EXPECT_FALSE(host_exists(outside + "/evil"));
  EXPECT_EQ(path1(&Ctx::path_remove_directory, "newdir"), err::success);
  EXPECT_FALSE(host_exists(sandbox + "/newdir"));
  EXPECT_EQ(path1(&Ctx::path_remove_directory, "sub"), err::notempty);
  EXPECT_EQ(path1(&Ctx::path_remove_directory, "../outside"), err::notcapable);
  EXPECT_EQ(path1(&Ctx::path_remove_directory, "link_abs"), err::notdir);  // the link itself
  EXPECT_TRUE(host_exists(outside));
  EXPECT_EQ(path1(&Ctx::path_unlink_file, "../outside/secret.txt"), err::notcapable);
  EXPECT_EQ(path1(&Ctx::path_unlink_file, "link_up/secret.txt"), err::notcapable);
  EXPECT_EQ(read_host(outside + "/secret.txt"), "secret");
  // Unlinking a symlink removes the link, never its target.
  EXPECT_EQ(path1(&Ctx::path_unlink_file, "link_up_file"), err::success);
  EXPECT_FALSE(host_exists(sandbox + "/link_up_file"));
  EXPECT_EQ(read_host(outside + "/secret.txt"), "secret");
  EXPECT_EQ(path1(&Ctx::path_unlink_file, "sub"), err::isdir);
  EXPECT_EQ(path1(&Ctx::path_unlink_file, "file.txt/"), err::notdir);
  EXPECT_EQ(path1(&Ctx::path_unlink_file, "missing"), err::noent);
}

TEST_F(Sandbox, RenameAndLinkCannotCrossOut) {
  auto c = make_ctx();
  auto two = [&](bool link, const std::string& a, const std::string& b, uint32_t flags = 0) {
    uint32_t la = put(1000, a), lb = put(1500, b);
    return link ? c->path_link(gm(), 3, flags, 1000, la, 3, 1500, lb) : c->path_rename(gm(), 3, 1000, la, 3, 1500, lb);
  };
  EXPECT_EQ(two(false, "file.txt", "../moved.txt"), err::notcapable);
  EXPECT_EQ(two(false, "../outside/secret.txt", "stolen.txt"), err::notcapable);
  EXPECT_EQ(two(false, "link_up/secret.txt", "stolen.txt"), err::notcapable);
  EXPECT_EQ(two(false, "file.txt", "link_up/moved.txt"), err::notcapable);
  EXPECT_TRUE(host_exists(sandbox + "/file.txt"));
  EXPECT_EQ(read_host(outside + "/secret.txt"), "secret");
  EXPECT_EQ(two(true, "file.txt", "../hard.txt"), err::notcapable);
  EXPECT_EQ(two(true, "../outside/secret.txt", "hard.txt"), err::notcapable);
  EXPECT_EQ(two(true, "link_up_file", "hard.txt", lookupflags::symlink_follow), err::notcapable);
  EXPECT_FALSE(host_exists(root + "/hard.txt"));
  EXPECT_FALSE(host_exists(sandbox + "/hard.txt"));
  // Inside moves work; renaming a symlink moves the link, not the target.
  EXPECT_EQ(two(false, "file.txt", "sub/moved.txt"), err::success);
  EXPECT_EQ(read_host(sandbox + "/sub/moved.txt"), "hello");
  EXPECT_EQ(two(true, "sub/moved.txt", "hard.txt"), err::success);
  EXPECT_EQ(read_host(sandbox + "/hard.txt"), "hello");
  EXPECT_EQ(two(false, "link_up_file", "renamed_link"), err::success);
  EXPECT_EQ(read_host(outside + "/secret.txt"), "secret");
  uint32_t fd = 0;
  EXPECT_EQ(open_path(*c, "renamed_link", 0, rights::fd_read, &fd), err::notcapable);
}

TEST_F(Sandbox, SymlinksReadlinkAndStat) {
  auto c = make_ctx();
  auto symlink = [&](const std::string& target, const std::string& at) {
    uint32_t lt = put(1000, target), la = put(1500, at);
    return c->path_symlink(gm(), 1000, lt, 3, 1500, la);
  };
  EXPECT_EQ(symlink("/etc/passwd", "abs"), err::notcapable);
  EXPECT_FALSE(host_exists(sandbox + "/abs"));
  EXPECT_EQ(symlink("x", "../outside/evil_link"), err::notcapable);
  // A relative link pointing out may be created, but never followed out.
  EXPECT_EQ(symlink("../../outside", "sub/out"), err::success);
  uint32_t fd = 0;
  EXPECT_EQ(open_path(*c, "sub/out/secret.txt", 0, rights::fd_read, &fd), err::notcapable);
  EXPECT_EQ(symlink("file.txt", "good"), err::success);
  ASSERT_EQ(open_path(*c, "good", 0, rights::fd_read, &fd), err::success);
  EXPECT_EQ(read_fd(*c, fd), "hello");
  EXPECT_EQ(symlink("file.txt", "good"), err::exist);

  uint32_t lp = put(1000, "link_up_file");
  ASSERT_EQ(c->path_readlink(gm(), 3, 1000, lp, 2000, 100, 2200), err::success);
  EXPECT_EQ(get<uint32_t>(2200), 21u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(mem.data() + 2000), 21), "../outside/secret.txt");
  ASSERT_EQ(c->path_readlink(gm(), 3, 1000, lp, 2000, 5, 2200), err::success);  // truncated
  EXPECT_EQ(get<uint32_t>(2200), 5u);
  lp = put(1000, "file.txt");
  EXPECT_EQ(c->path_readlink(gm(), 3, 1000, lp, 2000, 100, 2200), err::inval);

  lp = put(1000, "link_sub");
  ASSERT_EQ(c->path_filestat_get(gm(), 3, 0, 1000, lp, 3000), err::success);
  EXPECT_EQ(mem[3016], filetype::symbolic_link);
  ASSERT_EQ(c->path_filestat_get(gm(), 3, lookupflags::symlink_follow, 1000, lp, 3000), err::success);
  EXPECT_EQ(mem[3016], filetype::directory);
  lp = put(1000, "file.txt");
  ASSERT_EQ(c->path_filestat_get(gm(), 3, 1, 1000, lp, 3000), err::success);
  EXPECT_EQ(mem[3016], filetype::regular_file);
  EXPECT_EQ(get<uint64_t>(3032), 5u);
  EXPECT_EQ(get<uint64_t>(3024), 1u);  // nlink
  lp = put(1000, "link_up_file");
  EXPECT_EQ(c->path_filestat_get(gm(), 3, 1, 1000, lp, 3000), err::notcapable);
  lp = put(1000, "file.txt");
  // Set mtime to a fixed instant and read it back.
  ASSERT_EQ(c->path_filestat_set_times(gm(), 3, 1, 1000, lp, 0, 1'000'000'000'123ull, fstflags::mtim),
            err::success);
  ASSERT_EQ(c->path_filestat_get(gm(), 3, 1, 1000, lp, 3000), err::success);
  EXPECT_EQ(get<uint64_t>(3048), 1'000'000'000'123ull);
  EXPECT_EQ(c->path_filestat_set_times(gm(), 3, 1, 1000, lp, 0, 0, fstflags::mtim | fstflags::mtim_now),
            err::inval);
}

TEST_F(Sandbox, Readdir) {
  auto c = make_ctx();
  uint32_t d = 0;
  ASSERT_EQ(open_path(*c, "sub", oflags::directory, rights::fd_readdir, &d), err::success);
  write_host(sandbox + "/sub/b.txt", "b");
  ASSERT_EQ(c->fd_readdir(gm(), d, 4096, 4096, 0, 100), err::success);
  uint32_t used = get<uint32_t>(100);
  std::vector<std::string> names;
  std::vector<uint8_t> types;
  uint64_t last_next = 0;
  for (uint32_t off = 0; off + 24 <= used;) {
    uint64_t next = get<uint64_t>(4096 + off);
    uint32_t namlen = get<uint32_t>(4096 + off + 16);
    types.push_back(mem[4096 + off + 20]);
    names.emplace_back(reinterpret_cast<char*>(mem.data() + 4096 + off + 24), namlen);
    last_next = next;
    off += 24 + namlen;
  }
  ASSERT_EQ(names.size(), 6u);
  EXPECT_EQ(names[0], ".");
  EXPECT_EQ(names[1], "..");
  EXPECT_EQ(names[2], "b.txt");
  EXPECT_EQ(names[3], "inner.txt");
  EXPECT_EQ(names[4], "link_escape");
  EXPECT_EQ(names[5], "link_parent");
  EXPECT_EQ(types[0], filetype::directory);
  EXPECT_EQ(types[3], filetype::regular_file);
  EXPECT_EQ(types[4], filetype::symbolic_link);
  EXPECT_EQ(last_next, 6u);
  // A small buffer is filled completely (the last entry truncated) and the
  // cookie resumes where it says.
  ASSERT_EQ(c->fd_readdir(gm(), d, 4096, 30, 0, 100), err::success);
  EXPECT_EQ(get<uint32_t>(100), 30u);
  ASSERT_EQ(c->fd_readdir(gm(), d, 4096, 4096, 3, 100), err::success);
  EXPECT_EQ(get<uint32_t>(4096 + 16), 9u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(mem.data() + 4096 + 24), 9), "inner.txt");
  ASSERT_EQ(c->fd_readdir(gm(), d, 4096, 4096, 6, 100), err::success);
  EXPECT_EQ(get<uint32_t>(100), 0u);
  uint32_t f = 0;
  ASSERT_EQ(open_path(*c, "file.txt", 0, rights::fd_read, &f), err::success);
  EXPECT_EQ(c->fd_readdir(gm(), f, 4096, 4096, 0, 100), err::notdir);
  EXPECT_EQ(c->fd_readdir(gm(), d, 65000, 4096, 0, 100), err::fault);
}

TEST_F(Sandbox, FdTableRenumberAndBadFds) {
  auto c = make_ctx();
  uint32_t a = 0, b = 0;
  ASSERT_EQ(open_path(*c, "file.txt", 0, rights::fd_read, &a), err::success);
  ASSERT_EQ(open_path(*c, "sub/inner.txt", 0, rights::fd_read, &b), err::success);
  EXPECT_EQ(a, 4u);
  EXPECT_EQ(b, 5u);
  ASSERT_EQ(c->fd_renumber(b, a), err::success);
  EXPECT_EQ(read_fd(*c, a), "inner");
  EXPECT_EQ(read_fd(*c, b), "<errno badf>");
  EXPECT_EQ(c->fd_renumber(b, a), err::badf);
  EXPECT_EQ(c->fd_renumber(a, 99), err::badf);
  // The lowest free number is reused.
  ASSERT_EQ(c->fd_close(a), err::success);
  ASSERT_EQ(open_path(*c, "file.txt", 0, rights::fd_read, &a), err::success);
  EXPECT_EQ(a, 4u);
  EXPECT_EQ(c->fd_sync(1234), err::badf);
  EXPECT_EQ(c->fd_fdstat_get(gm(), 1234, 100), err::badf);
  EXPECT_EQ(c->fd_filestat_get(gm(), 1234, 100), err::badf);
  EXPECT_EQ(c->fd_seek(gm(), 0xffffffffu, 0, 0, 100), err::badf);
  // Rights can only shrink.
  ASSERT_EQ(c->fd_fdstat_set_rights(a, rights::fd_read, 0), err::success);
  EXPECT_EQ(c->fd_fdstat_set_rights(a, rights::fd_read | rights::fd_write, 0), err::notcapable);
  // iovecs out of bounds, and an iovec pointing out of bounds.
  EXPECT_EQ(c->fd_read(gm(), a, 65530, 2, 100), err::fault);
  uint32_t iov[2] = {65000, 1000};
  std::memcpy(mem.data() + 3000, iov, 8);
  EXPECT_EQ(c->fd_read(gm(), a, 3000, 1, 100), err::fault);
  EXPECT_EQ(c->fd_read(gm(), a, 3000, 1, 0xfffffffeu), err::fault);
  EXPECT_EQ(c->sched_yield(), err::success);
  EXPECT_EQ(c->proc_raise(6), err::notsup);
}

TEST_F(Sandbox, StdioAndPollOneoff) {
  int in[2], out[2];
  ASSERT_EQ(::pipe(in), 0);
  ASSERT_EQ(::pipe(out), 0);
  auto c = make_ctx(in[0], out[1]);
  ::close(in[0]);
  ::close(out[1]);
  ASSERT_EQ(write_fd(*c, 1, "to stdout"), err::success);
  char buf[32] = {};
  ASSERT_EQ(::read(out[0], buf, sizeof buf), 9);
  EXPECT_EQ(std::string(buf, 9), "to stdout");
  EXPECT_EQ(c->fd_seek(gm(), 1, 0, 1, 100), err::spipe);

  // A relative clock subscription of 20 ms.
  auto clock_sub = [&](uint32_t at, uint64_t userdata, uint64_t timeout_ns, uint16_t flags = 0) {
    std::memset(mem.data() + at, 0, 48);
    std::memcpy(mem.data() + at, &userdata, 8);
    mem[at + 8] = 0;
    uint32_t id = 1;
    std::memcpy(mem.data() + at + 16, &id, 4);
    std::memcpy(mem.data() + at + 24, &timeout_ns, 8);
    std::memcpy(mem.data() + at + 40, &flags, 2);
  };
  auto fd_sub = [&](uint32_t at, uint64_t userdata, uint32_t fd) {
    std::memset(mem.data() + at, 0, 48);
    std::memcpy(mem.data() + at, &userdata, 8);
    mem[at + 8] = 1;
    std::memcpy(mem.data() + at + 16, &fd, 4);
  };
  clock_sub(1000, 42, 20'000'000);
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(c->poll_oneoff(gm(), 1000, 2000, 1, 3000), err::success);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(ms, 20);
  EXPECT_EQ(get<uint32_t>(3000), 1u);
  EXPECT_EQ(get<uint64_t>(2000), 42u);
  EXPECT_EQ(get<uint16_t>(2008), 0);
  EXPECT_EQ(mem[2010], 0);

  // stdin with nothing to read and a 10 ms clock: the clock fires.
  fd_sub(1000, 7, 0);
  clock_sub(1048, 8, 10'000'000);
  ASSERT_EQ(c->poll_oneoff(gm(), 1000, 2000, 2, 3000), err::success);
  ASSERT_EQ(get<uint32_t>(3000), 1u);
  EXPECT_EQ(get<uint64_t>(2000), 8u);
  // Data on stdin: the fd_read event, with the bytes available.
  ASSERT_EQ(::write(in[1], "line\n", 5), 5);
  clock_sub(1048, 8, 5'000'000'000ull);
  ASSERT_EQ(c->poll_oneoff(gm(), 1000, 2000, 2, 3000), err::success);
  ASSERT_EQ(get<uint32_t>(3000), 1u);
  EXPECT_EQ(get<uint64_t>(2000), 7u);
  EXPECT_EQ(mem[2010], 1);
  EXPECT_EQ(get<uint64_t>(2016), 5u);
  EXPECT_EQ(read_fd(*c, 0), "line\n");
  // A bad fd is reported in its event; no subscriptions is `inval`.
  fd_sub(1000, 9, 99);
  ASSERT_EQ(c->poll_oneoff(gm(), 1000, 2000, 1, 3000), err::success);
  EXPECT_EQ(get<uint16_t>(2008), err::badf);
  EXPECT_EQ(c->poll_oneoff(gm(), 1000, 2000, 0, 3000), err::inval);
  EXPECT_EQ(c->poll_oneoff(gm(), 65500, 2000, 1, 3000), err::fault);
  // CPU-time clocks can't be waited on: reported in the event.
  clock_sub(1000, 6, 1000);
  mem[1016] = 2;
  ASSERT_EQ(c->poll_oneoff(gm(), 1000, 2000, 1, 3000), err::success);
  EXPECT_EQ(get<uint32_t>(3000), 1u);
  EXPECT_EQ(get<uint16_t>(2008), err::notsup);
  // An absolute deadline already passed fires at once.
  clock_sub(1000, 5, 1, 1);
  ASSERT_EQ(c->poll_oneoff(gm(), 1000, 2000, 1, 3000), err::success);
  EXPECT_EQ(get<uint64_t>(2000), 5u);
  ::close(in[1]);
  ::close(out[0]);
}

// Every function, called with arbitrary arguments (deterministic seed) on a
// small memory, returns a valid errno and never touches anything outside
// the sandbox.  poll_oneoff (it may sleep), proc_exit and fd_allocate (it may
// reserve real disk space) are covered above instead.
TEST_F(Sandbox, ArbitraryArgumentsNeverCrash) {
  auto c = make_ctx();
  std::mt19937_64 rng(20261124);
  auto arg = [&]() -> uint64_t {
    switch (rng() % 6) {
      case 0: return rng() % 8;              // small: fds, flags
      case 1: return rng() % 70000;          // around the memory size
      case 2: return 65536 - rng() % 64;     // at the end of memory
      case 3: return 0xffffffffull - rng() % 16;
      case 4: return rng();
      default: return rng() % 256;
    }
  };
  // Some plausible content in memory: iovecs, names.
  put(0, "file.txt");
  put(16, "sub/../link_up/secret.txt");
  int calls = 0;
  for (int round = 0; round < 300; ++round) {
    for (const FuncDesc& f : functions()) {
      std::string n = f.name;
      if (n == "poll_oneoff" || n == "proc_exit" || n == "fd_allocate") continue;
      uint64_t a[9];
      for (auto& x : a) x = arg();
      Errno e = f.call(*c, gm(), a);
      ASSERT_LE(e, err::notcapable) << n;
      ++calls;
    }
  }
  EXPECT_GT(calls, 10000);
  EXPECT_EQ(read_host(outside + "/secret.txt"), "secret");
  // The outside directory holds only what it held.
  int entries = 0;
  if (DIR* d = ::opendir(outside.c_str())) {
    while (dirent* de = ::readdir(d)) entries += de->d_name[0] != '.';
    ::closedir(d);
  }
  EXPECT_EQ(entries, 1);
}

TEST(FunctionTable, CoversPreview1) {
  std::vector<std::string> names;
  for (auto& f : functions()) names.push_back(f.name);
  EXPECT_EQ(names.size(), 46u);
  for (const char* n : {"args_get", "fd_write", "path_open", "poll_oneoff", "proc_exit", "sock_shutdown",
                        "fd_renumber", "path_symlink", "random_get", "sched_yield"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
}

}  // namespace
