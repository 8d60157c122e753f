// Guest for world test:extra/fixed (tests/bindgen/wit/extra.wit): fixed-size
// lists list<T, N> as std::array<T, N>, flat (small N) and in memory (large
// N, nested, strings, inside records and options).
#include "fixed.h"

namespace exports::test::extra::fixed_api {
using ::test::extra::fixed_api::Pixel;

std::array<uint32_t, 4> reverse4(std::array<uint32_t, 4> v) { return {v[3], v[2], v[1], v[0]}; }

double sum8(std::array<double, 8> v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

std::array<compono::String, 3> names(std::array<compono::String, 3> v) {
  std::array<compono::String, 3> out;
  for (std::size_t i = 0; i < 3; ++i) {
    std::string s(v[2 - i].view());
    s += "!";
    out[i] = s;
  }
  return out;
}

Pixel brighten(Pixel p, uint8_t by) {
  for (std::size_t i = 0; i < 3; ++i) p.rgba[i] = uint8_t(p.rgba[i] + by);
  p.pos = {p.pos[1], p.pos[0]};
  return p;
}

std::array<uint16_t, 20> many(std::array<std::array<uint16_t, 2>, 20> v) {
  std::array<uint16_t, 20> out{};
  for (std::size_t i = 0; i < 20; ++i) out[i] = uint16_t(v[i][0] * v[i][1]);
  return out;
}

std::optional<std::array<bool, 3>> opt(std::optional<std::array<bool, 3>> v) {
  if (!v) return std::array<bool, 3>{true, false, true};
  if ((*v)[0] && (*v)[1] && (*v)[2]) return std::nullopt;
  return std::array<bool, 3>{!(*v)[0], !(*v)[1], !(*v)[2]};
}
}  // namespace exports::test::extra::fixed_api
