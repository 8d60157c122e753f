// C++ half of the compono_guest_core_module test module (see mixed_main.c).
#include <string>

namespace {
std::string g_last;  // a global with a constructor and destructor
}

extern "C" const char* mixed_greeting(const char* who) {
  g_last = std::string("hi ") + who + " from C++";
  return g_last.c_str();
}
