// src/bindgen/host_cpp.cpp - host bindings generator (owned by "hostgen").
// Placeholder until it lands: reports that it is not implemented.
#include "bindgen/bindgen.h"

namespace compono::bindgen {
Result<std::vector<File>> generate_host_cpp(const wit::Resolve&, wit::WorldId, const HostOptions&) {
  return fail("compono bindgen cpp --host: not yet implemented");
}
}  // namespace compono::bindgen
