// Component-type encoding: a world -> the binary component describing its type.
#include "wit/wit.h"

namespace compono::wit {

Result<std::vector<std::uint8_t>> encode_world_type(const Resolve&, WorldId) {
  return fail("component-type encoding not implemented yet");
}

Result<std::vector<std::uint8_t>> embed_world_type(const Resolve& resolve, WorldId world,
                                                   std::vector<std::uint8_t> module) {
  COMPONO_TRY(auto payload, encode_world_type(resolve, world));
  (void)payload;
  return module;
}

}  // namespace compono::wit
