// The exported resource of world test:hostgen/hostgen (included by the generated glue).
#pragma once
#include "hostgen.h"

namespace exports::test::hostgen::api {
inline uint32_t g_live_counters = 0;
class Counter : public compono::Resource<Counter> {
 public:
  explicit Counter(uint32_t start) : v_(start) { ++g_live_counters; }
  ~Counter() { --g_live_counters; }
  uint32_t get() { return v_; }
  void inc() { ++v_; }
  static compono::Own<Counter> make(uint32_t start) { return compono::Own<Counter>::make(start * 10); }
  static uint32_t live() { return g_live_counters; }

 private:
  uint32_t v_;
};
}  // namespace exports::test::hostgen::api
