// The exported resource of world test:types/types (included by the generated glue).
#pragma once
#include "types.h"

namespace exports::test::types::api {
inline uint32_t g_live_accs = 0;
class Acc : public compono::Resource<Acc> {
 public:
  explicit Acc(int64_t init) : total_(init) { ++g_live_accs; }
  ~Acc() { --g_live_accs; }
  void add(int64_t n) { total_ += n; }
  int64_t total() const { return total_; }
  static compono::Own<Acc> merge(Acc& a, Acc& b) { return compono::Own<Acc>::make(a.total_ + b.total_); }
  static uint32_t live() { return g_live_accs; }
 private:
  int64_t total_;
};
}  // namespace exports::test::types::api
