// guest_wasi_test - the preview-1-on-0.2 shim end to end.
//
// Each test compiles a C++ program from tests/guest/programs with clang++-19
// for wasm32-wasi, links it with the guest runtime (compono_guest_wasi.o or
// libcompono_guest_wasi.a), checks the core module imports only WASI 0.2
// interfaces of the compono:guest/imports world (Compono's own decoder and
// validator, plus wasm-objdump when installed), makes a component with `jco embed` +
// `jco new`, transpiles it with `jco transpile`, runs it in node 20 under
// @bytecodealliance/preview2-shim (run_component.mjs supplies args, env and
// preopens) and asserts its stdout, stderr, exit status and host-side files.
// Missing tools (jco, node, clang-19) make tests skip with the reason.
#include <compono/core.h>
#include <gtest/gtest.h>
#include <guest_programs.h>
#include <process.h>
#include <sys/wait.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
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


// The interfaces the guest runtime may import: the `import ...;` lines of
// guest/wit/world.wit (world compono:guest/imports).
std::set<std::string> world_imports() {
  std::set<std::string> out;
  std::istringstream in(slurp(GUEST_WORLD_WIT));
  std::string line;
  while (std::getline(in, line)) {
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line.compare(i, 7, "import ") != 0) continue;
    size_t semi = line.find(';', i);
    if (semi != std::string::npos) out.insert(line.substr(i + 7, semi - i - 7));
  }
  return out;
}

enum class Link { Object, Archive, Reactor };

class GuestWasi : public ::testing::Test {
 protected:
  static fs::path work() { return GUEST_WORK_DIR; }

  void SetUp() override {
    if (!GUEST_AVAILABLE || !compono_test::usable(GUEST_CXX)) GTEST_SKIP() << "clang++-19 / wasi-libc not found: guest library not built";
    if (!fs::exists(GUEST_OBJ) || !fs::exists(GUEST_LIB)) GTEST_SKIP() << "guest library not built: " << GUEST_OBJ;
    if (!compono_test::usable(GUEST_JCO)) GTEST_SKIP() << "jco not installed (run scripts/setup.sh): " << GUEST_JCO;
    if (!compono_test::usable(GUEST_NODE)) GTEST_SKIP() << "node not found";
    // node resolves @bytecodealliance/preview2-shim from <work>/node_modules for both
    // the runner and the transpiled component, so they share one shim instance.
    // Tests run in parallel processes: create/replace these atomically.
    std::error_code ec;
    fs::create_directories(work(), ec);
    std::string me = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    if (!fs::exists(work() / "node_modules")) {
      fs::path tmp = work() / ("node_modules." + me);
      fs::remove(tmp, ec);
      fs::create_directory_symlink(GUEST_NODE_MODULES, tmp, ec);
      fs::rename(tmp, work() / "node_modules", ec);
      if (ec) fs::remove(tmp, ec);
    }
    fs::path tmp = work() / ("run_component.mjs." + me);
    fs::copy_file(GUEST_RUNNER, tmp, fs::copy_options::overwrite_existing, ec);
    ASSERT_FALSE(ec) << "copy runner: " << ec.message();
    fs::rename(tmp, work() / "run_component.mjs", ec);
    ASSERT_FALSE(ec) << "install runner: " << ec.message();
    ASSERT_TRUE(fs::exists(work() / "node_modules" / "@bytecodealliance" / "preview2-shim"));
  }

  // A WIT dir for tests/guest/wit/reactor.wit, sharing the guest build's deps/
  // (links to the shared WASI 0.2 packages and guest/wit/world.wit).
  static fs::path stage_reactor_wit(const fs::path& dir) {
    fs::path wit = dir / "wit";
    fs::create_directories(wit);
    fs::copy_file(GUEST_TEST_WIT, wit / "reactor.wit", fs::copy_options::overwrite_existing);
    fs::create_directory_symlink(fs::path(GUEST_WIT_DIR) / "deps", wit / "deps");
    return wit;
  }

  // Builds programs/<prog>.cpp into a transpiled component under work()/<tag>;
  // returns the path of the transpiled JS module, or "" after a test failure.
  std::string build(const std::string& prog, Link link = Link::Object) {
    std::string tag = prog + (link == Link::Archive ? "-archive" : "");
    fs::path dir = work() / tag;
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir);
    fs::path core = dir / (prog + ".core.wasm");
    std::string runtime;
    switch (link) {
      case Link::Object:
        runtime = quote(GUEST_OBJ) + " " + quote(GUEST_COMMAND_OBJ) + " -nostartfiles -Wl,--no-entry";
        break;
      case Link::Archive:
        runtime = quote(GUEST_COMMAND_OBJ) + " -Wl,--whole-archive " + quote(GUEST_LIB) +
                  " -Wl,--no-whole-archive -nostartfiles -Wl,--no-entry";
        break;
      case Link::Reactor:
        runtime = quote(GUEST_OBJ) + " -mexec-model=reactor";
        break;
    }
    std::string cc = quote(GUEST_CXX) + " --target=wasm32-wasi -O2 -fno-exceptions -I" + quote(GUEST_INCLUDE_DIR) +
                     " " + quote(std::string(GUEST_PROGRAMS_DIR) + "/" + prog + ".cpp") + " " + runtime + " -o " +
                     quote(core.string()) + " 2>&1";
    Cmd c = run(cc);
    EXPECT_EQ(c.status, 0) << cc << "\n" << c.out;
    if (c.status != 0) return "";
    EXPECT_EQ(c.out, "") << "compiler/linker warnings:\n" << c.out;

    return componentize(core, dir, prog, link == Link::Reactor);
  }

  // Checks a core module, makes it a component (jco embed + new) and
  // transpiles it; returns the JS module path or "" after a test failure.
  std::string componentize(const fs::path& core, const fs::path& dir, const std::string& prog, bool reactor) {
    fs::path embedded = dir / (prog + ".embed.wasm");
    fs::path component = dir / (prog + ".component.wasm");
    check_core_module(core, reactor ? std::set<std::string>{"memory", "cabi_realloc", "_initialize", "greet",
                                                            "cabi_post_greet", "counter"}
                                    : std::set<std::string>{"memory", "cabi_realloc", "wasi:cli/run@0.2.12#run"});

    Cmd c;
    std::string wit_dir = reactor ? stage_reactor_wit(dir).string() : std::string(GUEST_WIT_DIR);
    std::string world = reactor ? "lib" : "command";
    std::string jco = quote(GUEST_JCO);
    c = run(jco + " embed --wit " + quote(wit_dir) + " -n " + world + " " + quote(core.string()) + " -o " +
            quote(embedded.string()) + " 2>&1");
    EXPECT_EQ(c.status, 0) << "jco embed: " << c.out;
    if (c.status != 0) return "";
    c = run(jco + " new " + quote(embedded.string()) + " -o " + quote(component.string()) + " 2>&1");
    EXPECT_EQ(c.status, 0) << "jco new: " << c.out;
    if (c.status != 0) return "";
    c = run(jco + " wit " + quote(component.string()) + " 2>&1");
    EXPECT_EQ(c.status, 0) << c.out;
    EXPECT_NE(c.out.find(reactor ? "export greet: func(name: string) -> string;" : "export wasi:cli/run@0.2.12;"),
              std::string::npos)
        << c.out;
    EXPECT_EQ(c.out.find("preview1"), std::string::npos) << c.out;
    c = run(jco + " transpile " + quote(component.string()) + " -o " + quote((dir / "js").string()) +
            " --name " + quote(prog) + " --no-typescript -q 2>&1");
    EXPECT_EQ(c.status, 0) << "jco transpile: " << c.out;
    if (c.status != 0) return "";
    return (dir / "js" / (prog + ".js")).string();
  }

  // Compono's own engine must accept the module (decode + validate); its
  // imports are only functions from the world's WASI 0.2.12 interfaces,
  // nothing of preview 1, and its exports exactly `want_exports`.
  void check_core_module(const fs::path& core, const std::set<std::string>& want_exports) {
    std::ifstream in(core, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto module = compono::wasm::Module::compile(bytes);
    ASSERT_TRUE(module.has_value()) << core << ": " << module.error().to_string();
    auto imports = module->imports();
    EXPECT_FALSE(imports.empty());
    static const std::set<std::string> kWorldImports = world_imports();
    ASSERT_EQ(kWorldImports.count("wasi:cli/stdout@0.2.12"), 1u) << "cannot read the imports of " << GUEST_WORLD_WIT;
    for (const auto& imp : imports) {
      EXPECT_EQ(imp.type.kind, compono::wasm::ExternKind::Func) << imp.module << "#" << imp.name;
      EXPECT_EQ(kWorldImports.count(imp.module), 1u) << "import outside the world: " << imp.module << "#" << imp.name;
    }
    std::set<std::string> exports;
    for (const auto& e : module->exports()) exports.insert(e.name);
    EXPECT_EQ(exports, want_exports);
    if (compono_test::usable(GUEST_WASM_OBJDUMP)) {
      Cmd d = run(quote(GUEST_WASM_OBJDUMP) + " -x -j Import " + quote(core.string()) + " 2>&1");
      EXPECT_EQ(d.status, 0) << d.out;
      EXPECT_EQ(d.out.find("wasi_snapshot_preview1"), std::string::npos) << d.out;
      EXPECT_NE(d.out.find("<- wasi:cli/"), std::string::npos) << d.out;
    } else {
      std::printf("[ note ] wasm-objdump not installed; imports checked with Compono's decoder only\n");
    }
  }

  struct RunResult {
    int status;
    std::string out, err;
  };
  RunResult exec(const std::string& js, const std::vector<std::string>& opts, const std::string& stdin_text = "") {
    fs::path err = fs::path(js).parent_path() / "stderr.txt";
    fs::path in = fs::path(js).parent_path() / "stdin.txt";
    { std::ofstream(in, std::ios::binary) << stdin_text; }
    std::string cmd = "cd " + quote(work().string()) + " && " + quote(GUEST_NODE) + " run_component.mjs " + quote(js);
    for (const auto& o : opts) cmd += " " + quote(o);
    cmd += " <" + quote(in.string()) + " 2>" + quote(err.string());
    Cmd c = run(cmd);
    return {c.status, c.out, slurp(err)};
  }
};

TEST_F(GuestWasi, ArgsEnvStdoutStderr) {
  std::string js = build("args_env");
  ASSERT_FALSE(js.empty());
  std::vector<std::string> opts = {"--env", "GREETING=hello, world", "--env", "EQ=a=b", "--env", "EMPTY=", "--"};
  opts.insert(opts.end(), std::begin(gp::kArgsEnvArgs), std::end(gp::kArgsEnvArgs));
  auto r = exec(js, opts);
  EXPECT_EQ(r.status, 0) << r.err;
  gp::expect_args_env(r.out, r.err);
  // the same with the host saying all three are terminals
  r = exec(js, {"--tty"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "argc=1\nenvc=0\ngetenv(GREETING)=(null)\nisatty=111\n");
}

TEST_F(GuestWasi, ArchiveLinkRecipeGivesTheSameProgram) {
  std::string js = build("args_env", Link::Archive);
  ASSERT_FALSE(js.empty());
  auto r = exec(js, {"--env", "GREETING=x", "--", "a"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "argc=2\narg[1]=<a>\nenvc=1\nenv:GREETING=x\ngetenv(GREETING)=x\nisatty=000\n");
}

TEST_F(GuestWasi, FilesInAPreopenedDirectory) {
  std::string js = build("files");
  ASSERT_FALSE(js.empty());
  fs::path sandbox = fs::path(js).parent_path().parent_path() / "sandbox";
  fs::remove_all(sandbox);
  fs::create_directories(sandbox);
  auto r = exec(js, {"--preopen", "/sandbox=" + sandbox.string()});
  EXPECT_EQ(r.status, 0) << r.err;
  gp::expect_files(r.out, sandbox);
}

TEST_F(GuestWasi, ClocksSleepAndRandom) {
  std::string js = build("clock_random");
  ASSERT_FALSE(js.empty());
  long long before = (long long)std::time(nullptr);
  auto r = exec(js, {});
  long long after = (long long)std::time(nullptr);
  ASSERT_EQ(r.status, 0) << r.err;
  gp::expect_clock_random(r.out, before, after);
}

TEST_F(GuestWasi, ExitStatus) {
  std::string js = build("exit_code");
  ASSERT_FALSE(js.empty());
  // status via wasi:cli/exit exit-with-code, or run's result
  for (const auto& c : gp::kExitCases) {
    auto r = exec(js, {"--", c.mode});
    EXPECT_EQ(r.status, c.status) << c.mode << ": " << r.err;
    EXPECT_EQ(r.out, c.out) << c.mode;
    EXPECT_EQ(r.err, "") << c.mode;
  }
}

TEST_F(GuestWasi, StdinToEof) {
  std::string js = build("stdin_echo");
  ASSERT_FALSE(js.empty());
  std::string big;
  for (int i = 0; i < 3000; ++i) big += "line " + std::to_string(i) + "\n";  // > several 4 KiB chunks
  auto r = exec(js, {}, big);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, gp::stdin_echo_expected(big));
  r = exec(js, {}, "");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, gp::stdin_echo_expected(""));
}

TEST_F(GuestWasi, LargeDirectoryListing) {
  std::string js = build("dir_many");
  ASSERT_FALSE(js.empty());
  fs::path sandbox = fs::path(js).parent_path().parent_path() / "sandbox-many";
  fs::remove_all(sandbox);
  fs::create_directories(sandbox);
  // 300 names of ~55 bytes: several fd_readdir buffers, with entries cut at buffer ends
  auto r = exec(js, {"--preopen", "/sandbox=" + sandbox.string(), "--", "300"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, gp::kDirManyExpected);
  size_t on_host = 0;
  for (auto it = fs::directory_iterator(sandbox); it != fs::directory_iterator(); ++it) ++on_host;
  EXPECT_EQ(on_host, 300u);
}

TEST_F(GuestWasi, ReactorLibraryComponent) {
  std::string js = build("reactor_lib", Link::Reactor);
  ASSERT_FALSE(js.empty());
  auto r = exec(js, {"--env", "PUNCT=!", "--call", "counter", "--call", "greet=[\"Wörld\"]", "--call", "counter",
                     "--call", "greet=[\"\"]"});
  EXPECT_EQ(r.status, 0) << r.err;
  // constructors ran once (from _initialize), before the first call
  EXPECT_EQ(r.out,
            "constructed\n"
            "counter -> 42\n"
            "greet(Wörld)\n"
            "greet -> \"Hello, Wörld!\"\n"
            "counter -> 43\n"
            "greet()\n"
            "greet -> \"Hello, !\"\n");
}

TEST_F(GuestWasi, CMakeHelperModuleFromCAndCxx) {
  // guest_test_mixed_core was built by compono_guest_core_module at build time.
  ASSERT_TRUE(fs::exists(GUEST_HELPER_MODULE)) << GUEST_HELPER_MODULE;
  fs::path dir = work() / "mixed";
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  std::string js = componentize(GUEST_HELPER_MODULE, dir, "mixed", false);
  ASSERT_FALSE(js.empty());
  auto r = exec(js, {"--", "ann"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "hi ann from C++\n");
  r = exec(js, {"--", "bob", "cy"});
  EXPECT_EQ(r.status, 42) << r.err;
  EXPECT_EQ(r.out, "hi bob from C++\nhi cy from C++\n");
}

}  // namespace
