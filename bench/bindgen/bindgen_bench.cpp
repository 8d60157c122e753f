// bindgen_bench [WASI_WIT_DIR] [ROUNDS]: loads ../shared/wit/wasi-0.2 and
// generates guest bindings for its worlds (command, proxy, everything).
// Prints per-phase medians; the goal is < 100 ms for all of wasi-0.2.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bindgen/bindgen.h"
#include "wit/wit.h"

namespace {
double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : COMPONO_SHARED_DIR "/wit/wasi-0.2";
  int rounds = argc > 2 ? std::atoi(argv[2]) : 20;
  if (rounds < 1) rounds = 1;
  const char* worlds[] = {"command", "proxy", "everything"};
  std::vector<double> load_ms, gen_ms, total_ms;
  std::size_t bytes = 0;
  for (int r = 0; r < rounds; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    auto loaded = compono::wit::load_path(dir);
    if (!loaded) {
      std::fprintf(stderr, "load: %s\n", loaded.error().to_string().c_str());
      return 1;
    }
    double l = ms_since(t0);
    auto t1 = std::chrono::steady_clock::now();
    bytes = 0;
    for (const char* w : worlds) {
      auto id = loaded->resolve.select_world(loaded->main, w);
      if (!id) {
        std::fprintf(stderr, "world %s: %s\n", w, id.error().to_string().c_str());
        return 1;
      }
      auto files = compono::bindgen::generate_guest_cpp(loaded->resolve, *id);
      if (!files) {
        std::fprintf(stderr, "generate %s: %s\n", w, files.error().to_string().c_str());
        return 1;
      }
      for (const auto& f : *files) bytes += f.contents.size();
    }
    gen_ms.push_back(ms_since(t1));
    load_ms.push_back(l);
    total_ms.push_back(ms_since(t0));
  }
  std::printf("wasi-0.2 (%d rounds, medians): load+resolve %.2f ms, generate 3 worlds %.2f ms, total %.2f ms, "
              "%zu bytes of C++\n",
              rounds, median(load_ms), median(gen_ms), median(total_ms), bytes);
  return 0;
}
