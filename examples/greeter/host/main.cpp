// examples/greeter/host/main.cpp - greeter-host: runs a greeter component on
// Compono's runtime through the generated typed host bindings
// (`compono bindgen cpp --host --world greeter`, see CMakeLists.txt).
//
//   greeter-host [COMPONENT.wasm] [NAME]
//
// Defines the `context` resource as a host object holding a request id
// (and WASI 0.2, which guests built with the guest SDK import),
// calls greet({name: NAME}, borrow<context>) and prints the response in WAVE,
// or prints the trap and exits with status 1 (2 for usage/load errors).
#include <cstdio>
#include <string>
#include <vector>

#include "compono/wasi2.h"
#include "greeter_host.h"

namespace {

using namespace example::greeter;  // Greeter, Request, Response, types::Context

// The host's implementation of resource `context`.
class RequestContext : public types::Context {
 public:
  explicit RequestContext(std::string id) : id_(std::move(id)) {}
  // Returning compono::fail("...") instead would trap the guest's call.
  compono::Result<std::string> request_id() override { return id_; }

 private:
  std::string id_;
};

// Interface example:greeter/types has no freestanding functions: the host
// only provides the resource.
class TypesHost : public types::Host {};

std::string wave_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

bool read_file(const char* path, std::vector<uint8_t>& out) {
  FILE* f = std::fopen(path, "rb");
  if (!f) return false;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 3 || (argc > 1 && (std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help"))) {
    std::fprintf(stderr, "usage: greeter-host [COMPONENT.wasm] [NAME]\n  default component: %s\n",
                 GREETER_DEFAULT_COMPONENT);
    return 2;
  }
  const char* path = argc > 1 ? argv[1] : GREETER_DEFAULT_COMPONENT;
  std::string name = argc > 2 ? argv[2] : "World";

  std::vector<uint8_t> bytes;
  if (!read_file(path, bytes)) {
    std::fprintf(stderr, "greeter-host: cannot read %s\n", path);
    return 2;
  }
  auto component = compono::component::Component::compile(bytes);
  if (!component) {
    std::fprintf(stderr, "greeter-host: %s: %s\n", path, component.error().to_string().c_str());
    return 2;
  }

  compono::component::Store store;
  compono::component::Linker linker;
  TypesHost types_host;
  // Guests built with the guest SDK run on its WASI runtime: give them WASI
  // 0.2 (no arguments beyond the program name, no environment, no files).
  compono::wasi2::Config wasi;
  wasi.args = {"greeter"};
  if (auto r = compono::wasi2::add_to_linker(linker, wasi); !r) {
    std::fprintf(stderr, "greeter-host: %s\n", r.error().to_string().c_str());
    return 2;
  }
  if (auto r = types::add_to_linker(linker, types_host); !r) {
    std::fprintf(stderr, "greeter-host: %s\n", r.error().to_string().c_str());
    return 2;
  }
  // types_host owns the `context` objects lent to the guest (per Host object).
  auto greeter = Greeter::instantiate(store, linker, *component, types_host);
  if (!greeter) {
    std::fprintf(stderr, "greeter-host: %s: %s\n", path, greeter.error().to_string().c_str());
    return 2;
  }

  RequestContext ctx("req-42");
  auto response = greeter->greet(store, Request{.name = name}, ctx);
  if (!response) {
    std::fprintf(stderr, "greeter-host: trap: %s\n", response.error().message.c_str());
    return 1;
  }
  std::printf("{greeting: %s, request-id: %s}\n", wave_string(response->greeting).c_str(),
              wave_string(response->request_id).c_str());
  return 0;
}
