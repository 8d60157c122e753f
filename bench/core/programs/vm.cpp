// vm: a small stack-based byte-code interpreter (a switch-dispatched state
// machine).  The byte-code program computes, for k in [0, 2000), the number of
// Collatz steps of k+start and sums them.  Per repetition: one program run.
#include "harness.h"

namespace {
enum Op : uint8_t {
  PUSH,   // imm8 -> push imm
  LOAD,   // r    -> push reg[r]
  STORE,  // r    -> reg[r] = pop
  ADD, SUB, MUL, DIVU, MOD, SHR1, AND1, LTU, EQ,
  JMP,    // off16 absolute
  JZ,     // off16 absolute, pops condition
  HALT,
};

struct Vm {
  uint32_t reg[8];
  uint32_t stack[64];
};

uint32_t run(Vm& vm, const uint8_t* code) {
  uint32_t* sp = vm.stack;
  const uint8_t* pc = code;
  for (;;) {
    uint8_t op = *pc++;
    switch (op) {
      case PUSH: *sp++ = *pc++; break;
      case LOAD: *sp++ = vm.reg[*pc++]; break;
      case STORE: vm.reg[*pc++] = *--sp; break;
      case ADD: --sp; sp[-1] += sp[0]; break;
      case SUB: --sp; sp[-1] -= sp[0]; break;
      case MUL: --sp; sp[-1] *= sp[0]; break;
      case DIVU: --sp; sp[-1] = sp[0] ? sp[-1] / sp[0] : 0; break;
      case MOD: --sp; sp[-1] = sp[0] ? sp[-1] % sp[0] : 0; break;
      case SHR1: sp[-1] >>= 1; break;
      case AND1: sp[-1] &= 1; break;
      case LTU: --sp; sp[-1] = sp[-1] < sp[0]; break;
      case EQ: --sp; sp[-1] = sp[-1] == sp[0]; break;
      case JMP: pc = code + (pc[0] | (pc[1] << 8)); break;
      case JZ: {
        uint32_t target = pc[0] | (pc[1] << 8);
        pc += 2;
        if (*--sp == 0) pc = code + target;
        break;
      }
      case HALT: return vm.reg[0];
      default: return 0xdeadbeef;
    }
  }
}

// Assembler helpers.
struct Asm {
  uint8_t code[256];
  int n = 0;
  void op(uint8_t o) { code[n++] = o; }
  void op(uint8_t o, uint8_t a) { code[n++] = o; code[n++] = a; }
  int jump(uint8_t o) { code[n++] = o; code[n++] = 0; code[n++] = 0; return n - 2; }
  void patch(int at, int target) { code[at] = uint8_t(target); code[at + 1] = uint8_t(target >> 8); }
};

// r0 = total, r1 = k, r2 = x, r3 = limit (2000), r4 = start
void assemble(Asm& a) {
  a.op(PUSH, 0); a.op(STORE, 0);
  a.op(PUSH, 0); a.op(STORE, 1);
  int outer = a.n;
  a.op(LOAD, 1); a.op(LOAD, 3); a.op(LTU);
  int exit_outer = a.jump(JZ);
  a.op(LOAD, 1); a.op(LOAD, 4); a.op(ADD); a.op(STORE, 2);   // x = k + start
  int inner = a.n;
  a.op(LOAD, 2); a.op(PUSH, 1); a.op(EQ);
  int not_one = a.jump(JZ);
  int done_inner = a.jump(JMP);
  a.patch(not_one, a.n);
  a.op(LOAD, 0); a.op(PUSH, 1); a.op(ADD); a.op(STORE, 0);   // total++
  a.op(LOAD, 2); a.op(AND1);
  int even = a.jump(JZ);
  a.op(LOAD, 2); a.op(PUSH, 3); a.op(MUL); a.op(PUSH, 1); a.op(ADD); a.op(STORE, 2);  // x = 3x+1
  a.patch(a.jump(JMP), inner);
  a.patch(even, a.n);
  a.op(LOAD, 2); a.op(SHR1); a.op(STORE, 2);                  // x >>= 1
  a.patch(a.jump(JMP), inner);
  a.patch(done_inner, a.n);
  a.op(LOAD, 1); a.op(PUSH, 1); a.op(ADD); a.op(STORE, 1);   // k++
  a.patch(a.jump(JMP), outer);
  a.patch(exit_outer, a.n);
  a.op(HALT);
}

uint64_t bench_run(uint32_t size) {
  Asm a;
  assemble(a);
  uint64_t sum = kBenchSeed;
  for (uint32_t rep = 0; rep < size; ++rep) {
    Vm vm{};
    vm.reg[3] = 2000;
    vm.reg[4] = 1 + (rep % 7) * 1000;
    sum = bench_mix(sum, run(vm, a.code));
  }
  return sum;
}
}  // namespace

BENCH_PROGRAM("vm", 100, 5)
