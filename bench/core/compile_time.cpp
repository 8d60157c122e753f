// bench_core_compile: time compono's compile step (decode + validate +
// translate, i.e. compono::wasm::Module::compile) on wasm files.
//
//   bench_core_compile [--reps N] file.wasm...
//
// For each file prints one line:
//   compile <file> bytes=<n> code_bytes=<n> funcs=<n> best_ms=<ms> median_ms=<ms>
//           code_mb_per_s=<code section MB/s>
// or "compile <file> error=<message>" (exit code 1).  Timing only; no assertions.
#include <compono/core.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {
bool read_file(const char* path, std::vector<uint8_t>& out) {
  std::FILE* f = std::fopen(path, "rb");
  if (!f) return false;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}
// Size of the code section and its function count, by walking the section
// headers (0 if the file is not a well-formed module; compile reports why).
void code_section(const std::vector<uint8_t>& b, size_t& bytes, uint32_t& funcs) {
  bytes = 0;
  funcs = 0;
  auto leb = [&](size_t& at, uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 35 && at < b.size(); shift += 7) {
      uint8_t c = b[at++];
      v |= uint64_t(c & 0x7f) << shift;
      if (!(c & 0x80)) return true;
    }
    return false;
  };
  size_t at = 8;
  while (at < b.size()) {
    uint8_t id = b[at++];
    uint64_t size;
    if (!leb(at, size) || size > b.size() - at) return;
    if (id == 10) {
      size_t p = at;
      uint64_t n;
      if (leb(p, n)) funcs = uint32_t(n);
      bytes = size_t(size);
      return;
    }
    at += size_t(size);
  }
}
}  // namespace

int main(int argc, char** argv) {
  int reps = 10;
  std::vector<const char*> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      reps = std::atoi(argv[++i]);
      if (reps < 1) reps = 1;
    } else if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::printf("usage: %s [--reps N] file.wasm...\n", argv[0]);
      return 0;
    } else {
      files.push_back(argv[i]);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s [--reps N] file.wasm...\n", argv[0]);
    return 2;
  }
  int status = 0;
  for (const char* path : files) {
    std::vector<uint8_t> bytes;
    if (!read_file(path, bytes)) {
      std::printf("compile %s error=cannot read file\n", path);
      status = 1;
      continue;
    }
    std::vector<double> ms;
    std::string error;
    for (int r = 0; r < reps && error.empty(); ++r) {
      auto t0 = std::chrono::steady_clock::now();
      auto module = compono::wasm::Module::compile(bytes);
      auto t1 = std::chrono::steady_clock::now();
      if (!module) {
        error = module.error().to_string();
        break;
      }
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    if (!error.empty()) {
      std::printf("compile %s error=%s\n", path, error.c_str());
      status = 1;
      continue;
    }
    std::sort(ms.begin(), ms.end());
    double best = ms.front(), median = ms[ms.size() / 2];
    size_t code_bytes;
    uint32_t funcs;
    code_section(bytes, code_bytes, funcs);
    std::printf("compile %s bytes=%zu code_bytes=%zu funcs=%u best_ms=%.3f median_ms=%.3f code_mb_per_s=%.1f\n",
                path, bytes.size(), code_bytes, funcs, best, median, best > 0 ? code_bytes / 1e3 / best : 0.0);
  }
  return status;
}
