#include "wat.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace compono::test {

bool have_wat2wasm() { return std::system("wat2wasm --version >/dev/null 2>&1") == 0; }

bool wat_to_wasm(const std::string& wat, std::vector<uint8_t>& out, std::string& err) {
  static std::atomic<int> counter{0};
  const char* tmp = std::getenv("TMPDIR");
  std::string base = std::string(tmp ? tmp : "/tmp") + "/compono_core_exec_" + std::to_string(getpid()) + "_" +
                     std::to_string(counter++);
  std::string in = base + ".wat", wasm = base + ".wasm", log = base + ".log";
  FILE* f = std::fopen(in.c_str(), "wb");
  if (!f) { err = "cannot write " + in; return false; }
  std::fwrite(wat.data(), 1, wat.size(), f);
  std::fclose(f);
  std::string cmd = "wat2wasm --debug-names '" + in + "' -o '" + wasm + "' 2>'" + log + "'";
  int rc = std::system(cmd.c_str());
  bool ok = rc == 0;
  if (ok) {
    FILE* w = std::fopen(wasm.c_str(), "rb");
    if (!w) { ok = false; err = "no output"; }
    else {
      out.clear();
      uint8_t buf[4096];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, w)) > 0) out.insert(out.end(), buf, buf + n);
      std::fclose(w);
    }
  } else {
    FILE* l = std::fopen(log.c_str(), "rb");
    if (l) {
      char buf[4096];
      size_t n = std::fread(buf, 1, sizeof buf, l);
      err.assign(buf, n);
      std::fclose(l);
    }
  }
  std::remove(in.c_str());
  std::remove(wasm.c_str());
  std::remove(log.c_str());
  return ok;
}

}  // namespace compono::test
