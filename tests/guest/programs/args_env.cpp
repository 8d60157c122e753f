// Prints its arguments and environment (sorted) so the test can compare them
// with what the host passed.  Uses iostream and stdio (both go through fd_write).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

extern char** environ;

int main(int argc, char** argv) {
  std::cout << "argc=" << argc << "\n";
  for (int i = 1; i < argc; ++i) std::printf("arg[%d]=<%s>\n", i, argv[i]);
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  std::sort(env.begin(), env.end());
  std::cout << "envc=" << env.size() << "\n";
  for (const auto& e : env) std::cout << "env:" << e << "\n";
  const char* g = std::getenv("GREETING");
  std::cout << "getenv(GREETING)=" << (g ? g : "(null)") << "\n";
  std::cerr << "to-stderr\n";
  std::cout << "isatty=" << isatty(0) << isatty(1) << isatty(2) << "\n";
  return 0;
}
