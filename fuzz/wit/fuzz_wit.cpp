// libFuzzer target: WIT text -> parse + resolve -> print -> reparse -> print
// (must be identical) -> encode every world.  Any crash, sanitizer report or
// broken round trip is a bug.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "wit/wit.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  {
    // the input as a binary component type, too: must not crash
    std::vector<std::uint8_t> raw(data, data + size);
    auto d = compono::wit::decode_world_type(raw);
    if (d) (void)compono::wit::print_loaded(*d);
  }
  std::string_view text(reinterpret_cast<const char*>(data), size);
  compono::wit::Options opts;
  opts.all_features = size > 0 && (data[0] & 1);
  auto loaded = compono::wit::load_string("fuzz.wit", text, opts);
  if (!loaded) {
    if (loaded.error().message.empty()) std::abort();  // every error says something
    return 0;
  }
  std::string printed = compono::wit::print_loaded(*loaded);
  auto again = compono::wit::load_string("printed.wit", printed, opts);
  if (!again) {
    std::fprintf(stderr, "printed WIT does not parse: %s\n--- printed:\n%s\n", again.error().message.c_str(),
                 printed.c_str());
    std::abort();
  }
  std::string printed2 = compono::wit::print_loaded(*again);
  if (printed != printed2) {
    std::fprintf(stderr, "round trip differs\n--- first:\n%s\n--- second:\n%s\n", printed.c_str(), printed2.c_str());
    std::abort();
  }
  const auto& r = loaded->resolve;
  for (std::size_t w = 0; w < r.worlds.size(); ++w) {
    auto bytes = compono::wit::encode_world_type(r, static_cast<compono::wit::WorldId>(w));
    if (!bytes) continue;
    auto back = compono::wit::decode_world_type(*bytes);
    if (!back) {
      std::fprintf(stderr, "encoded world does not decode: %s\n", back.error().to_string().c_str());
      std::abort();
    }
  }
  for (std::size_t i = 0; i < r.types.size(); ++i) {
    compono::wit::Type t = compono::wit::Type::def(static_cast<compono::wit::TypeId>(i));
    (void)compono::wit::size_align(r, t);
    std::vector<compono::wit::CoreType> flat;
    compono::wit::flatten(r, t, flat);
    if (flat.size() > compono::wit::kFlattenLimit + 64) std::abort();
  }
  return 0;
}
