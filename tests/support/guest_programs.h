// tests/support/guest_programs.h - what the C++ programs of tests/guest/programs
// must print.  The same programs run under two independent hosts: jco +
// node's preview2-shim (tests/guest) and Compono's own WASI 0.2 host
// (tests/wasi2).  Both tests check them with these functions, so the two hosts
// are held to one expectation.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>

#include "process.h"

namespace compono_test::guest_programs {

// args_env with argv {prog, "one", "two words", "", "ünïcödé"} and the env
// GREETING="hello, world", EQ="a=b", EMPTY="", no terminals.
inline constexpr const char* kArgsEnvArgs[] = {"one", "two words", "", "ünïcödé"};
inline void expect_args_env(const std::string& out, const std::string& err) {
  EXPECT_EQ(out,
            "argc=5\n"
            "arg[1]=<one>\n"
            "arg[2]=<two words>\n"
            "arg[3]=<>\n"
            "arg[4]=<ünïcödé>\n"
            "envc=3\n"
            "env:EMPTY=\n"
            "env:EQ=a=b\n"
            "env:GREETING=hello, world\n"
            "getenv(GREETING)=hello, world\n"
            "isatty=000\n");
  EXPECT_EQ(err, "to-stderr\n");
}

// exit_code: each mode, the exit status and what stdout shows (atexit and
// static destructors run, buffered stdout is flushed by exit()).
struct ExitCase {
  const char* mode;
  int status;
  const char* out;
};
inline constexpr ExitCase kExitCases[] = {
    {"return7", 7, "ctor mode=return7 atexit dtor\n"},
    {"exit3", 3, "ctor mode=exit3 exiting-with-3 (no newline, still buffered)atexit dtor\n"},
    {"return1", 1, "ctor mode=return1 atexit dtor\n"},
    {"ok", 0, "ctor mode=ok atexit dtor\n"},
};

// clock_random, run between host times `before` and `after` (seconds).
inline void expect_clock_random(const std::string& out, long long before, long long after) {
  std::istringstream in(out);
  std::string line;
  long long rt = -1, tm = -1, slept = -1, chrono_slept = -1;
  int res_pos = -1, ns_rc = -1, e1 = -1, e2 = -1, rd = -1;
  std::string ra, rb;
  while (std::getline(in, line)) {
    std::sscanf(line.c_str(), "realtime_s=%lld", &rt);
    std::sscanf(line.c_str(), "time()=%lld", &tm);
    std::sscanf(line.c_str(), "monotonic_res_positive=%d", &res_pos);
    std::sscanf(line.c_str(), "nanosleep=%d slept_ms=%lld", &ns_rc, &slept);
    std::sscanf(line.c_str(), "usleep_chrono_ms=%lld", &chrono_slept);
    std::sscanf(line.c_str(), "getentropy=%d,%d", &e1, &e2);
    std::sscanf(line.c_str(), "random_device_differs=%d", &rd);
    if (line.rfind("rand_a=", 0) == 0) ra = line.substr(7);
    if (line.rfind("rand_b=", 0) == 0) rb = line.substr(7);
  }
  EXPECT_GE(rt, before - 1) << out;
  EXPECT_LE(rt, after + 1) << out;
  EXPECT_GE(tm, before - 1) << out;
  EXPECT_LE(tm, after + 1) << out;
  EXPECT_EQ(res_pos, 1) << out;
  EXPECT_EQ(ns_rc, 0) << out;
  EXPECT_GE(slept, 30) << out;  // nanosleep(30ms) -> poll on a duration
  EXPECT_LT(slept, 10000) << out;
  EXPECT_GE(chrono_slept, 10) << out;
  EXPECT_EQ(e1, 0) << out;
  EXPECT_EQ(e2, 0) << out;
  EXPECT_EQ(ra.size(), 64u) << out;
  EXPECT_EQ(rb.size(), 64u) << out;
  EXPECT_NE(ra, rb);
  EXPECT_NE(ra, std::string(64, '0'));
  EXPECT_EQ(rd, 1) << out;
}

// stdin_echo: upper-cases stdin to EOF and counts it.
inline std::string stdin_echo_expected(const std::string& input) {
  std::string upper;
  size_t lines = 0;
  for (char c : input) {
    upper += char(std::toupper((unsigned char)c));
    lines += c == '\n';
  }
  return "poll=1 readable=1\n" + upper + "[" + std::to_string(input.size()) + " bytes, " + std::to_string(lines) +
         " lines]\n";
}

// files, run with the host directory `sandbox` preopened as /sandbox.
inline void expect_files(const std::string& out, const std::filesystem::path& sandbox) {
  EXPECT_EQ(out,
            "fopen-w: ok\n"
            "fclose-w: ok\n"
            "fopen-a: ok\n"
            "fopen-r: ok\n"
            "read 29 bytes\n"
            "line one\nline two\nline three\n"
            "fseek: ok\n"
            "ftell=5\n"
            "at 5: 3 <one>\n"
            "tail <three>\n"
            "stat: ok\n"
            "size=29 regular=1\n"
            "open-rdwr: ok\n"
            "pwrite: ok\n"
            "pread: ok\n"
            "pread <line>\n"
            "ftruncate: ok\n"
            "fstat: ok\n"
            "fstat size=14\n"
            "mkdir: ok\n"
            "mkdir-again-EEXIST: ok\n"
            "rename: ok\n"
            "stat-dir: ok\n"
            "opendir: ok\n"
            "ls /sandbox: data.txt sub/\n"
            "symlink: ok\n"
            "readlink=8 <data.txt>\n"
            "lstat-link: ok\n"
            "stat-through-link: ok\n"
            "unlink-link: ok\n"
            "utimensat: ok\n"
            "stat-times: ok\n"
            "mtime=1234567890.500000000\n"
            "open-missing-ENOENT: ok\n"
            "rmdir-nonempty-ENOTEMPTY: ok\n"
            "unlink: ok\n"
            "rmdir: ok\n"
            "outside-preopen-fails: ok\n"
            "write-bad-fd-EBADF: ok\n"
            "lseek-stdout-ESPIPE: ok\n"
            "open-dir: ok\n"
            "read-dir-EISDIR: ok\n"
            "fstat-closed-EBADF: ok\n"
            "fallocate-ENOTSUP: ok\n"
            "fadvise: ok\n"
            "fsync: ok\n"
            "shutdown-ENOTSUP: ok\n"
            "fcntl-getfl-append: ok\n"
            "append-write: ok\n"
            "append-size-15: ok\n"
            "futimens: ok\n");
  // What the guest did is visible on the host.
  EXPECT_EQ(slurp(sandbox / "data.txt"), "LINE one\nline +");
  EXPECT_EQ(slurp(sandbox / "out.txt"), "written by the guest\n");
  EXPECT_FALSE(std::filesystem::exists(sandbox / "sub"));
}

// dir_many with argument "300": 300 files + . and .., listed, sought, rewound.
inline constexpr const char* kDirManyExpected = "entries=302 all_once=1 dups=0 dot=1 dotdot=1\nseekdir_back=1\nrewind_count=302\n";

}  // namespace compono_test::guest_programs
