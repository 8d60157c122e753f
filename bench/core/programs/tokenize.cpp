// tokenize: a table-driven DFA lexer over generated C-like source text
// (identifiers, numbers, strings, comments, operators).  Per repetition: lex a
// 32 KiB text and hash the token stream.
#include <string.h>

#include "harness.h"

namespace {
enum State : uint8_t { START, IDENT, NUMBER, STRING, STRING_ESC, SLASH, COMMENT, OP, NSTATES };
enum Class : uint8_t { C_SPACE, C_ALPHA, C_DIGIT, C_QUOTE, C_BACKSLASH, C_SLASH, C_NEWLINE, C_OP, C_OTHER, NCLASSES };

uint8_t char_class[256];
uint8_t next_state[NSTATES][NCLASSES];
// Whether leaving `state` on `class` ends the current token before this char.
bool ends_token[NSTATES][NCLASSES];

void build_tables() {
  for (int c = 0; c < 256; ++c) {
    uint8_t k = C_OTHER;
    if (c == ' ' || c == '\t' || c == '\r') k = C_SPACE;
    else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') k = C_ALPHA;
    else if (c >= '0' && c <= '9') k = C_DIGIT;
    else if (c == '"') k = C_QUOTE;
    else if (c == '\\') k = C_BACKSLASH;
    else if (c == '/') k = C_SLASH;
    else if (c == '\n') k = C_NEWLINE;
    else if (strchr("+-*=<>!&|;,(){}[]", c)) k = C_OP;
    char_class[c] = k;
  }
  auto from_start = [](uint8_t k) -> uint8_t {
    switch (k) {
      case C_ALPHA: return IDENT;
      case C_DIGIT: return NUMBER;
      case C_QUOTE: return STRING;
      case C_SLASH: return SLASH;
      case C_OP: return OP;
      default: return START;
    }
  };
  for (int s = 0; s < NSTATES; ++s)
    for (int k = 0; k < NCLASSES; ++k) {
      uint8_t ns = from_start(uint8_t(k));
      bool end = s != START;
      switch (s) {
        case IDENT: if (k == C_ALPHA || k == C_DIGIT) { ns = IDENT; end = false; } break;
        case NUMBER: if (k == C_DIGIT || k == C_ALPHA) { ns = NUMBER; end = false; } break;
        case STRING:
          end = false;
          ns = k == C_QUOTE ? START : k == C_BACKSLASH ? STRING_ESC : STRING;
          break;
        case STRING_ESC: end = false; ns = STRING; break;
        case SLASH: if (k == C_SLASH) { ns = COMMENT; end = false; } break;
        case COMMENT: end = k == C_NEWLINE; ns = k == C_NEWLINE ? START : COMMENT; break;
        case OP: if (k == C_OP) { ns = OP; end = false; } break;
        default: break;
      }
      next_state[s][k] = ns;
      ends_token[s][k] = end;
    }
}

size_t generate(char* out, size_t cap, BenchRng& rng) {
  static const char* const pieces[] = {
      "int ", "count", " = ", "42", ";\n", "while (", "x < 100", ") {\n", "}\n", "\"hello, world\"",
      "// a comment here\n", "return ", "a+b*c", "\"esc\\\"aped\"", "value_2", " != ", "0x1f", ", "};
  size_t n = 0;
  while (n + 32 < cap) {
    const char* p = pieces[rng.below(sizeof pieces / sizeof pieces[0])];
    size_t len = strlen(p);
    memcpy(out + n, p, len);
    n += len;
  }
  out[n] = '\n';
  return n + 1;
}

uint64_t bench_run(uint32_t size) {
  constexpr size_t CAP = 32768;
  static char text[CAP];
  build_tables();
  BenchRng rng(5);
  uint64_t sum = kBenchSeed;
  for (uint32_t rep = 0; rep < size; ++rep) {
    size_t len = generate(text, CAP, rng);
    uint8_t state = START;
    uint64_t tokens = 0, h = 0;
    size_t token_start = 0;
    for (size_t i = 0; i < len; ++i) {
      uint8_t k = char_class[static_cast<unsigned char>(text[i])];
      if (ends_token[state][k]) {
        ++tokens;
        h = h * 31 + state * 1000 + (i - token_start);
      }
      uint8_t ns = next_state[state][k];
      if (ns != state || ends_token[state][k]) token_start = i;
      state = ns;
    }
    sum = bench_mix(sum, tokens);
    sum = bench_mix(sum, h);
  }
  return sum;
}
}  // namespace

BENCH_PROGRAM("tokenize", 2000, 100)
