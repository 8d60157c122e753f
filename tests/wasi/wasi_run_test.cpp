// End-to-end WASI preview 1 tests: guest programs built by clang++-19 for
// wasm32-wasi (see guests/), run under the engine through the embedding API
// (compono/wasi.h) and through `compono run`.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "compono/core.h"
#include "compono/wasi.h"

using namespace compono;

namespace {

const std::string kGuests = WASI_GUEST_DIR;

#define REQUIRE_GUESTS()                                                             \
  do {                                                                               \
    if (!WASI_HAVE_GUESTS) GTEST_SKIP() << "clang++-19 not found: guest programs not built"; \
  } while (0)

std::string guest(const std::string& name) { return kGuests + "/" + name + ".wasm"; }

std::string slurp_fd(int fd) {
  std::string s;
  ::lseek(fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, size_t(n));
  return s;
}
std::string slurp(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return "<missing>";
  std::string s = slurp_fd(fd);
  ::close(fd);
  return s;
}
void spit(const std::string& path, const std::string& s) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, s.data(), s.size()), ssize_t(s.size()));
  ::close(fd);
}
bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}
int temp_fd(const std::string& content = "") {
  char t[] = "/tmp/compono-wasi-io-XXXXXX";
  int fd = ::mkstemp(t);
  ::unlink(t);
  if (!content.empty()) (void)!::write(fd, content.data(), content.size());
  ::lseek(fd, 0, SEEK_SET);
  return fd;
}
std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> r;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find('\n', i);
    if (j == std::string::npos) j = s.size();
    r.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return r;
}
bool has_line(const std::string& out, const std::string& line) {
  for (auto& l : lines(out))
    if (l == line) return true;
  return false;
}
// The value after "key=" on the line starting with `prefix`.
long long field(const std::string& out, const std::string& key) {
  size_t p = out.find(key + "=");
  if (p == std::string::npos) return -1;
  return std::atoll(out.c_str() + p + key.size() + 1);
}

struct Outcome {
  int status = -1;
  std::string out, err;
};

// Run the `compono` binary with `args` (after "compono"), feeding `in` on stdin.
Outcome run_cli(const std::vector<std::string>& args, const std::string& in = "") {
  Outcome o;
  int fin = temp_fd(in), fout = temp_fd(), ferr = temp_fd();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fin, 0);
    ::dup2(fout, 1);
    ::dup2(ferr, 2);
    std::vector<char*> argv;
    std::string exe = COMPONO_CLI;
    argv.push_back(exe.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  o.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  o.out = slurp_fd(fout);
  o.err = slurp_fd(ferr);
  ::close(fin);
  ::close(fout);
  ::close(ferr);
  return o;
}

// Run a command module's _start through the embedding API.
Outcome run_api(const std::string& wasm, wasi::Preview1Config cfg, const std::string& in = "",
                std::optional<int>* exit_code = nullptr) {
  Outcome o;
  std::string bytes = slurp(wasm);
  auto module = wasm::Module::compile(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()),
                                                               bytes.size()));
  if (!module) {
    ADD_FAILURE() << wasm << ": " << module.error().to_string();
    return o;
  }
  int fin = temp_fd(in), fout = temp_fd(), ferr = temp_fd();
  cfg.stdin_fd = fin;
  cfg.stdout_fd = fout;
  cfg.stderr_fd = ferr;
  auto ctx = wasi::Preview1::create(cfg);
  if (!ctx) {
    ADD_FAILURE() << ctx.error().to_string();
    return o;
  }
  wasm::Store store;
  wasm::Linker linker;
  auto added = ctx->add_to_linker(store, linker);
  EXPECT_TRUE(added.ok());
  auto inst = linker.instantiate(store, *module);
  if (!inst) {
    ADD_FAILURE() << "instantiate: " << inst.error().to_string();
  } else {
    auto r = inst->get_func("_start").call(store, {});
    o.status = wasi::exit_status(r);
    if (!r && !r.error().exit_code) o.err = "trap: " + r.error().to_string();
    if (exit_code) *exit_code = ctx->exit_code();
  }
  o.out = slurp_fd(fout);
  o.err = slurp_fd(ferr) + o.err;
  ::close(fin);
  ::close(fout);
  ::close(ferr);
  return o;
}

// A temporary tree: root/sandbox (the preopen) with file.txt, sub/, and the
// escape hazards link_up -> ../outside, link_abs -> <root>/outside,
// loop_a <-> loop_b; root/outside/secret.txt.
class WasiRun : public ::testing::Test {
 protected:
  void SetUp() override {
    char t[] = "/tmp/compono-wasi-run-XXXXXX";
    ASSERT_NE(::mkdtemp(t), nullptr);
    root = t;
    sandbox = root + "/sandbox";
    outside = root + "/outside";
    ASSERT_EQ(::mkdir(sandbox.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(outside.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((sandbox + "/sub").c_str(), 0755), 0);
    spit(outside + "/secret.txt", "secret");
    spit(sandbox + "/file.txt", "hello");
    ASSERT_EQ(::symlink("../outside", (sandbox + "/link_up").c_str()), 0);
    ASSERT_EQ(::symlink(outside.c_str(), (sandbox + "/link_abs").c_str()), 0);
    ASSERT_EQ(::symlink("loop_b", (sandbox + "/loop_a").c_str()), 0);
    ASSERT_EQ(::symlink("loop_a", (sandbox + "/loop_b").c_str()), 0);
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + root + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  std::string dir_arg() const { return sandbox + "::/sandbox"; }
  // Nothing outside the sandbox changed.
  void expect_outside_untouched() {
    EXPECT_EQ(slurp(outside + "/secret.txt"), "secret");
    for (const char* n : {"/created.txt", "/moved.txt", "/outside/newdir", "/outside/hard.txt", "/evil"})
      EXPECT_FALSE(exists(root + n)) << n;
  }

  std::string root, sandbox, outside;
};

// ---------------------------------------------------------------- the "done when" program

void expect_hello_args(const Outcome& o, const std::string& program, const std::string& sandbox) {
  EXPECT_EQ(o.status, 7) << o.err;
  EXPECT_TRUE(has_line(o.out, "arg[0]=" + program)) << o.out;
  EXPECT_TRUE(has_line(o.out, "arg[1]=first")) << o.out;
  EXPECT_TRUE(has_line(o.out, "arg[2]=second arg")) << o.out;
  EXPECT_FALSE(has_line(o.out, "arg[3]=")) << o.out;
  EXPECT_TRUE(has_line(o.out, "env GREETING=hi there")) << o.out;
  EXPECT_TRUE(has_line(o.out, "env EMPTY=")) << o.out;
  EXPECT_TRUE(has_line(o.out, "read back: written by the guest with 3 args")) << o.out;
  EXPECT_EQ(slurp(sandbox + "/note.txt"), "written by the guest with 3 args\n");
  EXPECT_TRUE(has_line(o.out, "open ../outside: failed errno=76 (Capabilities insufficient)")) << o.out;
  EXPECT_TRUE(has_line(o.out, "open /sandbox/../outside: failed errno=76 (Capabilities insufficient)")) << o.out;
  EXPECT_TRUE(has_line(o.out, "open /sandbox/../outside/secret.txt: failed errno=76 (Capabilities insufficient)"))
      << o.out;
  EXPECT_EQ(o.out.find("OPENED"), std::string::npos) << o.out;
}

TEST_F(WasiRun, DoneWhenViaApi) {
  REQUIRE_GUESTS();
  wasi::Preview1Config cfg;
  cfg.args = {"hello_args.wasm", "first", "second arg"};
  cfg.env = {"GREETING=hi there", "EMPTY="};
  cfg.preopens = {{sandbox, "/sandbox"}};
  std::optional<int> code;
  Outcome o = run_api(guest("hello_args"), cfg, "", &code);
  expect_hello_args(o, "hello_args.wasm", sandbox);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 7);
  expect_outside_untouched();
}

TEST_F(WasiRun, DoneWhenViaCli) {
  REQUIRE_GUESTS();
  std::string prog = guest("hello_args");
  Outcome o = run_cli({"run", prog, "--dir", dir_arg(), "--env", "GREETING=hi there", "--env", "EMPTY=", "--",
                       "first", "second arg"});
  expect_hello_args(o, prog, sandbox);
  EXPECT_EQ(o.err, "");
  expect_outside_untouched();
}

TEST_F(WasiRun, OptionsBeforeFileAndDashArguments) {
  REQUIRE_GUESTS();
  std::string prog = guest("hello_args");
  Outcome o = run_cli({"run", "--dir", dir_arg(), "--env", "A=1", "--env", "B=2", prog, "--", "-v", "--x=y"});
  EXPECT_EQ(o.status, 7) << o.err;
  EXPECT_TRUE(has_line(o.out, "arg[1]=-v")) << o.out;
  EXPECT_TRUE(has_line(o.out, "arg[2]=--x=y")) << o.out;
  EXPECT_TRUE(has_line(o.out, "env A=1")) << o.out;
  EXPECT_TRUE(has_line(o.out, "env B=2")) << o.out;
  EXPECT_TRUE(has_line(o.out, "read back: written by the guest with 3 args")) << o.out;
}

TEST_F(WasiRun, PreopenUnderItsHostPath) {
  REQUIRE_GUESTS();
  // --dir HOST (no ::GUEST): the guest sees the host path.
  Outcome o = run_cli({"run", guest("hello_args"), "--dir", sandbox, "--env", "DATA_DIR=" + sandbox});
  EXPECT_EQ(o.status, 7) << o.err;
  EXPECT_TRUE(has_line(o.out, "read back: written by the guest with 1 args")) << o.out;
  EXPECT_EQ(slurp(sandbox + "/note.txt"), "written by the guest with 1 args\n");
  EXPECT_TRUE(has_line(o.out, "open " + sandbox + "/../outside: failed errno=76 (Capabilities insufficient)"))
      << o.out;
}

TEST_F(WasiRun, NoPreopenMeansNoFiles) {
  REQUIRE_GUESTS();
  Outcome o = run_cli({"run", guest("hello_args")});
  EXPECT_EQ(o.status, 1) << o.out;
  EXPECT_NE(o.out.find("cannot create /sandbox/note.txt"), std::string::npos) << o.out;
}

TEST_F(WasiRun, MissingPreopenDirIsAnError) {
  REQUIRE_GUESTS();
  Outcome o = run_cli({"run", guest("hello_args"), "--dir", root + "/nope::/x"});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("cannot open preopened directory"), std::string::npos) << o.err;
}

// ---------------------------------------------------------------- features

TEST_F(WasiRun, ClocksSleepAndRandom) {
  REQUIRE_GUESTS();
  Outcome o = run_cli({"run", guest("clocks_random")});
  ASSERT_EQ(o.status, 0) << o.err << o.out;
  EXPECT_GT(field(o.out, "monotonic_res_ns"), 0) << o.out;
  EXPECT_EQ(field(o.out, "nanosleep"), 0) << o.out;
  long long slept = field(o.out, "slept_ns");
  EXPECT_GE(slept, 30'000'000) << o.out;
  EXPECT_LT(slept, 3'000'000'000) << o.out;
  long long real = field(o.out, "realtime_s");
  EXPECT_LT(std::llabs(real - (long long)std::time(nullptr)), 60) << o.out;
  EXPECT_TRUE(has_line(o.out, "poll errno=0 nevents=1 userdata=11 type=0")) << o.out;
  EXPECT_LT(field(o.out, "random same"), 8) << o.out;
  EXPECT_GT(field(o.out, "nonzero"), 20) << o.out;
}

TEST_F(WasiRun, FileSystemOperations) {
  REQUIRE_GUESTS();
  Outcome o = run_cli({"run", guest("fs_ops"), "--dir", dir_arg()});
  ASSERT_EQ(o.status, 0) << o.err << o.out;
  const char* expected[] = {
      "mkdir: ok", "ls /sandbox/d: a.txt b.txt", "stat: ok", "size=6 regular=1", "rename: ok", "unlink: ok",
      "symlink: ok", "readlink=c.txt", "lstat: ok", "link is_symlink=1", "ls /sandbox/d: c.txt link@",
      "open via link: ok", "read=5 'alpha'", "lseek=2", "write=2", "ftruncate: ok", "fstat: ok", "size=4",
      "rmdir nonempty: Directory not empty", "unlink link: ok", "unlink c: ok", "rmdir: ok",
      "stat gone: No such file or directory", "mkdir many: ok", "many: 300 files, index sum 44850"};
  auto got = lines(o.out);
  ASSERT_EQ(got.size(), std::size(expected)) << o.out;
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "line " << i;
  EXPECT_FALSE(exists(sandbox + "/d"));
  EXPECT_EQ(slurp(sandbox + "/result.txt"), "fs_ops done\n");
  EXPECT_TRUE(exists(sandbox + "/many/a rather long file name number 299.txt"));
}

TEST_F(WasiRun, StdinPollAndRead) {
  REQUIRE_GUESTS();
  Outcome o = run_cli({"run", guest("stdin_echo")}, "hello, stdin!\nsecond line\n");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(has_line(o.out, "poll=1 revents_in=1")) << o.out;
  EXPECT_NE(o.out.find("read 26 bytes: HELLO, STDIN!\nSECOND LINE\n"), std::string::npos) << o.out;
  // Through the API too, with stdin from a pipe.
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ASSERT_EQ(::write(p[1], "abc", 3), 3);
  ::close(p[1]);
  wasi::Preview1Config cfg;
  cfg.args = {"stdin_echo"};
  std::string bytes = slurp(guest("stdin_echo"));
  auto module = wasm::Module::compile(std::span<const uint8_t>((const uint8_t*)bytes.data(), bytes.size()));
  ASSERT_TRUE(module.ok());
  int out = temp_fd();
  cfg.stdin_fd = p[0];
  cfg.stdout_fd = out;
  auto ctx = wasi::Preview1::create(cfg);
  ASSERT_TRUE(ctx.ok());
  ::close(p[0]);
  wasm::Store store;
  wasm::Linker linker;
  ASSERT_TRUE(ctx->add_to_linker(store, linker).ok());
  auto inst = linker.instantiate(store, *module);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto r = inst->get_func("_start").call(store, {});
  EXPECT_EQ(wasi::exit_status(r), 0);
  std::string s = slurp_fd(out);
  EXPECT_NE(s.find("read 3 bytes: ABC"), std::string::npos) << s;
  ::close(out);
}

TEST_F(WasiRun, SandboxEscapesAllFail) {
  REQUIRE_GUESTS();
  Outcome o = run_cli({"run", guest("escapes"), "--dir", dir_arg()});
  ASSERT_EQ(o.status, 0) << o.err;
  const char* expected[] = {
      "open ..: ENOTCAPABLE",           "open a/../..: ENOTCAPABLE",     "open rel symlink: ENOTCAPABLE",
      "open abs symlink: ENOTCAPABLE",  "open loop: ELOOP",              "stat rel symlink: ENOTCAPABLE",
      "create outside: ENOTCAPABLE",    "mkdir outside: ENOTCAPABLE",    "rename out: ENOTCAPABLE",
      "rename in: ENOTCAPABLE",         "link out: ENOTCAPABLE",         "symlink abs: ENOTCAPABLE",
      "unlink outside: ENOTCAPABLE",    "rmdir outside: ENOTCAPABLE",    "opendir ..: ENOTCAPABLE",
      "open inside: OK"};
  auto got = lines(o.out);
  ASSERT_EQ(got.size(), std::size(expected)) << o.out;
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "line " << i;
  expect_outside_untouched();
  EXPECT_TRUE(exists(sandbox + "/file.txt"));
  EXPECT_FALSE(exists(sandbox + "/abs"));
  EXPECT_FALSE(exists(sandbox + "/stolen.txt"));
}

TEST_F(WasiRun, PlainCGuestExitAndStderr) {
  REQUIRE_GUESTS();
  Outcome o = run_cli({"run", guest("hello_c"), "--env", "WHO=world", "--", "one", "two"});
  EXPECT_EQ(o.status, 5) << o.err;
  EXPECT_EQ(o.out, "C guest with 3 args, last=two\nWHO=world\natexit handler ran\n");
  EXPECT_EQ(o.err, "this goes to stderr\n");
  o = run_cli({"run", guest("hello_c")});
  EXPECT_EQ(o.status, 5);
  EXPECT_TRUE(has_line(o.out, "WHO=(unset)")) << o.out;  // the host environment is not inherited
}

TEST_F(WasiRun, CxxIostreams) {
  REQUIRE_GUESTS();
  Outcome o = run_cli({"run", guest("cxx_streams")}, "b a c a\nb a\n");
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, "a: 3\nb: 2\nc: 1\n");
  EXPECT_EQ(o.err, "3 distinct words\n");
}

// ---------------------------------------------------------------- traps, exit codes, limits

TEST_F(WasiRun, TrapExits134WithBacktrace) {
  REQUIRE_GUESTS();
  Outcome o = run_cli({"run", guest("trap")});
  EXPECT_EQ(o.status, wasi::kTrapExitStatus);
  EXPECT_EQ(o.out, "before the trap\n");
  EXPECT_NE(o.err.find("unreachable"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("explode"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("middle"), std::string::npos) << o.err;
  // And through the API.
  wasi::Preview1Config cfg;
  cfg.args = {"trap"};
  Outcome a = run_api(guest("trap"), cfg);
  EXPECT_EQ(a.status, 134);
  EXPECT_NE(a.err.find("unreachable"), std::string::npos) << a.err;
}

TEST_F(WasiRun, FuelLimit) {
  REQUIRE_GUESTS();
  Outcome o = run_cli({"run", guest("spin"), "--fuel", "100000"});
  EXPECT_EQ(o.status, 134);
  EXPECT_NE(o.err.find("out of fuel"), std::string::npos) << o.err;
  o = run_cli({"run", guest("spin"), "--fuel", "10000000", "--", "1000"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, "counted to 1000\n");
}

TEST_F(WasiRun, MaxMemory) {
  REQUIRE_GUESTS();
  Outcome o = run_cli({"run", guest("grow"), "--", "32"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, "alloc 32 MiB: ok\n");
  o = run_cli({"run", guest("grow"), "--max-memory", "16MiB", "--", "32"});
  EXPECT_EQ(o.status, 3) << o.err;
  EXPECT_EQ(o.out, "alloc 32 MiB: failed\n");
  o = run_cli({"run", guest("grow"), "--max-memory", "lots"});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("invalid --max-memory"), std::string::npos) << o.err;
}

TEST_F(WasiRun, InvokeReactorExports) {
  REQUIRE_GUESTS();
  std::string r = guest("reactor");
  Outcome o = run_cli({"run", r, "--invoke", "add", "2", "-5"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, "-3\n");  // 2 + -5, after _initialize ran the constructor
  o = run_cli({"run", r, "--invoke", "add", "010", "0x10"});  // decimal (not octal) and hex
  EXPECT_EQ(o.out, "26\n") << o.err;
  o = run_cli({"run", r, "--invoke", "add", "4294967295", "1"});  // u32 spelling of -1
  EXPECT_EQ(o.out, "0\n") << o.err;
  o = run_cli({"run", r, "--invoke", "add", "4294967296", "1"});  // too big for i32
  EXPECT_EQ(o.status, 1);
  o = run_cli({"run", r, "--invoke", "mul64", "4294967296", "3"});
  EXPECT_EQ(o.out, "12884901888\n") << o.err;
  o = run_cli({"run", r, "--invoke", "hypot2", "3", "4.0"});
  EXPECT_EQ(o.out, "25\n") << o.err;
  o = run_cli({"run", r, "--invoke", "greet"});
  EXPECT_EQ(o.out, "hello from the reactor\n") << o.err;
  o = run_cli({"run", r, "--invoke", "add", "1"});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("takes 2 argument(s)"), std::string::npos) << o.err;
  o = run_cli({"run", r, "--invoke", "add", "1", "x"});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("not a valid i32"), std::string::npos) << o.err;
  o = run_cli({"run", r, "--invoke", "nope"});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("no exported function `nope`"), std::string::npos) << o.err;
  o = run_cli({"run", r});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("no `_start` export"), std::string::npos) << o.err;
}

TEST_F(WasiRun, BadPointersReturnFault) {
  if (!WASI_HAVE_WAT) GTEST_SKIP() << "wat2wasm not found";
  std::string bytes = slurp(guest("bad_pointers"));
  auto module = wasm::Module::compile(std::span<const uint8_t>((const uint8_t*)bytes.data(), bytes.size()));
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  wasi::Preview1Config cfg;
  cfg.args = {"x"};
  cfg.preopens = {{sandbox, "/sandbox"}};
  auto ctx = wasi::Preview1::create(cfg);
  ASSERT_TRUE(ctx.ok());
  wasm::Store store;
  wasm::Linker linker;
  ASSERT_TRUE(ctx->add_to_linker(store, linker).ok());
  auto inst = linker.instantiate(store, *module);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  for (const char* f : {"iovs_oob", "buf_oob", "nwritten_oob", "args_oob", "path_oob", "random_oob"}) {
    auto r = inst->get_func(f).call(store, {});
    ASSERT_TRUE(r.ok()) << f << ": " << r.error().to_string();
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].i32(), 21) << f;  // errno fault
  }
  // proc_exit is a trap carrying the code, not a fault.
  auto r = inst->get_func("exit").call(store, {wasm::Value::i32(42)});
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().exit_code.has_value());
  EXPECT_EQ(*r.error().exit_code, 42);
  EXPECT_EQ(wasi::exit_status(r), 42);
  EXPECT_EQ(ctx->exit_code(), 42);
  // Via the CLI: --invoke exit 5 exits with 5.
  Outcome o = run_cli({"run", guest("bad_pointers"), "--invoke", "exit", "5"});
  EXPECT_EQ(o.status, 5) << o.err;
}

TEST_F(WasiRun, ProcExitDuringInstantiation) {
  if (!WASI_HAVE_WAT) GTEST_SKIP() << "wat2wasm not found";
  Outcome o = run_cli({"run", guest("start_exit")});
  EXPECT_EQ(o.status, 9) << o.err;
  EXPECT_EQ(o.err, "");
}

TEST_F(WasiRun, UnknownImportIsALinkError) {
  if (!WASI_HAVE_WAT) GTEST_SKIP() << "wat2wasm not found";
  Outcome o = run_cli({"run", guest("unknown_import")});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("env.not_provided"), std::string::npos) << o.err;
}

TEST_F(WasiRun, CliRejectsBadInputs) {
  Outcome o = run_cli({"run", root + "/missing.wasm"});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("missing.wasm"), std::string::npos) << o.err;
  spit(root + "/garbage.wasm", "this is not wasm");
  o = run_cli({"run", root + "/garbage.wasm"});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("garbage.wasm"), std::string::npos) << o.err;
  // A component (layer 1 in the header) goes to the component runner; an
  // empty one has nothing to run and says so.
  spit(root + "/comp.wasm", std::string("\0asm\x0d\0\x01\0", 8));
  o = run_cli({"run", root + "/comp.wasm"});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("no `wasi:cli/run` export"), std::string::npos) << o.err;
  o = run_cli({"run", "--help"});
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.out.find("--dir"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("134"), std::string::npos) << o.out;
}

TEST(WasiApi, FunctionNamesAndMissingPreopen) {
  auto names = wasi::Preview1::function_names();
  EXPECT_EQ(names.size(), 46u);
  wasi::Preview1Config cfg;
  cfg.preopens = {{"/nonexistent/compono/dir", "/x"}};
  auto ctx = wasi::Preview1::create(cfg);
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.error().message.find("/nonexistent/compono/dir"), std::string::npos);
}

}  // namespace
