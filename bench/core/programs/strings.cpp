// strings: std::string building and searching plus char-buffer formatting.
// Per repetition: build a ~20 KB record string by appends and number
// formatting, search and slice it, and format lines into a char buffer.
#include <string.h>

#include <string>

#include "harness.h"

namespace {
const char* const kWords[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
                              "golf", "hotel", "india", "juliet", "kilo", "lima"};

// Decimal formatting by hand (no printf), appended to a std::string.
void append_uint(std::string& s, uint32_t v) {
  char tmp[12];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) s.push_back(tmp[--n]);
}

uint64_t bench_run(uint32_t size) {
  BenchRng rng(99);
  uint64_t sum = kBenchSeed;
  char line[96];
  for (uint32_t rep = 0; rep < size; ++rep) {
    std::string s;
    for (int i = 0; i < 1200; ++i) {
      s += kWords[rng.below(12)];
      s += '=';
      append_uint(s, rng.below(100000));
      s += (i % 8 == 7) ? '\n' : ';';
    }
    // Search: count occurrences of a key and of a digit pair.
    size_t count = 0;
    for (size_t at = s.find("delta="); at != std::string::npos; at = s.find("delta=", at + 1)) ++count;
    for (size_t at = s.find("42"); at != std::string::npos; at = s.find("42", at + 1)) ++count;
    // Slice: collect every line's first field into a new string, uppercased.
    std::string firsts;
    size_t start = 0;
    while (start < s.size()) {
      size_t eol = s.find('\n', start);
      if (eol == std::string::npos) eol = s.size();
      std::string field = s.substr(start, s.find('=', start) - start);
      for (char& c : field) c = static_cast<char>(c - 32);
      firsts += field;
      firsts += ',';
      start = eol + 1;
    }
    // Char buffers: build fixed-width lines with memcpy/strlen.
    uint64_t h = 0;
    for (int i = 0; i < 300; ++i) {
      const char* w = kWords[(i + rep) % 12];
      size_t wl = strlen(w);
      memset(line, '.', sizeof line - 1);
      line[sizeof line - 1] = 0;
      memcpy(line + (i % 40), w, wl);
      memcpy(line + 60, s.data() + (i * 53) % (s.size() - 32), 32);
      h = h * 131 + strlen(line) + static_cast<unsigned char>(line[i % 90]);
    }
    // uint64_t: size_t is 32-bit on wasm32.
    sum = bench_mix(sum, uint64_t(s.size()) * 1000003u + uint64_t(firsts.size()) * 131 + count);
    sum = bench_mix(sum, h);
    sum = bench_mix(sum, static_cast<unsigned char>(firsts[rep % firsts.size()]));
  }
  return sum;
}
}  // namespace

BENCH_PROGRAM("strings", 8000, 200)
