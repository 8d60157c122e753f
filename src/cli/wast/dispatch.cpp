// src/cli/wast/dispatch.cpp - choose how to run a script: wast2json output,
// core .wast (converted with wast2json first) or component .wast (hook).
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "cli/wast/wast.h"

extern char** environ;

namespace compono::cli::wast {
namespace {

Counts component_not_supported(const std::string& wast_path, const Options& opts) {
  std::fprintf(opts.out, "%s: component scripts not yet supported\n", wast_path.c_str());
  Counts c;
  c.failed = 1;
  return c;
}

ComponentScriptRunner g_component_runner = &component_not_supported;

bool ends_with(const std::string& s, const char* suffix) {
  std::string x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

bool read_file(const std::string& path, std::string& out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}

Counts one_failure(const Options& opts, const std::string& what) {
  std::fprintf(opts.out, "%s\n", what.c_str());
  Counts c;
  c.failed = 1;
  return c;
}

// Run `wast2json wast -o json`; returns its exit status (or -1).  With
// multi-memory on, wast2json parses that proposal's syntax too (wabt 1.0.32
// knows only the legacy exception-handling text, so nothing is passed for it).
int run_wast2json(const std::string& wast, const std::string& json, const Options& opts) {
  std::vector<std::string> args = {"wast2json", wast, "-o", json};
  if (opts.multi_memory) args.push_back("--enable-multi-memory");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawnp(&pid, "wast2json", nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return -1;
}

}  // namespace

bool parse_wasm_features(const std::string& list, bool& multi_memory, bool& exceptions, std::string& err) {
  size_t i = 0;
  while (i <= list.size()) {
    size_t j = list.find(',', i);
    if (j == std::string::npos) j = list.size();
    std::string name = list.substr(i, j - i);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    if (name == "multi-memory") multi_memory = true;
    else if (name == "exceptions" || name == "exception-handling") exceptions = true;
    else if (name == "all") multi_memory = exceptions = true;
    else if (name == "none") multi_memory = exceptions = false;
    else if (!name.empty()) {
      err = "unknown wasm feature '" + name + "' (known: multi-memory, exceptions, all, none)";
      return false;
    }
    i = j + 1;
  }
  return true;
}

void set_component_script_runner(ComponentScriptRunner runner) {
  g_component_runner = runner ? runner : &component_not_supported;
}

bool is_component_script(const std::string& t) {
  // Look for a `(component` token outside comments and strings.
  size_t i = 0, n = t.size();
  while (i < n) {
    char c = t[i];
    if (c == ';' && i + 1 < n && t[i + 1] == ';') {
      while (i < n && t[i] != '\n') ++i;
    } else if (c == '(' && i + 1 < n && t[i + 1] == ';') {
      int depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (t[i] == '(' && i + 1 < n && t[i + 1] == ';') { ++depth; i += 2; }
        else if (t[i] == ';' && i + 1 < n && t[i + 1] == ')') { --depth; i += 2; }
        else ++i;
      }
    } else if (c == '"') {
      ++i;
      while (i < n && t[i] != '"') i += (t[i] == '\\') ? 2 : 1;
      ++i;
    } else if (c == '(') {
      size_t j = i + 1;
      while (j < n && (t[j] == ' ' || t[j] == '\t' || t[j] == '\n' || t[j] == '\r')) ++j;
      static const char kw[] = "component";
      size_t k = sizeof kw - 1;
      if (t.compare(j, k, kw) == 0) {
        char after = j + k < n ? t[j + k] : ' ';
        if (after == ' ' || after == '\t' || after == '\n' || after == '\r' || after == ')' || after == '$')
          return true;
      }
      ++i;
    } else {
      ++i;
    }
  }
  return false;
}

Counts run_script(const std::string& path, const Options& opts) {
  if (ends_with(path, ".json")) return run_core_json(path, opts);
  if (!ends_with(path, ".wast")) return one_failure(opts, path + ": expected a .wast file or a wast2json .json script");

  std::string text;
  if (!read_file(path, text)) return one_failure(opts, path + ": cannot read file");
  if (is_component_script(text)) return g_component_runner(path, opts);

  // Core script: convert with wast2json into a temporary directory.
  std::error_code ec;
  std::filesystem::path tmp_base = std::filesystem::temp_directory_path(ec);
  if (ec) tmp_base = "/tmp";
  std::string templ = (tmp_base / "compono-wast-XXXXXX").string();
  if (!mkdtemp(templ.data())) return one_failure(opts, path + ": cannot create a temporary directory");
  std::string stem = std::filesystem::path(path).stem().string();
  if (stem.empty()) stem = "script";
  std::string json = templ + "/" + stem + ".json";
  int rc = run_wast2json(path, json, opts);
  Counts c;
  if (rc != 0) {
    c = one_failure(opts, path + ": wast2json failed" + (rc < 0 ? std::string(" (is wabt installed?)") : " (exit code " + std::to_string(rc) + ")"));
  } else {
    c = run_core_json(json, opts);
  }
  std::filesystem::remove_all(templ, ec);
  return c;
}

void print_summary(const Counts& c, const Options& opts) {
  if (c.message_mismatches && !opts.strict_messages) {
    std::fprintf(opts.out,
                 "note: %llu assert_invalid/assert_malformed failed with another message than the spec's "
                 "(counted as passed; --strict-messages to fail them)\n",
                 static_cast<unsigned long long>(c.message_mismatches));
  }
  std::fprintf(opts.out, "%llu passed, %llu failed, %llu skipped\n", static_cast<unsigned long long>(c.passed),
               static_cast<unsigned long long>(c.failed), static_cast<unsigned long long>(c.skipped));
}

}  // namespace compono::cli::wast
