/* C half of the module built by compono_guest_core_module in
 * tests/guest/CMakeLists.txt: main in C, greeting from C++ (mixed_greet.cpp). */
#include <stdio.h>

const char* mixed_greeting(const char* who);

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) printf("%s\n", mixed_greeting(argv[i]));
  return argc > 2 ? 42 : 0;
}
