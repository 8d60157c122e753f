// The exported resource of tests/component_new/shapes/wit (world shapes),
// included by the generated glue.
#pragma once
#include <string>

#include "shapes.h"

namespace exports::test::shapes::store {
inline uint32_t g_live_shelves = 0;
class Shelf : public compono::Resource<Shelf> {
 public:
  explicit Shelf(compono::String name) : name_(name.view()) { ++g_live_shelves; }
  ~Shelf() { --g_live_shelves; }
  void put(uint32_t x) {
    sum_ += x;
    ++n_;
  }
  uint32_t count() { return n_; }
  static compono::Own<Shelf> merge(Shelf& a, compono::Own<Shelf> b) {
    auto r = compono::Own<Shelf>::make(compono::String(a.name_ + "+" + b->name_));
    r->sum_ = a.sum_ + b->sum_;
    r->n_ = a.n_ + b->n_;
    return r;  // b's destructor runs here
  }
  std::string name_;
  uint32_t sum_ = 0, n_ = 0;
};
}  // namespace exports::test::shapes::store
