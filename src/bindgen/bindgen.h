// src/bindgen/bindgen.h - C++ bindings generators (guest: guest_cpp.cpp,
// host: host_cpp.cpp).  Both read the resolved WIT model of compono_wit.
#pragma once

#include <string>
#include <vector>

#include "compono/result.h"
#include "wit/wit.h"

namespace compono::bindgen {

struct File {
  std::string name;      // relative file name, e.g. "greeter.h"
  std::string contents;
};

struct GuestOptions {
  // Base name of the generated files; default: the world name in snake_case.
  std::string basename;
  // Manual borrows: the glue does NOT drop the borrow<imported> handles an
  // export receives; they reach the user as compono::Borrow<R> (also at the
  // top level, instead of `const R&`) and the user must call drop() on each
  // before returning.  Default (false): dropped automatically by the glue.
  bool manual_borrows = false;
  // If set, receives one line per item the generator skipped (imported
  // functions using constructs that are not supported yet, such as async
  // functions, future, stream, error-context, map).
  std::vector<std::string>* notes = nullptr;
};

// Guest bindings for `world`: <base>.h (types, imported functions and
// resources, declarations of what the user implements) and <base>.cpp (the
// canonical ABI glue and the embedded component-type custom section).
// When the world exports resources, <base>.cpp includes "<base>_impl.h",
// which the user writes to define the exported resource classes.
Result<std::vector<File>> generate_guest_cpp(const wit::Resolve& resolve, wit::WorldId world,
                                             const GuestOptions& options = {});

struct HostOptions {
  std::string basename;
};

// Host bindings (implemented by host_cpp.cpp; until then reports "not yet
// implemented").
Result<std::vector<File>> generate_host_cpp(const wit::Resolve& resolve, wit::WorldId world,
                                            const HostOptions& options = {});

// Loads WIT from `wit_path`, selects `world_spec` and writes the generated
// files into `out_dir` (created if missing).  Returns the written paths.
Result<std::vector<std::string>> write_files(const std::vector<File>& files, const std::string& out_dir);

}  // namespace compono::bindgen
