// A reactor (no main): exports greet(string) -> string and counter() -> u32,
// lowered by hand per the canonical ABI.  Constructors run once, from
// _initialize (crt1-reactor), before the first export call; the exports use
// stdio and getenv through the shim.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "compono_guest/cabi.h"

struct Counter {
  uint32_t value;
  Counter() : value(41) { std::printf("constructed\n"); }
};
static Counter g_counter;

struct RetString {
  char* ptr;
  size_t len;
};
static RetString g_ret;

// greet: func(name: string) -> string  ==  (func (param i32 i32) (result i32))
extern "C" __attribute__((export_name("greet"))) RetString* greet(char* name, size_t len) {
  std::string who(name, len);
  compono_cabi_free(name, len);  // the host allocated the argument with cabi_realloc
  const char* punct = std::getenv("PUNCT");
  std::string s = "Hello, " + who + (punct ? punct : "?");
  std::printf("greet(%s)\n", who.c_str());
  std::fflush(stdout);
  g_ret.len = s.size();
  g_ret.ptr = static_cast<char*>(std::malloc(s.size() ? s.size() : 1));
  std::memcpy(g_ret.ptr, s.data(), s.size());
  return &g_ret;
}

extern "C" __attribute__((export_name("cabi_post_greet"))) void greet_post(RetString* r) { std::free(r->ptr); }

extern "C" __attribute__((export_name("counter"))) uint32_t counter() { return ++g_counter.value; }
