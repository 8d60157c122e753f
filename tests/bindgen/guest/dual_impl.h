// The exported `blob` of world test:extra/dual (included by the generated glue).
// The world also imports test:extra/blobs (the host's blobs): that one is
// ::test::extra::blobs::Blob, this one ::exports::test::extra::blobs::Blob.
#pragma once
#include <cstring>

#include "dual.h"

namespace exports::test::extra::blobs {
inline uint32_t g_live_blobs = 0;
class Blob : public compono::Resource<Blob> {
 public:
  explicit Blob(compono::List<uint8_t> data) : data_(std::move(data)) { ++g_live_blobs; }
  ~Blob() { --g_live_blobs; }
  uint32_t size() const { return uint32_t(data_.size()); }
  compono::List<uint8_t> bytes() const { return data_; }
  static compono::Own<Blob> concat(Blob& a, Blob& b) {
    auto all = compono::List<uint8_t>::with_size(a.data_.size() + b.data_.size());
    if (a.size()) std::memcpy(all.data(), a.data_.data(), a.size());
    if (b.size()) std::memcpy(all.data() + a.size(), b.data_.data(), b.size());
    return compono::Own<Blob>::make(std::move(all));
  }
  static uint32_t live() { return g_live_blobs; }
 private:
  compono::List<uint8_t> data_;
};
}  // namespace exports::test::extra::blobs
