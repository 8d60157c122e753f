// tests/support/process.h - helpers shared by the end-to-end tests that drive
// external tools (clang++-19, jco, node, the `compono` CLI) through a shell.
// Included by test sources only; compono_test() puts tests/support on the
// include path.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace compono_test {

struct Cmd {
  int status = -1;  // exit status, or -1 if the command did not exit normally
  std::string out;  // its stdout (stderr goes where the command sends it)
};

// Single-quotes `s` for /bin/sh.
inline std::string quote(const std::string& s) {
  std::string r = "'";
  for (char c : s) {
    if (c == '\'') r += "'\\''";
    else r += c;
  }
  return r + "'";
}

// Runs a shell command and captures its stdout.
inline Cmd run(const std::string& cmd) {
  Cmd r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
  return r;
}

// The whole file, or "" when it cannot be read.
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A tool path handed over by CMake is usable: set, found, and present.
inline bool usable(const std::string& p) {
  return !p.empty() && p.find("NOTFOUND") == std::string::npos && std::filesystem::exists(p);
}

}  // namespace compono_test
