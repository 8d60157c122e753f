// Guest for world test:extra/dual (tests/bindgen/wit/extra.wit): the world
// imports logger, which uses blobs, so blobs is imported (the host's blob)
// AND exported (this component's blob).  Both sides are used here.
#include <string>

#include "dual.h"
#include "dual_impl.h"

namespace exports::test::extra::blobs {
compono::Own<Blob> make(compono::String text) {
  auto data = compono::List<uint8_t>::with_size(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) data[i] = uint8_t(text.data()[i]);
  return compono::Own<Blob>::make(std::move(data));
}
compono::List<bool> flip(compono::List<bool> v) {
  for (auto& b : v) b = !b;
  return v;
}
}  // namespace exports::test::extra::blobs

namespace exports::test::extra {
using blobs::Blob;
compono::String run() {
  namespace host = ::test::extra::blobs;  // the imported (host) blobs
  namespace log = ::test::extra::logger;
  std::string out;
  const uint8_t raw[] = {1, 2, 3};
  host::Blob a(raw);                        // [constructor]blob
  host::Blob b = host::make("hello");       // own<blob> returned by the host
  out += "a=" + std::to_string(a.size()) + " b=" + std::to_string(b.size());
  host::Blob c = host::Blob::concat(a, b);  // static taking two borrows
  auto bytes = c.bytes();
  out += " c=" + std::to_string(c.size()) + " first=" + std::to_string(bytes.empty() ? -1 : int(bytes[0]));
  out += " log=" + std::to_string(log::log(c));             // borrow<blob>: c stays ours
  out += " kept=" + std::to_string(log::keep(std::move(c)));  // own<blob>: moved to the host
  out += " live=" + std::to_string(log::live()) + "/" + std::to_string(host::Blob::live());
  // list<bool> and list<record { bool, u32 }> import params: passed by pointer.
  const bool flags[] = {true, false, true, true};
  const log::Tagged tags[] = {{true, 10}, {false, 100}, {true, 5}};
  out += " count=" + std::to_string(log::count(flags, tags));
  std::string owned = "héllo";
  auto [sum, lens] = log::measure({1, 2, 3, 4}, {"ab", owned});  // list<string, 2>: std::array<std::string_view, 2>
  out += " measure=" + std::to_string(sum) + "," + std::to_string(lens[0]) + "," + std::to_string(lens[1]);
  // This component's own blob type, used as a plain C++ object.
  exports::test::extra::blobs::Blob mine(compono::List<uint8_t>{9, 9});
  out += " mine=" + std::to_string(mine.size()) + " mine-live=" + std::to_string(Blob::live());
  return out;
}
}  // namespace exports::test::extra
