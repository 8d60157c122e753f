// wasi2_test - the WASI 0.2 host (src/wasi/preview2) end to end.
//
// Each test compiles a C++ program (tests/guest/programs, tests/wasi2/programs)
// with clang++-19 for wasm32-wasi, links it with the guest shim (which imports
// only WASI 0.2), makes a component with `compono wit embed` + `compono new`,
// runs it with `compono run` and asserts the same stdout, stderr, exit status
// and host files as tests/guest asserts under node + jco's preview2-shim.
// Without the guest toolchain the tests skip (counted by gtest, reason printed).
#include <gtest/gtest.h>
#include <guest_programs.h>
#include <process.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

namespace gp = compono_test::guest_programs;
using compono_test::Cmd;
using compono_test::quote;
using compono_test::run;
using compono_test::slurp;
using compono_test::usable;

class Wasi2 : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!W2_GUEST_AVAILABLE || !usable(W2_CXX) || !usable(W2_OBJ))
      GTEST_SKIP() << "guest toolchain / shim not available (" << W2_CXX << ")";
    ASSERT_TRUE(usable(W2_COMPONO)) << W2_COMPONO;
  }
  static fs::path work() { return fs::path(W2_WORK_DIR); }

  // programs/<prog>.cpp -> component; returns its path or "" after a failure.
  std::string build(const std::string& dir_of_prog, const std::string& prog) {
    fs::path dir = work() / prog;
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir);
    fs::path core = dir / (prog + ".core.wasm"), emb = dir / (prog + ".embed.wasm"),
             comp = dir / (prog + ".component.wasm");
    std::string cc = quote(W2_CXX) + " --target=wasm32-wasi -O2 -fno-exceptions -I" + quote(W2_INCLUDE_DIR) + " " +
                     quote(dir_of_prog + "/" + prog + ".cpp") + " " + quote(W2_OBJ) + " " + quote(W2_COMMAND_OBJ) +
                     " -nostartfiles -Wl,--no-entry -o " + quote(core.string()) + " 2>&1";
    Cmd c = run(cc);
    EXPECT_EQ(c.status, 0) << cc << "\n" << c.out;
    if (c.status != 0) return "";
    c = run(quote(W2_COMPONO) + " wit embed " + quote(W2_WIT_DIR) + " " + quote(core.string()) + " -o " +
            quote(emb.string()) + " 2>&1");
    EXPECT_EQ(c.status, 0) << "compono wit embed: " << c.out;
    if (c.status != 0) return "";
    c = run(quote(W2_COMPONO) + " new " + quote(emb.string()) + " -o " + quote(comp.string()) + " 2>&1");
    EXPECT_EQ(c.status, 0) << "compono new: " << c.out;
    if (c.status != 0) return "";
    return comp.string();
  }

  struct RunResult {
    int status;
    std::string out, err;
  };
  RunResult exec(const std::string& comp, const std::vector<std::string>& opts, const std::string& stdin_text = "") {
    fs::path dir = fs::path(comp).parent_path();
    fs::path err = dir / "stderr.txt", in = dir / "stdin.txt";
    { std::ofstream(in, std::ios::binary) << stdin_text; }
    std::string cmd = "timeout 120 " + quote(W2_COMPONO) + " run";
    for (const auto& o : opts) cmd += " " + quote(o);
    cmd += " <" + quote(in.string()) + " 2>" + quote(err.string());
    Cmd c = run(cmd);
    return {c.status, c.out, slurp(err)};
  }
};

TEST_F(Wasi2, ArgsEnvStdoutStderr) {
  std::string comp = build(W2_GUEST_PROGRAMS, "args_env");
  ASSERT_FALSE(comp.empty());
  std::vector<std::string> opts = {"--env", "GREETING=hello, world", "--env", "EQ=a=b", "--env", "EMPTY=", comp, "--"};
  opts.insert(opts.end(), std::begin(gp::kArgsEnvArgs), std::end(gp::kArgsEnvArgs));
  auto r = exec(comp, opts);
  EXPECT_EQ(r.status, 0) << r.err;
  gp::expect_args_env(r.out, r.err);
  r = exec(comp, {comp});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "argc=1\nenvc=0\ngetenv(GREETING)=(null)\nisatty=000\n");
}

TEST_F(Wasi2, ExitStatus) {
  std::string comp = build(W2_GUEST_PROGRAMS, "exit_code");
  ASSERT_FALSE(comp.empty());
  for (const auto& c : gp::kExitCases) {
    auto r = exec(comp, {comp, "--", c.mode});
    EXPECT_EQ(r.status, c.status) << c.mode << ": " << r.err;
    EXPECT_EQ(r.out, c.out) << c.mode;
    EXPECT_EQ(r.err, "") << c.mode;
  }
}

TEST_F(Wasi2, ClocksSleepAndRandom) {
  std::string comp = build(W2_GUEST_PROGRAMS, "clock_random");
  ASSERT_FALSE(comp.empty());
  long long before = (long long)std::time(nullptr);
  auto r = exec(comp, {comp});
  long long after = (long long)std::time(nullptr);
  ASSERT_EQ(r.status, 0) << r.err;
  gp::expect_clock_random(r.out, before, after);
}

TEST_F(Wasi2, StdinToEof) {
  std::string comp = build(W2_GUEST_PROGRAMS, "stdin_echo");
  ASSERT_FALSE(comp.empty());
  std::string big;
  for (int i = 0; i < 3000; ++i) big += "line " + std::to_string(i) + " of the input\n";
  auto r = exec(comp, {comp}, big);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, gp::stdin_echo_expected(big));
  r = exec(comp, {comp}, "");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, gp::stdin_echo_expected(""));
}

TEST_F(Wasi2, FilesInAPreopenedDirectory) {
  std::string comp = build(W2_GUEST_PROGRAMS, "files");
  ASSERT_FALSE(comp.empty());
  fs::path sandbox = work() / "files-sandbox";
  fs::remove_all(sandbox);
  fs::create_directories(sandbox);
  auto r = exec(comp, {"--dir", sandbox.string() + "::/sandbox", comp});
  EXPECT_EQ(r.status, 0) << r.err;
  gp::expect_files(r.out, sandbox);
}

TEST_F(Wasi2, LargeDirectoryListing) {
  std::string comp = build(W2_GUEST_PROGRAMS, "dir_many");
  ASSERT_FALSE(comp.empty());
  fs::path sandbox = work() / "dir-sandbox";
  fs::remove_all(sandbox);
  fs::create_directories(sandbox);
  auto r = exec(comp, {"--dir", sandbox.string() + "::/sandbox", comp});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, gp::kDirManyExpected);
  size_t on_host = 0;
  for (auto& e : fs::directory_iterator(sandbox)) (void)e, ++on_host;
  EXPECT_EQ(on_host, 300u);
}

TEST_F(Wasi2, ConfinedToThePreopen) {
  std::string comp = build(W2_PROGRAMS, "confine");
  ASSERT_FALSE(comp.empty());
  fs::path root = work() / "confine-root";
  fs::remove_all(root);
  fs::create_directories(root / "sandbox" / "sub");
  fs::create_directories(root / "outside");
  std::ofstream(root / "sandbox" / "ok.txt") << "hello";
  std::ofstream(root / "outside" / "secret.txt") << "secret";
  fs::create_directory_symlink("../outside", root / "sandbox" / "esc");
  fs::create_symlink(fs::absolute(root / "outside" / "secret.txt"), root / "sandbox" / "abs");
  auto r = exec(comp, {"--dir", (root / "sandbox").string() + "::/sandbox", comp});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "inside: hello\n"
            "dotdot-open: refused\n"
            "dotdot-stat: refused\n"
            "relative-symlink-open: refused\n"
            "relative-symlink-stat: refused\n"
            "absolute-symlink-open: refused\n"
            "nested-dotdot-open: refused\n"
            "dotdot-create: refused\n"
            "dotdot-mkdir: refused\n"
            "dotdot-unlink: refused\n"
            "dotdot-rename: refused\n"
            "dotdot-symlink: refused\n"
            "no-preopen: refused\n"
            "dotdot-inside: ok\n");
  // nothing appeared or vanished outside
  std::vector<std::string> outside;
  for (auto& e : fs::directory_iterator(root / "outside")) outside.push_back(e.path().filename().string());
  EXPECT_EQ(outside, std::vector<std::string>{"secret.txt"});
  EXPECT_EQ(slurp(root / "outside" / "secret.txt"), "secret");
}

TEST_F(Wasi2, MissingPreopenDirectoryIsAnError) {
  std::string comp = build(W2_GUEST_PROGRAMS, "args_env");
  ASSERT_FALSE(comp.empty());
  auto r = exec(comp, {"--dir", (work() / "no-such-dir").string() + "::/x", comp});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("no-such-dir"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

}  // namespace
